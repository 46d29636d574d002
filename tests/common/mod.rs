//! Helpers shared by the integration tests: inline expectations and the
//! rendering used in snapshots.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod generated;
pub mod oracle;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use meshc::diagnostics::{self, Diagnostic, HumanStyle, LineIndex, SourceFile};

/// The `// ~ CODE` expectations of a test input, as (line, code) pairs. A
/// comment `// ~ M201` expects M201 on its own line; `// ~^ M201` on the line
/// above (one more line up per extra `^`). Several codes may follow one `~`.
pub fn expectations(source: &str) -> Vec<(usize, String)> {
    let mut expected = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let Some(position) = line.find("// ~") else {
            continue;
        };
        let rest = &line[position + 4..];
        let carets = rest.chars().take_while(|&ch| ch == '^').count();
        let target = index + 1 - carets;
        for word in rest[carets..].split_whitespace() {
            if word.len() == 4
                && word.starts_with('M')
                && word[1..].chars().all(|ch| ch.is_ascii_digit())
            {
                expected.push((target, word.to_string()));
            } else {
                break;
            }
        }
    }
    expected.sort();
    expected
}

/// The (line, code) pairs of what meshc reported, sorted, with repeats.
pub fn reported(source: &str, diagnostics: &[Diagnostic]) -> Vec<(usize, String)> {
    let index = LineIndex::new(source);
    let mut reported: Vec<(usize, String)> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_active())
        .map(|diagnostic| {
            let line = index.line_column(diagnostic.primary_span().start()).line;
            (line, diagnostic.code.code.to_string())
        })
        .collect();
    reported.sort();
    reported
}

/// `----- SOURCE` then `----- DIAGNOSTICS`, rendered without colour at a
/// fixed width.
pub fn snapshot(name: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    let file = SourceFile {
        name: name.to_string(),
        text: source.to_string(),
    };
    let rendered = diagnostics::render_human(diagnostics, &file, HumanStyle::default());
    format!("----- SOURCE\n{source}\n----- DIAGNOSTICS\n{rendered}")
}

/// Every folder of `.mesh` test inputs and examples.
pub const MESH_DIRS: [&str; 8] = [
    "examples",
    "tests/ui",
    "tests/ui/pass",
    "tests/syntax/ok",
    "tests/syntax/err",
    "tests/fmt",
    "tests/patterns",
    "editors/tree-sitter-mesh/test/highlight",
];

/// Every `.mesh` file of `MESH_DIRS`.
pub fn every_mesh_file() -> Vec<PathBuf> {
    MESH_DIRS.iter().flat_map(mesh_files).collect()
}

/// The `.mesh` files directly in `dir`, sorted.
pub fn mesh_files(dir: impl AsRef<Path>) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "mesh")
        })
        .collect();
    files.sort();
    files
}

/// A `.mesh` test input as text. `tests/ui/M111.mesh` is not UTF-8 on
/// purpose: its bytes that are not are read as U+FFFD.
pub fn read_mesh(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

pub fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// The `mesh` code blocks of a markdown text (a page, or an explanation as
/// `meshc explain` prints it), in order.
pub fn mesh_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim()) {
            (None, "```mesh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// What the mutations insert: brackets, operators, comment markers,
/// keywords, malformed literals and control characters.
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

/// A mutant of `source`: one to three deleted or duplicated ranges, stray
/// tokens, a truncation or swapped lines, drawn from `rng`.
pub fn mutate(rng: &mut fastrand::Rng, source: &str) -> String {
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

/// How many mutants of each source the mutation tests try:
/// `MESHC_FUZZ_CASES`, 1500 by default.
pub fn fuzz_cases() -> usize {
    std::env::var("MESHC_FUZZ_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1500)
}

/// The `.mesh` files directly in `dir`, each with its path (as the tests
/// print it) and text.
pub fn mesh_sources(dir: &str) -> Vec<(String, String)> {
    mesh_files(dir)
        .into_iter()
        .map(|path| {
            let text = read_mesh(&path);
            (format!("{dir}/{}", file_name(&path)), text)
        })
        .collect()
}

/// Runs `check` on `cases` mutants of each source, made by `mutate` with
/// `rng`, and returns the first failures (a few at most), each with its
/// mutant.
pub fn failures_over_mutants(
    sources: &[(String, String)],
    cases: usize,
    rng: &mut fastrand::Rng,
    mut mutate: impl FnMut(&mut fastrand::Rng, &str) -> String,
    mut check: impl FnMut(&str, &str) -> Result<(), String>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for (name, source) in sources {
        for _ in 0..cases {
            let mutant = mutate(rng, source);
            if let Err(problem) = check(name, &mutant) {
                failures.push(format!("{name}: {problem}\n----- input\n{mutant}\n-----"));
                if failures.len() > 3 {
                    return failures;
                }
            }
        }
    }
    failures
}

/// A fresh directory under the system's temporary one, for one test, and
/// removed with everything in it when the test ends, passed or failed: a
/// test run leaves nothing behind on the machine's disk.
pub struct Scratch(tempfile::TempDir);

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

/// A [`Scratch`] directory named after the suite and the test.
pub fn scratch_dir(suite: &str, name: &str) -> Scratch {
    Scratch(
        tempfile::Builder::new()
            .prefix(&format!("meshc-{suite}-{name}-"))
            .tempdir()
            .unwrap(),
    )
}

/// The meshc binary run in `dir`, without colour and with no input.
pub fn meshc_in(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("meshc runs")
}

/// A file's system, as analysed, and the files `build` emits for it.
pub fn system_and_files(
    path: &Path,
) -> (
    meshc::model::System,
    std::collections::BTreeMap<String, String>,
) {
    let text = std::fs::read_to_string(path).unwrap();
    let system = meshc::analyze(&text).system.unwrap();
    let output = meshc::compile(
        &SourceFile {
            name: file_name(path),
            text,
        },
        &meshc::Options::default(),
    );
    (system, output.files)
}

/// The defaults of a CloudFormation template's parameters, by name.
pub fn parameter_defaults(
    template: &serde_json::Value,
) -> std::collections::BTreeMap<String, String> {
    template["Parameters"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(name, definition)| {
            definition["Default"]
                .as_str()
                .map(|default| (name.clone(), default.to_string()))
        })
        .collect()
}

/// Every Terraform file of a build, parsed.
pub fn terraform_bodies(files: &std::collections::BTreeMap<String, String>) -> Vec<hcl::Body> {
    files
        .iter()
        .filter(|(path, _)| {
            Path::new(path)
                .extension()
                .is_some_and(|extension| extension == "tf")
        })
        .map(|(_, text)| hcl::from_str(text).unwrap())
        .collect()
}
