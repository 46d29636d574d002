//! M110 nesting-too-deep
use crate::diagnostics::{Diagnostic, Span};
use crate::syntax::MAX_NESTING;

fn new(open: Span, label: String) -> Diagnostic {
    Diagnostic::new(
        &NestingTooDeep::CODE,
        format!("nesting deeper than {MAX_NESTING} levels of brackets and block comments"),
    )
    .primary(open, label)
    .help(format!(
        "flatten it: `{{ }}`, `[ ]` and `/* */` nest at most {MAX_NESTING} levels deep in a declaration"
    ))
    .note("the declaration that holds it is skipped")
}

/// `open` is the `{`, `[` or `/*` (`opening`) that opens one level too many.
pub fn diagnostic(open: Span, opening: &str) -> Diagnostic {
    new(
        open,
        format!("this `{opening}` opens level {}", MAX_NESTING + 1),
    )
}

/// The parser ran out of room at `position`, deeper than the limit.
pub fn deeper_than_the_parser_goes(position: Span) -> Diagnostic {
    new(
        position,
        format!("more than {MAX_NESTING} levels deep here"),
    )
}

declare_code! {
    /// ## What it does
    /// Reports a declaration whose brackets `{ }` and `[ ]` and block
    /// comments `/* */` nest more than 64 levels deep, counted together
    /// from the declaration's own `{` (level 1). It points at the bracket
    /// that opens level 65, and the declaration is skipped.
    ///
    /// ## Why is this bad?
    /// No real system nests that deep: the deepest parts of a description,
    /// an event schema's objects in lists in objects, take 6 to 10 levels.
    /// Input that does is generated or hostile, and each level costs every
    /// stage of meshc some of its fixed stack: past the limit, parsing,
    /// formatting or building it could abort the process instead of
    /// reporting an error.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    ///
    /// event Nested {
    ///   schema {
    ///     cells: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[string]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    ///
    /// event Nested {
    ///   schema {
    ///     cells: [[string]]
    ///   }
    /// }
    /// ```
    NestingTooDeep, code = M110, slug = "nesting-too-deep", severity = Error,
}
