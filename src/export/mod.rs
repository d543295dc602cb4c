//! Exports of the graph to other formats, each proven by a tool nobody here
//! wrote (see `tests/export.rs`).
//!
//! | format | module | one file or a directory |
//! |---|---|---|
//! | `dot` | [`dot`] | file |
//! | `json` | [`json`] (read back by [`crate::import::json`]) | file |
//! | `csv` | [`csv`] (Kùzu `COPY FROM` and `neo4j-admin database import`) | directory |
//! | `cypher` | [`cypher`] (a script for `factgraph -f`) | file |
//! | `neo4j`, `memgraph` | [`cypher::to_server_script`] (for `cypher-shell` / `mgconsole`) | file |
//! | `graphml` | [`graphml`] | file |
//! | `ntriples`, `nt` / `turtle`, `ttl` | [`rdf`] | file |
//!
//! Every export reads a [`View`]: the whole graph ([`View::of_graph`]) or the
//! subgraph a query returned ([`View::of_result`]). Nodes and relationships
//! are written in id order, so the same graph always gives the same bytes.

pub mod csv;
pub mod cypher;
pub mod dot;
pub mod graphml;
pub mod json;
pub mod rdf;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::model::{LabelSet, NodeId, PropsRef, RelId, Schema, Sym};
use crate::query::QueryResult;
use crate::store::Graph;

/// The formats [`export`] writes to a stream (`csv` needs a directory: see
/// [`export_to_path`]).
pub const FORMATS: &[&str] = &[
    "dot", "json", "csv", "cypher", "neo4j", "memgraph", "graphml", "ntriples", "nt", "turtle",
    "ttl",
];

/// What an export wrote other than as the graph holds it: values it left
/// out, or wrote in a weaker form, each kind as one phrase with its count
/// and the reason (`1 empty list left out (...)`). Empty when every value
/// went out as it is. The shell adds the phrases to its `wrote …` note and
/// `factgraph export` prints them, so that no value goes missing silently.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub notes: Vec<String>,
}

/// A node as an export sees it, from the graph or from a query result.
#[derive(Debug, Clone, Copy)]
pub struct ExNode<'a> {
    pub id: NodeId,
    pub labels: &'a [Sym],
    pub props: PropsRef<'a>,
}

/// A relationship as an export sees it.
#[derive(Debug, Clone, Copy)]
pub struct ExRel<'a> {
    pub id: RelId,
    pub rel_type: &'a str,
    pub start: NodeId,
    pub end: NodeId,
    pub props: PropsRef<'a>,
}

/// What an export writes: nodes and relationships in id order, every
/// relationship's ends among the nodes, and the schema if the graph has one.
#[derive(Debug, Clone, Default)]
pub struct View<'a> {
    pub nodes: Vec<ExNode<'a>>,
    pub rels: Vec<ExRel<'a>>,
    pub schema: Option<&'a Schema>,
    /// The property indexes (name, label, key) and the constraints, of a
    /// whole graph only: a query's subgraph has none.
    pub indexes: Vec<(&'a str, &'a str, &'a str)>,
    pub constraints: Vec<&'a crate::store::constraints::Constraint>,
}

impl<'a> View<'a> {
    /// The whole graph.
    pub fn of_graph(graph: &'a Graph) -> View<'a> {
        let mut nodes: Vec<ExNode<'a>> = graph
            .node_ids()
            .filter_map(|id| {
                graph.node(id).map(|n| ExNode {
                    id,
                    labels: n.labels.as_slice(),
                    props: n.props,
                })
            })
            .collect();
        nodes.sort_by_key(|n| n.id);
        let mut rels: Vec<ExRel<'a>> = graph
            .rel_ids()
            .filter_map(|id| {
                let r = graph.rel(id)?;
                let (start, end) = graph.rel_ends(id)?;
                Some(ExRel {
                    id,
                    rel_type: r.rel_type.as_str(),
                    start,
                    end,
                    props: r.props,
                })
            })
            .collect();
        rels.sort_by_key(|r| r.id);
        View {
            nodes,
            rels,
            schema: graph.schema(),
            // An index a constraint made under its own name comes with the
            // constraint.
            indexes: graph
                .prop_indexes()
                .filter(|ix| graph.constraints().all(|c| c.name != ix.name()))
                .map(|ix| (ix.name(), ix.label().as_str(), ix.key().as_str()))
                .collect(),
            constraints: graph.constraints().collect(),
        }
    }

    /// The subgraph a query returned: the nodes and relationships of its
    /// snapshots (as they were when the result was made).
    ///
    /// A relationship whose end the result does not hold (the query
    /// returned the relationship but not that node) brings that node from
    /// the graph, so the subgraph is closed and every format can load it;
    /// if the node is gone from the graph too (the query deleted it), the
    /// relationship is left out. The schema is the graph's.
    pub fn of_result(result: &'a QueryResult, graph: &'a Graph) -> View<'a> {
        let mut nodes: BTreeMap<NodeId, ExNode<'a>> = result
            .nodes
            .iter()
            .map(|(&id, n)| {
                (
                    id,
                    ExNode {
                        id,
                        labels: LabelSet::from(n.labels.clone()).as_slice(),
                        props: (&n.props).into(),
                    },
                )
            })
            .collect();
        let mut rels = Vec::new();
        let ends: BTreeSet<NodeId> = result
            .rels
            .values()
            .flat_map(|r| [r.start, r.end])
            .collect();
        for id in ends {
            if nodes.contains_key(&id) {
                continue;
            }
            if let Some(n) = graph.node(id) {
                nodes.insert(
                    id,
                    ExNode {
                        id,
                        labels: n.labels.as_slice(),
                        props: n.props,
                    },
                );
            }
        }
        for (&id, r) in &result.rels {
            if nodes.contains_key(&r.start) && nodes.contains_key(&r.end) {
                rels.push(ExRel {
                    id,
                    rel_type: &r.rel_type,
                    start: r.start,
                    end: r.end,
                    props: (&r.props).into(),
                });
            }
        }
        rels.sort_by_key(|r| r.id);
        View {
            nodes: nodes.into_values().collect(),
            rels,
            schema: graph.schema(),
            ..View::default()
        }
    }
}

fn unknown_format(format: &str) -> Error {
    Error::Other(format!(
        "unknown export format '{format}'; the formats are {}",
        FORMATS.join(", ")
    ))
}

/// Refuses an export query that would change the store (a clause that
/// writes, or an index created or dropped): an export writes a file of what
/// is there, and a shell's `:export` or `factgraph export` must not change
/// the graph on the way. The error points at the statement.
pub fn check_read_only(src: &str) -> Result<(), crate::error::QueryError> {
    use crate::query::ast::StatementBody;
    let script = crate::query::parse_script(src)?;
    for st in &script.statements {
        let (writes, what) = match &st.body {
            StatementBody::Query(q) => (
                crate::query::eval::is_updating(q),
                "it writes (CREATE, MERGE, SET, REMOVE or DELETE)",
            ),
            StatementBody::CreateIndex(_) | StatementBody::DropIndex(_) => {
                (true, "it changes the indexes")
            }
            StatementBody::CreateConstraint(_) | StatementBody::DropConstraint { .. } => {
                (true, "it changes the constraints")
            }
            StatementBody::ShowIndexes { .. }
            | StatementBody::ShowProcedures
            | StatementBody::ShowConstraints => (false, ""),
        };
        if writes && !st.explain {
            return Err(crate::error::QueryError::semantic(
                "ReadOnlyExport",
                format!("an export's query only reads, and this one does not: {what}"),
            )
            .at(st.span)
            .hint("run the statement first, then export what it made"));
        }
    }
    Ok(())
}

/// Writes the graph, or the subgraph of `result`, in `format` to `out`.
///
/// The entry of the shell's `:export FORMAT FILE [QUERY]` and of
/// `factgraph export FORMAT`. `csv` writes several files and is refused
/// here: use [`export_to_path`] or [`csv::write_dir`].
pub fn export(
    format: &str,
    graph: &Graph,
    result: Option<&QueryResult>,
    out: &mut dyn Write,
) -> Result<Report, Error> {
    export_with(format, graph, result, out, &dot::DotOptions::default())
}

/// Like [`export`], with the options of the DOT export (clusters, timeline,
/// legend); the other formats have none and ignore them.
pub fn export_with(
    format: &str,
    graph: &Graph,
    result: Option<&QueryResult>,
    out: &mut dyn Write,
    dot_options: &dot::DotOptions,
) -> Result<Report, Error> {
    let view = match result {
        Some(r) => View::of_result(r, graph),
        None => View::of_graph(graph),
    };
    let whole = |text: String| (text, Report::default());
    let (text, report) = match format.to_ascii_lowercase().as_str() {
        "dot" => whole(match result {
            Some(r) => dot::result_to_dot(r, dot_options),
            None => dot::graph_to_dot(graph, dot_options),
        }),
        "json" => whole(json::to_json(&view)),
        "cypher" => whole(cypher::to_cypher(&view)),
        "neo4j" => cypher::to_server_script(&view, cypher::Dialect::Neo4j).map_err(Error::Other)?,
        "memgraph" => {
            cypher::to_server_script(&view, cypher::Dialect::Memgraph).map_err(Error::Other)?
        }
        "graphml" => whole(graphml::to_graphml(&view)),
        "ntriples" | "nt" => rdf::to_ntriples(&view),
        "turtle" | "ttl" => rdf::to_turtle(&view),
        "csv" => {
            return Err(Error::Other(
                "the csv export writes a directory of files, not one stream: give a directory"
                    .into(),
            ));
        }
        _ => return Err(unknown_format(format)),
    };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(report)
}

/// Like [`export`], to a path: a file, or for `csv` a directory (created
/// if missing). A file is written whole or not at all: the text goes to a
/// temporary file beside it that is renamed over it.
pub fn export_to_path(
    format: &str,
    graph: &Graph,
    result: Option<&QueryResult>,
    path: &Path,
) -> Result<Report, Error> {
    export_to_path_with(format, graph, result, path, &dot::DotOptions::default())
}

/// Like [`export_to_path`], with the DOT export's options (see
/// [`export_with`]).
pub fn export_to_path_with(
    format: &str,
    graph: &Graph,
    result: Option<&QueryResult>,
    path: &Path,
    dot_options: &dot::DotOptions,
) -> Result<Report, Error> {
    if format.eq_ignore_ascii_case("csv") {
        let view = match result {
            Some(r) => View::of_result(r, graph),
            None => View::of_graph(graph),
        };
        return csv::write_dir(&view, path).map(|()| Report::default());
    }
    if !FORMATS.contains(&format.to_ascii_lowercase().as_str()) {
        return Err(unknown_format(format));
    }
    let mut buf = Vec::new();
    let report = export_with(format, graph, result, &mut buf, dot_options)?;
    write_atomically(path, &buf)?;
    Ok(report)
}

/// Writes `bytes` to a temporary file in `path`'s directory and renames it
/// over `path`, so a reader never sees half a file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Other(format!("{}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// A property value as plain text, for formats whose cells are text
/// (CSV, GraphML): strings as they are, dates as `2023-10` / `~2024-01-11`,
/// numbers and booleans as Cypher prints them, lists as JSON arrays of
/// these texts.
pub(crate) fn plain_text(v: &crate::model::Value) -> String {
    use crate::model::Value;
    match v {
        Value::String(s) => s.clone(),
        Value::Date(d) => d.to_string(),
        Value::Temporal(t) => t.to_string(),
        Value::List(items) => {
            let texts: Vec<serde_json::Value> = items
                .iter()
                .map(|i| match i {
                    Value::Int(n) => serde_json::Value::from(*n),
                    Value::Bool(b) => serde_json::Value::from(*b),
                    other => serde_json::Value::from(plain_text(other)),
                })
                .collect();
            serde_json::Value::Array(texts).to_string()
        }
        other => other.to_string(),
    }
}
