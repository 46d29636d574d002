//! Benchmark of meshc on generated systems of growing size: the analysis
//! (parse, resolve, graph, checks) and the whole build (the analysis and
//! every emitted file), the shop example, `meshc check`'s time and peak
//! memory from 1 MB to 50 MB, and the inputs that used to hang. Prints
//! tables; run with `cargo bench --bench frontend`, or name the tables:
//! `cargo bench --bench frontend -- memory hostile`.
//!
//! Each system has, per service, an event, a queue with a dead-letter queue,
//! a table and the relations between them, so that the sizes grow the way
//! real systems do. From a hundred services on they go over AWS's default
//! quotas (one account, one bus), which the input says it allows. Timings are the median of several runs: these machines
//! are shared, so read the ratios between rows rather than the absolute
//! numbers.

#![allow(clippy::print_stdout)] // A benchmark prints its table.

#[path = "../tests/common/generated.rs"]
mod generated;
use generated::{
    choreographed_saga, generate, long_unknown_name, queues_in_another_layout,
    unclosed_block_comments, unknown_calls,
};

use std::time::{Duration, Instant};

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

/// This process's CPU time so far.
fn cpu_time() -> Duration {
    usage(nix::sys::resource::UsageWho::RUSAGE_SELF).0
}

/// The median CPU time of `runs` runs of `work`.
fn median_cpu(runs: usize, mut work: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = cpu_time();
                work();
                cpu_time().saturating_sub(start)
            })
            .collect(),
    )
}

/// The Terraform backend alone, from an analysed system to its files,
/// against a floor measured in the same run: writing the same bytes from
/// pre-rendered strings (each file's blocks, as separate strings, copied
/// into a new file of the same name).
fn emission() {
    println!(
        "
Terraform emission (meshc::emit::emit, --target terraform) against the floor of writing the same bytes from pre-rendered blocks: CPU time, median of several runs\n"
    );
    println!("| services | emitted MiB | blocks | emission | floor | emission / floor |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for services in [500, 1000, 5000] {
        let analysis = meshc::analyze(&generate(services));
        let (Some(system), Some(graph)) = (&analysis.system, &analysis.graph) else {
            println!("| {services} | the generated system did not analyse | | | | |");
            continue;
        };
        let target = meshc::Target::Terraform;
        let Ok(files) = meshc::emit::emit(system, graph, target) else {
            println!("| {services} | the generated system did not emit | | | | |");
            continue;
        };
        let runs = if services >= 5000 { 3 } else { 7 };
        let emission = median_cpu(runs, || {
            std::hint::black_box(meshc::emit::emit(
                std::hint::black_box(system),
                graph,
                target,
            ))
            .ok();
        });
        let pieces: Vec<(&String, Vec<&str>)> = files
            .iter()
            .map(|(name, text)| (name, text.split_inclusive("\n\n").collect()))
            .collect();
        let floor = median_cpu(runs, || {
            let mut written = std::collections::BTreeMap::new();
            for (name, blocks) in std::hint::black_box(&pieces) {
                let mut text = String::new();
                for block in blocks {
                    text.push_str(block);
                }
                written.insert((*name).clone(), text);
            }
            std::hint::black_box(written);
        });
        let bytes: usize = files.values().map(String::len).sum();
        let blocks: usize = pieces.iter().map(|(_, blocks)| blocks.len()).sum();
        println!(
            "| {services} | {:.1} | {blocks} | {:.1} ms | {:.1} ms | {:.1} |",
            bytes as f64 / (1024.0 * 1024.0),
            emission.as_secs_f64() * 1000.0,
            floor.as_secs_f64() * 1000.0,
            emission.as_secs_f64() / floor.as_secs_f64().max(1e-9),
        );
    }
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

/// The environment variable that makes this benchmark a measuring
/// intermediate: it runs the meshc binary once with its own arguments and
/// prints the CPU time and peak memory of that one child.
const MEASURE: &str = "MESHC_BENCH_MEASURE";

/// The children's CPU time and largest peak memory, as the kernel accounts
/// them for the processes this one waited for.
fn children() -> (Duration, u64) {
    usage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
}

/// The CPU time (user and system) and peak memory the kernel accounts to
/// `who`.
fn usage(who: nix::sys::resource::UsageWho) -> (Duration, u64) {
    let Ok(usage) = nix::sys::resource::getrusage(who) else {
        return (Duration::ZERO, 0);
    };
    let seconds = |time: nix::sys::time::TimeVal| {
        Duration::from_micros(
            u64::try_from(time.tv_sec()).unwrap_or(0) * 1_000_000
                + u64::try_from(time.tv_usec()).unwrap_or(0),
        )
    };
    (
        seconds(usage.user_time()) + seconds(usage.system_time()),
        // Linux reports kilobytes.
        u64::try_from(usage.max_rss()).unwrap_or(0) * 1024,
    )
}

/// As the measuring intermediate: runs meshc with `arguments` once and
/// prints "CPU-microseconds peak-bytes". This process is freshly executed
/// and small, and meshc is its only child, so the kernel's peak is meshc's
/// own. (A child counts the peak of the process that spawned it as its
/// own, up to its exec: spawned from the benchmark, which holds the
/// generated systems and the builds of the earlier tables, every row read
/// the benchmark's peak, about 1.1 GiB from 1 MB to 10 MB.)
fn measure(arguments: Vec<std::ffi::OsString>) {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(arguments)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    assert!(status.is_ok(), "meshc did not run");
    let (cpu, peak) = children();
    println!("{} {peak}", cpu.as_micros());
}

/// Runs the meshc binary on `source` through a measuring intermediate and
/// returns its wall time, CPU time and peak memory.
fn run_meshc(dir: &std::path::Path, source: &str, args: &[&str]) -> (Duration, Duration, u64) {
    let input = dir.join("input.mesh");
    let _ = std::fs::write(&input, source);
    let Ok(this) = std::env::current_exe() else {
        return (Duration::ZERO, Duration::ZERO, 0);
    };
    let start = Instant::now();
    let output = std::process::Command::new(this)
        .env(MEASURE, "1")
        .args(args)
        .arg(&input)
        .stderr(std::process::Stdio::inherit())
        .output();
    let wall = start.elapsed();
    let text = output
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    let mut fields = text.split_whitespace().map(str::parse::<u64>);
    let measured = (fields.next(), fields.next());
    assert!(
        matches!(measured, (Some(Ok(_)), Some(Ok(_)))),
        "the measuring intermediate printed {text:?}"
    );
    let (Some(Ok(cpu)), Some(Ok(peak))) = measured else {
        return (wall, Duration::ZERO, 0);
    };
    (wall, Duration::from_micros(cpu), peak)
}

/// `meshc check` as a user runs it, on generated systems from 1 MB to
/// 50 MB: wall and CPU time, and peak memory against the budget of 50
/// times the input plus 64 MiB.
fn memory() {
    println!(
        "\nmeshc check --format json as a process: one run each, peak resident memory from the kernel\n"
    );
    println!(
        "| input MB | services | wall | CPU | CPU per MB | peak MiB | peak / input | budget MiB |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    let dir = std::env::temp_dir().join(format!("meshc-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    // About 600 bytes a service.
    let mut previous: Option<(f64, Duration)> = None;
    let mut ratios = Vec::new();
    for megabytes in [1usize, 2, 5, 10, 20, 50] {
        let services = megabytes * 1_000_000 / 598;
        let source = generate(services);
        let size = source.len() as f64 / 1e6;
        let (wall, cpu, peak) = run_meshc(&dir, &source, &["check", "--format", "json"]);
        let mib = |bytes: f64| bytes / (1024.0 * 1024.0);
        let budget = 50.0 * source.len() as f64 + 64.0 * 1024.0 * 1024.0;
        println!(
            "| {size:.1} | {services} | {:.2} s | {:.2} s | {:.2} s | {:.0} | {:.1}× | {:.0} |",
            wall.as_secs_f64(),
            cpu.as_secs_f64(),
            cpu.as_secs_f64() / size,
            mib(peak as f64),
            peak as f64 / source.len() as f64,
            mib(budget),
        );
        if let Some((previous_size, previous_cpu)) = previous {
            ratios.push(format!(
                "{previous_size:.0}→{size:.0} MB: ×{:.1} size, ×{:.1} CPU",
                size / previous_size,
                cpu.as_secs_f64() / previous_cpu.as_secs_f64()
            ));
        }
        previous = Some((size, cpu));
    }
    println!("\nScaling: {}", ratios.join("; "));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The inputs that used to hang, at the sizes they were reported at: the
/// time of one run of the meshc binary each.
fn hostile() {
    println!("\nInputs that used to hang: one run of the meshc binary each (goal: under 1 s)\n");
    println!("| input | KiB | command | wall | CPU |");
    println!("|---|---:|---|---:|---:|");
    let dir = std::env::temp_dir().join(format!("meshc-bench-hostile-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let cases: [(&str, String, &[&str]); 5] = [
        (
            "a choreographed saga of 1,000 steps",
            choreographed_saga(1_000),
            &["check", "--target", "terraform"],
        ),
        (
            "10,000 calls to unknown services",
            unknown_calls(10_000),
            &["check"],
        ),
        (
            "a 20,000-character unknown name",
            long_unknown_name(20_000),
            &["check"],
        ),
        (
            "64 block comments left open",
            unclosed_block_comments(64),
            &["check"],
        ),
        (
            "100,000 queues in another layout",
            queues_in_another_layout(100_000),
            &["fmt", "--check"],
        ),
    ];
    for (name, source, args) in cases {
        let (wall, cpu, _) = run_meshc(&dir, &source, args);
        println!(
            "| {name} | {} | meshc {} | {:.2} s | {:.2} s |",
            source.len() / 1024,
            args.join(" "),
            wall.as_secs_f64(),
            cpu.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The parse + resolve + check table.
fn analysis() {
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
}

/// The instruction counts the regression gate holds, one `case count` per
/// line, measured on this benchmark's meshc binary.
const BASELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/instructions.txt");

/// How much a count may grow over its baseline before the gate fails.
const GROWTH: f64 = 1.10;

/// The instructions meshc executes with `args`, counted by valgrind's
/// callgrind, which counts a repeated run exactly, unlike a clock; or why
/// they could not be counted.
fn instructions(args: &[&str]) -> Result<u64, String> {
    let output = std::process::Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .output()
        .map_err(|error| format!("valgrind does not run ({error}): apt-get install valgrind"))?;
    let report = String::from_utf8_lossy(&output.stderr);
    report
        .lines()
        .find_map(|line| {
            let (_, count) = line.split_once("Collected : ")?;
            count.trim().parse().ok()
        })
        .ok_or_else(|| format!("callgrind counted nothing:\n{report}"))
}

/// The regression gate: the instructions of building the shop and of
/// checking 200 generated services, against `benches/instructions.txt`.
/// Exits with 1 when one grew by more than 10 %; with
/// `MESHC_INSTRUCTIONS_UPDATE=1` writes the counts as the new baseline.
/// Only run when named: `cargo bench --bench frontend -- instructions`.
fn instructions_gate() {
    let dir = std::env::temp_dir().join(format!("meshc-bench-gate-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let generated = dir.join("generated.mesh");
    assert!(
        std::fs::write(&generated, generate(200)).is_ok(),
        "the generated system is not written"
    );
    let shop = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/shop.mesh");
    let out = dir.join("out");
    let out = out.to_string_lossy();
    let generated = generated.to_string_lossy();
    let cases: [(&str, Vec<&str>); 3] = [
        ("build-shop", vec!["build", shop, "--out", &out]),
        ("rebuild-shop", vec!["build", shop, "--out", &out]),
        (
            "check-200-services",
            vec!["check", "--format", "json", &generated],
        ),
    ];
    let baseline: std::collections::BTreeMap<String, u64> = std::fs::read_to_string(BASELINE)
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (case, count) = line.split_once(' ')?;
            Some((case.to_string(), count.trim().parse().ok()?))
        })
        .collect();
    println!(
        "\nInstructions executed, counted by callgrind (gate: at most {GROWTH:.2}× the baseline in benches/instructions.txt)\n"
    );
    println!("| case | instructions | baseline | ratio | |");
    println!("|---|---:|---:|---:|---|");
    let mut counted = Vec::new();
    let mut failed = false;
    for (case, args) in &cases {
        let count = match instructions(args) {
            Ok(count) => count,
            Err(why) => {
                println!("| {case} | | | | {why} |");
                failed = true;
                continue;
            }
        };
        counted.push(format!("{case} {count}"));
        let Some(&base) = baseline.get(*case) else {
            println!("| {case} | {count} | none | | no baseline |");
            failed = true;
            continue;
        };
        let ratio = count as f64 / base as f64;
        let verdict = if ratio > GROWTH {
            failed = true;
            "grew: fails the gate"
        } else if ratio < 1.0 / GROWTH {
            "shrank: lower the baseline"
        } else {
            "ok"
        };
        println!("| {case} | {count} | {base} | {ratio:.3} | {verdict} |");
    }
    failed |= !linear_growth(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    if std::env::var_os("MESHC_INSTRUCTIONS_UPDATE").is_some() {
        let text = format!(
            "# Instructions meshc executes per case, counted by callgrind on the\n# benchmark's binary: `MESHC_INSTRUCTIONS_UPDATE=1 cargo bench --bench\n# frontend -- instructions` rewrites them.\n{}\n",
            counted.join("\n")
        );
        assert!(
            std::fs::write(BASELINE, text).is_ok(),
            "the baseline is not written"
        );
        println!("\nbaseline written to benches/instructions.txt");
    } else if failed {
        println!("\nthe instruction gate failed: see the rows above");
        std::process::exit(1);
    }
}

/// How much the instructions of a hostile input may grow when it doubles.
const DOUBLED: f64 = 2.5;

/// The inputs that used to hang or grow faster than their size
/// (tests/huge.rs checks what meshc reports on each): the instructions at
/// a size and at twice the size, which must grow at most [`DOUBLED`]
/// times. Counted rather than timed, so that a busy machine cannot fail
/// it. Returns whether every case grew linearly.
fn linear_growth(dir: &std::path::Path) -> bool {
    type Make = fn(usize) -> String;
    let check: &[&str] = &["check", "--format", "json"];
    let cases: [(&str, usize, Make, Vec<&str>); 5] = [
        (
            "choreographed saga, steps",
            1_000,
            choreographed_saga,
            vec!["check", "--target", "terraform", "--format", "json"],
        ),
        (
            "calls to unknown services",
            5_000,
            unknown_calls,
            check.to_vec(),
        ),
        (
            "characters of an unknown name",
            10_000,
            long_unknown_name,
            check.to_vec(),
        ),
        // Comments nest at most 64 deep.
        (
            "unclosed block comments",
            26,
            unclosed_block_comments,
            check.to_vec(),
        ),
        (
            "queues, fmt --check in another layout",
            30_000,
            queues_in_another_layout,
            vec!["fmt", "--check"],
        ),
    ];
    println!(
        "\nInstructions at a size and at twice the size, counted by callgrind (gate: at most {DOUBLED:.1}× when the input doubles)\n"
    );
    println!("| input | size | instructions | at twice the size | ratio | |");
    println!("|---|---:|---:|---:|---:|---|");
    let mut linear = true;
    for (case, size, make, args) in cases {
        let mut counts = Vec::new();
        for n in [size, 2 * size] {
            let input = dir.join(format!("growth-{n}.mesh"));
            if std::fs::write(&input, make(n)).is_err() {
                println!("| {case} | {n} | | | | the input is not written |");
                linear = false;
                break;
            }
            let mut arguments = args.clone();
            let input = input.to_string_lossy();
            arguments.push(&input);
            match instructions(&arguments) {
                Ok(count) => counts.push(count),
                Err(why) => {
                    println!("| {case} | {n} | | | | {why} |");
                    linear = false;
                    break;
                }
            }
        }
        let [small, large] = counts[..] else {
            continue;
        };
        let ratio = large as f64 / small as f64;
        let verdict = if ratio > DOUBLED {
            linear = false;
            "more than linear: fails the gate"
        } else {
            "ok"
        };
        println!("| {case} | {size} | {small} | {large} | {ratio:.2} | {verdict} |");
    }
    linear
}

/// Every table, or those named: `cargo bench --bench frontend -- memory
/// hostile` (analysis, reports, builds, emission, memory, hostile; `instructions`,
/// the regression gate, only when named).
fn main() {
    if std::env::var_os(MEASURE).is_some() {
        measure(std::env::args_os().skip(1).collect());
        return;
    }
    // `cargo bench` passes `--bench`.
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|argument| !argument.starts_with("--"))
        .collect();
    let tables: [(&str, fn()); 6] = [
        ("analysis", analysis),
        ("reports", reports),
        ("builds", builds),
        ("emission", emission),
        ("memory", memory),
        ("hostile", hostile),
    ];
    for (name, table) in tables {
        if named.is_empty() || named.iter().any(|wanted| wanted == name) {
            table();
        }
    }
    // The gate runs only when named: `.ci/run` runs it as its own step.
    if named.iter().any(|wanted| wanted == "instructions") {
        instructions_gate();
    }
}
