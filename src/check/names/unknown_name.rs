//! M201 unknown-name
use crate::diagnostics::{Diagnostic, Span};

/// The most declared names a help line lists.
const LISTED: usize = 8;

/// `expected` names what the reference should be, without an article
/// ("service", "event, queue, topic or stream"); `suggestion` is the
/// declared name it probably meant, and `declared` the names of the kinds
/// it may refer to, which the help lists when nothing is close.
pub fn diagnostic<S: AsRef<str>>(
    expected: &str,
    name: &str,
    span: Span,
    suggestion: Option<&str>,
    declared: &[S],
) -> Diagnostic {
    let diagnostic = unknown(expected, name, span);
    let declare = format!("declare {} `{name}`", with_article(expected));
    match (suggestion, declared) {
        (Some(candidate), _) => did_you_mean(diagnostic, candidate),
        (None, []) => diagnostic.help(format!("{declare}: the file declares none yet")),
        (None, [only]) => diagnostic.help(format!(
            "`{}` is the only name that fits here; refer to it, or {declare}",
            only.as_ref()
        )),
        (None, names) => diagnostic.help(format!(
            "the names that fit here are {}; refer to one of them, or {declare}",
            listing(names, "and")
        )),
    }
}

/// An unknown name where only built-in names are valid (the types of a
/// schema field): the help lists them.
pub fn builtin(
    expected: &str,
    name: &str,
    span: Span,
    suggestion: Option<&str>,
    names: &[&str],
) -> Diagnostic {
    let diagnostic = unknown(expected, name, span);
    match suggestion {
        Some(candidate) => did_you_mean(diagnostic, candidate),
        None => diagnostic.help(format!(
            "{} is one of {}",
            with_article(expected),
            listing(names, "or")
        )),
    }
}

/// The diagnostic of either kind of unknown name, before its help.
fn unknown(expected: &str, name: &str, span: Span) -> Diagnostic {
    Diagnostic::new(&UnknownName::CODE, format!("unknown name `{name}`"))
        .primary(span, format!("no {expected} is called `{name}`"))
}

fn did_you_mean(diagnostic: Diagnostic, candidate: &str) -> Diagnostic {
    diagnostic.help(format!("did you mean `{candidate}`?"))
}

/// "`a`", "`a` and `b`", "`a`, `b` and `c`", "`a`, ..., `h` and 3 more",
/// with `conjunction` ("and", "or") before the last.
fn listing<S: AsRef<str>>(names: &[S], conjunction: &str) -> String {
    let quoted: Vec<String> = names
        .iter()
        .take(LISTED)
        .map(|name| format!("`{}`", name.as_ref()))
        .collect();
    let more = names.len().saturating_sub(LISTED);
    match (quoted.split_last(), more) {
        (Some((last, rest)), 0) if !rest.is_empty() => {
            format!("{} {conjunction} {last}", rest.join(", "))
        }
        (Some((last, [])), 0) => last.clone(),
        (_, more) => format!("{} {conjunction} {more} more", quoted.join(", ")),
    }
}

/// "a service", "an event".
pub fn with_article(noun: &str) -> String {
    let vowel = noun.chars().next().is_some_and(|ch| "aeiou".contains(ch));
    if vowel {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

declare_code! {
    /// ## What it does
    /// Reports a reference to a name that nothing declares: a service that
    /// `calls` a service that does not exist, an event nobody declared, a
    /// subnet that is not in any network, a schema field of an unknown type.
    /// When a declared name is close, the help line names it.
    ///
    /// ## Why is this bad?
    /// Every reference is an edge of the system graph: it becomes a security
    /// group rule, an IAM statement or an EventBridge rule. A dangling edge
    /// would be infrastructure that points at nothing.
    ///
    /// ## Example
    /// ```mesh
    /// service order {
    ///   calls paymnt
    /// }
    /// service payment {
    ///   port = 8443
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// service order {
    ///   calls payment
    /// }
    /// service payment {
    ///   port = 8443
    /// }
    /// ```
    UnknownName, code = M201, slug = "unknown-name", severity = Error,
}
