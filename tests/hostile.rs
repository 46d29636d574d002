//! Hostile input through the command line, as a user (or an attacker) runs
//! it: nesting far deeper than `meshc::syntax::MAX_NESTING`.
//!
//! Each shape that used to abort the process ("thread 'main' has overflowed
//! its stack", exit status 134) on every command — nested blocks, object
//! types in a schema, objects in `tags`, nested value lists, nested list
//! types — and nested block comments are generated here, 10,000 and 100,000
//! levels deep. Every command (`check`, `fmt`, `build`, `graph`, `cost`,
//! `simulate`) must answer with exit status 1 and exactly one diagnostic,
//! M110, at the bracket that opens the first level too many; `fmt` must
//! leave the file alone. Input exactly at the limit gets no M110, and when
//! it is otherwise valid it checks, formats, builds, draws and prices.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::path::Path;
use std::process::Output;

use meshc::syntax::MAX_NESTING;

/// A generated input: `head`, then `depth` times `open`, then `core`, then
/// `depth` times `close`, then `tail`. `levels_before` is how many levels
/// `head` has opened: the declaration's `{` is level 1.
struct Shape {
    name: &'static str,
    head: &'static str,
    levels_before: usize,
    open: &'static str,
    core: &'static str,
    close: &'static str,
    tail: &'static str,
}

impl Shape {
    fn text(&self, depth: usize) -> String {
        format!(
            "{}{}{}{}{}",
            self.head,
            self.open.repeat(depth),
            self.core,
            self.close.repeat(depth),
            self.tail
        )
    }

    /// The depth that reaches `MAX_NESTING` exactly.
    fn at_the_limit(&self) -> usize {
        MAX_NESTING - self.levels_before
    }

    /// The line and column (1-based) of the opening that goes one level
    /// deeper than the limit, and its text.
    fn crossing(&self) -> (usize, usize, &'static str) {
        let line = self.head.matches('\n').count() + 1;
        let last_line = self.head.rsplit('\n').next().unwrap();
        let opening = ["/*", "{", "["]
            .into_iter()
            .find(|opening| self.open.contains(opening))
            .unwrap();
        let units_before = MAX_NESTING - self.levels_before;
        let column =
            last_line.len() + units_before * self.open.len() + self.open.find(opening).unwrap();
        (line, column + 1, opening)
    }
}

/// The shapes of the issue, and nested block comments.
const SHAPES: [Shape; 6] = [
    Shape {
        name: "blocks",
        head: "system s { region = \"us-east-1\" }\nnetwork n { ",
        levels_before: 1,
        open: "subnet a { ",
        core: "",
        close: "} ",
        tail: "}\n",
    },
    Shape {
        name: "object-types",
        head: "system s { region = \"us-east-1\" }\nevent e { schema { f: ",
        levels_before: 2,
        open: "{ a: ",
        core: "string",
        close: " }",
        tail: " } }\n",
    },
    Shape {
        name: "tags",
        head: "system s { region = \"us-east-1\"  tags = ",
        levels_before: 1,
        open: "{ a = ",
        core: "\"x\"",
        close: " }",
        tail: " }\n",
    },
    Shape {
        name: "value-lists",
        head: "system s { region = \"us-east-1\"  tags = { a = ",
        levels_before: 2,
        open: "[",
        core: "",
        close: "]",
        tail: " } }\n",
    },
    Shape {
        name: "list-types",
        head: "system s { region = \"us-east-1\" }\nevent e { schema { f: ",
        levels_before: 2,
        open: "[",
        core: "string",
        close: "]",
        tail: " } }\n",
    },
    Shape {
        name: "block-comments",
        head: "system s { region = \"us-east-1\" }\n",
        levels_before: 0,
        open: "/* ",
        core: "",
        close: " */",
        tail: "\n",
    },
];

fn scratch(name: &str) -> common::Scratch {
    common::scratch_dir("hostile", name)
}

fn meshc(args: &[&str], dir: &Path) -> Output {
    common::meshc_in(args, dir)
}

/// Every command that reads a file, with its arguments.
fn commands(file: &str) -> Vec<Vec<String>> {
    [
        vec!["check", file],
        vec!["fmt", file],
        vec!["build", file, "-o", "out"],
        vec!["graph", file],
        vec!["cost", file],
        vec!["simulate", file, "checkout"],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_string).collect())
    .collect()
}

/// What a command printed, both streams.
fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The human diagnostics printed: (code, `file:line:column`) for each.
fn diagnostics(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if !line.starts_with("  × ") {
            continue;
        }
        let code = index
            .checked_sub(2)
            .map_or("", |code_line| lines[code_line].trim())
            .to_string();
        let location = lines
            .get(index + 1)
            .and_then(|next| next.split_once("╭─["))
            .and_then(|(_, rest)| rest.split_once(']'))
            .map_or(String::new(), |(location, _)| location.to_string());
        found.push((code, location));
    }
    found
}

/// Runs every command on `source`, `depth` levels deep, and expects one
/// M110 at `location` (or anywhere, if `None`) from each.
fn expect_one_m110(name: &str, source: &str, location: Option<&str>) {
    let dir = scratch(name);
    let file = format!("{name}.mesh");
    std::fs::write(dir.join(&file), source).unwrap();
    for args in commands(&file) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = meshc(&args, &dir);
        let text = printed(&output);
        let shown = text.chars().take(2000).collect::<String>();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{name}: `meshc {}` should exit with 1:\n{shown}",
            args.join(" ")
        );
        let found = diagnostics(&text);
        assert_eq!(
            found.len(),
            1,
            "{name}: `meshc {}` should report one diagnostic, got {found:?}:\n{shown}",
            args.join(" ")
        );
        assert_eq!(found[0].0, "M110", "{name}: `meshc {}`", args.join(" "));
        if let Some(location) = location {
            assert_eq!(
                found[0].1,
                format!("{file}:{location}"),
                "{name}: `meshc {}` points elsewhere",
                args.join(" ")
            );
        }
    }
    // `fmt` leaves a file it cannot read alone, and `build` writes nothing.
    assert_eq!(std::fs::read_to_string(dir.join(&file)).unwrap(), source);
    assert!(
        !dir.join("out").exists(),
        "{name}: a failed build wrote out/"
    );
}

fn too_deep(shape: &Shape) {
    let (line, column, opening) = shape.crossing();
    for depth in [10_000, 100_000] {
        let source = shape.text(depth);
        let name = format!("{}-{depth}", shape.name);
        expect_one_m110(&name, &source, Some(&format!("{line}:{column}")));
        // The label names the opening it points at.
        let dir = scratch(&format!("{name}-label"));
        std::fs::write(dir.join("deep.mesh"), &source).unwrap();
        let text = printed(&meshc(&["check", "deep.mesh"], &dir));
        assert!(
            text.contains(&format!("this `{opening}` opens level {}", MAX_NESTING + 1)),
            "{name}: {}",
            text.chars().take(2000).collect::<String>()
        );
    }
    // Never closed, too.
    let mut unclosed = shape.text(100_000);
    unclosed.truncate(shape.head.len() + 100_000 * shape.open.len());
    expect_one_m110(
        &format!("{}-unclosed", shape.name),
        &unclosed,
        Some(&format!("{line}:{column}")),
    );
}

/// At the limit: no M110 and no crash, whatever else is wrong.
fn at_the_limit(shape: &Shape) {
    let source = shape.text(shape.at_the_limit());
    let dir = scratch(&format!("{}-limit", shape.name));
    std::fs::write(dir.join("limit.mesh"), &source).unwrap();
    for args in commands("limit.mesh") {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = meshc(&args, &dir);
        let text = printed(&output);
        assert!(
            matches!(output.status.code(), Some(0..=2)),
            "{}: `meshc {}` ended with {:?}:\n{text}",
            shape.name,
            args.join(" "),
            output.status
        );
        assert!(
            !text.contains("M110"),
            "{}: `meshc {}` at the limit:\n{text}",
            shape.name,
            args.join(" ")
        );
    }
}

#[test]
fn nested_blocks_get_one_located_m110_from_every_command() {
    too_deep(&SHAPES[0]);
    at_the_limit(&SHAPES[0]);
}

#[test]
fn nested_object_types_get_one_located_m110_from_every_command() {
    too_deep(&SHAPES[1]);
    at_the_limit(&SHAPES[1]);
}

/// An event type nested to the limit is written like any other: laid out,
/// with its comments. The Terraform writer used to print each file, parse
/// it back with hcl-edit to lay it out, and when that parser gave up on the
/// depth, wrote the unformatted text instead, comments dropped and the
/// whole schema on one line.
#[test]
fn a_type_nested_to_the_limit_is_written_laid_out_with_its_comments() {
    let shape = &SHAPES[1];
    let depth = shape.at_the_limit();
    let source = meshc::diagnostics::SourceFile {
        name: "limit.mesh".to_string(),
        text: shape.text(depth),
    };
    let options = meshc::Options {
        target: meshc::Target::Terraform,
    };
    let output = meshc::compile(&source, &options);
    let events = output
        .files
        .get("terraform/events.tf")
        .unwrap_or_else(|| panic!("no events.tf: {:?}", output.files.keys()));
    assert!(
        events.contains("# The schema of every event, so that producers and consumers"),
        "{events}"
    );
    let schema = events
        .lines()
        .skip_while(|line| !line.trim_start().starts_with("content"))
        .collect::<Vec<_>>();
    assert_eq!(
        schema.first(),
        Some(&"  content = jsonencode({"),
        "{events}"
    );
    // One line for each level's `type`, opening and closing.
    assert!(schema.len() > 3 * depth, "{} lines", schema.len());
    assert!(
        events.contains("  name        = \"${var.name_prefix}-events\""),
        "{events}"
    );
}

#[test]
fn nested_objects_in_tags_get_one_located_m110_from_every_command() {
    too_deep(&SHAPES[2]);
    at_the_limit(&SHAPES[2]);
}

#[test]
fn nested_value_lists_get_one_located_m110_from_every_command() {
    too_deep(&SHAPES[3]);
    at_the_limit(&SHAPES[3]);
}

#[test]
fn nested_list_types_get_one_located_m110_from_every_command() {
    too_deep(&SHAPES[4]);
    at_the_limit(&SHAPES[4]);
}

#[test]
fn nested_block_comments_get_one_located_m110_from_every_command() {
    too_deep(&SHAPES[5]);
    at_the_limit(&SHAPES[5]);
}

/// `1//b` is a malformed literal to the grammar, not a comment: the scan
/// before parsing reads past the brackets after it, and the measure of the
/// parsed tree (or, deeper, the parser's own stack check) still stops them.
#[test]
fn brackets_the_scan_takes_for_a_comment_are_still_bounded() {
    let shape = Shape {
        name: "after-a-malformed-literal",
        head: "system s { region = \"us-east-1\"  tags = { a = 1//b  c = ",
        levels_before: 2,
        open: "[",
        core: "",
        close: "]",
        tail: " } }\n",
    };
    let (line, column, _) = shape.crossing();
    for depth in [MAX_NESTING, 1_000] {
        expect_one_m110(
            &format!("{}-{depth}", shape.name),
            &shape.text(depth),
            Some(&format!("{line}:{column}")),
        );
    }
    // So deep that the parser runs out of stack first: located where it
    // gave up.
    expect_one_m110(
        &format!("{}-100000", shape.name),
        &shape.text(100_000),
        None,
    );
}

/// A valid system whose event schema nests exactly to the limit, as list
/// types, object types and both: every command succeeds on it.
#[test]
fn a_valid_system_at_the_limit_checks_formats_builds_draws_and_prices() {
    let base = "system s { region = \"us-east-1\" }
network main { cidr = 10.0.0.0/16  subnet app { tier = private } }
bus b {}
service p { compute = lambda { runtime = \"python3.12\" }  subnet = app  publishes e }
service c { compute = lambda { runtime = \"python3.12\" }  subnet = app  consumes e }
";
    // `event {` and `schema {` are levels 1 and 2.
    let levels = MAX_NESTING - 2;
    let schemas = [
        format!("{}string{}", "[".repeat(levels), "]".repeat(levels)),
        format!("{}string{}", "{ a: ".repeat(levels), " }".repeat(levels)),
        format!(
            "{}string{}",
            "[{ a: ".repeat(levels / 2),
            " }]".repeat(levels / 2)
        ),
    ];
    for (index, schema) in schemas.iter().enumerate() {
        let source = format!("{base}event e {{ bus = b  source = p  schema {{ f: {schema} }} }}\n");
        let dir = scratch(&format!("valid-limit-{index}"));
        std::fs::write(dir.join("limit.mesh"), &source).unwrap();
        for args in [
            vec!["check", "limit.mesh"],
            vec!["build", "limit.mesh", "-o", "out"],
            vec!["graph", "limit.mesh"],
            vec!["cost", "limit.mesh"],
            vec!["fmt", "limit.mesh"],
            vec!["check", "limit.mesh"],
        ] {
            let output = meshc(&args, &dir);
            assert_eq!(
                output.status.code(),
                Some(0),
                "`meshc {}` on schema {index}:\n{}",
                args.join(" "),
                printed(&output)
            );
        }
        assert!(dir.join("out/terraform").is_dir());
    }
}

/// The declaration that nests too deep is skipped; the others are still
/// read, checked and reported in the same run.
#[test]
fn the_declarations_after_one_nested_too_deep_are_still_checked() {
    let deep = SHAPES[3].text(100_000);
    let source = format!("{deep}queue jobs {{ dlq {{ queue = nowhere }} }}\n");
    let dir = scratch("after");
    std::fs::write(dir.join("after.mesh"), &source).unwrap();
    let output = meshc(&["check", "after.mesh"], &dir);
    let codes: Vec<String> = diagnostics(&printed(&output))
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    assert_eq!(codes, ["M110", "M201"], "{}", printed(&output));
}

#[test]
fn explain_states_the_limit() {
    let output = meshc(&["explain", "M110"], Path::new(env!("CARGO_MANIFEST_DIR")));
    let text = printed(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains(&format!("more than {MAX_NESTING} levels deep")));
    assert!(text.contains(&format!("opens level {}", MAX_NESTING + 1)));
    let language =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/language.md"))
            .unwrap();
    assert!(language.contains(&format!("at most {MAX_NESTING} levels deep")));
}

/// Whether printed text holds a control character other than a line break
/// or a tab: one a terminal would run (a colour, a cursor move, a title).
fn holds_control(text: &str) -> Option<char> {
    text.chars()
        .find(|ch| ch.is_control() && *ch != '\n' && *ch != '\t')
}

/// Control characters from the file (raw in a comment, escaped in a
/// string, in a message's text) reach neither the terminal nor a picture
/// as such: before, `meshc check` copied an ESC of a comment into the
/// report's source lines, and `meshc graph` one of a `where` into its
/// labels.
#[test]
fn control_characters_of_a_file_are_shown_not_run() {
    let dir = scratch("control");
    let valid = "system shop { region = \"us-east-1\" }\n\
        // \u{1b}[2J\u{1b}]0;pwned\u{7} a comment\n\
        topic orders { }\n\
        event OrderPlaced { topic = orders  schema { status: string } }\n\
        service order { compute = lambda { runtime = \"python3.13\" }  publishes OrderPlaced }\n\
        service audit {\n  compute = lambda { runtime = \"python3.13\" }\n  \
        consumes OrderPlaced where status = \"\\u{1b}[31mred\\u{9b}0m\\nline\"\n  \
        calls ghost  // \u{1b}[2J\u{1b}]0;pwned\u{7} erases the screen\n}\n";
    std::fs::write(dir.join("valid.mesh"), valid).unwrap();
    let check = meshc(&["check", "valid.mesh"], &dir);
    assert_eq!(check.status.code(), Some(1), "{}", printed(&check));
    let report = printed(&check);
    assert!(report.contains("M201"), "{report}");
    assert_eq!(holds_control(&report), None, "{report}");
    std::fs::write(
        dir.join("valid.mesh"),
        valid.replace("  calls ghost", "  //"),
    )
    .unwrap();
    for format in ["mermaid", "dot"] {
        let graph = meshc(&["graph", "--format", format, "valid.mesh"], &dir);
        assert_eq!(graph.status.code(), Some(0), "{}", printed(&graph));
        let picture = String::from_utf8_lossy(&graph.stdout).into_owned();
        assert!(picture.contains("u{1b}[31mred"), "{format}: {picture}");
        assert_eq!(holds_control(&picture), None, "{format}: {picture}");
    }
    std::fs::write(
        dir.join("region.mesh"),
        "system shop { region = \"us-\\u{1b}]0;pwned\\u{7}east-1\" }\n",
    )
    .unwrap();
    let region = meshc(&["check", "region.mesh"], &dir);
    let report = printed(&region);
    assert_eq!(region.status.code(), Some(1), "{report}");
    assert!(report.contains("u{1b}]0;pwned"), "{report}");
    assert_eq!(holds_control(&report), None, "{report}");
}
