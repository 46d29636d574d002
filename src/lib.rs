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
//! - [`check`](mod@check) holds every diagnostic code, one file each, with the wording
//!   of its diagnostic and the explanation `meshc explain` prints. The AWS
//!   quota checks (M240–M249) measure the text the backends would write,
//!   rendered by `emit::deployed` from the same plans, against the table of
//!   [`model::aws_quotas`].
//! - [`fmt`] prints the AST of a file back in the canonical layout, with
//!   every comment in its place.
//! - [`emit`] translates the system and its graph, deciding nothing: the
//!   Terraform, CloudFormation and Step Functions files of `meshc build`,
//!   and the Mermaid and DOT pictures of `meshc graph`. Its neutral
//!   infrastructure model (`emit::infra`) builds a concern's AWS resources
//!   once (the messaging, the sagas, the alarms, the logs, the security
//!   groups and NACLs, IAM, the KMS key, secrets and parameters); the
//!   Terraform and CloudFormation backends only spell them. The other
//!   concerns (network, load balancers, services, tables, databases,
//!   buckets) move there one at a time.
//! - [`cost`] prices what the backends emit, from an embedded, dated price
//!   catalog and the `usage` declared on components and relations; the M6xx
//!   checks read its estimate.
//! - [`vocabulary`] holds the closed sets of words every stage reads (a
//!   filter's operators; a network rule's action, direction and protocol),
//!   so that the model keeps no type of the AST.
//! - [`diagnostics`] carries findings and renders them for people (miette),
//!   and for machines (JSON, SARIF 2.1.0).
//! - [`cli`] is the command line: the only module that touches files.
//!
//! # Invariants
//!
//! **Invariant:** only `syntax` names pest; no later stage sees a pest pair.
//!
//! **Invariant:** `check` and `emit` read `System` (and the graph derived from
//! it), never the AST; the model keeps no type of the AST (the words both
//! share are the [`vocabulary`]'s). `tests/tidy.rs` holds every stage after
//! the model to it, the suppressions read from the tree's comments aside.
//!
//! **Invariant:** only `cli` does IO. [`compile`] returns files in memory,
//! as a `BTreeMap` from relative path to contents; `cli::output` writes them
//! into the output directory, replacing only the files meshc wrote there
//! before (its manifest says which), through a journal, so that a failed or
//! killed build never leaves a half-written output and never touches a file
//! of the user's. What a build holds is its analysis and the text of its
//! files: the Terraform backend writes each block as text as soon as the
//! next one is built (`emit::terraform::layout`, one pass, laid out as
//! `terraform fmt` lays it out, nothing printed to be parsed again), so that
//! one block's tree at most is alive at a time.
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
//! and `panic!` are denied outside tests. An inconsistency meshc finds in
//! its own model while writing (an id that names nothing) is an internal
//! error diagnostic (M001) and no file, never a silent placeholder (the
//! empty-name fallbacks left in the concerns each backend still builds go
//! as they move to `emit::infra`).
//!
//! **Invariant:** every AWS name is formed once, by `emit::names`, from
//! parts whose declaration part is fitted to its kind's row of
//! [`model::aws_names`] for the longest prefix a deployment may choose; a
//! backend writes the parts in its own syntax and never formats a name.

pub mod check;
pub mod cli;
pub mod cost;
pub mod diagnostics;
pub mod emit;
pub mod fmt;
pub mod graph;
pub mod model;
pub mod simulate;
pub mod suggest;
pub mod syntax;
pub mod vocabulary;

use std::collections::BTreeMap;

use diagnostics::{Diagnostic, SourceFile};

/// Everything meshc knows about one source file after checking it.
#[derive(Debug)]
pub struct Analysis {
    pub syntax: syntax::ast::File,
    /// The resolved system; `None` when the file could not be resolved.
    pub system: Option<model::System>,
    /// The system graph and what is derived from it; `None` without a
    /// system.
    pub graph: Option<graph::Graph>,
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Whether an unsuppressed error was found.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|diagnostic| diagnostic.is_error() && diagnostic.suppression.is_none())
    }
}

/// Parses and resolves a source text and, when it resolved cleanly, builds
/// its graph and runs every check over it. Suppressions in the source are
/// applied to the findings.
pub fn analyze(source: &str) -> Analysis {
    analyze_keeping(source, true)
}

/// [`analyze`]; without `keep_syntax`, the tree is dropped as soon as the
/// system is resolved (and `Analysis::syntax` is empty), so that a large
/// file's tree and its system are not held together.
fn analyze_keeping(source: &str, keep_syntax: bool) -> Analysis {
    let mut diagnostics = Vec::new();
    let mut syntax = syntax::parse(source, &mut diagnostics);
    let system = model::resolve(&syntax, &mut diagnostics);
    let suppressions = check::Suppressions::read(source, &syntax);
    if !keep_syntax {
        syntax = syntax::ast::File::default();
    }
    let resolved = !diagnostics.iter().any(Diagnostic::is_error);
    let (system, graph) = if resolved {
        let graph = graph::build(&system);
        check::run(&system, &graph, &mut diagnostics);
        (Some(system), Some(graph))
    } else {
        (None, None)
    };
    suppressions.apply(&mut diagnostics);
    diagnostics::sort(&mut diagnostics);
    Analysis {
        syntax,
        system,
        graph,
        diagnostics,
    }
}

/// Which infrastructure backend `compile` translates to. The Step
/// Functions definitions are written for either.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    Terraform,
    CloudFormation,
    /// Both backends, from the same model and graph.
    #[default]
    All,
}

impl Target {
    pub fn terraform(self) -> bool {
        matches!(self, Target::Terraform | Target::All)
    }

    pub fn cloudformation(self) -> bool {
        matches!(self, Target::CloudFormation | Target::All)
    }
}

/// What `compile` should produce.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub target: Target,
}

/// The result of a build: the files to write (relative path → contents) and
/// the diagnostics. `files` is empty whenever a diagnostic is an error.
#[derive(Debug)]
pub struct Output {
    pub files: BTreeMap<String, String>,
    pub diagnostics: Vec<Diagnostic>,
    /// The name of the system, once it resolved.
    pub system_name: Option<String>,
}

/// The diagnostics [`compile`] reports for a source file, found without
/// producing its files (`meshc check`): the backends build each resource
/// to find what their targets would refuse, measure it and drop it, so
/// that the memory a check takes does not grow with the size of the
/// output.
pub fn check(source: &SourceFile, options: &Options) -> Vec<Diagnostic> {
    let Analysis {
        system,
        graph,
        mut diagnostics,
        ..
    } = analyze_keeping(&source.text, false);
    let clean = !diagnostics
        .iter()
        .any(|diagnostic| diagnostic.is_error() && diagnostic.suppression.is_none());
    if let (Some(system), Some(graph), true) = (&system, &graph, clean) {
        let problems = emit::check(system, graph, options.target);
        if !problems.is_empty() {
            diagnostics.extend(problems);
            diagnostics::sort(&mut diagnostics);
        }
    }
    diagnostics
}

/// Checks a source file and, when it has no errors, translates it into the
/// files of the chosen backends. A backend that finds the system beyond
/// what its target accepts (a CloudFormation stack's limits) reports it as
/// an error diagnostic, and then no file is produced.
pub fn compile(source: &SourceFile, options: &Options) -> Output {
    let mut analysis = analyze(&source.text);
    let files = match (&analysis.system, &analysis.graph) {
        (Some(system), Some(graph)) if !analysis.has_errors() => {
            match emit::emit(system, graph, options.target) {
                Ok(files) => files,
                Err(problems) => {
                    analysis.diagnostics.extend(problems);
                    diagnostics::sort(&mut analysis.diagnostics);
                    BTreeMap::new()
                }
            }
        }
        _ => BTreeMap::new(),
    };
    let files = if analysis.has_errors() {
        BTreeMap::new()
    } else {
        files
    };
    Output {
        files,
        diagnostics: analysis.diagnostics,
        system_name: analysis.system.map(|system| system.name.text),
    }
}
