//! Spells the neutral model (`emit::infra`) for the AWS provider: each
//! kind's resource type, the provider's argument for each property, a
//! reference as a traversal, and a policy document as an
//! `aws_iam_policy_document` data source written before its resource.

use hcl::{Block, Expression};

use super::Context;
use super::writer::{
    TfFile, attribute, call, interpolated, list, nested_block, object, physical_name, reference,
};
use crate::emit::infra::policy::{Actions, Principal, Statement, Values};
use crate::emit::infra::{Attribute, Key, Kind, Resource, Sink, Value};

/// The resource type of each kind.
fn resource_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Alarm => "aws_cloudwatch_metric_alarm",
        Kind::Archive => "aws_cloudwatch_event_archive",
        Kind::Bucket => "aws_s3_bucket",
        Kind::Cluster => "aws_ecs_cluster",
        Kind::DbCluster => "aws_rds_cluster",
        Kind::DbInstance => "aws_db_instance",
        Kind::EcsService => "aws_ecs_service",
        Kind::EventBus => "aws_cloudwatch_event_bus",
        Kind::Function => "aws_lambda_function",
        Kind::Key => "aws_kms_key",
        Kind::KeyAlias => "aws_kms_alias",
        Kind::LogGroup => "aws_cloudwatch_log_group",
        Kind::NetworkAcl => "aws_network_acl",
        Kind::NetworkAclEntry => "aws_network_acl_rule",
        Kind::Parameter => "aws_ssm_parameter",
        Kind::Permission => "aws_lambda_permission",
        Kind::PolicyAttachment => "aws_iam_role_policy_attachment",
        Kind::Queue => "aws_sqs_queue",
        Kind::QueuePolicy => "aws_sqs_queue_policy",
        Kind::RedrivePolicy => "aws_sqs_queue_redrive_policy",
        Kind::Repository => "aws_ecr_repository",
        Kind::Role => "aws_iam_role",
        Kind::RolePolicy => "aws_iam_role_policy",
        Kind::Rule => "aws_cloudwatch_event_rule",
        Kind::RuleTarget => "aws_cloudwatch_event_target",
        Kind::Schema => "aws_schemas_schema",
        Kind::SchemaRegistry => "aws_schemas_registry",
        Kind::Secret => "aws_secretsmanager_secret",
        Kind::SecurityGroup => "aws_security_group",
        Kind::SecurityGroupIngress => "aws_vpc_security_group_ingress_rule",
        Kind::SecurityGroupEgress => "aws_vpc_security_group_egress_rule",
        Kind::StateMachine => "aws_sfn_state_machine",
        Kind::Stream => "aws_kinesis_stream",
        Kind::StreamConsumer => "aws_kinesis_stream_consumer",
        Kind::Subnet => "aws_subnet",
        Kind::Subscription => "aws_sns_topic_subscription",
        Kind::Table => "aws_dynamodb_table",
        Kind::TargetGroup => "aws_lb_target_group",
        Kind::Topic => "aws_sns_topic",
        Kind::TopicPolicy => "aws_sns_topic_policy",
        Kind::Vpc => "aws_vpc",
        Kind::VpcEndpoint => "aws_vpc_endpoint",
    }
}

/// The attribute a resource of `kind` exports for `attribute`.
fn attribute_name(kind: Kind, attribute: Attribute) -> &'static str {
    match (kind, attribute) {
        (Kind::Function, Attribute::Name) => "function_name",
        (_, Attribute::Arn | Attribute::LogArn) => "arn",
        (Kind::Key, Attribute::Id) => "key_id",
        (_, Attribute::Id) => "id",
        (_, Attribute::SecretArn) => "master_user_secret[0].secret_arn",
        (_, Attribute::Name) => "name",
        (_, Attribute::Url) => "url",
    }
}

/// How the provider takes a property, where its argument is not the
/// property's name in `snake_case` with the same value.
enum Argument {
    /// Another name.
    Named(&'static str),
    /// Another name, and the one element of the property's list.
    First(&'static str),
    /// A nested block of that name, its fields spelled in `snake_case`.
    Block(&'static str),
    /// The fields of the property's object are arguments of the resource
    /// itself, each spelled by its path (`Property.Field`) in this table
    /// or in `snake_case`.
    Flattened,
    /// Another name, and the value found by taking the first element of
    /// the field's list and then each of these fields in turn (a state
    /// machine's one log destination).
    Dig(&'static str, &'static [&'static str]),
}

/// The provider's arguments that are not spelled from the property, by
/// the resource's kind and the property's name (or `Property.Field` for a
/// field of a [`Argument::Flattened`] property).
#[rustfmt::skip]
const ARGUMENTS: &[(Kind, &str, Argument)] = &[
    (Kind::Archive,        "ArchiveName",            Argument::Named("name")),
    (Kind::Archive,        "SourceArn",              Argument::Named("event_source_arn")),
    (Kind::Key,            "PendingWindowInDays",    Argument::Named("deletion_window_in_days")),
    (Kind::Key,            "KeyPolicy",              Argument::Named("policy")),
    (Kind::KeyAlias,       "AliasName",              Argument::Named("name")),
    (Kind::LogGroup,       "LogGroupName",           Argument::Named("name")),
    (Kind::NetworkAclEntry, "PortRange",             Argument::Flattened),
    (Kind::NetworkAclEntry, "PortRange.From",        Argument::Named("from_port")),
    (Kind::NetworkAclEntry, "PortRange.To",          Argument::Named("to_port")),
    (Kind::NetworkAclEntry, "Icmp",                  Argument::Flattened),
    (Kind::NetworkAclEntry, "Icmp.Code",             Argument::Named("icmp_code")),
    (Kind::NetworkAclEntry, "Icmp.Type",             Argument::Named("icmp_type")),
    (Kind::Queue,          "QueueName",              Argument::Named("name")),
    (Kind::Role,           "RoleName",               Argument::Named("name")),
    (Kind::Role,           "AssumeRolePolicyDocument", Argument::Named("assume_role_policy")),
    (Kind::RolePolicy,     "PolicyName",             Argument::Named("name")),
    (Kind::RolePolicy,     "RoleName",               Argument::Named("role")),
    (Kind::RolePolicy,     "PolicyDocument",         Argument::Named("policy")),
    (Kind::Queue,          "VisibilityTimeout",      Argument::Named("visibility_timeout_seconds")),
    (Kind::Queue,          "MessageRetentionPeriod", Argument::Named("message_retention_seconds")),
    (Kind::Queue,          "ReceiveMessageWaitTimeSeconds", Argument::Named("receive_wait_time_seconds")),
    (Kind::Queue,          "MaximumMessageSize",     Argument::Named("max_message_size")),
    (Kind::QueuePolicy,    "Queues",                 Argument::First("queue_url")),
    (Kind::QueuePolicy,    "PolicyDocument",         Argument::Named("policy")),
    (Kind::RuleTarget,     "Id",                     Argument::Named("target_id")),
    (Kind::RuleTarget,     "InputTransformer",       Argument::Block("input_transformer")),
    (Kind::RuleTarget,     "KinesisParameters",      Argument::Block("kinesis_target")),
    (Kind::RuleTarget,     "SqsParameters",          Argument::Block("sqs_target")),
    (Kind::RuleTarget,     "RetryPolicy",            Argument::Block("retry_policy")),
    (Kind::RuleTarget,     "DeadLetterConfig",       Argument::Block("dead_letter_config")),
    (Kind::Schema,         "SchemaName",             Argument::Named("name")),
    (Kind::SchemaRegistry, "RegistryName",           Argument::Named("name")),
    (Kind::SecurityGroup,  "GroupName",              Argument::Named("name")),
    (Kind::SecurityGroup,  "GroupDescription",       Argument::Named("description")),
    (Kind::SecurityGroupIngress, "GroupId",          Argument::Named("security_group_id")),
    (Kind::SecurityGroupIngress, "CidrIp",           Argument::Named("cidr_ipv4")),
    (Kind::SecurityGroupIngress, "SourceSecurityGroupId", Argument::Named("referenced_security_group_id")),
    (Kind::SecurityGroupIngress, "SourcePrefixListId", Argument::Named("prefix_list_id")),
    (Kind::SecurityGroupEgress, "GroupId",           Argument::Named("security_group_id")),
    (Kind::SecurityGroupEgress, "CidrIp",            Argument::Named("cidr_ipv4")),
    (Kind::SecurityGroupEgress, "DestinationSecurityGroupId", Argument::Named("referenced_security_group_id")),
    (Kind::SecurityGroupEgress, "DestinationPrefixListId", Argument::Named("prefix_list_id")),
    (Kind::StateMachine,   "StateMachineName",       Argument::Named("name")),
    (Kind::StateMachine,   "StateMachineType",       Argument::Named("type")),
    (Kind::StateMachine,   "LoggingConfiguration",   Argument::Block("logging_configuration")),
    (Kind::StateMachine,   "LoggingConfiguration.Destinations",
        Argument::Dig("log_destination", &["CloudWatchLogsLogGroup", "LogGroupArn"])),
    (Kind::StateMachine,   "TracingConfiguration",   Argument::Block("tracing_configuration")),
    (Kind::StateMachine,   "EncryptionConfiguration", Argument::Block("encryption_configuration")),
    (Kind::Stream,         "RetentionPeriodHours",   Argument::Named("retention_period")),
    (Kind::Stream,         "StreamModeDetails",      Argument::Block("stream_mode_details")),
    (Kind::Stream,         "StreamEncryption",       Argument::Flattened),
    (Kind::Stream,         "StreamEncryption.KeyId", Argument::Named("kms_key_id")),
    (Kind::StreamConsumer, "ConsumerName",           Argument::Named("name")),
    (Kind::Topic,          "TopicName",              Argument::Named("name")),
    (Kind::TopicPolicy,    "Topics",                 Argument::First("arn")),
    (Kind::TopicPolicy,    "PolicyDocument",         Argument::Named("policy")),
];

/// The properties of the model the provider takes no argument for, as it
/// does what they say itself: it removes the allow-all egress rule AWS
/// gives a security group it creates.
const DONE_BY_PROVIDER: &[(Kind, &str)] = &[(Kind::SecurityGroup, "SecurityGroupEgress")];

/// The provider's name for the property (or field) `path` of a resource of
/// `kind`, whose own name is `name`: the table's, or `name` in
/// `snake_case`.
fn argument_name(kind: Kind, path: &str, name: &str) -> String {
    match argument(kind, path) {
        Some(
            Argument::Named(named)
            | Argument::First(named)
            | Argument::Block(named)
            | Argument::Dig(named, _),
        ) => (*named).to_string(),
        Some(Argument::Flattened) | None => snake_case(name),
    }
}

/// How the provider takes the property (or field) `path` of a resource of
/// `kind`.
fn argument(kind: Kind, path: &str) -> Option<&'static Argument> {
    ARGUMENTS
        .iter()
        .find(|(of, name, _)| *of == kind && *name == path)
        .map(|(_, _, argument)| argument)
}

/// The label of the data source of a resource's policy document.
fn document_label(key: &Key) -> String {
    match key.kind {
        Kind::TopicPolicy => format!("{}--topic", key.name),
        Kind::QueuePolicy => format!("{}--queue", key.name),
        Kind::Role => format!("{}--assume", key.name),
        // The system has one key.
        Kind::Key => "kms".to_string(),
        Kind::RolePolicy => key.name.clone(),
        kind => format!("{}--{}", key.name, resource_type(kind)),
    }
}

/// `Name` in `snake_case`, an acronym as one word: `OKActions` is
/// `ok_actions`, `KmsMasterKeyId` is `kms_master_key_id`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut before: Option<char> = None;
    let mut chars = name.chars().peekable();
    while let Some(ch) = chars.next() {
        if let (true, Some(before)) = (ch.is_ascii_uppercase(), before) {
            let after = chars.peek().copied();
            let word_starts = before.is_ascii_lowercase()
                || before.is_ascii_digit()
                || (before.is_ascii_uppercase() && after.is_some_and(|c| c.is_ascii_lowercase()));
            if word_starts {
                out.push('_');
            }
        }
        out.push(ch.to_ascii_lowercase());
        before = Some(ch);
    }
    out
}

/// Adds each resource `build` builds to `file` ([`add`]), as it is built.
pub(super) fn add_all(
    file: &mut TfFile,
    context: &Context<'_>,
    build: fn(&Context<'_>, &mut Sink<'_>),
) {
    build(context, &mut |resource| add(file, context, resource));
}

/// Adds a resource to `file`, after the data source of its policy
/// document, if any; its notes go above that data source, or else above
/// the resource, and its waivers inside it (checkov checks the document),
/// or else inside the resource.
pub(super) fn add(file: &mut TfFile, context: &Context<'_>, resource: Resource) {
    // `meshc check` builds the model, which finds every name that cannot
    // fit; spelling it would find nothing more.
    if context.measuring {
        file.count();
        return;
    }
    let Resource {
        key,
        properties,
        mut notes,
        mut waivers,
        after,
        kept: _,
    } = resource;
    let mut block = super::writer::resource(resource_type(key.kind), &key.name);
    for (property, value) in properties {
        if DONE_BY_PROVIDER.contains(&(key.kind, property)) {
            continue;
        }
        let (name, value) = match (argument(key.kind, property), value) {
            (_, Value::Policy(statements)) => {
                let label = document_label(&key);
                let mut document = super::writer::data("aws_iam_policy_document", &label);
                for statement in &statements {
                    document = document.add_block(statement_block(context, statement));
                }
                file.add(document.build());
                // The reader meets the policy first: the notes go above it.
                for note in notes.drain(..) {
                    file.note_above(&note);
                }
                for (index, statement) in statements.iter().enumerate() {
                    if let Some(note) = &statement.note {
                        file.note_nested(&[("statement", index)], note);
                    }
                }
                for waiver in waivers.drain(..) {
                    file.note_inside(&format!("#checkov:skip={}:{}", waiver.check, waiver.reason));
                }
                (
                    argument_name(key.kind, property, property),
                    reference(&format!("data.aws_iam_policy_document.{label}.json")),
                )
            }
            (Some(Argument::Named(name)), value) => {
                ((*name).to_string(), expression(context, &value))
            }
            (Some(Argument::First(name)), Value::List(items)) if items.len() == 1 => (
                (*name).to_string(),
                items
                    .first()
                    .map_or(Expression::Null, |item| expression(context, item)),
            ),
            (Some(Argument::Block(name)), Value::Object(fields)) => {
                let mut nested = nested_block(name);
                for (field, value) in &fields {
                    let path = format!("{property}.{field}");
                    let value = match argument(key.kind, &path) {
                        Some(Argument::Dig(_, steps)) => dig(context, &path, value, steps),
                        _ => expression(context, value),
                    };
                    nested = nested
                        .add_attribute(attribute(argument_name(key.kind, &path, field), value));
                }
                block = block.add_block(nested.build());
                continue;
            }
            (Some(Argument::Flattened), Value::Object(fields)) => {
                for (field, value) in &fields {
                    let name = argument_name(key.kind, &format!("{property}.{field}"), field);
                    block = block.add_attribute(attribute(name, expression(context, value)));
                }
                continue;
            }
            (Some(_), value) => {
                context.internal(format!(
                    "the property {property} of a {:?} does not have the shape its argument needs",
                    key.kind
                ));
                (snake_case(property), expression(context, &value))
            }
            (None, value) => (snake_case(property), expression(context, &value)),
        };
        block = block.add_attribute(attribute(name, value));
    }
    let depends = super::references::prerequisites(context, &after);
    if !depends.is_empty() {
        block = block.add_attribute(attribute("depends_on", list(depends)));
    }
    file.add(block.build());
    for note in &notes {
        file.note_above(note);
    }
    for waiver in &waivers {
        file.note_inside(&format!("#checkov:skip={}:{}", waiver.check, waiver.reason));
    }
}

/// The value at `steps` inside the first element of `value`, a list; or,
/// when it is not there, an internal error.
fn dig(context: &Context<'_>, path: &str, value: &Value, steps: &[&str]) -> Expression {
    let mut found = match value {
        Value::List(items) => items.first(),
        _ => None,
    };
    for step in steps {
        found = match found {
            Some(Value::Object(fields)) => fields
                .iter()
                .find(|(field, _)| field == step)
                .map(|(_, value)| value),
            _ => None,
        };
    }
    if let Some(found) = found {
        return expression(context, found);
    }
    context.internal(format!("{path} does not hold {}", steps.join(".")));
    Expression::Null
}

/// A value as an HCL expression.
pub(super) fn expression(context: &Context<'_>, value: &Value) -> Expression {
    match value {
        Value::Text(text) => Expression::from(text.as_str()),
        Value::Integer(number) => Expression::from(*number),
        Value::Bool(flag) => Expression::from(*flag),
        Value::List(items) => list_expression(context, items),
        Value::Pairs { entries, .. } => object(
            entries
                .iter()
                .map(|(name, value)| (name.as_str(), expression(context, value))),
        ),
        Value::Object(fields) => object(
            fields
                .iter()
                .map(|(field, value)| (snake_case(field), expression(context, value))),
        ),
        Value::Name(name) => physical_name(name),
        Value::Interpolated(parts) => interpolated(parts),
        Value::Attribute(key, attribute) => {
            let address = address(key, "", *attribute);
            match attribute {
                // Every stream of the group.
                Attribute::LogArn => super::writer::template(&format!("${{{address}}}:*")),
                _ => reference(&address),
            }
        }
        Value::Zonal { key, attribute, .. } => reference(&address(key, "[*]", *attribute)),
        Value::Within {
            key,
            attribute,
            suffix,
        } => super::writer::template(&format!("${{{}}}{suffix}", address(key, "", *attribute))),
        Value::DefaultBusArn => reference("data.aws_cloudwatch_event_bus.default.arn"),
        Value::Protocol(protocol) => {
            Expression::from(crate::emit::firewall::protocol_name(*protocol))
        }
        Value::GatewayPrefixList { network, api } => reference(&format!(
            "{}.{}.prefix_list_id",
            resource_type(Kind::VpcEndpoint),
            crate::emit::names::endpoint(context.system, *network, *api)
        )),
        Value::Policy(_) => {
            context.internal("a policy document inside another value".to_string());
            Expression::Null
        }
        Value::DesiredTasks(service) => match crate::emit::infra::fargate(context, *service) {
            Some((name, fargate)) => super::services::desired_count(name, fargate),
            None => Expression::from(0),
        },
        Value::Json(document) | Value::JsonText(document) => {
            call("jsonencode", vec![document_expression(context, document)])
        }
        Value::Literal(json) => super::services::json_expression(json),
        Value::Definition {
            saga,
            substitutions,
        } => {
            let Some(plan) = crate::emit::infra::state_machine(context, *saga) else {
                return Expression::Null;
            };
            call(
                "templatefile",
                vec![
                    super::writer::template(&format!(
                        "${{path.module}}/../{}",
                        crate::emit::asl::file_name(plan)
                    )),
                    object(
                        substitutions
                            .iter()
                            .map(|(name, value)| (name.as_str(), expression(context, value))),
                    ),
                ],
            )
        }
    }
}

/// `TYPE.NAME.ATTRIBUTE` of a resource's attribute, `splat` (`[*]`: of
/// every resource counted) after its name.
fn address(key: &Key, splat: &str, attribute: Attribute) -> String {
    format!(
        "{}.{}{splat}.{}",
        resource_type(key.kind),
        key.name,
        attribute_name(key.kind, attribute)
    )
}

/// A list: its items, or, when some are values of each zone (lists
/// themselves), those lists and a list of the others joined with
/// `concat`.
fn list_expression(context: &Context<'_>, items: &[Value]) -> Expression {
    let (zonal, single): (Vec<&Value>, Vec<&Value>) = items
        .iter()
        .partition(|item| matches!(item, Value::Zonal { .. }));
    let single = list(single.into_iter().map(|item| expression(context, item)));
    if zonal.is_empty() {
        return single;
    }
    let mut parts: Vec<Expression> = zonal
        .into_iter()
        .map(|item| expression(context, item))
        .collect();
    parts.push(single);
    call("concat", parts)
}

/// A value inside a JSON document: an object's keys as they are.
fn document_expression(context: &Context<'_>, value: &Value) -> Expression {
    match value {
        Value::Object(fields) => object(
            fields
                .iter()
                .map(|(field, value)| (*field, document_expression(context, value))),
        ),
        Value::List(items) => list(items.iter().map(|item| document_expression(context, item))),
        value => expression(context, value),
    }
}

/// One value or several, as a list.
fn values_list(context: &Context<'_>, values: &Values) -> Expression {
    match values {
        Values::One(value) => list([expression(context, value)]),
        Values::Any(values) => list(values.iter().map(|value| expression(context, value))),
    }
}

/// A `statement` block of an `aws_iam_policy_document`, without what the
/// statement does not have.
fn statement_block(context: &Context<'_>, statement: &Statement) -> Block {
    let actions = match &statement.actions {
        Actions::All => super::writer::strings(["*"]),
        Actions::One(action) => super::writer::strings([*action]),
        Actions::Listed(actions) => super::writer::strings(actions.iter()),
    };
    let mut block = nested_block("statement");
    if let Some(sid) = &statement.sid {
        block = block.add_attribute(attribute("sid", sid.as_str()));
    }
    block = block
        .add_attribute(attribute("effect", statement.effect.as_str()))
        .add_attribute(attribute("actions", actions));
    if !statement.resources.is_empty() {
        block = block.add_attribute(attribute(
            "resources",
            list_expression(context, &statement.resources),
        ));
    }
    if let Some(principal) = &statement.principal {
        let (principal_type, identifiers) = match principal {
            Principal::Anyone => ("*", super::writer::strings(["*"])),
            Principal::Services(services) => ("Service", values_list(context, services)),
            Principal::Aws(arn) => ("AWS", list([expression(context, arn)])),
        };
        block = block.add_block(
            nested_block("principals")
                .add_attribute(attribute("type", principal_type))
                .add_attribute(attribute("identifiers", identifiers))
                .build(),
        );
    }
    if let Some(condition) = &statement.condition {
        let values = values_list(context, &condition.values);
        block = block.add_block(
            nested_block("condition")
                .add_attribute(attribute("test", condition.test))
                .add_attribute(attribute("variable", condition.variable))
                .add_attribute(attribute("values", values))
                .build(),
        );
    }
    block.build()
}

#[cfg(test)]
mod tests {
    use super::{expression, snake_case};
    use crate::emit::infra::{Attribute, Key, Kind, Value};
    use crate::model::SagaId;

    #[test]
    fn the_definition_of_a_saga_without_a_state_machine_is_an_internal_error() {
        let (system, graph) =
            crate::emit::testing::analysed("system s { region = \"us-east-1\" }\n");
        let context = crate::emit::Context::new(&system, &graph);
        let definition = Value::Definition {
            saga: SagaId(0),
            substitutions: Vec::new(),
        };
        assert_eq!(expression(&context, &definition), hcl::Expression::Null);
        let found: Vec<(&str, String)> = context
            .diagnostics()
            .iter()
            .map(|diagnostic| (diagnostic.code.code, diagnostic.message.clone()))
            .collect();
        let expected = (
            "M001",
            "meshc found an inconsistency in its own model: the definition of saga 0, which has none"
                .to_string(),
        );
        assert_eq!(found, [expected]);
    }

    #[test]
    fn a_value_of_each_zone_is_a_splat_and_a_protocol_its_name() {
        let (system, graph) =
            crate::emit::testing::analysed("system s { region = \"us-east-1\" }\n");
        let context = crate::emit::Context::new(&system, &graph);
        let zonal = Value::Zonal {
            key: Key::new(Kind::Subnet, "main--app"),
            attribute: Attribute::Id,
            zones: 3,
        };
        assert_eq!(
            expression(&context, &zonal),
            super::reference("aws_subnet.main--app[*].id")
        );
        assert_eq!(
            expression(&context, &Value::Protocol(crate::vocabulary::Protocol::All)),
            hcl::Expression::from("-1")
        );
        assert!(context.diagnostics().is_empty());
    }

    #[test]
    fn a_list_holding_values_of_each_zone_joins_their_splats_and_the_others() {
        let (system, graph) =
            crate::emit::testing::analysed("system s { region = \"us-east-1\" }\n");
        let context = crate::emit::Context::new(&system, &graph);
        let resources = Value::List(vec![
            Value::from("*"),
            Value::Zonal {
                key: Key::new(Kind::Subnet, "app"),
                attribute: Attribute::Arn,
                zones: 2,
            },
            Value::Within {
                key: Key::new(Kind::Table, "orders"),
                attribute: Attribute::Arn,
                suffix: "/index/*",
            },
        ]);
        assert_eq!(
            expression(&context, &resources),
            super::call(
                "concat",
                vec![
                    super::reference("aws_subnet.app[*].arn"),
                    super::list([
                        hcl::Expression::from("*"),
                        super::super::writer::template("${aws_dynamodb_table.orders.arn}/index/*"),
                    ]),
                ],
            )
        );
        assert!(context.diagnostics().is_empty());
    }

    #[test]
    fn a_property_is_spelled_in_snake_case_with_acronyms_as_words() {
        assert_eq!(snake_case("OKActions"), "ok_actions");
        assert_eq!(snake_case("KmsMasterKeyId"), "kms_master_key_id");
        assert_eq!(snake_case("EvaluationPeriods"), "evaluation_periods");
        assert_eq!(snake_case("SSEEnabled"), "sse_enabled");
        assert_eq!(snake_case("Period"), "period");
    }
}
