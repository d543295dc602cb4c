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
//! `fdate` is factgraph's: Neo4j and Memgraph need the dates rewritten
//! (or the JSON or CSV export).
//!
//! **The schema** is data a Cypher script cannot create. When the graph
//! has one it is written as a comment header in `seed/schema.fgs` syntax
//! (every line after `// schema:` starts `// `), so the dump documents it;
//! running the script does not install it. To move a store with its schema,
//! use the JSON export, which carries it.

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
