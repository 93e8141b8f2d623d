//! The workspace's developer chores, behind one command: `cargo dev` (an alias in
//! `.cargo/config.toml` for `cargo run -p gptbots-dev --`).
//!
//! - [`schemas`]: write or check `schemas/` and `openapi/` (the document is built by [`openapi`]);
//! - [`bench_report`]: criterion results as the tables of BENCHMARKS.md;
//! - [`icount`]: instruction counts of the stream decoder under valgrind's callgrind;
//! - [`fuzz_seeds`]: the fuzz seed corpora from the conformance vectors, which reads JSON the
//!   way [`py_json`] does.

use std::path::{Path, PathBuf};

/// The workspace README's Rust snippets, compiled (and run, unless marked `no_run`) as this
/// crate's doctests, whose dev-dependencies cover what they use.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

pub mod bench_report;
pub mod fuzz_seeds;
pub mod icount;
pub mod openapi;
pub mod py_json;
pub mod schemas;

/// The workspace's root directory (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .unwrap_or(manifest)
        .to_path_buf()
}
