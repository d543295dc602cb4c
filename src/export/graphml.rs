//! GraphML, for Gephi, yEd, networkx and igraph.
//!
//! A directed graph; node ids `n<id>`, edge ids `e<id>` (the factgraph
//! ids). Each node has the attribute `labels` (`:State`, `:Statement:Membership`,
//! as Neo4j's APOC writes it), each edge `type`; then one attribute per
//! property key, declared with a `<key>` per domain whose `attr.type` is
//! `long`, `double` or `boolean` when every value is one, else `string`.
//! Dates are strings in factgraph's encoding (`2023`, `2023-10`,
//! `2023-10-11`, `~` in front when approximate), lists JSON arrays in a
//! string. If a property is itself called `labels` (or `type` on an
//! edge), ours is renamed `labels_`.
//!
//! Text is XML-escaped; a carriage return is written `&#13;` so XML's
//! line-end normalisation keeps it. Characters XML 1.0 cannot carry at all
//! (control characters other than tab, line feed and carriage return,
//! U+FFFE, U+FFFF) become U+FFFD: that is the one loss.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{View, plain_text};
use crate::model::{PropsRef, Value};

/// Escapes text for XML element content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c if (c as u32) < 0x20 => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum T {
    Long,
    Double,
    Boolean,
    Str,
}

fn t_of(v: &Value) -> T {
    match v {
        Value::Int(_) => T::Long,
        Value::Float(_) => T::Double,
        Value::Bool(_) => T::Boolean,
        _ => T::Str,
    }
}

fn join(a: T, b: T) -> T {
    match (a, b) {
        (a, b) if a == b => a,
        (T::Long | T::Double, T::Long | T::Double) => T::Double,
        _ => T::Str,
    }
}

fn collect<'a>(props: impl Iterator<Item = PropsRef<'a>>) -> BTreeMap<String, T> {
    let mut out: BTreeMap<String, T> = BTreeMap::new();
    for p in props {
        for (k, v) in p {
            if v.is_null() {
                continue;
            }
            let t = t_of(&v);
            out.entry(k.to_string())
                .and_modify(|o| *o = join(*o, t))
                .or_insert(t);
        }
    }
    out
}

fn type_name(t: T) -> &'static str {
    match t {
        T::Long => "long",
        T::Double => "double",
        T::Boolean => "boolean",
        T::Str => "string",
    }
}

fn text(v: &Value, t: T) -> String {
    match (v, t) {
        (Value::Int(i), T::Double) => format!("{:?}", *i as f64),
        (Value::Float(f), _) if f.is_nan() => "NaN".into(),
        (Value::Float(f), _) if f.is_infinite() => if *f > 0.0 { "INF" } else { "-INF" }.into(),
        (Value::Float(f), _) => format!("{f:?}"),
        (v, _) => plain_text(v),
    }
}

fn own_name(base: &str, keys: &BTreeMap<String, T>) -> String {
    let mut n = base.to_string();
    while keys.contains_key(&n) {
        n.push('_');
    }
    n
}

/// The view as GraphML.
pub fn to_graphml(view: &View<'_>) -> String {
    let node_keys = collect(view.nodes.iter().map(|n| n.props));
    let edge_keys = collect(view.rels.iter().map(|r| r.props));
    let labels_name = own_name("labels", &node_keys);
    let type_name_ = own_name("type", &edge_keys);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    let _ = writeln!(
        out,
        "  <key id=\"labels\" for=\"node\" attr.name=\"{}\" attr.type=\"string\"/>",
        xml_escape(&labels_name)
    );
    let _ = writeln!(
        out,
        "  <key id=\"type\" for=\"edge\" attr.name=\"{}\" attr.type=\"string\"/>",
        xml_escape(&type_name_)
    );
    let mut nk = BTreeMap::new();
    for (i, (k, t)) in node_keys.iter().enumerate() {
        let id = format!("n{i}");
        let _ = writeln!(
            out,
            "  <key id=\"{id}\" for=\"node\" attr.name=\"{}\" attr.type=\"{}\"/>",
            xml_escape(k),
            type_name(*t)
        );
        nk.insert(k.as_str(), (id, *t));
    }
    let mut ek = BTreeMap::new();
    for (i, (k, t)) in edge_keys.iter().enumerate() {
        let id = format!("e{i}");
        let _ = writeln!(
            out,
            "  <key id=\"{id}\" for=\"edge\" attr.name=\"{}\" attr.type=\"{}\"/>",
            xml_escape(k),
            type_name(*t)
        );
        ek.insert(k.as_str(), (id, *t));
    }
    out.push_str("  <graph id=\"factgraph\" edgedefault=\"directed\">\n");
    for n in &view.nodes {
        let _ = writeln!(out, "    <node id=\"n{}\">", n.id.0);
        let labels: String = n.labels.iter().map(|l| format!(":{l}")).collect();
        let _ = writeln!(
            out,
            "      <data key=\"labels\">{}</data>",
            xml_escape(&labels)
        );
        for (k, v) in n.props.iter().filter(|(_, v)| !v.is_null()) {
            if let Some((id, t)) = nk.get(k.as_str()) {
                let _ = writeln!(
                    out,
                    "      <data key=\"{id}\">{}</data>",
                    xml_escape(&text(&v, *t))
                );
            }
        }
        out.push_str("    </node>\n");
    }
    for r in &view.rels {
        let _ = writeln!(
            out,
            "    <edge id=\"e{}\" source=\"n{}\" target=\"n{}\">",
            r.id.0, r.start.0, r.end.0
        );
        let _ = writeln!(
            out,
            "      <data key=\"type\">{}</data>",
            xml_escape(r.rel_type)
        );
        for (k, v) in r.props.iter().filter(|(_, v)| !v.is_null()) {
            if let Some((id, t)) = ek.get(k.as_str()) {
                let _ = writeln!(
                    out,
                    "      <data key=\"{id}\">{}</data>",
                    xml_escape(&text(&v, *t))
                );
            }
        }
        out.push_str("    </edge>\n");
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}
