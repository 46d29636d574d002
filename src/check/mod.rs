//! Stage 4, checks — and the registry of every diagnostic code.
//!
//! Every code meshc can emit is declared in a file of its own under this
//! module, grouped in folders by family (`syntax/` M1xx, `names/` M2xx, ...).
//! The file holds the code's documentation (which `meshc explain` prints),
//! and the constructor of its diagnostic, so that its wording lives in one
//! place. Codes found while parsing (M1xx) or resolving (most of M2xx) are
//! constructed by `syntax` and `model`, which call into these files; the rest
//! are rules run over the resolved `System`.
//!
//! Codes never move and are never reused; a retired code keeps its file and
//! says that it is no longer emitted.

use crate::diagnostics::Code;

/// Declares a diagnostic code: a unit struct whose `CODE` constant carries
/// the code, its slug, its severity and its explanation (the doc comment,
/// which must have the sections What it does / Why is this bad? / Example /
/// Use instead).
macro_rules! declare_code {
    (
        $(#[doc = $doc:literal])*
        $name:ident, code = $code:ident, slug = $slug:literal, severity = $severity:ident $(,)?
    ) => {
        $(#[doc = $doc])*
        #[allow(clippy::doc_markdown)] // The doc is prose for `meshc explain`.
        #[derive(Debug)]
        pub struct $name;

        impl $name {
            pub const CODE: $crate::diagnostics::Code = $crate::diagnostics::Code {
                code: stringify!($code),
                slug: $slug,
                severity: $crate::diagnostics::Severity::$severity,
                explanation: concat!($($doc, "\n"),*),
            };
        }
    };
}

pub mod names;
pub mod syntax;

/// Every registered code, sorted by code.
pub static CODES: &[&Code] = &[
    &syntax::syntax_error::SyntaxError::CODE,
    &syntax::unknown_declaration_kind::UnknownDeclarationKind::CODE,
    &syntax::unclosed_block::UnclosedBlock::CODE,
    &syntax::unterminated_string::UnterminatedString::CODE,
    &syntax::unterminated_comment::UnterminatedComment::CODE,
    &syntax::malformed_literal::MalformedLiteral::CODE,
    &syntax::duplicate_clause::DuplicateClause::CODE,
    &names::unknown_name::UnknownName::CODE,
    &names::duplicate_name::DuplicateName::CODE,
    &names::unknown_attribute::UnknownAttribute::CODE,
    &names::missing_attribute::MissingAttribute::CODE,
    &names::type_mismatch::TypeMismatch::CODE,
    &names::unknown_unit::UnknownUnit::CODE,
    &names::invalid_value::InvalidValue::CODE,
    &names::value_out_of_range::ValueOutOfRange::CODE,
    &names::aws_limit::AwsLimit::CODE,
    &names::invalid_fargate_size::InvalidFargateSize::CODE,
    &names::wrong_kind::WrongKind::CODE,
    &names::duplicate_attribute::DuplicateAttribute::CODE,
    &names::system_declaration::SystemDeclaration::CODE,
    &names::firewall_deny::FirewallDeny::CODE,
    &names::conflicting_attributes::ConflictingAttributes::CODE,
];

/// Finds a code by its code (`M201`, case-insensitive) or its slug
/// (`unknown-name`).
pub fn lookup(query: &str) -> Option<&'static Code> {
    let query = query.trim();
    CODES
        .iter()
        .copied()
        .find(|code| code.code.eq_ignore_ascii_case(query) || code.slug == query)
}

/// The explanation as `meshc explain` prints it: the doc comment with the
/// leading space of each line removed.
pub fn explanation(code: &Code) -> String {
    let mut text = String::new();
    for line in code.explanation.lines() {
        text.push_str(line.strip_prefix(' ').unwrap_or(line));
        text.push('\n');
    }
    text
}
