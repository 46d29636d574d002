//! M311 address-space-exhausted
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::network::AddressProblem;

pub fn diagnostic(
    network: &str,
    cidr: &str,
    span: Span,
    subnet: &str,
    subnet_span: Span,
    zones: u8,
    prefix: u8,
) -> Diagnostic {
    Diagnostic::new(
        &AddressSpaceExhausted::CODE,
        format!("network `{network}` ({cidr}) has no room for subnet `{subnet}` in {zones} zones"),
    )
    .primary(span, format!("too small: each zone of `{subnet}` would need a /{prefix}"))
    .secondary(subnet_span, "this subnet does not fit")
    .help("give the network a larger block (`cidr = 10.0.0.0/16`), fewer zones or subnets, or explicit `cidrs`")
    .note("meshc gives every subnet group an equal, aligned share of the network, and every zone an equal share of that; AWS subnets are /28 at the smallest")
}

declare_rule! {
    /// ## What it does
    /// Reports a network whose CIDR block is too small for its subnets:
    /// meshc splits the block into an equal, aligned share per subnet group
    /// and a share of that per zone, and no AWS subnet can be smaller than
    /// a /28.
    ///
    /// ## Why is this bad?
    /// The subnets cannot be created, or hold so few addresses that the
    /// first scale-out fails for lack of IPs.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr  = 10.0.0.0/26
    ///   zones = 3
    ///   subnet edge { tier = public }
    ///   subnet app  { tier = private }
    ///   subnet data { tier = isolated }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr  = 10.0.0.0/22
    ///   zones = 3
    ///   subnet edge { tier = public }
    ///   subnet app  { tier = private }
    ///   subnet data { tier = isolated }
    /// }
    /// ```
    AddressSpaceExhausted, code = M311, slug = "address-space-exhausted", severity = Error,
}

impl Rule for AddressSpaceExhausted {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for layout in &context.graph.network.networks {
            let Some(network) = system.network(layout.network) else {
                continue;
            };
            for problem in &layout.problems {
                let AddressProblem::Exhausted {
                    subnet,
                    needed_prefix,
                } = problem
                else {
                    continue;
                };
                let Some(declared) = system.subnet(*subnet) else {
                    continue;
                };
                out.push(diagnostic(
                    &network.name.text,
                    &network.cidr.value.to_string(),
                    network.cidr.span,
                    &declared.name.text,
                    declared.name.span,
                    network.zones.value,
                    *needed_prefix,
                ));
            }
        }
    }
}
