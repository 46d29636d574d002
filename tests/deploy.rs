//! What AWS does with the output on the first deploy, read from the files
//! every example builds to: a CloudFormation template either fits the
//! 51,200 bytes CloudFormation takes inline or the build says how to deploy
//! it through S3.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// CloudFormation's limit on a template passed in the request itself.
const INLINE_LIMIT: usize = 51_200;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("meshc-deploy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Builds an example with the binary, as a user does, and returns what it
/// printed.
fn build(example: &Path, out: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args([
            "build",
            example.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn every_template_fits_inline_or_the_build_says_how_to_deploy_it() {
    let dir = scratch("size");
    for example in common::mesh_files("examples") {
        let name = common::file_name(&example)
            .trim_end_matches(".mesh")
            .to_string();
        let out = dir.join(&name);
        let printed = build(&example, &out);
        let path = out.join("cloudformation/template.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let template: serde_json::Value = serde_json::from_str(&text).unwrap();
        let system = template["Parameters"]["NamePrefix"]["Default"]
            .as_str()
            .unwrap();
        let command = format!(
            "aws cloudformation deploy --template-file {} --stack-name {system} --s3-bucket BUCKET \
             --capabilities CAPABILITY_NAMED_IAM",
            path.display()
        );
        let compact = serde_json::to_string(&template).unwrap().len() + 1;
        if text.len() <= INLINE_LIMIT {
            assert!(!printed.contains("s3-bucket"), "{name}: {printed}");
        } else {
            assert!(
                compact > INLINE_LIMIT,
                "{name}: {} bytes written where the compact form, {compact} bytes, fits inline",
                text.len()
            );
            let last = printed.lines().last().unwrap().trim();
            assert_eq!(last, command, "{name}: the build's last line");
            assert!(
                printed.contains(&format!("is {} bytes", text.len())),
                "{name}: {printed}"
            );
        }
    }
}
