//! Store file formats 2 to 5: columnar, made to open fast. Format 3 is
//! format 2 after 16 bytes that say where the relationship section starts
//! and ends ([`cuts`]), so that it is decoded on a second thread while the
//! node properties are ([`decode_v3`]); format-2 files decode in one pass.
//! Format 4 is format 3 whose last section also holds the definitions of
//! the property indexes (this module passes that section through as bytes).
//! Format 5 is format 4 with its numbers in fewer bytes (half the file at
//! 1M nodes: 58 MB instead of 122), which is what a bulk load and every
//! checkpoint write:
//!
//! * every u32 count, length and table position (a symbol, a label set, a
//!   property key, a relationship slot) is LEB128 (one byte below 128), and
//!   an integer value is LEB128 of its zigzag (small magnitudes small);
//! * the relationship section says, after its slot count, how many bytes
//!   (1 to 4) a node id and a type take; a slot is then its type + 1 in
//!   that many bytes (0: a hole, and nothing follows), its start node in
//!   that many, and LEB128 of the zigzag of its end node minus the end
//!   node of the live slot before (a bulk load orders relationships by end
//!   node, so that is mostly 0). Fixed widths are read without a branch
//!   per byte: the relationships are the half of the decoding that
//!   decides how long an open takes;
//! * the name index is its slot count, its entry count, and per entry the
//!   vacant slots before it, the hash (u32) and the node.
//!
//! Floats, dates and the last section are as in format 4.
//!
//! Format 1 was bincode of the whole object graph: every string and map was
//! an allocation to decode, and every name was folded and hashed again to
//! rebuild the name index (4.9 s to open a million nodes). Format 2 holds
//! the graph the way it lives in memory, read in one streaming pass:
//!
//! | section | content |
//! |---|---|
//! | symbols | u32 count; each: u32 length, UTF-8 bytes (labels, types, keys; sorted) |
//! | label sets | u32 count; each: u32 n, n × u32 symbol |
//! | nodes | u32 slot count; per slot u32 label set + 1 (0: a hole) |
//! | node properties | per live node: u32 count, then count × (u32 key symbol, value) |
//! | relationships | u32 slot count; per slot u32 from, u32 to, u32 type symbol + 1 (0: a hole) |
//! | relationship properties | u32 count; each: u32 slot, u32 n, n × (u32 key symbol, value) |
//! | name index | u32 slot count; that many u64 slots ([`NameIndex`]) |
//! | schema | u32 length; the schema, bincode (as in format 1); format 4: the schema and the property indexes' definitions (`persist::encode_meta`); format 6: then the constraints' definitions |
//!
//! A value: a tag byte, then 0 null, 1 bool (u8), 2 int (i64), 3 float (f64
//! bits), 4 string (u32 length, bytes), 5 list (u32 n, n values), 6 date
//! (i32 year, u8 month, u8 day, u8 precision, u8 approximate), 7 temporal
//! (kind string, ISO text string). Integers are little-endian.
//!
//! Every count is checked against the bytes left before anything is
//! allocated for it, so a damaged or hostile file is refused without a huge
//! allocation; the payload's checksum is verified when the pass ends.

use std::collections::BTreeMap;
use std::io::Read;

use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableGraph};
use petgraph::visit::{EdgeIndexable, NodeIndexable};

use super::column::NodeColumn;
use super::index::{IdSet, NameIndex};
use super::{Graph, RelProps};
use crate::model::packed::Item;
use crate::model::{FDate, LabelSet, NodeId, Props, PropsRef, Sym, Value};

/// How deeply lists may nest (as in format 1).
const MAX_LIST_NESTING: usize = 16;

// ---- writing -------------------------------------------------------------

struct Out {
    b: Vec<u8>,
    /// Format 5: numbers as LEB128 ([`Out::num`]).
    compact: bool,
    /// Where full pieces go when the payload is streamed ([`encode_payload_to`]);
    /// None keeps every byte in `b`.
    sink: Option<Stream>,
    /// Bytes handed to the sink before `b`.
    base: u64,
}

/// The pieces of a payload streamed by [`encode_payload_to`], in order.
#[derive(Debug)]
pub enum Piece {
    Bytes(Vec<u8>),
    /// A cut ([`cuts`]) falls here, between the bytes before and after.
    Cut,
}

/// A streamed payload's way out: pieces of about `size` bytes. Once the
/// receiver hangs up (its writer failed), sending fails at once and the
/// rest is dropped.
struct Stream {
    to: std::sync::mpsc::SyncSender<Piece>,
    size: usize,
}

/// How many bytes (1 to 4) hold every number up to `max`.
fn width(max: usize) -> u8 {
    match max {
        0..=0xff => 1,
        0x100..=0xffff => 2,
        0x1_0000..=0xff_ffff => 3,
        _ => 4,
    }
}

/// A number of `width` bytes ([`width`]) at `w[*at..]`, moving past it.
#[inline]
fn fixed(w: &[u8], at: &mut usize, width: usize) -> Option<u32> {
    let x = match w.get(*at..*at + 4) {
        // Four bytes loaded and the ones beyond the number masked off.
        Some(b) => {
            let x = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            if width >= 4 {
                x
            } else {
                x & ((1u32 << (8 * width)) - 1)
            }
        }
        None => {
            let b = w.get(*at..*at + width)?;
            b.iter().rev().fold(0, |x, &c| (x << 8) | u32::from(c))
        }
    };
    *at += width;
    Some(x)
}

/// A signed number as an unsigned one, small magnitudes small (zigzag).
fn zigzag(x: i64) -> u64 {
    ((x << 1) ^ (x >> 63)) as u64
}

/// [`zigzag`] undone.
fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}

/// An unsigned LEB128 number at `b[*at..]` (at most ten bytes), moving
/// `at` past it; None when it is cut short, does not fit 64 bits or takes
/// more bytes than it needs.
#[inline]
fn leb(b: &[u8], at: &mut usize) -> Option<u64> {
    // Most numbers of a store are one byte (types, counts, keys,
    // differences) or three (node ids of a million nodes).
    let c = *b.get(*at)?;
    if c < 0x80 {
        *at += 1;
        return Some(u64::from(c));
    }
    leb_long(b, at)
}

fn leb_long(b: &[u8], at: &mut usize) -> Option<u64> {
    let rest = b.get(*at..)?;
    let mut x = 0u64;
    for (i, &c) in rest.iter().take(10).enumerate() {
        // Beyond 64 bits, or a last byte of 0 (a number written longer than
        // it needs: each has one encoding, and a relationship at most
        // [`REL_MAX`] bytes).
        if (i == 9 && c > 1) || c == 0 {
            return None;
        }
        x |= u64::from(c & 0x7f) << (7 * i);
        if c < 0x80 {
            *at += i + 1;
            return Some(x);
        }
    }
    None
}

impl Out {
    fn new(capacity: usize, compact: bool) -> Out {
        Out {
            b: Vec::with_capacity(capacity),
            compact,
            sink: None,
            base: 0,
        }
    }
    /// Where the next byte goes in the payload.
    fn pos(&self) -> u64 {
        self.base + self.b.len() as u64
    }
    /// Hands the bytes so far to the sink once they fill a piece (called
    /// between elements: an element is never larger than a piece by much).
    #[inline]
    fn spill(&mut self) {
        if let Some(s) = &self.sink
            && self.b.len() >= s.size
        {
            self.hand_on();
        }
    }
    /// Hands the bytes so far to the sink, and says a cut falls after them.
    fn cut(&mut self) {
        if self.sink.is_some() {
            self.hand_on();
            self.send(Piece::Cut);
        }
    }
    /// Hands whatever is left to the sink; with none, the bytes are `b`.
    fn finish(mut self) -> Vec<u8> {
        if self.sink.is_some() {
            self.hand_on();
        }
        self.b
    }
    fn hand_on(&mut self) {
        let size = self.sink.as_ref().map_or(0, |s| s.size);
        let full = std::mem::replace(&mut self.b, Vec::with_capacity(size + 64));
        self.base += full.len() as u64;
        if !full.is_empty() {
            self.send(Piece::Bytes(full));
        }
    }
    fn send(&self, p: Piece) {
        if let Some(s) = &self.sink {
            // An error is the writer's, which the caller reports.
            let _ = s.to.send(p);
        }
    }
    fn u8(&mut self, x: u8) {
        self.b.push(x);
    }
    fn u32(&mut self, x: u32) {
        self.b.extend_from_slice(&x.to_le_bytes());
    }
    /// The low `width` bytes of `x` ([`width`]), little-endian.
    fn fixed(&mut self, x: u32, width: u8) {
        self.b
            .extend_from_slice(&x.to_le_bytes()[..usize::from(width)]);
    }
    fn leb(&mut self, mut x: u64) {
        while x >= 0x80 {
            self.b.push((x as u8) | 0x80);
            x >>= 7;
        }
        self.b.push(x as u8);
    }
    /// A count, length or table position: four bytes, or LEB128 in
    /// format 5 (one byte below 128).
    fn num(&mut self, x: u32) {
        if self.compact {
            self.leb(u64::from(x));
        } else {
            self.u32(x);
        }
    }
    fn len(&mut self, n: usize) {
        // Lengths beyond u32 cannot occur in a graph that fits in memory
        // with u32 ids; saturating keeps encode total.
        self.num(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.b.extend_from_slice(s.as_bytes());
    }
    fn value(&mut self, v: &Value) {
        match Item::from(v) {
            Item::Other(Value::List(items)) => {
                self.u8(5);
                self.len(items.len());
                for x in items {
                    self.value(x);
                }
            }
            Item::Other(Value::Temporal(t)) => {
                self.u8(7);
                self.str(t.function_name());
                self.str(&t.to_string());
            }
            // Not storable (the store refuses them): written as null.
            Item::Other(_) => self.u8(0),
            item => self.item(item),
        }
    }
    /// A value as a packed record or [`Value`] holds it.
    fn item(&mut self, item: Item<'_>) {
        match item {
            Item::Null => self.u8(0),
            Item::Bool(x) => {
                self.u8(1);
                self.u8(u8::from(x));
            }
            Item::Int(i) => {
                self.u8(2);
                if self.compact {
                    self.leb(zigzag(i));
                } else {
                    self.b.extend_from_slice(&i.to_le_bytes());
                }
            }
            Item::Float(f) => {
                self.u8(3);
                self.b.extend_from_slice(&f.to_bits().to_le_bytes());
            }
            Item::Str(s) => {
                self.u8(4);
                self.str(s);
            }
            Item::Date(d) => {
                self.u8(6);
                self.b.extend_from_slice(&d.year.to_le_bytes());
                self.u8(d.month);
                self.u8(d.day);
                self.u8(d.precision as u8);
                self.u8(u8::from(d.approx));
            }
            Item::Other(v) => self.value(v),
        }
    }
}

/// The payload of a format-3 file holding `graph` (format 5 when
/// `compact`); `schema` is the last section's bytes (from the caller).
/// Deterministic: equal graphs give equal bytes.
pub fn encode_payload(graph: &Graph, schema: &[u8], compact: bool) -> Vec<u8> {
    encode_payload_with(
        Out::new(encode_capacity(graph, compact), compact),
        graph,
        schema,
    )
    .0
}

/// [`encode_payload`] handed to `to` in pieces of about `piece` bytes as it
/// is encoded, with a [`Piece::Cut`] where each of the two cuts falls, so
/// that the whole payload is never in memory. Its first [`CUTS_LEN`]
/// bytes are zeros: the cuts go there once known, and are returned. Stops
/// sending (and drops the rest) once the receiver hangs up.
pub fn encode_payload_to(
    graph: &Graph,
    schema: &[u8],
    compact: bool,
    to: std::sync::mpsc::SyncSender<Piece>,
    piece: usize,
) -> [u8; CUTS_LEN] {
    let mut o = Out::new(piece + 64, compact);
    o.sink = Some(Stream {
        to,
        size: piece.max(1),
    });
    encode_payload_with(o, graph, schema).1
}

/// The bytes [`encode_graph`] reserves for a payload held whole.
fn encode_capacity(graph: &Graph, compact: bool) -> usize {
    let g = graph.raw();
    let per = if compact {
        g.node_bound() * 24 + g.edge_bound() * 6
    } else {
        g.node_bound() * 48 + g.edge_bound() * 13
    };
    per + 1024
}

/// The payload into `o`: its bytes when `o` keeps them (with the cuts in
/// place), and the cuts.
fn encode_payload_with(o: Out, graph: &Graph, schema: &[u8]) -> (Vec<u8>, [u8; CUTS_LEN]) {
    // The name index is laid out afresh (sorting a million entries at 1M
    // nodes) on the other core while the rest is encoded.
    let names = graph.name_index();
    std::thread::scope(|scope| {
        let canonical = scope.spawn(|| names.rebuilt());
        let (mut o, cuts) = encode_graph(o, graph);
        let compact = o.compact;
        // A panic there is a bug: it goes on as one.
        let canonical = canonical
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        // The name index, laid out afresh from its sorted entries, so the
        // bytes depend only on the names (not on the history of inserts and
        // removals).
        o.len(canonical.slots().len());
        if compact {
            // Format 5: the occupied slots alone, each as the vacant slots
            // before it, the name's hash and the node.
            o.len(canonical.len());
            let mut gap = 0u32;
            for &s in canonical.slots() {
                if NameIndex::is_vacant(s) {
                    gap += 1;
                    continue;
                }
                o.num(gap);
                o.u32((s >> 32) as u32);
                o.num(s as u32);
                gap = 0;
                o.spill();
            }
        } else {
            for s in canonical.slots() {
                o.b.extend_from_slice(&s.to_le_bytes());
                o.spill();
            }
        }
        o.len(schema.len());
        o.b.extend_from_slice(schema);
        (o.finish(), cuts)
    })
}

/// The payload up to the name index (everything but the last two
/// sections) into `o`, and the cuts (in `o` too when it keeps its bytes).
fn encode_graph(mut o: Out, graph: &Graph) -> (Out, [u8; CUTS_LEN]) {
    let compact = o.compact;
    // Format 3: the format-2 payload after the cuts.
    let g = graph.raw();
    // Symbols and label sets in use, sorted by text so the bytes do not
    // depend on the order this process interned them in.
    let mut syms: Vec<Sym> = Vec::new();
    let mut sets: Vec<LabelSet> = Vec::new();
    {
        // By intern number: asked once per node, key and relationship.
        let first = |seen: &mut Vec<bool>, id: u32| {
            let i = id as usize;
            if i >= seen.len() {
                seen.resize(i + 1, false);
            }
            !std::mem::replace(&mut seen[i], true)
        };
        let (mut seen_sym, mut seen_set) = (Vec::new(), Vec::new());
        let mut add = |s: Sym, syms: &mut Vec<Sym>| {
            if first(&mut seen_sym, s.id()) {
                syms.push(s);
            }
        };
        for i in g.node_indices() {
            let labels = g[i];
            if first(&mut seen_set, labels.id()) {
                sets.push(labels);
                for l in labels.iter() {
                    add(*l, &mut syms);
                }
            }
            for k in graph.raw_node_props(i.index()).keys() {
                add(k, &mut syms);
            }
        }
        for t in g.edge_weights() {
            add(*t, &mut syms);
        }
        for i in 0..g.edge_bound() {
            for k in graph.raw_rel_props(i as u32).keys() {
                add(*k, &mut syms);
            }
        }
    }
    syms.sort();
    sets.sort_by(|a, b| a.as_slice().cmp(b.as_slice()));
    // Positions by intern number (a process interns few symbols and label
    // sets): read once per node, property and relationship, a table beats
    // a hash.
    let table = |ids: &mut dyn Iterator<Item = u32>| {
        let ids: Vec<u32> = ids.collect();
        let mut t = vec![0u32; ids.iter().max().map_or(0, |&m| m as usize + 1)];
        for (i, id) in ids.into_iter().enumerate() {
            t[id as usize] = i as u32;
        }
        t
    };
    let sym_ix = table(&mut syms.iter().map(|s| s.id()));
    let set_ix = table(&mut sets.iter().map(|s| s.id()));
    let si = |s: &Sym| sym_ix.get(s.id() as usize).copied().unwrap_or(0);

    // The cuts ([`CUTS_LEN`]), filled in once the relationships are written.
    o.b.extend_from_slice(&[0; CUTS_LEN]);
    o.len(syms.len());
    for s in &syms {
        o.str(s);
    }
    o.len(sets.len());
    for set in &sets {
        o.len(set.len());
        for l in set.iter() {
            o.num(si(l));
        }
    }
    o.len(g.node_bound());
    for i in 0..g.node_bound() {
        let x = g.node_weight(NodeIndex::new(i)).map_or(0, |labels| {
            set_ix.get(labels.id() as usize).map_or(0, |x| x + 1)
        });
        o.num(x);
        o.spill();
    }
    let props = |o: &mut Out, p: PropsRef<'_>| {
        o.len(p.len());
        for (k, item) in p.items() {
            o.num(si(&k));
            o.item(item);
        }
    };
    for i in g.node_indices() {
        props(&mut o, graph.raw_node_props(i.index()));
        o.spill();
    }
    o.cut();
    let rel_start = o.pos();
    o.len(g.edge_bound());
    // Format 5: type + 1 (0 a hole) and start node in as few bytes as the
    // largest of each needs (said once, up front: read without a branch
    // per byte), and the end node as the difference to the last one's: a
    // bulk load orders relationships by end node, so that is mostly 0.
    let (wn, wt) = (width(g.node_bound().saturating_sub(1)), width(syms.len()));
    if compact {
        o.u8(wn);
        o.u8(wt);
    }
    let mut last_end = 0i64;
    for i in 0..g.edge_bound() {
        let e = EdgeIndex::new(i);
        match (g.edge_endpoints(e), g.edge_weight(e)) {
            (Some((a, b)), Some(t)) if compact => {
                o.fixed(si(t) + 1, wt);
                o.fixed(a.index() as u32, wn);
                let end = b.index() as i64;
                o.leb(zigzag(end - last_end));
                last_end = end;
            }
            (Some((a, b)), Some(t)) => {
                o.u32(a.index() as u32);
                o.u32(b.index() as u32);
                o.u32(si(t) + 1);
            }
            _ if compact => o.fixed(0, wt),
            _ => {
                o.u32(0);
                o.u32(0);
                o.u32(0);
            }
        }
        o.spill();
    }
    o.cut();
    let rel_end = o.pos();
    let mut cuts = [0u8; CUTS_LEN];
    cuts[..8].copy_from_slice(&rel_start.to_le_bytes());
    cuts[8..].copy_from_slice(&rel_end.to_le_bytes());
    if o.sink.is_none() {
        o.b[..CUTS_LEN].copy_from_slice(&cuts);
    }
    let mut with_props: Vec<u32> = (0..g.edge_bound() as u32)
        .filter(|&i| !graph.raw_rel_props(i).is_empty())
        .collect();
    with_props.sort_unstable();
    o.len(with_props.len());
    for i in with_props {
        o.num(i);
        props(&mut o, graph.raw_rel_props(i).into());
        o.spill();
    }
    (o, cuts)
}

// ---- reading -------------------------------------------------------------

/// A streaming reader over the payload: refills a buffer from `R`, counts
/// what is left, and checksums everything consumed.
pub struct Src<R: Read> {
    r: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Payload bytes not yet pulled into the buffer.
    unread: u64,
    crc: crc32fast::Hasher,
    /// Whether `crc` is computed (another reader may check the bytes).
    check: bool,
    /// Format 5: numbers are LEB128 ([`Src::num`]).
    compact: bool,
}

const CHUNK: usize = 1 << 20;

/// Relationships whose source nodes are read ahead together ([`decode_rels`]):
/// their cache lines (16 KB) stay in the first-level cache, and more misses
/// overlap than with 16 (an open at 1M nodes took 5 % longer with 16).
const TOUCH: usize = 256;

impl<R: Read> Src<R> {
    pub fn new(r: R, payload_len: u64) -> Src<R> {
        Src {
            r,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            unread: payload_len,
            crc: crc32fast::Hasher::new(),
            check: true,
            compact: false,
        }
    }

    /// This reader for a format-5 payload (numbers as LEB128).
    pub fn compact(self, compact: bool) -> Src<R> {
        Src { compact, ..self }
    }

    /// A reader whose bytes someone else checks: no checksum is computed.
    pub fn unchecked(r: R, payload_len: u64) -> Src<R> {
        Src {
            check: false,
            ..Src::new(r, payload_len)
        }
    }

    /// Bytes of the payload not yet consumed.
    fn left(&self) -> u64 {
        self.unread + (self.end - self.pos) as u64
    }

    /// Makes `n` bytes available at `pos`.
    fn fill(&mut self, n: usize) -> Result<(), String> {
        if self.end - self.pos >= n {
            return Ok(());
        }
        if (n as u64) > self.left() {
            return Err("the data ends in the middle of an element".into());
        }
        self.buf.copy_within(self.pos..self.end, 0);
        self.end -= self.pos;
        self.pos = 0;
        if self.buf.len() < n {
            self.buf.resize(n, 0);
        }
        while self.end < n {
            let room = (self.buf.len() - self.end).min(self.unread as usize);
            let got = self
                .r
                .read(&mut self.buf[self.end..self.end + room])
                .map_err(|e| format!("reading the data: {e}"))?;
            if got == 0 {
                return Err("the file is shorter than its header says".into());
            }
            if self.check {
                self.crc.update(&self.buf[self.end..self.end + got]);
            }
            self.end += got;
            self.unread -= got as u64;
        }
        Ok(())
    }

    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        self.fill(n)?;
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    /// Makes `n` bytes available at `pos`, or all that are left if fewer.
    fn fill_up_to(&mut self, n: usize) -> Result<(), String> {
        self.fill(n.min(usize::try_from(self.left()).unwrap_or(n)))
    }
    /// An unsigned LEB128 number.
    fn leb(&mut self) -> Result<u64, String> {
        self.fill_up_to(10)?;
        let mut at = 0;
        let x = leb(&self.buf[self.pos..self.end], &mut at)
            .ok_or_else(|| "a number is cut short or too long".to_string())?;
        self.pos += at;
        Ok(x)
    }
    /// A count, length or table position ([`Out::num`]).
    #[inline]
    fn num(&mut self) -> Result<u32, String> {
        if !self.compact {
            return self.u32();
        }
        // Straight from the buffer when a whole number surely lies there
        // (a million of these a million nodes: refilling and error paths
        // cost more than the number); anything else, errors included, on
        // the general path, which says what is wrong.
        if let Some(b) = self.buf.get(self.pos..self.end)
            && b.len() >= 10
        {
            let mut at = 0;
            if let Some(x) = leb(b, &mut at)
                && let Ok(x) = u32::try_from(x)
            {
                self.pos += at;
                return Ok(x);
            }
        }
        self.num_general()
    }
    #[inline(never)]
    fn num_general(&mut self) -> Result<u32, String> {
        let x = self.leb()?;
        u32::try_from(x).map_err(|_| format!("{x} is too large for a count"))
    }
    /// A count of elements of at least `min_size` bytes each (`min_compact`
    /// in format 5), refused if the rest of the payload cannot hold them.
    fn count(&mut self, min_size: (u64, u64), what: &str) -> Result<usize, String> {
        let n = self.num()?;
        let min_size = if self.compact { min_size.1 } else { min_size.0 };
        if u64::from(n) * min_size > self.left() {
            return Err(format!("{what}: {n} claimed, more than the data holds"));
        }
        Ok(n as usize)
    }
    fn string(&mut self) -> Result<String, String> {
        let n = self.count((1, 1), "string bytes")?;
        let b = self.take(n)?;
        std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|_| "a string is not UTF-8".to_string())
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        Ok(match self.u8()? {
            0 => Value::Null,
            1 => Value::Bool(self.u8()? != 0),
            2 if self.compact => Value::Int(unzigzag(self.leb()?)),
            2 => Value::Int(self.u64()? as i64),
            3 => Value::Float(f64::from_bits(self.u64()?)),
            4 => Value::String(self.string()?),
            5 => {
                if depth >= MAX_LIST_NESTING {
                    return Err(format!(
                        "lists nested more than {MAX_LIST_NESTING} levels deep"
                    ));
                }
                let n = self.count((1, 1), "list items")?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Value::List(items)
            }
            6 => {
                let b = self.take(8)?;
                date(b).map_err(|e| e.to_string())?
            }
            7 => {
                let kind = self.string()?;
                let text = self.string()?;
                Value::temporal(crate::model::temporal::parse_stored(&kind, &text)?)
            }
            t => return Err(format!("unknown value tag {t}")),
        })
    }

    /// Reads one property record into slot `slot` of the column: scalar
    /// records straight from the buffer (no allocation), others through
    /// [`Src::props`].
    fn props_into(&mut self, keys: &Keys, col: &mut NodeColumn, slot: usize) -> Result<(), String> {
        if self.end - self.pos < FAST_WINDOW {
            self.fill_up_to(FAST_WINDOW)?;
        }
        let mut items = [(Sym::FILLER, Item::Null); SCALAR_MAX];
        let window = &self.buf[self.pos..self.end];
        if let Some((n, used)) = scalar_items(window, keys, &mut items, self.compact) {
            col.push_items(slot, &items[..n]);
            self.pos += used;
            return Ok(());
        }
        let p = self.props(keys)?;
        col.set(slot, &p);
        Ok(())
    }

    fn props(&mut self, keys: &Keys) -> Result<Props, String> {
        // Most records are a few scalars and lie whole in the buffer: read
        // them from the slice. Anything else, errors included, takes the
        // general path below, which says what is wrong.
        self.fill_up_to(FAST_WINDOW)?;
        if let Some((p, used)) = scalar_props(&self.buf[self.pos..self.end], keys, self.compact) {
            self.pos += used;
            return Ok(p);
        }
        let n = self.count((5, 2), "properties")?;
        if n == 0 {
            return Ok(Props::new());
        }
        let mut pairs = Vec::with_capacity(n);
        for _ in 0..n {
            let k = self.num()?;
            let k = *keys
                .syms
                .get(k as usize)
                .ok_or_else(|| format!("property key {k} is not in the symbol table"))?;
            pairs.push((k, self.value(0)?));
        }
        Props::from_sorted(pairs).ok_or_else(|| "properties are not sorted by key".to_string())
    }

    /// Reads the rest of the payload (after a decoding error) and tells
    /// whether its checksum matches: a damaged file is reported as such.
    pub fn checksum_matches(mut self, crc: u32) -> bool {
        self.pos = self.end;
        while self.unread > 0 {
            let room = (self.buf.len()).min(self.unread as usize);
            match self.r.read(&mut self.buf[..room]) {
                Ok(0) | Err(_) => return false,
                Ok(got) => {
                    self.crc.update(&self.buf[..got]);
                    self.unread -= got as u64;
                }
            }
        }
        self.crc.finalize() == crc
    }

    /// Checks that the whole region was consumed; its checksum.
    pub fn region_crc(self) -> Result<crc32fast::Hasher, String> {
        if self.left() != 0 {
            return Err("a section ends before its announced end".into());
        }
        Ok(self.crc)
    }

    /// Checks that the whole payload was consumed and its checksum matches.
    pub fn finish(self, crc: u32) -> Result<(), String> {
        if self.left() != 0 {
            return Err("the data ends before the file does".into());
        }
        if self.crc.finalize() != crc {
            return Err("the checksum does not match the data".into());
        }
        Ok(())
    }
}

/// How many bytes [`scalar_props`] looks at.
const FAST_WINDOW: usize = 256;

/// A date value from its 8 stored bytes (year, month, day, precision,
/// approximate).
fn date(b: &[u8]) -> Result<Value, DateError> {
    let y = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let (month, day, precision, approx) = (b[4], b[5], b[6], b[7] != 0);
    let d = match precision {
        0 => Some(FDate::year(y)),
        1 => FDate::month(y, month),
        2 => FDate::day(y, month, day),
        _ => None,
    }
    .ok_or(DateError(y, month, day, precision))?;
    Ok(Value::Date(if approx { d.approximate() } else { d }))
}

/// A stored date that is not one.
struct DateError(i32, u8, u8, u8);

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let DateError(y, m, d, p) = self;
        write!(f, "invalid date {y}-{m}-{d} (precision {p})")
    }
}

/// The most properties a record read by [`scalar_items`] has.
const SCALAR_MAX: usize = 8;

/// A property record made only of scalars (null, booleans, numbers,
/// strings, dates) read from `b` into `out`: how many entries and the
/// bytes it took; None when the record is anything else, does not lie
/// whole in `b`, is not sorted, or is invalid.
fn scalar_items<'b>(
    b: &'b [u8],
    keys: &Keys,
    out: &mut [(Sym, Item<'b>); SCALAR_MAX],
    compact: bool,
) -> Option<(usize, usize)> {
    // A count, key or length ([`Out::num`]) at `at`, moving past it.
    let num = |at: &mut usize| -> Option<u32> {
        if compact {
            return u32::try_from(leb(b, at)?).ok();
        }
        let w = b.get(*at..*at + 4)?;
        *at += 4;
        Some(u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
    };
    let mut at = 0;
    let n = num(&mut at)? as usize;
    if n == 0 || n > SCALAR_MAX {
        return None;
    }
    let mut last_rank = None;
    for slot in &mut out[..n] {
        let k = num(&mut at)? as usize;
        let (key, rank) = (*keys.syms.get(k)?, *keys.rank.get(k)?);
        // Keys in order of their text, as ranked once per file.
        if last_rank.is_some_and(|r| r >= rank) {
            return None;
        }
        last_rank = Some(rank);
        let tag = *b.get(at)?;
        at += 1;
        let word = |at: &mut usize| -> Option<u64> {
            let w = b.get(*at..*at + 8)?;
            *at += 8;
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            Some(u64::from_le_bytes(a))
        };
        let v = match tag {
            0 => Item::Null,
            1 => {
                at += 1;
                Item::Bool(*b.get(at - 1)? != 0)
            }
            2 if compact => Item::Int(unzigzag(leb(b, &mut at)?)),
            2 => Item::Int(word(&mut at)? as i64),
            3 => Item::Float(f64::from_bits(word(&mut at)?)),
            4 => {
                let len = num(&mut at)? as usize;
                let text = std::str::from_utf8(b.get(at..at + len)?).ok()?;
                at += len;
                Item::Str(text)
            }
            6 => {
                at += 8;
                match date(b.get(at - 8..at)?).ok()? {
                    Value::Date(d) => Item::Date(d),
                    _ => return None,
                }
            }
            _ => return None,
        };
        *slot = (key, v);
    }
    Some((n, at))
}

/// A property record made only of scalars (null, booleans, numbers,
/// strings, dates) read from `b`, and the bytes it took; None when the
/// record is anything else, does not lie whole in `b`, or is invalid.
fn scalar_props(b: &[u8], keys: &Keys, compact: bool) -> Option<(Props, usize)> {
    let mut items = [(Sym::FILLER, Item::Null); SCALAR_MAX];
    let (n, used) = scalar_items(b, keys, &mut items, compact)?;
    let pairs = items[..n]
        .iter()
        .map(|&(k, item)| (k, item.to_value().into_owned()))
        .collect();
    Some((Props::from_sorted(pairs)?, used))
}

/// The parts of a decoded payload: the graph (its schema still as bytes).
pub struct Decoded {
    pub graph: Graph,
    pub schema: Vec<u8>,
}

/// Format 3 is format 2 with these bytes first: where the relationship
/// section starts and where it ends (u64 payload offsets each), so that it
/// can be decoded on a second thread while the node properties are.
pub const CUTS_LEN: usize = 16;

/// Where the relationship section of a format-3 payload starts and ends, as
/// its first bytes say, clamped into the payload (so that any bytes give
/// two cuts, `CUTS_LEN <= start <= end <= len`).
pub fn cuts(payload: &[u8]) -> (usize, usize) {
    let len = payload.len();
    let at = |i: usize| {
        payload.get(i..i + 8).map_or(len, |b| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            usize::try_from(u64::from_le_bytes(a)).unwrap_or(len)
        })
    };
    let lo = CUTS_LEN.min(len);
    let a = at(0).clamp(lo, len);
    let b = at(8).clamp(a, len);
    (a, b)
}

/// A file's symbol table: the symbols by their number in the file, and
/// each one's rank among them by text, with which a record's keys are
/// checked to be in order without comparing their text.
pub struct Keys {
    syms: Vec<Sym>,
    rank: Vec<u32>,
}

impl Keys {
    fn new(syms: Vec<Sym>) -> Keys {
        let mut order: Vec<usize> = (0..syms.len()).collect();
        order.sort_by(|&a, &b| syms[a].as_str().cmp(syms[b].as_str()));
        let mut rank = vec![0u32; syms.len()];
        let mut r = 0u32;
        for (i, w) in order.iter().enumerate() {
            // Equal texts (a damaged table) share a rank, which no record
            // can then hold in order.
            if i > 0 && syms[order[i - 1]].as_str() != syms[*w].as_str() {
                r += 1;
            }
            rank[*w] = r;
        }
        Keys { syms, rank }
    }
}

/// The symbols, label sets and node slots: what both halves of the decoding
/// need.
pub struct Head {
    keys: Keys,
    sets: Vec<LabelSet>,
    /// Per node slot: its label set + 1 (0: a hole).
    slot_sets: Vec<u32>,
}

/// The relationships, with the nodes they hang on (labels only).
pub struct Rels {
    g: StableGraph<LabelSet, Sym, petgraph::Directed, u32>,
    holes: Vec<NodeIndex>,
    rel_holes: Vec<usize>,
    /// The label index, when built from the head ([`label_index`]).
    labels: Option<BTreeMap<Sym, IdSet>>,
}

/// The label index of the nodes the head describes.
fn label_index(head: &Head) -> Option<BTreeMap<Sym, IdSet>> {
    // The distinct labels, and each label set as their positions: a node
    // costs a lookup by its set and an append per label.
    let mut labels: Vec<Sym> = Vec::new();
    let per_set: Vec<Vec<usize>> = head
        .sets
        .iter()
        .map(|set| {
            set.iter()
                .map(|l| {
                    labels.iter().position(|x| x == l).unwrap_or_else(|| {
                        labels.push(*l);
                        labels.len() - 1
                    })
                })
                .collect()
        })
        .collect();
    let mut sets = vec![IdSet::default(); labels.len()];
    for (i, &x) in head.slot_sets.iter().enumerate() {
        let Some(positions) = (x as usize).checked_sub(1).and_then(|s| per_set.get(s)) else {
            continue;
        };
        for &p in positions {
            sets[p].insert(NodeId(i as u32));
        }
    }
    Some(
        labels
            .into_iter()
            .zip(sets)
            .filter(|(_, s)| !s.is_empty())
            .collect(),
    )
}

/// What follows the relationships.
pub struct Tail {
    rel_props: Vec<(u32, Props)>,
    names: NameIndex,
    schema: Vec<u8>,
}

/// Decodes a format-2 payload from `src`; the caller checks the checksum
/// ([`Src::finish`]) before using the result.
pub fn decode_payload<R: Read>(src: &mut Src<R>) -> Result<Decoded, String> {
    let head = decode_head(src)?;
    let props = decode_node_props(src, &head)?;
    let rels = decode_rels(src, &head)?;
    let tail = decode_tail(src, &head)?;
    assemble(props, rels, tail)
}

/// The symbols, label sets and node slots.
pub fn decode_head<R: Read>(src: &mut Src<R>) -> Result<Head, String> {
    let n = src.count((4, 1), "symbols")?;
    let mut syms = Vec::with_capacity(n);
    for _ in 0..n {
        let s = src.string()?;
        syms.push(Sym::new(&s));
    }
    let n = src.count((4, 1), "label sets")?;
    let mut sets = Vec::with_capacity(n);
    for _ in 0..n {
        let k = src.count((4, 1), "labels")?;
        let mut v = Vec::with_capacity(k);
        for _ in 0..k {
            let i = src.num()?;
            v.push(
                *syms
                    .get(i as usize)
                    .ok_or_else(|| format!("label {i} is not in the symbol table"))?,
            );
        }
        sets.push(LabelSet::new(&v));
    }
    let node_bound = src.count((4, 1), "node slots")?;
    let mut slot_sets = Vec::with_capacity(node_bound);
    for _ in 0..node_bound {
        let x = src.num()?;
        if x != 0 && x as usize > sets.len() {
            return Err(format!("label set {} does not exist", x - 1));
        }
        slot_sets.push(x);
    }
    Ok(Head {
        keys: Keys::new(syms),
        sets,
        slot_sets,
    })
}

/// The properties of the nodes, by slot (empty for a vacant slot).
pub fn decode_node_props<R: Read>(src: &mut Src<R>, head: &Head) -> Result<NodeColumn, String> {
    // Packed records are smaller than format 2's and at most four times
    // format 5's (a small integer: four bytes there, up to seventeen
    // packed): room enough from the bytes left (room never written to
    // costs no memory), given back after.
    let left = usize::try_from(src.left()).unwrap_or(0);
    let room = if src.compact {
        left.saturating_mul(4)
    } else {
        left
    };
    let mut out = NodeColumn::with_capacity(head.slot_sets.len(), room);
    for (i, &x) in head.slot_sets.iter().enumerate() {
        if x != 0 {
            src.props_into(&head.keys, &mut out, i)?;
        }
    }
    out.shrink_to_fit();
    Ok(out)
}

/// The relationship section: the graph of the nodes (labels, no
/// properties yet) and the relationships.
pub fn decode_rels<R: Read>(src: &mut Src<R>, head: &Head) -> Result<Rels, String> {
    let (syms, slot_sets) = (&head.keys.syms, &head.slot_sets);
    let rel_bound = src.count((12, 1), "relationship slots")?;
    // Format 5: the bytes of a node id and of a type.
    let widths = if src.compact {
        let (wn, wt) = (src.u8()?, src.u8()?);
        if !(1..=4).contains(&wn) || !(1..=4).contains(&wt) {
            return Err(format!(
                "relationships of {wn}-byte nodes and {wt}-byte types"
            ));
        }
        (usize::from(wn), usize::from(wt))
    } else {
        (4, 4)
    };
    let mut g: StableGraph<LabelSet, Sym, petgraph::Directed, u32> =
        StableGraph::with_capacity(slot_sets.len(), rel_bound);
    let mut holes = Vec::new();
    for &x in slot_sets {
        if x == 0 {
            holes.push(g.add_node(LabelSet::default()));
        } else {
            // decode_head checked the set exists.
            g.add_node(head.sets.get(x as usize - 1).copied().unwrap_or_default());
        }
    }
    let mut rel_holes = Vec::new();
    // A placeholder for a hole needs a live node; the first one serves. With
    // no live node there is no live relationship either, and holes are
    // dropped (as trailing holes are).
    let anchor = slot_sets.iter().position(|&x| x != 0).map(NodeIndex::new);
    // Which slots hold a node, a bit each: checking both ends of every
    // relationship reads this (128 KB a million nodes), not `slot_sets`.
    let mut live = vec![0u64; slot_sets.len().div_ceil(64)];
    for (i, &x) in slot_sets.iter().enumerate() {
        if x != 0 {
            live[i / 64] |= 1 << (i % 64);
        }
    }
    // Without holes a node id is valid when below the bound: the bitmap is
    // not read.
    let no_holes = holes.is_empty();
    let node_bound = slot_sets.len();
    let (mut done, mut last_end) = (0, 0i64);
    let mut batch = [(0u32, 0u32, 0u32); TOUCH];
    while done < rel_bound {
        // Decoded in batches straight from the buffer, which holds at
        // least a batch (or the rest of the data).
        let k = (rel_bound - done).min(TOUCH);
        let most = k * if src.compact { REL_MAX } else { 12 };
        src.fill_up_to(most)?;
        let w = &src.buf[src.pos..src.end];
        let recs = &mut batch[..k];
        let used = if src.compact {
            // The widths picked once, so that each record's reads are
            // fixed-size loads and masks.
            match widths {
                (3, 1) => compact_batch::<3, 1>(w, recs, &mut last_end),
                (2, 1) => compact_batch::<2, 1>(w, recs, &mut last_end),
                (4, 1) => compact_batch::<4, 1>(w, recs, &mut last_end),
                (1, 1) => compact_batch::<1, 1>(w, recs, &mut last_end),
                _ => compact_batch_any(w, recs, &mut last_end, widths),
            }
        } else {
            let mut at = 0;
            recs.iter_mut()
                .try_for_each(|rec| {
                    *rec = fixed_rel(w, &mut at)?;
                    Some(())
                })
                .map(|()| at)
        }
        .ok_or_else(|| "the data ends in the middle of a relationship".to_string())?;
        src.pos += used;
        // Reading the source nodes of a batch first, independently of each
        // other, lets their cache misses overlap; `add_edge` then finds
        // them in cache (it is otherwise one miss per edge).
        let touched = batch[..k].iter().fold(0u32, |acc, &(a, _, _)| {
            acc ^ g
                .node_weight(NodeIndex::new(a as usize))
                .map_or(0, |l| l.id())
        });
        std::hint::black_box(touched);
        for &(a, b, t) in &batch[..k] {
            if t == 0 {
                if let Some(x) = anchor {
                    rel_holes.push(g.edge_bound());
                    g.add_edge(x, x, Sym::default());
                }
                continue;
            }
            let ty = *syms
                .get(t as usize - 1)
                .ok_or_else(|| format!("type {} is not in the symbol table", t - 1))?;
            for x in [a as usize, b as usize] {
                if x >= node_bound {
                    return Err(format!(
                        "relationship refers to node {x} beyond the last node"
                    ));
                }
                if !no_holes && live[x / 64] & (1 << (x % 64)) == 0 {
                    return Err("relationship refers to a deleted node".into());
                }
            }
            g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ty);
        }
        done += k;
    }
    Ok(Rels {
        g,
        holes,
        rel_holes,
        labels: None,
    })
}

/// The most bytes a format-5 relationship takes: a type and a node of at
/// most four bytes, the end's difference (LEB128) of at most ten.
const REL_MAX: usize = 20;

/// A format-2 relationship slot at `w[*at..]`: (start, end, type + 1).
fn fixed_rel(w: &[u8], at: &mut usize) -> Option<(u32, u32, u32)> {
    let rec = w.get(*at..*at + 12)?;
    *at += 12;
    let word = |i: usize| u32::from_le_bytes([rec[i], rec[i + 1], rec[i + 2], rec[i + 3]]);
    Some((word(0), word(4), word(8)))
}

/// A format-5 relationship slot at `w[*at..]` ([`fixed_rel`]) of `wn`-byte
/// nodes and `wt`-byte types; `last_end` is the end node of the one before,
/// which this one's is relative to.
#[inline(always)]
fn compact_rel(
    w: &[u8],
    at: &mut usize,
    last_end: &mut i64,
    (wn, wt): (usize, usize),
) -> Option<(u32, u32, u32)> {
    let t = fixed(w, at, wt)?;
    if t == 0 {
        return Some((0, 0, 0));
    }
    let a = fixed(w, at, wn)?;
    let end = last_end.checked_add(unzigzag(leb(w, at)?))?;
    *last_end = end;
    // An end beyond u32 is refused as beyond the last node.
    Some((a, u32::try_from(end).unwrap_or(u32::MAX), t))
}

/// Decodes `recs.len()` format-5 relationships from the start of `w`
/// ([`compact_rel`]), with the widths known when compiled; the bytes they
/// took, or None when `w` ends inside one.
fn compact_batch<const WN: usize, const WT: usize>(
    w: &[u8],
    recs: &mut [(u32, u32, u32)],
    last_end: &mut i64,
) -> Option<usize> {
    compact_batch_any(w, recs, last_end, (WN, WT))
}

/// [`compact_batch`] for any widths.
#[inline(always)]
fn compact_batch_any(
    w: &[u8],
    recs: &mut [(u32, u32, u32)],
    last_end: &mut i64,
    widths: (usize, usize),
) -> Option<usize> {
    let mut at = 0;
    for rec in recs {
        *rec = compact_rel(w, &mut at, last_end, widths)?;
    }
    Some(at)
}

/// The relationship properties, the name index and the schema's bytes.
pub fn decode_tail<R: Read>(src: &mut Src<R>, head: &Head) -> Result<Tail, String> {
    let n = src.count((9, 2), "relationships with properties")?;
    let mut rel_props = Vec::with_capacity(n);
    for _ in 0..n {
        let i = src.num()?;
        let p = src.props(&head.keys)?;
        rel_props.push((i, p));
    }
    let names = NameIndex::from_slots(if src.compact {
        compact_name_slots(src)?
    } else {
        let n = src.count((8, 8), "name index slots")?;
        let mut slots = Vec::with_capacity(n);
        while slots.len() < n {
            let k = (n - slots.len()).min(CHUNK / 8);
            slots.extend(src.take(k * 8)?.chunks_exact(8).map(|w| {
                let mut a = [0u8; 8];
                a.copy_from_slice(w);
                u64::from_le_bytes(a)
            }));
        }
        slots
    })?;
    let n = src.count((1, 1), "schema bytes")?;
    let schema = src.take(n)?.to_vec();
    Ok(Tail {
        rel_props,
        names,
        schema,
    })
}

/// The name index's slots of a format-5 payload: the slot count, the
/// entries, each as the vacant slots before it, its hash and its node.
fn compact_name_slots<R: Read>(src: &mut Src<R>) -> Result<Vec<u64>, String> {
    let n = src.num()? as usize;
    let entries = src.count((6, 6), "name index entries")?;
    // The table a store writes is laid out afresh, at most this large: a
    // bound on what a damaged count can make this allocate.
    if n > ((entries + 1) * 2).next_power_of_two().max(16) {
        return Err(format!(
            "the name index has {n} slots for {entries} entries"
        ));
    }
    let mut slots = vec![NameIndex::VACANT; n];
    let mut at = 0usize;
    let mut put = |gap: u32, hash: u32, node: u32| -> Result<(), String> {
        at = at.saturating_add(gap as usize);
        let slot = slots
            .get_mut(at)
            .ok_or_else(|| "a name index entry lies beyond its slots".to_string())?;
        *slot = (u64::from(hash) << 32) | u64::from(node);
        at += 1;
        Ok(())
    };
    let mut done = 0;
    while done < entries {
        // Entries straight from the buffer while one surely lies whole in
        // it; the last few bytes of the buffer, and anything wrong, through
        // `Src`'s own reads, which refill and say what is wrong.
        src.fill_up_to(CHUNK)?;
        let w = &src.buf[src.pos..src.end];
        let mut i = 0;
        while done < entries && i + NAME_ENTRY_MAX <= w.len() {
            let mut j = i;
            let Some(gap) = leb(w, &mut j).and_then(|x| u32::try_from(x).ok()) else {
                break;
            };
            let hash = u32::from_le_bytes([w[j], w[j + 1], w[j + 2], w[j + 3]]);
            j += 4;
            let Some(node) = leb(w, &mut j).and_then(|x| u32::try_from(x).ok()) else {
                break;
            };
            put(gap, hash, node)?;
            i = j;
            done += 1;
        }
        src.pos += i;
        if done < entries {
            let gap = src.num()?;
            let hash = src.u32()?;
            let node = src.num()?;
            put(gap, hash, node)?;
            done += 1;
        }
    }
    Ok(slots)
}

/// The most bytes a format-5 name index entry takes: two LEB128 numbers of
/// at most ten bytes and a four-byte hash.
const NAME_ENTRY_MAX: usize = 24;

/// Puts the decoded parts together, checking what connects them.
pub fn assemble(props: NodeColumn, rels: Rels, tail: Tail) -> Result<Decoded, String> {
    let Rels {
        mut g,
        holes,
        rel_holes,
        labels,
    } = rels;
    let mut rel_props = RelProps::default();
    rel_props.reserve(tail.rel_props.len());
    for (i, p) in tail.rel_props {
        let live = g.edge_weight(EdgeIndex::new(i as usize)).is_some()
            && rel_holes.binary_search(&(i as usize)).is_err();
        if !live {
            return Err(format!(
                "properties for relationship slot {i}, which is empty"
            ));
        }
        if !p.is_empty() {
            rel_props.insert(i, p);
        }
    }
    for e in rel_holes.into_iter().rev() {
        g.remove_edge(EdgeIndex::new(e));
    }
    for h in holes.into_iter().rev() {
        g.remove_node(h);
    }
    Ok(Decoded {
        graph: Graph::from_parts(g, props, rel_props, Some(tail.names), labels, None),
        schema: tail.schema,
    })
}

/// Decodes the payload of a format-3 file from three readers: `a` from
/// just after the cuts to the relationship section, `b` that section
/// (decoded on a second thread), `c` the rest; `cuts` as the payload's
/// first bytes said, already checked to lie in order within `len`. The
/// checksum of `b`'s bytes is `crc_b`'s, which this thread runs when its
/// own part is done: building the relationships is the larger half, so
/// the second thread does not also checksum them. Returns the parts'
/// checksums (of `a`, `b`, `c`, in order, not of the cuts).
pub fn decode_v3<A: Read, B: Read + Send, C: Read>(
    cuts: (u64, u64),
    len: u64,
    compact: bool,
    a: A,
    b: B,
    c: C,
    crc_b: impl FnOnce() -> Result<crc32fast::Hasher, String>,
) -> Result<(Decoded, [crc32fast::Hasher; 3]), String> {
    let (c1, c2) = cuts;
    let mut sa = Src::new(a, c1 - CUTS_LEN as u64).compact(compact);
    let head = decode_head(&mut sa)?;
    // The node properties, what follows the relationships and the label
    // index on this thread; the relationships on the other (building
    // petgraph's links is the larger half).
    std::thread::scope(|scope| {
        let head = &head;
        let rels = scope.spawn(move || -> Result<_, String> {
            let mut sb = Src::unchecked(b, c2 - c1).compact(compact);
            let rels = decode_rels(&mut sb, head)?;
            sb.region_crc()?;
            Ok(rels)
        });
        let mine = (|| -> Result<_, String> {
            let props = decode_node_props(&mut sa, head)?;
            let crc_a = sa.region_crc()?;
            let mut sc = Src::new(c, len - c2).compact(compact);
            let tail = decode_tail(&mut sc, head)?;
            let labels = label_index(head);
            let crc_c = sc.region_crc()?;
            Ok((props, tail, labels, crc_a, crc_c, crc_b()?))
        })();
        let theirs = rels
            .join()
            .map_err(|_| "decoding the relationships failed".to_string())?;
        let (props, tail, labels, crc_a, crc_c, crc_b) = mine?;
        let mut rels = theirs?;
        rels.labels = labels;
        Ok((props, tail, rels, [crc_a, crc_b, crc_c]))
    })
    .and_then(|(props, tail, rels, crcs)| Ok((assemble(props, rels, tail)?, crcs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(pairs: &[(u32, Value)], compact: bool) -> Vec<u8> {
        let mut o = Out::new(0, compact);
        o.len(pairs.len());
        for (k, v) in pairs {
            o.num(*k);
            o.value(v);
        }
        o.b
    }

    fn src(bytes: &[u8], compact: bool) -> Src<&[u8]> {
        Src::new(bytes, bytes.len() as u64).compact(compact)
    }

    /// Decodes one record through `Src::props`, which tries the scalar
    /// path first, and through the general path alone.
    fn both(
        bytes: &[u8],
        syms: &[Sym],
        compact: bool,
    ) -> (Result<Props, String>, Result<Props, String>) {
        let keys = Keys::new(syms.to_vec());
        let fast = src(bytes, compact).props(&keys);
        let general = scalar_props(bytes, &keys, compact).map(|(p, _)| p);
        (fast, general.ok_or_else(|| "not scalar".to_string()))
    }

    #[test]
    fn numbers_round_trip_through_leb128_and_zigzag() {
        for x in [
            0,
            1,
            -1,
            63,
            -64,
            64,
            127,
            128,
            300,
            1 << 40,
            i64::MAX,
            i64::MIN,
        ] {
            let mut o = Out::new(0, true);
            o.leb(zigzag(x));
            let mut at = 0;
            assert_eq!(leb(&o.b, &mut at).map(unzigzag), Some(x));
            assert_eq!(at, o.b.len());
            // Cut short, it is refused.
            assert_eq!(leb(&o.b[..o.b.len() - 1], &mut 0), None);
        }
        // Eleven bytes, or a tenth byte with more than the last bit: too long.
        assert_eq!(leb(&[0x80; 11], &mut 0), None);
        // 1 in two bytes: longer than it needs.
        assert_eq!(leb(&[0x81, 0x00], &mut 0), None);
        assert_eq!(leb(&[0x81, 0x01], &mut 0), Some(129));
        assert_eq!(
            leb(
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
                &mut 0
            ),
            None
        );
        assert_eq!(
            leb(
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
                &mut 0
            ),
            Some(u64::MAX)
        );
    }

    #[test]
    fn a_name_index_claiming_more_entries_than_its_bytes_is_refused_before_allocating() {
        // 2^24 slots for 100,000 entries, in 100,000 bytes: an entry takes
        // at least six, so the count is refused before the table is made.
        let mut o = Out::new(0, true);
        o.len(1 << 24);
        o.len(100_000);
        o.b.resize(o.b.len() + 100_000, 0);
        let err = compact_name_slots(&mut src(&o.b, true)).unwrap_err();
        assert!(err.contains("more than the data holds"), "{err}");
        // A table larger than its entries need is refused too.
        let mut o = Out::new(0, true);
        o.len(1 << 10);
        o.len(1);
        o.b.extend_from_slice(&[0, 1, 2, 3, 4, 5]);
        let err = compact_name_slots(&mut src(&o.b, true)).unwrap_err();
        assert!(err.contains("slots for 1 entries"), "{err}");
    }

    #[test]
    fn scalar_records_decode_as_the_general_path_does() {
        for compact in [false, true] {
            scalar_records_decode_alike(compact);
        }
    }

    fn scalar_records_decode_alike(compact: bool) {
        let syms = [Sym::new("a"), Sym::new("b"), Sym::new("c")];
        let date = FDate::day(2024, 7, 3)
            .map(Value::Date)
            .unwrap_or(Value::Null);
        let rec = record(
            &[
                (0, Value::String("Minsk – Мінск".into())),
                (1, Value::Int(-7)),
                (2, date.clone()),
            ],
            compact,
        );
        let (fast, scalar) = both(&rec, &syms, compact);
        let expect: Props = [
            ("a", Value::String("Minsk – Мінск".into())),
            ("b", Value::Int(-7)),
            ("c", date),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(fast, Ok(expect.clone()));
        assert_eq!(scalar, Ok(expect));
    }

    #[test]
    fn records_the_scalar_path_refuses_get_the_general_error() {
        for compact in [false, true] {
            refused_alike(compact);
        }
    }

    fn refused_alike(compact: bool) {
        let keys = Keys::new(vec![Sym::new("a"), Sym::new("b")]);
        let record = |pairs: &[(u32, Value)]| record(pairs, compact);
        // A bad string, a bad date, an unknown key, keys out of order, a
        // record cut short: each is refused by the scalar path and
        // reported by the general one.
        let mut bad_utf8 = record(&[(0, Value::String("ab".into()))]);
        let n = bad_utf8.len();
        bad_utf8[n - 1] = 0xff;
        let mut bad_date = record(&[(0, Value::Int(0))]);
        // The count and the key.
        bad_date.truncate(if compact { 2 } else { 8 });
        bad_date.extend_from_slice(&[6, 0xe8, 7, 0, 0, 13, 1, 2, 0]);
        let cases = [
            (bad_utf8, "UTF-8"),
            (bad_date, "invalid date"),
            (record(&[(9, Value::Int(1))]), "not in the symbol table"),
            (
                record(&[(1, Value::Int(1)), (0, Value::Int(2))]),
                "not sorted",
            ),
        ];
        for (bytes, says) in cases {
            assert!(scalar_props(&bytes, &keys, compact).is_none());
            let err = src(&bytes, compact).props(&keys).unwrap_err();
            assert!(err.contains(says), "{err}");
        }
        let whole = record(&[(0, Value::String("abcdef".into()))]);
        let cut = &whole[..whole.len() - 2];
        assert!(scalar_props(cut, &keys, compact).is_none());
        let err = src(cut, compact).props(&keys).unwrap_err();
        assert!(err.contains("more than the data holds"), "{err}");
    }
}
