//! Semantic checks done before a statement runs, so that a query that makes
//! no sense fails before it writes anything: undefined variables, variables
//! rebound or used as two kinds, misplaced aggregations, clauses that cannot
//! create what they describe, UNION parts with different columns.
//!
//! Errors use the openCypher TCK's detail names (`UndefinedVariable`,
//! `VariableAlreadyBound` ...) with [`ErrorClass::SyntaxError`](crate::error::ErrorClass):
//! like Neo4j (`Neo.ClientError.Statement.SyntaxError`) and the TCK, every
//! error found before the statement runs is a syntax error of the statement.

use std::collections::HashMap;

use super::ast::{
    Clause, Direction, Expr, ExprKind, Ident, MapProjItem, NodePattern, OnError, Pattern,
    PatternElement, PatternPart, Projection, Query, RelPattern, RemoveItem, SetItem, SingleQuery,
    SubqueryKind, SubqueryScope,
};
use super::expr::{contains_aggregate, is_aggregate};
use crate::error::QueryError;

/// What is known statically about a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Node,
    Rel,
    /// A variable-length relationship: a list of relationships.
    RelList,
    Path,
    /// Known not to be a graph element (a literal, list, map, number ...),
    /// with what is known of its type.
    Value(Ty),
    Any,
    /// In the ORDER BY or WITH ... WHERE of a projection that aggregates or
    /// is DISTINCT, a variable the projection dropped: only a projected
    /// expression over it may still be read there (`p.name` of
    /// `RETURN p.name, count(*) ORDER BY p.name`, as [`Grouping`] allows),
    /// and a subquery or pattern there does not see it (see
    /// [`visible`]): Neo4j checks those clauses in the projection's own
    /// scope.
    Dropped,
}

/// The static type of an expression, as far as literals tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Any,
    Null,
    Bool,
    Int,
    Float,
    Str,
    List,
    Map,
    Node,
    Rel,
    Path,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Any => "any value",
            Ty::Null => "null",
            Ty::Bool => "a boolean",
            Ty::Int => "an integer",
            Ty::Float => "a float",
            Ty::Str => "a string",
            Ty::List => "a list",
            Ty::Map => "a map",
            Ty::Node => "a node",
            Ty::Rel => "a relationship",
            Ty::Path => "a path",
        }
    }
}

/// What an expression's value is known to be, statically.
fn kind_of(scope: &Scope, e: &Expr) -> Kind {
    if let ExprKind::Var(v) = &e.kind {
        return match scope.get(v) {
            Some(Kind::Dropped) | None => Kind::Any,
            Some(k) => *k,
        };
    }
    match type_check(scope, &mut Vec::new(), e).unwrap_or(Ty::Any) {
        Ty::Any | Ty::Null => Kind::Any,
        Ty::Node => Kind::Node,
        Ty::Rel => Kind::Rel,
        Ty::Path => Kind::Path,
        t => Kind::Value(t),
    }
}

/// The scope a subquery expression or a pattern inside an expression
/// starts from: `scope` without the variables a grouping projection
/// dropped ([`Kind::Dropped`]).
fn visible(scope: &Scope) -> std::borrow::Cow<'_, Scope> {
    if scope.values().any(|k| *k == Kind::Dropped) {
        let kept = scope.iter().filter(|(_, k)| **k != Kind::Dropped);
        std::borrow::Cow::Owned(kept.map(|(n, k)| (n.clone(), *k)).collect())
    } else {
        std::borrow::Cow::Borrowed(scope)
    }
}

fn ty_of_kind(k: Kind) -> Ty {
    match k {
        Kind::Node => Ty::Node,
        Kind::Rel => Ty::Rel,
        Kind::RelList => Ty::List,
        Kind::Path => Ty::Path,
        Kind::Value(t) => t,
        Kind::Any | Kind::Dropped => Ty::Any,
    }
}

fn bad_type(what: &str, t: Ty, e: &Expr) -> QueryError {
    sem(
        "InvalidArgumentType",
        format!("{what}, not {}", t.name()),
        e.span,
    )
}

/// Infers the static type of `e` and refuses operators applied to values
/// that are known (from literals and variable kinds) to be of the wrong
/// type, as openCypher does at compile time. `locals` are comprehension
/// variables with the type of the elements they range over.
fn type_check(scope: &Scope, locals: &mut Vec<(String, Ty)>, e: &Expr) -> Result<Ty, QueryError> {
    super::expr::grow_stack(|| type_check_inner(scope, locals, e))
}

fn type_check_inner(
    scope: &Scope,
    locals: &mut Vec<(String, Ty)>,
    e: &Expr,
) -> Result<Ty, QueryError> {
    use super::ast::{BinOp, Literal, UnaryOp};
    let t = |x: &Expr, locals: &mut Vec<(String, Ty)>| type_check(scope, locals, x);
    Ok(match &e.kind {
        ExprKind::Literal(l) => match l {
            Literal::Null => Ty::Null,
            Literal::Bool(_) => Ty::Bool,
            Literal::Int(_) => Ty::Int,
            Literal::Float(_) => Ty::Float,
            Literal::String(_) => Ty::Str,
        },
        ExprKind::Param(_) => Ty::Any,
        ExprKind::Var(v) => match locals.iter().rev().find(|(n, _)| n == v) {
            Some((_, ty)) => *ty,
            None => scope.get(v).map(|k| ty_of_kind(*k)).unwrap_or(Ty::Any),
        },
        ExprKind::List(items) => {
            for i in items {
                t(i, locals)?;
            }
            Ty::List
        }
        ExprKind::Map(items) => {
            for (_, i) in items {
                t(i, locals)?;
            }
            Ty::Map
        }
        ExprKind::Property(x, _) => {
            let tx = t(x, locals)?;
            if tx == Ty::Path {
                return Err(bad_type(
                    "a property needs a node, relationship or map",
                    tx,
                    x,
                ));
            }
            // The TCK classes property access on a known scalar or list as a
            // type error, wherever it is found.
            if matches!(tx, Ty::Bool | Ty::Int | Ty::Float | Ty::Str | Ty::List) {
                return Err(QueryError::type_error(
                    "InvalidArgumentType",
                    format!(
                        "a property needs a node, relationship or map, not {}",
                        tx.name()
                    ),
                )
                .at(x.span));
            }
            Ty::Any
        }
        ExprKind::Binary(op, a, b) => {
            let (ta, tb) = (t(a, locals)?, t(b, locals)?);
            let ok_bool = |ty: Ty| matches!(ty, Ty::Bool | Ty::Null | Ty::Any);
            let ok_num = |ty: Ty| matches!(ty, Ty::Int | Ty::Float | Ty::Null | Ty::Any);
            match op {
                BinOp::And | BinOp::Or | BinOp::Xor => {
                    for (ty, x) in [(ta, a), (tb, b)] {
                        if !ok_bool(ty) {
                            return Err(bad_type("AND, OR and XOR need booleans", ty, x));
                        }
                    }
                    Ty::Bool
                }
                BinOp::In => {
                    if !matches!(tb, Ty::List | Ty::Null | Ty::Any) {
                        return Err(bad_type("IN needs a list on its right", tb, b));
                    }
                    Ty::Bool
                }
                BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow => {
                    for (ty, x) in [(ta, a), (tb, b)] {
                        if !ok_num(ty) {
                            return Err(bad_type("arithmetic needs numbers", ty, x));
                        }
                    }
                    match (op, ta, tb) {
                        (BinOp::Pow, _, _) => Ty::Float,
                        (_, Ty::Int, Ty::Int) => Ty::Int,
                        (_, Ty::Float, Ty::Int | Ty::Float) | (_, Ty::Int, Ty::Float) => Ty::Float,
                        _ => Ty::Any,
                    }
                }
                BinOp::Add => match (ta, tb) {
                    (Ty::Int, Ty::Int) => Ty::Int,
                    (Ty::Str, Ty::Str) => Ty::Str,
                    (Ty::List, _) | (_, Ty::List) => Ty::List,
                    _ => Ty::Any,
                },
                _ => Ty::Bool,
            }
        }
        ExprKind::Unary(op, x) => {
            let tx = t(x, locals)?;
            match op {
                UnaryOp::Not => {
                    if !matches!(tx, Ty::Bool | Ty::Null | Ty::Any) {
                        return Err(bad_type("NOT needs a boolean", tx, x));
                    }
                    Ty::Bool
                }
                _ => tx,
            }
        }
        ExprKind::IsNull(x) | ExprKind::IsNotNull(x) | ExprKind::HasLabels(x, _) => {
            t(x, locals)?;
            Ty::Bool
        }
        ExprKind::CountStar => Ty::Int,
        ExprKind::FnCall { name, args, .. } => {
            let mut tys = Vec::new();
            for a in args {
                tys.push(t(a, locals)?);
            }
            let l = name.to_ascii_lowercase();
            if l == "properties"
                && let (Some(ty), Some(a)) = (tys.first(), args.first())
                && matches!(
                    ty,
                    Ty::Bool | Ty::Int | Ty::Float | Ty::Str | Ty::List | Ty::Path
                )
            {
                return Err(bad_type(
                    "properties() needs a node, relationship or map",
                    *ty,
                    a,
                ));
            }
            match l.as_str() {
                "count" | "size" | "length" | "id" | "tointeger" => Ty::Int,
                "tostring" | "type" | "tolower" | "toupper" | "trim" => Ty::Str,
                "collect" | "labels" | "keys" | "range" | "nodes" | "relationships" | "split" => {
                    Ty::List
                }
                "tofloat" | "avg" => Ty::Float,
                _ => Ty::Any,
            }
        }
        ExprKind::ListComprehension {
            var,
            list,
            filter,
            map,
        } => {
            let elem = elem_type(scope, locals, list)?;
            locals.push((var.name.clone(), elem));
            let r = [filter, map]
                .into_iter()
                .flatten()
                .try_for_each(|x| t(x, locals).map(|_| ()));
            locals.pop();
            r?;
            Ty::List
        }
        ExprKind::Quantified {
            var, list, filter, ..
        } => {
            let elem = elem_type(scope, locals, list)?;
            locals.push((var.name.clone(), elem));
            let r = filter.iter().try_for_each(|x| t(x, locals).map(|_| ()));
            locals.pop();
            r?;
            Ty::Bool
        }
        ExprKind::Reduce {
            acc,
            init,
            var,
            list,
            expr,
        } => {
            t(init, locals)?;
            let elem = elem_type(scope, locals, list)?;
            locals.push((acc.name.clone(), Ty::Any));
            locals.push((var.name.clone(), elem));
            let r = t(expr, locals);
            locals.truncate(locals.len() - 2);
            r?;
            Ty::Any
        }
        ExprKind::PatternComprehension { .. } => Ty::List,
        ExprKind::ExistsSubquery {
            count: SubqueryKind::Count,
            ..
        } => Ty::Int,
        ExprKind::ExistsSubquery {
            count: SubqueryKind::Collect,
            ..
        } => Ty::List,
        ExprKind::PatternPredicate(_) | ExprKind::ExistsSubquery { .. } => Ty::Bool,
        ExprKind::MapProjection(x, _) => {
            t(x, locals)?;
            Ty::Map
        }
        _ => {
            for c in super::eval::children(e) {
                t(c, locals)?;
            }
            Ty::Any
        }
    })
}

/// The type of the elements of a list expression: known when it is a list
/// literal whose items all have one type.
fn elem_type(scope: &Scope, locals: &mut Vec<(String, Ty)>, list: &Expr) -> Result<Ty, QueryError> {
    type_check(scope, locals, list)?;
    let ExprKind::List(items) = &list.kind else {
        return Ok(Ty::Any);
    };
    let mut common: Option<Ty> = None;
    for i in items {
        let ty = type_check(scope, locals, i)?;
        common = match common {
            None => Some(ty),
            Some(c) if c == ty => Some(c),
            Some(_) => return Ok(Ty::Any),
        };
    }
    Ok(common.unwrap_or(Ty::Any))
}

type Scope = HashMap<String, Kind>;

fn sem(detail: &str, msg: impl Into<String>, span: crate::error::Span) -> QueryError {
    QueryError::syntax(detail, msg, span)
}

/// In an `EXISTS`, `COUNT` or `COLLECT` subquery, a WITH or RETURN may not
/// give a variable of the enclosing query a new value (`WITH 2 AS p` where
/// `p` is bound outside): Neo4j 5 refuses it (GQL 42N07), where reading
/// the inner one for the outer one would be a silent mistake. Passing the
/// variable on as it is (`WITH p`) is no shadowing.
fn no_shadowing(outer: &Scope, sq: &SingleQuery) -> Result<(), QueryError> {
    for c in &sq.clauses {
        let (Clause::With(p) | Clause::Return(p)) = c else {
            continue;
        };
        for it in &p.items {
            let Some(alias) = &it.alias else { continue };
            let same = matches!(&it.expr.kind, ExprKind::Var(v) if *v == alias.name);
            if !same && outer.contains_key(&alias.name) {
                return Err(sem(
                    "VariableShadowing",
                    format!(
                        "the variable `{}` is shadowing a variable with the same name from the outer scope and needs to be renamed",
                        alias.name
                    ),
                    alias.span,
                ));
            }
        }
    }
    Ok(())
}

/// Checks a whole query (every UNION part).
pub fn check_query(q: &Query) -> Result<(), QueryError> {
    in_transactions_placed(q)?;
    check_union(q, check_single).map(|_| ())
}

/// Where `CALL { } IN TRANSACTIONS` may stand, as in Neo4j 5: in the
/// statement itself (not in another `CALL { }`, its own included), not in
/// a UNION, and after no write outside one (those writes would belong to
/// no batch).
fn in_transactions_placed(q: &Query) -> Result<(), QueryError> {
    fn each(
        q: &Query,
        f: &mut dyn FnMut(&Clause) -> Result<(), QueryError>,
    ) -> Result<(), QueryError> {
        for sq in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
            for c in &sq.clauses {
                f(c)?;
            }
        }
        Ok(())
    }
    fn none_inside(q: &Query) -> Result<(), QueryError> {
        each(q, &mut |c| match c {
            Clause::Subquery {
                in_transactions: Some(_),
                span,
                ..
            } => Err(sem(
                "InvalidInTransactions",
                "CALL { ... } IN TRANSACTIONS nested in another CALL { ... } is not supported",
                *span,
            )),
            Clause::Subquery { query, .. } => none_inside(query),
            _ => Ok(()),
        })
    }
    let mut wrote = false;
    each(q, &mut |c| {
        match c {
            Clause::Subquery {
                in_transactions: Some(_),
                query,
                span,
                ..
            } => {
                if !q.unions.is_empty() {
                    return Err(sem(
                        "InvalidInTransactions",
                        "CALL { ... } IN TRANSACTIONS in a UNION is not supported",
                        *span,
                    ));
                }
                if wrote {
                    return Err(sem(
                        "InvalidInTransactions",
                        "CALL { ... } IN TRANSACTIONS after a write clause is not supported: the write would belong to no batch",
                        *span,
                    ));
                }
                none_inside(query)?;
            }
            Clause::Subquery { query, .. } => {
                none_inside(query)?;
                wrote |= super::eval::is_updating(query);
            }
            Clause::Create { .. }
            | Clause::Merge { .. }
            | Clause::Set { .. }
            | Clause::Remove { .. }
            | Clause::Delete { .. }
            | Clause::Foreach { .. } => wrote = true,
            _ => {}
        }
        Ok(())
    })
}

/// Checks each part of `q` with `part` and that the parts agree: the same
/// columns, UNION or UNION ALL throughout. Returns the columns.
fn check_union(
    q: &Query,
    mut part: impl FnMut(&SingleQuery) -> Result<Vec<String>, QueryError>,
) -> Result<Vec<String>, QueryError> {
    let cols = part(&q.first)?;
    let mut kinds = Vec::new();
    for (all, sq) in &q.unions {
        kinds.push(*all);
        let c = part(sq)?;
        if c != cols {
            return Err(sem(
                "DifferentColumnsInUnion",
                format!(
                    "all parts of a UNION must return the same columns ({} vs {})",
                    cols.join(", "),
                    c.join(", ")
                ),
                sq.span,
            ));
        }
    }
    if kinds.windows(2).any(|w| w[0] != w[1]) {
        return Err(sem(
            "InvalidClauseComposition",
            "UNION and UNION ALL cannot be mixed",
            q.span,
        ));
    }
    Ok(cols)
}

/// Checks one query part; returns its result columns.
fn check_single(q: &SingleQuery) -> Result<Vec<String>, QueryError> {
    check_single_in(q, HashMap::new())
}

/// Is the first clause of `q` an importing `WITH` (the subquery form
/// before `CALL (a, b) { }`): `WITH *` or only variables, not renamed?
pub(crate) fn imports_by_with(q: &SingleQuery) -> bool {
    let Some(Clause::With(p)) = q.clauses.first() else {
        return false;
    };
    let plain = |it: &super::ast::ProjItem| match &it.expr.kind {
        ExprKind::Var(v) => it.alias.as_ref().is_none_or(|a| a.name == *v),
        _ => false,
    };
    !p.distinct
        && p.order_by.is_empty()
        && p.skip.is_none()
        && p.limit.is_none()
        && (p.star || !p.items.is_empty())
        && p.items.iter().all(plain)
}

/// The scope a `CALL { }` subquery part starts with, from the enclosing
/// `outer`: what it imports.
fn subquery_start(
    outer: &Scope,
    scope: &SubqueryScope,
    part: &SingleQuery,
) -> Result<Scope, QueryError> {
    match scope {
        SubqueryScope::All => Ok(outer.clone()),
        SubqueryScope::Vars(vars) => {
            let mut s = Scope::new();
            for v in vars {
                need_var(outer, v)?;
                if let Some(k) = outer.get(&v.name) {
                    s.insert(v.name.clone(), *k);
                }
            }
            Ok(s)
        }
        // The importing WITH picks its variables from all of them.
        SubqueryScope::Leading if imports_by_with(part) => Ok(outer.clone()),
        SubqueryScope::Leading => Ok(Scope::new()),
    }
}

/// Checks a `CALL { }` subquery inside `outer`; returns the columns it
/// adds (none for a unit subquery).
fn check_subquery(
    outer: &Scope,
    scope: &SubqueryScope,
    q: &Query,
) -> Result<Vec<String>, QueryError> {
    let part = |sq: &SingleQuery| -> Result<Vec<String>, QueryError> {
        if let Some(Clause::Call { yields, span, .. }) = sq.clauses.last()
            && !yields.is_empty()
        {
            return Err(sem(
                "InvalidClauseComposition",
                "a CALL { } subquery cannot end with CALL ... YIELD: add a RETURN",
                *span,
            ));
        }
        let start = subquery_start(outer, scope, sq)?;
        check_single_in(sq, start).map_err(|e| {
            // A variable of the enclosing query the subquery did not import.
            let outside = e.detail == "UndefinedVariable"
                && outer
                    .keys()
                    .any(|v| e.message.contains(&format!("`{v}`")));
            if outside && e.hint.is_none() {
                e.hint(
                    "a CALL { } subquery sees only what it imports: CALL (x) { ... } or CALL (*) { ... }",
                )
            } else {
                e
            }
        })
    };
    let cols = check_union(q, part)?;
    // `RETURN 1 + 1` would name a column `1 + 1`: Neo4j wants a name.
    for sq in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
        if let Some(Clause::Return(p)) = sq.clauses.last()
            && let Some(it) = p
                .items
                .iter()
                .find(|it| it.alias.is_none() && !matches!(it.expr.kind, ExprKind::Var(_)))
        {
            return Err(sem(
                "NoExpressionAlias",
                format!(
                    "a CALL {{ }} subquery must name what it returns: `{} AS name`",
                    it.text
                ),
                it.span,
            ));
        }
    }
    Ok(cols)
}

/// The columns a query returns (none without RETURN), as the checker and
/// EXPLAIN name them: an item's alias, else its text.
pub(crate) fn returned_columns(q: &Query) -> Vec<String> {
    match q.first.clauses.last() {
        Some(Clause::Return(p)) => p
            .items
            .iter()
            .map(|it| it.alias.as_ref().map_or(&it.text, |a| &a.name).clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// Checks one query part starting from `scope` (the outer variables of an
/// EXISTS { } subquery, or none).
fn check_single_in(q: &SingleQuery, scope: Scope) -> Result<Vec<String>, QueryError> {
    check_clauses(&q.clauses, scope)
}

/// [`check_single_in`] of a list of clauses (a query part's, or a
/// FOREACH's).
fn check_clauses(clauses: &[Clause], mut scope: Scope) -> Result<Vec<String>, QueryError> {
    let n = clauses.len();
    for (i, c) in clauses.iter().enumerate() {
        match c {
            Clause::Match {
                pattern, where_, ..
            } => {
                no_param_maps(pattern)?;
                bind_pattern(&mut scope, pattern, PatternUse::Match)?;
                check_pattern_exprs(&scope, &pattern.parts)?;
                if let Some(w) = where_ {
                    no_aggregate(w, "WHERE")?;
                    check_expr(&scope, w)?;
                    if matches!(
                        kind_of(&scope, w),
                        Kind::Node | Kind::Rel | Kind::Path | Kind::RelList
                    ) {
                        return Err(sem(
                            "InvalidArgumentType",
                            "WHERE needs a boolean, not a graph element",
                            w.span,
                        ));
                    }
                }
            }
            Clause::Unwind { expr, alias, .. }
            | Clause::LoadCsv {
                url: expr, alias, ..
            } => {
                let what = if matches!(c, Clause::Unwind { .. }) {
                    "UNWIND"
                } else {
                    "LOAD CSV"
                };
                check_expr(&scope, expr)?;
                no_aggregate(expr, what)?;
                if scope.contains_key(&alias.name) {
                    return Err(sem(
                        "VariableAlreadyBound",
                        format!("variable `{}` is already bound", alias.name),
                        alias.span,
                    ));
                }
                scope.insert(alias.name.clone(), Kind::Any);
            }
            Clause::With(p) => {
                scope = check_projection(&scope, p, false)?.1;
            }
            Clause::Return(p) => {
                if i + 1 != n {
                    return Err(sem(
                        "InvalidClauseComposition",
                        "RETURN must be the last clause",
                        p.span,
                    ));
                }
                return Ok(check_projection(&scope, p, true)?.0);
            }
            Clause::Create { pattern, .. } => {
                check_create_pattern(&scope, &pattern.parts, false)?;
                bind_pattern(&mut scope, pattern, PatternUse::Create)?;
                check_pattern_exprs(&scope, &pattern.parts)?;
            }
            Clause::Merge {
                part,
                on_create,
                on_match,
                ..
            } => {
                check_create_pattern(&scope, std::slice::from_ref(part), true)?;
                let pattern = Pattern::new(vec![part.clone()]);
                bind_pattern(&mut scope, &pattern, PatternUse::Create)?;
                check_pattern_exprs(&scope, &pattern.parts)?;
                for it in on_create.iter().chain(on_match) {
                    check_set(&scope, it)?;
                }
            }
            Clause::Set { items, .. } => {
                for it in items {
                    check_set(&scope, it)?;
                }
            }
            Clause::Remove { items, .. } => {
                for it in items {
                    match it {
                        RemoveItem::Property { target, .. } => check_expr(&scope, target)?,
                        RemoveItem::Labels { var, .. } => need_var(&scope, var)?,
                    }
                }
            }
            Clause::Delete { exprs, .. } => {
                for e in exprs {
                    check_expr(&scope, e)?;
                    no_aggregate(e, "DELETE")?;
                    if matches!(e.kind, ExprKind::HasLabels(..)) {
                        return Err(sem(
                            "InvalidDelete",
                            "DELETE needs a node, relationship or path",
                            e.span,
                        ));
                    }
                    if matches!(kind_of(&scope, e), Kind::Value(_)) {
                        return Err(sem(
                            "InvalidArgumentType",
                            "DELETE needs a node, relationship or path",
                            e.span,
                        ));
                    }
                }
            }
            Clause::Foreach {
                var, list, clauses, ..
            } => {
                check_expr(&scope, list)?;
                no_aggregate(list, "FOREACH")?;
                if scope.contains_key(&var.name) {
                    return Err(sem(
                        "VariableAlreadyBound",
                        format!("variable `{}` is already bound", var.name),
                        var.span,
                    ));
                }
                // What the clauses bind stays inside.
                let mut inner = scope.clone();
                inner.insert(var.name.clone(), Kind::Any);
                check_clauses(clauses, inner)?;
            }
            Clause::Subquery {
                scope: imports,
                query,
                in_transactions,
                span,
                ..
            } => {
                if let Some(tx) = in_transactions {
                    if let Some(rows) = &tx.rows {
                        // The batch size is one number for the whole statement.
                        check_expr(&Scope::new(), rows)?;
                    }
                    if let Some(s) = &tx.report {
                        if tx.on_error == OnError::Fail {
                            return Err(sem(
                                "InvalidInTransactions",
                                "REPORT STATUS can only be used when specifying ON ERROR CONTINUE or ON ERROR BREAK",
                                s.span,
                            ));
                        }
                        if scope.contains_key(&s.name) {
                            return Err(sem(
                                "VariableAlreadyBound",
                                format!("variable `{}` is already bound", s.name),
                                s.span,
                            ));
                        }
                    }
                }
                let mut cols = check_subquery(&scope, imports, query)?;
                if let Some(s) = in_transactions.as_ref().and_then(|tx| tx.report.as_ref()) {
                    if cols.contains(&s.name) {
                        return Err(sem(
                            "VariableAlreadyBound",
                            format!(
                                "variable `{}` is both returned by the subquery and its REPORT STATUS",
                                s.name
                            ),
                            s.span,
                        ));
                    }
                    cols.push(s.name.clone());
                }
                for c in &cols {
                    if scope.contains_key(c) {
                        return Err(sem(
                            "VariableAlreadyBound",
                            format!(
                                "variable `{c}` is already bound: a CALL {{ }} subquery cannot return a variable of the enclosing query"
                            ),
                            *span,
                        ));
                    }
                    scope.insert(c.clone(), Kind::Any);
                }
                if i + 1 == n && !cols.is_empty() {
                    return Err(sem(
                        "InvalidClauseComposition",
                        "a query cannot end with a CALL { } subquery that returns rows: add a RETURN",
                        *span,
                    ));
                }
            }
            Clause::Call {
                args,
                yields,
                where_,
                span,
                ..
            } => {
                for a in args.iter().flatten() {
                    check_expr(&scope, a)?;
                    no_aggregate(a, "a procedure's arguments")?;
                }
                // What the procedure is, takes and yields is checked against
                // the procedures there are when the statement runs
                // (`procedures::resolve`); the names it binds are known here.
                for (field, alias) in yields {
                    let var = alias.as_ref().unwrap_or(field);
                    // Bound before the CALL, or by an earlier output.
                    if scope.contains_key(&var.name) {
                        return Err(sem(
                            "VariableAlreadyBound",
                            format!("variable `{}` is already bound", var.name),
                            var.span,
                        ));
                    }
                    scope.insert(var.name.clone(), Kind::Any);
                }
                if let Some(w) = where_ {
                    no_aggregate(w, "WHERE")?;
                    check_expr(&scope, w)?;
                }
                if n == 1 {
                    let var =
                        |(f, a): &(Ident, Option<Ident>)| a.as_ref().unwrap_or(f).name.clone();
                    return Ok(yields.iter().map(var).collect());
                }
                if i + 1 == n && !yields.is_empty() {
                    return Err(sem(
                        "InvalidClauseComposition",
                        "a query cannot end with CALL ... YIELD: add a RETURN",
                        *span,
                    ));
                }
            }
        }
    }
    Ok(Vec::new())
}

/// `MATCH (n $param)`: openCypher does not allow a parameter as a pattern's property map.
fn no_param_maps(pattern: &Pattern) -> Result<(), QueryError> {
    for part in &pattern.parts {
        let el = &part.element;
        let maps = std::iter::once(&el.start.props)
            .chain(el.chain.iter().flat_map(|(r, n)| [&r.props, &n.props]));
        for p in maps.flatten() {
            if matches!(p.kind, ExprKind::Param(_)) {
                return Err(sem(
                    "InvalidParameterUse",
                    "a parameter cannot be a pattern's property map; write {key: $param}",
                    p.span,
                ));
            }
        }
    }
    Ok(())
}

fn need_var(scope: &Scope, v: &Ident) -> Result<(), QueryError> {
    if scope.contains_key(&v.name) {
        Ok(())
    } else {
        Err(sem(
            "UndefinedVariable",
            format!("variable `{}` is not defined", v.name),
            v.span,
        ))
    }
}

fn check_set(scope: &Scope, it: &SetItem) -> Result<(), QueryError> {
    match it {
        SetItem::Property { target, value, .. } => {
            check_expr(scope, target)?;
            check_expr(scope, value)
        }
        SetItem::Replace { var, value } | SetItem::Merge { var, value } => {
            need_var(scope, var)?;
            check_expr(scope, value)
        }
        SetItem::Labels { var, .. } => need_var(scope, var),
    }
}

fn no_aggregate(e: &Expr, place: &str) -> Result<(), QueryError> {
    if contains_aggregate(e) {
        return Err(sem(
            "InvalidAggregation",
            format!("aggregating functions are not allowed in {place}"),
            e.span,
        ));
    }
    Ok(())
}

/// Returns the columns and the scope after the projection.
fn check_projection(
    scope: &Scope,
    p: &Projection,
    is_return: bool,
) -> Result<(Vec<String>, Scope), QueryError> {
    let mut out: Scope = HashMap::new();
    let mut cols: Vec<String> = Vec::new();
    if p.star {
        if scope.is_empty() && is_return {
            return Err(sem(
                "NoVariablesInScope",
                "RETURN * / WITH * with no variables in scope",
                p.span,
            ));
        }
        let mut names: Vec<&String> = scope.keys().collect();
        names.sort();
        for n in names {
            cols.push(n.clone());
            out.insert(n.clone(), scope[n]);
        }
    }
    let mut aggregating = false;
    let mut no_alias: Option<QueryError> = None;
    for it in &p.items {
        check_expr(scope, &it.expr)?;
        nested_aggregate(&it.expr)?;
        aggregating |= contains_aggregate(&it.expr);
        let name = match (&it.alias, &it.expr.kind) {
            (Some(a), _) => a.name.clone(),
            (None, ExprKind::Var(v)) => v.clone(),
            (None, _) if is_return => it.text.clone(),
            (None, _) => {
                // Reported after ORDER BY's grouping checks, which Neo4j
                // (and the TCK) report first.
                no_alias.get_or_insert_with(|| {
                    sem(
                        "NoExpressionAlias",
                        format!("expression in WITH must be aliased (use AS): {}", it.text),
                        it.span,
                    )
                });
                it.text.clone()
            }
        };
        if cols.contains(&name) {
            return Err(sem(
                "ColumnNameConflict",
                format!("column `{name}` is defined more than once"),
                it.span,
            ));
        }
        let kind = kind_of(scope, &it.expr);
        cols.push(name.clone());
        out.insert(name, kind);
    }
    // ORDER BY and WITH ... WHERE see the projected names and, unless the
    // projection aggregates or is DISTINCT, the variables before it. After
    // grouping, the dropped variables stay in the scope as `Dropped`, for
    // `Grouping` to tell a projected expression over them (`p.name`) from
    // a variable out of scope; a subquery there does not see them.
    let mut after = scope.clone();
    if aggregating || p.distinct {
        for k in after.values_mut() {
            *k = Kind::Dropped;
        }
    }
    after.extend(out.iter().map(|(k, v)| (k.clone(), *v)));
    let g = Grouping::new(p, scope, &out);
    if aggregating {
        for it in &p.items {
            if contains_aggregate(&it.expr) {
                g.walk(&it.expr, false, &mut Vec::new())?;
            }
        }
    }
    for s in &p.order_by {
        check_expr(&after, &s.expr)?;
        if aggregating || p.distinct {
            // " agg" marks an ORDER BY item that aggregates: there a
            // non-key variable is ambiguous rather than undefined.
            let mut locals = Vec::new();
            if contains_aggregate(&s.expr) {
                locals.push(" agg".to_string());
            }
            g.walk(&s.expr, true, &mut locals)?;
        }
        if contains_aggregate(&s.expr) && !aggregating {
            return Err(sem(
                "InvalidAggregation",
                "ORDER BY may only aggregate when the projection does",
                s.expr.span,
            ));
        }
    }
    if let Some(e) = no_alias {
        return Err(e);
    }
    for e in [&p.skip, &p.limit].into_iter().flatten() {
        if has_variables(e) {
            return Err(sem(
                "NonConstantExpression",
                "SKIP and LIMIT cannot use variables",
                e.span,
            ));
        }
        match &e.kind {
            ExprKind::Literal(super::ast::Literal::Int(i)) if *i < 0 => {
                return Err(sem(
                    "NegativeIntegerArgument",
                    format!("SKIP/LIMIT cannot be negative ({i})"),
                    e.span,
                ));
            }
            ExprKind::Literal(super::ast::Literal::Float(_)) => {
                return Err(sem(
                    "InvalidArgumentType",
                    "SKIP/LIMIT need an integer",
                    e.span,
                ));
            }
            _ => {}
        }
    }
    if let Some(w) = &p.where_ {
        no_aggregate(w, "WHERE")?;
        check_expr(&after, w)?;
        // After grouping (an aggregation or DISTINCT) it reads what ORDER BY
        // may: the projected names and expressions, not the variables the
        // projection dropped.
        if aggregating || p.distinct {
            g.walk(w, true, &mut Vec::new())?;
        }
    }
    Ok((cols, out))
}

/// What may be referred to once a projection has grouped rows (by
/// aggregation or DISTINCT): the projected expressions themselves, the
/// projected names, and (in an item's own aggregation) the grouping keys.
///
/// This is Neo4j's rule (AmbiguousAggregation, GQL status 42I18): outside
/// its aggregations, an item that aggregates may read a variable only if
/// the variable, or the property of it read, is a grouping key of its own.
/// The rule looks inside pattern comprehensions, pattern predicates and
/// EXISTS, COUNT and COLLECT subqueries too: there a variable of the
/// projection's scope is read from outside, and only the variables the
/// pattern or subquery binds itself are free. (A subquery's own
/// aggregation does not make an outer variable in it a key: it aggregates
/// the subquery's rows, which the outer variable would still pick from
/// one row of the group.)
struct Grouping<'a> {
    /// Printed form of every non-aggregating item: the grouping keys.
    keys: Vec<String>,
    /// Printed form of every item.
    items: Vec<String>,
    /// Variables projected as themselves among the keys.
    key_vars: Vec<String>,
    /// Every output name.
    out: Vec<String>,
    /// Variables mentioned anywhere in the items.
    mentioned: Vec<String>,
    /// The scope before the projection, whose variables (but the dropped)
    /// a pattern or subquery in an item sees: inside one, any other
    /// variable is its own. (In ORDER BY or WHERE after grouping, one sees
    /// only `out`.)
    outer: &'a Scope,
}

impl<'a> Grouping<'a> {
    fn new(p: &Projection, scope: &'a Scope, out: &Scope) -> Grouping<'a> {
        let mut g = Grouping {
            keys: Vec::new(),
            items: Vec::new(),
            key_vars: Vec::new(),
            out: out.keys().cloned().collect(),
            mentioned: Vec::new(),
            outer: scope,
        };
        for it in &p.items {
            let text = it.expr.to_string();
            if !contains_aggregate(&it.expr) {
                if let ExprKind::Var(v) = &it.expr.kind {
                    g.key_vars.push(v.clone());
                }
                g.keys.push(text.clone());
            }
            g.items.push(text);
            vars_of(&it.expr, &mut g.mentioned);
        }
        if p.star {
            g.key_vars.extend(out.keys().cloned());
        }
        g
    }

    /// Checks `e`, an item with an aggregation (`order_by` false) or an
    /// ORDER BY expression after grouping (`order_by` true).
    fn walk(&self, e: &Expr, order_by: bool, locals: &mut Vec<String>) -> Result<(), QueryError> {
        self.walk_in(e, order_by, false, locals)
    }

    /// [`Grouping::walk`]; `sub` is true inside a pattern or subquery of
    /// the expression.
    fn walk_in(
        &self,
        e: &Expr,
        order_by: bool,
        sub: bool,
        locals: &mut Vec<String>,
    ) -> Result<(), QueryError> {
        let is_agg = matches!(&e.kind, ExprKind::CountStar)
            || matches!(&e.kind, ExprKind::FnCall { name, .. } if is_aggregate(name));
        let text = e.to_string();
        if self.keys.contains(&text) && matches!(e.kind, ExprKind::Var(_) | ExprKind::Property(..))
        {
            return Ok(());
        }
        if is_agg && !sub {
            if !order_by || self.items.contains(&text) {
                return Ok(());
            }
            // Inside an aggregation of ORDER BY only projected names count.
            let mut inner: Vec<String> = locals.iter().filter(|l| *l != " agg").cloned().collect();
            return super::eval::children(e)
                .into_iter()
                .try_for_each(|c| self.walk_in(c, order_by, sub, &mut inner));
        }
        match &e.kind {
            ExprKind::Var(v) => self.var(v, e.span, order_by, sub, locals),
            ExprKind::Property(base, _) => {
                if let ExprKind::Var(v) = &base.kind
                    && (self.key_vars.contains(v) || locals.contains(v))
                {
                    return Ok(());
                }
                self.walk_in(base, order_by, sub, locals)
            }
            ExprKind::ListComprehension { var, .. } | ExprKind::Quantified { var, .. } => {
                locals.push(var.name.clone());
                let r = super::eval::children(e)
                    .into_iter()
                    .try_for_each(|c| self.walk_in(c, order_by, sub, locals));
                locals.pop();
                r
            }
            ExprKind::Reduce { acc, var, .. } => {
                locals.push(acc.name.clone());
                locals.push(var.name.clone());
                let r = super::eval::children(e)
                    .into_iter()
                    .try_for_each(|c| self.walk_in(c, order_by, sub, locals));
                locals.truncate(locals.len() - 2);
                r
            }
            ExprKind::PatternComprehension {
                element,
                filter,
                map,
                ..
            } => {
                let mut reads = Reads::default();
                reads.element(element);
                reads.exprs.extend(filter.as_deref());
                reads.exprs.push(map);
                self.reads(&reads, order_by, locals)
            }
            ExprKind::PatternPredicate(element) => {
                let mut reads = Reads::default();
                reads.element(element);
                self.reads(&reads, order_by, locals)
            }
            ExprKind::ExistsSubquery {
                pattern,
                where_,
                query,
                ..
            } => {
                let mut reads = Reads::default();
                match query {
                    Some(q) => reads.query(q),
                    None => {
                        reads.parts(&pattern.parts);
                        reads.exprs.extend(where_.as_deref());
                    }
                }
                self.reads(&reads, order_by, locals)
            }
            ExprKind::MapProjection(base, items) => {
                self.walk_in(base, order_by, sub, locals)?;
                for it in items {
                    match it {
                        MapProjItem::Literal(_, x) => self.walk_in(x, order_by, sub, locals)?,
                        MapProjItem::Variable(v) => {
                            self.var(&v.name, v.span, order_by, sub, locals)?
                        }
                        MapProjItem::Property(_) | MapProjItem::AllProperties => {}
                    }
                }
                Ok(())
            }
            _ => super::eval::children(e)
                .into_iter()
                .try_for_each(|c| self.walk_in(c, order_by, sub, locals)),
        }
    }

    /// Checks what a pattern or subquery of the expression reads.
    fn reads(&self, r: &Reads, order_by: bool, locals: &mut Vec<String>) -> Result<(), QueryError> {
        for v in &r.vars {
            self.var(&v.name, v.span, order_by, true, locals)?;
        }
        r.exprs
            .iter()
            .try_for_each(|x| self.walk_in(x, order_by, true, locals))
    }

    /// Checks a read of the variable `v`.
    fn var(
        &self,
        v: &str,
        span: crate::error::Span,
        order_by: bool,
        sub: bool,
        locals: &[String],
    ) -> Result<(), QueryError> {
        if locals.iter().any(|l| l == v)
            || self.key_vars.iter().any(|k| k == v)
            || (order_by && self.out.iter().any(|o| o == v))
            // A variable a pattern or subquery binds itself. After grouping,
            // one in ORDER BY or WHERE sees only the projected names.
            || (sub
                && (order_by || self.outer.get(v).is_none_or(|k| *k == Kind::Dropped)))
        {
            return Ok(());
        }
        if order_by
            && !(self.mentioned.iter().any(|m| m == v) && locals.iter().any(|l| l == " agg"))
        {
            return Err(sem(
                "UndefinedVariable",
                format!(
                    "variable `{v}` is not defined here: the projection before this ORDER BY or WHERE does not keep it"
                ),
                span,
            ));
        }
        Err(sem(
            "AmbiguousAggregationExpression",
            format!("`{v}` is used next to an aggregation but is not a grouping key of its own"),
            span,
        ))
    }
}

/// What a pattern or subquery inside an expression may read from the scope
/// around it: the variables its patterns name (and CALL imports) and
/// every expression in it. Names it binds itself are among them too;
/// [`Grouping::var`] tells them apart.
#[derive(Default)]
struct Reads<'a> {
    vars: Vec<&'a Ident>,
    exprs: Vec<&'a Expr>,
}

impl<'a> Reads<'a> {
    fn element(&mut self, el: &'a PatternElement) {
        self.vars
            .extend(element_vars(el).into_iter().map(|(v, _)| v));
        self.exprs.extend(el.start.props.as_deref());
        for (r, n) in &el.chain {
            self.exprs.extend(r.props.as_deref());
            self.exprs.extend(n.props.as_deref());
        }
    }

    fn parts(&mut self, parts: &'a [PatternPart]) {
        for part in parts {
            self.vars.extend(part.var.as_ref());
            self.element(&part.element);
        }
    }

    fn query(&mut self, q: &'a Query) {
        for sq in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
            self.clauses(&sq.clauses);
        }
    }

    fn set_item(&mut self, it: &'a SetItem) {
        match it {
            SetItem::Property { target, value, .. } => {
                self.exprs.push(target);
                self.exprs.push(value);
            }
            SetItem::Replace { var, value } | SetItem::Merge { var, value } => {
                self.vars.push(var);
                self.exprs.push(value);
            }
            SetItem::Labels { var, .. } => self.vars.push(var),
        }
    }

    fn clauses(&mut self, clauses: &'a [Clause]) {
        for c in clauses {
            match c {
                Clause::Match {
                    pattern, where_, ..
                } => {
                    self.parts(&pattern.parts);
                    self.exprs.extend(where_.as_ref());
                }
                Clause::Unwind { expr, .. } => self.exprs.push(expr),
                Clause::LoadCsv { url, .. } => self.exprs.push(url),
                Clause::With(p) | Clause::Return(p) => {
                    self.exprs.extend(p.items.iter().map(|it| &it.expr));
                    self.exprs.extend(p.order_by.iter().map(|s| &s.expr));
                    self.exprs
                        .extend([&p.skip, &p.limit, &p.where_].into_iter().flatten());
                }
                Clause::Create { pattern, .. } => self.parts(&pattern.parts),
                Clause::Merge {
                    part,
                    on_create,
                    on_match,
                    ..
                } => {
                    self.parts(std::slice::from_ref(part));
                    on_create
                        .iter()
                        .chain(on_match)
                        .for_each(|it| self.set_item(it));
                }
                Clause::Set { items, .. } => items.iter().for_each(|it| self.set_item(it)),
                Clause::Remove { items, .. } => {
                    for it in items {
                        match it {
                            RemoveItem::Property { target, .. } => self.exprs.push(target),
                            RemoveItem::Labels { var, .. } => self.vars.push(var),
                        }
                    }
                }
                Clause::Delete { exprs, .. } => self.exprs.extend(exprs),
                Clause::Subquery {
                    scope,
                    query,
                    in_transactions,
                    ..
                } => {
                    if let SubqueryScope::Vars(vs) = scope {
                        self.vars.extend(vs);
                    }
                    self.query(query);
                    self.exprs
                        .extend(in_transactions.iter().filter_map(|tx| tx.rows.as_ref()));
                }
                Clause::Foreach { list, clauses, .. } => {
                    self.exprs.push(list);
                    self.clauses(clauses);
                }
                Clause::Call { args, where_, .. } => {
                    self.exprs.extend(args.iter().flatten());
                    self.exprs.extend(where_.as_ref());
                }
            }
        }
    }
}

fn vars_of(e: &Expr, out: &mut Vec<String>) {
    super::expr::visit(e, &mut |x| {
        if let ExprKind::Var(v) = &x.kind {
            out.push(v.clone());
        }
    });
}

fn has_variables(e: &Expr) -> bool {
    let mut v = Vec::new();
    vars_of(e, &mut v);
    !v.is_empty()
}

fn calls_rand(e: &Expr) -> bool {
    let mut found = false;
    super::expr::visit(e, &mut |x| {
        if let ExprKind::FnCall { name, .. } = &x.kind
            && name.eq_ignore_ascii_case("rand")
        {
            found = true;
        }
    });
    found
}

fn nested_aggregate(e: &Expr) -> Result<(), QueryError> {
    let mut err = None;
    super::expr::visit(e, &mut |x| {
        if let ExprKind::FnCall { name, args, .. } = &x.kind
            && is_aggregate(name)
            && args.iter().any(contains_aggregate)
            && err.is_none()
        {
            err = Some(sem(
                "NestedAggregation",
                format!("{name}() cannot contain another aggregation"),
                x.span,
            ));
        }
        // An aggregation over rand() has no defined meaning: each row would
        // aggregate a value no other evaluation could reproduce.
        if let ExprKind::FnCall { name, args, .. } = &x.kind
            && is_aggregate(name)
            && args.iter().any(calls_rand)
            && err.is_none()
        {
            err = Some(sem(
                "NonConstantExpression",
                format!("{name}() cannot aggregate rand(), which is not constant"),
                x.span,
            ));
        }
    });
    err.map_or(Ok(()), Err)
}

#[derive(Clone, Copy, PartialEq)]
enum PatternUse {
    Match,
    Create,
}

fn bind(scope: &mut Scope, v: &Ident, kind: Kind, use_: PatternUse) -> Result<(), QueryError> {
    if kind == Kind::Path && scope.contains_key(&v.name) {
        return Err(sem(
            "VariableAlreadyBound",
            format!("`{}` is already bound and cannot name a path", v.name),
            v.span,
        ));
    }
    match scope.get(&v.name) {
        None => {
            scope.insert(v.name.clone(), kind);
            Ok(())
        }
        Some(k) if *k == kind || *k == Kind::Any => {
            if kind == Kind::Path {
                return Err(sem(
                    "VariableAlreadyBound",
                    format!("path `{}` is already bound", v.name),
                    v.span,
                ));
            }
            if use_ == PatternUse::Create && kind == Kind::Rel {
                return Err(sem(
                    "VariableAlreadyBound",
                    format!("relationship `{}` is already bound", v.name),
                    v.span,
                ));
            }
            if *k == Kind::Any {
                scope.insert(v.name.clone(), kind);
            }
            Ok(())
        }
        Some(k) => Err(sem(
            "VariableTypeConflict",
            format!(
                "`{}` is a {} and cannot be used as a {}",
                v.name,
                kind_name(*k),
                kind_name(kind)
            ),
            v.span,
        )),
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Node => "node",
        Kind::Rel => "relationship",
        Kind::RelList => "list of relationships",
        Kind::Path => "path",
        Kind::Value(_) => "value that is not a graph element",
        Kind::Any => "value",
        Kind::Dropped => "variable the projection before does not keep",
    }
}

fn bind_pattern(scope: &mut Scope, pattern: &Pattern, use_: PatternUse) -> Result<(), QueryError> {
    let mut rels_here: Vec<&str> = Vec::new();
    for part in &pattern.parts {
        let el = &part.element;
        if let Some(v) = &el.start.var {
            bind(scope, v, Kind::Node, use_)?;
        }
        for (r, n) in &el.chain {
            if let Some(v) = &r.var {
                if rels_here.contains(&v.name.as_str()) {
                    return Err(sem(
                        "RelationshipUniquenessViolation",
                        format!("relationship `{}` is used twice in one pattern", v.name),
                        v.span,
                    ));
                }
                rels_here.push(&v.name);
                let kind = if r.length.is_some() {
                    Kind::RelList
                } else {
                    Kind::Rel
                };
                match scope.get(&v.name) {
                    Some(Kind::Any | Kind::Value(_)) if kind == Kind::RelList => {}
                    _ => bind(scope, v, kind, use_)?,
                }
            }
            if let Some(v) = &n.var {
                bind(scope, v, Kind::Node, use_)?;
            }
        }
        if let Some(v) = &part.var {
            bind(scope, v, Kind::Path, use_)?;
        }
    }
    Ok(())
}

fn check_create_pattern(
    scope: &Scope,
    parts: &[PatternPart],
    merge: bool,
) -> Result<(), QueryError> {
    let mut seen: Vec<&str> = Vec::new();
    for part in parts {
        let el = &part.element;
        let lone = el.chain.is_empty();
        let node = |n: &NodePattern, seen: &mut Vec<&str>| -> Result<(), QueryError> {
            if merge
                && let Some(p) = &n.props
                && matches!(p.kind, ExprKind::Param(_))
            {
                return Err(sem(
                    "InvalidParameterUse",
                    "MERGE cannot take its properties from a parameter map",
                    p.span,
                ));
            }
            if let Some(v) = &n.var {
                let bound = scope.contains_key(&v.name) || seen.contains(&v.name.as_str());
                if bound && (lone || !n.labels.is_empty() || n.props.is_some()) {
                    return Err(sem(
                        "VariableAlreadyBound",
                        format!("`{}` is already bound and cannot be created again", v.name),
                        v.span,
                    ));
                }
            }
            Ok(())
        };
        node(&el.start, &mut seen)?;
        if let Some(v) = &el.start.var {
            seen.push(&v.name);
        }
        for (r, n) in &el.chain {
            if let Some(v) = &r.var
                && scope.contains_key(&v.name)
            {
                return Err(sem(
                    "VariableAlreadyBound",
                    format!(
                        "relationship `{}` is already bound and cannot be created again",
                        v.name
                    ),
                    v.span,
                ));
            }
            check_create_rel(r, merge)?;
            node(n, &mut seen)?;
            if let Some(v) = &n.var {
                seen.push(&v.name);
            }
        }
    }
    Ok(())
}

fn check_create_rel(r: &RelPattern, merge: bool) -> Result<(), QueryError> {
    let what = if merge { "MERGE" } else { "CREATE" };
    if r.types.len() != 1 {
        return Err(sem(
            "NoSingleRelationshipType",
            format!("a relationship in {what} needs exactly one type"),
            r.span,
        ));
    }
    if r.length.is_some() {
        return Err(sem(
            "CreatingVarLength",
            format!("{what} cannot use a variable-length relationship"),
            r.span,
        ));
    }
    if !merge && r.direction == Direction::Both {
        return Err(sem(
            "RequiresDirectedRelationship",
            "CREATE needs a direction for each relationship",
            r.span,
        ));
    }
    if merge
        && let Some(p) = &r.props
        && matches!(p.kind, ExprKind::Param(_))
    {
        return Err(sem(
            "InvalidParameterUse",
            "MERGE cannot take its properties from a parameter map",
            p.span,
        ));
    }
    Ok(())
}

fn check_pattern_exprs(scope: &Scope, parts: &[PatternPart]) -> Result<(), QueryError> {
    for part in parts {
        check_element_exprs(scope, &part.element)?;
    }
    Ok(())
}

fn check_element_exprs(scope: &Scope, el: &PatternElement) -> Result<(), QueryError> {
    let mut exprs: Vec<&Expr> = Vec::new();
    exprs.extend(el.start.props.as_deref());
    for (r, n) in &el.chain {
        exprs.extend(r.props.as_deref());
        exprs.extend(n.props.as_deref());
    }
    for e in exprs {
        check_expr(scope, e)?;
    }
    Ok(())
}

fn element_vars(el: &PatternElement) -> Vec<(&Ident, Kind)> {
    let mut out = Vec::new();
    if let Some(v) = &el.start.var {
        out.push((v, Kind::Node));
    }
    for (r, n) in &el.chain {
        if let Some(v) = &r.var {
            out.push((
                v,
                if r.length.is_some() {
                    Kind::RelList
                } else {
                    Kind::Rel
                },
            ));
        }
        if let Some(v) = &n.var {
            out.push((v, Kind::Node));
        }
    }
    out
}

/// Checks that every variable an expression uses is defined, that functions
/// exist, and that graph-only operations get graph elements where the kind
/// is known.
/// Checks an expression: variables, functions, and static types.
fn check_expr(scope: &Scope, e: &Expr) -> Result<(), QueryError> {
    check_vars(scope, e)?;
    type_check(scope, &mut Vec::new(), e).map(|_| ())
}

/// Every recursion over an expression goes through [`grow_stack`]
/// (`super::expr::grow_stack`), so a deeply nested expression cannot
/// overflow the stack of a debug build.
fn check_vars(scope: &Scope, e: &Expr) -> Result<(), QueryError> {
    super::expr::grow_stack(|| check_vars_inner(scope, e))
}

fn check_vars_inner(scope: &Scope, e: &Expr) -> Result<(), QueryError> {
    match &e.kind {
        ExprKind::Var(v) => {
            if !scope.contains_key(v) {
                return Err(sem(
                    "UndefinedVariable",
                    format!("variable `{v}` is not defined"),
                    e.span,
                ));
            }
            Ok(())
        }
        ExprKind::ListComprehension {
            var,
            list,
            filter,
            map,
        } => {
            check_vars(scope, list)?;
            for x in [filter, map].into_iter().flatten() {
                no_aggregate(x, "a list comprehension")?;
            }
            let mut inner = scope.clone();
            inner.insert(var.name.clone(), Kind::Any);
            for x in [filter, map].into_iter().flatten() {
                check_vars(&inner, x)?;
            }
            Ok(())
        }
        ExprKind::Quantified {
            var, list, filter, ..
        } => {
            check_vars(scope, list)?;
            let mut inner = scope.clone();
            inner.insert(var.name.clone(), Kind::Any);
            if let Some(f) = filter {
                no_aggregate(f, "a quantifier")?;
                check_vars(&inner, f)?;
            }
            Ok(())
        }
        ExprKind::Reduce {
            acc,
            init,
            var,
            list,
            expr,
        } => {
            check_vars(scope, init)?;
            check_vars(scope, list)?;
            let mut inner = scope.clone();
            inner.insert(acc.name.clone(), Kind::Any);
            inner.insert(var.name.clone(), Kind::Any);
            check_vars(&inner, expr)
        }
        ExprKind::PatternComprehension {
            var,
            element,
            filter,
            map,
        } => {
            let mut inner = visible(scope).into_owned();
            for (v, k) in element_vars(element) {
                inner.entry(v.name.clone()).or_insert(k);
            }
            if let Some(v) = var {
                inner.insert(v.name.clone(), Kind::Path);
            }
            check_element_exprs(&inner, element)?;
            for x in [filter.as_deref(), Some(map.as_ref())]
                .into_iter()
                .flatten()
            {
                check_vars(&inner, x)?;
            }
            Ok(())
        }
        ExprKind::PatternPredicate(element) => {
            let scope = &*visible(scope);
            for (v, _) in element_vars(element) {
                if !scope.contains_key(&v.name) {
                    return Err(sem(
                        "UndefinedVariable",
                        format!(
                            "variable `{}` is not defined (a pattern used as a predicate cannot introduce new variables)",
                            v.name
                        ),
                        v.span,
                    ));
                }
            }
            check_element_exprs(scope, element)
        }
        ExprKind::ExistsSubquery {
            pattern,
            where_,
            query,
            ..
        } => {
            let scope = visible(scope);
            if let Some(q) = query {
                for sq in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
                    no_shadowing(&scope, sq)?;
                    check_single_in(sq, scope.clone().into_owned())?;
                }
                return Ok(());
            }
            let mut inner = scope.into_owned();
            for part in &pattern.parts {
                for (v, k) in element_vars(&part.element) {
                    inner.entry(v.name.clone()).or_insert(k);
                }
            }
            check_pattern_exprs(&inner, &pattern.parts)?;
            if let Some(w) = where_ {
                check_vars(&inner, w)?;
            }
            Ok(())
        }
        ExprKind::MapProjection(x, items) => {
            check_vars(scope, x)?;
            for it in items {
                match it {
                    MapProjItem::Literal(_, v) => check_vars(scope, v)?,
                    MapProjItem::Variable(v) => need_var(scope, v)?,
                    _ => {}
                }
            }
            Ok(())
        }
        ExprKind::FnCall { name, args, .. } => {
            let l = name.to_ascii_lowercase();
            let known = super::functions::NAMES
                .iter()
                .any(|n| n.eq_ignore_ascii_case(&l));
            if !is_aggregate(&l) && !known {
                let mut err = sem(
                    "UnknownFunction",
                    format!("unknown function {name}()"),
                    e.span,
                );
                if let Some(s) =
                    crate::model::names::did_you_mean(&l, super::functions::NAMES.iter().copied())
                {
                    err = err.hint(format!("{s}()"));
                }
                return Err(err);
            }
            for a in args {
                check_vars(scope, a)?;
            }
            // Statically known misuse of graph functions.
            if let [arg] = args.as_slice()
                && let ExprKind::Var(v) = &arg.kind
                && let Some(k) = scope.get(v)
            {
                let bad = match l.as_str() {
                    "type" | "startnode" | "endnode" => matches!(k, Kind::Node | Kind::Path),
                    "labels" => matches!(k, Kind::Rel | Kind::Path | Kind::RelList),
                    "length" => matches!(k, Kind::Node | Kind::Rel),
                    "size" => matches!(k, Kind::Path | Kind::Node | Kind::Rel),
                    "nodes" | "relationships" => matches!(k, Kind::Node | Kind::Rel),
                    _ => false,
                };
                if bad {
                    return Err(sem(
                        "InvalidArgumentType",
                        format!("{name}() cannot take the {} `{v}`", kind_name(*k)),
                        arg.span,
                    ));
                }
            }
            Ok(())
        }
        _ => {
            for c in super::eval::children(e) {
                check_vars(scope, c)?;
            }
            Ok(())
        }
    }
}
