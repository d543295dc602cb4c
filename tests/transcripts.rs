//! Transcript tests: each `tests/transcripts/NAME.fgq` is fed to
//! `factgraph --seed` on stdin, and its exit status, stdout and stderr must
//! match `NAME.golden` byte for byte. After a deliberate change in the
//! output, `FACTGRAPH_BLESS=1 cargo test --test transcripts` rewrites the
//! golden files (review the diff before committing it).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn transcript(input: &str) -> String {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .arg("--seed")
        .current_dir(dir.path())
        .env_remove("FACTGRAPH_STORE")
        .env_remove("NO_COLOR")
        .env_remove("PAGER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the factgraph binary starts");
    if let Some(mut si) = child.stdin.take() {
        let _ = si.write_all(input.as_bytes());
    }
    let out = child.wait_with_output().expect("factgraph runs to the end");
    format!(
        "== exit {}\n== stdout\n{}== stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn transcripts_match_their_golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let bless = std::env::var_os("FACTGRAPH_BLESS").is_some_and(|v| !v.is_empty());
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/transcripts exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "fgq"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 4, "transcripts found: {inputs:?}");
    let mut failed = Vec::new();
    for input in &inputs {
        let text = std::fs::read_to_string(input).expect("a readable transcript");
        let got = transcript(&text);
        let golden = input.with_extension("golden");
        if bless {
            std::fs::write(&golden, &got).expect("the golden file is written");
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if got != want {
            eprintln!(
                "--- {} differs from its golden file; got:\n{got}",
                input.display()
            );
            failed.push(input.display().to_string());
        }
    }
    assert!(failed.is_empty(), "transcripts that differ: {failed:?}");
}
