//! M303 aws-api-unreachable
use std::collections::BTreeSet;

use super::subnet_name;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::network::ApiRoute;
use crate::model::Tier;

#[allow(clippy::too_many_arguments)]
/// `network_span` points at the network's `endpoints` (or its name);
/// `nat_possible` is false in an isolated subnet, which never has NAT.
pub fn diagnostic(
    service: &str,
    api: &str,
    mesh_name: &str,
    span: Span,
    subnet: &str,
    network: &str,
    network_span: Span,
    nat_possible: bool,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &AwsApiUnreachable::CODE,
        format!("service `{service}` calls the {api} API, which subnet `{subnet}` cannot reach"),
    )
    .primary(span, format!("needs the {api} API"))
    .secondary(
        network_span,
        format!("network `{network}` has neither NAT nor an endpoint for {api}"),
    )
    .note("without a route the requests time out at run time, long after deployment");
    if nat_possible {
        diagnostic.help(format!(
            "add `{mesh_name}` to the `endpoints` of network `{network}`, or give it NAT with `nat = single`"
        ))
    } else {
        diagnostic.help(format!(
            "add `{mesh_name}` to the `endpoints` of network `{network}`: an isolated subnet has no route out"
        ))
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a service in a private or isolated subnet that calls an AWS
    /// API (SQS, EventBridge, DynamoDB, ECR to pull its image, CloudWatch
    /// Logs, ...) when its network has neither a VPC endpoint for that API
    /// nor, for a private subnet, a NAT gateway.
    ///
    /// When a network lists no `endpoints`, meshc creates one for every API
    /// its services use, and this cannot happen; a network that lists them
    /// gets exactly those.
    ///
    /// ## Why is this bad?
    /// The service deploys and starts, then every request to the API hangs
    /// until it times out. This is among the commonest causes of a
    /// Fargate task that never becomes healthy: it cannot pull its image.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private }  endpoints = [logs] }
    /// queue jobs { dlq { max_receives = 3 } }
    /// service worker { compute = lambda { runtime = "python3.13" }  subnet = app  publishes jobs }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private }  endpoints = [logs, sqs] }
    /// queue jobs { dlq { max_receives = 3 } }
    /// service worker { compute = lambda { runtime = "python3.13" }  subnet = app  publishes jobs }
    /// ```
    AwsApiUnreachable, code = M303, slug = "aws-api-unreachable", severity = Error,
}

impl Rule for AwsApiUnreachable {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let mut reported = BTreeSet::new();
        for usage in &context.graph.network.api_uses {
            if usage.route != ApiRoute::Unreachable || !reported.insert((usage.service, usage.api))
            {
                continue;
            }
            let Some(service) = system.service(usage.service) else {
                continue;
            };
            let Some(subnet) = service.subnet else {
                continue;
            };
            let Some(network) = system.network(subnet.value.network) else {
                continue;
            };
            let network_span = network
                .endpoints
                .first()
                .map_or(network.name.span, |first| {
                    network
                        .endpoints
                        .iter()
                        .fold(first.span, |span, endpoint| span.to(endpoint.span))
                });
            let nat_possible = system
                .subnet(subnet.value)
                .is_some_and(|declared| declared.tier.value == Tier::Private);
            out.push(diagnostic(
                &service.name.text,
                usage.api.display_name(),
                usage.api.mesh_name(),
                usage.span,
                &subnet_name(system, subnet.value),
                &network.name.text,
                network_span,
                nat_possible,
            ));
        }
    }
}
