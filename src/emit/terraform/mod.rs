//! The Terraform backend: HCL for the hashicorp/aws provider (~> 6.0),
//! in files grouped by concern under `out/terraform/`.
//!
//! Every resource is built with hcl-rs's builders (`writer`); `layout`
//! writes the blocks in one pass, laid out as `terraform fmt` lays them
//! out. The backend reads the
//! model, the network plan and the IAM plan; it derives nothing.

mod alarms;
mod data;
mod iam;
mod infra;
mod layout;
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
use writer::TfFile;

/// Builds one file of the configuration.
type BuildFile = fn(&Context<'_>) -> TfFile;

/// The file of outputs, built last: it names resources of every other file.
const OUTPUTS: &str = "outputs.tf";

/// Every file the Terraform backend can write, in the order they are
/// built, with the function that builds each. A file with no block is not
/// written.
const FILES: [(&str, BuildFile); 20] = [
    ("versions.tf", settings::versions),
    ("variables.tf", settings::variables),
    ("encryption.tf", settings::encryption),
    ("network.tf", network::network),
    ("endpoints.tf", network::endpoints),
    ("security_groups.tf", security::security_groups),
    ("nacls.tf", security::nacls),
    ("iam.tf", iam::roles),
    ("services.tf", services::services),
    ("functions.tf", services::functions),
    ("load_balancers.tf", load_balancers::load_balancers),
    ("events.tf", messaging::events),
    ("queues.tf", messaging::queues),
    ("topics.tf", messaging::topics),
    ("streams.tf", messaging::streams),
    ("data.tf", data::data_stores),
    ("sagas.tf", sagas::sagas),
    ("alarms.tf", alarms::alarms),
    ("privatelink.tf", privatelink::private_links),
    (OUTPUTS, settings::outputs),
];

/// Whether `name` is the name of a file this backend can write.
pub fn is_file_name(name: &str) -> bool {
    FILES.iter().any(|(file_name, _)| *file_name == name)
}

/// Why the Terraform backend would refuse the system (a physical name that
/// could not be made to fit AWS's rules), found without rendering a file:
/// each file's blocks are built and dropped.
pub fn check(system: &System, graph: &Graph) -> Vec<crate::diagnostics::Diagnostic> {
    let context = Context::measuring(system, graph);
    for (_, build) in &FILES {
        drop(build(&context));
    }
    context.diagnostics()
}

/// The Terraform files of a system, by file name; or, when a physical name
/// could not be made to fit AWS's rules, why.
pub fn emit(
    system: &System,
    graph: &Graph,
) -> Result<BTreeMap<String, String>, Vec<crate::diagnostics::Diagnostic>> {
    let context = Context::new(system, graph);
    // Each file is built, written and dropped before the next is built, so
    // that the blocks of one file at most are held at a time.
    let mut emitted: Vec<(String, String)> = Vec::new();
    let mut files = BTreeMap::new();
    for (name, build) in &FILES {
        let mut file = build(&context);
        if *name == OUTPUTS {
            settings::extension_outputs(&mut file, &emitted);
        }
        emitted.append(&mut file.take_resources());
        if !file.is_empty() {
            files.insert((*name).to_string(), file.render());
        }
    }
    let problems = context.diagnostics();
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_outputs_are_built_after_every_resource() {
        assert_eq!(
            super::FILES.last().map(|(name, _)| *name),
            Some(super::OUTPUTS)
        );
    }
}
