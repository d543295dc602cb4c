//! The index and constraint statements: `CREATE INDEX`, `DROP INDEX`,
//! `SHOW INDEXES`, `CREATE CONSTRAINT`, `DROP CONSTRAINT` and `SHOW
//! CONSTRAINTS`, as a Neo4j user writes them. The indexes themselves live in the store
//! ([`crate::store::propindex`]); the planner uses them in
//! [`super::pattern::start_of`].

use super::QueryResult;
use super::ast::{CreateIndex, DropIndex, Ident, Statement, StatementBody};
use crate::error::{ErrorClass, QueryError, Span};
use crate::model::Value;
use crate::store::{BUILTIN_INDEXES, Graph};

/// The columns of `SHOW INDEXES` (Neo4j's, less the ones about its
/// storage engine); `owningConstraint` names the uniqueness constraint an
/// index was made for.
pub(crate) const SHOW_COLUMNS: [&str; 8] = [
    "name",
    "state",
    "populationPercent",
    "type",
    "entityType",
    "labelsOrTypes",
    "properties",
    "owningConstraint",
];

/// Runs an index statement (`body` is not a query). With EXPLAIN, says
/// what it would do and does nothing.
pub fn run(graph: &mut Graph, stmt: &Statement) -> Result<QueryResult, QueryError> {
    if stmt.explain {
        return Ok(QueryResult {
            plan: Some(format!("{}\n", describe(&stmt.body))),
            ..QueryResult::default()
        });
    }
    match &stmt.body {
        StatementBody::Query(_) | StatementBody::ShowProcedures => Ok(QueryResult::default()),
        StatementBody::ShowIndexes { kind } => Ok(show(graph, kind.as_ref())),
        StatementBody::CreateIndex(c) => create(graph, c, stmt.span),
        StatementBody::DropIndex(d) => drop(graph, d, stmt.span),
        StatementBody::CreateConstraint(c) => create_constraint(graph, c, stmt.span),
        StatementBody::DropConstraint { name, if_exists } => {
            if *if_exists && !graph.constraints().any(|c| c.name == name.name) {
                return Ok(notice(format!(
                    "no constraint called '{}': nothing dropped",
                    name.name
                )));
            }
            graph
                .drop_constraint(&name.name)
                .map_err(|e| e.at(name.span))?;
            let mut res = notice(format!("dropped constraint '{}'", name.name));
            res.stats.writes = 1;
            res.stats.constraints_removed = 1;
            Ok(res)
        }
        StatementBody::ShowConstraints => Ok(show_constraints(graph)),
    }
}

/// The columns of `SHOW CONSTRAINTS` (Neo4j 5's default ones, less
/// `ownedIndex` and `propertyType`: no index belongs to a constraint here,
/// and there are no property type constraints).
pub(crate) const CONSTRAINT_COLUMNS: [&str; 6] = [
    "id",
    "name",
    "type",
    "entityType",
    "labelsOrTypes",
    "properties",
];

fn show_constraints(graph: &Graph) -> QueryResult {
    QueryResult {
        columns: CONSTRAINT_COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: constraint_rows(graph),
        ..QueryResult::default()
    }
}

/// The rows of `SHOW CONSTRAINTS`, by name; also `db.constraints()`'s.
pub(crate) fn constraint_rows(graph: &Graph) -> Vec<Vec<Value>> {
    use crate::store::constraints::Entity;
    let mut all: Vec<_> = graph.constraints().collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all.iter()
        .enumerate()
        .map(|(i, c)| {
            vec![
                Value::Int(i as i64 + 1),
                Value::String(c.name.clone()),
                Value::String(c.type_name().into()),
                Value::String(
                    match c.entity {
                        Entity::Node => "NODE",
                        Entity::Rel => "RELATIONSHIP",
                    }
                    .into(),
                ),
                Value::List(vec![Value::String(c.label.to_string())]),
                Value::List(
                    c.keys
                        .iter()
                        .map(|k| Value::String(k.to_string()))
                        .collect(),
                ),
            ]
        })
        .collect()
}

/// `CREATE CONSTRAINT`: checks the graph against it first; errors point
/// at the name, else at the statement.
fn create_constraint(
    graph: &mut Graph,
    c: &super::ast::CreateConstraint,
    span: Span,
) -> Result<QueryResult, QueryError> {
    use crate::model::Sym;
    let def = crate::store::constraints::Constraint {
        name: c.name.as_ref().map(|n| n.name.clone()).unwrap_or_default(),
        kind: c.kind,
        entity: c.entity,
        label: Sym::new(&c.label.name),
        keys: c.keys.iter().map(|k| Sym::new(&k.name)).collect(),
    };
    if c.if_not_exists {
        let same = graph
            .constraints()
            .find(|o| o.same_rule(&def) || (!def.name.is_empty() && o.name == def.name));
        if let Some(existing) = same {
            return Ok(notice(format!(
                "a constraint '{}' exists already: nothing created for {def}",
                existing.name
            )));
        }
    }
    let shown = def.to_string();
    let name = graph
        .create_constraint(def)
        .map_err(|e| e.at(c.name.as_ref().map_or(span, |n| n.span)))?;
    let mut res = notice(format!("created constraint '{name}': {shown}"));
    res.stats.writes = 1;
    res.stats.constraints_added = 1;
    Ok(res)
}

/// A result that changed nothing and says why.
fn notice(text: String) -> QueryResult {
    QueryResult {
        notices: vec![text],
        ..QueryResult::default()
    }
}

/// `CREATE INDEX`; errors point at the name, else at the statement.
fn create(graph: &mut Graph, c: &CreateIndex, span: Span) -> Result<QueryResult, QueryError> {
    let (label, key) = (&c.label.name, &c.property.name);
    let target = target(&c.label, &c.property);
    if c.if_not_exists {
        let same = graph.prop_index(label, key).map(|ix| ix.name());
        let named = c.name.as_ref().filter(|n| graph.index_exists(&n.name));
        if let Some(existing) = same.or(named.map(|n| n.name.as_str())) {
            return Ok(notice(format!(
                "an index '{existing}' exists already: nothing created for {target}"
            )));
        }
    }
    let name = c.name.as_ref().map(|n| n.name.as_str());
    let created = graph
        .create_index(name, label, key)
        .map_err(|e| e.at(c.name.as_ref().map_or(span, |n| n.span)))?;
    let size = graph.prop_index(label, key).map_or(0, |ix| ix.len());
    let mut res = notice(format!(
        "created index '{created}' on {target}: {size} node{}",
        if size == 1 { "" } else { "s" }
    ));
    res.stats.writes = 1;
    res.stats.indexes_added = 1;
    Ok(res)
}

/// `DROP INDEX`.
fn drop(graph: &mut Graph, d: &DropIndex, span: Span) -> Result<QueryResult, QueryError> {
    let Some(found) = drop_target(graph, d)? else {
        return Ok(notice("no such index: nothing dropped".into()));
    };
    graph
        .drop_index(&found)
        .map_err(|e| e.at(d.name.as_ref().map_or(span, |n| n.span)))?;
    let mut res = notice(format!("dropped index '{found}'"));
    res.stats.writes = 1;
    res.stats.indexes_removed = 1;
    Ok(res)
}

/// `(:Label {key})`, as Neo4j names an index's schema.
fn target(label: &Ident, property: &Ident) -> String {
    format!("(:{} {{{}}})", label.name, property.name)
}

/// The name of the index a DROP INDEX means; None when there is none and
/// IF EXISTS was given. By label and property, a name given as well must
/// be that index's.
fn drop_target(graph: &Graph, d: &DropIndex) -> Result<Option<String>, QueryError> {
    let fail = |msg: String, at: &Ident| {
        Err(QueryError::new(ErrorClass::SemanticError, "IndexDropFailed", msg).at(at.span))
    };
    let Some((label, property)) = &d.on else {
        let Some(n) = &d.name else { return Ok(None) };
        if !graph.index_exists(&n.name) && d.if_exists {
            return Ok(None);
        }
        return Ok(Some(n.name.clone()));
    };
    match (graph.prop_index(&label.name, &property.name), &d.name) {
        (Some(ix), Some(n)) if ix.name() != n.name => fail(
            format!(
                "the index on {} is called '{}', not '{}'",
                target(label, property),
                ix.name(),
                n.name
            ),
            n,
        ),
        (Some(ix), _) => Ok(Some(ix.name().to_string())),
        (None, _) if d.if_exists => Ok(None),
        (None, _) => fail(
            format!("there is no index on {}", target(label, property)),
            property,
        ),
    }
}

/// `SHOW INDEXES`: the built-in indexes (labels, names and aliases,
/// relationship types) and the property indexes, by name;
/// `kind` RANGE or LOOKUP keeps those of that type.
fn show(graph: &Graph, kind: Option<&Ident>) -> QueryResult {
    QueryResult {
        columns: SHOW_COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: index_rows(graph, kind.map(|k| k.name.as_str())),
        ..QueryResult::default()
    }
}

/// The rows of `SHOW INDEXES` (of `kind` only, RANGE or LOOKUP, if given),
/// by name; also `db.indexes()`'s.
pub(crate) fn index_rows(graph: &Graph, kind: Option<&str>) -> Vec<Vec<Value>> {
    let list = |items: &[&str]| Value::List(items.iter().map(|s| Value::from(*s)).collect());
    let row = |name: &str, ty: &str, labels: Value, props: Value| {
        vec![
            Value::from(name),
            Value::from("ONLINE"),
            Value::Float(100.0),
            Value::from(ty),
            Value::from("NODE"),
            labels,
            props,
            Value::Null,
        ]
    };
    let [labels_ix, names_ix, types_ix] = BUILTIN_INDEXES;
    let mut types_row = row(types_ix, "LOOKUP", Value::Null, Value::Null);
    types_row[4] = Value::from("RELATIONSHIP");
    let mut rows = vec![
        row(labels_ix, "LOOKUP", Value::Null, Value::Null),
        types_row,
        row(
            names_ix,
            "NAME",
            Value::Null,
            list(&[crate::store::NAME, crate::store::ALIASES]),
        ),
    ];
    for ix in graph.prop_indexes() {
        let mut r = row(
            ix.name(),
            "RANGE",
            list(&[ix.label().as_str()]),
            list(&[ix.key().as_str()]),
        );
        // A constraint's own index has its name.
        if graph.constraints().any(|c| c.name == ix.name()) {
            r[7] = Value::from(ix.name());
        }
        rows.push(r);
    }
    if let Some(k) = kind {
        let want = k.to_uppercase();
        rows.retain(|r| r[3] == Value::from(want.as_str()));
    }
    rows.sort_by(|a, b| a[0].as_str().cmp(&b[0].as_str()));
    rows
}

/// What EXPLAIN says an index statement does.
fn describe(body: &StatementBody) -> String {
    match body {
        StatementBody::CreateIndex(c) => format!(
            "CreateIndex {} (fills it from the label index)",
            target(&c.label, &c.property)
        ),
        StatementBody::DropIndex(_) => "DropIndex".into(),
        StatementBody::ShowIndexes { .. } => "ShowIndexes".into(),
        StatementBody::ShowProcedures => "ShowProcedures".into(),
        StatementBody::CreateConstraint(_) => {
            "CreateConstraint (checks every element it covers first)".into()
        }
        StatementBody::DropConstraint { .. } => "DropConstraint".into(),
        StatementBody::ShowConstraints => "ShowConstraints".into(),
        StatementBody::Query(_) => String::new(),
    }
}
