//! M308 shadowed-nacl-rule
use super::nacl_blocks_flow::rules_of;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::vocabulary::{Direction, Protocol};

pub fn diagnostic(nacl: &str, span: Span, earlier: Span, same_action: bool) -> Diagnostic {
    let effect = if same_action {
        "it repeats what the earlier rule already decides"
    } else {
        "the earlier rule decides the opposite for all of its traffic"
    };
    Diagnostic::new(
        &ShadowedNaclRule::CODE,
        format!("this rule of NACL `{nacl}` never applies"),
    )
    .primary(span, format!("shadowed: {effect}"))
    .secondary(earlier, "this earlier rule matches all of its traffic")
    .help("remove the rule, or move it above the rule that shadows it if it should win")
}

declare_rule! {
    /// ## What it does
    /// Reports a rule of a declared `nacl` that can never apply, because an
    /// earlier rule of the same direction matches every packet it would
    /// match. NACL rules are evaluated in the order written and the first
    /// match decides.
    ///
    /// ## Why is this bad?
    /// A shadowed `deny` gives a false sense of protection; a shadowed
    /// `allow` suggests a flow works that the earlier rule blocks.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// nacl app-acl {
    ///   subnet = app
    ///   allow in tcp 1024-65535 from 0.0.0.0/0
    ///   deny  in tcp 3389 from 0.0.0.0/0
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
    /// nacl app-acl {
    ///   subnet = app
    ///   deny  in tcp 3389 from 0.0.0.0/0
    ///   allow in tcp 1024-65535 from 0.0.0.0/0
    /// }
    /// ```
    ShadowedNaclRule, code = M308, slug = "shadowed-nacl-rule", severity = Warning,
}

impl Rule for ShadowedNaclRule {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (declared, nacl) in context.system.nacls.iter().enumerate() {
            for direction in [Direction::In, Direction::Out] {
                let rules = rules_of(&context.graph.network, declared, nacl, direction);
                let mut reported = Vec::new();
                for (position, later) in rules.iter().enumerate() {
                    if reported.contains(&later.4) {
                        continue;
                    }
                    let earlier = rules.iter().take(position).find(|earlier| {
                        let protocol = earlier.1 == Protocol::All || earlier.1 == later.1;
                        protocol && earlier.2.contains(later.2) && earlier.3.contains(later.3)
                    });
                    if let Some(earlier) = earlier {
                        reported.push(later.4);
                        out.push(diagnostic(
                            &nacl.name.text,
                            later.4,
                            earlier.4,
                            earlier.0 == later.0,
                        ));
                    }
                }
            }
        }
    }
}
