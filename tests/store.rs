//! The store file as a user meets it: created, reopened, and refused (and
//! left byte-for-byte untouched) when damaged or from a newer factgraph.

use std::fs;

use factgraph::db::{Database, Opened};
use factgraph::error::{Error, StoreError};
use factgraph::model::{FDate, Props, Value};
use factgraph::store::{Graph, persist};

fn sample() -> Graph {
    let mut g = Graph::new();
    let mut p = Props::new();
    p.insert("name".into(), "Außenministerrat".into());
    p.insert(
        "date".into(),
        Value::Date(FDate::parse("~2024-05").unwrap()),
    );
    let a = g.create_node(vec!["Organisation".into()], p).unwrap();
    let b = g.create_node(vec!["City".into()], Props::new()).unwrap();
    g.create_rel(a, b, "MEETS_IN".into(), Props::new()).unwrap();
    g
}

#[test]
fn missing_file_opens_empty_and_is_written_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.fg");
    let (db, how) = Database::open(&path).unwrap();
    assert_eq!(how, Opened::Created);
    assert_eq!(db.graph().node_count(), 0);
    assert!(!path.exists(), "opening must not create the file");
    // The open database holds the writer's lock until it is dropped.
    drop(db);
    persist::save(&path, &sample()).unwrap();
    let (db, how) = Database::open(&path).unwrap();
    assert_eq!(how, Opened::Existing);
    assert_eq!(db.graph().node_count(), 2);
    assert_eq!(db.graph().lookup("aussenministerrat").len(), 1);
    // No temporary file is left beside the store: only the store, its log
    // and its lock file.
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["new.fg", "new.fg-wal", "new.fg.lock"]);
}

fn refused(bytes: &[u8]) -> StoreError {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.fg");
    fs::write(&path, bytes).unwrap();
    let err = match Database::open(&path) {
        Err(Error::Store(e)) => e,
        Err(e) => panic!("expected a store error, got {e}"),
        Ok(_) => panic!("a damaged store was opened"),
    };
    assert_eq!(
        fs::read(&path).unwrap(),
        bytes,
        "a refused file must be left untouched"
    );
    let msg = err.to_string();
    assert!(msg.contains("bad.fg"), "the message names the file: {msg}");
    err
}

#[test]
fn damaged_files_are_refused_with_a_reason() {
    let good = persist::encode(&sample());
    assert!(refused(b"").to_string().contains("empty"));
    assert!(
        refused(b"digraph { a -> b }")
            .to_string()
            .contains("not a factgraph store")
    );
    for cut in [10, 24, good.len() / 2, good.len() - 1] {
        assert!(
            refused(&good[..cut]).to_string().contains("truncated"),
            "cut at {cut}"
        );
    }
    let mut flipped = good.clone();
    let i = good.len() - 3;
    flipped[i] ^= 1;
    assert!(refused(&flipped).to_string().contains("checksum"));
    // A flipped bit anywhere after the header and the sections' bounds (in
    // the nodes, the relationships, which another thread decodes while
    // this one checks their bytes, or the tail) is found.
    for i in 24 + 16..good.len() {
        let mut flipped = good.clone();
        flipped[i] ^= 0x10;
        let msg = refused(&flipped).to_string();
        assert!(msg.contains("checksum"), "byte {i}: {msg}");
    }
    let mut newer = good.clone();
    newer[8..12].copy_from_slice(&(persist::FORMAT_VERSION + 1).to_le_bytes());
    assert!(refused(&newer).to_string().contains("newer"));
}
