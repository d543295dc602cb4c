//! The shell as an analyst uses it on the article graph (`--seed`): notes
//! and "did you mean", output modes, long results, the analyst shortcuts.
//! Each test drives the real binary with `-c` or piped stdin and checks
//! stdout, stderr and the exit status.

use std::io::Write;
use std::process::{Command, Output, Stdio};

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run(args: &[&str], stdin: &str) -> Run {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_factgraph"));
    cmd.args(args)
        .current_dir(dir.path())
        .env_remove("FACTGRAPH_STORE")
        .env_remove("NO_COLOR")
        .env_remove("PAGER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the factgraph binary starts");
    if let Some(mut si) = child.stdin.take() {
        let _ = si.write_all(stdin.as_bytes());
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("factgraph runs to the end");
    Run {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code: status.code().unwrap_or(-1),
    }
}

/// The article graph, a script on stdin.
fn seed(stdin: &str) -> Run {
    run(&["--seed"], stdin)
}

// ---- 1. did you mean ----------------------------------------------------------

#[test]
fn an_unknown_label_is_a_note_with_a_suggestion_not_an_error() {
    let r = run(&["--seed", "-c", "MATCH (n:Stat) RETURN n"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "note: no node has the label Stat; did you mean State?\n"
    );
    assert!(r.stdout.ends_with("0 rows\n"), "{}", r.stdout);
}

#[test]
fn unknown_types_and_properties_get_notes_too() {
    let r = seed("MATCH (s:State)<-[:HELD]-(o) WHERE s.nme = 'Belarus' RETURN o;\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("note: no relationship has the type HELD; did you mean HELD_IN?"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("note: nothing has the property nme; did you mean name?"),
        "{}",
        r.stderr
    );
    // Known names, and names the statement writes, draw no note.
    let r = run(
        &["--memory"],
        "CREATE (:City {name: 'Minsk'});\nMATCH (c:City {name: 'Minsk'}) RETURN c.name;\n\
         CREATE (:Brandnew {zzz: 1});\nMERGE (n:Fresh {k: 1}) RETURN n.k;\n",
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{}", r.stdout);
}

#[test]
fn swapped_letters_get_a_suggestion() {
    let r = seed("MATCH (n:Sttae) RETURN n.nmae;\nMATCH ()-[:HELD_NI]->() RETURN 1;\n:moed csv\n");
    assert_eq!(r.code, 1, "{}", r.stderr);
    for want in [
        "note: no node has the label Sttae; did you mean State?",
        "note: nothing has the property nmae; did you mean name?",
        "note: no relationship has the type HELD_NI; did you mean HELD_IN?",
        "did you mean ':mode'?",
    ] {
        assert!(r.stderr.contains(want), "{want}: {}", r.stderr);
    }
}

#[test]
fn unknown_functions_and_commands_fail_with_a_suggestion() {
    let r = run(&["--seed", "-c", "RETURN toUpperr('a')"], "");
    assert_eq!(r.code, 1);
    // Spelled as the function is documented, not as it was typed.
    assert!(
        r.stderr.contains("did you mean 'toUpper()'?"),
        "{}",
        r.stderr
    );
    let r = run(&["--seed", "-c", ":descibe Belarus"], "");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("did you mean ':describe'?"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_name_found_through_an_alias_says_so() {
    let r = run(
        &[
            "--seed",
            "--format",
            "csv",
            "-c",
            "MATCH (n {name: 'Alejnik'}) RETURN n.name",
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "n.name\nSergei Aleinik\n");
    assert!(
        r.stderr
            .contains("'Alejnik' matched Sergei Aleinik through its alias"),
        "{}",
        r.stderr
    );
}

// ---- 2. more modes -------------------------------------------------------------

const THREE: &str = "UNWIND [1, 2] AS n RETURN n, 'a|b' AS s, null AS z;\n";

#[test]
fn line_mode_prints_one_column_per_line_and_a_blank_line_between_rows() {
    let r = run(&["--memory", "--format", "line"], THREE);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "n = 1\ns = a|b\nz = null\n\nn = 2\ns = a|b\nz = null\n"
    );
    let r = run(
        &["--memory"],
        ":mode line\nRETURN 1 AS one, 'x' AS longer;\n",
    );
    assert_eq!(r.stdout, "   one = 1\nlonger = x\n");
}

#[test]
fn tsv_and_markdown_modes() {
    let r = run(
        &["--memory", "--format", "tsv"],
        "RETURN 1 AS n, 'a\tb' AS s, null AS z;\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "n\ts\tz\n1\ta\\tb\t\n");
    let r = run(&["--memory"], &format!(":mode markdown\n{THREE}"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "| n | s | z |\n| ---: | --- | --- |\n| 1 | a\\|b | null |\n| 2 | a\\|b | null |\n"
    );
    let r = run(&["--memory", "-c", ":mode xml"], "");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("line, csv, tsv, json, ndjson, markdown"),
        "{}",
        r.stderr
    );
}

// ---- 3. nothing lost silently ---------------------------------------------------

#[test]
fn piped_tables_are_never_cut_and_never_elided() {
    let long = "x".repeat(100);
    let r = run(
        &[
            "--memory",
            "-c",
            &format!("UNWIND range(1, 100) AS i RETURN i, '{long}' AS s"),
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&long), "the cell is whole");
    assert!(r.stdout.contains("│ 100 │"), "the last row is there");
    assert!(r.stdout.contains("│  50 │"), "the middle rows are there");
    assert!(r.stdout.ends_with("100 rows\n"), "{}", r.stdout);
    assert_eq!(r.stderr, "", "no note about cut cells");
}

#[test]
fn long_results_show_first_and_last_rows_with_the_count_and_last_shows_all() {
    let r = run(
        &["--memory"],
        ":rows 10\nUNWIND range(1, 100) AS i RETURN i;\n:last\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (first, rest) = r.stdout.split_once("100 rows\n").expect("two results");
    assert!(
        first.contains("│ … 90 more rows … (:last shows all) │\n"),
        "{first}"
    );
    let cells: Vec<&str> = first
        .lines()
        .filter_map(|l| l.strip_prefix("│ "))
        .map(|l| l.trim_end_matches('│').trim())
        .collect();
    assert_eq!(
        cells,
        [
            "i",
            "1",
            "2",
            "3",
            "4",
            "5",
            "… 90 more rows … (:last shows all)",
            "96",
            "97",
            "98",
            "99",
            "100"
        ]
    );
    // :last prints every row (no pager: stdout is not a terminal).
    assert_eq!(
        rest.lines().filter(|l| l.starts_with("│ ")).count(),
        101,
        "{rest}"
    );
    assert!(!rest.contains("more rows"), "{rest}");
    assert!(rest.ends_with("100 rows\n"), "{rest}");
    let r = run(
        &["--memory"],
        ":rows 4\n:mode line\nUNWIND range(1, 9) AS i RETURN i;\n",
    );
    assert_eq!(
        r.stdout,
        "i = 1\n\ni = 2\n\n… 5 more rows … (:last shows all)\n\ni = 8\n\ni = 9\n"
    );
}

#[test]
fn width_still_cuts_when_asked() {
    let r = run(&["--memory"], ":width 5\nRETURN 'abcdefgh' AS s;\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("│ abcd… │"), "{}", r.stdout);
    assert_eq!(
        r.stderr,
        "note: cells of column s were cut to 5 columns (marked …); `:width off`, `:last` or `:mode line` show them whole\n"
    );
}

// ---- 4. shortcuts ------------------------------------------------------------------

#[test]
fn describe_shows_the_cypher_then_the_entity_and_its_facts() {
    let r = run(&["--seed", "-c", ":describe alejnik"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("// MATCH (e {name: 'Sergei Aleinik'})\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.lines().all(|l| l.starts_with("// ")),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("│ ['Person'] │ Sergei Aleinik │"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("'Alejnik'"), "aliases: {}", r.stdout);
    assert!(r.stdout.contains("-[HOLDS_OFFICE]->"), "{}", r.stdout);
    assert!(r.stdout.contains("2024-01-18"), "dates: {}", r.stdout);
    // Statements the entity takes part in, with their quotes.
    let r = run(&["--seed", "--format", "csv", "-c", ":describe RATS"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Belarus is ready to contribute"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Wir sind bereit"), "{}", r.stdout);
}

#[test]
fn unknown_names_in_shortcuts_fail_with_did_you_mean() {
    let r = run(&["--seed", "-c", ":describe Belarsu"], "");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with("error: nothing is called 'Belarsu'"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("did you mean 'Belarus'?"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn timeline_orders_facts_by_date_with_precision_undated_last() {
    let r = run(
        &["--seed", "--format", "csv", "-c", ":timeline Belarus China"],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "date,precision,link,what,modality,source");
    assert!(lines[1].starts_with("1992,year,"), "{}", r.stdout);
    let dates: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap_or(""))
        .collect();
    let first_undated = dates
        .iter()
        .position(|d| d.is_empty())
        .unwrap_or(dates.len());
    assert!(
        dates[first_undated..].iter().all(|d| d.is_empty()),
        "undated last: {dates:?}"
    );
    assert!(
        r.stdout.contains(",expected,"),
        "modality shown: {}",
        r.stdout
    );
}

/// The rows of `:timeline NAME` on the article graph, as CSV lines.
fn seed_timeline(name: &str) -> Vec<String> {
    let r = run(
        &[
            "--seed",
            "--format",
            "csv",
            "-c",
            &format!(":timeline {name}"),
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout.lines().skip(1).map(str::to_string).collect()
}

/// A date's timeline holds the facts on the dates of its calendar within
/// it: 2024's those of 2024-05-21 and ~2024-01-11, 2024-01's only January's.
#[test]
fn timeline_of_a_date_takes_in_the_dates_within_it() {
    let dates = |name: &str| -> Vec<String> {
        seed_timeline(name)
            .iter()
            .map(|l| l.split(',').next().unwrap_or("").to_string())
            .collect()
    };
    let year = dates("2024");
    for d in ["2024", "~2024-01-11", "2024-05-21"] {
        assert!(year.iter().any(|x| x == d), "{d} in {year:?}");
    }
    assert!(
        year.iter()
            .all(|d| d.trim_start_matches('~').starts_with("2024")),
        "{year:?}"
    );
    let january = dates("2024-01");
    assert!(january.iter().any(|x| x == "~2024-01-11"), "{january:?}");
    assert!(
        january
            .iter()
            .all(|d| d.trim_start_matches('~').starts_with("2024-01")),
        "{january:?}"
    );
    // A month with facts of its own keeps them.
    assert!(!dates("2023-10").is_empty());
}

/// The events on a date are in its timeline, each once, with its own date:
/// October 2023 had the conference on Eurasian security and the eight
/// steps to support the BRI, 2023 those and the BRICS summit.
#[test]
fn timeline_of_a_date_has_its_events() {
    let events = |name: &str| -> Vec<String> {
        seed_timeline(name)
            .into_iter()
            .filter(|l| l.contains("(2023)"))
            .collect()
    };
    let october = events("2023-10");
    assert_eq!(
        october,
        [
            "2023-10,month,ON,Conference on Eurasian Security (2023),,\"a000, a003\"",
            "2023-10,month,ON,Announcement of the eight steps to support the BRI (2023),,a002",
        ],
        "{october:?}"
    );
    let year = events("2023");
    for e in ["BRICS summit (2023)", "High-level visits to China (2023)"] {
        assert!(year.iter().any(|l| l.contains(e)), "{e} in {year:?}");
    }
    assert!(october.iter().all(|l| year.contains(l)), "{year:?}");
    // An event is named by its name (it has a status too), and kept by a
    // second name it is linked to.
    assert!(
        seed_timeline("2024")
            .iter()
            .any(|l| l == "2024,year,ON,Conference on Eurasian Security (2024),,a003"),
        "{:?}",
        seed_timeline("2024")
    );
    assert!(
        seed_timeline("2023-10 Belarus")
            .iter()
            .any(|l| l.contains("Conference on Eurasian Security (2023)")),
        "{:?}",
        seed_timeline("2023-10 Belarus")
    );
    // An entity's timeline does not take in an event linked to it without
    // a quote; the event's date's does.
    let script = "CREATE (:Event {name: 'E', date: fdate('2020')})-[:HELD_IN]->(:City {name: 'C'}), (e:Event {name: 'F'})-[:ON]->(:Date {name: '2021', value: fdate('2021')}), (e)-[:HELD_IN]->(:City {name: 'D'});\n:timeline C\n:timeline D\n:timeline 2021\n";
    let r = run(&["--memory", "--format", "csv"], script);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| !l.starts_with("date,"))
        .collect();
    assert_eq!(lines, [",,ON,F,,"], "{}", r.stdout);
}

/// A fact is listed once however many ways the calendar reaches it: an
/// `IN` cycle through the entity, or a statement on a year and on a day of
/// it.
#[test]
fn timeline_lists_each_fact_once() {
    let script = "CREATE (a {name: 'A'})-[:IN {quote: 'q1'}]->(b {name: 'B'}), (b)-[:IN {quote: 'q2'}]->(a), (a)-[:SAYS {quote: 'q3'}]->(:X {name: 'C'});\n:timeline A\n";
    let r = run(&["--memory", "--format", "csv"], script);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1 + 3, "{}", r.stdout);
    let r = run(
        &["--seed", "--format", "csv"],
        "MATCH (s:Statement)-[:ON]->(:Date {name: '2024-05-21'}), (y:Date {name: '2024'}) WITH s, y LIMIT 1 CREATE (s)-[:ON]->(y);\n:timeline 2024\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let mut unique = lines.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), lines.len(), "{}", r.stdout);
}

#[test]
fn path_draws_the_shortest_connection_through_facts() {
    let r = run(&["--seed", "-c", ":path Xie Xiaoyong RATS"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("// MATCH p = shortestPath("),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("'MENTIONED_IN', 'SOURCE', 'ON', 'IN'"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout
            .starts_with("Xie Xiaoyong -[ACCREDITED_TO]-> Belarus <-[SUBJECT]- (Plan: "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("-[ORGANISATION]-> Regional Anti-Terrorist Structure\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn why_finds_the_article_behind_a_key_or_a_text() {
    let r = run(
        &["--seed", "--format", "line", "-c", ":why busy_year_2023"],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "  article = Aleinik: process of Belarus’ joining SCO will definitely continue\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("published = 2024-01-18\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("quote = 2023 was a very busy year"),
        "{}",
        r.stdout
    );
    let r = run(&["--seed", "--format", "csv", "-c", ":why Anti-Terror"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Regional Anti-Terrorist Structure -[PART_OF]->"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("2024-05-21"), "{}", r.stdout);
}

// ---- 5. explain, help ------------------------------------------------------------

#[test]
fn explain_prints_the_plan_without_running() {
    let r = run(
        &[
            "--seed",
            "-c",
            ":explain MATCH (s:State)-[:HELD_IN]-(e) RETURN e",
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Match (s:State)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("start: label index :State"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout
            .lines()
            .any(|l| l.ends_with(" rows") || l.starts_with('│')),
        "nothing ran: {}",
        r.stdout
    );
    let r = run(
        &["--seed", "-c", "RETURN 1;\n:explain MATCH (n RETURN n"],
        "",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("-c:2:19"),
        "the caret is on the user's text: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("2 | :explain MATCH (n RETURN n\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn help_topics_have_examples_that_run_on_the_article_graph() {
    for topic in ["dates", "asof", "sources", "export", "shortcuts", "indexes"] {
        let r = run(&["--seed", "-c", &format!(":help {topic}")], "");
        assert_eq!(r.code, 0, "{topic}: {}", r.stderr);
        let examples: Vec<&str> = r
            .stdout
            .lines()
            .filter_map(|l| l.strip_prefix("    "))
            .collect();
        assert!(examples.len() >= 3, "{topic} has examples: {}", r.stdout);
        let script = examples.join("\n") + "\n";
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .args(["--seed", "-c", &script])
            .current_dir(dir.path())
            .output()
            .expect("factgraph runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{topic}:\n{script}\n{stderr}");
        assert!(!stderr.contains("error:"), "{topic}: {stderr}");
        assert!(!out.stdout.is_empty(), "{topic} printed something");
    }
}

// ---- 6. :read ------------------------------------------------------------------

#[test]
fn read_runs_a_script_from_the_prompt_and_stops_at_its_first_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.cypher"),
        "RETURN 1 AS one;\n:mode csv\nRETURN 2 AS two;\nRETURN x;\nRETURN 3 AS three;\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("self.cypher"), ":read self.cypher\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(["--memory", "-c", ":read a.cypher\nRETURN 4 AS four;"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(o.contains("│   1 │") || o.contains("│ 1   │"), "{o}");
    assert!(o.ends_with("two\n2\n"), "stopped at the error: {o}");
    assert!(e.contains("--> a.cypher:4:8"), "{e}");
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(["--memory", "-c", ":read self.cypher"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nests more than 16 scripts deep"));
}

#[test]
fn dot_mode_draws_what_the_query_returned() {
    let r = run(
        &[
            "--seed",
            "--format",
            "dot",
            "-c",
            "MATCH p = (:State {name: 'Belarus'})-[:HOLDS_OFFICE]-(x) RETURN p",
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("digraph"), "{}", r.stdout);
    assert!(
        r.stdout.contains("Belarus") && r.stdout.contains("HOLDS_OFFICE"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Aleinik"), "{}", r.stdout);
}

#[test]
fn an_unknown_entity_name_in_a_query_gets_a_note() {
    let r = run(
        &["--seed", "-c", "MATCH (n {name: 'Belarsu'}) RETURN n"],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "note: nothing is called 'Belarsu' (no name or alias); did you mean 'Belarus'?\n"
    );
}

#[test]
fn the_lint_notices_a_type_gone_after_a_write() {
    // The lint remembers names it found until the graph changes.
    let r = run(
        &[
            "--memory",
            "--format",
            "csv",
            "-c",
            "CREATE (:A)-[:TT]->(:B); MATCH ()-[r:TT]->() RETURN count(r); \
             MATCH ()-[r:TT]->() DELETE r; MATCH ()-[r:TT]->() RETURN count(r) AS after;",
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("no relationship has the type TT").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("after\n0"), "{}", r.stdout);
}

#[test]
fn describe_of_a_date_has_the_statements_on_the_dates_within_it() {
    let year = run(&["--seed", "--format", "csv", "-c", ":describe 2024"], "");
    assert_eq!(year.code, 0, "{}", year.stderr);
    let day = run(
        &["--seed", "--format", "csv", "-c", ":describe 2024-05-21"],
        "",
    );
    // Every statement on 2024-05-21 is among 2024's, beside those on 2024.
    let statements = |out: &str| -> Vec<String> {
        out.lines()
            .skip_while(|l| !l.starts_with("role,kind,what"))
            .skip(1)
            .map(str::to_string)
            .collect()
    };
    let (y, d) = (statements(&year.stdout), statements(&day.stdout));
    assert!(!d.is_empty(), "{}", day.stdout);
    for s in &d {
        assert!(y.contains(s), "{s} missing from 2024's: {}", year.stdout);
    }
    assert!(y.iter().any(|s| s.contains(",2024,")), "{}", year.stdout);
}
