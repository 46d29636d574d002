//! M507 saga-retriggers-itself
use super::operation_text;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{Channel, ServiceId, System};

/// `trigger` is the saga's `trigger`; `publish` the `publishes` of the
/// event by `service`, which runs `operation` of the saga.
pub fn diagnostic(
    saga: &str,
    event: &str,
    trigger: Span,
    service: &str,
    publish: Span,
    operation: &str,
) -> Diagnostic {
    Diagnostic::new(
        &SagaRetriggersItself::CODE,
        format!("saga `{saga}` may start itself again: `{service}` runs `{operation}` and publishes `{event}`"),
    )
    .primary(trigger, format!("starts on every `{event}`, with no `where`"))
    .secondary(publish, format!("`{service}` publishes `{event}`"))
    .help(format!(
        "match only the events that begin a new {saga}: `trigger = {event} where FIELD = \"VALUE\"`, on a field the saga's own publications set otherwise"
    ))
    .note("each execution that makes its service publish the event again starts another one, and so on: orders processed twice, or without end")
}

declare_rule! {
    /// ## What it does
    /// Reports a saga that starts on every event of its `trigger` while a
    /// service that runs one of its operations publishes that event: the
    /// saga's own work can start it again.
    ///
    /// A `where` on the trigger (`trigger = OrderCreated where status =
    /// "pending"`) keeps the events the saga itself causes out; with one,
    /// nothing is reported.
    ///
    /// ## Why is this bad?
    /// The service that confirms an order republishes `OrderCreated` with
    /// `status = "confirmed"`; a trigger without a filter starts a second
    /// execution on it, which reserves stock and charges the card again,
    /// and its own confirmation starts a third.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string  status: "pending" | "confirmed" } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated  operations = [confirm] }
    /// saga checkout {
    ///   trigger = OrderCreated
    ///   step confirm { do = order.confirm  pivot = true }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string  status: "pending" | "confirmed" } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated  operations = [confirm] }
    /// saga checkout {
    ///   trigger = OrderCreated where status = "pending"
    ///   step confirm { do = order.confirm  pivot = true }
    /// }
    /// ```
    SagaRetriggersItself, code = M507, slug = "saga-retriggers-itself", severity = Warning,
}

impl Rule for SagaRetriggersItself {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for saga in &system.sagas {
            let Some(trigger) = saga.trigger else {
                continue;
            };
            if saga.trigger_filter.is_some() {
                continue;
            }
            let Some(event) = system.event(trigger.value) else {
                continue;
            };
            let found = saga.operations().find_map(|operation| {
                publication(system, operation.service, Channel::Event(trigger.value))
                    .map(|span| (operation, span))
            });
            let Some((operation, publish)) = found else {
                continue;
            };
            let Some(service) = system.service(operation.service) else {
                continue;
            };
            out.push(diagnostic(
                &saga.name.text,
                &event.name.text,
                trigger.span,
                &service.name.text,
                publish,
                &operation_text(system, operation),
            ));
        }
    }
}

/// Where `service` publishes `channel`, if it does.
fn publication(system: &System, service: ServiceId, channel: Channel) -> Option<Span> {
    system
        .service(service)?
        .publishes
        .iter()
        .find(|publish| publish.target == channel)
        .map(|publish| publish.target_span)
}
