//! The `factgraph` binary: arguments -> open the store -> shell or script.
//!
//! Exit status: 0 when everything went well, 1 when a statement or colon
//! command failed, 2 for a usage error or a store that cannot be opened,
//! built or written.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use factgraph::Database;
use factgraph::db::{DEFAULT_STORE, ImportFailed, Opened};
use factgraph::model::FDate;
use factgraph::shell::render::Mode;
use factgraph::shell::{Failed, Session, Settings, diag, literal, repl};
use factgraph::store::Graph;

/// Huge pages for the graph's large arrays (see `factgraph::alloc`).
#[global_allocator]
static ALLOC: factgraph::alloc::HugePages = factgraph::alloc::HugePages;

/// The environment variable that names the default store.
const STORE_ENV: &str = "FACTGRAPH_STORE";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Aligned table with a row count.
    Table,
    /// Header and rows, RFC 4180 quoting.
    Csv,
    /// A JSON array of row objects per statement.
    Json,
    /// One JSON object per row and line.
    Ndjson,
    /// `column = value` per line, a blank line between rows.
    Line,
    /// Header and rows separated by tabs.
    Tsv,
    /// A Markdown table.
    Markdown,
    /// The nodes and relationships of each result as Graphviz DOT.
    Dot,
}

impl From<Format> for Mode {
    fn from(f: Format) -> Mode {
        match f {
            Format::Table => Mode::Table,
            Format::Csv => Mode::Csv,
            Format::Json => Mode::Json,
            Format::Ndjson => Mode::Ndjson,
            Format::Line => Mode::Line,
            Format::Tsv => Mode::Tsv,
            Format::Markdown => Mode::Markdown,
            Format::Dot => Mode::Dot,
        }
    }
}

/// An embedded, temporal, source-aware knowledge graph with a Cypher shell.
///
/// Without -c or -f, and with stdin and stdout on a terminal, opens the
/// interactive shell; otherwise runs the statements (and `:commands`) of -c,
/// -f or stdin in order and stops at the first error.
#[derive(Debug, Parser)]
#[command(name = "factgraph", version)]
struct Cli {
    /// Store file to open; a missing file becomes an empty store. Without it:
    /// $FACTGRAPH_STORE, else graph/articles.fg; a missing default store is
    /// built from the article seed.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["memory", "seed"])]
    store: Option<PathBuf>,
    /// An empty store in memory; nothing is written to disk.
    #[arg(long)]
    memory: bool,
    /// The article graph in memory, built from the seed; nothing is written.
    #[arg(long, conflicts_with = "memory")]
    seed: bool,
    /// Open the store for reading only, without taking its lock: what other
    /// processes have committed so far, while a shell has it open for
    /// writing too. A statement that writes fails; the file must exist.
    #[arg(long = "read-only", conflicts_with_all = ["memory", "seed"])]
    read_only: bool,
    /// Run these statements and exit.
    #[arg(
        short = 'c',
        long = "command",
        value_name = "STATEMENTS",
        conflicts_with = "file"
    )]
    command: Option<String>,
    /// Run the statements in this file (`-` for stdin) and exit.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: Option<PathBuf>,
    /// How results are printed.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "table")]
    format: Format,
    /// Set a query parameter: NAME=VALUE, the value a Cypher literal
    /// ('Belarus', 42, [1, 2], fdate('2023-10')). Repeatable.
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    param: Vec<String>,
    /// Run every statement as of this date (2024-01-20, 2024-05, 2023).
    #[arg(long = "as-of", value_name = "DATE")]
    as_of: Option<String>,
    #[command(subcommand)]
    tool: Option<Tool>,
}

/// Store maintenance, apart from the shell.
#[derive(Debug, Subcommand)]
enum Tool {
    /// Verify a store (checksums of snapshot and log, replay, schema) and print
    /// its counts; works while a shell has the store open.
    Check {
        /// The store file.
        store: PathBuf,
    },
    /// Write a consistent copy of a store (snapshot plus every committed
    /// statement) as one snapshot file; works while a shell has it open.
    Backup {
        /// The store file.
        store: PathBuf,
        /// Where the copy goes.
        dest: PathBuf,
    },
    /// Import a file into the store (--store, $FACTGRAPH_STORE or the
    /// default), all or nothing: an article's fact file (.facts, its text
    /// named by `file=` beside it), a .json export, or a CSV directory (a
    /// CSV export's, or one with nodes.csv and edges.csv).
    /// With --nodes and --edges instead of a file: the bulk load of
    /// `bulk-import` (the benchmark generator's CSV, one checkpoint).
    Import {
        /// The file to import.
        #[arg(
            required_unless_present_all = ["nodes", "edges"],
            conflicts_with_all = ["nodes", "edges"]
        )]
        file: Option<PathBuf>,
        /// A nodes file `id,label,name` (with --edges).
        #[arg(long, value_name = "FILE", requires = "edges")]
        nodes: Option<PathBuf>,
        /// An edges file `src,dst,type,date,level` (with --nodes).
        #[arg(long, value_name = "FILE", requires = "nodes")]
        edges: Option<PathBuf>,
        /// The store to import into, as --store before `import` (created if
        /// missing).
        #[arg(long, value_name = "PATH")]
        store: Option<PathBuf>,
    },
    /// Export the store (--store, $FACTGRAPH_STORE or the default), or the
    /// nodes and relationships a query returns: dot, json, cypher, neo4j,
    /// memgraph, graphml, ntriples, turtle (to stdout or --output), csv (to
    /// a directory).
    Export {
        /// dot, json, csv, cypher, neo4j, memgraph, graphml, ntriples or turtle.
        format: String,
        /// Where to write (a directory for csv); without it, stdout.
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
        /// Export only what this query returns.
        #[arg(short, long, value_name = "QUERY")]
        query: Option<String>,
    },
    /// Bulk-load a node CSV and an edge CSV (the benchmark generator's
    /// shape: nodes `id,label,name`, edges `src,dst,type,date,level`) into a
    /// store with one checkpoint; all or nothing.
    BulkImport {
        /// The nodes file.
        #[arg(long, value_name = "FILE")]
        nodes: PathBuf,
        /// The edges file.
        #[arg(long, value_name = "FILE")]
        edges: PathBuf,
        /// The store to load into (created if missing); default
        /// $FACTGRAPH_STORE, else graph/articles.fg.
        #[arg(long, value_name = "PATH")]
        store: Option<PathBuf>,
    },
    /// A worker of the peer benchmark (`peers.py --peer-cmd
    /// 'factgraph=factgraph bench'`); prints `@@bench` JSON lines.
    Bench {
        /// load, open or query (the harness phases), or write (a timed
        /// series of small committed Cypher writes on the loaded store).
        #[arg(long)]
        worker: String,
        /// The generator's data directory (nodes.csv, edges.csv, meta.json).
        #[arg(long)]
        data: PathBuf,
        /// The directory the store lives in.
        #[arg(long)]
        db: PathBuf,
        /// Warm runs per query.
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// Stop repeating a query once its runs add up to this many seconds.
        #[arg(long = "query-budget", default_value_t = 60.0)]
        query_budget: f64,
    },
}

/// Draws an import's progress on stderr, only when stderr is a terminal:
/// a bar of the bytes read, then of the relationships linked, then a line
/// while the store is written.
fn progress_bar() -> impl FnMut(factgraph::import::csv::Progress) {
    use factgraph::import::csv::Stage;
    let tty = io::stderr().is_terminal();
    move |p| {
        if !tty {
            return;
        }
        let mut e = io::stderr();
        let bar = |done: usize, total: usize| {
            let frac = if total == 0 {
                1.0
            } else {
                done as f64 / total as f64
            };
            let filled = ((frac * 30.0) as usize).min(30);
            format!(
                "[{}{}] {:3.0}%",
                "#".repeat(filled),
                " ".repeat(30 - filled),
                frac * 100.0
            )
        };
        // Each report redraws the line (`\x1b[K` clears what is left of it).
        let _ = match p.stage {
            // A pipe: its size is not known until it ends.
            Stage::Reading if p.total == 0 => {
                write!(e, "\r{:.1} MB read\x1b[K", p.done as f64 / 1e6)
            }
            Stage::Reading => write!(e, "\r{} reading\x1b[K", bar(p.done, p.total)),
            Stage::Linking => write!(
                e,
                "\r{} linking {} relationships\x1b[K",
                bar(p.done, p.total),
                thousands(p.total)
            ),
            Stage::Writing => writeln!(e, "\r{} writing the store\x1b[K", bar(1, 1)),
        };
    }
}

/// `4932215` as `4,932,215`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Runs a tool subcommand (check, backup, import, bulk-import, bench): 0
/// when all is well, 2 otherwise (import: see [`import`]).
fn tool(cli: &Cli, t: &Tool) -> ExitCode {
    let done = match t {
        Tool::Import {
            file,
            nodes,
            edges,
            store,
        } => {
            let store = match import_store(cli, store.as_deref()) {
                Ok(s) => s,
                Err(e) => return fail(&e),
            };
            return match (file, nodes, edges) {
                (_, Some(nodes), Some(edges)) => {
                    if cli.memory || cli.seed {
                        return fail(
                            "import --nodes/--edges loads into a store file; --memory and --seed have none",
                        );
                    }
                    let store = store.unwrap_or_else(default_store);
                    match bulk_import(nodes, edges, &store) {
                        Ok(report) => {
                            println!("{report}");
                            ExitCode::SUCCESS
                        }
                        // As for a file: data that does not load is 1,
                        // a store that cannot be opened or written 2.
                        Err(e @ factgraph::Error::Load(_)) => {
                            let _ = fail(&e.to_string());
                            ExitCode::from(1)
                        }
                        Err(e) => fail(&e.to_string()),
                    }
                }
                (Some(file), _, _) => import(cli, file, store.as_deref()),
                // clap requires a file or both --nodes and --edges.
                _ => fail("import: give a FILE, or --nodes FILE and --edges FILE"),
            };
        }
        Tool::Export {
            format,
            output,
            query,
        } => return export(cli, format, output.as_deref(), query.as_deref()),
        Tool::Check { store } => factgraph::store::check(store)
            .map(|r| r.to_string())
            .map_err(|e| e.to_string()),
        Tool::Backup { store, dest } => factgraph::store::backup(store, dest)
            .map(|r| {
                format!(
                    "wrote a backup of {} to {}\n{r}",
                    store.display(),
                    dest.display()
                )
            })
            .map_err(|e| e.to_string()),
        Tool::BulkImport {
            nodes,
            edges,
            store,
        } => {
            let store = store.clone().unwrap_or_else(default_store);
            bulk_import(nodes, edges, &store).map_err(|e| e.to_string())
        }
        Tool::Bench {
            worker,
            data,
            db,
            reps,
            query_budget,
        } => {
            let args = factgraph::bench::WorkerArgs {
                phase: worker.clone(),
                data: data.clone(),
                db: db.clone(),
                reps: *reps,
                query_budget_s: *query_budget,
            };
            return match factgraph::bench::run_worker(&args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e.to_string()),
            };
        }
    };
    match done {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// The store named by $FACTGRAPH_STORE, else the default one.
fn default_store() -> PathBuf {
    std::env::var_os(STORE_ENV)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_STORE), PathBuf::from)
}

/// The store `import` writes to when one is named: its own --store or the
/// one before it, not both.
fn import_store(cli: &Cli, own: Option<&Path>) -> Result<Option<PathBuf>, String> {
    match own {
        Some(p) if cli.store.is_some() || cli.memory || cli.seed => Err(format!(
            "import --store {}: the store is named before `import` already (--store, --memory or --seed)",
            p.display()
        )),
        Some(p) => Ok(Some(p.to_path_buf())),
        None => Ok(cli.store.clone()),
    }
}

/// The bulk load of `bulk-import` and `import --nodes --edges`: both files
/// into `store` with one checkpoint, all or nothing, a progress bar on a
/// terminal; the line that reports it.
fn bulk_import(nodes: &Path, edges: &Path, store: &Path) -> Result<String, factgraph::Error> {
    let t0 = std::time::Instant::now();
    let mut bar_open = false;
    let mut bar = progress_bar();
    let res = factgraph::bench::import_into_store_then_exit(nodes, edges, store, &mut |p| {
        bar_open = p.stage != factgraph::import::csv::Stage::Writing;
        bar(p);
    });
    // An error ends the bar's line before it is reported.
    if bar_open && res.is_err() && io::stderr().is_terminal() {
        let _ = writeln!(io::stderr());
    }
    let s = res?;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    Ok(format!(
        "imported {} node{} and {} relationship{} into {} in {:.2} s",
        thousands(s.nodes),
        plural(s.nodes),
        thousands(s.rels),
        plural(s.rels),
        store.display(),
        t0.elapsed().as_secs_f64()
    ))
}

/// Runs `factgraph import FILE`: 0 when imported, 1 when the file does not
/// load (nothing of it is), 2 when the store cannot be opened or written.
/// `store` is import's own --store, if given.
fn import(cli: &Cli, file: &Path, store: Option<&Path>) -> ExitCode {
    let opened = match store {
        Some(p) => Database::open(p)
            .map(|(db, _)| (db, p.display().to_string()))
            .map_err(|e| e.to_string()),
        None => open(cli),
    };
    let (mut db, location) = match opened {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    let stats = match db.import(file) {
        Ok(s) => s,
        Err(ImportFailed::Load(e)) => {
            let _ = fail(&e.to_string());
            return ExitCode::from(1);
        }
        Err(ImportFailed::Store(e)) => return fail(&e.to_string()),
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    println!(
        "imported {} node{}, {} relationship{} from {} into {location}",
        stats.nodes,
        plural(stats.nodes),
        stats.rels,
        plural(stats.rels),
        file.display()
    );
    ExitCode::SUCCESS
}

/// Runs `factgraph export FORMAT`: 0 when written, 1 when the query fails,
/// 2 for a store that cannot be opened, an unknown format or a write error.
fn export(cli: &Cli, format: &str, output: Option<&Path>, query: Option<&str>) -> ExitCode {
    // An export only reads: a store file is opened read-only (without its
    // lock, beside a shell that has it open), and a query that writes is
    // refused before anything runs.
    let (mut db, _) = match open_with(cli, true) {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    if let Some(q) = query
        && let Err(e) = factgraph::export::check_read_only(q)
    {
        let _ = fail(&e.to_string());
        return ExitCode::from(1);
    }
    let result = match query {
        None => None,
        Some(q) => match db.run(q, &Default::default(), &Default::default()) {
            Ok(mut results) => results.pop(),
            Err(e) => {
                let _ = fail(&e.to_string());
                return ExitCode::from(1);
            }
        },
    };
    let done = match output {
        Some(path) => factgraph::export::export_to_path(format, db.graph(), result.as_ref(), path),
        None => factgraph::export::export(
            format,
            db.graph(),
            result.as_ref(),
            &mut io::stdout().lock(),
        ),
    };
    match done {
        Ok(report) => {
            // On stderr, as the seed note is: stdout may be the export.
            for n in &report.notes {
                eprintln!("factgraph: {n}");
            }
            ExitCode::SUCCESS
        }
        // A reader that stopped early (`| head`) is not an error, as in the
        // script runner.
        Err(factgraph::Error::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

/// `NO_COLOR` set to anything but the empty string turns colour off.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn fail(msg: &str) -> ExitCode {
    let _ = io::stderr()
        .write_all(diag::error_line(msg, io::stderr().is_terminal() && !no_color()).as_bytes());
    ExitCode::from(2)
}

/// Opens the store the arguments name; the `String` says where it lives.
fn open(cli: &Cli) -> Result<(Database, String), String> {
    open_with(cli, cli.read_only)
}

/// [`open`], read-only when `read_only` (a missing default store is then
/// still built from the seed, in memory).
fn open_with(cli: &Cli, read_only: bool) -> Result<(Database, String), String> {
    if read_only && !cli.memory && !cli.seed {
        let path = cli.store.clone().unwrap_or_else(default_store);
        if path.exists() || cli.store.is_some() || cli.read_only {
            let db =
                opening(&path, || Database::open_read_only(&path)).map_err(|e| e.to_string())?;
            return Ok((db, format!("{} (read-only)", path.display())));
        }
        // No default store yet: the article graph it would be built from.
        let g = factgraph::seed::build_default()
            .map_err(|e| format!("cannot build the article graph: {e}"))?;
        return Ok((Database::in_memory(g), "the article graph in memory".into()));
    }
    if cli.seed {
        let g = factgraph::seed::build_default()
            .map_err(|e| format!("cannot build the article graph: {e}"))?;
        return Ok((Database::in_memory(g), "the article graph in memory".into()));
    }
    if cli.memory {
        return Ok((
            Database::in_memory(Graph::new()),
            "an empty store in memory".into(),
        ));
    }
    if let Some(p) = &cli.store {
        let (db, _) = opening(p, || Database::open(p)).map_err(|e| e.to_string())?;
        return Ok((db, p.display().to_string()));
    }
    let path = std::env::var_os(STORE_ENV)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_STORE), PathBuf::from);
    let (db, opened) =
        opening(&path, || Database::open_or_seed(&path)).map_err(|e| e.to_string())?;
    if opened == Opened::Seeded {
        let g = db.graph();
        let articles = g.nodes_with_label("Article").count();
        eprintln!(
            "factgraph: built {} from the seed ({articles} article{}, {} nodes, {} relationships)",
            path.display(),
            if articles == 1 { "" } else { "s" },
            g.node_count(),
            g.rel_count()
        );
    }
    Ok((db, path.display().to_string()))
}

/// A store file at least this large takes long enough to open (about a
/// second at 10M nodes per 200 MB) that a terminal is told what is going on.
const SLOW_OPEN_BYTES: u64 = 128 << 20;

/// Runs `open` for the store at `path`; while it runs, a line on a terminal
/// says a large store is being opened (cleared once it is).
fn opening<T>(path: &Path, open: impl FnOnce() -> T) -> T {
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    let note = open_note(path, size, io::stderr().is_terminal());
    if let Some(n) = &note {
        let _ = write!(io::stderr(), "{n}");
        let _ = io::stderr().flush();
    }
    let out = open();
    if note.is_some() {
        let _ = write!(io::stderr(), "\r\x1b[K");
    }
    out
}

/// What [`opening`] shows for a store of `size` bytes: nothing for a small
/// one, or when stderr is no terminal.
fn open_note(path: &Path, size: u64, terminal: bool) -> Option<String> {
    (terminal && size >= SLOW_OPEN_BYTES).then(|| {
        format!(
            "opening {} ({:.0} MB) ...",
            path.display(),
            size as f64 / 1e6
        )
    })
}

fn settings(cli: &Cli) -> Result<Settings, String> {
    // Cutting cells and leaving rows out is for people at a terminal; what
    // goes to a pipe or a file is always whole.
    let terminal = io::stdout().is_terminal();
    let mut s = Settings {
        mode: cli.format.into(),
        color: io::stderr().is_terminal() && !no_color(),
        max_width: terminal.then_some(factgraph::shell::DEFAULT_MAX_WIDTH),
        max_rows: terminal.then_some(factgraph::shell::DEFAULT_MAX_ROWS),
        // Tables from -c, -f or a script fit the terminal too, as the
        // shell's do (it reads the width again before each input).
        columns: if terminal {
            repl::terminal_columns()
        } else {
            None
        },
        terminal,
        ..Settings::default()
    };
    for p in &cli.param {
        let Some((name, value)) = p.split_once('=') else {
            return Err(format!(
                "--param {p}: expected NAME=VALUE, e.g. --param \"country='Belarus'\""
            ));
        };
        let v = literal::parse(value).map_err(|e| format!("--param {name}: {e}"))?;
        s.params
            .insert(name.trim().trim_start_matches('$').to_string(), v);
    }
    if let Some(d) = &cli.as_of {
        s.as_of = Some(FDate::parse(d).map_err(|e| format!("--as-of {d}: {e}"))?);
    }
    Ok(s)
}

/// The script to run, if any, and the name errors give it.
fn script(cli: &Cli) -> Result<Option<(String, String)>, String> {
    if let Some(c) = &cli.command {
        return Ok(Some((c.clone(), "-c".into())));
    }
    let read_stdin = || {
        let mut s = String::new();
        io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        Ok::<_, String>(s)
    };
    if let Some(f) = &cli.file {
        if f == Path::new("-") {
            return Ok(Some((read_stdin()?, "<stdin>".into())));
        }
        let text =
            std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        return Ok(Some((text, f.display().to_string())));
    }
    if io::stdin().is_terminal() && io::stdout().is_terminal() {
        return Ok(None);
    }
    Ok(Some((read_stdin()?, "<stdin>".into())))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(t) = &cli.tool {
        return tool(&cli, t);
    }
    let settings = match settings(&cli) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    // Read the script before opening the store: a missing -f file is a usage
    // error that should not build or create anything.
    let script = match script(&cli) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let (db, location) = match open(&cli) {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    if let Some(r) = db.recovery() {
        eprintln!("factgraph: {r}");
    }
    let store_path = db.path().map(Path::to_path_buf);
    let out = io::BufWriter::new(io::stdout());
    let mut session = Session::new(db, settings, out, io::stderr());
    match script {
        Some((src, origin)) => match session.run_source(&src, &origin) {
            Ok(_) => ExitCode::SUCCESS,
            Err(Failed { code }) => ExitCode::from(code),
        },
        None => {
            let g = session.db.graph();
            let banner = format!(
                "factgraph {} · {location} · {} nodes, {} relationships · type :help for help, Ctrl-D to leave\n",
                env!("CARGO_PKG_VERSION"),
                g.node_count(),
                g.rel_count()
            );
            if session.write_out(&banner).is_err() {
                return ExitCode::from(2);
            }
            let color = io::stdout().is_terminal() && !no_color();
            ExitCode::from(repl::run(
                &mut session,
                repl::history_path(store_path.as_deref()),
                color,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (49_500_000, "49,500,000"),
        ];
        for (n, s) in cases {
            assert_eq!(thousands(n), s);
        }
        assert_eq!(thousands(4_932_215), "4,932,215");
    }

    #[test]
    fn only_a_large_store_opened_on_a_terminal_is_announced() {
        let p = Path::new("graph/big.fg");
        assert_eq!(
            open_note(p, 600_000_000, true).as_deref(),
            Some("opening graph/big.fg (600 MB) ...")
        );
        assert_eq!(open_note(p, 600_000_000, false), None);
        assert_eq!(open_note(p, SLOW_OPEN_BYTES - 1, true), None);
        assert!(open_note(p, SLOW_OPEN_BYTES, true).is_some());
    }
}
