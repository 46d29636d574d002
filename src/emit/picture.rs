//! Emit, picture: `System` and `Graph` → a picture of the system, as a
//! Mermaid flowchart or a Graphviz DOT digraph (`meshc graph`).
//!
//! A picture translates the graph and decides nothing. Both formats are
//! drawn from one `Picture`: the components as nodes shaped by kind, the
//! relations as labelled edges (parallel edges of one kind between two
//! components merged into one), and each network as a cluster holding a
//! cluster per subnet, with the components that run there.
//!
//! At [`Detail::Components`] the picture shows what the user declared (plus
//! the load balancers and the internet in front of exposed services), and
//! folds away the plumbing meshc derives: a `consumes` appears as one edge
//! from the bus to the consumer rather than bus → rule → inbox → service,
//! the rules of a choreographed saga are drawn as the saga itself, and
//! dead-letter, inbox, command and failure queues are left out. At
//! [`Detail::Everything`] every node of the graph is drawn as it is.
//!
//! Identifiers are made of ASCII letters, digits and `_` (valid in both
//! formats whatever the .mesh names are), prefixed by kind; every label is
//! escaped for its format. The output is deterministic: nodes and clusters
//! come in declaration order, edges in the order of the graph's edges.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::names;
use crate::graph::network::ListenerProtocol;
use crate::graph::{BusRef, EdgeKind, Graph, LoadBalancerRef, Node, QueueRef, RuleRef};
use crate::model::{
    Compute, EventId, Filter, FilterValue, LoadBalancerKind, SagaMode, Scalar, Schedule, ServiceId,
    SubnetRef, System,
};
use crate::vocabulary::CompareOp;

/// How much of the graph a picture shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// The declared components, the load balancers of exposed services and
    /// the internet; derived plumbing folded into the edges it serves.
    #[default]
    Components,
    /// Every node of the graph, derived queues and rules included.
    Everything,
}

/// The system as a Mermaid flowchart (`flowchart LR`), for Markdown
/// renderers such as GitHub's.
pub fn mermaid(system: &System, graph: &Graph, detail: Detail) -> String {
    render(&picture(system, graph, detail), &Mermaid)
}

/// The system as a Graphviz DOT digraph, for `dot -Tsvg`.
pub fn dot(system: &System, graph: &Graph, detail: Detail) -> String {
    render(&picture(system, graph, detail), &Dot)
}

// ---------------------------------------------------------------------------
// The picture, common to both formats.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Fargate,
    Lambda,
    DataStore,
    Queue,
    Topic,
    Bus,
    Stream,
    Rule,
    Saga,
    LoadBalancer,
    Internet,
    Endpoint,
}

#[derive(Debug)]
struct Vertex {
    id: String,
    shape: Shape,
    label: Vec<String>,
    /// Derived by meshc rather than declared.
    derived: bool,
}

#[derive(Debug)]
struct SubnetCluster {
    id: String,
    label: String,
    boxes: Vec<usize>,
}

#[derive(Debug)]
struct NetworkCluster {
    id: String,
    label: Vec<String>,
    subnets: Vec<SubnetCluster>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stroke {
    /// Asynchronous messages, data access, saga steps.
    Solid,
    /// Synchronous calls.
    Thick,
    /// Compensations and dead letters.
    Dashed,
}

#[derive(Debug)]
struct Arrow {
    from: String,
    to: String,
    stroke: Stroke,
    label: Vec<String>,
}

#[derive(Debug)]
struct Picture {
    title: String,
    /// Boxes outside every network, in order.
    loose: Vec<usize>,
    networks: Vec<NetworkCluster>,
    boxes: Vec<Vertex>,
    arrows: Vec<Arrow>,
    has_derived: bool,
}

/// What kind of relation an edge of the picture stands for; parallel edges
/// of one class between two nodes are drawn as one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Call,
    /// Publish, route, consume, invoke: messages on their way.
    Message,
    /// Reads and writes of a data store.
    Data,
    Step,
    Undo,
    DeadLetter,
    /// The internet or a load balancer in front of a service.
    Ingress,
}

/// An edge of the picture while it is being gathered.
#[derive(Debug, Default)]
struct Draft {
    /// The events carried, grouped by the `where` clause that selects them
    /// (`None` for those delivered unfiltered), groups in the order met.
    messages: Vec<(Option<String>, BTreeSet<EventId>)>,
    read: bool,
    write: bool,
    notes: Vec<String>,
}

/// What becomes of a graph node in the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fold {
    /// Drawn as a node.
    Shown,
    /// Not drawn; edges pass through it to what it delivers to.
    PassThrough,
    /// Not drawn; edges into it go to another node instead.
    Into(Node),
    /// Not drawn, nor any edge touching it.
    Hidden,
}

fn fold(system: &System, node: Node, detail: Detail) -> Fold {
    if let Node::Subnet(_) = node {
        return Fold::Hidden;
    }
    if detail == Detail::Everything {
        return Fold::Shown;
    }
    match node {
        Node::Queue(QueueRef::Declared(_))
        | Node::Service(_)
        | Node::Table(_)
        | Node::Database(_)
        | Node::Bucket(_)
        | Node::Secret(_)
        | Node::Parameter(_)
        | Node::Topic(_)
        | Node::Bus(_)
        | Node::Stream(_)
        | Node::Rule(RuleRef::Declared(_))
        | Node::Saga(_)
        | Node::LoadBalancer(_)
        | Node::Internet => Fold::Shown,
        Node::Rule(RuleRef::Consumer { .. } | RuleRef::Trigger(_))
        | Node::Queue(QueueRef::Inbox(_)) => Fold::PassThrough,
        Node::Rule(RuleRef::Choreography { saga, .. }) => {
            if system.sagas.get(saga.0).is_some() {
                Fold::Into(Node::Saga(saga))
            } else {
                Fold::Hidden
            }
        }
        Node::Queue(_) | Node::Endpoint(..) | Node::Subnet(_) => Fold::Hidden,
    }
}

/// Whether a node is drawn only when an edge touches it: the account's
/// default bus (which a scheduled rule alone does not need on the picture).
fn drawn_when_connected(node: Node) -> bool {
    matches!(node, Node::Bus(BusRef::Default))
}

fn is_derived(node: Node) -> bool {
    matches!(
        node,
        Node::Queue(
            QueueRef::DeadLetter(_)
                | QueueRef::Inbox(_)
                | QueueRef::InboxDeadLetter(_)
                | QueueRef::Undelivered(_)
                | QueueRef::FunctionFailures(_)
                | QueueRef::Commands(_)
                | QueueRef::CommandsDeadLetter(_)
                | QueueRef::SagaDeadLetter(_)
                | QueueRef::StreamFailures(_)
        ) | Node::Rule(
            RuleRef::Consumer { .. } | RuleRef::Trigger(_) | RuleRef::Choreography { .. }
        ) | Node::Bus(BusRef::Default)
            | Node::Endpoint(..)
    )
}

/// Gathers the edges of the picture, merging parallel ones.
struct Gather<'a> {
    system: &'a System,
    graph: &'a Graph,
    detail: Detail,
    filters: BTreeMap<crate::diagnostics::Span, &'a Filter>,
    order: Vec<(Node, Node, Class)>,
    drafts: BTreeMap<(Node, Node, Class), Draft>,
}

impl Gather<'_> {
    fn draft(&mut self, from: Node, to: Node, class: Class) -> &mut Draft {
        let key = (from, to, class);
        if !self.drafts.contains_key(&key) {
            self.order.push(key);
        }
        self.drafts.entry(key).or_default()
    }

    /// Follows `edge` (from `hop_from` to `to`) on behalf of the drawn node
    /// `origin`, through nodes the picture passes through.
    fn walk(
        &mut self,
        origin: Node,
        hop_from: Node,
        to: Node,
        edge: &crate::graph::Edge,
        carried: (Option<EventId>, Option<String>),
        depth: usize,
    ) {
        let Some(class) = self.class(hop_from, to, edge.kind) else {
            return;
        };
        let messages = matches!(class, Class::Message);
        let event = carried.0.or(edge.event).filter(|_| messages);
        let filter = carried.1.or_else(|| {
            if messages {
                self.filters
                    .get(&edge.span)
                    .map(|filter| filter_text(filter))
            } else {
                None
            }
        });
        match fold(self.system, to, self.detail) {
            Fold::Shown => self.add(origin, to, class, edge.kind, event, filter),
            Fold::Into(representative) => {
                self.add(origin, representative, class, edge.kind, event, filter);
            }
            Fold::PassThrough if depth < 4 => {
                for (next, next_edge) in self.graph.edges_from(to) {
                    self.walk(
                        origin,
                        to,
                        next,
                        &next_edge,
                        (event, filter.clone()),
                        depth + 1,
                    );
                }
            }
            Fold::PassThrough | Fold::Hidden => {}
        }
    }

    fn add(
        &mut self,
        from: Node,
        to: Node,
        class: Class,
        kind: EdgeKind,
        event: Option<EventId>,
        filter: Option<String>,
    ) {
        if from == to {
            return;
        }
        // What leaves a queue is what went in: the edges into the queue say
        // which events and filters.
        let (event, filter) = if matches!(from, Node::Queue(_)) {
            (None, None)
        } else {
            (event, filter)
        };
        let draft = self.draft(from, to, class);
        if event.is_some() || filter.is_some() {
            let group = draft
                .messages
                .iter()
                .position(|(selected_by, _)| *selected_by == filter)
                .unwrap_or_else(|| {
                    draft.messages.push((filter, BTreeSet::new()));
                    draft.messages.len() - 1
                });
            if let (Some(event), Some((_, events))) = (event, draft.messages.get_mut(group)) {
                events.insert(event);
            }
        }
        match kind {
            EdgeKind::Read => draft.read = true,
            EdgeKind::Write => draft.write = true,
            _ => {}
        }
    }

    /// The class of an edge of the graph, or `None` for an edge the picture
    /// does not draw (where a component runs, requests to AWS APIs).
    fn class(&self, from: Node, to: Node, kind: EdgeKind) -> Option<Class> {
        Some(match kind {
            EdgeKind::Call { .. } => Class::Call,
            EdgeKind::Read | EdgeKind::Write => Class::Data,
            EdgeKind::Step => Class::Step,
            EdgeKind::Compensate => Class::Undo,
            EdgeKind::Route if dead_letter_note(self.system, from, to).is_some() => {
                Class::DeadLetter
            }
            EdgeKind::Publish | EdgeKind::Consume | EdgeKind::Route | EdgeKind::Invoke => {
                Class::Message
            }
            EdgeKind::RunsIn | EdgeKind::Api => return None,
        })
    }
}

/// When a route carries what could not be processed or delivered, what to
/// call it.
fn dead_letter_note(system: &System, from: Node, to: Node) -> Option<&'static str> {
    let Node::Queue(queue) = to else {
        return None;
    };
    match queue {
        QueueRef::DeadLetter(_)
        | QueueRef::InboxDeadLetter(_)
        | QueueRef::CommandsDeadLetter(_) => Some("dead letters"),
        QueueRef::Undelivered(_) => Some("undelivered"),
        QueueRef::FunctionFailures(_) => Some("failed invocations"),
        QueueRef::SagaDeadLetter(_) => Some("failed executions"),
        QueueRef::StreamFailures(_) => Some("records given up on"),
        QueueRef::Inbox(_) | QueueRef::Commands(_) => None,
        QueueRef::Declared(target) => match from {
            Node::Queue(QueueRef::Declared(source)) => system
                .queue(source)
                .and_then(|queue| queue.dlq.as_ref())
                .and_then(|dlq| dlq.queue)
                .filter(|dlq| dlq.value == target)
                .map(|_| "dead letters"),
            Node::Rule(RuleRef::Declared(rule)) => system
                .rules
                .get(rule.0)
                .filter(|rule| rule.dlq.is_some_and(|dlq| dlq.value == target))
                .filter(|rule| {
                    !rule
                        .targets
                        .iter()
                        .any(|declared| declared.value == crate::model::RuleTarget::Queue(target))
                })
                .map(|_| "undelivered"),
            Node::Saga(saga) => system
                .sagas
                .get(saga.0)
                .filter(|saga| saga.dlq.is_some_and(|dlq| dlq.value == target))
                .map(|_| "failed executions"),
            _ => None,
        },
    }
}

/// The `where` clauses of relations, by the span of the relation, so that an
/// edge can find the filter of the `consumes`, subscription or rule it was
/// drawn from.
fn filters_by_span(system: &System) -> BTreeMap<crate::diagnostics::Span, &Filter> {
    let mut filters = BTreeMap::new();
    for service in &system.services {
        for consume in &service.consumes {
            if let Some(filter) = &consume.filter {
                filters.insert(consume.span, filter);
            }
        }
    }
    for topic in &system.topics {
        for subscription in &topic.subscriptions {
            if let Some(filter) = &subscription.filter {
                filters.insert(subscription.span, filter);
            }
        }
    }
    for rule in &system.rules {
        if let Some(filter) = &rule.filter {
            filters.insert(rule.span, filter);
        }
    }
    // The edges that start a saga are drawn from its trigger.
    for saga in &system.sagas {
        if let (Some(trigger), Some(filter)) = (saga.trigger, &saga.trigger_filter) {
            filters.insert(trigger.span, filter);
        }
    }
    filters
}

/// How many values of a list a filter shows before it says how many more
/// there are, and how many conditions.
const SHOWN_VALUES: usize = 3;
const SHOWN_CONDITIONS: usize = 2;
const SHOWN_STRING: usize = 32;

/// A `where` clause, shortened: long lists and strings are cut, with how
/// much was left out.
fn filter_text(filter: &Filter) -> String {
    let mut parts: Vec<String> = filter
        .conditions
        .iter()
        .take(SHOWN_CONDITIONS)
        .map(|condition| {
            let field = condition.field.join(".");
            let value = match &condition.value {
                FilterValue::None => String::new(),
                FilterValue::Scalar(scalar) => format!(" {}", scalar_text(scalar)),
                FilterValue::List(values) => {
                    let mut shown: Vec<String> =
                        values.iter().take(SHOWN_VALUES).map(scalar_text).collect();
                    if values.len() > SHOWN_VALUES {
                        shown.push(format!("+{} more", values.len() - SHOWN_VALUES));
                    }
                    format!(" [{}]", shown.join(", "))
                }
            };
            match condition.op {
                CompareOp::Exists | CompareOp::NotExists => {
                    format!("{field} {}", condition.op.text())
                }
                op => format!("{field} {}{value}", op.text()),
            }
        })
        .collect();
    if filter.conditions.len() > SHOWN_CONDITIONS {
        parts.push(format!(
            "{} more",
            filter.conditions.len() - SHOWN_CONDITIONS
        ));
    }
    format!("where {}", parts.join(" and "))
}

fn scalar_text(scalar: &Scalar) -> String {
    match scalar {
        Scalar::String(text) => {
            if text.chars().count() > SHOWN_STRING {
                let cut: String = text.chars().take(SHOWN_STRING - 1).collect();
                format!("\"{cut}…\"")
            } else {
                format!("\"{text}\"")
            }
        }
        Scalar::Number(number) => number.to_string(),
        Scalar::Bool(flag) => flag.to_string(),
    }
}

fn exposes(system: &System, service: ServiceId, balancer: LoadBalancerRef) -> bool {
    let Some(expose) = system
        .service(service)
        .and_then(|service| service.expose.as_ref())
    else {
        return false;
    };
    match (expose.kind, balancer) {
        (LoadBalancerKind::Alb, LoadBalancerRef::Alb { public, .. }) => public == expose.public,
        (LoadBalancerKind::Nlb, LoadBalancerRef::Nlb(id)) => id == service,
        _ => false,
    }
}

fn picture(system: &System, graph: &Graph, detail: Detail) -> Picture {
    let mut gather = Gather {
        system,
        graph,
        detail,
        filters: filters_by_span(system),
        order: Vec::new(),
        drafts: BTreeMap::new(),
    };

    // Ingress: the internet and the load balancers in front of services.
    for balancer in &graph.network.load_balancers {
        let node = Node::LoadBalancer(balancer.id);
        let targets: Vec<_> = balancer
            .targets
            .iter()
            .filter(|target| {
                detail == Detail::Everything || exposes(system, target.service, balancer.id)
            })
            .collect();
        if targets.is_empty() {
            continue;
        }
        if balancer.public {
            let listeners: Vec<String> = balancer
                .listeners
                .iter()
                .filter(|listener| !listener.redirect_to_https)
                .map(|listener| {
                    let protocol = match listener.protocol {
                        ListenerProtocol::Http => "HTTP",
                        ListenerProtocol::Https => "HTTPS",
                        ListenerProtocol::Tcp => "TCP",
                    };
                    format!("{protocol} {}", listener.port)
                })
                .collect();
            let draft = gather.draft(Node::Internet, node, Class::Ingress);
            draft.notes.push(listeners.join(", "));
        }
        for target in targets {
            let note = match &target.path {
                Some(path) => format!("{path} to {}", target.port),
                None => format!("port {}", target.port),
            };
            let draft = gather.draft(node, Node::Service(target.service), Class::Ingress);
            draft.notes.push(note);
        }
    }

    // The graph's edges, from every drawn node.
    let edges: Vec<(Node, Node, crate::graph::Edge)> = graph
        .edges()
        .map(|(from, to, edge)| (from, to, *edge))
        .collect();
    for (from, to, edge) in &edges {
        if fold(system, *from, detail) != Fold::Shown {
            continue;
        }
        // A scheduled rule hangs off the default bus in AWS; on the picture
        // its schedule is in its label.
        if let (Node::Bus(BusRef::Default), Node::Rule(RuleRef::Declared(rule)), None) =
            (from, to, edge.event)
        {
            if system
                .rules
                .get(rule.0)
                .is_some_and(|rule| rule.schedule.is_some())
            {
                continue;
            }
        }
        gather.walk(*from, *from, *to, edge, (None, None), 0);
    }

    // The nodes: every drawn node of the graph, plus the ingress.
    let mut drawn: BTreeSet<Node> = graph
        .graph
        .node_weights()
        .copied()
        .filter(|node| fold(system, *node, detail) == Fold::Shown)
        .filter(|node| !drawn_when_connected(*node))
        .collect();
    for (from, to, _) in &gather.order {
        drawn.insert(*from);
        drawn.insert(*to);
    }
    let mut ordered: Vec<Node> = Vec::with_capacity(drawn.len());
    if drawn.remove(&Node::Internet) {
        ordered.push(Node::Internet);
    }
    ordered.extend(drawn);

    let mut ids = Ids::default();
    let mut boxes = Vec::new();
    let mut index_of: BTreeMap<Node, usize> = BTreeMap::new();
    for node in &ordered {
        let (base, shape, label) = describe(system, graph, *node);
        index_of.insert(*node, boxes.len());
        boxes.push(Vertex {
            id: ids.allocate(&base),
            shape,
            label,
            derived: is_derived(*node),
        });
    }

    // Where each node runs.
    let mut placed: BTreeMap<SubnetRef, Vec<usize>> = BTreeMap::new();
    let mut loose = Vec::new();
    for node in &ordered {
        let Some(&index) = index_of.get(node) else {
            continue;
        };
        let subnet = match node {
            Node::LoadBalancer(id) => graph
                .network
                .load_balancer(*id)
                .map(|balancer| balancer.subnet),
            _ => graph
                .edges_from(*node)
                .into_iter()
                .find_map(|(other, edge)| match (other, edge.kind) {
                    (Node::Subnet(subnet), EdgeKind::RunsIn) => Some(subnet),
                    _ => None,
                }),
        };
        match subnet {
            Some(subnet) if system.subnet(subnet).is_some() => {
                placed.entry(subnet).or_default().push(index);
            }
            _ => loose.push(index),
        }
    }
    let mut networks = Vec::new();
    for (network_index, network) in system.networks.iter().enumerate() {
        let network_id = crate::model::NetworkId(network_index);
        let mut subnets = Vec::new();
        for (subnet_index, subnet) in network.subnets.iter().enumerate() {
            let key = SubnetRef {
                network: network_id,
                index: subnet_index,
            };
            let Some(members) = placed.remove(&key) else {
                continue;
            };
            subnets.push(SubnetCluster {
                id: ids.allocate(&format!(
                    "subnet_{}_{}",
                    network.name.text, subnet.name.text
                )),
                label: format!("{} ({})", subnet.name.text, subnet.tier.value.as_str()),
                boxes: members,
            });
        }
        if subnets.is_empty() {
            continue;
        }
        networks.push(NetworkCluster {
            id: ids.allocate(&format!("net_{}", network.name.text)),
            label: vec![
                format!("network {}", network.name.text),
                network.cidr.value.to_string(),
            ],
            subnets,
        });
    }
    // A subnet the system does not know cannot hold anything; whatever was
    // placed there is drawn loose.
    loose.extend(placed.into_values().flatten());

    let mut arrows = Vec::new();
    for key in &gather.order {
        let (from, to, class) = *key;
        let (Some(&from_index), Some(&to_index)) = (index_of.get(&from), index_of.get(&to)) else {
            continue;
        };
        let (Some(from_box), Some(to_box)) = (boxes.get(from_index), boxes.get(to_index)) else {
            continue;
        };
        let Some(draft) = gather.drafts.get(key) else {
            continue;
        };
        let (stroke, label) = arrow_label(system, from, to, class, draft);
        arrows.push(Arrow {
            from: from_box.id.clone(),
            to: to_box.id.clone(),
            stroke,
            label,
        });
    }

    let has_derived = boxes.iter().any(|shape| shape.derived);
    Picture {
        title: system.name.text.clone(),
        loose,
        networks,
        boxes,
        arrows,
        has_derived,
    }
}

/// How many event names a line of an edge label holds.
const EVENTS_PER_LINE: usize = 2;

fn arrow_label(
    system: &System,
    from: Node,
    to: Node,
    class: Class,
    draft: &Draft,
) -> (Stroke, Vec<String>) {
    match class {
        Class::Call => {
            let label = match (from, to) {
                (Node::Service(caller), Node::Service(callee)) => system
                    .service(caller)
                    .map(|service| {
                        service
                            .calls
                            .iter()
                            .filter(|call| call.target == callee)
                            .map(|call| {
                                format!("{}, {}", call.via.value.as_str(), call.timeout.value)
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            (Stroke::Thick, label)
        }
        Class::Message => (Stroke::Solid, message_label(system, draft)),
        Class::Data => {
            let access = match (draft.read, draft.write) {
                (true, true) => "read_write",
                (false, true) => "write",
                _ => "read",
            };
            (Stroke::Solid, vec![access.to_string()])
        }
        Class::Step | Class::Undo => (
            if class == Class::Step {
                Stroke::Solid
            } else {
                Stroke::Dashed
            },
            saga_label(system, from, to, class),
        ),
        Class::DeadLetter => (
            Stroke::Dashed,
            dead_letter_note(system, from, to)
                .map(|note| vec![note.to_string()])
                .unwrap_or_default(),
        ),
        Class::Ingress => (Stroke::Solid, draft.notes.clone()),
    }
}

/// The events an edge carries: those delivered unfiltered first, a few to
/// a line, then each filtered group on a line of its own with its `where`
/// clause, so that a filter is never read as applying to events it does not
/// select.
fn message_label(system: &System, draft: &Draft) -> Vec<String> {
    let event_names = |events: &BTreeSet<EventId>| -> Vec<&str> {
        events
            .iter()
            .filter_map(|event| system.event(*event))
            .map(|event| event.name.text.as_str())
            .collect()
    };
    let mut label = Vec::new();
    for (filter, events) in &draft.messages {
        if filter.is_none() {
            label.extend(
                event_names(events)
                    .chunks(EVENTS_PER_LINE)
                    .map(|chunk| chunk.join(", ")),
            );
        }
    }
    for (filter, events) in &draft.messages {
        let Some(filter) = filter else {
            continue;
        };
        let names = event_names(events);
        if names.is_empty() {
            label.push(filter.clone());
        } else {
            label.push(format!("{} {filter}", names.join(", ")));
        }
    }
    label
}

/// The steps of a saga that run on one service: `1 reserve`, `undo release`,
/// `on failure notify_failure`.
fn saga_label(system: &System, from: Node, to: Node, class: Class) -> Vec<String> {
    let (Node::Saga(saga), Node::Service(service)) = (from, to) else {
        return Vec::new();
    };
    let Some(saga) = system.sagas.get(saga.0) else {
        return Vec::new();
    };
    let mut label = Vec::new();
    for (index, step) in saga.steps.iter().enumerate() {
        if class == Class::Step {
            if let Some(action) = step.action.as_ref().filter(|op| op.service == service) {
                let pivot = if step.pivot { " (pivot)" } else { "" };
                label.push(format!("{} {}{pivot}", index + 1, action.operation.text));
            }
        } else if let Some(undo) = step.undo.as_ref().filter(|op| op.service == service) {
            label.push(format!("undo {}", undo.operation.text));
        }
    }
    if class == Class::Step {
        if let Some(on_failure) = saga.on_failure.as_ref().filter(|op| op.service == service) {
            label.push(format!("on failure {}", on_failure.operation.text));
        }
    }
    label
}

/// The name of a declared component, or a stand-in when the index is out of
/// range (which a resolved system never has).
fn declared_name<T>(items: &[T], index: usize, kind: &str, name: fn(&T) -> &str) -> String {
    items
        .get(index)
        .map_or_else(|| format!("{kind}-{index}"), |item| name(item).to_string())
}

/// The base of a node's identifier, its shape and its label lines: its name,
/// then what it is.
fn describe(system: &System, graph: &Graph, node: Node) -> (String, Shape, Vec<String>) {
    let (prefix, shape, name, what): (&str, Shape, String, String) = match node {
        Node::Service(id) => {
            let name = declared_name(&system.services, id.0, "service", |s| &s.name.text);
            match system.service(id).map(|service| &service.compute) {
                Some(Compute::Lambda(_)) => ("svc", Shape::Lambda, name, "Lambda".into()),
                _ => ("svc", Shape::Fargate, name, "Fargate".into()),
            }
        }
        Node::Table(id) => (
            "table",
            Shape::DataStore,
            declared_name(&system.tables, id.0, "table", |t| &t.name.text),
            "DynamoDB".into(),
        ),
        Node::Database(id) => {
            let engine = system
                .databases
                .get(id.0)
                .map_or("", |database| database.engine.value.as_str());
            (
                "db",
                Shape::DataStore,
                names::database(system, id),
                format!("RDS {engine}"),
            )
        }
        Node::Bucket(id) => (
            "bucket",
            Shape::DataStore,
            declared_name(&system.buckets, id.0, "bucket", |b| &b.name.text),
            "S3".into(),
        ),
        Node::Secret(id) => (
            "secret",
            Shape::DataStore,
            declared_name(&system.secrets, id.0, "secret", |s| &s.name.text),
            "Secrets Manager".into(),
        ),
        Node::Parameter(id) => (
            "parameter",
            Shape::DataStore,
            declared_name(&system.parameters, id.0, "parameter", |p| &p.name.text),
            "Parameter Store".into(),
        ),
        Node::Queue(queue) => {
            let fifo = matches!(queue, QueueRef::Declared(id)
                if system.queue(id).is_some_and(|queue| queue.fifo.value));
            let what = if fifo { "SQS FIFO" } else { "SQS" };
            (
                "queue",
                Shape::Queue,
                names::queue(system, queue),
                what.into(),
            )
        }
        Node::Topic(id) => (
            "topic",
            Shape::Topic,
            declared_name(&system.topics, id.0, "topic", |t| &t.name.text),
            "SNS".into(),
        ),
        Node::Bus(bus) => (
            "bus",
            Shape::Bus,
            names::bus_name(system, bus),
            "EventBridge".into(),
        ),
        Node::Stream(id) => (
            "stream",
            Shape::Stream,
            declared_name(&system.streams, id.0, "stream", |s| &s.name.text),
            "Kinesis".into(),
        ),
        Node::Rule(rule) => {
            let schedule = match rule {
                RuleRef::Declared(id) => system
                    .rules
                    .get(id.0)
                    .and_then(|rule| rule.schedule.as_ref()),
                _ => None,
            };
            let what = match schedule.map(|schedule| &schedule.value) {
                Some(Schedule::Rate(every)) => format!("rule, every {every}"),
                Some(Schedule::Cron(cron)) => format!("rule, cron({cron})"),
                None => "rule".to_string(),
            };
            (
                "rule",
                Shape::Rule,
                names::rule(system, graph, rule, None),
                what,
            )
        }
        Node::Saga(id) => {
            let what = match system.sagas.get(id.0).map(|saga| saga.mode.value) {
                Some(SagaMode::Choreographed) => "saga, choreographed",
                _ => "saga, Step Functions",
            };
            ("saga", Shape::Saga, names::saga(system, id), what.into())
        }
        Node::Endpoint(network, api) => (
            "endpoint",
            Shape::Endpoint,
            names::endpoint(system, network, api),
            "VPC endpoint".into(),
        ),
        Node::Subnet(subnet) => (
            "subnet",
            Shape::Endpoint,
            names::subnet(system, subnet),
            "subnet".into(),
        ),
        // A load balancer and the internet are named by what they are.
        Node::LoadBalancer(balancer) => {
            let what = match balancer {
                LoadBalancerRef::Alb { public: true, .. } => "public ALB",
                LoadBalancerRef::Alb { public: false, .. } => "internal ALB",
                LoadBalancerRef::Nlb(_) => "NLB",
            };
            let base = format!("lb_{}", names::load_balancer(system, balancer));
            return (base, Shape::LoadBalancer, vec![what.to_string()]);
        }
        Node::Internet => {
            return (
                "internet".to_string(),
                Shape::Internet,
                vec!["internet".to_string()],
            );
        }
    };
    (format!("{prefix}_{name}"), shape, vec![name, what])
}

/// Identifiers valid in Mermaid and DOT: ASCII letters, digits and `_`,
/// starting with a letter, unique within a picture.
#[derive(Debug, Default)]
struct Ids {
    taken: BTreeSet<String>,
}

impl Ids {
    fn allocate(&mut self, base: &str) -> String {
        let mut id: String = base
            .chars()
            .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
            .collect();
        if !id.starts_with(|ch: char| ch.is_ascii_alphabetic()) {
            id.insert_str(0, "n_");
        }
        let mut candidate = id.clone();
        let mut suffix = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{id}_{suffix}");
            suffix += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

// ---------------------------------------------------------------------------
// Writing a picture: one walk over it, in the syntax of each language.

/// How a language writes each part of a picture.
trait Language {
    fn header(&self, picture: &Picture, out: &mut String);
    /// Opens a cluster: a network (`depth` 1) or a subnet (`depth` 2).
    fn open_cluster(&self, id: &str, label: &[String], depth: usize, out: &mut String);
    fn close_cluster(&self, depth: usize, out: &mut String);
    fn node(&self, vertex: &Vertex) -> String;
    fn arrow(&self, arrow: &Arrow) -> String;
    fn footer(&self, picture: &Picture, out: &mut String);
}

/// Writes `picture` in `language`: the clusters with their nodes, the loose
/// nodes, then the arrows, each on a line of its own.
fn render(picture: &Picture, language: &dyn Language) -> String {
    let mut out = String::new();
    language.header(picture, &mut out);
    let node_line = |out: &mut String, index: usize, depth: usize| {
        if let Some(vertex) = picture.boxes.get(index) {
            let _ = writeln!(out, "{}{}", indent(depth), language.node(vertex));
        }
    };
    for network in &picture.networks {
        language.open_cluster(&network.id, &network.label, 1, &mut out);
        for subnet in &network.subnets {
            language.open_cluster(&subnet.id, std::slice::from_ref(&subnet.label), 2, &mut out);
            for &index in &subnet.boxes {
                node_line(&mut out, index, 3);
            }
            language.close_cluster(2, &mut out);
        }
        language.close_cluster(1, &mut out);
    }
    for &index in &picture.loose {
        node_line(&mut out, index, 1);
    }
    for arrow in &picture.arrows {
        let _ = writeln!(out, "{}{}", indent(1), language.arrow(arrow));
    }
    language.footer(picture, &mut out);
    out
}

fn indent(depth: usize) -> String {
    "    ".repeat(depth)
}

/// `text` with each character that `replacement` names replaced, after
/// control characters are written as escapes (`\u{1b}`).
fn escape(text: &str, replacement: fn(char) -> Option<&'static str>) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in crate::diagnostics::visible(text).chars() {
        match replacement(ch) {
            Some(replaced) => escaped.push_str(replaced),
            None => escaped.push(ch),
        }
    }
    escaped
}

// ---------------------------------------------------------------------------
// Mermaid.

struct Mermaid;

/// Text for a quoted Mermaid string: the characters that end a string, start
/// an entity or a tag, or that Mermaid's pre-processing reads (`:` in lines
/// that mention a style) become entity codes.
fn mermaid_text(text: &str) -> String {
    escape(text, |ch| match ch {
        '#' => Some("#35;"),
        '"' => Some("#quot;"),
        '<' => Some("#lt;"),
        '>' => Some("#gt;"),
        '&' => Some("#amp;"),
        '`' => Some("#96;"),
        ':' => Some("#58;"),
        '\n' => Some("<br>"),
        _ => None,
    })
}

fn mermaid_label(lines: &[String]) -> String {
    lines
        .iter()
        .map(|line| mermaid_text(line))
        .collect::<Vec<_>>()
        .join("<br>")
}

impl Language for Mermaid {
    fn header(&self, _picture: &Picture, out: &mut String) {
        out.push_str("flowchart LR\n");
    }

    fn open_cluster(&self, id: &str, label: &[String], depth: usize, out: &mut String) {
        let _ = writeln!(
            out,
            "{}subgraph {id} [\"{}\"]",
            indent(depth),
            mermaid_label(label)
        );
    }

    fn close_cluster(&self, depth: usize, out: &mut String) {
        let _ = writeln!(out, "{}end", indent(depth));
    }

    fn node(&self, vertex: &Vertex) -> String {
        let label = mermaid_label(&vertex.label);
        let (open, close) = match vertex.shape {
            Shape::Fargate | Shape::Endpoint => ("[", "]"),
            Shape::Lambda => ("(", ")"),
            Shape::DataStore => ("[(", ")]"),
            Shape::Queue => ("[[", "]]"),
            Shape::Topic => (">", "]"),
            Shape::Bus => ("{{", "}}"),
            Shape::Stream => ("[/", "/]"),
            Shape::Rule => ("{", "}"),
            Shape::Saga => ("([", "])"),
            Shape::LoadBalancer => ("[/", "\\]"),
            Shape::Internet => ("((", "))"),
        };
        format!("{}{open}\"{label}\"{close}", vertex.id)
    }

    fn arrow(&self, arrow: &Arrow) -> String {
        let link = match arrow.stroke {
            Stroke::Solid => "-->",
            Stroke::Thick => "==>",
            Stroke::Dashed => "-.->",
        };
        if arrow.label.is_empty() {
            format!("{} {link} {}", arrow.from, arrow.to)
        } else {
            format!(
                "{} {link}|\"{}\"| {}",
                arrow.from,
                mermaid_label(&arrow.label),
                arrow.to
            )
        }
    }

    fn footer(&self, picture: &Picture, out: &mut String) {
        if picture.has_derived {
            out.push_str("    classDef derived stroke-dasharray: 4 4\n");
            let derived: Vec<&str> = picture
                .boxes
                .iter()
                .filter(|vertex| vertex.derived)
                .map(|vertex| vertex.id.as_str())
                .collect();
            let _ = writeln!(out, "    class {} derived", derived.join(","));
        }
    }
}

// ---------------------------------------------------------------------------
// DOT.

struct Dot;

/// Text for a quoted DOT string: `"` and `\` escaped, so that no escape
/// sequence of Graphviz's labels (`\n`, `\l`, `\N`...) comes from a name,
/// and `&` so that no entity does (Graphviz reads HTML entities in every
/// label).
fn dot_text(text: &str) -> String {
    escape(text, |ch| match ch {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        '\n' => Some("\\n"),
        '&' => Some("&amp;"),
        _ => None,
    })
}

/// A quoted DOT string of label lines. Graphviz reads `\"` as an escaped
/// quote even after an escaped backslash, so a label never ends with one.
fn dot_label(lines: &[String]) -> String {
    let mut label = lines
        .iter()
        .map(|line| dot_text(line))
        .collect::<Vec<_>>()
        .join("\\n");
    if label.ends_with('\\') {
        label.push(' ');
    }
    format!("\"{label}\"")
}

impl Language for Dot {
    fn header(&self, picture: &Picture, out: &mut String) {
        let _ = writeln!(
            out,
            "digraph {} {{",
            dot_label(std::slice::from_ref(&picture.title))
        );
        out.push_str("    graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12];\n");
        out.push_str("    node [fontname=\"Helvetica\", fontsize=11];\n");
        out.push_str("    edge [fontname=\"Helvetica\", fontsize=9];\n");
    }

    fn open_cluster(&self, id: &str, label: &[String], depth: usize, out: &mut String) {
        // Networks are drawn as rounded boxes, their subnets dashed.
        let style = if depth == 1 { "rounded" } else { "dashed" };
        let _ = writeln!(out, "{}subgraph cluster_{id} {{", indent(depth));
        let _ = writeln!(
            out,
            "{}label={}; style=\"{style}\";",
            indent(depth + 1),
            dot_label(label)
        );
    }

    fn close_cluster(&self, depth: usize, out: &mut String) {
        let _ = writeln!(out, "{}}}", indent(depth));
    }

    fn node(&self, vertex: &Vertex) -> String {
        let (form, mut style) = match vertex.shape {
            Shape::Fargate | Shape::Endpoint => ("box", Vec::new()),
            Shape::Lambda => ("box", vec!["rounded"]),
            Shape::DataStore => ("cylinder", Vec::new()),
            Shape::Queue => ("component", Vec::new()),
            Shape::Topic => ("cds", Vec::new()),
            Shape::Bus => ("hexagon", Vec::new()),
            Shape::Stream => ("parallelogram", Vec::new()),
            Shape::Rule => ("diamond", Vec::new()),
            Shape::Saga => ("oval", Vec::new()),
            Shape::LoadBalancer => ("invtrapezium", Vec::new()),
            Shape::Internet => ("circle", Vec::new()),
        };
        if vertex.derived {
            style.push("dashed");
        }
        let style = if style.is_empty() {
            String::new()
        } else {
            format!(", style=\"{}\"", style.join(","))
        };
        format!(
            "{} [label={}, shape={form}{style}];",
            vertex.id,
            dot_label(&vertex.label)
        )
    }

    fn arrow(&self, arrow: &Arrow) -> String {
        let mut attributes = Vec::new();
        if !arrow.label.is_empty() {
            attributes.push(format!("label={}", dot_label(&arrow.label)));
        }
        match arrow.stroke {
            Stroke::Solid => {}
            Stroke::Thick => attributes.push("style=bold".to_string()),
            Stroke::Dashed => attributes.push("style=dashed".to_string()),
        }
        if attributes.is_empty() {
            format!("{} -> {};", arrow.from, arrow.to)
        } else {
            format!(
                "{} -> {} [{}];",
                arrow.from,
                arrow.to,
                attributes.join(", ")
            )
        }
    }

    fn footer(&self, _picture: &Picture, out: &mut String) {
        out.push_str("}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_plain_and_unique() {
        let mut ids = Ids::default();
        assert_eq!(ids.allocate("db_payments-db"), "db_payments_db");
        assert_eq!(ids.allocate("db_payments_db"), "db_payments_db_2");
        assert_eq!(ids.allocate("queue_order--inbox"), "queue_order__inbox");
        assert_eq!(ids.allocate("9lives"), "n_9lives");
    }

    #[test]
    fn labels_are_escaped_for_each_format() {
        assert_eq!(
            mermaid_text(r#"a "b" <c> & #d: `e`"#),
            "a #quot;b#quot; #lt;c#gt; #amp; #35;d#58; #96;e#96;"
        );
        assert_eq!(dot_text(r#"a "b" \n"#), r#"a \"b\" \\n"#);
        // A control character is shown as its escape, a line break as one.
        assert_eq!(mermaid_text("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb<br>c");
        assert_eq!(dot_text("a\u{1b}[31mb\nc"), "a\\\\u{1b}[31mb\\nc");
        assert_eq!(
            dot_label(&["ends with \\".to_string()]),
            "\"ends with \\\\ \""
        );
    }
}
