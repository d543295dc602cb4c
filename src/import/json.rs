//! Reads our own JSON export (format: [`crate::export::json`]) into a graph.
//!
//! The file is parsed by a small JSON reader of its own that keeps the byte
//! offset of every value, so that an error in the *content* (an unknown
//! node id, a value the schema refuses) names the line and column of the
//! value at fault, not only syntax errors.
//!
//! Nodes get new ids (the next free ones of the graph); the file's ids only
//! tie relationships to nodes. Imported into an empty graph, an export
//! without deleted ids gives back the same ids.

use std::collections::HashMap;

use super::error_at;
use crate::error::LoadError;
use crate::export::json::{FORMAT_NAME, FORMAT_VERSION};
use crate::model::schema::{NodeKind, PropDecl, PropType, RelKind};
use crate::model::{FDate, NodeId, Props, RelId, Schema, Value};
use crate::store::Graph;

/// What an import added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportStats {
    pub nodes: usize,
    pub rels: usize,
}

/// Reads the JSON `text` (named `file` in errors) into `graph`, all or
/// nothing: on an error the graph is unchanged.
///
/// If the file has a schema and the graph has none, the graph takes the
/// file's schema (and every node already in it must satisfy it); if both
/// have one they must be equal. Every node and relationship is checked
/// against the schema, required properties included.
pub fn import_json(text: &str, file: &str, graph: &mut Graph) -> Result<ImportStats, LoadError> {
    let root = Reader::new(text, file).document()?;
    graph.all_or_nothing(|g| Loader { text, file }.load(&root, g))
}

/// Reads a JSON export file into a new graph.
pub fn read_json_file(path: &std::path::Path) -> Result<Graph, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| super::cannot_read(&file, e))?;
    let mut g = Graph::new();
    import_json(&text, &file, &mut g)?;
    Ok(g)
}

// ---- the JSON reader ------------------------------------------------------

/// A JSON value and the byte offset where it starts.
#[derive(Debug, Clone)]
pub(super) struct J {
    pub(super) at: usize,
    pub(super) v: JV,
}

#[derive(Debug, Clone)]
pub(super) enum JV {
    Null,
    Bool(bool),
    /// The number's text, so integers and floats stay apart.
    Num(String),
    Str(String),
    Arr(Vec<J>),
    /// Members in file order, each with the offset of its key.
    Obj(Vec<(String, usize, J)>),
}

impl JV {
    fn what(&self) -> &'static str {
        match self {
            JV::Null => "null",
            JV::Bool(_) => "a boolean",
            JV::Num(_) => "a number",
            JV::Str(_) => "a string",
            JV::Arr(_) => "an array",
            JV::Obj(_) => "an object",
        }
    }
}

/// Nesting deeper than this is refused rather than overflowing the stack.
const MAX_DEPTH: usize = 64;

pub(super) struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    file: &'a str,
}

impl<'a> Reader<'a> {
    pub(super) fn new(text: &'a str, file: &'a str) -> Reader<'a> {
        Reader {
            text,
            b: text.as_bytes(),
            pos: 0,
            file,
        }
    }
    fn err(&self, at: usize, msg: impl Into<String>) -> LoadError {
        error_at(self.file, self.text, at, msg.into())
    }
    fn found(&self) -> String {
        match self.text[self.pos..].chars().next() {
            None => "the end of the file".into(),
            Some(c) => format!("'{}'", c.escape_debug()),
        }
    }
    fn ws(&mut self) {
        while self.pos < self.b.len() && matches!(self.b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }
    pub(super) fn document(mut self) -> Result<J, LoadError> {
        // A byte-order mark is tolerated: editors on Windows write one.
        if self.text.starts_with('\u{feff}') {
            self.pos = 3;
        }
        let v = self.value(0)?;
        self.ws();
        if self.pos < self.b.len() {
            return Err(self.err(
                self.pos,
                format!("expected the end of the file, found {}", self.found()),
            ));
        }
        Ok(v)
    }
    fn value(&mut self, depth: usize) -> Result<J, LoadError> {
        self.ws();
        let at = self.pos;
        if depth > MAX_DEPTH {
            return Err(self.err(at, format!("nested deeper than {MAX_DEPTH} levels")));
        }
        let v = match self.b.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                let mut members = Vec::new();
                self.ws();
                if self.b.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.ws();
                        let kat = self.pos;
                        if self.b.get(self.pos) != Some(&b'"') {
                            return Err(self.err(
                                self.pos,
                                format!("expected a member name in quotes, found {}", self.found()),
                            ));
                        }
                        let key = self.string()?;
                        if members
                            .iter()
                            .any(|(k, _, _): &(String, usize, J)| *k == key)
                        {
                            return Err(
                                self.err(kat, format!("the member \"{key}\" appears twice"))
                            );
                        }
                        self.ws();
                        self.expect(b':', "':'")?;
                        let v = self.value(depth + 1)?;
                        members.push((key, kat, v));
                        self.ws();
                        match self.b.get(self.pos) {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => {
                                return Err(self.err(
                                    self.pos,
                                    format!("expected ',' or '}}', found {}", self.found()),
                                ));
                            }
                        }
                    }
                }
                JV::Obj(members)
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                } else {
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.b.get(self.pos) {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => {
                                return Err(self.err(
                                    self.pos,
                                    format!("expected ',' or ']', found {}", self.found()),
                                ));
                            }
                        }
                    }
                }
                JV::Arr(items)
            }
            Some(b'"') => JV::Str(self.string()?),
            Some(b't') if self.b[self.pos..].starts_with(b"true") => {
                self.pos += 4;
                JV::Bool(true)
            }
            Some(b'f') if self.b[self.pos..].starts_with(b"false") => {
                self.pos += 5;
                JV::Bool(false)
            }
            Some(b'n') if self.b[self.pos..].starts_with(b"null") => {
                self.pos += 4;
                JV::Null
            }
            Some(b'-' | b'0'..=b'9') => JV::Num(self.number()?),
            _ => {
                return Err(self.err(at, format!("expected a JSON value, found {}", self.found())));
            }
        };
        Ok(J { at, v })
    }
    fn expect(&mut self, c: u8, what: &str) -> Result<(), LoadError> {
        if self.b.get(self.pos) == Some(&c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(self.pos, format!("expected {what}, found {}", self.found())))
        }
    }
    fn number(&mut self) -> Result<String, LoadError> {
        let start = self.pos;
        let digits = |r: &mut Reader<'_>| {
            let s = r.pos;
            while r.pos < r.b.len() && r.b[r.pos].is_ascii_digit() {
                r.pos += 1;
            }
            r.pos > s
        };
        if self.b.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        if !digits(self) {
            return Err(self.err(
                self.pos,
                format!("expected a digit, found {}", self.found()),
            ));
        }
        if self.b[int_start] == b'0' && self.pos - int_start > 1 {
            return Err(self.err(int_start, "a number may not start with 0"));
        }
        if self.b.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.err(
                    self.pos,
                    format!("expected a digit, found {}", self.found()),
                ));
            }
        }
        if matches!(self.b.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.b.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.err(
                    self.pos,
                    format!("expected a digit, found {}", self.found()),
                ));
            }
        }
        Ok(self.text[start..self.pos].to_string())
    }
    fn hex4(&mut self) -> Result<u32, LoadError> {
        let at = self.pos;
        let h = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.err(at, "expected four hex digits after \\u"))?;
        self.pos += 4;
        u32::from_str_radix(h, 16).map_err(|_| self.err(at, "expected four hex digits after \\u"))
    }
    fn string(&mut self) -> Result<String, LoadError> {
        let open = self.pos;
        self.pos += 1;
        let mut s = String::new();
        loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                return Err(self.err(open, "this string is not closed"));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(s);
                }
                '\\' => {
                    let at = self.pos;
                    self.pos += 1;
                    let e = self.b.get(self.pos).copied();
                    self.pos += 1;
                    match e {
                        Some(b'"') => s.push('"'),
                        Some(b'\\') => s.push('\\'),
                        Some(b'/') => s.push('/'),
                        Some(b'b') => s.push('\u{8}'),
                        Some(b'f') => s.push('\u{c}'),
                        Some(b'n') => s.push('\n'),
                        Some(b'r') => s.push('\r'),
                        Some(b't') => s.push('\t'),
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                if !self.b[self.pos..].starts_with(b"\\u") {
                                    return Err(self.err(at, "a lone surrogate \\u escape"));
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err(at, "a lone surrogate \\u escape"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            let ch = char::from_u32(cp)
                                .ok_or_else(|| self.err(at, "a lone surrogate \\u escape"))?;
                            s.push(ch);
                        }
                        _ => return Err(self.err(at, "an unknown escape in a string")),
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(self.err(
                        self.pos,
                        "a control character in a string (write it as an escape, e.g. \\n)",
                    ));
                }
                c => {
                    s.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }
}

// ---- from JSON to the graph -----------------------------------------------

pub(super) struct Loader<'a> {
    pub(super) text: &'a str,
    pub(super) file: &'a str,
}

pub(super) type Members<'j> = &'j [(String, usize, J)];

impl Loader<'_> {
    pub(super) fn err(&self, at: usize, msg: impl Into<String>) -> LoadError {
        error_at(self.file, self.text, at, msg.into())
    }

    pub(super) fn object<'j>(&self, j: &'j J, what: &str) -> Result<Members<'j>, LoadError> {
        match &j.v {
            JV::Obj(m) => Ok(m),
            other => Err(self.err(
                j.at,
                format!("{what} must be an object, not {}", other.what()),
            )),
        }
    }
    pub(super) fn array<'j>(&self, j: &'j J, what: &str) -> Result<&'j [J], LoadError> {
        match &j.v {
            JV::Arr(a) => Ok(a),
            other => Err(self.err(
                j.at,
                format!("{what} must be an array, not {}", other.what()),
            )),
        }
    }
    pub(super) fn string<'j>(&self, j: &'j J, what: &str) -> Result<&'j str, LoadError> {
        match &j.v {
            JV::Str(s) => Ok(s),
            other => Err(self.err(
                j.at,
                format!("{what} must be a string, not {}", other.what()),
            )),
        }
    }
    pub(super) fn id(&self, j: &J, what: &str) -> Result<u64, LoadError> {
        match &j.v {
            JV::Num(n) => n.parse::<u64>().map_err(|_| {
                self.err(j.at, format!("{what} must be a whole number >= 0, not {n}"))
            }),
            other => Err(self.err(
                j.at,
                format!("{what} must be a number, not {}", other.what()),
            )),
        }
    }
    /// Checks that `m` has only the `allowed` members and returns a getter.
    pub(super) fn members<'j>(
        &self,
        m: Members<'j>,
        allowed: &[&str],
        what: &str,
    ) -> Result<HashMap<&'j str, &'j J>, LoadError> {
        let mut out = HashMap::new();
        for (k, at, v) in m {
            if !allowed.contains(&k.as_str()) {
                return Err(self.err(
                    *at,
                    format!(
                        "{what} has no member \"{k}\"; its members are {}",
                        allowed.join(", ")
                    ),
                ));
            }
            out.insert(k.as_str(), v);
        }
        Ok(out)
    }
    pub(super) fn required<'j>(
        &self,
        m: &HashMap<&str, &'j J>,
        key: &str,
        what: &str,
        at: usize,
    ) -> Result<&'j J, LoadError> {
        m.get(key)
            .copied()
            .ok_or_else(|| self.err(at, format!("{what} needs the member \"{key}\"")))
    }

    fn load(&self, root: &J, g: &mut Graph) -> Result<ImportStats, LoadError> {
        let top = self.object(root, "the file")?;
        let m = self.members(
            top,
            &[
                "format",
                "version",
                "schema",
                "indexes",
                "constraints",
                "nodes",
                "relationships",
            ],
            "the file",
        )?;
        self.check_format(&m, root, FORMAT_NAME, FORMAT_VERSION, "JSON export")?;
        if let Some(s) = m.get("schema") {
            self.adopt_schema(s, g)?;
        }
        let mut ids: HashMap<u64, NodeId> = HashMap::new();
        let mut stats = ImportStats::default();
        let mut created = Vec::new();
        if let Some(nodes) = m.get("nodes") {
            for n in self.array(nodes, "\"nodes\"")? {
                let nm = self.members(
                    self.object(n, "a node")?,
                    &["id", "labels", "properties"],
                    "a node",
                )?;
                let idj = self.required(&nm, "id", "a node", n.at)?;
                let fid = self.id(idj, "a node's \"id\"")?;
                if ids.contains_key(&fid) {
                    return Err(self.err(idj.at, format!("a second node with the id {fid}")));
                }
                let mut labels = Vec::new();
                if let Some(l) = nm.get("labels") {
                    for lj in self.array(l, "\"labels\"")? {
                        let label = self.string(lj, "a label")?;
                        if labels.iter().any(|x: &String| x == label) {
                            return Err(
                                self.err(lj.at, format!("the label '{label}' appears twice"))
                            );
                        }
                        labels.push(label.to_string());
                    }
                }
                let props = match nm.get("properties") {
                    Some(p) => self.props(p)?,
                    None => Props::new(),
                };
                let id = g
                    .create_node(labels, props)
                    .map_err(|e| self.err(n.at, e.message))?;
                ids.insert(fid, id);
                created.push((id, n.at));
                stats.nodes += 1;
            }
        }
        let mut rels_created: Vec<(RelId, usize)> = Vec::new();
        if let Some(rels) = m.get("relationships") {
            for r in self.array(rels, "\"relationships\"")? {
                let rm = self.members(
                    self.object(r, "a relationship")?,
                    &["id", "type", "start", "end", "properties"],
                    "a relationship",
                )?;
                if let Some(idj) = rm.get("id") {
                    self.id(idj, "a relationship's \"id\"")?;
                }
                let t = self.required(&rm, "type", "a relationship", r.at)?;
                let rel_type = self.string(t, "\"type\"")?.to_string();
                let end = |key: &str| -> Result<NodeId, LoadError> {
                    let j = self.required(&rm, key, "a relationship", r.at)?;
                    let fid = self.id(j, &format!("\"{key}\""))?;
                    ids.get(&fid).copied().ok_or_else(|| {
                        self.err(j.at, format!("no node with the id {fid} in the file"))
                    })
                };
                let start = end("start")?;
                let stop = end("end")?;
                let props = match rm.get("properties") {
                    Some(p) => self.props(p)?,
                    None => Props::new(),
                };
                let id = g
                    .create_rel(start, stop, rel_type, props)
                    .map_err(|e| self.err(r.at, e.message))?;
                rels_created.push((id, r.at));
                stats.rels += 1;
            }
        }
        // Required properties, once everything is there.
        for (id, at) in created {
            g.check_complete(&[id], &[])
                .map_err(|e| self.err(at, e.message))?;
        }
        for (id, at) in rels_created {
            g.check_complete(&[], &[id])
                .map_err(|e| self.err(at, e.message))?;
        }
        // Indexes and constraints once the data is in (a constraint checks
        // it); one the store has already is kept as it is.
        for (key, what) in [("indexes", "an index"), ("constraints", "a constraint")] {
            if let Some(list) = m.get(key) {
                for j in self.array(list, &format!("\"{key}\""))? {
                    let text = self.string(j, what)?;
                    self.define(text, key == "indexes", g)
                        .map_err(|e| self.err(j.at, format!("{what} ({text}): {}", e.message)))?;
                }
            }
        }
        Ok(stats)
    }

    /// Runs one `CREATE INDEX` (`index`) or `CREATE CONSTRAINT` statement
    /// of the file, as IF NOT EXISTS.
    fn define(
        &self,
        text: &str,
        index: bool,
        g: &mut Graph,
    ) -> Result<(), crate::error::QueryError> {
        use crate::error::QueryError;
        use crate::query::ast::StatementBody;
        let mut script = crate::query::parse_script(text)?;
        let mut stmt = match script.statements.pop() {
            Some(st) if script.statements.is_empty() => st,
            _ => return Err(QueryError::semantic("ImportFailed", "not one statement")),
        };
        match &mut stmt.body {
            StatementBody::CreateIndex(c) if index => c.if_not_exists = true,
            StatementBody::CreateConstraint(c) if !index => c.if_not_exists = true,
            _ => {
                return Err(QueryError::semantic(
                    "ImportFailed",
                    format!(
                        "not a CREATE {}",
                        if index { "INDEX" } else { "CONSTRAINT" }
                    ),
                ));
            }
        }
        let opts = crate::query::ExecOptions::default();
        crate::query::execute(g, &stmt, &crate::query::Params::new(), &opts).map(|_| ())
    }

    /// Checks the members `format` and `version` of one of our files (the
    /// members `m` of `root`): `format` must be `name`, and `version` one
    /// of 1..=`newest`. `kind` names such files in the errors.
    pub(super) fn check_format(
        &self,
        m: &HashMap<&str, &J>,
        root: &J,
        name: &str,
        newest: i64,
        kind: &str,
    ) -> Result<(), LoadError> {
        let format = self.required(m, "format", "the file", root.at)?;
        if self.string(format, "\"format\"")? != name {
            return Err(self.err(
                format.at,
                format!("this is not a factgraph {kind} (\"format\" is not \"{name}\")"),
            ));
        }
        let version = self.required(m, "version", "the file", root.at)?;
        let v = self.id(version, "\"version\"")?;
        if v == 0 || v > newest as u64 {
            return Err(self.err(
                version.at,
                format!(
                    "{kind} version {v} is not one this factgraph reads (1..={newest}); upgrade factgraph"
                ),
            ));
        }
        Ok(())
    }

    /// The file's schema `s` for `g`: taken when `g` has none (and all
    /// of `g` must satisfy it), else it must be `g`'s.
    pub(super) fn adopt_schema(&self, s: &J, g: &mut Graph) -> Result<(), LoadError> {
        let schema = self.schema(s)?;
        match g.schema() {
            Some(own) if *own != schema => Err(self.err(
                s.at,
                "the file's schema differs from the store's; import into an empty store or align the schemas",
            )),
            Some(_) => Ok(()),
            None => {
                g.set_schema(Some(schema));
                g.check_all().map_err(|e| {
                    self.err(
                        s.at,
                        format!(
                            "the store's data does not fit the file's schema: {}",
                            e.message
                        ),
                    )
                })
            }
        }
    }

    pub(super) fn props(&self, j: &J) -> Result<Props, LoadError> {
        let mut props = Props::new();
        for (k, _, v) in self.object(j, "\"properties\"")? {
            let value = self.value(v, true)?;
            if !value.is_null() {
                props.insert(k.into(), value);
            }
        }
        Ok(props)
    }

    fn value(&self, j: &J, top: bool) -> Result<Value, LoadError> {
        Ok(match &j.v {
            JV::Null if top => Value::Null,
            JV::Null => return Err(self.err(j.at, "a list may not hold null")),
            JV::Bool(b) => Value::Bool(*b),
            JV::Str(s) => Value::String(s.clone()),
            JV::Num(n) => {
                if n.contains(['.', 'e', 'E']) {
                    let f: f64 = n
                        .parse()
                        .map_err(|_| self.err(j.at, format!("{n} is not a number")))?;
                    if f.is_infinite() {
                        return Err(self.err(j.at, format!("{n} is too large for a float")));
                    }
                    Value::Float(f)
                } else {
                    Value::Int(n.parse::<i64>().map_err(|_| {
                        self.err(j.at, format!("{n} does not fit in a 64-bit integer"))
                    })?)
                }
            }
            JV::Arr(items) if top => Value::List(
                items
                    .iter()
                    .map(|i| self.value(i, false))
                    .collect::<Result<_, _>>()?,
            ),
            JV::Arr(_) => return Err(self.err(j.at, "a list may not hold a list")),
            JV::Obj(m) => match m.as_slice() {
                [(k, _, v)] if k == "date" => {
                    let s = self.string(v, "a date")?;
                    Value::Date(FDate::parse(s).map_err(|e| self.err(v.at, e))?)
                }
                [(k, _, v)]
                    if matches!(
                        k.as_str(),
                        "localtime" | "time" | "localdatetime" | "datetime" | "duration"
                    ) =>
                {
                    let s = self.string(v, k)?;
                    Value::temporal(
                        crate::model::temporal::parse_stored(k, s)
                            .map_err(|e| self.err(v.at, e))?,
                    )
                }
                [(k, _, v)] if k == "float" => match self.string(v, "a float")? {
                    "NaN" => Value::Float(f64::NAN),
                    "Infinity" => Value::Float(f64::INFINITY),
                    "-Infinity" => Value::Float(f64::NEG_INFINITY),
                    other => {
                        return Err(self.err(
                            v.at,
                            format!("\"{other}\" is not NaN, Infinity or -Infinity"),
                        ));
                    }
                },
                _ => {
                    return Err(self.err(
                        j.at,
                        "an object value must be {\"date\": \"...\"} or {\"float\": \"...\"}",
                    ));
                }
            },
        })
    }

    fn decls(&self, j: &J) -> Result<Vec<PropDecl>, LoadError> {
        let mut out = Vec::new();
        for d in self.array(j, "\"properties\"")? {
            let m = self.members(
                self.object(d, "a property declaration")?,
                &["name", "type", "required"],
                "a property declaration",
            )?;
            let name = self.string(
                self.required(&m, "name", "a property declaration", d.at)?,
                "\"name\"",
            )?;
            let tj = self.required(&m, "type", "a property declaration", d.at)?;
            let ty = PropType::parse(self.string(tj, "\"type\"")?).ok_or_else(|| {
                self.err(
                    tj.at,
                    "not a property type (string, int, float, bool, date, any, list<T>)",
                )
            })?;
            let required = match m.get("required").map(|r| &r.v) {
                None => false,
                Some(JV::Bool(b)) => *b,
                Some(other) => {
                    let at = m.get("required").map_or(d.at, |r| r.at);
                    return Err(self.err(
                        at,
                        format!("\"required\" must be a boolean, not {}", other.what()),
                    ));
                }
            };
            out.push(PropDecl {
                name: name.to_string(),
                ty,
                required,
            });
        }
        Ok(out)
    }

    fn names(&self, j: Option<&&J>) -> Result<Vec<String>, LoadError> {
        let Some(j) = j else { return Ok(Vec::new()) };
        self.array(j, "a list of kinds")?
            .iter()
            .map(|n| self.string(n, "a kind").map(str::to_string))
            .collect()
    }

    fn schema(&self, j: &J) -> Result<Schema, LoadError> {
        let m = self.members(
            self.object(j, "\"schema\"")?,
            &["nodes", "relationships"],
            "the schema",
        )?;
        let mut schema = Schema::default();
        if let Some(nodes) = m.get("nodes") {
            for k in self.array(nodes, "the schema's \"nodes\"")? {
                let km = self.members(
                    self.object(k, "a node kind")?,
                    &["name", "doc", "properties"],
                    "a node kind",
                )?;
                let name =
                    self.string(self.required(&km, "name", "a node kind", k.at)?, "\"name\"")?;
                let doc = match km.get("doc") {
                    Some(d) => self.string(d, "\"doc\"")?.to_string(),
                    None => String::new(),
                };
                let props = match km.get("properties") {
                    Some(p) => self.decls(p)?,
                    None => Vec::new(),
                };
                schema.nodes.insert(
                    name.to_string(),
                    NodeKind {
                        name: name.to_string(),
                        props,
                        doc,
                    },
                );
            }
        }
        if let Some(rels) = m.get("relationships") {
            for k in self.array(rels, "the schema's \"relationships\"")? {
                let km = self.members(
                    self.object(k, "a relationship type")?,
                    &["name", "from", "to", "doc", "properties"],
                    "a relationship type",
                )?;
                let name = self.string(
                    self.required(&km, "name", "a relationship type", k.at)?,
                    "\"name\"",
                )?;
                let doc = match km.get("doc") {
                    Some(d) => self.string(d, "\"doc\"")?.to_string(),
                    None => String::new(),
                };
                let props = match km.get("properties") {
                    Some(p) => self.decls(p)?,
                    None => Vec::new(),
                };
                schema.rels.insert(
                    name.to_string(),
                    RelKind {
                        name: name.to_string(),
                        from: self.names(km.get("from"))?,
                        to: self.names(km.get("to"))?,
                        props,
                        doc,
                    },
                );
            }
        }
        Ok(schema)
    }
}
