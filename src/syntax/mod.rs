//! Stage 1, syntax: source text → typed AST (`ast::File`) with a byte span
//! on every node, plus the M1xx diagnostics of everything the grammar could
//! not read.
//!
//! The grammar is `grammar/mesh.pest`. The file is parsed one declaration at
//! a time: after an error the parser reports it and resumes at the next line
//! that starts a declaration, so that one run reports every syntax error of a
//! file. A declaration that nests deeper than `MAX_NESTING` is reported and
//! skipped before pest reads it, so that no stage recurses deeper. This is
//! the only module that names pest; nothing after it sees a pest pair.

pub mod ast;
mod depth;
pub mod dump;
mod lower;
mod parser;
mod recover;

use crate::diagnostics::Diagnostic;

pub use depth::MAX_NESTING;

/// Parses a whole file. Declarations that could not be parsed are left out of
/// the tree and reported in `diagnostics`.
pub fn parse(source: &str, diagnostics: &mut Vec<Diagnostic>) -> ast::File {
    parser::parse_file(source, diagnostics)
}

/// The declaration keywords, for did-you-mean suggestions elsewhere.
pub fn declaration_keywords() -> Vec<&'static str> {
    ast::DeclKind::ALL
        .iter()
        .map(|kind| kind.keyword())
        .collect()
}
