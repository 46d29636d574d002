//! Writing a file's blocks as text, laid out as `terraform fmt` lays them
//! out, in one pass: every choice (one line or several, the padding that
//! aligns `=`, where a comment goes) is made while writing, from the
//! blocks hcl-rs's builders made. Nothing is printed to be parsed again.
//!
//! The layout:
//! - blocks are separated from what is next to them by a blank line;
//!   attributes that follow each other are not;
//! - the `=` of a run of single-line attributes (or of a multi-line
//!   object's entries) is aligned; a multi-line value or a block ends a run;
//! - an object is written over lines; an array on one line, unless one of
//!   its items is an array or an object or the line would pass `WIDTH`,
//!   when each item gets its own line;
//! - a function's arguments are written on its line, unless the call would
//!   pass `WIDTH` and an argument is an array or an object: then those
//!   arguments go over lines;
//! - an empty block is `name {}`.

use std::fmt::Write as _;

use hcl::expr::{FuncCall, TemplateExpr, TraversalOperator};
use hcl::{Block, BlockLabel, Expression, Object, ObjectKey, Structure};

/// The widest line meshc writes when it can choose.
const WIDTH: usize = 100;

/// A comment to write on a block of a file.
#[derive(Debug)]
pub(super) struct Note {
    /// Nested blocks below the block: identifier and occurrence.
    pub path: Vec<(String, usize)>,
    /// As the first line inside the block, rather than above it.
    pub inside: bool,
    pub text: String,
}

/// Writes a file's blocks one after the other, each with its comments.
#[derive(Default)]
pub(super) struct Writer {
    out: String,
    spare: Spare,
}

impl Writer {
    /// Writes a top-level block, after a blank line unless it is the
    /// file's first.
    pub fn write(&mut self, block: &Block, notes: &[Note]) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.block(block, 0, &mut Vec::new(), notes);
    }

    /// The file's text, holding no more memory than its bytes: the files
    /// of a build are held together until they are written.
    pub fn finish(mut self) -> String {
        if !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        self.out.shrink_to_fit();
        self.out
    }

    fn block<'a>(
        &mut self,
        block: &'a Block,
        indent: usize,
        path: &mut Vec<(&'a str, usize)>,
        notes: &[Note],
    ) {
        let here =
            |note: &&Note| {
                note.path.len() == path.len()
                    && note.path.iter().zip(path.iter()).all(
                        |((ident, index), (at, occurrence))| ident == at && index == occurrence,
                    )
            };
        // A later comment above a block replaces an earlier one.
        if let Some(note) = notes.iter().rev().filter(here).find(|note| !note.inside) {
            comment_lines(&mut self.out, &note.text, indent);
        }
        spaces(&mut self.out, indent);
        self.out.push_str(block.identifier());
        for label in block.labels() {
            self.out.push(' ');
            match label {
                BlockLabel::Identifier(identifier) => self.out.push_str(identifier),
                BlockLabel::String(text) => quoted(&mut self.out, text),
            }
        }
        if block.body().iter().next().is_none() {
            self.out.push_str(" {}\n");
            return;
        }
        self.out.push_str(" {\n");
        // Comments inside a block: the latest first.
        for note in notes.iter().filter(here).filter(|note| note.inside).rev() {
            comment_lines(&mut self.out, &note.text, indent + 2);
        }
        self.body(block, indent + 2, path, notes);
        spaces(&mut self.out, indent);
        self.out.push_str("}\n");
    }

    fn body<'a>(
        &mut self,
        block: &'a Block,
        indent: usize,
        path: &mut Vec<(&'a str, usize)>,
        notes: &[Note],
    ) {
        let (mut values, mut run) = self.spare.take();
        // The blocks met so far, to find a nested block's comments by its
        // occurrence: only in a block that has comments.
        let mut seen: Vec<&'a str> = Vec::new();
        // What came before: none, an attribute (false) or a block (true). A
        // blank line separates a block from what is next to it.
        let mut previous: Option<bool> = None;
        for structure in block.body() {
            match structure {
                Structure::Attribute(attribute) => {
                    if previous == Some(true) {
                        self.out.push('\n');
                    }
                    previous = Some(false);
                    let key = attribute.key();
                    entry(
                        &mut values,
                        &mut run,
                        &mut self.spare,
                        |text| text.push_str(key),
                        attribute.expr(),
                        indent,
                    );
                }
                Structure::Block(nested) => {
                    flush(&mut self.out, &values, &mut run, indent);
                    values.clear();
                    if previous.is_some() {
                        self.out.push('\n');
                    }
                    previous = Some(true);
                    let identifier = nested.identifier();
                    let mut occurrence = 0;
                    if !notes.is_empty() {
                        occurrence = seen.iter().filter(|seen| **seen == identifier).count();
                        seen.push(identifier);
                    }
                    path.push((identifier, occurrence));
                    self.block(nested, indent, path, notes);
                    path.pop();
                }
            }
        }
        flush(&mut self.out, &values, &mut run, indent);
        self.spare.give(values, run);
    }
}

/// What the `=` of one entry is padded to: its key's width, and whether
/// its value spans lines (which ends a run).
struct Entry {
    key: std::ops::Range<usize>,
    value: std::ops::Range<usize>,
    over_lines: bool,
}

/// Lays out one `key = value` entry at `indent` into `text`, to be written
/// by `flush` once the padding of its run is known.
fn entry(
    text: &mut String,
    entries: &mut Vec<Entry>,
    spare: &mut Spare,
    key: impl FnOnce(&mut String),
    expression: &Expression,
    indent: usize,
) {
    let mark = text.len();
    key(text);
    let key_range = mark..text.len();
    let start = indent + key_range.len() + 3;
    let value_mark = text.len();
    value(text, spare, expression, indent, start);
    entries.push(Entry {
        key: key_range,
        value: value_mark..text.len(),
        over_lines: spans_lines(text, value_mark),
    });
}

/// Buffers to lay out a body's or an object's entries in before their
/// keys are padded: taken and given back, so that a file costs a handful
/// of allocations whatever its size.
#[derive(Default)]
struct Spare {
    texts: Vec<String>,
    entries: Vec<Vec<Entry>>,
}

impl Spare {
    fn take(&mut self) -> (String, Vec<Entry>) {
        (
            self.texts.pop().unwrap_or_default(),
            self.entries.pop().unwrap_or_default(),
        )
    }

    fn give(&mut self, mut text: String, mut entries: Vec<Entry>) {
        text.clear();
        entries.clear();
        self.texts.push(text);
        self.entries.push(entries);
    }
}

/// Whether what was written from `mark` on spans lines.
fn spans_lines(text: &str, mark: usize) -> bool {
    text.get(mark..)
        .is_some_and(|written| written.contains('\n'))
}

/// Writes a run of entries (`key = value` lines), padding the `=` of each
/// stretch of single-line values to the widest key of the stretch.
fn flush(out: &mut String, text: &str, entries: &mut Vec<Entry>, indent: usize) {
    let mut stretch_start = 0;
    while stretch_start < entries.len() {
        // A stretch: single-line entries, or one multi-line entry alone.
        let mut stretch_end = stretch_start;
        while entries
            .get(stretch_end)
            .is_some_and(|entry| !entry.over_lines)
        {
            stretch_end += 1;
        }
        let stretch = if stretch_end == stretch_start {
            stretch_end += 1;
            entries.get(stretch_start..stretch_end).unwrap_or(&[])
        } else {
            entries.get(stretch_start..stretch_end).unwrap_or(&[])
        };
        let width = stretch
            .iter()
            .map(|entry| entry.key.len())
            .max()
            .unwrap_or(0);
        for entry in stretch {
            spaces(out, indent);
            out.push_str(text.get(entry.key.clone()).unwrap_or(""));
            spaces(out, width - entry.key.len() + 1);
            out.push_str("= ");
            out.push_str(text.get(entry.value.clone()).unwrap_or(""));
            out.push('\n');
        }
        stretch_start = stretch_end;
    }
    entries.clear();
}

fn is_collection(expression: &Expression) -> bool {
    matches!(expression, Expression::Array(_) | Expression::Object(_))
}

/// Writes a value laid out over lines where it must be. `indent`: the
/// indentation of the line it starts on; `start`: the column it starts at.
fn value(
    out: &mut String,
    spare: &mut Spare,
    expression: &Expression,
    indent: usize,
    start: usize,
) {
    match expression {
        Expression::Array(items) if items.iter().any(is_collection) => {
            items_over_lines(out, spare, items, indent);
        }
        Expression::Array(items) => {
            let mark = out.len();
            flat(out, expression);
            if start + (out.len() - mark) > WIDTH && !items.is_empty() {
                out.truncate(mark);
                out.push_str("[\n");
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push_str(",\n");
                    }
                    spaces(out, indent + 2);
                    flat(out, item);
                }
                out.push('\n');
                spaces(out, indent);
                out.push(']');
            }
        }
        Expression::Object(object) => object_over_lines(out, spare, object, indent),
        Expression::FuncCall(call) => {
            let mark = out.len();
            flat(out, expression);
            if start + (out.len() - mark) > WIDTH && call.args.iter().any(is_collection) {
                out.truncate(mark);
                function_name(out, call);
                out.push('(');
                for (index, argument) in call.args.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    match argument {
                        Expression::Array(items) => items_over_lines(out, spare, items, indent),
                        Expression::Object(object) => {
                            object_over_lines(out, spare, object, indent);
                        }
                        other => flat(out, other),
                    }
                }
                out.push_str(if call.expand_final { "...)" } else { ")" });
            }
        }
        other => flat(out, other),
    }
}

/// `[`, each item on its own line, `]`.
fn items_over_lines(out: &mut String, spare: &mut Spare, items: &[Expression], indent: usize) {
    if items.is_empty() {
        out.push_str("[]");
        return;
    }
    out.push_str("[\n");
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push_str(",\n");
        }
        spaces(out, indent + 2);
        value(out, spare, item, indent + 2, indent + 2);
    }
    out.push('\n');
    spaces(out, indent);
    out.push(']');
}

/// `{`, each entry on its own line with its `=` aligned, `}`.
fn object_over_lines(
    out: &mut String,
    spare: &mut Spare,
    object: &Object<ObjectKey, Expression>,
    indent: usize,
) {
    if object.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push_str("{\n");
    let (mut text, mut entries) = spare.take();
    for (key, item) in object {
        entry(
            &mut text,
            &mut entries,
            spare,
            |text| object_key(text, key),
            item,
            indent + 2,
        );
    }
    flush(out, &text, &mut entries, indent + 2);
    spare.give(text, entries);
    spaces(out, indent);
    out.push('}');
}

/// An object's key as hcl-rs writes it: bare where it may be.
fn object_key(out: &mut String, key: &ObjectKey) {
    match key {
        ObjectKey::Identifier(identifier) if is_bare_key(identifier) => out.push_str(identifier),
        ObjectKey::Identifier(identifier) => quoted(out, identifier),
        ObjectKey::Expression(Expression::String(text)) if is_bare_key(text) => {
            out.push_str(text);
        }
        ObjectKey::Expression(expression) => flat(out, expression),
        other => fallback(out, other),
    }
}

/// Whether an object key can go unquoted: an identifier that is no
/// keyword (`true`, `false`, `null`, `for`).
fn is_bare_key(text: &str) -> bool {
    hcl_primitives::ident::is_valid_object_key(text)
}

/// Writes an expression on one line, as hcl-rs writes a function's
/// arguments.
fn flat(out: &mut String, expression: &Expression) {
    match expression {
        Expression::Null => out.push_str("null"),
        Expression::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Expression::Number(number) => {
            let _ = write!(out, "{number}");
        }
        Expression::String(text) => quoted(out, text),
        Expression::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                flat(out, item);
            }
            out.push(']');
        }
        Expression::Object(object) => {
            if object.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{ ");
            for (index, (key, entry)) in object.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                object_key(out, key);
                out.push_str(" = ");
                flat(out, entry);
            }
            out.push_str(" }");
        }
        Expression::TemplateExpr(template)
            if matches!(**template, TemplateExpr::QuotedString(_)) =>
        {
            if let TemplateExpr::QuotedString(text) = &**template {
                out.push('"');
                raw_template(out, text);
                out.push('"');
            }
        }
        Expression::Variable(variable) => out.push_str(variable),
        Expression::Traversal(traversal) => {
            flat(out, &traversal.expr);
            for operator in &traversal.operators {
                match operator {
                    TraversalOperator::GetAttr(identifier) => {
                        out.push('.');
                        out.push_str(identifier);
                    }
                    TraversalOperator::Index(index) => {
                        out.push('[');
                        flat(out, index);
                        out.push(']');
                    }
                    TraversalOperator::FullSplat => out.push_str("[*]"),
                    TraversalOperator::AttrSplat => out.push_str(".*"),
                    TraversalOperator::LegacyIndex(index) => {
                        let _ = write!(out, ".{index}");
                    }
                }
            }
        }
        Expression::FuncCall(call) => {
            function_name(out, call);
            out.push('(');
            for (index, argument) in call.args.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                flat(out, argument);
            }
            out.push_str(if call.expand_final { "...)" } else { ")" });
        }
        Expression::Parenthesis(inner) => {
            out.push('(');
            flat(out, inner);
            out.push(')');
        }
        Expression::Conditional(conditional) => {
            flat(out, &conditional.cond_expr);
            out.push_str(" ? ");
            flat(out, &conditional.true_expr);
            out.push_str(" : ");
            flat(out, &conditional.false_expr);
        }
        // Heredocs, operations and `for` expressions: meshc writes none;
        // hcl-rs writes them as it would.
        other => fallback(out, other),
    }
}

/// What hcl-rs's own formatter writes for what meshc never builds.
fn fallback(out: &mut String, item: &impl hcl::format::Format) {
    let mut formatter = hcl::format::Formatter::builder()
        .prefer_ident_keys(true)
        .compact(true)
        .build_vec();
    if let Ok(text) = item.format_string(&mut formatter) {
        out.push_str(&text);
    }
}

fn function_name(out: &mut String, call: &FuncCall) {
    for component in &call.name.namespace {
        out.push_str(component);
        out.push_str("::");
    }
    out.push_str(&call.name.name);
}

/// A quoted string, escaped as hcl-rs escapes it: template markers
/// (`${`, `%{`) doubled, quotes, backslashes and control characters
/// escaped.
fn quoted(out: &mut String, text: &str) {
    out.push('"');
    escaped(out, &hcl_primitives::template::escape_markers(text));
    out.push('"');
}

/// A template's raw text, which holds its escapes already: only control
/// characters written as themselves are escaped.
fn raw_template(out: &mut String, text: &str) {
    let mut start = 0;
    for (index, byte) in text.bytes().enumerate() {
        if byte < 0x20 || byte == 0x7f {
            out.push_str(text.get(start..index).unwrap_or(""));
            control(out, byte);
            start = index + 1;
        }
    }
    out.push_str(text.get(start..).unwrap_or(""));
}

fn control(out: &mut String, byte: u8) {
    match byte {
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        _ => {
            let _ = write!(out, "\\u{byte:04x}");
        }
    }
}

/// `text` with `"`, `\` and control characters escaped.
fn escaped(out: &mut String, text: &str) {
    let mut start = 0;
    for (index, byte) in text.bytes().enumerate() {
        if !matches!(byte, b'"' | b'\\' | 0..=0x1f | 0x7f) {
            continue;
        }
        out.push_str(text.get(start..index).unwrap_or(""));
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            _ => control(out, byte),
        }
        start = index + 1;
    }
    out.push_str(text.get(start..).unwrap_or(""));
}

fn spaces(out: &mut String, count: usize) {
    for _ in 0..count {
        out.push(' ');
    }
}

/// `# text` lines (or `#checkov:skip=...`, which checkov reads only
/// without a space after the `#`) at `indent`.
fn comment_lines(out: &mut String, text: &str, indent: usize) {
    for line in text.lines() {
        spaces(out, indent);
        if !line.starts_with("#checkov") {
            out.push_str("# ");
        }
        out.push_str(line);
        out.push('\n');
    }
}
