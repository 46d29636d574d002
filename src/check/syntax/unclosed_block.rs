//! M103 unclosed-block
use crate::diagnostics::{Diagnostic, Span};

/// `open` is the `{` that is never closed; `found` is where the parser
/// expected the `}` (the next declaration, or the end of the file).
pub fn diagnostic(open: Span, found: &str, found_span: Span) -> Diagnostic {
    Diagnostic::new(
        &UnclosedBlock::CODE,
        "unclosed block: this `{` has no matching `}`",
    )
    .primary(open, "this `{` is never closed")
    .secondary(found_span, format!("expected `}}` before {found}"))
    .help("add the missing `}` at the end of the block")
}

declare_code! {
    /// ## What it does
    /// Reports a `{` that has no matching `}` before the next declaration or
    /// the end of the file.
    ///
    /// ## Why is this bad?
    /// Without the closing brace the members of the next declaration would
    /// be read as members of this one. meshc points at the brace that is
    /// left open rather than at the place where it gave up.
    ///
    /// ## Example
    /// ```mesh
    /// queue jobs {
    ///   visibility = 3m
    ///
    /// queue other {
    ///   visibility = 1m
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// queue jobs {
    ///   visibility = 3m
    /// }
    ///
    /// queue other {
    ///   visibility = 1m
    /// }
    /// ```
    UnclosedBlock, code = M103, slug = "unclosed-block", severity = Error,
}
