//! Evaluator tests: Cypher text in, rows out (rendered the way the TCK
//! writes them: `(:A {name: 'x'})`, `[:T]`, `<(:A)-[:T]->(:B)>`).

use super::{ExecOptions, Params, QueryResult, WriteStats, execute, parse_script};
use crate::error::{ErrorClass, QueryError};
use crate::model::{FDate, Value};
use crate::store::Graph;

fn run_opts(
    g: &mut Graph,
    q: &str,
    params: &Params,
    opts: &ExecOptions,
) -> Result<QueryResult, QueryError> {
    let script = parse_script(q)?;
    let mut last = QueryResult::default();
    for s in &script.statements {
        last = execute(g, s, params, opts)?;
    }
    Ok(last)
}

fn run(g: &mut Graph, q: &str) -> Result<QueryResult, QueryError> {
    run_opts(g, q, &Params::new(), &ExecOptions::default())
}

fn props(p: &crate::model::Props) -> String {
    if p.is_empty() {
        return String::new();
    }
    let items: Vec<String> = p.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!(" {{{}}}", items.join(", "))
}

fn render(r: &QueryResult, v: &Value) -> String {
    match v {
        Value::Node(n) => match r.nodes.get(n) {
            Some(s) => {
                let labels: String = s.labels.iter().map(|l| format!(":{l}")).collect();
                format!("({labels}{})", props(&s.props)).replace("( {", "({")
            }
            None => format!("(missing node {})", n.0),
        },
        Value::Rel(x) => match r.rels.get(x) {
            Some(s) => format!("[:{}{}]", s.rel_type, props(&s.props)),
            None => format!("[missing rel {}]", x.0),
        },
        Value::Path(p) => {
            let mut s = String::from("<");
            s.push_str(&render(r, &Value::Node(p.nodes[0])));
            for (i, rel) in p.rels.iter().enumerate() {
                let snap = r.rels.get(rel);
                let fwd = snap.is_some_and(|s| s.start == p.nodes[i]);
                let body = render(r, &Value::Rel(*rel));
                s.push_str(&if fwd {
                    format!("-{body}->")
                } else {
                    format!("<-{body}-")
                });
                s.push_str(&render(r, &Value::Node(p.nodes[i + 1])));
            }
            s.push('>');
            s
        }
        Value::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| render(r, i))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Map(m) => {
            format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{k}: {}", render(r, v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        v => v.to_string(),
    }
}

/// Rows as strings, columns joined by " | ".
fn rows(g: &mut Graph, q: &str) -> Vec<String> {
    let r = run(g, q).unwrap_or_else(|e| panic!("{q}\n=> {e:?}"));
    rendered(&r)
}

/// A result's rows, each as its values rendered and joined by ` | `.
fn rendered(r: &QueryResult) -> Vec<String> {
    r.rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| render(r, v))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn err(g: &mut Graph, q: &str) -> QueryError {
    match run(g, q) {
        Ok(r) => panic!("{q}\nexpected an error, got {:?}", r.rows),
        Err(e) => e,
    }
}

fn graph(setup: &str) -> Graph {
    let mut g = Graph::new();
    if !setup.is_empty() {
        run(&mut g, setup).unwrap_or_else(|e| panic!("setup failed: {e:?}"));
    }
    g
}

// ---- MATCH -------------------------------------------------------------

#[test]
fn match_nodes_by_label_and_properties() {
    let mut g = graph("CREATE (:A {name: 'a'}), (:B {name: 'b'}), (:A:B {name: 'ab'})");
    assert_eq!(
        sorted(rows(&mut g, "MATCH (n:A) RETURN n.name")),
        ["'a'", "'ab'"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (n:A:B) RETURN n"),
        ["(:A:B {name: 'ab'})"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (n {name: 'b'}) RETURN labels(n)"),
        ["['B']"]
    );
    assert_eq!(rows(&mut g, "MATCH (n) RETURN count(n)"), ["3"]);
}

#[test]
fn match_relationships_in_each_direction() {
    let mut g =
        graph("CREATE (a:P {n: 1})-[:KNOWS {w: 1}]->(b:P {n: 2})-[:KNOWS {w: 2}]->(c:P {n: 3})");
    assert_eq!(
        sorted(rows(&mut g, "MATCH (a)-[:KNOWS]->(b) RETURN a.n, b.n")),
        ["1 | 2", "2 | 3"]
    );
    assert_eq!(
        sorted(rows(&mut g, "MATCH (a)<-[r]-(b) RETURN a.n, r.w")),
        ["2 | 1", "3 | 2"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (a {n: 2})-[r]-(b) RETURN count(*)"),
        ["2"]
    );
    assert_eq!(rows(&mut g, "MATCH (a)-[r {w: 2}]->(b) RETURN b.n"), ["3"]);
    assert_eq!(
        rows(&mut g, "MATCH (a)-[:NOPE]->(b) RETURN count(*)"),
        ["0"]
    );
}

#[test]
fn relationship_is_used_once_per_match() {
    let mut g = graph("CREATE (a {n: 1})-[:T]->(b {n: 2})");
    // (a)-(b)-(a) would need the one relationship twice.
    assert_eq!(
        rows(&mut g, "MATCH (x)-[r1]-(y)-[r2]-(z) RETURN count(*)"),
        ["0"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (x)-[]-(y), (y)-[]-(z) RETURN count(*)"),
        ["0"]
    );
}

#[test]
fn self_loop_undirected_found_once() {
    let mut g = graph("CREATE (a:A) CREATE (a)-[:T]->(a)");
    assert_eq!(rows(&mut g, "MATCH ()-[r]-() RETURN type(r) AS r"), ["'T'"]);
}

#[test]
fn variable_length_paths() {
    let mut g = graph("CREATE (a {n: 1})-[:T]->({n: 2})-[:T]->({n: 3})-[:T]->({n: 4})");
    assert_eq!(
        sorted(rows(&mut g, "MATCH ({n: 1})-[:T*]->(x) RETURN x.n")),
        ["2", "3", "4"]
    );
    assert_eq!(
        sorted(rows(&mut g, "MATCH ({n: 1})-[:T*2..3]->(x) RETURN x.n")),
        ["3", "4"]
    );
    assert_eq!(
        sorted(rows(&mut g, "MATCH ({n: 1})-[:T*0..1]->(x) RETURN x.n")),
        ["1", "2"]
    );
    assert_eq!(
        rows(&mut g, "MATCH ({n: 1})-[r:T*3]->(x) RETURN size(r), x.n"),
        ["3 | 4"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH p = ({n: 4})<-[:T*]-({n: 1}) RETURN length(p), [x IN nodes(p) | x.n]"
        ),
        ["3 | [4, 3, 2, 1]"]
    );
    // A cycle does not loop forever: relationships are not reused.
    let mut c = graph("CREATE (a {n: 1})-[:T]->(b {n: 2})-[:T]->(a)");
    assert_eq!(
        sorted(rows(&mut c, "MATCH ({n: 1})-[:T*]-(x) RETURN x.n")),
        ["1", "1", "2", "2"]
    );
}

/// Relationship uniqueness on either side of the length where the matcher
/// stops scanning the relationships it used and starts hashing them: on a
/// ring of 20, a walk from one node ends where the next step would take a
/// relationship again, and that happens at length 20 in each direction.
#[test]
fn walks_longer_than_sixteen_relationships_use_each_once() {
    for n in [10, 17, 20, 40] {
        let mut g = Graph::new();
        let ids: Vec<_> = (0..n)
            .map(|i| {
                let props = [("i".to_string(), Value::Int(i))].into_iter().collect();
                g.create_node(vec!["R".into()], props).unwrap()
            })
            .collect();
        for (k, &a) in ids.iter().enumerate() {
            g.create_rel(
                a,
                ids[(k + 1) % ids.len()],
                "NEXT".into(),
                Default::default(),
            )
            .unwrap();
        }
        assert_eq!(
            rows(
                &mut g,
                "MATCH p = (:R {i: 0})-[:NEXT*]->() RETURN count(p), max(length(p))"
            ),
            [format!("{n} | {n}")],
            "directed ring of {n}"
        );
        assert_eq!(
            rows(
                &mut g,
                "MATCH p = (:R {i: 0})-[:NEXT*]-() RETURN count(p), max(length(p))"
            ),
            [format!("{} | {n}", 2 * n)],
            "undirected ring of {n}"
        );
    }
}

#[test]
fn long_variable_length_paths_do_not_exhaust_the_stack() {
    // Built through the store: the point is the walk, not the setup.
    let mut g = Graph::new();
    let mut prev = None;
    for i in 1..=10_000i64 {
        let props = [("i".to_string(), Value::Int(i))].into_iter().collect();
        let n = g.create_node(vec!["C".into()], props).unwrap();
        if let Some(p) = prev {
            g.create_rel(p, n, "NEXT".into(), Default::default())
                .unwrap();
        }
        prev = Some(n);
    }
    assert_eq!(g.rel_count(), 9999);
    assert_eq!(
        rows(
            &mut g,
            "MATCH (:C {i: 1})-[:NEXT*]->(x) RETURN count(x), max(x.i)"
        ),
        ["9999 | 10000"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH p = shortestPath((:C {i: 1})-[:NEXT*]->(:C {i: 10000})) RETURN length(p)"
        ),
        ["9999"]
    );
}

#[test]
fn optional_match_gives_nulls() {
    let mut g = graph("CREATE (:A {n: 1})-[:T]->(:B), (:A {n: 2})");
    assert_eq!(
        sorted(rows(
            &mut g,
            "MATCH (a:A) OPTIONAL MATCH (a)-[r]->(b) RETURN a.n, type(r), b IS NULL"
        )),
        ["1 | 'T' | false", "2 | null | true"]
    );
    assert_eq!(
        sorted(rows(
            &mut g,
            "MATCH (a:A) OPTIONAL MATCH (a)-->(b) WHERE b.x = 1 RETURN a.n, b"
        )),
        ["1 | null", "2 | null"]
    );
    assert_eq!(rows(&mut g, "OPTIONAL MATCH (x:Nope) RETURN x"), ["null"]);
}

#[test]
fn named_paths_and_shortest_path() {
    let mut g = graph(
        "CREATE (a:N {n: 'a'})-[:R]->(b:N {n: 'b'})-[:R]->(c:N {n: 'c'})-[:R]->(d:N {n: 'd'}), (a)-[:R]->(x:N {n: 'x'})-[:R]->(d)",
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH p = shortestPath((a:N {n: 'a'})-[*]->(d:N {n: 'd'})) RETURN [v IN nodes(p) | v.n]"
        ),
        ["['a', 'x', 'd']"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (a:N {n: 'd'}), (b:N {n: 'a'}) MATCH p = shortestPath((a)-[*]-(b)) RETURN length(p)"
        ),
        ["2"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH p = allShortestPaths((a:N {n: 'a'})-[*]->(d:N {n: 'c'})) RETURN length(p)"
        ),
        ["2"]
    );
    let mut h = graph(
        "CREATE (a {n: 1})-[:R]->(b {n: 2})-[:R]->(c {n: 3}), (a)-[:R]->(d {n: 4})-[:R]->(c)",
    );
    assert_eq!(
        rows(
            &mut h,
            "MATCH p = allShortestPaths(({n: 1})-[*]->({n: 3})) RETURN count(p)"
        ),
        ["2"]
    );
    assert_eq!(
        rows(
            &mut h,
            "MATCH p = shortestPath(({n: 3})-[*]->({n: 1})) RETURN count(p)"
        ),
        ["0"]
    );
    assert_eq!(
        rows(&mut h, "MATCH p = ({n: 1})-[:R]->({n: 2}) RETURN p"),
        ["<({n: 1})-[:R]->({n: 2})>"]
    );
}

#[test]
fn shortest_path_applies_path_conditions_while_searching() {
    // The direct route goes through an article; the condition excludes it,
    // so the search must find the longer route, not filter the short one away.
    let mut g = graph(
        "CREATE (x:P {name: 'x'})-[:MENTIONED_IN]->(a:Article)<-[:MENTIONED_IN]-(r:O {name: 'r'}),
                (x)-[:KNOWS]->(:P)-[:KNOWS]->(:P)-[:KNOWS]->(r)",
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH p = shortestPath((:P {name: 'x'})-[*]-(:O {name: 'r'})) RETURN length(p)"
        ),
        ["2"]
    );
    let q = "MATCH p = shortestPath((:P {name: 'x'})-[*]-(:O {name: 'r'}))
             WHERE none(r IN relationships(p) WHERE type(r) IN ['MENTIONED_IN']) RETURN length(p)";
    assert_eq!(rows(&mut g, q), ["3"]);
    let q = "MATCH p = shortestPath((:P {name: 'x'})-[*]-(:O {name: 'r'}))
             WHERE all(n IN nodes(p) WHERE NOT n:Article) RETURN length(p)";
    assert_eq!(rows(&mut g, q), ["3"]);
}

#[test]
fn where_filters_with_three_valued_logic() {
    let mut g = graph("UNWIND [1, 2, 3] AS i CREATE ({i: i, odd: i % 2 = 1})");
    assert_eq!(
        sorted(rows(&mut g, "MATCH (n) WHERE n.i > 1 AND n.odd RETURN n.i")),
        ["3"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (n) WHERE n.missing = 1 RETURN count(*)"),
        ["0"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (n) WHERE NOT n.missing = 1 RETURN count(*)"),
        ["0"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (n) WHERE n.missing IS NULL RETURN count(*)"),
        ["3"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (n) WHERE n.i IN [1, null] RETURN n.i"),
        ["1"]
    );
}

#[test]
fn pattern_predicates_and_exists() {
    let mut g = graph("CREATE (:A {n: 1})-[:T]->(:B), (:A {n: 2})");
    assert_eq!(
        rows(&mut g, "MATCH (a:A) WHERE (a)-[:T]->() RETURN a.n"),
        ["1"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (a:A) WHERE NOT (a)-->(:B) RETURN a.n"),
        ["2"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (a:A) WHERE exists((a)-->()) RETURN a.n"),
        ["1"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (a:A) WHERE EXISTS { (a)-->(b:B) } RETURN a.n"
        ),
        ["1"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (a:A) WHERE EXISTS { MATCH (a)-->(b) WHERE b:B } RETURN a.n"
        ),
        ["1"]
    );
    assert_eq!(
        sorted(rows(
            &mut g,
            "MATCH (a:A) RETURN a.n, [(a)-->(b) | labels(b)] AS l"
        )),
        ["1 | [['B']]", "2 | []"]
    );
}

// ---- RETURN / WITH -------------------------------------------------------

#[test]
fn projections_aliases_distinct_order_skip_limit() {
    let mut g = graph("UNWIND [3, 1, 2, 1] AS i CREATE ({i: i})");
    assert_eq!(
        rows(&mut g, "MATCH (n) RETURN DISTINCT n.i AS i ORDER BY i"),
        ["1", "2", "3"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (n) RETURN n.i ORDER BY n.i DESC LIMIT 2"),
        ["3", "2"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (n) RETURN n.i ORDER BY n.i SKIP 1 LIMIT 2"),
        ["1", "2"]
    );
    let r = run(&mut g, "MATCH (n) RETURN n.i, n.i * 2 AS double LIMIT 1").unwrap();
    assert_eq!(r.columns, ["n.i", "double"]);
    assert_eq!(
        rows(&mut g, "MATCH (n) WITH n.i AS i WHERE i > 1 RETURN sum(i)"),
        ["5"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (n) WITH n ORDER BY n.i DESC LIMIT 1 RETURN n.i"
        ),
        ["3"]
    );
    assert_eq!(rows(&mut g, "WITH 1 AS a, 2 AS b RETURN *"), ["1 | 2"]);
    assert_eq!(
        rows(&mut g, "RETURN 1 + 2 AS x, 'a' + 'b' AS s"),
        ["3 | 'ab'"]
    );
}

#[test]
fn aggregation_groups_and_functions() {
    let mut g = graph(
        "CREATE ({k: 'a', v: 1}), ({k: 'a', v: 2}), ({k: 'b', v: 5}), ({k: 'b'}), ({k: 'c', v: 1.5})",
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (n) RETURN n.k, count(*), count(n.v), sum(n.v), collect(n.v) ORDER BY n.k"
        ),
        [
            "'a' | 2 | 2 | 3 | [1, 2]",
            "'b' | 2 | 1 | 5 | [5]",
            "'c' | 1 | 1 | 1.5 | [1.5]"
        ]
    );
    assert_eq!(
        rows(&mut g, "MATCH (n) RETURN min(n.v), max(n.v), avg(n.v)"),
        ["1 | 5 | 2.375"]
    );
    assert_eq!(rows(&mut g, "MATCH (n) RETURN count(DISTINCT n.k)"), ["3"]);
    assert_eq!(
        rows(&mut g, "MATCH (n) RETURN collect(DISTINCT n.k) AS ks"),
        ["['a', 'b', 'c']"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (n:Nope) RETURN count(n), sum(n.v), avg(n.v), collect(n)"
        ),
        ["0 | 0 | null | []"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (n:Nope) RETURN n.k, count(n)"),
        Vec::<String>::new()
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (n) RETURN n.k AS k, count(*) AS c ORDER BY c DESC, k LIMIT 2"
        ),
        ["'a' | 2", "'b' | 2"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (n) WITH n.k AS k, count(*) AS c WHERE c > 1 RETURN k ORDER BY k"
        ),
        ["'a'", "'b'"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (n) RETURN count(*) + 1 AS c, size(collect(n.k)) AS s"
        ),
        ["6 | 5"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (n) RETURN n.k, count(*) ORDER BY count(*) DESC, n.k LIMIT 1"
        ),
        ["'a' | 2"]
    );
    assert_eq!(
        err(&mut g, "MATCH (n) RETURN n.k ORDER BY max(n.v)").detail,
        "InvalidAggregation"
    );
    assert_eq!(
        rows(
            &mut g,
            "UNWIND [1, 2, 3, 4] AS x RETURN stDev(x) > 1.29, percentileDisc(x, 0.5)"
        ),
        ["true | 2"]
    );
}

#[test]
fn unwind_lists_nulls_and_scalars() {
    let mut g = Graph::new();
    assert_eq!(
        rows(&mut g, "UNWIND [1, [2], null] AS x RETURN x"),
        ["1", "[2]", "null"]
    );
    assert_eq!(
        rows(&mut g, "UNWIND null AS x RETURN x"),
        Vec::<String>::new()
    );
    assert_eq!(
        rows(&mut g, "UNWIND [] AS x RETURN x"),
        Vec::<String>::new()
    );
    assert_eq!(
        rows(
            &mut g,
            "UNWIND [[1, 2], [3]] AS l UNWIND l AS x RETURN sum(x)"
        ),
        ["6"]
    );
}

#[test]
fn union_and_union_all() {
    let mut g = Graph::new();
    assert_eq!(rows(&mut g, "RETURN 1 AS x UNION RETURN 1 AS x"), ["1"]);
    assert_eq!(
        rows(&mut g, "RETURN 1 AS x UNION ALL RETURN 1 AS x"),
        ["1", "1"]
    );
    assert_eq!(
        err(&mut g, "RETURN 1 AS x UNION RETURN 1 AS y").detail,
        "DifferentColumnsInUnion"
    );
}

// ---- writes and statistics -------------------------------------------------

fn stats(g: &mut Graph, q: &str) -> WriteStats {
    run(g, q).unwrap_or_else(|e| panic!("{q}: {e:?}")).stats
}

#[test]
fn create_counts_side_effects() {
    let mut g = Graph::new();
    let s = stats(
        &mut g,
        "CREATE (a:A:B {x: 1, y: null})-[:T {w: 2}]->(b), (b)-[:U]->(a)",
    );
    assert_eq!(
        s,
        WriteStats {
            nodes_created: 2,
            rels_created: 2,
            props_set: 2,
            labels_added: 2,
            writes: 4,
            ..WriteStats::default()
        }
    );
    // A label other nodes already carry is no TCK side effect, but it is a write.
    let mut h = graph("CREATE (:A), ()");
    let s = stats(&mut h, "MATCH (b) WHERE NOT b:A SET b:A");
    assert_eq!((s.labels_added, s.writes), (0, 1));
    assert!(!s.is_empty());
    assert_eq!(
        rows(&mut g, "MATCH (a:A)-[:T]->(b)-[:U]->(a) RETURN a.x"),
        ["1"]
    );
    assert_eq!(
        rows(&mut g, "CREATE p = (:X)-[:Y]->(:Z) RETURN length(p)"),
        ["1"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (a:A) CREATE (a)-[:V]->(c:C {v: a.x}) RETURN c.v"
        ),
        ["1"]
    );
}

#[test]
fn set_counts_as_the_tck_does() {
    let mut g = graph("CREATE (:X {name: 'A', name2: 'B'})");
    let s = stats(&mut g, "MATCH (n:X) SET n.name = 'C'");
    assert_eq!((s.props_set, s.props_removed), (1, 1));
    let s = stats(&mut g, "MATCH (n:X) SET n = {name: 'B', baz: 'C'}");
    assert_eq!((s.props_set, s.props_removed), (2, 2));
    assert_eq!(
        rows(&mut g, "MATCH (n:X) RETURN n"),
        ["(:X {baz: 'C', name: 'B'})"]
    );
    let s = stats(&mut g, "MATCH (n:X) SET n += {name: null, extra: 1}");
    assert_eq!((s.props_set, s.props_removed), (1, 1));
    let s = stats(&mut g, "MATCH (n:X) SET n:Foo:X");
    assert_eq!(s.labels_added, 1);
    let s = stats(&mut g, "MATCH (n:X) REMOVE n:Foo, n.extra, n.nothing");
    assert_eq!((s.labels_removed, s.props_removed), (1, 1));
    assert_eq!(rows(&mut g, "MATCH (n:X) RETURN n"), ["(:X {baz: 'C'})"]);
    let s = stats(&mut g, "MATCH (n:X) SET n.baz = null");
    assert_eq!((s.props_set, s.props_removed), (0, 1));
}

#[test]
fn merge_matches_or_creates() {
    let mut g = Graph::new();
    let s = stats(
        &mut g,
        "UNWIND [1, 1, 2] AS i MERGE (n:N {i: i}) ON CREATE SET n.c = true ON MATCH SET n.m = true",
    );
    assert_eq!(s.nodes_created, 2);
    assert_eq!(
        rows(&mut g, "MATCH (n:N) RETURN n.i, n.c, n.m ORDER BY n.i"),
        ["1 | true | true", "2 | true | null"]
    );
    let s = stats(
        &mut g,
        "MATCH (a:N {i: 1}), (b:N {i: 2}) MERGE (a)-[:R]->(b) MERGE (a)-[:R]->(b)",
    );
    assert_eq!(s.rels_created, 1);
    let s = stats(
        &mut g,
        "MATCH (a:N {i: 1}), (b:N {i: 2}) MERGE (b)-[:R]-(a)",
    );
    assert_eq!(s.rels_created, 0);
    assert_eq!(
        err(&mut g, "MERGE ({num: null})").detail,
        "MergeReadOwnWrites"
    );
}

#[test]
fn delete_and_detach_delete() {
    let mut g = graph("CREATE (:A {n: 1})-[:T]->(:B {n: 2}), (:C)");
    let e = err(&mut g, "MATCH (a:A) DELETE a");
    assert_eq!(
        (e.class, e.detail.as_str()),
        (
            ErrorClass::ConstraintVerificationFailed,
            "DeleteConnectedNode"
        )
    );
    assert_eq!(g.node_count(), 3, "the failed statement changed nothing");
    let s = stats(&mut g, "MATCH (a:A) DETACH DELETE a");
    assert_eq!((s.nodes_deleted, s.rels_deleted), (1, 1));
    let s = stats(&mut g, "MATCH (c:C) DELETE c");
    assert_eq!(s.nodes_deleted, 1);
    // A deleted relationship's type can still be returned; a deleted
    // node's properties cannot.
    let mut h = graph("CREATE ()-[:T {num: 0}]->()");
    assert_eq!(
        rows(&mut h, "MATCH ()-[r]->() DELETE r RETURN type(r)"),
        ["'T'"]
    );
    let mut h = graph("CREATE ({num: 0})");
    assert_eq!(
        err(&mut h, "MATCH (n) DELETE n RETURN n.num").detail,
        "DeletedEntityAccess"
    );
    assert_eq!(h.node_count(), 1);
    let mut h = graph("CREATE (:A)-[:T]->(:B)-[:T]->(:C)");
    let s = stats(&mut h, "MATCH p = (:A)-->()-->() DELETE p");
    assert_eq!((s.nodes_deleted, s.rels_deleted), (3, 2));
}

#[test]
fn failed_write_rolls_back_everything() {
    let mut g = graph("CREATE (:A {n: 1})");
    let e = err(
        &mut g,
        "CREATE (:A {n: 2}) WITH 1 AS x MATCH (a:A) SET a.n = a.n / 0",
    );
    assert_eq!(e.class, ErrorClass::ArgumentError);
    assert_eq!(rows(&mut g, "MATCH (a:A) RETURN a.n"), ["1"]);
}

// ---- expressions -----------------------------------------------------------

#[test]
fn null_semantics() {
    let mut g = Graph::new();
    assert_eq!(
        rows(
            &mut g,
            "RETURN null = null, null <> null, NOT null, null AND false, null OR true, null IS NULL"
        ),
        ["null | null | null | false | true | true"]
    );
    assert_eq!(
        rows(
            &mut g,
            "RETURN 1 IN [null, 2], 2 IN [null, 2], null IN [], [1, null] = [1, 2]"
        ),
        ["null | true | false | null"]
    );
    assert_eq!(
        rows(
            &mut g,
            "RETURN 1 < 'a', [1, 2] < [1, 3], 'a' < 'b', true > false"
        ),
        ["null | true | true | true"]
    );
    assert_eq!(
        rows(&mut g, "RETURN {k: null} = {k: null}, {} = {k: null}"),
        ["null | false"]
    );
}

#[test]
fn order_by_mixed_types_follows_cypher() {
    let mut g = Graph::new();
    assert_eq!(
        rows(
            &mut g,
            "UNWIND [1.5, ['list'], 'text', null, false, 0.0 / 0.0, {a: 'map'}, 1] AS t RETURN t ORDER BY t"
        ),
        [
            "{a: 'map'}",
            "['list']",
            "'text'",
            "false",
            "1",
            "1.5",
            "NaN",
            "null"
        ]
    );
    assert_eq!(
        rows(
            &mut g,
            "UNWIND [[], ['a'], ['a', 1], [1], [1, 'a'], [1, null], [null, 1]] AS l RETURN l ORDER BY l DESC"
        ),
        [
            "[null, 1]",
            "[1, null]",
            "[1, 'a']",
            "[1]",
            "['a', 1]",
            "['a']",
            "[]"
        ]
    );
}

#[test]
fn arithmetic_and_overflow() {
    let mut g = Graph::new();
    assert_eq!(
        rows(&mut g, "RETURN 7 / 2, 7 % 3, 7.0 / 2, 2 ^ 3, -(3), 1 + 2.5"),
        ["3 | 1 | 3.5 | 8.0 | -3 | 3.5"]
    );
    let e = err(&mut g, "RETURN 9223372036854775807 + 1");
    assert_eq!(e.class, ErrorClass::ArgumentError);
    assert_eq!(
        rows(&mut g, "RETURN [1, 2] + [3], [1] + 2, 'n' + 1"),
        ["[1, 2, 3] | [1, 2] | 'n1'"]
    );
    assert_eq!(err(&mut g, "RETURN 1 + true").class, ErrorClass::TypeError);
}

#[test]
fn lists_strings_and_comprehensions() {
    let mut g = Graph::new();
    assert_eq!(
        rows(
            &mut g,
            "WITH [1, 2, 3, 4] AS l RETURN l[0], l[-1], l[1..3], l[..-2], l[5], l[2..]"
        ),
        ["1 | 4 | [2, 3] | [1, 2] | null | [3, 4]"]
    );
    assert_eq!(
        rows(&mut g, "RETURN [x IN range(1, 5) WHERE x % 2 = 1 | x * 10]"),
        ["[10, 30, 50]"]
    );
    assert_eq!(
        rows(
            &mut g,
            "RETURN all(x IN [1, 2] WHERE x > 0), any(x IN [1, 2] WHERE x > 1), none(x IN [] WHERE true), single(x IN [1, 2] WHERE x = 1)"
        ),
        ["true | true | true | true"]
    );
    assert_eq!(
        rows(&mut g, "RETURN reduce(acc = 0, x IN [1, 2, 3] | acc + x)"),
        ["6"]
    );
    assert_eq!(
        rows(
            &mut g,
            "RETURN 'Belarus' STARTS WITH 'Bel', 'Belarus' ENDS WITH 'rus', 'SCO' CONTAINS 'C', 'SCO' =~ 'S.O'"
        ),
        ["true | true | true | true"]
    );
    assert_eq!(
        rows(
            &mut g,
            "RETURN toUpper('ab'), substring('hello', 1, 3), split('a,b', ','), replace('aXa', 'X', 'y'), trim('  x ')"
        ),
        ["'AB' | 'ell' | ['a', 'b'] | 'aya' | 'x'"]
    );
    assert_eq!(
        rows(
            &mut g,
            "RETURN size('abc'), size([1]), head([1, 2]), last([1, 2]), tail([1, 2]), reverse([1, 2])"
        ),
        ["3 | 1 | 1 | 2 | [2] | [2, 1]"]
    );
    assert_eq!(
        rows(
            &mut g,
            "RETURN toInteger('42'), toFloat('1.5'), toString(1.0), toBoolean('TRUE'), coalesce(null, 2)"
        ),
        ["42 | 1.5 | '1.0' | true | 2"]
    );
    assert_eq!(
        rows(
            &mut g,
            "RETURN CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END, CASE 2 WHEN 1 THEN 'x' WHEN 2 THEN 'y' END"
        ),
        ["'b' | 'y'"]
    );
    assert_eq!(
        rows(
            &mut g,
            "RETURN abs(-2), ceil(1.2), floor(1.8), round(2.5), sign(-3), sqrt(16)"
        ),
        ["2 | 2.0 | 1.0 | 3.0 | -1 | 4.0"]
    );
}

#[test]
fn maps_and_map_projection() {
    let mut g = graph("CREATE (:P {name: 'x', age: 3})");
    assert_eq!(
        rows(
            &mut g,
            "WITH {a: 1, b: {c: 2}} AS m RETURN m.a, m.b.c, m['a'], keys(m)"
        ),
        ["1 | 2 | 1 | ['a', 'b']"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P) WITH p, 5 AS k RETURN p {.name, k, z: 1}"
        ),
        ["{k: 5, name: 'x', z: 1}"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (p:P) RETURN p {.*}"),
        ["{age: 3, name: 'x'}"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (p:P) RETURN properties(p), p:P, p:Q"),
        ["{age: 3, name: 'x'} | true | false"]
    );
}

#[test]
fn parameters() {
    let mut g = graph("CREATE (:P {name: 'x'})");
    let mut p = Params::new();
    p.insert("name".into(), Value::String("x".into()));
    let r = run_opts(
        &mut g,
        "MATCH (n:P {name: $name}) RETURN count(n)",
        &p,
        &ExecOptions::default(),
    )
    .unwrap();
    assert_eq!(r.rows, vec![vec![Value::Int(1)]]);
    let e = err(&mut g, "RETURN $missing");
    assert_eq!(e.class, ErrorClass::ParameterMissing);
}

// ---- dates, valid time, names ------------------------------------------------

#[test]
fn dates_with_precision() {
    let mut g = Graph::new();
    assert_eq!(
        rows(
            &mut g,
            "RETURN date('2015'), fdate('2023-10'), precision(fdate('2023')), fdate('2023-10').month"
        ),
        ["fdate('2015-01-01') | fdate('2023-10') | 'year' | 10"]
    );
    assert_eq!(
        rows(
            &mut g,
            "RETURN date({year: 2020, month: 2, day: 29}), fdate(fdate('2020'))"
        ),
        ["fdate('2020-02-29') | fdate('2020')"]
    );
    // 2023 < 2023-10 is unknown: October lies inside 2023.
    assert_eq!(
        rows(
            &mut g,
            "RETURN fdate('2023') < fdate('2023-10'), fdate('2022') < fdate('2023-10'), fdate('2023') = fdate('2023-01')"
        ),
        ["null | true | false"]
    );
    assert_eq!(
        rows(
            &mut g,
            "UNWIND [fdate('2023-10'), fdate('2023'), fdate('2022-12-31')] AS d RETURN d ORDER BY d"
        ),
        ["fdate('2022-12-31')", "fdate('2023')", "fdate('2023-10')"]
    );
}

#[test]
fn as_of_hides_facts_not_valid_then() {
    let setup = "CREATE (b:State {name: 'Belarus'}), (s:Org {name: 'SCO'}), (br:Org {name: 'BRICS'}), (x:Org {name: 'Old'})
                 CREATE (b)-[:MEMBER {valid_from: fdate('2024-07-04')}]->(s),
                        (b)-[:PARTNER {valid_from: fdate('2024')}]->(br),
                        (b)-[:MEMBER {valid_from: fdate('2010'), valid_until: fdate('2024-01')}]->(x)";
    let mut g = graph(setup);
    let q = "MATCH (:State)-[r]->(o) RETURN o.name ORDER BY o.name";
    assert_eq!(rows(&mut g, q), ["'BRICS'", "'Old'", "'SCO'"]);
    let at = |d: &str| ExecOptions {
        as_of: Some(FDate::parse(d).unwrap()),
        ..Default::default()
    };
    let names = |g: &mut Graph, d: &str| -> Vec<String> {
        let r = run_opts(g, q, &Params::new(), &at(d)).unwrap();
        r.rows.iter().map(|row| row[0].to_string()).collect()
    };
    // A fact of 2024 is not after 2024-01-20 (the year contains the day).
    assert_eq!(names(&mut g, "2024-01-20"), ["'BRICS'"]);
    assert_eq!(names(&mut g, "2023-12-31"), ["'Old'"]);
    assert_eq!(names(&mut g, "2024-07"), ["'BRICS'", "'SCO'"]);
    // The statement's own AS OF overrides the option.
    let r = run_opts(
        &mut g,
        &format!("AS OF '2023-06' {q}"),
        &Params::new(),
        &at("2024-07"),
    )
    .unwrap();
    assert_eq!(r.rows.len(), 1);
}

#[test]
fn names_match_through_aliases_with_a_notice() {
    let mut g = graph(
        "CREATE (:Person {name: 'Sergei Aleinik', aliases: ['Sergej Alejnik', 'Alejnik']})-[:HOLDS]->(:State {name: 'Belarus'})",
    );
    let r = run(
        &mut g,
        "MATCH (p:Person {name: 'Alejnik'})-->(s) RETURN p.name, s.name",
    )
    .unwrap();
    assert_eq!(
        r.rows,
        vec![vec![Value::from("Sergei Aleinik"), Value::from("Belarus")]]
    );
    assert_eq!(
        r.notices,
        ["'Alejnik' matched Sergei Aleinik through its alias"]
    );
    let r = run(&mut g, "MATCH (p)-->(s {name: 'belarus'}) RETURN p.name").unwrap();
    assert_eq!(r.rows.len(), 1);
    // An exact name never gives a notice, and other properties are exact.
    let r = run(&mut g, "MATCH (p {name: 'Sergei Aleinik'}) RETURN p.name").unwrap();
    assert!(r.notices.is_empty());
    assert_eq!(
        rows(&mut g, "MATCH (p {aliases: 'Alejnik'}) RETURN p"),
        Vec::<String>::new()
    );
}

#[test]
fn schema_is_enforced_and_failures_write_nothing() {
    use crate::model::Schema;
    use crate::model::schema::{NodeKind, PropDecl, PropType};
    let mut schema = Schema::default();
    let decl = |name: &str, ty: PropType, required: bool| PropDecl {
        name: name.into(),
        ty,
        required,
    };
    schema.nodes.insert(
        "State".into(),
        NodeKind {
            name: "State".into(),
            props: vec![
                decl("name", PropType::String, true),
                decl("founded", PropType::Date, false),
            ],
            doc: String::new(),
        },
    );
    let mut g = Graph::with_schema(schema);
    // The required name may come later in the same statement.
    run(&mut g, "CREATE (s:State) SET s.name = 'Belarus'").unwrap();
    assert_eq!(
        err(&mut g, "CREATE (:State)").class,
        ErrorClass::SchemaViolation
    );
    assert_eq!(
        err(&mut g, "CREATE (:State {name: 1})").class,
        ErrorClass::SchemaViolation
    );
    assert_eq!(
        err(&mut g, "CREATE (:Nope {name: 'x'})").class,
        ErrorClass::SchemaViolation
    );
    let e = err(&mut g, "MATCH (s:State) SET s.founded = '1991'");
    assert_eq!(e.class, ErrorClass::SchemaViolation);
    assert!(e.span.is_some());
    let e = err(
        &mut g,
        "CREATE (:State {name: 'A'}) WITH 1 AS x MATCH (s:State {name: 'Belarus'}) REMOVE s.name",
    );
    assert_eq!(e.class, ErrorClass::SchemaViolation);
    assert_eq!(rows(&mut g, "MATCH (s:State) RETURN s.name"), ["'Belarus'"]);
}

#[test]
fn index_statements_create_show_and_drop_as_in_neo4j() {
    let mut g = graph("CREATE (:P {age: 30}), (:P {age: 30.0}), (:P {name: 'x'}), (:Q {age: 1})");
    let r = run(&mut g, "CREATE INDEX FOR (n:P) ON (n.age)").unwrap();
    assert_eq!(
        r.notices,
        ["created index 'index_P_age' on (:P {age}): 2 nodes"]
    );
    assert_eq!(r.stats.writes, 1);
    run(
        &mut g,
        "CREATE INDEX by_name IF NOT EXISTS FOR (p:P) ON (p.name)",
    )
    .unwrap();
    assert_eq!(
        rows(&mut g, "SHOW INDEXES"),
        [
            "'builtin_labels' | 'ONLINE' | 100.0 | 'LOOKUP' | 'NODE' | null | null | null",
            "'builtin_names' | 'ONLINE' | 100.0 | 'NAME' | 'NODE' | null | ['name', 'aliases'] | null",
            "'builtin_types' | 'ONLINE' | 100.0 | 'LOOKUP' | 'RELATIONSHIP' | null | null | null",
            "'by_name' | 'ONLINE' | 100.0 | 'RANGE' | 'NODE' | ['P'] | ['name'] | null",
            "'index_P_age' | 'ONLINE' | 100.0 | 'RANGE' | 'NODE' | ['P'] | ['age'] | null",
        ]
    );
    assert_eq!(rows(&mut g, "SHOW RANGE INDEXES").len(), 2);
    assert_eq!(
        rows(&mut g, "SHOW LOOKUP INDEXES"),
        [
            "'builtin_labels' | 'ONLINE' | 100.0 | 'LOOKUP' | 'NODE' | null | null | null",
            "'builtin_types' | 'ONLINE' | 100.0 | 'LOOKUP' | 'RELATIONSHIP' | null | null | null"
        ]
    );
    let e = err(&mut g, "CREATE INDEX ON :P(age)");
    assert!(e.message.contains("'index_P_age'"), "{}", e.message);
    // As in Neo4j: an equivalent index, a name in use, a missing index or
    // a name that is not the index's are errors ...
    for (q, want) in [
        (
            "CREATE INDEX ON :P(age)",
            "EquivalentSchemaRuleAlreadyExists",
        ),
        (
            "CREATE INDEX by_name FOR (q:Q) ON (q.age)",
            "IndexWithNameAlreadyExists",
        ),
        (
            "CREATE INDEX builtin_names FOR (q:Q) ON (q.age)",
            "IndexWithNameAlreadyExists",
        ),
        ("DROP INDEX nope", "IndexDropFailed"),
        ("DROP INDEX ON :Q(age)", "IndexDropFailed"),
        ("DROP INDEX builtin_labels", "IndexDropFailed"),
        ("DROP INDEX by_name FOR (n:P) ON (n.age)", "IndexDropFailed"),
    ] {
        assert_eq!(err(&mut g, q).detail, want, "{q}");
    }
    // ... and IF [NOT] EXISTS makes them notices that change nothing.
    let nothing = |name: &str, on: &str| {
        format!("an index '{name}' exists already: nothing created for {on}")
    };
    for (q, want) in [
        (
            "CREATE INDEX IF NOT EXISTS FOR (n:P) ON (n.age)",
            nothing("index_P_age", "(:P {age})"),
        ),
        (
            "CREATE INDEX by_name IF NOT EXISTS FOR (q:Q) ON (q.age)",
            nothing("by_name", "(:Q {age})"),
        ),
        (
            "DROP INDEX nope IF EXISTS",
            "no such index: nothing dropped".into(),
        ),
        (
            "DROP INDEX IF EXISTS FOR (n:Q) ON (n.age)",
            "no such index: nothing dropped".into(),
        ),
    ] {
        let r = run(&mut g, q).unwrap();
        assert_eq!(r.notices, [want], "{q}");
        assert!(r.stats.is_empty(), "{q}");
    }
    // A generated name steps aside for a name a user gave.
    run(&mut g, "CREATE INDEX index_Q_age FOR (n:P) ON (n.x)").unwrap();
    let r = run(&mut g, "CREATE INDEX FOR (n:Q) ON (n.age)").unwrap();
    assert!(r.notices[0].starts_with("created index 'index_Q_age_2'"));
    run(&mut g, "DROP INDEX index_Q_age").unwrap();
    run(&mut g, "DROP INDEX index_Q_age_2").unwrap();
    run(&mut g, "DROP INDEX by_name").unwrap();
    run(&mut g, "DROP INDEX ON :P(age)").unwrap();
    assert_eq!(rows(&mut g, "SHOW RANGE INDEXES").len(), 0);
    // EXPLAIN changes nothing.
    let r = run(&mut g, "EXPLAIN CREATE INDEX FOR (n:P) ON (n.age)").unwrap();
    assert!(
        r.plan
            .is_some_and(|p| p.starts_with("CreateIndex (:P {age})"))
    );
    assert!(g.prop_index("P", "age").is_none());
}

/// EXPLAIN shows the start the matcher takes: bound > name index >
/// property index (equality, then range) > label index > all nodes.
#[test]
fn explain_shows_the_property_index_the_matcher_starts_from() {
    let mut g = graph("CREATE (:P {k: 1, name: 'a'})-[:R]->(:Q {k: 2})");
    let plan = |g: &mut Graph, q: &str| run(g, &format!("EXPLAIN {q}")).unwrap().plan.unwrap();
    let q = "MATCH (a:P)-[:R]->(b:Q {k: 2}) RETURN a";
    assert!(!plan(&mut g, q).contains("property index"));
    run(&mut g, "CREATE INDEX q_k FOR (n:Q) ON (n.k)").unwrap();
    assert!(
        plan(&mut g, q)
            .contains("start: property index 'q_k' (:Q {k}): (b {k: 2}), walking right to left"),
        "{}",
        plan(&mut g, q)
    );
    assert_eq!(rows(&mut g, q), ["(:P {k: 1, name: 'a'})"]);
    run(&mut g, "CREATE INDEX FOR (n:P) ON (n.k)").unwrap();
    for (q, start) in [
        (
            "MATCH (a:P) WHERE a.k = 1 RETURN a",
            "property index 'index_P_k' (:P {k}): WHERE a.k = 1",
        ),
        (
            "MATCH (a:P) WHERE 3 > a.k AND a.k >= 0 RETURN a",
            "property index 'index_P_k' (:P {k}), range: WHERE a.k >= 0 AND a.k < 3",
        ),
        (
            "MATCH (a:P) WHERE a.k STARTS WITH 'x' RETURN a",
            "property index 'index_P_k' (:P {k}), range: WHERE a.k STARTS WITH 'x'",
        ),
        (
            "MATCH (a:P) WHERE a.k > 0 AND a.k IN $ks RETURN a",
            "property index 'index_P_k' (:P {k}): WHERE a.k IN $ks",
        ),
        // The name index ranks higher.
        (
            "MATCH (a:P {k: 1}) WHERE a.name = 'a' RETURN a",
            "name index: WHERE a.name = 'a'",
        ),
        // Equality ranks above a range: the walk starts at b.
        (
            "MATCH (a:P)-[:R]->(b:Q) WHERE a.k > 0 AND b.k = 2 RETURN a",
            "property index 'q_k' (:Q {k}): WHERE b.k = 2, walking right to left",
        ),
        // A value that depends on the node itself cannot be looked up.
        ("MATCH (a:P) WHERE a.k = a.x RETURN a", "label index :P"),
        // No index on this label.
        (
            "MATCH (a:Q) WHERE a.name = 1 OR a.k = 2 RETURN a",
            "label index :Q",
        ),
        // Bound before: one node.
        (
            "MATCH (a:P) WITH a MATCH (a {k: 1}) RETURN a",
            "(a), bound before",
        ),
    ] {
        let p = plan(&mut g, q);
        assert!(p.contains(&format!("start: {start}")), "{q}\n{p}");
    }
    // A lookup value that fails is no error where no node reaches the
    // WHERE, as without the index.
    run(&mut g, "CREATE INDEX FOR (n:Z) ON (n.k)").unwrap();
    assert!(rows(&mut g, "MATCH (n:Z) WHERE n.k = 1 / 0 RETURN n").is_empty());
    assert_eq!(
        err(&mut g, "MATCH (n:P) WHERE n.k = 1 / 0 RETURN n").class,
        ErrorClass::ArgumentError
    );
}

/// Deterministic pseudo-random numbers below `n` (a linear congruential
/// generator: no dependency, the same draws on every run).
fn numbers(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    }
}

/// Values, some equal across types, some never equal (NaN), in a pool
/// small enough that they repeat.
fn index_test_value(next: &mut dyn FnMut(u64) -> u64) -> Value {
    match next(10) {
        0 => Value::Int(next(4) as i64),
        1 => Value::Float(next(4) as f64),
        2 => Value::Float(next(4) as f64 + 0.5),
        3 => Value::String(["a", "ab", "abc", "b", ""][next(5) as usize].into()),
        4 => Value::Bool(next(2) == 0),
        5 => Value::List(vec![Value::Int(next(2) as i64), Value::Float(1.0)]),
        6 => {
            let d = [
                "2023",
                "2023-10",
                "~2023-10",
                "2023-01-01",
                "2024",
                "2022-12-31",
            ];
            Value::Date(FDate::parse(d[next(6) as usize]).unwrap_or(FDate::year(2023)))
        }
        7 => Value::Float(f64::NAN),
        8 => Value::Int(-(next(3) as i64)),
        _ => Value::Null,
    }
}

/// The same queries, with and without property indexes, on random
/// graphs, give the same rows in the same order; EXPLAIN shows the index
/// in use.
#[test]
fn property_indexes_give_the_answers_of_a_scan_on_random_data() {
    let mut next = numbers(0x2545_f491_4f6c_dd1d);
    let queries = [
        ("MATCH (n:A {p: $v}) RETURN id(n)", true),
        ("MATCH (n:A) WHERE n.p = $v RETURN id(n), n.p", true),
        (
            "MATCH (n:B:A) WHERE $v = n.p AND n.q = 1 RETURN id(n)",
            true,
        ),
        ("MATCH (n:A) WHERE n.p < $v RETURN id(n)", true),
        ("MATCH (n:A) WHERE n.p >= $v RETURN id(n)", true),
        (
            "MATCH (n:A) WHERE n.p > $v AND n.p <= $w RETURN id(n)",
            true,
        ),
        ("MATCH (n:A) WHERE $w > n.p AND n.p > $v RETURN id(n)", true),
        ("MATCH (n:A) WHERE n.p STARTS WITH $v RETURN id(n)", true),
        (
            "MATCH (n:A) WHERE n.p IN [$v, $w, 1.0, $v] RETURN id(n)",
            true,
        ),
        ("MATCH (n:A) WHERE n.p IN $v RETURN id(n)", true),
        ("MATCH (n:B) WHERE n.p = $v OR n.p = $w RETURN id(n)", false),
        (
            "MATCH (a)-[:R]->(b:B {p: $v}) RETURN id(a), id(b) ORDER BY id(a), id(b)",
            true,
        ),
        (
            "UNWIND [$v, $w, 1, 'a'] AS x MATCH (n:A {p: x}) RETURN x, id(n)",
            true,
        ),
        (
            "MATCH (m:B) OPTIONAL MATCH (n:A) WHERE n.p = m.p RETURN id(m), id(n)",
            true,
        ),
    ];
    let mut found = 0;
    for round in 0..40 {
        let n = 5 + next(25);
        let mut setup = Vec::new();
        for i in 0..n {
            let label = ["A", "B", "A:B", "C"][next(4) as usize];
            setup.push(format!("(n{i}:{label} {{p: $p{i}, q: {}}})", next(2)));
        }
        for _ in 0..n {
            setup.push(format!("(n{})-[:R]->(n{})", next(n), next(n)));
        }
        let mut params = Params::new();
        for i in 0..n {
            params.insert(format!("p{i}"), index_test_value(&mut next));
        }
        let create = format!("CREATE {}", setup.join(", "));
        let mut plain = Graph::new();
        run_opts(&mut plain, &create, &params, &ExecOptions::default()).unwrap();
        let mut indexed = plain.clone();
        run(&mut indexed, "CREATE INDEX FOR (n:A) ON (n.p)").unwrap();
        run(&mut indexed, "CREATE INDEX FOR (n:B) ON (n.p)").unwrap();
        // Writes after the index exists keep it current.
        let change = "MATCH (n:C) WHERE id(n) % 2 = 0 SET n:A REMOVE n.q WITH n MATCH (m:B) WHERE id(m) % 3 = 0 SET m.p = $v REMOVE m:A";
        for _ in 0..4 {
            let mut params = Params::new();
            params.insert("v".into(), index_test_value(&mut next));
            params.insert("w".into(), index_test_value(&mut next));
            for (q, uses_index) in queries {
                // Errors (`IN` of a number) must agree as well.
                let at = |g: &mut Graph| match run_opts(g, q, &params, &ExecOptions::default()) {
                    Ok(r) => format!("{:?}", r.rows),
                    Err(e) => format!("error {}", e.detail),
                };
                let (a, b) = (at(&mut plain), at(&mut indexed));
                assert_eq!(a, b, "round {round}: {q} with {params:?}");
                found += usize::from(a != "[]" && !a.starts_with("error"));
                let p = run_opts(
                    &mut indexed,
                    &format!("EXPLAIN {q}"),
                    &params,
                    &ExecOptions::default(),
                )
                .unwrap()
                .plan
                .unwrap();
                assert_eq!(p.contains("property index"), uses_index, "{q}\n{p}");
            }
            for g in [&mut plain, &mut indexed] {
                run_opts(g, change, &params, &ExecOptions::default()).unwrap();
            }
        }
    }
    assert!(found > 500, "most queries find something: {found}");
}

#[test]
fn regex_matches_whole_strings() {
    let mut g = graph("CREATE ({name: 'Sergei Aleinik'}), ({name: 'Xie Xiaoyong'})");
    assert_eq!(
        rows(
            &mut g,
            "MATCH (n) WHERE n.name =~ '(?i)serg.*' RETURN n.name"
        ),
        ["'Sergei Aleinik'"]
    );
    assert_eq!(
        rows(&mut g, "MATCH (n) WHERE n.name =~ 'Xie' RETURN n.name"),
        Vec::<String>::new()
    );
    assert_eq!(
        rows(&mut g, "RETURN null =~ 'a', 'a' =~ null"),
        ["null | null"]
    );
    assert_eq!(
        err(&mut g, "RETURN 'a' =~ '('").class,
        ErrorClass::ArgumentError
    );
}

// ---- compile-time checks, EXPLAIN, result snapshots ----------------------------------

#[test]
fn semantic_errors() {
    let mut g = Graph::new();
    let detail = |g: &mut Graph, q: &str| err(g, q).detail;
    assert_eq!(detail(&mut g, "MATCH (a) RETURN b"), "UndefinedVariable");
    assert_eq!(
        detail(&mut g, "MATCH (a) CREATE (a)"),
        "VariableAlreadyBound"
    );
    assert_eq!(
        detail(&mut g, "MATCH (a) CREATE (a:L)-[:T]->()"),
        "VariableAlreadyBound"
    );
    assert_eq!(
        detail(&mut g, "MATCH (a)-[r]->() CREATE ()-[r:T]->()"),
        "VariableAlreadyBound"
    );
    assert_eq!(
        detail(&mut g, "MATCH (a)-[a]->() RETURN a"),
        "VariableTypeConflict"
    );
    assert_eq!(
        detail(&mut g, "MATCH (a) WHERE count(a) > 1 RETURN a"),
        "InvalidAggregation"
    );
    assert_eq!(
        detail(&mut g, "CREATE ()-[:A|B]->()"),
        "NoSingleRelationshipType"
    );
    assert_eq!(
        detail(&mut g, "CREATE ()-[:A]-()"),
        "RequiresDirectedRelationship"
    );
    assert_eq!(detail(&mut g, "WITH 1 + 1 RETURN 1"), "NoExpressionAlias");
    assert_eq!(
        detail(&mut g, "RETURN 1 AS a, 2 AS a"),
        "ColumnNameConflict"
    );
    assert_eq!(detail(&mut g, "RETURN foo(1)"), "UnknownFunction");
    assert_eq!(
        detail(&mut g, "RETURN count(count(1))"),
        "NestedAggregation"
    );
    assert_eq!(
        detail(&mut g, "MATCH (a) WHERE (a)-->(b) RETURN a"),
        "UndefinedVariable"
    );
    // Found before the statement runs: a SyntaxError, as Neo4j and the TCK class it.
    assert_eq!(
        err(&mut g, "MATCH (a) RETURN b").class,
        ErrorClass::SyntaxError
    );
    assert_eq!(g.node_count(), 0);
}

#[test]
fn explain_returns_a_plan_and_no_rows() {
    let mut g = graph("CREATE (:A)");
    let r = run(
        &mut g,
        "EXPLAIN MATCH (a:A)-[:T*1..2]->(b) WHERE b.x = 1 RETURN b.x AS x, count(*) ORDER BY x",
    )
    .unwrap();
    assert!(r.rows.is_empty());
    let plan = r.plan.unwrap();
    assert!(
        plan.contains("Match (a:A)-[:T*1..2]->(b) + Filter (WHERE)\n    start: label index :A\n"),
        "{plan}"
    );
    assert!(plan.contains("Aggregate"), "{plan}");
    let s = stats(&mut g, "EXPLAIN CREATE (:B)");
    assert!(s.is_empty());
}

#[test]
fn snapshots_cover_nested_values() {
    let mut g = graph("CREATE (:A {n: 1})-[:T]->(:B {n: 2})");
    let r = run(&mut g, "MATCH p = (a)-[r]->(b) RETURN {x: [a]}, p").unwrap();
    assert_eq!(r.nodes.len(), 2);
    assert_eq!(r.rels.len(), 1);
    let r = run(&mut g, "MATCH (a:A) DETACH DELETE a RETURN a").unwrap();
    assert_eq!(
        r.nodes.values().next().map(|n| n.labels.clone()),
        Some(vec!["A".to_string()])
    );
}

// ---- EXISTS { <query> } and compile-time checks (issue 3) -------------

#[test]
fn exists_full_subquery_with_aggregation_sees_outer_row() {
    let mut g = graph(
        "CREATE (a:A {n: 1})-[:R]->(b:B {n: 2}), (a)-[:R]->(:C {n: 3}), \
         (a)-[:R]->(d:D {n: 4}), (b)-[:R]->(d)",
    );
    let q = "MATCH (x) WHERE EXISTS { MATCH (x)-->(m) WITH x, count(*) AS c \
             WHERE c = 3 RETURN true } RETURN x.n";
    assert_eq!(rows(&mut g, q), ["1"]);
    let q = "MATCH (x) WHERE EXISTS { MATCH (x)-->(m) WITH x, count(*) AS c \
             WHERE c = 1 RETURN true } RETURN x.n";
    assert_eq!(rows(&mut g, q), ["2"]);
}

#[test]
fn exists_full_subquery_runs_unwind_order_limit_and_empty_aggregation() {
    let mut g = graph("CREATE (:A {n: 1, l: [1, 2]}), (:A {n: 2, l: []})");
    let q = "MATCH (a:A) WHERE EXISTS { UNWIND a.l AS x WITH x ORDER BY x DESC \
             LIMIT 1 WHERE x = 2 RETURN x } RETURN a.n";
    assert_eq!(rows(&mut g, q), ["1"]);
    // An aggregation over no rows still yields one row, so this holds for both.
    let q = "MATCH (a:A) WHERE EXISTS { MATCH (a)-->(b) RETURN count(b) AS c } \
             RETURN a.n ORDER BY a.n";
    assert_eq!(rows(&mut g, q), ["1", "2"]);
}

#[test]
fn exists_full_subquery_refuses_writes_and_undefined_variables() {
    let mut g = graph("CREATE (:A)-[:R]->(:B)");
    let e = err(
        &mut g,
        "MATCH (n) WHERE EXISTS { MATCH (n)-->(m) SET m.p = 1 } RETURN n",
    );
    assert_eq!(e.class, ErrorClass::SyntaxError);
    let e = err(
        &mut g,
        "MATCH (n) WHERE EXISTS { MATCH (n)-->(m) RETURN nope } RETURN n",
    );
    assert_eq!(
        (e.class, e.detail.as_str()),
        (ErrorClass::SyntaxError, "UndefinedVariable")
    );
}

#[test]
fn aggregating_rand_is_a_non_constant_expression() {
    let mut g = Graph::new();
    let e = err(&mut g, "RETURN count(rand())");
    assert_eq!(
        (e.class, e.detail.as_str()),
        (ErrorClass::SyntaxError, "NonConstantExpression")
    );
    assert_eq!(
        rows(&mut g, "RETURN count(*) AS c, rand() < 1.0 AS r"),
        ["1 | true"]
    );
}

#[test]
fn ambiguous_order_by_aggregation_is_reported_before_a_missing_alias() {
    let mut g = Graph::new();
    let e = err(
        &mut g,
        "MATCH (me:Person)--(you:Person) WITH me.age + you.age, count(*) AS cnt \
         ORDER BY me.age + you.age + count(*) RETURN *",
    );
    assert_eq!(e.detail, "AmbiguousAggregationExpression");
    let e = err(&mut g, "MATCH (n) WITH n.age, count(*) AS c RETURN c");
    assert_eq!(e.detail, "NoExpressionAlias");
}

#[test]
fn an_aggregating_item_reads_only_grouping_keys_inside_patterns_and_subqueries() {
    // a (x 1) has one :T, b (x 1) none, c (x 2) two.
    let mut g = graph(
        "CREATE (a:P {n: 1, x: 1})-[:T]->(:Q {v: 1}), (:P {n: 2, x: 1}), \
         (c:P {n: 3, x: 2})-[:T]->(:Q {v: 2}), (c)-[:T]->(:Q {v: 2})",
    );
    // Neo4j's rule (42I18) looks inside a pattern comprehension, a pattern
    // predicate, an EXISTS, COUNT or COLLECT subquery and a map projection:
    // a variable from outside that is not a grouping key is ambiguous
    // there too, not read from the group's first row.
    for q in [
        "MATCH (p:P) RETURN count(*) + size([(p)-->() | 1])",
        "MATCH (p:P) RETURN count(*) + size([(q:Q)<--() WHERE q.v = p.x | q])",
        "MATCH (p:P) RETURN collect(1) + [(q:Q)<--() | p.n]",
        "MATCH (p:P) RETURN p.x, count(*) + size([(p)-->() | 1])",
        "MATCH (p:P) RETURN count(*) > 1 AND exists((p)-->()) AS b",
        "MATCH (p:P) RETURN CASE WHEN exists((p)-[:T]->(:Q {v: 2})) THEN count(*) END AS c",
        "MATCH (p:P) RETURN count(*) + size([x IN [1] WHERE (p)-->() | x])",
        "MATCH (p:P) RETURN count(*) + COUNT { (p)-->() }",
        "MATCH (p:P) RETURN EXISTS { MATCH (p)-->(q) WHERE q.v > 1 } OR count(*) > 5 AS e",
        "MATCH (p:P) RETURN count(*) + COUNT { MATCH (q:Q) WHERE q.v = p.x }",
        "MATCH (p:P) RETURN collect(p.n) + COLLECT { MATCH (p)-->(q) RETURN q.v }",
        "MATCH (p:P) RETURN collect(0) + COLLECT { MATCH (q:Q) RETURN q.v AS v ORDER BY v + p.n }",
        // The subquery's own aggregation aggregates its rows: `p` is still
        // one row's.
        "MATCH (p:P) RETURN count(*) + COUNT { MATCH (q:Q) WITH count(p) AS c RETURN c }",
        // With `p.x` a key, `p` itself is not one.
        "MATCH (p:P) RETURN p.x, count(*) + COUNT { (p)-->() }",
        "MATCH (p:P) WITH p.x AS x, count(*) + size([(p)-->() | 1]) AS k RETURN x, k",
        "MATCH (p:P) RETURN [p {.n}, count(*)]",
        "MATCH (p:P)-[:T]->(q) RETURN p, [p {.n, q}, count(*)]",
        "MATCH (p:P)-[:T]->(q) RETURN p, [p {.n, v: q.v}, count(*)]",
    ] {
        let e = err(&mut g, q);
        assert_eq!(
            (e.class, e.detail.as_str()),
            (ErrorClass::SyntaxError, "AmbiguousAggregationExpression"),
            "{q}: {e:?}"
        );
    }
    // A grouping key may be read there (so each group's value is its own),
    // and so may what the pattern or subquery binds itself, or a variable
    // inside the item's own aggregation.
    for (q, want) in [
        (
            "MATCH (p:P) WITH p, count(*) * 10 + size([(p)-->() | 1]) AS k \
             RETURN p.n, k ORDER BY p.n",
            vec!["1 | 11", "2 | 10", "3 | 12"],
        ),
        (
            "MATCH (p:P) WITH p, exists((p)-->()) AND count(*) = 1 AS b, \
             count(*) + size([x IN [1] WHERE (p)-->() | x]) AS k RETURN p.n, b, k ORDER BY p.n",
            vec!["1 | true | 2", "2 | false | 1", "3 | true | 2"],
        ),
        (
            "MATCH (p:P) WITH p, count(*) AS c WHERE (p)-->() RETURN p.n, c ORDER BY p.n",
            vec!["1 | 1", "3 | 1"],
        ),
        (
            "MATCH (p:P) WITH p, count(*) * 10 + COUNT { (p)-->() } AS k, \
             EXISTS { (p)-->(:Q {v: 2}) } OR count(*) > 5 AS e RETURN p.n, k, e ORDER BY p.n",
            vec!["1 | 11 | false", "2 | 10 | false", "3 | 12 | true"],
        ),
        (
            "MATCH (p:P) WITH p, COLLECT { MATCH (p)-->(q) RETURN q.v } + collect(p.n) AS l \
             RETURN p.n, l ORDER BY p.n",
            vec!["1 | [1, 1]", "2 | [2]", "3 | [2, 2, 3]"],
        ),
        // A property key: `p.x` in the subquery is the group's.
        (
            "MATCH (p:P) RETURN p.x AS x, count(*) * 10 + COUNT { MATCH (q:Q) WHERE q.v = p.x } AS k \
             ORDER BY x",
            vec!["1 | 21", "2 | 12"],
        ),
        // Only the pattern's or subquery's own variables.
        (
            "MATCH (p:P) RETURN count(*) + size([(q:Q)<--() | q.v]) AS k",
            vec!["6"],
        ),
        (
            "MATCH (p:P) RETURN count(*) + COUNT { MATCH (q:Q) WHERE q.v = 2 } AS k",
            vec!["5"],
        ),
        (
            "MATCH (p:P) RETURN count(*) + COUNT { MATCH (q:Q) WITH q.v AS v WHERE v = 2 RETURN v } AS k",
            vec!["5"],
        ),
        (
            "MATCH (p:P) RETURN count(*) + \
             reduce(s = 0, x IN [1, 2] | s + size([(q:Q)<--() WHERE q.v = x | 1])) AS k",
            vec!["6"],
        ),
        // Inside the aggregation a variable is the aggregated rows'.
        (
            "MATCH (p:P) RETURN sum(size([(p)-->() | 1])) + 1 AS k",
            vec!["4"],
        ),
        (
            "MATCH (p:P) RETURN sum(COUNT { (p)-->() }) * 10 + count(*) AS k",
            vec!["33"],
        ),
        // Map projections of a key.
        (
            "MATCH (p:P) WITH p, p {.n, c: count(*)} AS m RETURN m.n, m.c ORDER BY m.n",
            vec!["1 | 1", "2 | 1", "3 | 1"],
        ),
        (
            "MATCH (p:P)-[:T]->(q) WITH p, q, p {.n, q, c: count(*)} AS m \
             RETURN m.n, m.q.v, m.c ORDER BY m.n",
            vec!["1 | 1 | 1", "3 | 2 | 1", "3 | 2 | 1"],
        ),
    ] {
        assert_eq!(rows(&mut g, q), want, "{q}");
    }
}

#[test]
fn unknown_procedure_with_yield_fails_at_compile_time() {
    let mut g = Graph::new();
    let e = err(&mut g, "CALL test.my.proc() YIELD out RETURN out");
    assert_eq!(
        (e.class, e.detail.as_str()),
        (ErrorClass::ProcedureError, "ProcedureNotFound")
    );
    // EXPLAIN runs only the compile-time checks.
    let e = err(&mut g, "EXPLAIN CALL test.my.proc() YIELD out RETURN out");
    assert_eq!(e.detail, "ProcedureNotFound");
    // A near miss is named.
    let e = err(&mut g, "CALL db.label()");
    assert_eq!(e.hint.as_deref(), Some("did you mean db.labels?"));
}

fn with_procs(procs: super::procedures::Procedures) -> ExecOptions {
    ExecOptions {
        procedures: Some(std::sync::Arc::new(procs)),
        ..ExecOptions::default()
    }
}

/// `test.range(from :: INTEGER, to :: INTEGER?) :: (i :: INTEGER, half :: FLOAT)`:
/// a row per integer from `from` to `to` (null: `from` alone).
fn range_procedure() -> super::procedures::Procedures {
    use super::procedures::{Procedure, Procedures, Signature};
    let sig = Signature::parse(
        "test.range(from :: INTEGER, to :: INTEGER?) :: (i :: INTEGER, half :: FLOAT)",
    )
    .expect("signature");
    let mut p = Procedures::new();
    p.register(Procedure::new(sig, |_, args| {
        let int = |v: Option<&Value>| match v {
            Some(Value::Int(i)) => Some(*i),
            _ => None,
        };
        let from = int(args.first()).unwrap_or(0);
        let to = int(args.get(1)).unwrap_or(from);
        Ok((from..=to)
            .map(|i| vec![Value::Int(i), Value::Float(i as f64 / 2.0)])
            .collect())
    }))
    .expect("register");
    p
}

#[test]
fn builtin_procedures_describe_the_graph() {
    let mut g = graph(
        "CREATE (:B {name: 'b', x: 1})-[:R {w: 2}]->(:A:B {name: 'ab'}), (:A {name: 'a', y: 'z'}), ()-[:S]->()",
    );
    assert_eq!(rows(&mut g, "CALL db.labels()"), ["'A'", "'B'"]);
    assert_eq!(rows(&mut g, "CALL db.labels"), ["'A'", "'B'"]);
    assert_eq!(rows(&mut g, "CALL db.relationshipTypes()"), ["'R'", "'S'"]);
    let r = run(&mut g, "CALL db.propertyKeys()").expect("keys");
    assert_eq!(r.columns, ["propertyKey"]);
    assert_eq!(r.rows.len(), 4, "name, w, x, y: {:?}", r.rows);
    // Inside a query, with YIELD ... AS, WHERE and the rows before it.
    assert_eq!(
        rows(
            &mut g,
            "UNWIND [1, 2] AS k CALL db.labels() YIELD label AS l WHERE l <> 'B' RETURN k, l"
        ),
        ["1 | 'A'", "2 | 'A'"]
    );
    assert_eq!(
        rows(
            &mut g,
            "CALL db.schema.nodeTypeProperties() YIELD nodeLabels, propertyName, propertyTypes, mandatory \
             RETURN nodeLabels, propertyName, propertyTypes, mandatory"
        ),
        [
            "[] | null | null | false",
            "['A'] | 'name' | ['String'] | true",
            "['A'] | 'y' | ['String'] | true",
            "['A', 'B'] | 'name' | ['String'] | true",
            "['B'] | 'name' | ['String'] | true",
            "['B'] | 'x' | ['Long'] | true",
        ]
    );
    assert_eq!(
        rows(&mut g, "CALL db.schema.relTypeProperties()"),
        [
            "':`R`' | 'w' | ['Long'] | true",
            "':`S`' | null | null | false"
        ]
    );
    // Every built-in is listed with a signature that reads back as itself.
    let r = run(
        &mut g,
        "CALL dbms.procedures() YIELD name, signature RETURN name, signature",
    )
    .expect("procedures");
    assert_eq!(r.rows.len(), super::procedures::builtins().len());
    for row in &r.rows {
        let sig = row[1].as_str().expect("a signature");
        let parsed = super::procedures::Signature::parse(sig).expect(sig);
        assert_eq!(parsed.to_string(), sig);
        assert_eq!(Value::from(parsed.name.as_str()), row[0]);
    }
    // A procedure reads; the graph is unchanged and the result says so.
    assert!(r.stats.is_empty());
    // As of a date, only what MATCH sees then.
    let mut t = graph(
        "CREATE (:Old {valid_from: fdate('2020')})-[:T {valid_from: fdate('2020')}]->(:New {valid_from: fdate('2024'), late: 1})",
    );
    assert_eq!(
        rows(&mut t, "AS OF fdate('2022') CALL db.labels()"),
        ["'Old'"]
    );
    assert_eq!(rows(&mut t, "CALL db.labels()"), ["'New'", "'Old'"]);
    assert!(rows(&mut t, "AS OF fdate('2022') CALL db.relationshipTypes()").is_empty());
    assert_eq!(
        rows(&mut t, "AS OF fdate('2022') CALL db.propertyKeys()"),
        ["'valid_from'"]
    );
    assert_eq!(
        rows(
            &mut t,
            "AS OF fdate('2022') CALL db.schema.nodeTypeProperties() YIELD nodeType RETURN DISTINCT nodeType"
        ),
        ["':`Old`'"]
    );
    // Not inside a subquery expression.
    let e = err(
        &mut g,
        "MATCH (n) WHERE EXISTS { CALL db.labels() YIELD label WHERE label IN labels(n) } RETURN n",
    );
    assert_eq!(e.detail, "InvalidClauseComposition");
    assert!(e.span.is_some());
    // Neo4j 5's form gives the same.
    let show = run(&mut g, "SHOW PROCEDURES").expect("show");
    let all = run(&mut g, "CALL dbms.procedures()").expect("all");
    assert_eq!((show.columns, show.rows), (all.columns, all.rows));
    assert!(
        run(&mut g, "EXPLAIN SHOW PROCEDURES")
            .expect("explain")
            .rows
            .is_empty()
    );
}

#[test]
fn an_application_procedure_gets_converted_arguments_and_gives_typed_rows() {
    let mut g = Graph::new();
    let opts = with_procs(range_procedure());
    let go = |g: &mut Graph, q: &str, params: &Params| run_opts(g, q, params, &opts);
    let r = go(&mut g, "CALL test.range(1, 3)", &Params::new()).expect("standalone");
    assert_eq!(r.columns, ["i", "half"]);
    assert_eq!(r.rows.len(), 3);
    assert_eq!(r.rows[2], [Value::Int(3), Value::Float(1.5)]);
    // Implicit arguments come from the parameters of their names.
    let params: Params = [
        ("from".to_string(), Value::Int(5)),
        ("to".to_string(), Value::Null),
    ]
    .into_iter()
    .collect();
    let r = go(&mut g, "CALL test.range", &params).expect("implicit");
    assert_eq!(r.rows, [[Value::Int(5), Value::Float(2.5)]]);
    let e = go(&mut g, "CALL test.range", &Params::new()).expect_err("no parameters");
    assert_eq!(
        (e.class, e.detail.as_str()),
        (ErrorClass::ParameterMissing, "MissingParameter")
    );
    // EXPLAIN needs no parameters.
    let r = go(&mut g, "EXPLAIN CALL test.range", &Params::new()).expect("explain");
    assert!(
        r.plan
            .is_some_and(|p| p.contains("ProcedureCall test.range"))
    );
    // Inside a query, per row, arguments from the row.
    let r = go(
        &mut g,
        "UNWIND [1, 2] AS n CALL test.range(n, n + 1) YIELD i, half AS h WHERE i > 1 RETURN n, i, h",
        &Params::new(),
    )
    .expect("in a query");
    assert_eq!(
        r.rows,
        [
            vec![Value::Int(1), Value::Int(2), Value::Float(1.0)],
            vec![Value::Int(2), Value::Int(2), Value::Float(1.0)],
            vec![Value::Int(2), Value::Int(3), Value::Float(1.5)],
        ]
    );
    // The checks a statement passes before it runs.
    let detail = |g: &mut Graph, q: &str| {
        let e = go(g, q, &Params::new()).expect_err(q);
        (e.class, e.detail)
    };
    let syntax = |d: &str| (ErrorClass::SyntaxError, d.to_string());
    assert_eq!(
        detail(&mut g, "CALL test.range(1)"),
        syntax("InvalidNumberOfArguments")
    );
    assert_eq!(
        detail(&mut g, "CALL test.range('a', 2)"),
        syntax("InvalidArgumentType")
    );
    assert_eq!(
        detail(&mut g, "CALL test.range(null, 2)"),
        syntax("InvalidArgumentType")
    );
    assert_eq!(
        detail(&mut g, "UNWIND [1] AS n CALL test.range YIELD i RETURN i"),
        syntax("InvalidArgumentPassingMode")
    );
    assert_eq!(
        detail(&mut g, "CALL test.range(1, 2) YIELD nope RETURN nope"),
        syntax("UndefinedVariable")
    );
    assert_eq!(
        detail(&mut g, "UNWIND [1] AS n CALL test.range(1, 2) RETURN n"),
        syntax("InvalidClauseComposition")
    );
    assert_eq!(
        detail(&mut g, "UNWIND [1] AS n CALL test.range(1, 2) YIELD i"),
        syntax("InvalidClauseComposition")
    );
    assert_eq!(
        detail(&mut g, "WITH 1 AS i CALL test.range(1, 2) YIELD i RETURN i"),
        syntax("VariableAlreadyBound")
    );
    // A value known only when it runs: a type error then.
    assert_eq!(
        detail(
            &mut g,
            "UNWIND ['x'] AS n CALL test.range(n, 1) YIELD i RETURN i"
        ),
        (ErrorClass::TypeError, "InvalidArgumentType".to_string())
    );
    // Without the registry it is unknown.
    let e = err(&mut g, "CALL test.range(1, 2)");
    assert_eq!(e.detail, "ProcedureNotFound");
    // A built-in's name is taken.
    let mut p = range_procedure();
    let sig = super::procedures::Signature::parse("db.labels() :: ()").expect("sig");
    let taken = p.register(super::procedures::Procedure::new(sig, |_, _| Ok(vec![])));
    assert!(taken.is_err());
}

#[test]
fn what_a_procedure_returns_is_checked_against_its_signature() {
    use super::procedures::{Procedure, Procedures, Signature};
    let mut p = Procedures::new();
    let add = |p: &mut Procedures, sig: &str, rows: Vec<Vec<Value>>| {
        let sig = Signature::parse(sig).expect("sig");
        p.register(Procedure::new(sig, move |_, _| Ok(rows.clone())))
            .expect("register");
    };
    add(&mut p, "bad.width() :: (a :: INTEGER)", vec![vec![]]);
    add(
        &mut p,
        "bad.type() :: (a :: INTEGER)",
        vec![vec![Value::from("x")]],
    );
    add(
        &mut p,
        "bad.null() :: (a :: INTEGER)",
        vec![vec![Value::Null]],
    );
    add(
        &mut p,
        "ok.null() :: (a :: INTEGER?)",
        vec![vec![Value::Null]],
    );
    add(
        &mut p,
        "bad.node() :: (n :: NODE)",
        vec![vec![Value::Node(crate::model::NodeId(7))]],
    );
    add(
        &mut p,
        "bad.list() :: (n :: LIST OF NODE)",
        vec![vec![Value::List(vec![Value::Node(crate::model::NodeId(
            7,
        ))])]],
    );
    add(&mut p, "ok.void() :: ()", vec![]);
    add(
        &mut p,
        "ok.float() :: (x :: FLOAT)",
        vec![vec![Value::Int(1)]],
    );
    let opts = with_procs(p);
    let mut g = graph("CREATE (), ()");
    for q in [
        "CALL bad.width()",
        "CALL bad.type()",
        "CALL bad.null()",
        "CALL bad.node()",
        "CALL bad.list()",
    ] {
        let e = run_opts(&mut g, q, &Params::new(), &opts).expect_err(q);
        assert_eq!(e.detail, "ProcedureCallFailed", "{q}: {e:?}");
    }
    let r = run_opts(&mut g, "CALL ok.null()", &Params::new(), &opts).expect("null allowed");
    assert_eq!(r.rows, [[Value::Null]]);
    // An integer given for a FLOAT output comes out a float.
    let r = run_opts(&mut g, "CALL ok.float()", &Params::new(), &opts).expect("float");
    assert_eq!(r.rows, [[Value::Float(1.0)]]);
    // A procedure without outputs keeps the rows it is called for.
    let r = run_opts(
        &mut g,
        "MATCH (n) CALL ok.void() RETURN count(*) AS c",
        &Params::new(),
        &opts,
    )
    .expect("void");
    assert_eq!(r.rows, [[Value::Int(2)]]);
}

#[test]
fn explain_shows_where_each_pattern_starts() {
    let mut g = Graph::new();
    let plan = |g: &mut Graph, q: &str| run(g, q).unwrap().plan.unwrap();
    // WHERE n.name = $x is a lookup in the name index, not a scan.
    let p = plan(&mut g, "EXPLAIN MATCH (n) WHERE n.name = $x RETURN n");
    assert!(p.contains("start: name index: WHERE n.name = $x"), "{p}");
    // Not when the other side depends on the pattern itself.
    let p = plan(
        &mut g,
        "EXPLAIN MATCH (n)-->(m) WHERE n.name = m.name RETURN n",
    );
    assert!(p.contains("start: all nodes (n)"), "{p}");
    // The selective end is chosen even when it is written last.
    let p = plan(
        &mut g,
        "EXPLAIN MATCH (a:State)-[:MEMBER_OF]->(o {name: 'SCO'}) RETURN a",
    );
    assert!(
        p.contains("start: name index: (o {name: 'SCO'}), walking right to left"),
        "{p}"
    );
    // Variables bound by an earlier clause are the best start.
    let p = plan(
        &mut g,
        "EXPLAIN MATCH (o:Organisation) WITH o MATCH (s:State)-->(o) RETURN s",
    );
    assert!(
        p.contains("start: (o), bound before, walking right to left"),
        "{p}"
    );
    let p = plan(
        &mut g,
        "EXPLAIN MATCH (o:Organisation) WITH o AS x MATCH (o) RETURN o",
    );
    assert!(p.contains("start: all nodes (o)"), "{p}");
}

#[test]
fn where_name_equality_finds_nodes_through_the_index_with_exact_semantics() {
    let mut g = graph(
        "CREATE (:State {name: 'Belarus', aliases: ['Weißrussland']}), (:State {name: 'belarus'}), (:City {name: 'Minsk'})",
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (n) WHERE n.name = 'Belarus' RETURN labels(n)"
        ),
        ["['State']"]
    );
    // The index also finds aliases and other spellings; WHERE keeps its
    // exact meaning, so they are filtered out again.
    assert!(rows(&mut g, "MATCH (n) WHERE n.name = 'Weißrussland' RETURN n").is_empty());
    assert_eq!(
        rows(&mut g, "MATCH (n) WHERE 'belarus' = n.name RETURN n.name"),
        ["'belarus'"]
    );
    assert!(rows(&mut g, "MATCH (n) WHERE n.name = null RETURN n").is_empty());
    assert_eq!(
        rows(
            &mut g,
            "MATCH (n) WHERE n.name = 'Minsk' AND n:City RETURN n.name"
        ),
        ["'Minsk'"]
    );
    // The WHERE alone is proven by the exact lookup; the pattern's own
    // labels and properties still hold.
    assert!(rows(&mut g, "MATCH (n:City) WHERE n.name = 'Belarus' RETURN n").is_empty());
    assert!(
        rows(
            &mut g,
            "MATCH (n {aliases: []}) WHERE n.name = 'Belarus' RETURN n"
        )
        .is_empty()
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (n:State) WHERE n.name = 'Belarus' RETURN n.aliases"
        ),
        ["['Weißrussland']"]
    );
    // Bound from an earlier part of the same pattern.
    assert_eq!(
        rows(
            &mut g,
            "MATCH (c:City), (n) WHERE n.name = c.name RETURN n.name"
        ),
        ["'Minsk'"]
    );
    // A non-string value falls back to a scan.
    run(&mut g, "CREATE (:X {name: 7})").unwrap();
    assert_eq!(
        rows(&mut g, "MATCH (n) WHERE n.name = 7 RETURN labels(n)"),
        ["['X']"]
    );
}

/// The bidirectional search between two bound ends finds exactly the
/// paths the one-sided search finds, on many small random graphs.
#[test]
fn shortest_paths_between_bound_ends_agree_with_the_one_sided_search() {
    let mut next = numbers(0x9e37_79b9_7f4a_7c15);
    for round in 0..60 {
        let nodes = 3 + next(8);
        let mut setup = (0..nodes)
            .map(|i| format!("(n{i}:N {{k: {i}}})"))
            .collect::<Vec<_>>();
        for _ in 0..next(nodes * 2) + 1 {
            let (a, b) = (next(nodes), next(nodes));
            let t = if next(3) == 0 { "S" } else { "R" };
            setup.push(format!("(n{a})-[:{t}]->(n{b})"));
        }
        let mut g = graph(&format!("CREATE {}", setup.join(", ")));
        let (a, b) = (next(nodes), next(nodes));
        for rel in [
            "-[*]-",
            "-[*]->",
            "<-[:R*..3]-",
            "-[:R|S*1..2]-",
            "-[*0..]-",
        ] {
            for f in ["shortestPath", "allShortestPaths"] {
                let ret = "RETURN length(p) AS l, [x IN nodes(p) | x.k] AS ks ORDER BY l, ks";
                // Both ends bound: the bidirectional search.
                let bidi = format!(
                    "MATCH (a:N {{k: {a}}}), (b:N {{k: {b}}}) MATCH p = {f}((a){rel}(b)) {ret}"
                );
                // Neither end selective: one search from every start.
                let one =
                    format!("MATCH p = {f}((a:N){rel}(b:N)) WHERE a.k = {a} AND b.k = {b} {ret}");
                let (x, y) = (rows(&mut g, &bidi), rows(&mut g, &one));
                if f == "allShortestPaths" || x.len() != 1 {
                    assert_eq!(x, y, "round {round}: {bidi}");
                } else {
                    // One shortest path each; which one may differ.
                    assert_eq!(x.len(), y.len(), "round {round}: {bidi}");
                    assert_eq!(x[0].split(" | ").next(), y[0].split(" | ").next());
                }
            }
        }
    }
}

/// Counting by type in one pass gives what matching and aggregating give,
/// with and without an "as of" date (a hidden end node hides its
/// relationships).
#[test]
fn relationship_counts_agree_with_matching() {
    let mut g = graph(
        "CREATE (a:A)-[:R]->(b:B), (a)-[:R {valid_from: date('2020')}]->(b), (b)-[:S]->(a), \
         (c:C {valid_from: date('2021')})-[:S]->(a), (a)-[:R]->(a)",
    );
    let queries = [
        ("MATCH ()-[e]->() RETURN type(e), count(*)", true),
        (
            "MATCH (x)-[e:R]->(y) RETURN count(e) AS n, type(e) AS t",
            true,
        ),
        ("MATCH ()<-[e:S|R]-() RETURN count(*)", true),
        ("MATCH ()-[e:NONE]->() RETURN count(*)", true),
        ("MATCH ()-[e:NONE]->() RETURN type(e), count(*)", true),
        // Not this operator: constrained ends, both directions, a variable twice.
        ("MATCH (:A)-[e]->() RETURN type(e), count(*)", false),
        ("MATCH ()-[e]-() RETURN type(e), count(*)", false),
        ("MATCH (x)-[e]->(x) RETURN type(e), count(*)", false),
    ];
    assert_eq!(sorted(rows(&mut g, queries[0].0)), ["'R' | 3", "'S' | 2"]);
    assert_eq!(
        sorted(rows(
            &mut g,
            &format!("AS OF date('2019') {}", queries[0].0)
        )),
        ["'R' | 2", "'S' | 1"]
    );
    for as_of in ["", "AS OF date('2019') ", "AS OF date('2020-06') "] {
        for (q, fast) in queries {
            let plan = run(&mut g, &format!("EXPLAIN {q}")).unwrap().plan.unwrap();
            assert_eq!(plan.contains("RelationshipCount"), fast, "{q}\n{plan}");
            // The same query with a WHERE that is always true is matched.
            let slow = q.replace(" RETURN", " WHERE true RETURN");
            assert_eq!(
                sorted(rows(&mut g, &format!("{as_of}{q}"))),
                sorted(rows(&mut g, &format!("{as_of}{slow}"))),
                "{as_of}{q}"
            );
        }
    }
}

#[test]
fn a_cancelled_statement_fails_and_changes_nothing() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    let mut g = graph("CREATE (:A)-[:R]->(:A)");
    let opts = ExecOptions {
        cancel: Some(Arc::new(AtomicBool::new(true))),
        ..Default::default()
    };
    let params = Params::new();
    for q in [
        "MATCH (a:A) CREATE (:B) RETURN count(*)",
        "MATCH (a), (b) RETURN count(*)",
        "MATCH ()-[r]->() RETURN count(r)",
        "UNWIND [1, 2] AS x CREATE (:B)",
    ] {
        let e = run_opts(&mut g, q, &params, &opts).unwrap_err();
        assert_eq!(e.class, ErrorClass::Cancelled, "{q}");
    }
    assert_eq!(rows(&mut g, "MATCH (n) RETURN count(n)"), ["2"]);
}

// ---- streaming ---------------------------------------------------------

/// Runs `q` through `execute_streaming`, rendering each row with the
/// snapshots of its own batch; also returns the number of batches.
fn streamed(g: &mut Graph, q: &str) -> (Vec<String>, usize) {
    let script = parse_script(q).unwrap_or_else(|e| panic!("{q}\n=> {e:?}"));
    let mut out = Vec::new();
    let mut batches = 0;
    for s in &script.statements {
        out.clear();
        super::execute_streaming(g, s, &Params::new(), &ExecOptions::default(), &mut |b| {
            batches += 1;
            for row in &b.rows {
                let cells: Vec<String> = row.iter().map(|v| render(&b, v)).collect();
                out.push(cells.join(" | "));
            }
            true
        })
        .unwrap_or_else(|e| panic!("{q}\n=> {e:?}"));
    }
    (out, batches)
}

#[test]
fn streamed_rows_are_the_rows_execute_returns() {
    let setup = "CREATE (a:A {name: 'a', n: 1})-[:R {w: 2}]->(b:B {name: 'b', n: 2}), \
                 (b)-[:R {w: 3}]->(c:A {name: 'c', n: 3}), (c)-[:S]->(a), (:Lone {name: 'l'})";
    for q in [
        "MATCH (n) RETURN n",
        "MATCH (n:A) RETURN n.name, n",
        "MATCH (a)-[r:R]->(b) RETURN a, r, b",
        "MATCH p = (a)-[*1..3]->(b) RETURN p",
        "MATCH (a), (b) RETURN a.name, b.name",
        "MATCH (a), (b) WHERE a.n < b.n RETURN a.name, b.name SKIP 1 LIMIT 2",
        "MATCH (n) RETURN n SKIP 2",
        "MATCH (n) RETURN n LIMIT 0",
        "MATCH (n) RETURN *",
        "MATCH (a:A) OPTIONAL MATCH (a)-[:S]->(x) RETURN a.name, x",
        "MATCH (a:A) MATCH (a)-[r]-(x) RETURN a.name, type(r), x.name",
        "UNWIND [1, 2, 3] AS i MATCH (n {n: i}) RETURN i, n",
        "MATCH (n) WITH n WHERE n.n > 1 MATCH (n)-->(m) RETURN n.name, m.name LIMIT 5",
        "MATCH (n) RETURN n.name ORDER BY n.name DESC",
        "MATCH (n) RETURN DISTINCT labels(n)",
        "MATCH (n) RETURN count(*)",
        "MATCH ()-[r]->() RETURN type(r), count(*)",
        "MATCH (n:A) RETURN n.name UNION MATCH (n:B) RETURN n.name",
        "UNWIND range(1, 3000) AS i RETURN i",
        "RETURN 1 AS one",
        "MATCH (n:Nothing) RETURN n",
        "MATCH (n:A) SET n.seen = true RETURN n",
        "CREATE (x:New {name: 'x'}) RETURN x",
        "MATCH (x:New) DETACH DELETE x RETURN x",
        "EXPLAIN MATCH (n) RETURN n",
    ] {
        let mut g1 = graph(setup);
        let mut g2 = graph(setup);
        assert_eq!(streamed(&mut g1, q).0, rows(&mut g2, q), "{q}");
    }
}

#[test]
fn a_long_result_streams_in_batches() {
    let mut g = graph("UNWIND range(1, 100) AS i CREATE (:N {i: i})");
    let (out, batches) = streamed(&mut g, "MATCH (a), (b) RETURN a.i, b.i");
    assert_eq!(out.len(), 10_000);
    assert_eq!(out[0], "1 | 1");
    assert!(batches >= 10_000 / super::eval::BATCH_ROWS, "{batches}");
}

#[test]
fn limit_stops_matching_early() {
    // 300^4 rows: far too many to match before returning.
    let mut g = graph("UNWIND range(1, 300) AS i CREATE (:N {i: i})");
    let q = "MATCH (a), (b), (c), (d) RETURN a.i, b.i, c.i, d.i LIMIT 3";
    assert_eq!(
        rows(&mut g, q),
        ["1 | 1 | 1 | 1", "1 | 1 | 1 | 2", "1 | 1 | 1 | 3"]
    );
    assert_eq!(streamed(&mut g, q).0.len(), 3);
    let q = "MATCH (a), (b), (c), (d) WHERE d.i > 299 RETURN d.i SKIP 1 LIMIT 2";
    assert_eq!(rows(&mut g, q), ["300", "300"]);
}

#[test]
fn a_sink_can_stop_or_cancel_a_stream() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut g = graph("UNWIND range(1, 300) AS i CREATE (:N {i: i})");
    let script = parse_script("MATCH (a), (b), (c), (d) RETURN a.i").unwrap();
    let stmt = &script.statements[0];
    let mut seen = 0;
    let res = super::execute_streaming(
        &mut g,
        stmt,
        &Params::new(),
        &ExecOptions::default(),
        &mut |b| {
            seen += b.rows.len();
            false
        },
    )
    .unwrap();
    assert_eq!(res.columns, ["a.i"]);
    assert!(res.rows.is_empty());
    assert!((1..=super::eval::BATCH_ROWS).contains(&seen), "{seen}");
    // Ctrl-C while rows stream: the statement fails as cancelled, after
    // the rows handed over before.
    let cancel = Arc::new(AtomicBool::new(false));
    let opts = ExecOptions {
        cancel: Some(cancel.clone()),
        ..Default::default()
    };
    let mut seen = 0;
    let e = super::execute_streaming(&mut g, stmt, &Params::new(), &opts, &mut |b| {
        seen += b.rows.len();
        cancel.store(true, Ordering::Relaxed);
        true
    })
    .unwrap_err();
    assert_eq!(e.class, ErrorClass::Cancelled);
    assert!(seen > 0);
}

/// A walk that starts with a relationship scan finds what a walk from every
/// node finds (`*1..1` is the same pattern, walked from the nodes).
#[test]
fn relationship_scans_agree_with_walks_from_every_node() {
    let mut next = numbers(0x2545_f491_4f6c_dd1d);
    for round in 0..40 {
        let nodes = 2 + next(7);
        let mut setup = (0..nodes)
            .map(|i| format!("(n{i}:N {{k: {i}}})"))
            .collect::<Vec<_>>();
        for _ in 0..next(nodes * 3) + 1 {
            let (a, b) = (next(nodes), next(nodes));
            let t = ["R", "S", "T"][next(3) as usize];
            let from = if next(4) == 0 {
                ", valid_from: date('2020')"
            } else {
                ""
            };
            setup.push(format!("(n{a})-[:{t} {{w: {}{from}}}]->(n{b})", next(2)));
        }
        let mut g = graph(&format!("CREATE {}", setup.join(", ")));
        for (first, rest) in [
            ("-[:R]->", ""),
            ("<-[:R|S]-", "-[:T]-(c)"),
            ("-[:S]-", ""),
            ("-[:R {w: 1}]->", "<-[:S]-(c)"),
            ("-[:NEVER]->", ""),
        ] {
            // The length goes before a property map.
            let long = if first.contains(" {") {
                first.replace(" {", "*1..1 {")
            } else {
                first.replace("]", "*1..1]")
            };
            let tail = rest;
            let cols = if rest.is_empty() {
                "a.k, b.k"
            } else {
                "a.k, b.k, c.k"
            };
            for as_of in ["", "AS OF date('2019') "] {
                let scan = format!("{as_of}MATCH (a){first}(b){tail} RETURN {cols}");
                let walk = format!("{as_of}MATCH (a){long}(b){tail} RETURN {cols}");
                let plan = run(&mut g, &format!("EXPLAIN {scan}"))
                    .unwrap()
                    .plan
                    .unwrap();
                assert!(plan.contains("relationship-type index"), "{plan}");
                assert_eq!(
                    sorted(rows(&mut g, &scan)),
                    sorted(rows(&mut g, &walk)),
                    "round {round}: {scan}"
                );
            }
        }
    }
}

#[test]
fn an_equality_on_a_property_reports_its_errors_where_the_property_is() {
    // `x.key = b` compares a node's string where it is stored; its errors
    // point at `x.key`, as the general path's do.
    let mut g = graph("CREATE (:P {name: 'a'})");
    let span = |g: &mut Graph, q: &str| err(g, q).span.map(|s| (s.start, s.end));
    for op in ["=", "<>"] {
        assert_eq!(
            span(
                &mut g,
                &format!("MATCH (n:P) WITH n, 1 AS one RETURN one.k {op} 'a'")
            ),
            span(&mut g, "MATCH (n:P) WITH n, 1 AS one RETURN one.k <= 'a'"),
            "{op}"
        );
    }
    let deleted = "MATCH (n:P) DETACH DELETE n RETURN n.name = 'a'";
    let e = err(&mut g.clone(), deleted);
    assert_eq!(e.class, ErrorClass::EntityNotFound, "{e:?}");
    assert_eq!(
        span(&mut g.clone(), deleted),
        span(&mut g, "MATCH (n:P) DETACH DELETE n RETURN n.name <= 'a'")
    );
    // And the answers are the general path's, for strings and others.
    let mut g = graph("CREATE (:P {name: 'a', n: 1})");
    for (q, want) in [
        (
            "MATCH (p:P) RETURN p.name = 'a', p.name <> 'a'",
            "true | false",
        ),
        (
            "MATCH (p:P) RETURN p.name = 1, p.name = null",
            "false | null",
        ),
        (
            "MATCH (p:P) RETURN p.n = 1, p.n <> 1.0, p.missing = 'a'",
            "true | false | null",
        ),
    ] {
        let r = run(&mut g, q).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        let row: Vec<String> = r.rows[0].iter().map(|v| v.to_string()).collect();
        assert_eq!(row.join(" | "), want, "{q}");
    }
}

#[test]
fn constant_calls_are_computed_once_a_statement_and_anew_in_the_next() {
    let mut g = Graph::new();
    let with = |d: &str| {
        let mut p = Params::new();
        p.insert("d".into(), Value::from(d));
        p
    };
    let q = "UNWIND [1, 2, 3] AS x RETURN date($d) < date('2001-01-01') AS before, \
             toString(x) AS s, toUpper($d) AS up";
    let opts = ExecOptions::default();
    let r = run_opts(&mut g, q, &with("2000-05-06"), &opts).unwrap_or_else(|e| panic!("{e:?}"));
    let rows: Vec<String> = r
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        rows,
        [
            "true '1' '2000-05-06'",
            "true '2' '2000-05-06'",
            "true '3' '2000-05-06'"
        ]
    );
    let r = run_opts(&mut g, q, &with("2002-01-01"), &opts).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        r.rows[0][0],
        Value::Bool(false),
        "a new statement, a new value"
    );
    // A call that fails fails on every row it is evaluated for, with its error.
    let e = run_opts(&mut g, q, &with("not a date"), &opts).unwrap_err();
    assert_eq!(e.class, ErrorClass::ArgumentError, "{e:?}");
    // rand() is not a constant.
    let r = run(
        &mut g,
        "UNWIND range(1, 50) AS x WITH rand() AS r RETURN count(DISTINCT r)",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        matches!(r.rows[0][0], Value::Int(n) if n > 1),
        "{:?}",
        r.rows
    );
}

#[test]
fn distinct_treats_a_whole_float_as_the_integer_it_equals() {
    let mut g = Graph::new();
    // (values, how many distinct, whether the first two are =)
    for (list, want, same) in [
        ("[10000000000000000, 10000000000000000.0]", 1, true),
        ("[10000000000000001, 10000000000000000.0]", 2, false),
        ("[1, 1.0, 1.5]", 2, true),
        ("[-9007199254740993, -9007199254740992.0]", 2, false),
    ] {
        let q = format!("UNWIND {list} AS x RETURN count(DISTINCT x)");
        let r = run(&mut g, &q).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        assert_eq!(r.rows, [[Value::Int(want)]], "{q}");
        // DISTINCT agrees with =.
        let q = format!("WITH {list} AS l RETURN l[0] = l[1]");
        let r = run(&mut g, &q).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        assert_eq!(r.rows, [[Value::Bool(same)]], "{q}");
    }
}

#[test]
fn distinct_of_functions_of_columns_reads_each_input_once_and_agrees_with_the_plain_way() {
    let mut g = Graph::new();
    run(
        &mut g,
        "CREATE (:P {name: 'a', k: 1}), (:P {name: 'a', k: 2}), (:P {name: 'b', k: 1}), \
         (:Q {name: 'a'})",
    )
    .unwrap();
    // Each query against the same rows computed without DISTINCT: every
    // row's items collected as a list, then the first of equal ones kept.
    for q in [
        "MATCH (p:P), (x:P) RETURN DISTINCT p.name",
        "MATCH (p:P), (x:P) RETURN DISTINCT p.name AS n, x.k + 1 AS k",
        "MATCH (p), (x) RETURN DISTINCT labels(p) AS l, p.name = x.name AS same",
        "UNWIND [1, 1.0, 2, 1, 3, 2.0] AS v RETURN DISTINCT v * 2 AS d",
        "UNWIND [[1, 2], [1, 2], [2]] AS l RETURN DISTINCT [x IN l | x + 1] AS m",
        "UNWIND [1, 2, 1] AS x UNWIND [1, 2] AS y RETURN DISTINCT x, x + y AS s",
        "MATCH (p:P) RETURN DISTINCT CASE p.k WHEN 1 THEN 'one' ELSE p.name END AS c",
    ] {
        let items = q.split("RETURN DISTINCT ").nth(1).unwrap();
        let exprs: Vec<&str> = items
            .split(", ")
            .map(|i| i.split(" AS ").next().unwrap())
            .collect();
        let head = q.split("RETURN DISTINCT").next().unwrap();
        let plain_q = format!(
            "{head} WITH collect([{}]) AS rs \
             RETURN reduce(acc = [], r IN rs | CASE WHEN r IN acc THEN acc ELSE acc + [r] END) AS rows",
            exprs.join(", ")
        );
        let got: Vec<Vec<Value>> = run(&mut g, q).unwrap_or_else(|e| panic!("{q}: {e:?}")).rows;
        let want = run(&mut g, &plain_q).unwrap_or_else(|e| panic!("{plain_q}: {e:?}"));
        let Value::List(want) = &want.rows[0][0] else {
            panic!("{plain_q}")
        };
        let want: Vec<Vec<Value>> = want
            .iter()
            .map(|r| match r {
                Value::List(r) => r.clone(),
                v => panic!("{v:?}"),
            })
            .collect();
        assert_eq!(got, want, "{q}");
    }
    // Not functions of the columns alone: evaluated for every row.
    let r = run(
        &mut g,
        "UNWIND range(1, 50) AS x WITH 1 AS y RETURN DISTINCT y + rand() AS r",
    )
    .unwrap();
    assert!(r.rows.len() > 1, "{:?}", r.rows);
    let r = run(
        &mut g,
        "MATCH (p:P) WITH p, 1 AS one RETURN DISTINCT one + size([(p)--() | 1]) AS n",
    )
    .unwrap();
    assert_eq!(r.rows, [[Value::Int(1)]]);
    // An error is raised at the row it was raised at before.
    let e = run(&mut g, "UNWIND [1, 2, 1, 'x'] AS v RETURN DISTINCT v * 2").unwrap_err();
    assert_eq!(e.class, ErrorClass::TypeError, "{e:?}");
    // Inputs DISTINCT counts as one can still give different results: they
    // are told apart before the items are evaluated.
    for (q, want) in [
        (
            "UNWIND [1, 1.0] AS x RETURN DISTINCT valueType(x) AS t",
            vec!["'INTEGER'", "'FLOAT'"],
        ),
        (
            "UNWIND [1, 1.0, 1] AS x RETURN DISTINCT x / 2 AS h",
            vec!["0", "0.5"],
        ),
        (
            "UNWIND [[1], [1.0]] AS l RETURN DISTINCT toString(l[0]) AS s",
            vec!["'1'", "'1.0'"],
        ),
        (
            "UNWIND [0.0, -0.0] AS x RETURN DISTINCT 1 / x AS i",
            vec!["Infinity", "-Infinity"],
        ),
    ] {
        assert_eq!(rows(&mut g, q), want, "{q}");
    }
    // Inputs that rarely repeat: the shortcut gives up on the way, with the
    // same rows as ever.
    let r = run(
        &mut g,
        "UNWIND range(1, 5000) AS i RETURN DISTINCT i % 7 AS m",
    )
    .unwrap();
    let want: Vec<Vec<Value>> = [1, 2, 3, 4, 5, 6, 0].map(|m| vec![Value::Int(m)]).to_vec();
    assert_eq!(r.rows, want);
}

/// `elementId()` (Neo4j 5's id) is text that finds the same element again.
#[test]
fn element_id_is_text_that_finds_the_element() {
    let mut g = Graph::new();
    run(&mut g, "CREATE (:A {n: 1})-[:R {w: 2}]->(:A {n: 2})").unwrap();
    let ids = rows(&mut g, "MATCH (a {n: 2}) RETURN elementId(a)");
    assert_eq!(ids.len(), 1);
    let id = ids[0].trim_matches('\'');
    assert!(id.parse::<u64>().is_ok(), "{id}");
    assert_eq!(
        rows(
            &mut g,
            &format!("MATCH (a) WHERE elementId(a) = '{id}' RETURN a.n")
        ),
        ["2"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH ()-[r]->() WITH elementId(r) AS e MATCH ()-[s]->() WHERE elementId(s) = e RETURN s.w"
        ),
        ["2"]
    );
    assert_eq!(rows(&mut g, "RETURN elementId(null)"), ["null"]);
    assert_eq!(
        err(&mut g, "RETURN elementId(1)").detail,
        "InvalidArgumentType"
    );
}

/// `COLLECT { query }` (Neo4j 5) is the list of the query's one column for
/// each outer row, in the query's order, UNION ALL's rows kept and
/// UNION's repeated ones dropped; an empty list when nothing matches.
#[test]
fn collect_subqueries_list_the_returned_column() {
    let mut g = Graph::new();
    run(
        &mut g,
        "CREATE (a:P {name: 'a'}), (b:P {name: 'b'}), (c:P {name: 'c'}), \
         (a)-[:K]->(b), (a)-[:K]->(c), (b)-[:K]->(c)",
    )
    .unwrap();
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P) RETURN p.name, COLLECT { MATCH (p)-[:K]->(x) RETURN x.name ORDER BY x.name DESC } AS k ORDER BY p.name"
        ),
        ["'a' | ['c', 'b']", "'b' | ['c']", "'c' | []"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P {name: 'a'}) UNWIND COLLECT { MATCH (p)-->(x) RETURN x.name AS n \
             UNION ALL MATCH (p)-->(x) RETURN x.name AS n } AS k RETURN k ORDER BY k"
        ),
        ["'b'", "'b'", "'c'", "'c'"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P {name: 'a'}) UNWIND COLLECT { MATCH (p)-->(x) RETURN x.name AS n \
             UNION MATCH (p)-->(x) RETURN x.name AS n } AS k RETURN k ORDER BY k"
        ),
        ["'b'", "'c'"]
    );
    // A list: size() and IN take it.
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P) WHERE 'c' IN COLLECT { MATCH (p)-->(x) RETURN x.name } \
             RETURN p.name, size(COLLECT { MATCH (p)-->(x) RETURN x }) ORDER BY p.name"
        ),
        ["'a' | 2", "'b' | 1"]
    );
    // `collect {` before a map projection's key is still a variable's.
    assert_eq!(
        rows(&mut g, "WITH {a: 1} AS collect RETURN collect {.a}"),
        ["{a: 1}"]
    );
    // Clauses that write, and CALL, are refused with COLLECT named.
    for q in [
        "MATCH (p:P) RETURN COLLECT { MATCH (p)-->(x) SET x.z = 1 RETURN x.name }",
        "RETURN COLLECT { CREATE (x) RETURN x }",
        "RETURN COLLECT { CALL { RETURN 1 AS x } RETURN x }",
    ] {
        let e = err(&mut g, q);
        assert_eq!(e.detail, "InvalidClauseComposition", "{q}: {e:?}");
        assert!(e.message.contains("COLLECT { ... }"), "{q}: {e:?}");
    }
    assert!(
        err(&mut g, "RETURN COUNT { CREATE (x) }")
            .message
            .contains("reading clause in COUNT")
    );
    // One column, from a RETURN, and a query, not a pattern.
    for q in [
        "RETURN COLLECT { MATCH (p:P) RETURN p.name, p }",
        "RETURN COLLECT { MATCH (p:P) RETURN * }",
        "RETURN COLLECT { MATCH (p:P) WITH p }",
        "RETURN COLLECT { (p:P) }",
    ] {
        let e = err(&mut g, q);
        assert_eq!(e.detail, "InvalidCollectSubquery", "{q}: {e:?}");
    }
}

#[test]
fn count_subqueries_count_matches_and_rows() {
    let mut g = Graph::new();
    run(
        &mut g,
        "CREATE (a:P {name: 'a'}), (b:P {name: 'b'}), (c:P {name: 'c'}), \
         (a)-[:K]->(b), (a)-[:K]->(c), (b)-[:K]->(c), (a)-[:L]->(c)",
    )
    .unwrap();
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P) RETURN p.name, COUNT { (p)-[:K]->() } AS k ORDER BY p.name"
        ),
        ["'a' | 2", "'b' | 1", "'c' | 0"]
    );
    // With WHERE, with a full query, and with UNION (duplicates removed)
    // and UNION ALL (kept).
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P {name: 'a'}) RETURN COUNT { (p)-->(x) WHERE x.name = 'c' }"
        ),
        ["2"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P {name: 'a'}) RETURN COUNT { MATCH (p)-->(x) RETURN DISTINCT x }"
        ),
        ["2"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P {name: 'a'}) RETURN COUNT { MATCH (p)-[:K]->(x) RETURN x.name AS n \
             UNION MATCH (p)-[:L]->(x) RETURN x.name AS n }"
        ),
        ["2"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P {name: 'a'}) RETURN COUNT { MATCH (p)-[:K]->(x) RETURN x.name AS n \
             UNION ALL MATCH (p)-[:L]->(x) RETURN x.name AS n }"
        ),
        ["3"]
    );
    // In WHERE, compared as the integer it is.
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P) WHERE COUNT { (p)--() } >= 3 RETURN p.name ORDER BY p.name"
        ),
        ["'a'", "'c'"]
    );
    // A variable named count keeps its map projections.
    for (q, want) in [
        (
            "MATCH (count:P {name: 'b'}) RETURN count {.name} AS m",
            "{name: 'b'}",
        ),
        (
            "MATCH (count:P {name: 'b'}) RETURN count {k: 1} AS m",
            "{k: 1}",
        ),
        (
            "MATCH (count:P {name: 'b'}) WITH count, 2 AS x RETURN count {x} AS m",
            "{x: 2}",
        ),
        ("MATCH (count:P {name: 'b'}) RETURN count {} AS m", "{}"),
    ] {
        assert_eq!(rows(&mut g, q), [want], "{q}");
    }
    // The parts of a UNION return the same columns, as in a query alone.
    let e = run(
        &mut g,
        "MATCH (p:P {name: 'a'}) RETURN COUNT { MATCH (p)-[:K]->(x) RETURN x.name AS n \
         UNION MATCH (p)-[:L]->(x) RETURN x.name AS m }",
    )
    .unwrap_err();
    assert_eq!(e.detail, "DifferentColumnsInUnion", "{e:?}");
    // A path variable starts a COUNT subquery too.
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P {name: 'a'}) RETURN COUNT { q = (p)-[:K]->() }"
        ),
        ["2"]
    );
    // It prints as it was written (EXPLAIN and the shell's echo use this).
    let q = "MATCH (p) RETURN COUNT { (p)-->() }";
    let s = parse_script(q).unwrap();
    assert!(
        format!("{}", s.statements[0]).contains("COUNT { (p)-->() }"),
        "{}",
        s.statements[0]
    );
    // A new variable that is not defined outside is fine inside; one used
    // outside it is not.
    let e = run(&mut g, "MATCH (p) RETURN COUNT { (p)-->(x) } AS n, x").unwrap_err();
    assert_eq!(e.class, ErrorClass::SyntaxError, "{e:?}");
}

// ---- Fast paths agree with the general one ------------------------------

#[test]
fn comparisons_of_a_stored_string_agree_with_the_general_path() {
    // `n.name OP x` compares the stored string in place (and a string
    // parameter, literal or variable where it is); `s OP x` with `s` a
    // variable takes the general path. Both must give the same value,
    // null included, for nodes and relationships.
    let mut g = graph(
        "CREATE (:N {k: 1, name: ''}), (:N {k: 2, name: 'a'}), (:N {k: 3, name: 'ab'}), \
         (:N {k: 4, name: 'abc'}), (:N {k: 5, name: 'b'}), (:N {k: 6, name: 'B'}), \
         (:N {k: 7, name: 'ä'}), (:N {k: 8, name: 3}), (:N {k: 9}), \
         (:N {k: 10, name: 'xab'}), (:M)-[:R {k: 11, name: 'ab'}]->(:M), \
         (:M)-[:R {k: 12, name: 'abd'}]->(:M), (:M)-[:R {k: 13}]->(:M)",
    );
    let mut params = Params::new();
    params.insert("s".into(), Value::String("ab".into()));
    params.insert("i".into(), Value::Int(3));
    params.insert("z".into(), Value::Null);
    let ops = [
        "=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "STARTS WITH",
        "ENDS WITH",
        "CONTAINS",
    ];
    let rhs = ["'ab'", "$s", "v", "''", "$i", "3", "$z", "null", "['ab']"];
    let mut checked = 0;
    for op in ops {
        for x in rhs {
            for (pat, var) in [("(n:N)", "n"), ("()-[n:R]->()", "n")] {
                let fast = format!(
                    "WITH 'ab' AS v MATCH {pat} RETURN {var}.k, {var}.name {op} {x} ORDER BY {var}.k"
                );
                let general = format!(
                    "WITH 'ab' AS v MATCH {pat} WITH v, {var}, {var}.name AS s \
                     RETURN {var}.k, s {op} {x} ORDER BY {var}.k"
                );
                let a = run_opts(&mut g, &fast, &params, &ExecOptions::default());
                let b = run_opts(&mut g, &general, &params, &ExecOptions::default());
                match (a, b) {
                    (Ok(a), Ok(b)) => assert_eq!(a.rows, b.rows, "{fast}"),
                    (Err(a), Err(b)) => assert_eq!(a.detail, b.detail, "{fast}"),
                    (a, b) => panic!("{fast}\n{a:?}\n{general}\n{b:?}"),
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, ops.len() * rhs.len() * 2);
    // And in a WHERE, which is where a scan meets it.
    let mut q = |q: &str| {
        let r = run_opts(&mut g, q, &params, &ExecOptions::default()).unwrap();
        r.rows.iter().map(|r| r[0].to_string()).collect::<Vec<_>>()
    };
    assert_eq!(
        q("MATCH (n:N) WHERE n.name STARTS WITH $s RETURN n.k ORDER BY n.k"),
        ["3", "4"]
    );
    assert_eq!(
        q("MATCH (n:N) WHERE n.name > $s RETURN n.k ORDER BY n.k"),
        ["4", "5", "7", "10"]
    );
    assert_eq!(
        q("MATCH ()-[n:R]->() WHERE n.name <> 'ab' RETURN n.k ORDER BY n.k"),
        ["12"]
    );
}

#[test]
fn a_match_projected_as_it_is_found_gives_what_the_whole_table_gives() {
    // A WITH or RETURN right after a MATCH takes its rows as they are
    // found; an UNWIND of one element between them makes the MATCH build
    // its whole table first. Every shape of projection agrees.
    let mut g = graph(
        "CREATE (a:N {k: 1}), (b:N {k: 2}), (c:N {k: 3}), (d:N {k: 4, name: 'x'}), \
         (a)-[:R {w: 1}]->(b), (a)-[:R {w: 2}]->(c), (b)-[:R {w: 3}]->(c), \
         (c)-[:R {w: 4}]->(a), (a)-[:S {w: 5}]->(a)",
    );
    let shapes = [
        (
            "MATCH (a:N)-[r]->(b)",
            "RETURN b.k, count(*), sum(r.w) ORDER BY b.k",
        ),
        ("MATCH (a:N)-[r]->(b)", "RETURN count(*), collect(r.w)"),
        (
            "MATCH (a:N) OPTIONAL MATCH (a)-[r:R]->(b)",
            "RETURN a.k, collect(b.k), count(r) ORDER BY a.k",
        ),
        (
            "MATCH (a:N)-[r]->(b)",
            "WITH a, count(r) AS c WHERE c > 1 RETURN a.k, c ORDER BY a.k",
        ),
        ("MATCH (a:N)-->(b)", "RETURN DISTINCT b.k ORDER BY b.k"),
        (
            "MATCH (a:N)-->(b)",
            "WITH DISTINCT a.k AS k ORDER BY k DESC LIMIT 2 RETURN k",
        ),
        (
            "MATCH (a:N)-->(b)",
            "WITH a, b ORDER BY b.k SKIP 1 RETURN a.k, b.k",
        ),
        ("MATCH (a:Missing)", "RETURN count(*), collect(a)"),
        ("MATCH (a:N) WHERE a.k > 100", "RETURN a.k, count(*)"),
        (
            "MATCH (a:N) WHERE a.k > 1",
            "RETURN max(a.k) AS m ORDER BY m",
        ),
        ("MATCH (a:N)", "RETURN sum(a.name)"),
        ("MATCH (a:N)", "RETURN a.k ORDER BY a.k LIMIT 2"),
    ];
    for (m, p) in shapes {
        let fused = format!("{m} {p}");
        let whole = format!("{m} UNWIND [1] AS one {p}");
        match (run(&mut g, &fused), run(&mut g, &whole)) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.columns, b.columns, "{fused}");
                assert_eq!(a.rows, b.rows, "{fused}");
            }
            (Err(a), Err(b)) => assert_eq!(a.detail, b.detail, "{fused}"),
            (a, b) => panic!("{fused}\n{a:?}\n{whole}\n{b:?}"),
        }
    }
    assert_eq!(
        rows(
            &mut g,
            "MATCH (a:N)-[r]->(b) RETURN b.k, count(*) ORDER BY b.k"
        ),
        ["1 | 2", "2 | 1", "3 | 2"]
    );
}

// ---- CALL { } subqueries ------------------------------------------------

#[test]
fn call_subquery_runs_once_per_row_with_what_it_imports() {
    let mut g = graph(
        "CREATE (a:P {name: 'a'})-[:K]->(:P {name: 'b'}), (a)-[:K]->(:P {name: 'c'}), (:P {name: 'd'})",
    );
    // Correlated: the new form and the importing WITH give the same.
    for q in [
        "MATCH (p:P) CALL (p) { MATCH (p)-[:K]->(q) RETURN count(q) AS n } RETURN p.name, n",
        "MATCH (p:P) CALL { WITH p MATCH (p)-[:K]->(q) RETURN count(q) AS n } RETURN p.name, n",
        "MATCH (p:P) CALL (*) { MATCH (p)-[:K]->(q) RETURN count(q) AS n } RETURN p.name, n",
    ] {
        assert_eq!(
            sorted(rows(&mut g, q)),
            ["'a' | 2", "'b' | 0", "'c' | 0", "'d' | 0"],
            "{q}"
        );
    }
    // Not imported, `p` inside is a variable of its own: every node.
    assert_eq!(
        sorted(rows(
            &mut g,
            "MATCH (p:P) CALL { MATCH (p)-[:K]->(q) RETURN count(q) AS n } RETURN p.name, n"
        )),
        ["'a' | 2", "'b' | 2", "'c' | 2", "'d' | 2"]
    );
    // Each returned row extends the outer one; none drops it ...
    assert_eq!(
        sorted(rows(
            &mut g,
            "MATCH (p:P) CALL (p) { MATCH (p)-[:K]->(q) RETURN q.name AS q } RETURN p.name, q"
        )),
        ["'a' | 'b'", "'a' | 'c'"]
    );
    // ... unless the CALL is OPTIONAL.
    assert_eq!(
        sorted(rows(
            &mut g,
            "MATCH (p:P) OPTIONAL CALL (p) { MATCH (p)-[:K]->(q) RETURN q.name AS q } RETURN p.name, q"
        )),
        [
            "'a' | 'b'",
            "'a' | 'c'",
            "'b' | null",
            "'c' | null",
            "'d' | null"
        ]
    );
    // A UNION inside: each part imports; UNION drops repeats.
    assert_eq!(
        sorted(rows(
            &mut g,
            "MATCH (p:P {name: 'a'}) CALL (p) { MATCH (p)-->(x) RETURN x.name AS x \
             UNION MATCH (x:P {name: 'd'}) RETURN x.name AS x \
             UNION MATCH (p)-->(x {name: 'b'}) RETURN x.name AS x } RETURN x"
        )),
        ["'b'", "'c'", "'d'"]
    );
    // Nested, and on an empty input (nothing runs, the columns are known).
    assert_eq!(
        rows(
            &mut g,
            "CALL { CALL { RETURN 1 AS x } RETURN x + 1 AS y } RETURN y"
        ),
        ["2"]
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:Nothing) CALL (p) { RETURN 1 AS one } RETURN count(one)"
        ),
        ["0"]
    );
}

#[test]
fn call_subquery_writes_row_by_row_and_a_unit_subquery_keeps_the_rows() {
    let mut g = graph("");
    // Each row's run sees what the runs before it wrote.
    let r = run(
        &mut g,
        "UNWIND [1, 2, 3] AS i CALL (i) { OPTIONAL MATCH (c:C) WITH i, count(c) AS before \
         CREATE (:C {i: i, before: before}) } RETURN i",
    )
    .unwrap();
    assert_eq!(r.rows.len(), 3, "a unit subquery keeps every row");
    assert_eq!(r.stats.nodes_created, 3);
    assert_eq!(
        rows(&mut g, "MATCH (c:C) RETURN c.i, c.before ORDER BY c.i"),
        ["1 | 0", "2 | 1", "3 | 2"]
    );
    // A query may end with a unit subquery.
    let r = run(&mut g, "MATCH (c:C) CALL (c) { SET c.seen = true }").unwrap();
    assert_eq!(r.stats.props_set, 3);
    assert!(r.columns.is_empty());
    // A failure in a later row takes back the earlier rows' writes too.
    let e = err(
        &mut g,
        "UNWIND [1, 0] AS d CALL (d) { CREATE (:D {x: 1 / d}) }",
    );
    assert_eq!(e.detail, "DivisionByZero", "{e:?}");
    assert_eq!(rows(&mut g, "MATCH (d:D) RETURN count(d)"), ["0"]);
    // IN TRANSACTIONS commits a batch at a time (see
    // `in_transactions_commits_each_batch_on_its_own`).
    let r = run(
        &mut g,
        "UNWIND range(1, 5) AS i CALL (i) { CREATE (:T {i: i}) } IN TRANSACTIONS OF 2 ROWS",
    )
    .unwrap();
    assert_eq!(r.stats.nodes_created, 5);
    assert_eq!(r.stats.transactions_committed, 3);
    assert!(r.notices.is_empty(), "{:?}", r.notices);
    let e = err(
        &mut g,
        "UNWIND [1] AS i CALL (i) { CREATE (:T) } IN TRANSACTIONS OF 0 ROWS",
    );
    assert!(e.message.contains("positive integer"), "{e:?}");
}

/// `CALL { } IN TRANSACTIONS` commits each batch of incoming rows on its
/// own, as Neo4j does: a failed batch is rolled back and fails the
/// statement (saying how many batches were committed, which stay), unless
/// ON ERROR CONTINUE or BREAK give its rows nulls; REPORT STATUS gives
/// each row its batch's status; the counts are the batches' summed.
#[test]
fn in_transactions_commits_each_batch_on_its_own() {
    let mut g = graph("");
    let e = err(
        &mut g,
        "UNWIND [4, 2, 1, 0] AS i CALL (i) { CREATE (:P {num: 100 / i}) } IN TRANSACTIONS OF 2 ROWS",
    );
    assert_eq!(e.detail, "DivisionByZero", "{e:?}");
    assert!(e.message.ends_with("(Transactions committed: 1)"), "{e:?}");
    assert_eq!(
        rows(&mut g, "MATCH (p:P) RETURN p.num ORDER BY p.num"),
        ["25", "50"]
    );
    // A write after the CALL belongs to the statement, which fails whole
    // from there: the batches stay.
    let e = err(
        &mut g,
        "UNWIND range(1, 3) AS i CALL (i) { CREATE (:C {i: i}) } IN TRANSACTIONS OF 1 ROW \
         CREATE (:After) WITH i WHERE i = 3 RETURN i / 0",
    );
    assert_eq!(e.detail, "DivisionByZero", "{e:?}");
    assert_eq!(rows(&mut g, "MATCH (c:C) RETURN count(c)"), ["3"]);
    assert_eq!(rows(&mut g, "MATCH (a:After) RETURN count(a)"), ["0"]);
    // ON ERROR CONTINUE: the failed batch's rows get nulls; the rest run.
    let q = "UNWIND [1, 0, 2, 4] AS i CALL (i) { CREATE (n:Q {num: 100 / i}) RETURN n } \
             IN TRANSACTIONS OF 2 ROWS ON ERROR CONTINUE REPORT STATUS AS s \
             RETURN i, n.num, s.committed, s.started, s.errorMessage IS NULL, s.transactionId";
    let r = run(&mut g, q).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        rendered(&r),
        [
            "1 | null | false | true | false | 'transaction-1'",
            "0 | null | false | true | false | 'transaction-1'",
            "2 | 50 | true | true | true | 'transaction-2'",
            "4 | 25 | true | true | true | 'transaction-2'",
        ]
    );
    assert_eq!(
        (r.stats.nodes_created, r.stats.transactions_committed),
        (2, 1)
    );
    assert_eq!(
        rows(&mut g, "MATCH (q:Q) RETURN q.num ORDER BY q.num"),
        ["25", "50"]
    );
    // ON ERROR BREAK: no batch after the failed one runs.
    let q = "UNWIND [1, 0, 2] AS i CALL (i) { CREATE (n:B {num: 100 / i}) RETURN n } \
             IN TRANSACTIONS OF 1 ROW ON ERROR BREAK REPORT STATUS AS s \
             RETURN n.num, s.started, s.committed, s.errorMessage";
    assert_eq!(
        rows(&mut g, q),
        [
            "100 | true | true | null",
            "null | true | false | 'division by zero'",
            "null | false | false | null",
        ]
    );
    assert_eq!(rows(&mut g, "MATCH (b:B) RETURN b.num"), ["100"]);
    // A batch is checked as it ends: a constraint broken within one fails
    // that batch alone.
    run(&mut g, "CREATE CONSTRAINT FOR (u:U) REQUIRE u.k IS UNIQUE").unwrap();
    let r = run(
        &mut g,
        "UNWIND [1, 2, 2, 3] AS k CALL (k) { CREATE (:U {k: k}) } IN TRANSACTIONS OF 1 ROW \
         ON ERROR CONTINUE REPORT STATUS AS s RETURN k, s.committed",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        rendered(&r),
        ["1 | true", "2 | true", "2 | false", "3 | true"]
    );
    assert_eq!(rows(&mut g, "MATCH (u:U) RETURN count(u)"), ["3"]);
    // No rows: no batch.
    let r = run(
        &mut g,
        "UNWIND [] AS i CALL (i) { CREATE (:E) } IN TRANSACTIONS",
    )
    .unwrap();
    assert_eq!(r.stats.transactions_committed, 0);
}

/// Where Neo4j refuses `CALL { } IN TRANSACTIONS`, so does the check:
/// nested in another CALL, in a UNION, after a write outside one; and
/// REPORT STATUS with ON ERROR FAIL, over a bound name, ON ERROR RETRY.
#[test]
fn in_transactions_stands_where_neo4j_allows_it() {
    let mut g = graph("");
    for (q, detail, says) in [
        (
            "CREATE (:A) WITH 1 AS x CALL { CREATE (:B) } IN TRANSACTIONS",
            "InvalidInTransactions",
            "after a write clause",
        ),
        (
            "CALL { CALL { CREATE (:B) } IN TRANSACTIONS } RETURN 1 AS x",
            "InvalidInTransactions",
            "nested",
        ),
        (
            "CALL { CREATE (:B) } IN TRANSACTIONS RETURN 1 AS x UNION RETURN 2 AS x",
            "InvalidInTransactions",
            "UNION",
        ),
        (
            "UNWIND [1] AS i CALL (i) { CREATE (:B) } IN TRANSACTIONS ON ERROR FAIL REPORT STATUS AS s RETURN s",
            "InvalidInTransactions",
            "ON ERROR CONTINUE or ON ERROR BREAK",
        ),
        (
            "UNWIND [1] AS s CALL (s) { CREATE (:B) } IN TRANSACTIONS REPORT STATUS AS s ON ERROR CONTINUE RETURN s",
            "VariableAlreadyBound",
            "`s`",
        ),
        (
            "UNWIND [1] AS i CALL (i) { CREATE (:B) } IN TRANSACTIONS ON ERROR RETRY",
            "UnsupportedFeature",
            "RETRY",
        ),
    ] {
        let e = err(&mut g, q);
        assert_eq!(e.detail, detail, "{q}: {e:?}");
        assert!(e.message.contains(says), "{q}: {e:?}");
    }
    assert_eq!(rows(&mut g, "MATCH (n) RETURN count(n)"), ["0"]);
    // Writes after one, and a plain CALL { } before one, are fine.
    let r = run(
        &mut g,
        "CALL { RETURN 1 AS x } CALL (x) { CREATE (:B) } IN TRANSACTIONS CREATE (:A)",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(r.stats.nodes_created, 2);
}

#[test]
fn call_subquery_scoping_errors_say_what_is_wrong() {
    let mut g = graph("");
    let cases = [
        // Not imported.
        (
            "WITH 1 AS a CALL { RETURN a AS b } RETURN b",
            "UndefinedVariable",
        ),
        (
            "CALL (x) { RETURN 1 AS one } RETURN one",
            "UndefinedVariable",
        ),
        // Returned over an outer variable.
        (
            "WITH 1 AS a CALL (a) { RETURN a } RETURN a",
            "VariableAlreadyBound",
        ),
        // An expression returned without a name.
        ("CALL { RETURN 1 + 1 } RETURN 1", "NoExpressionAlias"),
        // A returning subquery cannot end the query.
        (
            "UNWIND [1] AS i CALL (i) { RETURN i AS k }",
            "InvalidClauseComposition",
        ),
        (
            "CALL { CALL db.labels() YIELD label } RETURN 1",
            "InvalidClauseComposition",
        ),
        (
            "CALL { RETURN 1 AS a UNION RETURN 2 AS b } RETURN a",
            "DifferentColumnsInUnion",
        ),
        // Not inside EXISTS.
        (
            "MATCH (n) WHERE EXISTS { CALL { RETURN 1 AS x } RETURN x } RETURN n",
            "InvalidClauseComposition",
        ),
    ];
    for (q, detail) in cases {
        let e = err(&mut g, q);
        assert_eq!(e.detail, detail, "{q}: {e:?}");
        assert!(e.span.is_some(), "{q}: no place in {e:?}");
    }
    // The hint names the fix.
    let e = err(&mut g, "WITH 1 AS a CALL { RETURN a AS b } RETURN b");
    assert!(
        e.hint.as_deref().is_some_and(|h| h.contains("CALL (x)")),
        "{e:?}"
    );
}

#[test]
fn call_subquery_prints_back_and_explains() {
    for (q, shown) in [
        (
            "MATCH (p) CALL (p) { MATCH (p)-->(q) RETURN q } RETURN q",
            "CALL (p) { MATCH (p)-->(q) RETURN q }",
        ),
        (
            "MATCH (p) OPTIONAL CALL (*) { RETURN 1 AS x } RETURN x",
            "OPTIONAL CALL (*) { RETURN 1 AS x }",
        ),
        (
            "CALL () { RETURN 1 AS x UNION ALL RETURN 2 AS x } RETURN x",
            "CALL () { RETURN 1 AS x UNION ALL RETURN 2 AS x }",
        ),
        (
            "UNWIND [1] AS i CALL { WITH i CREATE (:T {i: i}) } IN TRANSACTIONS OF 10 ROWS",
            "CALL { WITH i CREATE (:T {i: i}) } IN TRANSACTIONS OF 10 ROWS",
        ),
        (
            "UNWIND [1] AS i CALL (i) { CREATE (:T) } IN TRANSACTIONS ON ERROR BREAK REPORT STATUS AS `s t` RETURN 1",
            "CALL (i) { CREATE (:T) } IN TRANSACTIONS REPORT STATUS AS `s t` ON ERROR BREAK",
        ),
    ] {
        let printed = parse_script(q).unwrap().statements[0].to_string();
        assert!(printed.contains(shown), "{q} printed as {printed}");
        let again = parse_script(&printed).unwrap().statements[0].to_string();
        assert_eq!(again, printed);
    }
    let mut g = graph("CREATE (:P {name: 'a'})");
    let r = run(
        &mut g,
        "EXPLAIN MATCH (p:P) CALL (p) { MATCH (p)-->(q) RETURN q } RETURN q",
    )
    .unwrap();
    let plan = r.plan.unwrap_or_default();
    assert!(
        plan.contains("Subquery, once per row (imports p)"),
        "{plan}"
    );
    // Inside, `p` is bound: the walk starts from it.
    assert!(plan.contains("start: (p), bound before"), "{plan}");
}

#[test]
fn profile_runs_the_statement_and_counts_each_clause() {
    let mut g = graph("UNWIND range(1, 10) AS i CREATE (:N {i: i})");
    let q =
        "MATCH (n:N) WHERE n.i > 3 WITH n.i % 2 AS odd, count(*) AS c RETURN odd, c ORDER BY odd";
    let plain = rows(&mut g, q);
    let r = run(&mut g, &format!("PROFILE {q}")).unwrap();
    assert_eq!(
        rendered(&r),
        plain,
        "PROFILE returns what the query returns"
    );
    let plan = r.plan.unwrap_or_default();
    assert!(plan.contains("Pipeline"), "the plan first: {plan}");
    assert!(plan.contains("Profile: 2 rows in "), "{plan}");
    // 7 matches pass the WHERE, 2 groups, 2 rows returned.
    let counts: Vec<&str> = plan
        .lines()
        .skip_while(|l| !l.starts_with("Profile:"))
        .skip(1)
        .map(str::trim_start)
        .collect();
    assert_eq!(counts.len(), 3, "{plan}");
    assert!(counts[0].starts_with("7  MATCH (n:N) WHERE"), "{plan}");
    assert!(counts[1].starts_with("2  WITH"), "{plan}");
    assert!(counts[2].starts_with("2  RETURN"), "{plan}");
    // A write is done, and profiled.
    let r = run(&mut g, "PROFILE UNWIND [1, 2] AS i CREATE (:M {i: i})").unwrap();
    assert_eq!(r.stats.nodes_created, 2);
    assert!(r.plan.unwrap_or_default().contains("2  CREATE"));
    // A CALL alone is profiled as its one clause (it was said to come from
    // the relationship-type index's counts).
    let r = run(&mut g, "PROFILE CALL db.labels()").unwrap();
    let plan = r.plan.unwrap_or_default();
    assert!(
        plan.contains("CALL db.labels()") && !plan.contains("counts"),
        "{plan}"
    );
    // EXPLAIN still runs nothing.
    let r = run(&mut g, "EXPLAIN CREATE (:M)").unwrap();
    assert_eq!(r.stats.nodes_created, 0);
    assert_eq!(rows(&mut g, "MATCH (m:M) RETURN count(m)"), ["2"]);
}

#[test]
fn foreach_writes_per_element_and_keeps_the_rows() {
    let mut g = graph("CREATE (:A {name: 'a'}), (:A {name: 'b'})");
    let r = run(
        &mut g,
        "MATCH (a:A) WITH collect(a) AS each FOREACH (x IN each | SET x.seen = true) RETURN size(each)",
    )
    .unwrap();
    assert_eq!(rendered(&r), ["2"], "the row goes on unchanged");
    assert_eq!(r.stats.props_set, 2);
    assert_eq!(
        sorted(rows(&mut g, "MATCH (a:A) RETURN a.name, a.seen")),
        ["'a' | true", "'b' | true"]
    );
    // Nested, with MERGE seeing what the elements before it made.
    let r = run(
        &mut g,
        "FOREACH (i IN [1, 2] | FOREACH (j IN [10, 20] | MERGE (:P {v: i * j})))",
    )
    .unwrap();
    assert_eq!(r.stats.nodes_created, 3, "10, 20 and 40; 20 twice");
    // Bound outside, used inside; null is no element.
    run(
        &mut g,
        "CREATE (s:S) WITH s FOREACH (k IN range(1, 3) | CREATE (s)-[:NEXT]->(:S {k: k})) \
         FOREACH (z IN null | CREATE (:Never))",
    )
    .unwrap();
    assert_eq!(
        rows(&mut g, "MATCH (:S)-[:NEXT]->(m) RETURN count(m)"),
        ["3"]
    );
    assert_eq!(rows(&mut g, "MATCH (n:Never) RETURN count(n)"), ["0"]);
    // What a FOREACH binds stays inside it; it only writes; a list it needs.
    let cases = [
        (
            "FOREACH (i IN [1] | CREATE (x:X)) RETURN x",
            "UndefinedVariable",
        ),
        (
            "FOREACH (i IN [1] | MATCH (n) RETURN n)",
            "InvalidClauseComposition",
        ),
        (
            "WITH 1 AS i FOREACH (i IN [1] | CREATE (:X))",
            "VariableAlreadyBound",
        ),
        ("FOREACH (i IN 5 | CREATE (:X))", "InvalidArgumentType"),
    ];
    for (q, detail) in cases {
        let e = err(&mut g, q);
        assert_eq!(e.detail, detail, "{q}: {e:?}");
        assert!(e.span.is_some(), "{q}: {e:?}");
    }
    assert_eq!(rows(&mut g, "MATCH (x:X) RETURN count(x)"), ["0"]);
    let printed = parse_script("FOREACH (i IN [1, 2] | CREATE (:X {i: i}) SET x.a = 1)")
        .map(|s| s.statements[0].to_string());
    assert_eq!(
        printed.ok().as_deref(),
        Some("FOREACH (i IN [1, 2] | CREATE (:X {i: i}) SET x.a = 1)")
    );
}

/// LOAD CSV reads a local file's records as Neo4j does: maps by the header
/// with WITH HEADERS, lists without; strings, an unquoted empty field and a
/// missing one null, a quoted empty one the empty string; FIELDTERMINATOR,
/// file: URLs with %20, a file named by many rows read once; and it drives
/// writes. Errors name the file, line and column, and a missing file or a
/// network location say so.
#[test]
fn load_csv_reads_a_local_file_as_neo4j_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let people = dir.path().join("my people.csv");
    std::fs::write(
        &people,
        "\u{feff}name,age,city\r\nann,30,Minsk\r\nbob,,\"Saint \"\"P\"\"\"\n\"\",41\n\n",
    )
    .unwrap();
    let url = format!("file://{}", people.display()).replace(' ', "%20");
    let mut g = Graph::new();
    assert_eq!(
        rows(
            &mut g,
            &format!(
                "LOAD CSV WITH HEADERS FROM '{url}' AS row RETURN row.name, row.age, row.city"
            )
        ),
        [
            "'ann' | '30' | 'Minsk'",
            "'bob' | null | 'Saint \"P\"'",
            "'' | '41' | null"
        ]
    );
    assert_eq!(
        rows(
            &mut g,
            &format!("LOAD CSV FROM '{url}' AS row RETURN row LIMIT 2")
        ),
        ["['name', 'age', 'city']", "['ann', '30', 'Minsk']"]
    );
    // A WITH or RETURN right after takes the records as they are read,
    // aggregations and DISTINCT included.
    assert_eq!(
        rows(
            &mut g,
            &format!(
                "LOAD CSV WITH HEADERS FROM '{url}' AS row WITH row.name AS n WHERE n <> '' \
                 RETURN collect(n) AS names, count(*) AS c"
            )
        ),
        ["['ann', 'bob'] | 2"]
    );
    assert_eq!(
        rows(
            &mut g,
            &format!("LOAD CSV FROM '{url}' AS row RETURN DISTINCT size(row) AS s ORDER BY s")
        ),
        ["2", "3"]
    );
    let semi = dir.path().join("s.csv");
    std::fs::write(&semi, "a;b\n1;\"x;y\"\n").unwrap();
    assert_eq!(
        rows(
            &mut g,
            &format!(
                "UNWIND [1, 2] AS i LOAD CSV FROM '{}' AS row FIELDTERMINATOR ';' RETURN i, row[1]",
                semi.display()
            )
        ),
        ["1 | 'b'", "1 | 'x;y'", "2 | 'b'", "2 | 'x;y'"]
    );
    run(
        &mut g,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{url}' AS row \
             CREATE (:P {{name: row.name, age: toInteger(row.age)}})"
        ),
    )
    .unwrap();
    assert_eq!(
        rows(&mut g, "MATCH (p:P) RETURN p.name, p.age ORDER BY p.name"),
        ["'' | 41", "'ann' | 30", "'bob' | null"]
    );
    // Errors: where in the file, a missing file, a URL, a non-string.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "a,b\n1,2\n3,\"x\"y\n").unwrap();
    let e = err(
        &mut g,
        &format!("LOAD CSV FROM '{}' AS r RETURN r", bad.display()),
    );
    assert!(
        e.message
            .contains("bad.csv:3:6: expected ',' or the end of the line after a quoted field"),
        "{e:?}"
    );
    // Read with commas, its quotes are characters of the fields (as in
    // Neo4j, where RFC 4180 refuses them).
    assert_eq!(
        rows(
            &mut g,
            &format!(
                "LOAD CSV WITH HEADERS FROM '{}' AS r RETURN r",
                semi.display()
            )
        ),
        ["{a;b: '1;\"x;y\"'}"]
    );
    let e = err(
        &mut g,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS r RETURN r",
            bad.display()
        ),
    );
    assert_eq!(e.detail, "ExternalResourceFailed");
    let wide = dir.path().join("wide.csv");
    std::fs::write(&wide, "a\n1,2\n").unwrap();
    let e = err(
        &mut g,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS r RETURN r",
            wide.display()
        ),
    );
    assert!(
        e.message
            .contains("wide.csv:2:3: this record has 2 fields, the header 1"),
        "{e:?}"
    );
    let e = err(
        &mut g,
        "LOAD CSV FROM 'file:///no/such/file.csv' AS r RETURN r",
    );
    assert!(
        e.message.contains("/no/such/file.csv: no such file"),
        "{e:?}"
    );
    let e = err(
        &mut g,
        "LOAD CSV FROM 'https://example.org/a.csv' AS r RETURN r",
    );
    assert!(e.message.contains("local files"), "{e:?}");
    assert_eq!(
        err(&mut g, "LOAD CSV FROM 1 AS r RETURN r").detail,
        "InvalidArgumentType"
    );
    assert_eq!(
        err(
            &mut g,
            "LOAD CSV FROM 'x' AS r FIELDTERMINATOR 'ab' RETURN r"
        )
        .detail,
        "InvalidFieldTerminator"
    );
    assert_eq!(
        err(&mut g, "WITH 1 AS r LOAD CSV FROM 'x' AS r RETURN r").detail,
        "VariableAlreadyBound"
    );
}

/// LOAD CSV reads what Neo4j 5 reads where RFC 4180 is stricter (the bulk
/// import still refuses these): a header with repeated or empty names (the
/// last column of a name is kept; an empty name is the key ""), a quote
/// inside an unquoted field, `\"` and `\\` in a quoted field, a carriage
/// return alone as a line end, and a field terminator of any one character
/// (a tab, `\u00A6`, `¦`). What is still wrong names file:line:col, lines
/// counted with the lone carriage returns.
#[test]
fn load_csv_reads_what_neo4j_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut g = Graph::new();
    let q = |g: &mut Graph, file: &std::path::Path, rest: &str| {
        rows(
            g,
            &format!(
                "LOAD CSV WITH HEADERS FROM '{}' AS r {rest}",
                file.display()
            ),
        )
    };
    // Repeated and empty names, as Excel writes them.
    let heads = dir.path().join("heads.csv");
    std::fs::write(&heads, "a,b,a,,\n1,2,3,4,5\n6,7\n").unwrap();
    assert_eq!(
        q(&mut g, &heads, "RETURN r"),
        ["{: '5', a: '3', b: '2'}", "{: null, a: null, b: '7'}"]
    );
    assert_eq!(q(&mut g, &heads, "RETURN r[''] AS e LIMIT 1"), ["'5'"]);
    // Quotes and backslashes, Neo4j's way; a lone CR ends a line.
    let odd = dir.path().join("odd.csv");
    std::fs::write(
        &odd,
        "k,v\r12\" pipe,\"The \\\"Symbol\\\"\"\r\"a\\\\\",\"x\\\\\\\"y\"\r\"p\\q\",\"\\n\"\r\n",
    )
    .unwrap();
    assert_eq!(
        q(&mut g, &odd, "RETURN r.k, r.v"),
        [
            "'12\" pipe' | 'The \"Symbol\"'",
            "'a\\\\' | 'x\\\\\"y'",
            "'p\\\\q' | '\\\\n'"
        ]
    );
    // Errors still say where, lines counted by lone CRs too.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "a\r1\r\"x\"y\r").unwrap();
    let e = err(
        &mut g,
        &format!("LOAD CSV FROM '{}' AS r RETURN r", bad.display()),
    );
    assert!(e.message.contains("bad.csv:3:4: expected ','"), "{e:?}");
    std::fs::write(&bad, "a\r\"x\\\"\r").unwrap();
    let e = err(
        &mut g,
        &format!("LOAD CSV FROM '{}' AS r RETURN r", bad.display()),
    );
    assert!(
        e.message
            .contains("bad.csv:2:1: this quoted field is not closed"),
        "{e:?}"
    );
    std::fs::write(&bad, "a\r1,2\r").unwrap();
    let e = err(
        &mut g,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS r RETURN r",
            bad.display()
        ),
    );
    assert!(
        e.message.contains("bad.csv:2:3: this record has 2 fields"),
        "{e:?}"
    );
    // Field terminators of any one character: the escapes of Cypher
    // strings reach LOAD CSV as the character.
    let tabs = dir.path().join("tabs.csv");
    std::fs::write(&tabs, "a\tb\n1\t\"2\t3\"\n").unwrap();
    let broken = dir.path().join("broken.csv");
    std::fs::write(&broken, "a¦b\n1¦\"2¦3\"\n©¦x¦\n").unwrap();
    for (file, sep, second) in [
        (&tabs, "'\\t'", "['1', '2\\t3']"),
        (&tabs, "'\\u0009'", "['1', '2\\t3']"),
        (&broken, "'¦'", "['1', '2¦3']"),
        (&broken, "'\\u00A6'", "['1', '2¦3']"),
        (&broken, "\"\\u00a6\"", "['1', '2¦3']"),
    ] {
        let got = rows(
            &mut g,
            &format!(
                "LOAD CSV FROM '{}' AS r FIELDTERMINATOR {sep} RETURN r LIMIT 2",
                file.display()
            ),
        );
        assert_eq!(got, ["['a', 'b']", second], "{sep}");
    }
    assert_eq!(
        rows(
            &mut g,
            &format!(
                "LOAD CSV FROM '{}' AS r FIELDTERMINATOR '¦' RETURN r SKIP 2",
                broken.display()
            )
        ),
        ["['©', 'x', null]"]
    );
    let e = err(
        &mut g,
        &format!(
            "LOAD CSV FROM '{}' AS r FIELDTERMINATOR '¦' RETURN r",
            odd.display()
        ),
    );
    assert!(e.message.contains("expected '¦'"), "{e:?}");
    for sep in ["''", "'¦¦'", "'\\t,'", "'\"'", "'\\n'"] {
        assert_eq!(
            err(
                &mut g,
                &format!("LOAD CSV FROM 'x' AS r FIELDTERMINATOR {sep} RETURN r")
            )
            .detail,
            "InvalidFieldTerminator",
            "{sep}"
        );
    }
    // The printed statement reads back the same.
    let printed = parse_script("LOAD CSV FROM 'x' AS r FIELDTERMINATOR '\\u00A6' RETURN r")
        .map(|s| s.statements[0].to_string());
    assert_eq!(
        printed.ok().as_deref(),
        Some("LOAD CSV FROM 'x' AS r FIELDTERMINATOR '¦' RETURN r")
    );
}

/// `LOAD CSV ... CALL { } IN TRANSACTIONS` reads the file on a second
/// thread a batch at a time (bounded memory): the same rows and counts as
/// the rows read first, `linenumber()` too; a record the reader refuses
/// ends the statement, whatever ON ERROR says, after the batches before it.
#[test]
fn load_csv_streams_into_in_transactions_a_batch_at_a_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "n\n1\n2\n3\n4\n5\n").unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "n\n1\n2\n3\n4,x\n5\n").unwrap();
    let url = |p: &std::path::Path| format!("file://{}", p.display());
    let mut g = Graph::new();
    let q = format!(
        "LOAD CSV WITH HEADERS FROM '{}' AS r CALL (r) {{ CREATE (n:N {{n: toInteger(r.n)}}) RETURN n.n * 10 AS x }} \
         IN TRANSACTIONS OF 2 ROWS RETURN r.n, x, linenumber() AS line",
        url(&good)
    );
    let r = run(&mut g, &q).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        rendered(&r),
        [
            "'1' | 10 | 2",
            "'2' | 20 | 3",
            "'3' | 30 | 4",
            "'4' | 40 | 5",
            "'5' | 50 | 6"
        ]
    );
    assert_eq!(
        (r.stats.nodes_created, r.stats.transactions_committed),
        (5, 3)
    );
    // Ending the statement, the rows are kept by no one: the same writes.
    let q = format!(
        "LOAD CSV WITH HEADERS FROM '{}' AS r CALL (r) {{ CREATE (:L {{n: r.n}}) }} IN TRANSACTIONS OF 2 ROWS",
        url(&good)
    );
    let r = run(&mut g, &q).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        (r.stats.nodes_created, r.stats.transactions_committed),
        (5, 3)
    );
    assert!(r.rows.is_empty());
    for on_error in ["", "ON ERROR CONTINUE"] {
        let q = format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS r CALL (r) {{ CREATE (:M {{n: r.n}}) }} IN TRANSACTIONS OF 2 ROWS {on_error}",
            url(&bad)
        );
        let e = err(&mut g, &q);
        assert!(
            e.message.contains("bad.csv:5") && e.message.ends_with("(Transactions committed: 1)"),
            "{e:?}"
        );
    }
    // Each time the first batch (1 and 2) stayed; 3 went with the failure.
    assert_eq!(
        rows(&mut g, "MATCH (m:M) RETURN m.n, count(*) ORDER BY m.n"),
        ["'1' | 2", "'2' | 2"]
    );
}

/// A variable may be any quoted name, one starting with a space too: none
/// is taken for one of the evaluator's own columns (which start with NUL,
/// refused in an identifier), so `RETURN *` lists it and `linenumber()`
/// does not read it.
#[test]
fn quoted_names_are_never_the_evaluators_own_columns() {
    let mut g = Graph::new();
    let r = run(
        &mut g,
        "WITH 1 AS ` x`, 2 AS y, 3 AS ` linenumber` RETURN *",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(r.columns, [" linenumber", " x", "y"]);
    assert_eq!(rendered(&r), ["3 | 1 | 2"]);
    assert_eq!(
        rows(
            &mut g,
            "WITH 3 AS ` linenumber` RETURN linenumber(), ` linenumber`"
        ),
        ["null | 3"]
    );
    let e = err(&mut g, "WITH 1 AS `a\0b` RETURN 1");
    assert_eq!(e.detail, "InvalidIdentifier", "{e:?}");
    assert!(e.message.contains("NUL"), "{e:?}");
}

/// `linenumber()` and `file()` give a LOAD CSV row's record number (as
/// Neo4j counts it: the header is 1, blank lines are no records, a record
/// over several lines is one) and the file's absolute path; through a WITH
/// that keeps the rows, in a write, and from the latest LOAD CSV; null
/// outside one (and after an aggregation).
#[test]
fn linenumber_and_file_name_the_record_loaded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("two words.csv");
    std::fs::write(&f, "name\n\nann\n\"b\no\nb\"\r\ncy\n").unwrap();
    let path = f.display().to_string();
    let url = format!("file://{path}").replace(' ', "%20");
    let mut g = Graph::new();
    let quoted = |s: &str| format!("'{s}'");
    assert_eq!(
        rows(
            &mut g,
            &format!("LOAD CSV FROM '{url}' AS r RETURN linenumber(), File(), r[0]")
        ),
        [
            format!("1 | {} | 'name'", quoted(&path)),
            format!("2 | {} | 'ann'", quoted(&path)),
            format!("3 | {} | 'b\\no\\nb'", quoted(&path)),
            format!("4 | {} | 'cy'", quoted(&path)),
        ]
    );
    assert_eq!(
        rows(
            &mut g,
            &format!(
                "LOAD CSV WITH HEADERS FROM '{url}' AS r WITH r WHERE r.name <> 'ann' \
                 RETURN LINENUMBER() AS l ORDER BY l"
            )
        ),
        ["3", "4"]
    );
    assert_eq!(
        rows(
            &mut g,
            &format!(
                "LOAD CSV WITH HEADERS FROM '{url}' AS r WITH count(*) AS c \
                 RETURN c, linenumber(), file()"
            )
        ),
        ["3 | null | null"]
    );
    run(
        &mut g,
        &format!(
            "LOAD CSV WITH HEADERS FROM '{url}' AS r \
             CREATE (:L {{name: r.name, line: linenumber(), file: file()}})"
        ),
    )
    .unwrap();
    assert_eq!(
        rows(
            &mut g,
            &format!(
                "MATCH (l:L) RETURN l.line, l.file = {} ORDER BY l.line",
                quoted(&path)
            )
        ),
        ["2 | true", "3 | true", "4 | true"]
    );
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "x\n").unwrap();
    assert_eq!(
        rows(
            &mut g,
            &format!(
                "LOAD CSV FROM '{url}' AS a LOAD CSV FROM '{}' AS b \
                 RETURN a[0], linenumber(), file() ENDS WITH 'other.csv' LIMIT 1",
                other.display()
            )
        ),
        ["'name' | 1 | true"]
    );
    assert_eq!(rows(&mut g, "RETURN linenumber(), file()"), ["null | null"]);
    assert_eq!(
        err(&mut g, "RETURN linenumber(1)").detail,
        "InvalidNumberOfArguments"
    );
}

#[test]
fn neo4j_clauses_factgraph_lacks_say_so() {
    let mut g = graph("");
    for (q, what) in [
        ("USE neo4j MATCH (n) RETURN n", "USE"),
        (
            "CREATE CONSTRAINT FOR (n:A) REQUIRE n.x IS :: INTEGER",
            "property type constraints",
        ),
    ] {
        let e = err(&mut g, q);
        assert_eq!(e.detail, "UnsupportedFeature", "{q}: {e:?}");
        assert!(
            e.message.contains(what) && e.message.contains("not supported"),
            "{q}: {e:?}"
        );
        assert!(e.hint.is_some(), "{q}: a way forward");
    }
}

// ---- constraints ---------------------------------------------------------

/// The number of nodes, as a check that a failed statement kept nothing.
fn node_total(g: &mut Graph) -> Vec<String> {
    rows(g, "MATCH (n) RETURN count(n)")
}

#[test]
fn a_uniqueness_constraint_fails_the_statement_that_breaks_it_and_keeps_nothing() {
    let mut g = graph("CREATE (:P {name: 'Ann', email: 'a@x'}), (:P {name: 'Bob'})");
    let r = run(
        &mut g,
        "CREATE CONSTRAINT p_email FOR (p:P) REQUIRE p.email IS UNIQUE",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(r.stats.constraints_added, 1);
    for q in [
        "CREATE (:P {name: 'Cy', email: 'a@x'})",
        "MATCH (p:P {name: 'Bob'}) SET p.email = 'a@x'",
        "MERGE (p:P {name: 'Dee'}) SET p.email = 'a@x'",
        // Two new nodes alike, neither like an old one.
        "CREATE (:P {email: 'z'}), (:P {email: 'z'})",
        // 1 and 1.0 are one value.
        "CREATE (:P {email: 1}), (:P {email: 1.0})",
    ] {
        let before = node_total(&mut g);
        let e = err(&mut g, q);
        assert_eq!(e.detail, "ConstraintValidationFailed", "{q}: {e:?}");
        assert_eq!(
            e.class,
            crate::error::ErrorClass::ConstraintVerificationFailed
        );
        assert!(e.message.contains("both have email"), "{q}: {}", e.message);
        assert!(e.message.contains("'p_email'"), "{q}: {}", e.message);
        assert_eq!(node_total(&mut g), before, "{q} kept nothing");
    }
    assert_eq!(
        rows(&mut g, "MATCH (p:P) RETURN p.email ORDER BY p.name"),
        ["'a@x'", "null"]
    );
    // Nodes without the key are not compared; another label is not covered;
    // a statement that swaps two values is checked once it is done.
    rows(&mut g, "CREATE (:P {name: 'E'}), (:Q {email: 'a@x'})");
    rows(
        &mut g,
        "MATCH (a:P {name: 'Ann'}), (b:P {name: 'Bob'}) SET a.email = 'b@x', b.email = 'a@x'",
    );
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:P) WHERE p.email IS NOT NULL RETURN p.name, p.email ORDER BY p.name"
        ),
        ["'Ann' | 'b@x'", "'Bob' | 'a@x'"]
    );
    // The check goes through the index the constraint made.
    assert_eq!(
        g.prop_index("P", "email").map(|ix| ix.name()),
        Some("p_email")
    );
    let e = err(&mut g, "CREATE (:P {email: 'b@x'})");
    assert!(
        e.message.contains("both have email = 'b@x'"),
        "{}",
        e.message
    );
    rows(&mut g, "CREATE (:P {email: 'c@x'})");
}

#[test]
fn existence_and_key_constraints_on_nodes_and_relationships() {
    let mut g = graph("CREATE (:P {n: 1, m: 10})-[:K {id: 'x'}]->(:P {n: 2})");
    // The graph must satisfy a constraint to get it: node 1 has no m.
    let e = err(
        &mut g,
        "CREATE CONSTRAINT pk FOR (p:P) REQUIRE (p.n, p.m) IS NODE KEY",
    );
    assert_eq!(e.detail, "ConstraintCreationFailed");
    assert!(
        e.message.contains("cannot create constraint 'pk'"),
        "{}",
        e.message
    );
    assert!(e.message.contains("node 1 (:P) has no m"), "{}", e.message);
    assert!(rows(&mut g, "SHOW CONSTRAINTS").is_empty());
    rows(&mut g, "MATCH (p:P) SET p.m = p.n * 10");
    rows(
        &mut g,
        "CREATE CONSTRAINT pk FOR (p:P) REQUIRE (p.n, p.m) IS NODE KEY",
    );
    rows(
        &mut g,
        "CREATE CONSTRAINT kid FOR ()-[r:K]-() REQUIRE r.id IS RELATIONSHIP KEY",
    );
    rows(
        &mut g,
        "CREATE CONSTRAINT FOR (p:P) REQUIRE p.n IS NOT NULL",
    );
    // A key of several properties: only all of them alike is a clash.
    rows(&mut g, "CREATE (:P {n: 1, m: 11})");
    let e = err(&mut g, "CREATE (:P {n: 1, m: 10})");
    assert!(
        e.message.contains("both have n = 1, m = 10"),
        "{}",
        e.message
    );
    let e = err(&mut g, "MATCH (p:P {n: 2}) REMOVE p.m");
    assert!(e.message.contains("node 1 (:P) has no m"), "{}", e.message);
    let e = err(
        &mut g,
        "MATCH (a:P {n: 2}), (b:P {n: 1, m: 10}) CREATE (a)-[:K {id: 'x'}]->(b)",
    );
    assert!(
        e.message
            .contains("relationships 0 and 1 (:K) both have id = 'x'"),
        "{}",
        e.message
    );
    let e = err(&mut g, "MATCH ()-[r:K]->() SET r.id = null");
    assert!(
        e.message.contains("relationship 0 (:K) has no id"),
        "{}",
        e.message
    );
    // Deleting is never held back by a key.
    rows(&mut g, "MATCH (p:P {m: 11}) DELETE p");
    assert_eq!(
        rows(&mut g, "SHOW CONSTRAINTS").len(),
        3,
        "SHOW CONSTRAINTS has a row each"
    );
}

/// The number of relationships, as a check that a failed statement kept
/// nothing.
fn rel_total(g: &mut Graph) -> Vec<String> {
    rows(g, "MATCH ()-[r]->() RETURN count(r)")
}

#[test]
fn a_relationship_uniqueness_holds_through_creates_sets_deletes_and_failed_statements() {
    // Relationships 0 to 9 of :T with p = 0 to 9, relationship 10 of :U.
    let mut g = graph(
        "CREATE (a:A), (b:B) WITH a, b UNWIND range(0, 9) AS i \
         CREATE (a)-[:T {p: i}]->(b)",
    );
    rows(&mut g, "MATCH (a:A), (b:B) CREATE (a)-[:U {p: 3}]->(b)");
    rows(
        &mut g,
        "CREATE CONSTRAINT tp FOR ()-[r:T]-() REQUIRE r.p IS UNIQUE",
    );
    let add = |p: &str| format!("MATCH (a:A), (b:B) CREATE (a)-[:T {{p: {p}}}]->(b)");
    let refused = |g: &mut Graph, q: &str, what: &str| {
        let before = rel_total(g);
        let e = err(g, q);
        assert_eq!(e.detail, "ConstraintValidationFailed", "{q}: {e:?}");
        assert!(
            e.message.contains(what) && e.message.contains("(constraint 'tp': "),
            "{q}: {}",
            e.message
        );
        assert_eq!(rel_total(g), before, "{q} kept nothing");
    };
    // A new one like an old one, 1 and 1.0 alike (the message has the old
    // one's value); another type is not covered.
    refused(
        &mut g,
        &add("3"),
        "relationships 3 and 11 (:T) both have p = 3",
    );
    refused(
        &mut g,
        &add("2.0"),
        "relationships 2 and 11 (:T) both have p = 2",
    );
    rows(&mut g, "MATCH (a:A), (b:B) CREATE (a)-[:U {p: 4}]->(b)");
    // Setting the key to a taken value is refused; a swap in one statement
    // is checked once it is done, and holds.
    refused(
        &mut g,
        "MATCH ()-[r:T {p: 8}]->() SET r.p = 9",
        "relationships 8 and 9 (:T) both have p = 9",
    );
    rows(
        &mut g,
        "MATCH ()-[x:T {p: 8}]->(), ()-[y:T {p: 9}]->() SET x.p = 9, y.p = 8",
    );
    // A value moved away, removed or deleted is free; the new one is taken.
    rows(&mut g, "MATCH ()-[r:T {p: 5}]->() SET r.p = 50");
    rows(&mut g, "MATCH ()-[r:T {p: 6}]->() REMOVE r.p");
    rows(&mut g, "MATCH ()-[r:T {p: 7}]->() DELETE r");
    for p in ["5", "6", "7"] {
        rows(&mut g, &add(p));
    }
    refused(&mut g, &add("50"), "both have p = 50");
    refused(&mut g, &add("7.0"), "both have p = 7");
    // Failed statements leave nothing behind: two new ones alike...
    refused(
        &mut g,
        "MATCH (a:A), (b:B) CREATE (a)-[:T {p: 60}]->(b), (a)-[:T {p: 60}]->(b)",
        "both have p = 60",
    );
    rows(&mut g, &add("60"));
    // ...a value moved away and a clash after it (the value is back)...
    refused(
        &mut g,
        "MATCH ()-[r:T {p: 1}]->() SET r.p = 61 WITH r MATCH (a:A), (b:B) \
         CREATE (a)-[:T {p: 0}]->(b)",
        "both have p = 0",
    );
    rows(&mut g, &add("61"));
    refused(&mut g, &add("1"), "both have p = 1");
    // ...and a deletion and a clash after it (the deleted one is back).
    refused(
        &mut g,
        "MATCH ()-[r:T {p: 4}]->() DELETE r WITH count(*) AS n MATCH (a:A), (b:B) \
         CREATE (a)-[:T {p: 0}]->(b)",
        "both have p = 0",
    );
    refused(&mut g, &add("4"), "relationships 4 and ");
    // A node deleted with its relationships frees their values.
    rows(&mut g, "MATCH (a:A) DETACH DELETE a");
    rows(&mut g, "CREATE (:A)-[:T {p: 4}]->(:B)");
    assert_eq!(
        rows(&mut g, "MATCH ()-[r:T]->() RETURN count(r), count(r.p)"),
        ["1 | 1"]
    );
}

#[test]
fn relationship_keys_of_several_properties_compare_them_all_as_equality_does() {
    let mut g = graph(
        "CREATE (a:A), (b:B), (a)-[:K {x: 1, y: [1, 2]}]->(b), \
         (a)-[:K {x: 1, y: [1, 3]}]->(b), (a)-[:K {x: 'd', y: fdate('2024-05')}]->(b)",
    );
    rows(
        &mut g,
        "CREATE CONSTRAINT kxy FOR ()-[r:K]-() REQUIRE (r.x, r.y) IS RELATIONSHIP KEY",
    );
    let add =
        |x: &str, y: &str| format!("MATCH (a:A), (b:B) CREATE (a)-[:K {{x: {x}, y: {y}}}]->(b)");
    for (x, y, other) in [
        ("1.0", "[1.0, 2]", 0),
        ("1", "[1, 3.0]", 1),
        ("'d'", "fdate('2024-05')", 2),
    ] {
        let e = err(&mut g, &add(x, y));
        assert!(
            e.message
                .contains(&format!("relationships {other} and 3 (:K) both have x = ")),
            "{x}, {y}: {}",
            e.message
        );
    }
    // Only all of them alike is a clash; a date of another precision is
    // another value.
    for (x, y) in [
        ("2", "[1, 2]"),
        ("1", "[2, 1]"),
        ("'d'", "fdate('2024-05-01')"),
    ] {
        rows(&mut g, &add(x, y));
    }
    // Setting one of them so that all are alike is refused.
    let e = err(&mut g, "MATCH ()-[r:K {x: 2}]->() SET r.x = 1.0");
    assert!(
        e.message
            .contains("relationships 0 and 3 (:K) both have x = 1, y = [1, 2]"),
        "{}",
        e.message
    );
    // A key also requires the values.
    let e = err(&mut g, "MATCH ()-[r:K {x: 2}]->() REMOVE r.y");
    assert!(e.message.contains("has no y"), "{}", e.message);
}

#[test]
fn constraints_are_created_dropped_and_shown_as_in_neo4j() {
    let mut g = graph("");
    rows(
        &mut g,
        "CREATE CONSTRAINT one FOR (p:P) REQUIRE p.a IS UNIQUE",
    );
    // The same rule again, under any name, or the same name: refused,
    // unless IF NOT EXISTS, which says so and does nothing.
    let e = err(
        &mut g,
        "CREATE CONSTRAINT two FOR (p:P) REQUIRE p.a IS UNIQUE",
    );
    assert_eq!(e.detail, "ConstraintAlreadyExists");
    let e = err(
        &mut g,
        "CREATE CONSTRAINT one FOR (p:Q) REQUIRE p.a IS UNIQUE",
    );
    assert_eq!(e.detail, "ConstraintWithNameAlreadyExists");
    let r = run(
        &mut g,
        "CREATE CONSTRAINT two IF NOT EXISTS FOR (p:P) REQUIRE p.a IS UNIQUE",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(r.stats.constraints_added, 0);
    assert!(
        r.notices.iter().any(|n| n.contains("'one' exists already")),
        "{:?}",
        r.notices
    );
    // Without a name it gets one from what it is.
    rows(
        &mut g,
        "CREATE CONSTRAINT FOR ()-[r:T]-() REQUIRE r.b IS NOT NULL",
    );
    let shown = rows(&mut g, "SHOW CONSTRAINTS");
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(
        shown[0].contains("'RELATIONSHIP_PROPERTY_EXISTENCE' | 'RELATIONSHIP' | ['T'] | ['b']"),
        "{shown:?}"
    );
    assert!(shown[0].contains("'constraint_"), "{shown:?}");
    assert!(
        shown[1].contains("'one' | 'UNIQUENESS' | 'NODE' | ['P'] | ['a']"),
        "{shown:?}"
    );
    let e = err(&mut g, "DROP CONSTRAINT nope");
    assert_eq!(e.detail, "ConstraintDropFailed");
    let r = run(&mut g, "DROP CONSTRAINT nope IF EXISTS").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(r.stats.constraints_removed, 0);
    let r = run(&mut g, "DROP CONSTRAINT one").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(r.stats.constraints_removed, 1);
    rows(&mut g, "CREATE (:P {a: 1}), (:P {a: 1})");
    // Syntax that is not Neo4j 5's, or mixes nodes and relationships.
    for (q, what) in [
        ("CREATE CONSTRAINT ON (n:X) ASSERT n.a IS UNIQUE", "Neo4j 4"),
        (
            "CREATE CONSTRAINT FOR (n:X) REQUIRE n.a IS RELATIONSHIP KEY",
            "relationship constraint",
        ),
        (
            "CREATE CONSTRAINT FOR ()-[r:X]-() REQUIRE r.a IS NODE KEY",
            "node constraint",
        ),
        (
            "CREATE CONSTRAINT FOR (n:X) REQUIRE (n.a, n.b) IS NOT NULL",
            "one property",
        ),
        ("CREATE CONSTRAINT FOR (n:X) REQUIRE m.a IS UNIQUE", "'n'"),
    ] {
        let e = err(&mut g, q);
        assert!(e.message.contains(what), "{q}: {e:?}");
    }
}

#[test]
fn a_uniqueness_constraint_owns_the_index_it_makes_and_names_are_shared_with_indexes() {
    let mut g = graph("CREATE (:P {k: 1}), (:P {k: 2})");
    rows(
        &mut g,
        "CREATE CONSTRAINT pk FOR (p:P) REQUIRE p.k IS UNIQUE",
    );
    // Its index, under its name, which the planner uses; SHOW INDEXES
    // says whose it is.
    assert_eq!(g.prop_index("P", "k").map(|ix| ix.name()), Some("pk"));
    assert_eq!(
        rows(
            &mut g,
            "SHOW INDEXES YIELD name, owningConstraint WHERE name = 'pk'"
        ),
        ["'pk' | 'pk'"]
    );
    let plan = run(&mut g, "EXPLAIN MATCH (p:P {k: 2}) RETURN p")
        .ok()
        .and_then(|r| r.plan);
    assert!(plan.is_some_and(|p| p.contains("property index 'pk'")));
    let e = err(&mut g, "DROP INDEX pk");
    assert!(
        e.message.contains("belongs to constraint 'pk'"),
        "{}",
        e.message
    );
    // A name is an index's or a constraint's, not both.
    let e = err(&mut g, "CREATE INDEX pk FOR (q:Q) ON (q.x)");
    assert!(e.message.contains("index called 'pk'"), "{}", e.message);
    rows(
        &mut g,
        "CREATE CONSTRAINT nn FOR (q:Q) REQUIRE q.z IS NOT NULL",
    );
    let e = err(&mut g, "CREATE INDEX nn FOR (q:Q) ON (q.x)");
    assert!(
        e.message.contains("constraint called 'nn'"),
        "{}",
        e.message
    );
    rows(
        &mut g,
        "CREATE CONSTRAINT index_Q_x FOR (q:Q) REQUIRE q.y IS NOT NULL",
    );
    rows(&mut g, "CREATE INDEX FOR (q:Q) ON (q.x)");
    assert!(
        g.prop_index("Q", "x")
            .is_some_and(|ix| ix.name() == "index_Q_x_2")
    );
    // Its values are found through the index, integers and floats alike.
    let e = err(&mut g, "CREATE (:P {k: 2.0})");
    assert!(e.message.contains("both have k = 2"), "{}", e.message);
    // Dropping the constraint drops its index; an index that was there
    // before a constraint stays when it goes.
    rows(&mut g, "DROP CONSTRAINT pk");
    assert!(g.prop_index("P", "k").is_none());
    rows(&mut g, "CREATE INDEX mine FOR (p:P) ON (p.k)");
    rows(
        &mut g,
        "CREATE CONSTRAINT pk FOR (p:P) REQUIRE p.k IS UNIQUE",
    );
    rows(&mut g, "DROP CONSTRAINT pk");
    assert_eq!(g.prop_index("P", "k").map(|ix| ix.name()), Some("mine"));
    // A property twice, and a key beside a uniqueness on the same ones.
    let e = err(
        &mut g,
        "CREATE CONSTRAINT FOR (p:P) REQUIRE (p.a, p.a) IS UNIQUE",
    );
    assert!(e.message.contains("named twice"), "{}", e.message);
    rows(
        &mut g,
        "CREATE CONSTRAINT u FOR (p:P) REQUIRE p.k IS UNIQUE",
    );
    let e = err(
        &mut g,
        "CREATE CONSTRAINT FOR (p:P) REQUIRE p.k IS NODE KEY",
    );
    assert!(
        e.message.contains("'u'") && e.message.contains("conflicts"),
        "{}",
        e.message
    );
    rows(
        &mut g,
        "CREATE CONSTRAINT FOR (p:P) REQUIRE p.k IS NOT NULL",
    );
}

#[test]
fn show_indexes_and_constraints_take_yield_where_and_return_as_in_neo4j() {
    let mut g = graph("CREATE (:P {k: 1, j: 2})");
    rows(
        &mut g,
        "CREATE CONSTRAINT pk FOR (p:P) REQUIRE p.k IS UNIQUE",
    );
    rows(
        &mut g,
        "CREATE CONSTRAINT pj FOR (p:P) REQUIRE p.j IS NOT NULL",
    );
    assert_eq!(
        rows(
            &mut g,
            "SHOW INDEXES YIELD name, type WHERE type = 'RANGE' RETURN name"
        ),
        ["'pk'"]
    );
    assert_eq!(
        rows(&mut g, "SHOW INDEXES WHERE name STARTS WITH 'builtin_n'"),
        [
            "'builtin_names' | 'ONLINE' | 100.0 | 'NAME' | 'NODE' | null | ['name', 'aliases'] | null"
        ]
    );
    assert_eq!(
        rows(
            &mut g,
            "SHOW CONSTRAINTS YIELD name AS n, type WHERE type <> 'UNIQUENESS' RETURN n, type"
        ),
        ["'pj' | 'NODE_PROPERTY_EXISTENCE'"]
    );
    assert_eq!(
        rows(&mut g, "SHOW CONSTRAINTS YIELD * RETURN count(*) AS k"),
        ["2"]
    );
    // YIELD takes ORDER BY, SKIP and LIMIT, before the WHERE, as in Neo4j.
    assert_eq!(
        rows(
            &mut g,
            "SHOW INDEXES YIELD name ORDER BY name DESC SKIP 1 LIMIT 2"
        ),
        ["'builtin_types'", "'builtin_names'"]
    );
    assert_eq!(
        rows(
            &mut g,
            "SHOW INDEXES YIELD name, type ORDER BY name LIMIT 2 WHERE type = 'LOOKUP' RETURN name"
        ),
        ["'builtin_labels'"]
    );
    // The listing the YIELD form stands for is a procedure a CALL can name.
    assert_eq!(
        rows(&mut g, "CALL db.constraints() YIELD name RETURN name"),
        ["'pj'", "'pk'"]
    );
    let e = err(&mut g, "SHOW INDEXES YIELD nope");
    assert!(e.message.contains("no column `nope`"), "{}", e.message);
    // Only a RETURN may follow, nothing that writes.
    let e = err(
        &mut g,
        "SHOW INDEXES YIELD name CREATE (:Made {n: name}) RETURN name",
    );
    assert!(e.hint.is_some_and(|h| h.contains("only a RETURN")));
    let e = err(&mut g, "SHOW RANGE INDEXES WHERE name = 'pk'");
    assert!(e.hint.is_some_and(|h| h.contains("WHERE type = 'RANGE'")));
}

#[test]
fn a_subquery_expression_may_not_give_an_outer_variable_a_new_value() {
    let mut g = graph("CREATE (:A {x: 1})-[:T]->(:B)");
    for q in [
        "MATCH (p:A) RETURN COUNT { WITH 2 AS p RETURN p } AS c",
        "MATCH (p:A) RETURN COLLECT { MATCH (q) RETURN q.x AS p } AS c",
        "MATCH (p:A) WHERE EXISTS { MATCH (q) WITH q AS p RETURN p } RETURN p",
    ] {
        let e = err(&mut g, q);
        assert_eq!(e.detail, "VariableShadowing", "{q}: {e:?}");
        assert!(e.message.contains("`p` is shadowing"), "{q}: {}", e.message);
    }
    // After an aggregation the WITH's WHERE cannot read the variables it
    // dropped (after DISTINCT it may read a projected expression, as the
    // TCK has it: WithWhere1 [2]).
    let e = err(
        &mut g,
        "MATCH (p) WITH count(*) AS c WHERE p IS NULL RETURN c",
    );
    assert_eq!(e.detail, "UndefinedVariable", "{e:?}");
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p) WITH DISTINCT p.x AS x WHERE p.x = 1 RETURN x"
        ),
        ["1"]
    );
    // Passing it on, or naming a new variable, is fine.
    assert_eq!(
        rows(
            &mut g,
            "MATCH (p:A) RETURN COUNT { WITH p MATCH (p)-->(b) RETURN b } AS c, COLLECT { MATCH (p)-->(b) RETURN p.x AS y } AS l"
        ),
        ["1 | [1]"]
    );
}

#[test]
fn after_grouping_a_subquery_expression_sees_only_the_projected_variables() {
    let mut g = graph("CREATE (:A {x: 1})-[:T]->(:B)");
    // After an aggregation or DISTINCT, the WITH's WHERE and the ORDER BY
    // see only what the projection keeps: a subquery there may name a
    // variable the projection dropped, which is a new one inside it.
    for (q, want) in [
        (
            "MATCH (p) WITH count(*) AS c WHERE EXISTS { WITH 1 AS p RETURN p } RETURN c",
            vec!["2"],
        ),
        (
            "MATCH (p) RETURN count(*) AS c ORDER BY COUNT { WITH 1 AS p RETURN p }",
            vec!["2"],
        ),
        (
            "MATCH (p) WITH DISTINCT p.x AS x WHERE COLLECT { WITH 1 AS p RETURN p } = [1] RETURN x ORDER BY x",
            vec!["1", "null"],
        ),
        (
            "MATCH (p) WITH p.x AS x, count(*) AS c ORDER BY EXISTS { UNWIND [1] AS p RETURN p } RETURN x, c ORDER BY x",
            vec!["1 | 1", "null | 1"],
        ),
        // Not the dropped `p` of the row: every node.
        (
            "MATCH (p:A) WITH count(*) AS c WHERE COUNT { MATCH (p) } = 2 RETURN c",
            vec!["1"],
        ),
        (
            "MATCH (p:A) WITH count(*) AS c WHERE EXISTS { MATCH (p:B) } RETURN c",
            vec!["1"],
        ),
        // Each row counts every :A node (1), not its own `p`'s: a tie,
        // broken by the labels.
        (
            "MATCH (p) RETURN DISTINCT labels(p) AS l ORDER BY COUNT { MATCH (p:A) }, l",
            vec!["['A']", "['B']"],
        ),
    ] {
        assert_eq!(rows(&mut g, q), want, "{q}");
    }
    // ... and cannot read the dropped one.
    for q in [
        "MATCH (p) WITH count(*) AS c WHERE EXISTS { RETURN p } RETURN c",
        "MATCH (p) RETURN count(*) AS c ORDER BY COUNT { RETURN p.x AS y }",
        "MATCH (p) WITH count(*) AS c WHERE (p)-->() RETURN c",
    ] {
        let e = err(&mut g, q);
        assert_eq!(e.detail, "UndefinedVariable", "{q}: {e:?}");
    }
    // A plain projection's WHERE and ORDER BY see the variables before it
    // too (WithWhere7), so there the subquery would shadow `p`; a
    // variable the grouping keeps, or names, is shadowed as before.
    for q in [
        "MATCH (p) WITH p.x AS x WHERE EXISTS { WITH 2 AS p RETURN p } RETURN x",
        "MATCH (p) RETURN p.x AS x ORDER BY COUNT { WITH 2 AS p RETURN p }",
        "MATCH (p) WITH p, count(*) AS c WHERE EXISTS { WITH 2 AS p RETURN p } RETURN c",
        "MATCH (p) RETURN count(*) AS c ORDER BY COUNT { WITH 2 AS c RETURN c }",
        "MATCH (p) WITH *, count(*) AS c WHERE EXISTS { WITH 2 AS p RETURN p } RETURN c",
    ] {
        let e = err(&mut g, q);
        assert_eq!(e.detail, "VariableShadowing", "{q}: {e:?}");
    }
}

#[test]
fn linenumber_reaches_a_subquery_that_imports_the_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("y.csv");
    std::fs::write(&f, "a\n1\n2\n").unwrap();
    let url = format!("file://{}", f.display());
    let mut g = Graph::new();
    for call in ["CALL (r)", "CALL (*)", "CALL"] {
        let body = if call == "CALL" {
            "WITH r RETURN"
        } else {
            "RETURN"
        };
        assert_eq!(
            rows(
                &mut g,
                &format!(
                    "LOAD CSV WITH HEADERS FROM '{url}' AS r {call} {{ {body} linenumber() AS l }} RETURN r.a, l"
                )
            ),
            ["'1' | 2", "'2' | 3"],
            "{call}"
        );
    }
}
