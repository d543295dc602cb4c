//! Equality, comparison and ordering of values, as openCypher defines them.
//!
//! Three relations, each with its own rules:
//!
//! * [`equals`] (`=`): three-valued. `null` on either side gives null; lists
//!   and maps compare element-wise (false wins over null, null over true);
//!   an integer equals a float of the same value; values of different types
//!   are not equal. NaN equals nothing.
//! * [`compare`] (`<`, `<=`, `>`, `>=`): three-valued. Numbers, strings,
//!   booleans, lists (lexicographically) and dates compare; anything else, and
//!   any pair of different types, gives null. Dates of mixed precision use
//!   the interval rules of [`FDate::lt`].
//! * [`order`]: the total order of ORDER BY, DISTINCT, grouping, min and max
//!   (maps < nodes < relationships < lists < paths < dates < other
//!   temporals < strings < booleans < numbers < NaN < null).

use std::cmp::Ordering;

use crate::model::{FDate, Value, temporal};

/// `a = b` in three-valued logic: `None` is null.
pub fn equals(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Int(x), Int(y)) => Some(x == y),
        (Float(x), Float(y)) => Some(x == y),
        (Int(i), Float(f)) | (Float(f), Int(i)) => {
            Some(int_float_cmp(*i, *f) == Some(Ordering::Equal))
        }
        (Bool(x), Bool(y)) => Some(x == y),
        (String(x), String(y)) => Some(x == y),
        (Date(x), Date(y)) => Some(x == y),
        (Temporal(x), Temporal(y)) => Some(x == y),
        (Node(x), Node(y)) => Some(x == y),
        (Rel(x), Rel(y)) => Some(x == y),
        (Path(x), Path(y)) => Some(x == y),
        (List(x), List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.iter().zip(y) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown { None } else { Some(true) }
        }
        (Map(x), Map(y)) => {
            if x.len() != y.len() || x.keys().zip(y.keys()).any(|(p, q)| p != q) {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.values().zip(y.values()) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown { None } else { Some(true) }
        }
        _ => Some(false),
    }
}

/// Compares an integer with a float exactly (no rounding of large integers).
fn int_float_cmp(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // i64 -> f64 is exact below 2^53; beyond that compare via the float's
    // integral part when it is in range.
    if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        let t = f.trunc();
        let ti = t as i64;
        match i.cmp(&ti) {
            Ordering::Equal => {
                if f > t {
                    Some(Ordering::Less)
                } else if f < t {
                    Some(Ordering::Greater)
                } else {
                    Some(Ordering::Equal)
                }
            }
            o => Some(o),
        }
    } else if f > 0.0 {
        Some(Ordering::Less)
    } else {
        Some(Ordering::Greater)
    }
}

fn num_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(i), Value::Float(f)) => int_float_cmp(*i, *f),
        (Value::Float(f), Value::Int(i)) => int_float_cmp(*i, *f).map(Ordering::reverse),
        _ => None,
    }
}

/// The operators [`compare`] evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
}

/// `a op b` in three-valued logic: `None` is null (incomparable).
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            if matches!(a, Float(f) if f.is_nan()) || matches!(b, Float(f) if f.is_nan()) {
                return Some(false);
            }
            num_cmp(a, b).map(|o| holds(op, o))
        }
        (String(x), String(y)) => Some(holds(op, x.cmp(y))),
        (Bool(x), Bool(y)) => Some(holds(op, x.cmp(y))),
        (Date(x), Date(y)) => date_cmp(op, x, y),
        (Temporal(x), Temporal(y)) => temporal::compare(x, y).map(|o| holds(op, o)),
        (List(x), List(y)) => {
            for (p, q) in x.iter().zip(y) {
                match equals(p, q) {
                    Some(true) => continue,
                    Some(false) => return compare(op, p, q),
                    None => return None,
                }
            }
            Some(holds(op, x.len().cmp(&y.len())))
        }
        _ => None,
    }
}

fn holds(op: CmpOp, o: Ordering) -> bool {
    match op {
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    }
}

fn date_cmp(op: CmpOp, x: &FDate, y: &FDate) -> Option<bool> {
    match op {
        CmpOp::Lt => x.lt(y),
        CmpOp::Le => x.le(y),
        CmpOp::Gt => y.lt(x),
        CmpOp::Ge => y.le(x),
    }
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Map(_) => 0,
        Value::Node(_) => 1,
        Value::Rel(_) => 2,
        Value::List(_) => 3,
        Value::Path(_) => 4,
        Value::Date(_) => 5,
        Value::Temporal(_) => 6,
        Value::String(_) => 7,
        Value::Bool(_) => 8,
        Value::Int(_) => 9,
        Value::Float(f) if !f.is_nan() => 9,
        Value::Float(_) => 10,
        Value::Null => 11,
    }
}

/// The total order of ORDER BY (ascending), DISTINCT and grouping.
pub fn order(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    let (ra, rb) = (rank(a), rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Map(x), Map(y)) => {
            let mut xi = x.iter();
            let mut yi = y.iter();
            loop {
                match (xi.next(), yi.next()) {
                    (None, None) => return Ordering::Equal,
                    (None, Some(_)) => return Ordering::Less,
                    (Some(_), None) => return Ordering::Greater,
                    (Some((k1, v1)), Some((k2, v2))) => {
                        let o = k1.cmp(k2).then_with(|| order(v1, v2));
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                }
            }
        }
        (Node(x), Node(y)) => x.cmp(y),
        (Rel(x), Rel(y)) => x.cmp(y),
        (List(x), List(y)) => list_order(x, y),
        (Path(x), Path(y)) => {
            let xn: Vec<Value> = x.nodes.iter().map(|n| Node(*n)).collect();
            let yn: Vec<Value> = y.nodes.iter().map(|n| Node(*n)).collect();
            list_order(&xn, &yn).then_with(|| x.rels.cmp(&y.rels))
        }
        (Date(x), Date(y)) => x.total_cmp(y),
        (Temporal(x), Temporal(y)) => temporal::order(x, y),
        (String(x), String(y)) => x.cmp(y),
        (Bool(x), Bool(y)) => x.cmp(y),
        (Int(_) | Float(_), Int(_) | Float(_)) => num_cmp(a, b).unwrap_or(Ordering::Equal),
        _ => Ordering::Equal,
    }
}

fn list_order(x: &[Value], y: &[Value]) -> Ordering {
    for (p, q) in x.iter().zip(y) {
        let o = order(p, q);
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

/// Equivalence for DISTINCT, grouping and `IN`-free deduplication: like `=`
/// but null is the same as null (and NaN as NaN).
pub fn same(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (Null, Null) => true,
        (Float(x), Float(y)) if x.is_nan() && y.is_nan() => true,
        (List(x), List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Map(x), Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2))
        }
        _ => equals(a, b) == Some(true),
    }
}

/// A key for DISTINCT and grouping ([`group_key`], [`row_key`]): bytes,
/// compared and hashed as a whole.
pub type Key = Vec<u8>;

/// Hashes keys a word at a time (the multiply-rotate of rustc's FxHash):
/// keys are short and made by the engine, and SipHash cost more than the
/// rest of a DISTINCT.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

/// FxHash's multiplier.
const K: u64 = 0xf135_7aea_2e62_a9c5;

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        // The length, so that trailing zero bytes change the hash.
        self.0 = (self.0.rotate_left(5) ^ bytes.len() as u64).wrapping_mul(K);
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(5) ^ n as u64).wrapping_mul(K);
    }
}

/// A set of [`Key`]s.
pub type KeySet = std::collections::HashSet<Key, std::hash::BuildHasherDefault<KeyHasher>>;
/// A map from [`Key`]s.
pub type KeyMap<V> = std::collections::HashMap<Key, V, std::hash::BuildHasherDefault<KeyHasher>>;

fn put_len(out: &mut Key, n: usize) {
    out.extend_from_slice(&(n as u64).to_le_bytes());
}

fn put_text(out: &mut Key, tag: u8, text: &str) {
    out.push(tag);
    put_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// Appends `v`'s key to `out`: equal keys for values [`same`] groups
/// together (integers and integral floats alike, so that `1` and `1.0`
/// fall into one group), different keys otherwise. Each value's key says
/// where it ends, so a row's key is its values' keys one after another.
pub fn group_key(v: &Value, out: &mut Key) {
    put_key(v, out, false);
}

/// Appends a key that tells apart every two values an expression could
/// tell apart: unlike [`group_key`], `1` and `1.0`, `0.0` and `-0.0` differ,
/// and temporals are keyed by every field. For DISTINCT's shortcut, which
/// drops a row before its items are evaluated when its inputs were seen.
pub fn exact_key(v: &Value, out: &mut Key) {
    put_key(v, out, true);
}

fn put_key(v: &Value, out: &mut Key, exact: bool) {
    match v {
        Value::Null => out.push(b'N'),
        Value::Bool(b) => out.push(if *b { b'T' } else { b'F' }),
        Value::Int(i) => {
            out.push(b'i');
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Float(f) if exact => {
            out.push(b'x');
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::Float(f) => {
            // A whole float in i64's range equals exactly one integer
            // (`int_float_cmp`): it takes that integer's key.
            if f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(f)
            {
                out.push(b'i');
                out.extend_from_slice(&(*f as i64).to_le_bytes());
            } else if f.is_nan() {
                out.push(b'n');
            } else {
                out.push(b'f');
                out.extend_from_slice(&f.to_bits().to_le_bytes());
            }
        }
        Value::String(s) => put_text(out, b's', s),
        Value::Date(d) if exact => put_text(out, b'D', &format!("{d:?}")),
        Value::Date(d) => put_text(out, b'd', &d.to_string()),
        Value::Temporal(t) if exact => put_text(out, b'M', &format!("{t:?}")),
        Value::Temporal(t) => put_text(out, b't', &format!("{}:{t}", t.function_name())),
        Value::Node(n) => {
            out.push(b'v');
            out.extend_from_slice(&n.0.to_le_bytes());
        }
        Value::Rel(r) => {
            out.push(b'e');
            out.extend_from_slice(&r.0.to_le_bytes());
        }
        Value::Path(p) => {
            out.push(b'p');
            put_len(out, p.nodes.len());
            for n in &p.nodes {
                out.extend_from_slice(&n.0.to_le_bytes());
            }
            put_len(out, p.rels.len());
            for r in &p.rels {
                out.extend_from_slice(&r.0.to_le_bytes());
            }
        }
        Value::List(items) => {
            out.push(b'[');
            put_len(out, items.len());
            for i in items {
                put_key(i, out, exact);
            }
        }
        Value::Map(m) => {
            out.push(b'{');
            put_len(out, m.len());
            for (k, v) in m {
                put_text(out, b'k', k);
                put_key(v, out, exact);
            }
        }
    }
}

/// The key of a whole row (see [`group_key`]).
pub fn row_key(vals: &[Value]) -> Key {
    let mut k = Key::with_capacity(16 * vals.len());
    for v in vals {
        group_key(v, &mut k);
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(v: Vec<Value>) -> Value {
        Value::List(v)
    }

    #[test]
    fn list_equality_is_three_valued() {
        let n = Value::Null;
        assert_eq!(
            equals(&l(vec![1.into(), 2.into()]), &l(vec![1.into()])),
            Some(false)
        );
        assert_eq!(equals(&l(vec![n.clone()]), &l(vec![1.into()])), None);
        assert_eq!(
            equals(&l(vec!["a".into()]), &l(vec![1.into()])),
            Some(false)
        );
        let a = l(vec![l(vec![1.into()]), l(vec![2.into(), 3.into()])]);
        let b = l(vec![l(vec![1.into()]), l(vec![n])]);
        assert_eq!(equals(&a, &b), Some(false));
    }

    #[test]
    fn numbers_compare_across_int_and_float() {
        assert_eq!(equals(&Value::Int(1), &Value::Float(1.0)), Some(true));
        assert_eq!(
            compare(CmpOp::Lt, &Value::Int(1), &Value::Float(2.5)),
            Some(true)
        );
        assert_eq!(compare(CmpOp::Lt, &"1".into(), &Value::Int(1)), None);
        let big = 4611686018427387905i64;
        assert_eq!(
            equals(&Value::Int(big), &Value::Float(big as f64)),
            Some(false)
        );
        let nan = Value::Float(f64::NAN);
        assert_eq!(equals(&nan, &nan), Some(false));
        assert_eq!(compare(CmpOp::Gt, &nan, &Value::Int(1)), Some(false));
        assert_eq!(compare(CmpOp::Gt, &nan, &"a".into()), None);
    }

    #[test]
    fn lists_compare_lexicographically() {
        let v = |x: Vec<Value>| Value::List(x);
        assert_eq!(
            compare(CmpOp::Ge, &v(vec![1.into(), 0.into()]), &v(vec![1.into()])),
            Some(true)
        );
        assert_eq!(
            compare(
                CmpOp::Ge,
                &v(vec![1.into(), Value::Null]),
                &v(vec![1.into()])
            ),
            Some(true)
        );
        assert_eq!(
            compare(
                CmpOp::Ge,
                &v(vec![1.into(), 2.into()]),
                &v(vec![1.into(), Value::Null])
            ),
            None
        );
        assert_eq!(
            compare(
                CmpOp::Ge,
                &v(vec![1.into(), 2.into()]),
                &v(vec![3.into(), Value::Null])
            ),
            Some(false)
        );
    }

    #[test]
    fn global_order_of_types() {
        let mut vals = vec![
            Value::Null,
            Value::Float(f64::NAN),
            Value::Int(2),
            Value::Bool(false),
            "text".into(),
            Value::Date(FDate::year(2023)),
            Value::List(vec!["list".into()]),
            Value::Map(Default::default()),
            Value::Float(1.5),
        ];
        vals.sort_by(order);
        let names: Vec<&str> = vals.iter().map(|v| v.type_name()).collect();
        assert_eq!(
            names,
            [
                "Map", "List", "Date", "String", "Boolean", "Float", "Integer", "Float", "Null"
            ]
        );
    }

    #[test]
    fn same_groups_nulls_and_numbers() {
        assert!(same(&Value::Null, &Value::Null));
        assert!(same(&Value::Int(1), &Value::Float(1.0)));
        let mut a = Key::new();
        let mut b = Key::new();
        group_key(&Value::Int(1), &mut a);
        group_key(&Value::Float(1.0), &mut b);
        assert_eq!(a, b);
    }
}
