//! M602 gateway-service-through-nat
use crate::check::{Context, Rule};
use crate::cost::Decimal;
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::network::{ApiRoute, ApiUse};
use crate::model::aws::{AwsService, EndpointKind};
use crate::model::{Network, NetworkId};

/// `uses`: the API uses through NAT (the first is the primary label);
/// `monthly`: bytes a month, when declared; `per_gb`: the NAT price.
pub fn diagnostic(
    api: AwsService,
    network: &Network,
    uses: &[(String, Span)],
    monthly: Option<u64>,
    per_gb: Decimal,
) -> Diagnostic {
    let figure = match monthly {
        Some(bytes) => {
            let cost = Decimal::ratio(bytes, 1 << 30).times(per_gb);
            format!("${} a month of NAT processing", cost.dollars())
        }
        None => format!("${} per GB of NAT processing", per_gb.price()),
    };
    let mut diagnostic = Diagnostic::new(
        &GatewayServiceThroughNat::CODE,
        format!(
            "traffic to {} from network `{}` goes through NAT: {figure}",
            api.display_name(),
            network.name.text
        ),
    );
    for (index, (service, span)) in uses.iter().enumerate() {
        let label = format!("`{service}` reaches {} through NAT", api.display_name());
        diagnostic = if index == 0 {
            diagnostic.primary(*span, label)
        } else {
            diagnostic.secondary(*span, label)
        };
    }
    let at = network
        .endpoints
        .first()
        .map_or(network.name.span, |endpoint| endpoint.span);
    diagnostic
        .secondary(at, format!("no `{}` endpoint here", api.mesh_name()))
        .help(format!(
            "add `{}` to the `endpoints` of network `{}`: a gateway endpoint is free and takes this traffic off the NAT gateway",
            api.mesh_name(),
            network.name.text
        ))
}

declare_rule! {
    /// ## What it does
    /// Finds services in private subnets that reach S3 or DynamoDB through
    /// the NAT gateway because the network's `endpoints` list leaves out
    /// the API's gateway endpoint, and says what that traffic costs: the
    /// NAT price per GB, or the monthly figure when the relations declare
    /// `usage { data = ... }`.
    ///
    /// ## Why is this bad?
    /// NAT gateways charge for every GB they process ($0.045 in
    /// us-east-1), and S3 and DynamoDB are often the heaviest traffic a
    /// service has (container image layers come from S3 too). Their gateway
    /// endpoints cost nothing, so the charge buys nothing.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr      = 10.0.0.0/16
    ///   nat       = single
    ///   endpoints = [logs]
    ///   subnet edge { tier = public }
    ///   subnet app  { tier = private }
    /// }
    /// table orders { partition_key = id: string }
    /// service order {
    ///   compute = lambda { runtime = "python3.12" }
    ///   subnet  = app
    ///   uses orders { usage { data = 500GB } }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr      = 10.0.0.0/16
    ///   nat       = single
    ///   endpoints = [logs, dynamodb]
    ///   subnet edge { tier = public }
    ///   subnet app  { tier = private }
    /// }
    /// table orders { partition_key = id: string }
    /// service order {
    ///   compute = lambda { runtime = "python3.12" }
    ///   subnet  = app
    ///   uses orders { usage { data = 500GB } }
    /// }
    /// ```
    GatewayServiceThroughNat, code = M602, slug = "gateway-service-through-nat", severity = Warning,
}

impl Rule for GatewayServiceThroughNat {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let Some(per_gb) = super::price(system, "vpc.nat_gateway.gb") else {
            return;
        };
        for (index, network) in system.networks.iter().enumerate() {
            let id = NetworkId(index);
            for api in [AwsService::S3, AwsService::DynamoDb] {
                if api.endpoint_kind() != EndpointKind::Gateway {
                    continue;
                }
                let through_nat: Vec<&ApiUse> = context
                    .graph
                    .network
                    .api_uses
                    .iter()
                    .filter(|api_use| api_use.api == api && api_use.route == ApiRoute::Nat)
                    .filter(|api_use| {
                        system
                            .service(api_use.service)
                            .and_then(|service| service.subnet)
                            .is_some_and(|subnet| subnet.value.network == id)
                    })
                    .collect();
                if through_nat.is_empty() {
                    continue;
                }
                let uses: Vec<(String, Span)> = through_nat
                    .iter()
                    .filter_map(|api_use| {
                        let service = system.service(api_use.service)?;
                        Some((service.name.text.clone(), api_use.span))
                    })
                    .collect();
                let declared: Vec<u64> = through_nat
                    .iter()
                    .filter_map(|api_use| crate::cost::api_use_data(system, api_use))
                    .collect();
                let monthly = (!declared.is_empty()).then(|| {
                    declared
                        .iter()
                        .fold(0_u64, |sum, bytes| sum.saturating_add(*bytes))
                });
                out.push(diagnostic(api, network, &uses, monthly, per_gb));
            }
        }
    }
}
