//! IAM policy statements of the neutral model: what a resource policy
//! allows or refuses, which each backend spells (an
//! `aws_iam_policy_document` data source, a JSON document).

use super::Value;
use crate::graph::iam::Permission;

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

/// Whom a statement of a resource policy is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal {
    /// Anyone (`"*"`).
    Anyone,
    /// An AWS service, by its service principal.
    Service(&'static str),
}

/// The actions of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actions {
    /// Every action (`"*"`).
    All,
    Listed(Vec<&'static str>),
}

/// The values a condition tests: one, or any of several (a JSON policy
/// writes the first as a string and the second as a list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Values {
    One(Value),
    Any(Vec<Value>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// The condition operator (`Bool`, `ArnEquals`, `ArnLike`).
    pub test: &'static str,
    /// The condition key (`aws:SourceArn`).
    pub variable: &'static str,
    pub values: Values,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub sid: String,
    pub effect: Effect,
    pub principal: Principal,
    pub actions: Actions,
    pub resources: Vec<Value>,
    pub condition: Condition,
}

/// The statement that refuses requests to `resource` not made over TLS.
pub fn deny_insecure_transport(resource: Value) -> Statement {
    Statement {
        sid: "DenyInsecureTransport".to_string(),
        effect: Effect::Deny,
        principal: Principal::Anyone,
        actions: Actions::All,
        resources: vec![resource],
        condition: Condition {
            test: "Bool",
            variable: "aws:SecureTransport",
            values: Values::One(Value::from("false")),
        },
    }
}

/// A statement letting an AWS service act on `resource` for its
/// `sources` (the ARNs it acts for).
pub fn service_statement(
    sid: &str,
    permission: &Permission,
    resource: Value,
    sources: Vec<Value>,
) -> Statement {
    Statement {
        sid: sid.to_string(),
        effect: Effect::Allow,
        principal: Principal::Service(permission.service),
        actions: Actions::Listed(permission.actions.clone()),
        resources: vec![resource],
        condition: Condition {
            test: permission.source.arn_test(),
            variable: "aws:SourceArn",
            values: Values::Any(sources),
        },
    }
}
