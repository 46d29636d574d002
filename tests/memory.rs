//! The memory `meshc check` takes on the benchmark's generated systems: at
//! most 50 times the input plus 64 MiB. Alone in its test binary, because
//! the peak is read from the kernel's account of every child the process
//! waited for; the benchmark (`cargo bench --bench frontend`) prints the
//! same measure from 1 MB to 50 MB.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::generated::generate;

/// The peak resident memory of `meshc check` on `source`, in bytes: the
/// test runs one child at a time, and the kernel keeps the largest peak of
/// the children waited for.
fn peak_memory_of_check(dir: &Path, source: &str) -> u64 {
    let input = dir.join("system.mesh");
    std::fs::write(&input, source).unwrap();
    // No working directory is set, so that the child is spawned without a
    // fork: a forked child starts with the test's own pages resident, which
    // the kernel would count as its peak.
    let output = Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(["check", "--format", "json"])
        .arg(&input)
        .stdin(Stdio::null())
        .output()
        .expect("meshc runs");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The generated systems are over a CloudFormation stack's limits: the
    // only errors are M230, found by measuring every resource.
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: std::collections::BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|diagnostic| {
            diagnostic["severity"] == "error" && diagnostic["suppressed"].is_null()
        })
        .map(|diagnostic| diagnostic["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["M230"].into());
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .expect("getrusage");
    // Linux reports kilobytes.
    u64::try_from(usage.max_rss()).unwrap() * 1024
}

#[test]
fn check_stays_within_fifty_times_its_input_plus_64_mib() {
    let dir = common::scratch_dir("memory", "check");
    // Ascending sizes: each peak is the largest so far. 7,000 services
    // are 4.2 MB, which peaked at 71 times their size before the plans
    // gave back the room their vectors grew into.
    for services in [1_000, 7_000] {
        let source = generate(services);
        let peak = peak_memory_of_check(&dir, &source);
        let budget = 50 * source.len() as u64 + 64 * 1024 * 1024;
        assert!(
            peak <= budget,
            "{services} services ({} bytes) peaked at {peak} bytes, over {budget}",
            source.len()
        );
    }
}

/// `meshc check` measures each resource and drops it instead of writing the
/// files: it must find exactly what `meshc build` refuses, the bytes of a
/// template over CloudFormation's limit included, on every example and on
/// generated systems on both sides of the 51,200 bytes of an inline
/// template and of the 1,000,000 of one uploaded to S3.
#[test]
fn check_finds_exactly_what_build_refuses() {
    let mut inputs: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples")).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|extension| extension == "mesh")
        {
            inputs.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    for services in [1, 2, 3, 20, 60, 64, 68, 72, 150] {
        inputs.push((format!("{services} services"), generate(services)));
    }
    let mut refused = 0;
    for (name, text) in inputs {
        let file = meshc::diagnostics::SourceFile {
            name: name.clone(),
            text,
        };
        for target in [
            meshc::Target::Terraform,
            meshc::Target::CloudFormation,
            meshc::Target::All,
        ] {
            let options = meshc::Options { target };
            let checked = meshc::check(&file, &options);
            let built = meshc::compile(&file, &options).diagnostics;
            assert_eq!(
                format!("{checked:#?}"),
                format!("{built:#?}"),
                "{name}, {target:?}"
            );
            refused += usize::from(built.iter().any(|found| found.code.code == "M230"));
        }
    }
    // Both sides of the limits were reached.
    assert!(
        refused >= 4,
        "only {refused} inputs went over a stack's limits"
    );
}
