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

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use super::error_at;
use super::json::ImportStats;
use crate::error::LoadError;
use crate::model::{FDate, LabelSet, NodeId, Props, Sym, Value};
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

/// One field of a [`Records`] row: its text (borrowed unless it was quoted
/// with a doubled quote inside) and the byte offset where it starts.
type RawField<'a> = (Cow<'a, str>, usize);

/// Splits RFC 4180 CSV text into records, lazily: a file of millions of rows
/// is never held as a second copy. A blank line is skipped.
pub struct Records<'a> {
    text: &'a str,
    file: &'a str,
    pos: usize,
    failed: bool,
}

impl<'a> Records<'a> {
    pub fn new(text: &'a str, file: &'a str) -> Records<'a> {
        let pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Records {
            text,
            file,
            pos,
            failed: false,
        }
    }

    /// Bytes of the text consumed so far (for a progress bar).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next record's fields into `fields` (cleared first) and its start
    /// offset; `None` at the end of the text.
    fn next_into(&mut self, fields: &mut Vec<RawField<'a>>) -> Option<Result<usize, LoadError>> {
        if self.failed {
            return None;
        }
        let r = self.read(fields);
        if matches!(r, Some(Err(_))) {
            self.failed = true;
        }
        r
    }

    fn read(&mut self, fields: &mut Vec<RawField<'a>>) -> Option<Result<usize, LoadError>> {
        let (text, file) = (self.text, self.file);
        let b = text.as_bytes();
        let mut pos = self.pos;
        fields.clear();
        while pos < b.len()
            && (b[pos] == b'\n' || (b[pos] == b'\r' && b.get(pos + 1) == Some(&b'\n')))
        {
            pos += if b[pos] == b'\r' { 2 } else { 1 };
        }
        if pos >= b.len() {
            self.pos = pos;
            return None;
        }
        let rec_at = pos;
        loop {
            let at = pos;
            let field: Cow<'a, str>;
            if b.get(pos) == Some(&b'"') {
                pos += 1;
                let mut s = String::new();
                loop {
                    match b.get(pos) {
                        None => {
                            return Some(Err(error_at(
                                file,
                                text,
                                at,
                                "this quoted field is not closed".into(),
                            )));
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
                        return Some(Err(error_at(
                            file,
                            text,
                            pos,
                            "expected ',' or the end of the line after a quoted field".into(),
                        )));
                    }
                }
                field = Cow::Owned(s);
            } else {
                // Byte search: the delimiters are ASCII, so `end` is always
                // a character boundary.
                let end = b[pos..]
                    .iter()
                    .position(|&c| matches!(c, b',' | b'\n' | b'\r' | b'"'))
                    .map_or(b.len(), |i| pos + i);
                field = Cow::Borrowed(&text[pos..end]);
                pos = end;
                if b.get(pos) == Some(&b'"') {
                    return Some(Err(error_at(
                        file,
                        text,
                        pos,
                        "a quote inside an unquoted field (quote the whole field and double the quote)".into(),
                    )));
                }
                if b.get(pos) == Some(&b'\r') && b.get(pos + 1) != Some(&b'\n') {
                    return Some(Err(error_at(
                        file,
                        text,
                        pos,
                        "a carriage return inside an unquoted field".into(),
                    )));
                }
            }
            fields.push((field, at));
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
        self.pos = pos;
        Some(Ok(rec_at))
    }
}

/// Splits RFC 4180 CSV text into records. A blank line is skipped.
pub fn parse_csv(text: &str, file: &str) -> Result<Vec<Record>, LoadError> {
    let mut it = Records::new(text, file);
    let mut fields = Vec::new();
    let mut records = Vec::new();
    while let Some(r) = it.next_into(&mut fields) {
        let at = r?;
        records.push(Record {
            fields: fields
                .drain(..)
                .map(|(t, at)| Field {
                    text: t.into_owned(),
                    at,
                })
                .collect(),
            at,
        });
    }
    Ok(records)
}

/// Reads `DIR/nodes.csv` and `DIR/edges.csv` into `graph`, all or nothing.
pub fn import_csv_dir(dir: &Path, graph: &mut Graph) -> Result<ImportStats, LoadError> {
    import_csv_files(
        &dir.join("nodes.csv"),
        &dir.join("edges.csv"),
        graph,
        &mut |_| {},
    )
}

/// Reads a nodes file and an edges file into `graph`, all or nothing,
/// calling `progress` now and then with how far it got.
pub fn import_csv_files(
    nodes: &Path,
    edges: &Path,
    graph: &mut Graph,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportStats, LoadError> {
    let cannot = |p: &Path, e: std::io::Error| LoadError {
        file: p.display().to_string(),
        line: 0,
        col: 0,
        message: format!("cannot read the file: {e}"),
    };
    let read = |p: &Path, f: &mut std::fs::File| {
        let mut text = String::new();
        std::io::Read::read_to_string(f, &mut text)
            .map(|_| text)
            .map_err(|e| cannot(p, e))
    };
    let (nf, ef) = (nodes.display().to_string(), edges.display().to_string());
    // Both files are opened first, so that one that cannot be read is
    // reported before the other is parsed. Each one's text is read when
    // its turn comes and let go once parsed: without a schema, which alone
    // can refuse a relationship (and its error needs the text to say
    // where), the relationships are created after the edges' text is gone
    // (117 MB less at the peak at 1M nodes).
    let mut nodes_file = std::fs::File::open(nodes).map_err(|e| cannot(nodes, e))?;
    let mut edges_file = std::fs::File::open(edges).map_err(|e| cannot(edges, e))?;
    let edges_len = edges_file.metadata().map_or(0, |m| m.len() as usize);
    graph.all_or_nothing(|g| {
        let mut stats = ImportStats::default();
        let nt = read(nodes, &mut nodes_file)?;
        let total = nt.len() + edges_len;
        let ids = load_nodes(&nt, &nf, g, &mut stats, progress, total)?;
        let nodes_len = nt.len();
        drop(nt);
        let et = read(edges, &mut edges_file)?;
        let total = nodes_len + et.len();
        let parsed = read_edges(&et, &ef, &nf, &ids, progress, nodes_len, total)?;
        drop(ids);
        let kept = g.schema().is_some().then_some(et);
        create_rels(parsed, g, &mut stats).map_err(|(at, message)| match &kept {
            Some(text) => error_at(&ef, text, at, message),
            // Without a schema nothing refuses a relationship that read
            // well; should it happen, the row is named by its offset.
            None => LoadError {
                file: ef.clone(),
                line: 0,
                col: 0,
                message: format!("{message} (the row at byte {at})"),
            },
        })?;
        progress(Progress { done: total, total });
        Ok(stats)
    })
}

/// How far an import got: bytes of both files read, out of their total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
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
    import_csv_with(nodes, nodes_file, edges, edges_file, graph, &mut |_| {})
}

/// Node ids of `nodes.csv`: a dense table for the small non-negative
/// integers a generator writes, a map for anything else.
#[derive(Default)]
struct Ids {
    /// Node ids by key, [`Ids::NONE`] for a key not in the file.
    dense: Vec<u32>,
    other: HashMap<String, NodeId>,
    /// Every entry of `dense` is its own index: key `i` is node `i`, as
    /// when a generator's ids 0..n load into an empty graph. Then a lookup
    /// reads no table (a cache miss a row for the end nodes otherwise).
    identity: bool,
}

impl Ids {
    const NONE: u32 = u32::MAX;

    fn dense_index(key: &str) -> Option<usize> {
        // Only canonical decimals ("7", not "07" or "+7"), so that two
        // spellings of one number stay two ids, as with string keys. One
        // pass: this runs twice for each of millions of rows.
        let b = key.as_bytes();
        if b.is_empty() || b.len() > 9 || (b.len() > 1 && b[0] == b'0') {
            return None;
        }
        let mut n = 0usize;
        for &c in b {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + usize::from(c - b'0');
        }
        Some(n)
    }
    fn get(&self, key: &str) -> Option<NodeId> {
        if let Some(i) = Ids::dense_index(key) {
            if self.identity && i < self.dense.len() {
                return Some(NodeId(i as u32));
            }
            if let Some(&x) = self.dense.get(i)
                && x != Ids::NONE
            {
                return Some(NodeId(x));
            }
        }
        // Also a number too large for the table.
        self.other.get(key).copied()
    }
    /// Sets [`Ids::identity`] once every node is in.
    fn seal(&mut self) {
        self.identity = self.dense.iter().enumerate().all(|(i, &x)| x as usize == i);
    }
    /// False when the key is taken already.
    fn insert(&mut self, key: &str, id: NodeId, rows: usize) -> bool {
        match Ids::dense_index(key) {
            // A node id of u32::MAX cannot occur: the graph's ids are u32
            // slots and the largest is never handed out.
            Some(i) if i < rows.saturating_mul(4).max(1024) && id.0 != Ids::NONE => {
                if i >= self.dense.len() {
                    self.dense.resize(i + 1, Ids::NONE);
                }
                let slot = &mut self.dense[i];
                if *slot != Ids::NONE {
                    return false;
                }
                *slot = id.0;
                true
            }
            _ => {
                if self.get(key).is_some() {
                    return false;
                }
                self.other.insert(key.to_string(), id);
                true
            }
        }
    }
}

/// [`import_csv`] with a progress callback, called every 64k rows.
pub fn import_csv_with(
    nodes: &str,
    nodes_file: &str,
    edges: &str,
    edges_file: &str,
    graph: &mut Graph,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportStats, LoadError> {
    graph.all_or_nothing(|g| {
        let mut stats = ImportStats::default();
        let total = nodes.len() + edges.len();
        let ids = load_nodes(nodes, nodes_file, g, &mut stats, progress, total)?;
        let parsed = read_edges(
            edges,
            edges_file,
            nodes_file,
            &ids,
            progress,
            nodes.len(),
            total,
        )?;
        create_rels(parsed, g, &mut stats)
            .map_err(|(at, message)| error_at(edges_file, edges, at, message))?;
        progress(Progress { done: total, total });
        Ok(stats)
    })
}

/// How often (in rows) an import reports its progress.
const TICK: usize = 1 << 16;

/// Creates the nodes of a nodes file's text in `g`; their ids by the
/// file's `id` column.
fn load_nodes(
    nodes: &str,
    nodes_file: &str,
    g: &mut Graph,
    stats: &mut ImportStats,
    progress: &mut dyn FnMut(Progress),
    total: usize,
) -> Result<Ids, LoadError> {
    let mut recs = Records::new(nodes, nodes_file);
    let mut header = Vec::new();
    let Some(header_at) = recs.next_into(&mut header).transpose()? else {
        return Err(error_at(
            nodes_file,
            nodes,
            0,
            "the file is empty; expected a header row id,label,...".into(),
        ));
    };
    let cols = columns(&header, header_at, &["id", "label"], nodes_file, nodes)?;
    // Rows estimated from the bytes, to size the dense id table.
    let rows_guess = nodes.len() / 8;
    let mut ids = Ids::default();
    let check_nodes = g.schema().is_some();
    let mut created = Vec::new();
    let mut row = Vec::new();
    // Each column's key, interned once rather than once a row.
    let keys: Vec<Sym> = cols.iter().map(|c| Sym::new(c)).collect();
    // Rows of one label come together: the last label text and its set.
    let mut last_labels: Option<(String, LabelSet)> = None;
    let mut pairs: Vec<(Sym, Value)> = Vec::with_capacity(cols.len());
    while let Some(row_at) = recs.next_into(&mut row).transpose()? {
        same_width(&row, row_at, header.len(), nodes_file, nodes)?;
        let mut labels = LabelSet::empty();
        let mut key = None;
        for (((text, at), name), &sym) in row.iter().zip(&cols).zip(&keys) {
            match name.as_str() {
                "id" => {
                    if text.is_empty() {
                        return Err(error_at(
                            nodes_file,
                            nodes,
                            *at,
                            "a node needs an id".into(),
                        ));
                    }
                    key = Some((text, *at));
                    let v = text
                        .parse::<i64>()
                        .map_or_else(|_| Value::String(text.to_string()), Value::Int);
                    pairs.push((sym, v));
                }
                "label" => {
                    labels = match &last_labels {
                        Some((t, set)) if t == text => *set,
                        _ => {
                            let mut set: Vec<Sym> = Vec::new();
                            for l in text.split(';').filter(|l| !l.is_empty()) {
                                let l = Sym::new(l);
                                if !set.contains(&l) {
                                    set.push(l);
                                }
                            }
                            let set = LabelSet::new(&set);
                            last_labels = Some((text.to_string(), set));
                            set
                        }
                    };
                }
                _ if text.is_empty() => {}
                _ => pairs.push((sym, Value::String(text.to_string()))),
            }
        }
        let props: Props = pairs.drain(..).collect();
        let Some((key, key_at)) = key else {
            return Err(error_at(
                nodes_file,
                nodes,
                row_at,
                "a node needs an id".into(),
            ));
        };
        let id = g
            .create_node_with(labels, props)
            .map_err(|e| error_at(nodes_file, nodes, row_at, e.message))?;
        if !ids.insert(key, id, rows_guess) {
            return Err(error_at(
                nodes_file,
                nodes,
                key_at,
                format!("a second node with the id '{key}'"),
            ));
        }
        if check_nodes {
            created.push((id, row_at));
        }
        stats.nodes += 1;
        if stats.nodes.is_multiple_of(TICK) {
            progress(Progress {
                done: recs.position(),
                total,
            });
        }
    }
    for (id, at) in created {
        g.check_complete(&[id], &[])
            .map_err(|e| error_at(nodes_file, nodes, at, e.message))?;
    }
    ids.seal();
    Ok(ids)
}

/// A relationship read from the edges file, waiting to be created: 24
/// bytes (at 1M nodes there are five million of these at once).
struct PendingRel {
    dst: u32,
    src: u32,
    rel_type: Sym,
    /// Its index in [`ParsedEdges::props`], or `u32::MAX` for none.
    props: u32,
    /// Where its row starts in the file.
    at: u64,
}

/// The relationships of an edges file, read and checked, not yet created.
struct ParsedEdges {
    rels: Vec<PendingRel>,
    /// The properties of the relationships that have any.
    props: Vec<Props>,
}

/// Reads and checks the relationships of an edges file's text against the
/// nodes `ids` names (from `nodes_file`).
fn read_edges(
    edges: &str,
    edges_file: &str,
    nodes_file: &str,
    ids: &Ids,
    progress: &mut dyn FnMut(Progress),
    done_before: usize,
    total: usize,
) -> Result<ParsedEdges, LoadError> {
    let mut header = Vec::new();
    let mut row = Vec::new();
    let mut recs = Records::new(edges, edges_file);
    let Some(header_at) = recs.next_into(&mut header).transpose()? else {
        return Err(error_at(
            edges_file,
            edges,
            0,
            "the file is empty; expected a header row src,dst,type,...".into(),
        ));
    };
    let cols = columns(
        &header,
        header_at,
        &["src", "dst", "type"],
        edges_file,
        edges,
    )?;
    // Relationships are created after all are read, ordered by end node
    // (the order of the file within one end node). A node's incoming
    // relationships then get neighbouring ids, so its incoming list lies
    // together in memory: walking the list of a hub (an organisation that
    // thousands of articles mention) reads memory in order rather than
    // missing the cache once per relationship.
    let mut rels: Vec<PendingRel> = Vec::with_capacity(edges.len() / 24);
    let mut with_props: Vec<Props> = Vec::new();
    let mut last_type: Option<Sym> = None;
    while let Some(row_at) = recs.next_into(&mut row).transpose()? {
        same_width(&row, row_at, header.len(), edges_file, edges)?;
        let (mut src, mut dst, mut rel_type) = (None, None, None);
        let mut props = Props::new();
        for ((text, at), name) in row.iter().zip(&cols) {
            let at = *at;
            let node = |t: &str| {
                ids.get(t).ok_or_else(|| {
                    error_at(
                        edges_file,
                        edges,
                        at,
                        format!("no node with the id '{t}' in {nodes_file}"),
                    )
                })
            };
            match name.as_str() {
                "src" => src = Some(node(text)?),
                "dst" => dst = Some(node(text)?),
                "type" => {
                    if text.is_empty() {
                        return Err(error_at(
                            edges_file,
                            edges,
                            at,
                            "a relationship needs a type".into(),
                        ));
                    }
                    // Rows of one type come together: intern once per run.
                    rel_type = Some(match last_type {
                        Some(t) if t.as_str() == text => t,
                        _ => Sym::new(text),
                    });
                    last_type = rel_type;
                }
                _ if text.is_empty() => {}
                "date" => {
                    let d = FDate::parse(text).map_err(|e| error_at(edges_file, edges, at, e))?;
                    props.insert("date".into(), Value::Date(d));
                }
                "level" => {
                    let n = text.parse::<i64>().map_err(|_| {
                        error_at(
                            edges_file,
                            edges,
                            at,
                            format!("level must be an integer, not '{text}'"),
                        )
                    })?;
                    props.insert("level".into(), Value::Int(n));
                }
                other => {
                    props.insert(other.into(), Value::String(text.to_string()));
                }
            }
        }
        let (Some(s), Some(d), Some(t)) = (src, dst, rel_type) else {
            return Err(error_at(
                edges_file,
                edges,
                row_at,
                "a relationship needs src, dst and type".into(),
            ));
        };
        let props = if props.is_empty() {
            u32::MAX
        } else {
            with_props.push(props);
            u32::try_from(with_props.len() - 1).unwrap_or(u32::MAX)
        };
        rels.push(PendingRel {
            dst: d.0,
            src: s.0,
            rel_type: t,
            props,
            at: row_at as u64,
        });
        if rels.len().is_multiple_of(TICK) {
            progress(Progress {
                done: done_before + recs.position(),
                total,
            });
        }
    }
    // Within one end node, the order of the file (rows are unique).
    rels.sort_unstable_by_key(|p| (p.dst, p.at));
    Ok(ParsedEdges {
        rels,
        props: with_props,
    })
}

/// Creates the relationships read by [`read_edges`] in `g`, in end-node
/// order; a refused one is reported as (where its row starts, why).
fn create_rels(
    parsed: ParsedEdges,
    g: &mut Graph,
    stats: &mut ImportStats,
) -> Result<(), (usize, String)> {
    let check_rels = g.schema().is_some();
    let ParsedEdges { rels, mut props } = parsed;
    // petgraph's edge array at its final size at once, not doubled as it
    // fills (a copy of it at the peak otherwise).
    g.reserve_rels(rels.len());
    // A relationship the schema refuses is found in end-node order; the
    // error names the first such row of the file, as a load in file order
    // would. Everything is undone on any error, so going on past a refusal
    // only costs time on a load that fails anyway.
    let mut refused: Option<(usize, String)> = None;
    for p in rels {
        let rel_props = props
            .get_mut(p.props as usize)
            .map(std::mem::take)
            .unwrap_or_default();
        let made = g
            .create_rel_with(NodeId(p.src), NodeId(p.dst), p.rel_type, rel_props)
            .and_then(|id| {
                if check_rels {
                    g.check_complete(&[], &[id])
                } else {
                    Ok(())
                }
            });
        match made {
            Ok(()) => stats.rels += 1,
            Err(e) => {
                let at = usize::try_from(p.at).unwrap_or(usize::MAX);
                if refused.as_ref().is_none_or(|(first, _)| at < *first) {
                    refused = Some((at, e.message));
                }
            }
        }
    }
    match refused {
        Some(r) => Err(r),
        None => Ok(()),
    }
}

/// The column names of a header row, which must include `required`.
fn columns(
    header: &[RawField<'_>],
    header_at: usize,
    required: &[&str],
    file: &str,
    text: &str,
) -> Result<Vec<String>, LoadError> {
    let names: Vec<String> = header.iter().map(|f| f.0.trim().to_string()).collect();
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(error_at(
                file,
                text,
                header[i].1,
                "an empty column name in the header".into(),
            ));
        }
        if names[..i].contains(n) {
            return Err(error_at(
                file,
                text,
                header[i].1,
                format!("the column '{n}' appears twice"),
            ));
        }
    }
    for r in required {
        if !names.iter().any(|n| n == r) {
            return Err(error_at(
                file,
                text,
                header_at,
                format!(
                    "the header has no column '{r}' (it needs {})",
                    required.join(", ")
                ),
            ));
        }
    }
    Ok(names)
}

fn same_width(
    row: &[RawField<'_>],
    row_at: usize,
    width: usize,
    file: &str,
    text: &str,
) -> Result<(), LoadError> {
    if row.len() == width {
        return Ok(());
    }
    let at = row.get(width).map_or(row_at, |f| f.1);
    Err(error_at(
        file,
        text,
        at,
        format!("this row has {} fields, the header {width}", row.len()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::{NodeKind, PropDecl, PropType, RelKind, Schema};

    /// A schema with nodes of kind P (an id and a name) and relationships K
    /// between them (no properties).
    fn schema() -> Schema {
        let prop = |name: &str, ty| PropDecl {
            name: name.into(),
            ty,
            required: false,
        };
        let mut s = Schema::default();
        s.nodes.insert(
            "P".into(),
            NodeKind {
                name: "P".into(),
                props: vec![prop("id", PropType::Int), prop("name", PropType::String)],
                doc: String::new(),
            },
        );
        s.rels.insert(
            "K".into(),
            RelKind {
                name: "K".into(),
                ..RelKind::default()
            },
        );
        s
    }

    const NODES: &str = "id,label,name\n1,P,a\n2,P,b\n3,P,c\n";
    // Line 4 ends at node 1, line 3 at node 3: created in end-node order,
    // line 4 is refused first, but line 3 is the first refused row of the
    // file, and the error names it.
    const EDGES: &str = "src,dst,type,date\n1,2,K,\n2,3,K,2020-01-01\n3,1,K,2021-01-01\n";

    #[test]
    fn a_refused_relationship_is_named_by_its_line_in_the_file_and_loads_nothing() {
        let mut g = Graph::with_schema(schema());
        let e = import_csv(NODES, "nodes.csv", EDGES, "edges.csv", &mut g).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.col),
            ("edges.csv", 3, 1),
            "{e:?}"
        );
        assert!(e.message.contains("date"), "{e:?}");
        assert_eq!(g.node_count(), 0);
        // From files (the edges' text is kept for a schema's errors).
        let dir = tempfile::tempdir().unwrap();
        let (n, d) = (dir.path().join("nodes.csv"), dir.path().join("edges.csv"));
        std::fs::write(&n, NODES).unwrap();
        std::fs::write(&d, EDGES).unwrap();
        let mut g = Graph::with_schema(schema());
        let e = import_csv_files(&n, &d, &mut g, &mut |_| {}).unwrap_err();
        assert_eq!((e.line, e.col), (3, 1), "{e:?}");
        assert_eq!(e.file, d.display().to_string());
        assert!(e.message.contains("date"), "{e:?}");
        assert_eq!((g.node_count(), g.rel_count()), (0, 0));
        // A file that cannot be read is named before the other is parsed.
        std::fs::write(&n, "id,label,name\n,P,a\n").unwrap();
        let e =
            import_csv_files(&n, &dir.path().join("missing.csv"), &mut g, &mut |_| {}).unwrap_err();
        assert!(e.file.ends_with("missing.csv"), "{e:?}");
        assert!(e.message.starts_with("cannot read the file"), "{e:?}");
        std::fs::write(&n, NODES).unwrap();
        // Without the refused property both load, the same way.
        let ok = EDGES.replace("2020-01-01", "").replace("2021-01-01", "");
        std::fs::write(&d, &ok).unwrap();
        let stats = import_csv_files(&n, &d, &mut g, &mut |_| {}).unwrap();
        assert_eq!((stats.nodes, stats.rels), (3, 3));
        let mut h = Graph::with_schema(schema());
        let s2 = import_csv(NODES, "n", &ok, "e", &mut h).unwrap();
        assert_eq!((s2.nodes, s2.rels), (3, 3));
        assert_eq!(
            crate::store::persist::encode(&g),
            crate::store::persist::encode(&h)
        );
    }

    #[test]
    fn node_ids_of_any_size_or_spelling_are_found_by_the_edges() {
        // 5000 is beyond the dense table of a five-row file, 007 is not a
        // canonical number, x is no number: each is its own id, and each is
        // found again by the edges (5000 was not, before).
        let nodes = "id,label,name\n0,P,a\n5000,P,b\n007,P,c\nx,P,d\n7,P,e\n";
        let edges = "src,dst,type\n0,5000,K\n5000,007,K\n007,x,K\nx,7,K\n";
        let mut g = Graph::new();
        let stats = import_csv(nodes, "n", edges, "e", &mut g).unwrap();
        assert_eq!((stats.nodes, stats.rels), (5, 4));
        let name = |g: &Graph, n: NodeId| {
            g.node(n)
                .and_then(|x| x.props.get_str("name").map(str::to_string))
                .unwrap_or_default()
        };
        let mut pairs: Vec<String> = g
            .rel_ids()
            .filter_map(|r| g.rel_ends(r))
            .map(|(a, b)| format!("{}{}", name(&g, a), name(&g, b)))
            .collect();
        pairs.sort();
        assert_eq!(pairs, ["ab", "bc", "cd", "de"]);
        let e = import_csv(nodes, "n", "src,dst,type\n0,5001,K\n", "e", &mut g).unwrap_err();
        assert!(e.message.contains("no node with the id '5001'"), "{e:?}");
        // Ids 0..n into an empty graph are the nodes' own ids (no table is
        // read); into a graph that has nodes they are not.
        let nodes = "id,label,name\n0,P,a\n1,P,b\n2,P,c\n";
        let edges = "src,dst,type\n2,0,K\n0,1,K\n";
        for mut g in [Graph::new(), g] {
            let before = g.node_count();
            import_csv(nodes, "n", edges, "e", &mut g).unwrap();
            let mut pairs: Vec<String> = g
                .rel_ids()
                .filter_map(|r| g.rel_ends(r))
                .filter(|(a, _)| a.0 as usize >= before)
                .map(|(a, b)| format!("{}{}", name(&g, a), name(&g, b)))
                .collect();
            pairs.sort();
            assert_eq!(pairs, ["ab", "ca"], "after {before} nodes");
            let e = import_csv(nodes, "n", "src,dst,type\n0,3,K\n", "e", &mut g).unwrap_err();
            assert!(e.message.contains("no node with the id '3'"), "{e:?}");
        }
    }
}
