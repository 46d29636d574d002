//! M211 wrong-kind
use crate::diagnostics::{Diagnostic, Span};

/// `expected` is what the position needs ("a service"); `found_kind` what
/// the name is ("table"); `declared` where it is declared.
pub fn diagnostic(
    name: &str,
    span: Span,
    expected: &str,
    found_kind: &str,
    declared: Span,
) -> Diagnostic {
    Diagnostic::new(
        &WrongKind::CODE,
        format!("`{name}` is a {found_kind}, but {expected} is expected here"),
    )
    .primary(span, format!("expected {expected}"))
    .secondary(
        declared,
        format!("`{name}` is declared as a {found_kind} here"),
    )
    .help(format!("refer to {expected} here"))
}

declare_code! {
    /// ## What it does
    /// Reports a reference that names a declaration of the wrong kind:
    /// `calls` naming a table, `consumes ... via` naming a topic instead of a
    /// queue, `uses` naming a service, an event's `bus` naming a queue.
    ///
    /// ## Why is this bad?
    /// Each relation becomes specific AWS plumbing — a security group rule,
    /// an IAM statement, an event source mapping. There is no such plumbing
    /// between the wrong kinds of things.
    ///
    /// ## Example
    /// ```mesh
    /// table orders { partition_key = id: string }
    /// service api {
    ///   calls orders
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// table orders { partition_key = id: string }
    /// service api {
    ///   uses orders (read)
    /// }
    /// ```
    WrongKind, code = M211, slug = "wrong-kind", severity = Error,
}
