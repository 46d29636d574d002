//! M413 filter-not-an-attribute
use super::filter_outside_schema::declared_type;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::messaging::{EVENT_ATTRIBUTE, consumed_from_topics};
use crate::model::{Channel, Condition, Event, FieldType, Filter, FilterScope, Topic, TopicId};

/// Why a condition cannot be written on a message attribute.
#[derive(Debug)]
pub enum Misfit<'a> {
    /// `a.b`: attributes have no fields of their own.
    Nested,
    /// A boolean, or a list of them: no attribute type holds it.
    Type { event: &'a str, ty: &'static str },
    /// The attribute that names the event.
    Reserved,
}

pub fn diagnostic(
    field: &str,
    topic: &str,
    span: Span,
    topic_span: Span,
    misfit: &Misfit<'_>,
) -> Diagnostic {
    let (message, label, help) = match misfit {
        Misfit::Nested => (
            format!("`{field}` cannot be a message attribute of topic `{topic}`"),
            "message attributes have no fields of their own".to_string(),
            format!(
                "add a top-level field with this value to the event's schema and filter on it, or write `filter_on = body` in topic `{topic}`"
            ),
        ),
        Misfit::Type { event, ty } => (
            format!(
                "`{field}` of event `{event}` is {ty}, which no message attribute of topic `{topic}` can hold"
            ),
            "SNS filters attributes of type String, String.Array and Number only".to_string(),
            format!(
                "filter on a string or number field, or write `filter_on = body` in topic `{topic}`"
            ),
        ),
        Misfit::Reserved => (
            format!("`{EVENT_ATTRIBUTE}` is the attribute that names the event on topic `{topic}`"),
            format!("publishers set `{EVENT_ATTRIBUTE}` to the event's name, not to this field"),
            "consume the events by name (`consumes EventName`), or rename the field".to_string(),
        ),
    };
    Diagnostic::new(&FilterNotAnAttribute::CODE, message)
        .primary(span, label)
        .secondary(topic_span, format!("`{topic}` filters on message attributes"))
        .help(help)
        .note("with `filter_on = attributes`, a subscription's `where` tests the message attributes the publisher sets, one per field, flat (docs/runtime.md)")
}

declare_rule! {
    /// ## What it does
    /// Reports a `where` condition on a topic with `filter_on = attributes`
    /// that no message attribute can answer: a nested field (`customer.tier`),
    /// a field that is a boolean or a list of them, or a field named
    /// `event`, which is the attribute naming the event.
    ///
    /// ## Why is this bad?
    /// SNS compares an attribute filter policy with the message attributes
    /// of type String, String.Array and Number, by name, flat: it refuses a
    /// nested policy, and never matches a boolean. The subscription would
    /// be refused at deploy time, or receive nothing.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// topic orders { filter_on = attributes }
    /// event OrderPlaced { topic = orders  schema { orderId: string  customer: { tier: string } } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderPlaced }
    /// service rewards { compute = lambda { runtime = "python3.13" }  consumes OrderPlaced where customer.tier = "gold" }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// topic orders { filter_on = attributes }
    /// event OrderPlaced { topic = orders  schema { orderId: string  tier: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderPlaced }
    /// service rewards { compute = lambda { runtime = "python3.13" }  consumes OrderPlaced where tier = "gold" }
    /// ```
    FilterNotAnAttribute, code = M413, slug = "filter-not-an-attribute", severity = Error,
}

impl Rule for FilterNotAnAttribute {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let carried = &context.graph.messaging.carried;
        let events_of = |topic: TopicId, named: Option<&[crate::model::EventId]>| -> Vec<&Event> {
            let all = carried
                .get(&Channel::Topic(topic))
                .map_or(&[][..], Vec::as_slice);
            named
                .unwrap_or(all)
                .iter()
                .filter_map(|event| system.event(*event))
                .collect()
        };
        for (index, topic) in system.topics.iter().enumerate() {
            if topic.filter_on.value != FilterScope::Attributes {
                continue;
            }
            let events = events_of(TopicId(index), None);
            let mut seen = Vec::new();
            for subscription in &topic.subscriptions {
                if let Some(filter) = &subscription.filter {
                    if !seen.contains(&filter.span) {
                        seen.push(filter.span);
                        check_filter(topic, filter, &events, out);
                    }
                }
            }
        }
        for service in &system.services {
            for consume in &service.consumes {
                let Some(filter) = &consume.filter else {
                    continue;
                };
                for (topic_id, named) in consumed_from_topics(system, consume) {
                    let Some(topic) = system.topics.get(topic_id.0) else {
                        continue;
                    };
                    if topic.filter_on.value == FilterScope::Attributes {
                        let events = events_of(topic_id, named.as_deref());
                        check_filter(topic, filter, &events, out);
                    }
                }
            }
        }
    }
}

fn check_filter(topic: &Topic, filter: &Filter, events: &[&Event], out: &mut Vec<Diagnostic>) {
    for condition in &filter.conditions {
        if let Some(misfit) = misfit(condition, events) {
            out.push(diagnostic(
                &condition.field.join("."),
                &topic.name.text,
                condition.field_span,
                topic.name.span,
                &misfit,
            ));
        }
    }
}

fn misfit<'a>(condition: &Condition, events: &[&'a Event]) -> Option<Misfit<'a>> {
    if condition.field.len() > 1 {
        return Some(Misfit::Nested);
    }
    let reserved = condition
        .field
        .first()
        .is_some_and(|field| field == EVENT_ATTRIBUTE);
    events.iter().find_map(|event| {
        let ty = declared_type(&event.schema, &condition.field)?;
        if reserved {
            return Some(Misfit::Reserved);
        }
        unattributable(ty).map(|ty| Misfit::Type {
            event: event.name.text.as_str(),
            ty,
        })
    })
}

/// What a field's type is called when no attribute type can hold it.
/// (A condition on an object, or on a list of them, is M403's.)
fn unattributable(ty: &FieldType) -> Option<&'static str> {
    match ty {
        FieldType::Bool => Some("a boolean"),
        FieldType::List(inner) if **inner == FieldType::Bool => Some("a list of booleans"),
        _ => None,
    }
}
