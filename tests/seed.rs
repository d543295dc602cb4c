//! The default article graph, built from the seed compiled into the binary,
//! checked against the promises of `seed/FORMAT.md`.

use std::collections::HashMap;
use std::path::Path;

use factgraph::model::{FDate, NodeId, Value};
use factgraph::seed::{MODALITIES, build_default, build_default_report};
use factgraph::store::Graph;

fn graph() -> Graph {
    match build_default() {
        Ok(g) => g,
        Err(e) => panic!("the seed does not load: {e}"),
    }
}

fn prop(g: &Graph, id: NodeId, k: &str) -> Value {
    g.node(id)
        .and_then(|n| n.props.get(k))
        .map(std::borrow::Cow::into_owned)
        .unwrap_or(Value::Null)
}

fn is_statement(g: &Graph, id: NodeId) -> bool {
    g.node(id)
        .is_some_and(|n| n.labels.iter().any(|l| l == "Statement"))
}

/// Every fact: (what, its properties), for relationships and statement nodes.
fn facts(g: &Graph) -> Vec<(String, factgraph::model::Props)> {
    let mut out = Vec::new();
    for r in g.rel_ids() {
        let Some(rel) = g.rel(r) else { continue };
        if rel.props.contains_key("quote") || rel.props.contains_key("source") {
            out.push((
                format!("[:{} #{}]", rel.rel_type, r.0),
                rel.props.to_props(),
            ));
        }
    }
    for n in g.node_ids().filter(|&n| is_statement(g, n)) {
        if let Some(node) = g.node(n) {
            out.push((
                format!("(:{} {})", node.labels.join(":"), prop(g, n, "key")),
                node.props.to_props(),
            ));
        }
    }
    out
}

/// Article key -> the article's text, read from `seed/articles/` on disk
/// (not from the copy compiled in, so the test checks the files people read).
fn article_texts(g: &Graph) -> HashMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/articles");
    let mut out = HashMap::new();
    for a in g.nodes_with_label("Article") {
        let (Value::String(key), Value::String(file)) = (prop(g, a, "key"), prop(g, a, "file"))
        else {
            panic!("article node {a:?} lacks key or file");
        };
        let text =
            std::fs::read_to_string(dir.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        out.insert(key, text);
    }
    out
}

#[test]
fn the_seed_has_three_articles_with_facts_each() {
    let (g, report) = build_default_report().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.articles.len(), 3);
    assert_eq!(g.nodes_with_label("Article").count(), 3);
    for a in &report.articles {
        assert!(a.facts + a.statements > 0, "{a:?}");
        assert!(a.entities_created + a.entities_merged > 0, "{a:?}");
    }
    assert_eq!(
        report.to_string(),
        format!(
            "{} nodes, {} relationships (3 articles)",
            g.node_count(),
            g.rel_count()
        )
    );
    assert!(g.check_all().is_ok());
}

#[test]
fn every_quote_occurs_verbatim_in_its_article() {
    let g = graph();
    let texts = article_texts(&g);
    let mut per_article: HashMap<String, usize> = HashMap::new();
    let all = facts(&g);
    assert!(all.len() > 50, "only {} facts", all.len());
    for (what, props) in &all {
        let Some(Value::String(source)) = props.get("source") else {
            panic!("{what} has no source")
        };
        let Some(Value::String(quote)) = props.get("quote") else {
            panic!("{what} has no quote")
        };
        let Some(text) = texts.get(source) else {
            panic!("{what}: source {source} is no article")
        };
        assert!(
            text.contains(quote.as_str()),
            "{what}: quote not verbatim in {source}: {quote:?}"
        );
        *per_article.entry(source.clone()).or_default() += 1;
    }
    assert_eq!(per_article.len(), 3, "{per_article:?}");
}

#[test]
fn every_fact_has_source_modality_and_valid_from() {
    let g = graph();
    let articles: Vec<Value> = g
        .nodes_with_label("Article")
        .map(|a| prop(&g, a, "key"))
        .collect();
    for (what, props) in facts(&g) {
        let source = props.get("source").cloned().unwrap_or_default();
        assert!(articles.contains(&source), "{what}: source {source}");
        match props.get("modality") {
            Some(Value::String(m)) if MODALITIES.contains(&m.as_str()) => {}
            other => panic!("{what}: modality {other:?}"),
        }
        assert!(
            matches!(props.get("valid_from"), Some(Value::Date(_))),
            "{what}: valid_from"
        );
    }
    // Statements also point at their article.
    for s in g.nodes_with_label("Statement") {
        let sources: Vec<Value> = g
            .out_rels(s)
            .filter(|(r, _)| g.rel(*r).is_some_and(|r| r.rel_type == "SOURCE"))
            .map(|(_, a)| prop(&g, a, "key"))
            .collect();
        assert_eq!(
            sources,
            vec![prop(&g, s, "source")],
            "{:?}",
            prop(&g, s, "key")
        );
    }
}

#[test]
fn german_names_find_the_english_entities() {
    let g = graph();
    let one = |name: &str| -> NodeId {
        let ids = g.lookup(name);
        assert_eq!(ids.len(), 1, "{name} -> {ids:?}");
        ids[0]
    };
    assert_eq!(one("SOZ"), one("SCO"));
    assert_eq!(
        one("Shanghaier Organisation für Zusammenarbeit"),
        one("SCO")
    );
    assert_eq!(prop(&g, one("Alejnik"), "name"), "Sergei Aleinik".into());
    assert_eq!(one("Sergej Alejnik"), one("Sergei Aleinik"));
    assert_eq!(prop(&g, one("Kasachstan"), "name"), "Kazakhstan".into());
    // Merged across files: Aleinik is mentioned by every article.
    let mentioned = g
        .out_rels(one("Alejnik"))
        .filter(|(r, _)| g.rel(*r).is_some_and(|r| r.rel_type == "MENTIONED_IN"))
        .count();
    assert_eq!(mentioned, 3);
}

#[test]
fn every_entity_is_mentioned_in_an_article() {
    let g = graph();
    for n in g.node_ids() {
        let Some(node) = g.node(n) else { continue };
        let kind = node.labels.first().map(|l| l.as_str()).unwrap_or("");
        if is_statement(&g, n) || kind == "Date" || kind == "Article" {
            continue;
        }
        let in_article = g.out_rels(n).any(|(r, a)| {
            g.rel(r).is_some_and(|r| r.rel_type == "MENTIONED_IN")
                && prop(&g, a, "published") != Value::Null
        });
        assert!(
            in_article,
            "{:?} is mentioned in no article",
            prop(&g, n, "key")
        );
    }
}

#[test]
fn relative_dates_are_resolved_against_the_article() {
    let g = graph();
    let mut seen = 0;
    for s in g.nodes_with_label("Statement") {
        let Value::String(phrase) = prop(&g, s, "date_text") else {
            continue;
        };
        let Some(a) = g
            .out_rels(s)
            .find(|(r, _)| g.rel(*r).is_some_and(|r| r.rel_type == "SOURCE"))
            .map(|(_, a)| a)
        else {
            panic!("statement without SOURCE")
        };
        let Value::Date(published) = prop(&g, a, "published") else {
            panic!("article without date")
        };
        if let Some(want) = factgraph::model::date::resolve_relative(&phrase, &published) {
            assert_eq!(prop(&g, s, "date"), Value::Date(want), "{phrase}");
            seen += 1;
        }
    }
    assert!(seen > 0, "no statement with a relative date");
    // The ratification "literally a week ago" in the interview of 2024-01-18.
    let week_ago = g
        .nodes_with_label("Statement")
        .find(|&s| prop(&g, s, "date_text") == "literally a week ago".into())
        .map(|s| prop(&g, s, "date"));
    assert_eq!(
        week_ago,
        Some(Value::Date(
            FDate::parse("~2024-01-11").unwrap_or(FDate::year(0))
        ))
    );
}

#[test]
fn the_calendar_tree_is_consistent() {
    let g = graph();
    let mut by_value: HashMap<FDate, NodeId> = HashMap::new();
    for d in g.nodes_with_label("Date") {
        let Value::Date(v) = prop(&g, d, "value") else {
            panic!("Date {d:?} without value")
        };
        assert!(by_value.insert(v, d).is_none(), "two Date nodes for {v}");
        assert_eq!(prop(&g, d, "name"), Value::String(v.to_string()));
        assert_eq!(
            prop(&g, d, "precision"),
            Value::String(v.precision.name().into())
        );
        assert_eq!(prop(&g, d, "approx"), Value::Bool(v.approx));
        let parents: Vec<NodeId> = g
            .out_rels(d)
            .filter(|(r, _)| g.rel(*r).is_some_and(|r| r.rel_type == "IN"))
            .map(|(_, p)| p)
            .collect();
        match v.parent() {
            None => assert!(parents.is_empty(), "year {v} is IN something"),
            Some(p) => {
                assert_eq!(parents.len(), 1, "{v} IN {parents:?}");
                assert_eq!(prop(&g, parents[0], "value"), Value::Date(p), "{v}");
            }
        }
    }
    assert!(by_value.len() >= 3);
    // Every node with a date points ON exactly its Date node; every fact's date has one.
    for n in g.node_ids() {
        let on: Vec<NodeId> = g
            .out_rels(n)
            .filter(|(r, _)| g.rel(*r).is_some_and(|r| r.rel_type == "ON"))
            .map(|(_, d)| d)
            .collect();
        match prop(&g, n, "date") {
            Value::Date(d)
                if !g
                    .node(n)
                    .is_some_and(|x| x.labels.iter().any(|l| l == "Date")) =>
            {
                assert_eq!(on, vec![by_value[&d]], "{:?} ON", prop(&g, n, "key"));
            }
            _ => assert!(
                on.is_empty(),
                "{:?} is ON a date but has none",
                prop(&g, n, "key")
            ),
        }
    }
    for (what, props) in facts(&g) {
        if let Some(Value::Date(d)) = props.get("date") {
            assert!(by_value.contains_key(d), "{what}: no Date node for {d}");
        }
    }
}
