//! EXPLAIN: the clause pipeline the evaluator runs, as an indented tree.

use std::fmt::Write;

use std::collections::BTreeSet;

use super::ast::{
    Clause, Direction, Expr, NodePattern, PathKind, PatternPart, Projection, Query, SingleQuery,
    SubqueryScope,
};
use super::pattern::{Lookup, PropRange, Start, pattern_vars, rel_scan_start, walk_start};
use crate::store::Graph;

/// The plan of a query over `graph` (whose indexes the plan may use), one
/// operator per line, children indented.
pub fn explain(q: &Query, graph: &Graph) -> String {
    let mut out = String::new();
    query_at(&mut out, q, 0, &BTreeSet::new(), graph);
    out
}

/// [`explain`] at `depth`, with `outer` bound before the query starts (the
/// imports of a subquery).
fn query_at(out: &mut String, q: &Query, depth: usize, outer: &BTreeSet<String>, graph: &Graph) {
    let single = |out: &mut String, q: &SingleQuery, depth: usize| {
        single(out, q, depth, outer.clone(), graph)
    };
    if q.unions.is_empty() {
        single(out, &q.first, depth);
    } else {
        let pad = "  ".repeat(depth);
        let all = q.unions.iter().all(|(a, _)| *a);
        let _ = writeln!(
            out,
            "{pad}{}",
            if all {
                "UnionAll"
            } else {
                "Union (distinct rows)"
            }
        );
        single(out, &q.first, depth + 1);
        for (_, s) in &q.unions {
            single(out, s, depth + 1);
        }
    }
}

fn single(out: &mut String, q: &SingleQuery, depth: usize, outer: BTreeSet<String>, graph: &Graph) {
    let pad = "  ".repeat(depth);
    // The variables bound before each clause, as the evaluator will have
    // them: the start of each pattern is chosen from them.
    let mut bound: BTreeSet<String> = outer;
    if let Some(c) = super::counts::count_by_type(q) {
        let _ = writeln!(out, "{pad}{}", c.describe());
        return;
    }
    let _ = writeln!(
        out,
        "{pad}Pipeline ({} clause(s), each over all rows of the one before)",
        q.clauses.len()
    );
    for c in &q.clauses {
        let line = match c {
            Clause::Match {
                optional,
                pattern,
                where_,
                ..
            } => {
                let parts: Vec<String> = pattern.parts.iter().map(part).collect();
                let head = format!(
                    "{}Match {}{}",
                    if *optional { "Optional" } else { "" },
                    parts.join(", "),
                    if where_.is_some() {
                        " + Filter (WHERE)"
                    } else {
                        ""
                    }
                );
                let mut lines = vec![head];
                for p in &pattern.parts {
                    lines.push(format!(
                        "  {}",
                        start_line(p, where_.as_ref(), &bound, graph)
                    ));
                    bound.extend(pattern_vars(std::slice::from_ref(p)));
                }
                lines.join(&format!("\n{pad}  "))
            }
            Clause::Unwind { alias, .. } => {
                bound.insert(alias.name.clone());
                format!("Unwind AS {}", alias.name)
            }
            Clause::LoadCsv { alias, headers, .. } => {
                bound.insert(alias.name.clone());
                let what = if *headers { "maps" } else { "lists" };
                format!("LoadCsv AS {} (a row per record, as {what})", alias.name)
            }
            Clause::With(p) => {
                if !p.star {
                    bound.clear();
                }
                bound.extend(
                    p.items
                        .iter()
                        .map(|i| i.alias.as_ref().map_or(&i.text, |a| &a.name).clone()),
                );
                projection("With", p)
            }
            Clause::Return(p) => projection("Return", p),
            Clause::Create { pattern, .. } => {
                bound.extend(pattern.vars.iter().cloned());
                format!(
                    "Create {}",
                    pattern
                        .parts
                        .iter()
                        .map(part)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            Clause::Merge {
                part: p,
                on_create,
                on_match,
                ..
            } => {
                bound.extend(pattern_vars(std::slice::from_ref(p)));
                format!(
                    "Merge {} (match, else create; {} ON CREATE, {} ON MATCH item(s))",
                    part(p),
                    on_create.len(),
                    on_match.len()
                )
            }
            Clause::Set { items, .. } => format!("Set ({} item(s))", items.len()),
            Clause::Remove { items, .. } => format!("Remove ({} item(s))", items.len()),
            Clause::Delete { detach, exprs, .. } => {
                format!(
                    "{}Delete ({} expression(s))",
                    if *detach { "Detach" } else { "" },
                    exprs.len()
                )
            }
            Clause::Foreach { var, clauses, .. } => format!(
                "Foreach {} ({} clause(s) that write, once per element; the rows go on unchanged)",
                var.name,
                clauses.len()
            ),
            Clause::Subquery {
                optional,
                scope,
                query,
                in_transactions,
                ..
            } => {
                let imports: BTreeSet<String> = match scope {
                    SubqueryScope::All => bound.clone(),
                    SubqueryScope::Vars(vs) => vs.iter().map(|v| v.name.clone()).collect(),
                    // An importing WITH picks from what is bound.
                    SubqueryScope::Leading => bound.clone(),
                };
                let head = format!(
                    "{}Subquery, once per row{}{}",
                    if *optional { "Optional" } else { "" },
                    match scope {
                        SubqueryScope::Leading => String::new(),
                        SubqueryScope::All => " (imports every variable)".to_string(),
                        SubqueryScope::Vars(vs) if vs.is_empty() => " (imports none)".to_string(),
                        SubqueryScope::Vars(vs) => format!(
                            " (imports {})",
                            vs.iter()
                                .map(|v| v.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                    match in_transactions {
                        Some(tx) => format!(
                            ", IN TRANSACTIONS: each batch of {} incoming rows committed on its own",
                            tx.rows
                                .as_ref()
                                .map_or("1000".to_string(), ToString::to_string)
                        ),
                        None => String::new(),
                    }
                );
                let mut sub = String::new();
                query_at(&mut sub, query, depth + 2, &imports, graph);
                bound.extend(super::check::returned_columns(query));
                // The subquery's lines are padded for their depth already.
                format!("{head}\n{}", sub.trim_end())
            }
            Clause::Call { name, yields, .. } => {
                let outs: Vec<&str> = yields.iter().map(|(f, _)| f.name.as_str()).collect();
                if outs.is_empty() {
                    format!("ProcedureCall {name}")
                } else {
                    format!("ProcedureCall {name} (yields {})", outs.join(", "))
                }
            }
        };
        let _ = writeln!(out, "{pad}  {line}");
    }
}

/// Where the walk of a pattern part starts, chosen as the matcher chooses
/// it ([`start_of`]): the end that is bound, else found by name, else by
/// a property index, else by label, else the first.
fn start_line(
    p: &PatternPart,
    where_: Option<&Expr>,
    bound: &BTreeSet<String>,
    graph: &Graph,
) -> String {
    let is_bound = |v: &str| bound.contains(v);
    let el = &p.element;
    let (reversed, n, how) = walk_start(p, where_, &is_bound, graph);
    let walk = if reversed {
        ", walking right to left"
    } else {
        ""
    };
    let var = n.var.as_ref().map_or("", |v| v.name.as_str());
    let first = if walk.is_empty() {
        el.chain.first()
    } else {
        el.chain.last()
    };
    let first = first.map(|(r, _)| (r.types.as_slice(), r.length.is_some()));
    if p.kind == PathKind::Normal && rel_scan_start(&how, first) {
        let types = first.map_or(String::new(), |(ts, _)| {
            ts.iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join("|")
        });
        return format!(
            "start: relationship-type index builtin_types [:{types}], binding {}{walk}",
            node(n)
        );
    }
    let how = match how {
        Start::Bound => format!("({var}), bound before"),
        Start::NameProp(e) => format!("name index: ({var} {{name: {e}}})"),
        Start::NameWhere(e) => format!("name index: WHERE {var}.name = {e}"),
        Start::PropEq {
            label,
            key,
            value,
            form,
        } => {
            let ix = index_name(graph, &label.name, &key.name);
            let k = &key.name;
            match form {
                Lookup::Map => format!("{ix}: ({var} {{{k}: {value}}})"),
                Lookup::Eq => format!("{ix}: WHERE {var}.{k} = {value}"),
                Lookup::In => format!("{ix}: WHERE {var}.{k} IN {value}"),
            }
        }
        Start::PropRange(r) => range_line(graph, var, &r),
        Start::Labels(ls) if ls.len() == 1 => format!("label index :{}", ls[0].name),
        Start::Labels(ls) => format!(
            "label index, the rarest of {}",
            ls.iter()
                .map(|l| format!(":{}", l.name))
                .collect::<String>()
        ),
        Start::All => format!("all nodes {}", node(n)),
    };
    let search = match p.kind {
        PathKind::Normal => "",
        _ => ", then a breadth-first search",
    };
    format!("start: {how}{walk}{search}")
}

/// How a property index is named in a plan: `property index 'name'
/// (:Label {key})`.
fn index_name(graph: &Graph, label: &str, key: &str) -> String {
    let name = graph.prop_index(label, key).map_or("?", |ix| ix.name());
    format!("property index '{name}' (:{label} {{{key}}})")
}

/// A range start: the index and the conditions it walks between.
fn range_line(graph: &Graph, var: &str, r: &PropRange) -> String {
    let k = &r.key.name;
    let conds: Vec<String> = match r.prefix {
        Some(p) => vec![format!("{var}.{k} STARTS WITH {p}")],
        None => [
            r.lower
                .map(|(e, incl)| format!("{var}.{k} {} {e}", if incl { ">=" } else { ">" })),
            r.upper
                .map(|(e, incl)| format!("{var}.{k} {} {e}", if incl { "<=" } else { "<" })),
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    format!(
        "{}, range: WHERE {}",
        index_name(graph, &r.label.name, k),
        conds.join(" AND ")
    )
}

fn projection(what: &str, p: &Projection) -> String {
    let mut s = what.to_string();
    if p.distinct {
        s.push_str(" DISTINCT");
    }
    let mut items: Vec<String> = Vec::new();
    if p.star {
        items.push("*".into());
    }
    items.extend(p.items.iter().map(|i| match &i.alias {
        Some(a) => format!("{} AS {}", i.text, a.name),
        None => i.text.clone(),
    }));
    s.push(' ');
    s.push_str(&items.join(", "));
    if p.items
        .iter()
        .any(|i| super::expr::contains_aggregate(&i.expr))
    {
        s.push_str(" + Aggregate");
    }
    if !p.order_by.is_empty() {
        s.push_str(&format!(" + Sort ({} key(s))", p.order_by.len()));
    }
    if p.skip.is_some() {
        s.push_str(" + Skip");
    }
    if p.limit.is_some() {
        s.push_str(" + Limit");
    }
    if p.where_.is_some() {
        s.push_str(" + Filter (WHERE)");
    }
    s
}

fn node(n: &NodePattern) -> String {
    let mut s = String::from("(");
    if let Some(v) = &n.var {
        s.push_str(&v.name);
    }
    for l in &n.labels {
        s.push(':');
        s.push_str(&l.name);
    }
    if n.props.is_some() {
        s.push_str(" {...}");
    }
    s.push(')');
    s
}

fn part(p: &PatternPart) -> String {
    let mut s = String::new();
    if let Some(v) = &p.var {
        s.push_str(&v.name);
        s.push_str(" = ");
    }
    let el = &p.element;
    let mut body = node(&el.start);
    for (r, n) in &el.chain {
        let mut inner = String::new();
        if let Some(v) = &r.var {
            inner.push_str(&v.name);
        }
        if !r.types.is_empty() {
            inner.push(':');
            inner.push_str(
                &r.types
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join("|"),
            );
        }
        if let Some((a, b)) = r.length {
            inner.push('*');
            if let Some(a) = a {
                inner.push_str(&a.to_string());
            }
            if a != b || a.is_none() {
                inner.push_str("..");
                if let Some(b) = b {
                    inner.push_str(&b.to_string());
                }
            }
        }
        let (l, rr) = match r.direction {
            Direction::Out => ("-", "->"),
            Direction::In => ("<-", "-"),
            Direction::Both => ("-", "-"),
        };
        body.push_str(&format!("{l}[{inner}]{rr}{}", node(n)));
    }
    match p.kind {
        PathKind::Normal => s.push_str(&body),
        PathKind::Shortest => s.push_str(&format!("shortestPath{body} [BFS]")),
        PathKind::AllShortest => s.push_str(&format!("allShortestPaths{body} [BFS]")),
    }
    s
}
