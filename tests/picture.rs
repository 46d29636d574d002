//! `meshc graph`: the Mermaid and DOT pictures of every example (and of a
//! fixture of awkward names) as snapshots; every DOT picture read back by
//! parsers nobody here wrote (the `dot-parser` crate, which follows
//! Graphviz's grammar, and Graphviz's own `dot`, a test dependency that
//! `.ci/run` installs); every Mermaid picture checked line by line against
//! the flowchart syntax it uses (Mermaid's own parser reads them in
//! `tests/conformance/mermaid`); both formats drawing the same nodes and
//! edges; awkward names and filter strings escaped so that they read back
//! as written; and the README's picture of the shop equal to what
//! `meshc graph` prints for it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use meshc::emit::picture::{self, Detail};

const DETAILS: [(Detail, &str); 2] = [(Detail::Components, ""), (Detail::Everything, " --all")];

fn analyzed(path: &Path) -> (meshc::model::System, meshc::graph::Graph) {
    let text = std::fs::read_to_string(path).unwrap();
    let analysis = meshc::analyze(&text);
    assert!(
        !analysis.has_errors(),
        "{} has errors: {:?}",
        path.display(),
        analysis
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.code.code)
            .collect::<Vec<_>>()
    );
    (analysis.system.unwrap(), analysis.graph.unwrap())
}

/// The examples and the fixture of awkward names.
fn inputs() -> Vec<PathBuf> {
    let mut inputs = common::mesh_files("examples");
    inputs.extend(common::mesh_files("tests/fixtures/picture"));
    inputs
}

/// Every picture of every input: (name, format and detail, text).
fn pictures() -> Vec<(String, String, String)> {
    let mut pictures = Vec::new();
    for path in inputs() {
        let (system, graph) = analyzed(&path);
        for (detail, flag) in DETAILS {
            pictures.push((
                common::file_name(&path),
                format!("mermaid{flag}"),
                picture::mermaid(&system, &graph, detail),
            ));
            pictures.push((
                common::file_name(&path),
                format!("dot{flag}"),
                picture::dot(&system, &graph, detail),
            ));
        }
    }
    pictures
}

/// The pictures in one language (`mermaid` or `dot`), with and without
/// `--all`.
fn pictures_in(language: &str) -> Vec<(String, String, String)> {
    pictures()
        .into_iter()
        .filter(|(_, format, _)| format.starts_with(language))
        .collect()
}

#[test]
fn every_example_draws_to_its_snapshot() {
    for path in inputs() {
        let name = common::file_name(&path);
        let (system, graph) = analyzed(&path);
        let mut text = String::new();
        for (detail, flag) in DETAILS {
            let mermaid = picture::mermaid(&system, &graph, detail);
            let dot = picture::dot(&system, &graph, detail);
            let _ = write!(
                text,
                "## meshc graph{flag}\n\n```mermaid\n{mermaid}```\n\n## meshc graph --format dot{flag}\n\n```dot\n{dot}```\n\n"
            );
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_suffix(name.trim_end_matches(".mesh"));
        settings.set_input_file(&path);
        settings.bind(|| insta::assert_snapshot!(text));
    }
}

#[test]
fn drawing_twice_gives_the_same_text() {
    assert_eq!(pictures(), pictures());
}

// ---------------------------------------------------------------------------
// DOT.

/// A DOT text read by `dot-parser`: the identifiers of the nodes declared
/// with a `label`, and every edge as (from, to, raw label).
struct ParsedDot {
    labelled: BTreeSet<String>,
    nodes: BTreeSet<String>,
    edges: Vec<(String, String, Option<String>)>,
    labels: BTreeMap<String, String>,
}

fn parse_dot(name: &str, text: &str) -> ParsedDot {
    let graphs = dot_parser::ast::Graphs::try_from(text)
        .unwrap_or_else(|error| panic!("{name}: not DOT:\n{error}\n{text}"));
    assert_eq!(graphs.graphs.len(), 1, "{name}: one digraph");
    let graph = graphs.graphs.into_iter().next().unwrap();
    assert!(graph.is_digraph, "{name}: a digraph");
    let canonical = dot_parser::canonical::Graph::from(graph);
    let label_of = |attributes: &dot_parser::ast::AList<(
        dot_parser::ast::ID<'_>,
        dot_parser::ast::ID<'_>,
    )>| {
        attributes.elems.iter().find_map(|(key, value)| {
            let key: String = key.clone().into();
            (key == "label").then(|| value.clone().into())
        })
    };
    let mut parsed = ParsedDot {
        labelled: BTreeSet::new(),
        nodes: BTreeSet::new(),
        edges: Vec::new(),
        labels: BTreeMap::new(),
    };
    for node in canonical.nodes.set.values() {
        parsed.nodes.insert(node.id.clone());
        if let Some(label) = label_of(&node.attr) {
            parsed.labelled.insert(node.id.clone());
            parsed.labels.insert(node.id.clone(), label);
        }
    }
    for edge in &canonical.edges.set {
        parsed
            .edges
            .push((edge.from.clone(), edge.to.clone(), label_of(&edge.attr)));
    }
    parsed
}

/// A quoted DOT label as Graphviz shows it.
fn unescape_dot(raw: &str) -> String {
    let mut text = String::new();
    let mut chars = raw.chars();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            match chars.next() {
                Some('n') => text.push('\n'),
                Some(other) => text.push(other),
                None => {}
            }
        } else {
            text.push(ch);
        }
    }
    text.replace("&amp;", "&").trim_end().to_string()
}

fn is_identifier(id: &str) -> bool {
    id.starts_with(|ch: char| ch.is_ascii_alphabetic())
        && id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

#[test]
fn every_dot_picture_parses_and_declares_every_node_it_links() {
    for (name, format, text) in pictures_in("dot") {
        let parsed = parse_dot(&format!("{name} {format}"), &text);
        assert!(!parsed.labelled.is_empty(), "{name} {format}: no node");
        // An edge to an undeclared identifier makes a node without a label.
        assert_eq!(
            parsed.nodes, parsed.labelled,
            "{name} {format}: edges to nodes that were never declared"
        );
        for (from, to, _) in &parsed.edges {
            assert!(
                is_identifier(from) && is_identifier(to),
                "{name}: {from} -> {to}"
            );
        }
        assert!(!parsed.edges.is_empty(), "{name} {format}: no edge");
    }
}

#[test]
fn graphviz_renders_every_dot_picture() {
    // Graphviz is a test dependency (`.ci/run` installs it): a missing `dot`
    // fails the test rather than skipping it.
    let version = Command::new("dot").arg("-V").output();
    assert!(
        version.as_ref().is_ok_and(|output| output.status.success()),
        "Graphviz's `dot` is needed to test `meshc graph --format dot` \
         (apt-get install graphviz): {version:?}"
    );
    for (name, format, text) in pictures_in("dot") {
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stderr.trim().is_empty(),
            "{name} {format}: dot says:\n{stderr}"
        );
    }
}

// ---------------------------------------------------------------------------
// Mermaid.

/// The shapes the pictures use, as (opening, closing) around a quoted label.
const MERMAID_SHAPES: [(&str, &str); 11] = [
    ("[(", ")]"),
    ("[[", "]]"),
    ("([", "])"),
    ("((", "))"),
    ("{{", "}}"),
    ("[/", "/]"),
    ("[/", "\\]"),
    ("[", "]"),
    ("(", ")"),
    (">", "]"),
    ("{", "}"),
];

/// Whether a quoted Mermaid label is well formed: no quote, no `<` but in
/// `<br>`, no `#` but at the start of an entity code.
fn mermaid_label_ok(label: &str) -> bool {
    let without_breaks = label.replace("<br>", "");
    if without_breaks.contains(['"', '<', '>', '`', ':']) {
        return false;
    }
    let mut rest = without_breaks.as_str();
    while let Some(position) = rest.find('#') {
        let after = &rest[position + 1..];
        let Some(end) = after.find(';') else {
            return false;
        };
        let entity = &after[..end];
        if entity.is_empty() || !entity.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            return false;
        }
        rest = &after[end + 1..];
    }
    true
}

fn unescape_mermaid(label: &str) -> String {
    label
        .replace("<br>", "\n")
        .replace("#quot;", "\"")
        .replace("#lt;", "<")
        .replace("#gt;", ">")
        .replace("#35;", "#")
        .replace("#58;", ":")
        .replace("#96;", "`")
        .replace("#amp;", "&")
}

/// A Mermaid picture read line by line: node labels by identifier, and
/// edges as (from, arrow, to, label). Panics on any line outside the syntax
/// the pictures use.
struct ParsedMermaid {
    labels: BTreeMap<String, String>,
    edges: Vec<(String, String, String, Option<String>)>,
}

fn parse_mermaid(name: &str, text: &str) -> ParsedMermaid {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("flowchart LR"), "{name}: header");
    let mut parsed = ParsedMermaid {
        labels: BTreeMap::new(),
        edges: Vec::new(),
    };
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut depth = 0usize;
    let mut classes: Vec<String> = Vec::new();
    for line in lines {
        let line = line.trim();
        let context = format!("{name}: `{line}`");
        if line == "end" {
            assert!(depth > 0, "{context}: `end` outside a subgraph");
            depth -= 1;
        } else if let Some(rest) = line.strip_prefix("subgraph ") {
            let (id, title) = rest.split_once(' ').expect(&context);
            assert!(is_identifier(id), "{context}: identifier");
            assert!(ids.insert(id.to_string()), "{context}: {id} declared twice");
            let label = title
                .strip_prefix("[\"")
                .and_then(|title| title.strip_suffix("\"]"))
                .expect(&context);
            assert!(mermaid_label_ok(label), "{context}: label");
            depth += 1;
        } else if let Some(rest) = line.strip_prefix("classDef ") {
            assert_eq!(rest, "derived stroke-dasharray: 4 4", "{context}");
        } else if let Some(rest) = line.strip_prefix("class ") {
            let (members, class) = rest.rsplit_once(' ').expect(&context);
            assert_eq!(class, "derived", "{context}");
            classes.extend(members.split(',').map(str::to_string));
        } else if line.contains(" -->") || line.contains(" ==>") || line.contains(" -.->") {
            let (from, rest) = line.split_once(' ').expect(&context);
            let (arrow, rest) = rest.split_at(rest.find(['|', ' ']).expect(&context));
            assert!(["-->", "==>", "-.->"].contains(&arrow), "{context}: arrow");
            let (label, to) = match rest.strip_prefix("|\"") {
                Some(labelled) => {
                    let (label, to) = labelled.split_once("\"| ").expect(&context);
                    assert!(mermaid_label_ok(label), "{context}: label");
                    (Some(label.to_string()), to)
                }
                None => (None, rest.trim_start()),
            };
            parsed
                .edges
                .push((from.to_string(), arrow.to_string(), to.to_string(), label));
        } else {
            let split = line
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .expect(&context);
            let (id, shape) = line.split_at(split);
            assert!(is_identifier(id), "{context}: identifier");
            let label = MERMAID_SHAPES
                .iter()
                .find_map(|(open, close)| {
                    shape
                        .strip_prefix(open)?
                        .strip_prefix('"')?
                        .strip_suffix(close)?
                        .strip_suffix('"')
                })
                .unwrap_or_else(|| panic!("{context}: not a node of a known shape"));
            assert!(mermaid_label_ok(label), "{context}: label");
            assert!(ids.insert(id.to_string()), "{context}: {id} declared twice");
            parsed.labels.insert(id.to_string(), label.to_string());
        }
    }
    assert_eq!(depth, 0, "{name}: a subgraph is not closed");
    for (from, _, to, _) in &parsed.edges {
        assert!(
            parsed.labels.contains_key(from) && parsed.labels.contains_key(to),
            "{name}: {from} --> {to} links an undeclared node"
        );
    }
    for member in &classes {
        assert!(
            parsed.labels.contains_key(member),
            "{name}: class of {member}"
        );
    }
    parsed
}

#[test]
fn every_mermaid_picture_is_well_formed_and_declares_every_node_it_links() {
    for (name, format, text) in pictures_in("mermaid") {
        let parsed = parse_mermaid(&format!("{name} {format}"), &text);
        assert!(!parsed.labels.is_empty(), "{name} {format}: no node");
        assert!(!parsed.edges.is_empty(), "{name} {format}: no edge");
    }
}

#[test]
fn both_formats_draw_the_same_nodes_and_edges() {
    for path in inputs() {
        let (system, graph) = analyzed(&path);
        let name = common::file_name(&path);
        for (detail, _) in DETAILS {
            let mermaid = parse_mermaid(&name, &picture::mermaid(&system, &graph, detail));
            let dot = parse_dot(&name, &picture::dot(&system, &graph, detail));
            let mermaid_nodes: BTreeMap<&String, String> = mermaid
                .labels
                .iter()
                .map(|(id, label)| (id, unescape_mermaid(label)))
                .collect();
            let dot_nodes: BTreeMap<&String, String> = dot
                .labels
                .iter()
                .map(|(id, label)| (id, unescape_dot(label)))
                .collect();
            assert_eq!(mermaid_nodes, dot_nodes, "{name}");
            let mermaid_edges: Vec<(&String, &String, Option<String>)> = mermaid
                .edges
                .iter()
                .map(|(from, _, to, label)| (from, to, label.as_deref().map(unescape_mermaid)))
                .collect();
            let dot_edges: Vec<(&String, &String, Option<String>)> = dot
                .edges
                .iter()
                .map(|(from, to, label)| (from, to, label.as_deref().map(unescape_dot)))
                .collect();
            assert_eq!(mermaid_edges, dot_edges, "{name}");
        }
    }
}

#[test]
fn awkward_names_and_strings_read_back_as_written() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/picture/awkward-names.mesh");
    let (system, graph) = analyzed(&path);
    let mermaid = parse_mermaid(
        "awkward",
        &picture::mermaid(&system, &graph, Detail::Components),
    );
    let dot = parse_dot(
        "awkward",
        &picture::dot(&system, &graph, Detail::Components),
    );
    // `o-x` and `o_x` fold to one identifier; the second gets a suffix.
    assert_eq!(unescape_mermaid(&mermaid.labels["svc_o_x"]), "o-x\nLambda");
    assert_eq!(
        unescape_mermaid(&mermaid.labels["svc_o_x_2"]),
        "o_x\nLambda"
    );
    let filter_of = |to: &str| {
        let mermaid_label = mermaid
            .edges
            .iter()
            .find(|(_, _, target, _)| target == to)
            .and_then(|(_, _, _, label)| label.as_deref())
            .map(unescape_mermaid)
            .unwrap();
        let dot_label = dot
            .edges
            .iter()
            .find(|(_, target, _)| target == to)
            .and_then(|(_, _, label)| label.as_deref())
            .map(unescape_dot)
            .unwrap();
        assert_eq!(mermaid_label, dot_label);
        mermaid_label
    };
    assert_eq!(
        filter_of("svc_o_x"),
        r#"Odd where note = "say "hi" <b>&amp;</b> #1: `x` \" and level >= 2"#
    );
    assert_eq!(filter_of("svc_end_slash"), r#"Odd where note = "C:\""#);
    assert_eq!(
        filter_of("svc_o_x_2"),
        r#"Odd where note in ["a", "b", "c", +2 more]"#
    );
}

#[test]
fn a_filter_labels_only_the_events_it_selects() {
    // analytics.mesh: `consumes OrderCreated where status = "confirmed"` and
    // `consumes OrderCancelled`, both from the bus order-events.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/analytics.mesh");
    let (system, graph) = analyzed(&path);
    let mermaid = parse_mermaid(
        "analytics",
        &picture::mermaid(&system, &graph, Detail::Components),
    );
    let label = mermaid
        .edges
        .iter()
        .find(|(from, _, to, _)| from == "bus_order_events" && to == "svc_inventory")
        .and_then(|(_, _, _, label)| label.as_deref())
        .map(unescape_mermaid)
        .unwrap();
    assert_eq!(
        label,
        "OrderCancelled\nOrderCreated where status = \"confirmed\""
    );
}

// ---------------------------------------------------------------------------
// The README.

#[test]
fn the_readme_shows_the_shop_as_meshc_draws_it() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split_once("## The shop as a picture")
        .expect("README has a section `The shop as a picture`")
        .1;
    let block = section
        .split_once("```mermaid\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("the section has a mermaid block")
        .0;
    let output = Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(["graph", "examples/shop.mesh"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let drawn = String::from_utf8(output.stdout).unwrap();
    assert!(
        block == drawn,
        "the README's picture of the shop is stale; replace its mermaid block with the output of \
         `meshc graph examples/shop.mesh`:\n{drawn}"
    );
}
