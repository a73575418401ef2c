//! Writes docs/ from templates/ and the provider's schema. `--check` only compares and
//! exits 1 when the committed docs differ (CI runs the same comparison as a test).

use sigsentry_provider::docgen;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let check = std::env::args().any(|a| a == "--check");
    let pages = match docgen::generate(root) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("gen-docs: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = 0;
    for (path, text) in pages {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        if check {
            eprintln!("gen-docs: {} is out of date", path.display());
            stale += 1;
            continue;
        }
        if let Some(dir) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("gen-docs: cannot create {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
        }
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("gen-docs: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    if stale > 0 {
        eprintln!("run `cargo run --bin gen-docs` and commit the result");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
