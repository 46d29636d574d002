//! Lowering networks, subnets, and the explicit `firewall` and `nacl` rules.

use super::{GUARDED, Resolver, doc_text, name_of};
use crate::check::names::{aws_limit, firewall_deny, missing_attribute, type_mismatch};
use crate::model::aws::{self, AwsService, limits};
use crate::model::reader::{Reader, Setting};
use crate::model::{
    Cidr, Firewall, FirewallPeer, FirewallRule, Nacl, NaclPeer, NaclRule, Name, NatMode, Network,
    Spanned, Subnet, Tier, Usage, defaults,
};
use crate::syntax::ast::{Block, Declaration, Item, Path, Peer, RuleAction};

impl Resolver<'_> {
    pub(super) fn network(&mut self, declaration: &Declaration, region: &str) -> Network {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut network = Network {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            cidr: Spanned::new(Cidr::anywhere(), span),
            zones: Spanned::new(defaults::ZONES, span),
            nat: Spanned::new(NatMode::None, span),
            flow_logs: Spanned::new(defaults::FLOW_LOGS, span),
            endpoints: Vec::new(),
            subnets: Vec::new(),
            usage: Usage::default(),
        };
        if let Some(setting) = self.required(&mut reader, "cidr", "cidr = 10.0.0.0/16") {
            if let Some(cidr) = self.cidr(setting) {
                let (min, max) = limits::VPC_PREFIX;
                if cidr.value.prefix() < min || cidr.value.prefix() > max {
                    let nearest = cidr.value.prefix().clamp(min, max);
                    self.diagnostics.push(aws_limit::diagnostic(
                        "a VPC",
                        &cidr.value.to_string(),
                        cidr.span,
                        "a prefix length from /16 to /28",
                        &format!("cidr = {}/{nearest}", cidr.value.0.network()),
                    ));
                }
                network.cidr = cidr;
            }
        }
        if let Some(setting) = reader.take("zones", self.diagnostics) {
            let available = aws::availability_zones(region).unwrap_or(3);
            if let Some(zones) = self.count(setting) {
                if zones.value < limits::AVAILABILITY_ZONES_MIN
                    || zones.value > u64::from(available)
                {
                    self.diagnostics.push(aws_limit::diagnostic(
                        "a network",
                        &format!("{} zones", zones.value),
                        zones.span,
                        &format!("1 to {available} availability zones in {region}"),
                        &format!("zones = {}", zones.value.clamp(1, u64::from(available))),
                    ));
                } else {
                    network.zones = Spanned::new(zones.value as u8, zones.span);
                }
            }
        }
        if let Some(setting) = reader.take("nat", self.diagnostics) {
            if let Some(nat) = self.choice(
                setting,
                &[
                    ("none", NatMode::None),
                    ("single", NatMode::Single),
                    ("per_zone", NatMode::PerZone),
                ],
            ) {
                network.nat = nat;
            }
        }
        if let Some(setting) = reader.take("flow_logs", self.diagnostics) {
            if let Some(flag) = self.boolean(setting) {
                network.flow_logs = flag;
            }
        }
        if let Some(setting) = reader.take("endpoints", self.diagnostics) {
            network.endpoints = self.list_of(setting, Self::aws_service);
        }
        for block in reader.blocks("subnet") {
            let mut subnet = self.subnet_block(block, network.zones.value);
            subnet.doc = reader.doc_of(block);
            network.subnets.push(subnet);
        }
        network.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        network
    }

    pub(super) fn aws_service(&mut self, setting: Setting<'_>) -> Option<Spanned<AwsService>> {
        let ident = self.ident(setting)?;
        let choices: Vec<(&str, AwsService)> = AwsService::ALL
            .iter()
            .map(|service| (service.mesh_name(), *service))
            .collect();
        self.choose(&setting.key.text, &ident.text, ident.span, &choices)
    }

    pub(super) fn subnet_block(&mut self, block: &Block, zones: u8) -> Subnet {
        let name = block.name.as_ref().map_or_else(
            || Name {
                text: String::new(),
                span: block.keyword.span,
            },
            name_of,
        );
        let mut reader =
            Reader::members(format!("subnet `{}`", name.text), name.span, &block.members);
        let mut subnet = Subnet {
            name,
            doc: Vec::new(),
            span: block.span,
            tier: Spanned::new(Tier::Private, block.span),
            cidrs: Vec::new(),
            prefix: None,
        };
        if block.name.is_none() {
            self.diagnostics.push(missing_attribute::diagnostic(
                "this subnet",
                block.keyword.span,
                "name",
                "subnet app { tier = private }",
            ));
        }
        if let Some(setting) = self.required(&mut reader, "tier", "tier = private") {
            if let Some(tier) = self.choice(setting, &Tier::ALL.map(|tier| (tier.as_str(), tier))) {
                subnet.tier = tier;
            }
        }
        if let Some(setting) = reader.take("cidrs", self.diagnostics) {
            subnet.cidrs = self.list_of(setting, Self::cidr);
            if subnet.cidrs.len() != usize::from(zones) {
                self.diagnostics.push(type_mismatch::diagnostic(
                    "cidrs",
                    &format!("one CIDR block per zone ({zones})"),
                    &format!("{} blocks", subnet.cidrs.len()),
                    setting.span(),
                    "[10.0.0.0/24, 10.0.1.0/24]",
                ));
            }
        }
        if let Some(setting) = reader.take("prefix", self.diagnostics) {
            subnet.prefix = self
                .count_in(setting, 16, 28, true)
                .map(|prefix| Spanned::new(prefix.value as u8, prefix.span));
        }
        reader.finish(self.diagnostics);
        subnet
    }

    pub(super) fn firewall(&mut self, declaration: &Declaration) -> Option<Firewall> {
        let reader = Self::reader(declaration);
        reader.finish(self.diagnostics);
        let target_path = Path {
            segments: vec![declaration.name.clone()],
            span: declaration.name.span,
        };
        let target = self.lookup(&target_path, GUARDED);
        let mut rules = Vec::new();
        for member in &declaration.members {
            let Item::NetRule(rule) = &member.item else {
                continue;
            };
            if rule.action == RuleAction::Deny {
                self.diagnostics
                    .push(firewall_deny::diagnostic(rule.action_span));
                continue;
            }
            let ports = rule.ports.as_ref().and_then(|ports| self.port_range(ports));
            let peer = match &rule.peer {
                Peer::Anywhere => FirewallPeer::Cidr(Cidr::anywhere()),
                Peer::Cidr(text) => match self.cidr_text(text, rule.peer_span) {
                    Some(cidr) => FirewallPeer::Cidr(cidr.value),
                    None => continue,
                },
                // A name is a service or database, or else a subnet.
                Peer::Name(path) => match self.subnet_named(path) {
                    Some(subnet) if !self.is_component(path) => FirewallPeer::Subnet(subnet),
                    _ => match self.lookup(path, GUARDED) {
                        Some(id) => FirewallPeer::Component(id),
                        None => continue,
                    },
                },
            };
            rules.push(FirewallRule {
                direction: rule.direction,
                protocol: rule.protocol,
                ports,
                peer: Spanned::new(peer, rule.peer_span),
                span: rule.span,
            });
        }
        Some(Firewall {
            target: Spanned::new(target?, declaration.name.span),
            span: declaration.span,
            rules,
        })
    }

    pub(super) fn nacl(&mut self, declaration: &Declaration) -> Nacl {
        let mut reader = Self::reader(declaration);
        let mut nacl = Nacl {
            name: name_of(&declaration.name),
            span: declaration.span,
            subnet: None,
            rules: Vec::new(),
        };
        let example = self.subnet_example(&[], "app");
        if let Some(setting) = self.required(&mut reader, "subnet", &example) {
            nacl.subnet = self.subnet(setting);
        }
        reader.finish(self.diagnostics);
        for member in &declaration.members {
            let Item::NetRule(rule) = &member.item else {
                continue;
            };
            let ports = rule.ports.as_ref().and_then(|ports| self.port_range(ports));
            // A NACL knows addresses, not components: a name is a subnet.
            let peer = match &rule.peer {
                Peer::Anywhere => NaclPeer::Cidr(Cidr::anywhere()),
                Peer::Cidr(text) => match self.cidr_text(text, rule.peer_span) {
                    Some(cidr) => NaclPeer::Cidr(cidr.value),
                    None => continue,
                },
                Peer::Name(path) => match self.subnet_path(path) {
                    Some(subnet) => NaclPeer::Subnet(subnet),
                    None => continue,
                },
            };
            nacl.rules.push(NaclRule {
                action: rule.action,
                direction: rule.direction,
                protocol: rule.protocol,
                ports,
                peer: Spanned::new(peer, rule.peer_span),
                span: rule.span,
            });
        }
        nacl
    }
}
