//! EventBridge: the declared buses and their archives, the schema registry
//! and a schema per event, every rule of the messaging plan with its
//! targets, and the Lambda permissions that let AWS services invoke a
//! function (Terraform's `events.tf`).

use super::{delivered_to, source_arns};
use crate::emit::events as event_names;
use crate::emit::infra::{Attribute, Key, Kind, Resource, Sink, Value, declared, queue_key};
use crate::emit::{Context, json_schema, names, ordering};
use crate::graph::iam::{Permission, Principal, Resource as IamResource, Source};
use crate::graph::messaging::{self, RulePlan};
use crate::graph::{BusRef, Node};
use crate::model::EventId;
use crate::model::aws_names::NameKind;

/// Every bus, the schemas, every rule with its targets, and the
/// permissions of functions.
pub fn events(context: &Context<'_>, out: &mut Sink<'_>) {
    let system = context.system;
    for bus in &system.buses {
        let name = bus.name.text.as_str();
        let declared = Resource::new(Kind::EventBus, name)
            .with(
                "Name",
                Value::Name(names::aws(context, NameKind::EventBus, name)),
            )
            .with(
                "Description",
                description(&bus.doc, || format!("The event bus {name}."), 512),
            )
            .note(&format!("The bus {name}."));
        let arn = declared.key.get(Attribute::Arn);
        out(declared);
        if let Some(retention) = bus.archive {
            out(Resource::new(Kind::Archive, name)
                .with(
                    "ArchiveName",
                    Value::Name(names::aws(context, NameKind::EventArchive, name)),
                )
                .with(
                    "Description",
                    format!("Every event of bus {name}, for replay."),
                )
                .with("SourceArn", arn)
                .with("RetentionDays", retention.value.as_days_ceil()));
        }
    }
    if !system.events.is_empty() {
        schemas(context, out);
    }
    let rules = &context.graph.messaging.rules;
    for rule in rules {
        rule_resources(context, rule, out);
    }
    for permission in &context.graph.iam.permissions {
        function_permissions(context, rules, permission, out);
    }
}

/// The Lambda permissions a permission of the IAM plan on a function asks
/// for: one per ARN of its source, labelled `<function>--from-<source>`,
/// then `-2`, `-3`, ... None for a permission on anything else, nor for a
/// load balancer's: those are written beside the load balancer.
fn function_permissions(
    context: &Context<'_>,
    rules: &[RulePlan],
    permission: &Permission,
    out: &mut Sink<'_>,
) {
    let system = context.system;
    let IamResource::Function(function) = permission.resource else {
        return;
    };
    if let Source::LoadBalancer(_) = permission.source {
        return;
    }
    let name = declared(
        context,
        system.service(function).map(|found| &found.name),
        || format!("the service {}", function.0),
    );
    let source = event_names::source_label(system, context.graph, permission.source);
    for (index, arn) in source_arns(context, rules, permission)
        .into_iter()
        .enumerate()
    {
        // Nothing for the first, `-2`, `-3`, ... after.
        let suffix = if index == 0 {
            String::new()
        } else {
            format!("-{}", index + 1)
        };
        let statement = format!("from-{source}{suffix}");
        out(
            Resource::new(Kind::Permission, format!("{name}--{statement}"))
                .with(
                    "StatementId",
                    names::bare(
                        context,
                        NameKind::FunctionPermission,
                        &names::physical(&statement),
                    ),
                )
                .with("Action", "lambda:InvokeFunction")
                .with(
                    "FunctionName",
                    Key::new(Kind::Function, name.clone()).get(Attribute::Name),
                )
                .with("Principal", permission.service)
                .with("SourceArn", arn),
        );
    }
}

/// A declaration's doc comment as a description of at most `limit`
/// characters, or `otherwise` when it has none.
fn description(doc: &[String], otherwise: impl FnOnce() -> String, limit: usize) -> String {
    names::description(&crate::model::prose(doc).unwrap_or_else(otherwise), limit)
}

/// The registry of the system's events, and the JSON schema of each.
fn schemas(context: &Context<'_>, out: &mut Sink<'_>) {
    let system = context.system;
    let registry = Resource::new(Kind::SchemaRegistry, "events")
        .with(
            "RegistryName",
            Value::Name(names::aws(context, NameKind::SchemaRegistry, "events")),
        )
        .with(
            "Description",
            format!("The events of system {}.", system.name.text),
        )
        .note(
            "The schema of every event, so that producers and consumers can generate code from it.",
        );
    let registry_name = registry.key.get(Attribute::Name);
    out(registry);
    for (index, event) in system.events.iter().enumerate() {
        let name = event.name.text.as_str();
        let schema = json_schema::event(system, EventId(index));
        out(Resource::new(Kind::Schema, name)
            .with("SchemaName", names::bare(context, NameKind::Schema, name))
            .with("RegistryName", registry_name.clone())
            .with("Type", "JSONSchemaDraft4")
            .with(
                "Description",
                description(&event.doc, || format!("The event {name}."), 256),
            )
            .with("Content", Value::JsonText(Box::new(Value::Literal(schema)))));
    }
}

/// A rule with at least one target, and its targets.
fn rule_resources(context: &Context<'_>, rule: &RulePlan, out: &mut Sink<'_>) {
    if rule.targets.is_empty() {
        return;
    }
    let label = event_names::rule_label(context.system, context.graph, rule);
    let bus = match rule.bus {
        BusRef::Default => None,
        BusRef::Declared(_) => Some(
            Key::new(Kind::EventBus, names::bus_name(context.system, rule.bus))
                .get(Attribute::Name),
        ),
    };
    let mut resource = Resource::new(Kind::Rule, label.clone())
        .with(
            "Name",
            Value::Name(names::aws(context, NameKind::EventRule, &label)),
        )
        .with("Description", names::description(&rule.description, 512));
    if let Some(bus) = &bus {
        resource = resource.with("EventBusName", bus.clone());
    }
    if let Some(pattern) = &rule.pattern {
        resource = resource.with(
            "EventPattern",
            Value::Json(Box::new(Value::Literal(pattern.clone()))),
        );
    }
    if let Some(schedule) = &rule.schedule {
        resource = resource.with(
            "ScheduleExpression",
            event_names::schedule_expression(schedule),
        );
    }
    resource = resource.with("State", "ENABLED");
    let key = resource.key.clone();
    out(resource);
    for target in &rule.targets {
        if let Some(target) = rule_target(context, rule, &key, bus.as_ref(), *target) {
            out(target);
        }
    }
}

/// A target of a rule: what it delivers to, with the role it assumes for
/// a stream or a state machine, what it sends a saga, its retries and its
/// dead-letter queue.
fn rule_target(
    context: &Context<'_>,
    rule: &RulePlan,
    key: &Key,
    bus: Option<&Value>,
    target: Node,
) -> Option<Resource> {
    let to = delivered_to(context, target)?;
    let mut resource = Resource::new(Kind::RuleTarget, format!("{}--{}", key.name, to.name))
        .with("Rule", key.get(Attribute::Name));
    if let Some(bus) = bus {
        resource = resource.with("EventBusName", bus.clone());
    }
    resource = resource
        .with(
            "Id",
            names::bare(context, NameKind::EventTarget, &names::physical(&to.name)),
        )
        .with("Arn", to.get(Attribute::Arn));
    if let Node::Stream(_) | Node::Saga(_) = target {
        let delivery = Principal::RuleDelivery(rule.rule);
        resource = resource
            .with(
                "RoleArn",
                Key::new(
                    Kind::Role,
                    names::role(context.system, context.graph, delivery),
                )
                .get(Attribute::Arn),
            )
            .after(vec![ordering::assumes(delivery)]);
    }
    if let Some(command) = &rule.command {
        // The target receives the operation to run and the event.
        let template = format!(
            "{{\"saga\": {}, \"operation\": {}, \"event\": <aws.events.event>}}",
            serde_json::Value::from(command.saga.as_str()),
            serde_json::Value::from(command.operation.as_str())
        );
        resource = resource.with(
            "InputTransformer",
            Value::Object(vec![("InputTemplate", Value::Text(template))]),
        );
    }
    if let Node::Stream(_) = target {
        resource = resource.with(
            "KinesisParameters",
            Value::Object(vec![("PartitionKeyPath", Value::from("$.id"))]),
        );
    }
    if let Node::Queue(queue) = target
        && messaging::queue_settings(context.system, queue).fifo
    {
        resource = resource.with(
            "SqsParameters",
            Value::Object(vec![(
                "MessageGroupId",
                Value::Text(names::bare(
                    context,
                    NameKind::MessageGroup,
                    &names::physical(&key.name),
                )),
            )]),
        );
    }
    resource = resource.with(
        "RetryPolicy",
        Value::Object(vec![
            ("MaximumRetryAttempts", Value::from(u64::from(rule.retries))),
            (
                "MaximumEventAgeInSeconds",
                Value::from(rule.max_event_age.as_secs_ceil()),
            ),
        ]),
    );
    if let Some(dead_letter) = rule.dead_letter {
        resource = resource.with(
            "DeadLetterConfig",
            Value::Object(vec![(
                "Arn",
                queue_key(context.system, dead_letter).get(Attribute::Arn),
            )]),
        );
    }
    Some(resource)
}

#[cfg(test)]
mod tests {
    use crate::graph::iam::{Permission, Resource as IamResource, Source};
    use crate::model::{ServiceId, TopicId};

    #[test]
    fn a_lambda_permission_on_a_function_the_system_does_not_hold_is_an_internal_error() {
        let (system, graph) = crate::emit::testing::analysed(
            "system s { region = \"us-east-1\" }\ntopic notices { }\n",
        );
        let context = crate::emit::Context::new(&system, &graph);
        let permission = Permission {
            resource: IamResource::Function(ServiceId(9)),
            service: "sns.amazonaws.com",
            actions: vec!["lambda:InvokeFunction"],
            source: Source::Topic(TopicId(0)),
        };
        let mut written = 0;
        super::function_permissions(&context, &[], &permission, &mut |_| written += 1);
        assert_eq!(written, 1, "one permission per ARN of the source");
        let found = crate::emit::testing::problems(&context);
        assert_eq!(
            found,
            [
                "M001: meshc found an inconsistency in its own model: the service 9 is not in the system"
            ]
        );
    }
}
