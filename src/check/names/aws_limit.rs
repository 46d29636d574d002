//! M209 aws-limit
use crate::diagnostics::{Diagnostic, Span};
use crate::model::System;

/// `what` names the setting ("Lambda memory"); `limit` gives AWS's bounds
/// ("128MB to 10240MB"); `nearest` is the closest valid value, in mesh.
pub fn diagnostic(what: &str, value: &str, span: Span, limit: &str, nearest: &str) -> Diagnostic {
    Diagnostic::new(
        &AwsLimit::CODE,
        format!("{what} of {value} is outside what AWS allows"),
    )
    .primary(span, format!("AWS allows {limit}"))
    .help(format!("the nearest valid value is `{nearest}`"))
}

/// A physical name meshc could not make fit AWS's rules for its kind
/// (`problem` says which rule and name). The design of `emit::names` rules
/// this out; should it happen, no file is written.
pub fn name_diagnostic(system: &System, problem: &str) -> Diagnostic {
    Diagnostic::new(
        &AwsLimit::CODE,
        format!("meshc could not make an AWS name fit: {problem}"),
    )
    .primary(system.name.span, "in the names of this system")
    .help(crate::check::internal::internal_error::REPORT_IT)
}

declare_code! {
    /// ## What it does
    /// Reports a value that AWS itself would reject: Lambda memory outside
    /// 128 MB–10240 MB or a timeout over 15 minutes; an SQS visibility
    /// timeout over 12 hours, a retention outside 60 s–14 days or a
    /// `max_receives` outside 1–1000; a VPC smaller than /28 or larger than
    /// /16; more availability zones than the region has; a Kinesis retention
    /// outside 24 hours–365 days; more than 20 indexes on a DynamoDB table;
    /// a DynamoDB index name shorter than 3 or longer than 255 characters
    /// (services query an index by its declared name, so meshc does not
    /// shorten it as it shortens the names of resources); an ALB path
    /// pattern over 128 characters or with a character AWS does not take
    /// (`{`), a health check path that does not start with `/`, holds a
    /// space or is over 1024 characters.
    ///
    /// The names of resources are never reported: `meshc build` shortens a
    /// name that would break AWS's limits for the longest prefix to a
    /// readable head and a stable hash. Should meshc ever fail to make one
    /// fit (a bug in meshc), it reports this code and writes no file.
    ///
    /// ## Why is this bad?
    /// Terraform and CloudFormation would accept the file and the deployment
    /// would fail half-way, leaving a partly created system behind.
    ///
    /// ## Example
    /// ```mesh
    /// service resize {
    ///   compute = lambda { runtime = "python3.12"  memory = 64MB  timeout = 20m }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// service resize {
    ///   compute = lambda { runtime = "python3.12"  memory = 128MB  timeout = 15m }
    /// }
    /// ```
    AwsLimit, code = M209, slug = "aws-limit", severity = Error,
}
