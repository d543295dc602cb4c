//! The column of node properties: per node slot, a packed record
//! ([`crate::model::packed`]) in one shared byte buffer. No allocation per
//! node: a node with an integer id and a short name costs its record (about
//! 25 bytes) and its start (8 bytes).
//!
//! A changed record is written anew at the end of the buffer; the old bytes
//! are dead until the buffer is compacted, which happens when more than half
//! of it is dead (so writes cost amortized O(record)).

use std::fmt;

use crate::model::packed::{Item, PropsRef, record_extent, write_record};
use crate::model::{Props, Sym, Value};

/// A slot without properties (vacant, or a node with none).
const EMPTY: u64 = u64::MAX;
/// Compaction waits for at least this many dead bytes.
const COMPACT_MIN: usize = 1 << 20;

#[derive(Clone, Default)]
pub struct NodeColumn {
    /// Per slot, where its record starts in `bytes` (or [`EMPTY`]).
    starts: Vec<u64>,
    bytes: Vec<u8>,
    /// Values a record does not pack (lists, maps, temporals), by slot.
    overflow: Vec<Value>,
    /// Overflow slots free for reuse.
    free: Vec<u32>,
    /// Bytes of `bytes` no record uses any more.
    dead: usize,
}

impl fmt::Debug for NodeColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeColumn")
            .field("slots", &self.starts.len())
            .field("bytes", &self.bytes.len())
            .field("dead", &self.dead)
            .field("overflow", &(self.overflow.len() - self.free.len()))
            .finish()
    }
}

impl NodeColumn {
    /// An empty column with room for `slots` slots and `bytes` bytes of
    /// records (room never touched costs no memory).
    pub fn with_capacity(slots: usize, bytes: usize) -> NodeColumn {
        NodeColumn {
            starts: Vec::with_capacity(slots),
            bytes: Vec::with_capacity(bytes),
            ..NodeColumn::default()
        }
    }

    /// Gives back the room reserved and not used.
    pub fn shrink_to_fit(&mut self) {
        self.starts.shrink_to_fit();
        self.bytes.shrink_to_fit();
    }

    /// The properties of slot `i` (empty beyond the last slot).
    pub fn get(&self, i: usize) -> PropsRef<'_> {
        match self.starts.get(i) {
            Some(&s) if s != EMPTY => PropsRef::Packed {
                record: usize::try_from(s)
                    .ok()
                    .and_then(|s| self.bytes.get(s..))
                    .unwrap_or(&[]),
                overflow: &self.overflow,
            },
            _ => PropsRef::default(),
        }
    }

    /// Sets slot `i`'s properties, growing the column to it.
    pub fn set(&mut self, i: usize, props: &Props) {
        self.set_items(i, props.entries().iter().map(|(k, v)| (*k, Item::from(v))));
    }

    /// Sets slot `i` to these entries (sorted by key text, keys unique).
    pub fn set_items<'v>(
        &mut self,
        i: usize,
        entries: impl ExactSizeIterator<Item = (Sym, Item<'v>)>,
    ) {
        self.release(i);
        if self.starts.len() <= i {
            self.starts.resize(i + 1, EMPTY);
        }
        if entries.len() == 0 {
            self.starts[i] = EMPTY;
            return;
        }
        let start = self.bytes.len() as u64;
        self.write(entries);
        self.starts[i] = start;
        self.maybe_compact();
    }

    /// Sets slot `i`, beyond every slot set so far, to these entries
    /// (sorted by key text, keys unique): filling a new column in slot
    /// order, nothing is released or compacted.
    pub fn push_items(&mut self, i: usize, entries: &[(Sym, Item<'_>)]) {
        if i < self.starts.len() || entries.is_empty() {
            return self.set_items(i, entries.iter().copied());
        }
        self.starts.resize(i, EMPTY);
        self.starts.push(self.bytes.len() as u64);
        self.write(entries.iter().copied());
    }

    /// Appends a record of `entries` to the buffer, its values that do not
    /// pack in overflow slots (free ones first).
    fn write<'v>(&mut self, entries: impl ExactSizeIterator<Item = (Sym, Item<'v>)>) {
        let (overflow, free) = (&mut self.overflow, &mut self.free);
        write_record(&mut self.bytes, entries, |v| match free.pop() {
            Some(s) => {
                if let Some(slot) = overflow.get_mut(s as usize) {
                    *slot = v.clone();
                }
                s
            }
            None => {
                overflow.push(v.clone());
                u32::try_from(overflow.len() - 1).unwrap_or(u32::MAX)
            }
        });
    }

    /// Empties slot `i`; its properties as they were.
    pub fn take(&mut self, i: usize) -> Props {
        let props = self.get(i).to_props();
        self.release(i);
        props
    }

    /// Marks slot `i`'s record dead and frees its overflow slots.
    fn release(&mut self, i: usize) {
        let Some(&s) = self.starts.get(i) else {
            return;
        };
        let Some(rec) = usize::try_from(s).ok().and_then(|s| self.bytes.get(s..)) else {
            return;
        };
        let mut spilled = Vec::new();
        self.dead += record_extent(rec, |slot| spilled.push(slot));
        for slot in spilled {
            if let Some(v) = self.overflow.get_mut(slot as usize) {
                *v = Value::Null;
                self.free.push(slot);
            }
        }
        self.starts[i] = EMPTY;
    }

    fn maybe_compact(&mut self) {
        if self.dead < COMPACT_MIN || self.dead * 2 < self.bytes.len() {
            return;
        }
        let mut bytes = Vec::with_capacity(self.bytes.len() - self.dead);
        for s in &mut self.starts {
            let Some(rec) = usize::try_from(*s).ok().and_then(|x| self.bytes.get(x..)) else {
                continue;
            };
            let n = record_extent(rec, |_| {});
            *s = bytes.len() as u64;
            bytes.extend_from_slice(&rec[..n]);
        }
        self.bytes = bytes;
        self.dead = 0;
    }

    /// Bytes in use, for tests and reports.
    #[cfg(test)]
    fn used(&self) -> usize {
        self.bytes.len() - self.dead
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(i: i64) -> Props {
        let mut p: Props = [
            ("id", Value::Int(i)),
            ("name", Value::from(format!("node {i}"))),
        ]
        .into_iter()
        .collect();
        if i % 3 == 0 {
            p.insert("tags".into(), Value::List(vec![Value::Int(i)]));
        }
        p
    }

    #[test]
    fn random_sets_and_takes_read_back_as_a_plain_vector_of_props_does() {
        // xorshift64*: deterministic, no dependency.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut below = |n: usize| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
        };
        let keys = ["a", "b", "name", "zz"];
        let value = |below: &mut dyn FnMut(usize) -> usize| match below(7) {
            0 => Value::Int(below(1000) as i64 - 500),
            1 => Value::Float(below(100) as f64 / 8.0),
            2 => Value::from("x".repeat(below(40))),
            3 => Value::Bool(below(2) == 0),
            4 => Value::List(vec![Value::Int(below(9) as i64); below(3)]),
            5 => Value::Date(crate::model::FDate::year(1900 + below(200) as i32)),
            _ => Value::Map([("k".to_string(), Value::Int(1))].into_iter().collect()),
        };
        let mut c = NodeColumn::default();
        let mut model: Vec<Props> = vec![Props::new(); 300];
        let (mut compactions, mut len) = (0, 0);
        for step in 0..120_000 {
            let i = below(model.len());
            if below(10) == 0 {
                assert_eq!(c.take(i), std::mem::take(&mut model[i]), "take {i}");
            } else {
                let mut p = Props::new();
                for _ in 0..below(5) {
                    p.insert(keys[below(keys.len())].into(), value(&mut below));
                }
                c.set(i, &p);
                model[i] = p;
            }
            // Only compaction shrinks the buffer.
            if c.bytes.len() < len {
                compactions += 1;
            }
            len = c.bytes.len();
            if step % 10_000 == 0 {
                for (j, want) in model.iter().enumerate() {
                    assert_eq!(c.get(j).to_props(), *want, "slot {j} at step {step}");
                }
            }
        }
        for (j, want) in model.iter().enumerate() {
            assert_eq!(c.get(j).to_props(), *want, "slot {j}");
            assert_eq!(c.get(j).len(), want.len());
        }
        assert!(compactions > 0, "the buffer was compacted: {c:?}");
        let live = model.iter().filter(|p| {
            p.entries()
                .iter()
                .any(|(_, v)| matches!(v, Value::List(_) | Value::Map(_)))
        });
        assert!(c.overflow.len() - c.free.len() >= live.count(), "{c:?}");
        assert!(
            c.overflow.len() <= 300 * 4,
            "overflow slots are reused: {c:?}"
        );
    }

    #[test]
    fn slots_read_back_through_rewrites_and_compaction() {
        let mut c = NodeColumn::default();
        let mut want: Vec<Props> = Vec::new();
        for i in 0..20_000 {
            c.set(i, &props(i as i64));
            want.push(props(i as i64));
        }
        // Rewrite every slot many times: the dead bytes pass the threshold
        // and the buffer is compacted, several times over.
        for round in 1..40i64 {
            for (i, w) in want.iter_mut().enumerate() {
                let p = props(i as i64 * round);
                c.set(i, &p);
                *w = p;
            }
        }
        for (i, w) in want.iter().enumerate() {
            assert_eq!(c.get(i).to_props(), *w, "slot {i}");
        }
        // 40 rounds of ~20 bytes a slot were written: without compaction
        // the buffer would hold them all.
        assert!(c.bytes.len() < 3 * COMPACT_MIN, "compacted: {c:?}");
        assert!(c.dead < COMPACT_MIN || c.used() * 2 >= c.bytes.len());
        assert!(
            c.overflow.len() <= 20_000,
            "overflow slots are reused: {}",
            c.overflow.len()
        );
        assert_eq!(c.take(5), want[5]);
        assert!(c.get(5).is_empty());
        assert!(c.get(1_000_000).is_empty(), "beyond the last slot");
        c.set(29_000, &props(1));
        assert!(c.get(28_999).is_empty(), "a gap of empty slots");
        assert_eq!(c.get(29_000).to_props(), props(1));
        c.set(29_000, &Props::new());
        assert!(c.get(29_000).is_empty());
    }
}
