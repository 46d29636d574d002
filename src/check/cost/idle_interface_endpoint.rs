//! M604 idle-interface-endpoint
use crate::check::{Context, Rule};
use crate::cost::{Decimal, HOURS_PER_MONTH};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::Network;
use crate::model::aws::{AwsService, EndpointKind};

/// `endpoints` is how many interface endpoints the API takes (ECR two),
/// `zones` how many zones each has an interface in.
pub fn diagnostic(
    network: &Network,
    api: AwsService,
    span: Span,
    monthly: Decimal,
    endpoints: u64,
    zones: u64,
) -> Diagnostic {
    let how = if endpoints == 1 {
        format!("{zones} zones")
    } else {
        format!("{endpoints} endpoints in {zones} zones")
    };
    Diagnostic::new(
        &IdleInterfaceEndpoint::CODE,
        format!(
            "the {} interface endpoint of network `{}` serves no service and costs ${} a month",
            api.display_name(),
            network.name.text,
            monthly.dollars()
        ),
    )
    .primary(
        span,
        format!("no service calls {} ({how})", api.display_name()),
    )
    .help(format!(
        "remove `{}` from `endpoints`, or list it in the `apis` of the services that call it",
        api.mesh_name()
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports an interface endpoint written in a network's `endpoints`
    /// that no service of the network uses — no relation needs the API and
    /// no service lists it in `apis` — with what it costs: an interface
    /// endpoint is billed per zone and per hour whether or not it carries
    /// traffic ($7.30 a zone a month in us-east-1; ECR takes two
    /// endpoints). Gateway endpoints (S3, DynamoDB) are free and never
    /// reported.
    ///
    /// ## Why is this bad?
    /// The endpoint is paid for and buys nothing. If a service does call
    /// the API, say so with `apis = [...]`, so that its IAM grants and
    /// security-group rules are derived too.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr      = 10.0.0.0/16
    ///   endpoints = [logs, kms]
    ///   subnet app { tier = private }
    /// }
    /// service order {
    ///   compute = fargate { cpu = 0.5  memory = 1GB }
    ///   subnet  = app
    ///   apis    = [logs]
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr      = 10.0.0.0/16
    ///   endpoints = [logs, kms]
    ///   subnet app { tier = private }
    /// }
    /// service order {
    ///   compute = fargate { cpu = 0.5  memory = 1GB }
    ///   subnet  = app
    ///   apis    = [logs, kms]
    /// }
    /// ```
    IdleInterfaceEndpoint, code = M604, slug = "idle-interface-endpoint", severity = Warning,
}

impl Rule for IdleInterfaceEndpoint {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let Some(hour) = super::price(system, "vpc.interface_endpoint.hour") else {
            return;
        };
        for layout in &context.graph.network.networks {
            let Some(network) = system.network(layout.network) else {
                continue;
            };
            for endpoint in &layout.endpoints {
                if endpoint.kind != EndpointKind::Interface
                    || !endpoint.declared
                    || !endpoint.users.is_empty()
                {
                    continue;
                }
                let Some(subnet) = endpoint.subnet.and_then(|subnet| layout.subnet(subnet)) else {
                    continue;
                };
                let Some(span) = network
                    .endpoints
                    .iter()
                    .find(|declared| declared.value == endpoint.service)
                    .map(|declared| declared.span)
                else {
                    continue;
                };
                let endpoints = endpoint.service.endpoint_services().len() as u64;
                let zones = subnet.zones.len() as u64;
                let monthly = Decimal::from_int(endpoints * zones * HOURS_PER_MONTH)
                    .times(hour)
                    .round_to_cents();
                out.push(diagnostic(
                    network,
                    endpoint.service,
                    span,
                    monthly,
                    endpoints,
                    zones,
                ));
            }
        }
    }
}
