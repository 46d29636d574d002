//! M409 filter-not-expressible
use super::{FilterKind, filter_sites};
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::messaging::{condition_expressible, conflicts};
use crate::model::{Condition, FilterValue, Scalar};
use crate::vocabulary::CompareOp;

/// `kind` names what the filter becomes; `help` says what to write.
pub fn diagnostic(
    field: &str,
    kind: FilterKind,
    earlier: Span,
    later: Span,
    help: String,
) -> Diagnostic {
    Diagnostic::new(
        &FilterNotExpressible::CODE,
        format!(
            "the conditions on `{field}` cannot be joined in {}",
            kind.text()
        ),
    )
    .primary(later, "cannot be required together with the condition before")
    .secondary(earlier, format!("first condition on `{field}`"))
    .help(help)
    .note("the matchers of one field in a pattern are alternatives, so a pattern can require one condition per field, or one numeric range; meshc would keep the first condition only")
}

/// A condition that no pattern can hold, whatever else the filter says.
pub fn alone(field: &str, kind: FilterKind, span: Span, help: String) -> Diagnostic {
    Diagnostic::new(
        &FilterNotExpressible::CODE,
        format!("the condition on `{field}` cannot be written in {}", kind.text()),
    )
    .primary(span, "AWS has no matcher for this")
    .help(help)
    .note("EventBridge and SNS refuse `anything-but` on a boolean or on a list mixing strings and numbers, and an empty list of values")
}

/// What to write instead of a condition no pattern can hold.
fn help_alone(field: &str, condition: &Condition) -> String {
    match (&condition.op, &condition.value) {
        (CompareOp::NotEq, FilterValue::Scalar(Scalar::Bool(flag))) => {
            format!("write `{field} = {}`", !flag)
        }
        (_, FilterValue::List(values)) if values.is_empty() => {
            format!("list at least one value, or remove the condition on `{field}`")
        }
        _ => format!(
            "split the values of `{field}` into strings and numbers, one consumer each, or give the field one type"
        ),
    }
}

fn is_bound(condition: &Condition) -> bool {
    matches!(
        condition.op,
        CompareOp::Lt | CompareOp::LtEq | CompareOp::Gt | CompareOp::GtEq
    )
}

fn scalar_text(value: &Scalar) -> String {
    match value {
        Scalar::String(text) => format!("\"{text}\""),
        Scalar::Number(number) => number.to_string(),
        Scalar::Bool(flag) => flag.to_string(),
    }
}

/// The values a `!=` or `not in` condition excludes.
fn excluded(condition: &Condition) -> Vec<String> {
    match (&condition.op, &condition.value) {
        (CompareOp::NotEq, FilterValue::Scalar(value)) => vec![scalar_text(value)],
        (CompareOp::NotIn, FilterValue::List(values)) => values.iter().map(scalar_text).collect(),
        _ => Vec::new(),
    }
}

/// What to write instead of two conditions on one field.
fn help(field: &str, earlier: &Condition, later: &Condition) -> String {
    let exclusions =
        |condition: &Condition| matches!(condition.op, CompareOp::NotEq | CompareOp::NotIn);
    if exclusions(earlier) && exclusions(later) {
        let mut values = excluded(earlier);
        values.extend(excluded(later));
        return format!(
            "exclude the values in one condition: `{field} not in [{}]`",
            values.join(", ")
        );
    }
    if is_bound(earlier) && is_bound(later) {
        return format!(
            "the bounds on `{field}` leave no number between them: correct one of them"
        );
    }
    match (earlier.op, later.op) {
        (CompareOp::Exists, CompareOp::NotExists) | (CompareOp::NotExists, CompareOp::Exists) => {
            format!(
                "keep one of `{field} exists` and `{field} not exists`: together they match nothing"
            )
        }
        _ => format!(
            "keep one condition on `{field}`, or split the consumer in two, one per condition"
        ),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a `where` filter that requires two conditions of one field
    /// which a single EventBridge event pattern, SNS filter policy or
    /// Lambda filter cannot require together (`status != "a" and status !=
    /// "b"`, `x starts_with "a" and x ends_with "b"`, numeric bounds that
    /// leave no number), and a condition no pattern can hold at all
    /// (`paid != true`, `not in` a list mixing strings and numbers, an
    /// empty list).
    ///
    /// What one pattern can hold: one condition per field; numeric bounds
    /// on one field (`total > 10 and total <= 100` becomes one range, the
    /// tightest bounds winning); and an `exists` beside a condition on the
    /// same field's value, which a pattern implies anyway.
    ///
    /// This is not M403: the filter may fit the schema perfectly, and still
    /// be beyond what AWS can evaluate. The fix differs too: rewrite the
    /// conditions, or split the consumer.
    ///
    /// ## Why is this bad?
    /// In a pattern, the matchers listed for one field are alternatives:
    /// the event matches when any of them does. Two conditions on one field
    /// cannot both be required, so meshc could only keep one of them and
    /// deliver events the filter was written to keep out.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string  status: "pending" | "confirmed" | "cancelled" } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated }
    /// service inventory {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes OrderCreated where status != "pending" and status != "cancelled"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string  status: "pending" | "confirmed" | "cancelled" } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated }
    /// service inventory {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes OrderCreated where status not in ["pending", "cancelled"]
    /// }
    /// ```
    FilterNotExpressible, code = M409, slug = "filter-not-expressible", severity = Error,
}

impl Rule for FilterNotExpressible {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for site in filter_sites(context.system, &context.graph.messaging.carried) {
            for condition in &site.filter.conditions {
                if !condition_expressible(condition) {
                    let field = condition.field.join(".");
                    out.push(alone(
                        &field,
                        site.kind,
                        condition.span,
                        help_alone(&field, condition),
                    ));
                }
            }
            for (earlier, later) in conflicts(site.filter) {
                let field = later.field.join(".");
                out.push(diagnostic(
                    &field,
                    site.kind,
                    earlier.span,
                    later.span,
                    help(&field, earlier, later),
                ));
            }
        }
    }
}
