//! M315 nacl-unneeded-rule
use super::nacl_blocks_flow::rules_of;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::network::decide;
use crate::model::{Cidr, PortRange};
use crate::vocabulary::{Direction, Protocol};

pub fn diagnostic(nacl: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        &NaclUnneededRule::CODE,
        format!("this rule of NACL `{nacl}` allows traffic no flow needs"),
    )
    .primary(span, "no flow, nor its return traffic, needs this opening")
    .help("remove the rule; if something outside the .mesh file needs it, describe that traffic, or suppress this with a reason")
    .note("a rule counts when it is the first to match some packet that a flow or its replies send")
}

declare_rule! {
    /// ## What it does
    /// Reports an `allow` rule of a declared `nacl` that lets through none
    /// of the packets the system's flows send into or out of the subnet
    /// group: no request of a flow and no reply is decided by it. Rules are
    /// evaluated in the order written and the first that matches a packet
    /// decides, so a rule counts when it is the first to match some packet
    /// a flow needs. `deny` rules are never reported, and neither are rules
    /// an earlier rule covers entirely (that is M308).
    ///
    /// ## Why is this bad?
    /// Every opening is attack surface. The NACL is emitted as written, so
    /// an opening no flow explains ends up in production, where nobody
    /// dares to remove it.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private }  subnet data { tier = isolated } }
    /// database ledger { engine = postgres  class = "db.t4g.micro"  subnet = data }
    /// service api { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// nacl data-acl {
    ///   subnet = data
    ///   allow in  tcp 5432 from app
    ///   allow in  tcp 22 from 10.0.0.0/16
    ///   allow out tcp 1024-65535 to app
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private }  subnet data { tier = isolated } }
    /// database ledger { engine = postgres  class = "db.t4g.micro"  subnet = data }
    /// service api { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// nacl data-acl {
    ///   subnet = data
    ///   allow in  tcp 5432 from app
    ///   allow out tcp 1024-65535 to app
    /// }
    /// ```
    NaclUnneededRule, code = M315, slug = "nacl-unneeded-rule", severity = Warning,
}

impl Rule for NaclUnneededRule {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let plan = &context.graph.network;
        for nacl_plan in &plan.nacls {
            let Some((declared, nacl)) = nacl_plan
                .declared
                .and_then(|index| Some((index, system.nacls.get(index)?)))
            else {
                continue;
            };
            for (direction, entries) in [
                (Direction::In, &nacl_plan.ingress),
                (Direction::Out, &nacl_plan.egress),
            ] {
                let rules = rules_of(plan, declared, nacl, direction);
                let ordered: Vec<(bool, Protocol, PortRange, Cidr)> = rules
                    .iter()
                    .map(|(allow, protocol, ports, cidr, _)| (*allow, *protocol, *ports, *cidr))
                    .collect();
                // The spans of the rules that decide some needed packet.
                let mut needed: Vec<Span> = Vec::new();
                for entry in entries {
                    let (deciding, _) = decide(&ordered, entry.protocol, entry.ports, entry.cidr);
                    needed.extend(
                        deciding
                            .iter()
                            .filter_map(|index| rules.get(*index).map(|rule| rule.4)),
                    );
                }
                // M308 reports a rule with a line an earlier rule covers.
                let shadowed: Vec<Span> = rules
                    .iter()
                    .enumerate()
                    .filter(|(position, later)| {
                        rules.iter().take(*position).any(|earlier| {
                            earlier.4 != later.4
                                && (earlier.1 == Protocol::All || earlier.1 == later.1)
                                && earlier.2.contains(later.2)
                                && earlier.3.contains(later.3)
                        })
                    })
                    .map(|(_, later)| later.4)
                    .collect();
                let mut reported: Vec<Span> = Vec::new();
                for (allow, _, _, _, span) in &rules {
                    if *allow
                        && !needed.contains(span)
                        && !shadowed.contains(span)
                        && !reported.contains(span)
                    {
                        reported.push(*span);
                        out.push(diagnostic(&nacl.name.text, *span));
                    }
                }
            }
        }
    }
}
