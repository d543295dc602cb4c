//! A Cypher script that rebuilds the graph: `factgraph -f dump.cypher`
//! into an empty store gives the same nodes, labels, relationships and
//! properties, dates with their precision and approximation included.
//!
//! How ids are mapped: the whole graph is **one `CREATE` statement**, each
//! node bound to a variable `n<id>` and each relationship written between
//! two of these variables. No temporary id property is needed, so nothing
//! has to be cleaned up afterwards and a store with a schema (which would
//! refuse an undeclared property) accepts the script; the statement is all
//! or nothing, and required properties are checked once it is complete.
//! Nodes come first in id order, then relationships in id order, so an
//! empty store gives them the same ids as the graph had when it had no
//! deleted ids. The price: a very large graph is one very large statement.
//!
//! Values are Cypher literals: `'text'` (with `\'`, `\\`, `\n`, `\r`, `\t`
//! and `\uXXXX` for other control characters), integers, floats
//! (`0.0/0.0` for NaN, `1.0/0.0` and `-1.0/0.0` for the infinities),
//! booleans, lists, and dates as `fdate('2023-10')` / `fdate('~2024-01-11')`.
//! `fdate` is factgraph's: for Neo4j and Memgraph, [`to_server_script`]
//! writes the same graph in their dialect (the `neo4j` and `memgraph`
//! exports).
//!
//! **The schema** is data a Cypher script cannot create. When the graph
//! has one it is written as a comment header in `seed/schema.fgs` syntax
//! (every line after `// schema:` starts `// `), so the dump documents it;
//! running the script does not install it. To move a store with its schema,
//! use the JSON export, which carries it.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::View;
// The parser's own list, so that a name it would read as a keyword is
// always written in backquotes.
use crate::model::schema::PropDecl;
use crate::model::{Schema, Value};
use crate::query::parser::RESERVED;

/// A label, type or property key, in backquotes unless it is a plain
/// identifier that is no keyword.
pub fn ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name));
    if plain {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

/// A string as a Cypher literal in single quotes.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A property value as a Cypher literal.
pub fn literal(v: &Value) -> String {
    match v {
        Value::String(s) => string_literal(s),
        Value::Int(i) if *i == i64::MIN => "(-9223372036854775807 - 1)".into(),
        Value::Float(f) if f.is_nan() => "0.0/0.0".into(),
        Value::Float(f) if f.is_infinite() => if *f > 0.0 { "1.0/0.0" } else { "-1.0/0.0" }.into(),
        Value::Float(f) => {
            // `{:?}` is the shortest text that reads back to the same f64
            // and always has a `.` or an `e`.
            format!("{f:?}")
        }
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(literal).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Date(d) => format!("fdate({})", string_literal(&d.to_string())),
        other => other.to_string(),
    }
}

fn props_map(props: crate::model::PropsRef<'_>) -> String {
    let parts: Vec<String> = props
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| format!("{}: {}", ident(&k), literal(&v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" {{{}}}", parts.join(", "))
    }
}

/// The view as a Cypher script.
pub fn to_cypher(view: &View<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// factgraph Cypher dump: {} nodes, {} relationships.",
        view.nodes.len(),
        view.rels.len()
    );
    out.push_str("// Rebuild with: factgraph -f <this file> (into an empty store).\n");
    if let Some(s) = view.schema {
        out.push_str(
            "// The store has a schema (below, in seed/schema.fgs syntax). Running this\n// script does not install it; the JSON export carries it.\n// schema:\n",
        );
        for line in schema_to_fgs(s).lines() {
            if line.is_empty() {
                out.push_str("//\n");
            } else {
                let _ = writeln!(out, "// {line}");
            }
        }
    }
    if view.nodes.is_empty() {
        out.push_str(&schema_statements(view, None, &mut Lossy::default()));
        return out;
    }
    out.push_str("CREATE\n");
    let total = view.nodes.len() + view.rels.len();
    let mut i = 0;
    let mut sep = |out: &mut String| {
        i += 1;
        out.push_str(if i < total { ",\n" } else { ";\n" });
    };
    for n in &view.nodes {
        let labels: String = n.labels.iter().map(|l| format!(":{}", ident(l))).collect();
        let _ = write!(out, "  (n{}{}{})", n.id.0, labels, props_map(n.props));
        sep(&mut out);
    }
    for r in &view.rels {
        let _ = write!(
            out,
            "  (n{})-[:{}{}]->(n{})",
            r.start.0,
            ident(r.rel_type),
            props_map(r.props),
            r.end.0
        );
        sep(&mut out);
    }
    out.push_str(&schema_statements(view, None, &mut Lossy::default()));
    out
}

/// `CREATE INDEX name FOR (n:label) ON (n.key)`, as factgraph and Neo4j
/// read it.
pub fn index_statement(name: &str, label: &str, key: &str) -> String {
    format!(
        "CREATE INDEX {} FOR (n:{}) ON (n.{})",
        schema_name(name),
        ident(label),
        ident(key)
    )
}

/// `CREATE CONSTRAINT name FOR ... REQUIRE ...`, as factgraph and Neo4j
/// read it.
pub fn constraint_statement(c: &crate::store::constraints::Constraint) -> String {
    format!("CREATE CONSTRAINT {} {c}", schema_name(&c.name))
}

/// An index's or constraint's name where `CREATE INDEX` / `CREATE
/// CONSTRAINT` reads it: as [`ident`], and in backquotes too when it is
/// `FOR` or `IF` (any case), which would be read as what follows a name.
fn schema_name(name: &str) -> String {
    if name.eq_ignore_ascii_case("for") || name.eq_ignore_ascii_case("if") {
        format!("`{name}`")
    } else {
        ident(name)
    }
}

/// The statements that make the view's property indexes and constraints,
/// after its data: as factgraph and Neo4j write them (`dialect` None or
/// Neo4j), or as Memgraph does. Neo4j makes an index for each uniqueness
/// constraint and refuses a second one on the same label and key: such an
/// index is left out there (counted). Memgraph has no relationship
/// constraints and no names for them: those are left out (counted), and a
/// key is its uniqueness and existence constraints.
fn schema_statements(view: &View<'_>, dialect: Option<Dialect>, lossy: &mut Lossy) -> String {
    use crate::store::constraints::{Entity, Kind};
    let mut out = String::new();
    if view.indexes.is_empty() && view.constraints.is_empty() {
        return out;
    }
    // Neo4j's editions differ (its manual, Constraints): uniqueness is in
    // every edition (on relationships from 5.7), existence and keys only in
    // Enterprise. Said before the statements a server may refuse.
    let enterprise = view.constraints.iter().any(|c| c.kind != Kind::Unique);
    let rel_unique = view
        .constraints
        .iter()
        .any(|c| c.kind == Kind::Unique && c.entity == Entity::Rel);
    if dialect == Some(Dialect::Neo4j) {
        if enterprise {
            out.push_str(
                "// Key and existence constraints need Neo4j Enterprise Edition (Community refuses them).\n",
            );
        }
        if rel_unique {
            out.push_str("// Relationship uniqueness constraints need Neo4j 5.7 or later.\n");
        }
    }
    for &(name, label, key) in &view.indexes {
        let owned = view.constraints.iter().any(|c| {
            c.entity == Entity::Node
                && c.requires_unique()
                && c.label.as_str() == label
                && c.keys.len() == 1
                && c.keys[0].as_str() == key
        });
        match dialect {
            Some(Dialect::Neo4j) if owned => lossy.owned_indexes += 1,
            Some(Dialect::Memgraph) => {
                let _ = writeln!(out, "CREATE INDEX ON :{}({});", ident(label), ident(key));
            }
            _ => {
                let _ = writeln!(out, "{};", index_statement(name, label, key));
            }
        }
    }
    for c in &view.constraints {
        if dialect != Some(Dialect::Memgraph) {
            let _ = writeln!(out, "{};", constraint_statement(c));
            continue;
        }
        if c.entity == Entity::Rel {
            lossy.rel_constraints += 1;
            continue;
        }
        let on = format!("CREATE CONSTRAINT ON (n:{}) ASSERT", ident(&c.label));
        let keys: Vec<String> = c.keys.iter().map(|k| format!("n.{}", ident(k))).collect();
        if c.requires_unique() {
            let _ = writeln!(out, "{on} {} IS UNIQUE;", keys.join(", "));
        }
        if matches!(c.kind, Kind::Exists | Kind::Key) {
            for k in &keys {
                let _ = writeln!(out, "{on} EXISTS ({k});");
            }
        }
    }
    out
}

fn decls(props: &[PropDecl]) -> String {
    props
        .iter()
        .map(|d| format!(" {}:{}{}", d.name, d.ty, if d.required { "!" } else { "" }))
        .collect()
}

/// The schema in `seed/schema.fgs` syntax (groups expanded: each kind
/// lists all its properties). Docs become `#` comments above their kind.
pub fn schema_to_fgs(s: &Schema) -> String {
    let mut out = String::new();
    let doc = |out: &mut String, d: &str| {
        for line in d.lines() {
            let _ = writeln!(out, "# {line}");
        }
    };
    for k in s.nodes.values() {
        doc(&mut out, &k.doc);
        let _ = writeln!(out, "node {}{}", k.name, decls(&k.props));
    }
    for k in s.rels.values() {
        doc(&mut out, &k.doc);
        let ends = |v: &[String]| {
            if v.is_empty() {
                "*".to_string()
            } else {
                v.join("|")
            }
        };
        let _ = writeln!(
            out,
            "rel {} {} -> {}{}",
            k.name,
            ends(&k.from),
            ends(&k.to),
            decls(&k.props)
        );
    }
    out
}

// ---- scripts for Neo4j and Memgraph ----------------------------------------

/// The database a [`to_server_script`] is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Neo4j 5 (and 4.4), run with `cypher-shell -f FILE`.
    Neo4j,
    /// Memgraph, run with `mgconsole < FILE`.
    Memgraph,
}

/// The label every node carries while the script runs, so that its
/// relationships can find it by [`IMPORT_ID`] through one index; the
/// script's last statements remove both.
pub const IMPORT_LABEL: &str = "_factgraph";
/// The property holding a node's factgraph id while the script runs.
pub const IMPORT_ID: &str = "_factgraph_id";
/// The index on [`IMPORT_LABEL`]`(`[`IMPORT_ID`]`)` (Neo4j names it).
const IMPORT_INDEX: &str = "factgraph_import";
/// Rows of one `UNWIND` statement: a transaction each in `cypher-shell`.
const BATCH: usize = 500;

/// What a server script wrote other than as the graph holds it, counted.
#[derive(Default)]
struct Lossy {
    /// Dates of year or month precision, or approximate: their first day,
    /// with `KEY_precision` / `KEY_approximate` beside them.
    coarse_dates: usize,
    /// Dates inside lists: their first day, precision not kept.
    listed_dates: usize,
    /// Lists Neo4j cannot store (mixed types, nulls, nested lists): lists
    /// of the elements' texts.
    mixed_lists: usize,
    /// Companion keys the element already used: not written.
    clashes: usize,
    /// Temporal values Memgraph has no literal for: their text.
    memgraph_temporals: usize,
    /// Indexes a Neo4j uniqueness constraint makes itself: not written.
    owned_indexes: usize,
    /// Relationship constraints, which Memgraph does not have: not written.
    rel_constraints: usize,
}

/// A date as Neo4j's and Memgraph's `date()` reads it: its first day.
fn server_date(d: &crate::model::FDate) -> String {
    if (0..=9999).contains(&d.year) {
        format!("date('{:04}-{:02}-{:02}')", d.year, d.month, d.day)
    } else {
        format!(
            "date({{year: {}, month: {}, day: {}}})",
            d.year, d.month, d.day
        )
    }
}

/// Whether Neo4j can store the list as a property: elements of one type,
/// no nulls, no lists or maps.
fn neo4j_storable(items: &[Value]) -> bool {
    use crate::model::Temporal as T;
    let kind = |v: &Value| match v {
        Value::Bool(_) => Some(0),
        Value::Int(_) => Some(1),
        Value::Float(_) => Some(2),
        Value::String(_) => Some(3),
        Value::Date(_) => Some(4),
        Value::Temporal(t) => Some(match **t {
            T::LocalTime { .. } => 5,
            T::Time { .. } => 6,
            T::LocalDateTime { .. } => 7,
            T::DateTime { .. } => 8,
            T::Duration(_) => 9,
        }),
        _ => None,
    };
    let mut kinds = items.iter().map(kind);
    match kinds.next() {
        None => true,
        Some(None) => false,
        Some(first) => kinds.all(|k| k == first),
    }
}

/// Whether Memgraph reads the temporal value's literal: it has no time
/// with an offset, no months in a duration and no more than microseconds.
fn memgraph_reads(t: &crate::model::Temporal) -> bool {
    use crate::model::Temporal as T;
    let micros = |nanos: i64| nanos % 1000 == 0;
    match t {
        T::Time { .. } => false,
        T::LocalTime { nanos } | T::LocalDateTime { nanos, .. } | T::DateTime { nanos, .. } => {
            micros(*nanos)
        }
        T::Duration(d) => d.months == 0 && d.nanos % 1000 == 0,
    }
}

/// A property value as a literal of `dialect`.
fn server_literal(v: &Value, dialect: Dialect, lossy: &mut Lossy) -> String {
    match v {
        Value::Date(d) => server_date(d),
        Value::Temporal(t) if dialect == Dialect::Memgraph && !memgraph_reads(t) => {
            lossy.memgraph_temporals += 1;
            string_literal(&t.to_string())
        }
        Value::List(items) if dialect == Dialect::Neo4j && !neo4j_storable(items) => {
            lossy.mixed_lists += 1;
            let parts: Vec<String> = items
                .iter()
                .map(|x| string_literal(&super::plain_text(x)))
                .collect();
            format!("[{}]", parts.join(", "))
        }
        Value::List(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|x| {
                    if let Value::Date(d) = x {
                        if d.precision != crate::model::Precision::Day || d.approx {
                            lossy.listed_dates += 1;
                        }
                        server_date(d)
                    } else {
                        server_literal(x, dialect, lossy)
                    }
                })
                .collect();
            format!("[{}]", parts.join(", "))
        }
        other => literal(other),
    }
}

/// An element's properties as a map literal of `dialect` (`{}` when it has
/// none), a coarse or approximate date followed by its precision and
/// approximation.
fn server_props(props: crate::model::PropsRef<'_>, dialect: Dialect, lossy: &mut Lossy) -> String {
    let keys: std::collections::BTreeSet<String> =
        props.iter().map(|(k, _)| k.as_str().to_string()).collect();
    let mut parts = Vec::new();
    for (k, v) in props.iter() {
        if v.is_null() {
            continue;
        }
        let key = k.as_str();
        parts.push(format!(
            "{}: {}",
            ident(key),
            server_literal(&v, dialect, lossy)
        ));
        if let Value::Date(d) = &*v {
            let mut extra = Vec::new();
            if d.precision != crate::model::Precision::Day {
                extra.push((
                    format!("{key}_precision"),
                    string_literal(d.precision.name()),
                ));
            }
            if d.approx {
                extra.push((format!("{key}_approximate"), "true".to_string()));
            }
            if !extra.is_empty() {
                lossy.coarse_dates += 1;
            }
            for (name, val) in extra {
                if keys.contains(&name) {
                    lossy.clashes += 1;
                } else {
                    parts.push(format!("{}: {val}", ident(&name)));
                }
            }
        }
    }
    format!("{{{}}}", parts.join(", "))
}

/// Writes `items` as `UNWIND [row, ...] AS row` statements of [`BATCH`]
/// rows, each row `row(item)` and each statement ending in `body`.
fn unwind<T>(out: &mut String, items: &[T], body: &str, mut row: impl FnMut(&T) -> String) {
    for batch in items.chunks(BATCH) {
        out.push_str("UNWIND [\n");
        for (i, item) in batch.iter().enumerate() {
            let sep = if i + 1 < batch.len() { "," } else { "" };
            let _ = writeln!(out, "  {}{sep}", row(item));
        }
        let _ = writeln!(out, "] AS row\n{body}");
    }
}

/// The view as a script that rebuilds it in an empty Neo4j or Memgraph
/// database, with what it could not write as it is (see [`super::Report`]).
///
/// Nodes are created in batches of one label set, each with the label
/// [`IMPORT_LABEL`] and its id in [`IMPORT_ID`], indexed, so that the
/// relationships (in batches of one type) find their ends; the last
/// statements remove the label, the property and the index. Neither
/// database has factgraph's dates of year or month precision: a date is
/// written as its first day, and one that is not an exact day gets
/// `KEY_precision` ('year' or 'month') and `KEY_approximate` (true) beside
/// it, so `WHERE r.since < date('2024-01-01')` works there as here. Fails
/// when the graph itself uses the import label or property.
pub fn to_server_script(
    view: &View<'_>,
    dialect: Dialect,
) -> Result<(String, super::Report), String> {
    let clash = view.nodes.iter().any(|n| {
        n.labels.iter().any(|l| l.as_str() == IMPORT_LABEL)
            || n.props.iter().any(|(k, _)| k.as_str() == IMPORT_ID)
    });
    if clash {
        return Err(format!(
            "the graph uses the label {IMPORT_LABEL} or the property {IMPORT_ID}, which the script needs for itself"
        ));
    }
    let (db, run) = match dialect {
        Dialect::Neo4j => ("Neo4j 5", "cypher-shell -f FILE"),
        Dialect::Memgraph => ("Memgraph", "mgconsole < FILE"),
    };
    if dialect == Dialect::Memgraph {
        // mgconsole ends a statement at a `;` outside '...' and "...", and
        // knows no backquotes: a name with a quote or a semicolon would
        // cut the script in the wrong places.
        let names = view
            .nodes
            .iter()
            .flat_map(|n| {
                n.labels
                    .iter()
                    .map(|l| l.as_str().to_string())
                    .chain(n.props.iter().map(|(k, _)| k.as_str().to_string()))
            })
            .chain(view.rels.iter().flat_map(|r| {
                std::iter::once(r.rel_type.to_string())
                    .chain(r.props.iter().map(|(k, _)| k.as_str().to_string()))
            }));
        for name in names {
            if name.contains(['\'', '"', ';']) {
                return Err(format!(
                    "the label, type or key {} has a quote or a semicolon, which mgconsole cannot read in a name: rename it first",
                    ident(&name)
                ));
            }
        }
    }
    // No quote or semicolon in the comments: mgconsole splits statements
    // at a `;` outside quotes and does not know comments.
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// factgraph export for {db}: {} nodes, {} relationships.",
        view.nodes.len(),
        view.rels.len()
    );
    let _ = writeln!(out, "// Run with: {run} (into an empty database).");
    out.push_str(
        "// A date that is not an exact day is written as its first day, with KEY_precision\n\
         // (year or month) and KEY_approximate (true) beside it.\n",
    );
    if view.schema.is_some() {
        out.push_str(
            "// The schema of the store is not part of the script (the JSON export carries it).\n",
        );
    }
    if view.nodes.is_empty() {
        out.push_str(&schema_statements(
            view,
            Some(dialect),
            &mut Lossy::default(),
        ));
        return Ok((out, super::Report::default()));
    }
    let (label, id) = (ident(IMPORT_LABEL), ident(IMPORT_ID));
    match dialect {
        Dialect::Neo4j => {
            let _ = writeln!(
                out,
                "CREATE INDEX {IMPORT_INDEX} IF NOT EXISTS FOR (n:{label}) ON (n.{id});"
            );
            out.push_str("CALL db.awaitIndexes(300);\n");
        }
        Dialect::Memgraph => {
            let _ = writeln!(out, "CREATE INDEX ON :{label}({id});");
        }
    }
    let mut lossy = Lossy::default();
    // Nodes by label set, each set's in id order.
    let mut by_labels: BTreeMap<Vec<&str>, Vec<&super::ExNode<'_>>> = BTreeMap::new();
    for n in &view.nodes {
        by_labels
            .entry(n.labels.iter().map(|l| l.as_str()).collect())
            .or_default()
            .push(n);
    }
    for (labels, nodes) in &by_labels {
        let labels: String = labels.iter().map(|l| format!(":{}", ident(l))).collect();
        let body = format!("CREATE (n:{label}{labels} {{{id}: row.id}}) SET n += row.props;");
        unwind(&mut out, nodes, &body, |n| {
            format!(
                "{{id: {}, props: {}}}",
                n.id.0,
                server_props(n.props, dialect, &mut lossy)
            )
        });
    }
    let mut by_type: BTreeMap<&str, Vec<&super::ExRel<'_>>> = BTreeMap::new();
    for r in &view.rels {
        by_type.entry(r.rel_type).or_default().push(r);
    }
    for (ty, rels) in &by_type {
        let body = format!(
            "MATCH (a:{label} {{{id}: row.from}}), (b:{label} {{{id}: row.to}})\n\
             CREATE (a)-[r:{}]->(b) SET r += row.props;",
            ident(ty)
        );
        unwind(&mut out, rels, &body, |r| {
            format!(
                "{{from: {}, to: {}, props: {}}}",
                r.start.0,
                r.end.0,
                server_props(r.props, dialect, &mut lossy)
            )
        });
    }
    match dialect {
        Dialect::Neo4j => {
            let _ = writeln!(
                out,
                "MATCH (n:{label}) CALL {{ WITH n REMOVE n:{label}, n.{id} }} IN TRANSACTIONS OF 10000 ROWS;"
            );
            let _ = writeln!(out, "DROP INDEX {IMPORT_INDEX} IF EXISTS;");
        }
        Dialect::Memgraph => {
            let _ = writeln!(out, "MATCH (n:{label}) REMOVE n:{label}, n.{id};");
            let _ = writeln!(out, "DROP INDEX ON :{label}({id});");
        }
    }
    out.push_str(&schema_statements(view, Some(dialect), &mut lossy));
    // (count, one, many, what became of them)
    let kinds = [
        (
            lossy.coarse_dates,
            "date of year or month precision or approximate",
            "dates of year or month precision or approximate",
            "written as the first day (with KEY_precision / KEY_approximate)",
        ),
        (
            lossy.listed_dates,
            "date of year or month precision or approximate in a list",
            "dates of year or month precision or approximate in lists",
            "written as the first day (the precision is not kept)",
        ),
        (
            lossy.memgraph_temporals,
            "time with an offset, duration with months or value finer than microseconds",
            "times with an offset, durations with months or values finer than microseconds",
            "written as a string (Memgraph has no such temporal value)",
        ),
        (
            lossy.mixed_lists,
            "list of mixed types",
            "lists of mixed types",
            "written as a list of strings (Neo4j stores lists of one type)",
        ),
        (
            lossy.owned_indexes,
            "property index on the key of a uniqueness constraint",
            "property indexes on the keys of uniqueness constraints",
            "left out (Neo4j makes that index with the constraint)",
        ),
        (
            lossy.rel_constraints,
            "relationship constraint",
            "relationship constraints",
            "left out (Memgraph has none)",
        ),
        (
            lossy.clashes,
            "precision or approximation property",
            "precision or approximation properties",
            "left out (the element already has a property of that name)",
        ),
    ];
    let notes = kinds
        .iter()
        .filter(|k| k.0 > 0)
        .map(|&(n, one, many, what)| format!("{n} {} {what}", if n == 1 { one } else { many }))
        .collect();
    Ok((out, super::Report { notes }))
}
