//! `versions.tf`, `variables.tf`, `outputs.tf` and `encryption.tf`: the
//! provider, the inputs of the configuration, what it exposes, and the
//! system's KMS key.

use hcl::Expression;
use hcl::expr::{BinaryOp, BinaryOperator, Operation, UnaryOp, UnaryOperator};

use super::Context;
use super::writer::{TfFile, attribute, call, data, nested_block, object, reference, strings};
use crate::emit::names;
use crate::model::aws_names;

/// Why a prefix may not start with a reserved word, for the variable's
/// validation.
fn prefix_reserved_message() -> String {
    format!(
        "The prefix must not be {}, nor start with one of them and a dash: AWS reserves names that start so.",
        aws_names::PREFIX_RESERVED.join(", ")
    )
}

pub(super) fn versions(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    file.add(
        nested_block("terraform")
            .add_attribute(attribute("required_version", ">= 1.6.0"))
            .add_block(
                nested_block("required_providers")
                    .add_attribute(attribute(
                        "aws",
                        object([
                            ("source", Expression::from("hashicorp/aws")),
                            ("version", Expression::from("~> 6.0")),
                        ]),
                    ))
                    .build(),
            )
            .build(),
    );
    let system_tag = object([(
        crate::emit::SYSTEM_TAG,
        Expression::from(context.system.name.text.as_str()),
    )]);
    file.add(
        nested_block("provider")
            .add_label("aws")
            .add_attribute(attribute("region", reference("var.region")))
            .add_block(
                nested_block("default_tags")
                    .add_attribute(attribute(
                        "tags",
                        call("merge", vec![reference("var.tags"), system_tag]),
                    ))
                    .build(),
            )
            .build(),
    );
    file.add(data("aws_caller_identity", "current").build());
    file.add(data("aws_partition", "current").build());
    file.add(data("aws_region", "current").build());
    file
}

pub(super) fn variables(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let mut file = TfFile::new(context);
    file.add(
        nested_block("variable")
            .add_label("region")
            .add_attribute(attribute(
                "description",
                "The AWS region the system runs in.",
            ))
            .add_attribute(attribute("type", reference("string")))
            .add_attribute(attribute("default", system.region.value.as_str()))
            .build(),
    );
    file.add(
        nested_block("variable")
            .add_label("name_prefix")
            .add_attribute(attribute("description", "Prefix of the name of every AWS resource of the system."))
            .add_attribute(attribute("type", reference("string")))
            .add_attribute(attribute("default", system.name.text.as_str()))
            .add_block(
                nested_block("validation")
                    .add_attribute(attribute(
                        "condition",
                        Expression::from(Operation::Binary(BinaryOp::new(
                            Expression::from(Operation::Binary(BinaryOp::new(
                                call("length", vec![reference("var.name_prefix")]),
                                BinaryOperator::LessEq,
                                Expression::from(aws_names::PREFIX_MAX as u64),
                            ))),
                            BinaryOperator::And,
                            call(
                                "can",
                                vec![call(
                                    "regex",
                                    vec![Expression::from(aws_names::PREFIX_SHAPE), reference("var.name_prefix")],
                                )],
                            ),
                        ))),
                    ))
                    .add_attribute(attribute(
                        "error_message",
                        format!("The prefix is 1 to {} lower-case letters, digits and single dashes, starting with a letter and ending with a letter or digit.", aws_names::PREFIX_MAX),
                    ))
                    .build(),
            )
            .add_block(
                nested_block("validation")
                    .add_attribute(attribute(
                        "condition",
                        Expression::from(Operation::Unary(UnaryOp::new(
                            UnaryOperator::Not,
                            call(
                                "can",
                                vec![call(
                                    "regex",
                                    vec![Expression::from(aws_names::prefix_reserved_pattern()), reference("var.name_prefix")],
                                )],
                            ),
                        ))),
                    ))
                    .add_attribute(attribute("error_message", prefix_reserved_message()))
                    .build(),
            )
            .build(),
    );
    let zones = system
        .networks
        .iter()
        .map(|network| network.zones.value)
        .max()
        .unwrap_or(0);
    if zones > 0 {
        file.add(
            nested_block("variable")
                .add_label("availability_zones")
                .add_attribute(attribute(
                    "description",
                    "The availability zones the networks use, in order: a network of N zones uses the first N. Pinned, so that a zone AWS adds never moves a subnet.",
                ))
                .add_attribute(attribute("type", call("list", vec![reference("string")])))
                .add_attribute(attribute(
                    "default",
                    strings(crate::model::aws::zone_names(&system.region.value, zones)),
                ))
                .add_block(
                    nested_block("validation")
                                                .add_attribute(attribute(
                            "condition",
                            Expression::from(hcl::expr::Operation::Binary(hcl::expr::BinaryOp::new(
                                call("length", vec![reference("var.availability_zones")]),
                                hcl::expr::BinaryOperator::GreaterEq,
                                Expression::from(u64::from(zones)),
                            ))),
                        ))
                        .add_attribute(attribute(
                            "error_message",
                            format!("The networks need {zones} availability zones."),
                        ))
                        .build(),
                )
                .build(),
        );
    }
    let images: Vec<&str> = system
        .services
        .iter()
        .filter_map(|service| match &service.compute {
            crate::model::Compute::Fargate(fargate) if fargate.image.is_none() => {
                Some(service.name.text.as_str())
            }
            _ => None,
        })
        .collect();
    let packages: Vec<&str> = system
        .services
        .iter()
        .filter(|service| service.is_lambda())
        .map(|service| service.name.text.as_str())
        .collect();
    // Every key of `variable` is one of `names` (or, with `all`, every
    // name is a key).
    let names_check = |variable: &str, names: &[&str], all: bool| {
        let (collection, member) = if all {
            (
                strings(names.iter()),
                call("keys", vec![reference(&format!("var.{variable}"))]),
            )
        } else {
            (
                call("keys", vec![reference(&format!("var.{variable}"))]),
                strings(names.iter()),
            )
        };
        call(
            "alltrue",
            vec![
                hcl::expr::ForExpr::new(
                    hcl::Identifier::sanitized("name"),
                    collection,
                    call("contains", vec![member, reference("name")]),
                )
                .into(),
            ],
        )
    };
    if !images.is_empty() {
        file.add(
            nested_block("variable")
                .add_label("image_tags")
                .add_attribute(attribute(
                    "description",
                    "The image tag to run for each Fargate service, by service name: a tag pushed to its ECR repository. A service without one runs no task, so the first apply (which creates the repositories) needs none.",
                ))
                .add_attribute(attribute("type", call("map", vec![reference("string")])))
                .add_attribute(attribute("default", object(Vec::<(&str, Expression)>::new())))
                .add_block(
                    nested_block("validation")
                        .add_attribute(attribute("condition", names_check("image_tags", &images, false)))
                        .add_attribute(attribute(
                            "error_message",
                            format!("Only these services run images of their own repository: {}.", images.join(", ")),
                        ))
                        .build(),
                )
                .build(),
        );
    }
    if !packages.is_empty() {
        file.add(
            nested_block("variable")
                .add_label("function_packages")
                .add_attribute(attribute(
                    "description",
                    "The path of the deployment package (.zip) of each Lambda function, by service name.",
                ))
                .add_attribute(attribute("type", call("map", vec![reference("string")])))
                .add_block(
                    nested_block("validation")
                        .add_attribute(attribute("condition", names_check("function_packages", &packages, true)))
                        .add_attribute(attribute(
                            "error_message",
                            format!("Give one for each of: {}.", packages.join(", ")),
                        ))
                        .build(),
                )
                .build(),
        );
    }
    let tags = object(
        system
            .tags
            .iter()
            .map(|(key, value)| (key.as_str(), Expression::from(value.as_str()))),
    );
    file.add(
        nested_block("variable")
            .add_label("tags")
            .add_attribute(attribute("description", "Tags applied to every resource."))
            .add_attribute(attribute("type", call("map", vec![reference("string")])))
            .add_attribute(attribute("default", tags))
            .build(),
    );
    file
}

/// The system's KMS key and its alias (`emit::infra::encryption`).
pub(super) fn encryption(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    super::infra::add_all(
        &mut file,
        context,
        crate::emit::infra::encryption::encryption,
    );
    file
}

pub(super) fn outputs(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let plan = &context.graph.network;
    let mut file = TfFile::new(context);
    let output = |name: String, description: String, value: Expression| {
        nested_block("output")
            .add_label(name)
            .add_attribute(attribute("description", description))
            .add_attribute(attribute("value", value))
            .build()
    };
    if context.graph.alarms.topic.is_some() {
        file.add(output(
            "alarm_topic_arn".to_string(),
            "The topic every alarm notifies: subscribe whoever should know.".to_string(),
            reference(&format!(
                "aws_sns_topic.{}.arn",
                crate::graph::alarms::TOPIC_NAME
            )),
        ));
    }
    for (index, network) in system.networks.iter().enumerate() {
        let name = names::network(system, crate::model::NetworkId(index));
        file.add(output(
            format!("{name}_vpc_id"),
            format!("The VPC of network {}.", network.name.text),
            reference(&format!("aws_vpc.{name}.id")),
        ));
        for subnet in 0..network.subnets.len() {
            let subnet_name = names::subnet(
                system,
                crate::model::SubnetRef {
                    network: crate::model::NetworkId(index),
                    index: subnet,
                },
            );
            file.add(output(
                format!("{subnet_name}_subnet_ids"),
                format!("The subnets of {subnet_name}, one per zone."),
                reference(&format!("aws_subnet.{subnet_name}[*].id")),
            ));
        }
    }
    for link in &plan.private_links {
        let name = names::guarded(
            system,
            crate::graph::network::Guarded::PrivateLink {
                network: link.network,
                callee: link.callee,
            },
        );
        file.add(output(
            format!("{}_dns_name", name.replace("--", "_").replace('-', "_")),
            "The DNS name callers use to reach the service over PrivateLink.".to_string(),
            reference(&format!("aws_vpc_endpoint.{name}.dns_entry[0].dns_name")),
        ));
    }
    let identifier = |base: &str| base.replace("--", "_").replace('-', "_");
    for balancer in &plan.load_balancers {
        if balancer.endpoint_service {
            continue;
        }
        let name = names::load_balancer(system, balancer.id);
        file.add(output(
            format!("{}_dns_name", identifier(&name)),
            format!(
                "The DNS name of the {} load balancer {}.",
                if balancer.public {
                    "internet-facing"
                } else {
                    "internal"
                },
                names::physical(&name)
            ),
            reference(&format!("aws_lb.{name}.dns_name")),
        ));
    }
    for bus in &system.buses {
        let name = bus.name.text.as_str();
        file.add(output(
            format!("{}_bus_name", identifier(name)),
            format!("The name of the event bus {name}."),
            reference(&format!("aws_cloudwatch_event_bus.{name}.name")),
        ));
    }
    for plan in context.graph.state_machines() {
        file.add(output(
            format!("{}_state_machine_arn", identifier(&plan.name)),
            format!(
                "The state machine of saga {}: start an execution with its trigger event.",
                plan.name
            ),
            reference(&format!("aws_sfn_state_machine.{}.arn", plan.name)),
        ));
    }
    file
}

/// The outputs a configuration of the user's own builds on (other root
/// modules read them from the state; files beside meshc's can refer to the
/// resources directly): for each kind below, one map from meshc's name for
/// each resource of that kind that was emitted to what is needed to extend
/// it.
pub(super) fn extension_outputs(file: &mut TfFile, emitted: &[(String, String)]) {
    /// An output: its name, the resource type it maps, its description,
    /// and the attributes of each resource it gives (under their keys, or
    /// alone under the empty key).
    type Kind = (
        &'static str,
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    );
    const KINDS: [Kind; 6] = [
        (
            "roles",
            "aws_iam_role",
            "The IAM roles, by meshc's name for each (a service's role has the service's name): attach your own policies to them.",
            &[("name", "name"), ("arn", "arn")],
        ),
        (
            "security_group_ids",
            "aws_security_group",
            "The security groups, by meshc's name for each: add your own rules to them.",
            &[("", "id")],
        ),
        (
            "queues",
            "aws_sqs_queue",
            "The SQS queues, dead-letter queues included, by meshc's name for each.",
            &[("url", "url"), ("arn", "arn")],
        ),
        (
            "topic_arns",
            "aws_sns_topic",
            "The SNS topics, by name.",
            &[("", "arn")],
        ),
        (
            "repository_urls",
            "aws_ecr_repository",
            "The ECR repository of each Fargate service meshc builds one for: push its images here, then name their tags in image_tags.",
            &[("", "repository_url")],
        ),
        (
            "functions",
            "aws_lambda_function",
            "The Lambda functions, by service name.",
            &[("name", "function_name"), ("arn", "arn")],
        ),
    ];
    for (output, kind, description, fields) in KINDS {
        let names: Vec<&str> = emitted
            .iter()
            .filter(|(emitted_kind, _)| emitted_kind == kind)
            .map(|(_, name)| name.as_str())
            .collect();
        if names.is_empty() {
            continue;
        }
        let value = object(names.iter().map(|name| {
            let field = |attribute: &str| reference(&format!("{kind}.{name}.{attribute}"));
            let value = match fields {
                [("", attribute)] => field(attribute),
                _ => object(
                    fields
                        .iter()
                        .map(|(key, attribute)| (*key, field(attribute))),
                ),
            };
            (*name, value)
        }));
        file.add(
            nested_block("output")
                .add_label(output)
                .add_attribute(attribute("description", description))
                .add_attribute(attribute("value", value))
                .build(),
        );
    }
}
