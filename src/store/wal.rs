//! The write-ahead log, the writer's lock, and what is done to a store's
//! files as a whole: open with replay, commit, checkpoint, check, backup.
//!
//! A store `X.fg` is up to three files:
//!
//! | file | content |
//! |---|---|
//! | `X.fg` | the snapshot ([`persist`] format, replaced whole, atomically) |
//! | `X.fg-wal` | the statements committed since that snapshot |
//! | `X.fg.lock` | the OS lock of the one process that writes the store, and its pid |
//!
//! Log layout (integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `FACTGWAL` |
//! | 8..12 | log format version (u32, 1) |
//! | 12..32 | identity of the snapshot this log continues ([`SnapshotId`]) |
//! | 32..36 | CRC-32 of bytes 0..32 |
//! | 36.. | records |
//!
//! A record: payload length (u32), CRC-32 of (length, sequence number,
//! payload) (u32), sequence number (u64, 1 for the first record of a log),
//! payload ([`persist::encode_changes`]: one committed statement).
//!
//! Architecture invariants:
//! - A statement is committed when its record is appended and `fdatasync`ed;
//!   only then does [`Durable::commit`] return.
//! - A checkpoint writes the new snapshot atomically first, then resets the
//!   log to a header naming that snapshot. A log whose header names another
//!   snapshot is left over from a checkpoint that died between the two steps;
//!   its records are already in the snapshot and are never replayed.
//! - Only the tail of a log can be torn (records are appended and synced one
//!   by one). A bad record followed by bytes that hold an intact later record
//!   is damage in the middle: the store is refused, nothing is dropped.
//! - At most one process writes a store: it holds an exclusive OS lock on
//!   `X.fg.lock` for as long as it has the store open. Readers take no lock.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::persist::{self, SnapshotId};
use super::{Change, Graph};
use crate::error::StoreError;

const WAL_MAGIC: &[u8; 8] = b"FACTGWAL";
/// The log format this build writes and the newest it reads.
pub const WAL_VERSION: u32 = 1;
const WAL_HEADER_LEN: usize = 36;
const RECORD_HEADER_LEN: usize = 16;

/// The log file of the store at `store`.
pub fn wal_path(store: &Path) -> PathBuf {
    suffixed(store, "-wal")
}

/// The lock file of the store at `store`.
pub fn lock_path(store: &Path) -> PathBuf {
    suffixed(store, ".lock")
}

fn suffixed(store: &Path, suffix: &str) -> PathBuf {
    let mut s = store.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The error of a file beside the store that cannot be made because the
/// store's directory does not exist, said of the store rather than of the
/// file (the user named the store, not its lock).
fn missing_directory(store: &Path, file: &Path, e: &std::io::Error) -> Option<StoreError> {
    // The file's directory, not the store's parent: for `dir/` they differ.
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty())?;
    (e.kind() == std::io::ErrorKind::NotFound && !dir.is_dir()).then(|| StoreError::NoDirectory {
        path: store.display().to_string(),
        dir: dir.display().to_string(),
    })
}

// ---- the lock ------------------------------------------------------------

/// The exclusive lock of the process that writes a store. Released when
/// dropped, and by the OS when the process dies however it dies. The lock
/// file is never deleted: deleting it would let a third process lock a new
/// file while a second still holds the old one.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock of the store at `store`, or says who holds it.
    pub fn acquire(store: &Path) -> Result<Lock, StoreError> {
        let path = lock_path(store);
        let io = io_err(&path);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| missing_directory(store, &path, &e).unwrap_or_else(|| io(e)))?;
        match file.try_lock() {
            Ok(()) => {
                // The pid is for the message the next process shows; it is
                // not what excludes (the OS lock is), so it is not synced.
                file.set_len(0).map_err(&io)?;
                file.write_all(format!("{}\n", std::process::id()).as_bytes())
                    .map_err(&io)?;
                Ok(Lock { _file: file })
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut s = String::new();
                let _ = file.read_to_string(&mut s);
                Err(StoreError::Locked {
                    path: store.display().to_string(),
                    pid: s.trim().parse().ok(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
        }
    }
}

// ---- reading a log ---------------------------------------------------------

/// What was done about a log's damaged tail when a store was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The log file.
    pub log: String,
    /// Statements kept (all those before the torn one).
    pub kept: usize,
    /// Bytes dropped from the end of the log.
    pub dropped_bytes: u64,
    /// Where the dropped bytes were saved, when the log was truncated.
    pub saved_to: Option<String>,
}

impl std::fmt::Display for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the last {} bytes were not a complete record (a commit cut short by a crash, \
             never reported as done); they were dropped, the {} statement(s) before them were kept",
            self.log, self.dropped_bytes, self.kept
        )?;
        if let Some(s) = &self.saved_to {
            write!(f, " (the dropped bytes are in {s})")?;
        }
        Ok(())
    }
}

#[derive(Debug)]
struct ParsedLog {
    /// The snapshot the log continues; None for a missing or torn header.
    base: Option<SnapshotId>,
    /// Byte ranges of the intact records' payloads, in order.
    records: Vec<std::ops::Range<usize>>,
    /// Length of the intact part (header and records).
    valid_len: usize,
    /// Bytes after the intact part (a torn tail).
    torn: usize,
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[i..i + 4]);
    u32::from_le_bytes(a)
}
fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

fn header_bytes(base: SnapshotId) -> [u8; WAL_HEADER_LEN] {
    let mut h = [0u8; WAL_HEADER_LEN];
    h[..8].copy_from_slice(WAL_MAGIC);
    h[8..12].copy_from_slice(&WAL_VERSION.to_le_bytes());
    h[12..32].copy_from_slice(&base.to_bytes());
    let crc = crc32fast::hash(&h[..32]);
    h[32..].copy_from_slice(&crc.to_le_bytes());
    h
}

fn record_crc(len: u32, seq: u64, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&len.to_le_bytes());
    h.update(&seq.to_le_bytes());
    h.update(payload);
    h.finalize()
}

/// The bytes of one record.
fn record_bytes(seq: u64, payload: &[u8]) -> Result<Vec<u8>, String> {
    let len = u32::try_from(payload.len())
        .map_err(|_| format!("a statement of {} bytes is too large to log", payload.len()))?;
    let mut out = Vec::with_capacity(RECORD_HEADER_LEN + payload.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&record_crc(len, seq, payload).to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(payload);
    Ok(out)
}

/// The intact record at `pos` with sequence number `seq`, if there is one:
/// its payload range.
fn record_at(b: &[u8], pos: usize, seq: u64) -> Option<std::ops::Range<usize>> {
    if b.len() - pos < RECORD_HEADER_LEN {
        return None;
    }
    let len = u32_at(b, pos);
    let crc = u32_at(b, pos + 4);
    if u64_at(b, pos + 8) != seq {
        return None;
    }
    let start = pos + RECORD_HEADER_LEN;
    let end = start.checked_add(len as usize)?;
    if end > b.len() || record_crc(len, seq, &b[start..end]) != crc {
        return None;
    }
    Some(start..end)
}

/// Splits a log into its intact records and a torn tail; refuses a log
/// damaged anywhere but at the tail.
fn parse_log(b: &[u8], path: &Path) -> Result<ParsedLog, StoreError> {
    let shown = path.display().to_string();
    let corrupt = |what: String| StoreError::Corrupt {
        path: shown.clone(),
        what,
    };
    let head = b.len().min(WAL_MAGIC.len());
    if b[..head] != WAL_MAGIC[..head] {
        return Err(StoreError::NotAStore {
            path: shown.clone(),
        });
    }
    let empty = ParsedLog {
        base: None,
        records: vec![],
        valid_len: 0,
        torn: 0,
    };
    if b.len() < WAL_HEADER_LEN {
        // The header is written (and synced) before any record, so a short
        // one is a reset or creation cut short: nothing was logged yet.
        return Ok(empty);
    }
    if crc32fast::hash(&b[..32]) != u32_at(b, 32) {
        if b.len() == WAL_HEADER_LEN {
            return Ok(empty);
        }
        return Err(corrupt("the log header's checksum does not match".into()));
    }
    let version = u32_at(b, 8);
    if version > WAL_VERSION {
        return Err(StoreError::NewerVersion {
            path: shown.clone(),
            found: version,
            supported: WAL_VERSION,
        });
    }
    if version == 0 {
        return Err(corrupt("log format version 0 does not exist".into()));
    }
    let mut id = [0u8; SnapshotId::ENCODED_LEN];
    id.copy_from_slice(&b[12..32]);
    let base = Some(SnapshotId::from_bytes(&id));
    let mut records = Vec::new();
    let mut pos = WAL_HEADER_LEN;
    while pos < b.len() {
        let seq = records.len() as u64 + 1;
        match record_at(b, pos, seq) {
            Some(r) => {
                pos = r.end;
                records.push(r);
            }
            None => {
                // A torn tail, unless an intact later record follows: then a
                // committed record in the middle is damaged.
                let max_seq = seq + (b.len() - pos) as u64 / RECORD_HEADER_LEN as u64;
                for q in pos + 1..b.len().saturating_sub(RECORD_HEADER_LEN - 1) {
                    let s = u64_at(b, q + 8);
                    if s > seq && s <= max_seq && record_at(b, q, s).is_some() {
                        return Err(corrupt(format!(
                            "log record {seq} at byte {pos} is damaged, and intact records follow it"
                        )));
                    }
                }
                break;
            }
        }
    }
    Ok(ParsedLog {
        base,
        records,
        valid_len: pos,
        torn: b.len() - pos,
    })
}

/// Applies a parsed log's records to `graph`.
fn replay(graph: &mut Graph, b: &[u8], log: &ParsedLog, path: &Path) -> Result<(), StoreError> {
    for (i, r) in log.records.iter().enumerate() {
        let what = |e: String| StoreError::Corrupt {
            path: path.display().to_string(),
            what: format!(
                "log record {} at byte {}: {e}",
                i + 1,
                r.start - RECORD_HEADER_LEN
            ),
        };
        for change in persist::decode_changes(&b[r.clone()]).map_err(what)? {
            graph.apply(change).map_err(what)?;
        }
    }
    Ok(())
}

fn read_opt(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// A store as read from disk, without writing anything.
struct View {
    graph: Graph,
    snapshot: SnapshotId,
    snapshot_version: u32,
    /// The log continues this snapshot (false: no log, or a stale one).
    log_applies: bool,
    log: Option<ParsedLog>,
    log_bytes: Vec<u8>,
}

/// Reads snapshot and log. A reader takes no lock, so a checkpoint may run
/// between reading the snapshot and reading the log: a log that names
/// another snapshot makes it read the snapshot again, once.
fn read_view(store: &Path) -> Result<Option<View>, StoreError> {
    let wal = wal_path(store);
    let shown = store.display().to_string();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let loaded = match persist::load_with_id(store) {
            Ok(x) => Some(x),
            Err(StoreError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                None
            }
            Err(e) => return Err(e),
        };
        let Some((mut graph, snapshot, snapshot_version)) = loaded else {
            if let Some(b) = read_opt(&wal)? {
                let log = parse_log(&b, &wal)?;
                if !log.records.is_empty() {
                    return Err(StoreError::Corrupt {
                        path: shown,
                        what: format!(
                            "the store file is missing, but its log {} holds {} committed statement(s)",
                            wal.display(),
                            log.records.len()
                        ),
                    });
                }
            }
            return Ok(None);
        };
        let log_bytes = read_opt(&wal)?.unwrap_or_default();
        let log = if log_bytes.is_empty() {
            None
        } else {
            Some(parse_log(&log_bytes, &wal)?)
        };
        let log_applies = log.as_ref().and_then(|l| l.base) == Some(snapshot);
        if !log_applies && attempt == 1 && log.as_ref().is_some_and(|l| !l.records.is_empty()) {
            continue;
        }
        if log_applies && let Some(l) = &log {
            replay(&mut graph, &log_bytes, l, &wal)?;
        }
        return Ok(Some(View {
            graph,
            snapshot,
            snapshot_version,
            log_applies,
            log,
            log_bytes,
        }));
    }
}

/// Reads a store (snapshot and log) without taking the lock or writing
/// anything: what a reader sees while another process writes. A torn log
/// tail is left out (and left on disk). None if there is no store file.
pub fn load_view(store: &Path) -> Result<Option<(Graph, Option<Recovery>)>, StoreError> {
    Ok(read_view(store)?.map(|v| {
        let rec = v
            .log
            .as_ref()
            .filter(|l| v.log_applies && l.torn > 0)
            .map(|l| Recovery {
                log: wal_path(store).display().to_string(),
                kept: l.records.len(),
                dropped_bytes: l.torn as u64,
                saved_to: None,
            });
        (v.graph, rec)
    }))
}

// ---- the writer ------------------------------------------------------------

/// A store opened for writing: the lock, the log, and where the next record goes.
#[derive(Debug)]
pub struct Durable {
    store: PathBuf,
    wal_path: PathBuf,
    lock: Option<Lock>,
    /// The open log; None until the store's first snapshot exists, and after
    /// a failed checkpoint (the next commit then checkpoints).
    wal: Option<File>,
    wal_len: u64,
    next_seq: u64,
}

impl Durable {
    /// Opens the store at `store` for writing: takes the lock, reads the
    /// snapshot, replays the log, drops a torn tail (saving its bytes beside
    /// the log) and resets a stale log. The graph is None when there is no
    /// store file yet; it is written by the first commit. When the store's
    /// directory does not exist yet, the lock is taken by the first commit.
    pub fn open(store: &Path) -> Result<(Option<Graph>, Durable, Option<Recovery>), StoreError> {
        let dir_exists = match store.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.is_dir(),
            _ => true,
        };
        let lock = if dir_exists {
            Some(Lock::acquire(store)?)
        } else {
            None
        };
        let mut d = Durable {
            store: store.to_path_buf(),
            wal_path: wal_path(store),
            lock,
            wal: None,
            wal_len: 0,
            next_seq: 1,
        };
        let Some(view) = read_view(store)? else {
            return Ok((None, d, None));
        };
        let mut recovery = None;
        match &view.log {
            Some(log) if view.log_applies && log.valid_len >= WAL_HEADER_LEN => {
                let io = io_err(&d.wal_path);
                let file = OpenOptions::new()
                    .append(true)
                    .open(&d.wal_path)
                    .map_err(&io)?;
                if log.torn > 0 {
                    // Keep the dropped bytes: "dropped" should never mean "gone".
                    let saved = suffixed(
                        &d.wal_path,
                        &format!(
                            ".torn-{}",
                            std::time::SystemTime::now()
                                .duration_since(std::time::UNIX_EPOCH)
                                .map(|t| t.as_millis())
                                .unwrap_or(0)
                        ),
                    );
                    let saved_ok = fs::write(&saved, &view.log_bytes[log.valid_len..]).is_ok();
                    file.set_len(log.valid_len as u64).map_err(&io)?;
                    file.sync_all().map_err(&io)?;
                    recovery = Some(Recovery {
                        log: d.wal_path.display().to_string(),
                        kept: log.records.len(),
                        dropped_bytes: log.torn as u64,
                        saved_to: saved_ok.then(|| saved.display().to_string()),
                    });
                }
                d.wal = Some(file);
                d.wal_len = log.valid_len as u64;
                d.next_seq = log.records.len() as u64 + 1;
            }
            _ => d.reset_log(view.snapshot)?,
        }
        Ok((Some(view.graph), d, recovery))
    }

    /// Bytes in the log (0 when there is none).
    pub fn log_len(&self) -> u64 {
        self.wal_len
    }

    /// Statements in the log since the last checkpoint.
    pub fn log_records(&self) -> u64 {
        self.next_seq - 1
    }

    /// Makes `changes` (already applied to `graph`) durable: one log record,
    /// synced. The first commit of a new store writes its snapshot instead.
    /// On error the log is as before and the caller must undo the changes.
    pub fn commit(&mut self, graph: &Graph, changes: &[Change]) -> Result<(), StoreError> {
        let Some(file) = &mut self.wal else {
            return self.checkpoint(graph);
        };
        let io = io_err(&self.wal_path);
        let payload = persist::encode_changes(changes);
        let rec = record_bytes(self.next_seq, &payload).map_err(|what| StoreError::Corrupt {
            path: self.wal_path.display().to_string(),
            what,
        })?;
        let written = file.write_all(&rec).and_then(|()| file.sync_data());
        if let Err(e) = written {
            // Cut off whatever part of the record got out, so the log stays
            // a clean sequence; if even that fails the next open drops it as
            // a torn tail, never applies it.
            let _ = file.set_len(self.wal_len);
            let _ = file.sync_data();
            return Err(io(e));
        }
        self.wal_len += rec.len() as u64;
        self.next_seq += 1;
        Ok(())
    }

    /// Folds the log into the snapshot: writes `graph` as the new snapshot
    /// (atomically), then empties the log. A crash at any point leaves
    /// either the old snapshot with its whole log or the new snapshot (with
    /// a stale log that is ignored), never a mix.
    pub fn checkpoint(&mut self, graph: &Graph) -> Result<(), StoreError> {
        if self.lock.is_none() {
            self.lock = Some(Lock::acquire(&self.store)?);
        }
        // From here until the log is reset, appending would log against the
        // old snapshot; with no open log a failure makes the next commit
        // checkpoint again.
        self.wal = None;
        let id = persist::save_with_id(&self.store, graph)?;
        self.reset_log(id)
    }

    fn reset_log(&mut self, base: SnapshotId) -> Result<(), StoreError> {
        let io = io_err(&self.wal_path);
        let existed = self.wal_path.exists();
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.wal_path)
            .map_err(&io)?;
        file.set_len(0).map_err(&io)?;
        file.write_all(&header_bytes(base)).map_err(&io)?;
        file.sync_all().map_err(&io)?;
        if !existed
            && let Some(dir) = self.store.parent()
            && let Ok(d) = File::open(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
        {
            d.sync_all().map_err(&io)?;
        }
        self.wal = Some(file);
        self.wal_len = WAL_HEADER_LEN as u64;
        self.next_seq = 1;
        Ok(())
    }
}

// ---- operations ------------------------------------------------------------

/// What `factgraph check` reports about a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub store: String,
    pub format_version: u32,
    pub snapshot_bytes: u64,
    pub log_bytes: u64,
    /// Statements in the log, replayed on top of the snapshot.
    pub log_records: usize,
    /// The log was left over from a finished checkpoint (its records are in
    /// the snapshot already) and was not applied.
    pub stale_log: bool,
    pub recovery: Option<Recovery>,
    pub nodes: usize,
    pub rels: usize,
    pub labels: usize,
    pub rel_types: usize,
    /// The first schema violation, if the data breaks its own schema.
    pub schema_problem: Option<String>,
    /// How many constraints there are, and the first one the data breaks.
    pub constraints: usize,
    pub constraint_problem: Option<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{}: format {}, snapshot {} bytes, checksum ok",
            self.store, self.format_version, self.snapshot_bytes
        )?;
        if self.stale_log {
            writeln!(
                f,
                "log: {} bytes left over from a finished checkpoint (already in the snapshot; ignored)",
                self.log_bytes
            )?;
        } else {
            writeln!(
                f,
                "log: {} bytes, {} statement(s) since the last checkpoint, checksums ok",
                self.log_bytes, self.log_records
            )?;
        }
        if let Some(r) = &self.recovery {
            writeln!(f, "warning: {r}")?;
        }
        let n =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        writeln!(
            f,
            "{}, {}, {}, {}",
            n(self.nodes, "node", "nodes"),
            n(self.rels, "relationship", "relationships"),
            n(self.labels, "label", "labels"),
            n(self.rel_types, "relationship type", "relationship types")
        )?;
        match &self.schema_problem {
            None => write!(f, "schema: every node and relationship conforms")?,
            Some(p) => write!(f, "schema: VIOLATED: {p}")?,
        }
        match (&self.constraint_problem, self.constraints) {
            (_, 0) => Ok(()),
            (None, k) => write!(f, "\n{}: all hold", n(k, "constraint", "constraints")),
            (Some(p), _) => write!(f, "\nconstraints: VIOLATED: {p}"),
        }
    }
}

fn report(store: &Path, v: &View) -> Report {
    let g = &v.graph;
    Report {
        store: store.display().to_string(),
        format_version: v.snapshot_version,
        snapshot_bytes: v.snapshot.len,
        log_bytes: v.log_bytes.len() as u64,
        log_records: v
            .log
            .as_ref()
            .filter(|_| v.log_applies)
            .map_or(0, |l| l.records.len()),
        stale_log: !v.log_applies && v.log.as_ref().is_some_and(|l| !l.records.is_empty()),
        recovery: v
            .log
            .as_ref()
            .filter(|l| v.log_applies && l.torn > 0)
            .map(|l| Recovery {
                log: wal_path(store).display().to_string(),
                kept: l.records.len(),
                dropped_bytes: l.torn as u64,
                saved_to: None,
            }),
        nodes: g.node_count(),
        rels: g.rel_count(),
        labels: g.labels().count(),
        rel_types: g.rel_types().len(),
        schema_problem: g.check_all().err().map(|e| e.message),
        constraints: g.constraints().count(),
        constraint_problem: g.check_all_constraints().err().map(|e| e.message),
    }
}

/// Verifies a store without changing it (it may be open in another
/// process): the snapshot's checksum and decoding, every log record's
/// checksum and replay, and the data against its schema. A store that is
/// damaged is an error; a torn log tail is reported in
/// [`Report::recovery`].
pub fn check(store: &Path) -> Result<Report, StoreError> {
    let view = read_view(store)?.ok_or_else(|| StoreError::Io {
        path: store.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no store file here"),
    })?;
    Ok(report(store, &view))
}

/// True if `a` and `b` name the same file (`b` may not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = p.canonicalize() {
            return Some(c);
        }
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.canonicalize().ok()?,
            _ => std::env::current_dir().ok()?,
        };
        Some(dir.join(p.file_name()?))
    };
    match (canon(a), canon(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Refuses a backup destination that is one of the store's own files.
pub fn check_backup_target(store: &Path, dest: &Path) -> Result<(), StoreError> {
    for own in [store.to_path_buf(), wal_path(store), lock_path(store)] {
        if same_file(&own, dest) {
            return Err(StoreError::Io {
                path: dest.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "a backup cannot be written over the store's own files",
                ),
            });
        }
    }
    Ok(())
}

/// Writes a consistent copy of the store at `store` (snapshot plus every
/// committed statement in its log) to `dest` as a single snapshot file,
/// atomically. Works while another process has the store open for writing.
pub fn backup(store: &Path, dest: &Path) -> Result<Report, StoreError> {
    check_backup_target(store, dest)?;
    let view = read_view(store)?.ok_or_else(|| StoreError::Io {
        path: store.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no store file here"),
    })?;
    persist::save(dest, &view.graph)?;
    Ok(report(store, &view))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_with(n: usize) -> Vec<u8> {
        let mut b = header_bytes(SnapshotId {
            len: 1,
            crc: 2,
            hash: 3,
        })
        .to_vec();
        for i in 0..n {
            b.extend(record_bytes(i as u64 + 1, &[i as u8; 10]).unwrap_or_default());
        }
        b
    }

    #[test]
    fn torn_tail_is_cut_at_every_length() {
        let full = log_with(3);
        let rec = RECORD_HEADER_LEN + 10;
        for cut in WAL_HEADER_LEN..full.len() {
            let p = parse_log(&full[..cut], Path::new("w")).unwrap();
            let whole = (cut - WAL_HEADER_LEN) / rec;
            assert_eq!(p.records.len(), whole, "cut {cut}");
            assert_eq!(p.valid_len, WAL_HEADER_LEN + whole * rec);
            assert_eq!(p.torn, cut - p.valid_len);
        }
    }

    #[test]
    fn damage_before_intact_records_is_refused() {
        let full = log_with(3);
        let rec = RECORD_HEADER_LEN + 10;
        // Every byte of the first two records: an intact record follows.
        for i in WAL_HEADER_LEN..WAL_HEADER_LEN + 2 * rec {
            let mut b = full.clone();
            b[i] ^= 0x10;
            assert!(
                matches!(
                    parse_log(&b, Path::new("w")),
                    Err(StoreError::Corrupt { .. })
                ),
                "flip at {i}"
            );
        }
        // The last record damaged: indistinguishable from a torn write.
        let mut b = full.clone();
        let last = full.len() - 1;
        b[last] ^= 0x10;
        let p = parse_log(&b, Path::new("w")).unwrap();
        assert_eq!((p.records.len(), p.torn), (2, rec));
    }

    #[test]
    fn header_damage_and_foreign_files() {
        let full = log_with(1);
        for cut in 0..WAL_HEADER_LEN {
            let p = parse_log(&full[..cut], Path::new("w")).unwrap();
            assert!(p.base.is_none() && p.records.is_empty());
        }
        let mut b = full.clone();
        b[20] ^= 1;
        assert!(matches!(
            parse_log(&b, Path::new("w")),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            parse_log(b"SQLite format 3\0", Path::new("w")),
            Err(StoreError::NotAStore { .. })
        ));
        let mut newer = full.clone();
        newer[8..12].copy_from_slice(&2u32.to_le_bytes());
        let crc = crc32fast::hash(&newer[..32]);
        newer[32..36].copy_from_slice(&crc.to_le_bytes());
        assert!(matches!(
            parse_log(&newer, Path::new("w")),
            Err(StoreError::NewerVersion { found: 2, .. })
        ));
    }

    #[test]
    fn a_huge_claimed_length_allocates_nothing() {
        let mut b = log_with(0);
        b.extend_from_slice(&u32::MAX.to_le_bytes());
        b.extend_from_slice(&[0u8; 12]);
        let p = parse_log(&b, Path::new("w")).unwrap();
        assert_eq!((p.records.len(), p.torn), (0, 16));
    }
}
