//! IAM policy statements of the neutral model: what a role may do, whom
//! it trusts, what a resource policy allows or refuses, which each backend
//! spells (an `aws_iam_policy_document` data source, a JSON document). The
//! statements of a role's inline policy and of a queue's or topic's policy
//! are built here once, for the backends (with [`Value`]s) and for the
//! quota checks, which measure them with the ARNs AWS stores
//! (`emit::deployed`).

use std::borrow::Cow;

use super::Value;
use crate::emit::policies;
use crate::graph::Graph;
use crate::graph::iam::{Permission, Resource};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// Whom a statement of a resource, key or trust policy is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal<V = Value> {
    /// Anyone (`"*"`).
    Anyone,
    /// AWS services, by their service principals.
    Services(Values<V>),
    /// IAM principals by ARN (an account's root).
    Aws(V),
}

/// The actions of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actions {
    /// Every action (`"*"`).
    All,
    /// One action, which a JSON policy writes as a string.
    One(&'static str),
    Listed(Vec<Cow<'static, str>>),
}

/// The values a condition tests: one, or any of several (a JSON policy
/// writes the first as a string and the second as a list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Values<V = Value> {
    One(V),
    Any(Vec<V>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition<V = Value> {
    /// The condition operator (`Bool`, `ArnEquals`, `ArnLike`).
    pub test: &'static str,
    /// The condition key (`aws:SourceArn`).
    pub variable: &'static str,
    pub values: Values<V>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// A statement of a policy, its ARNs as `V`: the model's [`Value`]s, or
/// the text AWS stores. What it does not have is left out of it (a role's
/// statements name no principal; a trust policy's, no resource).
pub struct Statement<V = Value> {
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Option<Principal<V>>,
    pub actions: Actions,
    pub resources: Vec<V>,
    pub condition: Option<Condition<V>>,
    /// A line for the reader beside the statement (why it names `*`).
    pub note: Option<String>,
}

/// The statement of a trust policy letting the AWS service `trusted`
/// assume a role for this account only.
pub fn trust(trusted: &'static str, account: Value) -> Statement {
    Statement {
        sid: None,
        effect: Effect::Allow,
        principal: Some(Principal::Services(Values::One(Value::from(trusted)))),
        actions: Actions::One("sts:AssumeRole"),
        resources: Vec::new(),
        condition: Some(Condition {
            test: "StringEquals",
            variable: "aws:SourceAccount",
            values: Values::One(account),
        }),
        note: None,
    }
}

/// The statements of a role's inline policy, one per grant, with the ARNs
/// `arns` gives for each resource.
pub fn grant_statements<V>(
    role: &crate::graph::iam::Role,
    mut arns: impl FnMut(Resource) -> Vec<V>,
) -> Vec<Statement<V>> {
    role.grants
        .iter()
        .enumerate()
        .map(|(index, grant)| Statement {
            sid: Some(crate::emit::names::grant_sid(grant, index)),
            effect: Effect::Allow,
            principal: None,
            actions: Actions::Listed(grant.actions.clone()),
            resources: grant
                .resources
                .iter()
                .flat_map(|resource| arns(*resource))
                .collect(),
            condition: None,
            note: grant
                .wildcard
                .as_ref()
                .map(|reason| format!("Resource \"*\": {reason}.")),
        })
        .collect()
}

/// The statement that refuses requests to `resource` not made over TLS.
pub fn deny_insecure_transport<V: From<&'static str>>(resource: V) -> Statement<V> {
    Statement {
        sid: Some("DenyInsecureTransport".to_string()),
        effect: Effect::Deny,
        principal: Some(Principal::Anyone),
        actions: Actions::All,
        resources: vec![resource],
        condition: Some(Condition {
            test: "Bool",
            variable: "aws:SecureTransport",
            values: Values::One(V::from("false")),
        }),
        note: None,
    }
}

/// A statement letting an AWS service act on `resource` for its
/// `sources` (the ARNs it acts for).
pub fn service_statement<V: From<&'static str>>(
    sid: &str,
    permission: &Permission,
    resource: V,
    sources: Vec<V>,
) -> Statement<V> {
    Statement {
        sid: Some(sid.to_string()),
        effect: Effect::Allow,
        principal: Some(Principal::Services(Values::One(V::from(
            permission.service,
        )))),
        actions: Actions::Listed(
            permission
                .actions
                .iter()
                .map(|action| Cow::Borrowed(*action))
                .collect(),
        ),
        resources: vec![resource],
        condition: Some(Condition {
            test: permission.source.arn_test(),
            variable: "aws:SourceArn",
            values: Values::Any(sources),
        }),
        note: None,
    }
}

/// The statements of the resource policy of a queue or topic, `arn`: the
/// refusal of requests without TLS, then one per group of the IAM plan's
/// permissions on it whose sources have an ARN (`sources` gives them); and
/// the permissions whose ARNs the statements list, in their order.
pub fn resource_statements<'g, V: Clone + From<&'static str>>(
    graph: &'g Graph,
    resource: Resource,
    arn: &V,
    mut sources: impl FnMut(&Permission) -> Vec<V>,
) -> (Vec<Statement<V>>, Vec<&'g Permission>) {
    let mut statements = vec![deny_insecure_transport(arn.clone())];
    let mut listed = Vec::new();
    for grant in policies::service_grants(graph, resource) {
        let mut arns = Vec::new();
        for permission in grant.permissions {
            let before = arns.len();
            arns.extend(sources(permission));
            if arns.len() > before {
                listed.push(permission);
            }
        }
        if !arns.is_empty() {
            statements.push(service_statement(
                &grant.sid,
                grant.first,
                arn.clone(),
                arns,
            ));
        }
    }
    (statements, listed)
}
