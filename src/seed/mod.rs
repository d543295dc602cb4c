//! The seed: the schema, the fact-file format, and the three articles'
//! facts, compiled into the binary. The formats are specified in
//! `seed/FORMAT.md`.
//!
//! [`parse_schema`] reads `schema.fgs`; [`load_facts`] loads one fact file
//! into a graph, all or nothing; [`build_default`] builds the article graph
//! from the files compiled in.

mod format;
mod lexer;
mod load;
mod schema;

use std::fmt;

use crate::error::{LoadError, line_col};
use crate::store::Graph;

pub use format::{FactFile, Name, Prop, Record, RecordKind, SVal, Val, parse_facts};
pub use load::{LoadReport, MODALITIES, load_facts, load_parsed};
pub use schema::parse_schema;

/// A file of the seed: its name (as shown in errors) and its text.
#[derive(Debug, Clone, Copy)]
pub struct SeedFile {
    pub name: &'static str,
    pub text: &'static str,
}

/// The schema compiled into the binary.
pub const SCHEMA: SeedFile = SeedFile {
    name: "seed/schema.fgs",
    text: include_str!("../../seed/schema.fgs"),
};

/// The fact files compiled into the binary, loaded in this order (entities
/// merge by key across them, so a later file may use an earlier one's keys).
pub const FACTS: &[SeedFile] = &[
    SeedFile {
        name: "seed/000_ont_2024-01-18.facts",
        text: include_str!("../../seed/000_ont_2024-01-18.facts"),
    },
    SeedFile {
        name: "seed/002_belta_2024-01-24.facts",
        text: include_str!("../../seed/002_belta_2024-01-24.facts"),
    },
    SeedFile {
        name: "seed/003_belta_2024-05-21.facts",
        text: include_str!("../../seed/003_belta_2024-05-21.facts"),
    },
];

/// The article texts compiled into the binary, by file name.
pub const ARTICLES: &[SeedFile] = &[
    SeedFile {
        name: "000_3a7cb38f138e853f.txt",
        text: include_str!("../../seed/articles/000_3a7cb38f138e853f.txt"),
    },
    SeedFile {
        name: "002_0a9a02030a5e4bfc.txt",
        text: include_str!("../../seed/articles/002_0a9a02030a5e4bfc.txt"),
    },
    SeedFile {
        name: "003_8acf08fcf71f40d7.txt",
        text: include_str!("../../seed/articles/003_8acf08fcf71f40d7.txt"),
    },
];

/// What building a graph from the seed produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SeedReport {
    pub nodes: usize,
    pub relationships: usize,
    /// One report per fact file, in load order.
    pub articles: Vec<LoadReport>,
}

impl fmt::Display for SeedReport {
    /// `N nodes, M relationships (3 articles)`, for the line the CLI prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} nodes, {} relationships ({} article{})",
            self.nodes,
            self.relationships,
            self.articles.len(),
            if self.articles.len() == 1 { "" } else { "s" }
        )
    }
}

/// Builds the article graph from the seed compiled into the binary.
pub fn build_default() -> Result<Graph, LoadError> {
    build_default_report().map(|(g, _)| g)
}

/// Builds the article graph from the seed compiled into the binary, with
/// what each fact file contributed.
pub fn build_default_report() -> Result<(Graph, SeedReport), LoadError> {
    build_from(SCHEMA, FACTS, ARTICLES)
}

/// Builds a graph from a schema and fact files; each fact file's article
/// record names its text among `articles` with `file=`.
pub fn build_from(
    schema: SeedFile,
    facts: &[SeedFile],
    articles: &[SeedFile],
) -> Result<(Graph, SeedReport), LoadError> {
    let mut graph = Graph::with_schema(parse_schema(schema.name, schema.text)?);
    let mut report = SeedReport::default();
    for f in facts {
        let parsed = parse_facts(f.name, f.text)?;
        let Some((article_file, span)) = parsed.article_file() else {
            return Err(error_at(
                f.name,
                f.text,
                0,
                "the article record has no file=\"...\"",
            ));
        };
        let Some(article) = articles.iter().find(|a| a.name == article_file) else {
            let known: Vec<&str> = articles.iter().map(|a| a.name).collect();
            return Err(error_at(
                f.name,
                f.text,
                span.start,
                format!(
                    "no article text '{article_file}' in seed/articles/ (there are: {})",
                    known.join(", ")
                ),
            ));
        };
        report.articles.push(load_parsed(
            &mut graph,
            f.name,
            f.text,
            &parsed,
            article.text,
        )?);
    }
    report.nodes = graph.node_count();
    report.relationships = graph.rel_count();
    Ok((graph, report))
}

/// A load error at a byte offset of `text`.
pub(crate) fn error_at(
    file: &str,
    text: &str,
    offset: usize,
    message: impl Into<String>,
) -> LoadError {
    let (line, col) = line_col(text, offset);
    LoadError {
        file: file.to_string(),
        line,
        col,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests;
