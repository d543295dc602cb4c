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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// One tmux server (own socket) running the shell; killed on drop.
struct Term {
    socket: String,
    _home: tempfile::TempDir,
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
        let home = tempfile::tempdir().expect("a temp dir");
        let socket = format!(
            "factgraph-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let bin = env!("CARGO_BIN_EXE_factgraph");
        let t = Term {
            socket,
            _home: home,
        };
        let home_dir = t._home.path().display().to_string();
        let status = t
            .tmux()
            .args(["new-session", "-d", "-x", "160", "-y", "50"])
            .args(["-e", &format!("HOME={home_dir}")])
            .args(if no_color {
                &["-e", "NO_COLOR=1"][..]
            } else {
                &[]
            })
            .args(env.iter().flat_map(|e| ["-e", e]))
            .args(["-c", &home_dir])
            .arg(format!("{bin} --seed"))
            .status()
            .expect("tmux runs (install it: apt-get install tmux)");
        assert!(status.success(), "tmux new-session failed");
        t.wait_for("type :help for help");
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
        let _ = self.tmux().arg("kill-server").status();
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

#[test]
fn ctrl_c_cancels_the_input_and_the_shell_goes_on() {
    tmux_present();
    let t = Term::start();
    t.type_text("MATCH (n:State)");
    t.press(&["Enter"]);
    // Not complete without `;`: a continuation line.
    t.wait_until("a continuation prompt", |s| {
        s.lines().filter(|l| l.starts_with("factgraph>")).count() == 1 && !s.contains("row")
    });
    t.press(&["C-c"]);
    // A fresh prompt before typing on: keys sent while the editor restarts
    // may be dropped by the terminal.
    t.wait_until("a fresh prompt", |s| {
        s.lines().filter(|l| l.trim_end() == "factgraph>").count() == 1
    });
    t.type_text("RETURN 40 + 2 AS answer;");
    t.press(&["Enter"]);
    let s = t.wait_for("1 row");
    assert!(s.contains("│     42 │"), "{s}");
    assert!(!s.contains("error"), "the cancelled input did not run: {s}");
}

#[test]
fn multi_line_statements_run_when_the_semicolon_comes() {
    tmux_present();
    let t = Term::start();
    t.type_text("MATCH (s:State)");
    t.press(&["Enter"]);
    t.type_text("RETURN count(s) AS states;");
    t.press(&["Enter"]);
    let s = t.wait_for("1 row");
    assert!(s.contains("│      6 │"), "{s}");
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
