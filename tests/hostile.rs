//! Hostile input: deeply nested and huge queries, fact files, CSV and store
//! files. Each must come back as an error (or a result), never as a crash,
//! a stack overflow or an allocation of gigabytes.
//!
//! Every case runs on a thread with a 2 MB stack (the default for spawned
//! threads, a quarter of a main thread's), in whatever profile the tests are
//! built in: a debug build's frames are the largest, so passing here means
//! the recursion limits hold where they are tightest. A stack overflow
//! aborts the whole test binary, which fails `cargo test`.

use factgraph::import::csv::{import_csv, parse_csv};
use factgraph::model::{Props, Value};
use factgraph::query::{ExecOptions, Params, execute, parse_script};
use factgraph::seed::{self, parse_facts};
use factgraph::store::{Graph, persist};

const STACK: usize = 2 << 20;

/// Runs `f` on a thread with a 2 MB stack and returns what it returned.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .expect("spawn a test thread")
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// Parses `src` and, if it parses, runs every statement against a small
/// graph. Returns the first error's message, or None if all ran.
fn run_query(src: String) -> Option<String> {
    on_small_stack(move || {
        let script = match parse_script(&src) {
            Ok(s) => s,
            Err(e) => return Some(e.to_string()),
        };
        let mut g = small_graph();
        for stmt in &script.statements {
            if let Err(e) = execute(&mut g, stmt, &Params::new(), &ExecOptions::default()) {
                return Some(e.to_string());
            }
        }
        None
    })
}

fn small_graph() -> Graph {
    let mut g = Graph::new();
    let mut p = Props::new();
    p.insert("name".into(), Value::from("Belarus"));
    let a = g.create_node(vec!["State".into()], p).unwrap();
    let b = g
        .create_node(vec!["Organisation".into()], Props::new())
        .unwrap();
    g.create_rel(a, b, "MEMBER_OF".into(), Props::new())
        .unwrap();
    g.create_rel(b, a, "HAS_MEMBER".into(), Props::new())
        .unwrap();
    g
}

fn nesting_error(msg: Option<String>, what: &str) {
    let msg = msg.unwrap_or_else(|| panic!("{what}: accepted"));
    assert!(msg.contains("levels of nesting"), "{what}: {msg}");
}

// ---- queries ---------------------------------------------------------------

const DEEP: usize = 100_000;

#[test]
fn deeply_nested_brackets_are_a_syntax_error() {
    for (open, close) in [
        ("(", ")"),
        ("[", "]"),
        ("{a: ", "}"),
        ("[x IN ", " | x]"),
        ("-", ""),
        ("NOT ", ""),
        ("size(", ")"),
        ("CASE WHEN true THEN ", " END"),
    ] {
        let q = format!("RETURN {}1{}", open.repeat(DEEP), close.repeat(DEEP));
        nesting_error(run_query(q), open);
    }
}

#[test]
fn deeply_nested_patterns_and_subqueries_are_a_syntax_error() {
    let q = format!("MATCH {}(a){} RETURN a", "(".repeat(DEEP), ")".repeat(DEEP));
    assert!(run_query(q).is_some());
    let q = format!(
        "RETURN {}true{}",
        "EXISTS { MATCH (a) WHERE ".repeat(DEEP),
        " }".repeat(DEEP)
    );
    nesting_error(run_query(q), "EXISTS");
}

#[test]
fn long_operator_chains_are_a_syntax_error() {
    // Chains are parsed by a loop, not by recursion, but they build a tree
    // as deep as the chain is long, which evaluating, printing and dropping
    // walk recursively.
    for (what, q) in [
        ("+", format!("RETURN 1{}", " + 1".repeat(DEEP))),
        ("AND", format!("RETURN true{}", " AND true".repeat(DEEP))),
        ("<", format!("RETURN 1{}", " < 2".repeat(DEEP))),
        (
            "property",
            format!("WITH {{a: 1}} AS m RETURN m{}", ".a".repeat(DEEP)),
        ),
        ("index", format!("RETURN [1]{}", "[0]".repeat(DEEP))),
        ("slice", format!("RETURN [1]{}", "[0..1]".repeat(DEEP))),
        ("IS NULL", format!("RETURN 1{}", " IS NULL".repeat(DEEP))),
        (
            "+ (",
            format!(
                "RETURN {}1{}",
                "(1 + 1 + 1 + ".repeat(DEEP / 4),
                ")".repeat(DEEP / 4)
            ),
        ),
    ] {
        nesting_error(run_query(q), what);
    }
    // Labels are one node, however many.
    assert_eq!(
        run_query(format!("MATCH (n) RETURN n{}", ":L".repeat(DEEP))),
        None
    );
}

/// Expressions as deep as the parser allows, each kind of nesting.
fn deepest() -> Vec<String> {
    let nest =
        |open: &str, close: &str, n: usize| format!("{}1{}", open.repeat(n), close.repeat(n));
    vec![
        nest("[", "]", 190),
        nest("-(", ")", 95),
        nest("NOT (", ")", 95),
        nest("{a: ", "}", 95),
        nest("CASE WHEN true THEN ", " END", 95),
        nest("coalesce(", ")", 95),
        nest("[x IN [1] | ", "]", 60),
        nest("1 + (", ")", 95),
        format!("1{}", " + 1".repeat(190)),
        format!("1{}", " < 2".repeat(190)),
        format!("{{a: 1}}{}", ".a".repeat(190)),
        format!("[1]{}", "[0]".repeat(95)),
    ]
}

#[test]
fn expressions_at_the_nesting_limit_run_on_a_small_stack() {
    for e in deepest() {
        for q in [
            format!("RETURN {e} AS x"),
            format!("EXPLAIN RETURN {e} AS x"),
            format!("WITH {e} AS x RETURN x"),
            format!("UNWIND [{e}] AS x RETURN x"),
            format!("RETURN count({e}) AS c, collect({e}) AS l"),
            format!("MATCH (n) WHERE {e} = 1 RETURN n"),
            format!("MATCH (n) RETURN n ORDER BY {e}"),
            format!("MATCH (n) SET n.x = {e} RETURN n"),
        ] {
            let head: String = q.chars().take(40).collect();
            let printed = on_small_stack(move || {
                let script = parse_script(&q).map_err(|e| e.to_string())?;
                Ok::<_, String>(script.to_string())
            })
            .unwrap_or_else(|e| panic!("{head}...: {e}"));
            // Whatever the outcome (a type error is fine), it comes back.
            let _ = run_query(printed);
        }
    }
}

#[test]
fn many_statements_and_clauses_are_fine() {
    let q = "RETURN 1;".repeat(20_000);
    assert_eq!(run_query(q), None);
    let q = format!("{}RETURN x", "WITH 1 AS x ".repeat(20_000));
    assert_eq!(run_query(q), None);
    let q = vec!["RETURN 1 AS x"; 5_000].join(" UNION ");
    assert_eq!(run_query(q), None);
}

#[test]
fn a_ten_megabyte_query_is_handled() {
    let big = "x".repeat(10 << 20);
    // One huge string literal: parses and runs.
    assert_eq!(run_query(format!("RETURN '{big}' AS s")), None);
    // One huge identifier.
    assert!(run_query(format!("RETURN {big}")).is_some());
    // A huge unterminated string.
    assert!(run_query(format!("RETURN '{big}")).is_some());
    // A list of 200,000 elements.
    let list = vec!["1"; 200_000].join(",");
    assert_eq!(run_query(format!("RETURN size([{list}]) AS n")), None);
}

#[test]
fn values_nested_at_run_time_are_an_error() {
    // The parser's limit does not bound what a query builds step by step.
    for q in [
        "RETURN reduce(a = [], x IN range(1, 100000) | [a]) AS deep".to_string(),
        "RETURN reduce(a = {}, x IN range(1, 100000) | {a: a}) AS deep".to_string(),
        "RETURN reduce(a = [], x IN range(1, 100000) | [y IN [1] | a]) AS deep".to_string(),
        format!(
            "WITH 1 AS x {}RETURN x",
            "WITH collect(x) AS x ".repeat(2000)
        ),
    ] {
        let msg = run_query(q.clone()).unwrap_or_else(|| panic!("{q}: accepted"));
        assert!(msg.contains("nested more than 256"), "{q}: {msg}");
    }
    // As deep as allowed is fine.
    assert_eq!(
        run_query("RETURN size(reduce(a = [], x IN range(1, 255) | [a])) AS n".into()),
        None
    );
}

// ---- fact files --------------------------------------------------------------

const HEAD: &str =
    "article a1 file=\"a.txt\" title=\"T\" published=@2024-01-18 lang=\"en\" outlet=\"O\"\n";

fn load_fact_file(text: String) -> Result<(), String> {
    on_small_stack(move || {
        let parsed = parse_facts("hostile.facts", &text).map_err(|e| e.to_string())?;
        let schema =
            seed::parse_schema(seed::SCHEMA.name, seed::SCHEMA.text).map_err(|e| e.to_string())?;
        let mut g = Graph::with_schema(schema);
        // The file's own text stands in for the article, so every quote is found.
        seed::load_parsed(&mut g, "hostile.facts", &text, &parsed, &text)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}

#[test]
fn a_fact_file_with_a_megabyte_string_loads() {
    let name = "N".repeat(1 << 20);
    let text = format!("{HEAD}entity State s1 \"{name}\"\n");
    load_fact_file(text).unwrap();
}

#[test]
fn deeply_nested_lists_in_a_fact_file_are_an_error() {
    let text = format!(
        "{HEAD}entity State s1 \"S\" aliases={}\"x\"{}\n",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let e = load_fact_file(text).unwrap_err();
    assert!(e.contains("cannot be nested"), "{e}");
}

#[test]
fn huge_and_broken_fact_files_are_errors() {
    // A megabyte of one unterminated string.
    let text = format!("{HEAD}entity State s1 \"{}", "x".repeat(1 << 20));
    assert!(load_fact_file(text).is_err());
    // 100k continuation lines of one record.
    let text = format!(
        "{HEAD}entity State s1 \"S\"\n{}",
        "  aliases=[\"a\"]\n".repeat(100_000)
    );
    assert!(load_fact_file(text).is_err());
    // 50k relative() calls nested in each other.
    let text = format!(
        "{HEAD}entity State s1 \"S\" date={}\"x\"{}\n",
        "relative(".repeat(50_000),
        ")".repeat(50_000)
    );
    assert!(load_fact_file(text).is_err());
    // A number too large for any type.
    let text = format!("{HEAD}entity State s1 \"S\" rank={}\n", "9".repeat(100_000));
    assert!(load_fact_file(text).is_err());
}

// ---- CSV ---------------------------------------------------------------------

fn import(nodes: String, edges: String) -> Result<usize, String> {
    on_small_stack(move || {
        let mut g = Graph::new();
        import_csv(&nodes, "nodes.csv", &edges, "edges.csv", &mut g)
            .map(|_| g.node_count())
            .map_err(|e| e.to_string())
    })
}

#[test]
fn a_csv_field_of_a_megabyte_imports() {
    let big = "y".repeat(1 << 20);
    let nodes = format!("id,label,name\n1,Person,\"{big}\"\n2,Person,{big}\n");
    let edges = "src,dst,type\n1,2,KNOWS\n".to_string();
    assert_eq!(import(nodes, edges), Ok(2));
}

#[test]
fn mismatched_and_broken_csv_are_errors() {
    let edges = "src,dst,type\n".to_string();
    for nodes in [
        "id,label\n1,Person,extra\n".to_string(),
        "id,label,name\n1\n".to_string(),
        format!("id,label\n1,{}\n", ",".repeat(1 << 20)),
        format!("id,label\n1,\"{}\n", "z".repeat(1 << 20)),
        format!("{}\n", "c,".repeat(1 << 19)),
    ] {
        let r = import(nodes.clone(), edges.clone());
        assert!(r.is_err(), "{} ...: {r:?}", &nodes[..20]);
    }
    // Many short rows parse without trouble.
    let text = "a,b\n".repeat(200_000);
    let recs = parse_csv(&text, "x.csv").unwrap();
    assert_eq!(recs.len(), 200_000);
}

// ---- store files ---------------------------------------------------------------

fn decode(bytes: Vec<u8>) -> Result<usize, String> {
    on_small_stack(move || {
        persist::decode(&bytes, "hostile.fg")
            .map(|g| g.node_count())
            .map_err(|e| e.to_string())
    })
}

/// A store file around `payload`, with a correct length and checksum, so the
/// decoder gets to read it.
fn framed(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(persist::MAGIC);
    // Format 1: these payloads are aimed at its bincode decoder.
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// bincode's variable-length integer for `n` (the standard configuration).
fn varint(n: u64) -> Vec<u8> {
    match n {
        0..=250 => vec![n as u8],
        251..=0xFFFF => [&[251u8][..], &(n as u16).to_le_bytes()].concat(),
        0x1_0000..=0xFFFF_FFFF => [&[252u8][..], &(n as u32).to_le_bytes()].concat(),
        _ => [&[253u8][..], &n.to_le_bytes()].concat(),
    }
}

#[test]
fn crc_helper_matches_the_store_format() {
    // The same empty graph, framed by the store and by this test.
    let bytes = persist::encode_v1(&Graph::new());
    assert_eq!(framed(&bytes[24..]), bytes);
}

#[test]
fn a_forty_byte_store_claiming_huge_lengths_is_an_error() {
    // The header announces an exabyte of data.
    let mut b = Vec::new();
    b.extend_from_slice(persist::MAGIC);
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&u64::MAX.to_le_bytes());
    b.extend_from_slice(&[0; 20]);
    assert_eq!(b.len(), 40);
    assert!(decode(b).unwrap_err().contains("truncated"));
    // A valid frame whose payload claims 2^60 nodes, then 2^60 labels of
    // the first node, then a string of 2^60 bytes.
    for payload in [
        varint(1 << 60),
        [varint(1), vec![1], varint(1 << 60)].concat(),
        [
            varint(1),
            vec![1],
            varint(1),
            varint(1 << 60),
            vec![b'x'; 8],
        ]
        .concat(),
    ] {
        let e = decode(framed(&payload)).unwrap_err();
        assert!(e.contains("does not decode"), "{e}");
    }
}

#[test]
fn deeply_nested_values_in_a_store_are_an_error() {
    // One node with one property whose value is a list in a list in a list...
    // 2 bytes a level: variant 5 (List) and length 1.
    const LEVELS: usize = 100_000;
    let mut payload = [
        varint(1),
        vec![1],
        varint(0),
        varint(1),
        varint(1),
        vec![b'p'],
    ]
    .concat();
    for _ in 0..LEVELS {
        payload.extend_from_slice(&[5, 1]);
    }
    payload.push(0); // Null
    payload.extend_from_slice(&[0, 0]); // no relationships, no schema
    let e = decode(framed(&payload)).unwrap_err();
    assert!(e.contains("nest"), "{e}");
}

#[test]
fn deeply_nested_values_in_a_log_record_are_an_error() {
    const LEVELS: usize = 100_000;
    // One change: SetNodeProp { id: 0, key: "p", value: Some(List(...)) }.
    let mut payload = [
        varint(1),
        varint(2),
        varint(0),
        varint(1),
        vec![b'p'],
        vec![1],
    ]
    .concat();
    for _ in 0..LEVELS {
        payload.extend_from_slice(&[5, 1]);
    }
    payload.push(0);
    let r = on_small_stack(move || persist::decode_changes(&payload).map(|c| c.len()));
    let e = r.unwrap_err();
    assert!(e.contains("nest"), "{e}");
}

#[test]
fn a_log_record_claiming_four_gigabytes_is_a_torn_tail() {
    use factgraph::store::wal;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.fg");
    let snapshot = persist::encode(&Graph::new());
    std::fs::write(&store, &snapshot).unwrap();
    // A valid log header naming that snapshot, then one record header
    // announcing a payload of u32::MAX bytes, of which 8 are there.
    let mut log = Vec::new();
    log.extend_from_slice(b"FACTGWAL");
    log.extend_from_slice(&wal::WAL_VERSION.to_le_bytes());
    log.extend_from_slice(&persist::snapshot_id(&snapshot).to_bytes());
    let crc = crc32fast::hash(&log);
    log.extend_from_slice(&crc.to_le_bytes());
    log.extend_from_slice(&u32::MAX.to_le_bytes());
    log.extend_from_slice(&0u32.to_le_bytes());
    log.extend_from_slice(&1u64.to_le_bytes());
    log.extend_from_slice(&[0xAB; 8]);
    std::fs::write(wal::wal_path(&store), &log).unwrap();
    let (g, recovery) = on_small_stack(move || wal::load_view(&store))
        .unwrap()
        .unwrap();
    assert_eq!(g.node_count(), 0);
    let r = recovery.expect("the torn record is reported");
    assert_eq!((r.kept, r.dropped_bytes), (0, 24));
}
