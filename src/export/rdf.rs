//! RDF as N-Triples and Turtle, for any SPARQL store (Oxigraph, rdflib,
//! Jena ...).
//!
//! Mapping, under `http://factgraph.example/` (prefixes in parentheses):
//!
//! * A node is `n:<id>` with `rdf:type fg:Node` (so every node has a
//!   triple, and counting `fg:Node` counts nodes) and `rdf:type c:<Label>`
//!   per label.
//! * A property is `p:<key>` with a literal; a list gives one triple per
//!   element (order and repeats are lost: RDF has no property lists).
//! * A relationship is the triple `n:<start> r:<TYPE> n:<end>`, **and** it
//!   is reified as `e:<id>`: `rdf:type rdf:Statement`, `rdf:subject`,
//!   `rdf:predicate`, `rdf:object`, and its properties (quote, source,
//!   modality, dates ...) as `p:<key>` on `e:<id>`. Every relationship is
//!   reified, so parallel relationships stay apart and counting
//!   `rdf:Statement` counts relationships.
//!
//! **Why reification and not RDF-star:** the sources and dates of each fact
//! must survive in a form every RDF 1.1 parser reads. RDF-star's quoted
//! triples (`<< s p o >>`) are not RDF 1.1: rdflib's N-Triples and Turtle
//! parsers reject them, and RDF 1.2 changes their meaning again. Standard
//! reification is plain triples that rdflib, pyoxigraph, Jena and every
//! SPARQL store accept, and it is what `../shared/bench` uses. The cost is
//! five triples more per relationship.
//!
//! Dates keep their precision in the datatype: a year is `xsd:gYear`
//! (`"2023"`), a month `xsd:gYearMonth` (`"2023-10"`), a day `xsd:date`
//! (`"2023-10-11"`). An approximate date adds the triple
//! `<subject> ax:<key> true` (`ax:` for approx), so the date literal itself
//! stays comparable. Integers are `xsd:integer`, floats `xsd:double`,
//! booleans `xsd:boolean`, strings plain literals.
//!
//! Names (labels, types, keys) go into IRIs percent-encoded (every byte
//! outside `A-Za-z0-9_-`); Turtle writes a prefixed name when the local
//! part is plain, else the full IRI. String literals escape `"`, `\`, line
//! breaks and control characters.

use std::fmt::Write;

use super::View;
use crate::model::{FDate, Precision, PropsRef, Value};

/// The namespace every IRI of the export is under.
pub const BASE: &str = "http://factgraph.example/";
const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// The prefixes Turtle writes: (prefix, namespace).
pub const PREFIXES: &[(&str, &str)] = &[
    ("rdf", RDF),
    ("xsd", XSD),
    ("fg", "http://factgraph.example/vocab/"),
    ("n", "http://factgraph.example/n/"),
    ("e", "http://factgraph.example/e/"),
    ("c", "http://factgraph.example/c/"),
    ("r", "http://factgraph.example/r/"),
    ("p", "http://factgraph.example/p/"),
    ("ax", "http://factgraph.example/approx/"),
];

fn ns(prefix: &str) -> &'static str {
    PREFIXES
        .iter()
        .find(|(p, _)| *p == prefix)
        .map_or(BASE, |(_, n)| n)
}

/// Percent-encodes every byte outside `A-Za-z0-9_-`.
pub fn encode_local(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// An RDF term.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    /// An IRI as prefix and (encoded) local part.
    Iri(&'static str, String),
    /// A literal in N-Triples syntax.
    Lit(String),
}

impl Term {
    fn iri(prefix: &'static str, local: &str) -> Term {
        Term::Iri(prefix, encode_local(local))
    }
    fn nt(&self) -> String {
        match self {
            Term::Iri(p, l) => format!("<{}{}>", ns(p), l),
            Term::Lit(s) => s.clone(),
        }
    }
    fn ttl(&self) -> String {
        match self {
            Term::Iri(p, l)
                if !l.is_empty()
                    && !l.starts_with('-')
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
            {
                format!("{p}:{l}")
            }
            Term::Lit(s) => {
                // Our literals end in ^^<xsd...>; Turtle may shorten that.
                match s.rsplit_once(&format!("^^<{XSD}")) {
                    Some((lex, ty)) => format!("{lex}^^xsd:{}", ty.trim_end_matches('>')),
                    None => s.clone(),
                }
            }
            other => other.nt(),
        }
    }
}

/// A string as an N-Triples / Turtle string literal in double quotes.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn typed(lex: &str, ty: &str) -> Term {
    Term::Lit(format!("{}^^<{XSD}{ty}>", string_literal(lex)))
}

/// The lexical form and XSD type of a date, without the approximation.
pub fn date_literal(d: &FDate) -> (String, &'static str) {
    let e = d.exact();
    let ty = match d.precision {
        Precision::Year => "gYear",
        Precision::Month => "gYearMonth",
        Precision::Day => "date",
    };
    (e.to_string(), ty)
}

fn literal(v: &Value) -> Option<Term> {
    Some(match v {
        Value::String(s) => Term::Lit(string_literal(s)),
        Value::Int(i) => typed(&i.to_string(), "integer"),
        Value::Bool(b) => typed(&b.to_string(), "boolean"),
        Value::Float(f) => {
            let lex = if f.is_nan() {
                "NaN".to_string()
            } else if f.is_infinite() {
                if *f > 0.0 { "INF" } else { "-INF" }.to_string()
            } else {
                format!("{f:E}")
            };
            typed(&lex, "double")
        }
        Value::Date(d) => {
            let (lex, ty) = date_literal(d);
            typed(&lex, ty)
        }
        _ => return None,
    })
}

type Triples = Vec<(Term, Vec<(Term, Term)>)>;

fn rdf_type() -> Term {
    Term::Iri("rdf", "type".into())
}

fn props(props: PropsRef<'_>, out: &mut Vec<(Term, Term)>) {
    for (k, v) in props {
        let items: Vec<&Value> = match &*v {
            Value::List(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            v => vec![v],
        };
        let mut approx = false;
        for i in items {
            if let Value::Date(d) = i {
                approx |= d.approx;
            }
            if let Some(t) = literal(i) {
                out.push((Term::iri("p", &k), t));
            }
        }
        if approx {
            out.push((Term::iri("ax", &k), typed("true", "boolean")));
        }
    }
}

fn triples(view: &View<'_>) -> Triples {
    let mut out = Vec::new();
    for n in &view.nodes {
        let mut po = vec![(rdf_type(), Term::Iri("fg", "Node".into()))];
        for l in n.labels {
            po.push((rdf_type(), Term::iri("c", l)));
        }
        props(n.props, &mut po);
        out.push((Term::iri("n", &n.id.0.to_string()), po));
    }
    for r in &view.rels {
        let s = Term::iri("n", &r.start.0.to_string());
        let o = Term::iri("n", &r.end.0.to_string());
        let p = Term::iri("r", r.rel_type);
        out.push((s.clone(), vec![(p.clone(), o.clone())]));
        let mut po = vec![
            (rdf_type(), Term::Iri("rdf", "Statement".into())),
            (Term::Iri("rdf", "subject".into()), s),
            (Term::Iri("rdf", "predicate".into()), p),
            (Term::Iri("rdf", "object".into()), o),
        ];
        props(r.props, &mut po);
        out.push((Term::iri("e", &r.id.0.to_string()), po));
    }
    out
}

/// The view as N-Triples.
pub fn to_ntriples(view: &View<'_>) -> String {
    let mut out = String::new();
    for (s, pos) in triples(view) {
        let s = s.nt();
        for (p, o) in pos {
            let _ = writeln!(out, "{s} {} {} .", p.nt(), o.nt());
        }
    }
    out
}

/// The view as Turtle.
pub fn to_turtle(view: &View<'_>) -> String {
    let mut out = String::new();
    for (p, n) in PREFIXES {
        let _ = writeln!(out, "@prefix {p}: <{n}> .");
    }
    for (s, pos) in triples(view) {
        out.push('\n');
        out.push_str(&s.ttl());
        for (i, (p, o)) in pos.iter().enumerate() {
            let p = if *p == rdf_type() {
                "a".to_string()
            } else {
                p.ttl()
            };
            let _ = write!(
                out,
                "{}{p} {}",
                if i == 0 { " " } else { " ;\n    " },
                o.ttl()
            );
        }
        out.push_str(" .\n");
    }
    out
}
