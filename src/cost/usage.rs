//! Monthly traffic, worked out from the `usage { }` blocks of declarations
//! and of their relations: how many messages reach a channel, how often a
//! function is invoked, how many reads and writes a table takes, how much
//! data an API use moves. A declaration's own `usage` wins over what its
//! relations say; relations without `usage` leave the figure partial, and
//! with none at all it is unknown.
//!
//! Input: `System` and `Graph`. Output: [`Tally`]s, in plain units
//! (messages, requests, bytes).

use std::fmt::Write as _;

use crate::graph::network::{ApiReason, ApiUse};
use crate::graph::{Graph, Node, QueueRef};
use crate::model::{
    Carrier, Channel, DataStore, EventId, Schedule, ServiceId, Spanned, System, Usage, Via,
};

/// A sum over the relations that declare a figure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub sum: u64,
    /// How many relations declared the figure.
    pub declared: usize,
    /// How many relations could have and did not.
    pub undeclared: usize,
    /// Where the figure comes from, for the formula: `usage of topic x`,
    /// `2 publishes`.
    pub source: String,
    /// The relations counted: a relation to several targets (`publishes
    /// [A, B] { usage { ... } }`) declares its total once.
    counted: Vec<crate::diagnostics::Span>,
}

impl Tally {
    /// A figure declared on the declaration itself.
    fn own(value: u64, what: &str) -> Tally {
        Tally {
            sum: value,
            declared: 1,
            undeclared: 0,
            source: format!("the usage of {what}"),
            counted: Vec::new(),
        }
    }

    /// Adds the figure of the relation written at `span`, once.
    fn add_relation(&mut self, span: crate::diagnostics::Span, value: Option<u64>) {
        if self.counted.contains(&span) {
            return;
        }
        self.counted.push(span);
        self.record(value);
    }

    fn record(&mut self, value: Option<u64>) {
        match value {
            Some(value) => {
                self.sum = self.sum.saturating_add(value);
                self.declared += 1;
            }
            None => self.undeclared += 1,
        }
    }

    fn named(mut self, relations: &str) -> Tally {
        let plural = if relations.ends_with("sh") {
            format!("{relations}es")
        } else {
            format!("{relations}s")
        };
        self.source = match (self.declared, self.undeclared) {
            (1, 0) => format!("1 {relations}"),
            (declared, 0) => format!("{declared} {plural}"),
            (declared, undeclared) => format!(
                "{declared} of {} {plural}; the others declare no usage",
                declared + undeclared
            ),
        };
        self
    }

    /// The figure, when at least one relation declared it.
    pub fn known(&self) -> Option<u64> {
        (self.declared > 0).then_some(self.sum)
    }
}

fn value(field: Option<Spanned<u64>>) -> Option<u64> {
    field.map(|field| field.value)
}

/// The events a carrier carries.
fn events_on(system: &System, carrier: Carrier) -> Vec<EventId> {
    system
        .events
        .iter()
        .enumerate()
        .filter(|(_, event)| event.carrier.value == carrier)
        .map(|(index, _)| EventId(index))
        .collect()
}

/// The messages published to `channel` by every service.
fn published(system: &System, channel: Channel, tally: &mut Tally) {
    for service in &system.services {
        for publish in &service.publishes {
            if publish.target == channel {
                tally.add_relation(publish.span, value(publish.usage.messages));
            }
        }
    }
}

/// The events of one event: its own usage, or its publishers'.
fn event_messages(system: &System, event: EventId, tally: &mut Tally) {
    match system
        .event(event)
        .and_then(|declared| value(declared.usage.messages))
    {
        Some(messages) => tally.record(Some(messages)),
        None => published(system, Channel::Event(event), tally),
    }
}

/// Messages put on a carrier (a bus, topic or stream) a month, and the
/// direct publishes to `direct` (a topic or stream written to as such).
pub fn carried(
    system: &System,
    own: &Usage,
    name: &str,
    carrier: Carrier,
    direct: Option<Channel>,
) -> Tally {
    if let Some(messages) = value(own.messages) {
        return Tally::own(messages, name);
    }
    let mut tally = Tally::default();
    for event in events_on(system, carrier) {
        event_messages(system, event, &mut tally);
    }
    if let Some(channel) = direct {
        published(system, channel, &mut tally);
    }
    tally.named("publish")
}

/// Data put on a carrier a month, in bytes.
pub fn carried_data(system: &System, own: &Usage, carrier: Carrier) -> Option<u64> {
    if let Some(data) = own.data {
        return Some(data.value.as_bytes());
    }
    let mut tally = Tally::default();
    for event in events_on(system, carrier) {
        if let Some(data) = system.event(event).and_then(|event| event.usage.data) {
            tally.record(Some(data.value.as_bytes()));
            continue;
        }
        for service in &system.services {
            for publish in &service.publishes {
                if publish.target == Channel::Event(event) {
                    tally.add_relation(
                        publish.span,
                        publish.usage.data.map(|data| data.value.as_bytes()),
                    );
                }
            }
        }
    }
    tally.known()
}

/// Messages through a queue a month: the queue's own usage; else what its
/// consumers declare; else what its publishers declare.
pub fn queue_messages(system: &System, queue: QueueRef) -> Tally {
    match queue {
        QueueRef::Declared(id) => {
            let Some(declared) = system.queue(id) else {
                return Tally::default();
            };
            if let Some(messages) = value(declared.usage.messages) {
                return Tally::own(messages, &format!("queue {}", declared.name.text));
            }
            let mut consumed = Tally::default();
            for service in &system.services {
                for consume in &service.consumes {
                    let through = consume.via.is_some_and(|via| via.value == id)
                        || consume
                            .sources
                            .iter()
                            .any(|source| source.value == Channel::Queue(id));
                    if through {
                        consumed.record(value(consume.usage.messages));
                    }
                }
            }
            if consumed.declared > 0 {
                return consumed.named("consume");
            }
            let mut sent = Tally::default();
            published(system, Channel::Queue(id), &mut sent);
            sent.named("publish")
        }
        QueueRef::Inbox(service) => {
            let mut tally = Tally::default();
            if let Some(declared) = system.service(service) {
                for consume in &declared.consumes {
                    let direct = consume.via.is_none()
                        && consume.sources.iter().all(|source| {
                            matches!(source.value, Channel::Event(_) | Channel::Topic(_))
                        });
                    if direct {
                        tally.record(value(consume.usage.messages));
                    }
                }
            }
            tally.named("consume")
        }
        _ => Tally::default(),
    }
}

/// The batch size Lambda uses when none is declared.
fn default_batch(source: Node) -> u64 {
    match source {
        Node::Stream(_) => 100,
        _ => 10,
    }
}

/// Invocations of a Lambda function a month, as (invocations × 1000, so
/// that batches divide exactly enough; the tally's source). Its own
/// `usage { requests }` wins; else its consumes (divided by the batch
/// size of queues and streams), the `invoke` calls to it, the scheduled
/// rules that target it and the saga steps it runs.
pub fn invocations(
    system: &System,
    graph: &Graph,
    id: ServiceId,
) -> (Option<super::Decimal>, String) {
    use super::Decimal;
    let Some(service) = system.service(id) else {
        return (None, String::new());
    };
    if let Some(requests) = value(service.usage.requests) {
        return (
            Some(Decimal::from_int(requests)),
            format!("the usage of service {}", service.name.text),
        );
    }
    let mappings = crate::graph::messaging::source_mappings(system, graph);
    let mut total = Decimal::ZERO;
    let mut parts: Vec<String> = Vec::new();
    let mut missing = 0;
    for consume in &service.consumes {
        let Some(messages) = value(consume.usage.messages) else {
            missing += 1;
            continue;
        };
        let mapping = graph
            .edges_to(Node::Service(id))
            .into_iter()
            .find(|(_, edge)| edge.span == consume.span)
            .and_then(|(from, _)| {
                mappings
                    .iter()
                    .find(|mapping| mapping.service == id && mapping.source == from)
            });
        if let Some(mapping) = mapping {
            let batch = mapping
                .batch_size
                .map_or(default_batch(mapping.source), u64::from)
                .max(1);
            total = total.plus(Decimal::ratio(messages, batch));
            parts.push(format!(
                "{} messages in batches of {batch}",
                Decimal::from_int(messages).grouped(0)
            ));
        } else {
            total = total.plus(Decimal::from_int(messages));
            parts.push(format!("{} events", Decimal::from_int(messages).grouped(0)));
        }
    }
    for caller in &system.services {
        for call in &caller.calls {
            if call.target != id || call.via.value != Via::Invoke {
                continue;
            }
            match value(call.usage.requests) {
                Some(requests) => {
                    total = total.plus(Decimal::from_int(requests));
                    parts.push(format!(
                        "{} calls from {}",
                        Decimal::from_int(requests).grouped(0),
                        caller.name.text
                    ));
                }
                None => missing += 1,
            }
        }
    }
    for rule in &system.rules {
        let targets_it = rule
            .targets
            .iter()
            .any(|target| target.value == crate::model::RuleTarget::Service(id));
        match (
            targets_it,
            rule.schedule.as_ref().map(|schedule| &schedule.value),
        ) {
            (true, Some(Schedule::Rate(every))) => {
                let minutes = every.as_millis() / 60_000;
                if let Some(runs) = (super::HOURS_PER_MONTH * 60).checked_div(minutes) {
                    total = total.plus(Decimal::from_int(runs));
                    parts.push(format!(
                        "{} runs of rule {}",
                        Decimal::from_int(runs).grouped(0),
                        rule.name.text
                    ));
                }
            }
            (true, _) => missing += 1,
            (false, _) => {}
        }
    }
    for plan in crate::graph::saga::plans(system) {
        if plan.mode != crate::model::SagaMode::Orchestrated {
            continue;
        }
        let steps = plan
            .steps
            .iter()
            .filter(|step| step.action.service == id)
            .count() as u64;
        if steps == 0 {
            continue;
        }
        match saga_executions(system, plan.saga).known() {
            Some(executions) => {
                let runs = executions.saturating_mul(steps);
                total = total.plus(Decimal::from_int(runs));
                parts.push(format!("{runs} steps of saga {}", plan.name));
            }
            None => missing += 1,
        }
    }
    if parts.is_empty() {
        return (None, String::new());
    }
    let mut source = parts.join(" + ");
    if missing > 0 {
        let _ = write!(source, "; {missing} more sources declare no usage");
    }
    (Some(total), source)
}

/// Executions of a saga a month: its own `usage { executions }`, else the
/// events of its trigger.
pub fn saga_executions(system: &System, saga: crate::model::SagaId) -> Tally {
    let Some(declared) = system.sagas.get(saga.0) else {
        return Tally::default();
    };
    if let Some(executions) = value(declared.usage.executions) {
        return Tally::own(executions, &format!("saga {}", declared.name.text));
    }
    let mut tally = Tally::default();
    if let Some(trigger) = declared.trigger {
        event_messages(system, trigger.value, &mut tally);
    }
    tally.named("trigger event publish")
}

/// Requests a service serves a month: its own `usage { requests }`, else
/// the calls to it.
pub fn served_requests(system: &System, id: ServiceId) -> Tally {
    let Some(service) = system.service(id) else {
        return Tally::default();
    };
    if let Some(requests) = value(service.usage.requests) {
        return Tally::own(requests, &format!("service {}", service.name.text));
    }
    calls_to(system, id, |usage| value(usage.requests))
}

/// A figure summed over the calls to a service.
pub fn calls_to(system: &System, id: ServiceId, figure: impl Fn(&Usage) -> Option<u64>) -> Tally {
    let mut tally = Tally::default();
    for caller in &system.services {
        for call in &caller.calls {
            if call.target == id {
                tally.record(figure(&call.usage));
            }
        }
    }
    tally.named("call")
}

/// Reads or writes of a data store a month: its own usage, else its users'.
pub fn store_operations(
    system: &System,
    store: DataStore,
    own: &Usage,
    name: &str,
    figure: impl Fn(&Usage) -> Option<Spanned<u64>>,
) -> Tally {
    if let Some(count) = value(figure(own)) {
        return Tally::own(count, name);
    }
    let mut tally = Tally::default();
    for service in &system.services {
        for usage in &service.uses {
            if usage.target == store {
                tally.record(value(figure(&usage.usage)));
            }
        }
    }
    tally.named("use")
}

/// The data an API use moves a month, in bytes, when the relation behind
/// it declares `data` (or, for logs, the service declares `logs`).
pub fn api_use_data(system: &System, api_use: &ApiUse) -> Option<u64> {
    let service = system.service(api_use.service)?;
    let size = match api_use.reason {
        ApiReason::Logs => service.usage.logs,
        ApiReason::Publish => service
            .publishes
            .iter()
            .find(|publish| publish.span == api_use.span)
            .and_then(|publish| publish.usage.data),
        ApiReason::Consume => service
            .consumes
            .iter()
            .find(|consume| consume.span == api_use.span)
            .and_then(|consume| consume.usage.data),
        ApiReason::Table => service
            .uses
            .iter()
            .find(|usage| usage.span == api_use.span)
            .and_then(|usage| usage.usage.data),
        // A service's own `data` is what it moves to the AWS API it lists
        // in `apis`, when it lists one.
        ApiReason::Declared if service.apis.len() == 1 => service.usage.data,
        _ => None,
    };
    size.map(|size| size.value.as_bytes())
}
