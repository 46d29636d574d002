//! M314 listener-without-tls
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::LoadBalancerKind;

pub fn diagnostic(service: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        &ListenerWithoutTls::CODE,
        format!("service `{service}` is exposed to the internet over plain HTTP"),
    )
    .primary(span, "no `certificate` is declared, so the load balancer listens on port 80 only")
    .help("add `certificate = \"arn:aws:acm:REGION:ACCOUNT:certificate/ID\"` to `expose`: meshc then serves HTTPS on 443 and redirects port 80 to it")
    .note("requests, cookies and tokens cross the internet unencrypted")
}

declare_rule! {
    /// ## What it does
    /// Reports a service exposed with `alb { public = true }` and no
    /// `certificate`: its internet-facing load balancer can only listen
    /// on plain HTTP.
    ///
    /// ## Why is this bad?
    /// Everything the clients send — credentials, session cookies, order
    /// details — crosses the internet unencrypted and can be read or
    /// changed on the way. With a certificate from AWS Certificate Manager
    /// meshc emits an HTTPS listener with a TLS 1.3/1.2 policy and turns
    /// port 80 into a redirect.
    ///
    /// Internal load balancers (`public = false`) are not reported: their
    /// traffic stays in the VPC, between security groups.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet edge { tier = public }  subnet app { tier = private } }
    /// service api { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  port = 8080  expose = alb { public = true } }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet edge { tier = public }  subnet app { tier = private } }
    /// service api {
    ///   compute = fargate { cpu = 0.5  memory = 1GB }
    ///   subnet  = app
    ///   port    = 8080
    ///   expose  = alb { public = true  certificate = "arn:aws:acm:us-east-1:111122223333:certificate/6f1c2e0a-8b1d-4c1e-9a57-2f0c7d3e5b21" }
    /// }
    /// ```
    ListenerWithoutTls, code = M314, slug = "listener-without-tls", severity = Warning,
}

impl Rule for ListenerWithoutTls {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &context.system.services {
            let Some(expose) = &service.expose else {
                continue;
            };
            if expose.kind == LoadBalancerKind::Alb && expose.public && expose.certificate.is_none()
            {
                out.push(diagnostic(&service.name.text, expose.span));
            }
        }
    }
}
