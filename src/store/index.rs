//! The graph's compact indexes: names (folded name → nodes) and labels
//! (label → set of nodes).
//!
//! At a million nodes the old `HashMap<String, BTreeSet<NodeId>>` and
//! `BTreeMap<String, BTreeSet<NodeId>>` cost hundreds of bytes a node and a
//! fold plus SipHash per name at every open. The name index here is an
//! open-addressed table of 8-byte slots (hash of the folded name, node),
//! which a store file can hold as it is in memory ([`super::persist`]);
//! lookups verify candidates against the nodes' names, so a hash collision
//! (or a hostile file) never yields a wrong node.

use crate::model::NodeId;

/// A vacant slot.
const EMPTY: u64 = u64::MAX;
/// A slot whose entry was removed (probing goes on past it).
const TOMB: u64 = u64::MAX - 1;

/// The 32-bit hash of a folded name. FNV-1a: fixed forever, because store
/// files hold tables laid out by it.
pub fn name_hash(folded: &str) -> u32 {
    fnv(|push| folded.bytes().for_each(push))
}

/// [`name_hash`] of `fold(name)`; an ASCII name is folded byte by byte
/// into the hash, without a string (a name lookup does this every run).
pub fn folded_name_hash(name: &str) -> u32 {
    if !name.is_ascii() {
        return name_hash(&crate::model::names::fold(name));
    }
    fnv(|push| crate::model::names::fold_ascii_bytes(name, push))
}

/// The FNV-1a hash, folded to 32 bits, of the bytes `feed` pushes.
fn fnv(feed: impl FnOnce(&mut dyn FnMut(u8))) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    feed(&mut |b| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    });
    (h ^ (h >> 32)) as u32
}

/// Folded name → nodes, as a multi-map from name hashes to node ids.
/// A node with a name and aliases has one entry per name.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    /// `hash << 32 | node`, or `EMPTY` / `TOMB`; the length is a power of two.
    slots: Vec<u64>,
    len: usize,
    tombs: usize,
}

impl NameIndex {
    /// Whether a raw slot ([`NameIndex::slots`]) holds no entry.
    pub fn is_vacant(slot: u64) -> bool {
        slot == EMPTY || slot == TOMB
    }

    /// The vacant slot, as [`NameIndex::slots`] holds it.
    pub const VACANT: u64 = EMPTY;

    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    fn home(&self, hash: u32) -> usize {
        // Fibonacci hashing: the top bits of the product spread neighbouring
        // hashes; a table of 2^k slots takes k of them.
        let bits = self.slots.len().trailing_zeros();
        if bits == 0 {
            return 0;
        }
        ((u64::from(hash).wrapping_mul(0x9E37_79B9_7F4A_7C15)) >> (64 - bits)) as usize
    }

    /// Entries (names and aliases of nodes).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds an entry for a name (already folded) of `node`.
    pub fn insert(&mut self, folded: &str, node: NodeId) {
        self.insert_hash(name_hash(folded), node);
    }

    fn insert_hash(&mut self, hash: u32, node: NodeId) {
        if (self.len + self.tombs + 1) * 8 > self.slots.len() * 7 {
            self.grow();
        }
        let entry = (u64::from(hash) << 32) | u64::from(node.0);
        let mask = self.mask();
        let mut i = self.home(hash);
        // The load factor keeps vacant slots, so this ends; the bound is
        // belt and braces.
        for _ in 0..self.slots.len() {
            let s = self.slots[i];
            if s == EMPTY || s == TOMB {
                if s == TOMB {
                    self.tombs -= 1;
                }
                self.slots[i] = entry;
                self.len += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let want = ((self.len + 1) * 2).next_power_of_two().max(16);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; want]);
        self.len = 0;
        self.tombs = 0;
        for s in old {
            if s != EMPTY && s != TOMB {
                self.insert_hash((s >> 32) as u32, NodeId(s as u32));
            }
        }
    }

    /// Removes one entry for a name (already folded) of `node`.
    pub fn remove(&mut self, folded: &str, node: NodeId) {
        if self.slots.is_empty() {
            return;
        }
        let hash = name_hash(folded);
        let entry = (u64::from(hash) << 32) | u64::from(node.0);
        let mask = self.mask();
        let mut i = self.home(hash);
        for _ in 0..self.slots.len() {
            let s = self.slots[i];
            if s == EMPTY {
                return;
            }
            if s == entry {
                self.slots[i] = TOMB;
                self.len -= 1;
                self.tombs += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Nodes that may have a name folding to `folded` (hash matches; the
    /// caller checks), possibly repeated.
    pub fn candidates(&self, folded: &str) -> Vec<NodeId> {
        self.candidates_of_hash(name_hash(folded))
    }

    /// The nodes with an entry of this [`name_hash`].
    pub fn candidates_of_hash(&self, hash: u32) -> Vec<NodeId> {
        // Room for the usual one or two at once: a lookup per statement
        // would otherwise grow the vector from nothing.
        let mut out = Vec::with_capacity(2);
        if self.slots.is_empty() {
            return out;
        }
        let mask = self.mask();
        let mut i = self.home(hash);
        for _ in 0..self.slots.len() {
            let s = self.slots[i];
            if s == EMPTY {
                break;
            }
            if s != TOMB && (s >> 32) as u32 == hash {
                out.push(NodeId(s as u32));
            }
            i = (i + 1) & mask;
        }
        out
    }

    /// The entries, sorted: equal for two indexes of the same names, however
    /// they were built.
    pub fn canonical(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self
            .slots
            .iter()
            .copied()
            .filter(|&s| s != EMPTY && s != TOMB)
            .collect();
        v.sort_unstable();
        v
    }

    /// The same entries in a table laid out afresh: inserted in sorted
    /// order into a table sized by their number, so equal sets of names
    /// give equal slots.
    pub fn rebuilt(&self) -> NameIndex {
        let entries = self.canonical();
        let mut t = NameIndex::default();
        if entries.is_empty() {
            return t;
        }
        t.slots = vec![EMPTY; ((entries.len() + 1) * 2).next_power_of_two().max(16)];
        for s in entries {
            t.insert_hash((s >> 32) as u32, NodeId(s as u32));
        }
        t
    }

    /// The raw slots, for the store file.
    pub fn slots(&self) -> &[u64] {
        &self.slots
    }

    /// An index from raw slots read from a store file. Refuses a length that
    /// is not a power of two or a table without a vacant slot (probing would
    /// never end); entries naming nodes that do not exist are harmless
    /// (lookups check candidates).
    pub fn from_slots(slots: Vec<u64>) -> Result<NameIndex, String> {
        if slots.is_empty() {
            return Ok(NameIndex::default());
        }
        if !slots.len().is_power_of_two() {
            return Err(format!(
                "the name index has {} slots, not a power of two",
                slots.len()
            ));
        }
        let (mut len, mut tombs) = (0, 0);
        for &s in &slots {
            match s {
                EMPTY => {}
                TOMB => tombs += 1,
                _ => len += 1,
            }
        }
        if (len + tombs) * 8 > slots.len() * 7 {
            return Err("the name index is too full".into());
        }
        Ok(NameIndex { slots, len, tombs })
    }
}

/// A set of node ids, iterated in ascending order: a sorted vector while
/// small, a bitmap over all node slots once that is smaller.
#[derive(Debug, Clone)]
pub enum IdSet {
    Sorted(Vec<u32>),
    Bits { words: Vec<u64>, len: usize },
}

impl Default for IdSet {
    fn default() -> IdSet {
        IdSet::Sorted(Vec::new())
    }
}

impl IdSet {
    pub fn len(&self) -> usize {
        match self {
            IdSet::Sorted(v) => v.len(),
            IdSet::Bits { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, id: NodeId) -> bool {
        match self {
            IdSet::Sorted(v) => v.binary_search(&id.0).is_ok(),
            IdSet::Bits { words, .. } => words
                .get(id.0 as usize / 64)
                .is_some_and(|w| w & (1 << (id.0 % 64)) != 0),
        }
    }

    /// Adds `id`; true if it was not there.
    pub fn insert(&mut self, id: NodeId) -> bool {
        match self {
            IdSet::Sorted(v) => {
                // Creates mostly append: the new id is the largest.
                if v.last().is_none_or(|&l| l < id.0) {
                    v.push(id.0);
                } else {
                    match v.binary_search(&id.0) {
                        Ok(_) => return false,
                        Err(i) => v.insert(i, id.0),
                    }
                }
                // A bitmap of the id range costs 1/8 byte a slot, the vector
                // 4 bytes an id: switch when the bitmap is smaller.
                let span = v.last().map_or(0, |&l| l as usize + 1);
                if v.len() >= 1024 && v.len() * 32 > span {
                    let mut words = vec![0u64; span.div_ceil(64)];
                    for &x in v.iter() {
                        words[x as usize / 64] |= 1 << (x % 64);
                    }
                    *self = IdSet::Bits {
                        words,
                        len: v.len(),
                    };
                }
                true
            }
            IdSet::Bits { words, len } => {
                let w = id.0 as usize / 64;
                if w >= words.len() {
                    words.resize(w + 1, 0);
                }
                let bit = 1 << (id.0 % 64);
                if words[w] & bit != 0 {
                    return false;
                }
                words[w] |= bit;
                *len += 1;
                true
            }
        }
    }

    /// Removes `id`; true if it was there.
    pub fn remove(&mut self, id: NodeId) -> bool {
        match self {
            IdSet::Sorted(v) => match v.binary_search(&id.0) {
                Ok(i) => {
                    v.remove(i);
                    true
                }
                Err(_) => false,
            },
            IdSet::Bits { words, len } => {
                let w = id.0 as usize / 64;
                let bit = 1 << (id.0 % 64);
                match words.get_mut(w) {
                    Some(x) if *x & bit != 0 => {
                        *x &= !bit;
                        *len -= 1;
                        if *len < words.len() {
                            // Far sparser than where it became a bitmap:
                            // back to a vector.
                            let v: Vec<u32> = bits_iter(words).collect();
                            *self = IdSet::Sorted(v);
                        }
                        true
                    }
                    _ => false,
                }
            }
        }
    }

    /// The ids in ascending order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = NodeId> + '_> {
        match self {
            IdSet::Sorted(v) => Box::new(v.iter().map(|&x| NodeId(x))),
            IdSet::Bits { words, .. } => Box::new(bits_iter(words).map(NodeId)),
        }
    }

    /// The ids as a sorted vector.
    pub fn to_vec(&self) -> Vec<u32> {
        match self {
            IdSet::Sorted(v) => v.clone(),
            IdSet::Bits { words, .. } => bits_iter(words).collect(),
        }
    }
}

fn bits_iter(words: &[u64]) -> impl Iterator<Item = u32> + '_ {
    words.iter().enumerate().flat_map(|(i, &w)| {
        let mut w = w;
        std::iter::from_fn(move || {
            if w == 0 {
                return None;
            }
            let b = w.trailing_zeros();
            w &= w - 1;
            Some(i as u32 * 64 + b)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_hash_is_fnv1a_folded_to_32_bits_as_store_files_hold_it() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c and of "foobar"
        // 0x85944171f73967e8 (the published test vectors), each folded as
        // high ^ low.
        assert_eq!(name_hash("a"), 0xaf63_dc4c ^ 0x8601_ec8c);
        assert_eq!(name_hash("foobar"), 0x8594_4171 ^ 0xf739_67e8);
        assert_eq!(name_hash(""), 0xcbf2_9ce4 ^ 0x8422_2325);
        // The ASCII path folds into the hash as `fold` would.
        assert_eq!(folded_name_hash("  FOO\tbar "), name_hash("foo bar"));
        assert_eq!(
            folded_name_hash("Kelfar Kaloros"),
            name_hash("kelfar kaloros")
        );
        assert_eq!(
            folded_name_hash("Łódź"),
            name_hash(&crate::model::names::fold("Łódź"))
        );
    }

    #[test]
    fn name_index_is_a_multimap_that_survives_removals() {
        let mut ix = NameIndex::default();
        for i in 0..10_000u32 {
            ix.insert(&format!("n{}", i % 5000), NodeId(i));
        }
        assert_eq!(ix.len(), 10_000);
        let mut c = ix.candidates("n7");
        c.sort();
        assert!(c.contains(&NodeId(7)) && c.contains(&NodeId(5007)));
        for i in 0..5000u32 {
            ix.remove(&format!("n{i}"), NodeId(i));
        }
        assert_eq!(ix.candidates("n7"), vec![NodeId(5007)]);
        assert!(ix.candidates("missing").is_empty());
        let again = NameIndex::from_slots(ix.slots().to_vec()).unwrap();
        assert_eq!(again.canonical(), ix.canonical());
        assert!(NameIndex::from_slots(vec![EMPTY; 3]).is_err());
        assert!(NameIndex::from_slots(vec![5; 4]).is_err(), "no vacant slot");
    }

    #[test]
    fn id_sets_switch_representation_and_stay_ordered() {
        let mut s = IdSet::default();
        for i in (0..5000u32).rev() {
            assert!(s.insert(NodeId(i * 2)));
        }
        assert!(matches!(s, IdSet::Bits { .. }));
        assert!(!s.insert(NodeId(4)));
        assert!(s.contains(NodeId(4)) && !s.contains(NodeId(5)));
        let v: Vec<u32> = s.iter().map(|n| n.0).collect();
        assert_eq!(v, (0..5000).map(|i| i * 2).collect::<Vec<_>>());
        for i in 0..4990u32 {
            assert!(s.remove(NodeId(i * 2)));
        }
        assert!(matches!(s, IdSet::Sorted(_)));
        assert_eq!(s.len(), 10);
        assert_eq!(s.iter().next(), Some(NodeId(9980)));
    }
}
