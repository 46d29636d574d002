//! The security groups of the network plan, one resource per derived rule,
//! and a NACL per subnet group: the derived entries, or the user's `nacl`
//! as written (Terraform's `security_groups.tf` and `nacls.tf`).

use super::{Attribute, Key, Kind, Resource, Sink, Value};
use crate::emit::firewall::{
    PLACEHOLDER_EGRESS_CIDR, description, group_description, open_port_80_reason, peer_label,
    ports_label,
};
use crate::emit::{Context, names};
use crate::graph::network::{Guarded, NaclLine, NaclPlan, SecurityGroup, SgPeer, SgRule};
use crate::model::aws_names::NameKind;
use crate::vocabulary::Protocol;

/// The key of the security group of `owner`.
pub fn group_key(system: &crate::model::System, owner: Guarded) -> Key {
    Key::new(Kind::SecurityGroup, names::guarded(system, owner))
}

/// `Tags` holding only the `Name` AWS's console shows for `base`.
fn name_tag(context: &Context<'_>, base: &str) -> Value {
    Value::Pairs {
        key: "Key",
        value: "Value",
        entries: vec![(
            "Name".to_string(),
            Value::Name(names::aws(context, NameKind::NameTag, base)),
        )],
    }
}

/// Every security group, each followed by its ingress and egress rules.
pub fn security_groups(context: &Context<'_>, out: &mut Sink<'_>) {
    for group in &context.graph.network.security_groups {
        out(security_group(context, group));
        for rule in &group.ingress {
            out(rule_resource(context, group.owner, rule, true));
        }
        for rule in &group.egress {
            out(rule_resource(context, group.owner, rule, false));
        }
    }
}

/// A group, which allows nothing until its rules are added.
///
/// AWS gives a group it creates a rule that lets every packet out. A
/// group's rules are resources of their own (they name other groups,
/// which inline would make groups depend on each other), so the group
/// says its egress with one rule to the loopback address, which sends
/// nothing anywhere and replaces that default. (The Terraform provider
/// removes the default itself and takes no such rule.)
fn security_group(context: &Context<'_>, group: &SecurityGroup) -> Resource {
    let system = context.system;
    let key = group_key(system, group.owner);
    let network = names::network(system, group.network);
    let resource = Resource::new(Kind::SecurityGroup, key.name.clone())
        .with(
            "GroupName",
            Value::Name(names::aws(context, NameKind::SecurityGroup, &key.name)),
        )
        .with(
            "GroupDescription",
            description(&group_description(system, group)),
        )
        .with("VpcId", Key::new(Kind::Vpc, network).get(Attribute::Id))
        .with(
            "SecurityGroupEgress",
            Value::List(vec![Value::Object(vec![
                ("IpProtocol", Value::from("-1")),
                ("CidrIp", Value::from(PLACEHOLDER_EGRESS_CIDR)),
                (
                    "Description",
                    Value::from(
                        "Replaces the allow-all default: what leaves is in the egress rules",
                    ),
                ),
            ])]),
        )
        .with("Tags", name_tag(context, &key.name));
    if group.ingress.is_empty() && group.egress.is_empty() {
        resource.note(
            "No flow reaches or leaves this component over the network: the group allows nothing.",
        )
    } else {
        resource
    }
}

/// One rule of the group of `owner`, in or out.
fn rule_resource(context: &Context<'_>, owner: Guarded, rule: &SgRule, ingress: bool) -> Resource {
    let system = context.system;
    let group = group_key(system, owner);
    let (direction, kind, group_peer, prefix_list) = if ingress {
        (
            "in",
            Kind::SecurityGroupIngress,
            "SourceSecurityGroupId",
            "SourcePrefixListId",
        )
    } else {
        (
            "out",
            Kind::SecurityGroupEgress,
            "DestinationSecurityGroupId",
            "DestinationPrefixListId",
        )
    };
    let label = format!(
        "{}--{direction}-{}-{}",
        group.name,
        ports_label(rule.ports),
        peer_label(system, rule.peer)
    );
    let mut resource = Resource::new(kind, label)
        .with("GroupId", group.get(Attribute::Id))
        .with("Description", description(&rule.description))
        .with("IpProtocol", Value::Protocol(rule.protocol));
    if rule.protocol != Protocol::All {
        resource = resource
            .with("FromPort", u64::from(rule.ports.from))
            .with("ToPort", u64::from(rule.ports.to));
    }
    resource = match rule.peer {
        SgPeer::Group(peer) => {
            resource.with(group_peer, group_key(system, peer).get(Attribute::Id))
        }
        SgPeer::Cidr(cidr) => resource.with("CidrIp", cidr.to_string()),
        SgPeer::PrefixList(network, api) => {
            resource.with(prefix_list, Value::GatewayPrefixList { network, api })
        }
        SgPeer::Declared(egress) => {
            let declared = egress.prefix_list(system).map(str::to_string);
            let id = declared.unwrap_or_else(|| {
                context.internal(format!(
                    "a rule of {} names a prefix list its egress does not declare",
                    group.name
                ));
                String::new()
            });
            resource.with(prefix_list, id)
        }
    };
    // An internet-facing load balancer is meant to be reached from anywhere.
    match open_port_80_reason(&context.graph.network, owner, ingress, rule) {
        Some(reason) => resource.waive("CKV_AWS_260", reason.to_string()),
        None => resource,
    }
}

/// Every subnet group's NACL, followed by its entries.
pub fn nacls(context: &Context<'_>, out: &mut Sink<'_>) {
    let plan = &context.graph.network;
    for nacl in &plan.nacls {
        let declared = nacl
            .declared
            .and_then(|index| context.system.nacls.get(index));
        let name = declared.map_or_else(
            || names::subnet(context.system, nacl.subnet),
            |declared| declared.name.text.clone(),
        );
        let (note, reason) = crate::emit::notes::nacl(declared);
        out(network_acl(context, nacl, &name).note(&note));
        let acl = Key::new(Kind::NetworkAcl, name);
        for line in &plan.emitted_lines(nacl) {
            let mut entry = entry(&acl, line);
            for check in line.open_port_checks() {
                entry = entry.waive(check, reason.clone());
            }
            out(entry);
        }
    }
}

/// The NACL `name` of a subnet group, on each of its subnets.
fn network_acl(context: &Context<'_>, nacl: &NaclPlan, name: &str) -> Resource {
    let network = names::network(context.system, nacl.subnet.network);
    Resource::new(Kind::NetworkAcl, name)
        .with("VpcId", Key::new(Kind::Vpc, network).get(Attribute::Id))
        .with(
            "SubnetIds",
            super::subnets(context, nacl.subnet, Attribute::Id, || {
                format!("the NACL {name} is on subnets the network plan does not lay out")
            }),
        )
        .with("Tags", name_tag(context, name))
}

/// One entry of the NACL `acl`.
fn entry(acl: &Key, line: &NaclLine) -> Resource {
    let direction = if line.egress { "out" } else { "in" };
    let entry = Resource::new(
        Kind::NetworkAclEntry,
        format!("{}--{direction}-{}", acl.name, line.number),
    )
    .with("NetworkAclId", acl.get(Attribute::Id))
    .with("RuleNumber", u64::from(line.number))
    .with("Egress", Value::Bool(line.egress))
    .with("Protocol", Value::Protocol(line.protocol))
    .with("RuleAction", if line.allow { "allow" } else { "deny" })
    .with("CidrBlock", line.cidr.to_string());
    match line.protocol {
        Protocol::Tcp | Protocol::Udp => entry.with(
            "PortRange",
            Value::Object(vec![
                ("From", u64::from(line.ports.from).into()),
                ("To", u64::from(line.ports.to).into()),
            ]),
        ),
        // Every type and code.
        Protocol::Icmp => entry.with(
            "Icmp",
            Value::Object(vec![
                ("Code", Value::Integer(-1)),
                ("Type", Value::Integer(-1)),
            ]),
        ),
        Protocol::All => entry,
    }
}
