//! M102 unknown-declaration-kind
use crate::diagnostics::{Diagnostic, Span};

pub fn diagnostic(word: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &UnknownDeclarationKind::CODE,
        format!("unknown declaration kind `{word}`"),
    )
    .primary(span, "not a kind of declaration");
    match suggestion {
        Some(kind) => diagnostic.help(format!("did you mean `{kind}`?")),
        None => diagnostic.help(
            "a declaration starts with one of `system`, `network`, `service`, `event`, `bus`, `rule`, `queue`, `topic`, `stream`, `table`, `database`, `saga`, `firewall` or `nacl`",
        ),
    }
}

declare_code! {
    /// ## What it does
    /// Reports a top-level declaration whose keyword is not one of the
    /// fourteen kinds of the language: `system`, `network`, `service`,
    /// `event`, `bus`, `rule`, `queue`, `topic`, `stream`, `table`,
    /// `database`, `saga`, `firewall` and `nacl`.
    ///
    /// ## Why is this bad?
    /// The kind decides what a declaration becomes in AWS. A misspelt kind
    /// would otherwise silently drop the component from the system.
    ///
    /// ## Example
    /// ```mesh
    /// servce order {
    ///   port = 8080
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// service order {
    ///   port = 8080
    /// }
    /// ```
    UnknownDeclarationKind, code = M102, slug = "unknown-declaration-kind", severity = Error,
}
