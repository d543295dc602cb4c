//! Importing a new article's fact file: `import_path` on a `.facts` file
//! (the shell's `:import`) and `factgraph import FILE`. The article is
//! invented test data (tests/data/facts/), reusing the article graph's keys.

use std::path::{Path, PathBuf};
use std::process::Command;

use factgraph::import::import_path;
use factgraph::model::{NodeId, Value};
use factgraph::seed::build_default;
use factgraph::store::{Graph, persist};

const FACTS: &str = "900_test_2024-06-12.facts";
const ARTICLE: &str = "900_test_article.txt";

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts")
}

fn article_graph() -> Graph {
    match build_default() {
        Ok(g) => g,
        Err(e) => panic!("the seed does not load: {e}"),
    }
}

fn by_key(g: &Graph, key: &str) -> Vec<NodeId> {
    g.node_ids()
        .filter(|&id| {
            g.node(id)
                .is_some_and(|n| n.props.get("key").as_deref() == Some(&Value::String(key.into())))
        })
        .collect()
}

fn one(g: &Graph, key: &str) -> NodeId {
    let ids = by_key(g, key);
    assert_eq!(ids.len(), 1, "nodes with key {key}: {ids:?}");
    ids[0]
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::List(xs)) => xs
            .iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Copies the test article (fact file and text) into a fresh directory,
/// with `edit` applied to the fact file's text.
fn copy_with(edit: impl Fn(&str) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let text = std::fs::read_to_string(data_dir().join(FACTS)).expect("the test fact file");
    let facts = dir.path().join(FACTS);
    std::fs::write(&facts, edit(&text)).expect("write the fact file");
    std::fs::copy(data_dir().join(ARTICLE), dir.path().join(ARTICLE)).expect("copy the article");
    (dir, facts)
}

/// 1-based line and column of the first occurrence of `needle`.
fn line_col_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("the needle is in the text");
    let line = text[..at].matches('\n').count() + 1;
    let col = text[..at]
        .rsplit('\n')
        .next()
        .map_or(0, |l| l.chars().count())
        + 1;
    (line, col)
}

#[test]
fn a_fact_file_imports_into_the_article_graph_merging_by_key() {
    let mut g = article_graph();
    let (nodes, rels) = (g.node_count(), g.rel_count());
    let belarus = one(&g, "belarus");
    let sco = one(&g, "sco");
    let stats = match import_path(&data_dir().join(FACTS), &mut g) {
        Ok(s) => s,
        Err(e) => panic!("the test article does not import: {e}"),
    };
    assert_eq!(stats.nodes, g.node_count() - nodes);
    assert_eq!(stats.rels, g.rel_count() - rels);
    // A person, an event, a topic, two statements and the article, plus
    // whatever Date nodes the calendar lacked.
    assert!(stats.nodes >= 6, "{stats:?}");

    // Merged, not duplicated: the same nodes, now also mentioned in t900.
    assert_eq!(one(&g, "belarus"), belarus);
    assert_eq!(one(&g, "sco"), sco);
    one(&g, "minsk");
    let article = one(&g, "t900");
    for id in [belarus, sco] {
        assert!(
            g.out_rels(id)
                .any(|(r, to)| to == article
                    && g.rel(r).is_some_and(|r| r.rel_type == "MENTIONED_IN")),
            "{id:?} is not MENTIONED_IN t900"
        );
    }
    let sco_aliases = string_list(g.node(sco).and_then(|n| n.props.get("aliases")).as_deref());
    assert!(sco_aliases.iter().any(|a| a == "SCO"), "{sco_aliases:?}");
    assert!(
        sco_aliases.iter().any(|a| a == "SOZ"),
        "the old aliases stay: {sco_aliases:?}"
    );

    // New: a person, an event held in Minsk, two statements citing t900.
    let testova = one(&g, "testova");
    assert_eq!(
        g.node(testova).and_then(|n| n.props.get("name")).as_deref(),
        Some(&Value::String("Anna Testova".into()))
    );
    let forum = one(&g, "test_forum_2024");
    let minsk = one(&g, "minsk");
    assert!(g.out_rels(forum).any(|(r, to)| to == minsk
        && g.rel(r).is_some_and(|r| r.rel_type == "HELD_IN"
            && r.props.get("source").as_deref() == Some(&Value::String("t900".into())))));
    let forecast = one(&g, "memorandum_next_year");
    let n = g.node(forecast).expect("the statement node");
    assert!(n.labels.iter().any(|l| l == "Forecast"), "{:?}", n.labels);
    assert_eq!(
        n.props.get("modality").as_deref(),
        Some(&Value::String("expected".into()))
    );
    assert_eq!(
        n.props.get("date").as_deref().map(ToString::to_string),
        Some("fdate('2025')".into()),
        "relative(\"next year\") against published 2024-06-12"
    );
    assert!(g.out_rels(forecast).any(|(_, to)| to == sco));
    if let Err(e) = g.check_all() {
        panic!(
            "the graph breaks its schema after the import: {}",
            e.message
        );
    }
}

#[test]
fn a_fact_file_into_an_empty_graph_takes_the_seed_schema() {
    let mut g = Graph::new();
    let stats = match import_path(&data_dir().join(FACTS), &mut g) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(stats.nodes, g.node_count());
    assert!(g.schema().is_some());
    one(&g, "belarus");
    // A property the schema does not declare is refused, also here.
    let (_d, broken) = copy_with(|t| t.replace("note=\"invented for tests\"", "born=@1970"));
    let mut empty = Graph::new();
    let e = import_path(&broken, &mut empty).expect_err("born is not declared for Person");
    assert!(e.message.contains("born"), "{e}");
    assert_eq!(empty.node_count(), 0);
}

/// Each broken copy fails at the given place and leaves the graph as it was.
#[test]
fn a_broken_fact_file_names_file_line_column_and_loads_nothing() {
    let original = std::fs::read_to_string(data_dir().join(FACTS)).expect("the test fact file");
    let cases: Vec<(&str, String, &str, &str)> = vec![
        // (what, edited text, where the error points, a word of the message)
        (
            "an unknown key",
            original.replace("-HELD_IN-> minsk", "-HELD_IN-> minks"),
            "minks",
            "minks",
        ),
        (
            "a relationship type the schema lacks",
            original.replace("-EVENT_OF-> sco", "-HOSTED_BY-> sco"),
            "HOSTED_BY",
            "HOSTED_BY",
        ),
        (
            "a quote not in the article",
            original.replace(
                "chair of the Test Forum, opened",
                "chair of the Test Forum, closed",
            ),
            "quote=\"Anna Testova",
            "quote",
        ),
        (
            "a syntax error",
            original.replace("category=\"forum\"", "category=\"forum"),
            "\"forum",
            "",
        ),
    ];
    for (what, text, at, word) in cases {
        assert_ne!(text, original, "{what}: the edit did not apply");
        let (_dir, path) = copy_with(|_| text.clone());
        let mut g = article_graph();
        let before = persist::encode(&g);
        let (nodes, rels) = (g.node_count(), g.rel_count());
        let e = match import_path(&path, &mut g) {
            Ok(s) => panic!("{what}: imported {s:?}"),
            Err(e) => e,
        };
        let msg = e.to_string();
        assert_eq!(e.file, path.display().to_string(), "{what}: {msg}");
        let (line, _) = line_col_of(&text, at);
        assert_eq!(e.line, line, "{what}: {msg}");
        assert!(e.col >= 1, "{what}: {msg}");
        assert!(
            msg.starts_with(&format!("{}:{}:{}: ", e.file, e.line, e.col)),
            "{what}: {msg}"
        );
        assert!(msg.contains(word), "{what}: {msg}");
        assert_eq!((g.node_count(), g.rel_count()), (nodes, rels), "{what}");
        assert!(persist::encode(&g) == before, "{what}: the graph changed");
    }
}

#[test]
fn a_missing_article_text_is_named_at_the_file_property() {
    let (dir, path) = copy_with(str::to_string);
    std::fs::remove_file(dir.path().join(ARTICLE)).expect("remove the article text");
    let text = std::fs::read_to_string(&path).expect("the copy");
    let mut g = article_graph();
    let before = persist::encode(&g);
    let e = import_path(&path, &mut g).expect_err("the article text is missing");
    let (line, col) = line_col_of(&text, "\"900_test_article.txt\"");
    assert_eq!((e.line, e.col), (line, col), "{e}");
    assert!(e.message.contains(ARTICLE), "{e}");
    assert!(e.message.contains("relative to the fact file"), "{e}");
    assert!(persist::encode(&g) == before);
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn factgraph(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(args)
        .current_dir(dir)
        .env_remove("FACTGRAPH_STORE")
        .env("NO_COLOR", "1")
        .output()
        .expect("factgraph runs");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn count(dir: &Path, store: &str, query: &str) -> String {
    let r = factgraph(dir, &["--store", store, "--format", "csv", "-c", query]);
    assert_eq!(r.code, 0, "{query}: {}", r.stderr);
    r.stdout.lines().nth(1).unwrap_or_default().to_string()
}

#[test]
fn factgraph_import_loads_a_fact_file_into_the_store() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let dir = tmp.path();
    let facts = data_dir().join(FACTS);
    let facts = facts.to_str().expect("a UTF-8 path");
    // A store with the article graph in it, then the new article.
    let r = factgraph(dir, &["--seed", "-c", ":export json seed.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = factgraph(dir, &["--store", "s.fg", "import", "seed.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A broken copy: exit 1, file:line:column on stderr, the store as it was.
    let (_b, broken) = copy_with(|t| t.replace("-HELD_IN-> minsk", "-HELD_IN-> minks"));
    let nodes = count(dir, "s.fg", "MATCH (n) RETURN count(n)");
    let snapshot = std::fs::read(dir.join("s.fg")).expect("the store file");
    let r = factgraph(
        dir,
        &["--store", "s.fg", "import", broken.to_str().expect("UTF-8")],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let text = std::fs::read_to_string(&broken).expect("the copy");
    let (line, _) = line_col_of(&text, "minks");
    assert!(
        r.stderr.contains(&format!("{}:{line}:", broken.display())),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read(dir.join("s.fg")).expect("the store"),
        snapshot
    );
    assert_eq!(count(dir, "s.fg", "MATCH (n) RETURN count(n)"), nodes);

    let r = factgraph(dir, &["--store", "s.fg", "import", facts]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(r.stdout.starts_with("imported "), "{}", r.stdout);
    assert!(r.stdout.contains("into s.fg"), "{}", r.stdout);
    let added: usize = r.stdout["imported ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a node count");
    let after = count(dir, "s.fg", "MATCH (n) RETURN count(n)");
    assert_eq!(
        after.parse::<usize>().ok(),
        nodes.parse::<usize>().ok().map(|n| n + added)
    );
    assert_eq!(
        count(dir, "s.fg", "MATCH (n {key: 'belarus'}) RETURN count(n)"),
        "1"
    );
    assert_eq!(
        count(
            dir,
            "s.fg",
            "MATCH (:State {key: 'belarus'})-[:MENTIONED_IN]->(a:Article) RETURN count(a)"
        ),
        "4"
    );

    // The same article twice is refused, at its article record.
    let r = factgraph(dir, &["--store", "s.fg", "import", facts]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(":6:"), "{}", r.stderr);
    assert_eq!(count(dir, "s.fg", "MATCH (n) RETURN count(n)"), after);

    // A file that is not there: exit 1, nothing changes; a store that
    // cannot be opened: exit 2.
    let r = factgraph(dir, &["--store", "s.fg", "import", "nope.facts"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("nope.facts"), "{}", r.stderr);
    std::fs::write(dir.join("bad.fg"), b"not a store").expect("write");
    let r = factgraph(dir, &["--store", "bad.fg", "import", facts]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn the_shell_imports_a_fact_file() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let facts = data_dir().join(FACTS);
    let script = format!(
        ":import {}\nMATCH (p:Person {{key: 'testova'}})-[:SPOKE_AT]->(e) RETURN e.key",
        facts.display()
    );
    let r = factgraph(tmp.path(), &["--seed", "--format", "csv", "-c", &script]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("imported "), "{}", r.stdout);
    assert!(r.stdout.contains("test_forum_2024"), "{}", r.stdout);
}
