//! The DOT export, checked against the real Graphviz.
//!
//! These tests need `dot` on the PATH and fail (never skip) without it.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

use factgraph::export::dot::{Cluster, DotOptions, KINDS, graph_to_dot, result_to_dot};
use factgraph::model::{FDate, NodeId, Props, RelId, Value};
use factgraph::query::{NodeSnapshot, QueryResult, RelSnapshot};
use factgraph::store::Graph;

const NO_DOT: &str = "graphviz `dot` not found: apt-get install -y graphviz";

/// Runs `dot -T<format>` on `input`; panics with the input and Graphviz's
/// messages unless it succeeds without a warning.
fn run_dot(format: &str, input: &str) -> Vec<u8> {
    let mut child = match Command::new("dot")
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!("{NO_DOT}"),
        Err(e) => panic!("cannot run graphviz `dot`: {e}"),
    };
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let text = input.to_string();
    // Written from a thread so a large output cannot block on a full pipe.
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().expect("dot runs");
    writer.join().expect("writer thread").expect("write to dot");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Fontconfig complaints are about the machine, not about our output;
    // any other message (a warning about a shape, a syntax error) fails.
    let complaints = stderr
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("Fontconfig"));
    assert!(
        out.status.success() && complaints.count() == 0,
        "dot -T{format} failed ({}):\n{stderr}\n--- input ---\n{input}",
        out.status
    );
    out.stdout
}

fn props(kv: &[(&str, Value)]) -> Props {
    kv.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn node(g: &mut Graph, labels: &[&str], kv: &[(&str, Value)]) -> NodeId {
    g.create_node(labels.iter().map(|l| l.to_string()).collect(), props(kv))
        .expect("node")
}

fn rel(g: &mut Graph, a: NodeId, b: NodeId, t: &str, kv: &[(&str, Value)]) -> RelId {
    g.create_rel(a, b, t.to_string(), props(kv)).expect("rel")
}

fn date(s: &str) -> Value {
    Value::Date(FDate::parse(s).expect("test date"))
}

/// The texts of an SVG's `<text>` elements, XML entities decoded and
/// Graphviz's no-break spaces turned back into spaces.
fn svg_texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        rest = &rest[i..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let Some(close) = rest.find("</text>") else {
            break;
        };
        out.push(xml_unescape(&rest[open_end + 1..close]).replace('\u{a0}', " "));
        rest = &rest[close..];
    }
    out
}

fn xml_unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').expect("entity ends with ;");
        let ent = &rest[1..end];
        let c = match ent {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ if ent.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&ent[2..], 16).expect("hex")).expect("char")
            }
            _ if ent.starts_with('#') => {
                char::from_u32(ent[1..].parse().expect("dec")).expect("char")
            }
            _ => panic!("unknown entity &{ent};"),
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// How many drawn nodes have an id of ours (`n<digits>`), not the legend's.
fn svg_graph_nodes(svg: &str) -> usize {
    svg.split("class=\"node\">\n<title>")
        .skip(1)
        .filter(|s| {
            let id = &s[..s.find('<').unwrap_or(0)];
            id.len() > 1 && id.starts_with('n') && id[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .count()
}

const ADVERSARIAL: &[&str] = &[
    "say \"hi\"",
    "back\\slash",
    "trailing\\",
    "\\",
    "\\\"",
    "\\N \\G \\E \\L \\n",
    "}; n99 [label=\"pwned\"]; {",
    "\" -> n0 [color=red",
    "<b>not html</b>",
    "{braces} | pipes",
    "&lt;entity&gt; & &amp;",
    "Außenministerrat",
    "中文 Беларусь 🙂",
];

#[test]
fn adversarial_names_survive_graphviz() {
    let mut g = Graph::new();
    let mut ids = Vec::new();
    // Every kind once at least, so Graphviz sees every shape and style.
    let mut kinds: Vec<&str> = KINDS
        .iter()
        .map(|k| k.kind)
        .filter(|k| *k != "Statement")
        .collect();
    kinds.push("Odd\"Kind\\");
    for (i, name) in ADVERSARIAL.iter().enumerate() {
        ids.push(node(
            &mut g,
            &[kinds[i % kinds.len()]],
            &[("name", (*name).into())],
        ));
    }
    assert!(ADVERSARIAL.len() >= kinds.len());
    let multi = node(
        &mut g,
        &["Event"],
        &[("name", "first line\nsecond line\r\nthird".into())],
    );
    let st = node(
        &mut g,
        &["Statement", "Member\"ship"],
        &[
            ("status", "in \"progress\"\\".into()),
            ("modality", "exp\\ected".into()),
        ],
    );
    for w in ids.windows(2) {
        rel(
            &mut g,
            w[0],
            w[1],
            "KNOWS\"\\",
            &[("date", "2023\"\\".into())],
        );
    }
    rel(&mut g, st, ids[0], "SUBJECT", &[]);
    rel(
        &mut g,
        multi,
        ids[1],
        "AT",
        &[
            ("valid_from", date("2023-10")),
            ("modality", "planned".into()),
        ],
    );
    let opts = DotOptions {
        legend: true,
        title: Some("title \"}\\".into()),
        ..DotOptions::default()
    };
    let dot = graph_to_dot(&g, &opts);

    assert!(
        dot.contains(r#"[label="first line\nsecond line\nthird","#),
        "{dot}"
    );
    let svg = String::from_utf8(run_dot("svg", &dot)).expect("svg is utf-8");
    let texts = svg_texts(&svg);
    for name in ADVERSARIAL {
        assert!(
            texts.iter().any(|t| t == name),
            "{name:?} not drawn as is; texts: {texts:#?}"
        );
    }
    for want in [
        "first line",
        "second line",
        "third",
        "Member\"ship",
        "in \"progress\"\\",
        "(exp\\ected)",
        "KNOWS\"\\",
        "2023\"\\",
        "AT (planned)",
        "from 2023-10",
        "title \"}\\",
        "Odd\"Kind\\",
    ] {
        assert!(
            texts.iter().any(|t| t == want),
            "{want:?} not drawn; texts: {texts:#?}"
        );
    }
    // Nothing broke out of a string: exactly our nodes, no `n99`, no red.
    assert_eq!(svg_graph_nodes(&svg), g.node_count(), "{svg}");
    assert!(!svg.contains("<title>n99</title>") && !texts.iter().any(|t| t == "pwned"));
    assert!(!svg.contains("stroke=\"red\""));
}

/// A small graph of the article's shape: a fact edge, a statement node with
/// its role edges, a Date, an Article.
fn tiny() -> Graph {
    let mut g = Graph::new();
    let by = node(&mut g, &["State"], &[("name", "Belarus".into())]);
    let sco = node(&mut g, &["Organisation"], &[("name", "SCO".into())]);
    let al = node(&mut g, &["Person"], &[("name", "Sergei Aleinik".into())]);
    let st = node(
        &mut g,
        &["Statement", "Membership"],
        &[
            ("status", "full member".into()),
            ("date", date("2024")),
            ("modality", "expected".into()),
        ],
    );
    let d = node(
        &mut g,
        &["Date"],
        &[("name", "2024".into()), ("precision", "year".into())],
    );
    let art = node(
        &mut g,
        &["Article"],
        &[
            (
                "title",
                "Aleinik: process of Belarus’ joining SCO will definitely continue".into(),
            ),
            ("published", date("2024-01-18")),
        ],
    );
    rel(
        &mut g,
        al,
        by,
        "HOLDS_OFFICE",
        &[
            ("valid_from", date("2024-01-18")),
            ("modality", "accomplished".into()),
        ],
    );
    rel(&mut g, st, by, "SUBJECT", &[]);
    rel(&mut g, st, sco, "ORGANISATION", &[]);
    rel(&mut g, st, d, "ON", &[]);
    rel(&mut g, st, art, "SOURCE", &[]);
    g
}

const TINY_DOT: &str = r##"digraph factgraph {
  graph [rankdir=LR, nodesep=0.25, ranksep=0.6, fontname="Helvetica", label="Belarus and the SCO", labelloc=t, fontsize=16];
  node [fontname="Helvetica", margin="0.12,0.04"];
  edge [fontname="Helvetica", fontsize=8, color="#555555", fontcolor="#333333", arrowsize=0.7];
  n0 [label="Belarus", shape=box, style="filled,bold", fillcolor="#cfe6f7", color="#0072b2", fontsize=12];
  n1 [label="SCO", shape=hexagon, style="filled", fillcolor="#c2ebe0", color="#009e73", fontsize=12];
  n2 [label="Sergei Aleinik", shape=ellipse, style="filled", fillcolor="#fbe3b3", color="#e69f00", fontsize=12];
  n3 [label="Membership\nfull member\n2024\n(expected)", shape=box, style="filled,rounded,dashed", fillcolor="#f4f4f4", color="#666666", fontsize=9];
  n4 [label="2024", shape=note, style="filled", fillcolor="#fffbe6", color="#999999", fontsize=9];
  n5 [label="Aleinik: process of Belarus’\njoining SCO will definitely\ncontinue\n2024-01-18", shape=folder, style="filled", fillcolor="#ffffff", color="#333333", fontsize=10];
  n2 -> n0 [label="HOLDS_OFFICE\nfrom 2024-01-18"];
  n3 -> n0 [label="SUBJECT (expected)", style=dashed];
  n3 -> n1 [label="ORGANISATION (expected)", style=dashed];
  n3 -> n4 [label="ON", color="#aaaaaa", fontcolor="#888888"];
  n3 -> n5 [label="SOURCE", color="#aaaaaa", fontcolor="#888888"];
  subgraph cluster_legend {
    label="Legend"; fontsize=11; style="rounded"; color="#bbbbbb"; fontcolor="#333333";
    legend_0 [label="State", shape=box, style="filled,bold", fillcolor="#cfe6f7", color="#0072b2", fontsize=12];
    legend_1 [label="Organisation", shape=hexagon, style="filled", fillcolor="#c2ebe0", color="#009e73", fontsize=12];
    legend_2 [label="Person", shape=ellipse, style="filled", fillcolor="#fbe3b3", color="#e69f00", fontsize=12];
    legend_3 [label="Statement", shape=box, style="filled,rounded", fillcolor="#f4f4f4", color="#666666", fontsize=9];
    legend_4 [label="Date", shape=note, style="filled", fillcolor="#fffbe6", color="#999999", fontsize=9];
    legend_5 [label="Article", shape=folder, style="filled", fillcolor="#ffffff", color="#333333", fontsize=10];
    legend_6 [label="expected / planned", shape=box, style="dashed,rounded", color="#666666", fontsize=9];
    { rank=same; legend_0; legend_1; legend_2; legend_3; legend_4; legend_5; legend_6; }
    legend_6 -> legend_5 -> legend_4 -> legend_3 -> legend_2 -> legend_1 -> legend_0 [style=invis];
  }
}
"##;

#[test]
fn tiny_graph_matches_golden_dot() {
    let opts = DotOptions {
        legend: true,
        title: Some("Belarus and the SCO".into()),
        ..DotOptions::default()
    };
    let dot = graph_to_dot(&tiny(), &opts);
    assert_eq!(dot, TINY_DOT, "actual:\n{dot}");
    let svg = String::from_utf8(run_dot("svg", &dot)).expect("svg is utf-8");
    assert_eq!(svg_graph_nodes(&svg), 6);
    assert!(
        run_dot("png", &dot).starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG"
    );
}

#[test]
fn legend_can_be_turned_off() {
    let dot = graph_to_dot(
        &tiny(),
        &DotOptions {
            legend: false,
            title: None,
            ..DotOptions::default()
        },
    );
    assert!(!dot.contains("cluster_legend") && !dot.contains("label=\"Belarus and"));
    run_dot("svg", &dot);
    let empty = graph_to_dot(&Graph::new(), &DotOptions::default());
    assert!(!empty.contains("cluster_legend"), "{empty}");
    run_dot("svg", &empty);
}

/// The snapshot a query over the whole graph would return.
fn snapshot_of(g: &Graph) -> QueryResult {
    let mut r = QueryResult::default();
    for id in g.node_ids() {
        let n = g.node(id).expect("node");
        r.nodes.insert(
            id,
            NodeSnapshot {
                labels: n.labels.to_strings(),
                props: n.props.to_props(),
            },
        );
    }
    for id in g.rel_ids() {
        let x = g.rel(id).expect("rel");
        let (start, end) = g.rel_ends(id).expect("ends");
        r.rels.insert(
            id,
            RelSnapshot {
                rel_type: x.rel_type.to_string(),
                start,
                end,
                props: x.props.to_props(),
            },
        );
    }
    r
}

#[test]
fn result_of_whole_graph_draws_like_the_graph() {
    let g = tiny();
    let opts = DotOptions::default();
    // HashMap order differs between runs and maps; the output must not.
    for _ in 0..3 {
        assert_eq!(
            result_to_dot(&snapshot_of(&g), &opts),
            graph_to_dot(&g, &opts)
        );
    }
}

#[test]
fn result_rel_with_an_end_not_returned_gets_a_placeholder() {
    let g = tiny();
    let mut r = snapshot_of(&g);
    // As `MATCH (s:Statement)-[x]->(o) RETURN s, x`: ends 0, 1, 4, 5 not returned.
    r.nodes.retain(|id, _| *id == NodeId(3));
    r.rels.retain(|_, x| x.start == NodeId(3));
    let dot = result_to_dot(&r, &DotOptions::default());
    for id in [0, 1, 4, 5] {
        assert!(
            dot.contains(&format!(
                "  n{id} [label=\"#{id}\", shape=ellipse, style=dashed"
            )),
            "{dot}"
        );
    }
    assert!(
        dot.contains("n3 -> n1 [label=\"ORGANISATION (expected)\""),
        "{dot}"
    );
    assert!(dot.contains("[label=\"not in result\""), "{dot}");
    let svg = String::from_utf8(run_dot("svg", &dot)).expect("svg is utf-8");
    assert_eq!(svg_graph_nodes(&svg), 5);
    assert!(svg_texts(&svg).iter().any(|t| t == "#4"));

    let empty = result_to_dot(
        &QueryResult {
            nodes: HashMap::new(),
            ..QueryResult::default()
        },
        &DotOptions::default(),
    );
    run_dot("svg", &empty);
}

/// Runs once the seed is written: until `seed::build_default` returns the
/// article graph, this fails with the seed's error.
#[test]
fn article_graph_renders_with_graphviz() {
    let g = match factgraph::seed::build_default() {
        Ok(g) => g,
        Err(e) => panic!(
            "seed::build_default() failed ({}:{}:{}: {}); this test needs the seed",
            e.file, e.line, e.col, e.message
        ),
    };
    assert!(g.node_count() > 0, "the article graph is empty");
    let opts = DotOptions {
        legend: true,
        title: Some("factgraph: the article graph".into()),
        ..DotOptions::default()
    };
    let dot = graph_to_dot(&g, &opts);
    let svg = String::from_utf8(run_dot("svg", &dot)).expect("svg is utf-8");
    assert_eq!(svg_graph_nodes(&svg), g.node_count());
    assert!(
        svg_texts(&svg).iter().any(|t| t == "Belarus"),
        "no Belarus in the drawing"
    );
    let png = run_dot("png", &dot);
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
}

// ---- clusters and timeline ----------------------------------------------

/// Belarus' way into the SCO in a few dated statements, an event, the
/// calendar nodes of two dates, and undated entities.
fn stages() -> Graph {
    let mut g = Graph::new();
    let by = node(&mut g, &["State"], &[("name", "Belarus".into())]);
    let sco = node(&mut g, &["Organisation"], &[("name", "SCO".into())]);
    let al = node(&mut g, &["Person"], &[("name", "Sergei Aleinik".into())]);
    let stage = |g: &mut Graph, status: &str, d: &str, modality: &str| {
        let st = node(
            g,
            &["Statement", "Membership"],
            &[
                ("status", status.into()),
                ("date", date(d)),
                ("modality", modality.into()),
            ],
        );
        rel(g, st, by, "SUBJECT", &[]);
        rel(g, st, sco, "ORGANISATION", &[]);
        st
    };
    stage(&mut g, "dialogue partner", "2010", "accomplished");
    stage(&mut g, "observer", "2015", "accomplished");
    let applied = stage(&mut g, "application", "2022-07", "accomplished");
    let ratified = stage(&mut g, "ratified", "2024-01-11", "accomplished");
    stage(&mut g, "full member", "2024-07", "expected");
    let cfm = node(
        &mut g,
        &["Event"],
        &[
            ("name", "SCO foreign ministers, Astana".into()),
            ("date", date("2024-05-21")),
        ],
    );
    rel(
        &mut g,
        al,
        cfm,
        "SPOKE_AT",
        &[("valid_from", date("2024-05-21"))],
    );
    let d2022 = node(
        &mut g,
        &["Date"],
        &[("name", "2022-07".into()), ("value", date("2022-07"))],
    );
    let d2024 = node(
        &mut g,
        &["Date"],
        &[("name", "2024-01-11".into()), ("value", date("2024-01-11"))],
    );
    rel(&mut g, applied, d2022, "ON", &[]);
    rel(&mut g, ratified, d2024, "ON", &[]);
    g
}

/// The x coordinate of each `<text>` of an SVG whose content is `text`.
fn svg_text_x(svg: &str, text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for chunk in svg.split("<text").skip(1) {
        let Some((attrs, rest)) = chunk.split_once('>') else {
            continue;
        };
        let content = xml_unescape(rest.split("</text>").next().unwrap_or_default());
        if content.replace('\u{a0}', " ") != text {
            continue;
        }
        if let Some(x) = attrs
            .split(" x=\"")
            .nth(1)
            .and_then(|a| a.split('"').next())
            .and_then(|x| x.parse().ok())
        {
            out.push(x);
        }
    }
    out
}

/// The `<title>`s of an SVG's clusters.
fn svg_clusters(svg: &str) -> Vec<String> {
    svg.split("class=\"cluster\">")
        .skip(1)
        .filter_map(|c| c.split("<title>").nth(1)?.split("</title>").next())
        .map(str::to_string)
        .collect()
}

/// Compares `actual` with the golden file tests/data/dot/NAME; with
/// `FG_BLESS=1` set, writes it there instead (then review the diff and render
/// it: `dot -Tpng tests/data/dot/NAME -o /tmp/x.png`).
fn assert_golden(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/dot")
        .join(name);
    if std::env::var_os("FG_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        actual, want,
        "{name} differs (FG_BLESS=1 rewrites it); actual:\n{actual}"
    );
}

fn stages_dot(cluster: Cluster, timeline: bool) -> String {
    graph_to_dot(
        &stages(),
        &DotOptions {
            legend: false,
            cluster,
            timeline,
            ..DotOptions::default()
        },
    )
}

#[test]
fn clusters_by_kind_match_golden_dot_and_render() {
    let dot = stages_dot(Cluster::Kind, false);
    assert_golden("stages_kind.dot", &dot);
    let svg = String::from_utf8(run_dot("svg", &dot)).expect("svg is utf-8");
    assert_eq!(svg_graph_nodes(&svg), stages().node_count());
    assert_eq!(
        svg_clusters(&svg),
        [
            "cluster_kind_State",
            "cluster_kind_Organisation",
            "cluster_kind_Person",
            "cluster_kind_Event",
            "cluster_kind_Statement",
            "cluster_kind_Date"
        ]
    );
    // An unknown label gets a cluster whose name stays a plain identifier.
    let mut g = stages();
    node(&mut g, &["Odd \"kind\" {x}"], &[("name", "odd".into())]);
    let dot = graph_to_dot(
        &g,
        &DotOptions {
            cluster: Cluster::Kind,
            ..DotOptions::default()
        },
    );
    let svg = String::from_utf8(run_dot("svg", &dot)).expect("svg is utf-8");
    assert!(
        svg_texts(&svg).iter().any(|t| t == "Odd \"kind\" {x}"),
        "{svg}"
    );
}

#[test]
fn clusters_by_year_match_golden_dot_and_render_in_year_order() {
    let dot = stages_dot(Cluster::Year, false);
    assert_golden("stages_year.dot", &dot);
    let svg = String::from_utf8(run_dot("svg", &dot)).expect("svg is utf-8");
    assert_eq!(svg_graph_nodes(&svg), stages().node_count());
    assert_eq!(
        svg_clusters(&svg),
        [
            "cluster_year_2010",
            "cluster_year_2015",
            "cluster_year_2022",
            "cluster_year_2024",
            "cluster_undated"
        ]
    );
    // The years run left to right: the first node of each year is right of
    // the year before's.
    let xs: Vec<f64> = ["dialogue partner", "observer", "application", "ratified"]
        .iter()
        .map(|y| svg_text_x(&svg, y)[0])
        .collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
}

#[test]
fn timeline_matches_golden_dot_and_orders_dates_left_to_right() {
    // Graphviz cannot rank date columns inside clusters (on the article
    // graph): the timeline wins over either kind of cluster.
    for cluster in [Cluster::None, Cluster::Year, Cluster::Kind] {
        let dot = stages_dot(cluster, true);
        assert_golden("stages_timeline.dot", &dot);
        let svg = String::from_utf8(run_dot("svg", &dot)).expect("svg is utf-8");
        // The axis dates, and the statement of each date, left to right.
        let dates = [
            "2010",
            "2015",
            "2022-07",
            "2024-01-11",
            "2024-05-21",
            "2024-07",
        ];
        let axis: Vec<f64> = dates
            .iter()
            .map(|d| {
                let xs = svg_text_x(&svg, d);
                assert!(!xs.is_empty(), "{d} not drawn");
                xs.iter().copied().fold(f64::INFINITY, f64::min)
            })
            .collect();
        assert!(
            axis.windows(2).all(|w| w[0] < w[1]),
            "{cluster:?}: {axis:?}"
        );
        let stages: Vec<f64> = [
            "dialogue partner",
            "observer",
            "application",
            "ratified",
            "full member",
        ]
        .iter()
        .map(|s| svg_text_x(&svg, s)[0])
        .collect();
        assert!(
            stages.windows(2).all(|w| w[0] < w[1]),
            "{cluster:?}: {stages:?}"
        );
        // A statement stands in its date's column.
        let ratified = svg_text_x(&svg, "ratified")[0];
        let column = svg_text_x(&svg, "2024-01-11");
        assert!(
            column.iter().any(|x| (x - ratified).abs() < 1.0),
            "{cluster:?}: ratified at {ratified}, 2024-01-11 at {column:?}"
        );
    }
}

#[test]
fn cluster_names_parse() {
    assert_eq!(Cluster::parse("kind"), Some(Cluster::Kind));
    assert_eq!(Cluster::parse("YEAR"), Some(Cluster::Year));
    assert_eq!(Cluster::parse("none"), Some(Cluster::None));
    assert_eq!(Cluster::parse("month"), None);
}

/// Each option on the whole article graph: Graphviz draws every node
/// without a warning (the classic ranking fails or warns on clusters and
/// date columns of this size; the options switch to `newrank`).
#[test]
fn article_graph_renders_with_each_option() {
    let g = match factgraph::seed::build_default() {
        Ok(g) => g,
        Err(e) => panic!("the seed does not load: {e}"),
    };
    for (cluster, timeline) in [
        (Cluster::Kind, false),
        (Cluster::Year, false),
        (Cluster::None, true),
    ] {
        let dot = graph_to_dot(
            &g,
            &DotOptions {
                cluster,
                timeline,
                ..DotOptions::default()
            },
        );
        assert!(dot.contains("newrank=true"), "{cluster:?} {timeline}");
        let svg = String::from_utf8(run_dot("svg", &dot)).expect("svg is utf-8");
        assert_eq!(
            svg_graph_nodes(&svg),
            g.node_count(),
            "{cluster:?} {timeline}"
        );
        if cluster != Cluster::None {
            assert!(svg_clusters(&svg).len() > 3, "{cluster:?}");
        }
    }
}

/// `:export dot FILE --cluster kind|year --timeline [QUERY]` in the shell.
#[test]
fn the_shell_takes_cluster_and_timeline_flags() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let run = |script: &str| {
        Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .args(["--seed", "-c", script])
            .current_dir(tmp.path())
            .env_remove("FACTGRAPH_STORE")
            .env("NO_COLOR", "1")
            .output()
            .expect("factgraph runs")
    };
    let query = "MATCH (s:Statement)-[r]->(x) WHERE (s)-[:SUBJECT]->(:State {key: 'belarus'}) RETURN s, r, x";
    let out = run(&format!(
        ":export dot k.dot --cluster kind {query}\n:export dot t.dot --timeline {query}\n:export dot y.dot --cluster YEAR"
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |f: &str| std::fs::read_to_string(tmp.path().join(f)).expect("the export");
    let k = read("k.dot");
    assert!(k.contains("subgraph cluster_kind_Statement"), "{k}");
    let t = read("t.dot");
    assert!(
        t.contains("{ rank=same; t0; ") && t.contains("t0 -> t1"),
        "{t}"
    );
    assert!(!t.contains("subgraph cluster_kind"), "{t}");
    let y = read("y.dot");
    assert!(y.contains("subgraph cluster_undated"), "{y}");
    run_dot("svg", &k);
    run_dot("svg", &t);

    // A wrong value or a flag on another format: exit 1, pointing at it.
    for (script, word) in [
        (
            ":export dot z.dot --cluster month",
            "--cluster takes kind, year or none",
        ),
        (
            ":export json z.json --timeline",
            "--timeline is an option of the dot export",
        ),
        (":export dot z.dot --legend", "unknown option --legend"),
    ] {
        let out = run(script);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{script}: {err}");
        assert!(err.contains(word), "{script}: {err}");
        assert!(!tmp.path().join("z.dot").exists() && !tmp.path().join("z.json").exists());
    }
}
