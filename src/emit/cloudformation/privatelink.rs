//! For a service called `via = privatelink` (Terraform's `privatelink.tf`):
//! the internal Network Load Balancer in front of it, the VPC endpoint
//! service on that balancer with the account as its only allowed principal,
//! and in each calling network an interface endpoint.
//!
//! Terraform requires acceptance and accepts each connection with
//! `aws_vpc_endpoint_connection_accepter`; CloudFormation has no resource
//! that accepts a connection, so here the service accepts connections
//! without a manual step — from the principals of its permissions, which
//! are the account's own, and nobody else.

use serde_json::json;

use super::{Context, Template, account_root, id, reference, sub};
use crate::emit::names;
use crate::graph::LoadBalancerRef;
use crate::graph::network::Guarded;

pub(super) fn private_links(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    let plan = &context.graph.network;
    for balancer in plan
        .load_balancers
        .iter()
        .filter(|balancer| balancer.endpoint_service)
    {
        let LoadBalancerRef::Nlb(service) = balancer.id else {
            continue;
        };
        let service_name =
            crate::emit::infra::named(context, crate::model::ComponentId::Service(service));
        let service_name = service_name.as_str();
        let name = names::load_balancer(system, balancer.id);
        super::load_balancers::add_nlb(template, context, balancer);
        template
            .add(
                id(service_name, "EndpointService"),
                service_name,
                "AWS::EC2::VPCEndpointService",
                json!({
                    "AcceptanceRequired": false,
                    "NetworkLoadBalancerArns": [reference(&id(&name, "LoadBalancer"))],
                }),
            )
            .note("Connections are accepted from the principals of the service's permissions (the account itself) without a manual step: CloudFormation has no resource that accepts one.")
            .skip(
                "CKV_AWS_123",
                "the only principal allowed to connect is the account itself (VPCEndpointServicePermissions); CloudFormation cannot accept a connection, so manual acceptance would leave the callers' endpoint pending",
            );
        template.add(
            id(service_name, "EndpointServicePermissions"),
            service_name,
            "AWS::EC2::VPCEndpointServicePermissions",
            json!({
                "ServiceId": reference(&id(service_name, "EndpointService")),
                "AllowedPrincipals": [account_root()],
            }),
        );
    }
    for link in &plan.private_links {
        let group = names::guarded(
            system,
            Guarded::PrivateLink {
                network: link.network,
                callee: link.callee,
            },
        );
        let callee =
            crate::emit::infra::named(context, crate::model::ComponentId::Service(link.callee));
        let callee = callee.as_str();
        let network = names::network(system, link.network);
        let callers = names::services(system, link.callers.iter().copied());
        template
            .add(
                id(&group, "Endpoint"),
                &group,
                "AWS::EC2::VPCEndpoint",
                json!({
                    "VpcId": reference(&id(&network, "Vpc")),
                    "ServiceName": sub(&format!(
                        "com.amazonaws.vpce.${{AWS::Region}}.${{{}}}",
                        id(callee, "EndpointService")
                    )),
                    "VpcEndpointType": "Interface",
                    "SubnetIds": super::subnet_ids(context, link.subnet),
                    "SecurityGroupIds": [super::group_id(context, Guarded::PrivateLink {
                        network: link.network,
                        callee: link.callee,
                    })],
                    "PrivateDnsEnabled": false,
                }),
            )
            .depends_on(id(callee, "EndpointServicePermissions"))
            .note(&format!(
                "Where {} reach {callee} over PrivateLink.",
                callers.join(" and ")
            ));
    }
}
