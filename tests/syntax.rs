//! Syntax snapshots: the tree `syntax::parse` builds for every
//! `tests/syntax/ok/*.mesh` input (which must parse without a diagnostic),
//! and for every `tests/syntax/err/*.mesh` input the diagnostics and the
//! declarations recovered around them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use common::{file_name, snapshot};
use meshc::syntax;

#[test]
fn valid_inputs_parse_to_the_expected_tree() {
    insta::glob!("syntax/ok/*.mesh", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let mut diagnostics = Vec::new();
        let file = syntax::parse(&source, &mut diagnostics);
        assert!(
            diagnostics.is_empty(),
            "{}:\n{}",
            file_name(path),
            snapshot(&file_name(path), &source, &diagnostics)
        );
        insta::assert_snapshot!(syntax::dump::dump(&file));
    });
}

#[test]
fn invalid_inputs_report_and_recover() {
    insta::glob!("syntax/err/*.mesh", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let mut diagnostics = Vec::new();
        let file = syntax::parse(&source, &mut diagnostics);
        assert!(
            !diagnostics.is_empty(),
            "{} parsed without an error",
            file_name(path)
        );
        let rendered = snapshot(&file_name(path), &source, &diagnostics);
        insta::assert_snapshot!(format!(
            "{rendered}----- RECOVERED\n{}",
            syntax::dump::dump(&file)
        ));
    });
}
