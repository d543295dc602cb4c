//! The graph: a petgraph `StableGraph` of nodes and relationships, an index of
//! names and aliases, a label index, and the schema every write is checked
//! against. Only [`persist`] and [`wal`] touch files.

mod column;
pub mod constraints;
mod groups;
pub mod index;
pub mod persist;
pub mod propindex;
mod v2;
pub mod wal;

pub use wal::{Report, backup, check};

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableGraph};
use petgraph::visit::{EdgeIndexable, EdgeRef, IntoEdgeReferences, NodeIndexable};

use crate::error::QueryError;
use crate::model::names::{did_you_mean, fold};
use crate::model::{LabelSet, NodeId, Props, PropsRef, RelId, Schema, Sym, Value};
use column::NodeColumn;
use constraints::{Constraint, Entity};
use index::{IdSet, NameIndex};
use propindex::{PropIndex, PropIndexes};

/// A node: its labels (kinds) and properties.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    pub labels: LabelSet,
    pub props: Props,
}

/// A node in the graph, borrowed: its labels and properties.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeRef<'a> {
    pub labels: LabelSet,
    pub props: PropsRef<'a>,
}

impl NodeRef<'_> {
    /// An owned copy.
    pub fn to_node(&self) -> Node {
        Node {
            labels: self.labels,
            props: self.props.to_props(),
        }
    }
}

/// A relationship as a value: its type and properties (its ends are in
/// the graph). The graph keeps the two apart (see [`Graph`]); it hands out
/// [`RelRef`]s.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rel {
    pub rel_type: Sym,
    pub props: Props,
}

/// A relationship in the graph, borrowed: its type and properties.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelRef<'a> {
    pub rel_type: Sym,
    pub props: PropsRef<'a>,
}

impl RelRef<'_> {
    /// An owned copy.
    pub fn to_rel(&self) -> Rel {
        Rel {
            rel_type: self.rel_type,
            props: self.props.to_props(),
        }
    }
}

/// A node's relationships in one direction ([`Graph::rels_with_data`]).
pub struct RelsWith<'a> {
    graph: &'a Graph,
    id: NodeId,
    dir: Direction,
    types: Option<&'a [Sym]>,
    way: Way<'a>,
}

enum Way<'a> {
    /// Along petgraph's list, counting what the walk visits and keeps.
    Walk {
        edges: petgraph::stable_graph::Edges<'a, Sym, petgraph::Directed, u32>,
        steps: u32,
        matched: u32,
    },
    /// Through the node's group of the one type asked for, with `left` of
    /// its slots still to read (backwards: newest first).
    Grouped {
        group: std::sync::Arc<groups::Group>,
        rel_type: Sym,
        left: usize,
    },
    Done,
}

impl Iterator for RelsWith<'_> {
    type Item = (RelId, NodeId, Sym);

    fn next(&mut self) -> Option<Self::Item> {
        let graph = self.graph;
        let outgoing = self.dir == Direction::Outgoing;
        match &mut self.way {
            Way::Walk {
                edges,
                steps,
                matched,
            } => {
                for e in edges.by_ref() {
                    *steps += 1;
                    if self.types.is_none_or(|ts| ts.contains(e.weight())) {
                        *matched += 1;
                        let other = if outgoing { e.target() } else { e.source() };
                        return Some((rid(e.id()), nid(other), *e.weight()));
                    }
                }
                // A long list mostly of other types: group it for the
                // next walk.
                if self.types.is_some_and(|ts| ts.len() == 1)
                    && *steps >= groups::DENSE
                    && *matched * 2 <= *steps
                {
                    graph.groups.group(&graph.g, self.id.0, self.dir);
                }
                self.way = Way::Done;
                None
            }
            Way::Grouped {
                group,
                rel_type,
                left,
            } => {
                let t = *rel_type;
                while *left > 0 {
                    *left -= 1;
                    let e = group.of_type(t)[*left];
                    if !groups::listed_here(&graph.g, e, self.id.0, self.dir, t) {
                        continue;
                    }
                    let ei = EdgeIndex::new(e as usize);
                    let (s, d) = graph.g.edge_endpoints(ei)?;
                    let other = if outgoing { d } else { s };
                    return Some((RelId(e), nid(other), t));
                }
                None
            }
            Way::Done => None,
        }
    }
}

static NO_PROPS: Props = Props::new();

/// Hashes a `u32` id by one multiplication: ids are dense, and SipHash
/// would cost more than the lookup it serves. Also the evaluator's hasher
/// for relationship ids and for the addresses of a statement's own
/// expressions, and the database's for the texts of its prepared scripts
/// (keys of the store's own user, who has no one to attack by collisions).
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Eight bytes a multiply (a statement's text, which the prepared
        // scripts are found by, is hashed at every run).
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            let x = u64::from_le_bytes(a);
            self.0 = (self.0.rotate_left(29) ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        for &b in words.remainder() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        self.0 ^= self.0 >> 32;
    }
    fn write_u32(&mut self, i: u32) {
        self.0 = (u64::from(i) | 1 << 40).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, i: usize) {
        // An address: its low bits are zero and the product's low bits,
        // which pick the bucket, follow only from them; fold the high ones in.
        let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 32);
    }
}

/// Properties of the relationships that have any, by relationship slot.
pub type RelProps = HashMap<u32, Props, BuildHasherDefault<IdHasher>>;

/// The property that holds an entity's canonical name.
pub const NAME: &str = "name";
/// The property that holds an entity's other names.
pub const ALIASES: &str = "aliases";
/// The names of the indexes every graph has: the label index, the name
/// and alias index and the relationship-type index (`SHOW INDEXES` lists
/// them; they cannot be dropped).
pub const BUILTIN_INDEXES: [&str; 3] = ["builtin_labels", "builtin_names", "builtin_types"];

/// The store's graph with its indexes.
///
/// Architecture invariant: `names`, `labels` and `prop_indexes` always agree
/// with the nodes' `name`/`aliases` properties, labels and indexed
/// properties, and the relationship uniqueness constraints' keys (when
/// built) with the relationships of their types; every mutation goes
/// through the methods here, which keep them so.
///
/// Memory layout (a million nodes and five million relationships must fit
/// in a few hundred MB): a relationship's petgraph weight is only its type
/// symbol (4 bytes; 20 bytes an edge with petgraph's links); the properties
/// of the few relationships that have any are in `rel_props`, by slot. A
/// node's weight is its interned label set (4 bytes; 12 with the links), its
/// [`Props`] are in `node_props`, by slot: the array that building the
/// links walks at random stays small.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    g: StableGraph<LabelSet, Sym, petgraph::Directed, u32>,
    /// Per node slot, its properties (empty for a vacant slot), packed.
    node_props: NodeColumn,
    rel_props: RelProps,
    names: NameIndex,
    labels: BTreeMap<Sym, IdSet>,
    /// Per relationship type, its relationships' ids: built on first use
    /// (opening a store does not pay for it), then kept current by every
    /// write that adds or removes a relationship.
    rel_types: std::sync::OnceLock<BTreeMap<Sym, IdSet>>,
    /// The relationship groups of dense nodes: built by the walks that
    /// need them, then kept current by every write that adds or removes a
    /// relationship or a node.
    groups: groups::Groups,
    /// The property indexes (`CREATE INDEX`).
    prop_indexes: PropIndexes,
    /// The constraints (`CREATE CONSTRAINT`), checked at the end of each
    /// writing statement, with the keys of the relationship uniqueness
    /// ones (`constraints::RelKeys`).
    constraints: constraints::Constraints,
    schema: Option<Schema>,
    /// Changes made since [`Graph::start_journal`], when journaling is on.
    /// A rollback trims it back with the graph, so a failed statement's
    /// changes never reach the write-ahead log.
    journal: Option<Vec<Change>>,
    /// The inverses of the changes made since [`Graph::begin`], while a
    /// statement is open. Rolling back replays them newest first, so each
    /// one finds the graph exactly as its change left it.
    undo: Option<Vec<Undo>>,
    /// The journal's length at [`Graph::begin`], to trim it back to.
    journal_at_begin: usize,
}

/// How to take back one change. Deletions keep the whole element and its
/// id, so that undoing them puts it back in the same slot.
#[derive(Debug, Clone)]
enum Undo {
    CreatedNode(NodeId),
    CreatedRel(RelId),
    NodeProp {
        id: NodeId,
        key: Sym,
        old: Option<Value>,
    },
    RelProp {
        id: RelId,
        key: Sym,
        old: Option<Value>,
    },
    /// The label was pushed at the end of the node's labels.
    LabelAdded {
        id: NodeId,
    },
    /// The label stood at `pos` in the node's labels.
    LabelRemoved {
        id: NodeId,
        label: Sym,
        pos: usize,
    },
    DeletedRel {
        id: RelId,
        from: NodeId,
        to: NodeId,
        rel: Rel,
    },
    DeletedNode {
        id: NodeId,
        node: Node,
    },
    Schema(Option<Schema>),
    IndexCreated(String),
    /// The index as it was when dropped: the graph is that way again
    /// when this is undone.
    IndexDropped(PropIndex),
    ConstraintCreated(String),
    ConstraintDropped(Constraint),
}

/// A constraint's error, with the constraint's name and rule after it.
fn named_rule(mut e: QueryError, c: &Constraint) -> QueryError {
    e.message = format!("{} (constraint '{}': {c})", e.message, c.name);
    e
}

/// The elements a constraint check reads: a statement's, borrowed, or
/// all that a constraint covers.
enum Touched<'a> {
    Nodes(std::borrow::Cow<'a, [NodeId]>),
    Rels(std::borrow::Cow<'a, [RelId]>),
}

impl Touched<'_> {
    fn len(&self) -> usize {
        match self {
            Touched::Nodes(v) => v.len(),
            Touched::Rels(v) => v.len(),
        }
    }
}

/// A point in an open statement to roll back to ([`Graph::mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    undo: usize,
    journal: usize,
}

/// What the elements a statement changed looked like before it, read off
/// the undo log ([`Graph::before`]). Elements not in it are unchanged.
#[derive(Debug, Default)]
pub struct Before {
    /// None: the node did not exist before.
    pub nodes: HashMap<NodeId, Option<Node>>,
    /// None: the relationship did not exist before.
    pub rels: HashMap<RelId, Option<Rel>>,
    /// Every label in use before.
    pub labels: BTreeSet<String>,
}

impl Before {
    /// A node's properties before the statement (None: it did not exist).
    pub fn node_props<'a>(&'a self, g: &'a Graph, id: NodeId) -> Option<PropsRef<'a>> {
        match self.nodes.get(&id) {
            Some(n) => n.as_ref().map(|n| PropsRef::from(&n.props)),
            None => g.node(id).map(|n| n.props),
        }
    }
    /// A relationship's properties before the statement.
    pub fn rel_props<'a>(&'a self, g: &'a Graph, id: RelId) -> Option<PropsRef<'a>> {
        match self.rels.get(&id) {
            Some(r) => r.as_ref().map(|r| PropsRef::from(&r.props)),
            None => g.rel(id).map(|r| r.props),
        }
    }
}

/// One change to the graph, as the write-ahead log records it.
///
/// Ids are explicit. `StableGraph` hands out vacant slots from a free list
/// whose order depends on the order of past deletions, and a graph read back
/// from a snapshot has its holes in a different order than the process that
/// wrote the log had. Replaying "create a node" and letting the graph choose
/// would then give different ids, so every create carries the id it got and
/// replay puts the element in exactly that slot ([`Graph::apply`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    CreateNode {
        id: NodeId,
        labels: LabelSet,
        props: Props,
    },
    CreateRel {
        id: RelId,
        from: NodeId,
        to: NodeId,
        rel_type: Sym,
        props: Props,
    },
    /// `value` None removes the property.
    SetNodeProp {
        id: NodeId,
        key: Sym,
        value: Option<Value>,
    },
    SetRelProp {
        id: RelId,
        key: Sym,
        value: Option<Value>,
    },
    AddLabel {
        id: NodeId,
        label: Sym,
    },
    RemoveLabel {
        id: NodeId,
        label: Sym,
    },
    DeleteRel {
        id: RelId,
    },
    /// The node has no relationships left when this is applied (a detach
    /// delete is logged as its relationship deletions, then this).
    DeleteNode {
        id: NodeId,
    },
    SetSchema(Option<Schema>),
    /// A property index was created (its contents follow from the nodes).
    CreateIndex {
        name: String,
        label: Sym,
        key: Sym,
    },
    DropIndex {
        name: String,
    },
    /// A constraint was created (the graph satisfied it then).
    CreateConstraint(Constraint),
    DropConstraint {
        name: String,
    },
}

/// How far beyond the last slot a replayed create may put an element. The
/// gap exists because a snapshot does not keep trailing holes; the bound
/// keeps a hostile log from making replay allocate billions of slots.
const MAX_SLOT_GAP: usize = 1 << 22;

fn ni(id: NodeId) -> NodeIndex<u32> {
    NodeIndex::new(id.0 as usize)
}
fn ei(id: RelId) -> EdgeIndex<u32> {
    EdgeIndex::new(id.0 as usize)
}
fn nid(i: NodeIndex<u32>) -> NodeId {
    NodeId(i.index() as u32)
}
fn rid(i: EdgeIndex<u32>) -> RelId {
    RelId(i.index() as u32)
}

/// The names a node is found by: its `name` and each of its `aliases`.
fn names_of(props: PropsRef<'_>) -> Vec<std::borrow::Cow<'_, str>> {
    let mut out = Vec::new();
    if let Some(s) = props.get_str(NAME) {
        out.push(s.into());
    }
    if let Some(Value::List(items)) = props.get(ALIASES).as_deref() {
        out.extend(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| s.to_owned().into()),
        );
    }
    out
}

fn missing_node(id: NodeId) -> QueryError {
    QueryError::new(
        crate::error::ErrorClass::EntityNotFound,
        "DeletedEntityAccess",
        format!("node {} does not exist (it was deleted)", id.0),
    )
}
fn missing_rel(id: RelId) -> QueryError {
    QueryError::new(
        crate::error::ErrorClass::EntityNotFound,
        "DeletedEntityAccess",
        format!("relationship {} does not exist (it was deleted)", id.0),
    )
}

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
    }
    pub fn with_schema(schema: Schema) -> Graph {
        Graph {
            schema: Some(schema),
            ..Graph::default()
        }
    }

    // ---- journal -------------------------------------------------------

    /// Starts recording changes (clearing any recorded ones).
    pub fn start_journal(&mut self) {
        self.journal = Some(Vec::new());
    }

    /// Whether changes are being recorded ([`Graph::start_journal`]).
    pub fn journaling(&self) -> bool {
        self.journal.is_some()
    }

    /// The changes recorded since [`Graph::start_journal`]; stops recording.
    pub fn take_journal(&mut self) -> Vec<Change> {
        self.journal.take().unwrap_or_default()
    }

    fn record(&mut self, change: impl FnOnce() -> Change) {
        if let Some(j) = &mut self.journal {
            j.push(change());
        }
    }

    // ---- statements: undo log -------------------------------------------

    /// Opens a statement: from here every change records its inverse, until
    /// [`Graph::commit`] or [`Graph::rollback`]. Returns false (and changes
    /// nothing) if one is open already; the caller then works inside it,
    /// with a [`Graph::mark`] to roll back to.
    pub fn begin(&mut self) -> bool {
        if self.undo.is_some() {
            return false;
        }
        self.undo = Some(Vec::new());
        self.journal_at_begin = self.journal.as_ref().map_or(0, Vec::len);
        true
    }

    /// True while a statement is open.
    pub fn in_statement(&self) -> bool {
        self.undo.is_some()
    }

    /// Runs `f` on the graph all or nothing: when `f` fails the graph, its
    /// indexes and its journal are as they were, every element at its old
    /// id. A graph with elements is changed in place under the undo log
    /// (within the caller's statement if one is open), so a small change to
    /// a big graph copies nothing; an empty one outside a statement through
    /// a copy, which costs nothing and keeps no undo log (a bulk load's
    /// usual case; `Database::import` takes that path for an empty store).
    pub fn all_or_nothing<T, E>(
        &mut self,
        f: impl FnOnce(&mut Graph) -> Result<T, E>,
    ) -> Result<T, E> {
        if self.node_count() == 0 && self.rel_count() == 0 && !self.in_statement() {
            let mut work = self.clone();
            let out = f(&mut work)?;
            *self = work;
            return Ok(out);
        }
        let own = self.begin();
        let mark = self.mark();
        let out = f(self);
        if out.is_err() {
            self.rollback_to(mark);
        }
        if own {
            self.commit();
        }
        out
    }

    /// Closes the open statement, keeping its changes.
    pub fn commit(&mut self) {
        self.undo = None;
    }

    /// Closes the open statement, undoing its changes: the graph, its
    /// indexes and the journal are as they were at [`Graph::begin`], every
    /// element at its old id.
    pub fn rollback(&mut self) {
        self.rollback_to(Mark {
            undo: 0,
            journal: self.journal_at_begin,
        });
        self.undo = None;
    }

    /// The current point in the open statement (and in the journal).
    pub fn mark(&self) -> Mark {
        Mark {
            undo: self.undo.as_ref().map_or(0, Vec::len),
            journal: self.journal.as_ref().map_or(0, Vec::len),
        }
    }

    /// Undoes the changes made since `mark`; the statement stays open.
    pub fn rollback_to(&mut self, mark: Mark) {
        let Some(mut undo) = self.undo.take() else {
            return;
        };
        while undo.len() > mark.undo {
            if let Some(u) = undo.pop() {
                self.revert(u);
            }
        }
        self.undo = Some(undo);
        if let Some(j) = &mut self.journal {
            j.truncate(mark.journal);
        }
    }

    fn push_undo(&mut self, u: impl FnOnce() -> Undo) {
        if let Some(log) = &mut self.undo {
            log.push(u());
        }
    }

    /// Applies one inverse. Each finds the graph as its change left it (the
    /// later changes are undone already), so none of them can fail; the
    /// checks only keep a bug from turning into a panic.
    fn revert(&mut self, u: Undo) {
        match u {
            Undo::CreatedNode(id) => {
                self.unindex_node(id);
                // Removing the newest element pushes its slot back on the
                // head of the free list, where the create took it from.
                self.remove_node_slot(id);
            }
            Undo::CreatedRel(id) => {
                self.remove_edge(id);
            }
            Undo::NodeProp { id, key, old } => {
                self.put_node_prop(id, key, old);
            }
            Undo::RelProp { id, key, old } => {
                self.put_rel_prop(id, key, old);
            }
            Undo::LabelAdded { id } => {
                if let Some(labels) = self.g.node_weight_mut(ni(id)) {
                    let (rest, last) = labels.popped();
                    *labels = rest;
                    if let Some(l) = last
                        && !rest.contains(&l)
                    {
                        if let Some(set) = self.labels.get_mut(&l) {
                            set.remove(id);
                        }
                        self.prop_indexes
                            .label_removed(id, l, self.node_props.get(id.0 as usize));
                    }
                }
            }
            Undo::LabelRemoved { id, label, pos } => {
                if let Some(labels) = self.g.node_weight_mut(ni(id)) {
                    *labels = labels.with_at(pos, label);
                    self.labels.entry(label).or_default().insert(id);
                    self.prop_indexes
                        .label_added(id, label, self.node_props.get(id.0 as usize));
                }
            }
            Undo::DeletedRel { id, from, to, rel } => {
                // The deletion put the slot at the head of the free list,
                // so placing it takes one step.
                let _ = self.place_rel(id, from, to, rel);
            }
            Undo::DeletedNode { id, node } => {
                if self.place_node(id, node).is_ok() {
                    self.index_node(id);
                }
            }
            Undo::Schema(s) => self.schema = s,
            Undo::IndexCreated(name) => {
                self.prop_indexes.remove(&name);
            }
            Undo::IndexDropped(ix) => self.prop_indexes.add(ix),
            Undo::ConstraintCreated(name) => {
                self.constraints.remove(&name);
            }
            Undo::ConstraintDropped(c) => self.constraints.add(c),
        }
    }

    /// What the elements changed since `mark` looked like at `mark`, for
    /// counting a statement's effects. Costs the length of the undo log.
    pub fn before(&self, mark: Mark) -> Before {
        let mut b = Before::default();
        let log = self.undo.as_deref().unwrap_or(&[]);
        let log = log.get(mark.undo..).unwrap_or(&[]);
        // Newest first: each inverse turns the state after its change into
        // the state before it; states start as they are now.
        for u in log.iter().rev() {
            match u {
                Undo::CreatedNode(id) => {
                    b.nodes.insert(*id, None);
                }
                Undo::DeletedNode { id, node } => {
                    b.nodes.insert(*id, Some(node.clone()));
                }
                Undo::NodeProp { id, key, old } => {
                    if let Some(Some(n)) = self.node_entry(&mut b, *id) {
                        match old {
                            Some(v) => n.props.insert(*key, v.clone()),
                            None => n.props.remove(key),
                        };
                    }
                }
                Undo::LabelAdded { id } => {
                    if let Some(Some(n)) = self.node_entry(&mut b, *id) {
                        n.labels = n.labels.popped().0;
                    }
                }
                Undo::LabelRemoved { id, label, pos } => {
                    if let Some(Some(n)) = self.node_entry(&mut b, *id) {
                        n.labels = n.labels.with_at(*pos, *label);
                    }
                }
                Undo::CreatedRel(id) => {
                    b.rels.insert(*id, None);
                }
                Undo::DeletedRel { id, rel, .. } => {
                    b.rels.insert(*id, Some(rel.clone()));
                }
                Undo::RelProp { id, key, old } => {
                    let r = b
                        .rels
                        .entry(*id)
                        .or_insert_with(|| self.rel(*id).map(|r| r.to_rel()));
                    if let Some(r) = r {
                        match old {
                            Some(v) => r.props.insert(*key, v.clone()),
                            None => r.props.remove(key),
                        };
                    }
                }
                Undo::Schema(_)
                | Undo::IndexCreated(_)
                | Undo::IndexDropped(_)
                | Undo::ConstraintCreated(_)
                | Undo::ConstraintDropped(_) => {}
            }
        }
        // A label was in use before if a node that kept its state has it
        // now, or a changed node had it before. Only the changed nodes are
        // walked, never a label's whole set.
        let mut changed_now: HashMap<&str, usize> = HashMap::new();
        for id in b.nodes.keys() {
            let labels = self.node(*id).map(|n| n.labels.as_slice()).unwrap_or(&[]);
            for l in labels.iter().map(Sym::as_str).collect::<BTreeSet<_>>() {
                *changed_now.entry(l).or_default() += 1;
            }
        }
        for (label, set) in &self.labels {
            if set.len() > changed_now.get(label.as_str()).copied().unwrap_or(0) {
                b.labels.insert(label.to_string());
            }
        }
        let old: Vec<String> = b
            .nodes
            .values()
            .flatten()
            .flat_map(|n| n.labels.iter().map(|l| l.to_string()))
            .collect();
        b.labels.extend(old);
        b
    }

    fn node_entry<'b>(&self, b: &'b mut Before, id: NodeId) -> Option<&'b mut Option<Node>> {
        Some(
            b.nodes
                .entry(id)
                .or_insert_with(|| self.node(id).map(|n| n.to_node())),
        )
    }

    /// Applies a logged change, putting created elements at their logged ids.
    /// Replay trusts the log for the schema (the writer checked it) but not
    /// for structure: a change that does not fit the graph is an error.
    pub fn apply(&mut self, change: Change) -> Result<(), String> {
        let qe = |e: QueryError| e.message;
        match change {
            Change::CreateNode { id, labels, props } => {
                self.place_node(id, Node { labels, props })?;
                self.index_node(id);
            }
            Change::CreateRel {
                id,
                from,
                to,
                rel_type,
                props,
            } => {
                if self.node(from).is_none() || self.node(to).is_none() {
                    return Err(format!(
                        "relationship {} joins node {} and node {}, one of which does not exist",
                        id.0, from.0, to.0
                    ));
                }
                self.place_rel(id, from, to, Rel { rel_type, props })?;
            }
            Change::SetNodeProp { id, key, value } => {
                if self.node(id).is_none() {
                    return Err(missing_node(id).message);
                }
                self.put_node_prop(id, key, value);
            }
            Change::SetRelProp { id, key, value } => {
                if self.rel(id).is_none() {
                    return Err(missing_rel(id).message);
                }
                self.put_rel_prop(id, key, value);
            }
            Change::AddLabel { id, label } => {
                let labels = self
                    .g
                    .node_weight_mut(ni(id))
                    .ok_or_else(|| missing_node(id).message)?;
                if !labels.contains(&label) {
                    *labels = labels.with(label);
                }
                self.labels.entry(label).or_default().insert(id);
                self.prop_indexes
                    .label_added(id, label, self.node_props.get(id.0 as usize));
            }
            Change::RemoveLabel { id, label } => {
                self.remove_label(id, &label).map_err(qe)?;
            }
            Change::DeleteRel { id } => self.delete_rel(id).map_err(qe)?,
            Change::DeleteNode { id } => self.delete_node(id).map_err(qe)?,
            Change::SetSchema(s) => self.schema = s,
            Change::CreateIndex { name, label, key } => {
                self.create_index(Some(&name), &label, &key).map_err(qe)?;
            }
            Change::DropIndex { name } => self.drop_index(&name).map_err(qe)?,
            Change::CreateConstraint(c) => {
                self.create_constraint(c).map_err(qe)?;
            }
            Change::DropConstraint { name } => self.drop_constraint(&name).map_err(qe)?,
        }
        Ok(())
    }

    /// Puts a node in slot `id`, which must be vacant. Slots are taken from
    /// the free list (or appended) until `id` comes up; the others are given
    /// back in their old order, so only `id` leaves the free list. Costs the
    /// number of vacant slots ahead of `id`, which is small: holes come only
    /// from deletions.
    fn place_node(&mut self, id: NodeId, node: Node) -> Result<(), String> {
        if self.node(id).is_some() {
            return Err(format!("node {} already exists", id.0));
        }
        if id.0 as usize > self.g.node_bound().saturating_add(MAX_SLOT_GAP) {
            return Err(format!("node id {} is out of range", id.0));
        }
        let mut taken = Vec::new();
        loop {
            let i = self.g.add_node(LabelSet::default());
            if i == ni(id) {
                break;
            }
            taken.push(i);
        }
        // Give back the others (in reverse, so the free list keeps its
        // order), then `id` last so it is the head the next add takes.
        for t in taken.into_iter().rev() {
            self.g.remove_node(t);
        }
        self.g.remove_node(ni(id));
        let got = self.g.add_node(node.labels);
        // `got` is `id` or the free list was not what the loop left: both
        // are checked, never assumed.
        if got != ni(id) {
            self.g.remove_node(got);
            return Err(format!("node slot {} could not be placed", id.0));
        }
        self.put_props(id, node.props);
        Ok(())
    }

    /// Sets the properties of node slot `id`, growing the column to it.
    fn put_props(&mut self, id: NodeId, props: Props) {
        self.node_props.set(id.0 as usize, &props);
    }

    /// Adds a node in the slot petgraph hands out.
    fn add_node_slot(&mut self, node: Node) -> NodeId {
        let id = nid(self.g.add_node(node.labels));
        self.put_props(id, node.props);
        id
    }

    /// Removes a node slot and any relationships left on it; the node as
    /// it was.
    fn remove_node_slot(&mut self, id: NodeId) -> Option<Node> {
        // Callers remove the relationships first (they log them); any left
        // go through `remove_edge`, so that no index misses them.
        let left: Vec<RelId> = self
            .out_rels(id)
            .chain(self.in_rels(id))
            .map(|(r, _)| r)
            .collect();
        for r in left {
            self.remove_edge(r);
        }
        self.groups.node_removed(id.0);
        let labels = self.g.remove_node(ni(id))?;
        let props = self.node_props.take(id.0 as usize);
        Some(Node { labels, props })
    }

    /// Puts a relationship in slot `id` (see [`Graph::place_node`]).
    fn place_rel(&mut self, id: RelId, from: NodeId, to: NodeId, rel: Rel) -> Result<(), String> {
        if self.rel(id).is_some() {
            return Err(format!("relationship {} already exists", id.0));
        }
        if id.0 as usize > self.g.edge_bound().saturating_add(MAX_SLOT_GAP) {
            return Err(format!("relationship id {} is out of range", id.0));
        }
        let mut taken = Vec::new();
        loop {
            let e = self.g.add_edge(ni(from), ni(from), Sym::default());
            if e == ei(id) {
                break;
            }
            taken.push(e);
        }
        for t in taken.into_iter().rev() {
            self.g.remove_edge(t);
        }
        self.g.remove_edge(ei(id));
        let got = self.g.add_edge(ni(from), ni(to), rel.rel_type);
        if got != ei(id) {
            self.g.remove_edge(got);
            return Err(format!("relationship slot {} could not be placed", id.0));
        }
        if !rel.props.is_empty() {
            self.rel_props.insert(id.0, rel.props);
        }
        self.rel_added(id, from, to, rel.rel_type);
        Ok(())
    }

    /// Removes a relationship slot and its properties.
    fn remove_edge(&mut self, id: RelId) -> Option<Rel> {
        let (a, b) = self.g.edge_endpoints(ei(id))?;
        let rel_type = self.g.remove_edge(ei(id))?;
        if let Some(set) = self.rel_types.get_mut().and_then(|m| m.get_mut(&rel_type)) {
            set.remove(NodeId(id.0));
        }
        self.groups.removed(&self.g, nid(a).0, nid(b).0);
        let props = self.rel_props.remove(&id.0).unwrap_or_default();
        self.constraints.rel_removed(id.0, rel_type, None, &props);
        Some(Rel { rel_type, props })
    }

    /// Enters a new relationship, its properties in place, in the type
    /// index, if it is built, in its ends' relationship groups, if they
    /// have any, and in the relationship uniqueness constraints' keys
    /// that are built.
    fn rel_added(&mut self, id: RelId, from: NodeId, to: NodeId, rel_type: Sym) {
        if let Some(m) = self.rel_types.get_mut() {
            m.entry(rel_type).or_default().insert(NodeId(id.0));
        }
        self.groups.added(&self.g, id.0, from.0, to.0, rel_type);
        let props = self.rel_props.get(&id.0).unwrap_or(&NO_PROPS);
        self.constraints.rel_added(id.0, rel_type, None, props);
    }

    /// The relationship-type index (built now if it is not yet): per type,
    /// the ids of its relationships (held as [`IdSet`]s of `u32`s).
    fn type_index(&self) -> &BTreeMap<Sym, IdSet> {
        self.rel_types.get_or_init(|| {
            let mut m: BTreeMap<Sym, IdSet> = BTreeMap::new();
            // Consecutive relationships often share a type: remember the
            // last one's set rather than looking it up every time.
            let mut last: Option<(Sym, IdSet)> = None;
            for (r, t) in self.rels_typed() {
                match &mut last {
                    Some((lt, set)) if *lt == t => {
                        set.insert(NodeId(r.0));
                    }
                    _ => {
                        if let Some((lt, set)) = last.take() {
                            m.insert(lt, set);
                        }
                        let mut set = m.remove(&t).unwrap_or_default();
                        set.insert(NodeId(r.0));
                        last = Some((t, set));
                    }
                }
            }
            if let Some((lt, set)) = last {
                m.insert(lt, set);
            }
            m.retain(|_, s| !s.is_empty());
            m
        })
    }

    /// The relationships of type `t`, in id order, through the type index.
    pub fn rels_of_type(&self, t: Sym) -> impl Iterator<Item = RelId> + '_ {
        self.type_index()
            .get(&t)
            .into_iter()
            .flat_map(IdSet::iter)
            .map(|n| RelId(n.0))
    }

    /// How many relationships have type `t` (the type index's count).
    pub fn rel_type_count(&self, t: Sym) -> usize {
        self.type_index().get(&t).map_or(0, IdSet::len)
    }

    /// The types in use with their counts, in order of each type's first
    /// relationship (as a pass over the relationships meets them).
    pub fn rel_type_counts(&self) -> Vec<(Sym, usize)> {
        let mut v: Vec<(u32, Sym, usize)> = self
            .type_index()
            .iter()
            .filter_map(|(t, s)| Some((s.iter().next()?.0, *t, s.len())))
            .collect();
        v.sort_unstable();
        v.into_iter().map(|(_, t, n)| (t, n)).collect()
    }

    /// Sets (`Some`) or removes a relationship property, without checks or
    /// logging, keeping the relationship uniqueness constraints' keys
    /// current when they are built and on `key`; returns the old value.
    fn put_rel_prop(&mut self, id: RelId, key: Sym, value: Option<Value>) -> Option<Value> {
        let keyed = self
            .rel_type(id)
            .filter(|&t| self.constraints.keys_rels(t, Some(key)));
        if let Some(t) = keyed {
            let props = self.rel_props.get(&id.0).unwrap_or(&NO_PROPS);
            self.constraints.rel_removed(id.0, t, Some(key), props);
        }
        let old = match value {
            Some(v) => self.rel_props.entry(id.0).or_default().insert(key, v),
            None => match self.rel_props.get_mut(&id.0) {
                Some(p) => {
                    let old = p.remove(&key);
                    if p.is_empty() {
                        self.rel_props.remove(&id.0);
                    }
                    old
                }
                None => None,
            },
        };
        if let Some(t) = keyed {
            let props = self.rel_props.get(&id.0).unwrap_or(&NO_PROPS);
            self.constraints.rel_added(id.0, t, Some(key), props);
        }
        old
    }

    // ---- reading -------------------------------------------------------

    pub fn schema(&self) -> Option<&Schema> {
        self.schema.as_ref()
    }
    pub fn node_count(&self) -> usize {
        self.g.node_count()
    }
    /// One past the largest node id (holes of deleted nodes included).
    pub fn node_bound(&self) -> usize {
        self.g.node_bound()
    }
    pub fn rel_count(&self) -> usize {
        self.g.edge_count()
    }
    pub fn node(&self, id: NodeId) -> Option<NodeRef<'_>> {
        let labels = *self.g.node_weight(ni(id))?;
        Some(NodeRef {
            labels,
            props: self.node_props.get(id.0 as usize),
        })
    }
    pub fn rel(&self, id: RelId) -> Option<RelRef<'_>> {
        let rel_type = *self.g.edge_weight(ei(id))?;
        Some(RelRef {
            rel_type,
            props: self.rel_props_of(id),
        })
    }
    /// A relationship's type, without its properties.
    pub fn rel_type(&self, id: RelId) -> Option<Sym> {
        self.g.edge_weight(ei(id)).copied()
    }
    /// Start and end node of a relationship.
    pub fn rel_ends(&self, id: RelId) -> Option<(NodeId, NodeId)> {
        self.g.edge_endpoints(ei(id)).map(|(a, b)| (nid(a), nid(b)))
    }
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.g.node_indices().map(nid)
    }
    pub fn rel_ids(&self) -> impl Iterator<Item = RelId> + '_ {
        self.g.edge_indices().map(rid)
    }
    /// Every relationship with its type, in id order: one pass over the
    /// edge array (no second lookup per relationship).
    pub fn rels_typed(&self) -> impl Iterator<Item = (RelId, Sym)> + '_ {
        (&self.g)
            .edge_references()
            .map(|e| (rid(e.id()), *e.weight()))
    }
    /// Nodes carrying a label, in id order.
    pub fn nodes_with_label(&self, label: &str) -> impl Iterator<Item = NodeId> + '_ {
        self.labels.get(label).into_iter().flat_map(IdSet::iter)
    }
    /// How many nodes carry a label.
    pub fn label_count(&self, label: &str) -> usize {
        self.labels.get(label).map_or(0, IdSet::len)
    }
    /// Outgoing relationships of a node: (relationship, end node).
    pub fn out_rels(&self, id: NodeId) -> impl Iterator<Item = (RelId, NodeId)> + '_ {
        self.g
            .edges_directed(ni(id), Direction::Outgoing)
            .map(|e| (rid(e.id()), nid(e.target())))
    }
    /// Incoming relationships of a node: (relationship, start node).
    pub fn in_rels(&self, id: NodeId) -> impl Iterator<Item = (RelId, NodeId)> + '_ {
        self.g
            .edges_directed(ni(id), Direction::Incoming)
            .map(|e| (rid(e.id()), nid(e.source())))
    }
    /// A node's relationships in one direction: (relationship, node at the
    /// other end, type), newest first; [`Graph::rel_props_of`] has their
    /// properties. With `types`, only relationships of those types, and for
    /// one type, a node whose list is long and mostly
    /// of other types is read through its relationship groups (see
    /// [`groups`]), which the first such walk builds.
    pub fn rels_with_data<'a>(
        &'a self,
        id: NodeId,
        outgoing: bool,
        types: Option<&'a [Sym]>,
    ) -> RelsWith<'a> {
        let dir = if outgoing {
            Direction::Outgoing
        } else {
            Direction::Incoming
        };
        // One type only: several types are read along the list, whose
        // order (newest first across the types) a group cannot give.
        let single = match types {
            Some(&[t]) => Some(t),
            _ => None,
        };
        let way = match single.and_then(|t| Some((t, self.groups.get(id.0, dir)?))) {
            Some((rel_type, group)) => Way::Grouped {
                left: group.of_type(rel_type).len(),
                group,
                rel_type,
            },
            None => Way::Walk {
                edges: self.g.edges_directed(ni(id), dir),
                steps: 0,
                matched: 0,
            },
        };
        RelsWith {
            graph: self,
            id,
            dir,
            types,
            way,
        }
    }

    /// A relationship's properties (none for a missing one), without its
    /// type.
    pub fn rel_props_of(&self, id: RelId) -> PropsRef<'_> {
        if self.rel_props.is_empty() {
            return PropsRef::Props(&NO_PROPS);
        }
        PropsRef::Props(self.rel_props.get(&id.0).unwrap_or(&NO_PROPS))
    }

    /// Makes room for `n` more relationships in one allocation.
    pub fn reserve_rels(&mut self, n: usize) {
        self.g.reserve_exact_edges(n);
    }

    pub fn degree(&self, id: NodeId) -> usize {
        self.g.edges_directed(ni(id), Direction::Outgoing).count()
            + self.g.edges_directed(ni(id), Direction::Incoming).count()
    }
    /// Every label in use, sorted.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.labels
            .iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(l, _)| l.as_str())
    }
    /// Every relationship type in use, sorted.
    pub fn rel_types(&self) -> BTreeSet<&str> {
        // Few distinct types over millions of edges: a short list beats a
        // tree insert per edge.
        let mut seen: Vec<Sym> = Vec::new();
        for t in self.g.edge_weights() {
            if !seen.contains(t) {
                seen.push(*t);
            }
        }
        seen.iter().map(Sym::as_str).collect()
    }
    /// The properties of the live nodes, in slot order.
    fn live_props(&self) -> impl Iterator<Item = PropsRef<'_>> {
        self.g
            .node_indices()
            .map(|i| self.node_props.get(i.index()))
    }

    /// Every property key in use on nodes and relationships, sorted.
    /// Does some relationship have this type? A type never interned is on
    /// none; otherwise a scan of the relationships' type symbols that stops
    /// at the first one.
    pub fn has_rel_type(&self, rel_type: &str) -> bool {
        Sym::get(rel_type).is_some_and(|t| self.g.edge_weights().any(|w| *w == t))
    }

    /// Does some node or relationship have this property key? As
    /// [`Graph::has_rel_type`]: symbols compared, stopping at the first.
    pub fn has_property_key(&self, key: &str) -> bool {
        let Some(k) = Sym::get(key) else {
            return false;
        };
        self.live_props().any(|p| p.keys().any(|x| x == k))
            || self.rel_props.values().any(|p| p.keys().any(|x| *x == k))
    }

    pub fn property_keys(&self) -> BTreeSet<&str> {
        let mut keys: BTreeSet<&str> = BTreeSet::new();
        keys.extend(self.live_props().flat_map(|p| p.keys().map(|k| k.as_str())));
        keys.extend(
            self.rel_props
                .values()
                .flat_map(|p| p.keys().map(Sym::as_str)),
        );
        keys
    }

    /// Nodes whose name or one of whose aliases folds to the same as `name`
    /// (case, diacritics and spacing ignored).
    pub fn lookup(&self, name: &str) -> Vec<NodeId> {
        let key = fold(name);
        let mut out = self.names.candidates(&key);
        out.sort_unstable();
        out.dedup();
        // The index holds hashes: keep the nodes that really have the name
        // (a name spelled as asked folds as asked: no need to fold it).
        out.retain(|&id| {
            self.node(id).is_some_and(|n| {
                n.props
                    .get_str(NAME)
                    .is_some_and(|x| x == name || fold(x) == key)
                    || names_of(n.props).into_iter().any(|x| fold(&x) == key)
            })
        });
        out
    }
    /// The nodes whose `name` is exactly `name` (no alias, no other
    /// spelling), from the name index.
    pub fn lookup_exact(&self, name: &str) -> Vec<NodeId> {
        let mut out = self.names.candidates_of_hash(index::folded_name_hash(name));
        if out.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
        out.retain(|&id| self.node(id).is_some_and(|n| n.props.str_is(NAME, name)));
        out
    }
    /// The known name or alias closest to `name`, for "did you mean".
    pub fn suggest_name(&self, name: &str) -> Option<String> {
        let all: Vec<std::borrow::Cow<str>> = self.live_props().flat_map(names_of).collect();
        did_you_mean(name, all.iter().map(|s| &**s))
    }
    /// Every name and alias, with the node's canonical name (for completion).
    pub fn all_names(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for p in self.live_props() {
            let names = names_of(p);
            if let Some(canon) = names.first() {
                for a in &names {
                    out.push((a.to_string(), canon.to_string()));
                }
            }
        }
        out
    }

    // ---- writing -------------------------------------------------------
    //
    // Every write checks the schema (if any) with `complete = false`: kinds,
    // relationship endpoints and property types. Required properties are
    // checked by `check_complete` once a statement has finished.

    /// Replaces the schema. Existing nodes are not re-checked here; use
    /// [`Graph::check_all`].
    pub fn set_schema(&mut self, schema: Option<Schema>) {
        self.record(|| Change::SetSchema(schema.clone()));
        let old = std::mem::replace(&mut self.schema, schema);
        self.push_undo(|| Undo::Schema(old));
    }

    /// Creates a property index on `label` and `key`, named `name` (or
    /// `index_<label>_<key>`, with a number if that is taken), and fills
    /// it from the nodes; returns its
    /// name. As in Neo4j, an index on the same label and key, or one of the
    /// same name, is an error (`IF NOT EXISTS` is the caller's).
    pub fn create_index(
        &mut self,
        name: Option<&str>,
        label: &str,
        key: &str,
    ) -> Result<String, QueryError> {
        let schema_err = |detail: &str, msg: String| {
            QueryError::new(crate::error::ErrorClass::SemanticError, detail, msg)
        };
        if let Some(ix) = self.prop_indexes.on(label, key) {
            return Err(schema_err(
                "EquivalentSchemaRuleAlreadyExists",
                format!(
                    "an equivalent index already exists: '{}' on (:{label} {{{key}}})",
                    ix.name()
                ),
            ));
        }
        // A generated name steps aside for one a user gave another index.
        let name = match name {
            Some(n) => n.to_string(),
            None => (1..)
                .map(|i| match i {
                    1 => format!("index_{label}_{key}"),
                    i => format!("index_{label}_{key}_{i}"),
                })
                .find(|n| !self.index_exists(n) && self.constraints.named(n).is_none())
                .unwrap_or_default(),
        };
        if self.index_exists(&name) {
            return Err(schema_err(
                "IndexWithNameAlreadyExists",
                format!("there already is an index called '{name}'"),
            ));
        }
        // Names are shared with the constraints (as in Neo4j), but for the
        // index a uniqueness constraint makes under its own name, which is
        // created before the constraint is.
        if self.constraints.named(&name).is_some() {
            return Err(schema_err(
                "IndexWithNameAlreadyExists",
                format!("there already is a constraint called '{name}'"),
            ));
        }
        let (label, key) = (Sym::new(label), Sym::new(key));
        let nodes = self
            .labels
            .get(&label)
            .into_iter()
            .flat_map(IdSet::iter)
            .map(|id| (id, self.node_props.get(id.0 as usize)));
        let ix = propindex::build(PropIndex::new(&name, label, key), nodes);
        self.prop_indexes.add(ix);
        self.record(|| Change::CreateIndex {
            name: name.clone(),
            label,
            key,
        });
        self.push_undo(|| Undo::IndexCreated(name.clone()));
        Ok(name)
    }

    /// Drops the property index called `name`. A missing index, or one of
    /// the built-in ones, is an error.
    pub fn drop_index(&mut self, name: &str) -> Result<(), QueryError> {
        let err = |msg: String| {
            QueryError::new(
                crate::error::ErrorClass::SemanticError,
                "IndexDropFailed",
                msg,
            )
        };
        if BUILTIN_INDEXES.contains(&name) {
            return Err(err(format!(
                "'{name}' is built in (it is kept with the graph) and cannot be dropped"
            )));
        }
        if self.constraints.named(name).is_some() && self.prop_indexes.named(name).is_some() {
            return Err(err(format!(
                "index '{name}' belongs to constraint '{name}': DROP CONSTRAINT {name} drops both"
            )));
        }
        let ix = self
            .prop_indexes
            .remove(name)
            .ok_or_else(|| err(format!("there is no index called '{name}'")))?;
        self.record(|| Change::DropIndex {
            name: name.to_string(),
        });
        self.push_undo(|| Undo::IndexDropped(ix));
        Ok(())
    }

    /// Is there an index (built in or created) called `name`?
    pub fn index_exists(&self, name: &str) -> bool {
        BUILTIN_INDEXES.contains(&name) || self.prop_indexes.named(name).is_some()
    }

    /// The property index on `label` and `key`, if one was created.
    pub fn prop_index(&self, label: &str, key: &str) -> Option<&PropIndex> {
        self.prop_indexes.on(label, key)
    }

    /// Every property index, by name.
    pub fn prop_indexes(&self) -> impl Iterator<Item = &PropIndex> {
        self.prop_indexes.iter()
    }

    /// Puts back the property indexes a store file defines (name, label,
    /// key), building their contents from the nodes; without logging.
    pub(crate) fn restore_indexes(&mut self, defs: Vec<(String, Sym, Sym)>) -> Result<(), String> {
        let undo = self.undo.take();
        let journal = self.journal.take();
        let mut result = Ok(());
        for (name, label, key) in defs {
            if let Err(e) = self.create_index(Some(&name), &label, &key) {
                result = Err(e.message);
                break;
            }
        }
        self.undo = undo;
        self.journal = journal;
        result
    }

    // ---- constraints ---------------------------------------------------

    /// Every constraint, in the order they were created.
    pub fn constraints(&self) -> impl Iterator<Item = &Constraint> {
        self.constraints.iter()
    }

    /// Adds a constraint once the graph satisfies it (else the first
    /// element that breaks it is the error); an empty name becomes
    /// [`Constraint::default_name`]. Returns the name.
    pub fn create_constraint(&mut self, mut c: Constraint) -> Result<String, QueryError> {
        let err = |detail: &str, msg: String| {
            QueryError::new(crate::error::ErrorClass::SemanticError, detail, msg)
        };
        if c.name.is_empty() {
            c.name = c.default_name();
        }
        if self.constraints.named(&c.name).is_some() || self.index_exists(&c.name) {
            return Err(err(
                "ConstraintWithNameAlreadyExists",
                format!(
                    "there already is {} called '{}'",
                    if self.index_exists(&c.name) {
                        "an index"
                    } else {
                        "a constraint"
                    },
                    c.name
                ),
            ));
        }
        if let Some(old) = self.constraints.iter().find(|o| o.same_rule(&c)) {
            return Err(err(
                "ConstraintAlreadyExists",
                format!("constraint '{}' already requires {c}", old.name),
            ));
        }
        // A uniqueness and a key on the same properties: Neo4j refuses the
        // second (the key is the uniqueness and more).
        if let Some(old) = self.constraints.iter().find(|o| {
            o.requires_unique()
                && c.requires_unique()
                && o.entity == c.entity
                && o.label == c.label
                && o.keys == c.keys
        }) {
            return Err(err(
                "ConstraintAlreadyExists",
                format!("constraint '{}' ({old}) conflicts with {c}", old.name),
            ));
        }
        if c.keys.is_empty() || (c.kind == constraints::Kind::Exists && c.keys.len() > 1) {
            return Err(err(
                "InvalidConstraint",
                format!("{c}: IS NOT NULL takes one property, the others at least one"),
            ));
        }
        if let Some(k) = c
            .keys
            .iter()
            .enumerate()
            .find_map(|(i, k)| c.keys[..i].contains(k).then_some(k))
        {
            return Err(err(
                "InvalidConstraint",
                format!("{c}: the property '{k}' is named twice"),
            ));
        }
        let all = self.all_covered(&c);
        self.check_constraint(&c, &all, true).map_err(|mut e| {
            e.message = format!("cannot create constraint '{}' ({c}): {}", c.name, e.message);
            e.detail = "ConstraintCreationFailed".into();
            e
        })?;
        let name = c.name.clone();
        // A uniqueness on nodes gets a property index on its label and
        // first key, under its name, unless there is one: it is what the
        // checks look values up in (else each statement would read the
        // whole label). DROP CONSTRAINT drops it too.
        if c.entity == Entity::Node
            && c.requires_unique()
            && self.prop_index(&c.label, &c.keys[0]).is_none()
        {
            // Not logged apart: replaying the constraint makes it again.
            let journal = self.journal.take();
            let made = self.create_index(Some(&name), &c.label, &c.keys[0]);
            self.journal = journal;
            made?;
        }
        self.constraints.add(c.clone());
        self.record(|| Change::CreateConstraint(c));
        self.push_undo(|| Undo::ConstraintCreated(name.clone()));
        Ok(name)
    }

    /// Drops the constraint called `name`; a missing one is an error.
    pub fn drop_constraint(&mut self, name: &str) -> Result<(), QueryError> {
        let c = self.constraints.remove(name).ok_or_else(|| {
            QueryError::new(
                crate::error::ErrorClass::SemanticError,
                "ConstraintDropFailed",
                format!("there is no constraint called '{name}'"),
            )
        })?;
        self.record(|| Change::DropConstraint {
            name: name.to_string(),
        });
        self.push_undo(|| Undo::ConstraintDropped(c));
        // The index it made for itself (not logged apart: replaying the
        // drop drops it again).
        if self.prop_indexes.named(name).is_some() {
            let journal = self.journal.take();
            let dropped = self.drop_index(name);
            self.journal = journal;
            dropped?;
        }
        Ok(())
    }

    /// Puts back the constraints a store file defines, without logging
    /// and without checking them (the file's graph satisfied them).
    pub(crate) fn restore_constraints(&mut self, defs: Vec<Constraint>) -> Result<(), String> {
        for c in defs {
            if self.constraints.named(&c.name).is_some() {
                return Err(format!("two constraints are called '{}'", c.name));
            }
            self.constraints.add(c);
        }
        Ok(())
    }

    /// Checks the constraints against the nodes and relationships a
    /// statement touched (deleted ones are skipped): the first one broken
    /// is the error.
    pub fn check_constraints(&self, nodes: &[NodeId], rels: &[RelId]) -> Result<(), QueryError> {
        if self.constraints.is_empty() {
            return Ok(());
        }
        let (nodes, rels) = (Touched::Nodes(nodes.into()), Touched::Rels(rels.into()));
        for c in self.constraints.iter() {
            let touched = match c.entity {
                Entity::Node => &nodes,
                Entity::Rel => &rels,
            };
            self.check_constraint(c, touched, false)
                .map_err(|e| named_rule(e, c))?;
        }
        Ok(())
    }

    /// Every element `c` covers: the label's nodes or the type's
    /// relationships.
    fn all_covered(&self, c: &Constraint) -> Touched<'static> {
        match c.entity {
            Entity::Node => Touched::Nodes(self.nodes_with_label(&c.label).collect()),
            Entity::Rel => Touched::Rels(self.rels_of_type(c.label).collect()),
        }
    }

    /// Checks every constraint against every element it covers (after an
    /// import, which adds elements without a statement's bookkeeping).
    pub fn check_all_constraints(&self) -> Result<(), QueryError> {
        for c in self.constraints.iter() {
            self.check_constraint(c, &self.all_covered(c), true)
                .map_err(|e| named_rule(e, c))?;
        }
        Ok(())
    }

    /// The label set and properties of a touched element the constraint
    /// covers, if it (still) exists and does.
    fn covered(&self, c: &Constraint, t: &Touched, i: usize) -> Option<(u32, PropsRef<'_>)> {
        match t {
            Touched::Nodes(ids) => {
                let n = self.node(ids[i])?;
                n.labels.contains(&c.label).then_some((ids[i].0, n.props))
            }
            Touched::Rels(ids) => {
                let r = self.rel(ids[i])?;
                (r.rel_type == c.label).then_some((ids[i].0, r.props))
            }
        }
    }

    /// One constraint against `touched`; `all` when it holds every element
    /// the constraint covers (a uniqueness check then looks no further).
    fn check_constraint(
        &self,
        c: &Constraint,
        touched: &Touched,
        all: bool,
    ) -> Result<(), QueryError> {
        let what = |id: u32| match c.entity {
            Entity::Node => format!("node {id} (:{})", c.label),
            Entity::Rel => format!("relationship {id} (:{})", c.label),
        };
        let both = |a: u32, b: u32, vals: &[Value]| {
            let pairs: Vec<String> = c
                .keys
                .iter()
                .zip(vals)
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            format!(
                "{} {} and {} (:{}) both have {}",
                match c.entity {
                    Entity::Node => "nodes",
                    Entity::Rel => "relationships",
                },
                a.min(b),
                a.max(b),
                c.label,
                pairs.join(", ")
            )
        };
        let fail = |msg: String| {
            QueryError::new(
                crate::error::ErrorClass::ConstraintVerificationFailed,
                "ConstraintValidationFailed",
                msg,
            )
        };
        let values = |props: &PropsRef<'_>| c.values(props);
        let mut seen: crate::query::compare::KeyMap<u32> = Default::default();
        for i in 0..touched.len() {
            let Some((id, props)) = self.covered(c, touched, i) else {
                continue;
            };
            let Some(vals) = values(&props) else {
                if c.requires_values() {
                    let missing: Vec<&str> = c
                        .keys
                        .iter()
                        .filter(|k| props.get(k).is_none_or(|v| *v == Value::Null))
                        .map(|k| k.as_str())
                        .collect();
                    return Err(fail(format!("{} has no {}", what(id), missing.join(", "))));
                }
                continue;
            };
            if !c.requires_unique() {
                continue;
            }
            let key = crate::query::compare::row_key(&vals);
            if let Some(&other) = seen.get(&key)
                && other != id
            {
                return Err(fail(both(other, id, &vals)));
            }
            seen.insert(key, id);
        }
        if all || seen.is_empty() {
            return Ok(());
        }
        // A uniqueness on relationships: the others with the touched
        // values, through its keys. The clash reported is the one a pass
        // over the type's relationships in id order would meet first: the
        // lowest other id with a touched relationship's values.
        if c.entity == Entity::Rel
            && let Some(keys) = self
                .constraints
                .rel_keys(&c.name, |c| self.build_rel_keys(c))
        {
            let mut clash: Option<(u32, u32, Vec<Value>)> = None;
            for (key, &mine) in &seen {
                for r in keys.get(constraints::RelKeys::hash(key)) {
                    if r == mine || clash.as_ref().is_some_and(|(_, low, _)| *low < r) {
                        continue;
                    }
                    let Some(rel) = self.rel(RelId(r)).filter(|x| x.rel_type == c.label) else {
                        continue;
                    };
                    if let Some(vals) = values(&rel.props)
                        && crate::query::compare::row_key(&vals) == *key
                    {
                        clash = Some((mine, r, vals));
                    }
                }
            }
            return match clash {
                Some((mine, other, vals)) => Err(fail(both(mine, other, &vals))),
                None => Ok(()),
            };
        }
        // The other elements the constraint covers: through a property
        // index on the first key when there is one and it holds the values
        // (it finds every value `=` groups with one, and maybe more, which
        // the keys compared below tell apart), else all of them.
        let others = match (c.entity, self.prop_index(&c.label, &c.keys[0])) {
            (Entity::Node, Some(ix)) if self.first_keys_indexable(c, touched) => {
                let mut ids = Vec::new();
                for i in 0..touched.len() {
                    if let Some((_, props)) = self.covered(c, touched, i)
                        && let Some(v) = props.get(&c.keys[0])
                    {
                        ids.extend(ix.get(&v).unwrap_or_default());
                    }
                }
                Touched::Nodes(ids.into())
            }
            _ => self.all_covered(c),
        };
        for i in 0..others.len() {
            let Some((id, props)) = self.covered(c, &others, i) else {
                continue;
            };
            let Some(vals) = values(&props) else { continue };
            let key = crate::query::compare::row_key(&vals);
            if let Some(&other) = seen.get(&key)
                && other != id
            {
                return Err(fail(both(other, id, &vals)));
            }
        }
        Ok(())
    }

    /// The relationships of uniqueness `c` by their values: every
    /// relationship of its type that has all its keys.
    fn build_rel_keys(&self, c: &Constraint) -> constraints::RelKeys {
        let mut keys = constraints::RelKeys::with_capacity(self.rel_type_count(c.label));
        let mut key = Vec::new();
        for r in self.rels_of_type(c.label) {
            let props = self.rel_props.get(&r.0).unwrap_or(&NO_PROPS);
            keys.enter(c, r.0, props, &mut key);
        }
        keys
    }

    /// Can a property index hold the first key of every touched element
    /// the constraint covers?
    fn first_keys_indexable(&self, c: &Constraint, touched: &Touched) -> bool {
        (0..touched.len()).all(|i| {
            self.covered(c, touched, i).is_none_or(|(_, p)| {
                p.get(&c.keys[0])
                    .is_none_or(|v| propindex::key_of(&v).is_some())
            })
        })
    }

    pub fn create_node(&mut self, labels: Vec<String>, props: Props) -> Result<NodeId, QueryError> {
        self.create_node_with(labels.into(), props)
    }

    /// [`Graph::create_node`] with labels interned already.
    pub fn create_node_with(
        &mut self,
        labels: LabelSet,
        mut props: Props,
    ) -> Result<NodeId, QueryError> {
        props.retain(|_, v| !v.is_null());
        check_storable(&props)?;
        if let Some(s) = &self.schema {
            s.check_node(&labels, &props, false)
                .map_err(QueryError::schema)?;
        }
        let id = self.add_node_slot(Node { labels, props });
        self.index_node(id);
        self.push_undo(|| Undo::CreatedNode(id));
        if self.journal.is_some()
            && let Some(n) = self.node(id)
        {
            let (labels, props) = (n.labels, n.props.to_props());
            self.record(|| Change::CreateNode { id, labels, props });
        }
        Ok(id)
    }

    pub fn create_rel(
        &mut self,
        from: NodeId,
        to: NodeId,
        rel_type: String,
        props: Props,
    ) -> Result<RelId, QueryError> {
        self.create_rel_with(from, to, Sym::new(&rel_type), props)
    }

    /// [`Graph::create_rel`] with the type interned already.
    pub fn create_rel_with(
        &mut self,
        from: NodeId,
        to: NodeId,
        rel_type: Sym,
        mut props: Props,
    ) -> Result<RelId, QueryError> {
        props.retain(|_, v| !v.is_null());
        check_storable(&props)?;
        let fl = &self.node(from).ok_or_else(|| missing_node(from))?.labels;
        let tl = &self.node(to).ok_or_else(|| missing_node(to))?.labels;
        if let Some(s) = &self.schema {
            s.check_rel(&rel_type, fl, tl, &props, false)
                .map_err(QueryError::schema)?;
        }
        let change = self.journal.is_some().then(|| (rel_type, props.clone()));
        let id = rid(self.g.add_edge(ni(from), ni(to), rel_type));
        if !props.is_empty() {
            self.rel_props.insert(id.0, props);
        }
        self.rel_added(id, from, to, rel_type);
        self.push_undo(|| Undo::CreatedRel(id));
        if let Some((rel_type, props)) = change {
            self.record(|| Change::CreateRel {
                id,
                from,
                to,
                rel_type,
                props,
            });
        }
        Ok(id)
    }

    /// Sets (or, with `Value::Null`, removes) a node property.
    pub fn set_node_prop(&mut self, id: NodeId, key: &str, value: Value) -> Result<(), QueryError> {
        check_storable_one(key, &value)?;
        let node = self.node(id).ok_or_else(|| missing_node(id))?;
        let key = Sym::new(key);
        if let Some(s) = &self.schema {
            let mut props = Props::new();
            props.insert(key, value.clone());
            s.check_node(&node.labels, &props, false)
                .map_err(QueryError::schema)?;
        }
        self.record(|| Change::SetNodeProp {
            id,
            key,
            value: (!value.is_null()).then(|| value.clone()),
        });
        let old = self.put_node_prop(id, key, (!value.is_null()).then_some(value));
        self.push_undo(|| Undo::NodeProp { id, key, old });
        Ok(())
    }

    /// Sets (or, with `Value::Null`, removes) a relationship property.
    pub fn set_rel_prop(&mut self, id: RelId, key: &str, value: Value) -> Result<(), QueryError> {
        check_storable_one(key, &value)?;
        let (a, b) = self.rel_ends(id).ok_or_else(|| missing_rel(id))?;
        let key = Sym::new(key);
        if let Some(s) = &self.schema {
            let rel = self.rel(id).ok_or_else(|| missing_rel(id))?;
            let mut props = Props::new();
            props.insert(key, value.clone());
            let fl = self.node(a).map(|n| n.labels).unwrap_or_default();
            let tl = self.node(b).map(|n| n.labels).unwrap_or_default();
            s.check_rel(&rel.rel_type, &fl, &tl, &props, false)
                .map_err(QueryError::schema)?;
        }
        self.record(|| Change::SetRelProp {
            id,
            key,
            value: (!value.is_null()).then(|| value.clone()),
        });
        let old = self.put_rel_prop(id, key, (!value.is_null()).then_some(value));
        self.push_undo(|| Undo::RelProp { id, key, old });
        Ok(())
    }

    /// Adds a label; returns false if the node had it already.
    pub fn add_label(&mut self, id: NodeId, label: &str) -> Result<bool, QueryError> {
        let node = self.node(id).ok_or_else(|| missing_node(id))?;
        if node.labels.iter().any(|l| l == label) {
            return Ok(false);
        }
        let label = Sym::new(label);
        if let Some(s) = &self.schema {
            let labels = node.labels.with(label);
            s.check_node(&labels, node.props, false)
                .map_err(QueryError::schema)?;
        }
        self.record(|| Change::AddLabel { id, label });
        if let Some(labels) = self.g.node_weight_mut(ni(id)) {
            *labels = labels.with(label);
            let props = self.node_props.get(id.0 as usize);
            self.prop_indexes.label_added(id, label, props);
            self.push_undo(|| Undo::LabelAdded { id });
        }
        self.labels.entry(label).or_default().insert(id);
        Ok(true)
    }

    /// Removes a label; returns false if the node did not have it.
    pub fn remove_label(&mut self, id: NodeId, label: &str) -> Result<bool, QueryError> {
        let labels = self
            .g
            .node_weight_mut(ni(id))
            .ok_or_else(|| missing_node(id))?;
        // Every copy goes (a graph built through the API may repeat a
        // label); each removal is undone on its own, newest first.
        let mut removed = Vec::new();
        while let Some(pos) = labels.iter().position(|l| l == label) {
            *labels = labels.without_at(pos);
            removed.push(pos);
        }
        if removed.is_empty() {
            return Ok(false);
        }
        let label = Sym::new(label);
        self.prop_indexes
            .label_removed(id, label, self.node_props.get(id.0 as usize));
        if let Some(set) = self.labels.get_mut(&label) {
            set.remove(id);
        }
        for pos in removed {
            self.push_undo(|| Undo::LabelRemoved { id, label, pos });
        }
        self.record(|| Change::RemoveLabel { id, label });
        Ok(true)
    }

    pub fn delete_rel(&mut self, id: RelId) -> Result<(), QueryError> {
        self.remove_rel_logged(id)?;
        Ok(())
    }

    /// A node as a person would recognise it in a message: its labels and
    /// its name (or key), `(:State {name: 'Belarus'})`.
    pub fn describe_node(&self, id: NodeId) -> String {
        let Some(n) = self.node(id) else {
            return format!("node {}", id.0);
        };
        let labels: String = n
            .labels
            .to_strings()
            .iter()
            .map(|l| format!(":{l}"))
            .collect();
        let shown = [NAME, "key"]
            .iter()
            .find_map(|k| Some((*k, n.props.get(k)?.into_owned())));
        match shown {
            Some((k, v)) => format!("({labels} {{{k}: {v}}})"),
            None => format!("({labels})"),
        }
    }

    /// Deletes a node that has no relationships.
    pub fn delete_node(&mut self, id: NodeId) -> Result<(), QueryError> {
        if self.node(id).is_none() {
            return Err(missing_node(id));
        }
        let degree = self.degree(id);
        if degree > 0 {
            return Err(QueryError::new(
                crate::error::ErrorClass::ConstraintVerificationFailed,
                "DeleteConnectedNode",
                format!(
                    "cannot delete {} because it still has {degree} relationship{}; use DETACH DELETE",
                    self.describe_node(id),
                    if degree == 1 { "" } else { "s" }
                ),
            ));
        }
        self.remove_node_logged(id);
        Ok(())
    }

    /// Deletes a node and its relationships; returns how many relationships went.
    pub fn detach_delete_node(&mut self, id: NodeId) -> Result<usize, QueryError> {
        if self.node(id).is_none() {
            return Err(missing_node(id));
        }
        // Newest first: petgraph unlinks by walking the ends' lists from
        // their newest relationship.
        let rels: Vec<RelId> = self
            .out_rels(id)
            .map(|(r, _)| r)
            .chain(self.in_rels(id).map(|(r, _)| r))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .rev()
            .collect();
        for r in &rels {
            self.remove_rel_logged(*r)?;
        }
        self.remove_node_logged(id);
        Ok(rels.len())
    }

    /// Removes a relationship, recording it in the journal and undo log.
    fn remove_rel_logged(&mut self, id: RelId) -> Result<(), QueryError> {
        let (from, to) = self.rel_ends(id).ok_or_else(|| missing_rel(id))?;
        let rel = self.remove_edge(id).ok_or_else(|| missing_rel(id))?;
        self.record(|| Change::DeleteRel { id });
        self.push_undo(|| Undo::DeletedRel { id, from, to, rel });
        Ok(())
    }

    /// Removes a node that has no relationships left, recording it.
    fn remove_node_logged(&mut self, id: NodeId) {
        self.unindex_node(id);
        if let Some(node) = self.remove_node_slot(id) {
            self.record(|| Change::DeleteNode { id });
            self.push_undo(|| Undo::DeletedNode { id, node });
        }
    }

    /// Checks the nodes and relationships given against the whole schema,
    /// required properties included.
    pub fn check_complete(&self, nodes: &[NodeId], rels: &[RelId]) -> Result<(), QueryError> {
        let Some(s) = &self.schema else { return Ok(()) };
        for &n in nodes {
            if let Some(node) = self.node(n) {
                s.check_node(&node.labels, node.props, true)
                    .map_err(QueryError::schema)?;
            }
        }
        for &r in rels {
            if let (Some(rel), Some((a, b))) = (self.rel(r), self.rel_ends(r)) {
                let fl = self.node(a).map(|n| n.labels).unwrap_or_default();
                let tl = self.node(b).map(|n| n.labels).unwrap_or_default();
                s.check_rel(&rel.rel_type, &fl, &tl, rel.props, true)
                    .map_err(QueryError::schema)?;
            }
        }
        Ok(())
    }

    /// Checks every node and relationship against the schema.
    pub fn check_all(&self) -> Result<(), QueryError> {
        let nodes: Vec<NodeId> = self.node_ids().collect();
        let rels: Vec<RelId> = self.rel_ids().collect();
        self.check_complete(&nodes, &rels)
    }

    fn index_node(&mut self, id: NodeId) {
        self.index_names(id, true);
        // Fields, not `self.node`: the indexes change while they are read.
        let Some(&labels) = self.g.node_weight(ni(id)) else {
            return;
        };
        for l in labels.iter() {
            self.labels.entry(*l).or_default().insert(id);
        }
        let props = self.node_props.get(id.0 as usize);
        self.prop_indexes.add_node(id, labels, props);
    }

    fn unindex_node(&mut self, id: NodeId) {
        self.index_names(id, false);
        let Some(&labels) = self.g.node_weight(ni(id)) else {
            return;
        };
        for l in labels.iter() {
            if let Some(set) = self.labels.get_mut(l) {
                set.remove(id);
            }
        }
        let props = self.node_props.get(id.0 as usize);
        self.prop_indexes.remove_node(id, labels, props);
    }

    /// Adds (or removes) the name index's entries for a node's names.
    fn index_names(&mut self, id: NodeId, add: bool) {
        if !self.g.contains_node(ni(id)) {
            return;
        }
        let props = self.node_props.get(id.0 as usize);
        for name in names_of(props) {
            if add {
                self.names.insert(&fold(&name), id);
            } else {
                self.names.remove(&fold(&name), id);
            }
        }
    }

    /// Sets (`Some`) or removes a node property without checks or logging,
    /// keeping the indexes current; returns the old value. Only indexes
    /// that can care are touched: the name index for `name` and `aliases`,
    /// the property indexes on `key`.
    fn put_node_prop(&mut self, id: NodeId, key: Sym, value: Option<Value>) -> Option<Value> {
        let names = key == NAME || key == ALIASES;
        if names {
            self.index_names(id, false);
        }
        let labels = *self.g.node_weight(ni(id))?;
        let slot = id.0 as usize;
        let mut props = self.node_props.get(slot).to_props();
        let old = match value {
            Some(v) => props.insert(key, v),
            None => props.remove(&key),
        };
        self.prop_indexes
            .value_changed(id, labels, key, old.as_ref(), props.get(&key));
        self.node_props.set(slot, &props);
        if names {
            self.index_names(id, true);
        }
        old
    }

    /// Raw access for the persistence module: the node slots in index order
    /// (with holes as None) and the relationships' types.
    pub(crate) fn raw(&self) -> &StableGraph<LabelSet, Sym, petgraph::Directed, u32> {
        &self.g
    }

    /// The properties of node slot `i` (empty when it has none).
    pub(crate) fn raw_node_props(&self, i: usize) -> PropsRef<'_> {
        self.node_props.get(i)
    }

    /// The properties of relationship slot `i` (empty when it has none).
    pub(crate) fn raw_rel_props(&self, i: u32) -> &Props {
        self.rel_props.get(&i).unwrap_or(&NO_PROPS)
    }

    /// Sets the schema without logging or undo (for the store file).
    pub(crate) fn replace_schema(&mut self, schema: Option<Schema>) {
        self.schema = schema;
    }

    /// The name index, for the store file.
    pub(crate) fn name_index(&self) -> &NameIndex {
        &self.names
    }

    /// Rebuilds a graph from persisted parts, with the same ids. The name
    /// index is rebuilt (folding every name) unless the file had it, the
    /// label index unless the caller built it from the same nodes.
    pub(crate) fn from_parts(
        g: StableGraph<LabelSet, Sym, petgraph::Directed, u32>,
        node_props: NodeColumn,
        rel_props: RelProps,
        names: Option<NameIndex>,
        labels: Option<BTreeMap<Sym, IdSet>>,
        schema: Option<Schema>,
    ) -> Graph {
        let mut graph = Graph {
            g,
            node_props,
            rel_props,
            schema,
            ..Graph::default()
        };
        let have_names = names.is_some();
        if let Some(n) = names {
            graph.names = n;
        }
        let have_labels = labels.is_some();
        if let Some(l) = labels {
            graph.labels = l;
        }
        if have_names && have_labels {
            return graph;
        }
        for i in graph.g.node_indices() {
            let id = nid(i);
            if !have_names {
                let props = graph.node_props.get(i.index());
                for name in names_of(props) {
                    graph.names.insert(&fold(&name), id);
                }
            }
            if !have_labels {
                for l in graph.g[i].iter() {
                    graph.labels.entry(*l).or_default().insert(id);
                }
            }
        }
        graph
    }
}

fn check_storable_one(key: &str, v: &Value) -> Result<(), QueryError> {
    if v.is_null() || v.is_storable() {
        Ok(())
    } else {
        Err(QueryError::type_error(
            "InvalidPropertyType",
            format!("property '{key}' cannot hold a {} ({v})", v.type_name()),
        ))
    }
}

fn check_storable(props: &Props) -> Result<(), QueryError> {
    props.iter().try_for_each(|(k, v)| check_storable_one(k, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(kv: &[(&str, Value)]) -> Props {
        kv.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn names_and_aliases_resolve_after_changes() {
        let mut g = Graph::new();
        let sco = g
            .create_node(
                vec!["Organisation".into()],
                props(&[
                    ("name", "SCO".into()),
                    (
                        "aliases",
                        Value::List(vec![
                            "SOZ".into(),
                            "Shanghaier Organisation für Zusammenarbeit".into(),
                        ]),
                    ),
                ]),
            )
            .unwrap();
        assert_eq!(g.lookup("soz"), vec![sco]);
        assert_eq!(
            g.lookup("shanghaier organisation fur zusammenarbeit"),
            vec![sco]
        );
        g.set_node_prop(sco, "aliases", Value::Null).unwrap();
        assert!(g.lookup("SOZ").is_empty());
        assert_eq!(g.suggest_name("SCOO"), Some("SCO".into()));
        g.detach_delete_node(sco).unwrap();
        assert!(g.lookup("SCO").is_empty());
        assert_eq!(g.nodes_with_label("Organisation").count(), 0);
    }

    #[test]
    fn delete_connected_node_is_refused() {
        let mut g = Graph::new();
        let a = g.create_node(vec![], Props::new()).unwrap();
        let b = g.create_node(vec![], Props::new()).unwrap();
        g.create_rel(a, b, "KNOWS".into(), Props::new()).unwrap();
        assert!(g.delete_node(a).is_err());
        assert_eq!(g.detach_delete_node(a).unwrap(), 1);
        assert_eq!(g.rel_count(), 0);
    }

    /// A graph with holes in both free lists, names, aliases and labels.
    fn sample() -> (Graph, Vec<NodeId>, Vec<RelId>) {
        let mut g = Graph::new();
        let mut ns = Vec::new();
        for i in 0..8 {
            let p = props(&[
                ("name", Value::String(format!("n{i}"))),
                ("aliases", Value::List(vec![format!("alias {i}").into()])),
                ("score", Value::Int(i)),
            ]);
            ns.push(
                g.create_node(vec!["Person".into(), format!("K{}", i % 3)], p)
                    .unwrap(),
            );
        }
        let mut rs = Vec::new();
        for i in 0..8 {
            let p = props(&[("w", Value::Int(i as i64))]);
            rs.push(
                g.create_rel(ns[i], ns[(i * 3 + 1) % 8], "KNOWS".into(), p)
                    .unwrap(),
            );
        }
        // Holes: slots 2 and 5 free (5 at the head), relationship slot 6 free.
        g.detach_delete_node(ns[2]).unwrap();
        g.delete_rel(rs[6]).ok();
        g.detach_delete_node(ns[5]).unwrap();
        (g, ns, rs)
    }

    /// Everything a rollback must restore: the stored bytes, the indexes,
    /// the journal, and the free lists (the next ids handed out).
    fn assert_same(before: &Graph, after: &Graph) {
        assert_eq!(persist::encode(before), persist::encode(after));
        assert_eq!(before.names.canonical(), after.names.canonical());
        let non_empty = |g: &Graph| -> BTreeMap<String, Vec<u32>> {
            g.labels
                .iter()
                .filter(|(_, s)| !s.is_empty())
                .map(|(l, s)| (l.to_string(), s.to_vec()))
                .collect()
        };
        assert_eq!(non_empty(before), non_empty(after));
        // Compared as text: a NaN in a change is not equal to itself.
        assert_eq!(
            format!("{:?}", before.journal),
            format!("{:?}", after.journal)
        );
        let (mut b, mut a) = (before.clone(), after.clone());
        for _ in 0..4 {
            let x = b.create_node(vec![], Props::new()).unwrap();
            assert_eq!(x, a.create_node(vec![], Props::new()).unwrap());
            assert_eq!(
                b.create_rel(x, x, "T".into(), Props::new()).unwrap(),
                a.create_rel(x, x, "T".into(), Props::new()).unwrap()
            );
        }
    }

    #[test]
    fn rollback_restores_an_identical_graph() {
        let (mut g, ns, rs) = sample();
        g.start_journal();
        g.set_node_prop(ns[0], "seen", Value::Bool(true)).unwrap();
        let before = g.clone();
        assert!(g.begin());
        assert!(!g.begin(), "a statement is open already");
        // Creates, re-using the freed slots and appending past the end.
        let a = g
            .create_node(vec!["Person".into()], props(&[("name", "Ada".into())]))
            .unwrap();
        let b = g.create_node(vec!["New".into()], Props::new()).unwrap();
        let c = g.create_node(vec![], Props::new()).unwrap();
        assert_eq!((a, b), (ns[5], ns[2]), "freed slots are re-used");
        let r = g
            .create_rel(a, ns[1], "KNOWS".into(), Props::new())
            .unwrap();
        assert!(
            g.rel(r).is_some() && r.0 < 8,
            "a freed relationship slot is re-used"
        );
        g.create_rel(c, b, "X".into(), Props::new()).unwrap();
        // Sets, removals, label changes on old elements.
        g.set_node_prop(ns[0], "name", "renamed".into()).unwrap();
        g.set_node_prop(ns[0], "aliases", Value::Null).unwrap();
        g.set_node_prop(ns[1], "score", Value::Int(99)).unwrap();
        g.set_rel_prop(rs[0], "w", Value::Null).unwrap();
        g.set_rel_prop(rs[1], "new", Value::Int(1)).unwrap();
        g.remove_label(ns[3], "Person").unwrap();
        g.add_label(ns[3], "Extra").unwrap();
        g.add_label(ns[4], "Person").unwrap();
        // Deletes: a connected node (detach), a relationship, a node created
        // here, then its slot re-used again.
        g.detach_delete_node(ns[1]).unwrap();
        g.delete_rel(rs[7]).unwrap();
        g.detach_delete_node(c).unwrap();
        let d = g.create_node(vec!["Again".into()], Props::new()).unwrap();
        assert_eq!(d, c);
        g.detach_delete_node(ns[7]).unwrap();
        g.set_schema(Some(Schema::default()));
        assert_ne!(persist::encode(&g), persist::encode(&before));
        g.rollback();
        assert!(!g.in_statement());
        assert_same(&before, &g);
        assert_eq!(g.lookup("alias 0"), vec![ns[0]]);
        assert!(g.lookup("renamed").is_empty());
        assert_eq!(g.lookup("n1"), vec![ns[1]]);
        assert_eq!(g.node(ns[3]).unwrap().labels, vec!["Person", "K0"]);
    }

    #[test]
    fn rollback_to_a_mark_keeps_the_earlier_changes() {
        let (mut g, ns, _) = sample();
        g.start_journal();
        g.begin();
        g.set_node_prop(ns[0], "x", Value::Int(1)).unwrap();
        let kept = g.clone();
        let mark = g.mark();
        g.detach_delete_node(ns[0]).unwrap();
        g.create_node(vec!["A".into()], Props::new()).unwrap();
        g.rollback_to(mark);
        assert!(g.in_statement());
        assert_eq!(persist::encode(&kept), persist::encode(&g));
        assert_eq!(g.journal.as_ref().map(Vec::len), Some(1));
        g.commit();
        assert!(!g.in_statement());
        assert_eq!(
            g.node(ns[0]).unwrap().props.get("x").as_deref(),
            Some(&Value::Int(1))
        );
    }

    use crate::model::FDate;

    /// Checks every property index against one built afresh from a scan
    /// of all nodes (not through the label index).
    fn assert_indexes_agree(g: &Graph) {
        for ix in g.prop_indexes() {
            let nodes = g.g.node_indices().filter_map(|i| {
                let n = g.node(nid(i))?;
                n.labels.contains(&ix.label()).then_some((nid(i), n.props))
            });
            let fresh = propindex::build(PropIndex::new(ix.name(), ix.label(), ix.key()), nodes);
            assert_eq!(ix.contents(), fresh.contents(), "index {}", ix.name());
            assert_eq!(ix.len(), fresh.len(), "index {}", ix.name());
        }
        // The relationship-type index, when built, against a pass over
        // the relationships.
        if let Some(built) = g.rel_types.get() {
            let mut scan: BTreeMap<Sym, Vec<u32>> = BTreeMap::new();
            for (r, t) in g.rels_typed() {
                scan.entry(t).or_default().push(r.0);
            }
            let index: BTreeMap<Sym, Vec<u32>> = built
                .iter()
                .filter(|(_, s)| !s.is_empty())
                .map(|(t, s)| (*t, s.iter().map(|n| n.0).collect()))
                .collect();
            assert_eq!(index, scan, "the relationship-type index");
        }
    }

    /// Ends the statement open on `g`: rolled back (and then the same as
    /// `before`, the graph at its start) or committed.
    fn end_statement(g: &mut Graph, before: &Graph, roll_back: bool) {
        if roll_back {
            g.rollback();
            assert_same(before, g);
        } else {
            g.commit();
        }
    }

    /// xorshift64*: deterministic, no dependency.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
        }
    }

    /// A value drawn from a small pool, so that values repeat and equal
    /// values of different types (1 and 1.0) meet in one key.
    fn random_value(r: &mut Rng) -> Value {
        match r.below(9) {
            0 => Value::Int(r.below(4) as i64),
            1 => Value::Float(r.below(4) as f64),
            2 => Value::Float(r.below(4) as f64 + 0.5),
            3 => Value::String(["a", "ab", "b"][r.below(3)].into()),
            4 => Value::Bool(r.below(2) == 0),
            5 => Value::List(vec![Value::Int(r.below(2) as i64)]),
            6 => Value::Date(FDate::year(2023 + r.below(2) as i32)),
            7 => Value::Float(f64::NAN),
            _ => Value::Null,
        }
    }

    /// One random write; errors (a deleted node, a connected one) are
    /// part of the game and change nothing.
    fn random_write(g: &mut Graph, r: &mut Rng) {
        let ids: Vec<NodeId> = g.node_ids().collect();
        let pick = |r: &mut Rng| ids.get(r.below(ids.len())).copied().unwrap_or(NodeId(0));
        let label = ["A", "B", "C"][r.below(3)];
        let key = ["p", "q"][r.below(2)];
        let _ = match r.below(10) {
            0 | 1 => {
                let mut p = Props::new();
                p.insert(Sym::new(key), random_value(r));
                g.create_node(vec![label.into()], p).map(|_| ())
            }
            2..=4 => g.set_node_prop(pick(r), key, random_value(r)),
            5 => g.add_label(pick(r), label).map(|_| ()),
            6 => g.remove_label(pick(r), label).map(|_| ()),
            7 => g.detach_delete_node(pick(r)).map(|_| ()),
            8 => {
                let (a, b) = (pick(r), pick(r));
                g.create_rel(a, b, ["R", "S"][r.below(2)].into(), Props::new())
                    .map(|_| ())
            }
            _ => match r.below(3) {
                0 => g.create_index(None, label, key).map(|_| ()),
                1 => {
                    let name = g.prop_indexes().next().map(|ix| ix.name().to_string());
                    g.drop_index(name.as_deref().unwrap_or("none"))
                }
                _ => g.delete_node(pick(r)),
            },
        };
    }

    #[test]
    fn property_indexes_agree_with_a_scan_through_random_writes_and_rollbacks() {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        let mut g = Graph::new();
        g.create_index(Some("a_p"), "A", "p").unwrap();
        // Built now, so that every write below has to keep it current.
        assert!(g.rel_type_counts().is_empty());
        g.start_journal();
        for round in 0..300 {
            let before = g.clone();
            let journal_at = g.journal.as_ref().map_or(0, Vec::len);
            assert!(g.begin());
            for _ in 0..r.below(12) {
                random_write(&mut g, &mut r);
                if r.below(4) == 0 {
                    let mark = g.mark();
                    random_write(&mut g, &mut r);
                    random_write(&mut g, &mut r);
                    g.rollback_to(mark);
                }
                assert_indexes_agree(&g);
            }
            end_statement(&mut g, &before, round % 3 == 0);
            assert_indexes_agree(&g);
            // The journal, replayed on the graph as it was, gives the same
            // graph and indexes (what the write-ahead log does).
            let mut replayed = before.clone();
            let changes = g.journal.as_ref().map_or(&[][..], |j| &j[journal_at..]);
            for c in changes {
                replayed.apply(c.clone()).unwrap();
            }
            assert_eq!(persist::encode(&replayed), persist::encode(&g));
            assert_indexes_agree(&replayed);
        }
        assert!(g.prop_indexes().count() > 0 && g.node_count() > 10);
        assert!(g.rel_count() > 0 && g.rel_types.get().is_some());
        let sizes: usize = g.prop_indexes().map(PropIndex::len).sum();
        assert!(sizes > 0, "the indexes hold nodes at the end");
    }

    /// Every node's typed walks, through its groups where it has them,
    /// against petgraph's lists: the same relationships in the same order.
    fn assert_groups_agree(g: &Graph) {
        let types = [Sym::new("R"), Sym::new("S"), Sym::new("T")];
        for n in g.node_ids() {
            for outgoing in [true, false] {
                let list: Vec<(RelId, NodeId, Sym)> = if outgoing {
                    g.out_rels(n)
                        .map(|(r, o)| (r, o, g.rel_type(r).unwrap()))
                        .collect()
                } else {
                    g.in_rels(n)
                        .map(|(r, o)| (r, o, g.rel_type(r).unwrap()))
                        .collect()
                };
                for t in types {
                    let want: Vec<_> = list.iter().filter(|x| x.2 == t).copied().collect();
                    let got: Vec<_> = g.rels_with_data(n, outgoing, Some(&[t])).collect();
                    assert_eq!(got, want, "node {} outgoing {outgoing} type {t}", n.0);
                }
                let two = [types[2], types[0], types[2]];
                let want: Vec<_> = list
                    .iter()
                    .filter(|x| two.contains(&x.2))
                    .copied()
                    .collect();
                let got: Vec<_> = g.rels_with_data(n, outgoing, Some(&two)).collect();
                assert_eq!(got, want, "node {} outgoing {outgoing} types T|R|T", n.0);
            }
        }
        // A group with nothing stale lists only live relationships of its own.
        for (n, dir, group) in g.groups.all() {
            assert!(g.node(NodeId(n)).is_some(), "a group of removed node {n}");
            if group.stale() == 0 {
                for t in group.types() {
                    for &e in group.of_type(t) {
                        assert!(groups::listed_here(&g.g, e, n, dir, t));
                    }
                }
            }
        }
    }

    #[test]
    fn relationship_groups_agree_with_the_lists_through_random_writes_and_rollbacks() {
        let mut r = Rng(0x2545_F491_4F6C_DD1D);
        let mut g = Graph::new();
        let hubs: Vec<NodeId> = (0..4)
            .map(|_| g.create_node(vec!["H".into()], Props::new()).unwrap())
            .collect();
        let mut others: Vec<NodeId> = (0..30)
            .map(|_| g.create_node(vec!["A".into()], Props::new()).unwrap())
            .collect();
        // Mostly R, some S, a few T: a walk for S or T on a hub groups it.
        let pick_type = |r: &mut Rng| match r.below(20) {
            0..=15 => "R",
            16..=18 => "S",
            _ => "T",
        };
        for _ in 0..600 {
            let h = hubs[r.below(hubs.len())];
            let o = others[r.below(others.len())];
            let (a, b) = if r.below(2) == 0 { (h, o) } else { (o, h) };
            g.create_rel(a, b, pick_type(&mut r).into(), Props::new())
                .unwrap();
        }
        g.create_rel(hubs[0], hubs[0], "S".into(), Props::new())
            .unwrap();
        assert_eq!(g.groups.len(), 0);
        assert_groups_agree(&g);
        assert!(
            g.groups.len() >= 6,
            "the walks grouped the hubs: {}",
            g.groups.len()
        );
        let grouped_at_start = g.groups.len();
        let mut deleted_a_grouped_node = false;
        let mut checked_with_groups = 0;
        for round in 0..400 {
            let before = g.clone();
            assert!(g.begin());
            for _ in 0..r.below(30) {
                let ids: Vec<NodeId> = g.node_ids().collect();
                let pick = |r: &mut Rng| ids[r.below(ids.len())];
                match r.below(24) {
                    0..=13 => {
                        let (a, b) = (pick(&mut r), pick(&mut r));
                        g.create_rel(a, b, pick_type(&mut r).into(), Props::new())
                            .unwrap();
                    }
                    14..=20 => {
                        let rels: Vec<RelId> = g.rel_ids().collect();
                        if !rels.is_empty() {
                            g.delete_rel(rels[r.below(rels.len())]).unwrap();
                        }
                    }
                    21 => {
                        let n = pick(&mut r);
                        deleted_a_grouped_node |= g.groups.get(n.0, Direction::Outgoing).is_some()
                            || g.groups.get(n.0, Direction::Incoming).is_some();
                        g.detach_delete_node(n).unwrap();
                    }
                    _ => others.push(g.create_node(vec!["A".into()], Props::new()).unwrap()),
                }
                if r.below(3) == 0 {
                    checked_with_groups += usize::from(g.groups.len() > 0);
                    assert_groups_agree(&g);
                }
            }
            end_statement(&mut g, &before, round % 4 == 0);
            assert_groups_agree(&g);
        }
        assert!(
            deleted_a_grouped_node,
            "a grouped node was deleted on the way"
        );
        assert!(
            checked_with_groups > 100,
            "{checked_with_groups} checks with groups"
        );
        assert!(grouped_at_start > 0 && g.rel_count() > 100);
    }

    /// Every relationship uniqueness constraint's keys, where built,
    /// against keys built afresh from the type's relationships; and the
    /// check of a few touched relationships through them against the
    /// check that reads the whole type (the one before the keys existed,
    /// which a constraint the graph does not hold still takes): the same
    /// answer, the same message. Returns how many built keys it compared
    /// and how many of the checks found a clash.
    fn assert_rel_keys_agree(g: &Graph, r: &mut Rng) -> (usize, usize) {
        let (mut built, mut clashes) = (0, 0);
        let rels: Vec<RelId> = g.rel_ids().collect();
        for c in g.constraints.iter().filter(|c| c.entity == Entity::Rel) {
            if let Some(keys) = g.constraints.rel_keys_built(&c.name) {
                built += 1;
                let fresh = g.build_rel_keys(c);
                assert_eq!(keys.entries(), fresh.entries(), "keys of {}", c.name);
            }
            let scanned = Constraint {
                name: "not the graph's".into(),
                ..c.clone()
            };
            for _ in 0..3 {
                let touched: Vec<RelId> = (0..1 + r.below(2))
                    .filter_map(|_| rels.get(r.below(rels.len())).copied())
                    .collect();
                let t = Touched::Rels(touched.as_slice().into());
                let msg = |e: QueryError| e.message;
                let through_keys = g.check_constraint(c, &t, false).map_err(msg);
                let read_all = g.check_constraint(&scanned, &t, false).map_err(msg);
                assert_eq!(through_keys, read_all, "{c} touching {touched:?}");
                clashes += usize::from(through_keys.is_err_and(|m| m.contains("both have")));
            }
        }
        (built, clashes)
    }

    #[test]
    fn relationship_uniqueness_keys_agree_with_a_scan_through_random_writes_and_rollbacks() {
        use constraints::Kind;
        let mut r = Rng(0x51_7CC1_B727_220A);
        let mut g = Graph::new();
        let def = |name: &str, kind, t: &str, keys: &[&str]| Constraint {
            name: name.into(),
            kind,
            entity: Entity::Rel,
            label: Sym::new(t),
            keys: keys.iter().map(|k| Sym::new(k)).collect(),
        };
        g.create_constraint(def("u", Kind::Unique, "R", &["p"]))
            .unwrap();
        g.create_constraint(def("k", Kind::Key, "S", &["p", "q"]))
            .unwrap();
        for _ in 0..16 {
            g.create_node(vec!["A".into()], Props::new()).unwrap();
        }
        // Built now (empty), so that every write below has to keep them
        // current; "rk" comes and goes, and is built when first checked.
        for name in ["u", "k"] {
            assert!(
                g.constraints
                    .rel_keys(name, |c| g.build_rel_keys(c))
                    .is_some()
            );
        }
        let (mut checks, mut clashes) = (0, 0);
        let mut tally = |(built, clashed)| {
            checks += built;
            clashes += clashed;
        };
        let mut built_in_a_statement = 0;
        for round in 0..300 {
            let before = g.clone();
            assert!(g.begin());
            for _ in 0..r.below(16) {
                let nodes: Vec<NodeId> = g.node_ids().collect();
                let rels: Vec<RelId> = g.rel_ids().collect();
                let node = |r: &mut Rng| nodes[r.below(nodes.len())];
                let rel = |r: &mut Rng| rels.get(r.below(rels.len())).copied();
                let key = |r: &mut Rng| ["p", "q", "x"][r.below(3)];
                let mark = g.mark();
                let _ = match r.below(20) {
                    0..=6 => {
                        let mut p = Props::new();
                        for k in ["p", "q", "x"] {
                            if r.below(3) > 0 {
                                p.insert(Sym::new(k), random_value(&mut r));
                            }
                        }
                        let t = ["R", "S", "T"][r.below(3)];
                        let (a, b) = (node(&mut r), node(&mut r));
                        g.create_rel(a, b, t.into(), p).map(|_| ())
                    }
                    7..=11 => match rel(&mut r) {
                        Some(id) => g.set_rel_prop(id, key(&mut r), random_value(&mut r)),
                        None => Ok(()),
                    },
                    12..=14 => rel(&mut r).map_or(Ok(()), |id| g.delete_rel(id)),
                    15 => g.detach_delete_node(node(&mut r)).map(|_| ()),
                    16 => g.create_node(vec![], Props::new()).map(|_| ()),
                    17 if g.constraints.named("rk").is_some() => g.drop_constraint("rk"),
                    // Made only when the graph holds it (else refused).
                    17 => g
                        .create_constraint(def("rk", Kind::Unique, "R", &["p", "q"]))
                        .map(|_| ()),
                    _ => {
                        let unbuilt = g.constraints.named("rk").is_some()
                            && g.constraints.rel_keys_built("rk").is_none();
                        // One that "rk" covers, so that its check needs
                        // the keys.
                        let keyed: Vec<RelId> = g
                            .rels_of_type(Sym::new("R"))
                            .filter(|&id| {
                                let p = g.rel_props_of(id);
                                p.get("p").is_some() && p.get("q").is_some()
                            })
                            .collect();
                        let one = keyed.get(r.below(keyed.len())).copied();
                        let touched: Vec<RelId> = one.into_iter().collect();
                        for c in g.constraints.iter() {
                            let t = Touched::Rels(touched.as_slice().into());
                            let _ = g.check_constraint(c, &t, false);
                        }
                        built_in_a_statement +=
                            usize::from(unbuilt && g.constraints.rel_keys_built("rk").is_some());
                        Ok(())
                    }
                };
                if r.below(5) == 0 {
                    g.rollback_to(mark);
                }
                tally(assert_rel_keys_agree(&g, &mut r));
            }
            end_statement(&mut g, &before, round % 3 == 0);
            tally(assert_rel_keys_agree(&g, &mut r));
        }
        assert!(checks > 1000, "{checks} checks of built keys");
        assert!(clashes > 100, "{clashes} clashes found");
        assert!(built_in_a_statement > 3, "{built_in_a_statement}");
        let held = |name: &str| {
            g.constraints
                .rel_keys_built(name)
                .map(|k| k.entries().len())
        };
        assert!(held("u").is_some_and(|n| n > 0), "{:?}", held("u"));
        assert!(held("k").is_some_and(|n| n > 0), "{:?}", held("k"));
    }

    #[test]
    fn before_reads_the_old_state_off_the_undo_log() {
        let (mut g, ns, rs) = sample();
        let old = g.clone();
        g.begin();
        let mark = g.mark();
        let n = g.create_node(vec!["Fresh".into()], Props::new()).unwrap();
        g.set_node_prop(ns[0], "score", Value::Int(50)).unwrap();
        g.set_node_prop(ns[0], "score", Value::Int(60)).unwrap();
        g.set_rel_prop(rs[0], "w", Value::Int(7)).unwrap();
        g.detach_delete_node(ns[4]).unwrap();
        for id in [ns[1], ns[7]] {
            g.remove_label(id, "K1").unwrap();
        }
        let b = g.before(mark);
        assert_eq!(b.node_props(&g, n), None);
        assert_eq!(b.node_props(&g, ns[0]), old.node(ns[0]).map(|x| x.props));
        assert_eq!(b.node_props(&g, ns[4]), old.node(ns[4]).map(|x| x.props));
        assert_eq!(b.node_props(&g, ns[7]), old.node(ns[7]).map(|x| x.props));
        assert_eq!(b.rel_props(&g, rs[0]), old.rel(rs[0]).map(|x| x.props));
        let labels: BTreeSet<String> = old.labels().map(String::from).collect();
        assert_eq!(b.labels, labels);
        assert!(g.nodes_with_label("K1").next().is_none());
        assert!(b.labels.contains("K1") && !b.labels.contains("Fresh"));
        g.rollback();
        assert_same(&old, &g);
    }
}
