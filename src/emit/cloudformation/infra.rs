//! Spells the neutral model (`emit::infra`) in the template: each kind's
//! resource type and logical id, a reference as `Ref` or `Fn::GetAtt`, and
//! a policy document inline.

use serde_json::{Map, Value as Json};

use super::{Context, Template, attribute, id, interpolated, physical_name, reference};
use crate::emit::infra::{Attribute, Key, Kind, Resource, Sink, Value};
use crate::emit::policies;

/// How the template holds a resource of each kind.
enum Spelling {
    /// As a resource of this type, whose logical id ends with this.
    Own(&'static str, &'static str),
    /// Inside another resource.
    Folded(Fold),
}

/// A resource the template holds inside another, which the model puts
/// just before it: the one its property `parent` refers to.
struct Fold {
    parent: &'static str,
    place: Place,
}

/// Where a folded resource's properties go in its parent.
enum Place {
    /// Each is a property of the parent.
    Properties,
    /// Together, but for those `skipped` (which the parent already
    /// says), they are one entry of the parent's list property `list`.
    Entry {
        list: &'static str,
        skipped: &'static [&'static str],
    },
}

fn spelling(kind: Kind) -> Spelling {
    let own = Spelling::Own;
    match kind {
        Kind::Alarm => own("AWS::CloudWatch::Alarm", "Alarm"),
        Kind::Archive => own("AWS::Events::Archive", "Archive"),
        Kind::Cluster => own("AWS::ECS::Cluster", "Cluster"),
        Kind::EcsService => own("AWS::ECS::Service", "Service"),
        Kind::EventBus => own("AWS::Events::EventBus", "EventBus"),
        Kind::Function => own("AWS::Lambda::Function", "Function"),
        Kind::Key => own("AWS::KMS::Key", "Key"),
        Kind::LogGroup => own("AWS::Logs::LogGroup", "LogGroup"),
        Kind::Permission => own("AWS::Lambda::Permission", "Permission"),
        Kind::Queue => own("AWS::SQS::Queue", "Queue"),
        Kind::QueuePolicy => own("AWS::SQS::QueuePolicy", "QueuePolicy"),
        Kind::RedrivePolicy => Spelling::Folded(Fold {
            parent: "QueueUrl",
            place: Place::Properties,
        }),
        Kind::Role => own("AWS::IAM::Role", "Role"),
        Kind::Rule => own("AWS::Events::Rule", "Rule"),
        Kind::RuleTarget => Spelling::Folded(Fold {
            parent: "Rule",
            place: Place::Entry {
                list: "Targets",
                skipped: &["EventBusName"],
            },
        }),
        Kind::Schema => own("AWS::EventSchemas::Schema", "Schema"),
        Kind::SchemaRegistry => own("AWS::EventSchemas::Registry", "Registry"),
        Kind::StateMachine => own("AWS::StepFunctions::StateMachine", "StateMachine"),
        Kind::Stream => own("AWS::Kinesis::Stream", "Stream"),
        Kind::StreamConsumer => own("AWS::Kinesis::StreamConsumer", "StreamConsumer"),
        Kind::Subscription => own("AWS::SNS::Subscription", "Subscription"),
        Kind::TargetGroup => own("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroup"),
        Kind::Topic => own("AWS::SNS::Topic", "Topic"),
        Kind::TopicPolicy => own("AWS::SNS::TopicPolicy", "TopicPolicy"),
    }
}

/// The properties of the model a type does not have: the provider takes
/// them, CloudFormation decides them itself (a Lambda permission's
/// statement id).
const NOT_IN_TEMPLATE: &[(Kind, &str)] = &[(Kind::Permission, "StatementId")];

/// The logical id of a resource of its own; `None` for a folded one.
fn logical_id(key: &Key) -> Option<String> {
    match spelling(key.kind) {
        Spelling::Own(_, suffix) => Some(id(&key.name, suffix)),
        Spelling::Folded(_) => None,
    }
}

/// What a resource of `kind` returns for `attribute`: its `Ref`, or the
/// `Fn::GetAtt` attribute of that name (the "Return values" of each type
/// in the CloudFormation resource reference).
fn returned(kind: Kind, attribute: Attribute) -> Option<&'static str> {
    match (kind, attribute) {
        (Kind::SchemaRegistry, Attribute::Name) => Some("RegistryName"),
        (Kind::Queue, Attribute::Name) => Some("QueueName"),
        (Kind::Topic, Attribute::Name) => Some("TopicName"),
        (Kind::StateMachine | Kind::EcsService | Kind::EventBus, Attribute::Name) => Some("Name"),
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
        // A log group's `Arn` already ends in `:*`.
        (_, Attribute::Arn | Attribute::LogArn) => Some("Arn"),
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

/// Adds a resource to the template, with its notes, waivers and
/// dependencies, and returns its logical id (a folded resource goes into
/// its parent, whose id it returns).
pub(super) fn add(context: &Context<'_>, template: &mut Template, resource: &Resource) -> String {
    let (kind, suffix) = match spelling(resource.key.kind) {
        Spelling::Own(kind, suffix) => (kind, suffix),
        Spelling::Folded(fold) => return fold_into(context, template, resource, &fold),
    };
    let mut properties = Map::new();
    for (property, value) in &resource.properties {
        if NOT_IN_TEMPLATE.contains(&(resource.key.kind, *property)) {
            continue;
        }
        properties.insert((*property).to_string(), json_value(context, value));
        // A definition's placeholders are filled by the property beside it.
        if let Value::Definition { substitutions, .. } = value {
            let filled: Map<String, Json> = substitutions
                .iter()
                .map(|(name, value)| (name.clone(), json_value(context, value)))
                .collect();
            properties.insert(format!("{property}Substitutions"), Json::Object(filled));
        }
    }
    let logical = id(&resource.key.name, suffix);
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
    added.depends_on_all(super::references::prerequisites(context, &resource.after));
    logical
}

/// Puts a folded resource into its parent, the resource added just before
/// it; or, when that is not its parent, reports an internal error.
fn fold_into(
    context: &Context<'_>,
    template: &mut Template,
    resource: &Resource,
    fold: &Fold,
) -> String {
    let parent = resource
        .properties
        .iter()
        .find_map(|(property, value)| match value {
            Value::Attribute(key, _) if *property == fold.parent => logical_id(key),
            _ => None,
        });
    let values: Vec<(&str, Json)> = resource
        .properties
        .iter()
        .filter(|(property, _)| *property != fold.parent)
        .filter(|(property, _)| match &fold.place {
            Place::Properties => true,
            Place::Entry { skipped, .. } => !skipped.contains(property),
        })
        .map(|(property, value)| (*property, json_value(context, value)))
        .collect();
    let prerequisites = super::references::prerequisites(context, &resource.after);
    let Some((logical, into)) = parent
        .as_deref()
        .and_then(|logical| Some((logical, template.last(logical)?)))
    else {
        context.internal(format!(
            "the {:?} {} does not follow the resource it belongs in",
            resource.key.kind, resource.key.name
        ));
        return String::new();
    };
    let Some(properties) = into.properties_mut() else {
        context.internal(format!("the properties of {logical} are not an object"));
        return String::new();
    };
    match fold.place {
        Place::Properties => {
            for (property, value) in values {
                properties.insert(property.to_string(), value);
            }
        }
        Place::Entry { list, .. } => {
            let entry: Map<String, Json> = values
                .into_iter()
                .map(|(property, value)| (property.to_string(), value))
                .collect();
            let entries = properties
                .entry(list)
                .or_insert_with(|| Json::Array(Vec::new()));
            let Json::Array(entries) = entries else {
                context.internal(format!("the {list} of {logical} are not a list"));
                return String::new();
            };
            entries.push(Json::Object(entry));
        }
    }
    into.depends_on_all(prerequisites);
    logical.to_string()
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
        Value::Attribute(key, wanted) => {
            let Some(logical) = logical_id(key) else {
                context.internal(format!(
                    "a reference to the {:?} {}, which is inside another resource",
                    key.kind, key.name
                ));
                return Json::Null;
            };
            match returned(key.kind, *wanted) {
                None => reference(&logical),
                Some(name) => attribute(&logical, name),
            }
        }
        Value::Policy(statements) => policies::document(
            &statements
                .iter()
                .map(|statement| {
                    policies::statement_json(statement, |value| json_value(context, value))
                })
                .collect::<Vec<_>>(),
        ),
        Value::DesiredTasks(service) => match crate::emit::infra::fargate(context, *service) {
            Some((name, fargate)) => super::services::desired_count(name, fargate),
            None => Json::from(0),
        },
        Value::Json(document) => json_value(context, document),
        Value::JsonText(document) => Json::from(json_value(context, document).to_string()),
        Value::Literal(json) => json.clone(),
        Value::Definition { saga, .. } => {
            let Some(plan) = context
                .graph
                .state_machines()
                .find(|plan| plan.saga == *saga)
            else {
                context.internal(format!("the definition of saga {}, which has none", saga.0));
                return Json::Null;
            };
            crate::emit::asl::definition(
                context.system,
                plan,
                crate::emit::asl::Filler::DefinitionSubstitutions,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Template, add, json_value};
    use crate::emit::infra::{Attribute, Key, Kind, Resource, Value};

    const SOURCE: &str = "system folded { region = \"us-east-1\" }\n";

    fn analysed() -> (crate::model::System, crate::graph::Graph) {
        let analysis = crate::analyze(SOURCE);
        let (Some(system), Some(graph)) = (analysis.system, analysis.graph) else {
            panic!("the system resolves: {:?}", analysis.diagnostics);
        };
        (system, graph)
    }

    #[test]
    fn a_rule_target_is_an_entry_of_the_rule_it_follows_and_a_redrive_a_property_of_its_queue() {
        let (system, graph) = analysed();
        let context = crate::emit::Context::new(&system, &graph);
        let mut template = Template::default();
        let rule = Resource::new(Kind::Rule, "orders").with("State", "ENABLED");
        let queue = Key::new(Kind::Queue, "jobs");
        let target = |name: &str| {
            Resource::new(Kind::RuleTarget, format!("orders--{name}"))
                .with("Rule", rule.key.get(Attribute::Name))
                .with("EventBusName", "commerce")
                .with("Id", name)
                .with("Arn", queue.get(Attribute::Arn))
        };
        assert_eq!(add(&context, &mut template, &rule), "OrdersRule");
        assert_eq!(add(&context, &mut template, &target("first")), "OrdersRule");
        assert_eq!(
            add(&context, &mut template, &target("second")),
            "OrdersRule"
        );
        let folded = template
            .last("OrdersRule")
            .map(|rule| rule.properties.clone());
        let arn = json!({ "Fn::GetAtt": ["JobsQueue", "Arn"] });
        assert_eq!(
            folded,
            Some(json!({
                "State": "ENABLED",
                "Targets": [
                    { "Id": "first", "Arn": arn },
                    { "Id": "second", "Arn": arn },
                ],
            }))
        );
        add(&context, &mut template, &Resource::new(Kind::Queue, "jobs"));
        add(
            &context,
            &mut template,
            &Resource::new(Kind::RedrivePolicy, "jobs")
                .with("QueueUrl", queue.get(Attribute::Url))
                .with("RedrivePolicy", Value::Json(Box::new(Value::Integer(3)))),
        );
        let folded = template
            .last("JobsQueue")
            .map(|queue| queue.properties.clone());
        assert_eq!(folded, Some(json!({ "RedrivePolicy": 3 })));
        assert!(context.diagnostics().is_empty());
    }

    #[test]
    fn a_folded_resource_that_does_not_follow_its_parent_is_an_internal_error() {
        let (system, graph) = analysed();
        let context = crate::emit::Context::new(&system, &graph);
        let mut template = Template::default();
        add(
            &context,
            &mut template,
            &Resource::new(Kind::Queue, "other"),
        );
        let redrive = Resource::new(Kind::RedrivePolicy, "jobs").with(
            "QueueUrl",
            Key::new(Kind::Queue, "jobs").get(Attribute::Url),
        );
        assert_eq!(add(&context, &mut template, &redrive), "");
        let found: Vec<(&str, String)> = context
            .diagnostics()
            .iter()
            .map(|diagnostic| (diagnostic.code.code, diagnostic.message.clone()))
            .collect();
        assert_eq!(
            found,
            [(
                "M001",
                "meshc found an inconsistency in its own model: the RedrivePolicy jobs does not follow the resource it belongs in".to_string()
            )]
        );
        let untouched = template
            .last("OtherQueue")
            .map(|queue| queue.properties.clone());
        assert_eq!(untouched, Some(json!({})));
    }

    #[test]
    fn the_definition_of_a_saga_without_a_state_machine_is_an_internal_error() {
        let (system, graph) = analysed();
        let context = crate::emit::Context::new(&system, &graph);
        let definition = Value::Definition {
            saga: crate::model::SagaId(0),
            substitutions: Vec::new(),
        };
        assert_eq!(json_value(&context, &definition), serde_json::Value::Null);
        let found: Vec<String> = context
            .diagnostics()
            .iter()
            .map(|diagnostic| format!("{}: {}", diagnostic.code.code, diagnostic.message))
            .collect();
        assert_eq!(
            found,
            [
                "M001: meshc found an inconsistency in its own model: the definition of saga 0, which has none"
            ]
        );
    }
}
