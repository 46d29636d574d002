//! M241 too-many-security-group-rules
use super::quotas::{self, Site};
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::emit::firewall;
use crate::model::aws_quotas::{QuotaKind, quota};

/// `over` is the relation whose rule is the first over the limit, with
/// the rule's description.
pub fn diagnostic(
    owner: &Site,
    inbound: bool,
    count: usize,
    region: &str,
    over: Option<(Span, &str)>,
) -> Diagnostic {
    let row = quota(QuotaKind::SecurityGroupRules);
    let direction = if inbound { "inbound" } else { "outbound" };
    let count = quotas::amount(row, count);
    let mut diagnostic = Diagnostic::new(
        &TooManySecurityGroupRules::CODE,
        format!(
            "the security group of {} would have {count} {direction} rules, more than the {} a group may have in one direction",
            owner.text,
            quotas::limit(row, region)
        ),
    )
    .primary(owner.span, format!("{count} {direction} rules"));
    if let Some((span, description)) = over {
        diagnostic = diagnostic.secondary(
            span,
            format!(
                "needs rule {} ({})",
                row.limit_in(region) + 1,
                firewall::description(description)
            ),
        );
    }
    diagnostic
        .help(format!(
            "reach it from fewer components, or on fewer ports (a rule is one peer on one port range): split the components that talk to it between two copies of it; {}",
            row.increase()
        ))
        .note(quotas::source_note(row))
}

declare_rule! {
    /// ## What it does
    /// Reports a security group that would have more rules in one direction
    /// than the 60 AWS allows by default. meshc derives one rule per peer
    /// and port from the flows of the graph: a service called by many
    /// services, or calling many, gets a rule for each; CloudFormation also
    /// keeps one placeholder outbound rule in place of the allow-all
    /// default, and a reference to a gateway endpoint's prefix list counts
    /// its weight.
    ///
    /// ## Why is this bad?
    /// `AuthorizeSecurityGroupIngress` (or `Egress`) fails with
    /// `RulesPerSecurityGroupLimitExceeded` in an account with the default
    /// quota, so the first deploy into a new account fails. The quota can be
    /// raised (Service Quotas code L-0EA8095F, up to 1,000 with the one
    /// group meshc gives each network interface): an account that has the
    /// increase says so with `// meshc:allow(M241) reason: "..."` on the
    /// declaration.
    ///
    /// ## Example
    /// Sixty-one functions use one database: its security group, and that
    /// of the Secrets Manager endpoint they read its credentials from, need
    /// an inbound rule for each.
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr = 10.0.0.0/16
    ///   subnet app  { tier = private }
    ///   subnet data { tier = isolated }
    ///   endpoints = [secretsmanager]
    /// }
    /// database ledger { engine = postgres  class = "db.t4g.micro"  subnet = data }
    /// service s01 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s02 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s03 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s04 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s05 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s06 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s07 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s08 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s09 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s10 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s11 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s12 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s13 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s14 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s15 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s16 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s17 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s18 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s19 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s20 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s21 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s22 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s23 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s24 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s25 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s26 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s27 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s28 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s29 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s30 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s31 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s32 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s33 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s34 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s35 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s36 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s37 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s38 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s39 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s40 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s41 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s42 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s43 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s44 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s45 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s46 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s47 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s48 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s49 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s50 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s51 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s52 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s53 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s54 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s55 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s56 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s57 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s58 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s59 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s60 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s61 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// ```
    ///
    /// Use instead: at most sixty functions on one database (here two), or
    /// a database per group of functions.
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr = 10.0.0.0/16
    ///   subnet app  { tier = private }
    ///   subnet data { tier = isolated }
    ///   endpoints = [secretsmanager]
    /// }
    /// database ledger { engine = postgres  class = "db.t4g.micro"  subnet = data }
    /// service s01 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// service s02 { compute = lambda { runtime = "python3.13" }  subnet = app  uses ledger }
    /// ```
    TooManySecurityGroupRules, code = M241, slug = "too-many-security-group-rules", severity = Error,
}

impl Rule for TooManySecurityGroupRules {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let region = system.region.value.as_str();
        let plan = &context.graph.network;
        let limit = quota(QuotaKind::SecurityGroupRules).limit_in(region);
        for group in &plan.security_groups {
            for inbound in [true, false] {
                let rules = firewall::counted_rules(group, inbound);
                let (over, count) = quotas::first_over(&rules, limit);
                if count <= limit {
                    continue;
                }
                let Some(owner) = quotas::group_owner(system, group.owner) else {
                    continue;
                };
                let over = over.flatten().and_then(|rule| {
                    let flow = rule.flows.first().and_then(|flow| plan.flows.get(*flow))?;
                    Some((flow.span, rule.description.as_str()))
                });
                out.push(diagnostic(&owner, inbound, count, region, over));
            }
        }
    }
}
