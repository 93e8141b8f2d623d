//! `gptbots-schemas`: writes every wire message's JSON Schema to `schemas/NAME.schema.json`.
//!
//! ```text
//! cargo run -p gptbots-schemas              # rewrite schemas/
//! cargo run -p gptbots-schemas -- --check   # fail with a diff when schemas/ is out of date
//! cargo run -p gptbots-schemas -- --prune   # also delete files no type generates
//! ```
//!
//! Nothing is removed silently: a `*.schema.json` file that no type generates makes both modes
//! fail and is named, unless `--prune` is given, which deletes it and says so.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gptbots_protocol::schema::wire_schemas;

const REWRITE: &str = "cargo run -p gptbots-schemas";

fn main() -> ExitCode {
    let mut check = false;
    let mut prune = false;
    let mut dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas"));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--prune" => prune = true,
            "--dir" => match args.next() {
                Some(path) => dir = PathBuf::from(path),
                None => return usage("--dir needs a path"),
            },
            "-h" | "--help" => {
                println!("usage: gptbots-schemas [--check] [--prune] [--dir DIR]");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    match run(&dir, check, prune) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("gptbots-schemas: {err}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("gptbots-schemas: {problem}\nusage: gptbots-schemas [--check] [--prune] [--dir DIR]");
    ExitCode::from(2)
}

/// Returns whether `dir` is (or, when writing, now is) in step with the types.
fn run(dir: &Path, check: bool, prune: bool) -> std::io::Result<bool> {
    let schemas = wire_schemas();
    if !check {
        std::fs::create_dir_all(dir)?;
    }
    let mut in_step = true;
    for schema in &schemas {
        let path = dir.join(format!("{}.schema.json", schema.name));
        let wanted = schema.to_canonical_string();
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(wanted.as_str()) {
            continue;
        }
        if check {
            in_step = false;
            match &current {
                None => eprintln!("missing: {}", path.display()),
                Some(current) => {
                    eprintln!("out of date: {}", path.display());
                    let diff = similar::TextDiff::from_lines(current.as_str(), wanted.as_str());
                    eprint!(
                        "{}",
                        diff.unified_diff()
                            .context_radius(3)
                            .header("committed", "generated from the types")
                    );
                }
            }
        } else {
            std::fs::write(&path, wanted)?;
            println!("wrote {}", path.display());
        }
    }
    let generated: Vec<String> = schemas
        .iter()
        .map(|s| format!("{}.schema.json", s.name))
        .collect();
    if dir.is_dir() {
        let mut stale = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.ends_with(".schema.json") && !generated.contains(&name) {
                stale.push(name);
            }
        }
        stale.sort();
        for name in stale {
            let path = dir.join(&name);
            if prune && !check {
                std::fs::remove_file(&path)?;
                println!("removed {} (no type generates it)", path.display());
            } else {
                in_step = false;
                eprintln!(
                    "stale: {} (no type generates it; `{REWRITE} -- --prune` deletes it)",
                    path.display()
                );
            }
        }
    }
    if check && !in_step {
        eprintln!(
            "\nschemas/ is not in step with the types: run `{REWRITE}` and commit the result."
        );
    }
    Ok(in_step)
}
