//! M310 cidr-outside-network
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::network::AddressProblem;

pub fn diagnostic(
    subnet: &str,
    cidr: &str,
    span: Span,
    network: &str,
    network_cidr: &str,
    network_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        &CidrOutsideNetwork::CODE,
        format!("subnet `{subnet}` ({cidr}) is outside network `{network}` ({network_cidr})"),
    )
    .primary(span, format!("not inside {network_cidr}"))
    .secondary(network_span, format!("the network is {network_cidr}"))
    .help(format!(
        "use a block inside {network_cidr}, or leave out `cidrs` and let meshc carve them"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a subnet block, written in `cidrs`, that does not lie inside
    /// its network's `cidr`.
    ///
    /// ## Why is this bad?
    /// A subnet's addresses must come from its VPC; AWS refuses the subnet.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr  = 10.0.0.0/16
    ///   zones = 1
    ///   subnet app { tier = private  cidrs = [10.1.0.0/24] }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr  = 10.0.0.0/16
    ///   zones = 1
    ///   subnet app { tier = private  cidrs = [10.0.0.0/24] }
    /// }
    /// ```
    CidrOutsideNetwork, code = M310, slug = "cidr-outside-network", severity = Error,
}

impl Rule for CidrOutsideNetwork {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for layout in &context.graph.network.networks {
            let Some(network) = system.network(layout.network) else {
                continue;
            };
            for problem in &layout.problems {
                let AddressProblem::OutsideNetwork { subnet, zone } = problem else {
                    continue;
                };
                let Some(declared) = system.subnet(*subnet) else {
                    continue;
                };
                let Some(cidr) = declared.cidrs.get(*zone) else {
                    continue;
                };
                out.push(diagnostic(
                    &declared.name.text,
                    &cidr.value.to_string(),
                    cidr.span,
                    &network.name.text,
                    &network.cidr.value.to_string(),
                    network.cidr.span,
                ));
            }
        }
    }
}
