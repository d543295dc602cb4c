//! The write-ahead log as a user meets it: commits survive a process that
//! never checkpoints, replay gives the same ids, a torn tail is dropped and
//! reported, damage anywhere else is refused with the files left untouched.

use std::fs;
use std::path::{Path, PathBuf};

use factgraph::db::{Database, Opened};
use factgraph::error::{Error, QueryError, StoreError};
use factgraph::model::{FDate, NodeId, Props, Value};
use factgraph::store::wal::wal_path;
use factgraph::store::{Graph, persist};

fn props(kv: &[(&str, Value)]) -> Props {
    kv.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// Opens for writing with checkpoints off, so that dropping it is a crash.
fn open_no_ckpt(path: &Path) -> Database {
    let (mut db, _) = Database::open(path).unwrap();
    db.set_checkpoint_on_drop(false);
    db.set_checkpoint_threshold(u64::MAX);
    db
}

fn store_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("s.fg")
}

/// A store with a checkpointed part that has holes, and a logged part that
/// deletes and re-creates so that slots are reused. Returns the graph as the
/// writer had it.
fn build(path: &Path) -> Graph {
    let mut db = open_no_ckpt(path);
    let ids: Vec<NodeId> = (0..8)
        .map(|i| {
            db.write(|g| {
                g.create_node(
                    vec!["Person".into()],
                    props(&[("name", format!("p{i}").into())]),
                )
            })
            .unwrap()
        })
        .collect();
    db.write(|g| g.create_rel(ids[0], ids[1], "KNOWS".into(), Props::new()))
        .unwrap();
    for &i in &[2, 5, 3] {
        db.write(|g| g.delete_node(ids[i])).unwrap();
    }
    db.checkpoint().unwrap();
    // After a reload the free list holds 2, 3, 5 in another order than this
    // process has it (3, 5, 2): replay must not let the graph choose.
    for &i in &[6, 7] {
        db.write(|g| g.detach_delete_node(ids[i]).map(|_| ()))
            .unwrap();
    }
    for k in 0..4 {
        db.write(|g| {
            let n = g.create_node(
                vec!["City".into()],
                props(&[("name", format!("c{k}").into())]),
            )?;
            g.create_rel(ids[0], n, "VISITED".into(), props(&[("k", Value::Int(k))]))?;
            g.set_node_prop(ids[1], "seen", Value::Int(k))?;
            g.add_label(n, "Place")?;
            Ok(())
        })
        .unwrap();
    }
    db.write(|g| g.remove_label(ids[0], "Person").map(|_| ()))
        .unwrap();
    assert!(
        db.log_size().1 > 0,
        "the tail of the work is only in the log"
    );
    db.graph().clone()
}

#[test]
fn replay_gives_the_same_graph_with_the_same_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    let expected = build(&path);
    let (db, how) = Database::open(&path).unwrap();
    assert_eq!(how, Opened::Existing);
    assert!(db.recovery().is_none());
    assert_eq!(persist::encode(db.graph()), persist::encode(&expected));
    assert_eq!(db.graph().lookup("c3").len(), 1);
    assert_eq!(db.graph().nodes_with_label("Person").count(), 2);
    drop(db); // checkpoints
    assert_eq!(
        fs::metadata(wal_path(&path)).unwrap().len(),
        36,
        "a clean close leaves an empty log"
    );
    let (db, _) = Database::open(&path).unwrap();
    assert_eq!(persist::encode(db.graph()), persist::encode(&expected));
}

#[test]
fn a_failed_write_reaches_neither_graph_nor_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    let mut db = open_no_ckpt(&path);
    db.write(|g| g.create_node(vec![], Props::new())).unwrap();
    let log = db.log_size();
    let err = db.write(|g| {
        g.create_node(vec![], Props::new())?;
        Err::<(), _>(QueryError::semantic("Test", "fails after a change"))
    });
    assert!(err.is_err());
    assert_eq!(db.graph().node_count(), 1);
    assert_eq!(db.log_size(), log);
    drop(db);
    let (db, _) = Database::open(&path).unwrap();
    assert_eq!(db.graph().node_count(), 1);
}

/// A Cypher statement that fails after detach-deleting nodes, creating in
/// their freed slots and setting properties is undone exactly: the same
/// bytes, the same log, and later writes get the ids they would have got;
/// replay after a crash agrees.
#[test]
fn a_failed_cypher_statement_is_undone_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    let expected = build(&path);
    let mut db = open_no_ckpt(&path);
    assert_eq!(persist::encode(db.graph()), persist::encode(&expected));
    let (bytes, log) = (persist::encode(db.graph()), db.log_size());
    let (p, o) = (Default::default(), Default::default());
    let failing = "MATCH (a {name: 'p0'})-[r]->(c:City) DETACH DELETE c \
                   WITH a, count(r) AS n SET a.name = 'gone', a:Gone \
                   CREATE (x:New {name: 'x'})-[:R]->(a) RETURN n / 0";
    let err = db.run(failing, &p, &o).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("zero"), "fails at the end, not before: {err}");
    assert_eq!(persist::encode(db.graph()), bytes);
    assert_eq!(db.log_size(), log);
    assert_eq!(db.graph().lookup("p0").len(), 1);
    assert!(db.graph().lookup("gone").is_empty());
    assert_eq!(db.graph().nodes_with_label("Gone").count(), 0);
    assert_eq!(db.graph().nodes_with_label("City").count(), 4);
    // The free lists are as before: the same ids as in the untouched copy.
    let mut twin = expected.clone();
    let want = twin.create_node(vec![], Props::new()).unwrap();
    let r = db.run("CREATE (n) RETURN id(n) AS id", &p, &o).unwrap();
    assert_eq!(r[0].rows[0][0], Value::Int(want.0 as i64));
    let after = persist::encode(db.graph());
    drop(db); // no checkpoint: a crash
    let (db, _) = Database::open(&path).unwrap();
    assert_eq!(persist::encode(db.graph()), after);
}

#[test]
fn a_second_writer_in_the_same_process_is_refused_and_a_reader_sees_commits() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    let mut db = open_no_ckpt(&path);
    db.write(|g| g.create_node(vec![], props(&[("name", "x".into())])))
        .unwrap();
    db.write(|g| g.create_node(vec![], Props::new())).unwrap();
    match Database::open(&path) {
        Err(Error::Store(StoreError::Locked { pid, .. })) => {
            assert_eq!(pid, Some(std::process::id()))
        }
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("two writers"),
    }
    let mut ro = Database::open_read_only(&path).unwrap();
    assert!(ro.is_read_only());
    assert_eq!(ro.graph().node_count(), 2);
    let err = ro
        .write(|g| g.create_node(vec![], Props::new()))
        .unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(ro.graph().node_count(), 2);
    drop(db);
    Database::open(&path).unwrap();
}

/// Log bytes of a store with three logged statements, and the offsets where
/// each record ends.
fn three_logged(path: &Path) -> (Vec<u8>, Vec<u64>) {
    let mut db = open_no_ckpt(path);
    let mut ends = vec![];
    for i in 0..3 {
        db.write(|g| g.create_node(vec![], props(&[("i", Value::Int(i))])))
            .unwrap();
        ends.push(db.log_size().0);
    }
    drop(db);
    (fs::read(wal_path(path)).unwrap(), ends)
}

#[test]
fn a_torn_tail_is_dropped_kept_aside_and_reported_at_every_length() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    let (log, ends) = three_logged(&path);
    let snap = fs::read(&path).unwrap();
    for cut in ends[1]..ends[2] {
        fs::write(&path, &snap).unwrap();
        fs::write(wal_path(&path), &log[..cut as usize]).unwrap();
        let (db, _) = Database::open(&path).unwrap();
        assert_eq!(db.graph().node_count(), 2, "cut at {cut}");
        if cut == ends[1] {
            assert!(db.recovery().is_none());
        } else {
            let r = db.recovery().expect("the user is told");
            // The first commit of a new store wrote the snapshot; the log
            // holds the other two, of which the first is kept.
            assert_eq!((r.kept, r.dropped_bytes), (1, cut - ends[1]));
            let saved = r.saved_to.clone().expect("the bytes are kept aside");
            assert_eq!(
                fs::read(&saved).unwrap(),
                &log[ends[1] as usize..cut as usize]
            );
            fs::remove_file(saved).unwrap();
            assert!(r.to_string().contains("dropped"));
        }
        drop(db);
    }
}

#[test]
fn a_damaged_log_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    let (log, ends) = three_logged(&path);
    let snap = fs::read(&path).unwrap();
    let refused = |bytes: &[u8]| -> StoreError {
        fs::write(&path, &snap).unwrap();
        fs::write(wal_path(&path), bytes).unwrap();
        let e = match Database::open(&path) {
            Err(Error::Store(e)) => e,
            Err(e) => panic!("not a store error: {e}"),
            Ok(_) => panic!("opened"),
        };
        assert_eq!(fs::read(wal_path(&path)).unwrap(), bytes, "log untouched");
        assert_eq!(fs::read(&path).unwrap(), snap, "snapshot untouched");
        e
    };
    // Every byte of the first two records: damage with intact records after it.
    for i in 36..ends[1] as usize {
        let mut b = log.clone();
        b[i] ^= 0x04;
        assert!(
            matches!(refused(&b), StoreError::Corrupt { .. }),
            "flip at {i}"
        );
    }
    // A file of another format where the log should be.
    assert!(matches!(
        refused(b"PK\x03\x04 a zip file, not a log"),
        StoreError::NotAStore { .. }
    ));
    // A newer log format.
    let mut newer = log.clone();
    newer[8] = 9;
    let crc = crc32(&newer[..32]);
    newer[32..36].copy_from_slice(&crc.to_le_bytes());
    assert!(matches!(refused(&newer), StoreError::NewerVersion { .. }));
    // A damaged header with records after it.
    let mut head = log.clone();
    head[14] ^= 1;
    assert!(matches!(refused(&head), StoreError::Corrupt { .. }));
    // Flips in the last record read as a torn tail: dropped and reported,
    // the two statements before it kept; never a partial statement.
    for i in ends[1] as usize..ends[2] as usize {
        let mut b = log.clone();
        b[i] ^= 0x04;
        fs::write(&path, &snap).unwrap();
        fs::write(wal_path(&path), &b).unwrap();
        let (db, _) = Database::open(&path).unwrap();
        assert_eq!(db.graph().node_count(), 2);
        let r = db.recovery().expect("reported");
        if let Some(s) = &r.saved_to {
            fs::remove_file(s).unwrap();
        }
    }
}

fn crc32(b: &[u8]) -> u32 {
    // The same CRC-32 (IEEE) the store uses, bit by bit, so the test does
    // not depend on the crate it checks.
    let mut c = !0u32;
    for &x in b {
        c ^= u32::from(x);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

#[test]
fn empty_and_stale_logs_are_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    let (log, _) = three_logged(&path);
    // A zero-length log (its creation was cut short): the snapshot alone,
    // which has the first statement (the one that created the store).
    fs::write(wal_path(&path), b"").unwrap();
    let (db, _) = Database::open(&path).unwrap();
    assert_eq!(db.graph().node_count(), 1);
    drop(db);
    // A log left over from a checkpoint that died after renaming the new
    // snapshot in: its records are in the snapshot and must not run twice.
    fs::write(wal_path(&path), &log).unwrap();
    let (mut db, _) = Database::open(&path).unwrap();
    assert_eq!(db.graph().node_count(), 3);
    db.checkpoint().unwrap();
    drop(db);
    fs::write(wal_path(&path), &log).unwrap();
    let report = factgraph::store::check(&path).unwrap();
    assert!(report.stale_log);
    assert_eq!(report.nodes, 3);
    let (db, _) = Database::open(&path).unwrap();
    assert_eq!(db.graph().node_count(), 3);
}

#[test]
fn a_log_without_its_snapshot_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    three_logged(&path);
    fs::remove_file(&path).unwrap();
    assert!(matches!(
        Database::open(&path),
        Err(Error::Store(StoreError::Corrupt { .. }))
    ));
}

#[test]
fn check_and_backup_while_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    let expected = build(&path);
    let (db, _) = Database::open(&path).unwrap();
    let mut db = db;
    db.set_checkpoint_on_drop(false);
    let r = factgraph::store::check(&path).unwrap();
    assert_eq!(
        (r.nodes, r.rels),
        (expected.node_count(), expected.rel_count())
    );
    assert!(r.log_records > 0 && !r.stale_log && r.recovery.is_none());
    assert!(r.to_string().contains("relationships"), "{r}");
    // `factgraph backup` from another process's point of view: no lock needed.
    let copy = dir.path().join("copy.fg");
    factgraph::store::backup(&path, &copy).unwrap();
    assert_eq!(
        persist::encode(&persist::load(&copy).unwrap()),
        persist::encode(&expected)
    );
    // `:backup` from the shell that has it open.
    let copy2 = dir.path().join("copy2.fg");
    db.backup(&copy2).unwrap();
    assert_eq!(fs::read(&copy).unwrap(), fs::read(&copy2).unwrap());
    // Never over the store's own files.
    assert!(db.backup(&path).is_err());
    assert!(factgraph::store::backup(&path, &wal_path(&path)).is_err());
    assert!(factgraph::store::check(&dir.path().join("none.fg")).is_err());
}

#[test]
fn hostile_lengths_allocate_nothing() {
    // A valid header and checksum around a payload that claims a list of
    // 2^60 elements: refused by the decoder's limit, not by running out of memory.
    let payload = [0xFDu8, 0, 0, 0, 0, 0, 0, 0, 0x10];
    let mut f = b"FACTGRPH".to_vec();
    f.extend_from_slice(&1u32.to_le_bytes());
    f.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    f.extend_from_slice(&crc32(&payload).to_le_bytes());
    f.extend_from_slice(&payload);
    assert!(f.len() < 40);
    assert!(matches!(
        persist::decode(&f, "hostile"),
        Err(StoreError::Corrupt { .. })
    ));
    assert!(persist::decode_changes(&payload).is_err());
}

#[test]
fn the_first_released_format_keeps_loading() {
    // tests/data/v1.fg was written by factgraph 0.1 (store format 1).
    let g = persist::load(Path::new("tests/data/v1.fg")).unwrap();
    assert_eq!((g.node_count(), g.rel_count()), (3, 1));
    let ids: Vec<u32> = g.node_ids().map(|n| n.0).collect();
    assert_eq!(ids, [0, 2, 3], "node 1 was deleted: its hole is kept");
    let a = g.lookup("Außenministerrat");
    assert_eq!(a.len(), 1);
    let node = g.node(a[0]).unwrap();
    assert_eq!(node.labels, ["Organisation"]);
    assert_eq!(
        node.props.get("since").as_deref(),
        Some(&Value::Date(FDate::parse("~2024-05").unwrap()))
    );
    assert_eq!(
        node.props.get("aliases").as_deref(),
        Some(&Value::List(vec!["AMR".into(), "Rat".into()]))
    );
    let r = g.rel_ids().next().unwrap();
    assert_eq!(g.rel(r).unwrap().rel_type, "MEETS_IN");
    assert_eq!(
        g.rel(r).unwrap().props.get("weight").as_deref(),
        Some(&Value::Float(0.5))
    );
    assert!(g.schema().is_none());
}

#[test]
fn every_flipped_byte_and_every_truncation_of_a_snapshot_is_refused() {
    let good = fs::read("tests/data/v1.fg").unwrap();
    for i in 0..good.len() {
        for bit in [0x01u8, 0x80] {
            let mut b = good.clone();
            b[i] ^= bit;
            assert!(persist::decode(&b, "f").is_err(), "flip {bit:#x} at {i}");
        }
    }
    for cut in 0..good.len() {
        assert!(persist::decode(&good[..cut], "f").is_err(), "cut at {cut}");
    }
    let mut longer = good.clone();
    longer.push(0);
    assert!(persist::decode(&longer, "f").is_err());
}

fn exec(db: &mut Database, q: &str) -> factgraph::query::QueryResult {
    let (p, o) = (Default::default(), Default::default());
    let mut r = db.run(q, &p, &o).unwrap_or_else(|e| panic!("{q}: {e}"));
    r.pop().unwrap_or_default()
}

/// The property indexes by name, with how many nodes each holds.
fn indexes(db: &Database) -> Vec<String> {
    let ixs = db.graph().prop_indexes();
    ixs.map(|ix| format!("{} {}", ix.name(), ix.len()))
        .collect()
}

#[test]
fn create_and_drop_index_are_replayed_from_the_log_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
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
    let (p, o) = (Default::default(), Default::default());
    assert!(
        db.run("CREATE INDEX by_k FOR (m:M) ON (m.k)", &p, &o)
            .is_err()
    );
    assert_eq!(db.log_size(), log);
    let expected = persist::encode(db.graph());
    assert_eq!(indexes(&db), ["by_k 51"]);
    drop(db); // no checkpoint: a crash
    let mut db = open_no_ckpt(&path);
    assert_eq!(persist::encode(db.graph()), expected);
    assert_eq!(indexes(&db), ["by_k 51"]);
    let ix = db.graph().prop_index("N", "k").unwrap();
    assert_eq!(ix.get(&Value::Int(9)).map(|v| v.len()), Some(11));
    assert_eq!(ix.get(&Value::Int(1)).map(|v| v.len()), Some(0));
    let plan = exec(&mut db, "EXPLAIN MATCH (n:N {k: 9}) RETURN n").plan;
    assert!(plan.is_some_and(|p| p.contains("property index 'by_k'")));
    // A checkpoint folds it into the snapshot (format 4 on), which keeps it.
    db.checkpoint().unwrap();
    drop(db);
    let bytes = fs::read(&path).unwrap();
    assert_eq!(bytes[8..12], persist::PLAIN_VERSION.to_le_bytes());
    let (db, _) = Database::open(&path).unwrap();
    assert_eq!(indexes(&db), ["by_k 51"]);
    assert_eq!(persist::encode(db.graph()), expected);
}

/// A reader sees the writer's indexes (replayed from its log) and cannot
/// create one.
#[test]
fn a_reader_sees_indexes_and_cannot_create_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    let mut db = open_no_ckpt(&path);
    exec(&mut db, "CREATE (:N {k: 1}), (:N {k: 1.0}), (:N {k: '1'})");
    exec(&mut db, "CREATE INDEX FOR (n:N) ON (n.k)");
    let mut ro = Database::open_read_only(&path).unwrap();
    assert_eq!(indexes(&ro), ["index_N_k 3"]);
    let r = exec(&mut ro, "MATCH (n:N {k: 1}) RETURN count(*) AS c");
    assert_eq!(r.rows, [[Value::Int(2)]]);
    let (p, o) = (Default::default(), Default::default());
    let e = ro
        .run("CREATE INDEX FOR (n:N) ON (n.x)", &p, &o)
        .unwrap_err();
    assert!(e.to_string().contains("read-only"), "{e}");
    assert_eq!(indexes(&ro), ["index_N_k 3"]);
}

/// Each batch of `CALL { } IN TRANSACTIONS` is logged and synced as it
/// ends: after a batch fails, and the process dies without a checkpoint,
/// the batches before it are in the store and the failed one is not; the
/// log grew by one record a committed batch.
#[test]
fn each_batch_of_in_transactions_is_in_the_log_when_the_statement_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    let mut db = open_no_ckpt(&path);
    // The first commit of a new store is its snapshot; the log starts after.
    exec(&mut db, "CREATE (:Seed)");
    let records = |db: &Database| db.log_size().1;
    assert_eq!(records(&db), 0);
    let (p, o) = (Default::default(), Default::default());
    let q = "UNWIND [4, 2, 1, 0, 5] AS i CALL (i) { CREATE (:P {num: 100 / i}) } IN TRANSACTIONS OF 2 ROWS";
    let err = db.run(q, &p, &o).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("Transactions committed: 1"), "{err}");
    assert_eq!(
        records(&db),
        1,
        "the first batch, and nothing of the second"
    );
    // A record a batch; the statement's own commit adds none when it
    // writes nothing outside them, one when it does.
    let r = exec(
        &mut db,
        "UNWIND range(1, 4) AS i CALL (i) { CREATE (:Q {i: i}) } IN TRANSACTIONS OF 2 ROWS",
    );
    assert_eq!(r.stats.transactions_committed, 2);
    assert_eq!(records(&db), 3);
    exec(
        &mut db,
        "UNWIND range(5, 6) AS i CALL (i) { CREATE (:Q {i: i}) } IN TRANSACTIONS CREATE (:Done)",
    );
    assert_eq!(records(&db), 5);
    drop(db); // no checkpoint: a crash
    let (mut db, _) = Database::open(&path).unwrap();
    let r = exec(&mut db, "MATCH (p:P) RETURN p.num ORDER BY p.num");
    assert_eq!(r.rows, [[Value::Int(25)], [Value::Int(50)]]);
    let r = exec(&mut db, "MATCH (q:Q) RETURN count(q)");
    assert_eq!(r.rows, [[Value::Int(6)]]);
    // One :Done a row of the two, in the statement's own record.
    let r = exec(&mut db, "MATCH (d:Done) RETURN count(d)");
    assert_eq!(r.rows, [[Value::Int(2)]]);
}

/// A relationship uniqueness holds in a store reopened from its snapshot
/// and from its log: the writes the log replays (a relationship created,
/// one deleted, a key moved) count as they did for the writer.
#[test]
fn a_relationship_uniqueness_holds_after_reopening_from_the_snapshot_and_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_in(&dir);
    let add = |p: &str| format!("MATCH (a:A), (b:B) CREATE (a)-[:T {{p: {p}}}]->(b)");
    let refused = |db: &mut Database, q: &str, what: &str| {
        let (p, o) = (Default::default(), Default::default());
        let log = db.log_size();
        let e = match db.run(q, &p, &o) {
            Err(Error::Query(e)) => e,
            other => panic!("{q}: expected a constraint error, got {other:?}"),
        };
        assert_eq!(e.detail, "ConstraintValidationFailed", "{q}: {e:?}");
        assert!(e.message.contains(what), "{q}: {}", e.message);
        assert_eq!(db.log_size(), log, "{q} reached the log");
    };
    let mut db = open_no_ckpt(&path);
    exec(
        &mut db,
        "CREATE (a:A), (b:B) WITH a, b UNWIND range(0, 99) AS i CREATE (a)-[:T {p: i}]->(b)",
    );
    exec(
        &mut db,
        "CREATE CONSTRAINT tp FOR ()-[r:T]-() REQUIRE r.p IS UNIQUE",
    );
    refused(
        &mut db,
        &add("7"),
        "relationships 7 and 100 (:T) both have p = 7",
    );
    db.checkpoint().unwrap();
    // Only in the log from here.
    exec(&mut db, &add("100"));
    exec(&mut db, "MATCH ()-[r:T {p: 5}]->() DELETE r");
    exec(&mut db, "MATCH ()-[r:T {p: 6}]->() SET r.p = 106");
    refused(&mut db, &add("106"), "both have p = 106");
    let expected = persist::encode(db.graph());
    drop(db); // no checkpoint: a crash
    let mut db = open_no_ckpt(&path);
    assert_eq!(persist::encode(db.graph()), expected);
    for (p, what) in [
        ("100", "both have p = 100"),
        ("106.0", "both have p = 106"),
        // The new one takes the deleted one's slot.
        ("7", "relationships 5 and 7 (:T) both have p = 7"),
    ] {
        refused(&mut db, &add(p), what);
    }
    for p in ["5", "6"] {
        exec(&mut db, &add(p));
    }
    // Folded into the snapshot, and opened from it alone.
    db.checkpoint().unwrap();
    drop(db);
    let (mut db, _) = Database::open(&path).unwrap();
    for p in ["5", "6", "100", "106", "0"] {
        refused(&mut db, &add(p), &format!("both have p = {p}"));
    }
    exec(&mut db, &add("107"));
    let r = exec(
        &mut db,
        "MATCH ()-[r:T]->() RETURN count(r), count(DISTINCT r.p)",
    );
    assert_eq!(r.rows, [[Value::Int(103), Value::Int(103)]]);
}
