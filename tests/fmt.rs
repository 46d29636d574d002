//! The formatter, over every example and test input: formatting twice gives
//! what formatting once gave; the formatted text parses to the same tree and
//! resolves to the same model as the original (spans aside), with the same
//! diagnostics; every comment comes through, in order. A file with syntax
//! errors is refused. The messy inputs of `tests/fmt/` have snapshots of
//! their formatting.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::path::PathBuf;

use common::file_name;
use meshc::diagnostics::Diagnostic;
use meshc::fmt::format;
use meshc::syntax::{self, ast::CommentKind};

fn all_inputs() -> Vec<PathBuf> {
    let mut inputs = Vec::new();
    for dir in [
        "examples",
        "tests/ui",
        "tests/ui/pass",
        "tests/syntax/ok",
        "tests/syntax/err",
        "tests/fmt",
        "tests/patterns",
    ] {
        inputs.extend(common::mesh_files(dir));
    }
    inputs
}

/// A `Debug` rendering with every `Span { start: .., end: .. }` replaced by
/// `Span`: what is left is the meaning, not the layout.
fn without_spans(debug: &str) -> String {
    const OPEN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        let after = &rest[at..];
        let close = after.find('}').expect("a span closes");
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The comments of a source, as the formatter prints them (line comments
/// lose trailing blanks).
fn comments(source: &str) -> Vec<String> {
    let mut diagnostics = Vec::new();
    syntax::parse(source, &mut diagnostics)
        .comments
        .iter()
        .map(|comment| match comment.kind {
            CommentKind::Line => comment.text.trim_end().to_string(),
            CommentKind::Block => comment.text.clone(),
        })
        .collect()
}

/// The tree of a source, without spans or comments.
fn tree(source: &str) -> String {
    let mut diagnostics = Vec::new();
    let file = syntax::parse(source, &mut diagnostics);
    without_spans(&format!("{:?}", file.declarations))
}

/// What was reported, position aside: code, severity, whether it was
/// suppressed, and the message.
fn findings(diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut found: Vec<String> = diagnostics
        .iter()
        .map(|diagnostic| {
            format!(
                "{} {} {} {}",
                diagnostic.code.code,
                diagnostic.severity.as_str(),
                if diagnostic.is_active() {
                    "active"
                } else {
                    "suppressed"
                },
                diagnostic.message
            )
        })
        .collect();
    found.sort();
    found
}

/// Everything that must survive formatting, or a description of what did
/// not.
fn check_formatting(source: &str, formatted: &str) -> Result<(), String> {
    match format(formatted) {
        Ok(twice) if twice == formatted => {}
        Ok(twice) => {
            return Err(format!(
                "formatting is not idempotent:\n----- once\n{formatted}----- twice\n{twice}"
            ));
        }
        Err(_) => return Err(format!("the formatted text does not parse:\n{formatted}")),
    }
    if tree(source) != tree(formatted) {
        return Err(format!("the tree changed:\n{formatted}"));
    }
    if comments(source) != comments(formatted) {
        return Err(format!(
            "the comments changed: {:?} became {:?}",
            comments(source),
            comments(formatted)
        ));
    }
    Ok(())
}

#[test]
fn formatting_is_idempotent_and_keeps_the_meaning() {
    let mut formatted_count = 0;
    for path in all_inputs() {
        let name = path.display().to_string();
        let source = std::fs::read_to_string(&path).unwrap();
        let Ok(once) = format(&source) else {
            continue;
        };
        formatted_count += 1;
        if let Err(problem) = check_formatting(&source, &once) {
            panic!("{name}: {problem}");
        }
        let before = meshc::analyze(&source);
        let after = meshc::analyze(&once);
        assert_eq!(
            before.system.as_ref().map(|system| without_spans(&format!("{system:?}"))),
            after.system.as_ref().map(|system| without_spans(&format!("{system:?}"))),
            "{name}: the model changed"
        );
        assert_eq!(
            findings(&before.diagnostics),
            findings(&after.diagnostics),
            "{name}: the diagnostics changed"
        );
    }
    // Every example, every passing test and every syntax test at least.
    assert!(formatted_count >= 80, "only {formatted_count} inputs formatted");
}

#[test]
fn a_file_with_syntax_errors_is_not_formatted() {
    let mut refused = 0;
    for path in all_inputs() {
        let source = std::fs::read_to_string(&path).unwrap();
        let mut diagnostics = Vec::new();
        syntax::parse(&source, &mut diagnostics);
        let syntax_errors = diagnostics.iter().any(Diagnostic::is_error);
        match format(&source) {
            Ok(_) => assert!(!syntax_errors, "{}: formatted despite errors", path.display()),
            Err(found) => {
                assert!(syntax_errors, "{}: refused without an error", path.display());
                assert!(
                    found.iter().all(|d| d.code.code.starts_with("M1")),
                    "{}: refused for a non-syntax diagnostic",
                    path.display()
                );
                refused += 1;
            }
        }
    }
    assert!(refused >= 10, "only {refused} inputs refused");
}

#[test]
fn messy_inputs_format_to_their_snapshot() {
    insta::glob!("fmt/*.mesh", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let formatted = format(&source)
            .unwrap_or_else(|_| panic!("{} does not parse", file_name(path)));
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{source}----- FORMATTED\n{formatted}"
        ));
    });
}

#[test]
fn literals_keep_their_spelling() {
    let source = "system s {\n  a = [1_000, 0.50, 1.5m, 256MB, 2M, $1500, $0.25, 50%, -5MB]\n  b = \"tab\\t \\\"q\\\" \\u{e9}\"\n  c = [10.20.0.0/16, 10.0.0.5, 1024-65535, dotted.path, true]\n}\n";
    assert_eq!(format(source).unwrap(), source);
}

#[test]
fn an_empty_file_and_a_file_of_comments_are_kept() {
    assert_eq!(format("").unwrap(), "");
    assert_eq!(format("\n\n").unwrap(), "");
    assert_eq!(
        format("// one\n\n\n/* two */   // three\n").unwrap(),
        "// one\n\n/* two */\n// three\n"
    );
}
