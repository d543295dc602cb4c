//! The analyst shortcuts: `:describe`, `:timeline`, `:path`, `:why`.
//!
//! Each one writes the Cypher it stands for (on the error stream, as `// `
//! comments, so that stdout stays the result) and then runs it like any
//! statement: what a shortcut shows, a query can show, and the user learns
//! the query.

use std::fmt::Write as _;
use std::io::Write;

use super::render::{self, Mode};
use super::{Failed, Flow, Session};
use crate::error::{ErrorClass, QueryError};
use crate::model::value::quote_str;
use crate::model::{NodeId, Value};
use crate::store::{Graph, NAME};

/// Links that say where a fact comes from or when it is, not what it is:
/// a path through them (two entities mentioned in one article) is no
/// connection.
pub const NOT_FACTS: &str = "['MENTIONED_IN', 'SOURCE', 'ON', 'IN']";

/// A Cypher string literal.
fn lit(s: &str) -> String {
    let mut out = String::new();
    let _ = quote_str(s, &mut out);
    out
}

/// Strips one pair of matching quotes.
fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The canonical name of the entity called `name` (its name or an alias,
/// case and diacritics ignored), or an error with "did you mean".
pub fn resolve(g: &Graph, name: &str) -> Result<String, QueryError> {
    let found: Vec<NodeId> = g.lookup(name);
    let canon = found.iter().find_map(|id| {
        g.node(*id)
            .and_then(|n| n.props.get_str(NAME))
            .map(str::to_string)
    });
    match canon {
        Some(c) => Ok(c),
        None => {
            let mut e = QueryError::new(
                ErrorClass::SemanticError,
                "UnknownEntity",
                format!("nothing is called '{name}' (no name or alias)"),
            );
            if let Some(h) = g.suggest_name(name) {
                e = e.hint(format!("'{h}'"));
            }
            Err(e)
        }
    }
}

/// Reads two names: each quoted, or unquoted words split where both halves
/// name something (`:path Xie Xiaoyong RATS`).
pub fn two_names(g: &Graph, args: &str) -> Option<(String, String)> {
    let args = args.trim();
    if let Some(q) = args.chars().next().filter(|c| *c == '\'' || *c == '"')
        && let Some(end) = args[1..].find(q)
    {
        let a = &args[1..1 + end];
        let b = unquote(&args[end + 2..]);
        return (!b.is_empty()).then(|| (a.to_string(), b.to_string()));
    }
    let words: Vec<&str> = args.split_whitespace().collect();
    if words.len() < 2 {
        return None;
    }
    if let Some(i) = args.find(['\'', '"']) {
        let a = args[..i].trim();
        let b = unquote(&args[i..]);
        return (!a.is_empty() && !b.is_empty()).then(|| (a.to_string(), b.to_string()));
    }
    // Prefer a split where both halves are known; else split at the first word.
    for i in 1..words.len() {
        let (a, b) = (words[..i].join(" "), words[i..].join(" "));
        if !g.lookup(&a).is_empty() && !g.lookup(&b).is_empty() {
            return Some((a, b));
        }
    }
    Some((words[0].to_string(), words[1..].join(" ")))
}

/// `:describe NAME`: the entity, the quoted facts about it, and the
/// statements it has a role in (for a date, those on the dates within it
/// too: `:describe 2024` has 2024-05-21's).
pub fn describe(name: &str) -> String {
    let n = lit(name);
    format!(
        "MATCH (e {{name: {n}}})
RETURN labels(e) AS labels, e.name AS name, e.aliases AS aliases;
MATCH (e {{name: {n}}})-[r]-(x)
WHERE r.quote IS NOT NULL
RETURN CASE WHEN startNode(r) = e THEN '-[' + type(r) + ']->' ELSE '<-[' + type(r) + ']-' END AS fact,
       coalesce(x.name, x.key) AS other, coalesce(r.date, r.valid_from) AS date,
       r.modality AS modality, r.source AS source
ORDER BY date IS NULL, date, fact, other;
MATCH (e {{name: {n}}})
MATCH (d)-[:IN*0..]->(e) WHERE d = e OR (e:Date AND d:Date)
WITH DISTINCT d
MATCH (d)<-[role]-(s:Statement)
RETURN type(role) AS role, [l IN labels(s) WHERE l <> 'Statement'] AS kind,
       coalesce(s.summary, s.status) AS what, s.status AS status,
       coalesce(s.date, s.valid_from) AS date, s.modality AS modality, s.source AS article,
       s.quote AS quote
ORDER BY date IS NULL, date, article;"
    )
}

/// `:timeline NAME [OTHER]`: the facts about NAME (and OTHER, if given) in
/// date order, undated last. For a date, the facts on the dates within it
/// as well (`:timeline 2024` has those of 2024-05-21), and the events on
/// them (an event's `ON` has no quote: the event is the fact; its source is
/// the articles it is `MENTIONED_IN`). Each fact
/// once, however many ways the calendar reaches it.
pub fn timeline(name: &str, other: Option<&str>) -> String {
    let n = lit(name);
    let both = match other {
        Some(o) => format!(
            "\n  AND (coalesce(x.name, '') = {o} OR ((x:Statement OR x:Event) AND EXISTS {{ MATCH (x)--({{name: {o}}}) }}))",
            o = lit(o)
        ),
        None => String::new(),
    };
    format!(
        "MATCH (e {{name: {n}}})
MATCH (d)-[:IN*0..]->(e) WHERE d = e OR (e:Date AND d:Date)
WITH DISTINCT e, d
MATCH (d)-[r]-(x)
WHERE (r.quote IS NOT NULL OR (startNode(r) = x AND (x:Statement OR (x:Event AND d:Date)))){both}
WITH x, type(r) AS link, r.quote IS NOT NULL AS quoted, CASE WHEN r.quote IS NOT NULL THEN r ELSE x END AS f
WITH DISTINCT x, link, quoted, f, coalesce(f.date, f.valid_from) AS date
RETURN date, precision(date) AS precision, link,
       CASE WHEN quoted THEN coalesce(x.name, x.key) WHEN x:Event THEN x.name
            ELSE coalesce(x.summary, x.status) END AS what,
       f.modality AS modality,
       coalesce(f.source, reduce(s = null, k IN COLLECT {{
         MATCH (x)-[:MENTIONED_IN]->(a:Article) RETURN a.key ORDER BY a.key
       }} | coalesce(s + ', ', '') + k)) AS source
ORDER BY date IS NULL, date, source, what;"
    )
}

/// `:path A B`.
pub fn path(a: &str, b: &str) -> String {
    format!(
        "MATCH p = shortestPath(({{name: {}}})-[*..10]-({{name: {}}}))
WHERE none(r IN relationships(p) WHERE type(r) IN {NOT_FACTS})
RETURN p;",
        lit(a),
        lit(b)
    )
}

/// `:why KEY`: the article and quote behind a statement.
pub fn why_key(key: &str) -> String {
    format!(
        "MATCH (s {{key: {}}})-[:SOURCE]->(a:Article)
RETURN coalesce(s.summary, s.status) AS fact, a.title AS article, a.published AS published,
       s.quote AS quote;",
        lit(key)
    )
}

/// `:why TEXT`: the facts whose quote holds the text (case ignored), and
/// the statements whose English summary does (quotes are in the article's
/// language).
pub fn why_text(text: &str) -> String {
    let t = lit(&text.to_lowercase());
    format!(
        "MATCH (s:Statement)-[:SOURCE]->(a:Article)
WHERE toLower(s.quote) CONTAINS {t} OR toLower(coalesce(s.summary, '')) CONTAINS {t}
RETURN coalesce(s.summary, s.status) AS fact, a.title AS article, a.published AS published, s.quote AS quote
UNION ALL
MATCH (x)-[r]->(y) WHERE toLower(r.quote) CONTAINS {t}
MATCH (a:Article {{key: r.source}})
RETURN coalesce(x.name, x.key) + ' -[' + type(r) + ']-> ' + coalesce(y.name, y.key) AS fact,
       a.title AS article, a.published AS published, r.quote AS quote;"
    )
}

/// The Cypher a shortcut stands for as `// ` lines, with the `:asof` date
/// it runs at, if one is set (the query pasted elsewhere would need it).
fn shown<O: Write, E: Write>(s: &Session<O, E>, cypher: &str) -> String {
    let mut shown = String::new();
    if let Some(d) = s.settings.as_of {
        let _ = writeln!(
            shown,
            "// as of {d} (:asof: facts that do not hold then are hidden; :asof off shows all)"
        );
    }
    for l in cypher.lines() {
        let _ = writeln!(shown, "// {l}");
    }
    shown
}

/// Writes the Cypher as `// ` lines on the error stream, then runs it.
pub fn show_and_run<O: Write, E: Write>(
    s: &mut Session<O, E>,
    cypher: &str,
    origin: &str,
) -> Result<Flow, Failed> {
    let shown = shown(s, cypher);
    let _ = s.err.write_all(shown.as_bytes());
    let _ = s.err.flush();
    s.run_source(cypher, origin)
}

/// `:path`: the query shown, then each path drawn as a chain of names.
pub fn run_path<O: Write, E: Write>(
    s: &mut Session<O, E>,
    a: &str,
    b: &str,
) -> Result<Flow, Failed> {
    let cypher = path(a, b);
    if s.settings.mode != Mode::Table {
        return show_and_run(s, &cypher, ":path");
    }
    let shown = shown(s, &cypher);
    let _ = s.err.write_all(shown.as_bytes());
    let clip = s.settings.max_width.is_some();
    let results = s.execute_text(&cypher, 0..cypher.len(), ":path")?;
    let mut text = String::new();
    for (res, _) in &results {
        for n in &res.notices {
            s.note(n);
        }
        let chains: Vec<String> = res
            .rows
            .iter()
            .filter_map(|r| match r.first() {
                Some(Value::Path(p)) => Some(chain(p, res, clip)),
                _ => None,
            })
            .collect();
        if chains.is_empty() {
            s.note(&format!(
                "no connection between {a} and {b} (up to 10 steps, facts only)"
            ));
        }
        for c in chains {
            text.push_str(&c);
            text.push('\n');
        }
        if !res.columns.is_empty() {
            s.last = Some(res.clone());
            s.last_total = None;
        }
    }
    s.write_out(&text)?;
    Ok(Flow::Continue)
}

/// `Xie Xiaoyong -[ACCREDITED_TO]-> Belarus <-[SUBJECT]- (Plan: ready to ...)`.
/// `clip`: cut long summaries (on a terminal; piped, they are whole).
pub fn chain(p: &crate::model::Path, res: &crate::query::QueryResult, clip: bool) -> String {
    let name = |id: &NodeId| match res.nodes.get(id) {
        Some(n) => {
            let get = |k: &str| match n.props.get(k) {
                Some(Value::String(s)) => Some(s.clone()),
                _ => None,
            };
            if let Some(nm) = get(NAME) {
                nm
            } else {
                let kind = n
                    .labels
                    .iter()
                    .find(|l| l.as_str() != "Statement")
                    .or(n.labels.first())
                    .cloned()
                    .unwrap_or_default();
                let what = get("summary")
                    .or_else(|| get("status"))
                    .or_else(|| get("key"))
                    .unwrap_or_default();
                if clip {
                    format!("({kind}: {})", render::cut(&what, 50).0)
                } else {
                    format!("({kind}: {what})")
                }
            }
        }
        None => format!("#{}", id.0),
    };
    let mut out = String::new();
    let Some(first) = p.nodes.first() else {
        return out;
    };
    out.push_str(&name(first));
    for (i, rid) in p.rels.iter().enumerate() {
        let Some(next) = p.nodes.get(i + 1) else {
            break;
        };
        let (ty, backwards) = match res.rels.get(rid) {
            Some(r) => (r.rel_type.as_str(), r.start == *next && r.end != *next),
            None => ("?", false),
        };
        if backwards {
            let _ = write!(out, " <-[{ty}]- ");
        } else {
            let _ = write!(out, " -[{ty}]-> ");
        }
        out.push_str(&name(next));
    }
    out
}

/// Whether some node has this `key` (then `:why` reads it as a key).
pub fn is_key(g: &Graph, key: &str) -> bool {
    let v = Value::String(key.to_string());
    g.node_ids()
        .filter_map(|id| g.node(id))
        .any(|n| n.props.get("key").as_deref() == Some(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_cuts_long_summaries_only_when_asked() {
        let long = "Belarus is ready to contribute to the work of the organisation in every field";
        let mut props = crate::model::Props::new();
        props.insert("summary".into(), Value::String(long.into()));
        let mut res = crate::query::QueryResult::default();
        res.nodes.insert(
            NodeId(0),
            crate::query::NodeSnapshot {
                labels: vec!["Statement".into(), "Plan".into()],
                props,
            },
        );
        let p = crate::model::Path {
            nodes: vec![NodeId(0)],
            rels: Vec::new(),
        };
        assert_eq!(chain(&p, &res, false), format!("(Plan: {long})"));
        let cut = chain(&p, &res, true);
        assert!(cut.ends_with("…)") && cut.len() < long.len(), "{cut}");
    }

    #[test]
    fn generated_queries_parse() {
        for q in [
            describe("Belarus"),
            timeline("Belarus", None),
            timeline("Belarus", Some("China")),
            path("A", "it's"),
            why_key("k"),
            why_text("Ready"),
        ] {
            crate::query::parse_script(&q).unwrap_or_else(|e| panic!("{q}\n{e:?}"));
        }
    }

    #[test]
    fn unquote_strips_one_pair() {
        assert_eq!(unquote(" 'Xie Xiaoyong' "), "Xie Xiaoyong");
        assert_eq!(unquote("RATS"), "RATS");
    }
}
