//! Monthly traffic, worked out from the `usage { }` blocks of declarations
//! and of their relations: how many messages reach a channel, how often a
//! function is invoked, how many reads and writes a table takes, how much
//! data an API use moves. A declaration's own `usage` wins over what its
//! relations say; relations without `usage` leave the figure partial, and
//! with none at all it is unknown.
//!
//! Input: `System` and `Graph`. Output: [`Tally`]s, in plain units
//! (messages, requests, bytes).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::graph::messaging::SourceMapping;
use crate::graph::network::{ApiReason, ApiUse};
use crate::graph::saga::SagaPlan;
use crate::graph::{Graph, Node, QueueRef};
use crate::model::{
    Call, Carrier, Channel, Consume, DataStore, EventId, Publish, QueueId, Schedule, Service,
    ServiceId, Spanned, System, Usage, Use, Via,
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

/// The relations of a system indexed by what they point at, built once, so
/// that pricing each declaration reads its own relations instead of scanning
/// every service: a system of thousands of services is priced in linear
/// time. Each list keeps declaration order, which the formulas follow.
pub struct Relations<'a> {
    system: &'a System,
    graph: &'a Graph,
    events: BTreeMap<Carrier, Vec<EventId>>,
    publishes: BTreeMap<Channel, Vec<&'a Publish>>,
    /// The consumes through a declared queue (`via` it, or from it).
    consumes: BTreeMap<QueueId, Vec<&'a Consume>>,
    calls: BTreeMap<ServiceId, Vec<(&'a Service, &'a Call)>>,
    uses: BTreeMap<DataStore, Vec<&'a Use>>,
    mappings: BTreeMap<(ServiceId, Node), SourceMapping>,
    plans: Vec<SagaPlan>,
}

impl<'a> Relations<'a> {
    pub fn new(system: &'a System, graph: &'a Graph) -> Relations<'a> {
        let mut relations = Relations {
            system,
            graph,
            events: BTreeMap::new(),
            publishes: BTreeMap::new(),
            consumes: BTreeMap::new(),
            calls: BTreeMap::new(),
            uses: BTreeMap::new(),
            mappings: crate::graph::messaging::source_mappings(system, graph)
                .into_iter()
                .map(|mapping| ((mapping.service, mapping.source), mapping))
                .collect(),
            plans: graph.sagas.clone(),
        };
        for (index, event) in system.events.iter().enumerate() {
            relations
                .events
                .entry(event.carrier.value)
                .or_default()
                .push(EventId(index));
        }
        for service in &system.services {
            for publish in &service.publishes {
                relations
                    .publishes
                    .entry(publish.target)
                    .or_default()
                    .push(publish);
            }
            for consume in &service.consumes {
                let mut queues: Vec<QueueId> = consume
                    .sources
                    .iter()
                    .filter_map(|source| match source.value {
                        Channel::Queue(queue) => Some(queue),
                        _ => None,
                    })
                    .chain(consume.via.map(|via| via.value))
                    .collect();
                queues.sort();
                queues.dedup();
                for queue in queues {
                    relations.consumes.entry(queue).or_default().push(consume);
                }
            }
            for call in &service.calls {
                relations
                    .calls
                    .entry(call.target)
                    .or_default()
                    .push((service, call));
            }
            for usage in &service.uses {
                relations.uses.entry(usage.target).or_default().push(usage);
            }
        }
        relations
    }

    /// The events a carrier carries.
    fn events_on(&self, carrier: Carrier) -> &[EventId] {
        self.events.get(&carrier).map_or(&[], Vec::as_slice)
    }

    fn publishes_to(&self, channel: Channel) -> &[&'a Publish] {
        self.publishes.get(&channel).map_or(&[], Vec::as_slice)
    }

    /// Whether any service publishes to a declared queue or consumes
    /// through it.
    pub fn queue_used(&self, queue: QueueId) -> bool {
        self.publishes.contains_key(&Channel::Queue(queue)) || self.consumes.contains_key(&queue)
    }
}

fn value(field: Option<Spanned<u64>>) -> Option<u64> {
    field.map(|field| field.value)
}

impl Relations<'_> {
    /// The messages published to `channel` by every service.
    fn published(&self, channel: Channel, tally: &mut Tally) {
        for publish in self.publishes_to(channel) {
            tally.add_relation(publish.span, value(publish.usage.messages));
        }
    }

    /// The events of one event: its own usage, or its publishers'.
    fn event_messages(&self, event: EventId, tally: &mut Tally) {
        match self
            .system
            .event(event)
            .and_then(|declared| value(declared.usage.messages))
        {
            Some(messages) => tally.record(Some(messages)),
            None => self.published(Channel::Event(event), tally),
        }
    }

    /// Messages put on a carrier (a bus, topic or stream) a month, and the
    /// direct publishes to `direct` (a topic or stream written to as such).
    pub fn carried(
        &self,
        own: &Usage,
        name: &str,
        carrier: Carrier,
        direct: Option<Channel>,
    ) -> Tally {
        if let Some(messages) = value(own.messages) {
            return Tally::own(messages, name);
        }
        let mut tally = Tally::default();
        for event in self.events_on(carrier) {
            self.event_messages(*event, &mut tally);
        }
        if let Some(channel) = direct {
            self.published(channel, &mut tally);
        }
        tally.named("publish")
    }

    /// Data put on a carrier a month, in bytes.
    pub fn carried_data(&self, own: &Usage, carrier: Carrier) -> Option<u64> {
        if let Some(data) = own.data {
            return Some(data.value.as_bytes());
        }
        let mut tally = Tally::default();
        for event in self.events_on(carrier) {
            if let Some(data) = self.system.event(*event).and_then(|event| event.usage.data) {
                tally.record(Some(data.value.as_bytes()));
                continue;
            }
            for publish in self.publishes_to(Channel::Event(*event)) {
                tally.add_relation(
                    publish.span,
                    publish.usage.data.map(|data| data.value.as_bytes()),
                );
            }
        }
        tally.known()
    }

    /// Messages through a queue a month: the queue's own usage; else what
    /// its consumers declare; else what its publishers declare.
    pub fn queue_messages(&self, queue: QueueRef) -> Tally {
        match queue {
            QueueRef::Declared(id) => {
                let Some(declared) = self.system.queue(id) else {
                    return Tally::default();
                };
                if let Some(messages) = value(declared.usage.messages) {
                    return Tally::own(messages, &format!("queue {}", declared.name.text));
                }
                let mut consumed = Tally::default();
                for consume in self.consumes.get(&id).map_or(&[][..], Vec::as_slice) {
                    consumed.record(value(consume.usage.messages));
                }
                if consumed.declared > 0 {
                    return consumed.named("consume");
                }
                let mut sent = Tally::default();
                self.published(Channel::Queue(id), &mut sent);
                sent.named("publish")
            }
            QueueRef::Inbox(service) => {
                let mut tally = Tally::default();
                if let Some(declared) = self.system.service(service) {
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

    /// Invocations of a Lambda function a month, as (invocations × 1000,
    /// so that batches divide exactly enough; the tally's source). Its own
    /// `usage { requests }` wins; else its consumes (divided by the batch
    /// size of queues and streams), the `invoke` calls to it, the scheduled
    /// rules that target it and the saga steps it runs.
    pub fn invocations(&self, id: ServiceId) -> (Option<super::Decimal>, String) {
        use super::Decimal;
        let Some(service) = self.system.service(id) else {
            return (None, String::new());
        };
        if let Some(requests) = value(service.usage.requests) {
            return (
                Some(Decimal::from_int(requests)),
                format!("the usage of service {}", service.name.text),
            );
        }
        let mut total = Decimal::ZERO;
        let mut parts: Vec<String> = Vec::new();
        let mut missing = 0;
        let incoming = self.graph.edges_to(Node::Service(id));
        for consume in &service.consumes {
            let Some(messages) = value(consume.usage.messages) else {
                missing += 1;
                continue;
            };
            let mapping = incoming
                .iter()
                .find(|(_, edge)| edge.span == consume.span)
                .and_then(|(from, _)| self.mappings.get(&(id, *from)));
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
        for (caller, call) in self.calls.get(&id).map_or(&[][..], Vec::as_slice) {
            if call.via.value != Via::Invoke {
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
        for rule in &self.system.rules {
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
        for plan in &self.plans {
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
            match self.saga_executions(plan.saga).known() {
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

    /// Executions of a saga a month: its own `usage { executions }`, else
    /// the events of its trigger.
    pub fn saga_executions(&self, saga: crate::model::SagaId) -> Tally {
        let Some(declared) = self.system.sagas.get(saga.0) else {
            return Tally::default();
        };
        if let Some(executions) = value(declared.usage.executions) {
            return Tally::own(executions, &format!("saga {}", declared.name.text));
        }
        let mut tally = Tally::default();
        if let Some(trigger) = declared.trigger {
            self.event_messages(trigger.value, &mut tally);
        }
        tally.named("trigger event publish")
    }

    /// Requests a service serves a month: its own `usage { requests }`,
    /// else the calls to it.
    pub fn served_requests(&self, id: ServiceId) -> Tally {
        let Some(service) = self.system.service(id) else {
            return Tally::default();
        };
        if let Some(requests) = value(service.usage.requests) {
            return Tally::own(requests, &format!("service {}", service.name.text));
        }
        self.calls_to(id, |usage| value(usage.requests))
    }

    /// A figure summed over the calls to a service.
    pub fn calls_to(&self, id: ServiceId, figure: impl Fn(&Usage) -> Option<u64>) -> Tally {
        let mut tally = Tally::default();
        for (_, call) in self.calls.get(&id).map_or(&[][..], Vec::as_slice) {
            tally.record(figure(&call.usage));
        }
        tally.named("call")
    }

    /// Reads or writes of a data store a month: its own usage, else its
    /// users'.
    pub fn store_operations(
        &self,
        store: DataStore,
        own: &Usage,
        name: &str,
        figure: impl Fn(&Usage) -> Option<Spanned<u64>>,
    ) -> Tally {
        if let Some(count) = value(figure(own)) {
            return Tally::own(count, name);
        }
        let mut tally = Tally::default();
        for usage in self.uses.get(&store).map_or(&[][..], Vec::as_slice) {
            tally.record(value(figure(&usage.usage)));
        }
        tally.named("use")
    }
}

/// The batch size Lambda uses when none is declared.
fn default_batch(source: Node) -> u64 {
    match source {
        Node::Stream(_) => 100,
        _ => 10,
    }
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
        ApiReason::Table | ApiReason::Objects | ApiReason::Secret | ApiReason::Parameter => service
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
