//! Exports of the graph to other formats.

pub mod dot;
