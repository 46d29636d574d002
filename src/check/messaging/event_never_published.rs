//! M401 event-never-published
use super::End;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{EventId, EventSource};

/// `source` is the service the event names as its `source`, when it names
/// one, with the span of that setting.
pub fn diagnostic(
    event: &str,
    span: Span,
    receivers: &[End],
    source: Option<(&str, Span)>,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        &EventNeverPublished::CODE,
        format!("event `{event}` is consumed but never published"),
    )
    .primary(span, "no service publishes it");
    for receiver in receivers {
        diagnostic = diagnostic.secondary(receiver.span, receiver.label.clone());
    }
    match source {
        Some((service, source_span)) => diagnostic
            .secondary(
                source_span,
                format!("names `{service}` as its source, but `{service}` does not publish it"),
            )
            .help(format!("add `publishes {event}` to service `{service}`")),
        None => diagnostic.help(format!(
            "add `publishes {event}` to the service that sends it; if it comes from outside the system, say from where: `source = \"com.example.billing\"`"
        )),
    }
    .note("the consumers wait for events that never come, and nothing fails to tell you")
}

declare_rule! {
    /// ## What it does
    /// Reports an event that something receives — a service `consumes` it
    /// (or the topic or stream that carries it), a `rule` `matches` it, a
    /// topic that carries it has subscriptions — while no service
    /// `publishes` it. (A saga whose trigger nobody publishes is M504.)
    ///
    /// An event whose `source` is a text (`source = "aws.s3"`,
    /// `source = "com.example.billing"`) comes from outside the system, and
    /// counts as published. A `source` that names a service of the system
    /// does not: the service also needs `publishes`, which is what grants it
    /// the right to send the event.
    ///
    /// ## Why is this bad?
    /// The consumers, rules and sagas are deployed and wait for events that
    /// never arrive. Usually the `publishes` was forgotten, or the event was
    /// renamed on one side only; either way nothing fails at deploy time or
    /// at run time.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" } }
    /// service inventory { compute = lambda { runtime = "python3.13" }  consumes OrderCreated }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated }
    /// service inventory { compute = lambda { runtime = "python3.13" }  consumes OrderCreated }
    /// ```
    EventNeverPublished, code = M401, slug = "event-never-published", severity = Error,
}

impl Rule for EventNeverPublished {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let traffic = &context.graph.messaging.traffic;
        for (index, event) in system.events.iter().enumerate() {
            let id = EventId(index);
            let receivers = traffic.receivers(id);
            if receivers.is_empty() || !traffic.senders(id).is_empty() {
                continue;
            }
            // A saga trigger nobody publishes is M504's to report.
            let starts_saga = |end: &super::End| {
                system.sagas.iter().any(|saga| {
                    saga.trigger
                        .is_some_and(|trigger| trigger.value == id && trigger.span == end.span)
                })
            };
            let receivers: Vec<super::End> = receivers
                .iter()
                .filter(|end| !starts_saga(end))
                .cloned()
                .collect();
            if receivers.is_empty() {
                continue;
            }
            let source = event.source.as_ref().and_then(|source| match source.value {
                EventSource::Service(service) => system
                    .service(service)
                    .map(|service| (service.name.text.as_str(), source.span)),
                EventSource::Text(_) => None,
            });
            out.push(diagnostic(
                &event.name.text,
                event.name.span,
                &receivers,
                source,
            ));
        }
    }
}
