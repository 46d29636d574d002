//! The Terraform backend: HCL for the hashicorp/aws provider (~> 6.0),
//! in files grouped by concern under `out/terraform/`.
//!
//! Every resource is built with hcl-rs; the layout pass in `hcl.rs` makes
//! the text what `terraform fmt` would make it. The backend reads the
//! model, the network plan and the IAM plan; it derives nothing.

mod data;
mod iam;
mod load_balancers;
mod messaging;
mod network;
mod privatelink;
mod references;
mod sagas;
mod security;
mod services;
mod settings;
mod writer;

use std::collections::BTreeMap;

use crate::graph::Graph;
use crate::model::System;

pub(crate) use crate::emit::Context;

/// The Terraform files of a system, by file name; or, when a physical name
/// could not be made to fit AWS's rules, why.
pub fn emit(
    system: &System,
    graph: &Graph,
) -> Result<BTreeMap<String, String>, Vec<crate::diagnostics::Diagnostic>> {
    let context = Context::new(system, graph);
    let mut files = BTreeMap::new();
    let parts = [
        ("versions.tf", settings::versions(&context)),
        ("variables.tf", settings::variables(&context)),
        ("encryption.tf", settings::encryption(&context)),
        ("network.tf", network::network(&context)),
        ("endpoints.tf", network::endpoints(&context)),
        ("security_groups.tf", security::security_groups(&context)),
        ("nacls.tf", security::nacls(&context)),
        ("iam.tf", iam::roles(&context)),
        ("services.tf", services::services(&context)),
        ("functions.tf", services::functions(&context)),
        (
            "load_balancers.tf",
            load_balancers::load_balancers(&context),
        ),
        ("events.tf", messaging::events(&context)),
        ("queues.tf", messaging::queues(&context)),
        ("topics.tf", messaging::topics(&context)),
        ("streams.tf", messaging::streams(&context)),
        ("data.tf", data::data_stores(&context)),
        ("sagas.tf", sagas::sagas(&context)),
        ("privatelink.tf", privatelink::private_links(&context)),
        ("outputs.tf", settings::outputs(&context)),
    ];
    for (name, file) in parts {
        if !file.is_empty() {
            files.insert(name.to_string(), file.render());
        }
    }
    let problems = context.name_diagnostics();
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}
