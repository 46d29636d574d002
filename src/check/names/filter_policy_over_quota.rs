//! M245 filter-policy-over-quota
use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::quotas;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::emit::deployed;
use crate::graph::messaging;
use crate::model::TopicId;
use crate::model::aws_quotas::{QuotaKind, quota};

/// A `where` whose filter policy SNS refuses: `kind` says which limit,
/// `value` how far it goes.
pub fn diagnostic(
    topic: &str,
    span: Span,
    kind: QuotaKind,
    value: usize,
    region: &str,
) -> Diagnostic {
    let row = quota(kind);
    let (what, label, instead) = match kind {
        QuotaKind::FilterPolicyKeys => (
            format!("would test {value} fields"),
            format!("{value} fields"),
            "test at most five fields: leave the others to the consumer's code, or split the consumer",
        ),
        QuotaKind::FilterPolicySize => (
            format!("would be {}", quotas::amount(row, value)),
            format!("{value} bytes"),
            "filter on fewer, shorter values",
        ),
        _ => (
            format!("would have {value} combinations of values"),
            format!("{value} combinations: the product of the lengths of its lists"),
            "list fewer values (`starts_with` a shared prefix, or `!=` the few excluded ones), or split the consumer into two with half the values each",
        ),
    };
    Diagnostic::new(
        &FilterPolicyOverQuota::CODE,
        format!(
            "the filter policy of this subscription to topic `{topic}` {what}, more than the {} SNS allows",
            quotas::limit(row, region)
        ),
    )
    .primary(span, label)
    .help(format!("{instead}; {}", row.increase()))
    .note(quotas::source_note(row))
}

/// A topic with more filtered subscriptions than SNS allows.
pub fn too_many(topic: &str, span: Span, count: usize, over: Span, region: &str) -> Diagnostic {
    let row = quota(QuotaKind::FilterPoliciesPerTopic);
    Diagnostic::new(
        &FilterPolicyOverQuota::CODE,
        format!(
            "topic `{topic}` would have {count} subscriptions with a filter policy, more than the {} SNS allows a topic",
            quotas::limit(row, region)
        ),
    )
    .primary(over, format!("filter policy {} of at most {}", row.limit_in(region) + 1, row.limit_in(region)))
    .secondary(span, format!("topic `{topic}`"))
    .help(format!(
        "carry some of these events on a second topic, or consume them unfiltered; {}",
        row.increase()
    ))
    .note(quotas::source_note(row))
}

/// The arrays of values of a filter policy: the keys that hold them, and
/// the product of their lengths.
fn keys_and_combinations(policy: &Json) -> (usize, usize) {
    match policy {
        Json::Array(values) => (1, values.len()),
        Json::Object(fields) => fields.values().fold((0, 1), |(keys, product), value| {
            let (inner_keys, inner_product) = keys_and_combinations(value);
            (keys + inner_keys, product.saturating_mul(inner_product))
        }),
        _ => (0, 1),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a `where` on an SNS subscription whose filter policy SNS
    /// refuses: more than 150 combinations of values (the product of the
    /// number of values in each list), more than five fields tested, or
    /// more than 256 KB; and a topic with more than 200 filtered
    /// subscriptions, the default quota.
    ///
    /// ## Why is this bad?
    /// `Subscribe` (or `SetSubscriptionAttributes`) fails with
    /// `FilterPolicyLimitExceeded` or `InvalidParameter`, and the deployment
    /// stops. AWS does not raise the limits of one policy; the number of
    /// filter policies per topic can be raised on request.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// topic orders { }
    /// event OrderPlaced { topic = orders  schema { region: string  kind: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderPlaced }
    /// service audit {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes OrderPlaced where region in ["r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08", "r09", "r10", "r11", "r12", "r13"]
    ///     and kind in ["k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09", "k10", "k11", "k12"]
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// topic orders { }
    /// event OrderPlaced { topic = orders  schema { region: string  kind: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderPlaced }
    /// service audit {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes OrderPlaced where region starts_with "r" and kind in ["k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09", "k10", "k11", "k12"]
    /// }
    /// ```
    FilterPolicyOverQuota, code = M245, slug = "filter-policy-over-quota", severity = Error,
}

impl Rule for FilterPolicyOverQuota {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let region = system.region.value.as_str();
        let topic_name = |topic: TopicId| {
            system
                .topics
                .get(topic.0)
                .map_or_else(String::new, |topic| topic.name.text.clone())
        };
        let mut filtered: BTreeMap<TopicId, Vec<Span>> = BTreeMap::new();
        for subscription in messaging::subscriptions(system) {
            let (Some(policy), Some(span)) =
                (&subscription.filter_policy, subscription.filter_span)
            else {
                continue;
            };
            filtered.entry(subscription.topic).or_default().push(span);
            let (keys, combinations) = keys_and_combinations(policy);
            let size = deployed::jsonencode_length(policy);
            for (kind, value) in [
                (QuotaKind::FilterPolicyCombinations, combinations),
                (QuotaKind::FilterPolicyKeys, keys),
                (QuotaKind::FilterPolicySize, size),
            ] {
                if value > quota(kind).limit_in(region) {
                    out.push(diagnostic(
                        &topic_name(subscription.topic),
                        span,
                        kind,
                        value,
                        region,
                    ));
                }
            }
        }
        let limit = quota(QuotaKind::FilterPoliciesPerTopic).limit_in(region);
        for (topic, spans) in filtered {
            let (Some(over), Some(declared)) = (spans.get(limit), system.topics.get(topic.0))
            else {
                continue;
            };
            out.push(too_many(
                &declared.name.text,
                declared.name.span,
                spans.len(),
                *over,
                region,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::keys_and_combinations;
    use serde_json::json;

    #[test]
    fn combinations_multiply_the_lengths_of_the_lists() {
        let policy = json!({ "a": ["x", "y"], "b": { "c": [1, 2, 3] } });
        assert_eq!(keys_and_combinations(&policy), (2, 6));
    }
}
