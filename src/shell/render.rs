//! Turning query results into text: aligned tables, CSV, JSON, NDJSON, and
//! the one-line summaries of writes.
//!
//! Everything here works from the [`QueryResult`] alone (its node and
//! relationship snapshots), never from the graph, so a result renders the
//! same after the statement deleted what it returned.

use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::model::value::{fmt_float, quote_str};
use crate::model::{NodeId, Path, RelId, Value};
use crate::query::{QueryResult, WriteStats};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Aligned table with box-drawing characters and a row count.
    #[default]
    Table,
    /// Header and rows, RFC 4180 quoting.
    Csv,
    /// One JSON array of row objects per statement.
    Json,
    /// One JSON object per row and line.
    Ndjson,
    /// `column = value`, one per line, a blank line between rows (DuckDB's
    /// `.mode line`).
    Line,
    /// Header and rows separated by tabs; tabs and line breaks in values
    /// written `\t`, `\n`.
    Tsv,
    /// A GitHub-flavoured Markdown table.
    Markdown,
    /// The nodes and relationships of the result as Graphviz DOT.
    Dot,
}

impl Mode {
    /// Every mode, by name.
    pub const ALL: [(&'static str, Mode); 8] = [
        ("table", Mode::Table),
        ("line", Mode::Line),
        ("csv", Mode::Csv),
        ("tsv", Mode::Tsv),
        ("json", Mode::Json),
        ("ndjson", Mode::Ndjson),
        ("markdown", Mode::Markdown),
        ("dot", Mode::Dot),
    ];

    /// Reads a mode's name (`table`, `line`, `csv`, `tsv`, `json`, `ndjson`,
    /// `markdown`; `md` for markdown).
    pub fn parse(s: &str) -> Option<Mode> {
        if s.eq_ignore_ascii_case("md") {
            return Some(Mode::Markdown);
        }
        Mode::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|&(_, m)| m)
    }
    /// The mode's name, as `:mode` takes it.
    pub fn name(self) -> &'static str {
        Mode::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("table", |(n, _)| n)
    }
}

/// A table cut some cells to fit: said once, after the table.
pub const CUT_NOTE: &str =
    "some cells were cut to fit (marked …); use `:width off` or `:mode csv`/`json` for full values";

/// What was cut, said once after the table: which columns, and to what
/// (the cell width, or the terminal's width the table was fitted to).
pub fn cut_note(res: &QueryResult, fitted: &Fitted, fit: Fit) -> String {
    let cols: Vec<&str> = fitted
        .cut
        .iter()
        .filter_map(|&i| res.columns.get(i).map(String::as_str))
        .collect();
    if cols.is_empty() {
        return CUT_NOTE.to_string();
    }
    let to = match (fit.table, fit.cell) {
        (Some(t), _) if fitted.narrowed => format!("fit the terminal's {t} columns"),
        (_, Some(m)) => format!("{} columns", m.max(2)),
        _ => return CUT_NOTE.to_string(),
    };
    format!(
        "cells of {} {} were cut to {to} (marked …); `:width off`, `:last` or `:mode line` show them whole",
        if cols.len() == 1 { "column" } else { "columns" },
        cols.join(", ")
    )
}

// ---- values as text --------------------------------------------------------

/// A value as one table or CSV cell: strings without quotes at the top level
/// (quoted inside lists and maps), dates as `2023-10`, nodes as
/// `(:State {name: 'Belarus'})`, relationships as `[:MEMBER_OF {...}]`,
/// paths as `(...)-[...]->(...)`. With `escape`, line breaks and other control
/// characters in top-level strings are shown as `\n` etc., so a table row
/// stays one line.
pub fn cell_text(v: &Value, res: &QueryResult, escape: bool) -> String {
    match v {
        Value::String(s) if escape => escape_controls(s),
        Value::String(s) => s.clone(),
        _ => {
            let mut out = String::new();
            write_value(v, res, &mut out);
            if escape { escape_controls(&out) } else { out }
        }
    }
}

fn escape_controls(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// A value inside a list, map, node or relationship: strings quoted.
fn write_value(v: &Value, res: &QueryResult, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&fmt_float(*f)),
        Value::String(s) => {
            let _ = quote_str(s, out);
        }
        Value::Date(d) => {
            let _ = write!(out, "{d}");
        }
        Value::Temporal(t) => {
            let _ = write!(out, "{t}");
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(item, res, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_key(k, out);
                out.push_str(": ");
                write_value(item, res, out);
            }
            out.push('}');
        }
        Value::Node(id) => write_node(*id, res, out),
        Value::Rel(id) => write_rel(*id, res, out),
        Value::Path(p) => write_path(p, res, out),
    }
}

/// A property key or label, in backticks when it is not a plain name.
fn write_key(k: &str, out: &mut String) {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        out.push_str(k);
    } else {
        out.push('`');
        out.push_str(&k.replace('`', "``"));
        out.push('`');
    }
}

/// `{name: 'Belarus', aliases: [...]}` with `name` first, the rest by key.
fn write_props(props: &crate::model::Props, res: &QueryResult, out: &mut String) {
    if props.is_empty() {
        return;
    }
    out.push_str(" {");
    let name = props.get_key_value(crate::store::NAME);
    let rest = props
        .iter()
        .filter(|(k, _)| k.as_str() != crate::store::NAME);
    for (i, (k, v)) in name.into_iter().chain(rest).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_key(k, out);
        out.push_str(": ");
        write_value(v, res, out);
    }
    out.push('}');
}

fn write_node(id: NodeId, res: &QueryResult, out: &mut String) {
    out.push('(');
    match res.nodes.get(&id) {
        Some(n) => {
            for l in &n.labels {
                out.push(':');
                write_key(l, out);
            }
            let mut props = String::new();
            write_props(&n.props, res, &mut props);
            if n.labels.is_empty() {
                props = props.trim_start().to_string();
            }
            out.push_str(&props);
        }
        None => {
            let _ = write!(out, "#{}", id.0);
        }
    }
    out.push(')');
}

fn write_rel(id: RelId, res: &QueryResult, out: &mut String) {
    out.push('[');
    match res.rels.get(&id) {
        Some(r) => {
            out.push(':');
            write_key(&r.rel_type, out);
            write_props(&r.props, res, out);
        }
        None => {
            let _ = write!(out, "#{}", id.0);
        }
    }
    out.push(']');
}

fn write_path(p: &Path, res: &QueryResult, out: &mut String) {
    let Some(first) = p.nodes.first() else { return };
    write_node(*first, res, out);
    for (i, rel) in p.rels.iter().enumerate() {
        let Some(next) = p.nodes.get(i + 1) else {
            break;
        };
        // A relationship is drawn in the direction it has in the graph, which
        // need not be the direction the path walks it.
        let backwards = res
            .rels
            .get(rel)
            .is_some_and(|r| r.start == *next && r.end != *next);
        out.push_str(if backwards { "<-" } else { "-" });
        write_rel(*rel, res, out);
        out.push_str(if backwards { "-" } else { "->" });
        write_node(*next, res, out);
    }
}

// ---- tables ----------------------------------------------------------------

/// One cell of a table: its text and whether it aligns right (numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub right: bool,
}

impl Cell {
    pub fn left(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            right: false,
        }
    }
    pub fn right(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            right: true,
        }
    }
}

/// Display width in terminal columns (East Asian wide characters count 2).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` columns, the last one being `…`; says whether it cut.
pub fn cut(s: &str, max: usize) -> (String, bool) {
    if width(s) <= max {
        return (s.to_string(), false);
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    (out, true)
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// How wide a table may be drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fit {
    /// Widest a cell gets, in terminal columns; None never cuts a cell for
    /// its own width.
    pub cell: Option<usize>,
    /// Widest the whole table gets, borders included (the terminal's
    /// width); None lets it be as wide as its cells make it.
    pub table: Option<usize>,
}

impl Fit {
    /// Cells cut at `max` columns (none when None), the table as wide as
    /// they make it.
    pub fn cells(max: Option<usize>) -> Fit {
        Fit {
            cell: max,
            table: None,
        }
    }
}

/// Narrowest a column gets when a table is fitted to the terminal (or its
/// widest cell, if narrower): below this a cut cell says too little to tell
/// rows apart.
pub const MIN_COLUMN: usize = 8;

/// A header keeps up to this many columns of its name when the table is
/// fitted, even above [`MIN_COLUMN`], so one can tell which column is which.
const HEADER_KEEP: usize = 16;

/// A table's cells cut to fit ([`fit_table`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fitted {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Each column's width in terminal columns, inside its padding.
    pub widths: Vec<usize>,
    /// The columns (by index) that had a header or cell cut.
    pub cut: Vec<usize>,
    /// Some column was made narrower than [`Fit::cell`] to fit the table's
    /// width.
    pub narrowed: bool,
}

/// The width a table with these column widths takes, borders included
/// (`│ a │ b │`).
pub fn table_width(widths: &[usize]) -> usize {
    widths.iter().map(|w| w + 3).sum::<usize>() + 1
}

/// Narrows columns until a table of `widths` is at most `total` wide: the
/// widest first, each down to no less than `floors[i]`. A table that cannot
/// fit stays as narrow as the floors make it.
pub fn fit_widths(widths: &[usize], floors: &[usize], total: usize) -> Vec<usize> {
    let mut w = widths.to_vec();
    let mut over = table_width(&w).saturating_sub(total);
    while over > 0 {
        // The widest column that may still give; ties go to the rightmost,
        // so the first columns (often names) keep their text longest.
        let Some((i, _)) = w
            .iter()
            .enumerate()
            .filter(|&(i, &x)| x > floors.get(i).copied().unwrap_or(0))
            .max_by_key(|&(_, &x)| x)
        else {
            break;
        };
        // Down to the next widest column (or the floor) in one step, so
        // wide tables take few rounds; columns equally wide give a column
        // each in turn.
        let floor = floors.get(i).copied().unwrap_or(0);
        let next = w
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, &x)| x)
            .max()
            .unwrap_or(0)
            .max(floor);
        let step = w[i].saturating_sub(next).max(1).min(over);
        w[i] -= step;
        over -= step;
    }
    w
}

/// Cuts a table's headers and cells to fit: each cell to `fit.cell`
/// columns, then, when the table is still wider than `fit.table`, its widest
/// columns narrower until it fits (not below [`MIN_COLUMN`] or its header,
/// up to [`HEADER_KEEP`] columns of it). Cut text ends in `…`.
pub fn fit_table(headers: &[String], rows: &[Vec<Cell>], fit: Fit) -> Fitted {
    let cap = fit.cell.map(|m| m.max(2));
    let first = |s: &str| match cap {
        Some(m) => cut(s, m).0,
        None => s.to_string(),
    };
    let mut widths: Vec<usize> = headers.iter().map(|h| width(&first(h))).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(width(&first(&c.text)));
            }
        }
    }
    let mut narrowed = false;
    if let Some(total) = fit.table {
        let floors: Vec<usize> = headers
            .iter()
            .zip(&widths)
            .map(|(h, &w)| w.min(MIN_COLUMN.max(width(h).min(HEADER_KEEP))))
            .collect();
        let fitted = fit_widths(&widths, &floors, total);
        narrowed = fitted != widths;
        widths = fitted;
    }
    let mut cut_cols = vec![false; widths.len()];
    let mut fit_cell = |i: usize, s: &str| {
        let max = match (widths.get(i), cap) {
            (Some(&w), Some(m)) => w.min(m),
            (Some(&w), None) => w,
            (None, m) => m.unwrap_or(usize::MAX),
        };
        let (t, c) = cut(s, max);
        if c && let Some(f) = cut_cols.get_mut(i) {
            *f = true;
        }
        t
    };
    let headers: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| fit_cell(i, h))
        .collect();
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, c)| Cell {
                    text: fit_cell(i, &c.text),
                    right: c.right,
                })
                .collect()
        })
        .collect();
    Fitted {
        headers,
        rows,
        widths,
        cut: (0..cut_cols.len()).filter(|&i| cut_cols[i]).collect(),
        narrowed,
    }
}

/// Draws a table with box-drawing characters. Cells wider than `max_width`
/// columns are cut; the returned flag says whether any was.
pub fn boxed(headers: &[String], rows: &[Vec<Cell>], max_width: Option<usize>) -> (String, bool) {
    let (t, f) = boxed_with_gap(headers, rows, Fit::cells(max_width), None);
    (t, !f.cut.is_empty())
}

/// [`boxed`], fitted as `fit` says, with a line across the table before row
/// `gap.0` saying `gap.1` (the rows left out of a long result). Returns the
/// table and how it was cut (its `headers` and `rows` are left empty).
pub fn boxed_with_gap(
    headers: &[String],
    rows: &[Vec<Cell>],
    fit: Fit,
    gap: Option<(usize, &str)>,
) -> (String, Fitted) {
    let mut fitted = fit_table(headers, rows, fit);
    let headers = std::mem::take(&mut fitted.headers);
    let rows = std::mem::take(&mut fitted.rows);
    let mut widths = fitted.widths.clone();
    if let Some((_, text)) = gap {
        widen_for(&mut widths, text);
    }
    let mut out = rule(&widths, '┌', '┬', '┐');
    let header_cells: Vec<Cell> = headers.iter().map(|h| Cell::left(h.clone())).collect();
    out.push_str(&table_line(&widths, &header_cells));
    out.push_str(&rule(&widths, '├', '┼', '┤'));
    for (i, r) in rows.iter().enumerate() {
        if let Some((at, text)) = gap
            && at == i
        {
            out.push_str(&gap_line(&widths, text));
        }
        out.push_str(&table_line(&widths, r));
    }
    out.push_str(&rule(&widths, '└', '┴', '┘'));
    (out, fitted)
}

/// The width inside a table's outer borders.
fn inner_width(widths: &[usize]) -> usize {
    widths
        .iter()
        .map(|w| w + 3)
        .sum::<usize>()
        .saturating_sub(1)
}

/// Widens the last column so that a gap line holding `text` fits.
pub fn widen_for(widths: &mut [usize], text: &str) {
    let (inner, need) = (inner_width(widths), width(text) + 2);
    if let Some(last) = widths.last_mut()
        && need > inner
    {
        *last += need - inner;
    }
}

/// A table's rule: `┌───┬───┐` and the like.
pub fn rule(widths: &[usize], l: char, m: char, r: char) -> String {
    let mut s = String::new();
    s.push(l);
    for (i, w) in widths.iter().enumerate() {
        if i > 0 {
            s.push(m);
        }
        s.extend(std::iter::repeat_n('─', w + 2));
    }
    s.push(r);
    s.push('\n');
    s
}

/// A table row: numbers right-aligned, everything else left.
pub fn table_line(widths: &[usize], cells: &[Cell]) -> String {
    let mut s = String::from("│");
    for (i, w) in widths.iter().enumerate() {
        let (text, right) = cells
            .get(i)
            .map_or(("", false), |c| (c.text.as_str(), c.right));
        let gap = w.saturating_sub(width(text));
        s.push(' ');
        if right {
            pad(&mut s, gap);
            s.push_str(text);
        } else {
            s.push_str(text);
            pad(&mut s, gap);
        }
        s.push_str(" │");
    }
    s.push('\n');
    s
}

/// The line across a table that stands for the rows left out.
pub fn gap_line(widths: &[usize], text: &str) -> String {
    let text = format!(" {text}");
    let mut s = String::from("│");
    s.push_str(&text);
    pad(&mut s, inner_width(widths).saturating_sub(width(&text)));
    s.push_str("│\n");
    s
}

/// A result row's cells as a table shows them.
pub fn row_cells(row: &[Value], res: &QueryResult) -> Vec<Cell> {
    row.iter()
        .map(|v| Cell {
            text: cell_text(v, res, true),
            right: matches!(v, Value::Int(_) | Value::Float(_)),
        })
        .collect()
}

/// `1 row`, `3 rows`.
pub fn row_count(n: usize) -> String {
    if n == 1 {
        "1 row".into()
    } else {
        format!("{n} rows")
    }
}

/// A result as an aligned table (nothing if it has no columns), fitted as
/// `fit` says, and which of its columns were cut ([`cut_note`] says it).
///
/// With `max_rows`, a result longer than that shows only its first and last
/// `max_rows / 2` rows, with a line saying how many were left out.
pub fn table(res: &QueryResult, fit: Fit, max_rows: Option<usize>) -> (String, Fitted) {
    if res.columns.is_empty() {
        return (String::new(), fit_table(&[], &[], fit));
    }
    let (shown, gap) = elide(res.rows.len(), max_rows);
    let rows: Vec<Vec<Cell>> = shown.map(|i| row_cells(&res.rows[i], res)).collect();
    let gap_text = gap.map(|(_, n)| omitted(n, true));
    boxed_with_gap(
        &res.columns,
        &rows,
        fit,
        gap.zip(gap_text.as_deref()).map(|((at, _), t)| (at, t)),
    )
}

/// `… 123 more rows …` (the middle of a long result, left out), pointing
/// to `:last` when it keeps them all (`all_kept`; else `:last` says itself
/// how many it kept).
pub fn omitted(n: usize, all_kept: bool) -> String {
    format!(
        "… {n} more row{} …{}",
        if n == 1 { "" } else { "s" },
        if all_kept { " (:last shows all)" } else { "" }
    )
}

/// The indices of the rows to show out of `n`, and where the gap is with
/// how many rows it stands for.
fn elide(
    n: usize,
    max_rows: Option<usize>,
) -> (Box<dyn Iterator<Item = usize>>, Option<(usize, usize)>) {
    match max_rows {
        Some(m) if n > m.max(2) => {
            let keep = m.max(2) / 2;
            (
                Box::new((0..keep).chain(n - keep..n)),
                Some((keep, n - 2 * keep)),
            )
        }
        _ => (Box::new(0..n), None),
    }
}

// ---- CSV -------------------------------------------------------------------

/// One CSV field, quoted when it holds a comma, a quote or a line break
/// (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Header and rows; null is an empty field.
pub fn csv(res: &QueryResult) -> String {
    if res.columns.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let header: Vec<String> = res.columns.iter().map(|c| csv_field(c)).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for r in &res.rows {
        let fields: Vec<String> = r
            .iter()
            .map(|v| {
                if v.is_null() {
                    String::new()
                } else {
                    csv_field(&cell_text(v, res, false))
                }
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

// ---- line, TSV, Markdown -------------------------------------------------

/// `column = value` per line, names right-aligned, a blank line between rows.
///
/// With `max_rows`, as in [`table`], the middle of a long result is left out.
pub fn line(res: &QueryResult, max_rows: Option<usize>) -> String {
    let w = res.columns.iter().map(|c| width(c)).max().unwrap_or(0);
    let mut out = String::new();
    let (shown, gap) = elide(res.rows.len(), max_rows);
    for (k, i) in shown.enumerate() {
        let r = &res.rows[i];
        if k > 0 {
            out.push('\n');
        }
        if let Some((at, n)) = gap
            && at == k
        {
            let _ = writeln!(out, "{}\n", omitted(n, true));
        }
        for (c, v) in res.columns.iter().zip(r) {
            pad(&mut out, w.saturating_sub(width(c)));
            let _ = writeln!(out, "{c} = {}", cell_text(v, res, true));
        }
    }
    out
}

/// Header and rows separated by tabs; null is an empty field.
pub fn tsv(res: &QueryResult) -> String {
    if res.columns.is_empty() {
        return String::new();
    }
    let field = |s: &str| escape_controls(s);
    let mut out = res
        .columns
        .iter()
        .map(|c| field(c))
        .collect::<Vec<_>>()
        .join("\t");
    out.push('\n');
    for r in &res.rows {
        let fields: Vec<String> = r
            .iter()
            .map(|v| {
                if v.is_null() {
                    String::new()
                } else {
                    cell_text(v, res, true)
                }
            })
            .collect();
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

/// A Markdown table: `|` in values escaped, numbers right-aligned.
pub fn markdown(res: &QueryResult) -> String {
    if res.columns.is_empty() {
        return String::new();
    }
    let field = |s: &str| escape_controls(s).replace('|', "\\|");
    let mut out = String::from("|");
    for c in &res.columns {
        let _ = write!(out, " {} |", field(c));
    }
    out.push_str("\n|");
    for i in 0..res.columns.len() {
        let numeric = res
            .rows
            .iter()
            .any(|r| matches!(r.get(i), Some(Value::Int(_) | Value::Float(_))))
            && res.rows.iter().all(|r| {
                matches!(
                    r.get(i),
                    Some(Value::Int(_) | Value::Float(_) | Value::Null)
                )
            });
        out.push_str(if numeric { " ---: |" } else { " --- |" });
    }
    out.push('\n');
    for r in &res.rows {
        out.push('|');
        for v in r {
            let _ = write!(out, " {} |", field(&cell_text(v, res, true)));
        }
        out.push('\n');
    }
    out
}

// ---- JSON ------------------------------------------------------------------

/// A value as JSON: nodes as `{"id", "labels", "properties"}`, relationships
/// as `{"id", "type", "start", "end", "properties"}`, paths as
/// `{"nodes", "relationships"}`, dates as strings (`"2023-10"`, `"~2024-01"`),
/// floats that JSON cannot hold (NaN, infinities) as strings.
pub fn json_value(v: &Value, res: &QueryResult) -> serde_json::Value {
    use serde_json::Value as J;
    let props = |p: &crate::model::Props| {
        J::Object(
            p.iter()
                .map(|(k, v)| (k.to_string(), json_value(v, res)))
                .collect(),
        )
    };
    let node = |id: &NodeId| {
        let mut o = serde_json::Map::new();
        o.insert("id".into(), J::from(id.0));
        match res.nodes.get(id) {
            Some(n) => {
                o.insert("labels".into(), J::from(n.labels.clone()));
                o.insert("properties".into(), props(&n.props));
            }
            None => {
                o.insert("labels".into(), J::Array(vec![]));
                o.insert("properties".into(), J::Object(serde_json::Map::new()));
            }
        }
        J::Object(o)
    };
    let rel = |id: &RelId| {
        let mut o = serde_json::Map::new();
        o.insert("id".into(), J::from(id.0));
        if let Some(r) = res.rels.get(id) {
            o.insert("type".into(), J::from(r.rel_type.clone()));
            o.insert("start".into(), J::from(r.start.0));
            o.insert("end".into(), J::from(r.end.0));
            o.insert("properties".into(), props(&r.props));
        }
        J::Object(o)
    };
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or_else(|| J::String(fmt_float(*f)), J::Number)
        }
        Value::String(s) => J::String(s.clone()),
        Value::Date(d) => J::String(d.to_string()),
        Value::Temporal(t) => J::String(t.to_string()),
        Value::List(items) => J::Array(items.iter().map(|i| json_value(i, res)).collect()),
        Value::Map(m) => J::Object(
            m.iter()
                .map(|(k, v)| (k.to_string(), json_value(v, res)))
                .collect(),
        ),
        Value::Node(id) => node(id),
        Value::Rel(id) => rel(id),
        Value::Path(p) => {
            let mut o = serde_json::Map::new();
            o.insert("nodes".into(), J::Array(p.nodes.iter().map(node).collect()));
            o.insert(
                "relationships".into(),
                J::Array(p.rels.iter().map(rel).collect()),
            );
            J::Object(o)
        }
    }
}

/// One row as a JSON object whose keys are the column names, in column order
/// (written by hand: serde_json's map would sort the keys).
pub fn json_row(res: &QueryResult, row: &[Value]) -> String {
    let mut out = String::from("{");
    for (i, (col, v)) in res.columns.iter().zip(row).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::Value::String(col.clone()).to_string());
        out.push(':');
        out.push_str(&json_value(v, res).to_string());
    }
    out.push('}');
    out
}

/// A JSON array of row objects, one row per line.
pub fn json(res: &QueryResult) -> String {
    if res.columns.is_empty() {
        return String::new();
    }
    if res.rows.is_empty() {
        return "[]\n".into();
    }
    let rows: Vec<String> = res.rows.iter().map(|r| json_row(res, r)).collect();
    format!("[\n{}\n]\n", rows.join(",\n"))
}

/// One JSON object per row and line.
pub fn ndjson(res: &QueryResult) -> String {
    res.rows.iter().map(|r| json_row(res, r) + "\n").collect()
}

// ---- summaries -------------------------------------------------------------

fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What a statement changed, in words: `created 2 nodes, 1 relationship`.
/// None when it changed nothing.
pub fn summary(s: &WriteStats) -> Option<String> {
    let mut parts = Vec::new();
    let mut group = |verb: &str, items: Vec<String>| {
        if !items.is_empty() {
            parts.push(format!("{verb} {}", items.join(", ")));
        }
    };
    let some = |n: usize, one: &str, many: &str| (n > 0).then(|| counted(n, one, many));
    group(
        "created",
        [
            some(s.nodes_created, "node", "nodes"),
            some(s.rels_created, "relationship", "relationships"),
        ]
        .into_iter()
        .flatten()
        .collect(),
    );
    group(
        "deleted",
        [
            some(s.nodes_deleted, "node", "nodes"),
            some(s.rels_deleted, "relationship", "relationships"),
        ]
        .into_iter()
        .flatten()
        .collect(),
    );
    group(
        "set",
        some(s.props_set, "property", "properties")
            .into_iter()
            .collect(),
    );
    group(
        "removed",
        some(s.props_removed, "property", "properties")
            .into_iter()
            .collect(),
    );
    group(
        "added",
        [
            some(s.labels_added, "label", "labels"),
            some(s.indexes_added, "index", "indexes"),
            some(s.constraints_added, "constraint", "constraints"),
        ]
        .into_iter()
        .flatten()
        .collect(),
    );
    group(
        "removed",
        [
            some(s.labels_removed, "label", "labels"),
            some(s.indexes_removed, "index", "indexes"),
            some(s.constraints_removed, "constraint", "constraints"),
        ]
        .into_iter()
        .flatten()
        .collect(),
    );
    group(
        "committed",
        some(s.transactions_committed, "transaction", "transactions")
            .into_iter()
            .collect(),
    );
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FDate, Props};
    use crate::query::{NodeSnapshot, RelSnapshot};

    fn result(columns: &[&str], rows: Vec<Vec<Value>>) -> QueryResult {
        QueryResult {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
            ..QueryResult::default()
        }
    }

    /// Every line of a table has the same display width.
    fn assert_aligned(t: &str) {
        let widths: Vec<usize> = t.lines().map(width).collect();
        assert!(
            widths.windows(2).all(|w| w[0] == w[1]),
            "misaligned table:\n{t}\nwidths {widths:?}"
        );
    }

    #[test]
    fn tables_stay_aligned_with_non_ascii_text() {
        let res = result(
            &["name", "n"],
            vec![
                vec!["Außenministerrat".into(), Value::Int(1)],
                vec!["Alejnik".into(), Value::Int(22)],
                vec!["中国".into(), Value::Int(333)],
            ],
        );
        let (t, f) = table(&res, Fit::default(), None);
        assert!(f.cut.is_empty());
        assert_aligned(&t);
        assert_eq!(
            t,
            "┌──────────────────┬─────┐\n\
             │ name             │ n   │\n\
             ├──────────────────┼─────┤\n\
             │ Außenministerrat │   1 │\n\
             │ Alejnik          │  22 │\n\
             │ 中国             │ 333 │\n\
             └──────────────────┴─────┘\n"
        );
    }

    #[test]
    fn long_cells_are_cut_with_a_marker() {
        let res = result(
            &["quote"],
            vec![
                vec!["Belarus became a full member of the SCO".into()],
                vec!["中国中国中国".into()],
            ],
        );
        let (t, f) = table(&res, Fit::cells(Some(10)), None);
        assert_eq!(f.cut, vec![0]);
        assert_aligned(&t);
        assert!(t.contains("│ Belarus b… │"), "{t}");
        // A wide character is never split: four fill 8 columns, the marker
        // the ninth, a space the tenth.
        assert!(t.contains("│ 中国中国…  │"), "{t}");
        assert_eq!(cut_str("abc", 3), ("abc".to_string(), false));
    }

    /// A result like `:timeline`'s: short columns around one of long text.
    fn wide_result() -> QueryResult {
        let quote = "Belarus became a full member of the Shanghai Cooperation Organisation";
        result(
            &["date", "precision", "what", "modality", "article"],
            vec![
                vec![
                    "2024-07-04".into(),
                    "day".into(),
                    quote.into(),
                    "accomplished".into(),
                    "a003".into(),
                ],
                vec![
                    "~2024-01-11".into(),
                    "day".into(),
                    "ratification".into(),
                    "expected".into(),
                    "a000".into(),
                ],
            ],
        )
    }

    #[test]
    fn wide_tables_fit_the_terminal_cutting_the_widest_column() {
        let res = wide_result();
        let fit = Fit {
            cell: Some(60),
            table: Some(80),
        };
        let (t, f) = table(&res, fit, None);
        assert_aligned(&t);
        assert!(t.lines().all(|l| width(l) == 80), "{t}");
        // Only the quote was cut; the short columns are whole.
        assert_eq!(f.cut, vec![2]);
        assert!(f.narrowed);
        assert!(t.contains("│ ~2024-01-11 │ day       │"), "{t}");
        assert!(t.contains("│ accomplished │ a003    │"), "{t}");
        assert!(t.contains("│ Belarus became a full me… │"), "{t}");
        assert_eq!(
            cut_note(&res, &f, fit),
            "cells of column what were cut to fit the terminal's 80 columns (marked …); \
             `:width off`, `:last` or `:mode line` show them whole"
        );
    }

    #[test]
    fn fitting_shrinks_the_widest_columns_first_and_stops_at_a_floor() {
        // Columns of 30, 20 and 5 make a table 65 wide; to fit 44, the 30
        // gives 10, then both 20s give in turn.
        assert_eq!(table_width(&[30, 20, 5]), 65);
        assert_eq!(fit_widths(&[30, 20, 5], &[8, 8, 5], 44), vec![15, 14, 5]);
        // Cannot fit: every column stops at its floor.
        assert_eq!(fit_widths(&[30, 20, 5], &[8, 8, 5], 10), vec![8, 8, 5]);
        // Fits already: unchanged.
        assert_eq!(fit_widths(&[30, 20, 5], &[8, 8, 5], 200), vec![30, 20, 5]);
        // In a very narrow terminal a header keeps its first columns.
        let (t, f) = table(
            &wide_result(),
            Fit {
                cell: Some(60),
                table: Some(20),
            },
            None,
        );
        assert_aligned(&t);
        assert!(t.contains("│ precision │"), "{t}");
        assert!(t.contains("│ ~2024-0… │"), "{t}");
        assert_eq!(f.cut, vec![0, 2, 3]);
    }

    #[test]
    fn narrow_results_are_unchanged_by_the_terminal_width() {
        let res = wide_result();
        let wide = Fit {
            cell: Some(60),
            table: Some(200),
        };
        let (fitted, f) = table(&res, wide, None);
        assert_eq!(fitted, table(&res, Fit::cells(Some(60)), None).0);
        assert_eq!(f.cut, vec![2]);
        assert!(!f.narrowed);
        // Cut at the cell width, not the terminal: the note says so.
        assert!(
            cut_note(&res, &f, wide).starts_with("cells of column what were cut to 60 columns")
        );
        let (whole, f) = table(&res, Fit::default(), None);
        assert!(f.cut.is_empty());
        assert!(
            whole.contains("Shanghai Cooperation Organisation │"),
            "{whole}"
        );
        // A long result's gap line still fits.
        let many = result(&["n"], (0..100).map(|i| vec![Value::Int(i)]).collect());
        let (t, _) = table(
            &many,
            Fit {
                cell: Some(60),
                table: Some(80),
            },
            Some(10),
        );
        assert_aligned(&t);
        assert!(t.contains("… 90 more rows …"), "{t}");
    }

    fn cut_str(s: &str, n: usize) -> (String, bool) {
        cut(s, n)
    }

    #[test]
    fn strings_are_bare_at_top_level_and_quoted_inside() {
        let res = QueryResult::default();
        let list = Value::List(vec!["SOZ".into(), "it's".into()]);
        assert_eq!(cell_text(&"SOZ".into(), &res, true), "SOZ");
        assert_eq!(cell_text(&list, &res, true), "['SOZ', 'it\\'s']");
        assert_eq!(cell_text(&"a\nb".into(), &res, true), "a\\nb");
        assert_eq!(cell_text(&"a\nb".into(), &res, false), "a\nb");
        let d = FDate::month(2023, 10).unwrap();
        assert_eq!(cell_text(&Value::Date(d), &res, true), "2023-10");
        assert_eq!(
            cell_text(
                &Value::Date(FDate::month(2024, 1).unwrap().approximate()),
                &res,
                true
            ),
            "~2024-01"
        );
        assert_eq!(cell_text(&Value::Float(2.0), &res, true), "2.0");
        assert_eq!(cell_text(&Value::Null, &res, true), "null");
    }

    fn graph_result() -> QueryResult {
        let mut res = QueryResult::default();
        let mut p = Props::new();
        p.insert("name".into(), "Belarus".into());
        p.insert("aliases".into(), Value::List(vec!["Weißrussland".into()]));
        res.nodes.insert(
            NodeId(0),
            NodeSnapshot {
                labels: vec!["State".into()],
                props: p,
            },
        );
        let mut p = Props::new();
        p.insert("name".into(), "SCO".into());
        res.nodes.insert(
            NodeId(1),
            NodeSnapshot {
                labels: vec!["Organisation".into()],
                props: p,
            },
        );
        let mut rp = Props::new();
        rp.insert("since".into(), Value::Date(FDate::day(2024, 7, 4).unwrap()));
        res.rels.insert(
            RelId(7),
            RelSnapshot {
                rel_type: "MEMBER_OF".into(),
                start: NodeId(0),
                end: NodeId(1),
                props: rp,
            },
        );
        res
    }

    #[test]
    fn nodes_relationships_and_paths_render_as_patterns() {
        let res = graph_result();
        assert_eq!(
            cell_text(&Value::Node(NodeId(0)), &res, true),
            "(:State {name: 'Belarus', aliases: ['Weißrussland']})"
        );
        assert_eq!(
            cell_text(&Value::Rel(RelId(7)), &res, true),
            "[:MEMBER_OF {since: 2024-07-04}]"
        );
        let forward = Path {
            nodes: vec![NodeId(0), NodeId(1)],
            rels: vec![RelId(7)],
        };
        assert_eq!(
            cell_text(&Value::path(forward), &res, true),
            "(:State {name: 'Belarus', aliases: ['Weißrussland']})-[:MEMBER_OF {since: 2024-07-04}]->(:Organisation {name: 'SCO'})"
        );
        let back = Path {
            nodes: vec![NodeId(1), NodeId(0)],
            rels: vec![RelId(7)],
        };
        assert!(
            cell_text(&Value::path(back), &res, true)
                .starts_with("(:Organisation {name: 'SCO'})<-[:MEMBER_OF")
        );
    }

    #[test]
    fn json_keeps_column_order_and_shapes_nodes() {
        let mut res = graph_result();
        res.columns = vec!["z".into(), "a".into(), "n".into()];
        res.rows = vec![vec![
            Value::Date(FDate::year(2023)),
            Value::Float(f64::NAN),
            Value::Node(NodeId(1)),
        ]];
        assert_eq!(
            ndjson(&res),
            "{\"z\":\"2023\",\"a\":\"NaN\",\"n\":{\"id\":1,\"labels\":[\"Organisation\"],\"properties\":{\"name\":\"SCO\"}}}\n"
        );
        let j: serde_json::Value = serde_json::from_str(&json(&res)).unwrap();
        assert_eq!(j[0]["n"]["labels"][0], "Organisation");
        assert_eq!(json(&result(&["x"], vec![])), "[]\n");
    }

    #[test]
    fn csv_quotes_per_rfc_4180() {
        let res = result(
            &["a", "b,c"],
            vec![
                vec!["say \"hi\", then\nleave".into(), Value::Null],
                vec![Value::List(vec!["x".into()]), 3.into()],
            ],
        );
        assert_eq!(
            csv(&res),
            "a,\"b,c\"\n\"say \"\"hi\"\", then\nleave\",\n['x'],3\n"
        );
    }

    #[test]
    fn summaries_count_in_words() {
        let d = WriteStats::default;
        for (s, want) in [
            (
                WriteStats {
                    nodes_created: 2,
                    rels_created: 1,
                    ..d()
                },
                Some("created 2 nodes, 1 relationship"),
            ),
            (
                WriteStats {
                    nodes_deleted: 1,
                    props_set: 3,
                    labels_added: 1,
                    ..d()
                },
                Some("deleted 1 node, set 3 properties, added 1 label"),
            ),
            (
                WriteStats {
                    indexes_added: 1,
                    indexes_removed: 2,
                    writes: 3,
                    ..d()
                },
                Some("added 1 index, removed 2 indexes"),
            ),
            (d(), None),
        ] {
            assert_eq!(summary(&s).as_deref(), want);
        }
    }
}

#[cfg(test)]
mod omitted_tests {
    use super::omitted;

    #[test]
    fn the_gap_points_to_last_only_when_it_keeps_everything() {
        assert_eq!(omitted(1, true), "… 1 more row … (:last shows all)");
        assert_eq!(omitted(3_000_000, false), "… 3000000 more rows …");
    }
}
