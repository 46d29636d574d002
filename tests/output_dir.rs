//! The output directory is shared with its user: `meshc build` replaces
//! exactly the files it wrote, removes only those it no longer writes,
//! never touches anything else (Terraform state, lock files, `.terraform/`,
//! the user's own `.tf`, the input), changes nothing when a build fails
//! (bad input, `-o` naming a file, a read-only mount, a full disk), and
//! after a kill at any moment the next run leaves the old or the new output
//! whole. Run through the binary, as a user runs it; the read-only mount
//! and the full disk are made in a private mount namespace with
//! `unshare --map-root-user --mount` (as root, or as a user where the
//! kernel allows user namespaces): a read-only mount, unlike `chmod`, holds
//! for root too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn meshc_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("meshc runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scratch(name: &str) -> common::Scratch {
    common::scratch_dir("output", name)
}

fn shop() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop.mesh"))
        .unwrap()
}

/// Removes the declaration that starts with `head` (and the doc comment
/// above it) from a formatted source: up to the `}` in the first column.
fn without(source: &str, head: &str) -> String {
    let lines: Vec<&str> = source.lines().collect();
    let start = lines
        .iter()
        .position(|line| line.starts_with(head))
        .unwrap_or_else(|| panic!("no `{head}`"));
    let end = start + lines[start..].iter().position(|line| *line == "}").unwrap();
    let mut first = start;
    while first > 0 && lines[first - 1].starts_with("///") {
        first -= 1;
    }
    let mut kept: Vec<&str> = lines[..first].to_vec();
    kept.extend(&lines[end + 1..]);
    kept.join("\n") + "\n"
}

/// The shop without its saga and its notification service (and that
/// service's queue): one Step Functions file fewer, and fewer resources in
/// every Terraform file.
fn smaller_shop() -> String {
    let source = without(&shop(), "saga checkout {");
    let source = without(&source, "service notification {");
    without(&source, "queue notifications {")
}

/// What a directory holds: every file with its bytes, every directory, every
/// symbolic link with its target.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Entry {
    File(Vec<u8>),
    Directory,
    Link(PathBuf),
}

fn tree(root: &Path) -> BTreeMap<String, Entry> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<String, Entry>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                found.insert(relative, Entry::Link(std::fs::read_link(&path).unwrap()));
            } else if kind.is_dir() {
                found.insert(relative, Entry::Directory);
                walk(root, &path, found);
            } else {
                found.insert(relative, Entry::File(std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut found = BTreeMap::new();
    if root.exists() {
        walk(root, root, &mut found);
    }
    found
}

/// The paths where two trees differ, for a readable failure.
fn differences(found: &BTreeMap<String, Entry>, expected: &BTreeMap<String, Entry>) -> Vec<String> {
    let mut paths: Vec<String> = found
        .keys()
        .chain(expected.keys())
        .filter(|path| found.get(*path) != expected.get(*path))
        .cloned()
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

#[track_caller]
fn assert_same_tree(
    found: &BTreeMap<String, Entry>,
    expected: &BTreeMap<String, Entry>,
    what: &str,
) {
    let differences = differences(found, expected);
    assert!(differences.is_empty(), "{what}: differs at {differences:?}");
}

/// Copies a directory tree (files, directories and links).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (relative, entry) in tree(from) {
        let target = to.join(&relative);
        match entry {
            Entry::Directory => std::fs::create_dir_all(&target).unwrap(),
            Entry::File(bytes) => std::fs::write(&target, bytes).unwrap(),
            Entry::Link(link) => std::os::unix::fs::symlink(link, &target).unwrap(),
        }
    }
}

/// The files a Terraform user keeps beside the configuration: state, its
/// backup, the provider cache, the lock file, a backend and a file of
/// their own that refers to what meshc emits.
const USER_FILES: [(&str, &[u8]); 6] = [
    (
        "terraform/terraform.tfstate",
        b"{\n  \"version\": 4,\n  \"serial\": 7,\n  \"lineage\": \"3f1c\"\n}\n",
    ),
    (
        "terraform/terraform.tfstate.backup",
        b"{\n  \"version\": 4,\n  \"serial\": 6\n}\n",
    ),
    (
        "terraform/.terraform/providers/registry.terraform.io/hashicorp/aws/6.25.0/linux_amd64/terraform-provider-aws_v6.25.0_x5",
        b"\x7fELF\x02\x01\x01\x00provider binary",
    ),
    (
        "terraform/.terraform.lock.hcl",
        b"provider \"registry.terraform.io/hashicorp/aws\" {\n  version = \"6.25.0\"\n}\n",
    ),
    (
        "terraform/backend.tf",
        b"terraform {\n  backend \"local\" {\n    path = \"terraform.tfstate\"\n  }\n}\n",
    ),
    (
        "terraform/extra.tf",
        b"# The team's own addition: an alarm on the order table's throttles.\nlocals {\n  alarm_prefix = \"${var.name_prefix}-team\"\n}\n",
    ),
];

fn add_user_files(out: &Path) {
    for (relative, bytes) in USER_FILES {
        let path = out.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn assert_user_files(out: &Path) {
    for (relative, bytes) in USER_FILES {
        assert_eq!(
            std::fs::read(out.join(relative)).unwrap_or_default(),
            bytes,
            "{relative} changed"
        );
    }
}

fn build(dir: &Path, input: &str, out: &str) -> Output {
    meshc_in(dir, &["build", input, "-o", out])
}

fn assert_built(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
}

/// A project directory with the shop, its smaller version and a file with
/// a syntax error.
fn project(name: &str) -> common::Scratch {
    let dir = scratch(name);
    std::fs::write(dir.join("shop.mesh"), shop()).unwrap();
    std::fs::write(dir.join("small.mesh"), smaller_shop()).unwrap();
    std::fs::write(dir.join("broken.mesh"), "system shop {\n  region = \n").unwrap();
    dir
}

#[test]
fn the_users_files_survive_every_build_and_files_no_longer_written_go() {
    let dir = project("survive");
    let out = dir.join("out");
    // The user prepared the backend and their own file before the first
    // build, then ran Terraform.
    add_user_files(&out);
    assert_built(&build(&dir, "shop.mesh", "out"));
    assert_user_files(&out);
    assert!(out.join("stepfunctions/checkout.asl.json").is_file());
    let first = tree(&out);

    // The same build again changes nothing at all.
    let again = build(&dir, "shop.mesh", "out");
    assert_built(&again);
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("wrote 0 of 20 files"));
    assert_same_tree(&tree(&out), &first, "a second identical build");

    // Without the saga and a service: their file is gone, with the
    // directory it was alone in; the user's files are byte-identical.
    assert_built(&build(&dir, "small.mesh", "out"));
    assert_user_files(&out);
    assert!(!out.join("stepfunctions").exists());
    let expected = {
        let fresh = dir.join("fresh");
        assert_built(&build(&dir, "small.mesh", "fresh"));
        tree(&fresh)
    };
    let mut found = tree(&out);
    for (relative, _) in USER_FILES {
        found.remove(relative);
    }
    found.retain(|relative, _| !relative.starts_with("terraform/.terraform"));
    assert_same_tree(&found, &expected, "the output is exactly a fresh build's");
    for (relative, entry) in &found {
        if let Entry::File(bytes) = entry {
            assert!(
                !String::from_utf8_lossy(bytes).contains("notification"),
                "{relative} still mentions the removed service"
            );
        }
    }

    // Every .tf file of the directory, the user's included, parses.
    for entry in std::fs::read_dir(out.join("terraform")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|extension| extension == "tf") {
            let text = std::fs::read_to_string(&path).unwrap();
            hcl::parse(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        }
    }
}

#[test]
fn the_manifest_lists_every_file_meshc_wrote_with_its_hash() {
    let dir = project("manifest");
    assert_built(&build(&dir, "shop.mesh", "out"));
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("out/.meshc/manifest.json")).unwrap(),
    )
    .unwrap();
    let files = manifest["files"].as_object().unwrap();
    let written: Vec<String> = tree(&dir.join("out"))
        .into_iter()
        .filter(|(relative, entry)| {
            matches!(entry, Entry::File(_)) && !relative.starts_with(".meshc")
        })
        .map(|(relative, _)| relative)
        .collect();
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), written);
    for (relative, hash) in files {
        let bytes = std::fs::read(dir.join("out").join(relative)).unwrap();
        let digest = Command::new("sha256sum")
            .arg(dir.join("out").join(relative))
            .output()
            .unwrap();
        let digest = String::from_utf8(digest.stdout).unwrap();
        assert_eq!(
            digest.split_whitespace().next().unwrap(),
            hash.as_str().unwrap()
        );
        assert!(!bytes.is_empty());
    }
}

#[test]
fn an_earlier_output_without_a_manifest_is_adopted_once() {
    let dir = project("adopt");
    let out = dir.join("out");
    assert_built(&build(&dir, "shop.mesh", "out"));
    // What an earlier meshc left: the same files, no records, plus the
    // file of a saga since removed, and the user's files.
    std::fs::remove_dir_all(out.join(".meshc")).unwrap();
    std::fs::write(out.join("stepfunctions/refunds.asl.json"), "{}\n").unwrap();
    add_user_files(&out);
    assert_built(&build(&dir, "small.mesh", "out"));
    assert!(!out.join("stepfunctions").exists());
    assert!(out.join(".meshc/manifest.json").is_file());
    assert_user_files(&out);
}

#[test]
fn a_directory_meshc_did_not_write_is_refused_and_the_input_survives() {
    let dir = project("refuse");
    let proj = dir.join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::write(proj.join("shop.mesh"), shop()).unwrap();
    std::fs::write(proj.join("README.md"), "# The shop\n").unwrap();
    let before = tree(&proj);

    let output = build(&dir, "proj/shop.mesh", "proj");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("`proj` holds files meshc did not write (`README.md`, `shop.mesh`)"),
        "{}",
        stderr(&output)
    );
    assert_same_tree(&tree(&proj), &before, "the project");

    let output = meshc_in(&proj, &["build", "shop.mesh", "-o", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_same_tree(&tree(&proj), &before, "the project");

    // A manifest that claims the input: meshc would remove it, and refuses.
    let out = dir.join("out");
    assert_built(&build(&dir, "shop.mesh", "out"));
    std::fs::write(out.join("input.mesh"), shop()).unwrap();
    let manifest_path = out.join(".meshc/manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    let hash = String::from_utf8(
        Command::new("sha256sum")
            .arg(out.join("input.mesh"))
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .split_whitespace()
    .next()
    .unwrap()
    .to_string();
    manifest["files"]["input.mesh"] = hash.into();
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let before = tree(&out);
    let output = build(&dir, "out/input.mesh", "out");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is the input"),
        "{}",
        stderr(&output)
    );
    assert_same_tree(&tree(&out), &before, "the output");
}

#[test]
fn edited_colliding_and_forged_files_are_refused_without_a_change() {
    let dir = project("refusals");
    let out = dir.join("out");
    assert_built(&build(&dir, "small.mesh", "out"));

    // A file meshc wrote, edited by hand.
    let iam = out.join("terraform/iam.tf");
    let mut text = std::fs::read_to_string(&iam).unwrap();
    text.push_str("# a hand edit\n");
    std::fs::write(&iam, &text).unwrap();
    let before = tree(&out);
    let output = build(&dir, "shop.mesh", "out");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`terraform/iam.tf` in `out` changed since meshc wrote it"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("help:"));
    assert_same_tree(&tree(&out), &before, "the output");
    assert_built(&build(&dir, "small.mesh", "fresh"));
    std::fs::copy(dir.join("fresh/terraform/iam.tf"), &iam).unwrap();

    // A file of the user's where meshc now writes one.
    std::fs::create_dir_all(out.join("stepfunctions")).unwrap();
    std::fs::write(
        out.join("stepfunctions/checkout.asl.json"),
        "{ \"mine\": true }\n",
    )
    .unwrap();
    let before = tree(&out);
    let output = build(&dir, "shop.mesh", "out");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("already holds `stepfunctions/checkout.asl.json` that meshc did not write"),
        "{}",
        stderr(&output)
    );
    assert_same_tree(&tree(&out), &before, "the output");
    std::fs::remove_dir_all(out.join("stepfunctions")).unwrap();

    // A manifest that names a file outside the directory.
    let manifest_path = out.join(".meshc/manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest["files"]["../shop.mesh"] = "00".into();
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let before = tree(&dir);
    let output = build(&dir, "shop.mesh", "out");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`../shop.mesh` is not a path inside the output directory"),
        "{}",
        stderr(&output)
    );
    assert_same_tree(&tree(&dir), &before, "the project");
}

/// An output directory with an earlier build of the shop and the user's
/// files, and the tree it holds.
fn earlier_build(dir: &Path) -> (PathBuf, BTreeMap<String, Entry>) {
    let out = dir.join("out");
    assert_built(&build(dir, "shop.mesh", "out"));
    add_user_files(&out);
    let before = tree(&out);
    (out, before)
}

#[test]
fn a_build_with_errors_or_an_output_path_that_is_a_file_changes_nothing() {
    let dir = project("failed");
    let (out, before) = earlier_build(&dir);
    let output = build(&dir, "broken.mesh", "out");
    assert_eq!(output.status.code(), Some(1));
    assert_same_tree(&tree(&out), &before, "the output");

    std::fs::write(dir.join("afile"), "the user's\n").unwrap();
    let before_dir = tree(&dir);
    let output = build(&dir, "small.mesh", "afile");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`afile` exists and is not a directory"));
    assert_eq!(
        tree(&dir),
        before_dir,
        "nothing moved aside, nothing written"
    );
}

/// Runs a shell script in a private mount namespace, as root in it.
fn in_mount_namespace(script: &str) -> Output {
    Command::new("unshare")
        .args([
            "--map-root-user",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-euc",
            script,
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("unshare (util-linux) runs")
}

#[test]
fn a_read_only_output_directory_is_left_as_it_was() {
    let dir = project("read-only");
    let (out, before) = earlier_build(&dir);
    let meshc = env!("CARGO_BIN_EXE_meshc");
    let script = format!(
        "mount --bind {out} {out}\nmount -o remount,bind,ro {out}\n\
         if {meshc} build {dir}/small.mesh -o {out} 2>{dir}/stderr; then exit 10; else echo $? > {dir}/status; fi",
        out = out.display(),
        dir = dir.display(),
    );
    let namespace = in_mount_namespace(&script);
    assert!(namespace.status.success(), "{}", stderr(&namespace));
    assert_eq!(std::fs::read_to_string(dir.join("status")).unwrap(), "2\n");
    let message = std::fs::read_to_string(dir.join("stderr")).unwrap();
    assert!(message.contains("Read-only file system"), "{message}");
    assert_same_tree(&tree(&out), &before, "the output");

    // A first build under a read-only parent creates nothing.
    let parent = dir.join("parent");
    std::fs::create_dir_all(&parent).unwrap();
    let script = format!(
        "mount --bind {parent} {parent}\nmount -o remount,bind,ro {parent}\n\
         if {meshc} build {dir}/small.mesh -o {parent}/out; then exit 10; fi",
        parent = parent.display(),
        dir = dir.display(),
    );
    let namespace = in_mount_namespace(&script);
    assert!(namespace.status.success(), "{}", stderr(&namespace));
    assert!(tree(&parent).is_empty());
}

#[test]
fn a_full_disk_leaves_the_output_as_it_was() {
    let dir = project("full");
    let (out, before) = earlier_build(&dir);
    let fresh_size: u64 = {
        assert_built(&build(&dir, "small.mesh", "fresh"));
        tree(&dir.join("fresh"))
            .values()
            .map(|entry| match entry {
                Entry::File(bytes) => bytes.len() as u64,
                _ => 0,
            })
            .sum()
    };
    let meshc = env!("CARGO_BIN_EXE_meshc");
    // Free space after filling: none, a page, and half of what the new
    // files need, so that the failure comes at different points of the
    // staging.
    for free in [0, 4096, fresh_size / 2] {
        let mount = dir.join("mount");
        let seen = dir.join(format!("seen-{free}"));
        std::fs::create_dir_all(&mount).unwrap();
        let script = format!(
            "mount -t tmpfs -o size=4m tmpfs {mount}\n\
             cp -a {out} {mount}/out\n\
             dd if=/dev/zero of={mount}/filler bs=4096 2>/dev/null || true\n\
             truncate -s -{free} {mount}/filler\n\
             if {meshc} build {dir}/small.mesh -o {mount}/out 2>{dir}/stderr; then exit 10; else echo $? > {dir}/status; fi\n\
             cp -a {mount}/out {seen}",
            mount = mount.display(),
            out = out.display(),
            dir = dir.display(),
            seen = seen.display(),
        );
        let namespace = in_mount_namespace(&script);
        assert!(
            namespace.status.success(),
            "free {free}: {}",
            stderr(&namespace)
        );
        assert_eq!(std::fs::read_to_string(dir.join("status")).unwrap(), "2\n");
        let message = std::fs::read_to_string(dir.join("stderr")).unwrap();
        assert!(message.contains("No space left on device"), "{message}");
        assert_same_tree(&tree(&seen), &before, &format!("free {free}: the output"));
    }
}

/// Kills builds at random moments of their write and checks that the next
/// run (a build that fails on its input, so that it writes nothing of its
/// own) leaves exactly the old or the new output, the user's files as they
/// were, and no staging directory or journal.
#[test]
fn a_build_killed_at_any_moment_of_its_write_is_completed_or_undone_by_the_next_run() {
    let dir = project("kill");
    let meshc = env!("CARGO_BIN_EXE_meshc");
    // The two outputs, each with the user's files: builds go from one to
    // the other and back.
    let mut states = Vec::new();
    for input in ["shop.mesh", "small.mesh"] {
        let name = input.trim_end_matches(".mesh");
        let state = dir.join(format!("state-{name}"));
        add_user_files(&state);
        assert_built(&build(&dir, input, state.to_str().unwrap()));
        states.push((input, tree(&state)));
    }
    let out = dir.join("out");
    let reset = |round: usize| {
        let (from_input, from) = &states[round % 2];
        let _ = std::fs::remove_dir_all(&out);
        copy_tree(
            &dir.join(format!("state-{}", from_input.trim_end_matches(".mesh"))),
            &out,
        );
        assert_same_tree(&tree(&out), from, "the copy");
    };
    let staging = out.join(".meshc/staging");
    // Starts a build and returns once its write has begun (or it ended).
    let start = |input: &str| {
        let mut child = Command::new(meshc)
            .args(["build", input, "-o", "out"])
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let waiting = Instant::now();
        while !staging.exists()
            && child.try_wait().unwrap().is_none()
            && waiting.elapsed() < Duration::from_secs(10)
        {
            std::hint::spin_loop();
        }
        let writing = Instant::now();
        (child, writing)
    };
    // How long a write takes here, so that the kills spread over all of it.
    let mut longest = Duration::ZERO;
    for round in 0..6 {
        reset(round);
        let (mut child, writing) = start(states[(round + 1) % 2].0);
        child.wait().unwrap();
        longest = longest.max(writing.elapsed());
    }
    let window = (longest.as_micros() as u64 * 3 / 2).max(1);
    let mut rng = fastrand::Rng::with_seed(20_261_206);
    let (mut kills, mut completed, mut undone, mut finished) = (0, 0, 0, 0);
    let started = Instant::now();
    for round in 0..1_000 {
        if kills >= 100 && completed >= 5 && undone >= 5 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "too slow: {kills} kills, {completed} completed, {undone} undone"
        );
        let (_, from) = &states[round % 2];
        let (input, to) = &states[(round + 1) % 2];
        reset(round);
        let (mut child, _) = start(input);
        std::thread::sleep(Duration::from_micros(rng.u64(0..window)));
        let exited_before = child.try_wait().unwrap().is_some();
        child.kill().ok();
        child.wait().unwrap();
        if exited_before {
            finished += 1;
        } else {
            kills += 1;
        }

        let journal = out.join(".meshc/journal.json").exists();
        let left_staging = staging.exists();
        let next = build(&dir, "broken.mesh", "out");
        assert_eq!(next.status.code(), Some(1), "{}", stderr(&next));
        let after = tree(&out);
        assert!(
            !after
                .keys()
                .any(|relative| relative.starts_with(".meshc/staging")
                    || relative.starts_with(".meshc/journal")
                    || relative.starts_with(".meshc/manifest.json.")),
            "round {round}: leftovers {:?}",
            after.keys().collect::<Vec<_>>()
        );
        if journal {
            completed += 1;
            assert_eq!(
                &after, to,
                "round {round}: a committed update was not completed"
            );
        } else if left_staging {
            undone += 1;
            assert_eq!(
                &after, from,
                "round {round}: an uncommitted update was not undone"
            );
        } else {
            assert!(
                &after == from || &after == to,
                "round {round}: a mixed output"
            );
        }
    }
    eprintln!(
        "writes take up to {longest:?}; {kills} kills ({completed} completed, {undone} undone), \
         {finished} builds finished first"
    );
    assert!(
        kills >= 100 && completed >= 5 && undone >= 5,
        "{kills} kills ({completed} completed, {undone} undone), {finished} builds finished first"
    );
}
