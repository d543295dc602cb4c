//! Notes on a statement before it runs: labels, relationship types and
//! property keys it reads that nothing in the graph has, with "did you mean".
//!
//! In Cypher `MATCH (n:Stat)` is no error, it just finds nothing; a person
//! who mistyped `State` deserves to hear why. The notes only concern what a
//! statement reads (MATCH patterns, predicates, property lookups on pattern
//! variables); names a statement writes (CREATE, MERGE, SET) are new names,
//! not mistakes, and are left alone, as are names it writes elsewhere in the
//! same statement.

use std::collections::BTreeSet;

use crate::model::names::did_you_mean;
use crate::query::ast::{
    BinOp, Clause, Expr, ExprKind, Literal, MapProjItem, NodePattern, Pattern, PatternElement,
    Projection, Query, RemoveItem, SetItem, SingleQuery, Statement, StatementBody,
};
use crate::store::Graph;

#[derive(Default)]
struct Names {
    labels: Vec<String>,
    types: Vec<String>,
    keys: Vec<String>,
    /// Variables bound to nodes or relationships by a pattern.
    entity_vars: BTreeSet<String>,
    /// Names the statement itself writes.
    written: BTreeSet<String>,
    /// The statement writes properties whose keys its text does not name
    /// (`SET n = row`, `CREATE (n $props)`): any key may be one of them.
    writes_unnamed_keys: bool,
    /// Entity names the statement looks for (`{name: '...'}`,
    /// `n.name = '...'`).
    entity_names: Vec<String>,
}

/// The notes for one statement against `g` (none on an empty graph, where
/// every name is unknown and saying so helps nobody).
pub fn notes(stmt: &Statement, g: &Graph) -> Vec<String> {
    notes_with(stmt, g, &mut BTreeSet::new())
}

/// [`notes`], remembering in `present` the labels, types and keys found to
/// exist, so that a session asks the graph once per name until the graph
/// changes (the caller empties `present` then). Existence is a scan that
/// stops at the first match, which in a large graph can be far away.
pub fn notes_with(stmt: &Statement, g: &Graph, present: &mut BTreeSet<String>) -> Vec<String> {
    if g.node_count() == 0 {
        return Vec::new();
    }
    let StatementBody::Query(q) = &stmt.body else {
        return Vec::new();
    };
    let mut n = Names::default();
    query(q, &mut n);
    // Whether a name exists is answered by scanning until it is found (a
    // script of many statements must not list the whole graph for each);
    // the full lists are made only for a name that is missing.
    let mut has = |what: &str, name: &str| {
        let key = format!("{what}:{name}");
        if present.contains(&key) {
            return true;
        }
        let found = if what == "type" {
            g.has_rel_type(name)
        } else {
            g.has_property_key(name)
        };
        if found {
            present.insert(key);
        }
        found
    };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut say = |what: &str, name: &str, known: &[&str]| {
        if !seen.insert((what.to_string(), name.to_string())) {
            return;
        }
        let mut t = format!("{what} {name}");
        if let Some(h) = did_you_mean(name, known.iter().copied()) {
            t.push_str(&format!("; did you mean {h}?"));
        }
        out.push(t);
    };
    let labels: Vec<&str> = g.labels().collect();
    for l in &n.labels {
        if !labels.contains(&l.as_str()) && !n.written.contains(l) {
            say("no node has the label", l, &labels);
        }
    }
    for t in &n.types {
        if !n.written.contains(t) && !has("type", t) {
            let types: Vec<&str> = g.rel_types().into_iter().collect();
            say("no relationship has the type", t, &types);
        }
    }
    for k in &n.keys {
        if !n.written.contains(k) && !n.writes_unnamed_keys && !has("key", k) {
            let keys: Vec<&str> = g.property_keys().into_iter().collect();
            say("nothing has the property", k, &keys);
        }
    }
    for name in &n.entity_names {
        if g.lookup(name).is_empty() && !n.written.contains(crate::store::NAME) {
            let mut t = format!("nothing is called '{name}' (no name or alias)");
            if let Some(h) = g.suggest_name(name) {
                t.push_str(&format!("; did you mean '{h}'?"));
            }
            if seen.insert(("entity".into(), name.clone())) {
                out.push(t);
            }
        }
    }
    out
}

fn query(q: &Query, n: &mut Names) {
    single(&q.first, n);
    for (_, s) in &q.unions {
        single(s, n);
    }
}

fn single(q: &SingleQuery, n: &mut Names) {
    // Pattern variables first, so property reads anywhere can be told apart
    // from reads of maps.
    for c in &q.clauses {
        match c {
            Clause::Match { pattern, .. } | Clause::Create { pattern, .. } => {
                bind_pattern(pattern, n)
            }
            Clause::Merge { part, .. } => bind_element(&part.element, n),
            _ => {}
        }
    }
    for c in &q.clauses {
        match c {
            Clause::Match {
                pattern, where_, ..
            } => {
                read_pattern(pattern, n);
                if let Some(w) = where_ {
                    expr(w, n);
                }
            }
            Clause::Unwind { expr: e, .. } | Clause::LoadCsv { url: e, .. } => expr(e, n),
            Clause::With(p) | Clause::Return(p) => projection(p, n),
            Clause::Create { pattern, .. } => write_pattern(pattern, n),
            Clause::Merge {
                part,
                on_create,
                on_match,
                ..
            } => {
                write_element(&part.element, n);
                for s in on_create.iter().chain(on_match) {
                    set_item(s, n);
                }
            }
            Clause::Set { items, .. } => {
                for s in items {
                    set_item(s, n);
                }
            }
            Clause::Remove { items, .. } => {
                for r in items {
                    match r {
                        RemoveItem::Property { key, .. } => {
                            n.written.insert(key.name.clone());
                        }
                        RemoveItem::Labels { labels, .. } => {
                            n.written.extend(labels.iter().map(|l| l.name.clone()));
                        }
                    }
                }
            }
            Clause::Delete { exprs, .. } => exprs.iter().for_each(|e| expr(e, n)),
            Clause::Call { args, where_, .. } => {
                args.iter().flatten().for_each(|e| expr(e, n));
                if let Some(w) = where_ {
                    expr(w, n);
                }
            }
            Clause::Subquery { query: q, .. } => query(q, n),
            Clause::Foreach {
                list,
                clauses,
                span,
                ..
            } => {
                expr(list, n);
                single(
                    &SingleQuery {
                        clauses: clauses.clone(),
                        span: *span,
                    },
                    n,
                );
            }
        }
    }
}

fn set_item(s: &SetItem, n: &mut Names) {
    match s {
        SetItem::Property { key, value, .. } => {
            n.written.insert(key.name.clone());
            expr(value, n);
        }
        SetItem::Replace { value, .. } | SetItem::Merge { value, .. } => {
            match &value.kind {
                ExprKind::Map(m) => n.written.extend(m.iter().map(|(k, _)| k.name.clone())),
                _ => n.writes_unnamed_keys = true,
            }
            expr(value, n);
        }
        SetItem::Labels { labels, .. } => {
            n.written.extend(labels.iter().map(|l| l.name.clone()));
        }
    }
}

fn bind_pattern(p: &Pattern, n: &mut Names) {
    for part in &p.parts {
        bind_element(&part.element, n);
    }
}

fn bind_element(e: &PatternElement, n: &mut Names) {
    let node = |np: &NodePattern, n: &mut Names| {
        if let Some(v) = &np.var {
            n.entity_vars.insert(v.name.clone());
        }
    };
    node(&e.start, n);
    for (r, np) in &e.chain {
        if let Some(v) = &r.var {
            n.entity_vars.insert(v.name.clone());
        }
        node(np, n);
    }
}

fn read_pattern(p: &Pattern, n: &mut Names) {
    for part in &p.parts {
        read_element(&part.element, n);
    }
}

fn map_keys(props: Option<&Expr>, n: &mut Names, read: bool) {
    let Some(e) = props else { return };
    if !read && !matches!(e.kind, ExprKind::Map(_)) {
        n.writes_unnamed_keys = true;
    }
    if let ExprKind::Map(m) = &e.kind {
        for (k, v) in m {
            if read {
                n.keys.push(k.name.clone());
                if k.name == crate::store::NAME
                    && let ExprKind::Literal(Literal::String(v)) = &v.kind
                {
                    n.entity_names.push(v.clone());
                }
            } else {
                n.written.insert(k.name.clone());
            }
            expr(v, n);
        }
    }
}

fn read_element(e: &PatternElement, n: &mut Names) {
    let node = |np: &NodePattern, n: &mut Names| {
        n.labels.extend(np.labels.iter().map(|l| l.name.clone()));
        map_keys(np.props.as_deref(), n, true);
    };
    node(&e.start, n);
    for (r, np) in &e.chain {
        n.types.extend(r.types.iter().map(|t| t.name.clone()));
        map_keys(r.props.as_deref(), n, true);
        node(np, n);
    }
}

fn write_pattern(p: &Pattern, n: &mut Names) {
    for part in &p.parts {
        write_element(&part.element, n);
    }
}

fn write_element(e: &PatternElement, n: &mut Names) {
    let node = |np: &NodePattern, n: &mut Names| {
        n.written.extend(np.labels.iter().map(|l| l.name.clone()));
        map_keys(np.props.as_deref(), n, false);
    };
    node(&e.start, n);
    for (r, np) in &e.chain {
        n.written.extend(r.types.iter().map(|t| t.name.clone()));
        map_keys(r.props.as_deref(), n, false);
        node(np, n);
    }
}

fn projection(p: &Projection, n: &mut Names) {
    for i in &p.items {
        expr(&i.expr, n);
    }
    for s in &p.order_by {
        expr(&s.expr, n);
    }
    if let Some(w) = &p.where_ {
        expr(w, n);
    }
}

fn expr(e: &Expr, n: &mut Names) {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Param(_) | ExprKind::Var(_) | ExprKind::CountStar => {}
        ExprKind::List(items) => items.iter().for_each(|i| expr(i, n)),
        ExprKind::Map(m) => m.iter().for_each(|(_, v)| expr(v, n)),
        ExprKind::Property(base, key) => {
            if let ExprKind::Var(v) = &base.kind
                && n.entity_vars.contains(v)
            {
                n.keys.push(key.name.clone());
            }
            expr(base, n);
        }
        ExprKind::Index(a, b) => {
            expr(a, n);
            expr(b, n);
        }
        ExprKind::Slice(a, b, c) => {
            expr(a, n);
            for x in [b, c].into_iter().flatten() {
                expr(x, n);
            }
        }
        ExprKind::Binary(op, a, b) => {
            if *op == BinOp::Eq {
                for (x, y) in [(a, b), (b, a)] {
                    if let (ExprKind::Property(_, key), ExprKind::Literal(Literal::String(v))) =
                        (&x.kind, &y.kind)
                        && key.name == crate::store::NAME
                    {
                        n.entity_names.push(v.clone());
                    }
                }
            }
            expr(a, n);
            expr(b, n);
        }
        ExprKind::Unary(_, a) | ExprKind::IsNull(a) | ExprKind::IsNotNull(a) => expr(a, n),
        ExprKind::HasLabels(a, labels) => {
            n.labels.extend(labels.iter().map(|l| l.name.clone()));
            expr(a, n);
        }
        ExprKind::FnCall { args, .. } => args.iter().for_each(|a| expr(a, n)),
        ExprKind::Case {
            subject,
            whens,
            else_,
        } => {
            for x in subject.iter().chain(else_) {
                expr(x, n);
            }
            for (a, b) in whens {
                expr(a, n);
                expr(b, n);
            }
        }
        ExprKind::ListComprehension {
            list, filter, map, ..
        } => {
            expr(list, n);
            for x in filter.iter().chain(map) {
                expr(x, n);
            }
        }
        ExprKind::PatternComprehension {
            element,
            filter,
            map,
            ..
        } => {
            bind_element(element, n);
            read_element(element, n);
            if let Some(f) = filter {
                expr(f, n);
            }
            expr(map, n);
        }
        ExprKind::Quantified { list, filter, .. } => {
            expr(list, n);
            if let Some(f) = filter {
                expr(f, n);
            }
        }
        ExprKind::Reduce {
            init,
            list,
            expr: x,
            ..
        } => {
            expr(init, n);
            expr(list, n);
            expr(x, n);
        }
        ExprKind::PatternPredicate(el) => {
            bind_element(el, n);
            read_element(el, n);
        }
        ExprKind::ExistsSubquery {
            pattern,
            where_,
            query: q,
            ..
        } => {
            bind_pattern(pattern, n);
            read_pattern(pattern, n);
            if let Some(w) = where_ {
                expr(w, n);
            }
            if let Some(q) = q {
                query(q, n);
            }
        }
        ExprKind::MapProjection(base, items) => {
            let entity = matches!(&base.kind, ExprKind::Var(v) if n.entity_vars.contains(v));
            for i in items {
                match i {
                    MapProjItem::Property(k) if entity => n.keys.push(k.name.clone()),
                    MapProjItem::Literal(_, x) => expr(x, n),
                    _ => {}
                }
            }
            expr(base, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Props;

    fn graph() -> Graph {
        let mut g = Graph::new();
        let mut p = Props::new();
        p.insert("name".into(), "Belarus".into());
        let a = g.create_node(vec!["State".into()], p).unwrap();
        let b = g
            .create_node(vec!["Organisation".into()], Props::new())
            .unwrap();
        g.create_rel(a, b, "MEMBER_OF".into(), Props::new())
            .unwrap();
        g
    }

    fn lint(q: &str) -> Vec<String> {
        let s = crate::query::parse_script(q).unwrap();
        notes(&s.statements[0], &graph())
    }

    #[test]
    fn unknown_reads_get_a_note_with_a_suggestion() {
        assert_eq!(
            lint("MATCH (n:Stat)-[:MEMBER]->(o) WHERE n.nme = 'x' RETURN n"),
            [
                "no node has the label Stat; did you mean State?",
                "no relationship has the type MEMBER; did you mean MEMBER_OF?",
                "nothing has the property nme; did you mean name?",
            ]
        );
        assert_eq!(
            lint("MATCH (n) WHERE n:Xyzzy RETURN n"),
            ["no node has the label Xyzzy"]
        );
    }

    #[test]
    fn known_names_writes_and_maps_are_left_alone() {
        assert!(
            lint("MATCH (n:State {name: 'belarus'})-[:MEMBER_OF]->(o) RETURN n.name").is_empty()
        );
        assert!(lint("CREATE (n:Stat {nme: 1}) RETURN n.nme").is_empty());
        assert!(lint("MATCH (n:Fresh) SET n:Fresh RETURN n").is_empty());
        assert!(lint("WITH {nme: 1} AS m RETURN m.nme").is_empty());
        // Keys the text does not name may be written: no note for them.
        assert!(lint("UNWIND $rows AS row CREATE (m:Q) SET m = row RETURN m.id").is_empty());
        assert!(lint("MATCH (n:State) SET n += $p RETURN n.id").is_empty());
        assert!(lint("CREATE (m:Q $props) RETURN m.id").is_empty());
        assert_eq!(
            lint("CREATE (m:Q {a: 1}) RETURN m.id"),
            ["nothing has the property id"]
        );
        let empty = crate::query::parse_script("MATCH (n:Stat) RETURN n").unwrap();
        assert!(notes(&empty.statements[0], &Graph::new()).is_empty());
    }
}
