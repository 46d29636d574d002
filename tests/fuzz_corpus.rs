//! The fuzz corpus (fuzz/corpus) replayed through the properties the fuzz
//! targets check (tests/common/oracle.rs): every input the fuzzer kept
//! because it reached new code, and every input it found that broke a
//! property once, named after what it broke. A regression test for each
//! finding, on every `cargo test`, without cargo-fuzz.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may fail loudly.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Every input of the kept corpus that is UTF-8 (the targets skip the
/// others, as meshc refuses them before analysing), by file name.
fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut inputs: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|entry| {
            let path = entry.unwrap().path();
            let text = String::from_utf8(std::fs::read(&path).unwrap()).ok()?;
            Some((common::file_name(&path), text))
        })
        .collect();
    inputs.sort();
    inputs
}

/// A property of `common::oracle`: what broke, if anything.
type Property = fn(&str) -> Result<(), String>;

#[test]
fn the_fuzz_corpus_keeps_every_property() {
    let inputs = corpus();
    assert!(inputs.len() > 100, "the kept corpus is missing");
    let properties: [(&str, Property); 3] = [
        ("check", common::oracle::analysis_is_sound),
        ("fmt", common::oracle::formatting_round_trips),
        ("compile", common::oracle::build_is_sound),
    ];
    let mut failures = Vec::new();
    for (name, text) in &inputs {
        for (target, property) in properties {
            let outcome = catch_unwind(AssertUnwindSafe(|| property(text)))
                .unwrap_or_else(|_| Err("panicked".to_string()));
            if let Err(problem) = outcome {
                failures.push(format!("fuzz/corpus/{name} ({target}): {problem}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
