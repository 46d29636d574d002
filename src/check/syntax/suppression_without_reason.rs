//! M108 suppression-without-reason
use crate::diagnostics::{Diagnostic, Span};

pub fn diagnostic(span: Span, codes: &str) -> Diagnostic {
    Diagnostic::new(
        &SuppressionWithoutReason::CODE,
        "a suppression must say why the finding does not apply",
    )
    .primary(span, "no `reason: \"...\"`")
    .help(format!(
        "write `// meshc:allow({codes}) reason: \"...\"` with the reason a reviewer should accept"
    ))
}

declare_code! {
    /// ## What it does
    /// Reports a `// meshc:allow(CODE)` comment without a reason. A
    /// suppression silences a finding on its line (when it follows code) or
    /// on the line or declaration below it (when it stands alone), and must
    /// say why: `// meshc:allow(M305) reason: "kept for the migration"`.
    /// A suppression without a reason silences nothing.
    ///
    /// ## Why is this bad?
    /// A finding silenced without a reason is a finding nobody can review.
    /// Suppressed findings still appear in JSON and SARIF output, with the
    /// reason as their justification.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// // meshc:allow(M305)
    /// queue jobs { visibility = 3m }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { visibility = 3m }
    /// ```
    SuppressionWithoutReason, code = M108, slug = "suppression-without-reason", severity = Error,
}
