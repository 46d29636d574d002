//! UI tests: every `tests/ui/*.mesh` input reports exactly the diagnostics
//! its `// ~ CODE` comments expect, on those lines, each with a help line;
//! and its rendered diagnostics match the snapshot. Every
//! `tests/ui/pass/*.mesh` input — near misses of the failing ones — reports
//! nothing at all.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use common::{expectations, file_name, mesh_files, reported, snapshot};

#[test]
fn ui() {
    insta::glob!("ui/*.mesh", |path| {
        // What `meshc check` reports: a file that is not UTF-8 is only
        // that; any other, the checks and the backends' limits.
        let (source, not_utf8) = meshc::syntax::decode(std::fs::read(path).unwrap());
        let diagnostics = match not_utf8 {
            Some(problem) => vec![problem],
            None => {
                meshc::compile(
                    &meshc::diagnostics::SourceFile {
                        name: file_name(path),
                        text: source.clone(),
                    },
                    &meshc::Options::default(),
                )
                .diagnostics
            }
        };
        let expected = expectations(&source);
        assert!(
            !expected.is_empty(),
            "{}: no `// ~ CODE` expectation",
            file_name(path)
        );
        assert_eq!(
            expected,
            reported(&source, &diagnostics),
            "{}: expected (line, code) pairs differ from what was reported",
            file_name(path)
        );
        for diagnostic in &diagnostics {
            assert!(
                diagnostic.help.is_some(),
                "{}: {} has no help line",
                file_name(path),
                diagnostic.code.code
            );
        }
        insta::assert_snapshot!(snapshot(&file_name(path), &source, &diagnostics));
    });
}

#[test]
fn near_misses_report_nothing() {
    let inputs = mesh_files("tests/ui/pass");
    assert!(!inputs.is_empty(), "no near-miss inputs found");
    for path in &inputs {
        let source = std::fs::read_to_string(path).unwrap();
        let analysis = meshc::analyze(&source);
        assert!(
            !analysis
                .diagnostics
                .iter()
                .any(meshc::diagnostics::Diagnostic::is_active),
            "{} should be clean, got:\n{}",
            file_name(path),
            snapshot(&file_name(path), &source, &analysis.diagnostics)
        );
        assert!(analysis.system.is_some());
    }
}
