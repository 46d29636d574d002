//! M218 missing-port
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{Compute, ServiceId, Via};

/// `need` is the relation that needs the port, and `why` says what it is.
pub fn diagnostic(service: &str, span: Span, need: Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        &MissingPort::CODE,
        format!("service `{service}` has no `port`"),
    )
    .primary(span, "no `port` here")
    .secondary(need, why.to_string())
    .help("add the port the service listens on, such as `port = 8080`")
}

declare_rule! {
    /// ## What it does
    /// Reports a Fargate service that other services call over the network,
    /// or that a load balancer exposes, but that does not say which `port`
    /// it listens on.
    ///
    /// ## Why is this bad?
    /// Without the port there is no security-group rule, NACL entry, target
    /// group or Service Connect mapping to derive, and the calls would be
    /// refused.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// service order { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  calls payment }
    /// service payment { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// service order { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  calls payment }
    /// service payment { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  port = 8080 }
    /// ```
    MissingPort, code = M218, slug = "missing-port", severity = Error,
}

impl Rule for MissingPort {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for (index, service) in system.services.iter().enumerate() {
            if service.port.is_some() || !matches!(service.compute, Compute::Fargate(_)) {
                continue;
            }
            let id = ServiceId(index);
            if let Some(expose) = &service.expose {
                out.push(diagnostic(
                    &service.name.text,
                    service.name.span,
                    expose.span,
                    "exposed here",
                ));
                continue;
            }
            let call = system
                .services
                .iter()
                .flat_map(|caller| caller.calls.iter().map(move |call| (caller, call)))
                .find(|(_, call)| call.target == id && call.via.value != Via::Invoke);
            if let Some((caller, call)) = call {
                out.push(diagnostic(
                    &service.name.text,
                    service.name.span,
                    call.target_span,
                    &format!("`{}` calls it here", caller.name.text),
                ));
            }
        }
    }
}
