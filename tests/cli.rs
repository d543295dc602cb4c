//! The `factgraph` binary as a user runs it: arguments, stdin, stdout,
//! stderr and the exit status. Every run happens in a fresh temporary
//! directory, so the default store `graph/articles.fg` never lands in the repo.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use unicode_width::UnicodeWidthStr;

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run_in(dir: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_factgraph"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("FACTGRAPH_STORE")
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the factgraph binary starts");
    if let Some(mut si) = child.stdin.take() {
        // The binary may exit before reading everything (a usage error).
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

fn run(args: &[&str], stdin: &str) -> Run {
    let dir = tempfile::tempdir().expect("a temp dir");
    run_in(dir.path(), args, stdin, &[])
}

/// Every line of a box-drawn table has the same display width.
fn assert_table_aligned(out: &str) {
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '├', '└']))
        .collect();
    assert!(lines.len() >= 4, "no table in:\n{out}");
    let w = lines[0].width();
    for l in &lines {
        assert_eq!(l.width(), w, "misaligned line {l:?} in:\n{out}");
    }
}

// ---- without the parser: arguments, colon commands, exit codes -------------

#[test]
fn usage_errors_exit_2() {
    let r = run(&["--no-such-flag"], "");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--no-such-flag"));
    let r = run(&["--memory", "--store", "x.fg", "-c", ":stats"], "");
    assert_eq!(r.code, 2);
    let r = run(&["--memory", "--format", "xml", "-c", ":stats"], "");
    assert_eq!(r.code, 2);
    let r = run(&["--memory", "--param", "x", "-c", ":stats"], "");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("NAME=VALUE"), "{}", r.stderr);
    let r = run(&["--memory", "--as-of", "2024-13", "-c", ":stats"], "");
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
}

#[test]
fn a_missing_script_file_exits_2_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["-f", "nope.cypher"], "", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: cannot read nope.cypher"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("graph").exists(), "no store was built");
}

#[test]
fn colon_commands_run_from_c_and_from_piped_stdin_without_banner() {
    let r = run(&["--memory", "-c", ":stats"], "");
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "0 nodes, 0 relationships\n", "")
    );
    // Piped stdin: no banner, no prompt, only what the commands print.
    let r = run(&["--memory"], ":stats\n:mode\n:mode csv\n:mode\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "0 nodes, 0 relationships\nmode table\nmode csv\n");
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn scripts_stop_at_the_first_error_and_point_at_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.fgq"),
        ":stats\n// a comment\n  :shcema\n:stats\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["--memory", "-f", "s.fgq"], "", &[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout, "0 nodes, 0 relationships\n",
        "the command after the error did not run"
    );
    assert!(
        r.stderr.starts_with("error: unknown command ':shcema'"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--> s.fgq:3:3\n"), "{}", r.stderr);
    assert!(r.stderr.contains("3 |   :shcema\n"), "{}", r.stderr);
    assert!(r.stderr.contains("  |   ^^^^^^^\n"), "{}", r.stderr);
    assert!(r.stderr.contains("did you mean ':schema'?"), "{}", r.stderr);
}

#[test]
fn quit_ends_a_script_successfully() {
    let r = run(&["--memory"], ":stats\n:quit\n:nonsense\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "0 nodes, 0 relationships\n");
}

#[test]
fn schema_of_a_store_without_one() {
    let r = run(&["--memory", "-c", ":schema"], "");
    assert_eq!(r.stdout, "no schema: any label, type and property\n");
}

#[test]
fn a_corrupt_store_exits_2_and_is_left_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.fg");
    let bytes: Vec<u8> = b"this is not a factgraph store\n\x00\xff\x10".to_vec();
    std::fs::write(&path, &bytes).unwrap();
    let r = run_in(dir.path(), &["--store", "bad.fg", "-c", ":stats"], "", &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert!(
        r.stderr.contains("bad.fg"),
        "the message names the file: {}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    // The OS lock file (bad.fg.lock) may stay: it is how writers exclude each other.
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "bad.fg.lock")
        .collect();
    assert_eq!(leftovers, ["bad.fg"], "no temp or history files");
}

#[test]
fn store_on_a_missing_file_is_empty_and_not_seeded() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["--store", "new.fg", "-c", ":stats"], "", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "0 nodes, 0 relationships\n");
    assert!(!r.stderr.contains("seed"), "{}", r.stderr);
}

#[test]
fn a_write_to_a_store_in_a_missing_directory_names_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let on = |store: &str, cmd: &str| run_in(dir.path(), &["--store", store, "-c", cmd], "", &[]);
    // The store's directory is missing; so is the directory of a store
    // named as one (`gone/`). Nothing is created either way.
    for (store, said, made) in [
        (
            "no/such/dir/a.fg",
            "no/such/dir/a.fg: cannot write the store: the directory no/such/dir does not exist",
            "no",
        ),
        ("gone/", "the directory gone does not exist", "gone"),
    ] {
        let r = on(store, "CREATE (:A)");
        assert_ne!(r.code, 0, "{}", r.stdout);
        assert!(r.stderr.contains(said), "{store}: {}", r.stderr);
        assert!(!r.stderr.contains(".lock"), "{}", r.stderr);
        assert!(!dir.path().join(made).exists(), "nothing is created");
    }
    // Reading it is reading an empty store, as for a missing file.
    let r = on("no/such/dir/a.fg", ":stats");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "0 nodes, 0 relationships\n");
}

// ---- with the parser and the evaluator ---------------------------------------

#[test]
fn each_format_from_c() {
    let q = "RETURN 1 AS n, 'a, \"b\"' AS s, null AS z";
    let r = run(&["--memory", "--format", "csv", "-c", q], "");
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "n,s,z\n1,\"a, \"\"b\"\"\",\n"),
        "{}",
        r.stderr
    );
    let r = run(&["--memory", "--format", "ndjson", "-c", q], "");
    assert_eq!(
        r.stdout, "{\"n\":1,\"s\":\"a, \\\"b\\\"\",\"z\":null}\n",
        "{}",
        r.stderr
    );
    let r = run(&["--memory", "--format", "json", "-c", q], "");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json output parses");
    assert_eq!(v[0]["n"], 1);
    let r = run(&["--memory", "--format", "table", "-c", q], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("│ 1 │ a, \"b\" │ null │"), "{}", r.stdout);
    assert!(r.stdout.ends_with("1 row\n"), "{}", r.stdout);
}

#[test]
fn ndjson_keys_follow_the_columns() {
    let r = run(
        &["--memory", "--format", "ndjson"],
        "UNWIND [2, 1] AS x RETURN x AS zz, x * 10 AS aa;\n",
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "{\"zz\":2,\"aa\":20}\n{\"zz\":1,\"aa\":10}\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_syntax_error_points_at_line_and_column_of_the_whole_script() {
    let dir = tempfile::tempdir().unwrap();
    let script = "RETURN 1 AS one;\n\nMATCH (n\nRETURN n;\n";
    std::fs::write(dir.path().join("q.cypher"), script).unwrap();
    let r = run_in(dir.path(), &["--memory", "-f", "q.cypher"], "", &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // The first statement ran before the second failed.
    assert!(
        r.stdout.contains("│ 1   │") || r.stdout.contains("│   1 │"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.starts_with("error: expected"), "{}", r.stderr);
    assert!(r.stderr.contains("found 'RETURN'"), "{}", r.stderr);
    assert!(r.stderr.contains("--> q.cypher:4:1\n"), "{}", r.stderr);
    assert!(
        r.stderr.contains("4 | RETURN n;\n  | ^^^^^^\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn query_errors_exit_1_and_leave_stdout_clean() {
    let r = run(
        &[
            "--memory",
            "--format",
            "csv",
            "-c",
            "RETURN 1 AS a; RETURN x; RETURN 2 AS b;",
        ],
        "",
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "a\n1\n");
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert!(r.stderr.contains("-c:1:23"), "{}", r.stderr);
}

#[test]
fn tables_stay_aligned_with_non_ascii_text() {
    let r = run(
        &[
            "--memory",
            "-c",
            "UNWIND ['Außenministerrat', 'Alejnik', '中国'] AS name RETURN name, size(name) AS n",
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_table_aligned(&r.stdout);
    assert!(r.stdout.contains("│ 中国             │"), "{}", r.stdout);
    assert!(r.stdout.ends_with("3 rows\n"), "{}", r.stdout);
}

#[test]
fn a_store_persists_across_two_invocations() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &[
            "--store",
            "g.fg",
            "-c",
            "CREATE (:State {name: 'Belarus'})-[:MEMBER_OF]->(:Organisation {name: 'SCO'})",
        ],
        "",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Counted as the openCypher TCK counts side effects.
    assert_eq!(
        r.stdout,
        "created 2 nodes, 1 relationship, set 2 properties, added 2 labels\n"
    );
    assert!(dir.path().join("g.fg").exists());
    let r = run_in(
        dir.path(),
        &[
            "--store",
            "g.fg",
            "--format",
            "csv",
            "-c",
            "MATCH (s)-[:MEMBER_OF]->(o) RETURN s.name, o.name",
        ],
        "",
        &[],
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "s.name,o.name\nBelarus,SCO\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn parameters_from_the_command_line_and_from_scripts() {
    let r = run(
        &[
            "--memory",
            "--format",
            "csv",
            "-p",
            "who='Belarus'",
            "-c",
            "RETURN $who AS who",
        ],
        "",
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "who\nBelarus\n"),
        "{}",
        r.stderr
    );
    let r = run(
        &["--memory", "--format", "csv"],
        ":param n [1, 2]\nUNWIND $n AS x RETURN x;\n",
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "x\n1\n2\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn nodes_render_as_patterns_in_tables_and_objects_in_json() {
    let q = "CREATE (n:State {name: 'Belarus'}) RETURN n";
    let r = run(&["--memory", "-c", q], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("(:State {name: 'Belarus'})"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("1 row, created 1 node"), "{}", r.stdout);
    let r = run(&["--memory", "--format", "ndjson", "-c", q], "");
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).expect("one JSON object");
    assert_eq!(v["n"]["labels"][0], "State");
    assert_eq!(v["n"]["properties"]["name"], "Belarus");
    assert!(v["n"]["id"].is_number());
}

// ---- with the seed -------------------------------------------------------------

#[test]
fn the_default_store_is_built_from_the_seed_once() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["-c", ":stats"], "", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one line says the store was built: {}",
        r.stderr
    );
    assert!(
        lines[0].starts_with("factgraph: built graph/articles.fg from the seed (3 articles, "),
        "{}",
        r.stderr
    );
    assert!(dir.path().join("graph/articles.fg").exists());
    let r2 = run_in(dir.path(), &["-c", ":stats"], "", &[]);
    assert_eq!((r2.code, r2.stderr.as_str()), (0, ""));
    assert_eq!(
        r2.stdout, r.stdout,
        "the second start opens what the first built"
    );
}

#[test]
fn factgraph_store_names_the_default_store() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &["-c", ":stats"],
        "",
        &[("FACTGRAPH_STORE", "elsewhere/a.fg")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("built elsewhere/a.fg from the seed"),
        "{}",
        r.stderr
    );
    assert!(dir.path().join("elsewhere/a.fg").exists());
    assert!(!dir.path().join("graph").exists());
}

#[test]
fn seed_flag_gives_the_article_graph_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &[
            "--seed",
            "--format",
            "csv",
            "-c",
            "MATCH (n) WHERE 'SOZ' IN n.aliases RETURN n.name",
        ],
        "",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "one entity has the alias SOZ: {}", r.stdout);
    assert!(lines[1].contains("Shanghai"), "{}", r.stdout);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn export_dot_writes_the_graph_or_what_a_query_returns() {
    let dir = tempfile::tempdir().unwrap();
    let script = "CREATE (:City {name: 'Minsk'}), (:City {name: 'Wuhan \"2\"'});\n\
                  :export dot all.dot\n\
                  :export dot one.dot MATCH (c:City {name: 'Minsk'}) RETURN c;\n";
    let r = run_in(dir.path(), &["--memory"], script, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("note: wrote all.dot (2 nodes, 0 relationships)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("note: wrote one.dot (1 node, 0 relationships)"),
        "{}",
        r.stderr
    );
    let all = std::fs::read_to_string(dir.path().join("all.dot")).unwrap();
    assert!(all.starts_with("digraph"), "{all}");
    assert!(
        all.contains("Minsk") && all.contains("Wuhan \\\"2\\\""),
        "{all}"
    );
    let one = std::fs::read_to_string(dir.path().join("one.dot")).unwrap();
    assert!(one.contains("Minsk") && !one.contains("Wuhan"), "{one}");

    let r = run_in(
        dir.path(),
        &["--memory", "-c", ":export svg x.svg"],
        "",
        &[],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("unknown export format 'svg'"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_export_of_rows_without_graph_elements_says_the_file_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &["--seed", "-c", ":export dot q.dot RETURN 1 AS one"],
        "",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("(0 nodes, 0 relationships); the query's rows hold no nodes"),
        "{}",
        r.stderr
    );
    let r = run_in(
        dir.path(),
        &["--seed", "-c", ":export dot s.dot MATCH (s:State) RETURN s"],
        "",
        &[],
    );
    assert!(!r.stderr.contains("empty graph"), "{}", r.stderr);
}

#[test]
fn an_export_query_that_writes_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.fg");
    let store = store.to_str().unwrap();
    let r = run_in(
        dir.path(),
        &["--store", store, "-c", "CREATE (:A {n: 1});"],
        "",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // From the command line ...
    let r = run_in(
        dir.path(),
        &[
            "--store",
            store,
            "export",
            "json",
            "-q",
            "CREATE (n:B) RETURN n",
        ],
        "",
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("only reads"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    // ... and from the shell, with a caret under the statement.
    let r = run_in(
        dir.path(),
        &["--store", store],
        ":export json out.json MATCH (n:A) DETACH DELETE n RETURN n\n",
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("only reads"), "{}", r.stderr);
    assert!(r.stderr.contains("^^^"), "{}", r.stderr);
    assert!(!dir.path().join("out.json").exists());
    let r = run_in(
        dir.path(),
        &[
            "--store",
            store,
            "--format",
            "csv",
            "-c",
            "MATCH (n) RETURN labels(n)[0] AS l ORDER BY l;",
        ],
        "",
        &[],
    );
    assert_eq!(r.stdout, "l\nA\n", "nothing was written: {}", r.stderr);
}

#[test]
fn export_json_then_import_it_into_another_store() {
    let dir = tempfile::tempdir().unwrap();
    let script = "CREATE (:City {name: 'Minsk'})-[:TWINNED_WITH]->(:City {name: 'Wuhan'});\n\
                  :export json g.json\n";
    let r = run_in(dir.path(), &["--memory"], script, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_in(
        dir.path(),
        &["--store", "copy.fg", "--format", "csv"],
        ":import g.json\nMATCH (a)-[:TWINNED_WITH]->(b) RETURN a.name, b.name;\n",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "imported 2 nodes, 1 relationship from g.json\na.name,b.name\nMinsk,Wuhan\n"
    );
    // The import was saved: a second start sees it.
    let r = run_in(dir.path(), &["--store", "copy.fg", "-c", ":stats"], "", &[]);
    assert!(
        r.stdout.starts_with("2 nodes, 1 relationship\n"),
        "{}",
        r.stdout
    );
    let r = run_in(
        dir.path(),
        &["--memory", "-c", ":import nope.json"],
        "",
        &[],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nope.json"), "{}", r.stderr);
}

#[test]
fn export_csv_then_import_the_directory_into_an_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = run_in(d, &["--seed", "-c", ":export csv out"], "", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let seed = run_in(d, &["--seed", "-c", ":stats"], "", &[]);
    assert_eq!(seed.code, 0, "{}", seed.stderr);
    // The export's directory from the shell, its neo4j/ one with `import`.
    let r = run_in(d, &["--store", "a.fg", "-c", ":import out"], "", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "imported 173 nodes, 472 relationships from out\n");
    let r = run_in(d, &["--store", "b.fg", "import", "out/neo4j"], "", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for store in ["a.fg", "b.fg"] {
        let r = run_in(d, &["--store", store, "-c", ":stats"], "", &[]);
        assert_eq!(r.stdout, seed.stdout, "{store}");
    }
    // The dates came back as dates, with their precision.
    let q = "MATCH (m:Membership) WHERE m.date IS NOT NULL RETURN m.key, m.date, m.date.precision ORDER BY m.key LIMIT 3;";
    let want = run_in(d, &["--seed", "--format", "csv", "-c", q], "", &[]);
    let got = run_in(d, &["--store", "a.fg", "--format", "csv", "-c", q], "", &[]);
    assert_eq!(got.stdout, want.stdout);
    assert!(want.stdout.lines().count() > 1, "{}", want.stdout);
    // The kuzu/ side says where to go instead; a directory without either
    // shape says what it holds, with no position.
    let r = run_in(d, &["--store", "c.fg", "-c", ":import out/kuzu"], "", &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("out/kuzu: this is the kuzu/ directory of a CSV export, which cannot be read back without loss")
            && r.stderr.contains("import out/neo4j instead"),
        "{}",
        r.stderr
    );
    std::fs::create_dir(d.join("empty")).unwrap();
    let r = run_in(d, &["--store", "c.fg", "-c", ":import empty"], "", &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with("error: empty: no nodes.csv here; this directory is empty; "),
        "{}",
        r.stderr
    );
    let r = run_in(d, &["--store", "c.fg", "-c", ":stats"], "", &[]);
    assert!(r.stdout.starts_with("0 nodes"), "{}", r.stdout);
}

/// A property index made in one run is kept with the store, used by the
/// next run's plan, and gives the answer of a scan.
#[test]
fn an_index_created_in_one_run_is_used_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let fg = |args: &[&str]| {
        let all: Vec<&str> = ["--store", "g.fg"].iter().chain(args).copied().collect();
        run_in(dir.path(), &all, "", &[])
    };
    let r = fg(&[
        "-c",
        "UNWIND range(1, 200) AS i CREATE (:Person {age: i % 20, name: 'p' + i}); \
         CREATE INDEX FOR (p:Person) ON (p.age)",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.ends_with("added 1 index\n"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("created index 'index_Person_age' on (:Person {age}): 200 nodes"),
        "{}",
        r.stderr
    );
    let r = fg(&["-c", "EXPLAIN MATCH (p:Person {age: 7}) RETURN count(p)"]);
    assert!(
        r.stdout
            .contains("start: property index 'index_Person_age' (:Person {age}): (p {age: 7})"),
        "{}",
        r.stdout
    );
    // `p.age + 0` is no property the planner can look up: a scan.
    for q in [
        "MATCH (p:Person {age: 7}) RETURN count(p) AS n, min(p.name) AS first",
        "MATCH (p:Person) WHERE p.age + 0 = 7 RETURN count(p) AS n, min(p.name) AS first",
    ] {
        let r = fg(&["--format", "csv", "-c", q]);
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (0, "n,first\n10,p107\n"),
            "{q}"
        );
    }
    let r = fg(&["--format", "csv", "-c", "SHOW RANGE INDEXES"]);
    assert_eq!(
        r.stdout,
        "name,state,populationPercent,type,entityType,labelsOrTypes,properties,owningConstraint\n\
         index_Person_age,ONLINE,100.0,RANGE,NODE,['Person'],['age'],\n"
    );
    assert_eq!(fg(&["-c", "DROP INDEX index_Person_age"]).code, 0);
    let r = fg(&["-c", "DROP INDEX index_Person_age"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("there is no index called 'index_Person_age'"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_constraint_outlives_the_process_and_holds_for_imports_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let script =
        "CREATE (:City {name: 'Minsk'}), (:City {name: 'Minsk'});\n:export json twins.json\n";
    let r = run_in(d, &["--memory"], script, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_in(
        d,
        &[
            "--store",
            "g.fg",
            "-c",
            "CREATE CONSTRAINT city FOR (c:City) REQUIRE c.name IS UNIQUE",
        ],
        "",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "added 1 constraint\n");
    // A second process has it (from the snapshot the first one left) and
    // holds statements and imports to it.
    let r = run_in(
        d,
        &[
            "--store",
            "g.fg",
            "-c",
            "CREATE (:City {name: 'Wuhan'}), (:City {name: 'Wuhan'})",
        ],
        "",
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("nodes 0 and 1 (:City) both have name = 'Wuhan'"),
        "{}",
        r.stderr
    );
    let r = run_in(d, &["--store", "g.fg", "-c", ":import twins.json"], "", &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("twins.json") && r.stderr.contains("both have name = 'Minsk'"),
        "{}",
        r.stderr
    );
    let r = run_in(
        d,
        &[
            "--store",
            "g.fg",
            "--format",
            "csv",
            "-c",
            "MATCH (n) RETURN count(n) AS n; SHOW CONSTRAINTS",
        ],
        "",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "n\n0\nid,name,type,entityType,labelsOrTypes,properties\n1,city,UNIQUENESS,NODE,['City'],['name']\n"
    );
    let r = run_in(d, &["check", "g.fg"], "", &[]);
    assert!(r.stdout.contains("1 constraint: all hold"), "{}", r.stdout);
}

#[test]
fn stats_in_a_mode_for_scripts_is_one_result_of_the_counts() {
    let r = run(&["--seed", "--format", "csv", "-c", ":stats"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let q = run(
        &[
            "--seed",
            "--format",
            "csv",
            "-c",
            "MATCH (n) RETURN count(n) AS n; MATCH ()-[r]->() RETURN count(r) AS r; MATCH (s:State) RETURN count(s) AS s",
        ],
        "",
    );
    let counts: Vec<&str> = q
        .stdout
        .lines()
        .filter(|l| l.parse::<u64>().is_ok())
        .collect();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "kind,name,count");
    assert_eq!(lines[1], format!("nodes,,{}", counts[0]));
    assert_eq!(lines[2], format!("relationships,,{}", counts[1]));
    assert!(
        lines.contains(&format!("label,State,{}", counts[2]).as_str()),
        "{}",
        r.stdout
    );
    assert!(
        lines.iter().any(|l| l.starts_with("type,ABOUT,")),
        "{}",
        r.stdout
    );
    // On a table, the text as before.
    let r = run(&["--seed", "-c", ":stats"], "");
    assert!(
        r.stdout.starts_with(&format!(
            "{} nodes, {} relationships\n",
            counts[0], counts[1]
        )),
        "{}",
        r.stdout
    );
}
