//! `privatelink.tf`: for a service called `via = privatelink`, the internal
//! Network Load Balancer in front of it, the VPC endpoint service on that
//! balancer, and in each calling network an interface endpoint, accepted by
//! the service's owner.

use super::Context;
use super::writer::{TfFile, attribute, aws_name, list, object, reference, resource, template};
use crate::emit::names;
use crate::graph::LoadBalancerRef;
use crate::graph::network::Guarded;
use crate::model::aws_names::NameKind;

pub(super) fn private_links(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let plan = &context.graph.network;
    let mut file = TfFile::new(context);
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
        super::load_balancers::add_nlb(&mut file, context, balancer);
        file.add(
            resource("aws_vpc_endpoint_service", service_name)
                .add_attribute(attribute("acceptance_required", true))
                .add_attribute(attribute("network_load_balancer_arns", list([reference(&format!("aws_lb.{name}.arn"))])))
                .add_attribute(attribute(
                    "allowed_principals",
                    list([template(
                        "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root",
                    )]),
                ))
                .add_attribute(attribute(
                    "tags",
                    object([("Name", aws_name(context, NameKind::NameTag, service_name))]),
                ))
                .build(),
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
        let subnet = names::subnet(system, link.subnet);
        let callers = names::services(system, link.callers.iter().copied());
        file.add(
            resource("aws_vpc_endpoint", &group)
                .add_attribute(attribute(
                    "vpc_id",
                    reference(&format!("aws_vpc.{network}.id")),
                ))
                .add_attribute(attribute(
                    "service_name",
                    reference(&format!("aws_vpc_endpoint_service.{callee}.service_name")),
                ))
                .add_attribute(attribute("vpc_endpoint_type", "Interface"))
                .add_attribute(attribute(
                    "subnet_ids",
                    reference(&format!("aws_subnet.{subnet}[*].id")),
                ))
                .add_attribute(attribute(
                    "security_group_ids",
                    list([reference(&format!("aws_security_group.{group}.id"))]),
                ))
                .add_attribute(attribute("private_dns_enabled", false))
                .add_attribute(attribute(
                    "tags",
                    object([("Name", aws_name(context, NameKind::NameTag, &group))]),
                ))
                .build(),
        );
        file.note_above(&format!(
            "Where {} reach {callee} over PrivateLink.",
            callers.join(" and ")
        ));
        file.add(
            resource("aws_vpc_endpoint_connection_accepter", &group)
                .add_attribute(attribute(
                    "vpc_endpoint_service_id",
                    reference(&format!("aws_vpc_endpoint_service.{callee}.id")),
                ))
                .add_attribute(attribute(
                    "vpc_endpoint_id",
                    reference(&format!("aws_vpc_endpoint.{group}.id")),
                ))
                .build(),
        );
    }
    file
}
