//! Imports into a graph: our own JSON export ([`json`]), node/edge CSV
//! files in the shape of the benchmark generator ([`csv`]), and a new
//! article's fact file ([`facts`]).
//!
//! Every import is all or nothing ([`Graph::all_or_nothing`]): a graph that holds
//! anything is changed in place under the undo log, which a failure
//! replays, so a small import into a big store copies nothing; an empty
//! graph (a bulk load's usual target) is worked on as a copy, which costs
//! nothing and keeps no undo log. An error is a [`LoadError`] naming
//! `file:line:column`.

pub mod csv;
pub mod facts;
pub mod json;

use std::path::Path;

use crate::error::{LoadError, line_col};
use crate::store::Graph;

pub use json::ImportStats;

/// Imports a file or directory into `graph`, all or nothing, choosing the
/// reader by its shape: a directory (or a `nodes.csv` with an `edges.csv`
/// beside it) is CSV, a `.json` file our JSON export, a `.facts` file an
/// article's fact file, a `.cypher` file a script such as our Cypher dump
/// (run statement by statement on a copy of the graph). The entry of the
/// shell's `:import FILE` and of `factgraph import FILE`.
pub fn import_path(path: &Path, graph: &mut Graph) -> Result<ImportStats, LoadError> {
    let file = path.display().to_string();
    if path.is_dir() {
        return csv::import_csv_dir(path, graph);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name == "nodes.csv" || name == "edges.csv" {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        return csv::import_csv_dir(dir, graph);
    }
    if name.ends_with(".facts") {
        return facts::import_facts(path, graph);
    }
    if name.ends_with(".cypher") || name.ends_with(".cql") {
        let text = std::fs::read_to_string(path).map_err(|e| cannot_read(&file, e))?;
        return import_cypher(&text, &file, graph);
    }
    if name.ends_with(".json") {
        let text = std::fs::read_to_string(path).map_err(|e| cannot_read(&file, e))?;
        return json::import_json(&text, &file, graph);
    }
    Err(LoadError {
        file,
        line: 0,
        col: 0,
        message: "not a format this import reads: give a .json export, a .cypher script, a .facts fact file, or a directory (or nodes.csv) with nodes.csv and edges.csv".into(),
    })
}

/// Runs a Cypher script (our dump, or any script of statements) against
/// `graph`, all or nothing: every statement succeeds or none counts. An
/// error names the file, line and column of the statement's problem.
pub fn import_cypher(text: &str, file: &str, graph: &mut Graph) -> Result<ImportStats, LoadError> {
    let at = |e: crate::error::QueryError| {
        let offset = e.span.map_or(0, |s| s.start);
        error_at(file, text, offset, e.message)
    };
    let script = crate::query::parse_script(text).map_err(at)?;
    graph.all_or_nothing(|work| {
        let (nodes, rels) = (work.node_count(), work.rel_count());
        let params = crate::query::Params::new();
        let opts = crate::query::ExecOptions::default();
        for stmt in &script.statements {
            crate::query::execute(work, stmt, &params, &opts).map_err(at)?;
        }
        Ok(ImportStats {
            nodes: work.node_count().saturating_sub(nodes),
            rels: work.rel_count().saturating_sub(rels),
        })
    })
}

/// A [`LoadError`] at a byte offset of `text`.
/// A file that cannot be read (opened, or read to its end).
pub(crate) fn cannot_read(file: &str, e: std::io::Error) -> LoadError {
    LoadError {
        file: file.to_string(),
        line: 0,
        col: 0,
        message: format!("cannot read the file: {e}"),
    }
}

pub(crate) fn error_at(file: &str, text: &str, offset: usize, message: String) -> LoadError {
    let (line, col) = line_col(text, offset);
    LoadError {
        file: file.to_string(),
        line,
        col,
        message,
    }
}
