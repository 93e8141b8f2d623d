//! `cargo dev schemas`: writes every wire message's JSON Schema to `schemas/NAME.schema.json`,
//! and the OpenAPI document built from the same schemas to `openapi/gptbots.openapi.json`; or,
//! with `--check`, fails with a diff when either is out of date.
//!
//! Nothing is removed silently: a `*.schema.json` file that no type generates makes both modes
//! fail and is named, unless `--prune` is given, which deletes it and says so.

use std::path::Path;

use gptbots_protocol::schema::wire_schemas;

use crate::openapi;

/// The command that rewrites the files, for the messages.
const REWRITE: &str = "cargo dev schemas";

/// Writes (or, with `check`, checks) the schemas in `dir` and the OpenAPI document in
/// `openapi_dir`. Returns whether both are (or now are) in step with the types.
pub fn run(dir: &Path, openapi_dir: &Path, check: bool, prune: bool) -> std::io::Result<bool> {
    let schemas_in_step = run_schemas(dir, check, prune)?;
    let openapi_in_step = run_openapi(openapi_dir, check)?;
    Ok(schemas_in_step && openapi_in_step)
}

/// Returns whether `dir` is (or, when writing, now is) in step with the types.
fn run_schemas(dir: &Path, check: bool, prune: bool) -> std::io::Result<bool> {
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
                    "stale: {} (no type generates it; `{REWRITE} --prune` deletes it)",
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
