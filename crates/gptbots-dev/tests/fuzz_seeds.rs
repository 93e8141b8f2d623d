//! The committed fuzz seeds are the ones the vectors make, and the check mode notices a change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use gptbots_dev::{fuzz_seeds, workspace_root};

#[test]
fn the_committed_seeds_are_the_generated_ones() {
    let root = workspace_root();
    let seeds = fuzz_seeds::generate(&root.join("conformance/vectors")).unwrap();
    assert!(seeds.len() > 100, "only {} seeds", seeds.len());
    for ((target, name), bytes) in &seeds {
        let path = root.join("fuzz/seeds").join(target).join(name);
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            committed == *bytes,
            "{} is out of date: run `cargo dev fuzz-seeds`",
            path.display()
        );
    }
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tool(seeds: &Scratch, check: bool) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gptbots-dev"));
    command.arg("fuzz-seeds").arg("--seeds").arg(&seeds.0);
    if check {
        command.arg("--check");
    }
    let out = command.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_mode_fails_on_a_changed_missing_or_stale_seed_and_keeps_regressions() {
    let dir = std::env::temp_dir().join(format!("gptbots-dev-seeds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let scratch = Scratch(dir);

    let (ok, stderr) = tool(&scratch, true);
    assert!(!ok, "an empty directory passed the check");
    assert!(stderr.contains("missing: "), "{stderr}");

    let (ok, stderr) = tool(&scratch, false);
    assert!(ok, "{stderr}");
    let (ok, stderr) = tool(&scratch, true);
    assert!(ok, "a freshly written directory failed the check: {stderr}");

    let usage = scratch.0.join("wire_types/U-usage");
    std::fs::write(&usage, b"U{}").unwrap();
    let stale = scratch.0.join("wire_types/not-made");
    std::fs::write(&stale, b"x").unwrap();
    let regression = scratch.0.join("wire_types/regression-kept");
    std::fs::write(&regression, b"x").unwrap();
    let (ok, stderr) = tool(&scratch, true);
    assert!(!ok, "changed seeds passed the check");
    assert!(
        stderr.contains(&format!("differs: {}", usage.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("stale: {}", stale.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("regression-kept"), "{stderr}");

    // Writing repairs it, and keeps the hand-added regression seed.
    let (ok, stderr) = tool(&scratch, false);
    assert!(ok, "{stderr}");
    assert!(!stale.exists());
    assert!(regression.exists());
    let (ok, stderr) = tool(&scratch, true);
    assert!(ok, "{stderr}");
}
