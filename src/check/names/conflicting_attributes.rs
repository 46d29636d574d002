//! M215 conflicting-attributes
use crate::diagnostics::{Diagnostic, Span};

/// `first` and `second` are attribute keys that exclude each other;
/// `reason` says why, `help` what to keep.
pub fn diagnostic(
    first: &str,
    first_span: Span,
    second: &str,
    second_span: Span,
    reason: &str,
) -> Diagnostic {
    Diagnostic::new(
        &ConflictingAttributes::CODE,
        format!("`{first}` and `{second}` cannot both be set"),
    )
    .primary(second_span, format!("`{second}` conflicts with `{first}`"))
    .secondary(first_span, format!("`{first}` set here"))
    .help(reason.to_string())
}

declare_code! {
    /// ## What it does
    /// Reports two settings that exclude each other: an event carried both by
    /// a `bus` and a `topic`, a queue with a `dlq { }` block and a `dlq =`
    /// queue, a stream with `shards` whose `mode` is `on_demand`.
    ///
    /// ## Why is this bad?
    /// Only one of the two can become the AWS setting; picking one silently
    /// would build something other than what a reader of the file expects.
    ///
    /// ## Example
    /// ```mesh
    /// stream clicks {
    ///   mode   = on_demand
    ///   shards = 4
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// stream clicks {
    ///   shards = 4
    /// }
    /// ```
    ConflictingAttributes, code = M215, slug = "conflicting-attributes", severity = Error,
}
