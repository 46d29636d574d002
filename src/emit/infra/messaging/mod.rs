//! The messaging of the system, built once for every backend: EventBridge
//! buses, archives, schemas, rules and their targets, and the Lambda
//! permissions that let AWS services invoke functions (`events`); SQS
//! queues, their redrive and their policies (`queues`); SNS topics, their
//! policies and subscriptions (`topics`); Kinesis streams and their
//! consumers (`streams`). Every rule target, subscription and resource
//! policy comes from the graph's messaging and IAM plans.

mod events;
mod queues;
mod streams;
mod topics;

pub use events::events;
pub use queues::queues;
pub use streams::streams;
pub use topics::topics;

use super::policy::Statement;
use super::{Attribute, Key, Kind, Value, declared};
use crate::emit::events::{self as event_names, SourceArn};
use crate::emit::{Context, names};
use crate::graph::Node;
use crate::graph::iam::{Permission, Resource as IamResource};
use crate::graph::messaging::RulePlan;
use crate::model::TopicId;

/// The ARNs of what a resource policy lets act, for `aws:SourceArn`.
pub fn source_arns(
    context: &Context<'_>,
    rules: &[RulePlan],
    permission: &Permission,
) -> Vec<Value> {
    let system = context.system;
    event_names::source_arns(&context.graph.network, rules, permission)
        .into_iter()
        .map(|arn| match arn {
            SourceArn::Rule(plan) => Key::new(
                Kind::Rule,
                event_names::rule_label(system, context.graph, plan),
            )
            .get(Attribute::Arn),
            SourceArn::Topic(topic) => topic_key(context, topic).get(Attribute::Arn),
            SourceArn::TargetGroup(balancer, service) => Key::new(
                Kind::TargetGroup,
                names::target_group(system, balancer, service),
            )
            .get(Attribute::Arn),
            SourceArn::Alarms => Value::Interpolated(super::alarms::alarm_arns()),
        })
        .collect()
}

/// The statements of the resource policy of a topic or queue, `arn`
/// ([`super::policy::resource_statements`]), and how many let a service
/// deliver to it.
pub fn resource_statements(
    context: &Context<'_>,
    rules: &[RulePlan],
    resource: IamResource,
    arn: &Value,
) -> (Vec<Statement>, usize) {
    let (statements, _) =
        super::policy::resource_statements(context.graph, resource, arn, |permission| {
            source_arns(context, rules, permission)
        });
    let grants = statements.len() - 1;
    (statements, grants)
}

/// The key of a declared topic.
pub fn topic_key(context: &Context<'_>, topic: TopicId) -> Key {
    Key::new(
        Kind::Topic,
        declared(
            context,
            context.system.topics.get(topic.0).map(|found| &found.name),
            || format!("the topic {}", topic.0),
        ),
    )
}

/// The key of what a rule or subscription delivers to; or, when the graph
/// names something the system does not hold or nothing that can receive,
/// an internal error.
fn delivered_to(context: &Context<'_>, target: Node) -> Option<Key> {
    let system = context.system;
    let key = match target {
        Node::Queue(queue) => super::queue_key(system, queue),
        Node::Service(service) => Key::new(
            Kind::Function,
            declared(
                context,
                system.service(service).map(|found| &found.name),
                || format!("the service {}", service.0),
            ),
        ),
        Node::Topic(topic) => topic_key(context, topic),
        Node::Stream(stream) => Key::new(
            Kind::Stream,
            declared(
                context,
                system.streams.get(stream.0).map(|found| &found.name),
                || format!("the stream {}", stream.0),
            ),
        ),
        Node::Saga(saga) => Key::new(Kind::StateMachine, names::saga(system, saga)),
        other => {
            context.internal(format!("a delivery to {other:?}, which receives none"));
            return None;
        }
    };
    Some(key)
}
