//! M3xx, network and security: where components run, how they reach each
//! other and AWS, and whether declared `firewall`s and `nacl`s agree with
//! the flows meshc derives.

pub mod address_space_exhausted;
pub mod aws_api_unreachable;
pub mod call_outside_reach;
pub mod cidr_outside_network;
pub mod datastore_outside_isolated_tier;
pub mod firewall_missing_flow;
pub mod firewall_unneeded_rule;
pub mod listener_without_tls;
pub mod nacl_blocks_flow;
pub mod nacl_unneeded_rule;
pub mod nat_without_public_subnet;
pub mod open_to_the_world;
pub mod overlapping_cidrs;
pub mod public_exposure_without_public_subnet;
pub mod runtime_in_public_subnet;
pub mod shadowed_nacl_rule;
pub mod store_outside_reach;

use crate::graph::network::{FlowEnd, Guarded, Logical, Plan};
use crate::model::{Cidr, ComponentId, PortRange, SubnetRef, System, Tier};
use crate::syntax::ast::{Direction, Protocol};

/// `app`, for messages.
pub(crate) fn subnet_name(system: &System, subnet: SubnetRef) -> String {
    system
        .subnet(subnet)
        .map_or_else(String::new, |subnet| subnet.name.text.clone())
}

/// `main`, for messages.
pub(crate) fn network_name(system: &System, network: crate::model::NetworkId) -> &str {
    system
        .networks
        .get(network.0)
        .map_or("", |network| network.name.text.as_str())
}

/// The first subnet group of a tier in the network of `subnet`, to suggest.
pub(crate) fn subnet_of_tier(
    system: &System,
    network: crate::model::NetworkId,
    tier: Tier,
) -> Option<String> {
    system
        .network(network)?
        .subnets
        .iter()
        .find(|subnet| subnet.tier.value == tier)
        .map(|subnet| subnet.name.text.clone())
}

/// How a flow end is named in messages.
pub(crate) fn describe(system: &System, logical: Logical) -> String {
    match logical {
        Logical::Component(id) => system
            .component_name(id)
            .map_or_else(String::new, |name| format!("`{}`", name.text)),
        Logical::Internet => "the internet".to_string(),
        Logical::Network(network) => system.network(network).map_or_else(String::new, |network| {
            format!("clients in network `{}`", network.name.text)
        }),
        Logical::Api(api) => format!("the {} API", api.display_name()),
    }
}

/// The component whose security group a `firewall` describes.
pub(crate) fn guarded(component: ComponentId) -> Option<Guarded> {
    match component {
        ComponentId::Service(id) => Some(Guarded::Service(id)),
        ComponentId::Database(id) => Some(Guarded::Database(id)),
        _ => None,
    }
}

/// The CIDR blocks a physical flow end occupies.
pub(crate) fn addresses(system: &System, plan: &Plan, end: FlowEnd) -> Vec<Cidr> {
    match end {
        FlowEnd::Internet | FlowEnd::PublicApi(_) | FlowEnd::GatewayEndpoint(..) => {
            vec![Cidr::anywhere()]
        }
        FlowEnd::Network(network) => plan
            .network(network)
            .map(|layout| vec![layout.cidr])
            .unwrap_or_default(),
        FlowEnd::Group(group) => plan
            .subnet_of(system, group)
            .and_then(|subnet| plan.subnet(subnet))
            .map(|layout| layout.zones.clone())
            .unwrap_or_default(),
    }
}

/// One side of a derived flow as a firewall sees it.
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
    pub span: crate::diagnostics::Span,
}

/// The flows in and out of the security group of `owner`.
pub(crate) fn firewall_flows(system: &System, plan: &Plan, owner: Guarded) -> Vec<FirewallFlow> {
    let mut flows = Vec::new();
    for flow in &plan.flows {
        if flow.destination == FlowEnd::Group(owner) {
            flows.push(FirewallFlow {
                direction: Direction::In,
                protocol: flow.protocol,
                ports: flow.ports,
                peer: flow.origin,
                addresses: addresses(system, plan, flow.source),
                description: flow.description.clone(),
                span: flow.span,
            });
        }
        if flow.source == FlowEnd::Group(owner) {
            flows.push(FirewallFlow {
                direction: Direction::Out,
                protocol: flow.protocol,
                ports: flow.ports,
                peer: flow.target,
                addresses: addresses(system, plan, flow.destination),
                description: flow.description.clone(),
                span: flow.span,
            });
        }
    }
    flows
}

/// Whether a declared firewall rule lets a flow through: a rule naming a
/// component matches the flows whose other end is that component; a rule
/// naming addresses matches the flows whose packets come from (or go to)
/// those addresses.
pub(crate) fn rule_covers(
    plan: &Plan,
    rule: &crate::model::FirewallRule,
    flow: &FirewallFlow,
) -> bool {
    if rule.direction != flow.direction {
        return false;
    }
    let protocol = rule.protocol == Protocol::All || rule.protocol == flow.protocol;
    let ports = rule
        .ports
        .is_none_or(|ports| ports.value.contains(flow.ports));
    let peer = match &rule.peer.value {
        crate::model::FirewallPeer::Component(component) => {
            flow.peer == Logical::Component(*component)
        }
        crate::model::FirewallPeer::Cidr(cidr) => {
            !flow.addresses.is_empty()
                && flow.addresses.iter().all(|address| cidr.contains(*address))
        }
        crate::model::FirewallPeer::Subnet(subnet) => {
            let blocks = plan
                .subnet(*subnet)
                .map(super::super::graph::network::SubnetLayout::cidrs)
                .unwrap_or_default();
            !flow.addresses.is_empty()
                && flow
                    .addresses
                    .iter()
                    .all(|address| blocks.iter().any(|block| block.contains(*address)))
        }
    };
    protocol && ports && peer
}

/// `service` or `database`, for names.
pub(crate) fn component_of(owner: Guarded) -> Option<ComponentId> {
    match owner {
        Guarded::Service(id) => Some(ComponentId::Service(id)),
        Guarded::Database(id) => Some(ComponentId::Database(id)),
        _ => None,
    }
}

/// Whether the internet reaches a component (through a public load
/// balancer).
pub(crate) fn is_public(plan: &Plan, component: ComponentId) -> bool {
    plan.flows.iter().any(|flow| {
        flow.origin == Logical::Internet && flow.target == Logical::Component(component)
    })
}

/// How a port range is written in mesh.
pub(crate) fn ports_text(protocol: Protocol, ports: PortRange) -> String {
    if ports == PortRange::ALL {
        protocol.text().to_string()
    } else {
        format!("{} {ports}", protocol.text())
    }
}
