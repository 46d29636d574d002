//! M104 unterminated-string
use crate::diagnostics::{Diagnostic, Span};

pub fn diagnostic(span: Span) -> Diagnostic {
    Diagnostic::new(&UnterminatedString::CODE, "unterminated string")
        .primary(span, "this string has no closing `\"` on its line")
        .help("close the string with `\"` before the end of the line; write `\\\"` for a quote inside it")
}

declare_code! {
    /// ## What it does
    /// Reports a string literal with no closing `"` on the line where it
    /// starts. Strings cannot span lines; use `\n` for a line break inside
    /// one and `\"` for a quote.
    ///
    /// ## Why is this bad?
    /// Everything after the opening quote would otherwise be swallowed into
    /// the string, and the errors reported for the rest of the file would
    /// make no sense.
    ///
    /// ## Example
    /// ```mesh
    /// system shop {
    ///   region = "us-east-1
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop {
    ///   region = "us-east-1"
    /// }
    /// ```
    UnterminatedString, code = M104, slug = "unterminated-string", severity = Error,
}
