//! Lowering: pest pairs → typed AST nodes with absolute byte spans.
//!
//! The parser hands over one declaration at a time, parsed from a slice of
//! the file that starts at `offset`; every span is shifted by it. Comment
//! pairs, which pest interleaves with everything, are skipped here (the
//! parser collects them separately).

use std::collections::BTreeMap;

use pest::iterators::Pair;

use super::ast::{
    Attribute, Block, Comment, CommentKind, CompareOp, Condition, DeclKind, Declaration, Direction,
    DocLine, Entry, Field, Filter, Ident, Item, Member, NetRule, Path, Peer, Protocol, Relation,
    RelationKind, RuleAction, Schema, TypeExpr, TypeExprKind, Value, ValueKind,
};
use super::parser::Rule;
use crate::check::syntax::{duplicate_clause, malformed_literal, syntax_error};
use crate::diagnostics::{Diagnostic, Span};

pub(super) struct Lowerer<'d, 'i> {
    /// Where the slice being lowered starts in the file.
    offset: usize,
    /// The slice being lowered.
    input: &'i str,
    /// Start of every comment in the slice, by its end (relative offsets).
    comment_starts: BTreeMap<usize, usize>,
    diagnostics: &'d mut Vec<Diagnostic>,
}

/// The children of a pair, without comments.
fn children(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner()
        .filter(|child| child.as_rule() != Rule::COMMENT)
}

/// `items` without the room `collect` keeps for more: a filtered iterator
/// of pairs starts a vector with room for four members, and a large file
/// has hundreds of thousands of them.
fn exact<T>(mut items: Vec<T>) -> Vec<T> {
    items.shrink_to_fit();
    items
}

impl<'d, 'i> Lowerer<'d, 'i> {
    /// A lowerer for `input`, a slice of the file starting at `offset`, whose
    /// comments are `comments` (relative spans).
    pub(super) fn new(
        offset: usize,
        input: &'i str,
        comments: impl IntoIterator<Item = (usize, usize)>,
        diagnostics: &'d mut Vec<Diagnostic>,
    ) -> Lowerer<'d, 'i> {
        Lowerer {
            offset,
            input,
            comment_starts: comments
                .into_iter()
                .map(|(start, end)| (end, start))
                .collect(),
            diagnostics,
        }
    }

    /// The pair's span in the file. pest lets a rule that ends in an
    /// optional part swallow the white space and comments after it; they are
    /// trimmed off so that a span ends where its text does.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        let start = span.start();
        let mut end = span.end();
        loop {
            let trimmed = self
                .input
                .get(start..end)
                .map_or(0, |text| text.trim_end().len());
            end = start + trimmed;
            match self.comment_starts.get(&end) {
                Some(&comment_start) if comment_start >= start && comment_start < end => {
                    end = comment_start;
                }
                _ => break,
            }
        }
        Span::new(start + self.offset, end + self.offset)
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            text: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    pub(super) fn comment(&self, pair: &Pair<'_, Rule>) -> Comment {
        let kind = match pair
            .clone()
            .into_inner()
            .next()
            .map(|inner| inner.as_rule())
        {
            Some(Rule::block_comment) => CommentKind::Block,
            _ => CommentKind::Line,
        };
        let span = pair.as_span();
        Comment {
            kind,
            text: pair.as_str().to_string(),
            span: Span::new(span.start() + self.offset, span.end() + self.offset),
        }
    }

    fn doc_line(&self, pair: &Pair<'_, Rule>) -> DocLine {
        let text = pair.as_str().trim_start_matches("///");
        let text = text.strip_prefix(' ').unwrap_or(text);
        DocLine {
            text: text.trim_end().to_string(),
            span: self.span(pair),
        }
    }

    pub(super) fn declaration(&mut self, pair: Pair<'_, Rule>) -> Option<Declaration> {
        let mut doc = Vec::new();
        let mut body = None;
        for child in children(pair) {
            if child.as_rule() == Rule::doc_comment {
                doc.push(self.doc_line(&child));
            } else {
                body = Some(child);
            }
        }
        let body = body?;
        let kind = match body.as_rule() {
            Rule::system => DeclKind::System,
            Rule::network => DeclKind::Network,
            Rule::service => DeclKind::Service,
            Rule::event => DeclKind::Event,
            Rule::bus => DeclKind::Bus,
            Rule::rule_decl => DeclKind::Rule,
            Rule::queue => DeclKind::Queue,
            Rule::topic => DeclKind::Topic,
            Rule::stream => DeclKind::Stream,
            Rule::table => DeclKind::Table,
            Rule::database => DeclKind::Database,
            Rule::bucket => DeclKind::Bucket,
            Rule::secret => DeclKind::Secret,
            Rule::parameter => DeclKind::Parameter,
            Rule::saga => DeclKind::Saga,
            Rule::firewall => DeclKind::Firewall,
            Rule::nacl => DeclKind::Nacl,
            _ => return None,
        };
        let span = self.span(&body);
        let mut parts = children(body);
        let keyword_span = self.span(&parts.next()?);
        let name = self.ident(&parts.next()?);
        let members = exact(parts.filter_map(|member| self.member(member)).collect());
        Some(Declaration {
            doc,
            kind,
            keyword_span,
            name,
            members,
            span,
        })
    }

    fn member(&mut self, pair: Pair<'_, Rule>) -> Option<Member> {
        let span = self.span(&pair);
        let mut doc = Vec::new();
        let mut item = None;
        for child in children(pair) {
            if child.as_rule() == Rule::doc_comment {
                doc.push(self.doc_line(&child));
            } else {
                item = self.item(child);
            }
        }
        Some(Member {
            doc,
            item: item?,
            span,
        })
    }

    fn item(&mut self, pair: Pair<'_, Rule>) -> Option<Item> {
        Some(match pair.as_rule() {
            Rule::attribute | Rule::trigger_filter => Item::Attribute(self.attribute(pair)?),
            Rule::subnet_block
            | Rule::index_block
            | Rule::step_block
            | Rule::dlq_block
            | Rule::usage_block
            | Rule::other_block => Item::Block(self.block(pair)?),
            Rule::calls
            | Rule::publishes
            | Rule::consumes
            | Rule::uses
            | Rule::subscribe
            | Rule::matches => Item::Relation(self.relation(pair)),
            Rule::net_rule => Item::NetRule(self.net_rule(pair)?),
            Rule::schema_block => Item::Schema(self.schema(pair)),
            _ => return None,
        })
    }

    fn attribute(&mut self, pair: Pair<'_, Rule>) -> Option<Attribute> {
        let span = self.span(&pair);
        let mut parts = children(pair);
        let key = self.ident(&parts.next()?);
        let value = self.value(parts.next()?)?;
        let filter = parts.next().map(|clause| self.filter(clause));
        Some(Attribute {
            key,
            value,
            filter,
            span,
        })
    }

    fn members_of_body(&mut self, body: Pair<'_, Rule>) -> Vec<Member> {
        exact(
            children(body)
                .filter_map(|member| self.member(member))
                .collect(),
        )
    }

    fn block(&mut self, pair: Pair<'_, Rule>) -> Option<Block> {
        let span = self.span(&pair);
        let mut keyword = None;
        let mut name = None;
        let mut members = Vec::new();
        for child in children(pair) {
            match child.as_rule() {
                Rule::name => name = Some(self.ident(&child)),
                Rule::block_body => members = self.members_of_body(child),
                _ => keyword = Some(self.ident(&child)),
            }
        }
        Some(Block {
            keyword: keyword?,
            name,
            members,
            span,
        })
    }

    fn path(&self, pair: &Pair<'_, Rule>) -> Path {
        Path {
            segments: pair
                .clone()
                .into_inner()
                .filter(|segment| segment.as_rule() == Rule::name)
                .map(|segment| self.ident(&segment))
                .collect(),
            span: self.span(pair),
        }
    }

    fn relation(&mut self, pair: Pair<'_, Rule>) -> Relation {
        let kind = match pair.as_rule() {
            Rule::calls => RelationKind::Calls,
            Rule::publishes => RelationKind::Publishes,
            Rule::consumes => RelationKind::Consumes,
            Rule::uses => RelationKind::Uses,
            Rule::subscribe => RelationKind::Subscribe,
            _ => RelationKind::Matches,
        };
        let span = self.span(&pair);
        let mut relation = Relation {
            kind,
            keyword_span: span,
            targets: Vec::new(),
            bracketed: false,
            access: None,
            filter: None,
            via: None,
            body: None,
            span,
        };
        let mut via_keyword: Option<Span> = None;
        for child in children(pair) {
            match child.as_rule() {
                Rule::targets => {
                    for target in children(child) {
                        if target.as_rule() == Rule::target_list {
                            relation.bracketed = true;
                            relation.targets =
                                children(target).map(|path| self.path(&path)).collect();
                        } else {
                            relation.targets.push(self.path(&target));
                        }
                    }
                }
                Rule::access => {
                    relation.access = children(child).next().map(|name| self.ident(&name));
                }
                Rule::where_clause => {
                    let filter = self.filter(child);
                    match &relation.filter {
                        Some(first) => self.diagnostics.push(duplicate_clause::diagnostic(
                            "where",
                            first.span,
                            filter.span,
                        )),
                        None => relation.filter = Some(filter),
                    }
                }
                Rule::via_clause => {
                    let clause_span = self.span(&child);
                    let via = children(child)
                        .find(|part| part.as_rule() == Rule::path)
                        .map(|path| self.path(&path));
                    if let Some(first) = via_keyword {
                        self.diagnostics.push(duplicate_clause::diagnostic(
                            "via",
                            first,
                            clause_span,
                        ));
                    } else {
                        via_keyword = Some(clause_span);
                        relation.via = via;
                    }
                }
                Rule::block_body => relation.body = Some(self.members_of_body(child)),
                _ => relation.keyword_span = self.span(&child),
            }
        }
        relation
    }

    fn filter(&mut self, pair: Pair<'_, Rule>) -> Filter {
        let span = self.span(&pair);
        let conditions = children(pair)
            .filter(|child| child.as_rule() == Rule::condition)
            .filter_map(|condition| self.condition(condition))
            .collect();
        Filter { conditions, span }
    }

    fn condition(&mut self, pair: Pair<'_, Rule>) -> Option<Condition> {
        let span = self.span(&pair);
        let mut parts = children(pair);
        let field = self.path(&parts.next()?);
        let test = parts.next()?;
        let op_span = self.span(&test);
        if test.as_rule() == Rule::exists_test {
            let negated = children(test).any(|part| part.as_rule() == Rule::kw_not);
            Some(Condition {
                field,
                op: if negated {
                    CompareOp::NotExists
                } else {
                    CompareOp::Exists
                },
                op_span,
                value: None,
                span,
            })
        } else {
            let mut comparison = children(test);
            let op_pair = comparison.next()?;
            let op_span = self.span(&op_pair);
            let op = match op_pair.as_str() {
                "!=" => CompareOp::NotEq,
                "<=" => CompareOp::LtEq,
                ">=" => CompareOp::GtEq,
                "=" => CompareOp::Eq,
                "<" => CompareOp::Lt,
                ">" => CompareOp::Gt,
                "in" => CompareOp::In,
                "starts_with" => CompareOp::StartsWith,
                "ends_with" => CompareOp::EndsWith,
                _ => CompareOp::NotIn,
            };
            let value = self.value(comparison.next()?)?;
            Some(Condition {
                field,
                op,
                op_span,
                value: Some(value),
                span,
            })
        }
    }

    fn net_rule(&mut self, pair: Pair<'_, Rule>) -> Option<NetRule> {
        let span = self.span(&pair);
        let mut action = RuleAction::Allow;
        let mut action_span = span;
        let mut direction = Direction::In;
        let mut protocol = Protocol::Tcp;
        let mut ports = None;
        let mut peer = Peer::Anywhere;
        let mut peer_span = span;
        let mut peer_word: Option<(String, Span)> = None;
        for child in children(pair) {
            let text = child.as_str().trim();
            match child.as_rule() {
                Rule::rule_action => {
                    action = if text == "deny" {
                        RuleAction::Deny
                    } else {
                        RuleAction::Allow
                    };
                    action_span = self.span(&child);
                }
                Rule::direction => {
                    direction = if text == "out" {
                        Direction::Out
                    } else {
                        Direction::In
                    }
                }
                Rule::protocol => {
                    protocol = match text {
                        "udp" => Protocol::Udp,
                        "icmp" => Protocol::Icmp,
                        "all" => Protocol::All,
                        _ => Protocol::Tcp,
                    };
                }
                Rule::port_spec => {
                    let port = children(child).next()?;
                    let kind = if port.as_rule() == Rule::port_range {
                        ValueKind::PortRange(port.as_str().to_string())
                    } else {
                        ValueKind::Quantity {
                            number: port.as_str().to_string(),
                            unit: None,
                        }
                    };
                    ports = Some(Value {
                        kind,
                        span: self.span(&port),
                    });
                }
                Rule::peer_dir => peer_word = Some((text.to_string(), self.span(&child))),
                Rule::peer => {
                    peer_span = self.span(&child);
                    let inner = children(child).next()?;
                    peer = match inner.as_rule() {
                        Rule::cidr | Rule::ip => Peer::Cidr(inner.as_str().to_string()),
                        Rule::kw_anywhere => Peer::Anywhere,
                        _ => Peer::Name(self.path(&inner)),
                    };
                }
                _ => {}
            }
        }
        // `in` rules name where traffic comes from, `out` rules where it goes.
        if let Some((word, word_span)) = peer_word {
            let expected = if direction == Direction::In {
                "from"
            } else {
                "to"
            };
            if word != expected {
                self.diagnostics.push(syntax_error::diagnostic(
                    &format!("`{word}`"),
                    word_span,
                    &[format!("`{expected}`")],
                    None,
                ));
            }
        }
        Some(NetRule {
            action,
            action_span,
            direction,
            protocol,
            ports,
            peer,
            peer_span,
            span,
        })
    }

    fn schema(&mut self, pair: Pair<'_, Rule>) -> Schema {
        let span = self.span(&pair);
        let mut keyword_span = span;
        let mut fields = Vec::new();
        for child in children(pair) {
            match child.as_rule() {
                Rule::field => {
                    if let Some(field) = self.field(child) {
                        fields.push(field);
                    }
                }
                _ => keyword_span = self.span(&child),
            }
        }
        Schema {
            keyword_span,
            fields,
            span,
        }
    }

    fn field(&mut self, pair: Pair<'_, Rule>) -> Option<Field> {
        let span = self.span(&pair);
        let mut doc = Vec::new();
        let mut name = None;
        let mut optional = false;
        let mut ty = None;
        for child in children(pair) {
            match child.as_rule() {
                Rule::doc_comment => doc.push(self.doc_line(&child)),
                Rule::field_name => name = Some(self.ident(&child)),
                Rule::optional_mark => optional = true,
                Rule::type_expr => ty = self.type_expr(child),
                _ => {}
            }
        }
        Some(Field {
            doc,
            name: name?,
            optional,
            ty: ty?,
            span,
        })
    }

    fn type_expr(&mut self, pair: Pair<'_, Rule>) -> Option<TypeExpr> {
        let span = self.span(&pair);
        let mut alternatives: Vec<TypeExpr> = children(pair)
            .filter_map(|atom| self.type_atom(atom))
            .collect();
        if alternatives.len() == 1 {
            return alternatives.pop();
        }
        Some(TypeExpr {
            kind: TypeExprKind::Union(alternatives),
            span,
        })
    }

    fn type_atom(&mut self, pair: Pair<'_, Rule>) -> Option<TypeExpr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::type_name => TypeExprKind::Named(self.ident(&pair)),
            Rule::string => TypeExprKind::Literal(self.string(pair)),
            Rule::list_type => {
                TypeExprKind::List(Box::new(self.type_expr(children(pair).next()?)?))
            }
            Rule::object_type => TypeExprKind::Object(
                children(pair)
                    .filter_map(|field| self.field(field))
                    .collect(),
            ),
            _ => return None,
        };
        Some(TypeExpr { kind, span })
    }

    fn string(&mut self, pair: Pair<'_, Rule>) -> String {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map_or("", |inner| inner.as_str());
        if let Some(text) = unescape(raw) {
            text
        } else {
            self.diagnostics
                .push(malformed_literal::diagnostic(raw, span));
            raw.to_string()
        }
    }

    fn value(&mut self, pair: Pair<'_, Rule>) -> Option<Value> {
        let pair = if pair.as_rule() == Rule::value {
            children(pair).next()?
        } else {
            pair
        };
        let span = self.span(&pair);
        let text = pair.as_str();
        let kind = match pair.as_rule() {
            Rule::list => {
                ValueKind::List(children(pair).filter_map(|item| self.value(item)).collect())
            }
            Rule::object => ValueKind::Object(self.entries(pair)),
            Rule::constructor => {
                let mut parts = children(pair);
                let name = self.ident(&parts.next()?);
                let entries = self.entries(parts.next()?);
                ValueKind::Constructor { name, entries }
            }
            Rule::typed_name => {
                let mut parts = children(pair);
                let name = self.ident(&parts.next()?);
                let ty = self.type_expr(parts.next()?)?;
                ValueKind::Typed { name, ty }
            }
            Rule::string => ValueKind::String(self.string(pair)),
            Rule::boolean => ValueKind::Bool(text == "true"),
            Rule::cidr => ValueKind::Cidr(text.to_string()),
            Rule::ip => ValueKind::Ip(text.to_string()),
            Rule::port_range => ValueKind::PortRange(text.to_string()),
            Rule::money => ValueKind::Money(text.trim_start_matches('$').to_string()),
            Rule::quantity => {
                let split = text
                    .char_indices()
                    .find(|&(index, ch)| {
                        !(ch.is_ascii_digit()
                            || ch == '_'
                            || ch == '.'
                            || (index == 0 && ch == '-'))
                    })
                    .map_or(text.len(), |(index, _)| index);
                let (number, unit) = text.split_at(split);
                ValueKind::Quantity {
                    number: number.to_string(),
                    unit: (!unit.is_empty()).then(|| unit.to_string()),
                }
            }
            Rule::malformed => {
                self.diagnostics
                    .push(malformed_literal::diagnostic(text, span));
                ValueKind::Malformed(text.to_string())
            }
            Rule::path => ValueKind::Path(self.path(&pair)),
            _ => return None,
        };
        Some(Value { kind, span })
    }

    fn entries(&mut self, pair: Pair<'_, Rule>) -> Vec<Entry> {
        children(pair)
            .filter(|entry| entry.as_rule() == Rule::entry)
            .filter_map(|entry| {
                let span = self.span(&entry);
                let mut parts = children(entry);
                let key_pair = children(parts.next()?).next()?;
                let quoted = key_pair.as_rule() == Rule::string;
                let key = if quoted {
                    let key_span = self.span(&key_pair);
                    Ident {
                        text: self.string(key_pair),
                        span: key_span,
                    }
                } else {
                    self.ident(&key_pair)
                };
                let value = self.value(parts.next()?)?;
                Some(Entry {
                    key,
                    quoted,
                    value,
                    span,
                })
            })
            .collect()
    }
}

/// Resolves the escapes of a string literal's body. `None` if an escape
/// names no character (`\u{d800}`).
fn unescape(raw: &str) -> Option<String> {
    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            text.push(ch);
            continue;
        }
        match chars.next()? {
            'n' => text.push('\n'),
            't' => text.push('\t'),
            'r' => text.push('\r'),
            'u' => {
                let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                text.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            other => text.push(other),
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn unescapes_the_escapes_of_the_grammar() {
        assert_eq!(
            unescape(r#"a\"b\\c\nd\u{e9}"#).as_deref(),
            Some("a\"b\\c\nd\u{e9}")
        );
        assert_eq!(unescape(r"\u{d800}"), None);
    }
}
