//! The query language: lexer, parser, and evaluator.
//!
//! `parse_script` turns text into statements; `execute` runs one statement
//! against a graph. A statement either succeeds as a whole or changes
//! nothing.

pub mod ast;
mod check;
pub(crate) mod compare;
mod counts;
pub mod eval;
mod expr;
mod functions;
mod indexes;
pub mod lexer;
mod load_csv;
pub mod parser;
mod pattern;
mod plan;
mod print;
pub mod procedures;
mod regex;
mod temporal_fns;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use crate::model::{FDate, NodeId, Props, RelId, Value};

pub use eval::{execute, execute_streaming};
pub use parser::parse_script;

/// Query parameters (`$name`).
pub type Params = BTreeMap<String, Value>;

/// Settings a statement runs under.
#[derive(Debug, Clone, Default)]
pub struct ExecOptions {
    /// Valid-time filter: only facts valid as of this date are seen
    /// (the shell's `:asof`). A statement's own `AS OF` overrides it.
    pub as_of: Option<FDate>,
    /// Set from elsewhere (the shell's Ctrl-C handler) to stop the running
    /// statement: it fails with [`ErrorClass::Cancelled`] and, like any
    /// failed statement, changes nothing.
    ///
    /// [`ErrorClass::Cancelled`]: crate::error::ErrorClass::Cancelled
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Procedures a CALL can name besides the built-ins (`db.labels` ...):
    /// an application's own, see [`procedures::Procedures`].
    pub procedures: Option<std::sync::Arc<procedures::Procedures>>,
}

/// What a statement changed, counted as the openCypher TCK counts side effects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub nodes_created: usize,
    pub nodes_deleted: usize,
    pub rels_created: usize,
    pub rels_deleted: usize,
    pub props_set: usize,
    pub props_removed: usize,
    pub labels_added: usize,
    pub labels_removed: usize,
    /// Property indexes created and dropped (not TCK counts).
    pub indexes_added: usize,
    pub indexes_removed: usize,
    /// Constraints created and dropped (not TCK counts).
    pub constraints_added: usize,
    pub constraints_removed: usize,
    /// The batches of `CALL { } IN TRANSACTIONS` committed, each on its
    /// own (not a TCK count).
    pub transactions_committed: usize,
    /// Write operations performed, whatever their net effect (a label
    /// added that other nodes already carry counts here but not in
    /// `labels_added`): non-zero means the store must be saved. Not a TCK
    /// count; compare the first eight fields with the TCK.
    pub writes: usize,
}

impl WriteStats {
    pub fn is_empty(&self) -> bool {
        *self == WriteStats::default()
    }
    /// These counts with `other`'s added (a statement's batches summed).
    pub fn add(&mut self, other: &WriteStats) {
        let WriteStats {
            nodes_created,
            nodes_deleted,
            rels_created,
            rels_deleted,
            props_set,
            props_removed,
            labels_added,
            labels_removed,
            indexes_added,
            indexes_removed,
            constraints_added,
            constraints_removed,
            transactions_committed,
            writes,
        } = other;
        self.nodes_created += nodes_created;
        self.nodes_deleted += nodes_deleted;
        self.rels_created += rels_created;
        self.rels_deleted += rels_deleted;
        self.props_set += props_set;
        self.props_removed += props_removed;
        self.labels_added += labels_added;
        self.labels_removed += labels_removed;
        self.indexes_added += indexes_added;
        self.indexes_removed += indexes_removed;
        self.constraints_added += constraints_added;
        self.constraints_removed += constraints_removed;
        self.transactions_committed += transactions_committed;
        self.writes += writes;
    }
}

/// A node as it was when the result was made.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSnapshot {
    pub labels: Vec<String>,
    pub props: Props,
}

/// A relationship as it was when the result was made.
#[derive(Debug, Clone, PartialEq)]
pub struct RelSnapshot {
    pub rel_type: String,
    pub start: NodeId,
    pub end: NodeId,
    pub props: Props,
}

/// The result of one statement: columns, rows, what it changed, and a
/// snapshot of every node and relationship the rows mention, so that results
/// can be rendered without the graph (and after a DELETE).
#[derive(Debug, Clone, Default)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub stats: WriteStats,
    pub nodes: HashMap<NodeId, NodeSnapshot>,
    pub rels: HashMap<RelId, RelSnapshot>,
    /// Things the user should know (an entity found through an alias ...).
    pub notices: Vec<String>,
    /// For EXPLAIN: the plan as an indented tree, one line per operator.
    pub plan: Option<String>,
}
