//! Procedures: what `CALL name(args) [YIELD ...]` runs.
//!
//! A procedure has a [`Signature`] in Neo4j's notation
//! (`db.labels() :: (label :: STRING)`) and a body that gets the read-only
//! graph and its arguments, already checked and converted to the declared
//! types, and returns its rows, one value per output in the signature's
//! order. The built-ins (`db.labels`, `db.relationshipTypes`,
//! `db.propertyKeys`, `db.schema.nodeTypeProperties`,
//! `db.schema.relTypeProperties`, `dbms.procedures`) are always there; an
//! application adds its own to a [`Procedures`] registry handed to a
//! statement in [`ExecOptions::procedures`](super::ExecOptions).
//!
//! [`resolve`] checks every CALL of a statement against the registry before
//! anything runs (the name, the number and static types of the arguments,
//! the YIELDed outputs); the checks that need no registry (scoping, YIELD
//! names bound twice) are the checker's.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, OnceLock};

use super::Params;
use super::ast::{Clause, ExprKind, Ident, Literal, Query, SingleQuery};
use crate::error::{ErrorClass, QueryError};
use crate::model::Value;
use crate::store::Graph;

/// A type in a procedure's signature, as Neo4j spells it (`INTEGER`,
/// `LIST OF STRING`); whether null is accepted is [`Field::nullable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcType {
    Any,
    Boolean,
    Integer,
    Float,
    /// An integer or a float.
    Number,
    String,
    Date,
    DateTime,
    LocalDateTime,
    Time,
    LocalTime,
    Duration,
    Map,
    Node,
    Relationship,
    Path,
    List(Box<ProcType>),
}

impl ProcType {
    /// Whether a (non-null) value is of this type. An integer is accepted
    /// where a float is declared (and passed on as a float, see
    /// [`ProcType::convert`]).
    pub fn accepts(&self, v: &Value) -> bool {
        match (self, v) {
            (ProcType::Any, _) => true,
            (ProcType::Boolean, Value::Bool(_))
            | (ProcType::Integer, Value::Int(_))
            | (ProcType::Float, Value::Float(_) | Value::Int(_))
            | (ProcType::Number, Value::Int(_) | Value::Float(_))
            | (ProcType::String, Value::String(_))
            | (ProcType::Date, Value::Date(_))
            | (ProcType::Map, Value::Map(_))
            | (ProcType::Node, Value::Node(_))
            | (ProcType::Relationship, Value::Rel(_))
            | (ProcType::Path, Value::Path(_)) => true,
            (ProcType::List(t), Value::List(xs)) => xs.iter().all(|x| x.is_null() || t.accepts(x)),
            (t, Value::Temporal(x)) => {
                let name = x.type_name();
                matches!(
                    (t, name),
                    (ProcType::DateTime, "DateTime")
                        | (ProcType::LocalDateTime, "LocalDateTime")
                        | (ProcType::Time, "Time")
                        | (ProcType::LocalTime, "LocalTime")
                        | (ProcType::Duration, "Duration")
                )
            }
            _ => false,
        }
    }

    /// `v` as this type hands it to a procedure: an integer declared a
    /// float becomes one (also inside a list); anything else as it is.
    fn convert(&self, v: Value) -> Value {
        match (self, v) {
            (ProcType::Float, Value::Int(i)) => Value::Float(i as f64),
            (ProcType::List(t), Value::List(xs)) => {
                Value::List(xs.into_iter().map(|x| t.convert(x)).collect())
            }
            (_, v) => v,
        }
    }

    /// Reads a field's type: `INTEGER`, `STRING?`, `LIST? OF STRING`,
    /// `LIST<STRING>` (case ignored). Returns the type, whether it is
    /// nullable (the `?` after it, after `LIST` for a list: a `?` after a
    /// list's element type is read and ignored, elements may always be
    /// null) and the rest of the text.
    fn parse(s: &str) -> Result<(ProcType, bool, &str), String> {
        let s = s.trim_start();
        let end = s
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(s.len());
        let (word, rest) = s.split_at(end);
        let t = match word.to_ascii_uppercase().as_str() {
            "ANY" => ProcType::Any,
            "BOOLEAN" => ProcType::Boolean,
            "INTEGER" => ProcType::Integer,
            "FLOAT" => ProcType::Float,
            "NUMBER" => ProcType::Number,
            "STRING" => ProcType::String,
            "DATE" => ProcType::Date,
            "DATETIME" => ProcType::DateTime,
            "LOCALDATETIME" => ProcType::LocalDateTime,
            "TIME" => ProcType::Time,
            "LOCALTIME" => ProcType::LocalTime,
            "DURATION" => ProcType::Duration,
            "MAP" => ProcType::Map,
            "NODE" => ProcType::Node,
            "RELATIONSHIP" => ProcType::Relationship,
            "PATH" => ProcType::Path,
            "LIST" => {
                let (nullable, rest) = match rest.strip_prefix('?') {
                    Some(r) => (true, r),
                    None => (false, rest),
                };
                let rest = rest.trim_start();
                let (inner, rest) = if let Some(r) = rest.strip_prefix('<') {
                    let (t, _, r) = ProcType::parse(r)?;
                    let r = r.trim_start();
                    let r = r
                        .strip_prefix('>')
                        .ok_or_else(|| format!("expected '>' at `{r}`"))?;
                    (t, r)
                } else if rest.get(..2).is_some_and(|w| w.eq_ignore_ascii_case("OF"))
                    && !rest[2..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                {
                    let (t, _, r) = ProcType::parse(&rest[2..])?;
                    (t, r)
                } else {
                    return Err(format!("expected OF or '<' after LIST at `{rest}`"));
                };
                return Ok((ProcType::List(Box::new(inner)), nullable, rest));
            }
            "" => return Err(format!("expected a type at `{s}`")),
            w => {
                return Err(format!(
                    "unknown type `{w}` (ANY, BOOLEAN, INTEGER, FLOAT, NUMBER, STRING, DATE, \
                     DATETIME, LOCALDATETIME, TIME, LOCALTIME, DURATION, MAP, NODE, RELATIONSHIP, \
                     PATH, LIST OF ...)"
                ));
            }
        };
        Ok(match rest.strip_prefix('?') {
            Some(r) => (t, true, r),
            None => (t, false, rest),
        })
    }
}

impl fmt::Display for ProcType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            ProcType::Any => "ANY",
            ProcType::Boolean => "BOOLEAN",
            ProcType::Integer => "INTEGER",
            ProcType::Float => "FLOAT",
            ProcType::Number => "NUMBER",
            ProcType::String => "STRING",
            ProcType::Date => "DATE",
            ProcType::DateTime => "DATETIME",
            ProcType::LocalDateTime => "LOCALDATETIME",
            ProcType::Time => "TIME",
            ProcType::LocalTime => "LOCALTIME",
            ProcType::Duration => "DURATION",
            ProcType::Map => "MAP",
            ProcType::Node => "NODE",
            ProcType::Relationship => "RELATIONSHIP",
            ProcType::Path => "PATH",
            ProcType::List(t) => return write!(f, "LIST OF {t}"),
        };
        f.write_str(name)
    }
}

/// An argument or an output of a procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub ty: ProcType,
    /// Written `TYPE?`: null is accepted (as an argument) or may be
    /// returned (as an output).
    pub nullable: bool,
}

impl Field {
    fn accepts(&self, v: &Value) -> bool {
        if v.is_null() {
            self.nullable
        } else {
            self.ty.accepts(v)
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.ty, self.nullable) {
            (ProcType::List(t), true) => write!(f, "{} :: LIST? OF {t}", self.name),
            (t, true) => write!(f, "{} :: {t}?", self.name),
            (t, false) => write!(f, "{} :: {t}", self.name),
        }
    }
}

/// A procedure's name, arguments and outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// With its namespaces: `db.labels`. Matched exactly, as Neo4j does.
    pub name: String,
    pub inputs: Vec<Field>,
    /// None for a procedure that returns nothing (`:: ()`, Neo4j's VOID):
    /// a CALL of one keeps its input rows as they are.
    pub outputs: Vec<Field>,
    /// One line for `dbms.procedures()` and the shell's `:help`.
    pub description: String,
}

impl Signature {
    /// Reads Neo4j's notation:
    /// `test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?)`.
    /// A trailing `:` (as the openCypher TCK writes it) is ignored.
    pub fn parse(text: &str) -> Result<Signature, String> {
        let t = text.trim();
        let t = t.strip_suffix(':').unwrap_or(t).trim_end();
        let open = t
            .find('(')
            .ok_or_else(|| format!("expected '(' after the procedure's name in `{t}`"))?;
        let name = t[..open].trim();
        let valid = |part: &str| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_alphanumeric() || c == '_')
        };
        if !name.split('.').all(valid) {
            return Err(format!(
                "`{name}` is not a procedure name (names separated by dots)"
            ));
        }
        let (inputs, rest) = Self::fields(&t[open..])?;
        let rest = rest.trim_start();
        let rest = rest
            .strip_prefix("::")
            .ok_or_else(|| format!("expected `:: (outputs)` at `{rest}`"))?;
        let (outputs, rest) = Self::fields(rest.trim_start())?;
        if !rest.trim().is_empty() {
            return Err(format!("unexpected `{}` after the outputs", rest.trim()));
        }
        Ok(Signature {
            name: name.to_string(),
            inputs,
            outputs,
            description: String::new(),
        })
    }

    /// `(a :: T, b :: U?)` at the start of `s`; the fields and what follows.
    fn fields(s: &str) -> Result<(Vec<Field>, &str), String> {
        let mut rest = s
            .strip_prefix('(')
            .ok_or_else(|| format!("expected '(' at `{s}`"))?
            .trim_start();
        let mut fields: Vec<Field> = Vec::new();
        if let Some(r) = rest.strip_prefix(')') {
            return Ok((fields, r));
        }
        loop {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let (name, r) = rest.split_at(end);
            if !name.starts_with(|c: char| c.is_alphabetic() || c == '_') {
                return Err(format!("expected a field name at `{rest}`"));
            }
            if fields.iter().any(|f| f.name == name) {
                return Err(format!("`{name}` is declared twice"));
            }
            let r = r
                .trim_start()
                .strip_prefix("::")
                .ok_or_else(|| format!("expected `:: TYPE` after `{name}`"))?;
            let (ty, nullable, r) = ProcType::parse(r)?;
            fields.push(Field {
                name: name.to_string(),
                ty,
                nullable,
            });
            let r = r.trim_start();
            if let Some(r) = r.strip_prefix(',') {
                rest = r.trim_start();
            } else if let Some(r) = r.strip_prefix(')') {
                return Ok((fields, r));
            } else {
                return Err(format!("expected ',' or ')' at `{r}`"));
            }
        }
    }

    /// The same signature with a description.
    pub fn describe(mut self, description: &str) -> Signature {
        self.description = description.to_string();
        self
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |fields: &[Field]| {
            fields
                .iter()
                .map(Field::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(
            f,
            "{}({}) :: ({})",
            self.name,
            list(&self.inputs),
            list(&self.outputs)
        )
    }
}

/// What a procedure's body sees besides its arguments.
pub struct Context<'a> {
    pub graph: &'a Graph,
    /// The registry the statement runs with (for `dbms.procedures`).
    pub procedures: Option<&'a Procedures>,
    /// The statement's "as of" date (`AS OF`, the shell's `:asof`): a body
    /// should see only what [`Context::node_visible`] and
    /// [`Context::rel_visible`] let through, as MATCH does.
    pub as_of: Option<crate::model::FDate>,
}

impl Context<'_> {
    /// Whether a node exists and is valid at the statement's date.
    pub fn node_visible(&self, id: crate::model::NodeId) -> bool {
        self.graph
            .node(id)
            .is_some_and(|n| super::pattern::visible_at(self.as_of, n.props))
    }
    /// Whether a relationship and its two ends exist and are valid at the
    /// statement's date.
    pub fn rel_visible(&self, id: crate::model::RelId) -> bool {
        let valid = self
            .graph
            .rel(id)
            .is_some_and(|r| super::pattern::visible_at(self.as_of, r.props));
        valid
            && self
                .graph
                .rel_ends(id)
                .is_some_and(|(a, b)| self.node_visible(a) && self.node_visible(b))
    }
    /// The nodes valid at the statement's date.
    fn nodes(&self) -> impl Iterator<Item = crate::store::NodeRef<'_>> + '_ {
        self.graph
            .node_ids()
            .filter_map(|id| self.graph.node(id))
            .filter(|n| super::pattern::visible_at(self.as_of, n.props))
    }
    /// The relationships valid at the statement's date, with their types.
    fn rels(&self) -> impl Iterator<Item = (crate::model::RelId, crate::model::Sym)> + '_ {
        self.graph
            .rels_typed()
            .filter(|(id, _)| self.as_of.is_none() || self.rel_visible(*id))
    }
}

/// A procedure's body: the rows for these arguments (one per declared
/// input, each of its declared type or null where allowed), each row one
/// value per declared output. An error is the statement's error.
pub type Body = dyn Fn(&Context, &[Value]) -> Result<Vec<Vec<Value>>, QueryError> + Send + Sync;

/// A procedure: its signature and its body.
#[derive(Clone)]
pub struct Procedure {
    pub signature: Signature,
    body: Arc<Body>,
}

impl Procedure {
    pub fn new(
        signature: Signature,
        body: impl Fn(&Context, &[Value]) -> Result<Vec<Vec<Value>>, QueryError> + Send + Sync + 'static,
    ) -> Procedure {
        Procedure {
            signature,
            body: Arc::new(body),
        }
    }

    /// Runs the body on arguments [`check_args`] accepted and checks what
    /// it returns against the signature (a row of the wrong width, a value
    /// of the wrong type, a node or relationship the graph does not have
    /// is a `ProcedureCallFailed`).
    pub(crate) fn call(&self, cx: &Context, args: &[Value]) -> Result<Vec<Vec<Value>>, QueryError> {
        let mut rows = (self.body)(cx, args)?;
        let sig = &self.signature;
        let failed = |msg: String| {
            QueryError::new(
                ErrorClass::ProcedureError,
                "ProcedureCallFailed",
                format!("procedure {}: {msg}", sig.name),
            )
        };
        for (i, row) in rows.iter_mut().enumerate() {
            if row.len() != sig.outputs.len() {
                return Err(failed(format!(
                    "row {} has {} values, the signature {} outputs",
                    i + 1,
                    row.len(),
                    sig.outputs.len()
                )));
            }
            for (v, f) in row.iter_mut().zip(&sig.outputs) {
                if !f.accepts(v) {
                    return Err(failed(format!(
                        "row {} gives {} ({}) for `{f}`",
                        i + 1,
                        v.type_name(),
                        clip(v)
                    )));
                }
                *v = f.ty.convert(std::mem::take(v));
                let exists = elements_exist(cx.graph, v);
                if !exists {
                    return Err(failed(format!(
                        "row {} gives a {} with an element that is not in the graph",
                        i + 1,
                        v.type_name().to_lowercase()
                    )));
                }
            }
        }
        Ok(rows)
    }
}

/// Whether every node and relationship in `v` (in lists, maps and paths
/// too) is in the graph.
fn elements_exist(g: &Graph, v: &Value) -> bool {
    match v {
        Value::Node(id) => g.node(*id).is_some(),
        Value::Rel(id) => g.rel(*id).is_some(),
        Value::Path(p) => {
            p.nodes.iter().all(|n| g.node(*n).is_some())
                && p.rels.iter().all(|r| g.rel(*r).is_some())
        }
        Value::List(xs) => xs.iter().all(|x| elements_exist(g, x)),
        Value::Map(m) => m.values().all(|x| elements_exist(g, x)),
        _ => true,
    }
}

impl fmt::Debug for Procedure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Procedure({})", self.signature)
    }
}

/// The procedures an application adds to the built-ins, by name.
#[derive(Debug, Clone, Default)]
pub struct Procedures {
    added: BTreeMap<String, Procedure>,
}

impl Procedures {
    pub fn new() -> Procedures {
        Procedures::default()
    }

    /// Adds a procedure. Its name must not be a built-in's or one added
    /// before.
    pub fn register(&mut self, p: Procedure) -> Result<(), String> {
        let name = &p.signature.name;
        if builtin(name).is_some() || self.added.contains_key(name) {
            return Err(format!("a procedure {name} already exists"));
        }
        self.added.insert(name.clone(), p);
        Ok(())
    }

    /// The procedure called `name`: a built-in or an added one.
    pub fn get<'a>(this: Option<&'a Procedures>, name: &str) -> Option<&'a Procedure> {
        builtin(name).or_else(|| this.and_then(|p| p.added.get(name)))
    }

    /// Every procedure, by name.
    pub fn all(this: Option<&Procedures>) -> impl Iterator<Item = &Procedure> {
        let mut all: Vec<&Procedure> = builtins()
            .iter()
            .chain(this.into_iter().flat_map(|p| p.added.values()))
            .collect();
        all.sort_by(|a, b| a.signature.name.cmp(&b.signature.name));
        all.into_iter()
    }
}

fn builtin(name: &str) -> Option<&'static Procedure> {
    builtins().iter().find(|p| p.signature.name == name)
}

/// The procedures every graph has, sorted by name.
pub fn builtins() -> &'static [Procedure] {
    static B: OnceLock<Vec<Procedure>> = OnceLock::new();
    B.get_or_init(|| {
        let sig = |text: &str, what: &str| match Signature::parse(text) {
            Ok(s) => s.describe(what),
            // The texts are ours; a test parses each.
            Err(e) => unreachable!("built-in signature `{text}`: {e}"),
        };
        let strings = |xs: Vec<&str>| -> Vec<Vec<Value>> {
            xs.into_iter().map(|s| vec![Value::from(s)]).collect()
        };
        let mut v = vec![
            Procedure::new(
                sig(
                    "db.labels() :: (label :: STRING)",
                    "The labels of the nodes in the graph, sorted.",
                ),
                move |cx, _| {
                    if cx.as_of.is_none() {
                        return Ok(strings(cx.graph.labels().collect()));
                    }
                    let mut labels = BTreeSet::new();
                    for n in cx.nodes() {
                        labels.extend(n.labels.as_slice().iter().map(|l| l.as_str()));
                    }
                    Ok(strings(labels.into_iter().collect()))
                },
            ),
            Procedure::new(
                sig(
                    "db.relationshipTypes() :: (relationshipType :: STRING)",
                    "The types of the relationships in the graph, sorted.",
                ),
                move |cx, _| {
                    if cx.as_of.is_none() {
                        return Ok(strings(cx.graph.rel_types().into_iter().collect()));
                    }
                    let types: BTreeSet<&str> = cx.rels().map(|(_, t)| t.as_str()).collect();
                    Ok(strings(types.into_iter().collect()))
                },
            ),
            Procedure::new(
                sig(
                    "db.propertyKeys() :: (propertyKey :: STRING)",
                    "The property keys of the nodes and relationships in the graph, sorted.",
                ),
                move |cx, _| {
                    if cx.as_of.is_none() {
                        return Ok(strings(cx.graph.property_keys().into_iter().collect()));
                    }
                    let mut keys: BTreeSet<&str> = BTreeSet::new();
                    for n in cx.nodes() {
                        keys.extend(n.props.keys().map(|k| k.as_str()));
                    }
                    for (id, _) in cx.rels() {
                        keys.extend(cx.graph.rel_props_of(id).keys().map(|k| k.as_str()));
                    }
                    Ok(strings(keys.into_iter().collect()))
                },
            ),
            Procedure::new(
                sig(
                    "db.schema.nodeTypeProperties() :: (nodeType :: STRING, \
                     nodeLabels :: LIST OF STRING, propertyName :: STRING?, \
                     propertyTypes :: LIST? OF STRING, mandatory :: BOOLEAN)",
                    "Per set of labels the nodes have, each property key, the types of its \
                     values and whether every such node has it.",
                ),
                |cx, _| Ok(node_type_properties(cx)),
            ),
            Procedure::new(
                sig(
                    "db.schema.relTypeProperties() :: (relType :: STRING, \
                     propertyName :: STRING?, propertyTypes :: LIST? OF STRING, \
                     mandatory :: BOOLEAN)",
                    "Per relationship type, each property key, the types of its values and \
                     whether every such relationship has it.",
                ),
                |cx, _| Ok(rel_type_properties(cx)),
            ),
            Procedure::new(
                sig(
                    "db.indexes() :: (name :: STRING, state :: STRING, \
                     populationPercent :: FLOAT, type :: STRING, entityType :: STRING, \
                     labelsOrTypes :: LIST? OF STRING, properties :: LIST? OF STRING, \
                     owningConstraint :: STRING?)",
                    "The indexes, as SHOW INDEXES lists them (which is this procedure \
                     when it has YIELD or WHERE).",
                ),
                |cx, _| Ok(super::indexes::index_rows(cx.graph, None)),
            ),
            Procedure::new(
                sig(
                    "db.constraints() :: (id :: INTEGER, name :: STRING, type :: STRING, \
                     entityType :: STRING, labelsOrTypes :: LIST OF STRING, \
                     properties :: LIST OF STRING)",
                    "The constraints, as SHOW CONSTRAINTS lists them (which is this \
                     procedure when it has YIELD or WHERE).",
                ),
                |cx, _| Ok(super::indexes::constraint_rows(cx.graph)),
            ),
            Procedure::new(
                sig(
                    "db.awaitIndexes(timeOutSeconds :: INTEGER) :: ()",
                    "Waits for the indexes to come online, as Neo4j's does: factgraph builds \
                     an index in the statement that creates it, so it returns at once.",
                ),
                |_, _| Ok(Vec::new()),
            ),
            Procedure::new(
                sig(
                    "dbms.procedures() :: (name :: STRING, signature :: STRING, \
                     description :: STRING, mode :: STRING)",
                    "Every procedure a CALL can name, with its signature.",
                ),
                |cx, _| {
                    Ok(Procedures::all(cx.procedures)
                        .map(|p| {
                            vec![
                                Value::from(p.signature.name.as_str()),
                                Value::String(p.signature.to_string()),
                                Value::from(p.signature.description.as_str()),
                                Value::from("READ"),
                            ]
                        })
                        .collect())
                },
            ),
        ];
        v.sort_by(|a, b| a.signature.name.cmp(&b.signature.name));
        v
    })
}

/// What one kind of element (a label set, a relationship type) has of one
/// property key: the types of its values and on how many elements.
#[derive(Default)]
struct KeyUse {
    types: BTreeSet<&'static str>,
    count: usize,
}

/// A name in backticks, a backtick in it doubled (as Neo4j writes
/// `nodeType`).
fn quoted(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A property value's type as Neo4j's `db.schema.*TypeProperties` names
/// it: `Long`, `Double`, `String`, `StringArray` ...
fn neo4j_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Int(_) => "Long",
        Value::Float(_) => "Double",
        Value::String(_) => "String",
        Value::Date(_) => "Date",
        Value::Map(_) => "Map",
        Value::List(xs) => {
            let first = xs.iter().find(|x| !x.is_null());
            let same = |f: fn(&Value) -> bool| xs.iter().all(|x| x.is_null() || f(x));
            match first {
                Some(Value::String(_)) if same(|x| matches!(x, Value::String(_))) => "StringArray",
                Some(Value::Int(_)) if same(|x| matches!(x, Value::Int(_))) => "LongArray",
                Some(Value::Float(_)) if same(|x| matches!(x, Value::Float(_))) => "DoubleArray",
                Some(Value::Bool(_)) if same(|x| matches!(x, Value::Bool(_))) => "BooleanArray",
                Some(Value::Date(_)) if same(|x| matches!(x, Value::Date(_))) => "DateArray",
                _ => "List",
            }
        }
        other => other.type_name(),
    }
}

/// A value for an error message: at most 60 characters of it.
fn clip(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() <= 60 {
        return s;
    }
    let head: String = s.chars().take(57).collect();
    format!("{head}...")
}

/// The rows of a `db.schema.*TypeProperties` group: one per key (a row
/// with null key and types when the elements have none), `mandatory` when
/// all `total` elements have the key.
fn key_rows(keys: BTreeMap<String, KeyUse>, total: usize) -> Vec<(Value, Value, Value)> {
    if keys.is_empty() {
        return vec![(Value::Null, Value::Null, Value::Bool(false))];
    }
    keys.into_iter()
        .map(|(k, u)| {
            let types = u.types.into_iter().map(Value::from).collect();
            (
                Value::String(k),
                Value::List(types),
                Value::Bool(u.count == total),
            )
        })
        .collect()
}

fn node_type_properties(cx: &Context) -> Vec<Vec<Value>> {
    let mut groups: BTreeMap<Vec<String>, (usize, BTreeMap<String, KeyUse>)> = BTreeMap::new();
    for n in cx.nodes() {
        let mut labels = n.labels.to_strings();
        labels.sort();
        let (total, keys) = groups.entry(labels).or_default();
        *total += 1;
        for (k, v) in n.props.iter() {
            let u = keys.entry(k.as_str().to_string()).or_default();
            u.types.insert(neo4j_type(&v));
            u.count += 1;
        }
    }
    let mut rows = Vec::new();
    for (labels, (total, keys)) in groups {
        let node_type: String = labels.iter().map(|l| format!(":{}", quoted(l))).collect();
        let list = Value::List(labels.iter().map(|l| Value::from(l.as_str())).collect());
        for (k, types, mandatory) in key_rows(keys, total) {
            rows.push(vec![
                Value::String(node_type.clone()),
                list.clone(),
                k,
                types,
                mandatory,
            ]);
        }
    }
    rows
}

fn rel_type_properties(cx: &Context) -> Vec<Vec<Value>> {
    let mut groups: BTreeMap<&str, (usize, BTreeMap<String, KeyUse>)> = BTreeMap::new();
    for (id, t) in cx.rels() {
        let (total, keys) = groups.entry(t.as_str()).or_default();
        *total += 1;
        for (k, v) in cx.graph.rel_props_of(id).iter() {
            let u = keys.entry(k.as_str().to_string()).or_default();
            u.types.insert(neo4j_type(&v));
            u.count += 1;
        }
    }
    let mut rows = Vec::new();
    for (t, (total, keys)) in groups {
        for (k, types, mandatory) in key_rows(keys, total) {
            rows.push(vec![
                Value::String(format!(":{}", quoted(t))),
                k,
                types,
                mandatory,
            ]);
        }
    }
    rows
}

/// `SHOW PROCEDURES`: what `CALL dbms.procedures()` returns.
pub(crate) fn show(
    graph: &Graph,
    procs: Option<&Procedures>,
) -> Result<super::QueryResult, QueryError> {
    let p = lookup(procs, "dbms.procedures", crate::error::Span::default())?;
    let cx = Context {
        graph,
        procedures: procs,
        as_of: None,
    };
    Ok(super::QueryResult {
        columns: p.signature.outputs.iter().map(|f| f.name.clone()).collect(),
        rows: p.call(&cx, &[])?,
        ..super::QueryResult::default()
    })
}

/// A CALL that is the whole query part: it may take its arguments from
/// the parameters (`CALL db.labels` with no parentheses) and returns every
/// output when it YIELDs none.
pub(crate) fn is_standalone(q: &SingleQuery) -> bool {
    matches!(q.clauses.as_slice(), [Clause::Call { .. }])
}

fn syntax(detail: &str, msg: String, span: crate::error::Span) -> QueryError {
    QueryError::syntax(detail, msg, span)
}

/// Checks every CALL of `q` (each UNION part) against the procedures
/// there are, before the statement runs.
///
/// `params` is None for EXPLAIN, which needs none: the arguments a
/// standalone CALL takes from the parameters are then not looked for.
pub(crate) fn resolve(
    q: &Query,
    procs: Option<&Procedures>,
    params: Option<&Params>,
) -> Result<(), QueryError> {
    resolve_in(q, procs, params, true)
}

/// [`resolve`] of a query that is the statement (`top`) or a `CALL { }`
/// subquery in it, where no CALL is standalone.
fn resolve_in(
    q: &Query,
    procs: Option<&Procedures>,
    params: Option<&Params>,
    top: bool,
) -> Result<(), QueryError> {
    let standalone_query = top && q.unions.is_empty();
    for sq in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
        let standalone = standalone_query && is_standalone(sq);
        for c in &sq.clauses {
            if let Clause::Subquery { query, .. } = c {
                resolve_in(query, procs, params, false)?;
            }
            if let Clause::Call {
                name,
                args,
                yields,
                span,
                ..
            } = c
            {
                let p = lookup(procs, name, *span)?;
                check_call(
                    &p.signature,
                    args.as_deref(),
                    yields,
                    standalone,
                    params,
                    *span,
                )?;
            }
        }
    }
    Ok(())
}

/// The procedure `name`, or `ProcedureNotFound` with the nearest name.
pub(crate) fn lookup<'a>(
    procs: Option<&'a Procedures>,
    name: &str,
    span: crate::error::Span,
) -> Result<&'a Procedure, QueryError> {
    if let Some(p) = Procedures::get(procs, name) {
        return Ok(p);
    }
    let names: Vec<&str> = Procedures::all(procs)
        .map(|p| p.signature.name.as_str())
        .collect();
    let mut e = QueryError::new(
        ErrorClass::ProcedureError,
        "ProcedureNotFound",
        format!("there is no procedure {name} (CALL dbms.procedures() lists them)"),
    )
    .at(span);
    if let Some(s) = crate::model::names::did_you_mean(name, names.iter().copied()) {
        e = e.hint(format!("did you mean {s}?"));
    }
    Err(e)
}

fn check_call(
    sig: &Signature,
    args: Option<&[super::ast::Expr]>,
    yields: &[(super::ast::Ident, Option<super::ast::Ident>)],
    standalone: bool,
    params: Option<&Params>,
    span: crate::error::Span,
) -> Result<(), QueryError> {
    let usage = || format!("{sig}");
    match args {
        None if !standalone && !sig.inputs.is_empty() => {
            return Err(syntax(
                "InvalidArgumentPassingMode",
                format!(
                    "a CALL inside a query passes its arguments in parentheses: {}",
                    usage()
                ),
                span,
            ));
        }
        None => {
            let missing = |f: &&Field| params.is_some_and(|p| !p.contains_key(&f.name));
            if let Some(f) = sig.inputs.iter().find(missing) {
                return Err(QueryError::new(
                    ErrorClass::ParameterMissing,
                    "MissingParameter",
                    format!(
                        "CALL {} without parentheses takes its arguments from the parameters, \
                         and ${} was not given",
                        sig.name, f.name
                    ),
                )
                .at(span));
            }
        }
        Some(a) if a.len() != sig.inputs.len() => {
            return Err(syntax(
                "InvalidNumberOfArguments",
                format!(
                    "{} takes {} argument{}, {} given: {}",
                    sig.name,
                    sig.inputs.len(),
                    if sig.inputs.len() == 1 { "" } else { "s" },
                    a.len(),
                    usage()
                ),
                span,
            ));
        }
        Some(a) => {
            for (e, f) in a.iter().zip(&sig.inputs) {
                let ExprKind::Literal(l) = &e.kind else {
                    continue;
                };
                let v = match l {
                    Literal::Null => Value::Null,
                    Literal::Bool(b) => Value::Bool(*b),
                    Literal::Int(i) => Value::Int(*i),
                    Literal::Float(x) => Value::Float(*x),
                    Literal::String(s) => Value::String(s.clone()),
                };
                if !f.accepts(&v) {
                    return Err(syntax(
                        "InvalidArgumentType",
                        format!(
                            "{} is not a {} for `{f}` of {}",
                            v.type_name(),
                            f.ty,
                            sig.name
                        ),
                        e.span,
                    ));
                }
            }
        }
    }
    outputs_of(sig, yields)?;
    if !standalone && yields.is_empty() && !sig.outputs.is_empty() {
        let outs: Vec<&str> = sig.outputs.iter().map(|o| o.name.as_str()).collect();
        return Err(syntax(
            "InvalidClauseComposition",
            format!(
                "a CALL inside a query names the outputs it uses: YIELD {}",
                outs.join(", ")
            ),
            span,
        ));
    }
    Ok(())
}

/// The outputs a CALL puts into its rows, by position in the signature,
/// each under the name it is bound to: the YIELDed ones, or every output
/// for a CALL without YIELD (which [`resolve`] lets through only when the
/// CALL is the whole query, or the procedure has none).
pub(crate) fn outputs_of(
    sig: &Signature,
    yields: &[(Ident, Option<Ident>)],
) -> Result<Vec<(usize, String)>, QueryError> {
    if yields.is_empty() {
        return Ok(sig
            .outputs
            .iter()
            .enumerate()
            .map(|(i, f)| (i, f.name.clone()))
            .collect());
    }
    yields
        .iter()
        .map(|(field, alias)| {
            let var = alias.as_ref().unwrap_or(field).name.clone();
            match sig.outputs.iter().position(|o| o.name == field.name) {
                Some(i) => Ok((i, var)),
                None => {
                    let outs: Vec<&str> = sig.outputs.iter().map(|o| o.name.as_str()).collect();
                    Err(syntax(
                        "UndefinedVariable",
                        format!(
                            "{} has no output `{}`; its outputs: {}",
                            sig.name,
                            field.name,
                            if outs.is_empty() {
                                "none".to_string()
                            } else {
                                outs.join(", ")
                            }
                        ),
                        field.span,
                    ))
                }
            }
        })
        .collect()
}

/// The arguments of one call, checked and converted to the declared types
/// (an integer for a FLOAT becomes a float); a value of the wrong type is a
/// `TypeError`.
pub(crate) fn check_args(sig: &Signature, args: Vec<Value>) -> Result<Vec<Value>, QueryError> {
    args.into_iter()
        .zip(&sig.inputs)
        .map(|(v, f)| {
            if f.accepts(&v) {
                Ok(f.ty.convert(v))
            } else {
                Err(QueryError::new(
                    ErrorClass::TypeError,
                    "InvalidArgumentType",
                    format!(
                        "{} ({}) is not a {}{} for `{}` of {}",
                        v.type_name(),
                        clip(&v),
                        f.ty,
                        if f.nullable { " or null" } else { "" },
                        f.name,
                        sig.name
                    ),
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_read_neo4j_notation_and_print_it_back() {
        let s = Signature::parse(
            "test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?, n :: LIST? OF NODE?) :",
        )
        .expect("parse");
        assert_eq!(s.name, "test.my.proc");
        assert_eq!(s.inputs.len(), 2);
        assert!(s.inputs.iter().all(|f| f.nullable));
        assert_eq!(s.outputs[1].ty, ProcType::List(Box::new(ProcType::Node)));
        assert_eq!(
            s.to_string(),
            "test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?, n :: LIST? OF NODE)"
        );
        let v = Signature::parse("test.doNothing() :: ()").expect("void");
        assert!(v.inputs.is_empty() && v.outputs.is_empty());
        let l = Signature::parse("a(x :: list<integer>) :: (y :: Float)").expect("lower case");
        assert_eq!(l.to_string(), "a(x :: LIST OF INTEGER) :: (y :: FLOAT)");
        for bad in [
            "",
            "noparens",
            "a() :: (x :: NOPE)",
            "a(x) :: ()",
            "a(x :: INTEGER, x :: STRING) :: ()",
            "a() :: (x :: INTEGER",
            "a() :: () trailing",
            "a..b() :: ()",
            "a(x :: LIST OFSTRING) :: ()",
            "a(1x :: INTEGER) :: ()",
            "a()",
        ] {
            assert!(Signature::parse(bad).is_err(), "{bad}");
        }
        for p in builtins() {
            let text = p.signature.to_string();
            assert_eq!(Signature::parse(&text).expect(&text).to_string(), text);
            assert!(!p.signature.description.is_empty(), "{text}");
        }
    }

    #[test]
    fn arguments_are_accepted_by_type_and_converted() {
        let f = |ty: &str| {
            Signature::parse(&format!("p(x :: {ty}) :: ()"))
                .expect(ty)
                .inputs
                .remove(0)
        };
        let float = Signature::parse("p(x :: FLOAT) :: ()").expect("sig");
        assert_eq!(
            check_args(&float, vec![Value::Int(42)]).expect("int for float"),
            [Value::Float(42.0)]
        );
        assert!(check_args(&float, vec![Value::Null]).is_err());
        let number = f("NUMBER?");
        assert!(number.accepts(&Value::Int(1)) && number.accepts(&Value::Float(1.5)));
        assert!(number.accepts(&Value::Null) && !number.accepts(&Value::from("1")));
        assert!(!f("INTEGER").accepts(&Value::Float(1.0)));
        let list = f("LIST OF STRING");
        assert!(list.accepts(&Value::List(vec![Value::from("a"), Value::Null])));
        assert!(!list.accepts(&Value::List(vec![Value::Int(1)])));
        assert!(f("ANY").accepts(&Value::Map(Default::default())));
    }
}
