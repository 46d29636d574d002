//! M212 duplicate-attribute
use crate::diagnostics::{Diagnostic, Span};

pub fn diagnostic(key: &str, first: Span, second: Span) -> Diagnostic {
    Diagnostic::new(
        &DuplicateAttribute::CODE,
        format!("`{key}` is set more than once"),
    )
    .primary(second, "set again here")
    .secondary(first, "first set here")
    .help(format!("keep one `{key}`"))
}

declare_code! {
    /// ## What it does
    /// Reports an attribute set twice in the same block.
    ///
    /// ## Why is this bad?
    /// One of the two values would win silently; which one is a question a
    /// reviewer should not have to ask.
    ///
    /// ## Example
    /// ```mesh
    /// queue jobs {
    ///   visibility = 3m
    ///   visibility = 5m
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// queue jobs {
    ///   visibility = 5m
    /// }
    /// ```
    DuplicateAttribute, code = M212, slug = "duplicate-attribute", severity = Error,
}
