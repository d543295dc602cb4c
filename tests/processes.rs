//! Durability with real processes: a second process cannot write a store
//! another one has open, and a writer killed with SIGKILL at random moments
//! (during commits and during checkpoints) never loses a write it reported
//! as done, and never leaves half of one.
//!
//! The child processes are this test binary run again on the ignored test
//! `child`, with `FG_CHILD` naming its role. A child prints one line per
//! event to stdout; a line is only printed after the event is complete, so
//! "ACK 17" means write 17 was committed before the line existed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use factgraph::db::Database;
use factgraph::error::{Error, StoreError};
use factgraph::model::{NodeId, Props, Value};
use factgraph::store::Graph;

// ---- the child -------------------------------------------------------------

/// Not a test: the body of the child processes (see the module comment).
#[test]
#[ignore = "run by the other tests in this file as a child process"]
fn child() {
    let (Ok(role), Ok(store)) = (std::env::var("FG_CHILD"), std::env::var("FG_STORE")) else {
        return;
    };
    let store = PathBuf::from(store);
    // End the harness's "test child ... " line, so ours start at column 0.
    println!();
    match role.as_str() {
        "holder" => hold(&store),
        "writer" => write_forever(&store),
        other => panic!("unknown child role {other}"),
    }
}

fn hold(store: &Path) {
    let (mut db, _) = Database::open(store).unwrap();
    db.write(|g| g.create_node(vec!["Held".into()], Props::new()))
        .unwrap();
    println!("HOLDING");
    // Hold the store until the parent closes our stdin.
    let mut line = String::new();
    while std::io::stdin()
        .read_line(&mut line)
        .map(|n| n > 0)
        .unwrap_or(false)
    {}
}

/// The writes of the crash test: node `i` (label W, property i), joined to
/// node i-1 by a NEXT relationship, then marked done, all in one commit.
fn write_forever(store: &Path) {
    let (mut db, _) = Database::open(store).unwrap();
    db.set_checkpoint_on_drop(false);
    // Small, so that commits often trigger checkpoints too.
    db.set_checkpoint_threshold(16 << 10);
    if db.recovery().is_some() {
        println!("RECOVERED");
    }
    let mut by_i = writes(db.graph());
    let mut i = by_i.len() as i64;
    println!("READY {i}");
    loop {
        let prev = by_i.get(&(i - 1)).copied();
        let n = db
            .write(|g| {
                let mut p = Props::new();
                p.insert("i".into(), Value::Int(i));
                let n = g.create_node(vec!["W".into()], p)?;
                if let Some(prev) = prev {
                    g.create_rel(prev, n, "NEXT".into(), Props::new())?;
                }
                g.set_node_prop(n, "done", Value::Bool(true))?;
                Ok(n)
            })
            .unwrap();
        by_i.insert(i, n);
        println!("ACK {i}");
        if i % 20 == 7 {
            println!("CKPT {i}");
            db.checkpoint().unwrap();
            println!("CKPTDONE {i}");
        }
        i += 1;
    }
}

/// The crash test's writes in a graph, by number.
fn writes(g: &Graph) -> BTreeMap<i64, NodeId> {
    g.nodes_with_label("W")
        .filter_map(|n| match g.node(n)?.props.get("i").as_deref() {
            Some(Value::Int(i)) => Some((*i, n)),
            _ => None,
        })
        .collect()
}

fn spawn(role: &str, store: &Path) -> (Child, Receiver<String>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("FG_CHILD", role)
        .env("FG_STORE", store)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Reads the child's lines until one starts with `prefix`, passing each
/// (that one included) to `seen`.
fn wait_for(rx: &Receiver<String>, prefix: &str, mut seen: impl FnMut(&str)) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => {
                seen(&l);
                if l.starts_with(prefix) {
                    return l;
                }
            }
            Err(e) => panic!("the child never printed {prefix}: {e}"),
        }
    }
}

// ---- the lock --------------------------------------------------------------

#[test]
fn a_second_process_cannot_write_a_store_another_one_writes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("locked.fg");
    let (mut holder, rx) = spawn("holder", &store);
    wait_for(&rx, "HOLDING", |_| {});
    match Database::open(&store) {
        Err(Error::Store(e @ StoreError::Locked { .. })) => {
            let StoreError::Locked { pid, .. } = &e else {
                unreachable!()
            };
            assert_eq!(*pid, Some(holder.id()));
            let msg = e.to_string();
            assert!(
                msg.contains(&format!("locked by process {}", holder.id())),
                "{msg}"
            );
        }
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("two processes opened the store for writing"),
    }
    // The read-only view works meanwhile and sees the holder's commit.
    let ro = Database::open_read_only(&store).unwrap();
    assert_eq!(ro.graph().nodes_with_label("Held").count(), 1);
    // So do the binary's --read-only and its export (which reads only).
    let fg = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .arg("--store")
            .arg(&store)
            .args(args)
            .output()
            .expect("run factgraph")
    };
    let out = fg(&[
        "-c",
        "MATCH (h:Held) RETURN count(h) AS n;",
        "--format",
        "csv",
    ]);
    assert!(
        !out.status.success(),
        "without --read-only the lock is in the way"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("factgraph --read-only"), "{err}");
    let out = fg(&[
        "--read-only",
        "-c",
        "MATCH (h:Held) RETURN count(h) AS n;",
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "n\n1\n");
    // A write is a store error there (exit 2, as for any store error).
    let out = fg(&["--read-only", "-c", "CREATE (:Other);"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
    let out = fg(&["export", "json", "-q", "MATCH (h:Held) RETURN h"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Held"));
    // When the holder exits, the store can be written here.
    drop(holder.stdin.take());
    assert!(holder.wait().unwrap().success());
    let (db, _) = Database::open(&store).unwrap();
    assert_eq!(db.graph().nodes_with_label("Held").count(), 1);
}

#[test]
fn a_killed_writer_releases_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("killed.fg");
    let (mut holder, rx) = spawn("holder", &store);
    wait_for(&rx, "HOLDING", |_| {});
    assert!(Database::open(&store).is_err());
    holder.kill().unwrap();
    holder.wait().unwrap();
    let (db, _) = Database::open(&store).unwrap();
    assert_eq!(db.graph().nodes_with_label("Held").count(), 1);
}

// ---- SIGKILL ---------------------------------------------------------------

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Checks the store after a kill: every acknowledged write is there, whole;
/// at most `unacked` more (each writer killed since the last acknowledgement
/// may have committed one write it did not live to acknowledge); nothing
/// half-written. Returns how many writes the store holds.
fn verify(store: &Path, acked: i64, unacked: i64, kill: usize, seed: u64) -> i64 {
    let ctx = format!("kill {kill} (FG_CRASH_SEED={seed})");
    // A new store's file appears with its first commit: a writer killed
    // before that (while starting) leaves nothing, which is right when
    // nothing was acknowledged.
    if acked < 0 && !store.exists() {
        return 0;
    }
    let report = factgraph::store::check(store).unwrap_or_else(|e| panic!("{ctx}: check: {e}"));
    let db = Database::open_read_only(store).unwrap_or_else(|e| panic!("{ctx}: open: {e}"));
    let g = db.graph();
    let by_i = writes(g);
    let n = by_i.len() as i64;
    assert_eq!(report.nodes as i64, n, "{ctx}");
    assert!(
        n > acked,
        "{ctx}: {n} writes present, {} acknowledged: lost writes",
        acked + 1
    );
    assert!(
        n <= acked + 1 + unacked,
        "{ctx}: {n} writes present, only {} attempted",
        acked + 1 + unacked
    );
    for (k, (&i, &node)) in by_i.iter().enumerate() {
        assert_eq!(i, k as i64, "{ctx}: write {k} is missing");
        let props = &g.node(node).unwrap().props;
        assert_eq!(
            props.get("done").as_deref(),
            Some(&Value::Bool(true)),
            "{ctx}: write {i} is half-written"
        );
        let ins: Vec<NodeId> = g.in_rels(node).map(|(_, from)| from).collect();
        let want: Vec<NodeId> = by_i.get(&(i - 1)).copied().into_iter().collect();
        assert_eq!(
            ins, want,
            "{ctx}: write {i} has the wrong NEXT relationship"
        );
    }
    assert_eq!(g.rel_count() as i64, (n - 1).max(0), "{ctx}");
    n
}

#[test]
fn sigkill_at_random_moments_loses_no_acknowledged_write() {
    let kills: usize = std::env::var("FG_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("FG_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64 | 1)
                .unwrap_or(0x9E37_79B9)
        });
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("crash.fg");
    let mut acked: i64 = -1;
    // Writers killed since the last acknowledged write, each of which may
    // have committed one write whose ACK never got out.
    let mut unacked: i64 = 0;
    let (mut in_checkpoint, mut recovered) = (0, 0);
    let started = Instant::now();
    for kill in 0..kills {
        let acked_before = acked;
        let (mut child, rx) = spawn("writer", &store);
        let aim_at_checkpoint = kill % 2 == 1;
        let mut last_ckpt_open = false;
        let mut seen = |line: &str| {
            if let Some(i) = line.strip_prefix("ACK ") {
                acked = acked.max(i.parse().unwrap());
            } else if line.starts_with("CKPT ") {
                last_ckpt_open = true;
            } else if line.starts_with("CKPTDONE ") {
                last_ckpt_open = false;
            } else if line == "RECOVERED" {
                recovered += 1;
            }
        };
        if aim_at_checkpoint {
            wait_for(&rx, "CKPT ", &mut seen);
            std::thread::sleep(Duration::from_micros(rng.below(3000)));
        } else {
            // Anywhere: while opening and replaying, or between and in commits.
            std::thread::sleep(Duration::from_micros(rng.below(60_000)));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        for line in rx.iter() {
            seen(&line);
        }
        in_checkpoint += usize::from(last_ckpt_open);
        unacked = if acked > acked_before { 1 } else { unacked + 1 };
        verify(&store, acked, unacked, kill, seed);
    }
    // Read by DURABILITY.md's figures; shown with --nocapture.
    println!(
        "crash test: {kills} kills survived of {kills}, {in_checkpoint} during a checkpoint, \
         {recovered} torn log tails dropped, {} writes acknowledged, 0 lost, {:.1} s (seed {seed})",
        acked + 1,
        started.elapsed().as_secs_f64()
    );
    assert!(
        in_checkpoint > 0 || kills < 20,
        "no kill landed during a checkpoint"
    );
}
