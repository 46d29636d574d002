//! M219 unusable-via
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::Via;

/// `why` explains the mismatch; `instead` is the `via` to write.
pub fn diagnostic(
    via: Via,
    span: Span,
    callee: &str,
    callee_span: Span,
    why: &str,
    instead: &str,
) -> Diagnostic {
    Diagnostic::new(
        &UnusableVia::CODE,
        format!("`via = {}` cannot reach `{callee}`", via.as_str()),
    )
    .primary(span, why.to_string())
    .secondary(callee_span, format!("`{callee}` is declared here"))
    .help(format!(
        "write `via = {instead}`, or leave `via` out to get it"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a `calls` whose `via` cannot work between these two kinds of
    /// service: a Lambda function is invoked (`via = invoke`), never reached
    /// over the network; a Fargate service is reached over the network,
    /// never invoked; and ECS Service Connect (`via = mesh`) serves ECS
    /// tasks only, so a Lambda caller reaches a Fargate service by `dns`,
    /// an internal `alb` or `privatelink`.
    ///
    /// ## Why is this bad?
    /// The calls would fail at run time: there is no address to connect to,
    /// or no API to invoke.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// service order { compute = lambda { runtime = "python3.13" }  calls thumbnails { via = mesh } }
    /// service thumbnails { compute = lambda { runtime = "python3.13" } }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// service order { compute = lambda { runtime = "python3.13" }  calls thumbnails { via = invoke } }
    /// service thumbnails { compute = lambda { runtime = "python3.13" } }
    /// ```
    UnusableVia, code = M219, slug = "unusable-via", severity = Error,
}

impl Rule for UnusableVia {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for caller in &system.services {
            for call in &caller.calls {
                let Some(callee) = system.service(call.target) else {
                    continue;
                };
                let via = call.via.value;
                let problem = match (caller.is_lambda(), callee.is_lambda(), via) {
                    (_, true, Via::Invoke) => None,
                    (_, true, _) => Some((
                        "a Lambda function is invoked, not reached over the network",
                        "invoke",
                    )),
                    (_, false, Via::Invoke) => {
                        Some(("only a Lambda function can be invoked", "mesh"))
                    }
                    (true, false, Via::Mesh) => {
                        Some(("ECS Service Connect does not serve Lambda callers", "dns"))
                    }
                    _ => None,
                };
                if let Some((why, instead)) = problem {
                    out.push(diagnostic(
                        via,
                        call.via.span,
                        &callee.name.text,
                        callee.name.span,
                        why,
                        instead,
                    ));
                }
            }
        }
    }
}
