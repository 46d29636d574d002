//! A readable, indented dump of the syntax tree with spans, for the syntax
//! snapshot tests (in the manner of rust-analyzer's parser test data).

use std::fmt::Write as _;

use super::ast::{
    Declaration, Entry, Field, File, Item, Member, Peer, Relation, TypeExpr, TypeExprKind, Value,
    ValueKind,
};

/// Renders the tree, one node a line.
pub fn dump(file: &File) -> String {
    let mut out = String::new();
    for declaration in &file.declarations {
        dump_declaration(&mut out, declaration);
    }
    for comment in &file.comments {
        let _ = writeln!(
            out,
            "comment {:?} {}..{}",
            comment.text, comment.span.start, comment.span.end
        );
    }
    out
}

fn line(out: &mut String, depth: usize, text: &str) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push_str(text);
    out.push('\n');
}

fn dump_declaration(out: &mut String, declaration: &Declaration) {
    line(
        out,
        0,
        &format!(
            "{} `{}` {}..{}",
            declaration.kind.keyword(),
            declaration.name.text,
            declaration.span.start,
            declaration.span.end
        ),
    );
    for doc in &declaration.doc {
        line(out, 1, &format!("doc {:?}", doc.text));
    }
    for member in &declaration.members {
        dump_member(out, 1, member);
    }
}

fn dump_member(out: &mut String, depth: usize, member: &Member) {
    for doc in &member.doc {
        line(out, depth, &format!("doc {:?}", doc.text));
    }
    match &member.item {
        Item::Attribute(attribute) => {
            line(
                out,
                depth,
                &format!(
                    "attribute `{}` = {}",
                    attribute.key.text,
                    value_head(&attribute.value)
                ),
            );
            dump_value_children(out, depth + 1, &attribute.value);
        }
        Item::Block(block) => {
            let name = block
                .name
                .as_ref()
                .map(|name| format!(" `{}`", name.text))
                .unwrap_or_default();
            line(
                out,
                depth,
                &format!(
                    "block {}{name} {}..{}",
                    block.keyword.text, block.span.start, block.span.end
                ),
            );
            for inner in &block.members {
                dump_member(out, depth + 1, inner);
            }
        }
        Item::Relation(relation) => dump_relation(out, depth, relation),
        Item::NetRule(rule) => {
            let ports = rule
                .ports
                .as_ref()
                .map(|ports| format!(" {}", value_head(ports)))
                .unwrap_or_default();
            let peer = match &rule.peer {
                Peer::Cidr(cidr) => cidr.clone(),
                Peer::Anywhere => "anywhere".to_string(),
                Peer::Name(path) => format!("`{}`", path.text()),
            };
            line(
                out,
                depth,
                &format!(
                    "rule {:?} {:?} {}{ports} peer {peer} {}..{}",
                    rule.action,
                    rule.direction,
                    rule.protocol.text(),
                    rule.span.start,
                    rule.span.end
                ),
            );
        }
        Item::Schema(schema) => {
            line(
                out,
                depth,
                &format!("schema {}..{}", schema.span.start, schema.span.end),
            );
            for field in &schema.fields {
                dump_field(out, depth + 1, field);
            }
        }
    }
}

fn dump_relation(out: &mut String, depth: usize, relation: &Relation) {
    let targets: Vec<String> = relation
        .targets
        .iter()
        .map(|target| format!("`{}`", target.text()))
        .collect();
    let targets = if relation.bracketed {
        format!("[{}]", targets.join(", "))
    } else {
        targets.join(", ")
    };
    line(
        out,
        depth,
        &format!(
            "{} {targets} {}..{}",
            relation.kind.keyword(),
            relation.span.start,
            relation.span.end
        ),
    );
    if let Some(access) = &relation.access {
        line(out, depth + 1, &format!("access `{}`", access.text));
    }
    if let Some(filter) = &relation.filter {
        line(out, depth + 1, "where");
        for condition in &filter.conditions {
            let value = condition
                .value
                .as_ref()
                .map(|value| format!(" {}", value_head(value)))
                .unwrap_or_default();
            line(
                out,
                depth + 2,
                &format!(
                    "`{}` {}{value}",
                    condition.field.text(),
                    condition.op.text()
                ),
            );
        }
    }
    if let Some(via) = &relation.via {
        line(out, depth + 1, &format!("via `{}`", via.text()));
    }
    if let Some(body) = &relation.body {
        for member in body {
            dump_member(out, depth + 1, member);
        }
    }
}

fn dump_field(out: &mut String, depth: usize, field: &Field) {
    for doc in &field.doc {
        line(out, depth, &format!("doc {:?}", doc.text));
    }
    let optional = if field.optional { "?" } else { "" };
    line(
        out,
        depth,
        &format!(
            "field `{}`{optional}: {}",
            field.name.text,
            type_text(&field.ty)
        ),
    );
}

fn type_text(ty: &TypeExpr) -> String {
    match &ty.kind {
        TypeExprKind::Named(name) => name.text.clone(),
        TypeExprKind::Literal(text) => format!("{text:?}"),
        TypeExprKind::List(inner) => format!("[{}]", type_text(inner)),
        TypeExprKind::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|field| {
                    let optional = if field.optional { "?" } else { "" };
                    format!("{}{optional}: {}", field.name.text, type_text(&field.ty))
                })
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        TypeExprKind::Union(alternatives) => alternatives
            .iter()
            .map(type_text)
            .collect::<Vec<_>>()
            .join(" | "),
    }
}

fn value_head(value: &Value) -> String {
    let span = format!("{}..{}", value.span.start, value.span.end);
    match &value.kind {
        ValueKind::Quantity { number, unit } => {
            format!(
                "quantity {number}{} {span}",
                unit.as_deref()
                    .map(|u| format!(" unit {u}"))
                    .unwrap_or_default()
            )
        }
        ValueKind::Money(number) => format!("money {number} {span}"),
        ValueKind::String(text) => format!("string {text:?} {span}"),
        ValueKind::Bool(flag) => format!("bool {flag} {span}"),
        ValueKind::Cidr(text) => format!("cidr {text} {span}"),
        ValueKind::Ip(text) => format!("ip {text} {span}"),
        ValueKind::PortRange(text) => format!("ports {text} {span}"),
        ValueKind::Path(path) => format!("name `{}` {span}", path.text()),
        ValueKind::List(items) => format!("list of {} {span}", items.len()),
        ValueKind::Object(entries) => format!("object of {} {span}", entries.len()),
        ValueKind::Constructor { name, .. } => format!("constructor `{}` {span}", name.text),
        ValueKind::Typed { name, ty } => format!("typed `{}`: {} {span}", name.text, type_text(ty)),
        ValueKind::Malformed(text) => format!("malformed {text:?} {span}"),
    }
}

fn dump_value_children(out: &mut String, depth: usize, value: &Value) {
    match &value.kind {
        ValueKind::List(items) => {
            for item in items {
                line(out, depth, &value_head(item));
                dump_value_children(out, depth + 1, item);
            }
        }
        ValueKind::Object(entries) | ValueKind::Constructor { entries, .. } => {
            for entry in entries {
                dump_entry(out, depth, entry);
            }
        }
        _ => {}
    }
}

fn dump_entry(out: &mut String, depth: usize, entry: &Entry) {
    let key = if entry.quoted {
        format!("{:?}", entry.key.text)
    } else {
        format!("`{}`", entry.key.text)
    };
    line(
        out,
        depth,
        &format!("entry {key} = {}", value_head(&entry.value)),
    );
    dump_value_children(out, depth + 1, &entry.value);
}
