//! No input makes meshc panic, and every diagnostic points into the text.
//!
//! Every test input and example is analysed as it is; then each example is
//! mutated thousands of times with a fixed seed (deleted and duplicated
//! ranges, stray tokens, truncation, swapped lines) and every mutant must be
//! analysed and formatted without a panic, with each diagnostic carrying a
//! code, a primary label inside the text and a help line; the pictures of
//! every file without errors are drawn without a panic too.
//! `MESHC_FUZZ_CASES` raises the number of mutants per example (default
//! 1500). What formatting a mutant must preserve is tested in tests/fmt.rs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Analyses and formats `source`, returning a description of what is
/// wrong, if anything (see `common::oracle`).
fn check_one(source: &str) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        common::oracle::analysis_is_sound(source)
    }))
    .map_err(|_| "analysing panicked".to_string())??;
    let _formatted = catch_unwind(AssertUnwindSafe(|| meshc::fmt::format(source)))
        .map_err(|_| "formatting panicked".to_string())?;
    Ok(())
}

#[test]
fn every_input_is_analysed_without_panic() {
    for path in common::every_mesh_file() {
        let source = common::read_mesh(&path);
        if let Err(problem) = check_one(&source) {
            panic!("{}: {problem}", path.display());
        }
    }
}

#[test]
fn mutated_examples_never_panic() {
    let mut rng = fastrand::Rng::with_seed(0x6d65_7368);
    let failures = common::failures_over_mutants(
        &common::mesh_sources("examples"),
        common::fuzz_cases(),
        &mut rng,
        common::mutate,
        |_, mutant| check_one(mutant),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
