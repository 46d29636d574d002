//! How the Terraform backend refers to what the graph names: the runtime
//! values of a service's environment, and the labels of derived resources.

use hcl::Expression;

use super::Context;
use super::writer::{call, list, reference};
use crate::emit::names;
use crate::graph::network::Guarded;
use crate::graph::runtime::Value;
use crate::graph::{BusRef, QueueRef};
use crate::model::{
    BucketId, BusId, DatabaseId, ParameterId, SecretId, ServiceId, StreamId, TableId, TopicId,
};

/// A resource the backend emits for a component, to refer to.
#[derive(Clone, Copy)]
pub(super) enum Emitted {
    Queue(QueueRef),
    Topic(TopicId),
    Bus(BusId),
    Stream(StreamId),
    Table(TableId),
    /// The RDS instance, or Aurora cluster, of a database.
    Database(DatabaseId),
    Bucket(BucketId),
    Secret(SecretId),
    Parameter(ParameterId),
    Function(ServiceId),
}

/// `TYPE.LABEL` of an emitted resource.
pub(super) fn address(context: &Context<'_>, emitted: Emitted) -> String {
    let system = context.system;
    let service = |id: ServiceId| {
        system
            .service(id)
            .map_or_else(String::new, |service| service.name.text.clone())
    };
    let name =
        |name: Option<&crate::model::Name>| name.map_or_else(String::new, |name| name.text.clone());
    match emitted {
        Emitted::Queue(queue) => format!("aws_sqs_queue.{}", names::queue(system, queue)),
        Emitted::Topic(id) => format!(
            "aws_sns_topic.{}",
            name(system.topics.get(id.0).map(|topic| &topic.name))
        ),
        Emitted::Bus(id) => format!(
            "aws_cloudwatch_event_bus.{}",
            name(system.buses.get(id.0).map(|bus| &bus.name))
        ),
        Emitted::Stream(id) => format!(
            "aws_kinesis_stream.{}",
            name(system.streams.get(id.0).map(|stream| &stream.name))
        ),
        Emitted::Table(id) => format!(
            "aws_dynamodb_table.{}",
            name(system.tables.get(id.0).map(|table| &table.name))
        ),
        Emitted::Database(id) => {
            let database = system.databases.get(id.0);
            let kind = if database.is_some_and(|database| database.engine.value.is_aurora()) {
                "aws_rds_cluster"
            } else {
                "aws_db_instance"
            };
            format!("{kind}.{}", name(database.map(|database| &database.name)))
        }
        Emitted::Bucket(id) => format!(
            "aws_s3_bucket.{}",
            name(system.buckets.get(id.0).map(|bucket| &bucket.name))
        ),
        Emitted::Secret(id) => format!(
            "aws_secretsmanager_secret.{}",
            name(system.secrets.get(id.0).map(|secret| &secret.name))
        ),
        Emitted::Parameter(id) => format!(
            "aws_ssm_parameter.{}",
            name(system.parameters.get(id.0).map(|parameter| &parameter.name))
        ),
        Emitted::Function(id) => format!("aws_lambda_function.{}", service(id)),
    }
}

/// An attribute of an emitted resource: `aws_sqs_queue.orders.arn`.
pub(super) fn attribute(context: &Context<'_>, emitted: Emitted, attribute: &str) -> Expression {
    reference(&format!("{}.{attribute}", address(context, emitted)))
}

/// The expression of one runtime value.
pub(super) fn value(context: &Context<'_>, value: &Value) -> Expression {
    let system = context.system;
    match value {
        Value::Literal(text) => Expression::from(text.as_str()),
        Value::QueueUrl(queue) => attribute(context, Emitted::Queue(*queue), "url"),
        Value::TopicArn(topic) => attribute(context, Emitted::Topic(*topic), "arn"),
        Value::BusName(BusRef::Default) => Expression::from("default"),
        Value::BusName(BusRef::Declared(bus)) => attribute(context, Emitted::Bus(*bus), "name"),
        Value::StreamName(stream) => attribute(context, Emitted::Stream(*stream), "name"),
        Value::TableName(table) => attribute(context, Emitted::Table(*table), "name"),
        Value::DatabaseEndpoint(database) => {
            let aurora = system
                .databases
                .get(database.0)
                .is_some_and(|database| database.engine.value.is_aurora());
            let name = if aurora { "endpoint" } else { "address" };
            attribute(context, Emitted::Database(*database), name)
        }
        Value::DatabaseSecret(database) => attribute(
            context,
            Emitted::Database(*database),
            "master_user_secret[0].secret_arn",
        ),
        Value::BucketName(bucket) => attribute(context, Emitted::Bucket(*bucket), "bucket"),
        Value::SecretArn(secret) => attribute(context, Emitted::Secret(*secret), "arn"),
        Value::ParameterName(parameter) => {
            attribute(context, Emitted::Parameter(*parameter), "name")
        }
        Value::FunctionName(service) => {
            attribute(context, Emitted::Function(*service), "function_name")
        }
        Value::LoadBalancerDns(balancer) => reference(&format!(
            "aws_lb.{}.dns_name",
            names::load_balancer(system, *balancer)
        )),
        Value::PrivateLinkDns { network, callee } => reference(&format!(
            "aws_vpc_endpoint.{}.dns_entry[0].dns_name",
            names::guarded(
                system,
                Guarded::PrivateLink {
                    network: *network,
                    callee: *callee
                }
            )
        )),
        Value::Namespace(network) => reference(&format!(
            "aws_service_discovery_private_dns_namespace.{}.name",
            names::network(system, *network)
        )),
    }
}

/// A setting's value: one expression, or the parts joined.
pub(super) fn setting(context: &Context<'_>, parts: &[Value]) -> Expression {
    match parts {
        [single] => value(context, single),
        _ => call(
            "join",
            vec![
                Expression::from(""),
                list(parts.iter().map(|part| value(context, part))),
            ],
        ),
    }
}

/// The ARN of a queue of the graph.
pub(super) fn queue_arn(context: &Context<'_>, queue: QueueRef) -> Expression {
    attribute(context, Emitted::Queue(queue), "arn")
}

/// The resources a Terraform resource lists in `depends_on` for each of
/// its prerequisites.
pub(super) fn prerequisites(
    context: &Context<'_>,
    prerequisites: &[crate::emit::ordering::Prerequisite],
) -> Vec<Expression> {
    use crate::emit::ordering::Prerequisite;
    let system = context.system;
    let mut found = Vec::new();
    for prerequisite in prerequisites {
        match *prerequisite {
            Prerequisite::Listener { balancer, port } => found.push(format!(
                "aws_lb_listener.{}",
                names::listener(system, balancer, port)
            )),
            Prerequisite::ListenerRule { balancer, service } => found.push(format!(
                "aws_lb_listener_rule.{}",
                names::target_group(system, balancer, service)
            )),
            Prerequisite::RolePermissions(principal) => {
                let Some(role) = context.graph.iam.role(principal) else {
                    continue;
                };
                let name = names::role(system, context.graph, principal);
                if !role.grants.is_empty() {
                    found.push(format!("aws_iam_role_policy.{name}"));
                }
                for policy in &role.managed_policies {
                    found.push(format!(
                        "aws_iam_role_policy_attachment.{}",
                        managed_policy_attachment(&name, policy)
                    ));
                }
            }
        }
    }
    found.iter().map(|address| reference(address)).collect()
}

/// The label of the attachment of an AWS-managed policy to a role.
pub(super) fn managed_policy_attachment(role: &str, policy: &str) -> String {
    format!("{role}--{}", policy.rsplit('/').next().unwrap_or(policy))
}
