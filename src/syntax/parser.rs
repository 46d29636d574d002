//! The pest parser over `grammar/mesh.pest`, driven one declaration at a
//! time so that an error in one declaration does not hide the errors of the
//! others, and a declaration nested too deep is skipped before it is parsed
//! or lowered.

use pest::Parser as _;
use pest::error::Error as PestError;
use pest::iterators::Pairs;
use pest_derive::Parser;

use super::BYTE_ORDER_MARK;
use super::ast;
use super::depth;
use super::lower::Lowerer;
use super::recover;
use crate::check::syntax::nesting_too_deep;
use crate::diagnostics::{Diagnostic, Span};

#[derive(Parser)]
#[grammar = "../grammar/mesh.pest"]
pub(super) struct MeshParser;

/// Serialises the parses that collect error detail: pest's switch for it
/// is process-wide, and read when a parse starts.
static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Parses one declaration (or the end of the input) from the start of
/// `rest`. pest is run without collecting the tokens it tried, which makes
/// it about twice as fast; a declaration that does not parse is parsed
/// again with them, so that its error can say "expected `}`" and not only
/// name grammar rules. Collecting them changes what pest reports, never
/// what it parses.
fn parse_declaration(rest: &str) -> Result<Pairs<'_, Rule>, PestError<Rule>> {
    MeshParser::parse(Rule::next_declaration, rest).map_err(|plain| {
        let _detail = DETAIL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pest::set_error_detail(true);
        let detailed = MeshParser::parse(Rule::next_declaration, rest);
        pest::set_error_detail(false);
        // The second parse fails as the first did; its error only says more.
        detailed.err().unwrap_or(plain)
    })
}

pub(super) fn parse_file(source: &str, diagnostics: &mut Vec<Diagnostic>) -> ast::File {
    let mut declarations = Vec::new();
    let mut comments = Vec::new();
    let mut unparsed = Vec::new();
    // A UTF-8 byte order mark is not part of the text.
    let mut offset = if source.starts_with(BYTE_ORDER_MARK) {
        BYTE_ORDER_MARK.len_utf8()
    } else {
        0
    };
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
        match parse_declaration(rest) {
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
