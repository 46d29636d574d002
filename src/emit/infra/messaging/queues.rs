//! SQS queues, their redrive to a dead-letter queue and their resource
//! policies (Terraform's `queues.tf`).

use super::resource_statements;
use crate::emit::infra::{Attribute, Kind, Resource, Sink, Value, queue_key, system_key};
use crate::emit::{Context, names};
use crate::graph::QueueRef;
use crate::graph::iam::Resource as IamResource;
use crate::graph::messaging::{QueueSettings, RulePlan};

/// Every queue of the messaging plan, encrypted with the system key; its
/// redrive to its dead-letter queue; and its policy.
pub fn queues(context: &Context<'_>, out: &mut Sink<'_>) {
    let rules = &context.graph.messaging.rules;
    for settings in &context.graph.messaging.queues {
        let queue = queue(context, settings);
        let key = queue.key.clone();
        out(queue);
        if let Some((dead_letter, receives)) = settings.redrive {
            let dead_letter = queue_key(context.system, dead_letter);
            out(Resource::new(Kind::RedrivePolicy, key.name.clone())
                .with("QueueUrl", key.get(Attribute::Url))
                .with(
                    "RedrivePolicy",
                    Value::Json(Box::new(Value::Object(vec![
                        ("deadLetterTargetArn", dead_letter.get(Attribute::Arn)),
                        ("maxReceiveCount", Value::from(u64::from(receives))),
                    ]))),
                ));
        }
        out(queue_policy(context, rules, settings.queue));
    }
}

/// A queue with its settings.
fn queue(context: &Context<'_>, settings: &QueueSettings) -> Resource {
    let mut queue = Resource::new(Kind::Queue, queue_key(context.system, settings.queue).name)
        .with(
            "QueueName",
            Value::Name(names::queue_name(context, settings.queue, settings.fifo)),
        );
    if settings.fifo {
        queue = queue.with("FifoQueue", Value::Bool(true));
        if settings.content_based_deduplication {
            queue = queue.with("ContentBasedDeduplication", Value::Bool(true));
        }
    }
    queue = queue
        .with("VisibilityTimeout", settings.visibility.as_secs_ceil())
        .with("MessageRetentionPeriod", settings.retention.as_secs_ceil())
        .with("DelaySeconds", settings.delay.as_secs_ceil())
        .with(
            "ReceiveMessageWaitTimeSeconds",
            settings.receive_wait.as_secs_ceil(),
        );
    if let Some(size) = settings.max_message_size {
        queue = queue.with("MaximumMessageSize", size.as_bytes());
    }
    queue
        .with("KmsMasterKeyId", system_key())
        .with("KmsDataKeyReusePeriodSeconds", 300_u64)
        .note(&settings.purpose)
}

/// The policy of a queue: over TLS only, and open to the AWS services the
/// IAM plan lets deliver to it.
fn queue_policy(context: &Context<'_>, rules: &[RulePlan], queue: QueueRef) -> Resource {
    let key = queue_key(context.system, queue);
    let label = key.name.clone();
    let (statements, grants) = resource_statements(
        context,
        rules,
        IamResource::Queue(queue),
        &key.get(Attribute::Arn),
    );
    let note = if grants == 0 {
        format!("Who may use {label}: IAM principals of the account, over TLS only.")
    } else {
        format!(
            "Who may use {label}: IAM principals of the account, and the AWS services that deliver to it, over TLS only."
        )
    };
    Resource::new(Kind::QueuePolicy, label)
        .with("Queues", Value::List(vec![key.get(Attribute::Url)]))
        .with("PolicyDocument", Value::Policy(statements))
        .note(&note)
}
