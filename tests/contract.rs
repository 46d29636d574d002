//! The runtime contract of IAM, evaluated.
//!
//! docs/runtime.md lists, for every relation a service may have and for
//! every role AWS assumes for the system, the calls allowed and the
//! resources they act on. For every role of every example, in both
//! backends, this test resolves the policies as AWS would hold them after
//! one deployment — references become the ARNs AWS gives each resource
//! type, from the names the template or configuration sets — and
//! evaluates them as IAM does (an action and a resource match a statement
//! by IAM's wildcards; there are no conditions or denials to honour, and a
//! policy with one fails the test until the evaluator reads it):
//!
//! - every call the contract lists for a relation of the role is allowed,
//!   on the resource it acts on (a stream of a log group, an object of a
//!   bucket, an index of a table, the ARN itself);
//! - every action of every statement, on every resource it names, is one
//!   the contract lists for a relation of that role, on exactly that
//!   resource pattern: no statement serves no relation, and none is wider
//!   than the relation it serves.
//!
//! Resource policies are evaluated with their conditions: every delivery
//! AWS makes without a role (a rule to a queue, topic or function and to
//! its dead-letter queue, a topic to its subscribers, a target group to a
//! function) is allowed by the queue's or topic's policy or the function's
//! permissions for its source (`aws:SourceArn`) and refused for another
//! source, and every statement of them that allows a service serves such
//! a delivery.
//!
//! The relations come from the model (what a service publishes, uses,
//! calls, lists) and from how the template wires a service (what its
//! environment tells it to poll, the event source mappings and dead-letter
//! queues of its function, the targets of rules, a state machine's role):
//! the runtime contract is about what the code and AWS are given. The
//! actions of the table are checked against parliament's database of AWS's
//! actions by `tests/conformance/iam_lint.py --contract`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_pass_by_value // hcl-rs passes a function's arguments by value
)] // Tests may fail loudly.

mod common;

use std::collections::BTreeMap;

use hcl::eval::{Context, Evaluate as _, FuncArgs, FuncDef, ParamType};
use serde_json::Value as Json;

const ACCOUNT: &str = "123456789012";
/// The id AWS gives the system's one KMS key.
const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

/// How each AWS resource type the policies name is called and what its
/// ARN is (AWS's service authorization reference): the CloudFormation
/// type and the property holding the name, the Terraform type and the
/// attribute holding it, and the ARN built from `{name}`.
struct Kind {
    cloudformation: &'static str,
    name_property: &'static str,
    terraform: &'static str,
    name_attribute: &'static str,
    arn: &'static str,
}

const KINDS: &[Kind] = &[
    Kind {
        cloudformation: "AWS::SQS::Queue",
        name_property: "QueueName",
        terraform: "aws_sqs_queue",
        name_attribute: "name",
        arn: "arn:aws:sqs:{region}:{account}:{name}",
    },
    Kind {
        cloudformation: "AWS::SNS::Topic",
        name_property: "TopicName",
        terraform: "aws_sns_topic",
        name_attribute: "name",
        arn: "arn:aws:sns:{region}:{account}:{name}",
    },
    Kind {
        cloudformation: "AWS::DynamoDB::Table",
        name_property: "TableName",
        terraform: "aws_dynamodb_table",
        name_attribute: "name",
        arn: "arn:aws:dynamodb:{region}:{account}:table/{name}",
    },
    Kind {
        cloudformation: "AWS::Lambda::Function",
        name_property: "FunctionName",
        terraform: "aws_lambda_function",
        name_attribute: "function_name",
        arn: "arn:aws:lambda:{region}:{account}:function:{name}",
    },
    Kind {
        cloudformation: "AWS::StepFunctions::StateMachine",
        name_property: "StateMachineName",
        terraform: "aws_sfn_state_machine",
        name_attribute: "name",
        arn: "arn:aws:states:{region}:{account}:stateMachine:{name}",
    },
    Kind {
        cloudformation: "AWS::Logs::LogGroup",
        name_property: "LogGroupName",
        terraform: "aws_cloudwatch_log_group",
        name_attribute: "name",
        arn: "arn:aws:logs:{region}:{account}:log-group:{name}",
    },
    Kind {
        cloudformation: "AWS::Kinesis::Stream",
        name_property: "Name",
        terraform: "aws_kinesis_stream",
        name_attribute: "name",
        arn: "arn:aws:kinesis:{region}:{account}:stream/{name}",
    },
    Kind {
        cloudformation: "AWS::Events::EventBus",
        name_property: "Name",
        terraform: "aws_cloudwatch_event_bus",
        name_attribute: "name",
        arn: "arn:aws:events:{region}:{account}:event-bus/{name}",
    },
    Kind {
        cloudformation: "AWS::ECR::Repository",
        name_property: "RepositoryName",
        terraform: "aws_ecr_repository",
        name_attribute: "name",
        arn: "arn:aws:ecr:{region}:{account}:repository/{name}",
    },
    Kind {
        cloudformation: "AWS::S3::Bucket",
        name_property: "BucketName",
        terraform: "aws_s3_bucket",
        name_attribute: "bucket",
        arn: "arn:aws:s3:::{name}",
    },
    Kind {
        cloudformation: "AWS::SecretsManager::Secret",
        name_property: "Name",
        terraform: "aws_secretsmanager_secret",
        name_attribute: "name",
        arn: "arn:aws:secretsmanager:{region}:{account}:secret:{name}-AbCdEf",
    },
    Kind {
        cloudformation: "AWS::SSM::Parameter",
        name_property: "Name",
        terraform: "aws_ssm_parameter",
        name_attribute: "name",
        // The name starts with `/`, which the ARN does not repeat.
        arn: "arn:aws:ssm:{region}:{account}:parameter{name}",
    },
    Kind {
        cloudformation: "AWS::IAM::Role",
        name_property: "RoleName",
        terraform: "aws_iam_role",
        name_attribute: "name",
        arn: "arn:aws:iam::{account}:role/{name}",
    },
    Kind {
        cloudformation: "AWS::RDS::DBInstance",
        name_property: "DBInstanceIdentifier",
        terraform: "aws_db_instance",
        name_attribute: "identifier",
        arn: "arn:aws:rds:{region}:{account}:db:{name}",
    },
    Kind {
        cloudformation: "AWS::EC2::SecurityGroup",
        name_property: "GroupName",
        terraform: "aws_security_group",
        name_attribute: "name",
        arn: "arn:aws:ec2:{region}:{account}:security-group/sg-{name}",
    },
    Kind {
        cloudformation: "AWS::EC2::Subnet",
        name_property: "Tags",
        terraform: "aws_subnet",
        name_attribute: "tags",
        arn: "arn:aws:ec2:{region}:{account}:subnet/subnet-{name}",
    },
    Kind {
        cloudformation: "AWS::Events::Rule",
        name_property: "Name",
        terraform: "aws_cloudwatch_event_rule",
        name_attribute: "name",
        // A rule of a bus other than the default one: `rule/BUS/NAME`.
        arn: "arn:aws:events:{region}:{account}:rule/{name}",
    },
    Kind {
        cloudformation: "AWS::ElasticLoadBalancingV2::TargetGroup",
        name_property: "Name",
        terraform: "aws_lb_target_group",
        name_attribute: "name",
        arn: "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/0123456789abcdef",
    },
    Kind {
        cloudformation: "AWS::CloudWatch::Alarm",
        name_property: "AlarmName",
        terraform: "aws_cloudwatch_metric_alarm",
        name_attribute: "alarm_name",
        arn: "arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
    },
    Kind {
        cloudformation: "AWS::KMS::Key",
        name_property: "",
        terraform: "aws_kms_key",
        name_attribute: "",
        arn: "arn:aws:kms:{region}:{account}:key/{name}",
    },
];

fn kind_of_cloudformation(kind: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|known| known.cloudformation == kind)
}

fn arn(kind: &Kind, name: &str, region: &str) -> String {
    kind.arn
        .replace("{region}", region)
        .replace("{account}", ACCOUNT)
        .replace("{name}", name)
}

/// The secret RDS makes for a database's master credentials (its ARN
/// holds an id AWS generates: here the database's name).
fn database_secret(identifier: &str, region: &str) -> String {
    format!("arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:rds!db-{identifier}-AbCdEf")
}

// ---------------------------------------------------------------------------
// Policies as deployed.

#[derive(Debug)]
struct Statement {
    sid: String,
    allow: bool,
    /// (type, identifier): `("Service", "sns.amazonaws.com")`, `("*", "*")`.
    principals: Vec<(String, String)>,
    actions: Vec<String>,
    resources: Vec<String>,
    /// (operator, key, values).
    conditions: Vec<(String, String, Vec<String>)>,
}

impl Statement {
    /// Whether it is a plain grant of an identity policy: it allows, names
    /// no principal and has no condition (the evaluator of identity
    /// policies reads no more).
    fn plain(&self) -> bool {
        self.allow && self.principals.is_empty() && self.conditions.is_empty()
    }
}

/// One backend's roles after one deployment: the inline statements and
/// the managed policies of each role, by the role's name.
#[derive(Default)]
struct Roles {
    statements: BTreeMap<String, Vec<Statement>>,
    managed: BTreeMap<String, Vec<String>>,
}

/// A CloudFormation template, resolved for a deployment with the
/// parameters' defaults in the system's region.
struct Stack<'a> {
    resources: &'a serde_json::Map<String, Json>,
    parameters: BTreeMap<String, String>,
    region: String,
}

impl<'a> Stack<'a> {
    fn new(template: &'a Json, region: &str) -> Self {
        let parameters = common::parameter_defaults(template);
        Stack {
            resources: template["Resources"].as_object().unwrap(),
            parameters,
            region: region.to_string(),
        }
    }

    fn resource(&self, logical: &str) -> &'a Json {
        self.resources
            .get(logical)
            .unwrap_or_else(|| panic!("no resource {logical} in the template"))
    }

    fn kind(&self, logical: &str) -> &'static Kind {
        let kind = self.resource(logical)["Type"].as_str().unwrap();
        kind_of_cloudformation(kind).unwrap_or_else(|| panic!("no ARN known for {kind}"))
    }

    /// The name AWS knows a resource by.
    fn name(&self, logical: &str) -> String {
        let kind = self.kind(logical);
        let properties = &self.resource(logical)["Properties"];
        match kind.name_property {
            "" => KEY_ID.to_string(),
            "Tags" => properties["Tags"]
                .as_array()
                .unwrap()
                .iter()
                .find(|tag| tag["Key"] == "Name")
                .map_or_else(
                    || panic!("{logical} has no Name tag"),
                    |tag| self.text(&tag["Value"]),
                ),
            property => self.text(&properties[property]),
        }
    }

    fn arn(&self, logical: &str) -> String {
        let mut name = self.name(logical);
        if let Some(bus) = self.resource(logical)["Properties"].get("EventBusName") {
            let bus = self.text(bus);
            if bus != "default" {
                name = format!("{bus}/{name}");
            }
        }
        arn(self.kind(logical), &name, &self.region)
    }

    /// What `Ref` gives for a resource.
    fn physical_id(&self, logical: &str) -> String {
        let name = self.name(logical);
        match self.resource(logical)["Type"].as_str().unwrap() {
            "AWS::SQS::Queue" => {
                format!("https://sqs.{}.amazonaws.com/{ACCOUNT}/{name}", self.region)
            }
            "AWS::EC2::Subnet" => format!("subnet-{name}"),
            "AWS::EC2::SecurityGroup" => format!("sg-{name}"),
            "AWS::StepFunctions::StateMachine"
            | "AWS::SNS::Topic"
            | "AWS::SecretsManager::Secret" => self.arn(logical),
            _ => name,
        }
    }

    fn attribute(&self, logical: &str, attribute: &str) -> String {
        match attribute {
            // CloudFormation's ARN of a log group ends with `:*`.
            "Arn" if self.kind(logical).cloudformation == "AWS::Logs::LogGroup" => {
                format!("{}:*", self.arn(logical))
            }
            "Arn" => self.arn(logical),
            "GroupId" => format!("sg-{}", self.name(logical)),
            "Name" => self.name(logical),
            "MasterUserSecret.SecretArn" => database_secret(&self.name(logical), &self.region),
            _ => panic!("Fn::GetAtt {logical}.{attribute} is not resolved"),
        }
    }

    fn text(&self, value: &Json) -> String {
        match self.resolve(value) {
            Json::String(text) => text,
            other => panic!("{value} resolves to {other}, not text"),
        }
    }

    fn reference(&self, name: &str) -> String {
        match name {
            "AWS::Region" => self.region.clone(),
            "AWS::AccountId" => ACCOUNT.to_string(),
            "AWS::Partition" => "aws".to_string(),
            "AWS::URLSuffix" => "amazonaws.com".to_string(),
            _ => match self.parameters.get(name) {
                Some(value) => value.clone(),
                None => self.physical_id(name),
            },
        }
    }

    /// A value with its intrinsic functions resolved.
    fn resolve(&self, value: &Json) -> Json {
        match value {
            Json::Array(items) => {
                Json::Array(items.iter().map(|item| self.resolve(item)).collect())
            }
            Json::Object(object) if object.len() == 1 => {
                let (function, arguments) = object.iter().next().unwrap();
                match function.as_str() {
                    "Ref" => Json::from(self.reference(arguments.as_str().unwrap())),
                    "Fn::GetAtt" => Json::from(self.attribute(
                        arguments[0].as_str().unwrap(),
                        arguments[1].as_str().unwrap(),
                    )),
                    "Fn::Sub" => {
                        let text = arguments.as_str().unwrap();
                        let mut resolved = String::new();
                        let mut rest = text;
                        while let Some(start) = rest.find("${") {
                            resolved.push_str(&rest[..start]);
                            let end = rest[start..].find('}').unwrap() + start;
                            let variable = &rest[start + 2..end];
                            match variable.split_once('.') {
                                Some((logical, attribute)) if !variable.starts_with("AWS::") => {
                                    resolved.push_str(&self.attribute(logical, attribute));
                                }
                                _ => resolved.push_str(&self.reference(variable)),
                            }
                            rest = &rest[end + 1..];
                        }
                        resolved.push_str(rest);
                        Json::from(resolved)
                    }
                    "Fn::Join" => Json::from(
                        self.resolve(&arguments[1])
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|part| part.as_str().unwrap().to_string())
                            .collect::<Vec<_>>()
                            .join(arguments[0].as_str().unwrap()),
                    ),
                    _ if function.starts_with("Fn::") => {
                        panic!("{function} is not resolved in {value}")
                    }
                    _ => value.clone(),
                }
            }
            _ => value.clone(),
        }
    }

    fn texts(&self, value: &Json) -> Vec<String> {
        match self.resolve(value) {
            Json::String(text) => vec![text],
            Json::Array(items) => items
                .into_iter()
                .map(|item| item.as_str().unwrap().to_string())
                .collect(),
            other => panic!("{other} is not text"),
        }
    }

    fn statements(&self, document: &Json) -> Vec<Statement> {
        document["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|statement| {
                for key in ["NotAction", "NotResource", "NotPrincipal"] {
                    assert!(
                        statement.get(key).is_none(),
                        "the evaluator does not read {key} yet: {statement}"
                    );
                }
                let principals = match statement.get("Principal") {
                    None => Vec::new(),
                    Some(Json::String(any)) => vec![(any.clone(), any.clone())],
                    Some(Json::Object(kinds)) => kinds
                        .iter()
                        .flat_map(|(kind, identifiers)| {
                            self.texts(identifiers)
                                .into_iter()
                                .map(|identifier| (kind.clone(), identifier))
                        })
                        .collect(),
                    Some(other) => panic!("principal {other}"),
                };
                let conditions = statement
                    .get("Condition")
                    .and_then(Json::as_object)
                    .into_iter()
                    .flatten()
                    .flat_map(|(operator, tests)| {
                        tests.as_object().unwrap().iter().map(|(key, values)| {
                            (operator.clone(), key.clone(), self.texts(values))
                        })
                    })
                    .collect();
                Statement {
                    sid: statement["Sid"].as_str().unwrap_or_default().to_string(),
                    allow: statement["Effect"] == "Allow",
                    principals,
                    actions: self.texts(&statement["Action"]),
                    resources: self.texts(&statement["Resource"]),
                    conditions,
                }
            })
            .collect()
    }

    fn roles(&self) -> Roles {
        let mut roles = Roles::default();
        for (logical, resource) in self.resources {
            let properties = &resource["Properties"];
            match resource["Type"].as_str().unwrap() {
                "AWS::IAM::Role" => {
                    let name = self.name(logical);
                    assert!(
                        properties.get("Policies").is_none(),
                        "{logical}: inline policies are not read yet"
                    );
                    roles.statements.entry(name.clone()).or_default();
                    if let Some(managed) = properties.get("ManagedPolicyArns") {
                        roles.managed.insert(name, self.texts(managed));
                    }
                }
                "AWS::IAM::RolePolicy" => {
                    let role = self.text(&properties["RoleName"]);
                    let statements = self.statements(&properties["PolicyDocument"]);
                    roles.statements.entry(role).or_default().extend(statements);
                }
                "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                    panic!("{logical}: {} is not read yet", resource["Type"])
                }
                _ => {}
            }
        }
        roles
    }
}

fn concat(args: FuncArgs) -> Result<hcl::Value, String> {
    let mut joined = Vec::new();
    for list in args.iter() {
        match list {
            hcl::Value::Array(items) => joined.extend(items.iter().cloned()),
            other => return Err(format!("concat of {other:?}")),
        }
    }
    Ok(hcl::Value::Array(joined))
}

/// A Terraform configuration, evaluated with its variables' defaults.
struct Configuration {
    bodies: Vec<hcl::Body>,
    context: Context<'static>,
    region: String,
}

fn object(entries: &[(&str, hcl::Value)]) -> hcl::Value {
    hcl::Value::Object(
        entries
            .iter()
            .map(|(key, value)| ((*key).to_string(), value.clone()))
            .collect(),
    )
}

fn labels(block: &hcl::Block) -> Vec<&str> {
    block.labels().iter().map(hcl::BlockLabel::as_str).collect()
}

fn attribute<'a>(body: &'a hcl::Body, key: &str) -> Option<&'a hcl::Expression> {
    body.attributes()
        .find(|attribute| attribute.key() == key)
        .map(hcl::Attribute::expr)
}

impl Configuration {
    fn new(files: &BTreeMap<String, String>, region: &str) -> Self {
        let bodies = common::terraform_bodies(files);
        let mut base = Self::base(hcl::Map::new(), region);
        let mut variables = hcl::Map::new();
        for block in bodies.iter().flat_map(hcl::Body::blocks) {
            if block.identifier() == "variable"
                && let Some(default) = attribute(block.body(), "default")
            {
                variables.insert(
                    labels(block)[0].to_string(),
                    default.evaluate(&base).unwrap(),
                );
            }
        }
        base = Self::base(variables.clone(), region);
        let mut resources: BTreeMap<String, hcl::Map<String, hcl::Value>> = BTreeMap::new();
        let mut data_sources: BTreeMap<String, hcl::Map<String, hcl::Value>> = BTreeMap::new();
        // Rules name their bus: they are read once the buses are known.
        for rules in [false, true] {
            let mut context = Self::base(variables.clone(), region);
            for (kind, instances) in &resources {
                context.declare_var(kind.as_str(), hcl::Value::Object(instances.clone()));
            }
            for block in bodies.iter().flat_map(hcl::Body::blocks) {
                let [kind_name, label] = labels(block)[..] else {
                    continue;
                };
                if (kind_name == "aws_cloudwatch_event_rule") != rules {
                    continue;
                }
                let found = match block.identifier() {
                    "resource" => &mut resources,
                    "data" => &mut data_sources,
                    _ => continue,
                };
                let Some(kind) = KINDS.iter().find(|kind| kind.terraform == kind_name) else {
                    continue;
                };
                let count = attribute(block.body(), "count").map(|count| {
                    usize::try_from(count.evaluate(&base).unwrap().as_u64().unwrap()).unwrap()
                });
                let instance = |index: usize| {
                    let mut context = context.clone();
                    context.declare_var("count", object(&[("index", hcl::Value::from(index))]));
                    let evaluated = |key: &str| {
                        attribute(block.body(), key)
                            .unwrap_or_else(|| panic!("{kind_name}.{label} has no {key}"))
                            .evaluate(&context)
                            .unwrap()
                    };
                    let mut name = match kind.name_attribute {
                        "" => KEY_ID.to_string(),
                        "tags" => evaluated("tags").as_object().unwrap()["Name"]
                            .as_str()
                            .unwrap()
                            .to_string(),
                        key => evaluated(key).as_str().unwrap().to_string(),
                    };
                    let mut arn_name = name.clone();
                    if let Some(bus) = attribute(block.body(), "event_bus_name") {
                        let bus = bus.evaluate(&context).unwrap();
                        let bus = bus.as_str().unwrap();
                        if bus != "default" {
                            arn_name = format!("{bus}/{name}");
                        }
                    }
                    let resource_arn = arn(kind, &arn_name, region);
                    let id = match kind_name {
                        "aws_subnet" => format!("subnet-{name}"),
                        "aws_security_group" => format!("sg-{name}"),
                        _ => name.clone(),
                    };
                    let url = format!("https://sqs.{region}.amazonaws.com/{ACCOUNT}/{name}");
                    let secret = database_secret(&name, region);
                    object(&[
                        ("name", hcl::Value::from(std::mem::take(&mut name))),
                        ("function_name", hcl::Value::from(arn_name.clone())),
                        ("id", hcl::Value::from(id)),
                        ("arn", hcl::Value::from(resource_arn)),
                        ("url", hcl::Value::from(url)),
                        ("key_id", hcl::Value::from(KEY_ID)),
                        (
                            "master_user_secret",
                            hcl::Value::Array(vec![object(&[(
                                "secret_arn",
                                hcl::Value::from(secret),
                            )])]),
                        ),
                    ])
                };
                let value = match count {
                    Some(count) => hcl::Value::Array((0..count).map(instance).collect()),
                    None => instance(0),
                };
                found
                    .entry(kind_name.to_string())
                    .or_default()
                    .insert(label.to_string(), value);
            }
        }
        let mut context = Self::base(variables, region);
        let data = data_sources
            .into_iter()
            .map(|(kind, instances)| (kind, hcl::Value::Object(instances)));
        context.declare_var("data", Self::data(region, data));
        for (kind, instances) in resources {
            context.declare_var(kind, hcl::Value::Object(instances));
        }
        Configuration {
            bodies,
            context,
            region: region.to_string(),
        }
    }

    /// The variables, data sources and functions every expression may use.
    fn base(variables: hcl::Map<String, hcl::Value>, region: &str) -> Context<'static> {
        let mut context = Context::new();
        context.declare_var("var", hcl::Value::Object(variables));
        context.declare_var("data", Self::data(region, std::iter::empty()));
        context.declare_func(
            "concat",
            FuncDef::builder()
                .variadic_param(ParamType::Any)
                .build(concat),
        );
        context
    }

    /// The data sources: the account, partition and region of the
    /// deployment, and those of `found` (by kind, by label).
    fn data(region: &str, found: impl Iterator<Item = (String, hcl::Value)>) -> hcl::Value {
        let mut data = object(&[
            (
                "aws_region",
                object(&[(
                    "current",
                    object(&[
                        ("name", hcl::Value::from(region)),
                        ("region", hcl::Value::from(region)),
                    ]),
                )]),
            ),
            (
                "aws_caller_identity",
                object(&[(
                    "current",
                    object(&[("account_id", hcl::Value::from(ACCOUNT))]),
                )]),
            ),
            (
                // The account Elastic Load Balancing writes access logs
                // from (its value matters to no role).
                "aws_elb_service_account",
                object(&[(
                    "current",
                    object(&[("arn", hcl::Value::from("arn:aws:iam::127311923021:root"))]),
                )]),
            ),
            (
                "aws_partition",
                object(&[(
                    "current",
                    object(&[
                        ("partition", hcl::Value::from("aws")),
                        ("dns_suffix", hcl::Value::from("amazonaws.com")),
                    ]),
                )]),
            ),
        ]);
        if let hcl::Value::Object(sources) = &mut data {
            sources.extend(found);
        }
        data
    }

    fn texts(&self, expression: &hcl::Expression) -> Vec<String> {
        match expression.evaluate(&self.context) {
            Ok(hcl::Value::Array(items)) => items
                .into_iter()
                .map(|item| item.as_str().unwrap().to_string())
                .collect(),
            Ok(hcl::Value::String(text)) => vec![text],
            other => panic!("{expression:?} evaluates to {other:?}"),
        }
    }

    fn text(&self, expression: &hcl::Expression) -> String {
        let mut texts = self.texts(expression);
        assert_eq!(texts.len(), 1, "{expression:?}");
        texts.remove(0)
    }

    fn blocks(&self) -> impl Iterator<Item = &hcl::Block> {
        self.bodies.iter().flat_map(hcl::Body::blocks)
    }

    /// Every `aws_iam_policy_document`, by label.
    fn documents(&self) -> BTreeMap<&str, Vec<Statement>> {
        let mut documents: BTreeMap<&str, Vec<Statement>> = BTreeMap::new();
        for block in self.blocks() {
            if block.identifier() == "data" && labels(block)[0] == "aws_iam_policy_document" {
                let statements = block
                    .body()
                    .blocks()
                    .filter(|block| block.identifier() == "statement")
                    .map(|statement| {
                        let body = statement.body();
                        for key in ["not_actions", "not_resources"] {
                            assert!(attribute(body, key).is_none(), "{key} is not read yet");
                        }
                        let blocks = |kind: &'static str| {
                            body.blocks()
                                .filter(move |block| block.identifier() == kind)
                        };
                        let principals = blocks("principals")
                            .flat_map(|principal| {
                                let kind = self.text(attribute(principal.body(), "type").unwrap());
                                self.texts(attribute(principal.body(), "identifiers").unwrap())
                                    .into_iter()
                                    .map(move |identifier| (kind.clone(), identifier))
                            })
                            .collect();
                        let conditions = blocks("condition")
                            .map(|condition| {
                                let text =
                                    |key| self.text(attribute(condition.body(), key).unwrap());
                                (
                                    text("test"),
                                    text("variable"),
                                    self.texts(attribute(condition.body(), "values").unwrap()),
                                )
                            })
                            .collect();
                        Statement {
                            sid: attribute(body, "sid")
                                .map(|sid| self.text(sid))
                                .unwrap_or_default(),
                            allow: attribute(body, "effect")
                                .is_none_or(|effect| self.text(effect) == "Allow"),
                            principals,
                            actions: attribute(body, "actions")
                                .map(|actions| self.texts(actions))
                                .unwrap_or_default(),
                            resources: attribute(body, "resources")
                                .map(|resources| self.texts(resources))
                                .unwrap_or_default(),
                            conditions,
                        }
                    })
                    .collect();
                documents.insert(labels(block)[1], statements);
            }
        }
        documents
    }

    /// The statements of the document an attribute (`policy = data.
    /// aws_iam_policy_document.LABEL.json`) names.
    fn document(
        documents: &mut BTreeMap<&str, Vec<Statement>>,
        body: &hcl::Body,
    ) -> Vec<Statement> {
        let policy = hcl::format::to_string(attribute(body, "policy").unwrap()).unwrap();
        let document = policy
            .strip_prefix("data.aws_iam_policy_document.")
            .and_then(|rest| rest.strip_suffix(".json"))
            .unwrap_or_else(|| panic!("policy {policy} is not a policy document"));
        documents.remove(document).unwrap()
    }

    fn roles(&self) -> Roles {
        let mut documents = self.documents();
        let mut roles = Roles::default();
        for block in self.blocks() {
            if block.identifier() != "resource" {
                continue;
            }
            let body = block.body();
            match labels(block)[0] {
                "aws_iam_role" => {
                    let name = self.text(attribute(body, "name").unwrap());
                    assert!(
                        body.blocks()
                            .all(|block| block.identifier() != "inline_policy"),
                        "inline policies are not read yet"
                    );
                    roles.statements.entry(name).or_default();
                }
                "aws_iam_role_policy" => {
                    let role = self.text(attribute(body, "role").unwrap());
                    let statements = Self::document(&mut documents, body);
                    roles.statements.entry(role).or_default().extend(statements);
                }
                "aws_iam_role_policy_attachment" => {
                    let role = self.text(attribute(body, "role").unwrap());
                    let policy = self.text(attribute(body, "policy_arn").unwrap());
                    roles.managed.entry(role).or_default().push(policy);
                }
                "aws_iam_policy" | "aws_iam_role_policies_exclusive" => {
                    panic!("{} is not read yet", labels(block)[0])
                }
                _ => {}
            }
        }
        roles
    }
}

impl Configuration {
    /// The policy of the system's key.
    fn key_policy(&self) -> Vec<Statement> {
        let mut documents = self.documents();
        let key = self
            .blocks()
            .find(|block| block.identifier() == "resource" && labels(block)[0] == "aws_kms_key")
            .unwrap();
        Self::document(&mut documents, key.body())
    }

    /// The policies of queues and topics and the permissions of functions,
    /// by the ARN of the resource they are on.
    fn policies(&self) -> Policies {
        let mut documents = self.documents();
        let mut policies = Policies::new();
        for block in self.blocks() {
            if block.identifier() != "resource" {
                continue;
            }
            let body = block.body();
            let text = |key: &str| attribute(body, key).map(|value| self.text(value));
            match labels(block)[0] {
                "aws_sqs_queue_policy" => {
                    let queue = queue_arn_of_url(&text("queue_url").unwrap());
                    let statements = Self::document(&mut documents, body);
                    policies.entry(queue).or_default().extend(statements);
                }
                "aws_sns_topic_policy" => {
                    let topic = text("arn").unwrap();
                    let statements = Self::document(&mut documents, body);
                    policies.entry(topic).or_default().extend(statements);
                }
                "aws_lambda_permission" => {
                    let (function, statement) = permission(
                        &self.region,
                        text,
                        [
                            "function_name",
                            "principal",
                            "action",
                            "source_arn",
                            "source_account",
                        ],
                    );
                    policies.entry(function).or_default().push(statement);
                }
                _ => {}
            }
        }
        policies
    }
}

impl Stack<'_> {
    /// The policy of the system's key.
    fn key_policy(&self) -> Vec<Statement> {
        let (_, key) = self
            .resources
            .iter()
            .find(|(_, resource)| resource["Type"] == "AWS::KMS::Key")
            .unwrap();
        self.statements(&key["Properties"]["KeyPolicy"])
    }

    /// The policies of queues and topics and the permissions of functions,
    /// by the ARN of the resource they are on.
    fn policies(&self) -> Policies {
        let mut policies = Policies::new();
        for resource in self.resources.values() {
            let properties = &resource["Properties"];
            let optional = |key: &str| properties.get(key).map(|value| self.text(value));
            match resource["Type"].as_str().unwrap() {
                "AWS::SQS::QueuePolicy" => {
                    for queue in self.texts(&properties["Queues"]) {
                        let statements = self.statements(&properties["PolicyDocument"]);
                        policies
                            .entry(queue_arn_of_url(&queue))
                            .or_default()
                            .extend(statements);
                    }
                }
                "AWS::SNS::TopicPolicy" => {
                    for topic in self.texts(&properties["Topics"]) {
                        let statements = self.statements(&properties["PolicyDocument"]);
                        policies.entry(topic).or_default().extend(statements);
                    }
                }
                "AWS::Lambda::Permission" => {
                    let (function, statement) = permission(
                        &self.region,
                        optional,
                        [
                            "FunctionName",
                            "Principal",
                            "Action",
                            "SourceArn",
                            "SourceAccount",
                        ],
                    );
                    policies.entry(function).or_default().push(statement);
                }
                _ => {}
            }
        }
        policies
    }

    /// What AWS services deliver for the system without a role: a rule's
    /// targets and dead-letter queue, a topic's subscriptions, a target
    /// group's functions, an alarm's notifications.
    fn deliveries(&self) -> Vec<Delivery> {
        let mut deliveries = Vec::new();
        let mut add = |service: &str, resource: String, source: &str| {
            let action = match resource.split(':').nth(2) {
                Some("sqs") => "sqs:SendMessage",
                Some("sns") => "sns:Publish",
                Some("lambda") => "lambda:InvokeFunction",
                other => panic!("{source} delivers to {resource} ({other:?}) without a role"),
            };
            deliveries.push(Delivery {
                service: service.to_string(),
                action: action.to_string(),
                resource,
                source: source.to_string(),
            });
        };
        for (logical, resource) in self.resources {
            let properties = &resource["Properties"];
            match resource["Type"].as_str().unwrap() {
                "AWS::Events::Rule" => {
                    let rule = self.arn(logical);
                    for target in properties["Targets"].as_array().into_iter().flatten() {
                        if target.get("RoleArn").is_none() {
                            add("events.amazonaws.com", self.text(&target["Arn"]), &rule);
                        }
                        if let Some(queue) = target["DeadLetterConfig"].get("Arn") {
                            add("events.amazonaws.com", self.text(queue), &rule);
                        }
                    }
                }
                "AWS::SNS::Subscription" => {
                    let topic = self.text(&properties["TopicArn"]);
                    add(
                        "sns.amazonaws.com",
                        self.text(&properties["Endpoint"]),
                        &topic,
                    );
                }
                "AWS::CloudWatch::Alarm" => {
                    let alarm = self.arn(logical);
                    for key in ["AlarmActions", "OKActions"] {
                        for topic in self.texts(&properties[key]) {
                            add("cloudwatch.amazonaws.com", topic, &alarm);
                        }
                    }
                }
                "AWS::ElasticLoadBalancingV2::TargetGroup"
                    if properties["TargetType"] == "lambda" =>
                {
                    let group = self.arn(logical);
                    for target in properties["Targets"].as_array().into_iter().flatten() {
                        add(
                            "elasticloadbalancing.amazonaws.com",
                            self.text(&target["Id"]),
                            &group,
                        );
                    }
                }
                _ => {}
            }
        }
        deliveries
    }
}

// ---------------------------------------------------------------------------
// Resource policies, evaluated with their conditions.

/// A delivery AWS makes for the system: `service` performs `action` on
/// `resource` for `source` (a rule, a topic, a target group).
#[derive(Clone, Debug)]
struct Delivery {
    service: String,
    action: String,
    resource: String,
    source: String,
}

/// Resource policies (and Lambda permissions, as the statements Lambda
/// adds to a function's policy), by the ARN of their resource.
type Policies = BTreeMap<String, Vec<Statement>>;

/// `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`, as an ARN.
fn queue_arn_of_url(url: &str) -> String {
    let rest = url.strip_prefix("https://sqs.").unwrap();
    let (region, rest) = rest.split_once(".amazonaws.com/").unwrap();
    let (account, name) = rest.split_once('/').unwrap();
    format!("arn:aws:sqs:{region}:{account}:{name}")
}

fn function_arn(name_or_arn: &str, region: &str) -> String {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.to_string()
    } else {
        format!("arn:aws:lambda:{region}:{ACCOUNT}:function:{name_or_arn}")
    }
}

/// The function of a permission and the statement Lambda adds to its
/// policy for it (`AddPermission` compares `SourceArn` with `ArnLike`),
/// from the permission's function, principal, action, source ARN and
/// source account, read by `text` under the backend's `keys`.
fn permission(
    region: &str,
    text: impl Fn(&str) -> Option<String>,
    keys: [&str; 5],
) -> (String, Statement) {
    let [function, principal, action, source_arn, source_account] = keys.map(&text);
    let function = function_arn(&function.unwrap(), region);
    let mut conditions = Vec::new();
    if let Some(source) = source_arn {
        conditions.push((
            "ArnLike".to_string(),
            "aws:SourceArn".to_string(),
            vec![source],
        ));
    }
    if let Some(account) = source_account {
        conditions.push((
            "StringEquals".to_string(),
            "aws:SourceAccount".to_string(),
            vec![account],
        ));
    }
    let statement = Statement {
        sid: "permission".to_string(),
        allow: true,
        principals: vec![("Service".to_string(), principal.unwrap())],
        actions: vec![action.unwrap()],
        resources: vec![function.clone()],
        conditions,
    };
    (function, statement)
}

/// A request to AWS: `service` performs `action` on `resource`, with the
/// condition keys of `context` (a key the request lacks fails every
/// condition on it, as IAM's operators without `IfExists` do).
struct Request<'a> {
    service: &'a str,
    action: &'a str,
    resource: &'a str,
    context: Vec<(&'static str, String)>,
}

impl Delivery {
    /// The request of the delivery: over TLS, for its source, from the
    /// system's account.
    fn request(&self) -> Request<'_> {
        Request {
            service: &self.service,
            action: &self.action,
            resource: &self.resource,
            context: vec![
                ("aws:SourceArn", self.source.clone()),
                ("aws:SourceAccount", ACCOUNT.to_string()),
                ("aws:SecureTransport", "true".to_string()),
            ],
        }
    }
}

/// Whether a statement applies to a request.
fn applies(statement: &Statement, request: &Request<'_>) -> bool {
    let principal = statement.principals.iter().any(|(kind, identifier)| {
        (kind == "*" && identifier == "*") || (kind == "Service" && identifier == request.service)
    });
    let action = statement
        .actions
        .iter()
        .any(|granted| wildcard(&granted.to_lowercase(), &request.action.to_lowercase()));
    let resource = statement
        .resources
        .iter()
        .any(|granted| wildcard(granted, request.resource));
    principal
        && action
        && resource
        && statement.conditions.iter().all(|(operator, key, values)| {
            let Some((_, value)) = request.context.iter().find(|(known, _)| known == key) else {
                return false;
            };
            match operator.as_str() {
                "ArnEquals" | "StringEquals" | "Bool" => {
                    values.iter().any(|expected| expected == value)
                }
                "ArnLike" | "StringLike" => values.iter().any(|pattern| wildcard(pattern, value)),
                other => panic!("condition operator {other} is not evaluated"),
            }
        })
}

/// IAM's decision for a resource policy: no denial applies and an
/// allowance does.
fn permitted(statements: &[Statement], request: &Request<'_>) -> bool {
    statements
        .iter()
        .all(|statement| statement.allow || !applies(statement, request))
        && statements
            .iter()
            .any(|statement| statement.allow && applies(statement, request))
}

/// Checks one backend's resource policies against the deliveries: each is
/// allowed for its source and refused for another source of the same
/// service; every statement allowing a service serves a delivery, for a
/// source it names.
fn evaluate_deliveries(
    backend: &str,
    policies: &Policies,
    deliveries: &[Delivery],
) -> (Vec<String>, usize) {
    let mut problems = Vec::new();
    let mut checked = 0;
    let none = Vec::new();
    for delivery in deliveries {
        let statements = policies.get(&delivery.resource).unwrap_or(&none);
        checked += 1;
        if !permitted(statements, &delivery.request()) {
            problems.push(format!(
                "{backend}: {} may not {} on {} for {}",
                delivery.service, delivery.action, delivery.resource, delivery.source
            ));
        }
        let stranger = Delivery {
            // Another resource of the same kind, in the same account: its
            // name, after the last `:` or `/`, is not one of the system's.
            source: format!(
                "{}not-this-one",
                &delivery.source[..=delivery.source.rfind([':', '/']).unwrap()]
            ),
            ..delivery.clone()
        };
        if permitted(statements, &stranger.request()) {
            problems.push(format!(
                "{backend}: {} may {} on {} for any source, {} included",
                delivery.service, delivery.action, delivery.resource, stranger.source
            ));
        }
    }
    for (resource, statements) in policies {
        for statement in statements.iter().filter(|statement| statement.allow) {
            let sources: Vec<&String> = statement
                .conditions
                .iter()
                .filter(|(_, key, _)| key == "aws:SourceArn")
                .flat_map(|(_, _, values)| values)
                .collect();
            for (_, service) in &statement.principals {
                for action in &statement.actions {
                    checked += 1;
                    if sources.is_empty() {
                        problems.push(format!(
                            "{backend}: {resource}, statement {}: {service} may {action} for any source",
                            statement.sid
                        ));
                    }
                    for source in &sources {
                        let serves = deliveries.iter().any(|delivery| {
                            delivery.service == *service
                                && delivery.action.eq_ignore_ascii_case(action)
                                && delivery.resource == *resource
                                && wildcard(source, &delivery.source)
                        });
                        if !serves {
                            problems.push(format!(
                                "{backend}: {resource}, statement {}: {service} may {action} for {source}, which delivers nothing there",
                                statement.sid
                            ));
                        }
                    }
                }
            }
        }
    }
    (problems, checked)
}

// ---------------------------------------------------------------------------
// The contract.

/// One row of a table of docs/runtime.md: the relation, and its calls in
/// groups (separated by `;`), each with the resources it acts on.
struct Row {
    relation: String,
    groups: Vec<(Vec<String>, String)>,
}

fn contract() -> Vec<Row> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/runtime.md")).unwrap();
    let mut rows = Vec::new();
    for section in [
        "## What the code may call",
        "## What AWS does for the system",
    ] {
        let table = text
            .split(section)
            .nth(1)
            .unwrap_or_else(|| panic!("docs/runtime.md has no section {section}"))
            .split("\n## ")
            .next()
            .unwrap();
        for line in table.lines().filter(|line| line.starts_with('|')) {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            if cells.len() != 3 || cells[0] == "relation" || cells[0] == "role" {
                continue;
            }
            if cells[0].starts_with("---") {
                continue;
            }
            let calls: Vec<&str> = cells[1].split(';').collect();
            let on: Vec<&str> = cells[2].split(';').collect();
            let mut groups = Vec::new();
            let mut actions_of_row = 0;
            for (group, resources) in calls.iter().zip(&on) {
                let mut prefix = String::new();
                let mut actions = Vec::new();
                for (index, token) in group.split('`').enumerate() {
                    if index % 2 == 0 {
                        continue;
                    }
                    if let Some((service, _)) = token.split_once(':') {
                        prefix = service.to_string();
                        actions.push(token.to_string());
                    } else if !prefix.is_empty()
                        && token.chars().next().is_some_and(char::is_uppercase)
                    {
                        actions.push(format!("{prefix}:{token}"));
                    }
                }
                actions_of_row += actions.len();
                groups.push((actions, (*resources).to_string()));
            }
            assert!(
                actions_of_row == 0 || calls.len() == on.len(),
                "docs/runtime.md: {}: {} groups of calls, {} of resources",
                cells[0],
                calls.len(),
                on.len()
            );
            rows.push(Row {
                relation: cells[0].to_string(),
                groups,
            });
        }
    }
    rows
}

/// A call a role may make: the action, the resource as the policy must
/// name it, and a resource a request acts on.
#[derive(Clone, Debug)]
struct Need {
    relation: String,
    action: String,
    pattern: String,
    request: String,
}

/// The resources a relation acts on, by what the contract calls them.
#[derive(Clone, Default)]
struct Resources {
    /// "the queue", "the callee", "the bus", ...: the relation's own.
    own: Vec<String>,
    /// "its log group", "its subnets", "the system key", ...
    named: BTreeMap<&'static str, Vec<String>>,
}

/// What the contract's words for a resource say, most specific first.
const NAMED: &[&str] = &[
    "`*`",
    "system key",
    "log group",
    "indexes",
    "objects",
    "network interfaces",
    "subnets",
    "security group",
    "ARNs written",
    "repository",
    "dead-letter queue",
    "command queue",
    "stream-failures queue",
];

impl Resources {
    fn own(own: Vec<String>) -> Self {
        Resources {
            own,
            named: BTreeMap::new(),
        }
    }

    fn with(mut self, name: &'static str, arns: Vec<String>) -> Self {
        self.named.insert(name, arns);
        self
    }
}

/// The calls a row allows for one relation.
fn needs_of(
    rows: &[Row],
    relation: &str,
    resources: &Resources,
    key: &str,
    region: &str,
) -> Vec<Need> {
    let row = rows
        .iter()
        .find(|row| row.relation.starts_with(relation))
        .unwrap_or_else(|| panic!("docs/runtime.md lists no calls for \"{relation}\""));
    let mut needs = Vec::new();
    for (actions, on) in &row.groups {
        // What is in parentheses explains; the resources are outside.
        let mut words = String::new();
        let mut depth = 0;
        for ch in on.chars() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ if depth == 0 => words.push(ch),
                _ => {}
            }
        }
        for part in words.split(" and ").flat_map(|part| part.split(", ")) {
            let named = NAMED.iter().find(|name| part.contains(**name));
            let pairs: Vec<(String, String)> = match named.copied() {
                Some("`*`") => vec![("*".to_string(), "*".to_string())],
                Some("system key") => vec![(key.to_string(), key.to_string())],
                Some("network interfaces") => {
                    let interfaces = format!("arn:aws:ec2:{region}:{ACCOUNT}:network-interface/");
                    vec![(format!("{interfaces}*"), format!("{interfaces}eni-0123"))]
                }
                Some(name) => {
                    let arns = resources.named.get(name).unwrap_or_else(|| {
                        panic!("\"{relation}\": the test knows no {name} for this relation")
                    });
                    arns.iter()
                        .map(|arn| match name {
                            "log group" => (format!("{arn}:*"), format!("{arn}:log-stream:s")),
                            "indexes" => (format!("{arn}/index/*"), format!("{arn}/index/i")),
                            "objects" => (format!("{arn}/*"), format!("{arn}/k")),
                            _ => (arn.clone(), arn.clone()),
                        })
                        .collect()
                }
                None => resources
                    .own
                    .iter()
                    .map(|arn| (arn.clone(), arn.clone()))
                    .collect(),
            };
            for action in actions {
                for (pattern, request) in &pairs {
                    needs.push(Need {
                        relation: row.relation.clone(),
                        action: action.clone(),
                        pattern: pattern.clone(),
                        request: request.clone(),
                    });
                }
            }
        }
    }
    needs
}

/// IAM's wildcards: `*` any run of characters, `?` any one.
fn wildcard(pattern: &str, value: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let value: Vec<char> = value.chars().collect();
    let (mut p, mut v) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == value[v]) {
            p += 1;
            v += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, v));
            p += 1;
        } else if let Some((star_p, star_v)) = star {
            p = star_p + 1;
            v = star_v + 1;
            star = Some((star_p, star_v + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|ch| *ch == '*')
}

fn allows(statements: &[Statement], action: &str, resource: &str) -> bool {
    statements.iter().any(|statement| {
        statement
            .actions
            .iter()
            .any(|granted| wildcard(&granted.to_lowercase(), &action.to_lowercase()))
            && statement
                .resources
                .iter()
                .any(|granted| wildcard(granted, resource))
    })
}

/// The relations of every role of an example and the calls the contract
/// allows them, by role name.
fn needs(
    rows: &[Row],
    system: &meshc::model::System,
    stack: &Stack<'_>,
) -> (BTreeMap<String, Vec<Need>>, BTreeMap<String, Vec<String>>) {
    use meshc::model::{Access, Carrier, Channel, ComponentId, DataStore};
    let key = stack
        .resources
        .iter()
        .filter(|(_, resource)| resource["Type"] == "AWS::KMS::Key")
        .map(|(logical, _)| stack.arn(logical))
        .next()
        .unwrap();
    let mut needs: BTreeMap<String, Vec<Need>> = BTreeMap::new();
    // Written by hand, the roles of services, and the roles with a managed
    // policy: merged once the relations are read.
    let mut by_hand: Vec<(String, Need)> = Vec::new();
    let mut service_roles: Vec<String> = Vec::new();
    let mut managed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |role: String, relation: &str, resources: Resources| {
        let found = needs_of(rows, relation, &resources, &key, &stack.region);
        needs.entry(role).or_default().extend(found);
    };
    let component = |id: ComponentId| system.component_name(id).unwrap().text.clone();
    let role_of = |logical: &str| stack.name(logical);
    let mappings: Vec<&Json> = stack
        .resources
        .values()
        .filter(|resource| resource["Type"] == "AWS::Lambda::EventSourceMapping")
        .collect();
    for service in &system.services {
        let name = &service.name.text;
        let role = role_of(&logical(name, "Role"));
        service_roles.push(role.clone());
        for publish in &service.publishes {
            let carrier = match publish.target {
                Channel::Event(event) => system.event(event).unwrap().carrier.value,
                Channel::Queue(queue) => {
                    let queue = stack.arn(&logical(&component(ComponentId::Queue(queue)), "Queue"));
                    add(
                        role.clone(),
                        "`publishes` to a queue",
                        Resources::own(vec![queue]),
                    );
                    continue;
                }
                Channel::Topic(topic) => Carrier::Topic(topic),
                Channel::Stream(stream) => Carrier::Stream(stream),
            };
            let (relation, resource) = match carrier {
                Carrier::DefaultBus => (
                    "`publishes` an event on a bus",
                    format!(
                        "arn:aws:events:{}:{ACCOUNT}:event-bus/default",
                        stack.region
                    ),
                ),
                Carrier::Bus(bus) => (
                    "`publishes` an event on a bus",
                    stack.arn(&logical(&component(ComponentId::Bus(bus)), "EventBus")),
                ),
                Carrier::Topic(topic) => (
                    "`publishes` to a topic",
                    stack.arn(&logical(&component(ComponentId::Topic(topic)), "Topic")),
                ),
                Carrier::Stream(stream) => (
                    "`publishes` to a stream",
                    stack.arn(&logical(&component(ComponentId::Stream(stream)), "Stream")),
                ),
            };
            add(role.clone(), relation, Resources::own(vec![resource]));
        }
        for usage in &service.uses {
            let store = &usage.target.name(system).unwrap().text;
            let reads = usage.access.value != Access::Write;
            let writes = usage.access.value != Access::Read;
            let (kind, resources) = match usage.target {
                DataStore::Table(_) => {
                    let table = stack.arn(&logical(store, "Table"));
                    (
                        "table",
                        Resources::own(vec![table.clone()]).with("indexes", vec![table]),
                    )
                }
                DataStore::Database(_) => (
                    "database",
                    Resources::own(vec![database_secret(
                        &stack.name(&logical(store, "Database")),
                        &stack.region,
                    )]),
                ),
                DataStore::Bucket(_) => {
                    let bucket = stack.arn(&logical(store, "Bucket"));
                    (
                        "bucket",
                        Resources::own(vec![bucket.clone()]).with("objects", vec![bucket]),
                    )
                }
                DataStore::Secret(_) => (
                    "secret",
                    Resources::own(vec![stack.arn(&logical(store, "Secret"))]),
                ),
                DataStore::Parameter(_) => (
                    "parameter",
                    Resources::own(vec![stack.arn(&logical(store, "Parameter"))]),
                ),
            };
            let accesses: &[&str] = match kind {
                "database" | "parameter" => &[""],
                _ => &["read", "write"],
            };
            for access in accesses {
                let relation = if access.is_empty() {
                    format!("`uses` a {kind}")
                } else if (*access == "read" && reads) || (*access == "write" && writes) {
                    format!("`uses` a {kind}, `({access})`")
                } else {
                    continue;
                };
                add(role.clone(), &relation, resources.clone());
            }
        }
        for call in &service.calls {
            if call.via.value == meshc::model::Via::Invoke {
                let callee = &system.service(call.target).unwrap().name.text;
                add(
                    role.clone(),
                    "`calls` with `via = invoke`",
                    Resources::own(vec![stack.arn(&logical(callee, "Function"))]),
                );
            }
        }
        for api in &service.apis {
            let listed = format!("`apis = [{}]`", api.value.mesh_name());
            if service.is_lambda() && api.value.mesh_name() == "xray" {
                continue; // What every Lambda function has.
            }
            if api.value.resourceless_actions().is_none() {
                // The network path alone: what it may call there comes
                // from a `uses`, a `publishes` or `iam` (M221 otherwise).
                continue;
            }
            add(role.clone(), &listed, Resources::default());
        }
        for statement in &service.iam {
            let written: Vec<String> = statement
                .resources
                .iter()
                .map(|resource| resource.value.clone())
                .collect();
            for action in &statement.actions {
                for need in written_need(&action.value, &written) {
                    by_hand.push((role.clone(), need));
                }
            }
        }
        // What its runtime environment tells it to poll and where to put
        // the outcomes of saga operations.
        let environment: Vec<(String, Json)> = if service.is_lambda() {
            stack.resource(&logical(name, "Function"))["Properties"]["Environment"]["Variables"]
                .as_object()
                .map(|variables| {
                    variables
                        .iter()
                        .map(|(key, value)| (key.clone(), value.clone()))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            stack.resource(&logical(name, "TaskDefinition"))["Properties"]["ContainerDefinitions"]
                [0]["Environment"]
                .as_array()
                .unwrap()
                .iter()
                .map(|variable| {
                    (
                        variable["Name"].as_str().unwrap().to_string(),
                        variable["Value"].clone(),
                    )
                })
                .collect()
        };
        for (variable, value) in &environment {
            let referred = || -> String {
                match value {
                    Json::Object(object) if object.contains_key("Ref") => {
                        object["Ref"].as_str().unwrap().to_string()
                    }
                    Json::Object(object) if object.contains_key("Fn::GetAtt") => {
                        object["Fn::GetAtt"][0].as_str().unwrap().to_string()
                    }
                    _ => panic!("{name}: {variable} refers to no resource"),
                }
            };
            if variable.starts_with("MESH_SAGA_") && variable.ends_with("_BUS") {
                let bus = match value.as_str() {
                    Some("default") => format!(
                        "arn:aws:events:{}:{ACCOUNT}:event-bus/default",
                        stack.region
                    ),
                    _ => stack.arn(&referred()),
                };
                add(
                    role.clone(),
                    "runs an operation of a choreographed saga",
                    Resources::own(vec![bus]),
                );
            } else if variable.starts_with("MESH_CONSUME_") && variable.ends_with("_URL") {
                add(
                    role.clone(),
                    "`consumes` a queue",
                    Resources::own(vec![stack.arn(&referred())]),
                );
            } else if variable.starts_with("MESH_CONSUME_") && variable.ends_with("_STREAM") {
                add(
                    role.clone(),
                    "`consumes` a stream",
                    Resources::own(vec![stack.arn(&referred())]),
                );
            }
        }
        if !service.is_lambda()
            && system.sagas.iter().any(|saga| {
                saga.mode.value == meshc::model::SagaMode::Orchestrated
                    && saga.operations().any(|operation| {
                        system.service(operation.service).unwrap().name.text == *name
                    })
            })
        {
            add(
                role.clone(),
                "a Fargate service that runs an operation of an orchestrated saga",
                Resources::default(),
            );
        }
        if service.is_lambda() {
            let function = logical(name, "Function");
            let properties = &stack.resource(&function)["Properties"];
            let log_group = stack.arn(&logical(name, "LogGroup"));
            add(
                role.clone(),
                "every Lambda function",
                Resources::default().with("log group", vec![log_group]),
            );
            if let Some(queue) = properties["DeadLetterConfig"].get("TargetArn") {
                let queue = stack.text(queue);
                add(
                    role.clone(),
                    "a Lambda function with a dead-letter queue",
                    Resources::default().with("dead-letter queue", vec![queue]),
                );
            }
            if let Some(vpc) = properties.get("VpcConfig") {
                let subnets = stack
                    .texts(&vpc["SubnetIds"])
                    .into_iter()
                    .map(|id| format!("arn:aws:ec2:{}:{ACCOUNT}:subnet/{id}", stack.region))
                    .collect();
                let groups = stack
                    .texts(&vpc["SecurityGroupIds"])
                    .into_iter()
                    .map(|id| format!("arn:aws:ec2:{}:{ACCOUNT}:security-group/{id}", stack.region))
                    .collect();
                add(
                    role.clone(),
                    "a Lambda function in a subnet",
                    Resources::default()
                        .with("subnets", subnets)
                        .with("security group", groups),
                );
            }
            let this = stack.arn(&function);
            for mapping in &mappings {
                let properties = &mapping["Properties"];
                if stack.text(&properties["FunctionName"]) != this
                    && stack.text(&properties["FunctionName"]) != stack.name(&function)
                {
                    continue;
                }
                let source = stack.text(&properties["EventSourceArn"]);
                let relation = if source.starts_with("arn:aws:kinesis:") {
                    "`consumes` a stream"
                } else {
                    "`consumes` a queue"
                };
                add(role.clone(), relation, Resources::own(vec![source]));
                if let Some(destination) =
                    properties["DestinationConfig"]["OnFailure"].get("Destination")
                {
                    add(
                        role.clone(),
                        "a Lambda function that `consumes` a stream",
                        Resources::default()
                            .with("stream-failures queue", vec![stack.text(destination)]),
                    );
                }
            }
        } else {
            let execution = role_of(&logical(name, "ExecutionRole"));
            let log_group = stack.arn(&logical(name, "LogGroup"));
            add(
                execution.clone(),
                "the execution role of a Fargate service",
                Resources::default().with("log group", vec![log_group]),
            );
            let repository = logical(name, "Repository");
            if stack.resources.contains_key(&repository) {
                add(
                    execution,
                    "the execution role of a Fargate service without an `image`",
                    Resources::default().with("repository", vec![stack.arn(&repository)]),
                );
            }
        }
    }
    // The roles AWS services assume for the system.
    for (logical_id, resource) in stack.resources {
        let properties = &resource["Properties"];
        match resource["Type"].as_str().unwrap() {
            "AWS::EC2::FlowLog" => {
                let role = stack.text(&properties["DeliverLogsPermissionArn"]);
                let group = stack.text(&properties["LogDestination"]);
                add(
                    role_name(&role),
                    "a network's flow-log role",
                    Resources::default()
                        .with("log group", vec![group.trim_end_matches(":*").to_string()]),
                );
            }
            "AWS::Events::Rule" => {
                for target in properties["Targets"].as_array().into_iter().flatten() {
                    let Some(role) = target.get("RoleArn") else {
                        continue;
                    };
                    let role = role_name(&stack.text(role));
                    let to = stack.text(&target["Arn"]);
                    let relation = if to.starts_with("arn:aws:kinesis:") {
                        "the role a rule delivers to a stream with"
                    } else if to.starts_with("arn:aws:states:") {
                        "the role a rule starts a saga with"
                    } else {
                        panic!("{logical_id}: a target with a role delivers to {to}")
                    };
                    add(role, relation, Resources::own(vec![to]));
                }
            }
            "AWS::StepFunctions::StateMachine" => {
                let role = role_name(&stack.text(&properties["RoleArn"]));
                let saga = system
                    .sagas
                    .iter()
                    .find(|saga| logical(&saga.name.text, "StateMachine") == *logical_id)
                    .unwrap();
                let mut functions = Vec::new();
                let mut commands = Vec::new();
                for operation in saga.operations() {
                    let service = system.service(operation.service).unwrap();
                    let (list, arn) = if service.is_lambda() {
                        (
                            &mut functions,
                            stack.arn(&logical(&service.name.text, "Function")),
                        )
                    } else {
                        (
                            &mut commands,
                            stack.arn(&logical(&service.name.text, "CommandsQueue")),
                        )
                    };
                    if !list.contains(&arn) {
                        list.push(arn);
                    }
                }
                let dead_letter = stack.arn(&logical(&saga.name.text, "DlqQueue"));
                add(
                    role,
                    "a saga's state machine",
                    Resources::own(functions)
                        .with("command queue", commands)
                        .with("dead-letter queue", vec![dead_letter]),
                );
            }
            "AWS::RDS::DBInstance" => {
                if let Some(role) = properties.get("MonitoringRoleArn") {
                    let role = role_name(&stack.text(role));
                    add(
                        role.clone(),
                        "a database's enhanced-monitoring role",
                        Resources::default(),
                    );
                    managed.insert(
                        role,
                        vec![
                            "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
                                .to_string(),
                        ],
                    );
                }
            }
            _ => {}
        }
    }
    for (role, need) in by_hand {
        needs.entry(role).or_default().push(need);
    }
    for role in service_roles {
        needs.entry(role).or_default();
    }
    (needs, managed)
}

/// The calls of a hand-written statement: its actions on its ARNs, as
/// written.
fn written_need(action: &str, resources: &[String]) -> Vec<Need> {
    resources
        .iter()
        .map(|resource| Need {
            relation: "`iam = [...]`".to_string(),
            action: action.to_string(),
            pattern: resource.clone(),
            request: resource.clone(),
        })
        .collect()
}

fn role_name(arn: &str) -> String {
    arn.rsplit('/').next().unwrap().to_string()
}

/// `data-lake` and `Bucket` as CloudFormation names them: `DataLakeBucket`.
fn logical(name: &str, kind: &str) -> String {
    let mut id: String = name
        .split(|ch: char| !ch.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    id.push_str(kind);
    id
}

/// Checks one backend's roles against the needs; returns the problems and
/// the number of calls and statement entries checked.
fn evaluate(
    backend: &str,
    roles: &Roles,
    needs: &BTreeMap<String, Vec<Need>>,
    managed: &BTreeMap<String, Vec<String>>,
) -> (Vec<String>, usize) {
    let mut problems = Vec::new();
    let mut checked = 0;
    let names: Vec<&String> = roles.statements.keys().collect();
    let expected: Vec<&String> = needs.keys().collect();
    if names != expected {
        problems.push(format!(
            "{backend}: roles {names:?}, but the contract's relations are of {expected:?}"
        ));
    }
    for (role, statements) in &roles.statements {
        let wanted = needs.get(role).map_or(&[][..], Vec::as_slice);
        for need in wanted {
            checked += 1;
            if !allows(statements, &need.action, &need.request) {
                problems.push(format!(
                    "{backend}: role {role} may not {} on {} ({})",
                    need.action, need.request, need.relation
                ));
            }
        }
        for statement in statements {
            if !statement.plain() {
                problems.push(format!(
                    "{backend}: role {role}, statement {}: conditions and denials are not evaluated yet",
                    statement.sid
                ));
            }
            for action in &statement.actions {
                for resource in &statement.resources {
                    checked += 1;
                    let serves = wanted.iter().any(|need| {
                        need.action.eq_ignore_ascii_case(action) && need.pattern == *resource
                    });
                    if !serves {
                        problems.push(format!(
                            "{backend}: role {role}, statement {}: {action} on {resource} serves no relation the contract lists",
                            statement.sid
                        ));
                    }
                }
            }
        }
    }
    if roles.managed != *managed {
        problems.push(format!(
            "{backend}: managed policies {:?}, expected {managed:?}",
            roles.managed
        ));
    }
    (problems, checked)
}

/// A built system: its name, model, emitted files and template.
struct Built {
    name: String,
    system: meshc::model::System,
    files: BTreeMap<String, String>,
    template: Json,
}

/// Every example, and every system the diagnostics tests keep as passing:
/// they hold the relations no example has (publishing straight to a
/// queue, reading a bucket, ...).
fn built() -> Vec<Built> {
    let mut paths = common::mesh_files(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"));
    paths.extend(common::mesh_files(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/ui/pass"
    )));
    paths
        .into_iter()
        .map(|path| {
            let (system, files) = common::system_and_files(&path);
            let template = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
            Built {
                name: common::file_name(&path),
                system,
                files,
                template,
            }
        })
        .collect()
}

/// Every role of every example, in both backends, allows every call the
/// runtime contract lists for its relations and nothing else.
#[test]
fn every_role_allows_exactly_what_the_runtime_contract_lists() {
    let rows = contract();
    assert!(rows.len() >= 25, "the contract has {} rows", rows.len());
    let mut checked = 0;
    let mut problems = Vec::new();
    for built in built() {
        let region = built.system.region.value.clone();
        let stack = Stack::new(&built.template, &region);
        let (needs, managed) = needs(&rows, &built.system, &stack);
        for (backend, roles) in [
            ("CloudFormation", stack.roles()),
            (
                "Terraform",
                Configuration::new(&built.files, &region).roles(),
            ),
        ] {
            let label = format!("{} ({backend})", built.name);
            let (found, count) = evaluate(&label, &roles, &needs, &managed);
            problems.extend(found);
            checked += count;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 1000, "only {checked} calls and grants checked");
}

/// Every delivery AWS makes for the system without a role (a rule to its
/// queue, topic or function targets and its dead-letter queue, a topic to
/// its subscribers, a target group to its functions) is allowed by the
/// resource's policy, or the function's permissions, for that source and
/// refused for another source of the same service; and every statement of
/// those policies that allows a service serves such a delivery, for a
/// source it names (none allows a service for any source).
#[test]
fn every_delivery_is_allowed_for_its_source_alone() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for built in built() {
        let region = built.system.region.value.clone();
        let stack = Stack::new(&built.template, &region);
        let deliveries = stack.deliveries();
        for (backend, policies) in [
            ("CloudFormation", stack.policies()),
            (
                "Terraform",
                Configuration::new(&built.files, &region).policies(),
            ),
        ] {
            let label = format!("{} ({backend})", built.name);
            let (found, count) = evaluate_deliveries(&label, &policies, &deliveries);
            problems.extend(found);
            checked += count;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        checked >= 200,
        "only {checked} deliveries and statements checked"
    );
}

/// The system's key lets EventBridge and SNS use it to deliver to the
/// encrypted queues and topics, as AWS sends their requests: EventBridge's
/// without any `aws:Source*` key (the SNS Developer Guide says a condition
/// on one is not supported for EventBridge), SNS's with its account and
/// topic. The key policy asked EventBridge for `aws:SourceAccount`, so
/// every delivery of a rule to an encrypted queue or topic was refused.
#[test]
fn the_key_lets_event_bridge_and_sns_deliver_encrypted_messages() {
    let mut checked = 0;
    for built in built() {
        let region = built.system.region.value.clone();
        let stack = Stack::new(&built.template, &region);
        let key = format!("arn:aws:kms:{region}:{ACCOUNT}:key/{KEY_ID}");
        for (backend, statements) in [
            ("CloudFormation", stack.key_policy()),
            (
                "Terraform",
                Configuration::new(&built.files, &region).key_policy(),
            ),
        ] {
            let alarms = stack
                .resources
                .values()
                .any(|resource| resource["Type"] == "AWS::CloudWatch::Alarm");
            let cloudwatch = alarms.then_some(("cloudwatch.amazonaws.com", Vec::new()));
            for (service, context) in [
                ("events.amazonaws.com", Vec::new()),
                (
                    "sns.amazonaws.com",
                    vec![
                        ("aws:SourceAccount", ACCOUNT.to_string()),
                        (
                            "aws:SourceArn",
                            format!("arn:aws:sns:{region}:{ACCOUNT}:topic"),
                        ),
                    ],
                ),
            ]
            .into_iter()
            .chain(cloudwatch)
            {
                for action in ["kms:GenerateDataKey", "kms:Decrypt"] {
                    let request = Request {
                        service,
                        action,
                        resource: &key,
                        context: context.clone(),
                    };
                    assert!(
                        permitted(&statements, &request),
                        "{} ({backend}): the key refuses {action} to {service}",
                        built.name
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 40, "only {checked} requests checked");
}

/// The evaluator itself: IAM's wildcards, and a policy that allows more
/// or less than the contract is reported.
#[test]
fn the_evaluator_matches_as_iam_does() {
    assert!(wildcard(
        "arn:aws:logs:r:a:log-group:g:*",
        "arn:aws:logs:r:a:log-group:g:log-stream:s"
    ));
    assert!(!wildcard(
        "arn:aws:logs:r:a:log-group:g:*",
        "arn:aws:logs:r:a:log-group:h:log-stream:s"
    ));
    assert!(wildcard("*", "anything"));
    assert!(wildcard("arn:aws:s3:::b/*", "arn:aws:s3:::b/k"));
    assert!(!wildcard("arn:aws:s3:::b/*", "arn:aws:s3:::b"));
    assert!(wildcard("a?c", "abc"));
    assert!(!wildcard("a?c", "ac"));
    let statements = vec![Statement {
        sid: "S".to_string(),
        actions: vec!["sqs:SendMessage".to_string(), "sqs:DeleteQueue".to_string()],
        resources: vec!["arn:aws:sqs:r:a:q".to_string()],
        allow: true,
        principals: Vec::new(),
        conditions: Vec::new(),
    }];
    assert!(allows(&statements, "SQS:sendmessage", "arn:aws:sqs:r:a:q"));
    assert!(!allows(
        &statements,
        "sqs:SendMessage",
        "arn:aws:sqs:r:a:other"
    ));
    let need = Need {
        relation: "`publishes` to a queue".to_string(),
        action: "sqs:SendMessage".to_string(),
        pattern: "arn:aws:sqs:r:a:q".to_string(),
        request: "arn:aws:sqs:r:a:q".to_string(),
    };
    let roles = Roles {
        statements: BTreeMap::from([("role".to_string(), statements)]),
        managed: BTreeMap::new(),
    };
    let needs = BTreeMap::from([("role".to_string(), vec![need])]);
    let (problems, _) = evaluate("test", &roles, &needs, &BTreeMap::new());
    assert_eq!(
        problems,
        vec![
            "test: role role, statement S: sqs:DeleteQueue on arn:aws:sqs:r:a:q serves no relation the contract lists"
                .to_string()
        ]
    );
}
