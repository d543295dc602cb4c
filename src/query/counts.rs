//! Counting relationships without producing rows.
//!
//! `MATCH ()-[r]->() RETURN type(r), count(*)` and its kin (`count(r)`,
//! `[r:A|B]`, `<-`, no grouping) ask for one number per relationship type.
//! Matching would build a row per relationship and aggregate them; this
//! operator counts in one pass over the relationships instead, as Neo4j's
//! planner answers such queries from its count store. The answer is the
//! same: the pattern's end nodes are unconstrained, and a directed pattern
//! of one relationship matches each relationship exactly once. Under an
//! "as of" date a relationship counts only when it and both its ends are
//! visible, as the matcher would see them.

use super::ast::{Clause, Direction, Expr, ExprKind, NodePattern, PathKind, SingleQuery};
use super::expr::{Ev, R};
use super::pattern::visible;
use crate::model::{Sym, Value};

/// What a RETURN item of a counting query is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    /// `type(r)`: the group key.
    Type,
    /// `count(*)` or `count(r)`.
    Count,
}

/// A query this operator answers: the types to count (empty: all), and the
/// RETURN's columns.
#[derive(Debug)]
pub(crate) struct CountByType<'q> {
    types: Vec<&'q str>,
    columns: Vec<(String, Item)>,
}

impl CountByType<'_> {
    /// The one-line description EXPLAIN prints.
    pub(crate) fn describe(&self) -> String {
        let by_type = self.columns.iter().any(|(_, i)| *i == Item::Type);
        format!(
            "RelationshipCount{} (one pass over the relationships{}, no rows)",
            if by_type { "ByType" } else { "" },
            if self.types.is_empty() {
                String::new()
            } else {
                format!(" of type {}", self.types.join("|"))
            }
        )
    }
}

fn bare(n: &NodePattern) -> bool {
    n.labels.is_empty() && n.props.is_none()
}

/// Recognises `MATCH (a)-[r:T*]->(b) RETURN type(r), count(*)` shapes: one
/// directed relationship of fixed length one, ends without labels or
/// properties and not returned, no WHERE, and a RETURN of only `type(r)`
/// and `count(*)`/`count(r)` items, at least one count, without DISTINCT,
/// ORDER BY, SKIP or LIMIT.
pub(crate) fn count_by_type(q: &SingleQuery) -> Option<CountByType<'_>> {
    let [
        Clause::Match {
            optional: false,
            pattern,
            where_: None,
            ..
        },
        Clause::Return(ret),
    ] = q.clauses.as_slice()
    else {
        return None;
    };
    let [part] = pattern.parts.as_slice() else {
        return None;
    };
    let el = &part.element;
    let [(rel, end)] = el.chain.as_slice() else {
        return None;
    };
    if part.var.is_some()
        || part.kind != PathKind::Normal
        || !bare(&el.start)
        || !bare(end)
        || rel.length.is_some()
        || rel.props.is_some()
        || rel.direction == Direction::Both
        || ret.distinct
        || ret.star
        || !ret.order_by.is_empty()
        || ret.skip.is_some()
        || ret.limit.is_some()
    {
        return None;
    }
    // The same variable twice, e.g. (a)-[r]->(a), constrains the match.
    let node_vars: Vec<&str> = [&el.start, end]
        .iter()
        .filter_map(|n| n.var.as_ref().map(|v| v.name.as_str()))
        .collect();
    if node_vars.len() == 2 && node_vars[0] == node_vars[1] {
        return None;
    }
    let rel_var = rel.var.as_ref().map(|v| v.name.as_str());
    let is_rel_var = |e: &Expr| matches!(&e.kind, ExprKind::Var(v) if Some(v.as_str()) == rel_var);
    let mut columns = Vec::new();
    for it in &ret.items {
        let item = match &it.expr.kind {
            ExprKind::CountStar => Item::Count,
            ExprKind::FnCall {
                name,
                distinct: false,
                args,
                ..
            } if args.len() == 1 && is_rel_var(&args[0]) => {
                if name.eq_ignore_ascii_case("count") {
                    Item::Count
                } else if name.eq_ignore_ascii_case("type") {
                    Item::Type
                } else {
                    return None;
                }
            }
            _ => return None,
        };
        let name = it.alias.as_ref().map_or(&it.text, |a| &a.name).clone();
        columns.push((name, item));
    }
    if !columns.iter().any(|(_, i)| *i == Item::Count) {
        return None;
    }
    Some(CountByType {
        types: rel.types.iter().map(|t| t.name.as_str()).collect(),
        columns,
    })
}

/// Runs the count: the RETURN's columns and rows, one row per type seen
/// (in order of first appearance), or one row in all without `type(r)`.
pub(crate) fn run(ev: &Ev, c: &CountByType) -> R<(Vec<String>, Vec<Vec<Value>>)> {
    let g = ev.graph;
    // A type name never interned is on no relationship.
    let wanted: Vec<Sym> = c.types.iter().filter_map(|t| Sym::get(t)).collect();
    let mut order: Vec<Sym> = Vec::new();
    let mut counts: Vec<i64> = Vec::new();
    if !c.types.is_empty() && wanted.is_empty() {
        return Ok(finish(c, &order, counts));
    }
    // Without "as of", every relationship counts: the type index has the
    // counts, in the order a pass would meet the types.
    if ev.as_of.is_none() {
        ev.check()?;
        for (t, n) in g.rel_type_counts() {
            if wanted.is_empty() || wanted.contains(&t) {
                order.push(t);
                counts.push(i64::try_from(n).unwrap_or(i64::MAX));
            }
        }
        return Ok(finish(c, &order, counts));
    }
    // Relationships of one type tend to come together: remember the last
    // type's slot rather than searching for it every time.
    let mut last: Option<(Sym, usize)> = None;
    for (i, (r, t)) in g.rels_typed().enumerate() {
        if i % 65_536 == 0 {
            ev.check()?;
        }
        if !wanted.is_empty() && !wanted.contains(&t) {
            continue;
        }
        if ev.as_of.is_some() {
            let ends_visible = g.rel_ends(r).is_some_and(|(a, b)| {
                [a, b]
                    .iter()
                    .all(|n| g.node(*n).is_some_and(|n| visible(ev, n.props)))
            });
            if !g.rel(r).is_some_and(|rel| visible(ev, rel.props)) || !ends_visible {
                continue;
            }
        }
        let slot = match last {
            Some((lt, i)) if lt == t => i,
            _ => {
                let i = match order.iter().position(|o| *o == t) {
                    Some(i) => i,
                    None => {
                        order.push(t);
                        counts.push(0);
                        order.len() - 1
                    }
                };
                last = Some((t, i));
                i
            }
        };
        counts[slot] += 1;
    }
    Ok(finish(c, &order, counts))
}

/// The RETURN's columns and rows from the counts per type.
fn finish(c: &CountByType, order: &[Sym], counts: Vec<i64>) -> (Vec<String>, Vec<Vec<Value>>) {
    let by_type = c.columns.iter().any(|(_, i)| *i == Item::Type);
    let groups: Vec<(Option<&str>, i64)> = if by_type {
        order.iter().map(|t| Some(t.as_str())).zip(counts).collect()
    } else {
        vec![(None, counts.iter().sum())]
    };
    let rows = groups
        .into_iter()
        .map(|(t, n)| {
            c.columns
                .iter()
                .map(|(_, item)| match item {
                    Item::Type => t.map_or(Value::Null, |t| Value::String(t.to_string())),
                    Item::Count => Value::Int(n),
                })
                .collect()
        })
        .collect();
    let names = c.columns.iter().map(|(n, _)| n.clone()).collect();
    (names, rows)
}
