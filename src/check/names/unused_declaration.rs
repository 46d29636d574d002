//! M220 unused-declaration
use std::collections::BTreeSet;

use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::{BusRef, EdgeKind, Node, QueueRef};
use crate::model::{
    BucketId, BusId, Carrier, Channel, DataStore, DatabaseId, EventId, EventSource, ParameterId,
    QueueId, SecretId, StreamId, TableId, TopicId,
};

/// `kind` is the declaration keyword; `help` says how to put it to use;
/// `source` is the service an unused event names as its source.
pub fn diagnostic(
    kind: &str,
    name: &str,
    span: Span,
    help: String,
    source: Option<(&str, Span)>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &UnusedDeclaration::CODE,
        format!("{kind} `{name}` is declared but nothing uses it"),
    )
    .primary(span, "unused")
    .help(help)
    .note("meshc still creates it, and whoever reads the file looks for what it is for");
    match source {
        Some((service, source_span)) => diagnostic.secondary(
            source_span,
            format!("names `{service}` as its source, but `{service}` does not publish it"),
        ),
        None => diagnostic,
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a queue, topic, stream, bus, table, database or event that
    /// nothing in the system uses:
    /// - a queue nobody publishes to, consumes, subscribes to a topic,
    ///   targets with a rule or names as a dead-letter queue;
    /// - a topic or stream with no publisher, no consumer and no event
    ///   travelling on it;
    /// - a bus no event travels on;
    /// - a table or database no service `uses`;
    /// - an event nobody publishes and nothing consumes.
    ///
    /// An event that is only consumed is M401, one that is only published
    /// M402; a topic, stream or bus that carries events is used by them, and
    /// any problem is reported on the events. Each unused thing is reported
    /// once, where it is declared.
    ///
    /// ## Why is this bad?
    /// meshc creates every declared resource, and AWS bills most of them
    /// whether used or not (a database by the hour). An unused declaration
    /// is usually the trace of a relation that was forgotten (`uses`,
    /// `publishes`) or of a rename done on one side only.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// table orders { partition_key = orderId: string }
    /// service order { compute = lambda { runtime = "python3.13" } }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// table orders { partition_key = orderId: string }
    /// service order { compute = lambda { runtime = "python3.13" }  uses orders }
    /// ```
    UnusedDeclaration, code = M220, slug = "unused-declaration", severity = Warning,
}

/// The nodes of the graph that something uses: the target of every flow,
/// the source of every consumption and every topic with a subscriber.
fn used_nodes(context: &Context<'_>) -> BTreeSet<Node> {
    let mut used = BTreeSet::new();
    for (from, to, edge) in context.graph.edges() {
        if edge.kind == EdgeKind::RunsIn {
            continue;
        }
        // What a flow reaches is used, a queue named as a dead-letter queue
        // included; what it leaves only when it is consumed or is a topic
        // delivering to its subscribers (a queue's route to its own
        // dead-letter queue does not make the queue used).
        used.insert(to);
        if edge.kind == EdgeKind::Consume || matches!(from, Node::Topic(_)) {
            used.insert(from);
        }
    }
    used
}

impl Rule for UnusedDeclaration {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let used = used_nodes(context);
        let carried = &context.graph.messaging.carried;
        let traffic = &context.graph.messaging.traffic;
        for (index, event) in system.events.iter().enumerate() {
            let id = EventId(index);
            if !traffic.senders(id).is_empty() || !traffic.receivers(id).is_empty() {
                continue;
            }
            let name = &event.name.text;
            let source = event.source.as_ref().and_then(|source| match source.value {
                EventSource::Service(service) => system
                    .service(service)
                    .map(|service| (service.name.text.as_str(), source.span)),
                EventSource::Text(_) => None,
            });
            let help = match source {
                Some((service, _)) => format!(
                    "add `publishes {name}` to service `{service}` and `consumes {name}` where it matters, or remove the event"
                ),
                None => format!(
                    "publish it (`publishes {name}`) and consume it (`consumes {name}`) in the services it connects, or remove it"
                ),
            };
            out.push(diagnostic("event", name, event.name.span, help, source));
        }
        // The graph has no flow into the dead-letter queue of a saga.
        let saga_dead_letters: BTreeSet<QueueId> = system
            .sagas
            .iter()
            .filter_map(|saga| saga.dlq.map(|dlq| dlq.value))
            .collect();
        for (index, queue) in system.queues.iter().enumerate() {
            let id = QueueId(index);
            if used.contains(&Node::Queue(QueueRef::Declared(id)))
                || saga_dead_letters.contains(&id)
            {
                continue;
            }
            let name = &queue.name.text;
            out.push(diagnostic(
                "queue",
                name,
                queue.name.span,
                format!(
                    "consume it (`consumes {name}`) and send to it (`publishes {name}`, a topic's `subscribe {name}`, a rule's `targets`), or remove it"
                ),
                None,
            ));
        }
        for (index, topic) in system.topics.iter().enumerate() {
            let id = TopicId(index);
            if used.contains(&Node::Topic(id)) || carried.contains_key(&Channel::Topic(id)) {
                continue;
            }
            let name = &topic.name.text;
            out.push(diagnostic(
                "topic",
                name,
                topic.name.span,
                format!(
                    "publish to it (`publishes {name}`, or `topic = {name}` in an event) and subscribe to it (`subscribe QUEUE`), or remove it"
                ),
                None,
            ));
        }
        for (index, stream) in system.streams.iter().enumerate() {
            let id = StreamId(index);
            if used.contains(&Node::Stream(id)) || carried.contains_key(&Channel::Stream(id)) {
                continue;
            }
            let name = &stream.name.text;
            out.push(diagnostic(
                "stream",
                name,
                stream.name.span,
                format!(
                    "publish to it (`publishes {name}`, or `stream = {name}` in an event) and consume it (`consumes {name}`), or remove it"
                ),
                None,
            ));
        }
        let carrying: BTreeSet<BusId> = system
            .events
            .iter()
            .filter_map(|event| match event.carrier.value {
                Carrier::Bus(bus) => Some(bus),
                _ => None,
            })
            .collect();
        for (index, bus) in system.buses.iter().enumerate() {
            let id = BusId(index);
            if carrying.contains(&id) || used.contains(&Node::Bus(BusRef::Declared(id))) {
                continue;
            }
            let name = &bus.name.text;
            out.push(diagnostic(
                "bus",
                name,
                bus.name.span,
                format!("put events on it with `bus = {name}` in their declarations, or remove it"),
                None,
            ));
        }
        for (index, table) in system.tables.iter().enumerate() {
            if used.contains(&Node::Table(TableId(index))) {
                continue;
            }
            let name = &table.name.text;
            out.push(diagnostic(
                "table",
                name,
                table.name.span,
                format!("give the service that needs it `uses {name}`, or remove it"),
                None,
            ));
        }
        let stores = (0..system.databases.len())
            .map(|index| DataStore::Database(DatabaseId(index)))
            .chain((0..system.buckets.len()).map(|index| DataStore::Bucket(BucketId(index))))
            .chain((0..system.secrets.len()).map(|index| DataStore::Secret(SecretId(index))))
            .chain(
                (0..system.parameters.len()).map(|index| DataStore::Parameter(ParameterId(index))),
            );
        for store in stores {
            let Some(declared) = store.name(system) else {
                continue;
            };
            if used.contains(&Node::from(store)) {
                continue;
            }
            let name = &declared.text;
            out.push(diagnostic(
                store.component().kind_name(),
                name,
                declared.span,
                format!("give the service that needs it `uses {name}`, or remove it"),
                None,
            ));
        }
    }
}
