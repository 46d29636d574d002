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
use crate::graph::{BusRef, LoadBalancerRef, QueueRef};
use crate::model::aws::AwsService;
use crate::model::{NetworkId, ServiceId, SubnetRef, System};

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
    }
}

/// The base name of an IAM role.
pub fn role(system: &System, principal: Principal) -> String {
    match principal {
        Principal::Service(id) => service(system, id),
        Principal::TaskExecution(id) => format!("{}--execution", service(system, id)),
        Principal::FlowLogs(id) => format!("{}--flow-logs", network(system, id)),
    }
}

/// The name AWS shows, without the system's prefix: `--` folded to `-`.
pub fn physical(base: &str) -> String {
    base.replace("--", "-")
}
