//! M240 role-policy-too-large
use std::collections::BTreeMap;

use super::quotas::{self, Site};
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::emit::deployed;
use crate::model::aws_quotas::{QuotaKind, quota};

/// `site` is the declaration whose role it is; `relations` the relations
/// that add the most characters, with how many.
pub fn diagnostic(
    site: &Site,
    size: usize,
    region: &str,
    arns: usize,
    relations: &[(Span, usize)],
) -> Diagnostic {
    let row = quota(QuotaKind::RolePolicySize);
    let mut diagnostic = Diagnostic::new(
        &RolePolicyTooLarge::CODE,
        format!(
            "the IAM policy of {} would be {}, more than the {} IAM allows the {}",
            site.text,
            quotas::amount(row, size),
            quotas::limit(row, region),
            row.what
        ),
    )
    .primary(site.span, format!("its role names {arns} resource ARNs"));
    for (span, characters) in relations {
        diagnostic =
            diagnostic.secondary(*span, format!("adds {}", quotas::amount(row, *characters)));
    }
    diagnostic
        .help(format!(
            "move some of these relations to another service, which gets a role of its own: the policy grants exactly what each relation needs, so it grows with them; {}",
            row.increase()
        ))
        .note(format!(
            "{} (every ARN with the longest name prefix, region and partition)",
            quotas::source_note(row)
        ))
}

declare_rule! {
    /// ## What it does
    /// Reports a role whose inline policy would be longer than the 10,240
    /// characters IAM allows the inline policies of one role together
    /// (white space not counted). meshc gives each service, and each saga,
    /// a role whose policy names every resource its relations use: a
    /// service that uses, publishes to or consumes from many resources has
    /// a long one.
    ///
    /// The size is counted on the document CloudFormation writes (each
    /// statement's actions and resources as lists; Terraform writes a
    /// one-element list as a string, which is shorter), with every ARN at
    /// its longest: the longest name prefix, region and partition.
    ///
    /// ## Why is this bad?
    /// `PutRolePolicy` fails with `LimitExceeded`, the deployment stops, and
    /// AWS does not raise the limit.
    ///
    /// ## Example
    /// A function that reads and writes thirty-three tables.
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// table t01-with-a-long-name { partition_key = id: string }
    /// table t02-with-a-long-name { partition_key = id: string }
    /// table t03-with-a-long-name { partition_key = id: string }
    /// table t04-with-a-long-name { partition_key = id: string }
    /// table t05-with-a-long-name { partition_key = id: string }
    /// table t06-with-a-long-name { partition_key = id: string }
    /// table t07-with-a-long-name { partition_key = id: string }
    /// table t08-with-a-long-name { partition_key = id: string }
    /// table t09-with-a-long-name { partition_key = id: string }
    /// table t10-with-a-long-name { partition_key = id: string }
    /// table t11-with-a-long-name { partition_key = id: string }
    /// table t12-with-a-long-name { partition_key = id: string }
    /// table t13-with-a-long-name { partition_key = id: string }
    /// table t14-with-a-long-name { partition_key = id: string }
    /// table t15-with-a-long-name { partition_key = id: string }
    /// table t16-with-a-long-name { partition_key = id: string }
    /// table t17-with-a-long-name { partition_key = id: string }
    /// table t18-with-a-long-name { partition_key = id: string }
    /// table t19-with-a-long-name { partition_key = id: string }
    /// table t20-with-a-long-name { partition_key = id: string }
    /// table t21-with-a-long-name { partition_key = id: string }
    /// table t22-with-a-long-name { partition_key = id: string }
    /// table t23-with-a-long-name { partition_key = id: string }
    /// table t24-with-a-long-name { partition_key = id: string }
    /// table t25-with-a-long-name { partition_key = id: string }
    /// table t26-with-a-long-name { partition_key = id: string }
    /// table t27-with-a-long-name { partition_key = id: string }
    /// table t28-with-a-long-name { partition_key = id: string }
    /// table t29-with-a-long-name { partition_key = id: string }
    /// table t30-with-a-long-name { partition_key = id: string }
    /// table t31-with-a-long-name { partition_key = id: string }
    /// table t32-with-a-long-name { partition_key = id: string }
    /// table t33-with-a-long-name { partition_key = id: string }
    /// service report {
    ///   compute = lambda { runtime = "python3.13" }
    ///   uses t01-with-a-long-name (read_write)  uses t02-with-a-long-name (read_write)  uses t03-with-a-long-name (read_write)
    ///   uses t04-with-a-long-name (read_write)  uses t05-with-a-long-name (read_write)  uses t06-with-a-long-name (read_write)
    ///   uses t07-with-a-long-name (read_write)  uses t08-with-a-long-name (read_write)  uses t09-with-a-long-name (read_write)
    ///   uses t10-with-a-long-name (read_write)  uses t11-with-a-long-name (read_write)  uses t12-with-a-long-name (read_write)
    ///   uses t13-with-a-long-name (read_write)  uses t14-with-a-long-name (read_write)  uses t15-with-a-long-name (read_write)
    ///   uses t16-with-a-long-name (read_write)  uses t17-with-a-long-name (read_write)  uses t18-with-a-long-name (read_write)
    ///   uses t19-with-a-long-name (read_write)  uses t20-with-a-long-name (read_write)  uses t21-with-a-long-name (read_write)
    ///   uses t22-with-a-long-name (read_write)  uses t23-with-a-long-name (read_write)  uses t24-with-a-long-name (read_write)
    ///   uses t25-with-a-long-name (read_write)  uses t26-with-a-long-name (read_write)  uses t27-with-a-long-name (read_write)
    ///   uses t28-with-a-long-name (read_write)  uses t29-with-a-long-name (read_write)  uses t30-with-a-long-name (read_write)
    ///   uses t31-with-a-long-name (read_write)  uses t32-with-a-long-name (read_write)  uses t33-with-a-long-name (read_write)
    /// }
    /// ```
    ///
    /// Use instead: functions that use fewer tables each.
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// table t01-with-a-long-name { partition_key = id: string }
    /// table t02-with-a-long-name { partition_key = id: string }
    /// table t03-with-a-long-name { partition_key = id: string }
    /// table t04-with-a-long-name { partition_key = id: string }
    /// service report-a {
    ///   compute = lambda { runtime = "python3.13" }
    ///   uses t01-with-a-long-name  uses t02-with-a-long-name
    /// }
    /// service report-b {
    ///   compute = lambda { runtime = "python3.13" }
    ///   uses t03-with-a-long-name  uses t04-with-a-long-name
    /// }
    /// ```
    RolePolicyTooLarge, code = M240, slug = "role-policy-too-large", severity = Error,
}

impl Rule for RolePolicyTooLarge {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let region = system.region.value.as_str();
        let row = quota(QuotaKind::RolePolicySize);
        let emit = crate::emit::Context::new(system, context.graph);
        for role in &context.graph.iam.roles {
            let document = deployed::role_policy(&emit, role);
            let size = deployed::iam_size(&document);
            if size <= row.limit_in(region) {
                continue;
            }
            let Some(site) = quotas::principal(system, role.principal) else {
                continue;
            };
            // What each relation adds: the ARNs of the resources it brought.
            let mut by_relation: BTreeMap<Span, usize> = BTreeMap::new();
            for (resource, span) in &role.origins {
                let characters: usize = deployed::arns(&emit, *resource)
                    .iter()
                    .map(|arn| arn.len() + 3)
                    .sum();
                *by_relation.entry(*span).or_default() += characters;
            }
            let mut relations: Vec<(Span, usize)> = by_relation.into_iter().collect();
            relations.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            relations.truncate(3);
            let arns = role
                .grants
                .iter()
                .flat_map(|grant| grant.resources.iter())
                .map(|resource| deployed::arns(&emit, *resource).len())
                .sum();
            out.push(diagnostic(&site, size, region, arns, &relations));
        }
    }
}
