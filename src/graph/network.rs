//! The network plan: addresses, endpoints, load balancers, PrivateLink, and
//! every network flow with the security-group and NACL rules it needs.
//!
//! Everything here is derived from the graph once. Flows are the single
//! source of truth: a security-group rule or NACL entry exists because a
//! flow needs it, and records which flows those are.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;

use super::{Graph, LoadBalancerRef};
use crate::diagnostics::Span;
use crate::model::aws::{AwsService, EndpointKind};
use crate::model::defaults;
use crate::model::{
    Channel, Cidr, ComponentId, Compute, DataStore, DatabaseId, Destination, FirewallPeer,
    FirewallRule, LoadBalancerKind, NatMode, NetworkId, PortRange, Service, ServiceId, SubnetRef,
    System, Tier, Via,
};
use crate::vocabulary::{Direction, Protocol};

/// The addresses of one subnet group: one subnet per zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubnetLayout {
    pub subnet: SubnetRef,
    pub tier: Tier,
    /// One CIDR block per zone, in zone order.
    pub zones: Vec<Cidr>,
    /// A block containing every zone's subnet, when there is one that
    /// contains nothing else (always, for carved subnets): NACL rules name it
    /// instead of each zone.
    pub block: Option<Cidr>,
}

impl SubnetLayout {
    /// The CIDR blocks that cover the group, as few as possible.
    pub fn cidrs(&self) -> Vec<Cidr> {
        match self.block {
            Some(block) => vec![block],
            None => self.zones.clone(),
        }
    }
}

/// A VPC endpoint of a network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub service: AwsService,
    pub kind: EndpointKind,
    /// Where an interface endpoint's network interfaces are (one per zone).
    pub subnet: Option<SubnetRef>,
    /// Written in `endpoints = [...]` rather than derived.
    pub declared: bool,
    /// The services that reach the API through it.
    pub users: Vec<ServiceId>,
}

/// Why meshc cannot lay out a network's subnets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressProblem {
    /// The subnets do not fit in the network's CIDR block.
    Exhausted {
        subnet: SubnetRef,
        needed_prefix: u8,
    },
    /// A subnet's explicit CIDR block lies outside the network's.
    OutsideNetwork { subnet: SubnetRef, zone: usize },
    /// Two subnets' CIDR blocks overlap.
    Overlap {
        subnet: SubnetRef,
        zone: usize,
        other: SubnetRef,
        other_zone: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkLayout {
    pub network: NetworkId,
    pub cidr: Cidr,
    pub zones: u8,
    pub subnets: Vec<SubnetLayout>,
    pub endpoints: Vec<Endpoint>,
    /// The zones that get a NAT gateway, in the NAT subnet group.
    pub nat_zones: Vec<usize>,
    /// The public subnet group that hosts the NAT gateways.
    pub nat_subnet: Option<SubnetRef>,
    pub problems: Vec<AddressProblem>,
}

impl NetworkLayout {
    pub fn subnet(&self, subnet: SubnetRef) -> Option<&SubnetLayout> {
        self.subnets.iter().find(|layout| layout.subnet == subnet)
    }

    pub fn has_public_subnet(&self) -> bool {
        self.subnets
            .iter()
            .any(|layout| layout.tier == Tier::Public)
    }

    pub fn endpoint(&self, service: AwsService) -> Option<&Endpoint> {
        self.endpoints
            .iter()
            .find(|endpoint| endpoint.service == service)
    }
}

/// A component with a security group of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Guarded {
    Service(ServiceId),
    Database(DatabaseId),
    /// An interface endpoint.
    Endpoint(NetworkId, AwsService),
    LoadBalancer(LoadBalancerRef),
    /// The interface endpoint in `network` for reaching `callee` over
    /// PrivateLink.
    PrivateLink {
        network: NetworkId,
        callee: ServiceId,
    },
}

/// One end of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlowEnd {
    Group(Guarded),
    /// Any address on the internet.
    Internet,
    /// Any address of a network (clients of an internal load balancer).
    Network(NetworkId),
    /// An AWS API reached through a gateway endpoint (its prefix list).
    GatewayEndpoint(NetworkId, AwsService),
    /// An AWS API reached over the internet (through NAT, or directly from a
    /// public subnet).
    PublicApi(AwsService),
    /// Addresses a declared firewall rule names: a CIDR block, a subnet's
    /// block, or anywhere.
    Cidr(Cidr),
    /// The managed prefix list an `egress` names.
    PrefixList(EgressRef),
}

/// A service's declared `egress`: the service, and its place in the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EgressRef {
    pub service: ServiceId,
    pub index: usize,
}

impl EgressRef {
    /// The prefix list's id, when the egress names one.
    pub fn prefix_list(self, system: &System) -> Option<&str> {
        let egress = system.service(self.service)?.egress.get(self.index)?;
        match &egress.to.value {
            Destination::PrefixList(id) => Some(id),
            Destination::Addresses(_) => None,
        }
    }
}

/// What a flow is for, in the terms the user wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Logical {
    Component(ComponentId),
    Internet,
    /// Clients anywhere in a network.
    Network(NetworkId),
    Api(AwsService),
    /// Addresses a declared firewall rule names.
    Address(Cidr),
}

/// Why a service needs an AWS API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiReason {
    /// Pulling its container image.
    Image,
    /// Shipping its logs.
    Logs,
    Publish,
    Consume,
    Table,
    /// Reading the credentials of a database.
    Credentials,
    /// Reading or writing the objects of a bucket.
    Objects,
    /// Reading or putting the value of a secret.
    Secret,
    /// Reading a parameter.
    Parameter,
    /// Invoking a Lambda function.
    Invoke,
    /// Taking part in an orchestrated saga.
    Saga,
    /// Listed in `apis = [...]`.
    Declared,
}

/// How a service reaches an AWS API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiRoute {
    InterfaceEndpoint,
    GatewayEndpoint,
    Nat,
    /// From a public subnet, or from a Lambda function outside any VPC.
    Internet,
    /// Neither an endpoint nor NAT: the requests would time out.
    Unreachable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiUse {
    pub service: ServiceId,
    pub api: AwsService,
    pub reason: ApiReason,
    pub span: Span,
    pub route: ApiRoute,
}

/// A connection that must be possible: from `source` to `destination` on
/// `ports`. Return traffic is implied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub source: FlowEnd,
    pub destination: FlowEnd,
    pub protocol: Protocol,
    pub ports: PortRange,
    /// Who, in the user's terms, starts the conversation and who answers.
    pub origin: Logical,
    pub target: Logical,
    pub source_subnet: Option<SubnetRef>,
    pub destination_subnet: Option<SubnetRef>,
    /// The public subnet group whose NAT gateways forward the flow.
    pub nat_subnet: Option<SubnetRef>,
    /// A short explanation for rule descriptions: "order calls payment".
    pub description: String,
    /// The relation in the source that needs the flow, or the firewall
    /// rule that declares it.
    pub span: Span,
    /// Declared by a firewall rule that no relation needs (an opening to or
    /// from addresses: a partner's API, an office network).
    pub declared: bool,
}

/// Where a security-group rule lets traffic come from or go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SgPeer {
    Group(Guarded),
    Cidr(Cidr),
    /// The prefix list of a gateway endpoint's AWS API.
    PrefixList(NetworkId, AwsService),
    /// A managed prefix list an `egress` names.
    Declared(EgressRef),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SgRule {
    pub protocol: Protocol,
    pub ports: PortRange,
    pub peer: SgPeer,
    pub description: String,
    /// Indexes into `Plan::flows` of the flows the rule serves.
    pub flows: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityGroup {
    pub owner: Guarded,
    pub network: NetworkId,
    pub ingress: Vec<SgRule>,
    pub egress: Vec<SgRule>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NaclEntry {
    /// The NACL rule number: rules are evaluated from the lowest.
    pub number: u16,
    pub protocol: Protocol,
    pub ports: PortRange,
    pub cidr: Cidr,
    /// Whether the entry lets the replies of a flow through.
    pub returning: bool,
    pub flows: Vec<usize>,
}

/// The NACL of one subnet group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NaclPlan {
    pub subnet: SubnetRef,
    pub ingress: Vec<NaclEntry>,
    pub egress: Vec<NaclEntry>,
    /// The user's `nacl` for this subnet group, emitted instead of the
    /// derived entries (which it has been checked to allow).
    pub declared: Option<usize>,
}

/// What a load balancer forwards to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub service: ServiceId,
    pub port: u16,
    pub path: Option<String>,
    pub health: HealthCheck,
}

/// How a load balancer decides that a target can take requests, derived
/// once from `health` and the kinds of balancer and service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HealthCheck {
    /// `GET path` on the target's port: 200 to 399 is healthy.
    Http { path: String },
    /// A TCP connection to the target's port.
    Tcp,
    /// No check: a Lambda function behind an ALB, unless `health` is
    /// declared (each check would be an invocation).
    Off,
}

impl HealthCheck {
    /// The HTTP status codes of a healthy answer.
    pub const HEALTHY_CODES: &'static str = "200-399";
    /// Seconds between two checks of a Fargate task (a Lambda function
    /// keeps ELB's 35, which its 30-second timeout needs).
    pub const INTERVAL_SECONDS: u32 = 15;
    /// Seconds an answer may take (ELB's default for an ALB; an NLB's
    /// would be 6).
    pub const TIMEOUT_SECONDS: u32 = 5;
    /// Checks in a row that make a target healthy, and unhealthy.
    pub const HEALTHY_THRESHOLD: u32 = 2;
    pub const UNHEALTHY_THRESHOLD: u32 = 3;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListenerProtocol {
    Http,
    Https,
    Tcp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    pub port: u16,
    pub protocol: ListenerProtocol,
    pub certificate: Option<String>,
    /// An HTTP listener that only redirects to HTTPS.
    pub redirect_to_https: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadBalancer {
    pub id: LoadBalancerRef,
    pub network: NetworkId,
    pub subnet: SubnetRef,
    pub public: bool,
    pub listeners: Vec<Listener>,
    pub targets: Vec<Target>,
    /// Offered to other VPCs as a PrivateLink endpoint service.
    pub endpoint_service: bool,
}

/// An interface endpoint in a caller's network for a service offered over
/// PrivateLink.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivateLink {
    pub network: NetworkId,
    pub subnet: SubnetRef,
    pub callee: ServiceId,
    pub callers: Vec<ServiceId>,
    pub port: u16,
}

/// The whole network plan of a system.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub networks: Vec<NetworkLayout>,
    pub api_uses: Vec<ApiUse>,
    pub load_balancers: Vec<LoadBalancer>,
    pub private_links: Vec<PrivateLink>,
    pub flows: Vec<Flow>,
    pub security_groups: Vec<SecurityGroup>,
    pub nacls: Vec<NaclPlan>,
    /// The rules of each declared `nacl` (by its index in the system) as
    /// AWS holds them: numbered in the order written, a rule naming a
    /// subnet group one rule per block of it.
    pub declared_nacls: Vec<Vec<NaclLine>>,
}

/// One entry of a network ACL as it is emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NaclLine {
    pub number: u16,
    pub egress: bool,
    pub allow: bool,
    pub protocol: Protocol,
    pub ports: PortRange,
    pub cidr: Cidr,
    /// What needs the entry: the declared rule, or the relation behind
    /// the first flow it serves.
    pub origin: Option<Span>,
}

impl Plan {
    /// The rules of the declared `nacl` of index `declared`, as emitted.
    pub fn declared_lines(&self, declared: usize) -> &[NaclLine] {
        self.declared_nacls.get(declared).map_or(&[], Vec::as_slice)
    }

    /// The derived entries of a subnet group's NACL, as emitted.
    pub fn derived_lines(&self, nacl: &NaclPlan) -> Vec<NaclLine> {
        let entries = nacl
            .ingress
            .iter()
            .map(|entry| (entry, false))
            .chain(nacl.egress.iter().map(|entry| (entry, true)));
        entries
            .map(|(entry, egress)| NaclLine {
                number: entry.number,
                egress,
                allow: true,
                protocol: entry.protocol,
                ports: entry.ports,
                cidr: entry.cidr,
                origin: entry
                    .flows
                    .first()
                    .and_then(|flow| self.flows.get(*flow))
                    .map(|flow| flow.span),
            })
            .collect()
    }

    /// The entries a subnet group's NACL is emitted with: those of its
    /// declared `nacl`, or the derived ones.
    pub fn emitted_lines(&self, nacl: &NaclPlan) -> Vec<NaclLine> {
        match nacl.declared {
            Some(declared) => self.declared_lines(declared).to_vec(),
            None => self.derived_lines(nacl),
        }
    }

    pub fn network(&self, network: NetworkId) -> Option<&NetworkLayout> {
        self.networks
            .iter()
            .find(|layout| layout.network == network)
    }

    pub fn subnet(&self, subnet: SubnetRef) -> Option<&SubnetLayout> {
        self.network(subnet.network)?.subnet(subnet)
    }

    pub fn security_group(&self, owner: Guarded) -> Option<&SecurityGroup> {
        self.security_groups
            .iter()
            .find(|group| group.owner == owner)
    }

    pub fn load_balancer(&self, id: LoadBalancerRef) -> Option<&LoadBalancer> {
        self.load_balancers
            .iter()
            .find(|balancer| balancer.id == id)
    }

    /// The subnet group a security group's owner sits in.
    pub fn subnet_of(&self, system: &System, owner: Guarded) -> Option<SubnetRef> {
        match owner {
            Guarded::Service(service) => system.service(service)?.subnet.map(|subnet| subnet.value),
            Guarded::Database(database) => system
                .databases
                .get(database.0)?
                .subnet
                .map(|subnet| subnet.value),
            Guarded::Endpoint(network, api) => self.network(network)?.endpoint(api)?.subnet,
            Guarded::LoadBalancer(id) => self.load_balancer(id).map(|balancer| balancer.subnet),
            Guarded::PrivateLink { network, callee } => self
                .private_links
                .iter()
                .find(|link| link.network == network && link.callee == callee)
                .map(|link| link.subnet),
        }
    }
}

// ---------------------------------------------------------------------------
// Planning.

pub(super) fn plan(system: &System, graph: &Graph) -> Plan {
    let mut plan = Plan {
        networks: system
            .networks
            .iter()
            .enumerate()
            .map(|(index, _)| layout(system, NetworkId(index)))
            .collect(),
        ..Plan::default()
    };
    plan.api_uses = api_uses(system, graph);
    place_endpoints(system, &mut plan);
    route_api_uses(system, &mut plan);
    plan_load_balancers(system, &mut plan);
    plan_private_links(system, &mut plan);
    plan.flows = flows(system, &plan);
    plan.security_groups = security_groups(system, &plan);
    plan.nacls = nacls(system, &plan);
    plan.declared_nacls = system
        .nacls
        .iter()
        .map(|declared| declared_lines(&plan, declared))
        .collect();
    plan
}

/// The rules of a declared `nacl`, numbered in the order written in each
/// direction; a rule naming a subnet group becomes one rule per block of it.
fn declared_lines(plan: &Plan, declared: &crate::model::Nacl) -> Vec<NaclLine> {
    let mut lines = Vec::new();
    for (egress, direction) in [(false, Direction::In), (true, Direction::Out)] {
        let mut number = 100u16;
        for rule in declared
            .rules
            .iter()
            .filter(|rule| rule.direction == direction)
        {
            let cidrs = match rule.peer.value {
                crate::model::NaclPeer::Cidr(cidr) => vec![cidr],
                crate::model::NaclPeer::Subnet(subnet) => plan
                    .subnet(subnet)
                    .map(SubnetLayout::cidrs)
                    .unwrap_or_default(),
            };
            for cidr in cidrs {
                lines.push(NaclLine {
                    number,
                    egress,
                    allow: rule.action == crate::vocabulary::RuleAction::Allow,
                    protocol: rule.protocol,
                    ports: rule.ports.map_or(PortRange::ALL, |ports| ports.value),
                    cidr,
                    origin: Some(rule.span),
                });
                number = number.saturating_add(10);
            }
        }
    }
    lines
}

/// Addresses: explicit `cidrs` are taken as written; the other subnet
/// groups are carved from the network's block in declaration order, each
/// group an aligned block of equal size, each zone an equal part of it.
fn layout(system: &System, id: NetworkId) -> NetworkLayout {
    let Some(network) = system.network(id) else {
        return NetworkLayout {
            network: id,
            cidr: Cidr::anywhere(),
            zones: 0,
            subnets: Vec::new(),
            endpoints: Vec::new(),
            nat_zones: Vec::new(),
            nat_subnet: None,
            problems: Vec::new(),
        };
    };
    let zones = network.zones.value;
    let vpc = network.cidr.value;
    let groups = network.subnets.len().max(1);
    let group_bits = bits_for(groups);
    let zone_bits = bits_for(usize::from(zones));
    let group_prefix = vpc.prefix() + group_bits;
    let mut problems = Vec::new();
    let blocks: Vec<Ipv4Net> = if group_prefix <= 28 {
        vpc.0
            .subnets(group_prefix)
            .map(Iterator::collect)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut subnets = Vec::new();
    for (index, subnet) in network.subnets.iter().enumerate() {
        let subnet_ref = SubnetRef { network: id, index };
        if !subnet.cidrs.is_empty() {
            let zones_cidrs: Vec<Cidr> = subnet.cidrs.iter().map(|cidr| cidr.value).collect();
            for (zone, cidr) in zones_cidrs.iter().enumerate() {
                if !vpc.contains(*cidr) {
                    problems.push(AddressProblem::OutsideNetwork {
                        subnet: subnet_ref,
                        zone,
                    });
                }
            }
            subnets.push(SubnetLayout {
                subnet: subnet_ref,
                tier: subnet.tier.value,
                block: None,
                zones: zones_cidrs,
            });
            continue;
        }
        let zone_prefix = subnet.prefix.map_or(group_prefix + zone_bits, |prefix| {
            prefix.value.max(group_prefix + zone_bits)
        });
        let block = blocks.get(index).copied();
        let zone_cidrs: Vec<Cidr> = match block {
            Some(block) if zone_prefix <= 28 => block
                .subnets(zone_prefix)
                .map(|subnets| subnets.take(usize::from(zones)).map(Cidr).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        if zone_cidrs.len() < usize::from(zones) {
            problems.push(AddressProblem::Exhausted {
                subnet: subnet_ref,
                needed_prefix: zone_prefix,
            });
        }
        subnets.push(SubnetLayout {
            subnet: subnet_ref,
            tier: subnet.tier.value,
            block: block.filter(|_| !zone_cidrs.is_empty()).map(Cidr),
            zones: zone_cidrs,
        });
    }
    // Overlaps between any two zone subnets.
    let all: Vec<(SubnetRef, usize, Cidr)> = subnets
        .iter()
        .flat_map(|layout| {
            layout
                .zones
                .iter()
                .enumerate()
                .map(move |(zone, cidr)| (layout.subnet, zone, *cidr))
        })
        .collect();
    for (position, (subnet, zone, cidr)) in all.iter().enumerate() {
        for (other, other_zone, other_cidr) in all.iter().skip(position + 1) {
            if cidr.overlaps(*other_cidr) {
                problems.push(AddressProblem::Overlap {
                    subnet: *other,
                    zone: *other_zone,
                    other: *subnet,
                    other_zone: *zone,
                });
            }
        }
    }
    let nat_subnet = subnets
        .iter()
        .find(|layout| layout.tier == Tier::Public)
        .map(|layout| layout.subnet);
    let nat_zones = match (network.nat.value, nat_subnet) {
        (NatMode::None, _) | (_, None) => Vec::new(),
        (NatMode::Single, Some(_)) => vec![0],
        (NatMode::PerZone, Some(_)) => (0..usize::from(zones)).collect(),
    };
    NetworkLayout {
        network: id,
        cidr: vpc,
        zones,
        subnets,
        endpoints: Vec::new(),
        nat_zones,
        nat_subnet,
        problems,
    }
}

/// The number of bits that split a block into at least `count` parts.
fn bits_for(count: usize) -> u8 {
    let mut bits = 0u8;
    while (1usize << bits) < count {
        bits += 1;
    }
    bits
}

/// Every AWS API each service calls, and why.
fn api_uses(system: &System, graph: &Graph) -> Vec<ApiUse> {
    let mut uses = Vec::new();
    for (index, service) in system.services.iter().enumerate() {
        let id = ServiceId(index);
        // This service's uses so far: the ones pushed since it began.
        let first = uses.len();
        let mut add = |api: AwsService, reason: ApiReason, span: Span| {
            let exists = uses
                .get(first..)
                .unwrap_or_default()
                .iter()
                .any(|known: &ApiUse| known.api == api && known.reason == reason);
            if !exists {
                uses.push(ApiUse {
                    service: id,
                    api,
                    reason,
                    span,
                    route: ApiRoute::Unreachable,
                });
            }
        };
        if let Compute::Fargate(fargate) = &service.compute {
            add(AwsService::Ecr, ApiReason::Image, fargate.span);
            add(AwsService::S3, ApiReason::Image, fargate.span);
            add(AwsService::Logs, ApiReason::Logs, fargate.span);
        }
        for publish in &service.publishes {
            let api = match publish.target {
                Channel::Event(event) => match system.event(event).map(|event| event.carrier.value)
                {
                    Some(crate::model::Carrier::Topic(_)) => AwsService::Sns,
                    Some(crate::model::Carrier::Stream(_)) => AwsService::Kinesis,
                    Some(_) => AwsService::Events,
                    None => continue,
                },
                Channel::Queue(_) => AwsService::Sqs,
                Channel::Topic(_) => AwsService::Sns,
                Channel::Stream(_) => AwsService::Kinesis,
            };
            add(api, ApiReason::Publish, publish.span);
        }
        // A Lambda function is handed its messages by the Lambda service; a
        // Fargate task polls for them itself.
        if !service.is_lambda() {
            for (to, edge) in incoming_consumes(graph, id) {
                let api = match to {
                    super::Node::Stream(_) => AwsService::Kinesis,
                    _ => AwsService::Sqs,
                };
                add(api, ApiReason::Consume, edge);
            }
        }
        for usage in &service.uses {
            match usage.target {
                DataStore::Table(_) => add(AwsService::DynamoDb, ApiReason::Table, usage.span),
                DataStore::Database(_) => add(
                    AwsService::SecretsManager,
                    ApiReason::Credentials,
                    usage.span,
                ),
                DataStore::Bucket(_) => add(AwsService::S3, ApiReason::Objects, usage.span),
                DataStore::Secret(_) => {
                    add(AwsService::SecretsManager, ApiReason::Secret, usage.span);
                }
                DataStore::Parameter(_) => add(AwsService::Ssm, ApiReason::Parameter, usage.span),
            }
        }
        for call in &service.calls {
            if call.via.value == Via::Invoke {
                add(AwsService::Lambda, ApiReason::Invoke, call.span);
            }
        }
        let in_orchestrated_saga = system.sagas.iter().any(|saga| {
            saga.mode.value == crate::model::SagaMode::Orchestrated
                && saga.operations().any(|operation| operation.service == id)
        });
        if in_orchestrated_saga && !service.is_lambda() {
            add(AwsService::Sqs, ApiReason::Saga, service.name.span);
            add(AwsService::States, ApiReason::Saga, service.name.span);
        }
        for api in &service.apis {
            add(api.value, ApiReason::Declared, api.span);
        }
    }
    uses
}

/// The sources a service consumes from, as graph nodes, with the span of the
/// relation.
fn incoming_consumes(graph: &Graph, service: ServiceId) -> Vec<(super::Node, Span)> {
    graph
        .edges_to(super::Node::Service(service))
        .into_iter()
        .filter(|(_, edge)| edge.kind == super::EdgeKind::Consume)
        .map(|(from, edge)| (from, edge.span))
        .collect()
}

/// Which endpoints each network has: the declared list, or else one for
/// every API used from its private and isolated subnets.
fn place_endpoints(system: &System, plan: &mut Plan) {
    for (index, network) in system.networks.iter().enumerate() {
        let id = NetworkId(index);
        let users_of = |api: AwsService| -> Vec<ServiceId> {
            let mut users: Vec<ServiceId> = plan
                .api_uses
                .iter()
                .filter(|usage| usage.api == api)
                .filter(|usage| {
                    system
                        .service(usage.service)
                        .and_then(|service| service.subnet)
                        .is_some_and(|subnet| subnet.value.network == id)
                })
                .map(|usage| usage.service)
                .collect();
            users.sort();
            users.dedup();
            users
        };
        let declared: BTreeSet<AwsService> = network
            .endpoints
            .iter()
            .map(|endpoint| endpoint.value)
            .collect();
        let apis: BTreeSet<AwsService> = if network.endpoints.is_empty() {
            plan.api_uses
                .iter()
                .filter(|usage| {
                    let tier = system
                        .service(usage.service)
                        .and_then(|service| service.subnet)
                        .filter(|subnet| subnet.value.network == id)
                        .and_then(|subnet| system.subnet(subnet.value))
                        .map(|subnet| subnet.tier.value);
                    matches!(tier, Some(Tier::Private | Tier::Isolated))
                })
                .map(|usage| usage.api)
                .collect()
        } else {
            declared.clone()
        };
        let mut endpoints = Vec::new();
        for api in apis {
            let users = users_of(api);
            let kind = api.endpoint_kind();
            let subnet = match kind {
                EndpointKind::Gateway => None,
                EndpointKind::Interface => endpoint_subnet(system, id, &users),
            };
            endpoints.push(Endpoint {
                service: api,
                kind,
                subnet,
                declared: declared.contains(&api),
                users,
            });
        }
        if let Some(layout) = plan.networks.get_mut(index) {
            layout.endpoints = endpoints;
        }
    }
}

/// Interface endpoints go in the private or isolated subnet group of their
/// first user, or the network's first private or isolated group.
fn endpoint_subnet(system: &System, network: NetworkId, users: &[ServiceId]) -> Option<SubnetRef> {
    let inner = |subnet: SubnetRef| {
        subnet.network == network
            && system
                .subnet(subnet)
                .is_some_and(|subnet| matches!(subnet.tier.value, Tier::Private | Tier::Isolated))
    };
    users
        .iter()
        .filter_map(|user| system.service(*user)?.subnet.map(|subnet| subnet.value))
        .find(|subnet| inner(*subnet))
        .or_else(|| {
            let count = system
                .network(network)
                .map_or(0, |network| network.subnets.len());
            (0..count)
                .map(|index| SubnetRef { network, index })
                .find(|subnet| inner(*subnet))
        })
}

fn route_api_uses(system: &System, plan: &mut Plan) {
    let routes: Vec<ApiRoute> = plan
        .api_uses
        .iter()
        .map(|usage| {
            let Some(subnet) = system
                .service(usage.service)
                .and_then(|service| service.subnet)
            else {
                return ApiRoute::Internet;
            };
            let Some(layout) = plan.network(subnet.value.network) else {
                return ApiRoute::Unreachable;
            };
            let tier = system
                .subnet(subnet.value)
                .map_or(Tier::Private, |subnet| subnet.tier.value);
            match (
                layout.endpoint(usage.api).map(|endpoint| endpoint.kind),
                tier,
            ) {
                (Some(EndpointKind::Gateway), _) => ApiRoute::GatewayEndpoint,
                (Some(EndpointKind::Interface), _)
                    if layout.endpoint(usage.api).and_then(|e| e.subnet).is_some() =>
                {
                    ApiRoute::InterfaceEndpoint
                }
                (_, Tier::Public) => ApiRoute::Internet,
                (_, Tier::Private) if !layout.nat_zones.is_empty() => ApiRoute::Nat,
                _ => ApiRoute::Unreachable,
            }
        })
        .collect();
    for (usage, route) in plan.api_uses.iter_mut().zip(routes) {
        usage.route = route;
    }
}

fn service_port(service: &Service) -> Option<u16> {
    service.port.map(|port| port.value)
}

/// The shared ALBs of each network, and the NLB of every service exposed
/// with `nlb` or offered over PrivateLink.
fn plan_load_balancers(system: &System, plan: &mut Plan) {
    let mut balancers: BTreeMap<LoadBalancerRef, LoadBalancer> = BTreeMap::new();
    let public_subnet = |network: NetworkId| {
        plan.network(network)
            .and_then(|layout| {
                layout
                    .subnets
                    .iter()
                    .find(|subnet| subnet.tier == Tier::Public)
            })
            .map(|layout| layout.subnet)
    };
    let called_via = |via: Via| -> std::collections::BTreeSet<ServiceId> {
        system
            .services
            .iter()
            .flat_map(|caller| caller.calls.iter())
            .filter(|call| call.via.value == via)
            .map(|call| call.target)
            .collect()
    };
    let via_alb = called_via(Via::Alb);
    let via_privatelink = called_via(Via::PrivateLink);
    for (index, service) in system.services.iter().enumerate() {
        let id = ServiceId(index);
        let Some(subnet) = service.subnet.map(|subnet| subnet.value) else {
            continue;
        };
        let port = service_port(service).unwrap_or(80);
        let exposures: Vec<(LoadBalancerKind, bool, Option<&crate::model::Expose>)> = {
            let mut list = Vec::new();
            if let Some(expose) = &service.expose {
                list.push((expose.kind, expose.public, Some(expose)));
            }
            // Callers that go through an internal ALB.
            let called_via_alb = via_alb.contains(&id);
            let exposed_internally = service
                .expose
                .as_ref()
                .is_some_and(|expose| expose.kind == LoadBalancerKind::Alb && !expose.public);
            if called_via_alb && !exposed_internally {
                list.push((LoadBalancerKind::Alb, false, None));
            }
            let called_via_privatelink = via_privatelink.contains(&id);
            let has_nlb = service
                .expose
                .as_ref()
                .is_some_and(|expose| expose.kind == LoadBalancerKind::Nlb);
            if called_via_privatelink && !has_nlb {
                list.push((LoadBalancerKind::Nlb, false, None));
            }
            list
        };
        for (kind, public, expose) in exposures {
            let network = subnet.network;
            let (key, balancer_subnet) = match kind {
                LoadBalancerKind::Alb => (
                    LoadBalancerRef::Alb { network, public },
                    if public {
                        public_subnet(network)
                    } else {
                        Some(subnet)
                    },
                ),
                LoadBalancerKind::Nlb => (
                    LoadBalancerRef::Nlb(id),
                    if public {
                        public_subnet(network)
                    } else {
                        Some(subnet)
                    },
                ),
            };
            let Some(balancer_subnet) = balancer_subnet else {
                continue;
            };
            let certificate = expose.and_then(|expose| expose.certificate.clone());
            let balancer = balancers.entry(key).or_insert_with(|| LoadBalancer {
                id: key,
                network,
                subnet: balancer_subnet,
                public,
                listeners: Vec::new(),
                targets: Vec::new(),
                endpoint_service: false,
            });
            let listeners: Vec<Listener> = match (kind, &certificate) {
                (LoadBalancerKind::Alb, Some(certificate)) => vec![
                    Listener {
                        port: 443,
                        protocol: ListenerProtocol::Https,
                        certificate: Some(certificate.clone()),
                        redirect_to_https: false,
                    },
                    Listener {
                        port: 80,
                        protocol: ListenerProtocol::Http,
                        certificate: None,
                        redirect_to_https: true,
                    },
                ],
                (LoadBalancerKind::Alb, None) => vec![Listener {
                    port: 80,
                    protocol: ListenerProtocol::Http,
                    certificate: None,
                    redirect_to_https: false,
                }],
                (LoadBalancerKind::Nlb, _) => vec![Listener {
                    port,
                    protocol: ListenerProtocol::Tcp,
                    certificate: None,
                    redirect_to_https: false,
                }],
            };
            for listener in listeners {
                let known = balancer
                    .listeners
                    .iter()
                    .any(|existing| existing.port == listener.port);
                if !known {
                    balancer.listeners.push(listener);
                }
            }
            if !balancer.targets.iter().any(|target| target.service == id) {
                balancer.targets.push(Target {
                    service: id,
                    port,
                    path: expose.and_then(|expose| expose.path.clone()),
                    // The path the service answers, whichever balancer asks.
                    health: health_check(
                        kind,
                        service.is_lambda(),
                        service
                            .expose
                            .as_ref()
                            .and_then(|expose| expose.health_check.clone()),
                    ),
                });
            }
            if kind == LoadBalancerKind::Nlb && via_privatelink.contains(&id) {
                balancer.endpoint_service = true;
            }
        }
    }
    plan.load_balancers = balancers.into_values().collect();
}

/// What a target is checked with: the declared path over HTTP, or else
/// [`defaults::HEALTH_CHECK_PATH`] for a Fargate service behind an ALB (which
/// speaks HTTP), a TCP connection behind an NLB (which assumes nothing of
/// the protocol), and nothing for a Lambda function.
fn health_check(kind: LoadBalancerKind, lambda: bool, declared: Option<String>) -> HealthCheck {
    match (declared, kind, lambda) {
        (Some(path), _, _) => HealthCheck::Http { path },
        (None, _, true) => HealthCheck::Off,
        (None, LoadBalancerKind::Alb, false) => HealthCheck::Http {
            path: defaults::HEALTH_CHECK_PATH.to_string(),
        },
        (None, LoadBalancerKind::Nlb, false) => HealthCheck::Tcp,
    }
}

/// One interface endpoint per (caller network, callee) called over
/// PrivateLink, in the subnet group of the first caller there.
fn plan_private_links(system: &System, plan: &mut Plan) {
    let mut links: BTreeMap<(NetworkId, ServiceId), PrivateLink> = BTreeMap::new();
    for (index, service) in system.services.iter().enumerate() {
        let Some(subnet) = service.subnet.map(|subnet| subnet.value) else {
            continue;
        };
        for call in &service.calls {
            if call.via.value != Via::PrivateLink {
                continue;
            }
            let Some(port) = system.service(call.target).and_then(service_port) else {
                continue;
            };
            let link = links
                .entry((subnet.network, call.target))
                .or_insert_with(|| PrivateLink {
                    network: subnet.network,
                    subnet,
                    callee: call.target,
                    callers: Vec::new(),
                    port,
                });
            if !link.callers.contains(&ServiceId(index)) {
                link.callers.push(ServiceId(index));
            }
        }
    }
    plan.private_links = links.into_values().collect();
}

fn component(service: ServiceId) -> Logical {
    Logical::Component(ComponentId::Service(service))
}

/// Every network flow of the system.
fn flows(system: &System, plan: &Plan) -> Vec<Flow> {
    let mut flows: Vec<Flow> = Vec::new();
    let name = |service: ServiceId| {
        system
            .service(service)
            .map_or(String::new(), |service| service.name.text.clone())
    };
    let subnet_of = |owner: Guarded| plan.subnet_of(system, owner);
    let mut known = std::collections::BTreeSet::new();
    let mut push = |flow: Flow| {
        let key = (
            flow.source,
            flow.destination,
            flow.ports,
            flow.protocol,
            flow.origin,
            flow.target,
        );
        if known.insert(key) {
            flows.push(flow);
        }
    };
    // Load balancers: clients to the balancer, the balancer to its targets,
    // once for each origin so that every flow says whom it serves.
    for balancer in &plan.load_balancers {
        let group = Guarded::LoadBalancer(balancer.id);
        for target in &balancer.targets {
            let Some(service) = system.service(target.service) else {
                continue;
            };
            let exposed = service.expose.as_ref().filter(|expose| {
                expose.public == balancer.public
                    && matches!(
                        (expose.kind, balancer.id),
                        (LoadBalancerKind::Alb, LoadBalancerRef::Alb { .. })
                            | (LoadBalancerKind::Nlb, LoadBalancerRef::Nlb(_))
                    )
            });
            if let Some(expose) = exposed {
                let (source, origin, who) = if balancer.public {
                    (FlowEnd::Internet, Logical::Internet, "internet")
                } else {
                    (
                        FlowEnd::Network(balancer.network),
                        Logical::Network(balancer.network),
                        "clients in the network",
                    )
                };
                let ports: Vec<u16> = match balancer.id {
                    LoadBalancerRef::Alb { .. } => balancer
                        .listeners
                        .iter()
                        .map(|listener| listener.port)
                        .collect(),
                    LoadBalancerRef::Nlb(_) => vec![target.port],
                };
                for port in ports {
                    push(Flow {
                        source,
                        destination: FlowEnd::Group(group),
                        protocol: Protocol::Tcp,
                        ports: PortRange::single(port),
                        origin,
                        target: component(target.service),
                        source_subnet: None,
                        destination_subnet: Some(balancer.subnet),
                        nat_subnet: None,
                        description: format!("{who} to {}", service.name.text),
                        span: expose.span,
                        declared: false,
                    });
                }
                balancer_to_target(
                    &mut push,
                    system,
                    plan,
                    balancer,
                    target,
                    origin,
                    expose.span,
                );
            }
            // Callers that reach the target through this balancer: an
            // internal ALB (`via = alb`) or the NLB behind PrivateLink.
            for (caller_index, caller) in system.services.iter().enumerate() {
                for call in caller
                    .calls
                    .iter()
                    .filter(|call| call.target == target.service)
                {
                    let through_this = match (call.via.value, balancer.id) {
                        (Via::Alb, LoadBalancerRef::Alb { public: false, .. }) => true,
                        (Via::PrivateLink, LoadBalancerRef::Nlb(_)) => balancer.endpoint_service,
                        _ => false,
                    };
                    if through_this {
                        let origin = component(ServiceId(caller_index));
                        balancer_to_target(
                            &mut push, system, plan, balancer, target, origin, call.span,
                        );
                    }
                }
            }
        }
    }
    for (index, service) in system.services.iter().enumerate() {
        let id = ServiceId(index);
        let Some(subnet) = service.subnet.map(|subnet| subnet.value) else {
            continue;
        };
        let me = FlowEnd::Group(Guarded::Service(id));
        for call in &service.calls {
            let Some(callee) = system.service(call.target) else {
                continue;
            };
            let port = service_port(callee);
            let description = format!("{} calls {}", service.name.text, callee.name.text);
            match (call.via.value, port) {
                (Via::Mesh | Via::Dns, Some(port)) if !callee.is_lambda() => push(Flow {
                    source: me,
                    destination: FlowEnd::Group(Guarded::Service(call.target)),
                    protocol: Protocol::Tcp,
                    ports: PortRange::single(port),
                    origin: component(id),
                    target: component(call.target),
                    source_subnet: Some(subnet),
                    destination_subnet: subnet_of(Guarded::Service(call.target)),
                    nat_subnet: None,
                    description,
                    span: call.span,
                    declared: false,
                }),
                (Via::Alb, Some(_)) => {
                    let Some(network) = callee.subnet.map(|subnet| subnet.value.network) else {
                        continue;
                    };
                    let balancer = LoadBalancerRef::Alb {
                        network,
                        public: false,
                    };
                    let listener_port = plan
                        .load_balancer(balancer)
                        .and_then(|balancer| balancer.listeners.first())
                        .map_or(80, |listener| listener.port);
                    push(Flow {
                        source: me,
                        destination: FlowEnd::Group(Guarded::LoadBalancer(balancer)),
                        protocol: Protocol::Tcp,
                        ports: PortRange::single(listener_port),
                        origin: component(id),
                        target: component(call.target),
                        source_subnet: Some(subnet),
                        destination_subnet: subnet_of(Guarded::LoadBalancer(balancer)),
                        nat_subnet: None,
                        description,
                        span: call.span,
                        declared: false,
                    });
                }
                (Via::PrivateLink, Some(port)) => {
                    let endpoint = Guarded::PrivateLink {
                        network: subnet.network,
                        callee: call.target,
                    };
                    push(Flow {
                        source: me,
                        destination: FlowEnd::Group(endpoint),
                        protocol: Protocol::Tcp,
                        ports: PortRange::single(port),
                        origin: component(id),
                        target: component(call.target),
                        source_subnet: Some(subnet),
                        destination_subnet: subnet_of(endpoint),
                        nat_subnet: None,
                        description: format!("{description} over PrivateLink"),
                        span: call.span,
                        declared: false,
                    });
                }
                _ => {}
            }
        }
        for (index, egress) in service.egress.iter().enumerate() {
            let addresses = egress.to.value.addresses();
            let Ok(nat_subnet) = route_out(system, plan, subnet, addresses) else {
                continue;
            };
            let destination = egress
                .host
                .as_ref()
                .map_or_else(|| egress.to.value.to_string(), |host| host.value.clone());
            let end = match egress.to.value {
                Destination::Addresses(cidr) => FlowEnd::Cidr(cidr),
                Destination::PrefixList(_) => FlowEnd::PrefixList(EgressRef { service: id, index }),
            };
            push(Flow {
                source: me,
                destination: end,
                protocol: Protocol::Tcp,
                ports: PortRange::single(egress.port.value),
                origin: component(id),
                target: Logical::Address(addresses),
                source_subnet: Some(subnet),
                destination_subnet: None,
                nat_subnet,
                description: format!("{} reaches {destination}", service.name.text),
                span: egress.span,
                declared: false,
            });
        }
        for usage in &service.uses {
            let DataStore::Database(database) = usage.target else {
                continue;
            };
            let Some(declared) = system.databases.get(database.0) else {
                continue;
            };
            push(Flow {
                source: me,
                destination: FlowEnd::Group(Guarded::Database(database)),
                protocol: Protocol::Tcp,
                ports: PortRange::single(declared.port.value),
                origin: component(id),
                target: Logical::Component(ComponentId::Database(database)),
                source_subnet: Some(subnet),
                destination_subnet: declared.subnet.map(|subnet| subnet.value),
                nat_subnet: None,
                description: format!("{} uses {}", service.name.text, declared.name.text),
                span: usage.span,
                declared: false,
            });
        }
    }
    // AWS APIs.
    for usage in &plan.api_uses {
        let Some(subnet) = system
            .service(usage.service)
            .and_then(|service| service.subnet)
        else {
            continue;
        };
        let network = subnet.value.network;
        let me = FlowEnd::Group(Guarded::Service(usage.service));
        let description = api_description(&name(usage.service), usage.api, usage.reason);
        let (destination, destination_subnet, nat_subnet) = match usage.route {
            ApiRoute::InterfaceEndpoint => {
                let group = Guarded::Endpoint(network, usage.api);
                (FlowEnd::Group(group), subnet_of(group), None)
            }
            ApiRoute::GatewayEndpoint => (FlowEnd::GatewayEndpoint(network, usage.api), None, None),
            ApiRoute::Nat => (
                FlowEnd::PublicApi(usage.api),
                None,
                plan.network(network).and_then(|layout| layout.nat_subnet),
            ),
            ApiRoute::Internet => (FlowEnd::PublicApi(usage.api), None, None),
            ApiRoute::Unreachable => continue,
        };
        push(Flow {
            source: me,
            destination,
            protocol: Protocol::Tcp,
            ports: PortRange::single(443),
            origin: component(usage.service),
            target: Logical::Api(usage.api),
            source_subnet: Some(subnet.value),
            destination_subnet,
            nat_subnet,
            description,
            span: usage.span,
            declared: false,
        });
    }
    let declared = declared_flows(system, plan, &flows);
    flows.extend(declared);
    flows
}

/// One side of a flow as a firewall sees it.
#[derive(Clone, Debug)]
pub struct FirewallFlow {
    pub direction: Direction,
    pub protocol: Protocol,
    pub ports: PortRange,
    /// The other end in the user's terms.
    pub peer: Logical,
    /// The addresses the other end's packets carry.
    pub addresses: Vec<Cidr>,
    pub description: String,
    pub span: Span,
    /// Declared by a firewall rule rather than needed by a relation.
    pub declared: bool,
}

/// The CIDR blocks a physical flow end occupies: for a component, the
/// blocks of the zones of its subnet group.
pub fn addresses(system: &System, plan: &Plan, end: FlowEnd) -> Vec<Cidr> {
    match end {
        FlowEnd::Group(group) => plan
            .subnet_of(system, group)
            .and_then(|subnet| plan.subnet(subnet))
            .map(|layout| layout.zones.clone())
            .unwrap_or_default(),
        other => cidrs_of(plan, other, None),
    }
}

/// The flows in and out of the security group of `owner`, among `flows`.
pub fn firewall_flows(
    system: &System,
    plan: &Plan,
    flows: &[Flow],
    owner: Guarded,
) -> Vec<FirewallFlow> {
    let mut found = Vec::new();
    for flow in flows {
        if flow.destination == FlowEnd::Group(owner) {
            found.push(FirewallFlow {
                direction: Direction::In,
                protocol: flow.protocol,
                ports: flow.ports,
                peer: flow.origin,
                addresses: addresses(system, plan, flow.source),
                description: flow.description.clone(),
                span: flow.span,
                declared: flow.declared,
            });
        }
        if flow.source == FlowEnd::Group(owner) {
            found.push(FirewallFlow {
                direction: Direction::Out,
                protocol: flow.protocol,
                ports: flow.ports,
                peer: flow.target,
                addresses: addresses(system, plan, flow.destination),
                description: flow.description.clone(),
                span: flow.span,
                declared: flow.declared,
            });
        }
    }
    found
}

/// Whether a declared firewall rule lets a flow through: a rule naming a
/// component matches the flows whose other end is that component; a rule
/// naming addresses matches the flows whose other end lies within them.
pub fn rule_covers(plan: &Plan, rule: &FirewallRule, flow: &FirewallFlow) -> bool {
    if rule.direction != flow.direction {
        return false;
    }
    let protocol = rule.protocol == Protocol::All || rule.protocol == flow.protocol;
    let ports = rule
        .ports
        .is_none_or(|ports| ports.value.contains(flow.ports));
    let within = |blocks: &[Cidr]| {
        !flow.addresses.is_empty()
            && flow
                .addresses
                .iter()
                .all(|address| blocks.iter().any(|block| block.contains(*address)))
    };
    let peer = match &rule.peer.value {
        FirewallPeer::Component(component) => flow.peer == Logical::Component(*component),
        FirewallPeer::Cidr(cidr) => within(&[*cidr]),
        FirewallPeer::Subnet(subnet) => within(
            &plan
                .subnet(*subnet)
                .map(SubnetLayout::cidrs)
                .unwrap_or_default(),
        ),
    };
    protocol && ports && peer
}

/// The component whose security group a `firewall` describes.
pub fn firewall_owner(component: ComponentId) -> Option<Guarded> {
    match component {
        ComponentId::Service(id) => Some(Guarded::Service(id)),
        ComponentId::Database(id) => Some(Guarded::Database(id)),
        _ => None,
    }
}

/// What a declared firewall rule that no relation needs becomes: a flow
/// of its own when it names addresses (a CIDR, a subnet group, anywhere)
/// and the owner can reach them: in from them, or out to them (through
/// NAT when they are outside the network). A rule naming a component, or
/// addresses the owner has no route to, stays out, and `check` says why
/// (M318).
pub fn declared_rule_targets(
    system: &System,
    plan: &Plan,
    owner: Guarded,
    rule: &FirewallRule,
) -> Result<Vec<(Cidr, Option<SubnetRef>)>, DeclaredRuleProblem> {
    let subnet = plan
        .subnet_of(system, owner)
        .ok_or(DeclaredRuleProblem::NoSubnet)?;
    let blocks = match &rule.peer.value {
        FirewallPeer::Component(_) => return Err(DeclaredRuleProblem::Component),
        FirewallPeer::Cidr(cidr) => vec![*cidr],
        FirewallPeer::Subnet(peer) => plan
            .subnet(*peer)
            .map(SubnetLayout::cidrs)
            .unwrap_or_default(),
    };
    let mut targets = Vec::new();
    for cidr in blocks {
        let nat = match (rule.direction, route_out(system, plan, subnet, cidr)) {
            (_, Err(RouteProblem::InsideNetwork)) => {
                return Err(DeclaredRuleProblem::InsideNetwork);
            }
            (Direction::In, _) => None,
            (Direction::Out, Err(RouteProblem::NoRouteOut(tier))) => {
                return Err(DeclaredRuleProblem::NoRouteOut(tier));
            }
            (Direction::Out, Ok(nat)) => nat,
        };
        targets.push((cidr, nat));
    }
    Ok(targets)
}

/// Why a subnet group cannot reach addresses on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteProblem {
    /// A private subnet of a network without NAT, or an isolated one.
    NoRouteOut(Tier),
    /// The addresses are inside the network, among its subnets, whose
    /// network ACLs meshc derives from the relations: only a relation to a
    /// component opens both sides.
    InsideNetwork,
}

/// How traffic from a subnet group reaches addresses outside its network:
/// through the NAT gateways of the public subnet group (`Some`), or from a
/// public subnet straight out (`None`). A block that holds the whole
/// network (`anywhere`) counts as outside it.
pub fn route_out(
    system: &System,
    plan: &Plan,
    subnet: SubnetRef,
    cidr: Cidr,
) -> Result<Option<SubnetRef>, RouteProblem> {
    let tier = system
        .subnet(subnet)
        .map_or(Tier::Private, |subnet| subnet.tier.value);
    let Some(layout) = plan.network(subnet.network) else {
        return Err(RouteProblem::NoRouteOut(tier));
    };
    if layout.cidr.contains(cidr) {
        return Err(RouteProblem::InsideNetwork);
    }
    match tier {
        Tier::Public => Ok(None),
        Tier::Private if !layout.nat_zones.is_empty() => Ok(layout.nat_subnet),
        _ => Err(RouteProblem::NoRouteOut(tier)),
    }
}

/// Why a declared firewall rule no relation needs is not emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclaredRuleProblem {
    /// It names a component: meshc opens a path to a component only for a
    /// relation, on both sides.
    Component,
    /// It leads out of the network from a subnet with no route out (no
    /// NAT, or an isolated tier).
    NoRouteOut(Tier),
    /// It names addresses inside the network: meshc opens a path between
    /// its subnets only for a relation, on both sides.
    InsideNetwork,
    /// The firewall's component is in no subnet.
    NoSubnet,
}

fn declared_flows(system: &System, plan: &Plan, derived: &[Flow]) -> Vec<Flow> {
    let mut declared = Vec::new();
    for firewall in &system.firewalls {
        let Some(owner) = firewall_owner(firewall.target.value) else {
            continue;
        };
        let name = system
            .component_name(firewall.target.value)
            .map_or_else(String::new, |name| name.text.clone());
        let needed = firewall_flows(system, plan, derived, owner);
        for rule in &firewall.rules {
            if needed.iter().any(|flow| rule_covers(plan, rule, flow)) {
                continue;
            }
            let Ok(targets) = declared_rule_targets(system, plan, owner, rule) else {
                continue;
            };
            let me = plan.subnet_of(system, owner);
            let ports = rule.ports.map_or(PortRange::ALL, |ports| ports.value);
            let component = Logical::Component(firewall.target.value);
            for (cidr, nat_subnet) in targets {
                let (source, destination, origin, target, source_subnet, destination_subnet) =
                    match rule.direction {
                        Direction::Out => (
                            FlowEnd::Group(owner),
                            FlowEnd::Cidr(cidr),
                            component,
                            Logical::Address(cidr),
                            me,
                            None,
                        ),
                        Direction::In => (
                            FlowEnd::Cidr(cidr),
                            FlowEnd::Group(owner),
                            Logical::Address(cidr),
                            component,
                            None,
                            me,
                        ),
                    };
                declared.push(Flow {
                    source,
                    destination,
                    protocol: rule.protocol,
                    ports,
                    origin,
                    target,
                    source_subnet,
                    destination_subnet,
                    nat_subnet,
                    description: format!("declared in firewall {name}"),
                    span: rule.span,
                    declared: true,
                });
            }
        }
    }
    declared
}

/// Why a service reaches an API, for rule descriptions and diagnostics.
fn api_description(service: &str, api: AwsService, reason: ApiReason) -> String {
    let api_name = api.display_name();
    match reason {
        ApiReason::Image => format!("{service} pulls its container image from {api_name}"),
        ApiReason::Logs => format!("{service} sends its logs to {api_name}"),
        ApiReason::Publish => format!("{service} publishes through {api_name}"),
        ApiReason::Consume => format!("{service} polls {api_name} for its messages"),
        ApiReason::Table => format!("{service} uses its tables in {api_name}"),
        ApiReason::Credentials => {
            format!("{service} reads its database credentials from {api_name}")
        }
        ApiReason::Objects => format!("{service} uses its buckets in {api_name}"),
        ApiReason::Secret => format!("{service} uses its secrets in {api_name}"),
        ApiReason::Parameter => format!("{service} reads its parameters from {api_name}"),
        ApiReason::Invoke => format!("{service} invokes a function through the {api_name} API"),
        ApiReason::Saga => format!("{service} takes part in a saga through {api_name}"),
        ApiReason::Declared => format!("{service} lists `{}` in its `apis`", api.mesh_name()),
    }
}

/// The flow from a load balancer to one of its targets, on behalf of
/// `origin`. Lambda targets are invoked through the Lambda API, not over the
/// network.
fn balancer_to_target(
    push: &mut impl FnMut(Flow),
    system: &System,
    plan: &Plan,
    balancer: &LoadBalancer,
    target: &Target,
    origin: Logical,
    span: Span,
) {
    let Some(service) = system.service(target.service) else {
        return;
    };
    if service.is_lambda() {
        return;
    }
    let kind = match balancer.id {
        LoadBalancerRef::Alb { .. } => "load balancer",
        LoadBalancerRef::Nlb(_) => "network load balancer",
    };
    push(Flow {
        source: FlowEnd::Group(Guarded::LoadBalancer(balancer.id)),
        destination: FlowEnd::Group(Guarded::Service(target.service)),
        protocol: Protocol::Tcp,
        ports: PortRange::single(target.port),
        origin,
        target: component(target.service),
        source_subnet: Some(balancer.subnet),
        destination_subnet: plan.subnet_of(system, Guarded::Service(target.service)),
        nat_subnet: None,
        description: format!("{kind} to {}", service.name.text),
        span,
        declared: false,
    });
}

/// The network a security group's owner belongs to.
fn network_of(system: &System, plan: &Plan, owner: Guarded) -> Option<NetworkId> {
    match owner {
        Guarded::Endpoint(network, _) | Guarded::PrivateLink { network, .. } => Some(network),
        Guarded::LoadBalancer(id) => plan.load_balancer(id).map(|balancer| balancer.network),
        _ => plan.subnet_of(system, owner).map(|subnet| subnet.network),
    }
}

/// Where each rule of a group is, by what makes it the same rule.
type RuleIndex = BTreeMap<(Guarded, bool, Protocol, PortRange, SgPeer), usize>;

#[allow(clippy::too_many_arguments)] // One rule is all of these.
fn add_rule(
    index: &mut RuleIndex,
    owner: Guarded,
    ingress: bool,
    rules: &mut Vec<SgRule>,
    protocol: Protocol,
    ports: PortRange,
    peer: SgPeer,
    description: &str,
    flow: usize,
) {
    let key = (owner, ingress, protocol, ports, peer);
    if let Some(rule) = index
        .get(&key)
        .and_then(|position| rules.get_mut(*position))
    {
        if rule.flows.last() != Some(&flow) {
            rule.flows.push(flow);
        }
        return;
    }
    index.insert(key, rules.len());
    rules.push(SgRule {
        protocol,
        ports,
        peer,
        description: description.to_string(),
        flows: vec![flow],
    });
}

fn security_groups(system: &System, plan: &Plan) -> Vec<SecurityGroup> {
    let mut groups: BTreeMap<Guarded, SecurityGroup> = BTreeMap::new();
    let ensure = |owner: Guarded, groups: &mut BTreeMap<Guarded, SecurityGroup>| {
        if let Some(network) = network_of(system, plan, owner) {
            groups.entry(owner).or_insert_with(|| SecurityGroup {
                owner,
                network,
                ingress: Vec::new(),
                egress: Vec::new(),
            });
        }
    };
    for (index, service) in system.services.iter().enumerate() {
        if service.subnet.is_some() {
            ensure(Guarded::Service(ServiceId(index)), &mut groups);
        }
    }
    for (index, database) in system.databases.iter().enumerate() {
        if database.subnet.is_some() {
            ensure(Guarded::Database(DatabaseId(index)), &mut groups);
        }
    }
    for layout in &plan.networks {
        for endpoint in &layout.endpoints {
            if endpoint.kind == EndpointKind::Interface && endpoint.subnet.is_some() {
                ensure(
                    Guarded::Endpoint(layout.network, endpoint.service),
                    &mut groups,
                );
            }
        }
    }
    for balancer in &plan.load_balancers {
        ensure(Guarded::LoadBalancer(balancer.id), &mut groups);
    }
    for link in &plan.private_links {
        ensure(
            Guarded::PrivateLink {
                network: link.network,
                callee: link.callee,
            },
            &mut groups,
        );
    }
    let mut rule_index = RuleIndex::new();
    for (index, flow) in plan.flows.iter().enumerate() {
        if let FlowEnd::Group(source) = flow.source {
            let peer = match flow.destination {
                FlowEnd::Group(group) => SgPeer::Group(group),
                FlowEnd::GatewayEndpoint(network, api) => SgPeer::PrefixList(network, api),
                FlowEnd::Internet | FlowEnd::PublicApi(_) => SgPeer::Cidr(Cidr::anywhere()),
                FlowEnd::Cidr(cidr) => SgPeer::Cidr(cidr),
                FlowEnd::PrefixList(egress) => SgPeer::Declared(egress),
                FlowEnd::Network(network) => SgPeer::Cidr(
                    plan.network(network)
                        .map_or(Cidr::anywhere(), |layout| layout.cidr),
                ),
            };
            if let Some(group) = groups.get_mut(&source) {
                add_rule(
                    &mut rule_index,
                    source,
                    false,
                    &mut group.egress,
                    flow.protocol,
                    flow.ports,
                    peer,
                    &flow.description,
                    index,
                );
            }
        }
        if let FlowEnd::Group(destination) = flow.destination {
            let peer = match flow.source {
                FlowEnd::Group(group) => SgPeer::Group(group),
                FlowEnd::Internet | FlowEnd::PublicApi(_) => SgPeer::Cidr(Cidr::anywhere()),
                FlowEnd::Cidr(cidr) => SgPeer::Cidr(cidr),
                FlowEnd::Network(network) => SgPeer::Cidr(
                    plan.network(network)
                        .map_or(Cidr::anywhere(), |layout| layout.cidr),
                ),
                FlowEnd::GatewayEndpoint(network, api) => SgPeer::PrefixList(network, api),
                FlowEnd::PrefixList(egress) => SgPeer::Declared(egress),
            };
            if let Some(group) = groups.get_mut(&destination) {
                add_rule(
                    &mut rule_index,
                    destination,
                    true,
                    &mut group.ingress,
                    flow.protocol,
                    flow.ports,
                    peer,
                    &flow.description,
                    index,
                );
            }
        }
    }
    groups.into_values().collect()
}

/// The CIDR blocks a flow end occupies, for NACL entries.
fn cidrs_of(plan: &Plan, end: FlowEnd, subnet: Option<SubnetRef>) -> Vec<Cidr> {
    match end {
        // A network ACL cannot name a prefix list: its entries open the
        // port to anywhere, and the security group holds the list.
        FlowEnd::Internet
        | FlowEnd::PublicApi(_)
        | FlowEnd::GatewayEndpoint(..)
        | FlowEnd::PrefixList(_) => {
            vec![Cidr::anywhere()]
        }
        FlowEnd::Cidr(cidr) => vec![cidr],
        FlowEnd::Network(network) => plan
            .network(network)
            .map(|layout| vec![layout.cidr])
            .unwrap_or_default(),
        FlowEnd::Group(_) => subnet
            .and_then(|subnet| plan.subnet(subnet))
            .map(SubnetLayout::cidrs)
            .unwrap_or_default(),
    }
}

#[derive(Default)]
struct NaclDraft {
    ingress: Vec<NaclEntry>,
    egress: Vec<NaclEntry>,
}

fn add_entry(
    entries: &mut Vec<NaclEntry>,
    ports: PortRange,
    cidr: Cidr,
    returning: bool,
    flow: usize,
) {
    if let Some(entry) = entries
        .iter_mut()
        .find(|entry| entry.ports == ports && entry.cidr == cidr && entry.returning == returning)
    {
        // Duplicates go when the entries are numbered.
        entry.flows.push(flow);
        return;
    }
    entries.push(NaclEntry {
        number: 0,
        protocol: Protocol::Tcp,
        ports,
        cidr,
        returning,
        flows: vec![flow],
    });
}

/// The stateless NACL rules of each subnet group: for every flow that enters
/// or leaves it, the request direction and the return traffic on the
/// ephemeral ports.
fn nacls(system: &System, plan: &Plan) -> Vec<NaclPlan> {
    let mut drafts: BTreeMap<SubnetRef, NaclDraft> = BTreeMap::new();
    for layout in &plan.networks {
        for subnet in &layout.subnets {
            drafts.entry(subnet.subnet).or_default();
        }
    }
    for (index, flow) in plan.flows.iter().enumerate() {
        // Traffic between two addresses of one subnet meets no NACL: a flow
        // within a subnet group of a single zone needs no entries.
        let within_one_subnet = flow.source_subnet.is_some()
            && flow.source_subnet == flow.destination_subnet
            && flow
                .source_subnet
                .and_then(|subnet| plan.subnet(subnet))
                .is_some_and(|layout| layout.zones.len() == 1);
        if within_one_subnet {
            continue;
        }
        let sources = cidrs_of(plan, flow.source, flow.source_subnet);
        let destinations = cidrs_of(plan, flow.destination, flow.destination_subnet);
        if let Some(draft) = flow
            .source_subnet
            .and_then(|subnet| drafts.get_mut(&subnet))
        {
            for cidr in &destinations {
                add_entry(&mut draft.egress, flow.ports, *cidr, false, index);
                add_entry(&mut draft.ingress, PortRange::EPHEMERAL, *cidr, true, index);
            }
        }
        if let Some(draft) = flow
            .destination_subnet
            .and_then(|subnet| drafts.get_mut(&subnet))
        {
            for cidr in &sources {
                add_entry(&mut draft.ingress, flow.ports, *cidr, false, index);
                add_entry(&mut draft.egress, PortRange::EPHEMERAL, *cidr, true, index);
            }
        }
        // Through NAT: in from the private subnets, out to the internet, and
        // the replies back the same way.
        if let Some(draft) = flow.nat_subnet.and_then(|subnet| drafts.get_mut(&subnet)) {
            for cidr in &sources {
                add_entry(&mut draft.ingress, flow.ports, *cidr, false, index);
                add_entry(&mut draft.egress, PortRange::EPHEMERAL, *cidr, true, index);
            }
            for cidr in &destinations {
                add_entry(&mut draft.egress, flow.ports, *cidr, false, index);
                add_entry(&mut draft.ingress, PortRange::EPHEMERAL, *cidr, true, index);
            }
        }
    }
    drafts
        .into_iter()
        .map(|(subnet, draft)| {
            let declared = system
                .nacls
                .iter()
                .position(|nacl| nacl.subnet.is_some_and(|declared| declared.value == subnet));
            NaclPlan {
                subnet,
                ingress: numbered(draft.ingress),
                egress: numbered(draft.egress),
                declared,
            }
        })
        .collect()
}

/// Orders entries (requests before replies, then by port and address),
/// leaves out those whose every packet an earlier entry already allows
/// (they would never apply; their flows are served by the earlier ones),
/// and numbers the rest 100, 110, ...
fn numbered(mut entries: Vec<NaclEntry>) -> Vec<NaclEntry> {
    entries.sort_by_key(|a| (a.returning, a.ports, a.cidr));
    let mut kept: Vec<NaclEntry> = Vec::new();
    for entry in entries {
        let earlier: Vec<(bool, Protocol, PortRange, Cidr)> = kept
            .iter()
            .map(|kept| (true, kept.protocol, kept.ports, kept.cidr))
            .collect();
        if evaluate(&earlier, entry.protocol, entry.ports, entry.cidr) != Verdict::Allowed {
            kept.push(entry);
            continue;
        }
        for covering in kept.iter_mut().filter(|kept| {
            kept.ports.from <= entry.ports.to
                && entry.ports.from <= kept.ports.to
                && kept.cidr.overlaps(entry.cidr)
        }) {
            covering.flows.extend(entry.flows.iter().copied());
        }
    }
    for (position, entry) in kept.iter_mut().enumerate() {
        entry.number = u16::try_from(100 + position * 10).unwrap_or(u16::MAX);
        entry.flows.sort_unstable();
        entry.flows.dedup();
    }
    kept
}

/// What an ordered list of NACL rules does with some traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every packet is allowed by the first rule that matches it.
    Allowed,
    /// Some packets are denied by this rule.
    Denied(usize),
    /// Some packets match no rule, and the NACL's final deny drops them.
    Unmatched,
}

/// Evaluates ordered NACL rules `(allow, protocol, ports, cidr)` over all
/// the packets of `protocol` on `ports` from or to `cidr`, as AWS does for
/// each packet: the first rule that matches it decides.
pub fn evaluate(
    rules: &[(bool, Protocol, PortRange, Cidr)],
    protocol: Protocol,
    ports: PortRange,
    cidr: Cidr,
) -> Verdict {
    let (deciding, unmatched) = decide(rules, protocol, ports, cidr);
    if let Some(index) = deciding
        .into_iter()
        .find(|index| rules.get(*index).is_some_and(|rule| !rule.0))
    {
        return Verdict::Denied(index);
    }
    if unmatched {
        Verdict::Unmatched
    } else {
        Verdict::Allowed
    }
}

/// The rules that decide some of the packets of `protocol` on `ports` from
/// or to `cidr` (for each packet, the first rule that matches it), in
/// order, and whether some packets match no rule.
pub fn decide(
    rules: &[(bool, Protocol, PortRange, Cidr)],
    protocol: Protocol,
    ports: PortRange,
    cidr: Cidr,
) -> (Vec<usize>, bool) {
    let mut deciding = Vec::new();
    let mut remaining = vec![(ports, cidr)];
    for (index, (_, rule_protocol, rule_ports, rule_cidr)) in rules.iter().enumerate() {
        if !(*rule_protocol == Protocol::All || *rule_protocol == protocol) {
            continue;
        }
        let mut next = Vec::new();
        for (part_ports, part_cidr) in remaining {
            let ports_meet = rule_ports.from <= part_ports.to && part_ports.from <= rule_ports.to;
            if !(ports_meet && rule_cidr.overlaps(part_cidr)) {
                next.push((part_ports, part_cidr));
                continue;
            }
            if deciding.last() != Some(&index) {
                deciding.push(index);
            }
            // What the rule does not match stays to be decided.
            if part_ports.from < rule_ports.from {
                next.push((
                    PortRange {
                        from: part_ports.from,
                        to: rule_ports.from - 1,
                    },
                    part_cidr,
                ));
            }
            if part_ports.to > rule_ports.to {
                next.push((
                    PortRange {
                        from: rule_ports.to + 1,
                        to: part_ports.to,
                    },
                    part_cidr,
                ));
            }
            let shared = PortRange {
                from: part_ports.from.max(rule_ports.from),
                to: part_ports.to.min(rule_ports.to),
            };
            for rest in cidr_difference(part_cidr, *rule_cidr) {
                next.push((shared, rest));
            }
        }
        if next.is_empty() {
            return (deciding, false);
        }
        remaining = next;
    }
    (deciding, true)
}

/// The blocks of `outer` not in `inner`.
fn cidr_difference(outer: Cidr, inner: Cidr) -> Vec<Cidr> {
    if inner.contains(outer) {
        return Vec::new();
    }
    if !outer.contains(inner) {
        return vec![outer];
    }
    let Ok(halves) = outer.0.subnets(outer.prefix() + 1) else {
        return Vec::new();
    };
    halves
        .flat_map(|half| {
            let half = Cidr(half);
            if half.contains(inner) || inner.contains(half) {
                cidr_difference(half, inner)
            } else {
                vec![half]
            }
        })
        .collect()
}

/// The direction an entry of a derived NACL applies to.
pub fn direction_of(ingress: bool) -> Direction {
    if ingress {
        Direction::In
    } else {
        Direction::Out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::units::cidr;

    #[test]
    fn bits_cover_the_count() {
        assert_eq!(bits_for(1), 0);
        assert_eq!(bits_for(2), 1);
        assert_eq!(bits_for(3), 2);
        assert_eq!(bits_for(4), 2);
        assert_eq!(bits_for(5), 3);
    }

    #[test]
    fn rules_decide_packet_by_packet() {
        let vpc = cidr("10.0.0.0/16").unwrap();
        let app = cidr("10.0.64.0/18").unwrap();
        let world = Cidr::anywhere();
        let rules = [
            (false, Protocol::Tcp, PortRange::single(22), world),
            (true, Protocol::Tcp, PortRange::single(8080), app),
            (true, Protocol::Tcp, PortRange::EPHEMERAL, world),
            (true, Protocol::All, PortRange::ALL, vpc),
        ];
        assert_eq!(
            evaluate(&rules, Protocol::Tcp, PortRange::single(22), vpc),
            Verdict::Denied(0)
        );
        assert_eq!(
            evaluate(&rules, Protocol::Tcp, PortRange::single(443), app),
            Verdict::Allowed
        );
        // 8080 from the app subnets is allowed by rule 1, the rest by rule 2.
        assert_eq!(
            evaluate(&rules, Protocol::Tcp, PortRange::EPHEMERAL, world),
            Verdict::Allowed
        );
        assert_eq!(
            evaluate(&rules, Protocol::Tcp, PortRange::single(443), world),
            Verdict::Unmatched
        );
        assert_eq!(
            evaluate(&rules[..1], Protocol::Tcp, PortRange::single(443), vpc),
            Verdict::Unmatched
        );
        // A deny that only part of the traffic reaches still blocks it.
        let partial = [
            (
                true,
                Protocol::Tcp,
                PortRange {
                    from: 1024,
                    to: 2000,
                },
                world,
            ),
            (false, Protocol::All, PortRange::ALL, world),
        ];
        assert_eq!(
            evaluate(&partial, Protocol::Tcp, PortRange::EPHEMERAL, vpc),
            Verdict::Denied(1)
        );
    }

    #[test]
    fn rules_that_decide_are_listed_in_order() {
        let app = cidr("10.0.64.0/18").unwrap();
        let world = Cidr::anywhere();
        let rules = [
            (false, Protocol::Tcp, PortRange::single(22), world),
            (true, Protocol::Tcp, PortRange::single(8080), app),
            (true, Protocol::Tcp, PortRange::EPHEMERAL, world),
            (true, Protocol::Tcp, PortRange::EPHEMERAL, app),
        ];
        // Rule 3 never decides: rule 2 takes all its packets first.
        assert_eq!(
            decide(&rules, Protocol::Tcp, PortRange::EPHEMERAL, app),
            (vec![1, 2], false)
        );
        assert_eq!(
            decide(&rules, Protocol::Tcp, PortRange::ALL, app),
            (vec![0, 1, 2], true)
        );
    }

    #[test]
    fn entries_that_never_apply_are_left_out() {
        let app = cidr("10.0.64.0/18").unwrap();
        let entry = |ports: PortRange, cidr: Cidr, returning: bool, flow: usize| NaclEntry {
            number: 0,
            protocol: Protocol::Tcp,
            ports,
            cidr,
            returning,
            flows: vec![flow],
        };
        let entries = numbered(vec![
            entry(PortRange::EPHEMERAL, app, true, 0),
            entry(PortRange::EPHEMERAL, Cidr::anywhere(), true, 1),
            entry(PortRange::single(443), app, false, 2),
        ]);
        let kept: Vec<(u16, PortRange, Cidr, Vec<usize>)> = entries
            .into_iter()
            .map(|entry| (entry.number, entry.ports, entry.cidr, entry.flows))
            .collect();
        assert_eq!(
            kept,
            [
                (100, PortRange::single(443), app, vec![2]),
                (110, PortRange::EPHEMERAL, Cidr::anywhere(), vec![0, 1]),
            ]
        );
    }

    #[test]
    fn cidr_differences_cover_the_rest() {
        let outer = cidr("10.0.0.0/16").unwrap();
        let inner = cidr("10.0.64.0/18").unwrap();
        let rest: Vec<String> = cidr_difference(outer, inner)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(rest, ["10.0.0.0/18", "10.0.128.0/17"]);
        assert!(cidr_difference(inner, outer).is_empty());
    }
}
