//! The store file, and the encoding of write-ahead log records. The only
//! user of bincode; besides [`super::wal`], the only module that touches files.
//!
//! Layout (all integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `FACTGRPH` |
//! | 8..12 | format version (u32) |
//! | 12..20 | payload length in bytes (u64) |
//! | 20..24 | CRC-32 of the payload (u32) |
//! | 24.. | payload: the graph, bincode 2 standard configuration |
//!
//! Architecture invariant: a store file is only ever replaced whole, by
//! [`save`]: a temporary file in the same directory is written, synced,
//! renamed over the old one, and the directory is synced. A file that fails
//! to load is never written to.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use bincode::de::Decoder;
use bincode::error::{AllowedEnumVariants, DecodeError};
use bincode::{Decode, Encode};
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableGraph};
use petgraph::visit::{EdgeIndexable, NodeIndexable};

use super::column::NodeColumn;
use super::constraints::{Constraint, Entity, Kind};
use super::{Change, Graph, RelProps};
use crate::error::StoreError;
use crate::model::schema::{NodeKind, PropDecl, PropType, RelKind};
use crate::model::{FDate, LabelSet, NodeId, Props, PropsRef, RelId, Schema, Sym, Value};

pub const MAGIC: &[u8; 8] = b"FACTGRPH";
/// The newest format this build reads, and writes for a graph with
/// constraints: format 5 with the constraints' definitions after the
/// schema and index definitions. A graph without constraints is written
/// as format 5 ([`PLAIN_VERSION`]), which older builds read.
pub const FORMAT_VERSION: u32 = 6;
/// The format written for a graph without constraints.
pub const PLAIN_VERSION: u32 = 5;
/// The first format that can hold constraints.
const CONSTRAINTS_VERSION: u32 = 6;

/// The format `graph` is written in.
pub fn version_for(graph: &Graph) -> u32 {
    if graph.constraints().next().is_some() {
        FORMAT_VERSION
    } else {
        PLAIN_VERSION
    }
}

/// The first format whose numbers are LEB128 ([`super::v2`]).
const COMPACT_VERSION: u32 = 5;
const HEADER_LEN: usize = 24;

/// A property value as stored. Decoded by hand (below) so that nesting is
/// bounded; encoded by the derive, so the bytes are the derive's.
#[derive(Encode)]
enum SValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<SValue>),
    Date {
        year: i32,
        month: u8,
        day: u8,
        precision: u8,
        approx: bool,
    },
    /// Added after format 1 shipped, at the end so that older files decode
    /// unchanged: a Cypher temporal as its kind and ISO text.
    Temporal {
        kind: String,
        text: String,
    },
}

/// How deeply lists may nest in a store or log record. A property holds
/// scalars or a list of scalars (one level, see `Value::is_storable`); the
/// limit leaves room above that and keeps a hostile file, two bytes a level,
/// from overflowing the stack of the recursive decoder (or of anything that
/// walks the value after it).
const MAX_LIST_NESTING: usize = 16;

impl<Context> Decode<Context> for SValue {
    fn decode<D: Decoder<Context = Context>>(d: &mut D) -> Result<Self, DecodeError> {
        decode_svalue(d, 0)
    }
}
bincode::impl_borrow_decode!(SValue);

/// Decodes what `#[derive(Encode)]` wrote for an [`SValue`] (the variant's
/// index, then its fields), refusing lists nested deeper than
/// [`MAX_LIST_NESTING`].
fn decode_svalue<D: Decoder>(d: &mut D, depth: usize) -> Result<SValue, DecodeError> {
    let variant = u32::decode(d)?;
    Ok(match variant {
        0 => SValue::Null,
        1 => SValue::Bool(bool::decode(d)?),
        2 => SValue::Int(i64::decode(d)?),
        3 => SValue::Float(f64::decode(d)?),
        4 => SValue::String(String::decode(d)?),
        5 => {
            if depth >= MAX_LIST_NESTING {
                return Err(DecodeError::OtherString(format!(
                    "lists nested more than {MAX_LIST_NESTING} levels deep"
                )));
            }
            // As bincode's own `Vec` decoder: the length is claimed against
            // the limit before anything is allocated.
            let len = u64::decode(d)?;
            let len = usize::try_from(len).map_err(|_| DecodeError::OutsideUsizeRange(len))?;
            d.claim_container_read::<SValue>(len)?;
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                d.unclaim_bytes_read(std::mem::size_of::<SValue>());
                items.push(decode_svalue(d, depth + 1)?);
            }
            SValue::List(items)
        }
        6 => SValue::Date {
            year: i32::decode(d)?,
            month: u8::decode(d)?,
            day: u8::decode(d)?,
            precision: u8::decode(d)?,
            approx: bool::decode(d)?,
        },
        7 => SValue::Temporal {
            kind: String::decode(d)?,
            text: String::decode(d)?,
        },
        found => {
            return Err(DecodeError::UnexpectedVariant {
                type_name: "SValue",
                allowed: &AllowedEnumVariants::Range { min: 0, max: 7 },
                found,
            });
        }
    })
}

#[derive(Encode, Decode)]
struct SNode {
    labels: Vec<String>,
    props: Vec<(String, SValue)>,
}

#[derive(Encode, Decode)]
struct SRel {
    from: u32,
    to: u32,
    rel_type: String,
    props: Vec<(String, SValue)>,
}

#[derive(Encode, Decode)]
struct SPropDecl {
    name: String,
    ty: String,
    required: bool,
}

#[derive(Encode, Decode)]
struct SKind {
    name: String,
    from: Vec<String>,
    to: Vec<String>,
    props: Vec<SPropDecl>,
    doc: String,
}

#[derive(Encode, Decode)]
struct SSchema {
    nodes: Vec<SKind>,
    rels: Vec<SKind>,
}

#[derive(Encode, Decode)]
struct SGraph {
    /// Node slots in index order; `None` is a hole left by a deletion.
    nodes: Vec<Option<SNode>>,
    /// Relationship slots in index order.
    rels: Vec<Option<SRel>>,
    schema: Option<SSchema>,
}

fn to_svalue(v: &Value) -> SValue {
    match v {
        Value::Null | Value::Node(_) | Value::Rel(_) | Value::Path(_) | Value::Map(_) => {
            SValue::Null
        }
        Value::Bool(b) => SValue::Bool(*b),
        Value::Int(i) => SValue::Int(*i),
        Value::Float(f) => SValue::Float(*f),
        Value::String(s) => SValue::String(s.clone()),
        Value::List(items) => SValue::List(items.iter().map(to_svalue).collect()),
        Value::Date(d) => SValue::Date {
            year: d.year,
            month: d.month,
            day: d.day,
            precision: d.precision as u8,
            approx: d.approx,
        },
        Value::Temporal(t) => SValue::Temporal {
            kind: t.function_name().to_string(),
            text: t.to_string(),
        },
    }
}

fn from_svalue(v: SValue) -> Result<Value, String> {
    Ok(match v {
        SValue::Null => Value::Null,
        SValue::Bool(b) => Value::Bool(b),
        SValue::Int(i) => Value::Int(i),
        SValue::Float(f) => Value::Float(f),
        SValue::String(s) => Value::String(s),
        SValue::List(items) => Value::List(
            items
                .into_iter()
                .map(from_svalue)
                .collect::<Result<_, _>>()?,
        ),
        SValue::Date {
            year,
            month,
            day,
            precision,
            approx,
        } => {
            let d = match precision {
                0 => Some(FDate::year(year)),
                1 => FDate::month(year, month),
                2 => FDate::day(year, month, day),
                _ => None,
            }
            .ok_or_else(|| format!("invalid date {year}-{month}-{day} (precision {precision})"))?;
            Value::Date(if approx { d.approximate() } else { d })
        }
        SValue::Temporal { kind, text } => {
            Value::temporal(crate::model::temporal::parse_stored(&kind, &text)?)
        }
    })
}

fn to_sprops(p: PropsRef<'_>) -> Vec<(String, SValue)> {
    p.iter()
        .map(|(k, v)| (k.to_string(), to_svalue(&v)))
        .collect()
}

fn from_sprops(p: Vec<(String, SValue)>) -> Result<Props, String> {
    let pairs: Vec<(Sym, Value)> = p
        .into_iter()
        .map(|(k, v)| Ok((Sym::new(&k), from_svalue(v)?)))
        .collect::<Result<_, String>>()?;
    Ok(pairs.into_iter().collect())
}

fn to_sdecls(d: &[PropDecl]) -> Vec<SPropDecl> {
    d.iter()
        .map(|d| SPropDecl {
            name: d.name.clone(),
            ty: d.ty.to_string(),
            required: d.required,
        })
        .collect()
}

fn from_sdecls(d: Vec<SPropDecl>) -> Result<Vec<PropDecl>, String> {
    d.into_iter()
        .map(|d| {
            let ty = PropType::parse(&d.ty)
                .ok_or_else(|| format!("unknown property type '{}'", d.ty))?;
            Ok(PropDecl {
                name: d.name,
                ty,
                required: d.required,
            })
        })
        .collect()
}

fn to_sgraph(graph: &Graph) -> SGraph {
    let g = graph.raw();
    let nodes = (0..g.node_bound())
        .map(|i| {
            g.node_weight(NodeIndex::new(i)).map(|labels| SNode {
                labels: labels.to_strings(),
                props: to_sprops(graph.raw_node_props(i)),
            })
        })
        .collect();
    let rels = (0..g.edge_bound())
        .map(|i| {
            let e = EdgeIndex::new(i);
            let (a, b) = g.edge_endpoints(e)?;
            let t = g.edge_weight(e)?;
            Some(SRel {
                from: a.index() as u32,
                to: b.index() as u32,
                rel_type: t.to_string(),
                props: to_sprops(graph.raw_rel_props(i as u32).into()),
            })
        })
        .collect();
    let schema = graph.schema().map(to_sschema);
    SGraph {
        nodes,
        rels,
        schema,
    }
}

fn to_sschema(s: &Schema) -> SSchema {
    SSchema {
        nodes: s
            .nodes
            .values()
            .map(|k| SKind {
                name: k.name.clone(),
                from: vec![],
                to: vec![],
                props: to_sdecls(&k.props),
                doc: k.doc.clone(),
            })
            .collect(),
        rels: s
            .rels
            .values()
            .map(|k| SKind {
                name: k.name.clone(),
                from: k.from.clone(),
                to: k.to.clone(),
                props: to_sdecls(&k.props),
                doc: k.doc.clone(),
            })
            .collect(),
    }
}

fn from_sgraph(s: SGraph) -> Result<Graph, String> {
    let mut g: StableGraph<LabelSet, Sym, petgraph::Directed, u32> =
        StableGraph::with_capacity(s.nodes.len(), s.rels.len());
    let mut node_props = NodeColumn::with_capacity(s.nodes.len(), 0);
    let mut rel_props = RelProps::default();
    // Holes are re-created as placeholder slots and removed afterwards, so
    // every node and relationship keeps its id.
    let mut holes = Vec::new();
    for slot in s.nodes {
        match slot {
            Some(n) => {
                let i = g.add_node(n.labels.into());
                node_props.set(i.index(), &from_sprops(n.props)?);
            }
            None => {
                holes.push(g.add_node(LabelSet::default()));
            }
        }
    }
    let bound = g.node_bound();
    let mut is_hole = vec![false; bound];
    for h in &holes {
        is_hole[h.index()] = true;
    }
    let mut rel_holes = Vec::new();
    let anchor = s.rels.iter().flatten().next().map(|r| r.from);
    for slot in s.rels {
        match slot {
            Some(r) => {
                if r.from as usize >= bound || r.to as usize >= bound {
                    return Err(format!(
                        "relationship refers to node {} beyond the last node",
                        r.from.max(r.to)
                    ));
                }
                let (a, b) = (
                    NodeIndex::new(r.from as usize),
                    NodeIndex::new(r.to as usize),
                );
                if is_hole[a.index()] || is_hole[b.index()] {
                    return Err("relationship refers to a deleted node".into());
                }
                let e = g.add_edge(a, b, Sym::new(&r.rel_type));
                let props = from_sprops(r.props)?;
                if !props.is_empty() {
                    rel_props.insert(e.index() as u32, props);
                }
            }
            None => {
                if let Some(a) = anchor {
                    // The anchor is the first relationship's start, which is
                    // only checked when that relationship's turn comes.
                    if a as usize >= bound {
                        return Err(format!(
                            "relationship refers to node {a} beyond the last node"
                        ));
                    }
                    let a = NodeIndex::new(a as usize);
                    rel_holes.push(g.add_edge(a, a, Sym::default()));
                }
            }
        }
    }
    for e in rel_holes.into_iter().rev() {
        g.remove_edge(e);
    }
    for n in holes.into_iter().rev() {
        g.remove_node(n);
    }
    let schema = s.schema.map(from_sschema).transpose()?;
    Ok(Graph::from_parts(
        g, node_props, rel_props, None, None, schema,
    ))
}

fn from_sschema(ss: SSchema) -> Result<Schema, String> {
    let mut schema = Schema::default();
    for k in ss.nodes {
        schema.nodes.insert(
            k.name.clone(),
            NodeKind {
                name: k.name,
                props: from_sdecls(k.props)?,
                doc: k.doc,
            },
        );
    }
    for k in ss.rels {
        schema.rels.insert(
            k.name.clone(),
            RelKind {
                name: k.name,
                from: k.from,
                to: k.to,
                props: from_sdecls(k.props)?,
                doc: k.doc,
            },
        );
    }
    Ok(schema)
}

// ---- write-ahead log records -------------------------------------------
//
// A record's payload is one committed statement's changes; the framing
// (length, checksum, sequence number) is in `wal`. Variants are only ever
// appended, so old logs keep decoding.

#[derive(Encode, Decode)]
enum SChange {
    CreateNode {
        id: u32,
        labels: Vec<String>,
        props: Vec<(String, SValue)>,
    },
    CreateRel {
        id: u32,
        from: u32,
        to: u32,
        rel_type: String,
        props: Vec<(String, SValue)>,
    },
    SetNodeProp {
        id: u32,
        key: String,
        value: Option<SValue>,
    },
    SetRelProp {
        id: u32,
        key: String,
        value: Option<SValue>,
    },
    AddLabel {
        id: u32,
        label: String,
    },
    RemoveLabel {
        id: u32,
        label: String,
    },
    DeleteRel {
        id: u32,
    },
    DeleteNode {
        id: u32,
    },
    SetSchema(Option<SSchema>),
    CreateIndex(SIndex),
    DropIndex {
        name: String,
    },
    CreateConstraint(SConstraint),
    DropConstraint {
        name: String,
    },
}

/// A property index's definition (its contents are rebuilt from the nodes).
#[derive(Encode, Decode)]
struct SIndex {
    name: String,
    label: String,
    key: String,
}

/// A constraint's definition. `kind`: 0 unique, 1 exists, 2 key; `rel`:
/// it covers a relationship type rather than a label.
#[derive(Encode, Decode)]
struct SConstraint {
    name: String,
    kind: u8,
    rel: bool,
    label: String,
    keys: Vec<String>,
}

fn to_sconstraint(c: &Constraint) -> SConstraint {
    SConstraint {
        name: c.name.clone(),
        kind: match c.kind {
            Kind::Unique => 0,
            Kind::Exists => 1,
            Kind::Key => 2,
        },
        rel: c.entity == Entity::Rel,
        label: c.label.to_string(),
        keys: c.keys.iter().map(|k| k.to_string()).collect(),
    }
}

fn from_sconstraint(c: SConstraint) -> Result<Constraint, String> {
    Ok(Constraint {
        kind: match c.kind {
            0 => Kind::Unique,
            1 => Kind::Exists,
            2 => Kind::Key,
            k => return Err(format!("constraint '{}' has an unknown kind {k}", c.name)),
        },
        name: c.name,
        entity: if c.rel { Entity::Rel } else { Entity::Node },
        label: Sym::new(&c.label),
        keys: c.keys.iter().map(|k| Sym::new(k)).collect(),
    })
}

fn to_schange(c: &Change) -> SChange {
    match c {
        Change::CreateNode { id, labels, props } => SChange::CreateNode {
            id: id.0,
            labels: labels.to_strings(),
            props: to_sprops(props.into()),
        },
        Change::CreateRel {
            id,
            from,
            to,
            rel_type,
            props,
        } => SChange::CreateRel {
            id: id.0,
            from: from.0,
            to: to.0,
            rel_type: rel_type.to_string(),
            props: to_sprops(props.into()),
        },
        Change::SetNodeProp { id, key, value } => SChange::SetNodeProp {
            id: id.0,
            key: key.to_string(),
            value: value.as_ref().map(to_svalue),
        },
        Change::SetRelProp { id, key, value } => SChange::SetRelProp {
            id: id.0,
            key: key.to_string(),
            value: value.as_ref().map(to_svalue),
        },
        Change::AddLabel { id, label } => SChange::AddLabel {
            id: id.0,
            label: label.to_string(),
        },
        Change::RemoveLabel { id, label } => SChange::RemoveLabel {
            id: id.0,
            label: label.to_string(),
        },
        Change::DeleteRel { id } => SChange::DeleteRel { id: id.0 },
        Change::DeleteNode { id } => SChange::DeleteNode { id: id.0 },
        Change::SetSchema(s) => SChange::SetSchema(s.as_ref().map(to_sschema)),
        Change::CreateIndex { name, label, key } => SChange::CreateIndex(SIndex {
            name: name.clone(),
            label: label.to_string(),
            key: key.to_string(),
        }),
        Change::DropIndex { name } => SChange::DropIndex { name: name.clone() },
        Change::CreateConstraint(c) => SChange::CreateConstraint(to_sconstraint(c)),
        Change::DropConstraint { name } => SChange::DropConstraint { name: name.clone() },
    }
}

fn from_schange(c: SChange) -> Result<Change, String> {
    Ok(match c {
        SChange::CreateNode { id, labels, props } => Change::CreateNode {
            id: NodeId(id),
            labels: labels.into(),
            props: from_sprops(props)?,
        },
        SChange::CreateRel {
            id,
            from,
            to,
            rel_type,
            props,
        } => Change::CreateRel {
            id: RelId(id),
            from: NodeId(from),
            to: NodeId(to),
            rel_type: Sym::new(&rel_type),
            props: from_sprops(props)?,
        },
        SChange::SetNodeProp { id, key, value } => Change::SetNodeProp {
            id: NodeId(id),
            key: Sym::new(&key),
            value: value.map(from_svalue).transpose()?,
        },
        SChange::SetRelProp { id, key, value } => Change::SetRelProp {
            id: RelId(id),
            key: Sym::new(&key),
            value: value.map(from_svalue).transpose()?,
        },
        SChange::AddLabel { id, label } => Change::AddLabel {
            id: NodeId(id),
            label: Sym::new(&label),
        },
        SChange::RemoveLabel { id, label } => Change::RemoveLabel {
            id: NodeId(id),
            label: Sym::new(&label),
        },
        SChange::DeleteRel { id } => Change::DeleteRel { id: RelId(id) },
        SChange::DeleteNode { id } => Change::DeleteNode { id: NodeId(id) },
        SChange::SetSchema(s) => Change::SetSchema(s.map(from_sschema).transpose()?),
        SChange::CreateIndex(SIndex { name, label, key }) => Change::CreateIndex {
            name,
            label: Sym::new(&label),
            key: Sym::new(&key),
        },
        SChange::DropIndex { name } => Change::DropIndex { name },
        SChange::CreateConstraint(c) => Change::CreateConstraint(from_sconstraint(c)?),
        SChange::DropConstraint { name } => Change::DropConstraint { name },
    })
}

/// Decodes with a limit on what the decoder may allocate that grows with the
/// input: a length field can make bincode reserve memory before it has read
/// the elements, so a 40-byte input could otherwise ask for gigabytes. Real
/// data needs far less than 64 bytes of memory per encoded byte.
fn decode_bounded<T: Decode<()>>(
    payload: &[u8],
) -> Result<(T, usize), bincode::error::DecodeError> {
    let std = bincode::config::standard();
    match payload.len() {
        0..=0xFFFF => bincode::decode_from_slice(payload, std.with_limit::<{ 1 << 22 }>()),
        0x1_0000..=0xF_FFFF => bincode::decode_from_slice(payload, std.with_limit::<{ 1 << 26 }>()),
        0x10_0000..=0xFFF_FFFF => {
            bincode::decode_from_slice(payload, std.with_limit::<{ 1 << 34 }>())
        }
        _ => bincode::decode_from_slice(payload, std.with_limit::<{ 1 << 40 }>()),
    }
}

/// The payload of a log record holding `changes`.
pub fn encode_changes(changes: &[Change]) -> Vec<u8> {
    let s: Vec<SChange> = changes.iter().map(to_schange).collect();
    bincode::encode_to_vec(s, bincode::config::standard()).unwrap_or_default()
}

/// Decodes a log record's payload. The limit bounds what a length inside it
/// can make the decoder allocate, whatever the record claims.
pub fn decode_changes(payload: &[u8]) -> Result<Vec<Change>, String> {
    let (s, used): (Vec<SChange>, usize) = decode_bounded(payload).map_err(|e| match e {
        // A kind of change added after this build: not damage.
        bincode::error::DecodeError::UnexpectedVariant {
            type_name: "SChange",
            found,
            ..
        } => format!(
            "the record holds a change of kind {found}, which this build does not know: \
             it was written by a newer factgraph"
        ),
        e => format!("the record does not decode: {e}"),
    })?;
    if used != payload.len() {
        return Err("the record has bytes after its changes".into());
    }
    s.into_iter().map(from_schange).collect()
}

// ---- snapshot identity ---------------------------------------------------

/// What identifies the contents of one snapshot: a log names the snapshot it
/// continues, so a log left over from before a checkpoint (the process died
/// after the new snapshot was renamed in, before the log was reset) is
/// recognised as already folded in, never replayed twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotId {
    pub len: u64,
    pub crc: u32,
    pub hash: u64,
}

impl SnapshotId {
    pub const ENCODED_LEN: usize = 20;
    pub fn to_bytes(self) -> [u8; 20] {
        let mut b = [0u8; 20];
        b[..8].copy_from_slice(&self.len.to_le_bytes());
        b[8..12].copy_from_slice(&self.crc.to_le_bytes());
        b[12..].copy_from_slice(&self.hash.to_le_bytes());
        b
    }
    pub fn from_bytes(b: &[u8; 20]) -> SnapshotId {
        let mut l = [0u8; 8];
        l.copy_from_slice(&b[..8]);
        let mut c = [0u8; 4];
        c.copy_from_slice(&b[8..12]);
        let mut h = [0u8; 8];
        h.copy_from_slice(&b[12..]);
        SnapshotId {
            len: u64::from_le_bytes(l),
            crc: u32::from_le_bytes(c),
            hash: u64::from_le_bytes(h),
        }
    }
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv_word(h: u64, w: [u8; 8]) -> u64 {
    let h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0x0000_0100_0000_01b3);
    h ^ (h >> 29)
}

fn fnv_byte(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
}

/// The identity of a store file's bytes (valid or not): its length, its
/// CRC-32 and a 64-bit hash, so two snapshots that differ are told apart
/// even when their CRC-32s collide.
pub fn snapshot_id(bytes: &[u8]) -> SnapshotId {
    if is_v3(bytes) {
        let (c1, c2) = super::v2::cuts(&bytes[HEADER_LEN..]);
        let (c1, c2) = (HEADER_LEN + c1, HEADER_LEN + c2);
        let part = |b: &[u8]| {
            let mut h = Hashing::new(());
            h.eat(b);
            h
        };
        return join_ids([part(&bytes[..c1]), part(&bytes[c1..c2]), part(&bytes[c2..])]);
    }
    // FNV-1a over 8-byte words: fast, fixed forever (it is part of the log format).
    let mut h = FNV_START;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = fnv_word(h, w);
    }
    for &b in chunks.remainder() {
        h = fnv_byte(h, b);
    }
    SnapshotId {
        len: bytes.len() as u64,
        crc: crc32fast::hash(bytes),
        hash: h,
    }
}

/// Whether `bytes` start with a format-3 header: its identity is taken over
/// three parts (the parts its decoding reads on two threads).
fn is_v3(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER_LEN
        && &bytes[..MAGIC.len()] == MAGIC
        && u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) >= 3
}

/// The identity of a format-3 file from its three parts: the length and
/// CRC-32 of the whole, and a hash of the parts' hashes.
fn join_ids<R>(parts: [Hashing<R>; 3]) -> SnapshotId {
    let mut len = 0;
    let mut crc = crc32fast::Hasher::new();
    let mut hash = FNV_START;
    for p in parts {
        crc.combine(&p.crc);
        let id = p.id();
        len += id.len;
        hash = fnv_word(hash, id.hash.to_le_bytes());
    }
    SnapshotId {
        len,
        crc: crc.finalize(),
        hash,
    }
}

/// Like [`save`], and returns the identity of what was written.
pub fn save_with_id(path: &Path, graph: &Graph) -> Result<SnapshotId, StoreError> {
    write_atomic_with(path, |f| {
        write_snapshot(f, graph, version_for(graph), PIECE)
    })
}

/// How much of a snapshot is encoded before it is handed to the file.
const PIECE: usize = 1 << 20;

/// Writes the store file of `graph` (format `version`, 3 or later) into the
/// empty file `f` as it is encoded, a piece of `piece` bytes at a time, so
/// that the file is never whole in memory: the same bytes as
/// [`encode_as`]. A second thread writes each piece and hashes it; the
/// header and the cuts, known last, are written at the end, and the first
/// part of the identity (which begins with them) is read back from the
/// file while it is synced. Returns the identity of the bytes written.
fn write_snapshot(
    f: &mut File,
    graph: &Graph,
    version: u32,
    piece: usize,
) -> std::io::Result<SnapshotId> {
    use std::io::{Read, Seek, SeekFrom};
    let compact = version >= COMPACT_VERSION;
    let meta = encode_meta(graph, version);
    f.write_all(&[0; HEADER_LEN])?;
    let (to, from) = std::sync::mpsc::sync_channel(4);
    let (taken, cuts) = std::thread::scope(|scope| {
        let file = &mut *f;
        let writer = scope.spawn(move || take_pieces(file, from));
        let cuts = super::v2::encode_payload_to(graph, &meta, compact, to, piece);
        // A panic there is a bug: it goes on as one.
        let taken = writer
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (taken, cuts)
    });
    let taken = taken?;
    // The payload's checksum: the cuts' bytes, then the rest's.
    let mut crc = crc32fast::Hasher::new();
    crc.update(&cuts);
    crc.combine(&taken.after_cuts);
    let mut head = header_bytes(version, taken.len, crc.finalize());
    head.extend_from_slice(&cuts);
    f.seek(SeekFrom::Start(0))?;
    f.write_all(&head)?;
    let mut cut = [0u8; 8];
    cut.copy_from_slice(&cuts[..8]);
    let first_len = HEADER_LEN as u64 + u64::from_le_bytes(cut);
    let mut reader = f.try_clone()?;
    let file = &*f;
    std::thread::scope(|scope| {
        let synced = scope.spawn(|| file.sync_all());
        let mut first = Hashing::new(());
        let hashed = reader.seek(SeekFrom::Start(0)).and_then(|_| {
            read_through((&mut reader).take(first_len), |b| first.eat(b))?;
            if first.len == first_len {
                Ok(())
            } else {
                Err(std::io::Error::other(
                    "the snapshot just written is shorter than its cut",
                ))
            }
        });
        // A panic there is a bug: it goes on as one.
        synced
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        hashed?;
        let [second, third] = taken.parts;
        Ok(join_ids([first, second, third]))
    })
}

/// What [`take_pieces`] wrote: the payload's length, the checksum of all of
/// it but the cuts, and the hashes of the identity's second and third parts.
struct Taken {
    len: u64,
    after_cuts: crc32fast::Hasher,
    parts: [Hashing<()>; 2],
}

/// Writes the pieces of a streamed payload to `f` as they come, hashing
/// them. Stops at the first error, which hangs up on the encoder.
fn take_pieces(
    f: &mut File,
    from: std::sync::mpsc::Receiver<super::v2::Piece>,
) -> std::io::Result<Taken> {
    let mut t = Taken {
        len: 0,
        after_cuts: crc32fast::Hasher::new(),
        parts: [Hashing::new(()), Hashing::new(())],
    };
    let mut part = 0;
    for p in from {
        match p {
            super::v2::Piece::Cut => part += 1,
            super::v2::Piece::Bytes(b) => {
                f.write_all(&b)?;
                let cuts_left = (super::v2::CUTS_LEN as u64).saturating_sub(t.len);
                let skip = usize::try_from(cuts_left).map_or(b.len(), |c| c.min(b.len()));
                t.after_cuts.update(&b[skip..]);
                if part > 0 {
                    t.parts[(part - 1).min(1)].eat(&b);
                }
                t.len += b.len() as u64;
            }
        }
    }
    Ok(t)
}

/// A store file's header: magic, format version, payload length, CRC-32.
fn header_bytes(version: u32, payload_len: u64, crc: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(HEADER_LEN + super::v2::CUTS_LEN);
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&version.to_le_bytes());
    h.extend_from_slice(&payload_len.to_le_bytes());
    h.extend_from_slice(&crc.to_le_bytes());
    h
}

/// The bytes of a store file holding `graph` (format 5, or 6 with
/// constraints; [`super::v2`]).
pub fn encode(graph: &Graph) -> Vec<u8> {
    encode_as(graph, version_for(graph))
}

/// The bytes of a format-3 store file holding `graph` (its property
/// indexes left out), for tests that check format-3 files still load.
pub fn encode_v3(graph: &Graph) -> Vec<u8> {
    encode_as(graph, 3)
}

/// The bytes of a format-4 store file holding `graph` (numbers of fixed
/// width), for tests that check format-4 files still load.
pub fn encode_v4(graph: &Graph) -> Vec<u8> {
    encode_as(graph, 4)
}

/// The last section of a format-4 payload: the schema and the property
/// indexes' definitions, sorted by name (format 3 has the schema alone).
fn encode_meta(graph: &Graph, version: u32) -> Vec<u8> {
    let std = bincode::config::standard();
    let schema = graph.schema().map(to_sschema);
    if version < 4 {
        return bincode::encode_to_vec(schema, std).unwrap_or_default();
    }
    let indexes: Vec<SIndex> = graph
        .prop_indexes()
        .map(|ix| SIndex {
            name: ix.name().to_string(),
            label: ix.label().to_string(),
            key: ix.key().to_string(),
        })
        .collect();
    let mut bytes = bincode::encode_to_vec((schema, indexes), std).unwrap_or_default();
    // The constraints follow in format 6 (a graph without them is format
    // 5, byte for byte what it was before constraints existed).
    let constraints: Vec<SConstraint> = graph.constraints().map(to_sconstraint).collect();
    if version >= CONSTRAINTS_VERSION && !constraints.is_empty() {
        bytes.extend(bincode::encode_to_vec(constraints, std).unwrap_or_default());
    }
    bytes
}

/// A store file of `version` 3, 4 or 5 holding `graph`.
fn encode_as(graph: &Graph, version: u32) -> Vec<u8> {
    let compact = version >= COMPACT_VERSION;
    let mut bytes = super::v2::encode_payload(graph, &encode_meta(graph, version), compact);
    let header = header_bytes(version, bytes.len() as u64, crc32fast::hash(&bytes));
    // The header goes in front of the payload in the same buffer: a copy
    // of the payload would be as large again.
    bytes.splice(0..0, header);
    bytes
}

/// The bytes of a format-1 store file holding `graph` (bincode of the whole
/// object graph), for tests that check format-1 files still load.
pub fn encode_v1(graph: &Graph) -> Vec<u8> {
    let payload =
        bincode::encode_to_vec(to_sgraph(graph), bincode::config::standard()).unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// What a store file's header says: its format version, payload length
/// and payload checksum.
struct Header {
    version: u32,
    len: u64,
    crc: u32,
}

/// Checks a store file's header (its first bytes, `file_len` in all).
fn header(head: &[u8], file_len: u64, path: &str) -> Result<Header, StoreError> {
    let corrupt = |what: String| StoreError::Corrupt {
        path: path.to_string(),
        what,
    };
    if head.len() < MAGIC.len() || &head[..MAGIC.len()] != MAGIC {
        if file_len == 0 {
            return Err(corrupt("the file is empty".into()));
        }
        return Err(StoreError::NotAStore {
            path: path.to_string(),
        });
    }
    if head.len() < HEADER_LEN {
        return Err(corrupt(format!(
            "the file is truncated: {file_len} bytes, shorter than the header"
        )));
    }
    let u32_at = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let version = u32_at(8);
    if version > FORMAT_VERSION {
        return Err(StoreError::NewerVersion {
            path: path.to_string(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(corrupt("format version 0 does not exist".into()));
    }
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&head[12..20]);
    let len = u64::from_le_bytes(len8);
    let have = file_len - HEADER_LEN as u64;
    if len != have {
        return Err(corrupt(if have < len {
            format!(
                "the file is truncated: the header announces {len} bytes of data, {have} are there"
            )
        } else {
            format!("{} bytes follow the announced end of the data", have - len)
        }));
    }
    Ok(Header {
        version,
        len,
        crc: u32_at(20),
    })
}

/// Reads a format-2 payload from `r` and checks it against `h`.
fn decode_v2<R: std::io::Read>(r: R, h: &Header, path: &str) -> Result<Graph, StoreError> {
    let corrupt = |what: String| StoreError::Corrupt {
        path: path.to_string(),
        what,
    };
    let mut src = super::v2::Src::new(r, h.len);
    // A decoding error in a damaged file is reported as a checksum mismatch
    // when it is one: read to the end first so the checksum can be told.
    let decoded = super::v2::decode_payload(&mut src);
    let decoded = match decoded {
        Ok(d) => {
            src.finish(h.crc).map_err(corrupt)?;
            d
        }
        Err(e) => {
            return Err(corrupt(if src.checksum_matches(h.crc) {
                format!("the data does not decode: {e}")
            } else {
                "the checksum does not match the data".into()
            }));
        }
    };
    finish_decoded(decoded, h.version, path)
}

/// The graph of a decoded payload, with its schema decoded and (format 4)
/// its property indexes built.
fn finish_decoded(
    decoded: super::v2::Decoded,
    version: u32,
    path: &str,
) -> Result<Graph, StoreError> {
    let corrupt = |what: String| StoreError::Corrupt {
        path: path.to_string(),
        what,
    };
    let mut constraints: Vec<SConstraint> = Vec::new();
    let (schema, indexes): (Option<SSchema>, Vec<SIndex>) = if decoded.schema.is_empty() {
        (None, Vec::new())
    } else {
        let (s, mut used) = if version >= 4 {
            decode_bounded(&decoded.schema)
        } else {
            decode_bounded(&decoded.schema).map(|(s, used)| ((s, Vec::new()), used))
        }
        .map_err(|e| corrupt(format!("the schema does not decode: {e}")))?;
        if version >= CONSTRAINTS_VERSION && used < decoded.schema.len() {
            let (c, n) = decode_bounded(&decoded.schema[used..])
                .map_err(|e| corrupt(format!("the constraints do not decode: {e}")))?;
            constraints = c;
            used += n;
        }
        if used != decoded.schema.len() {
            return Err(corrupt("the schema has bytes after its end".into()));
        }
        s
    };
    let mut graph = decoded.graph;
    let schema = schema.map(from_sschema).transpose().map_err(corrupt)?;
    graph.replace_schema(schema);
    let defs = indexes
        .into_iter()
        .map(|i| (i.name, Sym::new(&i.label), Sym::new(&i.key)))
        .collect();
    graph
        .restore_indexes(defs)
        .map_err(|e| corrupt(format!("the index definitions do not fit: {e}")))?;
    let constraints = constraints
        .into_iter()
        .map(from_sconstraint)
        .collect::<Result<Vec<_>, _>>()
        .map_err(&corrupt)?;
    graph
        .restore_constraints(constraints)
        .map_err(|e| corrupt(format!("the constraint definitions do not fit: {e}")))?;
    Ok(graph)
}

/// Reads a format-3 payload, its relationships on a second thread: `at(o)`
/// reads the payload from offset `o` on; `cut_bytes` are its first
/// [`super::v2::CUTS_LEN`] bytes. The parts' checksums are combined and
/// checked against `h`.
#[allow(clippy::too_many_arguments)]
fn decode_v3<R: std::io::Read, B: std::io::Read + Send>(
    cut_bytes: &[u8],
    a: R,
    b: B,
    c: R,
    crc_b: impl FnOnce() -> Result<crc32fast::Hasher, String>,
    h: &Header,
    path: &str,
    whole_crc: &mut dyn FnMut() -> Option<u32>,
) -> Result<Graph, StoreError> {
    let corrupt = |what: String| StoreError::Corrupt {
        path: path.to_string(),
        what,
    };
    let (c1, c2) = cut_order(cut_bytes, h.len)
        .and_then(|cuts| {
            let compact = h.version >= COMPACT_VERSION;
            super::v2::decode_v3(cuts, h.len, compact, a, b, c, crc_b)
        })
        .map_err(|e| {
            // A decoding error in a damaged file is reported as a checksum
            // mismatch when it is one.
            corrupt(if whole_crc() == Some(h.crc) {
                format!("the data does not decode: {e}")
            } else {
                "the checksum does not match the data".into()
            })
        })?;
    let mut crc = crc32fast::Hasher::new();
    crc.update(cut_bytes);
    for part in &c2 {
        crc.combine(part);
    }
    if crc.finalize() != h.crc {
        return Err(corrupt("the checksum does not match the data".into()));
    }
    finish_decoded(c1, h.version, path)
}

/// The cuts of a format-3 payload of `len` bytes, if they lie in order.
fn cut_order(cut_bytes: &[u8], len: u64) -> Result<(u64, u64), String> {
    let mut w = [0u8; 8];
    w.copy_from_slice(&cut_bytes[..8]);
    let a = u64::from_le_bytes(w);
    w.copy_from_slice(&cut_bytes[8..16]);
    let b = u64::from_le_bytes(w);
    if (super::v2::CUTS_LEN as u64) <= a && a <= b && b <= len {
        Ok((a, b))
    } else {
        Err(format!(
            "the sections' bounds {a}..{b} do not fit in {len} bytes"
        ))
    }
}

/// Reads a graph from the bytes of a store file; `path` names it in errors.
pub fn decode(bytes: &[u8], path: &str) -> Result<Graph, StoreError> {
    let corrupt = |what: String| StoreError::Corrupt {
        path: path.to_string(),
        what,
    };
    let h = header(
        &bytes[..bytes.len().min(HEADER_LEN)],
        bytes.len() as u64,
        path,
    )?;
    let payload = &bytes[HEADER_LEN..];
    if h.version >= 3 {
        let cl = super::v2::CUTS_LEN.min(payload.len());
        if cl < super::v2::CUTS_LEN {
            return Err(corrupt("the file is truncated inside the header".into()));
        }
        let (c1, c2) = super::v2::cuts(payload);
        let rels = &payload[c1..c2];
        return decode_v3(
            &payload[..cl],
            &payload[cl..c1],
            rels,
            &payload[c2..],
            || {
                let mut crc = crc32fast::Hasher::new();
                crc.update(rels);
                Ok(crc)
            },
            &h,
            path,
            &mut || Some(crc32fast::hash(payload)),
        );
    }
    if h.version >= 2 {
        return decode_v2(payload, &h, path);
    }
    if crc32fast::hash(payload) != h.crc {
        return Err(corrupt("the checksum does not match the data".into()));
    }
    let (sg, used): (SGraph, usize) =
        decode_bounded(payload).map_err(|e| corrupt(format!("the data does not decode: {e}")))?;
    if used != payload.len() {
        return Err(corrupt("the data ends before the file does".into()));
    }
    from_sgraph(sg).map_err(corrupt)
}

/// Opens a store file.
pub fn load(path: &Path) -> Result<Graph, StoreError> {
    load_with_id(path).map(|(g, _, _)| g)
}

/// Hashes what it reads: the [`SnapshotId`] of a file read in one pass.
struct Hashing<R> {
    r: R,
    len: u64,
    crc: crc32fast::Hasher,
    fnv: u64,
    carry: [u8; 8],
    carried: usize,
}

impl<R> Hashing<R> {
    fn new(r: R) -> Hashing<R> {
        Hashing {
            r,
            len: 0,
            crc: crc32fast::Hasher::new(),
            fnv: FNV_START,
            carry: [0; 8],
            carried: 0,
        }
    }
    fn eat(&mut self, mut b: &[u8]) {
        self.len += b.len() as u64;
        self.crc.update(b);
        if self.carried > 0 {
            let k = (8 - self.carried).min(b.len());
            self.carry[self.carried..self.carried + k].copy_from_slice(&b[..k]);
            self.carried += k;
            b = &b[k..];
            if self.carried < 8 {
                return;
            }
            self.fnv = fnv_word(self.fnv, self.carry);
            self.carried = 0;
        }
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.fnv = fnv_word(self.fnv, w);
        }
        let rest = chunks.remainder();
        self.carry[..rest.len()].copy_from_slice(rest);
        self.carried = rest.len();
    }
    fn id(self) -> SnapshotId {
        let mut h = self.fnv;
        for &b in &self.carry[..self.carried] {
            h = fnv_byte(h, b);
        }
        SnapshotId {
            len: self.len,
            crc: self.crc.finalize(),
            hash: h,
        }
    }
}

impl<R: std::io::Read> std::io::Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.r.read(buf)?;
        self.eat(&buf[..n]);
        Ok(n)
    }
}

/// Opens a store file in one streaming pass (never holding the whole file
/// and the graph at once), and returns its [`SnapshotId`] and format version.
pub fn load_with_id(path: &Path) -> Result<(Graph, SnapshotId, u32), StoreError> {
    use std::io::Read;
    let shown = path.display().to_string();
    let io = |source: std::io::Error| StoreError::Io {
        path: shown.clone(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    let mut r = Hashing::new(&file);
    let mut head = Vec::with_capacity(HEADER_LEN);
    (&mut r)
        .take(HEADER_LEN as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let h = header(&head, file_len, &shown)?;
    if h.version >= 3 {
        return load_v3(&file, r, &h, &shown);
    }
    if h.version >= 2 {
        let g = decode_v2(&mut r, &h, &shown)?;
        return Ok((g, r.id(), h.version));
    }
    let mut bytes = head;
    r.read_to_end(&mut bytes).map_err(io)?;
    let g = decode(&bytes, &shown)?;
    Ok((g, snapshot_id(&bytes), h.version))
}

/// Reads a file position without moving the file's own, so that two
/// threads can read one file.
struct At<'a> {
    f: &'a File,
    off: u64,
}

impl std::io::Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let n = self.f.read_at(buf, self.off)?;
        self.off += n as u64;
        Ok(n)
    }
}

/// [`load_with_id`] of a format-3 file, whose header `r` has read.
fn load_v3(
    file: &File,
    r: Hashing<&File>,
    h: &Header,
    path: &str,
) -> Result<(Graph, SnapshotId, u32), StoreError> {
    use std::io::Read;
    let io = |source: std::io::Error| StoreError::Io {
        path: path.to_string(),
        source,
    };
    let corrupt = |what: String| StoreError::Corrupt {
        path: path.to_string(),
        what,
    };
    // The header was read through `r`; it goes on hashing the first part.
    let mut r0 = Hashing {
        r: At {
            f: file,
            off: HEADER_LEN as u64,
        },
        len: r.len,
        crc: r.crc,
        fnv: r.fnv,
        carry: r.carry,
        carried: r.carried,
    };
    let mut cut_bytes = [0u8; super::v2::CUTS_LEN];
    if h.len < cut_bytes.len() as u64 {
        return Err(corrupt("the file is truncated inside the header".into()));
    }
    r0.read_exact(&mut cut_bytes).map_err(io)?;
    let (c1, c2) = match cut_order(&cut_bytes, h.len) {
        Ok(c) => c,
        // Any order: decode_v3 reports the error (or the checksum).
        Err(_) => (h.len, h.len),
    };
    let at = |o: u64| {
        Hashing::new(At {
            f: file,
            off: HEADER_LEN as u64 + o,
        })
    };
    let (mut r1, mut r2) = (at(c1), at(c2));
    // The relationship thread reads its section without hashing it; this
    // thread reads it again through `r1` (from the page cache) for its
    // checksum and the snapshot's identity.
    let rels = At {
        f: file,
        off: HEADER_LEN as u64 + c1,
    };
    let rels_len = c2.saturating_sub(c1);
    let g = decode_v3(
        &cut_bytes,
        &mut r0,
        rels,
        // Not the same type as `r0` (a reference): a reference as well.
        &mut r2,
        || {
            // `r1` hashes what passes through it.
            read_through((&mut r1).take(rels_len), |_| {})
                .map_err(|e| format!("reading the data: {e}"))?;
            Ok(r1.crc.clone())
        },
        h,
        path,
        &mut || {
            let mut crc = crc32fast::Hasher::new();
            let rest = At {
                f: file,
                off: HEADER_LEN as u64,
            }
            .take(h.len);
            read_through(rest, |b| crc.update(b)).ok()?;
            Some(crc.finalize())
        },
    )?;
    Ok((g, join_ids([r0, r1, r2]), h.version))
}

/// Reads `r` to its end in 1 MiB chunks, handing each to `chunk`.
fn read_through(mut r: impl std::io::Read, mut chunk: impl FnMut(&[u8])) -> std::io::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match r.read(&mut buf)? {
            0 => return Ok(()),
            n => chunk(&buf[..n]),
        }
    }
}

/// Writes `graph` to `path` atomically: temporary file in the same
/// directory, fsync, rename, fsync of the directory. When this returns Ok
/// the new contents are on disk; on error the old file is untouched.
pub fn save(path: &Path, graph: &Graph) -> Result<(), StoreError> {
    save_with_id(path, graph).map(|_| ())
}

/// Writes a file atomically, its contents by `write` (into an empty file,
/// opened for reading too): a temporary file in the same directory, fsync,
/// rename, fsync of the directory. When this returns Ok the new contents
/// are on disk; on error the old file is untouched.
fn write_atomic_with<T>(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<T>,
) -> Result<T, StoreError> {
    let shown = path.display().to_string();
    let io = |source: std::io::Error| StoreError::Io {
        path: shown.clone(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".into());
    let mut tmp = TempFile(Some(
        dir.join(format!(".{name}.tmp-{}", std::process::id())),
    ));
    let result = (|| {
        let at = tmp.0.clone().unwrap_or_default();
        let mut f = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&at)?;
        let out = write(&mut f)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&at, path)?;
        tmp.0 = None;
        // Make the rename itself durable.
        if let Ok(d) = File::open(&dir) {
            d.sync_all()?;
        }
        Ok(out)
    })();
    result.map_err(io)
}

/// A temporary file that is removed when this is dropped unless it was
/// renamed into place (`None`) first: on an error, and on a panic inside
/// the writing (the encoder runs there), none is left behind.
struct TempFile(Option<std::path::PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;

    #[test]
    fn a_log_record_of_an_unknown_kind_of_change_is_from_a_newer_build_not_damage() {
        // One change whose variant is past the last this build knows.
        let known = encode_changes(&[Change::DropIndex { name: "x".into() }]);
        assert!(decode_changes(&known).is_ok());
        let err = decode_changes(&[1, 200]).err().unwrap_or_default();
        assert!(
            err.contains("kind 200") && err.contains("newer factgraph"),
            "{err}"
        );
        // Damage is still damage.
        let err = decode_changes(&[1]).err().unwrap_or_default();
        assert!(err.contains("does not decode"), "{err}");
    }

    fn sample() -> Graph {
        let mut g = Graph::new();
        let mut p = Props::new();
        p.insert("name".into(), "Belarus".into());
        p.insert(
            "since".into(),
            Value::Date(FDate::parse("~2023-10").unwrap()),
        );
        p.insert(
            "tags".into(),
            Value::List(vec![Value::Int(1), Value::Float(2.5)]),
        );
        let a = g.create_node(vec!["State".into()], p).unwrap();
        let gone = g.create_node(vec![], Props::new()).unwrap();
        let b = g
            .create_node(vec!["Organisation".into()], Props::new())
            .unwrap();
        let r0 = g.create_rel(a, b, "X".into(), Props::new()).unwrap();
        g.create_rel(a, b, "MEMBER_OF".into(), Props::new())
            .unwrap();
        g.delete_rel(r0).unwrap();
        g.delete_node(gone).unwrap();
        g
    }

    /// The sample and two thousand nodes more, with names, properties on
    /// nodes and relationships, and holes where some were deleted.
    fn larger() -> Graph {
        let mut g = sample();
        let mut ids = Vec::new();
        for i in 0..2000i64 {
            let mut p = Props::new();
            p.insert("name".into(), format!("n{i}").into());
            p.insert("k".into(), Value::Int(i));
            let label = if i % 3 == 0 { "A" } else { "B" };
            ids.push(g.create_node(vec![label.into()], p).unwrap());
        }
        for i in 0..6000usize {
            let (a, b) = (ids[(i * 7) % 2000], ids[(i * 13 + 5) % 2000]);
            let mut p = Props::new();
            if i % 4 == 0 {
                p.insert("w".into(), Value::Int(i as i64));
            }
            let t = if i % 2 == 0 { "R" } else { "S" };
            g.create_rel(a, b, t.into(), p).unwrap();
        }
        for &n in ids.iter().step_by(97) {
            g.detach_delete_node(n).unwrap();
        }
        g
    }

    #[test]
    fn a_streamed_snapshot_is_the_bytes_encode_makes_and_its_identity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.fg");
        for (name, g) in [
            ("empty", Graph::new()),
            ("sample", sample()),
            ("larger", larger()),
        ] {
            for version in [3, 4, PLAIN_VERSION, FORMAT_VERSION] {
                let want = encode_as(&g, version);
                // Pieces of one byte up to more than the whole: cuts fall
                // inside pieces, at their ends, and in the first piece.
                for piece in [1, 7, 100, 4096, 1 << 20] {
                    let id = write_atomic_with(&path, |f| write_snapshot(f, &g, version, piece))
                        .unwrap();
                    let got = fs::read(&path).unwrap();
                    assert!(got == want, "{name}, format {version}, pieces of {piece}");
                    assert_eq!(id, snapshot_id(&want), "{name}, format {version}, {piece}");
                }
            }
        }
        // save_with_id streams: what it writes loads, under its identity.
        let g = larger();
        let id = save_with_id(&path, &g).unwrap();
        let (back, loaded_id, _) = load_with_id(&path).unwrap();
        assert_eq!(id, loaded_id);
        assert!(encode(&back) == encode(&g));
    }

    #[test]
    #[cfg(unix)]
    fn a_snapshot_whose_writes_fail_midway_is_an_error_not_a_hang() {
        use std::io::Read;
        // Twenty thousand named nodes: a payload well past a pipe's buffer.
        let mut g = larger();
        for i in 0..20_000i64 {
            let mut p = Props::new();
            p.insert("name".into(), format!("node number {i}").into());
            g.create_node(vec!["C".into()], p).unwrap();
        }
        assert!(encode(&g).len() > 256 << 10);
        for piece in [1, 64, 4096, 1 << 20] {
            // The reader takes the header and a little more, then hangs up:
            // a write of the pieces fails (not the header's, nor a seek,
            // which would say "Illegal seek"), the writer hangs up on the
            // encoder, and the encoder, with pieces left, stops sending.
            let (mut reader, writer) = std::io::pipe().unwrap();
            let taker = std::thread::spawn(move || {
                let mut buf = vec![0u8; HEADER_LEN + 100];
                reader.read_exact(&mut buf).is_ok()
            });
            let mut f = File::from(std::os::fd::OwnedFd::from(writer));
            let err = write_snapshot(&mut f, &g, FORMAT_VERSION, piece).unwrap_err();
            assert!(taker.join().unwrap(), "the reader got its bytes");
            assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe, "{piece}: {err}");
        }
    }

    #[test]
    fn a_failed_or_panicking_write_leaves_the_store_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.fg");
        save(&path, &sample()).unwrap();
        let before = fs::read(&path).unwrap();
        let only_the_store = || {
            let names: Vec<_> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(names, vec![std::ffi::OsString::from("s.fg")]);
            assert_eq!(fs::read(&path).unwrap(), before);
        };
        let failed = write_atomic_with(&path, |f| {
            f.write_all(b"half a snapshot")?;
            Err::<(), _>(std::io::Error::other("the disk is full"))
        });
        assert!(failed.is_err());
        only_the_store();
        let panicked = std::panic::catch_unwind(|| {
            let _ = write_atomic_with(&path, |f| -> std::io::Result<()> {
                f.write_all(b"half a snapshot")?;
                panic!("a bug in the encoder");
            });
        });
        assert!(panicked.is_err());
        only_the_store();
    }

    #[test]
    fn roundtrip_keeps_ids_properties_and_indexes() {
        let g = sample();
        let back = decode(&encode(&g), "mem").unwrap();
        assert_eq!(
            back.node_ids().collect::<Vec<_>>(),
            g.node_ids().collect::<Vec<_>>()
        );
        assert_eq!(
            back.rel_ids().collect::<Vec<_>>(),
            g.rel_ids().collect::<Vec<_>>()
        );
        for id in g.node_ids() {
            assert_eq!(back.node(id), g.node(id));
        }
        assert_eq!(back.lookup("belarus").len(), 1);
        assert_eq!(encode(&back), encode(&g));
    }

    #[test]
    fn format_5_and_format_4_hold_the_same_graph_through_random_writes() {
        // Relationships in every order (end nodes going up and down),
        // holes among nodes and relationships, numbers of every size,
        // aliases in the name index: format 5 (LEB128) and format 4 (fixed
        // width) decode to the same graph, which encodes again to the
        // same bytes.
        let mut g = Graph::new();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut nodes = Vec::new();
        for i in 0..300u64 {
            let mut p = Props::new();
            p.insert("name".into(), Value::String(format!("n{i} ü")));
            let big = (next(u64::MAX) as i64) >> next(64);
            p.insert("x".into(), Value::Int(if i % 2 == 0 { big } else { -big }));
            if i % 7 == 0 {
                p.insert(
                    "aliases".into(),
                    Value::List(vec![Value::String(format!("a{i}"))]),
                );
            }
            let label = ["State", "Organisation", "Person"][(i % 3) as usize];
            nodes.push(g.create_node(vec![label.into()], p).unwrap());
        }
        let mut rels = Vec::new();
        for i in 0..2000u64 {
            let (a, b) = (nodes[next(300) as usize], nodes[next(300) as usize]);
            let mut p = Props::new();
            if i % 5 == 0 {
                p.insert("level".into(), Value::Int(next(1 << 40) as i64 - (1 << 39)));
            }
            let t = ["A", "B", "MEMBER_OF"][next(3) as usize];
            rels.push(g.create_rel(a, b, t.into(), p).unwrap());
        }
        for _ in 0..300 {
            let r = rels[next(rels.len() as u64) as usize];
            let _ = g.delete_rel(r);
        }
        for k in 0..20 {
            detach_delete(&mut g, nodes[k * 13]);
        }
        let v5 = encode(&g);
        let v4 = encode_v4(&g);
        assert_eq!(u32::from_le_bytes([v5[8], v5[9], v5[10], v5[11]]), 5);
        let (from5, from4) = (decode(&v5, "v5").unwrap(), decode(&v4, "v4").unwrap());
        assert_eq!(encode(&from5), v5);
        assert_eq!(encode(&from4), v5);
        assert_eq!(encode_v4(&from5), v4);
        for id in g.node_ids() {
            assert_eq!(from5.node(id), g.node(id));
        }
        for r in g.rel_ids() {
            assert_eq!(from5.rel_ends(r), g.rel_ends(r));
            assert_eq!(from5.rel(r), g.rel(r));
        }
        assert_eq!(from5.lookup("a14").len(), 1);
        assert_eq!(from5.lookup("N15 Ü").len(), 1);
        // Every cut of the file is refused, none panics.
        for end in (HEADER_LEN..v5.len()).step_by(7) {
            assert!(decode(&v5[..end], "cut").is_err());
        }
        // Bytes changed behind a correct checksum reach the decoder: each is
        // refused or decodes to a graph that encodes stably, none panics.
        for _ in 0..3000 {
            let mut bad = v5.clone();
            for _ in 0..1 + next(3) {
                let at = HEADER_LEN + next((bad.len() - HEADER_LEN) as u64) as usize;
                bad[at] = next(256) as u8;
            }
            let crc = crc32fast::hash(&bad[HEADER_LEN..]);
            bad[HEADER_LEN - 4..HEADER_LEN].copy_from_slice(&crc.to_le_bytes());
            if let Ok(h) = decode(&bad, "bad") {
                let again = encode(&h);
                assert_eq!(encode(&decode(&again, "again").unwrap()), again);
            }
        }
    }

    /// Deletes node `n` and its relationships.
    fn detach_delete(g: &mut Graph, n: NodeId) {
        let mut gone: Vec<RelId> = g.out_rels(n).chain(g.in_rels(n)).map(|(r, _)| r).collect();
        // A loop is in both lists.
        gone.sort();
        gone.dedup();
        for r in gone {
            g.delete_rel(r).unwrap();
        }
        g.delete_node(n).unwrap();
    }

    #[test]
    fn relationships_of_every_node_and_type_width_reload() {
        // Node ids of one, two and three bytes and types of one and two
        // (each pair has its own decoding loop), with and without deleted
        // nodes (checked by a bitmap, or by the bound alone).
        for (nodes, types, holes) in [
            (200, 3, false),
            (300, 3, true),
            (70_000, 3, false),
            (70_000, 300, true),
        ] {
            let mut g = Graph::new();
            let ids: Vec<NodeId> = (0..nodes)
                .map(|i| {
                    let mut p = Props::new();
                    p.insert("name".into(), Value::String(format!("n{i}")));
                    let label = ["State", "Person"][i % 2];
                    g.create_node(vec![label.into()], p).unwrap()
                })
                .collect();
            let ty: Vec<String> = (0..types).map(|t| format!("T{t}")).collect();
            for i in 0..nodes * 2 {
                let (a, b) = (ids[i * 7919 % nodes], ids[(i * 104_729 + 1) % nodes]);
                g.create_rel(a, b, ty[i % types].as_str().into(), Props::new())
                    .unwrap();
            }
            if holes {
                detach_delete(&mut g, ids[nodes / 2]);
            }
            let bytes = encode(&g);
            let back = decode(&bytes, "widths").unwrap();
            assert_eq!(encode(&back), bytes, "{nodes} nodes, {types} types");
            for r in g.rel_ids() {
                assert_eq!(back.rel_ends(r), g.rel_ends(r));
                assert_eq!(back.rel(r), g.rel(r));
            }
            for label in ["State", "Person"] {
                assert!(back.nodes_with_label(label).eq(g.nodes_with_label(label)));
            }
            let last = format!("n{}", nodes - 1);
            assert_eq!(back.lookup(&last), g.lookup(&last));
            assert_eq!(back.lookup(&last).len(), 1);
        }
    }

    #[test]
    fn a_graph_whose_elements_were_all_deleted_reloads() {
        let mut g = Graph::new();
        let a = g.create_node(vec!["A".into()], Props::new()).unwrap();
        let b = g.create_node(vec![], Props::new()).unwrap();
        g.create_rel(a, b, "R".into(), Props::new()).unwrap();
        g.detach_delete_node(a).unwrap();
        g.delete_node(b).unwrap();
        let back = decode(&encode(&g), "mem").unwrap();
        assert_eq!(back.node_count() + back.rel_count(), 0);
        let mut back = back;
        let c = back.create_node(vec![], Props::new()).unwrap();
        assert!(back.node(c).is_some());
    }

    #[test]
    fn format_1_files_still_load() {
        let g = sample();
        let back = decode(&encode_v1(&g), "v1").unwrap();
        assert_eq!(encode(&back), encode(&g));
        assert_eq!(back.lookup("BELARUS").len(), 1);
    }

    /// A store file of `version` around `payload`: header, length, checksum.
    fn framed(version: u32, payload: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&version.to_le_bytes());
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    /// The definitions of a graph's property indexes, with their sizes.
    fn index_defs(g: &Graph) -> Vec<(String, String, String, usize)> {
        g.prop_indexes()
            .map(|ix| {
                let (l, k) = (ix.label().to_string(), ix.key().to_string());
                (ix.name().to_string(), l, k, ix.len())
            })
            .collect()
    }

    #[test]
    fn constraints_are_kept_in_the_snapshot_and_replayed_from_the_log() {
        use crate::store::constraints::{Constraint, Entity, Kind};
        let mut g = sample();
        let without = encode(&g);
        let def = |name: &str, kind, entity, label: &str, keys: &[&str]| Constraint {
            name: name.into(),
            kind,
            entity,
            label: Sym::new(label),
            keys: keys.iter().map(|k| Sym::new(k)).collect(),
        };
        g.start_journal();
        g.create_constraint(def("u", Kind::Unique, Entity::Node, "State", &["name"]))
            .unwrap();
        g.create_constraint(def(
            "k",
            Kind::Unique,
            Entity::Rel,
            "MEMBER_OF",
            &["since", "x"],
        ))
        .unwrap_or_else(|e| panic!("{e:?}"));
        // Dropped and made again: its index goes and comes with it.
        g.drop_constraint("u").unwrap();
        g.create_constraint(def("u", Kind::Unique, Entity::Node, "State", &["name"]))
            .unwrap();
        let changes = g.take_journal();
        assert_eq!(
            changes.len(),
            4,
            "the index is not logged apart: {changes:?}"
        );
        let defs = |g: &Graph| g.constraints().cloned().collect::<Vec<_>>();
        let ixs = |g: &Graph| {
            g.prop_indexes()
                .map(|i| i.name().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ixs(&g), ["u"]);
        // The snapshot.
        let back = decode(&encode(&g), "mem").unwrap();
        assert_eq!(defs(&back), defs(&g));
        assert_eq!(ixs(&back), ixs(&g));
        assert_eq!(encode(&back), encode(&g));
        assert_eq!(encode(&g)[8..12], FORMAT_VERSION.to_le_bytes());
        assert_eq!(without[8..12], PLAIN_VERSION.to_le_bytes());
        // A graph without constraints is written as before they existed.
        assert_eq!(encode(&decode(&without, "mem").unwrap()), without);
        // The log: its records decode to the same changes, which replay.
        let mut replayed = decode(&without, "mem").unwrap();
        for c in &changes {
            let again = from_schange(to_schange(c)).unwrap();
            assert_eq!(&again, c);
            replayed.apply(again).unwrap();
        }
        assert_eq!(defs(&replayed), defs(&g));
        assert_eq!(ixs(&replayed), ixs(&g));
    }

    #[test]
    fn property_indexes_are_kept_and_rebuilt_on_load() {
        let mut g = sample();
        g.create_index(None, "State", "since").unwrap();
        g.create_index(Some("by name"), "State", "name").unwrap();
        let back = decode(&encode(&g), "mem").unwrap();
        assert_eq!(
            index_defs(&back),
            [
                ("by name".into(), "State".into(), "name".into(), 1),
                (
                    "index_State_since".into(),
                    "State".into(),
                    "since".into(),
                    1
                ),
            ]
        );
        let belarus = back.lookup("Belarus");
        assert_eq!(
            back.prop_index("State", "name")
                .and_then(|ix| ix.get(&"Belarus".into())),
            Some(belarus)
        );
        assert_eq!(encode(&back), encode(&g));
        // A definition the graph refuses (two indexes on one label and
        // key) is a damaged file, not a panic.
        let mut meta = bincode::encode_to_vec(
            (
                None::<SSchema>,
                vec![
                    SIndex {
                        name: "a".into(),
                        label: "L".into(),
                        key: "k".into(),
                    },
                    SIndex {
                        name: "b".into(),
                        label: "L".into(),
                        key: "k".into(),
                    },
                ],
            ),
            bincode::config::standard(),
        )
        .unwrap();
        let mut payload = super::super::v2::encode_payload(&Graph::new(), &[], false);
        payload.truncate(payload.len() - 4);
        payload.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        payload.append(&mut meta);
        let e = decode(&framed(4, &payload), "f").err().unwrap().to_string();
        assert!(e.contains("index definitions"), "{e}");
    }

    #[test]
    fn format_2_3_and_4_files_still_load() {
        let mut g = sample();
        let v3 = encode_v3(&g);
        assert_eq!(u32::from_le_bytes([v3[8], v3[9], v3[10], v3[11]]), 3);
        // Format 2 is format 3 without the cuts.
        let v2 = framed(2, &v3[HEADER_LEN + super::super::v2::CUTS_LEN..]);
        let ix = g.create_index(None, "State", "name").unwrap();
        let v4 = encode_v4(&g);
        let back = decode(&v4, "v4").unwrap();
        assert_eq!(encode(&back), encode(&g));
        assert_eq!(index_defs(&back), index_defs(&g));
        // Format 5 writes its numbers in fewer bytes.
        assert!(
            encode(&g).len() < v4.len() * 3 / 4,
            "{} {}",
            encode(&g).len(),
            v4.len()
        );
        g.drop_index(&ix).unwrap();
        for old in [v2, v3] {
            let back = decode(&old, "old").unwrap();
            assert_eq!(encode(&back), encode(&g));
            assert_eq!(back.lookup("BELARUS").len(), 1);
            assert_eq!(snapshot_id(&old).len, old.len() as u64);
        }
        // Format 3 has no place for indexes: they are left out.
        g.create_index(None, "State", "name").unwrap();
        assert_eq!(index_defs(&decode(&encode_v3(&g), "v3").unwrap()), []);
    }

    #[test]
    fn format_2_counts_beyond_the_data_are_refused_without_allocating() {
        // A payload claiming four billion symbols, framed correctly.
        let bytes = framed(2, &u32::MAX.to_le_bytes());
        let e = decode(&bytes, "f").err().unwrap().to_string();
        assert!(e.contains("more than the data holds"), "{e}");
    }

    #[test]
    fn temporals_roundtrip() {
        use crate::model::temporal::{Kind, parse, parse_duration};
        let mut g = Graph::new();
        let mut p = Props::new();
        let dt = parse(
            Kind::DateTime,
            "1984-10-11T12:31:14.645+01:00[Europe/Stockholm]",
        )
        .unwrap();
        p.insert("at".into(), dt);
        p.insert("t".into(), parse(Kind::Time, "12:00-02:05:07").unwrap());
        let dur = parse_duration("PT-1M-0.001S").unwrap();
        p.insert(
            "spans".into(),
            Value::List(vec![Value::temporal(crate::model::Temporal::Duration(dur))]),
        );
        let a = g.create_node(vec![], p).unwrap();
        let back = decode(&encode(&g), "mem").unwrap();
        assert_eq!(back.node(a), g.node(a));
    }

    #[test]
    fn damage_is_detected() {
        let bytes = encode(&sample());
        assert!(matches!(decode(b"", "f"), Err(StoreError::Corrupt { .. })));
        assert!(matches!(
            decode(b"hello world, not a store", "f"),
            Err(StoreError::NotAStore { .. })
        ));
        for cut in [8, 20, 23, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                matches!(decode(&bytes[..cut], "f"), Err(StoreError::Corrupt { .. })),
                "cut at {cut}"
            );
        }
        for i in [25, bytes.len() / 2, bytes.len() - 1] {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(
                matches!(decode(&b, "f"), Err(StoreError::Corrupt { .. })),
                "flip at {i}"
            );
        }
        let mut newer = bytes.clone();
        newer[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        assert!(matches!(
            decode(&newer, "f"),
            Err(StoreError::NewerVersion { .. })
        ));
    }

    fn nested(levels: usize) -> SValue {
        let mut v = SValue::Int(7);
        for _ in 0..levels {
            v = SValue::List(vec![SValue::Null, v]);
        }
        v
    }

    #[test]
    fn values_decode_as_the_derive_encoded_them() {
        let values = [
            SValue::Null,
            SValue::Bool(true),
            SValue::Int(-5),
            SValue::Float(2.5),
            SValue::String("Außen".into()),
            SValue::Date {
                year: -44,
                month: 3,
                day: 15,
                precision: 2,
                approx: true,
            },
            nested(MAX_LIST_NESTING),
            SValue::Temporal {
                kind: "duration".into(),
                text: "P1Y2M".into(),
            },
        ];
        for v in values {
            let bytes = bincode::encode_to_vec(&v, bincode::config::standard()).unwrap();
            let (back, used): (SValue, usize) = decode_bounded(&bytes).unwrap();
            assert_eq!(used, bytes.len());
            assert_eq!(
                bincode::encode_to_vec(&back, bincode::config::standard()).unwrap(),
                bytes
            );
        }
        let bytes = bincode::encode_to_vec(SValue::Int(1), bincode::config::standard()).unwrap();
        let mut bad = bytes.clone();
        bad[0] = 8;
        assert!(
            decode_bounded::<SValue>(&bad).is_err(),
            "variant 8 does not exist"
        );
    }

    #[test]
    fn lists_nested_too_deep_are_refused() {
        let bytes =
            bincode::encode_to_vec(nested(MAX_LIST_NESTING + 1), bincode::config::standard())
                .unwrap();
        let e = decode_bounded::<SValue>(&bytes).err().unwrap().to_string();
        assert!(e.contains("nested more than 16 levels"), "{e}");
    }

    /// Found by the store_decoder fuzz target: a deleted relationship slot
    /// before the first relationship, whose start node does not exist,
    /// made the decoder panic in petgraph instead of refusing the file.
    #[test]
    fn a_relationship_hole_anchored_beyond_the_nodes_is_refused() {
        let sg = SGraph {
            nodes: vec![],
            rels: vec![
                None,
                Some(SRel {
                    from: 0,
                    to: 0,
                    rel_type: "R".into(),
                    props: vec![],
                }),
            ],
            schema: None,
        };
        let payload = bincode::encode_to_vec(sg, bincode::config::standard()).unwrap();
        let e = decode(&framed(1, &payload), "f").err().unwrap().to_string();
        assert!(e.contains("beyond the last node"), "{e}");
    }
}
