//! `gptbots-schemas`: writes every wire message's JSON Schema to `schemas/NAME.schema.json`,
//! and the OpenAPI document built from the same schemas to `openapi/gptbots.openapi.json`.
//!
//! ```text
//! cargo run -p gptbots-schemas              # rewrite schemas/ and openapi/
//! cargo run -p gptbots-schemas -- --check   # fail with a diff when either is out of date
//! cargo run -p gptbots-schemas -- --prune   # also delete schema files no type generates
//! ```
//!
//! `--dir DIR` and `--openapi-dir DIR` write (or check) elsewhere than the repository's
//! `schemas/` and `openapi/`.
//!
//! Nothing is removed silently: a `*.schema.json` file that no type generates makes both modes
//! fail and is named, unless `--prune` is given, which deletes it and says so.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gptbots_protocol::schema::wire_schemas;
use gptbots_schemas::openapi;

const REWRITE: &str = "cargo run -p gptbots-schemas";
const USAGE: &str = "usage: gptbots-schemas [--check] [--prune] [--dir DIR] [--openapi-dir DIR]";

fn main() -> ExitCode {
    let mut check = false;
    let mut prune = false;
    let mut dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas"));
    let mut openapi_dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi"));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--prune" => prune = true,
            "--dir" => match args.next() {
                Some(path) => dir = PathBuf::from(path),
                None => return usage("--dir needs a path"),
            },
            "--openapi-dir" => match args.next() {
                Some(path) => openapi_dir = PathBuf::from(path),
                None => return usage("--openapi-dir needs a path"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    let result = run(&dir, check, prune).and_then(|schemas_in_step| {
        let openapi_in_step = run_openapi(&openapi_dir, check)?;
        Ok(schemas_in_step && openapi_in_step)
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("gptbots-schemas: {err}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("gptbots-schemas: {problem}\n{USAGE}");
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
        if !write_or_check(&path, &wanted, check)? {
            in_step = false;
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

/// Writes `wanted` to `path` when it differs, or in check mode says how it differs. Returns
/// whether the file was (or now is) in step.
fn write_or_check(path: &Path, wanted: &str, check: bool) -> std::io::Result<bool> {
    let current = std::fs::read_to_string(path).ok();
    if current.as_deref() == Some(wanted) {
        return Ok(true);
    }
    if !check {
        std::fs::write(path, wanted)?;
        println!("wrote {}", path.display());
        return Ok(true);
    }
    match &current {
        None => eprintln!("missing: {}", path.display()),
        Some(current) => {
            eprintln!("out of date: {}", path.display());
            let diff = similar::TextDiff::from_lines(current.as_str(), wanted);
            eprint!(
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header("committed", "generated from the types")
            );
        }
    }
    Ok(false)
}

/// The OpenAPI document: `dir/gptbots.openapi.json`.
fn run_openapi(dir: &Path, check: bool) -> std::io::Result<bool> {
    if !check {
        std::fs::create_dir_all(dir)?;
    }
    let path = dir.join(openapi::FILE_NAME);
    let in_step = write_or_check(&path, &openapi::canonical_document(), check)?;
    if check && !in_step {
        eprintln!(
            "\nthe OpenAPI document is not in step with the types: run `{REWRITE}` and commit the result."
        );
    }
    Ok(in_step)
}
