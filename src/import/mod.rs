//! Imports into a graph: our own JSON export ([`json`]) and node/edge CSV
//! files in the shape of the benchmark generator ([`csv`]).
//!
//! Every import is all or nothing: it works on a copy of the graph and
//! replaces the graph only when the whole file loaded, the schema checks
//! included. An error is a [`LoadError`] naming `file:line:column`.

pub mod csv;
pub mod json;

use crate::error::{LoadError, line_col};

/// A [`LoadError`] at a byte offset of `text`.
pub(crate) fn error_at(file: &str, text: &str, offset: usize, message: String) -> LoadError {
    let (line, col) = line_col(text, offset);
    LoadError {
        file: file.to_string(),
        line,
        col,
        message,
    }
}
