//! Semantic checks done before a statement runs, so that a query that makes
//! no sense fails before it writes anything: undefined variables, variables
//! rebound or used as two kinds, misplaced aggregations, clauses that cannot
//! create what they describe, UNION parts with different columns.
//!
//! Errors use the openCypher TCK's detail names (`UndefinedVariable`,
//! `VariableAlreadyBound` ...) with [`ErrorClass::SemanticError`](crate::error::ErrorClass).

use std::collections::HashMap;

use super::ast::{
    Clause, Direction, Expr, ExprKind, Ident, MapProjItem, NodePattern, Pattern, PatternElement,
    PatternPart, Projection, Query, RelPattern, RemoveItem, SetItem, SingleQuery,
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
    /// Known not to be a graph element (a literal, list, map, number ...).
    Value,
    Any,
}

/// What an expression's value is known to be, statically.
fn kind_of(scope: &Scope, e: &Expr) -> Kind {
    use super::ast::Literal;
    match &e.kind {
        ExprKind::Var(v) => scope.get(v).copied().unwrap_or(Kind::Any),
        ExprKind::Literal(Literal::Null) => Kind::Any,
        ExprKind::Literal(_)
        | ExprKind::List(_)
        | ExprKind::Map(_)
        | ExprKind::ListComprehension { .. }
        | ExprKind::PatternComprehension { .. }
        | ExprKind::MapProjection(..)
        | ExprKind::IsNull(_)
        | ExprKind::IsNotNull(_)
        | ExprKind::HasLabels(..)
        | ExprKind::Quantified { .. }
        | ExprKind::CountStar
        | ExprKind::Binary(..)
        | ExprKind::Unary(..) => Kind::Value,
        _ => Kind::Any,
    }
}

type Scope = HashMap<String, Kind>;

fn sem(detail: &str, msg: impl Into<String>, span: crate::error::Span) -> QueryError {
    QueryError::semantic(detail, msg).at(span)
}

/// Checks a whole query (every UNION part).
pub fn check_query(q: &Query) -> Result<(), QueryError> {
    let cols = check_single(&q.first)?;
    let mut kinds = Vec::new();
    for (all, sq) in &q.unions {
        kinds.push(*all);
        let c = check_single(sq)?;
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
    Ok(())
}

/// Checks one query part; returns its result columns.
fn check_single(q: &SingleQuery) -> Result<Vec<String>, QueryError> {
    let mut scope: Scope = HashMap::new();
    let n = q.clauses.len();
    for (i, c) in q.clauses.iter().enumerate() {
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
                        return Err(QueryError::type_error(
                            "InvalidArgumentType",
                            "WHERE needs a boolean, not a graph element",
                        )
                        .at(w.span));
                    }
                }
            }
            Clause::Unwind { expr, alias, .. } => {
                check_expr(&scope, expr)?;
                no_aggregate(expr, "UNWIND")?;
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
                let pattern = Pattern {
                    parts: vec![part.clone()],
                };
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
                    if kind_of(&scope, e) == Kind::Value {
                        return Err(QueryError::type_error(
                            "InvalidArgumentType",
                            "DELETE needs a node, relationship or path",
                        )
                        .at(e.span));
                    }
                }
            }
            Clause::Call { args, .. } => {
                for a in args.iter().flatten() {
                    check_expr(&scope, a)?;
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
    for it in &p.items {
        check_expr(scope, &it.expr)?;
        nested_aggregate(&it.expr)?;
        aggregating |= contains_aggregate(&it.expr);
        let name = match (&it.alias, &it.expr.kind) {
            (Some(a), _) => a.name.clone(),
            (None, ExprKind::Var(v)) => v.clone(),
            (None, _) if is_return => it.text.clone(),
            (None, _) => {
                return Err(sem(
                    "NoExpressionAlias",
                    format!("expression in WITH must be aliased (use AS): {}", it.text),
                    it.span,
                ));
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
    // projection aggregates or is DISTINCT, the variables before it.
    let mut after = scope.clone();
    after.extend(out.iter().map(|(k, v)| (k.clone(), *v)));
    let g = Grouping::new(p, &out);
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
    }
    Ok((cols, out))
}

/// What may be referred to once a projection has grouped rows (by
/// aggregation or DISTINCT): the projected expressions themselves, the
/// projected names, and (in an item's own aggregation) the grouping keys.
struct Grouping {
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
}

impl Grouping {
    fn new(p: &Projection, out: &Scope) -> Grouping {
        let mut g = Grouping {
            keys: Vec::new(),
            items: Vec::new(),
            key_vars: Vec::new(),
            out: out.keys().cloned().collect(),
            mentioned: Vec::new(),
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
        let is_agg = matches!(&e.kind, ExprKind::CountStar)
            || matches!(&e.kind, ExprKind::FnCall { name, .. } if is_aggregate(name));
        let text = e.to_string();
        if self.keys.contains(&text) && matches!(e.kind, ExprKind::Var(_) | ExprKind::Property(..))
        {
            return Ok(());
        }
        if is_agg {
            if !order_by || self.items.contains(&text) {
                return Ok(());
            }
            // Inside an aggregation of ORDER BY only projected names count.
            let mut inner: Vec<String> = locals.iter().filter(|l| *l != " agg").cloned().collect();
            return super::eval::children(e)
                .into_iter()
                .try_for_each(|c| self.walk(c, order_by, &mut inner));
        }
        match &e.kind {
            ExprKind::Var(v) => {
                if locals.contains(v)
                    || self.key_vars.contains(v)
                    || (order_by && self.out.contains(v))
                {
                    return Ok(());
                }
                if order_by && !(self.mentioned.contains(v) && locals.iter().any(|l| l == " agg")) {
                    return Err(sem(
                        "UndefinedVariable",
                        format!(
                            "variable `{v}` is not defined here: the projection before ORDER BY does not keep it"
                        ),
                        e.span,
                    ));
                }
                Err(sem(
                    "AmbiguousAggregationExpression",
                    format!(
                        "`{v}` is used next to an aggregation but is not a grouping key of its own"
                    ),
                    e.span,
                ))
            }
            ExprKind::Property(base, _) => {
                if let ExprKind::Var(v) = &base.kind
                    && (self.key_vars.contains(v) || locals.contains(v))
                {
                    return Ok(());
                }
                self.walk(base, order_by, locals)
            }
            ExprKind::ListComprehension { var, .. } | ExprKind::Quantified { var, .. } => {
                locals.push(var.name.clone());
                let r = super::eval::children(e)
                    .into_iter()
                    .try_for_each(|c| self.walk(c, order_by, locals));
                locals.pop();
                r
            }
            ExprKind::Reduce { acc, var, .. } => {
                locals.push(acc.name.clone());
                locals.push(var.name.clone());
                let r = super::eval::children(e)
                    .into_iter()
                    .try_for_each(|c| self.walk(c, order_by, locals));
                locals.truncate(locals.len() - 2);
                r
            }
            ExprKind::PatternComprehension { .. }
            | ExprKind::PatternPredicate(_)
            | ExprKind::ExistsSubquery { .. } => Ok(()),
            _ => super::eval::children(e)
                .into_iter()
                .try_for_each(|c| self.walk(c, order_by, locals)),
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
        Kind::Value => "value that is not a graph element",
        Kind::Any => "value",
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
                    Some(Kind::Any | Kind::Value) if kind == Kind::RelList => {}
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
fn check_expr(scope: &Scope, e: &Expr) -> Result<(), QueryError> {
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
            check_expr(scope, list)?;
            for x in [filter, map].into_iter().flatten() {
                no_aggregate(x, "a list comprehension")?;
            }
            let mut inner = scope.clone();
            inner.insert(var.name.clone(), Kind::Any);
            for x in [filter, map].into_iter().flatten() {
                check_expr(&inner, x)?;
            }
            Ok(())
        }
        ExprKind::Quantified {
            var, list, filter, ..
        } => {
            check_expr(scope, list)?;
            let mut inner = scope.clone();
            inner.insert(var.name.clone(), Kind::Any);
            if let Some(f) = filter {
                no_aggregate(f, "a quantifier")?;
                check_expr(&inner, f)?;
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
            check_expr(scope, init)?;
            check_expr(scope, list)?;
            let mut inner = scope.clone();
            inner.insert(acc.name.clone(), Kind::Any);
            inner.insert(var.name.clone(), Kind::Any);
            check_expr(&inner, expr)
        }
        ExprKind::PatternComprehension {
            var,
            element,
            filter,
            map,
        } => {
            let mut inner = scope.clone();
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
                check_expr(&inner, x)?;
            }
            Ok(())
        }
        ExprKind::PatternPredicate(element) => {
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
        } => {
            let mut inner = scope.clone();
            if query.is_none() {
                for part in &pattern.parts {
                    for (v, k) in element_vars(&part.element) {
                        inner.entry(v.name.clone()).or_insert(k);
                    }
                }
                check_pattern_exprs(&inner, &pattern.parts)?;
                if let Some(w) = where_ {
                    check_expr(&inner, w)?;
                }
            }
            Ok(())
        }
        ExprKind::MapProjection(x, items) => {
            check_expr(scope, x)?;
            for it in items {
                match it {
                    MapProjItem::Literal(_, v) => check_expr(scope, v)?,
                    MapProjItem::Variable(v) => need_var(scope, v)?,
                    _ => {}
                }
            }
            Ok(())
        }
        ExprKind::FnCall { name, args, .. } => {
            let l = name.to_ascii_lowercase();
            if !is_aggregate(&l) && !super::functions::NAMES.contains(&l.as_str()) {
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
                check_expr(scope, a)?;
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
                    return Err(QueryError::type_error(
                        "InvalidArgumentType",
                        format!("{name}() cannot take the {} `{v}`", kind_name(*k)),
                    )
                    .at(arg.span));
                }
            }
            Ok(())
        }
        _ => {
            for c in super::eval::children(e) {
                check_expr(scope, c)?;
            }
            Ok(())
        }
    }
}
