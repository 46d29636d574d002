//! M101 syntax-error
use crate::diagnostics::{Diagnostic, Span};

/// A more specific help line for the commonest slips.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hint {
    /// The word is close to a keyword that fits here.
    DidYouMean(String),
    /// A `}` that closes nothing.
    StrayClosingBrace,
    /// A `///` doc comment with nothing after it to document.
    DocCommentWithoutItem,
    /// `key value` where `key = value` was meant.
    MissingEquals(String),
    /// A statement separator from another language.
    Semicolon,
    /// A `,` that follows no member or item.
    Comma,
    /// `calls a, b`: several targets of a relation without brackets; the
    /// relation as it should be written.
    TargetList(String),
    /// `key = value where ...` on an attribute that takes no filter.
    WhereOnAttribute(String),
}

pub fn diagnostic(
    found: &str,
    found_span: Span,
    expected: &[String],
    hint: Option<Hint>,
) -> Diagnostic {
    let expected_text = one_of(expected);
    let diagnostic = Diagnostic::new(
        &SyntaxError::CODE,
        format!("expected {expected_text}, found {found}"),
    )
    .primary(found_span, format!("expected {expected_text}"));
    match hint {
        Some(Hint::DidYouMean(keyword)) => diagnostic.help(format!("did you mean `{keyword}`?")),
        Some(Hint::StrayClosingBrace) => {
            diagnostic.help("this `}` closes no block: remove it, or check the block above for an extra `}`")
        }
        Some(Hint::DocCommentWithoutItem) => diagnostic.help(
            "a `///` doc comment documents the declaration or member after it: write one below it, or use `//` for a plain comment",
        ),
        Some(Hint::MissingEquals(key)) => diagnostic.help(format!("an attribute is written `{key} = value`")),
        Some(Hint::Semicolon) => diagnostic.help("members are separated by new lines or spaces: remove the `;`"),
        Some(Hint::Comma) => diagnostic.help("a comma may follow a member of a block or an item of a list, once: remove this one"),
        Some(Hint::TargetList(relation)) => diagnostic.help(format!("a relation to several targets lists them in brackets: `{relation}`")),
        Some(Hint::WhereOnAttribute(key)) => diagnostic.help(format!(
            "`where` filters a `consumes`, a `subscribe`, a rule's `matches` and a saga's `trigger`; `{key}` takes no filter"
        )),
        None => diagnostic.help(format!("write {expected_text} here")),
    }
}

/// "`a`", "`a` or `b`", "`a`, `b` or `c`".
fn one_of(items: &[String]) -> String {
    match items {
        [] => "something else".to_string(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

declare_code! {
    /// ## What it does
    /// Reports text that does not fit the grammar of the .mesh language at
    /// the point where it stands, saying what the grammar expected there and
    /// what it found instead.
    ///
    /// ## Why is this bad?
    /// meshc cannot know what a malformed declaration means, so it cannot
    /// check or build it. Every other error in the file is still reported:
    /// parsing resumes at the next declaration.
    ///
    /// ## Example
    /// ```mesh
    /// service order {
    ///   port = 8080;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// service order {
    ///   port = 8080
    /// }
    /// ```
    SyntaxError, code = M101, slug = "syntax-error", severity = Error,
}
