//! M231 logical-id-collision
use crate::diagnostics::Diagnostic;
use crate::model::System;

/// Two resources, named by their base names (`jobs-dlq`, `jobs--dlq`),
/// whose names fold to the same CloudFormation logical id.
pub fn diagnostic(system: &System, logical_id: &str, first: &str, second: &str) -> Diagnostic {
    Diagnostic::new(
        &LogicalIdCollision::CODE,
        format!(
            "`{first}` and `{second}` would both be `{logical_id}` in the CloudFormation template"
        ),
    )
    .primary(
        system.name.span,
        "a logical id keeps only letters and digits of a name",
    )
    .help("rename one of the two so that their names differ in letters or digits, not only in `-` and `_`")
}

declare_code! {
    /// ## What it does
    /// Reports two resources whose names become the same CloudFormation
    /// logical id. A logical id is made of letters and digits only, so a
    /// queue declared as `jobs-dlq` and the dead-letter queue meshc derives
    /// for queue `jobs` (`jobs--dlq`) both become `JobsDlqQueue`.
    ///
    /// ## Why is this bad?
    /// A template cannot hold two resources under one logical id; one would
    /// silently replace the other.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { dlq { max_receives = 3 } }
    /// queue jobs-dlq { dlq { max_receives = 3 } }
    /// service worker {
    ///   compute = lambda { runtime = "python3.12" }
    ///   consumes jobs
    ///   consumes jobs-dlq
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { dlq { max_receives = 3 } }
    /// queue retries { dlq { max_receives = 3 } }
    /// service worker {
    ///   compute = lambda { runtime = "python3.12" }
    ///   consumes jobs
    ///   consumes retries
    /// }
    /// ```
    LogicalIdCollision, code = M231, slug = "logical-id-collision", severity = Error,
}
