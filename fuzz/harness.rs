//! What each fuzz target does with one input, shared by the targets in
//! `fuzz_targets/` and by `tests/fuzz_regressions.rs`, which feeds the
//! committed inputs to the same functions in a normal `cargo test`.
//!
//! Each function must not panic on any input: errors are expected and
//! ignored; a panic, an abort or a stack overflow is a bug. The `assert!`s
//! here are properties that must hold for every input that is accepted.

#![allow(dead_code)] // each target uses one function

use std::sync::OnceLock;

use factgraph::import::csv::import_csv;
use factgraph::model::{Props, Value};
use factgraph::query::{ExecOptions, Params, execute, parse_script};
use factgraph::seed;
use factgraph::store::{Graph, persist};

/// Parses a script; a script that parses prints as text that parses again.
pub fn query_parser(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(script) = parse_script(text) else {
        return;
    };
    let printed = script.to_string();
    if let Err(e) = parse_script(&printed) {
        panic!("the printed script does not parse: {e}\ninput:   {text:?}\nprinted: {printed:?}");
    }
}

/// How many statements of one input are run, and how long an input may be:
/// a short script on a three-node graph keeps every run fast.
const EXEC_MAX_STATEMENTS: usize = 4;
pub const EXEC_MAX_LEN: usize = 400;

/// Parses a script and runs it against a copy of a three-node graph.
///
/// Queries that are legitimately expensive are skipped rather than run: the
/// evaluator has no memory or time budget (a statement runs to the end), so
/// `range(1, 1e12)` or a cartesian product of ten patterns would only find
/// that. Skipped: numbers of more than three digits, `^` and `*` (powers,
/// products, variable-length patterns), `range`, `reduce`, and more than two
/// `UNWIND`s or `MATCH`es.
pub fn query_exec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.len() > EXEC_MAX_LEN || too_expensive(text) {
        return;
    }
    let Ok(script) = parse_script(text) else {
        return;
    };
    let mut g = exec_graph().clone();
    let opts = ExecOptions::default();
    for stmt in script.statements.iter().take(EXEC_MAX_STATEMENTS) {
        let mut params = Params::new();
        params.insert("p".into(), Value::Int(1));
        params.insert("s".into(), Value::from("Belarus"));
        // An error must leave the graph as it was; that is checked by the
        // engine's own tests, here only that nothing panics.
        let _ = execute(&mut g, stmt, &params, &opts);
    }
}

fn too_expensive(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let mut digits = 0;
    for c in text.chars() {
        digits = if c.is_ascii_digit() { digits + 1 } else { 0 };
        if digits > 3 {
            return true;
        }
    }
    text.contains(['^', '*'])
        || lower.contains("range")
        || lower.contains("reduce")
        || lower.matches("unwind").count() > 2
        || lower.matches("match").count() > 2
        || lower.matches("merge").count() > 2
        || lower.matches("foreach").count() > 1
        || lower.matches(',').count() > 8
}

fn exec_graph() -> &'static Graph {
    static G: OnceLock<Graph> = OnceLock::new();
    G.get_or_init(|| {
        let mut g = Graph::new();
        let node = |g: &mut Graph, label: &str, name: &str| {
            let mut p = Props::new();
            p.insert("name".into(), Value::from(name));
            p.insert("n".into(), Value::Int(3));
            g.create_node(vec![label.into()], p)
        };
        let (Ok(a), Ok(b), Ok(c)) = (
            node(&mut g, "State", "Belarus"),
            node(&mut g, "Organisation", "SCO"),
            node(&mut g, "Person", "Aleinik"),
        ) else {
            panic!("the fuzz graph cannot be built");
        };
        let mut since = Props::new();
        since.insert("since".into(), Value::Int(2024));
        let rels = [
            g.create_rel(a, b, "MEMBER_OF".into(), since),
            g.create_rel(c, a, "HOLDS_OFFICE".into(), Props::new()),
            g.create_rel(b, b, "SELF".into(), Props::new()),
        ];
        assert!(
            rels.iter().all(Result::is_ok),
            "the fuzz graph cannot be built"
        );
        g
    })
}

/// The article graph built from the seed, once; each input is loaded into
/// a copy.
fn seed_graph() -> &'static Graph {
    static G: OnceLock<Graph> = OnceLock::new();
    G.get_or_init(|| match seed::build_default() {
        Ok(g) => g,
        Err(e) => panic!("the seed does not build: {e}"),
    })
}

/// Parses a fact file and loads it into the article graph. The article text
/// quotes are checked against is the seed article the file names, or else
/// the input itself, so that quotes are found and the loader gets past them.
pub fn fact_loader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = seed::parse_facts("fuzz.facts", text) else {
        return;
    };
    let article = parsed
        .article_file()
        .and_then(|(name, _)| seed::ARTICLES.iter().find(|a| a.name == name))
        .map_or(text, |a| a.text);
    let mut g = seed_graph().clone();
    let before = (g.node_count(), g.rel_count());
    match seed::load_parsed(&mut g, "fuzz.facts", text, &parsed, article) {
        // A loaded file leaves a graph that keeps its schema.
        Ok(_) => {
            if let Err(e) = g.check_all() {
                panic!("a loaded fact file broke the schema: {}", e.message);
            }
        }
        // All or nothing: a file that fails changes nothing.
        Err(_) => assert_eq!((g.node_count(), g.rel_count()), before),
    }
}

/// Decodes a store file. An input whose first byte is odd is taken as the
/// payload alone and given a correct header (length and checksum), so the
/// fuzzer reaches the decoder behind the checksum; the byte's next bits say
/// which format the header claims (the current one, 2, 3 or 4), so every
/// decoder still in use is reached. An even first byte: a whole file. A
/// graph that decodes encodes and decodes again to the same counts.
pub fn store_decoder(data: &[u8]) {
    let framed;
    let bytes = match data.split_first() {
        Some((first, payload)) if first & 1 == 1 => {
            let version = match (first >> 1) % 4 {
                0 => persist::FORMAT_VERSION,
                v => u32::from(v) + 1,
            };
            framed = frame(payload, version);
            &framed[..]
        }
        Some((_, rest)) => rest,
        None => data,
    };
    let Ok(g) = persist::decode(bytes, "fuzz.fg") else {
        return;
    };
    let again = persist::encode(&g);
    match persist::decode(&again, "fuzz-again.fg") {
        Ok(h) => {
            assert_eq!(g.node_count(), h.node_count());
            assert_eq!(g.rel_count(), h.rel_count());
            assert_eq!(persist::encode(&h), again, "encoding is not stable");
        }
        Err(e) => panic!("a decoded graph does not decode after encoding: {e}"),
    }
    // Reading the decoded graph must not panic either.
    for id in g.node_ids() {
        let _ = g.degree(id);
        let _ = g.out_rels(id).count();
    }
    let _ = g.all_names();
    let _ = g.check_all();
}

/// A store file of format `version` around `payload` with a correct header.
pub fn frame(payload: &[u8], version: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(24 + payload.len());
    out.extend_from_slice(persist::MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Decodes a write-ahead log record's payload and replays it onto a copy
/// of a three-node graph, as opening a store does.
pub fn wal_record(data: &[u8]) {
    let Ok(changes) = persist::decode_changes(data) else {
        return;
    };
    let mut g = exec_graph().clone();
    for change in changes {
        if g.apply(change).is_err() {
            break;
        }
    }
    let _ = g.check_all();
    let _ = persist::encode(&g);
}

/// Imports a nodes file and an edges file, the input split at its first
/// NUL byte (before: nodes.csv, after: edges.csv). On error the graph is
/// unchanged.
pub fn csv_import(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (nodes, edges) = text.split_once('\0').unwrap_or((text, "src,dst,type\n"));
    let mut g = exec_graph().clone();
    if import_csv(nodes, "nodes.csv", edges, "edges.csv", &mut g).is_err() {
        assert_eq!(g.node_count(), exec_graph().node_count());
        assert_eq!(g.rel_count(), exec_graph().rel_count());
    }
}
