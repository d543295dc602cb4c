//! Loader tests on a small inline schema and fact files.

use super::*;
use crate::model::{FDate, NodeId, Value};

const SCHEMA_SRC: &str = "\
group fact quote:string! source:string! modality:string! date:date date_text:string
           valid_from:date valid_until:date
node Article      key:string! title:string published:date! lang:string file:string! outlet:string
node Date         name:string! value:date! precision:string! approx:bool!
node State        key:string! name:string! aliases:list<string>
node Organisation key:string! name:string! aliases:list<string>
node Person       key:string! name:string! aliases:list<string> born:date
node Event        key:string! name:string! aliases:list<string> date:date date_text:string
node Statement    +fact key:string!
node Membership   status:string!
rel HOLDS_OFFICE  Person -> State|Organisation +fact role:string!
rel MEMBER_OF     State -> Organisation +fact
rel IN            Date -> Date
rel ON            * -> Date
rel SOURCE        Statement -> Article
rel MENTIONED_IN  * -> Article
rel SUBJECT       Statement -> *
rel ORGANISATION  Statement -> Organisation
rel PARTICIPANTS  Statement -> *
";

const A1: &str = "Belarus’ Foreign Minister Sergei Aleinik said that literally a week ago the process \
of ratification was completed. Belarus will join the SCO. The summit took place.";

const F1: &str = "\
article a1 file=\"a1.txt\" title=\"T\" published=@2024-01-18 lang=\"en\"
entity State belarus \"Belarus\" aliases=[\"Republik Belarus\"]
entity Organisation sco \"SCO\" aliases=[\"Shanghai Cooperation Organisation\"]
entity Person aleinik \"Sergei Aleinik\" aliases=[\"Alejnik\"]
entity Event summit \"SCO summit\" date=@2023-10-11
fact aleinik -HOLDS_OFFICE-> belarus role=\"Minister of Foreign Affairs\"
  quote=\"Belarus’ Foreign Minister Sergei Aleinik\"
statement Membership m1 subject=belarus organisation=sco status=\"ratified\"
  date=relative(\"literally a week ago\")
  quote=\"literally a week ago the process of ratification was completed\"
fact belarus -MEMBER_OF-> sco modality=\"expected\" date=@2024 quote=\"Belarus will join the SCO\"
alias sco \"SOZ\" \"SCO\"
";

const A2: &str = "Sergej Alejnik met colleagues. Minsk is the capital of the Republic of Belarus.";

fn schema() -> crate::model::Schema {
    parse_schema("s.fgs", SCHEMA_SRC).unwrap()
}

fn loaded() -> (Graph, LoadReport) {
    let mut g = Graph::with_schema(schema());
    let r = load_facts(&mut g, "f1.facts", F1, A1).unwrap();
    (g, r)
}

fn one(g: &Graph, name: &str) -> NodeId {
    let ids = g.lookup(name);
    assert_eq!(ids.len(), 1, "lookup {name}: {ids:?}");
    ids[0]
}

fn prop(g: &Graph, id: NodeId, k: &str) -> Value {
    g.node(id)
        .and_then(|n| n.props.get(k))
        .map(std::borrow::Cow::into_owned)
        .unwrap_or(Value::Null)
}

fn by_key(g: &Graph, key: &str) -> NodeId {
    g.node_ids()
        .find(|&id| prop(g, id, "key") == Value::String(key.into()))
        .unwrap_or_else(|| panic!("no node with key {key}"))
}

fn out(g: &Graph, id: NodeId, rel_type: &str) -> Vec<NodeId> {
    g.out_rels(id)
        .filter(|(r, _)| g.rel(*r).is_some_and(|r| r.rel_type == rel_type))
        .map(|(_, n)| n)
        .collect()
}

fn d(s: &str) -> Value {
    Value::Date(FDate::parse(s).unwrap())
}

fn load_err(g: &mut Graph, facts: &str, article: &str) -> String {
    load_facts(g, "f.facts", facts, article)
        .unwrap_err()
        .to_string()
}

#[test]
fn loads_entities_facts_statements_and_counts_them() {
    let (g, r) = loaded();
    assert_eq!(
        r,
        LoadReport {
            file: "f1.facts".into(),
            article: "a1".into(),
            entities_created: 4,
            entities_merged: 0,
            facts: 2,
            statements: 1,
            aliases: 1,
            // 2023-10-11, 2023-10, 2023, ~2024-01-11, 2024-01, 2024
            dates: 6,
        }
    );
    assert_eq!(one(&g, "SOZ"), one(&g, "sco"));
    assert_eq!(one(&g, "alejnik"), by_key(&g, "aleinik"));
    assert_eq!(
        prop(&g, one(&g, "SCO"), "aliases"),
        Value::List(vec![
            "Shanghai Cooperation Organisation".into(),
            "SOZ".into()
        ])
    );
    let article = by_key(&g, "a1");
    assert_eq!(prop(&g, article, "published"), d("2024-01-18"));
    for key in ["belarus", "sco", "aleinik", "summit"] {
        assert_eq!(
            out(&g, by_key(&g, key), "MENTIONED_IN"),
            vec![article],
            "{key}"
        );
    }
}

#[test]
fn statements_get_relationships_source_date_and_valid_time() {
    let (g, _) = loaded();
    let m = by_key(&g, "m1");
    assert_eq!(
        g.node(m).map(|n| n.labels.to_strings()),
        Some(vec!["Statement".to_string(), "Membership".to_string()])
    );
    assert_eq!(out(&g, m, "SUBJECT"), vec![by_key(&g, "belarus")]);
    assert_eq!(out(&g, m, "ORGANISATION"), vec![by_key(&g, "sco")]);
    assert_eq!(out(&g, m, "SOURCE"), vec![by_key(&g, "a1")]);
    assert_eq!(prop(&g, m, "date"), d("~2024-01-11"));
    assert_eq!(prop(&g, m, "date_text"), "literally a week ago".into());
    assert_eq!(prop(&g, m, "valid_from"), d("~2024-01-11"));
    assert_eq!(prop(&g, m, "modality"), "accomplished".into());
    assert_eq!(prop(&g, m, "source"), "a1".into());
    let on = out(&g, m, "ON");
    assert_eq!(on.len(), 1);
    assert_eq!(prop(&g, on[0], "name"), "~2024-01-11".into());
    assert_eq!(prop(&g, on[0], "approx"), Value::Bool(true));
}

#[test]
fn facts_get_source_modality_and_valid_from() {
    let (g, _) = loaded();
    let rels: Vec<_> = g
        .rel_ids()
        .filter_map(|r| g.rel(r))
        .filter(|r| r.props.contains_key("quote"))
        .collect();
    assert_eq!(rels.len(), 2);
    let ho = rels.iter().find(|r| r.rel_type == "HOLDS_OFFICE").unwrap();
    assert_eq!(ho.props.to_props()["modality"], "accomplished".into());
    assert_eq!(ho.props.to_props()["source"], "a1".into());
    // No date of its own: it held when the article said so.
    assert_eq!(ho.props.to_props()["valid_from"], d("2024-01-18"));
    let mem = rels.iter().find(|r| r.rel_type == "MEMBER_OF").unwrap();
    assert_eq!(mem.props.to_props()["modality"], "expected".into());
    // An expectation dated 2024 starts to hold (as an expectation) when stated.
    assert_eq!(mem.props.to_props()["valid_from"], d("2024-01-18"));
    assert_eq!(mem.props.to_props()["date"], d("2024"));
}

#[test]
fn dates_form_a_calendar_once_per_date() {
    let (mut g, _) = loaded();
    let summit = by_key(&g, "summit");
    let day = out(&g, summit, "ON");
    assert_eq!(day.len(), 1);
    assert_eq!(prop(&g, day[0], "precision"), "day".into());
    assert_eq!(prop(&g, day[0], "approx"), Value::Bool(false));
    let month = out(&g, day[0], "IN");
    assert_eq!(month.len(), 1);
    assert_eq!(prop(&g, month[0], "name"), "2023-10".into());
    assert_eq!(prop(&g, month[0], "value"), d("2023-10"));
    let year = out(&g, month[0], "IN");
    assert_eq!(prop(&g, year[0], "name"), "2023".into());
    assert_eq!(prop(&g, year[0], "precision"), "year".into());
    assert!(out(&g, year[0], "IN").is_empty());
    // A second file with the same dates reuses the Date nodes.
    let f2 = "article a2 file=\"a2.txt\" published=@2024-01-11\n\
              entity Event summit \"SCO summit\"\n\
              statement Membership m2 subject=belarus status=\"x\" date=relative(\"today\") quote=\"Minsk\"\n";
    let r = load_facts(&mut g, "f2.facts", f2, A2).unwrap();
    assert_eq!(r.dates, 1, "only the exact 2024-01-11 is new");
    assert_eq!(g.nodes_with_label("Date").count(), 7);
}

#[test]
fn entities_merge_across_files() {
    let (mut g, _) = loaded();
    let before = one(&g, "Belarus");
    let f2 = "article a2 file=\"a2.txt\" published=@2024-01-24\n\
              entity State belarus \"Belarus\" aliases=[\"Republic of Belarus\", \"Republik Belarus\"]\n\
              entity Person aleinik \"Sergei Aleinik\" born=@1965 aliases=[\"Sergej Alejnik\"]\n\
              entity Person aleinik \"Sergei Aleinik\"\n\
              statement Membership m2 subject=aleinik status=\"met\" participants=[belarus, aleinik] quote=\"Sergej Alejnik met\"\n";
    let r = load_facts(&mut g, "f2.facts", f2, A2).unwrap();
    assert_eq!(
        (r.entities_created, r.entities_merged, r.statements),
        (0, 3, 1)
    );
    assert_eq!(one(&g, "Republic of Belarus"), before);
    assert_eq!(one(&g, "Republik Belarus"), before);
    assert_eq!(
        prop(&g, before, "aliases"),
        Value::List(vec![
            "Republik Belarus".into(),
            "Republic of Belarus".into()
        ])
    );
    let aleinik = one(&g, "Sergej Alejnik");
    assert_eq!(prop(&g, aleinik, "born"), d("1965"));
    let mut articles = out(&g, aleinik, "MENTIONED_IN");
    articles.sort();
    assert_eq!(articles, vec![by_key(&g, "a1"), by_key(&g, "a2")]);
    let m2 = by_key(&g, "m2");
    assert_eq!(out(&g, m2, "PARTICIPANTS").len(), 2);
    assert_eq!(prop(&g, m2, "valid_from"), d("2024-01-24"));
}

#[test]
fn merge_conflicts_are_errors_at_the_token() {
    let (mut g, _) = loaded();
    let h = "article a2 file=\"a2.txt\" published=@2024-01-24\n";
    assert_eq!(
        load_err(
            &mut g,
            &format!("{h}entity Organisation belarus \"Belarus\"\n"),
            A2
        ),
        "f.facts:2:8: 'belarus' is defined in an earlier file as :State, not :Organisation: a repeated entity must have the same kind"
    );
    assert_eq!(
        load_err(
            &mut g,
            &format!(
                "{h}entity State belarus \"Belarus\"\nentity State belarus \"Weißrussland\"\n"
            ),
            A2
        ),
        "f.facts:3:22: 'belarus' is defined in an earlier file with the name 'Belarus': a repeated entity must have the same name (put other names in aliases)"
    );
    assert_eq!(
        load_err(
            &mut g,
            &format!("{h}entity Person p \"P\" born=@1960\nentity Person p \"P\" born=@1961\n"),
            A2
        ),
        "f.facts:3:21: 'p' already has born = fdate('1960') (defined on line 2); a repeated entity cannot change it to fdate('1961')"
    );
    assert_eq!(
        load_err(
            &mut g,
            &format!("{h}statement Membership m1 status=\"x\" quote=\"Minsk\"\n"),
            A2
        ),
        "f.facts:2:22: the key 'm1' is already defined in an earlier file"
    );
    assert_eq!(
        load_err(&mut g, F1, A1),
        "f.facts:1:9: the key 'a1' is already in the graph: is this article loaded already?"
    );
}

#[test]
fn a_quote_not_in_the_article_points_at_the_quote() {
    let mut g = Graph::with_schema(schema());
    // A straight apostrophe where the article has a typographic one.
    let bad = F1.replace("quote=\"Belarus’ Foreign", "quote=\"Belarus' Foreign");
    assert_eq!(
        load_err(&mut g, &bad, A1),
        "f.facts:7:9: the quote does not occur verbatim in the article a1: \"Belarus' Foreign Minister Sergei Aleinik\""
    );
    let missing = F1.replace("  quote=\"Belarus’ Foreign Minister Sergei Aleinik\"\n", "");
    assert_eq!(
        load_err(&mut g, &missing, A1),
        "f.facts:6:1: this record has no quote=\"...\": every fact and statement cites its article verbatim"
    );
    assert_eq!(g.node_count(), 0);
}

#[test]
fn schema_violations_name_line_and_column() {
    let mut g = Graph::with_schema(schema());
    let h = "article a1 file=\"a1.txt\" published=@2024-01-18\n";
    let cases = [
        (
            "entity Stat x \"X\"\n",
            "f.facts:2:8: unknown node kind 'Stat' (did you mean 'State'?)",
        ),
        (
            "entity Person x \"X\"\n  born=\"1965\"\n",
            "f.facts:3:3: :Person.born must be date, not String ('1965')",
        ),
        (
            "entity Person x \"X\" hair=\"grey\"\n",
            "f.facts:2:21: :Person has no property 'hair' in the schema",
        ),
        (
            "entity State b \"B\"\nentity State c \"C\"\nfact b -HOLDS_OFFICE-> c role=\"r\" quote=\"Belarus\"\n",
            "f.facts:4:9: a :HOLDS_OFFICE relationship may not join (:State) to (:State); the schema allows (Person) -> (State|Organisation)",
        ),
        (
            "entity Person b \"B\"\nentity State c \"C\"\nfact b -HOLDS_OFFICE-> c quote=\"Belarus\"\n",
            "f.facts:4:1: [:HOLDS_OFFICE] needs the property 'role' (string)",
        ),
        (
            "entity Person b \"B\"\nentity State c \"C\"\nfact b -HOLD_OFFICE-> c quote=\"Belarus\"\n",
            "f.facts:4:9: unknown relationship type 'HOLD_OFFICE' (did you mean 'HOLDS_OFFICE'?)",
        ),
        (
            "entity State c \"C\"\nstatement Membership m organisation=c status=\"s\" quote=\"Belarus\"\n",
            "f.facts:3:24: a :ORGANISATION relationship may not join (:Statement:Membership) to (:State); the schema allows (Statement) -> (Organisation)",
        ),
        (
            "statement Membership m quote=\"Belarus\"\n",
            "f.facts:2:1: :Statement:Membership needs the property 'status' (string)",
        ),
        (
            "statement Membershp m quote=\"Belarus\"\n",
            "f.facts:2:11: unknown node kind 'Membershp' (did you mean 'Membership'?)",
        ),
    ];
    for (body, want) in cases {
        assert_eq!(load_err(&mut g, &format!("{h}{body}"), A1), want, "{body}");
    }
    assert_eq!(g.node_count(), 0, "nothing was written");
}

#[test]
fn other_loader_errors() {
    let mut g = Graph::with_schema(schema());
    let h = "article a1 file=\"a1.txt\" published=@2024-01-18\nentity State belarus \"Belarus\"\n";
    let cases = [
        (
            "fact belarus -MEMBER_OF-> sco quote=\"Belarus\"\n",
            "f.facts:3:27: unknown key 'sco': define it with an `entity` or `statement` record before this line (or in an earlier file)",
        ),
        (
            "statement Membership m subject=belaru status=\"s\" quote=\"Belarus\"\n",
            "f.facts:3:32: unknown key 'belaru': define it with an `entity` or `statement` record before this line (or in an earlier file) (did you mean 'belarus'?)",
        ),
        (
            "statement Membership m status=\"s\" quote=\"Belarus\" modality=\"hoped\"\n",
            "f.facts:3:60: modality must be \"accomplished\", \"expected\" or \"planned\"",
        ),
        (
            "statement Membership m status=\"s\" quote=\"Belarus\" date=relative(\"the other day\")\n",
            "f.facts:3:56: unknown relative date \"the other day\": write one of this year, last year, next year, this month, last month, today, yesterday, [literally] a week ago, two weeks ago, a month ago, a year ago; or an @date",
        ),
        (
            "alias belrus \"B\"\n",
            "f.facts:3:7: unknown key 'belrus': define it with an `entity` or `statement` record before this line (or in an earlier file) (did you mean 'belarus'?)",
        ),
        (
            "statement Membership m status=\"s\" quote=\"\"\n",
            "f.facts:3:41: the quote is empty",
        ),
        (
            "statement Membership m status=\"s\" quote=3\n",
            "f.facts:3:35: :Statement:Membership.quote must be string, not Integer (3)",
        ),
    ];
    for (body, want) in cases {
        assert_eq!(load_err(&mut g, &format!("{h}{body}"), A1), want, "{body}");
    }
}

#[test]
fn a_failing_file_leaves_the_graph_unchanged() {
    let (mut g, _) = loaded();
    let (nodes, rels) = (g.node_count(), g.rel_count());
    let aliases = prop(&g, one(&g, "SCO"), "aliases");
    let f2 = "article a2 file=\"a2.txt\" published=@2024-01-24\n\
              entity State kz \"Kazakhstan\" aliases=[\"Kasachstan\"]\n\
              alias sco \"Shanghaier Organisation für Zusammenarbeit\"\n\
              entity Event e \"E\" date=@2022-06-01\n\
              fact belarus -MEMBER_OF-> sco quote=\"not in the article\"\n";
    assert_eq!(
        load_err(&mut g, f2, A2),
        "f.facts:5:37: the quote does not occur verbatim in the article a2: \"not in the article\""
    );
    assert_eq!((g.node_count(), g.rel_count()), (nodes, rels));
    assert!(g.lookup("Kasachstan").is_empty());
    assert!(g.lookup("2022-06-01").is_empty());
    assert_eq!(prop(&g, one(&g, "SCO"), "aliases"), aliases);
    // The same file, fixed, loads.
    let fixed = f2.replace("not in the article", "Minsk is the capital");
    load_facts(&mut g, "f2.facts", &fixed, A2).unwrap();
    assert_eq!(one(&g, "Kasachstan"), one(&g, "Kazakhstan"));
    assert_eq!(
        one(&g, "Shanghaier Organisation fur Zusammenarbeit"),
        one(&g, "SOZ")
    );
}

#[test]
fn a_graph_without_schema_takes_any_kind() {
    let mut g = Graph::new();
    let f = "article a file=\"a.txt\" published=@2024\n\
             entity Planet mars \"Mars\" moons=2\n\
             fact mars -ORBITS-> mars quote=\"Mars\" weird=true\n";
    let r = load_facts(&mut g, "f.facts", f, "Mars").unwrap();
    assert_eq!((r.entities_created, r.facts), (1, 1));
    assert_eq!(g.lookup("mars").len(), 1);
}

#[test]
fn build_from_finds_each_articles_text() {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let schema = SeedFile {
        name: "seed/schema.fgs",
        text: SCHEMA_SRC,
    };
    let f2 = "article a2 file=\"a2.txt\" published=@2024-01-24\nentity Person aleinik \"Sergei Aleinik\" aliases=[\"Sergej Alejnik\"]\n";
    let facts = [
        SeedFile {
            name: "seed/1.facts",
            text: F1,
        },
        SeedFile {
            name: "seed/2.facts",
            text: f2,
        },
    ];
    let articles = [
        SeedFile {
            name: "a1.txt",
            text: A1,
        },
        SeedFile {
            name: "a2.txt",
            text: A2,
        },
    ];
    let (g, r) = build_from(schema, &facts, &articles).unwrap();
    assert_eq!(r.articles.len(), 2);
    assert_eq!(r.articles[1].entities_merged, 1);
    assert_eq!(
        r.to_string(),
        format!(
            "{} nodes, {} relationships (2 articles)",
            g.node_count(),
            g.rel_count()
        )
    );
    let bad = SeedFile {
        name: "seed/3.facts",
        text: leak(f2.replace("a2.txt", "a3.txt")),
    };
    assert_eq!(
        build_from(schema, &[bad], &articles)
            .unwrap_err()
            .to_string(),
        "seed/3.facts:1:17: no article text 'a3.txt' in seed/articles/ (there are: a1.txt, a2.txt)"
    );
}

#[test]
fn truncated_and_damaged_seed_files_give_errors_not_panics() {
    let schema = parse_schema(SCHEMA.name, SCHEMA.text).unwrap_or_else(|e| panic!("{e}"));
    for f in FACTS {
        let article = parse_facts(f.name, f.text)
            .ok()
            .and_then(|p| p.article_file().map(|(s, _)| s.to_string()))
            .and_then(|name| ARTICLES.iter().find(|a| a.name == name))
            .map(|a| a.text)
            .unwrap_or_default();
        let cuts: Vec<usize> = f.text.char_indices().map(|(i, _)| i).step_by(173).collect();
        for &cut in &cuts {
            // Cut the file short, and separately drop one character.
            let short = &f.text[..cut];
            let mut dropped = f.text.to_string();
            dropped.remove(cut);
            for text in [short, dropped.as_str()] {
                let mut g = Graph::with_schema(schema.clone());
                if let Err(e) = load_facts(&mut g, f.name, text, article) {
                    assert!(e.line >= 1 && e.col >= 1, "{e}");
                    assert_eq!(g.node_count(), 0, "{e}");
                }
            }
        }
    }
}
