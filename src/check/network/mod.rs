//! M3xx, network and security: where components run, how they reach each
//! other and AWS, and whether declared `firewall`s and `nacl`s agree with
//! the flows meshc derives.

pub mod address_space_exhausted;
pub mod aws_api_unreachable;
pub mod call_outside_reach;
pub mod cidr_outside_network;
pub mod datastore_outside_isolated_tier;
pub mod egress_without_route;
pub mod firewall_missing_flow;
pub mod firewall_rule_not_emitted;
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

use crate::graph::network::{Guarded, Logical, Plan};
use crate::model::{Cidr, ComponentId, PortRange, SubnetRef, System, Tier};
use crate::vocabulary::Protocol;

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
        Logical::Address(cidr) if cidr == Cidr::anywhere() => "anywhere".to_string(),
        Logical::Address(cidr) => format!("`{cidr}`"),
    }
}

pub(crate) use crate::graph::network::{FirewallFlow, rule_covers};

/// The component whose security group a `firewall` describes.
pub(crate) fn guarded(component: ComponentId) -> Option<Guarded> {
    crate::graph::network::firewall_owner(component)
}

/// The rules of declared firewalls that no flow a relation needs goes
/// through, with the firewall's component, its name and its owner.
pub(crate) fn rules_no_relation_needs<'a>(
    system: &'a System,
    plan: &Plan,
) -> Vec<(&'a str, Guarded, &'a crate::model::FirewallRule)> {
    let mut found = Vec::new();
    for firewall in &system.firewalls {
        let Some(owner) = guarded(firewall.target.value) else {
            continue;
        };
        let name = system
            .component_name(firewall.target.value)
            .map_or("", |name| name.text.as_str());
        let needed: Vec<FirewallFlow> = firewall_flows(system, plan, owner)
            .into_iter()
            .filter(|flow| !flow.declared)
            .collect();
        for rule in &firewall.rules {
            if !needed.iter().any(|flow| rule_covers(plan, rule, flow)) {
                found.push((name, owner, rule));
            }
        }
    }
    found
}

/// The flows in and out of the security group of `owner`.
pub(crate) fn firewall_flows(system: &System, plan: &Plan, owner: Guarded) -> Vec<FirewallFlow> {
    crate::graph::network::firewall_flows(system, plan, &plan.flows, owner)
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
