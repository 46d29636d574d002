//! No input makes meshc panic, and every diagnostic points into the text.
//!
//! Every test input and example is analysed as it is; then each example is
//! mutated thousands of times with a fixed seed (deleted and duplicated
//! ranges, stray tokens, truncation, swapped lines) and every mutant must be
//! analysed without a panic, with each diagnostic carrying a code, a primary
//! label inside the text and a help line; the pictures of every file
//! without errors are drawn without a panic too. `MESHC_FUZZ_CASES` raises
//! the number of mutants per example (default 1500).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

fn all_inputs() -> Vec<PathBuf> {
    let mut inputs = Vec::new();
    for dir in [
        "examples",
        "tests/ui",
        "tests/ui/pass",
        "tests/syntax/ok",
        "tests/syntax/err",
    ] {
        inputs.extend(common::mesh_files(dir));
    }
    inputs
}

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
    for path in all_inputs() {
        let source = std::fs::read_to_string(&path).unwrap();
        if let Err(problem) = check_one(&source) {
            panic!("{}: {problem}", path.display());
        }
    }
}

const TOKENS: [&str; 34] = [
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "=",
    ",",
    ":",
    "|",
    ".",
    ";",
    "@",
    "$",
    "%",
    "/*",
    "*/",
    "//",
    "///",
    "\n",
    "service",
    "calls",
    "where",
    "via",
    "10.0.0.0/33",
    "1024-65535",
    "-5MB",
    "3parsecs",
    "é",
    "\u{0}",
    "\t",
    "in",
    "step x { do = a.b }",
];

fn char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn mutate(rng: &mut fastrand::Rng, source: &str) -> String {
    let mut text = source.to_string();
    for _ in 0..rng.usize(1..4) {
        let len = text.len().max(1);
        let at = char_boundary(&text, rng.usize(..len));
        match rng.u8(..6) {
            0 => {
                let end = char_boundary(&text, at + rng.usize(1..40));
                text.replace_range(at..end, "");
            }
            1 => {
                let token = TOKENS[rng.usize(..TOKENS.len())];
                text.insert_str(at, token);
            }
            2 => {
                let end = char_boundary(&text, at + rng.usize(1..80));
                let copy = text[at..end].to_string();
                text.insert_str(end, &copy);
            }
            3 => text.truncate(at),
            4 => {
                let mut lines: Vec<&str> = text.lines().collect();
                if lines.len() > 1 {
                    let a = rng.usize(..lines.len());
                    let b = rng.usize(..lines.len());
                    lines.swap(a, b);
                }
                text = lines.join("\n");
            }
            _ => {
                let end = char_boundary(&text, at + 1);
                let token = TOKENS[rng.usize(..TOKENS.len())];
                text.replace_range(at..end, token);
            }
        }
    }
    text
}

#[test]
fn mutated_examples_never_panic() {
    let cases: usize = std::env::var("MESHC_FUZZ_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1500);
    let mut rng = fastrand::Rng::with_seed(0x6d65_7368);
    let mut failures = Vec::new();
    for path in common::mesh_files("examples") {
        let source = std::fs::read_to_string(&path).unwrap();
        for _ in 0..cases {
            let mutant = mutate(&mut rng, &source);
            if let Err(problem) = check_one(&mutant) {
                failures.push(format!(
                    "{}: {problem}\n----- input\n{mutant}\n-----",
                    path.display()
                ));
                if failures.len() > 3 {
                    break;
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
