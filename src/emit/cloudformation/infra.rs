//! Spells the neutral model (`emit::infra`) in the template: each kind's
//! resource type and logical id, a reference as `Ref` or `Fn::GetAtt`, and
//! a policy document inline.

use serde_json::{Map, Value as Json, json};

use super::{Context, Template, attribute, id, interpolated, physical_name, reference};
use crate::emit::infra::policy::{Actions, Principal, Statement, Values};
use crate::emit::infra::{Attribute, Key, Kind, Resource, Sink, Value};
use crate::emit::policies;

/// The resource type of each kind, and what its logical id ends with.
fn resource_type(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Alarm => ("AWS::CloudWatch::Alarm", "Alarm"),
        Kind::Cluster => ("AWS::ECS::Cluster", "Cluster"),
        Kind::EcsService => ("AWS::ECS::Service", "Service"),
        Kind::Function => ("AWS::Lambda::Function", "Function"),
        Kind::Key => ("AWS::KMS::Key", "Key"),
        Kind::LogGroup => ("AWS::Logs::LogGroup", "LogGroup"),
        Kind::Queue => ("AWS::SQS::Queue", "Queue"),
        Kind::QueuePolicy => ("AWS::SQS::QueuePolicy", "QueuePolicy"),
        Kind::Rule => ("AWS::Events::Rule", "Rule"),
        Kind::StateMachine => ("AWS::StepFunctions::StateMachine", "StateMachine"),
        Kind::Stream => ("AWS::Kinesis::Stream", "Stream"),
        Kind::StreamConsumer => ("AWS::Kinesis::StreamConsumer", "StreamConsumer"),
        Kind::TargetGroup => ("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroup"),
        Kind::Topic => ("AWS::SNS::Topic", "Topic"),
        Kind::TopicPolicy => ("AWS::SNS::TopicPolicy", "TopicPolicy"),
    }
}

/// The logical id of a resource.
pub(super) fn logical_id(key: &Key) -> String {
    id(&key.name, resource_type(key.kind).1)
}

/// What a resource of `kind` returns for `attribute`: its `Ref`, or the
/// `Fn::GetAtt` attribute of that name (the "Return values" of each type
/// in the CloudFormation resource reference).
fn returned(kind: Kind, attribute: Attribute) -> Option<&'static str> {
    match (kind, attribute) {
        (Kind::Queue, Attribute::Name) => Some("QueueName"),
        (Kind::Topic, Attribute::Name) => Some("TopicName"),
        (Kind::StateMachine | Kind::EcsService, Attribute::Name) => Some("Name"),
        // `Ref` returns the ARN of these, the URL of a queue, and the name
        // of the others (a key's id, a policy's).
        (
            Kind::StateMachine
            | Kind::Topic
            | Kind::EcsService
            | Kind::TargetGroup
            | Kind::StreamConsumer,
            Attribute::Arn,
        )
        | (_, Attribute::Name | Attribute::Url) => None,
        (_, Attribute::Arn) => Some("Arn"),
    }
}

/// Adds each resource `build` builds to the template ([`add`]), as it is
/// built.
pub(super) fn add_all(
    context: &Context<'_>,
    template: &mut Template,
    build: fn(&Context<'_>, &mut Sink<'_>),
) {
    build(context, &mut |resource| {
        add(context, template, &resource);
    });
}

/// Adds a resource to the template, with its notes and waivers, and
/// returns its logical id.
pub(super) fn add(context: &Context<'_>, template: &mut Template, resource: &Resource) -> String {
    let (kind, _) = resource_type(resource.key.kind);
    let mut properties = Map::new();
    for (property, value) in &resource.properties {
        properties.insert((*property).to_string(), json_value(context, value));
    }
    let logical = logical_id(&resource.key);
    let added = template.add(
        logical.clone(),
        &resource.key.name,
        kind,
        Json::Object(properties),
    );
    // A comment of the template is one line: a note's lines are joined.
    for note in &resource.notes {
        added.note(&note.replace('\n', " "));
    }
    for waiver in &resource.waivers {
        added.skip(waiver.check, &waiver.reason);
    }
    logical
}

/// A value as JSON, with intrinsic functions.
pub(super) fn json_value(context: &Context<'_>, value: &Value) -> Json {
    match value {
        Value::Text(text) => Json::from(text.as_str()),
        Value::Integer(number) => Json::from(*number),
        Value::Bool(flag) => Json::from(*flag),
        Value::List(items) => {
            Json::Array(items.iter().map(|item| json_value(context, item)).collect())
        }
        Value::Pairs {
            key,
            value,
            entries,
        } => Json::Array(
            entries
                .iter()
                .map(|(name, entry)| {
                    let mut object = Map::new();
                    object.insert((*key).to_string(), Json::from(name.as_str()));
                    object.insert((*value).to_string(), json_value(context, entry));
                    Json::Object(object)
                })
                .collect(),
        ),
        Value::Object(fields) => {
            let mut object = Map::new();
            for (field, value) in fields {
                object.insert((*field).to_string(), json_value(context, value));
            }
            Json::Object(object)
        }
        Value::Name(name) => physical_name(context, name),
        Value::Interpolated(parts) => interpolated(context, parts),
        Value::Attribute(key, wanted) => match returned(key.kind, *wanted) {
            None => reference(&logical_id(key)),
            Some(name) => attribute(&logical_id(key), name),
        },
        Value::Policy(statements) => policies::document(
            &statements
                .iter()
                .map(|statement| statement_json(context, statement))
                .collect::<Vec<_>>(),
        ),
        Value::DesiredTasks(service) => match crate::emit::infra::fargate(context, *service) {
            Some((name, fargate)) => super::services::desired_count(name, fargate),
            None => Json::from(0),
        },
    }
}

/// A statement of a policy document.
fn statement_json(context: &Context<'_>, statement: &Statement) -> Json {
    let principal = match statement.principal {
        Principal::Anyone => Json::from("*"),
        Principal::Service(service) => json!({ "Service": service }),
    };
    let actions = match &statement.actions {
        Actions::All => Json::from("*"),
        Actions::Listed(actions) => json!(actions),
    };
    let values = match &statement.condition.values {
        Values::One(value) => json_value(context, value),
        Values::Any(values) => Json::Array(
            values
                .iter()
                .map(|value| json_value(context, value))
                .collect(),
        ),
    };
    let resources: Vec<Json> = statement
        .resources
        .iter()
        .map(|resource| json_value(context, resource))
        .collect();
    json!({
        "Sid": statement.sid,
        "Effect": statement.effect.as_str(),
        "Principal": principal,
        "Action": actions,
        "Resource": resources,
        "Condition": {
            statement.condition.test: { statement.condition.variable: values }
        },
    })
}
