//! How the Terraform backend refers to what the graph names: the runtime
//! values of a service's environment, and the labels of derived resources.

use hcl::Expression;

use super::Context;
use super::writer::{call, list, reference};
use crate::emit::names;
use crate::graph::network::Guarded;
use crate::graph::runtime::Value;
use crate::graph::{BusRef, QueueRef};

/// The resource kind holding a database: an RDS instance, or an Aurora
/// cluster.
pub(super) fn database_kind(
    context: &Context<'_>,
    database: crate::model::DatabaseId,
) -> &'static str {
    let aurora = context
        .system
        .databases
        .get(database.0)
        .is_some_and(|database| database.engine.value.is_aurora());
    if aurora {
        "aws_rds_cluster"
    } else {
        "aws_db_instance"
    }
}

fn database_name(context: &Context<'_>, database: crate::model::DatabaseId) -> String {
    context
        .system
        .databases
        .get(database.0)
        .map_or_else(String::new, |database| database.name.text.clone())
}

/// The expression of one runtime value.
pub(super) fn value(context: &Context<'_>, value: &Value) -> Expression {
    let system = context.system;
    match value {
        Value::Literal(text) => Expression::from(text.as_str()),
        Value::QueueUrl(queue) => reference(&format!(
            "aws_sqs_queue.{}.url",
            names::queue(system, *queue)
        )),
        Value::TopicArn(topic) => reference(&format!(
            "aws_sns_topic.{}.arn",
            system
                .topics
                .get(topic.0)
                .map_or("", |topic| topic.name.text.as_str())
        )),
        Value::BusName(BusRef::Default) => Expression::from("default"),
        Value::BusName(BusRef::Declared(bus)) => reference(&format!(
            "aws_cloudwatch_event_bus.{}.name",
            system
                .buses
                .get(bus.0)
                .map_or("", |bus| bus.name.text.as_str())
        )),
        Value::StreamName(stream) => reference(&format!(
            "aws_kinesis_stream.{}.name",
            system
                .streams
                .get(stream.0)
                .map_or("", |stream| stream.name.text.as_str())
        )),
        Value::TableName(table) => reference(&format!(
            "aws_dynamodb_table.{}.name",
            system
                .tables
                .get(table.0)
                .map_or("", |table| table.name.text.as_str())
        )),
        Value::DatabaseEndpoint(database) => {
            let kind = database_kind(context, *database);
            let attribute = if kind == "aws_rds_cluster" {
                "endpoint"
            } else {
                "address"
            };
            reference(&format!(
                "{kind}.{}.{attribute}",
                database_name(context, *database)
            ))
        }
        Value::DatabaseSecret(database) => reference(&format!(
            "{}.{}.master_user_secret[0].secret_arn",
            database_kind(context, *database),
            database_name(context, *database)
        )),
        Value::FunctionName(service) => reference(&format!(
            "aws_lambda_function.{}.function_name",
            system
                .service(*service)
                .map_or("", |service| service.name.text.as_str())
        )),
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
    reference(&format!(
        "aws_sqs_queue.{}.arn",
        names::queue(context.system, queue)
    ))
}
