//! M305 firewall-unneeded-rule
use super::{firewall_flows, guarded, rule_covers};
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};

pub fn diagnostic(firewall: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        &FirewallUnneededRule::CODE,
        format!("this rule of firewall `{firewall}` allows traffic no flow needs"),
    )
    .primary(span, "no flow of the system needs this opening")
    .help("remove the rule; if something outside the .mesh file needs it, describe that caller, or suppress this with a reason")
    .note("meshc emits the security group the flows need, without this opening")
}

declare_rule! {
    /// ## What it does
    /// Reports a rule of a declared `firewall` that allows traffic none of
    /// the system's flows needs.
    ///
    /// ## Why is this bad?
    /// Every opening is attack surface. An opening nobody can explain is
    /// left in place for years because nobody dares to remove it; meshc
    /// does not emit it, and says so.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// service order { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  calls payment }
    /// service payment { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  port = 8443 }
    /// firewall payment {
    ///   allow in tcp 8443 from order
    ///   allow in tcp 22 from 10.0.0.0/16
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// service order { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  calls payment }
    /// service payment { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  port = 8443 }
    /// firewall payment {
    ///   allow in tcp 8443 from order
    /// }
    /// ```
    FirewallUnneededRule, code = M305, slug = "firewall-unneeded-rule", severity = Warning,
}

impl Rule for FirewallUnneededRule {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let plan = &context.graph.network;
        for firewall in &system.firewalls {
            let Some(owner) = guarded(firewall.target.value) else {
                continue;
            };
            let name = system
                .component_name(firewall.target.value)
                .map_or_else(String::new, |name| name.text.clone());
            let flows = firewall_flows(system, plan, owner);
            for rule in &firewall.rules {
                if !flows.iter().any(|flow| rule_covers(plan, rule, flow)) {
                    out.push(diagnostic(&name, rule.span));
                }
            }
        }
    }
}
