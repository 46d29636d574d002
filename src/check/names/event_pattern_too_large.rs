//! M244 event-pattern-too-large
use super::quotas::{self, Site};
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::emit::deployed;
use crate::graph::RuleRef;
use crate::model::System;
use crate::model::aws_quotas::{QuotaKind, quota};

/// `filter` is the `where` of the rule, when it has one: the label goes
/// there.
pub fn diagnostic(rule: &Site, size: usize, region: &str, filter: Option<Span>) -> Diagnostic {
    let row = quota(QuotaKind::EventPatternSize);
    Diagnostic::new(
        &EventPatternTooLarge::CODE,
        format!(
            "the event pattern of {} would be {}, more than the {} EventBridge allows",
            rule.text,
            quotas::amount(row, size),
            quotas::limit(row, region)
        ),
    )
    .primary(
        filter.unwrap_or(rule.span),
        format!("a pattern of {}", quotas::amount(row, size)),
    )
    .help(format!(
            "match fewer events, or fewer values, in one rule: split the events (or the values of a long `in [...]`) between two `consumes` or rules; {}",
            row.increase()
        ))
    .note(format!(
        "{} (Terraform's jsonencode writes `<`, `>` and `&` as six characters each)",
        quotas::source_note(row)
    ))
}

/// The `where` a rule's pattern is written from.
fn filter_of(system: &System, rule: RuleRef) -> Option<Span> {
    match rule {
        RuleRef::Declared(id) => system.rules.get(id.0)?.filter.as_ref().map(|f| f.span),
        RuleRef::Consumer { service, index, .. } => system
            .service(service)?
            .consumes
            .get(index)?
            .filter
            .as_ref()
            .map(|filter| filter.span),
        RuleRef::Trigger(_) | RuleRef::Choreography { .. } => None,
    }
}

declare_rule! {
    /// ## What it does
    /// Reports an EventBridge rule whose event pattern would be longer than
    /// the 2,048 characters EventBridge allows by default. A pattern holds
    /// the detail types and sources of the events a rule matches and the
    /// conditions of its `where`: a rule that matches many events, or a
    /// condition with a long list of values, makes a long one. Counted as
    /// Terraform's `jsonencode` writes it (compact JSON, `<`, `>` and `&`
    /// escaped), the longer of the two backends' forms.
    ///
    /// ## Why is this bad?
    /// `PutRule` fails with `InvalidEventPatternException` or
    /// `LimitExceededException` in an account with the default quota, so
    /// the first deploy into a new account fails. The quota can be raised to
    /// 4,096 (Service Quotas code L-664C5505); an account that has the
    /// increase says so with `// meshc:allow(M244) reason: "..."`.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { source = order  schema { region: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderPlaced }
    /// service audit {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes OrderPlaced where region in [
    ///     "region-0001-with-a-long-name", "region-0002-with-a-long-name", "region-0003-with-a-long-name", "region-0004-with-a-long-name",
    ///     "region-0005-with-a-long-name", "region-0006-with-a-long-name", "region-0007-with-a-long-name", "region-0008-with-a-long-name",
    ///     "region-0009-with-a-long-name", "region-0010-with-a-long-name", "region-0011-with-a-long-name", "region-0012-with-a-long-name",
    ///     "region-0013-with-a-long-name", "region-0014-with-a-long-name", "region-0015-with-a-long-name", "region-0016-with-a-long-name",
    ///     "region-0017-with-a-long-name", "region-0018-with-a-long-name", "region-0019-with-a-long-name", "region-0020-with-a-long-name",
    ///     "region-0021-with-a-long-name", "region-0022-with-a-long-name", "region-0023-with-a-long-name", "region-0024-with-a-long-name",
    ///     "region-0025-with-a-long-name", "region-0026-with-a-long-name", "region-0027-with-a-long-name", "region-0028-with-a-long-name",
    ///     "region-0029-with-a-long-name", "region-0030-with-a-long-name", "region-0031-with-a-long-name", "region-0032-with-a-long-name",
    ///     "region-0033-with-a-long-name", "region-0034-with-a-long-name", "region-0035-with-a-long-name", "region-0036-with-a-long-name",
    ///     "region-0037-with-a-long-name", "region-0038-with-a-long-name", "region-0039-with-a-long-name", "region-0040-with-a-long-name",
    ///     "region-0041-with-a-long-name", "region-0042-with-a-long-name", "region-0043-with-a-long-name", "region-0044-with-a-long-name",
    ///     "region-0045-with-a-long-name", "region-0046-with-a-long-name", "region-0047-with-a-long-name", "region-0048-with-a-long-name",
    ///     "region-0049-with-a-long-name", "region-0050-with-a-long-name", "region-0051-with-a-long-name", "region-0052-with-a-long-name",
    ///     "region-0053-with-a-long-name", "region-0054-with-a-long-name", "region-0055-with-a-long-name", "region-0056-with-a-long-name",
    ///     "region-0057-with-a-long-name", "region-0058-with-a-long-name", "region-0059-with-a-long-name", "region-0060-with-a-long-name",
    ///     "region-0061-with-a-long-name", "region-0062-with-a-long-name", "region-0063-with-a-long-name", "region-0064-with-a-long-name"
    ///   ]
    /// }
    /// ```
    ///
    /// Use instead: a prefix every value shares.
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { source = order  schema { region: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderPlaced }
    /// service audit {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes OrderPlaced where region starts_with "region-00"
    /// }
    /// ```
    EventPatternTooLarge, code = M244, slug = "event-pattern-too-large", severity = Error,
}

impl Rule for EventPatternTooLarge {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let region = system.region.value.as_str();
        let limit = quota(QuotaKind::EventPatternSize).limit_in(region);
        let mut reported = Vec::new();
        for rule in &context.graph.messaging.rules {
            let Some(pattern) = &rule.pattern else {
                continue;
            };
            let size = deployed::jsonencode_length(pattern);
            // A declared rule on several buses is reported once.
            if size <= limit || reported.contains(&rule.rule) {
                continue;
            }
            let Some(site) = quotas::rule(system, rule.rule) else {
                continue;
            };
            reported.push(rule.rule);
            out.push(diagnostic(
                &site,
                size,
                region,
                filter_of(system, rule.rule),
            ));
        }
    }
}
