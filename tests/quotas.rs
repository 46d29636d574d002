//! AWS quotas: for each quota meshc checks (M240–M249, M408), systems built
//! exactly at the limit and one over it, the quantity measured on the files
//! meshc writes as AWS would count it, and the diagnostic present exactly
//! when the measure is over the limit, with the measure in its message. The
//! quotas meshc keeps by construction are measured on every example.
//!
//! A system over a limit is built with a `// meshc:allow(CODE)` comment, so
//! that its files are written and can be measured; the finding is still
//! reported, marked as suppressed.
//!
//! CloudFormation templates are read with every intrinsic function resolved
//! the way a deployment would, with the longest name prefix, region,
//! partition and account, and the ids AWS generates at their length: the
//! limits are checked for the worst case a deployment can choose.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use meshc::diagnostics::{Diagnostic, SourceFile};
use meshc::emit::deployed::{LONGEST_DNS_SUFFIX, LONGEST_PARTITION};
use meshc::model::aws_names::{ACCOUNT_ID, LONGEST_PREFIX, LONGEST_REGION};
use meshc::model::aws_quotas::{QuotaKind, Reach, quota, thousands};
use serde_json::{Map, Value as Json, json};

// ---------------------------------------------------------------------------
// Building.

struct Built {
    files: BTreeMap<String, String>,
    diagnostics: Vec<Diagnostic>,
}

impl Built {
    fn template(&self) -> Json {
        let text = self
            .files
            .get("cloudformation/template.json")
            .expect("a CloudFormation template");
        serde_json::from_str(text).unwrap()
    }

    fn terraform(&self) -> hcl::Body {
        let mut text = String::new();
        for (path, contents) in &self.files {
            let terraform_file = std::path::Path::new(path)
                .extension()
                .is_some_and(|extension| extension == "tf");
            if path.starts_with("terraform/") && terraform_file {
                text.push_str(contents);
                text.push('\n');
            }
        }
        hcl::parse(&text).unwrap()
    }

    /// The findings of a code, suppressed or not.
    fn found(&self, code: &str) -> Vec<&Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.code.code == code)
            .collect()
    }

    fn messages(&self, code: &str) -> Vec<String> {
        self.found(code)
            .iter()
            .map(|diagnostic| diagnostic.message.clone())
            .collect()
    }
}

fn build(source: &str, target: meshc::Target) -> Built {
    let output = meshc::compile(
        &SourceFile {
            name: "quota.mesh".to_string(),
            text: source.to_string(),
        },
        &meshc::Options { target },
    );
    let active: Vec<String> = output
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_error() && diagnostic.is_active())
        .map(|diagnostic| format!("{}: {}", diagnostic.code.code, diagnostic.message))
        .collect();
    assert!(
        active.is_empty(),
        "the system does not build: {active:#?}\n{source}"
    );
    Built {
        files: output.files,
        diagnostics: output.diagnostics,
    }
}

fn cloudformation(source: &str) -> Built {
    build(source, meshc::Target::CloudFormation)
}

fn terraform(source: &str) -> Built {
    build(source, meshc::Target::Terraform)
}

/// `// meshc:allow(CODES) reason: ...` standing before a declaration.
fn allow(codes: &str) -> String {
    format!("// meshc:allow({codes}) reason: \"measured by tests/quotas.rs\"\n")
}

const LAMBDA: &str = "lambda { runtime = \"python3.13\" }";

// ---------------------------------------------------------------------------
// CloudFormation, resolved as a deployment would resolve it.

const SUBNET_ID: &str = "subnet-0123456789abcdef0";
const GROUP_ID: &str = "sg-0123456789abcdef0";
const KEY_ID: &str = "01234567-89ab-cdef-0123-456789abcdef";

fn arn(service: &str, resource: &str) -> String {
    format!("arn:{LONGEST_PARTITION}:{service}:{LONGEST_REGION}:{ACCOUNT_ID}:{resource}")
}

struct Stack<'a> {
    resources: &'a Map<String, Json>,
    parameters: &'a Map<String, Json>,
    mappings: Option<&'a Map<String, Json>>,
}

impl<'a> Stack<'a> {
    fn new(template: &'a Json) -> Stack<'a> {
        Stack {
            resources: template["Resources"].as_object().unwrap(),
            parameters: template["Parameters"].as_object().unwrap(),
            mappings: template["Mappings"].as_object(),
        }
    }

    fn resource(&self, id: &str) -> &'a Json {
        self.resources
            .get(id)
            .unwrap_or_else(|| panic!("no resource {id}"))
    }

    fn kind(&self, id: &str) -> &'a str {
        self.resource(id)["Type"].as_str().unwrap()
    }

    /// A property of a resource, resolved to a string.
    fn property(&self, id: &str, name: &str) -> String {
        let value = &self.resource(id)["Properties"][name];
        assert!(!value.is_null(), "{id} has no {name}");
        self.text(value)
    }

    fn text(&self, value: &Json) -> String {
        match self.resolve(value) {
            Json::String(text) => text,
            other => panic!("not a string: {other}"),
        }
    }

    fn pseudo(name: &str) -> Option<&'static str> {
        match name {
            "AWS::Region" => Some(LONGEST_REGION),
            "AWS::Partition" => Some(LONGEST_PARTITION),
            "AWS::AccountId" => Some(ACCOUNT_ID),
            "AWS::URLSuffix" => Some(LONGEST_DNS_SUFFIX),
            "AWS::StackName" => Some("a-stack-name"),
            _ => None,
        }
    }

    fn reference(&self, name: &str) -> Json {
        if let Some(value) = Stack::pseudo(name) {
            return Json::from(value);
        }
        if name == "NamePrefix" {
            return Json::from(LONGEST_PREFIX);
        }
        if let Some(parameter) = self.parameters.get(name) {
            return parameter["Default"].clone();
        }
        Json::from(match self.kind(name) {
            "AWS::SQS::Queue" => format!(
                "https://sqs.{LONGEST_REGION}.{LONGEST_DNS_SUFFIX}/{ACCOUNT_ID}/{}",
                self.property(name, "QueueName")
            ),
            "AWS::SNS::Topic" => arn("sns", &self.property(name, "TopicName")),
            "AWS::Lambda::Function" => self.property(name, "FunctionName"),
            "AWS::Kinesis::Stream" | "AWS::Events::EventBus" | "AWS::SSM::Parameter" => {
                self.property(name, "Name")
            }
            "AWS::DynamoDB::Table" => self.property(name, "TableName"),
            "AWS::Logs::LogGroup" => self.property(name, "LogGroupName"),
            "AWS::StepFunctions::StateMachine" => arn(
                "states",
                &format!("stateMachine:{}", self.property(name, "StateMachineName")),
            ),
            "AWS::EC2::Subnet" => SUBNET_ID.to_string(),
            "AWS::S3::Bucket" => self.bucket(name),
            "AWS::SecretsManager::Secret" => arn(
                "secretsmanager",
                &format!("secret:{}-abcdef", self.property(name, "Name")),
            ),
            "AWS::IAM::Role" => self.property(name, "RoleName"),
            "AWS::KMS::Key" => KEY_ID.to_string(),
            "AWS::ElasticLoadBalancingV2::TargetGroup" => arn(
                "elasticloadbalancing",
                &format!(
                    "targetgroup/{}/0123456789abcdef",
                    self.property(name, "Name")
                ),
            ),
            other => panic!("no Ref for {other} ({name})"),
        })
    }

    fn attribute(&self, name: &str, attribute: &str) -> String {
        let kind = self.kind(name);
        match (kind, attribute) {
            ("AWS::SQS::Queue", "Arn") => arn("sqs", &self.property(name, "QueueName")),
            ("AWS::Events::EventBus", "Arn") => arn(
                "events",
                &format!("event-bus/{}", self.property(name, "Name")),
            ),
            ("AWS::Events::EventBus", "Name") => self.property(name, "Name"),
            ("AWS::Events::Rule", "Arn") => {
                let rule = self.property(name, "Name");
                match self.resource(name)["Properties"].get("EventBusName") {
                    Some(bus) => arn("events", &format!("rule/{}/{rule}", self.text(bus))),
                    None => arn("events", &format!("rule/{rule}")),
                }
            }
            ("AWS::Kinesis::Stream", "Arn") => arn(
                "kinesis",
                &format!("stream/{}", self.property(name, "Name")),
            ),
            ("AWS::Kinesis::StreamConsumer", "ConsumerARN") => format!(
                "{}/consumer/{}:1234567890",
                self.property(name, "StreamARN"),
                self.property(name, "ConsumerName")
            ),
            ("AWS::DynamoDB::Table", "Arn") => arn(
                "dynamodb",
                &format!("table/{}", self.property(name, "TableName")),
            ),
            ("AWS::Lambda::Function", "Arn") => arn(
                "lambda",
                &format!("function:{}", self.property(name, "FunctionName")),
            ),
            ("AWS::Logs::LogGroup", "Arn") => arn(
                "logs",
                &format!("log-group:{}:*", self.property(name, "LogGroupName")),
            ),
            ("AWS::ECR::Repository", "Arn") => arn(
                "ecr",
                &format!("repository/{}", self.property(name, "RepositoryName")),
            ),
            ("AWS::KMS::Key", "Arn") => arn("kms", &format!("key/{KEY_ID}")),
            ("AWS::IAM::Role", "Arn") => format!(
                "arn:{LONGEST_PARTITION}:iam::{ACCOUNT_ID}:role/{}",
                self.property(name, "RoleName")
            ),
            ("AWS::ECR::Repository", "RepositoryUri") => format!(
                "{ACCOUNT_ID}.dkr.ecr.{LONGEST_REGION}.{LONGEST_DNS_SUFFIX}/{}",
                self.property(name, "RepositoryName")
            ),
            ("AWS::S3::Bucket", "Arn") => {
                format!("arn:{LONGEST_PARTITION}:s3:::{}", self.bucket(name))
            }
            ("AWS::EC2::SecurityGroup", "GroupId") => GROUP_ID.to_string(),
            ("AWS::RDS::DBInstance", "MasterUserSecret.SecretArn") => {
                arn("secretsmanager", &format!("secret:rds!db-{KEY_ID}-abcdef"))
            }
            ("AWS::RDS::DBCluster", "MasterUserSecret.SecretArn") => arn(
                "secretsmanager",
                &format!("secret:rds!cluster-{KEY_ID}-abcdef"),
            ),
            ("AWS::RDS::DBInstance", "Endpoint.Address") => format!(
                "{}.abcdefghijkl.{LONGEST_REGION}.rds.{LONGEST_DNS_SUFFIX}",
                self.property(name, "DBInstanceIdentifier")
            ),
            ("AWS::RDS::DBCluster", "Endpoint.Address") => format!(
                "{}.cluster-abcdefghijkl.{LONGEST_REGION}.rds.{LONGEST_DNS_SUFFIX}",
                self.property(name, "DBClusterIdentifier")
            ),
            ("AWS::ElasticLoadBalancingV2::LoadBalancer", "DNSName") => format!(
                "internal-{}-1234567890.{LONGEST_REGION}.elb.{LONGEST_DNS_SUFFIX}",
                self.property(name, "Name")
            ),
            other => panic!("no attribute {other:?} ({name})"),
        }
    }

    /// A bucket's name: its own, or the longest CloudFormation makes (63).
    fn bucket(&self, name: &str) -> String {
        match self.resource(name)["Properties"].get("BucketName") {
            Some(bucket) => self.text(bucket),
            None => "b".repeat(63),
        }
    }

    fn substitute(&self, text: &str, variables: &Map<String, Json>) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}').unwrap() + start;
            let name = &rest[start + 2..end];
            let value = if let Some(value) = variables.get(name) {
                self.text(value)
            } else if let Some((resource, attribute)) = name.split_once('.') {
                self.attribute(resource, attribute)
            } else {
                match self.reference(name) {
                    Json::String(text) => text,
                    other => other.to_string(),
                }
            };
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A value with every intrinsic function resolved.
    fn resolve(&self, value: &Json) -> Json {
        match value {
            Json::Object(object) if object.len() == 1 => {
                let (key, argument) = object.iter().next().unwrap();
                match key.as_str() {
                    "Ref" => self.reference(argument.as_str().unwrap()),
                    "Fn::GetAtt" if argument[1] == "DnsEntries" => json!([format!(
                        "Z0123456789ABCDEFGHIJ:vpce-0123456789abcdef0-abcdefgh.vpce-svc-0123456789abcdef0.{LONGEST_REGION}.vpce.{LONGEST_DNS_SUFFIX}"
                    )]),
                    "Fn::GetAtt" => {
                        Json::from(self.attribute(
                            argument[0].as_str().unwrap(),
                            argument[1].as_str().unwrap(),
                        ))
                    }
                    "Fn::Sub" => Json::from(match argument {
                        Json::String(text) => self.substitute(text, &Map::new()),
                        Json::Array(pair) => {
                            self.substitute(pair[0].as_str().unwrap(), pair[1].as_object().unwrap())
                        }
                        _ => panic!("Fn::Sub of {argument}"),
                    }),
                    "Fn::Join" => {
                        let parts: Vec<String> = argument[1]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|part| self.text(part))
                            .collect();
                        Json::from(parts.join(argument[0].as_str().unwrap()))
                    }
                    "Fn::Select" => {
                        let index = argument[0].as_u64().unwrap() as usize;
                        let list = self.resolve(&argument[1]);
                        list[index].clone()
                    }
                    "Fn::Split" => {
                        let text = self.text(&argument[1]);
                        Json::Array(
                            text.split(argument[0].as_str().unwrap())
                                .map(Json::from)
                                .collect(),
                        )
                    }
                    // The longer of the two branches: the limits are for the
                    // worst case.
                    "Fn::If" => {
                        let first = self.resolve(&argument[1]);
                        let second = self.resolve(&argument[2]);
                        if compact_bytes(&first) >= compact_bytes(&second) {
                            first
                        } else {
                            second
                        }
                    }
                    "Fn::FindInMap" => {
                        let map = argument[0].as_str().unwrap();
                        let top = self.text(&argument[1]);
                        let second = self.text(&argument[2]);
                        let mapping = &self.mappings.unwrap()[map];
                        // The longest region is in no map: take the longest
                        // value of any region.
                        match mapping.get(&top) {
                            Some(entry) => entry[&second].clone(),
                            None => mapping
                                .as_object()
                                .unwrap()
                                .values()
                                .map(|entry| entry[&second].clone())
                                .max_by_key(compact_bytes)
                                .unwrap(),
                        }
                    }
                    _ if key.starts_with("Fn::") => panic!("no resolution of {key}"),
                    _ => {
                        let mut resolved = Map::new();
                        resolved.insert(key.clone(), self.resolve(argument));
                        Json::Object(resolved)
                    }
                }
            }
            Json::Object(object) => Json::Object(
                object
                    .iter()
                    .map(|(key, value)| (key.clone(), self.resolve(value)))
                    .collect(),
            ),
            Json::Array(values) => {
                Json::Array(values.iter().map(|value| self.resolve(value)).collect())
            }
            other => other.clone(),
        }
    }

    /// The resources of a type, by logical id.
    fn of_type(&self, kind: &str) -> Vec<(&'a String, &'a Json)> {
        self.resources
            .iter()
            .filter(|(_, resource)| resource["Type"] == kind)
            .collect()
    }
}

/// What IAM counts of a policy: its characters, white space outside
/// strings not counted (compact JSON has none).
fn iam_characters(document: &Json) -> usize {
    serde_json::to_string(document).unwrap().chars().count()
}

fn compact_bytes(document: &Json) -> usize {
    serde_json::to_string(document).unwrap().len()
}

/// The characters of a value as Terraform's `jsonencode` writes it: Go's
/// encoder escapes `<`, `>` and `&`.
fn jsonencode_characters(value: &Json) -> usize {
    serde_json::to_string(value)
        .unwrap()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .chars()
        .count()
}

/// The size of the inline policy of each role, by role logical id.
fn role_policies(template: &Json) -> BTreeMap<String, usize> {
    let stack = Stack::new(template);
    stack
        .of_type("AWS::IAM::RolePolicy")
        .into_iter()
        .map(|(id, policy)| {
            let document = stack.resolve(&policy["Properties"]["PolicyDocument"]);
            (id.clone(), iam_characters(&document))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Terraform.

fn tf_resources<'a>(body: &'a hcl::Body, kind: &str) -> Vec<(&'a str, &'a hcl::Block)> {
    body.blocks()
        .filter(|block| {
            block.identifier() == "resource"
                && block.labels().first().map(hcl::BlockLabel::as_str) == Some(kind)
        })
        .map(|block| (block.labels()[1].as_str(), block))
        .collect()
}

fn tf_attribute<'a>(block: &'a hcl::Block, key: &str) -> Option<&'a hcl::Expression> {
    block
        .body()
        .attributes()
        .find(|attribute| attribute.key() == key)
        .map(hcl::Attribute::expr)
}

/// How many a counted resource makes (1 without `count`).
fn tf_count(block: &hcl::Block) -> usize {
    match tf_attribute(block, "count") {
        Some(hcl::Expression::Number(number)) => number.as_u64().unwrap() as usize,
        None => 1,
        Some(other) => panic!("count is not a number: {other:?}"),
    }
}

fn tf_text(expression: &hcl::Expression) -> String {
    expression.to_string()
}

// ---------------------------------------------------------------------------
// The search for a system exactly at a limit.

/// The measure of the systems `build(knob)` for knobs from `from`, in steps
/// of one, until one is over `limit`: the last at or under it and the first
/// over it, with their measures. The measure must grow with the knob.
fn boundary<T>(
    limit: usize,
    from: usize,
    mut measure: impl FnMut(usize) -> (usize, T),
) -> ((usize, T), (usize, T)) {
    let mut previous: Option<(usize, T)> = None;
    for knob in from..from + 2_000 {
        let (value, built) = measure(knob);
        if value > limit {
            let at = previous.unwrap_or_else(|| panic!("already over {limit} at knob {from}"));
            return (at, (value, built));
        }
        previous = Some((value, built));
    }
    panic!("never went over {limit}");
}

/// Whether a finding of `code` says `value` (as `thousands` writes it).
fn says(messages: &[String], value: usize) -> bool {
    let text = thousands(value as u64);
    messages.iter().any(|message| {
        message
            .split(|ch: char| !(ch.is_ascii_digit() || ch == ','))
            .any(|word| word == text)
    })
}

// ---------------------------------------------------------------------------
// M240: the inline policy of a role.

fn report_service(tables: usize, extra: usize, service_extra: usize) -> String {
    let mut source = String::from("system shop { region = \"us-east-1\" }\n");
    for index in 0..tables {
        let tail = if index + 1 == tables {
            "x".repeat(extra)
        } else {
            String::new()
        };
        let _ = writeln!(
            source,
            "table t{index:03}-with-a-name{tail} {{ partition_key = id: string }}"
        );
    }
    source.push_str(&allow("M240, M243"));
    let _ = writeln!(
        source,
        "service report{} {{\n  compute = {LAMBDA}",
        "r".repeat(service_extra)
    );
    for index in 0..tables {
        let tail = if index + 1 == tables {
            "x".repeat(extra)
        } else {
            String::new()
        };
        let _ = writeln!(source, "  uses t{index:03}-with-a-name{tail} (read_write)");
    }
    source.push_str("}\n");
    source
}

/// The size of the report service's policy, for a number of tables, the
/// extra characters of the last table's name and of the service's name.
fn report_size(tables: usize, extra: usize, service_extra: usize) -> usize {
    let source = report_service(tables, extra, service_extra);
    let built = cloudformation(&source);
    let policies = role_policies(&built.template());
    *policies
        .iter()
        .find(|(id, _)| id.starts_with("Report"))
        .map(|(_, size)| size)
        .unwrap()
}

#[test]
fn m240_counts_the_role_policy_iam_stores() {
    let limit = quota(QuotaKind::RolePolicySize).limit_in("us-east-1");
    // The most tables that stay under the limit, then the last table's name
    // (three characters a step: the table's ARN in the read and the write
    // statements, and its indexes') and the service's (one: its log group)
    // to reach the limit exactly.
    let mut tables = 1;
    while report_size(tables + 1, 0, 0) <= limit {
        tables += 1;
    }
    let mut found = None;
    'search: for extra in 0..200 {
        for service_extra in 0..3 {
            let size = report_size(tables, extra, service_extra);
            if size == limit {
                found = Some((extra, service_extra));
                break 'search;
            }
            if size > limit + 3 {
                break 'search;
            }
        }
    }
    let (extra, service_extra) = found.expect("a system exactly at the limit");
    let at = cloudformation(&report_service(tables, extra, service_extra));
    let at_size = role_policies(&at.template())
        .into_iter()
        .find(|(id, _)| id.starts_with("Report"))
        .unwrap()
        .1;
    assert_eq!(at_size, limit);
    assert!(at.found("M240").is_empty(), "{:?}", at.messages("M240"));
    let over = cloudformation(&report_service(tables, extra, service_extra + 1));
    let over_size = role_policies(&over.template())
        .into_iter()
        .find(|(id, _)| id.starts_with("Report"))
        .unwrap()
        .1;
    assert_eq!(over_size, limit + 1);
    let messages = over.messages("M240");
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        says(&messages, over_size),
        "{messages:?} should say {over_size}"
    );
    // Terraform writes the same grants: one statement per grant, the same
    // actions (lists of one written as strings, which is shorter).
    let body = terraform(&report_service(tables, extra, service_extra)).terraform();
    let label = format!("report{}", "r".repeat(service_extra));
    let statements = body
        .blocks()
        .filter(|block| block.identifier() == "data" && block.labels()[1].as_str() == label)
        .flat_map(|block| block.body().blocks())
        .filter(|block| block.identifier() == "statement")
        .count();
    let cloudformation_statements = Stack::new(&at.template())
        .of_type("AWS::IAM::RolePolicy")
        .into_iter()
        .find(|(id, _)| id.starts_with("Report"))
        .map(|(_, policy)| {
            policy["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
                .len()
        })
        .unwrap();
    assert_eq!(statements, cloudformation_statements);
}

// ---------------------------------------------------------------------------
// M243: the environment of a function.

fn environment_service(value: usize) -> String {
    format!(
        "system shop {{ region = \"us-east-1\" }}\n\
         queue jobs-with-a-long-name {{ }}\n\
         table orders-with-a-long-name {{ partition_key = id: string }}\n\
         service helper {{ compute = {LAMBDA} }}\n\
         {}service report {{\n  compute = {LAMBDA}\n  publishes jobs-with-a-long-name\n  uses orders-with-a-long-name\n  calls helper {{ via = invoke  timeout = 2s }}\n  environment = {{ BLOB = \"{}\" }}\n}}\n",
        allow("M243"),
        "v".repeat(value)
    )
}

fn function_environment(built: &Built, function: &str) -> usize {
    let template = built.template();
    let stack = Stack::new(&template);
    let variables =
        stack.resolve(&stack.resource(function)["Properties"]["Environment"]["Variables"]);
    compact_bytes(&variables)
}

#[test]
fn m243_counts_the_environment_lambda_measures() {
    let limit = quota(QuotaKind::LambdaEnvironmentSize).limit_in("us-east-1");
    let ((at, at_built), (over, over_built)) = boundary(limit, 3_000, |value| {
        let built = cloudformation(&environment_service(value));
        (function_environment(&built, "ReportFunction"), built)
    });
    assert_eq!(at, limit, "one character of value is one byte");
    assert!(at_built.found("M243").is_empty());
    assert_eq!(over, limit + 1);
    let messages = over_built.messages("M243");
    assert_eq!(messages.len(), 1);
    assert!(says(&messages, over), "{messages:?} should say {over}");
}

// ---------------------------------------------------------------------------
// M244: the event pattern of a rule.

fn pattern_service(value: usize) -> String {
    format!(
        "system shop {{ region = \"us-east-1\" }}\n\
         event OrderPlaced {{ source = order  schema {{ region: string  total: number }} }}\n\
         service order {{ compute = {LAMBDA}  publishes OrderPlaced }}\n\
         service audit {{\n  compute = {LAMBDA}\n  {}\n  consumes OrderPlaced where total > 10 and region in [{}, \"{}\"]\n}}\n",
        allow("M244").trim(),
        (0..40)
            .map(|index| format!("\"region-{index:04}-a-long-name\""))
            .collect::<Vec<_>>()
            .join(", "),
        "r".repeat(value)
    )
}

fn rule_patterns(template: &Json) -> Vec<Json> {
    Stack::new(template)
        .of_type("AWS::Events::Rule")
        .into_iter()
        .filter_map(|(_, rule)| rule["Properties"].get("EventPattern").cloned())
        .collect()
}

#[test]
fn m244_counts_the_pattern_as_jsonencode_writes_it() {
    let limit = quota(QuotaKind::EventPatternSize).limit_in("us-east-1");
    let ((at, at_built), (over, over_built)) = boundary(limit, 1, |value| {
        let built = cloudformation(&pattern_service(value));
        let longest = rule_patterns(&built.template())
            .iter()
            .map(jsonencode_characters)
            .max()
            .unwrap();
        (longest, built)
    });
    assert_eq!(at, limit);
    assert!(at_built.found("M244").is_empty());
    assert_eq!(over, limit + 1);
    let messages = over_built.messages("M244");
    assert_eq!(messages.len(), 1);
    assert!(says(&messages, over), "{messages:?} should say {over}");
    // Terraform passes the same pattern through jsonencode.
    let body = terraform(&pattern_service(1)).terraform();
    let encoded = tf_resources(&body, "aws_cloudwatch_event_rule")
        .into_iter()
        .filter_map(|(_, block)| tf_attribute(block, "event_pattern"))
        .count();
    assert_eq!(encoded, 1);
}

// ---------------------------------------------------------------------------
// M245: SNS filter policies.

fn filter_service(lists: &[usize]) -> String {
    let fields: Vec<String> = (0..lists.len()).map(|index| format!("f{index}")).collect();
    let schema: Vec<String> = fields
        .iter()
        .map(|field| format!("{field}: string"))
        .collect();
    let conditions: Vec<String> = fields
        .iter()
        .zip(lists)
        .map(|(field, count)| {
            let values: Vec<String> = (0..*count).map(|value| format!("\"v{value}\"")).collect();
            format!("{field} in [{}]", values.join(", "))
        })
        .collect();
    format!(
        "system shop {{ region = \"us-east-1\" }}\n\
         topic orders {{ }}\n\
         event OrderPlaced {{ topic = orders  schema {{ {} }} }}\n\
         service order {{ compute = {LAMBDA}  publishes OrderPlaced }}\n\
         service audit {{\n  compute = {LAMBDA}\n  {}\n  consumes OrderPlaced where {}\n}}\n",
        schema.join("  "),
        allow("M245").trim(),
        conditions.join(" and ")
    )
}

/// The (keys, combinations) of every filter policy of the template.
fn filter_policies(template: &Json) -> Vec<(usize, usize)> {
    fn measure(policy: &Json) -> (usize, usize) {
        match policy {
            Json::Array(values) => (1, values.len()),
            Json::Object(fields) => fields.values().fold((0, 1), |(keys, product), value| {
                let (inner_keys, inner) = measure(value);
                (keys + inner_keys, product * inner)
            }),
            _ => (0, 1),
        }
    }
    Stack::new(template)
        .of_type("AWS::SNS::Subscription")
        .into_iter()
        .filter_map(|(_, subscription)| subscription["Properties"].get("FilterPolicy"))
        .map(measure)
        .collect()
}

#[test]
fn m245_counts_the_combinations_and_keys_sns_counts() {
    for (lists, over) in [
        (vec![10, 15], false),
        (vec![151], true),
        (vec![150], false),
        (vec![2, 3, 5, 5], false),
        (vec![2, 3, 5, 6], true),
        (vec![1, 1, 1, 1, 1], false),
        (vec![1, 1, 1, 1, 1, 1], true),
    ] {
        let built = cloudformation(&filter_service(&lists));
        let measured = filter_policies(&built.template());
        assert_eq!(measured.len(), 1);
        let (keys, combinations) = measured[0];
        assert_eq!(keys, lists.len());
        assert_eq!(combinations, lists.iter().product::<usize>());
        let limit_over = combinations > 150 || keys > 5;
        assert_eq!(limit_over, over, "{lists:?}");
        let messages = built.messages("M245");
        assert_eq!(!messages.is_empty(), over, "{lists:?}: {messages:?}");
        if combinations > 150 {
            assert!(says(&messages, combinations), "{messages:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// M246: resource policies.

fn bus_consumers(consumes: usize) -> String {
    let mut source = String::from("system shop { region = \"us-east-1\" }\n");
    source.push_str(&allow("M246"));
    source.push_str("bus commerce { }\n");
    for index in 0..consumes {
        let _ = writeln!(
            source,
            "event E{index:03} {{ bus = commerce  schema {{ id: string }} }}"
        );
    }
    let events: Vec<String> = (0..consumes).map(|index| format!("E{index:03}")).collect();
    source.push_str(&allow("M243"));
    let _ = writeln!(
        source,
        "service hub {{ compute = {LAMBDA}  publishes [{}] }}",
        events.join(", ")
    );
    source.push_str(&allow("M246"));
    let _ = writeln!(source, "service audit {{\n  compute = {LAMBDA}");
    for event in &events {
        let _ = writeln!(source, "  consumes {event}");
    }
    source.push_str("}\n");
    source
}

/// (statements, conditions, bytes) of the policy of the bus's undelivered
/// queue.
fn undelivered_policy(template: &Json) -> (usize, usize, usize) {
    let stack = Stack::new(template);
    let (_, policy) = stack
        .of_type("AWS::SQS::QueuePolicy")
        .into_iter()
        .find(|(id, _)| id.starts_with("CommerceUndelivered"))
        .unwrap();
    let document = stack.resolve(&policy["Properties"]["PolicyDocument"]);
    (
        document["Statement"].as_array().unwrap().len(),
        conditions(&document),
        compact_bytes(&document),
    )
}

/// The conditions of a policy: each key of each operator of a statement.
fn conditions(document: &Json) -> usize {
    document["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|statement| statement.get("Condition").and_then(Json::as_object))
        .flat_map(|operators| operators.values())
        .filter_map(Json::as_object)
        .map(serde_json::Map::len)
        .sum()
}

#[test]
fn m246_measures_the_queue_policy_that_names_every_rule_of_a_bus() {
    // However many rules deliver their failures to the bus's undelivered
    // queue, its policy has two statements and two conditions (TLS, and
    // EventBridge for every rule): one statement per rule went over SQS's
    // 10 conditions at the tenth. Its bytes grow with the rules it names.
    let statements = quota(QuotaKind::QueuePolicyStatements).limit_in("us-east-1");
    let conditions = quota(QuotaKind::QueuePolicyConditions).limit_in("us-east-1");
    let limit = quota(QuotaKind::QueuePolicySize).limit_in("us-east-1");
    let ((at, at_built), (over, over_built)) = boundary(limit, 40, |consumes| {
        let built = cloudformation(&bus_consumers(consumes));
        let (statements, conditions, bytes) = undelivered_policy(&built.template());
        assert_eq!((statements, conditions), (2, 2), "{consumes} rules");
        (bytes, built)
    });
    assert!(statements > 2 && conditions > 2);
    let undelivered = |built: &Built| -> Vec<String> {
        built
            .messages("M246")
            .into_iter()
            .filter(|message| message.contains("undelivered"))
            .collect()
    };
    assert!(
        undelivered(&at_built).is_empty(),
        "{at}: {:?}",
        undelivered(&at_built)
    );
    let messages = undelivered(&over_built);
    assert_eq!(messages.len(), 1, "{messages:?}");
    // The bytes the check counts are those of the written policy.
    assert!(says(&messages, over), "{over}: {messages:?}");
    // More than fifty rules fit: about 128 bytes each.
    let rules = over_built
        .template()
        .pointer("/Resources")
        .and_then(Json::as_object)
        .map_or(0, |resources| {
            resources
                .values()
                .filter(|resource| resource["Type"] == "AWS::Events::Rule")
                .count()
        });
    assert!(rules > 50, "{rules} rules");
}

#[test]
fn m246_counts_the_permissions_of_a_function() {
    // Each `consumes` of a Lambda function is a rule, and each rule a
    // permission: a statement of the function's policy.
    let built = cloudformation(&bus_consumers(70));
    let template = built.template();
    let permissions = Stack::new(&template)
        .of_type("AWS::Lambda::Permission")
        .into_iter()
        .filter(|(id, _)| id.starts_with("Audit"))
        .count();
    assert_eq!(permissions, 70);
    let messages: Vec<String> = built
        .messages("M246")
        .into_iter()
        .filter(|message| message.contains("Lambda function `audit`"))
        .collect();
    assert_eq!(messages.len(), 1, "{:?}", built.messages("M246"));
    let few = cloudformation(&bus_consumers(19));
    assert!(
        few.messages("M246").is_empty(),
        "{:?}",
        few.messages("M246")
    );
}

// ---------------------------------------------------------------------------
// M241: the rules of a security group.

fn database_users(users: usize) -> String {
    let mut source = format!(
        "system shop {{ region = \"us-east-1\" }}\n\
         {}network main {{\n  cidr = 10.0.0.0/16\n  subnet app {{ tier = private }}\n  subnet data {{ tier = isolated }}\n  endpoints = [secretsmanager]\n}}\n\
         {}database ledger {{ engine = postgres  class = \"db.t4g.micro\"  subnet = data }}\n",
        allow("M241"),
        allow("M241")
    );
    for index in 0..users {
        let _ = writeln!(
            source,
            "service s{index:03} {{ compute = {LAMBDA}  subnet = app  uses ledger }}"
        );
    }
    source
}

/// The inbound and outbound rules of each Terraform security group.
fn terraform_group_rules(body: &hcl::Body) -> BTreeMap<String, (usize, usize)> {
    let mut rules: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (kind, inbound) in [
        ("aws_vpc_security_group_ingress_rule", true),
        ("aws_vpc_security_group_egress_rule", false),
    ] {
        for (_, block) in tf_resources(body, kind) {
            let group = tf_text(tf_attribute(block, "security_group_id").unwrap());
            let entry = rules.entry(group).or_default();
            if inbound {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    rules
}

#[test]
fn m241_counts_the_rules_of_a_security_group() {
    let limit = quota(QuotaKind::SecurityGroupRules).limit_in("us-east-1");
    let ((at, at_built), (over, over_built)) = boundary(limit, 55, |users| {
        let built = terraform(&database_users(users));
        let rules = terraform_group_rules(&built.terraform());
        let database = rules
            .iter()
            .find(|(group, _)| group.contains("aws_security_group.ledger."))
            .map(|(_, (inbound, _))| *inbound)
            .unwrap();
        (database, built)
    });
    assert_eq!(at, limit);
    assert!(
        at_built
            .messages("M241")
            .iter()
            .all(|message| !message.contains("ledger")),
        "{:?}",
        at_built.messages("M241")
    );
    assert_eq!(over, limit + 1);
    let messages: Vec<String> = over_built
        .messages("M241")
        .into_iter()
        .filter(|message| message.contains("database `ledger`"))
        .collect();
    assert_eq!(messages.len(), 1);
    assert!(says(&messages, over), "{messages:?}");
}

/// CloudFormation's groups hold one outbound rule more than Terraform's:
/// the placeholder that replaces the allow-all default, which the check
/// counts.
#[test]
fn cloudformation_groups_hold_one_more_outbound_rule_than_terraform() {
    for example in examples() {
        let built = build(&example.1, meshc::Target::All);
        let template = built.template();
        let stack = Stack::new(&template);
        let mut outbound: BTreeMap<String, usize> = BTreeMap::new();
        for (id, group) in stack.of_type("AWS::EC2::SecurityGroup") {
            let inline = group["Properties"]["SecurityGroupEgress"]
                .as_array()
                .map_or(0, Vec::len);
            assert_eq!(inline, 1, "{}: {id}", example.0);
            outbound.insert(id.clone(), inline);
        }
        for (_, rule) in stack.of_type("AWS::EC2::SecurityGroupEgress") {
            let group = rule["Properties"]["GroupId"]["Fn::GetAtt"][0]
                .as_str()
                .unwrap()
                .to_string();
            *outbound.get_mut(&group).unwrap() += 1;
        }
        let terraform_rules = terraform_group_rules(&built.terraform());
        let terraform_total: usize = terraform_rules.values().map(|(_, egress)| egress).sum();
        let cloudformation_total: usize = outbound.values().sum();
        assert_eq!(
            cloudformation_total,
            terraform_total + outbound.len(),
            "{}",
            example.0
        );
    }
}

// ---------------------------------------------------------------------------
// M242: the rules of a network ACL.

fn subnet_callers(groups: usize) -> String {
    let mut source = String::from(
        "system shop { region = \"us-east-1\" }\nnetwork main {\n  cidr = 10.0.0.0/16\n",
    );
    for index in 0..groups {
        let _ = writeln!(source, "  subnet a{index:02} {{ tier = private }}");
    }
    let _ = write!(
        source,
        "  {}  subnet core {{ tier = private }}\n  endpoints = [s3, ecr, logs]\n}}\n",
        allow("M242")
    );
    source.push_str(
        "service core { compute = fargate { cpu = 0.25  memory = 512MB }  subnet = core  port = 8080 }\n",
    );
    for index in 0..groups {
        let _ = writeln!(
            source,
            "service s{index:02} {{ compute = {LAMBDA}  subnet = a{index:02}  calls core {{ via = dns }} }}"
        );
    }
    source
}

/// The numbered rules of each Terraform network ACL, inbound and outbound.
fn terraform_acl_rules(body: &hcl::Body) -> BTreeMap<String, (usize, usize)> {
    let mut rules: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (_, block) in tf_resources(body, "aws_network_acl_rule") {
        let acl = tf_text(tf_attribute(block, "network_acl_id").unwrap());
        let egress = matches!(
            tf_attribute(block, "egress"),
            Some(hcl::Expression::Bool(true))
        );
        let entry = rules.entry(acl).or_default();
        if egress {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    }
    rules
}

#[test]
fn m242_counts_the_rules_of_an_acl_with_the_default_deny() {
    let limit = quota(QuotaKind::NaclRules).limit_in("us-east-1");
    let ((at, at_built), (over, over_built)) = boundary(limit, 10, |groups| {
        let built = terraform(&subnet_callers(groups));
        let rules = terraform_acl_rules(&built.terraform());
        let core = rules
            .iter()
            .find(|(acl, _)| acl.contains("aws_network_acl.core."))
            .map(|(_, (inbound, outbound))| (*inbound).max(*outbound))
            .unwrap();
        // The default deny rule counts too.
        (core + 1, built)
    });
    assert_eq!(at, limit);
    assert!(
        at_built.found("M242").is_empty(),
        "{:?}",
        at_built.messages("M242")
    );
    assert!(over > limit);
    let messages = over_built.messages("M242");
    assert!(!messages.is_empty());
    assert!(says(&messages, over), "{messages:?} should say {over}");
}

// ---------------------------------------------------------------------------
// M247: what a VPC holds.

fn subnet_groups(groups: usize) -> String {
    let mut source = format!(
        "system big {{ region = \"us-east-1\" }}\n{}network main {{\n  cidr = 10.0.0.0/16  zones = 5\n",
        allow("M247")
    );
    for index in 0..groups {
        let _ = writeln!(source, "  subnet s{index:02} {{ tier = isolated }}");
    }
    source.push_str("}\n");
    source
}

fn vpc_functions(functions: usize) -> String {
    let mut source = format!(
        "system big {{ region = \"us-east-1\" }}\n{}network main {{\n  cidr = 10.0.0.0/16  zones = 5\n  subnet app {{ tier = private }}\n}}\n",
        allow("M247, M241")
    );
    for index in 0..functions {
        let _ = writeln!(
            source,
            "service f{index:03} {{ compute = {LAMBDA}  subnet = app }}"
        );
    }
    source
}

#[test]
fn m247_counts_the_subnets_and_function_interfaces_of_a_vpc() {
    let subnets = |groups: usize| {
        let built = terraform(&subnet_groups(groups));
        let count: usize = tf_resources(&built.terraform(), "aws_subnet")
            .into_iter()
            .map(|(_, block)| tf_count(block))
            .sum();
        (count, built)
    };
    let limit = quota(QuotaKind::SubnetsPerVpc).limit_in("us-east-1");
    let (at, at_built) = subnets(40);
    assert_eq!(at, limit);
    assert!(at_built.found("M247").is_empty());
    let (over, over_built) = subnets(41);
    assert_eq!(over, 205);
    assert!(says(&over_built.messages("M247"), over));

    // One Hyperplane interface per function and zone: each function has a
    // security group of its own, in the subnets of every zone.
    let interfaces = |functions: usize| {
        let built = terraform(&vpc_functions(functions));
        let body = built.terraform();
        let groups: Vec<String> = tf_resources(&body, "aws_lambda_function")
            .into_iter()
            .map(|(_, block)| {
                let config = block
                    .body()
                    .blocks()
                    .find(|inner| inner.identifier() == "vpc_config")
                    .unwrap();
                tf_text(tf_attribute(config, "security_group_ids").unwrap())
            })
            .collect();
        let zones: usize = tf_resources(&body, "aws_subnet")
            .into_iter()
            .map(|(_, block)| tf_count(block))
            .sum();
        let mut distinct = groups.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), groups.len(), "a group per function");
        (groups.len() * zones, built)
    };
    let limit = quota(QuotaKind::LambdaInterfacesPerVpc).limit_in("us-east-1");
    let (at, at_built) = interfaces(50);
    assert_eq!(at, limit);
    assert!(at_built.found("M247").is_empty());
    let (over, over_built) = interfaces(51);
    assert_eq!(over, limit + 5);
    assert!(says(&over_built.messages("M247"), over));
}

fn private_link_callees(callees: usize) -> String {
    let mut source = format!(
        "system big {{ region = \"us-east-1\" }}\n\
         {}network a {{\n  cidr = 10.1.0.0/16  nat = single\n  subnet edge-a {{ tier = public }}\n  subnet app-a {{ tier = private }}\n  endpoints = [sqs, sns, events, states, logs, ecr, kinesis, secretsmanager, ssm, kms, xray, lambda, sts]\n}}\n\
         network b {{\n  cidr = 10.2.0.0/16  nat = single\n  subnet edge-b {{ tier = public }}\n  subnet app-b {{ tier = private }}\n}}\n",
        allow("M247, M249")
    );
    let calls: Vec<String> = (0..callees)
        .map(|index| format!("  calls c{index:02} {{ via = privatelink }}"))
        .collect();
    source.push_str(&allow("M243"));
    let _ = writeln!(
        source,
        "service caller {{\n  compute = {LAMBDA}\n  subnet = app-a\n{}\n}}",
        calls.join("\n")
    );
    for index in 0..callees {
        let _ = writeln!(
            source,
            "service c{index:02} {{ compute = fargate {{ cpu = 0.25  memory = 512MB  image = \"public.ecr.aws/nginx/nginx:1\" }}  subnet = app-b  port = 8080 }}"
        );
    }
    source
}

#[test]
fn m247_counts_the_interface_endpoints_of_a_vpc() {
    let limit = quota(QuotaKind::InterfaceEndpointsPerVpc).limit_in("us-east-1");
    let ((at, at_built), (over, over_built)) = boundary(limit, 30, |callees| {
        let built = terraform(&private_link_callees(callees));
        let body = built.terraform();
        let in_a = tf_resources(&body, "aws_vpc_endpoint")
            .into_iter()
            .filter(|(_, block)| {
                tf_text(tf_attribute(block, "vpc_endpoint_type").unwrap()).contains("Interface")
                    && tf_text(tf_attribute(block, "vpc_id").unwrap()) == "aws_vpc.a.id"
            })
            .count();
        (in_a, built)
    });
    assert_eq!(at, limit);
    assert!(
        at_built
            .messages("M247")
            .iter()
            .all(|message| !message.contains("network `a`")),
        "{:?}",
        at_built.messages("M247")
    );
    assert_eq!(over, limit + 1);
    let messages: Vec<String> = over_built
        .messages("M247")
        .into_iter()
        .filter(|message| message.contains("interface endpoints"))
        .collect();
    assert!(says(&messages, over), "{messages:?}");
}

// ---------------------------------------------------------------------------
// M248: an Application Load Balancer.

fn exposed_functions(functions: usize, with_path: bool) -> String {
    let mut source = format!(
        "system shop {{ region = \"us-east-1\" }}\n\
         {}network main {{ cidr = 10.0.0.0/16  nat = single  subnet edge {{ tier = public }}  subnet app {{ tier = private }} }}\n",
        allow("M248, M241")
    );
    for index in 0..functions {
        let path = if with_path {
            format!("  path = \"/f{index:03}/*\"")
        } else {
            String::new()
        };
        source.push_str(&allow("M248"));
        let _ = writeln!(
            source,
            "service f{index:03} {{ compute = {LAMBDA}  subnet = app  port = 8080  expose = alb {{ public = true  certificate = \"arn:aws:acm:us-east-1:111122223333:certificate/6f1c2e0a-8b1d-4c1e-9a57-2f0c7d3e5b21\"{path} }} }}"
        );
    }
    source
}

#[test]
fn m248_counts_the_target_groups_and_rules_of_a_load_balancer() {
    for (functions, path) in [(100, true), (101, true)] {
        let built = terraform(&exposed_functions(functions, path));
        let body = built.terraform();
        let groups = tf_resources(&body, "aws_lb_target_group").len();
        let rules = tf_resources(&body, "aws_lb_listener_rule").len();
        assert_eq!(groups, functions);
        assert_eq!(rules, functions);
        let messages = built.messages("M248");
        let over = functions > 100;
        assert_eq!(
            messages
                .iter()
                .any(|message| message.contains("target groups")),
            over,
            "{messages:?}"
        );
        assert_eq!(
            messages
                .iter()
                .any(|message| message.contains("listener rules")),
            over,
            "{messages:?}"
        );
        if over {
            assert!(says(&messages, groups));
        }
    }
}

// ---------------------------------------------------------------------------
// M249: what one account may have.

fn networks_with_nat(networks: usize) -> String {
    let mut source = format!("{}system big {{ region = \"us-east-1\" }}\n", allow("M249"));
    for index in 1..=networks {
        let _ = writeln!(
            source,
            "network n{index} {{ cidr = 10.{index}.0.0/16  nat = single  subnet edge{index} {{ tier = public }}  subnet app{index} {{ tier = private }} }}"
        );
    }
    source
}

#[test]
fn m249_counts_the_addresses_and_vpcs_of_a_region() {
    for networks in [5, 6] {
        let built = terraform(&networks_with_nat(networks));
        let body = built.terraform();
        let addresses: usize = tf_resources(&body, "aws_eip")
            .into_iter()
            .map(|(_, block)| tf_count(block))
            .sum();
        let vpcs = tf_resources(&body, "aws_vpc").len();
        assert_eq!((addresses, vpcs), (networks, networks));
        let messages = built.messages("M249");
        let over = networks > 5;
        assert_eq!(
            messages
                .iter()
                .any(|message| message.contains("Elastic IP")),
            over
        );
        assert_eq!(
            messages.iter().any(|message| message.contains("VPCs")),
            over
        );
    }
}

fn rules_on_a_bus(consumers: usize, region: &str) -> String {
    let mut source = format!("system shop {{ region = \"{region}\" }}\n");
    source.push_str(&allow("M249, M246"));
    source.push_str("bus commerce { }\nevent Placed { bus = commerce  schema { id: string } }\n");
    let _ = writeln!(
        source,
        "service hub {{ compute = {LAMBDA}  publishes Placed }}"
    );
    for index in 0..consumers {
        let _ = writeln!(
            source,
            "service c{index:03} {{ compute = {LAMBDA}  consumes Placed }}"
        );
    }
    source
}

#[test]
fn m249_counts_the_rules_of_a_bus_in_its_region() {
    // af-south-1 allows a bus 100 rules, where most regions allow 300.
    let limit = quota(QuotaKind::RulesPerBus).limit_in("af-south-1");
    assert_eq!(limit, 100);
    for (consumers, over) in [(100, false), (101, true)] {
        let built = terraform(&rules_on_a_bus(consumers, "af-south-1"));
        let body = built.terraform();
        let rules = tf_resources(&body, "aws_cloudwatch_event_rule")
            .into_iter()
            .filter(|(_, block)| tf_attribute(block, "event_bus_name").is_some())
            .count();
        assert_eq!(rules, consumers);
        let messages: Vec<String> = built
            .messages("M249")
            .into_iter()
            .filter(|message| message.contains("rules"))
            .collect();
        assert_eq!(!messages.is_empty(), over, "{messages:?}");
        if over {
            assert!(says(&messages, rules));
        }
    }
    // The same system is inside the quota of us-east-1.
    let built = terraform(&rules_on_a_bus(101, "us-east-1"));
    assert!(built.messages("M249").is_empty());
}

// ---------------------------------------------------------------------------
// M408: targets per rule.

#[test]
fn every_emitted_rule_has_at_most_five_targets_and_derived_rules_one() {
    let derived = [
        "Delivers ",
        "Starts the saga ",
        "Runs step ",
        "Undoes step ",
        "Runs the failure handler ",
        "Keeps the failures ",
    ];
    for (name, source) in examples() {
        let built = cloudformation(&source);
        let template = built.template();
        for (id, rule) in Stack::new(&template).of_type("AWS::Events::Rule") {
            let targets = rule["Properties"]["Targets"].as_array().unwrap().len();
            let limit = quota(QuotaKind::RuleTargets).limit_in("us-east-1");
            assert!((1..=limit).contains(&targets), "{name}: {id}");
            let description = rule["Properties"]["Description"].as_str().unwrap();
            if derived.iter().any(|start| description.starts_with(start)) {
                assert_eq!(targets, 1, "{name}: {id} ({description})");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Every example, against every quota.

fn examples() -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples")).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|extension| extension == "mesh")
        {
            found.push((
                path.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    found.sort();
    found
}

/// The largest of each measure of one example, by quota.
fn measure_example(source: &str) -> BTreeMap<QuotaKind, (usize, String)> {
    let built = build(source, meshc::Target::All);
    assert!(
        built
            .diagnostics
            .iter()
            .all(|diagnostic| !diagnostic.code.code.starts_with("M24")),
        "an example goes over a quota"
    );
    let template = built.template();
    let stack = Stack::new(&template);
    let mut found: BTreeMap<QuotaKind, (usize, String)> = BTreeMap::new();
    let mut record = |kind: QuotaKind, value: usize, what: &str| {
        let entry = found.entry(kind).or_insert((0, String::new()));
        if value > entry.0 {
            *entry = (value, what.to_string());
        }
    };
    for (id, size) in role_policies(&template) {
        record(QuotaKind::RolePolicySize, size, &id);
    }
    for (id, role) in stack.of_type("AWS::IAM::Role") {
        let trust = stack.resolve(&role["Properties"]["AssumeRolePolicyDocument"]);
        record(QuotaKind::RoleTrustPolicySize, iam_characters(&trust), id);
        let managed = role["Properties"]
            .get("ManagedPolicyArns")
            .and_then(Json::as_array)
            .map_or(0, Vec::len);
        record(QuotaKind::ManagedPoliciesPerRole, managed, id);
    }
    record(
        QuotaKind::RolesPerAccount,
        stack.of_type("AWS::IAM::Role").len(),
        "roles",
    );
    for (id, function) in stack.of_type("AWS::Lambda::Function") {
        let variables = stack.resolve(&function["Properties"]["Environment"]["Variables"]);
        record(
            QuotaKind::LambdaEnvironmentSize,
            compact_bytes(&variables),
            id,
        );
        let layers = function["Properties"]
            .get("Layers")
            .and_then(Json::as_array)
            .map_or(0, Vec::len);
        record(QuotaKind::LambdaLayers, layers, id);
    }
    for (id, rule) in stack.of_type("AWS::Events::Rule") {
        if let Some(pattern) = rule["Properties"].get("EventPattern") {
            record(
                QuotaKind::EventPatternSize,
                jsonencode_characters(pattern),
                id,
            );
        }
        let targets = rule["Properties"]["Targets"].as_array().map_or(0, Vec::len);
        record(QuotaKind::RuleTargets, targets, id);
    }
    for (keys, combinations) in filter_policies(&template) {
        record(QuotaKind::FilterPolicyKeys, keys, "filter");
        record(QuotaKind::FilterPolicyCombinations, combinations, "filter");
    }
    for (kind, statements, size) in [
        (
            "AWS::SQS::QueuePolicy",
            QuotaKind::QueuePolicyStatements,
            QuotaKind::QueuePolicySize,
        ),
        (
            "AWS::SNS::TopicPolicy",
            QuotaKind::TopicPolicyStatements,
            QuotaKind::TopicPolicySize,
        ),
    ] {
        for (id, policy) in stack.of_type(kind) {
            let document = stack.resolve(&policy["Properties"]["PolicyDocument"]);
            record(
                statements,
                document["Statement"].as_array().unwrap().len(),
                id,
            );
            if kind == "AWS::SQS::QueuePolicy" {
                record(QuotaKind::QueuePolicyConditions, conditions(&document), id);
            }
            record(size, compact_bytes(&document), id);
        }
    }
    for (id, key) in stack.of_type("AWS::KMS::Key") {
        let policy = stack.resolve(&key["Properties"]["KeyPolicy"]);
        record(QuotaKind::KeyPolicySize, compact_bytes(&policy), id);
    }
    for (id, bucket) in stack.of_type("AWS::S3::BucketPolicy") {
        let policy = stack.resolve(&bucket["Properties"]["PolicyDocument"]);
        record(QuotaKind::BucketPolicySize, compact_bytes(&policy), id);
    }
    for (id, task) in stack.of_type("AWS::ECS::TaskDefinition") {
        let definition = stack.resolve(&task["Properties"]);
        record(
            QuotaKind::TaskDefinitionSize,
            compact_bytes(&definition),
            id,
        );
    }
    // Security groups: one per interface, rules per direction.
    let mut groups_of_interfaces = 0;
    let mut count_groups = |value: &Json| {
        if let Some(list) = value.as_array() {
            groups_of_interfaces = groups_of_interfaces.max(list.len());
        }
    };
    for (_, resource) in stack.resources {
        let properties = &resource["Properties"];
        for key in ["SecurityGroups", "SecurityGroupIds", "VpcSecurityGroupIds"] {
            count_groups(&properties[key]);
        }
        count_groups(&properties["VpcConfig"]["SecurityGroupIds"]);
        count_groups(&properties["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"]);
    }
    record(
        QuotaKind::SecurityGroupsPerInterface,
        groups_of_interfaces,
        "interfaces",
    );
    let body = built.terraform();
    for (group, (inbound, outbound)) in terraform_group_rules(&body) {
        // CloudFormation's placeholder outbound rule.
        record(
            QuotaKind::SecurityGroupRules,
            inbound.max(outbound + 1),
            &group,
        );
    }
    for (acl, (inbound, outbound)) in terraform_acl_rules(&body) {
        record(QuotaKind::NaclRules, inbound.max(outbound) + 1, &acl);
    }
    // Counts per VPC, per region and per bus, from the Terraform resources.
    let mut per_vpc: BTreeMap<(QuotaKind, String), usize> = BTreeMap::new();
    let subnet_zones: BTreeMap<String, (String, usize)> = tf_resources(&body, "aws_subnet")
        .into_iter()
        .map(|(label, block)| {
            (
                label.to_string(),
                (
                    tf_text(tf_attribute(block, "vpc_id").unwrap()),
                    tf_count(block),
                ),
            )
        })
        .collect();
    for (vpc, zones) in subnet_zones.values() {
        *per_vpc
            .entry((QuotaKind::SubnetsPerVpc, vpc.clone()))
            .or_default() += zones;
    }
    for (_, block) in tf_resources(&body, "aws_vpc_endpoint") {
        let kind = tf_text(tf_attribute(block, "vpc_endpoint_type").unwrap());
        let vpc = tf_text(tf_attribute(block, "vpc_id").unwrap());
        let quota_kind = if kind.contains("Interface") {
            QuotaKind::InterfaceEndpointsPerVpc
        } else {
            QuotaKind::GatewayEndpointsPerRegion
        };
        let scope = if kind.contains("Interface") {
            vpc
        } else {
            String::new()
        };
        *per_vpc.entry((quota_kind, scope)).or_default() += 1;
    }
    for (_, block) in tf_resources(&body, "aws_lambda_function") {
        let Some(config) = block
            .body()
            .blocks()
            .find(|inner| inner.identifier() == "vpc_config")
        else {
            continue;
        };
        let subnets = tf_text(tf_attribute(config, "subnet_ids").unwrap());
        let label = subnets
            .trim_start_matches("aws_subnet.")
            .trim_end_matches("[*].id");
        let (vpc, zones) = &subnet_zones[label];
        *per_vpc
            .entry((QuotaKind::LambdaInterfacesPerVpc, vpc.clone()))
            .or_default() += zones;
    }
    for (_, block) in tf_resources(&body, "aws_cloudwatch_event_rule") {
        let bus = tf_attribute(block, "event_bus_name").map_or_else(String::new, tf_text);
        *per_vpc.entry((QuotaKind::RulesPerBus, bus)).or_default() += 1;
    }
    for ((kind, scope), count) in per_vpc {
        record(kind, count, &scope);
    }
    let counted = |kind: &str| -> usize {
        tf_resources(&body, kind)
            .into_iter()
            .map(|(_, block)| tf_count(block))
            .sum()
    };
    record(QuotaKind::VpcsPerRegion, counted("aws_vpc"), "VPCs");
    record(
        QuotaKind::ElasticIpsPerRegion,
        counted("aws_eip"),
        "addresses",
    );
    record(
        QuotaKind::SecurityGroupsPerRegion,
        counted("aws_security_group"),
        "groups",
    );
    record(
        QuotaKind::TargetGroupsPerAlb,
        counted("aws_lb_target_group"),
        "every target group",
    );
    record(
        QuotaKind::RulesPerAlb,
        counted("aws_lb_listener_rule"),
        "every listener rule",
    );
    // The definition of each saga as Step Functions receives it: the file,
    // with each placeholder replaced by its longest value.
    for (path, text) in &built.files {
        if path.starts_with("stepfunctions/") {
            let placeholders = text.matches("${").count();
            record(
                QuotaKind::StateMachineDefinitionSize,
                text.len() + placeholders * 120,
                path,
            );
        }
    }
    found
}

#[test]
fn every_example_is_inside_every_quota() {
    let mut report = String::new();
    for (name, source) in examples() {
        let measured = measure_example(&source);
        let _ = writeln!(report, "{name}:");
        for (kind, (value, what)) in &measured {
            let row = quota(*kind);
            assert!(
                *value <= row.limit_in("us-east-1"),
                "{name}: {what} is {value}, over the {} of the {}",
                row.value,
                row.what
            );
            let _ = writeln!(
                report,
                "  {kind:?}: {value} of {} ({what})",
                row.limit_in("us-east-1")
            );
        }
    }
    // `cargo test --test quotas -- --nocapture` shows what each example
    // measures.
    println!("{report}");
}

#[test]
fn every_bounded_row_says_why_and_every_checked_row_names_a_registered_code() {
    for row in &meshc::model::aws_quotas::QUOTAS {
        match row.reach {
            Reach::Checked(code) => assert!(
                meshc::check::lookup(code).is_some(),
                "{:?} names {code}",
                row.kind
            ),
            Reach::Bounded(why) => assert!(!why.is_empty()),
        }
    }
    // The constants the checks of other families use are the table's.
    assert_eq!(
        meshc::model::aws::limits::EVENTBRIDGE_RULE_TARGETS as u64,
        quota(QuotaKind::RuleTargets).value
    );
    assert_eq!(
        meshc::emit::cloudformation::RESOURCE_LIMIT as u64,
        quota(QuotaKind::TemplateResources).value
    );
    assert_eq!(
        meshc::emit::cloudformation::BODY_LIMIT as u64,
        quota(QuotaKind::TemplateBodySize).value
    );
    assert_eq!(
        meshc::emit::cloudformation::OUTPUT_LIMIT as u64,
        quota(QuotaKind::TemplateOutputs).value
    );
    assert_eq!(
        meshc::emit::cloudformation::PARAMETER_LIMIT as u64,
        quota(QuotaKind::TemplateParameters).value
    );
}
