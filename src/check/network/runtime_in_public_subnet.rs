//! M301 runtime-in-public-subnet
use super::{subnet_name, subnet_of_tier};
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::Tier;

/// `private` is a private subnet group to suggest, if the network has one.
pub fn diagnostic(
    service: &str,
    span: Span,
    subnet: &str,
    tier_span: Span,
    private: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &RuntimeInPublicSubnet::CODE,
        format!("service `{service}` runs in the public subnet `{subnet}`"),
    )
    .primary(span, "runtime code in a public subnet")
    .secondary(tier_span, "this subnet routes to the internet");
    match private {
        Some(private) => diagnostic.help(format!(
            "run it in a private subnet, `subnet = {private}`, and expose it through a load balancer: `expose = alb {{ public = true }}`"
        )),
        None => diagnostic.help(
            "add a private subnet, `subnet app { tier = private }`, run the service there, and expose it through a load balancer",
        ),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a service (Fargate task or Lambda function) placed in a
    /// subnet of the `public` tier.
    ///
    /// ## Why is this bad?
    /// Public subnets route to an internet gateway: anything in them with a
    /// public address is one security-group mistake away from the internet.
    /// Runtime code belongs in private subnets, with only load balancers
    /// and NAT gateways at the public edge.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet edge { tier = public }  subnet app { tier = private } }
    /// service api { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = edge  port = 8080 }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet edge { tier = public }  subnet app { tier = private } }
    /// service api { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  port = 8080  expose = alb { public = true } }
    /// ```
    RuntimeInPublicSubnet, code = M301, slug = "runtime-in-public-subnet", severity = Error,
}

impl Rule for RuntimeInPublicSubnet {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for service in &system.services {
            let Some(subnet) = service.subnet else {
                continue;
            };
            let Some(declared) = system.subnet(subnet.value) else {
                continue;
            };
            if declared.tier.value != Tier::Public {
                continue;
            }
            let private = subnet_of_tier(system, subnet.value.network, Tier::Private);
            out.push(diagnostic(
                &service.name.text,
                subnet.span,
                &subnet_name(system, subnet.value),
                declared.tier.span,
                private.as_deref(),
            ));
        }
    }
}
