//! Runs one expanded TCK scenario against a fresh in-memory factgraph store.
//!
//! Side effects are measured the way README.adoc ("Observability of side
//! effects") defines them: the graph is walked before and after the query
//! under test, and nodes, relationships, (entity, key, value) property
//! triples and distinct labels are diffed as sets. `QueryResult::stats` is
//! then compared with that diff; a difference does not fail the scenario but
//! is reported (`stats_mismatch`) so the engine's counters can be fixed.
//!
//! Known limit: the store reuses the slot of a deleted node or relationship;
//! [`side_effects`] says how the runner copes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use factgraph::error::QueryError;
use factgraph::model::{FDate, Precision, Value};
use factgraph::query::procedures::{Procedure, Procedures, Signature};
use factgraph::query::{ExecOptions, Params, QueryResult, WriteStats, execute, parse_script};
use factgraph::store::Graph;

use crate::gherkin::{Scenario, Step};
use crate::values::{TckNode, TckPath, TckRel, TckValue, multiset_eq, parse_value, tck_eq};

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    /// A short category (for counting) and the detailed reason.
    Failed {
        category: String,
        reason: String,
    },
}

/// A scenario's outcome plus what the report counts besides.
#[derive(Debug, Clone)]
pub struct Report {
    pub outcome: Outcome,
    /// Our `WriteStats` disagree with the observed side effects.
    pub stats_mismatch: Option<String>,
    /// Entities the side-effect count took as deleted and re-created in the
    /// same slot.
    pub reused: usize,
}

fn fail(category: impl Into<String>, reason: impl Into<String>) -> Outcome {
    Outcome::Failed {
        category: category.into(),
        reason: reason.into(),
    }
}

/// What every scenario shares: where the TCK is, and the named graphs once built.
pub struct Env {
    pub root: PathBuf,
    graphs: Mutex<HashMap<String, Result<Graph, String>>>,
}

impl Env {
    pub fn new(root: PathBuf) -> Env {
        Env {
            root,
            graphs: Mutex::new(HashMap::new()),
        }
    }

    /// A named graph (`graphs/<name>/<name>.json` lists its scripts), built
    /// once and cloned for each scenario.
    fn named_graph(&self, name: &str) -> Result<Graph, String> {
        let mut cache = self.graphs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(g) = cache.get(name) {
            return g.clone();
        }
        let built = build_named_graph(&self.root.join("graphs").join(name), name);
        cache.insert(name.to_string(), built.clone());
        built
    }
}

fn build_named_graph(dir: &Path, name: &str) -> Result<Graph, String> {
    let meta_path = dir.join(format!("{name}.json"));
    let meta = std::fs::read_to_string(&meta_path).map_err(|e| {
        format!(
            "named graph {name}: cannot read {}: {e}",
            meta_path.display()
        )
    })?;
    let meta: serde_json::Value = serde_json::from_str(&meta)
        .map_err(|e| format!("named graph {name}: {}: {e}", meta_path.display()))?;
    let scripts = meta["scripts"].as_array().ok_or_else(|| {
        format!(
            "named graph {name}: {} has no \"scripts\" list",
            meta_path.display()
        )
    })?;
    let mut graph = Graph::new();
    for s in scripts {
        let s = s
            .as_str()
            .ok_or_else(|| format!("named graph {name}: a script name is not a string"))?;
        let path = dir.join(format!("{s}.cypher"));
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("named graph {name}: cannot read {}: {e}", path.display()))?;
        run_script(&mut graph, &text, &Params::new(), None).map_err(|(phase, e)| {
            format!(
                "named graph {name}: {} failed at {phase}: {}",
                path.display(),
                show_err(&e)
            )
        })?;
    }
    Ok(graph)
}

/// Where an error came from: our parser ("compile time") or `execute`
/// (which does semantic checks and evaluation, so "compile time or runtime").
type Phase = &'static str;
const PARSE: Phase = "compile time (parse)";
const EXEC: Phase = "execute (semantic check or runtime)";

fn show_err(e: &QueryError) -> String {
    format!("{}/{}: {}", e.class, e.detail, e.message)
}

/// Parses and runs every statement of `text`; returns the last result.
fn run_script(
    graph: &mut Graph,
    text: &str,
    params: &Params,
    procedures: Option<&Arc<Procedures>>,
) -> Result<QueryResult, (Phase, QueryError)> {
    let script = parse_script(text).map_err(|e| (PARSE, e))?;
    let mut last = QueryResult::default();
    let opts = ExecOptions {
        procedures: procedures.cloned(),
        ..ExecOptions::default()
    };
    for stmt in &script.statements {
        last = execute(graph, stmt, params, &opts).map_err(|e| (EXEC, e))?;
    }
    Ok(last)
}

// ---- observable graph state --------------------------------------------

/// The graph as the README's observability queries see it.
#[derive(Debug, Default, PartialEq)]
pub struct State {
    /// Slot -> content (labels, properties), to spot a reused slot.
    nodes: HashMap<u32, String>,
    /// Slot -> content (type, ends, properties).
    rels: HashMap<u32, String>,
    /// (`n`/`r`, id, key, value in Debug form so 1 and 1.0 differ).
    props: HashSet<(char, u32, String, String)>,
    labels: HashSet<String>,
}

impl State {
    pub fn of(g: &Graph) -> State {
        let mut s = State::default();
        for id in g.node_ids() {
            let Some(n) = g.node(id) else { continue };
            let mut labels = n.labels.to_strings();
            labels.sort();
            s.nodes.insert(id.0, format!("{labels:?} {:?}", n.props));
            s.labels.extend(n.labels.to_strings());
            for (k, v) in n.props {
                s.props.insert(('n', id.0, k.to_string(), format!("{v:?}")));
            }
        }
        for id in g.rel_ids() {
            let (Some(r), Some(ends)) = (g.rel(id), g.rel_ends(id)) else {
                continue;
            };
            s.rels
                .insert(id.0, format!("{} {ends:?} {:?}", r.rel_type, r.props));
            for (k, v) in r.props {
                s.props.insert(('r', id.0, k.to_string(), format!("{v:?}")));
            }
        }
        s
    }
}

/// Observed side effects, keyed as the TCK names them.
pub struct Effects {
    pub counts: BTreeMap<&'static str, usize>,
    /// Nodes and relationships counted as deleted and re-created in the same
    /// slot (see [`side_effects`]).
    pub reused: usize,
}

/// The side effects between two states.
///
/// The store hands a deleted entity's slot to the next entity created, so a
/// query that deletes and creates (`MATCH (a) DELETE a MERGE (b:A)`) can
/// leave the set of slots unchanged. When `stats` claim k more creations and
/// k more deletions than the slot sets show, and at least k slots that
/// survived changed their content, those k are counted as deleted and
/// re-created. A reused slot whose new content equals the old is not
/// detected, nor are property triples hidden by it.
pub fn side_effects(before: &State, after: &State, stats: Option<&WriteStats>) -> Effects {
    fn diff<T: std::hash::Hash + Eq>(a: &HashSet<T>, b: &HashSet<T>) -> usize {
        a.difference(b).count()
    }
    fn slots(
        before: &HashMap<u32, String>,
        after: &HashMap<u32, String>,
        claimed: Option<(usize, usize)>,
    ) -> (usize, usize, usize) {
        let plus = after.keys().filter(|k| !before.contains_key(k)).count();
        let minus = before.keys().filter(|k| !after.contains_key(k)).count();
        let changed = before
            .iter()
            .filter(|(k, v)| after.get(k).is_some_and(|w| w != *v))
            .count();
        if let Some((created, deleted)) = claimed
            && created > plus
            && created - plus == deleted.saturating_sub(minus)
            && created - plus <= changed
        {
            let k = created - plus;
            return (plus + k, minus + k, k);
        }
        (plus, minus, 0)
    }
    let (np, nm, nk) = slots(
        &before.nodes,
        &after.nodes,
        stats.map(|s| (s.nodes_created, s.nodes_deleted)),
    );
    let (rp, rm, rk) = slots(
        &before.rels,
        &after.rels,
        stats.map(|s| (s.rels_created, s.rels_deleted)),
    );
    let counts = BTreeMap::from([
        ("+nodes", np),
        ("-nodes", nm),
        ("+relationships", rp),
        ("-relationships", rm),
        ("+properties", diff(&after.props, &before.props)),
        ("-properties", diff(&before.props, &after.props)),
        ("+labels", diff(&after.labels, &before.labels)),
        ("-labels", diff(&before.labels, &after.labels)),
    ]);
    Effects {
        counts,
        reused: nk + rk,
    }
}

fn stats_as_effects(r: &QueryResult) -> BTreeMap<&'static str, usize> {
    let s = &r.stats;
    BTreeMap::from([
        ("+nodes", s.nodes_created),
        ("-nodes", s.nodes_deleted),
        ("+relationships", s.rels_created),
        ("-relationships", s.rels_deleted),
        ("+properties", s.props_set),
        ("-properties", s.props_removed),
        ("+labels", s.labels_added),
        ("-labels", s.labels_removed),
    ])
}

fn show_effects(m: &BTreeMap<&'static str, usize>) -> String {
    let parts: Vec<String> = m
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

// ---- our values in TCK notation -------------------------------------------

fn props_to_tck<'a, K: ToString + 'a>(
    props: impl IntoIterator<Item = (&'a K, &'a Value)>,
    res: &QueryResult,
) -> Result<BTreeMap<String, TckValue>, String> {
    props
        .into_iter()
        .map(|(k, v)| Ok((k.to_string(), to_tck(v, res)?)))
        .collect()
}

fn node_to_tck(id: factgraph::model::NodeId, res: &QueryResult) -> Result<TckNode, String> {
    let n = res.nodes.get(&id).ok_or_else(|| {
        format!(
            "the result mentions node {} but has no snapshot of it",
            id.0
        )
    })?;
    Ok(TckNode::new(n.labels.clone(), props_to_tck(&n.props, res)?))
}

/// Renders a result value through the result's snapshots.
pub fn to_tck(v: &Value, res: &QueryResult) -> Result<TckValue, String> {
    Ok(match v {
        Value::Null => TckValue::Null,
        Value::Bool(b) => TckValue::Bool(*b),
        Value::Int(i) => TckValue::Int(*i),
        Value::Float(f) => TckValue::Float(*f),
        Value::String(s) => TckValue::String(s.clone()),
        Value::List(items) => TckValue::List(
            items
                .iter()
                .map(|x| to_tck(x, res))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => TckValue::Map(props_to_tck(m, res)?),
        // The TCK writes dates as ISO strings; only a plain day has one.
        Value::Date(d) => date_to_tck(d),
        // Likewise times, date-times and durations, as `toString()` prints them.
        Value::Temporal(t) => TckValue::String(t.to_string()),
        Value::Node(id) => TckValue::Node(node_to_tck(*id, res)?),
        Value::Rel(id) => {
            let r = res.rels.get(id).ok_or_else(|| {
                format!(
                    "the result mentions relationship {} but has no snapshot of it",
                    id.0
                )
            })?;
            TckValue::Rel(TckRel {
                rel_type: r.rel_type.clone(),
                props: props_to_tck(&r.props, res)?,
            })
        }
        Value::Path(p) => {
            let Some(first) = p.nodes.first() else {
                return Err("a path without nodes".into());
            };
            if p.nodes.len() != p.rels.len() + 1 {
                return Err(format!(
                    "a path with {} nodes and {} relationships",
                    p.nodes.len(),
                    p.rels.len()
                ));
            }
            let mut steps = Vec::new();
            for (i, rid) in p.rels.iter().enumerate() {
                let r = res.rels.get(rid).ok_or_else(|| {
                    format!(
                        "the path mentions relationship {} but has no snapshot of it",
                        rid.0
                    )
                })?;
                let (a, b) = (p.nodes[i], p.nodes[i + 1]);
                let right = if r.start == a && r.end == b {
                    true
                } else if r.start == b && r.end == a {
                    false
                } else {
                    return Err(format!(
                        "path step {i}: relationship {} does not join nodes {} and {}",
                        rid.0, a.0, b.0
                    ));
                };
                let rel = TckRel {
                    rel_type: r.rel_type.clone(),
                    props: props_to_tck(&r.props, res)?,
                };
                steps.push((rel, right, node_to_tck(b, res)?));
            }
            TckValue::Path(TckPath {
                start: node_to_tck(*first, res)?,
                steps,
            })
        }
    })
}

fn date_to_tck(d: &FDate) -> TckValue {
    if d.precision == Precision::Day && !d.approx {
        TckValue::String(factgraph::model::temporal::date_string(d.start_days()))
    } else {
        TckValue::Opaque(format!("fdate('{d}')"))
    }
}

/// A TCK value as a query parameter.
fn to_param(v: &TckValue) -> Result<Value, String> {
    Ok(match v {
        TckValue::Null => Value::Null,
        TckValue::Bool(b) => Value::Bool(*b),
        TckValue::Int(i) => Value::Int(*i),
        TckValue::Float(f) => Value::Float(*f),
        TckValue::String(s) => Value::String(s.clone()),
        TckValue::List(items) => Value::List(items.iter().map(to_param).collect::<Result<_, _>>()?),
        TckValue::Map(m) => Value::Map(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), to_param(v)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => {
            return Err(format!(
                "parameter value {other} cannot be passed to a query"
            ));
        }
    })
}

// ---- running --------------------------------------------------------------

struct Run<'a> {
    env: &'a Env,
    graph: Graph,
    params: Params,
    /// The procedures the scenario declares ("there exists a procedure").
    procedures: Option<Arc<Procedures>>,
    /// State before the last "executing query" (not control query).
    before: Option<State>,
    /// What the query under test (not a control query) claims it changed.
    main_stats: Option<WriteStats>,
    last: Option<Result<QueryResult, (Phase, QueryError)>>,
    stats_mismatch: Option<String>,
    reused: usize,
}

fn clip(s: &str, n: usize) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= n {
        one_line
    } else {
        format!("{}…", one_line.chars().take(n).collect::<String>())
    }
}

/// Runs a scenario. Never panics on a scenario's content (the caller still
/// guards against panics in the engine).
pub fn run_scenario(env: &Env, sc: &Scenario) -> Report {
    let mut run = Run {
        env,
        graph: Graph::new(),
        params: Params::new(),
        procedures: None,
        before: None,
        main_stats: None,
        last: None,
        stats_mismatch: None,
        reused: 0,
    };
    let mut outcome = Outcome::Passed;
    for step in &sc.steps {
        if let Err(o) = run.step(step) {
            outcome = o;
            break;
        }
    }
    if outcome == Outcome::Passed && run.last.is_none() {
        outcome = fail("runner: no query", "the scenario never executes a query");
    }
    Report {
        outcome,
        stats_mismatch: run.stats_mismatch,
        reused: run.reused,
    }
}

impl Run<'_> {
    fn step(&mut self, step: &Step) -> Result<(), Outcome> {
        let t = step.text.trim_end_matches(':').trim();
        let doc = || {
            step.doc.clone().ok_or_else(|| {
                fail(
                    "runner: malformed step",
                    format!("line {}: `{t}` has no query", step.line),
                )
            })
        };
        match t {
            "an empty graph" | "any graph" => {
                self.graph = Graph::new();
                Ok(())
            }
            "having executed" => {
                let q = doc()?;
                match run_script(
                    &mut self.graph,
                    &q,
                    &Params::new(),
                    self.procedures.as_ref(),
                ) {
                    Ok(_) => Ok(()),
                    Err((phase, e)) => Err(fail(
                        format!("setup query failed: {}", category_of(phase, &e)),
                        format!(
                            "line {}: setup query failed at {phase}: {} — query: {}",
                            step.line,
                            show_err(&e),
                            clip(&q, 200)
                        ),
                    )),
                }
            }
            "parameters are" | "parameter values are" => {
                for row in step.table.iter().flatten() {
                    let [name, value] = row.as_slice() else {
                        return Err(fail(
                            "runner: malformed step",
                            format!("line {}: a parameter row needs 2 cells", step.line),
                        ));
                    };
                    let v = parse_value(value).and_then(|v| to_param(&v)).map_err(|e| {
                        fail("runner: bad parameter", format!("line {}: {e}", step.line))
                    })?;
                    self.params.insert(name.clone(), v);
                }
                Ok(())
            }
            "executing query" => {
                let q = doc()?;
                self.before = Some(State::of(&self.graph));
                self.last = Some(run_script(
                    &mut self.graph,
                    &q,
                    &self.params,
                    self.procedures.as_ref(),
                ));
                self.main_stats = match &self.last {
                    Some(Ok(r)) => Some(r.stats.clone()),
                    _ => None,
                };
                self.check_stats();
                Ok(())
            }
            "executing control query" => {
                let q = doc()?;
                self.last = Some(run_script(
                    &mut self.graph,
                    &q,
                    &self.params,
                    self.procedures.as_ref(),
                ));
                Ok(())
            }
            "the result should be empty" => {
                let res = self.result(step)?;
                if res.rows.is_empty() {
                    Ok(())
                } else {
                    Err(fail(
                        "wrong result: rows where none expected",
                        format!(
                            "line {}: expected no rows, got {} (first: {})",
                            step.line,
                            res.rows.len(),
                            self.show_row(0)
                        ),
                    ))
                }
            }
            "no side effects" => self.check_effects(step, &BTreeMap::new()),
            "the side effects should be" => {
                let mut want = BTreeMap::new();
                for row in step.table.iter().flatten() {
                    let [k, n] = row.as_slice() else {
                        return Err(fail(
                            "runner: malformed step",
                            format!("line {}: a side-effect row needs 2 cells", step.line),
                        ));
                    };
                    let n: usize = n.parse().map_err(|_| {
                        fail(
                            "runner: malformed step",
                            format!("line {}: side effect count `{n}`", step.line),
                        )
                    })?;
                    want.insert(k.clone(), n);
                }
                self.check_effects(step, &want)
            }
            _ => {
                if let Some(mode) = t.strip_prefix("the result should be") {
                    return self.check_rows(step, mode);
                }
                if let Some(name) = t
                    .strip_prefix("the ")
                    .and_then(|r| r.strip_suffix(" graph"))
                {
                    self.graph = self
                        .env
                        .named_graph(name)
                        .map_err(|e| fail(format!("named graph {name} failed to build"), e))?;
                    return Ok(());
                }
                if let Some(sig) = t.strip_prefix("there exists a procedure ") {
                    return self.declare_procedure(step, sig);
                }
                if t.starts_with("a ") && t.contains(" should be raised at ") {
                    return self.check_error(step);
                }
                Err(fail(
                    "runner: unsupported step",
                    format!("line {}: unsupported step `{}`", step.line, step.text),
                ))
            }
        }
    }

    /// "there exists a procedure test.my.proc(in :: INTEGER?) :: (out :: STRING?)"
    /// with a table whose header is the inputs, then the outputs: a
    /// procedure that returns, in the table's order, the outputs of the
    /// rows whose inputs equal its arguments (null equal to null).
    fn declare_procedure(&mut self, step: &Step, text: &str) -> Result<(), Outcome> {
        let bad = |e: String| fail("runner: bad procedure", format!("line {}: {e}", step.line));
        let sig = Signature::parse(text).map_err(bad)?;
        let table = step.table.clone().unwrap_or_default();
        let header: Vec<String> = table
            .first()
            .map(|h| h.iter().filter(|c| !c.is_empty()).cloned().collect())
            .unwrap_or_default();
        let names: Vec<String> = sig
            .inputs
            .iter()
            .chain(&sig.outputs)
            .map(|f| f.name.clone())
            .collect();
        if header != names {
            return Err(bad(format!(
                "the table's header {header:?} is not the signature's fields {names:?}"
            )));
        }
        let mut rows: Vec<Vec<Value>> = Vec::new();
        for r in table.iter().skip(1) {
            if r.len() != names.len() {
                return Err(bad(format!(
                    "a row of {} cells, not {}",
                    r.len(),
                    names.len()
                )));
            }
            let row = r
                .iter()
                .map(|c| parse_value(c).and_then(|v| to_param(&v)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(bad)?;
            rows.push(row);
        }
        let n_in = sig.inputs.len();
        let proc = Procedure::new(sig, move |_, args| {
            Ok(rows
                .iter()
                .filter(|r| r[..n_in] == *args)
                .map(|r| r[n_in..].to_vec())
                .collect())
        });
        let mut procs = self.procedures.as_deref().cloned().unwrap_or_default();
        procs.register(proc).map_err(bad)?;
        self.procedures = Some(Arc::new(procs));
        Ok(())
    }

    fn result(&self, step: &Step) -> Result<&QueryResult, Outcome> {
        match &self.last {
            None => Err(fail(
                "runner: malformed step",
                format!("line {}: no query was executed", step.line),
            )),
            Some(Ok(r)) => Ok(r),
            Some(Err((phase, e))) => Err(fail(
                category_of(phase, e),
                format!(
                    "line {}: expected a result, got an error at {phase}: {}",
                    step.line,
                    show_err(e)
                ),
            )),
        }
    }

    fn show_row(&self, i: usize) -> String {
        let Some(Ok(res)) = &self.last else {
            return String::new();
        };
        let Some(row) = res.rows.get(i) else {
            return String::new();
        };
        let cells: Vec<String> = row
            .iter()
            .map(|v| {
                to_tck(v, res)
                    .map(|t| t.to_string())
                    .unwrap_or_else(|e| format!("<{e}>"))
            })
            .collect();
        format!("| {} |", cells.join(" | "))
    }

    fn check_stats(&mut self) {
        let (Some(before), Some(Ok(res))) = (&self.before, &self.last) else {
            return;
        };
        let seen = side_effects(before, &State::of(&self.graph), Some(&res.stats));
        self.reused = seen.reused;
        let seen = seen.counts;
        let counted = stats_as_effects(res);
        if seen != counted {
            self.stats_mismatch = Some(format!(
                "observed side effects: {}; QueryResult.stats: {}",
                show_effects(&seen),
                show_effects(&counted)
            ));
        }
    }

    fn check_effects(&self, step: &Step, want: &BTreeMap<String, usize>) -> Result<(), Outcome> {
        // After an expected error the graph must be unchanged; after an
        // unexpected one the scenario has already failed on its result step.
        let before = self.before.as_ref().ok_or_else(|| {
            fail(
                "runner: malformed step",
                format!("line {}: side effects without a query", step.line),
            )
        })?;
        let seen = side_effects(before, &State::of(&self.graph), self.main_stats.as_ref()).counts;
        for k in want.keys() {
            if !seen.contains_key(k.as_str()) {
                return Err(fail(
                    "runner: malformed step",
                    format!("line {}: unknown side effect `{k}`", step.line),
                ));
            }
        }
        let differs = seen
            .iter()
            .any(|(k, n)| want.get(*k).copied().unwrap_or(0) != *n);
        if !differs {
            return Ok(());
        }
        let want_s: BTreeMap<&'static str, usize> = seen
            .keys()
            .map(|k| (*k, want.get(*k).copied().unwrap_or(0)))
            .collect();
        Err(fail(
            "wrong side effects",
            format!(
                "line {}: expected side effects {}, observed {}",
                step.line,
                show_effects(&want_s),
                show_effects(&seen)
            ),
        ))
    }

    fn check_rows(&self, step: &Step, mode: &str) -> Result<(), Outcome> {
        let mode = mode.trim().trim_start_matches(',').trim();
        let (ordered, unordered_lists) = match mode {
            "in order" => (true, false),
            "in any order" => (false, false),
            "(ignoring element order for lists)" => (false, true),
            "in order (ignoring element order for lists)" => (true, true),
            _ => {
                return Err(fail(
                    "runner: unsupported step",
                    format!(
                        "line {}: unsupported result mode `{}`",
                        step.line, step.text
                    ),
                ));
            }
        };
        let res = self.result(step)?;
        let table = step.table.clone().unwrap_or_default();
        let Some((header, rows)) = table.split_first() else {
            return Err(fail(
                "runner: malformed step",
                format!("line {}: result table without a header", step.line),
            ));
        };
        let mut expected = Vec::new();
        for row in rows {
            if row.len() != header.len() {
                return Err(fail(
                    "runner: malformed step",
                    format!("line {}: row {row:?} has the wrong width", step.line),
                ));
            }
            let vals: Result<Vec<TckValue>, String> = row.iter().map(|c| parse_value(c)).collect();
            expected.push(vals.map_err(|e| {
                fail(
                    "runner: cannot read expected value",
                    format!("line {}: {e}", step.line),
                )
            })?);
        }
        // Columns are matched by name; their order is not part of the result.
        let mut cols = Vec::new();
        for h in header {
            match res.columns.iter().position(|c| c == h) {
                Some(i) => cols.push(i),
                None => {
                    return Err(fail(
                        "wrong result: columns differ",
                        format!(
                            "line {}: expected columns {header:?}, got {:?}",
                            step.line, res.columns
                        ),
                    ));
                }
            }
        }
        if res.columns.len() != header.len() {
            return Err(fail(
                "wrong result: columns differ",
                format!(
                    "line {}: expected columns {header:?}, got {:?}",
                    step.line, res.columns
                ),
            ));
        }
        let mut actual = Vec::new();
        for row in &res.rows {
            let mut out = Vec::new();
            for &i in &cols {
                let v = row.get(i).ok_or_else(|| {
                    fail(
                        "wrong result: short row",
                        format!(
                            "line {}: a result row has {} values for {} columns",
                            step.line,
                            row.len(),
                            res.columns.len()
                        ),
                    )
                })?;
                out.push(to_tck(v, res).map_err(|e| {
                    fail("result not renderable", format!("line {}: {e}", step.line))
                })?);
            }
            actual.push(out);
        }
        let row_eq = |a: &Vec<TckValue>, b: &Vec<TckValue>| {
            a.iter().zip(b).all(|(x, y)| tck_eq(x, y, unordered_lists))
        };
        let same = if ordered {
            expected.len() == actual.len()
                && expected.iter().zip(&actual).all(|(a, b)| row_eq(a, b))
        } else {
            multiset_eq(&expected, &actual, row_eq)
        };
        if same {
            return Ok(());
        }
        let show = |rows: &[Vec<TckValue>]| -> String {
            let shown: Vec<String> = rows
                .iter()
                .take(6)
                .map(|r| {
                    format!(
                        "| {} |",
                        r.iter()
                            .map(|v| v.to_string())
                            .collect::<Vec<_>>()
                            .join(" | ")
                    )
                })
                .collect();
            let more = if rows.len() > 6 {
                format!(" … ({} rows)", rows.len())
            } else {
                String::new()
            };
            clip(&format!("{}{more}", shown.join(" ")), 400)
        };
        let category = if expected.len() != actual.len() {
            "wrong result: row count"
        } else if ordered && multiset_eq(&expected, &actual, row_eq) {
            "wrong result: order"
        } else {
            "wrong result: values"
        };
        Err(fail(
            category,
            format!(
                "line {}: expected {} row(s) {}, got {} row(s) {}",
                step.line,
                expected.len(),
                show(&expected),
                actual.len(),
                show(&actual)
            ),
        ))
    }

    fn check_error(&mut self, step: &Step) -> Result<(), Outcome> {
        // "a TypeError should be raised at runtime: InvalidArgumentType"
        let t = step.text.trim();
        let rest = t.strip_prefix("a ").unwrap_or(t);
        let (class, rest) = rest
            .split_once(" should be raised at ")
            .unwrap_or((rest, ""));
        let (phase, detail) = rest.split_once(':').unwrap_or((rest, "*"));
        let (phase, detail) = (phase.trim(), detail.trim());
        let expected = format!("{class}/{detail} at {phase}");
        match &self.last {
            None => Err(fail(
                "runner: malformed step",
                format!("line {}: no query was executed", step.line),
            )),
            Some(Ok(_)) => Err(fail(
                format!("expected error not raised: {class}/{detail}"),
                format!(
                    "line {}: expected {expected}, the query succeeded",
                    step.line
                ),
            )),
            Some(Err((our_phase, e))) => {
                let our_class = e.class.to_string();
                let class_ok = our_class == class;
                // The class and detail must match; the phase is not checked.
                let detail_ok = detail == "*" || e.detail == detail;
                if !class_ok || !detail_ok {
                    return Err(fail(
                        format!(
                            "wrong error: expected {class}/{detail}, got {}/{}",
                            e.class, e.detail
                        ),
                        format!(
                            "line {}: expected {expected}, got {} at {our_phase}",
                            step.line,
                            show_err(e)
                        ),
                    ));
                }
                if let Some(before) = &self.before {
                    let seen = side_effects(before, &State::of(&self.graph), None).counts;
                    if seen.values().any(|n| *n > 0) {
                        return Err(fail(
                            "error left side effects",
                            format!(
                                "line {}: the error was right but the graph changed: {}",
                                step.line,
                                show_effects(&seen)
                            ),
                        ));
                    }
                }
                Ok(())
            }
        }
    }
}

/// A short, countable description of an unexpected error: class, detail and,
/// for parse errors (whose detail is usually the generic InvalidSyntax), the
/// message, because it names the syntax we do not read yet.
fn category_of(phase: Phase, e: &QueryError) -> String {
    if phase == PARSE {
        format!(
            "parse error: {}/{}: {}",
            e.class,
            e.detail,
            clip(&e.message, 60)
        )
    } else if e.detail == "UnknownFunction" {
        // Which function is missing is the useful part.
        format!(
            "execute error: {}/{}: {}",
            e.class,
            e.detail,
            clip(&e.message, 60)
        )
    } else {
        format!("execute error: {}/{}", e.class, e.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use factgraph::model::{NodeId, Props, RelId};
    use factgraph::query::{NodeSnapshot, RelSnapshot};

    fn res_with_path() -> (QueryResult, Value) {
        let mut res = QueryResult::default();
        let mut p = Props::new();
        p.insert("k".into(), Value::Float(1.0));
        res.nodes.insert(
            NodeId(0),
            NodeSnapshot {
                labels: vec!["B".into(), "A".into()],
                props: p,
            },
        );
        res.nodes.insert(
            NodeId(1),
            NodeSnapshot {
                labels: vec![],
                props: Props::new(),
            },
        );
        res.rels.insert(
            RelId(7),
            RelSnapshot {
                rel_type: "T".into(),
                start: NodeId(1),
                end: NodeId(0),
                props: Props::new(),
            },
        );
        let path = Value::path(factgraph::model::Path {
            nodes: vec![NodeId(0), NodeId(1)],
            rels: vec![RelId(7)],
        });
        (res, path)
    }

    #[test]
    fn paths_render_with_direction_from_snapshots() {
        let (res, path) = res_with_path();
        let t = to_tck(&path, &res).unwrap();
        assert_eq!(t.to_string(), "<(:A:B {k: 1.0})<-[:T]-()>");
        assert!(tck_eq(
            &t,
            &parse_value("<(:A:B {k: 1.0})<-[:T]-()>").unwrap(),
            false
        ));
        assert!(!tck_eq(
            &t,
            &parse_value("<(:A:B {k: 1})<-[:T]-()>").unwrap(),
            false
        ));
    }

    #[test]
    fn missing_snapshot_is_an_error_not_a_guess() {
        let res = QueryResult::default();
        assert!(to_tck(&Value::Node(NodeId(3)), &res).is_err());
    }

    #[test]
    fn day_dates_compare_as_iso_strings_only() {
        let day = FDate::day(2015, 7, 21).unwrap();
        assert_eq!(date_to_tck(&day), TckValue::String("2015-07-21".into()));
        assert!(matches!(
            date_to_tck(&FDate::year(2015)),
            TckValue::Opaque(_)
        ));
    }

    #[test]
    fn side_effects_count_labels_as_distinct_names() {
        let mut g = Graph::new();
        let before = State::of(&g);
        let mut p = Props::new();
        p.insert("k".into(), Value::Int(1));
        let a = g.create_node(vec!["L".into()], p).unwrap();
        g.create_node(vec!["L".into()], Props::new()).unwrap();
        let after = State::of(&g);
        let e = side_effects(&before, &after, None).counts;
        assert_eq!((e["+nodes"], e["+labels"], e["+properties"]), (2, 1, 1));
        g.set_node_prop(a, "k", Value::Float(1.0)).unwrap();
        let e = side_effects(&after, &State::of(&g), None).counts;
        assert_eq!((e["+properties"], e["-properties"], e["+nodes"]), (1, 1, 0));
    }

    #[test]
    fn reused_slots_count_only_when_content_changed_and_stats_agree() {
        let mut g = Graph::new();
        let mut p = Props::new();
        p.insert("num".into(), Value::Int(1));
        let a = g.create_node(vec!["A".into()], p).unwrap();
        let before = State::of(&g);
        // MATCH (a:A) DELETE a MERGE (:A): the new node takes a's slot.
        g.delete_node(a).unwrap();
        let b = g.create_node(vec!["A".into()], Props::new()).unwrap();
        assert_eq!(
            a, b,
            "the store reuses slots; this test documents why the runner copes"
        );
        let after = State::of(&g);
        let stats = WriteStats {
            nodes_created: 1,
            nodes_deleted: 1,
            ..WriteStats::default()
        };
        let e = side_effects(&before, &after, Some(&stats));
        assert_eq!(
            (e.counts["+nodes"], e.counts["-nodes"], e.reused),
            (1, 1, 1)
        );
        assert_eq!(e.counts["-properties"], 1);
        // Without stats, or with stats the slots cannot explain, no guess.
        assert_eq!(side_effects(&before, &after, None).counts["+nodes"], 0);
        let odd = WriteStats {
            nodes_created: 2,
            nodes_deleted: 1,
            ..WriteStats::default()
        };
        assert_eq!(
            side_effects(&before, &after, Some(&odd)).counts["+nodes"],
            0
        );
        // CREATE (n) DELETE n: stats say +1 -1, but no surviving slot changed.
        let same = State::of(&g);
        assert_eq!(
            side_effects(&same, &after, Some(&stats)).counts["+nodes"],
            0
        );
    }

    #[test]
    fn parameters_convert_but_graph_elements_do_not() {
        let v = parse_value("{a: [1, 'x', null]}").unwrap();
        assert!(matches!(to_param(&v), Ok(Value::Map(_))));
        assert!(to_param(&parse_value("(:A)").unwrap()).is_err());
    }
}
