//! Property indexes (`CREATE INDEX FOR (n:Label) ON (n.key)`): for one label
//! and one property key, the nodes carrying the label, by the value of the
//! property.
//!
//! An index maps a [`Key`] to the set of nodes whose value has that key. A
//! key stands for a class of values under Cypher's `=`: values that are
//! equal get the same key (`1` and `1.0`, `[1]` and `[1.0]`), so looking a
//! value up finds every node whose value equals it. The converse is not
//! needed: the matcher checks every candidate against the pattern and the
//! WHERE, so an index may give more nodes than match, never fewer.
//!
//! Keys are ordered, numbers by value (integers and floats together) and
//! strings by their text, as Cypher's `<` orders them, so a range or a
//! prefix is one walk through a `BTreeMap`.
//!
//! The definitions (name, label, key) are persisted; the contents are built
//! from the nodes when an index is created or a store is opened.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;

use super::index::IdSet;
use crate::model::{LabelSet, NodeId, PropsRef, Sym, Value};

/// A number as an index key: an integer (every float with an integral
/// value in `i64`'s range is keyed as that integer, since it equals it), or
/// any other float except NaN.
#[derive(Debug, Clone, Copy)]
pub enum Num {
    I(i64),
    F(f64),
}

impl Ord for Num {
    fn cmp(&self, other: &Num) -> Ordering {
        match (self, other) {
            (Num::I(a), Num::I(b)) => a.cmp(b),
            (Num::F(a), Num::F(b)) => a.total_cmp(b),
            (Num::I(i), Num::F(f)) => int_vs_float(*i, *f),
            (Num::F(f), Num::I(i)) => int_vs_float(*i, *f).reverse(),
        }
    }
}

/// `i` against a float of an `F` key, exactly. Rounding `i` is monotonic,
/// so a strict order of the rounded value is the true order; the two can
/// only round to the same value when the float is integral, and the only
/// integral float an `F` key holds that an `i64` can round to is 2^63,
/// which is larger than every `i64`.
fn int_vs_float(i: i64, f: f64) -> Ordering {
    match (i as f64).partial_cmp(&f) {
        Some(Ordering::Equal) | None => Ordering::Less,
        Some(o) => o,
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Num) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Num {
    fn eq(&self, other: &Num) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Num {}

/// The index key of a value: equal values (Cypher's `=`) have equal keys.
/// The order of the variants is the order of the classes in the map; only
/// the order inside `Str` and `Num` means anything (ranges walk them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    List(Vec<Key>),
    /// A date: its first day (year, month, day), so that dates are in
    /// order of their start, then its precision and approximation (both
    /// part of `=`).
    Date {
        first_day: (i32, u8, u8),
        precision: u8,
        approx: bool,
    },
    /// Another temporal as its kind and text: equal temporals (same fields,
    /// offset and zone) print alike.
    Temporal(Box<str>),
    Str(Box<str>),
    Bool(bool),
    Num(Num),
    /// NaN equals nothing; nodes holding it are kept apart.
    NaN,
}

/// 2^63 as a float: floats from here on (and below -2^63) are no `i64`.
const TWO_63: f64 = 9_223_372_036_854_775_808.0;

/// The key of a value, or None for a value no property holds (null, maps,
/// nodes, relationships, paths, and lists of them).
pub fn key_of(v: &Value) -> Option<Key> {
    Some(match v {
        Value::Null | Value::Map(_) | Value::Node(_) | Value::Rel(_) | Value::Path(_) => {
            return None;
        }
        Value::Bool(b) => Key::Bool(*b),
        Value::Int(i) => Key::Num(Num::I(*i)),
        Value::Float(f) if f.is_nan() => Key::NaN,
        Value::Float(f) if f.fract() == 0.0 && (-TWO_63..TWO_63).contains(f) => {
            Key::Num(Num::I(*f as i64))
        }
        Value::Float(f) => Key::Num(Num::F(*f)),
        Value::String(s) => Key::Str(s.as_str().into()),
        Value::List(items) => Key::List(items.iter().map(key_of).collect::<Option<_>>()?),
        Value::Date(d) => Key::Date {
            first_day: (d.year, d.month, d.day),
            precision: d.precision as u8,
            approx: d.approx,
        },
        Value::Temporal(t) => Key::Temporal(format!("{} {t}", t.function_name()).into()),
    })
}

/// The key before (`last` false) or after every key of the dates that
/// start on `first_day`.
fn date_key(first_day: (i32, u8, u8), last: bool) -> Key {
    Key::Date {
        first_day,
        precision: if last { u8::MAX } else { 0 },
        approx: last,
    }
}

/// The keys of one class (all numbers, all strings, all dates) as a
/// range: `None` for classes a range does not walk.
fn class_of(k: &Key) -> Option<(Bound<Key>, Bound<Key>)> {
    match k {
        Key::Date { .. } => Some((
            Bound::Included(date_key((i32::MIN, 0, 0), false)),
            Bound::Included(date_key((i32::MAX, u8::MAX, u8::MAX), true)),
        )),
        Key::Num(_) => Some((
            Bound::Included(Key::Num(Num::F(f64::NEG_INFINITY))),
            Bound::Included(Key::Num(Num::F(f64::INFINITY))),
        )),
        // `Bool` follows `Str`: every string lies below the first boolean.
        Key::Str(_) => Some((
            Bound::Included(Key::Str("".into())),
            Bound::Excluded(Key::Bool(false)),
        )),
        _ => None,
    }
}

/// One side of a range predicate: the value and whether it is included.
#[derive(Debug, Clone)]
pub struct Side {
    pub value: Value,
    pub inclusive: bool,
}

/// What a range scan asks for: `lower < v < upper` (each side optional,
/// at least one given) or a string prefix.
#[derive(Debug, Clone)]
pub enum Range {
    Between {
        lower: Option<Side>,
        upper: Option<Side>,
    },
    Prefix(Value),
}

/// One property index: its definition and contents.
#[derive(Debug, Clone)]
pub struct PropIndex {
    name: String,
    label: Sym,
    key: Sym,
    entries: BTreeMap<Key, IdSet>,
    /// How many nodes are in the index.
    len: usize,
}

impl PropIndex {
    /// An empty index.
    pub fn new(name: &str, label: Sym, key: Sym) -> PropIndex {
        PropIndex {
            name: name.to_string(),
            label,
            key,
            entries: BTreeMap::new(),
            len: 0,
        }
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn label(&self) -> Sym {
        self.label
    }
    pub fn key(&self) -> Sym {
        self.key
    }
    /// How many nodes the index holds.
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// How many distinct keys the index holds.
    pub fn distinct(&self) -> usize {
        self.entries.len()
    }

    fn insert(&mut self, id: NodeId, v: &Value) {
        if let Some(k) = key_of(v)
            && self.entries.entry(k).or_default().insert(id)
        {
            self.len += 1;
        }
    }

    fn remove(&mut self, id: NodeId, v: &Value) {
        let Some(k) = key_of(v) else { return };
        if let Some(set) = self.entries.get_mut(&k)
            && set.remove(id)
        {
            self.len -= 1;
            if set.is_empty() {
                self.entries.remove(&k);
            }
        }
    }

    /// Adds a node carrying the label, if it has the property.
    fn add_node(&mut self, id: NodeId, props: PropsRef<'_>) {
        if let Some(v) = props.get(&self.key) {
            self.insert(id, &v);
        }
    }

    fn remove_node(&mut self, id: NodeId, props: PropsRef<'_>) {
        if let Some(v) = props.get(&self.key) {
            self.remove(id, &v);
        }
    }

    /// The nodes whose value may equal `v`, in id order; None when `v` has
    /// no key (the caller scans instead).
    pub fn get(&self, v: &Value) -> Option<Vec<NodeId>> {
        let k = key_of(v)?;
        Some(
            self.entries
                .get(&k)
                .map_or_else(Vec::new, |s| s.iter().collect()),
        )
    }

    /// The nodes whose value may lie in `r`, in id order; None when the
    /// range is not one the index serves (bounds of another type than
    /// numbers and strings): the caller scans instead.
    pub fn range(&self, r: &Range) -> Option<Vec<NodeId>> {
        let mut out: Vec<NodeId> = match r {
            Range::Prefix(Value::String(p)) => {
                let from = Key::Str(p.as_str().into());
                self.entries
                    .range(from..)
                    .take_while(|(k, _)| matches!(k, Key::Str(s) if s.starts_with(p.as_str())))
                    .flat_map(|(_, s)| s.iter())
                    .collect()
            }
            Range::Prefix(_) => return None,
            Range::Between { lower, upper } => {
                let (lo, hi) = self.bounds(lower.as_ref(), upper.as_ref())?;
                if !nonempty(&lo, &hi) {
                    return Some(Vec::new());
                }
                self.entries
                    .range((lo, hi))
                    .flat_map(|(_, s)| s.iter())
                    .collect()
            }
        };
        out.sort_unstable();
        Some(out)
    }

    /// The key range of `lower .. upper`, within the class of the bounds'
    /// values; None when a bound has no class a range walks. Bounds of two
    /// classes give an empty range (no value compares with both).
    ///
    /// Dates are intervals (`2023` is a year), ordered by their first day:
    /// `d > x` and `d >= x` can only hold when `d` starts on or after the
    /// day `x` starts, `d < x` and `d <= x` when it starts on or before it
    /// ([`crate::model::FDate::lt`]), so a date bound keeps every date
    /// starting on its first day, strict or not.
    fn bounds(
        &self,
        lower: Option<&Side>,
        upper: Option<&Side>,
    ) -> Option<(Bound<Key>, Bound<Key>)> {
        let side = |s: &Side, is_upper: bool| -> Option<(Key, bool)> {
            let k = key_of(&s.value)?;
            class_of(&k)?;
            Some(match k {
                Key::Date { first_day, .. } => (date_key(first_day, is_upper), true),
                k => (k, s.inclusive),
            })
        };
        let lower = match lower {
            Some(s) => Some(side(s, false)?),
            None => None,
        };
        let upper = match upper {
            Some(s) => Some(side(s, true)?),
            None => None,
        };
        let class = lower
            .as_ref()
            .or(upper.as_ref())
            .map(|(k, _)| std::mem::discriminant(k))?;
        let (class_lo, class_hi) = class_of(lower.as_ref().or(upper.as_ref()).map(|(k, _)| k)?)?;
        let same_class = |k: &Key| std::mem::discriminant(k) == class;
        let lo = match lower {
            Some((k, _)) if !same_class(&k) => return Some(empty()),
            Some((k, true)) => Bound::Included(k),
            Some((k, false)) => Bound::Excluded(k),
            None => class_lo,
        };
        let hi = match upper {
            Some((k, _)) if !same_class(&k) => return Some(empty()),
            Some((k, true)) => Bound::Included(k),
            Some((k, false)) => Bound::Excluded(k),
            None => class_hi,
        };
        Some((lo, hi))
    }

    /// The contents as (key, sorted ids), for comparing with a rebuild.
    #[cfg(test)]
    pub fn contents(&self) -> Vec<(Key, Vec<u32>)> {
        self.entries
            .iter()
            .map(|(k, s)| (k.clone(), s.to_vec()))
            .collect()
    }
}

/// A range that holds nothing.
fn empty() -> (Bound<Key>, Bound<Key>) {
    (Bound::Excluded(Key::NaN), Bound::Excluded(Key::NaN))
}

/// Whether `lo .. hi` holds any key: `BTreeMap::range` panics on a range
/// whose start lies after its end, and user bounds can be in any order.
fn nonempty(lo: &Bound<Key>, hi: &Bound<Key>) -> bool {
    use Bound::{Excluded, Included, Unbounded};
    match (lo, hi) {
        (Unbounded, _) | (_, Unbounded) => true,
        (Included(a), Included(b)) => a <= b,
        (Included(a), Excluded(b)) | (Excluded(a), Included(b)) | (Excluded(a), Excluded(b)) => {
            a < b
        }
    }
}

/// The graph's property indexes, sorted by name. Few in number: every
/// change to a node asks each one whether it cares.
#[derive(Debug, Clone, Default)]
pub struct PropIndexes(Vec<PropIndex>);

impl PropIndexes {
    pub fn iter(&self) -> impl Iterator<Item = &PropIndex> {
        self.0.iter()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The index on `label` and `key`, if any.
    pub fn on(&self, label: &str, key: &str) -> Option<&PropIndex> {
        self.0.iter().find(|ix| ix.label == label && ix.key == key)
    }
    /// The index named `name`, if any.
    pub fn named(&self, name: &str) -> Option<&PropIndex> {
        self.0.iter().find(|ix| ix.name == name)
    }
    /// Adds an index (its contents already built).
    pub fn add(&mut self, ix: PropIndex) {
        let at = self.0.partition_point(|x| x.name < ix.name);
        self.0.insert(at, ix);
    }
    /// Removes the index named `name`.
    pub fn remove(&mut self, name: &str) -> Option<PropIndex> {
        let at = self.0.iter().position(|ix| ix.name == name)?;
        Some(self.0.remove(at))
    }

    /// A node appeared (created, or put back by an undo).
    pub fn add_node(&mut self, id: NodeId, labels: LabelSet, props: PropsRef<'_>) {
        for ix in &mut self.0 {
            if labels.contains(&ix.label) {
                ix.add_node(id, props);
            }
        }
    }

    /// A node is going away (deleted, or taken back by an undo).
    pub fn remove_node(&mut self, id: NodeId, labels: LabelSet, props: PropsRef<'_>) {
        for ix in &mut self.0 {
            if labels.contains(&ix.label) {
                ix.remove_node(id, props);
            }
        }
    }

    /// The node got `label`.
    pub fn label_added(&mut self, id: NodeId, label: Sym, props: PropsRef<'_>) {
        for ix in self.0.iter_mut().filter(|ix| ix.label == label) {
            ix.add_node(id, props);
        }
    }

    /// The node lost `label` (every copy of it).
    pub fn label_removed(&mut self, id: NodeId, label: Sym, props: PropsRef<'_>) {
        for ix in self.0.iter_mut().filter(|ix| ix.label == label) {
            ix.remove_node(id, props);
        }
    }

    /// The node's `key` changed from `old` to `new` (None: absent).
    pub fn value_changed(
        &mut self,
        id: NodeId,
        labels: LabelSet,
        key: Sym,
        old: Option<&Value>,
        new: Option<&Value>,
    ) {
        for ix in self.0.iter_mut().filter(|ix| ix.key == key) {
            if labels.contains(&ix.label) {
                if let Some(v) = old {
                    ix.remove(id, v);
                }
                if let Some(v) = new {
                    ix.insert(id, v);
                }
            }
        }
    }
}

/// Builds an index's contents from `nodes` (those carrying its label).
pub fn build<'a>(
    mut ix: PropIndex,
    nodes: impl Iterator<Item = (NodeId, PropsRef<'a>)>,
) -> PropIndex {
    for (id, props) in nodes {
        ix.add_node(id, props);
    }
    ix
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FDate, Temporal};

    fn k(v: Value) -> Key {
        key_of(&v).unwrap()
    }

    #[test]
    fn equal_values_share_a_key() {
        assert_eq!(k(Value::Int(1)), k(Value::Float(1.0)));
        assert_eq!(k(Value::Int(0)), k(Value::Float(-0.0)));
        assert_eq!(
            k(Value::List(vec![Value::Int(1), "a".into()])),
            k(Value::List(vec![Value::Float(1.0), "a".into()]))
        );
        let big = 1i64 << 60;
        assert_eq!(k(Value::Int(big)), k(Value::Float(big as f64)));
        assert_eq!(k(Value::Int(i64::MIN)), k(Value::Float(-TWO_63)));
        assert_ne!(k(Value::Int(i64::MAX)), k(Value::Float(TWO_63)));
        // 2^53 + 1 is no float: the nearest float is another number.
        assert_ne!(
            k(Value::Int((1 << 53) + 1)),
            k(Value::Float((1u64 << 53) as f64))
        );
        assert_ne!(k(Value::Int(1)), k(Value::Float(1.5)));
        assert_ne!(k(Value::Int(1)), k("1".into()));
        assert_ne!(k(Value::Bool(true)), k(Value::Int(1)));
        let d = FDate::parse("2023-10").unwrap();
        assert_eq!(k(Value::Date(d)), k(Value::Date(d)));
        assert_ne!(k(Value::Date(d)), k(Value::Date(d.approximate())));
        let t = Temporal::LocalTime { nanos: 5 };
        assert_eq!(k(Value::temporal(t.clone())), k(Value::temporal(t)));
        assert_ne!(
            k(Value::temporal(Temporal::LocalTime { nanos: 5 })),
            k(Value::temporal(Temporal::Time {
                nanos: 5,
                offset: 0
            }))
        );
        assert_eq!(key_of(&Value::Null), None);
        assert_eq!(key_of(&Value::Map(Default::default())), None);
    }

    #[test]
    fn numbers_are_keyed_in_numeric_order() {
        let values = [
            Value::Float(f64::NEG_INFINITY),
            Value::Float(-TWO_63 * 4.0),
            Value::Int(i64::MIN),
            Value::Float(-2.5),
            Value::Int(-2),
            Value::Float(0.5),
            Value::Int(1),
            Value::Float(1.5),
            Value::Int((1 << 53) + 1),
            Value::Int(i64::MAX),
            Value::Float(TWO_63),
            Value::Float(f64::INFINITY),
        ];
        for w in values.windows(2) {
            assert!(k(w[0].clone()) < k(w[1].clone()), "{} < {}", w[0], w[1]);
        }
        assert!(k("a".into()) < k("ab".into()));
    }

    fn index_of(values: &[Value]) -> PropIndex {
        let key = Sym::new("p");
        let mut ix = PropIndex::new("i", Sym::new("L"), key);
        for (i, v) in values.iter().enumerate() {
            ix.insert(NodeId(i as u32), v);
        }
        ix
    }

    fn side(v: Value, inclusive: bool) -> Option<Side> {
        Some(Side {
            value: v,
            inclusive,
        })
    }

    /// Date ranges keep every date that may compare true: those starting
    /// on the bound's first day (`2023-10 < 2023` is null, `2023 <= 2023`
    /// true) and beyond it on the bound's side.
    #[test]
    fn date_ranges_keep_every_date_that_may_compare_true() {
        let d = |s: &str| Value::Date(FDate::parse(s).unwrap());
        let ix = index_of(&[
            d("2022"),
            d("2023"),
            d("~2023-01"),
            d("2023-01-01"),
            d("2023-10"),
            d("2024"),
        ]);
        let ids = |r: Range| -> Vec<u32> { ix.range(&r).unwrap().iter().map(|n| n.0).collect() };
        let between = |lower, upper| Range::Between { lower, upper };
        assert_eq!(ids(between(side(d("2023"), false), None)), [1, 2, 3, 4, 5]);
        assert_eq!(ids(between(None, side(d("2023"), false))), [0, 1, 2, 3]);
        assert_eq!(ids(between(side(d("2023-02"), true), None)), [4, 5]);
        assert_eq!(
            ids(between(
                side(d("2023-01-01"), true),
                side(d("2023-06"), false)
            )),
            [1, 2, 3]
        );
    }

    #[test]
    fn ranges_walk_one_class_and_never_panic() {
        let ix = index_of(&[
            Value::Int(1),
            Value::Float(2.5),
            Value::Int(3),
            "apple".into(),
            "apricot".into(),
            "banana".into(),
            Value::Bool(true),
            Value::Float(f64::NAN),
        ]);
        let ids = |r: Range| -> Vec<u32> { ix.range(&r).unwrap().iter().map(|n| n.0).collect() };
        let between = |lower, upper| Range::Between { lower, upper };
        assert_eq!(ids(between(side(Value::Int(1), false), None)), [1, 2]);
        assert_eq!(ids(between(None, side(Value::Float(2.5), true))), [0, 1]);
        assert_eq!(
            ids(between(
                side(Value::Int(1), true),
                side(Value::Int(3), false)
            )),
            [0, 1]
        );
        assert_eq!(ids(between(None, side("b".into(), false))), [3, 4]);
        assert_eq!(ids(Range::Prefix("ap".into())), [3, 4]);
        assert_eq!(ids(Range::Prefix("".into())), [3, 4, 5]);
        // Reversed, empty and mixed bounds give nothing, without a panic.
        assert!(
            ids(between(
                side(Value::Int(3), false),
                side(Value::Int(1), false)
            ))
            .is_empty()
        );
        assert!(
            ids(between(
                side(Value::Int(1), false),
                side(Value::Int(1), false)
            ))
            .is_empty()
        );
        assert!(ids(between(side(Value::Int(1), true), side("z".into(), true))).is_empty());
        // Bounds of other types are not served.
        assert!(
            ix.range(&between(side(Value::Bool(false), true), None))
                .is_none()
        );
        assert!(ix.range(&Range::Prefix(Value::Int(1))).is_none());
        assert_eq!(ix.get(&Value::Float(3.0)), Some(vec![NodeId(2)]));
        assert_eq!(ix.get(&Value::Null), None);
    }
}
