//! VPCs, subnets per zone and tier, the internet gateway, NAT gateways,
//! route tables, flow logs and the VPC endpoints of the network plan
//! (Terraform's `network.tf` and `endpoints.tf`).

use serde_json::json;

use super::{
    Context, Template, attribute, aws_name, counted, id, name_tags, physical_name, reference,
    references, sub,
};
use crate::emit::names;
use crate::graph::iam::Principal;
use crate::graph::network::{Guarded, NetworkLayout, SubnetLayout};
use crate::model::Tier;
use crate::model::aws::EndpointKind;
use crate::model::aws_names::NameKind;

/// The route tables a subnet group uses: one per zone for private subnets
/// (each zone may route through its own NAT gateway), one for the others.
fn route_table_count(layout: &NetworkLayout, subnet: &SubnetLayout) -> usize {
    if subnet.tier == Tier::Private && !layout.nat_zones.is_empty() {
        subnet.zones.len()
    } else {
        1
    }
}

pub(super) fn network(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    for layout in &context.graph.network.networks {
        let Some(network) = system.network(layout.network) else {
            continue;
        };
        let name = names::network(system, layout.network);
        let vpc = template.add(
            id(&name, "Vpc"),
            &name,
            "AWS::EC2::VPC",
            json!({
                "CidrBlock": layout.cidr.to_string(),
                "EnableDnsSupport": true,
                "EnableDnsHostnames": true,
                "Tags": name_tags(aws_name(context, NameKind::NameTag, &name), &[]),
            }),
        );
        if !network.doc.is_empty() {
            vpc.note(&network.doc.join(" "));
        }
        if layout.has_public_subnet() {
            template.add(
                id(&name, "InternetGateway"),
                &name,
                "AWS::EC2::InternetGateway",
                json!({ "Tags": name_tags(aws_name(context, NameKind::NameTag, &name), &[]) }),
            );
            template.add(
                id(&name, "GatewayAttachment"),
                &name,
                "AWS::EC2::VPCGatewayAttachment",
                json!({
                    "VpcId": reference(&id(&name, "Vpc")),
                    "InternetGatewayId": reference(&id(&name, "InternetGateway")),
                }),
            );
        }
        for subnet in &layout.subnets {
            add_subnet(template, context, subnet, &name);
        }
        add_nat(template, context, layout, &name);
        for subnet in &layout.subnets {
            add_routes(template, context, layout, subnet, &name);
        }
        if network.flow_logs.value {
            add_flow_logs(template, context, layout.network, &name);
        }
    }
}

fn add_subnet(
    template: &mut Template,
    context: &Context<'_>,
    subnet: &SubnetLayout,
    network: &str,
) {
    let system = context.system;
    let name = names::subnet(system, subnet.subnet);
    let doc = system
        .subnet(subnet.subnet)
        .map(|declared| declared.doc.join(" "))
        .unwrap_or_default();
    for (zone, cidr) in subnet.zones.iter().enumerate() {
        let resource = template.add(
            counted(&name, "Subnet", zone),
            &name,
            "AWS::EC2::Subnet",
            json!({
                "VpcId": reference(&id(network, "Vpc")),
                "CidrBlock": cidr.to_string(),
                "AvailabilityZone": { "Fn::Select": [zone, reference("AvailabilityZones")] },
                "MapPublicIpOnLaunch": false,
                "Tags": name_tags(
                    physical_name(context, &names::counted(context, NameKind::NameTag, &name).in_zone(zone)),
                    &[("Tier", subnet.tier.as_str())],
                ),
            }),
        );
        if !doc.is_empty() {
            resource.note(&doc);
        }
    }
}

fn add_nat(template: &mut Template, context: &Context<'_>, layout: &NetworkLayout, network: &str) {
    let system = context.system;
    let Some(public) = layout.nat_subnet else {
        return;
    };
    let public = names::subnet(system, public);
    for zone in 0..layout.nat_zones.len() {
        let eip = counted(&format!("{network}--nat"), "Eip", zone);
        template
            .add(
                eip.clone(),
                &format!("{network}--nat"),
                "AWS::EC2::EIP",
                json!({
                    "Domain": "vpc",
                    "Tags": name_tags(
                        physical_name(context, &names::nat(context, network).in_zone(zone)),
                        &[],
                    ),
                }),
            )
            .depends_on(id(network, "GatewayAttachment"));
        template.add(
            counted(network, "NatGateway", zone),
            network,
            "AWS::EC2::NatGateway",
            json!({
                "AllocationId": attribute(&eip, "AllocationId"),
                "SubnetId": reference(&counted(&public, "Subnet", zone)),
                "Tags": name_tags(
                    physical_name(context, &names::counted(context, NameKind::NameTag, network).in_zone(zone)),
                    &[],
                ),
            }),
        );
    }
}

fn add_routes(
    template: &mut Template,
    context: &Context<'_>,
    layout: &NetworkLayout,
    subnet: &SubnetLayout,
    network: &str,
) {
    let name = names::subnet(context.system, subnet.subnet);
    let tables = route_table_count(layout, subnet);
    for table in 0..tables {
        template.add(
            counted(&name, "RouteTable", table),
            &name,
            "AWS::EC2::RouteTable",
            json!({
                "VpcId": reference(&id(network, "Vpc")),
                "Tags": name_tags(
                    physical_name(context, &names::counted(context, NameKind::NameTag, &name).in_zone(table)),
                    &[("Tier", subnet.tier.as_str())],
                ),
            }),
        );
    }
    for zone in 0..subnet.zones.len() {
        let table = if tables == 1 { 0 } else { zone };
        template.add(
            counted(&name, "RouteTableAssociation", zone),
            &name,
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({
                "SubnetId": reference(&counted(&name, "Subnet", zone)),
                "RouteTableId": reference(&counted(&name, "RouteTable", table)),
            }),
        );
    }
    match subnet.tier {
        Tier::Public => {
            template
                .add(
                    id(&format!("{name}--internet"), "Route"),
                    &name,
                    "AWS::EC2::Route",
                    json!({
                        "RouteTableId": reference(&counted(&name, "RouteTable", 0)),
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "GatewayId": reference(&id(network, "InternetGateway")),
                    }),
                )
                .depends_on(id(network, "GatewayAttachment"));
        }
        Tier::Private if !layout.nat_zones.is_empty() => {
            for table in 0..tables {
                let gateway = if layout.nat_zones.len() == 1 {
                    0
                } else {
                    table
                };
                template.add(
                    counted(&format!("{name}--nat"), "Route", table),
                    &format!("{name}--nat"),
                    "AWS::EC2::Route",
                    json!({
                        "RouteTableId": reference(&counted(&name, "RouteTable", table)),
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": reference(&counted(network, "NatGateway", gateway)),
                    }),
                );
            }
        }
        Tier::Private | Tier::Isolated => {}
    }
}

fn add_flow_logs(
    template: &mut Template,
    context: &Context<'_>,
    network_id: crate::model::NetworkId,
    network: &str,
) {
    let group = format!("{network}--flow-logs");
    let log_group = super::log_group(
        context,
        template,
        &group,
        names::flow_log_group(context, network),
        365,
    );
    template
        .add(
            id(network, "FlowLog"),
            network,
            "AWS::EC2::FlowLog",
            json!({
                "ResourceId": reference(&id(network, "Vpc")),
                "ResourceType": "VPC",
                "TrafficType": "ALL",
                "LogDestinationType": "cloud-watch-logs",
                "LogDestination": attribute(&log_group, "Arn"),
                "DeliverLogsPermissionArn": attribute(
                    &references::role(context, Principal::FlowLogs(network_id)),
                    "Arn",
                ),
                "MaxAggregationInterval": 60,
                "Tags": name_tags(aws_name(context, NameKind::NameTag, &group), &[]),
            }),
        )
        .depends_on_all(references::prerequisites(
            context,
            &[crate::emit::ordering::assumes(Principal::FlowLogs(
                network_id,
            ))],
        ));
}

pub(super) fn endpoints(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    for layout in &context.graph.network.networks {
        let network = names::network(system, layout.network);
        for endpoint in &layout.endpoints {
            let name = names::endpoint(system, layout.network, endpoint.service);
            let why = names::endpoint_reason(system, &endpoint.users);
            let services = endpoint.service.endpoint_services();
            for service_name in services {
                let label = if services.len() == 1 {
                    name.clone()
                } else {
                    format!("{network}--{}", service_name.replace('.', "-"))
                };
                let service = sub(&format!("com.amazonaws.${{AWS::Region}}.{service_name}"));
                let properties = match endpoint.kind {
                    EndpointKind::Gateway => {
                        let tables: Vec<serde_json::Value> = layout
                            .subnets
                            .iter()
                            .filter(|subnet| matches!(subnet.tier, Tier::Private | Tier::Isolated))
                            .flat_map(|subnet| {
                                let subnet_name = names::subnet(system, subnet.subnet);
                                (0..route_table_count(layout, subnet)).map(move |table| {
                                    reference(&counted(&subnet_name, "RouteTable", table))
                                })
                            })
                            .collect();
                        json!({
                            "VpcId": reference(&id(&network, "Vpc")),
                            "ServiceName": service,
                            "VpcEndpointType": "Gateway",
                            "RouteTableIds": tables,
                        })
                    }
                    EndpointKind::Interface => {
                        let Some(subnet) = endpoint.subnet else {
                            continue;
                        };
                        json!({
                            "VpcId": reference(&id(&network, "Vpc")),
                            "ServiceName": service,
                            "VpcEndpointType": "Interface",
                            "SubnetIds": super::subnet_ids(context, subnet),
                            "SecurityGroupIds": [super::group_id(
                                context,
                                Guarded::Endpoint(layout.network, endpoint.service),
                            )],
                            "PrivateDnsEnabled": true,
                        })
                    }
                };
                template
                    .add(
                        id(&label, "Endpoint"),
                        &label,
                        "AWS::EC2::VPCEndpoint",
                        properties,
                    )
                    .note(&why);
            }
        }
    }
}
