//! M106 malformed-literal
use crate::diagnostics::{Diagnostic, Span};

pub fn diagnostic(text: &str, span: Span) -> Diagnostic {
    let dots = text.matches('.').count();
    let help = if text.contains('/') || dots == 3 {
        "an address is four numbers with a prefix length: `10.0.0.0/16`, or `10.0.0.5` for one host"
    } else if text.contains('-') {
        "a port range is written `1024-65535`"
    } else if dots > 1 {
        "a number has at most one decimal point: `0.5`"
    } else {
        "a number may be followed by a unit: `30s`, `256MB`, `50%`; money is written `$1500`"
    };
    Diagnostic::new(
        &MalformedLiteral::CODE,
        format!("malformed literal `{text}`"),
    )
    .primary(span, "not a number, size, duration, address or port range")
    .help(help)
}

declare_code! {
    /// ## What it does
    /// Reports a token that starts like a number but is none of the literal
    /// forms of the language: numbers with an optional unit (`3`, `0.5`,
    /// `30s`, `256MB`, `50%`), money (`$1500`), CIDR blocks (`10.0.0.0/16`),
    /// addresses (`10.0.0.5`) and port ranges (`1024-65535`).
    ///
    /// ## Why is this bad?
    /// A malformed address or size cannot be turned into an AWS setting, and
    /// guessing what was meant is how networks end up wrong.
    ///
    /// ## Example
    /// ```mesh
    /// network main {
    ///   cidr = 10.20.0/16
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// network main {
    ///   cidr = 10.20.0.0/16
    /// }
    /// ```
    MalformedLiteral, code = M106, slug = "malformed-literal", severity = Error,
}
