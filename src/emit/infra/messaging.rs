//! The declared SNS topics and their resource policies (Terraform's
//! `topics.tf`), and the statements of a resource policy that let AWS
//! services deliver to a topic or a queue.

use super::policy::{Statement, deny_insecure_transport, service_statement};
use super::{Attribute, Key, Kind, Resource, Sink, Value, declared, system_key};
use crate::emit::events::{self, SourceArn};
use crate::emit::{Context, names, policies};
use crate::graph::QueueRef;
use crate::graph::iam::{Permission, Resource as IamResource};
use crate::graph::messaging;
use crate::graph::messaging::RulePlan;
use crate::model::aws_names::NameKind;
use crate::model::{StreamCapacity, StreamId, TopicId};

/// The ARNs of what a resource policy lets act, for `aws:SourceArn`.
pub fn source_arns(
    context: &Context<'_>,
    rules: &[RulePlan],
    permission: &Permission,
) -> Vec<Value> {
    let system = context.system;
    events::source_arns(&context.graph.network, rules, permission)
        .into_iter()
        .map(|arn| match arn {
            SourceArn::Rule(plan) => {
                Key::new(Kind::Rule, events::rule_label(system, context.graph, plan))
                    .get(Attribute::Arn)
            }
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

/// The statements of the resource policy of a topic or queue, `arn`: the
/// refusal of requests without TLS, then one per group of the IAM plan's
/// permissions on it whose sources have an ARN; and how many of those.
pub fn resource_statements(
    context: &Context<'_>,
    rules: &[RulePlan],
    resource: IamResource,
    arn: &Value,
) -> (Vec<Statement>, usize) {
    let mut statements = vec![deny_insecure_transport(arn.clone())];
    for grant in policies::service_grants(context.graph, resource) {
        let sources: Vec<Value> = grant
            .permissions
            .iter()
            .flat_map(|permission| source_arns(context, rules, permission))
            .collect();
        if !sources.is_empty() {
            statements.push(service_statement(
                &grant.sid,
                grant.first,
                arn.clone(),
                sources,
            ));
        }
    }
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

/// Every declared topic, encrypted with the system key, and its policy:
/// over TLS only, and open to the AWS services the IAM plan lets deliver
/// to it.
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
}

/// The policy of a queue: over TLS only, and open to the AWS services the
/// IAM plan lets deliver to it.
pub fn queue_policy(context: &Context<'_>, rules: &[RulePlan], queue: QueueRef) -> Resource {
    let label = names::queue(context.system, queue);
    let key = Key::new(Kind::Queue, label.clone());
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

/// Every declared stream, encrypted with the system key, and the enhanced
/// fan-out consumer of each of its readers when several services read it.
pub fn streams(context: &Context<'_>, out: &mut Sink<'_>) {
    let system = context.system;
    for (index, stream) in system.streams.iter().enumerate() {
        let id = StreamId(index);
        let name = stream.name.text.as_str();
        let mut declared = Resource::new(Kind::Stream, name)
            .with(
                "Name",
                Value::Name(names::aws(context, NameKind::Stream, name)),
            )
            .with(
                "RetentionPeriodHours",
                stream.retention.value.as_millis().div_ceil(3_600_000),
            );
        let mode = match stream.capacity.value {
            StreamCapacity::OnDemand => "ON_DEMAND",
            StreamCapacity::Provisioned { shards } => {
                declared = declared.with("ShardCount", u64::from(shards));
                "PROVISIONED"
            }
        };
        declared = declared
            .with(
                "StreamModeDetails",
                Value::Object(vec![("StreamMode", Value::from(mode))]),
            )
            .with(
                "StreamEncryption",
                Value::Object(vec![
                    ("EncryptionType", Value::from("KMS")),
                    ("KeyId", system_key()),
                ]),
            );
        if !stream.doc.is_empty() {
            declared = declared.note(&stream.doc.join("\n"));
        }
        let arn = declared.key.get(Attribute::Arn);
        out(declared);
        if !messaging::enhanced_fan_out(context.graph, id) {
            continue;
        }
        for reader in messaging::stream_readers(context.graph, id) {
            let Some(service) = system.service(reader) else {
                context.internal(format!(
                    "the reader {} of the stream {name} is not in the system",
                    reader.0
                ));
                continue;
            };
            let service = service.name.text.as_str();
            out(
                Resource::new(Kind::StreamConsumer, format!("{name}--{service}"))
                    .with(
                        "ConsumerName",
                        names::bare(context, NameKind::StreamConsumer, service),
                    )
                    .with("StreamARN", arn.clone())
                    .note(&format!(
                        "{service} reads {name} through its own enhanced fan-out consumer: several services read it."
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    const SOURCE: &str = "system watched { region = \"us-east-1\" }\n\
        stream activity { }\n\
        event Step { stream = activity  schema { id: string } }\n\
        service writer { compute = lambda { runtime = \"python3.13\" }  publishes Step }\n\
        service first { compute = lambda { runtime = \"python3.13\" }  consumes Step }\n\
        service second { compute = lambda { runtime = \"python3.13\" }  consumes Step }\n";

    #[test]
    fn a_stream_reader_the_system_does_not_hold_is_an_internal_error_and_no_file() {
        let analysis = crate::analyze(SOURCE);
        let (Some(mut system), Some(graph)) = (analysis.system, analysis.graph) else {
            panic!("the system resolves: {:?}", analysis.diagnostics);
        };
        let context = crate::emit::Context::new(&system, &graph);
        let mut consumers = 0;
        super::streams(&context, &mut |resource| {
            if resource.key.kind == super::Kind::StreamConsumer {
                consumers += 1;
            }
        });
        assert_eq!(consumers, 2, "each reader has its own consumer");
        assert!(context.diagnostics().is_empty());
        // The graph still names the last reader; the system no longer
        // holds it.
        system.services.pop();
        for diagnostics in [
            crate::emit::terraform::emit(&system, &graph).err(),
            crate::emit::cloudformation::emit(&system, &graph).err(),
        ] {
            let found: Vec<(&str, String)> = diagnostics
                .unwrap_or_default()
                .iter()
                .map(|diagnostic| (diagnostic.code.code, diagnostic.message.clone()))
                .filter(|(_, message)| message.contains("stream activity"))
                .collect();
            assert_eq!(
                found,
                [(
                    "M001",
                    "meshc found an inconsistency in its own model: the reader 2 of the stream activity is not in the system".to_string()
                )]
            );
        }
    }
}
