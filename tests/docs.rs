//! The picture in the README is drawn from `docs/belarus.dot`, which the
//! shell exports from the seed with the query in `docs/belarus.cypher`:
//!
//! ```sh
//! factgraph --seed -c ":export dot docs/belarus.dot $(cat docs/belarus.cypher)"
//! dot -Tpng docs/belarus.dot -o docs/belarus.png
//! ```
//!
//! This test fails when the committed DOT file is no longer what the seed
//! and the exporter give, and checks that Graphviz renders it.

use std::path::Path;
use std::process::Command;

#[test]
fn the_committed_picture_is_up_to_date_with_the_seed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let query = std::fs::read_to_string(root.join("docs/belarus.cypher")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("belarus.dot");
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .arg("--seed")
        .arg("-c")
        .arg(format!(":export dot {} {}", fresh.display(), query.trim()))
        .output()
        .expect("run factgraph");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fresh = std::fs::read_to_string(&fresh).unwrap();
    let committed = std::fs::read_to_string(root.join("docs/belarus.dot")).unwrap();
    assert!(
        fresh == committed,
        "docs/belarus.dot is out of date with the seed: regenerate it and docs/belarus.png \
         with the commands at the top of tests/docs.rs"
    );
    let svg = Command::new("dot")
        .args(["-Tsvg", "docs/belarus.dot"])
        .current_dir(root)
        .output()
        .unwrap_or_else(|e| panic!("graphviz `dot` not found ({e}): apt-get install -y graphviz"));
    assert!(
        svg.status.success(),
        "{}",
        String::from_utf8_lossy(&svg.stderr)
    );
}
