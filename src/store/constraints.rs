//! Constraints (`CREATE CONSTRAINT`): uniqueness, existence and keys, on
//! the nodes of a label or the relationships of a type, as Neo4j 5 has
//! them. A constraint is a definition; the graph checks it when it is
//! created (against every element it covers) and at the end of each
//! writing statement (against the elements the statement touched), so a
//! statement that breaks one fails whole.
//!
//! A uniqueness check looks a touched element's values up: a node's in
//! the property index on the same label and first key when there is one
//! (`CREATE INDEX`; a uniqueness on nodes makes one), a relationship's in
//! the constraint's own `RelKeys`; otherwise it reads the label's nodes
//! once per statement. Values are compared as `=` does for grouping: `1`
//! and `1.0` are the same value.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::IdHasher;
use crate::export::cypher::ident as quoted;
use crate::model::{Props, PropsRef, Sym, Value};
use crate::query::compare::{Key, KeyHasher, group_key};

/// What a constraint requires of each element it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `IS UNIQUE`: no two elements with the same values of the keys
    /// (an element missing one of them is not compared).
    Unique,
    /// `IS NOT NULL`: the key is set.
    Exists,
    /// `IS NODE KEY` / `IS RELATIONSHIP KEY`: both.
    Key,
}

/// Whether a constraint covers the nodes of a label or the relationships
/// of a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Node,
    Rel,
}

/// One constraint's definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub name: String,
    pub kind: Kind,
    pub entity: Entity,
    /// The label (nodes) or the relationship type.
    pub label: Sym,
    /// The property keys, in the order written; one for `Exists`.
    pub keys: Vec<Sym>,
}

impl Constraint {
    /// Neo4j's `type` column of `SHOW CONSTRAINTS`.
    pub fn type_name(&self) -> &'static str {
        match (self.entity, self.kind) {
            (Entity::Node, Kind::Unique) => "UNIQUENESS",
            (Entity::Node, Kind::Exists) => "NODE_PROPERTY_EXISTENCE",
            (Entity::Node, Kind::Key) => "NODE_KEY",
            (Entity::Rel, Kind::Unique) => "RELATIONSHIP_UNIQUENESS",
            (Entity::Rel, Kind::Exists) => "RELATIONSHIP_PROPERTY_EXISTENCE",
            (Entity::Rel, Kind::Key) => "RELATIONSHIP_KEY",
        }
    }

    /// Does it require the keys to be set?
    pub fn requires_values(&self) -> bool {
        matches!(self.kind, Kind::Exists | Kind::Key)
    }

    /// Does it require the keys' values to be unique?
    pub fn requires_unique(&self) -> bool {
        matches!(self.kind, Kind::Unique | Kind::Key)
    }

    /// The name Neo4j would give it: `constraint_` and a hash of what it
    /// is, so that the same definition gets the same name.
    pub fn default_name(&self) -> String {
        let mut h: u32 = 0x811c_9dc5;
        let text = self.to_string();
        for b in text.bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        format!("constraint_{h:08x}")
    }

    /// An element's values of the keys, in order, or None when one is
    /// missing: the values a uniqueness compares (by their
    /// `compare::row_key`); an element without them is not compared.
    pub fn values(&self, props: &PropsRef<'_>) -> Option<Vec<Value>> {
        self.keys
            .iter()
            .map(|k| props.get(k).map(std::borrow::Cow::into_owned))
            .filter(|v| !matches!(v, Some(Value::Null)))
            .collect()
    }

    /// Writes the `compare::row_key` of the element's [`Constraint::values`]
    /// into `key` (cleared first) without copying them; false when they are
    /// None.
    pub fn key_of(&self, props: &PropsRef<'_>, key: &mut Key) -> bool {
        key.clear();
        for k in &self.keys {
            match props.get(k).as_deref() {
                None => return false,
                Some(Value::Null) => {}
                Some(v) => group_key(v, key),
            }
        }
        true
    }

    /// Is `other` the same requirement (whatever its name)?
    pub fn same_rule(&self, other: &Constraint) -> bool {
        self.kind == other.kind
            && self.entity == other.entity
            && self.label == other.label
            && self.keys == other.keys
    }
}

/// The definition as Cypher writes it, after `CREATE CONSTRAINT name`:
/// `FOR (n:Person) REQUIRE n.name IS UNIQUE`.
impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = match self.entity {
            Entity::Node => "n",
            Entity::Rel => "r",
        };
        match self.entity {
            Entity::Node => write!(f, "FOR (n:{}) REQUIRE ", quoted(&self.label))?,
            Entity::Rel => write!(f, "FOR ()-[r:{}]-() REQUIRE ", quoted(&self.label))?,
        }
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| format!("{v}.{}", quoted(k)))
            .collect();
        if keys.len() == 1 {
            f.write_str(&keys[0])?;
        } else {
            write!(f, "({})", keys.join(", "))?;
        }
        f.write_str(match (self.kind, self.entity) {
            (Kind::Unique, _) => " IS UNIQUE",
            (Kind::Exists, _) => " IS NOT NULL",
            (Kind::Key, Entity::Node) => " IS NODE KEY",
            (Kind::Key, Entity::Rel) => " IS RELATIONSHIP KEY",
        })
    }
}

/// The graph's constraints, in the order they were created, each
/// uniqueness on relationships with its `RelKeys`.
#[derive(Debug, Clone, Default)]
pub struct Constraints(Vec<Entry>);

#[derive(Debug, Clone)]
struct Entry {
    def: Constraint,
    /// For a uniqueness (or key) on relationships: its relationships by
    /// their values, built on first use ([`Constraints::rel_keys`]), then
    /// kept current by every write that adds or removes one of the type's
    /// relationships or sets or removes one of the keys on one. None for
    /// the other constraints.
    rels: Option<OnceLock<RelKeys>>,
}

impl Constraints {
    pub fn iter(&self) -> impl Iterator<Item = &Constraint> {
        self.0.iter().map(|e| &e.def)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn named(&self, name: &str) -> Option<&Constraint> {
        self.iter().find(|c| c.name == name)
    }
    /// Adds a definition; a uniqueness on relationships gets its
    /// `RelKeys`, to be built when first asked for.
    pub fn add(&mut self, c: Constraint) {
        let rels = (c.entity == Entity::Rel && c.requires_unique()).then(OnceLock::new);
        self.0.push(Entry { def: c, rels });
    }
    /// Removes a definition, and its `RelKeys` with it.
    pub fn remove(&mut self, name: &str) -> Option<Constraint> {
        let i = self.0.iter().position(|e| e.def.name == name)?;
        Some(self.0.remove(i).def)
    }

    /// The relationships by their values of the uniqueness on
    /// relationships called `name`, built by `build` if they are not yet.
    /// None for another constraint or a missing one.
    pub(super) fn rel_keys(
        &self,
        name: &str,
        build: impl FnOnce(&Constraint) -> RelKeys,
    ) -> Option<&RelKeys> {
        let e = self.0.iter().find(|e| e.def.name == name)?;
        Some(e.rels.as_ref()?.get_or_init(|| build(&e.def)))
    }

    /// The `RelKeys` of `name` if they are built (building none).
    #[cfg(test)]
    pub(super) fn rel_keys_built(&self, name: &str) -> Option<&RelKeys> {
        let e = self.0.iter().find(|e| e.def.name == name)?;
        e.rels.as_ref()?.get()
    }

    /// Is a built `RelKeys` on relationships of type `t`, and on `key`
    /// among its keys (any key for None)? Only then does a write to one
    /// have to tell [`Constraints::rel_added`] and
    /// [`Constraints::rel_removed`].
    pub(super) fn keys_rels(&self, t: Sym, key: Option<Sym>) -> bool {
        self.0
            .iter()
            .any(|e| e.rels.as_ref().is_some_and(|r| r.get().is_some()) && e.covers(t, key))
    }

    /// Relationship `id` of type `t` has `props` now: it was created, put
    /// back, or (`key` Some) that key of it was set or removed. Enters it
    /// in every built `RelKeys` that covers it.
    pub(super) fn rel_added(&mut self, id: u32, t: Sym, key: Option<Sym>, props: &Props) {
        for e in &mut self.0 {
            if e.covers(t, key)
                && let Some(keys) = e.rels.as_mut().and_then(OnceLock::get_mut)
            {
                keys.enter(&e.def, id, props, &mut Key::new());
            }
        }
    }

    /// Relationship `id` of type `t` had `props` until now: it is being
    /// removed, or (`key` Some) that key of it is about to change. Takes
    /// it out of every built `RelKeys` that covers it.
    pub(super) fn rel_removed(&mut self, id: u32, t: Sym, key: Option<Sym>, props: &Props) {
        for e in &mut self.0 {
            if e.covers(t, key)
                && let Some(keys) = e.rels.as_mut().and_then(OnceLock::get_mut)
            {
                keys.leave(&e.def, id, props);
            }
        }
    }
}

impl Entry {
    /// Does a change to a relationship of type `t` (to its property `key`,
    /// or to all of it for None) change what this constraint compares?
    fn covers(&self, t: Sym, key: Option<Sym>) -> bool {
        self.def.entity == Entity::Rel
            && self.def.label == t
            && key.is_none_or(|k| self.def.keys.contains(&k))
    }
}

/// The relationships of a uniqueness on relationships, by the hash of
/// their values' `compare::row_key` (so by Cypher's `=` as the check
/// groups them: `1` and `1.0` alike): the type's relationships that have
/// every key, each once. A uniqueness check looks a touched relationship's
/// values up here instead of reading the whole type, and compares the
/// candidates' keys, which tells apart values whose hashes are alike.
///
/// One relationship a hash in `first` (16 bytes an entry); others with
/// the same hash, which only a statement about to fail or a collision
/// makes, in `more`.
#[derive(Debug, Clone, Default)]
pub(super) struct RelKeys {
    first: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    more: HashMap<u64, Vec<u32>, BuildHasherDefault<IdHasher>>,
}

impl RelKeys {
    /// Room for `n` relationships.
    pub(super) fn with_capacity(n: usize) -> RelKeys {
        RelKeys {
            first: HashMap::with_capacity_and_hasher(n, Default::default()),
            more: HashMap::default(),
        }
    }

    /// The hash a key is held under.
    pub(super) fn hash(key: &Key) -> u64 {
        let mut h = KeyHasher::default();
        h.write(key);
        h.finish()
    }

    /// Enters relationship `id` with `props` if it has every key of `c`
    /// (`key` is room to write its key in).
    pub(super) fn enter(&mut self, c: &Constraint, id: u32, props: &Props, key: &mut Key) {
        if !c.key_of(&PropsRef::from(props), key) {
            return;
        }
        let h = Self::hash(key);
        match self.first.entry(h) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(id);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.more.entry(h).or_default().push(id);
            }
        }
    }

    /// Takes relationship `id` out, as entered with `props`.
    fn leave(&mut self, c: &Constraint, id: u32, props: &Props) {
        let mut key = Key::new();
        if !c.key_of(&PropsRef::from(props), &mut key) {
            return;
        }
        let h = Self::hash(&key);
        if self.first.get(&h) == Some(&id) {
            // The next with the hash, if any, takes its place.
            let next = self.more.get_mut(&h).and_then(Vec::pop);
            if self.more.get(&h).is_some_and(Vec::is_empty) {
                self.more.remove(&h);
            }
            match next {
                Some(next) => self.first.insert(h, next),
                None => self.first.remove(&h),
            };
        } else if let Some(list) = self.more.get_mut(&h)
            && let Some(i) = list.iter().position(|&r| r == id)
        {
            list.swap_remove(i);
            if list.is_empty() {
                self.more.remove(&h);
            }
        }
    }

    /// The relationships whose values hash to `h` (those whose values are
    /// alike, and maybe others).
    pub(super) fn get(&self, h: u64) -> impl Iterator<Item = u32> + '_ {
        let more = self.more.get(&h).map_or(&[][..], Vec::as_slice);
        self.first
            .get(&h)
            .copied()
            .into_iter()
            .chain(more.iter().copied())
    }

    /// Every (hash, relationship) entered, sorted.
    #[cfg(test)]
    pub(super) fn entries(&self) -> Vec<(u64, u32)> {
        let mut v: Vec<(u64, u32)> = self.first.iter().map(|(h, r)| (*h, *r)).collect();
        v.extend(
            self.more
                .iter()
                .flat_map(|(h, rs)| rs.iter().map(move |r| (*h, *r))),
        );
        v.sort_unstable();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constraint_prints_as_cypher_and_names_itself_by_what_it_is() {
        let c = Constraint {
            name: String::new(),
            kind: Kind::Key,
            entity: Entity::Node,
            label: Sym::new("Person"),
            keys: vec![Sym::new("name"), Sym::new("born on")],
        };
        assert_eq!(
            c.to_string(),
            "FOR (n:Person) REQUIRE (n.name, n.`born on`) IS NODE KEY"
        );
        assert_eq!(c.type_name(), "NODE_KEY");
        let same = c.default_name();
        assert!(same.starts_with("constraint_"), "{same}");
        assert_eq!(same, c.clone().default_name());
        let other = Constraint {
            kind: Kind::Unique,
            ..c.clone()
        };
        assert_ne!(other.default_name(), same);
        assert!(!other.same_rule(&c));
        let r = Constraint {
            entity: Entity::Rel,
            kind: Kind::Exists,
            keys: vec![Sym::new("since")],
            label: Sym::new("KNOWS"),
            name: "k".into(),
        };
        assert_eq!(
            r.to_string(),
            "FOR ()-[r:KNOWS]-() REQUIRE r.since IS NOT NULL"
        );
        assert_eq!(r.type_name(), "RELATIONSHIP_PROPERTY_EXISTENCE");
    }
}
