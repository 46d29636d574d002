//! The command line, run as a user runs it: exit statuses, the three output
//! formats (SARIF validated against the official SARIF 2.1.0 JSON schema),
//! `explain`, a failed build leaving the output directory alone, `fmt`
//! rewriting files in place or, with `--check`, only reporting them, and
//! `graph`'s formats and exit statuses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use meshc::diagnostics::LineIndex;
use serde_json::Value;

fn meshc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("meshc runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn scratch(name: &str) -> common::Scratch {
    common::scratch_dir("cli", name)
}

const TWO_ERRORS: &str = "\
system shop { region = \"us-east-1\" }
service order {
  compute = lambda { runtime = \"python3.12\"  memroy = 1GB }
  calls paymnt
}
service payment { compute = lambda { runtime = \"python3.12\" } }
";

#[test]
fn check_accepts_every_example() {
    for example in common::mesh_files("examples") {
        let output = meshc(&["check", example.to_str().unwrap()]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}:\n{}",
            example.display(),
            stdout(&output)
        );
        // Clean but for the hand-written IAM statements, which `check`
        // always shows with their reason (M222, a note) for review.
        let printed = stdout(&output);
        let unreviewed: Vec<&str> = printed
            .lines()
            .filter(|line| line.len() == 4 && line.starts_with('M') && *line != "M222")
            .collect();
        assert!(
            unreviewed.is_empty(),
            "{} is not clean:\n{}",
            example.display(),
            stdout(&output)
        );
    }
}

#[test]
fn check_reports_every_error_and_exits_one() {
    let dir = scratch("errors");
    let file = dir.join("broken.mesh");
    std::fs::write(&file, TWO_ERRORS).unwrap();
    let output = meshc(&["check", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("M203"), "{text}");
    assert!(text.contains("did you mean `memory`?"), "{text}");
    assert!(text.contains("M201"), "{text}");
    assert!(text.contains("did you mean `payment`?"), "{text}");
    assert!(text.contains("2 errors, 0 warnings"), "{text}");
}

#[test]
fn check_exits_two_on_a_missing_file_or_a_bad_flag() {
    let output = meshc(&["check", "no/such/file.mesh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read"));
    let output = meshc(&["check", "--format", "yaml", "examples/shop.mesh"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn json_lists_each_diagnostic_with_its_location() {
    let dir = scratch("json");
    let file = dir.join("broken.mesh");
    std::fs::write(&file, TWO_ERRORS).unwrap();
    let output = meshc(&["check", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let document: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let diagnostics = document["diagnostics"].as_array().unwrap();
    let found: Vec<(&str, u64)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["span"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, vec![("M203", 3), ("M201", 4)]);
    assert_eq!(document["summary"]["errors"], 2);
    assert_eq!(diagnostics[1]["help"], "did you mean `payment`?");
    assert_eq!(diagnostics[1]["slug"], "unknown-name");
}

fn sarif_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-2.1.0.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

#[test]
fn sarif_is_valid_and_locates_each_result() {
    let dir = scratch("sarif");
    let file = dir.join("broken.mesh");
    std::fs::write(&file, TWO_ERRORS).unwrap();
    let output = meshc(&["check", "--format", "sarif", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let log: Value = serde_json::from_str(&stdout(&output)).unwrap();

    let validator = sarif_schema();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|error| error.to_string())
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), meshc::check::CODES.len());
    let analysis = meshc::analyze(TWO_ERRORS);
    let index = LineIndex::new(TWO_ERRORS);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), analysis.diagnostics.len());
    for (result, diagnostic) in results.iter().zip(&analysis.diagnostics) {
        assert_eq!(result["ruleId"], diagnostic.code.code);
        let rule_index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[rule_index]["id"], diagnostic.code.code);
        let start = index.line_column(diagnostic.primary_span().start());
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], start.line);
        assert_eq!(region["startColumn"], start.column);
    }
}

#[test]
fn sarif_of_a_clean_file_is_valid_and_empty() {
    let output = meshc(&["check", "--format", "sarif", "examples/lab.mesh"]);
    assert_eq!(output.status.code(), Some(0));
    let log: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(sarif_schema().is_valid(&log));
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn the_schema_rejects_a_broken_log() {
    // The validator is only worth something if it can say no.
    let broken = serde_json::json!({
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "meshc" } },
                   "results": [{ "message": { "text": "x" }, "level": "fatal" }] }]
    });
    assert!(!sarif_schema().is_valid(&broken));
}

#[test]
fn explain_prints_the_explanation_of_a_code_or_slug() {
    let by_code = meshc(&["explain", "M201"]);
    assert_eq!(by_code.status.code(), Some(0));
    let text = stdout(&by_code);
    assert!(text.starts_with("M201 unknown-name (error)"), "{text}");
    assert!(text.contains("## Why is this bad?"));
    assert!(text.contains("calls paymnt"));
    let by_slug = meshc(&["explain", "unknown-name"]);
    assert_eq!(stdout(&by_slug), text);
    let lowercase = meshc(&["explain", "m201"]);
    assert_eq!(stdout(&lowercase), text);
}

#[test]
fn explain_lists_every_code_and_refuses_unknown_ones() {
    let listing = stdout(&meshc(&["explain"]));
    for code in meshc::check::CODES {
        assert!(
            listing.contains(code.code) && listing.contains(code.slug),
            "{} missing",
            code.code
        );
    }
    let unknown = meshc(&["explain", "M2O1"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `M201`?"));
}

#[test]
fn a_failed_build_leaves_the_output_directory_untouched() {
    let dir = scratch("build");
    let out = dir.join("out");
    std::fs::create_dir_all(out.join("terraform")).unwrap();
    std::fs::write(out.join("terraform/main.tf"), "# previous build\n").unwrap();
    let file = dir.join("broken.mesh");
    std::fs::write(&file, TWO_ERRORS).unwrap();
    let output = meshc(&["build", file.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is unchanged"));
    assert_eq!(
        std::fs::read_to_string(out.join("terraform/main.tf")).unwrap(),
        "# previous build\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("meshc"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging directories left behind: {leftovers:?}"
    );
}

#[test]
fn help_names_every_command() {
    let text = stdout(&meshc(&["--help"]));
    for command in ["check", "build", "fmt", "graph", "explain"] {
        assert!(text.contains(command), "{text}");
    }
}

const MESSY: &str = "system   messy{\nregion=\"eu-west-1\"     budget=$25 }\nqueue jobs {visibility=1m\n  retention = 2d} // slow\n";

const TIDY: &str = "system messy {\n  region = \"eu-west-1\"\n  budget = $25\n}\n\nqueue jobs {\n  visibility = 1m\n  retention  = 2d\n}  // slow\n";

/// `meshc` with `input` on its standard input.
fn meshc_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("meshc runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A fresh scratch directory holding `files` (name, contents); their paths.
/// A scratch directory holding `files`, and their paths.
fn scratch_files(name: &str, files: &[(&str, &str)]) -> (common::Scratch, Vec<PathBuf>) {
    let dir = scratch(name);
    let paths = files
        .iter()
        .map(|(file, contents)| {
            let path = dir.join(file);
            std::fs::write(&path, contents).unwrap();
            path
        })
        .collect();
    (dir, paths)
}

/// The names of the files in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn fmt_check_accepts_every_example() {
    let examples: Vec<String> = common::mesh_files("examples")
        .iter()
        .map(|path| path.to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["fmt", "--check"];
    args.extend(examples.iter().map(String::as_str));
    let output = meshc(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output), "");
}

#[test]
fn fmt_check_prints_a_diff_writes_nothing_and_exits_one() {
    let (_dir, files) = scratch_files("fmt-check", &[("messy.mesh", MESSY), ("tidy.mesh", TIDY)]);
    let (messy, tidy) = (&files[0], &files[1]);
    let output = meshc(&[
        "fmt",
        "--check",
        messy.to_str().unwrap(),
        tidy.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let name = messy.display().to_string();
    let expected = format!(
        "would reformat {name}\n--- {name}\n+++ {name}\n@@ -1,4 +1,9 @@\n\
-system   messy{{\n-region=\"eu-west-1\"     budget=$25 }}\n-queue jobs {{visibility=1m\n\
-  retention = 2d}} // slow\n+system messy {{\n+  region = \"eu-west-1\"\n+  budget = $25\n+}}\n\
+\n+queue jobs {{\n+  visibility = 1m\n+  retention  = 2d\n+}}  // slow\n"
    );
    assert_eq!(stdout(&output), expected);
    assert_eq!(std::fs::read_to_string(messy).unwrap(), MESSY);
    assert_eq!(
        file_names(messy.parent().unwrap()),
        ["messy.mesh", "tidy.mesh"]
    );
}

#[test]
fn fmt_rewrites_a_file_in_place_and_leaves_a_formatted_one_alone() {
    let (_dir, files) = scratch_files("fmt-write", &[("messy.mesh", MESSY), ("tidy.mesh", TIDY)]);
    let (messy, tidy) = (&files[0], &files[1]);
    let tidy_modified = std::fs::metadata(tidy).unwrap().modified().unwrap();
    let output = meshc(&["fmt", messy.to_str().unwrap(), tidy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), format!("formatted {}\n", messy.display()));
    assert_eq!(std::fs::read_to_string(messy).unwrap(), TIDY);
    assert_eq!(
        std::fs::metadata(tidy).unwrap().modified().unwrap(),
        tidy_modified,
        "an already formatted file was rewritten"
    );
    assert_eq!(
        file_names(messy.parent().unwrap()),
        ["messy.mesh", "tidy.mesh"]
    );
    // Formatted once, the file is left alone.
    let again = meshc(&["fmt", messy.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stdout(&again), "");
}

#[test]
fn fmt_reports_syntax_errors_and_leaves_the_file_alone() {
    let source = "service a {\n  port = 8080;\n}\n";
    let (_dir, files) = scratch_files(
        "fmt-errors",
        &[("broken.mesh", source), ("messy.mesh", MESSY)],
    );
    let (broken, messy) = (&files[0], &files[1]);
    let output = meshc(&["fmt", broken.to_str().unwrap(), messy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("M101"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: 1 error, 0 warnings; not formatted",
            broken.display()
        )),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(broken).unwrap(), source);
    // The other files are still formatted.
    assert_eq!(std::fs::read_to_string(messy).unwrap(), TIDY);
    let check = meshc(&["fmt", "--check", broken.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(stdout(&check), "");
}

#[test]
fn fmt_exits_two_on_a_missing_file_and_formats_the_others() {
    let (_dir, files) = scratch_files("fmt-missing", &[("messy.mesh", MESSY)]);
    let messy = &files[0];
    let missing = messy.with_file_name("missing.mesh");
    let output = meshc(&["fmt", missing.to_str().unwrap(), messy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read"));
    assert_eq!(std::fs::read_to_string(messy).unwrap(), TIDY);
    assert_eq!(meshc(&["fmt"]).status.code(), Some(2));
}

#[test]
fn fmt_formats_standard_input_to_standard_output() {
    let output = meshc_with_stdin(&["fmt", "-"], MESSY);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), TIDY);
    let tidy = meshc_with_stdin(&["fmt", "--check", "-"], TIDY);
    assert_eq!(tidy.status.code(), Some(0));
    assert_eq!(stdout(&tidy), "");
    let messy = meshc_with_stdin(&["fmt", "--check", "-"], MESSY);
    assert_eq!(messy.status.code(), Some(1));
    assert!(stdout(&messy).starts_with("would reformat <stdin>\n--- <stdin>\n+++ <stdin>\n"));
    let broken = meshc_with_stdin(&["fmt", "-"], "queue q { visibility = @ }\n");
    assert_eq!(broken.status.code(), Some(1));
    assert_eq!(stdout(&broken), "");
    assert!(
        String::from_utf8_lossy(&broken.stderr)
            .contains("<stdin>: 1 error, 0 warnings; not formatted")
    );
}

#[test]
fn graph_prints_mermaid_by_default_and_dot_on_request() {
    let output = meshc(&["graph", "examples/shop.mesh"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).starts_with("flowchart LR\n"),
        "{}",
        stdout(&output)
    );
    assert!(output.stderr.is_empty());
    let output = meshc(&["graph", "examples/shop.mesh", "--format", "dot"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).starts_with("digraph \"shop\" {\n"),
        "{}",
        stdout(&output)
    );
    let all = meshc(&["graph", "examples/shop.mesh", "--all"]);
    assert_eq!(all.status.code(), Some(0));
    assert!(
        stdout(&all).contains("notifications--dlq"),
        "{}",
        stdout(&all)
    );
}

#[test]
fn graph_of_a_file_with_errors_reports_them_and_exits_one() {
    let dir = scratch("graph-errors");
    let file = dir.join("broken.mesh");
    std::fs::write(&file, TWO_ERRORS).unwrap();
    let output = meshc(&["graph", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("M201"), "{text}");
    assert!(!text.contains("flowchart"), "{text}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("fix them to draw it"));
}

#[test]
fn graph_exits_two_when_it_cannot_write_the_diagram() {
    let full = std::fs::File::create("/dev/full").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(["graph", "examples/shop.mesh"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write the diagram"));
}

#[test]
fn graph_exits_two_on_a_missing_file_or_a_bad_format() {
    let output = meshc(&["graph", "no/such/file.mesh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read"));
    let output = meshc(&["graph", "examples/shop.mesh", "--format", "svg"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}

#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    // `meshc explain | head -1`, `meshc build ... | head -0`: the pipe
    // closes before meshc has written everything.
    let dir = scratch("closed-pipe");
    for args in [
        vec!["explain".to_string()],
        vec![
            "build".to_string(),
            "examples/shop.mesh".to_string(),
            "-o".to_string(),
            dir.join("out").display().to_string(),
        ],
        vec!["graph".to_string(), "examples/shop.mesh".to_string()],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_meshc"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(output.status.code(), Some(101), "{args:?}: {stderr}");
    }
}
