//! Stage 5, emit: `System` and `Graph` → the files of each target. A
//! backend translates what the model and the graph say; it decides nothing
//! that another backend would have to decide again.

pub mod asl;
pub mod json_schema;
pub mod names;
pub mod picture;
pub mod terraform;

use std::collections::BTreeMap;

use crate::graph::Graph;
use crate::model::System;

/// Every file of every backend, by path relative to the output directory.
pub fn emit(system: &System, graph: &Graph) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for (path, contents) in terraform::emit(system, graph) {
        files.insert(format!("terraform/{path}"), contents);
    }
    for (path, contents) in asl::emit(system) {
        files.insert(path, contents);
    }
    files
}
