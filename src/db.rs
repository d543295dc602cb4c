//! A store opened for statements: the graph, where it lives on disk, and the
//! rule that a statement which changed the graph is on disk before its result
//! is returned.

use std::path::{Path, PathBuf};

use crate::error::{Error, QueryError};
use crate::query::ast::Statement;
use crate::query::{self, ExecOptions, Params, QueryResult};
use crate::store::{Graph, persist};

/// Where the article graph is stored by default, relative to the working directory.
pub const DEFAULT_STORE: &str = "graph/articles.fg";

pub struct Database {
    graph: Graph,
    path: Option<PathBuf>,
}

/// How a store was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// An existing store file was read.
    Existing,
    /// No file was there: an empty store, written on the first change.
    Created,
    /// No file was there: the article graph was built from the seed and saved.
    Seeded,
}

impl Database {
    /// A store that lives in memory only.
    pub fn in_memory(graph: Graph) -> Database {
        Database { graph, path: None }
    }

    /// Opens the store at `path`; a missing file gives an empty store that is
    /// written on the first change.
    pub fn open(path: &Path) -> Result<(Database, Opened), Error> {
        if path.exists() {
            let graph = persist::load(path)?;
            Ok((
                Database {
                    graph,
                    path: Some(path.to_path_buf()),
                },
                Opened::Existing,
            ))
        } else {
            Ok((
                Database {
                    graph: Graph::new(),
                    path: Some(path.to_path_buf()),
                },
                Opened::Created,
            ))
        }
    }

    /// Opens the store at `path`; a missing file is built from the seed and saved.
    pub fn open_or_seed(path: &Path) -> Result<(Database, Opened), Error> {
        if path.exists() {
            return Database::open(path);
        }
        let graph = crate::seed::build_default()?;
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)?;
        }
        persist::save(path, &graph)?;
        Ok((
            Database {
                graph,
                path: Some(path.to_path_buf()),
            },
            Opened::Seeded,
        ))
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Replaces the graph (an import) and saves it.
    pub fn replace_graph(&mut self, graph: Graph) -> Result<(), Error> {
        self.graph = graph;
        self.save()
    }

    /// Writes the store file (nothing for an in-memory store).
    pub fn save(&self) -> Result<(), Error> {
        if let Some(p) = &self.path {
            persist::save(p, &self.graph)?;
        }
        Ok(())
    }

    /// Runs one parsed statement. If it changed the graph, the store file is
    /// written before this returns; if that fails, the change is undone.
    pub fn execute(
        &mut self,
        stmt: &Statement,
        params: &Params,
        opts: &ExecOptions,
    ) -> Result<QueryResult, Error> {
        let before = self.path.is_some().then(|| self.graph.clone());
        let result = query::execute(&mut self.graph, stmt, params, opts)?;
        if !result.stats.is_empty()
            && let Err(e) = self.save()
        {
            if let Some(g) = before {
                self.graph = g;
            }
            return Err(e);
        }
        Ok(result)
    }

    /// Parses and runs a script; stops at the first error.
    pub fn run(
        &mut self,
        src: &str,
        params: &Params,
        opts: &ExecOptions,
    ) -> Result<Vec<QueryResult>, Error> {
        let script = query::parse_script(src)?;
        let mut out = Vec::new();
        for stmt in &script.statements {
            out.push(self.execute(stmt, params, opts)?);
        }
        Ok(out)
    }
}

impl From<Error> for Option<QueryError> {
    fn from(e: Error) -> Self {
        match e {
            Error::Query(q) => Some(q),
            _ => None,
        }
    }
}
