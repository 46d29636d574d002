//! The examples end to end: every file `meshc build` emits for each
//! `examples/*.mesh`, as one markdown snapshot per example (a section per
//! file); two builds give the same bytes; and every reference in the
//! emitted Terraform names something the configuration declares.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use hcl::edit::expr::{Expression, Traversal, TraversalOperator};
use hcl::edit::structure::Body;
use hcl::edit::visit::{Visit, visit_traversal};

fn compile(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap();
    let source = meshc::diagnostics::SourceFile {
        name: common::file_name(path),
        text,
    };
    let output = meshc::compile(&source, &meshc::Options::default());
    assert!(
        !output.files.is_empty(),
        "{} emitted nothing: {:?}",
        common::file_name(path),
        output
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.code.code)
            .collect::<Vec<_>>()
    );
    output.files
}

/// The files of a build as markdown: a section per file, in path order.
fn markdown(files: &BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (path, contents) in files {
        let language = match Path::new(path).extension().and_then(|ext| ext.to_str()) {
            Some("tf") => "hcl",
            Some("json") => "json",
            _ => "text",
        };
        // A template written compact (to fit CloudFormation's inline limit)
        // is shown indented, so that its changes can be reviewed line by line.
        if language == "json" && contents.lines().count() == 1 {
            let value: serde_json::Value = serde_json::from_str(contents).unwrap();
            let indented = serde_json::to_string_pretty(&value).unwrap();
            let _ = write!(
                text,
                "## {path}\n\nWritten compact, {} bytes; shown indented.\n\n```{language}\n{indented}\n```\n\n",
                contents.len()
            );
            continue;
        }
        let _ = write!(text, "## {path}\n\n```{language}\n{contents}```\n\n");
    }
    text
}

#[test]
fn every_example_builds_to_its_snapshot() {
    for path in common::mesh_files("examples") {
        let name = common::file_name(&path);
        let files = compile(&path);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_suffix(name.trim_end_matches(".mesh"));
        settings.set_input_file(&path);
        settings.bind(|| {
            insta::assert_snapshot!(markdown(&files));
        });
    }
}

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn building_twice_gives_the_same_bytes() {
    let scratch = common::scratch_dir("examples", "twice");
    for path in common::mesh_files("examples") {
        let name = common::file_name(&path);
        let mut trees = Vec::new();
        for run in ["first", "second"] {
            let out = scratch.join(format!("{name}-{run}"));
            let status = Command::new(env!("CARGO_BIN_EXE_meshc"))
                .args(["build", path.to_str().unwrap(), "-o", out.to_str().unwrap()])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .unwrap();
            assert!(status.status.success(), "{name}: build failed");
            trees.push(read_tree(&out));
        }
        assert!(!trees[0].is_empty(), "{name}: nothing written");
        assert_eq!(
            trees[0].keys().collect::<Vec<_>>(),
            trees[1].keys().collect::<Vec<_>>(),
            "{name}: the two builds wrote different files"
        );
        for (file, bytes) in &trees[0] {
            assert!(
                trees[1][file] == *bytes,
                "{name}: {file} differs between two builds"
            );
        }
        // And the files written are the ones `compile` returns, beside
        // meshc's records of them (compared above: they are deterministic
        // too).
        let files = compile(&path);
        assert_eq!(
            files.keys().cloned().collect::<BTreeSet<_>>(),
            trees[0]
                .keys()
                .filter(|file| !file.starts_with(".meshc/"))
                .cloned()
                .collect::<BTreeSet<_>>(),
        );
        assert!(trees[0].contains_key(".meshc/manifest.json"));
    }
}

/// Every `TYPE.NAME`, `data.TYPE.NAME`, `var.NAME` and `local.NAME` that a
/// configuration refers to.
#[derive(Default)]
struct References {
    found: BTreeSet<String>,
}

impl Visit for References {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(root) = &node.expr {
            let root = root.as_str().to_string();
            let names: Vec<String> = node
                .operators
                .iter()
                .map_while(|operator| match operator.value() {
                    TraversalOperator::GetAttr(name) => Some(name.as_str().to_string()),
                    _ => None,
                })
                .collect();
            let reference = match root.as_str() {
                "data" if names.len() >= 2 => Some(format!("data.{}.{}", names[0], names[1])),
                "var" | "local" if !names.is_empty() => Some(format!("{root}.{}", names[0])),
                _ if root.starts_with("aws_") && !names.is_empty() => {
                    Some(format!("{root}.{}", names[0]))
                }
                _ => None,
            };
            if let Some(reference) = reference {
                self.found.insert(reference);
            }
        }
        visit_traversal(self, node);
    }
}

/// What a configuration declares, in the same notation.
fn declarations(body: &Body) -> BTreeSet<String> {
    let mut declared = BTreeSet::new();
    for block in body.blocks() {
        let labels: Vec<String> = block
            .labels
            .iter()
            .map(|label| label.as_str().to_string())
            .collect();
        match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [kind, name]) => {
                declared.insert(format!("{kind}.{name}"));
            }
            ("data", [kind, name]) => {
                declared.insert(format!("data.{kind}.{name}"));
            }
            ("variable", [name]) => {
                declared.insert(format!("var.{name}"));
            }
            ("locals", []) => {
                for attribute in block.body.attributes() {
                    declared.insert(format!("local.{}", attribute.key.as_str()));
                }
            }
            _ => {}
        }
    }
    declared
}

#[test]
fn every_terraform_reference_is_declared() {
    for path in common::mesh_files("examples") {
        let name = common::file_name(&path);
        let files = compile(&path);
        let mut declared = BTreeSet::new();
        let mut references = References::default();
        let terraform = files
            .iter()
            .filter(|(file, _)| Path::new(file).extension().is_some_and(|ext| ext == "tf"));
        for (file, contents) in terraform {
            let body: Body = contents
                .parse()
                .unwrap_or_else(|error| panic!("{name}: {file} does not parse: {error}"));
            let mine = declarations(&body);
            for declaration in &mine {
                assert!(
                    declared.insert(declaration.clone()),
                    "{name}: {declaration} is declared twice"
                );
            }
            references.visit_body(&body);
        }
        let missing: Vec<&String> = references.found.difference(&declared).collect();
        assert!(
            missing.is_empty(),
            "{name}: undeclared references {missing:?}"
        );
        // And everything declared is real Terraform (a sanity check of the
        // visitor): the system's key is always there and always used.
        assert!(references.found.contains("aws_kms_key.system"), "{name}");
    }
}
