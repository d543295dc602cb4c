//! JSON: every node and relationship with every property, the schema
//! included, in a shape [`crate::import::json`] reads back into an
//! identical graph.
//!
//! ```json
//! {
//!   "format": "factgraph-json",
//!   "version": 1,
//!   "schema": {"nodes": [...], "relationships": [...]},
//!   "indexes": ["CREATE INDEX ..."],
//!   "constraints": ["CREATE CONSTRAINT ..."],
//!   "nodes": [
//!     {"id": 0, "labels": ["State"], "properties": {"name": "Belarus"}}
//!   ],
//!   "relationships": [
//!     {"id": 0, "type": "MEMBER_OF", "start": 0, "end": 1, "properties": {}}
//!   ]
//! }
//! ```
//!
//! Values: a string, integer, boolean or list is the JSON value (an integer
//! never has a decimal point; a float always has one or an exponent, so the
//! two stay apart). A date is `{"date": "2023-10"}` in the text form of
//! `FDate` (`2023`, `2023-10`, `2023-10-11`, `~` in front when
//! approximate), so its precision and approximation survive. A float JSON
//! cannot write is `{"float": "NaN"}`, `"Infinity"` or `"-Infinity"`. Maps
//! are never stored, so an object value is always one of these two.
//!
//! `indexes` and `constraints` (a whole graph's property indexes and
//! constraints, each as the Cypher statement that makes it:
//! `"CREATE INDEX by_name FOR (n:P) ON (n.name)"`) are left out when there
//! are none, and `schema` when the graph has none. Each node and each
//! relationship is on a line of its own, so exports diff well.

use std::fmt::Write;

use super::View;
use crate::model::schema::PropDecl;
use crate::model::{Schema, Value};

/// The `format` member of our JSON files.
pub const FORMAT_NAME: &str = "factgraph-json";
/// The `version` member this build writes and the newest it reads.
pub const FORMAT_VERSION: i64 = 1;

/// The view as JSON text.
pub fn to_json(view: &View<'_>) -> String {
    let mut out = String::new();
    out.push_str("{\n");
    let _ = writeln!(out, "  \"format\": {},", jstr(FORMAT_NAME));
    let _ = writeln!(out, "  \"version\": {FORMAT_VERSION},");
    if let Some(s) = view.schema {
        let _ = writeln!(out, "  \"schema\": {},", schema_json(s));
    }
    let defs = |texts: Vec<String>| -> String {
        let items: Vec<String> = texts.iter().map(|t| format!("\n    {}", jstr(t))).collect();
        format!("[{}\n  ]", items.join(","))
    };
    if !view.indexes.is_empty() {
        let texts = view
            .indexes
            .iter()
            .map(|&(n, l, k)| super::cypher::index_statement(n, l, k))
            .collect();
        let _ = writeln!(out, "  \"indexes\": {},", defs(texts));
    }
    if !view.constraints.is_empty() {
        let texts = view
            .constraints
            .iter()
            .map(|c| super::cypher::constraint_statement(c))
            .collect();
        let _ = writeln!(out, "  \"constraints\": {},", defs(texts));
    }
    out.push_str("  \"nodes\": [");
    for (i, n) in view.nodes.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        let labels: Vec<String> = n.labels.iter().map(|l| jstr(l)).collect();
        let _ = write!(
            out,
            "{{\"id\": {}, \"labels\": [{}], \"properties\": {}}}",
            n.id.0,
            labels.join(", "),
            props_json(n.props)
        );
    }
    out.push_str(if view.nodes.is_empty() {
        "],\n"
    } else {
        "\n  ],\n"
    });
    out.push_str("  \"relationships\": [");
    for (i, r) in view.rels.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        let _ = write!(
            out,
            "{{\"id\": {}, \"type\": {}, \"start\": {}, \"end\": {}, \"properties\": {}}}",
            r.id.0,
            jstr(r.rel_type),
            r.start.0,
            r.end.0,
            props_json(r.props)
        );
    }
    out.push_str(if view.rels.is_empty() {
        "]\n"
    } else {
        "\n  ]\n"
    });
    out.push_str("}\n");
    out
}

/// A JSON string literal.
pub(crate) fn jstr(s: &str) -> String {
    // serde_json escapes exactly what JSON requires (quote, backslash,
    // control characters) and cannot fail on a str.
    serde_json::Value::from(s).to_string()
}

fn props_json(props: crate::model::PropsRef<'_>) -> String {
    let parts: Vec<String> = props
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| format!("{}: {}", jstr(&k), value_json(&v)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// A property value as JSON (see the module documentation).
pub fn value_json(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => {
            if f.is_nan() {
                "{\"float\": \"NaN\"}".into()
            } else if f.is_infinite() {
                let s = if *f > 0.0 { "Infinity" } else { "-Infinity" };
                format!("{{\"float\": \"{s}\"}}")
            } else {
                // `{:?}` is the shortest text that reads back to the same
                // f64, and always has a `.` or an `e`.
                format!("{f:?}")
            }
        }
        Value::String(s) => jstr(s),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(value_json).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Date(d) => format!("{{\"date\": {}}}", jstr(&d.to_string())),
        Value::Temporal(t) => format!("{{{}: {}}}", jstr(t.function_name()), jstr(&t.to_string())),
        // Not storable; written so a result's export still says what it is.
        Value::Map(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", jstr(k), value_json(v)))
                .collect();
            format!("{{\"map\": {{{}}}}}", parts.join(", "))
        }
        Value::Node(n) => format!("{{\"node\": {}}}", n.0),
        Value::Rel(r) => format!("{{\"relationship\": {}}}", r.0),
        Value::Path(p) => format!(
            "{{\"path\": [{}]}}",
            p.nodes
                .iter()
                .map(|n| n.0.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn decls_json(decls: &[PropDecl]) -> String {
    let parts: Vec<String> = decls
        .iter()
        .map(|d| {
            format!(
                "{{\"name\": {}, \"type\": {}, \"required\": {}}}",
                jstr(&d.name),
                jstr(&d.ty.to_string()),
                d.required
            )
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

fn names_json(names: &[String]) -> String {
    let parts: Vec<String> = names.iter().map(|n| jstr(n)).collect();
    format!("[{}]", parts.join(", "))
}

/// The schema as a JSON object: `nodes` (name, doc, properties) and
/// `relationships` (name, from, to, doc, properties); a property is
/// `{"name", "type", "required"}` with the type as `seed/schema.fgs`
/// writes it (`string`, `list<string>` ...). Empty `from`/`to` mean any kind.
pub fn schema_json(s: &Schema) -> String {
    let mut out = String::from("{\n    \"nodes\": [");
    for (i, k) in s.nodes.values().enumerate() {
        out.push_str(if i == 0 { "\n      " } else { ",\n      " });
        let _ = write!(
            out,
            "{{\"name\": {}, \"doc\": {}, \"properties\": {}}}",
            jstr(&k.name),
            jstr(&k.doc),
            decls_json(&k.props)
        );
    }
    out.push_str("\n    ],\n    \"relationships\": [");
    for (i, k) in s.rels.values().enumerate() {
        out.push_str(if i == 0 { "\n      " } else { ",\n      " });
        let _ = write!(
            out,
            "{{\"name\": {}, \"from\": {}, \"to\": {}, \"doc\": {}, \"properties\": {}}}",
            jstr(&k.name),
            names_json(&k.from),
            names_json(&k.to),
            jstr(&k.doc),
            decls_json(&k.props)
        );
    }
    out.push_str("\n    ]\n  }");
    out
}
