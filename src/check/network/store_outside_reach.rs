//! M316 store-outside-reach
use super::network_name;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{DataStore, System, Tier};

/// Where the service runs, as a label: outside any VPC, or in another
/// network than the database's.
#[derive(Debug)]
pub enum Outside<'a> {
    NoSubnet,
    OtherNetwork { network: &'a str, span: Span },
}

pub fn diagnostic(
    service: &str,
    database: &str,
    database_network: &str,
    use_span: Span,
    outside: &Outside<'_>,
    suggested_subnet: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &StoreOutsideReach::CODE,
        format!(
            "service `{service}` uses database `{database}`, which only answers inside network `{database_network}`"
        ),
    )
    .primary(use_span, format!("`{service}` cannot reach `{database}`"));
    let diagnostic = match outside {
        Outside::NoSubnet => diagnostic.note(format!(
            "without a `subnet`, `{service}` runs outside every VPC: it gets no network interface, route or security-group rule to the database, only its address"
        )),
        Outside::OtherNetwork { network, span } => diagnostic
            .secondary(*span, format!("runs in network `{network}`"))
            .note("meshc connects no two networks: no peering, no transit gateway and no route joins them"),
    };
    diagnostic.help(match suggested_subnet {
        Some(subnet) => {
            format!("run `{service}` in network `{database_network}`: `subnet = {subnet}`")
        }
        None => format!(
            "add a private subnet to network `{database_network}` and run `{service}` in it"
        ),
    })
}

/// The first private subnet of the database's network, for the help line.
pub(super) fn private_subnet(system: &System, network: crate::model::NetworkId) -> Option<&str> {
    system
        .networks
        .get(network.0)?
        .subnets
        .iter()
        .find(|subnet| subnet.tier.value == Tier::Private)
        .map(|subnet| subnet.name.text.as_str())
}

declare_rule! {
    /// ## What it does
    /// Reports a service that `uses` a database (RDS) it cannot reach: the
    /// service has no `subnet`, so it runs outside every VPC, or its subnet
    /// is in another network than the database's.
    ///
    /// A database answers only on the private addresses of its VPC. Tables
    /// (DynamoDB) are reached through their AWS API and need no subnet.
    ///
    /// ## Why is this bad?
    /// The service is granted the database, is given its address, and
    /// deploys; then every connection times out, because no network path
    /// joins the two. A Lambda function without a subnet has no network
    /// interface in the VPC at all.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr  = 10.0.0.0/16
    ///   subnet app  { tier = private }
    ///   subnet data { tier = isolated }
    /// }
    /// database orders { engine = postgres  class = "db.t4g.medium"  subnet = data }
    /// service api { compute = lambda { runtime = "python3.13" }  uses orders (read_write) }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main {
    ///   cidr  = 10.0.0.0/16
    ///   subnet app  { tier = private }
    ///   subnet data { tier = isolated }
    /// }
    /// database orders { engine = postgres  class = "db.t4g.medium"  subnet = data }
    /// service api { compute = lambda { runtime = "python3.13" }  subnet = app  uses orders (read_write) }
    /// ```
    StoreOutsideReach, code = M316, slug = "store-outside-reach", severity = Error,
}

impl Rule for StoreOutsideReach {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for service in &system.services {
            for used in &service.uses {
                let DataStore::Database(id) = used.target else {
                    continue;
                };
                let Some(database) = system.databases.get(id.0) else {
                    continue;
                };
                let Some(database_subnet) = database.subnet else {
                    continue;
                };
                let database_network = database_subnet.value.network;
                let outside = match service.subnet {
                    None => Outside::NoSubnet,
                    Some(subnet) if subnet.value.network != database_network => {
                        Outside::OtherNetwork {
                            network: network_name(system, subnet.value.network),
                            span: subnet.span,
                        }
                    }
                    Some(_) => continue,
                };
                out.push(diagnostic(
                    &service.name.text,
                    &database.name.text,
                    network_name(system, database_network),
                    used.span,
                    &outside,
                    private_subnet(system, database_network),
                ));
            }
        }
    }
}
