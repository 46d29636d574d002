//! M414 filters-not-joinable
use serde_json::{Map, Value as Json};

use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::messaging::{RESERVED_IN_OR, alternatives};

/// `sites` are the `where`s (or relations) joined into one policy, the
/// last one reported first.
pub fn diagnostic(topic: &str, field: &str, sites: &[Span]) -> Diagnostic {
    let Some((&last, earlier)) = sites.split_last() else {
        unreachable!("an `$or` joins at least two relations")
    };
    let mut diagnostic = Diagnostic::new(
        &FiltersNotJoinable::CODE,
        format!(
            "these filters share one subscription to topic `{topic}`, and SNS cannot join them: one tests a field named `{field}`"
        ),
    )
    .primary(
        last,
        format!("joined into an `$or`, which SNS refuses around a field named `{field}`"),
    );
    for site in earlier {
        diagnostic = diagnostic.secondary(*site, "delivered to the same place");
    }
    diagnostic
        .help(format!(
            "deliver one of these relations to a queue of its own (`via`), or rename the field `{field}`"
        ))
        .note("SNS keeps one subscription, with one filter policy, per topic and endpoint, so meshc joins the filters of every relation to that endpoint with `$or`; inside an `$or`, SNS reserves the names of its matchers (`prefix`, `numeric`, `exists`, ...) and rejects the policy")
}

/// The first field name at any depth of `fields` that SNS reserves inside
/// an `$or`.
fn reserved_field(fields: &Map<String, Json>) -> Option<&str> {
    fields.iter().find_map(|(key, inner)| {
        if RESERVED_IN_OR.contains(&key.as_str()) {
            Some(key.as_str())
        } else {
            inner.as_object().and_then(reserved_field)
        }
    })
}

declare_rule! {
    /// ## What it does
    /// Reports `where` filters of several relations delivered to one place
    /// (one function, or one queue) from one topic, when SNS cannot join
    /// them: one of them tests a field whose name SNS reserves inside an
    /// `$or` (`prefix`, `suffix`, `numeric`, `exists`, `equals`,
    /// `wildcard`, `cidr`, `regex`, ...).
    ///
    /// ## Why is this bad?
    /// SNS keeps one subscription per topic and endpoint, with one filter
    /// policy, so meshc writes the filters of every relation to that
    /// endpoint as one `$or`. SNS rejects an `$or` around a field with one
    /// of these names: the subscription cannot be created, and the deploy
    /// stops.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// topic orders { filter_on = attributes }
    /// event OrderPlaced { topic = orders  schema { prefix: string } }
    /// event OrderShipped { topic = orders  schema { carrier: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes [OrderPlaced, OrderShipped] }
    /// service audit {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes OrderPlaced where prefix = "eu"
    ///   consumes OrderShipped where carrier = "ups"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// topic orders { filter_on = attributes }
    /// event OrderPlaced { topic = orders  schema { prefix: string } }
    /// event OrderShipped { topic = orders  schema { carrier: string } }
    /// queue shipped { visibility = 2m  dlq { } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes [OrderPlaced, OrderShipped] }
    /// service audit {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes OrderPlaced where prefix = "eu"
    ///   consumes OrderShipped where carrier = "ups" via shipped
    /// }
    /// ```
    FiltersNotJoinable, code = M414, slug = "filters-not-joinable", severity = Error,
}

impl Rule for FiltersNotJoinable {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for subscription in &context.graph.messaging.subscriptions {
            let Some(policy) = &subscription.filter_policy else {
                continue;
            };
            let branches = alternatives(policy);
            if branches.len() < 2 {
                continue;
            }
            let Some(field) = branches.iter().find_map(|branch| reserved_field(branch)) else {
                continue;
            };
            let topic = system
                .topics
                .get(subscription.topic.0)
                .map_or("", |topic| topic.name.text.as_str());
            let sites: Vec<Span> = subscription.filter_sites().collect();
            out.push(diagnostic(topic, field, &sites));
        }
    }
}
