//! `factgraph check` and `factgraph backup`, run as a user runs them.

use std::process::{Command, Output};

fn factgraph(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .current_dir(dir)
        .args(args)
        .env_remove("FACTGRAPH_STORE")
        .output()
        .expect("run factgraph")
}

#[test]
fn check_and_backup_a_store_with_committed_writes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let w = factgraph(
        d,
        &[
            "--store",
            "s.fg",
            "-c",
            "CREATE (:City {name: 'Minsk'})-[:IN]->(:State {name: 'Belarus'});",
        ],
    );
    assert!(w.status.success(), "{}", String::from_utf8_lossy(&w.stderr));

    let c = factgraph(d, &["check", "s.fg"]);
    let out = String::from_utf8_lossy(&c.stdout);
    assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
    assert!(
        out.contains("2 nodes, 1 relationship, 2 labels, 1 relationship type"),
        "{out}"
    );

    let b = factgraph(d, &["backup", "s.fg", "copy.fg"]);
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let said = String::from_utf8_lossy(&b.stdout);
    assert!(
        said.starts_with("wrote a backup of s.fg to copy.fg\n"),
        "{said}"
    );
    let q = factgraph(
        d,
        &[
            "--store",
            "copy.fg",
            "--format",
            "csv",
            "-c",
            "MATCH (c)-[:IN]->(s) RETURN c.name, s.name;",
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&q.stdout),
        "c.name,s.name\nMinsk,Belarus\n"
    );

    // Over the store itself: refused, and the store still checks.
    let bad = factgraph(d, &["backup", "s.fg", "s.fg"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(factgraph(d, &["check", "s.fg"]).status.success());
}

#[test]
fn check_refuses_a_damaged_store_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.fg"),
        b"FACTGRPH\x01\x00\x00\x00garbage",
    )
    .unwrap();
    let c = factgraph(dir.path(), &["check", "bad.fg"]);
    assert_eq!(c.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&c.stderr).contains("bad.fg"));
}

#[test]
fn export_writes_the_store_or_a_query_result_in_each_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let w = factgraph(
        d,
        &[
            "--store",
            "s.fg",
            "-c",
            "CREATE (:City {name: 'Minsk'})-[:IN]->(:State {name: 'Belarus'});",
        ],
    );
    assert!(w.status.success(), "{}", String::from_utf8_lossy(&w.stderr));
    let json = factgraph(d, &["--store", "s.fg", "export", "json"]);
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let text = String::from_utf8_lossy(&json.stdout);
    assert!(
        text.contains("\"Minsk\"") && text.contains("\"Belarus\""),
        "{text}"
    );
    let nt = factgraph(
        d,
        &[
            "--store",
            "s.fg",
            "export",
            "ntriples",
            "-q",
            "MATCH (c:City) RETURN c;",
        ],
    );
    let text = String::from_utf8_lossy(&nt.stdout);
    assert!(
        text.contains("\"Minsk\"") && !text.contains("\"Belarus\""),
        "{text}"
    );
    let csv = factgraph(d, &["--store", "s.fg", "export", "csv", "-o", "out"]);
    assert!(
        csv.status.success(),
        "{}",
        String::from_utf8_lossy(&csv.stderr)
    );
    assert!(d.join("out/kuzu").is_dir() && d.join("out/neo4j").is_dir());
    let bad = factgraph(d, &["--store", "s.fg", "export", "bogus"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown export format"));
    let badq = factgraph(
        d,
        &[
            "--store",
            "s.fg",
            "export",
            "json",
            "-q",
            "MATCH (c RETURN c;",
        ],
    );
    assert_eq!(badq.status.code(), Some(1));
}

#[test]
fn import_runs_a_cypher_dump_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dump = factgraph(d, &["--seed", "export", "cypher", "-o", "dump.cypher"]);
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let imp = factgraph(d, &["--store", "copy.fg", "import", "dump.cypher"]);
    assert!(
        imp.status.success(),
        "{}",
        String::from_utf8_lossy(&imp.stderr)
    );
    let count = |store: &[&str]| {
        let mut args = store.to_vec();
        args.extend(["--format", "csv", "-c", "MATCH (n) RETURN count(n) AS n;"]);
        String::from_utf8_lossy(&factgraph(d, &args).stdout).into_owned()
    };
    assert_eq!(count(&["--store", "copy.fg"]), count(&["--seed"]));
    std::fs::write(d.join("bad.cypher"), "CREATE (:A);\nCREATE (:B)-[:R]->;\n").unwrap();
    let bad = factgraph(d, &["--store", "copy.fg", "import", "bad.cypher"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("bad.cypher:2:"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert_eq!(
        count(&["--store", "copy.fg"]),
        count(&["--seed"]),
        "nothing of a failed import is loaded"
    );
}

#[test]
fn a_dump_quotes_every_word_the_parser_reserves() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let w = factgraph(
        d,
        &[
            "--store",
            "s.fg",
            "-c",
            "CREATE (:`OF` {`OF`: 1, `MATCH`: 2});",
        ],
    );
    assert!(w.status.success(), "{}", String::from_utf8_lossy(&w.stderr));
    let dump = factgraph(
        d,
        &["--store", "s.fg", "export", "cypher", "-o", "d.cypher"],
    );
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let back = factgraph(d, &["--store", "t.fg", "import", "d.cypher"]);
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    let q = factgraph(
        d,
        &[
            "--store",
            "t.fg",
            "--format",
            "csv",
            "-c",
            "MATCH (n:`OF`) RETURN n.`OF` + n.`MATCH` AS s;",
        ],
    );
    assert_eq!(String::from_utf8_lossy(&q.stdout), "s\n3\n");
}
