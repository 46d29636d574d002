//! M201 unknown-name
use crate::diagnostics::{Diagnostic, Span};

/// `expected` names what the reference should be, without an article
/// ("service", "event, queue, topic or stream").
pub fn diagnostic(expected: &str, name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    let diagnostic = Diagnostic::new(&UnknownName::CODE, format!("unknown name `{name}`"))
        .primary(span, format!("no {expected} is called `{name}`"));
    match suggestion {
        Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
        None => diagnostic.help(format!(
            "declare {} `{name}`, or refer to one that exists",
            with_article(expected)
        )),
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
