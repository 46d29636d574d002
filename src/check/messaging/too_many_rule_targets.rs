//! M408 too-many-rule-targets
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::aws::limits::EVENTBRIDGE_RULE_TARGETS;

/// `extra` are the spans of the targets beyond the limit, in order.
pub fn diagnostic(rule: &str, span: Span, count: usize, extra: &[Span]) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        &TooManyRuleTargets::CODE,
        format!(
            "rule `{rule}` has {count} targets, more than the {EVENTBRIDGE_RULE_TARGETS} EventBridge allows"
        ),
    );
    for (position, target) in extra.iter().enumerate() {
        diagnostic = if position == 0 {
            diagnostic.primary(
                *target,
                format!(
                    "target {} of at most {EVENTBRIDGE_RULE_TARGETS}",
                    EVENTBRIDGE_RULE_TARGETS + 1
                ),
            )
        } else {
            diagnostic.secondary(*target, "also over the limit")
        };
    }
    diagnostic
        .secondary(span, format!("rule `{rule}`"))
        .help(format!(
            "split the rule: keep {EVENTBRIDGE_RULE_TARGETS} targets here and give the rest to a second rule with the same `matches`, or fan out through a topic (`targets = [TOPIC]`)"
        ))
        .note("EventBridge refuses a sixth target on a rule (a hard quota): the deployment fails")
}

declare_rule! {
    /// ## What it does
    /// Reports a `rule` with more than five `targets`, the most EventBridge
    /// allows on one rule; it is a hard quota, not one that AWS raises on
    /// request.
    ///
    /// The rules meshc derives from `consumes`, saga triggers and
    /// choreographed sagas have one target each, and never exceed it.
    ///
    /// ## Why is this bad?
    /// `PutTargets` fails for the sixth target, and the deployment stops
    /// after the rule and its first targets were created.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated }
    /// service a { compute = lambda { runtime = "python3.13" } }
    /// service b { compute = lambda { runtime = "python3.13" } }
    /// service c { compute = lambda { runtime = "python3.13" } }
    /// service d { compute = lambda { runtime = "python3.13" } }
    /// service e { compute = lambda { runtime = "python3.13" } }
    /// service f { compute = lambda { runtime = "python3.13" } }
    /// rule fan-out { matches OrderCreated  targets = [a, b, c, d, e, f] }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated }
    /// service a { compute = lambda { runtime = "python3.13" } }
    /// service b { compute = lambda { runtime = "python3.13" } }
    /// service c { compute = lambda { runtime = "python3.13" } }
    /// service d { compute = lambda { runtime = "python3.13" } }
    /// service e { compute = lambda { runtime = "python3.13" } }
    /// service f { compute = lambda { runtime = "python3.13" } }
    /// rule fan-out { matches OrderCreated  targets = [a, b, c, d, e] }
    /// rule fan-out-more { matches OrderCreated  targets = [f] }
    /// ```
    TooManyRuleTargets, code = M408, slug = "too-many-rule-targets", severity = Error,
}

impl Rule for TooManyRuleTargets {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for rule in &context.system.rules {
            let extra: Vec<Span> = rule
                .targets
                .iter()
                .skip(EVENTBRIDGE_RULE_TARGETS)
                .map(|target| target.span)
                .collect();
            if !extra.is_empty() {
                out.push(diagnostic(
                    &rule.name.text,
                    rule.name.span,
                    rule.targets.len(),
                    &extra,
                ));
            }
        }
    }
}
