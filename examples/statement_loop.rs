//! Runs one statement many times through `Database::run` on a store opened
//! read-only, for profiling the statement path under callgrind (the numbers
//! in BENCH.md) or timing it in process:
//!
//! ```sh
//! cargo build --release --example statement_loop
//! target/release/examples/statement_loop STORE 'MATCH (n) WHERE n.name = $name RETURN n.id' 1000 name='Kelfar Kaloros'
//! ```
//!
//! It runs seven batches of N and prints the median time a statement.
//! Instructions a statement: run it under `valgrind --tool=callgrind` with
//! two values of N and divide the difference by 7 × the difference of N (the
//! open cancels out).
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use factgraph::Database;
use factgraph::model::Value;
use factgraph::query::{ExecOptions, Params};

/// The binary's allocator, so that the counts are the binary's.
#[global_allocator]
static ALLOC: factgraph::alloc::HugePages = factgraph::alloc::HugePages;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(store), Some(query), Some(n)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("usage: statement_loop STORE QUERY N [NAME=VALUE ...] (string parameters)");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<u32>() else {
        eprintln!("N must be a whole number, not {n:?}");
        return ExitCode::from(2);
    };
    let mut params = Params::new();
    for kv in &args[4..] {
        let Some((k, v)) = kv.split_once('=') else {
            eprintln!("a parameter is NAME=VALUE, not {kv:?}");
            return ExitCode::from(2);
        };
        params.insert(k.to_string(), Value::String(v.to_string()));
    }
    let mut db = match Database::open_read_only(Path::new(store)) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let opts = ExecOptions::default();
    let mut batches = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        for _ in 0..n {
            match db.run(query, &params, &opts) {
                Ok(r) => drop(std::hint::black_box(r)),
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        batches.push(t.elapsed().as_secs_f64() / f64::from(n.max(1)) * 1e6);
    }
    batches.sort_by(f64::total_cmp);
    println!(
        "median {:.3} µs a statement (min {:.3})",
        batches[3], batches[0]
    );
    ExitCode::SUCCESS
}
