//! The comments both backends write on resources, worded once: each
//! backend joins the lines as its format allows (a Terraform comment keeps
//! them, a CloudFormation `Metadata` note is one paragraph).

use crate::graph::network::LoadBalancer;
use crate::model::{Database, Nacl, System};

/// The comment on a database: its documentation (or its name), then where
/// its password lives.
pub fn database(database: &Database) -> Vec<String> {
    let mut lines = if database.doc.is_empty() {
        vec![format!("The database {}.", database.name.text)]
    } else {
        database.doc.clone()
    };
    lines.push(
        "Its master password lives in Secrets Manager, rotated by RDS; services connect over TLS"
            .to_string(),
    );
    lines.push("with the secret or with IAM authentication.".to_string());
    lines
}

/// The comment on a load balancer: which network it is in, whether it
/// faces the internet, and what it serves.
pub fn load_balancer(system: &System, balancer: &LoadBalancer) -> String {
    let served =
        super::names::services(system, balancer.targets.iter().map(|target| target.service));
    format!(
        "The {} load balancer of network {}, in front of {}.",
        if balancer.public {
            "internet-facing"
        } else {
            "internal"
        },
        super::names::network(system, balancer.network),
        served.join(", ")
    )
}

/// The comment on a subnet group's NACL, and why its entries that checkov
/// flags for a port open from anywhere are acceptable: as its declared
/// `nacl` says, or exactly what the flows need.
pub fn nacl(declared: Option<&Nacl>) -> (String, String) {
    match declared {
        Some(declared) => (
            format!(
                "As declared in `nacl {}`, which allows every flow of the subnets.",
                declared.name.text
            ),
            format!(
                "declared in nacl {}, which meshc checks against the flows of the system; the stateful security groups admit no inbound connections on this port",
                declared.name.text
            ),
        ),
        None => (
            "Exactly the requests and replies of the flows that enter or leave these subnets."
                .to_string(),
            super::firewall::EPHEMERAL_FROM_ANYWHERE.to_string(),
        ),
    }
}
