//! Helpers shared by the integration tests: inline expectations and the
//! rendering used in snapshots.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

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

pub fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}
