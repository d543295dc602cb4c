//! Packed property records: a node's properties as a few bytes in one
//! shared buffer instead of a [`Props`] allocation (and one more per
//! string). A million nodes with an integer id and a short name take about
//! 25 MB this way, against about 140 MB as `Props`.
//!
//! A record is `varint(n)` then `n` entries in key order, each
//! `varint(key symbol) tag payload`:
//!
//! | tag | value | payload |
//! |---|---|---|
//! | 0 | null | none |
//! | 1, 2 | false, true | none |
//! | 3 | integer | zigzag varint |
//! | 4 | float | 8 bytes, little-endian bits |
//! | 5 | string | `varint(len)` and the UTF-8 bytes |
//! | 6 | date | year (4 bytes LE), month, day, precision, approx |
//! | 7 | anything else (lists, maps, temporals) | `varint(i)`: slot `i` of the overflow |
//!
//! Keys are this process's symbol numbers ([`Sym::id`]), so records live in
//! memory only; the store file has its own encoding (`store/v2.rs`), which
//! names keys by its symbol table. Records are written only by this module,
//! from values, so reading one cannot meet bad bytes unless the writer had a
//! bug; the reader still never panics (a short record reads as fewer
//! properties).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use super::date::{FDate, Precision};
use super::sym::Sym;
use super::value::{Props, Value};

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const FLOAT: u8 = 4;
const STR: u8 = 5;
const DATE: u8 = 6;
const OTHER: u8 = 7;

/// A value as a record holds it: scalars by value, strings borrowed, the
/// rest (lists, maps, temporals) borrowed as values, kept in the overflow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Date(FDate),
    Other(&'a Value),
}

impl<'a> From<&'a Value> for Item<'a> {
    fn from(v: &'a Value) -> Item<'a> {
        match v {
            Value::Null => Item::Null,
            Value::Bool(b) => Item::Bool(*b),
            Value::Int(i) => Item::Int(*i),
            Value::Float(f) => Item::Float(*f),
            Value::String(s) => Item::Str(s),
            Value::Date(d) => Item::Date(*d),
            other => Item::Other(other),
        }
    }
}

fn put_varint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// Appends a record of `entries` (sorted by key text, keys unique) to
/// `out`; a value that is not a scalar goes to the overflow through
/// `spill`, which returns its slot.
pub fn write_record<'v>(
    out: &mut Vec<u8>,
    entries: impl ExactSizeIterator<Item = (Sym, Item<'v>)>,
    mut spill: impl FnMut(&Value) -> u32,
) {
    put_varint(out, entries.len() as u64);
    for (k, item) in entries {
        put_varint(out, u64::from(k.id()));
        match item {
            Item::Null => out.push(NULL),
            Item::Bool(false) => out.push(FALSE),
            Item::Bool(true) => out.push(TRUE),
            Item::Int(i) => {
                out.push(INT);
                put_varint(out, ((i << 1) ^ (i >> 63)) as u64);
            }
            Item::Float(f) => {
                out.push(FLOAT);
                out.extend_from_slice(&f.to_bits().to_le_bytes());
            }
            Item::Str(s) => {
                out.push(STR);
                put_varint(out, s.len() as u64);
                out.extend_from_slice(s.as_bytes());
            }
            Item::Date(d) => {
                out.push(DATE);
                out.extend_from_slice(&d.year.to_le_bytes());
                let p = match d.precision {
                    Precision::Year => 0,
                    Precision::Month => 1,
                    Precision::Day => 2,
                };
                out.extend_from_slice(&[d.month, d.day, p, u8::from(d.approx)]);
            }
            Item::Other(v) => {
                out.push(OTHER);
                put_varint(out, u64::from(spill(v)));
            }
        }
    }
}

/// Reads records from their first byte on.
#[derive(Clone)]
pub struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

/// An entry's value as the record holds it.
enum Raw<'a> {
    Item(Item<'a>),
    /// A value kept in the overflow, by its slot.
    Spilled(u32),
}

impl<'a> Raw<'a> {
    /// The item, a spilled value looked up in `overflow` (null if the slot
    /// is missing, which only a writer's bug could cause).
    fn resolve(self, overflow: &'a [Value]) -> Item<'a> {
        match self {
            Raw::Item(item) => item,
            Raw::Spilled(i) => overflow.get(i as usize).map_or(Item::Null, Item::Other),
        }
    }
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let x = *self.b.get(self.at)?;
        self.at += 1;
        Some(x)
    }
    fn varint(&mut self) -> Option<u64> {
        let mut x = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            x |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(x);
            }
        }
        None
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    /// One entry's key and value.
    fn entry(&mut self) -> Option<(Sym, Raw<'a>)> {
        let key = Sym::from_id(u32::try_from(self.varint()?).ok()?)?;
        Some((key, self.value()?))
    }
    /// Steps over an entry's value without reading it.
    fn skip_value(&mut self) -> Option<()> {
        match self.byte()? {
            NULL | FALSE | TRUE => {}
            INT | OTHER => {
                self.varint()?;
            }
            FLOAT | DATE => {
                self.take(8)?;
            }
            STR => {
                let n = usize::try_from(self.varint()?).ok()?;
                self.take(n)?;
            }
            _ => return None,
        }
        Some(())
    }
    /// An entry's value, after its key.
    fn value(&mut self) -> Option<Raw<'a>> {
        let item = match self.byte()? {
            NULL => Item::Null,
            FALSE => Item::Bool(false),
            TRUE => Item::Bool(true),
            INT => {
                let z = self.varint()?;
                Item::Int(((z >> 1) as i64) ^ -((z & 1) as i64))
            }
            FLOAT => {
                let w = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(w);
                Item::Float(f64::from_bits(u64::from_le_bytes(a)))
            }
            STR => {
                let n = usize::try_from(self.varint()?).ok()?;
                Item::Str(std::str::from_utf8(self.take(n)?).ok()?)
            }
            DATE => {
                let w = self.take(8)?;
                let precision = match w[6] {
                    0 => Precision::Year,
                    1 => Precision::Month,
                    _ => Precision::Day,
                };
                Item::Date(FDate {
                    year: i32::from_le_bytes([w[0], w[1], w[2], w[3]]),
                    month: w[4],
                    day: w[5],
                    precision,
                    approx: w[7] != 0,
                })
            }
            OTHER => {
                let slot = u32::try_from(self.varint()?).ok()?;
                return Some(Raw::Spilled(slot));
            }
            _ => return None,
        };
        Some(Raw::Item(item))
    }
}

/// A reader at the value of `key` in a packed record (the values before
/// it stepped over, not read), or None when the record has no `key`.
fn value_of<'a>(record: &'a [u8], key: &str) -> Option<Reader<'a>> {
    let mut r = Reader { b: record, at: 0 };
    for _ in 0..r.varint()? {
        let k = Sym::text_of_id(u32::try_from(r.varint()?).ok()?)?;
        if k == key {
            return Some(r);
        }
        r.skip_value()?;
    }
    None
}

/// The overflow slots a record refers to (to free them when it is
/// replaced), and its length in bytes.
pub fn record_extent(b: &[u8], mut slot: impl FnMut(u32)) -> usize {
    let mut r = Reader { b, at: 0 };
    let n = r.varint().unwrap_or(0);
    for _ in 0..n {
        match r.entry() {
            Some((_, Raw::Spilled(s))) => slot(s),
            Some(_) => {}
            None => break,
        }
    }
    r.at
}

impl<'a> Item<'a> {
    /// The value: borrowed where it is stored as a value, built otherwise
    /// (a string is copied).
    pub fn to_value(self) -> Cow<'a, Value> {
        Cow::Owned(match self {
            Item::Other(v) => return Cow::Borrowed(v),
            Item::Null => Value::Null,
            Item::Bool(b) => Value::Bool(b),
            Item::Int(i) => Value::Int(i),
            Item::Float(f) => Value::Float(f),
            Item::Str(s) => Value::String(s.to_owned()),
            Item::Date(d) => Value::Date(d),
        })
    }
}

/// The properties of an element, borrowed from the graph: a [`Props`]
/// (relationships, values built by queries) or a packed record (the node
/// column). Reads hand out values as `Cow`s: borrowed where the value is
/// stored as one, built where it is packed (a packed string is copied;
/// [`PropsRef::get_str`] and [`PropsRef::items`] do not copy).
#[derive(Clone, Copy)]
pub enum PropsRef<'a> {
    Props(&'a Props),
    Packed {
        record: &'a [u8],
        overflow: &'a [Value],
    },
}

static NO_PROPS: Props = Props::new();

impl Default for PropsRef<'_> {
    fn default() -> Self {
        PropsRef::Props(&NO_PROPS)
    }
}

impl<'a> From<&'a Props> for PropsRef<'a> {
    fn from(p: &'a Props) -> PropsRef<'a> {
        PropsRef::Props(p)
    }
}

impl<'a> PropsRef<'a> {
    /// (key, value) in key order.
    pub fn iter(&self) -> PropsRefIter<'a> {
        match *self {
            PropsRef::Props(p) => PropsRefIter::Props(p.entries().iter()),
            PropsRef::Packed { .. } => PropsRefIter::Packed(self.items()),
        }
    }
    /// (key, value as held) in key order: strings borrowed, no copies.
    pub fn items(&self) -> Items<'a> {
        match *self {
            PropsRef::Props(p) => Items::Props(p.entries().iter()),
            PropsRef::Packed { record, overflow } => {
                let mut r = Reader { b: record, at: 0 };
                let left = r.varint().unwrap_or(0);
                Items::Packed { r, left, overflow }
            }
        }
    }
    pub fn len(&self) -> usize {
        match *self {
            PropsRef::Props(p) => p.len(),
            PropsRef::Packed { .. } => self.items().count(),
        }
    }
    pub fn is_empty(&self) -> bool {
        match *self {
            PropsRef::Props(p) => p.is_empty(),
            PropsRef::Packed { record, .. } => record.first().is_none_or(|&n| n == 0),
        }
    }
    pub fn get(&self, key: &str) -> Option<Cow<'a, Value>> {
        match *self {
            PropsRef::Props(p) => p.get(key).map(Cow::Borrowed),
            PropsRef::Packed { .. } => self.get_item(key).map(Item::to_value),
        }
    }
    /// A property as the record holds it (a string without a copy). A
    /// packed record is searched by key alone: the values before the one
    /// asked for are stepped over, not read.
    pub fn get_item(&self, key: &str) -> Option<Item<'a>> {
        match *self {
            PropsRef::Props(p) => p.get(key).map(Item::from),
            PropsRef::Packed { record, overflow } => {
                Some(value_of(record, key)?.value()?.resolve(overflow))
            }
        }
    }
    /// A string property's text, without a copy.
    pub fn get_str(&self, key: &str) -> Option<&'a str> {
        match self.get_item(key)? {
            Item::Str(s) => Some(s),
            _ => None,
        }
    }
    /// Whether the property `key` is the string `want`: [`PropsRef::get_str`]
    /// `== Some(want)`, comparing a packed record's bytes as they are (the
    /// name index checks its candidates so, once a lookup).
    pub fn str_is(&self, key: &str, want: &str) -> bool {
        match *self {
            PropsRef::Props(_) => self.get_str(key) == Some(want),
            PropsRef::Packed { record, .. } => value_of(record, key)
                .and_then(|mut r| match r.byte()? {
                    STR => {
                        let n = usize::try_from(r.varint()?).ok()?;
                        r.take(n)
                    }
                    _ => None,
                })
                .is_some_and(|b| b == want.as_bytes()),
        }
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.get_item(key).is_some()
    }
    pub fn keys(&self) -> impl Iterator<Item = Sym> + use<'a> {
        self.items().map(|(k, _)| k)
    }
    pub fn values(&self) -> impl Iterator<Item = Cow<'a, Value>> + use<'a> {
        self.iter().map(|(_, v)| v)
    }
    /// An owned copy.
    pub fn to_props(&self) -> Props {
        match *self {
            PropsRef::Props(p) => p.clone(),
            PropsRef::Packed { .. } => {
                // Already sorted and unique.
                Props::from_sorted(self.iter().map(|(k, v)| (k, v.into_owned())).collect())
                    .unwrap_or_default()
            }
        }
    }
    /// The properties as a Cypher map value's map.
    pub fn to_map(&self) -> BTreeMap<String, Value> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.into_owned()))
            .collect()
    }
}

impl PartialEq for PropsRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}
impl PartialEq<Props> for PropsRef<'_> {
    fn eq(&self, other: &Props) -> bool {
        self.iter()
            .eq(other.iter().map(|(k, v)| (*k, Cow::Borrowed(v))))
    }
}
impl fmt::Debug for PropsRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Iterator over a [`PropsRef`]'s `(key, value as held)` in key order.
#[derive(Clone)]
pub enum Items<'a> {
    Props(std::slice::Iter<'a, (Sym, Value)>),
    Packed {
        r: Reader<'a>,
        left: u64,
        overflow: &'a [Value],
    },
}

impl<'a> Iterator for Items<'a> {
    type Item = (Sym, Item<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Items::Props(it) => it.next().map(|(k, v)| (*k, Item::from(v))),
            Items::Packed { r, left, overflow } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                let Some((k, raw)) = r.entry() else {
                    *left = 0;
                    return None;
                };
                Some((k, raw.resolve(overflow)))
            }
        }
    }
}

/// Iterator over a [`PropsRef`]'s `(key, value)` in key order.
#[derive(Clone)]
pub enum PropsRefIter<'a> {
    Props(std::slice::Iter<'a, (Sym, Value)>),
    Packed(Items<'a>),
}

impl<'a> Iterator for PropsRefIter<'a> {
    type Item = (Sym, Cow<'a, Value>);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            PropsRefIter::Props(it) => it.next().map(|(k, v)| (*k, Cow::Borrowed(v))),
            PropsRefIter::Packed(it) => it.next().map(|(k, item)| (k, item.to_value())),
        }
    }
}

impl<'a> IntoIterator for PropsRef<'a> {
    type Item = (Sym, Cow<'a, Value>);
    type IntoIter = PropsRefIter<'a>;
    fn into_iter(self) -> PropsRefIter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::temporal::Kind;

    fn pack(p: &Props) -> (Vec<u8>, Vec<Value>) {
        let mut out = Vec::new();
        let mut overflow = Vec::new();
        write_record(
            &mut out,
            p.entries().iter().map(|(k, v)| (*k, Item::from(v))),
            |v| {
                overflow.push(v.clone());
                overflow.len() as u32 - 1
            },
        );
        (out, overflow)
    }

    #[test]
    fn a_packed_record_reads_back_as_the_props_it_was_made_from() {
        let date = FDate::month(1994, 6)
            .map(Value::Date)
            .unwrap_or(Value::Null);
        let mut approx = FDate::year(-44);
        approx.approx = true;
        let t = crate::model::temporal::parse(Kind::LocalTime, "12:30");
        let p: Props = [
            ("name", Value::from("Minsk – Мінск")),
            ("id", Value::Int(160_200)),
            ("neg", Value::Int(i64::MIN)),
            ("max", Value::Int(i64::MAX)),
            ("f", Value::Float(-0.5)),
            ("yes", Value::Bool(true)),
            ("no", Value::Bool(false)),
            ("d", date),
            ("old", Value::Date(approx)),
            ("aliases", Value::List(vec!["a".into(), Value::Int(2)])),
            ("empty", Value::from("")),
            ("t", t.unwrap_or(Value::Null)),
        ]
        .into_iter()
        .collect();
        let (bytes, overflow) = pack(&p);
        let r = PropsRef::Packed {
            record: &bytes,
            overflow: &overflow,
        };
        assert_eq!(r.to_props(), p);
        assert_eq!(r, p);
        assert_eq!(r.len(), p.len());
        assert!(!r.is_empty());
        for (k, v) in p.iter() {
            assert_eq!(r.get(k).as_deref(), Some(v), "{k}");
            assert!(r.contains_key(k));
        }
        assert_eq!(r.get("missing"), None);
        assert_eq!(r.get_str("name"), Some("Minsk – Мінск"));
        assert_eq!(r.get_str("id"), None, "not a string");
        assert!(matches!(r.get("aliases"), Some(Cow::Borrowed(_))));
        assert_eq!(format!("{r:?}"), format!("{p:?}"));
        assert_eq!(
            record_extent(&bytes, |_| {}),
            bytes.len(),
            "the extent is the whole record"
        );
        let mut slots = Vec::new();
        record_extent(&bytes, |s| slots.push(s));
        assert_eq!(slots.len(), 2, "the list and the time spilled");
    }

    #[test]
    fn an_empty_record_is_empty_and_a_cut_one_reads_what_it_holds() {
        let (bytes, overflow) = pack(&Props::new());
        let r = PropsRef::Packed {
            record: &bytes,
            overflow: &overflow,
        };
        assert!(r.is_empty());
        assert_eq!(r.len(), 0);
        let p: Props = [("a", Value::Int(1)), ("b", Value::from("xyz"))]
            .into_iter()
            .collect();
        let (bytes, overflow) = pack(&p);
        let cut = PropsRef::Packed {
            record: &bytes[..bytes.len() - 1],
            overflow: &overflow,
        };
        assert_eq!(cut.len(), 1);
        assert_eq!(cut.get("b"), None);
        assert_eq!(PropsRef::default().len(), 0);
    }
}
