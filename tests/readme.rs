//! The README's tour is real: every ```cypher block followed by a ```text
//! block is run with `factgraph --seed -c QUERY`, and its standard output
//! must be the text block. `UPDATE_README=1 cargo test --test readme`
//! writes the actual outputs into README.md instead of comparing.

use std::path::Path;
use std::process::Command;

/// One tour example: where its output block's body starts and ends in the
/// README (byte offsets), the query, and the body as written.
struct Example {
    body_start: usize,
    body_end: usize,
    query: String,
    expected: String,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(i) = readme[rest..].find("```cypher\n") {
        let q_start = rest + i + "```cypher\n".len();
        let Some(q_len) = readme[q_start..].find("```\n") else {
            break;
        };
        let query = readme[q_start..q_start + q_len].to_string();
        let after = q_start + q_len + "```\n".len();
        rest = after;
        let gap = &readme[after..];
        let trimmed = gap.trim_start_matches('\n');
        if !trimmed.starts_with("```text\n") {
            continue;
        }
        let body_start = after + (gap.len() - trimmed.len()) + "```text\n".len();
        let Some(b_len) = readme[body_start..].find("```\n") else {
            break;
        };
        out.push(Example {
            body_start,
            body_end: body_start + b_len,
            query,
            expected: readme[body_start..body_start + b_len].to_string(),
        });
        rest = body_start + b_len;
    }
    out
}

fn run(query: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(["--seed", "--format", "table", "-c", query])
        .env("NO_COLOR", "1")
        .output()
        .expect("run factgraph");
    assert!(
        out.status.success(),
        "README query failed ({}):\n{query}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn the_readme_tour_shows_real_output() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("read README.md");
    let examples = examples(&readme);
    assert!(
        examples.len() >= 8,
        "expected the tour's examples in README.md, found {}",
        examples.len()
    );
    if std::env::var_os("UPDATE_README").is_some() {
        let mut updated = readme.clone();
        for ex in examples.iter().rev() {
            updated.replace_range(ex.body_start..ex.body_end, &run(&ex.query));
        }
        std::fs::write(&path, updated).expect("write README.md");
        return;
    }
    for ex in &examples {
        let actual = run(&ex.query);
        assert_eq!(
            actual, ex.expected,
            "README.md is out of date for the query:\n{}\n(run UPDATE_README=1 cargo test --test readme)",
            ex.query
        );
    }
}
