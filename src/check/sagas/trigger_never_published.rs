//! M504 trigger-never-published
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{Channel, EventId, EventSource, System};

/// `span` is the saga's `trigger`, `event_span` the event's name.
/// `source` is the service the event names as its source, with the span of
/// its `source`, when it names one.
pub fn diagnostic(
    saga: &str,
    event: &str,
    span: Span,
    event_span: Span,
    source: Option<(&str, Span)>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &TriggerNeverPublished::CODE,
        format!("saga `{saga}` starts on `{event}`, which no service publishes"),
    )
    .primary(span, "no execution ever starts on this event")
    .note("meshc starts the saga on each of its trigger events: an event nothing publishes never starts it");
    match source {
        Some((service, source_span)) => diagnostic
            .secondary(
                source_span,
                format!("names `{service}` as its source, but `{service}` does not publish it"),
            )
            .help(format!("add `publishes {event}` to service `{service}`")),
        None => diagnostic
            .secondary(event_span, "published by no service, and no `source` outside the system")
            .help(format!(
                "add `publishes {event}` to the service that emits it, or, for an event from outside the system, give it its `source`: `source = \"aws.s3\"`"
            )),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a saga whose `trigger` is an event that no service in the
    /// system publishes and that does not come from outside it: an event
    /// with a text `source` (`source = "aws.s3"`, `source =
    /// "com.example.partner"`) is published by AWS or another system and is
    /// not reported.
    ///
    /// ## Why is this bad?
    /// A saga runs once per trigger event. If nothing publishes the event,
    /// meshc deploys the state machine (or the choreography rules), its
    /// roles and queues, and none of it ever runs: the work the saga was
    /// meant to do is silently not done. Usually a `publishes` is missing
    /// from the service that owns the event, or the trigger names the wrong
    /// event.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" } }
    /// service payment { compute = lambda { runtime = "python3.13" }  operations = [charge, refund] }
    /// saga checkout {
    ///   trigger = OrderPlaced
    ///   step charge { do = payment.charge  undo = payment.refund }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderPlaced }
    /// service payment { compute = lambda { runtime = "python3.13" }  operations = [charge, refund] }
    /// saga checkout {
    ///   trigger = OrderPlaced
    ///   step charge { do = payment.charge  undo = payment.refund }
    /// }
    /// ```
    TriggerNeverPublished, code = M504, slug = "trigger-never-published", severity = Error,
}

impl Rule for TriggerNeverPublished {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for saga in &system.sagas {
            let Some(trigger) = saga.trigger else {
                continue;
            };
            let Some(event) = system.event(trigger.value) else {
                continue;
            };
            if published(system, trigger.value) {
                continue;
            }
            let source = match &event.source {
                Some(source) => match &source.value {
                    EventSource::Text(_) => continue,
                    EventSource::Service(service) => system
                        .service(*service)
                        .map(|service| (service.name.text.as_str(), source.span)),
                },
                None => None,
            };
            out.push(diagnostic(
                &saga.name.text,
                &event.name.text,
                trigger.span,
                event.name.span,
                source,
            ));
        }
    }
}

/// Whether a service of the system publishes the event.
fn published(system: &System, event: EventId) -> bool {
    system.services.iter().any(|service| {
        service
            .publishes
            .iter()
            .any(|publish| publish.target == Channel::Event(event))
    })
}
