//! The policy documents of the IAM plan as JSON: a role's inline policy,
//! one statement per grant, and the resource policy of a queue or topic,
//! the TLS-only statement and one statement per AWS service that delivers
//! to it. The documents are written with each backend's way of naming an
//! ARN (CloudFormation's intrinsic functions) or with the ARNs AWS stores
//! (`emit::deployed`, which the quota checks measure), so that what is
//! measured is what is written. Terraform spells the same statements as
//! `aws_iam_policy_document` blocks.

use serde_json::{Value as Json, json};

use crate::emit::infra::policy::{Actions, Principal, Statement, Values};
use crate::emit::{events, names};
use crate::graph::Graph;
use crate::graph::iam::{Grant, Permission, Resource, Role, Source};

/// The statement of one grant of a role.
pub fn grant_statement(grant: &Grant, index: usize, resources: &[Json]) -> Json {
    json!({
        "Sid": names::grant_sid(grant, index),
        "Effect": "Allow",
        "Action": grant.actions,
        "Resource": resources,
    })
}

/// The statements of a role's inline policy, one per grant, with the ARNs
/// `arns` gives for each resource.
pub fn role_statements(role: &Role, mut arns: impl FnMut(Resource) -> Vec<Json>) -> Vec<Json> {
    role.grants
        .iter()
        .enumerate()
        .map(|(index, grant)| {
            let resources: Vec<Json> = grant
                .resources
                .iter()
                .flat_map(|resource| arns(*resource))
                .collect();
            grant_statement(grant, index, &resources)
        })
        .collect()
}

/// A policy document of statements.
pub fn document(statements: &[Json]) -> Json {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// A statement of a resource policy as JSON, each ARN spelled by `value`.
pub fn statement_json<V>(statement: &Statement<V>, mut value: impl FnMut(&V) -> Json) -> Json {
    let principal = match statement.principal {
        Principal::Anyone => Json::from("*"),
        Principal::Service(service) => json!({ "Service": service }),
    };
    let actions = match &statement.actions {
        Actions::All => Json::from("*"),
        Actions::Listed(actions) => json!(actions),
    };
    let values = match &statement.condition.values {
        Values::One(one) => value(one),
        Values::Any(any) => Json::Array(any.iter().map(&mut value).collect()),
    };
    let resources: Vec<Json> = statement.resources.iter().map(&mut value).collect();
    json!({
        "Sid": statement.sid,
        "Effect": statement.effect.as_str(),
        "Principal": principal,
        "Action": actions,
        "Resource": resources,
        "Condition": {
            statement.condition.test: { statement.condition.variable: values }
        },
    })
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
