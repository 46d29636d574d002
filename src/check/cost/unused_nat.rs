//! M605 unused-nat
use crate::check::{Context, Rule};
use crate::cost::{Decimal, HOURS_PER_MONTH};
use crate::diagnostics::Diagnostic;
use crate::model::Network;

/// `monthly` is what the gateways and their addresses cost a month, when
/// the region is priced.
pub fn diagnostic(network: &Network, gateways: usize, monthly: Option<Decimal>) -> Diagnostic {
    let plural = if gateways == 1 { "" } else { "s" };
    let cost = monthly.map_or_else(String::new, |monthly| {
        format!(", ${} a month", monthly.dollars())
    });
    Diagnostic::new(
        &UnusedNat::CODE,
        format!(
            "network `{}` has {gateways} NAT gateway{plural} that nothing uses",
            network.name.text
        ),
    )
    .primary(
        network.nat.span,
        format!(
            "{gateways} gateway{plural} with {}{cost}",
            if gateways == 1 { "its public address" } else { "a public address each" }
        ),
    )
    .help(
        "remove `nat` (every AWS API the network calls has an endpoint); or, if code reaches the internet, declare where: `firewall SERVICE { allow out tcp 443 to anywhere }`",
    )
    .note("a NAT gateway is billed by the hour whether or not traffic crosses it")
}

declare_rule! {
    /// ## What it does
    /// Reports a network whose NAT gateways no flow goes through: every
    /// AWS API its services call is served by an endpoint, and no service
    /// declares an opening to the internet.
    ///
    /// A service reaches the internet through NAT only where the system
    /// says so: an AWS API without an endpoint, or a firewall rule `allow
    /// out ... to ADDRESSES` (a partner's API, an email provider).
    ///
    /// ## Why is this bad?
    /// A NAT gateway costs about $33 a month with its address, per zone,
    /// whether traffic crosses it or not. Either it is not needed, or code
    /// reaches the internet without the system saying so, and its security
    /// group (derived from the declared flows) refuses that traffic.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr = 10.0.0.0/16
    ///   nat  = single
    ///   subnet edge { tier = public }
    ///   subnet app { tier = private }
    /// }
    /// service worker { compute = lambda { runtime = "python3.13" }  subnet = app }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr = 10.0.0.0/16
    ///   nat  = single
    ///   subnet edge { tier = public }
    ///   subnet app { tier = private }
    /// }
    /// service worker { compute = lambda { runtime = "python3.13" }  subnet = app }
    /// /// The mail provider's API.
    /// firewall worker { allow out tcp 443 to anywhere }
    /// ```
    UnusedNat, code = M605, slug = "unused-nat", severity = Warning,
}

impl Rule for UnusedNat {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let plan = &context.graph.network;
        let prices = (
            super::price(system, "vpc.nat_gateway.hour"),
            super::price(system, "vpc.public_ipv4.hour"),
        );
        for layout in &plan.networks {
            let gateways = layout.nat_zones.len();
            let Some(nat_subnet) = layout.nat_subnet else {
                continue;
            };
            if gateways == 0 {
                continue;
            }
            let used = plan
                .flows
                .iter()
                .any(|flow| flow.nat_subnet == Some(nat_subnet));
            if used {
                continue;
            }
            let Some(network) = system.network(layout.network) else {
                continue;
            };
            let monthly = match prices {
                (Some(hour), Some(address)) => Some(
                    Decimal::from_int(gateways as u64 * HOURS_PER_MONTH)
                        .times(hour.plus(address))
                        .round_to_cents(),
                ),
                _ => None,
            };
            out.push(diagnostic(network, gateways, monthly));
        }
    }
}
