//! Relationship groups: for a node whose list in one direction is long and
//! mostly of other types than a walk asked for, its relationships in that
//! direction split by type (what Neo4j calls relationship groups for dense
//! nodes).
//!
//! Petgraph keeps one linked list per node and direction, so
//! `(o:Organisation)<-[:MEMBER_OF]-()` on an organisation with eight
//! memberships among three thousand MENTIONS walks all three thousand.
//! With a group it reads the eight. A node is grouped the first time a
//! walk of its list for one type visits at least [`DENSE`] relationships
//! and finds at most half of them of that type; from then
//! on every write that adds or removes one of its relationships keeps the
//! group current. Walks for several types at once keep to the list, whose
//! order across the types a group does not record. Nothing is stored on disk: an opened store starts with
//! no groups, and memory follows what the queries walked.
//!
//! Invariants, checked against petgraph's lists by the store's randomized
//! tests:
//! - A group lists, per type, every live relationship of its node in its
//!   direction, oldest first: read backwards, exactly the order of
//!   petgraph's list (newest first) filtered by that type.
//! - Removing a relationship does not touch the group; it counts one more
//!   `stale` slot, and readers check each slot against the graph.
//!   `stale == 0` means every listed slot is live and belongs here. A
//!   group is compacted when half of it is stale, and before a
//!   relationship is added to it while any slot is stale, so that a slot
//!   petgraph hands out again is never listed twice.
//! - A removed node loses its groups (its slot may be handed out again).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, PoisonError, RwLock};

use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableGraph};
use petgraph::visit::EdgeRef;

use super::IdHasher;
use crate::model::{LabelSet, Sym};

type Pg = StableGraph<LabelSet, Sym, petgraph::Directed, u32>;
type ByNode = HashMap<u32, Arc<Group>, BuildHasherDefault<IdHasher>>;

/// A walk that visits at least this many relationships, at most half of
/// them of the types asked for, groups its node (in that direction).
pub(super) const DENSE: u32 = 64;

/// One node's relationships in one direction, by type.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Group {
    /// Per type, the relationships' slots, oldest first.
    types: Vec<(Sym, Vec<u32>)>,
    /// Slots listed whose relationship was removed since the last
    /// compaction.
    stale: usize,
}

impl Group {
    /// The slots of type `t`, oldest first; some may be stale (check them
    /// with [`listed_here`]).
    pub(super) fn of_type(&self, t: Sym) -> &[u32] {
        self.types
            .iter()
            .find(|(x, _)| *x == t)
            .map_or(&[][..], |(_, v)| &v[..])
    }

    fn listed(&self) -> usize {
        self.types.iter().map(|(_, v)| v.len()).sum()
    }

    /// Drops the slots that are no longer this node's relationships of
    /// their type, and `except`.
    fn compact(&mut self, g: &Pg, node: u32, dir: Direction, except: Option<u32>) {
        for (t, v) in &mut self.types {
            let t = *t;
            v.retain(|&e| Some(e) != except && listed_here(g, e, node, dir, t));
        }
        self.types.retain(|(_, v)| !v.is_empty());
        self.stale = 0;
    }
}

/// Is slot `e` a live relationship of type `t` with `node` at its `dir`
/// end (its start for outgoing)?
pub(super) fn listed_here(g: &Pg, e: u32, node: u32, dir: Direction, t: Sym) -> bool {
    let e = EdgeIndex::new(e as usize);
    g.edge_weight(e) == Some(&t)
        && g.edge_endpoints(e).is_some_and(|(s, d)| {
            let end = if dir == Direction::Outgoing { s } else { d };
            end.index() == node as usize
        })
}

fn slot(dir: Direction) -> usize {
    match dir {
        Direction::Outgoing => 0,
        Direction::Incoming => 1,
    }
}

/// The groups of the graph's dense nodes, per direction.
///
/// Reads (`&self`, from queries) may group a node; writes (`&mut self`)
/// keep the groups current without locking.
#[derive(Debug, Default)]
pub(super) struct Groups {
    by_dir: RwLock<[ByNode; 2]>,
}

impl Clone for Groups {
    /// The groups are shared until one side writes ([`Arc::make_mut`]).
    fn clone(&self) -> Groups {
        let m = self.by_dir.read().unwrap_or_else(PoisonError::into_inner);
        Groups {
            by_dir: RwLock::new(m.clone()),
        }
    }
}

impl Groups {
    fn maps(&mut self) -> &mut [ByNode; 2] {
        self.by_dir
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The group of `node` in `dir`, if it has one.
    pub(super) fn get(&self, node: u32, dir: Direction) -> Option<Arc<Group>> {
        let m = self.by_dir.read().unwrap_or_else(PoisonError::into_inner);
        let map = &m[slot(dir)];
        if map.is_empty() {
            return None;
        }
        map.get(&node).cloned()
    }

    /// Groups `node`'s relationships in `dir`, from petgraph's list.
    pub(super) fn group(&self, g: &Pg, node: u32, dir: Direction) {
        let mut group = Group::default();
        for e in g.edges_directed(NodeIndex::new(node as usize), dir) {
            let t = *e.weight();
            let slot = e.id().index() as u32;
            match group.types.iter_mut().find(|(x, _)| *x == t) {
                Some((_, v)) => v.push(slot),
                None => group.types.push((t, vec![slot])),
            }
        }
        // The list is newest first; groups are oldest first.
        for (_, v) in &mut group.types {
            v.reverse();
        }
        let mut m = self.by_dir.write().unwrap_or_else(PoisonError::into_inner);
        m[slot(dir)].entry(node).or_insert_with(|| Arc::new(group));
    }

    /// Relationship `e` of type `t` from `from` to `to` was added.
    pub(super) fn added(&mut self, g: &Pg, e: u32, from: u32, to: u32, t: Sym) {
        for (node, dir) in [(from, Direction::Outgoing), (to, Direction::Incoming)] {
            if let Some(group) = self.maps()[slot(dir)].get_mut(&node) {
                let group = Arc::make_mut(group);
                if group.stale > 0 {
                    group.compact(g, node, dir, Some(e));
                }
                match group.types.iter_mut().find(|(x, _)| *x == t) {
                    Some((_, v)) => v.push(e),
                    None => group.types.push((t, vec![e])),
                }
            }
        }
    }

    /// A relationship from `from` to `to` was removed.
    pub(super) fn removed(&mut self, g: &Pg, from: u32, to: u32) {
        for (node, dir) in [(from, Direction::Outgoing), (to, Direction::Incoming)] {
            if let Some(group) = self.maps()[slot(dir)].get_mut(&node) {
                let group = Arc::make_mut(group);
                group.stale += 1;
                if group.stale >= 16 && group.stale * 2 >= group.listed() {
                    group.compact(g, node, dir, None);
                }
            }
        }
    }

    /// Node `node` was removed.
    pub(super) fn node_removed(&mut self, node: u32) {
        for map in self.maps() {
            map.remove(&node);
        }
    }

    /// How many (node, direction) pairs are grouped.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        let m = self.by_dir.read().unwrap_or_else(PoisonError::into_inner);
        m.iter().map(HashMap::len).sum()
    }

    /// Every group, for checks: (node, direction, group).
    #[cfg(test)]
    pub(super) fn all(&self) -> Vec<(u32, Direction, Arc<Group>)> {
        let m = self.by_dir.read().unwrap_or_else(PoisonError::into_inner);
        let mut out = Vec::new();
        for (dir, map) in [Direction::Outgoing, Direction::Incoming]
            .into_iter()
            .zip(m.iter())
        {
            for (n, g) in map {
                out.push((*n, dir, Arc::clone(g)));
            }
        }
        out
    }
}

#[cfg(test)]
impl Group {
    pub(super) fn stale(&self) -> usize {
        self.stale
    }
    pub(super) fn types(&self) -> impl Iterator<Item = Sym> + '_ {
        self.types.iter().map(|(t, _)| *t)
    }
}
