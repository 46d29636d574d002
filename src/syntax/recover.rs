//! Error recovery: turns a pest failure into the most specific M1xx
//! diagnostic, and finds where parsing can resume.
//!
//! pest stops at the first error. To report every error of a file, the
//! parser parses one declaration at a time; after a failure it resumes at the
//! next line that starts a declaration (`service x {`, or the `///` doc
//! comment above one). Before reporting "expected X, found Y" it looks at the
//! text for the usual culprits — an unterminated string or comment, a block
//! left open — and reports those instead, at the place where they start.

use pest::error::{Error as PestError, ErrorVariant, InputLocation};

use super::ast::{DeclKind, Ident};
use super::parser::Rule;
use crate::check::syntax::{
    nesting_too_deep, syntax_error, syntax_error::Hint, unclosed_block, unknown_declaration_kind,
    unterminated_comment, unterminated_string,
};
use crate::diagnostics::{Diagnostic, Span};
use crate::suggest;

/// The message of the error pest returns when its parser runs out of stack
/// (pest checks the stack left before it enters a rule).
const STACK_LIMIT: &str = "stack limit reached";

/// What went wrong, located in the whole file.
#[derive(Debug)]
pub(super) struct Failure {
    /// Absolute byte offset at which the grammar gave up.
    pub(super) position: usize,
    kind: FailureKind,
}

#[derive(Debug)]
enum FailureKind {
    /// pest ran out of stack: the input nests deeper than `MAX_NESTING`
    /// in a way the scan before parsing did not see.
    TooDeep(Span),
    UnterminatedString(Span),
    UnterminatedComment(Span),
    UnknownDeclarationKind {
        word: String,
        span: Span,
        suggestion: Option<&'static str>,
    },
    UnclosedBlock {
        open: Span,
        found: String,
        found_span: Span,
    },
    Unexpected {
        found: String,
        found_span: Span,
        expected: Vec<String>,
        hint: Option<Hint>,
    },
}

impl Failure {
    pub(super) fn from_pest(source: &str, offset: usize, error: &PestError<Rule>) -> Failure {
        let relative = match error.location {
            InputLocation::Pos(position) => position,
            InputLocation::Span((start, _)) => start,
        };
        let position = (offset + relative).min(source.len());
        if let ErrorVariant::CustomError { message } = &error.variant {
            if message == STACK_LIMIT {
                return Failure {
                    position,
                    kind: FailureKind::TooDeep(token_at(source, position).1),
                };
            }
        }
        let positives: Vec<Rule> = match &error.variant {
            ErrorVariant::ParsingError { positives, .. } => positives.clone(),
            ErrorVariant::CustomError { .. } => Vec::new(),
        };
        let tokens: Vec<String> = error
            .parse_attempts()
            .map(|attempts| {
                attempts
                    .expected_tokens()
                    .into_iter()
                    .map(|token| token.to_string())
                    .collect()
            })
            .unwrap_or_default();
        let kind = classify(source, offset, position, &positives, &tokens);
        Failure { position, kind }
    }

    /// Where to look for the next declaration: after the failure, or, for a
    /// block left open, after its opening brace — the declarations that
    /// follow were swallowed into the open block, and can still be read.
    pub(super) fn resume_from(&self) -> usize {
        match &self.kind {
            FailureKind::UnclosedBlock { open, .. } => open.end(),
            _ => self.position,
        }
    }

    pub(super) fn diagnostic(&self) -> Diagnostic {
        match &self.kind {
            FailureKind::TooDeep(span) => nesting_too_deep::deeper_than_the_parser_goes(*span),
            FailureKind::UnterminatedString(span) => unterminated_string::diagnostic(*span),
            FailureKind::UnterminatedComment(span) => unterminated_comment::diagnostic(*span),
            FailureKind::UnknownDeclarationKind {
                word,
                span,
                suggestion,
            } => unknown_declaration_kind::diagnostic(word, *span, *suggestion),
            FailureKind::UnclosedBlock {
                open,
                found,
                found_span,
            } => unclosed_block::diagnostic(*open, found, *found_span),
            FailureKind::Unexpected {
                found,
                found_span,
                expected,
                hint,
            } => syntax_error::diagnostic(found, *found_span, expected, hint.clone()),
        }
    }
}

fn classify(
    source: &str,
    offset: usize,
    position: usize,
    positives: &[Rule],
    tokens: &[String],
) -> FailureKind {
    let scan = Scan::run(source, offset, position);
    if let Some(span) = scan.open_string {
        return FailureKind::UnterminatedString(span);
    }
    if let Some(span) = unterminated_string_at(source, position) {
        return FailureKind::UnterminatedString(span);
    }
    let (mut found, mut found_span) = token_at(source, position);
    if source
        .get(position..)
        .is_some_and(|rest| rest.starts_with("/*"))
    {
        return FailureKind::UnterminatedComment(Span::new(position, position + 2));
    }

    let expects_declaration = positives.iter().any(|rule| {
        matches!(
            rule,
            Rule::next_declaration | Rule::declaration | Rule::kw_system
        )
    }) && scan.open_braces.is_empty();
    if expects_declaration && position == first_token(source, offset) {
        if let Some(word) = word_at(source, position) {
            return FailureKind::UnknownDeclarationKind {
                word: word.to_string(),
                span: Span::new(position, position + word.len()),
                suggestion: meant_keyword(word),
            };
        }
    }

    let expects_close = tokens.iter().any(|token| token == "}") || positives.is_empty();
    if let Some(&open) = scan.open_braces.last() {
        let at_end = position >= source.len();
        // A failure on the failing declaration's own first line (a
        // declaration written on one line) is no sign of an unclosed block.
        let own_line = !source
            .get(first_token(source, offset)..position)
            .is_some_and(|between| between.contains('\n'));
        if expects_close && (at_end || (!own_line && starts_declaration_line(source, position))) {
            // The declarations after an open block are swallowed into it, so
            // the parser only fails at the end of the file: point at the
            // first of them if there is one, else at the last character.
            let next_declaration = at_end
                .then(|| resume_point(source, offset, open + 1))
                .flatten()
                .map(|start| first_token(source, start))
                .and_then(|start| {
                    word_at(source, start).map(|word| Span::new(start, start + word.len()))
                });
            let (found, found_span) = match (at_end, next_declaration) {
                (true, Some(span)) => ("the next declaration", span),
                (true, None) => {
                    let last = source.trim_end().len();
                    let start = source
                        .get(..last)
                        .and_then(|text| text.char_indices().last())
                        .map_or(0, |(index, _)| index);
                    ("the end of the file", Span::new(start, last))
                }
                (false, _) => ("the next declaration", found_span),
            };
            return FailureKind::UnclosedBlock {
                open: Span::new(open, open + 1),
                found: found.to_string(),
                found_span,
            };
        }
    }

    if let Some((open, keyword)) = declaration_inside_block(source, offset, position) {
        return FailureKind::UnclosedBlock {
            open,
            found: "the next declaration".to_string(),
            found_span: keyword,
        };
    }

    let mut expected = describe_expected(positives, tokens);
    let hint = if found == "`;`" {
        Some(Hint::Semicolon)
    } else if found == "`,`" && tokens.iter().any(|token| token == "}") {
        Some(Hint::Comma)
    } else if found == "`}`" && expects_declaration {
        expected = vec!["a declaration".to_string()];
        Some(Hint::StrayClosingBrace)
    } else if follows_doc_comment(source, position) {
        Some(Hint::DocCommentWithoutItem)
    } else {
        match member_hint(source, position, tokens, positives) {
            Some(MemberHint::Misspelt {
                keyword,
                word,
                span,
            }) => {
                found = format!("`{word}`");
                found_span = span;
                expected = describe_expected(&[Rule::service_member], &[]);
                Some(Hint::DidYouMean(keyword.to_string()))
            }
            Some(MemberHint::WhereOnAttribute { key, span }) => {
                found = "`where`".to_string();
                found_span = span;
                expected = vec!["the next member".to_string(), "`}`".to_string()];
                Some(Hint::WhereOnAttribute(key))
            }
            Some(MemberHint::MissingEquals { key, value }) => {
                if let Some((word, span)) = value {
                    found = format!("`{word}`");
                    found_span = span;
                }
                expected = vec!["`=`".to_string()];
                Some(Hint::MissingEquals(key))
            }
            Some(MemberHint::TargetsWithoutList {
                keyword,
                targets,
                comma,
            }) => {
                found = "`,`".to_string();
                found_span = comma;
                expected = vec!["a list `[...]` for several targets".to_string()];
                Some(Hint::TargetList(format!("{keyword} [{targets}]")))
            }
            None => None,
        }
    };
    FailureKind::Unexpected {
        found,
        found_span,
        expected,
        hint,
    }
}

/// Friendly names for what the grammar tried at the failure point, words
/// first and punctuation last: "an attribute, a relation (...) or `}`".
fn describe_expected(positives: &[Rule], tokens: &[String]) -> Vec<String> {
    const RELATION: &str = "a relation (`calls`, `publishes`, `consumes` or `uses`)";
    let mut described: Vec<&str> = Vec::new();
    let mut add = |text: &'static str| {
        if !described.contains(&text) {
            described.push(text);
        }
    };
    for rule in positives {
        match rule {
            Rule::next_declaration
            | Rule::declaration
            | Rule::kw_system
            | Rule::kw_network
            | Rule::kw_service
            | Rule::kw_event
            | Rule::kw_bus
            | Rule::kw_rule
            | Rule::kw_queue
            | Rule::kw_topic
            | Rule::kw_stream
            | Rule::kw_table
            | Rule::kw_database
            | Rule::kw_bucket
            | Rule::kw_secret
            | Rule::kw_parameter
            | Rule::kw_saga
            | Rule::kw_firewall
            | Rule::kw_nacl => add("a declaration"),
            Rule::plain_member
            | Rule::network_member
            | Rule::event_member
            | Rule::queue_member
            | Rule::table_member
            | Rule::saga_member
            | Rule::attribute
            | Rule::key
            | Rule::other_block
            | Rule::usage_block
            | Rule::entry
            | Rule::entry_key
            | Rule::kw_subnet
            | Rule::kw_index
            | Rule::kw_step
            | Rule::kw_dlq
            | Rule::kw_usage
            | Rule::kw_schema => add("an attribute"),
            Rule::service_member
            | Rule::kw_calls
            | Rule::kw_publishes
            | Rule::kw_consumes
            | Rule::kw_uses
            | Rule::calls
            | Rule::publishes
            | Rule::consumes
            | Rule::uses => {
                add("an attribute");
                add(RELATION);
            }
            Rule::topic_member | Rule::subscribe | Rule::kw_subscribe => {
                add("an attribute");
                add("`subscribe`");
            }
            Rule::rule_member | Rule::matches | Rule::kw_matches => {
                add("an attribute");
                add("`matches`");
            }
            Rule::firewall_member
            | Rule::net_rule
            | Rule::rule_action
            | Rule::kw_allow
            | Rule::kw_deny => {
                add("a rule such as `allow in tcp 443 from web`");
                add("an attribute");
            }
            Rule::value
            | Rule::list
            | Rule::object
            | Rule::constructor
            | Rule::typed_name
            | Rule::string
            | Rule::boolean
            | Rule::cidr
            | Rule::ip
            | Rule::port_range
            | Rule::money
            | Rule::quantity
            | Rule::number
            | Rule::malformed => add("a value"),
            Rule::name | Rule::path | Rule::targets | Rule::target_list => add("a name"),
            Rule::type_expr | Rule::type_name | Rule::list_type | Rule::object_type => {
                add("a type");
            }
            Rule::field | Rule::field_name => add("a field such as `orderId: string`"),
            Rule::optional_mark => add("`:`"),
            Rule::condition => add("a condition such as `status = \"confirmed\"`"),
            Rule::compare_op | Rule::comparison | Rule::exists_test => add(
                "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`, `starts_with`, `ends_with` or `exists`)",
            ),
            Rule::kw_where | Rule::where_clause => add("`where`"),
            Rule::kw_via | Rule::via_clause => add("`via`"),
            Rule::kw_and => add("`and`"),
            Rule::access => add("an access mode such as `(read)`"),
            Rule::block_body => add("`{`"),
            Rule::direction | Rule::kw_in | Rule::kw_out => add("`in` or `out`"),
            Rule::protocol | Rule::kw_tcp | Rule::kw_udp | Rule::kw_icmp | Rule::kw_all => {
                add("a protocol (`tcp`, `udp`, `icmp` or `all`)");
            }
            Rule::port_spec | Rule::port_number => add("a port"),
            Rule::peer_dir | Rule::kw_from | Rule::kw_to => add("`from` or `to`"),
            Rule::peer | Rule::kw_anywhere => add("a CIDR block, `anywhere` or a component name"),
            Rule::EOI => add("the end of the file"),
            _ => {}
        }
    }
    let opens_a_value = described
        .iter()
        .any(|text| *text == "a value" || *text == "a type");
    let closes_braces = tokens.iter().any(|token| token == "}");
    let closes_list = tokens.iter().any(|token| token == "]");
    let mut punctuation: Vec<String> = tokens
        .iter()
        .filter(|token| {
            matches!(
                token.as_str(),
                "{" | "}" | "[" | "]" | "(" | ")" | "=" | "," | ":" | "|" | "\""
            )
        })
        .filter(|token| !(opens_a_value && matches!(token.as_str(), "\"" | "[" | "{")))
        // The comma a member of a `{ }` may end with is never what is
        // missing; a list's is (`[a b]`).
        .filter(|token| !(token.as_str() == "," && closes_braces && !closes_list))
        .map(|token| format!("`{token}`"))
        .collect();
    punctuation.sort();
    punctuation.dedup();
    let mut expected: Vec<String> = described.into_iter().map(str::to_string).collect();
    for token in punctuation {
        if !expected.contains(&token) {
            expected.push(token);
        }
    }
    expected
}

enum MemberHint {
    /// `cals payment`: the member starts with a word close to a relation.
    Misspelt {
        keyword: &'static str,
        word: String,
        span: Span,
    },
    /// `port 8080`: a key followed by something other than `=`; `value`
    /// is the word after the key when the parser only noticed later.
    MissingEquals {
        key: String,
        value: Option<(String, Span)>,
    },
    /// `timeout = 5m where ...`: a filter after an attribute that takes
    /// none (the parser then reads `where status` as a block header).
    WhereOnAttribute { key: String, span: Span },
    /// `calls a, b`: several targets without brackets (the comma is read
    /// as the end of the relation, and `b` as the start of a member).
    TargetsWithoutList {
        keyword: &'static str,
        targets: String,
        comma: Span,
    },
}

/// Looks at the member the failure is in — the text since the last `{` or
/// line break — for a misspelt relation keyword or a missing `=`.
fn member_hint(
    source: &str,
    position: usize,
    tokens: &[String],
    positives: &[Rule],
) -> Option<MemberHint> {
    const RELATIONS: [&str; 6] = [
        "calls",
        "publishes",
        "consumes",
        "uses",
        "subscribe",
        "matches",
    ];
    let before = source.get(..position)?.trim_end();
    let member_start = before.rfind(['\n', '{']).map_or(0, |index| index + 1);
    let member = before.get(member_start..)?;
    // A trailing `//` comment is not part of the member.
    let member = member
        .find("//")
        .map_or(member, |comment| member.get(..comment).unwrap_or(member));
    let words: Vec<&str> = member.split_whitespace().collect();
    let first = *words.first()?;
    let is_word = |word: &str| {
        word.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
    };
    if !is_word(first) {
        return None;
    }
    if let [key, "=", _, rest @ ..] = words.as_slice() {
        if rest.contains(&"where") {
            let offset = member
                .match_indices("where")
                .map(|(index, _)| index)
                .find(|&index| {
                    let before = member.get(..index).and_then(|text| text.chars().last());
                    before.is_some_and(char::is_whitespace)
                })?;
            let start = member_start + offset;
            return Some(MemberHint::WhereOnAttribute {
                key: (*key).to_string(),
                span: Span::new(start, start + "where".len()),
            });
        }
    }
    if let (Some(keyword), Some(comma)) = (
        RELATIONS.iter().find(|keyword| **keyword == first),
        member.find(','),
    ) {
        let targets = member.get(member.find(first)? + first.len()..)?.trim();
        if words.len() >= 3 && !targets.starts_with('[') {
            let comma = member_start + comma;
            return Some(MemberHint::TargetsWithoutList {
                keyword,
                targets: targets.to_string(),
                comma: Span::new(comma, comma + 1),
            });
        }
    }
    if words.len() >= 2 {
        if let Some(keyword) = suggest::closest(first, RELATIONS.iter().copied()) {
            let word_start = member_start + member.find(first)?;
            return Some(MemberHint::Misspelt {
                keyword,
                word: first.to_string(),
                span: Span::new(word_start, word_start + first.len()),
            });
        }
    }
    let last = *words.last()?;
    if tokens.iter().any(|token| token == "=") && is_word(last) {
        return Some(MemberHint::MissingEquals {
            key: last.to_string(),
            value: None,
        });
    }
    // `compute lambda` then a line break: the parser read a block header
    // and wanted its `{`; the author meant `compute = lambda`.
    if let [key, value] = words.as_slice() {
        let wants_block =
            tokens.iter().any(|token| token == "{") || positives.contains(&Rule::block_body);
        if wants_block && is_word(value) {
            let value_start = member_start + member.rfind(value)?;
            return Some(MemberHint::MissingEquals {
                key: (*key).to_string(),
                value: Some((
                    (*value).to_string(),
                    Span::new(value_start, value_start + value.len()),
                )),
            });
        }
    }
    None
}

/// The span of the string starting at `position` if it is not closed on its
/// line.
fn unterminated_string_at(source: &str, position: usize) -> Option<Span> {
    let rest = source.get(position..)?;
    if !rest.starts_with('"') {
        return None;
    }
    let mut escaped = false;
    for (index, ch) in rest.char_indices().skip(1) {
        match ch {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return None,
            '\n' | '\r' => return Some(Span::new(position, position + index)),
            _ => escaped = false,
        }
    }
    Some(Span::new(position, source.len()))
}

/// The `kind name` of the declaration starting at `offset`, if both words can
/// be read; a misspelt kind is read as the one M102 suggests (`servce
/// users` declares `users`), so that no "unknown name" follows for it.
pub(super) fn header(source: &str, offset: usize) -> Option<(DeclKind, Ident)> {
    let keyword_start = first_token(source, offset);
    let keyword = word_at(source, keyword_start)?;
    let kind = DeclKind::ALL
        .into_iter()
        .find(|kind| kind.keyword() == keyword)
        .or_else(|| {
            let meant = meant_keyword(keyword)?;
            DeclKind::ALL
                .into_iter()
                .find(|kind| kind.keyword() == meant)
        })?;
    let after = keyword_start + keyword.len();
    let rest = source.get(after..)?;
    let name_start = after + (rest.len() - rest.trim_start().len());
    let name = word_at(source, name_start)?;
    Some((
        kind,
        Ident {
            text: name.to_string(),
            span: Span::new(name_start, name_start + name.len()),
        },
    ))
}

/// The token at `position`, described for a message ("`;`", "`foo`",
/// "the end of the file"), and its span.
fn token_at(source: &str, position: usize) -> (String, Span) {
    let rest = source.get(position..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return (
            "the end of the file".to_string(),
            Span::new(position, position),
        );
    };
    if first == '\n' || first == '\r' {
        return (
            "the end of the line".to_string(),
            Span::new(position, position + 1),
        );
    }
    if first == '"' {
        let end = rest
            .char_indices()
            .skip(1)
            .find(|&(_, ch)| ch == '"' || ch == '\n')
            .map_or(
                rest.len(),
                |(index, ch)| if ch == '"' { index + 1 } else { index },
            );
        return ("a string".to_string(), Span::new(position, position + end));
    }
    let is_word =
        |ch: char| ch.is_alphanumeric() || matches!(ch, '_' | '-' | '.' | '/' | '%' | '$');
    let length = if is_word(first) {
        rest.char_indices()
            .find(|&(_, ch)| !is_word(ch))
            .map_or(rest.len(), |(index, _)| index)
    } else {
        first.len_utf8()
    };
    let text = rest.get(..length).unwrap_or("");
    (format!("`{text}`"), Span::new(position, position + length))
}

/// The identifier at `position`, if one starts there.
fn word_at(source: &str, position: usize) -> Option<&str> {
    let rest = source.get(position..)?;
    let length = rest
        .char_indices()
        .find(|&(_, ch)| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'))
        .map_or(rest.len(), |(index, _)| index);
    let word = rest.get(..length)?;
    let starts_like_name = word
        .chars()
        .next()
        .is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_');
    starts_like_name.then_some(word)
}

/// The offset of the first token at or after `offset`, skipping white space
/// and comments (including `///` doc comments, which belong to the token).
fn first_token(source: &str, offset: usize) -> usize {
    let mut position = offset;
    loop {
        let rest = source.get(position..).unwrap_or("");
        let trimmed = rest.trim_start();
        position += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            position += trimmed.find('\n').unwrap_or(trimmed.len());
        } else if trimmed.starts_with("/*") {
            match trimmed.find("*/") {
                Some(end) => position += end + 2,
                None => return position,
            }
        } else {
            return position;
        }
    }
}

/// Where the line after the one holding `position` starts (the end of the
/// text on the last line).
fn next_line(source: &str, position: usize) -> usize {
    source
        .get(position..)
        .and_then(|rest| rest.find('\n'))
        .map_or(source.len(), |index| position + index + 1)
}

/// The declaration keyword M102 suggests for a misspelt one.
fn meant_keyword(word: &str) -> Option<&'static str> {
    let keywords = super::declaration_keywords();
    suggest::closest(word, keywords.iter().copied())
}

/// The first line, after the failing declaration's own first one and up to
/// the failure, that starts a declaration while a block is open: the block
/// opened last before it was never closed (`service api {` swallowed into
/// `service users {`, which fails later on a member `service` cannot
/// have). Returns that block's `{` and the declaration's keyword. One pass
/// over the text, whatever the number of lines.
fn declaration_inside_block(source: &str, offset: usize, position: usize) -> Option<(Span, Span)> {
    let declaration_start = first_token(source, offset);
    let mut scan = Scan::default();
    let mut scanned = offset;
    let mut line_start = next_line(source, declaration_start);
    while line_start <= position && line_start < source.len() {
        let line_end = next_line(source, line_start);
        let line = source.get(line_start..line_end).unwrap_or("");
        if is_declaration_start(line) {
            scan.advance(source, scanned, line_start);
            scanned = line_start;
            if scan.comment_depth == 0 {
                if let Some(&open) = scan.open_braces.last() {
                    let keyword = first_token(source, line_start);
                    let word = word_at(source, keyword).unwrap_or("");
                    return Some((
                        Span::new(open, open + 1),
                        Span::new(keyword, keyword + word.len()),
                    ));
                }
            }
        }
        line_start = line_end;
    }
    None
}

/// Whether the line containing `position` starts a declaration:
/// `kind name {`, with `kind` one of the declaration keywords.
fn starts_declaration_line(source: &str, position: usize) -> bool {
    let line_start = source
        .get(..position)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |index| index + 1);
    is_declaration_start(source.get(line_start..).unwrap_or(""))
}

fn is_declaration_start(line: &str) -> bool {
    let line = line.trim_start();
    DeclKind::ALL.iter().any(|kind| {
        line.strip_prefix(kind.keyword()).is_some_and(|rest| {
            rest.starts_with([' ', '\t'])
                && rest
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_')
        })
    })
}

/// Whether the last non-blank line before `position` is a `///` doc comment.
fn follows_doc_comment(source: &str, position: usize) -> bool {
    source
        .get(..position)
        .and_then(|before| before.trim_end().lines().last())
        .is_some_and(|line| {
            let line = line.trim_start();
            line.starts_with("///") && !line.starts_with("////")
        })
}

/// Where to resume after a failure at `position` in a declaration that
/// started at `offset`: the first line at or after the failing line that
/// starts a declaration, moved up over the doc comments above it.
pub(super) fn resume_point(source: &str, offset: usize, position: usize) -> Option<usize> {
    let failing_line_start = source
        .get(..position)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1);
    // The failing declaration's own first line is never a place to resume.
    let declaration_start = first_token(source, offset);
    let mut line_start = failing_line_start;
    let mut in_block_comment = Scan::run(source, offset, failing_line_start).comment_depth > 0;
    while line_start < source.len() {
        let line_end = next_line(source, line_start);
        let line = source.get(line_start..line_end).unwrap_or("");
        if !in_block_comment && line_start > declaration_start && is_declaration_start(line) {
            return Some(doc_comment_start(source, line_start).max(offset + 1));
        }
        // Track block comments that span lines, so that a declaration inside
        // one is not taken for a place to resume.
        let scan = Scan::run(source, line_start, line_end);
        in_block_comment = if in_block_comment {
            !line.contains("*/")
        } else {
            scan.comment_depth > 0
        };
        line_start = line_end;
    }
    None
}

/// Moves `line_start` up over the `///` lines directly above it.
fn doc_comment_start(source: &str, line_start: usize) -> usize {
    let mut start = line_start;
    while start > 0 {
        let before = source.get(..start - 1).unwrap_or("");
        let previous_start = before.rfind('\n').map_or(0, |index| index + 1);
        let previous = before.get(previous_start..).unwrap_or("").trim_start();
        if previous.starts_with("///") && !previous.starts_with("////") {
            start = previous_start;
        } else {
            break;
        }
    }
    start
}

/// A lexical pass over `source[from..to]`: which braces are open at `to`, and
/// whether `to` falls inside a string or a block comment.
#[derive(Debug, Default)]
struct Scan {
    open_braces: Vec<usize>,
    open_string: Option<Span>,
    comment_depth: usize,
}

impl Scan {
    fn run(source: &str, from: usize, to: usize) -> Scan {
        let mut scan = Scan::default();
        scan.advance(source, from, to);
        scan
    }

    /// Continues the scan over `source[from..to]`, `from` being where the
    /// last one stopped (a line start: strings and line comments end with
    /// their line).
    fn advance(&mut self, source: &str, from: usize, to: usize) {
        let scan = self;
        let bytes = source.as_bytes();
        let to = to.min(bytes.len());
        let mut index = from;
        while index < to {
            let byte = bytes.get(index).copied().unwrap_or(b'\n');
            let next = bytes.get(index + 1).copied();
            if scan.comment_depth > 0 {
                if byte == b'*' && next == Some(b'/') {
                    scan.comment_depth -= 1;
                    index += 2;
                } else if byte == b'/' && next == Some(b'*') {
                    scan.comment_depth += 1;
                    index += 2;
                } else {
                    index += 1;
                }
                continue;
            }
            match byte {
                b'"' => {
                    let start = index;
                    index += 1;
                    loop {
                        match bytes.get(index) {
                            Some(b'\\') => index += 2,
                            Some(b'"') => {
                                index += 1;
                                break;
                            }
                            Some(b'\n') | None => {
                                if index >= to {
                                    scan.open_string = Some(Span::new(start, index));
                                }
                                break;
                            }
                            Some(_) => index += 1,
                        }
                    }
                }
                b'/' if next == Some(b'/') => {
                    while index < to && bytes.get(index) != Some(&b'\n') {
                        index += 1;
                    }
                }
                b'/' if next == Some(b'*') => {
                    scan.comment_depth = 1;
                    index += 2;
                }
                b'{' => {
                    scan.open_braces.push(index);
                    index += 1;
                }
                b'}' => {
                    scan.open_braces.pop();
                    index += 1;
                }
                _ => index += 1,
            }
        }
    }
}
