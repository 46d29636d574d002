//! M402 event-never-consumed
use super::End;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{Carrier, EventId, EventSource};

/// `carrier` says what happens to an event nobody receives; `external`
/// that it only comes from outside the system.
pub fn diagnostic(
    event: &str,
    span: Span,
    senders: &[End],
    carrier: Carrier,
    external: bool,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        &EventNeverConsumed::CODE,
        format!("event `{event}` is published but never consumed"),
    )
    .primary(span, "nothing consumes it");
    for sender in senders {
        diagnostic = diagnostic.secondary(sender.span, sender.label.clone());
    }
    let fate = match carrier {
        Carrier::DefaultBus | Carrier::Bus(_) => "EventBridge drops every event no rule matches",
        Carrier::Topic(_) => {
            "SNS bills every message published to the topic and drops it when nothing subscribes"
        }
        Carrier::Stream(_) => "Kinesis keeps the records until they expire, unread",
    };
    let otherwise = if external {
        "remove the event"
    } else {
        "stop publishing it"
    };
    diagnostic
        .help(format!(
            "consume it where it matters (`consumes {event}` in a service, or a `rule` that `matches {event}`), or {otherwise}"
        ))
        .note(fate)
}

declare_rule! {
    /// ## What it does
    /// Reports an event that is published — by a service's `publishes`, or
    /// from outside the system as its text `source` says — but that nothing
    /// receives: no service consumes it or the topic or stream carrying
    /// it, no `rule` matches it, no subscription takes it and no saga
    /// starts on it.
    ///
    /// ## Why is this bad?
    /// Every event costs a request to publish, and is then dropped (a bus or
    /// topic) or left to expire (a stream). Most often the consumer was
    /// forgotten, or consumes a misspelt or renamed event; sometimes the
    /// event is simply dead, and its publisher's code with it.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated }
    /// service inventory { compute = lambda { runtime = "python3.13" }  consumes OrderCreated }
    /// ```
    EventNeverConsumed, code = M402, slug = "event-never-consumed", severity = Warning,
}

impl Rule for EventNeverConsumed {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let traffic = &context.graph.messaging.traffic;
        for (index, event) in system.events.iter().enumerate() {
            let id = EventId(index);
            let senders = traffic.senders(id);
            if senders.is_empty() || !traffic.receivers(id).is_empty() {
                continue;
            }
            let external = event
                .source
                .as_ref()
                .is_some_and(|source| matches!(source.value, EventSource::Text(_)))
                && senders.len() == 1;
            out.push(diagnostic(
                &event.name.text,
                event.name.span,
                senders,
                event.carrier.value,
                external,
            ));
        }
    }
}
