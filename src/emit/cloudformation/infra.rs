//! Spells the neutral model (`emit::infra`) in the template: each kind's
//! resource type and logical id, a reference as `Ref` or `Fn::GetAtt`, and
//! a policy document inline.

use serde_json::{Map, Value as Json};

use super::{Context, Template, attribute, id, interpolated, physical_name, reference, sub};
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
    /// The value of its property `field` is one item of the parent's list
    /// property `list`.
    Item {
        list: &'static str,
        field: &'static str,
    },
}

fn spelling(kind: Kind) -> Spelling {
    let own = Spelling::Own;
    match kind {
        Kind::Alarm => own("AWS::CloudWatch::Alarm", "Alarm"),
        Kind::Archive => own("AWS::Events::Archive", "Archive"),
        Kind::Bucket => own("AWS::S3::Bucket", "Bucket"),
        Kind::Cluster => own("AWS::ECS::Cluster", "Cluster"),
        Kind::DbCluster => own("AWS::RDS::DBCluster", "Database"),
        Kind::DbInstance => own("AWS::RDS::DBInstance", "Database"),
        Kind::EcsService => own("AWS::ECS::Service", "Service"),
        Kind::EventBus => own("AWS::Events::EventBus", "EventBus"),
        Kind::Function => own("AWS::Lambda::Function", "Function"),
        Kind::Key => own("AWS::KMS::Key", "Key"),
        Kind::KeyAlias => own("AWS::KMS::Alias", "KeyAlias"),
        Kind::LogGroup => own("AWS::Logs::LogGroup", "LogGroup"),
        Kind::NetworkAcl => own("AWS::EC2::NetworkAcl", "NetworkAcl"),
        Kind::NetworkAclEntry => own("AWS::EC2::NetworkAclEntry", "NaclEntry"),
        Kind::Parameter => own("AWS::SSM::Parameter", "Parameter"),
        Kind::Permission => own("AWS::Lambda::Permission", "Permission"),
        Kind::PolicyAttachment => Spelling::Folded(Fold {
            parent: "Role",
            place: Place::Item {
                list: "ManagedPolicyArns",
                field: "PolicyArn",
            },
        }),
        Kind::Queue => own("AWS::SQS::Queue", "Queue"),
        Kind::QueuePolicy => own("AWS::SQS::QueuePolicy", "QueuePolicy"),
        Kind::RedrivePolicy => Spelling::Folded(Fold {
            parent: "QueueUrl",
            place: Place::Properties,
        }),
        Kind::Repository => own("AWS::ECR::Repository", "Repository"),
        Kind::Role => own("AWS::IAM::Role", "Role"),
        Kind::RolePolicy => own("AWS::IAM::RolePolicy", "RolePolicy"),
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
        Kind::Secret => own("AWS::SecretsManager::Secret", "Secret"),
        Kind::SecurityGroup => own("AWS::EC2::SecurityGroup", "SecurityGroup"),
        Kind::SecurityGroupIngress => own("AWS::EC2::SecurityGroupIngress", "Ingress"),
        Kind::SecurityGroupEgress => own("AWS::EC2::SecurityGroupEgress", "Egress"),
        Kind::StateMachine => own("AWS::StepFunctions::StateMachine", "StateMachine"),
        Kind::Stream => own("AWS::Kinesis::Stream", "Stream"),
        Kind::StreamConsumer => own("AWS::Kinesis::StreamConsumer", "StreamConsumer"),
        Kind::Subnet => own("AWS::EC2::Subnet", "Subnet"),
        Kind::Subscription => own("AWS::SNS::Subscription", "Subscription"),
        Kind::Table => own("AWS::DynamoDB::Table", "Table"),
        Kind::TargetGroup => own("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroup"),
        Kind::Topic => own("AWS::SNS::Topic", "Topic"),
        Kind::TopicPolicy => own("AWS::SNS::TopicPolicy", "TopicPolicy"),
        Kind::Vpc => own("AWS::EC2::VPC", "Vpc"),
        Kind::VpcEndpoint => own("AWS::EC2::VPCEndpoint", "Endpoint"),
    }
}

/// The properties of the model a type does not have: the provider takes
/// them, CloudFormation decides them itself (a Lambda permission's
/// statement id, a deleted secret's recovery window).
const NOT_IN_TEMPLATE: &[(Kind, &str)] = &[
    (Kind::Permission, "StatementId"),
    // A stack deletes a secret with the default recovery window, 30 days.
    (Kind::Secret, "RecoveryWindowInDays"),
];

/// A property of the model the type does not have, which the template
/// says with a resource of its own for each zone of a [`Value::Zonal`]
/// (a NACL's subnets: an association per subnet).
struct Unrolled {
    kind: Kind,
    property: &'static str,
    /// The type of each resource, and the end of its logical id.
    each: (&'static str, &'static str),
    /// Its property naming one zone's resource, and the one naming the
    /// resource the property was of.
    zone: &'static str,
    owner: &'static str,
}

const UNROLLED: &[Unrolled] = &[Unrolled {
    kind: Kind::NetworkAcl,
    property: "SubnetIds",
    each: (
        "AWS::EC2::SubnetNetworkAclAssociation",
        "NetworkAclAssociation",
    ),
    zone: "SubnetId",
    owner: "NetworkAclId",
}];

/// The properties that take a protocol by its number, not by name
/// (`AWS::EC2::NetworkAclEntry`'s `Protocol` is an integer).
const PROTOCOL_NUMBERS: &[(Kind, &str)] = &[(Kind::NetworkAclEntry, "Protocol")];

/// The logical id of a resource of its own; `None` for a folded one.
fn logical_id(key: &Key) -> Option<String> {
    match spelling(key.kind) {
        Spelling::Own(_, suffix) => Some(id(&key.name, suffix)),
        Spelling::Folded(_) => None,
    }
}

/// How a template gets a value a resource returns.
enum Returned {
    /// `Ref`.
    Ref,
    /// `Fn::GetAtt` of this attribute.
    GetAtt(&'static str),
    /// An ARN the type does not return, made with `Fn::Sub` of this text
    /// and the resource's `Ref` (or the attribute named).
    Built(&'static str, Option<&'static str>),
}

/// What a resource of `kind` returns for `attribute` (the "Return values"
/// of each type in the CloudFormation resource reference).
fn returned(kind: Kind, attribute: Attribute) -> Returned {
    use Returned::{Built, GetAtt, Ref};
    match (kind, attribute) {
        (Kind::SchemaRegistry, Attribute::Name) => GetAtt("RegistryName"),
        (Kind::Queue, Attribute::Name) => GetAtt("QueueName"),
        (Kind::Topic, Attribute::Name) => GetAtt("TopicName"),
        (Kind::StateMachine | Kind::EcsService | Kind::EventBus, Attribute::Name) => GetAtt("Name"),
        (Kind::SecurityGroup, Attribute::Id) => GetAtt("GroupId"),
        (Kind::DbInstance | Kind::DbCluster, Attribute::SecretArn) => {
            GetAtt("MasterUserSecret.SecretArn")
        }
        (Kind::StreamConsumer, Attribute::Arn) => GetAtt("ConsumerARN"),
        (Kind::Subnet, Attribute::Arn) => Built(
            "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:subnet/",
            None,
        ),
        (Kind::SecurityGroup, Attribute::Arn) => Built(
            "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/",
            Some("GroupId"),
        ),
        // A parameter's name starts with `/`, and its ARN takes no second.
        (Kind::Parameter, Attribute::Arn) => Built(
            "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter",
            None,
        ),
        // `Ref` returns the ARN of these, the URL of a queue, and the name
        // of the others (a key's id, a policy's).
        (
            Kind::StateMachine | Kind::Topic | Kind::EcsService | Kind::TargetGroup | Kind::Secret,
            Attribute::Arn,
        )
        | (_, Attribute::Name | Attribute::Url | Attribute::Id | Attribute::SecretArn) => Ref,
        // A log group's `Arn` already ends in `:*`.
        (_, Attribute::Arn | Attribute::LogArn) => GetAtt("Arn"),
    }
}

/// The value the resource `logical`, of kind `kind`, returns for
/// `wanted`, followed by `suffix` (a path under an ARN).
fn returned_value(kind: Kind, logical: &str, wanted: Attribute, suffix: &str) -> Json {
    let (before, inside) = match returned(kind, wanted) {
        Returned::Ref if suffix.is_empty() => return reference(logical),
        Returned::GetAtt(name) if suffix.is_empty() => return attribute(logical, name),
        Returned::Ref => (String::new(), logical.to_string()),
        Returned::GetAtt(name) => (String::new(), format!("{logical}.{name}")),
        Returned::Built(before, None) => (before.to_string(), logical.to_string()),
        Returned::Built(before, Some(name)) => (before.to_string(), format!("{logical}.{name}")),
    };
    sub(&format!("{before}${{{inside}}}{suffix}"))
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
    let mut unrolled = Vec::new();
    for (property, value) in &resource.properties {
        if NOT_IN_TEMPLATE.contains(&(resource.key.kind, *property)) {
            continue;
        }
        if let Some(unroll) = UNROLLED
            .iter()
            .find(|unroll| unroll.kind == resource.key.kind && unroll.property == *property)
        {
            unrolled.push((unroll, value));
            continue;
        }
        let json = match value {
            Value::Protocol(protocol)
                if PROTOCOL_NUMBERS.contains(&(resource.key.kind, *property)) =>
            {
                Json::from(protocol_number(*protocol))
            }
            value => json_value(context, value),
        };
        properties.insert((*property).to_string(), json);
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
    // A statement's note is said of the statement, by its id.
    for (_, value) in &resource.properties {
        let Value::Policy(statements) = value else {
            continue;
        };
        for statement in statements {
            if let Some(note) = &statement.note {
                added.note(&statement_note(statement.sid.as_deref(), note));
            }
        }
    }
    for waiver in &resource.waivers {
        added.skip(waiver.check, &waiver.reason);
    }
    added.depends_on_all(super::references::prerequisites(context, &resource.after));
    if let Some(keep) = resource.kept {
        added.keep_on_delete(keep.as_str());
    }
    for (unroll, value) in unrolled {
        add_per_zone(
            context,
            template,
            &resource.key.name,
            &logical,
            unroll,
            value,
        );
    }
    logical
}

/// The resources of each zone that say the property `unroll` of the
/// resource `logical`, whose value is `value`.
fn add_per_zone(
    context: &Context<'_>,
    template: &mut Template,
    name: &str,
    logical: &str,
    unroll: &Unrolled,
    value: &Value,
) {
    let Value::Zonal {
        key,
        attribute,
        zones,
    } = value
    else {
        context.internal(format!(
            "the {} of {logical} is not a value of each zone",
            unroll.property
        ));
        return;
    };
    let (kind, suffix) = unroll.each;
    for zone in 0..*zones {
        let mut properties = Map::new();
        properties.insert(
            unroll.zone.to_string(),
            returned_by(context, key, Some(zone), *attribute, ""),
        );
        properties.insert(unroll.owner.to_string(), reference(logical));
        template.add(
            super::counted(name, suffix, zone),
            name,
            kind,
            Json::Object(properties),
        );
    }
}

/// What the resource `key` returns for `wanted` (its resource of zone
/// `zone`, for one counted per zone), followed by `suffix` (a path under
/// an ARN); or, when the template holds it inside another, an internal
/// error.
fn returned_by(
    context: &Context<'_>,
    key: &Key,
    zone: Option<usize>,
    wanted: Attribute,
    suffix: &str,
) -> Json {
    let Spelling::Own(_, end) = spelling(key.kind) else {
        context.internal(format!(
            "a reference to the {:?} {}, which is inside another resource",
            key.kind, key.name
        ));
        return Json::Null;
    };
    let logical = match zone {
        Some(zone) => super::counted(&key.name, end, zone),
        None => id(&key.name, end),
    };
    returned_value(key.kind, &logical, wanted, suffix)
}

/// A note on a statement, said in the resource's comment: `Statement ID:
/// note`, the note starting in lower case.
fn statement_note(sid: Option<&str>, note: &str) -> String {
    let Some(sid) = sid else {
        return note.to_string();
    };
    let mut chars = note.chars();
    let first: String = chars
        .next()
        .map(|first| first.to_lowercase().collect())
        .unwrap_or_default();
    format!("Statement {sid}: {first}{}", chars.as_str())
}

/// The protocol number a property that takes one is given.
fn protocol_number(protocol: crate::vocabulary::Protocol) -> i64 {
    use crate::vocabulary::Protocol;
    match protocol {
        Protocol::Tcp => 6,
        Protocol::Udp => 17,
        Protocol::Icmp => 1,
        Protocol::All => -1,
    }
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
            Place::Item { field, .. } => property == field,
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
        Place::Entry { list, .. } | Place::Item { list, .. } => {
            let entry = match fold.place {
                Place::Item { field, .. } => {
                    let Some((_, value)) = values.into_iter().next() else {
                        context.internal(format!(
                            "the {:?} {} has no {field}",
                            resource.key.kind, resource.key.name
                        ));
                        return String::new();
                    };
                    value
                }
                _ => Json::Object(
                    values
                        .into_iter()
                        .map(|(property, value)| (property.to_string(), value))
                        .collect(),
                ),
            };
            let entries = properties
                .entry(list)
                .or_insert_with(|| Json::Array(Vec::new()));
            let Json::Array(entries) = entries else {
                context.internal(format!("the {list} of {logical} are not a list"));
                return String::new();
            };
            entries.push(entry);
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
        // A value of each zone in a list gives each of its values.
        Value::List(items) => {
            let mut list = Vec::new();
            for item in items {
                match (item, json_value(context, item)) {
                    (Value::Zonal { .. }, Json::Array(each)) => list.extend(each),
                    (_, one) => list.push(one),
                }
            }
            Json::Array(list)
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
        Value::Attribute(key, wanted) => returned_by(context, key, None, *wanted, ""),
        Value::Zonal {
            key,
            attribute,
            zones,
        } => Json::Array(
            (0..*zones)
                .map(|zone| returned_by(context, key, Some(zone), *attribute, ""))
                .collect(),
        ),
        Value::Protocol(protocol) => Json::from(crate::emit::firewall::protocol_name(*protocol)),
        Value::Within {
            key,
            attribute,
            suffix,
        } => returned_by(context, key, None, *attribute, suffix),
        Value::DefaultBusArn => {
            sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default")
        }
        Value::GatewayPrefixList { api, .. } => {
            reference(&super::settings::prefix_list(api.mesh_name()))
        }
        Value::Policy(statements) => {
            policies::document(statements, |value| json_value(context, value))
        }
        Value::DesiredTasks(service) => match crate::emit::infra::fargate(context, *service) {
            Some((name, fargate)) => super::services::desired_count(name, fargate),
            None => Json::from(0),
        },
        Value::Json(document) => json_value(context, document),
        Value::JsonText(document) => Json::from(json_value(context, document).to_string()),
        Value::Literal(json) => json.clone(),
        Value::Definition { saga, .. } => {
            let Some(plan) = crate::emit::infra::state_machine(context, *saga) else {
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
    use crate::emit::testing::problems;

    const SOURCE: &str = "system folded { region = \"us-east-1\" }\n";

    fn analysed() -> (crate::model::System, crate::graph::Graph) {
        crate::emit::testing::analysed(SOURCE)
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
        assert_eq!(
            problems(&context),
            [
                "M001: meshc found an inconsistency in its own model: the RedrivePolicy jobs does not follow the resource it belongs in"
            ]
        );
        let untouched = template
            .last("OtherQueue")
            .map(|queue| queue.properties.clone());
        assert_eq!(untouched, Some(json!({})));
    }

    #[test]
    fn a_nacl_s_subnets_are_an_association_per_zone_and_its_entries_number_their_protocol() {
        let (system, graph) = analysed();
        let context = crate::emit::Context::new(&system, &graph);
        let mut template = Template::default();
        let acl = Resource::new(Kind::NetworkAcl, "main--app").with(
            "SubnetIds",
            Value::Zonal {
                key: Key::new(Kind::Subnet, "main--app"),
                attribute: Attribute::Id,
                zones: 2,
            },
        );
        assert_eq!(add(&context, &mut template, &acl), "MainAppNetworkAcl");
        let entry = Resource::new(Kind::NetworkAclEntry, "main--app--in-100").with(
            "Protocol",
            Value::Protocol(crate::vocabulary::Protocol::Udp),
        );
        add(&context, &mut template, &entry);
        let written: Vec<(String, &str, serde_json::Value)> = template
            .resources
            .iter()
            .map(|(id, resource)| (id.clone(), resource.kind, resource.properties.clone()))
            .collect();
        let association = |zone: usize| {
            (
                format!("MainAppNetworkAclAssociation{zone}"),
                "AWS::EC2::SubnetNetworkAclAssociation",
                json!({
                    "SubnetId": { "Ref": format!("MainAppSubnet{zone}") },
                    "NetworkAclId": { "Ref": "MainAppNetworkAcl" },
                }),
            )
        };
        assert_eq!(
            written,
            [
                (
                    "MainAppNetworkAcl".to_string(),
                    "AWS::EC2::NetworkAcl",
                    json!({})
                ),
                association(0),
                association(1),
            ]
        );
        let protocol = template
            .last("MainAppInN100NaclEntry")
            .map(|entry| entry.properties.clone());
        assert_eq!(protocol, Some(json!({ "Protocol": 17 })));
        // Elsewhere a protocol is its name, and a value of each zone a list.
        assert_eq!(
            json_value(&context, &Value::Protocol(crate::vocabulary::Protocol::Udp)),
            json!("udp")
        );
        let subnets = Value::Zonal {
            key: Key::new(Kind::Subnet, "main--app"),
            attribute: Attribute::Id,
            zones: 2,
        };
        assert_eq!(
            json_value(&context, &subnets),
            json!([{ "Ref": "MainAppSubnet0" }, { "Ref": "MainAppSubnet1" }])
        );
        assert!(context.diagnostics().is_empty());
    }

    #[test]
    fn a_property_said_per_zone_that_is_not_a_value_of_each_zone_is_an_internal_error() {
        let (system, graph) = analysed();
        let context = crate::emit::Context::new(&system, &graph);
        let mut template = Template::default();
        let acl = Resource::new(Kind::NetworkAcl, "main--app").with("SubnetIds", "subnet-1");
        add(&context, &mut template, &acl);
        let found = problems(&context);
        assert_eq!(
            found,
            [
                "M001: meshc found an inconsistency in its own model: the SubnetIds of MainAppNetworkAcl is not a value of each zone"
            ]
        );
    }

    #[test]
    fn a_managed_policy_is_an_item_of_its_role_s_list_and_an_arn_aws_does_not_return_is_built() {
        let (system, graph) = analysed();
        let context = crate::emit::Context::new(&system, &graph);
        let mut template = Template::default();
        let role = Resource::new(Kind::Role, "orders").with("RoleName", "orders");
        let attachment = |policy: &str| {
            Resource::new(Kind::PolicyAttachment, format!("orders--{policy}"))
                .with("Role", role.key.get(Attribute::Name))
                .with("PolicyArn", format!("arn:aws:iam::aws:policy/{policy}"))
        };
        assert_eq!(add(&context, &mut template, &role), "OrdersRole");
        assert_eq!(add(&context, &mut template, &attachment("A")), "OrdersRole");
        assert_eq!(add(&context, &mut template, &attachment("B")), "OrdersRole");
        let folded = template
            .last("OrdersRole")
            .map(|role| role.properties.clone());
        assert_eq!(
            folded,
            Some(json!({
                "RoleName": "orders",
                "ManagedPolicyArns": ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"],
            }))
        );
        let resources = Value::List(vec![
            Value::Zonal {
                key: Key::new(Kind::Subnet, "app"),
                attribute: Attribute::Arn,
                zones: 2,
            },
            Value::Within {
                key: Key::new(Kind::Bucket, "files"),
                attribute: Attribute::Arn,
                suffix: "/*",
            },
            Key::new(Kind::SecurityGroup, "api").get(Attribute::Arn),
            Key::new(Kind::Secret, "token").get(Attribute::Arn),
        ]);
        let subnet = |zone: usize| json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:subnet/${{AppSubnet{zone}}}") });
        assert_eq!(
            json_value(&context, &resources),
            json!([
                subnet(0),
                subnet(1),
                { "Fn::Sub": "${FilesBucket.Arn}/*" },
                { "Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/${ApiSecurityGroup.GroupId}" },
                { "Ref": "TokenSecret" },
            ])
        );
        assert!(context.diagnostics().is_empty());
    }

    #[test]
    fn a_managed_policy_without_its_arn_is_an_internal_error() {
        let (system, graph) = analysed();
        let context = crate::emit::Context::new(&system, &graph);
        let mut template = Template::default();
        let role = Resource::new(Kind::Role, "orders");
        add(&context, &mut template, &role);
        let attachment = Resource::new(Kind::PolicyAttachment, "orders--A")
            .with("Role", role.key.get(Attribute::Name));
        assert_eq!(add(&context, &mut template, &attachment), "");
        assert_eq!(
            problems(&context),
            [
                "M001: meshc found an inconsistency in its own model: the PolicyAttachment orders--A has no PolicyArn"
            ]
        );
        let untouched = template
            .last("OrdersRole")
            .map(|role| role.properties.clone());
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
        let found = problems(&context);
        assert_eq!(
            found,
            [
                "M001: meshc found an inconsistency in its own model: the definition of saga 0, which has none"
            ]
        );
    }
}
