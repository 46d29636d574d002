//! The policy documents of the IAM plan as JSON: a role's inline policy,
//! one statement per grant, and the resource policy of a queue or topic,
//! the TLS-only statement and one statement per AWS service that delivers
//! to it. The documents are written with each backend's way of naming an
//! ARN (CloudFormation's intrinsic functions) or with the ARNs AWS stores
//! (`emit::deployed`, which the quota checks measure), so that what is
//! measured is what is written. Terraform spells the same statements as
//! `aws_iam_policy_document` blocks.

use serde_json::{Value as Json, json};

use crate::emit::{events, names};
use crate::graph::Graph;
use crate::graph::iam::{Grant, Permission, Resource, Role, Source};
use crate::model::System;

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

/// The statement that refuses requests not made over TLS.
pub fn deny_insecure_transport(resource: &Json) -> Json {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "*",
        "Resource": [resource],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } },
    })
}

/// A statement letting an AWS service act on a resource for its sources.
pub fn service_statement(
    sid: &str,
    permission: &Permission,
    resource: &Json,
    sources: &[Json],
) -> Json {
    json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": { "Service": permission.service },
        "Action": permission.actions,
        "Resource": [resource],
        "Condition": { permission.source.arn_test(): { "aws:SourceArn": sources } },
    })
}

/// One statement of a queue's or topic's resource policy, and the source
/// it lets act (none for the TLS-only statement).
#[derive(Clone, Debug)]
pub struct ResourceStatement {
    pub source: Option<Source>,
    pub statement: Json,
}

/// The statements of the resource policy of a queue or topic: refusing
/// requests without TLS, and one per permission on it whose source has an
/// ARN (`sources` gives them).
pub fn resource_statements(
    system: &System,
    graph: &Graph,
    resource: Resource,
    arn: &Json,
    mut sources: impl FnMut(&Permission) -> Vec<Json>,
) -> Vec<ResourceStatement> {
    let mut statements = vec![ResourceStatement {
        source: None,
        statement: deny_insecure_transport(arn),
    }];
    for permission in graph.iam.permissions_on(resource) {
        let arns = sources(permission);
        if arns.is_empty() {
            continue;
        }
        let label = events::source_label(system, graph, permission.source);
        statements.push(ResourceStatement {
            source: Some(permission.source),
            statement: service_statement(
                &events::policy_sid("Allow", &label),
                permission,
                arn,
                &arns,
            ),
        });
    }
    statements
}
