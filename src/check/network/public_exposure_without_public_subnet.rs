//! M313 public-exposure-without-public-subnet
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};

pub fn diagnostic(service: &str, span: Span, network: &str) -> Diagnostic {
    Diagnostic::new(
        &PublicExposureWithoutPublicSubnet::CODE,
        format!("service `{service}` is exposed to the internet, but network `{network}` has no public subnet"),
    )
    .primary(span, "an internet-facing load balancer needs public subnets")
    .help(format!("add `subnet edge {{ tier = public }}` to network `{network}`, or write `public = false`"))
}

declare_rule! {
    /// ## What it does
    /// Reports a service exposed with `alb { public = true }` or
    /// `nlb { public = true }` in a network that has no `public` subnet for
    /// the internet-facing load balancer.
    ///
    /// ## Why is this bad?
    /// The load balancer needs subnets that route to an internet gateway;
    /// without them the service cannot be reached from the internet.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// service api { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  port = 8080  expose = alb { public = true } }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet edge { tier = public }  subnet app { tier = private } }
    /// service api { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  port = 8080  expose = alb { public = true } }
    /// ```
    PublicExposureWithoutPublicSubnet, code = M313, slug = "public-exposure-without-public-subnet", severity = Error,
}

impl Rule for PublicExposureWithoutPublicSubnet {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for service in &system.services {
            let (Some(expose), Some(subnet)) = (&service.expose, service.subnet) else {
                continue;
            };
            if !expose.public {
                continue;
            }
            let Some(layout) = context.graph.network.network(subnet.value.network) else {
                continue;
            };
            if !layout.has_public_subnet() {
                let network = system
                    .network(subnet.value.network)
                    .map_or_else(String::new, |network| network.name.text.clone());
                out.push(diagnostic(&service.name.text, expose.span, &network));
            }
        }
    }
}
