//! The committed docs/ must equal what `cargo run --bin gen-docs` generates from the schema.

use std::path::Path;

#[test]
fn committed_docs_match_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = sigsentry_provider::docgen::generate(root).expect("docs generate");
    let mut stale = Vec::new();
    for (path, text) in pages {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "docs out of date (run `cargo run --bin gen-docs` and commit): {stale:?}"
    );
}
