//! The shell: runs scripts and interactive input against a [`Database`] and
//! prints the results.
//!
//! [`Session`] is the part both share: it takes text (a `-c` argument, a file,
//! piped stdin, or what the user typed), cuts it into statements and colon
//! commands ([`split`]), runs them in order, and prints results to its output
//! and errors to its error stream. [`repl`] adds the line editor on top.
//! Nothing below this module knows about terminals or colour.

pub mod commands;
pub mod diag;
pub mod helper;
pub mod lint;
pub mod literal;
pub mod render;
pub mod repl;
pub mod shortcuts;
pub mod split;
pub mod stream;

use std::io::{self, Write};
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::db::Database;
use crate::error::{Error, QueryError, Span};
use crate::model::FDate;
use crate::query::{self, ExecOptions, Params, QueryResult};
use render::Mode;

/// Widest a table cell gets before it is cut, in terminal columns.
pub const DEFAULT_MAX_WIDTH: usize = 60;

/// On a terminal, results longer than this show their first and last half
/// of it, with the count of the rows between.
pub const DEFAULT_MAX_ROWS: usize = 40;

/// What the colon commands change.
#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    pub params: Params,
    /// Print how long each statement took.
    pub timer: bool,
    /// The `:asof` date every statement runs under.
    pub as_of: Option<FDate>,
    /// Widest table cell; None never cuts. The binary sets it only when
    /// stdout is a terminal: piped output is never cut.
    pub max_width: Option<usize>,
    /// `:width auto` (the default): on a terminal, tables are also narrowed
    /// to fit its width, [`Settings::columns`].
    pub fit_terminal: bool,
    /// The terminal's width in columns, read by the line editor before each
    /// input (the terminal can be resized); None when unknown.
    pub columns: Option<usize>,
    /// Longest result shown whole in table and line modes; None shows all.
    /// Set only when stdout is a terminal.
    pub max_rows: Option<usize>,
    /// Stdout is a terminal: `:last` goes through a pager.
    pub terminal: bool,
    /// Colour in error reports (stderr is a terminal and NO_COLOR is unset).
    pub color: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            mode: Mode::Table,
            params: Params::new(),
            timer: false,
            as_of: None,
            max_width: Some(DEFAULT_MAX_WIDTH),
            fit_terminal: true,
            columns: None,
            max_rows: None,
            terminal: false,
            color: false,
        }
    }
}

impl Settings {
    /// How wide tables may be drawn: cells cut at `max_width`, and under
    /// `:width auto` the whole table at the terminal's width.
    pub fn fit(&self) -> render::Fit {
        render::Fit {
            cell: self.max_width,
            table: self.columns.filter(|_| self.fit_terminal),
        }
    }
}

/// Whether to go on after a piece of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// `:quit` or `:exit`.
    Quit,
}

/// A piece of input failed; the report is already printed. `code` is the
/// process exit status a script ends with: 1 for an error in the input (a
/// query or a colon command), 2 for a store that cannot be read or written,
/// 0 when the output went away (a closed pipe), which is no error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed {
    pub code: u8,
}

impl Failed {
    pub const QUERY: Failed = Failed { code: 1 };
    pub const STORE: Failed = Failed { code: 2 };
}

/// A store opened for a user, with the shell's settings and where output goes.
pub struct Session<O: Write, E: Write> {
    pub db: Database,
    pub settings: Settings,
    pub out: O,
    pub err: E,
    /// Set when a statement changed the graph (the line editor then reloads
    /// its completion lists); whoever reads it clears it.
    pub graph_changed: bool,
    /// The last result printed, for `:last`.
    pub last: Option<QueryResult>,
    /// What was run, for `:history` when there is no line editor.
    pub history: Vec<String>,
    /// How many rows the last result had when `last` keeps only the first
    /// [`stream::LAST_KEEP`] of them.
    pub last_total: Option<usize>,
    /// How deep `:read` scripts are nested.
    pub reading: usize,
    /// Raised by Ctrl-C while a statement runs (the interactive shell
    /// installs the handler); lowered before each statement.
    pub cancel: Arc<AtomicBool>,
    /// Labels, types and keys the lint found in the graph, until it changes.
    lint_present: std::collections::BTreeSet<String>,
}

impl<O: Write, E: Write> Session<O, E> {
    pub fn new(db: Database, settings: Settings, out: O, err: E) -> Self {
        Session {
            db,
            settings,
            out,
            err,
            graph_changed: false,
            last: None,
            last_total: None,
            history: Vec::new(),
            reading: 0,
            cancel: Arc::default(),
            lint_present: Default::default(),
        }
    }

    /// A statement or import changed the graph: completion lists are
    /// reloaded and the lint asks the graph afresh.
    pub fn mark_changed(&mut self) {
        self.graph_changed = true;
        self.lint_present.clear();
    }

    /// Runs a script: statements and colon commands in order, stopping at the
    /// first error. `origin` names the text in error reports (a file name,
    /// `-c`, `<stdin>`); positions are counted in the whole of `src`.
    pub fn run_source(&mut self, src: &str, origin: &str) -> Result<Flow, Failed> {
        let cut = split::split(src);
        for item in &cut.items {
            match item {
                split::Item::Command { range } => {
                    if commands::run(self, src, range.clone(), origin)? == Flow::Quit {
                        return Ok(Flow::Quit);
                    }
                }
                split::Item::Statement { range, .. } => {
                    self.run_statements(src, range.clone(), origin)?;
                }
            }
        }
        if cut.end_state == split::State::BlockComment
            && let Some(at) = unclosed_comment(src)
        {
            let e = QueryError::syntax(
                "UnexpectedEndOfInput",
                "this comment is not closed (`*/` is missing)",
                Span::new(at, at + 2),
            );
            return Err(self.report_query(&e, src, origin));
        }
        Ok(Flow::Continue)
    }

    /// Parses and runs the statements in `src[range]`, printing each result
    /// as its rows come (see [`stream`]).
    fn run_statements(
        &mut self,
        src: &str,
        range: Range<usize>,
        origin: &str,
    ) -> Result<(), Failed> {
        let text = &src[range.clone()];
        let started = Instant::now();
        let script = match query::parse_script(text) {
            Ok(s) => s,
            Err(e) => return Err(self.report_query(&shift(e, range.start), src, origin)),
        };
        let mut parse_time = Some(started.elapsed());
        let opts = ExecOptions {
            as_of: self.settings.as_of,
            cancel: Some(self.cancel.clone()),
            ..ExecOptions::default()
        };
        for stmt in &script.statements {
            for n in lint::notes_with(stmt, self.db.graph(), &mut self.lint_present) {
                self.note(&n);
            }
            let t = Instant::now();
            let mut printer = stream::Printer::new(&self.settings, t);
            let mut failed = None;
            self.cancel.store(false, Ordering::Relaxed);
            let result =
                {
                    let (out, err) = (&mut self.out, &mut self.err);
                    self.db
                        .execute_streaming(stmt, &self.settings.params, &opts, &mut |b| {
                            match printer.batch(b, out, err) {
                                Ok(()) => true,
                                Err(f) => {
                                    failed = Some(f);
                                    false
                                }
                            }
                        })
                };
            self.cancel.store(false, Ordering::Relaxed);
            let took = t.elapsed() + parse_time.take().unwrap_or_default();
            if let Some(f) = failed {
                return Err(f);
            }
            match result {
                Ok(res) => {
                    if !res.stats.is_empty() {
                        self.mark_changed();
                    }
                    let whole = if printer.printed_nothing() {
                        let whole = printer.whole(&res);
                        self.print_result(&whole, took)?;
                        whole
                    } else {
                        let timer = self.settings.timer;
                        printer.end(Some(&res), took, timer, &mut self.out, &mut self.err)?;
                        if let Some(plan) = &res.plan {
                            self.print_profile(plan)?;
                        }
                        printer.whole(&res)
                    };
                    if !whole.columns.is_empty() {
                        self.last_total = (!printer.kept_all()).then_some(printer.count);
                        self.last = Some(whole);
                    }
                }
                Err(e) => {
                    if !printer.printed_nothing() {
                        printer.end(None, took, false, &mut self.out, &mut self.err)?;
                    }
                    if let Error::Query(q) = &e
                        && q.class == crate::error::ErrorClass::Cancelled
                        && printer.count > 0
                    {
                        let n = printer.count;
                        self.note(&format!("cancelled after {}", render::row_count(n)));
                    }
                    return Err(match e {
                        Error::Query(e) => self.report_query(&shift(e, range.start), src, origin),
                        e => self.report(&e.to_string(), Failed::STORE),
                    });
                }
            }
        }
        Ok(())
    }

    /// Parses and runs the statements in `src[range]` and hands back their
    /// results; stops at the first error, which it reports.
    ///
    /// Statements run one at a time, each parsed just before it runs, so that
    /// output appears in order and a later syntax error leaves earlier
    /// statements done (as in any SQL shell).
    pub fn execute_text(
        &mut self,
        src: &str,
        range: Range<usize>,
        origin: &str,
    ) -> Result<Vec<(QueryResult, Duration)>, Failed> {
        let text = &src[range.clone()];
        let started = Instant::now();
        let script = match query::parse_script(text) {
            Ok(s) => s,
            Err(e) => return Err(self.report_query(&shift(e, range.start), src, origin)),
        };
        let mut parse_time = Some(started.elapsed());
        let mut out = Vec::new();
        let opts = ExecOptions {
            as_of: self.settings.as_of,
            cancel: Some(self.cancel.clone()),
            ..ExecOptions::default()
        };
        for stmt in &script.statements {
            for n in lint::notes_with(stmt, self.db.graph(), &mut self.lint_present) {
                self.note(&n);
            }
            let t = Instant::now();
            self.cancel.store(false, Ordering::Relaxed);
            let result = self.db.execute(stmt, &self.settings.params, &opts);
            self.cancel.store(false, Ordering::Relaxed);
            match result {
                Ok(res) => {
                    if !res.stats.is_empty() {
                        self.mark_changed();
                    }
                    out.push((res, t.elapsed() + parse_time.take().unwrap_or_default()));
                }
                Err(Error::Query(e)) => {
                    return Err(self.report_query(&shift(e, range.start), src, origin));
                }
                Err(e) => return Err(self.report(&e.to_string(), Failed::STORE)),
            }
        }
        Ok(out)
    }

    /// Prints one result in the current mode; notices go to the error stream.
    pub fn print_result(&mut self, res: &QueryResult, took: Duration) -> Result<(), Failed> {
        for n in &res.notices {
            self.note(n);
        }
        let mut text = String::new();
        // EXPLAIN's plan is the result; PROFILE's follows the rows.
        let profiled = res.plan.as_ref().filter(|_| !res.columns.is_empty());
        if let Some(plan) = &res.plan
            && profiled.is_none()
        {
            text.push_str(plan.trim_end());
            text.push('\n');
        }
        let mut cut = None;
        let timing = format!("({:.1} ms)", took.as_secs_f64() * 1000.0);
        match self.settings.mode {
            Mode::Table => {
                let (t, f) = render::table(res, self.settings.fit(), self.settings.max_rows);
                cut = (!f.cut.is_empty()).then_some(f);
                text.push_str(&t);
                let mut tail = Vec::new();
                if !res.columns.is_empty() {
                    tail.push(render::row_count(res.rows.len()));
                }
                if let Some(s) = render::summary(&res.stats) {
                    tail.push(s);
                } else if res.columns.is_empty() && res.plan.is_none() {
                    tail.push("no changes".into());
                }
                let mut line = tail.join(", ");
                if self.settings.timer {
                    line.push(' ');
                    line.push_str(&timing);
                }
                text.push_str(line.trim_start());
                text.push('\n');
            }
            Mode::Csv => text.push_str(&render::csv(res)),
            Mode::Json => text.push_str(&render::json(res)),
            Mode::Ndjson => text.push_str(&render::ndjson(res)),
            Mode::Line => {
                text.push_str(&render::line(res, self.settings.max_rows));
                if res.columns.is_empty()
                    && let Some(s) = render::summary(&res.stats)
                {
                    text.push_str(&s);
                    text.push('\n');
                }
            }
            Mode::Tsv => text.push_str(&render::tsv(res)),
            Mode::Markdown => text.push_str(&render::markdown(res)),
            Mode::Dot if !res.columns.is_empty() => text.push_str(
                &crate::export::dot::result_to_dot(res, &crate::export::dot::DotOptions::default()),
            ),
            Mode::Dot => {}
        }
        self.write_out(&text)?;
        if let Some(f) = cut {
            self.note(&render::cut_note(res, &f, self.settings.fit()));
        }
        if let Some(plan) = profiled {
            self.print_profile(plan)?;
        }
        if self.settings.timer && self.settings.mode != Mode::Table {
            self.note(&format!("took {:.1} ms", took.as_secs_f64() * 1000.0));
        }
        Ok(())
    }

    /// PROFILE's plan and counts after the rows: beside a table on the
    /// output; beside csv or json on the error stream, which a program
    /// reading the output does not read.
    fn print_profile(&mut self, plan: &str) -> Result<(), Failed> {
        let plan = format!("{}\n", plan.trim_end());
        if self.settings.mode == Mode::Table {
            self.write_out(&plan)
        } else {
            let _ = self.err.write_all(plan.as_bytes());
            let _ = self.err.flush();
            Ok(())
        }
    }

    /// Writes to the output and flushes, so results and errors interleave in
    /// the order they happened. A closed pipe (`| head`) ends quietly.
    pub fn write_out(&mut self, text: &str) -> Result<(), Failed> {
        write_to(&mut self.out, &mut self.err, text)
    }

    /// `note: ...` on the error stream.
    pub fn note(&mut self, msg: &str) {
        note_to(&mut self.err, msg, self.settings.color);
    }

    /// Prints `error: msg` and returns the failure to end with.
    pub fn report(&mut self, msg: &str, failed: Failed) -> Failed {
        let _ = self
            .err
            .write_all(diag::error_line(msg, self.settings.color).as_bytes());
        let _ = self.err.flush();
        failed
    }

    /// Prints a query error with its caret and returns [`Failed::QUERY`].
    pub fn report_query(&mut self, e: &QueryError, src: &str, origin: &str) -> Failed {
        let text = diag::query_error(e, src, origin, self.settings.color);
        let _ = self.err.write_all(text.as_bytes());
        let _ = self.err.flush();
        Failed::QUERY
    }
}

/// Writes `text` to `out` and flushes; a closed pipe ends quietly, other
/// failures are reported on `err`.
fn write_to(out: &mut impl Write, err: &mut impl Write, text: &str) -> Result<(), Failed> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Failed { code: 0 }),
        Err(e) => {
            let _ = err.write_all(
                diag::error_line(&format!("cannot write the output: {e}"), false).as_bytes(),
            );
            Err(Failed::STORE)
        }
    }
}

/// `note: ...` on `err`.
fn note_to(err: &mut impl Write, msg: &str, color: bool) {
    let _ = err.write_all(diag::note_line(msg, color).as_bytes());
    let _ = err.flush();
}

/// Moves an error's span from a piece of text to the whole script it was cut from.
fn shift(mut e: QueryError, by: usize) -> QueryError {
    if let Some(s) = &mut e.span {
        *s = Span::new(s.start + by, s.end + by);
    }
    e
}

/// Where the last `/*` that is never closed starts (outside strings).
fn unclosed_comment(src: &str) -> Option<usize> {
    let (state, at) = split::state_at(src, src.len());
    (state == split::State::BlockComment).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;
    use crate::query::WriteStats;
    use crate::store::Graph;

    fn session(mode: Mode) -> Session<Vec<u8>, Vec<u8>> {
        let settings = Settings {
            mode,
            max_width: Some(12),
            ..Settings::default()
        };
        Session::new(
            Database::in_memory(Graph::new()),
            settings,
            Vec::new(),
            Vec::new(),
        )
    }

    fn texts(s: &Session<Vec<u8>, Vec<u8>>) -> (String, String) {
        (
            String::from_utf8_lossy(&s.out).into_owned(),
            String::from_utf8_lossy(&s.err).into_owned(),
        )
    }

    fn result() -> QueryResult {
        QueryResult {
            columns: vec!["name".into()],
            rows: vec![vec!["Shanghai Cooperation Organisation".into()]],
            stats: WriteStats {
                nodes_created: 1,
                ..WriteStats::default()
            },
            notices: vec!["'SOZ' is an alias of 'SCO'".into()],
            ..QueryResult::default()
        }
    }

    #[test]
    fn tables_end_with_row_count_and_summary_and_notes_go_to_stderr() {
        let mut s = session(Mode::Table);
        s.print_result(&result(), Duration::ZERO).unwrap();
        let (out, err) = texts(&s);
        assert_eq!(
            out,
            "┌──────────────┐\n│ name         │\n├──────────────┤\n│ Shanghai Co… │\n└──────────────┘\n1 row, created 1 node\n"
        );
        assert_eq!(
            err,
            format!(
                "note: 'SOZ' is an alias of 'SCO'\nnote: {}\n",
                "cells of column name were cut to 12 columns (marked …); `:width off`, `:last` or `:mode line` show them whole"
            )
        );
    }

    #[test]
    fn writes_without_columns_print_only_their_summary() {
        let mut s = session(Mode::Table);
        let mut r = result();
        r.columns.clear();
        r.rows.clear();
        s.print_result(&r, Duration::ZERO).unwrap();
        assert_eq!(texts(&s).0, "created 1 node\n");
        let mut s = session(Mode::Table);
        s.print_result(&QueryResult::default(), Duration::ZERO)
            .unwrap();
        assert_eq!(texts(&s).0, "no changes\n");
        // Machine formats print the rows and nothing else on stdout.
        let mut s = session(Mode::Csv);
        s.print_result(&r, Duration::ZERO).unwrap();
        assert_eq!(texts(&s).0, "");
        let mut s = session(Mode::Ndjson);
        let mut r = result();
        r.rows.push(vec![Value::Int(2)]);
        s.print_result(&r, Duration::ZERO).unwrap();
        assert_eq!(
            texts(&s).0,
            "{\"name\":\"Shanghai Cooperation Organisation\"}\n{\"name\":2}\n"
        );
    }

    #[test]
    fn error_spans_are_moved_into_the_whole_script() {
        let e = QueryError::expected("')'", "'RETURN'", Span::new(3, 9));
        assert_eq!(shift(e, 100).span, Some(Span::new(103, 109)));
    }

    #[test]
    fn an_unclosed_comment_is_an_error_not_silence() {
        let mut s = session(Mode::Table);
        assert_eq!(
            s.run_source(":stats\n/* RETURN 1;", "-c"),
            Err(Failed::QUERY)
        );
        let (_, err) = texts(&s);
        assert!(err.contains("comment is not closed"), "{err}");
        assert!(err.contains("-c:2:1"), "{err}");
    }
}
