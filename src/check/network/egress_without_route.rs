//! M319 egress-without-route
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::network::{RouteProblem, route_out};
use crate::model::Tier;

pub fn diagnostic(
    service: &str,
    destination: &str,
    span: Span,
    problem: RouteProblem,
) -> Diagnostic {
    let (label, help) = match problem {
        RouteProblem::InsideNetwork => (
            format!("{destination} is inside `{service}`'s network"),
            "name the component at that address and declare the relation to it (`calls`, `uses`): `egress` is for what lies outside the network".to_string(),
        ),
        RouteProblem::NoRouteOut(Tier::Isolated) => (
            format!("`{service}` runs in an isolated subnet, which has no route out"),
            "run the service in a private subnet of a network with `nat`".to_string(),
        ),
        RouteProblem::NoRouteOut(_) => (
            format!("`{service}`'s network has no NAT gateway"),
            "give the network a NAT gateway (`nat = single` or `nat = per_zone`, with a public subnet)".to_string(),
        ),
    };
    Diagnostic::new(
        &EgressWithoutRoute::CODE,
        match problem {
            RouteProblem::InsideNetwork => {
                format!("`{service}` declares an egress to {destination}, inside its own network")
            }
            RouteProblem::NoRouteOut(_) => {
                format!("`{service}` cannot reach {destination}: no route leaves its subnet")
            }
        },
    )
    .primary(span, label)
    .help(help)
}

declare_rule! {
    /// ## What it does
    /// Reports an `egress` destination outside the network that the
    /// service has no route to (it runs in a private subnet of a network
    /// without NAT, or in an isolated subnet), and one inside the network,
    /// which a relation to the component there opens instead.
    ///
    /// ## Why is this bad?
    /// The security group and the network ACLs would allow the connection,
    /// but no route leaves the subnet: every connection times out. A
    /// Lambda function outside any VPC reaches the internet directly and
    /// is not reported.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// service mailer {
    ///   compute = lambda { runtime = "python3.13" }
    ///   subnet  = app
    ///   egress  = [{ host = "api.mail.example"  port = 443 }]
    /// }
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
    /// service mailer {
    ///   compute = lambda { runtime = "python3.13" }
    ///   subnet  = app
    ///   egress  = [{ host = "api.mail.example"  port = 443 }]
    /// }
    /// ```
    EgressWithoutRoute, code = M319, slug = "egress-without-route", severity = Error,
}

impl Rule for EgressWithoutRoute {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for service in &system.services {
            let Some(subnet) = service.subnet else {
                continue;
            };
            for egress in &service.egress {
                if let Err(problem) = route_out(
                    system,
                    &context.graph.network,
                    subnet.value,
                    egress.to.value.addresses(),
                ) {
                    let destination = egress
                        .host
                        .as_ref()
                        .map_or_else(|| egress.to.value.to_string(), |host| host.value.clone());
                    out.push(diagnostic(
                        &service.name.text,
                        &destination,
                        egress.span,
                        problem,
                    ));
                }
            }
        }
    }
}
