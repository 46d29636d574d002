//! M1xx, syntax: input the grammar cannot read. Constructed by `syntax`,
//! which reports every one of them in a file and carries on at the next
//! declaration.

pub mod duplicate_clause;
pub mod invalid_encoding;
pub mod malformed_literal;
pub mod nesting_too_deep;
pub mod suppression_without_reason;
pub mod syntax_error;
pub mod unclosed_block;
pub mod unknown_declaration_kind;
pub mod unterminated_comment;
pub mod unterminated_string;
pub mod unused_suppression;
