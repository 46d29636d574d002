//! The formatter: source text → the same program in canonical layout.
//!
//! Input: the text of a `.mesh` file. Output: its canonical formatting, or
//! the syntax diagnostics when it does not parse: a file with syntax errors
//! is never rewritten. Pure: no IO.
//!
//! The formatter prints the AST of `syntax::parse` and puts every comment of
//! `File::comments` back by its span, never by looking at the text around it:
//!
//! - a comment on the line of the code before it stays there (a *trailing*
//!   comment), aligned with the trailing comments of the rows around it;
//! - a comment on a line of its own stays on a line of its own, above the
//!   member, declaration, field, entry or item that follows it, or before the
//!   closing brace when nothing follows it in its block;
//! - a comment on the line of an opening brace stays after the brace;
//! - a comment inside a construct that is always printed on one line (between
//!   a key and its `=`, inside a `where` filter or a list of targets) moves
//!   above the line that holds it, or, when part of that line is a block
//!   printed over several lines (`items: [{` ... `}] | "x"`), to the end of
//!   the block before it.
//!
//! So every comment survives, in its order. Doc comments are part of the
//! tree and printed with what they document; a declaration with one where
//! a `///` line cannot go is printed exactly as it was written. The layout rules themselves are
//! written down in docs/language.md, "Formatting"; in short: two spaces of
//! indentation, one member per line in a block written over several lines,
//! a block written on one line stays on one line unless a comment is inside
//! it, `=` aligned in runs of attributes, names aligned in runs of one-line
//! blocks, literals kept as written.

use std::fmt::Write as _;

use crate::diagnostics::{Diagnostic, Span};
use crate::syntax::{
    self,
    ast::{
        Comment, CommentKind, Declaration, DocLine, Entry, Field, File, Item, Member, NetRule,
        Peer, Relation, RuleAction, TypeExpr, TypeExprKind, Value, ValueKind,
    },
};

/// One level of indentation.
const INDENT: &str = "  ";

/// Between the members of a block written on one line, and between code and
/// a trailing comment.
const GAP: &str = "  ";

/// Formats a source text. A text with syntax errors is not formatted: its
/// diagnostics are returned instead.
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let file = syntax::parse(source, &mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) || !file.unparsed.is_empty() {
        return Err(diagnostics);
    }
    let mut printer = Printer {
        source,
        comments: &file.comments,
        next_comment: 0,
        lost_docs: std::cell::Cell::new(false),
    };
    let lines = printer.file(&file);
    let mut out = String::with_capacity(source.len());
    // A byte order mark stays where it was.
    if source.starts_with(syntax::BYTE_ORDER_MARK) {
        out.push(syntax::BYTE_ORDER_MARK);
    }
    emit(&lines, 0, &mut out);
    Ok(out)
}

// ---------------------------------------------------------------------------
// The layout: lines of a block, before indentation and alignment.

/// A line (or, for a row with an expanded block, several lines) of a block.
#[derive(Debug)]
enum Line {
    Blank,
    /// A comment on a line of its own.
    Comment(String),
    Row(Row),
}

/// A part of the first line of a row, which may be padded so that the next
/// part lines up with the same part of the rows around it.
#[derive(Debug)]
struct Cell {
    text: String,
    /// Rows whose cells up to this one have the same keys are aligned: this
    /// cell is padded to the widest of them. `None`: never padded.
    key: Option<String>,
    /// What separates this cell from the next.
    separator: &'static str,
}

impl Cell {
    fn plain(text: String) -> Cell {
        Cell {
            text,
            key: None,
            separator: " ",
        }
    }

    fn aligned(text: String, key: String, separator: &'static str) -> Cell {
        Cell {
            text,
            key: Some(key),
            separator,
        }
    }
}

/// One member, declaration, field, entry or list item.
#[derive(Debug, Default)]
struct Row {
    /// Doc comments and comments printed on lines of their own above the row.
    leading: Vec<String>,
    /// The first line.
    cells: Vec<Cell>,
    /// The expanded blocks of the row, one after the other: usually one
    /// (`key = {` ... `}`), several only in a type such as `{` ... `} | {`
    /// ... `}`.
    nested: Vec<Nested>,
    /// The source text of a declaration that is printed as it was written,
    /// in place of the cells and blocks (see `Printer::declaration_row`).
    verbatim: Option<String>,
    /// Comments after the row, on its last line.
    trailing: Vec<String>,
}

/// A block printed over several lines inside a row.
#[derive(Debug)]
struct Nested {
    /// Comments after the opening bracket, on the line that opens the block.
    head_comments: Vec<String>,
    lines: Vec<Line>,
    /// The line that closes the block: `}`, `],`, `}]`, or `} | {` when the
    /// next block of the row opens on it.
    closing: String,
}

impl Row {
    fn hoist(&mut self, comments: Vec<&Comment>) {
        self.leading.extend(comments.into_iter().map(comment_text));
    }

    /// Makes this row `head` followed by one expanded block.
    fn expanded(&mut self, head: String, head_comments: Vec<String>, lines: Vec<Line>) {
        self.cells = vec![Cell::plain(head)];
        self.nested = vec![Nested {
            head_comments,
            lines,
            closing: "}".to_string(),
        }];
    }

    fn one_line(&self) -> bool {
        self.nested.is_empty()
            && self
                .verbatim
                .as_ref()
                .is_none_or(|text| !text.contains('\n'))
    }
}

/// The first line of a row and the blocks that follow it, built from left
/// to right: text goes on the first line until a block is expanded, then on
/// the line that closes the last block.
#[derive(Default)]
struct Chain {
    head: String,
    nested: Vec<Nested>,
}

impl Chain {
    fn text(&mut self, text: &str) {
        match self.nested.last_mut() {
            Some(last) => last.closing.push_str(text),
            None => self.head.push_str(text),
        }
    }
}

/// A comment as it is printed: line comments lose trailing white space.
fn comment_text(comment: &Comment) -> String {
    match comment.kind {
        CommentKind::Line => comment.text.trim_end().to_string(),
        CommentKind::Block => comment.text.clone(),
    }
}

fn doc_text(doc: &DocLine) -> String {
    if doc.text.is_empty() {
        "///".to_string()
    } else {
        format!("/// {}", doc.text)
    }
}

/// Whether the text between two things holds an empty line.
fn has_blank_line(gap: &str) -> bool {
    let segments: Vec<&str> = gap.split('\n').collect();
    segments.len() > 2
        && segments
            .iter()
            .skip(1)
            .take(segments.len() - 2)
            .any(|segment| segment.trim().is_empty())
}

// ---------------------------------------------------------------------------
// From the tree to lines, placing comments.

struct Printer<'s> {
    source: &'s str,
    /// Every comment, in source order.
    comments: &'s [Comment],
    /// The first comment not printed yet.
    next_comment: usize,
    /// Set when a doc comment met a construct that is printed on one line,
    /// where it cannot be printed (see `Printer::declaration_row`).
    lost_docs: std::cell::Cell<bool>,
}

/// How a sequence of children is laid out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The declarations of a file: one blank line between them.
    File,
    /// The inside of a block, object or list.
    Block,
}

impl<'s> Printer<'s> {
    fn text(&self, span: Span) -> &'s str {
        self.source.get(span.start()..span.end()).unwrap_or("")
    }

    /// Takes the comments that start before `position`.
    fn take_before(&mut self, position: usize) -> Vec<&'s Comment> {
        let comments = self.comments;
        let mut taken = Vec::new();
        while let Some(comment) = comments.get(self.next_comment) {
            if comment.span.start() >= position {
                break;
            }
            taken.push(comment);
            self.next_comment += 1;
        }
        taken
    }

    /// Takes the comments on the line of `end`, after it (only blanks and
    /// commas between), that start before `limit`.
    fn take_trailing(&mut self, mut end: usize, limit: usize) -> Vec<&'s Comment> {
        let comments = self.comments;
        let mut taken = Vec::new();
        while let Some(comment) = comments.get(self.next_comment) {
            let same_line = comment.span.start() >= end
                && comment.span.start() < limit
                && self
                    .source
                    .get(end..comment.span.start())
                    .is_some_and(|gap| gap.chars().all(|ch| matches!(ch, ' ' | '\t' | ',')));
            if !same_line {
                break;
            }
            taken.push(comment);
            self.next_comment += 1;
            end = comment.span.end();
            if comment.kind == CommentKind::Line {
                break;
            }
        }
        taken
    }

    /// Whether a comment starts strictly between `open` and `close`.
    fn has_comment_inside(&self, open: usize, close: usize) -> bool {
        let first = self
            .comments
            .partition_point(|comment| comment.span.start() <= open);
        self.comments
            .get(first)
            .is_some_and(|comment| comment.span.start() < close)
    }

    /// Whether the block between `open` and `close` (its brackets) is
    /// printed over several lines: when it was written so, or when a comment
    /// is inside it.
    fn expands(&self, open: usize, close: usize, has_children: bool) -> bool {
        self.has_comment_inside(open, close)
            || (has_children
                && self
                    .source
                    .get(open..close)
                    .is_some_and(|inside| inside.contains('\n')))
    }

    /// The opening brace after `from`, past white space, comments and the
    /// closing brackets of what comes before it.
    fn opening_brace(&self, from: usize) -> usize {
        let bytes = self.source.as_bytes();
        let mut at = from;
        loop {
            match bytes.get(at) {
                Some(b'{') | None => return at,
                Some(b' ' | b'\t' | b'\r' | b'\n' | b'[' | b']' | b'(' | b')' | b',') => at += 1,
                Some(_) => {
                    let index = self
                        .comments
                        .partition_point(|comment| comment.span.start() < at);
                    match self.comments.get(index) {
                        Some(comment) if comment.span.start() == at => at = comment.span.end(),
                        _ => return at,
                    }
                }
            }
        }
    }

    /// Doc comments, with the comments among them and those between them
    /// and the code at `head`, as leading lines.
    fn docs_and_comments(&mut self, docs: &[DocLine], head: usize) -> Vec<String> {
        let mut leading = Vec::new();
        for doc in docs {
            leading.extend(
                self.take_before(doc.span.start())
                    .into_iter()
                    .map(comment_text),
            );
            leading.push(doc_text(doc));
        }
        leading.extend(self.take_before(head).into_iter().map(comment_text));
        leading
    }

    fn file(&mut self, file: &File) -> Vec<Line> {
        let (_, lines) = self.sequence(Level::File, 0, self.source.len(), &file.declarations);
        lines
    }

    /// Lays out the children of a block whose brackets are at `open` and
    /// `close`: comments after the opening bracket, then the lines.
    fn sequence<T: Child>(
        &mut self,
        level: Level,
        open: usize,
        close: usize,
        children: &[T],
    ) -> (Vec<String>, Vec<Line>) {
        let mut head_comments = Vec::new();
        let mut lines: Vec<Line> = Vec::new();
        let mut previous_end = open;
        if level == Level::Block {
            previous_end = open + 1;
            let first_child = children.first().map_or(close, |child| child.bounds().0);
            for comment in self.take_trailing(open + 1, first_child) {
                previous_end = comment.span.end();
                head_comments.push(comment_text(comment));
            }
        }
        for child in children {
            let (start, end) = child.bounds();
            previous_end = self.comment_lines(level, &mut lines, previous_end, start);
            let mut row = child.row(self);
            let trailing = self.take_trailing(end, close);
            let gap = self.source.get(previous_end..start);
            if blank_before(level, &lines, gap, Some(&row)) {
                lines.push(Line::Blank);
            }
            previous_end = trailing.last().map_or(end, |comment| comment.span.end());
            row.trailing = trailing.into_iter().map(comment_text).collect();
            lines.push(Line::Row(row));
        }
        self.comment_lines(level, &mut lines, previous_end, close);
        (head_comments, lines)
    }

    /// Adds the comments before `position` to `lines`, each on a line of its
    /// own, and returns where the last one ends (`previous_end` if none).
    fn comment_lines(
        &mut self,
        level: Level,
        lines: &mut Vec<Line>,
        mut previous_end: usize,
        position: usize,
    ) -> usize {
        for comment in self.take_before(position) {
            let gap = self.source.get(previous_end..comment.span.start());
            if blank_before(level, lines, gap, None) {
                lines.push(Line::Blank);
            }
            lines.push(Line::Comment(comment_text(comment)));
            previous_end = comment.span.end();
        }
        previous_end
    }

    /// A declaration, laid out; or, when a doc comment inside it sits in a
    /// construct that is always printed on one line (a type in a `where`
    /// filter), where a `///` line cannot go, the declaration exactly as it
    /// was written, so that nothing is lost.
    fn declaration_row(&mut self, declaration: &Declaration) -> Row {
        let first_comment = self.next_comment;
        self.lost_docs.set(false);
        let row = self.declaration_layout(declaration);
        if !self.lost_docs.get() {
            return row;
        }
        self.next_comment = first_comment;
        let (start, end) = declaration.bounds();
        self.take_before(end);
        Row {
            verbatim: Some(self.text(Span::new(start, end)).to_string()),
            ..Row::default()
        }
    }

    fn declaration_layout(&mut self, declaration: &Declaration) -> Row {
        let mut row = Row {
            leading: self.docs_and_comments(&declaration.doc, declaration.span.start()),
            ..Row::default()
        };
        let keyword = declaration.kind.keyword();
        let head = format!("{keyword} {}", declaration.name.text);
        let open = self.opening_brace(declaration.name.span.end());
        let close = declaration.span.end().saturating_sub(1);
        self.block_row(
            &mut row,
            head,
            Some(format!("declaration {keyword}")),
            &declaration.members,
            open,
            close,
        );
        row
    }

    /// A row for `head { members }`, expanded or on one line. On one line,
    /// with a `key`, it lines up with the rows around it of the same key.
    fn block_row(
        &mut self,
        row: &mut Row,
        head: String,
        key: Option<String>,
        members: &[Member],
        open: usize,
        close: usize,
    ) {
        if self.expands(open, close, !members.is_empty()) {
            row.hoist(self.take_before(open));
            let (head_comments, lines) = self.sequence(Level::Block, open, close, members);
            row.expanded(format!("{head} {{"), head_comments, lines);
        } else {
            row.hoist(self.take_before(close + 1));
            row.cells = match key {
                Some(key) => self.one_line_block_cells(head, key, members),
                None => vec![Cell::plain(format!(
                    "{head} {}",
                    self.members_inline(members)
                ))],
            };
        }
    }

    /// `head { a = 1  b = 2 }`, cut into cells so that the members of
    /// consecutive one-line blocks line up: the name is padded, and so is
    /// each attribute whose key and the next one's are those of the row
    /// above.
    fn one_line_block_cells(&self, head: String, key: String, members: &[Member]) -> Vec<Cell> {
        let mut cells = vec![Cell::aligned(head, key, " ")];
        if members.is_empty() {
            cells.push(Cell::plain("{}".to_string()));
            return cells;
        }
        let last = members.len() - 1;
        for (index, member) in members.iter().enumerate() {
            let mut text = self.member_inline(member);
            if index == 0 {
                text.insert_str(0, "{ ");
            }
            if index == last {
                text.push_str(" }");
            }
            let key = members
                .get(index + 1)
                .filter(|_| aligns_after(member))
                .map(|next| format!("{}|{}", member_label(member), member_label(next)));
            cells.push(Cell {
                text,
                key,
                separator: GAP,
            });
        }
        cells
    }

    fn member_row(&mut self, member: &Member) -> Row {
        let head_start = item_span(&member.item).start();
        let mut row = Row {
            leading: self.docs_and_comments(&member.doc, head_start),
            ..Row::default()
        };
        match &member.item {
            Item::Attribute(attribute) => {
                let filter = attribute
                    .filter
                    .as_ref()
                    .map(|filter| format!(" {}", self.filter_text(filter)))
                    .unwrap_or_default();
                self.value_row(
                    &mut row,
                    Some(attribute.key.text.clone()),
                    &attribute.value,
                    &filter,
                );
            }
            Item::Block(block) => {
                let mut head = block.keyword.text.clone();
                let mut head_end = block.keyword.span.end();
                if let Some(name) = &block.name {
                    head.push(' ');
                    head.push_str(&name.text);
                    head_end = name.span.end();
                }
                let open = self.opening_brace(head_end);
                let close = block.span.end().saturating_sub(1);
                let key = format!("block {}", block.keyword.text);
                self.block_row(&mut row, head, Some(key), &block.members, open, close);
            }
            Item::Relation(relation) => self.relation_row(&mut row, relation),
            Item::NetRule(rule) => {
                row.hoist(self.take_before(rule.span.end()));
                row.cells = self.net_rule_cells(rule);
            }
            Item::Schema(schema) => {
                let open = self.opening_brace(schema.keyword_span.end());
                let close = schema.span.end().saturating_sub(1);
                if self.expands(open, close, !schema.fields.is_empty()) {
                    row.hoist(self.take_before(open));
                    let (head_comments, lines) =
                        self.sequence(Level::Block, open, close, &schema.fields);
                    row.expanded("schema {".to_string(), head_comments, lines);
                } else {
                    row.hoist(self.take_before(close + 1));
                    row.cells = vec![Cell::plain(format!(
                        "schema {}",
                        self.fields_inline(&schema.fields, GAP)
                    ))];
                }
            }
        }
        row
    }

    fn relation_row(&mut self, row: &mut Row, relation: &Relation) {
        let head = self.relation_head(relation);
        let Some(members) = &relation.body else {
            row.hoist(self.take_before(relation.span.end()));
            row.cells = vec![Cell::plain(head)];
            return;
        };
        let open = self.opening_brace(relation_head_end(relation));
        let close = relation.span.end().saturating_sub(1);
        self.block_row(row, head, None, members, open, close);
    }

    /// `key = value` (or a list item, without a key), with the value
    /// expanded when it is an object or list written over several lines.
    fn value_row(&mut self, row: &mut Row, key: Option<String>, value: &Value, suffix: &str) {
        let mut chain = Chain::default();
        self.value_chain(row, &mut chain, value);
        self.comments_in_row(value.span.end(), row, &mut chain);
        chain.text(suffix);
        row.cells = match key {
            Some(key) => vec![
                Cell::aligned(key, "=".to_string(), " "),
                Cell::plain(format!("= {}", chain.head)),
            ],
            None => vec![Cell::plain(chain.head)],
        };
        row.nested = chain.nested;
    }

    /// Places the comments before `position` inside a row being built:
    /// above the row while none of its blocks is expanded yet, else at the
    /// end of the last expanded block, so that they stay in order.
    fn comments_in_row(&mut self, position: usize, row: &mut Row, chain: &mut Chain) {
        let comments = self.take_before(position);
        match chain.nested.last_mut() {
            Some(last) => last.lines.extend(
                comments
                    .into_iter()
                    .map(|comment| Line::Comment(comment_text(comment))),
            ),
            None => row.hoist(comments),
        }
    }

    /// Expands the children between the brackets at `open` and `close`
    /// as the next block of a row, printed between `opening` and `closing`.
    fn block_in_row<T: Child>(
        &mut self,
        row: &mut Row,
        chain: &mut Chain,
        (opening, closing): (&str, &str),
        open: usize,
        close: usize,
        children: &[T],
    ) {
        self.comments_in_row(open, row, chain);
        let (head_comments, lines) = self.sequence(Level::Block, open, close, children);
        chain.text(opening);
        chain.nested.push(Nested {
            head_comments,
            lines,
            closing: closing.to_string(),
        });
    }

    fn value_chain(&mut self, row: &mut Row, chain: &mut Chain, value: &Value) {
        let close = value.span.end().saturating_sub(1);
        match &value.kind {
            ValueKind::Object(entries)
                if self.expands(value.span.start(), close, !entries.is_empty()) =>
            {
                let open = value.span.start();
                self.block_in_row(row, chain, ("{", "}"), open, close, entries);
            }
            ValueKind::Constructor { name, entries }
                if self.expands(
                    self.opening_brace(name.span.end()),
                    close,
                    !entries.is_empty(),
                ) =>
            {
                let open = self.opening_brace(name.span.end());
                let opening = format!("{} {{", name.text);
                self.block_in_row(row, chain, (&opening, "}"), open, close, entries);
            }
            ValueKind::List(items)
                if self.expands(value.span.start(), close, !items.is_empty()) =>
            {
                let open = value.span.start();
                self.block_in_row(row, chain, ("[", "]"), open, close, items);
            }
            ValueKind::Typed { name, ty } => {
                chain.text(&format!("{}: ", name.text));
                self.type_chain(row, chain, ty);
            }
            _ => {
                self.comments_in_row(value.span.end(), row, chain);
                chain.text(&self.value_inline(value));
            }
        }
    }

    /// Whether a type holds an object type that is printed over several
    /// lines.
    fn type_expands(&self, ty: &TypeExpr) -> bool {
        match &ty.kind {
            TypeExprKind::Object(fields) => self.expands(
                ty.span.start(),
                ty.span.end().saturating_sub(1),
                !fields.is_empty(),
            ),
            TypeExprKind::List(element) => self.type_expands(element),
            TypeExprKind::Union(alternatives) => alternatives
                .iter()
                .any(|alternative| self.type_expands(alternative)),
            TypeExprKind::Named(_) | TypeExprKind::Literal(_) => false,
        }
    }

    /// A type, with each object type written over several lines expanded:
    /// `[{` ... `}]`, `"a" | {` ... `}`.
    fn type_chain(&mut self, row: &mut Row, chain: &mut Chain, ty: &TypeExpr) {
        match &ty.kind {
            TypeExprKind::Object(fields) if self.type_expands(ty) => {
                let close = ty.span.end().saturating_sub(1);
                self.block_in_row(row, chain, ("{", "}"), ty.span.start(), close, fields);
            }
            TypeExprKind::List(element) if self.type_expands(ty) => {
                chain.text("[");
                self.type_chain(row, chain, element);
                chain.text("]");
            }
            TypeExprKind::Union(alternatives) if self.type_expands(ty) => {
                for (index, alternative) in alternatives.iter().enumerate() {
                    if index > 0 {
                        chain.text(" | ");
                    }
                    self.type_chain(row, chain, alternative);
                }
            }
            _ => {
                self.comments_in_row(ty.span.end(), row, chain);
                chain.text(&self.type_inline(ty));
            }
        }
    }

    fn list_item_row(&mut self, item: &Value) -> Row {
        let mut row = Row::default();
        self.value_row(&mut row, None, item, ",");
        row
    }

    fn entry_row(&mut self, entry: &Entry) -> Row {
        let mut row = Row::default();
        let key = self.entry_key(entry);
        self.value_row(&mut row, Some(key), &entry.value, "");
        row
    }

    fn field_row(&mut self, field: &Field) -> Row {
        let mut row = Row {
            leading: self.docs_and_comments(&field.doc, field.name.span.start()),
            ..Row::default()
        };
        let mark = if field.optional { "?" } else { "" };
        let mut chain = Chain {
            head: format!("{}{mark}: ", field.name.text),
            nested: Vec::new(),
        };
        self.type_chain(&mut row, &mut chain, &field.ty);
        self.comments_in_row(field.span.end(), &mut row, &mut chain);
        row.cells = vec![Cell::plain(chain.head)];
        row.nested = chain.nested;
        row
    }

    /// `allow in tcp 443 from app`, with the action and the direction padded
    /// so that the rules of a block line up.
    fn net_rule_cells(&self, rule: &NetRule) -> Vec<Cell> {
        let action = match rule.action {
            RuleAction::Allow => "allow",
            RuleAction::Deny => "deny",
        };
        let (direction, peer_direction) = match rule.direction {
            syntax::ast::Direction::In => ("in", "from"),
            syntax::ast::Direction::Out => ("out", "to"),
        };
        let mut rest = rule.protocol.text().to_string();
        if let Some(ports) = &rule.ports {
            rest.push(' ');
            rest.push_str(self.text(ports.span));
        }
        let peer = match &rule.peer {
            Peer::Cidr(cidr) => cidr.clone(),
            Peer::Anywhere => "anywhere".to_string(),
            Peer::Name(path) => path.text(),
        };
        let _ = write!(rest, " {peer_direction} {peer}");
        vec![
            Cell::aligned(action.to_string(), "rule action".to_string(), " "),
            Cell::aligned(direction.to_string(), "rule direction".to_string(), " "),
            Cell::plain(rest),
        ]
    }

    // -----------------------------------------------------------------------
    // On one line.

    fn member_inline(&self, member: &Member) -> String {
        if !member.doc.is_empty() {
            self.lost_docs.set(true);
        }
        match &member.item {
            Item::Attribute(attribute) => {
                let mut text = format!(
                    "{} = {}",
                    attribute.key.text,
                    self.value_inline(&attribute.value)
                );
                if let Some(filter) = &attribute.filter {
                    text.push(' ');
                    text.push_str(&self.filter_text(filter));
                }
                text
            }
            Item::Block(block) => {
                let mut text = block.keyword.text.clone();
                if let Some(name) = &block.name {
                    text.push(' ');
                    text.push_str(&name.text);
                }
                format!("{text} {}", self.members_inline(&block.members))
            }
            Item::Relation(relation) => {
                let head = self.relation_head(relation);
                match &relation.body {
                    Some(members) => format!("{head} {}", self.members_inline(members)),
                    None => head,
                }
            }
            Item::NetRule(rule) => self
                .net_rule_cells(rule)
                .into_iter()
                .map(|cell| cell.text)
                .collect::<Vec<_>>()
                .join(" "),
            Item::Schema(schema) => format!("schema {}", self.fields_inline(&schema.fields, GAP)),
        }
    }

    fn members_inline(&self, members: &[Member]) -> String {
        if members.is_empty() {
            return "{}".to_string();
        }
        let inside: Vec<String> = members
            .iter()
            .map(|member| self.member_inline(member))
            .collect();
        format!("{{ {} }}", inside.join(GAP))
    }

    fn relation_head(&self, relation: &Relation) -> String {
        let mut text = relation.kind.keyword().to_string();
        let targets: Vec<String> = relation
            .targets
            .iter()
            .map(syntax::ast::Path::text)
            .collect();
        text.push(' ');
        if relation.bracketed {
            let _ = write!(text, "[{}]", targets.join(", "));
        } else {
            text.push_str(&targets.join(", "));
        }
        if let Some(access) = &relation.access {
            let _ = write!(text, " ({})", access.text);
        }
        // `where` and `via` in the order they were written.
        let mut clauses: Vec<(usize, String)> = Vec::new();
        if let Some(filter) = &relation.filter {
            clauses.push((filter.span.start(), self.filter_text(filter)));
        }
        if let Some(via) = &relation.via {
            clauses.push((via.span.start(), format!("via {}", via.text())));
        }
        clauses.sort_by_key(|(start, _)| *start);
        for (_, clause) in clauses {
            text.push(' ');
            text.push_str(&clause);
        }
        text
    }

    /// `where a = 1 and b exists`, on one line.
    fn filter_text(&self, filter: &syntax::ast::Filter) -> String {
        let conditions: Vec<String> = filter
            .conditions
            .iter()
            .map(|condition| {
                let field = condition.field.text();
                match &condition.value {
                    Some(value) => {
                        format!(
                            "{field} {} {}",
                            condition.op.text(),
                            self.value_inline(value)
                        )
                    }
                    None => format!("{field} {}", condition.op.text()),
                }
            })
            .collect();
        format!("where {}", conditions.join(" and "))
    }

    fn value_inline(&self, value: &Value) -> String {
        match &value.kind {
            ValueKind::Quantity { .. }
            | ValueKind::Money(_)
            | ValueKind::String(_)
            | ValueKind::Bool(_)
            | ValueKind::Cidr(_)
            | ValueKind::Ip(_)
            | ValueKind::PortRange(_)
            | ValueKind::Malformed(_) => self.text(value.span).to_string(),
            ValueKind::Path(path) => path.text(),
            ValueKind::List(items) => {
                let items: Vec<String> = items.iter().map(|item| self.value_inline(item)).collect();
                format!("[{}]", items.join(", "))
            }
            ValueKind::Object(entries) => self.entries_inline(entries),
            ValueKind::Constructor { name, entries } => {
                format!("{} {}", name.text, self.entries_inline(entries))
            }
            ValueKind::Typed { name, ty } => format!("{}: {}", name.text, self.type_inline(ty)),
        }
    }

    fn entry_key(&self, entry: &Entry) -> String {
        if entry.quoted {
            self.text(entry.key.span).to_string()
        } else {
            entry.key.text.clone()
        }
    }

    fn entries_inline(&self, entries: &[Entry]) -> String {
        if entries.is_empty() {
            return "{}".to_string();
        }
        let inside: Vec<String> = entries
            .iter()
            .map(|entry| {
                format!(
                    "{} = {}",
                    self.entry_key(entry),
                    self.value_inline(&entry.value)
                )
            })
            .collect();
        format!("{{ {} }}", inside.join(GAP))
    }

    /// `{ a: T  b: U }` in a schema, `{ a: T, b: U }` in a type.
    fn fields_inline(&self, fields: &[Field], separator: &str) -> String {
        if fields.is_empty() {
            return "{}".to_string();
        }
        let inside: Vec<String> = fields
            .iter()
            .map(|field| {
                if !field.doc.is_empty() {
                    self.lost_docs.set(true);
                }
                let mark = if field.optional { "?" } else { "" };
                format!("{}{mark}: {}", field.name.text, self.type_inline(&field.ty))
            })
            .collect();
        format!("{{ {} }}", inside.join(separator))
    }

    fn type_inline(&self, ty: &TypeExpr) -> String {
        match &ty.kind {
            TypeExprKind::Named(name) => name.text.clone(),
            TypeExprKind::Literal(_) => self.text(ty.span).to_string(),
            TypeExprKind::List(element) => format!("[{}]", self.type_inline(element)),
            TypeExprKind::Object(fields) => self.fields_inline(fields, ", "),
            TypeExprKind::Union(alternatives) => alternatives
                .iter()
                .map(|alternative| self.type_inline(alternative))
                .collect::<Vec<_>>()
                .join(" | "),
        }
    }
}

/// What is laid out as one row of a sequence: a declaration, member, entry,
/// field or list item.
trait Child {
    /// Where it starts (its doc comments included) and ends.
    fn bounds(&self) -> (usize, usize);
    fn row(&self, printer: &mut Printer<'_>) -> Row;
}

impl Child for Declaration {
    fn bounds(&self) -> (usize, usize) {
        let start = self
            .doc
            .first()
            .map_or(self.span.start(), |doc| doc.span.start());
        (start, self.span.end())
    }

    fn row(&self, printer: &mut Printer<'_>) -> Row {
        printer.declaration_row(self)
    }
}

/// `Child` for a node whose span covers it whole, laid out by `$row`.
macro_rules! child {
    ($node:ty, $row:ident) => {
        impl Child for $node {
            fn bounds(&self) -> (usize, usize) {
                (self.span.start(), self.span.end())
            }

            fn row(&self, printer: &mut Printer<'_>) -> Row {
                printer.$row(self)
            }
        }
    };
}

child!(Member, member_row);
child!(Entry, entry_row);
child!(Field, field_row);
// A list item.
child!(Value, list_item_row);

/// Whether an empty line goes before the next line (`row`, or a comment
/// when `None`): where the source had one (several become one), and
/// between declarations, except between one-line declarations written
/// together, which read as a table.
fn blank_before(level: Level, lines: &[Line], gap: Option<&str>, row: Option<&Row>) -> bool {
    let Some(previous) = lines.last() else {
        return false;
    };
    let written = gap.is_some_and(has_blank_line);
    if written || level == Level::Block {
        return written;
    }
    match previous {
        Line::Row(previous) => !(previous.one_line() && row.is_none_or(Row::one_line)),
        Line::Blank | Line::Comment(_) => false,
    }
}

fn item_span(item: &Item) -> Span {
    match item {
        Item::Attribute(attribute) => attribute.span,
        Item::Block(block) => block.span,
        Item::Relation(relation) => relation.span,
        Item::NetRule(rule) => rule.span,
        Item::Schema(schema) => schema.span,
    }
}

/// Where the part of a relation before its body ends.
fn relation_head_end(relation: &Relation) -> usize {
    let mut end = relation.keyword_span.end();
    for target in &relation.targets {
        end = end.max(target.span.end());
    }
    if let Some(access) = &relation.access {
        end = end.max(access.span.end());
    }
    if let Some(filter) = &relation.filter {
        end = end.max(filter.span.end());
    }
    if let Some(via) = &relation.via {
        end = end.max(via.span.end());
    }
    end
}

/// What a member is called, for alignment: its key or keyword.
fn member_label(member: &Member) -> String {
    match &member.item {
        Item::Attribute(attribute) => attribute.key.text.clone(),
        Item::Block(block) => block.keyword.text.clone(),
        Item::Relation(relation) => relation.kind.keyword().to_string(),
        Item::NetRule(_) => "rule".to_string(),
        Item::Schema(_) => "schema".to_string(),
    }
}

/// Whether the member after this one, in a one-line block, lines up with
/// the same member of the rows around it: after an attribute with a single
/// value, not after an object, list or block.
fn aligns_after(member: &Member) -> bool {
    match &member.item {
        Item::Attribute(attribute) => !matches!(
            attribute.value.kind,
            ValueKind::List(_) | ValueKind::Object(_) | ValueKind::Constructor { .. }
        ),
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// From lines to text: alignment and indentation.

fn width(text: &str) -> usize {
    text.chars().count()
}

/// The first line of every row, with its cells padded: in a run of rows
/// not broken by an empty line, a cell is padded to the widest of the cells
/// in the same column of the consecutive rows whose keys up to that column
/// are the same.
fn aligned_heads(lines: &[Line]) -> Vec<String> {
    let mut widths: Vec<Vec<usize>> = lines
        .iter()
        .map(|line| match line {
            Line::Row(row) => row.cells.iter().map(|cell| width(&cell.text)).collect(),
            Line::Blank | Line::Comment(_) => Vec::new(),
        })
        .collect();
    let mut group: Vec<(usize, &Row)> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        match line {
            Line::Row(row) => group.push((index, row)),
            Line::Blank => {
                align_group(&group, &mut widths);
                group.clear();
            }
            Line::Comment(_) => {}
        }
    }
    align_group(&group, &mut widths);
    lines
        .iter()
        .zip(&widths)
        .map(|(line, widths)| match line {
            Line::Row(row) => {
                let mut head = String::new();
                let last = row.cells.len().saturating_sub(1);
                for (index, cell) in row.cells.iter().enumerate() {
                    head.push_str(&cell.text);
                    if index < last {
                        let target = widths.get(index).copied().unwrap_or(0);
                        head.push_str(&" ".repeat(target.saturating_sub(width(&cell.text))));
                        head.push_str(cell.separator);
                    }
                }
                head
            }
            Line::Blank | Line::Comment(_) => String::new(),
        })
        .collect()
}

/// The keys of a row's cells up to `column`, if that cell is aligned.
fn keys_to(row: &Row, column: usize) -> Option<Vec<&str>> {
    if row.cells.len() <= column + 1 {
        return None;
    }
    row.cells
        .iter()
        .take(column + 1)
        .map(|cell| cell.key.as_deref())
        .collect()
}

fn align_group(group: &[(usize, &Row)], widths: &mut [Vec<usize>]) {
    let columns = group
        .iter()
        .map(|(_, row)| row.cells.len())
        .max()
        .unwrap_or(0);
    for column in 0..columns.saturating_sub(1) {
        let mut run: Vec<usize> = Vec::new();
        let mut run_keys: Option<Vec<&str>> = None;
        for (index, row) in group {
            let keys = keys_to(row, column);
            if keys.is_some() && keys == run_keys {
                run.push(*index);
            } else {
                pad_run(&run, column, widths);
                run = if keys.is_some() {
                    vec![*index]
                } else {
                    Vec::new()
                };
                run_keys = keys;
            }
        }
        pad_run(&run, column, widths);
    }
}

fn pad_run(run: &[usize], column: usize, widths: &mut [Vec<usize>]) {
    if run.len() < 2 {
        return;
    }
    let widest = run
        .iter()
        .filter_map(|index| widths.get(*index).and_then(|row| row.get(column)))
        .copied()
        .max()
        .unwrap_or(0);
    for index in run {
        if let Some(cell) = widths.get_mut(*index).and_then(|row| row.get_mut(column)) {
            *cell = widest;
        }
    }
}

/// The column of the trailing comment of each one-line row: the trailing
/// comments of consecutive one-line rows start in one column, two spaces
/// after the longest of those rows that have one.
fn comment_columns(lines: &[Line], heads: &[String]) -> Vec<Option<usize>> {
    let mut columns = vec![None; lines.len()];
    let mut run: Vec<usize> = Vec::new();
    let close = |run: &mut Vec<usize>, columns: &mut Vec<Option<usize>>| {
        let widest = run
            .iter()
            .filter_map(|index| heads.get(*index))
            .map(|head| width(head))
            .max();
        if let Some(widest) = widest {
            for index in run.iter() {
                if let Some(column) = columns.get_mut(*index) {
                    *column = Some(widest + GAP.len());
                }
            }
        }
        run.clear();
    };
    for (index, line) in lines.iter().enumerate() {
        match line {
            Line::Row(row) if row.one_line() => {
                if !row.trailing.is_empty() {
                    run.push(index);
                }
            }
            Line::Row(_) | Line::Blank => close(&mut run, &mut columns),
            Line::Comment(_) => {}
        }
    }
    close(&mut run, &mut columns);
    columns
}

fn emit(lines: &[Line], depth: usize, out: &mut String) {
    let indent = INDENT.repeat(depth);
    let heads = aligned_heads(lines);
    let columns = comment_columns(lines, &heads);
    for ((line, head), column) in lines.iter().zip(&heads).zip(&columns) {
        match line {
            Line::Blank => out.push('\n'),
            Line::Comment(text) => {
                out.push_str(&indent);
                out.push_str(text);
                out.push('\n');
            }
            Line::Row(row) => {
                for leading in &row.leading {
                    out.push_str(&indent);
                    out.push_str(leading);
                    out.push('\n');
                }
                out.push_str(&indent);
                let first_line = row.verbatim.as_deref().unwrap_or(head);
                out.push_str(first_line);
                let mut line_width = width(first_line.rsplit('\n').next().unwrap_or(""));
                for nested in &row.nested {
                    for comment in &nested.head_comments {
                        out.push_str(GAP);
                        out.push_str(comment);
                    }
                    out.push('\n');
                    emit(&nested.lines, depth + 1, out);
                    out.push_str(&indent);
                    out.push_str(&nested.closing);
                    line_width = width(&nested.closing);
                }
                if !row.trailing.is_empty() {
                    let target = column.unwrap_or(line_width + GAP.len());
                    out.push_str(&" ".repeat(target.saturating_sub(line_width).max(1)));
                    out.push_str(&row.trailing.join(" "));
                }
                out.push('\n');
            }
        }
    }
}
