//! The graph: a petgraph `StableGraph` of nodes and relationships, an index of
//! names and aliases, a label index, and the schema every write is checked
//! against. Only [`persist`] and [`wal`] touch files.

pub mod persist;
pub mod wal;

pub use wal::{Report, backup, check};

use std::collections::{BTreeMap, BTreeSet, HashMap};

use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableGraph};
use petgraph::visit::{EdgeIndexable, EdgeRef, NodeIndexable};

use crate::error::QueryError;
use crate::model::names::{did_you_mean, fold};
use crate::model::{NodeId, Props, RelId, Schema, Value};

/// A node: its labels (kinds) and properties.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    pub labels: Vec<String>,
    pub props: Props,
}

/// A relationship: its type and properties. Its ends are in the graph.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rel {
    pub rel_type: String,
    pub props: Props,
}

/// The property that holds an entity's canonical name.
pub const NAME: &str = "name";
/// The property that holds an entity's other names.
pub const ALIASES: &str = "aliases";

/// The store's graph with its indexes.
///
/// Architecture invariant: `names` and `labels` always agree with the nodes'
/// `name`/`aliases` properties and labels; every mutation goes through the
/// methods here, which keep them so.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    g: StableGraph<Node, Rel, petgraph::Directed, u32>,
    names: HashMap<String, BTreeSet<NodeId>>,
    labels: BTreeMap<String, BTreeSet<NodeId>>,
    schema: Option<Schema>,
    /// Changes made since [`Graph::start_journal`], when journaling is on.
    /// It is part of the graph's state on purpose: a statement that fails is
    /// rolled back by restoring a clone, which brings back the journal as it
    /// was, so a failed statement's changes never reach the write-ahead log.
    journal: Option<Vec<Change>>,
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
        labels: Vec<String>,
        props: Props,
    },
    CreateRel {
        id: RelId,
        from: NodeId,
        to: NodeId,
        rel_type: String,
        props: Props,
    },
    /// `value` None removes the property.
    SetNodeProp {
        id: NodeId,
        key: String,
        value: Option<Value>,
    },
    SetRelProp {
        id: RelId,
        key: String,
        value: Option<Value>,
    },
    AddLabel {
        id: NodeId,
        label: String,
    },
    RemoveLabel {
        id: NodeId,
        label: String,
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
fn names_of(node: &Node) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some(Value::String(s)) = node.props.get(NAME) {
        out.push(s.as_str());
    }
    if let Some(Value::List(items)) = node.props.get(ALIASES) {
        out.extend(items.iter().filter_map(Value::as_str));
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

    /// The changes recorded since [`Graph::start_journal`]; stops recording.
    pub fn take_journal(&mut self) -> Vec<Change> {
        self.journal.take().unwrap_or_default()
    }

    fn record(&mut self, change: impl FnOnce() -> Change) {
        if let Some(j) = &mut self.journal {
            j.push(change());
        }
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
                self.unindex_node(id);
                if let Some(n) = self.g.node_weight_mut(ni(id)) {
                    match value {
                        Some(v) => n.props.insert(key, v),
                        None => n.props.remove(&key),
                    };
                }
                self.index_node(id);
            }
            Change::SetRelProp { id, key, value } => {
                let r = self
                    .g
                    .edge_weight_mut(ei(id))
                    .ok_or_else(|| missing_rel(id).message)?;
                match value {
                    Some(v) => r.props.insert(key, v),
                    None => r.props.remove(&key),
                };
            }
            Change::AddLabel { id, label } => {
                let n = self
                    .g
                    .node_weight_mut(ni(id))
                    .ok_or_else(|| missing_node(id).message)?;
                if !n.labels.contains(&label) {
                    n.labels.push(label.clone());
                }
                self.labels.entry(label).or_default().insert(id);
            }
            Change::RemoveLabel { id, label } => {
                self.remove_label(id, &label).map_err(qe)?;
            }
            Change::DeleteRel { id } => self.delete_rel(id).map_err(qe)?,
            Change::DeleteNode { id } => self.delete_node(id).map_err(qe)?,
            Change::SetSchema(s) => self.schema = s,
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
            let i = self.g.add_node(Node::default());
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
        let got = self.g.add_node(Node::default());
        // `got` is `id` or the free list was not what the loop left: both
        // are checked, never assumed.
        if got != ni(id) {
            self.g.remove_node(got);
            return Err(format!("node slot {} could not be placed", id.0));
        }
        if let Some(w) = self.g.node_weight_mut(got) {
            *w = node;
        }
        Ok(())
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
            let e = self.g.add_edge(ni(from), ni(from), Rel::default());
            if e == ei(id) {
                break;
            }
            taken.push(e);
        }
        for t in taken.into_iter().rev() {
            self.g.remove_edge(t);
        }
        self.g.remove_edge(ei(id));
        let got = self.g.add_edge(ni(from), ni(to), rel);
        if got != ei(id) {
            self.g.remove_edge(got);
            return Err(format!("relationship slot {} could not be placed", id.0));
        }
        Ok(())
    }

    // ---- reading -------------------------------------------------------

    pub fn schema(&self) -> Option<&Schema> {
        self.schema.as_ref()
    }
    pub fn node_count(&self) -> usize {
        self.g.node_count()
    }
    pub fn rel_count(&self) -> usize {
        self.g.edge_count()
    }
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.g.node_weight(ni(id))
    }
    pub fn rel(&self, id: RelId) -> Option<&Rel> {
        self.g.edge_weight(ei(id))
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
    /// Nodes carrying a label, in id order.
    pub fn nodes_with_label(&self, label: &str) -> impl Iterator<Item = NodeId> + '_ {
        self.labels.get(label).into_iter().flatten().copied()
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
        self.g.edge_weights().map(|r| r.rel_type.as_str()).collect()
    }
    /// Every property key in use on nodes and relationships, sorted.
    pub fn property_keys(&self) -> BTreeSet<&str> {
        let mut keys: BTreeSet<&str> = BTreeSet::new();
        keys.extend(
            self.g
                .node_weights()
                .flat_map(|n| n.props.keys().map(String::as_str)),
        );
        keys.extend(
            self.g
                .edge_weights()
                .flat_map(|r| r.props.keys().map(String::as_str)),
        );
        keys
    }

    /// Nodes whose name or one of whose aliases folds to the same as `name`
    /// (case, diacritics and spacing ignored).
    pub fn lookup(&self, name: &str) -> Vec<NodeId> {
        self.names
            .get(&fold(name))
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }
    /// The known name or alias closest to `name`, for "did you mean".
    pub fn suggest_name(&self, name: &str) -> Option<String> {
        let all: Vec<&str> = self.g.node_weights().flat_map(names_of).collect();
        did_you_mean(name, all)
    }
    /// Every name and alias, with the node's canonical name (for completion).
    pub fn all_names(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for n in self.g.node_weights() {
            let names = names_of(n);
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
        self.schema = schema;
    }

    pub fn create_node(&mut self, labels: Vec<String>, props: Props) -> Result<NodeId, QueryError> {
        let props: Props = props.into_iter().filter(|(_, v)| !v.is_null()).collect();
        check_storable(&props)?;
        if let Some(s) = &self.schema {
            s.check_node(&labels, &props, false)
                .map_err(QueryError::schema)?;
        }
        let node = Node { labels, props };
        let id = nid(self.g.add_node(node));
        self.index_node(id);
        if self.journal.is_some()
            && let Some(n) = self.node(id)
        {
            let (labels, props) = (n.labels.clone(), n.props.clone());
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
        let props: Props = props.into_iter().filter(|(_, v)| !v.is_null()).collect();
        check_storable(&props)?;
        let fl = self
            .node(from)
            .ok_or_else(|| missing_node(from))?
            .labels
            .clone();
        let tl = self
            .node(to)
            .ok_or_else(|| missing_node(to))?
            .labels
            .clone();
        if let Some(s) = &self.schema {
            s.check_rel(&rel_type, &fl, &tl, &props, false)
                .map_err(QueryError::schema)?;
        }
        let change = self
            .journal
            .is_some()
            .then(|| (rel_type.clone(), props.clone()));
        let id = rid(self.g.add_edge(ni(from), ni(to), Rel { rel_type, props }));
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
        if let Some(s) = &self.schema {
            let mut props = Props::new();
            props.insert(key.to_string(), value.clone());
            s.check_node(&node.labels, &props, false)
                .map_err(QueryError::schema)?;
        }
        self.unindex_node(id);
        self.record(|| Change::SetNodeProp {
            id,
            key: key.to_string(),
            value: (!value.is_null()).then(|| value.clone()),
        });
        if let Some(n) = self.g.node_weight_mut(ni(id)) {
            if value.is_null() {
                n.props.remove(key);
            } else {
                n.props.insert(key.to_string(), value);
            }
        }
        self.index_node(id);
        Ok(())
    }

    /// Sets (or, with `Value::Null`, removes) a relationship property.
    pub fn set_rel_prop(&mut self, id: RelId, key: &str, value: Value) -> Result<(), QueryError> {
        check_storable_one(key, &value)?;
        let (a, b) = self.rel_ends(id).ok_or_else(|| missing_rel(id))?;
        if let Some(s) = &self.schema {
            let rel = self.rel(id).ok_or_else(|| missing_rel(id))?;
            let mut props = Props::new();
            props.insert(key.to_string(), value.clone());
            let fl = self.node(a).map(|n| n.labels.clone()).unwrap_or_default();
            let tl = self.node(b).map(|n| n.labels.clone()).unwrap_or_default();
            s.check_rel(&rel.rel_type, &fl, &tl, &props, false)
                .map_err(QueryError::schema)?;
        }
        self.record(|| Change::SetRelProp {
            id,
            key: key.to_string(),
            value: (!value.is_null()).then(|| value.clone()),
        });
        if let Some(r) = self.g.edge_weight_mut(ei(id)) {
            if value.is_null() {
                r.props.remove(key);
            } else {
                r.props.insert(key.to_string(), value);
            }
        }
        Ok(())
    }

    /// Adds a label; returns false if the node had it already.
    pub fn add_label(&mut self, id: NodeId, label: &str) -> Result<bool, QueryError> {
        let node = self.node(id).ok_or_else(|| missing_node(id))?;
        if node.labels.iter().any(|l| l == label) {
            return Ok(false);
        }
        if let Some(s) = &self.schema {
            let mut labels = node.labels.clone();
            labels.push(label.to_string());
            s.check_node(&labels, &node.props, false)
                .map_err(QueryError::schema)?;
        }
        self.record(|| Change::AddLabel {
            id,
            label: label.to_string(),
        });
        if let Some(n) = self.g.node_weight_mut(ni(id)) {
            n.labels.push(label.to_string());
        }
        self.labels.entry(label.to_string()).or_default().insert(id);
        Ok(true)
    }

    /// Removes a label; returns false if the node did not have it.
    pub fn remove_label(&mut self, id: NodeId, label: &str) -> Result<bool, QueryError> {
        let node = self
            .g
            .node_weight_mut(ni(id))
            .ok_or_else(|| missing_node(id))?;
        let before = node.labels.len();
        node.labels.retain(|l| l != label);
        let removed = node.labels.len() != before;
        if removed && let Some(set) = self.labels.get_mut(label) {
            set.remove(&id);
        }
        if removed {
            self.record(|| Change::RemoveLabel {
                id,
                label: label.to_string(),
            });
        }
        Ok(removed)
    }

    pub fn delete_rel(&mut self, id: RelId) -> Result<(), QueryError> {
        self.g.remove_edge(ei(id)).ok_or_else(|| missing_rel(id))?;
        self.record(|| Change::DeleteRel { id });
        Ok(())
    }

    /// Deletes a node that has no relationships.
    pub fn delete_node(&mut self, id: NodeId) -> Result<(), QueryError> {
        if self.node(id).is_none() {
            return Err(missing_node(id));
        }
        if self.degree(id) > 0 {
            return Err(QueryError::new(
                crate::error::ErrorClass::ConstraintVerificationFailed,
                "DeleteConnectedNode",
                format!(
                    "cannot delete node {} because it still has {} relationship(s); use DETACH DELETE",
                    id.0,
                    self.degree(id)
                ),
            ));
        }
        self.unindex_node(id);
        self.g.remove_node(ni(id));
        self.record(|| Change::DeleteNode { id });
        Ok(())
    }

    /// Deletes a node and its relationships; returns how many relationships went.
    pub fn detach_delete_node(&mut self, id: NodeId) -> Result<usize, QueryError> {
        if self.node(id).is_none() {
            return Err(missing_node(id));
        }
        let rels: Vec<RelId> = self
            .out_rels(id)
            .map(|(r, _)| r)
            .chain(self.in_rels(id).map(|(r, _)| r))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for r in &rels {
            self.g.remove_edge(ei(*r));
            self.record(|| Change::DeleteRel { id: *r });
        }
        self.unindex_node(id);
        self.g.remove_node(ni(id));
        self.record(|| Change::DeleteNode { id });
        Ok(rels.len())
    }

    /// Checks the nodes and relationships given against the whole schema,
    /// required properties included.
    pub fn check_complete(&self, nodes: &[NodeId], rels: &[RelId]) -> Result<(), QueryError> {
        let Some(s) = &self.schema else { return Ok(()) };
        for &n in nodes {
            if let Some(node) = self.node(n) {
                s.check_node(&node.labels, &node.props, true)
                    .map_err(QueryError::schema)?;
            }
        }
        for &r in rels {
            if let (Some(rel), Some((a, b))) = (self.rel(r), self.rel_ends(r)) {
                let fl = self.node(a).map(|n| n.labels.clone()).unwrap_or_default();
                let tl = self.node(b).map(|n| n.labels.clone()).unwrap_or_default();
                s.check_rel(&rel.rel_type, &fl, &tl, &rel.props, true)
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
        let Some(node) = self.g.node_weight(ni(id)) else {
            return;
        };
        for name in names_of(node) {
            self.names.entry(fold(name)).or_default().insert(id);
        }
        for l in &node.labels {
            self.labels.entry(l.clone()).or_default().insert(id);
        }
    }

    fn unindex_node(&mut self, id: NodeId) {
        let Some(node) = self.g.node_weight(ni(id)) else {
            return;
        };
        for name in names_of(node) {
            let key = fold(name);
            if let Some(set) = self.names.get_mut(&key) {
                set.remove(&id);
                if set.is_empty() {
                    self.names.remove(&key);
                }
            }
        }
        for l in &node.labels {
            if let Some(set) = self.labels.get_mut(l) {
                set.remove(&id);
            }
        }
    }

    /// Raw access for the persistence module: the node slots in index order
    /// (with holes as None) and the relationships.
    pub(crate) fn raw(&self) -> &StableGraph<Node, Rel, petgraph::Directed, u32> {
        &self.g
    }

    /// Rebuilds a graph from persisted parts, with the same ids, and its indexes.
    pub(crate) fn from_raw(
        g: StableGraph<Node, Rel, petgraph::Directed, u32>,
        schema: Option<Schema>,
    ) -> Graph {
        let mut graph = Graph {
            g,
            schema,
            ..Graph::default()
        };
        let ids: Vec<NodeId> = graph.node_ids().collect();
        for id in ids {
            graph.index_node(id);
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
}
