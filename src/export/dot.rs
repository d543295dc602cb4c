//! Graphviz DOT: the whole graph ([`graph_to_dot`]) or what a query returned
//! ([`result_to_dot`]), for `dot -Tsvg` / `dot -Tpng`.
//!
//! Rendering:
//!
//! * Each node is `n<id>`; nodes and relationships are written in id order,
//!   so the same graph always gives the same bytes.
//! * A node's kind is its `Statement` label if it has one, else its first
//!   label of the known kinds (State, Organisation, Person, City, Event,
//!   Initiative, Facility, PartnershipLevel, Date, Article), else its first
//!   label. The kind chooses shape and colours ([`KINDS`]); the colours are
//!   light tints of the Okabe–Ito palette, which stays distinguishable with
//!   the common colour-vision deficiencies, and every kind also has its own
//!   shape, so nothing depends on colour alone.
//! * Node label: the `name` (an Article its `title` and `published`; a
//!   Statement its second label, `status` and `date`; an unnamed node its
//!   `key` or `#id`). Long lines are wrapped at spaces.
//! * Edge label: the type, then the `date`, or else `from <valid_from>`,
//!   and `until <valid_until>` when present.
//! * A fact whose `modality` is not `accomplished` (expected, planned) is
//!   drawn dashed and says its modality in its label. A relationship without
//!   a modality of its own takes it from its start node when that is a
//!   Statement, so the role edges of an expected statement are dashed too
//!   (not its `SOURCE` and `ON` edges).
//! * Provenance and calendar relationships (`SOURCE`, `MENTIONED_IN`, `ON`,
//!   `IN`) are drawn in grey, so the facts stand out.
//! * A legend cluster lists the kinds present (and the dashed style, and the
//!   placeholder style, when used).
//! * [`DotOptions::cluster`] boxes the nodes by kind or by year
//!   ([`Cluster`]); [`DotOptions::timeline`] puts the dated nodes in columns
//!   by date, left to right, under a date axis.
//!
//! Every string is written as a DOT double-quoted string through
//! [`escape`]: `"` and `\` are escaped, line breaks become Graphviz's `\n`,
//! other control characters become U+FFFD, and `&` is written `&amp;`
//! because Graphviz decodes HTML entities in plain labels. So no name can
//! end a string, start an escape such as `\N`, or change what is shown.
//! Labels are never HTML labels.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::{ExNode, ExRel, View};
use crate::model::{FDate, NodeId, PropsRef, Sym, Value};
use crate::query::QueryResult;
use crate::store::Graph;

/// Options of a DOT export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotOptions {
    /// Draw a legend of the kinds present (default: true).
    pub legend: bool,
    /// A title printed above the drawing.
    pub title: Option<String>,
    /// Box the nodes into Graphviz clusters (default: none).
    pub cluster: Cluster,
    /// Lay the dated nodes out as a timeline: one column per distinct date,
    /// left to right in date order, along a date axis. A node's date is its
    /// `date`, else its `valid_from` (a `:Date` node's `value`). Clusters
    /// are left out: Graphviz fails to rank date columns inside clusters on
    /// a graph of the article graph's size.
    pub timeline: bool,
}

impl Default for DotOptions {
    fn default() -> DotOptions {
        DotOptions {
            legend: true,
            title: None,
            cluster: Cluster::None,
            timeline: false,
        }
    }
}

/// How [`DotOptions::cluster`] groups the nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cluster {
    /// No clusters.
    #[default]
    None,
    /// One box per kind (the kind that chooses the style: State, Statement,
    /// ...), in legend order.
    Kind,
    /// One box per year of the node's date (as for
    /// [`DotOptions::timeline`]), earliest first; undated nodes in a box of
    /// their own, last.
    Year,
}

impl Cluster {
    /// Reads `none`, `kind` or `year` (any case), as the shell's
    /// `--cluster` takes them.
    pub fn parse(s: &str) -> Option<Cluster> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Some(Cluster::None),
            "kind" => Some(Cluster::Kind),
            "year" => Some(Cluster::Year),
            _ => None,
        }
    }
}

/// The whole graph as DOT.
///
/// ```
/// use factgraph::export::dot::{graph_to_dot, DotOptions};
/// use factgraph::model::{Props, Value};
/// use factgraph::store::Graph;
///
/// let mut g = Graph::new();
/// let mut props = Props::new();
/// props.insert("name".into(), Value::from("Minsk"));
/// g.create_node(vec!["City".into()], props).unwrap();
/// let dot = graph_to_dot(&g, &DotOptions::default());
/// assert!(dot.starts_with("digraph factgraph {"));
/// assert!(dot.contains(r#"n0 [label="Minsk""#));
/// ```
pub fn graph_to_dot(graph: &Graph, opts: &DotOptions) -> String {
    let view = View::of_graph(graph);
    render(&view.nodes, &view.rels, opts)
}

/// The nodes and relationships a query returned, as DOT.
///
/// Drawn from the result's snapshots, so it works after a `DELETE` and
/// without the graph. Every relationship of the result is drawn. An end of
/// one that the result does not hold (the query returned the relationship
/// but not that node) is drawn as a small dashed placeholder labelled with
/// the node id, `#<id>`, rather than dropping the relationship.
pub fn result_to_dot(result: &QueryResult, opts: &DotOptions) -> String {
    let mut nodes: Vec<ExNode<'_>> = result
        .nodes
        .iter()
        .map(|(&id, n)| ExNode {
            id,
            labels: crate::model::LabelSet::from(n.labels.clone()).as_slice(),
            props: (&n.props).into(),
        })
        .collect();
    nodes.sort_by_key(|n| n.id);
    let mut rels: Vec<ExRel<'_>> = result
        .rels
        .iter()
        .map(|(&id, r)| ExRel {
            id,
            rel_type: &r.rel_type,
            start: r.start,
            end: r.end,
            props: (&r.props).into(),
        })
        .collect();
    rels.sort_by_key(|r| r.id);
    render(&nodes, &rels, opts)
}

/// How one kind of node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindStyle {
    /// The label that selects this style.
    pub kind: &'static str,
    /// Graphviz shape.
    pub shape: &'static str,
    /// Graphviz `style` (always includes `filled`).
    pub style: &'static str,
    /// Fill colour: a light tint, so black text stays readable.
    pub fill: &'static str,
    /// Outline colour: the full palette colour.
    pub color: &'static str,
    /// Font size; smaller for the many small nodes (statements, dates).
    pub fontsize: u8,
}

/// The known kinds, in legend order.
#[rustfmt::skip]
pub const KINDS: &[KindStyle] = &[
    KindStyle { kind: "State", shape: "box", style: "filled,bold", fill: "#cfe6f7", color: "#0072b2", fontsize: 12 },
    KindStyle { kind: "Organisation", shape: "hexagon", style: "filled", fill: "#c2ebe0", color: "#009e73", fontsize: 12 },
    KindStyle { kind: "Person", shape: "ellipse", style: "filled", fill: "#fbe3b3", color: "#e69f00", fontsize: 12 },
    KindStyle { kind: "City", shape: "house", style: "filled", fill: "#f8f3b5", color: "#b8a800", fontsize: 11 },
    KindStyle { kind: "Event", shape: "cds", style: "filled", fill: "#f6cfb5", color: "#d55e00", fontsize: 11 },
    KindStyle { kind: "Initiative", shape: "parallelogram", style: "filled", fill: "#f0d3e4", color: "#cc79a7", fontsize: 11 },
    KindStyle { kind: "Facility", shape: "cylinder", style: "filled", fill: "#dcdcdc", color: "#555555", fontsize: 11 },
    KindStyle { kind: "PartnershipLevel", shape: "trapezium", style: "filled", fill: "#d6e9f5", color: "#56b4e9", fontsize: 11 },
    KindStyle { kind: "Statement", shape: "box", style: "filled,rounded", fill: "#f4f4f4", color: "#666666", fontsize: 9 },
    KindStyle { kind: "Date", shape: "note", style: "filled", fill: "#fffbe6", color: "#999999", fontsize: 9 },
    KindStyle { kind: "Article", shape: "folder", style: "filled", fill: "#ffffff", color: "#333333", fontsize: 10 },
];

/// The style of a kind the palette does not know (and of unlabelled nodes).
const OTHER: KindStyle = KindStyle {
    kind: "",
    shape: "ellipse",
    style: "filled",
    fill: "#ffffff",
    color: "#888888",
    fontsize: 11,
};

/// Relationship types that record where a fact comes from or when it
/// happened rather than a fact itself; drawn in grey.
const STRUCTURAL: &[&str] = &["SOURCE", "MENTIONED_IN", "ON", "IN"];

/// Labels longer than this many characters are wrapped at spaces.
const WRAP: usize = 28;

/// Escapes `s` for the inside of a DOT double-quoted string used as a
/// Graphviz label (the quotes are not included).
///
/// `"` becomes `\"` and `\` becomes `\\` (so `\N`, `\G` ... are shown as
/// written, and a trailing backslash cannot swallow the closing quote);
/// `\r\n`, `\n` and `\r` become the escape `\n`; other control characters
/// become U+FFFD (SVG, being XML, cannot carry them); `&` becomes `&amp;`,
/// since Graphviz decodes entities such as `&lt;` in plain labels.
///
/// ```
/// use factgraph::export::dot::escape;
/// assert_eq!(escape("a \"b\" \\ c\nd &"), r#"a \"b\" \\ c\nd &amp;"#);
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

// ---- internals ----------------------------------------------------------

/// A node as the renderer sees it, from the graph or from a result.
/// What the legend has to explain.
#[derive(Default)]
struct Used {
    /// Known kinds present, by index into [`KINDS`].
    known: BTreeSet<usize>,
    /// Unknown labels present ("" for unlabelled nodes).
    other: BTreeSet<String>,
    dashed: bool,
    placeholders: bool,
}

fn render(nodes: &[ExNode<'_>], rels: &[ExRel<'_>], opts: &DotOptions) -> String {
    let mut out = String::new();
    let mut used = Used::default();
    out.push_str("digraph factgraph {\n");
    out.push_str("  graph [rankdir=LR, nodesep=0.25, ranksep=0.6, fontname=\"Helvetica\"");
    if opts.timeline || opts.cluster != Cluster::None {
        // The newer ranking handles clusters and rank=same groups where the
        // classic one fails or warns on the article graph.
        out.push_str(", newrank=true");
    }
    if let Some(title) = &opts.title {
        let _ = write!(
            out,
            ", label=\"{}\", labelloc=t, fontsize=16",
            escape(title)
        );
    }
    out.push_str("];\n");
    out.push_str("  node [fontname=\"Helvetica\", margin=\"0.12,0.04\"];\n");
    out.push_str(
        "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\", fontcolor=\"#333333\", arrowsize=0.7];\n",
    );

    let by_id: BTreeMap<NodeId, &ExNode<'_>> = nodes.iter().map(|n| (n.id, n)).collect();
    // Graphviz cannot rank the date columns of a real graph inside clusters
    // ("trouble in init_rank" on the article graph), so the timeline wins.
    let cluster = if opts.timeline {
        Cluster::None
    } else {
        opts.cluster
    };
    // Node statements by group: each group is one cluster (or, without
    // clusters, the one group of the whole graph).
    let mut groups: BTreeMap<Group, Vec<String>> = BTreeMap::new();
    for n in nodes {
        let (index, kind) = kind_of(n.labels);
        match index {
            Some(i) => used.known.insert(i),
            None => used.other.insert(kind.to_string()),
        };
        let style = index.map_or(&OTHER, |i| &KINDS[i]);
        let dashed = is_statement(n.labels) && not_accomplished(n.props).is_some();
        used.dashed |= dashed;
        let group = match cluster {
            Cluster::None => Group::All,
            Cluster::Kind => match index {
                Some(i) => Group::Known(i),
                None => Group::Other(kind.to_string()),
            },
            Cluster::Year => match node_date(n) {
                Some(d) => Group::Year(d.year),
                None => Group::Undated,
            },
        };
        groups.entry(group).or_default().push(format!(
            "n{} [label=\"{}\", {}];",
            n.id.0,
            node_label(n),
            node_attrs(style, dashed)
        ));
    }
    let columns = if opts.timeline {
        timeline_columns(nodes)
    } else {
        Vec::new()
    };
    for (group, lines) in &groups {
        let indent = match group {
            Group::All => "  ",
            _ => "    ",
        };
        if let Some(label) = group.label() {
            let _ = writeln!(out, "  subgraph cluster_{} {{", group.id());
            let _ = writeln!(out, "    label=\"{}\"; {CLUSTER_STYLE}", escape(&label));
        }
        // The timeline's columns (never with clusters) come before the
        // nodes: Graphviz then tends to draw the date axis along the bottom,
        // like a chart's x axis.
        for (i, (date, ids)) in columns.iter().enumerate() {
            if *group == Group::All {
                let _ = writeln!(
                    out,
                    "{indent}t{i} [label=\"{}\", {AXIS_NODE}];",
                    escape(&date.to_string())
                );
                let members: Vec<String> = ids.iter().map(|id| format!("n{}", id.0)).collect();
                let _ = writeln!(
                    out,
                    "{indent}{{ rank=same; t{i}; {}; }}",
                    members.join("; ")
                );
            }
        }
        for line in lines {
            let _ = writeln!(out, "{indent}{line}");
        }
        if group.label().is_some() {
            out.push_str("  }\n");
        }
    }
    if columns.len() > 1 {
        let axis: Vec<String> = (0..columns.len()).map(|i| format!("t{i}")).collect();
        let _ = writeln!(out, "  {} [{AXIS_EDGE}];", axis.join(" -> "));
    } else if cluster == Cluster::Year && !opts.timeline {
        // Without a timeline, the year boxes still go left to right: an
        // invisible edge from the first node of each year to the next's.
        let mut first: BTreeMap<i32, NodeId> = BTreeMap::new();
        for n in nodes {
            if let Some(d) = node_date(n) {
                first.entry(d.year).or_insert(n.id);
            }
        }
        let firsts: Vec<String> = first.values().map(|id| format!("n{}", id.0)).collect();
        if firsts.len() > 1 {
            let _ = writeln!(out, "  {} [style=invis];", firsts.join(" -> "));
        }
    }

    // Ends of relationships that the result does not hold.
    let missing: BTreeSet<NodeId> = rels
        .iter()
        .flat_map(|r| [r.start, r.end])
        .filter(|id| !by_id.contains_key(id))
        .collect();
    for id in &missing {
        used.placeholders = true;
        let _ = writeln!(out, "  n{} [label=\"#{}\", {}];", id.0, id.0, PLACEHOLDER);
    }

    for r in rels {
        let structural = STRUCTURAL.contains(&r.rel_type);
        // A statement's role edges share its modality; its source and date
        // edges do not (the article did say it, whatever it says).
        let modality = not_accomplished(r.props).or_else(|| {
            by_id
                .get(&r.start)
                .filter(|n| {
                    !structural
                        && is_statement(n.labels)
                        && r.props.get("modality").as_deref().is_none()
                })
                .and_then(|n| not_accomplished(n.props))
        });
        used.dashed |= modality.is_some();
        let mut attrs = String::new();
        if modality.is_some() {
            attrs.push_str(", style=dashed");
        }
        if structural {
            attrs.push_str(", color=\"#aaaaaa\", fontcolor=\"#888888\"");
        }
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{}\"{}];",
            r.start.0,
            r.end.0,
            rel_label(r, modality.as_deref()),
            attrs
        );
    }

    if opts.legend && (!nodes.is_empty() || !missing.is_empty()) {
        legend(&mut out, &used);
    }
    out.push_str("}\n");
    out
}

/// The look of a kind or year cluster: a light rounded box, so the clusters
/// group without competing with the nodes.
const CLUSTER_STYLE: &str = "style=\"rounded,filled\"; fillcolor=\"#fafafa\"; color=\"#cccccc\"; fontcolor=\"#555555\"; fontsize=12; labeljust=l;";

/// A date on the timeline's axis.
const AXIS_NODE: &str =
    "shape=plaintext, fontsize=12, fontcolor=\"#333333\", fontname=\"Helvetica-Bold\"";

/// The timeline's axis, from one date to the next: heavy, so Graphviz keeps
/// it straight.
const AXIS_EDGE: &str = "color=\"#bbbbbb\", penwidth=2, arrowsize=0.8, weight=100";

/// A cluster of nodes, in drawing order: kinds in legend order, then
/// unknown labels; years ascending, then the undated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    /// No clusters: every node.
    All,
    Known(usize),
    Other(String),
    Year(i32),
    Undated,
}

impl Group {
    /// The cluster's label; None for [`Group::All`], which is no cluster.
    fn label(&self) -> Option<String> {
        match self {
            Group::All => None,
            Group::Known(i) => Some(KINDS[*i].kind.to_string()),
            Group::Other(l) if l.is_empty() => Some("(no label)".into()),
            Group::Other(l) => Some(l.clone()),
            Group::Year(y) => Some(format!("{y:04}")),
            Group::Undated => Some("undated".into()),
        }
    }

    /// The cluster's name after `cluster_`: only ASCII letters, digits and
    /// `_`, since an unknown label may hold anything.
    fn id(&self) -> String {
        match self {
            Group::All => "all".into(),
            Group::Known(i) => format!("kind_{}", KINDS[*i].kind),
            Group::Other(l) => format!(
                "other_{}",
                l.bytes().map(|b| format!("{b:02x}")).collect::<String>()
            ),
            Group::Year(y) if *y < 0 => format!("year_m{}", y.unsigned_abs()),
            Group::Year(y) => format!("year_{y}"),
            Group::Undated => "undated".into(),
        }
    }
}

/// The date a node stands at on a timeline or in a year cluster: its
/// `date`, else its `valid_from`; a `:Date` node's `value`.
fn node_date(n: &ExNode<'_>) -> Option<FDate> {
    let keys: &[&str] = if n.labels.iter().any(|l| l == "Date") {
        &["value", "date", "valid_from"]
    } else {
        &["date", "valid_from"]
    };
    keys.iter().find_map(|k| match n.props.get(k).as_deref() {
        Some(Value::Date(d)) => Some(*d),
        _ => None,
    })
}

/// The timeline's columns: each distinct date (precision and approximation
/// count: `2024` and `2024-01` are two columns) with its nodes, in date
/// order.
fn timeline_columns(nodes: &[ExNode<'_>]) -> Vec<(FDate, Vec<NodeId>)> {
    let mut columns: Vec<(FDate, Vec<NodeId>)> = Vec::new();
    let mut dated: Vec<(FDate, NodeId)> = nodes
        .iter()
        .filter_map(|n| node_date(n).map(|d| (d, n.id)))
        .collect();
    dated.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (d, id) in dated {
        match columns.last_mut() {
            Some((last, ids)) if *last == d => ids.push(id),
            _ => columns.push((d, vec![id])),
        }
    }
    columns
}

const PLACEHOLDER: &str = "shape=ellipse, style=dashed, color=\"#888888\", fontcolor=\"#555555\", fontsize=8, height=0.25, width=0.4";

fn legend(out: &mut String, used: &Used) {
    out.push_str("  subgraph cluster_legend {\n");
    out.push_str(
        "    label=\"Legend\"; fontsize=11; style=\"rounded\"; color=\"#bbbbbb\"; fontcolor=\"#333333\";\n",
    );
    let mut names = Vec::new();
    for &i in &used.known {
        let s = &KINDS[i];
        names.push(format!("legend_{}", names.len()));
        let _ = writeln!(
            out,
            "    {} [label=\"{}\", {}];",
            names[names.len() - 1],
            s.kind,
            node_attrs(s, false)
        );
    }
    for kind in &used.other {
        names.push(format!("legend_{}", names.len()));
        let label = if kind.is_empty() {
            "(no label)".to_string()
        } else {
            escape(kind)
        };
        let _ = writeln!(
            out,
            "    {} [label=\"{}\", {}];",
            names[names.len() - 1],
            label,
            node_attrs(&OTHER, false)
        );
    }
    if used.placeholders {
        names.push(format!("legend_{}", names.len()));
        let _ = writeln!(
            out,
            "    {} [label=\"not in result\", {}];",
            names[names.len() - 1],
            PLACEHOLDER
        );
    }
    if used.dashed {
        // A dashed node stands for the dashed style: edges inside a cluster
        // would pull the legend's layout apart.
        names.push(format!("legend_{}", names.len()));
        let _ = writeln!(
            out,
            "    {} [label=\"expected / planned\", shape=box, style=\"dashed,rounded\", color=\"#666666\", fontsize=9];",
            names[names.len() - 1]
        );
    }
    // Invisible edges keep the entries in order, one under the other.
    if names.len() > 1 {
        let _ = writeln!(out, "    {{ rank=same; {}; }}", names.join("; "));
        // With rankdir=LR a rank is a column drawn bottom to top, so the
        // chain runs from the last entry to the first.
        let reversed: Vec<&str> = names.iter().rev().map(String::as_str).collect();
        let _ = writeln!(out, "    {} [style=invis];", reversed.join(" -> "));
    }
    out.push_str("  }\n");
}

fn is_statement(labels: &[Sym]) -> bool {
    labels.iter().any(|l| l == "Statement")
}

/// The kind of a node with these labels: its index in [`KINDS`] (None for
/// an unknown kind), and the label that chose it.
fn kind_of(labels: &[Sym]) -> (Option<usize>, &str) {
    if is_statement(labels) {
        return (
            KINDS.iter().position(|s| s.kind == "Statement"),
            "Statement",
        );
    }
    for l in labels {
        if let Some(i) = KINDS.iter().position(|s| s.kind == l) {
            return (Some(i), l);
        }
    }
    (None, labels.first().map(Sym::as_str).unwrap_or(""))
}

fn node_attrs(s: &KindStyle, dashed: bool) -> String {
    let style = if dashed {
        format!("{},dashed", s.style)
    } else {
        s.style.to_string()
    };
    format!(
        "shape={}, style=\"{}\", fillcolor=\"{}\", color=\"{}\", fontsize={}",
        s.shape, style, s.fill, s.color, s.fontsize
    )
}

/// The modality of a fact when it is not "accomplished".
fn not_accomplished(props: PropsRef<'_>) -> Option<String> {
    match props.get("modality") {
        Some(v) => {
            let m = text(&v);
            (m != "accomplished").then_some(m)
        }
        None => None,
    }
}

/// A property value as plain text: strings without quotes, dates as
/// printed, lists joined with commas.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Date(d) => d.to_string(),
        Value::Temporal(t) => t.to_string(),
        Value::List(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn prop_text(props: PropsRef<'_>, key: &str) -> Option<String> {
    props.get(key).filter(|v| !v.is_null()).map(|v| text(&v))
}

/// The escaped label of a node: lines wrapped, escaped, joined by `\n`.
fn node_label(n: &ExNode<'_>) -> String {
    let mut lines: Vec<String> = Vec::new();
    let p = n.props;
    if is_statement(n.labels) {
        let kind = n
            .labels
            .iter()
            .find(|l| *l != "Statement")
            .map_or("Statement", Sym::as_str);
        lines.push(kind.to_string());
        if let Some(s) = prop_text(p, "status").or_else(|| prop_text(p, "name")) {
            lines.push(s);
        }
        if let Some(d) = prop_text(p, "date") {
            lines.push(d);
        }
        if let Some(m) = not_accomplished(p) {
            lines.push(format!("({m})"));
        }
    } else if let Some(name) = prop_text(p, "name") {
        lines.push(name);
    } else if let Some(title) = prop_text(p, "title") {
        lines.push(title);
        if let Some(d) = prop_text(p, "published") {
            lines.push(d);
        }
    } else if let Some(key) = prop_text(p, "key") {
        lines.push(key);
    } else {
        lines.push(format!("#{}", n.id.0));
    }
    lines
        .iter()
        .flat_map(|l| wrap(l))
        .map(|l| escape(&l))
        .collect::<Vec<_>>()
        .join("\\n")
}

/// The escaped label of a relationship.
fn rel_label(r: &ExRel<'_>, modality: Option<&str>) -> String {
    let mut lines = vec![match modality {
        Some(m) => format!("{} ({m})", r.rel_type),
        None => r.rel_type.to_string(),
    }];
    let mut when = Vec::new();
    if let Some(d) = prop_text(r.props, "date") {
        when.push(d);
    } else if let Some(d) = prop_text(r.props, "valid_from") {
        when.push(format!("from {d}"));
    }
    if let Some(d) = prop_text(r.props, "valid_until") {
        when.push(format!("until {d}"));
    }
    if !when.is_empty() {
        lines.push(when.join(" "));
    }
    lines
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("\\n")
}

/// Splits a line at spaces into lines of at most [`WRAP`] characters (a
/// longer word stays whole). Line breaks in the text (`\n`, `\r\n`, `\r`)
/// are kept, each as one break.
fn wrap(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in s.replace("\r\n", "\n").split(['\n', '\r']) {
        let mut line = String::new();
        for word in para.split(' ') {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > WRAP {
                out.push(std::mem::take(&mut line));
            } else if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_cannot_be_broken_out_of() {
        let cases = [
            ("plain", "plain"),
            ("say \"hi\"", "say \\\"hi\\\""),
            ("C:\\", "C:\\\\"),
            ("\\N and \\G", "\\\\N and \\\\G"),
            ("a\nb\r\nc\rd", "a\\nb\\nc\\nd"),
            ("tab\there", "tab here"),
            ("bell\u{7}", "bell\u{fffd}"),
            ("&lt; & <b> {x} | y", "&amp;lt; &amp; <b> {x} | y"),
            ("Außenministerrat 中文", "Außenministerrat 中文"),
        ];
        for (input, want) in cases {
            assert_eq!(escape(input), want, "escape({input:?})");
        }
    }

    #[test]
    fn escaped_strings_have_no_unescaped_quote() {
        for s in ["\"", "\\\"", "\\", "\\\\\"", "x\\", "\"\\\"\\"] {
            let e = escape(s);
            let mut backslashes = 0;
            for c in e.chars() {
                if c == '"' {
                    assert!(backslashes % 2 == 1, "bare quote in {e:?} from {s:?}");
                }
                backslashes = if c == '\\' { backslashes + 1 } else { 0 };
            }
            assert!(backslashes % 2 == 0, "trailing escape in {e:?} from {s:?}");
        }
    }

    #[test]
    fn wrap_splits_at_spaces_and_keeps_long_words() {
        assert_eq!(wrap("short"), vec!["short"]);
        assert_eq!(
            wrap("Aleinik: process of Belarus’ joining SCO will definitely continue"),
            vec![
                "Aleinik: process of Belarus’",
                "joining SCO will definitely",
                "continue"
            ]
        );
        assert_eq!(wrap("a\nb\r\nc\rd"), vec!["a", "b", "c", "d"]);
        let long = "x".repeat(40);
        assert_eq!(wrap(&long), vec![long.clone()]);
    }

    #[test]
    fn statement_kind_wins_over_second_label() {
        let labels = [Sym::new("Membership"), Sym::new("Statement")];
        assert_eq!(kind_of(&labels).1, "Statement");
        let labels = [Sym::new("Thing"), Sym::new("City")];
        assert_eq!(kind_of(&labels).1, "City");
        assert_eq!(kind_of(&[]).1, "");
    }
}
