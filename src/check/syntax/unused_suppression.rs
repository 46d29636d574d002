//! M109 unused-suppression
use crate::diagnostics::{Diagnostic, Span};

/// `code` is the code the suppression names; `suppressible` is false for a
/// code that cannot be suppressed at all.
pub fn diagnostic(span: Span, code: &str, suppressible: bool) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &UnusedSuppression::CODE,
        format!("the suppression of {code} silences nothing"),
    )
    .primary(span, format!("no {code} finding here"));
    if suppressible {
        diagnostic.help(
            "remove the comment, or move it onto the line of the finding or above its declaration",
        )
    } else {
        diagnostic.help(format!(
            "remove the comment: {code} means meshc cannot read the file, and cannot be suppressed"
        ))
    }
}

declare_code! {
    /// ## What it does
    /// Reports a `// meshc:allow(CODE) reason: "..."` comment that silences
    /// no finding: the problem was fixed, the comment is not on the line (or
    /// above the declaration) of the finding, or the code cannot be
    /// suppressed (syntax errors and unresolved names cannot).
    ///
    /// ## Why is this bad?
    /// A stale suppression would silently hide the next finding of that
    /// code on its line.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// // meshc:allow(M305) reason: "the firewall is kept for the migration"
    /// queue jobs { visibility = 3m }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { visibility = 3m }
    /// ```
    UnusedSuppression, code = M109, slug = "unused-suppression", severity = Warning,
}
