//! The statements of `emit::infra::policy` as JSON: a role's trust and
//! inline policies, the resource policy of a queue or topic. They are
//! written with each backend's way of naming an ARN (CloudFormation's
//! intrinsic functions) or with the ARNs AWS stores (`emit::deployed`,
//! which the quota checks measure), so that what is measured is what is
//! written. Terraform spells the same statements as
//! `aws_iam_policy_document` blocks.

use serde_json::{Map, Value as Json, json};

use crate::emit::events;
use crate::emit::infra::policy::{Actions, Principal, Statement, Values};
use crate::graph::Graph;
use crate::graph::iam::{Permission, Resource, Source};

/// A policy document of `statements`, each ARN spelled by `value`.
pub fn document<V>(statements: &[Statement<V>], mut value: impl FnMut(&V) -> Json) -> Json {
    let statements: Vec<Json> = statements
        .iter()
        .map(|statement| statement_json(statement, &mut value))
        .collect();
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// A statement as JSON, each ARN spelled by `value`; a value that is a
/// list (the subnets of every zone) gives each of its ARNs.
fn statement_json<V>(statement: &Statement<V>, mut value: impl FnMut(&V) -> Json) -> Json {
    let mut json = Map::new();
    if let Some(sid) = &statement.sid {
        json.insert("Sid".into(), Json::from(sid.as_str()));
    }
    json.insert("Effect".into(), Json::from(statement.effect.as_str()));
    if let Some(principal) = &statement.principal {
        let principal = match principal {
            Principal::Anyone => Json::from("*"),
            Principal::Services(services) => json!({ "Service": values(services, &mut value) }),
            Principal::Aws(arn) => json!({ "AWS": value(arn) }),
        };
        json.insert("Principal".into(), principal);
    }
    let actions = match &statement.actions {
        Actions::All => Json::from("*"),
        Actions::One(action) => Json::from(*action),
        Actions::Listed(actions) => json!(actions),
    };
    json.insert("Action".into(), actions);
    if !statement.resources.is_empty() {
        let mut resources = Vec::new();
        for resource in &statement.resources {
            match value(resource) {
                Json::Array(each) => resources.extend(each),
                one => resources.push(one),
            }
        }
        json.insert("Resource".into(), Json::Array(resources));
    }
    if let Some(condition) = &statement.condition {
        let values = values(&condition.values, &mut value);
        json.insert(
            "Condition".into(),
            json!({ condition.test: { condition.variable: values } }),
        );
    }
    Json::Object(json)
}

/// One value as itself, several as a list.
fn values<V>(values: &Values<V>, value: &mut impl FnMut(&V) -> Json) -> Json {
    match values {
        Values::One(one) => value(one),
        Values::Any(any) => Json::Array(any.iter().map(value).collect()),
    }
}

/// One allowing statement of a queue's or topic's resource policy, as the
/// IAM plan groups them (`iam::Plan::statements_on`), with its id.
#[derive(Clone, Debug)]
pub struct ServiceGrant<'a> {
    pub sid: String,
    /// The first permission: its service, actions and test are the
    /// statement's.
    pub first: &'a Permission,
    /// Every permission of the statement, in the order of the plan.
    pub permissions: Vec<&'a Permission>,
}

/// The allowing statements of the resource policy of a queue or topic, in
/// the order of their first permission.
pub fn service_grants(graph: &Graph, resource: Resource) -> Vec<ServiceGrant<'_>> {
    graph
        .iam
        .statements_on(resource)
        .filter_map(|permissions| {
            let first = *permissions.first()?;
            Some(ServiceGrant {
                sid: events::policy_sid("Allow", sources_label(first.source)),
                first,
                permissions,
            })
        })
        .collect()
}

/// What a statement of a resource policy lets act, for its id.
fn sources_label(source: Source) -> &'static str {
    match source {
        Source::Rule(_) => "rules",
        Source::Topic(_) => "topics",
        Source::LoadBalancer(_) => "load-balancers",
        Source::Alarms => "alarms",
    }
}
