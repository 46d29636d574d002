//! Every physical name meshc emits is within AWS's limits, for any name a
//! declaration may have and the longest prefix a deployment may choose.
//!
//! The names are found by walking what the backends wrote — each Terraform
//! resource (parsed with hcl-rs) and each CloudFormation resource — and
//! reading the attribute or property that holds a name, with the prefix,
//! the account id, the region and a zone's index at their longest. They
//! are never asked of the function that forms them, so a backend that
//! formats a name by itself is caught: any attribute that holds the prefix
//! but that this file does not know as a name fails the test too.
//!
//! `every_generated_name_fits_its_row` builds generated systems with
//! service, queue, event, rule, network (and every other) names of every
//! length from 1 to 140 and of random lengths up to 300, made of every
//! character a name may hold. `every_row_is_enforced` builds, for each row
//! of the table, a declaration whose name would be exactly one character
//! over the row's limit, and one exactly at it: the first is shortened, the
//! second is emitted as it is.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

use std::collections::{BTreeMap, BTreeSet};

use hcl::expr::{Expression, ObjectKey, TemplateExpr};
use meshc::check::names::name_too_long::MAX_NAME_CHARS;

/// The longest name a slot may have: the table's name is declared again
/// with `-b`, `-s` and `-p` after it, and every declared name has at most
/// `MAX_NAME_CHARS` characters (M225).
const LONGEST_SLOT: usize = MAX_NAME_CHARS - 2;
use meshc::diagnostics::SourceFile;
use meshc::model::aws_names::{NameKind, hash_tag};
use serde_json::Value as Json;

/// Prefixes of the longest length the variable and the parameter accept,
/// of every character they accept.
const PREFIXES: [&str; 3] = [
    "abcdefghijklmnopqrst",
    "a1-b2-c3-d4-e5-f6-g7",
    "z9y8x7w6v5u4t3s2r1q0",
];
/// An account id is always 12 digits.
const ACCOUNT: &str = "123456789012";
/// The longest region code of any partition.
const REGION: &str = "us-isof-south-1";
/// A zone's index: a region has at most six zones.
const INDEX: &str = "9";
/// The Terraform AWS provider completes a `name_prefix` with 26 characters.
const GENERATED_SUFFIX: usize = 26;

/// One name found in the output.
#[derive(Clone, Debug)]
struct Found {
    kind: NameKind,
    /// `terraform aws_lb.main--public-alb name` or the CloudFormation
    /// equivalent, for messages.
    place: String,
    /// The backend and the attribute or property (`terraform name`).
    attribute: String,
    name: String,
}

// ---------------------------------------------------------------------------
// Where names are.

fn terraform_kind(kind: &str, path: &str) -> Option<NameKind> {
    use NameKind as K;
    if path == "tags.Name" {
        return Some(K::NameTag);
    }
    Some(match (kind, path) {
        ("aws_lb", "name") => K::LoadBalancer,
        ("aws_lb_target_group", "name") => K::TargetGroup,
        ("aws_iam_role", "name") => K::IamRole,
        ("aws_iam_role_policy", "name") => K::IamRolePolicy,
        ("aws_cloudwatch_event_rule", "name") => K::EventRule,
        ("aws_cloudwatch_event_target", "target_id") => K::EventTarget,
        ("aws_cloudwatch_event_target", "sqs_target.message_group_id") => K::MessageGroup,
        ("aws_cloudwatch_event_bus", "name") => K::EventBus,
        ("aws_cloudwatch_event_archive", "name") => K::EventArchive,
        ("aws_schemas_registry", "name") => K::SchemaRegistry,
        ("aws_schemas_schema", "name") => K::Schema,
        ("aws_sqs_queue", "name") => K::Queue,
        ("aws_sns_topic", "name") => K::Topic,
        ("aws_cloudwatch_metric_alarm", "alarm_name") => K::Alarm,
        ("aws_kinesis_stream", "name") => K::Stream,
        ("aws_kinesis_stream_consumer", "name") => K::StreamConsumer,
        ("aws_dynamodb_table", "name") => K::Table,
        ("aws_dynamodb_table", "global_secondary_index.name") => K::TableIndex,
        ("aws_db_instance" | "aws_rds_cluster_instance", "identifier") => K::DbInstance,
        ("aws_rds_cluster", "cluster_identifier") => K::DbCluster,
        ("aws_db_instance" | "aws_rds_cluster", "final_snapshot_identifier") => K::DbSnapshot,
        ("aws_db_subnet_group", "name") => K::DbSubnetGroup,
        ("aws_db_parameter_group", "name") => K::DbParameterGroup,
        ("aws_rds_cluster_parameter_group", "name") => K::DbClusterParameterGroup,
        ("aws_ecs_cluster", "name") => K::EcsCluster,
        ("aws_ecs_service", "name") => K::EcsService,
        ("aws_ecs_task_definition", "family") => K::TaskFamily,
        ("aws_ecs_task_definition", "container_definitions.jsonencode().[].name")
        | ("aws_ecs_service", "load_balancer.container_name") => K::Container,
        (
            "aws_ecs_service",
            "service_connect_configuration.service.discovery_name"
            | "service_connect_configuration.service.client_alias.dns_name",
        ) => K::ServiceConnect,
        ("aws_service_discovery_private_dns_namespace", "name") => K::Namespace,
        ("aws_service_discovery_service", "name") => K::DiscoveryService,
        ("aws_cloudwatch_log_group", "name") => K::LogGroup,
        ("aws_lambda_function", "function_name") => K::Function,
        ("aws_lambda_permission", "statement_id") => K::FunctionPermission,
        ("aws_sfn_state_machine", "name") => K::StateMachine,
        ("aws_s3_bucket", "bucket") => K::Bucket,
        ("aws_secretsmanager_secret", "name") => K::Secret,
        ("aws_ssm_parameter", "name") => K::Parameter,
        ("aws_kms_alias", "name") => K::KmsAlias,
        ("aws_security_group", "name") => K::SecurityGroup,
        ("aws_wafv2_web_acl", "name") => K::WebAcl,
        (
            "aws_wafv2_web_acl",
            "visibility_config.metric_name" | "rule.visibility_config.metric_name",
        ) => K::WebAclMetric,
        ("aws_signer_signing_profile", "name_prefix") => K::SigningProfile,
        ("aws_ecr_repository", "name") => K::Repository,
        _ => return None,
    })
}

fn cloudformation_kind(kind: &str, path: &str) -> Option<NameKind> {
    use NameKind as K;
    if path == "Tags.Name" {
        return Some(K::NameTag);
    }
    Some(match (kind, path) {
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "Name") => K::LoadBalancer,
        ("AWS::ElasticLoadBalancingV2::TargetGroup", "Name") => K::TargetGroup,
        ("AWS::IAM::Role", "RoleName") => K::IamRole,
        ("AWS::IAM::RolePolicy", "PolicyName") => K::IamRolePolicy,
        ("AWS::Events::Rule", "Name") => K::EventRule,
        ("AWS::Events::Rule", "Targets.[].Id") => K::EventTarget,
        ("AWS::Events::Rule", "Targets.[].SqsParameters.MessageGroupId") => K::MessageGroup,
        ("AWS::Events::EventBus", "Name") => K::EventBus,
        ("AWS::Events::Archive", "ArchiveName") => K::EventArchive,
        ("AWS::EventSchemas::Registry", "RegistryName") => K::SchemaRegistry,
        ("AWS::EventSchemas::Schema", "SchemaName") => K::Schema,
        ("AWS::SQS::Queue", "QueueName") => K::Queue,
        ("AWS::SNS::Topic", "TopicName") => K::Topic,
        ("AWS::CloudWatch::Alarm", "AlarmName") => K::Alarm,
        ("AWS::Kinesis::Stream", "Name") => K::Stream,
        ("AWS::Kinesis::StreamConsumer", "ConsumerName") => K::StreamConsumer,
        ("AWS::DynamoDB::Table", "TableName") => K::Table,
        ("AWS::DynamoDB::Table", "GlobalSecondaryIndexes.[].IndexName") => K::TableIndex,
        ("AWS::RDS::DBInstance", "DBInstanceIdentifier") => K::DbInstance,
        ("AWS::RDS::DBCluster", "DBClusterIdentifier") => K::DbCluster,
        ("AWS::RDS::DBSubnetGroup", "DBSubnetGroupName") => K::DbSubnetGroup,
        ("AWS::RDS::DBParameterGroup", "DBParameterGroupName") => K::DbParameterGroup,
        ("AWS::RDS::DBClusterParameterGroup", "DBClusterParameterGroupName") => {
            K::DbClusterParameterGroup
        }
        ("AWS::ECS::Cluster", "ClusterName") => K::EcsCluster,
        ("AWS::ECS::Service", "ServiceName") => K::EcsService,
        ("AWS::ECS::TaskDefinition", "Family") => K::TaskFamily,
        ("AWS::ECS::TaskDefinition", "ContainerDefinitions.[].Name")
        | ("AWS::ECS::Service", "LoadBalancers.[].ContainerName") => K::Container,
        (
            "AWS::ECS::Service",
            "ServiceConnectConfiguration.Services.[].DiscoveryName"
            | "ServiceConnectConfiguration.Services.[].ClientAliases.[].DnsName",
        ) => K::ServiceConnect,
        ("AWS::ServiceDiscovery::PrivateDnsNamespace", "Name") => K::Namespace,
        ("AWS::ServiceDiscovery::Service", "Name") => K::DiscoveryService,
        ("AWS::Logs::LogGroup", "LogGroupName") => K::LogGroup,
        ("AWS::Lambda::Function", "FunctionName") => K::Function,
        ("AWS::StepFunctions::StateMachine", "StateMachineName") => K::StateMachine,
        ("AWS::S3::Bucket", "BucketName") => K::Bucket,
        ("AWS::SecretsManager::Secret", "Name") => K::Secret,
        ("AWS::SSM::Parameter", "Name") => K::Parameter,
        ("AWS::KMS::Alias", "AliasName") => K::KmsAlias,
        ("AWS::EC2::SecurityGroup", "GroupName") => K::SecurityGroup,
        ("AWS::WAFv2::WebACL", "Name") => K::WebAcl,
        (
            "AWS::WAFv2::WebACL",
            "VisibilityConfig.MetricName" | "Rules.[].VisibilityConfig.MetricName",
        ) => K::WebAclMetric,
        ("AWS::ECR::Repository", "RepositoryName") => K::Repository,
        _ => return None,
    })
}

/// Places that hold the prefix but are not names: an ARN made of a name
/// (its name is checked where it is given), the runtime's settings.
fn cloudformation_not_a_name(kind: &str, path: &str) -> bool {
    matches!((kind, path), ("AWS::Lambda::Permission", "SourceArn"))
        // The pattern of the system's alarm ARNs, `PREFIX-*`.
        || (kind == "AWS::SNS::TopicPolicy" && path.ends_with("aws:SourceArn.[]"))
        || path.starts_with("Environment.")
        || path.starts_with("ContainerDefinitions.[].Environment.")
}

// ---------------------------------------------------------------------------
// Reading names out of Terraform.

/// The value of a name expression, with every deploy-time part at its
/// longest; `None` for an expression this test does not know.
fn terraform_value(expression: &Expression, prefix: &str) -> Option<String> {
    match expression {
        Expression::String(text) => Some(text.clone()),
        Expression::TemplateExpr(template) => {
            let TemplateExpr::QuotedString(text) = template.as_ref() else {
                return None;
            };
            let text = text
                .replace("${var.name_prefix}", prefix)
                .replace("${data.aws_caller_identity.current.account_id}", ACCOUNT)
                .replace("${var.region}", REGION)
                .replace("${count.index}", INDEX);
            (!text.contains("${")).then_some(text)
        }
        other => {
            let text = other.to_string();
            if text == "var.name_prefix" {
                Some(prefix.to_string())
            } else if text == r#"format("%s_", replace(var.name_prefix, "-", "_"))"# {
                Some(format!(
                    "{}_{}",
                    prefix.replace('-', "_"),
                    "a".repeat(GENERATED_SUFFIX)
                ))
            } else {
                None
            }
        }
    }
}

/// Walks an attribute's expression: objects by key, lists as `[]`,
/// `jsonencode` by its argument.
fn walk_terraform_expression<'a>(
    expression: &'a Expression,
    path: &str,
    out: &mut Vec<(String, &'a Expression)>,
) {
    out.push((path.to_string(), expression));
    match expression {
        Expression::Object(object) => {
            for (key, value) in object {
                let key = match key {
                    ObjectKey::Identifier(identifier) => identifier.to_string(),
                    ObjectKey::Expression(Expression::String(text)) => text.clone(),
                    other => other.to_string(),
                };
                walk_terraform_expression(value, &format!("{path}.{key}"), out);
            }
        }
        Expression::Array(items) => {
            for item in items {
                walk_terraform_expression(item, &format!("{path}.[]"), out);
            }
        }
        Expression::FuncCall(call) if call.name.to_string() == "jsonencode" => {
            for argument in &call.args {
                walk_terraform_expression(argument, &format!("{path}.jsonencode()"), out);
            }
        }
        _ => {}
    }
}

fn walk_terraform_body<'a>(
    body: &'a hcl::Body,
    path: &str,
    out: &mut Vec<(String, &'a Expression)>,
) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    for attribute in body.attributes() {
        walk_terraform_expression(&attribute.expr, &join(attribute.key.as_str()), out);
    }
    for block in body.blocks() {
        walk_terraform_body(&block.body, &join(block.identifier.as_str()), out);
    }
}

fn terraform_names(
    files: &BTreeMap<String, String>,
    prefix: &str,
    found: &mut Vec<Found>,
    problems: &mut Vec<String>,
) {
    for (path, text) in files {
        if !path.starts_with("terraform/") {
            continue;
        }
        let body: hcl::Body = hcl::parse(text).unwrap_or_else(|error| panic!("{path}: {error}"));
        for block in body.blocks() {
            if block.identifier.as_str() != "resource" {
                continue;
            }
            let labels: Vec<&str> = block.labels.iter().map(hcl::BlockLabel::as_str).collect();
            let (kind, label) = (labels[0], labels[1]);
            let mut attributes = Vec::new();
            walk_terraform_body(&block.body, "", &mut attributes);
            for (attribute, expression) in attributes {
                let place = format!("terraform {kind}.{label} {attribute}");
                if let Some(name_kind) = terraform_kind(kind, &attribute) {
                    match terraform_value(expression, prefix) {
                        Some(name) => found.push(Found {
                            kind: name_kind,
                            place,
                            attribute: format!("terraform {attribute}"),
                            name,
                        }),
                        None => problems.push(format!("{place}: cannot read `{expression}`")),
                    }
                    continue;
                }
                let holds_prefix = match expression {
                    Expression::Object(_) | Expression::Array(_) => false,
                    Expression::FuncCall(call) => {
                        call.name.to_string() != "jsonencode"
                            && expression.to_string().contains("var.name_prefix")
                    }
                    other => other.to_string().contains("var.name_prefix"),
                };
                if holds_prefix {
                    problems.push(format!(
                        "{place} holds the prefix but is not known as a name: `{expression}`"
                    ));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Reading names out of CloudFormation.

fn cloudformation_value(value: &Json, prefix: &str) -> Option<String> {
    match value {
        Json::String(text) => Some(text.clone()),
        Json::Object(object) if object.len() == 1 => {
            if let Some(Json::String(text)) = object.get("Fn::Sub") {
                let text = text
                    .replace("${NamePrefix}", prefix)
                    .replace("${AWS::AccountId}", ACCOUNT)
                    .replace("${AWS::Region}", REGION);
                (!text.contains("${")).then_some(text)
            } else if object.get("Ref") == Some(&Json::from("NamePrefix")) {
                Some(prefix.to_string())
            } else {
                None
            }
        }
        _ => None,
    }
}

fn holds_prefix(value: &Json) -> bool {
    match value {
        Json::String(text) => text.contains("${NamePrefix}"),
        Json::Object(object) => {
            object.get("Ref") == Some(&Json::from("NamePrefix"))
                || object.values().any(holds_prefix)
        }
        Json::Array(items) => items.iter().any(holds_prefix),
        _ => false,
    }
}

fn walk_cloudformation(
    kind: &str,
    value: &Json,
    path: &str,
    prefix: &str,
    place: &str,
    found: &mut Vec<Found>,
    problems: &mut Vec<String>,
) {
    if let Some(name_kind) = cloudformation_kind(kind, path) {
        match cloudformation_value(value, prefix) {
            Some(name) => found.push(Found {
                kind: name_kind,
                place: format!("{place} {path}"),
                attribute: format!("cloudformation {path}"),
                name,
            }),
            None => problems.push(format!("{place} {path}: cannot read {value}")),
        }
        return;
    }
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Json::Array(items) if path.ends_with("Tags") => {
            for tag in items {
                if tag.get("Key") == Some(&Json::from("Name")) {
                    let value = tag.get("Value").unwrap_or(&Json::Null);
                    walk_cloudformation(kind, value, "Tags.Name", prefix, place, found, problems);
                }
            }
        }
        Json::Object(object) => {
            let intrinsic = object
                .keys()
                .any(|key| key.starts_with("Fn::") || key == "Ref");
            if intrinsic {
                if holds_prefix(value) && !cloudformation_not_a_name(kind, path) {
                    problems.push(format!(
                        "{place} {path} holds the prefix but is not known as a name: {value}"
                    ));
                }
                return;
            }
            for (key, item) in object {
                walk_cloudformation(kind, item, &join(key), prefix, place, found, problems);
            }
        }
        Json::Array(items) => {
            for item in items {
                walk_cloudformation(kind, item, &join("[]"), prefix, place, found, problems);
            }
        }
        _ => {}
    }
}

fn cloudformation_names(
    files: &BTreeMap<String, String>,
    prefix: &str,
    found: &mut Vec<Found>,
    problems: &mut Vec<String>,
) {
    let Some(text) = files.get("cloudformation/template.json") else {
        return;
    };
    let template: Json = serde_json::from_str(text).unwrap();
    for (logical_id, resource) in template["Resources"].as_object().unwrap() {
        let kind = resource["Type"].as_str().unwrap();
        let place = format!("cloudformation {logical_id} ({kind})");
        if let Some(properties) = resource.get("Properties") {
            walk_cloudformation(kind, properties, "", prefix, &place, found, problems);
        }
    }
}

// ---------------------------------------------------------------------------
// Building and checking.

fn compile(source: &str) -> BTreeMap<String, String> {
    let file = SourceFile {
        name: "generated.mesh".to_string(),
        text: source.to_string(),
    };
    let output = meshc::compile(&file, &meshc::Options::default());
    let errors: Vec<String> = output
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .map(|diagnostic| format!("{}: {}", diagnostic.code.code, diagnostic.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{source}");
    output.files
}

/// Every name of the output, for one prefix; panics on an attribute that
/// holds the prefix but is not known as a name, or a name that cannot be
/// read.
fn names(files: &BTreeMap<String, String>, prefix: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    terraform_names(files, prefix, &mut found, &mut problems);
    cloudformation_names(files, prefix, &mut found, &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
    found
}

/// What is wrong with a found name, if anything.
fn violation(found: &Found) -> Option<String> {
    let rule = found.kind.rule().expect("every kind has a row");
    let length = found.name.chars().count();
    if length > rule.length.1 {
        return Some(format!(
            "{}: `{}` is {length} characters, over the {} of a {}",
            found.place, found.name, rule.length.1, rule.what
        ));
    }
    rule.violation(&found.name)
        .map(|problem| format!("{}: {problem}", found.place))
}

/// Kinds whose names must differ from each other within a system (the
/// others are unique per parent, or tags).
fn unique(kind: NameKind) -> bool {
    !matches!(
        kind,
        NameKind::NameTag
            | NameKind::Container
            | NameKind::EventTarget
            | NameKind::MessageGroup
            | NameKind::FunctionPermission
            | NameKind::TableIndex
            | NameKind::WebAclMetric
            | NameKind::IamRolePolicy
            | NameKind::StreamConsumer
    )
}

/// Checks every name of a build against its row, for every prefix, and
/// that two resources of one kind never share a name.
fn check_build(source: &str) -> Vec<Found> {
    let files = compile(source);
    let mut all = Vec::new();
    for prefix in PREFIXES {
        let found = names(&files, prefix);
        let problems: Vec<String> = found.iter().filter_map(violation).collect();
        assert!(problems.is_empty(), "{problems:#?}\n{source}");
        let mut seen: BTreeMap<(NameKind, &str), BTreeSet<&str>> = BTreeMap::new();
        for found in found.iter().filter(|found| unique(found.kind)) {
            let places = seen.entry((found.kind, &found.attribute)).or_default();
            assert!(
                places.insert(found.name.as_str()),
                "two {:?} are named `{}` ({})\n{source}",
                found.kind,
                found.name,
                found.place
            );
        }
        all.extend(found);
    }
    all
}

// ---------------------------------------------------------------------------
// Generated systems.

/// The declarations a generated system names: each with a letter of its
/// own (a name starts with it, in either case, after an optional `_`), so
/// that no two names, nor the names meshc derives from them, fold to the
/// same AWS or CloudFormation name.
const SLOTS: [(&str, char); 26] = [
    ("network", 'n'),
    ("edge", 'e'),
    ("app", 'a'),
    ("data", 'd'),
    ("bus", 'b'),
    ("bus_event", 'v'),
    ("topic_event", 'w'),
    ("fifo_event", 'x'),
    ("stream_event", 'y'),
    ("topic", 't'),
    ("fifo_topic", 'u'),
    ("queue", 'q'),
    ("fifo_queue", 'k'),
    ("stream", 's'),
    ("table", 'j'),
    ("database", 'p'),
    ("aurora", 'o'),
    ("front", 'f'),
    ("mesh", 'm'),
    ("dns", 'z'),
    ("linked", 'l'),
    ("internal", 'h'),
    ("function", 'g'),
    ("reader", 'r'),
    ("rule", 'c'),
    ("saga", 'i'),
];

/// Words a name may not be: keywords, and words that mean something where
/// a name stands.
const NOT_NAMES: [&str; 8] = ["true", "false", "default", "in", "to", "all", "and", "not"];

/// A name of `length` characters starting with `letter` (or `_` and then
/// `letter`), of any character a name may hold: letters of both cases,
/// digits, `_`, and `-` between two other characters.
fn generated_name(rng: &mut fastrand::Rng, letter: char, length: usize) -> String {
    loop {
        let mut name = String::new();
        if length >= 2 && rng.u8(..4) == 0 {
            name.push('_');
        }
        name.push(if rng.bool() {
            letter
        } else {
            letter.to_ascii_uppercase()
        });
        while name.len() < length {
            let last = name.chars().last().unwrap_or('a');
            let room = length - name.len();
            let ch = match rng.u8(..10) {
                0 if room >= 2 && last != '-' => '-',
                1 => '_',
                2..=3 => char::from(b'0' + rng.u8(..10)),
                4..=6 => char::from(b'A' + rng.u8(..26)),
                _ => char::from(b'a' + rng.u8(..26)),
            };
            name.push(ch);
        }
        if !NOT_NAMES.contains(&name.as_str()) {
            return name;
        }
    }
}

fn system(names: &BTreeMap<&str, String>, index: &str) -> String {
    let n = |slot: &str| names[slot].as_str();
    format!(
        r#"system s {{ region = "us-east-1" }}

network {network} {{
  cidr      = 10.0.0.0/16
  zones     = 2
  nat       = per_zone
  flow_logs = true
  subnet {edge} {{ tier = public }}
  subnet {app}  {{ tier = private }}
  subnet {data} {{ tier = isolated }}
  endpoints = [s3, dynamodb, sqs, sns, events, states, logs, ecr, kinesis, lambda]
}}

bus {bus} {{ archive = 7d }}

event {bus_event} {{ bus = {bus}  source = {front}  schema {{ id: string  status: "a" | "b" }} }}
event {topic_event} {{ topic = {topic}  schema {{ id: string }} }}
event {fifo_event} {{ topic = {fifo_topic}  schema {{ id: string }} }}
event {stream_event} {{ stream = {stream}  schema {{ id: string }} }}

topic {topic} {{ subscribe {queue} }}
topic {fifo_topic} {{ fifo = true  subscribe {fifo_queue} }}
queue {queue} {{ visibility = 3m  dlq {{ max_receives = 3 }} }}
queue {fifo_queue} {{ fifo = true  visibility = 3m  dlq {{ max_receives = 3 }} }}
stream {stream} {{ shards = 1 }}
table {table} {{ partition_key = id: string  index {index} {{ partition_key = other: string }} }}
database {database} {{ engine = postgres  class = "db.t4g.micro"  storage = 20GB  subnet = {data} }}
bucket {table}-b {{}}
secret {table}-s {{}}
parameter {table}-p {{ value = "1" }}
database {aurora} {{ engine = aurora-postgresql  class = "db.t4g.medium"  subnet = {data}  multi_az = true }}

service {front} {{
  compute = fargate {{ cpu = 0.5  memory = 1GB }}
  subnet  = {app}
  port    = 8080
  expose  = alb {{ public = true  path = "/a/*" }}
  calls {mesh} {{ via = mesh  timeout = 3s }}
  calls {dns} {{ via = dns  timeout = 3s }}
  calls {linked} {{ via = privatelink  timeout = 3s }}
  calls {internal} {{ via = alb  timeout = 3s }}
  publishes [{bus_event}, {topic_event}, {fifo_event}, {stream_event}]
  uses {table} (read_write)
  uses {database}
  uses {aurora}
}}
service {mesh} {{
  compute = fargate {{ cpu = 0.5  memory = 1GB }}
  subnet  = {app}
  port    = 8080
  uses {table}-b (write)
  uses {table}-s (read)
  uses {table}-p
}}
service {dns} {{ compute = fargate {{ cpu = 0.5  memory = 1GB }}  subnet = {app}  port = 8080 }}
service {linked} {{ compute = fargate {{ cpu = 0.5  memory = 1GB }}  subnet = {app}  port = 8443  expose = nlb {{ health = "/health" }} }}
service {internal} {{ compute = fargate {{ cpu = 0.5  memory = 1GB }}  subnet = {app}  port = 8080  expose = alb {{ public = false }} }}
service {function} {{
  compute = lambda {{ runtime = "python3.12"  timeout = 30s }}
  subnet  = {app}
  expose  = alb {{ public = true  path = "/f/*" }}
  consumes {queue}
  operations = [go, back]
}}
service {reader} {{
  compute = lambda {{ runtime = "python3.12"  timeout = 30s }}
  subnet  = {app}
  consumes [{stream_event}, {bus_event}]
  consumes {fifo_queue}
}}
service {reader}2 {{ compute = lambda {{ runtime = "python3.12"  timeout = 30s }}  subnet = {app}  consumes {stream_event} }}

rule {rule} {{ matches {bus_event}  targets = [{function}, {fifo_queue}] }}

saga {saga} {{
  trigger = {bus_event}
  timeout = 5m
  step one {{ do = {function}.go  undo = {function}.back }}
  step two {{ do = {function}.go  pivot = true }}
}}
"#,
        network = n("network"),
        edge = n("edge"),
        app = n("app"),
        data = n("data"),
        bus = n("bus"),
        bus_event = n("bus_event"),
        topic_event = n("topic_event"),
        fifo_event = n("fifo_event"),
        stream_event = n("stream_event"),
        topic = n("topic"),
        fifo_topic = n("fifo_topic"),
        queue = n("queue"),
        fifo_queue = n("fifo_queue"),
        stream = n("stream"),
        table = n("table"),
        database = n("database"),
        aurora = n("aurora"),
        front = n("front"),
        mesh = n("mesh"),
        dns = n("dns"),
        linked = n("linked"),
        internal = n("internal"),
        function = n("function"),
        reader = n("reader"),
        rule = n("rule"),
        saga = n("saga"),
    )
}

/// A DynamoDB index name, 3 to 255 characters (shorter or longer is M209:
/// an index is queried by its declared name, so it is never shortened).
fn index_name(rng: &mut fastrand::Rng, length: usize) -> String {
    generated_name(rng, 'x', length.clamp(3, 255))
}

#[test]
fn every_generated_name_fits_its_row() {
    let mut rng = fastrand::Rng::with_seed(0x6e61_6d65);
    let mut lengths: Vec<Vec<usize>> = (1..=140).map(|length| vec![length; SLOTS.len()]).collect();
    for _ in 0..40 {
        lengths.push(
            (0..SLOTS.len())
                .map(|_| {
                    if rng.u8(..4) == 0 {
                        rng.usize(140..=LONGEST_SLOT)
                    } else {
                        rng.usize(1..=140)
                    }
                })
                .collect(),
        );
    }
    let mut kinds = BTreeSet::new();
    for case in &lengths {
        let names: BTreeMap<&str, String> = SLOTS
            .iter()
            .zip(case)
            .map(|(&(slot, letter), &length)| (slot, generated_name(&mut rng, letter, length)))
            .collect();
        let index = index_name(&mut rng, case[0]);
        for found in check_build(&system(&names, &index)) {
            kinds.insert(found.kind);
        }
    }
    let missing: Vec<NameKind> = NameKind::ALL
        .into_iter()
        .filter(|kind| !kinds.contains(kind))
        .collect();
    assert!(missing.is_empty(), "no generated system emits {missing:?}");
}

// ---------------------------------------------------------------------------
// Each row is enforced.

/// A declaration whose name makes the name of a resource of `kind` as long
/// as one likes: `before`, the declaration part (`part` of the name given to
/// `slot`), then `after`; `P` in `before` and `after` stands for the prefix.
struct Witness {
    kind: NameKind,
    slot: &'static str,
    before: &'static str,
    part: fn(&str) -> String,
    after: &'static str,
    /// The most characters the part may have, when a DNS label binds it
    /// rather than the length of the whole name.
    label: Option<usize>,
}

fn witness(
    kind: NameKind,
    slot: &'static str,
    before: &'static str,
    part: fn(&str) -> String,
    after: &'static str,
) -> Witness {
    Witness {
        kind,
        slot,
        before,
        part,
        after,
        label: None,
    }
}

fn same(base: &str) -> String {
    base.to_string()
}

fn witnesses() -> Vec<Witness> {
    use NameKind as K;
    vec![
        witness(K::LoadBalancer, "linked", "P-", |b| format!("{b}-nlb"), ""),
        witness(K::TargetGroup, "front", "P-", |b| format!("{b}-pub"), ""),
        witness(K::IamRole, "front", "P-", same, ""),
        witness(K::IamRolePolicy, "front", "P-", same, ""),
        witness(K::EventRule, "rule", "P-", same, ""),
        witness(K::EventTarget, "function", "", same, ""),
        witness(K::MessageGroup, "rule", "", same, ""),
        witness(K::EventBus, "bus", "P-", same, ""),
        witness(K::EventArchive, "bus", "P-", same, ""),
        witness(K::Schema, "bus_event", "", same, ""),
        witness(K::Queue, "queue", "P-", same, ""),
        witness(K::Queue, "fifo_queue", "P-", same, ".fifo"),
        witness(K::Topic, "topic", "P-", same, ""),
        witness(K::Alarm, "function", "P-", same, "-errors"),
        witness(K::Topic, "fifo_topic", "P-", same, ".fifo"),
        witness(K::Stream, "stream", "P-", same, ""),
        witness(K::StreamConsumer, "reader", "", same, ""),
        witness(K::Table, "table", "P-", same, ""),
        witness(K::TableIndex, "index", "", same, ""),
        witness(K::DbInstance, "database", "P-", same, ""),
        witness(K::DbCluster, "aurora", "P-", same, ""),
        witness(K::DbSnapshot, "database", "P-", same, "-final"),
        witness(K::DbSubnetGroup, "database", "P-", same, ""),
        witness(K::DbParameterGroup, "database", "P-", same, ""),
        witness(K::DbClusterParameterGroup, "aurora", "P-", same, ""),
        witness(K::EcsService, "front", "P-", same, ""),
        witness(K::TaskFamily, "front", "P-", same, ""),
        witness(K::Container, "front", "", same, ""),
        witness(K::ServiceConnect, "mesh", "", same, ""),
        Witness {
            label: Some(63),
            ..witness(K::Namespace, "network", "", same, ".P.internal")
        },
        Witness {
            label: Some(63),
            ..witness(K::DiscoveryService, "dns", "", same, "")
        },
        witness(K::LogGroup, "saga", "/aws/vendedlogs/states/P-", same, ""),
        witness(K::Function, "function", "P-", same, ""),
        witness(
            K::FunctionPermission,
            "function",
            "",
            |b| format!("from-{b}-public-alb"),
            "",
        ),
        witness(K::StateMachine, "saga", "P-", same, ""),
        witness(K::SecurityGroup, "front", "P-", same, ""),
        witness(
            K::WebAcl,
            "network",
            "P-",
            |b| format!("{b}-public-alb"),
            "",
        ),
        witness(
            K::WebAclMetric,
            "network",
            "P-",
            |b| format!("{b}-public-alb"),
            "",
        ),
        witness(K::Repository, "front", "P/", same, ""),
        witness(K::Secret, "table", "P/", |b| format!("{b}-s"), ""),
        witness(K::Parameter, "table", "/P/", |b| format!("{b}-p"), ""),
        witness(K::NameTag, "network", "P-", same, ""),
    ]
}

/// Rows whose names no declaration reaches: the prefix and text of meshc's
/// own. They fit with the longest prefix (checked with every build).
const FIXED: [NameKind; 5] = [
    NameKind::SchemaRegistry,
    NameKind::EcsCluster,
    NameKind::Bucket,
    NameKind::KmsAlias,
    NameKind::SigningProfile,
];

/// The default names of the slots: two letters, the slot's own first.
fn default_names() -> BTreeMap<&'static str, String> {
    SLOTS
        .iter()
        .map(|&(slot, letter)| (slot, format!("{letter}a")))
        .collect()
}

/// Builds the system with `base` in the witness's slot, and what a name of
/// the witness's kind would be unshortened, and its declaration part.
fn witness_source(witness: &Witness, base: &str) -> (String, String, String) {
    let mut names = default_names();
    let mut index = "index".to_string();
    if witness.slot == "index" {
        index = base.to_string();
    } else {
        names.insert(witness.slot, base.to_string());
    }
    let prefix = PREFIXES[0];
    let part = (witness.part)(base);
    let unshortened = format!(
        "{}{part}{}",
        witness.before.replace('P', prefix),
        witness.after.replace('P', prefix)
    );
    (system(&names, &index), unshortened, part)
}

/// A base of `length` characters for the witness's slot, of lower-case
/// letters (valid in every row), starting with the slot's letter.
fn base_of(witness: &Witness, length: usize) -> String {
    let letter = SLOTS
        .iter()
        .find(|(slot, _)| *slot == witness.slot)
        .map_or('x', |&(_, letter)| letter);
    let mut base = letter.to_string();
    while base.len() < length {
        base.push(char::from(b'a' + (base.len() % 26) as u8));
    }
    base
}

/// Whether a build of `source` writes nothing and reports `code`.
fn refused_with(source: &str, code: &str) -> bool {
    let file = SourceFile {
        name: "generated.mesh".to_string(),
        text: source.to_string(),
    };
    let output = meshc::compile(&file, &meshc::Options::default());
    output.files.is_empty() && output.diagnostics.iter().any(|d| d.code.code == code)
}

#[test]
fn every_row_is_enforced() {
    let witnesses = witnesses();
    for kind in NameKind::ALL {
        let covered = witnesses.iter().any(|witness| witness.kind == kind) || FIXED.contains(&kind);
        assert!(
            covered,
            "no witness of {kind:?}: add one, or say why none can be"
        );
    }
    let prefix = PREFIXES[0];
    for witness in &witnesses {
        let rule = witness.kind.rule().unwrap();
        let frame = witness.before.replace('P', prefix).len()
            + witness.after.replace('P', prefix).len()
            + (witness.part)("").len();
        let most = witness.label.map_or(rule.length.1 - frame, |label| {
            label - (witness.part)("").len()
        });
        // A row that holds a longer name than a declaration may have is
        // never exceeded: its longest name is emitted whole, and one more
        // character is M225 before any name is formed.
        let reachable = most < LONGEST_SLOT;
        let most = most.min(LONGEST_SLOT);
        for over in [false, true] {
            let length = match (over, reachable) {
                (true, false) => MAX_NAME_CHARS + 1,
                _ => most + usize::from(over),
            };
            let base = base_of(witness, length);
            let (source, unshortened, part) = witness_source(witness, &base);
            if over && !reachable {
                assert!(
                    refused_with(&source, "M225"),
                    "{:?}: a name over {MAX_NAME_CHARS} characters is M225",
                    witness.kind
                );
                continue;
            }
            let context = format!(
                "{:?} with a name of {} characters{}",
                witness.kind,
                unshortened.len(),
                if over {
                    " (one over)"
                } else {
                    " (at the limit)"
                }
            );
            if witness.kind == NameKind::TableIndex && over {
                assert!(
                    refused_with(&source, "M209"),
                    "{context}: an index name AWS refuses is M209"
                );
                continue;
            }
            let found: Vec<Found> = check_build(&source)
                .into_iter()
                .filter(|found| found.kind == witness.kind)
                .collect();
            let names: Vec<&str> = found.iter().map(|found| found.name.as_str()).collect();
            if over {
                assert!(
                    !names.contains(&unshortened.as_str()),
                    "{context}: `{unshortened}` was emitted"
                );
                let tag = hash_tag(&part);
                assert!(
                    names.iter().any(|name| name.contains(&tag)),
                    "{context}: no {:?} ends with the hash {tag} of `{part}`: {names:#?}",
                    witness.kind
                );
            } else {
                assert!(
                    names.contains(&unshortened.as_str()),
                    "{context}: `{unshortened}` fits and should be emitted as it is: {names:#?}"
                );
            }
        }
    }
}
