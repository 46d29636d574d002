//! Building the graph: one node per component (declared or derived), one
//! edge per relation. Derived components are those AWS needs and the user
//! does not write: dead-letter queues, the inbox of a Fargate consumer, the
//! EventBridge rule behind each `consumes` of events on a bus.

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};

use super::{BusRef, Edge, EdgeKind, Node, QueueRef, RuleRef};
use crate::diagnostics::Span;
use crate::model::{
    Access, Carrier, Channel, DataStore, EventId, RuleTarget, Service, ServiceId, SubnetRef,
    SubscriptionTarget, System,
};

struct Builder {
    graph: DiGraph<Node, Edge>,
    nodes: BTreeMap<Node, NodeIndex>,
}

impl Builder {
    fn node(&mut self, node: Node) -> NodeIndex {
        if let Some(&index) = self.nodes.get(&node) {
            return index;
        }
        let index = self.graph.add_node(node);
        self.nodes.insert(node, index);
        index
    }

    fn edge(&mut self, from: Node, to: Node, kind: EdgeKind, span: Span, event: Option<EventId>) {
        let from = self.node(from);
        let to = self.node(to);
        let exists = self
            .graph
            .edges_connecting(from, to)
            .any(|edge| edge.weight().kind == kind && edge.weight().event == event);
        if !exists {
            self.graph.add_edge(from, to, Edge { kind, span, event });
        }
    }
}

/// The node that carries an event.
pub(super) fn carrier_node(carrier: Carrier) -> Node {
    match carrier {
        Carrier::DefaultBus => Node::Bus(BusRef::Default),
        Carrier::Bus(bus) => Node::Bus(BusRef::Declared(bus)),
        Carrier::Topic(topic) => Node::Topic(topic),
        Carrier::Stream(stream) => Node::Stream(stream),
    }
}

/// The bus of an event, if a bus carries it.
pub(super) fn bus_of(carrier: Carrier) -> Option<BusRef> {
    match carrier {
        Carrier::DefaultBus => Some(BusRef::Default),
        Carrier::Bus(bus) => Some(BusRef::Declared(bus)),
        Carrier::Topic(_) | Carrier::Stream(_) => None,
    }
}

pub(super) fn graph(system: &System) -> (DiGraph<Node, Edge>, BTreeMap<Node, NodeIndex>) {
    let mut builder = Builder {
        graph: DiGraph::new(),
        nodes: BTreeMap::new(),
    };
    for (network_index, network) in system.networks.iter().enumerate() {
        for index in 0..network.subnets.len() {
            builder.node(Node::Subnet(SubnetRef {
                network: crate::model::NetworkId(network_index),
                index,
            }));
        }
    }
    for index in 0..system.services.len() {
        builder.node(Node::Service(ServiceId(index)));
    }
    for index in 0..system.tables.len() {
        builder.node(Node::Table(crate::model::TableId(index)));
    }
    for (index, database) in system.databases.iter().enumerate() {
        let node = Node::Database(crate::model::DatabaseId(index));
        builder.node(node);
        if let Some(subnet) = database.subnet {
            builder.edge(
                node,
                Node::Subnet(subnet.value),
                EdgeKind::RunsIn,
                database.name.span,
                None,
            );
        }
    }
    for (index, queue) in system.queues.iter().enumerate() {
        let id = crate::model::QueueId(index);
        let node = Node::Queue(QueueRef::Declared(id));
        builder.node(node);
        if let Some(dead_letter) = &queue.dlq {
            let target = match dead_letter.queue {
                Some(declared) => QueueRef::Declared(declared.value),
                None => QueueRef::DeadLetter(id),
            };
            builder.edge(
                node,
                Node::Queue(target),
                EdgeKind::Route,
                dead_letter.span,
                None,
            );
        }
    }
    for index in 0..system.topics.len() {
        builder.node(Node::Topic(crate::model::TopicId(index)));
    }
    for index in 0..system.streams.len() {
        builder.node(Node::Stream(crate::model::StreamId(index)));
    }
    for index in 0..system.buses.len() {
        builder.node(Node::Bus(BusRef::Declared(crate::model::BusId(index))));
    }
    for (index, service) in system.services.iter().enumerate() {
        add_service(&mut builder, system, ServiceId(index), service);
    }
    for (index, topic) in system.topics.iter().enumerate() {
        let node = Node::Topic(crate::model::TopicId(index));
        for subscription in &topic.subscriptions {
            let (target, kind) = match subscription.target.value {
                SubscriptionTarget::Queue(queue) => {
                    (Node::Queue(QueueRef::Declared(queue)), EdgeKind::Route)
                }
                SubscriptionTarget::Service(service) => (Node::Service(service), EdgeKind::Invoke),
            };
            builder.edge(node, target, kind, subscription.span, None);
        }
    }
    for (index, rule) in system.rules.iter().enumerate() {
        let node = Node::Rule(RuleRef::Declared(crate::model::RuleId(index)));
        builder.node(node);
        let mut buses: Vec<BusRef> = rule
            .matches
            .iter()
            .filter_map(|event| {
                system
                    .event(event.value)
                    .and_then(|event| bus_of(event.carrier.value))
            })
            .collect();
        if rule.schedule.is_some() {
            buses.push(BusRef::Default);
        }
        buses.sort();
        buses.dedup();
        for bus in &buses {
            for event in &rule.matches {
                builder.edge(
                    Node::Bus(*bus),
                    node,
                    EdgeKind::Route,
                    rule.span,
                    Some(event.value),
                );
            }
            if rule.matches.is_empty() {
                builder.edge(Node::Bus(*bus), node, EdgeKind::Route, rule.span, None);
            }
        }
        for target in &rule.targets {
            let (to, kind) = match target.value {
                RuleTarget::Service(service) => (Node::Service(service), EdgeKind::Invoke),
                RuleTarget::Queue(queue) => {
                    (Node::Queue(QueueRef::Declared(queue)), EdgeKind::Route)
                }
                RuleTarget::Topic(topic) => (Node::Topic(topic), EdgeKind::Route),
                RuleTarget::Stream(stream) => (Node::Stream(stream), EdgeKind::Route),
                RuleTarget::Saga(saga) => (Node::Saga(saga), EdgeKind::Invoke),
            };
            builder.edge(node, to, kind, target.span, None);
        }
        let dead_letter = match rule.dlq {
            Some(queue) => Some(QueueRef::Declared(queue.value)),
            None => buses.first().map(|bus| QueueRef::Undelivered(*bus)),
        };
        if let Some(queue) = dead_letter {
            builder.edge(node, Node::Queue(queue), EdgeKind::Route, rule.span, None);
        }
    }
    for (index, saga) in system.sagas.iter().enumerate() {
        let id = crate::model::SagaId(index);
        let node = Node::Saga(id);
        builder.node(node);
        if let Some(trigger) = saga.trigger {
            if let Some(event) = system.event(trigger.value) {
                let rule = Node::Rule(RuleRef::Trigger(id));
                builder.edge(
                    carrier_node(event.carrier.value),
                    rule,
                    EdgeKind::Route,
                    trigger.span,
                    Some(trigger.value),
                );
                builder.edge(
                    rule,
                    node,
                    EdgeKind::Invoke,
                    trigger.span,
                    Some(trigger.value),
                );
                if let Some(bus) = bus_of(event.carrier.value) {
                    builder.edge(
                        rule,
                        Node::Queue(QueueRef::Undelivered(bus)),
                        EdgeKind::Route,
                        trigger.span,
                        None,
                    );
                }
            }
        }
        for step in &saga.steps {
            if let Some(action) = &step.action {
                builder.edge(
                    node,
                    Node::Service(action.service),
                    EdgeKind::Step,
                    action.span,
                    None,
                );
            }
            if let Some(undo) = &step.undo {
                builder.edge(
                    node,
                    Node::Service(undo.service),
                    EdgeKind::Compensate,
                    undo.span,
                    None,
                );
            }
        }
        if let Some(on_failure) = &saga.on_failure {
            builder.edge(
                node,
                Node::Service(on_failure.service),
                EdgeKind::Step,
                on_failure.span,
                None,
            );
        }
    }
    // A Lambda function that AWS invokes asynchronously (rules, topics)
    // sends the events that keep failing to a dead-letter queue.
    let asynchronous: Vec<ServiceId> = builder
        .graph
        .edge_indices()
        .filter_map(|edge| {
            let (from, to) = builder.graph.edge_endpoints(edge)?;
            let kind = builder.graph.edge_weight(edge)?.kind;
            match (
                builder.graph.node_weight(from)?,
                builder.graph.node_weight(to)?,
                kind,
            ) {
                (Node::Rule(_) | Node::Topic(_), Node::Service(service), EdgeKind::Invoke) => {
                    Some(*service)
                }
                _ => None,
            }
        })
        .collect();
    for service in asynchronous {
        if system.service(service).is_some_and(Service::is_lambda) {
            let span = system
                .service(service)
                .map_or(Span::default(), |service| service.name.span);
            builder.edge(
                Node::Service(service),
                Node::Queue(QueueRef::FunctionFailures(service)),
                EdgeKind::Route,
                span,
                None,
            );
        }
    }
    (builder.graph, builder.nodes)
}

fn add_service(builder: &mut Builder, system: &System, id: ServiceId, service: &Service) {
    let node = Node::Service(id);
    if let Some(subnet) = service.subnet {
        builder.edge(
            node,
            Node::Subnet(subnet.value),
            EdgeKind::RunsIn,
            subnet.span,
            None,
        );
    }
    for call in &service.calls {
        builder.edge(
            node,
            Node::Service(call.target),
            EdgeKind::Call {
                via: call.via.value,
            },
            call.span,
            None,
        );
    }
    for publish in &service.publishes {
        let (target, event) = match publish.target {
            Channel::Event(event) => match system.event(event) {
                Some(declared) => (carrier_node(declared.carrier.value), Some(event)),
                None => continue,
            },
            Channel::Queue(queue) => (Node::Queue(QueueRef::Declared(queue)), None),
            Channel::Topic(topic) => (Node::Topic(topic), None),
            Channel::Stream(stream) => (Node::Stream(stream), None),
        };
        builder.edge(node, target, EdgeKind::Publish, publish.span, event);
    }
    for (index, consume) in service.consumes.iter().enumerate() {
        // Where messages wait for the service: its `via` queue, or its inbox
        // for a Fargate service, or nowhere for a Lambda function (AWS
        // invokes it).
        let buffer = match consume.via {
            Some(queue) => Some(QueueRef::Declared(queue.value)),
            None if service.is_lambda() => None,
            None => Some(QueueRef::Inbox(id)),
        };
        for source in &consume.sources {
            match source.value {
                Channel::Event(event_id) => {
                    let Some(event) = system.event(event_id) else {
                        continue;
                    };
                    let from = match bus_of(event.carrier.value) {
                        Some(bus) => {
                            let rule = Node::Rule(RuleRef::Consumer {
                                service: id,
                                index,
                                bus,
                            });
                            builder.edge(
                                Node::Bus(bus),
                                rule,
                                EdgeKind::Route,
                                consume.span,
                                Some(event_id),
                            );
                            builder.edge(
                                rule,
                                Node::Queue(QueueRef::Undelivered(bus)),
                                EdgeKind::Route,
                                consume.span,
                                None,
                            );
                            rule
                        }
                        None => carrier_node(event.carrier.value),
                    };
                    deliver(
                        builder,
                        from,
                        node,
                        buffer,
                        consume.span,
                        Some(event_id),
                        event.carrier.value,
                    );
                }
                Channel::Topic(topic) => {
                    deliver(
                        builder,
                        Node::Topic(topic),
                        node,
                        buffer,
                        consume.span,
                        None,
                        Carrier::Topic(topic),
                    );
                }
                Channel::Queue(queue) => {
                    builder.edge(
                        Node::Queue(QueueRef::Declared(queue)),
                        node,
                        EdgeKind::Consume,
                        consume.span,
                        None,
                    );
                }
                Channel::Stream(stream) => {
                    builder.edge(
                        Node::Stream(stream),
                        node,
                        EdgeKind::Consume,
                        consume.span,
                        None,
                    );
                }
            }
        }
    }
    if service.consumes.iter().any(|consume| consume.via.is_none()) && !service.is_lambda() {
        let inbox_needed = service
            .consumes
            .iter()
            .filter(|consume| consume.via.is_none())
            .any(|consume| {
                consume
                    .sources
                    .iter()
                    .any(|source| matches!(source.value, Channel::Event(_) | Channel::Topic(_)))
            });
        if inbox_needed {
            builder.edge(
                Node::Queue(QueueRef::Inbox(id)),
                Node::Queue(QueueRef::InboxDeadLetter(id)),
                EdgeKind::Route,
                service.name.span,
                None,
            );
        }
    }
    for usage in &service.uses {
        let target = match usage.target {
            DataStore::Table(table) => Node::Table(table),
            DataStore::Database(database) => Node::Database(database),
        };
        if matches!(usage.access.value, Access::Read | Access::ReadWrite) {
            builder.edge(node, target, EdgeKind::Read, usage.span, None);
        }
        if matches!(usage.access.value, Access::Write | Access::ReadWrite) {
            builder.edge(node, target, EdgeKind::Write, usage.span, None);
        }
    }
}

/// Delivers messages from a rule or topic to a service, through a buffer
/// queue when there is one. Streams are read by their consumers directly.
fn deliver(
    builder: &mut Builder,
    from: Node,
    service: Node,
    buffer: Option<QueueRef>,
    span: Span,
    event: Option<EventId>,
    carrier: Carrier,
) {
    if matches!(carrier, Carrier::Stream(_)) {
        builder.edge(from, service, EdgeKind::Consume, span, event);
        return;
    }
    match buffer {
        Some(queue) => {
            builder.edge(from, Node::Queue(queue), EdgeKind::Route, span, event);
            builder.edge(Node::Queue(queue), service, EdgeKind::Consume, span, event);
        }
        None => builder.edge(from, service, EdgeKind::Invoke, span, event),
    }
}
