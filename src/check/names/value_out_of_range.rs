//! M208 value-out-of-range
use crate::diagnostics::{Diagnostic, Span};

/// `what` names the value ("port", "CIDR block"); `requirement` says what a
/// valid one is ("from 0 to 65535"); `help` is what to write instead.
pub fn diagnostic(
    what: &str,
    value: &str,
    span: Span,
    requirement: &str,
    help: &str,
) -> Diagnostic {
    Diagnostic::new(
        &ValueOutOfRange::CODE,
        format!("`{value}` is not a valid {what}"),
    )
    .primary(span, format!("a {what} must be {requirement}"))
    .help(help.to_string())
}

declare_code! {
    /// ## What it does
    /// Reports a value outside the range its kind of value allows anywhere:
    /// a port above 65535, an IPv4 octet above 255, a prefix length above
    /// 32, a CIDR block with host bits set, a negative size or duration, a
    /// percentage above 100%, a managed prefix list id that is not `pl-`
    /// and 8 or 17 lower-case hexadecimal digits.
    ///
    /// ## Why is this bad?
    /// Such a value does not describe anything real: `10.0.0.0/33` is no
    /// network and port 70000 is no port.
    ///
    /// ## Example
    /// ```mesh
    /// service api {
    ///   port = 70000
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// service api {
    ///   port = 7000
    /// }
    /// ```
    ValueOutOfRange, code = M208, slug = "value-out-of-range", severity = Error,
}
