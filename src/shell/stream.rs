//! Printing a result while its statement still runs.
//!
//! The evaluator hands rows over in batches ([`Database::execute_streaming`]);
//! a [`Printer`] prints each batch as it comes in modes that can (csv, tsv,
//! ndjson, json, line), and in table mode on a terminal prints the header
//! and the first rows of a long result as soon as they are there, the last
//! rows and the count at the end. A result that never started printing is
//! printed whole at the end, exactly as [`Session::print_result`] prints it,
//! so short results look as they always did.
//!
//! [`Database::execute_streaming`]: crate::db::Database::execute_streaming
//! [`Session::print_result`]: super::Session::print_result

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::Write;
use std::time::{Duration, Instant};

use super::render::{self, Cell, Mode};
use super::{Failed, Settings, note_to, write_to};
use crate::query::QueryResult;

/// `:last` keeps at most this many rows of a result that streamed.
pub const LAST_KEEP: usize = 1_000_000;

/// A long table is printed whole if its statement ends within this long;
/// after it, the header and first rows go out while the rest runs (their
/// widths then come from the first rows).
pub const HEAD_DELAY: Duration = Duration::from_millis(200);

/// A table that starts before the end leaves room in its gap line for a
/// count of this many rows.
const GAP_ROOM: usize = 10_000_000;

/// How far printing has got.
enum Started {
    /// Nothing printed: rows are kept and printed whole at the end.
    No,
    /// Rows go out as they come (csv, tsv, ndjson, json, line without a
    /// row limit).
    Rows,
    /// The first rows of a long result are out; the last ones are kept.
    Head,
}

/// Prints one statement's result as its rows come in.
pub struct Printer {
    mode: Mode,
    fit: render::Fit,
    max_rows: Option<usize>,
    color: bool,
    started: Instant,
    state: Started,
    /// Rows handed over so far.
    pub count: usize,
    /// What `:last` will show: every row, up to `cap`.
    kept: QueryResult,
    cap: usize,
    /// The first and the latest rows of a long table or line result, as text.
    head: Vec<Vec<Cell>>,
    tail: VecDeque<Vec<Cell>>,
    /// Column widths of a table whose head is printed.
    widths: Vec<usize>,
    /// Cells cut to fit their column.
    cut: bool,
}

impl Printer {
    pub fn new(settings: &Settings, started: Instant) -> Printer {
        let needs_all = matches!(settings.mode, Mode::Markdown | Mode::Dot)
            || (settings.mode == Mode::Table && settings.max_rows.is_none());
        Printer {
            mode: settings.mode,
            fit: settings.fit(),
            max_rows: settings.max_rows.map(|m| m.max(2)),
            color: settings.color,
            started,
            state: Started::No,
            count: 0,
            kept: QueryResult::default(),
            cap: if needs_all { usize::MAX } else { LAST_KEEP },
            head: Vec::new(),
            tail: VecDeque::new(),
            widths: Vec::new(),
            cut: false,
        }
    }

    /// Half the row limit: how many rows a long result shows at each end.
    fn keep(&self) -> usize {
        self.max_rows.map_or(usize::MAX, |m| m / 2)
    }

    /// Takes one batch of rows: prints what can be printed now.
    pub fn batch<O: Write, E: Write>(
        &mut self,
        b: QueryResult,
        out: &mut O,
        err: &mut E,
    ) -> Result<(), Failed> {
        for n in &b.notices {
            note_to(err, n, self.color);
        }
        if self.kept.columns.is_empty() {
            self.kept.columns = b.columns.clone();
        }
        let mut text = String::new();
        let first = self.count;
        self.count += b.rows.len();
        let long = self.max_rows.is_some_and(|m| self.count > m);
        match self.mode {
            Mode::Csv | Mode::Tsv | Mode::Ndjson | Mode::Json => {
                if first == 0 {
                    text.push_str(match self.mode {
                        Mode::Json => "[\n",
                        _ => "",
                    });
                }
                let part = QueryResult {
                    columns: b.columns.clone(),
                    rows: b.rows.clone(),
                    nodes: b.nodes.clone(),
                    rels: b.rels.clone(),
                    ..QueryResult::default()
                };
                let body = match self.mode {
                    Mode::Csv if first == 0 => render::csv(&part),
                    Mode::Csv => without_header(render::csv(&part)),
                    Mode::Tsv if first == 0 => render::tsv(&part),
                    Mode::Tsv => without_header(render::tsv(&part)),
                    Mode::Ndjson => render::ndjson(&part),
                    _ => {
                        let rows: Vec<String> = part
                            .rows
                            .iter()
                            .map(|r| render::json_row(&part, r))
                            .collect();
                        if first > 0 {
                            text.push_str(",\n");
                        }
                        rows.join(",\n")
                    }
                };
                text.push_str(&body);
                self.state = Started::Rows;
            }
            Mode::Line if self.max_rows.is_none() => {
                for (k, r) in b.rows.iter().enumerate() {
                    if first + k > 0 {
                        text.push('\n');
                    }
                    text.push_str(&line_text(&b.columns, &render::row_cells(r, &b)));
                }
                self.state = Started::Rows;
            }
            Mode::Line | Mode::Table if self.max_rows.is_some() => {
                let keep = self.keep();
                for r in &b.rows {
                    let c = render::row_cells(r, &b);
                    if self.head.len() < keep {
                        self.head.push(c);
                    } else {
                        if matches!(self.state, Started::Head) && self.mode == Mode::Table {
                            let c = self.fit_later(c);
                            self.tail.push_back(c);
                        } else {
                            self.tail.push_back(c);
                        }
                        // Before the head is out, a short result needs
                        // every row; after, only the last `keep`.
                        let room = match self.state {
                            Started::Head => keep,
                            _ => keep.max(self.max_rows.unwrap_or(0) - keep),
                        };
                        if self.tail.len() > room {
                            self.tail.pop_front();
                        }
                    }
                }
                let ready = self.mode == Mode::Line
                    || self.started.elapsed() >= HEAD_DELAY
                    || self.count >= self.cap;
                if long && ready && matches!(self.state, Started::No) {
                    text.push_str(&self.print_head());
                    self.state = Started::Head;
                    // The rows kept for a short result beyond the last
                    // `keep` are no longer needed; cut those now shown.
                    while self.tail.len() > keep {
                        self.tail.pop_front();
                    }
                    if self.mode == Mode::Table {
                        let t: Vec<Vec<Cell>> = self.tail.drain(..).collect();
                        for c in t {
                            let c = self.fit_later(c);
                            self.tail.push_back(c);
                        }
                    }
                }
            }
            _ => {}
        }
        // Keep the rows for `:last` (and for printing whole at the end).
        if self.kept.rows.len() < self.cap {
            let room = self.cap - self.kept.rows.len();
            let mut rows = b.rows;
            rows.truncate(room);
            self.kept.rows.extend(rows);
            self.kept.nodes.extend(b.nodes);
            self.kept.rels.extend(b.rels);
        }
        if text.is_empty() {
            return Ok(());
        }
        write_to(out, err, &text)
    }

    /// The header and first rows of a long table (widths from them), or
    /// the first rows of a long line result.
    fn print_head(&mut self) -> String {
        let mut text = String::new();
        if self.mode == Mode::Line {
            for (k, c) in self.head.iter().enumerate() {
                if k > 0 {
                    text.push('\n');
                }
                text.push_str(&line_text(&self.kept.columns, c));
            }
            return text;
        }
        let fitted = render::fit_table(&self.kept.columns, &self.head, self.fit);
        self.cut |= !fitted.cut.is_empty();
        let (headers, head, mut widths) = (fitted.headers, fitted.rows, fitted.widths);
        render::widen_for(&mut widths, &render::omitted(GAP_ROOM, true));
        self.widths = widths;
        text.push_str(&render::rule(&self.widths, '┌', '┬', '┐'));
        let header_cells: Vec<Cell> = headers.into_iter().map(Cell::left).collect();
        text.push_str(&render::table_line(&self.widths, &header_cells));
        text.push_str(&render::rule(&self.widths, '├', '┼', '┤'));
        for r in &head {
            text.push_str(&render::table_line(&self.widths, r));
        }
        text
    }

    /// A row that comes after the table's widths are fixed: cells wider
    /// than their column are cut.
    fn fit_later(&mut self, row: Vec<Cell>) -> Vec<Cell> {
        row.into_iter()
            .zip(self.widths.iter())
            .map(|(c, w)| {
                let (text, cut) = render::cut(&c.text, *w);
                self.cut |= cut;
                Cell {
                    text,
                    right: c.right,
                }
            })
            .collect()
    }

    /// Whether the rows printed so far are the whole result (nothing was
    /// printed yet, so the end prints it all).
    pub fn printed_nothing(&self) -> bool {
        matches!(self.state, Started::No)
    }

    /// The result whole, for printing at the end and for `:last`: `res`
    /// (what the statement returned after its rows) with the rows kept.
    pub fn whole(&mut self, res: &QueryResult) -> QueryResult {
        let mut whole = std::mem::take(&mut self.kept);
        whole.columns = res.columns.clone();
        whole.stats = res.stats.clone();
        whole.notices = res.notices.clone();
        whole.plan = res.plan.clone();
        whole
    }

    /// Whether every row is kept (`:last` has them all).
    pub fn kept_all(&self) -> bool {
        self.count <= self.cap
    }

    /// Ends a result that started printing: the rest of a table or line
    /// result, the end of a JSON array, the count. `res` is what the
    /// statement returned after its rows; None when it failed (Ctrl-C), and
    /// then the count says the rows are the ones printed so far.
    pub fn end<O: Write, E: Write>(
        &mut self,
        res: Option<&QueryResult>,
        took: Duration,
        timer: bool,
        out: &mut O,
        err: &mut E,
    ) -> Result<(), Failed> {
        if let Some(r) = res {
            for n in &r.notices {
                note_to(err, n, self.color);
            }
        }
        let timing = format!("({:.1} ms)", took.as_secs_f64() * 1000.0);
        let mut text = String::new();
        match (&self.state, self.mode) {
            (Started::No, _) => return Ok(()),
            (Started::Rows, Mode::Json) => text.push_str("\n]\n"),
            (Started::Rows, Mode::Line) => {}
            (Started::Rows, _) => {}
            (Started::Head, mode) => {
                let hidden = self.count - self.head.len() - self.tail.len();
                let all_kept = self.count <= self.cap;
                if mode == Mode::Line {
                    if hidden > 0 {
                        let _ = write!(text, "\n{}\n", render::omitted(hidden, all_kept));
                    }
                    for c in &self.tail {
                        text.push('\n');
                        text.push_str(&line_text(&self.kept.columns, c));
                    }
                } else {
                    if hidden > 0 {
                        text.push_str(&render::gap_line(
                            &self.widths,
                            &render::omitted(hidden, all_kept),
                        ));
                    }
                    for c in &self.tail {
                        text.push_str(&render::table_line(&self.widths, c));
                    }
                    text.push_str(&render::rule(&self.widths, '└', '┴', '┘'));
                    let mut tail = vec![render::row_count(self.count)];
                    if res.is_none() {
                        tail[0].push_str(" before it was cancelled");
                    }
                    if self.cut {
                        tail.push("cells cut to fit marked … (`:last` shows them whole)".into());
                    }
                    let mut l = tail.join(", ");
                    if timer {
                        l.push(' ');
                        l.push_str(&timing);
                    }
                    text.push_str(&l);
                    text.push('\n');
                }
            }
        }
        write_to(out, err, &text)?;
        if timer && self.mode != Mode::Table && res.is_some() {
            note_to(err, &format!("took {timing}"), self.color);
        }
        Ok(())
    }
}

/// CSV or TSV text without its first line (the header, printed already).
fn without_header(s: String) -> String {
    match s.find('\n') {
        Some(i) => s[i + 1..].to_string(),
        None => String::new(),
    }
}

/// One row in line mode: `column = value` lines, names right-aligned.
fn line_text(columns: &[String], row: &[Cell]) -> String {
    let w = columns.iter().map(|c| render::width(c)).max().unwrap_or(0);
    let mut out = String::new();
    for (c, v) in columns.iter().zip(row) {
        out.extend(std::iter::repeat_n(' ', w.saturating_sub(render::width(c))));
        let _ = writeln!(out, "{c} = {}", v.text);
    }
    out
}
