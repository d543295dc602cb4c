//! Reads node and edge CSV files in the shape of the benchmark generator
//! (`../shared/bench`, `gen.py`): `nodes.csv` and `edges.csv`.
//!
//! * `nodes.csv`: a header row, then one node a row. The columns `id` and
//!   `label` are required; `label` may hold several labels separated by `;`
//!   (as `neo4j-admin` writes them). Every other column is a string
//!   property (`name` ...). The `id` is kept as the property `id` (an
//!   integer when it is one), so queries on the benchmark (`n.id`) work.
//! * `edges.csv`: a header row, then one relationship a row. The columns
//!   `src`, `dst` (node ids of `nodes.csv`) and `type` are required. A
//!   `date` column holds dates (`2023`, `2023-10`, `2023-10-11`, `~` for
//!   approximate; the generator writes days), a `level` column integers;
//!   any other column is a string property.
//! * An empty cell is an absent property.
//!
//! The files are RFC 4180 CSV: fields separated by commas, quoted with `"`
//! when they hold a comma, quote or line break, a quote inside doubled.
//! The import is all or nothing; an error names `file:line:column`.
//!
//! Our own CSV export (`:export csv DIR`) is another shape, read by
//! [`super::neo4j`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use super::json::ImportStats;
use super::{cannot_read, error_at};
use crate::error::LoadError;
use crate::model::{FDate, LabelSet, NodeId, Props, Sym, Value};
use crate::store::Graph;

/// One CSV field: its text and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub text: String,
    pub at: usize,
}

/// One CSV record and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub fields: Vec<Field>,
    pub at: usize,
}

/// One field of a [`Records`] row: its text (borrowed unless it was quoted
/// with a doubled quote inside) and the byte offset where it starts.
pub(crate) type RawField<'a> = (Cow<'a, str>, usize);

/// Splits RFC 4180 CSV text into records, lazily: a file of millions of rows
/// is never held as a second copy. A blank line is skipped.
///
/// The text may be one chunk of a longer file ([`for_each_chunk`]): then a
/// record that runs to the end of the chunk is left for the next one, and
/// errors name the line in the whole file.
pub struct Records<'a> {
    text: &'a str,
    file: &'a str,
    pos: usize,
    failed: bool,
    /// More of the file follows `text`.
    more: bool,
    /// The line `text` starts on (1-based, in the whole file).
    first_line: usize,
    /// The line `pos` is on.
    line: usize,
    /// The line the record last read starts on.
    record_line: usize,
    /// `text` starts with the file's byte-order mark, which no column
    /// counts.
    bom: bool,
    /// The first byte of the field separator: `,` unless
    /// [`Records::separated_by`].
    sep: u8,
    /// The separator's UTF-8 bytes (`sep` first), `sep_len` of them.
    sep_bytes: [u8; 4],
    sep_len: usize,
    /// Read as Neo4j's LOAD CSV does ([`Records::lenient_like_neo4j`]).
    lenient: bool,
}

impl<'a> Records<'a> {
    pub fn new(text: &'a str, file: &'a str) -> Records<'a> {
        Records::chunk(text, file, 1, true, false)
    }

    /// The records of `text`, which starts on line `first_line` of `file`
    /// (at its start when `first`) and ends the file unless `more`.
    fn chunk(
        text: &'a str,
        file: &'a str,
        first_line: usize,
        first: bool,
        more: bool,
    ) -> Records<'a> {
        let bom = first && text.starts_with('\u{feff}');
        let pos = if bom { 3 } else { 0 };
        Records {
            bom,
            text,
            file,
            pos,
            failed: false,
            more,
            first_line,
            line: first_line,
            record_line: first_line,
            sep: b',',
            sep_bytes: [b',', 0, 0, 0],
            sep_len: 1,
            lenient: false,
        }
    }

    /// The records with `sep` between fields instead of `,` (any character
    /// other than a quote or a line break; beyond ASCII, its UTF-8 bytes).
    pub fn separated_by(mut self, sep: char) -> Records<'a> {
        let mut bytes = [0; 4];
        self.sep_len = sep.encode_utf8(&mut bytes).len();
        self.sep_bytes = bytes;
        self.sep = bytes[0];
        self
    }

    /// The records read as Neo4j 5's LOAD CSV reads them (its
    /// `BufferedCharSeeker` with legacy quote escaping on), where RFC 4180
    /// is stricter: a quote inside an unquoted field is a character of
    /// it; in a quoted field `\"` is a quote and `\\` a backslash (any
    /// other backslash is itself); and a carriage return alone ends a
    /// line (errors count it as one). The bulk import stays strict.
    pub(crate) fn lenient_like_neo4j(mut self) -> Records<'a> {
        self.lenient = true;
        self
    }

    /// Whether the separator starts at byte `at` of `b` (whose byte there
    /// is known to be `sep`'s first).
    #[inline]
    fn sep_at(&self, b: &[u8], at: usize) -> bool {
        self.sep_len == 1 || b[at..].starts_with(&self.sep_bytes[..self.sep_len])
    }

    /// Bytes of the text consumed so far (for a progress bar).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The line of the whole file the record last read starts on.
    pub(super) fn record_line(&self) -> usize {
        self.record_line
    }

    /// The field that starts at byte `at` (of this text) is quoted: an
    /// empty one is an empty string, not nothing.
    pub(super) fn quoted(&self, at: usize) -> bool {
        self.text.as_bytes().get(at) == Some(&b'"')
    }

    /// An error at byte `at` of the text, named by its line in the file.
    pub(crate) fn error(&self, at: usize, message: String) -> LoadError {
        let mut e = error_at(self.file, self.text, at, message);
        if self.lenient {
            (e.line, e.col) = line_col_cr(self.text, at);
        }
        if self.bom && e.line == 1 {
            e.col = e.col.saturating_sub(1).max(1);
        }
        e.line += self.first_line - 1;
        e
    }

    /// The next record's fields into `fields` (cleared first) and its start
    /// offset; `None` at the end of the text (or of a chunk's complete
    /// records).
    fn next_into(&mut self, fields: &mut Vec<RawField<'a>>) -> Option<Result<usize, LoadError>> {
        if self.failed {
            return None;
        }
        let r = self.read(fields);
        if matches!(r, Some(Err(_))) {
            self.failed = true;
        }
        r
    }

    fn read(&mut self, fields: &mut Vec<RawField<'a>>) -> Option<Result<usize, LoadError>> {
        // The strict reader with an ASCII separator (the bulk import's) is
        // compiled apart, without the tests the others need.
        if self.lenient || self.sep_len > 1 {
            self.read_as::<true>(fields)
        } else {
            self.read_as::<false>(fields)
        }
    }

    /// [`Records::read`]; `GENERAL` unless strict with an ASCII separator.
    #[inline(always)]
    fn read_as<const GENERAL: bool>(
        &mut self,
        fields: &mut Vec<RawField<'a>>,
    ) -> Option<Result<usize, LoadError>> {
        let text = self.text;
        let b = text.as_bytes();
        let mut pos = self.pos;
        let mut line = self.line;
        let (sep, lenient, multi) = (
            self.sep,
            GENERAL && self.lenient,
            GENERAL && self.sep_len > 1,
        );
        let sep_len = if GENERAL { self.sep_len } else { 1 };
        fields.clear();
        while pos < b.len() {
            match b[pos] {
                b'\n' => pos += 1,
                b'\r' if b.get(pos + 1) == Some(&b'\n') => pos += 2,
                // A `\r` that ends the chunk may be half of a `\r\n`.
                b'\r' if lenient && !(self.more && pos + 1 >= b.len()) => pos += 1,
                _ => break,
            }
            line += 1;
        }
        // Blank lines are consumed even when no record follows yet.
        self.pos = pos;
        self.line = line;
        if pos >= b.len() {
            return None;
        }
        // Reaching the end of the text in a record: with more to come, the
        // record is read again from the next chunk.
        let cut = |p: usize| self.more && p >= b.len();
        let rec_at = pos;
        loop {
            let at = pos;
            let field: Cow<'a, str>;
            if b.get(pos) == Some(&b'"') {
                pos += 1;
                let mut s = String::new();
                loop {
                    match b.get(pos) {
                        None if self.more => return None,
                        None => {
                            return Some(Err(
                                self.error(at, "this quoted field is not closed".into())
                            ));
                        }
                        Some(b'"') if b.get(pos + 1) == Some(&b'"') => {
                            s.push('"');
                            pos += 2;
                        }
                        Some(b'"') if cut(pos + 1) => return None,
                        Some(b'"') => {
                            pos += 1;
                            break;
                        }
                        // Neo4j's legacy escapes: `\"` a quote, `\\` a
                        // backslash; any other backslash is itself.
                        Some(b'\\') if lenient => match b.get(pos + 1) {
                            Some(&c @ (b'"' | b'\\')) => {
                                s.push(char::from(c));
                                pos += 2;
                            }
                            None if self.more => return None,
                            _ => {
                                s.push('\\');
                                pos += 1;
                            }
                        },
                        Some(_) => {
                            // Copy up to the next quote (or backslash) in
                            // one go (UTF-8 safe: neither byte occurs
                            // inside a character).
                            let next = if lenient {
                                text[pos..].find(['"', '\\'])
                            } else {
                                text[pos..].find('"')
                            };
                            let next = next.map_or(b.len(), |i| pos + i);
                            let part = &text[pos..next];
                            line += part.bytes().filter(|&c| c == b'\n').count();
                            if lenient {
                                line += lone_crs(part.as_bytes(), b.get(next));
                            }
                            s.push_str(part);
                            pos = next;
                        }
                    }
                }
                match b.get(pos) {
                    None | Some(b'\n') => {}
                    Some(&c) if c == sep && self.sep_at(b, pos) => {}
                    Some(b'\r') if b.get(pos + 1) == Some(&b'\n') => {}
                    Some(b'\r') if cut(pos + 1) => return None,
                    Some(b'\r') if lenient => {}
                    Some(_) if sep_len > 1 && cut(pos + sep_len) => return None,
                    Some(_) => {
                        return Some(Err(self.error(
                            pos,
                            format!(
                                "expected '{}' or the end of the line after a quoted field",
                                self.sep_char()
                            ),
                        )));
                    }
                }
                field = Cow::Owned(s);
            } else {
                // Byte search: a separator's first byte is ASCII or a
                // character's lead byte, never inside one, so `end` is
                // always a character boundary. Lenient, a quote is part of
                // the field.
                let find = |from: usize| {
                    let end = if lenient {
                        b[from..]
                            .iter()
                            .position(|&c| c == sep || matches!(c, b'\n' | b'\r'))
                    } else {
                        b[from..]
                            .iter()
                            .position(|&c| c == sep || matches!(c, b'\n' | b'\r' | b'"'))
                    };
                    end.map_or(b.len(), |i| from + i)
                };
                let mut end = find(pos);
                while multi && end < b.len() && b[end] == sep && !self.sep_at(b, end) {
                    if cut(end + sep_len) {
                        return None;
                    }
                    end = find(end + 1);
                }
                if cut(end) {
                    return None;
                }
                field = Cow::Borrowed(&text[pos..end]);
                pos = end;
                if b.get(pos) == Some(&b'"') {
                    return Some(Err(self.error(
                        pos,
                        "a quote inside an unquoted field (quote the whole field and double the quote)".into(),
                    )));
                }
                if b.get(pos) == Some(&b'\r') && b.get(pos + 1) != Some(&b'\n') {
                    if cut(pos + 1) {
                        return None;
                    }
                    if !lenient {
                        return Some(Err(
                            self.error(pos, "a carriage return inside an unquoted field".into())
                        ));
                    }
                }
            }
            fields.push((field, at));
            match b.get(pos) {
                Some(&c) if c == sep => pos += sep_len,
                Some(b'\r') => {
                    pos += if b.get(pos + 1) == Some(&b'\n') { 2 } else { 1 };
                    line += 1;
                    break;
                }
                Some(b'\n') => {
                    pos += 1;
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        self.record_line = self.line;
        self.pos = pos;
        self.line = line;
        Some(Ok(rec_at))
    }

    /// The separator, for messages.
    fn sep_char(&self) -> char {
        std::str::from_utf8(&self.sep_bytes[..self.sep_len])
            .ok()
            .and_then(|s| s.chars().next())
            .unwrap_or(',')
    }
}

/// The carriage returns of `part` not followed by a line feed (within it,
/// or by `next`, the byte after it): lines of their own when lenient.
fn lone_crs(part: &[u8], next: Option<&u8>) -> usize {
    part.iter()
        .enumerate()
        .filter(|&(i, &c)| c == b'\r' && part.get(i + 1).or(next) != Some(&b'\n'))
        .count()
}

/// 1-based line and column (in characters) of byte `offset` of `text`,
/// a carriage return alone ending a line as `\n` and `\r\n` do.
pub(crate) fn line_col_cr(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let b = text.as_bytes();
    let (mut line, mut start) = (1, 0);
    for (i, &c) in b[..offset].iter().enumerate() {
        if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            line += 1;
            start = i + 1;
        }
    }
    let col = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
    (line, col)
}

/// How many bytes of a CSV file are read at a time: the text is never held
/// whole (at 1M nodes the edges file is 117 MB).
pub(super) const CHUNK: usize = 1 << 20;

/// Reads the CSV text of `r` (named `file` in errors) `chunk` bytes at a
/// time and hands each piece's records to `each`, with the piece's offset
/// in the file. Each piece ends with its last complete record; `each` reads
/// them all. A record longer than a chunk is read whole (the piece grows).
fn for_each_chunk(
    r: &mut dyn std::io::Read,
    file: &str,
    chunk: usize,
    each: &mut dyn FnMut(&mut Records<'_>, usize) -> Result<(), LoadError>,
) -> Result<(), LoadError> {
    let mut buf: Vec<u8> = Vec::new();
    let (mut offset, mut line, mut first, mut eof) = (0, 1, true, false);
    let mut want = chunk.max(1);
    loop {
        let target = buf.len() + want;
        while buf.len() < target && !eof {
            let start = buf.len();
            buf.resize(target, 0);
            match r.read(&mut buf[start..]) {
                Ok(got) => {
                    buf.truncate(start + got);
                    eof = got == 0;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(start),
                Err(e) => return Err(cannot_read(file, e)),
            }
        }
        // A character cut at the end of the piece waits for the next one;
        // bytes that are no UTF-8 are an error once the records before
        // them are read.
        let (text, bad) = match std::str::from_utf8(&buf) {
            Ok(text) => (text, false),
            Err(e) => {
                let bad = e.error_len().is_some() || eof;
                let valid = std::str::from_utf8(&buf[..e.valid_up_to()])
                    .map_err(|e| cannot_read(file, std::io::Error::other(e)))?;
                (valid, bad)
            }
        };
        let more = !eof || bad;
        let mut recs = Records::chunk(text, file, line, first, more);
        each(&mut recs, offset)?;
        if bad {
            // The records before the bad bytes were read: the bad bytes
            // are where the piece's text ends.
            return Err(recs.error(text.len(), "the text is not UTF-8 here".into()));
        }
        if !more {
            return Ok(());
        }
        let used = recs.position();
        line = recs.line;
        // A piece without a complete record: read twice as much at once.
        want = if used == 0 {
            buf.len().max(chunk)
        } else {
            chunk.max(1)
        };
        buf.drain(..used);
        offset += used;
        first &= used == 0;
    }
}

/// Hands each record of `text` (fields separated by `sep`; read as
/// Neo4j's LOAD CSV does when `lenient`, see
/// [`Records::lenient_like_neo4j`]) to `each`, its fields as (text, byte
/// offset), without building them all first. A blank line is skipped. A
/// CSV error is `Err(Ok(...))`; an error of `each` is passed on as
/// `Err(Err(...))`.
pub(crate) fn each_record<E>(
    text: &str,
    file: &str,
    sep: char,
    lenient: bool,
    mut each: impl FnMut(&[RawField<'_>]) -> Result<(), E>,
) -> Result<(), Result<LoadError, E>> {
    let mut it = Records::new(text, file).separated_by(sep);
    if lenient {
        it = it.lenient_like_neo4j();
    }
    let mut fields = Vec::new();
    while let Some(r) = it.next_into(&mut fields) {
        r.map_err(Ok)?;
        each(&fields).map_err(Err)?;
    }
    Ok(())
}

/// Splits RFC 4180 CSV text into records. A blank line is skipped.
pub fn parse_csv(text: &str, file: &str) -> Result<Vec<Record>, LoadError> {
    let mut it = Records::new(text, file);
    let mut fields = Vec::new();
    let mut records = Vec::new();
    while let Some(r) = it.next_into(&mut fields) {
        let at = r?;
        records.push(Record {
            fields: fields
                .drain(..)
                .map(|(t, at)| Field {
                    text: t.into_owned(),
                    at,
                })
                .collect(),
            at,
        });
    }
    Ok(records)
}

/// Reads `DIR/nodes.csv` and `DIR/edges.csv` into `graph`, all or nothing.
/// A directory without one of them is named, with what it holds.
pub fn import_csv_dir(dir: &Path, graph: &mut Graph) -> Result<ImportStats, LoadError> {
    for name in ["nodes.csv", "edges.csv"] {
        if !dir.join(name).is_file() {
            return Err(super::not_here(dir, name));
        }
    }
    import_csv_files(
        &dir.join("nodes.csv"),
        &dir.join("edges.csv"),
        graph,
        &mut |_| {},
    )
}

/// Reads a nodes file and an edges file into `graph`, all or nothing,
/// calling `progress` now and then with how far it got. Each file is read
/// a megabyte at a time, never held whole.
pub fn import_csv_files(
    nodes: &Path,
    edges: &Path,
    graph: &mut Graph,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportStats, LoadError> {
    // Both files are opened first, so that one that cannot be read is
    // reported before the other is parsed.
    let cannot = |p: &Path, e| cannot_read(&p.display().to_string(), e);
    let mut nodes_file = std::fs::File::open(nodes).map_err(|e| cannot(nodes, e))?;
    let mut edges_file = std::fs::File::open(edges).map_err(|e| cannot(edges, e))?;
    // Zero for a pipe: the progress then counts bytes without a total.
    let size = |f: &std::fs::File| f.metadata().map_or(0, |m| m.len() as usize);
    let total = size(&nodes_file) + size(&edges_file);
    let files = Files {
        nodes: &mut nodes_file,
        nodes_name: &nodes.display().to_string(),
        edges: &mut edges_file,
        edges_name: &edges.display().to_string(),
        total,
        chunk: CHUNK,
    };
    import_from(files, graph, progress)
}

/// How far an import got: in which stage, and how much of it is done out
/// of its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    /// Reading: bytes of both files read. Linking: relationships created.
    pub done: usize,
    /// Reading: the bytes of both files, 0 when not known (a pipe).
    /// Linking: the relationships to create. Writing: 0.
    pub total: usize,
}

impl Progress {
    /// So far in `stage`: `done` of `total`.
    pub fn at(stage: Stage, done: usize, total: usize) -> Progress {
        Progress { stage, done, total }
    }
}

/// The stages of a bulk import, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Parsing the two files (nodes are created as they are read).
    Reading,
    /// Creating the relationships read, in order of end node.
    Linking,
    /// Writing the store (the caller reports this one, once).
    Writing,
}

/// Reads the text of a nodes file and an edges file (named in errors) into
/// `graph`, all or nothing: on an error the graph is unchanged.
pub fn import_csv(
    nodes: &str,
    nodes_file: &str,
    edges: &str,
    edges_file: &str,
    graph: &mut Graph,
) -> Result<ImportStats, LoadError> {
    import_csv_with(nodes, nodes_file, edges, edges_file, graph, &mut |_| {})
}

/// [`import_csv`] with a progress callback, called every 64k rows.
pub fn import_csv_with(
    nodes: &str,
    nodes_file: &str,
    edges: &str,
    edges_file: &str,
    graph: &mut Graph,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportStats, LoadError> {
    let files = Files {
        nodes: &mut nodes.as_bytes(),
        nodes_name: nodes_file,
        edges: &mut edges.as_bytes(),
        edges_name: edges_file,
        total: nodes.len() + edges.len(),
        chunk: CHUNK,
    };
    import_from(files, graph, progress)
}

/// The two CSV streams of an import and how to read them.
struct Files<'a> {
    nodes: &'a mut dyn std::io::Read,
    nodes_name: &'a str,
    edges: &'a mut dyn std::io::Read,
    edges_name: &'a str,
    /// Their bytes together, or 0 when not known.
    total: usize,
    /// How many bytes are read at a time.
    chunk: usize,
}

fn import_from(
    f: Files<'_>,
    graph: &mut Graph,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportStats, LoadError> {
    graph.all_or_nothing(|g| {
        let mut stats = ImportStats::default();
        let total = f.total;
        let (ids, nodes_len) =
            load_nodes(f.nodes, f.nodes_name, f.chunk, g, &mut stats, &mut |done| {
                progress(Progress::at(Stage::Reading, done, total))
            })?;
        let parsed = read_edges(
            f.edges,
            f.edges_name,
            f.nodes_name,
            f.chunk,
            &ids,
            g.node_bound(),
            &mut |done| progress(Progress::at(Stage::Reading, nodes_len + done, total)),
        )?;
        drop(ids);
        let read = nodes_len + parsed.len;
        progress(Progress::at(Stage::Reading, read, total.max(read)));
        create_rels(parsed, g, &mut stats, &mut |done, total| {
            progress(Progress::at(Stage::Linking, done, total))
        })
        .map_err(|(line, message)| row_error(f.edges_name, line, message))?;
        Ok(stats)
    })
}

/// Node ids of `nodes.csv`: a dense table for the small non-negative
/// integers a generator writes, a map for anything else.
#[derive(Default)]
struct Ids {
    /// Node ids by key, [`Ids::NONE`] for a key not in the file.
    dense: Vec<u32>,
    other: HashMap<String, NodeId>,
    /// Every entry of `dense` is its own index: key `i` is node `i`, as
    /// when a generator's ids 0..n load into an empty graph. Then a lookup
    /// reads no table (a cache miss a row for the end nodes otherwise).
    identity: bool,
}

impl Ids {
    const NONE: u32 = u32::MAX;

    fn dense_index(key: &str) -> Option<usize> {
        // Only canonical decimals ("7", not "07" or "+7"), so that two
        // spellings of one number stay two ids, as with string keys. One
        // pass: this runs twice for each of millions of rows.
        let b = key.as_bytes();
        if b.is_empty() || b.len() > 9 || (b.len() > 1 && b[0] == b'0') {
            return None;
        }
        let mut n = 0usize;
        for &c in b {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + usize::from(c - b'0');
        }
        Some(n)
    }
    fn get(&self, key: &str) -> Option<NodeId> {
        if let Some(i) = Ids::dense_index(key) {
            if self.identity && i < self.dense.len() {
                return Some(NodeId(i as u32));
            }
            if let Some(&x) = self.dense.get(i)
                && x != Ids::NONE
            {
                return Some(NodeId(x));
            }
        }
        // Also a number too large for the table.
        self.other.get(key).copied()
    }
    /// Sets [`Ids::identity`] once every node is in.
    fn seal(&mut self) {
        self.identity = self.dense.iter().enumerate().all(|(i, &x)| x as usize == i);
    }
    /// False when the key is taken already; `rows` is how many nodes are
    /// in (the table reaches four times as far).
    fn insert(&mut self, key: &str, id: NodeId, rows: usize) -> bool {
        match Ids::dense_index(key) {
            // A node id of u32::MAX cannot occur: the graph's ids are u32
            // slots and the largest is never handed out.
            Some(i) if i < rows.saturating_mul(4).max(1024) && id.0 != Ids::NONE => {
                // The table's reach grows with the rows: a number beyond it
                // earlier went to the map.
                if !self.other.is_empty() && self.other.contains_key(key) {
                    return false;
                }
                if i >= self.dense.len() {
                    self.dense.resize(i + 1, Ids::NONE);
                }
                let slot = &mut self.dense[i];
                if *slot != Ids::NONE {
                    return false;
                }
                *slot = id.0;
                true
            }
            _ => {
                if self.get(key).is_some() {
                    return false;
                }
                self.other.insert(key.to_string(), id);
                true
            }
        }
    }
}

/// How often (in rows) an import reports its progress.
const TICK: usize = 1 << 16;

/// Creates the nodes of a nodes file in `g`; their ids by the file's `id`
/// column, and the bytes read. `progress` is told the bytes read so far.
fn load_nodes(
    r: &mut dyn std::io::Read,
    nodes_file: &str,
    chunk: usize,
    g: &mut Graph,
    stats: &mut ImportStats,
    progress: &mut dyn FnMut(usize),
) -> Result<(Ids, usize), LoadError> {
    let mut ids = Ids::default();
    let check_nodes = g.schema().is_some();
    // Nodes to check against the schema once all are in, with their lines.
    let mut created = Vec::new();
    // Rows of one label come together: the last label text and its set.
    let mut last_labels: Option<(String, LabelSet)> = None;
    let mut pairs: Vec<(Sym, Value)> = Vec::new();
    // Each column's key, interned once (when the first row comes) rather
    // than once a row.
    let mut keys: Vec<Sym> = Vec::new();
    let read = for_each_row(
        r,
        nodes_file,
        chunk,
        &["id", "label"],
        progress,
        &mut |recs, cols, row, row_at| {
            if keys.is_empty() {
                keys = cols.iter().map(|c| Sym::new(c)).collect();
            }
            let mut labels = LabelSet::empty();
            let mut key = None;
            for (((text, at), name), &sym) in row.iter().zip(cols).zip(&keys) {
                match name.as_str() {
                    "id" => {
                        if text.is_empty() {
                            return Err(recs.error(*at, "a node needs an id".into()));
                        }
                        key = Some((text, *at));
                        let v = text
                            .parse::<i64>()
                            .map_or_else(|_| Value::String(text.to_string()), Value::Int);
                        pairs.push((sym, v));
                    }
                    "label" => {
                        labels = match &last_labels {
                            Some((t, set)) if t == text => *set,
                            _ => {
                                let mut set: Vec<Sym> = Vec::new();
                                for l in text.split(';').filter(|l| !l.is_empty()) {
                                    let l = Sym::new(l);
                                    if !set.contains(&l) {
                                        set.push(l);
                                    }
                                }
                                let set = LabelSet::new(&set);
                                last_labels = Some((text.to_string(), set));
                                set
                            }
                        };
                    }
                    _ if text.is_empty() => {}
                    _ => pairs.push((sym, Value::String(text.to_string()))),
                }
            }
            let props: Props = pairs.drain(..).collect();
            let Some((key, key_at)) = key else {
                return Err(recs.error(row_at, "a node needs an id".into()));
            };
            let id = g
                .create_node_with(labels, props)
                .map_err(|e| recs.error(row_at, e.message))?;
            if !ids.insert(key, id, stats.nodes) {
                return Err(recs.error(key_at, format!("a second node with the id '{key}'")));
            }
            if check_nodes {
                created.push((id, recs.record_line()));
            }
            stats.nodes += 1;
            Ok(())
        },
    )?;
    for (id, line) in created {
        g.check_complete(&[id], &[])
            .map_err(|e| row_error(nodes_file, line, e.message))?;
    }
    ids.seal();
    Ok((ids, read))
}

/// A relationship read from the edges file, waiting to be created: 16
/// bytes (at 1M nodes there are five million of these at once).
struct PendingRel {
    dst: u32,
    src: u32,
    rel_type: Sym,
    /// Its row's number among the file's relationships (from 0), with
    /// [`HAS_PROPS`] set when it has properties ([`ParsedEdges::props`]).
    row: u32,
}

/// The bit of [`PendingRel::row`] that says the row has properties.
const HAS_PROPS: u32 = 1 << 31;

impl PendingRel {
    fn row(&self) -> u32 {
        self.row & !HAS_PROPS
    }
}

/// How many ranges of end nodes the relationships waiting to be created
/// are kept apart by ([`ParsedEdges::buckets`]).
const BUCKETS: usize = 16;

/// A range that outgrows this many waiting relationships (4 MiB) grows at
/// once to [`MAPPED`] ...
const SMALL: usize = 1 << 18;
/// ... relationships (a little over 32 MiB): an allocation that large is
/// always its own mapping in glibc, whatever its adaptive threshold has
/// become, so freeing the range gives its memory back to the system at
/// once. A smaller one comes from the heap, which keeps it (the threshold
/// rises past a few MiB while the nodes are read), and the ranges'
/// memory would then stay at the load's peak beside the relationships
/// made from them. Pages of it that are never written take no memory.
const MAPPED: usize = (32 << 20) / std::mem::size_of::<PendingRel>() + 4096;

/// Appends `p` to a range, growing it as [`SMALL`] and [`MAPPED`] say.
fn wait(range: &mut Vec<PendingRel>, p: PendingRel) {
    if range.len() == range.capacity() && (SMALL..MAPPED).contains(&range.capacity()) {
        range.reserve_exact(MAPPED - range.len());
    }
    range.push(p);
}

/// The relationships of an edges file, read and checked, not yet created.
struct ParsedEdges {
    /// By range of end node, in file order: each range is sorted and
    /// created in turn, and let go once created, so the waiting rows shrink
    /// as petgraph's edges grow (at 1M nodes each is about 100 MB).
    buckets: Vec<Vec<PendingRel>>,
    /// The properties of the relationships that have any, by row number
    /// (in order: rows are read in order).
    props: Vec<(u32, Props)>,
    /// The line each row starts on.
    lines: RowLines,
    /// The bytes of the file.
    len: usize,
}

/// Where rows start: (row, line) for the first row and each row that does
/// not start on the line after the one before (a blank line, a field over
/// several lines); the rest follow from them.
#[derive(Default)]
struct RowLines(Vec<(u32, u64)>);

impl RowLines {
    /// Row `row`, the next one, starts on `line`.
    fn push(&mut self, row: u32, line: u64) {
        if self.0.last().map(|&(r, l)| l + u64::from(row - r)) != Some(line) {
            self.0.push((row, line));
        }
    }
    /// The line row `row` starts on.
    fn line_of(&self, row: u32) -> u64 {
        let i = self.0.partition_point(|&(r, _)| r <= row);
        match i.checked_sub(1).and_then(|i| self.0.get(i)) {
            Some(&(r, line)) => line + u64::from(row - r),
            None => 0,
        }
    }
}

/// Reads and checks the relationships of an edges file against the nodes
/// `ids` names (from `nodes_file`). `progress` is told the bytes read.
fn read_edges(
    r: &mut dyn std::io::Read,
    edges_file: &str,
    nodes_file: &str,
    chunk: usize,
    ids: &Ids,
    node_bound: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<ParsedEdges, LoadError> {
    // Relationships are created after all are read, ordered by end node
    // (the order of the file within one end node). A node's incoming
    // relationships then get neighbouring ids, so its incoming list lies
    // together in memory: walking the list of a hub (an organisation that
    // thousands of articles mention) reads memory in order rather than
    // missing the cache once per relationship.
    let shift = (usize::BITS - node_bound.leading_zeros()).saturating_sub(BUCKETS.ilog2());
    let mut buckets: Vec<Vec<PendingRel>> = (0..BUCKETS).map(|_| Vec::new()).collect();
    let mut with_props: Vec<(u32, Props)> = Vec::new();
    let mut lines = RowLines::default();
    let mut rows: u32 = 0;
    let mut last_type: Option<Sym> = None;
    let len = for_each_row(
        r,
        edges_file,
        chunk,
        &["src", "dst", "type"],
        progress,
        &mut |recs, cols, row, row_at| {
            let (mut src, mut dst, mut rel_type) = (None, None, None);
            let mut props = Props::new();
            for ((text, at), name) in row.iter().zip(cols) {
                let at = *at;
                let node = |t: &str| {
                    ids.get(t).ok_or_else(|| {
                        recs.error(at, format!("no node with the id '{t}' in {nodes_file}"))
                    })
                };
                match name.as_str() {
                    "src" => src = Some(node(text)?),
                    "dst" => dst = Some(node(text)?),
                    "type" => {
                        if text.is_empty() {
                            return Err(recs.error(at, "a relationship needs a type".into()));
                        }
                        // Rows of one type come together: intern once per run.
                        rel_type = Some(match last_type {
                            Some(t) if t.as_str() == text => t,
                            _ => Sym::new(text),
                        });
                        last_type = rel_type;
                    }
                    _ if text.is_empty() => {}
                    "date" => {
                        let d = FDate::parse(text).map_err(|e| recs.error(at, e))?;
                        props.insert("date".into(), Value::Date(d));
                    }
                    "level" => {
                        let n = text.parse::<i64>().map_err(|_| {
                            recs.error(at, format!("level must be an integer, not '{text}'"))
                        })?;
                        props.insert("level".into(), Value::Int(n));
                    }
                    other => {
                        props.insert(other.into(), Value::String(text.to_string()));
                    }
                }
            }
            let (Some(s), Some(d), Some(t)) = (src, dst, rel_type) else {
                return Err(recs.error(row_at, "a relationship needs src, dst and type".into()));
            };
            let row = rows;
            if row >= HAS_PROPS {
                return Err(recs.error(
                    row_at,
                    format!("more than {HAS_PROPS} relationships in one file"),
                ));
            }
            rows += 1;
            lines.push(row, recs.record_line() as u64);
            let flag = if props.is_empty() {
                0
            } else {
                with_props.push((row, props));
                HAS_PROPS
            };
            // Every end node is below `node_bound`: the index is in range.
            let bucket = ((d.0 as usize) >> shift).min(BUCKETS - 1);
            wait(
                &mut buckets[bucket],
                PendingRel {
                    dst: d.0,
                    src: s.0,
                    rel_type: t,
                    row: row | flag,
                },
            );
            Ok(())
        },
    )?;
    Ok(ParsedEdges {
        buckets,
        props: with_props,
        lines,
        len,
    })
}

/// Creates the relationships read by [`read_edges`] in `g`, in end-node
/// order; a refused one is reported as (the line its row starts on, why).
fn create_rels(
    parsed: ParsedEdges,
    g: &mut Graph,
    stats: &mut ImportStats,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), (usize, String)> {
    let check_rels = g.schema().is_some();
    let ParsedEdges {
        buckets,
        mut props,
        lines,
        ..
    } = parsed;
    // petgraph's edge array at its final size at once, not doubled as it
    // fills (a copy of it at the peak otherwise).
    let total: usize = buckets.iter().map(Vec::len).sum();
    g.reserve_rels(total);
    let mut done = 0;
    progress(done, total);
    // A relationship the schema refuses is found in end-node order; the
    // error names the first such row of the file, as a load in file order
    // would. Everything is undone on any error, so going on past a refusal
    // only costs time on a load that fails anyway.
    let mut refused: Option<(usize, String)> = None;
    for mut bucket in buckets {
        if bucket.is_empty() {
            continue;
        }
        // Within one end node, the order of the file (rows are unique).
        bucket.sort_unstable_by_key(|p| (p.dst, p.row()));
        done += bucket.len();
        for p in bucket {
            let rel_props = if p.row & HAS_PROPS == 0 {
                Props::new()
            } else {
                props
                    .binary_search_by_key(&p.row(), |(r, _)| *r)
                    .ok()
                    .and_then(|i| props.get_mut(i))
                    .map(|(_, x)| std::mem::take(x))
                    .unwrap_or_default()
            };
            let made = g
                .create_rel_with(NodeId(p.src), NodeId(p.dst), p.rel_type, rel_props)
                .and_then(|id| {
                    if check_rels {
                        g.check_complete(&[], &[id])
                    } else {
                        Ok(())
                    }
                });
            match made {
                Ok(()) => stats.rels += 1,
                Err(e) => {
                    let line = usize::try_from(lines.line_of(p.row())).unwrap_or(usize::MAX);
                    if refused.as_ref().is_none_or(|(first, _)| line < *first) {
                        refused = Some((line, e.message));
                    }
                }
            }
        }
        progress(done, total);
    }
    match refused {
        Some(r) => Err(r),
        None => Ok(()),
    }
}

/// The column names of a header row, which must include `required`.
fn columns(
    header: &[RawField<'_>],
    header_at: usize,
    required: &[&str],
    recs: &Records<'_>,
) -> Result<Vec<String>, LoadError> {
    let names: Vec<String> = header.iter().map(|f| f.0.trim().to_string()).collect();
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(recs.error(header[i].1, "an empty column name in the header".into()));
        }
        if names[..i].contains(n) {
            return Err(recs.error(header[i].1, format!("the column '{n}' appears twice")));
        }
    }
    for r in required {
        if !names.iter().any(|n| n == r) {
            return Err(recs.error(
                header_at,
                format!(
                    "the header has no column '{r}' (it needs {})",
                    required.join(", ")
                ),
            ));
        }
    }
    Ok(names)
}

/// The fields of one row, the header's column names, the row's offset.
pub(super) type EachRow<'e> =
    dyn FnMut(&Records<'_>, &[String], &[RawField<'_>], usize) -> Result<(), LoadError> + 'e;

/// Reads a header row (its fields and offset): the column names.
pub(super) type Header<'e> =
    dyn FnMut(&Records<'_>, &[RawField<'_>], usize) -> Result<Vec<String>, LoadError> + 'e;

/// Reads the rows of a CSV stream ([`for_each_chunk`]) after its header,
/// which must name the `required` columns, checking each row's width;
/// `progress` is told the bytes read every [`TICK`] rows. Returns the
/// bytes read.
fn for_each_row(
    r: &mut dyn std::io::Read,
    file: &str,
    chunk: usize,
    required: &[&str],
    progress: &mut dyn FnMut(usize),
    each: &mut EachRow<'_>,
) -> Result<usize, LoadError> {
    let mut header =
        |recs: &Records<'_>, row: &[RawField<'_>], at: usize| columns(row, at, required, recs);
    let expected = format!("{},...", required.join(","));
    for_each_row_with(r, file, chunk, &expected, &mut header, progress, each)
}

/// [`for_each_row`] with the header read by `header`; an empty file is
/// refused as one that lacks the header `expected`.
pub(super) fn for_each_row_with(
    r: &mut dyn std::io::Read,
    file: &str,
    chunk: usize,
    expected: &str,
    header: &mut Header<'_>,
    progress: &mut dyn FnMut(usize),
    each: &mut EachRow<'_>,
) -> Result<usize, LoadError> {
    let mut cols: Option<Vec<String>> = None;
    let (mut rows, mut read) = (0usize, 0);
    for_each_chunk(r, file, chunk, &mut |recs, offset| {
        let mut row = Vec::new();
        if cols.is_none() {
            let Some(header_at) = recs.next_into(&mut row).transpose()? else {
                return Ok(());
            };
            cols = Some(header(recs, &row, header_at)?);
        }
        let Some(cols) = &cols else {
            return Ok(());
        };
        while let Some(row_at) = recs.next_into(&mut row).transpose()? {
            same_width(&row, row_at, cols.len(), recs)?;
            each(recs, cols, &row, row_at)?;
            rows += 1;
            if rows.is_multiple_of(TICK) {
                progress(offset + recs.position());
            }
        }
        read = offset + recs.position();
        Ok(())
    })?;
    if cols.is_none() {
        return Err(row_error(
            file,
            1,
            format!("the file is empty; expected a header row {expected}"),
        ));
    }
    Ok(read)
}

/// An error about the row that starts on `line` of `file`.
pub(super) fn row_error(file: &str, line: usize, message: String) -> LoadError {
    LoadError {
        file: file.to_string(),
        line,
        col: 1,
        message,
    }
}

/// A row must have as many fields as the header.
fn same_width(
    row: &[RawField<'_>],
    row_at: usize,
    width: usize,
    recs: &Records<'_>,
) -> Result<(), LoadError> {
    if row.len() == width {
        return Ok(());
    }
    let at = row.get(width).map_or(row_at, |f| f.1);
    Err(recs.error(
        at,
        format!("this row has {} fields, the header {width}", row.len()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::{NodeKind, PropDecl, PropType, RelKind, Schema};

    /// A schema with nodes of kind P (an id and a name) and relationships K
    /// between them (no properties).
    fn schema() -> Schema {
        let prop = |name: &str, ty| PropDecl {
            name: name.into(),
            ty,
            required: false,
        };
        let mut s = Schema::default();
        s.nodes.insert(
            "P".into(),
            NodeKind {
                name: "P".into(),
                props: vec![prop("id", PropType::Int), prop("name", PropType::String)],
                doc: String::new(),
            },
        );
        s.rels.insert(
            "K".into(),
            RelKind {
                name: "K".into(),
                ..RelKind::default()
            },
        );
        s
    }

    const NODES: &str = "id,label,name\n1,P,a\n2,P,b\n3,P,c\n";
    // Line 4 ends at node 1, line 3 at node 3: created in end-node order,
    // line 4 is refused first, but line 3 is the first refused row of the
    // file, and the error names it.
    const EDGES: &str = "src,dst,type,date\n1,2,K,\n2,3,K,2020-01-01\n3,1,K,2021-01-01\n";

    #[test]
    fn progress_reads_all_bytes_then_links_every_relationship() {
        let mut g = Graph::new();
        let mut seen = Vec::new();
        let stats = import_csv_with(NODES, "n", EDGES, "e", &mut g, &mut |p| seen.push(p)).unwrap();
        let reading: Vec<&Progress> = seen.iter().filter(|p| p.stage == Stage::Reading).collect();
        let linking: Vec<&Progress> = seen.iter().filter(|p| p.stage == Stage::Linking).collect();
        // Reading ends at every byte of both files, linking at every
        // relationship, and linking only starts once reading is over.
        let bytes = NODES.len() + EDGES.len();
        assert_eq!(
            reading.last().map(|p| (p.done, p.total)),
            Some((bytes, bytes))
        );
        assert_eq!(linking.first().map(|p| p.done), Some(0));
        assert_eq!(linking.last().map(|p| (p.done, p.total)), Some((3, 3)));
        assert_eq!(stats.rels, 3);
        let first_link = seen.iter().position(|p| p.stage == Stage::Linking).unwrap();
        assert!(seen[first_link..].iter().all(|p| p.stage == Stage::Linking));
        // Within a stage the count only grows.
        for w in seen.windows(2) {
            if w[0].stage == w[1].stage {
                assert!(w[0].done <= w[1].done, "{w:?}");
            }
        }
        // The import itself says nothing of writing: its caller does.
        assert!(seen.iter().all(|p| p.stage != Stage::Writing));
    }

    #[test]
    fn rows_after_blank_lines_and_fields_over_several_lines_are_named_by_their_own_line() {
        // Row 0 on line 2, a blank line, row 1 on lines 4-5 (a quoted
        // field over two lines), row 2 on line 6, row 3 on line 7.
        let edges = |last: &str| {
            format!("src,dst,type,note\n1,2,K,\n\n2,3,K,\"two\nlines\"\n3,1,K,\n{last}\n")
        };
        // The schema refuses a note: the first refused row of the file is
        // named, though row 3 (ending at node 1) is created first.
        let mut g = Graph::with_schema(schema());
        let e = import_csv(NODES, "n", &edges("3,1,K,x"), "e", &mut g).unwrap_err();
        assert_eq!((e.line, e.col), (4, 1), "{e:?}");
        assert_eq!(g.rel_count(), 0);
        // Only the row after them refused: its line counts the blank line
        // and the field's second line.
        let ok_first = edges("3,1,K,x").replace("\"two\nlines\"", "");
        let e = import_csv(NODES, "n", &ok_first, "e", &mut g).unwrap_err();
        assert_eq!((e.line, e.col), (6, 1), "{e:?}");
        // Without a schema all load, each relationship with its own note.
        let mut g = Graph::new();
        let stats = import_csv(NODES, "n", &edges("3,2,K,x"), "e", &mut g).unwrap();
        assert_eq!(stats.rels, 4);
        let mut notes: Vec<(u32, u32, String)> = g
            .rel_ids()
            .filter_map(|r| {
                let (a, b) = g.rel_ends(r)?;
                let note = g.rel(r)?.props.get_str("note")?.to_string();
                Some((a.0, b.0, note))
            })
            .collect();
        notes.sort();
        assert_eq!(notes, vec![(1, 2, "two\nlines".into()), (2, 1, "x".into())]);
    }

    #[test]
    fn a_refused_relationship_is_named_by_its_line_in_the_file_and_loads_nothing() {
        let mut g = Graph::with_schema(schema());
        let e = import_csv(NODES, "nodes.csv", EDGES, "edges.csv", &mut g).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.col),
            ("edges.csv", 3, 1),
            "{e:?}"
        );
        assert!(e.message.contains("date"), "{e:?}");
        assert_eq!(g.node_count(), 0);
        // From files (the edges' text is kept for a schema's errors).
        let dir = tempfile::tempdir().unwrap();
        let (n, d) = (dir.path().join("nodes.csv"), dir.path().join("edges.csv"));
        std::fs::write(&n, NODES).unwrap();
        std::fs::write(&d, EDGES).unwrap();
        let mut g = Graph::with_schema(schema());
        let e = import_csv_files(&n, &d, &mut g, &mut |_| {}).unwrap_err();
        assert_eq!((e.line, e.col), (3, 1), "{e:?}");
        assert_eq!(e.file, d.display().to_string());
        assert!(e.message.contains("date"), "{e:?}");
        assert_eq!((g.node_count(), g.rel_count()), (0, 0));
        // A file that cannot be read is named before the other is parsed.
        std::fs::write(&n, "id,label,name\n,P,a\n").unwrap();
        let e =
            import_csv_files(&n, &dir.path().join("missing.csv"), &mut g, &mut |_| {}).unwrap_err();
        assert!(e.file.ends_with("missing.csv"), "{e:?}");
        assert!(e.message.starts_with("cannot read the file"), "{e:?}");
        std::fs::write(&n, NODES).unwrap();
        // Without the refused property both load, the same way.
        let ok = EDGES.replace("2020-01-01", "").replace("2021-01-01", "");
        std::fs::write(&d, &ok).unwrap();
        let stats = import_csv_files(&n, &d, &mut g, &mut |_| {}).unwrap();
        assert_eq!((stats.nodes, stats.rels), (3, 3));
        let mut h = Graph::with_schema(schema());
        let s2 = import_csv(NODES, "n", &ok, "e", &mut h).unwrap();
        assert_eq!((s2.nodes, s2.rels), (3, 3));
        assert_eq!(
            crate::store::persist::encode(&g),
            crate::store::persist::encode(&h)
        );
    }

    #[test]
    fn node_ids_of_any_size_or_spelling_are_found_by_the_edges() {
        // 5000 is beyond the dense table of a five-row file, 007 is not a
        // canonical number, x is no number: each is its own id, and each is
        // found again by the edges (5000 was not, before).
        let nodes = "id,label,name\n0,P,a\n5000,P,b\n007,P,c\nx,P,d\n7,P,e\n";
        let edges = "src,dst,type\n0,5000,K\n5000,007,K\n007,x,K\nx,7,K\n";
        let mut g = Graph::new();
        let stats = import_csv(nodes, "n", edges, "e", &mut g).unwrap();
        assert_eq!((stats.nodes, stats.rels), (5, 4));
        let name = |g: &Graph, n: NodeId| {
            g.node(n)
                .and_then(|x| x.props.get_str("name").map(str::to_string))
                .unwrap_or_default()
        };
        let mut pairs: Vec<String> = g
            .rel_ids()
            .filter_map(|r| g.rel_ends(r))
            .map(|(a, b)| format!("{}{}", name(&g, a), name(&g, b)))
            .collect();
        pairs.sort();
        assert_eq!(pairs, ["ab", "bc", "cd", "de"]);
        let e = import_csv(nodes, "n", "src,dst,type\n0,5001,K\n", "e", &mut g).unwrap_err();
        assert!(e.message.contains("no node with the id '5001'"), "{e:?}");
        // Ids 0..n into an empty graph are the nodes' own ids (no table is
        // read); into a graph that has nodes they are not.
        let nodes = "id,label,name\n0,P,a\n1,P,b\n2,P,c\n";
        let edges = "src,dst,type\n2,0,K\n0,1,K\n";
        for mut g in [Graph::new(), g] {
            let before = g.node_count();
            import_csv(nodes, "n", edges, "e", &mut g).unwrap();
            let mut pairs: Vec<String> = g
                .rel_ids()
                .filter_map(|r| g.rel_ends(r))
                .filter(|(a, _)| a.0 as usize >= before)
                .map(|(a, b)| format!("{}{}", name(&g, a), name(&g, b)))
                .collect();
            pairs.sort();
            assert_eq!(pairs, ["ab", "ca"], "after {before} nodes");
            let e = import_csv(nodes, "n", "src,dst,type\n0,3,K\n", "e", &mut g).unwrap_err();
            assert!(e.message.contains("no node with the id '3'"), "{e:?}");
        }
    }

    /// Imports bytes read `chunk` at a time: the store's bytes, or the error.
    fn chunked(nodes: &[u8], edges: &[u8], chunk: usize) -> Result<Vec<u8>, LoadError> {
        let mut g = Graph::new();
        let files = Files {
            nodes: &mut &nodes[..],
            nodes_name: "n.csv",
            edges: &mut &edges[..],
            edges_name: "e.csv",
            total: nodes.len() + edges.len(),
            chunk,
        };
        import_from(files, &mut g, &mut |_| {})?;
        Ok(crate::store::persist::encode(&g))
    }

    #[test]
    fn reading_a_chunk_at_a_time_changes_nothing_loaded_or_refused() {
        // Quoted fields with commas, quotes and line breaks, CRLF rows,
        // blank lines, a byte-order mark, characters of two to four bytes:
        // cut anywhere, they load the same, and every error names the same
        // place, as when the text is read whole.
        let nodes = "\u{feff}id,label,name\r\n1,P,\"Mińsk, \"\"the\"\"\ncapital\"\r\n\n2,P;Q,Заслаўе\n\
                     3,Q,\"\"\n4,P,🌍\n";
        let edges = "src,dst,type,date,level,note\n1,2,K,2020-01-02,3,\"a\r\nb\"\n\r\n\
                     2,3,K,,,\n3,1,L,2021,,x\n4,4,K,,,\"\"\"\"\n";
        let whole = chunked(nodes.as_bytes(), edges.as_bytes(), 1 << 20);
        assert!(whole.is_ok(), "{whole:?}");
        let bad_nodes = [
            format!("{nodes}5,P,\"open"),
            format!("{nodes}5,P,a\"b\n"),
            format!("{nodes}5,P\n"),
            format!("{nodes}5,P,x\r6,P,y\n"),
            format!("{nodes}\"5\"x,P,a\n"),
            format!("{nodes}1,P,again\n"),
        ];
        let bad_edges = [
            format!("{edges}1,9,K,,,\n"),
            format!("{edges}1,2,K,2020-13-01,,\n"),
            format!("{edges}1,2,,,,\n"),
            format!("{edges}1,2,K,,x,\n"),
            format!("{edges}\n\n1,2,K,,,\"a\nb\nc\" \n"),
        ];
        let mut cases: Vec<(Vec<u8>, Vec<u8>)> = vec![(nodes.into(), edges.into())];
        // An error on the first line of a file with a byte-order mark (its
        // column does not count the mark, in any piece).
        cases.push(("\u{feff}id,id,label\n1,1,P\n".into(), edges.into()));
        cases.push(("\u{feff}id,label,x\"\n".into(), edges.into()));
        cases.extend(
            bad_nodes
                .iter()
                .map(|n| (n.clone().into_bytes(), edges.into())),
        );
        cases.extend(
            bad_edges
                .iter()
                .map(|e| (nodes.into(), e.clone().into_bytes())),
        );
        // Bytes that are no UTF-8: alone, and cut in the middle of a line.
        let mut latin1 = nodes.as_bytes().to_vec();
        latin1.extend_from_slice(b"5,P,Minsk \xe9\n");
        cases.push((latin1, edges.into()));
        let mut cut_char = nodes.as_bytes().to_vec();
        cut_char.extend_from_slice("5,P,🌍".as_bytes().split_last().unwrap().1);
        cases.push((cut_char, edges.into()));
        for (n, e) in &cases {
            let whole = chunked(n, e, 1 << 20);
            for chunk in 1..=24 {
                assert_eq!(
                    chunked(n, e, chunk),
                    whole,
                    "chunk {chunk} of {:?}",
                    String::from_utf8_lossy(n)
                );
            }
        }
        // The errors name the lines of the whole file.
        let place =
            |n: &[u8], e: &[u8]| chunked(n, e, 3).map_err(|e| (e.file, e.line, e.col, e.message));
        let (file, line, col, message) =
            place(bad_nodes[0].as_bytes(), edges.as_bytes()).unwrap_err();
        assert_eq!((file.as_str(), line, col), ("n.csv", 8, 5), "{message}");
        assert!(message.contains("not closed"), "{message}");
        let (file, line, _, message) =
            place(bad_edges[4].as_bytes(), nodes.as_bytes()).unwrap_err();
        assert_eq!((file.as_str(), line), ("n.csv", 1), "{message}");
        assert!(message.contains("no column 'id'"), "{message}");
        let (file, line, col, message) =
            place(nodes.as_bytes(), bad_edges[4].as_bytes()).unwrap_err();
        assert_eq!((file.as_str(), line, col), ("e.csv", 12, 3), "{message}");
        assert!(message.contains("after a quoted field"), "{message}");
        let bom = "\u{feff}id,id,label\n1,1,P\n".as_bytes();
        let (_, line, col, message) = place(bom, edges.as_bytes()).unwrap_err();
        assert_eq!((line, col), (1, 4), "{message}");
        let (_, line, col, message) =
            place(&cases[cases.len() - 2].0, edges.as_bytes()).unwrap_err();
        assert_eq!((line, col), (8, 11), "{message}");
        assert!(message.contains("not UTF-8"), "{message}");
    }

    /// The fields of each record of `text`, or the error's line, column and
    /// message.
    fn fields(
        text: &str,
        sep: char,
        lenient: bool,
    ) -> Result<Vec<Vec<String>>, (usize, usize, String)> {
        let mut out = Vec::new();
        each_record(text, "f", sep, lenient, |fs| {
            out.push(fs.iter().map(|(t, _)| t.to_string()).collect());
            Ok::<(), ()>(())
        })
        .map_err(|e| match e {
            Ok(e) => (e.line, e.col, e.message),
            Err(()) => (0, 0, String::new()),
        })?;
        Ok(out)
    }

    #[test]
    fn lenient_records_read_as_neo4j_and_strict_ones_refuse_the_same_text() {
        let v = |rows: &[&[&str]]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect()
        };
        // A stray quote, escapes, a lone CR, a CR inside a quoted field.
        let text = "12\" pipe,\"The \\\"S\\\"\"\r\"a\\\\\",\"p\\q\"\r\r\"x\ry\",z\n";
        assert_eq!(
            fields(text, ',', true),
            Ok(v(&[
                &["12\" pipe", "The \"S\""],
                &["a\\", "p\\q"],
                &["x\ry", "z"]
            ]))
        );
        let e = fields(text, ',', false).unwrap_err();
        assert_eq!((e.0, e.1), (1, 3), "{e:?}");
        assert!(e.2.contains("a quote inside an unquoted field"), "{e:?}");
        // Strict, a backslash is a character and `\"` ends the field.
        assert_eq!(fields("\"a\\\",b\n", ',', false), Ok(v(&[&["a\\", "b"]])));
        let e = fields("\"a\\\",b\n", ',', true).unwrap_err();
        assert!(e.2.contains("not closed"), "{e:?}");
        let e = fields("a\rb\n", ',', false).unwrap_err();
        assert!(e.2.contains("carriage return"), "{e:?}");
        // Lines counted with lone CRs (and inside quoted fields).
        let e = fields("a\r\"b\rc\"\r\"d\"e\r", ',', true).unwrap_err();
        assert_eq!((e.0, e.1), (4, 4), "{e:?}");
        // A separator of several bytes; its lead byte alone (in `©`) is no
        // separator.
        assert_eq!(
            fields("©¦\"x¦y\"¦\n¦\r\n", '¦', false),
            Ok(v(&[&["©", "x¦y", ""], &["", ""]]))
        );
        let e = fields("\"a\"©\n", '¦', false).unwrap_err();
        assert!(e.2.contains("expected '¦'"), "{e:?}");
        assert_eq!(fields("a\tb\n", '\t', true), Ok(v(&[&["a", "b"]])));
    }

    #[test]
    fn relationships_are_created_by_end_node_then_file_order() {
        // 3,000 nodes: end nodes fall in many buckets of 16 each.
        let mut nodes = String::from("id,label\n");
        for i in 0..3000 {
            nodes.push_str(&format!("{i},P\n"));
        }
        let mut edges = String::from("src,dst,type,row\n");
        let mut x = 12345u64;
        for row in 0..20_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let (a, b) = ((x >> 20) % 3000, (x >> 40) % 3000);
            edges.push_str(&format!("{a},{b},K,{row}\n"));
        }
        let mut g = Graph::new();
        import_csv(&nodes, "n", &edges, "e", &mut g).unwrap();
        let mut last = (0, -1);
        let mut seen = 0;
        for r in g.rel_ids() {
            let (_, to) = g.rel_ends(r).unwrap();
            let row: i64 = g
                .rel(r)
                .unwrap()
                .props
                .get_str("row")
                .unwrap()
                .parse()
                .unwrap();
            assert!((to.0, row) > last, "{:?} after {last:?}", (to.0, row));
            last = (to.0, row);
            seen += 1;
        }
        assert_eq!(seen, 20_000);
    }
}
