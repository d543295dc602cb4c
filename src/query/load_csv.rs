//! `LOAD CSV`: the records of a local CSV file as rows of a query, as
//! Neo4j reads them. With `WITH HEADERS` a record is a map from the first
//! record's names to its fields, without it a list of its fields; every
//! field is a string, an unquoted empty one null (a quoted `""` is the
//! empty string), and a missing one (a short record) null. The file is
//! RFC 4180 CSV in UTF-8 (a byte-order mark is skipped), read whole; the
//! fields are separated by `,` or FIELDTERMINATOR's character.
//!
//! The location is a path (relative to the working directory) or a
//! `file:` URL (`file:///abs/path`, `%20` for a space); factgraph reads no
//! network locations.

use std::collections::BTreeMap;

use crate::error::{ErrorClass, QueryError};
use crate::import::csv::parse_csv_with;
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

/// The rows of the CSV file at `location`: maps with `headers`, lists
/// without.
pub fn rows(location: &str, headers: bool, sep: char) -> R<Vec<Value>> {
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
    let records =
        parse_csv_with(&text, &path, sep).map_err(|e| failed(format!("LOAD CSV: {e}")))?;
    let field = |f: &crate::import::csv::Field| -> Value {
        if f.text.is_empty() && text.as_bytes().get(f.at) != Some(&b'"') {
            Value::Null
        } else {
            Value::String(f.text.clone())
        }
    };
    if !headers {
        return Ok(records
            .iter()
            .map(|r| Value::List(r.fields.iter().map(field).collect()))
            .collect());
    }
    let mut it = records.iter();
    let Some(head) = it.next() else {
        return Ok(Vec::new());
    };
    let mut names: Vec<&str> = Vec::with_capacity(head.fields.len());
    for f in &head.fields {
        if names.contains(&f.text.as_str()) {
            let (line, col) = crate::error::line_col(&text, f.at);
            return Err(failed(format!(
                "LOAD CSV: {path}:{line}:{col}: the header names '{}' twice",
                f.text
            )));
        }
        names.push(&f.text);
    }
    it.map(|r| {
        if r.fields.len() > names.len() {
            let (line, col) = crate::error::line_col(&text, r.fields[names.len()].at);
            return Err(failed(format!(
                "LOAD CSV: {path}:{line}:{col}: this record has {} fields, the header {}",
                r.fields.len(),
                names.len()
            )));
        }
        let mut m: BTreeMap<String, Value> =
            names.iter().map(|n| (n.to_string(), Value::Null)).collect();
        for (n, f) in names.iter().zip(&r.fields) {
            m.insert(n.to_string(), field(f));
        }
        Ok(Value::Map(m))
    })
    .collect()
}
