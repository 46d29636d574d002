//! M506 trigger-not-on-a-bus
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{Carrier, SagaMode};

/// `span` is the saga's `trigger`. `carrier` is what carries the event, as
/// its keyword and name (`("topic", "orders")`), written at
/// `carrier_span`. `bus` is a bus of the system to suggest, if it declares
/// one.
pub fn diagnostic(
    saga: &str,
    mode: SagaMode,
    event: &str,
    span: Span,
    carrier: (&str, &str),
    carrier_span: Span,
    bus: Option<&str>,
) -> Diagnostic {
    let (keyword, name) = carrier;
    let delivers = if keyword == "stream" {
        format!("Kinesis stream `{name}` delivers to its consumers only")
    } else {
        format!("SNS topic `{name}` delivers to its subscriptions only")
    };
    let carrier = format!("{keyword} = {name}");
    let starter = match mode {
        SagaMode::Orchestrated => "its state machine is deployed, but nothing starts it",
        SagaMode::Choreographed => {
            "the rule of its first step listens on the default bus, where the event never arrives"
        }
    };
    let instead = match bus {
        Some(bus) => {
            format!("replace `{carrier}` with `bus = {bus}`, or remove it for the default bus")
        }
        None => format!(
            "remove `{carrier}` to carry it on the default bus, or name a bus: `bus = NAME`"
        ),
    };
    Diagnostic::new(
        &TriggerNotOnABus::CODE,
        format!("saga `{saga}` cannot start on `{event}`, which travels outside EventBridge"),
    )
    .primary(span, "no EventBridge rule can match this event")
    .secondary(carrier_span, delivers)
    .help(format!("carry `{event}` on an EventBridge bus: {instead}"))
    .note(format!(
        "a saga is started by an EventBridge rule on its trigger's bus: {starter}"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a saga whose `trigger` is an event carried by a `topic` or a
    /// `stream` instead of an EventBridge bus.
    ///
    /// ## Why is this bad?
    /// meshc starts an orchestrated saga with an EventBridge rule on the bus
    /// of its trigger event, and a choreographed one with the rule of its
    /// first step. An event published to an SNS topic or a Kinesis stream
    /// never passes through EventBridge, so no rule can match it: the state
    /// machine is deployed and never runs, or the choreography waits on the
    /// default bus for an event that never arrives there.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// topic orders {}
    /// event OrderPlaced { topic = orders  schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderPlaced }
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
    /// bus commerce {}
    /// event OrderPlaced { bus = commerce  schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderPlaced }
    /// service payment { compute = lambda { runtime = "python3.13" }  operations = [charge, refund] }
    /// saga checkout {
    ///   trigger = OrderPlaced
    ///   step charge { do = payment.charge  undo = payment.refund }
    /// }
    /// ```
    TriggerNotOnABus, code = M506, slug = "trigger-not-on-a-bus", severity = Error,
}

impl Rule for TriggerNotOnABus {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for saga in &system.sagas {
            let Some(trigger) = saga.trigger else {
                continue;
            };
            let Some(event) = system.event(trigger.value) else {
                continue;
            };
            let carrier = match event.carrier.value {
                Carrier::DefaultBus | Carrier::Bus(_) => continue,
                Carrier::Topic(topic) => system
                    .topics
                    .get(topic.0)
                    .map(|topic| ("topic", topic.name.text.as_str())),
                Carrier::Stream(stream) => system
                    .streams
                    .get(stream.0)
                    .map(|stream| ("stream", stream.name.text.as_str())),
            };
            let Some(carrier) = carrier else {
                continue;
            };
            out.push(diagnostic(
                &saga.name.text,
                saga.mode.value,
                &event.name.text,
                trigger.span,
                carrier,
                event.carrier.span,
                system.buses.first().map(|bus| bus.name.text.as_str()),
            ));
        }
    }
}
