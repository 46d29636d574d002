//! The properties the fuzz targets check: the same file the mutation tests
//! use (tests/common/oracle.rs), so that a finding of either is judged by
//! the same rules.

#[path = "../../tests/common/oracle.rs"]
pub mod oracle;

/// The text libFuzzer generated, when it is UTF-8: meshc reads only UTF-8
/// (the command line refuses other bytes with M111 before analysing).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Fails the run with what broke: libFuzzer reports the panic as a crash
/// and keeps its input.
pub fn hold(result: Result<(), String>) {
    if let Err(problem) = result {
        panic!("{problem}");
    }
}
