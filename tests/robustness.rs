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

/// Analyses `source`, returning a description of what is wrong, if anything.
fn check_one(source: &str) -> Result<(), String> {
    let analysis = catch_unwind(AssertUnwindSafe(|| meshc::analyze(source)))
        .map_err(|_| "panicked".to_string())?;
    for diagnostic in &analysis.diagnostics {
        let Some(primary) = diagnostic.labels.first() else {
            return Err(format!("{} has no label", diagnostic.code.code));
        };
        if !primary.primary {
            return Err(format!(
                "{} has no primary label first",
                diagnostic.code.code
            ));
        }
        for label in &diagnostic.labels {
            let (start, end) = (label.span.start(), label.span.end());
            if start > end
                || end > source.len()
                || !source.is_char_boundary(start)
                || !source.is_char_boundary(end)
            {
                return Err(format!(
                    "{} has a label outside the text: {start}..{end}",
                    diagnostic.code.code
                ));
            }
        }
        if diagnostic.help.is_none() {
            return Err(format!("{} has no help", diagnostic.code.code));
        }
    }
    if analysis.system.is_none() && !analysis.has_errors() {
        return Err("no system was produced, yet no error says why".to_string());
    }
    if analysis.system.is_some() != analysis.graph.is_some() {
        return Err("a resolved system must have its graph".to_string());
    }
    // Rendering must not panic either.
    let file = meshc::diagnostics::SourceFile {
        name: "fuzz.mesh".to_string(),
        text: source.to_string(),
    };
    catch_unwind(AssertUnwindSafe(|| {
        meshc::diagnostics::render_human(
            &analysis.diagnostics,
            &file,
            meshc::diagnostics::HumanStyle::default(),
        )
    }))
    .map_err(|_| "rendering panicked".to_string())?;
    let _formatted = catch_unwind(AssertUnwindSafe(|| meshc::fmt::format(source)))
        .map_err(|_| "formatting panicked".to_string())?;
    // So must drawing the pictures of `meshc graph`, which it does for every
    // file without errors.
    if let (Some(system), Some(graph), false) = (
        analysis.system.as_ref(),
        analysis.graph.as_ref(),
        analysis.has_errors(),
    ) {
        catch_unwind(AssertUnwindSafe(|| {
            use meshc::emit::picture::{Detail, dot, mermaid};
            for detail in [Detail::Components, Detail::Everything] {
                mermaid(system, graph, detail);
                dot(system, graph, detail);
            }
        }))
        .map_err(|_| "drawing the pictures panicked".to_string())?;
    }
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
