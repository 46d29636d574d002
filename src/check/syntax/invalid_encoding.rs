//! M111 invalid-encoding
use crate::diagnostics::{Diagnostic, Span};

/// `span` covers what the first bytes that are not UTF-8 became in the text
/// decoded for the report; `offset` is their place in the file, `bytes`
/// their values.
pub fn diagnostic(span: Span, offset: usize, bytes: &[u8]) -> Diagnostic {
    let hex: Vec<String> = bytes.iter().map(|byte| format!("0x{byte:02X}")).collect();
    let (these, are) = if bytes.len() == 1 {
        ("this byte", "is")
    } else {
        ("these bytes", "are")
    };
    Diagnostic::new(
        &InvalidEncoding::CODE,
        format!("the file is not valid UTF-8 at byte {offset}"),
    )
    .primary(span, format!("{these} ({}) {are} not UTF-8", hex.join(" ")))
    .help("save the file as UTF-8, the only encoding meshc reads (an editor's \"Save with Encoding\" or `iconv -f latin1 -t utf-8`)")
    .note("nothing else in the file is checked")
}

declare_code! {
    /// ## What it does
    /// Reports a source file that is not UTF-8, at the first byte that
    /// does not start a UTF-8 character, and checks nothing else in it.
    /// A UTF-8 byte order mark at the start of a file is accepted and
    /// skipped.
    ///
    /// ## Why is this bad?
    /// meshc reads UTF-8 only. A file saved in another encoding (Latin-1,
    /// Windows-1252, UTF-16) would have its names, strings and comments
    /// read wrong, and they flow into AWS names, tags and descriptions.
    ///
    /// ## Example
    /// This file saved in Latin-1, where `é` is the single byte 0xE9:
    /// ```mesh
    /// /// The café's order system.
    /// system cafe { region = "eu-west-3" }
    /// ```
    ///
    /// Use instead: the same file saved in UTF-8, where `é` is the two
    /// bytes 0xC3 0xA9.
    /// ```mesh
    /// /// The café's order system.
    /// system cafe { region = "eu-west-3" }
    /// ```
    InvalidEncoding, code = M111, slug = "invalid-encoding", severity = Error,
}
