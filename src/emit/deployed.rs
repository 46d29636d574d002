//! The text AWS holds for what the backends emit, once deployed: the ARNs of
//! the IAM plan's resources, the values of a service's runtime environment,
//! the policy documents of roles, queues, topics and functions, and event
//! patterns as Terraform passes them. Every deploy-time part is at its
//! longest — the name prefix, the partition, the region, the account, and
//! the ids AWS generates — as `model::aws_names` checks names; names come
//! from `emit::names`, as in both backends, and documents from
//! `emit::policies`, which CloudFormation writes.
//!
//! The quota checks of `check` (M240–M249) measure this text against
//! `model::aws_quotas`.

use serde_json::{Map, Value as Json, json};

use super::events::SourceArn;
use super::{Context, events, names, policies};
use crate::graph::iam::{Permission, Resource, Role, Source};
use crate::graph::messaging::{self, RulePlan};
use crate::graph::runtime::{self, Value};
use crate::graph::{BusRef, LoadBalancerRef, QueueRef};
use crate::model::aws_names::{ACCOUNT_ID, LONGEST_REGION, NameKind};
use crate::model::{Compute, DataStore, ServiceId};

/// The longest partition (`aws-us-gov`; the others are `aws`, `aws-cn`,
/// `aws-iso`, `aws-iso-b`, `aws-iso-e`, `aws-iso-f` and `aws-eusc`), from
/// the AWS SDKs' `partitions.json`.
pub const LONGEST_PARTITION: &str = "aws-us-gov";

/// The longest DNS suffix of a partition's service endpoints
/// (`amazonaws.com.cn`), from the same file.
pub const LONGEST_DNS_SUFFIX: &str = "amazonaws.com.cn";

/// An id AWS generates, at the length AWS gives it: the 17 hexadecimal
/// digits of a subnet, security group or endpoint id.
const EC2_ID: &str = "0123456789abcdef0";

/// The 16 hexadecimal digits that end a target group's ARN.
const TARGET_GROUP_ID: &str = "0123456789abcdef";

/// A UUID, as in the ARN of a KMS key or an RDS-managed secret.
const UUID: &str = "01234567-89ab-cdef-0123-456789abcdef";

/// An ARN in the system's account and region.
fn arn(service: &str, resource: &str) -> String {
    format!("arn:{LONGEST_PARTITION}:{service}:{LONGEST_REGION}:{ACCOUNT_ID}:{resource}")
}

fn service_name(context: &Context<'_>, id: ServiceId) -> String {
    context
        .system
        .service(id)
        .map_or_else(String::new, |service| service.name.text.clone())
}

fn is_aurora(context: &Context<'_>, database: crate::model::DatabaseId) -> bool {
    context
        .system
        .databases
        .get(database.0)
        .is_some_and(|database| database.engine.value.is_aurora())
}

/// The name of a queue of the graph.
pub(crate) fn queue_name(context: &Context<'_>, queue: QueueRef) -> String {
    let fifo = messaging::queue_settings(context.system, queue).fifo;
    names::queue_name(context, queue, fifo).longest()
}

fn bus_name(context: &Context<'_>, bus: BusRef) -> String {
    match bus {
        BusRef::Default => "default".to_string(),
        BusRef::Declared(_) => names::aws(
            context,
            NameKind::EventBus,
            &names::bus_name(context.system, bus),
        )
        .longest(),
    }
}

/// The ARN of an EventBridge rule as emitted (on its bus).
pub(crate) fn rule_arn(context: &Context<'_>, rule: &RulePlan) -> String {
    let label = events::rule_label(context.system, context.graph, rule);
    let name = names::aws(context, NameKind::EventRule, &label).longest();
    match rule.bus {
        BusRef::Default => arn("events", &format!("rule/{name}")),
        BusRef::Declared(_) => arn(
            "events",
            &format!("rule/{}/{name}", bus_name(context, rule.bus)),
        ),
    }
}

fn function_name(context: &Context<'_>, service: ServiceId) -> String {
    names::aws(context, NameKind::Function, &service_name(context, service)).longest()
}

fn function_arn(context: &Context<'_>, service: ServiceId) -> String {
    arn(
        "lambda",
        &format!("function:{}", function_name(context, service)),
    )
}

fn topic_arn(context: &Context<'_>, topic: crate::model::TopicId) -> String {
    arn("sns", &names::topic_name(context, topic).longest())
}

fn queue_arn(context: &Context<'_>, queue: QueueRef) -> String {
    arn("sqs", &queue_name(context, queue))
}

fn stream_name(context: &Context<'_>, stream: crate::model::StreamId) -> String {
    let name = context
        .system
        .streams
        .get(stream.0)
        .map_or("", |stream| stream.name.text.as_str());
    names::aws(context, NameKind::Stream, name).longest()
}

fn table_name(context: &Context<'_>, table: crate::model::TableId) -> String {
    let name = context
        .system
        .tables
        .get(table.0)
        .map_or("", |table| table.name.text.as_str());
    names::aws(context, NameKind::Table, name).longest()
}

fn store_name(context: &Context<'_>, store: DataStore) -> String {
    let name = store
        .name(context.system)
        .map_or("", |name| name.text.as_str());
    match store {
        DataStore::Bucket(_) => names::bucket(context, name).longest(),
        DataStore::Secret(_) => names::secret(context, name).longest(),
        DataStore::Parameter(_) => names::parameter(context, name).longest(),
        DataStore::Table(_) | DataStore::Database(_) => name.to_string(),
    }
}

fn bucket_arn(context: &Context<'_>, bucket: crate::model::BucketId) -> String {
    format!(
        "arn:{LONGEST_PARTITION}:s3:::{}",
        store_name(context, DataStore::Bucket(bucket))
    )
}

/// Secrets Manager adds six random characters to a secret's name.
fn secret_arn(context: &Context<'_>, secret: crate::model::SecretId) -> String {
    arn(
        "secretsmanager",
        &format!(
            "secret:{}-abcdef",
            store_name(context, DataStore::Secret(secret))
        ),
    )
}

/// A parameter whose name starts with `/` has no second `/` in its ARN.
fn parameter_arn(context: &Context<'_>, parameter: crate::model::ParameterId) -> String {
    arn(
        "ssm",
        &format!(
            "parameter{}",
            store_name(context, DataStore::Parameter(parameter))
        ),
    )
}

fn database_secret_arn(context: &Context<'_>, database: crate::model::DatabaseId) -> String {
    // RDS names the secret it manages `rds!db-UUID` or `rds!cluster-UUID`;
    // Secrets Manager adds six random characters.
    let kind = if is_aurora(context, database) {
        "cluster"
    } else {
        "db"
    };
    arn(
        "secretsmanager",
        &format!("secret:rds!{kind}-{UUID}-abcdef"),
    )
}

fn target_group_arn(context: &Context<'_>, balancer: LoadBalancerRef, target: ServiceId) -> String {
    let name = match balancer {
        LoadBalancerRef::Alb { public, .. } => {
            names::alb_target_group(context, &service_name(context, target), public)
        }
        LoadBalancerRef::Nlb(_) => names::aws(
            context,
            NameKind::TargetGroup,
            &names::target_group(context.system, balancer, target),
        ),
    };
    arn(
        "elasticloadbalancing",
        &format!("targetgroup/{}/{TARGET_GROUP_ID}", name.longest()),
    )
}

/// The ARNs of a resource of the IAM plan, as IAM stores them.
pub(crate) fn arns(context: &Context<'_>, resource: Resource) -> Vec<String> {
    let system = context.system;
    let one = |text: String| vec![text];
    match resource {
        Resource::Queue(queue) => one(queue_arn(context, queue)),
        Resource::Topic(topic) => one(topic_arn(context, topic)),
        Resource::Bus(bus) => one(arn(
            "events",
            &format!("event-bus/{}", bus_name(context, bus)),
        )),
        Resource::Stream(stream) => one(arn(
            "kinesis",
            &format!("stream/{}", stream_name(context, stream)),
        )),
        Resource::StreamConsumer(stream, service) => {
            let consumer = names::bare(
                context,
                NameKind::StreamConsumer,
                &service_name(context, service),
            );
            // A consumer's ARN ends in the second it was registered.
            one(arn(
                "kinesis",
                &format!(
                    "stream/{}/consumer/{consumer}:1234567890",
                    stream_name(context, stream)
                ),
            ))
        }
        Resource::Table(table) => one(arn(
            "dynamodb",
            &format!("table/{}", table_name(context, table)),
        )),
        Resource::TableIndexes(table) => one(arn(
            "dynamodb",
            &format!("table/{}/index/*", table_name(context, table)),
        )),
        Resource::DatabaseSecret(database) => one(database_secret_arn(context, database)),
        Resource::Bucket(bucket) => one(bucket_arn(context, bucket)),
        Resource::BucketObjects(bucket) => one(format!("{}/*", bucket_arn(context, bucket))),
        Resource::Secret(secret) => one(secret_arn(context, secret)),
        Resource::Parameter(parameter) => one(parameter_arn(context, parameter)),
        Resource::Written {
            service,
            statement,
            resource,
        } => one(crate::emit::written_resource(
            system, service, statement, resource,
        )),
        Resource::Function(service) => one(function_arn(context, service)),
        Resource::ServiceLogs(service) => {
            let name = service_name(context, service);
            let group = match system.service(service).map(|service| &service.compute) {
                Some(Compute::Lambda(_)) => names::function_log_group(context, &name),
                _ => names::task_log_group(context, &name),
            };
            one(arn("logs", &format!("log-group:{}:*", group.longest())))
        }
        Resource::FlowLogs(network) => {
            let group = names::flow_log_group(context, &names::network(system, network));
            one(arn("logs", &format!("log-group:{}:*", group.longest())))
        }
        Resource::StateMachine(saga) => one(arn(
            "states",
            &format!(
                "stateMachine:{}",
                names::aws(context, NameKind::StateMachine, &names::saga(system, saga)).longest()
            ),
        )),
        Resource::Repository(service) => one(arn(
            "ecr",
            &format!(
                "repository/{}",
                names::repository(context, &service_name(context, service)).longest()
            ),
        )),
        Resource::Key => one(arn("kms", &format!("key/{UUID}"))),
        Resource::Subnets(subnet) => {
            let zones = context
                .graph
                .network
                .subnet(subnet)
                .map_or(0, |layout| layout.zones.len());
            (0..zones)
                .map(|_| arn("ec2", &format!("subnet/subnet-{EC2_ID}")))
                .collect()
        }
        Resource::SecurityGroup(_) => one(arn("ec2", &format!("security-group/sg-{EC2_ID}"))),
        Resource::NetworkInterfaces => one(arn("ec2", "network-interface/*")),
        Resource::Any => one("*".to_string()),
    }
}

/// The ARNs that a resource policy names for a source (`aws:SourceArn`).
pub(crate) fn source_arns(
    context: &Context<'_>,
    rules: &[RulePlan],
    permission: &Permission,
) -> Vec<String> {
    events::source_arns(&context.graph.network, rules, permission)
        .into_iter()
        .map(|arn| match arn {
            SourceArn::Rule(plan) => rule_arn(context, plan),
            SourceArn::Topic(topic) => topic_arn(context, topic),
            SourceArn::Alarms => self::arn(
                "cloudwatch",
                &format!("alarm:{}-*", crate::model::aws_names::LONGEST_PREFIX),
            ),
            SourceArn::TargetGroup(balancer, service) => {
                target_group_arn(context, balancer, service)
            }
        })
        .collect()
}

/// The inline policy of a role as IAM stores it.
pub(crate) fn role_policy(context: &Context<'_>, role: &Role) -> Json {
    let statements = super::infra::policy::grant_statements(role, |resource| {
        arns(context, resource)
            .into_iter()
            .map(Json::from)
            .collect()
    });
    policies::document(&statements, Json::clone)
}

/// What IAM counts of a policy: its characters, white space outside
/// strings not counted.
pub(crate) fn iam_size(document: &Json) -> usize {
    // Compact JSON has no white space outside strings.
    serde_json::to_string(document).map_or(0, |text| text.chars().count())
}

/// The resource policy of a queue or topic, and the source of each
/// permission whose ARNs it lists, in their order.
pub(crate) fn resource_policy(
    context: &Context<'_>,
    rules: &[RulePlan],
    resource: Resource,
) -> (Json, Vec<Source>) {
    let resource_arn = Json::from(arns(context, resource).concat());
    let (statements, listed) = super::infra::policy::resource_statements(
        context.graph,
        resource,
        &resource_arn,
        |permission| {
            source_arns(context, rules, permission)
                .into_iter()
                .map(Json::from)
                .collect()
        },
    );
    let sources = listed.iter().map(|permission| permission.source).collect();
    (policies::document(&statements, Json::clone), sources)
}

/// The longest statement id of a Lambda permission: CloudFormation makes
/// one from the stack name, the logical id and a random suffix, up to the
/// 100 characters Lambda accepts.
const PERMISSION_SID: &str = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";

/// The resource policy Lambda keeps for a function: one statement per
/// permission (per source ARN of each permission on it), as Lambda writes
/// it; and the source of each statement.
pub(crate) fn function_policy(
    context: &Context<'_>,
    rules: &[RulePlan],
    function: ServiceId,
) -> (Json, Vec<Source>) {
    let function_arn = function_arn(context, function);
    let mut statements = Vec::new();
    let mut sources = Vec::new();
    for permission in context
        .graph
        .iam
        .permissions_on(Resource::Function(function))
    {
        // A load balancer's permission names the function's own target
        // group.
        let arns = match permission.source {
            Source::LoadBalancer(balancer) => vec![target_group_arn(context, balancer, function)],
            Source::Rule(_) | Source::Topic(_) | Source::Alarms => {
                source_arns(context, rules, permission)
            }
        };
        for source_arn in arns {
            statements.push(json!({
                "Sid": PERMISSION_SID,
                "Effect": "Allow",
                "Principal": { "Service": permission.service },
                "Action": "lambda:InvokeFunction",
                "Resource": function_arn,
                "Condition": { "ArnLike": { "AWS:SourceArn": source_arn } },
            }));
            sources.push(permission.source);
        }
    }
    (
        json!({ "Version": "2012-10-17", "Id": "default", "Statement": statements }),
        sources,
    )
}

/// The bytes of a document as compact JSON.
pub(crate) fn bytes(document: &Json) -> usize {
    serde_json::to_string(document).map_or(0, |text| text.len())
}

/// The characters of a JSON value as Terraform's `jsonencode` writes it:
/// compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped as `\uXXXX`
/// (six characters each). CloudFormation passes the same value unescaped,
/// so this is the longer of the two.
pub(crate) fn jsonencode_length(value: &Json) -> usize {
    let text = serde_json::to_string(value).unwrap_or_default();
    text.chars()
        .map(|ch| match ch {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
            _ => 1,
        })
        .sum()
}

/// The longest text of one runtime value.
fn value(context: &Context<'_>, value: &Value) -> String {
    let system = context.system;
    match value {
        Value::Literal(text) => text.clone(),
        Value::QueueUrl(queue) => format!(
            "https://sqs.{LONGEST_REGION}.{LONGEST_DNS_SUFFIX}/{ACCOUNT_ID}/{}",
            queue_name(context, *queue)
        ),
        Value::TopicArn(topic) => topic_arn(context, *topic),
        Value::BusName(bus) => bus_name(context, *bus),
        Value::StreamName(stream) => stream_name(context, *stream),
        Value::TableName(table) => table_name(context, *table),
        Value::DatabaseEndpoint(database) => {
            let base = names::database(system, *database);
            let (kind, cluster) = if is_aurora(context, *database) {
                (NameKind::DbCluster, "cluster-")
            } else {
                (NameKind::DbInstance, "")
            };
            format!(
                "{}.{cluster}abcdefghijkl.{LONGEST_REGION}.rds.{LONGEST_DNS_SUFFIX}",
                names::aws(context, kind, &base).longest()
            )
        }
        Value::DatabaseSecret(database) => database_secret_arn(context, *database),
        Value::BucketName(bucket) => store_name(context, DataStore::Bucket(*bucket)),
        Value::SecretArn(secret) => secret_arn(context, *secret),
        Value::ParameterName(parameter) => store_name(context, DataStore::Parameter(*parameter)),
        Value::FunctionName(service) => function_name(context, *service),
        Value::LoadBalancerDns(balancer) => format!(
            "internal-{}-1234567890.{LONGEST_REGION}.elb.{LONGEST_DNS_SUFFIX}",
            names::aws(
                context,
                NameKind::LoadBalancer,
                &names::load_balancer(system, *balancer)
            )
            .longest()
        ),
        Value::PrivateLinkDns { .. } => format!(
            "vpce-{EC2_ID}-abcdefgh.vpce-svc-{EC2_ID}.{LONGEST_REGION}.vpce.{LONGEST_DNS_SUFFIX}"
        ),
        Value::Namespace(network) => {
            names::namespace(context, &names::network(system, *network)).longest()
        }
    }
}

/// One variable of a service's environment, with the relation that puts
/// it there.
#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub value: String,
    pub origin: Option<crate::diagnostics::Span>,
}

/// The environment of a service as Lambda measures it: the variables, and
/// the JSON object Lambda counts (`{"NAME":"value",...}`).
pub(crate) fn environment(context: &Context<'_>, service: ServiceId) -> (Vec<Variable>, Json) {
    let variables: Vec<Variable> = runtime::environment(context.system, context.graph, service)
        .into_iter()
        .map(|setting| Variable {
            value: setting
                .value
                .iter()
                .map(|part| value(context, part))
                .collect(),
            name: setting.name,
            origin: setting.origin,
        })
        .collect();
    let object: Map<String, Json> = variables
        .iter()
        .map(|variable| (variable.name.clone(), Json::from(variable.value.clone())))
        .collect();
    (variables, Json::Object(object))
}
