//! What the quota checks (M240–M249) share: the declaration that makes each
//! IAM principal, EventBridge rule, queue and security group, in words and
//! as a span for labels; the wording of an amount against a row of
//! `model::aws_quotas`; and which contributors go over a count.

use crate::diagnostics::Span;
use crate::graph::iam::Principal;
use crate::graph::network::Guarded;
use crate::graph::{BusRef, LoadBalancerRef, QueueRef, RuleRef};
use crate::model::System;
use crate::model::aws_quotas::{Quota, thousands};

/// A declaration, and how a message names what it makes.
#[derive(Clone, Debug)]
pub struct Site {
    pub span: Span,
    pub text: String,
}

#[allow(clippy::unnecessary_wraps)] // Every arm of the lookups below answers an `Option`.
fn site(span: Span, text: String) -> Option<Site> {
    Some(Site { span, text })
}

/// `10,311 characters`, `21` (a count has no unit).
pub fn amount(quota: &Quota, value: usize) -> String {
    let number = thousands(u64::try_from(value).unwrap_or(u64::MAX));
    match quota.measure.unit() {
        "" => number,
        unit => format!("{number} {unit}"),
    }
}

/// The limit of a row in words: `10,240 characters`, `60`.
pub fn limit(quota: &Quota, region: &str) -> String {
    amount(quota, quota.limit_in(region))
}

/// The note every quota diagnostic carries: what AWS counts and where the
/// value comes from.
pub fn source_note(quota: &Quota) -> String {
    format!("AWS counts {}: {}", quota.counts, quota.source)
}

/// The declaration behind an IAM principal's role.
pub fn principal(system: &System, principal: Principal) -> Option<Site> {
    match principal {
        Principal::Service(id) => {
            let service = system.service(id)?;
            site(
                service.name.span,
                format!("service `{}`", service.name.text),
            )
        }
        Principal::TaskExecution(id) => {
            let service = system.service(id)?;
            site(
                service.name.span,
                format!("the task execution role of service `{}`", service.name.text),
            )
        }
        Principal::FlowLogs(id) => {
            let network = system.network(id)?;
            site(
                network.name.span,
                format!("the flow logs of network `{}`", network.name.text),
            )
        }
        Principal::RuleDelivery(rule_ref) => {
            let found = rule(system, rule_ref)?;
            site(found.span, format!("the delivery role of {}", found.text))
        }
        Principal::DatabaseMonitoring(id) => {
            let database = system.databases.get(id.0)?;
            site(
                database.name.span,
                format!("the monitoring role of database `{}`", database.name.text),
            )
        }
        Principal::Saga(id) => {
            let saga = system.sagas.get(id.0)?;
            site(saga.name.span, format!("saga `{}`", saga.name.text))
        }
    }
}

/// The declaration behind an EventBridge rule.
pub fn rule(system: &System, rule: RuleRef) -> Option<Site> {
    match rule {
        RuleRef::Declared(id) => {
            let declared = system.rules.get(id.0)?;
            site(declared.name.span, format!("rule `{}`", declared.name.text))
        }
        RuleRef::Consumer { service, index, .. } => {
            let declared = system.service(service)?;
            let consume = declared.consumes.get(index)?;
            site(
                consume.span,
                format!(
                    "the rule of a `consumes` of service `{}`",
                    declared.name.text
                ),
            )
        }
        RuleRef::Trigger(id) => {
            let saga = system.sagas.get(id.0)?;
            let span = saga.trigger.map_or(saga.name.span, |trigger| trigger.span);
            site(
                span,
                format!("the trigger rule of saga `{}`", saga.name.text),
            )
        }
        RuleRef::Choreography { saga, .. } => {
            let saga = system.sagas.get(saga.0)?;
            site(
                saga.name.span,
                format!("a rule of saga `{}`", saga.name.text),
            )
        }
    }
}

/// The declaration behind an EventBridge bus (the system, for the default
/// bus).
pub fn bus(system: &System, bus: BusRef) -> Option<Site> {
    match bus {
        BusRef::Default => site(
            system.name.span,
            "the default event bus of system `".to_string() + &system.name.text + "`",
        ),
        BusRef::Declared(id) => {
            let declared = system.buses.get(id.0)?;
            site(declared.name.span, format!("bus `{}`", declared.name.text))
        }
    }
}

/// The declaration behind a queue of the graph.
pub fn queue(system: &System, queue: QueueRef) -> Option<Site> {
    let service = |id: crate::model::ServiceId, what: &str| {
        let service = system.service(id)?;
        site(
            service.name.span,
            format!("the {what} queue of service `{}`", service.name.text),
        )
    };
    match queue {
        QueueRef::Declared(id) => {
            let declared = system.queue(id)?;
            site(
                declared.name.span,
                format!("queue `{}`", declared.name.text),
            )
        }
        QueueRef::DeadLetter(id) => {
            let declared = system.queue(id)?;
            let span = declared
                .dlq
                .as_ref()
                .map_or(declared.name.span, |dlq| dlq.span);
            site(
                span,
                format!("the dead-letter queue of queue `{}`", declared.name.text),
            )
        }
        QueueRef::Inbox(id) => service(id, "inbox"),
        QueueRef::InboxDeadLetter(id) => service(id, "inbox's dead-letter"),
        QueueRef::FunctionFailures(id) => service(id, "failed-events"),
        QueueRef::StreamFailures(id) => service(id, "stream-failures"),
        QueueRef::Commands(id) => service(id, "command"),
        QueueRef::CommandsDeadLetter(id) => service(id, "command dead-letter"),
        QueueRef::Undelivered(bus_ref) => {
            let found = bus(system, bus_ref)?;
            site(
                found.span,
                format!("the undelivered queue of {}", found.text),
            )
        }
        QueueRef::SagaDeadLetter(id) => {
            let saga = system.sagas.get(id.0)?;
            site(
                saga.name.span,
                format!("the dead-letter queue of saga `{}`", saga.name.text),
            )
        }
    }
}

/// The declaration behind a security group.
pub fn group_owner(system: &System, owner: Guarded) -> Option<Site> {
    match owner {
        Guarded::Service(id) => {
            let service = system.service(id)?;
            site(
                service.name.span,
                format!("service `{}`", service.name.text),
            )
        }
        Guarded::Database(id) => {
            let database = system.databases.get(id.0)?;
            site(
                database.name.span,
                format!("database `{}`", database.name.text),
            )
        }
        Guarded::Endpoint(network_id, api) => {
            let network = system.network(network_id)?;
            let span = network
                .endpoints
                .iter()
                .find(|endpoint| endpoint.value == api)
                .map_or(network.name.span, |endpoint| endpoint.span);
            site(
                span,
                format!(
                    "the {} endpoint of network `{}`",
                    api.mesh_name(),
                    network.name.text
                ),
            )
        }
        Guarded::LoadBalancer(balancer) => load_balancer(system, balancer),
        Guarded::PrivateLink { network, callee } => {
            let network = system.network(network)?;
            let callee = system.service(callee)?;
            site(
                network.name.span,
                format!(
                    "the PrivateLink endpoint for `{}` in network `{}`",
                    callee.name.text, network.name.text
                ),
            )
        }
    }
}

/// The declaration behind a load balancer: its network, or the service of
/// a Network Load Balancer.
pub fn load_balancer(system: &System, balancer: LoadBalancerRef) -> Option<Site> {
    match balancer {
        LoadBalancerRef::Alb { network, public } => {
            let network = system.network(network)?;
            site(
                network.name.span,
                format!(
                    "the {} load balancer of network `{}`",
                    if public {
                        "internet-facing"
                    } else {
                        "internal"
                    },
                    network.name.text
                ),
            )
        }
        LoadBalancerRef::Nlb(id) => {
            let service = system.service(id)?;
            site(
                service.name.span,
                format!(
                    "the Network Load Balancer of service `{}`",
                    service.name.text
                ),
            )
        }
    }
}

/// Of contributors with weights, in order, the first whose weight takes
/// the running total over `limit`, and the total.
pub fn first_over<T: Copy>(items: &[(T, usize)], limit: usize) -> (Option<T>, usize) {
    let mut total = 0usize;
    let mut first = None;
    for (item, weight) in items {
        total = total.saturating_add(*weight);
        if total > limit && first.is_none() {
            first = Some(*item);
        }
    }
    (first, total)
}

/// Of contributors to a count, each with the declaration behind it and
/// its weight: the total, and the declaration of the first that takes it
/// over `limit`, when the total is over.
pub fn count_over(items: &[(Option<Site>, usize)], limit: usize) -> Option<(usize, Option<&Site>)> {
    let indexed: Vec<(usize, usize)> = items
        .iter()
        .enumerate()
        .map(|(index, (_, weight))| (index, *weight))
        .collect();
    let (over, count) = first_over(&indexed, limit);
    (count > limit).then(|| {
        let site = over
            .and_then(|index| items.get(index))
            .and_then(|(site, _)| site.as_ref());
        (count, site)
    })
}

#[cfg(test)]
mod tests {
    use super::first_over;

    #[test]
    fn the_first_over_a_count_is_the_one_that_crosses_it() {
        let items = [(1, 1), (2, 1), (3, 1)];
        assert_eq!(first_over(&items, 3), (None, 3));
        assert_eq!(first_over(&items, 2), (Some(3), 3));
        assert_eq!(first_over(&[(1, 5), (2, 1)], 3), (Some(1), 6));
    }
}
