//! The nesting limit: how deep `{ }`, `[ ]` and `/* */` may nest.
//!
//! pest's parser, the lowering into the AST and every stage after it (the
//! model, the formatter, the JSON Schema of events, Terraform's writer)
//! recurse once or more per level of brackets, on a thread's fixed stack.
//! So the depth is bounded before any of them runs: before pest parses a
//! declaration, a linear scan over its text — strings and comments
//! respected as the grammar reads them — finds the bracket that opens one
//! level too many; the declaration is then skipped whole, with one M110,
//! and parsing resumes after it. As the scan reads `//` as a comment even
//! where pest reads it as part of a malformed literal (`1//x`), the tree
//! pest returns is measured again, exactly, before it is lowered
//! (`too_deep_tree`); and a parse that runs out of stack inside pest is
//! reported as M110 too.

use pest::Token;
use pest::iterators::Pairs;

use super::parser::Rule;
use crate::diagnostics::Span;

/// How deep `{ }`, `[ ]` and block comments may nest, counted together: a
/// declaration's own `{` is level 1. Real systems nest 6 to 10 levels deep
/// (`event { schema { items: [{ ... }] } }` is 4); at this depth every stage
/// runs within a fraction of a thread's stack, in debug and release builds.
pub const MAX_NESTING: usize = 64;

/// A declaration that nests deeper than `MAX_NESTING`.
#[derive(Debug)]
pub(super) struct TooDeep {
    /// The bracket or `/*` that opens level `MAX_NESTING + 1` (absolute).
    pub(super) open: Span,
    /// Where the outermost bracket (or comment) that holds it is closed,
    /// just after it (absolute); `None` when it never is.
    pub(super) resume: Option<usize>,
}

/// Scans what pest would parse next from `offset`: the trivia, then one
/// declaration, up to the bracket that closes its first `{`. Reports the
/// first opening that goes deeper than `MAX_NESTING`.
pub(super) fn too_deep_text(source: &str, offset: usize) -> Option<TooDeep> {
    let bytes = source.as_bytes();
    let mut index = offset;
    // Brackets and block comments open, together.
    let mut depth = 0usize;
    // Of which block comments (the innermost levels, while in a comment).
    let mut comment_depth = 0usize;
    let mut opened_a_bracket = false;
    let mut crossing: Option<Span> = None;
    while let Some(&byte) = bytes.get(index) {
        let next = bytes.get(index + 1).copied();
        if comment_depth > 0 {
            match (byte, next) {
                (b'/', Some(b'*')) => {
                    open(&mut depth, index, 2, &mut crossing);
                    comment_depth += 1;
                    index += 2;
                }
                (b'*', Some(b'/')) => {
                    depth = depth.saturating_sub(1);
                    comment_depth -= 1;
                    index += 2;
                    if depth == 0 && crossing.is_some() {
                        return crossing.map(|open| TooDeep {
                            open,
                            resume: Some(index),
                        });
                    }
                }
                _ => index += 1,
            }
            continue;
        }
        match (byte, next) {
            (b'"', _) => index = string_end(bytes, index + 1),
            // A line or doc comment ends where the grammar's NEWLINE does,
            // at `\n` or `\r`.
            (b'/', Some(b'/')) => {
                while bytes
                    .get(index)
                    .is_some_and(|&byte| byte != b'\n' && byte != b'\r')
                {
                    index += 1;
                }
            }
            (b'/', Some(b'*')) => {
                open(&mut depth, index, 2, &mut crossing);
                comment_depth = 1;
                index += 2;
            }
            (b'{' | b'[', _) => {
                open(&mut depth, index, 1, &mut crossing);
                opened_a_bracket = true;
                index += 1;
            }
            (b'}' | b']', _) => {
                depth = depth.saturating_sub(1);
                index += 1;
                if depth == 0 && opened_a_bracket {
                    // The end of the declaration pest parses from `offset`.
                    return crossing.map(|open| TooDeep {
                        open,
                        resume: Some(index),
                    });
                }
            }
            _ => index += 1,
        }
    }
    crossing.map(|open| TooDeep { open, resume: None })
}

/// One more level, opened by the `width` bytes at `at`: the first that goes
/// deeper than `MAX_NESTING` is kept.
fn open(depth: &mut usize, at: usize, width: usize, crossing: &mut Option<Span>) {
    *depth += 1;
    if *depth > MAX_NESTING && crossing.is_none() {
        *crossing = Some(Span::new(at, at + width));
    }
}

/// The index just after the string whose body starts at `index`: after its
/// closing `"`, or at the line break or end of input where the grammar
/// gives up on it.
fn string_end(bytes: &[u8], mut index: usize) -> usize {
    loop {
        match bytes.get(index) {
            Some(b'"') => return index + 1,
            Some(b'\n' | b'\r') | None => return index,
            Some(b'\\') if !matches!(bytes.get(index + 1), Some(b'\n' | b'\r') | None) => {
                index += 2;
            }
            Some(_) => index += 1,
        }
    }
}

/// The rules that open a bracket: each pair of one of them is one level.
fn opens_a_level(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::system
            | Rule::network
            | Rule::service
            | Rule::event
            | Rule::bus
            | Rule::rule_decl
            | Rule::queue
            | Rule::topic
            | Rule::stream
            | Rule::table
            | Rule::database
            | Rule::saga
            | Rule::firewall
            | Rule::nacl
            | Rule::block_body
            | Rule::schema_block
            | Rule::target_list
            | Rule::list_type
            | Rule::object_type
            | Rule::list
            | Rule::object
    )
}

/// Where the first pair of what pest parsed that goes deeper than
/// `MAX_NESTING` starts, relative to the parsed slice: its opening bracket,
/// as only the declarations (level 1) and `schema` (level 2) start before
/// theirs. A walk over pest's flat token list, so that it never recurses
/// itself.
pub(super) fn too_deep_tree(pairs: &Pairs<'_, Rule>) -> Option<usize> {
    let mut depth = 0usize;
    for token in pairs.clone().tokens() {
        match token {
            Token::Start { rule, pos } if opens_a_level(rule) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(pos.pos());
                }
            }
            Token::End { rule, .. } if opens_a_level(rule) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}
