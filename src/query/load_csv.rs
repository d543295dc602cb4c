//! `LOAD CSV`: the records of a local CSV file as rows of a query, as
//! Neo4j 5 reads them. With `WITH HEADERS` a record is a map from the first
//! record's names to its fields, without it a list of its fields; every
//! field is a string, an unquoted empty one null (a quoted `""` is the
//! empty string), and a missing one (a short record) null; a record with
//! more fields than the header is an error. The file is CSV in UTF-8 (a
//! byte-order mark is skipped); its text is read whole and each record
//! becomes a row as it is parsed (a million rows of three columns: 1.4 s
//! and 0.77 GB, most of it the rows' maps). Followed by `CALL { } IN
//! TRANSACTIONS`, the records are read on a second thread and handed over a
//! batch at a time (`Engine::load_csv_in_batches`): a million rows into a
//! CREATE each peak at 0.13 GB in memory instead of 1.0. The fields are separated by
//! `,` or FIELDTERMINATOR's character, any one character but a quote or a
//! line break (`'\t'`, `'\u00A6'` and `'¦'` alike).
//!
//! Where RFC 4180 (and the bulk import, `import::csv`) is stricter, the
//! file is read as Neo4j reads it ([`crate::import::csv::Records::lenient_like_neo4j`]),
//! following neo4j/neo4j's `community/csv/.../BufferedCharSeeker.java`
//! and its `BufferedCharSeekerTest.java` (Neo4j 5), `CSVResources.scala`
//! and `LoadCSVPipe.scala` (interpreted runtime):
//!
//! * a header name that repeats keeps its last column (the map is built
//!   by `headers.zipWithIndex.toMap`), and an empty name is the key `""`
//!   (`replaceNoValues`), so `a,b,,` has the keys `a`, `b` and `""`, the
//!   last empty column's field;
//! * a quote inside an unquoted field is a character of it (`12" pipe`;
//!   `shouldRecognizeStrayQuoteCharacters`);
//! * in a quoted field, with `dbms.import.csv.legacy_quote_escaping` on
//!   (its default), a backslash before a quote or a backslash is dropped
//!   and the next character taken as it is: `\"` is a quote that does not
//!   end the field, `\\` one backslash; any other backslash is itself
//!   (`"f\oo"` is `f\oo`;
//!   `shouldEscapeBackslashesInQuotesIfConfiguredWithLegacyStyleQuoting`).
//!   Unquoted fields take backslashes as they are. Neo4j's setting to turn
//!   this off has no counterpart here;
//! * `\n`, `\r\n` and a lone `\r` each end a line
//!   (`shouldHandleWindowsEndOfLineCharacters`); errors count a lone `\r`
//!   as a line end too.
//!
//! What stays an error (a character after a closing quote, a quoted field
//! never closed, a record wider than the header) names `file:line:col`.
//!
//! `linenumber()` and `file()` read two hidden columns of the row
//! ([`LINE_COLUMN`], [`FILE_COLUMN`]), which LOAD CSV adds when the rest of
//! the query mentions them. As in Neo4j (`CSVResources`' `lastProcessed`),
//! the number counts records, not lines: the first record (the header,
//! with WITH HEADERS) is 1, a blank line is no record, and a record over
//! several lines counts once. `file()` is the file's absolute path (Neo4j
//! gives the path of the URL it read, `url.getFile`: with its import
//! directory in front and `%20` left encoded; here the path is decoded).
//! The columns go through a WITH that neither aggregates nor is DISTINCT,
//! as Neo4j keeps them on the row; elsewhere, and outside LOAD CSV, both
//! functions are null.
//!
//! The location is a path (relative to the working directory) or a
//! `file:` URL (`file:///abs/path`, `%20` for a space); factgraph reads no
//! network locations.

use std::collections::BTreeMap;

use crate::error::{ErrorClass, QueryError};
use crate::import::csv::{RawField, each_record, line_col_cr};
use crate::model::Value;

type R<T> = Result<T, QueryError>;

/// The hidden columns (see `eval::is_hidden`) that carry a LOAD CSV row's
/// record number and file to `linenumber()` and `file()`.
pub const LINE_COLUMN: &str = "\0linenumber";
pub const FILE_COLUMN: &str = "\0file";
/// Both, as a LOAD CSV row carries them after its record.
pub const POSITION_COLUMNS: [&str; 2] = [LINE_COLUMN, FILE_COLUMN];

/// Whether clauses printed as `text` may call `linenumber()` or `file()`
/// (judged from the text, conservatively: a LOAD CSV gives its rows the
/// two hidden columns only then, so that other queries pay nothing).
pub fn wants_position(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("linenumber(") || t.contains("file(")
}

fn failed(message: String) -> QueryError {
    QueryError::new(ErrorClass::ArgumentError, "ExternalResourceFailed", message)
}

/// The file path a LOAD CSV location names.
pub fn path_of(location: &str) -> R<String> {
    let lower = location.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("file:") {
        let rest = &location[location.len() - rest.len()..];
        // file:///abs, file://localhost/abs, file:/abs, file:rel
        let path = match rest.strip_prefix("//") {
            Some(r) if r.starts_with('/') => r,
            Some(r) if r.to_ascii_lowercase().starts_with("localhost/") => &r["localhost".len()..],
            Some(_) => {
                return Err(failed(format!(
                    "LOAD CSV reads local files: '{location}' names another host"
                )));
            }
            None => rest,
        };
        return percent_decode(path).ok_or_else(|| {
            failed(format!(
                "'{location}' is not a valid file URL (a % without two hex digits, or not UTF-8)"
            ))
        });
    }
    if let Some((scheme, _)) = location.split_once("://") {
        return Err(failed(format!(
            "LOAD CSV reads local files, not {scheme}:// locations: download the file and give its path"
        )));
    }
    Ok(location.to_string())
}

/// `%XX` escapes decoded; None for a malformed one or bytes not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Hands each row of the CSV file at `location` to `each`: a map with
/// `headers`, a list without; with its number (the header is record 1) and
/// the file's absolute path.
pub fn each_row(
    location: &str,
    headers: bool,
    sep: char,
    mut each: impl FnMut(Value, i64, &str) -> R<()>,
) -> R<()> {
    let path = path_of(location)?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        failed(match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "LOAD CSV: {path}: no such file (a relative path is read from {})",
                std::env::current_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_else(|_| "the working directory".into())
            ),
            std::io::ErrorKind::InvalidData => {
                format!("LOAD CSV: {path}: the file is not UTF-8 text")
            }
            _ => format!("LOAD CSV: {path}: {e}"),
        })
    })?;
    let absolute = std::path::absolute(&path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.clone());
    let bytes = text.as_bytes();
    let field = |(t, at): &RawField<'_>| -> Value {
        if t.is_empty() && bytes.get(*at) != Some(&b'"') {
            Value::Null
        } else {
            Value::String(t.to_string())
        }
    };
    let at_of = |at: usize| {
        let (line, col) = line_col_cr(&text, at);
        format!("{path}:{line}:{col}")
    };
    // The header's names, each with whether a later column has the same
    // name (as in Neo4j, the last column of a name is the one kept).
    let mut names: Option<Vec<(String, bool)>> = None;
    let mut n: i64 = 0;
    each_record(&text, &path, sep, true, |fields| {
        n += 1;
        if !headers {
            return each(
                Value::List(fields.iter().map(field).collect()),
                n,
                &absolute,
            );
        }
        let Some(names) = &names else {
            // An empty name (`a,b,,` as spreadsheets write) is the key "".
            let head: Vec<String> = fields.iter().map(|(t, _)| t.to_string()).collect();
            let shadowed = (0..head.len())
                .map(|i| head[i + 1..].contains(&head[i]))
                .collect::<Vec<bool>>();
            names = Some(head.into_iter().zip(shadowed).collect());
            return Ok(());
        };
        if fields.len() > names.len() {
            return Err(failed(format!(
                "LOAD CSV: {}: this record has {} fields, the header {}",
                at_of(fields[names.len()].1),
                fields.len(),
                names.len()
            )));
        }
        let mut m: BTreeMap<String, Value> = BTreeMap::new();
        for (i, (name, shadowed)) in names.iter().enumerate() {
            if !shadowed {
                m.insert(name.clone(), fields.get(i).map_or(Value::Null, field));
            }
        }
        each(Value::Map(m), n, &absolute)
    })
    .map_err(|e| match e {
        Ok(csv) => failed(format!("LOAD CSV: {csv}")),
        Err(e) => e,
    })
}
