//! `iam.rs`: one role per principal of the IAM plan, its trust policy, and
//! an inline policy with one statement per grant. A statement on `*` says
//! why above it.

use hcl::{Block, Expression};

use super::Context;
use super::references::{Emitted, address, attribute};
use super::writer::{TfFile, aws_name, data, list, reference, resource, strings, template};
use crate::emit::names;
use crate::graph::BusRef;
use crate::graph::iam::{Grant, Resource, Role};
use crate::model::aws_names::NameKind;

/// The ARN expression of a resource of the IAM plan.
pub(super) fn arn(context: &Context<'_>, resource: Resource) -> Expression {
    let system = context.system;
    let service_name = |id: crate::model::ServiceId| {
        system
            .service(id)
            .map_or_else(String::new, |service| service.name.text.clone())
    };
    let arn = |emitted: Emitted| attribute(context, emitted, "arn");
    match resource {
        Resource::Queue(queue) => arn(Emitted::Queue(queue)),
        Resource::Topic(id) => arn(Emitted::Topic(id)),
        Resource::Bus(BusRef::Default) => reference("data.aws_cloudwatch_event_bus.default.arn"),
        Resource::Bus(BusRef::Declared(id)) => arn(Emitted::Bus(id)),
        Resource::Stream(id) => arn(Emitted::Stream(id)),
        Resource::StreamConsumer(stream, service) => reference(&format!(
            "aws_kinesis_stream_consumer.{}--{}.arn",
            system
                .streams
                .get(stream.0)
                .map_or("", |stream| stream.name.text.as_str()),
            service_name(service)
        )),
        Resource::Table(id) => arn(Emitted::Table(id)),
        Resource::TableIndexes(id) => template(&format!(
            "${{{}.arn}}/index/*",
            address(context, Emitted::Table(id))
        )),
        Resource::DatabaseSecret(id) => attribute(
            context,
            Emitted::Database(id),
            "master_user_secret[0].secret_arn",
        ),
        Resource::Bucket(id) => arn(Emitted::Bucket(id)),
        Resource::BucketObjects(id) => template(&format!(
            "${{{}.arn}}/*",
            address(context, Emitted::Bucket(id))
        )),
        Resource::Secret(id) => arn(Emitted::Secret(id)),
        Resource::Parameter(id) => arn(Emitted::Parameter(id)),
        Resource::Written {
            service,
            statement,
            resource,
        } => Expression::from(crate::emit::written_resource(
            system, service, statement, resource,
        )),
        Resource::Function(id) => arn(Emitted::Function(id)),
        Resource::ServiceLogs(id) => template(&format!(
            "${{{}.arn}}:*",
            address(context, Emitted::LogGroup(id))
        )),
        Resource::StateMachine(id) => arn(Emitted::StateMachine(id)),
        Resource::FlowLogs(id) => template(&format!(
            "${{aws_cloudwatch_log_group.{}--flow-logs.arn}}:*",
            names::network(system, id)
        )),
        Resource::Repository(id) => arn(Emitted::Repository(id)),
        Resource::Key => reference("aws_kms_key.system.arn"),
        Resource::Subnets(subnet) => reference(&format!(
            "aws_subnet.{}[*].arn",
            names::subnet(system, subnet)
        )),
        Resource::SecurityGroup(id) => {
            reference(&format!("aws_security_group.{}.arn", service_name(id)))
        }
        Resource::NetworkInterfaces => template(
            "arn:${data.aws_partition.current.partition}:ec2:${var.region}:${data.aws_caller_identity.current.account_id}:network-interface/*",
        ),
        Resource::Any => Expression::from("*"),
    }
}

/// The resources of a grant as one list expression: ARNs, and the lists of
/// ARNs (subnets) flattened in.
fn resources(context: &Context<'_>, grant: &Grant) -> Expression {
    let (lists, singles): (Vec<Resource>, Vec<Resource>) = grant
        .resources
        .iter()
        .partition(|resource| matches!(resource, Resource::Subnets(_)));
    let singles = list(singles.into_iter().map(|resource| arn(context, resource)));
    if lists.is_empty() {
        return singles;
    }
    let mut parts: Vec<Expression> = lists
        .into_iter()
        .map(|resource| arn(context, resource))
        .collect();
    parts.push(singles);
    super::writer::call("concat", parts)
}

fn add_role(file: &mut TfFile, context: &Context<'_>, role: &Role) {
    let system = context.system;
    let name = names::role(system, context.graph, role.principal);
    let trusted = role.principal.trusted_service(system);
    let assume = format!("{name}--assume");
    file.add(
        data("aws_iam_policy_document", &assume)
            .add_block(
                Block::builder("statement")
                    .add_attribute(("effect", "Allow"))
                    .add_attribute(("actions", strings(["sts:AssumeRole"])))
                    .add_block(
                        Block::builder("principals")
                            .add_attribute(("type", "Service"))
                            .add_attribute(("identifiers", strings([trusted])))
                            .build(),
                    )
                    .add_block(
                        Block::builder("condition")
                            .add_attribute(("test", "StringEquals"))
                            .add_attribute(("variable", "aws:SourceAccount"))
                            .add_attribute((
                                "values",
                                list([reference("data.aws_caller_identity.current.account_id")]),
                            ))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    file.add(
        resource("aws_iam_role", &name)
            .add_attribute(("name", aws_name(context, NameKind::IamRole, &name)))
            .add_attribute((
                "description",
                names::role_description(context.system, context.graph, role.principal),
            ))
            .add_attribute((
                "assume_role_policy",
                reference(&format!("data.aws_iam_policy_document.{assume}.json")),
            ))
            .build(),
    );
    for policy in &role.managed_policies {
        let label = format!("{name}--{}", policy.rsplit('/').next().unwrap_or(policy));
        file.add(
            resource("aws_iam_role_policy_attachment", &label)
                .add_attribute(("role", reference(&format!("aws_iam_role.{name}.name"))))
                .add_attribute((
                    "policy_arn",
                    template(&format!(
                        "arn:${{data.aws_partition.current.partition}}:iam::aws:policy/{policy}"
                    )),
                ))
                .build(),
        );
    }
    if role.grants.is_empty() {
        return;
    }
    let mut document = data("aws_iam_policy_document", &name);
    let mut wildcard_notes = Vec::new();
    for (index, grant) in role.grants.iter().enumerate() {
        document = document.add_block(
            Block::builder("statement")
                .add_attribute(("sid", names::grant_sid(grant, index)))
                .add_attribute(("effect", "Allow"))
                .add_attribute(("actions", strings(grant.actions.iter())))
                .add_attribute(("resources", resources(context, grant)))
                .build(),
        );
        if let Some(reason) = &grant.wildcard {
            wildcard_notes.push((index, format!("Resource \"*\": {reason}.")));
        }
    }
    file.add(document.build());
    file.note_above(&format!(
        "What {} may do, and nothing more.",
        names::role_description(context.system, context.graph, role.principal).to_lowercase()
    ));
    for (statement, note) in wildcard_notes {
        file.note_nested(&[("statement", statement)], &note);
    }
    // A statement written by hand on `*` is shown by `meshc check` (M222)
    // with its reason; checkov is told the same reason.
    if let Some(grant) = role
        .grants
        .iter()
        .find(|grant| grant.written && grant.wildcard.is_some())
    {
        for check in ["CKV_AWS_111", "CKV_AWS_356"] {
            file.note_inside(&format!(
                "#checkov:skip={check}:written by hand in `iam` (M222): {}",
                grant.why
            ));
        }
    }
    file.add(
        resource("aws_iam_role_policy", &name)
            .add_attribute(("name", aws_name(context, NameKind::IamRolePolicy, &name)))
            .add_attribute(("role", reference(&format!("aws_iam_role.{name}.id"))))
            .add_attribute((
                "policy",
                reference(&format!("data.aws_iam_policy_document.{name}.json")),
            ))
            .build(),
    );
}

pub(super) fn roles(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    let uses_default_bus = context
        .graph
        .iam
        .roles
        .iter()
        .flat_map(|role| role.grants.iter())
        .flat_map(|grant| grant.resources.iter())
        .any(|resource| *resource == Resource::Bus(BusRef::Default));
    if uses_default_bus {
        file.add(
            data("aws_cloudwatch_event_bus", "default")
                .add_attribute(("name", "default"))
                .build(),
        );
    }
    for role in &context.graph.iam.roles {
        add_role(&mut file, context, role);
    }
    file
}
