//! M247 network-over-quota
use super::quotas::{self, Site};
use crate::check::{Context, Rule};
use crate::diagnostics::Diagnostic;
use crate::graph::network::{NetworkLayout, Plan};
use crate::model::aws::EndpointKind;
use crate::model::aws_quotas::{QuotaKind, quota};
use crate::model::{ServiceId, System};

/// `over` is the declaration that adds the first one over the limit.
pub fn diagnostic(
    network: &Site,
    kind: QuotaKind,
    count: usize,
    region: &str,
    over: Option<&Site>,
) -> Diagnostic {
    let row = quota(kind);
    let (what, instead) = match kind {
        QuotaKind::SubnetsPerVpc => (
            "subnets (one per subnet group and zone)",
            "declare fewer subnet groups, or fewer `zones`",
        ),
        QuotaKind::LambdaInterfacesPerVpc => (
            "network interfaces of Lambda functions (one per function and zone)",
            "run some functions outside the network (leave `subnet` out when a function reaches nothing in it), or spread them over two networks",
        ),
        _ => (
            "interface endpoints",
            "reach the AWS APIs of the rarely used ones through NAT, or call fewer services over PrivateLink from this network",
        ),
    };
    let mut diagnostic = Diagnostic::new(
        &NetworkOverQuota::CODE,
        format!(
            "{} would have {} {what}, more than the {} AWS allows a VPC",
            network.text,
            quotas::amount(row, count),
            quotas::limit(row, region)
        ),
    )
    .primary(
        network.span,
        format!(
            "{} {}",
            quotas::amount(row, count),
            what.split(" (").next().unwrap_or(what)
        ),
    );
    if let Some(over) = over.filter(|over| over.span != network.span) {
        diagnostic = diagnostic.secondary(
            over.span,
            format!("{} goes over {}", over.text, quotas::limit(row, region)),
        );
    }
    diagnostic
        .help(format!("{instead}; {}", row.increase()))
        .note(quotas::source_note(row))
}

declare_rule! {
    /// ## What it does
    /// Reports a network that would have more of something than AWS allows
    /// one VPC by default: interface endpoints (50: one per endpoint
    /// service of each API reached through an endpoint, ECR two and ECS
    /// three, and one per callee reached over PrivateLink), subnets (200:
    /// one per subnet group and zone), or network interfaces Lambda creates
    /// for its functions (250: one per function and zone, since each
    /// function has a security group of its own).
    ///
    /// ## Why is this bad?
    /// Creating the endpoint, subnet or function fails in an account with
    /// the default quotas, so the first deploy into a new account fails.
    /// These quotas can be raised on request; an account that has the
    /// increase says so with `// meshc:allow(M247) reason: "..."`.
    ///
    /// ## Example
    /// Forty-one subnet groups over five zones: 205 subnets.
    /// ```mesh
    /// system big { region = "us-east-1" }
    /// network main {
    ///   cidr = 10.0.0.0/16  zones = 5
    ///   subnet s01 { tier = isolated }  subnet s02 { tier = isolated }  subnet s03 { tier = isolated }
    ///   subnet s04 { tier = isolated }  subnet s05 { tier = isolated }  subnet s06 { tier = isolated }
    ///   subnet s07 { tier = isolated }  subnet s08 { tier = isolated }  subnet s09 { tier = isolated }
    ///   subnet s10 { tier = isolated }  subnet s11 { tier = isolated }  subnet s12 { tier = isolated }
    ///   subnet s13 { tier = isolated }  subnet s14 { tier = isolated }  subnet s15 { tier = isolated }
    ///   subnet s16 { tier = isolated }  subnet s17 { tier = isolated }  subnet s18 { tier = isolated }
    ///   subnet s19 { tier = isolated }  subnet s20 { tier = isolated }  subnet s21 { tier = isolated }
    ///   subnet s22 { tier = isolated }  subnet s23 { tier = isolated }  subnet s24 { tier = isolated }
    ///   subnet s25 { tier = isolated }  subnet s26 { tier = isolated }  subnet s27 { tier = isolated }
    ///   subnet s28 { tier = isolated }  subnet s29 { tier = isolated }  subnet s30 { tier = isolated }
    ///   subnet s31 { tier = isolated }  subnet s32 { tier = isolated }  subnet s33 { tier = isolated }
    ///   subnet s34 { tier = isolated }  subnet s35 { tier = isolated }  subnet s36 { tier = isolated }
    ///   subnet s37 { tier = isolated }  subnet s38 { tier = isolated }  subnet s39 { tier = isolated }
    ///   subnet s40 { tier = isolated }  subnet s41 { tier = isolated }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system big { region = "us-east-1" }
    /// network main {
    ///   cidr = 10.0.0.0/16  zones = 5
    ///   subnet data { tier = isolated }
    /// }
    /// ```
    NetworkOverQuota, code = M247, slug = "network-over-quota", severity = Error,
}

/// The interface endpoints of a network, each with the declaration that
/// needs it and how many endpoints it is.
fn interface_endpoints(
    system: &System,
    plan: &Plan,
    layout: &NetworkLayout,
) -> Vec<(Option<Site>, usize)> {
    let network = system.network(layout.network);
    let mut found: Vec<(Option<Site>, usize)> = layout
        .endpoints
        .iter()
        .filter(|endpoint| endpoint.kind == EndpointKind::Interface && endpoint.subnet.is_some())
        .map(|endpoint| {
            let site = network.and_then(|network| {
                let span = network
                    .endpoints
                    .iter()
                    .find(|declared| declared.value == endpoint.service)
                    .map(|declared| declared.span)
                    .or_else(|| {
                        endpoint
                            .users
                            .first()
                            .and_then(|user| system.service(*user))
                            .map(|user| user.name.span)
                    })?;
                Some(Site {
                    span,
                    text: format!("the {} endpoint", endpoint.service.mesh_name()),
                })
            });
            (site, endpoint.service.endpoint_services().len())
        })
        .collect();
    for link in plan
        .private_links
        .iter()
        .filter(|link| link.network == layout.network)
    {
        let callee = system.service(link.callee);
        let span = link.callers.first().and_then(|caller| {
            system
                .service(*caller)?
                .calls
                .iter()
                .find(|call| call.target == link.callee)
                .map(|call| call.span)
        });
        let site = span.zip(callee).map(|(span, callee)| Site {
            span,
            text: format!("the PrivateLink endpoint for `{}`", callee.name.text),
        });
        found.push((site, 1));
    }
    found
}

impl Rule for NetworkOverQuota {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let region = system.region.value.as_str();
        let plan = &context.graph.network;
        for layout in &plan.networks {
            let Some(network) = system.network(layout.network) else {
                continue;
            };
            let site = Site {
                span: network.name.span,
                text: format!("network `{}`", network.name.text),
            };
            let subnets: Vec<(Option<Site>, usize)> = layout
                .subnets
                .iter()
                .map(|subnet| {
                    let declared = system.subnet(subnet.subnet).map(|declared| Site {
                        span: declared.name.span,
                        text: format!("subnet group `{}`", declared.name.text),
                    });
                    (declared, subnet.zones.len())
                })
                .collect();
            let functions: Vec<(Option<Site>, usize)> = system
                .services
                .iter()
                .enumerate()
                .filter(|(_, service)| service.is_lambda())
                .filter_map(|(index, service)| {
                    let subnet = service.subnet?.value;
                    if subnet.network != layout.network {
                        return None;
                    }
                    let zones = plan.subnet(subnet).map_or(0, |layout| layout.zones.len());
                    let site = Site {
                        span: service.name.span,
                        text: format!(
                            "Lambda function `{}`",
                            system.service(ServiceId(index))?.name.text
                        ),
                    };
                    Some((Some(site), zones))
                })
                .collect();
            for (kind, items) in [
                (
                    QuotaKind::InterfaceEndpointsPerVpc,
                    interface_endpoints(system, plan, layout),
                ),
                (QuotaKind::SubnetsPerVpc, subnets),
                (QuotaKind::LambdaInterfacesPerVpc, functions),
            ] {
                if let Some((count, over)) =
                    quotas::count_over(&items, quota(kind).limit_in(region))
                {
                    out.push(diagnostic(&site, kind, count, region, over));
                }
            }
        }
    }
}
