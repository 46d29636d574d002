//! M224 duration-rounded
use crate::diagnostics::{Diagnostic, Span};

/// `what` names the setting ("a Lambda timeout"); `unit` is the unit AWS
/// counts it in ("second"); `rounded` is the whole amount meshc writes.
pub fn diagnostic(
    what: &str,
    key: &str,
    written: &str,
    span: Span,
    unit: &str,
    rounded: &str,
) -> Diagnostic {
    Diagnostic::new(
        &DurationRounded::CODE,
        format!("`{written}` is not a whole number of {unit}s"),
    )
    .primary(
        span,
        format!("AWS takes {what} in whole {unit}s: meshc rounds this up to {rounded}"),
    )
    .help(format!("write `{key} = {rounded}`"))
}

declare_code! {
    /// ## What it does
    /// Reports a duration that AWS cannot hold as written: a Lambda
    /// timeout, an SQS or Step Functions setting, an event age in
    /// fractions of a second, a Kinesis retention in fractions of an hour,
    /// an RDS backup retention in fractions of a day. meshc rounds it up
    /// (a timeout rounded down would be shorter than declared).
    ///
    /// ## Why is this bad?
    /// The deployed value is not the one written: `timeout = 1500ms`
    /// deploys a 2 second timeout.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// service api {
    ///   compute = lambda { runtime = "python3.13"  timeout = 1500ms }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// service api {
    ///   compute = lambda { runtime = "python3.13"  timeout = 2s }
    /// }
    /// ```
    DurationRounded, code = M224, slug = "duration-rounded", severity = Warning,
}
