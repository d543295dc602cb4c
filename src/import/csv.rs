//! Reads node and edge CSV files in the shape of the benchmark generator
//! (`../shared/bench`, `gen.py`): `nodes.csv` and `edges.csv`.
//!
//! * `nodes.csv`: a header row, then one node a row. The columns `id` and
//!   `label` are required; `label` may hold several labels separated by `;`
//!   (as `neo4j-admin` writes them). Every other column is a string
//!   property (`name` ...). The `id` is kept as the property `id` (an
//!   integer when it is one), so queries on the benchmark (`n.id`) work.
//! * `edges.csv`: a header row, then one relationship a row. The columns
//!   `src`, `dst` (node ids of `nodes.csv`) and `type` are required. A
//!   `date` column holds dates (`2023`, `2023-10`, `2023-10-11`, `~` for
//!   approximate; the generator writes days), a `level` column integers;
//!   any other column is a string property.
//! * An empty cell is an absent property.
//!
//! The files are RFC 4180 CSV: fields separated by commas, quoted with `"`
//! when they hold a comma, quote or line break, a quote inside doubled.
//! The import is all or nothing; an error names `file:line:column`.

use std::collections::HashMap;
use std::path::Path;

use super::error_at;
use super::json::ImportStats;
use crate::error::LoadError;
use crate::model::{FDate, NodeId, Props, Value};
use crate::store::Graph;

/// One CSV field: its text and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub text: String,
    pub at: usize,
}

/// One CSV record and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub fields: Vec<Field>,
    pub at: usize,
}

/// Splits RFC 4180 CSV text into records. A blank line is skipped.
pub fn parse_csv(text: &str, file: &str) -> Result<Vec<Record>, LoadError> {
    let b = text.as_bytes();
    let mut pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut records = Vec::new();
    while pos < b.len() {
        let rec_at = pos;
        if b[pos] == b'\n' || (b[pos] == b'\r' && b.get(pos + 1) == Some(&b'\n')) {
            pos += if b[pos] == b'\r' { 2 } else { 1 };
            continue;
        }
        let mut fields = Vec::new();
        loop {
            let at = pos;
            let mut s = String::new();
            if b.get(pos) == Some(&b'"') {
                pos += 1;
                loop {
                    match b.get(pos) {
                        None => {
                            return Err(error_at(
                                file,
                                text,
                                at,
                                "this quoted field is not closed".into(),
                            ));
                        }
                        Some(b'"') if b.get(pos + 1) == Some(&b'"') => {
                            s.push('"');
                            pos += 2;
                        }
                        Some(b'"') => {
                            pos += 1;
                            break;
                        }
                        Some(_) => {
                            // Copy up to the next quote in one go (UTF-8 safe:
                            // a quote byte never occurs inside a character).
                            let next = text[pos..].find('"').map_or(b.len(), |i| pos + i);
                            s.push_str(&text[pos..next]);
                            pos = next;
                        }
                    }
                }
                match b.get(pos) {
                    None | Some(b',' | b'\n') => {}
                    Some(b'\r') if b.get(pos + 1) == Some(&b'\n') => {}
                    Some(_) => {
                        return Err(error_at(
                            file,
                            text,
                            pos,
                            "expected ',' or the end of the line after a quoted field".into(),
                        ));
                    }
                }
            } else {
                let end = text[pos..]
                    .find([',', '\n', '\r', '"'])
                    .map_or(b.len(), |i| pos + i);
                s.push_str(&text[pos..end]);
                pos = end;
                if b.get(pos) == Some(&b'"') {
                    return Err(error_at(
                        file,
                        text,
                        pos,
                        "a quote inside an unquoted field (quote the whole field and double the quote)".into(),
                    ));
                }
                if b.get(pos) == Some(&b'\r') && b.get(pos + 1) != Some(&b'\n') {
                    return Err(error_at(
                        file,
                        text,
                        pos,
                        "a carriage return inside an unquoted field".into(),
                    ));
                }
            }
            fields.push(Field { text: s, at });
            match b.get(pos) {
                Some(b',') => pos += 1,
                Some(b'\r') => {
                    pos += 2;
                    break;
                }
                Some(b'\n') => {
                    pos += 1;
                    break;
                }
                _ => break,
            }
        }
        records.push(Record { fields, at: rec_at });
    }
    Ok(records)
}

/// Reads `DIR/nodes.csv` and `DIR/edges.csv` into `graph`, all or nothing.
pub fn import_csv_dir(dir: &Path, graph: &mut Graph) -> Result<ImportStats, LoadError> {
    let read = |name: &str| {
        let p = dir.join(name);
        let file = p.display().to_string();
        std::fs::read_to_string(&p)
            .map(|t| (t, file.clone()))
            .map_err(|e| LoadError {
                file,
                line: 0,
                col: 0,
                message: format!("cannot read the file: {e}"),
            })
    };
    let (nodes, nf) = read("nodes.csv")?;
    let (edges, ef) = read("edges.csv")?;
    import_csv(&nodes, &nf, &edges, &ef, graph)
}

/// Reads the text of a nodes file and an edges file (named in errors) into
/// `graph`, all or nothing: on an error the graph is unchanged.
pub fn import_csv(
    nodes: &str,
    nodes_file: &str,
    edges: &str,
    edges_file: &str,
    graph: &mut Graph,
) -> Result<ImportStats, LoadError> {
    let mut g = graph.clone();
    let mut stats = ImportStats::default();
    let err = |file: &str, text: &str, at: usize, msg: String| error_at(file, text, at, msg);

    // nodes.csv
    let records = parse_csv(nodes, nodes_file)?;
    let Some((header, rows)) = records.split_first() else {
        return Err(err(
            nodes_file,
            nodes,
            0,
            "the file is empty; expected a header row id,label,...".into(),
        ));
    };
    let cols = columns(header, &["id", "label"], nodes_file, nodes)?;
    let mut ids: HashMap<String, NodeId> = HashMap::new();
    let mut created = Vec::new();
    for row in rows {
        same_width(row, header, nodes_file, nodes)?;
        let mut labels = Vec::new();
        let mut props = Props::new();
        let mut key = None;
        for (f, name) in row.fields.iter().zip(&cols) {
            match name.as_str() {
                "id" => {
                    if f.text.is_empty() {
                        return Err(err(nodes_file, nodes, f.at, "a node needs an id".into()));
                    }
                    if ids.contains_key(&f.text) {
                        return Err(err(
                            nodes_file,
                            nodes,
                            f.at,
                            format!("a second node with the id '{}'", f.text),
                        ));
                    }
                    key = Some(f);
                    let v = f
                        .text
                        .parse::<i64>()
                        .map_or_else(|_| Value::String(f.text.clone()), Value::Int);
                    props.insert("id".into(), v);
                }
                "label" => {
                    for l in f.text.split(';').filter(|l| !l.is_empty()) {
                        if !labels.iter().any(|x: &String| x == l) {
                            labels.push(l.to_string());
                        }
                    }
                }
                _ if f.text.is_empty() => {}
                other => {
                    props.insert(other.to_string(), Value::String(f.text.clone()));
                }
            }
        }
        let Some(key) = key else {
            return Err(err(nodes_file, nodes, row.at, "a node needs an id".into()));
        };
        let id = g
            .create_node(labels, props)
            .map_err(|e| err(nodes_file, nodes, row.at, e.message))?;
        ids.insert(key.text.clone(), id);
        created.push((id, row.at));
        stats.nodes += 1;
    }
    for (id, at) in created {
        g.check_complete(&[id], &[])
            .map_err(|e| err(nodes_file, nodes, at, e.message))?;
    }

    // edges.csv
    let records = parse_csv(edges, edges_file)?;
    let Some((header, rows)) = records.split_first() else {
        return Err(err(
            edges_file,
            edges,
            0,
            "the file is empty; expected a header row src,dst,type,...".into(),
        ));
    };
    let cols = columns(header, &["src", "dst", "type"], edges_file, edges)?;
    for row in rows {
        same_width(row, header, edges_file, edges)?;
        let (mut src, mut dst, mut rel_type) = (None, None, None);
        let mut props = Props::new();
        for (f, name) in row.fields.iter().zip(&cols) {
            let node = |f: &Field| {
                ids.get(&f.text).copied().ok_or_else(|| {
                    err(
                        edges_file,
                        edges,
                        f.at,
                        format!("no node with the id '{}' in {nodes_file}", f.text),
                    )
                })
            };
            match name.as_str() {
                "src" => src = Some(node(f)?),
                "dst" => dst = Some(node(f)?),
                "type" => {
                    if f.text.is_empty() {
                        return Err(err(
                            edges_file,
                            edges,
                            f.at,
                            "a relationship needs a type".into(),
                        ));
                    }
                    rel_type = Some(f.text.clone());
                }
                _ if f.text.is_empty() => {}
                "date" => {
                    let d = FDate::parse(&f.text).map_err(|e| err(edges_file, edges, f.at, e))?;
                    props.insert("date".into(), Value::Date(d));
                }
                "level" => {
                    let n = f.text.parse::<i64>().map_err(|_| {
                        err(
                            edges_file,
                            edges,
                            f.at,
                            format!("level must be an integer, not '{}'", f.text),
                        )
                    })?;
                    props.insert("level".into(), Value::Int(n));
                }
                other => {
                    props.insert(other.to_string(), Value::String(f.text.clone()));
                }
            }
        }
        let (Some(s), Some(d), Some(t)) = (src, dst, rel_type) else {
            return Err(err(
                edges_file,
                edges,
                row.at,
                "a relationship needs src, dst and type".into(),
            ));
        };
        let id = g
            .create_rel(s, d, t, props)
            .map_err(|e| err(edges_file, edges, row.at, e.message))?;
        g.check_complete(&[], &[id])
            .map_err(|e| err(edges_file, edges, row.at, e.message))?;
        stats.rels += 1;
    }
    *graph = g;
    Ok(stats)
}

/// The column names of a header row, which must include `required`.
fn columns(
    header: &Record,
    required: &[&str],
    file: &str,
    text: &str,
) -> Result<Vec<String>, LoadError> {
    let names: Vec<String> = header
        .fields
        .iter()
        .map(|f| f.text.trim().to_string())
        .collect();
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(error_at(
                file,
                text,
                header.fields[i].at,
                "an empty column name in the header".into(),
            ));
        }
        if names[..i].contains(n) {
            return Err(error_at(
                file,
                text,
                header.fields[i].at,
                format!("the column '{n}' appears twice"),
            ));
        }
    }
    for r in required {
        if !names.iter().any(|n| n == r) {
            return Err(error_at(
                file,
                text,
                header.at,
                format!(
                    "the header has no column '{r}' (it needs {})",
                    required.join(", ")
                ),
            ));
        }
    }
    Ok(names)
}

fn same_width(row: &Record, header: &Record, file: &str, text: &str) -> Result<(), LoadError> {
    if row.fields.len() == header.fields.len() {
        return Ok(());
    }
    let at = row.fields.get(header.fields.len()).map_or(row.at, |f| f.at);
    Err(error_at(
        file,
        text,
        at,
        format!(
            "this row has {} fields, the header {}",
            row.fields.len(),
            header.fields.len()
        ),
    ))
}
