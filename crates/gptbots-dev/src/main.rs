//! `cargo dev`: the workspace's developer chores (an alias in `.cargo/config.toml` for
//! `cargo run -p gptbots-dev --`).
//!
//! ```text
//! cargo dev schemas [--check] [--prune]      # write (or check) schemas/ and openapi/
//! cargo dev bench-report [target/criterion]  # criterion results as BENCHMARKS.md's tables
//! cargo dev icount [--all] [--bin PATH]      # instruction counts (valgrind)
//! cargo dev fuzz-seeds [--check]             # write (or check) fuzz/seeds/
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gptbots_dev::{bench_report, fuzz_seeds, icount, schemas, workspace_root};

#[derive(Debug, Parser)]
#[command(
    name = "cargo dev",
    bin_name = "cargo dev",
    about = "The workspace's developer chores."
)]
struct Cli {
    #[command(subcommand)]
    command: Chore,
}

#[derive(Debug, Subcommand)]
enum Chore {
    /// Write every wire message's JSON Schema to schemas/ and the OpenAPI document to openapi/.
    Schemas {
        /// Write nothing; fail with a diff when a file is out of date, missing or stale.
        #[arg(long)]
        check: bool,
        /// Also delete *.schema.json files that no type generates.
        #[arg(long)]
        prune: bool,
        /// Where the schemas go (default: the workspace's schemas/).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Where the OpenAPI document goes (default: the workspace's openapi/).
        #[arg(long, value_name = "DIR")]
        openapi_dir: Option<PathBuf>,
    },
    /// Print the criterion results of the decoder bench as BENCHMARKS.md's tables.
    BenchReport {
        /// The criterion directory (default: the workspace's target/criterion).
        dir: Option<PathBuf>,
    },
    /// Count the instructions of one decoder pass with valgrind's callgrind.
    Icount {
        /// Every bench body (text, audio, the 8 MiB frame), ours only; by default the text body
        /// with the floor and feeding alone.
        #[arg(long)]
        all: bool,
        /// Count this build of the decode_pass example (e.g. a copy made at another commit)
        /// instead of building it.
        #[arg(long, value_name = "PATH", env = "DECODE_PASS")]
        bin: Option<PathBuf>,
        /// Only the rows of this body (text, audio, big).
        #[arg(long, requires = "all")]
        body: Option<String>,
        /// Only the rows of this style (bare, sse).
        #[arg(long)]
        style: Option<String>,
        /// Only the rows of this chunk size (1, 16, 1460, 65536, 8193, whole).
        #[arg(long)]
        chunk: Option<String>,
    },
    /// Write the fuzz seed corpora in fuzz/seeds/ from conformance/vectors.
    FuzzSeeds {
        /// Write nothing; fail when a seed is missing, differs or is stale.
        #[arg(long)]
        check: bool,
        /// The vectors (default: the workspace's conformance/vectors).
        vectors: Option<PathBuf>,
        /// Where the seeds go (default: the workspace's fuzz/seeds).
        #[arg(long, value_name = "DIR")]
        seeds: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let (name, result) = match cli.command {
        Chore::Schemas {
            check,
            prune,
            dir,
            openapi_dir,
        } => {
            let dir = dir.unwrap_or_else(|| root.join("schemas"));
            let openapi_dir = openapi_dir.unwrap_or_else(|| root.join("openapi"));
            let result = schemas::run(&dir, &openapi_dir, check, prune).map_err(|e| e.to_string());
            ("schemas", result)
        }
        Chore::BenchReport { dir } => {
            let dir = dir.unwrap_or_else(|| root.join("target").join("criterion"));
            let result = bench_report::Results::read(&dir).map(|results| {
                print!("{}", bench_report::tables(&results));
                true
            });
            ("bench-report", result)
        }
        Chore::Icount {
            all,
            bin,
            body,
            style,
            chunk,
        } => {
            let options = icount::Options {
                all,
                bin,
                body,
                style,
                chunk,
            };
            ("icount", icount::run(&root, &options).map(|()| true))
        }
        Chore::FuzzSeeds {
            check,
            vectors,
            seeds,
        } => {
            let vectors = vectors.unwrap_or_else(|| root.join("conformance").join("vectors"));
            let seeds = seeds.unwrap_or_else(|| root.join("fuzz").join("seeds"));
            ("fuzz-seeds", fuzz_seeds::run(&vectors, &seeds, check))
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("cargo dev {name}: {err}");
            ExitCode::FAILURE
        }
    }
}
