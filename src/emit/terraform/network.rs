//! `network.tf` and `endpoints.tf`: VPCs, subnets per zone and tier, the
//! internet gateway, NAT gateways, route tables, flow logs, and the VPC
//! endpoints of the network plan.

use hcl::Expression;

use super::Context;
use super::writer::{
    TfFile, attribute, aws_name, call, list, object, physical_name, reference, resource, strings,
    template,
};
use crate::emit::names;
use crate::graph::network::{NetworkLayout, SubnetLayout};
use crate::model::Tier;
use crate::model::aws::EndpointKind;
use crate::model::aws_names::NameKind;

fn tags(name: Expression, extra: &[(&str, &str)]) -> Expression {
    let mut entries = vec![("Name", name)];
    entries.extend(
        extra
            .iter()
            .map(|(key, value)| (*key, Expression::from(*value))),
    );
    object(entries)
}

/// The route tables a subnet group uses: one per zone for private subnets
/// (each zone may route through its own NAT gateway), one for the others.
fn route_table_count(layout: &NetworkLayout, subnet: &SubnetLayout) -> usize {
    if subnet.tier == Tier::Private && !layout.nat_zones.is_empty() {
        subnet.zones.len()
    } else {
        1
    }
}

pub(super) fn network(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let mut file = TfFile::new(context);
    for layout in &context.graph.network.networks {
        let Some(network) = system.network(layout.network) else {
            continue;
        };
        let name = names::network(system, layout.network);
        file.add(
            resource("aws_vpc", &name)
                .add_attribute(attribute("cidr_block", layout.cidr.to_string()))
                .add_attribute(attribute("enable_dns_support", true))
                .add_attribute(attribute("enable_dns_hostnames", true))
                .add_attribute(attribute(
                    "tags",
                    tags(aws_name(context, NameKind::NameTag, &name), &[]),
                ))
                .build(),
        );
        if !network.doc.is_empty() {
            file.note_above(&network.doc.join("\n"));
        }
        // The default security group of a VPC is attached to anything
        // created without one; it allows nothing.
        file.add(
            resource("aws_default_security_group", &name)
                .add_attribute(attribute(
                    "vpc_id",
                    reference(&format!("aws_vpc.{name}.id")),
                ))
                .add_attribute(attribute(
                    "tags",
                    tags(
                        aws_name(context, NameKind::NameTag, &format!("{name}--default")),
                        &[],
                    ),
                ))
                .build(),
        );
        if layout.has_public_subnet() {
            file.add(
                resource("aws_internet_gateway", &name)
                    .add_attribute(attribute(
                        "vpc_id",
                        reference(&format!("aws_vpc.{name}.id")),
                    ))
                    .add_attribute(attribute(
                        "tags",
                        tags(aws_name(context, NameKind::NameTag, &name), &[]),
                    ))
                    .build(),
            );
        }
        for subnet in &layout.subnets {
            add_subnet(&mut file, context, subnet, &name);
        }
        add_nat(&mut file, context, layout, &name);
        for subnet in &layout.subnets {
            add_routes(&mut file, context, layout, subnet, &name);
        }
        if network.flow_logs.value {
            add_flow_logs(&mut file, context, layout.network, &name);
        }
    }
    file
}

fn add_subnet(file: &mut TfFile, context: &Context<'_>, subnet: &SubnetLayout, network: &str) {
    let system = context.system;
    let name = names::subnet(system, subnet.subnet);
    file.add(
        resource("aws_subnet", &name)
            .add_attribute(attribute("count", subnet.zones.len()))
            .add_attribute(attribute(
                "vpc_id",
                reference(&format!("aws_vpc.{network}.id")),
            ))
            .add_attribute(attribute(
                "cidr_block",
                call(
                    "element",
                    vec![
                        strings(subnet.zones.iter().map(ToString::to_string)),
                        reference("count.index"),
                    ],
                ),
            ))
            .add_attribute(attribute(
                "availability_zone",
                reference("var.availability_zones[count.index]"),
            ))
            .add_attribute(attribute("map_public_ip_on_launch", false))
            .add_attribute(attribute(
                "tags",
                tags(
                    physical_name(&names::counted(context, NameKind::NameTag, &name)),
                    &[("Tier", subnet.tier.as_str())],
                ),
            ))
            .build(),
    );
    let doc = system
        .subnet(subnet.subnet)
        .map(|declared| declared.doc.join("\n"))
        .unwrap_or_default();
    if !doc.is_empty() {
        file.note_above(&doc);
    }
}

fn add_nat(file: &mut TfFile, context: &Context<'_>, layout: &NetworkLayout, network: &str) {
    let system = context.system;
    let Some(public) = layout.nat_subnet else {
        return;
    };
    if layout.nat_zones.is_empty() {
        return;
    }
    let count = layout.nat_zones.len();
    let public = names::subnet(system, public);
    file.add(
        resource("aws_eip", &format!("{network}--nat"))
            .add_attribute(attribute("count", count))
            .add_attribute(attribute("domain", "vpc"))
            .add_attribute(attribute(
                "tags",
                tags(physical_name(&names::nat(context, network)), &[]),
            ))
            .build(),
    );
    file.add(
        resource("aws_nat_gateway", network)
            .add_attribute(attribute("count", count))
            .add_attribute(attribute(
                "allocation_id",
                reference(&format!("aws_eip.{network}--nat[count.index].id")),
            ))
            .add_attribute(attribute(
                "subnet_id",
                reference(&format!("aws_subnet.{public}[count.index].id")),
            ))
            .add_attribute(attribute(
                "tags",
                tags(
                    physical_name(&names::counted(context, NameKind::NameTag, network)),
                    &[],
                ),
            ))
            .add_attribute(attribute(
                "depends_on",
                list([reference(&format!("aws_internet_gateway.{network}"))]),
            ))
            .build(),
    );
}

fn add_routes(
    file: &mut TfFile,
    context: &Context<'_>,
    layout: &NetworkLayout,
    subnet: &SubnetLayout,
    network: &str,
) {
    let system = context.system;
    let name = names::subnet(system, subnet.subnet);
    let tables = route_table_count(layout, subnet);
    file.add(
        resource("aws_route_table", &name)
            .add_attribute(attribute("count", tables))
            .add_attribute(attribute(
                "vpc_id",
                reference(&format!("aws_vpc.{network}.id")),
            ))
            .add_attribute(attribute(
                "tags",
                tags(
                    physical_name(&names::counted(context, NameKind::NameTag, &name)),
                    &[("Tier", subnet.tier.as_str())],
                ),
            ))
            .build(),
    );
    let table_of_zone = if tables == 1 { "0" } else { "count.index" };
    file.add(
        resource("aws_route_table_association", &name)
            .add_attribute(attribute("count", subnet.zones.len()))
            .add_attribute(attribute(
                "subnet_id",
                reference(&format!("aws_subnet.{name}[count.index].id")),
            ))
            .add_attribute(attribute(
                "route_table_id",
                reference(&format!("aws_route_table.{name}[{table_of_zone}].id")),
            ))
            .build(),
    );
    match subnet.tier {
        Tier::Public => {
            file.add(
                resource("aws_route", &format!("{name}--internet"))
                    .add_attribute(attribute(
                        "route_table_id",
                        reference(&format!("aws_route_table.{name}[0].id")),
                    ))
                    .add_attribute(attribute("destination_cidr_block", "0.0.0.0/0"))
                    .add_attribute(attribute(
                        "gateway_id",
                        reference(&format!("aws_internet_gateway.{network}.id")),
                    ))
                    .build(),
            );
        }
        Tier::Private if !layout.nat_zones.is_empty() => {
            let gateway = if layout.nat_zones.len() == 1 {
                "0"
            } else {
                "count.index"
            };
            file.add(
                resource("aws_route", &format!("{name}--nat"))
                    .add_attribute(attribute("count", tables))
                    .add_attribute(attribute(
                        "route_table_id",
                        reference(&format!("aws_route_table.{name}[count.index].id")),
                    ))
                    .add_attribute(attribute("destination_cidr_block", "0.0.0.0/0"))
                    .add_attribute(attribute(
                        "nat_gateway_id",
                        reference(&format!("aws_nat_gateway.{network}[{gateway}].id")),
                    ))
                    .build(),
            );
        }
        Tier::Private | Tier::Isolated => {}
    }
}

fn add_flow_logs(
    file: &mut TfFile,
    context: &Context<'_>,
    network_id: crate::model::NetworkId,
    network: &str,
) {
    let group = format!("{network}--flow-logs");
    super::infra::add(
        file,
        context,
        crate::emit::infra::logs::log_group(&group, names::flow_log_group(context, network), 365),
    );
    file.add(
        resource("aws_flow_log", network)
            .add_attribute(attribute(
                "vpc_id",
                reference(&format!("aws_vpc.{network}.id")),
            ))
            .add_attribute(attribute("traffic_type", "ALL"))
            .add_attribute(attribute("log_destination_type", "cloud-watch-logs"))
            .add_attribute(attribute(
                "log_destination",
                reference(&format!("aws_cloudwatch_log_group.{group}.arn")),
            ))
            .add_attribute(attribute(
                "iam_role_arn",
                reference(&format!("aws_iam_role.{group}.arn")),
            ))
            .add_attribute(attribute("max_aggregation_interval", 60))
            .add_attribute(attribute(
                "tags",
                tags(aws_name(context, NameKind::NameTag, &group), &[]),
            ))
            .add_attribute(attribute(
                "depends_on",
                list(super::references::prerequisites(
                    context,
                    &[crate::emit::ordering::assumes(
                        crate::graph::iam::Principal::FlowLogs(network_id),
                    )],
                )),
            ))
            .build(),
    );
}

pub(super) fn endpoints(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let mut file = TfFile::new(context);
    for layout in &context.graph.network.networks {
        let network = names::network(system, layout.network);
        for endpoint in &layout.endpoints {
            let name = names::endpoint(system, layout.network, endpoint.service);
            let why = names::endpoint_reason(system, &endpoint.users);
            for service_name in endpoint.service.endpoint_services() {
                let label = if endpoint.service.endpoint_services().len() == 1 {
                    name.clone()
                } else {
                    format!("{network}--{}", service_name.replace('.', "-"))
                };
                let service = template(&format!("com.amazonaws.${{var.region}}.{service_name}"));
                let block = match endpoint.kind {
                    EndpointKind::Gateway => {
                        let tables: Vec<Expression> = layout
                            .subnets
                            .iter()
                            .filter(|subnet| matches!(subnet.tier, Tier::Private | Tier::Isolated))
                            .map(|subnet| {
                                reference(&format!(
                                    "aws_route_table.{}[*].id",
                                    names::subnet(system, subnet.subnet)
                                ))
                            })
                            .collect();
                        resource("aws_vpc_endpoint", &label)
                            .add_attribute(attribute(
                                "vpc_id",
                                reference(&format!("aws_vpc.{network}.id")),
                            ))
                            .add_attribute(attribute("service_name", service))
                            .add_attribute(attribute("vpc_endpoint_type", "Gateway"))
                            .add_attribute(attribute("route_table_ids", call("concat", tables)))
                            .add_attribute(attribute(
                                "tags",
                                tags(aws_name(context, NameKind::NameTag, &label), &[]),
                            ))
                            .build()
                    }
                    EndpointKind::Interface => {
                        let Some(subnet) = endpoint.subnet else {
                            continue;
                        };
                        let group = names::guarded(
                            system,
                            crate::graph::network::Guarded::Endpoint(
                                layout.network,
                                endpoint.service,
                            ),
                        );
                        resource("aws_vpc_endpoint", &label)
                            .add_attribute(attribute(
                                "vpc_id",
                                reference(&format!("aws_vpc.{network}.id")),
                            ))
                            .add_attribute(attribute("service_name", service))
                            .add_attribute(attribute("vpc_endpoint_type", "Interface"))
                            .add_attribute(attribute(
                                "subnet_ids",
                                reference(&format!(
                                    "aws_subnet.{}[*].id",
                                    names::subnet(system, subnet)
                                )),
                            ))
                            .add_attribute(attribute(
                                "security_group_ids",
                                list([reference(&format!("aws_security_group.{group}.id"))]),
                            ))
                            .add_attribute(attribute("private_dns_enabled", true))
                            .add_attribute(attribute(
                                "tags",
                                tags(aws_name(context, NameKind::NameTag, &label), &[]),
                            ))
                            .build()
                    }
                };
                file.add(block);
                file.note_above(&why);
            }
        }
    }
    file
}
