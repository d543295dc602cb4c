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
//! Cypher's other temporals are the XSD types an RDF store compares and
//! orders, in XSD's lexical forms (which are stricter than Cypher's text:
//! seconds are never left out, no `+` before a year):
//!
//! * `datetime` is `xsd:dateTime` with its offset
//!   (`"2024-01-01T10:00:00+01:00"`, `Z` for UTC). A datetime in a named zone
//!   gets the offset in force there and then, which the value keeps: XSD has
//!   no zone names, so the name is not written (the export's report counts
//!   these).
//! * `localdatetime` is `xsd:dateTime` without an offset, `time` is
//!   `xsd:time` with one, `localtime` `xsd:time` without.
//! * `duration` is `xsd:duration` (`"P1Y2M3DT4H5M6.5S"`, `"-PT1.5S"`): months,
//!   days and seconds are kept apart as Cypher keeps them. An XSD duration has
//!   one sign for the whole value, so a duration whose components have mixed
//!   signs (`P1M-1D`) cannot be one; it is written as a plain string in
//!   Cypher's text, as is a time or datetime whose offset XSD cannot write
//!   (seconds in it, as in historical zones, or beyond ±14:00).
//!
//! A property whose value is an empty list has no triple (a list is one
//! triple per element). Nothing is left out or weakened silently: the
//! functions return a [`Report`] that counts every such value with the
//! reason, and the shell's `wrote …` note says it.
//!
//! Names (labels, types, keys) go into IRIs percent-encoded (every byte
//! outside `A-Za-z0-9_-`); Turtle writes a prefixed name when the local
//! part is plain, else the full IRI. String literals escape `"`, `\`, line
//! breaks and control characters.

use std::fmt::Write;

use super::{Report, View};
use crate::model::temporal::{NS_SEC, write_date};
use crate::model::{Duration, FDate, Precision, PropsRef, Temporal, Value};

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

/// Counts of the values the export could not write as the graph holds
/// them, by reason, for the [`Report`].
#[derive(Debug, Default)]
struct Tally {
    /// Empty lists: no element, so no triple.
    empty_lists: usize,
    /// Values of kinds no property holds (maps, nodes, nested lists ...);
    /// the store refuses them, so this stays 0 unless that changes.
    no_literal: usize,
    /// Durations with components of mixed signs, written as strings.
    mixed_durations: usize,
    /// Times and datetimes with an offset XSD cannot write, as strings.
    odd_offsets: usize,
    /// Datetimes in a named zone, written with the offset only.
    zone_names: usize,
}

impl Tally {
    fn report(&self) -> Report {
        // (count, one, many, what became of them and why)
        let kinds = [
            (
                self.empty_lists,
                "empty list",
                "empty lists",
                "left out (a list is one triple per element, so an empty one has none)",
            ),
            (
                self.no_literal,
                "value",
                "values",
                "left out (maps, nodes, relationships, paths, nulls and nested lists have no RDF literal)",
            ),
            (
                self.mixed_durations,
                "duration with components of mixed signs",
                "durations with components of mixed signs",
                "written as plain text (an xsd:duration has one sign)",
            ),
            (
                self.odd_offsets,
                "time or datetime whose offset has seconds or is beyond ±14:00",
                "times or datetimes whose offsets have seconds or are beyond ±14:00",
                "written as plain text (an XSD offset is whole minutes within ±14:00)",
            ),
            (
                self.zone_names,
                "datetime in a named zone",
                "datetimes in named zones",
                "written with the offset in force, without the zone's name (XSD has no zone names)",
            ),
        ];
        let notes = kinds
            .iter()
            .filter(|(n, ..)| *n > 0)
            .map(|(n, one, many, what)| format!("{n} {} {what}", if *n == 1 { one } else { many }))
            .collect();
        Report { notes }
    }
}

/// The term of one value, or `None` (counted in `tally`) when RDF has no
/// literal for it.
fn literal(v: &Value, tally: &mut Tally) -> Option<Term> {
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
        Value::Temporal(t) => temporal_literal(t, tally),
        Value::Null
        | Value::List(_)
        | Value::Map(_)
        | Value::Node(_)
        | Value::Rel(_)
        | Value::Path(_) => {
            tally.no_literal += 1;
            return None;
        }
    })
}

/// The lexical form and XSD type of a temporal other than a date, or
/// `None` when XSD has no form for it: a duration whose components have
/// mixed signs, an offset with seconds or beyond ±14:00.
fn temporal_xsd(t: &Temporal) -> Option<(String, &'static str)> {
    let mut lex = String::new();
    let ty = match t {
        Temporal::LocalTime { nanos } => {
            xsd_time(*nanos, &mut lex);
            "time"
        }
        Temporal::Time { nanos, offset } => {
            xsd_time(*nanos, &mut lex);
            xsd_offset(*offset, &mut lex)?;
            "time"
        }
        Temporal::LocalDateTime { days, nanos } => {
            xsd_date_time(*days, *nanos, &mut lex);
            "dateTime"
        }
        Temporal::DateTime {
            days,
            nanos,
            offset,
            ..
        } => {
            xsd_date_time(*days, *nanos, &mut lex);
            xsd_offset(*offset, &mut lex)?;
            "dateTime"
        }
        Temporal::Duration(d) => {
            xsd_duration(d, &mut lex)?;
            "duration"
        }
    };
    Some((lex, ty))
}

fn temporal_literal(t: &Temporal, tally: &mut Tally) -> Term {
    match temporal_xsd(t) {
        Some((lex, ty)) => {
            if let Temporal::DateTime { zone: Some(_), .. } = t {
                tally.zone_names += 1;
            }
            typed(&lex, ty)
        }
        None => {
            // Cypher's text keeps every component (and the zone), so a
            // reader loses the type but not the value.
            if let Temporal::Duration(_) = t {
                tally.mixed_durations += 1;
            } else {
                tally.odd_offsets += 1;
            }
            Term::Lit(string_literal(&t.to_string()))
        }
    }
}

/// `hh:mm:ss` and the fraction without trailing zeros. Cypher's text
/// leaves out zero seconds (`10:00`), which `xsd:time` does not allow.
fn xsd_time(nanos: i64, out: &mut String) {
    let secs = nanos / NS_SEC;
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    xsd_fraction(nanos % NS_SEC, out);
}

/// `.123` for 123 ms; nothing for none.
fn xsd_fraction(nanos: i64, out: &mut String) {
    if nanos != 0 {
        let digits = format!("{nanos:09}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

/// The date as Cypher writes it, without the `+` it puts before years past
/// 9999 (XSD's years have a `-` or no sign), then `T` and the time.
fn xsd_date_time(days: i64, nanos: i64, out: &mut String) {
    let mut date = String::new();
    let _ = write_date(days, &mut date);
    out.push_str(date.strip_prefix('+').unwrap_or(&date));
    out.push('T');
    xsd_time(nanos, out);
}

/// `Z`, `+01:00`, `-05:30`; `None` for an offset XSD has no form for: with
/// seconds (the local mean time the tz database gives a zone before its
/// standard time, such as `+00:53:28`) or beyond ±14:00.
fn xsd_offset(offset: i32, out: &mut String) -> Option<()> {
    if offset % 60 != 0 || offset.abs() > 14 * 3600 {
        return None;
    }
    if offset == 0 {
        out.push('Z');
    } else {
        let a = offset.abs();
        let sign = if offset < 0 { '-' } else { '+' };
        let _ = write!(out, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60);
    }
    Some(())
}

/// `PnYnMnDTnHnMnS` with one sign in front, as XSD has it; `None` when the
/// months, days and seconds do not all have the same sign (Cypher allows
/// `P1M-1D`, XSD does not).
fn xsd_duration(d: &Duration, out: &mut String) -> Option<()> {
    let nanos = i128::from(d.seconds) * i128::from(NS_SEC) + i128::from(d.nanos);
    let signs = [d.months.signum(), d.days.signum(), nanos.signum() as i64];
    let negative = signs.contains(&-1);
    if negative && signs.contains(&1) {
        return None;
    }
    if negative {
        out.push('-');
    }
    out.push('P');
    let part = |out: &mut String, v: u128, unit: char| {
        if v != 0 {
            let _ = write!(out, "{v}{unit}");
        }
    };
    let months = u128::from(d.months.unsigned_abs());
    part(out, months / 12, 'Y');
    part(out, months % 12, 'M');
    part(out, u128::from(d.days.unsigned_abs()), 'D');
    let nanos = nanos.unsigned_abs();
    let ns_sec = NS_SEC as u128;
    let (secs, frac) = (nanos / ns_sec, nanos % ns_sec);
    if nanos != 0 {
        out.push('T');
        part(out, secs / 3600, 'H');
        part(out, secs / 60 % 60, 'M');
        if secs % 60 != 0 || frac != 0 {
            let _ = write!(out, "{}", secs % 60);
            // Below one second, so it fits an i64.
            xsd_fraction(frac as i64, out);
            out.push('S');
        }
    }
    if out.ends_with('P') {
        out.push_str("T0S");
    }
    Some(())
}

type Triples = Vec<(Term, Vec<(Term, Term)>)>;

fn rdf_type() -> Term {
    Term::Iri("rdf", "type".into())
}

fn props(props: PropsRef<'_>, out: &mut Vec<(Term, Term)>, tally: &mut Tally) {
    for (k, v) in props {
        let items: Vec<&Value> = match &*v {
            Value::List(items) if items.is_empty() => {
                tally.empty_lists += 1;
                Vec::new()
            }
            Value::List(items) => items.iter().collect(),
            // A property set to null is no property, so nothing is lost.
            Value::Null => Vec::new(),
            v => vec![v],
        };
        let mut approx = false;
        for i in items {
            if let Value::Date(d) = i {
                approx |= d.approx;
            }
            if let Some(t) = literal(i, tally) {
                out.push((Term::iri("p", &k), t));
            }
        }
        if approx {
            out.push((Term::iri("ax", &k), typed("true", "boolean")));
        }
    }
}

fn triples(view: &View<'_>) -> (Triples, Report) {
    let mut out = Vec::new();
    let mut tally = Tally::default();
    for n in &view.nodes {
        let mut po = vec![(rdf_type(), Term::Iri("fg", "Node".into()))];
        for l in n.labels {
            po.push((rdf_type(), Term::iri("c", l)));
        }
        props(n.props, &mut po, &mut tally);
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
        props(r.props, &mut po, &mut tally);
        out.push((Term::iri("e", &r.id.0.to_string()), po));
    }
    (out, tally.report())
}

/// The view as N-Triples, and what of it the triples could not hold.
pub fn to_ntriples(view: &View<'_>) -> (String, Report) {
    let (triples, report) = triples(view);
    let mut out = String::new();
    for (s, pos) in triples {
        let s = s.nt();
        for (p, o) in pos {
            let _ = writeln!(out, "{s} {} {} .", p.nt(), o.nt());
        }
    }
    (out, report)
}

/// The view as Turtle, and what of it the triples could not hold.
pub fn to_turtle(view: &View<'_>) -> (String, Report) {
    let (triples, report) = triples(view);
    let mut out = String::new();
    for (p, n) in PREFIXES {
        let _ = writeln!(out, "@prefix {p}: <{n}> .");
    }
    for (s, pos) in triples {
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
    (out, report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Props;
    use crate::model::temporal::{Kind, parse, parse_duration};
    use crate::store::Graph;

    fn t(kind: Kind, s: &str) -> Value {
        parse(kind, s).expect("test temporal")
    }

    fn du(s: &str) -> Value {
        Value::temporal(Temporal::Duration(
            parse_duration(s).expect("test duration"),
        ))
    }

    /// One node with `kv` as its properties, as N-Triples without the
    /// `rdf:type` triples, and the report.
    fn nt(kv: Vec<(&str, Value)>) -> (String, Report) {
        let mut g = Graph::new();
        let props: Props = kv.into_iter().collect();
        g.create_node(vec![], props).expect("node");
        let (text, report) = to_ntriples(&View::of_graph(&g));
        let lines: Vec<&str> = text.lines().filter(|l| !l.contains("#type>")).collect();
        (lines.join("\n"), report)
    }

    fn triple(key: &str, lex: &str, ty: Option<&str>) -> String {
        let ty = ty.map_or(String::new(), |t| format!("^^<{XSD}{t}>"));
        format!("<{BASE}n/0> <{BASE}p/{key}> \"{lex}\"{ty} .")
    }

    #[test]
    fn every_temporal_kind_is_an_xsd_literal() {
        // (key, value, lexical form, XSD type)
        let cases = [
            (
                "a_time",
                t(Kind::Time, "10:00:00+01:00"),
                "10:00:00+01:00",
                "time",
            ),
            (
                "b_time_utc",
                t(Kind::Time, "23:59:59.5Z"),
                "23:59:59.5Z",
                "time",
            ),
            (
                "c_localtime",
                t(Kind::LocalTime, "10:00"),
                "10:00:00",
                "time",
            ),
            (
                "d_localtime_ns",
                t(Kind::LocalTime, "10:00:00.123456789"),
                "10:00:00.123456789",
                "time",
            ),
            (
                "e_localdatetime",
                t(Kind::LocalDateTime, "2024-01-01T10:00"),
                "2024-01-01T10:00:00",
                "dateTime",
            ),
            (
                "f_datetime",
                t(Kind::DateTime, "2024-01-01T10:00Z"),
                "2024-01-01T10:00:00Z",
                "dateTime",
            ),
            (
                "g_datetime_neg",
                t(Kind::DateTime, "2024-01-01T10:00:30.25-05:30"),
                "2024-01-01T10:00:30.25-05:30",
                "dateTime",
            ),
            // Cypher writes `+10000`; XSD's years have no `+`.
            (
                "h_datetime_far",
                t(Kind::LocalDateTime, "+10000-01-01T00:00"),
                "10000-01-01T00:00:00",
                "dateTime",
            ),
            (
                "i_datetime_bce",
                t(Kind::DateTime, "-0044-03-15T12:00+01:00"),
                "-0044-03-15T12:00:00+01:00",
                "dateTime",
            ),
            ("j_duration", du("PT5M"), "PT5M", "duration"),
            (
                "k_duration_all",
                du("P1Y2M3DT4H5M6.5S"),
                "P1Y2M3DT4H5M6.5S",
                "duration",
            ),
            ("l_duration_neg", du("-PT1.5S"), "-PT1.5S", "duration"),
            (
                "m_duration_neg_all",
                du("-P1M2DT3S"),
                "-P1M2DT3S",
                "duration",
            ),
            ("n_duration_zero", du("PT0S"), "PT0S", "duration"),
            (
                "o_duration_sub",
                du("PT0.000000001S"),
                "PT0.000000001S",
                "duration",
            ),
            ("p_duration_hours", du("PT36H"), "PT36H", "duration"),
        ];
        let (got, report) = nt(cases.iter().map(|(k, v, ..)| (*k, v.clone())).collect());
        let want: Vec<String> = cases
            .iter()
            .map(|(k, _, lex, ty)| triple(k, lex, Some(ty)))
            .collect();
        assert_eq!(got, want.join("\n"));
        assert_eq!(report, Report::default(), "nothing lost");
    }

    #[test]
    fn what_xsd_cannot_hold_is_a_string_or_left_out_and_reported() {
        let (got, report) = nt(vec![
            ("a_mixed", du("P1M-1D")),
            ("b_mixed_secs", du("P1DT-1S")),
            (
                "c_zoned",
                t(Kind::DateTime, "2024-07-01T10:00[Europe/Stockholm]"),
            ),
            (
                "d_lmt",
                t(Kind::DateTime, "1800-01-01T10:00[Europe/Stockholm]"),
            ),
            ("e_far_offset", t(Kind::Time, "10:00+18:00")),
            ("f_empty", Value::List(vec![])),
            (
                "g_times",
                Value::List(vec![
                    t(Kind::LocalTime, "09:00"),
                    t(Kind::LocalTime, "17:30"),
                ]),
            ),
        ]);
        let want = [
            triple("a_mixed", "P1M-1D", None),
            triple("b_mixed_secs", "P1DT-1S", None),
            triple("c_zoned", "2024-07-01T10:00:00+02:00", Some("dateTime")),
            triple("d_lmt", "1800-01-01T10:00+00:53:28[Europe/Stockholm]", None),
            triple("e_far_offset", "10:00+18:00", None),
            triple("g_times", "09:00:00", Some("time")),
            triple("g_times", "17:30:00", Some("time")),
        ]
        .join("\n");
        assert_eq!(got, want);
        assert_eq!(
            report.notes,
            [
                "1 empty list left out (a list is one triple per element, so an empty one has none)",
                "2 durations with components of mixed signs written as plain text (an xsd:duration has one sign)",
                "2 times or datetimes whose offsets have seconds or are beyond ±14:00 written as plain text (an XSD offset is whole minutes within ±14:00)",
                "1 datetime in a named zone written with the offset in force, without the zone's name (XSD has no zone names)",
            ]
        );
    }

    #[test]
    fn a_value_no_property_holds_is_counted_not_dropped_silently() {
        // The store refuses these; a view built by hand is the only way in.
        let props: Props = [(
            "k",
            Value::List(vec![Value::Int(1), Value::Map(Default::default())]),
        )]
        .into_iter()
        .collect();
        let view = View {
            nodes: vec![super::super::ExNode {
                id: crate::model::NodeId(0),
                labels: &[],
                props: (&props).into(),
            }],
            ..View::default()
        };
        let (text, report) = to_ntriples(&view);
        assert!(text.contains("\"1\"^^"), "{text}");
        assert_eq!(report.notes.len(), 1, "{report:?}");
        assert!(
            report.notes[0].starts_with("1 value left out"),
            "{report:?}"
        );
    }

    #[test]
    fn turtle_shortens_the_temporal_datatypes() {
        let mut g = Graph::new();
        let props: Props = [
            ("dt", t(Kind::DateTime, "2024-01-01T10:00+01:00")),
            ("du", du("-PT1.5S")),
            ("mixed", du("P1M-1D")),
        ]
        .into_iter()
        .collect();
        g.create_node(vec![], props).expect("node");
        let (ttl, report) = to_turtle(&View::of_graph(&g));
        assert!(
            ttl.ends_with(
                "n:0 a fg:Node ;\n    p:dt \"2024-01-01T10:00:00+01:00\"^^xsd:dateTime ;\n    \
                 p:du \"-PT1.5S\"^^xsd:duration ;\n    p:mixed \"P1M-1D\" .\n"
            ),
            "{ttl}"
        );
        assert_eq!(report.notes.len(), 1, "{report:?}");
    }
}
