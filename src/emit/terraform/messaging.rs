//! `events.tf`, `queues.tf`, `topics.tf` and `streams.tf`: EventBridge
//! buses, archives, the schema registry, rules and their targets; SQS
//! queues with their redrive and access policies; SNS topics and
//! subscriptions; Kinesis streams and their consumers. Every rule target,
//! subscription and resource policy comes from the graph's messaging and
//! IAM plans.

use hcl::{Block, Expression};

use super::Context;
use super::references::queue_arn;
use super::services::json_expression;
use super::writer::{TfFile, aws_name, call, physical_name, reference, resource};
use crate::emit::{events, json_schema, names};
use crate::graph::iam::{Permission, Principal, Resource};
use crate::graph::messaging::{self, RulePlan, SubscriptionPlan};
use crate::graph::{BusRef, Node};
use crate::model::aws_names::NameKind;
use crate::model::{Duration, EventId, System, TopicId};

fn topic_name(system: &System, topic: TopicId) -> String {
    system
        .topics
        .get(topic.0)
        .map_or_else(String::new, |topic| topic.name.text.clone())
}

/// The bus name expression of a rule's bus.
fn bus_expression(system: &System, bus: BusRef) -> Expression {
    match bus {
        BusRef::Default => Expression::from("default"),
        BusRef::Declared(_) => reference(&format!(
            "aws_cloudwatch_event_bus.{}.name",
            names::bus_name(system, bus)
        )),
    }
}

// ---------------------------------------------------------------------------
// EventBridge.

pub(super) fn events(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let mut file = TfFile::new(context);
    for bus in &system.buses {
        let name = bus.name.text.as_str();
        file.add(
            resource("aws_cloudwatch_event_bus", name)
                .add_attribute(("name", aws_name(context, NameKind::EventBus, name)))
                .add_attribute((
                    "description",
                    names::description(
                        &crate::model::prose(&bus.doc)
                            .unwrap_or_else(|| format!("The event bus {name}.")),
                        512,
                    ),
                ))
                .build(),
        );
        file.note_above(&format!("The bus {name}."));
        if let Some(retention) = bus.archive {
            file.add(
                resource("aws_cloudwatch_event_archive", name)
                    .add_attribute(("name", aws_name(context, NameKind::EventArchive, name)))
                    .add_attribute((
                        "description",
                        format!("Every event of bus {name}, for replay."),
                    ))
                    .add_attribute((
                        "event_source_arn",
                        reference(&format!("aws_cloudwatch_event_bus.{name}.arn")),
                    ))
                    .add_attribute(("retention_days", retention.value.as_days_ceil()))
                    .build(),
            );
        }
    }
    if !system.events.is_empty() {
        file.add(
            resource("aws_schemas_registry", "events")
                .add_attribute((
                    "name",
                    aws_name(context, NameKind::SchemaRegistry, "events"),
                ))
                .add_attribute((
                    "description",
                    format!("The events of system {}.", system.name.text),
                ))
                .build(),
        );
        file.note_above(
            "The schema of every event, so that producers and consumers can generate code from it.",
        );
        for (index, event) in system.events.iter().enumerate() {
            let name = event.name.text.as_str();
            let schema = json_schema::event(system, EventId(index));
            file.add(
                resource("aws_schemas_schema", name)
                    .add_attribute(("name", names::bare(context, NameKind::Schema, name)))
                    .add_attribute((
                        "registry_name",
                        reference("aws_schemas_registry.events.name"),
                    ))
                    .add_attribute(("type", "JSONSchemaDraft4"))
                    .add_attribute((
                        "description",
                        names::description(
                            &crate::model::prose(&event.doc)
                                .unwrap_or_else(|| format!("The event {name}.")),
                            256,
                        ),
                    ))
                    .add_attribute((
                        "content",
                        call("jsonencode", vec![json_expression(&schema)]),
                    ))
                    .build(),
            );
        }
    }
    let rules = &context.graph.messaging.rules;
    for rule in rules {
        add_rule(&mut file, context, rule);
    }
    for permission in &context.graph.iam.permissions {
        if let Resource::Function(_) = permission.resource {
            add_function_permission(&mut file, context, rules, permission);
        }
    }
    file
}

fn add_rule(file: &mut TfFile, context: &Context<'_>, rule: &RulePlan) {
    let system = context.system;
    let label = events::rule_label(system, context.graph, rule);
    let targets = rule.targets.clone();
    if targets.is_empty() {
        return;
    }
    let mut block = resource("aws_cloudwatch_event_rule", &label)
        .add_attribute(("name", aws_name(context, NameKind::EventRule, &label)))
        .add_attribute(("description", names::description(&rule.description, 512)));
    if rule.bus != BusRef::Default {
        block = block.add_attribute(("event_bus_name", bus_expression(system, rule.bus)));
    }
    if let Some(pattern) = &rule.pattern {
        block = block.add_attribute((
            "event_pattern",
            call("jsonencode", vec![json_expression(pattern)]),
        ));
    }
    if let Some(schedule) = &rule.schedule {
        block = block.add_attribute(("schedule_expression", events::schedule_expression(schedule)));
    }
    block = block.add_attribute(("state", "ENABLED"));
    file.add(block.build());
    for target in targets {
        add_target(file, context, rule, &label, target);
    }
}

/// The ARN of what a rule or subscription delivers to, and its base name.
fn target_arn(context: &Context<'_>, target: Node) -> Option<(Expression, String)> {
    let system = context.system;
    match target {
        Node::Queue(queue) => {
            let name = names::queue(system, queue);
            Some((queue_arn(context, queue), name))
        }
        Node::Service(service) => {
            let name = system.service(service)?.name.text.clone();
            Some((reference(&format!("aws_lambda_function.{name}.arn")), name))
        }
        Node::Topic(topic) => {
            let name = topic_name(system, topic);
            Some((reference(&format!("aws_sns_topic.{name}.arn")), name))
        }
        Node::Stream(stream) => {
            let name = system.streams.get(stream.0)?.name.text.clone();
            Some((reference(&format!("aws_kinesis_stream.{name}.arn")), name))
        }
        Node::Saga(saga) => {
            let name = names::saga(system, saga);
            Some((
                reference(&format!("aws_sfn_state_machine.{name}.arn")),
                name,
            ))
        }
        _ => None,
    }
}

fn add_target(
    file: &mut TfFile,
    context: &Context<'_>,
    rule: &RulePlan,
    label: &str,
    target: Node,
) {
    let system = context.system;
    let Some((arn, target_name)) = target_arn(context, target) else {
        return;
    };
    let mut block = resource(
        "aws_cloudwatch_event_target",
        &format!("{label}--{target_name}"),
    )
    .add_attribute((
        "rule",
        reference(&format!("aws_cloudwatch_event_rule.{label}.name")),
    ));
    if rule.bus != BusRef::Default {
        block = block.add_attribute(("event_bus_name", bus_expression(system, rule.bus)));
    }
    block = block
        .add_attribute((
            "target_id",
            names::bare(
                context,
                NameKind::EventTarget,
                &names::physical(&target_name),
            ),
        ))
        .add_attribute(("arn", arn));
    let mut depends = Vec::new();
    if let Node::Stream(_) | Node::Saga(_) = target {
        let delivery = Principal::RuleDelivery(rule.rule);
        block = block.add_attribute((
            "role_arn",
            reference(&format!(
                "aws_iam_role.{}.arn",
                names::role(system, context.graph, delivery)
            )),
        ));
        depends =
            super::references::prerequisites(context, &[crate::emit::ordering::assumes(delivery)]);
    }
    if let Some(command) = &rule.command {
        // The target receives the operation to run and the event.
        let template = format!(
            "{{\"saga\": {}, \"operation\": {}, \"event\": <aws.events.event>}}",
            serde_json::Value::from(command.saga.as_str()),
            serde_json::Value::from(command.operation.as_str())
        );
        block = block.add_block(
            Block::builder("input_transformer")
                .add_attribute(("input_template", template))
                .build(),
        );
    }
    if let Node::Stream(_) = target {
        block = block.add_block(
            Block::builder("kinesis_target")
                .add_attribute(("partition_key_path", "$.id"))
                .build(),
        );
    }
    if let Node::Queue(queue) = target {
        if messaging::queue_settings(system, queue).fifo {
            block = block.add_block(
                Block::builder("sqs_target")
                    .add_attribute((
                        "message_group_id",
                        names::bare(context, NameKind::MessageGroup, &names::physical(label)),
                    ))
                    .build(),
            );
        }
    }
    block = block.add_block(
        Block::builder("retry_policy")
            .add_attribute(("maximum_retry_attempts", rule.retries))
            .add_attribute((
                "maximum_event_age_in_seconds",
                rule.max_event_age.as_secs_ceil(),
            ))
            .build(),
    );
    if let Some(dead_letter) = rule.dead_letter {
        block = block.add_block(
            Block::builder("dead_letter_config")
                .add_attribute(("arn", queue_arn(context, dead_letter)))
                .build(),
        );
    }
    if !depends.is_empty() {
        block = block.add_attribute(("depends_on", super::writer::list(depends)));
    }
    file.add(block.build());
}

/// The ARN of what a resource policy lets act, for `aws:SourceArn`.
fn source_arns(
    context: &Context<'_>,
    rules: &[RulePlan],
    permission: &Permission,
) -> Vec<Expression> {
    crate::emit::infra::messaging::source_arns(context, rules, permission)
        .iter()
        .map(|arn| super::infra::expression(context, arn))
        .collect()
}

fn add_function_permission(
    file: &mut TfFile,
    context: &Context<'_>,
    rules: &[RulePlan],
    permission: &Permission,
) {
    let grants = events::function_permissions(context.system, context.graph, permission, || {
        source_arns(context, rules, permission)
    });
    for grant in grants {
        file.add(
            resource("aws_lambda_permission", &grant.label)
                .add_attribute((
                    "statement_id",
                    names::bare(
                        context,
                        NameKind::FunctionPermission,
                        &names::physical(&grant.statement),
                    ),
                ))
                .add_attribute(("action", "lambda:InvokeFunction"))
                .add_attribute((
                    "function_name",
                    reference(&format!("aws_lambda_function.{}.function_name", grant.name)),
                ))
                .add_attribute(("principal", permission.service))
                .add_attribute(("source_arn", grant.arn))
                .build(),
        );
    }
}

// ---------------------------------------------------------------------------
// SQS.

fn seconds(duration: Duration) -> u64 {
    duration.as_secs_ceil()
}

pub(super) fn queues(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let mut file = TfFile::new(context);
    let rules = &context.graph.messaging.rules;
    for settings in &context.graph.messaging.queues {
        let label = names::queue(system, settings.queue);
        let physical = physical_name(&names::queue_name(context, settings.queue, settings.fifo));
        let mut block = resource("aws_sqs_queue", &label).add_attribute(("name", physical));
        if settings.fifo {
            block = block.add_attribute(("fifo_queue", true));
            if settings.content_based_deduplication {
                block = block.add_attribute(("content_based_deduplication", true));
            }
        }
        block = block
            .add_attribute(("visibility_timeout_seconds", seconds(settings.visibility)))
            .add_attribute(("message_retention_seconds", seconds(settings.retention)))
            .add_attribute(("delay_seconds", seconds(settings.delay)))
            .add_attribute(("receive_wait_time_seconds", seconds(settings.receive_wait)));
        if let Some(size) = settings.max_message_size {
            block = block.add_attribute(("max_message_size", size.as_bytes()));
        }
        block = block
            .add_attribute(("kms_master_key_id", reference("aws_kms_key.system.arn")))
            .add_attribute(("kms_data_key_reuse_period_seconds", 300));
        file.add(block.build());
        file.note_above(&settings.purpose);
        if let Some((dead_letter, receives)) = settings.redrive {
            file.add(
                resource("aws_sqs_queue_redrive_policy", &label)
                    .add_attribute((
                        "queue_url",
                        reference(&format!("aws_sqs_queue.{label}.url")),
                    ))
                    .add_attribute((
                        "redrive_policy",
                        call(
                            "jsonencode",
                            vec![super::writer::object([
                                ("deadLetterTargetArn", queue_arn(context, dead_letter)),
                                ("maxReceiveCount", Expression::from(receives)),
                            ])],
                        ),
                    ))
                    .build(),
            );
        }
        super::infra::add(
            &mut file,
            context,
            crate::emit::infra::messaging::queue_policy(context, rules, settings.queue),
        );
    }
    file
}

// ---------------------------------------------------------------------------
// SNS.

pub(super) fn topics(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    super::infra::add_all(&mut file, context, crate::emit::infra::messaging::topics);
    for subscription in &context.graph.messaging.subscriptions {
        add_subscription(&mut file, context, subscription);
    }
    file
}

fn add_subscription(file: &mut TfFile, context: &Context<'_>, subscription: &SubscriptionPlan) {
    let system = context.system;
    let topic = topic_name(system, subscription.topic);
    let Some((endpoint, target)) = target_arn(context, subscription.target) else {
        return;
    };
    let protocol = match subscription.target {
        Node::Queue(_) => "sqs",
        _ => "lambda",
    };
    let mut block = resource("aws_sns_topic_subscription", &format!("{topic}--{target}"))
        .add_attribute((
            "topic_arn",
            reference(&format!("aws_sns_topic.{topic}.arn")),
        ))
        .add_attribute(("protocol", protocol))
        .add_attribute(("endpoint", endpoint));
    if protocol == "sqs" && subscription.raw_delivery {
        block = block.add_attribute(("raw_message_delivery", true));
    }
    if let Some(policy) = &subscription.filter_policy {
        block = block
            .add_attribute((
                "filter_policy_scope",
                messaging::policy_scope(subscription.scope),
            ))
            .add_attribute((
                "filter_policy",
                call("jsonencode", vec![json_expression(policy)]),
            ));
    }
    file.add(block.build());
}

// ---------------------------------------------------------------------------
// Kinesis.

pub(super) fn streams(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    super::infra::add_all(&mut file, context, crate::emit::infra::messaging::streams);
    file
}
