//! Suppressions: `// meshc:allow(M305) reason: "..."` comments that silence
//! a finding of a check rule on their line (after code) or on the line or
//! declaration below them (standing alone). Silenced findings are kept,
//! marked with the reason, for JSON and SARIF; suppressions without a reason
//! or that silence nothing are findings themselves.

use std::collections::BTreeMap;

use super::syntax::{suppression_without_reason, unused_suppression};
use super::{CODES, RULES};
use crate::diagnostics::{Diagnostic, Span, Suppression};
use crate::syntax::ast::{CommentKind, File};

#[derive(Debug)]
struct Allow {
    codes: Vec<&'static str>,
    /// Codes written that are not codes at all.
    unknown: Vec<String>,
    reason: Option<String>,
    span: Span,
    /// The byte range the suppression covers.
    scope: (usize, usize),
}

/// Reads `meshc:allow(A, B) reason: "..."` out of a line comment.
fn parse(text: &str) -> Option<(Vec<String>, Option<String>)> {
    let body = text.trim_start_matches('/').trim();
    let rest = body.strip_prefix("meshc:allow(")?;
    let (list, after) = rest.split_once(')')?;
    let codes = list
        .split(',')
        .map(|code| code.trim().to_string())
        .filter(|code| !code.is_empty())
        .collect();
    let reason = after
        .trim()
        .strip_prefix("reason:")
        .map(str::trim)
        .and_then(|reason| reason.strip_prefix('"'))
        .and_then(|reason| reason.strip_suffix('"'))
        .map(str::to_string)
        .filter(|reason| !reason.trim().is_empty());
    Some((codes, reason))
}

/// The byte range a suppression at `span` covers.
fn scope(source: &str, file: &File, span: Span) -> (usize, usize) {
    let line_start = source
        .get(..span.start())
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before = source.get(line_start..span.start()).unwrap_or("");
    let line_end = |from: usize| {
        source
            .get(from..)
            .and_then(|rest| rest.find('\n'))
            .map_or(source.len(), |i| from + i)
    };
    if !before.trim().is_empty() {
        // After code: this line.
        return (line_start, line_end(line_start));
    }
    // Standing alone: the next line with code, or the whole declaration
    // that starts there.
    let mut next = line_end(span.start()) + 1;
    while next < source.len() {
        let end = line_end(next);
        let line = source.get(next..end).unwrap_or("").trim();
        if !(line.is_empty() || line.starts_with("//")) {
            break;
        }
        next = end + 1;
    }
    // The declarations are in source order: the one that starts on that
    // line, if any, is the first that starts at or after it.
    let first = file
        .declarations
        .partition_point(|declaration| declaration.span.start() < next);
    match file.declarations.get(first) {
        Some(declaration) if declaration.span.start() <= line_end(next) => {
            (next, declaration.span.end())
        }
        _ => (next, line_end(next)),
    }
}

/// Applies the suppressions of `file` to `diagnostics`, and reports the
/// suppressions that are malformed or unused.
pub fn suppress(source: &str, file: &File, diagnostics: &mut Vec<Diagnostic>) {
    Suppressions::read(source, file).apply(diagnostics);
}

/// The suppressions of a file, read from its tree, to apply once its
/// findings are known (the tree need not be kept until then).
#[derive(Debug)]
pub struct Suppressions {
    allows: Vec<Allow>,
}

impl Suppressions {
    pub fn read(source: &str, file: &File) -> Suppressions {
        let mut allows = Vec::new();
        for comment in file
            .comments
            .iter()
            .filter(|comment| comment.kind == CommentKind::Line)
        {
            let Some((codes, reason)) = parse(&comment.text) else {
                continue;
            };
            let mut known = Vec::new();
            let mut unknown = Vec::new();
            for code in codes {
                match super::lookup(&code) {
                    Some(found) => known.push(found.code),
                    None => unknown.push(code),
                }
            }
            allows.push(Allow {
                codes: known,
                unknown,
                reason,
                span: comment.span,
                scope: scope(source, file, comment.span),
            });
        }
        Suppressions { allows }
    }

    /// Marks the findings each suppression silences, and reports the
    /// suppressions that are malformed or unused.
    pub fn apply(self, diagnostics: &mut Vec<Diagnostic>) {
        if self.allows.is_empty() {
            return;
        }
        // Whether the check rules ran (they do not when the file has errors).
        let checked = diagnostics.iter().all(|diagnostic| {
            !diagnostic.is_error() || RULES.iter().any(|rule| rule.code() == diagnostic.code)
        });
        // The findings of each code by position, so that a suppression
        // finds those in its scope without a scan of every finding.
        let mut by_code: BTreeMap<&'static str, Vec<(usize, usize)>> = BTreeMap::new();
        for (position, diagnostic) in diagnostics.iter().enumerate() {
            by_code
                .entry(diagnostic.code.code)
                .or_default()
                .push((diagnostic.primary_span().start(), position));
        }
        for found in by_code.values_mut() {
            found.sort_unstable();
        }
        let mut found = Vec::new();
        for allow in &self.allows {
            let written: Vec<String> = allow
                .codes
                .iter()
                .map(|code| (*code).to_string())
                .chain(allow.unknown.iter().cloned())
                .collect();
            let Some(reason) = &allow.reason else {
                found.push(suppression_without_reason::diagnostic(
                    allow.span,
                    &written.join(", "),
                ));
                continue;
            };
            for code in &allow.codes {
                let suppressible = RULES.iter().any(|rule| rule.code().code == *code);
                let mut used = false;
                if suppressible {
                    let of_code = by_code.get(code).map_or(&[][..], Vec::as_slice);
                    let first = of_code.partition_point(|(start, _)| *start < allow.scope.0);
                    for (_, position) in of_code
                        .get(first..)
                        .unwrap_or_default()
                        .iter()
                        .take_while(|(start, _)| *start <= allow.scope.1)
                    {
                        let Some(diagnostic) = diagnostics.get_mut(*position) else {
                            continue;
                        };
                        if diagnostic.suppression.is_none() {
                            diagnostic.suppression = Some(Suppression {
                                reason: reason.clone(),
                                span: allow.span,
                            });
                            used = true;
                        }
                    }
                }
                if !used && (checked || !suppressible) {
                    found.push(unused_suppression::diagnostic(
                        allow.span,
                        code,
                        suppressible,
                    ));
                }
            }
            for code in &allow.unknown {
                let suggestion =
                    crate::suggest::closest(code, CODES.iter().map(|known| known.code));
                let mut diagnostic = unused_suppression::diagnostic(allow.span, code, true);
                diagnostic.help = Some(match suggestion {
                    Some(candidate) => {
                        format!("`{code}` is not a diagnostic code: did you mean `{candidate}`?")
                    }
                    None => {
                        format!("`{code}` is not a diagnostic code: `meshc explain` lists them")
                    }
                });
                found.push(diagnostic);
            }
        }
        diagnostics.extend(found);
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_codes_and_reason() {
        assert_eq!(
            parse(r#"// meshc:allow(M305, M306) reason: "kept for the migration""#),
            Some((
                vec!["M305".to_string(), "M306".to_string()],
                Some("kept for the migration".to_string())
            ))
        );
        assert_eq!(
            parse("// meshc:allow(M305)"),
            Some((vec!["M305".to_string()], None))
        );
        assert_eq!(
            parse(r#"// meshc:allow(M305) reason: """#),
            Some((vec!["M305".to_string()], None))
        );
        assert_eq!(parse("// an ordinary comment"), None);
    }
}
