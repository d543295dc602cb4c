//! Property indexes as a user meets them: created in one run of the binary
//! and used by the next, kept by the snapshot, replayed from the log after
//! a crash, and never changing an answer.

use std::path::Path;
use std::process::Command;

use factgraph::db::Database;
use factgraph::query::{ExecOptions, Params, QueryResult};
use factgraph::store::persist;

/// Runs the binary on the store `g.fg` in `dir`: (exit code, stdout, stderr).
fn factgraph(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(["--store", "g.fg"])
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

#[test]
fn an_index_created_in_one_run_is_used_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = factgraph(
        dir.path(),
        &[
            "-c",
            "UNWIND range(1, 200) AS i CREATE (:Person {age: i % 20, name: 'p' + i}); \
             CREATE INDEX FOR (p:Person) ON (p.age)",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("created index 'index_Person_age' on (:Person {age}): 200 nodes"),
        "{err}"
    );
    let (code, out, err) = factgraph(
        dir.path(),
        &["-c", "EXPLAIN MATCH (p:Person {age: 7}) RETURN count(p)"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("start: property index 'index_Person_age' (:Person {age}): (p {age: 7})"),
        "{out}"
    );
    // The answer through the index is the answer of a scan (`p.age + 0`
    // is no property the planner can look up).
    let count = |q: &str| {
        let (code, out, err) = factgraph(dir.path(), &["--format", "csv", "-c", q]);
        assert_eq!(code, 0, "{err}");
        out
    };
    assert_eq!(
        count("MATCH (p:Person {age: 7}) RETURN count(p) AS n, min(p.name) AS first"),
        "n,first\n10,p107\n"
    );
    assert_eq!(
        count("MATCH (p:Person) WHERE p.age + 0 = 7 RETURN count(p) AS n, min(p.name) AS first"),
        "n,first\n10,p107\n"
    );
    assert_eq!(
        count("SHOW RANGE INDEXES"),
        "name,state,populationPercent,type,entityType,labelsOrTypes,properties\n\
         index_Person_age,ONLINE,100.0,RANGE,NODE,['Person'],['age']\n"
    );
    let (code, _, err) = factgraph(dir.path(), &["-c", "DROP INDEX index_Person_age"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(count("SHOW RANGE INDEXES").lines().count(), 1);
    let (code, _, err) = factgraph(dir.path(), &["-c", "DROP INDEX index_Person_age"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("there is no index called 'index_Person_age'"),
        "{err}"
    );
}

fn exec(db: &mut Database, q: &str) -> QueryResult {
    let mut r = db
        .run(q, &Params::new(), &ExecOptions::default())
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    r.pop().unwrap_or_default()
}

/// Opens for writing with checkpoints off, so that dropping it is a crash.
fn open_no_ckpt(path: &Path) -> Database {
    let (mut db, _) = Database::open(path).unwrap();
    db.set_checkpoint_on_drop(false);
    db.set_checkpoint_threshold(u64::MAX);
    db
}

fn index_names(db: &Database) -> Vec<String> {
    db.graph()
        .prop_indexes()
        .map(|ix| format!("{} {}", ix.name(), ix.len()))
        .collect()
}

#[test]
fn create_and_drop_index_are_replayed_from_the_log_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.fg");
    let mut db = open_no_ckpt(&path);
    exec(&mut db, "UNWIND range(1, 50) AS i CREATE (:N {k: i % 5})");
    db.checkpoint().unwrap();
    exec(&mut db, "CREATE INDEX gone FOR (n:N) ON (n.j)");
    exec(&mut db, "CREATE INDEX by_k FOR (n:N) ON (n.k)");
    // Writes after the index is created, all only in the log.
    exec(&mut db, "MATCH (n:N) WHERE n.k = 1 SET n.k = 9");
    exec(&mut db, "CREATE (:N {k: 9}), (:M {k: 9})");
    exec(&mut db, "DROP INDEX gone");
    // A failing index statement reaches neither the graph nor the log.
    let log = db.log_size();
    assert!(
        db.run(
            "CREATE INDEX by_k FOR (m:M) ON (m.k)",
            &Params::new(),
            &ExecOptions::default()
        )
        .is_err()
    );
    assert_eq!(db.log_size(), log);
    let expected = persist::encode(db.graph());
    assert_eq!(index_names(&db), ["by_k 51"]);
    drop(db); // no checkpoint: a crash
    let mut db = open_no_ckpt(&path);
    assert_eq!(persist::encode(db.graph()), expected);
    assert_eq!(index_names(&db), ["by_k 51"]);
    let ix = db.graph().prop_index("N", "k").unwrap();
    assert_eq!(ix.get(&9.into()).map(|v| v.len()), Some(11));
    assert_eq!(ix.get(&1.into()).map(|v| v.len()), Some(0));
    let plan = exec(&mut db, "EXPLAIN MATCH (n:N {k: 9}) RETURN n")
        .plan
        .unwrap();
    assert!(plan.contains("property index 'by_k'"), "{plan}");
    // A checkpoint folds it into the snapshot (format 4), which keeps it.
    db.checkpoint().unwrap();
    drop(db);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes[8..12], 4u32.to_le_bytes());
    let (db, _) = Database::open(&path).unwrap();
    assert_eq!(index_names(&db), ["by_k 51"]);
    assert_eq!(persist::encode(db.graph()), expected);
}

/// A read-only view sees the index; creating one there is refused.
#[test]
fn a_reader_sees_indexes_and_cannot_create_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.fg");
    let mut db = open_no_ckpt(&path);
    exec(&mut db, "CREATE (:N {k: 1}), (:N {k: 1.0}), (:N {k: '1'})");
    exec(&mut db, "CREATE INDEX FOR (n:N) ON (n.k)");
    let mut ro = Database::open_read_only(&path).unwrap();
    assert_eq!(index_names(&ro), ["index_N_k 3"]);
    let r = exec(&mut ro, "MATCH (n:N {k: 1}) RETURN count(*) AS c");
    assert_eq!(r.rows, [[factgraph::model::Value::Int(2)]]);
    let e = ro
        .run(
            "CREATE INDEX FOR (n:N) ON (n.x)",
            &Params::new(),
            &ExecOptions::default(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("read-only"), "{e}");
    assert_eq!(index_names(&ro), ["index_N_k 3"]);
}
