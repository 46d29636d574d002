//! Building HCL: blocks with hcl-rs's builders, and the comments to
//! write on them; `layout` writes them as text. Nothing here assembles
//! HCL text.

use hcl::expr::{FuncCall, TemplateExpr, Traversal, TraversalOperator, Variable};
use hcl::{Block, BlockBuilder, Expression, Identifier, Object, ObjectKey};

use super::layout::{Note, Writer};

/// One `.tf` file being built. A block is written as soon as the next is
/// added (comments go on the last block added), so that a file holds one
/// block's tree at a time, whatever its size.
#[derive(Default)]
pub(super) struct TfFile {
    /// The last block added, and its comments: not written yet.
    last: Option<(Block, Vec<Note>)>,
    writer: Writer,
    /// The type and name of each `resource` block, in order.
    resources: Vec<(String, String)>,
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

    /// Adds a block, and writes the one before it.
    pub fn add(&mut self, block: Block) {
        self.added += 1;
        if self.measuring {
            return;
        }
        if let [kind, name] = block.labels() {
            if block.identifier() == "resource" {
                self.resources
                    .push((kind.as_str().to_string(), name.as_str().to_string()));
            }
        }
        if let Some((previous, notes)) = self.last.replace((block, Vec::new())) {
            self.writer.write(&previous, &notes);
        }
    }

    /// Counts a block that is not built: the file is only measured.
    pub fn count(&mut self) {
        self.added += 1;
    }

    fn note(&mut self, path: &[(&str, usize)], inside: bool, text: &str) {
        if let Some((_, notes)) = &mut self.last {
            notes.push(Note {
                path: path
                    .iter()
                    .map(|(ident, index)| ((*ident).to_string(), *index))
                    .collect(),
                inside,
                text: text.to_string(),
            });
        }
    }

    /// A `# comment` line (or several) above the last block added.
    pub fn note_above(&mut self, text: &str) {
        self.note(&[], false, text);
    }

    /// A comment as the first line inside the last block added, where
    /// checkov looks for `#checkov:skip=...`.
    pub fn note_inside(&mut self, text: &str) {
        self.note(&[], true, text);
    }

    /// A comment above a block nested in the last block added, found by
    /// identifier and occurrence.
    pub fn note_nested(&mut self, path: &[(&str, usize)], text: &str) {
        self.note(path, false, text);
    }

    pub fn is_empty(&self) -> bool {
        self.added == 0
    }

    /// The type and name of each `resource` block added, in order, taken
    /// out of the file.
    pub fn take_resources(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.resources)
    }

    /// The file's text, laid out as `terraform fmt` lays it out.
    pub fn render(mut self) -> String {
        if let Some((block, notes)) = self.last.take() {
            self.writer.write(&block, &notes);
        }
        self.writer.finish()
    }
}

// ---------------------------------------------------------------------------
// Expressions.

/// `resource "kind" "name" { ... }`.
pub(super) fn resource(kind: &str, name: &str) -> BlockBuilder {
    nested_block("resource").add_label(kind).add_label(name)
}

/// `data "kind" "name" { ... }`.
pub(super) fn data(kind: &str, name: &str) -> BlockBuilder {
    nested_block("data").add_label(kind).add_label(name)
}

/// `key = value`, `key` being an identifier already (an argument of the
/// provider, a block's name): it is not checked again.
pub(super) fn attribute(key: impl Into<String>, value: impl Into<Expression>) -> hcl::Attribute {
    hcl::Attribute::new(Identifier::unchecked(key.into()), value)
}

/// A nested block named `identifier`, an identifier already.
pub(super) fn nested_block(identifier: &'static str) -> BlockBuilder {
    Block::builder(Identifier::unchecked(identifier))
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
        // meshc's labels and the provider's attribute names are identifiers.
        let identifier = Identifier::unchecked(name);
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
pub(super) fn object<K: AsRef<str>>(
    entries: impl IntoIterator<Item = (K, Expression)>,
) -> Expression {
    let mut object = Object::new();
    for (key, value) in entries {
        let key = key.as_ref();
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
    interpolated(&name.parts)
}

/// A text of deploy-time parts in HCL: a string, a template, or the one
/// part itself (the prefix variable, the account id, ...).
pub(super) fn interpolated(parts: &[crate::emit::names::Part]) -> Expression {
    use crate::emit::names::Part;
    match parts {
        [Part::Prefix] => return reference("var.name_prefix"),
        [Part::AccountId] => return reference("data.aws_caller_identity.current.account_id"),
        [Part::Region] => return reference("var.region"),
        [Part::Partition] => return reference("data.aws_partition.current.partition"),
        _ => {}
    }
    let text: String = parts
        .iter()
        .map(|part| match part {
            Part::Text(text) => text.as_str(),
            Part::Prefix => "${var.name_prefix}",
            Part::AccountId => "${data.aws_caller_identity.current.account_id}",
            Part::Region => "${var.region}",
            Part::Partition => "${data.aws_partition.current.partition}",
            Part::Index => "${count.index}",
        })
        .collect();
    if parts.iter().all(|part| matches!(part, Part::Text(_))) {
        return Expression::from(text);
    }
    template(&text)
}
