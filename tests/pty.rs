//! The interactive shell in a real terminal: tmux runs `factgraph --seed`
//! in a pseudo-terminal, the test types keys into it and reads the screen.
//! Needs tmux (`.ci/run` installs it); without tmux these tests fail rather
//! than pass unseen.
//!
//! Waiting is by polling the screen until the expected text shows, with a
//! generous limit after which the test fails with the screen it saw: no
//! assertion depends on how fast anything runs.

use std::path::Path;
use std::process::Command;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// One tmux server (own socket) running the shell; killed on drop.
struct Term {
    socket: String,
    /// The shell's HOME and working directory (its history is kept there).
    home: Rc<tempfile::TempDir>,
}

impl Term {
    fn start() -> Term {
        Term::start_with(&[])
    }

    /// Starts the shell with more `NAME=VALUE` in its environment.
    fn start_with(env: &[&str]) -> Term {
        Term::spawn(env, true)
    }

    /// Starts the shell; `no_color` sets NO_COLOR.
    fn spawn(env: &[&str], no_color: bool) -> Term {
        let home = Rc::new(tempfile::tempdir().expect("a temp dir"));
        Term::spawn_in(home, env, no_color, (160, 50))
    }

    /// Starts the shell in a terminal `columns` wide (instead of 160).
    fn start_sized(columns: u16) -> Term {
        let home = Rc::new(tempfile::tempdir().expect("a temp dir"));
        Term::spawn_in(home, &[], true, (columns, 50))
    }

    /// Starts another shell in the same HOME as this one.
    fn again(&self) -> Term {
        Term::spawn_in(Rc::clone(&self.home), &[], true, (160, 50))
    }

    /// `size` is the terminal's columns and rows.
    fn spawn_in(
        home: Rc<tempfile::TempDir>,
        env: &[&str],
        no_color: bool,
        size: (u16, u16),
    ) -> Term {
        let bin = env!("CARGO_BIN_EXE_factgraph");
        let t = Term::run_in(home, env, no_color, size, &format!("{bin} --seed"));
        t.wait_for("type :help for help");
        t
    }

    /// Runs `factgraph ARGS` (a shell command line) in a terminal `columns`
    /// wide; the pane stays after it ends.
    fn run_args(columns: u16, args: &str) -> Term {
        let home = Rc::new(tempfile::tempdir().expect("a temp dir"));
        let bin = env!("CARGO_BIN_EXE_factgraph");
        let cmd = format!("{bin} {args}; echo '[exited]'; sleep 60");
        Term::run_in(home, &[], true, (columns, 50), &cmd)
    }

    fn run_in(
        home: Rc<tempfile::TempDir>,
        env: &[&str],
        no_color: bool,
        size: (u16, u16),
        command: &str,
    ) -> Term {
        let socket = format!(
            "factgraph-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let t = Term { socket, home };
        let home_dir = t.home.path().display().to_string();
        let status = t
            .tmux()
            .args(["new-session", "-d"])
            .args(["-x", &size.0.to_string(), "-y", &size.1.to_string()])
            .args(["-e", &format!("HOME={home_dir}")])
            .args(if no_color {
                &["-e", "NO_COLOR=1"][..]
            } else {
                &[]
            })
            .args(env.iter().flat_map(|e| ["-e", e]))
            .args(["-c", &home_dir])
            .arg(command)
            .status()
            .expect("tmux runs (install it: apt-get install tmux)");
        assert!(status.success(), "tmux new-session failed");
        t
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    /// Types text literally (no key names). A `;` goes as its byte: tmux
    /// reads an argument ending in `;` as the end of its own command.
    fn type_text(&self, text: &str) {
        for (i, piece) in text.split(';').enumerate() {
            if i > 0 {
                self.send(&["-H", "3b"]);
            }
            if !piece.is_empty() {
                self.send(&["-l", piece]);
            }
        }
    }

    fn send(&self, args: &[&str]) {
        let ok = self
            .tmux()
            .arg("send-keys")
            .args(args)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "tmux send-keys {args:?} failed");
    }

    /// Presses keys by tmux name: Tab, Enter, C-c, C-r.
    fn press(&self, keys: &[&str]) {
        self.send(keys);
    }

    /// The screen with its colours as escape sequences.
    fn screen_coloured(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-e"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen's lines, without trailing blanks.
    fn lines(&self) -> Vec<String> {
        self.screen()
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect()
    }

    fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-J"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text`; fails with the screen after 30 s.
    fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }

    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("the screen never showed {what:?}:\n{s}");
            }
            sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        // The server is gone already when the shell has left (Ctrl-D).
        let _ = self
            .tmux()
            .arg("kill-server")
            .stderr(std::process::Stdio::null())
            .status();
    }
}

fn tmux_present() {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "these tests need tmux: apt-get install tmux");
    let _ = Path::new(env!("CARGO_BIN_EXE_factgraph"));
}

#[test]
fn tab_completes_labels_types_and_entity_names_by_alias() {
    tmux_present();
    let t = Term::start();
    t.type_text("MATCH (n:Sta");
    t.press(&["Tab"]);
    t.wait_for("factgraph> MATCH (n:State");
    t.type_text(")-[:HELD_");
    t.press(&["Tab"]);
    t.wait_for("MATCH (n:State)-[:HELD_IN");
    t.press(&["C-c"]);
    t.wait_until("a fresh prompt", |s| {
        s.lines().filter(|l| l.trim_end() == "factgraph>").count() == 1
    });
    // An alias, typed folded, completes to the canonical name.
    t.type_text("MATCH (p {name: \"alej");
    t.press(&["Tab"]);
    t.wait_for("MATCH (p {name: \"Sergei Aleinik\"");
    t.type_text("}) RETURN p.name AS who;");
    t.press(&["Enter"]);
    t.wait_for("1 row");
    let s = t.screen();
    assert!(s.contains("│ Sergei Aleinik │"), "{s}");
}

/// The continuation prompt: `...>` with its `>` under the main prompt's.
const MORE: &str = "      ...> ";

/// Waits for the main prompt with nothing typed after it, as the last prompt
/// on the screen: keys sent while the editor restarts may be dropped.
fn wait_for_fresh_prompt(t: &Term, prompt: &str) {
    t.wait_until("a fresh prompt", |s| {
        s.lines()
            .rfind(|l| l.starts_with(prompt.trim_end()) || l.starts_with(MORE))
            .is_some_and(|l| l.trim_end() == prompt.trim_end())
    });
}

#[test]
fn ctrl_c_on_a_continuation_line_drops_the_whole_statement() {
    tmux_present();
    let t = Term::start();
    t.type_text("MATCH (n:State)");
    t.press(&["Enter"]);
    t.type_text("RETURN n.name");
    t.wait_for(&format!("{MORE}RETURN n.name"));
    t.press(&["C-c"]);
    wait_for_fresh_prompt(&t, "factgraph> ");
    // What was typed before Ctrl-C is not the start of this statement.
    t.type_text("RETURN 40 + 2 AS answer;");
    t.press(&["Enter"]);
    let s = t.wait_for("1 row");
    assert!(s.contains("│     42 │"), "{s}");
    assert!(!s.contains("error"), "the cancelled input did not run: {s}");
}

#[test]
fn multi_line_statements_show_a_continuation_prompt_and_come_back_whole() {
    tmux_present();
    let t = Term::start();
    t.type_text("MATCH (s:State)");
    t.press(&["Enter"]);
    t.wait_for(MORE);
    t.type_text("WHERE s.name = 'Belarus'");
    t.press(&["Enter"]);
    // Tab on a later line knows what the earlier lines bound: `s` is a State.
    t.type_text("RETURN s.na");
    t.press(&["Tab"]);
    t.wait_for(&format!("{MORE}RETURN s.name"));
    t.type_text(" AS name;");
    t.press(&["Enter"]);
    t.wait_for("1 row");
    let lines = t.lines();
    let at = lines
        .iter()
        .position(|l| l == "factgraph> MATCH (s:State)")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(
        lines[at..at + 4],
        [
            "factgraph> MATCH (s:State)",
            "      ...> WHERE s.name = 'Belarus'",
            "      ...> RETURN s.name AS name;",
            "┌─────────┐",
        ],
        "{lines:#?}"
    );
    // Up brings back the whole statement, which runs again as it was.
    t.press(&["Up"]);
    t.wait_until("the statement recalled", |s| {
        s.matches("WHERE s.name = 'Belarus'").count() == 2
    });
    t.press(&["Enter"]);
    let s = t.wait_until("two results", |s| s.matches("1 row").count() == 2);
    assert_eq!(s.matches("│ Belarus │").count(), 2, "{s}");
    // Kept for the next session in the same place, still one entry.
    t.press(&["C-d"]);
    let t2 = t.again();
    t2.press(&["Up"]);
    let s = t2.wait_for("RETURN s.name AS name;");
    assert!(
        s.contains("factgraph> MATCH (s:State)\nWHERE s.name = 'Belarus'\nRETURN s.name AS name;"),
        "{s}"
    );
}

#[test]
fn lines_typed_ahead_of_the_prompt_are_kept() {
    tmux_present();
    let t = Term::start();
    t.type_text("MATCH (n:State)");
    // Enter and the next lines in one write, as a fast typist or a paste
    // without bracketed paste sends them: each line arrives before the
    // prompt for it is drawn, and none is lost.
    t.press(&[
        "Enter",
        "WHERE n.name <> 'Belarus'",
        "Enter",
        "RETURN count(n) AS states",
    ]);
    t.wait_for(&format!("{MORE}RETURN count(n) AS states"));
    t.type_text(";");
    t.press(&["Enter"]);
    let s = t.wait_for("1 row");
    assert!(s.contains("│      5 │"), "{s}");
    assert!(
        s.contains(&format!("{MORE}WHERE n.name <> 'Belarus'")),
        "{s}"
    );
}

#[test]
fn the_continuation_prompt_lines_up_under_the_asof_prompt() {
    tmux_present();
    let t = Term::start();
    t.type_text(":asof 2024-05");
    t.press(&["Enter"]);
    wait_for_fresh_prompt(&t, "factgraph@2024-05> ");
    t.type_text("MATCH (n:State");
    t.press(&["Enter"]);
    t.wait_for("              ...> ");
    t.type_text("RETURN n;");
    t.press(&["Enter"]);
    // The caret is under the token on the second line of the statement.
    let s = t.wait_for("^^^^^^");
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    let at = lines
        .iter()
        .position(|l| *l == "factgraph@2024-05> MATCH (n:State")
        .unwrap_or_else(|| panic!("{s}"));
    assert_eq!(
        lines[at..at + 7],
        [
            "factgraph@2024-05> MATCH (n:State",
            "              ...> RETURN n;",
            "error: expected ':', '{' or ')', found 'RETURN'",
            " --> <input>:2:1",
            "  |",
            "2 | RETURN n;",
            "  | ^^^^^^",
        ],
        "{s}"
    );
}

#[test]
fn ctrl_r_finds_an_earlier_statement() {
    tmux_present();
    let t = Term::start();
    t.type_text("RETURN 'needle' AS found;");
    t.press(&["Enter"]);
    t.wait_for("1 row");
    t.type_text("RETURN 1 AS other;");
    t.press(&["Enter"]);
    t.wait_until("two results", |s| s.matches("1 row").count() == 2);
    t.press(&["C-r"]);
    t.type_text("needl");
    t.wait_for("RETURN 'needle' AS found;");
    t.press(&["Enter"]);
    let s = t.wait_until("the statement ran again", |s| {
        s.matches("│ needle │").count() == 2
    });
    assert_eq!(s.matches("1 row").count(), 3, "{s}");
}

/// A store in a directory that does not exist: the shell says so once as
/// it starts, not as a history error at the first statement.
#[test]
fn a_store_in_a_missing_directory_is_named_once_at_the_start() {
    tmux_present();
    let t = Term::run_args(160, "--store gone/x.fg");
    // The note and the banner come from two writes: wait for the second.
    let s = t.wait_until("the banner and the note", |s| {
        s.contains("type :help for help") && s.contains("the history is not kept")
    });
    assert!(
        s.contains("the directory gone does not exist: the history is not kept"),
        "{s}"
    );
    t.type_text("RETURN 1 AS one;");
    t.press(&["Enter"]);
    let s = t.wait_for("1 row");
    assert!(!s.contains("cannot write the history"), "{s}");
    assert_eq!(s.matches("does not exist").count(), 1, "{s}");
}

#[test]
fn long_results_on_a_terminal_are_elided_and_last_pages_them_whole() {
    tmux_present();
    // A pager that marks what went through it.
    let t = Term::start_with(&["PAGER=sed 's/^/paged: /'"]);
    t.type_text("UNWIND range(1, 100) AS i RETURN i, 'x' AS s;");
    t.press(&["Enter"]);
    let s = t.wait_for("100 rows");
    assert!(s.contains("… 60 more rows … (:last shows all)"), "{s}");
    assert!(s.contains("│  20 │") && s.contains("│  81 │"), "{s}");
    assert!(!s.contains("│  50 │"), "{s}");
    t.type_text(":last");
    t.press(&["Enter"]);
    let s = t.wait_for("paged: 100 rows");
    assert!(s.contains("paged: │ 100 │ x │"), "{s}");
}

#[test]
fn wide_tables_fit_the_terminal_and_say_what_was_cut() {
    tmux_present();
    let t = Term::start_sized(100);
    t.type_text(":timeline SOZ");
    t.press(&["Enter"]);
    let s = t.wait_for("show them whole");
    // The screen joins wrapped lines (`capture-pane -J`): a table wider
    // than the terminal would show here as a line over 100 columns.
    table_fits(&s, 100);
    assert!(
        s.contains("were cut to fit the terminal's 100 columns (marked …)"),
        "{s}"
    );
    assert!(
        s.contains("`:width off`, `:last` or `:mode line` show them whole"),
        "{s}"
    );
    // `:width off` (or a piped result) shows every cell whole.
    t.type_text(":width off");
    t.press(&["Enter"]);
    t.type_text(":timeline SOZ");
    t.press(&["Enter"]);
    let s = t.wait_until("a table wider than the terminal", |s| {
        s.lines()
            .any(|l| l.starts_with('└') && l.trim_end().chars().count() > 100)
    });
    assert!(
        s.contains("against challenges and threats on the basis of RATS, discussed at the meeting"),
        "{s}"
    );
}

/// The screen `s` shows a table of more than five lines, none wider than
/// `columns`, with cells cut (…).
fn table_fits(s: &str, columns: usize) {
    let table: Vec<&str> = s
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '├', '└']))
        .collect();
    assert!(table.len() > 5, "{s}");
    for l in &table {
        let w = l.trim_end().chars().count();
        assert!(w <= columns, "a line {w} columns wide:\n{l}\n{s}");
    }
    assert!(table.iter().any(|l| l.contains('…')), "{s}");
}

#[test]
fn tables_from_dash_c_fit_the_terminal_too() {
    tmux_present();
    let t = Term::run_args(
        50,
        "--seed -c 'MATCH (e:Event) RETURN e.name AS event ORDER BY event'",
    );
    let s = t.wait_for("[exited]");
    table_fits(&s, 50);
    assert!(s.contains("to fit the terminal's 50 columns"), "{s}");
}

#[test]
fn input_is_highlighted_as_it_is_typed_unless_no_color() {
    tmux_present();
    let line = "MATCH (n:State {name: 'x'}) RETURN n, 42 // hi";
    let t = Term::spawn(&[], false);
    t.type_text(line);
    t.wait_for("// hi");
    let s = t.screen_coloured();
    // tmux writes each colour as its own sequence: bold, then the colour.
    for (what, seq) in [
        ("keyword", "\x1b[34mMATCH"),
        ("variable", "\x1b[35mn"),
        ("label", "\x1b[33mState"),
        ("string", "\x1b[32m'x'"),
        ("number", "\x1b[36m42"),
        ("comment", "\x1b[2m// hi"),
    ] {
        assert!(s.contains(seq), "{what} not coloured: {s:?}");
    }
    drop(t);
    let t = Term::spawn(&[], true);
    t.type_text(line);
    t.wait_for("// hi");
    let s = t.screen_coloured();
    let input = s.lines().find(|l| l.contains("// hi")).unwrap_or("");
    assert!(!input.contains('\x1b'), "NO_COLOR: {input:?}");
}

#[test]
fn ctrl_c_cancels_a_running_statement_and_the_shell_goes_on() {
    tmux_present();
    let t = Term::start();
    // 173^4 ≈ 9 * 10^8 rows to count: minutes, unless cancelled.
    t.type_text("MATCH (a), (b), (c), (d) RETURN count(*);");
    t.press(&["Enter"]);
    // Give it time to be well inside the statement.
    std::thread::sleep(std::time::Duration::from_millis(700));
    t.press(&["C-c"]);
    let s = t.wait_for("cancelled");
    assert!(s.contains("nothing it did was kept"), "{s}");
    t.wait_until("a fresh prompt after the error", |s| {
        s.lines()
            .last()
            .is_some_and(|l| l.trim_end() == "factgraph>")
            || s.trim_end().ends_with("factgraph>")
    });
    t.type_text("RETURN 40 + 2 AS answer;");
    t.press(&["Enter"]);
    let s = t.wait_for("1 row");
    assert!(s.contains("│     42 │"), "{s}");
}

#[test]
fn ctrl_c_cancels_a_writing_statement_and_keeps_none_of_its_writes() {
    tmux_present();
    let t = Term::run_args(120, "--memory");
    t.wait_for("type :help for help");
    t.type_text("UNWIND range(1, 200) AS i CREATE (:Seed {i: i});");
    t.press(&["Enter"]);
    t.wait_for("created 200 nodes");
    // 200^2 rows, each writing after building a million-element list:
    // minutes of SET, CREATE or MERGE, unless cancelled between rows.
    let slow = "size([x IN range(1, 1000000) | x])";
    for (i, stmt) in [
        format!("MATCH (a), (b) SET a.slow = {slow};"),
        format!("MATCH (a), (b) CREATE (:Slow {{n: {slow}}});"),
        format!("MATCH (a), (b) MERGE (:Slow {{n: {slow} + id(a)}});"),
    ]
    .iter()
    .enumerate()
    {
        t.type_text(stmt);
        t.press(&["Enter"]);
        std::thread::sleep(std::time::Duration::from_millis(900));
        t.press(&["C-c"]);
        t.wait_until("the statement cancelled", |s| {
            s.matches("nothing it did was kept").count() > i
        });
    }
    t.type_text("MATCH (n) WHERE n.slow IS NOT NULL OR n:Slow RETURN count(*) AS kept;");
    t.press(&["Enter"]);
    let s = t.wait_for("1 row");
    assert!(s.contains("│    0 │"), "{s}");
}

/// Ctrl-C in a `CALL { } IN TRANSACTIONS` keeps the batches committed
/// before it, takes back the one it was in, and says how many it kept.
#[test]
fn ctrl_c_in_transactions_keeps_the_committed_batches_and_says_how_many() {
    tmux_present();
    let t = Term::run_args(140, "--memory");
    t.wait_for("type :help for help");
    t.type_text("UNWIND range(1, 200) AS i CREATE (:Seed {i: i});");
    t.press(&["Enter"]);
    t.wait_for("created 200 nodes");
    // 200^2 rows of about 10 ms each, ten a batch: minutes, unless cancelled.
    t.type_text(
        "MATCH (a), (b) CALL (a) { CREATE (:Slow {n: size([x IN range(1, 1000000) | x])}) } \
         IN TRANSACTIONS OF 10 ROWS;",
    );
    t.press(&["Enter"]);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    t.press(&["C-c"]);
    let s = t.wait_for("Transactions committed: ");
    assert!(s.contains("the batches committed before it stay"), "{s}");
    let committed: usize = s
        .split("Transactions committed: ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count in {s}"));
    assert!(committed > 0, "{s}");
    t.type_text("MATCH (n:Slow) RETURN count(*) AS kept;");
    t.press(&["Enter"]);
    let s = t.wait_for("1 row");
    let want = format!("│ {:>4} │", committed * 10);
    assert!(
        s.contains(&want),
        "{committed} batches of ten, so {want}: {s}"
    );
}

#[test]
fn input_that_cannot_parse_turns_red_from_the_bad_token() {
    tmux_present();
    let t = Term::spawn(&[], false);
    t.type_text("MATCH (n:State RETURN n.name");
    t.wait_for("RETURN n.name");
    let s = t.screen_coloured();
    let input = s.lines().find(|l| l.contains("n.name")).unwrap_or("");
    // Coloured tokens before the error, red from the token the parser rejects.
    assert!(input.contains("\x1b[33mState"), "{input:?}");
    assert!(input.contains("\x1b[31mRETURN n.name"), "{input:?}");
    assert!(!input.contains("\x1b[31mMATCH"), "{input:?}");
    // A continuation line after the error stays red; where the cursor is
    // drawn still matches the text: typing in the middle edits the right spot.
    t.press(&["Enter"]);
    t.type_text("LIMIT 2");
    t.wait_for(&format!("{MORE}LIMIT 2"));
    t.press(&["Left", "Left", "Left", "BSpace"]);
    t.type_text("X");
    t.wait_for(&format!("{MORE}LIMXT 2"));
    let s = t.screen_coloured();
    let input = s.lines().find(|l| l.contains("LIMXT")).unwrap_or("");
    assert!(input.contains("\x1b[31m"), "{input:?}");
    drop(t);
    // A word still being typed is not an error yet; valid input has no red.
    let t = Term::spawn(&[], false);
    t.type_text("MATCH (n:State) RET");
    t.wait_for("RET");
    t.type_text("URN n");
    t.wait_for("RETURN n");
    let s = t.screen_coloured();
    let input = s.lines().find(|l| l.contains("RETURN")).unwrap_or("");
    assert!(input.contains("\x1b[34mRETURN"), "{input:?}");
    assert!(!input.contains("\x1b[31m"), "{input:?}");
}

#[test]
fn a_long_result_shows_its_first_rows_while_running_and_ctrl_c_keeps_them() {
    tmux_present();
    let t = Term::start();
    // 173^4 ≈ 9 * 10^8 rows: minutes to produce, unless cancelled.
    t.type_text("MATCH (a), (b), (c), (d) RETURN a.name, b.name, c.name, d.name;");
    t.press(&["Enter"]);
    // The header and the first rows appear while the statement runs: no
    // count, no prompt yet.
    let s = t.wait_until("the head of the table", |s| {
        s.contains("│ a.name") && s.matches("\n│ ").count() > 10
    });
    assert!(!s.contains(" rows"), "{s}");
    assert!(!s.trim_end().ends_with("factgraph>"), "{s}");
    t.press(&["C-c"]);
    let s = t.wait_for("cancelled after");
    // The rows printed stay; the table is closed with what came.
    assert!(s.contains("│ a.name"), "{s}");
    assert!(s.contains("rows before it was cancelled"), "{s}");
    assert!(s.contains("nothing it did was kept"), "{s}");
    t.wait_until("a fresh prompt after the error", |s| {
        s.trim_end().ends_with("factgraph>")
    });
    t.type_text("RETURN 40 + 2 AS answer;");
    t.press(&["Enter"]);
    let s = t.wait_for("│     42 │");
    assert!(s.contains("1 row"), "{s}");
}

#[test]
fn a_bulk_import_on_a_terminal_shows_its_stages_and_an_error_on_a_line_of_its_own() {
    tmux_present();
    let dir = tempfile::tempdir().expect("a temp dir");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write a CSV");
        p.display().to_string()
    };
    let nodes = write("nodes.csv", "id,label,name\n0,P,a\n1,P,b\n2,P,c\n");
    let edges = write(
        "edges.csv",
        "src,dst,type,date,level\n0,1,K,,\n1,2,K,2020-01-02,\n2,0,K,,3\n",
    );
    let bad = write("bad.csv", "src,dst,type,date,level\n0,1,K,,\n1,9,K,,\n");
    let store = dir.path().join("s.fg").display().to_string();
    let t = Term::run_args(
        120,
        &format!("import --nodes {nodes} --edges {edges} --store {store}"),
    );
    let s = t.wait_for("[exited]");
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("imported 3 nodes and 3 relationships"))
        .unwrap_or_else(|| panic!("no report:\n{s}"));
    // The bar's line was redrawn through reading and linking and ends
    // on the last stage, full.
    assert!(at > 0, "{s}");
    assert!(
        lines[at - 1].starts_with(&format!("[{}] 100% writing the store", "#".repeat(30))),
        "{s}"
    );
    assert!(!s.contains("reading"), "{s}");

    let t = Term::run_args(
        120,
        &format!("import --nodes {nodes} --edges {bad} --store {store}"),
    );
    let s = t.wait_for("[exited]");
    let err = s
        .lines()
        .find(|l| l.contains("no node with the id '9'"))
        .unwrap_or_else(|| panic!("no error:\n{s}"));
    assert!(err.starts_with("error: "), "{s}");
    assert!(err.contains("bad.csv:3:"), "{s}");
}
