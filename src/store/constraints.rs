//! Constraints (`CREATE CONSTRAINT`): uniqueness, existence and keys, on
//! the nodes of a label or the relationships of a type, as Neo4j 5 has
//! them. A constraint is a definition; the graph checks it when it is
//! created (against every element it covers) and at the end of each
//! writing statement (against the elements the statement touched), so a
//! statement that breaks one fails whole.
//!
//! A uniqueness check looks a touched element's value up in the property
//! index on the same label and first key when there is one (`CREATE
//! INDEX`); otherwise it reads the label's nodes (the type's
//! relationships) once per statement. Values are compared as `=` does
//! for grouping: `1` and `1.0` are the same value.

use std::fmt;

use crate::export::cypher::ident as quoted;
use crate::model::Sym;

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

/// The graph's constraints, in the order they were created.
#[derive(Debug, Clone, Default)]
pub struct Constraints(Vec<Constraint>);

impl Constraints {
    pub fn iter(&self) -> impl Iterator<Item = &Constraint> {
        self.0.iter()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn named(&self, name: &str) -> Option<&Constraint> {
        self.0.iter().find(|c| c.name == name)
    }
    pub fn add(&mut self, c: Constraint) {
        self.0.push(c);
    }
    pub fn remove(&mut self, name: &str) -> Option<Constraint> {
        let i = self.0.iter().position(|c| c.name == name)?;
        Some(self.0.remove(i))
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
