//! M309 overlapping-cidrs
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::network::AddressProblem;

pub fn diagnostic(
    subnet: &str,
    cidr: &str,
    span: Span,
    other: &str,
    other_cidr: &str,
    other_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        &OverlappingCidrs::CODE,
        format!("subnet `{subnet}` ({cidr}) overlaps subnet `{other}` ({other_cidr})"),
    )
    .primary(span, format!("{cidr} overlaps {other_cidr}"))
    .secondary(other_span, format!("`{other}` uses {other_cidr}"))
    .help("give each zone of each subnet a block of its own, or leave out `cidrs` and let meshc carve them")
}

declare_rule! {
    /// ## What it does
    /// Reports subnets whose CIDR blocks overlap, within a subnet group
    /// (two zones) or between two groups. Blocks written in `cidrs` are
    /// taken as they are; the others are carved by meshc and never overlap
    /// each other.
    ///
    /// ## Why is this bad?
    /// AWS refuses to create the second subnet, half-way through a deploy.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr  = 10.0.0.0/16
    ///   zones = 2
    ///   subnet app  { tier = private   cidrs = [10.0.0.0/24, 10.0.1.0/24] }
    ///   subnet data { tier = isolated  cidrs = [10.0.1.0/24, 10.0.2.0/24] }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr  = 10.0.0.0/16
    ///   zones = 2
    ///   subnet app  { tier = private   cidrs = [10.0.0.0/24, 10.0.1.0/24] }
    ///   subnet data { tier = isolated  cidrs = [10.0.2.0/24, 10.0.3.0/24] }
    /// }
    /// ```
    OverlappingCidrs, code = M309, slug = "overlapping-cidrs", severity = Error,
}

impl Rule for OverlappingCidrs {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for layout in &context.graph.network.networks {
            for problem in &layout.problems {
                let AddressProblem::Overlap {
                    subnet,
                    zone,
                    other,
                    other_zone,
                } = problem
                else {
                    continue;
                };
                let (Some(declared), Some(other_declared)) =
                    (system.subnet(*subnet), system.subnet(*other))
                else {
                    continue;
                };
                let cidr = layout
                    .subnet(*subnet)
                    .and_then(|layout| layout.zones.get(*zone));
                let other_cidr = layout
                    .subnet(*other)
                    .and_then(|layout| layout.zones.get(*other_zone));
                let (Some(cidr), Some(other_cidr)) = (cidr, other_cidr) else {
                    continue;
                };
                let span = declared
                    .cidrs
                    .get(*zone)
                    .map_or(declared.span, |cidr| cidr.span);
                let other_span = other_declared
                    .cidrs
                    .get(*other_zone)
                    .map_or(other_declared.span, |cidr| cidr.span);
                out.push(diagnostic(
                    &declared.name.text,
                    &cidr.to_string(),
                    span,
                    &other_declared.name.text,
                    &other_cidr.to_string(),
                    other_span,
                ));
            }
        }
    }
}
