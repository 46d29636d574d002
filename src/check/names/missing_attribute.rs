//! M204 missing-attribute
use crate::diagnostics::{Diagnostic, Span};

/// `example` is a line of mesh the user can add.
pub fn diagnostic(owner: &str, owner_span: Span, key: &str, example: &str) -> Diagnostic {
    Diagnostic::new(&MissingAttribute::CODE, format!("{owner} has no `{key}`"))
        .primary(owner_span, format!("`{key}` is required here"))
        .help(format!("add `{example}`"))
}

declare_code! {
    /// ## What it does
    /// Reports a declaration or block without an attribute that has no safe
    /// default: the `region` of a system, the `cidr` of a network, the
    /// `compute` of a service, the `tier` of a subnet, the `partition_key` of
    /// a table, the `do` of a saga step.
    ///
    /// ## Why is this bad?
    /// meshc fills in secure defaults where one exists (encryption on, flow
    /// logs on, a dead-letter queue's retention), but it will not invent
    /// where a system runs or what a service is made of.
    ///
    /// ## Example
    /// ```mesh
    /// network main {
    ///   zones = 2
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// network main {
    ///   cidr  = 10.0.0.0/16
    ///   zones = 2
    /// }
    /// ```
    MissingAttribute, code = M204, slug = "missing-attribute", severity = Error,
}
