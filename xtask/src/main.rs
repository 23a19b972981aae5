//! Maintainer chores for the cdp workspace.
//!
//! ```text
//! cargo xtask regen            regenerate crates/*-api/src/generated.rs from specs/
//! cargo xtask regen --check    exit 1 and name each generated file that is stale
//! cargo xtask bench [--quick] [--only NAME] [--json FILE] [--runs N]
//!                              the end-to-end benchmarks, cdp beside its floor (see BENCHMARKS.md)
//! ```

mod bench;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask regen [--check]\n       cargo xtask bench [--quick] [--only NAME] [--json FILE] [--runs N]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["regen"] => regen(false),
        ["regen", "--check"] => regen(true),
        ["bench", rest @ ..] => bench::run(&workspace_root(), rest),
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn regen(check: bool) -> ExitCode {
    let root = workspace_root();
    match cdp_codegen::regen(&root, check) {
        Ok(report) if report.stale.is_empty() => {
            println!("{} generated file(s) up to date", report.fresh.len());
            ExitCode::SUCCESS
        }
        Ok(report) if check => {
            for path in &report.stale {
                eprintln!("stale: {} (run `cargo xtask regen`)", relative(&root, path));
            }
            ExitCode::FAILURE
        }
        Ok(report) => {
            for path in &report.stale {
                println!("wrote {}", relative(&root, path));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    // xtask lives one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
