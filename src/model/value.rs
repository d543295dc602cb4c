//! Property and query values.

use std::collections::BTreeMap;
use std::fmt;

use super::date::FDate;
use super::temporal::Temporal;

/// A node's identity: the index of its slot in the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// A relationship's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelId(pub u32);

/// A path: `nodes.len() == rels.len() + 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub nodes: Vec<NodeId>,
    pub rels: Vec<RelId>,
}

/// Every value a property can hold or a query can produce.
///
/// `Node`, `Rel` and `Path` only occur at query time; a property never holds
/// them (the store refuses it).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// A date with a precision, see [`FDate`].
    Date(FDate),
    /// Cypher's other temporal types: times, date-times, durations.
    Temporal(Temporal),
    Node(NodeId),
    Rel(RelId),
    Path(Path),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// The name of the value's type as Cypher's error messages spell it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "Null",
            Value::Bool(_) => "Boolean",
            Value::Int(_) => "Integer",
            Value::Float(_) => "Float",
            Value::String(_) => "String",
            Value::List(_) => "List",
            Value::Map(_) => "Map",
            Value::Date(_) => "Date",
            Value::Temporal(t) => t.type_name(),
            Value::Node(_) => "Node",
            Value::Rel(_) => "Relationship",
            Value::Path(_) => "Path",
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// True for values a property may hold: scalars, dates, and lists of them.
    pub fn is_storable(&self) -> bool {
        match self {
            Value::Node(_) | Value::Rel(_) | Value::Path(_) | Value::Map(_) => false,
            Value::List(items) => items.iter().all(|v| {
                !matches!(v, Value::List(_) | Value::Map(_) | Value::Null) && v.is_storable()
            }),
            _ => true,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<FDate> for Value {
    fn from(d: FDate) -> Value {
        Value::Date(d)
    }
}

/// Writes a string as a Cypher string literal in single quotes.
pub fn quote_str(s: &str, out: &mut impl fmt::Write) -> fmt::Result {
    out.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\'' => out.write_str("\\'")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\t' => out.write_str("\\t")?,
            '\r' => out.write_str("\\r")?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('\'')
}

/// Formats a float the way Cypher prints it: always with a decimal point or
/// exponent, `NaN`, `Infinity`, `-Infinity`.
pub fn fmt_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if f == f.trunc() && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

/// Cypher literal syntax: `'text'`, `1`, `1.5`, `[1, 2]`, `{a: 1}`,
/// `fdate('2023-10')`. Nodes and relationships print their id only; the
/// shell renders them with their labels and properties.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&fmt_float(*x)),
            Value::String(s) => quote_str(s, f),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            Value::Date(d) => write!(f, "fdate('{d}')"),
            Value::Temporal(t) => write!(f, "{}('{t}')", t.function_name()),
            Value::Node(n) => write!(f, "node({})", n.0),
            Value::Rel(r) => write!(f, "relationship({})", r.0),
            Value::Path(p) => write!(f, "path({} nodes)", p.nodes.len()),
        }
    }
}

/// Properties of a node or relationship, ordered by key.
pub type Props = BTreeMap<String, Value>;
