//! Expression evaluation: variables, operators with three-valued logic,
//! property access, comprehensions, and the bridge to pattern matching for
//! pattern predicates and comprehensions.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;

use super::ast::{BinOp, Expr, ExprKind, FnInfo, Literal, MapProjItem, Quantifier, UnaryOp};
use super::compare::{CmpOp, compare, equals};
use super::{NodeSnapshot, Params, RelSnapshot};
use crate::error::{ErrorClass, QueryError};
use crate::model::packed::Item;
use crate::model::{FDate, NodeId, RelId, Value};
use crate::store::{Graph, IdHasher, NodeRef, RelRef};

/// When less stack than this is left, [`grow_stack`] continues on a new
/// segment: more than the frames between two of its calls take, unoptimised.
const RED_ZONE: usize = 256 * 1024;
/// The size of each new stack segment.
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// Runs `f`, on a new stack segment if little stack is left. For the
/// functions that recurse over an expression tree: the parser bounds how
/// deeply expressions nest, not how much stack a level takes, and
/// unoptimised, `eval_inner` alone takes tens of kilobytes (60 levels would
/// overflow a 2 MB thread).
pub(crate) fn grow_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, f)
}

/// How deeply a value a query makes may nest lists and maps. The parser
/// bounds the nesting a query writes, but `reduce` (or a chain of `WITH
/// collect(x) AS x`) can nest a value once per step; values are cloned,
/// compared, printed and dropped recursively, so a value a million levels
/// deep would overflow the stack.
pub const MAX_VALUE_DEPTH: usize = 256;

/// Refuses a value nested more than [`MAX_VALUE_DEPTH`] levels. Every
/// expression's value passes here, so no value can get deeper than one
/// level more (an aggregate's list) before the next expression refuses it.
#[inline]
fn check_nesting(v: Value) -> R<Value> {
    // Only a list or a map nests; most values are neither.
    if !matches!(v, Value::List(_) | Value::Map(_)) {
        return Ok(v);
    }
    fn deeper_than(v: &Value, levels: usize) -> bool {
        match v {
            Value::List(items) => levels == 0 || items.iter().any(|i| deeper_than(i, levels - 1)),
            Value::Map(m) => levels == 0 || m.values().any(|i| deeper_than(i, levels - 1)),
            _ => false,
        }
    }
    if deeper_than(&v, MAX_VALUE_DEPTH) {
        return Err(QueryError::argument(
            "NestingTooDeep",
            format!("a value nested more than {MAX_VALUE_DEPTH} lists or maps deep"),
        ));
    }
    Ok(v)
}

/// Snapshots of what the running statement deleted, so that a deleted
/// relationship's type and ends can still be read and results rendered.
#[derive(Debug, Default, Clone)]
pub struct Deleted {
    pub nodes: HashMap<NodeId, NodeSnapshot>,
    pub rels: HashMap<RelId, RelSnapshot>,
}

/// A statement's clock, nanoseconds since the epoch: read from the system
/// when first asked (most statements never ask, and a read costs tens of
/// nanoseconds), then the same for the rest of the statement.
#[derive(Debug, Default)]
pub struct Clock(std::cell::OnceCell<i128>);

impl Clock {
    pub fn get(&self) -> i128 {
        *self.0.get_or_init(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as i128)
                .unwrap_or(0)
        })
    }
    /// A seed for `rand()` from the clock (never 0, which xorshift keeps).
    pub fn seed(&self) -> u64 {
        match self.get() as u64 {
            0 => 0x9E37_79B9_7F4A_7C15,
            x => x | 1,
        }
    }
}

/// Everything expression evaluation reads: the graph, parameters, the
/// valid-time filter, and a few cells for what evaluation reports back.
pub struct Ev<'a> {
    pub graph: &'a Graph,
    pub params: &'a Params,
    pub as_of: Option<FDate>,
    pub deleted: &'a Deleted,
    pub notices: &'a RefCell<Vec<String>>,
    pub rng: &'a Cell<u64>,
    /// Per name in a pattern's `{name: ...}`: whether it is matched through
    /// the name index (no node carries the exact name) or exactly.
    pub alias_mode: &'a RefCell<HashMap<String, bool>>,
    /// The statement's clock: `datetime()` and friends read it so that one
    /// statement sees one time.
    pub now: &'a Clock,
    /// When set, the statement stops at the next check ([`Ev::check`]).
    pub cancel: Option<&'a std::sync::atomic::AtomicBool>,
    /// Calls of constants computed once in the statement (`date($before)`
    /// in a WHERE is not parsed again for every row): by the call's
    /// address, with the call to tell an address used again apart.
    pub folded: &'a Folded,
}

/// Constant calls a statement computed: (the call, its value) by the call's
/// address.
///
/// Looked up for every row that evaluates such a call (`m.date <
/// date($before)` asks once a relationship), so hashed by one multiply.
pub type Folded = RefCell<HashMap<usize, (Expr, Value), BuildHasherDefault<IdHasher>>>;

/// Functions whose value follows from their arguments within a statement
/// (the statement's clock is fixed, so `datetime()` is one): a call of one
/// on constants is computed once.
fn foldable(name: &str) -> bool {
    const PURE: [&str; 13] = [
        "date",
        "datetime",
        "localdatetime",
        "localtime",
        "time",
        "duration",
        "fdate",
        "tointeger",
        "tofloat",
        "tostring",
        "toboolean",
        "tolower",
        "toupper",
    ];
    PURE.iter().any(|p| p.eq_ignore_ascii_case(name))
}

/// Whether `e` has one value in a statement: literals, parameters, and
/// lists, maps and [`foldable`] calls of them.
fn constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Param(_) => true,
        ExprKind::List(items) => items.iter().all(constant),
        ExprKind::Map(items) => items.iter().all(|(_, x)| constant(x)),
        ExprKind::FnCall { info, .. } => info.constant,
        _ => false,
    }
}

/// What a call of `name` on `args` is ([`FnInfo`]), for the parser.
pub(crate) fn fn_info(name: &str, args: &[Expr]) -> FnInfo {
    FnInfo {
        lower: name.to_ascii_lowercase().into_boxed_str(),
        aggregate: is_aggregate(name),
        constant: foldable(name) && args.iter().all(constant),
    }
}

/// Variable bindings: a row of a clause's table, possibly layered over
/// another (a projection over the rows it was computed from), or a local
/// variable of a comprehension over its enclosing bindings.
pub enum Env<'a> {
    Row {
        names: &'a [String],
        vals: &'a [Value],
        parent: Option<&'a Env<'a>>,
    },
    Local {
        name: &'a str,
        val: Value,
        parent: &'a Env<'a>,
    },
    /// The values of a projection's aggregating calls, by the address of
    /// the call's expression node.
    Aggs {
        vals: &'a HashMap<usize, Value>,
        parent: &'a Env<'a>,
    },
    /// Under the ORDER BY and WITH ... WHERE of a projection that
    /// aggregates or is DISTINCT, the input row (or group representative)
    /// an output row came from: a projected expression over it is read
    /// from there (`p.name` of `RETURN DISTINCT p.name ORDER BY p.name`),
    /// but the variables the projection dropped are out of scope for a
    /// subquery or a pattern there, which start from [`Env::flatten`]: it
    /// stops here. A dropped `p` they name is a new variable.
    Dropped {
        parent: &'a Env<'a>,
    },
    Empty,
}

impl<'a> Env<'a> {
    pub fn row(names: &'a [String], vals: &'a [Value]) -> Env<'a> {
        Env::Row {
            names,
            vals,
            parent: None,
        }
    }
    pub fn lookup(&self, name: &str) -> Option<&Value> {
        match self {
            Env::Row {
                names,
                vals,
                parent,
            } => match names.iter().rposition(|n| n == name) {
                Some(i) => vals.get(i),
                None => parent.and_then(|p| p.lookup(name)),
            },
            Env::Local {
                name: n,
                val,
                parent,
            } => {
                if *n == name {
                    Some(val)
                } else {
                    parent.lookup(name)
                }
            }
            Env::Aggs { parent, .. } | Env::Dropped { parent } => parent.lookup(name),
            Env::Empty => None,
        }
    }
    /// The value computed for an aggregating call, if this is a projection.
    pub fn aggregate(&self, e: &Expr) -> Option<&Value> {
        match self {
            Env::Aggs { vals, parent } => vals
                .get(&(e as *const Expr as usize))
                .or_else(|| parent.aggregate(e)),
            Env::Row { parent, .. } => parent.and_then(|p| p.aggregate(e)),
            Env::Local { parent, .. } | Env::Dropped { parent } => parent.aggregate(e),
            Env::Empty => None,
        }
    }
    /// Every visible binding, innermost first wins, as a flat row.
    pub fn flatten(&self) -> (Vec<String>, Vec<Value>) {
        let mut names: Vec<String> = Vec::new();
        let mut vals = Vec::new();
        let mut cur = Some(self);
        while let Some(e) = cur {
            match e {
                Env::Row {
                    names: ns,
                    vals: vs,
                    parent,
                } => {
                    for (n, v) in ns.iter().zip(vs.iter()).rev() {
                        if !names.contains(n) {
                            names.push(n.clone());
                            vals.push(v.clone());
                        }
                    }
                    cur = *parent;
                }
                Env::Local { name, val, parent } => {
                    if !names.iter().any(|n| n == name) {
                        names.push(name.to_string());
                        vals.push(val.clone());
                    }
                    cur = Some(*parent);
                }
                Env::Aggs { parent, .. } => cur = Some(*parent),
                Env::Dropped { .. } | Env::Empty => cur = None,
            }
        }
        (names, vals)
    }
}

pub type R<T> = Result<T, QueryError>;

pub fn type_err(msg: impl Into<String>) -> QueryError {
    QueryError::type_error("InvalidArgumentType", msg)
}

/// Names of the aggregating functions (lower case).
pub fn is_aggregate(name: &str) -> bool {
    [
        "count",
        "collect",
        "sum",
        "avg",
        "min",
        "max",
        "stdev",
        "stdevp",
        "percentilecont",
        "percentiledisc",
    ]
    .iter()
    .any(|a| a.eq_ignore_ascii_case(name))
}

/// True when the expression contains an aggregating call outside of nested
/// scopes that aggregate on their own.
pub fn contains_aggregate(e: &Expr) -> bool {
    let mut found = false;
    visit(e, &mut |x| {
        if matches!(&x.kind, ExprKind::CountStar)
            || matches!(&x.kind, ExprKind::FnCall { info, .. } if info.aggregate)
        {
            found = true;
        }
    });
    found
}

/// Calls `f` on `e` and every sub-expression (not inside patterns).
pub fn visit(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    let mut v = |x: &Expr| visit(x, f);
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Param(_) | ExprKind::Var(_) | ExprKind::CountStar => {}
        ExprKind::List(items) => items.iter().for_each(v),
        ExprKind::Map(items) => items.iter().for_each(|(_, x)| v(x)),
        ExprKind::Property(x, _)
        | ExprKind::IsNull(x)
        | ExprKind::IsNotNull(x)
        | ExprKind::Unary(_, x) => v(x),
        ExprKind::HasLabels(x, _) => v(x),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            v(a);
            v(b);
        }
        ExprKind::Slice(a, b, c) => {
            v(a);
            if let Some(b) = b {
                v(b);
            }
            if let Some(c) = c {
                v(c);
            }
        }
        ExprKind::FnCall { args, .. } => args.iter().for_each(v),
        ExprKind::Case {
            subject,
            whens,
            else_,
        } => {
            if let Some(s) = subject {
                v(s);
            }
            for (a, b) in whens {
                v(a);
                v(b);
            }
            if let Some(x) = else_ {
                v(x);
            }
        }
        ExprKind::ListComprehension {
            list, filter, map, ..
        } => {
            v(list);
            if let Some(x) = filter {
                v(x);
            }
            if let Some(x) = map {
                v(x);
            }
        }
        ExprKind::Quantified { list, filter, .. } => {
            v(list);
            if let Some(x) = filter {
                v(x);
            }
        }
        ExprKind::Reduce {
            init, list, expr, ..
        } => {
            v(init);
            v(list);
            v(expr);
        }
        ExprKind::PatternComprehension { filter, map, .. } => {
            if let Some(x) = filter {
                v(x);
            }
            v(map);
        }
        ExprKind::PatternPredicate(_) | ExprKind::ExistsSubquery { .. } => {}
        ExprKind::MapProjection(x, items) => {
            v(x);
            for it in items {
                if let MapProjItem::Literal(_, x) = it {
                    v(x);
                }
            }
        }
    }
}

fn truth(v: &Value, what: &str) -> R<Option<bool>> {
    match v {
        Value::Bool(b) => Some(Some(*b)),
        Value::Null => Some(None),
        _ => None,
    }
    .ok_or_else(|| {
        type_err(format!(
            "{what} needs a boolean, not {} ({v})",
            v.type_name()
        ))
    })
}

fn opt_bool(b: Option<bool>) -> Value {
    b.map(Value::Bool).unwrap_or(Value::Null)
}

impl<'a> Ev<'a> {
    /// Fails with `Cancelled` once the statement has been asked to stop.
    /// Loops over rows, candidates and relationships call it; a relaxed
    /// load is cheap enough to do on every step.
    pub fn check(&self) -> R<()> {
        match self.cancel {
            Some(c) if c.load(std::sync::atomic::Ordering::Relaxed) => Err(QueryError::new(
                crate::error::ErrorClass::Cancelled,
                "Terminated",
                "the statement was cancelled; nothing it did was kept",
            )),
            _ => Ok(()),
        }
    }

    /// Evaluates a predicate: true keeps a row, false and null drop it.
    pub fn test(&self, e: &Expr, env: &Env) -> R<bool> {
        match self.eval(e, env)? {
            Value::Bool(b) => Ok(b),
            Value::Null => Ok(false),
            v => Err(type_err(format!(
                "a predicate must be a boolean, not {} ({v})",
                v.type_name()
            ))
            .at(e.span)),
        }
    }

    pub fn node(&self, id: NodeId) -> R<NodeRef<'a>> {
        self.graph.node(id).ok_or_else(|| {
            QueryError::new(
                ErrorClass::EntityNotFound,
                "DeletedEntityAccess",
                format!("node {} was deleted", id.0),
            )
        })
    }
    pub fn rel(&self, id: RelId) -> R<RelRef<'a>> {
        self.graph.rel(id).ok_or_else(|| {
            QueryError::new(
                ErrorClass::EntityNotFound,
                "DeletedEntityAccess",
                format!("relationship {} was deleted", id.0),
            )
        })
    }
    /// A relationship's type, also after it was deleted by this statement.
    pub fn rel_type(&self, id: RelId) -> R<String> {
        if let Some(r) = self.graph.rel(id) {
            return Ok(r.rel_type.to_string());
        }
        self.deleted
            .rels
            .get(&id)
            .map(|s| s.rel_type.clone())
            .ok_or_else(|| self.rel(id).err().unwrap_or_else(|| type_err("")))
    }
    /// A relationship's ends, also after it was deleted by this statement.
    pub fn rel_ends(&self, id: RelId) -> R<(NodeId, NodeId)> {
        if let Some(e) = self.graph.rel_ends(id) {
            return Ok(e);
        }
        match self.deleted.rels.get(&id) {
            Some(s) => Ok((s.start, s.end)),
            None => Err(self.rel(id).err().unwrap_or_else(|| type_err(""))),
        }
    }

    pub fn eval(&self, e: &Expr, env: &Env) -> R<Value> {
        // A bound variable, the commonest expression, recurses into nothing:
        // no stack to grow. Its value passes the nesting check as any does.
        if let ExprKind::Var(v) = &e.kind
            && let Some(x) = env.lookup(v)
        {
            return check_nesting(x.clone()).map_err(|err| err.at(e.span));
        }
        grow_stack(|| self.eval_inner(e, env).and_then(check_nesting)).map_err(|err| {
            if err.span.is_none() {
                err.at(e.span)
            } else {
                err
            }
        })
    }

    fn eval_inner(&self, e: &Expr, env: &Env) -> R<Value> {
        Ok(match &e.kind {
            ExprKind::Literal(l) => match l {
                Literal::Null => Value::Null,
                Literal::Bool(b) => Value::Bool(*b),
                Literal::Int(i) => Value::Int(*i),
                Literal::Float(f) => Value::Float(*f),
                Literal::String(s) => Value::String(s.clone()),
            },
            ExprKind::Param(p) => self.params.get(p).cloned().ok_or_else(|| {
                QueryError::new(
                    ErrorClass::ParameterMissing,
                    "MissingParameter",
                    format!("parameter ${p} was not given"),
                )
            })?,
            ExprKind::Var(v) => env.lookup(v).cloned().ok_or_else(|| {
                QueryError::semantic(
                    "UndefinedVariable",
                    format!("variable `{v}` is not defined"),
                )
            })?,
            ExprKind::List(items) => {
                Value::List(items.iter().map(|x| self.eval(x, env)).collect::<R<_>>()?)
            }
            ExprKind::Map(items) => {
                let mut m = BTreeMap::new();
                for (k, x) in items {
                    m.insert(k.name.clone(), self.eval(x, env)?);
                }
                Value::Map(m)
            }
            ExprKind::Property(x, key) => {
                let v = self.eval(x, env)?;
                self.property(&v, &key.name)?
            }
            ExprKind::Index(x, i) => {
                let v = self.eval(x, env)?;
                let i = self.eval(i, env)?;
                self.index(&v, &i)?
            }
            ExprKind::Slice(x, from, to) => {
                let v = self.eval(x, env)?;
                let from = from.as_ref().map(|f| self.eval(f, env)).transpose()?;
                let to = to.as_ref().map(|t| self.eval(t, env)).transpose()?;
                slice(&v, from, to)?
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, env)?,
            ExprKind::Unary(op, x) => {
                let v = self.eval(x, env)?;
                match op {
                    UnaryOp::Not => opt_bool(truth(&v, "NOT")?.map(|b| !b)),
                    UnaryOp::Plus => match v {
                        Value::Int(_) | Value::Float(_) | Value::Null => v,
                        _ => {
                            return Err(type_err(format!(
                                "cannot apply unary + to {}",
                                v.type_name()
                            )));
                        }
                    },
                    UnaryOp::Neg => match v {
                        Value::Int(i) => Value::Int(i.checked_neg().ok_or_else(overflow)?),
                        Value::Float(f) => Value::Float(-f),
                        Value::Null => Value::Null,
                        _ => return Err(type_err(format!("cannot negate {}", v.type_name()))),
                    },
                }
            }
            ExprKind::IsNull(x) => Value::Bool(self.eval(x, env)?.is_null()),
            ExprKind::IsNotNull(x) => Value::Bool(!self.eval(x, env)?.is_null()),
            ExprKind::HasLabels(x, labels) => match self.eval(x, env)? {
                Value::Null => Value::Null,
                Value::Node(n) => {
                    let node = self.node(n)?;
                    Value::Bool(labels.iter().all(|l| node.labels.has(&l.name)))
                }
                Value::Rel(r) => {
                    let t = self.rel_type(r)?;
                    Value::Bool(labels.iter().all(|l| l.name == t))
                }
                v => {
                    return Err(type_err(format!(
                        "label predicate on {}, not a node",
                        v.type_name()
                    )));
                }
            },
            ExprKind::FnCall {
                name,
                distinct: _,
                args,
                info,
            } => {
                if info.aggregate {
                    if let Some(v) = env.aggregate(e) {
                        return Ok(v.clone());
                    }
                    return Err(QueryError::semantic(
                        "InvalidAggregation",
                        format!("the aggregating function {name}() is not allowed here"),
                    ));
                }
                if info.constant {
                    // Computed once a statement: looked up by the call's
                    // address.
                    let at = std::ptr::from_ref(e) as usize;
                    if let Some((call, v)) = self.folded.borrow().get(&at)
                        && call == e
                    {
                        return Ok(v.clone());
                    }
                    let v = super::functions::call(self, name, &info.lower, args, env)?;
                    self.folded.borrow_mut().insert(at, (e.clone(), v.clone()));
                    v
                } else {
                    super::functions::call(self, name, &info.lower, args, env)?
                }
            }
            ExprKind::CountStar => {
                if let Some(v) = env.aggregate(e) {
                    return Ok(v.clone());
                }
                return Err(QueryError::semantic(
                    "InvalidAggregation",
                    "count(*) is not allowed here",
                ));
            }
            ExprKind::Case {
                subject,
                whens,
                else_,
            } => {
                let subj = subject.as_ref().map(|s| self.eval(s, env)).transpose()?;
                for (w, t) in whens {
                    let hit = match &subj {
                        Some(s) => equals(s, &self.eval(w, env)?) == Some(true),
                        None => self.eval(w, env)? == Value::Bool(true),
                    };
                    if hit {
                        return self.eval(t, env);
                    }
                }
                match else_ {
                    Some(x) => self.eval(x, env)?,
                    None => Value::Null,
                }
            }
            ExprKind::ListComprehension {
                var,
                list,
                filter,
                map,
            } => {
                let items = match self.eval(list, env)? {
                    Value::Null => return Ok(Value::Null),
                    Value::List(items) => items,
                    v => {
                        return Err(type_err(format!(
                            "list comprehension over {}, not a list",
                            v.type_name()
                        )));
                    }
                };
                let mut out = Vec::new();
                for it in items {
                    let local = Env::Local {
                        name: &var.name,
                        val: it,
                        parent: env,
                    };
                    if let Some(f) = filter
                        && !self.test(f, &local)?
                    {
                        continue;
                    }
                    out.push(match map {
                        Some(m) => self.eval(m, &local)?,
                        None => match local {
                            Env::Local { val, .. } => val,
                            _ => Value::Null,
                        },
                    });
                }
                Value::List(out)
            }
            ExprKind::Quantified {
                q,
                var,
                list,
                filter,
            } => {
                let items = match self.eval(list, env)? {
                    Value::Null => return Ok(Value::Null),
                    Value::List(items) => items,
                    v => {
                        return Err(type_err(format!(
                            "quantifier over {}, not a list",
                            v.type_name()
                        )));
                    }
                };
                let (mut trues, mut nulls) = (0usize, 0usize);
                let n = items.len();
                for it in items {
                    let local = Env::Local {
                        name: &var.name,
                        val: it,
                        parent: env,
                    };
                    let r = match filter {
                        Some(f) => truth(&self.eval(f, &local)?, "a quantifier's predicate")?,
                        None => Some(true),
                    };
                    match r {
                        Some(true) => trues += 1,
                        None => nulls += 1,
                        Some(false) => {}
                    }
                }
                let falses = n - trues - nulls;
                opt_bool(match q {
                    Quantifier::All => {
                        if falses > 0 {
                            Some(false)
                        } else if nulls > 0 {
                            None
                        } else {
                            Some(true)
                        }
                    }
                    Quantifier::Any => {
                        if trues > 0 {
                            Some(true)
                        } else if nulls > 0 {
                            None
                        } else {
                            Some(false)
                        }
                    }
                    Quantifier::None => {
                        if trues > 0 {
                            Some(false)
                        } else if nulls > 0 {
                            None
                        } else {
                            Some(true)
                        }
                    }
                    Quantifier::Single => {
                        if trues > 1 {
                            Some(false)
                        } else if nulls > 0 {
                            None
                        } else {
                            Some(trues == 1)
                        }
                    }
                })
            }
            ExprKind::Reduce {
                acc,
                init,
                var,
                list,
                expr,
            } => {
                let mut a = self.eval(init, env)?;
                let items = match self.eval(list, env)? {
                    Value::Null => return Ok(Value::Null),
                    Value::List(items) => items,
                    v => {
                        return Err(type_err(format!(
                            "reduce over {}, not a list",
                            v.type_name()
                        )));
                    }
                };
                for it in items {
                    let with_acc = Env::Local {
                        name: &acc.name,
                        val: a,
                        parent: env,
                    };
                    let local = Env::Local {
                        name: &var.name,
                        val: it,
                        parent: &with_acc,
                    };
                    a = self.eval(expr, &local)?;
                }
                a
            }
            ExprKind::PatternComprehension {
                var,
                element,
                filter,
                map,
            } => super::pattern::comprehension(
                self,
                var.as_ref(),
                element,
                filter.as_deref(),
                map,
                env,
            )?,
            ExprKind::PatternPredicate(element) => {
                Value::Bool(super::pattern::exists_element(self, element, env)?)
            }
            ExprKind::ExistsSubquery {
                pattern,
                where_,
                query,
                count,
            } => super::pattern::subquery(
                self,
                pattern,
                where_.as_deref(),
                query.as_deref(),
                *count,
                env,
            )?,
            ExprKind::MapProjection(x, items) => {
                let base = self.eval(x, env)?;
                if base.is_null() {
                    return Ok(Value::Null);
                }
                let mut m = BTreeMap::new();
                for it in items {
                    match it {
                        MapProjItem::Property(k) => {
                            m.insert(k.name.clone(), self.property(&base, &k.name)?);
                        }
                        MapProjItem::Literal(k, x) => {
                            m.insert(k.name.clone(), self.eval(x, env)?);
                        }
                        MapProjItem::Variable(v) => {
                            let val = env.lookup(&v.name).cloned().ok_or_else(|| {
                                QueryError::semantic(
                                    "UndefinedVariable",
                                    format!("variable `{}` is not defined", v.name),
                                )
                                .at(v.span)
                            })?;
                            m.insert(v.name.clone(), val);
                        }
                        MapProjItem::AllProperties => {
                            if let Value::Map(all) = self.properties(&base)? {
                                m.extend(all);
                            }
                        }
                    }
                }
                Value::Map(m)
            }
        })
    }

    /// `keys`/`properties` of a node, relationship or map.
    pub fn properties(&self, v: &Value) -> R<Value> {
        Ok(match v {
            Value::Null => Value::Null,
            Value::Node(n) => Value::Map(self.node(*n)?.props.to_map()),
            Value::Rel(r) => Value::Map(self.rel(*r)?.props.to_map()),
            Value::Map(m) => Value::Map(m.clone()),
            v => {
                return Err(type_err(format!(
                    "properties of {}, not a node, relationship or map",
                    v.type_name()
                )));
            }
        })
    }

    /// `v.key`.
    pub fn property(&self, v: &Value, key: &str) -> R<Value> {
        Ok(match v {
            Value::Null => Value::Null,
            Value::Node(n) => self
                .node(*n)?
                .props
                .get(key)
                .map(std::borrow::Cow::into_owned)
                .unwrap_or(Value::Null),
            Value::Rel(r) => self
                .rel(*r)?
                .props
                .get(key)
                .map(std::borrow::Cow::into_owned)
                .unwrap_or(Value::Null),
            Value::Map(m) => m.get(key).cloned().unwrap_or(Value::Null),
            Value::Date(d) => match key {
                "year" => Value::Int(d.year as i64),
                "month" => Value::Int(d.month as i64),
                "day" => Value::Int(d.day as i64),
                "precision" => Value::String(d.precision.name().into()),
                "approximate" | "approx" => Value::Bool(d.approx),
                _ => super::temporal_fns::date_property(d, key)?,
            },
            Value::Temporal(t) => super::temporal_fns::property(t, key)?,
            v => {
                return Err(type_err(format!(
                    "cannot read property '{key}' of {} ({v}); only nodes, relationships, maps and dates have properties",
                    v.type_name()
                )));
            }
        })
    }

    fn index(&self, v: &Value, i: &Value) -> R<Value> {
        Ok(match (v, i) {
            (Value::Null, _) | (_, Value::Null) => Value::Null,
            (Value::List(items), Value::Int(i)) => {
                let len = items.len() as i64;
                let idx = if *i < 0 { len + i } else { *i };
                if idx < 0 || idx >= len {
                    Value::Null
                } else {
                    items[idx as usize].clone()
                }
            }
            (Value::List(_), i) => {
                return Err(type_err(format!(
                    "a list index must be an integer, not {}",
                    i.type_name()
                )));
            }
            (Value::Map(_) | Value::Node(_) | Value::Rel(_), Value::String(k)) => {
                self.property(v, k)?
            }
            (Value::Map(_) | Value::Node(_) | Value::Rel(_), k) => {
                return Err(QueryError::type_error(
                    "MapElementAccessByNonString",
                    format!("a map key must be a string, not {}", k.type_name()),
                ));
            }
            (v, _) => return Err(type_err(format!("cannot index into {}", v.type_name()))),
        })
    }

    fn binary(&self, op: BinOp, a: &Expr, b: &Expr, env: &Env) -> R<Value> {
        match op {
            BinOp::And => {
                let l = truth(&self.eval(a, env)?, "AND")?;
                if l == Some(false) {
                    // Short-circuit, but a right side of the wrong type is
                    // still an error (an error while evaluating it is not).
                    if let Ok(v) = self.eval(b, env) {
                        truth(&v, "AND")?;
                    }
                    return Ok(Value::Bool(false));
                }
                let r = truth(&self.eval(b, env)?, "AND")?;
                return Ok(opt_bool(match (l, r) {
                    (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                }));
            }
            BinOp::Or => {
                let l = truth(&self.eval(a, env)?, "OR")?;
                if l == Some(true) {
                    if let Ok(v) = self.eval(b, env) {
                        truth(&v, "OR")?;
                    }
                    return Ok(Value::Bool(true));
                }
                let r = truth(&self.eval(b, env)?, "OR")?;
                return Ok(opt_bool(match (l, r) {
                    (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                }));
            }
            BinOp::Xor => {
                let l = truth(&self.eval(a, env)?, "XOR")?;
                let r = truth(&self.eval(b, env)?, "XOR")?;
                return Ok(opt_bool(match (l, r) {
                    (Some(x), Some(y)) => Some(x != y),
                    _ => None,
                }));
            }
            BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::StartsWith
            | BinOp::EndsWith
            | BinOp::Contains => {
                if let ExprKind::Property(x, key) = &a.kind {
                    return self.property_compare(op, a, (x, &key.name), b, env);
                }
            }
            _ => {}
        }
        let l = self.eval(a, env)?;
        let r = self.eval(b, env)?;
        binary_values(op, &l, &r)
    }

    /// `a op b` for a comparison `op` where `a` is `x.key`: a node's or
    /// relationship's string property is compared where it is stored, and
    /// a string parameter, literal or variable on the right where it is,
    /// so that a filter over a scan copies no string per row. Evaluates in
    /// the same order (`x`, its property, `b`) and gives the same answers
    /// and errors, at the same places, as the general path.
    fn property_compare(
        &self,
        op: BinOp,
        a: &Expr,
        (x, key): (&Expr, &str),
        b: &Expr,
        env: &Env,
    ) -> R<Value> {
        let at_a = |err: QueryError| {
            if err.span.is_none() {
                err.at(a.span)
            } else {
                err
            }
        };
        let target = self.eval(x, env)?;
        let props = match target {
            Value::Node(n) => Some(self.node(n).map_err(at_a)?.props),
            Value::Rel(r) => Some(self.rel(r).map_err(at_a)?.props),
            _ => None,
        };
        let Some(props) = props else {
            let l = self.property(&target, key).map_err(at_a)?;
            let r = self.eval(b, env)?;
            return binary_values(op, &l, &r);
        };
        // The property is looked up once, whatever its type.
        let item = props.get_item(key);
        if let Some(Item::Str(have)) = item {
            if let Some(want) = self.str_operand(b, env) {
                return Ok(compare_strs(op, have, want));
            }
            let r = self.eval(b, env)?;
            return match &r {
                Value::String(want) => Ok(compare_strs(op, have, want)),
                r => binary_values(op, &Value::String(have.to_string()), r),
            };
        }
        let l = item.map_or(std::borrow::Cow::Owned(Value::Null), Item::to_value);
        let r = self.eval(b, env)?;
        binary_values(op, &l, &r)
    }

    /// The string a parameter, string literal or variable holds, borrowed
    /// where it is; None for any other expression or value (which is then
    /// evaluated as usual: these cannot fail or change anything, so the
    /// two paths agree).
    pub(crate) fn str_operand<'s>(&'s self, e: &'s Expr, env: &'s Env) -> Option<&'s str> {
        match &e.kind {
            ExprKind::Literal(Literal::String(s)) => Some(s),
            ExprKind::Param(p) => self.params.get(p).and_then(Value::as_str),
            ExprKind::Var(v) => env.lookup(v).and_then(Value::as_str),
            _ => None,
        }
    }
}

/// A comparison of two strings, as [`binary_values`] makes it.
fn compare_strs(op: BinOp, have: &str, want: &str) -> Value {
    Value::Bool(match op {
        BinOp::Eq => have == want,
        BinOp::Ne => have != want,
        BinOp::Lt => have < want,
        BinOp::Le => have <= want,
        BinOp::Gt => have > want,
        BinOp::Ge => have >= want,
        BinOp::StartsWith => have.starts_with(want),
        BinOp::EndsWith => have.ends_with(want),
        BinOp::Contains => have.contains(want),
        // Only the operators above come here.
        _ => return Value::Null,
    })
}

fn overflow() -> QueryError {
    QueryError::argument("NumberOutOfRange", "integer overflow")
}

/// A binary operator other than AND/OR/XOR on evaluated operands.
pub fn binary_values(op: BinOp, l: &Value, r: &Value) -> R<Value> {
    use Value::*;
    if let Some(v) = super::temporal_fns::arith(op, l, r) {
        return v;
    }
    Ok(match op {
        BinOp::Eq => opt_bool(equals(l, r)),
        BinOp::Ne => opt_bool(equals(l, r).map(|b| !b)),
        BinOp::Lt => opt_bool(compare(CmpOp::Lt, l, r)),
        BinOp::Le => opt_bool(compare(CmpOp::Le, l, r)),
        BinOp::Gt => opt_bool(compare(CmpOp::Gt, l, r)),
        BinOp::Ge => opt_bool(compare(CmpOp::Ge, l, r)),
        BinOp::In => match r {
            Null => Null,
            List(items) => {
                let mut unknown = false;
                for it in items {
                    match equals(l, it) {
                        Some(true) => return Ok(Bool(true)),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown { Null } else { Bool(false) }
            }
            v => {
                return Err(type_err(format!(
                    "IN needs a list on the right, not {}",
                    v.type_name()
                )));
            }
        },
        BinOp::StartsWith | BinOp::EndsWith | BinOp::Contains => match (l, r) {
            (String(x), String(y)) => Bool(match op {
                BinOp::StartsWith => x.starts_with(y.as_str()),
                BinOp::EndsWith => x.ends_with(y.as_str()),
                _ => x.contains(y.as_str()),
            }),
            _ => Null,
        },
        BinOp::Regex => match (l, r) {
            (String(x), String(p)) => Bool(super::regex::matches(p, x)?),
            (Null, _) | (_, Null) => Null,
            _ => Null,
        },
        BinOp::Add => match (l, r) {
            (Null, _) | (_, Null) => Null,
            (Int(x), Int(y)) => Int(x.checked_add(*y).ok_or_else(overflow)?),
            (Int(_) | Float(_), Int(_) | Float(_)) => Float(num(l) + num(r)),
            (String(x), String(y)) => String(format!("{x}{y}")),
            (String(x), Int(_) | Float(_) | Bool(_)) => String(format!("{x}{}", plain(r))),
            (Int(_) | Float(_) | Bool(_), String(y)) => String(format!("{}{y}", plain(l))),
            (List(x), List(y)) => List(x.iter().chain(y).cloned().collect()),
            (List(x), y) => {
                let mut v = x.clone();
                v.push(y.clone());
                List(v)
            }
            (x, List(y)) => {
                let mut v = vec![x.clone()];
                v.extend(y.iter().cloned());
                List(v)
            }
            _ => {
                return Err(type_err(format!(
                    "cannot add {} and {}",
                    l.type_name(),
                    r.type_name()
                )));
            }
        },
        BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow => match (l, r) {
            (Null, _) | (_, Null) => Null,
            (Int(x), Int(y)) => match op {
                BinOp::Sub => Int(x.checked_sub(*y).ok_or_else(overflow)?),
                BinOp::Mul => Int(x.checked_mul(*y).ok_or_else(overflow)?),
                BinOp::Div => {
                    if *y == 0 {
                        return Err(QueryError::argument("DivisionByZero", "division by zero"));
                    }
                    Int(x.checked_div(*y).ok_or_else(overflow)?)
                }
                BinOp::Mod => {
                    if *y == 0 {
                        return Err(QueryError::argument("DivisionByZero", "modulo by zero"));
                    }
                    Int(x.checked_rem(*y).ok_or_else(overflow)?)
                }
                _ => Float((*x as f64).powf(*y as f64)),
            },
            (Int(_) | Float(_), Int(_) | Float(_)) => {
                let (x, y) = (num(l), num(r));
                Float(match op {
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    BinOp::Div => x / y,
                    BinOp::Mod => x % y,
                    _ => x.powf(y),
                })
            }
            _ => {
                return Err(type_err(format!(
                    "cannot apply {} to {} and {}",
                    op_name(op),
                    l.type_name(),
                    r.type_name()
                )));
            }
        },
        BinOp::And | BinOp::Or | BinOp::Xor => {
            let x = truth(l, "a boolean operator")?;
            let y = truth(r, "a boolean operator")?;
            opt_bool(match (op, x, y) {
                (BinOp::And, Some(false), _) | (BinOp::And, _, Some(false)) => Some(false),
                (BinOp::And, Some(true), Some(true)) => Some(true),
                (BinOp::Or, Some(true), _) | (BinOp::Or, _, Some(true)) => Some(true),
                (BinOp::Or, Some(false), Some(false)) => Some(false),
                (BinOp::Xor, Some(a), Some(b)) => Some(a != b),
                _ => None,
            })
        }
    })
}

fn op_name(op: BinOp) -> &'static str {
    match op {
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Mod => "%",
        BinOp::Pow => "^",
        _ => "an operator",
    }
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

/// A value as `toString` prints it: strings without quotes.
pub fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Date(d) => d.to_string(),
        Value::Temporal(t) => t.to_string(),
        v => v.to_string(),
    }
}

fn slice(v: &Value, from: Option<Value>, to: Option<Value>) -> R<Value> {
    let items = match v {
        Value::Null => return Ok(Value::Null),
        Value::List(items) => items,
        v => return Err(type_err(format!("cannot slice {}", v.type_name()))),
    };
    let len = items.len() as i64;
    let bound = |b: Option<Value>, default: i64| -> R<Option<i64>> {
        match b {
            None => Ok(Some(default)),
            Some(Value::Null) => Ok(None),
            Some(Value::Int(i)) => Ok(Some(if i < 0 { (len + i).max(0) } else { i.min(len) })),
            Some(v) => Err(type_err(format!(
                "a slice bound must be an integer, not {}",
                v.type_name()
            ))),
        }
    };
    let (Some(a), Some(b)) = (bound(from, 0)?, bound(to, len)?) else {
        return Ok(Value::Null);
    };
    if a >= b {
        return Ok(Value::List(Vec::new()));
    }
    Ok(Value::List(items[a as usize..b as usize].to_vec()))
}
