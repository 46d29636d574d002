//! M202 duplicate-name
use crate::diagnostics::{Diagnostic, Span};

/// `what` is the kind of the second definition ("service", "subnet", "step").
pub fn diagnostic(what: &str, name: &str, first: Span, second: Span) -> Diagnostic {
    Diagnostic::new(
        &DuplicateName::CODE,
        format!("the name `{name}` is defined more than once"),
    )
    .primary(second, format!("{what} `{name}` defined again here"))
    .secondary(first, "first defined here")
    .help(format!(
        "rename one of them: names become AWS resource names and must be unique, e.g. `{name}-2`"
    ))
}

declare_code! {
    /// ## What it does
    /// Reports a name defined twice in the same scope: two top-level
    /// declarations (of any kinds) with one name, two subnets of a system,
    /// two steps of a saga, two indexes of a table, two fields of a schema,
    /// two operations of a service.
    ///
    /// ## Why is this bad?
    /// References such as `calls`, `uses` and `via` name their target
    /// without its kind, so a name must mean one thing. Names also become
    /// the names of AWS resources, which must be unique.
    ///
    /// ## Example
    /// ```mesh
    /// queue orders { visibility = 1m }
    /// table orders { partition_key = id: string }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// queue order-jobs { visibility = 1m }
    /// table orders { partition_key = id: string }
    /// ```
    DuplicateName, code = M202, slug = "duplicate-name", severity = Error,
}
