//! The neutral infrastructure model: every translation decision made once,
//! for every backend.
//!
//! A concern (the alarms, ...) is built here as a stream of [`Resource`]s:
//! one AWS resource each, with a stable [`Key`] (its kind and base name),
//! its properties, what it refers to, and the notes for its reader. The
//! backends only spell it (`terraform::infra`, `cloudformation::infra`):
//! the resource type, the names of the properties, a reference as a
//! traversal or as `Ref`/`Fn::GetAtt`, a policy document as a data source
//! or inline. A decision one backend would have to make again (which
//! dimensions an alarm has, what a topic's policy lets in) is never made
//! in a renderer.
//!
//! The model stays at the level of one AWS resource: its properties are
//! named as AWS's resource specification names them (CloudFormation's
//! spelling, which the Terraform renderer maps to the provider's
//! arguments). It does not abstract over clouds.
//!
//! Concerns move here one at a time, with the example snapshots as the
//! byte-identical oracle; the others are still built by each backend.

pub mod alarms;
pub mod data;
pub mod encryption;
pub mod iam;
pub mod logs;
pub mod messaging;
pub mod policy;
pub mod sagas;
pub mod security;

use crate::emit::names::{Part, PhysicalName};
use crate::emit::ordering::Prerequisite;
use crate::model::aws::AwsService;
use crate::model::{NetworkId, SagaId, ServiceId};
use crate::vocabulary::Protocol;

pub use policy::Statement;

/// Where a builder puts each resource as soon as it is built: a backend
/// spells it and drops it before the next is built, so that a concern's
/// resources are never all held at once.
pub type Sink<'s> = dyn FnMut(Resource) + 's;

/// What kind of AWS resource a resource is: each backend spells it (a
/// Terraform resource type, a CloudFormation type and logical id suffix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Alarm,
    /// An EventBridge archive of a bus's events.
    Archive,
    /// An S3 bucket.
    Bucket,
    Cluster,
    /// An Aurora cluster.
    DbCluster,
    /// An RDS instance.
    DbInstance,
    EcsService,
    EventBus,
    Function,
    /// A KMS key.
    Key,
    KeyAlias,
    LogGroup,
    /// A network ACL, on the subnets of one subnet group.
    NetworkAcl,
    NetworkAclEntry,
    /// An SSM parameter.
    Parameter,
    /// A resource policy statement of a Lambda function, letting an AWS
    /// service invoke it.
    Permission,
    /// An AWS-managed policy attached to a role: a resource of its own in
    /// Terraform, an entry of the role's `ManagedPolicyArns` in a
    /// template.
    PolicyAttachment,
    Queue,
    QueuePolicy,
    /// A queue's redrive policy: a resource of its own in Terraform, a
    /// property of the queue in a template.
    RedrivePolicy,
    /// An ECR repository.
    Repository,
    Role,
    /// A role's inline policy.
    RolePolicy,
    /// An EventBridge rule.
    Rule,
    /// A target of an EventBridge rule: a resource of its own in
    /// Terraform, an entry of the rule's `Targets` in a template.
    RuleTarget,
    /// An EventBridge schema.
    Schema,
    SchemaRegistry,
    /// A Secrets Manager secret.
    Secret,
    SecurityGroup,
    /// A rule of a security group letting traffic in.
    SecurityGroupIngress,
    /// A rule of a security group letting traffic out.
    SecurityGroupEgress,
    StateMachine,
    Stream,
    /// A Kinesis enhanced fan-out consumer.
    StreamConsumer,
    /// A subnet, one per zone of its subnet group.
    Subnet,
    /// An SNS subscription.
    Subscription,
    /// A DynamoDB table.
    Table,
    /// A load balancer's target group.
    TargetGroup,
    Topic,
    TopicPolicy,
    Vpc,
    /// A VPC endpoint of an AWS API.
    VpcEndpoint,
}

/// A resource's identity, the same in every backend: its kind and base
/// name (`emit::names`), from which a Terraform address and a
/// CloudFormation logical id are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub kind: Kind,
    pub name: String,
}

impl Key {
    pub fn new(kind: Kind, name: impl Into<String>) -> Key {
        Key {
            kind,
            name: name.into(),
        }
    }

    /// A value of this resource, for another to refer to.
    pub fn get(&self, attribute: Attribute) -> Value {
        Value::Attribute(self.clone(), attribute)
    }
}

/// A value a resource returns, that another may refer to. Each backend
/// spells it for the kind (`arn`, `Ref`, `Fn::GetAtt [..., "QueueName"]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attribute {
    Arn,
    /// The id AWS gives a resource (a VPC's, a subnet's, a security
    /// group's).
    Id,
    /// A log group's ARN as a destination of logs: ending in `:*`, for
    /// every stream of the group.
    LogArn,
    Name,
    /// The ARN of the secret holding a database's master password, which
    /// RDS manages.
    SecretArn,
    /// A queue's URL.
    Url,
}

/// A property's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Bool(bool),
    List(Vec<Value>),
    /// A map of names to values, which CloudFormation spells as a list of
    /// objects with a `key` and a `value` field (`[{"Name": ..., "Value":
    /// ...}]`) and Terraform as a map.
    Pairs {
        key: &'static str,
        value: &'static str,
        entries: Vec<(String, Value)>,
    },
    /// A nested property: its fields by the specification's names, in
    /// order (a Terraform backend may write it as a nested block, or as
    /// arguments of the resource itself).
    Object(Vec<(&'static str, Value)>),
    /// The AWS name of a resource.
    Name(PhysicalName),
    /// A text of deploy-time parts, such as an ARN pattern.
    Interpolated(Vec<Part>),
    /// A value another resource returns.
    Attribute(Key, Attribute),
    /// The values each resource of those counted per zone returns, in
    /// the order of the zones: a resource of the model stands for all of
    /// them, which a backend writes as one counted resource (Terraform) or
    /// one resource per zone (a template).
    Zonal {
        key: Key,
        attribute: Attribute,
        zones: usize,
    },
    /// A path under what a resource's attribute names: the objects of a
    /// bucket (`/*`), the indexes of a table (`/index/*`).
    Within {
        key: Key,
        attribute: Attribute,
        suffix: &'static str,
    },
    /// The ARN of the account's default event bus in the region: read by a
    /// data source in Terraform, made of the partition, region and account
    /// in a template.
    DefaultBusArn,
    /// A network protocol, which some properties take by name and others
    /// by number.
    Protocol(Protocol),
    /// The id of the prefix list of the gateway endpoint of `api` in a
    /// network: the endpoint returns it in Terraform; a template cannot
    /// read it and takes it as a parameter.
    GatewayPrefixList {
        network: NetworkId,
        api: AwsService,
    },
    /// An IAM policy document.
    Policy(Vec<Statement>),
    /// How many tasks a Fargate service runs: its replicas, or none until
    /// its image is given (a deploy-time input when meshc's repository
    /// holds the image).
    DesiredTasks(ServiceId),
    /// A JSON document a property holds (an event pattern, a redrive
    /// policy): as JSON in a template, encoded with `jsonencode` in
    /// Terraform. The keys of an [`Value::Object`] inside it are written
    /// as they are.
    Json(Box<Value>),
    /// A JSON document a property takes as text (a schema's content): a
    /// string in a template, encoded with `jsonencode` in Terraform.
    JsonText(Box<Value>),
    /// JSON as it is, inside a document.
    Literal(serde_json::Value),
    /// The definition of a saga's state machine (`emit::asl`), with the
    /// value of each of its placeholders: read from its file by
    /// Terraform's `templatefile`, inline with `DefinitionSubstitutions`
    /// in a template.
    Definition {
        saga: SagaId,
        substitutions: Vec<(String, Value)>,
    },
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::Text(text.to_string())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::Text(text)
    }
}

impl From<u64> for Value {
    /// A count, a size or a duration: none meshc writes comes near
    /// 2^63, and one that did would be written as the largest.
    fn from(number: u64) -> Value {
        Value::Integer(i64::try_from(number).unwrap_or(i64::MAX))
    }
}

/// One AWS resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub key: Key,
    /// By the resource specification's names, in the order written.
    pub properties: Vec<(&'static str, Value)>,
    /// Lines for the reader, above the resource (Terraform) or in its
    /// `Metadata.Comment` (CloudFormation).
    pub notes: Vec<String>,
    /// The checkov checks that do not apply, with the reason.
    pub waivers: Vec<Waiver>,
    /// What must exist before it is created, beyond what it refers to.
    pub after: Vec<Prerequisite>,
    /// What becomes of it when a template's stack deletes or replaces it
    /// (Terraform deletes only what a plan shows).
    pub kept: Option<Keep>,
}

/// What a stack does with a resource it deletes or replaces, instead of
/// deleting it with its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Kept, unless the stack's first create rolls back.
    RetainExceptOnCreate,
}

impl Keep {
    pub fn as_str(self) -> &'static str {
        match self {
            Keep::RetainExceptOnCreate => "RetainExceptOnCreate",
        }
    }
}

/// A checkov check that does not apply to a resource, and why: written
/// where checkov reads it (`#checkov:skip=` inside a Terraform resource,
/// `Metadata.checkov.skip` in a template).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    pub check: &'static str,
    pub reason: String,
}

impl Resource {
    pub fn new(kind: Kind, name: impl Into<String>) -> Resource {
        Resource {
            key: Key::new(kind, name),
            properties: Vec::new(),
            notes: Vec::new(),
            waivers: Vec::new(),
            after: Vec::new(),
            kept: None,
        }
    }

    /// Kept as `keep` says when a stack deletes or replaces it.
    #[must_use]
    pub fn keep(mut self, keep: Keep) -> Resource {
        self.kept = Some(keep);
        self
    }

    /// Created only after each of `prerequisites`.
    #[must_use]
    pub fn after(mut self, prerequisites: Vec<Prerequisite>) -> Resource {
        self.after.extend(prerequisites);
        self
    }

    #[must_use]
    pub fn with(mut self, property: &'static str, value: impl Into<Value>) -> Resource {
        self.properties.push((property, value.into()));
        self
    }

    #[must_use]
    pub fn note(mut self, text: &str) -> Resource {
        self.notes.push(text.to_string());
        self
    }

    #[must_use]
    pub fn waive(mut self, check: &'static str, reason: String) -> Resource {
        self.waivers.push(Waiver { check, reason });
        self
    }
}

/// The key of a queue of the graph.
pub fn queue_key(system: &crate::model::System, queue: crate::graph::QueueRef) -> Key {
    Key::new(Kind::Queue, crate::emit::names::queue(system, queue))
}

/// The ARN of the key that encrypts the system's data at rest.
pub fn system_key() -> Value {
    Key::new(Kind::Key, encryption::SYSTEM_KEY).get(Attribute::Arn)
}

/// The declared name of what `found` found, or, when the graph names
/// something the system does not hold, an internal error (and an empty
/// name, which no file will hold: the backend refuses to write).
pub(crate) fn declared(
    context: &crate::emit::Context<'_>,
    found: Option<&crate::model::Name>,
    what: impl FnOnce() -> String,
) -> String {
    if let Some(name) = found {
        return name.text.clone();
    }
    context.internal(format!("{} is not in the system", what()));
    String::new()
}

/// The declared name of a component; or, when the system holds none, an
/// internal error (and an empty name).
pub(crate) fn named(
    context: &crate::emit::Context<'_>,
    component: crate::model::ComponentId,
) -> String {
    declared(context, context.system.component_name(component), || {
        format!("the {} {}", component.kind_name(), component.index())
    })
}

/// What each subnet of a subnet group returns for `attribute`, one per
/// zone; or, when the network plan does not lay the group out, `problem`
/// as an internal error (and no zone).
pub(crate) fn subnets(
    context: &crate::emit::Context<'_>,
    subnet: crate::model::SubnetRef,
    attribute: Attribute,
    problem: impl FnOnce() -> String,
) -> Value {
    let laid_out = context.graph.network.subnet(subnet);
    if laid_out.is_none() {
        context.internal(problem());
    }
    Value::Zonal {
        key: Key::new(
            Kind::Subnet,
            crate::emit::names::subnet(context.system, subnet),
        ),
        attribute,
        zones: laid_out.map_or(0, |layout| layout.zones.len()),
    }
}

/// The Fargate service whose tasks a [`Value::DesiredTasks`] counts, by
/// name; or, when it is not one, an internal error.
pub(crate) fn fargate<'a>(
    context: &crate::emit::Context<'a>,
    service: ServiceId,
) -> Option<(&'a str, &'a crate::model::Fargate)> {
    let system: &'a crate::model::System = context.system;
    let found = system.service(service);
    if let Some(crate::model::Service {
        name,
        compute: crate::model::Compute::Fargate(fargate),
        ..
    }) = found
    {
        return Some((name.text.as_str(), fargate));
    }
    context.internal(format!(
        "the tasks of service {}, which runs none",
        service.0
    ));
    None
}

/// The plan of the state machine a [`Value::Definition`] defines; or,
/// when the saga has none, an internal error.
pub(crate) fn state_machine<'a>(
    context: &crate::emit::Context<'a>,
    saga: SagaId,
) -> Option<&'a crate::graph::saga::SagaPlan> {
    let graph: &'a crate::graph::Graph = context.graph;
    let found = graph.state_machines().find(|plan| plan.saga == saga);
    if found.is_none() {
        context.internal(format!("the definition of saga {}, which has none", saga.0));
    }
    found
}
