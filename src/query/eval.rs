//! The evaluator: runs a statement clause by clause over a table of rows.
//!
//! Each clause takes the whole table of the clause before it and produces a
//! new one (rows are `Vec<Value>` laid out by the table's variable names),
//! so a clause always sees every effect of the clauses before it, as
//! openCypher specifies. MERGE works row by row and sees its own earlier
//! creations.
//!
//! Writes are all-or-nothing: a statement with updating clauses runs inside
//! a graph statement ([`Graph::begin`]), whose undo log takes back every
//! change on any error (including the schema's required properties,
//! checked at the end). Nothing is copied, so a small write costs the same
//! in a graph of any size.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap, HashSet};

use super::ast::{
    Clause, Direction, Expr, ExprKind, InTransactions, NodePattern, OnError, PatternElement,
    PatternPart, Projection, Query, RemoveItem, SetItem, SingleQuery, SortItem, Statement,
    StatementBody, SubqueryScope,
};
use super::compare::{Key, KeyMap, KeySet, order, row_key};
use super::expr::{Clock, Deleted, Env, Ev, R, contains_aggregate, type_err};
use super::pattern::{extend_names, match_each, pattern_vars};
use super::{ExecOptions, NodeSnapshot, Params, QueryResult, RelSnapshot, WriteStats};
use crate::error::{ErrorClass, QueryError};
use crate::model::{FDate, NodeId, Path, Props, PropsRef, RelId, Value};
use crate::store::{Before, Graph, Mark};

/// Runs one statement. On error the graph is as it was before.
pub fn execute(
    graph: &mut Graph,
    stmt: &Statement,
    params: &Params,
    opts: &ExecOptions,
) -> Result<QueryResult, QueryError> {
    check(stmt)?;
    execute_checked(graph, stmt, params, opts)
}

/// The checks a statement must pass before it runs (undefined variables,
/// misplaced aggregation, static types): they depend on its text alone,
/// so a statement that passed once passes again.
pub fn check(stmt: &Statement) -> Result<(), QueryError> {
    match &stmt.body {
        StatementBody::Query(q) => super::check::check_query(q),
        _ => Ok(()),
    }
}

/// [`execute`] of a statement that passed [`check`].
pub(crate) fn execute_checked(
    graph: &mut Graph,
    stmt: &Statement,
    params: &Params,
    opts: &ExecOptions,
) -> Result<QueryResult, QueryError> {
    execute_batched(graph, stmt, params, opts, None)
}

/// [`execute_checked`], with the hook that commits each batch of a
/// `CALL { } IN TRANSACTIONS` (the database's, which logs it). Without
/// one, a statement that opens its own undo log on a graph that keeps no
/// journal commits its batches by closing the undo log; inside a
/// statement its caller opened, the batches are part of that statement.
pub(crate) fn execute_batched(
    graph: &mut Graph,
    stmt: &Statement,
    params: &Params,
    opts: &ExecOptions,
    batch_commit: Option<&mut BatchCommit<'_>>,
) -> Result<QueryResult, QueryError> {
    let query = match &stmt.body {
        StatementBody::Query(q) => q,
        StatementBody::ShowProcedures if !stmt.explain => {
            return super::procedures::show(graph, opts.procedures.as_deref());
        }
        _ => return super::indexes::run(graph, stmt),
    };
    let run_params = (!stmt.explain).then_some(params);
    super::procedures::resolve(query, opts.procedures.as_deref(), run_params)?;
    if stmt.explain {
        return Ok(QueryResult {
            plan: Some(super::plan::explain(query, graph)),
            ..QueryResult::default()
        });
    }
    let as_of = match &stmt.as_of {
        None => opts.as_of,
        Some(e) => Some(eval_as_of(graph, params, e)?),
    };
    let updating = is_updating(query);
    // The plan as the statement starts, before it writes.
    let plan = stmt.profile.then(|| super::plan::explain(query, graph));
    // Read only for PROFILE: a clock read is tens of nanoseconds.
    let started = stmt.profile.then(std::time::Instant::now);
    // A caller (the database) may have opened the statement already, to
    // take it back if logging it fails; then this works inside it.
    let opened = updating && graph.begin();
    let journaling = graph.journaling();
    let mut own_commit = |g: &mut Graph| -> Result<(), QueryError> {
        g.commit();
        g.begin();
        Ok(())
    };
    let batch_commit: Option<&mut BatchCommit<'_>> = match batch_commit {
        Some(c) => Some(c),
        None if opened && !journaling => Some(&mut own_commit),
        None => None,
    };
    let mut engine = Engine::new(graph, params, as_of);
    engine.batch_commit = batch_commit;
    engine.cancel = opts.cancel.clone();
    engine.procedures = opts.procedures.clone();
    if stmt.profile {
        engine.profile = Some(Vec::new());
    }
    // Room for a few rows at once: a point lookup's one row would otherwise
    // grow the vector from nothing.
    let mut rows = Vec::with_capacity(4);
    let run = engine.run_query_into(query, &mut |_, _, r| {
        rows.push(r);
        Ok(true)
    });
    let result = run.map(|cols| (cols, rows)).and_then(|res| {
        // The schema is checked once the statement is done: the error is
        // the statement's.
        engine.check_written().map_err(|e| e.at(query.span))?;
        Ok(res)
    });
    // What a failure takes back: the part not committed in batches.
    let mark = engine.mark;
    match result {
        Ok((columns, rows)) => {
            let profile = engine.profile.take();
            let mut out = engine.finish(columns, rows, updating);
            if let (Some(plan), Some(clauses)) = (plan, profile) {
                out.plan = Some(profile_text(
                    &plan,
                    &clauses,
                    out.rows.len(),
                    started.map(|t| t.elapsed()).unwrap_or_default(),
                ));
            }
            if opened {
                graph.commit();
            }
            Ok(out)
        }
        Err(e) => {
            if updating {
                graph.rollback_to(mark);
            }
            if opened {
                graph.commit();
            }
            Err(e)
        }
    }
}

/// What PROFILE adds to a result: the plan, then the rows after each
/// clause of the statement and the time the whole took.
fn profile_text(
    plan: &str,
    clauses: &[(String, usize)],
    rows: usize,
    took: std::time::Duration,
) -> String {
    let mut out = format!(
        "{}\nProfile: {rows} row{} in {:.2} ms",
        plan.trim_end(),
        if rows == 1 { "" } else { "s" },
        took.as_secs_f64() * 1000.0
    );
    if clauses.is_empty() {
        // The counts fast path: no clause ran row by row.
        out.push_str(" (from the relationship-type index's counts)");
        return out;
    }
    out.push_str(", rows after each clause:");
    let width = clauses
        .iter()
        .map(|(_, n)| n.to_string().len())
        .max()
        .unwrap_or(1);
    for (text, n) in clauses {
        let text: String = if text.chars().count() > 72 {
            text.chars().take(71).chain(['…']).collect()
        } else {
            text.clone()
        };
        out.push_str(&format!("\n  {n:>width$}  {text}"));
    }
    out
}

/// Rows are handed to a streaming caller in batches of at most this many ...
pub(crate) const BATCH_ROWS: usize = 1024;
/// ... or of the rows found in this long, so that slow results show
/// their first rows at once and fast ones do not pay per row.
const BATCH_TIME: std::time::Duration = std::time::Duration::from_millis(25);

/// Runs one statement like [`execute`], but hands its rows to `sink` as
/// they are produced, in batches. Each batch is a [`QueryResult`] with the
/// columns, some rows, the snapshots of what those rows mention and the
/// notices raised since the batch before; `sink` returns false to stop the
/// statement early (which is no error). What is returned has the columns,
/// the write counts and any last notices, and no rows.
///
/// A read-only statement that ends in `MATCH ... RETURN` without
/// aggregation, DISTINCT or ORDER BY hands over rows as the matcher finds
/// them; other statements are computed whole, then handed over (a write's
/// rows only once it has succeeded).
pub fn execute_streaming(
    graph: &mut Graph,
    stmt: &Statement,
    params: &Params,
    opts: &ExecOptions,
    sink: &mut dyn FnMut(QueryResult) -> bool,
) -> Result<QueryResult, QueryError> {
    let query = match &stmt.body {
        StatementBody::Query(q) if !stmt.explain && !stmt.profile && !is_updating(q) => q,
        _ => return Ok(hand_over(execute(graph, stmt, params, opts)?, sink)),
    };
    super::check::check_query(query)?;
    super::procedures::resolve(query, opts.procedures.as_deref(), Some(params))?;
    let as_of = match &stmt.as_of {
        None => opts.as_of,
        Some(e) => Some(eval_as_of(graph, params, e)?),
    };
    let mut engine = Engine::new(graph, params, as_of);
    engine.cancel = opts.cancel.clone();
    engine.procedures = opts.procedures.clone();
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut sent_notices = 0;
    let mut last = std::time::Instant::now();
    // Hands `rows` over with their snapshots; false when the sink is done.
    let mut flush = |ev: &Ev, columns: &[String], rows: &mut Vec<Vec<Value>>| {
        let rows = std::mem::take(rows);
        let (nodes, rels) = snapshots(ev.graph, ev.deleted, &rows);
        let notices = ev.notices.borrow()[sent_notices..].to_vec();
        sent_notices += notices.len();
        sink(QueryResult {
            columns: columns.to_vec(),
            rows,
            nodes,
            rels,
            notices,
            ..QueryResult::default()
        })
    };
    let mut open = true;
    let columns = engine.run_query_into(query, &mut |ev, columns, row| {
        rows.push(row);
        if rows.len() >= BATCH_ROWS || last.elapsed() >= BATCH_TIME {
            last = std::time::Instant::now();
            open = flush(ev, columns, &mut rows);
        }
        Ok(open)
    })?;
    if open && !rows.is_empty() {
        flush(&engine.ev(), &columns, &mut rows);
    }
    let notices = engine.notices.borrow()[sent_notices..].to_vec();
    Ok(QueryResult {
        columns,
        notices,
        ..QueryResult::default()
    })
}

/// Hands a computed result's rows (and notices) to `sink` in one batch;
/// returns the rest.
pub fn hand_over(mut res: QueryResult, sink: &mut dyn FnMut(QueryResult) -> bool) -> QueryResult {
    if !res.rows.is_empty() {
        sink(QueryResult {
            columns: res.columns.clone(),
            rows: std::mem::take(&mut res.rows),
            nodes: std::mem::take(&mut res.nodes),
            rels: std::mem::take(&mut res.rels),
            notices: std::mem::take(&mut res.notices),
            ..QueryResult::default()
        });
    }
    res
}

fn eval_as_of(graph: &Graph, params: &Params, e: &Expr) -> R<FDate> {
    let (deleted, notices, rng, alias, folded, clock) = (
        Deleted::default(),
        RefCell::default(),
        Cell::new(0),
        RefCell::default(),
        RefCell::default(),
        Clock::default(),
    );
    let ev = Ev {
        graph,
        params,
        as_of: None,
        deleted: &deleted,
        notices: &notices,
        rng: &rng,
        alias_mode: &alias,
        now: &clock,
        cancel: None,
        folded: &folded,
    };
    match ev.eval(e, &Env::Empty)? {
        Value::Date(d) => Ok(d),
        Value::String(s) => {
            FDate::parse(&s).map_err(|m| QueryError::argument("InvalidArgumentValue", m).at(e.span))
        }
        v => Err(type_err(format!("AS OF needs a date, not {} ({v})", v.type_name())).at(e.span)),
    }
}

/// True when the query has a clause that writes (in a `CALL { }`
/// subquery too).
pub fn is_updating(q: &Query) -> bool {
    std::iter::once(&q.first)
        .chain(q.unions.iter().map(|(_, s)| s))
        .any(|s| {
            s.clauses.iter().any(|c| match c {
                Clause::Subquery { query, .. } => is_updating(query),
                Clause::Foreach { .. } => true,
                c => matches!(
                    c,
                    Clause::Create { .. }
                        | Clause::Merge { .. }
                        | Clause::Set { .. }
                        | Clause::Remove { .. }
                        | Clause::Delete { .. }
                ),
            })
        })
}

/// What a statement created and deleted, to count its side effects as the
/// openCypher TCK does: as the difference between the graph before and
/// after (a node created and deleted in one statement is no change; a
/// property set to the value it had is no change; a label counts once
/// however many nodes gain it, and only if no node had it before).
/// Also the nodes and relationships the statement wrote, whose schema is
/// checked when it ends. A statement that writes nothing has none
/// (`Engine::changes` is made on the first write).
#[derive(Default)]
struct Changes {
    created_nodes: BTreeSet<NodeId>,
    deleted_nodes: BTreeSet<NodeId>,
    created_rels: BTreeSet<RelId>,
    deleted_rels: BTreeSet<RelId>,
    touched_nodes: BTreeSet<NodeId>,
    touched_rels: BTreeSet<RelId>,
}

/// The changes of a statement that wrote nothing.
static NO_CHANGES: Changes = Changes {
    created_nodes: BTreeSet::new(),
    deleted_nodes: BTreeSet::new(),
    created_rels: BTreeSet::new(),
    deleted_rels: BTreeSet::new(),
    touched_nodes: BTreeSet::new(),
    touched_rels: BTreeSet::new(),
};

impl Changes {
    fn node_deleted(&mut self, n: NodeId) {
        if !self.created_nodes.remove(&n) {
            self.deleted_nodes.insert(n);
        }
    }
    fn rel_deleted(&mut self, r: RelId) {
        if !self.created_rels.remove(&r) {
            self.deleted_rels.insert(r);
        }
    }

    fn stats(&self, before: &Before, after: &Graph) -> WriteStats {
        let mut s = WriteStats {
            nodes_created: self.created_nodes.len(),
            nodes_deleted: self.deleted_nodes.len(),
            rels_created: self.created_rels.len(),
            rels_deleted: self.deleted_rels.len(),
            ..WriteStats::default()
        };
        let diff = |s: &mut WriteStats, old: Option<PropsRef>, new: Option<PropsRef>| {
            let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
            for (k, v) in new {
                match old.get(&k) {
                    None => s.props_set += 1,
                    Some(o) if o != v => {
                        s.props_set += 1;
                        s.props_removed += 1;
                    }
                    Some(_) => {}
                }
            }
            s.props_removed += old.keys().filter(|k| !new.contains_key(k)).count();
        };
        for n in &self.created_nodes {
            diff(&mut s, None, node_props(after, n));
        }
        for n in &self.deleted_nodes {
            diff(&mut s, before.node_props(after, *n), None);
        }
        let kept_n = self
            .touched_nodes
            .iter()
            .filter(|n| !self.created_nodes.contains(n) && !self.deleted_nodes.contains(n));
        for n in kept_n {
            diff(&mut s, before.node_props(after, *n), node_props(after, n));
        }
        for r in &self.created_rels {
            diff(&mut s, None, rel_props(after, r));
        }
        for r in &self.deleted_rels {
            diff(&mut s, before.rel_props(after, *r), None);
        }
        let kept_r = self
            .touched_rels
            .iter()
            .filter(|r| !self.created_rels.contains(r) && !self.deleted_rels.contains(r));
        for r in kept_r {
            diff(&mut s, before.rel_props(after, *r), rel_props(after, r));
        }
        let lb: BTreeSet<&str> = before.labels.iter().map(String::as_str).collect();
        let la: BTreeSet<&str> = after.labels().collect();
        s.labels_added = la.difference(&lb).count();
        s.labels_removed = lb.difference(&la).count();
        s
    }
}

/// Runs a reading clause (MATCH, UNWIND, WITH, RETURN): these need only
/// read access to the graph, so EXISTS { } subqueries run them too.
fn read_clause(ev: &Ev, t: Table, c: &Clause) -> R<Table> {
    match c {
        Clause::Match {
            optional,
            pattern,
            where_,
            ..
        } => {
            let names = extend_names(t.names.clone(), &pattern.vars);
            let mut rows = Vec::new();
            let m = (pattern, where_.as_ref(), *optional);
            match_table(ev, &t, &names, m, &mut |r| {
                rows.push(r.to_vec());
                Ok(())
            })?;
            Ok(Table { names, rows })
        }
        Clause::Unwind { expr, alias, .. } => {
            let keep = vec![true; t.names.len()];
            unwind(ev, t, expr, &alias.name, &keep)
        }
        Clause::LoadCsv {
            headers,
            url,
            alias,
            sep,
            ..
        } => load_csv(ev, t, (*headers, url, *sep, true), &alias.name),
        Clause::With(p) => project(ev, t, p, false),
        Clause::Return(p) => project(ev, t, p, true),
        _ => Err(QueryError::semantic(
            "InvalidClauseComposition",
            "a subquery expression (EXISTS { }, COUNT { }) cannot contain updating clauses",
        )),
    }
}

/// `EXISTS { <query> }`: runs the subquery's clauses with the outer row's
/// variables in scope; true when some part yields at least one row.
pub(crate) fn exists_query(ev: &Ev, q: &Query, env: &Env) -> R<bool> {
    let (names, vals) = env.flatten();
    for sq in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
        if !subquery_part(ev, sq, &names, &vals)?.rows.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `COUNT { query }`: how many rows the query returns for the row `env`
/// (the rows a UNION of them returns, as the query alone would).
pub(crate) fn count_query(ev: &Ev, q: &Query, env: &Env) -> R<i64> {
    let (names, vals) = env.flatten();
    let (_, rows) = union_of(q, |sq| {
        let t = subquery_part(ev, sq, &names, &vals)?;
        Ok((t.names, t.rows))
    })?;
    Ok(i64::try_from(rows.len()).unwrap_or(i64::MAX))
}

/// `COLLECT { query }`: the values of the one column the query returns
/// for the row `env`, in its order (of a UNION, its rows as the query
/// alone would give them).
pub(crate) fn collect_query(ev: &Ev, q: &Query, env: &Env) -> R<Vec<Value>> {
    let (names, vals) = env.flatten();
    let (columns, rows) = union_of(q, |sq| {
        let t = subquery_part(ev, sq, &names, &vals)?;
        Ok((t.names, t.rows))
    })?;
    if columns.len() != 1 {
        return Err(QueryError::semantic(
            "InvalidCollectSubquery",
            format!(
                "a COLLECT subquery returns one column, not {}: {columns:?}",
                columns.len()
            ),
        ));
    }
    Ok(rows
        .into_iter()
        .filter_map(|r| r.into_iter().next())
        .collect())
}

/// One part of a subquery run for the outer row (`names`, `vals`): its
/// rows as they come out of its last clause (a part without RETURN gives
/// its rows as they are).
fn subquery_part(ev: &Ev, sq: &SingleQuery, names: &[String], vals: &[Value]) -> R<Table> {
    let mut t = Table {
        names: names.to_vec(),
        rows: vec![vals.to_vec()],
    };
    for c in &sq.clauses {
        // No early exit on an empty table: an aggregating WITH or
        // RETURN still yields a row from no rows.
        t = read_clause(ev, t, c)?;
    }
    Ok(t)
}

/// The columns and rows of `q`, each of its parts run by `part`: the
/// parts must return the same columns; UNION drops repeated rows, UNION
/// ALL keeps them.
fn union_of(
    q: &Query,
    mut part: impl FnMut(&SingleQuery) -> R<(Vec<String>, Vec<Vec<Value>>)>,
) -> R<(Vec<String>, Vec<Vec<Value>>)> {
    let (columns, mut rows) = part(&q.first)?;
    let mut distinct = false;
    for (all, sq) in &q.unions {
        let (cols, more) = part(sq)?;
        if cols != columns {
            return Err(QueryError::semantic(
                "DifferentColumnsInUnion",
                format!(
                    "all parts of a UNION must return the same columns: {columns:?} vs {cols:?}"
                ),
            )
            .at(sq.span));
        }
        distinct |= !all;
        rows.extend(more);
    }
    if distinct {
        let mut seen = KeySet::default();
        rows.retain(|r| seen.insert(row_key(r)));
    }
    Ok((columns, rows))
}

// ---- projection: WITH and RETURN -----------------------------------

/// Hands each row of a projection's input to the sink it is given.
type Feed<'f> = dyn FnMut(&mut dyn FnMut(&[Value]) -> R<()>) -> R<()> + 'f;

fn project(ev: &Ev, t: Table, p: &Projection, is_return: bool) -> R<Table> {
    project_rows(ev, &t.names, p, is_return, &mut |sink| {
        t.rows.iter().try_for_each(|r| sink(r))
    })
}

/// A MATCH and the WITH or RETURN after it, the matched rows projected as
/// they are found: an aggregation holds its groups, DISTINCT its distinct
/// rows, never every row the MATCH found.
///
/// After a LOAD CSV, `position` says whether its rows carry their record
/// number and file (for `linenumber()` and `file()`).
fn match_project(
    ev: &Ev,
    t: Table,
    m: &Clause,
    p: &Projection,
    is_return: bool,
    position: bool,
) -> R<Table> {
    if let Clause::LoadCsv {
        headers,
        url,
        alias,
        sep,
        ..
    } = m
    {
        // The records, too, go to the projection as they are read.
        let names = load_csv_names(&t, &alias.name, position);
        return project_rows(ev, &names, p, is_return, &mut |sink| {
            load_csv_rows(ev, &t, (*headers, url, *sep, position), sink)
        });
    }
    let Clause::Match {
        optional,
        pattern,
        where_,
        ..
    } = m
    else {
        return project(ev, read_clause(ev, t, m)?, p, is_return);
    };
    let names = extend_names(t.names.clone(), &pattern.vars);
    let m = (pattern, where_.as_ref(), *optional);
    project_rows(ev, &names, p, is_return, &mut |sink| {
        match_table(ev, &t, &names, m, sink)
    })
}

/// A MATCH (`pattern`, its WHERE, whether OPTIONAL) of each row of `t`,
/// every row it makes (laid out as `names`) handed to `sink` as it is found.
fn match_table(
    ev: &Ev,
    t: &Table,
    names: &[String],
    (pattern, where_, optional): (&super::ast::Pattern, Option<&Expr>, bool),
    sink: &mut dyn FnMut(&[Value]) -> R<()>,
) -> R<()> {
    for r in &t.rows {
        ev.check()?;
        match_each(ev, names, r, pattern, where_, optional, &mut |m| {
            sink(m)?;
            Ok(true)
        })?;
    }
    Ok(())
}

/// WITH or RETURN of the rows `feed` hands over, laid out as `names`.
fn project_rows(
    ev: &Ev,
    names: &[String],
    p: &Projection,
    is_return: bool,
    feed: &mut Feed,
) -> R<Table> {
    // (column name, expression)
    let mut items: Vec<(String, &Expr)> = Vec::new();
    let star_vars: Vec<Expr>;
    if p.star {
        let mut vars: Vec<&String> = names.iter().filter(|n| !is_hidden(n)).collect();
        if is_return {
            vars.sort();
        }
        star_vars = vars
            .iter()
            .map(|n| Expr {
                kind: ExprKind::Var((*n).clone()),
                span: p.span,
            })
            .collect();
        for (n, e) in vars.iter().zip(&star_vars) {
            items.push(((*n).clone(), e));
        }
    }
    for it in &p.items {
        let name = match &it.alias {
            Some(a) => a.name.clone(),
            None => match (&it.expr.kind, is_return) {
                (ExprKind::Var(v), false) => v.clone(),
                (_, _) => it.text.clone(),
            },
        };
        items.push((name, &it.expr));
    }
    let aggregating = items.iter().any(|(_, e)| contains_aggregate(e));
    // After an aggregation or DISTINCT, ORDER BY and WHERE see only the
    // projected variables (a subquery there does not import the others).
    let grouped = (aggregating || p.distinct) && !p.star;
    // A LOAD CSV row's record number and file stay with it through a WITH
    // that keeps the rows as rows (no aggregation, no DISTINCT): Neo4j
    // keeps them on the row, for `linenumber()` and `file()` later on.
    let carried: Vec<Expr>;
    if !is_return && !aggregating && !p.distinct {
        let position = super::load_csv::POSITION_COLUMNS;
        carried = position
            .iter()
            .filter(|c| names.iter().any(|n| n == *c))
            .map(|c| Expr {
                kind: ExprKind::Var(c.to_string()),
                span: p.span,
            })
            .collect();
        for e in &carried {
            if let ExprKind::Var(n) = &e.kind {
                items.push((n.clone(), e));
            }
        }
    }
    let out_names: Vec<String> = items.iter().map(|(n, _)| n.clone()).collect();

    // Each output row with the row (or group representative) it came
    // from, and the aggregate values computed for it.
    let mut out: Vec<Projected> = Vec::new();
    if aggregating {
        let mut agg_exprs: Vec<&Expr> = Vec::new();
        for (_, e) in &items {
            visit_aggs(e, &mut |x| agg_exprs.push(x));
        }
        for s in &p.order_by {
            visit_aggs(&s.expr, &mut |x| agg_exprs.push(x));
        }
        let key_items: Vec<usize> = (0..items.len())
            .filter(|i| !contains_aggregate(items[*i].1))
            .collect();
        let mut groups: Vec<(Vec<Value>, Vec<Value>, Vec<AccD>)> = Vec::new();
        let mut index: KeyMap<usize> = KeyMap::default();
        feed(&mut |r| {
            ev.check()?;
            let env = Env::row(names, r);
            let key: Vec<Value> = key_items
                .iter()
                .map(|i| ev.eval(items[*i].1, &env))
                .collect::<R<_>>()?;
            // Without keys there is one group: no key to build or look up.
            let k = if key_items.is_empty() {
                Key::new()
            } else {
                row_key(&key)
            };
            let found = if key_items.is_empty() {
                (!groups.is_empty()).then_some(0)
            } else {
                index.get(&k).copied()
            };
            let gi = match found {
                Some(g) => g,
                None => {
                    let accs = agg_exprs
                        .iter()
                        .map(|e| Acc::start(e))
                        .collect::<R<Vec<_>>>()?;
                    groups.push((key, r.to_vec(), accs));
                    index.insert(k, groups.len() - 1);
                    groups.len() - 1
                }
            };
            for (a, e) in groups[gi].2.iter_mut().zip(&agg_exprs) {
                a.add(ev, e, &env)?;
            }
            Ok(())
        })?;
        if groups.is_empty() && key_items.is_empty() {
            let accs = agg_exprs
                .iter()
                .map(|e| Acc::start(e))
                .collect::<R<Vec<_>>>()?;
            groups.push((Vec::new(), vec![Value::Null; names.len()], accs));
        }
        for (key, rep, accs) in groups {
            let mut aggs = HashMap::new();
            for (a, e) in accs.into_iter().zip(&agg_exprs) {
                aggs.insert(*e as *const Expr as usize, a.finish()?);
            }
            let base = Env::row(names, &rep);
            let env = Env::Aggs {
                vals: &aggs,
                parent: &base,
            };
            let mut vals = Vec::with_capacity(items.len());
            let mut ki = 0;
            for (i, (_, e)) in items.iter().enumerate() {
                if key_items.get(ki) == Some(&i) {
                    vals.push(key[ki].clone());
                    ki += 1;
                } else {
                    vals.push(ev.eval(e, &env)?);
                }
            }
            out.push((vals, rep, aggs));
        }
    } else {
        // Only ORDER BY and WHERE read the input row after this.
        let keep_input = !p.order_by.is_empty() || p.where_.is_some();
        // DISTINCT keeps the first of equal rows, as they come. When the
        // items are functions of a few columns alone, rows equal in those
        // columns give equal results: they are dropped before the items
        // are evaluated (`RETURN DISTINCT b.name` reads each `b` once).
        let mut seen = p.distinct.then(KeySet::default);
        let inputs = if p.distinct {
            distinct_inputs(&items, names)
        } else {
            None
        };
        let mut inputs = inputs;
        let mut seen_inputs = KeySet::default();
        let mut i = 0;
        feed(&mut |r| {
            ev.check()?;
            i += 1;
            if let Some(cols) = &inputs {
                let mut k = Key::new();
                for &c in cols {
                    super::compare::exact_key(r.get(c).unwrap_or(&Value::Null), &mut k);
                }
                // A long key is not kept (its row is evaluated as usual).
                if k.len() <= MAX_INPUT_KEY && !seen_inputs.insert(k) {
                    return Ok(());
                }
                // The shortcut pays only when inputs repeat: once most of
                // them are new, or too many are kept, it stops and lets
                // its keys go (every row is evaluated from then on).
                if i % 1024 == 0
                    && (seen_inputs.len() * 2 > i || seen_inputs.len() > MAX_INPUT_KEYS)
                {
                    inputs = None;
                    seen_inputs = KeySet::default();
                }
            }
            let env = Env::row(names, r);
            let vals = items
                .iter()
                .map(|(_, e)| ev.eval(e, &env))
                .collect::<R<Vec<_>>>()?;
            if let Some(seen) = &mut seen
                && !seen.insert(row_key(&vals))
            {
                return Ok(());
            }
            let input = if keep_input { r.to_vec() } else { Vec::new() };
            out.push((vals, input, HashMap::new()));
            Ok(())
        })?;
    }

    if p.distinct && aggregating {
        let mut seen = KeySet::default();
        out.retain(|(v, _, _)| seen.insert(row_key(v)));
    }
    if !p.order_by.is_empty() {
        let mut keyed: Vec<(Vec<Value>, Projected)> = Vec::new();
        for o in out {
            let input = (names, o.1.as_slice(), grouped);
            let keys = sort_keys(ev, &p.order_by, &out_names, &o.0, input, &o.2)?;
            keyed.push((keys, o));
        }
        keyed.sort_by(|(a, _), (b, _)| {
            for ((x, y), s) in a.iter().zip(b).zip(&p.order_by) {
                let o = order(x, y);
                let o = if s.descending { o.reverse() } else { o };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
        out = keyed.into_iter().map(|(_, o)| o).collect();
    }
    let skip = count_arg(ev, p.skip.as_ref(), "SKIP")?.unwrap_or(0);
    let limit = count_arg(ev, p.limit.as_ref(), "LIMIT")?;
    let mut rows: Vec<Projected> = out
        .into_iter()
        .skip(skip)
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    if let Some(w) = &p.where_ {
        let mut kept = Vec::new();
        for o in rows {
            let input = Env::row(names, &o.1);
            let dropped = Env::Dropped { parent: &input };
            let base = if grouped { &dropped } else { &input };
            let aggs = Env::Aggs {
                vals: &o.2,
                parent: base,
            };
            let env = Env::Row {
                names: &out_names,
                vals: &o.0,
                parent: Some(&aggs),
            };
            if ev.test(w, &env)? {
                kept.push(o);
            }
        }
        rows = kept;
    }
    Ok(Table {
        names: out_names,
        rows: rows.into_iter().map(|(v, _, _)| v).collect(),
    })
}

/// The columns of a RETURN and their expressions (`*` first, sorted).
/// The columns of a RETURN over rows laid out as `names`, and the
/// expressions of `*` (each variable in scope, by name) that come before
/// the listed items' own.
fn return_items(names: &[String], p: &Projection) -> (Vec<String>, Vec<Expr>) {
    let mut columns = Vec::with_capacity(p.items.len());
    let mut star = Vec::new();
    if p.star {
        let mut vars: Vec<&String> = names.iter().filter(|n| !is_hidden(n)).collect();
        vars.sort();
        for n in vars {
            star.push(Expr {
                kind: ExprKind::Var(n.clone()),
                span: p.span,
            });
            columns.push(n.clone());
        }
    }
    for it in &p.items {
        columns.push(match &it.alias {
            Some(a) => a.name.clone(),
            None => it.text.clone(),
        });
    }
    (columns, star)
}

fn node_props<'g>(g: &'g Graph, n: &NodeId) -> Option<PropsRef<'g>> {
    g.node(*n).map(|x| x.props)
}
fn rel_props<'g>(g: &'g Graph, r: &RelId) -> Option<PropsRef<'g>> {
    g.rel(*r).map(|x| x.props)
}

/// Where a query's result rows go, one by one, with the columns they are
/// laid out by: returns false when no more rows are wanted.
type Emit<'x> = dyn FnMut(&Ev, &[String], Vec<Value>) -> R<bool> + 'x;

/// A table of rows, each laid out by `names`.
struct Table {
    names: Vec<String>,
    rows: Vec<Vec<Value>>,
}

/// An output row of a projection, the input row (or group representative)
/// it came from, and the values of its aggregating calls.
/// DISTINCT's shortcut keeps input keys up to this long,
const MAX_INPUT_KEY: usize = 256;
/// and at most this many of them.
const MAX_INPUT_KEYS: usize = 1 << 16;

/// The columns a DISTINCT projection's items read, when they are all
/// functions of those columns alone (no pattern, subquery, clock or random
/// number), and fewer than the items are plain variables; None otherwise.
fn distinct_inputs(items: &[(String, &Expr)], names: &[String]) -> Option<Vec<usize>> {
    if items
        .iter()
        .all(|(_, e)| matches!(e.kind, ExprKind::Var(_)))
    {
        return None;
    }
    let mut vars: Vec<&str> = Vec::new();
    for (_, e) in items {
        if !column_function(e, &mut vars) {
            return None;
        }
    }
    // A name that is no column is a comprehension's own variable (or
    // undefined, which fails at the first row either way).
    let mut cols: Vec<usize> = vars
        .iter()
        .filter_map(|v| names.iter().position(|n| n == v))
        .collect();
    cols.sort_unstable();
    cols.dedup();
    Some(cols)
}

/// Whether `e`'s value depends on nothing but the variables it names
/// (pushed to `vars`), the graph and the parameters.
fn column_function<'e>(e: &'e Expr, vars: &mut Vec<&'e str>) -> bool {
    fn all<'e>(es: &mut dyn Iterator<Item = &'e Expr>, vars: &mut Vec<&'e str>) -> bool {
        for x in es {
            if !column_function(x, vars) {
                return false;
            }
        }
        true
    }
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Param(_) => true,
        ExprKind::Var(v) => {
            vars.push(v);
            true
        }
        ExprKind::List(xs) => all(&mut xs.iter(), vars),
        ExprKind::Map(kv) => all(&mut kv.iter().map(|(_, x)| x), vars),
        ExprKind::Property(x, _)
        | ExprKind::Unary(_, x)
        | ExprKind::IsNull(x)
        | ExprKind::IsNotNull(x)
        | ExprKind::HasLabels(x, _) => column_function(x, vars),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            column_function(a, vars) && column_function(b, vars)
        }
        ExprKind::Slice(a, b, c) => {
            column_function(a, vars) && all(&mut b.iter().chain(c.iter()).map(|x| &**x), vars)
        }
        ExprKind::FnCall {
            name,
            distinct: false,
            args,
            ..
        } => {
            let n = name.to_ascii_lowercase();
            // rand(), the clock (timestamp(), date() and its kin without
            // arguments, the realtime/statement/transaction forms).
            let varies = n == "rand"
                || n == "randomuuid"
                || n == "timestamp"
                || n.contains("realtime")
                || n.contains("statement")
                || n.contains("transaction")
                || (args.is_empty() && n != "pi" && n != "e");
            !varies && all(&mut args.iter(), vars)
        }
        ExprKind::Case {
            subject,
            whens,
            else_,
        } => all(
            &mut subject
                .iter()
                .map(|x| &**x)
                .chain(whens.iter().flat_map(|(a, b)| [a, b]))
                .chain(else_.iter().map(|x| &**x)),
            vars,
        ),
        ExprKind::ListComprehension {
            list, filter, map, ..
        } => all(
            &mut std::iter::once(&**list)
                .chain(filter.iter().map(|x| &**x))
                .chain(map.iter().map(|x| &**x)),
            vars,
        ),
        ExprKind::Quantified { list, filter, .. } => all(
            &mut std::iter::once(&**list).chain(filter.iter().map(|x| &**x)),
            vars,
        ),
        ExprKind::Reduce {
            init, list, expr, ..
        } => all(&mut [&**init, &**list, &**expr].into_iter(), vars),
        ExprKind::FnCall { .. }
        | ExprKind::CountStar
        | ExprKind::PatternComprehension { .. }
        | ExprKind::PatternPredicate(_)
        | ExprKind::ExistsSubquery { .. }
        | ExprKind::MapProjection(..) => false,
    }
}

type Projected = (Vec<Value>, Vec<Value>, HashMap<usize, Value>);

/// Hidden names never collide with user variables: they start with NUL,
/// which the lexer refuses in an identifier (a quoted one may start with a
/// space).
fn is_hidden(name: &str) -> bool {
    name.starts_with('\0')
}

/// Which columns of `t` the clauses `rest` may read: the others can be
/// dropped before a clause that copies each row into every row it yields
/// (`WITH collect(n) AS ns UNWIND ns AS n` would otherwise copy the whole
/// list into each of its rows, quadratic in the list). Judged from the
/// clauses' text, conservatively: a column whose name appears there
/// anywhere, any `*`, or a name the text may spell otherwise keeps it.
fn unread(t: &Table, rest: &[Clause]) -> Vec<bool> {
    // Copying small values costs less than deciding: only a table holding
    // a long list, map, path or text is worth the clauses' text.
    let big = |v: &Value| match v {
        Value::List(x) => x.len() >= 16,
        Value::Map(x) => x.len() >= 16,
        Value::Path(_) => true,
        Value::String(x) => x.len() >= 256,
        _ => false,
    };
    if !t.rows.iter().flatten().any(big) {
        return vec![true; t.names.len()];
    }
    let text: String = rest.iter().map(|c| format!("{c}\n")).collect();
    // `RETURN *` and `WITH *` read every column; the printer spells them
    // exactly so (`count(*)` and `[*..3]` read none).
    let star = ["WITH *", "WITH DISTINCT *", "RETURN *", "RETURN DISTINCT *"]
        .iter()
        .any(|s| text.contains(s));
    t.names
        .iter()
        .map(|n| star || is_hidden(n) || n.contains('`') || text.contains(n.as_str()))
        .collect()
}

/// The table a `CALL { }` subquery part starts from for the outer row
/// `row` (laid out as `names`): the variables it imports, bound.
fn subquery_seed(
    scope: &SubqueryScope,
    part: &SingleQuery,
    names: &[String],
    row: &[Value],
) -> Table {
    let everything = || Table {
        names: names.to_vec(),
        rows: vec![row.to_vec()],
    };
    match scope {
        SubqueryScope::All => everything(),
        SubqueryScope::Leading if super::check::imports_by_with(part) => everything(),
        SubqueryScope::Leading => Table {
            names: Vec::new(),
            rows: vec![Vec::new()],
        },
        SubqueryScope::Vars(vars) => {
            // The imported variables, and a LOAD CSV row's record number
            // and file (hidden columns) for `linenumber()` and `file()`.
            let position = super::load_csv::POSITION_COLUMNS;
            let picked: Vec<&str> = vars
                .iter()
                .map(|v| v.name.as_str())
                .chain(
                    position
                        .into_iter()
                        .filter(|c| names.iter().any(|n| n == c)),
                )
                .collect();
            Table {
                names: picked.iter().map(|n| n.to_string()).collect(),
                rows: vec![
                    picked
                        .iter()
                        .map(|p| {
                            names
                                .iter()
                                .position(|n| n == p)
                                .and_then(|i| row.get(i).cloned())
                                .unwrap_or(Value::Null)
                        })
                        .collect(),
                ],
            }
        }
    }
}

/// `row` without the columns `keep` says no.
fn kept<T>(row: Vec<T>, keep: &[bool]) -> Vec<T> {
    row.into_iter()
        .zip(keep)
        .filter_map(|(x, k)| k.then_some(x))
        .collect()
}

/// `t` with only the columns `keep` says yes to.
fn keep_columns(t: Table, keep: &[bool]) -> Table {
    if keep.iter().all(|k| *k) {
        return t;
    }
    Table {
        names: kept(t.names, keep),
        rows: t.rows.into_iter().map(|r| kept(r, keep)).collect(),
    }
}

/// UNWIND: a row per item of the list `expr` gives for each input row,
/// carrying the columns `keep` says yes to and the item as `alias`.
fn unwind(ev: &Ev, t: Table, expr: &Expr, alias: &str, keep: &[bool]) -> R<Table> {
    let mut names = kept(t.names.clone(), keep);
    names.push(alias.to_string());
    let mut rows = Vec::new();
    for r in &t.rows {
        ev.check()?;
        let items = match ev.eval(expr, &Env::row(&t.names, r))? {
            Value::Null => vec![],
            Value::List(items) => items,
            v => vec![v],
        };
        let base = kept(r.clone(), keep);
        for it in items {
            let mut nr = base.clone();
            nr.push(it);
            rows.push(nr);
        }
    }
    Ok(Table { names, rows })
}

/// A LOAD CSV: whether WITH HEADERS, the location, the separator, and
/// whether its rows carry their record number and file (the hidden
/// columns [`super::load_csv::LINE_COLUMN`] and `FILE_COLUMN`, read by
/// `linenumber()` and `file()`).
type LoadCsvArgs<'e> = (bool, &'e Expr, char, bool);

/// `LOAD CSV`: each row followed by each record of the file its `url`
/// names (see [`super::load_csv`]), read as the rows are made: the file's
/// records are never all held apart from the table.
fn load_csv(ev: &Ev, t: Table, args: LoadCsvArgs<'_>, alias: &str) -> R<Table> {
    let names = load_csv_names(&t, alias, args.3);
    let mut rows = Vec::new();
    load_csv_rows(ev, &t, args, &mut |r| {
        rows.push(r.to_vec());
        Ok(())
    })?;
    Ok(Table { names, rows })
}

/// The columns of a LOAD CSV's rows over `t`: the record as `alias`, then
/// with `position` its number and file.
fn load_csv_names(t: &Table, alias: &str, position: bool) -> Vec<String> {
    let mut names = t.names.clone();
    names.push(alias.to_string());
    if position {
        names.push(super::load_csv::LINE_COLUMN.to_string());
        names.push(super::load_csv::FILE_COLUMN.to_string());
    }
    names
}

/// The rows of `LOAD CSV` over `t` (each row of `t`, then the record, and
/// with `position` its number and file), handed to `sink` as each record
/// is read.
fn load_csv_rows(
    ev: &Ev,
    t: &Table,
    (headers, url, sep, position): LoadCsvArgs<'_>,
    sink: &mut dyn FnMut(&[Value]) -> R<()>,
) -> R<()> {
    let mut nr: Vec<Value> = Vec::new();
    for r in &t.rows {
        ev.check()?;
        let location = match ev.eval(url, &Env::row(&t.names, r))? {
            Value::String(s) => s,
            v => {
                return Err(QueryError::new(
                    crate::error::ErrorClass::TypeError,
                    "InvalidArgumentType",
                    format!("LOAD CSV FROM takes a string, not {}", v.type_name()),
                )
                .at(url.span));
            }
        };
        let mut n = 0usize;
        // The file's name, made a value once (not once a record).
        let mut file: Option<Value> = None;
        super::load_csv::each_row(&location, headers, sep, |rec, line, path| {
            n += 1;
            if n.is_multiple_of(4096) {
                ev.check()?;
            }
            nr.clear();
            nr.extend_from_slice(r);
            nr.push(rec);
            if position {
                nr.push(Value::Int(line));
                nr.push(
                    file.get_or_insert_with(|| Value::String(path.to_string()))
                        .clone(),
                );
            }
            sink(&nr)
        })
        .map_err(|e| if e.span.is_none() { e.at(url.span) } else { e })?;
    }
    Ok(())
}

struct Engine<'g> {
    graph: &'g mut Graph,
    params: &'g Params,
    as_of: Option<FDate>,
    changes: Option<Box<Changes>>,
    /// Mutations done, see [`WriteStats::writes`].
    writes: usize,
    deleted: Deleted,
    notices: RefCell<Vec<String>>,
    rng: Cell<u64>,
    alias_mode: RefCell<HashMap<String, bool>>,
    folded: super::expr::Folded,
    now: Clock,
    cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// The procedures added to the built-ins, for CALL.
    procedures: Option<std::sync::Arc<super::procedures::Procedures>>,
    /// For PROFILE: each clause of the statement (not of its subqueries)
    /// as it ran, with the rows after it; None when not profiling.
    profile: Option<Vec<(String, usize)>>,
    /// How deep in `CALL { }` subqueries the engine is.
    sub_depth: usize,
    /// Commits the writes so far, for `CALL { } IN TRANSACTIONS`; None
    /// where batches cannot commit on their own (the statement is part of
    /// one its caller opened).
    batch_commit: Option<&'g mut BatchCommit<'g>>,
    /// Where the part of the statement not committed yet starts: its
    /// beginning, or the end of its last committed batch.
    mark: Mark,
    /// The write counts of the batches committed.
    committed: WriteStats,
}

/// Makes the writes a statement made so far durable and closes its undo
/// log, for `CALL { } IN TRANSACTIONS`: on return the graph is in a new
/// open statement (the database's hook writes them to the log; without a
/// log there is nothing to write). On error nothing is committed.
pub type BatchCommit<'a> = dyn FnMut(&mut Graph) -> Result<(), QueryError> + 'a;

/// A `CALL { } IN TRANSACTIONS` clause as [`Engine::in_batches`] runs it.
#[derive(Clone, Copy)]
struct Batched<'q> {
    optional: bool,
    scope: &'q SubqueryScope,
    query: &'q Query,
    tx: &'q InTransactions,
    /// Whether the rows are wanted (not by a last clause).
    keep_rows: bool,
}

/// The batch size of `IN TRANSACTIONS` without `OF n ROWS`, as in Neo4j.
const BATCH_DEFAULT: usize = 1000;

impl<'g> Engine<'g> {
    fn new(graph: &'g mut Graph, params: &'g Params, as_of: Option<FDate>) -> Engine<'g> {
        let mark = graph.mark();
        Engine {
            graph,
            params,
            as_of,
            changes: None,
            writes: 0,
            deleted: Deleted::default(),
            notices: RefCell::new(Vec::new()),
            // Seeded from the clock by the first rand().
            rng: Cell::new(0),
            alias_mode: RefCell::new(HashMap::new()),
            folded: RefCell::default(),
            now: Clock::default(),
            cancel: None,
            procedures: None,
            profile: None,
            sub_depth: 0,
            mark,
            batch_commit: None,
            committed: WriteStats::default(),
        }
    }

    /// Counts the rows after clause `c` for PROFILE.
    fn profiled(&mut self, c: &Clause, rows: usize) {
        if self.sub_depth == 0
            && let Some(p) = &mut self.profile
        {
            p.push((c.to_string(), rows));
        }
    }

    fn ev(&self) -> Ev<'_> {
        Ev {
            graph: self.graph,
            params: self.params,
            as_of: self.as_of,
            deleted: &self.deleted,
            notices: &self.notices,
            rng: &self.rng,
            alias_mode: &self.alias_mode,
            now: &self.now,
            cancel: self.cancel.as_deref(),
            folded: &self.folded,
        }
    }

    fn run_query(&mut self, q: &Query) -> R<(Vec<String>, Vec<Vec<Value>>)> {
        union_of(q, |sq| self.run_single(sq))
    }

    /// Runs the query and hands each result row to `emit` (which returns
    /// false to stop); returns the columns. A query ending in
    /// `MATCH ... RETURN` without aggregation, DISTINCT or ORDER BY hands
    /// its rows over as the matcher finds them, and stops matching once its
    /// LIMIT is reached; other shapes are computed whole first.
    fn run_query_into(&mut self, q: &Query, emit: &mut Emit) -> R<Vec<String>> {
        if q.unions.is_empty()
            && let Some(cols) = self.stream_single(&q.first, emit)?
        {
            return Ok(cols);
        }
        let (columns, rows) = self.run_query(q)?;
        let ev = self.ev();
        for r in rows {
            if !emit(&ev, &columns, r)? {
                break;
            }
        }
        Ok(columns)
    }

    /// [`Engine::run_query_into`] for one part whose RETURN can stream:
    /// None when it cannot (nothing has run then).
    fn stream_single(&mut self, q: &SingleQuery, emit: &mut Emit) -> R<Option<Vec<String>>> {
        let Some((Clause::Return(p), before)) = q.clauses.split_last() else {
            return Ok(None);
        };
        // PROFILE counts every clause's rows: the pipeline runs whole.
        if self.profile.is_some() {
            return Ok(None);
        }
        if p.distinct
            || !p.order_by.is_empty()
            || p.where_.is_some()
            || p.items.iter().any(|it| contains_aggregate(&it.expr))
            || super::counts::count_by_type(q).is_some()
        {
            return Ok(None);
        }
        // The last MATCH streams; everything before it runs as usual.
        let (last_match, before) = match before.split_last() {
            Some((m @ Clause::Match { .. }, rest)) => (Some(m), rest),
            _ => (None, before),
        };
        // A query that starts with its MATCH has one empty input row.
        let start = [Vec::new()];
        let mut t = None;
        for c in before {
            let input = t.take().unwrap_or_else(|| Table {
                names: Vec::new(),
                rows: vec![Vec::new()],
            });
            t = Some(self.clause(input, c)?);
        }
        let ev = self.ev();
        let (input_names, input_rows) = match &t {
            Some(t) => (&t.names[..], &t.rows[..]),
            None => (&[][..], &start[..]),
        };
        let names: Cow<[String]> = match last_match {
            Some(Clause::Match { pattern, .. }) if input_names.is_empty() => {
                Cow::Borrowed(&pattern.vars)
            }
            Some(Clause::Match { pattern, .. }) => {
                Cow::Owned(extend_names(input_names.to_vec(), &pattern.vars))
            }
            _ => Cow::Borrowed(input_names),
        };
        let (columns, star) = return_items(&names, p);
        let exprs = || star.iter().chain(p.items.iter().map(|it| &it.expr));
        let mut skip = count_arg(&ev, p.skip.as_ref(), "SKIP")?.unwrap_or(0);
        let mut left = count_arg(&ev, p.limit.as_ref(), "LIMIT")?.unwrap_or(usize::MAX);
        if left == 0 {
            return Ok(Some(columns));
        }
        // Projects one row and hands it over; false once nothing more is wanted.
        let mut out = |ev: &Ev, row: &[Value]| -> R<bool> {
            if skip > 0 {
                skip -= 1;
                return Ok(true);
            }
            let env = Env::row(&names, row);
            let vals = exprs().map(|e| ev.eval(e, &env)).collect::<R<Vec<_>>>()?;
            left -= 1;
            Ok(emit(ev, &columns, vals)? && left > 0)
        };
        for r in input_rows {
            ev.check()?;
            let Some(Clause::Match {
                optional,
                pattern,
                where_,
                ..
            }) = last_match
            else {
                if !out(&ev, r)? {
                    break;
                }
                continue;
            };
            let go_on = match_each(
                &ev,
                &names,
                r,
                pattern,
                where_.as_ref(),
                *optional,
                &mut |m| out(&ev, m),
            )?;
            if !go_on {
                break;
            }
        }
        Ok(Some(columns))
    }

    fn run_single(&mut self, q: &SingleQuery) -> R<(Vec<String>, Vec<Vec<Value>>)> {
        if let Some(c) = super::counts::count_by_type(q) {
            return super::counts::run(&self.ev(), &c);
        }
        let t = Table {
            names: Vec::new(),
            rows: vec![Vec::new()],
        };
        if super::procedures::is_standalone(q) {
            // Its rows are the result, with its outputs as the columns;
            // one of a procedure without outputs returns nothing.
            let out = self.clause(t, &q.clauses[0])?;
            self.profiled(&q.clauses[0], out.rows.len());
            let rows = if out.names.is_empty() {
                Vec::new()
            } else {
                out.rows
            };
            return Ok((out.names, rows));
        }
        self.run_clauses(q, t)
    }

    /// The clauses of `q` over the rows of `t`: the result's columns and
    /// rows (none for a query part without RETURN).
    fn run_clauses(&mut self, q: &SingleQuery, mut t: Table) -> R<(Vec<String>, Vec<Vec<Value>>)> {
        let mut fused = false;
        for (i, c) in q.clauses.iter().enumerate() {
            if std::mem::take(&mut fused) {
                continue;
            }
            if let Clause::Return(p) = c {
                let out = project(&self.ev(), t, p, true)?;
                self.profiled(c, out.rows.len());
                return Ok((out.names, out.rows));
            }
            let profiling = self.profile.is_some();
            // A clause that copies each row into many should not copy
            // columns nothing reads any more: MATCH reads its input, UNWIND
            // only its list.
            t = match c {
                Clause::Match { .. } | Clause::LoadCsv { .. } => {
                    let rest = q.clauses.get(i + 1..).unwrap_or(&[]);
                    let position = match c {
                        Clause::LoadCsv { .. } => {
                            let text: String = rest.iter().map(|c| format!("{c}\n")).collect();
                            super::load_csv::wants_position(&text)
                        }
                        _ => false,
                    };
                    let t = if matches!(c, Clause::Match { .. }) {
                        let keep = unread(&t, q.clauses.get(i..).unwrap_or(&[]));
                        keep_columns(t, &keep)
                    } else {
                        t
                    };
                    // A WITH or RETURN right after takes the rows as they
                    // are matched or read.
                    match (rest.first(), c) {
                        (Some(Clause::Return(p)), _) if !profiling => {
                            let out = match_project(&self.ev(), t, c, p, true, position)?;
                            return Ok((out.names, out.rows));
                        }
                        (Some(Clause::With(p)), _) if !profiling => {
                            fused = true;
                            match_project(&self.ev(), t, c, p, false, position)?
                        }
                        (
                            Some(Clause::Subquery {
                                optional,
                                scope,
                                query,
                                in_transactions: Some(tx),
                                ..
                            }),
                            Clause::LoadCsv {
                                headers,
                                url,
                                alias,
                                sep,
                                ..
                            },
                        ) if !profiling => {
                            fused = true;
                            let call = Batched {
                                optional: *optional,
                                scope,
                                query,
                                tx,
                                // The last clause: its rows are no one's.
                                keep_rows: rest.len() > 1,
                            };
                            self.load_csv_in_batches(
                                t,
                                (*headers, url, *sep, position),
                                &alias.name,
                                &call,
                            )?
                        }
                        (
                            _,
                            Clause::LoadCsv {
                                headers,
                                url,
                                alias,
                                sep,
                                ..
                            },
                        ) => load_csv(&self.ev(), t, (*headers, url, *sep, position), &alias.name)?,
                        _ => self.clause(t, c)?,
                    }
                }
                Clause::Unwind { expr, alias, .. } => {
                    let keep = unread(&t, q.clauses.get(i + 1..).unwrap_or(&[]));
                    unwind(&self.ev(), t, expr, &alias.name, &keep)?
                }
                _ => self.clause(t, c)?,
            };
            self.profiled(c, t.rows.len());
        }
        Ok((Vec::new(), Vec::new()))
    }

    fn clause(&mut self, t: Table, c: &Clause) -> R<Table> {
        match c {
            Clause::Match { .. }
            | Clause::Unwind { .. }
            | Clause::LoadCsv { .. }
            | Clause::With(_)
            | Clause::Return(_) => read_clause(&self.ev(), t, c),
            Clause::Create { pattern, .. } => {
                let names = extend_names(t.names.clone(), &pattern.vars);
                let mut rows = Vec::with_capacity(t.rows.len());
                for r in t.rows {
                    self.ev().check()?;
                    let n = r.len();
                    let mut row = r;
                    row.resize(names.len(), Value::Null);
                    let mut assigned = vec![true; n];
                    assigned.resize(names.len(), false);
                    for part in &pattern.parts {
                        self.create_part(&names, &mut row, &mut assigned, part, false)?;
                    }
                    rows.push(row);
                }
                Ok(Table { names, rows })
            }
            Clause::Merge {
                part,
                on_create,
                on_match,
                ..
            } => {
                let names =
                    extend_names(t.names.clone(), &pattern_vars(std::slice::from_ref(part)));
                let mut rows = Vec::new();
                for r in t.rows {
                    self.ev().check()?;
                    self.merge_row(&names, r, part, on_create, on_match, &mut rows)?;
                }
                Ok(Table { names, rows })
            }
            Clause::Set { items, .. } => {
                for r in &t.rows {
                    self.ev().check()?;
                    for it in items {
                        self.set_item(&t.names, r, it)?;
                    }
                }
                Ok(t)
            }
            Clause::Remove { items, .. } => {
                for r in &t.rows {
                    self.ev().check()?;
                    for it in items {
                        self.remove_item(&t.names, r, it)?;
                    }
                }
                Ok(t)
            }
            Clause::Delete {
                detach,
                exprs,
                span,
            } => {
                self.delete(&t, exprs, *detach).map_err(|e| match e.span {
                    None => e.at(*span),
                    Some(_) => e,
                })?;
                Ok(t)
            }
            Clause::Call {
                name,
                args,
                yields,
                where_,
                span,
            } => self.call(t, name, args.as_deref(), yields, where_.as_ref(), *span),
            Clause::Foreach {
                var, list, clauses, ..
            } => {
                self.foreach(&t, &var.name, list, clauses)?;
                Ok(t)
            }
            Clause::Subquery {
                optional,
                scope,
                query,
                in_transactions,
                ..
            } => {
                let Some(tx) = in_transactions else {
                    return self.subquery(&t.names, &t.rows, *optional, scope, query);
                };
                let size = self.batch_size(tx, query)?;
                let mut batches = t.rows.chunks(size).map(|b| Ok(b.to_vec()));
                let call = Batched {
                    optional: *optional,
                    scope,
                    query,
                    tx,
                    keep_rows: true,
                };
                self.in_batches(&t.names, &mut batches, &call)
            }
        }
    }

    /// FOREACH for each row of `t`, in order: the clauses over the row
    /// with `var` bound to each element of `list` in turn (none for null).
    fn foreach(&mut self, t: &Table, var: &str, list: &Expr, clauses: &[Clause]) -> R<()> {
        let mut names = t.names.clone();
        names.push(var.to_string());
        for r in &t.rows {
            self.ev().check()?;
            let items = match self.ev().eval(list, &Env::row(&t.names, r))? {
                Value::Null => Vec::new(),
                Value::List(items) => items,
                v => {
                    return Err(type_err(format!(
                        "FOREACH needs a list, not {} ({v})",
                        v.type_name()
                    ))
                    .at(list.span));
                }
            };
            for it in items {
                let mut row = r.clone();
                row.push(it);
                let mut sub = Table {
                    names: names.clone(),
                    rows: vec![row],
                };
                for c in clauses {
                    sub = self.clause(sub, c)?;
                }
            }
        }
        Ok(())
    }

    /// `CALL { query } IN TRANSACTIONS` over the rows of `t`, `size` rows
    /// a batch, each batch committed once its rows are done (as
    /// [`Engine::subquery`] of those rows). A failed batch is rolled back,
    /// then fails the statement (the batches before it stay committed, and
    /// the error says how many), or with ON ERROR CONTINUE / BREAK gives
    /// its rows (and with BREAK every later row) nulls for what the
    /// subquery returns; REPORT STATUS adds each row's batch status. The
    /// rows are kept only with `keep_rows` (a last clause's are no one's).
    fn in_batches(
        &mut self,
        in_names: &[String],
        batches: &mut dyn Iterator<Item = R<Vec<Vec<Value>>>>,
        call: &Batched,
    ) -> R<Table> {
        let Batched {
            optional,
            scope,
            query: q,
            tx,
            keep_rows,
        } = *call;
        let returned = if matches!(q.first.clauses.last(), Some(Clause::Return(_))) {
            super::check::returned_columns(q).len()
        } else {
            0
        };
        let status = |started: bool, committed: bool, id: Option<String>, error: Option<String>| {
            Value::Map(
                [
                    ("started", Value::Bool(started)),
                    ("committed", Value::Bool(committed)),
                    ("transactionId", id.map_or(Value::Null, Value::String)),
                    ("errorMessage", error.map_or(Value::Null, Value::String)),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            )
        };
        // A row of the table with nulls for the subquery's columns.
        let failed_row = |r: &Vec<Value>, s: Option<Value>| {
            let mut row = r.clone();
            row.resize(r.len() + returned, Value::Null);
            row.extend(s);
            row
        };
        let mut names = None;
        let mut rows = Vec::new();
        let mut broken = false;
        for (k, batch) in batches.enumerate() {
            // The rows of a batch may be read as the batches go (LOAD CSV
            // streams into IN TRANSACTIONS): a read error stops it all.
            let batch = batch.map_err(|e| self.after_batches(e))?;
            if broken {
                let s = || tx.report.as_ref().map(|_| status(false, false, None, None));
                if keep_rows {
                    rows.extend(batch.iter().map(|r| failed_row(r, s())));
                }
                continue;
            }
            let id = format!("transaction-{}", k + 1);
            let run = self
                .subquery(in_names, &batch, optional, scope, q)
                .and_then(|part| self.commit_batch().map(|()| part));
            match run {
                Ok(part) => {
                    names.get_or_insert(part.names);
                    let s = || {
                        tx.report
                            .as_ref()
                            .map(|_| status(true, true, Some(id.clone()), None))
                    };
                    if keep_rows {
                        rows.extend(part.rows.into_iter().map(|mut r| {
                            r.extend(s());
                            r
                        }));
                    }
                }
                Err(e) if tx.on_error == OnError::Fail || e.class == ErrorClass::Cancelled => {
                    return Err(self.after_batches(e));
                }
                Err(e) => {
                    self.rollback_batch();
                    let s = || {
                        tx.report
                            .as_ref()
                            .map(|_| status(true, false, Some(id.clone()), Some(e.message.clone())))
                    };
                    if keep_rows {
                        rows.extend(batch.iter().map(|r| failed_row(r, s())));
                    }
                    broken = tx.on_error == OnError::Break;
                }
            }
        }
        let mut names = match names {
            Some(n) => n,
            // No batch succeeded: the columns from the query itself.
            None => self.subquery(in_names, &[], optional, scope, q)?.names,
        };
        if let Some(s) = &tx.report {
            names.push(s.name.clone());
        }
        Ok(Table { names, rows })
    }

    /// `e`, which ends a statement of batches, saying how many were
    /// committed (as Neo4j does); a cancellation no longer says nothing
    /// was kept when some were.
    fn after_batches(&self, mut e: QueryError) -> QueryError {
        let n = self.committed.transactions_committed;
        if e.class == ErrorClass::Cancelled && e.detail == "Terminated" && n > 0 {
            e.message = "the statement was cancelled; the batches committed before it stay, \
                         the one it was in was taken back"
                .to_string();
        }
        e.message = format!("{} (Transactions committed: {n})", e.message);
        e
    }

    /// The rows a batch of `tx` takes (its `OF n ROWS`); says once when the
    /// batches of `q` cannot commit on their own.
    fn batch_size(&self, tx: &InTransactions, q: &Query) -> R<usize> {
        let size = match &tx.rows {
            None => BATCH_DEFAULT,
            Some(e) => match self.ev().eval(e, &Env::Empty)? {
                Value::Int(n) if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
                v => {
                    return Err(QueryError::argument(
                        "InvalidArgumentValue",
                        format!("IN TRANSACTIONS OF needs a positive integer, not {v}"),
                    )
                    .at(e.span));
                }
            },
        };
        if self.batch_commit.is_none() && is_updating(q) {
            let note = "CALL { } IN TRANSACTIONS runs inside a statement its caller opened: its batches commit with that statement";
            if !self.notices.borrow().iter().any(|n| n == note) {
                self.notices.borrow_mut().push(note.to_string());
            }
        }
        Ok(size)
    }

    /// `LOAD CSV ... CALL { } IN TRANSACTIONS`: the records read on a
    /// second thread and handed over a batch at a time, so that no more
    /// than two batches of rows are held however long the file (the file's
    /// text is read whole, as LOAD CSV alone reads it). A read error ends
    /// the statement after the batches before it.
    fn load_csv_in_batches(
        &mut self,
        t: Table,
        (headers, url, sep, position): LoadCsvArgs<'_>,
        alias: &str,
        call: &Batched,
    ) -> R<Table> {
        let names = load_csv_names(&t, alias, position);
        let size = self.batch_size(call.tx, call.query)?;
        // Each row's file, named on this thread (the URL may read the row).
        let mut sources = Vec::with_capacity(t.rows.len());
        for r in t.rows {
            let location = match self.ev().eval(url, &Env::row(&t.names, &r))? {
                Value::String(s) => s,
                v => {
                    return Err(QueryError::new(
                        ErrorClass::TypeError,
                        "InvalidArgumentType",
                        format!("LOAD CSV FROM takes a string, not {}", v.type_name()),
                    )
                    .at(url.span));
                }
            };
            sources.push((r, location));
        }
        let span = url.span;
        std::thread::scope(|s| {
            // One batch waiting while one is written.
            let (send, batches) = std::sync::mpsc::sync_channel::<R<Vec<Vec<Value>>>>(1);
            let reader = s.spawn(move || {
                let mut batch = Vec::with_capacity(size.min(BATCH_DEFAULT));
                for (r, location) in sources {
                    let mut file: Option<Value> = None;
                    let read =
                        super::load_csv::each_row(&location, headers, sep, |rec, line, path| {
                            let mut row = Vec::with_capacity(r.len() + 3);
                            row.extend_from_slice(&r);
                            row.push(rec);
                            if position {
                                row.push(Value::Int(line));
                                row.push(
                                    file.get_or_insert_with(|| Value::String(path.to_string()))
                                        .clone(),
                                );
                            }
                            batch.push(row);
                            if batch.len() >= size {
                                // The writer has stopped (it failed): stop reading.
                                send.send(Ok(std::mem::take(&mut batch))).map_err(|_| {
                                    QueryError::semantic("Stopped", "the statement stopped")
                                })?;
                            }
                            Ok(())
                        });
                    if let Err(e) = read {
                        let _ = send.send(Err(if e.span.is_none() { e.at(span) } else { e }));
                        return;
                    }
                }
                if !batch.is_empty() {
                    let _ = send.send(Ok(batch));
                }
            });
            let out = self.in_batches(&names, &mut batches.iter(), call);
            // A reader still going finds the channel closed at its next batch.
            drop(batches);
            let _ = reader.join();
            out
        })
    }

    /// The writes since [`Engine::mark`] pass the schema and the
    /// constraints (checked once a statement or a batch is done).
    fn check_written(&self) -> R<()> {
        let changes = self.changes.as_deref().unwrap_or(&NO_CHANGES);
        let nodes: Vec<NodeId> = changes.touched_nodes.iter().copied().collect();
        let rels: Vec<RelId> = changes.touched_rels.iter().copied().collect();
        self.graph.check_complete(&nodes, &rels)?;
        self.graph.check_constraints(&nodes, &rels)
    }

    /// Commits the writes since [`Engine::mark`] as one batch of
    /// `IN TRANSACTIONS` (see [`BatchCommit`]); the next batch starts here.
    fn commit_batch(&mut self) -> R<()> {
        self.check_written()?;
        let mut stats = self
            .changes
            .as_deref()
            .unwrap_or(&NO_CHANGES)
            .stats(&self.graph.before(self.mark), self.graph);
        if let Some(commit) = &mut self.batch_commit {
            commit(self.graph)?;
        }
        stats.transactions_committed = 1;
        self.committed.add(&stats);
        self.changes = None;
        self.mark = self.graph.mark();
        Ok(())
    }

    /// Takes back the writes of a failed batch (since [`Engine::mark`]).
    fn rollback_batch(&mut self) {
        self.graph.rollback_to(self.mark);
        self.changes = None;
    }

    /// `CALL { query }` for each of `rows` (laid out as `names`), in order
    /// (what one row's run writes, the next one's sees): the row extended
    /// by each row the subquery returns, or by nulls once when it returns
    /// none and the CALL is OPTIONAL; a subquery without RETURN keeps the
    /// row as it is.
    fn subquery(
        &mut self,
        in_names: &[String],
        in_rows: &[Vec<Value>],
        optional: bool,
        scope: &SubqueryScope,
        q: &Query,
    ) -> R<Table> {
        let returns = matches!(q.first.clauses.last(), Some(Clause::Return(_)));
        // The columns it adds, for a table with no rows too.
        let mut cols = super::check::returned_columns(q);
        let mut rows = Vec::new();
        for r in in_rows {
            self.ev().check()?;
            self.sub_depth += 1;
            let run = union_of(q, |sq| {
                let seed = subquery_seed(scope, sq, in_names, r);
                self.run_clauses(sq, seed)
            });
            self.sub_depth -= 1;
            let (sub_cols, sub_rows) = run?;
            if !returns {
                rows.push(r.clone());
                continue;
            }
            cols = sub_cols;
            if sub_rows.is_empty() && optional {
                let mut row = r.clone();
                row.resize(r.len() + cols.len(), Value::Null);
                rows.push(row);
            }
            for s in sub_rows {
                let mut row = Vec::with_capacity(r.len() + s.len());
                row.extend_from_slice(r);
                row.extend(s);
                rows.push(row);
            }
        }
        let mut names = in_names.to_vec();
        if returns {
            names.extend(cols);
        }
        Ok(Table { names, rows })
    }

    /// `CALL name(args) [YIELD ...] [WHERE ...]` for each row of `t`:
    /// the row once per row the procedure returns, with the YIELDed
    /// outputs added (all of them in a standalone CALL without YIELD), or,
    /// for a procedure without outputs, the row as it is.
    fn call(
        &mut self,
        t: Table,
        name: &str,
        args: Option<&[Expr]>,
        yields: &[(super::ast::Ident, Option<super::ast::Ident>)],
        where_: Option<&Expr>,
        span: crate::error::Span,
    ) -> R<Table> {
        let procs = self.procedures.as_deref();
        let p = super::procedures::lookup(procs, name, span)?;
        let sig = &p.signature;
        let picked = super::procedures::outputs_of(sig, yields)?;
        let mut names = t.names.clone();
        names.extend(picked.iter().map(|(_, n)| n.clone()));
        let ev = self.ev();
        let cx = super::procedures::Context {
            graph: ev.graph,
            procedures: procs,
            as_of: ev.as_of,
        };
        let mut rows = Vec::new();
        for r in t.rows {
            ev.check()?;
            let env = Env::row(&t.names, &r);
            let vals = match args {
                Some(a) => a.iter().map(|e| ev.eval(e, &env)).collect::<R<Vec<_>>>()?,
                // Only a standalone CALL has no parentheses (resolve saw
                // to it): the arguments are the parameters of their names.
                None => sig
                    .inputs
                    .iter()
                    .map(|f| ev.params.get(&f.name).cloned().unwrap_or(Value::Null))
                    .collect(),
            };
            let vals = super::procedures::check_args(sig, vals).map_err(|e| e.at(span))?;
            let out = p.call(&cx, &vals).map_err(|e| e.at(span))?;
            if sig.outputs.is_empty() {
                rows.push(r);
                continue;
            }
            for o in out {
                let mut row = r.clone();
                row.extend(
                    picked
                        .iter()
                        .map(|(i, _)| o.get(*i).cloned().unwrap_or_default()),
                );
                if let Some(w) = where_
                    && !ev.test(w, &Env::row(&names, &row))?
                {
                    continue;
                }
                rows.push(row);
            }
        }
        Ok(Table { names, rows })
    }

    // ---- writing ---------------------------------------------------------

    /// What the statement changed so far, made on its first write.
    fn changes(&mut self) -> &mut Changes {
        self.changes.get_or_insert_default()
    }

    fn note_created_node(&mut self, id: NodeId) {
        // A deleted node's slot can be reused by the graph.
        self.deleted.nodes.remove(&id);
        self.writes += 1;
        let changes = self.changes();
        changes.created_nodes.insert(id);
        changes.touched_nodes.insert(id);
    }

    fn eval_map(&self, e: Option<&Expr>, names: &[String], row: &[Value], merge: bool) -> R<Props> {
        let Some(e) = e else { return Ok(Props::new()) };
        match self.ev().eval(e, &Env::row(names, row))? {
            Value::Map(m) => {
                if merge && let Some((k, _)) = m.iter().find(|(_, v)| v.is_null()) {
                    return Err(QueryError::semantic(
                        "MergeReadOwnWrites",
                        format!("cannot MERGE with a null property value ({k})"),
                    )
                    .at(e.span));
                }
                Ok(m.into())
            }
            Value::Null => Ok(Props::new()),
            v => {
                Err(type_err(format!("properties must be a map, not {}", v.type_name())).at(e.span))
            }
        }
    }

    fn create_node(
        &mut self,
        names: &[String],
        row: &[Value],
        n: &NodePattern,
        merge: bool,
    ) -> R<NodeId> {
        let props = self.eval_map(n.props.as_deref(), names, row, merge)?;
        let mut labels: Vec<String> = Vec::new();
        for l in &n.labels {
            if !labels.contains(&l.name) {
                labels.push(l.name.clone());
            }
        }
        let id = self
            .graph
            .create_node(labels, props)
            .map_err(|e| e.at(n.span))?;
        self.note_created_node(id);
        Ok(id)
    }

    /// The node a pattern node stands for: the bound one, or a new one.
    fn create_or_bound(
        &mut self,
        names: &[String],
        row: &mut [Value],
        assigned: &mut [bool],
        n: &NodePattern,
        merge: bool,
    ) -> R<NodeId> {
        if let Some(v) = &n.var
            && let Some(s) = names.iter().position(|x| *x == v.name)
            && assigned[s]
        {
            return match &row[s] {
                Value::Node(id) => Ok(*id),
                Value::Null => Err(QueryError::semantic(
                    "CreateWithNull",
                    format!(
                        "cannot create a relationship to `{}`, which is null",
                        v.name
                    ),
                )
                .at(n.span)),
                v2 => Err(
                    type_err(format!("`{}` is a {}, not a node", v.name, v2.type_name()))
                        .at(n.span),
                ),
            };
        }
        let id = self.create_node(names, row, n, merge)?;
        if let Some(v) = &n.var
            && let Some(s) = names.iter().position(|x| *x == v.name)
        {
            row[s] = Value::Node(id);
            assigned[s] = true;
        }
        Ok(id)
    }

    fn create_part(
        &mut self,
        names: &[String],
        row: &mut [Value],
        assigned: &mut [bool],
        part: &PatternPart,
        merge: bool,
    ) -> R<()> {
        let el: &PatternElement = &part.element;
        let mut prev = self.create_or_bound(names, row, assigned, &el.start, merge)?;
        let mut nodes = vec![prev];
        let mut rels = Vec::new();
        for (r, n) in &el.chain {
            let next = self.create_or_bound(names, row, assigned, n, merge)?;
            let props = self.eval_map(r.props.as_deref(), names, row, merge)?;
            let Some(t) = r.types.first() else {
                return Err(QueryError::semantic(
                    "NoSingleRelationshipType",
                    "a relationship to create needs exactly one type",
                )
                .at(r.span));
            };
            let (a, b) = match r.direction {
                Direction::In => (next, prev),
                Direction::Out => (prev, next),
                // MERGE may leave the direction open; it creates left to right.
                Direction::Both if merge => (prev, next),
                Direction::Both => {
                    return Err(QueryError::semantic(
                        "RequiresDirectedRelationship",
                        "a relationship to create needs a direction",
                    )
                    .at(r.span));
                }
            };
            let id = self
                .graph
                .create_rel(a, b, t.name.clone(), props)
                .map_err(|e| e.at(r.span))?;
            self.deleted.rels.remove(&id);
            self.writes += 1;
            let changes = self.changes();
            changes.created_rels.insert(id);
            changes.touched_rels.insert(id);
            if let Some(v) = &r.var
                && let Some(s) = names.iter().position(|x| *x == v.name)
            {
                row[s] = Value::Rel(id);
                assigned[s] = true;
            }
            rels.push(id);
            nodes.push(next);
            prev = next;
        }
        if let Some(v) = &part.var
            && let Some(s) = names.iter().position(|x| *x == v.name)
        {
            row[s] = Value::path(Path { nodes, rels });
            assigned[s] = true;
        }
        Ok(())
    }

    fn merge_row(
        &mut self,
        names: &[String],
        input: Vec<Value>,
        part: &PatternPart,
        on_create: &[SetItem],
        on_match: &[SetItem],
        out: &mut Vec<Vec<Value>>,
    ) -> R<()> {
        // Null properties cannot be merged on.
        let probe = {
            let mut row = input.clone();
            row.resize(names.len(), Value::Null);
            row
        };
        let el = &part.element;
        self.eval_map(el.start.props.as_deref(), names, &probe, true)?;
        for (r, n) in &el.chain {
            self.eval_map(r.props.as_deref(), names, &probe, true)?;
            self.eval_map(n.props.as_deref(), names, &probe, true)?;
        }
        let pattern = super::ast::Pattern::new(vec![part.clone()]);
        // MERGE sees the whole graph, whatever the "as of" date: it must not
        // create a duplicate of a fact that is merely not valid yet.
        let found = {
            let mut ev = self.ev();
            ev.as_of = None;
            let mut found = Vec::new();
            match_each(&ev, names, &input, &pattern, None, false, &mut |m| {
                found.push(m.to_vec());
                Ok(true)
            })?;
            found
        };
        if found.is_empty() {
            let mut row = probe;
            let mut assigned = vec![true; input.len()];
            assigned.resize(names.len(), false);
            self.create_part(names, &mut row, &mut assigned, part, true)?;
            for it in on_create {
                self.set_item(names, &row, it)?;
            }
            out.push(row);
        } else {
            for row in found {
                for it in on_match {
                    self.set_item(names, &row, it)?;
                }
                out.push(row);
            }
        }
        Ok(())
    }

    fn set_prop(&mut self, target: &Value, key: &str, value: Value) -> R<()> {
        match target {
            Value::Null => return Ok(()),
            Value::Node(n) => {
                self.graph.set_node_prop(*n, key, value)?;
                self.writes += 1;
                self.changes().touched_nodes.insert(*n);
            }
            Value::Rel(r) => {
                self.graph.set_rel_prop(*r, key, value)?;
                self.writes += 1;
                self.changes().touched_rels.insert(*r);
            }
            v => {
                return Err(type_err(format!(
                    "cannot set property '{key}' on {} ({v}); only nodes and relationships have properties",
                    v.type_name()
                )));
            }
        }
        Ok(())
    }

    fn set_item(&mut self, names: &[String], row: &[Value], it: &SetItem) -> R<()> {
        match it {
            SetItem::Property { target, key, value } => {
                let (t, v) = {
                    let ev = self.ev();
                    let env = Env::row(names, row);
                    (ev.eval(target, &env)?, ev.eval(value, &env)?)
                };
                self.set_prop(&t, &key.name, v).map_err(|e| {
                    if e.span.is_none() {
                        e.at(target.span.to(value.span))
                    } else {
                        e
                    }
                })
            }
            SetItem::Replace { var, value } | SetItem::Merge { var, value } => {
                let replace = matches!(it, SetItem::Replace { .. });
                let (t, v) = {
                    let ev = self.ev();
                    let env = Env::row(names, row);
                    let t = env.lookup(&var.name).cloned().ok_or_else(|| {
                        QueryError::semantic(
                            "UndefinedVariable",
                            format!("variable `{}` is not defined", var.name),
                        )
                        .at(var.span)
                    })?;
                    let v = match ev.eval(value, &env)? {
                        Value::Map(m) => m,
                        Value::Null => Default::default(),
                        n @ (Value::Node(_) | Value::Rel(_)) => match ev.properties(&n)? {
                            Value::Map(m) => m,
                            _ => Default::default(),
                        },
                        v => {
                            return Err(type_err(format!(
                                "SET needs a map, not {}",
                                v.type_name()
                            ))
                            .at(value.span));
                        }
                    };
                    (t, v)
                };
                if t.is_null() {
                    return Ok(());
                }
                if replace {
                    let old: Vec<String> = match self.ev().properties(&t)? {
                        Value::Map(m) => m.into_keys().collect(),
                        _ => vec![],
                    };
                    for k in old {
                        if !v.contains_key(&k) {
                            self.set_prop(&t, &k, Value::Null)?;
                        }
                    }
                }
                for (k, x) in v {
                    self.set_prop(&t, &k, x).map_err(|e| e.at(value.span))?;
                }
                Ok(())
            }
            SetItem::Labels { var, labels } => {
                let t = Env::row(names, row)
                    .lookup(&var.name)
                    .cloned()
                    .unwrap_or(Value::Null);
                match t {
                    Value::Null => Ok(()),
                    Value::Node(n) => {
                        for l in labels {
                            self.graph.add_label(n, &l.name).map_err(|e| e.at(l.span))?;
                            self.writes += 1;
                        }
                        self.changes().touched_nodes.insert(n);
                        Ok(())
                    }
                    v => {
                        Err(type_err(format!("cannot set labels on {}", v.type_name()))
                            .at(var.span))
                    }
                }
            }
        }
    }

    fn remove_item(&mut self, names: &[String], row: &[Value], it: &RemoveItem) -> R<()> {
        match it {
            RemoveItem::Property { target, key } => {
                let t = self.ev().eval(target, &Env::row(names, row))?;
                let had = match &t {
                    Value::Null => return Ok(()),
                    Value::Node(n) => self.ev().node(*n)?.props.contains_key(&key.name),
                    Value::Rel(r) => self.ev().rel(*r)?.props.contains_key(&key.name),
                    v => {
                        return Err(type_err(format!(
                            "cannot remove a property of {}",
                            v.type_name()
                        ))
                        .at(target.span));
                    }
                };
                if had {
                    self.set_prop(&t, &key.name, Value::Null)?;
                }
                Ok(())
            }
            RemoveItem::Labels { var, labels } => {
                match Env::row(names, row)
                    .lookup(&var.name)
                    .cloned()
                    .unwrap_or(Value::Null)
                {
                    Value::Null => Ok(()),
                    Value::Node(n) => {
                        for l in labels {
                            self.graph.remove_label(n, &l.name)?;
                            self.writes += 1;
                        }
                        self.changes().touched_nodes.insert(n);
                        Ok(())
                    }
                    v => Err(
                        type_err(format!("cannot remove labels from {}", v.type_name()))
                            .at(var.span),
                    ),
                }
            }
        }
    }

    fn snapshot_rel(&mut self, r: RelId) {
        if let (Some(rel), Some((a, b))) = (self.graph.rel(r), self.graph.rel_ends(r)) {
            self.deleted.rels.insert(
                r,
                RelSnapshot {
                    rel_type: rel.rel_type.to_string(),
                    start: a,
                    end: b,
                    props: rel.props.to_props(),
                },
            );
        }
    }

    fn delete(&mut self, t: &Table, exprs: &[Expr], detach: bool) -> R<()> {
        let mut nodes: Vec<NodeId> = Vec::new();
        let mut rels: Vec<RelId> = Vec::new();
        {
            let ev = self.ev();
            for r in &t.rows {
                ev.check()?;
                let env = Env::row(&t.names, r);
                for e in exprs {
                    match ev.eval(e, &env)? {
                        Value::Null => {}
                        Value::Node(n) => nodes.push(n),
                        Value::Rel(x) => rels.push(x),
                        Value::Path(p) => {
                            nodes.extend(p.nodes);
                            rels.extend(p.rels);
                        }
                        v => {
                            return Err(type_err(format!(
                                "DELETE needs a node, relationship or path, not {}",
                                v.type_name()
                            ))
                            .at(e.span));
                        }
                    }
                }
            }
        }
        if detach {
            // The relationships of every node to go, newest first, before
            // the nodes: petgraph unlinks a relationship by walking its
            // ends' lists from their newest, so the oldest first would walk
            // a hub's whole list for each (quadratic in its degree).
            let mut seen = HashSet::new();
            let mut attached = BTreeSet::new();
            for &n in &nodes {
                if seen.insert(n) {
                    attached.extend(self.graph.out_rels(n).map(|(r, _)| r));
                    attached.extend(self.graph.in_rels(n).map(|(r, _)| r));
                }
            }
            rels.extend(attached.into_iter().rev());
        }
        let mut seen = HashSet::new();
        for r in rels {
            self.ev().check()?;
            if seen.insert(r) && self.graph.rel(r).is_some() {
                self.snapshot_rel(r);
                self.graph.delete_rel(r)?;
                self.writes += 1;
                self.changes().rel_deleted(r);
            }
        }
        let mut seen = HashSet::new();
        for n in nodes {
            self.ev().check()?;
            if !seen.insert(n) {
                continue;
            }
            let Some(node) = self.graph.node(n) else {
                continue;
            };
            let snap = NodeSnapshot {
                labels: node.labels.to_strings(),
                props: node.props.to_props(),
            };
            if detach {
                let attached: Vec<RelId> = self
                    .graph
                    .out_rels(n)
                    .map(|(r, _)| r)
                    .chain(self.graph.in_rels(n).map(|(r, _)| r))
                    .collect();
                for r in &attached {
                    self.snapshot_rel(*r);
                }
                self.graph.detach_delete_node(n)?;
                self.writes += 1;
                for r in attached {
                    self.changes().rel_deleted(r);
                }
            } else {
                self.graph.delete_node(n)?;
                self.writes += 1;
            }
            self.deleted.nodes.insert(n, snap);
            let changes = self.changes();
            changes.touched_nodes.remove(&n);
            changes.node_deleted(n);
        }
        Ok(())
    }

    // ---- the result -----------------------------------------------------

    /// The result; `updating` when the statement may have written (its
    /// counts are then taken since [`Engine::mark`], plus the committed
    /// batches').
    fn finish(self, columns: Vec<String>, rows: Vec<Vec<Value>>, updating: bool) -> QueryResult {
        let stats = if updating {
            let mut s = self
                .changes
                .as_deref()
                .unwrap_or(&NO_CHANGES)
                .stats(&self.graph.before(self.mark), self.graph);
            s.add(&self.committed);
            s.writes = self.writes;
            s
        } else {
            WriteStats::default()
        };
        let (nodes, rels) = snapshots(self.graph, &self.deleted, &rows);
        QueryResult {
            columns,
            rows,
            stats,
            nodes,
            rels,
            notices: self.notices.into_inner(),
            plan: None,
        }
    }
}

/// Snapshots of every node and relationship `rows` mention, as they are in
/// the graph now (or were when the statement deleted them), so that rows
/// can be rendered without the graph.
fn snapshots(
    graph: &Graph,
    deleted: &Deleted,
    rows: &[Vec<Value>],
) -> (HashMap<NodeId, NodeSnapshot>, HashMap<RelId, RelSnapshot>) {
    // Most results are scalars: nothing to gather then.
    if !rows.iter().flatten().any(has_entity) {
        return Default::default();
    }
    let mut node_ids = BTreeSet::new();
    let mut rel_ids = BTreeSet::new();
    for r in rows {
        for v in r {
            mentions(v, &mut node_ids, &mut rel_ids);
        }
    }
    let mut nodes = HashMap::new();
    for id in node_ids {
        if let Some(n) = graph.node(id) {
            nodes.insert(
                id,
                NodeSnapshot {
                    labels: n.labels.to_strings(),
                    props: n.props.to_props(),
                },
            );
        } else if let Some(s) = deleted.nodes.get(&id) {
            nodes.insert(id, s.clone());
        }
    }
    let mut rels = HashMap::new();
    for id in rel_ids {
        if let (Some(r), Some((a, b))) = (graph.rel(id), graph.rel_ends(id)) {
            rels.insert(
                id,
                RelSnapshot {
                    rel_type: r.rel_type.to_string(),
                    start: a,
                    end: b,
                    props: r.props.to_props(),
                },
            );
        } else if let Some(s) = deleted.rels.get(&id) {
            rels.insert(id, s.clone());
        }
    }
    (nodes, rels)
}

/// Whether a value mentions a node or relationship ([`mentions`] would
/// find one).
fn has_entity(v: &Value) -> bool {
    match v {
        Value::Node(_) | Value::Rel(_) => true,
        Value::Path(p) => !p.nodes.is_empty(),
        Value::List(items) => items.iter().any(has_entity),
        Value::Map(m) => m.values().any(has_entity),
        _ => false,
    }
}

/// Every node and relationship a value mentions, however deeply nested.
fn mentions(v: &Value, nodes: &mut BTreeSet<NodeId>, rels: &mut BTreeSet<RelId>) {
    match v {
        Value::Node(n) => {
            nodes.insert(*n);
        }
        Value::Rel(r) => {
            rels.insert(*r);
        }
        Value::Path(p) => {
            nodes.extend(p.nodes.iter().copied());
            rels.extend(p.rels.iter().copied());
        }
        Value::List(items) => items.iter().for_each(|i| mentions(i, nodes, rels)),
        Value::Map(m) => m.values().for_each(|i| mentions(i, nodes, rels)),
        _ => {}
    }
}

/// Calls `f` on each aggregating call in `e` (not looking inside one).
fn visit_aggs<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
    find_top_aggs(e, f)
}

fn find_top_aggs<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
    let is_agg = matches!(&e.kind, ExprKind::CountStar)
        || matches!(&e.kind, ExprKind::FnCall { info, .. } if info.aggregate);
    if is_agg {
        f(e);
        return;
    }
    for c in children(e) {
        find_top_aggs(c, f);
    }
}

/// The direct sub-expressions of an expression (not inside patterns).
pub(crate) fn children(e: &Expr) -> Vec<&Expr> {
    use super::ast::MapProjItem;
    let mut v: Vec<&Expr> = Vec::new();
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Param(_) | ExprKind::Var(_) | ExprKind::CountStar => {}
        ExprKind::List(items) => v.extend(items.iter()),
        ExprKind::Map(items) => v.extend(items.iter().map(|(_, x)| x)),
        ExprKind::Property(x, _)
        | ExprKind::IsNull(x)
        | ExprKind::IsNotNull(x)
        | ExprKind::Unary(_, x) => v.push(x),
        ExprKind::HasLabels(x, _) => v.push(x),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            v.push(a);
            v.push(b);
        }
        ExprKind::Slice(a, b, c) => {
            v.push(a);
            v.extend(b.as_deref());
            v.extend(c.as_deref());
        }
        ExprKind::FnCall { args, .. } => v.extend(args.iter()),
        ExprKind::Case {
            subject,
            whens,
            else_,
        } => {
            v.extend(subject.as_deref());
            for (a, b) in whens {
                v.push(a);
                v.push(b);
            }
            v.extend(else_.as_deref());
        }
        ExprKind::ListComprehension {
            list, filter, map, ..
        } => {
            v.push(list);
            v.extend(filter.as_deref());
            v.extend(map.as_deref());
        }
        ExprKind::Quantified { list, filter, .. } => {
            v.push(list);
            v.extend(filter.as_deref());
        }
        ExprKind::Reduce {
            init, list, expr, ..
        } => {
            v.push(init);
            v.push(list);
            v.push(expr);
        }
        ExprKind::PatternComprehension { filter, map, .. } => {
            v.extend(filter.as_deref());
            v.push(map);
        }
        ExprKind::PatternPredicate(_) | ExprKind::ExistsSubquery { .. } => {}
        ExprKind::MapProjection(x, items) => {
            v.push(x);
            for it in items {
                if let MapProjItem::Literal(_, x) = it {
                    v.push(x);
                }
            }
        }
    }
    v
}

/// The ORDER BY keys of the output row `out`, which came from the input
/// row (or group representative) `input`: its names, its values, and
/// whether the projection grouped (aggregated or was DISTINCT), which
/// leaves the variables it dropped out of a subquery's scope.
fn sort_keys(
    ev: &Ev,
    order_by: &[SortItem],
    out_names: &[String],
    out: &[Value],
    (in_names, rep, grouped): (&[String], &[Value], bool),
    aggs: &HashMap<usize, Value>,
) -> R<Vec<Value>> {
    let input = Env::row(in_names, rep);
    let dropped = Env::Dropped { parent: &input };
    let base = if grouped { &dropped } else { &input };
    let aggenv = Env::Aggs {
        vals: aggs,
        parent: base,
    };
    let env = Env::Row {
        names: out_names,
        vals: out,
        parent: Some(&aggenv),
    };
    order_by.iter().map(|s| ev.eval(&s.expr, &env)).collect()
}

fn count_arg(ev: &Ev, e: Option<&Expr>, what: &str) -> R<Option<usize>> {
    let Some(e) = e else { return Ok(None) };
    match ev.eval(e, &Env::Empty)? {
        Value::Int(i) if i >= 0 => Ok(Some(i as usize)),
        // Neo4j (and the TCK) class a bad SKIP/LIMIT as a SyntaxError even
        // when it only shows at run time through a parameter.
        Value::Int(i) => Err(QueryError::syntax(
            "NegativeIntegerArgument",
            format!("{what} needs a non-negative integer, not {i}"),
            e.span,
        )),
        v => Err(QueryError::syntax(
            "InvalidArgumentType",
            format!(
                "{what} needs a non-negative integer, not {} ({v})",
                v.type_name()
            ),
            e.span,
        )),
    }
}

/// The state of one aggregating call over a group.
enum Acc {
    Count {
        n: i64,
    },
    Collect(Vec<Value>),
    Sum(Value),
    Avg {
        sum: f64,
        n: i64,
        ints: Option<i128>,
    },
    Min(Option<Value>),
    Max(Option<Value>),
    Dev {
        pop: bool,
        xs: Vec<f64>,
    },
    Percentile {
        cont: bool,
        xs: Vec<f64>,
        p: Option<f64>,
        /// percentileDisc returns an integer when every input is one.
        ints: bool,
    },
}

/// An aggregate with its DISTINCT bookkeeping.
struct AccD {
    acc: Acc,
    distinct: Option<KeySet>,
}

impl Acc {
    fn start(e: &Expr) -> R<AccD> {
        let (name, distinct, nargs) = match &e.kind {
            ExprKind::CountStar => {
                return Ok(AccD {
                    acc: Acc::Count { n: 0 },
                    distinct: None,
                });
            }
            ExprKind::FnCall {
                distinct,
                args,
                info,
                ..
            } => (info.lower.to_string(), *distinct, args.len()),
            _ => {
                return Err(
                    QueryError::semantic("InvalidAggregation", "not an aggregate").at(e.span),
                );
            }
        };
        let want = if name.starts_with("percentile") { 2 } else { 1 };
        if nargs != want {
            return Err(QueryError::semantic(
                "InvalidNumberOfArguments",
                format!("{name}() takes {want} argument(s), got {nargs}"),
            )
            .at(e.span));
        }
        let acc = match name.as_str() {
            "count" => Acc::Count { n: 0 },
            "collect" => Acc::Collect(Vec::new()),
            "sum" => Acc::Sum(Value::Int(0)),
            "avg" => Acc::Avg {
                sum: 0.0,
                n: 0,
                ints: Some(0),
            },
            "min" => Acc::Min(None),
            "max" => Acc::Max(None),
            "stdev" => Acc::Dev {
                pop: false,
                xs: vec![],
            },
            "stdevp" => Acc::Dev {
                pop: true,
                xs: vec![],
            },
            "percentilecont" => Acc::Percentile {
                cont: true,
                xs: vec![],
                p: None,
                ints: true,
            },
            _ => Acc::Percentile {
                cont: false,
                xs: vec![],
                p: None,
                ints: true,
            },
        };
        Ok(AccD {
            acc,
            distinct: distinct.then(KeySet::default),
        })
    }
}

impl AccD {
    fn add(&mut self, ev: &Ev, e: &Expr, env: &Env) -> R<()> {
        let args = match &e.kind {
            ExprKind::FnCall { args, .. } => args,
            _ => {
                if let Acc::Count { n, .. } = &mut self.acc {
                    *n += 1;
                }
                return Ok(());
            }
        };
        let v = ev.eval(&args[0], env)?;
        if v.is_null() {
            return Ok(());
        }
        if let Some(seen) = &mut self.distinct {
            let mut k = Key::new();
            super::compare::group_key(&v, &mut k);
            if !seen.insert(k) {
                return Ok(());
            }
        }
        let num = |v: &Value, what: &str| -> R<f64> {
            match v {
                Value::Int(i) => Ok(*i as f64),
                Value::Float(f) => Ok(*f),
                v => Err(type_err(format!(
                    "{what}() needs numbers, not {} ({v})",
                    v.type_name()
                ))
                .at(e.span)),
            }
        };
        match &mut self.acc {
            Acc::Count { n, .. } => *n += 1,
            Acc::Collect(items) => items.push(v),
            Acc::Sum(s) => {
                *s = match (&*s, &v) {
                    (Value::Int(a), Value::Int(b)) => {
                        Value::Int(a.checked_add(*b).ok_or_else(|| {
                            QueryError::argument("NumberOutOfRange", "integer overflow in sum()")
                        })?)
                    }
                    (a, b) => Value::Float(num(a, "sum")? + num(b, "sum")?),
                }
            }
            Acc::Avg { sum, n, ints } => {
                if let (Some(acc), Value::Int(i)) = (ints.as_mut(), &v) {
                    *acc += *i as i128;
                } else {
                    *ints = None;
                }
                *sum += num(&v, "avg")?;
                *n += 1;
            }
            Acc::Min(m) => {
                if m.as_ref()
                    .is_none_or(|x| order(&v, x) == std::cmp::Ordering::Less)
                {
                    *m = Some(v);
                }
            }
            Acc::Max(m) => {
                if m.as_ref()
                    .is_none_or(|x| order(&v, x) == std::cmp::Ordering::Greater)
                {
                    *m = Some(v);
                }
            }
            Acc::Dev { xs, .. } => xs.push(num(&v, "stDev")?),
            Acc::Percentile { xs, p, ints, .. } => {
                xs.push(num(&v, "percentile")?);
                *ints &= matches!(v, Value::Int(_));
                if p.is_none() {
                    let pv = ev.eval(&args[1], env)?;
                    let pf = num(&pv, "percentile")?;
                    if !(0.0..=1.0).contains(&pf) {
                        return Err(QueryError::argument(
                            "NumberOutOfRange",
                            format!("a percentile must be between 0.0 and 1.0, not {pf}"),
                        )
                        .at(args[1].span));
                    }
                    *p = Some(pf);
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> R<Value> {
        Ok(match self.acc {
            Acc::Count { n, .. } => Value::Int(n),
            Acc::Collect(items) => Value::List(items),
            Acc::Sum(s) => s,
            Acc::Avg { sum, n, ints } => {
                if n == 0 {
                    Value::Null
                } else if let Some(i) = ints {
                    Value::Float(i as f64 / n as f64)
                } else {
                    Value::Float(sum / n as f64)
                }
            }
            Acc::Min(m) | Acc::Max(m) => m.unwrap_or(Value::Null),
            Acc::Dev { pop, xs } => {
                let n = xs.len() as f64;
                if xs.len() < 2 && !pop || xs.is_empty() {
                    Value::Float(0.0)
                } else {
                    let mean = xs.iter().sum::<f64>() / n;
                    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
                    Value::Float((ss / if pop { n } else { n - 1.0 }).sqrt())
                }
            }
            Acc::Percentile {
                cont,
                mut xs,
                p,
                ints,
            } => {
                if xs.is_empty() {
                    return Ok(Value::Null);
                }
                xs.sort_by(|a, b| a.total_cmp(b));
                let p = p.unwrap_or(0.5);
                if cont {
                    let pos = p * (xs.len() - 1) as f64;
                    let lo = pos.floor() as usize;
                    let hi = pos.ceil() as usize;
                    Value::Float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo as f64))
                } else {
                    let idx = ((p * xs.len() as f64).ceil() as usize)
                        .saturating_sub(1)
                        .min(xs.len() - 1);
                    let x = xs[idx];
                    if ints {
                        Value::Int(x as i64)
                    } else {
                        Value::Float(x)
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod unread_tests {
    use super::*;
    use crate::query::ast::StatementBody;

    fn clauses(q: &str) -> Vec<Clause> {
        let script = crate::query::parse_script(q).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        match script.statements.into_iter().next().map(|s| s.body) {
            Some(StatementBody::Query(q)) => q.first.clauses,
            _ => panic!("{q}: not a query"),
        }
    }

    /// A list long enough to be worth not copying.
    fn long_list() -> Value {
        Value::List((1..=20).map(Value::Int).collect())
    }

    /// One row: a long list, then nulls.
    fn table(names: &[&str]) -> Table {
        let mut row = vec![long_list()];
        row.resize(names.len(), Value::Null);
        Table {
            names: names.iter().map(|n| n.to_string()).collect(),
            rows: vec![row],
        }
    }

    #[test]
    fn a_list_unwound_and_never_read_again_is_not_copied_into_each_row() {
        let cs = clauses("WITH [1, 2] AS xs, 3 AS k UNWIND xs AS y RETURN y, k");
        // After the UNWIND only `k` is read.
        assert_eq!(unread(&table(&["xs", "k"]), &cs[2..]), vec![false, true]);
        let t = Table {
            names: vec!["xs".into(), "k".into()],
            rows: vec![vec![long_list(), Value::Int(3)]],
        };
        let keep = unread(&t, &cs[2..]);
        let Clause::Unwind { expr, alias, .. } = &cs[1] else {
            panic!("{:?}", cs[1]);
        };
        let g = Graph::new();
        let (params, deleted, notices, rng, modes, folded) = Default::default();
        let clock = Clock::default();
        let ev = Ev {
            graph: &g,
            params: &params,
            as_of: None,
            deleted: &deleted,
            notices: &notices,
            rng: &rng,
            alias_mode: &modes,
            now: &clock,
            cancel: None,
            folded: &folded,
        };
        let out = unwind(&ev, t, expr, &alias.name, &keep).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out.names, ["k", "y"]);
        let want: Vec<Vec<Value>> = (1..=20)
            .map(|i| vec![Value::Int(3), Value::Int(i)])
            .collect();
        assert_eq!(out.rows, want);
        // `count(*)` reads no column.
        let counted = clauses("WITH [1, 2] AS xs, 3 AS k UNWIND xs AS y RETURN count(*)");
        assert_eq!(
            unread(&table(&["xs", "k"]), &counted[2..]),
            vec![false, false]
        );
        // Short values are copied rather than judged.
        let small = Table {
            names: vec!["xs".into(), "k".into()],
            rows: vec![vec![Value::List(vec![Value::Int(1)]), Value::Int(3)]],
        };
        assert_eq!(unread(&small, &cs[2..]), vec![true, true]);
    }

    #[test]
    fn columns_read_later_or_by_a_star_are_kept() {
        let t = table(&["xs", "k"]);
        for q in [
            "UNWIND xs AS y RETURN size(xs)",
            "UNWIND xs AS y RETURN *",
            "UNWIND xs AS y RETURN DISTINCT *",
            "UNWIND xs AS y WITH * RETURN y",
            "UNWIND xs AS y WITH y WHERE EXISTS { MATCH (n) WHERE n.v IN xs } RETURN y",
            "MATCH (n) WHERE n.v IN xs RETURN k",
        ] {
            let cs = clauses(&format!("WITH 1 AS xs, 2 AS k {q}"));
            let from = if q.starts_with("UNWIND") { 2 } else { 1 };
            assert!(unread(&t, &cs[from..])[0], "{q}");
        }
    }
}
