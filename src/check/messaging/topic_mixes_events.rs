//! M412 topic-mixes-events
use super::filter_outside_schema::declared_type;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::messaging::consumed_from_topics;
use crate::model::{
    Channel, Condition, Event, EventId, FieldType, Filter, FilterScope, FilterValue, Scalar,
};
use crate::vocabulary::CompareOp;

/// `others` are the events the topic carries that the consumer does not
/// name, each with where it is declared.
pub fn diagnostic(
    service: &str,
    topic: &str,
    span: Span,
    others: &[(&str, Span)],
    topic_span: Span,
) -> Diagnostic {
    let names: Vec<String> = others.iter().map(|(name, _)| format!("`{name}`")).collect();
    let mut diagnostic = Diagnostic::new(
        &TopicMixesEvents::CODE,
        format!(
            "`{service}` would also receive {} from topic `{topic}`",
            names.join(", ")
        ),
    )
    .primary(
        span,
        format!("a subscription to `{topic}` delivers every event it carries"),
    );
    for (name, event_span) in others {
        diagnostic =
            diagnostic.secondary(*event_span, format!("`{name}` is carried by `{topic}` too"));
    }
    diagnostic
        .secondary(topic_span, format!("`{topic}` filters on the message body"))
        .help(format!(
            "write `filter_on = attributes` in topic `{topic}` (publishers then name the event in the `event` message attribute), or give each event its own topic"
        ))
        .note("an SNS filter policy on the message body cannot see which event a document is: without a `where` that only this consumer's events can pass, every message of the topic is delivered")
}

declare_rule! {
    /// ## What it does
    /// Reports a `consumes` of some of the events a topic carries, when
    /// the topic filters on the message body (the default) and nothing in
    /// the `where` keeps the other events out. An event the service
    /// consumes by another relation, delivered to the same place, is not
    /// one of the others.
    ///
    /// A `where` keeps an event out when one of its conditions tests a
    /// field that event does not have, or a value its field never takes
    /// (an enum without the value). With `filter_on = attributes`, meshc
    /// adds the `event` attribute to the subscription's filter policy
    /// instead, and publishers set it (docs/runtime.md).
    ///
    /// ## Why is this bad?
    /// An SNS subscription is to the whole topic. Its filter policy only
    /// sees the published document, which does not say which event it is,
    /// so the consumer receives the documents of every event the topic
    /// carries, and its code handles shapes it was never written for.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// topic orders { }
    /// event OrderPlaced { topic = orders  schema { orderId: string } }
    /// event OrderShipped { topic = orders  schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes [OrderPlaced, OrderShipped] }
    /// service billing { compute = lambda { runtime = "python3.13" }  consumes OrderPlaced }
    /// service tracking { compute = lambda { runtime = "python3.13" }  consumes OrderShipped }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// topic orders { filter_on = attributes }
    /// event OrderPlaced { topic = orders  schema { orderId: string } }
    /// event OrderShipped { topic = orders  schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes [OrderPlaced, OrderShipped] }
    /// service billing { compute = lambda { runtime = "python3.13" }  consumes OrderPlaced }
    /// service tracking { compute = lambda { runtime = "python3.13" }  consumes OrderShipped }
    /// ```
    TopicMixesEvents, code = M412, slug = "topic-mixes-events", severity = Error,
}

impl Rule for TopicMixesEvents {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let carried = &context.graph.messaging.carried;
        for service in &system.services {
            // What the service takes from each topic at each endpoint (its
            // function or inbox, or a `via` queue): SNS delivers one
            // subscription there, so an event another of its relations
            // consumes at the same place is one it expects.
            let mut expected: std::collections::BTreeMap<_, Vec<EventId>> =
                std::collections::BTreeMap::new();
            for consume in &service.consumes {
                let via = consume.via.map(|queue| queue.value);
                for (topic_id, named) in consumed_from_topics(system, consume) {
                    let all = carried
                        .get(&Channel::Topic(topic_id))
                        .cloned()
                        .unwrap_or_default();
                    expected
                        .entry((topic_id, via))
                        .or_default()
                        .extend(named.unwrap_or(all));
                }
            }
            for consume in &service.consumes {
                let via = consume.via.map(|queue| queue.value);
                for (topic_id, named) in consumed_from_topics(system, consume) {
                    let (Some(named), Some(topic)) = (named, system.topics.get(topic_id.0)) else {
                        continue;
                    };
                    if topic.filter_on.value == FilterScope::Attributes {
                        continue;
                    }
                    let others: Vec<(&str, Span)> = carried
                        .get(&Channel::Topic(topic_id))
                        .into_iter()
                        .flatten()
                        .filter(|event| !named.contains(event))
                        .filter(|event| {
                            !expected
                                .get(&(topic_id, via))
                                .is_some_and(|events| events.contains(event))
                        })
                        .filter_map(|event| system.event(*event))
                        .filter(|event| !keeps_out(consume.filter.as_ref(), event))
                        .map(|event| (event.name.text.as_str(), event.name.span))
                        .collect();
                    if others.is_empty() {
                        continue;
                    }
                    let span = consume
                        .sources
                        .iter()
                        .find(|source| {
                            matches!(source.value, Channel::Event(event) if named.contains(&event))
                        })
                        .map_or(consume.span, |source| source.span);
                    out.push(diagnostic(
                        &service.name.text,
                        &topic.name.text,
                        span,
                        &others,
                        topic.name.span,
                    ));
                }
            }
        }
    }
}

/// Whether `filter` refuses every document of `event`: one of its
/// conditions needs a field the event does not have, or a value its field
/// never takes.
fn keeps_out(filter: Option<&Filter>, event: &Event) -> bool {
    filter.is_some_and(|filter| {
        filter
            .conditions
            .iter()
            .any(|condition| refuses(condition, event))
    })
}

fn refuses(condition: &Condition, event: &Event) -> bool {
    if condition.op == CompareOp::NotExists {
        return false;
    }
    let Some(ty) = declared_type(&event.schema, &condition.field) else {
        // Every other matcher needs the field to be there.
        return true;
    };
    let FieldType::Enum(values) = ty else {
        return false;
    };
    let wanted: Vec<&str> = match (&condition.op, &condition.value) {
        (CompareOp::Eq, FilterValue::Scalar(Scalar::String(text))) => vec![text.as_str()],
        (CompareOp::In, FilterValue::List(list)) => list
            .iter()
            .filter_map(|value| match value {
                Scalar::String(text) => Some(text.as_str()),
                _ => None,
            })
            .collect(),
        _ => return false,
    };
    !wanted
        .iter()
        .any(|value| values.iter().any(|allowed| allowed == value))
}
