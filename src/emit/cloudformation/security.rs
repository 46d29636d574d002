//! The security groups of the network plan, one resource per derived rule,
//! and a NACL per subnet group (Terraform's `security_groups.tf` and
//! `nacls.tf`).
//!
//! A security group CloudFormation creates allows every outbound packet
//! until its `SecurityGroupEgress` names a rule; the rules live in resources
//! of their own (a group's rules name other groups, and inline they would
//! make the groups depend on each other), so each group carries one inline
//! rule to the loopback address, which sends nothing anywhere and removes
//! that default. Terraform's `aws_default_security_group`, which empties the
//! VPC's default group, has no CloudFormation counterpart: CloudFormation
//! cannot manage the default group, and nothing meshc creates uses it.

use serde_json::{Map, Value as Json, json};

use super::{Context, Template, attribute, aws_name, id, name_tags, reference, references};
use crate::emit::firewall::{
    PLACEHOLDER_EGRESS_CIDR, description, group_description, open_port_80_reason, peer_label,
    ports_label, protocol_name,
};
use crate::emit::names;
use crate::graph::network::NaclLine;
use crate::graph::network::{Guarded, SgPeer, SgRule};
use crate::model::aws_names::NameKind;
use crate::vocabulary::Protocol;

/// The protocol number CloudFormation's NACL entries take.
fn protocol_number(protocol: Protocol) -> i64 {
    match protocol {
        Protocol::Tcp => 6,
        Protocol::Udp => 17,
        Protocol::Icmp => 1,
        Protocol::All => -1,
    }
}

pub(super) fn security_groups(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    for group in &context.graph.network.security_groups {
        let name = names::guarded(system, group.owner);
        let network = names::network(system, group.network);
        let resource = template.add(
            id(&name, "SecurityGroup"),
            &name,
            "AWS::EC2::SecurityGroup",
            json!({
                "GroupName": aws_name(context, NameKind::SecurityGroup, &name),
                "GroupDescription": description(&group_description(system, group)),
                "VpcId": reference(&id(&network, "Vpc")),
                "SecurityGroupEgress": [{
                    "IpProtocol": "-1",
                    "CidrIp": PLACEHOLDER_EGRESS_CIDR,
                    "Description": "Replaces the allow-all default: what leaves is in the egress rules",
                }],
                "Tags": name_tags(aws_name(context, NameKind::NameTag, &name), &[]),
            }),
        );
        if group.ingress.is_empty() && group.egress.is_empty() {
            resource.note(
                "No flow reaches or leaves this component over the network: the group allows nothing.",
            );
        }
        for rule in &group.ingress {
            add_rule(template, context, group.owner, &name, rule, true);
        }
        for rule in &group.egress {
            add_rule(template, context, group.owner, &name, rule, false);
        }
    }
}

fn add_rule(
    template: &mut Template,
    context: &Context<'_>,
    owner: Guarded,
    group: &str,
    rule: &SgRule,
    ingress: bool,
) {
    let system = context.system;
    let (direction, kind, suffix) = if ingress {
        ("in", "AWS::EC2::SecurityGroupIngress", "Ingress")
    } else {
        ("out", "AWS::EC2::SecurityGroupEgress", "Egress")
    };
    let label = format!(
        "{group}--{direction}-{}-{}",
        ports_label(rule.ports),
        peer_label(system, rule.peer)
    );
    let mut properties = Map::new();
    properties.insert(
        "GroupId".into(),
        attribute(&id(group, "SecurityGroup"), "GroupId"),
    );
    properties.insert(
        "Description".into(),
        Json::from(description(&rule.description)),
    );
    properties.insert(
        "IpProtocol".into(),
        Json::from(protocol_name(rule.protocol)),
    );
    if rule.protocol != Protocol::All {
        properties.insert("FromPort".into(), Json::from(rule.ports.from));
        properties.insert("ToPort".into(), Json::from(rule.ports.to));
    }
    let (peer_key, peer) = match rule.peer {
        SgPeer::Group(peer) => (
            if ingress {
                "SourceSecurityGroupId"
            } else {
                "DestinationSecurityGroupId"
            },
            attribute(&references::security_group(system, peer), "GroupId"),
        ),
        SgPeer::Cidr(cidr) => ("CidrIp", Json::from(cidr.to_string())),
        SgPeer::PrefixList(_, api) => (
            if ingress {
                "SourcePrefixListId"
            } else {
                "DestinationPrefixListId"
            },
            reference(&super::settings::prefix_list(api.mesh_name())),
        ),
        SgPeer::Declared(egress) => (
            if ingress {
                "SourcePrefixListId"
            } else {
                "DestinationPrefixListId"
            },
            Json::from(egress.prefix_list(system).unwrap_or_default()),
        ),
    };
    properties.insert(peer_key.into(), peer);
    let resource = template.add(id(&label, suffix), &label, kind, Json::Object(properties));
    // An internet-facing load balancer is meant to be reached from anywhere.
    if let Some(reason) = open_port_80_reason(&context.graph.network, owner, ingress, rule) {
        resource.skip("CKV_AWS_260", reason);
    }
}

fn nacl_entry<'a>(
    template: &'a mut Template,
    nacl: &str,
    line: &NaclLine,
) -> &'a mut super::Resource {
    let direction = if line.egress { "out" } else { "in" };
    let label = format!("{nacl}--{direction}-{}", line.number);
    let mut properties = Map::new();
    properties.insert("NetworkAclId".into(), reference(&id(nacl, "NetworkAcl")));
    properties.insert("RuleNumber".into(), Json::from(line.number));
    properties.insert("Egress".into(), Json::from(line.egress));
    properties.insert(
        "Protocol".into(),
        Json::from(protocol_number(line.protocol)),
    );
    properties.insert(
        "RuleAction".into(),
        Json::from(if line.allow { "allow" } else { "deny" }),
    );
    properties.insert("CidrBlock".into(), Json::from(line.cidr.to_string()));
    match line.protocol {
        Protocol::Tcp | Protocol::Udp => {
            properties.insert(
                "PortRange".into(),
                json!({ "From": line.ports.from, "To": line.ports.to }),
            );
        }
        Protocol::Icmp => {
            properties.insert("Icmp".into(), json!({ "Code": -1, "Type": -1 }));
        }
        Protocol::All => {}
    }
    template.add(
        id(&label, "NaclEntry"),
        &label,
        "AWS::EC2::NetworkAclEntry",
        Json::Object(properties),
    )
}

pub(super) fn nacls(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    let plan = &context.graph.network;
    for nacl in &plan.nacls {
        let subnet = names::subnet(system, nacl.subnet);
        let network = names::network(system, nacl.subnet.network);
        let declared = nacl.declared.and_then(|index| system.nacls.get(index));
        let name = declared.map_or_else(|| subnet.clone(), |declared| declared.name.text.clone());
        let acl = template.add(
            id(&name, "NetworkAcl"),
            &name,
            "AWS::EC2::NetworkAcl",
            json!({
                "VpcId": reference(&id(&network, "Vpc")),
                "Tags": name_tags(aws_name(context, NameKind::NameTag, &name), &[]),
            }),
        );
        let (note, reason) = crate::emit::notes::nacl(declared);
        acl.note(&note);
        let lines = plan.emitted_lines(nacl);
        let zones = plan
            .subnet(nacl.subnet)
            .map_or(0, |layout| layout.zones.len());
        for zone in 0..zones {
            template.add(
                super::counted(&name, "NetworkAclAssociation", zone),
                &name,
                "AWS::EC2::SubnetNetworkAclAssociation",
                json!({
                    "SubnetId": reference(&super::counted(&subnet, "Subnet", zone)),
                    "NetworkAclId": reference(&id(&name, "NetworkAcl")),
                }),
            );
        }
        for line in &lines {
            let entry = nacl_entry(template, &name, line);
            for check in line.open_port_checks() {
                entry.skip(check, &reason);
            }
        }
    }
}
