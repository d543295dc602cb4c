//! Colon commands (`:help`, `:schema`, `:stats`, `:export`, `:mode` ...),
//! parsed apart from Cypher. They work in scripts too: a line that starts
//! with `:` between statements.

use std::fmt::Write as _;
use std::io::Write;
use std::ops::Range;
use std::path::Path;

use super::render::{self, Cell, Mode};
use super::{Failed, Flow, Session, literal, shortcuts};
use crate::db::ImportFailed;
use crate::error::{ErrorClass, QueryError, Span};
use crate::model::FDate;
use crate::model::names::did_you_mean;
use crate::model::schema::PropDecl;
use crate::query::QueryResult;
use crate::store::Graph;

/// Every command with its arguments and what it does, for `:help` and completion.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        "help",
        "[TOPIC]",
        "this list, or help on a command or a topic (see below)",
    ),
    (
        "schema",
        "",
        "node kinds, relationship types with their endpoints, property types",
    ),
    (
        "stats",
        "",
        "how many nodes per label and relationships per type (one result of kind, name, count in a mode other than table)",
    ),
    (
        "export",
        "FORMAT FILE [QUERY]",
        "write the graph, or what QUERY returns: dot, json, csv, cypher, neo4j, memgraph, graphml, ntriples, turtle",
    ),
    (
        "import",
        "FILE|DIR",
        "add a JSON export (.json) or a CSV directory (a CSV export's, or nodes.csv and edges.csv)",
    ),
    (
        "mode",
        "[table|line|csv|tsv|json|ndjson|markdown|dot]",
        "how results are printed",
    ),
    (
        "param",
        "NAME VALUE",
        "set the parameter $NAME to a literal: 'text', 42, [1, 2], fdate('2023-10')",
    ),
    (
        "params",
        "[clear]",
        "list the parameters, or forget them all",
    ),
    ("timer", "[on|off]", "print how long each statement takes"),
    (
        "asof",
        "[DATE|off]",
        "run every statement as of a date (2024-01-20, 2024-05, 2023)",
    ),
    (
        "width",
        "[auto|N|off]",
        "cut table cells wider than N columns; auto (the default) cuts at 60 and fits tables to a terminal, never when piped",
    ),
    (
        "rows",
        "[N|off]",
        "show long results as their first and last N/2 rows (default 40 on a terminal, off when piped)",
    ),
    (
        "read",
        "FILE",
        "run the statements and commands in FILE, stopping at the first error",
    ),
    (
        "last",
        "",
        "the last result in full (through $PAGER or less on a terminal)",
    ),
    (
        "explain",
        "QUERY",
        "the plan of QUERY as a tree, without running it",
    ),
    (
        "indexes",
        "",
        "the indexes: labels, names and aliases (built in) and those made with CREATE INDEX",
    ),
    (
        "constraints",
        "",
        "the constraints made with CREATE CONSTRAINT (unique, not null, keys)",
    ),
    ("history", "", "the last 20 entries of the history"),
    (
        "describe",
        "NAME",
        "an entity (by name or alias), its aliases, and every fact about it",
    ),
    (
        "timeline",
        "NAME [NAME]",
        "the facts about an entity (or two) in date order, undated last",
    ),
    (
        "path",
        "A B",
        "the shortest connection between two entities through facts, as a chain",
    ),
    (
        "why",
        "KEY|TEXT",
        "the article and quote behind a statement key, or the facts quoting TEXT",
    ),
    (
        "backup",
        "FILE",
        "write a consistent copy of the store (snapshot and log) to FILE",
    ),
    (
        "checkpoint",
        "",
        "fold the write-ahead log into the store file now",
    ),
    ("quit", "", "leave (also :exit, or Ctrl-D)"),
    ("exit", "", "leave"),
];

/// Help topics beyond the commands.
pub const TOPICS: &[&str] = &[
    "cypher",
    "dates",
    "asof",
    "sources",
    "export",
    "shortcuts",
    "indexes",
    "procedures",
    "formats",
];

const HELP_CYPHER: &str = "\
Statements end with `;`. A Cypher subset:
  MATCH (:State {name: 'Belarus'})<-[:SUBJECT]-(m:Membership)-[:ORGANISATION]->(o)
  RETURN o.name, m.status, m.date;
  OPTIONAL MATCH, WHERE, WITH, UNWIND, ORDER BY, SKIP, LIMIT, DISTINCT,
  count/collect/min/max/sum/avg, variable-length paths (*1..3), shortestPath,
  EXISTS { ... }, COUNT { ... } and COLLECT { ... } subqueries, pattern
  comprehensions,
  CREATE, MERGE, SET, REMOVE, DELETE, DETACH DELETE, FOREACH, parameters ($name),
  LOAD CSV [WITH HEADERS] FROM 'file:///path.csv' AS row [FIELDTERMINATOR ';'],
  procedures with CALL (:help procedures), and CALL (x) { ... } subqueries
  (once per row, with the variables in parentheses; OPTIONAL CALL keeps a
  row the subquery returns nothing for):
  MATCH (o:Organisation) RETURN o.name, COUNT { (o)<-[:PART_OF]-() } AS parts;
  MATCH (o:Organisation) CALL (o) { MATCH (o)<-[:ORGANISATION]-(m:Membership) WHERE m.date IS NOT NULL
    RETURN m.status AS latest, m.date AS since ORDER BY since DESC LIMIT 1 } RETURN o.name, latest, since;
Names resolve through aliases: MATCH (n) WHERE 'SOZ' IN n.aliases RETURN n.name;
Labels, names and aliases are indexed; CREATE INDEX FOR (s:Statement) ON (s.date)
indexes another property (:help indexes).
Prefix a statement with `AS OF fdate('2024-01-20')` to see the graph as of a date,
or set `:asof 2024-01-20` for every statement.";

const HELP_DATES: &str = "\
Dates have a precision: fdate('2023') is a year, fdate('2023-10') a month,
fdate('2023-10-11') a day; fdate('~2024-01') is approximate. Cypher's
date('2015') keeps its meaning (the day 2015-01-01).
Comparisons compare the intervals: fdate('2022') < fdate('2023-10') is true,
fdate('2023-10') < fdate('2023') is null (October lies inside 2023).
Examples (each runs on the article graph):
    RETURN fdate('2022') < fdate('2023-10') AS before, precision(fdate('2023-10')) AS p;
    MATCH (s:Statement) WHERE s.date >= fdate('2024') RETURN s.date, precision(s.date), s.summary ORDER BY s.date;
    MATCH (x)-[:ON]->(:Date)-[:IN*0..1]->(:Date {name: '2023-10'}) RETURN coalesce(x.name, x.summary) AS what;
    :timeline Belarus China";

const HELP_ASOF: &str = "\
A fact holds from `valid_from` (and until `valid_until`, if any). As of a
date, a statement sees only the facts that hold then: per statement with
`AS OF`, or for every later statement with `:asof` (shown in the prompt).
Examples (each runs on the article graph):
    AS OF fdate('2024-01-20') MATCH (:State {name: 'Belarus'})<-[:SUBJECT]-(s:Membership)-[:ORGANISATION]->(o) RETURN o.name, s.status;
    :asof 2024-05-21
    MATCH (:State {name: 'Belarus'})<-[:SUBJECT]-(s:Membership)-[:ORGANISATION]->(o) RETURN o.name, s.status;
    :asof off";

const HELP_SOURCES: &str = "\
Every fact says where it comes from: a relationship fact has `quote` and
`source` (an article key); a statement node has them too, and
-[:SOURCE]->(:Article). Quotes are in the article's language.
Examples (each runs on the article graph):
    MATCH (a:Article) RETURN a.key, a.title, a.published, a.lang;
    MATCH (s:Statement)-[:SOURCE]->(a:Article) WHERE s.modality <> 'accomplished' RETURN s.modality, s.summary, a.title;
    :why busy_year_2023
    :why Anti-Terror";

const HELP_EXPORT: &str = "\
:export FORMAT FILE [QUERY] writes the whole graph, or what QUERY returns
(its nodes and relationships), to FILE; :import FILE reads a JSON export
back, and :import DIR a CSV export (from its neo4j/ files and their
factgraph-csv.json; the kuzu/ files cannot be read back). Results go to
files with --format and a shell redirect, too.
Examples (each runs on the article graph, writing into the current directory):
    :export dot belarus.dot MATCH p = (:State {name: 'Belarus'})--() RETURN p
    :export json graph.json
    :mode markdown
    MATCH (o:Organisation) RETURN o.name ORDER BY o.name LIMIT 3;
    :mode table";

const HELP_SHORTCUTS: &str = "\
Shortcuts for analysts. Each prints the Cypher it stands for (as // lines
on stderr) and runs it; names are found by name or alias, case and
diacritics ignored (alejnik finds Sergei Aleinik).
Examples (each runs on the article graph):
    :describe Belarus
    :timeline Sergei Aleinik
    :path 'Xie Xiaoyong' RATS
    :why ready to contribute
    :explain MATCH (s:State)<-[:SUBJECT]-(m:Membership) RETURN s, m";

const HELP_INDEXES: &str = "\
Labels and names (with aliases) are indexed always. For another property,
CREATE INDEX [name] [IF NOT EXISTS] FOR (n:Label) ON (n.property) makes an
index that MATCH (n:Label {property: v}) and WHERE n.property = v, IN [...],
<, <=, >, >= and STARTS WITH start from (numbers, strings and dates). It is
kept with the store; DROP INDEX name removes it, SHOW INDEXES (or :indexes)
lists them all, and :explain shows where a query starts.
Examples (each runs on the article graph):
    CREATE INDEX statement_date IF NOT EXISTS FOR (s:Statement) ON (s.date);
    :explain MATCH (s:Statement) WHERE s.date >= fdate('2024') RETURN s.summary
    MATCH (s:Statement) WHERE s.date >= fdate('2024') RETURN s.date, s.summary ORDER BY s.date;
    :indexes
    DROP INDEX statement_date;
Constraints, as in Neo4j 5: CREATE CONSTRAINT [name] [IF NOT EXISTS]
FOR (n:Label) REQUIRE n.p IS UNIQUE (or (n.p, n.q) IS UNIQUE, n.p IS NOT NULL,
(n.p, n.q) IS NODE KEY), and FOR ()-[r:TYPE]-() REQUIRE r.p IS UNIQUE | IS NOT
NULL | IS RELATIONSHIP KEY. The graph must satisfy one to get it; a statement
that breaks one fails whole. A uniqueness on nodes makes an index of its own
name. SHOW CONSTRAINTS (or :constraints) lists them, DROP CONSTRAINT name
removes one.
    CREATE CONSTRAINT org_name IF NOT EXISTS FOR (o:Organisation) REQUIRE o.name IS UNIQUE;
    :constraints
    DROP CONSTRAINT org_name;";

const HELP_PROCEDURES: &str = "\
A CALL runs a procedure, as in Neo4j: on its own it returns every output;
inside a query it YIELDs the outputs it uses (renamed with AS, filtered with
WHERE); AS OF applies to what it sees. The built-ins, listed with their
signatures by dbms.procedures() and SHOW PROCEDURES:
db.labels(), db.relationshipTypes(), db.propertyKeys(),
db.schema.nodeTypeProperties() and db.schema.relTypeProperties() (each
property key per label set or type, the types of its values, and whether
every element has it), db.indexes() and db.constraints() (what SHOW INDEXES
and SHOW CONSTRAINTS list; those take YIELD, WHERE and RETURN too, as in
Neo4j 5), db.awaitIndexes(). An application that embeds factgraph adds its
own (ExecOptions::procedures).
Examples (each runs on the article graph):
    CALL db.relationshipTypes();
    CALL db.labels() YIELD label RETURN label, COUNT { MATCH (n) WHERE label IN labels(n) } AS nodes ORDER BY nodes DESC LIMIT 5;
    CALL db.schema.nodeTypeProperties() YIELD nodeType, propertyName, mandatory WHERE nodeType = ':`State`' RETURN propertyName, mandatory;
    SHOW INDEXES YIELD name, type WHERE type = 'LOOKUP' RETURN name;";

const HELP_FORMATS: &str = "\
:mode table     aligned table with a row count; on a terminal long cells are
                cut to fit it (:width) and long results show first and last
                rows (:rows)
:mode line      column = value, one per line, a blank line between rows
:mode csv       header and rows, RFC 4180 quoting
:mode tsv       header and rows separated by tabs
:mode json      a JSON array of row objects per statement
:mode ndjson    one JSON object per row and line (keys are the column names)
:mode markdown  a Markdown table
:mode dot       the nodes and relationships of each result as Graphviz DOT
Piped output is never cut; :last shows the last result whole.
Scripts choose with --format. Nodes print as (:State {name: 'Belarus'}) in tables
and as {\"id\", \"labels\", \"properties\"} in JSON.";

/// Runs the colon command in `src[range]` (starting with `:`).
pub fn run<O: Write, E: Write>(
    s: &mut Session<O, E>,
    src: &str,
    range: Range<usize>,
    origin: &str,
) -> Result<Flow, Failed> {
    let line = &src[range.clone()];
    let body = &line[1..];
    let name_len = body.find(char::is_whitespace).unwrap_or(body.len());
    let name = &body[..name_len];
    let args_start = 1 + name_len + (body[name_len..].len() - body[name_len..].trim_start().len());
    let args = line[args_start..].trim_end();
    let args_at = range.start + args_start;
    let name_span = Span::new(range.start, range.start + 1 + name_len);
    let usage_err = |msg: String| QueryError::new(ErrorClass::SemanticError, "InvalidCommand", msg);
    let fail = |s: &mut Session<O, E>, e: QueryError| Err(s.report_query(&e, src, origin));

    match name {
        "quit" | "exit" | "q" => return Ok(Flow::Quit),
        "help" | "h" | "?" => {
            let text = help(args);
            match text {
                Some(t) => s.write_out(&t)?,
                None => {
                    let mut e = usage_err(format!("no help on '{args}'"))
                        .at(Span::new(args_at, args_at + args.len()));
                    let names = COMMANDS.iter().map(|c| c.0).chain(TOPICS.iter().copied());
                    if let Some(h) = did_you_mean(args.trim_start_matches(':'), names) {
                        e = e.hint(h);
                    }
                    return fail(s, e);
                }
            }
        }
        "backup" => {
            if args.is_empty() {
                let e = usage_err("usage: :backup FILE".into()).at(name_span);
                return fail(s, e);
            }
            if let Err(e) = s.db.backup(std::path::Path::new(args)) {
                let e = usage_err(e.to_string()).at(Span::new(args_at, args_at + args.len()));
                return fail(s, e);
            }
            s.note(&format!("wrote a backup to {args}"));
        }
        "checkpoint" => {
            if let Err(e) = s.db.checkpoint() {
                let e = usage_err(e.to_string()).at(name_span);
                return fail(s, e);
            }
            s.note("the log is folded into the store file");
        }
        "schema" => {
            let text = schema_text(s.db.graph());
            s.write_out(&text)?;
        }
        "stats" => {
            if s.settings.mode == Mode::Table {
                let text = stats_text(s.db.graph());
                s.write_out(&text)?;
            } else {
                // For a script: the same counts as one result in the mode.
                let res = stats_result(s.db.graph());
                s.print_result(&res, std::time::Duration::ZERO)?;
            }
        }
        "mode" => {
            if args.is_empty() {
                let t = format!("mode {}\n", s.settings.mode.name());
                s.write_out(&t)?;
            } else if let Some(m) = Mode::parse(args) {
                s.settings.mode = m;
            } else {
                let names: Vec<&str> = Mode::ALL.iter().map(|m| m.0).collect();
                let mut e = usage_err(format!(
                    "unknown mode '{args}'; the modes are {}",
                    names.join(", ")
                ))
                .at(Span::new(args_at, args_at + args.len()));
                if let Some(h) = did_you_mean(args, Mode::ALL.iter().map(|m| m.0)) {
                    e = e.hint(h);
                }
                return fail(s, e);
            }
        }
        "timer" => match on_off(args) {
            Some(v) => s.settings.timer = v.unwrap_or(!s.settings.timer),
            None => {
                return fail(
                    s,
                    usage_err(format!("`:timer` takes on or off, not '{args}'"))
                        .at(Span::new(args_at, args_at + args.len())),
                );
            }
        },
        "width" => match args {
            "" => {
                let t = match (s.settings.fit_terminal, s.settings.max_width) {
                    (true, _) if !s.settings.terminal => {
                        "auto: the output is not a terminal, so table cells are never cut\n"
                            .to_string()
                    }
                    (true, w) => format!(
                        "auto: table cells are cut at {} columns and tables to fit the terminal{}\n",
                        w.unwrap_or(super::DEFAULT_MAX_WIDTH),
                        s.settings
                            .columns
                            .map_or(String::new(), |c| format!(" ({c} columns)"))
                    ),
                    (false, Some(w)) => format!("table cells are cut at {w} columns\n"),
                    (false, None) => "table cells are never cut\n".to_string(),
                };
                s.write_out(&t)?;
            }
            "auto" => {
                s.settings.fit_terminal = true;
                s.settings.max_width = s.settings.terminal.then_some(super::DEFAULT_MAX_WIDTH);
            }
            "off" | "none" => {
                s.settings.fit_terminal = false;
                s.settings.max_width = None;
            }
            n => match n.parse::<usize>() {
                Ok(w) if w >= 2 => {
                    s.settings.fit_terminal = false;
                    s.settings.max_width = Some(w);
                }
                _ => {
                    return fail(
                        s,
                        usage_err(format!(
                            "`:width` takes a number of columns (2 or more), auto or off, not '{n}'"
                        ))
                        .at(Span::new(args_at, args_at + n.len())),
                    );
                }
            },
        },
        "asof" => match args {
            "" => {
                let t = match &s.settings.as_of {
                    Some(d) => format!("statements run as of {d}\n"),
                    None => "statements see every fact (no :asof date)\n".to_string(),
                };
                s.write_out(&t)?;
            }
            "off" | "none" => s.settings.as_of = None,
            d => match FDate::parse(d.trim_matches(['\'', '"'])) {
                Ok(date) => s.settings.as_of = Some(date),
                Err(why) => {
                    return fail(
                        s,
                        usage_err(format!(
                            "`:asof` needs a date like 2024-01-20, 2024-05 or 2023: {why}"
                        ))
                        .at(Span::new(args_at, args_at + d.len())),
                    );
                }
            },
        },
        "param" => {
            let pname_len = args
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(args.len());
            let pname = args[..pname_len].trim_start_matches('$');
            let rest = args[pname_len..].trim_start();
            let rest = rest
                .strip_prefix("=>")
                .or_else(|| rest.strip_prefix('='))
                .unwrap_or(rest)
                .trim();
            if pname.is_empty() || rest.is_empty() {
                return fail(
                    s,
                    usage_err("usage: `:param NAME VALUE`, e.g. `:param country 'Belarus'`".into())
                        .at(name_span),
                );
            }
            match literal::parse(rest) {
                Ok(v) => {
                    s.settings.params.insert(pname.to_string(), v);
                }
                Err(why) => {
                    let at = args_at + (args.len() - rest.len());
                    return fail(
                        s,
                        usage_err(format!("cannot read the value of ${pname}: {why}"))
                            .at(Span::new(at, at + rest.len())),
                    );
                }
            }
        }
        "params" => match args {
            "" => {
                let mut t = String::new();
                if s.settings.params.is_empty() {
                    t.push_str("no parameters (set one with `:param NAME VALUE`)\n");
                }
                let empty = QueryResult::default();
                for (k, v) in &s.settings.params {
                    let mut lit = String::new();
                    // Strings quoted, so what is shown can be typed back.
                    if let crate::model::Value::String(st) = v {
                        let _ = crate::model::value::quote_str(st, &mut lit);
                    } else {
                        lit = render::cell_text(v, &empty, true);
                    }
                    let _ = writeln!(t, "${k} = {lit}");
                }
                s.write_out(&t)?;
            }
            "clear" => s.settings.params.clear(),
            other => {
                return fail(
                    s,
                    usage_err(format!("`:params` takes nothing or `clear`, not '{other}'"))
                        .at(Span::new(args_at, args_at + other.len())),
                );
            }
        },
        "export" => return export(s, src, args_at, args, origin),
        "rows" => match args {
            "" => {
                let t = match s.settings.max_rows {
                    Some(n) => {
                        let half = n.max(2) / 2;
                        format!(
                            "results longer than {n} rows show their first and last {half} row{}\n",
                            if half == 1 { "" } else { "s" }
                        )
                    }
                    None => "results are shown whole\n".to_string(),
                };
                s.write_out(&t)?;
            }
            "off" | "none" => s.settings.max_rows = None,
            n => match n.parse::<usize>() {
                Ok(w) if w >= 2 => s.settings.max_rows = Some(w),
                _ => {
                    return fail(
                        s,
                        usage_err(format!(
                            "`:rows` takes a number of rows (2 or more) or off, not '{n}'"
                        ))
                        .at(Span::new(args_at, args_at + n.len())),
                    );
                }
            },
        },
        "last" => return last(s),
        "read" => {
            let (path, rest) = take_path(args);
            if path.is_empty() || !rest.is_empty() {
                return fail(
                    s,
                    usage_err("usage: `:read FILE`, e.g. `:read queries.cypher`".into())
                        .at(Span::new(args_at, args_at + args.len())),
                );
            }
            // A script that reads itself would never end.
            if s.reading >= 16 {
                return fail(
                    s,
                    usage_err(format!("`:read {path}` nests more than 16 scripts deep"))
                        .at(Span::new(args_at, args_at + args.len())),
                );
            }
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    return fail(
                        s,
                        usage_err(format!("cannot read {path}: {e}"))
                            .at(Span::new(args_at, args_at + args.len())),
                    );
                }
            };
            s.reading += 1;
            let r = s.run_source(&text, &path);
            s.reading -= 1;
            return r;
        }
        "history" => {
            let from = s.history.len().saturating_sub(20);
            let mut t = String::new();
            for (i, h) in s.history.iter().enumerate().skip(from) {
                let mut lines = h.lines();
                let _ = writeln!(t, "{:>5}  {}", i + 1, lines.next().unwrap_or(""));
                for l in lines {
                    let _ = writeln!(t, "       {l}");
                }
            }
            s.write_out(&t)?;
        }
        "explain" => {
            if args.is_empty() {
                return fail(
                    s,
                    usage_err(
                        "usage: `:explain QUERY`, e.g. `:explain MATCH (n:State) RETURN n`".into(),
                    )
                    .at(name_span),
                );
            }
            // Parsed here, so errors point into what the user wrote.
            let script = match crate::query::parse_script(args) {
                Ok(sc) => sc,
                Err(e) => return fail(s, super::shift(e, args_at)),
            };
            let opts = crate::query::ExecOptions {
                as_of: s.settings.as_of,
                ..Default::default()
            };
            for mut stmt in script.statements {
                stmt.explain = true;
                stmt.profile = false;
                match s.db.execute(&stmt, &s.settings.params, &opts) {
                    Ok(res) => s.print_result(&res, std::time::Duration::ZERO)?,
                    Err(crate::error::Error::Query(e)) => {
                        stmt.profile = false;
                        return fail(s, super::shift(e, args_at));
                    }
                    Err(e) => return Err(s.report(&e.to_string(), Failed::STORE)),
                }
            }
        }
        "describe" | "timeline" | "path" | "why" => {
            return shortcut(s, name, args, args_at, src, origin);
        }
        "indexes" | "constraints" => {
            if !args.is_empty() {
                let e = usage_err(format!("usage: `:{name}` (no arguments)"))
                    .at(Span::new(args_at, args_at + args.len()));
                return fail(s, e);
            }
            let cypher = format!("SHOW {}", name.to_uppercase());
            return shortcuts::show_and_run(s, &cypher, &format!(":{name}"));
        }
        "import" => {
            let (path, rest) = take_path(args);
            if path.is_empty() || !rest.is_empty() {
                let e = usage_err(
                "usage: `:import FILE` (a .json export or a .facts fact file) or `:import DIR` (a CSV export's directory, or one with nodes.csv and edges.csv)".into(),
            )
                    .at(Span::new(args_at, args_at + args.len()));
                return fail(s, e);
            }
            // One statement: all or nothing, and logged like any write (no
            // copy of the graph, no rewrite of the whole store).
            match s.db.import(std::path::Path::new(&path)) {
                Err(ImportFailed::Load(e)) => return Err(s.report(&e.to_string(), Failed::QUERY)),
                Err(ImportFailed::Store(e)) => return Err(s.report(&e.to_string(), Failed::STORE)),
                Ok(st) => {
                    s.mark_changed();
                    let t = format!(
                        "imported {} node{}, {} relationship{} from {path}\n",
                        st.nodes,
                        if st.nodes == 1 { "" } else { "s" },
                        st.rels,
                        if st.rels == 1 { "" } else { "s" }
                    );
                    s.write_out(&t)?;
                }
            }
        }
        _ => {
            let mut e = QueryError::new(
                ErrorClass::SemanticError,
                "UnknownCommand",
                format!("unknown command ':{name}' (type :help for the list)"),
            )
            .at(name_span);
            if let Some(h) = did_you_mean(name, COMMANDS.iter().map(|c| c.0)) {
                e = e.hint(format!(":{h}"));
            }
            return fail(s, e);
        }
    }
    Ok(Flow::Continue)
}

/// The analyst shortcuts: resolve the names, show the Cypher, run it.
fn shortcut<O: Write, E: Write>(
    s: &mut Session<O, E>,
    name: &str,
    args: &str,
    args_at: usize,
    src: &str,
    origin: &str,
) -> Result<Flow, Failed> {
    let usage = |msg: &str| {
        QueryError::new(ErrorClass::SemanticError, "InvalidCommand", msg.to_string())
            .at(Span::new(args_at, args_at + args.len()))
    };
    let at_args = |e: QueryError| e.at(Span::new(args_at, args_at + args.len()));
    let g = s.db.graph();
    let cypher = match name {
        "describe" => {
            if args.is_empty() {
                return Err(s.report_query(
                    &usage("usage: `:describe NAME`, e.g. `:describe Belarus`"),
                    src,
                    origin,
                ));
            }
            let who = match shortcuts::resolve(g, unquote_arg(args)) {
                Ok(n) => n,
                Err(e) => return Err(s.report_query(&at_args(e), src, origin)),
            };
            shortcuts::describe(&who)
        }
        "timeline" => {
            if args.is_empty() {
                return Err(s.report_query(
                    &usage("usage: `:timeline NAME [NAME]`, e.g. `:timeline Belarus China`"),
                    src,
                    origin,
                ));
            }
            // One name, or two when the whole is no name.
            let whole = unquote_arg(args);
            let (a, b) = if !g.lookup(whole).is_empty() {
                (whole.to_string(), None)
            } else {
                match shortcuts::two_names(g, args) {
                    Some((a, b)) => (a, Some(b)),
                    None => (whole.to_string(), None),
                }
            };
            let a = match shortcuts::resolve(g, &a) {
                Ok(n) => n,
                Err(e) => return Err(s.report_query(&at_args(e), src, origin)),
            };
            let b = match b.map(|b| shortcuts::resolve(g, &b)).transpose() {
                Ok(n) => n,
                Err(e) => return Err(s.report_query(&at_args(e), src, origin)),
            };
            shortcuts::timeline(&a, b.as_deref())
        }
        "path" => {
            let Some((a, b)) = shortcuts::two_names(g, args) else {
                return Err(s.report_query(&usage("usage: `:path A B`, names with spaces in quotes: `:path 'Xie Xiaoyong' RATS`"), src, origin));
            };
            let (a, b) = match (shortcuts::resolve(g, &a), shortcuts::resolve(g, &b)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => return Err(s.report_query(&at_args(e), src, origin)),
            };
            return shortcuts::run_path(s, &a, &b);
        }
        _ => {
            let what = unquote_arg(args);
            if what.is_empty() {
                return Err(s.report_query(
                    &usage(
                        "usage: `:why KEY` (a statement's key) or `:why TEXT` (words of a quote)",
                    ),
                    src,
                    origin,
                ));
            }
            if shortcuts::is_key(g, what) {
                shortcuts::why_key(what)
            } else {
                shortcuts::why_text(what)
            }
        }
    };
    shortcuts::show_and_run(s, &cypher, &format!(":{name}"))
}

fn unquote_arg(s: &str) -> &str {
    let s = s.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// `:last`: the last result, whole, through a pager on a terminal.
fn last<O: Write, E: Write>(s: &mut Session<O, E>) -> Result<Flow, Failed> {
    let Some(res) = s.last.clone() else {
        s.note("no result yet");
        return Ok(Flow::Continue);
    };
    if let Some(n) = s.last_total {
        s.note(&format!(
            "the last result had {n} rows, too many to keep: this shows the first {}",
            super::stream::LAST_KEEP
        ));
    }
    let (keep_w, keep_r, keep_fit) = (
        s.settings.max_width,
        s.settings.max_rows,
        s.settings.fit_terminal,
    );
    s.settings.max_width = None;
    s.settings.fit_terminal = false;
    s.settings.max_rows = None;
    let text = if s.settings.terminal {
        let mut buf = Session::new(
            crate::db::Database::in_memory(Graph::new()),
            s.settings.clone(),
            Vec::new(),
            Vec::new(),
        );
        let printed = buf.print_result(&res, std::time::Duration::ZERO);
        printed
            .ok()
            .map(|()| String::from_utf8_lossy(&buf.out).into_owned())
    } else {
        None
    };
    let r = match text {
        Some(t) if page(&t) => Ok(()),
        Some(t) => s.write_out(&t),
        None => s.print_result(&res, std::time::Duration::ZERO),
    };
    s.settings.max_width = keep_w;
    s.settings.max_rows = keep_r;
    s.settings.fit_terminal = keep_fit;
    r.map(|()| Flow::Continue)
}

/// Shows `text` through `$PAGER` (else `less -FRX`); false when no pager ran.
fn page(text: &str) -> bool {
    let pager = std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less -FRX".to_string());
    let child = std::process::Command::new("sh")
        .arg("-c")
        .arg(&pager)
        .stdin(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else { return false };
    if let Some(mut stdin) = child.stdin.take() {
        // A pager quit early closes the pipe: no error.
        let _ = stdin.write_all(text.as_bytes());
    }
    child.wait().is_ok_and(|st| st.success())
}

/// `Some(Some(b))` for on/off, `Some(None)` for nothing (toggle), None otherwise.
fn on_off(s: &str) -> Option<Option<bool>> {
    match s.to_ascii_lowercase().as_str() {
        "" => Some(None),
        "on" | "true" | "yes" => Some(Some(true)),
        "off" | "false" | "no" => Some(Some(false)),
        _ => None,
    }
}

/// The help text for a topic or command, or the overview for "".
pub fn help(topic: &str) -> Option<String> {
    let topic = topic.trim().trim_start_matches(':').to_ascii_lowercase();
    let mut t = String::new();
    match topic.as_str() {
        "" => {
            t.push_str("Statements end with `;` and may span lines. Commands start with `:`.\n\n");
            // Heads longer than this get a line of their own, so that one
            // long `:mode [...]` does not push every description right.
            const HEAD: usize = 24;
            for (n, a, d) in COMMANDS.iter().filter(|c| c.0 != "exit") {
                let head = if a.is_empty() {
                    format!(":{n}")
                } else {
                    format!(":{n} {a}")
                };
                if head.len() > HEAD {
                    let _ = writeln!(t, "  {head}\n  {:HEAD$}  {d}", "");
                } else {
                    let _ = writeln!(t, "  {head:<HEAD$}  {d}");
                }
            }
            t.push_str("\nMore, with examples: :help cypher, dates, asof, sources, export, shortcuts, indexes, procedures, formats.\n");
            t.push_str("Tab completes keywords, labels, types, properties, names and files;\n");
            t.push_str("Ctrl-R searches the history, Ctrl-C cancels the input, Ctrl-D leaves.\n");
        }
        "cypher" | "query" | "queries" => t = format!("{HELP_CYPHER}\n"),
        "dates" | "date" | "fdate" => t = format!("{HELP_DATES}\n"),
        "asof" | "as of" => t = format!("{HELP_ASOF}\n"),
        "sources" | "source" | "quotes" => t = format!("{HELP_SOURCES}\n"),
        "export" | "import" => t = format!("{HELP_EXPORT}\n"),
        "shortcuts" | "describe" | "timeline" | "path" | "why" => {
            t = format!("{HELP_SHORTCUTS}\n");
        }
        "formats" | "format" | "modes" => t = format!("{HELP_FORMATS}\n"),
        "indexes" | "index" | "constraints" | "constraint" => t = format!("{HELP_INDEXES}\n"),
        "procedures" | "procedure" | "call" => t = format!("{HELP_PROCEDURES}\n"),
        name => {
            let (n, a, d) = COMMANDS.iter().find(|c| c.0 == name)?;
            let _ = writeln!(t, ":{n} {a}\n  {d}");
        }
    }
    Some(t)
}

fn props_text(props: &[PropDecl]) -> String {
    props
        .iter()
        .map(|p| format!("{}: {}{}", p.name, p.ty, if p.required { "!" } else { "" }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `:schema`: each kind with its properties, each type with its endpoints.
pub fn schema_text(g: &Graph) -> String {
    let Some(schema) = g.schema() else {
        return "no schema: any label, type and property\n".to_string();
    };
    let mut t = String::new();
    let _ = writeln!(
        t,
        "node kinds ({}), `!` marks a required property:",
        schema.nodes.len()
    );
    let w = schema
        .nodes
        .keys()
        .map(|k| render::width(k) + 1)
        .max()
        .unwrap_or(0);
    for k in schema.nodes.values() {
        let head = format!(":{}", k.name);
        let pad = w.saturating_sub(render::width(&head));
        let _ = write!(t, "  {head}{}  {}", " ".repeat(pad), props_text(&k.props));
        if !k.doc.is_empty() {
            let _ = write!(t, "  -- {}", k.doc);
        }
        t.push('\n');
    }
    let _ = writeln!(t, "relationship types ({}):", schema.rels.len());
    let ends = |v: &[String]| {
        if v.is_empty() {
            "any".to_string()
        } else {
            v.join("|")
        }
    };
    let heads: Vec<String> = schema
        .rels
        .values()
        .map(|r| format!("(:{})-[:{}]->(:{})", ends(&r.from), r.name, ends(&r.to)))
        .collect();
    let w = heads.iter().map(|h| render::width(h)).max().unwrap_or(0);
    for (r, head) in schema.rels.values().zip(&heads) {
        let pad = w.saturating_sub(render::width(head));
        let _ = write!(t, "  {head}{}  {}", " ".repeat(pad), props_text(&r.props));
        if !r.doc.is_empty() {
            let _ = write!(t, "  -- {}", r.doc);
        }
        let line_end = t.trim_end_matches(' ').len();
        t.truncate(line_end);
        t.push('\n');
    }
    t
}

/// `:stats`: totals, nodes per label, relationships per type.
/// `:stats` as a result (for the modes other than table): a row of
/// `kind`, `name`, `count` for the nodes, the relationships, each label
/// and each relationship type.
pub fn stats_result(g: &Graph) -> crate::query::QueryResult {
    use crate::model::Value;
    let row = |kind: &str, name: Option<&str>, n: usize| {
        vec![
            Value::from(kind),
            name.map_or(Value::Null, Value::from),
            Value::Int(n as i64),
        ]
    };
    let mut rows = vec![
        row("nodes", None, g.node_count()),
        row("relationships", None, g.rel_count()),
    ];
    for l in g.labels() {
        rows.push(row("label", Some(l), g.label_count(l)));
    }
    let types: std::collections::BTreeMap<&str, usize> = g
        .rel_type_counts()
        .into_iter()
        .map(|(t, n)| (t.as_str(), n))
        .collect();
    for (t, n) in types {
        rows.push(row("type", Some(t), n));
    }
    crate::query::QueryResult {
        columns: vec!["kind".into(), "name".into(), "count".into()],
        rows,
        ..Default::default()
    }
}

pub fn stats_text(g: &Graph) -> String {
    let mut t = format!(
        "{} {}, {} {}\n",
        g.node_count(),
        if g.node_count() == 1 { "node" } else { "nodes" },
        g.rel_count(),
        if g.rel_count() == 1 {
            "relationship"
        } else {
            "relationships"
        }
    );
    let labels: Vec<Vec<Cell>> = g
        .labels()
        .map(|l| {
            vec![
                Cell::left(l),
                Cell::right(g.nodes_with_label(l).count().to_string()),
            ]
        })
        .collect();
    if !labels.is_empty() {
        t.push_str(&render::boxed(&["label".into(), "nodes".into()], &labels, None).0);
    }
    // The relationship-type index has the counts (a pass over five million
    // relationships took half a second).
    let types: std::collections::BTreeMap<&str, usize> = g
        .rel_type_counts()
        .into_iter()
        .map(|(t, n)| (t.as_str(), n))
        .collect();
    if !types.is_empty() {
        let rows: Vec<Vec<Cell>> = types
            .iter()
            .map(|(k, n)| vec![Cell::left(*k), Cell::right(n.to_string())])
            .collect();
        t.push_str(&render::boxed(&["type".into(), "relationships".into()], &rows, None).0);
    }
    t
}

/// Reads a file name: up to white space, or in quotes.
fn take_path(args: &str) -> (String, &str) {
    if let Some(q) = args.chars().next().filter(|c| *c == '\'' || *c == '"')
        && let Some(end) = args[1..].find(q)
    {
        return (args[1..1 + end].to_string(), args[end + 2..].trim_start());
    }
    let end = args.find(char::is_whitespace).unwrap_or(args.len());
    (args[..end].to_string(), args[end..].trim_start())
}

/// The DOT options at the start of `rest` (`--cluster kind|year|none`,
/// `--timeline`) and the text after them; on an error, what is wrong and
/// the text from the offending word on.
fn dot_flags<'a>(
    format: &str,
    mut rest: &'a str,
) -> Result<(crate::export::dot::DotOptions, &'a str), (String, &'a str)> {
    use crate::export::dot::{Cluster, DotOptions};
    let mut opts = DotOptions::default();
    while rest.starts_with("--") {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (flag, after) = (&rest[..end], rest[end..].trim_start());
        if !format.eq_ignore_ascii_case("dot") {
            return Err((format!("{flag} is an option of the dot export"), rest));
        }
        match flag {
            "--timeline" => {
                opts.timeline = true;
                rest = after;
            }
            "--cluster" => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                let Some(c) = Cluster::parse(&after[..end]) else {
                    return Err(("--cluster takes kind, year or none".into(), rest));
                };
                opts.cluster = c;
                rest = after[end..].trim_start();
            }
            _ => {
                return Err((
                    format!("unknown option {flag}; dot takes --cluster kind|year and --timeline"),
                    rest,
                ));
            }
        }
    }
    Ok((opts, rest))
}

/// `:export FORMAT FILE [--cluster kind|year] [--timeline] [QUERY]`.
fn export<O: Write, E: Write>(
    s: &mut Session<O, E>,
    src: &str,
    args_at: usize,
    args: &str,
    origin: &str,
) -> Result<Flow, Failed> {
    let usage = |msg: &str, span: Span| {
        QueryError::new(
            ErrorClass::SemanticError,
            "InvalidCommand",
            format!("{msg}; usage: `:export FORMAT FILE [QUERY]` (dot: `:export dot FILE [--cluster kind|year] [--timeline] [QUERY]`)"),
        )
        .at(span)
    };
    let fmt_len = args.find(char::is_whitespace).unwrap_or(args.len());
    let format = &args[..fmt_len];
    let formats = crate::export::FORMATS;
    if !formats.iter().any(|f| f.eq_ignore_ascii_case(format)) {
        let msg = if format.is_empty() {
            format!("say what to export ({})", formats.join(", "))
        } else {
            format!(
                "unknown export format '{format}'; the formats are {}",
                formats.join(", ")
            )
        };
        let mut e = usage(&msg, Span::new(args_at, args_at + fmt_len));
        if let Some(h) =
            did_you_mean(format, formats.iter().copied()).filter(|_| !format.is_empty())
        {
            e = e.hint(h);
        }
        return Err(s.report_query(&e, src, origin));
    }
    let rest = args[fmt_len..].trim_start();
    let rest_at = args_at + (args.len() - rest.len());
    let (file, query) = take_path(rest);
    if file.is_empty() {
        return Err(s.report_query(
            &usage("name the file to write", Span::new(rest_at, rest_at)),
            src,
            origin,
        ));
    }
    let (dot_options, query) = match dot_flags(format, query) {
        Ok(x) => x,
        Err((msg, bad)) => {
            let at = args_at + (args.len() - bad.len());
            let len = bad.find(char::is_whitespace).unwrap_or(bad.len());
            return Err(s.report_query(&usage(&msg, Span::new(at, at + len)), src, origin));
        }
    };
    let query_at = args_at + (args.len() - query.len());
    let result = if query.is_empty() {
        None
    } else {
        if let Err(e) = crate::export::check_read_only(query) {
            let e = if let Some(sp) = e.span {
                let span = Span::new(sp.start + query_at, sp.end + query_at);
                e.at(span)
            } else {
                e
            };
            return Err(s.report_query(&e, src, origin));
        }
        let results = s.execute_text(src, query_at..query_at + query.len(), origin)?;
        let Some((res, _)) = results.into_iter().last() else {
            return Err(s.report_query(
                &usage(
                    "the query has no statement",
                    Span::new(query_at, query_at + query.len()),
                ),
                src,
                origin,
            ));
        };
        for n in &res.notices {
            s.note(n);
        }
        Some(res)
    };
    let (nodes, rels) = match &result {
        Some(r) => (r.nodes.len(), r.rels.len()),
        None => (s.db.graph().node_count(), s.db.graph().rel_count()),
    };
    let written = crate::export::export_to_path_with(
        format,
        s.db.graph(),
        result.as_ref(),
        Path::new(&file),
        &dot_options,
    );
    let report = match written {
        Ok(r) => r,
        Err(e) => return Err(s.report(&format!("cannot export to {file}: {e}"), Failed::QUERY)),
    };
    let mut note = format!(
        "wrote {file} ({nodes} node{}, {rels} relationship{})",
        if nodes == 1 { "" } else { "s" },
        if rels == 1 { "" } else { "s" }
    );
    for n in &report.notes {
        note.push_str("; ");
        note.push_str(n);
    }
    if let Some(r) = &result
        && nodes == 0
        && rels == 0
        && !r.rows.is_empty()
    {
        // Rows of names or numbers: an export draws graph elements.
        note.push_str(
            "; the query's rows hold no nodes, relationships or paths, so the file holds an empty graph (RETURN n, r or p to export them)",
        );
    }
    s.note(&note);
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Database;
    use crate::model::{Props, Value};
    use crate::shell::{Session, Settings};

    fn session() -> Session<Vec<u8>, Vec<u8>> {
        let mut g = Graph::new();
        let mut p = Props::new();
        p.insert("name".into(), "Belarus".into());
        let a = g.create_node(vec!["State".into()], p).unwrap();
        let b = g
            .create_node(vec!["Organisation".into()], Props::new())
            .unwrap();
        let c = g
            .create_node(vec!["Organisation".into()], Props::new())
            .unwrap();
        g.create_rel(a, b, "MEMBER_OF".into(), Props::new())
            .unwrap();
        g.create_rel(a, c, "MEMBER_OF".into(), Props::new())
            .unwrap();
        Session::new(
            Database::in_memory(g),
            Settings::default(),
            Vec::new(),
            Vec::new(),
        )
    }

    fn out(s: &Session<Vec<u8>, Vec<u8>>) -> (String, String) {
        (
            String::from_utf8_lossy(&s.out).into_owned(),
            String::from_utf8_lossy(&s.err).into_owned(),
        )
    }

    #[test]
    fn stats_counts_by_label_and_type() {
        let mut s = session();
        assert_eq!(s.run_source(":stats", "-c"), Ok(Flow::Continue));
        let (o, _) = out(&s);
        assert!(o.starts_with("3 nodes, 2 relationships\n"), "{o}");
        assert!(o.contains("│ Organisation │     2 │"), "{o}");
        assert!(o.contains("│ MEMBER_OF │             2 │"), "{o}");
    }

    #[test]
    fn settings_commands_change_settings() {
        let mut s = session();
        let script = ":mode ndjson\n:timer on\n:asof 2024-01-20\n:param who 'Belarus'\n:param n => [1, 2]\n:width 30\n";
        assert_eq!(s.run_source(script, "-c"), Ok(Flow::Continue));
        assert_eq!(s.settings.mode, Mode::Ndjson);
        assert!(s.settings.timer);
        assert_eq!(s.settings.as_of, Some(FDate::day(2024, 1, 20).unwrap()));
        assert_eq!(s.settings.params.get("who"), Some(&Value::from("Belarus")));
        assert_eq!(
            s.settings.params.get("n"),
            Some(&Value::List(vec![1.into(), 2.into()]))
        );
        assert_eq!(s.settings.max_width, Some(30));
        assert!(!s.settings.fit_terminal);
        // `:width auto` cuts nothing when the output is not a terminal.
        s.run_source(":width auto", "-c").unwrap();
        assert!(s.settings.fit_terminal);
        assert_eq!(s.settings.max_width, None);
        s.run_source(":params\n:asof off\n", "-c").unwrap();
        assert_eq!(out(&s).0, "$n = [1, 2]\n$who = 'Belarus'\n");
        assert_eq!(s.settings.as_of, None);
        assert_eq!(s.run_source(":quit\n:stats", "-c"), Ok(Flow::Quit));
    }

    #[test]
    fn unknown_commands_fail_with_a_suggestion_and_a_caret() {
        let mut s = session();
        assert_eq!(
            s.run_source(":stats\n  :shema", "x.cypher"),
            Err(Failed::QUERY)
        );
        let (_, e) = out(&s);
        assert!(e.starts_with("error: unknown command ':shema'"), "{e}");
        assert!(e.contains("--> x.cypher:2:3"), "{e}");
        assert!(e.contains("|   ^^^^^^\n"), "{e}");
        assert!(e.contains("did you mean ':schema'?"), "{e}");
        let mut s = session();
        assert_eq!(s.run_source(":mode xml", "-c"), Err(Failed::QUERY));
        assert_eq!(s.run_source(":param x Belarus", "-c"), Err(Failed::QUERY));
        assert!(out(&s).1.contains("cannot read the value of $x"));
    }

    #[test]
    fn export_note_says_what_the_rdf_left_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("t.nt");
        let mut s = session();
        let script = format!(
            "CREATE (:T {{e: [], m: duration({{months: 1, days: -1}}), d: duration('PT5M')}});\n\
             :export nt {}\n",
            file.display()
        );
        assert_eq!(s.run_source(&script, "-c"), Ok(Flow::Continue));
        let (_, e) = out(&s);
        assert!(
            e.contains(&format!(
                "wrote {} (4 nodes, 2 relationships); 1 empty list left out (a list is one \
                 triple per element, so an empty one has none); 1 duration with components \
                 of mixed signs written as plain text (an xsd:duration has one sign)\n",
                file.display()
            )),
            "{e}"
        );
        let nt = std::fs::read_to_string(&file).expect("written");
        assert!(
            nt.contains("\"PT5M\"^^<http://www.w3.org/2001/XMLSchema#duration>"),
            "{nt}"
        );
    }

    #[test]
    fn schema_without_one_says_anything_goes() {
        assert_eq!(
            schema_text(&Graph::new()),
            "no schema: any label, type and property\n"
        );
    }

    #[test]
    fn help_covers_every_command() {
        let h = help("").unwrap();
        for (n, _, _) in COMMANDS.iter().filter(|c| c.0 != "exit") {
            assert!(h.contains(&format!(":{n}")), "{n} missing from help");
            assert!(help(n).is_some());
        }
        assert!(help("nonsense").is_none());
        for t in TOPICS {
            assert!(help(t).is_some(), "{t}");
        }
    }

    #[test]
    fn history_lists_the_last_twenty_entries() {
        let mut s = session();
        s.history = (1..=25).map(|i| format!("RETURN {i};")).collect();
        s.history.push("MATCH (n)\nRETURN n;".into());
        s.run_source(":history", "-c").unwrap();
        let (o, _) = out(&s);
        let lines: Vec<&str> = o.lines().collect();
        assert_eq!(lines.len(), 21, "{o}");
        assert_eq!(lines[0], "    7  RETURN 7;");
        assert_eq!(lines[19], "   26  MATCH (n)");
        assert_eq!(lines[20], "       RETURN n;");
    }
}
