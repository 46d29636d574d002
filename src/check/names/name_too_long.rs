//! M225 name-too-long
use crate::diagnostics::{Diagnostic, Span};

/// The most characters a declared name may have.
pub const MAX_NAME_CHARS: usize = 255;

/// The characters of a long name a message shows, at each end.
const SHOWN_CHARS: usize = 12;

/// `kind` is what the name declares ("queue", "subnet"); `chars` how many
/// characters it has.
pub fn diagnostic(kind: &str, name: &str, chars: usize, span: Span) -> Diagnostic {
    Diagnostic::new(
        &NameTooLong::CODE,
        format!(
            "the name of {} `{}` has {chars} characters",
            super::unknown_name::with_article(kind),
            shortened(name, chars)
        ),
    )
    .primary(
        span,
        format!("a name has at most {MAX_NAME_CHARS} characters"),
    )
    .help(format!(
        "shorten it to {MAX_NAME_CHARS} characters or fewer: meshc fits each AWS name to its \
         limit, but no AWS name of a queue, topic or table would hold it whole"
    ))
}

/// The first and last characters of a name, with `…` between.
fn shortened(name: &str, chars: usize) -> String {
    if chars <= 2 * SHOWN_CHARS {
        return name.to_string();
    }
    let head: String = name.chars().take(SHOWN_CHARS).collect();
    let tail: String = name.chars().skip(chars - SHOWN_CHARS).collect();
    format!("{head}…{tail}")
}

declare_code! {
    /// ## What it does
    /// Reports a declared name (of a component, a subnet, an index, a saga
    /// step or any named block) longer than 255 characters, the longest
    /// name most AWS services accept (a DynamoDB table's 255, an SNS
    /// topic's 256).
    ///
    /// ## Why is this bad?
    /// Every name becomes part of AWS names. meshc fits each to its limit
    /// with a hash, so a name of any length deploys, but past 255
    /// characters none of them holds it whole, and every diagnostic,
    /// picture and console page repeats it. A limit also keeps a
    /// generated or pasted name from slowing every stage that compares
    /// names.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue orders-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa { visibility = 1m }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue orders { visibility = 1m }
    /// ```
    NameTooLong, code = M225, slug = "name-too-long", severity = Error,
}
