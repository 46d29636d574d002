//! M107 duplicate-clause
use crate::diagnostics::{Diagnostic, Span};

pub fn diagnostic(clause: &str, first: Span, second: Span) -> Diagnostic {
    let help = if clause == "where" {
        "join the conditions of one filter with `and`: `where a = 1 and b = 2`".to_string()
    } else {
        format!("keep one `{clause}` clause")
    };
    Diagnostic::new(&DuplicateClause::CODE, format!("`{clause}` is given twice"))
        .primary(second, format!("second `{clause}`"))
        .secondary(first, format!("first `{clause}` here"))
        .help(help)
}

declare_code! {
    /// ## What it does
    /// Reports a relation with the same clause twice, such as two `where`
    /// filters or two `via` queues on one `consumes`.
    ///
    /// ## Why is this bad?
    /// It is not clear whether the second clause replaces the first or adds
    /// to it. Conditions of one filter are joined with `and`.
    ///
    /// ## Example
    /// ```mesh
    /// service audit {
    ///   consumes OrderCreated where status = "confirmed" where total > 100
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// service audit {
    ///   consumes OrderCreated where status = "confirmed" and total > 100
    /// }
    /// ```
    DuplicateClause, code = M107, slug = "duplicate-clause", severity = Error,
}
