//! M001 internal-error
use crate::diagnostics::Diagnostic;
use crate::model::System;

/// What every diagnostic of a bug in meshc asks of the user.
pub const REPORT_IT: &str = "this is a bug in meshc; please report it with the file that causes it";

/// An inconsistency between the model and the graph that a backend found
/// while translating (`problem` says which): an id that names nothing, a
/// value where the model rules it out. No file is written.
pub fn diagnostic(system: &System, problem: &str) -> Diagnostic {
    Diagnostic::new(
        &InternalError::CODE,
        format!("meshc found an inconsistency in its own model: {problem}"),
    )
    .primary(system.name.span, "while translating this system")
    .help(REPORT_IT)
}

declare_code! {
    /// ## What it does
    /// Reports an inconsistency meshc found in its own model while writing
    /// the files of a system: a component the graph names but the system
    /// does not hold, or a value the model rules out (an alarm on the
    /// running tasks of a service that is not on Fargate). Rather than
    /// write a file with an empty name or a made-up value in its place,
    /// meshc writes no file.
    ///
    /// ## Why is this bad?
    /// It is a bug in meshc, not in the system: the files it would have
    /// written could refer to resources that do not exist.
    ///
    /// ## Example
    /// No `.mesh` file should cause it; each case is tested by corrupting
    /// the model (`emit::infra`).
    ///
    /// Use instead:
    /// Report it with the file that causes it.
    InternalError, code = M001, slug = "internal-error", severity = Error,
}
