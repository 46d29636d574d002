//! M206 unknown-unit
use crate::diagnostics::{Diagnostic, Span};

/// `dimension` is what the attribute measures ("a duration"); `units` the
/// units it accepts.
pub fn diagnostic(
    unit: &str,
    span: Span,
    dimension: &str,
    units: &[&str],
    suggestion: Option<&str>,
) -> Diagnostic {
    let listing = units
        .iter()
        .map(|u| format!("`{u}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let diagnostic = Diagnostic::new(&UnknownUnit::CODE, format!("unknown unit `{unit}`"))
        .primary(span, format!("not a unit of {dimension}"));
    match suggestion {
        Some(candidate) => diagnostic.help(format!(
            "did you mean `{candidate}`? {dimension} takes {listing}"
        )),
        None => diagnostic.help(format!("{dimension} takes {listing}")),
    }
}

declare_code! {
    /// ## What it does
    /// Reports a number followed by a unit that meshc does not know, or a
    /// unit that does not measure what the attribute measures. Durations take
    /// `ms`, `s`, `m`, `h`, `d`; sizes take `B`, `KB`, `MB`, `GB`, `TB` (which
    /// are binary, as in AWS: 1 GB = 1024 MB); counts take `k`, `M`, `B`.
    ///
    /// ## Why is this bad?
    /// A unit meshc cannot read is a value it cannot convert to the seconds
    /// and mebibytes AWS expects.
    ///
    /// ## Example
    /// ```mesh
    /// queue jobs {
    ///   retention = 3parsecs
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// queue jobs {
    ///   retention = 3d
    /// }
    /// ```
    UnknownUnit, code = M206, slug = "unknown-unit", severity = Error,
}
