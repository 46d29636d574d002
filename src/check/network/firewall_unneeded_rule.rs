//! M305 firewall-unneeded-rule
use super::rules_no_relation_needs;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::FirewallPeer;
use crate::vocabulary::Direction;

pub fn diagnostic(firewall: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        &FirewallUnneededRule::CODE,
        format!("this rule of firewall `{firewall}` lets in addresses no relation needs"),
    )
    .primary(span, "no relation of the system needs this opening")
    .help("remove the rule; if something outside the .mesh file needs it (a bastion, an office network), suppress this with the reason")
    .note("meshc emits the opening as declared, in the security group and in the network ACLs, both directions")
}

declare_rule! {
    /// ## What it does
    /// Reports an inbound rule of a declared `firewall` that lets in
    /// addresses (a CIDR, a subnet group, anywhere) none of the system's
    /// relations needs. meshc emits it as declared: in the security group,
    /// and in the network ACLs of the subnets on the way, both directions.
    ///
    /// An outbound rule to addresses is how a service declares what it
    /// reaches outside the system (a partner's API through NAT): it is
    /// emitted the same way and not reported. A rule naming a component
    /// that no relation needs is not emitted (M318).
    ///
    /// ## Why is this bad?
    /// Every inbound opening is attack surface. An opening nobody can
    /// explain is left in place for years because nobody dares to remove
    /// it; the reason belongs next to it.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// service order { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  calls payment }
    /// service payment { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  port = 8443 }
    /// firewall payment {
    ///   allow in tcp 8443 from order
    ///   allow in tcp 22 from 192.168.0.0/16
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
        for (name, _, rule) in rules_no_relation_needs(context.system, &context.graph.network) {
            let inbound_addresses = rule.direction == Direction::In
                && !matches!(rule.peer.value, FirewallPeer::Component(_));
            if inbound_addresses {
                out.push(diagnostic(name, rule.span));
            }
        }
    }
}
