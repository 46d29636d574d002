//! The command line: argument parsing (clap), reading source files, printing
//! diagnostics and writing outputs. The only module that does IO.
//!
//! Exit status: 0 when there is no error, 1 when a file has errors (or
//! warnings, under `--deny-warnings`), 2 for a usage or IO problem.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod output;

/// `println!` for standard output and error that never panics: a reader
/// that went away (`meshc check | head`) is not meshc's failure.
macro_rules! outln {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}
macro_rules! errln {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::check;
use crate::diagnostics::{self, Diagnostic, HumanStyle, Severity, SourceFile};

const ABOUT: &str =
    "Compile .mesh descriptions of event-driven AWS systems into checked infrastructure.";

const LONG_ABOUT: &str = "\
meshc reads a .mesh file — the services of a system, who calls whom, who publishes and consumes \
which events, the sagas that span them — proves it consistent, and emits the infrastructure that \
implements it.";

#[derive(Debug, Parser)]
#[command(name = "meshc", version, about = ABOUT, long_about = LONG_ABOUT, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Reports with the source above each error, for people.
    Human,
    /// One JSON document with every diagnostic and a summary.
    Json,
    /// SARIF 2.1.0, for code-scanning tools (GitHub, GitLab, Azure DevOps).
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiagramFormat {
    /// A Mermaid flowchart, for Markdown.
    Mermaid,
    /// A Graphviz digraph.
    Dot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CostFormat {
    /// An itemised table for people, with how each charge was worked out.
    Table,
    /// One JSON document (with `--compare`, the changes).
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum TargetArg {
    /// out/terraform/*.tf
    Terraform,
    /// out/cloudformation/template.json
    Cloudformation,
    /// Both.
    All,
}

impl From<TargetArg> for crate::Target {
    fn from(target: TargetArg) -> Self {
        match target {
            TargetArg::Terraform => crate::Target::Terraform,
            TargetArg::Cloudformation => crate::Target::CloudFormation,
            TargetArg::All => crate::Target::All,
        }
    }
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to colour human output (`auto` honours `NO_COLOR` and terminals).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Exit with status 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check .mesh files and report every problem (for editors and CI).
    #[command(
        after_help = "Exit status: 0 when no file has errors, 1 when one has, 2 on a usage or IO problem."
    )]
    Check {
        /// The files to check.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The infrastructure the files are built to: its limits are checked too (a CloudFormation stack's).
        #[arg(long, value_enum, default_value_t = TargetArg::All)]
        target: TargetArg,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Check a .mesh file, then write its infrastructure to the output directory.
    #[command(
        after_help = "meshc replaces only the files it wrote before (listed in OUT/.meshc/manifest.json) and \
removes only those it no longer writes; anything else in the output directory (Terraform state, lock \
files, your own .tf files) is never touched. A failed build changes nothing, and an update cut short \
is completed or undone by the next build."
    )]
    Build {
        /// The file to build.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Where to write the output.
        #[arg(short, long, value_name = "DIR", default_value = "out")]
        out: PathBuf,
        /// Which infrastructure to write: Terraform, a CloudFormation template, or both.
        #[arg(long, value_enum, default_value_t = TargetArg::All)]
        target: TargetArg,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Rewrite .mesh files in the canonical layout; with --check, only report the ones that would change.
    #[command(
        after_help = "Two spaces of indentation, one member per line in blocks written over several \
lines, `=` aligned in runs of attributes, one-line blocks kept on one line; comments are kept, in \
order, and literals keep their spelling. The rules are in docs/language.md, \"Formatting\".\n\n\
A file is rewritten only when its layout changes, by writing a new file next to it and renaming \
it over the old one. A file with syntax errors is reported and left untouched.\n\n\
Exit status: 0 when every file is formatted (or, with --check, already was), 1 when a file has \
syntax errors or, with --check, would change, 2 on a usage or IO problem."
    )]
    Fmt {
        /// The files to format; `-` formats standard input to standard output.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Write nothing: print a unified diff of each file that would change, and exit with 1 if any would.
        #[arg(long)]
        check: bool,
        /// When to colour diagnostics (`auto` honours `NO_COLOR` and terminals).
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
    /// Estimate the monthly cost of a .mesh file, itemised, against its budget.
    #[command(
        after_help = "Prices come from the catalog embedded in meshc (on-demand list prices, dated per row); \
--prices FILE replaces rows with negotiated rates. Charges that depend on traffic nobody declared in a \
`usage { }` block are shown as unknown, never as zero. With --compare, prints what changes from OLD to FILE \
as a markdown table for a pull-request comment. Exit status: 0, 1 when a file has errors, 2 on a usage, IO \
or price-file problem."
    )]
    Cost {
        /// The file to price.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// How to print the estimate.
        #[arg(long, value_enum, default_value_t = CostFormat::Table)]
        format: CostFormat,
        /// Compare with the estimate of an older version of the file.
        #[arg(long, value_name = "OLD")]
        compare: Option<PathBuf>,
        /// A price file in the catalog's format whose rows replace the catalog's.
        #[arg(long, value_name = "CSV")]
        prices: Option<PathBuf>,
        /// The period to price, in hours (730 is a month).
        #[arg(long, value_name = "HOURS", default_value_t = crate::cost::HOURS_PER_MONTH,
              value_parser = clap::value_parser!(u64).range(1..=87_600))]
        hours: u64,
    },
    /// Print the path an execution of a saga takes when a step fails, state by state.
    #[command(
        after_help = "Without --fail, the happy path. The path is read from the state machine meshc generates \
(or, for a choreographed saga, from its rules), so it is what AWS will run."
    )]
    Simulate {
        /// The file that declares the saga.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The saga to simulate.
        #[arg(value_name = "SAGA")]
        saga: String,
        /// The step that fails (after its retries).
        #[arg(long, value_name = "STEP")]
        fail: Option<String>,
    },
    /// Print the system as a diagram: components as nodes, flows as labelled edges, subnets as clusters.
    #[command(
        after_help = "Mermaid renders in Markdown on GitHub (a ```mermaid block); DOT renders with Graphviz \
(`meshc graph FILE --format dot | dot -Tsvg > system.svg`). Exit status: 0 with the diagram on standard \
output, 1 when the file has errors, 2 on a usage or IO problem."
    )]
    Graph {
        /// The file to draw.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The diagram language.
        #[arg(long, value_enum, default_value_t = DiagramFormat::Mermaid)]
        format: DiagramFormat,
        /// Draw what meshc derives too: dead-letter, inbox and command queues, the rules behind
        /// each `consumes` and saga trigger, the load balancers that carry calls.
        #[arg(long)]
        all: bool,
    },
    /// Explain a diagnostic code (`M201`) or slug (`unknown-name`); list them all without one.
    Explain {
        /// The code or slug to explain.
        #[arg(value_name = "CODE")]
        code: Option<String>,
    },
}

/// Runs the command line and returns the process exit status.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            files,
            target,
            report,
        } => check_files(&files, target.into(), &report),
        Command::Build {
            file,
            out,
            target,
            report,
        } => build(&file, &out, target.into(), &report),
        Command::Fmt {
            files,
            check,
            color,
        } => format_files(&files, check, color),
        Command::Simulate { file, saga, fail } => simulate(&file, &saga, fail.as_deref()),
        Command::Graph { file, format, all } => graph(&file, format, all),
        Command::Cost {
            file,
            format,
            compare,
            prices,
            hours,
        } => cost(&file, format, compare.as_deref(), prices.as_deref(), hours),
        Command::Explain { code } => explain(code.as_deref()),
    }
}

/// The largest file meshc reads, in bytes (64 MiB): far more than any
/// description of a system, and a bound on what a wrong path or a runaway
/// generator can make meshc hold in memory.
const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// A source file as read.
struct Input {
    source: SourceFile,
    /// M111 when the file is not UTF-8: then nothing else in it is checked.
    not_utf8: Option<Diagnostic>,
}

impl Input {
    fn decode(name: String, bytes: Vec<u8>) -> Input {
        let (text, not_utf8) = crate::syntax::decode(bytes);
        Input {
            source: SourceFile { name, text },
            not_utf8,
        }
    }

    /// What `crate::analyze` finds in the file; for a file that is not
    /// UTF-8, only that.
    fn analyze(&self) -> crate::Analysis {
        match &self.not_utf8 {
            None => crate::analyze(&self.source.text),
            Some(problem) => crate::Analysis {
                syntax: crate::syntax::ast::File {
                    declarations: Vec::new(),
                    comments: Vec::new(),
                    unparsed: Vec::new(),
                },
                system: None,
                graph: None,
                diagnostics: vec![problem.clone()],
            },
        }
    }

    /// What `crate::check` finds in the file; for a file that is not UTF-8,
    /// only that.
    fn check(&self, target: crate::Target) -> Vec<Diagnostic> {
        match &self.not_utf8 {
            None => crate::check(&self.source, &crate::Options { target }),
            Some(problem) => vec![problem.clone()],
        }
    }

    /// What `crate::compile` makes of the file; for a file that is not
    /// UTF-8, only that diagnostic.
    fn compile(&self, target: crate::Target) -> crate::Output {
        match &self.not_utf8 {
            None => crate::compile(&self.source, &crate::Options { target }),
            Some(problem) => crate::Output {
                files: std::collections::BTreeMap::new(),
                diagnostics: vec![problem.clone()],
                system_name: None,
            },
        }
    }
}

fn read_source(path: &Path) -> Result<Input, ExitCode> {
    let bytes = read_file(path)?;
    Ok(Input::decode(path.display().to_string(), bytes))
}

/// The bytes of a regular file of at most `MAX_INPUT_BYTES`. Anything else
/// (a directory, a device such as `/dev/zero`, a FIFO, a socket) is refused
/// before it is read, so that meshc neither waits for a writer nor reads
/// without end.
fn read_file(path: &Path) -> Result<Vec<u8>, ExitCode> {
    let refuse = |why: String| {
        errln!("error: cannot read `{}`: {why}", path.display());
        ExitCode::from(2)
    };
    let metadata = std::fs::metadata(path).map_err(|error| refuse(error.to_string()))?;
    regular_file(&metadata).map_err(refuse)?;
    let file = std::fs::File::open(path).map_err(|error| refuse(error.to_string()))?;
    // What was opened may have replaced what was looked at.
    let metadata = file.metadata().map_err(|error| refuse(error.to_string()))?;
    regular_file(&metadata).map_err(refuse)?;
    read_capped(file).map_err(refuse)
}

/// Why a file is not one meshc reads, if it is not.
fn regular_file(metadata: &std::fs::Metadata) -> Result<(), String> {
    if !metadata.is_file() {
        return Err(format!(
            "it is {}, not a regular file",
            file_kind(metadata.file_type())
        ));
    }
    if metadata.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "it has {} bytes, more than the {MAX_INPUT_BYTES} (64 MiB) meshc reads",
            metadata.len()
        ));
    }
    Ok(())
}

fn file_kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "neither a file nor a directory"
    }
}

/// Everything `reader` gives, up to `MAX_INPUT_BYTES`.
fn read_capped(reader: impl std::io::Read) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut reader.take(MAX_INPUT_BYTES + 1), &mut bytes)
        .map_err(|error| error.to_string())?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "it has more than the {MAX_INPUT_BYTES} bytes (64 MiB) meshc reads"
        ));
    }
    Ok(bytes)
}

/// How to render diagnostics for a stream that is (or is not) a terminal.
fn human_style(color: Color, terminal: bool) -> HumanStyle {
    let colored = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::env::var_os("NO_COLOR").is_none() && terminal,
    };
    HumanStyle {
        color: colored,
        ..HumanStyle::default()
    }
}

fn failed(diagnostics: &[Diagnostic], deny_warnings: bool) -> bool {
    diagnostics.iter().filter(|d| d.is_active()).any(|d| {
        d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
    })
}

/// Prints the diagnostics of every file in the chosen format.
fn report(results: &[(SourceFile, Vec<Diagnostic>)], args: &ReportArgs) {
    // Written as it is rendered: the report of a large file with many
    // findings is not held in memory whole. A reader that goes away ends
    // the report, as a closed pipe ends any output.
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = match args.format {
        Format::Json => {
            diagnostics::write_json(results, &mut stdout).and_then(|()| writeln!(stdout))
        }
        Format::Sarif => {
            let text = diagnostics::render_sarif(results, check::CODES, env!("CARGO_PKG_VERSION"));
            writeln!(stdout, "{text}")
        }
        Format::Human => {
            let style = human_style(args.color, std::io::stdout().is_terminal());
            write_human_reports(results, style, &mut stdout)
        }
    };
    let _ = stdout.flush();
}

/// Every file's human report and, when it has findings, its summary line.
fn write_human_reports(
    results: &[(SourceFile, Vec<Diagnostic>)],
    style: HumanStyle,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut writer = IoWriter { out, error: None };
    for (file, found) in results {
        let written = diagnostics::write_human(found, file, style, &mut writer).and_then(|()| {
            if found.iter().any(Diagnostic::is_active) {
                writeln!(writer, "{}: {}", file.name, diagnostics::summary(found))
            } else {
                Ok(())
            }
        });
        if written.is_err() {
            return Err(writer
                .error
                .unwrap_or_else(|| std::io::Error::other("formatting failed")));
        }
    }
    Ok(())
}

/// A `fmt::Write` that writes to an `io::Write`, keeping its error.
struct IoWriter<'a> {
    out: &'a mut dyn std::io::Write,
    error: Option<std::io::Error>,
}

impl std::fmt::Write for IoWriter<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.out.write_all(text.as_bytes()).map_err(|error| {
            self.error = Some(error);
            std::fmt::Error
        })
    }
}

fn check_files(files: &[PathBuf], target: crate::Target, args: &ReportArgs) -> ExitCode {
    let mut results = Vec::new();
    for path in files {
        match read_source(path) {
            Ok(input) => {
                // What `build` would report, backends included: a file
                // that checks clean builds.
                let found = input.check(target);
                results.push((input.source, found));
            }
            Err(code) => return code,
        }
    }
    report(&results, args);
    if results
        .iter()
        .any(|(_, found)| failed(found, args.deny_warnings))
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn build(path: &Path, out: &Path, target: crate::Target, args: &ReportArgs) -> ExitCode {
    let input = match read_source(path) {
        Ok(input) => input,
        Err(code) => return code,
    };
    // An update a killed build left behind is completed (or undone) first,
    // whatever becomes of this one.
    match output::recover(out) {
        Ok(None) => {}
        Ok(Some(recovery)) => errln!(
            "note: {} the update of `{}` that an earlier build left unfinished",
            match recovery {
                output::Recovery::Completed => "completed",
                output::Recovery::RolledBack => "undid",
            },
            out.display()
        ),
        Err(error) => return output_error(&error),
    }
    let output = input.compile(target);
    let failed_build = failed(&output.diagnostics, args.deny_warnings);
    report(&[(input.source, output.diagnostics)], args);
    if failed_build {
        errln!(
            "error: {} was not built; `{}` is unchanged",
            path.display(),
            out.display()
        );
        return ExitCode::from(1);
    }
    if output.files.is_empty() {
        return ExitCode::SUCCESS;
    }
    match output::write(out, &output.files, &[path.to_path_buf()]) {
        Ok(update) => {
            if args.format == Format::Human {
                let mut line = format!(
                    "wrote {} of {} files to {}",
                    update.written,
                    output.files.len(),
                    out.display()
                );
                if update.unchanged > 0 {
                    let _ = write!(line, "; {} unchanged", update.unchanged);
                }
                if update.removed > 0 {
                    let _ = write!(line, "; removed {} no longer written", update.removed);
                }
                outln!("{line}");
                if let Some(note) = deploy_note(out, &output.files, output.system_name.as_deref()) {
                    outln!("{note}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(error) => output_error(&error),
    }
}

/// How to deploy a CloudFormation template too large to pass inline.
fn deploy_note(
    out: &Path,
    files: &std::collections::BTreeMap<String, String>,
    system_name: Option<&str>,
) -> Option<String> {
    const TEMPLATE: &str = "cloudformation/template.json";
    let size = files.get(TEMPLATE)?.len();
    if size <= crate::emit::cloudformation::INLINE_BODY_LIMIT {
        return None;
    }
    Some(format!(
        "note: {TEMPLATE} is {size} bytes, more than the {} CloudFormation takes inline; deploy it \
         through an S3 bucket of yours:\n  aws cloudformation deploy --template-file {} \
         --stack-name {} --s3-bucket BUCKET --capabilities CAPABILITY_NAMED_IAM",
        crate::emit::cloudformation::INLINE_BODY_LIMIT,
        out.join(TEMPLATE).display(),
        system_name.unwrap_or("STACK"),
    ))
}

/// Reports why the output directory was not (completely) written.
fn output_error(error: &output::OutputError) -> ExitCode {
    errln!("error: {error}");
    if let Some(help) = error.help() {
        errln!("  help: {help}");
    }
    ExitCode::from(2)
}

/// Formats each file in place, or with `check` reports the ones that would
/// change, with a unified diff. `-` is standard input, formatted to standard
/// output. Syntax errors are reported on standard error.
fn format_files(files: &[PathBuf], check: bool, color: Color) -> ExitCode {
    let mut status = 0u8;
    let mut stdout = std::io::stdout().lock();
    for path in files {
        let from_stdin = path.as_os_str() == "-";
        let read = if from_stdin {
            read_stdin()
        } else {
            read_source(path)
        };
        let Ok(Input { source, not_utf8 }) = read else {
            status = 2;
            continue;
        };
        let formatted = match not_utf8.map_or_else(
            || crate::fmt::format(&source.text),
            |problem| Err(vec![problem]),
        ) {
            Ok(formatted) => formatted,
            Err(found) => {
                let style = human_style(color, std::io::stderr().is_terminal());
                let mut text = diagnostics::render_human(&found, &source, style);
                let _ = writeln!(
                    text,
                    "{}: {}; not formatted",
                    source.name,
                    diagnostics::summary(&found)
                );
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
                status = status.max(1);
                continue;
            }
        };
        if check {
            if formatted != source.text {
                let diff = fmt_diff(&source.text, &formatted);
                let diff = diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&source.name, &source.name)
                    .to_string();
                let _ = write!(stdout, "would reformat {}\n{diff}", source.name);
                status = status.max(1);
            }
        } else if from_stdin {
            let _ = stdout.write_all(formatted.as_bytes());
        } else if formatted != source.text {
            if let Err(error) = replace_file(path, &formatted) {
                errln!("error: cannot write `{}`: {error}", path.display());
                status = 2;
            } else {
                let _ = writeln!(stdout, "formatted {}", source.name);
            }
        }
    }
    ExitCode::from(status)
}

/// The line diff `fmt --check` prints. Myers' algorithm takes time
/// proportional to the lines times the lines that differ, which for a large
/// file written in another layout is quadratic (5 MB took ten minutes): past
/// `EXACT_DIFF_LINES` lines the search stops after a second and the rest
/// of the file is shown as replaced, a diff still correct but coarser.
fn fmt_diff<'a>(old: &'a str, new: &'a str) -> similar::TextDiff<'a, 'a, 'a, str> {
    const EXACT_DIFF_LINES: usize = 20_000;
    let mut config = similar::TextDiff::configure();
    if old.lines().count().max(new.lines().count()) > EXACT_DIFF_LINES {
        config.timeout(std::time::Duration::from_secs(1));
    }
    config.diff_lines(old, new)
}

/// Standard input, read with the same limit as a file.
fn read_stdin() -> Result<Input, ExitCode> {
    match read_capped(std::io::stdin().lock()) {
        Ok(bytes) => Ok(Input::decode("<stdin>".to_string(), bytes)),
        Err(error) => {
            errln!("error: cannot read standard input: {error}");
            Err(ExitCode::from(2))
        }
    }
}

/// Replaces the contents of `path` by writing a sibling file and renaming it
/// over the original, so that the file is never half-written. A symbolic
/// link is followed: its target is replaced.
fn replace_file(path: &Path, contents: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let directory = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map_or_else(|| "file".into(), |name| name.to_string_lossy().into_owned());
    let staging = directory.join(format!(".{name}.meshc-fmt-{}", std::process::id()));
    let written = std::fs::write(&staging, contents).and_then(|()| {
        let permissions = std::fs::metadata(&target)?.permissions();
        std::fs::set_permissions(&staging, permissions)?;
        std::fs::rename(&staging, &target)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&staging);
    }
    written
}

fn simulate(path: &Path, saga: &str, fail: Option<&str>) -> ExitCode {
    let input = match read_source(path) {
        Ok(input) => input,
        Err(code) => return code,
    };
    let analysis = input.analyze();
    let source = input.source;
    let args = ReportArgs {
        format: Format::Human,
        color: Color::Auto,
        deny_warnings: false,
    };
    let resolved = analysis.system.as_ref().zip(analysis.graph.as_ref());
    let Some((system, graph)) = resolved.filter(|_| !analysis.has_errors()) else {
        report(&[(source, analysis.diagnostics)], &args);
        errln!(
            "error: {} has errors; fix them to simulate its sagas",
            path.display()
        );
        return ExitCode::from(1);
    };
    match crate::simulate::simulate(system, graph, saga, fail) {
        Ok(simulation) => {
            out!("{}", simulation.render());
            ExitCode::SUCCESS
        }
        Err(error) => {
            errln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn graph(path: &Path, format: DiagramFormat, all: bool) -> ExitCode {
    let input = match read_source(path) {
        Ok(input) => input,
        Err(code) => return code,
    };
    let analysis = input.analyze();
    let source = input.source;
    let (Some(system), Some(graph), false) = (
        analysis.system.as_ref(),
        analysis.graph.as_ref(),
        analysis.has_errors(),
    ) else {
        let args = ReportArgs {
            format: Format::Human,
            color: Color::Auto,
            deny_warnings: false,
        };
        report(&[(source, analysis.diagnostics)], &args);
        errln!("error: {} has errors; fix them to draw it", path.display());
        return ExitCode::from(1);
    };
    let detail = if all {
        crate::emit::picture::Detail::Everything
    } else {
        crate::emit::picture::Detail::Components
    };
    let text = match format {
        DiagramFormat::Mermaid => crate::emit::picture::mermaid(system, graph, detail),
        DiagramFormat::Dot => crate::emit::picture::dot(system, graph, detail),
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            errln!("error: cannot write the diagram: {error}");
            ExitCode::from(2)
        }
    }
}

/// The catalog: the embedded one, with the rows of `prices` replacing its
/// own.
fn catalog(prices: Option<&Path>) -> Result<crate::cost::Catalog, ExitCode> {
    let embedded = crate::cost::Catalog::embedded().map_err(|error| {
        errln!("error: the embedded price catalog is invalid: {error}");
        ExitCode::from(2)
    })?;
    let Some(path) = prices else {
        return Ok(embedded.clone());
    };
    let text = String::from_utf8(read_file(path)?).map_err(|_| {
        errln!(
            "error: cannot read `{}`: stream did not contain valid UTF-8",
            path.display()
        );
        ExitCode::from(2)
    })?;
    embedded
        .with_overrides(&text, &path.display().to_string())
        .map_err(|error| {
            errln!("error: {error}");
            ExitCode::from(2)
        })
}

/// The estimate of one file, or the exit status after reporting why there
/// is none.
fn estimate_file(
    path: &Path,
    catalog: &crate::cost::Catalog,
    hours: u64,
) -> Result<crate::cost::Estimate, ExitCode> {
    let input = read_source(path)?;
    let analysis = input.analyze();
    let source = input.source;
    let (Some(system), Some(graph)) = (analysis.system.as_ref(), analysis.graph.as_ref()) else {
        let args = ReportArgs {
            format: Format::Human,
            color: Color::Auto,
            deny_warnings: false,
        };
        report(&[(source, analysis.diagnostics)], &args);
        errln!(
            "error: {} has errors; fix them to estimate its cost",
            path.display()
        );
        return Err(ExitCode::from(1));
    };
    crate::cost::estimate(system, graph, catalog, hours).map_err(|error| {
        errln!("error: {}: {error}", path.display());
        ExitCode::from(2)
    })
}

fn cost(
    path: &Path,
    format: CostFormat,
    compare: Option<&Path>,
    prices: Option<&Path>,
    hours: u64,
) -> ExitCode {
    let catalog = match catalog(prices) {
        Ok(catalog) => catalog,
        Err(code) => return code,
    };
    let estimate = match estimate_file(path, &catalog, hours) {
        Ok(estimate) => estimate,
        Err(code) => return code,
    };
    let text = match compare {
        None => match format {
            CostFormat::Table => crate::cost::render::table(&estimate),
            CostFormat::Json => crate::cost::render::json(&estimate) + "\n",
        },
        Some(old) => {
            let before = match estimate_file(old, &catalog, hours) {
                Ok(before) => before,
                Err(code) => return code,
            };
            match format {
                CostFormat::Table => crate::cost::render::comparison_markdown(&before, &estimate),
                CostFormat::Json => crate::cost::render::comparison_json(&before, &estimate) + "\n",
            }
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn explain(code: Option<&str>) -> ExitCode {
    let Some(query) = code else {
        let mut text = String::from("Diagnostic codes (run `meshc explain CODE` for one):\n\n");
        for code in check::CODES {
            let _ = writeln!(
                text,
                "  {}  {:<7}  {:<28} {}",
                code.code,
                code.severity.as_str(),
                code.slug,
                code.summary()
            );
        }
        out!("{text}");
        return ExitCode::SUCCESS;
    };
    if let Some(code) = check::lookup(query) {
        outln!("{} {} ({})\n", code.code, code.slug, code.severity.as_str());
        out!("{}", check::explanation(code));
        ExitCode::SUCCESS
    } else {
        let candidates = check::CODES.iter().flat_map(|code| [code.code, code.slug]);
        match crate::suggest::closest(query, candidates) {
            Some(candidate) => {
                errln!("error: no diagnostic code `{query}`; did you mean `{candidate}`?");
            }
            None => {
                errln!("error: no diagnostic code `{query}`; run `meshc explain` to list them");
            }
        }
        ExitCode::from(2)
    }
}
