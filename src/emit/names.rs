//! The names of emitted resources, shared by every backend so that the same
//! component has the same name in Terraform and CloudFormation.
//!
//! A base name is the component's .mesh name, or for a derived resource the
//! names of what it derives from joined with `--` (which no .mesh name
//! contains, so a derived name never collides with a declared one).
//! Terraform uses base names as resource labels; AWS names are the system's
//! prefix, a dash and the base name with `--` folded to `-`.

use crate::graph::iam::Principal;
use crate::graph::network::Guarded;
use crate::graph::{BusRef, LoadBalancerRef, QueueRef, RuleRef};
use crate::model::aws::AwsService;
use crate::model::{DatabaseId, NetworkId, SagaId, ServiceId, SubnetRef, System};

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
pub fn rule(system: &System, rule: RuleRef, bus: Option<BusRef>) -> String {
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
            let plans = crate::graph::saga::plans(system);
            let label = plans
                .iter()
                .find(|plan| plan.saga == id)
                .and_then(|plan| {
                    crate::graph::saga::choreography(system, plan)
                        .into_iter()
                        .nth(index)
                })
                .map_or_else(|| format!("{}", index + 1), |rule| rule.label);
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
pub fn role(system: &System, principal: Principal) -> String {
    match principal {
        Principal::Service(id) => service(system, id),
        Principal::TaskExecution(id) => format!("{}--execution", service(system, id)),
        Principal::FlowLogs(id) => format!("{}--flow-logs", network(system, id)),
        Principal::RuleDelivery(rule) => format!("{}--delivery", self::rule(system, rule, None)),
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
pub fn role_description(system: &System, principal: Principal) -> String {
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
            physical(&self::rule(system, rule, None))
        ),
        Principal::DatabaseMonitoring(id) => {
            format!("RDS enhanced monitoring of {}", database(system, id))
        }
        Principal::Saga(id) => format!("The state machine of saga {}", saga(system, id)),
    }
}
