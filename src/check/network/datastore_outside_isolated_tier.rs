//! M302 datastore-outside-isolated-tier
use super::{subnet_name, subnet_of_tier};
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::Tier;

pub fn diagnostic(
    database: &str,
    span: Span,
    subnet: &str,
    tier: Tier,
    tier_span: Span,
    isolated: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &DatastoreOutsideIsolatedTier::CODE,
        format!(
            "database `{database}` is in the {} subnet `{subnet}`",
            tier.as_str()
        ),
    )
    .primary(span, "a data store outside the isolated tier")
    .secondary(tier_span, format!("this subnet is `{}`", tier.as_str()));
    match isolated {
        Some(isolated) => diagnostic.help(format!(
            "put it in an isolated subnet: `subnet = {isolated}`"
        )),
        None => diagnostic.help(
            "add an isolated subnet, `subnet data { tier = isolated }`, and put the database there",
        ),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a database placed in a `public` or `private` subnet rather
    /// than an `isolated` one.
    ///
    /// ## Why is this bad?
    /// Isolated subnets have no route out of the VPC: a compromised or
    /// misconfigured database there cannot send data anywhere, and nothing
    /// outside can reach it. A private subnet routes to a NAT gateway; a
    /// public one to the internet.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private }  subnet data { tier = isolated } }
    /// database ledger { engine = postgres  class = "db.t4g.micro"  subnet = app }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet app { tier = private }  subnet data { tier = isolated } }
    /// database ledger { engine = postgres  class = "db.t4g.micro"  subnet = data }
    /// ```
    DatastoreOutsideIsolatedTier, code = M302, slug = "datastore-outside-isolated-tier", severity = Error,
}

impl Rule for DatastoreOutsideIsolatedTier {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for database in &system.databases {
            let Some(subnet) = database.subnet else {
                continue;
            };
            let Some(declared) = system.subnet(subnet.value) else {
                continue;
            };
            if declared.tier.value == Tier::Isolated {
                continue;
            }
            let isolated = subnet_of_tier(system, subnet.value.network, Tier::Isolated);
            out.push(diagnostic(
                &database.name.text,
                subnet.span,
                &subnet_name(system, subnet.value),
                declared.tier.value,
                declared.tier.span,
                isolated.as_deref(),
            ));
        }
    }
}
