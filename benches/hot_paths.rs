//! The hot paths of issue #6, so that a regression shows: parse, plan
//! (EXPLAIN), expand (one hop, two hops, a shortest path), save (the
//! snapshot), open (the snapshot and its log), and the bulk CSV load.
//!
//! Two graphs: the article graph built from `seed/` (small, the shape the
//! product is for) and a synthetic graph with the shape of the peer
//! harness's generator (`../shared/bench/gen.py`: the labels State,
//! Organisation, City, Person, Article, its seven relationship types, about
//! five relationships per node, Zipf hubs among MENTIONS targets), built in
//! process from a fixed seed so the benches run from a fresh clone. The
//! harness's queries Q1-Q5 (`factgraph::bench::QUERIES`) run on it with
//! parameters chosen as the generator chooses them.
//!
//! `FG_BENCH_NODES` sets the synthetic graph's size (default 100,000).
//! Run: `cargo bench --bench hot_paths` (a few minutes on 2 cores);
//! `cargo bench --bench hot_paths -- expand` runs one group. Not timed
//! tests: nothing here asserts on time.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, Criterion, SamplingMode, criterion_group, criterion_main};
use factgraph::bench::QUERIES;
use factgraph::db::Database;
use factgraph::import::csv::import_csv;
use factgraph::model::Value;
use factgraph::query::ast::Statement;
use factgraph::query::{ExecOptions, Params, parse_script};
use factgraph::store::{Graph, persist};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A small, fast, seeded generator (SplitMix64): the same graph on every
/// machine and run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }
    /// `k` distinct values of `lo..hi`, in increasing order.
    fn sample(&mut self, lo: usize, hi: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (lo..hi).collect();
        let k = k.min(all.len());
        for i in 0..k {
            let j = i + self.below(all.len() - i);
            all.swap(i, j);
        }
        all.truncate(k);
        all.sort_unstable();
        all
    }
    /// An ISO date between 1 January `y0` and 28 December `y1`.
    fn date(&mut self, y0: usize, y1: usize) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.between(y0, y1),
            self.between(1, 12),
            self.between(1, 28)
        )
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "ri", "to", "ma", "na", "se", "lo", "vi", "da", "ne", "ru", "sa", "mi", "ko", "ta", "ra",
    "li", "ve", "no", "zu", "bel", "dor", "fen", "gal", "hal", "jor", "kel", "lum", "mor", "nav",
    "ost", "par", "quin", "ros", "sul", "tam", "ur", "val", "wen", "xan", "yor", "zel", "an",
    "ber", "cor", "dun", "el", "far", "gor", "is",
];
const ORG_KINDS: &[&str] = &[
    "Union",
    "Council",
    "Alliance",
    "Bank",
    "Forum",
    "Pact",
    "Agency",
    "Federation",
    "Institute",
    "Commission",
    "League",
    "Assembly",
];
/// The share of MENTIONS that goes to each target label, as in gen.py.
const MENTION_MIX: [(usize, f64); 5] = [(3, 0.45), (0, 0.20), (1, 0.15), (2, 0.15), (4, 0.05)];
const LABELS: [&str; 5] = ["State", "Organisation", "City", "Person", "Article"];

/// The synthetic graph as the generator's CSV, and the harness's query
/// parameters for it.
struct Synthetic {
    nodes_csv: String,
    edges_csv: String,
    params: Params,
    edges: usize,
}

/// The edges file being written.
struct Edges {
    csv: String,
    count: usize,
}

fn edge(e: &mut Edges, src: usize, dst: usize, t: &str, date: &str, level: &str) {
    let _ = writeln!(e.csv, "{src},{dst},{t},{date},{level}");
    e.count += 1;
}

/// The generator's shape at `n` nodes (n ≥ about 1,000): id blocks per label
/// (200 states, 1 % organisations, 5 % cities, 20 % persons, the rest
/// articles), relationships as gen.py draws them, Zipf(s = 1) popularity of
/// MENTIONS targets within each label.
fn synthetic(n: usize) -> Synthetic {
    let mut rng = Rng(42);
    let counts = [200, (n / 100).max(20), n * 5 / 100, n * 20 / 100];
    let counts = [
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        n.saturating_sub(counts.iter().sum()).max(100),
    ];
    let mut ranges = [(0, 0); 5];
    let mut start = 0;
    for (i, c) in counts.iter().enumerate() {
        ranges[i] = (start, start + c);
        start += c;
    }
    let n = start;
    let [s, o, c, p, a] = ranges;

    let mut used = HashSet::new();
    let word = |rng: &mut Rng, lo: usize, hi: usize| {
        let k = rng.between(lo, hi);
        let w: String = (0..k).map(|_| rng.pick(SYLLABLES)).collect();
        let mut cs = w.chars();
        cs.next()
            .map(|f| f.to_uppercase().chain(cs).collect::<String>())
            .unwrap_or_default()
    };
    let mut unique = |name: String| {
        let mut cand = name.clone();
        let mut i = 2;
        while used.contains(&cand) {
            cand = format!("{name} {i}");
            i += 1;
        }
        used.insert(cand.clone());
        cand
    };
    let mut names = Vec::with_capacity(n);
    for _ in 0..counts[0] {
        let w = word(&mut rng, 2, 3);
        names.push(unique(w));
    }
    for _ in 0..counts[1] {
        let w = format!("{} {}", word(&mut rng, 2, 2), rng.pick(ORG_KINDS));
        names.push(unique(w));
    }
    for _ in 0..counts[2] {
        let w = word(&mut rng, 2, 3);
        names.push(unique(w));
    }
    for _ in 0..counts[3] {
        let w = format!("{} {}", word(&mut rng, 1, 2), word(&mut rng, 2, 3));
        names.push(unique(w));
    }
    for i in 0..counts[4] {
        names.push(format!("Article {i:07}"));
    }

    let mut e = Edges {
        csv: String::from("src,dst,type,date,level\n"),
        count: 0,
    };
    // MEMBER_OF: three global bodies with most states, the rest 2-14 members.
    let mut members = vec![0usize; counts[0]];
    for (j, org) in (o.0..o.1).enumerate() {
        let k = if j < 3 {
            rng.between(120, 200)
        } else {
            rng.between(2, 14)
        };
        for st in rng.sample(s.0, s.1, k) {
            let d = rng.date(1945, 2024);
            edge(&mut e, st, org, "MEMBER_OF", &d, "");
            members[st - s.0] += 1;
        }
    }
    // PARTNER_OF: ten partners per state, dated, with a level.
    for st in s.0..s.1 {
        let others: Vec<usize> = rng
            .sample(s.0, s.1 - 1, 10)
            .into_iter()
            .map(|x| if x >= st { x + 1 } else { x })
            .collect();
        for t in others {
            let d = rng.date(1950, 2024);
            let l = rng.between(1, 6).to_string();
            edge(&mut e, st, t, "PARTNER_OF", &d, &l);
        }
    }
    // LOCATED_IN: each city in a state, each organisation's seat in a city.
    let mut city_state = vec![0usize; counts[2]];
    for city in c.0..c.1 {
        let st = rng.between(s.0, s.1 - 1);
        city_state[city - c.0] = st;
        edge(&mut e, city, st, "LOCATED_IN", "", "");
    }
    for org in o.0..o.1 {
        let city = rng.between(c.0, c.1 - 1);
        edge(&mut e, org, city, "LOCATED_IN", "", "");
    }
    // LIVES_IN, CITIZEN_OF (mostly the state of the city), HOLDS_OFFICE (10 %).
    let mut person_state = vec![0usize; counts[3]];
    for person in p.0..p.1 {
        let city = rng.between(c.0, c.1 - 1);
        edge(&mut e, person, city, "LIVES_IN", "", "");
        person_state[person - p.0] = if rng.unit() < 0.9 {
            city_state[city - c.0]
        } else {
            rng.between(s.0, s.1 - 1)
        };
    }
    for person in p.0..p.1 {
        edge(
            &mut e,
            person,
            person_state[person - p.0],
            "CITIZEN_OF",
            "",
            "",
        );
    }
    for person in p.0..p.1 {
        if rng.unit() < 0.10 {
            let t = if rng.unit() < 0.6 {
                rng.between(o.0, o.1 - 1)
            } else {
                rng.between(s.0, s.1 - 1)
            };
            let d = rng.date(1990, 2024);
            edge(&mut e, person, t, "HOLDS_OFFICE", &d, "");
        }
    }
    // MENTIONS: up to about five relationships per node in all, each target
    // drawn by Zipf popularity within its label (a seeded ranking).
    let budget = (5 * n).saturating_sub(e.count);
    let per_article = (budget as f64 / counts[4] as f64).max(1.0);
    let hi = ((2.0 * per_article - 1.0).round() as usize).max(1);
    let zipf: Vec<(Vec<usize>, Vec<f64>)> = ranges
        .iter()
        .map(|&(lo, hi)| {
            let mut ranked: Vec<usize> = (lo..hi).collect();
            rng.shuffle(&mut ranked);
            let mut acc = 0.0;
            let cum = (1..=ranked.len())
                .map(|r| {
                    acc += 1.0 / r as f64;
                    acc
                })
                .collect();
            (ranked, cum)
        })
        .collect();
    let mut mix_cum = [0.0; 5];
    let mut acc = 0.0;
    for (i, (_, w)) in MENTION_MIX.iter().enumerate() {
        acc += w;
        mix_cum[i] = acc;
    }
    let mut seen = Vec::new();
    for art in a.0..a.1 {
        seen.clear();
        for _ in 0..rng.between(1, hi) {
            let x = rng.unit() * acc;
            let li = MENTION_MIX[mix_cum.partition_point(|&c| c < x).min(4)].0;
            let (ranked, cum) = &zipf[li];
            let Some(total) = cum.last() else { continue };
            let y = rng.unit() * total;
            let t = ranked[cum.partition_point(|&c| c < y).min(ranked.len() - 1)];
            if t != art && !seen.contains(&t) {
                seen.push(t);
            }
        }
        seen.sort_unstable();
        for &t in &seen {
            edge(&mut e, art, t, "MENTIONS", "", "");
        }
    }

    let mut nodes_csv = String::from("id,label,name\n");
    for (li, &(lo, hi)) in ranges.iter().enumerate() {
        for (id, name) in names.iter().enumerate().take(hi).skip(lo) {
            let _ = writeln!(nodes_csv, "{id},{},{name}", LABELS[li]);
        }
    }

    // The parameters as gen.py picks them: the state in most organisations,
    // the middle person, two of the least mentioned persons in different
    // states.
    let best = (0..counts[0])
        .max_by_key(|&i| (members[i], std::cmp::Reverse(i)))
        .unwrap_or(0)
        + s.0;
    let tail: Vec<usize> = zipf[3].0.iter().rev().copied().collect();
    let from = tail[0];
    let to = tail[1..]
        .iter()
        .copied()
        .find(|&q| person_state[q - p.0] != person_state[from - p.0])
        .unwrap_or(tail[1]);
    let mut params = Params::new();
    let mut set = |k: &str, v: &str| {
        params.insert(k.into(), Value::String(v.into()));
    };
    set("name", &names[p.0 + counts[3] / 2]);
    set("state", &names[best]);
    set("before", "2000-01-01");
    set("from", &names[from]);
    set("to", &names[to]);
    Synthetic {
        nodes_csv,
        edges_csv: e.csv,
        params,
        edges: e.count,
    }
}

/// The one statement of `src`.
fn statement(src: &str) -> Statement {
    parse_script(src)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
        .statements
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{src}: no statement"))
}

/// Runs a parsed statement and touches its rows, as a caller would.
fn run(db: &mut Database, stmt: &Statement, params: &Params) -> usize {
    let r = db
        .execute(stmt, params, &ExecOptions::default())
        .unwrap_or_else(|e| panic!("statement failed: {e}"));
    black_box(&r.rows);
    r.rows.len() + usize::from(r.plan.is_some())
}

/// Opens `iters` times; only the opens are timed, not dropping the graph.
fn timed_opens(path: &Path, iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let t = Instant::now();
        let (mut db, _) = Database::open(path).unwrap_or_else(|e| panic!("{e}"));
        total += t.elapsed();
        db.set_checkpoint_on_drop(false);
        black_box(db.graph().node_count());
    }
    total
}

/// Saves `iters` times; only the saves are timed.
fn timed_saves(path: &Path, g: &Graph, iters: u64) -> Duration {
    let t = Instant::now();
    for _ in 0..iters {
        persist::save(path, g).unwrap_or_else(|e| panic!("{e}"));
    }
    t.elapsed()
}

/// The queries on the article graph (seed/QUERIES.md's shapes).
const ARTICLE_QUERIES: [(&str, &str); 3] = [
    (
        "one hop",
        "MATCH (:State {name: 'Belarus'})<-[:SUBJECT]-(s:Statement) RETURN s.summary",
    ),
    (
        "two hops",
        "MATCH (:State {name: 'Belarus'})<-[:SUBJECT]-(s:Membership)-[:ORGANISATION]->(o:Organisation) \
         RETURN o.name, s.status",
    ),
    (
        "shortestPath",
        "MATCH p = shortestPath((a:Person {name: 'Xi Jinping'})-[*..10]-\
         (b:Organisation {name: 'SCO Interbank Association'})) RETURN length(p)",
    ),
];

/// The harness query named `q` (Q1-Q5).
fn harness(q: &str) -> &'static str {
    QUERIES
        .iter()
        .find(|(name, _, _)| *name == q)
        .map(|(_, text, _)| *text)
        .unwrap_or_else(|| panic!("no harness query {q}"))
}

fn quick<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(2));
    g
}

/// Groups whose runs take up to a second: ten samples of one run each.
fn slow<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));
    g
}

fn benches(c: &mut Criterion) {
    let nodes = env("FG_BENCH_NODES", 100_000);
    let scale = if nodes.is_multiple_of(1000) {
        format!("synthetic {}k", nodes / 1000)
    } else {
        format!("synthetic {nodes}")
    };
    let t = Instant::now();
    let syn = synthetic(nodes);
    let mut g = Graph::new();
    import_csv(
        &syn.nodes_csv,
        "nodes.csv",
        &syn.edges_csv,
        "edges.csv",
        &mut g,
    )
    .unwrap_or_else(|e| panic!("synthetic graph: {e}"));
    eprintln!(
        "{scale}: {} nodes, {} relationships, generated and loaded in {:.1} s",
        g.node_count(),
        syn.edges,
        t.elapsed().as_secs_f64()
    );
    let mut big = Database::in_memory(g);
    // What each harness query finds here: a generator that drifted into a
    // graph where they find nothing would time the wrong thing.
    for (q, text, _) in QUERIES {
        let r = big
            .run(text, &syn.params, &ExecOptions::default())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
        let rows = r.first().map_or(0, |r| r.rows.len());
        assert!(rows > 0, "{q} finds nothing on the synthetic graph");
        let first = r
            .first()
            .and_then(|r| r.rows.first())
            .map(|row| format!("{row:?}"))
            .unwrap_or_default();
        eprintln!("{scale} {q}: {rows} rows, first {first:.60}");
    }
    let articles = factgraph::seed::build_default().unwrap_or_else(|e| panic!("seed: {e}"));
    let mut small = Database::in_memory(articles);
    let none = Params::new();

    // parse: text to syntax tree, no graph.
    let mut group = quick(c, "parse");
    for q in ["Q1", "Q2", "Q3", "Q4", "Q5"] {
        let text = harness(q);
        group.bench_function(q, |b| b.iter(|| parse_script(black_box(text))));
    }
    let (_, text) = ARTICLE_QUERIES[1];
    group.bench_function("articles two hops", |b| {
        b.iter(|| parse_script(black_box(text)))
    });
    group.finish();

    // plan: EXPLAIN of a parsed statement (checks and planning, no rows).
    let mut group = quick(c, "plan");
    for q in ["Q1", "Q3", "Q5"] {
        let stmt = statement(&format!("EXPLAIN {}", harness(q)));
        group.bench_function(format!("{scale} {q}"), |b| {
            b.iter(|| run(&mut big, &stmt, &syn.params))
        });
    }
    let stmt = statement(&format!("EXPLAIN {}", ARTICLE_QUERIES[1].1));
    group.bench_function("articles two hops", |b| {
        b.iter(|| run(&mut small, &stmt, &none))
    });
    group.finish();

    // expand: pattern matching from a bound node, on the article graph and
    // with the harness's queries on the synthetic graph (Q2 one hop with a
    // date filter, Q3 two hops, Q5 a shortest path between two persons).
    let mut group = quick(c, "expand articles");
    for (name, text) in ARTICLE_QUERIES {
        let stmt = statement(text);
        group.bench_function(name, |b| b.iter(|| run(&mut small, &stmt, &none)));
    }
    group.finish();
    let mut group = slow(c, &format!("expand {scale}"));
    for (name, q) in [
        ("one hop (Q2)", "Q2"),
        ("two hops (Q3)", "Q3"),
        ("shortestPath (Q5)", "Q5"),
    ] {
        let stmt = statement(harness(q));
        group.bench_function(name, |b| b.iter(|| run(&mut big, &stmt, &syn.params)));
    }
    group.finish();

    // The other two harness queries: a name lookup and a count over every
    // relationship.
    let mut group = slow(c, &format!("scan {scale}"));
    for (name, q) in [("name lookup (Q1)", "Q1"), ("count by type (Q4)", "Q4")] {
        let stmt = statement(harness(q));
        group.bench_function(name, |b| b.iter(|| run(&mut big, &stmt, &syn.params)));
    }
    group.finish();

    // save and open: the snapshot written whole (atomically, synced) and
    // read back into a database.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let small_path = dir.path().join("articles.fg");
    let big_path = dir.path().join("synthetic.fg");
    let mut group = quick(c, "save");
    group.bench_function("articles", |b| {
        b.iter_custom(|iters| timed_saves(&small_path, small.graph(), iters))
    });
    group.finish();
    let mut group = slow(c, "save");
    group.bench_function(scale.as_str(), |b| {
        b.iter_custom(|iters| timed_saves(&big_path, big.graph(), iters))
    });
    group.finish();
    if let Ok(m) = std::fs::metadata(&big_path) {
        eprintln!("{scale}: snapshot {:.1} MB", m.len() as f64 / 1e6);
    }
    drop(big);
    let mut group = quick(c, "open");
    group.bench_function("articles", |b| {
        b.iter_custom(|iters| timed_opens(&small_path, iters))
    });
    group.finish();
    let mut group = slow(c, "open");
    group.bench_function(scale.as_str(), |b| {
        b.iter_custom(|iters| timed_opens(&big_path, iters))
    });
    group.finish();

    // load: the bulk CSV import of the synthetic graph into an empty graph.
    let mut group = slow(c, "load");
    group.bench_function(format!("{scale} CSV"), |b| {
        b.iter_with_large_drop(|| {
            let mut g = Graph::new();
            import_csv(
                &syn.nodes_csv,
                "nodes.csv",
                &syn.edges_csv,
                "edges.csv",
                &mut g,
            )
            .unwrap_or_else(|e| panic!("{e}"));
            g
        })
    });
    group.finish();
}

criterion_group!(hot_paths, benches);
criterion_main!(hot_paths);
