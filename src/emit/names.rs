//! The names of emitted resources, shared by every backend so that the same
//! component has the same name in Terraform and CloudFormation.
//!
//! A base name is the component's .mesh name, or for a derived resource the
//! names of what it derives from joined with `--` (which no .mesh name
//! contains, so a derived name never collides with a declared one).
//! Terraform uses base names as resource labels; AWS names are the system's
//! prefix, a dash and the base name with `--` folded to `-`.
//!
//! Every AWS name (a physical name) is formed here, as a [`PhysicalName`]:
//! its parts, with the declaration part fitted to AWS's rule for its kind
//! by [`crate::model::aws_names::fit`]. A backend only writes the parts in
//! its own syntax (`${var.name_prefix}`, `${NamePrefix}`).

use crate::graph::iam::Principal;
use crate::graph::network::Guarded;
use crate::graph::{BusRef, Graph, LoadBalancerRef, QueueRef, RuleRef};
use crate::model::aws::AwsService;
use crate::model::aws_names::{self, NameKind};
use crate::model::{DatabaseId, NetworkId, SagaId, ServiceId, SubnetRef, System, TopicId};

use super::Context;

/// The declared names of services, in the order given (ids that name no
/// service are left out).
pub fn services(system: &System, ids: impl IntoIterator<Item = ServiceId>) -> Vec<&str> {
    ids.into_iter()
        .filter_map(|id| system.service(id))
        .map(|service| service.name.text.as_str())
        .collect()
}

/// Why an interface endpoint exists, for its description: the services
/// that use it, or that only `endpoints` declares it.
pub fn endpoint_reason(system: &System, users: &[ServiceId]) -> String {
    if users.is_empty() {
        "Declared in `endpoints`; no service uses it.".to_string()
    } else {
        format!(
            "Used by {}.",
            services(system, users.iter().copied()).join(", ")
        )
    }
}

fn service(system: &System, id: ServiceId) -> String {
    system.service(id).map_or_else(
        || format!("service-{}", id.0),
        |service| service.name.text.clone(),
    )
}

pub fn network(system: &System, id: NetworkId) -> String {
    system.network(id).map_or_else(
        || format!("network-{}", id.0),
        |network| network.name.text.clone(),
    )
}

pub fn subnet(system: &System, subnet: SubnetRef) -> String {
    system.subnet(subnet).map_or_else(
        || format!("subnet-{}", subnet.index),
        |subnet| subnet.name.text.clone(),
    )
}

/// The base name of a security group's owner.
pub fn guarded(system: &System, owner: Guarded) -> String {
    match owner {
        Guarded::Service(id) => service(system, id),
        Guarded::Database(id) => system.databases.get(id.0).map_or_else(
            || format!("database-{}", id.0),
            |database| database.name.text.clone(),
        ),
        Guarded::Endpoint(network_id, api) => format!(
            "{}--{}-endpoint",
            network(system, network_id),
            api.mesh_name()
        ),
        Guarded::LoadBalancer(balancer) => load_balancer(system, balancer),
        Guarded::PrivateLink {
            network: network_id,
            callee,
        } => {
            format!(
                "{}--{}-privatelink",
                network(system, network_id),
                service(system, callee)
            )
        }
    }
}

pub fn load_balancer(system: &System, balancer: LoadBalancerRef) -> String {
    match balancer {
        LoadBalancerRef::Alb {
            network: id,
            public: true,
        } => format!("{}--public-alb", network(system, id)),
        LoadBalancerRef::Alb {
            network: id,
            public: false,
        } => format!("{}--internal-alb", network(system, id)),
        LoadBalancerRef::Nlb(id) => format!("{}--nlb", service(system, id)),
    }
}

pub fn endpoint(system: &System, network_id: NetworkId, api: AwsService) -> String {
    format!("{}--{}", network(system, network_id), api.mesh_name())
}

pub fn queue(system: &System, queue: QueueRef) -> String {
    let bus_name = |bus: BusRef| match bus {
        BusRef::Default => "default".to_string(),
        BusRef::Declared(id) => system
            .buses
            .get(id.0)
            .map_or_else(|| format!("bus-{}", id.0), |bus| bus.name.text.clone()),
    };
    match queue {
        QueueRef::Declared(id) => system.queue(id).map_or_else(
            || format!("queue-{}", id.0),
            |queue| queue.name.text.clone(),
        ),
        QueueRef::DeadLetter(id) => format!(
            "{}--dlq",
            system.queue(id).map_or_else(
                || format!("queue-{}", id.0),
                |queue| queue.name.text.clone()
            )
        ),
        QueueRef::Inbox(id) => format!("{}--inbox", service(system, id)),
        QueueRef::InboxDeadLetter(id) => format!("{}--inbox-dlq", service(system, id)),
        QueueRef::Undelivered(bus) => format!("{}--undelivered", bus_name(bus)),
        QueueRef::FunctionFailures(id) => format!("{}--failures", service(system, id)),
        QueueRef::Commands(id) => format!("{}--commands", service(system, id)),
        QueueRef::CommandsDeadLetter(id) => format!("{}--commands-dlq", service(system, id)),
        QueueRef::SagaDeadLetter(id) => format!("{}--dlq", saga(system, id)),
        QueueRef::StreamFailures(id) => format!("{}--stream-failures", service(system, id)),
    }
}

/// The base name of an alarm: what it watches, then what it says
/// (`notifications--dlq--dead-letters`, `inventory--errors`).
pub fn alarm(system: &System, alarm: &crate::graph::alarms::Alarm) -> String {
    format!("{}--{}", watched(system, alarm), alarm.suffix)
}

/// `PREFIX-WATCHED-SUFFIX`: the name of an alarm, which keeps what it says
/// when what it watches has to be shortened.
pub(crate) fn alarm_name(
    context: &Context<'_>,
    alarm: &crate::graph::alarms::Alarm,
) -> PhysicalName {
    framed(
        context,
        NameKind::Alarm,
        vec![Part::Prefix, text("-")],
        &physical(&watched(context.system, alarm)),
        vec![text(&format!("-{}", alarm.suffix))],
    )
}

/// The base name of what an alarm watches.
fn watched(system: &System, alarm: &crate::graph::alarms::Alarm) -> String {
    use crate::graph::alarms::Watched;
    match alarm.watched {
        Watched::Queue(id) => queue(system, id),
        Watched::Function(id) | Watched::Tasks(id) => service(system, id),
        Watched::Stream(id) => system.streams.get(id.0).map_or_else(
            || format!("stream-{}", id.0),
            |stream| stream.name.text.clone(),
        ),
        Watched::StateMachine(id) => saga(system, id),
    }
}

pub fn saga(system: &System, id: SagaId) -> String {
    system
        .sagas
        .get(id.0)
        .map_or_else(|| format!("saga-{}", id.0), |saga| saga.name.text.clone())
}

pub fn database(system: &System, id: DatabaseId) -> String {
    system.databases.get(id.0).map_or_else(
        || format!("database-{}", id.0),
        |database| database.name.text.clone(),
    )
}

/// The base name of an EventBridge rule; `bus` is given when a declared
/// rule is emitted once per bus.
pub fn rule(system: &System, graph: &Graph, rule: RuleRef, bus: Option<BusRef>) -> String {
    let base = match rule {
        RuleRef::Declared(id) => system
            .rules
            .get(id.0)
            .map_or_else(|| format!("rule-{}", id.0), |rule| rule.name.text.clone()),
        RuleRef::Consumer {
            service: id, index, ..
        } => {
            format!("{}--consumes-{}", service(system, id), index + 1)
        }
        RuleRef::Trigger(id) => format!("{}--trigger", saga(system, id)),
        RuleRef::Choreography { saga: id, index } => {
            let label = graph
                .saga(id)
                .and_then(|plan| plan.choreography.get(index))
                .map_or_else(|| format!("{}", index + 1), |rule| rule.label.clone());
            format!("{}--{label}", saga(system, id))
        }
    };
    match bus {
        Some(bus) => format!("{base}-{}", bus_name(system, bus)),
        None => base,
    }
}

pub fn bus_name(system: &System, bus: BusRef) -> String {
    match bus {
        BusRef::Default => "default".to_string(),
        BusRef::Declared(id) => system
            .buses
            .get(id.0)
            .map_or_else(|| format!("bus-{}", id.0), |bus| bus.name.text.clone()),
    }
}

/// The base name of the target group through which a load balancer
/// reaches a service. A Network Load Balancer has one target, so its group
/// carries its name.
pub fn target_group(system: &System, balancer: LoadBalancerRef, target: ServiceId) -> String {
    match balancer {
        LoadBalancerRef::Nlb(_) => load_balancer(system, balancer),
        LoadBalancerRef::Alb { public, .. } => format!(
            "{}--{}-alb",
            service(system, target),
            if public { "public" } else { "internal" }
        ),
    }
}

/// The base name of a listener of a load balancer.
pub fn listener(system: &System, balancer: LoadBalancerRef, port: u16) -> String {
    match balancer {
        LoadBalancerRef::Nlb(_) => load_balancer(system, balancer),
        LoadBalancerRef::Alb { .. } => format!("{}--{port}", load_balancer(system, balancer)),
    }
}

/// The base name of an IAM role.
pub fn role(system: &System, graph: &Graph, principal: Principal) -> String {
    match principal {
        Principal::Service(id) => service(system, id),
        Principal::TaskExecution(id) => format!("{}--execution", service(system, id)),
        Principal::FlowLogs(id) => format!("{}--flow-logs", network(system, id)),
        Principal::RuleDelivery(rule) => {
            format!("{}--delivery", self::rule(system, graph, rule, None))
        }
        Principal::DatabaseMonitoring(id) => format!("{}--monitoring", database(system, id)),
        Principal::Saga(id) => format!("{}--saga", saga(system, id)),
    }
}

/// A description within the `limit` characters AWS accepts, cut at a word
/// when it is longer.
pub fn description(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(3)).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    cut.push_str("...");
    cut
}

/// The name AWS shows, without the system's prefix: `--` folded to `-`.
pub fn physical(base: &str) -> String {
    base.replace("--", "-")
}

/// A statement id from the reason of a grant: letters and digits only.
/// The `Sid` of a grant's statement: from its reason, and for a statement
/// written by hand in `iam`, starting with `Written`, so that a reader (and
/// the conformance lint) tells it from a derived one.
pub fn grant_sid(grant: &crate::graph::iam::Grant, index: usize) -> String {
    if grant.written {
        statement_id(&format!("written {}", grant.why), index)
    } else {
        statement_id(&grant.why, index)
    }
}

pub fn statement_id(why: &str, index: usize) -> String {
    let words: String = why
        .split(|ch: char| !ch.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(6)
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    format!("{words}{index}")
}

/// What a role is for, in words: its IAM description.
pub fn role_description(system: &System, graph: &Graph, principal: Principal) -> String {
    match principal {
        Principal::Service(id) => {
            let service = system.service(id);
            let name = service.map_or("", |service| service.name.text.as_str());
            match service.map(|service| &service.compute) {
                Some(crate::model::Compute::Lambda(_)) => format!("The Lambda function {name}"),
                _ => format!("The tasks of service {name}"),
            }
        }
        Principal::TaskExecution(id) => format!(
            "ECS starting the tasks of service {}",
            system
                .service(id)
                .map_or("", |service| service.name.text.as_str())
        ),
        Principal::FlowLogs(id) => {
            format!("The flow logs of network {}", network(system, id))
        }
        Principal::RuleDelivery(rule) => format!(
            "The EventBridge rule {}",
            physical(&self::rule(system, graph, rule, None))
        ),
        Principal::DatabaseMonitoring(id) => {
            format!("RDS enhanced monitoring of {}", database(system, id))
        }
        Principal::Saga(id) => format!("The state machine of saga {}", saga(system, id)),
    }
}

// ---------------------------------------------------------------------------
// Physical names.

/// One part of a physical name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Text meshc writes.
    Text(String),
    /// The system's name prefix, chosen at deploy time.
    Prefix,
    /// The account the system is deployed to.
    AccountId,
    /// The region the system is deployed to.
    Region,
    /// The partition of that region (`aws`, `aws-cn`, `aws-us-gov`), in an
    /// ARN.
    Partition,
    /// The index of a counted resource (its zone).
    Index,
}

/// A part of text meshc writes.
pub(crate) fn text(text: &str) -> Part {
    Part::Text(text.to_string())
}

/// The AWS name of a resource, as parts that each backend writes in its own
/// syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhysicalName {
    pub kind: NameKind,
    pub parts: Vec<Part>,
}

impl PhysicalName {
    /// The name of the resource of zone `zone` among those counted per
    /// zone, for a backend that writes each of them (CloudFormation).
    #[must_use]
    pub fn in_zone(&self, zone: usize) -> PhysicalName {
        let parts = self
            .parts
            .iter()
            .map(|part| match part {
                Part::Index => Part::Text(zone.to_string()),
                other => other.clone(),
            })
            .collect();
        PhysicalName {
            kind: self.kind,
            parts: merge(parts),
        }
    }

    /// The name with every deploy-time part at its longest: what the name
    /// limits and the quotas of `model::aws_quotas` are checked against.
    pub fn longest(&self) -> String {
        longest(&self.parts)
    }
}

/// The longest partition a name may be deployed in.
const LONGEST_PARTITION: &str = "aws-us-gov";

/// The name with every deploy-time part at its longest: what the limits
/// are checked against.
fn longest(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|part| match part {
            Part::Text(text) => text.as_str(),
            Part::Prefix => aws_names::LONGEST_PREFIX,
            Part::AccountId => aws_names::ACCOUNT_ID,
            Part::Region => aws_names::LONGEST_REGION,
            Part::Partition => LONGEST_PARTITION,
            Part::Index => aws_names::LONGEST_INDEX,
        })
        .collect()
}

/// A name of `kind`: `before`, the declaration part fitted to the rule of
/// the kind, then `after`. A part that cannot be fitted is logged on the
/// context, and the backend then refuses to write its files.
fn framed(
    context: &Context<'_>,
    kind: NameKind,
    before: Vec<Part>,
    part: &str,
    after: Vec<Part>,
) -> PhysicalName {
    let whole = |candidate: &str| {
        let mut parts = before.clone();
        parts.push(text(candidate));
        parts.extend(after.iter().cloned());
        longest(&parts)
    };
    let fitted = match aws_names::fit(kind, part, whole) {
        Ok(fitted) => fitted.text,
        Err(problem) => {
            context.name_problem(problem);
            part.to_string()
        }
    };
    let mut parts = before;
    parts.push(Part::Text(fitted));
    parts.extend(after);
    PhysicalName {
        kind,
        parts: merge(parts),
    }
}

/// Adjacent texts joined, empty ones dropped.
fn merge(parts: Vec<Part>) -> Vec<Part> {
    let mut merged: Vec<Part> = Vec::with_capacity(parts.len());
    for part in parts {
        match (merged.last_mut(), part) {
            (_, Part::Text(text)) if text.is_empty() => {}
            (Some(Part::Text(last)), Part::Text(text)) => last.push_str(&text),
            (_, part) => merged.push(part),
        }
    }
    merged
}

/// A name with no declaration part, checked against the rule of its kind.
fn fixed(context: &Context<'_>, kind: NameKind, parts: Vec<Part>) -> PhysicalName {
    framed(context, kind, parts, "", Vec::new())
}

/// `PREFIX-BASE`: the AWS name of most resources, `--` folded to `-`.
pub(crate) fn aws(context: &Context<'_>, kind: NameKind, base: &str) -> PhysicalName {
    framed(
        context,
        kind,
        vec![Part::Prefix, text("-")],
        &physical(base),
        Vec::new(),
    )
}

/// `PREFIX-SERVICE-pub` (or `-int`): the target group through which an
/// Application Load Balancer, internet-facing or internal, reaches a
/// service.
pub(crate) fn alb_target_group(context: &Context<'_>, service: &str, public: bool) -> PhysicalName {
    let side = if public { "pub" } else { "int" };
    aws(context, NameKind::TargetGroup, &format!("{service}-{side}"))
}

/// `PREFIX-BASE.fifo`: a FIFO queue or topic.
pub(crate) fn fifo(context: &Context<'_>, kind: NameKind, base: &str) -> PhysicalName {
    framed(
        context,
        kind,
        vec![Part::Prefix, text("-")],
        &physical(base),
        vec![text(".fifo")],
    )
}

/// The AWS name of a queue of the graph: `PREFIX-BASE`, or
/// `PREFIX-BASE.fifo` for a FIFO queue.
pub(crate) fn queue_name(context: &Context<'_>, queue: QueueRef, fifo: bool) -> PhysicalName {
    let label = self::queue(context.system, queue);
    if fifo {
        self::fifo(context, NameKind::Queue, &label)
    } else {
        aws(context, NameKind::Queue, &label)
    }
}

/// The AWS name of a topic: `PREFIX-NAME`, or `PREFIX-NAME.fifo` for a
/// FIFO topic.
pub(crate) fn topic_name(context: &Context<'_>, topic: TopicId) -> PhysicalName {
    let declared = context.system.topics.get(topic.0);
    let name = declared.map_or_else(
        || format!("topic-{}", topic.0),
        |topic| topic.name.text.clone(),
    );
    if declared.is_some_and(|topic| topic.fifo.value) {
        fifo(context, NameKind::Topic, &name)
    } else {
        aws(context, NameKind::Topic, &name)
    }
}

/// `PREFIX-BASE-INDEX`: one of a resource counted per zone.
pub(crate) fn counted(context: &Context<'_>, kind: NameKind, base: &str) -> PhysicalName {
    framed(
        context,
        kind,
        vec![Part::Prefix, text("-")],
        &physical(base),
        vec![text("-"), Part::Index],
    )
}

/// `PREFIX-NETWORK-nat-INDEX`: the Name tag of a NAT gateway and its
/// address.
pub(crate) fn nat(context: &Context<'_>, network: &str) -> PhysicalName {
    framed(
        context,
        NameKind::NameTag,
        vec![Part::Prefix, text("-")],
        &physical(network),
        vec![text("-nat-"), Part::Index],
    )
}

/// `PREFIX-BASE-final`: the snapshot RDS takes when a database is deleted.
pub(crate) fn final_snapshot(context: &Context<'_>, base: &str) -> PhysicalName {
    framed(
        context,
        NameKind::DbSnapshot,
        vec![Part::Prefix, text("-")],
        &physical(base),
        vec![text("-final")],
    )
}

/// `/aws/lambda/PREFIX-FUNCTION`: where Lambda writes a function's logs (its
/// function name, so it follows the function's shortened name).
pub(crate) fn function_log_group(context: &Context<'_>, service: &str) -> PhysicalName {
    let function = aws(context, NameKind::Function, service);
    let mut parts = vec![text("/aws/lambda/")];
    parts.extend(function.parts);
    fixed(context, NameKind::LogGroup, merge(parts))
}

/// `/ecs/PREFIX/SERVICE`: the log group of a Fargate service.
pub(crate) fn task_log_group(context: &Context<'_>, service: &str) -> PhysicalName {
    framed(
        context,
        NameKind::LogGroup,
        vec![text("/ecs/"), Part::Prefix, text("/")],
        service,
        Vec::new(),
    )
}

/// `/aws/vendedlogs/states/PREFIX-SAGA`: the log group of a state machine.
pub(crate) fn state_machine_log_group(context: &Context<'_>, saga: &str) -> PhysicalName {
    framed(
        context,
        NameKind::LogGroup,
        vec![text("/aws/vendedlogs/states/"), Part::Prefix, text("-")],
        saga,
        Vec::new(),
    )
}

/// `/PREFIX/vpc/NETWORK/flow-logs`: the log group of a network's flow logs.
pub(crate) fn flow_log_group(context: &Context<'_>, network: &str) -> PhysicalName {
    framed(
        context,
        NameKind::LogGroup,
        vec![text("/"), Part::Prefix, text("/vpc/")],
        network,
        vec![text("/flow-logs")],
    )
}

/// `aws-waf-logs-PREFIX-BASE`: the log group of a web ACL (WAF logs only
/// to a group whose name starts with `aws-waf-logs-`).
pub(crate) fn web_acl_log_group(context: &Context<'_>, base: &str) -> PhysicalName {
    framed(
        context,
        NameKind::LogGroup,
        vec![text("aws-waf-logs-"), Part::Prefix, text("-")],
        &physical(base),
        Vec::new(),
    )
}

/// `PREFIX/SERVICE`: the ECR repository of a Fargate service.
pub(crate) fn repository(context: &Context<'_>, service: &str) -> PhysicalName {
    framed(
        context,
        NameKind::Repository,
        vec![Part::Prefix, text("/")],
        service,
        Vec::new(),
    )
}

/// `NETWORK.PREFIX.internal`: the Cloud Map namespace of a network.
pub(crate) fn namespace(context: &Context<'_>, network: &str) -> PhysicalName {
    framed(
        context,
        NameKind::Namespace,
        Vec::new(),
        network,
        vec![text("."), Part::Prefix, text(".internal")],
    )
}

/// `PREFIX`: the ECS cluster of the system.
pub(crate) fn cluster(context: &Context<'_>) -> PhysicalName {
    fixed(context, NameKind::EcsCluster, vec![Part::Prefix])
}

/// `alias/PREFIX`: the alias of the system's KMS key.
pub(crate) fn key_alias(context: &Context<'_>) -> PhysicalName {
    fixed(
        context,
        NameKind::KmsAlias,
        vec![text("alias/"), Part::Prefix],
    )
}

/// `PREFIX-access-logs-ACCOUNT-REGION`: the bucket of the load balancers'
/// access logs (bucket names are global, so they carry the account and
/// region).
pub(crate) fn access_log_bucket(context: &Context<'_>) -> PhysicalName {
    fixed(
        context,
        NameKind::Bucket,
        vec![
            Part::Prefix,
            text("-access-logs-"),
            Part::AccountId,
            text("-"),
            Part::Region,
        ],
    )
}

/// `PREFIX-BUCKET-ACCOUNT-REGION`: a declared bucket (bucket names are
/// global, so they carry the account and region).
pub(crate) fn bucket(context: &Context<'_>, bucket: &str) -> PhysicalName {
    framed(
        context,
        NameKind::Bucket,
        vec![Part::Prefix, text("-")],
        bucket,
        vec![text("-"), Part::AccountId, text("-"), Part::Region],
    )
}

/// `PREFIX/SECRET`: a declared secret.
pub(crate) fn secret(context: &Context<'_>, secret: &str) -> PhysicalName {
    framed(
        context,
        NameKind::Secret,
        vec![Part::Prefix, text("/")],
        secret,
        Vec::new(),
    )
}

/// `/PREFIX/PARAMETER`: a declared parameter, in the system's hierarchy.
pub(crate) fn parameter(context: &Context<'_>, parameter: &str) -> PhysicalName {
    framed(
        context,
        NameKind::Parameter,
        vec![text("/"), Part::Prefix, text("/")],
        parameter,
        Vec::new(),
    )
}

/// A name with no deploy-time part (a target id, a container, a Cloud Map
/// service), fitted to the rule of its kind. The runtime contract forms
/// the names callers use the same way (`graph::runtime`).
pub(crate) fn bare(context: &Context<'_>, kind: NameKind, name: &str) -> String {
    match aws_names::fit(kind, name, str::to_string) {
        Ok(fitted) => fitted.text,
        Err(problem) => {
            context.name_problem(problem);
            name.to_string()
        }
    }
}

/// The name of the Cloud Map service ECS Service Connect creates for a
/// service callers reach `via = mesh` (its `discoveryName`). It must be
/// unique in the namespace: a service also reached `via = dns` already has
/// a Cloud Map service of its own name there, so Service Connect's is
/// `NAME-mesh`. Callers never use it: they use the client alias, which
/// stays the service's name.
pub(crate) fn service_connect_discovery(
    context: &Context<'_>,
    service: crate::model::ServiceId,
    name: &str,
) -> String {
    if context.called_by_dns(service) {
        bare(context, NameKind::ServiceConnect, &format!("{name}-mesh"))
    } else {
        bare(context, NameKind::ServiceConnect, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_cannot_fit_is_an_internal_error_diagnostic() {
        let analysis = crate::analyze("system shop { region = \"us-east-1\" }\n");
        let (Some(system), Some(graph)) = (&analysis.system, &analysis.graph) else {
            panic!("the system resolves");
        };
        let context = Context::new(system, graph);
        assert!(context.diagnostics().is_empty());
        let name = framed(
            &context,
            NameKind::LogGroup,
            vec![Part::Text("a".repeat(600))],
            "x",
            Vec::new(),
        );
        assert_eq!(
            name.parts,
            vec![Part::Text(format!("{}x", "a".repeat(600)))]
        );
        let diagnostics = context.diagnostics();
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code.code, "M209");
        assert!(diagnostics[0].is_error());
        assert!(
            diagnostics[0].message.contains("log group name"),
            "{}",
            diagnostics[0].message
        );
    }
}
