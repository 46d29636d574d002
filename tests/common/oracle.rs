//! What must hold for any input, whatever its text: the properties the
//! mutation tests check on mutants of the examples and the fuzz targets
//! (fuzz/) check on what libFuzzer generates. Each returns a description
//! of what broke; a panic is left to the caller (the tests catch it, the
//! fuzzer reports it as a crash).
//!
//! This file is shared: fuzz/src/lib.rs includes it by path, so it may
//! use only meshc, hcl-rs and `serde_json`.

use std::collections::BTreeMap;
use std::path::Path;

use meshc::diagnostics::{Diagnostic, HumanStyle, SourceFile};

fn source_file(text: &str) -> SourceFile {
    SourceFile {
        name: "input.mesh".to_string(),
        text: text.to_string(),
    }
}

/// The analysis of any text is well formed: every diagnostic has a code, a
/// primary label first, labels inside the text on character boundaries,
/// and a help line; a text without a system has an error that says why;
/// the report renders; a file without errors draws its pictures.
pub fn analysis_is_sound(source: &str) -> Result<(), String> {
    let analysis = meshc::analyze(source);
    for diagnostic in &analysis.diagnostics {
        labels_are_in(source, diagnostic)?;
        if diagnostic.help.is_none() {
            return Err(format!("{} has no help", diagnostic.code.code));
        }
    }
    if analysis.system.is_none() && !analysis.has_errors() {
        return Err("no system was produced, yet no error says why".to_string());
    }
    if analysis.system.is_some() != analysis.graph.is_some() {
        return Err("a resolved system must have its graph".to_string());
    }
    meshc::diagnostics::render_human(
        &analysis.diagnostics,
        &source_file(source),
        HumanStyle::default(),
    );
    if let (Some(system), Some(graph), false) = (
        analysis.system.as_ref(),
        analysis.graph.as_ref(),
        analysis.has_errors(),
    ) {
        use meshc::emit::picture::{Detail, dot, mermaid};
        for detail in [Detail::Components, Detail::Everything] {
            mermaid(system, graph, detail);
            dot(system, graph, detail);
        }
    }
    Ok(())
}

fn labels_are_in(source: &str, diagnostic: &Diagnostic) -> Result<(), String> {
    let code = diagnostic.code.code;
    match diagnostic.labels.first() {
        None => return Err(format!("{code} has no label")),
        Some(primary) if !primary.primary => {
            return Err(format!("{code} has no primary label first"));
        }
        Some(_) => {}
    }
    for label in &diagnostic.labels {
        let (start, end) = (label.span.start(), label.span.end());
        if start > end
            || end > source.len()
            || !source.is_char_boundary(start)
            || !source.is_char_boundary(end)
        {
            return Err(format!(
                "{code} has a label outside the text: {start}..{end}"
            ));
        }
    }
    Ok(())
}

/// What `meshc check` concludes about a text, positions aside: each
/// finding's code, severity, whether it is suppressed, and message.
pub fn verdict(source: &str) -> Vec<String> {
    let mut found: Vec<String> = meshc::analyze(source)
        .diagnostics
        .iter()
        .map(|diagnostic| format!("{}: {}", kind_of(diagnostic), diagnostic.message))
        .collect();
    found.sort();
    found
}

/// A finding's code, severity and whether it is suppressed:
/// `M201 error active`.
pub fn kind_of(diagnostic: &Diagnostic) -> String {
    format!(
        "{} {} {}",
        diagnostic.code.code,
        diagnostic.severity.as_str(),
        if diagnostic.is_active() {
            "active"
        } else {
            "suppressed"
        }
    )
}

/// Formatting a text it accepts is idempotent, gives a text it accepts
/// again, and never changes what `check` concludes.
pub fn formatting_round_trips(source: &str) -> Result<(), String> {
    let Ok(once) = meshc::fmt::format(source) else {
        return Ok(());
    };
    match meshc::fmt::format(&once) {
        Ok(twice) if twice == once => {}
        Ok(twice) => {
            return Err(format!(
                "formatting is not idempotent:\n----- once\n{once}----- twice\n{twice}"
            ));
        }
        Err(_) => return Err(format!("the formatted text does not parse:\n{once}")),
    }
    let (before, after) = (verdict(source), verdict(&once));
    if before != after {
        return Err(format!(
            "formatting changed the verdict: {before:#?} became {after:#?}\n----- formatted\n{once}"
        ));
    }
    Ok(())
}

/// A build is deterministic; it writes files exactly when `meshc check`
/// finds no error; and every file it writes parses in its language
/// (Terraform by hcl-rs, JSON by `serde_json`).
pub fn build_is_sound(source: &str) -> Result<(), String> {
    let options = meshc::Options::default();
    let file = source_file(source);
    let first = meshc::compile(&file, &options);
    let second = meshc::compile(&file, &options);
    if first.files != second.files {
        return Err("two builds of one text wrote different files".to_string());
    }
    let messages = |diagnostics: &[Diagnostic]| -> Vec<String> {
        diagnostics
            .iter()
            .map(|diagnostic| format!("{} {}", diagnostic.code.code, diagnostic.message))
            .collect()
    };
    if messages(&first.diagnostics) != messages(&second.diagnostics) {
        return Err("two builds of one text reported differently".to_string());
    }
    let checked = meshc::check(&file, &options);
    let check_refuses = checked
        .iter()
        .any(|diagnostic| diagnostic.is_error() && diagnostic.is_active());
    if check_refuses != first.files.is_empty() {
        return Err(format!(
            "check {} but build wrote {} files: {:#?}",
            if check_refuses { "refuses" } else { "accepts" },
            first.files.len(),
            messages(&checked)
        ));
    }
    files_parse(&first.files)
}

/// Every Terraform and JSON file of a build parses.
pub fn files_parse(files: &BTreeMap<String, String>) -> Result<(), String> {
    for (path, text) in files {
        match Path::new(path)
            .extension()
            .and_then(|extension| extension.to_str())
        {
            Some("tf") => {
                hcl::parse(text).map_err(|error| format!("{path} does not parse: {error}"))?;
            }
            Some("json") => {
                serde_json::from_str::<serde_json::Value>(text)
                    .map_err(|error| format!("{path} does not parse: {error}"))?;
            }
            _ => {}
        }
    }
    Ok(())
}
