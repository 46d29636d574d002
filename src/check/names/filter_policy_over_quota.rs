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

/// A subscription whose filter policy SNS refuses: `kind` says which limit,
/// `value` how far it goes; `sites` are the `where`s (or relations) it is
/// written from, the last one reported first.
pub fn diagnostic(
    topic: &str,
    sites: &[Span],
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
            if sites.len() > 1 {
                format!(
                    "{value} combinations: for each relation, the product of the lengths of its lists, added up"
                )
            } else {
                format!("{value} combinations: the product of the lengths of its lists")
            },
            "list fewer values (`starts_with` a shared prefix, or `!=` the few excluded ones), or split the consumer into two with half the values each",
        ),
    };
    let Some((&last, earlier)) = sites.split_last() else {
        unreachable!("a filter policy is written from at least one relation")
    };
    let mut diagnostic = Diagnostic::new(
        &FilterPolicyOverQuota::CODE,
        format!(
            "the filter policy of this subscription to topic `{topic}` {what}, more than the {} SNS allows",
            quotas::limit(row, region)
        ),
    )
    .primary(last, label);
    for site in earlier {
        diagnostic = diagnostic.secondary(
            *site,
            "joined into the same policy: SNS keeps one subscription per topic and endpoint",
        );
    }
    let instead = if sites.len() > 1 {
        format!("{instead}, or deliver one of these relations to a queue of its own (`via`)")
    } else {
        instead.to_string()
    };
    diagnostic
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

/// The keys of a filter policy that hold values (the fields it tests; for
/// an `$or`, those of its widest alternative), and its combinations of
/// values: for each alternative the product of the lengths of its arrays,
/// added up, as SNS counts an `$or`.
fn keys_and_combinations(policy: &Json) -> (usize, usize) {
    fn walk(value: &Json, keys: &mut usize) -> usize {
        match value {
            Json::Array(values) => {
                *keys += 1;
                values.len()
            }
            Json::Object(fields) => fields.values().fold(1, |product, value| {
                product.saturating_mul(walk(value, keys))
            }),
            _ => 1,
        }
    }
    messaging::alternatives(policy)
        .into_iter()
        .fold((0, 0usize), |(widest, sum), branch| {
            let mut keys = 0;
            let product = branch.values().fold(1usize, |product, value| {
                product.saturating_mul(walk(value, &mut keys))
            });
            (widest.max(keys), sum.saturating_add(product))
        })
}

declare_rule! {
    /// ## What it does
    /// Reports an SNS subscription whose filter policy SNS refuses: more
    /// than 150 combinations of values (the product of the number of values
    /// in each list), more than five fields tested, or more than 256 KB;
    /// and a topic with more than 200 filtered subscriptions, the default
    /// quota. The relations delivered to one place (a function, or a
    /// queue) from one topic share one subscription, whose policy joins
    /// their filters with `$or`: its combinations are those of each
    /// relation added up, and its fields those of the one that tests the
    /// most.
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
        for subscription in &context.graph.messaging.subscriptions {
            let Some(policy) = &subscription.filter_policy else {
                continue;
            };
            let sites: Vec<Span> = subscription.filter_sites().collect();
            let Some(&first) = sites.first() else {
                continue;
            };
            filtered.entry(subscription.topic).or_default().push(first);
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
                        &sites,
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

    #[test]
    fn the_alternatives_of_an_or_add_up_and_the_widest_counts_its_keys() {
        let policy = json!({ "$or": [
            { "event": ["A"], "total": [1, 2, 3] },
            { "event": ["B"], "carrier": ["ups", "dhl"], "b": { "c": [1, 2] } },
        ] });
        assert_eq!(keys_and_combinations(&policy), (3, 3 + 4));
    }
}
