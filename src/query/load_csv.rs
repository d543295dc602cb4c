//! `LOAD CSV`: the records of a local CSV file as rows of a query, as
//! Neo4j reads them. With `WITH HEADERS` a record is a map from the first
//! record's names to its fields, without it a list of its fields; every
//! field is a string, an unquoted empty one null (a quoted `""` is the
//! empty string), and a missing one (a short record) null. The file is
//! RFC 4180 CSV in UTF-8 (a byte-order mark is skipped); its text is read
//! whole and each record becomes a row as it is parsed (a million rows of
//! three columns: 1.4 s and 0.77 GB, most of it the rows' maps). The
//! fields are separated by `,` or FIELDTERMINATOR's character.
//!
//! The location is a path (relative to the working directory) or a
//! `file:` URL (`file:///abs/path`, `%20` for a space); factgraph reads no
//! network locations.

use std::collections::BTreeMap;

use crate::error::{ErrorClass, QueryError};
use crate::import::csv::{RawField, each_record};
use crate::model::Value;

type R<T> = Result<T, QueryError>;

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
/// `headers`, a list without.
pub fn each_row(
    location: &str,
    headers: bool,
    sep: char,
    mut each: impl FnMut(Value) -> R<()>,
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
    // The parser accepts only ASCII separators (FIELDTERMINATOR checks).
    let sep = u8::try_from(sep).unwrap_or(b',');
    let bytes = text.as_bytes();
    let field = |(t, at): &RawField<'_>| -> Value {
        if t.is_empty() && bytes.get(*at) != Some(&b'"') {
            Value::Null
        } else {
            Value::String(t.to_string())
        }
    };
    let at_of = |at: usize| {
        let (line, col) = crate::error::line_col(&text, at);
        format!("{path}:{line}:{col}")
    };
    let mut names: Option<Vec<String>> = None;
    each_record(&text, &path, sep, |fields| {
        if !headers {
            return each(Value::List(fields.iter().map(field).collect()));
        }
        let Some(names) = &names else {
            let mut head: Vec<String> = Vec::with_capacity(fields.len());
            for (t, at) in fields {
                if head.iter().any(|h| h == t) {
                    return Err(failed(format!(
                        "LOAD CSV: {}: the header names '{t}' twice",
                        at_of(*at)
                    )));
                }
                head.push(t.to_string());
            }
            names = Some(head);
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
        for (i, n) in names.iter().enumerate() {
            m.insert(n.clone(), fields.get(i).map_or(Value::Null, field));
        }
        each(Value::Map(m))
    })
    .map_err(|e| match e {
        Ok(csv) => failed(format!("LOAD CSV: {csv}")),
        Err(e) => e,
    })
}
