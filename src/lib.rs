//! factgraph: an embedded, temporal, source-aware knowledge-graph store with
//! a Cypher shell.
//!
//! Layers, each depending only on those before it:
//! [`model`] (values, dates, schema) <- [`store`] (graph, indexes, file) <-
//! [`query`] (Cypher) <- [`db`] (a store opened for statements) <- `shell`.
//! [`seed`] builds the article graph; [`export`] writes other formats and
//! [`import`] reads some of them back.

pub mod alloc;
pub mod bench;
pub mod db;
pub mod error;
pub mod export;
pub mod import;
pub mod model;
pub mod query;
pub mod seed;
pub mod shell;
pub mod store;

pub use db::Database;
pub use error::{Error, Result};
