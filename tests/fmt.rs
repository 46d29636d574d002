//! The formatter, over every input the project has: the examples, the UI,
//! syntax and pattern tests, the tree-sitter corpus and highlight test, the
//! `mesh` blocks of every rule explanation and of the documentation, and
//! thousands of mutants of the examples. For each input that parses,
//! formatting twice gives what formatting once gave; the formatted text
//! parses to the same tree and resolves to the same model as the original
//! (spans aside), with the same findings on the same declarations and the
//! same built files; every comment comes through, in order. A file with
//! syntax errors is refused. The messy inputs of `tests/fmt/` have
//! snapshots of their formatting, and every example is already formatted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::path::Path;

use common::file_name;
use meshc::diagnostics::{Diagnostic, SourceFile};
use meshc::fmt::format;
use meshc::syntax::{self, ast::CommentKind};

/// A source text to format, and where it comes from.
struct Input {
    name: String,
    text: String,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The sources of a tree-sitter corpus file: what lies between the `===`
/// line that closes each test's name and the `---` line before its tree.
fn corpus_sources(corpus: &str) -> Vec<String> {
    let is_rule = |line: &str, mark: char| line.len() >= 3 && line.chars().all(|ch| ch == mark);
    let mut sources = Vec::new();
    let mut header_rules = 0;
    let mut current: Option<String> = None;
    for line in corpus.lines() {
        if is_rule(line, '=') {
            header_rules += 1;
            if header_rules % 2 == 0 {
                current = Some(String::new());
            }
        } else if is_rule(line, '-') {
            if let Some(source) = current.take() {
                sources.push(source);
            }
        } else if let Some(source) = &mut current {
            source.push_str(line);
            source.push('\n');
        }
    }
    sources
}

fn all_inputs() -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in common::every_mesh_file() {
        inputs.push(Input {
            name: path.strip_prefix(root()).unwrap().display().to_string(),
            text: common::read_mesh(&path),
        });
    }
    let corpus = root().join("editors/tree-sitter-mesh/test/corpus");
    let mut corpus_files: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    corpus_files.sort();
    for path in corpus_files {
        let text = std::fs::read_to_string(&path).unwrap();
        for (index, source) in corpus_sources(&text).into_iter().enumerate() {
            inputs.push(Input {
                name: format!("{} #{}", file_name(&path), index + 1),
                text: source,
            });
        }
    }
    for code in meshc::check::CODES {
        for (index, block) in common::mesh_blocks(&meshc::check::explanation(code))
            .into_iter()
            .enumerate()
        {
            inputs.push(Input {
                name: format!("explanation of {} #{}", code.code, index + 1),
                text: block,
            });
        }
    }
    for page in ["README.md", "docs/language.md", "docs/runtime.md"] {
        let text = std::fs::read_to_string(root().join(page)).unwrap();
        for (index, block) in common::mesh_blocks(&text).into_iter().enumerate() {
            inputs.push(Input {
                name: format!("{page} #{}", index + 1),
                text: block,
            });
        }
    }
    inputs
}

/// A `Debug` rendering with every `Span { start: .., end: .. }` replaced by
/// `Span`: what is left is the meaning, not the layout.
fn without_spans(debug: &str) -> String {
    const OPEN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        let after = &rest[at..];
        let close = after.find('}').expect("a span closes");
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The comments of a source, as the formatter prints them (line comments
/// lose trailing blanks).
fn comments(source: &str) -> Vec<String> {
    let mut diagnostics = Vec::new();
    syntax::parse(source, &mut diagnostics)
        .comments
        .iter()
        .map(|comment| match comment.kind {
            CommentKind::Line => comment.text.trim_end().to_string(),
            CommentKind::Block => comment.text.clone(),
        })
        .collect()
}

/// The tree of a source, without spans or comments.
fn tree(source: &str) -> String {
    let mut diagnostics = Vec::new();
    let file = syntax::parse(source, &mut diagnostics);
    without_spans(&format!("{:?}", file.declarations))
}

/// What was reported, position aside: code, severity, whether it was
/// suppressed, the message, and which declaration it points into (the last
/// one that starts at or before its primary span; 0 before the first).
fn findings(analysis: &meshc::Analysis) -> Vec<String> {
    let declaration_of = |diagnostic: &Diagnostic| {
        let at = diagnostic.primary_span().start();
        analysis
            .syntax
            .declarations
            .iter()
            .take_while(|declaration| {
                let start = declaration
                    .doc
                    .first()
                    .map_or(declaration.span.start(), |doc| doc.span.start());
                start <= at
            })
            .count()
    };
    let mut found: Vec<String> = analysis
        .diagnostics
        .iter()
        .map(|diagnostic| {
            format!(
                "{} in declaration {}: {}",
                common::oracle::kind_of(diagnostic),
                declaration_of(diagnostic),
                diagnostic.message
            )
        })
        .collect();
    found.sort();
    found
}

/// The files a build writes.
fn built_files(name: &str, source: &str) -> Vec<(String, String)> {
    let file = SourceFile {
        name: name.to_string(),
        text: source.to_string(),
    };
    meshc::compile(&file, &meshc::Options::default())
        .files
        .into_iter()
        .collect()
}

/// The syntax-level properties of formatting: idempotent, same tree, same
/// comments in the same order. A description of what broke, if anything.
fn check_layout(source: &str, formatted: &str) -> Result<(), String> {
    match format(formatted) {
        Ok(twice) if twice == formatted => {}
        Ok(twice) => {
            return Err(format!(
                "formatting is not idempotent:\n----- once\n{formatted}----- twice\n{twice}"
            ));
        }
        Err(_) => return Err(format!("the formatted text does not parse:\n{formatted}")),
    }
    if tree(source) != tree(formatted) {
        return Err(format!("the tree changed:\n{formatted}"));
    }
    if comments(source) != comments(formatted) {
        return Err(format!(
            "the comments changed: {:?} became {:?}\n{formatted}",
            comments(source),
            comments(formatted)
        ));
    }
    Ok(())
}

/// The meaning: the resolved model, the findings and the built files.
fn check_meaning(name: &str, source: &str, formatted: &str) -> Result<(), String> {
    let before = meshc::analyze(source);
    let after = meshc::analyze(formatted);
    let model = |analysis: &meshc::Analysis| {
        analysis
            .system
            .as_ref()
            .map(|system| without_spans(&format!("{system:?}")))
    };
    if model(&before) != model(&after) {
        return Err(format!("the model changed:\n{formatted}"));
    }
    if findings(&before) != findings(&after) {
        return Err(format!(
            "the findings changed: {:#?} became {:#?}\n{formatted}",
            findings(&before),
            findings(&after)
        ));
    }
    if built_files(name, source) != built_files(name, formatted) {
        return Err(format!("the built files changed:\n{formatted}"));
    }
    Ok(())
}

#[test]
fn formatting_is_idempotent_and_keeps_the_meaning() {
    let mut formatted_count = 0;
    let mut failures = Vec::new();
    for input in all_inputs() {
        let Ok(once) = format(&input.text) else {
            continue;
        };
        formatted_count += 1;
        let checked = check_layout(&input.text, &once)
            .and_then(|()| check_meaning(&input.name, &input.text, &once));
        if let Err(problem) = checked {
            failures.push(format!("{}: {problem}", input.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The examples, the passing tests, the corpus and most explanations.
    assert!(
        formatted_count >= 200,
        "only {formatted_count} inputs formatted"
    );
}

#[test]
fn mutants_format_idempotently_and_keep_their_meaning() {
    let mut sources = common::mesh_sources("examples");
    sources.extend(common::mesh_sources("tests/fmt"));
    let mut rng = fastrand::Rng::with_seed(0x0066_6d74);
    let mut formatted_count = 0;
    let failures = common::failures_over_mutants(
        &sources,
        common::fuzz_cases() / 5,
        &mut rng,
        common::mutate,
        |name, mutant| {
            let Ok(once) = format(mutant) else {
                return Ok(());
            };
            formatted_count += 1;
            check_layout(mutant, &once).and_then(|()| check_meaning(name, mutant, &once))
        },
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        formatted_count >= 100,
        "only {formatted_count} mutants formatted"
    );
}

/// `source` with one to five comments inserted where it has a blank: block
/// comments anywhere, line comments at the end of a line, doc comments on
/// a line of their own.
fn with_comments(rng: &mut fastrand::Rng, source: &str) -> String {
    let mut text = source.to_string();
    for number in 0..rng.usize(1..6) {
        let blanks: Vec<usize> = text
            .char_indices()
            .filter(|(_, ch)| *ch == ' ' || *ch == '\n')
            .map(|(index, _)| index)
            .collect();
        if blanks.is_empty() {
            break;
        }
        let at = blanks[rng.usize(..blanks.len())];
        let comment = match (text[at..].starts_with('\n'), rng.u8(..3)) {
            (true, 0) => format!(" // line {number}"),
            (true, 1) => format!("\n/// doc {number}"),
            _ => format!(" /* block {number} */ "),
        };
        text.insert_str(at, &comment);
    }
    text
}

#[test]
fn comments_anywhere_survive_in_order() {
    let mut rng = fastrand::Rng::with_seed(0x636f_6d6d);
    let mut formatted_count = 0;
    let failures = common::failures_over_mutants(
        &common::mesh_sources("examples"),
        60,
        &mut rng,
        with_comments,
        |_, commented| {
            let Ok(once) = format(commented) else {
                return Ok(());
            };
            formatted_count += 1;
            check_layout(commented, &once)
        },
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        formatted_count >= 150,
        "only {formatted_count} inputs formatted"
    );
}

#[test]
fn a_file_with_syntax_errors_is_not_formatted() {
    let mut refused = 0;
    for input in all_inputs() {
        let mut diagnostics = Vec::new();
        syntax::parse(&input.text, &mut diagnostics);
        let syntax_errors = diagnostics.iter().any(Diagnostic::is_error);
        match format(&input.text) {
            Ok(_) => assert!(!syntax_errors, "{}: formatted despite errors", input.name),
            Err(found) => {
                assert!(syntax_errors, "{}: refused without an error", input.name);
                assert!(
                    found.iter().all(|d| d.code.code.starts_with("M1")),
                    "{}: refused for a non-syntax diagnostic",
                    input.name
                );
                refused += 1;
            }
        }
    }
    assert!(refused >= 10, "only {refused} inputs refused");
}

#[test]
fn every_example_is_already_formatted() {
    for path in common::mesh_files("examples") {
        let source = std::fs::read_to_string(&path).unwrap();
        let formatted = format(&source).unwrap();
        assert!(
            formatted == source,
            "{} is not formatted; run `meshc fmt` on it:\n{formatted}",
            path.display()
        );
    }
}

#[test]
fn messy_inputs_format_to_their_snapshot() {
    insta::glob!("fmt/*.mesh", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let formatted =
            format(&source).unwrap_or_else(|_| panic!("{} does not parse", file_name(path)));
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{source}----- FORMATTED\n{formatted}"
        ));
    });
}

#[test]
fn the_example_in_the_language_reference_is_true() {
    let page = std::fs::read_to_string(root().join("docs/language.md")).unwrap();
    let blocks = common::mesh_blocks(&page);
    let before = blocks
        .iter()
        .find_map(|block| block.strip_prefix("// Before:\n"))
        .expect("docs/language.md shows a file before formatting");
    let after = blocks
        .iter()
        .find_map(|block| block.strip_prefix("// After:\n"))
        .expect("docs/language.md shows it after formatting");
    assert_eq!(format(before).unwrap(), after);
}

#[test]
fn literals_keep_their_spelling() {
    let source = "system s {\n  a = [1_000, 0.50, 1.5m, 256MB, 2M, $1500, $0.25, 50%, -5MB]\n  b = \"tab\\t \\\"q\\\" \\u{e9}\"\n  c = [10.20.0.0/16, 10.0.0.5, 1024-65535, dotted.path, true]\n}\n";
    assert_eq!(format(source).unwrap(), source);
}

#[test]
fn an_empty_file_and_a_file_of_comments_are_kept() {
    assert_eq!(format("").unwrap(), "");
    assert_eq!(format("\n\n").unwrap(), "");
    assert_eq!(
        format("// one\n\n\n/* two */   // three\n").unwrap(),
        "// one\n\n/* two */\n// three\n"
    );
}
