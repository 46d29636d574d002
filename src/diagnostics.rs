//! Diagnostics: the one `Diagnostic` type every stage produces, and its three
//! renderings — for people (miette's graphical report), and for machines
//! (JSON, and SARIF 2.1.0 for code-scanning tools).
//!
//! Input: diagnostics from any stage plus the source text they point into.
//! Output: strings. This is the only module that names miette.
//!
//! A diagnostic's wording is written where its code is declared (one file per
//! code under `check/`); this module only carries and renders it.

use std::fmt;

use serde::Serialize;
use serde_json::{Value as Json, json};

/// A byte range in a source file. Every AST node has one; diagnostics point
/// into the source with them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn start(self) -> usize {
        self.start as usize
    }

    pub fn end(self) -> usize {
        self.end as usize
    }

    pub fn len(self) -> usize {
        self.end().saturating_sub(self.start())
    }

    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A diagnostic code as registered in `check::CODES`: stable, never reused.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    /// `M201`.
    pub code: &'static str,
    /// `unknown-name`: names the problem, reads after "allow".
    pub slug: &'static str,
    pub severity: Severity,
    /// The rule's documentation, as written above its declaration.
    pub explanation: &'static str,
}

impl Code {
    /// The first sentence of "What it does", for listings and SARIF.
    pub fn summary(&self) -> &'static str {
        self.explanation
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty() && !line.starts_with('#'))
            .unwrap_or(self.slug)
    }
}

/// A labelled span. The first label of a diagnostic is its primary one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

/// A `// meshc:allow(CODE) reason: "..."` comment that silenced a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub reason: String,
    /// The span of the suppression comment.
    pub span: Span,
}

/// A finding about the source: what is wrong, where, and what to write
/// instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static Code,
    pub severity: Severity,
    /// Lower-case, no final period; says what is wrong.
    pub message: String,
    /// Primary label first, then secondary ones (the other end of a flow,
    /// the rule that blocks it, the first definition of a name).
    pub labels: Vec<Label>,
    /// What to write instead, in mesh syntax where possible.
    pub help: Option<String>,
    pub note: Option<String>,
    /// Set when a suppression comment silenced the finding: it is then left
    /// out of human output and the exit status, but kept in JSON and SARIF.
    pub suppression: Option<Suppression>,
}

impl Diagnostic {
    pub fn new(code: &'static Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            note: None,
            suppression: None,
        }
    }

    /// Adds the primary label. Call it once, before any secondary label.
    #[must_use]
    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.insert(
            0,
            Label {
                span,
                message: message.into(),
                primary: true,
            },
        );
        self
    }

    #[must_use]
    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.note = Some(note.into());
        self
    }

    /// The span of the primary label (an empty span at 0 if there is none).
    pub fn primary_span(&self) -> Span {
        self.labels
            .iter()
            .find(|label| label.primary)
            .or_else(|| self.labels.first())
            .map(|label| label.span)
            .unwrap_or_default()
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Whether the finding counts: it is not suppressed.
    pub fn is_active(&self) -> bool {
        self.suppression.is_none()
    }
}

/// Orders diagnostics as a reader meets them: by position, then by code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.primary_span(), a.code.code, &a.message).cmp(&(
            b.primary_span(),
            b.code.code,
            &b.message,
        ))
    });
}

/// A source file as the renderers need it: its name for display and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

/// One-based line and column (in Unicode scalar values) of a byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

/// Converts byte offsets to lines and columns.
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, byte)| byte == b'\n')
                .map(|(offset, _)| offset + 1),
        );
        LineIndex { text, line_starts }
    }

    pub fn line_column(&self, offset: usize) -> LineColumn {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .map_or(offset - line_start, |prefix| prefix.chars().count());
        LineColumn {
            line: line.max(1),
            column: column + 1,
        }
    }
}

// ---------------------------------------------------------------------------
// Human rendering (miette).

/// How `render_human` draws.
#[derive(Clone, Copy, Debug)]
pub struct HumanStyle {
    pub color: bool,
    pub width: usize,
}

impl Default for HumanStyle {
    fn default() -> Self {
        HumanStyle {
            color: false,
            width: 100,
        }
    }
}

/// The source text as miette reads it. miette's own sources report the
/// absolute line number where it expects the number of lines of a snippet,
/// which makes it merge the snippets of labels that are far apart into one
/// long excerpt; this one reports the number of lines. miette also reads
/// every snippet from the start of the text, which makes a report of many
/// diagnostics quadratic in the file's length: this one starts at the first
/// line of the snippet, found in an index of line starts.
struct Source<'a> {
    name: &'a str,
    text: &'a str,
    /// Where each line starts, with the line breaks miette knows: `\n`,
    /// `\r\n` and a lone `\r` (`LineIndex` counts `\n` only, as the JSON
    /// and SARIF positions do, so it cannot serve here).
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    fn new(name: &'a str, text: &'a str) -> Source<'a> {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut index = 0;
        while let Some(&byte) = bytes.get(index) {
            if byte == b'\r' && bytes.get(index + 1) == Some(&b'\n') {
                index += 1;
            }
            if matches!(byte, b'\r' | b'\n') {
                line_starts.push(index + 1);
            }
            index += 1;
        }
        Source {
            name,
            text,
            line_starts,
        }
    }
}

impl miette::SourceCode for Source<'_> {
    fn read_span<'b>(
        &'b self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let line = self
            .line_starts
            .partition_point(|&start| start <= span.offset())
            .saturating_sub(1);
        // One line more than the context: miette reads an empty span at the
        // very start of its text differently from one further in.
        let first = line.saturating_sub(context_lines_before + 1);
        let base = self.line_starts.get(first).copied().unwrap_or(0);
        let rest = self.text.get(base..).unwrap_or_default();
        let shifted = miette::SourceSpan::new((span.offset() - base).into(), span.len());
        let inner = rest.read_span(&shifted, context_lines_before, context_lines_after)?;
        let lines = inner.data().iter().filter(|&&byte| byte == b'\n').count() + 1;
        let read =
            miette::SourceSpan::new((inner.span().offset() + base).into(), inner.span().len());
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            read,
            inner.line() + first,
            inner.column(),
            lines,
        )))
    }
}

struct MietteView<'a> {
    diagnostic: &'a Diagnostic,
    source: &'a Source<'a>,
    help: Option<String>,
}

impl fmt::Debug for MietteView<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for MietteView<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&visible(&self.diagnostic.message))
    }
}

/// `text` with each control character but a line break or a tab written
/// as the escape a `.mesh` string would use (`\r`, `\u{1b}`), so that text
/// from a file reaches a terminal, a picture or a table as characters and
/// never as a command to the terminal (a colour, a cursor move, a title).
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '\r' => shown.push_str("\\r"),
            ch if hidden(ch) => {
                let _ =
                    fmt::Write::write_fmt(&mut shown, format_args!("\\u{{{:x}}}", u32::from(ch)));
            }
            ch => shown.push(ch),
        }
    }
    std::borrow::Cow::Owned(shown)
}

fn hidden(ch: char) -> bool {
    ch.is_control() && ch != '\n' && ch != '\t'
}

/// The source as a terminal may show it: each control character but a
/// line break or a tab replaced by one of the same length in UTF-8 (`?`
/// for a one-byte one, `¿` for a two-byte one), so that every span still
/// points at its text.
fn shown_source(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|ch| match ch {
                ch if hidden(ch) && ch.len_utf8() == 1 => '?',
                ch if hidden(ch) => '¿',
                ch => ch,
            })
            .collect(),
    )
}

impl std::error::Error for MietteView<'_> {}

impl miette::Diagnostic for MietteView<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|help| Box::new(visible(help)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let labels = self.diagnostic.labels.iter().map(|label| {
            let span = miette::SourceSpan::new(label.span.start().into(), label.span.len());
            let message = (!label.message.is_empty()).then(|| visible(&label.message).into_owned());
            if label.primary {
                miette::LabeledSpan::new_primary_with_span(message, span)
            } else {
                miette::LabeledSpan::new_with_span(message, span)
            }
        });
        Some(Box::new(labels))
    }
}

/// Renders diagnostics as rustc-style reports with the source above each
/// error. Without colour the output is stable enough for snapshots.
pub fn render_human(diagnostics: &[Diagnostic], file: &SourceFile, style: HumanStyle) -> String {
    let mut out = String::new();
    // Writing to a `String` cannot fail.
    let _ = write_human(diagnostics, file, style, &mut out);
    out
}

/// [`render_human`], written to `out` one report at a time.
pub fn write_human(
    diagnostics: &[Diagnostic],
    file: &SourceFile,
    style: HumanStyle,
    out: &mut dyn fmt::Write,
) -> fmt::Result {
    let theme = if style.color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_urls(false)
        .with_context_lines(1);
    let text = shown_source(&file.text);
    let name = visible(&file.name);
    let source = Source::new(&name, &text);
    let mut report = String::new();
    for diagnostic in diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_active())
    {
        let help = match (&diagnostic.help, &diagnostic.note) {
            (Some(help), Some(note)) => Some(format!("{help}\nnote: {note}")),
            (Some(help), None) => Some(help.clone()),
            (None, Some(note)) => Some(format!("note: {note}")),
            (None, None) => None,
        };
        let view = MietteView {
            diagnostic,
            source: &source,
            help,
        };
        report.clear();
        if handler.render_report(&mut report, &view).is_err() {
            // The handler only fails when writing to the String fails, which
            // it cannot; fall back to the bare message all the same.
            report.push_str(&diagnostic.message);
            report.push('\n');
        }
        out.write_str(&report)?;
    }
    Ok(())
}

/// "2 errors, 1 warning".
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let active = || diagnostics.iter().filter(|d| d.is_active());
    let errors = active().filter(|d| d.severity == Severity::Error).count();
    let warnings = active().filter(|d| d.severity == Severity::Warning).count();
    let suppressed = diagnostics.iter().filter(|d| !d.is_active()).count();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let counts = format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if suppressed == 0 {
        counts
    } else {
        format!("{counts} ({suppressed} suppressed)")
    }
}

// ---------------------------------------------------------------------------
// JSON rendering.

fn location_json(index: &LineIndex<'_>, span: Span) -> Json {
    let start = index.line_column(span.start());
    let end = index.line_column(span.end());
    json!({
        "start": span.start,
        "end": span.end,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
    })
}

/// The diagnostics of several files as one JSON document:
/// `{"diagnostics": [...], "summary": {"errors": n, "warnings": m}}`.
pub fn render_json(files: &[(SourceFile, Vec<Diagnostic>)]) -> String {
    let mut out = Vec::new();
    // Writing to a vector cannot fail.
    let _ = write_json(files, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render_json`], written to `out` one diagnostic at a time, so that a
/// report of a hundred thousand findings is never a tree in memory.
pub fn write_json(
    files: &[(SourceFile, Vec<Diagnostic>)],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let active = |severity: Severity| {
        files
            .iter()
            .flat_map(|(_, diagnostics)| diagnostics)
            .filter(|diagnostic| diagnostic.severity == severity && diagnostic.is_active())
            .count()
    };
    let document = json!({
        "diagnostics": [],
        "summary": { "errors": active(Severity::Error), "warnings": active(Severity::Warning) },
    });
    let entries = files.iter().flat_map(|(file, diagnostics)| {
        let index = LineIndex::new(&file.text);
        diagnostics
            .iter()
            .map(move |diagnostic| json_entry(file, &index, diagnostic))
    });
    write_pretty_with_items(out, &document, "diagnostics", 1, entries)
}

fn json_entry(file: &SourceFile, index: &LineIndex<'_>, diagnostic: &Diagnostic) -> Json {
    let labels: Vec<Json> = diagnostic
        .labels
        .iter()
        .map(|label| {
            json!({
                "message": label.message,
                "primary": label.primary,
                "span": location_json(index, label.span),
            })
        })
        .collect();
    json!({
        "file": file.name,
        "code": diagnostic.code.code,
        "slug": diagnostic.code.slug,
        "severity": diagnostic.severity.as_str(),
        "message": diagnostic.message,
        "span": location_json(index, diagnostic.primary_span()),
        "labels": labels,
        "help": diagnostic.help,
        "note": diagnostic.note,
        "suppressed": diagnostic.suppression.as_ref().map(|suppression| json!({
            "reason": suppression.reason,
            "span": location_json(index, suppression.span),
        })),
    })
}

/// Writes `document` as `serde_json::to_string_pretty` would, with the
/// empty array under `key` (an object key at `depth`, the first with that
/// name in the text) holding `items`, each rendered when it is written.
/// The key's text cannot occur earlier inside a string, where its quotes
/// would be escaped.
fn write_pretty_with_items(
    out: &mut dyn std::io::Write,
    document: &Json,
    key: &str,
    depth: usize,
    items: impl Iterator<Item = Json>,
) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(document).unwrap_or_default();
    let indent = "  ".repeat(depth);
    let placeholder = format!("\n{indent}\"{key}\": []");
    let Some(at) = text.find(&placeholder) else {
        out.write_all(text.as_bytes())?;
        return Ok(());
    };
    let split = at + placeholder.len() - "]".len();
    let (before, after) = text.split_at(split);
    out.write_all(before.as_bytes())?;
    let item_indent = format!("\n{indent}  ");
    let mut first = true;
    for item in items {
        out.write_all(if first { b"" } else { b"," })?;
        first = false;
        let rendered = serde_json::to_string_pretty(&item).unwrap_or_default();
        out.write_all(item_indent.as_bytes())?;
        out.write_all(rendered.replace('\n', &item_indent).as_bytes())?;
    }
    if !first {
        out.write_all(format!("\n{indent}").as_bytes())?;
    }
    out.write_all(after.as_bytes())?;
    Ok(())
}

// ---------------------------------------------------------------------------
// SARIF 2.1.0 rendering.

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn sarif_region(index: &LineIndex<'_>, span: Span) -> Json {
    let start = index.line_column(span.start());
    let end = index.line_column(span.end());
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
        "charOffset": span.start,
        "charLength": span.len(),
    })
}

fn sarif_location(
    file: &SourceFile,
    index: &LineIndex<'_>,
    span: Span,
    message: Option<&str>,
) -> Json {
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file.name },
            "region": sarif_region(index, span),
        }
    });
    if let (Some(message), Some(object)) = (message, location.as_object_mut()) {
        if !message.is_empty() {
            object.insert("message".to_string(), json!({ "text": message }));
        }
    }
    location
}

/// A SARIF 2.1.0 log with one run: the tool with every registered rule, and
/// one result per diagnostic (`ruleId` is the code; the region is the primary
/// label's, with one-based lines and columns counted in code points).
pub fn render_sarif(
    files: &[(SourceFile, Vec<Diagnostic>)],
    codes: &[&Code],
    version: &str,
) -> String {
    let rules: Vec<Json> = codes
        .iter()
        .map(|code| {
            json!({
                "id": code.code,
                "name": code.slug,
                "shortDescription": { "text": code.summary() },
                "fullDescription": { "text": code.explanation.trim() },
                "help": { "text": format!("meshc explain {}", code.code) },
                "defaultConfiguration": { "level": sarif_level(code.severity) },
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut artifacts = Vec::new();
    for (file, diagnostics) in files {
        artifacts.push(json!({ "location": { "uri": file.name } }));
        let index = LineIndex::new(&file.text);
        for diagnostic in diagnostics {
            let primary = diagnostic.primary_span();
            let related: Vec<Json> = diagnostic
                .labels
                .iter()
                .filter(|label| !label.primary)
                .enumerate()
                .map(|(label_idx, label)| {
                    let mut location =
                        sarif_location(file, &index, label.span, Some(&label.message));
                    if let Some(object) = location.as_object_mut() {
                        object.insert("id".to_string(), json!(label_idx));
                    }
                    location
                })
                .collect();
            let mut text = diagnostic.message.clone();
            if let Some(help) = &diagnostic.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut result = json!({
                "ruleId": diagnostic.code.code,
                "level": sarif_level(diagnostic.severity),
                "message": { "text": text },
                "locations": [sarif_location(file, &index, primary, None)],
            });
            if let Some(object) = result.as_object_mut() {
                if let Some(rule_index) = codes
                    .iter()
                    .position(|code| code.code == diagnostic.code.code)
                {
                    object.insert("ruleIndex".to_string(), json!(rule_index));
                }
                if !related.is_empty() {
                    object.insert("relatedLocations".to_string(), json!(related));
                }
                if let Some(suppression) = &diagnostic.suppression {
                    object.insert(
                        "suppressions".to_string(),
                        json!([{
                            "kind": "inSource",
                            "justification": suppression.reason,
                            "location": sarif_location(file, &index, suppression.span, None),
                        }]),
                    );
                }
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "meshc",
                    "version": version,
                    "semanticVersion": version,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "artifacts": artifacts,
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::SourceCode as _;

    /// The indexed source reads the same snippets as miette's own reading
    /// of the whole text, for every span, context and kind of line break.
    #[test]
    fn indexed_snippets_match_miettes() {
        let text = "a = 1\nb = 22\r\n\r\nccc\rdd\n\n  e\r\nlast";
        let source = Source::new("x.mesh", text);
        for start in 0..=text.len() {
            for len in 0..=(text.len() - start).min(9) {
                for before in 0..3 {
                    for after in 0..3 {
                        let span = miette::SourceSpan::new(start.into(), len);
                        let ours = source.read_span(&span, before, after);
                        let theirs = text.read_span(&span, before, after);
                        match (ours, theirs) {
                            (Ok(ours), Ok(theirs)) => {
                                let case = (start, len, before, after);
                                assert_eq!(ours.data(), theirs.data(), "{case:?}");
                                assert_eq!(ours.span(), theirs.span(), "{case:?}");
                                assert_eq!(ours.line(), theirs.line(), "{case:?}");
                                assert_eq!(ours.column(), theirs.column(), "{case:?}");
                            }
                            (Err(_), Err(_)) => {}
                            (ours, theirs) => panic!(
                                "{start}+{len}: ours {:?}, miette's {:?}",
                                ours.is_ok(),
                                theirs.is_ok()
                            ),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn line_columns_count_code_points() {
        let index = LineIndex::new("ab\nçd\n");
        assert_eq!(index.line_column(0), LineColumn { line: 1, column: 1 });
        assert_eq!(index.line_column(3), LineColumn { line: 2, column: 1 });
        // 'ç' is two bytes: the 'd' after it is the second code point.
        assert_eq!(index.line_column(5), LineColumn { line: 2, column: 2 });
        assert_eq!(index.line_column(7), LineColumn { line: 3, column: 1 });
    }
}
