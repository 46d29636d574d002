//! M213 system-declaration
use crate::diagnostics::{Diagnostic, Span};

pub fn missing(span: Span) -> Diagnostic {
    Diagnostic::new(
        &SystemDeclaration::CODE,
        "this file has no `system` declaration",
    )
    .primary(span, "expected a `system` declaration in this file")
    .help(
        "add `system NAME { region = \"us-east-1\" }`; it names the system and says where it runs",
    )
}

pub fn duplicate(first: Span, second: Span) -> Diagnostic {
    Diagnostic::new(
        &SystemDeclaration::CODE,
        "more than one `system` declaration",
    )
    .primary(second, "second `system`")
    .secondary(first, "first `system` here")
    .help("a file describes one system: merge the two declarations, or split the file in two")
}

declare_code! {
    /// ## What it does
    /// Reports a file with no `system` declaration, or with more than one. A
    /// .mesh file describes exactly one system: its name, the AWS region it
    /// runs in, its tags and its monthly budget.
    ///
    /// ## Why is this bad?
    /// Without a system there is no region to build for and no name for the
    /// resources; with two, it is not clear which applies.
    ///
    /// ## Example
    /// ```mesh
    /// queue jobs { visibility = 3m }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { visibility = 3m }
    /// ```
    SystemDeclaration, code = M213, slug = "system-declaration", severity = Error,
}
