//! What both infrastructure backends say about EventBridge rules and
//! resource policies: the names of rules and of the sources a policy
//! names, schedule expressions, and statement ids.

use crate::emit::names;
use crate::graph::iam::{Permission, Resource, Source};
use crate::graph::messaging::RulePlan;
use crate::graph::{Graph, LoadBalancerRef, Node, RuleRef};
use crate::model::{Schedule, ServiceId, System, TopicId};

/// The base name of an emitted rule: a declared rule is emitted once per
/// bus when it listens on several.
pub fn rule_label(system: &System, graph: &Graph, rule: &RulePlan) -> String {
    names::rule(
        system,
        graph,
        rule.rule,
        rule.one_of_several.then_some(rule.bus),
    )
}

/// `rate(5 minutes)` or `cron(...)`.
pub fn schedule_expression(schedule: &Schedule) -> String {
    match schedule {
        Schedule::Cron(expression) => format!("cron({expression})"),
        Schedule::Rate(every) => {
            let minutes = every.as_millis() / 60_000;
            let (count, unit) = if minutes % 1440 == 0 {
                (minutes / 1440, "day")
            } else if minutes % 60 == 0 {
                (minutes / 60, "hour")
            } else {
                (minutes, "minute")
            };
            let plural = if count == 1 { "" } else { "s" };
            format!("rate({count} {unit}{plural})")
        }
    }
}

/// The base name of what a resource policy lets act.
pub fn source_label(system: &System, graph: &Graph, source: Source) -> String {
    match source {
        Source::Rule(rule) => names::rule(system, graph, rule, None),
        Source::Topic(topic) => system
            .topics
            .get(topic.0)
            .map_or_else(String::new, |topic| topic.name.text.clone()),
        Source::LoadBalancer(balancer) => names::load_balancer(system, balancer),
        Source::Alarms => "alarms".to_string(),
    }
}

/// A statement id from a source's label: letters and digits.
pub fn policy_sid(prefix: &str, label: &str) -> String {
    let mut text = prefix.to_string();
    for word in label.split(|ch: char| !ch.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            text.push(first.to_ascii_uppercase());
            text.push_str(chars.as_str());
        }
    }
    text
}

/// The emitted rules a resource policy names for a source rule: each bus's
/// copy of it that reaches `resource`, as a target or as the dead-letter
/// queue of its targets (a rule that starts a state machine acts on it
/// through a role, but its failed deliveries still go to its dead-letter
/// queue, whose policy must allow it). `rules` are the plans of
/// the graph's `messaging.rules`, in the order of their rules, so the copies of
/// one rule are found by a binary search rather than a scan per policy.
pub fn source_rules(
    rules: &[RulePlan],
    rule: RuleRef,
    resource: Resource,
) -> impl Iterator<Item = &RulePlan> {
    let first = rules.partition_point(|plan| plan.rule < rule);
    rules
        .get(first..)
        .unwrap_or_default()
        .iter()
        .take_while(move |plan| plan.rule == rule)
        .filter(move |plan| reaches(plan, resource))
}

/// Whether an emitted rule delivers to `resource` or sends it what it
/// could not deliver.
fn reaches(plan: &RulePlan, resource: Resource) -> bool {
    let target = match resource {
        Resource::Queue(queue) => {
            if plan.dead_letter == Some(queue) {
                return true;
            }
            Node::Queue(queue)
        }
        Resource::Topic(topic) => Node::Topic(topic),
        Resource::Function(service) => Node::Service(service),
        Resource::Stream(stream) => Node::Stream(stream),
        Resource::StateMachine(saga) => Node::Saga(saga),
        _ => return false,
    };
    plan.targets.contains(&target)
}

/// What a resource policy names as a source's ARN (`aws:SourceArn`),
/// before a backend writes it: an emitted copy of a source rule, a topic,
/// or a target group of a load balancer.
#[derive(Clone, Copy, Debug)]
pub enum SourceArn<'a> {
    Rule(&'a RulePlan),
    Topic(TopicId),
    TargetGroup(LoadBalancerRef, ServiceId),
    /// Every alarm of the system: `PREFIX-*`.
    Alarms,
}

/// The ARNs a resource policy names for the source of a permission: each
/// emitted copy of a rule that reaches the permission's resource
/// (`source_rules`), the topic, or the target group through which a load
/// balancer reaches each of its targets.
pub fn source_arns<'a>(
    network: &crate::graph::network::Plan,
    rules: &'a [RulePlan],
    permission: &Permission,
) -> Vec<SourceArn<'a>> {
    match permission.source {
        Source::Rule(rule) => source_rules(rules, rule, permission.resource)
            .map(SourceArn::Rule)
            .collect(),
        Source::Topic(topic) => vec![SourceArn::Topic(topic)],
        Source::LoadBalancer(balancer) => network
            .load_balancer(balancer)
            .into_iter()
            .flat_map(|plan| plan.targets.iter())
            .map(|target| SourceArn::TargetGroup(balancer, target.service))
            .collect(),
        Source::Alarms => vec![SourceArn::Alarms],
    }
}
