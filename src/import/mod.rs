//! Imports into a graph: our own JSON export ([`json`]), our own CSV
//! export (its `neo4j/` directory, [`neo4j`]), node/edge CSV files in the
//! shape of the benchmark generator ([`csv`]), and a new article's fact
//! file ([`facts`]).
//!
//! Every import is all or nothing ([`Graph::all_or_nothing`]): a graph that holds
//! anything is changed in place under the undo log, which a failure
//! replays, so a small import into a big store copies nothing; an empty
//! graph (a bulk load's usual target) is worked on as a copy, which costs
//! nothing and keeps no undo log. An error is a [`LoadError`] naming
//! `file:line:column`, or only the file (or directory) when it is not
//! there or cannot be read.

pub mod csv;
pub mod facts;
pub mod json;
pub mod neo4j;

use std::path::Path;

use crate::error::{LoadError, line_col};
use crate::store::Graph;

pub use json::ImportStats;

/// Imports a file or directory into `graph`, all or nothing, choosing the
/// reader by its shape: a directory is CSV ([`import_dir`]; a `nodes.csv`
/// or `edges.csv` stands for its directory), a `.json` file our JSON
/// export, a `.facts` file an article's fact file, a `.cypher` file a
/// script such as our Cypher dump (run statement by statement on a copy of
/// the graph). The entry of the shell's `:import FILE` and of
/// `factgraph import FILE`.
pub fn import_path(path: &Path, graph: &mut Graph) -> Result<ImportStats, LoadError> {
    let stats = import_any(path, graph)?;
    // The graph's constraints hold for what was imported too.
    graph.check_all_constraints().map_err(|e| LoadError {
        file: path.display().to_string(),
        line: 0,
        col: 0,
        message: format!(
            "the import would break a constraint, so nothing of it is kept (the ids are those the imported elements would have had): {}",
            e.message
        ),
    })?;
    Ok(stats)
}

fn import_any(path: &Path, graph: &mut Graph) -> Result<ImportStats, LoadError> {
    let file = path.display().to_string();
    if path.is_dir() {
        return import_dir(path, graph);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if name == "nodes.csv" || name == "edges.csv" {
        return csv::import_csv_dir(dir, graph);
    }
    if name == crate::export::csv::MANIFEST {
        return neo4j::import_neo4j_dir(dir, graph);
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
    if !path.exists() && path.extension().is_none() {
        return Err(LoadError {
            file,
            line: 0,
            col: 0,
            message: "there is no such file or directory".into(),
        });
    }
    Err(LoadError {
        file,
        line: 0,
        col: 0,
        message: "not a format this import reads: give a .json export, a .cypher script, a .facts fact file, or a directory: a CSV export's (`:export csv DIR`), or one with nodes.csv and edges.csv".into(),
    })
}

/// What a directory to import holds, for its errors.
const DIR_SHAPES: &str = "a directory to import is a CSV export's (`:export csv DIR`: DIR itself or its neo4j/ directory) or holds nodes.csv and edges.csv (the benchmark generator's shape)";

/// Imports a directory, all or nothing, by what is in it:
///
/// * `nodes.csv` and `edges.csv`: the benchmark generator's shape
///   ([`csv::import_csv_dir`]);
/// * the `neo4j/` directory of a CSV export (its
///   [`crate::export::csv::MANIFEST`]; [`neo4j`]), or the export's top
///   directory, which holds it.
///
/// The `kuzu/` directory of an export cannot be read back without loss
/// (a table joins labels with `_`, and some lists and dates are plain
/// strings there): the error says so and names the `neo4j/` one.
pub fn import_dir(dir: &Path, graph: &mut Graph) -> Result<ImportStats, LoadError> {
    use crate::export::csv::MANIFEST;
    let has = |name: &str| dir.join(name).is_file();
    if has("nodes.csv") || has("edges.csv") {
        return csv::import_csv_dir(dir, graph);
    }
    if has(MANIFEST) {
        return neo4j::import_neo4j_dir(dir, graph);
    }
    let sub = dir.join("neo4j");
    if sub.join(MANIFEST).is_file() {
        return neo4j::import_neo4j_dir(&sub, graph);
    }
    let at_dir = |message: String| LoadError {
        file: dir.display().to_string(),
        line: 0,
        col: 0,
        message,
    };
    if has("schema.cypher") && has("copy.cypher") {
        let neo = dir.parent().map(|p| p.join("neo4j"));
        let instead = match &neo {
            Some(n) if n.join(MANIFEST).is_file() => format!(
                "import {} instead (or {}, the export's directory)",
                n.display(),
                dir.parent().map_or(String::new(), |p| p.display().to_string())
            ),
            _ => "import the neo4j/ directory the same export wrote beside it instead, or a JSON export".into(),
        };
        return Err(at_dir(format!(
            "this is the kuzu/ directory of a CSV export, which cannot be read back without loss (a table joins a node's labels with '_', and some lists and dates are plain strings there); {instead}"
        )));
    }
    if has("import.sh") || sub.join("import.sh").is_file() {
        let neo = if has("import.sh") { dir } else { sub.as_path() };
        return Err(LoadError {
            file: neo.display().to_string(),
            line: 0,
            col: 0,
            message: format!(
                "no {MANIFEST} here, which says the labels, relationship types and date columns of these neo4j-admin files (a factgraph that wrote none is older than this one); without it they cannot be read back without loss: export the graph again (`:export csv DIR`), or as JSON"
            ),
        });
    }
    Err(not_here(dir, "nodes.csv"))
}

/// The error for a directory that lacks the file `name`: it names the
/// directory and what it holds instead (no line: there is no file).
pub(crate) fn not_here(dir: &Path, name: &str) -> LoadError {
    let what = match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "there is no such directory".to_string()
        }
        Err(e) => format!("cannot read this directory: {e}"),
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    if e.path().is_dir() {
                        format!("{n}/")
                    } else {
                        n
                    }
                })
                .collect();
            names.sort();
            const SHOWN: usize = 8;
            match names.len() {
                0 => "this directory is empty".to_string(),
                n if n <= SHOWN => {
                    let (last, rest) = names.split_last().expect("not empty");
                    if rest.is_empty() {
                        format!("this directory holds only {last}")
                    } else {
                        format!("this directory holds {} and {last}", rest.join(", "))
                    }
                }
                n => format!(
                    "this directory holds {} and {} more",
                    names[..SHOWN].join(", "),
                    n - SHOWN
                ),
            }
        }
    };
    LoadError {
        file: dir.display().to_string(),
        line: 0,
        col: 0,
        message: format!("no {name} here; {what}; {DIR_SHAPES}"),
    }
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
