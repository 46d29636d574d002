//! M105 unterminated-comment
use crate::diagnostics::{Diagnostic, Span};

pub fn diagnostic(span: Span) -> Diagnostic {
    Diagnostic::new(&UnterminatedComment::CODE, "unterminated block comment")
        .primary(span, "this `/*` is never closed")
        .help("close the comment with `*/`; block comments nest, so every `/*` inside it needs its own `*/`")
}

declare_code! {
    /// ## What it does
    /// Reports a `/*` block comment that is not closed by `*/` before the end
    /// of the file. Block comments nest: `/* a /* b */ c */` is one comment.
    ///
    /// ## Why is this bad?
    /// The rest of the file would be commented out without a word.
    ///
    /// ## Example
    /// ```mesh
    /// /* the shop's queues
    /// queue jobs { visibility = 3m }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// /* the shop's queues */
    /// queue jobs { visibility = 3m }
    /// ```
    UnterminatedComment, code = M105, slug = "unterminated-comment", severity = Error,
}
