//! Writing HCL: blocks are built with hcl-rs's builders, printed
//! with its formatter, then laid out as `terraform fmt` does (attribute `=`
//! aligned in runs of single-line attributes) and annotated with comments,
//! both through hcl-edit's decor — never by assembling HCL text.

use hcl::edit::Decorate;
use hcl::edit::structure::{Body as EditBody, Structure};
use hcl::expr::{FuncCall, TemplateExpr, Traversal, TraversalOperator, Variable};
use hcl::{Block, BlockBuilder, Body, Expression, Identifier, Object, ObjectKey};

/// A comment to place on a block of a file.
#[derive(Debug)]
struct Note {
    /// The top-level block.
    block: usize,
    /// Nested blocks below it: identifier and occurrence.
    path: Vec<(String, usize)>,
    /// As the first line inside the block, rather than above it.
    inside: bool,
    text: String,
}

/// One `.tf` file being built.
#[derive(Debug, Default)]
pub(super) struct TfFile {
    blocks: Vec<Block>,
    notes: Vec<Note>,
    /// How many blocks were added.
    added: usize,
    /// Whether the blocks are dropped as they are added: the file is built
    /// only to find what the backend would refuse (`meshc check`).
    measuring: bool,
}

impl TfFile {
    pub fn new(context: &super::Context<'_>) -> TfFile {
        TfFile {
            measuring: context.measuring,
            ..TfFile::default()
        }
    }

    /// Adds a block and returns its index, for notes.
    pub fn add(&mut self, block: Block) -> usize {
        self.added += 1;
        if !self.measuring {
            self.blocks.push(block);
        }
        self.added - 1
    }

    /// A `# comment` line (or several) above a block.
    pub fn note_above(&mut self, block: usize, text: &str) {
        if self.measuring {
            return;
        }
        self.notes.push(Note {
            block,
            path: Vec::new(),
            inside: false,
            text: text.to_string(),
        });
    }

    /// A comment as the first line inside a block, where checkov looks for
    /// `#checkov:skip=...`.
    pub fn note_inside(&mut self, block: usize, text: &str) {
        if self.measuring {
            return;
        }
        self.notes.push(Note {
            block,
            path: Vec::new(),
            inside: true,
            text: text.to_string(),
        });
    }

    /// A comment above a nested block, found by identifier and occurrence.
    pub fn note_nested(&mut self, block: usize, path: &[(&str, usize)], text: &str) {
        if self.measuring {
            return;
        }
        self.notes.push(Note {
            block,
            path: path
                .iter()
                .map(|(ident, index)| ((*ident).to_string(), *index))
                .collect(),
            inside: false,
            text: text.to_string(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.added == 0
    }

    /// The type and name of each `resource` block, in order.
    pub fn resources(&self) -> impl Iterator<Item = (&str, &str)> {
        self.blocks.iter().filter_map(|block| match block.labels() {
            [kind, name] if block.identifier() == "resource" => {
                Some((kind.as_str(), name.as_str()))
            }
            _ => None,
        })
    }

    /// The file's text, formatted as `terraform fmt` formats it.
    pub fn render(self) -> String {
        let body = Body::from(self.blocks);
        let text = hcl::format::Formatter::builder()
            .prefer_ident_keys(true)
            .compact_arrays(true)
            .build_vec();
        let mut formatter = text;
        if hcl::format::Format::format(&body, &mut formatter).is_err() {
            return String::new();
        }
        let text = String::from_utf8(formatter.into_inner()).unwrap_or_default();
        let Ok(mut edit) = hcl::edit::parser::parse_body(&text) else {
            return text;
        };
        relayout(&mut edit, 1);
        align(&mut edit);
        for note in &self.notes {
            annotate(&mut edit, note);
        }
        let mut out = edit.to_string();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

fn comment_lines(text: &str, indent: &str) -> String {
    let mut lines = String::new();
    for line in text.lines() {
        // checkov reads `#checkov:skip=...` without a space after the `#`.
        let marker = if line.starts_with("#checkov") {
            ""
        } else {
            "# "
        };
        lines.push_str(indent);
        lines.push_str(marker);
        lines.push_str(line);
        lines.push('\n');
    }
    lines
}

fn annotate(body: &mut EditBody, note: &Note) {
    let Some(mut block) = body.get_mut(note.block).and_then(Structure::as_block_mut) else {
        return;
    };
    let mut depth = 1;
    for (ident, occurrence) in &note.path {
        let Some(next) = block.body.get_blocks_mut(ident).nth(*occurrence) else {
            return;
        };
        block = next;
        depth += 1;
    }
    let outer = "  ".repeat(depth - 1);
    if note.inside {
        let inner = "  ".repeat(depth);
        if let Some(first) = block.body.get_mut(0) {
            let prefix = first
                .decor()
                .prefix()
                .map(|prefix| prefix.to_string())
                .unwrap_or_default();
            let rest = prefix.trim_start_matches(' ');
            first.decor_mut().set_prefix(
                format!("{}{inner}", comment_lines(&note.text, &inner))
                    + rest.trim_start_matches('\n'),
            );
        }
    } else {
        let prefix = block
            .decor()
            .prefix()
            .map(|prefix| prefix.to_string())
            .unwrap_or_default();
        let (blank, _) = prefix.split_at(prefix.len() - prefix.trim_start_matches('\n').len());
        block.decor_mut().set_prefix(format!(
            "{blank}{}{outer}",
            comment_lines(&note.text, &outer)
        ));
    }
}

/// The widest line meshc writes when it can choose.
const WIDTH: usize = 100;

/// How to print an expression anew.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Print {
    /// Objects over several lines, arrays on one.
    Objects,
    /// Arrays and objects over several lines.
    Everything,
}

/// An expression printed anew, with its inner lines indented by `indent`
/// spaces.
fn printed(
    expression: &hcl::edit::expr::Expression,
    print: Print,
    indent: usize,
) -> Option<String> {
    let value = Expression::from(expression.clone());
    let mut formatter = hcl::format::Formatter::builder()
        .prefer_ident_keys(true)
        .compact_arrays(print == Print::Objects)
        .build_vec();
    hcl::format::Format::format(&value, &mut formatter).ok()?;
    let text = String::from_utf8(formatter.into_inner()).ok()?;
    let padding = " ".repeat(indent);
    let mut lines = text.lines();
    let mut out = lines.next()?.to_string();
    for line in lines {
        out.push('\n');
        out.push_str(&padding);
        out.push_str(line);
    }
    Some(out)
}

/// Replaces an expression by the same value printed anew, keeping the
/// whitespace around it.
fn reprint(expression: &mut hcl::edit::expr::Expression, print: Print, indent: usize) {
    let Some(text) = printed(expression, print, indent) else {
        return;
    };
    let Ok(mut fresh) = hcl::edit::parser::parse_expr(&text) else {
        return;
    };
    *fresh.decor_mut() = expression.decor().clone();
    *expression = fresh;
}

fn is_collection(expression: &hcl::edit::expr::Expression) -> bool {
    expression.is_array() || expression.is_object()
}

/// Whether an expression's text spans lines, found without printing more
/// of it than the first line.
fn over_lines(expression: &impl std::fmt::Display) -> bool {
    /// Stops the printing at the first line break.
    struct FirstLine;
    impl std::fmt::Write for FirstLine {
        fn write_str(&mut self, text: &str) -> std::fmt::Result {
            if text.contains('\n') {
                Err(std::fmt::Error)
            } else {
                Ok(())
            }
        }
    }
    std::fmt::Write::write_fmt(&mut FirstLine, format_args!("{expression}")).is_err()
}

/// The length of an expression's text on one line, without the whitespace
/// around it.
fn width(expression: &hcl::edit::expr::Expression) -> usize {
    expression.to_string().trim().len()
}

/// Lays out what hcl-rs prints one way only. Arrays are printed on one
/// line (`["FARGATE"]`); one that holds objects or arrays, or would make
/// its line longer than `WIDTH`, goes over lines. An object or array passed
/// to a function (`jsonencode({...})`) is spread over lines when the call
/// would make its line longer than `WIDTH`.
fn relayout(body: &mut EditBody, depth: usize) {
    for mut structure in body.iter_mut() {
        if let Some(block) = structure.as_block_mut() {
            relayout(&mut block.body, depth + 1);
        } else if let Some(mut attribute) = structure.as_attribute_mut() {
            let start = 2 * (depth - 1) + attribute.key.as_str().len() + 3;
            relayout_expression(attribute.value_mut(), 2 * (depth - 1), start);
        }
    }
}

/// `indent`: the indentation of the line the expression starts on;
/// `start`: the column it starts at.
fn relayout_expression(expression: &mut hcl::edit::expr::Expression, indent: usize, start: usize) {
    if let Some(array) = expression.as_array() {
        let nested = array.iter().any(is_collection);
        let over_lines = over_lines(expression);
        if nested {
            let one_item_per_line = expression.to_string().trim_start().starts_with("[\n");
            if !one_item_per_line {
                reprint(expression, Print::Everything, indent);
            }
            relayout_inner(expression, indent);
            return;
        }
        let one_line = if over_lines {
            printed(expression, Print::Objects, indent).map_or(usize::MAX, |text| text.len())
        } else {
            width(expression)
        };
        match (start + one_line <= WIDTH, over_lines) {
            (true, true) => reprint(expression, Print::Objects, indent),
            (false, false) => reprint(expression, Print::Everything, indent),
            _ => {}
        }
        return;
    }
    if let Some(call) = expression.as_func_call() {
        if start + width(expression) > WIDTH && call.args.iter().any(is_collection) {
            if let hcl::edit::expr::Expression::FuncCall(call) = expression {
                for argument in &mut call.args {
                    if argument.is_array() {
                        reprint(argument, Print::Everything, indent);
                        relayout_inner(argument, indent);
                    } else if argument.is_object() {
                        reprint(argument, Print::Objects, indent);
                        relayout_inner(argument, indent);
                    }
                }
            }
        }
        return;
    }
    relayout_inner(expression, indent);
}

/// Lays out the items of a multi-line array or object, one level deeper.
fn relayout_inner(expression: &mut hcl::edit::expr::Expression, indent: usize) {
    if !over_lines(expression) {
        return;
    }
    let inner = indent + 2;
    if let Some(array) = expression.as_array_mut() {
        for item in array.iter_mut() {
            relayout_expression(item, inner, inner);
        }
    } else if let Some(object) = expression.as_object_mut() {
        for (key, value) in object.iter_mut() {
            let start = inner + key_width(key.get()) + 3;
            relayout_expression(value.expr_mut(), inner, start);
        }
    }
}

/// Aligns the `=` of runs of single-line attributes, and the entries of
/// multi-line objects, as `terraform fmt` does.
fn align(body: &mut EditBody) {
    let mut runs: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut run: Vec<(usize, usize)> = Vec::new();
    for (index, structure) in body.iter().enumerate() {
        match structure {
            Structure::Attribute(attribute) => {
                let prefix = attribute
                    .decor()
                    .prefix()
                    .map(|prefix| prefix.to_string())
                    .unwrap_or_default();
                if (prefix.contains("\n\n") || prefix.contains('#')) && !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
                if over_lines(&attribute.value) {
                    if !run.is_empty() {
                        runs.push(std::mem::take(&mut run));
                    }
                } else {
                    run.push((index, attribute.key.as_str().len()));
                }
            }
            Structure::Block(_) => {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    for run in runs {
        let width = run.iter().map(|(_, width)| *width).max().unwrap_or(0);
        for (index, key_width) in run {
            if let Some(attribute) = body.get_mut(index).and_then(Structure::as_attribute_mut) {
                attribute
                    .key
                    .decor_mut()
                    .set_suffix(" ".repeat(width - key_width + 1));
            }
        }
    }
    for mut structure in body.iter_mut() {
        if let Some(block) = structure.as_block_mut() {
            if block.body.is_empty() {
                // `allow {}`, as terraform fmt writes an empty block.
                *block.body.decor_mut() = hcl::edit::Decor::default();
                block.body.set_prefer_oneline(true);
            }
            align(&mut block.body);
        } else if let Some(mut attribute) = structure.as_attribute_mut() {
            align_expression(attribute.value_mut());
        }
    }
}

fn key_width(key: &hcl::edit::expr::ObjectKey) -> usize {
    match key.as_ident() {
        Some(ident) => ident.as_str().len(),
        None => key
            .as_expr()
            .map_or(0, |expr| expr.to_string().trim().len()),
    }
}

fn align_expression(expression: &mut hcl::edit::expr::Expression) {
    let multi_line = over_lines(expression);
    if let Some(object) = expression.as_object_mut() {
        if multi_line {
            let mut runs: Vec<Vec<(usize, usize)>> = Vec::new();
            let mut run = Vec::new();
            for (index, (key, value)) in object.iter().enumerate() {
                if over_lines(value.expr()) {
                    if !run.is_empty() {
                        runs.push(std::mem::take(&mut run));
                    }
                } else {
                    run.push((index, key_width(key)));
                }
            }
            if !run.is_empty() {
                runs.push(run);
            }
            for run in runs {
                let width = run.iter().map(|(_, width)| *width).max().unwrap_or(0);
                for (index, key_width) in run {
                    if let Some((mut key, _)) = object.iter_mut().nth(index) {
                        key.decor_mut()
                            .set_suffix(" ".repeat(width - key_width + 1));
                    }
                }
            }
        }
        for (_, value) in object.iter_mut() {
            align_expression(value.expr_mut());
        }
    } else if let Some(array) = expression.as_array_mut() {
        for item in array.iter_mut() {
            align_expression(item);
        }
    } else if let hcl::edit::expr::Expression::FuncCall(call) = expression {
        for argument in &mut call.args {
            align_expression(argument);
        }
    }
}

// ---------------------------------------------------------------------------
// Expressions.

/// `resource "kind" "name" { ... }`.
pub(super) fn resource(kind: &str, name: &str) -> BlockBuilder {
    Block::builder("resource").add_label(kind).add_label(name)
}

/// `data "kind" "name" { ... }`.
pub(super) fn data(kind: &str, name: &str) -> BlockBuilder {
    Block::builder("data").add_label(kind).add_label(name)
}

/// A reference such as `aws_vpc.main.id`, `aws_subnet.app[*].id` or
/// `data.aws_availability_zones.available.names[0]`, built as a traversal.
pub(super) fn reference(path: &str) -> Expression {
    // Split at the dots outside brackets: `names[count.index]` is one part.
    let mut parts_list = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (index, ch) in path.char_indices() {
        match ch {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                parts_list.push(path.get(start..index).unwrap_or(""));
                start = index + 1;
            }
            _ => {}
        }
    }
    parts_list.push(path.get(start..).unwrap_or(""));
    let mut parts = parts_list.into_iter();
    let root = parts.next().unwrap_or("");
    let (root, root_operators) = split_indexes(root);
    let Ok(variable) = Variable::new(root) else {
        return Expression::Null;
    };
    let mut operators: Vec<TraversalOperator> = root_operators;
    for part in parts {
        let (name, indexes) = split_indexes(part);
        let identifier = Identifier::sanitized(name);
        operators.push(TraversalOperator::GetAttr(identifier));
        operators.extend(indexes);
    }
    if operators.is_empty() {
        return Expression::Variable(variable);
    }
    Expression::from(Traversal::new(variable, operators))
}

/// `var.NAME["key"]`: an entry of a map variable.
pub(super) fn variable_entry(variable: &str, key: &str) -> Expression {
    let Ok(root) = Variable::new("var") else {
        return Expression::Null;
    };
    Expression::from(Traversal::new(
        root,
        [
            TraversalOperator::GetAttr(Identifier::sanitized(variable)),
            TraversalOperator::Index(Expression::from(key)),
        ],
    ))
}

/// `name[*]` and `name[0]` suffixes as traversal operators.
fn split_indexes(part: &str) -> (&str, Vec<TraversalOperator>) {
    let Some(open) = part.find('[') else {
        return (part, Vec::new());
    };
    let (name, rest) = part.split_at(open);
    let mut operators = Vec::new();
    for index in rest.split('[').filter(|index| !index.is_empty()) {
        let index = index.trim_end_matches(']');
        if index == "*" {
            operators.push(TraversalOperator::FullSplat);
        } else if let Ok(number) = index.parse::<u64>() {
            operators.push(TraversalOperator::Index(Expression::from(number)));
        } else {
            operators.push(TraversalOperator::Index(reference(index)));
        }
    }
    (name, operators)
}

/// A quoted template such as `"${var.name_prefix}-orders"`.
pub(super) fn template(text: &str) -> Expression {
    Expression::from(TemplateExpr::from(text))
}

/// A function call.
pub(super) fn call(name: &str, arguments: Vec<Expression>) -> Expression {
    let mut builder = FuncCall::builder(name);
    for argument in arguments {
        builder = builder.arg(argument);
    }
    Expression::from(builder.build())
}

/// An object with identifier (or quoted) keys, in the order given.
pub(super) fn object<'a>(entries: impl IntoIterator<Item = (&'a str, Expression)>) -> Expression {
    let mut object = Object::new();
    for (key, value) in entries {
        let key = match Identifier::new(key) {
            Ok(identifier) => ObjectKey::Identifier(identifier),
            Err(_) => ObjectKey::Expression(Expression::from(key)),
        };
        object.insert(key, value);
    }
    Expression::Object(object)
}

/// A list of strings.
pub(super) fn strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Expression {
    Expression::Array(
        items
            .into_iter()
            .map(|item| Expression::from(item.as_ref()))
            .collect(),
    )
}

/// A list of expressions.
pub(super) fn list(items: impl IntoIterator<Item = Expression>) -> Expression {
    Expression::Array(items.into_iter().collect())
}

/// `"${var.name_prefix}-BASE"`, the AWS name of a resource of `kind`.
pub(super) fn aws_name(
    context: &crate::emit::Context<'_>,
    kind: crate::model::aws_names::NameKind,
    base: &str,
) -> Expression {
    physical_name(&crate::emit::names::aws(context, kind, base))
}

/// A physical name in HCL: a string, a template of its parts, or the
/// prefix variable itself.
pub(super) fn physical_name(name: &crate::emit::names::PhysicalName) -> Expression {
    use crate::emit::names::Part;
    if let [Part::Prefix] = name.parts.as_slice() {
        return reference("var.name_prefix");
    }
    if let Some(literal) = name.literal() {
        return Expression::from(literal);
    }
    let text: String = name
        .parts
        .iter()
        .map(|part| match part {
            Part::Text(text) => text.as_str(),
            Part::Prefix => "${var.name_prefix}",
            Part::AccountId => "${data.aws_caller_identity.current.account_id}",
            Part::Region => "${var.region}",
            Part::Index => "${count.index}",
        })
        .collect();
    template(&text)
}
