//! Exports and imports: round trips, escaping of hostile strings in every
//! format, and checks by the real tools (Kùzu, rdflib, networkx) run in a
//! Python virtual environment (`.ci/pyenv.sh`; these tests run it when the
//! venv is missing and fail, not skip, when it cannot be made).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use factgraph::export::{self, View};
use factgraph::import;
use factgraph::model::schema::{NodeKind, PropDecl, PropType, RelKind};
use factgraph::model::{FDate, NodeId, Props, Schema, Value};
use factgraph::query::{NodeSnapshot, QueryResult, RelSnapshot};
use factgraph::store::Graph;
use serde_json::Value as J;

// ---- test graphs ------------------------------------------------------------

/// Strings that break naive writers of every format.
const HOSTILE: &[&str] = &[
    "quote \" and 'single' and `back`",
    "back\\slash \\n \\u0041 \\",
    "comma, semicolon; pipe | tab\there",
    "line\nbreak and\r\ncrlf and lone\rcr",
    "<xml> & ampersand &amp; ]]> --> <!-- ",
    "Unicode: Belarus’ „Zusammenarbeit“ 上海合作组织 😀",
    "[looks, like, a list]",
    "{\"json\": true}",
    "@prefix x: <http://e/> . _:b0 <a> \"b\" .",
    " leading and trailing space ",
    "# not a comment // nor this",
    "MATCH (n) DETACH DELETE n; //",
];

fn props(kv: &[(&str, Value)]) -> Props {
    kv.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn date(s: &str) -> Value {
    Value::Date(FDate::parse(s).expect("test date"))
}

/// A small graph with every kind of value, several labels, an unlabelled
/// node, a self loop, parallel relationships and the hostile strings.
fn sample() -> Graph {
    let mut g = Graph::new();
    let belarus = g
        .create_node(
            vec!["State".into()],
            props(&[
                ("name", "Belarus".into()),
                (
                    "aliases",
                    Value::List(vec![
                        "Republic of Belarus".into(),
                        "Republik Belarus".into(),
                    ]),
                ),
                ("population", Value::Int(9_200_000)),
                ("area", Value::Float(207_595.5)),
                ("landlocked", Value::Bool(true)),
            ]),
        )
        .expect("node");
    let sco = g
        .create_node(
            vec!["Organisation".into()],
            props(&[
                ("name", "Shanghai Cooperation Organisation".into()),
                ("aliases", Value::List(vec!["SCO".into(), "SOZ".into()])),
                ("founded", date("2001-06-15")),
            ]),
        )
        .expect("node");
    let stmt = g
        .create_node(
            vec!["Statement".into(), "Membership".into()],
            props(&[
                ("status", "ratification completed".into()),
                ("date", date("~2024-01-11")),
                ("valid_from", date("2024")),
                ("reported", date("2024-01")),
                ("quote", HOSTILE[0].into()),
                ("big", Value::Int(i64::MAX)),
                ("small", Value::Int(i64::MIN)),
                ("ratio", Value::Float(-0.1)),
                ("tiny", Value::Float(1e-300)),
            ]),
        )
        .expect("node");
    let loner = g
        .create_node(vec![], props(&[("note", "no label at all".into())]))
        .expect("node");
    for (i, h) in HOSTILE.iter().enumerate() {
        let n = g
            .create_node(
                vec!["Thing".into()],
                props(&[
                    ("name", Value::from(*h)),
                    ("index", Value::Int(i as i64)),
                    ("tags", Value::List(vec![Value::from(*h), "plain".into()])),
                ]),
            )
            .expect("node");
        g.create_rel(
            n,
            belarus,
            "MENTIONS".into(),
            props(&[("quote", Value::from(*h)), ("date", date("2023-10"))]),
        )
        .expect("rel");
    }
    g.create_rel(stmt, belarus, "SUBJECT".into(), Props::new())
        .expect("rel");
    g.create_rel(stmt, sco, "ORGANISATION".into(), Props::new())
        .expect("rel");
    g.create_rel(
        belarus,
        sco,
        "MEMBER_OF".into(),
        props(&[
            ("since", date("2024-07-04")),
            ("quote", "Belarus’ Foreign Minister".into()),
            ("source", "a000".into()),
        ]),
    )
    .expect("rel");
    // A parallel relationship and a self loop.
    g.create_rel(
        belarus,
        sco,
        "MEMBER_OF".into(),
        props(&[("since", date("~2023"))]),
    )
    .expect("rel");
    g.create_rel(
        loner,
        loner,
        "KNOWS".into(),
        props(&[("weight", Value::Float(0.5))]),
    )
    .expect("rel");
    g
}

fn schema() -> Schema {
    let decl = |name: &str, ty: PropType, required: bool| PropDecl {
        name: name.into(),
        ty,
        required,
    };
    let mut s = Schema::default();
    s.nodes.insert(
        "State".into(),
        NodeKind {
            name: "State".into(),
            props: vec![
                decl("name", PropType::String, true),
                decl("aliases", PropType::List(Box::new(PropType::String)), false),
            ],
            doc: "a sovereign state".into(),
        },
    );
    s.nodes.insert(
        "Event".into(),
        NodeKind {
            name: "Event".into(),
            props: vec![
                decl("name", PropType::String, true),
                decl("date", PropType::Date, false),
            ],
            doc: String::new(),
        },
    );
    s.rels.insert(
        "HOSTED".into(),
        RelKind {
            name: "HOSTED".into(),
            from: vec!["State".into()],
            to: vec!["Event".into()],
            props: vec![decl("quote", PropType::String, true)],
            doc: "who hosted an event".into(),
        },
    );
    s
}

fn with_schema() -> Graph {
    let mut g = Graph::with_schema(schema());
    let by = g
        .create_node(
            vec!["State".into()],
            props(&[("name", "Belarus".into()), ("aliases", Value::List(vec![]))]),
        )
        .expect("node");
    let ev = g
        .create_node(
            vec!["Event".into()],
            props(&[("name", "SCO summit".into()), ("date", date("2024-07"))]),
        )
        .expect("node");
    g.create_rel(
        by,
        ev,
        "HOSTED".into(),
        props(&[("quote", HOSTILE[3].into())]),
    )
    .expect("rel");
    g.check_all().expect("complete");
    g
}

/// The graph with ids renumbered densely in id order, as text (Debug, so
/// that NaN equals NaN), plus its schema.
fn canon(g: &Graph) -> String {
    let view = View::of_graph(g);
    let index: BTreeMap<NodeId, usize> = view
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id, i))
        .collect();
    let nodes: Vec<String> = view
        .nodes
        .iter()
        .map(|n| format!("{:?} {:?}", n.labels, n.props))
        .collect();
    let rels: Vec<String> = view
        .rels
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {:?}",
                r.rel_type, index[&r.start], index[&r.end], r.props
            )
        })
        .collect();
    format!("{nodes:#?}\n{rels:#?}\n{:?}", g.schema())
}

fn to_string(format: &str, g: &Graph) -> String {
    let mut out = Vec::new();
    export::export(format, g, None, &mut out).expect("export");
    String::from_utf8(out).expect("utf-8")
}

// ---- the Python tools ---------------------------------------------------

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's python, made by `.ci/pyenv.sh` if missing. Panics (fails the
/// test) with what went wrong when it cannot be made.
fn python() -> &'static Path {
    static PY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let r = PY.get_or_init(|| {
        let venv = match std::env::var_os("FACTGRAPH_PYENV") {
            Some(v) => PathBuf::from(v),
            None => {
                let target = std::env::var_os("CARGO_TARGET_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from("target"));
                repo().join(target).join("pyenv")
            }
        };
        let out = Command::new("bash")
            .arg(repo().join(".ci/pyenv.sh"))
            .env("FACTGRAPH_PYENV", &venv)
            .output()
            .map_err(|e| format!("cannot run .ci/pyenv.sh: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                ".ci/pyenv.sh could not make the Python venv at {} that the export tests need \
                 (kuzu, rdflib, networkx from PyPI):\n{}{}",
                venv.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(venv.join("bin/python"))
    });
    match r {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

/// Runs `tests/py/check_export.py` with `args` and parses its JSON.
fn check(args: &[&str]) -> J {
    let out = Command::new(python())
        .arg(repo().join("tests/py/check_export.py"))
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "check_export.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from check_export.py")
}

/// A value as check_export.py tags it, for comparison. Dates come back as
/// the strings of our encoding; lists element by element.
fn tagged(v: &Value) -> J {
    match v {
        Value::String(s) => serde_json::json!({ "s": s }),
        Value::Int(i) => serde_json::json!({ "i": i }),
        Value::Bool(b) => serde_json::json!({ "b": b }),
        Value::Float(f) => serde_json::json!({ "f": format!("{f:?}") }),
        Value::Date(d) => serde_json::json!({ "s": d.to_string() }),
        Value::List(items) => {
            serde_json::json!({ "l": items.iter().map(tagged).collect::<Vec<_>>() })
        }
        other => panic!("unexpected value {other}"),
    }
}

fn tagged_props(p: &Props) -> J {
    J::Object(p.iter().map(|(k, v)| (k.to_string(), tagged(v))).collect())
}

// ---- JSON ---------------------------------------------------------------

#[test]
fn json_round_trip_gives_an_identical_graph() {
    for g in [sample(), with_schema(), Graph::new()] {
        let text = to_string("json", &g);
        let mut back = Graph::new();
        let stats = import::json::import_json(&text, "x.json", &mut back).expect("import");
        assert_eq!((stats.nodes, stats.rels), (g.node_count(), g.rel_count()));
        assert_eq!(canon(&back), canon(&g));
        // Dense ids come back the same, so the export is byte-identical.
        assert_eq!(to_string("json", &back), text);
    }
}

#[test]
fn json_keeps_precision_approximation_and_number_types() {
    let text = to_string("json", &sample());
    assert!(
        text.contains(r#""date": {"date": "~2024-01-11"}"#),
        "{text}"
    );
    assert!(text.contains(r#""valid_from": {"date": "2024"}"#));
    assert!(text.contains(r#""reported": {"date": "2024-01"}"#));
    assert!(text.contains(r#""area": 207595.5"#));
    assert!(
        text.contains(r#""population": 9200000,"#) || text.contains(r#""population": 9200000}"#)
    );
    let mut g = Graph::new();
    g.create_node(
        vec![],
        props(&[
            ("nan", Value::Float(f64::NAN)),
            ("inf", Value::Float(f64::INFINITY)),
            ("whole", Value::Float(3.0)),
        ]),
    )
    .expect("node");
    let text = to_string("json", &g);
    assert!(text.contains(r#""nan": {"float": "NaN"}"#), "{text}");
    assert!(text.contains(r#""whole": 3.0"#));
    let mut back = Graph::new();
    import::json::import_json(&text, "f.json", &mut back).expect("import");
    assert_eq!(canon(&back), canon(&g));
    assert_eq!(
        back.node(NodeId(0))
            .and_then(|n| n.props.get("whole"))
            .as_deref(),
        Some(&Value::Float(3.0))
    );
}

#[test]
fn json_round_trip_renumbers_deleted_ids() {
    let mut g = sample();
    g.detach_delete_node(NodeId(0)).expect("delete");
    let mut back = Graph::new();
    import::json::import_json(&to_string("json", &g), "holes.json", &mut back).expect("import");
    assert_eq!(canon(&back), canon(&g));
}

#[test]
fn json_import_errors_name_file_line_column_and_load_nothing() {
    let mut g = sample();
    let before = canon(&g);
    let cases: &[(&str, &str)] = &[
        (
            "{\"format\": \"factgraph-json\", \"version\": 1,\n \"nodes\": [{\"id\": 0, \"labels\": [\"A\"]}],\n \"relationships\": [{\"type\": \"R\", \"start\": 0, \"end\": 7}]}",
            "bad.json:3:53: no node with the id 7 in the file",
        ),
        (
            "{\"format\": \"factgraph-json\", \"version\": 1,\n  \"nodes\": [{\"id\": 0, \"properties\": {\"d\": {\"date\": \"2023-13\"}}}]}",
            "bad.json:2:52: '2023-13' is not a date of the calendar",
        ),
        (
            "{\"format\": \"factgraph-json\", \"version\": 1, \"nodes\": [\n  {\"id\": 0},\n  {\"id\": 0}]}",
            "bad.json:3:10: a second node with the id 0",
        ),
        (
            "{\"format\": \"factgraph-json\", \"version\": 1, \"nodes\": [\n  {\"id\": 0,}]}",
            "bad.json:2:12: expected a member name in quotes, found '}'",
        ),
        (
            "{\"format\": \"factgraph-json\", \"version\": 2}",
            "bad.json:1:41: JSON export version 2 is not one this factgraph reads (1..=1); upgrade factgraph",
        ),
        (
            "{\"format\": \"factgraph-json\", \"version\": 1, \"nodez\": []}",
            "bad.json:1:44: the file has no member \"nodez\"; its members are format, version, schema, indexes, constraints, nodes, relationships",
        ),
    ];
    for (text, want) in cases {
        let e = import::json::import_json(text, "bad.json", &mut g).expect_err(text);
        assert_eq!(e.to_string(), *want);
        assert_eq!(canon(&g), before, "a failed import changed the graph");
    }
}

#[test]
fn json_import_checks_the_schema() {
    let good = to_string("json", &with_schema());
    // The HOSTED relationship without its required quote.
    let bad = good.replacen(
        &format!("\"quote\": {}", serde_json::Value::from(HOSTILE[3])),
        "\"x\": 1",
        1,
    );
    assert_ne!(bad, good);
    let mut g = Graph::new();
    let e = import::json::import_json(&bad, "s.json", &mut g).expect_err("schema");
    let line = bad
        .lines()
        .position(|l| l.contains("\"type\": \"HOSTED\""))
        .expect("line")
        + 1;
    assert_eq!(
        e.to_string(),
        format!("s.json:{line}:5: [:HOSTED] has no property 'x' in the schema")
    );
    assert_eq!(g.node_count(), 0);
    assert!(
        g.schema().is_none(),
        "the failed import left its schema behind"
    );
    // Into a store with another schema: refused at the schema.
    let mut other = Graph::with_schema(Schema::default());
    let e = import::json::import_json(&good, "s.json", &mut other).expect_err("schema");
    assert!(
        e.to_string()
            .starts_with("s.json:4:13: the file's schema differs"),
        "{e}"
    );
}

// ---- CSV import (bench shape) -------------------------------------------

#[test]
fn csv_import_reads_the_bench_shape() {
    let nodes = "id,label,name\n0,State,Belarus\n1,Organisation,\"Shanghai Cooperation Organisation, the\"\n2,Person,\"Sergei \"\"the minister\"\" Aleinik\"\r\n3,Statement;Membership,\n";
    let edges = "src,dst,type,date,level\n0,1,MEMBER_OF,2024-07-04,\n2,0,CITIZEN_OF,,\n0,0,PARTNER_OF,~2023-10,3\n";
    let mut g = Graph::new();
    let stats =
        import::csv::import_csv(nodes, "nodes.csv", edges, "edges.csv", &mut g).expect("import");
    assert_eq!((stats.nodes, stats.rels), (4, 3));
    let n = |i: u32| g.node(NodeId(i)).expect("node");
    assert_eq!(
        n(1).props.to_props()["name"],
        Value::from("Shanghai Cooperation Organisation, the")
    );
    assert_eq!(
        n(2).props.to_props()["name"],
        Value::from("Sergei \"the minister\" Aleinik")
    );
    assert_eq!(n(0).props.to_props()["id"], Value::Int(0));
    assert_eq!(
        n(3).labels,
        ["Statement".to_string(), "Membership".to_string()]
    );
    assert!(!n(3).props.contains_key("name"));
    // Relationships get their ids grouped by end node (file order within
    // one end node), so that a node's incoming list lies together.
    let ids: Vec<(u32, String)> = g
        .rel_ids()
        .map(|r| {
            let (_, to) = g.rel_ends(r).expect("ends");
            (to.0, g.rel(r).expect("rel").rel_type.to_string())
        })
        .collect();
    assert_eq!(
        ids,
        [
            (0, "CITIZEN_OF".to_string()),
            (0, "PARTNER_OF".to_string()),
            (1, "MEMBER_OF".to_string())
        ]
    );
    let rel = |i: u32| g.rel(factgraph::model::RelId(i)).expect("rel");
    assert!(rel(0).props.is_empty());
    assert_eq!(rel(1).props.to_props()["date"], date("~2023-10"));
    assert_eq!(rel(1).props.to_props()["level"], Value::Int(3));
    assert_eq!(rel(2).props.to_props()["date"], date("2024-07-04"));
}

#[test]
fn csv_import_errors_name_file_line_column_and_load_nothing() {
    let nodes = "id,label,name\n0,State,Belarus\n1,State,China\n";
    let mut g = sample();
    let before = canon(&g);
    let cases: &[(&str, &str, &str)] = &[
        (
            nodes,
            "src,dst,type,date,level\n0,1,PARTNER_OF,,\n1,9,PARTNER_OF,,\n",
            "edges.csv:3:3: no node with the id '9' in nodes.csv",
        ),
        (
            nodes,
            "src,dst,type,date,level\n0,1,PARTNER_OF,2023-02-30,\n",
            "edges.csv:2:16: '2023-02-30' is not a date of the calendar",
        ),
        (
            nodes,
            "src,dst,type,date,level\n0,1,PARTNER_OF,,high\n",
            "edges.csv:2:17: level must be an integer, not 'high'",
        ),
        (
            nodes,
            "src,dst,type\n0,1,PARTNER_OF,extra\n",
            "edges.csv:2:16: this row has 4 fields, the header 3",
        ),
        (
            nodes,
            "src,dst\n0,1\n",
            "edges.csv:1:1: the header has no column 'type' (it needs src, dst, type)",
        ),
        (
            "id,label,name\n0,State,\"Belarus\n",
            "src,dst,type\n",
            "nodes.csv:2:9: this quoted field is not closed",
        ),
        (
            "id,label,name\n0,State,Bel\"arus\n",
            "src,dst,type\n",
            "nodes.csv:2:12: a quote inside an unquoted field (quote the whole field and double the quote)",
        ),
        (
            "id,label,name\n0,State,A\n0,State,B\n",
            "src,dst,type\n",
            "nodes.csv:3:1: a second node with the id '0'",
        ),
    ];
    // Byte for byte, every id in its slot: a failure is undone in place.
    let bytes = factgraph::store::persist::encode(&g);
    for (n, e, want) in cases {
        let err = import::csv::import_csv(n, "nodes.csv", e, "edges.csv", &mut g).expect_err(want);
        assert_eq!(err.to_string(), *want);
        assert_eq!(canon(&g), before, "a failed import changed the graph");
        assert!(
            factgraph::store::persist::encode(&g) == bytes,
            "{want}: the store's bytes changed"
        );
    }
}

#[test]
fn csv_import_reads_a_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("nodes.csv"),
        "id,label,name\n0,City,Minsk\n1,State,Belarus\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("edges.csv"),
        "src,dst,type,date,level\n0,1,LOCATED_IN,,\n",
    )
    .expect("write");
    let mut g = Graph::new();
    import::csv::import_csv_dir(dir.path(), &mut g).expect("import");
    assert_eq!((g.node_count(), g.rel_count()), (2, 1));
    let mut g2 = Graph::new();
    import::import_path(&dir.path().join("nodes.csv"), &mut g2).expect("import_path");
    assert_eq!(canon(&g2), canon(&g));
    let e = import::import_path(&dir.path().join("g.xml"), &mut g2).expect_err("xml");
    assert!(
        e.to_string().contains("not a format this import reads"),
        "{e}"
    );
    // A missing file is named with its directory and no place in it.
    let nope = dir.path().join("nope");
    let e = import::csv::import_csv_dir(&nope, &mut g).expect_err("missing");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: no nodes.csv here; there is no such directory; {DIR_SHAPES}",
            nope.display()
        )
    );
    std::fs::remove_file(dir.path().join("edges.csv")).expect("rm");
    let e = import::import_path(dir.path(), &mut g).expect_err("no edges");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: no edges.csv here; this directory holds only nodes.csv; {DIR_SHAPES}",
            dir.path().display()
        )
    );
    assert_eq!((g.node_count(), g.rel_count()), (2, 1), "nothing loaded");
}

/// The end of every error about a directory that is not one to import.
const DIR_SHAPES: &str = "a directory to import is a CSV export's (`:export csv DIR`: DIR itself or its neo4j/ directory) or holds nodes.csv and edges.csv (the benchmark generator's shape)";

// ---- CSV export read back -------------------------------------------------

/// A graph that a naive CSV round trip gets wrong: two label lists in one
/// Kùzu table (`A_B`, and `A` with `B`; `Unlabelled` and none), a column
/// of mixed types, integers in a column of floats, empty strings and
/// lists, a list of one empty string, the array delimiter inside a
/// string, NaN, infinities and -0.0, temporal values, lists of dates, keys
/// with a colon, a comma or a leading space, and a deleted node id.
fn awkward() -> Graph {
    let temporal = |kind: &str, s: &str| {
        Value::temporal(factgraph::model::temporal::parse_stored(kind, s).expect("test temporal"))
    };
    let mut g = Graph::new();
    let a_b = g
        .create_node(
            vec!["A_B".into()],
            props(&[
                ("mixed", Value::Int(1)),
                ("num", Value::Float(1.5)),
                ("s", "".into()),
                ("list", Value::List(vec![])),
                ("a:b", "colon".into()),
                (" lead", "space".into()),
                ("with,comma", Value::Bool(false)),
            ]),
        )
        .expect("node");
    let gone = g.create_node(vec!["A".into()], Props::new()).expect("node");
    g.delete_node(gone).expect("delete");
    let a_and_b = g
        .create_node(
            vec!["A".into(), "B".into()],
            props(&[
                ("mixed", "one".into()),
                ("num", Value::Int(2)),
                ("s", " ".into()),
                ("list", Value::List(vec!["".into()])),
                ("big", Value::Int(i64::MAX)),
            ]),
        )
        .expect("node");
    let other = g
        .create_node(
            vec!["A_B".into()],
            props(&[
                ("mixed", date("~2023-10")),
                ("num", Value::Float(f64::NAN)),
                ("list", Value::List(vec!["a\u{1f}b".into(), "".into()])),
                ("when", temporal("datetime", "2024-01-02T03:04:05Z")),
            ]),
        )
        .expect("node");
    let loner = g
        .create_node(
            vec![],
            props(&[
                ("mixed", Value::List(vec![Value::Int(1), "a".into()])),
                ("num", Value::Float(f64::NEG_INFINITY)),
                (
                    "dates",
                    Value::List(vec![date("2023"), date("~2024-01-11")]),
                ),
            ]),
        )
        .expect("node");
    let unlabelled = g
        .create_node(
            vec!["Unlabelled".into()],
            props(&[
                ("num", Value::Float(-0.0)),
                ("dates", Value::List(vec![])),
                ("mixed", Value::Bool(true)),
            ]),
        )
        .expect("node");
    g.create_rel(
        a_and_b,
        a_b,
        "R".into(),
        props(&[("w", Value::Int(3)), ("on", date("2024-07"))]),
    )
    .expect("rel");
    g.create_rel(
        other,
        loner,
        "S".into(),
        props(&[("during", temporal("duration", "P1Y2M"))]),
    )
    .expect("rel");
    g.create_rel(
        unlabelled,
        unlabelled,
        "R".into(),
        props(&[("w", Value::Float(0.5)), ("on", "not a date".into())]),
    )
    .expect("rel");
    g.create_rel(loner, a_b, "S".into(), Props::new())
        .expect("rel");
    g
}

/// The graph `g` exported to CSV and imported from `which` of the export
/// (a path in its directory: "" for the directory itself) into an empty
/// graph.
fn csv_round_trip(g: &Graph, which: &str) -> Graph {
    let dir = tempfile::tempdir().expect("tempdir");
    export::export_to_path("csv", g, None, dir.path()).expect("csv export");
    let mut back = Graph::new();
    let stats = import::import_path(&dir.path().join(which), &mut back)
        .unwrap_or_else(|e| panic!("import of {which:?}: {e}"));
    assert_eq!((stats.nodes, stats.rels), (g.node_count(), g.rel_count()));
    back
}

/// Nodes by list of labels, relationships by type.
fn counts(g: &Graph) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let (mut by_label, mut by_type) = (BTreeMap::new(), BTreeMap::new());
    for id in g.node_ids() {
        let n = g.node(id).expect("node");
        *by_label.entry(format!("{:?}", n.labels)).or_default() += 1;
    }
    for id in g.rel_ids() {
        let r = g.rel(id).expect("rel");
        *by_type.entry(r.rel_type.to_string()).or_default() += 1;
    }
    (by_label, by_type)
}

#[test]
fn csv_export_reads_back_into_the_same_graph() {
    for (name, g) in [
        ("sample", sample()),
        ("with_schema", with_schema()),
        ("awkward", awkward()),
        ("empty", Graph::new()),
    ] {
        for which in ["", "neo4j", "neo4j/factgraph-csv.json"] {
            let back = csv_round_trip(&g, which);
            assert_eq!(counts(&back), counts(&g), "{name} from {which:?}");
            assert_eq!(canon(&back), canon(&g), "{name} from {which:?}");
        }
    }
    // Without deleted ids, the same ids: the JSON export is byte-identical.
    let g = sample();
    assert_eq!(
        to_string("json", &csv_round_trip(&g, "")),
        to_string("json", &g)
    );
    // The two label lists of table A_B are two neo4j-admin files.
    let files = factgraph::export::csv::to_files(&View::of_graph(&awkward()));
    let (_, sh) = files
        .iter()
        .find(|(p, _)| p == "neo4j/import.sh")
        .expect("import.sh");
    assert!(sh.contains("--nodes='A_B=nodes_A_B.csv'"), "{sh}");
    assert!(sh.contains("--nodes='A:B=nodes_A_B_2.csv'"), "{sh}");
    assert!(sh.contains("--nodes='nodes_Unlabelled"), "{sh}");
    assert!(sh.contains("--nodes='Unlabelled=nodes_Unlabelled"), "{sh}");
    // What the files cannot hold is in the manifest, as JSON values.
    let (_, manifest) = files
        .iter()
        .find(|(p, _)| p == "neo4j/factgraph-csv.json")
        .expect("manifest");
    for want in [
        r#"{"file": "nodes_A_B_2.csv", "labels": ["A", "B"], "exact": [{"row": 0, "properties": {"list": [""]}}]}"#,
        r#""mixed": {"date": "~2023-10"}, "when": {"datetime": "2024-01-02T03:04:05Z"}"#,
        r#"{"file": "nodes_Unlabelled.csv", "labels": [], "dates": ["dates"]"#,
        r#""ids": [0, 2], "exact": [{"row": 0, "properties": {"on": {"date": "2024-07"}, "w": 3}}]"#,
    ] {
        assert!(manifest.contains(want), "{want} in {manifest}");
    }
}

#[test]
fn the_article_graph_reads_back_from_its_csv_export() {
    let g = match factgraph::seed::build_default() {
        Ok(g) => g,
        Err(e) => panic!("seed::build_default() failed: {e}; this test needs the seed"),
    };
    let back = csv_round_trip(&g, "");
    let (labels, types) = counts(&back);
    assert_eq!((labels.clone(), types.clone()), counts(&g));
    assert!(
        labels.len() > 10 && types.len() > 10,
        "{labels:?} {types:?}"
    );
    // Every node's labels and properties, with their types: dates keep
    // their precision and approximation.
    for id in g.node_ids() {
        let (a, b) = (g.node(id).expect("node"), back.node(id).expect("same id"));
        assert_eq!(a.labels, b.labels, "node {}", id.0);
        let (pa, pb) = (a.props.to_props(), b.props.to_props());
        assert_eq!(format!("{pa:?}"), format!("{pb:?}"), "node {}", id.0);
    }
    let approx_dates = |g: &Graph| {
        g.node_ids()
            .filter_map(|id| g.node(id))
            .flat_map(|n| n.props.to_props().values().cloned().collect::<Vec<_>>())
            .filter(|v| matches!(v, Value::Date(d) if d.approx))
            .count()
    };
    assert!(approx_dates(&g) > 0, "the seed has approximate dates");
    assert_eq!(approx_dates(&back), approx_dates(&g));
    // Relationships with their properties, and the schema.
    assert_eq!(canon(&back), canon(&g));
    assert!(back.schema().is_some());
    assert_eq!(to_string("json", &back), to_string("json", &g));
}

/// A neo4j-admin column whose dates are all exact days is typed `date`
/// (neo4j-admin reads it as dates); one with a year, a month or an
/// approximate date stays a string column of factgraph's encoding. Both
/// read back as the dates they were, and a `date` column reads as dates
/// even where the manifest does not list it.
#[test]
fn csv_export_types_columns_of_days_as_neo4j_dates() {
    let g = sample();
    let dir = tempfile::tempdir().expect("tempdir");
    export::export_to_path("csv", &g, None, dir.path()).expect("csv export");
    let header = |file: &str| -> String {
        let text = std::fs::read_to_string(dir.path().join("neo4j").join(file)).expect(file);
        text.lines().next().unwrap_or("").to_string()
    };
    // founded: 2001-06-15; since: 2024-07-04 and ~2023; date: 2023-10.
    assert!(header("nodes_Organisation.csv").contains("founded:date"));
    assert!(header("rels_MEMBER_OF.csv").contains("since:string"));
    assert!(header("rels_MENTIONS.csv").contains("date:string"));
    let manifest = dir.path().join("neo4j").join(export::csv::MANIFEST);
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let unlisted = text.replace(", \"dates\": [\"founded\"]", "");
    assert_ne!(unlisted, text, "the manifest lists founded: {text}");
    std::fs::write(&manifest, unlisted).expect("write");
    let mut back = Graph::new();
    import::import_path(dir.path(), &mut back).expect("import");
    assert_eq!(canon(&back), canon(&g));
}

#[test]
fn csv_import_refuses_the_kuzu_directory_and_an_export_without_its_manifest() {
    let g = sample();
    let dir = tempfile::tempdir().expect("tempdir");
    export::export_to_path("csv", &g, None, dir.path()).expect("csv");
    let mut back = Graph::new();
    let kuzu = dir.path().join("kuzu");
    let e = import::import_path(&kuzu, &mut back).expect_err("kuzu");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: this is the kuzu/ directory of a CSV export, which cannot be read back without loss (a table joins a node's labels with '_', and some lists and dates are plain strings there); import {} instead (or {}, the export's directory)",
            kuzu.display(),
            dir.path().join("neo4j").display(),
            dir.path().display()
        )
    );
    // neo4j-admin files without the manifest (an older factgraph's).
    std::fs::remove_file(dir.path().join("neo4j/factgraph-csv.json")).expect("rm");
    for which in ["", "neo4j"] {
        let e = import::import_path(&dir.path().join(which), &mut back).expect_err("old");
        let want = format!(
            "{}: no factgraph-csv.json here, which says",
            dir.path().join("neo4j").display()
        );
        assert!(e.to_string().starts_with(&want), "{e}");
    }
    assert_eq!((back.node_count(), back.rel_count()), (0, 0));
    // A directory of something else says what it holds.
    let other = tempfile::tempdir().expect("tempdir");
    std::fs::write(other.path().join("notes.txt"), "x").expect("write");
    std::fs::create_dir(other.path().join("sub")).expect("mkdir");
    let e = import::import_path(other.path(), &mut back).expect_err("other");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: no nodes.csv here; this directory holds notes.txt and sub/; {DIR_SHAPES}",
            other.path().display()
        )
    );
}

#[test]
fn csv_export_import_errors_name_file_line_column_and_load_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    export::export_to_path("csv", &sample(), None, dir.path()).expect("csv");
    let neo = dir.path().join("neo4j");
    let manifest = neo.join("factgraph-csv.json");
    let good = std::fs::read_to_string(&manifest).expect("manifest");
    let state = neo.join("nodes_State.csv");
    let state_text = std::fs::read_to_string(&state).expect("State");
    // Into a graph with nodes: a failure is undone in place, byte for byte.
    let mut g = with_schema();
    let bytes = factgraph::store::persist::encode(&g);
    let mut expect_err = |what: &str, want: String| {
        let e = import::import_path(dir.path(), &mut g).expect_err(what);
        assert_eq!(e.to_string(), want, "{what}");
        assert!(
            factgraph::store::persist::encode(&g) == bytes,
            "{what}: the store's bytes changed"
        );
    };
    // A cell that is not of its column's type.
    let row = state_text.lines().nth(1).expect("a State row");
    let col = row.find(",207595.5,").expect("area") + 2;
    std::fs::write(&state, state_text.replacen(",207595.5,", ",lots,", 1)).expect("write");
    expect_err(
        "a bad double",
        format!(
            "{}:2:{col}: 'lots' is not a number (a double column)",
            state.display()
        ),
    );
    std::fs::write(&state, &state_text).expect("write");
    // A manifest that names a date column the file lacks.
    let entry =
        "{\"file\": \"nodes_Organisation.csv\", \"labels\": [\"Organisation\"], \"dates\": [";
    assert!(good.contains(entry), "{good}");
    let bad = good.replacen(entry, &format!("{entry}\"nope\", "), 1);
    std::fs::write(&manifest, &bad).expect("write");
    let at = bad.find("\"nope\"").expect("nope");
    let line = bad[..at].lines().count();
    let col = at - bad[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    expect_err(
        "an unknown date column",
        format!(
            "{}:{line}:{col}: \"dates\" names 'nope', which is no column of {}",
            manifest.display(),
            neo.join("nodes_Organisation.csv").display()
        ),
    );
    std::fs::write(&manifest, &good).expect("write");
    // A file the manifest names and the directory lacks: no place in it.
    std::fs::remove_file(&state).expect("rm");
    expect_err(
        "a missing file",
        format!(
            "{}: cannot read the file: No such file or directory (os error 2)",
            state.display()
        ),
    );
}

// ---- the entry, and subgraphs of results --------------------------------

#[test]
fn export_entry_names_formats_and_refuses_csv_streams() {
    let g = sample();
    let mut out = Vec::new();
    let e = export::export("xml", &g, None, &mut out).expect_err("unknown");
    assert!(e.to_string().contains("unknown export format 'xml'"), "{e}");
    assert!(e.to_string().contains("graphml"));
    let e = export::export("csv", &g, None, &mut out).expect_err("csv");
    assert!(e.to_string().contains("directory"), "{e}");
    for f in ["dot", "json", "cypher", "graphml", "nt", "ttl", "TURTLE"] {
        let mut out = Vec::new();
        export::export(f, &g, None, &mut out).expect(f);
        assert!(!out.is_empty(), "{f}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    export::export_to_path("csv", &g, None, &dir.path().join("csv")).expect("csv");
    assert!(dir.path().join("csv/kuzu/schema.cypher").is_file());
    assert!(dir.path().join("csv/neo4j/import.sh").is_file());
    export::export_to_path("json", &g, None, &dir.path().join("g.json")).expect("json");
    let back = import::json::read_json_file(&dir.path().join("g.json")).expect("read");
    assert_eq!(canon(&back), canon(&g));
}

/// A result that returned the MEMBER_OF relationships and SCO, but not
/// Belarus (their start), as `MATCH (b)-[r:MEMBER_OF]->(o) RETURN r, o` would.
fn member_of_result(g: &Graph) -> QueryResult {
    let mut r = QueryResult::default();
    for id in g.rel_ids() {
        let rel = g.rel(id).expect("rel");
        if rel.rel_type != "MEMBER_OF" {
            continue;
        }
        let (start, end) = g.rel_ends(id).expect("ends");
        r.rels.insert(
            id,
            RelSnapshot {
                rel_type: rel.rel_type.to_string(),
                start,
                end,
                props: rel.props.to_props(),
            },
        );
        let n = g.node(end).expect("node");
        r.nodes.insert(
            end,
            NodeSnapshot {
                labels: n.labels.to_strings(),
                props: n.props.to_props(),
            },
        );
    }
    r
}

#[test]
fn a_result_exports_as_a_closed_subgraph() {
    let g = sample();
    let result = member_of_result(&g);
    let view = View::of_result(&result, &g);
    assert_eq!(view.nodes.len(), 2, "SCO and, from the graph, Belarus");
    assert_eq!(view.rels.len(), 2);
    let mut out = Vec::new();
    export::export("json", &g, Some(&result), &mut out).expect("json");
    let mut back = Graph::new();
    import::json::import_json(&String::from_utf8(out).expect("utf-8"), "r.json", &mut back)
        .expect("a subgraph imports");
    assert_eq!((back.node_count(), back.rel_count()), (2, 2));
    // A relationship whose end is gone from the graph too is left out.
    let mut g2 = g.clone();
    g2.detach_delete_node(NodeId(0)).expect("delete");
    let view = View::of_result(&result, &g2);
    assert_eq!((view.nodes.len(), view.rels.len()), (1, 0));
}

// ---- Cypher dump ----------------------------------------------------------

/// Reads a Cypher string literal the way openCypher defines its escapes.
fn unquote_cypher(lit: &str) -> String {
    let inner = &lit[1..lit.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            assert_ne!(c, '\'', "an unescaped quote in {lit}");
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let h: String = chars.by_ref().take(4).collect();
                out.push(char::from_u32(u32::from_str_radix(&h, 16).expect("hex")).expect("char"));
            }
            other => panic!("unknown escape {other:?} in {lit}"),
        }
    }
    out
}

#[test]
fn cypher_dump_writes_literals_that_read_back() {
    use factgraph::export::cypher::{ident, literal, string_literal};
    for h in HOSTILE.iter().chain(&["\u{1}\u{7f}", ""]) {
        assert_eq!(unquote_cypher(&string_literal(h)), *h);
    }
    assert_eq!(literal(&date("2023-10")), "fdate('2023-10')");
    assert_eq!(literal(&date("~2024-01-11")), "fdate('~2024-01-11')");
    assert_eq!(literal(&Value::Float(2.0)), "2.0");
    assert_eq!(literal(&Value::Float(f64::NAN)), "0.0/0.0");
    assert_eq!(literal(&Value::Int(i64::MIN)), "(-9223372036854775807 - 1)");
    assert_eq!(ident("name"), "name");
    assert_eq!(ident("IN"), "`IN`");
    assert_eq!(ident("on"), "`on`");
    assert_eq!(ident("a b`c"), "`a b``c`");
    let dump = to_string("cypher", &sample());
    assert!(dump.starts_with("// factgraph Cypher dump: 16 nodes, 17 relationships."));
    assert!(
        dump.contains(
            "(n2:Statement:Membership {big: 9223372036854775807, date: fdate('~2024-01-11'), "
        ),
        "{dump}"
    );
    assert!(dump.contains("  (n0)-[:MEMBER_OF {since: fdate('~2023')}]->(n1)"));
    assert!(
        dump.trim_end()
            .ends_with("(n3)-[:KNOWS {weight: 0.5}]->(n3);")
    );
    // Exactly one statement: one CREATE, one terminating semicolon
    // outside strings.
    assert_eq!(dump.matches("\nCREATE\n").count(), 1);
    let with = to_string("cypher", &with_schema());
    assert!(with.contains("// schema:\n// node Event name:string! date:date\n// # a sovereign state\n// node State name:string! aliases:list<string>\n// # who hosted an event\n"), "{with}");
    assert!(with.contains("// rel HOSTED State -> Event quote:string!\n"));
    assert_eq!(
        to_string("cypher", &Graph::new()).matches("CREATE").count(),
        0
    );
}

/// `factgraph -f dump.cypher` into an empty store gives the same graph
/// (the sample with NaN, infinities and control characters, and the
/// article graph). Needs the Cypher evaluator (branch `engine`); passed
/// on a scratch merge of `engine`.
#[test]
fn cypher_dump_round_trip_gives_an_identical_graph() {
    let mut g = sample();
    g.create_node(
        vec!["Odd".into()],
        props(&[
            ("nan", Value::Float(f64::NAN)),
            ("inf", Value::Float(f64::INFINITY)),
            ("ninf", Value::Float(f64::NEG_INFINITY)),
            ("control", "bell\u{7} nul-ish \u{1}".into()),
            ("empty", Value::List(vec![])),
        ]),
    )
    .expect("node");
    let article = factgraph::seed::build_default().expect("the seed");
    for g in [g, article] {
        let dump = to_string("cypher", &g);
        let mut db = factgraph::Database::in_memory(Graph::new());
        db.run(&dump, &Default::default(), &Default::default())
            .expect("the dump runs");
        // The script cannot install the schema (see export::cypher).
        let mut want = g.clone();
        want.set_schema(None);
        assert_eq!(canon(db.graph()), canon(&want));
    }
}

/// An element's properties, in key order.
type Pairs = Vec<(String, Value)>;

/// A graph as text, without its ids: the sorted list of its nodes (labels
/// and properties, through `fix`) and of its relationships (each end as
/// its node's text), so that two graphs made in different orders compare.
fn unordered(g: &Graph, fix: &dyn Fn(Pairs) -> Pairs) -> String {
    let view = View::of_graph(g);
    let text = |props: factgraph::model::PropsRef<'_>| {
        let pairs: Pairs = props
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.into_owned()))
            .collect();
        let mut pairs = fix(pairs);
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        format!("{pairs:?}")
    };
    let node: BTreeMap<NodeId, String> = view
        .nodes
        .iter()
        .map(|n| (n.id, format!("{:?} {}", n.labels, text(n.props))))
        .collect();
    let mut nodes: Vec<&String> = node.values().collect();
    nodes.sort();
    let mut rels: Vec<String> = view
        .rels
        .iter()
        .map(|r| {
            format!(
                "({})-[{} {}]->({})",
                node[&r.start],
                r.rel_type,
                text(r.props),
                node[&r.end]
            )
        })
        .collect();
    rels.sort();
    format!("{nodes:#?}\n{rels:#?}")
}

/// Undoes what the Neo4j and Memgraph scripts do to a date property: the
/// first day plus `KEY_precision` / `KEY_approximate` becomes the date it
/// was.
fn undo_server_dates(pairs: Pairs) -> Pairs {
    let get = |k: String| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    let is_date = |k: &str| matches!(get(k.to_string()), Some(Value::Date(_)));
    pairs
        .iter()
        .filter(|(k, _)| {
            let companion = |suffix: &str| k.strip_suffix(suffix).is_some_and(is_date);
            !companion("_precision") && !companion("_approximate")
        })
        .map(|(k, v)| match v {
            Value::Date(d) => {
                assert!(
                    d.precision == factgraph::model::Precision::Day && !d.approx,
                    "{k}: {d}"
                );
                let mut d = match get(format!("{k}_precision")) {
                    Some(Value::String(p)) if p == "year" => FDate::year(d.year),
                    Some(Value::String(p)) if p == "month" => {
                        FDate::month(d.year, d.month).expect("a month")
                    }
                    None => *d,
                    other => panic!("{k}_precision is {other:?}"),
                };
                match get(format!("{k}_approximate")) {
                    Some(Value::Bool(true)) => d = d.approximate(),
                    None => {}
                    other => panic!("{k}_approximate is {other:?}"),
                }
                (k.clone(), Value::Date(d))
            }
            _ => (k.clone(), v.clone()),
        })
        .collect()
}

/// The Neo4j and Memgraph scripts, run by factgraph (whose Cypher reads
/// both dialects' index statements), rebuild the graph: the same nodes,
/// labels, relationships and values, dates as their first day with their
/// precision and approximation beside them, and nothing of the import
/// label, property or index left. Lists Neo4j cannot store become lists
/// of strings there; dates in lists lose their precision.
#[test]
fn neo4j_and_memgraph_scripts_rebuild_the_graph() {
    let mut g = sample();
    g.create_node(
        vec!["Odd".into(), "Thing".into()],
        props(&[
            (
                "mixed",
                Value::List(vec![Value::Int(1), "a".into(), Value::Float(0.5)]),
            ),
            ("days", Value::List(vec![date("2023"), date("2024-05-21")])),
            ("far", Value::Date(FDate::day(12345, 6, 7).expect("a day"))),
            ("nan", Value::Float(f64::NAN)),
            ("empty", Value::List(vec![])),
        ]),
    )
    .expect("node");
    let article = factgraph::seed::build_default().expect("the seed");
    for (format, mixed) in [
        (
            "neo4j",
            Value::List(vec!["1".into(), "a".into(), "0.5".into()]),
        ),
        (
            "memgraph",
            Value::List(vec![Value::Int(1), "a".into(), Value::Float(0.5)]),
        ),
    ] {
        // What the script makes of the lists, dates undone.
        let lists = |pairs: Pairs| -> Pairs {
            pairs
                .into_iter()
                .map(|(k, v)| match k.as_str() {
                    "mixed" => (k, mixed.clone()),
                    "days" => (k, Value::List(vec![date("2023-01-01"), date("2024-05-21")])),
                    _ => (k, v),
                })
                .collect()
        };
        for g in [&g, &article] {
            let script = to_string(format, g);
            let mut db = factgraph::Database::in_memory(Graph::new());
            db.run(&script, &Default::default(), &Default::default())
                .unwrap_or_else(|e| panic!("the {format} script runs: {e}"));
            assert_eq!(
                unordered(db.graph(), &undo_server_dates),
                unordered(g, &lists),
                "{format}"
            );
            let left = db
                .run(
                    "MATCH (n) WHERE n:_factgraph OR n._factgraph_id IS NOT NULL RETURN count(n)",
                    &Default::default(),
                    &Default::default(),
                )
                .expect("query");
            assert_eq!(left[0].rows, vec![vec![Value::Int(0)]], "{format}");
            let indexes = db
                .run("SHOW INDEXES", &Default::default(), &Default::default())
                .expect("SHOW INDEXES");
            assert_eq!(
                indexes[0].rows.len(),
                3,
                "only the built-in indexes are left"
            );
        }
    }
    // What was written other than as it is, counted.
    let mut out = Vec::new();
    let report = export::export("neo4j", &g, None, &mut out).expect("export");
    assert_eq!(
        report.notes,
        [
            "16 dates of year or month precision or approximate written as the first day (with KEY_precision / KEY_approximate)",
            "1 date of year or month precision or approximate in a list written as the first day (the precision is not kept)",
            "1 list of mixed types written as a list of strings (Neo4j stores lists of one type)",
        ]
    );
    let script = String::from_utf8(out).expect("utf-8");
    assert!(
        script.contains("far: date({year: 12345, month: 6, day: 7})"),
        "{script}"
    );
    assert!(
        script.contains(
            "since: date('2023-01-01'), since_precision: 'year', since_approximate: true"
        )
    );
    // A graph that already uses the import label is refused.
    let mut taken = Graph::new();
    taken
        .create_node(vec!["_factgraph".into()], Props::new())
        .expect("node");
    let err = export::export("memgraph", &taken, None, &mut Vec::new()).expect_err("refused");
    assert!(
        err.to_string().contains("uses the label _factgraph"),
        "{err}"
    );
}

/// What each database cannot store is written as text and counted: Neo4j's
/// lists are of one type (a datetime and a duration are two), their
/// elements written as their text; Memgraph has no time with an offset,
/// no months in a duration and nothing finer than microseconds. mgconsole
/// splits statements at a `;` outside quotes and knows neither comments
/// nor backquotes: the comments hold no quote, and a name with a quote or
/// a semicolon is refused.
#[test]
fn server_scripts_write_what_the_database_cannot_store_as_text() {
    let mut g = Graph::new();
    g.create_node(
        vec!["T".into()],
        props(&[
            (
                "two",
                Value::List(vec![
                    temporal("datetime", "2024-01-01T10:00Z"),
                    temporal("duration", "P1D"),
                ]),
            ),
            ("mixed", Value::List(vec![Value::Int(1), date("2023-10")])),
            ("zoned", temporal("time", "10:00+01:00")),
            ("months", temporal("duration", "P1Y2M")),
            ("nanos", temporal("localtime", "10:00:00.123456789")),
            ("micros", temporal("localtime", "10:00:00.123456")),
            ("days", Value::List(vec![date("2024-01-02")])),
        ]),
    )
    .expect("node");
    let mut out = Vec::new();
    let report = export::export("neo4j", &g, None, &mut out).expect("neo4j");
    assert_eq!(
        report.notes,
        ["2 lists of mixed types written as a list of strings (Neo4j stores lists of one type)"]
    );
    let script = String::from_utf8(out).expect("utf-8");
    assert!(script.contains("mixed: ['1', '2023-10']"), "{script}");
    assert!(script.contains("days: [date('2024-01-02')]"), "{script}");
    let mut out = Vec::new();
    let report = export::export("memgraph", &g, None, &mut out).expect("memgraph");
    assert_eq!(
        report.notes,
        [
            "1 date of year or month precision or approximate in a list written as the first day (the precision is not kept)",
            "3 times with an offset, durations with months or values finer than microseconds written as a string (Memgraph has no such temporal value)",
        ]
    );
    let script = String::from_utf8(out).expect("utf-8");
    assert!(script.contains("zoned: '10:00+01:00'"), "{script}");
    assert!(
        script.contains("micros: localtime('10:00:00.123456')"),
        "{script}"
    );
    // The comments of a store with a schema hold no quote or semicolon.
    let article = factgraph::seed::build_default().expect("the seed");
    for format in ["neo4j", "memgraph"] {
        let script = to_string(format, &article);
        for line in script.lines().filter(|l| l.starts_with("//")) {
            assert!(!line.contains(['\'', '"', ';']), "{format}: {line}");
        }
    }
    for name in ["it's", "a;b", "say \"x\""] {
        let mut bad = Graph::new();
        bad.create_node(vec![name.into()], Props::new())
            .expect("node");
        let err = export::export("memgraph", &bad, None, &mut Vec::new()).expect_err(name);
        assert!(err.to_string().contains("mgconsole cannot read"), "{err}");
        export::export("neo4j", &bad, None, &mut Vec::new()).expect("neo4j reads it");
    }
}

// ---- CSV export, checked by Kùzu ------------------------------------------

#[test]
fn csv_export_neo4j_files_read_back_with_every_hostile_string() {
    let files = factgraph::export::csv::to_files(&View::of_graph(&sample()));
    let (_, things) = files
        .iter()
        .find(|(p, _)| p == "neo4j/nodes_Thing.csv")
        .expect("Thing file");
    let records = import::csv::parse_csv(things, "t.csv").expect("parse");
    assert_eq!(
        records[0]
            .fields
            .iter()
            .map(|f| f.text.as_str())
            .collect::<Vec<_>>(),
        [":ID", "index:long", "name:string", "tags:string[]"]
    );
    for (r, h) in records[1..].iter().zip(HOSTILE) {
        assert_eq!(r.fields[2].text, *h);
        assert_eq!(r.fields[3].text, format!("{h}\u{1f}plain"));
    }
    let (_, sh) = files
        .iter()
        .find(|(p, _)| p == "neo4j/import.sh")
        .expect("import.sh");
    assert!(
        sh.contains("--nodes='Statement:Membership=nodes_Statement_Membership.csv'"),
        "{sh}"
    );
    assert!(sh.contains("--relationships='MEMBER_OF=rels_MEMBER_OF.csv'"));
    let (_, schema) = files
        .iter()
        .find(|(p, _)| p == "kuzu/schema.cypher")
        .expect("schema");
    assert!(schema.contains("// `Statement_Membership`: factgraph dates") || schema.contains("// Statement_Membership: factgraph dates (2023 | 2023-10 | 2023-10-11, ~ when approximate) in date, reported, valid_from"), "{schema}");
    assert!(
        schema.contains(
            "CREATE REL TABLE `MENTIONS`(FROM `Thing` TO `State`, `date` STRING, `quote` STRING);"
        ),
        "{schema}"
    );
}

/// What Kùzu should hold for a node property: the value, with dates as
/// our strings, and a list Kùzu cannot read as a list as its JSON text.
fn kuzu_expect(v: &Value, list_as_text: bool) -> J {
    match v {
        Value::List(_) if list_as_text => serde_json::json!({ "s": factgraph_plain(v) }),
        Value::String(s) if s.is_empty() => J::Null,
        v => tagged(v),
    }
}

fn factgraph_plain(v: &Value) -> String {
    match v {
        Value::List(items) => serde_json::Value::Array(
            items
                .iter()
                .map(|i| match i {
                    Value::Int(n) => J::from(*n),
                    Value::Bool(b) => J::from(*b),
                    Value::Date(d) => J::from(d.to_string()),
                    Value::String(s) => J::from(s.clone()),
                    other => J::from(other.to_string()),
                })
                .collect(),
        )
        .to_string(),
        other => other.to_string(),
    }
}

#[test]
fn kuzu_loads_the_csv_export_with_the_same_graph() {
    let g = sample();
    let dir = tempfile::tempdir().expect("tempdir");
    export::export_to_path("csv", &g, None, dir.path()).expect("csv");
    let dirs = dir.path().to_str().expect("path");
    let seen = check(&[
        "kuzu",
        dirs,
        "MATCH (s:State)-[m:MEMBER_OF]->(o:Organisation) RETURN o.name, m.since ORDER BY m.since",
    ]);
    assert_eq!(seen["node_count"], J::from(g.node_count()));
    assert_eq!(seen["rel_count"], J::from(g.rel_count()));
    // The same answer as factgraph's: both memberships, dates as written.
    assert_eq!(
        seen["answer"],
        serde_json::json!([
            [{"s": "Shanghai Cooperation Organisation"}, {"s": "2024-07-04"}],
            [{"s": "Shanghai Cooperation Organisation"}, {"s": "~2023"}],
        ])
    );
    // Every node with every property, hostile strings included.
    let mut by_id: BTreeMap<u64, &J> = BTreeMap::new();
    for n in seen["nodes"].as_array().expect("nodes") {
        by_id.insert(n["id"].as_u64().expect("id"), n);
    }
    for id in g.node_ids() {
        let node = g.node(id).expect("node");
        let k = by_id
            .get(&u64::from(id.0))
            .unwrap_or_else(|| panic!("node {} missing in Kùzu", id.0));
        assert_eq!(
            k["table"],
            J::from(factgraph::export::csv::node_table(&node.labels))
        );
        // Thing's tags hold hostile strings: a JSON text there.
        let want: serde_json::Map<String, J> = node
            .props
            .iter()
            .map(|(key, v)| {
                (
                    key.to_string(),
                    kuzu_expect(&v, node.labels == ["Thing"] && key == "tags"),
                )
            })
            .filter(|(_, v)| !v.is_null())
            .collect();
        assert_eq!(k["props"], J::Object(want), "node {}", id.0);
    }
    // Every relationship, with its ends and properties.
    let view = View::of_graph(&g);
    let tables = factgraph::export::csv::kuzu_rel_tables(&view);
    assert_eq!(
        tables["ORGANISATION"], "ORGANISATION_REL",
        "clashes with the node table Organisation"
    );
    assert_eq!(tables["MEMBER_OF"], "MEMBER_OF");
    let mut want: Vec<String> = view
        .rels
        .iter()
        .map(|r| serde_json::json!({"type": tables[r.rel_type], "start": r.start.0, "end": r.end.0, "props": tagged_props(&r.props.to_props())}).to_string())
        .collect();
    let mut got: Vec<String> = seen["rels"]
        .as_array()
        .expect("rels")
        .iter()
        .map(J::to_string)
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
}

// ---- RDF, checked by rdflib ----------------------------------------------

#[test]
fn rdflib_parses_ntriples_and_turtle_to_the_same_graph() {
    let g = sample();
    let dir = tempfile::tempdir().expect("tempdir");
    let nt = dir.path().join("g.nt");
    let ttl = dir.path().join("g.ttl");
    export::export_to_path("nt", &g, None, &nt).expect("nt");
    export::export_to_path("turtle", &g, None, &ttl).expect("ttl");
    let seen = check(&[
        "rdf",
        nt.to_str().expect("path"),
        ttl.to_str().expect("path"),
        "SELECT ?name ?since (datatype(?since) AS ?t) ?approx WHERE { \
           ?e rdf:predicate r:MEMBER_OF ; rdf:object ?o ; p:since ?since . ?o p:name ?name . \
           OPTIONAL { ?e ax:since ?approx } } ORDER BY STR(?since)",
    ]);
    assert_eq!(
        seen["isomorphic"],
        J::Bool(true),
        "Turtle and N-Triples differ"
    );
    for f in ["nt", "ttl"] {
        assert_eq!(seen[f]["nodes"], J::from(g.node_count()), "{f}");
        assert_eq!(seen[f]["rels"], J::from(g.rel_count()), "{f}");
    }
    let xsd = "http://www.w3.org/2001/XMLSchema#";
    assert_eq!(
        seen["answer"],
        serde_json::json!([
            [
                "Shanghai Cooperation Organisation",
                "2023",
                format!("{xsd}gYear"),
                "true"
            ],
            [
                "Shanghai Cooperation Organisation",
                "2024-07-04",
                format!("{xsd}date"),
                null
            ],
        ])
    );
    // Every hostile string reads back exactly, as a name and as a quote.
    let lits = seen["literals"].as_array().expect("literals");
    for h in HOSTILE {
        for p in ["name", "quote"] {
            let pred = format!("http://factgraph.example/p/{p}");
            assert!(
                lits.iter().any(|l| l[1] == pred.as_str() && l[2] == *h),
                "{p} {h:?} not read back"
            );
        }
    }
    // Precision in the datatype, approximation as a flag.
    let has = |s: &str, p: &str, v: &str, t: Option<&str>| {
        lits.iter().any(|l| {
            l[0] == s
                && l[1] == format!("http://factgraph.example/{p}")
                && l[2] == v
                && l[3] == t.map_or(J::Null, |t| J::from(format!("{xsd}{t}")))
        })
    };
    let n2 = "http://factgraph.example/n/2";
    assert!(has(n2, "p/date", "2024-01-11", Some("date")));
    assert!(has(n2, "approx/date", "true", Some("boolean")));
    assert!(has(n2, "p/valid_from", "2024", Some("gYear")));
    assert!(has(n2, "p/reported", "2024-01", Some("gYearMonth")));
    assert!(!has(n2, "approx/reported", "true", Some("boolean")));
    assert!(has(n2, "p/big", "9223372036854775807", Some("integer")));
    assert!(has(n2, "p/ratio", "-0.1", Some("double")));
}

/// A value of one of Cypher's temporal types other than a date.
fn temporal(kind: &str, s: &str) -> Value {
    use factgraph::model::temporal::{self, Kind};
    match Kind::from_name(kind) {
        Some(k) => temporal::parse(k, s).expect("test temporal"),
        None => Value::temporal(factgraph::model::Temporal::Duration(
            temporal::parse_duration(s).expect("test duration"),
        )),
    }
}

#[test]
fn rdflib_reads_every_temporal_kind_as_its_xsd_type() {
    let mut g = Graph::new();
    let a = g
        .create_node(
            vec!["T".into()],
            props(&[
                ("t", temporal("time", "10:00:00+01:00")),
                ("lt", temporal("localtime", "10:00")),
                ("ldt", temporal("localdatetime", "2024-01-01T10:00")),
                // Microseconds: rdflib reads a dateTime into Python's
                // datetime, which holds no finer fraction.
                (
                    "dt",
                    temporal("datetime", "2024-01-01T10:00:00.123456-05:30"),
                ),
                (
                    "zoned",
                    temporal("datetime", "2024-07-01T10:00[Europe/Stockholm]"),
                ),
                ("du", temporal("duration", "P1Y2M3DT4H5M6.5S")),
                ("neg", temporal("duration", "-PT1.5S")),
                ("mixed", temporal("duration", "P1M-1D")),
                (
                    "times",
                    Value::List(vec![
                        temporal("localtime", "09:00"),
                        temporal("localtime", "17:30"),
                    ]),
                ),
                ("empty", Value::List(vec![])),
                ("day", date("2024-01-01")),
            ]),
        )
        .expect("node");
    g.create_rel(
        a,
        a,
        "LASTED".into(),
        props(&[("for", temporal("duration", "PT5M"))]),
    )
    .expect("rel");
    let dir = tempfile::tempdir().expect("tempdir");
    let nt = dir.path().join("t.nt");
    let ttl = dir.path().join("t.ttl");
    let report = export::export_to_path("nt", &g, None, &nt).expect("nt");
    assert_eq!(
        export::export_to_path("ttl", &g, None, &ttl).expect("ttl"),
        report,
        "the same report for both syntaxes"
    );
    assert_eq!(report.notes.len(), 3, "{report:?}");
    assert!(
        report.notes[0].starts_with("1 empty list left out"),
        "{report:?}"
    );
    assert!(
        report.notes[1].starts_with("1 duration with components of mixed signs"),
        "{report:?}"
    );
    assert!(
        report.notes[2].starts_with("1 datetime in a named zone"),
        "{report:?}"
    );
    let seen = check(&[
        "rdf",
        nt.to_str().expect("path"),
        ttl.to_str().expect("path"),
        "SELECT (HOURS(?dt) AS ?h) (TZ(?dt) AS ?tz) (TZ(?z) AS ?ztz) WHERE { ?n p:dt ?dt ; p:zoned ?z }",
    ]);
    assert_eq!(
        seen["isomorphic"],
        J::Bool(true),
        "Turtle and N-Triples differ"
    );
    assert_eq!(
        seen["ill_typed"],
        serde_json::json!([]),
        "rdflib refused a literal"
    );
    assert_eq!(
        seen["answer"],
        serde_json::json!([["10", "-05:30", "+02:00"]]),
        "read as dateTimes with their offsets"
    );
    let xsd = |t: &str| J::from(format!("http://www.w3.org/2001/XMLSchema#{t}"));
    let lit = |s: &str, p: &str, v: &str, t: Option<&str>| {
        serde_json::json!([
            format!("http://factgraph.example/{s}"),
            format!("http://factgraph.example/p/{p}"),
            v,
            t.map_or(J::Null, xsd)
        ])
    };
    let mut want = vec![
        lit("n/0", "t", "10:00:00+01:00", Some("time")),
        lit("n/0", "lt", "10:00:00", Some("time")),
        lit("n/0", "ldt", "2024-01-01T10:00:00", Some("dateTime")),
        lit(
            "n/0",
            "dt",
            "2024-01-01T10:00:00.123456-05:30",
            Some("dateTime"),
        ),
        lit(
            "n/0",
            "zoned",
            "2024-07-01T10:00:00+02:00",
            Some("dateTime"),
        ),
        lit("n/0", "du", "P1Y2M3DT4H5M6.5S", Some("duration")),
        lit("n/0", "neg", "-PT1.5S", Some("duration")),
        lit("n/0", "mixed", "P1M-1D", None),
        lit("n/0", "times", "09:00:00", Some("time")),
        lit("n/0", "times", "17:30:00", Some("time")),
        lit("n/0", "day", "2024-01-01", Some("date")),
        lit("e/0", "for", "PT5M", Some("duration")),
    ];
    want.sort_by_key(|l| l.to_string());
    let mut got = seen["literals"].as_array().expect("literals").clone();
    got.sort_by_key(|l| l.to_string());
    assert_eq!(got, want);
}

// ---- GraphML, checked by networkx -----------------------------------------

#[test]
fn networkx_reads_the_graphml_with_the_same_counts_and_values() {
    let g = sample();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("g.graphml");
    export::export_to_path("graphml", &g, None, &path).expect("graphml");
    let seen = check(&["graphml", path.to_str().expect("path")]);
    assert_eq!(seen["nodes"], J::from(g.node_count()));
    assert_eq!(seen["edges"], J::from(g.rel_count()));
    assert_eq!(seen["directed"], J::Bool(true));
    for id in g.node_ids() {
        let node = g.node(id).expect("node");
        let attrs = &seen["node_attrs"][format!("n{}", id.0)];
        let labels: String = node.labels.iter().map(|l| format!(":{l}")).collect();
        if labels.is_empty() {
            // networkx drops an empty string attribute? It keeps it.
            assert!(attrs["labels"] == serde_json::json!({"s": ""}) || attrs["labels"].is_null());
        } else {
            assert_eq!(attrs["labels"], serde_json::json!({ "s": labels }));
        }
        for (k, v) in node.props {
            let v = &*v;
            let want = match v {
                Value::List(_) => serde_json::json!({ "s": factgraph_plain(v) }),
                Value::Date(d) => serde_json::json!({ "s": d.to_string() }),
                v => tagged(v),
            };
            assert_eq!(attrs[k.as_str()], want, "node {} {k}", id.0);
        }
    }
}

// ---- the article graph (the seed) -------------------------------------------

/// One membership step of Belarus in the SCO: statement key, stage name,
/// status, modality, date (our text encoding).
type Stage = (String, String, String, String, Option<String>);

/// "Belarus' SCO stages", answered through the Graph API: the
/// `:Statement:Membership` nodes with SUBJECT Belarus, ORGANISATION the SCO
/// and a STAGE, sorted by key.
fn belarus_sco_stages(g: &Graph) -> Vec<Stage> {
    let name_is = |id: NodeId, want: &str| {
        g.node(id)
            .and_then(|n| n.props.get_str("name"))
            .is_some_and(|v| v == want)
    };
    let text = |n: factgraph::store::NodeRef, k: &str| match n.props.get(k).as_deref() {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    let mut out = Vec::new();
    for s in g.nodes_with_label("Membership") {
        let out_of = |t: &str| -> Vec<NodeId> {
            g.out_rels(s)
                .filter(|(r, _)| g.rel(*r).is_some_and(|r| r.rel_type == t))
                .map(|(_, n)| n)
                .collect()
        };
        if !out_of("SUBJECT").iter().any(|&b| name_is(b, "Belarus"))
            || !out_of("ORGANISATION")
                .iter()
                .any(|&o| name_is(o, "Shanghai Cooperation Organisation"))
        {
            continue;
        }
        let node = g.node(s).expect("node");
        for st in out_of("STAGE") {
            let stage = g.node(st).expect("stage");
            out.push((
                text(node, "key"),
                text(stage, "name"),
                text(node, "status"),
                text(node, "modality"),
                match node.props.get("date").as_deref() {
                    Some(Value::Date(d)) => Some(d.to_string()),
                    _ => None,
                },
            ));
        }
    }
    out.sort();
    out
}

/// The article graph in every format, each read by its tool, with the same
/// counts and the same answer to "Belarus' SCO stages" as factgraph's.
#[test]
fn the_article_graph_exports_to_every_format_and_the_tools_agree() {
    let g = match factgraph::seed::build_default() {
        Ok(g) => g,
        Err(e) => panic!("seed::build_default() failed: {e}; this test needs the seed"),
    };
    let ours = belarus_sco_stages(&g);
    assert!(
        ours.len() >= 5,
        "the seed has Belarus' SCO stages: {ours:?}"
    );
    assert!(
        ours.iter()
            .any(|s| s.4.as_deref().is_some_and(|d| d.starts_with('~'))),
        "an approximate date: {ours:?}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |name: &str| dir.path().join(name);

    // JSON: back to an identical graph, schema included.
    let json = to_string("json", &g);
    let mut back = Graph::new();
    import::json::import_json(&json, "articles.json", &mut back).expect("import");
    assert_eq!(canon(&back), canon(&g));
    assert!(back.schema().is_some());

    // CSV: Kùzu.
    export::export_to_path("csv", &g, None, &p("csv")).expect("csv");
    let view = View::of_graph(&g);
    let tables = factgraph::export::csv::kuzu_rel_tables(&view);
    let query = format!(
        "MATCH (b:State)<-[:{}]-(s:Statement_Membership)-[:{}]->(o:Organisation), (s)-[:{}]->(st:MembershipStage) \
         WHERE b.name = 'Belarus' AND o.name = 'Shanghai Cooperation Organisation' \
         RETURN s.key, st.name, s.status, s.modality, s.date ORDER BY s.key",
        tables["SUBJECT"], tables["ORGANISATION"], tables["STAGE"]
    );
    let seen = check(&["kuzu", p("csv").to_str().expect("path"), &query]);
    assert_eq!(seen["node_count"], J::from(g.node_count()));
    assert_eq!(seen["rel_count"], J::from(g.rel_count()));
    let want: Vec<J> = ours
        .iter()
        .map(|(k, st, status, m, d)| {
            serde_json::json!([{"s": k}, {"s": st}, {"s": status}, {"s": m}, d.as_ref().map(|d| serde_json::json!({"s": d}))])
        })
        .collect();
    assert_eq!(seen["answer"], J::Array(want), "Kùzu's answer differs");

    // RDF: rdflib, SPARQL.
    export::export_to_path("nt", &g, None, &p("g.nt")).expect("nt");
    export::export_to_path("ttl", &g, None, &p("g.ttl")).expect("ttl");
    let sparql = "SELECT ?key ?stage ?status ?modality ?date ?approx WHERE { \
        ?s r:SUBJECT ?b . ?b p:name \"Belarus\" ; a c:State . \
        ?s r:ORGANISATION ?o . ?o p:name \"Shanghai Cooperation Organisation\" . \
        ?s r:STAGE ?st . ?st p:name ?stage . \
        ?s p:key ?key ; p:status ?status ; p:modality ?modality . \
        OPTIONAL { ?s p:date ?date } OPTIONAL { ?s ax:date ?approx } } ORDER BY ?key";
    let seen = check(&[
        "rdf",
        p("g.nt").to_str().expect("path"),
        p("g.ttl").to_str().expect("path"),
        sparql,
    ]);
    assert_eq!(seen["isomorphic"], J::Bool(true));
    for f in ["nt", "ttl"] {
        assert_eq!(seen[f]["nodes"], J::from(g.node_count()), "{f}");
        assert_eq!(seen[f]["rels"], J::from(g.rel_count()), "{f}");
    }
    let want: Vec<J> = ours
        .iter()
        .map(|(k, st, status, m, d)| {
            let approx = d.as_ref().is_some_and(|d| d.starts_with('~'));
            serde_json::json!([
                k,
                st,
                status,
                m,
                d.as_ref().map(|d| d.trim_start_matches('~').to_string()),
                approx.then_some("true")
            ])
        })
        .collect();
    assert_eq!(seen["answer"], J::Array(want), "the SPARQL answer differs");

    // GraphML: networkx.
    export::export_to_path("graphml", &g, None, &p("g.graphml")).expect("graphml");
    let seen = check(&["graphml", p("g.graphml").to_str().expect("path")]);
    assert_eq!(seen["nodes"], J::from(g.node_count()));
    assert_eq!(seen["edges"], J::from(g.rel_count()));

    // The Cypher dump documents the schema in its header.
    let dump = to_string("cypher", &g);
    assert!(
        dump.contains("// node Membership status:string!"),
        "schema header"
    );
    assert!(dump.contains("fdate('~"), "an approximate date in the dump");
}

#[test]
fn csv_import_names_the_first_refused_row_of_the_file() {
    // Relationships are created in end-node order; the error still names
    // the first row of the file the schema refuses.
    let schema = factgraph::seed::parse_schema(
        "s.fgs",
        "node State id:int name:string\nnode Organisation id:int name:string\nrel REPRESENTS Organisation -> State\n",
    )
    .expect("schema");
    let mut g = Graph::with_schema(schema);
    let before = canon(&g);
    let nodes = "id,label,name\n0,State,A\n1,Organisation,O\n2,State,B\n";
    // Row 2 (State -> State, end node 2) and row 4 (end node 0) are refused.
    let edges = "src,dst,type\n0,2,REPRESENTS\n1,0,REPRESENTS\n2,0,REPRESENTS\n";
    let e = import::csv::import_csv(nodes, "nodes.csv", edges, "edges.csv", &mut g)
        .expect_err("refused");
    assert!(e.to_string().starts_with("edges.csv:2:"), "{e}");
    assert_eq!(canon(&g), before, "a failed import changed the graph");
    let ok = "src,dst,type\n1,2,REPRESENTS\n1,0,REPRESENTS\n";
    let stats = import::csv::import_csv(nodes, "nodes.csv", ok, "edges.csv", &mut g).expect("ok");
    assert_eq!(stats.rels, 2);
}

/// The property indexes and constraints of a graph, as their statements.
fn definitions(g: &Graph) -> Vec<String> {
    let mut out: Vec<String> = g
        .prop_indexes()
        .map(|ix| format!("{} {} {}", ix.name(), ix.label(), ix.key()))
        .collect();
    out.extend(g.constraints().map(|c| format!("{} {c}", c.name)));
    out
}

/// `sample()` with two property indexes and a constraint of each kind.
fn with_definitions() -> Graph {
    let mut db = factgraph::Database::in_memory(sample());
    for q in [
        "CREATE INDEX by_name FOR (s:State) ON (s.name)",
        "CREATE INDEX FOR (s:State) ON (s.area)",
        "CREATE CONSTRAINT state_name FOR (s:State) REQUIRE s.name IS UNIQUE",
        "CREATE CONSTRAINT FOR (s:State) REQUIRE s.name IS NOT NULL",
        "CREATE CONSTRAINT `the key` FOR (s:State) REQUIRE (s.name, s.population) IS NODE KEY",
        "CREATE CONSTRAINT quote FOR ()-[m:MENTIONS]-() REQUIRE m.quote IS UNIQUE",
        // With the index it makes under its name.
        "CREATE CONSTRAINT org FOR (o:Organisation) REQUIRE o.name IS UNIQUE",
    ] {
        db.run(q, &Default::default(), &Default::default())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    db.graph().clone()
}

#[test]
fn indexes_and_constraints_travel_with_the_json_export_and_the_cypher_dump() {
    let g = with_definitions();
    assert_eq!(definitions(&g).len(), 8, "{:?}", definitions(&g));
    // JSON, read back by the import.
    let json = to_string("json", &g);
    let mut back = Graph::new();
    import::json::import_json(&json, "g.json", &mut back).expect("the JSON imports");
    assert_eq!(definitions(&back), definitions(&g));
    assert_eq!(canon(&back), canon(&g));
    // Importing it again into the same graph: the definitions are there
    // already (kept), the nodes are not unique any more (refused).
    let e = import::import_path(&write_temp("again.json", &json), &mut back.clone())
        .expect_err("duplicates");
    assert!(e.message.contains("both have name"), "{e}");
    // The Cypher dump, run by factgraph.
    let dump = to_string("cypher", &g);
    let mut db = factgraph::Database::in_memory(Graph::new());
    db.run(&dump, &Default::default(), &Default::default())
        .expect("the dump runs");
    assert_eq!(definitions(db.graph()), definitions(&g));
    // A file whose definition the data breaks is refused where it says so.
    let broken = json.replace("REQUIRE r.quote IS UNIQUE", "REQUIRE r.nope IS NOT NULL");
    assert_ne!(broken, json);
    let e = import::json::import_json(&broken, "g.json", &mut Graph::new()).expect_err("broken");
    assert!(e.message.contains("has no nope"), "{e}");
    assert!(e.line > 0, "{e}");
}

#[test]
fn server_scripts_end_with_the_indexes_and_constraints_each_database_has() {
    let g = with_definitions();
    let unnamed = g
        .constraints()
        .find(|c| c.name.starts_with("constraint_"))
        .map(|c| c.name.clone())
        .expect("the unnamed one has a made-up name");
    let neo4j = to_string("neo4j", &g);
    let tail: Vec<&str> = neo4j
        .lines()
        .skip_while(|l| !l.starts_with("DROP INDEX factgraph_import"))
        .skip(1)
        .filter(|l| !l.starts_with("//"))
        .collect();
    assert!(
        neo4j.contains("// Key and existence constraints need Neo4j Enterprise Edition")
            && neo4j.contains("// Relationship uniqueness constraints need Neo4j 5.7"),
        "{neo4j}"
    );
    // Neo4j makes the index of a uniqueness constraint itself and refuses
    // a second one on the same label and key: `by_name` is left out.
    assert_eq!(
        tail,
        [
            "CREATE INDEX index_State_area FOR (n:State) ON (n.area);".to_string(),
            "CREATE CONSTRAINT state_name FOR (n:State) REQUIRE n.name IS UNIQUE;".into(),
            format!("CREATE CONSTRAINT {unnamed} FOR (n:State) REQUIRE n.name IS NOT NULL;"),
            "CREATE CONSTRAINT `the key` FOR (n:State) REQUIRE (n.name, n.population) IS NODE KEY;"
                .into(),
            "CREATE CONSTRAINT quote FOR ()-[r:MENTIONS]-() REQUIRE r.quote IS UNIQUE;".into(),
            "CREATE CONSTRAINT org FOR (n:Organisation) REQUIRE n.name IS UNIQUE;".into(),
        ]
    );
    let memgraph = to_string("memgraph", &g);
    let tail: Vec<&str> = memgraph
        .lines()
        .skip_while(|l| !l.starts_with("DROP INDEX ON :_factgraph"))
        .skip(1)
        .collect();
    // Memgraph: no names, a key is uniqueness and existence, and there are
    // no relationship constraints.
    assert_eq!(
        tail,
        [
            "CREATE INDEX ON :State(name);",
            "CREATE INDEX ON :State(area);",
            "CREATE CONSTRAINT ON (n:State) ASSERT n.name IS UNIQUE;",
            "CREATE CONSTRAINT ON (n:State) ASSERT EXISTS (n.name);",
            "CREATE CONSTRAINT ON (n:State) ASSERT n.name, n.population IS UNIQUE;",
            "CREATE CONSTRAINT ON (n:State) ASSERT EXISTS (n.name);",
            "CREATE CONSTRAINT ON (n:State) ASSERT EXISTS (n.population);",
            "CREATE CONSTRAINT ON (n:Organisation) ASSERT n.name IS UNIQUE;",
        ]
    );
    let (_, report) =
        export::cypher::to_server_script(&View::of_graph(&g), export::cypher::Dialect::Memgraph)
            .expect("a script");
    assert!(
        report
            .notes
            .iter()
            .any(|n| n == "1 relationship constraint left out (Memgraph has none)"),
        "{:?}",
        report.notes
    );
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("factgraph-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("written");
    p
}

#[test]
fn index_and_constraint_names_that_are_keywords_read_back() {
    let mut db = factgraph::Database::in_memory(sample());
    for q in [
        "CREATE INDEX `for` FOR (s:State) ON (s.area)",
        "CREATE CONSTRAINT `If` FOR (s:State) REQUIRE s.population IS UNIQUE",
        "CREATE CONSTRAINT `on` FOR (s:State) REQUIRE s.name IS NOT NULL",
    ] {
        db.run(q, &Default::default(), &Default::default())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    let g = db.graph().clone();
    let mut back = Graph::new();
    import::json::import_json(&to_string("json", &g), "g.json", &mut back)
        .expect("the JSON imports");
    assert_eq!(definitions(&back), definitions(&g));
    let mut again = factgraph::Database::in_memory(Graph::new());
    again
        .run(
            &to_string("cypher", &g),
            &Default::default(),
            &Default::default(),
        )
        .expect("the dump runs");
    assert_eq!(definitions(again.graph()), definitions(&g));
}
