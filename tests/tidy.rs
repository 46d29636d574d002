//! Tidy: the conventions the code base holds itself to, checked on every
//! test run.
//!
//! - every source file opens with a `//!` saying what it is;
//! - every diagnostic code is registered once, in order, in a file of its
//!   own named after its slug, with an explanation in the sections What it
//!   does / Why is this bad? / Example / Use instead;
//! - each explanation's example yields its code and its "Use instead" does
//!   not (the doctest of rustc's error index);
//! - each code has a UI test that expects it, so every code is really
//!   emitted;
//! - except meshc's own errors (M0xx), which no input should cause: each is
//!   tested by corrupting the model in a unit test instead;
//! - no code appears in `src/` without being registered;
//! - diagnostic messages follow the house style;
//! - every snapshot belongs to a test input that still exists.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use meshc::check;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn every_module_opens_with_a_doc_comment() {
    let missing: Vec<String> = rust_files(&root().join("src"))
        .into_iter()
        .filter(|path| !std::fs::read_to_string(path).unwrap().starts_with("//!"))
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` header: {missing:?}"
    );
}

/// The stages after the model read `System` and its graph, never the AST
/// (`src/lib.rs`): no file of theirs names `syntax::ast`. The checks'
/// suppressions are read from the comments of the tree, before the model.
#[test]
fn no_stage_after_the_model_names_the_ast() {
    let mut naming = Vec::new();
    for stage in ["check", "emit", "graph", "cost"] {
        for path in rust_files(&root().join("src").join(stage)) {
            if path.ends_with("check/suppress.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            if text.contains("syntax::ast") || text.contains("ast::") {
                naming.push(path.display().to_string());
            }
        }
    }
    let simulate = std::fs::read_to_string(root().join("src/simulate.rs")).unwrap();
    if simulate.contains("ast::") {
        naming.push("src/simulate.rs".to_string());
    }
    assert!(naming.is_empty(), "files that name the AST: {naming:?}");
    // Nor does the model keep one of its types: the words every stage reads
    // are the vocabulary's.
    let model = std::fs::read_to_string(root().join("src/model/mod.rs")).unwrap();
    let kept: Vec<&str> = model
        .lines()
        .filter(|line| {
            let line = line.trim_start();
            line.starts_with("pub ") && !line.starts_with("pub fn ") && line.contains("ast::")
        })
        .collect();
    assert!(kept.is_empty(), "model fields of AST types: {kept:?}");
}

#[test]
fn codes_are_registered_once_and_in_order() {
    let codes: Vec<&str> = check::CODES.iter().map(|code| code.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        codes, sorted,
        "check::CODES must be sorted by code, without repeats"
    );
    let slugs: BTreeSet<&str> = check::CODES.iter().map(|code| code.slug).collect();
    assert_eq!(slugs.len(), codes.len(), "two codes share a slug");
    for code in check::CODES {
        assert!(
            code.code.len() == 4
                && code.code.starts_with('M')
                && code.code[1..].chars().all(|c| c.is_ascii_digit()),
            "{} is not of the form Mxxx",
            code.code
        );
        assert!(
            code.slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'),
            "slug {} is not kebab-case",
            code.slug
        );
    }
}

fn family(code: &str) -> &'static str {
    match code.as_bytes().get(1) {
        Some(b'0') => "internal",
        Some(b'1') => "syntax",
        Some(b'2') => "names",
        Some(b'3') => "network",
        Some(b'4') => "messaging",
        Some(b'5') => "sagas",
        _ => "cost",
    }
}

/// Whether a code is one of meshc's own errors, which no input yields.
fn is_internal(code: &meshc::diagnostics::Code) -> bool {
    family(code.code) == "internal"
}

#[test]
fn every_code_lives_in_a_file_named_after_its_slug() {
    for code in check::CODES {
        let path = root()
            .join("src/check")
            .join(family(code.code))
            .join(format!("{}.rs", code.slug.replace('-', "_")));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} {} should be declared in {}",
                code.code,
                code.slug,
                path.display()
            )
        });
        let header = format!("//! {} {}", code.code, code.slug);
        assert!(
            text.starts_with(&header),
            "{} should start with `{header}`",
            path.display()
        );
    }
}

#[test]
fn every_explanation_is_complete_and_its_examples_are_true() {
    for code in check::CODES {
        let explanation = check::explanation(code);
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "Use instead:",
        ] {
            assert!(
                explanation.contains(section),
                "the explanation of {} has no `{section}`",
                code.code
            );
        }
        if is_internal(code) {
            continue;
        }
        let blocks = common::mesh_blocks(&explanation);
        let [example, fixed, ..] = blocks.as_slice() else {
            panic!(
                "the explanation of {} needs an example and a fix",
                code.code
            );
        };
        let yields = |source: &str| {
            let source = meshc::diagnostics::SourceFile {
                name: "example.mesh".to_string(),
                text: source.to_string(),
            };
            meshc::compile(&source, &meshc::Options::default())
                .diagnostics
                .iter()
                .any(|d| d.code.code == code.code)
        };
        // A file that is not UTF-8 cannot be shown as text: the example of
        // M111 is the text saved in Latin-1, its fix the same in UTF-8.
        let yields_as = |source: &str, latin1: bool| {
            let bytes = if latin1 {
                source.chars().map(|ch| u8::try_from(ch).unwrap()).collect()
            } else {
                source.as_bytes().to_vec()
            };
            match meshc::syntax::decode(bytes) {
                (_, Some(problem)) => problem.code.code == code.code,
                (text, None) => yields(&text),
            }
        };
        let yields = |source: &str| yields_as(source, code.code == "M111");
        let yields_fixed = |source: &str| yields_as(source, false);
        assert!(
            yields(example),
            "the example of {} does not yield {}:\n{example}",
            code.code,
            code.code
        );
        assert!(
            !yields_fixed(fixed),
            "the fix of {} still yields {}:\n{fixed}",
            code.code,
            code.code
        );
    }
}

#[test]
fn every_code_has_a_ui_test_that_expects_it() {
    let inputs = common::mesh_files("tests/ui");
    for code in check::CODES.iter().filter(|code| !is_internal(code)) {
        let tested = inputs.iter().any(|path| {
            let name = common::file_name(path);
            let source = common::read_mesh(path);
            name.starts_with(code.code)
                && common::expectations(&source)
                    .iter()
                    .any(|(_, c)| c == code.code)
        });
        assert!(
            tested,
            "no tests/ui/{}*.mesh expects {}",
            code.code, code.code
        );
    }
}

#[test]
fn no_unregistered_code_appears_in_the_source() {
    let registered: BTreeSet<&str> = check::CODES.iter().map(|code| code.code).collect();
    for path in rust_files(&root().join("src")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let bytes = text.as_bytes();
        for (index, _) in text.match_indices('M') {
            let candidate = text.get(index..index + 4).unwrap_or("");
            let digits = candidate.len() == 4 && candidate[1..].chars().all(|c| c.is_ascii_digit());
            let before = index
                .checked_sub(1)
                .and_then(|i| bytes.get(i))
                .copied()
                .unwrap_or(b' ');
            let after = bytes.get(index + 4).copied().unwrap_or(b' ');
            let standalone = !before.is_ascii_alphanumeric() && !after.is_ascii_alphanumeric();
            if digits && standalone {
                assert!(
                    registered.contains(candidate),
                    "{} mentions {candidate}, which is not registered in check::CODES",
                    path.display()
                );
            }
        }
    }
}

/// Proper nouns a message may start with.
const PROPER_NOUNS: [&str; 10] = [
    "AWS",
    "Fargate",
    "Lambda",
    "SQS",
    "SNS",
    "Kinesis",
    "DynamoDB",
    "EventBridge",
    "NACL",
    "VPC",
];

#[test]
fn messages_follow_the_house_style() {
    let mut inputs = common::mesh_files("tests/ui");
    inputs.extend(common::mesh_files("tests/syntax/err"));
    for path in inputs {
        let source = common::read_mesh(&path);
        for diagnostic in meshc::analyze(&source).diagnostics {
            let message = &diagnostic.message;
            let first = message.chars().next().unwrap();
            let proper = PROPER_NOUNS.iter().any(|noun| message.starts_with(noun));
            assert!(
                !first.is_uppercase() || proper,
                "{}: message starts with a capital: {message}",
                common::file_name(&path)
            );
            assert!(
                !message.ends_with('.'),
                "message ends with a period: {message}"
            );
            assert!(
                diagnostic.labels.first().is_some_and(|label| label.primary),
                "{}: {} has no primary label first",
                common::file_name(&path),
                diagnostic.code.code
            );
            for label in &diagnostic.labels {
                assert!(
                    !label.message.ends_with('.'),
                    "label ends with a period: {}",
                    label.message
                );
                assert!(
                    label.message.len() <= 120,
                    "label is too long: {}",
                    label.message
                );
            }
            let help = diagnostic.help.as_deref().unwrap_or("");
            assert!(!help.is_empty(), "{} has no help", diagnostic.code.code);
        }
    }
}

#[test]
fn every_snapshot_belongs_to_an_existing_input() {
    let snapshots = root().join("tests/snapshots");
    for entry in std::fs::read_dir(&snapshots).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let input = text
            .lines()
            .take(6)
            .find_map(|line| line.strip_prefix("input_file: "));
        let Some(input) = input else {
            panic!("{} is not the snapshot of an input file", path.display());
        };
        assert!(
            root().join(input).exists(),
            "{} belongs to {input}, which no longer exists: delete the snapshot",
            path.display()
        );
    }
}
