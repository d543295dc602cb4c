//! CSV: node and relationship files for Kùzu's `COPY FROM` and for
//! `neo4j-admin database import`, written into a directory.
//!
//! ```text
//! DIR/kuzu/schema.cypher        CREATE NODE TABLE / CREATE REL TABLE, one a line
//! DIR/kuzu/copy.cypher          COPY ... FROM 'file' statements, one a line
//! DIR/kuzu/nodes_<Table>.csv    header row, one node a row
//! DIR/kuzu/rels_<TYPE>_<From>_<To>.csv
//! DIR/neo4j/nodes_<Table>.csv   neo4j-admin header (`:ID`, `name:string` ...)
//! DIR/neo4j/rels_<TYPE>.csv     (`:START_ID`, `:END_ID`, properties)
//! DIR/neo4j/import.sh           the neo4j-admin command line
//! DIR/neo4j/factgraph-csv.json  what factgraph needs to read the files back
//! ```
//!
//! Load into Kùzu from `DIR/kuzu` (the COPY paths are relative): run every
//! line of `schema.cypher`, then of `copy.cypher`. Into Neo4j: run
//! `import.sh` in `DIR/neo4j`. Into factgraph: `:import DIR` (or
//! `DIR/neo4j`) reads the neo4j-admin files back ([`crate::import::neo4j`])
//! into the same graph; the Kùzu files cannot be (a table joins labels
//! with `_`, lists Kùzu cannot read are text, dates of relationships are
//! unmarked), and importing `DIR/kuzu` says so.
//!
//! **The manifest** `factgraph-csv.json` ([`MANIFEST`]; neo4j-admin never
//! reads it) says what the neo4j-admin files cannot: each file's labels or
//! type, the relationships' ids in row order, the string columns that hold
//! factgraph dates (`"dates"`), the graph's schema, and (`"exact"`, by row
//! from 0, as factgraph JSON values: [`super::json`]) every property whose
//! cell does not read back as the value: a value in a column of mixed
//! types, an integer in a column of floats, a temporal value, a list of
//! one empty string or with U+001F in an element.
//!
//! ```json
//! {"format": "factgraph-csv", "version": 1, "schema": {...},
//!  "nodes": [{"file": "nodes_Event.csv", "labels": ["Event"], "dates": ["date"]}],
//!  "relationships": [{"file": "rels_ON.csv", "type": "ON", "ids": [4, 9],
//!                     "exact": [{"row": 1, "properties": {"w": 2}}]}]}
//! ```
//!
//! Tables: Kùzu puts each node in exactly one table, so a node's table is
//! its labels joined with `_` (a `:Statement:Membership` node goes to
//! `Statement_Membership`; unlabelled nodes to `Unlabelled`). The table's
//! primary key `fg_id` is the factgraph node id (`fg_id_` ... if a property
//! is already called that). A relationship type is one Kùzu rel table with
//! a `FROM <table> TO <table>` pair for each pair of tables it joins, and a
//! file per pair. Kùzu's table names ignore case, so a relationship type
//! that clashes with a node table (`ORGANISATION` and `Organisation`) is
//! renamed `ORGANISATION_REL` ([`kuzu_rel_tables`]). For neo4j-admin, a
//! node file holds the nodes of one list of labels (a table's file, and
//! `nodes_<Table>_2.csv` ... when two lists share a table, as `A_B` and
//! `A:B` do), and `import.sh` gives the labels and the type on the command
//! line (`--nodes=Statement:Membership=...`), so no `:LABEL` or `:TYPE`
//! column is needed.
//!
//! Columns are the properties found in the table, each typed by its values:
//! integers `INT64`/`long`, floats (or floats and integers) `DOUBLE`/`double`,
//! booleans `BOOLEAN`/`boolean`, strings `STRING`/`string`, lists of one of
//! these `T[]`. **Dates** are in a `STRING` column in factgraph's own
//! encoding, which keeps the precision and the approximation: `2023`
//! (year), `2023-10` (month), `2023-10-11` (day), with `~` in front when
//! approximate (`~2024-01-11`); `schema.cypher` names these columns in a
//! comment. For neo4j-admin, a column whose dates are all exact days is a
//! `date` column (the same text, which Neo4j reads as dates); Neo4j has no
//! year or month dates, so any other date column is a string one. A column
//! whose values mix types is `STRING` holding each
//! value's text (strings as they are, lists as JSON arrays).
//!
//! Cells are RFC 4180 CSV: quoted when they hold a comma, quote, line break
//! or surrounding space, the quote doubled. Kùzu reads lists as `[a,b]` and
//! keeps quotes inside them, so a list column whose elements hold `,`, a
//! bracket, a quote, a backslash or surrounding space (or are empty) is
//! written as a `STRING` of the JSON array instead. neo4j-admin reads lists
//! split on the array delimiter U+001F (`--array-delimiter=U+001F`),
//! which text seldom contains (the manifest has the lists that do). An
//! empty cell is no property; a quoted one (`""`) is the empty string (or
//! list). Known loss: Kùzu reads an empty string as NULL.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use super::{ExNode, ExRel, View, plain_text};
use crate::error::Error;
use crate::model::{FDate, Precision, Sym, Value};

/// The type of a column, inferred from the values in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    Int,
    Float,
    Bool,
    Str,
    /// A string column in factgraph's date encoding.
    Date,
    List(Elem),
    /// Mixed types: the plain text of each value.
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elem {
    Int,
    Float,
    Bool,
    Str,
    Date,
}

fn col_of(v: &Value) -> Col {
    match v {
        Value::Int(_) => Col::Int,
        Value::Float(_) => Col::Float,
        Value::Bool(_) => Col::Bool,
        Value::String(_) => Col::Str,
        Value::Date(_) => Col::Date,
        Value::List(items) => {
            let mut elem: Option<Elem> = None;
            for i in items {
                let e = match i {
                    Value::Int(_) => Elem::Int,
                    Value::Float(_) => Elem::Float,
                    Value::Bool(_) => Elem::Bool,
                    Value::String(_) => Elem::Str,
                    Value::Date(_) => Elem::Date,
                    _ => return Col::Text,
                };
                elem = match (elem, e) {
                    (None, e) => Some(e),
                    (Some(a), b) if a == b => Some(a),
                    (Some(Elem::Int | Elem::Float), Elem::Int | Elem::Float) => Some(Elem::Float),
                    _ => return Col::Text,
                };
            }
            // An empty list fits any list column: Str until told otherwise.
            Col::List(elem.unwrap_or(Elem::Str))
        }
        _ => Col::Text,
    }
}

fn join(a: Col, b: Col) -> Col {
    match (a, b) {
        (a, b) if a == b => a,
        (Col::Int | Col::Float, Col::Int | Col::Float) => Col::Float,
        (Col::List(x), Col::List(y)) => match (x, y) {
            (Elem::Int | Elem::Float, Elem::Int | Elem::Float) => Col::List(Elem::Float),
            _ => Col::Text,
        },
        _ => Col::Text,
    }
}

/// A list element Kùzu reads back as written inside `[...]`.
fn kuzu_list_safe(s: &str) -> bool {
    !s.is_empty()
        && s.trim() == s
        && !s.contains([',', '[', ']', '{', '}', '"', '\'', '\\', '\n', '\r'])
}

/// One table's columns: name and type, in name order.
#[derive(Debug, Clone, Default)]
struct Columns(BTreeMap<String, Col>);

impl Columns {
    fn add(&mut self, props: crate::model::PropsRef<'_>) {
        for (k, v) in props {
            if v.is_null() {
                continue;
            }
            let c = col_of(&v);
            self.0
                .entry(k.to_string())
                .and_modify(|old| *old = join(*old, c))
                .or_insert(c);
        }
    }
    /// For Kùzu, a list column whose strings it cannot read back becomes
    /// text.
    fn kuzu(&self, rows: &[crate::model::PropsRef<'_>]) -> Columns {
        let mut out = self.clone();
        for (k, c) in out.0.iter_mut() {
            if let Col::List(Elem::Str | Elem::Date) = c {
                let safe = rows.iter().all(|p| match p.get(k).as_deref() {
                    Some(Value::List(items)) => {
                        items.iter().all(|i| kuzu_list_safe(&plain_text(i)))
                    }
                    _ => true,
                });
                if !safe {
                    *c = Col::Text;
                }
            }
        }
        out
    }
}

fn kuzu_type(c: Col) -> &'static str {
    match c {
        Col::Int => "INT64",
        Col::Float => "DOUBLE",
        Col::Bool => "BOOLEAN",
        Col::Str | Col::Date | Col::Text => "STRING",
        Col::List(Elem::Int) => "INT64[]",
        Col::List(Elem::Float) => "DOUBLE[]",
        Col::List(Elem::Bool) => "BOOLEAN[]",
        Col::List(Elem::Str | Elem::Date) => "STRING[]",
    }
}

fn neo4j_type(c: Col) -> &'static str {
    match c {
        Col::Int => "long",
        Col::Float => "double",
        Col::Bool => "boolean",
        Col::Str | Col::Date | Col::Text => "string",
        Col::List(Elem::Int) => "long[]",
        Col::List(Elem::Float) => "double[]",
        Col::List(Elem::Bool) => "boolean[]",
        Col::List(Elem::Str | Elem::Date) => "string[]",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Kuzu,
    Neo4j,
}

/// The neo4j-admin array delimiter: a control character no text holds.
const ARRAY_DELIMITER: char = '\u{1f}';

fn num_text(v: &Value) -> String {
    match v {
        Value::Float(f) if f.is_nan() => "NaN".into(),
        Value::Float(f) if f.is_infinite() => {
            if *f > 0.0 { "Infinity" } else { "-Infinity" }.into()
        }
        Value::Float(f) => format!("{f:?}"),
        Value::Int(i) => i.to_string(),
        other => plain_text(other),
    }
}

/// The text of one cell (before CSV quoting); None for an empty cell.
fn cell(v: Option<&Value>, col: Col, d: Dialect) -> Option<String> {
    let v = v.filter(|v| !v.is_null())?;
    Some(match (col, v) {
        (Col::Text, v) => plain_text(v),
        (Col::Float, v) => match v {
            Value::Int(i) => format!("{:?}", *i as f64),
            v => num_text(v),
        },
        (Col::List(e), Value::List(items)) => {
            let texts: Vec<String> = items
                .iter()
                .map(|i| match (e, i) {
                    (Elem::Float, Value::Int(n)) => format!("{:?}", *n as f64),
                    (_, i) => num_text(i),
                })
                .collect();
            match d {
                Dialect::Kuzu => format!("[{}]", texts.join(",")),
                Dialect::Neo4j => texts.join(&ARRAY_DELIMITER.to_string()),
            }
        }
        (_, v) => num_text(v),
    })
}

/// A CSV field: quoted when it must be.
fn csv_field(s: &str, out: &mut String) {
    let needs = s.is_empty() || s.contains([',', '"', '\n', '\r']) || s.trim() != s;
    if needs {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn row(cells: &[Option<String>]) -> String {
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Some(c) = c {
            csv_field(c, &mut out);
        }
    }
    out.push('\n');
    out
}

/// A Kùzu identifier in backquotes (a backquote inside doubled).
fn kq(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A name made safe for a file name: ASCII letters, digits, `_`, `-`.
fn file_part(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "_".into() } else { s }
}

/// The table of a node: its labels joined with `_`.
pub fn node_table(labels: &[Sym]) -> String {
    if labels.is_empty() {
        "Unlabelled".into()
    } else {
        labels.join("_")
    }
}

/// Gives each name a unique file name stem.
fn unique_files<'a>(
    names: impl Iterator<Item = &'a String>,
    prefix: &str,
) -> BTreeMap<String, String> {
    let mut used = BTreeSet::new();
    let mut out = BTreeMap::new();
    for n in names {
        let base = format!("{prefix}{}", file_part(n));
        let mut f = base.clone();
        let mut i = 2;
        while !used.insert(f.to_ascii_lowercase()) {
            f = format!("{base}_{i}");
            i += 1;
        }
        out.insert(n.clone(), format!("{f}.csv"));
    }
    out
}

fn key_column(cols: &Columns) -> String {
    let mut k = "fg_id".to_string();
    while cols.0.contains_key(&k) {
        k.push('_');
    }
    k
}

/// Kùzu's table names: node tables first, then rel tables, unique
/// ignoring case (Kùzu's catalog ignores case, so the relationship type
/// `ORGANISATION` and the node table `Organisation` would clash). A clashing
/// node table gets `_`, `_2` ...; a clashing rel table `_REL`, `_REL2` ...
fn kuzu_names<'a>(
    tables: impl Iterator<Item = &'a String>,
    types: impl Iterator<Item = &'a String>,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut taken = BTreeSet::new();
    let mut pick = |base: &str, suffix: &str| {
        let mut name = base.to_string();
        let mut i = 1;
        while !taken.insert(name.to_lowercase()) {
            name = if i == 1 {
                format!("{base}{suffix}")
            } else {
                format!("{base}{suffix}{i}")
            };
            i += 1;
        }
        name
    };
    let nodes = tables.map(|t| (t.clone(), pick(t, "_"))).collect();
    let rels = types.map(|t| (t.clone(), pick(t, "_REL"))).collect();
    (nodes, rels)
}

/// The Kùzu rel table of each relationship type of the view (the type
/// itself unless its name clashes with a node table, see the module docs).
pub fn kuzu_rel_tables(view: &View<'_>) -> BTreeMap<String, String> {
    let tables: BTreeSet<String> = view.nodes.iter().map(|n| node_table(n.labels)).collect();
    let types: BTreeSet<String> = view.rels.iter().map(|r| r.rel_type.to_string()).collect();
    kuzu_names(tables.iter(), types.iter()).1
}

/// The files of a CSV export: (path relative to the directory, content).
pub fn to_files(view: &View<'_>) -> Vec<(String, String)> {
    let mut files = Vec::new();

    // Nodes by table.
    let mut tables: BTreeMap<String, Vec<&ExNode<'_>>> = BTreeMap::new();
    let mut table_of = BTreeMap::new();
    for n in &view.nodes {
        let t = node_table(n.labels);
        table_of.insert(n.id, t.clone());
        tables.entry(t).or_default().push(n);
    }
    // Relationships by type, and by (from table, to table).
    let mut types: BTreeMap<String, Vec<&ExRel<'_>>> = BTreeMap::new();
    for r in &view.rels {
        types.entry(r.rel_type.to_string()).or_default().push(r);
    }

    let (node_names, rel_names) = kuzu_names(tables.keys(), types.keys());
    let node_files = unique_files(tables.keys(), "nodes_");
    let mut schema = String::from(
        "// Kùzu schema of a factgraph export; run each line, then copy.cypher, from this directory.\n",
    );
    let mut copy = String::new();
    for (t, nodes) in &tables {
        let mut cols = Columns::default();
        for n in nodes {
            cols.add(n.props);
        }
        let props: Vec<crate::model::PropsRef> = nodes.iter().map(|n| n.props).collect();
        let kcols = cols.kuzu(&props);
        let key = key_column(&cols);
        let file = &node_files[t];
        let kt = &node_names[t];
        // Kùzu
        let dates: Vec<&str> = kcols
            .0
            .iter()
            .filter(|(_, c)| matches!(c, Col::Date | Col::List(Elem::Date)))
            .map(|(k, _)| k.as_str())
            .collect();
        if !dates.is_empty() {
            let _ = writeln!(
                schema,
                "// {kt}: factgraph dates (2023 | 2023-10 | 2023-10-11, ~ when approximate) in {}",
                dates.join(", ")
            );
        }
        let mut ddl = format!("CREATE NODE TABLE {}({} INT64", kq(kt), kq(&key));
        for (k, c) in &kcols.0 {
            let _ = write!(ddl, ", {} {}", kq(k), kuzu_type(*c));
        }
        let _ = writeln!(ddl, ", PRIMARY KEY({}));", kq(&key));
        schema.push_str(&ddl);
        let _ = writeln!(
            copy,
            "COPY {} FROM '{}' (header=true, parallel=false);",
            kq(kt),
            file
        );
        let mut header: Vec<Option<String>> = vec![Some(key.clone())];
        header.extend(kcols.0.keys().map(|k| Some(k.clone())));
        let mut text = row(&header);
        for n in nodes {
            let mut cells = vec![Some(n.id.0.to_string())];
            cells.extend(
                kcols
                    .0
                    .iter()
                    .map(|(k, c)| cell(n.props.get(k).as_deref(), *c, Dialect::Kuzu)),
            );
            text.push_str(&row(&cells));
        }
        files.push((format!("kuzu/{file}"), text));
    }

    for (t, rels) in &types {
        let mut cols = Columns::default();
        let mut pairs: BTreeMap<(String, String), Vec<&ExRel<'_>>> = BTreeMap::new();
        for r in rels {
            cols.add(r.props);
            let from = table_of.get(&r.start).cloned().unwrap_or_default();
            let to = table_of.get(&r.end).cloned().unwrap_or_default();
            pairs.entry((from, to)).or_default().push(r);
        }
        let props: Vec<crate::model::PropsRef> = rels.iter().map(|r| r.props).collect();
        let kcols = cols.kuzu(&props);
        // Kùzu
        let froms: Vec<String> = pairs
            .keys()
            .map(|(a, b)| format!("FROM {} TO {}", kq(&node_names[a]), kq(&node_names[b])))
            .collect();
        let kt = &rel_names[t];
        let mut ddl = format!("CREATE REL TABLE {}({}", kq(kt), froms.join(", "));
        for (k, c) in &kcols.0 {
            let _ = write!(ddl, ", {} {}", kq(k), kuzu_type(*c));
        }
        ddl.push_str(");\n");
        schema.push_str(&ddl);
        let pair_names: Vec<String> = pairs
            .keys()
            .map(|(a, b)| format!("{t}\u{0}{a}\u{0}{b}"))
            .collect();
        let pair_files = unique_files(pair_names.iter(), "rels_");
        for ((a, b), rs) in &pairs {
            let file = &pair_files[&format!("{t}\u{0}{a}\u{0}{b}")];
            let group = if pairs.len() > 1 {
                format!(
                    ", from='{}', to='{}'",
                    node_names[a].replace('\'', "\\'"),
                    node_names[b].replace('\'', "\\'")
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                copy,
                "COPY {} FROM '{}' (header=true, parallel=false{group});",
                kq(kt),
                file
            );
            let mut header: Vec<Option<String>> = vec![Some("from".into()), Some("to".into())];
            header.extend(kcols.0.keys().map(|k| Some(k.clone())));
            let mut text = row(&header);
            for r in rs {
                let mut cells = vec![Some(r.start.0.to_string()), Some(r.end.0.to_string())];
                cells.extend(
                    kcols
                        .0
                        .iter()
                        .map(|(k, c)| cell(r.props.get(k).as_deref(), *c, Dialect::Kuzu)),
                );
                text.push_str(&row(&cells));
            }
            files.push((format!("kuzu/{file}"), text));
        }
    }
    files.push(("kuzu/schema.cypher".into(), schema));
    files.push(("kuzu/copy.cypher".into(), copy));
    neo4j_files(view, &tables, &node_files, &types, &mut files);
    files
}

/// The file of `DIR/neo4j` that says what the CSV files and the header
/// types cannot (see the module docs); neo4j-admin never reads it.
pub const MANIFEST: &str = "factgraph-csv.json";
/// The `format` member of [`MANIFEST`].
pub const MANIFEST_FORMAT: &str = "factgraph-csv";
/// The `version` member of [`MANIFEST`] this build writes and the newest it
/// reads.
pub const MANIFEST_VERSION: i64 = 1;

/// The column type of a neo4j-admin header type: those [`neo4j_type`]
/// writes (and `date`, which [`neo4j_file`] writes for a column of days),
/// and neo4j-admin's other names for integers, floats and strings.
pub(crate) fn neo4j_col(ty: &str) -> Option<Col> {
    if ty.eq_ignore_ascii_case("date") {
        return Some(Col::Date);
    }
    let (base, list) = match ty.strip_suffix("[]") {
        Some(b) => (b, true),
        None => (ty, false),
    };
    let e = match base.to_ascii_lowercase().as_str() {
        "long" | "int" | "short" | "byte" => Elem::Int,
        "double" | "float" => Elem::Float,
        "boolean" => Elem::Bool,
        "string" | "char" => Elem::Str,
        _ => return None,
    };
    Some(match (list, e) {
        (true, e) => Col::List(e),
        (false, Elem::Int) => Col::Int,
        (false, Elem::Float) => Col::Float,
        (false, Elem::Bool) => Col::Bool,
        (false, _) => Col::Str,
    })
}

/// A string column (or list of strings) that [`MANIFEST`] says holds
/// factgraph dates, or a `date` one: its date type; None for any other
/// column.
pub(crate) fn as_dates(c: Col) -> Option<Col> {
    match c {
        Col::Str | Col::Date => Some(Col::Date),
        Col::List(Elem::Str) => Some(Col::List(Elem::Date)),
        _ => None,
    }
}

/// The value of a neo4j-admin cell that is there (a quoted empty cell is
/// `""`; an unquoted empty one is no property and never comes here) in a
/// column of type `col`. The inverse of [`cell`] where the export can be
/// read back; where it cannot, [`MANIFEST`] has the value.
pub(crate) fn read_neo4j_cell(text: &str, col: Col) -> Result<Value, String> {
    let one = |e: Elem, t: &str| -> Result<Value, String> {
        match e {
            Elem::Int => t
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| format!("'{}' is not an integer (a long column)", clip(t))),
            Elem::Float => match t {
                "NaN" => Ok(Value::Float(f64::NAN)),
                "Infinity" => Ok(Value::Float(f64::INFINITY)),
                "-Infinity" => Ok(Value::Float(f64::NEG_INFINITY)),
                t => t
                    .parse::<f64>()
                    .map(Value::Float)
                    .map_err(|_| format!("'{}' is not a number (a double column)", clip(t))),
            },
            Elem::Bool if t.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Elem::Bool if t.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            Elem::Bool => Err(format!(
                "'{}' is not true or false (a boolean column)",
                clip(t)
            )),
            Elem::Str => Ok(Value::String(t.to_string())),
            Elem::Date => FDate::parse(t)
                .map(Value::Date)
                .map_err(|e| format!("{e} (the column holds dates: {MANIFEST} says so)")),
        }
    };
    match col {
        Col::List(_) if text.is_empty() => Ok(Value::List(Vec::new())),
        Col::List(e) => text
            .split(ARRAY_DELIMITER)
            .map(|t| one(e, t))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List),
        Col::Int => one(Elem::Int, text),
        Col::Float => one(Elem::Float, text),
        Col::Bool => one(Elem::Bool, text),
        Col::Date => one(Elem::Date, text),
        Col::Str | Col::Text => one(Elem::Str, text),
    }
}

/// At most 40 characters of a cell, for an error.
fn clip(t: &str) -> String {
    match t.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

/// The same value, type included: an integer is not the float of the same
/// number, a NaN is a NaN.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Date(x), Value::Date(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        _ => false,
    }
}

/// How a neo4j-admin column reads back: mixed types as the strings they
/// are written as.
fn read_back(c: Col) -> Col {
    match c {
        Col::Text => Col::Str,
        c => c,
    }
}

/// One neo4j-admin file's header and rows, and what [`MANIFEST`] says of
/// it: the date columns, and the cells that do not read back as the value
/// (`exact`: the row, then its properties as factgraph JSON).
struct Neo4jFile {
    text: String,
    dates: Vec<String>,
    exact: Vec<(usize, String)>,
}

/// The neo4j-admin file of `rows` (each its first cells, then its
/// properties), with `lead` as the first header cells.
fn neo4j_file<'a>(
    lead: &[&str],
    rows: impl Iterator<Item = (Vec<String>, crate::model::PropsRef<'a>)> + Clone,
) -> Neo4jFile {
    let mut cols = Columns::default();
    for (_, p) in rows.clone() {
        cols.add(p);
    }
    // A column of dates that are all exact days is neo4j-admin's `date`
    // (the same text); Neo4j has no year or month dates, so any other stays
    // a string column in factgraph's encoding.
    let days: BTreeSet<&str> = cols
        .0
        .iter()
        .filter(|(k, c)| {
            **c == Col::Date
                && rows.clone().all(|(_, p)| match p.get(k).as_deref() {
                    Some(Value::Date(d)) => d.precision == Precision::Day && !d.approx,
                    _ => true,
                })
        })
        .map(|(k, _)| k.as_str())
        .collect();
    let mut header: Vec<Option<String>> = lead.iter().map(|c| Some(c.to_string())).collect();
    header.extend(cols.0.iter().map(|(k, c)| {
        let ty = if days.contains(k.as_str()) {
            "date"
        } else {
            neo4j_type(*c)
        };
        Some(format!("{k}:{ty}"))
    }));
    let mut text = row(&header);
    let mut exact = Vec::new();
    for (i, (first, props)) in rows.enumerate() {
        let mut cells: Vec<Option<String>> = first.into_iter().map(Some).collect();
        let mut wrong = Vec::new();
        for (k, c) in &cols.0 {
            let v = props.get(k);
            let v = v.as_deref().filter(|v| !v.is_null());
            let text = cell(v, *c, Dialect::Neo4j);
            if let (Some(v), Some(t)) = (v, &text)
                && !read_neo4j_cell(t, read_back(*c)).is_ok_and(|back| same(&back, v))
            {
                wrong.push(format!(
                    "{}: {}",
                    super::json::jstr(k),
                    super::json::value_json(v)
                ));
            }
            cells.push(text);
        }
        text.push_str(&row(&cells));
        if !wrong.is_empty() {
            exact.push((i, format!("{{{}}}", wrong.join(", "))));
        }
    }
    let dates = cols
        .0
        .iter()
        .filter(|(_, c)| matches!(c, Col::Date | Col::List(Elem::Date)))
        .map(|(k, _)| k.clone())
        .collect();
    Neo4jFile { text, dates, exact }
}

/// The members of a [`MANIFEST`] entry that [`Neo4jFile`] gives.
fn manifest_entry(f: &Neo4jFile) -> String {
    let mut out = String::new();
    if !f.dates.is_empty() {
        let names: Vec<String> = f.dates.iter().map(|d| super::json::jstr(d)).collect();
        let _ = write!(out, ", \"dates\": [{}]", names.join(", "));
    }
    if !f.exact.is_empty() {
        let rows: Vec<String> = f
            .exact
            .iter()
            .map(|(i, p)| format!("{{\"row\": {i}, \"properties\": {p}}}"))
            .collect();
        let _ = write!(out, ", \"exact\": [{}]", rows.join(", "));
    }
    out
}

/// The `neo4j/` files: a node file for each list of labels, a relationship
/// file for each type, `import.sh` and [`MANIFEST`].
fn neo4j_files(
    view: &View<'_>,
    tables: &BTreeMap<String, Vec<&ExNode<'_>>>,
    node_files: &BTreeMap<String, String>,
    types: &BTreeMap<String, Vec<&ExRel<'_>>>,
    files: &mut Vec<(String, String)>,
) {
    // A table holds the nodes of one joined label text, which two lists
    // of labels can share (`A_B`, and `A` with `B`): each list gets a file
    // of its own, the first the table's.
    let mut used: BTreeSet<String> = node_files
        .values()
        .map(|f| f.to_ascii_lowercase())
        .collect();
    let mut groups: Vec<(String, &[Sym], Vec<&ExNode<'_>>)> = Vec::new();
    for (t, nodes) in tables {
        let first = groups.len();
        for n in nodes {
            match groups[first..].iter_mut().find(|g| g.1 == n.labels) {
                Some(g) => g.2.push(n),
                None => {
                    let file = if groups.len() == first {
                        node_files[t].clone()
                    } else {
                        let mut i = groups.len() - first + 1;
                        loop {
                            let f = format!("nodes_{}_{i}.csv", file_part(t));
                            if used.insert(f.to_ascii_lowercase()) {
                                break f;
                            }
                            i += 1;
                        }
                    };
                    groups.push((file, n.labels, vec![n]));
                }
            }
        }
    }
    let mut manifest = format!(
        "{{\n  \"format\": {},\n  \"version\": {MANIFEST_VERSION},\n",
        super::json::jstr(MANIFEST_FORMAT)
    );
    if let Some(s) = view.schema {
        let _ = writeln!(manifest, "  \"schema\": {},", super::json::schema_json(s));
    }
    manifest.push_str("  \"nodes\": [");
    for (i, (file, labels, nodes)) in groups.iter().enumerate() {
        let f = neo4j_file(
            &[":ID"],
            nodes.iter().map(|n| (vec![n.id.0.to_string()], n.props)),
        );
        let labels: Vec<String> = labels.iter().map(|l| super::json::jstr(l)).collect();
        let _ = write!(
            manifest,
            "{}{{\"file\": {}, \"labels\": [{}]{}}}",
            if i == 0 { "\n    " } else { ",\n    " },
            super::json::jstr(file),
            labels.join(", "),
            manifest_entry(&f)
        );
        files.push((format!("neo4j/{file}"), f.text));
    }
    manifest.push_str(if groups.is_empty() {
        "],\n"
    } else {
        "\n  ],\n"
    });
    manifest.push_str("  \"relationships\": [");
    let rel_files = unique_files(types.keys(), "rels_");
    for (i, (t, rels)) in types.iter().enumerate() {
        let file = &rel_files[t];
        let f = neo4j_file(
            &[":START_ID", ":END_ID"],
            rels.iter()
                .map(|r| (vec![r.start.0.to_string(), r.end.0.to_string()], r.props)),
        );
        let ids: Vec<String> = rels.iter().map(|r| r.id.0.to_string()).collect();
        let _ = write!(
            manifest,
            "{}{{\"file\": {}, \"type\": {}, \"ids\": [{}]{}}}",
            if i == 0 { "\n    " } else { ",\n    " },
            super::json::jstr(file),
            super::json::jstr(t),
            ids.join(", "),
            manifest_entry(&f)
        );
        files.push((format!("neo4j/{file}"), f.text));
    }
    manifest.push_str(if types.is_empty() {
        "]\n}\n"
    } else {
        "\n  ]\n}\n"
    });
    files.push((format!("neo4j/{MANIFEST}"), manifest));

    let mut sh = String::from(
        "#!/bin/sh\n# Imports this directory into a new Neo4j database (default: neo4j). Run from here.\nneo4j-admin database import full \\\n  --array-delimiter=U+001F --multiline-fields=true \\\n",
    );
    for (file, labels, _) in &groups {
        let spec = if labels.is_empty() {
            file.clone()
        } else {
            format!("{}={file}", labels.join(":"))
        };
        let _ = writeln!(sh, "  --nodes={} \\", sh_quote(&spec));
    }
    for t in types.keys() {
        let _ = writeln!(
            sh,
            "  --relationships={} \\",
            sh_quote(&format!("{t}={}", rel_files[t]))
        );
    }
    sh.push_str("  \"${1:-neo4j}\"\n");
    files.push(("neo4j/import.sh".into(), sh));
}

/// A word for sh in single quotes.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Writes the CSV export into `dir` (created if missing; files of the
/// same names are replaced).
pub fn write_dir(view: &View<'_>, dir: &Path) -> Result<(), Error> {
    let io = |p: &Path, e: std::io::Error| Error::Other(format!("{}: {e}", p.display()));
    for sub in ["kuzu", "neo4j"] {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| io(&d, e))?;
    }
    for (rel, text) in to_files(view) {
        super::write_atomically(&dir.join(rel), text.as_bytes())?;
    }
    Ok(())
}
