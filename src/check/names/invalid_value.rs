//! M207 invalid-value
use crate::diagnostics::{Diagnostic, Span};

/// `allowed` lists the valid choices.
pub fn diagnostic(
    key: &str,
    value: &str,
    span: Span,
    allowed: &[&str],
    suggestion: Option<&str>,
) -> Diagnostic {
    let listing = allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let diagnostic = Diagnostic::new(
        &InvalidValue::CODE,
        format!("`{value}` is not a valid `{key}`"),
    )
    .primary(span, format!("not one of the values of `{key}`"));
    match suggestion {
        Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
        None => diagnostic.help(format!("`{key}` is one of {listing}")),
    }
}

/// A free-form value whose shape is wrong (an IAM action, an ARN); `help`
/// shows the shape.
pub fn malformed(key: &str, value: &str, span: Span, help: &str) -> Diagnostic {
    Diagnostic::new(
        &InvalidValue::CODE,
        format!("`{value}` is not a valid `{key}`"),
    )
    .primary(span, format!("not the shape of `{key}`"))
    .help(help)
}

declare_code! {
    /// ## What it does
    /// Reports a value that is not one of the choices its attribute has: a
    /// subnet `tier` other than `public`, `private` and `isolated`, an unknown
    /// AWS region, Lambda runtime, database engine or VPC endpoint service.
    ///
    /// ## Why is this bad?
    /// These values name things that exist in AWS; a value that names
    /// nothing would fail at deploy time, long after review.
    ///
    /// ## Example
    /// ```mesh
    /// network main {
    ///   cidr = 10.0.0.0/16
    ///   subnet app { tier = privat }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// network main {
    ///   cidr = 10.0.0.0/16
    ///   subnet app { tier = private }
    /// }
    /// ```
    InvalidValue, code = M207, slug = "invalid-value", severity = Error,
}
