//! What a relationship uniqueness constraint costs a small write: builds
//! N `:T` relationships with distinct `r.p` in a store in memory, then
//! times single-relationship CREATEs without a constraint, with
//! `r.p IS UNIQUE`, and with `(r.p, r.q) IS RELATIONSHIP KEY`:
//!
//! ```sh
//! cargo run --release --example rel_unique_writes -- 200000 1000
//! ```
//!
//! It prints, for each, the median time a CREATE over ten batches, the
//! time of them all, and the first CREATE's time after the constraint was
//! made apart.
use std::process::ExitCode;
use std::time::{Duration, Instant};

use factgraph::Database;
use factgraph::model::Value;
use factgraph::query::{ExecOptions, Params};
use factgraph::store::Graph;

/// The binary's allocator, so that the times are the binary's.
#[global_allocator]
static ALLOC: factgraph::alloc::HugePages = factgraph::alloc::HugePages;

const NODES: i64 = 1000;
const CREATE: &str = "MATCH (a:N {id: $a}), (b:N {id: $b}) CREATE (a)-[:T {p: $p, q: $p}]->(b)";

fn params(kv: &[(&str, i64)]) -> Params {
    let mut p = Params::new();
    for (k, v) in kv {
        p.insert(k.to_string(), Value::Int(*v));
    }
    p
}

fn run(db: &mut Database, q: &str, p: &Params) -> Result<(), String> {
    db.run(q, p, &ExecOptions::default())
        .map(drop)
        .map_err(|e| format!("{q}: {e}"))
}

/// One CREATE of a relationship with the new value `p`.
fn create(db: &mut Database, p: i64) -> Result<Duration, String> {
    let t = Instant::now();
    run(
        db,
        CREATE,
        &params(&[("a", p % NODES), ("b", (p * 7 + 1) % NODES), ("p", p)]),
    )?;
    Ok(t.elapsed())
}

/// `n` CREATEs in ten batches: the time they took in all, and the median
/// over the batches of the time one took.
fn batches(db: &mut Database, next: &mut i64, n: u32) -> Result<(Duration, Duration), String> {
    let each = (n / 10).max(1);
    let (mut total, mut times) = (Duration::ZERO, Vec::new());
    for _ in 0..10 {
        let t = Instant::now();
        for _ in 0..each {
            create(db, *next)?;
            *next += 1;
        }
        total += t.elapsed();
        times.push(t.elapsed() / each);
    }
    times.sort();
    Ok((total, times[5]))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, default: u32| args.get(i).map_or(Ok(default), |s| s.parse::<u32>());
    let (Ok(n), Ok(writes)) = (arg(1, 200_000), arg(2, 1000)) else {
        eprintln!("usage: rel_unique_writes [RELATIONSHIPS [CREATES]] (whole numbers)");
        return ExitCode::from(2);
    };
    match measure(n, writes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn measure(n: u32, writes: u32) -> Result<(), String> {
    let mut db = Database::in_memory(Graph::new());
    let none = Params::new();
    run(&mut db, "CREATE INDEX FOR (n:N) ON (n.id)", &none)?;
    run(
        &mut db,
        "UNWIND range(0, $n - 1) AS i CREATE (:N {id: i})",
        &params(&[("n", NODES)]),
    )?;
    let t = Instant::now();
    run(
        &mut db,
        "UNWIND range(0, $n - 1) AS i \
         MATCH (a:N {id: i % 1000}), (b:N {id: (i * 7 + 1) % 1000}) \
         CREATE (a)-[:T {p: i, q: i}]->(b)",
        &params(&[("n", i64::from(n))]),
    )?;
    println!("{n} :T relationships made in {:.2?}", t.elapsed());
    let mut next = i64::from(n);
    let (total, plain) = batches(&mut db, &mut next, writes)?;
    println!(
        "{:<31} {plain:>10.2?} a CREATE, {total:.2?} in all",
        "no constraint"
    );
    for (name, rule) in [
        ("u", "r.p IS UNIQUE"),
        ("k", "(r.p, r.q) IS RELATIONSHIP KEY"),
    ] {
        let t = Instant::now();
        run(
            &mut db,
            &format!("CREATE CONSTRAINT {name} FOR ()-[r:T]-() REQUIRE {rule}"),
            &none,
        )?;
        let made = t.elapsed();
        let first = create(&mut db, next)?;
        next += 1;
        let (total, each) = batches(&mut db, &mut next, writes)?;
        println!(
            "{rule:<31} {each:>10.2?} a CREATE, {total:.2?} in all \
             (constraint made in {made:.2?}, first CREATE {first:.2?})"
        );
        // A clash is still found.
        let clash = run(
            &mut db,
            CREATE,
            &params(&[("a", 0), ("b", 1), ("p", next - 1)]),
        );
        match clash {
            Err(e) if e.contains("both have p") => {}
            _ => return Err(format!("p = {}: not refused ({clash:?})", next - 1)),
        }
        run(&mut db, &format!("DROP CONSTRAINT {name}"), &none)?;
    }
    let counted = db
        .run(
            "MATCH ()-[r:T]->() RETURN count(r)",
            &none,
            &ExecOptions::default(),
        )
        .map_err(|e| e.to_string())?;
    println!(
        "{} :T relationships at the end ({} CREATEs)",
        counted[0].rows[0][0],
        next - i64::from(n)
    );
    Ok(())
}
