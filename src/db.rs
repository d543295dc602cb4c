//! A store opened for statements: the graph, where it lives on disk, and the
//! rule that a statement which changed the graph is durable before its
//! result is returned.
//!
//! A changing statement is committed by appending its changes to the
//! write-ahead log and syncing it ([`crate::store::wal`]); the snapshot is
//! rewritten only at checkpoints: when the log passes a size threshold, on
//! [`Database::checkpoint`] / [`Database::save`], and when the database is
//! closed or dropped. One process at a time may open a store for writing;
//! others get [`StoreError::Locked`] or use [`Database::open_read_only`].

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, QueryError, StoreError};
use crate::query::ast::{Script, Statement};
use crate::query::{self, ExecOptions, Params, QueryResult};
use crate::store::wal::{self, Durable, Recovery};
use crate::store::{Change, Graph, IdHasher};

/// Where the article graph is stored by default, relative to the working directory.
pub const DEFAULT_STORE: &str = "graph/articles.fg";

/// Log size at which a commit also checkpoints, by default.
pub const DEFAULT_CHECKPOINT_BYTES: u64 = 32 << 20;

/// A graph and, for a store on disk, the files that keep it.
pub struct Database {
    graph: Graph,
    path: Option<PathBuf>,
    mode: Mode,
    recovery: Option<Recovery>,
    checkpoint_bytes: u64,
    checkpoint_on_drop: bool,
    /// Scripts [`Database::run`] parsed and checked, by their text: an
    /// application that runs the same statements with new parameters (as
    /// the benchmark does, and as Neo4j and Kùzu drivers encourage) does
    /// not parse them again. What parsing and checking give depends on the
    /// text alone, so an entry never goes stale.
    prepared: Prepared,
}

/// How many scripts [`Database::run`] keeps parsed; past it the one used
/// least recently goes (scripts generated with literals in them would
/// otherwise grow it without bound).
const PREPARED_MAX: usize = 256;
/// Scripts longer than this are not kept: a one-off import script would
/// otherwise stay in memory for the life of the database.
const PREPARED_MAX_BYTES: usize = 64 << 10;

enum Mode {
    Memory,
    ReadOnly,
    /// A mutex only so that [`Database::save`] can keep taking `&self`.
    Writer(std::sync::Mutex<Durable>),
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
        Database {
            graph,
            path: None,
            mode: Mode::Memory,
            recovery: None,
            checkpoint_bytes: DEFAULT_CHECKPOINT_BYTES,
            checkpoint_on_drop: true,
            prepared: Prepared::default(),
        }
    }

    /// Opens the store at `path` for writing; a missing file gives an empty
    /// store that is written on the first change. Fails with
    /// [`StoreError::Locked`] if another process has it open for writing.
    /// A torn log tail is dropped; see [`Database::recovery`].
    pub fn open(path: &Path) -> Result<(Database, Opened), Error> {
        let (graph, durable, recovery) = Durable::open(path)?;
        let how = if graph.is_some() {
            Opened::Existing
        } else {
            Opened::Created
        };
        Ok((
            Database {
                graph: graph.unwrap_or_default(),
                path: Some(path.to_path_buf()),
                mode: Mode::Writer(std::sync::Mutex::new(durable)),
                recovery,
                checkpoint_bytes: DEFAULT_CHECKPOINT_BYTES,
                checkpoint_on_drop: true,
                prepared: Prepared::default(),
            },
            how,
        ))
    }

    /// Opens the store at `path` for reading only, without the lock: what
    /// another process has committed so far. Nothing on disk is changed; a
    /// statement that would change the graph fails with
    /// [`StoreError::ReadOnly`].
    pub fn open_read_only(path: &Path) -> Result<Database, Error> {
        let (graph, recovery) = wal::load_view(path)?.ok_or_else(|| StoreError::Io {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no store file here"),
        })?;
        Ok(Database {
            graph,
            path: Some(path.to_path_buf()),
            mode: Mode::ReadOnly,
            recovery,
            checkpoint_bytes: DEFAULT_CHECKPOINT_BYTES,
            checkpoint_on_drop: true,
            prepared: Prepared::default(),
        })
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
        let (mut db, how) = Database::open(path)?;
        if how == Opened::Existing {
            // Another process seeded it between our check and our lock.
            return Ok((db, how));
        }
        db.graph = graph;
        db.save()?;
        Ok((db, Opened::Seeded))
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// True for a store opened with [`Database::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        matches!(self.mode, Mode::ReadOnly)
    }

    /// What was recovered when the store was opened: a torn log tail that
    /// was dropped. The shell should show it.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// Sets the log size (bytes) at which a commit also checkpoints.
    pub fn set_checkpoint_threshold(&mut self, bytes: u64) {
        self.checkpoint_bytes = bytes;
    }

    /// Whether dropping the database checkpoints (default: yes). Off, the
    /// next open replays the log instead: a fast exit, and how tests stand
    /// in for a crash.
    pub fn set_checkpoint_on_drop(&mut self, on: bool) {
        self.checkpoint_on_drop = on;
    }

    /// Bytes and statements in the log since the last checkpoint.
    pub fn log_size(&self) -> (u64, u64) {
        match &self.mode {
            Mode::Writer(d) => d
                .lock()
                .map(|d| (d.log_len(), d.log_records()))
                .unwrap_or((0, 0)),
            _ => (0, 0),
        }
    }

    /// Replaces the graph (an import) and saves it.
    pub fn replace_graph(&mut self, graph: Graph) -> Result<(), Error> {
        if let Mode::ReadOnly = self.mode {
            return Err(self.read_only_error());
        }
        self.graph = graph;
        self.save()
    }

    /// Writes the whole graph as the store's snapshot and empties the log (a
    /// checkpoint). Nothing for an in-memory store.
    pub fn save(&self) -> Result<(), Error> {
        match &self.mode {
            Mode::Memory => Ok(()),
            Mode::ReadOnly => Err(self.read_only_error()),
            Mode::Writer(d) => {
                let mut d = d
                    .lock()
                    .map_err(|_| Error::Other("the store's writer state is poisoned".into()))?;
                Ok(d.checkpoint(&self.graph)?)
            }
        }
    }

    /// Folds the log into the snapshot (`:checkpoint`).
    pub fn checkpoint(&mut self) -> Result<(), Error> {
        self.save()
    }

    /// Checkpoints and closes the store, reporting what a drop would swallow.
    pub fn close(self) -> Result<(), Error> {
        if self.log_size().1 > 0 {
            self.save()?;
        }
        Ok(())
    }

    /// Writes a consistent copy of the graph (everything committed) to
    /// `dest` as a snapshot file, atomically (`:backup FILE`).
    pub fn backup(&self, dest: &Path) -> Result<(), Error> {
        if let Some(p) = &self.path {
            wal::check_backup_target(p, dest)?;
        }
        crate::store::persist::save(dest, &self.graph)?;
        Ok(())
    }

    /// Runs one parsed statement. If it changed the graph, the change is
    /// durable (logged and synced) before this returns; if that fails, the
    /// change is undone.
    pub fn execute(
        &mut self,
        stmt: &Statement,
        params: &Params,
        opts: &ExecOptions,
    ) -> Result<QueryResult, Error> {
        query::eval::check(stmt)?;
        self.execute_checked(stmt, params, opts)
    }

    /// [`Database::execute`] of a statement that passed its checks.
    fn execute_checked(
        &mut self,
        stmt: &Statement,
        params: &Params,
        opts: &ExecOptions,
    ) -> Result<QueryResult, Error> {
        if let Mode::Memory = self.mode {
            // Nothing to log: the evaluator's own statement undoes a failure.
            return Ok(query::eval::execute_checked(
                &mut self.graph,
                stmt,
                params,
                opts,
            )?);
        }
        self.graph.start_journal();
        self.graph.begin();
        // Each batch of a `CALL { } IN TRANSACTIONS` is logged and synced
        // as it ends; the statement's own commit takes the rest.
        let mut store_error = None;
        let (mode, path, limit) = (&mut self.mode, self.path.as_deref(), self.checkpoint_bytes);
        let mut commit_batch = |g: &mut Graph| -> Result<(), QueryError> {
            let changes = g.take_journal();
            if !changes.is_empty()
                && let Err(e) = commit_to(mode, path, limit, g, &changes)
            {
                // Of the class no ON ERROR takes: the statement stops, as
                // when it is cancelled.
                let q = QueryError::new(
                    crate::error::ErrorClass::Cancelled,
                    BATCH_NOT_LOGGED,
                    e.to_string(),
                );
                store_error = Some(e);
                return Err(q);
            }
            g.commit();
            g.start_journal();
            g.begin();
            Ok(())
        };
        let result = query::eval::execute_batched(
            &mut self.graph,
            stmt,
            params,
            opts,
            Some(&mut commit_batch),
        );
        match (self.finish_statement(result), store_error) {
            // The log's own error, not the statement's account of it.
            (Err(_), Some(e)) => Err(e),
            (r, _) => r,
        }
    }

    /// Runs one parsed statement like [`Database::execute`], handing its rows
    /// to `sink` in batches as they are produced (see
    /// [`query::execute_streaming`]); what is returned has no rows. A write
    /// hands its rows over only once it is durable.
    pub fn execute_streaming(
        &mut self,
        stmt: &Statement,
        params: &Params,
        opts: &ExecOptions,
        sink: &mut dyn FnMut(QueryResult) -> bool,
    ) -> Result<QueryResult, Error> {
        let reads = matches!(&stmt.body, crate::query::ast::StatementBody::Query(q)
            if !stmt.explain && !stmt.profile && !query::eval::is_updating(q));
        if !reads {
            let res = self.execute(stmt, params, opts)?;
            return Ok(query::eval::hand_over(res, sink));
        }
        // Nothing to log: a read changes nothing.
        Ok(query::execute_streaming(
            &mut self.graph,
            stmt,
            params,
            opts,
            sink,
        )?)
    }

    /// Runs `f` on the graph as one statement would run: if it succeeds its
    /// changes are committed (durable before this returns); if it fails, or
    /// the commit fails, the graph is as before. For writers that work on
    /// the graph directly (imports, tests, benchmarks).
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Graph) -> Result<T, QueryError>,
    ) -> Result<T, Error> {
        if !matches!(self.mode, Mode::Memory) {
            self.graph.start_journal();
        }
        self.graph.begin();
        let result = f(&mut self.graph);
        self.finish_statement(result)
    }

    /// Imports a file or directory ([`crate::import::import_path`]), all
    /// or nothing: into a graph with elements as one logged statement,
    /// without a copy of the graph; into an empty one through a copy and a
    /// snapshot.
    pub fn import(&mut self, path: &Path) -> Result<crate::import::ImportStats, ImportFailed> {
        // Into an empty graph (a bulk load's usual case) a copy costs
        // nothing, and one snapshot is cheaper than logging every element
        // with an undo log beside it.
        if self.graph.node_count() == 0 && self.graph.rel_count() == 0 {
            let mut g = self.graph.clone();
            let stats = crate::import::import_path(path, &mut g).map_err(ImportFailed::Load)?;
            self.replace_graph(g).map_err(ImportFailed::Store)?;
            return Ok(stats);
        }
        let mut load_error = None;
        let done = self.write(|g| {
            crate::import::import_path(path, g).map_err(|e| {
                let q = QueryError::semantic("ImportFailed", e.to_string());
                load_error = Some(e);
                q
            })
        });
        done.map_err(|e| match load_error {
            Some(le) => ImportFailed::Load(le),
            None => ImportFailed::Store(e),
        })
    }

    /// Ends the statement opened by `execute` or `write`: a failure is
    /// rolled back; a success is logged, and rolled back if that fails.
    fn finish_statement<T>(&mut self, result: Result<T, QueryError>) -> Result<T, Error> {
        let changes = self.graph.take_journal();
        let v = match result {
            Ok(v) => v,
            Err(e) => {
                self.graph.rollback();
                return Err(e.into());
            }
        };
        if !changes.is_empty()
            && let Err(e) = self.commit(&changes)
        {
            self.graph.rollback();
            return Err(e);
        }
        self.graph.commit();
        Ok(v)
    }

    /// Makes `changes`, already applied to the graph, durable. On error the
    /// log is as before and the caller rolls the graph back.
    fn commit(&mut self, changes: &[Change]) -> Result<(), Error> {
        commit_to(
            &mut self.mode,
            self.path.as_deref(),
            self.checkpoint_bytes,
            &self.graph,
            changes,
        )
    }

    fn read_only_error(&self) -> Error {
        read_only_error(self.path.as_deref())
    }

    /// Parses and runs a script; stops at the first error.
    pub fn run(
        &mut self,
        src: &str,
        params: &Params,
        opts: &ExecOptions,
    ) -> Result<Vec<QueryResult>, Error> {
        let (script, checked) = match self.prepared.get(src) {
            Some(s) => (s, true),
            None => {
                let s = Arc::new(query::parse_script(src)?);
                // A script is kept only once all of it passed its checks;
                // one that fails them fails at the same statement as it
                // would unprepared (the ones before it run).
                let checked = s.statements.iter().all(|st| query::eval::check(st).is_ok());
                if checked && src.len() <= PREPARED_MAX_BYTES {
                    self.prepared.insert(src, Arc::clone(&s));
                }
                (s, checked)
            }
        };
        let mut out = Vec::with_capacity(script.statements.len());
        for stmt in &script.statements {
            out.push(if checked {
                self.execute_checked(stmt, params, opts)?
            } else {
                self.execute(stmt, params, opts)?
            });
        }
        Ok(out)
    }
}

/// The detail of the error a batch of `IN TRANSACTIONS` fails with when
/// its log record cannot be written (the statement then fails with the
/// store's own error, whatever its ON ERROR says).
pub(crate) const BATCH_NOT_LOGGED: &str = "BatchNotLogged";

/// Makes `changes`, already applied to `graph`, durable in the store's log
/// (checkpointing when the log has grown past `checkpoint_bytes`). On error
/// the log is as before and the caller rolls the graph back.
fn commit_to(
    mode: &mut Mode,
    path: Option<&Path>,
    checkpoint_bytes: u64,
    graph: &Graph,
    changes: &[Change],
) -> Result<(), Error> {
    let d = match mode {
        Mode::Memory => return Ok(()),
        Mode::ReadOnly => return Err(read_only_error(path)),
        Mode::Writer(d) => d
            .get_mut()
            .map_err(|_| Error::Other("the store's writer state is poisoned".into()))?,
    };
    d.commit(graph, changes)?;
    if d.log_len() > checkpoint_bytes {
        // The statement is durable in the log already; a checkpoint that
        // fails leaves the log as it is, to be folded in next time.
        let _ = d.checkpoint(graph);
    }
    Ok(())
}

fn read_only_error(path: Option<&Path>) -> Error {
    Error::Store(StoreError::ReadOnly {
        path: path.map(|p| p.display().to_string()).unwrap_or_default(),
    })
}

/// The scripts [`Database::run`] keeps, each with when it was last used.
#[derive(Default)]
struct Prepared {
    scripts: HashMap<String, (Arc<Script>, u64), BuildHasherDefault<IdHasher>>,
    clock: u64,
}

impl Prepared {
    fn get(&mut self, src: &str) -> Option<Arc<Script>> {
        self.clock += 1;
        let now = self.clock;
        self.scripts.get_mut(src).map(|(s, used)| {
            *used = now;
            Arc::clone(s)
        })
    }
    /// Keeps `s`, letting the least recently used script go when full.
    fn insert(&mut self, src: &str, s: Arc<Script>) {
        if self.scripts.len() >= PREPARED_MAX {
            let oldest = self
                .scripts
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.scripts.remove(&k);
            }
        }
        self.clock += 1;
        self.scripts.insert(src.to_string(), (s, self.clock));
    }
    #[cfg(test)]
    fn len(&self) -> usize {
        self.scripts.len()
    }
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }
}

impl Drop for Database {
    /// Checkpoints on the way out, so the next open has no log to replay. A
    /// failure is not lost data: the log stays and is replayed next time.
    fn drop(&mut self) {
        if self.checkpoint_on_drop
            && let Mode::Writer(d) = &mut self.mode
            && let Ok(d) = d.get_mut()
            && d.log_records() > 0
        {
            let _ = d.checkpoint(&self.graph);
        }
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

/// Why [`Database::import`] changed nothing.
#[derive(Debug)]
pub enum ImportFailed {
    /// The file did not load (it names the file, line and column).
    Load(crate::error::LoadError),
    /// The store could not be written.
    Store(Error),
}

impl std::fmt::Display for ImportFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportFailed::Load(e) => e.fmt(f),
            ImportFailed::Store(e) => e.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;

    fn rows(r: Result<Vec<QueryResult>, Error>) -> Vec<Vec<Value>> {
        r.expect("runs").pop().map(|r| r.rows).unwrap_or_default()
    }

    #[test]
    fn a_prepared_script_runs_again_with_new_parameters_and_sees_new_data() {
        let mut db = Database::in_memory(Graph::new());
        let opts = ExecOptions::default();
        let create = "CREATE (:P {name: $name})";
        let find = "MATCH (p:P) WHERE p.name = $name RETURN count(p)";
        let count = |db: &mut Database, name: &str| {
            let mut params = Params::new();
            params.insert("name".into(), Value::from(name));
            rows(db.run(find, &params, &opts))
        };
        for name in ["a", "b", "a"] {
            let mut params = Params::new();
            params.insert("name".into(), Value::from(name));
            db.run(create, &params, &opts).expect("create");
        }
        assert_eq!(db.prepared.len(), 1, "one text, parsed once");
        assert_eq!(count(&mut db, "a"), [[Value::Int(2)]]);
        assert_eq!(count(&mut db, "b"), [[Value::Int(1)]]);
        assert_eq!(count(&mut db, "c"), [[Value::Int(0)]]);
        assert_eq!(db.prepared.len(), 2);
    }

    #[test]
    fn a_script_that_fails_its_checks_fails_each_time_and_is_not_kept() {
        let mut db = Database::in_memory(Graph::new());
        let opts = ExecOptions::default();
        let bad = "CREATE (:Q); MATCH (n) RETURN m";
        for _ in 0..2 {
            let err = db.run(bad, &Params::new(), &opts).unwrap_err().to_string();
            assert!(err.contains("m"), "{err}");
        }
        assert!(db.prepared.is_empty());
        // The statements before the failing one ran, each time.
        let n = rows(db.run("MATCH (q:Q) RETURN count(q)", &Params::new(), &opts));
        assert_eq!(n, [[Value::Int(2)]]);
    }

    #[test]
    fn a_prepared_script_folds_its_constant_calls_anew_each_run() {
        let mut db = Database::in_memory(Graph::new());
        let opts = ExecOptions::default();
        let q = "UNWIND [1, 2] AS x RETURN date($d) AS d";
        for d in ["2001-02-03", "1999-12-31"] {
            let mut params = Params::new();
            params.insert("d".into(), Value::from(d));
            let got = rows(db.run(q, &params, &opts));
            let want = crate::model::FDate::parse(d)
                .map(Value::Date)
                .unwrap_or(Value::Null);
            assert_eq!(got, [[want.clone()], [want]], "{d}");
        }
        assert_eq!(db.prepared.len(), 1);
    }

    #[test]
    fn a_long_script_runs_but_is_not_kept() {
        let mut db = Database::in_memory(Graph::new());
        let long = format!("RETURN '{}' AS s", "x".repeat(PREPARED_MAX_BYTES));
        let got = rows(db.run(&long, &Params::new(), &ExecOptions::default()));
        assert_eq!(got.len(), 1);
        assert!(db.prepared.is_empty());
    }

    #[test]
    fn the_prepared_scripts_are_bounded() {
        let mut db = Database::in_memory(Graph::new());
        let opts = ExecOptions::default();
        let hot = "RETURN 'hot'";
        for i in 0..PREPARED_MAX * 3 {
            db.run(&format!("RETURN {i}"), &Params::new(), &opts)
                .expect("runs");
            db.run(hot, &Params::new(), &opts).expect("runs");
            assert!(db.prepared.len() <= PREPARED_MAX);
        }
        assert!(
            db.prepared.scripts.contains_key(hot),
            "a script in use is not the one that goes"
        );
        assert!(
            !db.prepared.scripts.contains_key("RETURN 0"),
            "the oldest went"
        );
    }
}
