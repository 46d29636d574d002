//! M411 event-received-twice
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{Channel, EventId, ServiceId, System};

/// The events each topic and stream carries (`super::carried`).
type Carried = std::collections::BTreeMap<Channel, Vec<EventId>>;

/// The two ways one event reaches the same code twice.
#[derive(Debug)]
pub enum Twice<'a> {
    /// Two sagas start on every `event`.
    Sagas {
        first: &'a str,
        first_span: Span,
        second: &'a str,
    },
    /// A service consumes `event` and runs a step of a saga it starts.
    ConsumeAndSaga {
        service: &'a str,
        saga: &'a str,
        step_span: Span,
    },
    /// A service consumes `event` by two relations.
    TwoConsumes { service: &'a str, first_span: Span },
}

pub fn diagnostic(event: &str, span: Span, twice: &Twice<'_>) -> Diagnostic {
    match twice {
        Twice::Sagas {
            first,
            first_span,
            second,
        } => Diagnostic::new(
            &EventReceivedTwice::CODE,
            format!("sagas `{first}` and `{second}` both start on every `{event}`"),
        )
        .primary(span, format!("`{second}` starts on every `{event}`"))
        .secondary(*first_span, format!("so does `{first}`"))
        .help(format!(
            "give each trigger a `where` that selects its own events (`trigger = {event} where ...`), or make them one saga"
        ))
        .note("every event starts two executions, each running its steps on the same order"),
        Twice::ConsumeAndSaga {
            service,
            saga,
            step_span,
        } => Diagnostic::new(
            &EventReceivedTwice::CODE,
            format!("`{service}` receives every `{event}` twice: by its `consumes`, and in saga `{saga}`"),
        )
        .primary(span, format!("`{service}` consumes every `{event}`"))
        .secondary(*step_span, format!("and runs this step of `{saga}`, which starts on every `{event}`"))
        .help(format!(
            "add a `where` to the `consumes` or to the saga's trigger so that each event reaches `{service}` once, or let the saga alone handle it"
        ))
        .note("both paths are delivered: the same order is handled twice, once outside the saga's compensation"),
        Twice::TwoConsumes { service, first_span } => Diagnostic::new(
            &EventReceivedTwice::CODE,
            format!("`{service}` consumes `{event}` by two relations"),
        )
        .primary(span, format!("delivers `{event}` to `{service}` again"))
        .secondary(*first_span, "first delivered here")
        .help("keep one of the two, or give each a `where` that selects different events")
        .note("each relation is its own subscription: every event is delivered, and handled, twice"),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports an event that reaches the same work twice, with nothing to
    /// tell the two deliveries apart (no `where` on either):
    ///
    /// - two sagas whose `trigger` is the same event;
    /// - a service that `consumes` the event and also runs a step of a saga
    ///   that starts on it;
    /// - a service that consumes the event by two relations (directly and
    ///   through a queue, or from a bus and from a topic that carries it).
    ///
    /// ## Why is this bad?
    /// EventBridge and SNS deliver an event to every rule or subscription
    /// that matches it. Each delivery is handled: an order is charged
    /// twice, a customer gets two emails, stock is reserved by a saga and
    /// again outside it, where no compensation will release it.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated }
    /// service mailer { compute = lambda { runtime = "python3.13" }  consumes OrderCreated }
    /// queue mail { }
    /// service digest { compute = lambda { runtime = "python3.13" }  consumes OrderCreated  consumes OrderCreated via mail }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated }
    /// service mailer { compute = lambda { runtime = "python3.13" }  consumes OrderCreated }
    /// queue mail { }
    /// service digest { compute = lambda { runtime = "python3.13" }  consumes OrderCreated via mail }
    /// ```
    EventReceivedTwice, code = M411, slug = "event-received-twice", severity = Warning,
}

impl Rule for EventReceivedTwice {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let carried = &context.graph.messaging.carried;
        two_sagas(system, out);
        consume_and_saga(system, carried, out);
        two_consumes(system, carried, out);
    }
}

fn event_name(system: &System, event: EventId) -> &str {
    system
        .event(event)
        .map_or("", |event| event.name.text.as_str())
}

/// Sagas that start on every event of one trigger.
fn two_sagas(system: &System, out: &mut Vec<Diagnostic>) {
    let mut first_of: std::collections::BTreeMap<EventId, (&str, Span)> =
        std::collections::BTreeMap::new();
    for saga in &system.sagas {
        let Some(trigger) = saga.trigger else {
            continue;
        };
        if saga.trigger_filter.is_some() {
            continue;
        }
        match first_of.get(&trigger.value) {
            Some(&(first, first_span)) => out.push(diagnostic(
                event_name(system, trigger.value),
                trigger.span,
                &Twice::Sagas {
                    first,
                    first_span,
                    second: &saga.name.text,
                },
            )),
            None => {
                first_of.insert(trigger.value, (&saga.name.text, trigger.span));
            }
        }
    }
}

/// The events a `consumes` delivers without a filter, each with its span:
/// those it names, and those on the topics and streams it names.
fn unfiltered_events(
    system: &System,
    carried: &Carried,
    service: ServiceId,
) -> Vec<(EventId, Span)> {
    let Some(consumer) = system.service(service) else {
        return Vec::new();
    };
    let mut events = Vec::new();
    for consume in consumer
        .consumes
        .iter()
        .filter(|consume| consume.filter.is_none())
    {
        for source in &consume.sources {
            match source.value {
                Channel::Event(event) => events.push((event, source.span)),
                Channel::Topic(_) | Channel::Stream(_) => events.extend(
                    carried
                        .get(&source.value)
                        .into_iter()
                        .flatten()
                        .map(|&event| (event, source.span)),
                ),
                Channel::Queue(_) => {}
            }
        }
    }
    events
}

/// A service that consumes a saga's trigger and runs one of its steps.
fn consume_and_saga(system: &System, carried: &Carried, out: &mut Vec<Diagnostic>) {
    for saga in &system.sagas {
        let Some(trigger) = saga.trigger else {
            continue;
        };
        if saga.trigger_filter.is_some() {
            continue;
        }
        let mut seen = std::collections::BTreeSet::new();
        for operation in saga.operations() {
            if !seen.insert(operation.service) {
                continue;
            }
            let consumed = unfiltered_events(system, carried, operation.service)
                .into_iter()
                .find(|(event, _)| *event == trigger.value);
            let (Some((_, span)), Some(service)) = (consumed, system.service(operation.service))
            else {
                continue;
            };
            out.push(diagnostic(
                event_name(system, trigger.value),
                span,
                &Twice::ConsumeAndSaga {
                    service: &service.name.text,
                    saga: &saga.name.text,
                    step_span: operation.span,
                },
            ));
        }
    }
}

/// A service that consumes one event by two relations, neither filtered.
fn two_consumes(system: &System, carried: &Carried, out: &mut Vec<Diagnostic>) {
    for (index, service) in system.services.iter().enumerate() {
        let mut first: std::collections::BTreeMap<EventId, Span> =
            std::collections::BTreeMap::new();
        let events = unfiltered_events(system, carried, ServiceId(index));
        for (event, span) in events {
            match first.get(&event) {
                // The same relation naming a topic and one of its events
                // is one subscription.
                Some(&first_span) if !same_relation(service, first_span, span) => {
                    out.push(diagnostic(
                        event_name(system, event),
                        span,
                        &Twice::TwoConsumes {
                            service: &service.name.text,
                            first_span,
                        },
                    ));
                }
                Some(_) => {}
                None => {
                    first.insert(event, span);
                }
            }
        }
    }
}

/// Whether two sources belong to one `consumes`.
fn same_relation(service: &crate::model::Service, a: Span, b: Span) -> bool {
    service.consumes.iter().any(|consume| {
        consume.sources.iter().any(|source| source.span == a)
            && consume.sources.iter().any(|source| source.span == b)
    })
}
