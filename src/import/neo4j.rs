//! Reads back the `neo4j/` directory of our CSV export
//! ([`crate::export::csv`]): the neo4j-admin node and relationship files,
//! with [`MANIFEST`] for what they cannot say themselves.
//!
//! * The header types give each column's type (`long`, `double`,
//!   `boolean`, `string`, and lists of them, `long[]` ...; a list's
//!   elements are split on U+001F, as `import.sh` tells neo4j-admin).
//! * The manifest names every file with its labels (a node file) or its
//!   type and the relationships' ids in row order (a relationship file),
//!   says which string columns hold factgraph dates (`2023`, `2023-10`,
//!   `2023-10-11`, `~` when approximate), and gives, as factgraph JSON
//!   values, every property the file cannot hold as it is (a column of
//!   mixed types is text; an integer in a column of floats ...); the
//!   graph's schema too, if it has one.
//! * An unquoted empty cell is no property; a quoted one (`""`) is the
//!   empty string, or the empty list in a list column.
//!
//! Imported into an empty graph this gives the graph that was exported:
//! nodes are created in the order of their `:ID` (the node ids of the
//! export) and relationships in the order of their ids, so an export
//! without deleted ids comes back with the same ids. The import is all or
//! nothing; an error names `file:line:column` of the CSV file or of the
//! manifest.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::csv::{self as c, RawField, Records};
use super::json::{J, Loader, Reader};
use super::{ImportStats, cannot_read};
use crate::error::LoadError;
use crate::export::csv::{
    Col, MANIFEST, MANIFEST_FORMAT, MANIFEST_VERSION, as_dates, neo4j_col, read_neo4j_cell,
};
use crate::model::{LabelSet, NodeId, Props, Sym};
use crate::store::Graph;

/// Reads the `neo4j/` directory `dir` of a CSV export into `graph`, all or
/// nothing.
pub fn import_neo4j_dir(dir: &Path, graph: &mut Graph) -> Result<ImportStats, LoadError> {
    let path = dir.join(MANIFEST);
    let name = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| cannot_read(&name, e))?;
    let root = Reader::new(&text, &name).document()?;
    let mf = Loader {
        text: &text,
        file: &name,
    };
    let m = Manifest::read(&mf, &root, dir)?;
    graph.all_or_nothing(|g| m.load(&mf, g))
}

/// A node file or a relationship file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Nodes,
    Rels,
}

/// One file the manifest names, and what it says of it.
struct Entry {
    path: PathBuf,
    /// The file in errors.
    name: String,
    /// Node files: the labels.
    labels: LabelSet,
    /// Relationship files: the type, and the ids in row order (with the
    /// place of `ids` in the manifest).
    rel_type: Option<Sym>,
    ids: Option<(Vec<u64>, usize)>,
    /// The columns that hold dates, with their places in the manifest.
    dates: Vec<(String, usize)>,
    /// Properties given exactly, by row (from 0), with their places.
    exact: HashMap<u64, (Props, usize)>,
}

struct Manifest<'j> {
    schema: Option<&'j J>,
    nodes: Vec<Entry>,
    rels: Vec<Entry>,
}

/// What a column of a header is.
#[derive(Debug, Clone, Copy)]
enum Spec {
    Id,
    Start,
    End,
    Prop(Sym, Col),
}

/// A node read, waiting to be created.
struct NodeRow {
    key: String,
    entry: usize,
    props: Props,
    line: usize,
}

/// A relationship read, waiting to be created.
struct RelRow {
    /// Its id in the export, or its place among the rows read.
    order: u64,
    src: NodeId,
    dst: NodeId,
    entry: usize,
    props: Props,
    line: usize,
}

impl<'j> Manifest<'j> {
    fn read(mf: &Loader<'_>, root: &'j J, dir: &Path) -> Result<Manifest<'j>, LoadError> {
        let top = mf.members(
            mf.object(root, "the file")?,
            &["format", "version", "schema", "nodes", "relationships"],
            "the file",
        )?;
        mf.check_format(
            &top,
            root,
            MANIFEST_FORMAT,
            MANIFEST_VERSION,
            "CSV export manifest",
        )?;
        let mut out = Manifest {
            schema: top.get("schema").copied(),
            nodes: Vec::new(),
            rels: Vec::new(),
        };
        let mut files = HashSet::new();
        for (key, kind) in [("nodes", Kind::Nodes), ("relationships", Kind::Rels)] {
            let Some(list) = top.get(key) else { continue };
            for e in mf.array(list, &format!("\"{key}\""))? {
                let entry = Entry::read(mf, e, kind, dir)?;
                if !files.insert(entry.path.clone()) {
                    return Err(mf.err(e.at, format!("{} is named twice", entry.name)));
                }
                match kind {
                    Kind::Nodes => out.nodes.push(entry),
                    Kind::Rels => out.rels.push(entry),
                }
            }
        }
        Ok(out)
    }

    fn load(&self, mf: &Loader<'_>, g: &mut Graph) -> Result<ImportStats, LoadError> {
        if let Some(s) = self.schema {
            mf.adopt_schema(s, g)?;
        }
        let mut stats = ImportStats::default();
        // The nodes of every file, then created in the order of their ids.
        let mut nodes = Vec::new();
        let mut keys = HashSet::new();
        for (i, e) in self.nodes.iter().enumerate() {
            read_file(mf, e, Kind::Nodes, &mut |recs, specs, row, row_at, n| {
                let mut key = None;
                let props = row_props(recs, e, specs, row, n, &mut |spec, text, at| {
                    if let Spec::Id = spec {
                        key = Some((text, at));
                    }
                    Ok(())
                })?;
                let Some((key, at)) = key.filter(|(k, _)| !k.is_empty()) else {
                    return Err(recs.error(row_at, "a node needs an :ID".into()));
                };
                if !keys.insert(key.to_string()) {
                    return Err(recs.error(at, format!("a second node with the :ID '{key}'")));
                }
                nodes.push(NodeRow {
                    key: key.to_string(),
                    entry: i,
                    props,
                    line: recs.record_line(),
                });
                Ok(())
            })?;
        }
        drop(keys);
        if nodes.iter().all(|n| n.key.parse::<u64>().is_ok()) {
            nodes.sort_by_key(|n| n.key.parse::<u64>().unwrap_or(u64::MAX));
        }
        let mut ids: HashMap<String, NodeId> = HashMap::with_capacity(nodes.len());
        let mut created = Vec::with_capacity(nodes.len());
        for n in nodes {
            let e = &self.nodes[n.entry];
            let id = g
                .create_node_with(e.labels, n.props)
                .map_err(|err| c::row_error(&e.name, n.line, err.message))?;
            ids.insert(n.key, id);
            created.push((id, n.entry, n.line));
            stats.nodes += 1;
        }

        // The relationships of every file, then created in the order of
        // their ids (when every file gives them).
        let mut rels = Vec::new();
        let ordered = self.rels.iter().all(|e| e.ids.is_some());
        for (i, e) in self.rels.iter().enumerate() {
            read_file(mf, e, Kind::Rels, &mut |recs, specs, row, row_at, n| {
                let (mut src, mut dst) = (None, None);
                let props = row_props(recs, e, specs, row, n, &mut |spec, text, at| {
                    let node = || {
                        ids.get(text).copied().ok_or_else(|| {
                            recs.error(
                                at,
                                format!("no node with the :ID '{text}' in the node files"),
                            )
                        })
                    };
                    match spec {
                        Spec::Start => src = Some(node()?),
                        Spec::End => dst = Some(node()?),
                        _ => {}
                    }
                    Ok(())
                })?;
                let (Some(src), Some(dst)) = (src, dst) else {
                    return Err(recs.error(
                        row_at,
                        "a relationship needs a :START_ID and an :END_ID".into(),
                    ));
                };
                let order = match (&e.ids, ordered) {
                    (Some((rel_ids, _)), true) => {
                        rel_ids.get(n as usize).copied().unwrap_or(u64::MAX)
                    }
                    _ => rels.len() as u64,
                };
                rels.push(RelRow {
                    order,
                    src,
                    dst,
                    entry: i,
                    props,
                    line: recs.record_line(),
                });
                Ok(())
            })?;
        }
        rels.sort_by_key(|r| r.order);
        let mut rels_created = Vec::with_capacity(rels.len());
        for r in rels {
            let e = &self.rels[r.entry];
            let t = e.rel_type.expect("a relationship file has a type");
            let id = g
                .create_rel_with(r.src, r.dst, t, r.props)
                .map_err(|err| c::row_error(&e.name, r.line, err.message))?;
            rels_created.push((id, r.entry, r.line));
            stats.rels += 1;
        }
        // Required properties, once everything is there.
        for (id, entry, line) in created {
            g.check_complete(&[id], &[])
                .map_err(|err| c::row_error(&self.nodes[entry].name, line, err.message))?;
        }
        for (id, entry, line) in rels_created {
            g.check_complete(&[], &[id])
                .map_err(|err| c::row_error(&self.rels[entry].name, line, err.message))?;
        }
        Ok(stats)
    }
}

impl Entry {
    fn read(mf: &Loader<'_>, e: &J, kind: Kind, dir: &Path) -> Result<Entry, LoadError> {
        let (what, allowed): (&str, &[&str]) = match kind {
            Kind::Nodes => ("a node file", &["file", "labels", "dates", "exact"]),
            Kind::Rels => (
                "a relationship file",
                &["file", "type", "ids", "dates", "exact"],
            ),
        };
        let m = mf.members(mf.object(e, what)?, allowed, what)?;
        let fj = mf.required(&m, "file", what, e.at)?;
        let file = mf.string(fj, "\"file\"")?;
        let plain = {
            let mut parts = Path::new(file).components();
            matches!(
                (parts.next(), parts.next()),
                (Some(std::path::Component::Normal(_)), None)
            )
        };
        if !plain {
            return Err(mf.err(
                fj.at,
                format!("\"file\" names a file of this directory, not '{file}'"),
            ));
        }
        let path = dir.join(file);
        let mut entry = Entry {
            name: path.display().to_string(),
            path,
            labels: LabelSet::empty(),
            rel_type: None,
            ids: None,
            dates: Vec::new(),
            exact: HashMap::new(),
        };
        if let Some(l) = m.get("labels") {
            let mut labels: Vec<Sym> = Vec::new();
            for lj in mf.array(l, "\"labels\"")? {
                let label = Sym::new(mf.string(lj, "a label")?);
                if labels.contains(&label) {
                    return Err(mf.err(lj.at, format!("the label '{label}' appears twice")));
                }
                labels.push(label);
            }
            entry.labels = LabelSet::new(&labels);
        }
        if kind == Kind::Rels {
            let t = mf.required(&m, "type", what, e.at)?;
            let name = mf.string(t, "\"type\"")?;
            if name.is_empty() {
                return Err(mf.err(t.at, "a relationship type may not be empty"));
            }
            entry.rel_type = Some(Sym::new(name));
            if let Some(ids) = m.get("ids") {
                let list = mf
                    .array(ids, "\"ids\"")?
                    .iter()
                    .map(|j| mf.id(j, "a relationship id"))
                    .collect::<Result<Vec<_>, _>>()?;
                entry.ids = Some((list, ids.at));
            }
        }
        if let Some(d) = m.get("dates") {
            for dj in mf.array(d, "\"dates\"")? {
                entry
                    .dates
                    .push((mf.string(dj, "a date column")?.to_string(), dj.at));
            }
        }
        if let Some(x) = m.get("exact") {
            for rj in mf.array(x, "\"exact\"")? {
                let rm = mf.members(
                    mf.object(rj, "an exact row")?,
                    &["row", "properties"],
                    "an exact row",
                )?;
                let row = mf.id(mf.required(&rm, "row", "an exact row", rj.at)?, "\"row\"")?;
                let props = mf.props(mf.required(&rm, "properties", "an exact row", rj.at)?)?;
                if entry.exact.insert(row, (props, rj.at)).is_some() {
                    return Err(mf.err(rj.at, format!("row {row} is given twice")));
                }
            }
        }
        Ok(entry)
    }
}

/// One row of a file: its reader, the header's columns, the fields, where
/// it starts, and its number (from 0).
type EachRow<'e> =
    dyn FnMut(&Records<'_>, &[Spec], &[RawField<'_>], usize, u64) -> Result<(), LoadError> + 'e;

/// Reads the CSV file of `e` (its header and each row), then checks that
/// the manifest's rows for it are in it.
fn read_file(
    mf: &Loader<'_>,
    e: &Entry,
    kind: Kind,
    each: &mut EachRow<'_>,
) -> Result<(), LoadError> {
    let mut file = std::fs::File::open(&e.path).map_err(|err| cannot_read(&e.name, err))?;
    // The header fills `specs` before the first row reads them.
    let specs: std::cell::RefCell<Vec<Spec>> = std::cell::RefCell::new(Vec::new());
    let mut header = |recs: &Records<'_>, fields: &[RawField<'_>], at: usize| {
        *specs.borrow_mut() = header_specs(mf, e, kind, recs, fields, at)?;
        Ok(fields.iter().map(|f| f.0.to_string()).collect())
    };
    let expected = match kind {
        Kind::Nodes => ":ID,...",
        Kind::Rels => ":START_ID,:END_ID,...",
    };
    let mut rows: u64 = 0;
    c::for_each_row_with(
        &mut file,
        &e.name,
        c::CHUNK,
        expected,
        &mut header,
        &mut |_| {},
        &mut |recs, _, row, row_at| {
            each(recs, &specs.borrow(), row, row_at, rows)?;
            rows += 1;
            Ok(())
        },
    )?;
    if let Some((ids, at)) = &e.ids
        && ids.len() as u64 != rows
    {
        return Err(mf.err(
            *at,
            format!("\"ids\" has {} ids, and {} {rows} rows", ids.len(), e.name),
        ));
    }
    let beyond = e.exact.iter().filter(|(r, _)| **r >= rows);
    if let Some((row, (_, at))) = beyond.min_by_key(|(r, _)| **r) {
        return Err(mf.err(
            *at,
            format!("there is no row {row} in {} ({rows} rows, from 0)", e.name),
        ));
    }
    Ok(())
}

/// The columns of a header, checked against what the manifest says of
/// its file.
fn header_specs(
    mf: &Loader<'_>,
    e: &Entry,
    kind: Kind,
    recs: &Records<'_>,
    fields: &[RawField<'_>],
    header_at: usize,
) -> Result<Vec<Spec>, LoadError> {
    let mut specs = Vec::with_capacity(fields.len());
    let mut seen: HashSet<&str> = HashSet::new();
    for (text, at) in fields {
        let name = text.as_ref();
        let spec = match (kind, name) {
            (Kind::Nodes, ":ID") => Spec::Id,
            (Kind::Rels, ":START_ID") => Spec::Start,
            (Kind::Rels, ":END_ID") => Spec::End,
            _ => {
                let (key, ty) = name.rsplit_once(':').unwrap_or((name, "string"));
                let Some(col) = neo4j_col(ty) else {
                    return Err(recs.error(
                        *at,
                        format!(
                            "the column '{name}' has the type '{ty}', which this import does not read (long, double, boolean, string, and lists of them: long[] ...; date)"
                        ),
                    ));
                };
                let col = match e.dates.iter().find(|(d, _)| d == key) {
                    None => col,
                    Some((_, dat)) => as_dates(col).ok_or_else(|| {
                        mf.err(
                            *dat,
                            format!(
                                "\"dates\" names '{key}', which is a {ty} column of {}, not a string one",
                                e.name
                            ),
                        )
                    })?,
                };
                Spec::Prop(Sym::new(key), col)
            }
        };
        let id = match spec {
            Spec::Prop(..) => name.rsplit_once(':').map_or(name, |(k, _)| k),
            _ => name,
        };
        if !seen.insert(id) {
            return Err(recs.error(*at, format!("the column '{id}' appears twice")));
        }
        specs.push(spec);
    }
    let has = |name: &str| fields.iter().any(|f| f.0 == name);
    let needs: &[&str] = match kind {
        Kind::Nodes => &[":ID"],
        Kind::Rels => &[":START_ID", ":END_ID"],
    };
    if let Some(name) = needs.iter().find(|n| !has(n)) {
        return Err(recs.error(header_at, format!("the header has no column {name}")));
    }
    for (d, at) in &e.dates {
        let found = specs
            .iter()
            .any(|s| matches!(s, Spec::Prop(k, _) if k.as_str() == d));
        if !found {
            return Err(mf.err(
                *at,
                format!("\"dates\" names '{d}', which is no column of {}", e.name),
            ));
        }
    }
    Ok(specs)
}

/// The properties of row `n` of `e`: its cells, and what the manifest
/// gives exactly. Every other column goes to `other` (with its text and
/// offset).
fn row_props<'r>(
    recs: &Records<'_>,
    e: &Entry,
    specs: &[Spec],
    row: &'r [RawField<'_>],
    n: u64,
    other: &mut dyn FnMut(Spec, &'r str, usize) -> Result<(), LoadError>,
) -> Result<Props, LoadError> {
    let exact = e.exact.get(&n).map(|(p, _)| p);
    let mut props = Props::new();
    for ((text, at), spec) in row.iter().zip(specs) {
        match *spec {
            Spec::Prop(key, col) => {
                if exact.is_some_and(|p| p.contains_key(key.as_str()))
                    || (text.is_empty() && !recs.quoted(*at))
                {
                    continue;
                }
                let v = read_neo4j_cell(text, col).map_err(|m| recs.error(*at, m))?;
                props.insert(key, v);
            }
            s => other(s, text.as_ref(), *at)?,
        }
    }
    if let Some(p) = exact {
        for (k, v) in p.iter() {
            props.insert(*k, v.clone());
        }
    }
    Ok(props)
}
