//! The declared SNS topics, their resource policies and their
//! subscriptions (Terraform's `topics.tf`).

use super::{delivered_to, resource_statements, topic_key};
use crate::emit::infra::{Attribute, Kind, Resource, Sink, Value, system_key};
use crate::emit::{Context, names};
use crate::graph::Node;
use crate::graph::iam::Resource as IamResource;
use crate::graph::messaging::{self, SubscriptionPlan};
use crate::model::TopicId;

/// Every declared topic, encrypted with the system key, and its policy:
/// over TLS only, and open to the AWS services the IAM plan lets deliver
/// to it; then every subscription of the messaging plan.
pub fn topics(context: &Context<'_>, out: &mut Sink<'_>) {
    let rules = &context.graph.messaging.rules;
    for (index, topic) in context.system.topics.iter().enumerate() {
        let id = TopicId(index);
        let name = topic.name.text.as_str();
        let mut declared = Resource::new(Kind::Topic, name)
            .with("TopicName", Value::Name(names::topic_name(context, id)));
        if topic.fifo.value {
            declared = declared
                .with("FifoTopic", Value::Bool(true))
                .with("ContentBasedDeduplication", Value::Bool(true));
        }
        declared = declared.with("KmsMasterKeyId", system_key());
        if !topic.doc.is_empty() {
            declared = declared.note(&topic.doc.join("\n"));
        }
        let arn = declared.key.get(Attribute::Arn);
        let (statements, _) = resource_statements(context, rules, IamResource::Topic(id), &arn);
        out(declared);
        out(Resource::new(Kind::TopicPolicy, name)
            .with("Topics", Value::List(vec![arn]))
            .with("PolicyDocument", Value::Policy(statements)));
    }
    for subscription in &context.graph.messaging.subscriptions {
        if let Some(resource) = subscription_resource(context, subscription) {
            out(resource);
        }
    }
}

/// A subscription of a queue or a function to a topic, with its filter.
fn subscription_resource(
    context: &Context<'_>,
    subscription: &SubscriptionPlan,
) -> Option<Resource> {
    let topic = topic_key(context, subscription.topic);
    let target = delivered_to(context, subscription.target)?;
    let protocol = match subscription.target {
        Node::Queue(_) => "sqs",
        _ => "lambda",
    };
    let mut resource = Resource::new(
        Kind::Subscription,
        format!("{}--{}", topic.name, target.name),
    )
    .with("TopicArn", topic.get(Attribute::Arn))
    .with("Protocol", protocol)
    .with("Endpoint", target.get(Attribute::Arn));
    if protocol == "sqs" && subscription.raw_delivery {
        resource = resource.with("RawMessageDelivery", Value::Bool(true));
    }
    if let Some(policy) = &subscription.filter_policy {
        resource = resource
            .with(
                "FilterPolicyScope",
                messaging::policy_scope(subscription.scope),
            )
            .with(
                "FilterPolicy",
                Value::Json(Box::new(Value::Literal(policy.clone()))),
            );
    }
    Some(resource)
}
