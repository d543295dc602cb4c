//! The interactive loop: rustyline with the [`FactHelper`], history kept in
//! a file across sessions, Ctrl-C cancels the input, Ctrl-D leaves.
//!
//! Input is read a line at a time until [`is_complete`] says the statement is
//! whole (a `;` outside strings and comments that the parser does not find
//! cut short, or a colon command); each further line is read after a
//! continuation prompt (`      ...> `), since rustyline draws none for the
//! lines of a buffer. The whole statement then goes into the history as one
//! entry, so Up and Ctrl-R bring it back whole.

use std::io::Write;
use std::path::{Path, PathBuf};

use rustyline::config::Configurer;
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{ColorMode, CompletionType, Config, Editor};

use unicode_width::UnicodeWidthStr;

use super::helper::{FactHelper, Words, is_complete};
use super::{Flow, Session};

/// Where history is kept: next to the store (`graph/articles.fg.history`),
/// or for a store in memory `~/.factgraph_history`.
pub fn history_path(store: Option<&Path>) -> Option<PathBuf> {
    match store {
        Some(p) => {
            let mut s = p.as_os_str().to_os_string();
            s.push(".history");
            Some(PathBuf::from(s))
        }
        None => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| Path::new(&h).join(".factgraph_history")),
    }
}

/// `factgraph> `, or `factgraph@2024-01-20> ` under `:asof`.
/// The width of the terminal stdout is, in columns (None when it is not
/// one or cannot say), for output drawn without the line editor (`-c`,
/// `-f`). The line editor's own query, so both agree.
pub fn terminal_columns() -> Option<usize> {
    let mut ed: Editor<(), DefaultHistory> = Editor::new().ok()?;
    ed.dimensions().map(|(c, _)| usize::from(c))
}

pub fn prompt<O: Write, E: Write>(s: &Session<O, E>) -> String {
    match &s.settings.as_of {
        Some(d) => format!("factgraph@{d}> "),
        None => "factgraph> ".to_string(),
    }
}

/// The prompt of the lines after the first of a statement: `...> `, its `>`
/// under the main prompt's, so that the text of all lines starts in the same
/// column.
pub fn continuation(main: &str) -> String {
    let indent = main.width().saturating_sub("...> ".len());
    format!("{}...> ", " ".repeat(indent))
}

/// Runs the shell until `:quit` or Ctrl-D. `color` turns on highlighting.
/// Returns the exit status (0, or 2 when the terminal cannot be used).
pub fn run<O: Write, E: Write>(s: &mut Session<O, E>, history: Option<PathBuf>, color: bool) -> u8 {
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .color_mode(if color {
            ColorMode::Enabled
        } else {
            ColorMode::Disabled
        })
        .build();
    let mut rl: Editor<FactHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(rl) => rl,
        Err(e) => {
            s.report(
                &format!("cannot use the terminal: {e}"),
                super::Failed::STORE,
            );
            return 2;
        }
    };
    // Ctrl-C while a statement runs (the terminal is not in raw mode then,
    // so it is a signal): the first raises the session's cancel flag and the
    // statement stops, changing nothing; a second one while the flag is up
    // ends the process as Ctrl-C normally does, should a statement not stop.
    let sigint = signal_hook::consts::SIGINT;
    if let Err(e) = signal_hook::flag::register_conditional_default(sigint, s.cancel.clone())
        .and_then(|_| signal_hook::flag::register(sigint, s.cancel.clone()))
    {
        s.note(&format!("Ctrl-C will not cancel statements: {e}"));
    }
    if let Err(e) = rl.set_max_history_size(10_000) {
        s.note(&format!("history size: {e}"));
    }
    rl.set_helper(Some(FactHelper {
        words: Words::from_graph(s.db.graph(), &s.settings.params),
        color,
        pending: String::new(),
    }));
    if let Some(h) = &history
        && h.exists()
        && let Err(e) = rl.load_history(h)
    {
        s.note(&format!("cannot read the history {}: {e}", h.display()));
    }
    s.history = rl.history().iter().map(|e| e.to_string()).collect();
    // The history beside a store whose directory is missing cannot be
    // kept (nor the store saved): said once, now, not at the first
    // statement.
    let history = match history {
        Some(h)
            if h.parent()
                .is_some_and(|d| !d.as_os_str().is_empty() && !d.is_dir()) =>
        {
            let dir = h
                .parent()
                .map(|d| d.display().to_string())
                .unwrap_or_default();
            s.note(&format!(
                "the directory {dir} does not exist: the history is not kept, and a statement that writes will fail (create it, or check the path)"
            ));
            None
        }
        h => h,
    };
    let mut history_warned = false;
    // The lines of the statement being typed, before the current one.
    let mut pending = String::new();
    loop {
        let main = prompt(s);
        let p = if pending.is_empty() {
            main
        } else {
            continuation(&main)
        };
        if let Some(helper) = rl.helper_mut() {
            helper.pending.clone_from(&pending);
        }
        match rl.readline(&p) {
            Ok(line) => {
                if pending.is_empty() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    pending = line;
                } else {
                    pending.push('\n');
                    pending.push_str(&line);
                }
                if !is_complete(&pending) {
                    continue;
                }
                let input = std::mem::take(&mut pending);
                let _ = rl.add_history_entry(input.trim_end());
                s.history.push(input.trim_end().to_string());
                if let Some(h) = &history
                    && let Err(e) = rl.append_history(h)
                    && !history_warned
                {
                    history_warned = true;
                    s.note(&format!("cannot write the history {}: {e}", h.display()));
                }
                // Tables fit the terminal as wide as it is now.
                s.settings.columns = rl.dimensions().map(|(c, _)| usize::from(c));
                // Errors are reported by the session; the shell goes on.
                if let Ok(Flow::Quit) = s.run_source(&input, "<input>") {
                    break;
                }
                if let Some(helper) = rl.helper_mut() {
                    if s.graph_changed {
                        s.graph_changed = false;
                        helper.words = Words::from_graph(s.db.graph(), &s.settings.params);
                    } else {
                        helper.words.params = s.settings.params.keys().cloned().collect();
                    }
                }
            }
            // Ctrl-C drops the whole statement, not only the current line.
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                s.report(&format!("cannot read input: {e}"), super::Failed::STORE);
                return 2;
            }
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Database;
    use crate::shell::Settings;
    use crate::store::Graph;

    #[test]
    fn history_lives_next_to_the_store() {
        assert_eq!(
            history_path(Some(Path::new("graph/articles.fg"))),
            Some(PathBuf::from("graph/articles.fg.history"))
        );
    }

    #[test]
    fn the_prompt_shows_the_asof_date() {
        let mut s = Session::new(
            Database::in_memory(Graph::new()),
            Settings::default(),
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(prompt(&s), "factgraph> ");
        s.run_source(":asof 2024-05", "<input>").unwrap();
        assert_eq!(prompt(&s), "factgraph@2024-05> ");
    }

    #[test]
    fn the_continuation_prompt_ends_under_the_main_prompt() {
        assert_eq!(continuation("factgraph> "), "      ...> ");
        assert_eq!(continuation("factgraph@2024-05> "), "              ...> ");
        assert_eq!(continuation("> "), "...> ");
    }
}
