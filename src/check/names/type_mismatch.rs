//! M205 type-mismatch
use crate::diagnostics::{Diagnostic, Span};

/// `expected` and `found` describe the value forms ("a duration",
/// "a string"); `example` is a value of the right form.
pub fn diagnostic(key: &str, expected: &str, found: &str, span: Span, example: &str) -> Diagnostic {
    Diagnostic::new(
        &TypeMismatch::CODE,
        format!("`{key}` expects {expected}, found {found}"),
    )
    .primary(span, format!("expected {expected}"))
    .help(format!("write it like `{key} = {example}`"))
}

declare_code! {
    /// ## What it does
    /// Reports a value of the wrong form for its attribute: a string where a
    /// duration is expected, a size where a duration is expected, a name
    /// where a number is expected, a component where a CIDR block is needed.
    ///
    /// ## Why is this bad?
    /// Values carry their units so that `timeout = 30` cannot silently mean
    /// thirty milliseconds to one tool and thirty seconds to another.
    ///
    /// ## Example
    /// ```mesh
    /// queue jobs {
    ///   visibility = "3 minutes"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// queue jobs {
    ///   visibility = 3m
    /// }
    /// ```
    TypeMismatch, code = M205, slug = "type-mismatch", severity = Error,
}
