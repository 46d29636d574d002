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
//!
//! Before parsing, `decode` turns a file's bytes into text: a file that is
//! not UTF-8 gets one located diagnostic (M111). A UTF-8 byte order mark
//! at the start of the text is skipped by the parser, so spans stay those
//! of the file.

pub mod ast;
mod depth;
pub mod dump;
mod lower;
mod parser;
mod recover;

use crate::check::syntax::invalid_encoding;
use crate::diagnostics::{Diagnostic, Span};

pub use depth::MAX_NESTING;

/// The byte order mark some editors write at the start of a UTF-8 file.
pub const BYTE_ORDER_MARK: char = '\u{feff}';

/// The bytes of a source file as text. A file that is not UTF-8 is
/// reported (M111) at its first byte that does not start a UTF-8
/// character, and decoded with U+FFFD in place of each such sequence, so
/// that the report can show the line; nothing else in it should be
/// checked. (A UTF-8 byte order mark is kept: `parse` skips it.)
pub fn decode(bytes: Vec<u8>) -> (String, Option<Diagnostic>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => {
            let utf8 = error.utf8_error();
            let offset = utf8.valid_up_to();
            let bytes = error.as_bytes();
            let length = utf8
                .error_len()
                .unwrap_or_else(|| bytes.len().saturating_sub(offset));
            let invalid = bytes.get(offset..offset + length).unwrap_or_default();
            let text = String::from_utf8_lossy(bytes).into_owned();
            let span = Span::new(offset, offset + char::REPLACEMENT_CHARACTER.len_utf8());
            let problem = invalid_encoding::diagnostic(span, offset, invalid);
            (text, Some(problem))
        }
    }
}

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
