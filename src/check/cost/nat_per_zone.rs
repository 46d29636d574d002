//! M603 nat-per-zone
use crate::check::{Context, Rule};
use crate::cost::{Decimal, HOURS_PER_MONTH};
use crate::diagnostics::Diagnostic;
use crate::model::{NatMode, Network};

/// The monthly figures of the two ways to give a network NAT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comparison {
    pub gateways: u64,
    /// What the extra gateways cost a month, with their addresses.
    pub extra_gateways: Decimal,
    /// What a shared gateway adds: the traffic of the other zones crossing
    /// to the gateway's zone.
    pub cross_zone: Decimal,
}

pub fn diagnostic(network: &Network, comparison: Comparison) -> Diagnostic {
    let saving = comparison.extra_gateways.minus(comparison.cross_zone);
    Diagnostic::new(
        &NatPerZone::CODE,
        format!(
            "a NAT gateway per zone costs ${} a month more than one shared gateway",
            saving.dollars()
        ),
    )
    .primary(
        network.nat.span,
        format!(
            "{} gateways: ${} a month more in hours and addresses",
            comparison.gateways,
            comparison.extra_gateways.dollars()
        ),
    )
    .secondary(
        network.usage.data.map_or(network.name.span, |data| data.span),
        format!(
            "at this traffic a shared gateway adds ${} of cross-zone transfer",
            comparison.cross_zone.dollars()
        ),
    )
    .help("write `nat = single` unless egress must survive the loss of a zone; then keep `per_zone` and allow this hint with a reason")
}

declare_rule! {
    /// ## What it does
    /// For a network with `nat = per_zone` that declares its NAT traffic
    /// (`usage { data = ... }`), compares the monthly cost of one NAT
    /// gateway per zone with one gateway shared by every zone: the extra
    /// gateways' hours and public addresses against the cross-zone
    /// transfer a shared gateway adds ($0.01 per GB each way for the
    /// traffic of the other zones). It reports when sharing is cheaper,
    /// with the saving.
    ///
    /// ## Why is this bad?
    /// Each NAT gateway costs about $36 a month in us-east-1 before it
    /// carries a byte. A gateway per zone keeps egress working when a zone
    /// fails, which production may need and a development system rarely
    /// does. The hint puts a price on that choice; allow it with a reason
    /// where the resilience is worth it.
    ///
    /// ## Example
    /// ```mesh
    /// system dev { region = "us-east-1" }
    /// network main {
    ///   cidr  = 10.0.0.0/16
    ///   zones = 3
    ///   nat   = per_zone
    ///   subnet edge { tier = public }
    ///   subnet app  { tier = private }
    ///   usage { data = 200GB }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system dev { region = "us-east-1" }
    /// network main {
    ///   cidr  = 10.0.0.0/16
    ///   zones = 3
    ///   nat   = single
    ///   subnet edge { tier = public }
    ///   subnet app  { tier = private }
    ///   usage { data = 200GB }
    /// }
    /// ```
    NatPerZone, code = M603, slug = "nat-per-zone", severity = Note,
}

impl Rule for NatPerZone {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let (Some(hour), Some(address), Some(cross)) = (
            super::price(system, "vpc.nat_gateway.hour"),
            super::price(system, "vpc.public_ipv4.hour"),
            super::price(system, "vpc.inter_az.gb"),
        ) else {
            return;
        };
        for layout in &context.graph.network.networks {
            let Some(network) = system.network(layout.network) else {
                continue;
            };
            let gateways = layout.nat_zones.len() as u64;
            let Some(data) = network.usage.data else {
                continue;
            };
            if network.nat.value != NatMode::PerZone || gateways < 2 {
                continue;
            }
            let extra_gateways = Decimal::from_int((gateways - 1) * HOURS_PER_MONTH)
                .times(hour.plus(address))
                .round_to_cents();
            // With one gateway, the traffic of the other zones crosses to
            // its zone and back: charged out of one zone and into the other.
            let crossing = Decimal::ratio(data.value.as_bytes(), 1 << 30)
                .times(Decimal::ratio(gateways - 1, gateways));
            let cross_zone = crossing
                .times(cross)
                .times(Decimal::from_int(2))
                .round_to_cents();
            if extra_gateways > cross_zone {
                out.push(diagnostic(
                    network,
                    Comparison {
                        gateways,
                        extra_gateways,
                        cross_zone,
                    },
                ));
            }
        }
    }
}
