//! M312 nat-without-public-subnet
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::NatMode;

pub fn diagnostic(network: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        &NatWithoutPublicSubnet::CODE,
        format!("network `{network}` asks for NAT but has no public subnet"),
    )
    .primary(span, "NAT gateways live in a public subnet")
    .help("add `subnet edge { tier = public }` to the network, or write `nat = none` and reach AWS through `endpoints`")
}

declare_rule! {
    /// ## What it does
    /// Reports a network with `nat = single` or `nat = per_zone` but no
    /// subnet of the `public` tier to put the NAT gateways in.
    ///
    /// ## Why is this bad?
    /// A NAT gateway needs a route to an internet gateway; without a public
    /// subnet there is nowhere to put it, and the private subnets would
    /// have no way out after all.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  nat = single  subnet app { tier = private } }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  nat = single  subnet edge { tier = public }  subnet app { tier = private } }
    /// ```
    NatWithoutPublicSubnet, code = M312, slug = "nat-without-public-subnet", severity = Error,
}

impl Rule for NatWithoutPublicSubnet {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (network, layout) in context
            .system
            .networks
            .iter()
            .zip(&context.graph.network.networks)
        {
            if network.nat.value != NatMode::None && !layout.has_public_subnet() {
                out.push(diagnostic(&network.name.text, network.nat.span));
            }
        }
    }
}
