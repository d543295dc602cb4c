//! The openCypher TCK runner (issue #3).
//!
//! Runs every scenario of the TCK's `features/` (outlines expanded) against a
//! fresh in-memory store and reports honestly:
//!
//! * one line per directory and `tck: N passed, M failed` on stdout;
//! * `target/tck-report.json` with totals, per-directory counts and every
//!   scenario's outcome and reason;
//! * `target/tck-summary.md`, a markdown table for the README.
//!
//! The TCK is looked up at `../shared/tck` beside the crate root, or wherever
//! `FACTGRAPH_TCK` points. A missing TCK fails the test: it never skips.
//!
//! The test fails when fewer scenarios pass than `tests/tck-floor.txt` says
//! (a ratchet: raise the floor when more pass).
//!
//! Run it alone: `cargo test --release tck -- --nocapture`.

#[path = "tck/exec.rs"]
mod exec;
#[path = "tck/gherkin.rs"]
mod gherkin;
#[path = "tck/values.rs"]
mod values;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use exec::{Env, Outcome, Report};
use gherkin::Scenario;

/// The number of scenarios in the TCK we pin (openCypher 677cbafa) once
/// outlines are expanded; see ../shared/tck/SOURCE.md.
const EXPECTED_SCENARIOS: usize = 3897;
/// A scenario still running after this long is marked failed and left behind.
const WATCHDOG: Duration = Duration::from_secs(10);
/// Deep recursion in the engine must not abort the whole run.
const SCENARIO_STACK: usize = 64 * 1024 * 1024;

fn tck_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (root, how) = match std::env::var_os("FACTGRAPH_TCK") {
        Some(p) => (PathBuf::from(p), "from FACTGRAPH_TCK"),
        None => (
            manifest.join("../shared/tck"),
            "the default, ../shared/tck beside the crate root",
        ),
    };
    if !root.join("features").is_dir() {
        panic!(
            "the openCypher TCK was not found: {} ({how}) has no features/ directory. \
             Put the TCK there or set FACTGRAPH_TCK to the directory that holds features/ and graphs/, \
             e.g. FACTGRAPH_TCK=/path/to/openCypher/tck cargo test --release tck",
            root.display()
        );
    }
    root
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
    }
}

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => panic!("cannot list {}: {e}", dir.display()),
    };
    entries.sort();
    for p in entries {
        if p.is_dir() {
            feature_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "feature") {
            out.push(p);
        }
    }
}

thread_local! {
    /// The last panic message of this thread (set by our panic hook).
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Scenario threads keep their panic messages for the report instead of
/// printing them; every other thread prints as usual.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("tck-scenario"))
            {
                PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
            } else {
                previous(info);
            }
        }));
    });
}

/// A failed report with nothing else to say.
fn failed(category: &str, reason: String) -> Report {
    Report {
        outcome: Outcome::Failed {
            category: category.into(),
            reason,
        },
        stats_mismatch: None,
        reused: 0,
    }
}

/// Runs `job` (one scenario) in its own thread with a large stack, a panic
/// guard and a watchdog. A thread that outlives the watchdog is left running:
/// Rust cannot stop it, and the run must go on.
fn run_guarded(
    n: usize,
    watchdog: Duration,
    job: impl FnOnce() -> Report + Send + 'static,
) -> Report {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(format!("tck-scenario-{n}"))
        .stack_size(SCENARIO_STACK)
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            let report = r.unwrap_or_else(|_| {
                let msg = PANIC
                    .with(|p| p.borrow_mut().take())
                    .unwrap_or_else(|| "unknown panic".into());
                failed("panic", format!("the engine panicked: {msg}"))
            });
            let _ = tx.send(report);
        });
    if let Err(e) = spawned {
        return failed("runner: cannot spawn", e.to_string());
    }
    rx.recv_timeout(watchdog).unwrap_or_else(|_| {
        failed(
            "timeout",
            format!(
                "no answer after {} ms; the scenario's thread was left running",
                watchdog.as_millis()
            ),
        )
    })
}

#[derive(Default, Clone, Copy)]
struct Counts {
    passed: usize,
    failed: usize,
    stats_mismatch: usize,
    reused: usize,
}

impl Counts {
    fn add(&mut self, r: &Report) {
        match r.outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed { .. } => self.failed += 1,
        }
        self.stats_mismatch += usize::from(r.stats_mismatch.is_some());
        self.reused += usize::from(r.reused > 0);
    }
    fn total(&self) -> usize {
        self.passed + self.failed
    }
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "passed": self.passed,
            "failed": self.failed,
            "stats_mismatch": self.stats_mismatch,
            "slot_reuse": self.reused,
        })
    }
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        100.0 * n as f64 / d as f64
    }
}

/// The README table: our figures per directory, then the published ones to beat.
fn summary_markdown(dirs: &BTreeMap<String, Counts>, total: &Counts) -> String {
    let mut s = String::from("| TCK directory | passed / total | % |\n|---|---:|---:|\n");
    for (d, c) in dirs {
        s += &format!(
            "| {d} | {} / {} | {:.1}% |\n",
            c.passed,
            c.total(),
            pct(c.passed, c.total()),
        );
    }
    s += &format!(
        "| **all** | **{} / {}** | **{:.1}%** |\n\n",
        total.passed,
        total.total(),
        pct(total.passed, total.total()),
    );
    s += "Published figures to compare with: ArcadeDB 3,061 / 3,897 (78%) on this TCK; \
          Neo4j 79.4%, Memgraph 65.9%, FalkorDB 65.7% on one independent harness of 3,766 scenarios.\n";
    s
}

#[test]
fn tck() {
    let root = tck_root();
    let features = root.join("features");
    let mut files = Vec::new();
    feature_files(&features, &mut files);

    let mut scenarios: Vec<(String, String, Scenario)> = Vec::new(); // (dir, file, scenario)
    let mut unreadable: Vec<String> = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&features).unwrap_or(f);
        let file = rel.to_string_lossy().replace('\\', "/");
        let dir = rel
            .parent()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let parsed = std::fs::read_to_string(f)
            .map_err(|e| e.to_string())
            .and_then(|t| gherkin::parse_feature(&t));
        match parsed {
            Ok(list) => scenarios.extend(list.into_iter().map(|s| (dir.clone(), file.clone(), s))),
            Err(e) => unreadable.push(format!("{file}: {e}")),
        }
    }
    assert!(
        unreadable.is_empty(),
        "feature files the runner cannot read: {unreadable:#?}"
    );
    let count_warning = (scenarios.len() != EXPECTED_SCENARIOS).then(|| {
        format!(
            "expanded {} scenarios, expected {EXPECTED_SCENARIOS}: the TCK at {} is not the pinned version, \
             or outline expansion differs",
            scenarios.len(),
            root.display()
        )
    });
    if let Some(w) = &count_warning {
        println!("tck: WARNING: {w}");
    }

    install_panic_hook();
    let env = Arc::new(Env::new(root.clone()));
    let mut dirs: BTreeMap<String, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    let mut categories: BTreeMap<String, usize> = BTreeMap::new();
    let mut entries = Vec::new();
    for (n, (dir, file, sc)) in scenarios.iter().enumerate() {
        let (env2, sc2) = (Arc::clone(&env), sc.clone());
        let r = run_guarded(n, WATCHDOG, move || exec::run_scenario(&env2, &sc2));
        dirs.entry(dir.clone()).or_default().add(&r);
        total.add(&r);
        let (outcome, category, reason) = match &r.outcome {
            Outcome::Passed => ("passed", None, String::new()),
            Outcome::Failed { category, reason } => {
                ("failed", Some(category.clone()), reason.clone())
            }
        };
        if let Some(c) = &category {
            *categories.entry(c.clone()).or_default() += 1;
        }
        let mut e = serde_json::json!({
            "file": file,
            "line": sc.line,
            "name": sc.name,
            "outcome": outcome,
            "reason": reason,
        });
        if let Some(c) = category {
            e["category"] = c.into();
        }
        if let Some(m) = &r.stats_mismatch {
            e["stats_mismatch"] = m.clone().into();
        }
        if r.reused > 0 {
            e["slot_reuse"] = r.reused.into();
        }
        entries.push(e);
    }

    for (d, c) in &dirs {
        println!(
            "tck: {d:<45} {:>4} / {:<4} passed ({:5.1}%), {} failed",
            c.passed,
            c.total(),
            pct(c.passed, c.total()),
            c.failed,
        );
    }
    let mut top: Vec<(&String, &usize)> = categories.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!("tck: top failure categories:");
    for (c, n) in top.iter().take(10) {
        println!("tck:   {n:>5}  {c}");
    }
    println!(
        "tck: {} scenarios with WriteStats differing from observed side effects; \
         {} counted a deleted-and-reused slot",
        total.stats_mismatch, total.reused
    );

    let report = serde_json::json!({
        "tck": root.display().to_string(),
        "total": total.json(),
        "expected_scenarios": EXPECTED_SCENARIOS,
        "count_warning": count_warning,
        "failure_categories": top.iter().map(|(c, n)| serde_json::json!({"category": c, "count": n})).collect::<Vec<_>>(),
        "dirs": dirs.iter().map(|(d, c)| (d.clone(), c.json())).collect::<serde_json::Map<_, _>>(),
        "scenarios": entries,
    });
    let target = target_dir();
    let written = std::fs::create_dir_all(&target)
        .and_then(|_| {
            std::fs::write(
                target.join("tck-report.json"),
                serde_json::to_string_pretty(&report).unwrap_or_default(),
            )
        })
        .and_then(|_| {
            std::fs::write(
                target.join("tck-summary.md"),
                summary_markdown(&dirs, &total),
            )
        });
    if let Err(e) = written {
        panic!("cannot write the TCK report into {}: {e}", target.display());
    }
    println!(
        "tck: report in {}",
        target.join("tck-report.json").display()
    );
    println!("tck: {} passed, {} failed", total.passed, total.failed);

    assert_eq!(
        total.total(),
        scenarios.len(),
        "every scenario must be counted exactly once"
    );
    let floor_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tck-floor.txt");
    let floor: usize = std::fs::read_to_string(&floor_path)
        .map_err(|e| e.to_string())
        .and_then(|s| s.trim().parse().map_err(|e| format!("{e}")))
        .unwrap_or_else(|e| {
            panic!(
                "{}: cannot read the TCK floor (a single integer): {e}",
                floor_path.display()
            )
        });
    assert!(
        total.passed >= floor,
        "TCK regression: {} scenarios pass, the floor in {} is {floor}",
        total.passed,
        floor_path.display()
    );
    readme_table_is_current(&summary_markdown(&dirs, &total));
}

/// The README's table of pass rates (between `<!-- tck-table -->` and
/// `<!-- /tck-table -->`) must be what this run produced;
/// `UPDATE_README=1` writes it there instead.
fn readme_table_is_current(table: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_default();
    let (open, close) = ("<!-- tck-table -->\n", "<!-- /tck-table -->");
    let (Some(a), Some(b)) = (readme.find(open), readme.find(close)) else {
        panic!("README.md has no <!-- tck-table --> ... <!-- /tck-table --> block");
    };
    let start = a + open.len();
    if std::env::var_os("UPDATE_README").is_some() {
        let mut updated = readme.clone();
        updated.replace_range(start..b, table);
        std::fs::write(&path, updated).unwrap_or_else(|e| panic!("write README.md: {e}"));
        return;
    }
    assert!(
        readme[start..b] == *table,
        "README.md's TCK table is out of date: run UPDATE_README=1 cargo test --release --test tck"
    );
}

#[cfg(test)]
mod guard_tests {
    use super::*;

    #[test]
    fn a_panicking_scenario_is_a_failure_with_its_message() {
        install_panic_hook();
        let r = run_guarded(0, Duration::from_secs(60), || panic!("boom in the engine"));
        let Outcome::Failed { category, reason } = r.outcome else {
            panic!("not a failure")
        };
        assert_eq!(category, "panic");
        assert!(reason.contains("boom in the engine"), "{reason}");
    }

    #[test]
    fn a_scenario_that_never_answers_times_out() {
        let r = run_guarded(1, Duration::from_millis(50), || {
            loop {
                std::thread::park();
            }
        });
        assert!(matches!(r.outcome, Outcome::Failed { ref category, .. } if category == "timeout"));
    }

    #[test]
    fn summary_table_has_a_row_per_directory_and_the_figures_to_beat() {
        let mut dirs = BTreeMap::new();
        let c = Counts {
            passed: 3,
            failed: 1,
            ..Counts::default()
        };
        dirs.insert("clauses/match".to_string(), c);
        let md = summary_markdown(&dirs, &c);
        assert!(md.contains("| clauses/match | 3 / 4 | 75.0% |"), "{md}");
        assert!(md.contains("**3 / 4**"));
        assert!(md.contains("ArcadeDB 3,061 / 3,897"));
    }
}
