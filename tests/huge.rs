//! Huge and hostile input through the command line, generated here: what
//! used to hang (a choreographed saga of a thousand steps, ten thousand
//! calls to unknown services, a name of twenty thousand characters, `fmt
//! --check` of a large file in another layout), to grow without end (a
//! device, a FIFO) or to take memory out of proportion to the input.
//!
//! Each case is run at a size and at twice the size, must finish within
//! ten seconds and report exactly what it should. That its work grows
//! linearly is counted, not timed: the benchmark's instruction gate
//! (`cargo bench --bench frontend -- instructions`, run by `.ci/run`)
//! counts the instructions of the same inputs at both sizes. The memory
//! `meshc check` takes is tests/memory.rs's. The benchmark (`cargo bench
//! --bench frontend`) prints the times and memory of the same cases up to
//! 50 MB.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::generated::{
    choreographed_saga, long_unknown_name, queues_in_another_layout, unclosed_block_comments,
    unknown_calls,
};

fn scratch(name: &str) -> common::Scratch {
    common::scratch_dir("huge", name)
}

fn meshc(args: &[&str], dir: &Path) -> Output {
    common::meshc_in(args, dir)
}

/// Runs `meshc args` on `source` in `dir`, within ten seconds (what used to
/// hang).
fn run(dir: &Path, file: &str, source: &str, args: &[&str]) -> Output {
    std::fs::write(dir.join(file), source).unwrap();
    let start = Instant::now();
    let output = meshc(args, dir);
    let elapsed = start.elapsed();
    assert!(
        elapsed < Duration::from_secs(10),
        "meshc {args:?} on {} bytes took {elapsed:?}",
        source.len()
    );
    output
}

/// Runs `meshc args` on the input of `size` and of twice `size`, and
/// checks both outputs with `expect`. That the work grows linearly is
/// counted in instructions by the benchmark's gate, where a busy machine
/// cannot change the count.
fn at_size_and_twice(
    name: &str,
    size: usize,
    make: impl Fn(usize) -> String,
    args: &[&str],
    expect: impl Fn(usize, &str, &Output),
) {
    let dir = scratch(name);
    let file = "input.mesh";
    for n in [size, 2 * size] {
        let source = make(n);
        let output = run(&dir, file, &source, args);
        expect(n, &source, &output);
    }
}

/// The codes of the diagnostics of a `--format json` report, with the line
/// and column of each.
fn reported(output: &Output) -> Vec<(String, usize, usize)> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "not a JSON report: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|diagnostic| diagnostic["suppressed"].is_null())
        .map(|diagnostic| {
            (
                diagnostic["code"].as_str().unwrap().to_string(),
                diagnostic["span"]["line"].as_u64().unwrap() as usize,
                diagnostic["span"]["column"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

#[test]
fn choreographed_sagas_of_a_thousand_and_two_thousand_steps_are_checked() {
    at_size_and_twice(
        "saga",
        1_000,
        choreographed_saga,
        &[
            "check",
            "--target",
            "terraform",
            "--format",
            "json",
            "input.mesh",
        ],
        |steps, _, output| {
            assert_eq!(
                reported(output),
                Vec::new(),
                "a saga of {steps} steps: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert_eq!(output.status.code(), Some(0));
        },
    );
}

#[test]
fn ten_thousand_calls_to_unknown_services_are_each_located() {
    at_size_and_twice(
        "unknown-calls",
        5_000,
        unknown_calls,
        &["check", "--format", "json", "input.mesh"],
        |calls, _, output| {
            assert_eq!(output.status.code(), Some(1));
            let found = reported(output);
            let expected: Vec<(String, usize, usize)> = (0..calls)
                .map(|call| ("M201".to_string(), 10 + call, 9))
                .collect();
            assert_eq!(found, expected);
        },
    );
}

#[test]
fn a_twenty_thousand_character_unknown_name_is_located() {
    at_size_and_twice(
        "long-name",
        10_000,
        long_unknown_name,
        &["check", "--format", "json", "input.mesh"],
        |_, _, output| {
            assert_eq!(output.status.code(), Some(1));
            let found: Vec<(String, usize, usize)> = reported(output)
                .into_iter()
                .filter(|(code, _, _)| code.starts_with("M2"))
                .collect();
            // The declared name is over the length a name may have (M225);
            // the call to the name one letter off is still located.
            assert_eq!(
                found,
                vec![("M225".to_string(), 7, 9), ("M201".to_string(), 14, 9)]
            );
        },
    );
}

#[test]
fn unclosed_block_comments_are_located() {
    // 26 took minutes before a `/*` inside a comment was read only as a
    // nested comment; 52 stays within the 64 levels comments may nest.
    at_size_and_twice(
        "unclosed-comments",
        26,
        unclosed_block_comments,
        &["check", "--format", "json", "input.mesh"],
        |_, _, output| {
            assert_eq!(output.status.code(), Some(1));
            assert_eq!(reported(output), vec![("M105".to_string(), 3, 1)]);
        },
    );
}

#[test]
fn fmt_check_of_a_large_file_in_another_layout_ends() {
    at_size_and_twice(
        "fmt-check",
        30_000,
        queues_in_another_layout,
        &["fmt", "--check", "input.mesh"],
        |count, source, output| {
            assert_eq!(output.status.code(), Some(1));
            let diff = String::from_utf8(output.stdout.clone()).unwrap();
            assert!(
                diff.starts_with("would reformat input.mesh\n--- input.mesh\n+++ input.mesh\n")
            );
            // Applying the diff to the input gives what `fmt` writes.
            let formatted = meshc::fmt::format(source).unwrap();
            let removed: Vec<&str> = diff
                .lines()
                .filter(|line| line.starts_with('-') && !line.starts_with("---"))
                .map(|line| &line[1..])
                .collect();
            let added: Vec<&str> = diff
                .lines()
                .filter(|line| line.starts_with('+') && !line.starts_with("+++"))
                .map(|line| &line[1..])
                .collect();
            let kept = source.lines().count() - removed.len();
            assert_eq!(
                kept + added.len(),
                formatted.lines().count(),
                "{count} queues"
            );
            assert!(formatted.lines().all(|line| !line.contains("q0 {")
                || added.contains(&line)
                || source.contains(line)));
        },
    );
}

#[test]
fn a_device_a_fifo_and_a_directory_are_refused_at_once_by_every_command() {
    let dir = scratch("devices");
    let fifo = dir.join("pipe.mesh");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let inputs = [
        ("/dev/zero".to_string(), "a character device"),
        (fifo.display().to_string(), "a FIFO"),
        (dir.display().to_string(), "a directory"),
    ];
    for (path, kind) in &inputs {
        for command in [
            vec!["check", path],
            vec!["fmt", path],
            vec!["build", path, "-o", "out"],
            vec!["graph", path],
            vec!["cost", path],
        ] {
            let start = Instant::now();
            let output = meshc(&command, &dir);
            let elapsed = start.elapsed();
            assert!(
                elapsed < Duration::from_secs(5),
                "{command:?} took {elapsed:?}"
            );
            assert_eq!(output.status.code(), Some(2), "{command:?}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains(&format!(
                    "cannot read `{path}`: it is {kind}, not a regular file"
                )),
                "{command:?}: {stderr}"
            );
            assert!(!dir.join("out").exists(), "{command:?} wrote output");
        }
    }
}

#[test]
fn a_file_over_the_input_cap_is_refused_before_it_is_read() {
    let dir = scratch("cap");
    let file = std::fs::File::create(dir.join("big.mesh")).unwrap();
    // A sparse file: 64 MiB and one byte, nothing written.
    file.set_len(64 * 1024 * 1024 + 1).unwrap();
    let start = Instant::now();
    let output = meshc(&["check", "big.mesh"], &dir);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(
            "cannot read `big.mesh`: it has 67108865 bytes, more than the 67108864 (64 MiB) meshc reads"
        ),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_byte_order_mark_is_read_past_and_kept_by_fmt() {
    let dir = scratch("bom");
    let shop = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/shop.mesh"))
        .unwrap();
    std::fs::write(dir.join("plain.mesh"), &shop).unwrap();
    std::fs::write(dir.join("bom.mesh"), format!("\u{feff}{shop}")).unwrap();
    let plain = meshc(&["check", "--format", "json", "plain.mesh"], &dir);
    let bom = meshc(&["check", "--format", "json", "bom.mesh"], &dir);
    assert_eq!(plain.status.code(), Some(0));
    assert_eq!(bom.status.code(), Some(0));
    // The same findings at the same lines and columns (offsets count the
    // mark's three bytes).
    assert_eq!(reported(&bom), reported(&plain));
    let formatted = meshc(&["fmt", "--check", "bom.mesh"], &dir);
    assert_eq!(formatted.status.code(), Some(0), "{formatted:?}");
}
