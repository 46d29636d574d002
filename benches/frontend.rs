//! Benchmark of meshc on generated systems of growing size: the analysis
//! (parse, resolve, graph, checks) and the whole build (the analysis and
//! every emitted file), and the shop example. Prints tables; run with
//! `cargo bench --bench frontend`.
//!
//! Each system has, per service, an event, a queue with a dead-letter queue,
//! a table and the relations between them, so that the sizes grow the way
//! real systems do. From a hundred services on they go over AWS's default
//! quotas (one account, one bus), which the input says it allows. Timings are the median of several runs: these machines
//! are shared, so read the ratios between rows rather than the absolute
//! numbers.

#![allow(clippy::print_stdout)] // A benchmark prints its table.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// A system of `services` services, about 26 lines each.
fn generate(services: usize) -> String {
    let mut text = String::new();
    // From a hundred services on, one account and one bus are not enough:
    // over a thousand roles, an endpoint's security group with a rule per
    // service, a bus with a rule per service (M241, M246, M247, M249). The
    // benchmark measures meshc, and nothing it generates is deployed.
    let allow = |codes: &str| {
        if services >= 100 {
            format!("// meshc:allow({codes}) reason: \"a benchmark input, never deployed\"\n")
        } else {
            String::new()
        }
    };
    let _ = writeln!(
        text,
        "/// A generated system of {services} services.\n{}system generated {{\n  region = \"us-east-1\"\n  budget = $100000\n}}\n",
        allow("M249")
    );
    let _ = writeln!(
        text,
        "{}network main {{\n  cidr  = 10.0.0.0/16\n  zones = 3\n  nat   = single\n  subnet edge {{ tier = public }}\n  subnet app  {{ tier = private }}\n  subnet data {{ tier = isolated }}\n}}\n\n{}bus events {{ archive = 7d }}\n",
        allow("M241, M247"),
        allow("M246, M249")
    );
    for index in 0..services {
        let previous = index.checked_sub(1);
        let _ = writeln!(
            text,
            "/// Something happened in service {index}.\nevent Happened{index} {{\n  bus    = events\n  source = svc-{index}\n  schema {{ id: string  status: \"new\" | \"done\"  total: number }}\n}}\n"
        );
        let _ = writeln!(
            text,
            "queue inbox-{index} {{\n  visibility = 3m\n  dlq {{ max_receives = 3 }}\n}}\n\ntable store-{index} {{ partition_key = id: string }}\n"
        );
        let compute = if index % 2 == 0 {
            "fargate { cpu = 0.5  memory = 1GB }".to_string()
        } else {
            "lambda { runtime = \"python3.13\"  memory = 256MB  timeout = 20s }".to_string()
        };
        let _ = writeln!(
            text,
            "service svc-{index} {{\n  compute = {compute}\n  subnet  = app\n  port    = 8080"
        );
        let _ = writeln!(
            text,
            "  uses store-{index} (read_write)\n  publishes Happened{index}"
        );
        if let Some(previous) = previous {
            let _ = writeln!(
                text,
                "  calls svc-{previous} {{ timeout = 2s  retries = 1 }}\n  consumes Happened{previous} where status = \"done\" via inbox-{index}"
            );
        } else {
            let _ = writeln!(text, "  consumes inbox-{index}");
        }
        text.push_str("  usage { requests = 1M }\n}\n\n");
    }
    text
}

/// "100→1000 services: ×10.0 size, ×9.8 time" between two rows of a table.
fn ratio(
    previous: Option<(usize, Duration)>,
    (services, elapsed): (usize, Duration),
) -> Option<String> {
    let (previous_services, previous_time) = previous?;
    Some(format!(
        "{previous_services}→{services} services: ×{:.1} size, ×{:.1} time",
        services as f64 / previous_services as f64,
        elapsed.as_secs_f64() / previous_time.as_secs_f64()
    ))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn time_analysis(source: &str) -> Duration {
    let runs = if source.len() > 2_000_000 { 3 } else { 7 };
    let samples = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let analysis = meshc::analyze(std::hint::black_box(source));
            let elapsed = start.elapsed();
            assert!(
                !analysis.has_errors(),
                "the generated system has errors: {:?}",
                analysis.diagnostics.first()
            );
            elapsed
        })
        .collect();
    median(samples)
}

fn time_build(source: &str, target: meshc::Target, runs: usize) -> (Duration, usize) {
    let file = meshc::diagnostics::SourceFile {
        name: "generated.mesh".to_string(),
        text: source.to_string(),
    };
    let mut bytes = 0;
    let samples = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let output = meshc::compile(std::hint::black_box(&file), &meshc::Options { target });
            let elapsed = start.elapsed();
            assert!(
                !output.files.is_empty(),
                "the generated system did not build"
            );
            bytes = output.files.values().map(String::len).sum();
            elapsed
        })
        .collect();
    (median(samples), bytes)
}

fn builds() {
    // Generated systems of hundreds of services are over a CloudFormation
    // stack's 500 resources (meshc refuses them with M230), so the scaling
    // is measured on the Terraform and Step Functions output; the shop is
    // built for every target.
    println!(
        "\nmeshc build --target terraform: analysis and every emitted file, median of several runs\n"
    );
    println!("| services | time | emitted MiB | time per service |");
    println!("|---:|---:|---:|---:|");
    let mut previous: Option<(usize, Duration)> = None;
    let mut ratios = Vec::new();
    for services in [10, 100, 1000, 5000] {
        let source = generate(services);
        let runs = if services >= 1000 { 3 } else { 7 };
        let (elapsed, bytes) = time_build(&source, meshc::Target::Terraform, runs);
        println!(
            "| {services} | {:.2} ms | {:.1} | {:.1} µs |",
            elapsed.as_secs_f64() * 1000.0,
            bytes as f64 / (1024.0 * 1024.0),
            elapsed.as_secs_f64() * 1e6 / services as f64,
        );
        ratios.extend(ratio(previous, (services, elapsed)));
        previous = Some((services, elapsed));
    }
    println!("\nScaling: {}", ratios.join("; "));
    let shop = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/shop.mesh"))
        .unwrap_or_default();
    let (elapsed, bytes) = time_build(&shop, meshc::Target::All, 11);
    println!(
        "\nexamples/shop.mesh: built in {:.2} ms ({} KiB emitted)",
        elapsed.as_secs_f64() * 1000.0,
        bytes / 1024
    );
}

/// The human report of `meshc check`: every generated service after the
/// first calls the one before with too short a timeout (M217), so the report
/// has one warning per service, spread over the whole file.
fn reports() {
    println!("\nmeshc check's human report: rendering every warning, median of several runs\n");
    println!("| services | warnings | time | time per warning |");
    println!("|---:|---:|---:|---:|");
    let mut previous: Option<(usize, Duration)> = None;
    let mut ratios = Vec::new();
    for services in [100, 1000, 5000] {
        let file = meshc::diagnostics::SourceFile {
            name: "generated.mesh".to_string(),
            text: generate(services),
        };
        let analysis = meshc::analyze(&file.text);
        let warnings = analysis.diagnostics.len();
        let samples = (0..5)
            .map(|_| {
                let start = Instant::now();
                let report = meshc::diagnostics::render_human(
                    std::hint::black_box(&analysis.diagnostics),
                    &file,
                    meshc::diagnostics::HumanStyle::default(),
                );
                let elapsed = start.elapsed();
                assert!(report.contains("M217"), "the report lost its warnings");
                elapsed
            })
            .collect();
        let elapsed = median(samples);
        println!(
            "| {services} | {warnings} | {:.2} ms | {:.1} µs |",
            elapsed.as_secs_f64() * 1000.0,
            elapsed.as_secs_f64() * 1e6 / warnings.max(1) as f64,
        );
        ratios.extend(ratio(previous, (services, elapsed)));
        previous = Some((services, elapsed));
    }
    println!("\nScaling: {}", ratios.join("; "));
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument selects nothing here.
    println!("meshc front end: parse + resolve + check, median of several runs\n");
    println!("| services | lines | KiB | time | lines/s | time per service |");
    println!("|---:|---:|---:|---:|---:|---:|");
    let mut previous: Option<(usize, Duration)> = None;
    let mut ratios = Vec::new();
    for services in [10, 100, 385, 1000, 5000] {
        let source = generate(services);
        let lines = source.lines().count();
        let elapsed = time_analysis(&source);
        let per_second = lines as f64 / elapsed.as_secs_f64();
        println!(
            "| {services} | {lines} | {} | {:.2} ms | {:.0} | {:.1} µs |",
            source.len() / 1024,
            elapsed.as_secs_f64() * 1000.0,
            per_second,
            elapsed.as_secs_f64() * 1e6 / services as f64,
        );
        ratios.extend(ratio(previous, (services, elapsed)));
        previous = Some((services, elapsed));
    }
    println!("\nScaling: {}", ratios.join("; "));
    reports();
    builds();
}
