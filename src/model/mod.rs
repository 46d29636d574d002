//! Stage 2, model: AST → `System`, the one resolved value that every later
//! stage reads.
//!
//! Resolving a file means: every name refers to a declaration of the right
//! kind (or a did-you-mean diagnostic says which one was meant); every value
//! has its unit normalised (durations to milliseconds, sizes to bytes, CIDR
//! blocks to networks); every value is within what AWS accepts; and every
//! setting left out gets its secure default (`defaults.rs`).
//!
//! References between declarations are typed indexes (`ServiceId`,
//! `QueueId`, ...) into the vectors of `System`. When a file has errors the
//! model still holds one entry per declaration — with placeholders where a
//! value was wrong — so that every error is reported in one run; such a
//! `System` is never handed to the later stages.

pub mod aws;
pub mod aws_names;
pub mod aws_quotas;
pub mod defaults;
mod reader;
mod resolve;
pub mod units;
mod values;

use std::collections::{BTreeMap, BTreeSet};

pub use units::{Cidr, Duration, Money, PortRange, Size};

use crate::diagnostics::{Diagnostic, Span};
use crate::syntax::ast;
use crate::vocabulary::{CompareOp, Direction, Protocol, RuleAction};

/// Resolves a parsed file into a `System`, pushing every M2xx diagnostic.
pub fn resolve(file: &ast::File, diagnostics: &mut Vec<Diagnostic>) -> System {
    resolve::resolve(file, diagnostics)
}

/// A value with the span it was written at (or, for a default, the span of
/// the declaration that received it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

/// A doc comment as one paragraph: its lines joined by spaces.
pub fn prose(doc: &[String]) -> Option<String> {
    let text = doc
        .iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!text.is_empty()).then_some(text)
}

/// A declared name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

macro_rules! define_ids {
    ($($(#[$meta:meta])* $id:ident),* $(,)?) => {
        $(
            $(#[$meta])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
            pub struct $id(pub usize);
        )*
    };
}

define_ids! {
    /// An index into `System::networks`.
    NetworkId,
    /// An index into `System::services`.
    ServiceId,
    /// An index into `System::events`.
    EventId,
    /// An index into `System::buses`.
    BusId,
    /// An index into `System::rules`.
    RuleId,
    /// An index into `System::queues`.
    QueueId,
    /// An index into `System::topics`.
    TopicId,
    /// An index into `System::streams`.
    StreamId,
    /// An index into `System::tables`.
    TableId,
    /// An index into `System::databases`.
    DatabaseId,
    /// An index into `System::buckets`.
    BucketId,
    /// An index into `System::secrets`.
    SecretId,
    /// An index into `System::parameters`.
    ParameterId,
    /// An index into `System::sagas`.
    SagaId,
}

/// Any named top-level declaration that other declarations can refer to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ComponentId {
    Network(NetworkId),
    Service(ServiceId),
    Event(EventId),
    Bus(BusId),
    Rule(RuleId),
    Queue(QueueId),
    Topic(TopicId),
    Stream(StreamId),
    Table(TableId),
    Database(DatabaseId),
    Bucket(BucketId),
    Secret(SecretId),
    Parameter(ParameterId),
    Saga(SagaId),
}

impl ComponentId {
    /// The declaration keyword of the component's kind.
    pub fn kind_name(self) -> &'static str {
        match self {
            ComponentId::Network(_) => "network",
            ComponentId::Service(_) => "service",
            ComponentId::Event(_) => "event",
            ComponentId::Bus(_) => "bus",
            ComponentId::Rule(_) => "rule",
            ComponentId::Queue(_) => "queue",
            ComponentId::Topic(_) => "topic",
            ComponentId::Stream(_) => "stream",
            ComponentId::Table(_) => "table",
            ComponentId::Database(_) => "database",
            ComponentId::Bucket(_) => "bucket",
            ComponentId::Secret(_) => "secret",
            ComponentId::Parameter(_) => "parameter",
            ComponentId::Saga(_) => "saga",
        }
    }

    /// Its index among the components of its kind.
    pub fn index(self) -> usize {
        match self {
            ComponentId::Network(NetworkId(index))
            | ComponentId::Service(ServiceId(index))
            | ComponentId::Event(EventId(index))
            | ComponentId::Bus(BusId(index))
            | ComponentId::Rule(RuleId(index))
            | ComponentId::Queue(QueueId(index))
            | ComponentId::Topic(TopicId(index))
            | ComponentId::Stream(StreamId(index))
            | ComponentId::Table(TableId(index))
            | ComponentId::Database(DatabaseId(index))
            | ComponentId::Bucket(BucketId(index))
            | ComponentId::Secret(SecretId(index))
            | ComponentId::Parameter(ParameterId(index))
            | ComponentId::Saga(SagaId(index)) => index,
        }
    }
}

/// A subnet group: one subnet of this name per availability zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubnetRef {
    pub network: NetworkId,
    pub index: usize,
}

/// The whole resolved system.
#[derive(Clone, Debug, PartialEq)]
pub struct System {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub region: Spanned<String>,
    pub budget: Option<Spanned<Money>>,
    pub tags: BTreeMap<String, String>,
    pub networks: Vec<Network>,
    pub services: Vec<Service>,
    pub events: Vec<Event>,
    pub buses: Vec<Bus>,
    pub rules: Vec<EventRule>,
    pub queues: Vec<Queue>,
    pub topics: Vec<Topic>,
    pub streams: Vec<Stream>,
    pub tables: Vec<Table>,
    pub databases: Vec<Database>,
    pub buckets: Vec<Bucket>,
    pub secrets: Vec<Secret>,
    pub parameters: Vec<Parameter>,
    pub sagas: Vec<Saga>,
    pub firewalls: Vec<Firewall>,
    pub nacls: Vec<Nacl>,
    pub usage: Usage,
}

impl System {
    /// The queues that serve as dead-letter queues: named by a queue's
    /// `dlq`, by a rule or by a saga.
    pub fn dead_letter_queues(&self) -> BTreeSet<QueueId> {
        let queues = self
            .queues
            .iter()
            .filter_map(|queue| queue.dlq.as_ref()?.queue.map(|named| named.value));
        let rules = self
            .rules
            .iter()
            .filter_map(|rule| rule.dlq.map(|queue| queue.value));
        let sagas = self
            .sagas
            .iter()
            .filter_map(|saga| saga.dlq.map(|queue| queue.value));
        queues.chain(rules).chain(sagas).collect()
    }

    pub fn network(&self, id: NetworkId) -> Option<&Network> {
        self.networks.get(id.0)
    }

    pub fn subnet(&self, subnet: SubnetRef) -> Option<&Subnet> {
        self.networks
            .get(subnet.network.0)?
            .subnets
            .get(subnet.index)
    }

    pub fn service(&self, id: ServiceId) -> Option<&Service> {
        self.services.get(id.0)
    }

    pub fn event(&self, id: EventId) -> Option<&Event> {
        self.events.get(id.0)
    }

    pub fn queue(&self, id: QueueId) -> Option<&Queue> {
        self.queues.get(id.0)
    }

    /// The declared name of a component.
    pub fn component_name(&self, id: ComponentId) -> Option<&Name> {
        Some(match id {
            ComponentId::Network(id) => &self.networks.get(id.0)?.name,
            ComponentId::Service(id) => &self.services.get(id.0)?.name,
            ComponentId::Event(id) => &self.events.get(id.0)?.name,
            ComponentId::Bus(id) => &self.buses.get(id.0)?.name,
            ComponentId::Rule(id) => &self.rules.get(id.0)?.name,
            ComponentId::Queue(id) => &self.queues.get(id.0)?.name,
            ComponentId::Topic(id) => &self.topics.get(id.0)?.name,
            ComponentId::Stream(id) => &self.streams.get(id.0)?.name,
            ComponentId::Table(id) => &self.tables.get(id.0)?.name,
            ComponentId::Database(id) => &self.databases.get(id.0)?.name,
            ComponentId::Bucket(id) => &self.buckets.get(id.0)?.name,
            ComponentId::Secret(id) => &self.secrets.get(id.0)?.name,
            ComponentId::Parameter(id) => &self.parameters.get(id.0)?.name,
            ComponentId::Saga(id) => &self.sagas.get(id.0)?.name,
        })
    }
}

// ---------------------------------------------------------------------------
// Network.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// Routes to an internet gateway: load balancers and NAT gateways only.
    Public,
    /// No inbound route from the internet; egress through NAT if the network
    /// has one.
    Private,
    /// No route out of the VPC at all: data stores.
    Isolated,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Public, Tier::Private, Tier::Isolated];

    /// The tier a `tier = ...` value names.
    pub fn named(text: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|tier| tier.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Public => "public",
            Tier::Private => "private",
            Tier::Isolated => "isolated",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatMode {
    /// No NAT gateway: private subnets reach AWS only through endpoints.
    None,
    /// One NAT gateway shared by every zone (cheaper; a zone outage cuts
    /// egress for the others).
    Single,
    /// One NAT gateway per zone.
    PerZone,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub cidr: Spanned<Cidr>,
    pub zones: Spanned<u8>,
    pub nat: Spanned<NatMode>,
    pub flow_logs: Spanned<bool>,
    /// VPC endpoints the user asked for (the graph stage adds the ones the
    /// system needs).
    pub endpoints: Vec<Spanned<aws::AwsService>>,
    pub subnets: Vec<Subnet>,
    pub usage: Usage,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Subnet {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub tier: Spanned<Tier>,
    /// Explicit CIDR blocks, one per zone; empty when meshc carves them.
    pub cidrs: Vec<Spanned<Cidr>>,
    /// Prefix length of each zone's subnet when meshc carves them.
    pub prefix: Option<Spanned<u8>>,
}

// ---------------------------------------------------------------------------
// Services.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Architecture {
    X86_64,
    Arm64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Compute {
    Fargate(Fargate),
    Lambda(Lambda),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fargate {
    /// vCPU in thousandths (`0.25` is 250).
    pub millicpu: Spanned<u32>,
    pub memory: Spanned<Size>,
    pub replicas: Spanned<u32>,
    pub architecture: Architecture,
    /// The container image; a Terraform variable when absent.
    pub image: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lambda {
    pub runtime: Spanned<String>,
    pub memory: Spanned<Size>,
    pub timeout: Spanned<Duration>,
    pub architecture: Architecture,
    pub handler: Option<String>,
    pub reserved_concurrency: Option<Spanned<u32>>,
    pub ephemeral_storage: Option<Spanned<Size>>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadBalancerKind {
    Alb,
    Nlb,
}

/// How a service is reached from outside the system.
#[derive(Clone, Debug, PartialEq)]
pub struct Expose {
    pub kind: LoadBalancerKind,
    /// Internet-facing (in the public tier) or internal.
    pub public: bool,
    /// ALB path pattern, `/orders/*`.
    pub path: Option<String>,
    /// ARN of the ACM certificate for HTTPS.
    pub certificate: Option<String>,
    /// Health check path.
    pub health_check: Option<String>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Via {
    /// ECS Service Connect: service discovery, retries and outlier detection.
    Mesh,
    /// NLB + VPC endpoint service + interface endpoint in the caller's VPC.
    PrivateLink,
    /// Cloud Map DNS only.
    Dns,
    /// An internal Application Load Balancer.
    Alb,
    /// A synchronous Lambda invocation.
    Invoke,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Mesh => "mesh",
            Via::PrivateLink => "privatelink",
            Via::Dns => "dns",
            Via::Alb => "alb",
            Via::Invoke => "invoke",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Breaker {
    /// Error percentage that opens the circuit.
    pub errors: Spanned<f64>,
    /// How long the circuit stays open before a trial request.
    pub reset: Spanned<Duration>,
    pub span: Span,
}

/// `calls payment { ... }`: a synchronous request.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub target: ServiceId,
    pub target_span: Span,
    pub via: Spanned<Via>,
    /// Whether `via` was written (rather than chosen from the callee).
    pub via_declared: bool,
    pub timeout: Spanned<Duration>,
    pub retries: Spanned<u32>,
    pub breaker: Option<Breaker>,
    pub usage: Usage,
    pub span: Span,
}

/// Where messages travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    Event(EventId),
    Queue(QueueId),
    Topic(TopicId),
    Stream(StreamId),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Publish {
    pub target: Channel,
    pub target_span: Span,
    pub usage: Usage,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Consume {
    pub sources: Vec<Spanned<Channel>>,
    pub filter: Option<Filter>,
    /// The queue that buffers the messages for the consumer.
    pub via: Option<Spanned<QueueId>>,
    pub batch_size: Option<Spanned<u32>>,
    /// How long Lambda gathers records before invoking (`MaximumBatchingWindowInSeconds`).
    pub batch_window: Option<Spanned<Duration>>,
    pub usage: Usage,
    pub span: Span,
}

/// A variable of a service's `environment`.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvironmentVariable {
    pub name: Name,
    pub value: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
    ReadWrite,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::ReadWrite => "read_write",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataStore {
    Table(TableId),
    Database(DatabaseId),
    Bucket(BucketId),
    Secret(SecretId),
    Parameter(ParameterId),
}

impl DataStore {
    pub fn component(self) -> ComponentId {
        match self {
            DataStore::Table(id) => ComponentId::Table(id),
            DataStore::Database(id) => ComponentId::Database(id),
            DataStore::Bucket(id) => ComponentId::Bucket(id),
            DataStore::Secret(id) => ComponentId::Secret(id),
            DataStore::Parameter(id) => ComponentId::Parameter(id),
        }
    }

    /// The name the store is declared with.
    pub fn name(self, system: &System) -> Option<&Name> {
        system.component_name(self.component())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Use {
    pub target: DataStore,
    pub target_span: Span,
    pub access: Spanned<Access>,
    pub usage: Usage,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub compute: Compute,
    pub subnet: Option<Spanned<SubnetRef>>,
    pub port: Option<Spanned<u16>>,
    pub expose: Option<Expose>,
    pub calls: Vec<Call>,
    pub publishes: Vec<Publish>,
    pub consumes: Vec<Consume>,
    pub uses: Vec<Use>,
    pub operations: Vec<Name>,
    /// AWS APIs the service calls that no relation implies (`xray`,
    /// `monitoring`), or whose use it names for the network (`s3`).
    pub apis: Vec<Spanned<aws::AwsService>>,
    /// IAM statements written by hand (`iam = [{ ... }]`), for what the
    /// language does not model.
    pub iam: Vec<IamStatement>,
    /// What the service reaches outside the system (`egress = [{ ... }]`).
    pub egress: Vec<Egress>,
    pub log_retention: Spanned<Duration>,
    /// The variables the service's code reads, as declared
    /// (`environment = { NAME = "value" }`).
    pub environment: Vec<EnvironmentVariable>,
    pub usage: Usage,
}

/// `{ host = "api.cardprocessor.example"  port = 443 }`: a destination
/// outside the system that a service opens connections to, over TCP.
/// Security groups cannot filter by name: `to` is the addresses (anywhere
/// unless declared), `host` names it for the reader.
#[derive(Clone, Debug, PartialEq)]
pub struct Egress {
    pub host: Option<Spanned<String>>,
    pub to: Spanned<Destination>,
    pub port: Spanned<u16>,
    pub span: Span,
}

/// Where an `egress` goes: addresses, or a managed prefix list (`pl-...`),
/// which a security group can name and a network ACL cannot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    Addresses(Cidr),
    PrefixList(String),
}

impl Destination {
    /// The addresses routes and network ACLs must let through: a prefix
    /// list's entries are unknown until deploy time, so anywhere.
    pub fn addresses(&self) -> Cidr {
        match self {
            Destination::Addresses(cidr) => *cidr,
            Destination::PrefixList(_) => Cidr::anywhere(),
        }
    }
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::Addresses(cidr) => cidr.fmt(f),
            Destination::PrefixList(id) => write!(f, "prefix list {id}"),
        }
    }
}

/// `{ actions = ["sns:Publish"]  resources = ["*"]  reason = "..." }`: an
/// Allow statement of a service's role, written by hand.
#[derive(Clone, Debug, PartialEq)]
pub struct IamStatement {
    /// `service:Action`, without wildcards.
    pub actions: Vec<Spanned<String>>,
    /// ARNs, or `*`.
    pub resources: Vec<Spanned<String>>,
    pub reason: Spanned<String>,
    pub span: Span,
}

impl IamStatement {
    /// Whether the statement grants an action of an IAM service prefix.
    pub fn grants_prefix(&self, prefix: &str) -> bool {
        self.actions
            .iter()
            .any(|action| action.value.split(':').next() == Some(prefix))
    }
}

impl Service {
    pub fn is_lambda(&self) -> bool {
        matches!(self.compute, Compute::Lambda(_))
    }
}

// ---------------------------------------------------------------------------
// Events and messaging.

/// What carries an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Carrier {
    /// The account's `default` `EventBridge` bus.
    DefaultBus,
    Bus(BusId),
    Topic(TopicId),
    Stream(StreamId),
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventSource {
    Service(ServiceId),
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    String,
    Number,
    Int,
    Bool,
    Timestamp,
    /// A union of string literals: `"pending" | "confirmed"`.
    Enum(Vec<String>),
    List(Box<FieldType>),
    Object(Vec<FieldDef>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    pub name: Name,
    pub doc: Vec<String>,
    pub optional: bool,
    pub ty: FieldType,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub carrier: Spanned<Carrier>,
    pub source: Option<Spanned<EventSource>>,
    /// `EventBridge` `detail-type`; the event's name unless given.
    pub detail_type: String,
    pub schema: Vec<FieldDef>,
    pub schema_span: Option<Span>,
    pub usage: Usage,
}

/// A scalar in a filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    String(String),
    Number(f64),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub enum FilterValue {
    None,
    Scalar(Scalar),
    List(Vec<Scalar>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The field path in the event's schema, `["items", "productId"]`.
    pub field: Vec<String>,
    pub field_span: Span,
    pub op: CompareOp,
    pub value: FilterValue,
    pub value_span: Option<Span>,
    pub span: Span,
}

/// A `where` clause: all conditions must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub conditions: Vec<Condition>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bus {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    /// Archive retention; `Some(0)` keeps events indefinitely.
    pub archive: Option<Spanned<Duration>>,
    pub usage: Usage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleTarget {
    Service(ServiceId),
    Queue(QueueId),
    Topic(TopicId),
    Stream(StreamId),
    Saga(SagaId),
}

/// When a scheduled rule fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// `rate(...)`: every so often (whole minutes).
    Rate(Duration),
    /// `cron(...)`, as written.
    Cron(String),
}

/// `rule`: explicit `EventBridge` routing, on matching events or on a
/// schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRule {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub matches: Vec<Spanned<EventId>>,
    pub filter: Option<Filter>,
    pub schedule: Option<Spanned<Schedule>>,
    pub targets: Vec<Spanned<RuleTarget>>,
    /// Retries after the first delivery attempt (`MaximumRetryAttempts`).
    pub retries: Spanned<u32>,
    pub max_event_age: Spanned<Duration>,
    pub dlq: Option<Spanned<QueueId>>,
    pub usage: Usage,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeadLetter {
    pub max_receives: Spanned<u32>,
    pub retention: Spanned<Duration>,
    /// A declared queue to use as the DLQ; meshc creates one when absent.
    pub queue: Option<Spanned<QueueId>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Queue {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub fifo: Spanned<bool>,
    pub visibility: Spanned<Duration>,
    pub retention: Spanned<Duration>,
    pub delay: Spanned<Duration>,
    pub receive_wait: Spanned<Duration>,
    pub max_message_size: Option<Spanned<Size>>,
    pub content_based_deduplication: bool,
    pub dlq: Option<DeadLetter>,
    pub usage: Usage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionTarget {
    Queue(QueueId),
    Service(ServiceId),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    pub target: Spanned<SubscriptionTarget>,
    pub filter: Option<Filter>,
    pub raw_delivery: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Topic {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub fifo: Spanned<bool>,
    /// What the `where` of its subscriptions test: `filter_on`.
    pub filter_on: Spanned<FilterScope>,
    pub subscriptions: Vec<Subscription>,
    pub usage: Usage,
}

/// Where a topic's subscriptions find the fields their `where` tests: in
/// the published document (SNS's `MessageBody` scope), or in message
/// attributes the publisher sets (`MessageAttributes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterScope {
    Body,
    Attributes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamCapacity {
    OnDemand,
    Provisioned { shards: u32 },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stream {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub capacity: Spanned<StreamCapacity>,
    pub retention: Spanned<Duration>,
    pub usage: Usage,
}

// ---------------------------------------------------------------------------
// Data stores.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    String,
    Number,
    Binary,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub ty: KeyType,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Projection {
    All,
    KeysOnly,
    Include(Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    pub name: Name,
    pub span: Span,
    pub partition_key: Key,
    pub sort_key: Option<Key>,
    pub projection: Projection,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Billing {
    OnDemand,
    Provisioned { reads: u32, writes: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamView {
    KeysOnly,
    NewImage,
    OldImage,
    NewAndOldImages,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub partition_key: Key,
    pub sort_key: Option<Key>,
    pub indexes: Vec<Index>,
    pub billing: Spanned<Billing>,
    pub point_in_time_recovery: Spanned<bool>,
    pub ttl: Option<String>,
    pub stream: Option<StreamView>,
    pub deletion_protection: bool,
    pub usage: Usage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    Mysql,
    Mariadb,
    AuroraPostgresql,
    AuroraMysql,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
            Engine::Mariadb => "mariadb",
            Engine::AuroraPostgresql => "aurora-postgresql",
            Engine::AuroraMysql => "aurora-mysql",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Engine::Postgres | Engine::AuroraPostgresql => 5432,
            Engine::Mysql | Engine::Mariadb | Engine::AuroraMysql => 3306,
        }
    }

    pub fn is_aurora(self) -> bool {
        matches!(self, Engine::AuroraPostgresql | Engine::AuroraMysql)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Database {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub engine: Spanned<Engine>,
    pub version: Option<String>,
    pub class: Spanned<String>,
    pub storage: Spanned<Size>,
    pub subnet: Option<Spanned<SubnetRef>>,
    pub multi_az: Spanned<bool>,
    pub backup_retention: Spanned<Duration>,
    pub port: Spanned<u16>,
    pub deletion_protection: bool,
    pub usage: Usage,
}

/// An S3 bucket the code of services reads and writes objects in.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    /// How long an object is kept after it is written, if not forever.
    pub expire: Option<Spanned<Duration>>,
    pub deletion_protection: bool,
    pub usage: Usage,
}

/// A Secrets Manager secret: a credential the system keeps but does not
/// make (an API key of a partner). Its value is put by an operator, or by
/// a service that `uses` it with `write`.
#[derive(Clone, Debug, PartialEq)]
pub struct Secret {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub usage: Usage,
}

/// A Parameter Store parameter: configuration the deployment writes and
/// services read.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub value: Spanned<String>,
    pub usage: Usage,
}

// ---------------------------------------------------------------------------
// Sagas.

/// `inventory.reserve`: an operation of a service.
#[derive(Clone, Debug, PartialEq)]
pub struct OperationRef {
    pub service: ServiceId,
    pub operation: Name,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Retry {
    /// Attempts in all, the first one included.
    pub attempts: Spanned<u32>,
    /// Wait before the first retry.
    pub backoff: Spanned<Duration>,
    /// Multiplier of the wait from one retry to the next.
    pub rate: Spanned<f64>,
    pub max_delay: Option<Spanned<Duration>>,
    pub jitter: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub action: Option<OperationRef>,
    pub undo: Option<OperationRef>,
    pub retry: Option<Retry>,
    pub timeout: Option<Spanned<Duration>>,
    pub pivot: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SagaMode {
    /// A Step Functions state machine drives the steps.
    Orchestrated,
    /// The services drive each other with events.
    Choreographed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Saga {
    pub name: Name,
    pub doc: Vec<String>,
    pub span: Span,
    pub trigger: Option<Spanned<EventId>>,
    /// `trigger = E where ...`: the events of E that start the saga.
    pub trigger_filter: Option<Filter>,
    pub timeout: Option<Spanned<Duration>>,
    pub mode: Spanned<SagaMode>,
    pub steps: Vec<Step>,
    pub on_failure: Option<OperationRef>,
    pub dlq: Option<Spanned<QueueId>>,
    pub usage: Usage,
}

impl Saga {
    /// Every operation the saga runs: each step's `do` and `undo`, in step
    /// order, then `on_failure`.
    pub fn operations(&self) -> impl Iterator<Item = &OperationRef> {
        self.steps
            .iter()
            .flat_map(|step| step.action.iter().chain(step.undo.iter()))
            .chain(self.on_failure.iter())
    }
}

// ---------------------------------------------------------------------------
// Explicit network rules.

#[derive(Clone, Debug, PartialEq)]
pub enum FirewallPeer {
    Component(ComponentId),
    Cidr(Cidr),
    /// The addresses of a subnet group.
    Subnet(SubnetRef),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FirewallRule {
    pub direction: Direction,
    pub protocol: Protocol,
    pub ports: Option<Spanned<PortRange>>,
    pub peer: Spanned<FirewallPeer>,
    pub span: Span,
}

/// `firewall NAME`: the security group of the component NAME, as the user
/// expects it to be.
#[derive(Clone, Debug, PartialEq)]
pub struct Firewall {
    pub target: Spanned<ComponentId>,
    pub span: Span,
    pub rules: Vec<FirewallRule>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NaclRule {
    pub action: RuleAction,
    pub direction: Direction,
    pub protocol: Protocol,
    pub ports: Option<Spanned<PortRange>>,
    pub peer: Spanned<NaclPeer>,
    pub span: Span,
}

/// The other end of a NACL rule: addresses, or the addresses of a subnet
/// group (whatever meshc carves for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NaclPeer {
    Cidr(Cidr),
    Subnet(SubnetRef),
}

/// `nacl NAME`: the network ACL of a subnet group, as the user expects it.
#[derive(Clone, Debug, PartialEq)]
pub struct Nacl {
    pub name: Name,
    pub span: Span,
    pub subnet: Option<Spanned<SubnetRef>>,
    pub rules: Vec<NaclRule>,
}

// ---------------------------------------------------------------------------
// Usage: traffic assumptions for `meshc cost`.

/// Monthly traffic assumptions. Each is `None` when not declared, which the
/// cost estimate reports as "usage unknown", never as zero.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    pub requests: Option<Spanned<u64>>,
    pub messages: Option<Spanned<u64>>,
    pub executions: Option<Spanned<u64>>,
    pub reads: Option<Spanned<u64>>,
    pub writes: Option<Spanned<u64>>,
    /// Data transferred per month.
    pub data: Option<Spanned<Size>>,
    pub storage: Option<Spanned<Size>>,
    pub logs: Option<Spanned<Size>>,
    /// Average duration of one request (Lambda GB-seconds).
    pub duration: Option<Spanned<Duration>>,
    pub span: Option<Span>,
}
