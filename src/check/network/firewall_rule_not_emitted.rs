//! M318 firewall-rule-not-emitted
use super::rules_no_relation_needs;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::network::{DeclaredRuleProblem, declared_rule_targets};
use crate::model::Tier;

pub fn diagnostic(firewall: &str, span: Span, problem: DeclaredRuleProblem) -> Diagnostic {
    let (label, help) = match problem {
        DeclaredRuleProblem::Component => (
            "no relation needs this opening, and meshc opens a path to a component only for a relation".to_string(),
            "declare the relation that needs it (`calls`, `uses`), which opens both sides; or remove the rule".to_string(),
        ),
        DeclaredRuleProblem::NoRouteOut(tier) => (
            format!(
                "it leads out of the network from a{} subnet with no route out",
                if tier == Tier::Isolated { "n isolated" } else { " private" }
            ),
            match tier {
                Tier::Isolated => "an isolated subnet has no route out by design: run the component in a private subnet of a network with `nat`, or remove the rule".to_string(),
                _ => "give the network a NAT gateway (`nat = single` or `nat = per_zone`, with a public subnet), or remove the rule".to_string(),
            },
        ),
        DeclaredRuleProblem::InsideNetwork => (
            "these addresses are inside the network, whose subnets let through only what relations need".to_string(),
            "name the component at the other end and declare the relation that needs the opening; addresses outside the network (a partner, an office over VPN) are emitted as declared".to_string(),
        ),
        DeclaredRuleProblem::NoSubnet => (
            "its component runs in no subnet, so it has no security group".to_string(),
            "give the component a `subnet`, or remove the firewall".to_string(),
        ),
    };
    Diagnostic::new(
        &FirewallRuleNotEmitted::CODE,
        format!("this rule of firewall `{firewall}` cannot be emitted"),
    )
    .primary(span, label)
    .help(help)
}

declare_rule! {
    /// ## What it does
    /// Reports a rule of a declared `firewall` that meshc cannot emit: it
    /// names a component, or addresses inside the network, that no
    /// relation of the system needs (a path inside the network is opened
    /// on both sides, for a relation), or it leads out of the network from
    /// a subnet with no route out.
    ///
    /// A declared rule is never dropped in silence: it is emitted as
    /// declared (rules to or from addresses), or refused here with the
    /// reason.
    ///
    /// ## Why is this bad?
    /// The rule says traffic may flow, but nothing would carry it: the
    /// other side's security group would refuse it, or no route leaves
    /// the subnet. The code that relies on it times out.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private }  subnet data { tier = isolated } }
    /// service report { compute = lambda { runtime = "python3.13" }  subnet = app }
    /// database ledger { engine = postgres  class = "db.t4g.micro"  subnet = data }
    /// firewall report { allow out tcp 5432 to ledger }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private }  subnet data { tier = isolated } }
    /// service report { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// database ledger { engine = postgres  class = "db.t4g.micro"  subnet = data }
    /// firewall report {
    ///   allow out tcp 5432 to ledger
    ///   allow out tcp 443 to app
    /// }
    /// ```
    FirewallRuleNotEmitted, code = M318, slug = "firewall-rule-not-emitted", severity = Error,
}

impl Rule for FirewallRuleNotEmitted {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let plan = &context.graph.network;
        for (name, owner, rule) in rules_no_relation_needs(system, plan) {
            if let Err(problem) = declared_rule_targets(system, plan, owner, rule) {
                out.push(diagnostic(name, rule.span, problem));
            }
        }
    }
}
