//! The pest parser over `grammar/mesh.pest`, driven one declaration at a
//! time so that an error in one declaration does not hide the errors of the
//! others, and a declaration nested too deep is skipped before it is parsed
//! or lowered.

use pest::Parser as _;
use pest_derive::Parser;

use super::ast;
use super::depth;
use super::lower::Lowerer;
use super::recover;
use crate::check::syntax::nesting_too_deep;
use crate::diagnostics::{Diagnostic, Span};

#[derive(Parser)]
#[grammar = "../grammar/mesh.pest"]
pub(super) struct MeshParser;

pub(super) fn parse_file(source: &str, diagnostics: &mut Vec<Diagnostic>) -> ast::File {
    // Collect the literal tokens tried at the failure point, so that errors
    // can say "expected `}`" and not only name grammar rules. It is a
    // process-wide switch; meshc only ever turns it on.
    pest::set_error_detail(true);

    let mut declarations = Vec::new();
    let mut comments = Vec::new();
    let mut unparsed = Vec::new();
    let mut offset = 0;
    while offset <= source.len() {
        let Some(rest) = source.get(offset..) else {
            break;
        };
        if let Some(too_deep) = depth::too_deep_text(source, offset) {
            let opening = source
                .get(too_deep.open.start()..too_deep.open.end())
                .unwrap_or("{");
            diagnostics.push(nesting_too_deep::diagnostic(too_deep.open, opening));
            if let Some(header) = recover::header(source, offset) {
                unparsed.push(header);
            }
            match too_deep.resume {
                Some(next) if next > offset => {
                    offset = next;
                    continue;
                }
                _ => break,
            }
        }
        match MeshParser::parse(Rule::next_declaration, rest) {
            Ok(pairs) => {
                // The scan above reads `1//x` as a comment where pest may
                // read a malformed literal and go on: measure what pest
                // parsed before lowering it.
                if let Some(position) = depth::too_deep_tree(&pairs) {
                    let start = offset + position;
                    let opening = source.get(start..=start).unwrap_or("{");
                    diagnostics.push(nesting_too_deep::diagnostic(
                        Span::new(start, start + opening.len()),
                        opening,
                    ));
                    if let Some(header) = recover::header(source, offset) {
                        unparsed.push(header);
                    }
                    let consumed = pairs.map(|pair| pair.as_span().end()).max().unwrap_or(0);
                    if consumed == 0 {
                        break;
                    }
                    offset += consumed;
                    continue;
                }
                let mut consumed = 0;
                let mut reached_end = false;
                let comment_spans: Vec<(usize, usize)> = pairs
                    .clone()
                    .flatten()
                    .filter(|pair| pair.as_rule() == Rule::COMMENT)
                    .map(|pair| (pair.as_span().start(), pair.as_span().end()))
                    .collect();
                let mut lowerer = Lowerer::new(offset, rest, comment_spans, diagnostics);
                for pair in pairs {
                    consumed = consumed.max(pair.as_span().end());
                    for inner in pair.clone().into_inner().flatten() {
                        if inner.as_rule() == Rule::COMMENT {
                            comments.push(lowerer.comment(&inner));
                        }
                    }
                    for inner in pair.into_inner() {
                        match inner.as_rule() {
                            Rule::declaration => {
                                if let Some(declaration) = lowerer.declaration(inner) {
                                    declarations.push(declaration);
                                }
                            }
                            Rule::EOI => reached_end = true,
                            _ => {}
                        }
                    }
                }
                if reached_end || consumed == 0 {
                    break;
                }
                offset += consumed;
            }
            Err(error) => {
                let failure = recover::Failure::from_pest(source, offset, &error);
                diagnostics.push(failure.diagnostic());
                if let Some(header) = recover::header(source, offset) {
                    unparsed.push(header);
                }
                match recover::resume_point(source, offset, failure.resume_from()) {
                    Some(next) => offset = next,
                    None => break,
                }
            }
        }
    }
    comments.sort_by_key(|comment: &ast::Comment| comment.span.start);
    comments.dedup_by_key(|comment| comment.span.start);
    ast::File {
        declarations,
        comments,
        unparsed,
    }
}
