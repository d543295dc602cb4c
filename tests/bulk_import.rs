//! `factgraph bulk-import` and `factgraph bench` as the harness runs them:
//! the generator's CSV into a store, an error that names the line and
//! loads nothing, and the `@@bench` lines of each worker phase.

use std::path::Path;
use std::process::Command;

/// `factgraph COMMAND --nodes nodes.csv --edges edges.csv --store g.fg` in `dir`.
fn load_csv(dir: &Path, command: &str) -> (i32, String, String) {
    factgraph(
        dir,
        &[
            command,
            "--nodes",
            "nodes.csv",
            "--edges",
            "edges.csv",
            "--store",
            "g.fg",
        ],
    )
}

fn factgraph(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(args)
        .current_dir(dir)
        .env_remove("FACTGRAPH_STORE")
        .output()
        .expect("the factgraph binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const NODES: &str = "id,label,name\n0,State,Aland\n1,State,Borvia\n2,Organisation,Pact\n\
                     3,Person,Ann Lee\n4,Person,Bo Tan\n";
const EDGES: &str = "src,dst,type,date,level\n0,2,MEMBER_OF,1990-01-02,\n\
                     1,2,MEMBER_OF,2005-01-01,\n3,0,CITIZEN_OF,,\n4,1,CITIZEN_OF,,\n\
                     0,1,PARTNER_OF,1960-05-05,3\n";

#[test]
fn bulk_import_loads_dates_levels_and_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("nodes.csv"), NODES).expect("write");
    std::fs::write(dir.path().join("edges.csv"), EDGES).expect("write");
    let (code, out, err) = load_csv(dir.path(), "bulk-import");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("5 nodes and 5 relationships"), "{out}");
    // Not a terminal: no progress bar.
    assert!(!err.contains('%'), "{err}");
    let (code, out, err) = factgraph(
        dir.path(),
        &[
            "--store",
            "g.fg",
            "--format",
            "csv",
            "-c",
            "MATCH (a {name: 'Aland'})-[m:PARTNER_OF]->(b) \
             RETURN a.id, m.level + 1, m.date < date('1961-01-01'), b.id",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0,4,true,1"), "{out}");
}

#[test]
fn bulk_import_error_names_the_line_and_loads_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("nodes.csv"), NODES).expect("write");
    let bad = EDGES.replace("1960-05-05,3", "1960-05-05,high");
    std::fs::write(dir.path().join("edges.csv"), bad).expect("write");
    let (code, _, err) = load_csv(dir.path(), "bulk-import");
    assert_eq!(code, 2);
    assert!(err.contains("edges.csv:6"), "{err}");
    assert!(err.contains("level must be an integer"), "{err}");
    let (_, out, _) = factgraph(
        dir.path(),
        &[
            "--store",
            "g.fg",
            "--format",
            "csv",
            "-c",
            "MATCH (n) RETURN count(n)",
        ],
    );
    assert!(out.contains("\n0"), "nothing loaded: {out}");
}

#[test]
fn bench_workers_print_the_protocol_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    // The load makes the store's directory.
    let db = dir.path().join("db").join("1m");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::write(data.join("nodes.csv"), NODES).expect("write");
    std::fs::write(data.join("edges.csv"), EDGES).expect("write");
    std::fs::write(
        data.join("meta.json"),
        r#"{"params": {"q1_name": "Ann Lee", "q2_state": "Aland", "q3_state": "Aland",
            "q2_before": "2000-01-01", "q5_from": "Ann Lee", "q5_to": "Bo Tan"}}"#,
    )
    .expect("write");
    let (d, b) = (data.display().to_string(), db.display().to_string());
    let worker = |phase: &str| {
        factgraph(
            dir.path(),
            &[
                "bench", "--worker", phase, "--data", &d, "--db", &b, "--reps", "2",
            ],
        )
    };
    let (code, out, err) = worker("load");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("@@bench {\"version\""), "{out}");
    assert!(out.contains("\"load_s\""), "{out}");
    assert_eq!(worker("open").0, 0);
    let (code, out, err) = worker("query");
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .filter_map(|l| l.strip_prefix("@@bench "))
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let answer = |q: &str| {
        lines
            .iter()
            .find(|l| l["query"] == q)
            .map(|l| l["answer"].clone())
            .unwrap_or_default()
    };
    assert_eq!(answer("Q1"), serde_json::json!([[3, "Person"]]));
    assert_eq!(answer("Q2"), serde_json::json!([["Pact", "1990-01-02"]]));
    assert_eq!(answer("Q3"), serde_json::json!(["Borvia"]));
    assert_eq!(answer("Q5"), serde_json::json!(3));
    let q1 = lines.iter().find(|l| l["query"] == "Q1").expect("Q1 line");
    assert_eq!(q1["runs_s"].as_array().map(Vec::len), Some(3));
    assert!(lines.iter().any(|l| l.get("query_peak_rss_mb").is_some()));

    // The write series: each statement committed, so a fresh process sees them.
    let (code, out, err) = worker("write");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"median_s\""), "{out}");
    let store = db.join("graph.fg").display().to_string();
    let (_, out, _) = factgraph(
        dir.path(),
        &[
            "--store",
            &store,
            "--format",
            "csv",
            "-c",
            "MATCH (:Person {name: 'Ann Lee'})-[:KNOWS]->(p) RETURN count(p)",
        ],
    );
    assert!(out.contains("\n2"), "both committed writes: {out}");
}

/// `factgraph import --nodes --edges`, the command issue #6 names: the same
/// bulk load as `bulk-import`, into its own --store or the one before it.
#[test]
fn import_with_nodes_and_edges_is_the_bulk_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("nodes.csv"), NODES).expect("write");
    std::fs::write(dir.path().join("edges.csv"), EDGES).expect("write");
    let (code, out, err) = factgraph(
        dir.path(),
        &[
            "import",
            "--nodes",
            "nodes.csv",
            "--edges",
            "edges.csv",
            "--store",
            "a.fg",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("imported 5 nodes and 5 relationships into a.fg in "),
        "{out}"
    );
    assert!(!err.contains('%'), "no progress bar off a terminal: {err}");
    let (code, out, err) = factgraph(
        dir.path(),
        &[
            "--store",
            "b.fg",
            "import",
            "--edges",
            "edges.csv",
            "--nodes",
            "nodes.csv",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("into b.fg"), "{out}");
    for store in ["a.fg", "b.fg"] {
        let (code, out, err) = factgraph(
            dir.path(),
            &[
                "--store",
                store,
                "--format",
                "csv",
                "-c",
                "MATCH (a {name: 'Aland'})-[m:PARTNER_OF]->(b) \
                 RETURN a.id, m.level + 1, m.date < date('1961-01-01'), b.id",
            ],
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            out,
            "a.id,m.level + 1,m.date < date('1961-01-01'),b.id\n0,4,true,1\n"
        );
    }
    // The file form takes its own --store as well.
    let (code, _, err) = factgraph(
        dir.path(),
        &["--store", "a.fg", "export", "json", "-o", "a.json"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = factgraph(dir.path(), &["import", "a.json", "--store", "c.fg"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "imported 5 nodes, 5 relationships from a.json into c.fg\n"
    );
}

#[test]
fn import_with_nodes_and_edges_error_names_the_line_and_loads_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("nodes.csv"), NODES).expect("write");
    let bad = EDGES.replace("1,2,MEMBER_OF,2005-01-01", "1,2,MEMBER_OF,2005-13-01");
    std::fs::write(dir.path().join("edges.csv"), bad).expect("write");
    let (code, out, err) = load_csv(dir.path(), "import");
    // As `import FILE`: 1 when the data does not load.
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("edges.csv:3"), "{err}");
    let (_, out, _) = factgraph(
        dir.path(),
        &[
            "--store",
            "g.fg",
            "--format",
            "csv",
            "-c",
            "MATCH (n) RETURN count(n)",
        ],
    );
    assert_eq!(out, "count(n)\n0\n", "nothing loaded");
}

#[test]
fn import_needs_a_file_or_both_csv_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("nodes.csv"), NODES).expect("write");
    std::fs::write(dir.path().join("edges.csv"), EDGES).expect("write");
    let usage = |args: &[&str], needle: &str| {
        let (code, out, err) = factgraph(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    };
    usage(&["import", "--nodes", "nodes.csv"], "--edges");
    usage(&["import", "--edges", "edges.csv"], "--nodes");
    usage(
        &[
            "import",
            "g.json",
            "--nodes",
            "nodes.csv",
            "--edges",
            "edges.csv",
        ],
        "cannot be used with",
    );
    usage(&["import"], "required");
    usage(
        &[
            "--store",
            "a.fg",
            "import",
            "--nodes",
            "nodes.csv",
            "--edges",
            "edges.csv",
            "--store",
            "b.fg",
        ],
        "named before `import` already",
    );
    usage(
        &[
            "--memory",
            "import",
            "--nodes",
            "nodes.csv",
            "--edges",
            "edges.csv",
        ],
        "--memory and --seed have none",
    );
    // None of these wrote a store.
    assert!(!dir.path().join("a.fg").exists());
    assert!(!dir.path().join("graph").exists());
}

/// A bulk import into a store with a property index keeps the index (the
/// import replaces the snapshot, which must carry its definition), and
/// the imported nodes are found through it.
#[test]
fn bulk_import_keeps_property_indexes_current() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("nodes.csv"), NODES).expect("write");
    std::fs::write(dir.path().join("edges.csv"), EDGES).expect("write");
    let with_store = |args: &[&str]| {
        let all: Vec<&str> = ["--store", "g.fg"].iter().chain(args).copied().collect();
        factgraph(dir.path(), &all)
    };
    let (code, _, err) = with_store(&["-c", "CREATE INDEX by_id FOR (p:Person) ON (p.id)"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = load_csv(dir.path(), "import");
    assert_eq!(code, 0, "{err}");
    let q = "MATCH (p:Person) WHERE p.id = 4 RETURN p.name";
    let (code, out, err) = with_store(&["--format", "csv", "-c", q]);
    assert_eq!((code, out.as_str()), (0, "p.name\nBo Tan\n"), "{err}");
    let (_, plan, _) = with_store(&["-c", &format!("EXPLAIN {q}")]);
    assert!(plan.contains("property index 'by_id'"), "{plan}");
}
