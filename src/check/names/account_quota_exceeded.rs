//! M249 account-quota-exceeded
use std::collections::BTreeMap;

use super::quotas::{self, Site};
use crate::check::{Context, Rule};
use crate::diagnostics::Diagnostic;
use crate::graph::{BusRef, LoadBalancerRef};
use crate::model::aws::EndpointKind;
use crate::model::aws_quotas::{QuotaKind, quota};

/// `owner` is the system, or the bus whose rules are counted; `over` the
/// declaration that adds the first one over the limit.
pub fn diagnostic(
    owner: &Site,
    kind: QuotaKind,
    count: usize,
    region: &str,
    over: Option<&Site>,
) -> Diagnostic {
    let row = quota(kind);
    let (noun, scope) = match kind {
        QuotaKind::RolesPerAccount => ("IAM roles", "an account may have"),
        QuotaKind::VpcsPerRegion => ("VPCs", "an account may have in a region"),
        QuotaKind::ElasticIpsPerRegion => {
            ("Elastic IP addresses", "an account may have in a region")
        }
        QuotaKind::GatewayEndpointsPerRegion => {
            ("gateway endpoints", "an account may have in a region")
        }
        QuotaKind::SecurityGroupsPerRegion => {
            ("security groups", "an account may have in a region")
        }
        QuotaKind::AlbsPerRegion => (
            "Application Load Balancers",
            "an account may have in a region",
        ),
        QuotaKind::NlbsPerRegion => ("Network Load Balancers", "an account may have in a region"),
        _ => ("rules", "a bus may have"),
    };
    let count_text = quotas::amount(row, count);
    let mut diagnostic = Diagnostic::new(
        &AccountQuotaExceeded::CODE,
        format!(
            "{} alone needs {count_text} {noun}, more than the {} {scope} by default",
            owner.text,
            quotas::limit(row, region)
        ),
    )
    .primary(owner.span, format!("{count_text} {noun}"));
    if let Some(over) = over.filter(|over| over.span != owner.span) {
        diagnostic = diagnostic.secondary(
            over.span,
            format!("{} goes over {}", over.text, quotas::limit(row, region)),
        );
    }
    diagnostic
        .help(format!(
            "split the system into several .mesh files deployed to different accounts or regions, {}",
            row.increase()
        ))
        .note(quotas::source_note(row))
}

declare_rule! {
    /// ## What it does
    /// Reports a system that alone needs more of something than a new AWS
    /// account may have: IAM roles (1,000 per account), VPCs and Elastic IP
    /// addresses (5 per region each: one VPC per network, one address per
    /// NAT gateway), gateway endpoints (20 per region), security groups (2,500
    /// per region), Application and Network Load Balancers (50 per region
    /// each), and rules on one event bus (300; 100 in af-south-1 and
    /// eu-south-1).
    ///
    /// What else the account holds counts too, and meshc cannot see it: a
    /// system under these numbers can still fail in a busy account. A new
    /// account also has a default VPC in every region.
    ///
    /// ## Why is this bad?
    /// The first deploy into a new account fails when it reaches the quota.
    /// Each can be raised on request; an account that has the increase says
    /// so with `// meshc:allow(M249) reason: "..."` on the system or the bus.
    ///
    /// ## Example
    /// Six networks with a NAT gateway each: six Elastic IP addresses (and
    /// six VPCs).
    /// ```mesh
    /// system big { region = "us-east-1" }
    /// network n1 { cidr = 10.1.0.0/16  nat = single  subnet edge1 { tier = public }  subnet app1 { tier = private } }
    /// network n2 { cidr = 10.2.0.0/16  nat = single  subnet edge2 { tier = public }  subnet app2 { tier = private } }
    /// network n3 { cidr = 10.3.0.0/16  nat = single  subnet edge3 { tier = public }  subnet app3 { tier = private } }
    /// network n4 { cidr = 10.4.0.0/16  nat = single  subnet edge4 { tier = public }  subnet app4 { tier = private } }
    /// network n5 { cidr = 10.5.0.0/16  nat = single  subnet edge5 { tier = public }  subnet app5 { tier = private } }
    /// network n6 { cidr = 10.6.0.0/16  nat = single  subnet edge6 { tier = public }  subnet app6 { tier = private } }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system big { region = "us-east-1" }
    /// network n1 { cidr = 10.1.0.0/16  nat = single  subnet edge1 { tier = public }  subnet app1 { tier = private } }
    /// network n2 { cidr = 10.2.0.0/16  nat = single  subnet edge2 { tier = public }  subnet app2 { tier = private } }
    /// ```
    AccountQuotaExceeded, code = M249, slug = "account-quota-exceeded", severity = Error,
}

impl Rule for AccountQuotaExceeded {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let graph = context.graph;
        let region = system.region.value.as_str();
        let plan = &graph.network;
        let network_site = |id: crate::model::NetworkId| {
            system.network(id).map(|network| Site {
                span: network.name.span,
                text: format!("network `{}`", network.name.text),
            })
        };
        let counted: Vec<(QuotaKind, Contributors)> = vec![
            (
                QuotaKind::RolesPerAccount,
                graph
                    .iam
                    .roles
                    .iter()
                    .map(|role| (quotas::principal(system, role.principal), 1))
                    .collect(),
            ),
            (
                QuotaKind::VpcsPerRegion,
                plan.networks
                    .iter()
                    .map(|layout| (network_site(layout.network), 1))
                    .collect(),
            ),
            (
                QuotaKind::ElasticIpsPerRegion,
                plan.networks
                    .iter()
                    .map(|layout| (network_site(layout.network), layout.nat_zones.len()))
                    .collect(),
            ),
            (
                QuotaKind::GatewayEndpointsPerRegion,
                plan.networks
                    .iter()
                    .map(|layout| {
                        let gateways = layout
                            .endpoints
                            .iter()
                            .filter(|endpoint| endpoint.kind == EndpointKind::Gateway)
                            .count();
                        (network_site(layout.network), gateways)
                    })
                    .collect(),
            ),
            (
                QuotaKind::SecurityGroupsPerRegion,
                plan.security_groups
                    .iter()
                    .map(|group| (quotas::group_owner(system, group.owner), 1))
                    .collect(),
            ),
            (
                QuotaKind::AlbsPerRegion,
                plan.load_balancers
                    .iter()
                    .filter(|balancer| matches!(balancer.id, LoadBalancerRef::Alb { .. }))
                    .map(|balancer| (quotas::load_balancer(system, balancer.id), 1))
                    .collect(),
            ),
            (
                QuotaKind::NlbsPerRegion,
                plan.load_balancers
                    .iter()
                    .filter(|balancer| matches!(balancer.id, LoadBalancerRef::Nlb(_)))
                    .map(|balancer| (quotas::load_balancer(system, balancer.id), 1))
                    .collect(),
            ),
        ];
        let system_site = Site {
            span: system.name.span,
            text: format!("system `{}`", system.name.text),
        };
        for (kind, items) in counted {
            report(out, &system_site, kind, &items, region);
        }
        let mut by_bus: BTreeMap<BusRef, Vec<(Option<Site>, usize)>> = BTreeMap::new();
        for rule in &graph.messaging.rules {
            by_bus
                .entry(rule.bus)
                .or_default()
                .push((quotas::rule(system, rule.rule), 1));
        }
        for (bus, items) in by_bus {
            if let Some(site) = quotas::bus(system, bus) {
                report(out, &site, QuotaKind::RulesPerBus, &items, region);
            }
        }
    }
}

/// What adds to a count: the declaration behind each, and how many.
type Contributors = Vec<(Option<Site>, usize)>;

fn report(
    out: &mut Vec<Diagnostic>,
    owner: &Site,
    kind: QuotaKind,
    items: &[(Option<Site>, usize)],
    region: &str,
) {
    if let Some((count, over)) = quotas::count_over(items, quota(kind).limit_in(region)) {
        out.push(diagnostic(owner, kind, count, region, over));
    }
}
