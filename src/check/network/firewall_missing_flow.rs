//! M304 firewall-missing-flow
use super::{
    FirewallFlow, component_of, describe, firewall_flows, guarded, ports_text, rule_covers,
};
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::network::Logical;
use crate::vocabulary::Direction;

/// `rule` is the mesh rule that would allow the flow.
pub fn diagnostic(
    firewall: &str,
    span: Span,
    flow: &FirewallFlow,
    peer: &str,
    rule: &str,
) -> Diagnostic {
    let (word, preposition) = match flow.direction {
        Direction::In => ("in", "from"),
        Direction::Out => ("out", "to"),
    };
    Diagnostic::new(
        &FirewallMissingFlow::CODE,
        format!(
            "firewall `{firewall}` does not allow {} {word} {preposition} {peer}",
            ports_text(flow.protocol, flow.ports)
        ),
    )
    .primary(
        span,
        format!(
            "no rule allows {} {preposition} {peer}",
            ports_text(flow.protocol, flow.ports)
        ),
    )
    .secondary(flow.span, format!("needed because {}", flow.description))
    .help(format!("add `{rule}` to `firewall {firewall}`"))
    .note("the security group meshc emits allows the flow; the firewall as written would break it")
}

declare_rule! {
    /// ## What it does
    /// Reports a flow the system needs that a declared `firewall` does not
    /// allow. A `firewall` states what the author expects the security
    /// group of a service or database to be; meshc derives the group from
    /// the system's flows and checks the two agree. Rules naming a
    /// component match the flows with that component at the other end
    /// (whatever load balancer or PrivateLink endpoint lies between);
    /// rules naming addresses match the flows whose packets carry them.
    /// Egress is checked only when the firewall has `out` rules.
    ///
    /// ## Why is this bad?
    /// Either the firewall is out of date, or the author believes traffic
    /// is blocked that the system needs: both are wrong beliefs about
    /// production that a reviewer would act on.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// service order { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  calls payment }
    /// service payment { compute = fargate { cpu = 0.5  memory = 1GB }  subnet = app  port = 8443 }
    /// firewall payment { allow in tcp 443 from order }
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
    FirewallMissingFlow, code = M304, slug = "firewall-missing-flow", severity = Error,
}

impl Rule for FirewallMissingFlow {
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
            let describes = |direction: Direction| {
                firewall
                    .rules
                    .iter()
                    .any(|rule| rule.direction == direction)
            };
            let mut reported: Vec<(Direction, Logical, crate::model::PortRange)> = Vec::new();
            for flow in firewall_flows(system, plan, owner) {
                if !describes(flow.direction)
                    || firewall
                        .rules
                        .iter()
                        .any(|rule| rule_covers(plan, rule, &flow))
                {
                    continue;
                }
                let key = (flow.direction, flow.peer, flow.ports);
                if reported.contains(&key) {
                    continue;
                }
                reported.push(key);
                let peer = describe(system, flow.peer);
                let written_peer = match flow.peer {
                    Logical::Component(component) if component_of(owner).is_some() => system
                        .component_name(component)
                        .map_or_else(|| "anywhere".to_string(), |name| name.text.clone()),
                    Logical::Internet => "anywhere".to_string(),
                    _ => flow
                        .addresses
                        .first()
                        .map_or_else(|| "anywhere".to_string(), ToString::to_string),
                };
                let rule = match flow.direction {
                    Direction::In => format!(
                        "allow in {} from {written_peer}",
                        ports_text(flow.protocol, flow.ports)
                    ),
                    Direction::Out => format!(
                        "allow out {} to {written_peer}",
                        ports_text(flow.protocol, flow.ports)
                    ),
                };
                out.push(diagnostic(&name, firewall.target.span, &flow, &peer, &rule));
            }
        }
    }
}
