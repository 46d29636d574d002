//! The parameters of the template (Terraform's `variables.tf`), the
//! system's KMS key (`encryption.tf`) and the outputs (`outputs.tf`).

use serde_json::json;

use super::{Context, Template, attribute, id, reference};
use crate::emit::names;
use crate::graph::network::Guarded;
use crate::model::aws_names;
use crate::model::{Compute, NetworkId, SubnetRef};

/// The logical id of the system's KMS key.
pub(super) const KEY: &str = "SystemKey";

/// The parameter of a Fargate service's image tag.
pub(super) fn image_tag(service: &str) -> String {
    id(service, "ImageTag")
}

/// The condition that a Fargate service's image tag is given.
pub(super) fn image_given(service: &str) -> String {
    id(service, "ImageGiven")
}

/// The parameter of a Lambda function's package key in the packages bucket.
pub(super) fn package_key(service: &str) -> String {
    id(service, "PackageKey")
}

/// The bucket that holds the Lambda deployment packages.
pub(super) const PACKAGES_BUCKET: &str = "FunctionPackagesBucket";

/// The parameter of the prefix list of a gateway endpoint's service.
pub(super) fn prefix_list(api: &str) -> String {
    id(api, "PrefixListId")
}

pub(super) fn parameters(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    template.parameter(
        "NamePrefix",
        json!({
            "Type": "String",
            "Description": "Prefix of the name of every AWS resource of the system.",
            "Default": system.name.text,
            "MaxLength": aws_names::PREFIX_MAX,
            "AllowedPattern": aws_names::prefix_pattern_with_lookahead(),
            "ConstraintDescription": format!(
                "1 to {} lower-case letters, digits and single dashes, starting with a letter and ending with a letter or digit; not {}, nor one of them and a dash at the start (AWS reserves names that start so).",
                aws_names::PREFIX_MAX,
                aws_names::PREFIX_RESERVED.join(", ")
            ),
        }),
    );
    let zones = system
        .networks
        .iter()
        .map(|network| network.zones.value)
        .max()
        .unwrap_or(0);
    if zones > 0 {
        template.parameter(
            "AvailabilityZones",
            json!({
                "Type": "CommaDelimitedList",
                "Description": format!(
                    "The availability zones the networks use, in order: a network of N zones uses the first N (at least {zones}). Pinned, so that a zone AWS adds never moves a subnet."
                ),
                "Default": crate::model::aws::zone_names(&system.region.value, zones).join(","),
            }),
        );
    }
    for service in &system.services {
        let name = service.name.text.as_str();
        match &service.compute {
            Compute::Fargate(fargate) if fargate.image.is_none() => {
                template.parameter(
                    &image_tag(name),
                    json!({
                        "Type": "String",
                        "Description": format!("The image tag of {name} to run: a tag pushed to its ECR repository. Empty, the service runs no task, so the stack's first create (which creates the repository) needs none."),
                        "Default": "",
                        "AllowedPattern": "^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$",
                        "ConstraintDescription": "an image tag: up to 128 letters, digits, underscores, periods and dashes, not starting with a period or a dash",
                    }),
                );
                template.condition(
                    &image_given(name),
                    json!({ "Fn::Not": [{ "Fn::Equals": [reference(&image_tag(name)), ""] }] }),
                );
            }
            Compute::Fargate(_) => {}
            Compute::Lambda(_) => template.parameter(
                &package_key(name),
                json!({
                    "Type": "String",
                    "Description": format!("The key of the deployment package (.zip) of {name} in FunctionPackagesBucket."),
                    "MinLength": 1,
                }),
            ),
        }
    }
    if system.services.iter().any(crate::model::Service::is_lambda) {
        template.parameter(
            PACKAGES_BUCKET,
            json!({
                "Type": "String",
                "Description": "The S3 bucket that holds the deployment packages of the Lambda functions.",
                "MinLength": 3,
            }),
        );
    }
    let mut gateway_apis: Vec<&str> = context
        .graph
        .network
        .security_groups
        .iter()
        .flat_map(|group| group.ingress.iter().chain(group.egress.iter()))
        .filter_map(|rule| match rule.peer {
            crate::graph::network::SgPeer::PrefixList(_, api) => Some(api.mesh_name()),
            _ => None,
        })
        .collect();
    gateway_apis.sort_unstable();
    gateway_apis.dedup();
    for api in gateway_apis {
        template.parameter(
            &prefix_list(api),
            json!({
                "Type": "String",
                "Description": format!(
                    "The AWS-managed prefix list of com.amazonaws.REGION.{api}, which the security groups name to reach it through its gateway endpoint (aws ec2 describe-prefix-lists)."
                ),
                "AllowedPattern": "^pl-[0-9a-f]+$",
            }),
        );
    }
}

/// The system's KMS key and its alias (`emit::infra::encryption`).
pub(super) fn encryption(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(
        context,
        template,
        crate::emit::infra::encryption::encryption,
    );
}

pub(super) fn outputs(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    let plan = &context.graph.network;
    if context.graph.alarms.topic.is_some() {
        template.output(
            "AlarmTopicArn",
            "The topic every alarm notifies: subscribe whoever should know.",
            reference(&id(crate::graph::alarms::TOPIC_NAME, "Topic")),
        );
    }
    for service in &system.services {
        if let Compute::Fargate(fargate) = &service.compute {
            if fargate.image.is_none() {
                let name = service.name.text.as_str();
                template.output(
                    &id(name, "RepositoryUri"),
                    &format!(
                        "The ECR repository of {name}: push its images here, then give a tag as {}.",
                        image_tag(name)
                    ),
                    attribute(&id(name, "Repository"), "RepositoryUri"),
                );
            }
        }
    }
    for (index, network) in system.networks.iter().enumerate() {
        let name = names::network(system, NetworkId(index));
        template.output(
            &id(&name, "VpcId"),
            &format!("The VPC of network {}.", network.name.text),
            reference(&id(&name, "Vpc")),
        );
        for subnet in 0..network.subnets.len() {
            let subnet = SubnetRef {
                network: NetworkId(index),
                index: subnet,
            };
            let subnet_name = names::subnet(system, subnet);
            template.output(
                &id(&subnet_name, "SubnetIds"),
                &format!("The subnets of {subnet_name}, one per zone."),
                json!({ "Fn::Join": [",", super::subnet_ids(context, subnet)] }),
            );
        }
    }
    for link in &plan.private_links {
        let name = names::guarded(
            system,
            Guarded::PrivateLink {
                network: link.network,
                callee: link.callee,
            },
        );
        template.output(
            &id(&name, "DnsName"),
            "The DNS name callers use to reach the service over PrivateLink.",
            super::references::endpoint_dns(&id(&name, "Endpoint")),
        );
    }
    for balancer in &plan.load_balancers {
        if balancer.endpoint_service {
            continue;
        }
        let name = names::load_balancer(system, balancer.id);
        template.output(
            &id(&name, "DnsName"),
            &format!(
                "The DNS name of the {} load balancer {}.",
                if balancer.public {
                    "internet-facing"
                } else {
                    "internal"
                },
                names::physical(&name)
            ),
            attribute(&id(&name, "LoadBalancer"), "DNSName"),
        );
    }
    for bus in &system.buses {
        let name = bus.name.text.as_str();
        template.output(
            &id(name, "BusName"),
            &format!("The name of the event bus {name}."),
            attribute(&id(name, "EventBus"), "Name"),
        );
    }
    for plan in context.graph.state_machines() {
        template.output(
            &id(&plan.name, "StateMachineArn"),
            &format!(
                "The state machine of saga {}: start an execution with its trigger event.",
                plan.name
            ),
            reference(&id(&plan.name, "StateMachine")),
        );
    }
}
