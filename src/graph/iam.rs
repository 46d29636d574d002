//! The IAM plan: one role per principal (each service, and for Fargate its
//! task-execution role; each network's flow logs), and for each role exactly
//! the actions on exactly the resources its edges need.
//!
//! No grant has a `*` action. A grant on the `*` resource exists only for an
//! action that has no resource-level permissions in AWS, and says so.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::{BusRef, EdgeKind, Graph, LoadBalancerRef, Node, QueueRef, RuleRef};
use crate::diagnostics::Span;
use crate::model::{
    Access, BucketId, Carrier, Channel, Compute, DataStore, DatabaseId, IamStatement, NetworkId,
    ParameterId, SagaId, SagaMode, SecretId, ServiceId, StreamId, SubnetRef, System, TableId,
    TopicId, Via,
};

/// Who acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Principal {
    /// The code of a service: a Fargate task role or a Lambda execution
    /// role.
    Service(ServiceId),
    /// The role ECS uses to start a Fargate service's tasks: pull the image,
    /// write the logs.
    TaskExecution(ServiceId),
    /// The role VPC flow logs deliver with.
    FlowLogs(NetworkId),
    /// The role an EventBridge rule delivers to targets with that have no
    /// resource policy (streams).
    RuleDelivery(RuleRef),
    /// The role RDS enhanced monitoring publishes a database's OS metrics
    /// with.
    DatabaseMonitoring(DatabaseId),
    /// The role of a saga's state machine.
    Saga(SagaId),
}

impl Principal {
    /// The AWS service that assumes the role.
    pub fn trusted_service(self, system: &System) -> &'static str {
        match self {
            Principal::Service(service) => {
                match system.service(service).map(|service| &service.compute) {
                    Some(Compute::Lambda(_)) => "lambda.amazonaws.com",
                    _ => "ecs-tasks.amazonaws.com",
                }
            }
            Principal::TaskExecution(_) => "ecs-tasks.amazonaws.com",
            Principal::FlowLogs(_) => "vpc-flow-logs.amazonaws.com",
            Principal::RuleDelivery(_) => "events.amazonaws.com",
            Principal::DatabaseMonitoring(_) => "monitoring.rds.amazonaws.com",
            Principal::Saga(_) => "states.amazonaws.com",
        }
    }
}

/// What is acted on. Backends turn each into an ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    Queue(QueueRef),
    Topic(TopicId),
    Bus(BusRef),
    Stream(StreamId),
    /// The enhanced fan-out consumer of a service on a stream.
    StreamConsumer(StreamId, ServiceId),
    Table(TableId),
    /// The indexes of a table (`.../table/NAME/index/*`).
    TableIndexes(TableId),
    /// The Secrets Manager secret RDS keeps the master password in.
    DatabaseSecret(DatabaseId),
    /// A declared bucket (`s3:ListBucket`).
    Bucket(BucketId),
    /// The objects of a declared bucket (`.../*`).
    BucketObjects(BucketId),
    /// A declared secret.
    Secret(SecretId),
    /// A declared parameter.
    Parameter(ParameterId),
    /// A resource of a hand-written statement (`iam = [...]`): the
    /// service, the statement and the resource's place in it.
    Written {
        service: ServiceId,
        statement: usize,
        resource: usize,
    },
    /// A Lambda function.
    Function(ServiceId),
    /// The log group of a service.
    ServiceLogs(ServiceId),
    /// The flow-log group of a network.
    FlowLogs(NetworkId),
    /// The state machine of a saga.
    StateMachine(SagaId),
    /// The ECR repository of a Fargate service's image.
    Repository(ServiceId),
    /// The system's KMS key, which encrypts its logs, queues, topics,
    /// streams and tables.
    Key,
    /// The subnets of a subnet group.
    Subnets(SubnetRef),
    /// The security group of a service.
    SecurityGroup(ServiceId),
    /// Network interfaces in the account and region.
    NetworkInterfaces,
    /// Every resource: only for actions without resource-level permissions.
    Any,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub actions: Vec<Cow<'static, str>>,
    pub resources: Vec<Resource>,
    /// Why the principal needs it: "publishes OrderCreated".
    pub why: String,
    /// Why the resource is `*`, when it is.
    pub wildcard: Option<Cow<'static, str>>,
    /// Written by hand in the service's `iam`, not derived.
    pub written: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub principal: Principal,
    pub grants: Vec<Grant>,
    /// AWS-managed policies attached to the role (by name, under
    /// `arn:aws:iam::aws:policy/`), where AWS maintains the exact actions.
    pub managed_policies: Vec<&'static str>,
    /// The relation that first brought each resource into the role's
    /// grants (`publishes`, `consumes`, `uses`, `calls`), for diagnostics
    /// that point at what makes a policy long.
    pub origins: Vec<(Resource, Span)>,
}

/// What lets an AWS service act on a resource on the system's behalf.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// An EventBridge rule delivering to its target.
    Rule(RuleRef),
    /// An SNS topic delivering to a subscription.
    Topic(TopicId),
    /// A load balancer invoking a Lambda target.
    LoadBalancer(LoadBalancerRef),
    /// The system's CloudWatch alarms notifying their topic (named by a
    /// pattern: `PREFIX-*`).
    Alarms,
}

impl Source {
    /// The condition operator that compares `aws:SourceArn` with the
    /// source's ARNs: `ArnLike` for the alarms, named by a pattern.
    pub fn arn_test(self) -> &'static str {
        match self {
            Source::Alarms => "ArnLike",
            Source::Rule(_) | Source::Topic(_) | Source::LoadBalancer(_) => "ArnEquals",
        }
    }
}

/// A resource-based permission: `service` may perform `actions` on
/// `resource`, when acting for `source` (`aws:SourceArn`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Permission {
    pub resource: Resource,
    pub service: &'static str,
    pub actions: Vec<&'static str>,
    pub source: Source,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub roles: Vec<Role>,
    /// Resource policies and Lambda permissions, in graph order.
    pub permissions: Vec<Permission>,
    /// Where each principal's role is in `roles`.
    role_of: BTreeMap<Principal, usize>,
    /// Where each resource's permissions are in `permissions`.
    permissions_on: BTreeMap<Resource, Vec<usize>>,
    /// Each resource's permissions grouped into the statements of its
    /// resource policy (see [`Plan::statements_on`]).
    statements_on: BTreeMap<Resource, Vec<Vec<usize>>>,
}

/// Whether two permissions on one resource share a statement of its
/// resource policy: the same service, actions and test of the source.
fn same_statement(first: &Permission, other: &Permission) -> bool {
    first.service == other.service
        && first.actions == other.actions
        && first.source.arn_test() == other.source.arn_test()
}

impl Plan {
    fn new(roles: Vec<Role>, permissions: Vec<Permission>) -> Plan {
        let mut role_of = BTreeMap::new();
        for (index, role) in roles.iter().enumerate() {
            role_of.entry(role.principal).or_insert(index);
        }
        let mut permissions_on: BTreeMap<Resource, Vec<usize>> = BTreeMap::new();
        let mut statements_on: BTreeMap<Resource, Vec<Vec<usize>>> = BTreeMap::new();
        for (index, permission) in permissions.iter().enumerate() {
            permissions_on
                .entry(permission.resource)
                .or_default()
                .push(index);
            let statements = statements_on.entry(permission.resource).or_default();
            let shared = statements.iter_mut().find(|statement| {
                statement
                    .first()
                    .and_then(|&first| permissions.get(first))
                    .is_some_and(|first| same_statement(first, permission))
            });
            match shared {
                Some(statement) => statement.push(index),
                None => statements.push(vec![index]),
            }
        }
        Plan {
            roles,
            permissions,
            role_of,
            permissions_on,
            statements_on,
        }
    }

    pub fn role(&self, principal: Principal) -> Option<&Role> {
        self.role_of
            .get(&principal)
            .and_then(|&index| self.roles.get(index))
    }

    /// The permissions on one resource, in graph order.
    pub fn permissions_on(&self, resource: Resource) -> impl Iterator<Item = &Permission> {
        self.permissions_on
            .get(&resource)
            .into_iter()
            .flatten()
            .filter_map(|&index| self.permissions.get(index))
    }

    /// The allowing statements of the resource policy of a queue or topic,
    /// each the permissions of one AWS service for the same actions tested
    /// the same way, whatever the number of rules or topics behind them; in
    /// the order of their first permission, each permission in graph order.
    /// One statement per source would go over an SQS policy's 20 statements
    /// and 10 conditions at the tenth rule on a bus (its undelivered queue
    /// names every rule); listed in one condition, the sources are bounded
    /// by the policy's bytes alone (M246).
    pub fn statements_on(&self, resource: Resource) -> impl Iterator<Item = Vec<&Permission>> {
        self.statements_on
            .get(&resource)
            .into_iter()
            .flatten()
            .map(|statement| {
                statement
                    .iter()
                    .filter_map(|&index| self.permissions.get(index))
                    .collect()
            })
    }
}

const QUEUE_SEND: [&str; 2] = ["sqs:GetQueueAttributes", "sqs:SendMessage"];
const QUEUE_RECEIVE: [&str; 4] = [
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
];
const STREAM_WRITE: [&str; 2] = ["kinesis:PutRecord", "kinesis:PutRecords"];
const STREAM_READ: [&str; 5] = [
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
];
const TABLE_READ: [&str; 6] = [
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
];
const TABLE_WRITE: [&str; 4] = [
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
];
const BUCKET_READ: [&str; 1] = ["s3:GetObject"];
const BUCKET_WRITE: [&str; 3] = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"];
const SECRET_READ: [&str; 2] = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
];
const SECRET_WRITE: [&str; 1] = ["secretsmanager:PutSecretValue"];
const PARAMETER_READ: [&str; 2] = ["ssm:GetParameter", "ssm:GetParameters"];
/// Using the system key to encrypt (producers) and decrypt (consumers).
const KEY_ENCRYPT: [&str; 2] = ["kms:Decrypt", "kms:GenerateDataKey"];
const KEY_DECRYPT: [&str; 1] = ["kms:Decrypt"];

#[derive(Default)]
struct Origins {
    /// The relation the grants being added serve.
    current: Option<Span>,
    found: Vec<(Resource, Span)>,
}

struct RoleDraft {
    principal: Principal,
    grants: Vec<Grant>,
    origins: Origins,
}

impl RoleDraft {
    fn new(principal: Principal) -> RoleDraft {
        RoleDraft {
            principal,
            grants: Vec::new(),
            origins: Origins::default(),
        }
    }

    /// The relation that the grants added next serve.
    fn serving(&mut self, span: Span) {
        self.origins.current = Some(span);
    }

    fn grant(&mut self, actions: &[&'static str], resources: &[Resource], why: String) {
        if let Some(span) = self.origins.current {
            for resource in resources {
                if !self
                    .origins
                    .found
                    .iter()
                    .any(|(known, _)| known == resource)
                {
                    self.origins.found.push((*resource, span));
                }
            }
        }
        self.grants.push(Grant {
            actions: actions
                .iter()
                .map(|action| Cow::Borrowed(*action))
                .collect(),
            resources: resources.to_vec(),
            why,
            wildcard: None,
            written: false,
        });
    }

    /// Actions on a resource encrypted with the system key, and the key
    /// actions they need (`KEY_DECRYPT` to read, `KEY_ENCRYPT` to write).
    fn grant_keyed(
        &mut self,
        actions: &[&'static str],
        resource: Resource,
        key: &[&'static str],
        why: String,
    ) {
        self.grant(actions, &[resource], why.clone());
        self.grant(key, &[Resource::Key], why);
    }

    fn grant_any(&mut self, actions: &[&'static str], why: String, wildcard: &'static str) {
        self.grants.push(Grant {
            actions: actions
                .iter()
                .map(|action| Cow::Borrowed(*action))
                .collect(),
            resources: vec![Resource::Any],
            why,
            wildcard: Some(Cow::Borrowed(wildcard)),
            written: false,
        });
    }

    /// A statement written in the service's `iam`, as written.
    fn grant_written(&mut self, service: ServiceId, index: usize, statement: &IamStatement) {
        let resources: Vec<Resource> = (0..statement.resources.len())
            .map(|resource| Resource::Written {
                service,
                statement: index,
                resource,
            })
            .collect();
        let any = statement
            .resources
            .iter()
            .any(|resource| resource.value == "*");
        if let Some(span) = self.origins.current {
            for resource in &resources {
                self.origins.found.push((*resource, span));
            }
        }
        self.grants.push(Grant {
            actions: statement
                .actions
                .iter()
                .map(|action| Cow::Owned(action.value.clone()))
                .collect(),
            resources,
            why: statement.reason.value.clone(),
            wildcard: any.then(|| Cow::Owned(statement.reason.value.clone())),
            written: true,
        });
    }

    /// Merges grants with the same actions and reason, and sorts actions and
    /// resources, so that the policy reads well and is deterministic.
    fn finish(mut self) -> Role {
        let mut merged: Vec<Grant> = Vec::new();
        for mut grant in self.grants.drain(..) {
            grant.actions.sort_unstable();
            grant.actions.dedup();
            if let Some(existing) = merged.iter_mut().find(|existing| {
                existing.actions == grant.actions
                    && existing.wildcard == grant.wildcard
                    && existing.written == grant.written
            }) {
                let mut resources: BTreeSet<Resource> =
                    existing.resources.iter().copied().collect();
                resources.extend(grant.resources);
                existing.resources = resources.into_iter().collect();
                if !existing.why.contains(&grant.why) {
                    existing.why = format!("{}; {}", existing.why, grant.why);
                }
            } else {
                let resources: BTreeSet<Resource> = grant.resources.iter().copied().collect();
                grant.resources = resources.into_iter().collect();
                merged.push(grant);
            }
        }
        merged.shrink_to_fit();
        Role {
            principal: self.principal,
            grants: merged,
            managed_policies: Vec::new(),
            origins: self.origins.found,
        }
    }
}

fn channel_name(system: &System, channel: Channel) -> String {
    let name = match channel {
        Channel::Event(id) => system.event(id).map(|event| &event.name),
        Channel::Queue(id) => system.queue(id).map(|queue| &queue.name),
        Channel::Topic(id) => system.topics.get(id.0).map(|topic| &topic.name),
        Channel::Stream(id) => system.streams.get(id.0).map(|stream| &stream.name),
    };
    name.map_or_else(String::new, |name| name.text.clone())
}

pub(super) fn plan(system: &System, graph: &Graph) -> Plan {
    let mut roles = Vec::new();
    for (index, service) in system.services.iter().enumerate() {
        let id = ServiceId(index);
        roles.push(service_role(system, graph, id));
        if let Compute::Fargate(fargate) = &service.compute {
            let mut execution = RoleDraft::new(Principal::TaskExecution(id));
            if fargate.image.is_none() {
                execution.grant(
                    &[
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                    ],
                    &[Resource::Repository(id)],
                    "pulls its image".to_string(),
                );
                execution.grant(
                    &KEY_DECRYPT,
                    &[Resource::Key],
                    "reads its encrypted image".to_string(),
                );
            }
            execution.grant_any(
                &["ecr:GetAuthorizationToken"],
                "logs in to ECR".to_string(),
                "ecr:GetAuthorizationToken has no resource-level permissions",
            );
            execution.grant(
                &["logs:CreateLogStream", "logs:PutLogEvents"],
                &[Resource::ServiceLogs(id)],
                "writes its logs".to_string(),
            );
            roles.push(execution.finish());
        }
    }
    for (index, network) in system.networks.iter().enumerate() {
        if network.flow_logs.value {
            let id = NetworkId(index);
            let mut flow_logs = RoleDraft::new(Principal::FlowLogs(id));
            flow_logs.grant(
                &[
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                ],
                &[Resource::FlowLogs(id)],
                format!("delivers the flow logs of network {}", network.name.text),
            );
            roles.push(flow_logs.finish());
        }
    }
    for rule in &graph.messaging.rules {
        let streams: Vec<Resource> = rule
            .targets
            .iter()
            .filter_map(|target| match target {
                Node::Stream(stream) => Some(Resource::Stream(*stream)),
                _ => None,
            })
            .collect();
        let sagas: Vec<Resource> = rule
            .targets
            .iter()
            .filter_map(|target| match target {
                Node::Saga(saga) => Some(Resource::StateMachine(*saga)),
                _ => None,
            })
            .collect();
        if streams.is_empty() && sagas.is_empty() {
            continue;
        }
        let principal = Principal::RuleDelivery(rule.rule);
        if roles.iter().any(|role: &Role| role.principal == principal) {
            continue;
        }
        let mut delivery = RoleDraft::new(principal);
        if !streams.is_empty() {
            delivery.grant(
                &["kinesis:PutRecord"],
                &streams,
                "delivers events to streams".to_string(),
            );
            delivery.grant(
                &KEY_ENCRYPT,
                &[Resource::Key],
                "writes encrypted records".to_string(),
            );
        }
        if !sagas.is_empty() {
            delivery.grant(
                &["states:StartExecution"],
                &sagas,
                "starts sagas".to_string(),
            );
        }
        roles.push(delivery.finish());
    }
    for plan in &graph.sagas {
        if plan.mode == SagaMode::Orchestrated {
            roles.push(saga_role(system, plan));
        }
    }
    for index in 0..system.databases.len() {
        let mut role = RoleDraft::new(Principal::DatabaseMonitoring(DatabaseId(index))).finish();
        role.managed_policies = vec!["service-role/AmazonRDSEnhancedMonitoringRole"];
        roles.push(role);
    }
    Plan::new(roles, permissions(system, graph))
}

/// The resource policies the graph's AWS-driven edges need: a rule or a
/// topic delivering to a queue, a topic or a function; a load balancer
/// invoking a function.
fn permissions(system: &System, graph: &Graph) -> Vec<Permission> {
    let mut permissions: Vec<Permission> = Vec::new();
    let mut known = BTreeSet::new();
    let mut add = |permission: Permission| {
        if known.insert(permission.clone()) {
            permissions.push(permission);
        }
    };
    for (from, to, edge) in graph.edges() {
        let source = match from {
            Node::Rule(rule) => Source::Rule(rule),
            Node::Topic(topic) => Source::Topic(topic),
            _ => continue,
        };
        let service = match source {
            Source::Rule(_) => "events.amazonaws.com",
            Source::Topic(_) => "sns.amazonaws.com",
            Source::LoadBalancer(_) => "elasticloadbalancing.amazonaws.com",
            Source::Alarms => "cloudwatch.amazonaws.com",
        };
        match (to, edge.kind) {
            (Node::Queue(queue), EdgeKind::Route) => add(Permission {
                resource: Resource::Queue(queue),
                service,
                actions: vec!["sqs:SendMessage"],
                source,
            }),
            (Node::Topic(topic), EdgeKind::Route) => add(Permission {
                resource: Resource::Topic(topic),
                service,
                actions: vec!["sns:Publish"],
                source,
            }),
            (Node::Service(target), EdgeKind::Invoke)
                if system
                    .service(target)
                    .is_some_and(crate::model::Service::is_lambda) =>
            {
                add(Permission {
                    resource: Resource::Function(target),
                    service,
                    actions: vec!["lambda:InvokeFunction"],
                    source,
                });
            }
            _ => {}
        }
    }
    if let Some(super::alarms::AlarmTopic::Declared(topic)) = graph.alarms.topic {
        add(super::alarms::publish_permission(Resource::Topic(topic)));
    }
    for balancer in &graph.network.load_balancers {
        for target in &balancer.targets {
            if system
                .service(target.service)
                .is_some_and(crate::model::Service::is_lambda)
            {
                add(Permission {
                    resource: Resource::Function(target.service),
                    service: "elasticloadbalancing.amazonaws.com",
                    actions: vec!["lambda:InvokeFunction"],
                    source: Source::LoadBalancer(balancer.id),
                });
            }
        }
    }
    permissions
}

fn service_role(system: &System, graph: &Graph, id: ServiceId) -> Role {
    let mut role = RoleDraft::new(Principal::Service(id));
    let Some(service) = system.service(id) else {
        return role.finish();
    };
    for publish in &service.publishes {
        role.serving(publish.span);
        let what = channel_name(system, publish.target);
        let carrier = match publish.target {
            Channel::Event(event) => match system.event(event).map(|event| event.carrier.value) {
                Some(carrier) => carrier,
                None => continue,
            },
            Channel::Queue(queue) => {
                role.grant(
                    &QUEUE_SEND,
                    &[Resource::Queue(QueueRef::Declared(queue))],
                    format!("publishes to {what}"),
                );
                role.grant(
                    &KEY_ENCRYPT,
                    &[Resource::Key],
                    format!("publishes to {what}"),
                );
                continue;
            }
            Channel::Topic(topic) => Carrier::Topic(topic),
            Channel::Stream(stream) => Carrier::Stream(stream),
        };
        let why = format!("publishes {what}");
        match carrier {
            Carrier::DefaultBus => role.grant(
                &["events:PutEvents"],
                &[Resource::Bus(BusRef::Default)],
                why,
            ),
            Carrier::Bus(bus) => role.grant(
                &["events:PutEvents"],
                &[Resource::Bus(BusRef::Declared(bus))],
                why,
            ),
            Carrier::Topic(topic) => {
                role.grant(&["sns:Publish"], &[Resource::Topic(topic)], why.clone());
                role.grant(&KEY_ENCRYPT, &[Resource::Key], why);
            }
            Carrier::Stream(stream) => {
                role.grant(&STREAM_WRITE, &[Resource::Stream(stream)], why.clone());
                role.grant(&KEY_ENCRYPT, &[Resource::Key], why);
            }
        }
    }
    // Buses it publishes to without a `publishes`: the outcomes of the
    // operations it runs for choreographed sagas.
    for (to, edge) in graph.edges_from(Node::Service(id)) {
        // A `publishes` of an event carries the event; an outcome does not.
        if let (Node::Bus(bus), EdgeKind::Publish, None) = (to, edge.kind, edge.event) {
            role.serving(edge.span);
            role.grant(
                &["events:PutEvents"],
                &[Resource::Bus(bus)],
                "publishes the outcomes of saga operations".to_string(),
            );
        }
    }
    // Whatever the service takes messages from: queues (declared, `via`,
    // inbox) and streams, whether it polls them itself or Lambda polls them
    // with its role.
    for (from, edge) in graph
        .edges_to(Node::Service(id))
        .into_iter()
        .filter(|(_, edge)| edge.kind == EdgeKind::Consume)
    {
        role.serving(edge.span);
        match from {
            Node::Queue(queue) => {
                let why = format!("consumes {}", queue_name(system, queue));
                role.grant(&QUEUE_RECEIVE, &[Resource::Queue(queue)], why.clone());
                role.grant(&KEY_DECRYPT, &[Resource::Key], why);
            }
            Node::Stream(stream) => {
                let name = system
                    .streams
                    .get(stream.0)
                    .map_or("", |stream| stream.name.text.as_str());
                let why = format!("consumes {name}");
                role.grant(&STREAM_READ, &[Resource::Stream(stream)], why.clone());
                if super::messaging::enhanced_fan_out(graph, stream) {
                    role.grant(
                        &["kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"],
                        &[Resource::StreamConsumer(stream, id)],
                        why.clone(),
                    );
                }
                role.grant(&KEY_DECRYPT, &[Resource::Key], why);
            }
            _ => {}
        }
    }
    for usage in &service.uses {
        role.serving(usage.span);
        let name = usage
            .target
            .name(system)
            .map_or("", |name| name.text.as_str());
        let reads = matches!(usage.access.value, Access::Read | Access::ReadWrite);
        let writes = matches!(usage.access.value, Access::Write | Access::ReadWrite);
        match usage.target {
            DataStore::Table(table) => {
                let name = system
                    .tables
                    .get(table.0)
                    .map_or("", |table| table.name.text.as_str());
                let resources = [Resource::Table(table), Resource::TableIndexes(table)];
                if matches!(usage.access.value, Access::Read | Access::ReadWrite) {
                    role.grant(&TABLE_READ, &resources, format!("reads {name}"));
                    role.grant(&KEY_DECRYPT, &[Resource::Key], format!("reads {name}"));
                }
                if matches!(usage.access.value, Access::Write | Access::ReadWrite) {
                    role.grant(
                        &TABLE_WRITE,
                        &[Resource::Table(table)],
                        format!("writes {name}"),
                    );
                    role.grant(&KEY_ENCRYPT, &[Resource::Key], format!("writes {name}"));
                }
            }
            DataStore::Database(database) => {
                let name = system
                    .databases
                    .get(database.0)
                    .map_or("", |database| database.name.text.as_str());
                role.grant(
                    &["secretsmanager:GetSecretValue"],
                    &[Resource::DatabaseSecret(database)],
                    format!("reads the credentials of {name}"),
                );
            }
            DataStore::Bucket(bucket) => {
                if reads {
                    let why = format!("reads {name}");
                    role.grant(&["s3:ListBucket"], &[Resource::Bucket(bucket)], why.clone());
                    role.grant_keyed(
                        &BUCKET_READ,
                        Resource::BucketObjects(bucket),
                        &KEY_DECRYPT,
                        why,
                    );
                }
                if writes {
                    let why = format!("writes {name}");
                    role.grant_keyed(
                        &BUCKET_WRITE,
                        Resource::BucketObjects(bucket),
                        &KEY_ENCRYPT,
                        why,
                    );
                }
            }
            DataStore::Secret(secret) => {
                if reads {
                    let why = format!("reads {name}");
                    role.grant_keyed(&SECRET_READ, Resource::Secret(secret), &KEY_DECRYPT, why);
                }
                if writes {
                    let why = format!("puts the value of {name}");
                    role.grant_keyed(&SECRET_WRITE, Resource::Secret(secret), &KEY_ENCRYPT, why);
                }
            }
            DataStore::Parameter(parameter) => {
                role.grant(
                    &PARAMETER_READ,
                    &[Resource::Parameter(parameter)],
                    format!("reads {name}"),
                );
            }
        }
    }
    for api in &service.apis {
        role.serving(api.span);
        if let Some((actions, wildcard)) = api.value.resourceless_actions() {
            // A Lambda function is granted X-Ray below, whether listed or not.
            if !(service.is_lambda() && api.value == crate::model::aws::AwsService::Xray) {
                role.grant_any(
                    actions,
                    format!("calls {}", api.value.display_name()),
                    wildcard,
                );
            }
        }
    }
    for (index, statement) in service.iam.iter().enumerate() {
        role.serving(statement.span);
        role.grant_written(id, index, statement);
    }
    for call in &service.calls {
        role.serving(call.span);
        if call.via.value == Via::Invoke {
            let name = system
                .service(call.target)
                .map_or("", |callee| callee.name.text.as_str());
            role.grant(
                &["lambda:InvokeFunction"],
                &[Resource::Function(call.target)],
                format!("calls {name}"),
            );
        }
    }
    role.origins.current = None;
    let saga_task = !service.is_lambda()
        && system.sagas.iter().any(|saga| {
            saga.mode.value == SagaMode::Orchestrated
                && saga.operations().any(|operation| operation.service == id)
        });
    if saga_task {
        role.grant_any(
            &[
                "states:SendTaskFailure",
                "states:SendTaskHeartbeat",
                "states:SendTaskSuccess",
            ],
            "reports the outcome of saga steps".to_string(),
            "the Step Functions task-token actions have no resource-level permissions",
        );
    }
    if let Compute::Lambda(_) = &service.compute {
        role.grant(
            &["logs:CreateLogStream", "logs:PutLogEvents"],
            &[Resource::ServiceLogs(id)],
            "writes its logs".to_string(),
        );
        role.grant(
            &KEY_DECRYPT,
            &[Resource::Key],
            "reads its encrypted environment".to_string(),
        );
        let stream_failures = QueueRef::StreamFailures(id);
        if graph.node(Node::Queue(stream_failures)).is_some() {
            role.grant(
                &["sqs:SendMessage"],
                &[Resource::Queue(stream_failures)],
                "reports the stream records it gave up on".to_string(),
            );
            role.grant(
                &KEY_ENCRYPT,
                &[Resource::Key],
                "reports the stream records it gave up on".to_string(),
            );
        }
        let failures = QueueRef::FunctionFailures(id);
        if graph.node(Node::Queue(failures)).is_some() {
            role.grant(
                &["sqs:SendMessage"],
                &[Resource::Queue(failures)],
                "keeps its failed events".to_string(),
            );
            role.grant(
                &KEY_ENCRYPT,
                &[Resource::Key],
                "keeps its failed events".to_string(),
            );
        }
        role.grant_any(
            &["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
            "sends its traces to X-Ray".to_string(),
            "the X-Ray trace actions have no resource-level permissions",
        );
        if let Some(subnet) = service.subnet {
            role.grant(
                &["ec2:CreateNetworkInterface"],
                &[
                    Resource::NetworkInterfaces,
                    Resource::Subnets(subnet.value),
                    Resource::SecurityGroup(id),
                ],
                "attaches to its subnets".to_string(),
            );
            role.grant(
                &[
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:DeleteNetworkInterface",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                &[Resource::NetworkInterfaces],
                "manages its network interfaces".to_string(),
            );
            role.grant_any(
                &["ec2:DescribeNetworkInterfaces"],
                "finds its network interfaces".to_string(),
                "ec2:DescribeNetworkInterfaces has no resource-level permissions",
            );
        }
    }
    role.finish()
}

/// What a saga's state machine does: invoke the functions and send to the
/// command queues of its steps, keep failed executions in its dead-letter
/// queue, log and trace.
fn saga_role(system: &System, plan: &super::saga::SagaPlan) -> Role {
    let mut role = RoleDraft::new(Principal::Saga(plan.saga));
    let name = |id: ServiceId| {
        system
            .service(id)
            .map_or(String::new(), |service| service.name.text.clone())
    };
    for invocation in plan.invocations() {
        match *invocation {
            super::saga::Invocation::Function(service) => role.grant(
                &["lambda:InvokeFunction"],
                &[Resource::Function(service)],
                format!("runs the operations of {}", name(service)),
            ),
            super::saga::Invocation::Commands(service) => {
                let why = format!("sends operations to {}", name(service));
                role.grant(
                    &["sqs:SendMessage"],
                    &[Resource::Queue(QueueRef::Commands(service))],
                    why.clone(),
                );
                role.grant(&KEY_ENCRYPT, &[Resource::Key], why);
            }
        }
    }
    let why = "keeps the executions it cannot finish".to_string();
    role.grant(
        &["sqs:SendMessage"],
        &[Resource::Queue(plan.dead_letter)],
        why.clone(),
    );
    role.grant(&KEY_ENCRYPT, &[Resource::Key], why);
    role.grant_any(
        &[
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:DescribeLogGroups",
            "logs:DescribeResourcePolicies",
            "logs:GetLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:UpdateLogDelivery",
        ],
        "delivers its execution logs".to_string(),
        "the CloudWatch Logs delivery actions Step Functions uses have no resource-level permissions",
    );
    role.grant_any(
        &[
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
            "xray:PutTelemetryRecords",
            "xray:PutTraceSegments",
        ],
        "sends its traces to X-Ray".to_string(),
        "the X-Ray trace actions have no resource-level permissions",
    );
    role.finish()
}

pub(super) fn queue_name(system: &System, queue: QueueRef) -> String {
    let service_name = |id: ServiceId| {
        system
            .service(id)
            .map_or("", |service| service.name.text.as_str())
    };
    match queue {
        QueueRef::Declared(id) => system
            .queue(id)
            .map_or(String::new(), |queue| queue.name.text.clone()),
        QueueRef::DeadLetter(id) => format!(
            "{}-dlq",
            system
                .queue(id)
                .map_or("", |queue| queue.name.text.as_str())
        ),
        QueueRef::Inbox(id) => format!("{}-inbox", service_name(id)),
        QueueRef::InboxDeadLetter(id) => format!("{}-inbox-dlq", service_name(id)),
        QueueRef::Undelivered(BusRef::Default) => "default-undelivered".to_string(),
        QueueRef::Undelivered(BusRef::Declared(bus)) => format!(
            "{}-undelivered",
            system
                .buses
                .get(bus.0)
                .map_or("", |bus| bus.name.text.as_str())
        ),
        QueueRef::FunctionFailures(id) => format!("{}-failures", service_name(id)),
        QueueRef::Commands(id) => format!("{}-commands", service_name(id)),
        QueueRef::CommandsDeadLetter(id) => format!("{}-commands-dlq", service_name(id)),
        QueueRef::SagaDeadLetter(id) => format!(
            "{}-dlq",
            system
                .sagas
                .get(id.0)
                .map_or("", |saga| saga.name.text.as_str())
        ),
        QueueRef::StreamFailures(id) => format!("{}-stream-failures", service_name(id)),
    }
}
