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

/// Every statement the shell's `:help` topics show as an example runs on
/// the article graph and finds something (a user copies them first).
#[test]
fn the_examples_in_help_find_rows_in_the_article_graph() {
    let run = |script: &str| {
        Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .arg("--seed")
            .arg("-c")
            .arg(script)
            .output()
            .expect("run factgraph")
    };
    let mut examples = Vec::new();
    for &topic in factgraph::shell::commands::TOPICS {
        let out = run(&format!(":help {topic}"));
        assert!(out.status.success(), "help {topic}");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut current: Option<String> = None;
        for line in text.lines() {
            let t = line.trim();
            let starts = ["MATCH (", "AS OF ", "RETURN ", "CALL "]
                .iter()
                .any(|k| t.starts_with(k));
            match &mut current {
                Some(s) => {
                    s.push(' ');
                    s.push_str(t);
                }
                None if starts => current = Some(t.to_string()),
                None => {}
            }
            if current.as_deref().is_some_and(|s| s.ends_with(';')) {
                examples.extend(current.take().map(|s| (topic, s)));
            }
        }
    }
    assert!(examples.len() >= 10, "{examples:?}");
    for (topic, q) in examples {
        let out = run(&q);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), ":help {topic}: {q}\n{stderr}");
        assert!(
            !stdout.contains("\n0 rows"),
            ":help {topic}: {q} finds nothing\n{stdout}"
        );
        assert!(
            !stderr.contains("note: no "),
            ":help {topic}: {q}\n{stderr}"
        );
    }
}
