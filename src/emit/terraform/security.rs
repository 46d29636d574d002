//! `security_groups.tf` and `nacls.tf`: the security groups of the network
//! plan with one rule resource per derived rule, and a NACL per subnet group
//! (the derived entries, or the user's `nacl` as written).

use super::Context;
use super::writer::{TfFile, aws_name, object, reference, resource};
use crate::emit::names;
use crate::graph::network::{Guarded, NaclPlan, SecurityGroup, SgPeer, SgRule, SubnetLayout};
use crate::model::{Cidr, NaclPeer, PortRange};
use crate::syntax::ast::{Direction, Protocol, RuleAction};

/// `tcp`, `udp`, `icmp` or `-1`, as the AWS provider writes protocols.
fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Icmp => "icmp",
        Protocol::All => "-1",
    }
}

fn ports_label(ports: PortRange) -> String {
    if ports.from == ports.to {
        ports.from.to_string()
    } else {
        format!("{}-{}", ports.from, ports.to)
    }
}

fn cidr_label(cidr: Cidr) -> String {
    if cidr == Cidr::anywhere() {
        "anywhere".to_string()
    } else {
        cidr.to_string().replace(['.', '/'], "-")
    }
}

fn peer_label(context: &Context<'_>, peer: SgPeer) -> String {
    match peer {
        SgPeer::Group(group) => names::guarded(context.system, group),
        SgPeer::Cidr(cidr) => cidr_label(cidr),
        SgPeer::PrefixList(_, api) => format!("{}-prefix-list", api.mesh_name()),
    }
}

/// The description of a security group: what it guards.
fn group_description(context: &Context<'_>, group: &SecurityGroup) -> String {
    let system = context.system;
    match group.owner {
        Guarded::Service(_) | Guarded::Database(_) => {
            let kind = if matches!(group.owner, Guarded::Service(_)) {
                "service"
            } else {
                "database"
            };
            format!("The {kind} {}", names::guarded(system, group.owner))
        }
        Guarded::Endpoint(_, api) => format!("The {} interface endpoint", api.mesh_name()),
        Guarded::LoadBalancer(_) => format!(
            "The load balancer {}",
            names::physical(&names::guarded(system, group.owner))
        ),
        Guarded::PrivateLink { .. } => {
            format!(
                "The PrivateLink endpoint {}",
                names::physical(&names::guarded(system, group.owner))
            )
        }
    }
}

fn add_rule(
    file: &mut TfFile,
    context: &Context<'_>,
    owner: Guarded,
    group: &str,
    rule: &SgRule,
    ingress: bool,
) {
    let direction = if ingress { "in" } else { "out" };
    let kind = if ingress {
        "aws_vpc_security_group_ingress_rule"
    } else {
        "aws_vpc_security_group_egress_rule"
    };
    let label = format!(
        "{group}--{direction}-{}-{}",
        ports_label(rule.ports),
        peer_label(context, rule.peer)
    );
    let mut block = resource(kind, &label)
        .add_attribute((
            "security_group_id",
            reference(&format!("aws_security_group.{group}.id")),
        ))
        .add_attribute(("description", description(&rule.description)))
        .add_attribute(("ip_protocol", protocol_name(rule.protocol)));
    if rule.protocol != Protocol::All {
        block = block
            .add_attribute(("from_port", rule.ports.from))
            .add_attribute(("to_port", rule.ports.to));
    }
    block = match rule.peer {
        SgPeer::Group(peer) => block.add_attribute((
            "referenced_security_group_id",
            reference(&format!(
                "aws_security_group.{}.id",
                names::guarded(context.system, peer)
            )),
        )),
        SgPeer::Cidr(cidr) => block.add_attribute(("cidr_ipv4", cidr.to_string())),
        SgPeer::PrefixList(network, api) => block.add_attribute((
            "prefix_list_id",
            reference(&format!(
                "aws_vpc_endpoint.{}.prefix_list_id",
                names::endpoint(context.system, network, api)
            )),
        )),
    };
    let index = file.add(block.build());
    // An internet-facing load balancer is meant to be reached from anywhere.
    if let (true, SgPeer::Cidr(cidr), Guarded::LoadBalancer(balancer)) = (ingress, rule.peer, owner)
    {
        let public = context
            .graph
            .network
            .load_balancer(balancer)
            .filter(|found| found.public);
        if let (true, Some(public)) = (cidr == Cidr::anywhere(), public) {
            let redirect = public
                .listeners
                .iter()
                .any(|listener| listener.port == rule.ports.from && listener.redirect_to_https);
            let reason = if redirect {
                "the internet-facing load balancer's HTTP listener only redirects to HTTPS"
            } else {
                "the service is exposed to the internet as declared; meshc warns when a public listener has no TLS certificate"
            };
            if rule.ports.from <= 80 && 80 <= rule.ports.to {
                file.note_inside(index, &format!("#checkov:skip=CKV_AWS_260:{reason}"));
            }
        }
    }
}

/// A rule description in the characters AWS accepts there.
fn description(text: &str) -> String {
    let allowed = |ch: char| ch.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(ch);
    let cleaned: String = text
        .chars()
        .map(|ch| if allowed(ch) { ch } else { ' ' })
        .collect();
    cleaned.chars().take(255).collect()
}

pub(super) fn security_groups(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let mut file = TfFile::default();
    for group in &context.graph.network.security_groups {
        let name = names::guarded(system, group.owner);
        let network = names::network(system, group.network);
        let index = file.add(
            resource("aws_security_group", &name)
                .add_attribute(("name", aws_name(&name)))
                .add_attribute((
                    "description",
                    description(&group_description(context, group)),
                ))
                .add_attribute(("vpc_id", reference(&format!("aws_vpc.{network}.id"))))
                .add_attribute(("tags", object([("Name", aws_name(&name))])))
                .build(),
        );
        if group.ingress.is_empty() && group.egress.is_empty() {
            file.note_above(index, "No flow reaches or leaves this component over the network: the group allows nothing.");
        }
        for rule in &group.ingress {
            add_rule(&mut file, context, group.owner, &name, rule, true);
        }
        for rule in &group.egress {
            add_rule(&mut file, context, group.owner, &name, rule, false);
        }
    }
    file
}

/// One NACL rule to emit.
struct NaclLine {
    number: u16,
    egress: bool,
    allow: bool,
    protocol: Protocol,
    ports: PortRange,
    cidr: Cidr,
}

fn nacl_rule(file: &mut TfFile, nacl: &str, line: &NaclLine) -> usize {
    let direction = if line.egress { "out" } else { "in" };
    let mut block = resource(
        "aws_network_acl_rule",
        &format!("{nacl}--{direction}-{}", line.number),
    )
    .add_attribute((
        "network_acl_id",
        reference(&format!("aws_network_acl.{nacl}.id")),
    ))
    .add_attribute(("rule_number", line.number))
    .add_attribute(("egress", line.egress))
    .add_attribute(("protocol", protocol_name(line.protocol)))
    .add_attribute(("rule_action", if line.allow { "allow" } else { "deny" }))
    .add_attribute(("cidr_block", line.cidr.to_string()));
    match line.protocol {
        Protocol::Tcp | Protocol::Udp => {
            block = block
                .add_attribute(("from_port", line.ports.from))
                .add_attribute(("to_port", line.ports.to));
        }
        Protocol::Icmp => {
            block = block
                .add_attribute(("icmp_type", -1))
                .add_attribute(("icmp_code", -1));
        }
        Protocol::All => {}
    }
    file.add(block.build())
}

/// Why an entry with an ingress from anywhere on the ephemeral ports is
/// acceptable, for the checkov rules that flag ports 20, 21, 22 and 3389.
const EPHEMERAL_FROM_ANYWHERE: &str = "replies to connections the subnet opens (NAT, gateway endpoints) arrive on the ephemeral ports from any address; NACLs are stateless and cannot match replies, and the stateful security groups admit no such inbound connections";

/// The rules of a declared `nacl`, numbered in the order written; a rule
/// naming a subnet becomes one rule per block of it.
fn declared_lines(
    plan: &crate::graph::network::Plan,
    declared: &crate::model::Nacl,
) -> Vec<NaclLine> {
    let mut lines = Vec::new();
    for (egress, direction) in [(false, Direction::In), (true, Direction::Out)] {
        let mut number = 100u16;
        for rule in declared
            .rules
            .iter()
            .filter(|rule| rule.direction == direction)
        {
            let cidrs = match rule.peer.value {
                NaclPeer::Cidr(cidr) => vec![cidr],
                NaclPeer::Subnet(subnet) => plan
                    .subnet(subnet)
                    .map(SubnetLayout::cidrs)
                    .unwrap_or_default(),
            };
            for cidr in cidrs {
                lines.push(NaclLine {
                    number,
                    egress,
                    allow: rule.action == RuleAction::Allow,
                    protocol: rule.protocol,
                    ports: rule.ports.map_or(PortRange::ALL, |ports| ports.value),
                    cidr,
                });
                number = number.saturating_add(10);
            }
        }
    }
    lines
}

/// The derived entries of a subnet group's NACL.
fn derived_lines(nacl: &NaclPlan) -> Vec<NaclLine> {
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
        })
        .collect()
}

pub(super) fn nacls(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let plan = &context.graph.network;
    let mut file = TfFile::default();
    for nacl in &plan.nacls {
        let subnet = names::subnet(system, nacl.subnet);
        let network = names::network(system, nacl.subnet.network);
        let declared = nacl.declared.and_then(|index| system.nacls.get(index));
        let name = declared.map_or_else(|| subnet.clone(), |declared| declared.name.text.clone());
        let index = file.add(
            resource("aws_network_acl", &name)
                .add_attribute(("vpc_id", reference(&format!("aws_vpc.{network}.id"))))
                .add_attribute((
                    "subnet_ids",
                    reference(&format!("aws_subnet.{subnet}[*].id")),
                ))
                .add_attribute(("tags", object([("Name", aws_name(&name))])))
                .build(),
        );
        let (lines, reason) = if let Some(declared) = declared {
            file.note_above(
                index,
                &format!(
                    "As declared in `nacl {}`, which allows every flow of the subnets.",
                    declared.name.text
                ),
            );
            let reason = format!(
                "declared in nacl {}, which meshc checks against the flows of the system; the stateful security groups admit no inbound connections on this port",
                declared.name.text
            );
            (declared_lines(plan, declared), reason)
        } else {
            file.note_above(
                index,
                "Exactly the requests and replies of the flows that enter or leave these subnets.",
            );
            (derived_lines(nacl), EPHEMERAL_FROM_ANYWHERE.to_string())
        };
        for line in &lines {
            let rule_index = nacl_rule(&mut file, &name, line);
            if !(line.allow && !line.egress && line.cidr == Cidr::anywhere()) {
                continue;
            }
            for (check, port) in [
                ("CKV_AWS_229", 21),
                ("CKV_AWS_230", 20),
                ("CKV_AWS_231", 3389),
                ("CKV_AWS_232", 22),
            ] {
                let covers = line.protocol == Protocol::All
                    || (line.protocol == Protocol::Tcp
                        && line.ports.from <= port
                        && port <= line.ports.to);
                if covers {
                    file.note_inside(rule_index, &format!("#checkov:skip={check}:{reason}"));
                }
            }
        }
    }
    file
}
