//! Suppressions: `// meshc:allow(M305) reason: "..."` comments that silence
//! a finding of a check rule on their line (after code) or on the line or
//! declaration below them (standing alone). Silenced findings are kept,
//! marked with the reason, for JSON and SARIF; suppressions without a reason
//! or that silence nothing are findings themselves.

use super::syntax::{suppression_without_reason, unused_suppression};
use super::{CODES, RULES};
use crate::diagnostics::{Diagnostic, LineIndex, Span, Suppression};
use crate::syntax::ast::{CommentKind, File};

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
fn scope(source: &str, file: &File, index: &LineIndex<'_>, span: Span) -> (usize, usize) {
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
    let next_line = index.line_column(next).line;
    for declaration in &file.declarations {
        if index.line_column(declaration.span.start()).line == next_line {
            return (next, declaration.span.end());
        }
    }
    (next, line_end(next))
}

/// Applies the suppressions of `file` to `diagnostics`, and reports the
/// suppressions that are malformed or unused. `checked` says whether the
/// check rules ran (they do not when the file has errors).
pub fn suppress(source: &str, file: &File, diagnostics: &mut Vec<Diagnostic>) {
    let index = LineIndex::new(source);
    let checked = diagnostics.iter().all(|diagnostic| {
        !diagnostic.is_error() || RULES.iter().any(|rule| rule.code() == diagnostic.code)
    });
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
            scope: scope(source, file, &index, comment.span),
        });
    }
    let mut found = Vec::new();
    for allow in &allows {
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
                for diagnostic in diagnostics.iter_mut() {
                    let start = diagnostic.primary_span().start();
                    let inside = start >= allow.scope.0 && start <= allow.scope.1;
                    if inside && diagnostic.code.code == *code && diagnostic.suppression.is_none() {
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
            let suggestion = crate::suggest::closest(code, CODES.iter().map(|known| known.code));
            let mut diagnostic = unused_suppression::diagnostic(allow.span, code, true);
            diagnostic.help = Some(match suggestion {
                Some(candidate) => {
                    format!("`{code}` is not a diagnostic code: did you mean `{candidate}`?")
                }
                None => format!("`{code}` is not a diagnostic code: `meshc explain` lists them"),
            });
            found.push(diagnostic);
        }
    }
    diagnostics.extend(found);
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
