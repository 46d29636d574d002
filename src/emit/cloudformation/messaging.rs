//! EventBridge buses, archives, the schema registry and rules (with their
//! targets as the rule's `Targets`); SQS queues (with their redrive policy
//! as a property) and queue policies; SNS topics, policies and
//! subscriptions; Kinesis streams and consumers (Terraform's `events.tf`,
//! `queues.tf`, `topics.tf` and `streams.tf`).

use serde_json::{Map, Value as Json, json};

use super::{Context, Template, attribute, aws_name, id, physical_name, reference, references};
use crate::emit::{events, json_schema, names};
use crate::graph::iam::{Permission, Principal, Resource};
use crate::graph::messaging::{self, RulePlan, SubscriptionPlan};
use crate::graph::{BusRef, Node};
use crate::model::EventId;
use crate::model::aws_names::NameKind;

pub(super) fn events(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    for bus in &system.buses {
        let name = bus.name.text.as_str();
        template
            .add(
                id(name, "EventBus"),
                name,
                "AWS::Events::EventBus",
                json!({
                    "Name": aws_name(context, NameKind::EventBus, name),
                    "Description": names::description(
                        &crate::model::prose(&bus.doc)
                            .unwrap_or_else(|| format!("The event bus {name}.")),
                        512,
                    ),
                }),
            )
            .note(&format!("The bus {name}."));
        if let Some(retention) = bus.archive {
            template.add(
                id(name, "Archive"),
                name,
                "AWS::Events::Archive",
                json!({
                    "ArchiveName": aws_name(context, NameKind::EventArchive, name),
                    "Description": format!("Every event of bus {name}, for replay."),
                    "SourceArn": attribute(&id(name, "EventBus"), "Arn"),
                    "RetentionDays": retention.value.as_days_ceil(),
                }),
            );
        }
    }
    if !system.events.is_empty() {
        template
            .add(
                "EventsRegistry".to_string(),
                "events",
                "AWS::EventSchemas::Registry",
                json!({
                    "RegistryName": aws_name(context, NameKind::SchemaRegistry, "events"),
                    "Description": format!("The events of system {}.", system.name.text),
                }),
            )
            .note("The schema of every event, so that producers and consumers can generate code from it.");
        for (index, event) in system.events.iter().enumerate() {
            let name = event.name.text.as_str();
            let schema = json_schema::event(system, EventId(index));
            template.add(
                id(name, "Schema"),
                name,
                "AWS::EventSchemas::Schema",
                json!({
                    "SchemaName": names::bare(context, NameKind::Schema, name),
                    "RegistryName": attribute("EventsRegistry", "RegistryName"),
                    "Type": "JSONSchemaDraft4",
                    "Description": names::description(
                        &crate::model::prose(&event.doc)
                            .unwrap_or_else(|| format!("The event {name}.")),
                        256,
                    ),
                    "Content": serde_json::to_string(&schema).unwrap_or_default(),
                }),
            );
        }
    }
    let rules = &context.graph.messaging.rules;
    for rule in rules {
        add_rule(template, context, rule);
    }
    for permission in &context.graph.iam.permissions {
        if let Resource::Function(_) = permission.resource {
            add_function_permission(template, context, rules, permission);
        }
    }
}

/// The ARN of what a rule or subscription delivers to, and its base name.
fn target_arn(context: &Context<'_>, target: Node) -> Option<(Json, String)> {
    let system = context.system;
    match target {
        Node::Queue(queue) => Some((
            references::queue_arn(system, queue),
            names::queue(system, queue),
        )),
        Node::Service(service) => Some((
            attribute(&references::function(system, service), "Arn"),
            system.service(service)?.name.text.clone(),
        )),
        Node::Topic(topic) => Some((
            reference(&references::topic(system, topic)),
            system.topics.get(topic.0)?.name.text.clone(),
        )),
        Node::Stream(stream) => Some((
            attribute(&references::stream(system, stream), "Arn"),
            system.streams.get(stream.0)?.name.text.clone(),
        )),
        Node::Saga(saga) => {
            let name = names::saga(system, saga);
            Some((reference(&id(&name, "StateMachine")), name))
        }
        _ => None,
    }
}

fn add_rule(template: &mut Template, context: &Context<'_>, rule: &RulePlan) {
    let system = context.system;
    let label = events::rule_label(system, context.graph, rule);
    if rule.targets.is_empty() {
        return;
    }
    let mut properties = Map::new();
    properties.insert(
        "Name".into(),
        aws_name(context, NameKind::EventRule, &label),
    );
    properties.insert(
        "Description".into(),
        Json::from(names::description(&rule.description, 512)),
    );
    if rule.bus != BusRef::Default {
        properties.insert(
            "EventBusName".into(),
            references::bus_name(system, rule.bus),
        );
    }
    if let Some(pattern) = &rule.pattern {
        properties.insert("EventPattern".into(), pattern.clone());
    }
    if let Some(schedule) = &rule.schedule {
        properties.insert(
            "ScheduleExpression".into(),
            Json::from(events::schedule_expression(schedule)),
        );
    }
    properties.insert("State".into(), Json::from("ENABLED"));
    let targets: Vec<Json> = rule
        .targets
        .iter()
        .filter_map(|target| rule_target(context, rule, &label, *target))
        .collect();
    properties.insert("Targets".into(), Json::Array(targets));
    template
        .add(
            id(&label, "Rule"),
            &label,
            "AWS::Events::Rule",
            Json::Object(properties),
        )
        .depends_on_all(references::prerequisites(
            context,
            &[crate::emit::ordering::assumes(Principal::RuleDelivery(
                rule.rule,
            ))],
        ));
}

fn rule_target(context: &Context<'_>, rule: &RulePlan, label: &str, target: Node) -> Option<Json> {
    let system = context.system;
    let (arn, target_name) = target_arn(context, target)?;
    let mut entry = Map::new();
    entry.insert(
        "Id".into(),
        Json::from(names::bare(
            context,
            NameKind::EventTarget,
            &names::physical(&target_name),
        )),
    );
    entry.insert("Arn".into(), arn);
    if let Node::Stream(_) | Node::Saga(_) = target {
        entry.insert(
            "RoleArn".into(),
            attribute(
                &references::role(context, Principal::RuleDelivery(rule.rule)),
                "Arn",
            ),
        );
    }
    if let Some(command) = &rule.command {
        // The target receives the operation to run and the event.
        let template = format!(
            "{{\"saga\": {}, \"operation\": {}, \"event\": <aws.events.event>}}",
            Json::from(command.saga.as_str()),
            Json::from(command.operation.as_str())
        );
        entry.insert(
            "InputTransformer".into(),
            json!({ "InputTemplate": template }),
        );
    }
    if let Node::Stream(_) = target {
        entry.insert(
            "KinesisParameters".into(),
            json!({ "PartitionKeyPath": "$.id" }),
        );
    }
    if let Node::Queue(queue) = target
        && messaging::queue_settings(system, queue).fifo
    {
        entry.insert(
            "SqsParameters".into(),
            json!({
                "MessageGroupId": names::bare(context, NameKind::MessageGroup, &names::physical(label)),
            }),
        );
    }
    entry.insert(
        "RetryPolicy".into(),
        json!({
            "MaximumRetryAttempts": rule.retries,
            "MaximumEventAgeInSeconds": rule.max_event_age.as_secs_ceil(),
        }),
    );
    if let Some(dead_letter) = rule.dead_letter {
        entry.insert(
            "DeadLetterConfig".into(),
            json!({ "Arn": references::queue_arn(system, dead_letter) }),
        );
    }
    Some(Json::Object(entry))
}

/// The ARNs of what a resource policy lets act, for `aws:SourceArn`.
fn source_arns(context: &Context<'_>, rules: &[RulePlan], permission: &Permission) -> Vec<Json> {
    crate::emit::infra::messaging::source_arns(context, rules, permission)
        .iter()
        .map(|arn| super::infra::json_value(context, arn))
        .collect()
}

fn add_function_permission(
    template: &mut Template,
    context: &Context<'_>,
    rules: &[RulePlan],
    permission: &Permission,
) {
    let grants = events::function_permissions(context.system, context.graph, permission, || {
        source_arns(context, rules, permission)
    });
    for grant in grants {
        template.add(
            id(&grant.label, "Permission"),
            &grant.label,
            "AWS::Lambda::Permission",
            json!({
                "Action": "lambda:InvokeFunction",
                "FunctionName": reference(&references::function(context.system, grant.function)),
                "Principal": permission.service,
                "SourceArn": grant.arn,
            }),
        );
    }
}

// ---------------------------------------------------------------------------
// SQS.

pub(super) fn queues(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    let rules = &context.graph.messaging.rules;
    for settings in &context.graph.messaging.queues {
        let label = names::queue(system, settings.queue);
        let mut properties = Map::new();
        properties.insert(
            "QueueName".into(),
            physical_name(
                context,
                &names::queue_name(context, settings.queue, settings.fifo),
            ),
        );
        if settings.fifo {
            properties.insert("FifoQueue".into(), Json::from(true));
            if settings.content_based_deduplication {
                properties.insert("ContentBasedDeduplication".into(), Json::from(true));
            }
        }
        properties.insert(
            "VisibilityTimeout".into(),
            Json::from(settings.visibility.as_secs_ceil()),
        );
        properties.insert(
            "MessageRetentionPeriod".into(),
            Json::from(settings.retention.as_secs_ceil()),
        );
        properties.insert(
            "DelaySeconds".into(),
            Json::from(settings.delay.as_secs_ceil()),
        );
        properties.insert(
            "ReceiveMessageWaitTimeSeconds".into(),
            Json::from(settings.receive_wait.as_secs_ceil()),
        );
        if let Some(size) = settings.max_message_size {
            properties.insert("MaximumMessageSize".into(), Json::from(size.as_bytes()));
        }
        properties.insert("KmsMasterKeyId".into(), super::key_arn());
        properties.insert("KmsDataKeyReusePeriodSeconds".into(), Json::from(300));
        if let Some((dead_letter, receives)) = settings.redrive {
            properties.insert(
                "RedrivePolicy".into(),
                json!({
                    "deadLetterTargetArn": references::queue_arn(system, dead_letter),
                    "maxReceiveCount": receives,
                }),
            );
        }
        template
            .add(
                references::queue(system, settings.queue),
                &label,
                "AWS::SQS::Queue",
                Json::Object(properties),
            )
            .note(&settings.purpose);
        super::infra::add(
            context,
            template,
            &crate::emit::infra::messaging::queue_policy(context, rules, settings.queue),
        );
    }
}

// ---------------------------------------------------------------------------
// SNS.

pub(super) fn topics(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(context, template, crate::emit::infra::messaging::topics);
    for subscription in &context.graph.messaging.subscriptions {
        add_subscription(template, context, subscription);
    }
}

fn add_subscription(
    template: &mut Template,
    context: &Context<'_>,
    subscription: &SubscriptionPlan,
) {
    let system = context.system;
    let topic = system
        .topics
        .get(subscription.topic.0)
        .map_or_else(String::new, |topic| topic.name.text.clone());
    let Some((endpoint, target)) = target_arn(context, subscription.target) else {
        return;
    };
    let protocol = match subscription.target {
        Node::Queue(_) => "sqs",
        _ => "lambda",
    };
    let mut properties = Map::new();
    properties.insert(
        "TopicArn".into(),
        reference(&references::topic(system, subscription.topic)),
    );
    properties.insert("Protocol".into(), Json::from(protocol));
    properties.insert("Endpoint".into(), endpoint);
    if protocol == "sqs" && subscription.raw_delivery {
        properties.insert("RawMessageDelivery".into(), Json::from(true));
    }
    if let Some(policy) = &subscription.filter_policy {
        properties.insert(
            "FilterPolicyScope".into(),
            Json::from(messaging::policy_scope(subscription.scope)),
        );
        properties.insert("FilterPolicy".into(), policy.clone());
    }
    let label = format!("{topic}--{target}");
    template.add(
        id(&label, "Subscription"),
        &label,
        "AWS::SNS::Subscription",
        Json::Object(properties),
    );
}

// ---------------------------------------------------------------------------
// Kinesis.

pub(super) fn streams(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(context, template, crate::emit::infra::messaging::streams);
}
