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
    BucketId, BusId, ComponentId, DatabaseId, ParameterId, SecretId, ServiceId, StreamId, TableId,
    TopicId,
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
    // A component the system does not hold is an internal error.
    let name = |component: ComponentId| crate::emit::infra::named(context, component);
    match emitted {
        Emitted::Queue(queue) => format!("aws_sqs_queue.{}", names::queue(system, queue)),
        Emitted::Topic(id) => format!("aws_sns_topic.{}", name(ComponentId::Topic(id))),
        Emitted::Bus(id) => format!("aws_cloudwatch_event_bus.{}", name(ComponentId::Bus(id))),
        Emitted::Stream(id) => format!("aws_kinesis_stream.{}", name(ComponentId::Stream(id))),
        Emitted::Table(id) => format!("aws_dynamodb_table.{}", name(ComponentId::Table(id))),
        Emitted::Database(id) => {
            let aurora = system
                .databases
                .get(id.0)
                .is_some_and(|database| database.engine.value.is_aurora());
            let kind = if aurora {
                "aws_rds_cluster"
            } else {
                "aws_db_instance"
            };
            format!("{kind}.{}", name(ComponentId::Database(id)))
        }
        Emitted::Bucket(id) => format!("aws_s3_bucket.{}", name(ComponentId::Bucket(id))),
        Emitted::Secret(id) => format!(
            "aws_secretsmanager_secret.{}",
            name(ComponentId::Secret(id))
        ),
        Emitted::Parameter(id) => format!("aws_ssm_parameter.{}", name(ComponentId::Parameter(id))),
        Emitted::Function(id) => format!("aws_lambda_function.{}", name(ComponentId::Service(id))),
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

#[cfg(test)]
mod tests {
    use super::{Emitted, address};
    use crate::model::{ServiceId, TableId};

    #[test]
    fn the_address_of_a_component_the_system_does_not_hold_is_an_internal_error() {
        let (system, graph) =
            crate::emit::testing::analysed("system s { region = \"us-east-1\" }\n");
        let context = crate::emit::Context::new(&system, &graph);
        assert_eq!(
            address(&context, Emitted::Table(TableId(1))),
            "aws_dynamodb_table."
        );
        assert_eq!(
            address(&context, Emitted::Function(ServiceId(3))),
            "aws_lambda_function."
        );
        let mut found = crate::emit::testing::problems(&context);
        found.sort();
        assert_eq!(
            found,
            [
                "M001: meshc found an inconsistency in its own model: the service 3 is not in the system",
                "M001: meshc found an inconsistency in its own model: the table 1 is not in the system",
            ]
        );
    }
}
