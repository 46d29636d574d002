//! One role per principal of the IAM plan, its trust policy, and an inline
//! policy (`AWS::IAM::RolePolicy`) with one statement per grant, as in
//! Terraform's `iam.tf`. AWS-managed policies are the role's
//! `ManagedPolicyArns`, which Terraform attaches with separate resources.

use serde_json::{Value as Json, json};

use super::{Context, attribute, aws_name, reference, references, sub};
use crate::emit::{names, policies};
use crate::graph::iam::{Resource, Role};
use crate::model::DataStore;
use crate::model::aws_names::NameKind;

/// The ARN of a resource of the IAM plan: a value, or several (subnets).
pub(super) fn arns(context: &Context<'_>, resource: Resource) -> Vec<Json> {
    let system = context.system;
    let one = |value: Json| vec![value];
    match resource {
        Resource::Queue(queue) => one(references::queue_arn(system, queue)),
        Resource::Topic(topic) => one(reference(&references::topic(system, topic))),
        Resource::Bus(bus) => one(references::bus_arn(system, bus)),
        Resource::Stream(stream) => one(attribute(&references::stream(system, stream), "Arn")),
        Resource::StreamConsumer(stream, service) => {
            let stream_name = system
                .streams
                .get(stream.0)
                .map_or("", |stream| stream.name.text.as_str());
            let service_name = system
                .service(service)
                .map_or("", |service| service.name.text.as_str());
            one(attribute(
                &super::id(&format!("{stream_name}--{service_name}"), "StreamConsumer"),
                "ConsumerARN",
            ))
        }
        Resource::Table(table) => one(attribute(&references::table(system, table), "Arn")),
        Resource::Bucket(bucket) => one(attribute(
            &references::store(system, DataStore::Bucket(bucket)),
            "Arn",
        )),
        Resource::BucketObjects(bucket) => one(sub(&format!(
            "${{{}.Arn}}/*",
            references::store(system, DataStore::Bucket(bucket))
        ))),
        Resource::Secret(secret) => one(reference(&references::store(
            system,
            DataStore::Secret(secret),
        ))),
        Resource::Parameter(parameter) => one(references::parameter_arn(system, parameter)),
        Resource::Written {
            service,
            statement,
            resource,
        } => one(Json::from(crate::emit::written_resource(
            system, service, statement, resource,
        ))),
        Resource::TableIndexes(table) => one(sub(&format!(
            "${{{}.Arn}}/index/*",
            references::table(system, table)
        ))),
        Resource::DatabaseSecret(database) => one(attribute(
            &references::database(system, database),
            "MasterUserSecret.SecretArn",
        )),
        Resource::Function(service) => {
            one(attribute(&references::function(system, service), "Arn"))
        }
        // A log group's `Arn` attribute already ends in `:*`.
        Resource::ServiceLogs(service) => one(attribute(
            &super::id(
                &system
                    .service(service)
                    .map_or_else(String::new, |service| service.name.text.clone()),
                "LogGroup",
            ),
            "Arn",
        )),
        Resource::FlowLogs(network) => one(attribute(
            &super::id(
                &format!("{}--flow-logs", names::network(system, network)),
                "LogGroup",
            ),
            "Arn",
        )),
        Resource::StateMachine(saga) => one(reference(&super::id(
            &names::saga(system, saga),
            "StateMachine",
        ))),
        Resource::Repository(service) => one(attribute(
            &super::id(
                &system
                    .service(service)
                    .map_or_else(String::new, |service| service.name.text.clone()),
                "Repository",
            ),
            "Arn",
        )),
        Resource::Key => one(super::key_arn()),
        Resource::Subnets(subnet) => {
            let name = names::subnet(system, subnet);
            let zones = context
                .graph
                .network
                .subnet(subnet)
                .map_or(0, |layout| layout.zones.len());
            (0..zones)
                .map(|zone| {
                    sub(&format!(
                        "arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:subnet/${{{}}}",
                        super::counted(&name, "Subnet", zone)
                    ))
                })
                .collect()
        }
        Resource::SecurityGroup(service) => one(sub(&format!(
            "arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:security-group/${{{}.GroupId}}",
            references::security_group(system, crate::graph::network::Guarded::Service(service))
        ))),
        Resource::NetworkInterfaces => one(sub(
            "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*",
        )),
        Resource::Any => one(Json::from("*")),
    }
}

fn add_role(template: &mut super::Template, context: &Context<'_>, role: &Role) {
    let system = context.system;
    let name = names::role(system, context.graph, role.principal);
    let trusted = role.principal.trusted_service(system);
    let mut properties = json!({
        "RoleName": aws_name(context, NameKind::IamRole, &name),
        "Description": names::role_description(system, context.graph, role.principal),
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": { "Service": trusted },
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": { "aws:SourceAccount": reference("AWS::AccountId") },
                },
            }],
        },
    });
    if !role.managed_policies.is_empty() {
        super::set(
            &mut properties,
            "ManagedPolicyArns",
            Json::Array(
                role.managed_policies
                    .iter()
                    .map(|policy| sub(&format!("arn:${{AWS::Partition}}:iam::aws:policy/{policy}")))
                    .collect(),
            ),
        );
    }
    template.add(
        references::role(context, role.principal),
        &name,
        "AWS::IAM::Role",
        properties,
    );
    if role.grants.is_empty() {
        return;
    }
    let statements = policies::role_statements(role, |resource| arns(context, resource));
    let policy = template.add(
        references::role_policy(context, role.principal),
        &name,
        "AWS::IAM::RolePolicy",
        json!({
            "PolicyName": aws_name(context, NameKind::IamRolePolicy, &name),
            "RoleName": reference(&references::role(context, role.principal)),
            "PolicyDocument": policies::document(&statements),
        }),
    );
    policy.note(&format!(
        "What {} may do, and nothing more.",
        names::role_description(system, context.graph, role.principal).to_lowercase()
    ));
    for (index, grant) in role.grants.iter().enumerate() {
        if let Some(reason) = &grant.wildcard {
            policy.note(&format!(
                "Statement {}: resource \"*\": {reason}.",
                names::grant_sid(grant, index)
            ));
        }
    }
}

pub(super) fn roles(context: &Context<'_>, template: &mut super::Template) {
    for role in &context.graph.iam.roles {
        add_role(template, context, role);
    }
}
