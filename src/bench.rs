//! `factgraph bench`: our store as an outside peer of the benchmark harness
//! (`../shared/bench/peers.py --peer-cmd 'factgraph=... bench'`).
//!
//! The harness runs this program three times per scale, with
//! `--worker load|open|query --data DATA_DIR --db DB_DIR --reps N
//! --query-budget S`, and reads the `@@bench {json}` lines it prints on
//! stdout. The queries are the five of the harness, written in our Cypher as
//! a user would write them; their parameters come from `DATA_DIR/meta.json`.
//! Every timed run parses, plans and runs the statement and collects its rows.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Value as Json, json};

use crate::db::Database;
use crate::error::Error;
use crate::import::ImportStats;
use crate::import::csv::{Progress, Stage, import_csv_files};
use crate::model::Value;
use crate::query::{ExecOptions, Params};
use crate::store::Graph;

/// The prefix of every result line the harness reads.
const MARK: &str = "@@bench ";

/// The store file inside the harness's `--db` directory.
pub const STORE_FILE: &str = "graph.fg";

/// A harness query: its name, our Cypher, and for each `$param` the
/// `meta.json` parameter it takes.
pub type BenchQuery = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The harness's five queries in our Cypher.
pub const QUERIES: [BenchQuery; 5] = [
    (
        "Q1",
        "MATCH (n) WHERE n.name = $name RETURN n.id, labels(n)",
        &[("name", "q1_name")],
    ),
    (
        "Q2",
        "MATCH (s:State {name: $state})-[m:MEMBER_OF]->(o:Organisation) \
         WHERE m.date < date($before) RETURN o.name, m.date",
        &[("state", "q2_state"), ("before", "q2_before")],
    ),
    (
        "Q3",
        "MATCH (a:State {name: $state})-[:MEMBER_OF]->(:Organisation)<-[:MEMBER_OF]-(b:State) \
         WHERE b <> a RETURN DISTINCT b.name",
        &[("state", "q3_state")],
    ),
    ("Q4", "MATCH ()-[e]->() RETURN type(e), count(*)", &[]),
    (
        "Q5",
        "MATCH p = shortestPath((a:Person {name: $from})-[*..10]-(b:Person {name: $to})) \
         RETURN length(p)",
        &[("from", "q5_from"), ("to", "q5_to")],
    ),
];

/// The arguments the harness passes.
#[derive(Debug, Clone)]
pub struct WorkerArgs {
    /// `load`, `open` or `query`.
    pub phase: String,
    pub data: PathBuf,
    pub db: PathBuf,
    pub reps: usize,
    pub query_budget_s: f64,
}

fn emit(v: Json) {
    println!("{MARK}{v}");
}

/// Peak resident memory of this process so far, in MB (`VmHWM`, which is
/// what `ru_maxrss` reports on Linux); 0 where it cannot be read.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Bulk-imports `nodes` and `edges` (the generator's CSV) into the store at
/// `store`, adding to what it holds, and writes it with one checkpoint. All
/// or nothing: on an error the store is unchanged.
pub fn import_into_store(
    nodes: &Path,
    edges: &Path,
    store: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportStats, Error> {
    let (stats, db) = import_checkpointed(nodes, edges, store, progress)?;
    db.close()?;
    Ok(stats)
}

/// [`import_into_store`] for a process that exits right after: the store is
/// written and closed the same way, but the graph's memory is left to the
/// operating system (freeing millions of elements one by one costs a tenth
/// of a second at 1M nodes). Holds the store's writer lock until the
/// process exits.
pub fn import_into_store_then_exit(
    nodes: &Path,
    edges: &Path,
    store: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportStats, Error> {
    let (stats, db) = import_checkpointed(nodes, edges, store, progress)?;
    leak_closed(db)?;
    Ok(stats)
}

/// The import, written with one checkpoint: the log of the returned
/// database is empty.
fn import_checkpointed(
    nodes: &Path,
    edges: &Path,
    store: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<(ImportStats, Database), Error> {
    let (mut db, _) = Database::open(store)?;
    let mut g: Graph = db.graph().clone();
    let stats = import_csv_files(nodes, edges, &mut g, progress)?;
    g.check_all_constraints()
        .map_err(|e| Error::Other(format!("the import breaks a constraint: {}", e.message)))?;
    progress(Progress::at(Stage::Writing, 0, 0));
    db.replace_graph(g)?;
    Ok((stats, db))
}

/// Closes `db` as [`Database::close`] does (a checkpoint if its log holds
/// anything), then forgets it instead of freeing the graph: only for a
/// process about to exit, where the OS takes the memory back at once.
fn leak_closed(db: Database) -> Result<(), Error> {
    if db.log_size().1 > 0 {
        db.save()?;
    }
    std::mem::forget(db);
    Ok(())
}

/// Runs one worker phase of the harness protocol.
pub fn run_worker(args: &WorkerArgs) -> Result<(), Error> {
    let store = args.db.join(STORE_FILE);
    match args.phase.as_str() {
        "load" => {
            emit(json!({ "version": env!("CARGO_PKG_VERSION") }));
            // The harness makes the directory; someone running the worker by
            // hand need not.
            std::fs::create_dir_all(&args.db).map_err(|e| {
                Error::Other(format!("cannot create --db {}: {e}", args.db.display()))
            })?;
            let t0 = Instant::now();
            let stats = import_into_store_then_exit(
                &args.data.join("nodes.csv"),
                &args.data.join("edges.csv"),
                &store,
                &mut |_| {},
            )?;
            emit(json!({
                "load_s": t0.elapsed().as_secs_f64(),
                "load_peak_rss_mb": peak_rss_mb(),
                "load_detail": { "nodes": stats.nodes, "rels": stats.rels },
            }));
            Ok(())
        }
        "open" => {
            // The process exits next: the graph is not freed element by element.
            leak_closed(Database::open_read_only(&store)?)
        }
        "query" => query_phase(args, &store),
        "write" => write_phase(args, &store),
        other => Err(Error::Other(format!(
            "--worker {other}: expected load, open, query or write"
        ))),
    }
}

/// The small committed write of issue #5 (one relationship and one node,
/// logged and synced before it returns), as a Cypher statement.
pub const WRITE: &str = "MATCH (a:Person {name: $a}) CREATE (a)-[:KNOWS]->(:Person {name: $b})";

fn read_meta(data: &Path) -> Result<Json, Error> {
    let meta_path = data.join("meta.json");
    std::fs::read_to_string(&meta_path)
        .map_err(|e| Error::Other(format!("cannot read {}: {e}", meta_path.display())))
        .and_then(|t| {
            serde_json::from_str(&t)
                .map_err(|e| Error::Other(format!("{}: {e}", meta_path.display())))
        })
}

/// Not a harness phase: `--reps` committed [`WRITE`]s on the loaded store
/// (which they change), each timed alone.
fn write_phase(args: &WorkerArgs, store: &Path) -> Result<(), Error> {
    let meta = read_meta(&args.data)?;
    let a = meta["params"]["q1_name"]
        .as_str()
        .ok_or_else(|| Error::Other("meta.json: no params.q1_name".into()))?
        .to_string();
    let t0 = Instant::now();
    let (mut db, _) = Database::open(store)?;
    emit(json!({ "open_writer_s": t0.elapsed().as_secs_f64() }));
    let opts = ExecOptions::default();
    let mut times = Vec::new();
    for k in 0..args.reps.max(1) {
        let mut params = Params::new();
        params.insert("a".into(), Value::String(a.clone()));
        params.insert("b".into(), Value::String(format!("bench writer {k}")));
        let t = Instant::now();
        db.run(WRITE, &params, &opts)?;
        times.push(t.elapsed().as_secs_f64());
    }
    let warm = if times.len() > 1 {
        &times[1..]
    } else {
        &times[..]
    };
    emit(json!({
        "write": WRITE,
        "cold_s": times[0],
        "median_s": median(warm),
        "runs_s": times,
        "write_peak_rss_mb": peak_rss_mb(),
    }));
    let t = Instant::now();
    db.close()?;
    emit(json!({ "close_s": t.elapsed().as_secs_f64() }));
    Ok(())
}

fn query_phase(args: &WorkerArgs, store: &Path) -> Result<(), Error> {
    let meta_path = args.data.join("meta.json");
    let meta = read_meta(&args.data)?;
    let t0 = Instant::now();
    let mut db = Database::open_read_only(store)?;
    emit(json!({ "open_s": t0.elapsed().as_secs_f64(), "open_peak_rss_mb": peak_rss_mb() }));
    let opts = ExecOptions::default();
    for (q, text, names) in QUERIES {
        let mut params = Params::new();
        for (name, key) in names {
            let v = meta["params"][key]
                .as_str()
                .ok_or_else(|| Error::Other(format!("{}: no params.{key}", meta_path.display())))?;
            params.insert((*name).to_string(), Value::String(v.to_string()));
        }
        let mut times = Vec::new();
        let mut answer = Json::Null;
        while times.len() < args.reps + 1 {
            let t = Instant::now();
            let mut results = db.run(text, &params, &opts)?;
            let rows = results.pop().map(|r| r.rows).unwrap_or_default();
            answer = normalise(q, rows);
            times.push(t.elapsed().as_secs_f64());
            if times.iter().sum::<f64>() > args.query_budget_s {
                break;
            }
        }
        let warm = if times.len() > 1 {
            &times[1..]
        } else {
            &times[..]
        };
        emit(json!({
            "query": q,
            "cold_s": times[0],
            "median_s": median(warm),
            "runs_s": times,
            "answer": answer,
        }));
    }
    emit(json!({ "query_peak_rss_mb": peak_rss_mb() }));
    leak_closed(db)
}

/// The median as Python's `statistics.median` takes it (the mean of the
/// middle two for an even count).
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn to_json(v: Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(b),
        Value::Int(i) => Json::from(i),
        Value::Float(f) => Json::from(f),
        Value::String(s) => Json::String(s),
        Value::List(items) => Json::Array(items.iter().cloned().map(to_json).collect()),
        other => Json::String(text(Some(other))),
    }
}

/// The harness's normal form of each answer: Q1 `[[id, label]]`, Q2
/// `[[org, date]]` sorted, Q3 sorted names, Q4 `{type: count}`, Q5 the hop
/// count or null. The rows are taken apart, not copied: this runs inside
/// the timed part of each query, as the peers' own conversions do.
pub fn normalise(q: &str, rows: Vec<Vec<Value>>) -> Json {
    let cells = |r: Vec<Value>| {
        let mut r = r.into_iter();
        (r.next(), r.next())
    };
    match q {
        "Q1" => Json::Array(
            rows.into_iter()
                .map(|r| {
                    let (id, labels) = cells(r);
                    // `labels(n)` is a list; the harness wants the one label.
                    let label = match labels {
                        Some(Value::List(ls)) if ls.len() == 1 => to_json(ls[0].clone()),
                        other => other.map_or(Json::Null, to_json),
                    };
                    Json::Array(vec![id.map_or(Json::Null, to_json), label])
                })
                .collect(),
        ),
        "Q2" => {
            let mut out: Vec<(String, String)> = rows
                .into_iter()
                .map(|r| {
                    let (a, b) = cells(r);
                    (text(a), text(b))
                })
                .collect();
            out.sort_unstable();
            Json::Array(
                out.into_iter()
                    .map(|(a, b)| Json::Array(vec![Json::String(a), Json::String(b)]))
                    .collect(),
            )
        }
        "Q3" => {
            let mut out: Vec<String> = rows.into_iter().map(|r| text(cells(r).0)).collect();
            out.sort_unstable();
            Json::Array(out.into_iter().map(Json::String).collect())
        }
        "Q4" => Json::Object(
            rows.into_iter()
                .map(|r| {
                    let (t, n) = cells(r);
                    (text(t), n.map_or(Json::Null, to_json))
                })
                .collect(),
        ),
        _ => rows
            .into_iter()
            .next()
            .and_then(|r| cells(r).0)
            .map_or(Json::Null, to_json),
    }
}

/// A cell as the harness's text: strings as they are, dates in ISO form, a
/// missing cell as the empty string.
fn text(v: Option<Value>) -> String {
    match v {
        Some(Value::String(s)) => s,
        Some(Value::Date(d)) => d.to_string(),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FDate;

    #[test]
    fn median_matches_python() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn answers_take_the_harness_form() {
        let q1 = normalise(
            "Q1",
            vec![vec![
                Value::Int(7),
                Value::List(vec![Value::String("Person".into())]),
            ]],
        );
        assert_eq!(q1, json!([[7, "Person"]]));
        let d = FDate::day(1999, 3, 4).map_or(Value::Null, Value::Date);
        let q2 = normalise(
            "Q2",
            vec![
                vec![Value::String("b".into()), d.clone()],
                vec![Value::String("a".into()), d],
            ],
        );
        assert_eq!(q2, json!([["a", "1999-03-04"], ["b", "1999-03-04"]]));
        assert_eq!(normalise("Q5", vec![]), Json::Null);
    }

    #[test]
    fn the_queries_run_on_a_tiny_graph() {
        let nodes =
            "id,label,name\n0,State,A\n1,State,B\n2,Organisation,O\n3,Person,P\n4,Person,Q\n";
        let edges = "src,dst,type,date,level\n0,2,MEMBER_OF,1990-01-02,\n1,2,MEMBER_OF,2005-01-01,\n\
                     3,0,CITIZEN_OF,,\n4,1,CITIZEN_OF,,\n0,1,PARTNER_OF,1960-05-05,3\n";
        let mut g = Graph::new();
        crate::import::csv::import_csv(nodes, "n", edges, "e", &mut g).expect("import");
        let mut db = Database::in_memory(g);
        let mut params = Params::new();
        for (k, v) in [
            ("name", "P"),
            ("state", "A"),
            ("before", "2000-01-01"),
            ("from", "P"),
            ("to", "Q"),
        ] {
            params.insert(k.into(), Value::String(v.into()));
        }
        let mut got = Vec::new();
        for (q, text, _) in QUERIES {
            let mut r = db.run(text, &params, &ExecOptions::default()).expect(q);
            got.push(normalise(q, r.pop().map(|r| r.rows).unwrap_or_default()));
        }
        assert_eq!(got[0], json!([[3, "Person"]]));
        assert_eq!(got[1], json!([["O", "1990-01-02"]]));
        assert_eq!(got[2], json!(["B"]));
        assert_eq!(
            got[3],
            json!({"MEMBER_OF": 2, "CITIZEN_OF": 2, "PARTNER_OF": 1})
        );
        assert_eq!(got[4], json!(3));
    }
}
