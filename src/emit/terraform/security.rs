//! `security_groups.tf` and `nacls.tf`: the security groups of the network
//! plan with one rule resource per derived rule, and a NACL per subnet group
//! (the derived entries, or the user's `nacl` as written).

use super::Context;
use super::writer::{TfFile, aws_name, object, reference, resource};
use crate::emit::firewall::{
    description, group_description, open_port_80_reason, peer_label, ports_label, protocol_name,
};
use crate::emit::names;
use crate::graph::network::NaclLine;
use crate::graph::network::{Guarded, SgPeer, SgRule};
use crate::model::aws_names::NameKind;
use crate::vocabulary::Protocol;

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
        peer_label(context.system, rule.peer)
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
        SgPeer::Declared(egress) => block.add_attribute((
            "prefix_list_id",
            egress.prefix_list(context.system).unwrap_or_default(),
        )),
    };
    file.add(block.build());
    // An internet-facing load balancer is meant to be reached from anywhere.
    if let Some(reason) = open_port_80_reason(&context.graph.network, owner, ingress, rule) {
        file.note_inside(&format!("#checkov:skip=CKV_AWS_260:{reason}"));
    }
}

pub(super) fn security_groups(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let mut file = TfFile::new(context);
    for group in &context.graph.network.security_groups {
        let name = names::guarded(system, group.owner);
        let network = names::network(system, group.network);
        file.add(
            resource("aws_security_group", &name)
                .add_attribute(("name", aws_name(context, NameKind::SecurityGroup, &name)))
                .add_attribute((
                    "description",
                    description(&group_description(context.system, group)),
                ))
                .add_attribute(("vpc_id", reference(&format!("aws_vpc.{network}.id"))))
                .add_attribute((
                    "tags",
                    object([("Name", aws_name(context, NameKind::NameTag, &name))]),
                ))
                .build(),
        );
        if group.ingress.is_empty() && group.egress.is_empty() {
            file.note_above("No flow reaches or leaves this component over the network: the group allows nothing.");
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

fn nacl_rule(file: &mut TfFile, nacl: &str, line: &NaclLine) {
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
    file.add(block.build());
}

pub(super) fn nacls(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let plan = &context.graph.network;
    let mut file = TfFile::new(context);
    for nacl in &plan.nacls {
        let subnet = names::subnet(system, nacl.subnet);
        let network = names::network(system, nacl.subnet.network);
        let declared = nacl.declared.and_then(|index| system.nacls.get(index));
        let name = declared.map_or_else(|| subnet.clone(), |declared| declared.name.text.clone());
        file.add(
            resource("aws_network_acl", &name)
                .add_attribute(("vpc_id", reference(&format!("aws_vpc.{network}.id"))))
                .add_attribute((
                    "subnet_ids",
                    reference(&format!("aws_subnet.{subnet}[*].id")),
                ))
                .add_attribute((
                    "tags",
                    object([("Name", aws_name(context, NameKind::NameTag, &name))]),
                ))
                .build(),
        );
        let (note, reason) = crate::emit::notes::nacl(declared);
        file.note_above(&note);
        let lines = plan.emitted_lines(nacl);
        for line in &lines {
            nacl_rule(&mut file, &name, line);
            for check in line.open_port_checks() {
                file.note_inside(&format!("#checkov:skip={check}:{reason}"));
            }
        }
    }
    file
}
