//! M307 nacl-blocks-flow
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::network::{NaclEntry, Plan, Verdict, evaluate};
use crate::model::{Cidr, Nacl, PortRange};
use crate::vocabulary::{Direction, Protocol};

/// `blocker` is the span of the rule that blocks, or of the NACL's name
/// when no rule matches and the implicit deny does; `rule` is the mesh rule
/// that would allow the traffic.
#[allow(clippy::too_many_arguments)]
pub fn diagnostic(
    nacl: &str,
    blocker: Span,
    explicit: bool,
    traffic: &str,
    returning: bool,
    need: Span,
    description: &str,
    rule: &str,
) -> Diagnostic {
    let what = if returning {
        "the return traffic of a flow"
    } else {
        "a flow"
    };
    let message = format!("NACL `{nacl}` blocks {what}: {traffic}");
    let label = if explicit {
        "this rule blocks it".to_string()
    } else {
        "no rule allows it, so the NACL's final deny drops it".to_string()
    };
    let diagnostic = Diagnostic::new(&NaclBlocksFlow::CODE, message)
        .primary(blocker, label)
        .secondary(need, format!("needed because {description}"));
    let diagnostic = if explicit {
        diagnostic.help(format!("add `{rule}` above this rule, or narrow it"))
    } else {
        diagnostic.help(format!("add `{rule}` to `nacl {nacl}`"))
    };
    if returning {
        diagnostic.note("NACLs are stateless: replies are filtered like requests, and come back on the ephemeral ports 1024-65535")
    } else {
        diagnostic
    }
}

declare_rule! {
    /// ## What it does
    /// Reports traffic the system needs that a declared `nacl` drops: the
    /// request of a flow that enters or leaves the subnet group, or its
    /// reply. A NACL is evaluated rule by rule, in the order written; the
    /// first rule that matches decides, and what no rule allows is denied.
    ///
    /// ## Why is this bad?
    /// NACLs are stateless, so the replies of every flow need rules of
    /// their own, on the ephemeral ports. Forgetting them is the classic
    /// NACL outage: connections open, requests go out, and nothing ever
    /// comes back.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private }  subnet data { tier = isolated } }
    /// database ledger { engine = postgres  class = "db.t4g.micro"  subnet = data }
    /// service api { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// nacl data-acl {
    ///   subnet = data
    ///   allow in tcp 5432 from 10.0.0.0/16
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
    ///   allow in  tcp 5432 from 10.0.0.0/16
    ///   allow out tcp 1024-65535 to 10.0.0.0/16
    /// }
    /// ```
    NaclBlocksFlow, code = M307, slug = "nacl-blocks-flow", severity = Error,
}

/// The rules of the declared `nacl` of index `declared` in one direction,
/// as `(allow, protocol, ports, cidr, span)`: as the graph expanded them, a
/// rule naming a subnet one rule per block of it.
pub(crate) fn rules_of(
    plan: &Plan,
    declared: usize,
    nacl: &Nacl,
    direction: Direction,
) -> Vec<(bool, Protocol, PortRange, Cidr, Span)> {
    plan.declared_lines(declared)
        .iter()
        .filter(|line| line.egress == (direction == Direction::Out))
        .map(|line| {
            (
                line.allow,
                line.protocol,
                line.ports,
                line.cidr,
                line.origin.unwrap_or(nacl.name.span),
            )
        })
        .collect()
}

impl Rule for NaclBlocksFlow {
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
                for entry in entries {
                    check_entry(plan, nacl, direction, &rules, &ordered, entry, out);
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn check_entry(
    plan: &Plan,
    nacl: &Nacl,
    direction: Direction,
    rules: &[(bool, Protocol, PortRange, Cidr, Span)],
    ordered: &[(bool, Protocol, PortRange, Cidr)],
    entry: &NaclEntry,
    out: &mut Vec<Diagnostic>,
) {
    let (blocker, explicit) = match evaluate(ordered, entry.protocol, entry.ports, entry.cidr) {
        Verdict::Allowed => return,
        Verdict::Denied(index) => (rules.get(index).map_or(nacl.name.span, |rule| rule.4), true),
        Verdict::Unmatched => (nacl.name.span, false),
    };
    let Some(flow) = entry.flows.first().and_then(|index| plan.flows.get(*index)) else {
        return;
    };

    let (word, preposition) = match direction {
        Direction::In => ("in", "from"),
        Direction::Out => ("out", "to"),
    };
    let traffic = format!(
        "{} {word} {preposition} {}",
        super::ports_text(entry.protocol, entry.ports),
        entry.cidr
    );
    let rule = format!(
        "allow {word} {} {preposition} {}",
        super::ports_text(entry.protocol, entry.ports),
        entry.cidr
    );
    out.push(diagnostic(
        &nacl.name.text,
        blocker,
        explicit,
        &traffic,
        entry.returning,
        flow.span,
        &flow.description,
        &rule,
    ));
}
