//! Building the graph: one node per component (declared or derived), one
//! edge per relation. Derived components are those AWS needs and the user
//! does not write: dead-letter queues, the inbox of a Fargate consumer, the
//! EventBridge rule behind each `consumes` of events on a bus.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::{DiGraph, NodeIndex};

use super::{BusRef, Edge, EdgeKind, Node, QueueRef, RuleRef, saga};
use crate::diagnostics::Span;
use crate::model::{
    Access, Carrier, Channel, EventId, RuleTarget, SagaMode, Service, ServiceId, SubnetRef,
    SubscriptionTarget, System,
};

struct Builder {
    graph: DiGraph<Node, Edge>,
    nodes: BTreeMap<Node, NodeIndex>,
    /// Every edge added, to add each (from, to, kind, event) once without
    /// scanning the edges of a node that has thousands (a bus).
    edges: BTreeSet<(NodeIndex, NodeIndex, EdgeKind, Option<EventId>)>,
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
        if self.edges.insert((from, to, kind, event)) {
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

pub(super) fn graph(
    system: &System,
    sagas: &[saga::SagaPlan],
) -> (DiGraph<Node, Edge>, BTreeMap<Node, NodeIndex>) {
    let mut builder = Builder {
        graph: DiGraph::new(),
        nodes: BTreeMap::new(),
        edges: BTreeSet::new(),
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
            match subscription.target.value {
                SubscriptionTarget::Queue(queue) => builder.edge(
                    node,
                    Node::Queue(QueueRef::Declared(queue)),
                    EdgeKind::Route,
                    subscription.span,
                    None,
                ),
                SubscriptionTarget::Service(service) => {
                    deliver_to_service(&mut builder, system, node, service, subscription.span);
                }
            }
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
                RuleTarget::Service(service) => {
                    deliver_to_service(&mut builder, system, node, service, target.span);
                    continue;
                }
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
        let bus = saga
            .trigger
            .and_then(|trigger| system.event(trigger.value))
            .and_then(|event| bus_of(event.carrier.value));
        let orchestrated = saga.mode.value == SagaMode::Orchestrated;
        if let (Some(trigger), Some(bus), true) = (saga.trigger, bus, orchestrated) {
            let rule = Node::Rule(RuleRef::Trigger(id));
            builder.edge(
                Node::Bus(bus),
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
            builder.edge(
                rule,
                Node::Queue(QueueRef::Undelivered(bus)),
                EdgeKind::Route,
                trigger.span,
                None,
            );
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
    add_saga_plumbing(&mut builder, system, sagas);
    // Every inbox has its dead-letter queue.
    let inboxes: Vec<ServiceId> = builder
        .nodes
        .keys()
        .filter_map(|node| match node {
            Node::Queue(QueueRef::Inbox(service)) => Some(*service),
            _ => None,
        })
        .collect();
    for service in inboxes {
        let span = system
            .service(service)
            .map_or(Span::default(), |service| service.name.span);
        builder.edge(
            Node::Queue(QueueRef::Inbox(service)),
            Node::Queue(QueueRef::InboxDeadLetter(service)),
            EdgeKind::Route,
            span,
            None,
        );
    }
    // A Lambda function that AWS invokes asynchronously (rules, topics)
    // sends the events that keep failing to a dead-letter queue.
    let asynchronous = services_at_edges(&builder, |from, to, kind| match (from, to, kind) {
        (Node::Rule(_) | Node::Topic(_), Node::Service(service), EdgeKind::Invoke) => {
            Some(*service)
        }
        _ => None,
    });
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
    // A Lambda function that consumes a stream reports the batches it gives
    // up on, instead of retrying them until they expire while its shard
    // waits behind them.
    let stream_consumers = services_at_edges(&builder, |from, to, kind| match (from, to, kind) {
        (Node::Stream(_), Node::Service(service), EdgeKind::Consume) => Some(*service),
        _ => None,
    });
    for service in stream_consumers {
        if let Some(declared) = system.service(service).filter(|found| found.is_lambda()) {
            builder.edge(
                Node::Service(service),
                Node::Queue(QueueRef::StreamFailures(service)),
                EdgeKind::Route,
                declared.name.span,
                None,
            );
        }
    }
    (builder.graph, builder.nodes)
}

/// The services that `at` picks from the graph's edges (from, to, kind).
fn services_at_edges(
    builder: &Builder,
    at: impl Fn(&Node, &Node, EdgeKind) -> Option<ServiceId>,
) -> Vec<ServiceId> {
    builder
        .graph
        .edge_indices()
        .filter_map(|edge| {
            let (from, to) = builder.graph.edge_endpoints(edge)?;
            let kind = builder.graph.edge_weight(edge)?.kind;
            at(
                builder.graph.node_weight(from)?,
                builder.graph.node_weight(to)?,
                kind,
            )
        })
        .collect()
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

    for usage in &service.uses {
        let target = Node::from(usage.target);
        if matches!(usage.access.value, Access::Read | Access::ReadWrite) {
            builder.edge(node, target, EdgeKind::Read, usage.span, None);
        }
        if matches!(usage.access.value, Access::Write | Access::ReadWrite) {
            builder.edge(node, target, EdgeKind::Write, usage.span, None);
        }
    }
}

/// What the sagas need besides their steps: the command queues of the
/// Fargate services that run saga operations, the dead-letter queue of each
/// saga, and the rules of the choreographed ones.
fn add_saga_plumbing(builder: &mut Builder, system: &System, sagas: &[saga::SagaPlan]) {
    for service in saga::command_receivers(sagas) {
        let span = system
            .service(service)
            .map_or(Span::default(), |service| service.name.span);
        let commands = Node::Queue(QueueRef::Commands(service));
        builder.edge(
            commands,
            Node::Service(service),
            EdgeKind::Consume,
            span,
            None,
        );
        builder.edge(
            commands,
            Node::Queue(QueueRef::CommandsDeadLetter(service)),
            EdgeKind::Route,
            span,
            None,
        );
    }
    for plan in sagas {
        let Some(saga) = system.sagas.get(plan.saga.0) else {
            continue;
        };
        let node = Node::Saga(plan.saga);
        let target = |invocation: saga::Invocation| match invocation {
            saga::Invocation::Function(service) => (Node::Service(service), EdgeKind::Invoke),
            saga::Invocation::Commands(service) => {
                (Node::Queue(QueueRef::Commands(service)), EdgeKind::Route)
            }
        };
        match plan.mode {
            SagaMode::Orchestrated => {
                for invocation in plan.invocations() {
                    if let (to, EdgeKind::Route) = target(*invocation) {
                        builder.edge(node, to, EdgeKind::Route, saga.name.span, None);
                    }
                }
                builder.edge(
                    node,
                    Node::Queue(plan.dead_letter),
                    EdgeKind::Route,
                    saga.name.span,
                    None,
                );
            }
            SagaMode::Choreographed => {
                let bus = plan
                    .trigger
                    .and_then(|trigger| system.event(trigger))
                    .and_then(|event| bus_of(event.carrier.value))
                    .unwrap_or(BusRef::Default);
                for (index, rule) in plan.choreography.iter().enumerate() {
                    let rule_node = Node::Rule(RuleRef::Choreography {
                        saga: plan.saga,
                        index,
                    });
                    let event = if rule.on_trigger { plan.trigger } else { None };
                    // The rule that starts the saga is drawn from its
                    // trigger (and so shows the trigger's `where`).
                    let span = match (rule.on_trigger, saga.trigger) {
                        (true, Some(trigger)) => trigger.span,
                        _ => saga.name.span,
                    };
                    builder.edge(Node::Bus(bus), rule_node, EdgeKind::Route, span, event);
                    let (to, kind) = match plan.action_of(rule.runs) {
                        Some(action) => target(action.invocation),
                        None => (Node::Queue(plan.dead_letter), EdgeKind::Route),
                    };
                    builder.edge(rule_node, to, kind, saga.name.span, None);
                    builder.edge(
                        rule_node,
                        Node::Queue(QueueRef::Undelivered(bus)),
                        EdgeKind::Route,
                        saga.name.span,
                        None,
                    );
                }
                // Every service that runs an action publishes its outcome.
                for invocation in plan.invocations() {
                    let (saga::Invocation::Function(service) | saga::Invocation::Commands(service)) =
                        *invocation;
                    builder.edge(
                        Node::Service(service),
                        Node::Bus(bus),
                        EdgeKind::Publish,
                        saga.name.span,
                        None,
                    );
                }
            }
        }
    }
}

/// Delivers what a declared rule or subscription sends to a service: a
/// Lambda function is invoked; a Fargate service reads its inbox.
fn deliver_to_service(
    builder: &mut Builder,
    system: &System,
    from: Node,
    service: ServiceId,
    span: Span,
) {
    let node = Node::Service(service);
    if system.service(service).is_some_and(Service::is_lambda) {
        builder.edge(from, node, EdgeKind::Invoke, span, None);
    } else {
        let inbox = Node::Queue(QueueRef::Inbox(service));
        builder.edge(from, inbox, EdgeKind::Route, span, None);
        builder.edge(inbox, node, EdgeKind::Consume, span, None);
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
