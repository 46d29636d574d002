//! M217 caller-timeout-too-short
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::Duration;

/// `worst` is the callee's worst case, `slowest` the span of the callee's
/// call that makes it so.
pub fn diagnostic(
    caller: &str,
    callee: &str,
    timeout: Duration,
    span: Span,
    worst: Duration,
    slowest: Span,
    attempts: u64,
) -> Diagnostic {
    Diagnostic::new(
        &CallerTimeoutTooShort::CODE,
        format!("`{caller}` gives up on `{callee}` after {timeout}, but `{callee}` may need {worst}"),
    )
    .primary(span, format!("gives up after {timeout}"))
    .secondary(slowest, format!("{attempts} attempts of this call take up to {worst}"))
    .help(format!(
        "give the call at least `timeout = {worst}`, or shorten the callee's own timeout or retries"
    ))
    .note("the caller's timeout fires while the callee is still working: the callee's work is wasted and the caller retries into a busier callee")
}

declare_rule! {
    /// ## What it does
    /// Reports a synchronous call whose timeout is shorter than the worst
    /// case of the callee's own calls: `timeout × (retries + 1)` of the
    /// slowest call the callee makes.
    ///
    /// ## Why is this bad?
    /// The caller abandons a request the callee is still working on, and its
    /// retries pile more work on a callee that is already slow. Timeouts
    /// must shrink along a call chain, never grow.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// service order { compute = lambda { runtime = "python3.13" }  calls payment { timeout = 2s } }
    /// service payment { compute = lambda { runtime = "python3.13" }  calls bank { timeout = 3s  retries = 2 } }
    /// service bank { compute = lambda { runtime = "python3.13" } }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// service order { compute = lambda { runtime = "python3.13" }  calls payment { timeout = 10s } }
    /// service payment { compute = lambda { runtime = "python3.13" }  calls bank { timeout = 3s  retries = 2 } }
    /// service bank { compute = lambda { runtime = "python3.13" } }
    /// ```
    CallerTimeoutTooShort, code = M217, slug = "caller-timeout-too-short", severity = Warning,
}

impl Rule for CallerTimeoutTooShort {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for caller in &system.services {
            for call in &caller.calls {
                let Some(callee) = system.service(call.target) else {
                    continue;
                };
                let slowest = callee
                    .calls
                    .iter()
                    .map(|inner| {
                        let attempts = u64::from(inner.retries.value) + 1;
                        (
                            inner.timeout.value.saturating_mul(attempts),
                            attempts,
                            inner.target_span,
                        )
                    })
                    .max_by_key(|(worst, _, _)| *worst);
                let Some((worst, attempts, slowest_span)) = slowest else {
                    continue;
                };
                if call.timeout.value < worst {
                    out.push(diagnostic(
                        &caller.name.text,
                        &callee.name.text,
                        call.timeout.value,
                        call.timeout.span,
                        worst,
                        slowest_span,
                        attempts,
                    ));
                }
            }
        }
    }
}
