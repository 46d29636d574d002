//! Stage 3, graph: `System` → `Graph`, the system as a petgraph graph of
//! components and typed flows, and everything derived from it once for every
//! backend and check to read.
//!
//! Nodes are services, data stores, queues (declared and derived), topics,
//! buses, streams, rules (declared and derived), sagas, VPC endpoints,
//! subnets, load balancers and the internet. Edges are the flows between
//! them: call, publish, consume, route, read, write, invoke, step and
//! compensate, plus where each component runs.
//!
//! From the graph are derived, here and nowhere else:
//! - `network`: the address plan of every subnet, the VPC endpoints, the
//!   load balancers and PrivateLink connections, every network flow (who
//!   must reach whom, on which port, across which subnets), and from the
//!   flows the security groups and NACLs;
//! - `iam`: the grants of every principal (actions on resources);
//! - `saga`: the plan of every saga, its compensations and, for a
//!   choreographed one, its rules;
//! - `alarms`: what the operator is told about, and the topic that tells.
//!
//! A backend translates these; it decides nothing a second backend would
//! have to decide again.

pub mod alarms;
mod build;
pub mod iam;
pub mod messaging;
pub mod network;
pub mod runtime;
pub mod saga;

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::diagnostics::Span;
use crate::model::aws::AwsService;
use crate::model::{
    BucketId, BusId, DataStore, DatabaseId, EventId, NetworkId, ParameterId, QueueId, RuleId,
    SagaId, SecretId, ServiceId, StreamId, SubnetRef, System, TableId, TopicId, Via,
};

/// A queue of the system: declared, or derived by meshc.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QueueRef {
    Declared(QueueId),
    /// The dead-letter queue of a declared queue (unless it names one).
    DeadLetter(QueueId),
    /// The queue through which a Fargate service receives the events it
    /// consumes without a `via` queue: EventBridge and SNS cannot deliver to
    /// a running ECS service.
    Inbox(ServiceId),
    /// The dead-letter queue of an inbox.
    InboxDeadLetter(ServiceId),
    /// Where EventBridge puts events it could not deliver to a target of a
    /// bus's rules.
    Undelivered(BusRef),
    /// Where Lambda puts the events of a function's asynchronous
    /// invocations that keep failing.
    FunctionFailures(ServiceId),
    /// Where a Fargate service receives the saga operations it runs.
    Commands(ServiceId),
    /// The dead-letter queue of a command queue.
    CommandsDeadLetter(ServiceId),
    /// Where a saga leaves the state of an execution it could not finish
    /// cleanly (unless the saga names a `dlq`).
    SagaDeadLetter(SagaId),
    /// Where Lambda reports the batches of stream records a function gave
    /// up on (after its retries, or once they are too old), so that they
    /// can be read again from the stream while it still holds them.
    StreamFailures(ServiceId),
}

/// An EventBridge bus: a declared one, or the account's default bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BusRef {
    Default,
    Declared(BusId),
}

/// An EventBridge rule: declared, or derived from a `consumes` of events
/// carried by a bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleRef {
    Declared(RuleId),
    /// The rule delivering the events of one bus to `consumes` number
    /// `index` of a service.
    Consumer {
        service: ServiceId,
        index: usize,
        bus: BusRef,
    },
    /// The rule starting a saga on its trigger event.
    Trigger(SagaId),
    /// Rule number `index` of a choreographed saga: it runs one step, undo
    /// or failure handler on the outcome events of the others.
    Choreography {
        saga: SagaId,
        index: usize,
    },
}

/// A load balancer meshc creates in a network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LoadBalancerRef {
    /// The Application Load Balancer shared by the services exposed with
    /// `alb`, internet-facing or internal.
    Alb { network: NetworkId, public: bool },
    /// The Network Load Balancer of a service exposed with `nlb`, or
    /// offered over PrivateLink.
    Nlb(ServiceId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    Service(ServiceId),
    Table(TableId),
    Database(DatabaseId),
    Bucket(BucketId),
    Secret(SecretId),
    Parameter(ParameterId),
    Queue(QueueRef),
    Topic(TopicId),
    Bus(BusRef),
    Stream(StreamId),
    Rule(RuleRef),
    Saga(SagaId),
    Endpoint(NetworkId, AwsService),
    Subnet(SubnetRef),
    LoadBalancer(LoadBalancerRef),
    Internet,
}

impl From<DataStore> for Node {
    fn from(store: DataStore) -> Node {
        match store {
            DataStore::Table(id) => Node::Table(id),
            DataStore::Database(id) => Node::Database(id),
            DataStore::Bucket(id) => Node::Bucket(id),
            DataStore::Secret(id) => Node::Secret(id),
            DataStore::Parameter(id) => Node::Parameter(id),
        }
    }
}

/// What an edge stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// A synchronous request.
    Call { via: Via },
    /// Messages sent to a channel.
    Publish,
    /// Messages taken from a channel.
    Consume,
    /// Messages moved between channels by AWS: a rule or subscription.
    Route,
    /// Reads of a data store.
    Read,
    /// Writes to a data store.
    Write,
    /// A function or state machine started by AWS.
    Invoke,
    /// A saga step's action.
    Step,
    /// A saga step's undo.
    Compensate,
    /// Where a component runs.
    RunsIn,
    /// Requests to an AWS API, through an endpoint.
    Api,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub kind: EdgeKind,
    /// Where the relation is written in the source.
    pub span: Span,
    /// The event carried, when the edge carries one.
    pub event: Option<EventId>,
}

/// The system graph and what is derived from it.
#[derive(Debug)]
pub struct Graph {
    pub graph: DiGraph<Node, Edge>,
    nodes: BTreeMap<Node, NodeIndex>,
    /// The plan of every saga, in declaration order (so indexed by
    /// `SagaId`).
    pub sagas: Vec<saga::SagaPlan>,
    pub messaging: messaging::Plan,
    pub network: network::Plan,
    pub alarms: alarms::Plan,
    pub iam: iam::Plan,
}

impl Graph {
    /// The plan of a saga.
    pub fn saga(&self, id: SagaId) -> Option<&saga::SagaPlan> {
        self.sagas.get(id.0).filter(|plan| plan.saga == id)
    }

    /// The sagas that run as a Step Functions state machine: the
    /// orchestrated ones with steps.
    pub fn state_machines(&self) -> impl Iterator<Item = &saga::SagaPlan> {
        self.sagas.iter().filter(|plan| {
            plan.mode == crate::model::SagaMode::Orchestrated && !plan.steps.is_empty()
        })
    }

    /// The index of a node, if the system has it.
    pub fn node(&self, node: Node) -> Option<NodeIndex> {
        self.nodes.get(&node).copied()
    }

    /// Every edge as (from, to, edge), in insertion order.
    pub fn edges(&self) -> impl Iterator<Item = (Node, Node, &Edge)> {
        self.graph.edge_indices().filter_map(|edge| {
            let (from, to) = self.graph.edge_endpoints(edge)?;
            Some((
                *self.graph.node_weight(from)?,
                *self.graph.node_weight(to)?,
                self.graph.edge_weight(edge)?,
            ))
        })
    }

    /// The edges leaving `node`, in insertion order.
    pub fn edges_from(&self, node: Node) -> Vec<(Node, Edge)> {
        self.adjacent(node, petgraph::Direction::Outgoing)
    }

    /// The edges arriving at `node`, in insertion order.
    pub fn edges_to(&self, node: Node) -> Vec<(Node, Edge)> {
        self.adjacent(node, petgraph::Direction::Incoming)
    }

    fn adjacent(&self, node: Node, direction: petgraph::Direction) -> Vec<(Node, Edge)> {
        use petgraph::visit::EdgeRef as _;
        let Some(index) = self.node(node) else {
            return Vec::new();
        };
        let mut edges: Vec<(petgraph::graph::EdgeIndex, Node, Edge)> = self
            .graph
            .edges_directed(index, direction)
            .filter_map(|edge| {
                let other = match direction {
                    petgraph::Direction::Outgoing => edge.target(),
                    petgraph::Direction::Incoming => edge.source(),
                };
                Some((edge.id(), *self.graph.node_weight(other)?, *edge.weight()))
            })
            .collect();
        // petgraph lists a node's edges newest first.
        edges.sort_by_key(|(id, _, _)| *id);
        edges
            .into_iter()
            .map(|(_, other, edge)| (other, edge))
            .collect()
    }
}

/// Builds the graph of a resolved system and derives its saga, network and
/// IAM plans.
pub fn build(system: &System) -> Graph {
    let sagas = saga::plans(system);
    let (graph, nodes) = build::graph(system, &sagas);
    let mut result = Graph {
        graph,
        nodes,
        sagas,
        messaging: messaging::Plan::default(),
        network: network::Plan::default(),
        alarms: alarms::Plan::default(),
        iam: iam::Plan::default(),
    };
    result.messaging = messaging::plan(system, &result);
    result.network = network::plan(system, &result);
    result.alarms = alarms::plan(system, &result);
    result.iam = iam::plan(system, &result);
    shrink(&mut result);
    result
}

/// Gives back the room the plans' longest vectors grew into, which the
/// checks and the backends would otherwise carry to the end.
fn shrink(graph: &mut Graph) {
    graph.network.flows.shrink_to_fit();
    for group in &mut graph.network.security_groups {
        group.ingress.shrink_to_fit();
        group.egress.shrink_to_fit();
    }
    graph.network.security_groups.shrink_to_fit();
    graph.alarms.alarms.shrink_to_fit();
    graph.iam.roles.shrink_to_fit();
    graph.iam.permissions.shrink_to_fit();
}
