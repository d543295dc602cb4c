//! Interned symbols: labels, relationship types and property keys
//! ([`Sym`]), and interned lists of labels ([`LabelSet`]).
//!
//! A graph of millions of elements uses a handful of distinct labels, types
//! and keys. Holding each as a heap `String` per element cost a quarter of
//! the store's memory; a symbol is four bytes, compares by number, and reads
//! as its `&'static str` without a lock.
//!
//! Interned text lives for the rest of the process (it is leaked on
//! purpose): the set of distinct names a process ever sees is small, and a
//! symbol must stay valid in every graph, log record and result that holds it.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU32;
use std::ops::Deref;
use std::sync::{Mutex, OnceLock};

/// Segments of the id → value table: segment `k` holds ids `2^k .. 2^(k+1)`,
/// so it never moves once made and reads need no lock.
const SEGMENTS: usize = 32;

/// An append-only interner of `&'static T`, readable without a lock.
struct Table<T: ?Sized + 'static> {
    segments: [OnceLock<Box<[OnceLock<&'static T>]>>; SEGMENTS],
    ids: OnceLock<Mutex<HashMap<&'static T, NonZeroU32>>>,
}

impl<T: ?Sized + Eq + Hash + 'static> Table<T> {
    const fn new() -> Self {
        Table {
            segments: [const { OnceLock::new() }; SEGMENTS],
            ids: OnceLock::new(),
        }
    }

    fn slot(id: NonZeroU32) -> (usize, usize) {
        let n = id.get();
        let k = n.ilog2();
        (k as usize, (n - (1 << k)) as usize)
    }

    fn get(&self, id: NonZeroU32) -> Option<&'static T> {
        let (k, off) = Self::slot(id);
        self.segments[k].get()?.get(off)?.get().copied()
    }

    fn lookup(&self, value: &T) -> Option<NonZeroU32> {
        let ids = self.ids.get()?.lock().unwrap_or_else(|e| e.into_inner());
        ids.get(value).copied()
    }

    fn intern(&self, value: &T, leak: impl FnOnce(&T) -> &'static T) -> NonZeroU32 {
        let mut ids = self
            .ids
            .get_or_init(|| Mutex::new(HashMap::new()))
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(id) = ids.get(value) {
            return *id;
        }
        // Ids start at 1. Four billion distinct names cannot be interned
        // before memory runs out; saturating keeps this free of a panic.
        let n = u32::try_from(ids.len() + 1).unwrap_or(u32::MAX);
        let id = NonZeroU32::new(n).unwrap_or(NonZeroU32::MAX);
        let stored = leak(value);
        let (k, off) = Self::slot(id);
        let seg =
            self.segments[k].get_or_init(|| (0..1usize << k).map(|_| OnceLock::new()).collect());
        if let Some(cell) = seg.get(off) {
            let _ = cell.set(stored);
        }
        ids.insert(stored, id);
        id
    }
}

static SYMS: Table<str> = Table::new();
static LABEL_SETS: Table<[Sym]> = Table::new();

/// An interned name (label, relationship type or property key): `Copy`,
/// four bytes, equal when the text is equal. It reads as its text
/// (`Deref<Target = str>`), compares with strings, and orders by its text,
/// so sorted collections of symbols are sorted by name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sym(NonZeroU32);

impl Sym {
    /// The symbol of `s`, interning it if it is new.
    pub fn new(s: &str) -> Sym {
        Sym(SYMS.intern(s, |s| Box::leak(s.to_owned().into_boxed_str())))
    }
    /// The symbol of `s` if it has been interned; a name never interned is
    /// on no element, so lookups by it can stop here.
    pub fn get(s: &str) -> Option<Sym> {
        SYMS.lookup(s).map(Sym)
    }
    /// The text.
    pub fn as_str(&self) -> &'static str {
        SYMS.get(self.0).unwrap_or("")
    }
    /// A symbol to fill an array with before it is written (no lookup, no
    /// lock, unlike [`Sym::default`]); its text is whatever was interned
    /// first, so it must not be read as a name.
    pub const FILLER: Sym = Sym(NonZeroU32::MIN);
    /// The symbol stored as `id` in this process, if there is one.
    pub fn from_id(id: u32) -> Option<Sym> {
        let id = NonZeroU32::new(id)?;
        SYMS.get(id).map(|_| Sym(id))
    }
    /// The text of the symbol stored as `id`, if there is one: one lookup
    /// where `from_id` and then `as_str` take two (a packed record's keys
    /// are read so, one per key a search steps over).
    pub fn text_of_id(id: u32) -> Option<&'static str> {
        SYMS.get(NonZeroU32::new(id)?)
    }
    /// The number the symbol is stored as in this process (not stable
    /// across processes: files store the text).
    pub fn id(self) -> u32 {
        self.0.get()
    }
}

impl Default for Sym {
    fn default() -> Sym {
        Sym::new("")
    }
}

impl Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}
impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}
/// Hash, equality and order agree with `str`'s, so maps keyed by symbols can
/// be queried with a `&str`.
impl Borrow<str> for Sym {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}
impl Hash for Sym {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}
impl PartialOrd for Sym {
    fn partial_cmp(&self, other: &Sym) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Sym {
    fn cmp(&self, other: &Sym) -> std::cmp::Ordering {
        if self.0 == other.0 {
            std::cmp::Ordering::Equal
        } else {
            self.as_str().cmp(other.as_str())
        }
    }
}
impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl fmt::Debug for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}
impl From<&str> for Sym {
    fn from(s: &str) -> Sym {
        Sym::new(s)
    }
}
impl From<&String> for Sym {
    fn from(s: &String) -> Sym {
        Sym::new(s)
    }
}
impl From<String> for Sym {
    fn from(s: String) -> Sym {
        Sym::new(&s)
    }
}
impl From<Sym> for String {
    fn from(s: Sym) -> String {
        s.as_str().to_string()
    }
}
impl PartialEq<str> for Sym {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
impl PartialEq<&str> for Sym {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
impl PartialEq<String> for Sym {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}
impl PartialEq<Sym> for str {
    fn eq(&self, other: &Sym) -> bool {
        self == other.as_str()
    }
}
impl PartialEq<Sym> for &str {
    fn eq(&self, other: &Sym) -> bool {
        *self == other.as_str()
    }
}
impl PartialEq<Sym> for String {
    fn eq(&self, other: &Sym) -> bool {
        self.as_str() == other.as_str()
    }
}

/// A node's labels, in the order they were added: an interned list of
/// symbols, four bytes per node (graphs use few distinct combinations).
/// Reads as a slice of [`Sym`]; changes make a new set.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LabelSet(NonZeroU32);

impl LabelSet {
    /// The set of these labels, in this order.
    pub fn new(labels: &[Sym]) -> LabelSet {
        LabelSet(LABEL_SETS.intern(labels, |l| Box::leak(l.to_vec().into_boxed_slice())))
    }
    /// The set's number in the intern table.
    pub fn id(self) -> u32 {
        self.0.get()
    }
    /// No labels.
    pub fn empty() -> LabelSet {
        LabelSet::new(&[])
    }
    /// The labels.
    pub fn as_slice(&self) -> &'static [Sym] {
        LABEL_SETS.get(self.0).unwrap_or(&[])
    }
    /// The labels as strings.
    pub fn to_strings(&self) -> Vec<String> {
        self.iter().map(|l| l.as_str().to_owned()).collect()
    }
    /// True if one of the labels is `label`.
    pub fn has(&self, label: &str) -> bool {
        self.iter().any(|l| l == label)
    }
    /// These labels and `label` at the end.
    pub fn with(&self, label: Sym) -> LabelSet {
        let mut v = self.as_slice().to_vec();
        v.push(label);
        LabelSet::new(&v)
    }
    /// These labels with `label` put at `pos` (at the end if beyond it).
    pub fn with_at(&self, pos: usize, label: Sym) -> LabelSet {
        let mut v = self.as_slice().to_vec();
        v.insert(pos.min(v.len()), label);
        LabelSet::new(&v)
    }
    /// These labels without the one at `pos`.
    pub fn without_at(&self, pos: usize) -> LabelSet {
        let mut v = self.as_slice().to_vec();
        if pos < v.len() {
            v.remove(pos);
        }
        LabelSet::new(&v)
    }
    /// These labels without the last one, and that one.
    pub fn popped(&self) -> (LabelSet, Option<Sym>) {
        let s = self.as_slice();
        match s.split_last() {
            Some((last, rest)) => (LabelSet::new(rest), Some(*last)),
            None => (*self, None),
        }
    }
}

impl Default for LabelSet {
    fn default() -> LabelSet {
        LabelSet::empty()
    }
}
impl Deref for LabelSet {
    type Target = [Sym];
    fn deref(&self) -> &[Sym] {
        self.as_slice()
    }
}
impl fmt::Debug for LabelSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
impl IntoIterator for &LabelSet {
    type Item = &'static Sym;
    type IntoIter = std::slice::Iter<'static, Sym>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}
impl<S: Into<Sym>> FromIterator<S> for LabelSet {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> LabelSet {
        let v: Vec<Sym> = iter.into_iter().map(Into::into).collect();
        LabelSet::new(&v)
    }
}
impl From<Vec<String>> for LabelSet {
    fn from(v: Vec<String>) -> LabelSet {
        v.into_iter().collect()
    }
}
impl<const N: usize> PartialEq<[&str; N]> for LabelSet {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.as_slice().len() == N && self.iter().zip(other).all(|(a, b)| a == b)
    }
}
impl<const N: usize> PartialEq<[String; N]> for LabelSet {
    fn eq(&self, other: &[String; N]) -> bool {
        self.as_slice().len() == N && self.iter().zip(other).all(|(a, b)| a == b)
    }
}
impl PartialEq<Vec<&str>> for LabelSet {
    fn eq(&self, other: &Vec<&str>) -> bool {
        self.as_slice().len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b)
    }
}
impl PartialEq<[String]> for LabelSet {
    fn eq(&self, other: &[String]) -> bool {
        self.as_slice().len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_interned_and_read_back() {
        let a = Sym::new("MEMBER_OF");
        let b = Sym::from(String::from("MEMBER_OF"));
        assert_eq!(a, b);
        assert_eq!(a.id(), b.id());
        assert_eq!(a, "MEMBER_OF");
        assert_eq!(&*a, "MEMBER_OF");
        assert_ne!(a, Sym::new("MEMBER"));
        assert_eq!(Sym::get("MEMBER_OF"), Some(a));
        assert_eq!(Sym::get("never interned anywhere 9f2c"), None);
        assert!(Sym::new("a") < Sym::new("b"), "ordered by text");
        assert_eq!(format!("{a} {a:?}"), "MEMBER_OF \"MEMBER_OF\"");
        let many: Vec<Sym> = (0..5000).map(|i| Sym::new(&format!("k{i}"))).collect();
        for (i, s) in many.iter().enumerate() {
            assert_eq!(s.as_str(), format!("k{i}"));
        }
    }

    #[test]
    fn label_sets_are_interned_lists() {
        let p = LabelSet::new(&[Sym::new("Person")]);
        let pk = p.with(Sym::new("K0"));
        assert_eq!(pk, ["Person", "K0"]);
        assert_eq!(pk.popped(), (p, Some(Sym::new("K0"))));
        assert_eq!(pk.without_at(0), ["K0"]);
        assert_eq!(p.with_at(0, Sym::new("A")), ["A", "Person"]);
        assert_eq!(LabelSet::empty().len(), 0);
        assert_eq!(pk.join(":"), "Person:K0");
        assert_eq!(std::mem::size_of::<Option<LabelSet>>(), 4);
        assert_eq!(std::mem::size_of::<Option<Sym>>(), 4);
    }
}
