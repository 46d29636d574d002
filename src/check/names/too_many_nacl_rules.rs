//! M242 too-many-nacl-rules
use super::quotas::{self, Site};
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::aws_quotas::{QuotaKind, quota};

/// `over` is what needs the first rule over the limit.
pub fn diagnostic(
    acl: &Site,
    inbound: bool,
    count: usize,
    region: &str,
    declared: bool,
    over: Option<Span>,
) -> Diagnostic {
    let row = quota(QuotaKind::NaclRules);
    let direction = if inbound { "inbound" } else { "outbound" };
    let count = quotas::amount(row, count);
    let mut diagnostic = Diagnostic::new(
        &TooManyNaclRules::CODE,
        format!(
            "the network ACL of {} would have {count} {direction} rules with the default deny rule, more than the {} an ACL may have in one direction",
            acl.text,
            quotas::limit(row, region)
        ),
    )
    .primary(acl.span, format!("{count} {direction} rules"));
    if let Some(span) = over {
        diagnostic = diagnostic.secondary(
            span,
            format!(
                "needs the rule that takes it over {} with the default deny rule",
                row.limit_in(region)
            ),
        );
    }
    let instead = if declared {
        "allow whole blocks in fewer rules (the subnets' network, or `1024-65535` once for every reply)"
    } else {
        "put the components this subnet group talks to in fewer subnet groups, on fewer ports: meshc writes one rule per port and peer block, in each direction, with the replies"
    };
    diagnostic
        .help(format!("{instead}; {}", row.increase()))
        .note(quotas::source_note(row))
}

declare_rule! {
    /// ## What it does
    /// Reports a network ACL that would have more rules in one direction
    /// than the 20 AWS allows by default, the default deny rule included.
    /// meshc writes a subnet group's ACL from its flows (each port and peer
    /// block, and the replies), or from the declared `nacl`, where a rule
    /// naming a subnet group becomes one rule per zone.
    ///
    /// ## Why is this bad?
    /// `CreateNetworkAclEntry` fails with `NetworkAclEntryLimitExceeded` in
    /// an account with the default quota, so the first deploy into a new
    /// account fails. The quota can be raised to 40 (Service Quotas code
    /// L-2AEEBF1A); an account that has the increase says so with
    /// `// meshc:allow(M242) reason: "..."`.
    ///
    /// ## Example
    /// Functions in twenty subnet groups call one service: the ACL of its
    /// subnet group needs a rule for the requests of each group and one for
    /// the replies to each, besides its own traffic to the endpoints.
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr = 10.0.0.0/16
    ///   subnet a01 { tier = private }  subnet a02 { tier = private }  subnet a03 { tier = private }  subnet a04 { tier = private }
    ///   subnet a05 { tier = private }  subnet a06 { tier = private }  subnet a07 { tier = private }  subnet a08 { tier = private }
    ///   subnet a09 { tier = private }  subnet a10 { tier = private }  subnet a11 { tier = private }  subnet a12 { tier = private }
    ///   subnet a13 { tier = private }  subnet a14 { tier = private }  subnet a15 { tier = private }  subnet a16 { tier = private }
    ///   subnet a17 { tier = private }  subnet a18 { tier = private }  subnet a19 { tier = private }  subnet a20 { tier = private }
    ///   subnet core { tier = private }
    ///   endpoints = [s3, ecr, logs]
    /// }
    /// service core { compute = fargate { cpu = 0.25  memory = 512MB }  subnet = core  port = 8080 }
    /// service s01 { compute = lambda { runtime = "python3.13" }  subnet = a01  calls core { via = dns } }
    /// service s02 { compute = lambda { runtime = "python3.13" }  subnet = a02  calls core { via = dns } }
    /// service s03 { compute = lambda { runtime = "python3.13" }  subnet = a03  calls core { via = dns } }
    /// service s04 { compute = lambda { runtime = "python3.13" }  subnet = a04  calls core { via = dns } }
    /// service s05 { compute = lambda { runtime = "python3.13" }  subnet = a05  calls core { via = dns } }
    /// service s06 { compute = lambda { runtime = "python3.13" }  subnet = a06  calls core { via = dns } }
    /// service s07 { compute = lambda { runtime = "python3.13" }  subnet = a07  calls core { via = dns } }
    /// service s08 { compute = lambda { runtime = "python3.13" }  subnet = a08  calls core { via = dns } }
    /// service s09 { compute = lambda { runtime = "python3.13" }  subnet = a09  calls core { via = dns } }
    /// service s10 { compute = lambda { runtime = "python3.13" }  subnet = a10  calls core { via = dns } }
    /// service s11 { compute = lambda { runtime = "python3.13" }  subnet = a11  calls core { via = dns } }
    /// service s12 { compute = lambda { runtime = "python3.13" }  subnet = a12  calls core { via = dns } }
    /// service s13 { compute = lambda { runtime = "python3.13" }  subnet = a13  calls core { via = dns } }
    /// service s14 { compute = lambda { runtime = "python3.13" }  subnet = a14  calls core { via = dns } }
    /// service s15 { compute = lambda { runtime = "python3.13" }  subnet = a15  calls core { via = dns } }
    /// service s16 { compute = lambda { runtime = "python3.13" }  subnet = a16  calls core { via = dns } }
    /// service s17 { compute = lambda { runtime = "python3.13" }  subnet = a17  calls core { via = dns } }
    /// service s18 { compute = lambda { runtime = "python3.13" }  subnet = a18  calls core { via = dns } }
    /// service s19 { compute = lambda { runtime = "python3.13" }  subnet = a19  calls core { via = dns } }
    /// service s20 { compute = lambda { runtime = "python3.13" }  subnet = a20  calls core { via = dns } }
    /// ```
    ///
    /// Use instead: fewer subnet groups (here ten).
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr = 10.0.0.0/16
    ///   subnet a01 { tier = private }  subnet a02 { tier = private }  subnet a03 { tier = private }  subnet a04 { tier = private }
    ///   subnet a05 { tier = private }  subnet a06 { tier = private }  subnet a07 { tier = private }  subnet a08 { tier = private }
    ///   subnet a09 { tier = private }  subnet a10 { tier = private }
    ///   subnet core { tier = private }
    ///   endpoints = [s3, ecr, logs]
    /// }
    /// service core { compute = fargate { cpu = 0.25  memory = 512MB }  subnet = core  port = 8080 }
    /// service s01 { compute = lambda { runtime = "python3.13" }  subnet = a01  calls core { via = dns } }
    /// service s02 { compute = lambda { runtime = "python3.13" }  subnet = a02  calls core { via = dns } }
    /// service s03 { compute = lambda { runtime = "python3.13" }  subnet = a03  calls core { via = dns } }
    /// service s04 { compute = lambda { runtime = "python3.13" }  subnet = a04  calls core { via = dns } }
    /// service s05 { compute = lambda { runtime = "python3.13" }  subnet = a05  calls core { via = dns } }
    /// service s06 { compute = lambda { runtime = "python3.13" }  subnet = a06  calls core { via = dns } }
    /// service s07 { compute = lambda { runtime = "python3.13" }  subnet = a07  calls core { via = dns } }
    /// service s08 { compute = lambda { runtime = "python3.13" }  subnet = a08  calls core { via = dns } }
    /// service s09 { compute = lambda { runtime = "python3.13" }  subnet = a09  calls core { via = dns } }
    /// service s10 { compute = lambda { runtime = "python3.13" }  subnet = a10  calls core { via = dns } }
    /// ```
    TooManyNaclRules, code = M242, slug = "too-many-nacl-rules", severity = Error,
}

impl Rule for TooManyNaclRules {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let region = system.region.value.as_str();
        let plan = &context.graph.network;
        let limit = quota(QuotaKind::NaclRules).limit_in(region);
        for nacl in &plan.nacls {
            let declared = nacl.declared.and_then(|index| system.nacls.get(index));
            let lines = plan.emitted_lines(nacl);
            let acl = if let Some(declared) = declared {
                Site {
                    span: declared.name.span,
                    text: format!("`nacl {}`", declared.name.text),
                }
            } else {
                let Some(subnet) = system.subnet(nacl.subnet) else {
                    continue;
                };
                Site {
                    span: subnet.name.span,
                    text: format!("subnet group `{}`", subnet.name.text),
                }
            };
            for inbound in [true, false] {
                // The default deny rule comes last but counts first.
                let counted: Vec<(Option<Span>, usize)> = std::iter::once((None, 1))
                    .chain(
                        lines
                            .iter()
                            .filter(|line| line.egress != inbound)
                            .map(|line| (line.origin, 1)),
                    )
                    .collect();
                let (over, count) = quotas::first_over(&counted, limit);
                if count > limit {
                    out.push(diagnostic(
                        &acl,
                        inbound,
                        count,
                        region,
                        declared.is_some(),
                        over.flatten(),
                    ));
                }
            }
        }
    }
}
