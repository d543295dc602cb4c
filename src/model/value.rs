//! Property and query values.

use std::collections::BTreeMap;
use std::fmt;

use super::date::FDate;
use super::sym::Sym;
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
    /// Boxed, as is `Path`: they are rare and large, and a `Value` is held
    /// per property of every element, so it is kept at 32 bytes.
    Temporal(Box<Temporal>),
    Node(NodeId),
    Rel(RelId),
    Path(Box<Path>),
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
    } else if f != 0.0 && !(1e-5..1e16).contains(&f.abs()) {
        // Very large or small: an exponent, not 300 digits (`1.0e20`,
        // `1.5e-7`), with a point so that it reads as a float.
        let s = format!("{f:e}");
        match s.split_once('e') {
            Some((m, e)) if !m.contains('.') => format!("{m}.0e{e}"),
            _ => s,
        }
    } else if f == f.trunc() {
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

impl Value {
    /// A temporal value (boxed).
    pub fn temporal(t: Temporal) -> Value {
        Value::Temporal(Box::new(t))
    }
    /// A path value (boxed).
    pub fn path(p: Path) -> Value {
        Value::Path(Box::new(p))
    }
}

impl From<Temporal> for Value {
    fn from(t: Temporal) -> Value {
        Value::Temporal(Box::new(t))
    }
}
impl From<Path> for Value {
    fn from(p: Path) -> Value {
        Value::Path(Box::new(p))
    }
}

/// Properties of a node or relationship: (key, value) pairs sorted by the
/// key's text, so they iterate (and print) in key order as a `BTreeMap`
/// did. 16 bytes and no allocation when empty; one allocation holding the
/// pairs otherwise. Lookups compare key text (no interning on a read).
///
/// Invariant: `Some` only when non-empty, keys unique and sorted.
#[derive(Clone, Default, PartialEq)]
pub struct Props(Option<Box<[(Sym, Value)]>>);

impl Props {
    /// No properties.
    pub const fn new() -> Props {
        Props(None)
    }
    /// The pairs, sorted by key.
    pub fn entries(&self) -> &[(Sym, Value)] {
        self.0.as_deref().unwrap_or(&[])
    }
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries()
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
    }
    pub fn len(&self) -> usize {
        self.entries().len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.find(key).ok().map(|i| &self.entries()[i].1)
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        let i = self.find(key).ok()?;
        self.0.as_mut().map(|b| &mut b[i].1)
    }
    pub fn get_key_value(&self, key: &str) -> Option<(&Sym, &Value)> {
        self.find(key).ok().map(|i| {
            let (k, v) = &self.entries()[i];
            (k, v)
        })
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }
    /// Sets `key`; returns the value it replaced.
    pub fn insert(&mut self, key: Sym, value: Value) -> Option<Value> {
        match self.find(&key) {
            Ok(i) => self
                .0
                .as_mut()
                .map(|b| std::mem::replace(&mut b[i].1, value)),
            Err(i) => {
                let mut v = self.0.take().map(Vec::from).unwrap_or_default();
                v.insert(i, (key, value));
                self.0 = Some(v.into_boxed_slice());
                None
            }
        }
    }
    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.find(key).ok()?;
        let mut v = self.0.take().map(Vec::from).unwrap_or_default();
        let (_, old) = v.remove(i);
        if !v.is_empty() {
            self.0 = Some(v.into_boxed_slice());
        }
        Some(old)
    }
    /// Keeps the pairs `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&Sym, &mut Value) -> bool) {
        let mut v = self.0.take().map(Vec::from).unwrap_or_default();
        v.retain_mut(|(k, val)| keep(k, val));
        if !v.is_empty() {
            self.0 = Some(v.into_boxed_slice());
        }
    }
    /// (key, value) in key order.
    pub fn iter(&self) -> PropsIter<'_> {
        PropsIter(self.entries().iter())
    }
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Sym> + ExactSizeIterator {
        self.entries().iter().map(|(k, _)| k)
    }
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries().iter().map(|(_, v)| v)
    }
    /// The properties as a Cypher map value's map.
    pub fn to_map(&self) -> BTreeMap<String, Value> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }
    /// Builds from pairs already sorted by key text with unique keys (as a
    /// store file holds them); checks that they are.
    pub fn from_sorted(pairs: Vec<(Sym, Value)>) -> Option<Props> {
        if pairs.windows(2).any(|w| w[0].0.as_str() >= w[1].0.as_str()) {
            return None;
        }
        Some(if pairs.is_empty() {
            Props(None)
        } else {
            Props(Some(pairs.into_boxed_slice()))
        })
    }
}

/// Iterator over `(&key, &value)` in key order.
#[derive(Clone)]
pub struct PropsIter<'a>(std::slice::Iter<'a, (Sym, Value)>);

impl<'a> Iterator for PropsIter<'a> {
    type Item = (&'a Sym, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
impl DoubleEndedIterator for PropsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}
impl ExactSizeIterator for PropsIter<'_> {}

impl<'a> IntoIterator for &'a Props {
    type Item = (&'a Sym, &'a Value);
    type IntoIter = PropsIter<'a>;
    fn into_iter(self) -> PropsIter<'a> {
        self.iter()
    }
}
impl IntoIterator for Props {
    type Item = (Sym, Value);
    type IntoIter = std::vec::IntoIter<(Sym, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.map(Vec::from).unwrap_or_default().into_iter()
    }
}
/// Later pairs win over earlier ones with the same key, as with a `BTreeMap`.
impl<K: Into<Sym>> FromIterator<(K, Value)> for Props {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Props {
        let mut v: Vec<(Sym, Value)> = iter.into_iter().map(|(k, v)| (k.into(), v)).collect();
        // Stable, so equal keys stay in input order; keep the last of each.
        v.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        let mut out: Vec<(Sym, Value)> = Vec::with_capacity(v.len());
        for (k, val) in v {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = val,
                _ => out.push((k, val)),
            }
        }
        if out.is_empty() {
            Props(None)
        } else {
            Props(Some(out.into_boxed_slice()))
        }
    }
}
impl<K: Into<Sym>> Extend<(K, Value)> for Props {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k.into(), v);
        }
    }
}
impl<K: Into<Sym>, const N: usize> From<[(K, Value); N]> for Props {
    fn from(pairs: [(K, Value); N]) -> Props {
        pairs.into_iter().collect()
    }
}
/// As with a `BTreeMap`, indexing by a missing key panics; for tests and
/// keys known to be there.
impl std::ops::Index<&str> for Props {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no property '{key}'"),
        }
    }
}
impl From<BTreeMap<String, Value>> for Props {
    fn from(m: BTreeMap<String, Value>) -> Props {
        m.into_iter().collect()
    }
}
impl From<Props> for BTreeMap<String, Value> {
    fn from(p: Props) -> BTreeMap<String, Value> {
        p.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }
}
impl fmt::Debug for Props {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_floats_at_any_size() {
        let cases = [
            (1.0, "1.0"),
            (-2.5, "-2.5"),
            (0.0, "0.0"),
            (1e15, "1000000000000000.0"),
            (1e20, "1.0e20"),
            (1.5e300, "1.5e300"),
            (-1e16, "-1.0e16"),
            (1.5e-7, "1.5e-7"),
            (0.0001, "0.0001"),
            (f64::MAX, "1.7976931348623157e308"),
        ];
        for (f, text) in cases {
            assert_eq!(fmt_float(f), text);
            // What is printed reads back as the same float.
            let back: f64 = text.parse().unwrap_or(f64::NAN);
            assert_eq!(back, f, "{text}");
        }
    }

    #[test]
    fn values_and_props_stay_small() {
        assert_eq!(std::mem::size_of::<Value>(), 32);
        assert_eq!(std::mem::size_of::<Props>(), 16);
    }

    #[test]
    fn props_behave_like_an_ordered_map() {
        let mut p = Props::new();
        assert!(p.is_empty());
        assert_eq!(p.insert("name".into(), "a".into()), None);
        assert_eq!(p.insert("id".into(), Value::Int(1)), None);
        assert_eq!(p.insert("name".into(), "b".into()), Some("a".into()));
        assert_eq!(
            p.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            ["id", "name"]
        );
        assert_eq!(p.get("name"), Some(&Value::from("b")));
        assert!(p.contains_key("id") && !p.contains_key("x"));
        assert_eq!(format!("{p:?}"), r#"{"id": Int(1), "name": String("b")}"#);
        let q: Props = [("name", Value::from("b")), ("id", Value::Int(1))]
            .into_iter()
            .collect();
        assert_eq!(p, q);
        assert_eq!(p.remove("id"), Some(Value::Int(1)));
        assert_eq!(p.remove("name"), Some("b".into()));
        assert_eq!(p, Props::new(), "empty again is equal to new");
        let dup: Props = [("k", Value::Int(1)), ("k", Value::Int(2))]
            .into_iter()
            .collect();
        assert_eq!(dup.get("k"), Some(&Value::Int(2)), "the last pair wins");
    }
}
