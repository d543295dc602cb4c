//! The fuzz targets' inputs, replayed in a normal `cargo test`: every file
//! under `fuzz/corpus-seed/<target>/` (the starting corpus) and
//! `tests/fuzz-regressions/<target>/` (inputs that once found a bug) is fed
//! to the function the fuzz target calls (`fuzz/harness.rs`), on a thread
//! with a 2 MB stack. None may panic or overflow the stack.
//!
//! `write_seed_corpus` (ignored) writes the generated part of the starting
//! corpus: `cargo test --test fuzz_regressions -- --ignored`.

use std::fs;
use std::path::{Path, PathBuf};

#[path = "../fuzz/harness.rs"]
mod harness;

use factgraph::model::{FDate, Props, Value};
use factgraph::store::{Change, Graph, persist};

/// A fuzz target's name and the function it calls on each input.
type Target = (&'static str, fn(&[u8]));

const TARGETS: &[Target] = &[
    ("query_parser", harness::query_parser),
    ("query_exec", harness::query_exec),
    ("fact_loader", harness::fact_loader),
    ("store_decoder", harness::store_decoder),
    ("wal_record", harness::wal_record),
    ("csv_import", harness::csv_import),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => vec![],
    };
    v.sort();
    v
}

/// Feeds every file of `dir/<target>/` to its target; returns how many.
fn replay(dir: &str, target: &str, f: fn(&[u8])) -> usize {
    let inputs = files(&root().join(dir).join(target));
    let n = inputs.len();
    for path in inputs {
        let data = fs::read(&path).unwrap();
        let shown = path.display().to_string();
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || f(&data))
            .unwrap()
            .join()
            .unwrap_or_else(|_| panic!("{shown} panicked"));
    }
    n
}

#[test]
fn seed_corpus_runs_clean() {
    for (target, f) in TARGETS {
        let n = replay("fuzz/corpus-seed", target, *f);
        assert!(n > 0, "fuzz/corpus-seed/{target}/ is empty");
    }
}

#[test]
fn regression_inputs_run_clean() {
    let mut total = 0;
    for (target, f) in TARGETS {
        total += replay("tests/fuzz-regressions", target, *f);
    }
    assert!(total > 0, "tests/fuzz-regressions/ holds no input");
}

/// Every target directory is one the harness knows, so an input is never
/// committed where nothing replays it.
#[test]
fn no_input_is_left_unreplayed() {
    for dir in ["fuzz/corpus-seed", "tests/fuzz-regressions"] {
        for entry in fs::read_dir(root().join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                TARGETS.iter().any(|(t, _)| *t == name),
                "{dir}/{name} is not a fuzz target"
            );
        }
    }
}

// ---- the generated part of the starting corpus ---------------------------

fn sample() -> Graph {
    let mut g = Graph::new();
    let mut p = Props::new();
    p.insert("name".into(), Value::from("Außenministerrat"));
    p.insert(
        "date".into(),
        Value::Date(FDate::parse("~2024-05").unwrap()),
    );
    p.insert(
        "aliases".into(),
        Value::List(vec![Value::from("AMR"), Value::from("Rat")]),
    );
    let a = g.create_node(vec!["Organisation".into()], p).unwrap();
    let b = g.create_node(vec!["City".into()], Props::new()).unwrap();
    let c = g.create_node(vec!["City".into()], Props::new()).unwrap();
    let mut w = Props::new();
    w.insert("weight".into(), Value::Float(0.5));
    w.insert("n".into(), Value::Int(-3));
    w.insert("ok".into(), Value::Bool(true));
    g.create_rel(a, b, "MEETS_IN".into(), w).unwrap();
    g.create_rel(b, c, "NEAR".into(), Props::new()).unwrap();
    g.detach_delete_node(c).unwrap();
    g
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = root().join("fuzz/corpus-seed").join(target);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(name), bytes).unwrap();
}

#[test]
#[ignore = "writes fuzz/corpus-seed; run by hand when the formats change"]
fn write_seed_corpus() {
    // Store files: whole (first byte even) and payload-only (first byte odd).
    let empty = persist::encode(&Graph::new());
    let small = persist::encode(&sample());
    let schema =
        factgraph::seed::parse_schema(factgraph::seed::SCHEMA.name, factgraph::seed::SCHEMA.text)
            .unwrap();
    let with_schema = persist::encode(&Graph::with_schema(schema));
    for (name, bytes) in [
        ("empty", &empty),
        ("sample", &small),
        ("schema", &with_schema),
    ] {
        write(
            "store_decoder",
            &format!("{name}.fg"),
            &[[0u8].as_slice(), bytes].concat(),
        );
        write(
            "store_decoder",
            &format!("{name}.payload"),
            &[[1u8].as_slice(), &bytes[24..]].concat(),
        );
    }
    // Format 4 (numbers of fixed width) as well; a payload's first byte 7
    // frames it as format 4.
    let v4 = persist::encode_v4(&sample());
    write(
        "store_decoder",
        "sample-v4.fg",
        &[[0u8].as_slice(), &v4].concat(),
    );
    write(
        "store_decoder",
        "sample-v4.payload",
        &[[7u8].as_slice(), &v4[24..]].concat(),
    );
    // Log records.
    let mut g = sample();
    g.start_journal();
    let n = g.create_node(vec!["Person".into()], Props::new()).unwrap();
    g.set_node_prop(n, "name", Value::from("Aleinik")).unwrap();
    g.add_label(n, "Minister").unwrap();
    let r = g
        .create_rel(
            n,
            factgraph::model::NodeId(0),
            "VISITS".into(),
            Props::new(),
        )
        .unwrap();
    g.set_rel_prop(r, "year", Value::Int(2024)).unwrap();
    g.remove_label(n, "Minister").unwrap();
    g.delete_rel(r).unwrap();
    g.delete_node(n).unwrap();
    let changes = g.take_journal();
    write(
        "wal_record",
        "all-kinds",
        &persist::encode_changes(&changes),
    );
    write(
        "wal_record",
        "schema",
        &persist::encode_changes(&[Change::SetSchema(Graph::new().schema().cloned())]),
    );
}
