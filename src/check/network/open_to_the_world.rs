//! M306 open-to-the-world
use super::is_public;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{Cidr, FirewallPeer};
use crate::vocabulary::Direction;

pub fn diagnostic(component: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        &OpenToTheWorld::CODE,
        format!("firewall `{component}` opens a component that is not public to the whole internet"),
    )
    .primary(span, "ingress from 0.0.0.0/0")
    .help(format!(
        "allow the components that call `{component}` by name (`allow in tcp PORT from NAME`), or expose it through a public load balancer"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a declared `firewall` that allows ingress from `anywhere`
    /// (0.0.0.0/0) to a service or database that no public load balancer
    /// exposes.
    ///
    /// ## Why is this bad?
    /// A component meant to be internal would accept connections from any
    /// address that can route to it. Internal components are reached by
    /// their callers, which can be named.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// service order { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  calls payment }
    /// service payment { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  port = 8443 }
    /// firewall payment { allow in tcp 8443 from anywhere }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// service order { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  calls payment }
    /// service payment { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  port = 8443 }
    /// firewall payment { allow in tcp 8443 from order }
    /// ```
    OpenToTheWorld, code = M306, slug = "open-to-the-world", severity = Error,
}

impl Rule for OpenToTheWorld {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for firewall in &system.firewalls {
            if is_public(&context.graph.network, firewall.target.value) {
                continue;
            }
            let name = system
                .component_name(firewall.target.value)
                .map_or_else(String::new, |name| name.text.clone());
            for rule in &firewall.rules {
                let world =
                    matches!(rule.peer.value, FirewallPeer::Cidr(cidr) if cidr == Cidr::anywhere());
                if rule.direction == Direction::In && world {
                    out.push(diagnostic(&name, rule.peer.span));
                }
            }
        }
    }
}
