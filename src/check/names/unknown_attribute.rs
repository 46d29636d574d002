//! M203 unknown-attribute
use crate::diagnostics::{Diagnostic, Span};

/// `what` is "attribute" or "block"; `owner` is where it stands ("service
/// `order`", "the `dlq` block of queue `jobs`"); `known` lists what is valid
/// there.
pub fn diagnostic(
    what: &str,
    key: &str,
    span: Span,
    owner: &str,
    suggestion: Option<&str>,
    known: &[&str],
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &UnknownAttribute::CODE,
        format!("unknown {what} `{key}` in {owner}"),
    )
    .primary(span, "not valid here");
    let listing = known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match suggestion {
        Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
        None if known.is_empty() => diagnostic.help(format!("{owner} takes no attributes")),
        None => diagnostic.help(format!("{owner} takes {listing}")),
    }
}

declare_code! {
    /// ## What it does
    /// Reports an attribute or nested block that the enclosing declaration
    /// does not have, such as `memroy` in a Lambda service or `usag { }` in a
    /// queue. When a valid name is close, the help line names it; otherwise
    /// it lists the valid ones.
    ///
    /// ## Why is this bad?
    /// A misspelt setting would otherwise be ignored and its default used
    /// instead — the Lambda function would get 128 MB, not the 1 GB written.
    ///
    /// ## Example
    /// ```mesh
    /// service thumbnails {
    ///   compute = lambda { runtime = "python3.12"  memroy = 1GB }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// service thumbnails {
    ///   compute = lambda { runtime = "python3.12"  memory = 1GB }
    /// }
    /// ```
    UnknownAttribute, code = M203, slug = "unknown-attribute", severity = Error,
}
