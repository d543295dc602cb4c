//! The `schema.fgs` format (see `seed/FORMAT.md`): `group`, `node` and `rel`
//! records of white-space separated words. A trailing comment on a `node`
//! or `rel` record becomes the kind's documentation.

use std::collections::{BTreeMap, HashMap};

use crate::error::LoadError;
use crate::model::names::did_you_mean;
use crate::model::schema::{NodeKind, PropDecl, PropType, RelKind, Schema};

use super::error_at;
use super::lexer::{RawRecord, split_records};

/// A word of a schema record and its byte offset in the file.
#[derive(Debug, Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    offset: usize,
}

#[derive(Debug, Clone)]
enum Item {
    Prop(PropDecl, usize),
    Include(String, usize),
}

struct Group {
    items: Vec<Item>,
    offset: usize,
}

const TYPES: [&str; 7] = [
    "string",
    "int",
    "float",
    "bool",
    "date",
    "any",
    "list<string>",
];

/// Parses `schema.fgs`.
pub fn parse_schema(file: &str, text: &str) -> Result<Schema, LoadError> {
    let err = |offset: usize, msg: String| error_at(file, text, offset, msg);
    let mut groups: HashMap<String, Group> = HashMap::new();
    // Kinds and types with the items still to expand, in file order.
    let mut nodes: Vec<(NodeKind, Vec<Item>, usize)> = Vec::new();
    // Each with the node kinds its ends name, checked once all are declared.
    type Ends = Vec<(String, usize)>;
    let mut rels: Vec<(RelKind, Vec<Item>, Ends)> = Vec::new();

    for raw in split_records(file, text)? {
        let (words, doc) = words_of(&raw);
        let Some(kw) = words.first().copied() else {
            continue;
        };
        let name = words.get(1).copied().ok_or_else(|| {
            err(
                kw.offset + kw.text.len(),
                format!(
                    "expected a name after '{}', found the end of the record",
                    kw.text
                ),
            )
        })?;
        if !is_ident(name.text) {
            return Err(err(
                name.offset,
                format!("'{}' is not a name (letters, digits and _)", name.text),
            ));
        }
        match kw.text {
            // group <name> item...
            "group" => {
                let items = items(file, text, &words[2..])?;
                if groups.contains_key(name.text) {
                    return Err(err(
                        name.offset,
                        format!("the group '{}' is defined twice", name.text),
                    ));
                }
                groups.insert(
                    name.text.to_string(),
                    Group {
                        items,
                        offset: name.offset,
                    },
                );
            }
            // node <Kind> item...
            "node" => {
                if nodes.iter().any(|(k, _, _)| k.name == name.text) {
                    return Err(err(
                        name.offset,
                        format!("the node kind '{}' is declared twice", name.text),
                    ));
                }
                let items = items(file, text, &words[2..])?;
                let kind = NodeKind {
                    name: name.text.to_string(),
                    props: Vec::new(),
                    doc,
                };
                nodes.push((kind, items, name.offset));
            }
            // rel <TYPE> <From>[|<From>...] -> <To>[|<To>...] item...
            "rel" => {
                if rels.iter().any(|(k, _, _)| k.name == name.text) {
                    return Err(err(
                        name.offset,
                        format!("the relationship type '{}' is declared twice", name.text),
                    ));
                }
                let rest = split_arrows(&words[2..]);
                let found = |i: usize| {
                    rest.get(i)
                        .map(|w| (format!("'{}'", w.text), w.offset))
                        .unwrap_or_else(|| {
                            let end = words
                                .last()
                                .map(|w| w.offset + w.text.len())
                                .unwrap_or(name.offset);
                            ("the end of the record".to_string(), end)
                        })
                };
                let mut ends = Vec::new();
                let from = match rest.first() {
                    Some(w) if w.text != "->" => kinds(file, text, *w, &mut ends)?,
                    _ => {
                        let (f, at) = found(0);
                        return Err(err(
                            at,
                            format!(
                                "expected the kinds the relationship starts at (Kind|Kind or *), found {f}"
                            ),
                        ));
                    }
                };
                if rest.get(1).map(|w| w.text) != Some("->") {
                    let (f, at) = found(1);
                    return Err(err(at, format!("expected '->', found {f}")));
                }
                let to = match rest.get(2) {
                    Some(w) if w.text != "->" => kinds(file, text, *w, &mut ends)?,
                    _ => {
                        let (f, at) = found(2);
                        return Err(err(
                            at,
                            format!(
                                "expected the kinds the relationship ends at (Kind|Kind or *), found {f}"
                            ),
                        ));
                    }
                };
                let items = items(file, text, rest.get(3..).unwrap_or_default())?;
                let kind = RelKind {
                    name: name.text.to_string(),
                    from,
                    to,
                    props: Vec::new(),
                    doc,
                };
                rels.push((kind, items, ends));
            }
            other => {
                let mut msg =
                    format!("unknown record '{other}': a schema record is group, node or rel");
                if let Some(s) = did_you_mean(other, ["group", "node", "rel"]) {
                    msg.push_str(&format!(" (did you mean '{s}'?)"));
                }
                return Err(err(kw.offset, msg));
            }
        }
    }

    let mut schema = Schema::default();
    for (mut kind, items, _) in nodes {
        kind.props = expand(file, text, &items, &groups, &mut Vec::new())?;
        schema.nodes.insert(kind.name.clone(), kind);
    }
    for (mut kind, items, ends) in rels {
        for (k, at) in ends {
            if !schema.nodes.contains_key(&k) {
                let mut msg = format!("unknown node kind '{k}' (declare it with `node {k} ...`)");
                if let Some(s) = did_you_mean(&k, schema.nodes.keys().map(String::as_str)) {
                    msg = format!("unknown node kind '{k}' (did you mean '{s}'?)");
                }
                return Err(err(at, msg));
            }
        }
        kind.props = expand(file, text, &items, &groups, &mut Vec::new())?;
        schema.rels.insert(kind.name.clone(), kind);
    }
    // Groups nobody includes are still checked, so a typo in one is found.
    let sorted: BTreeMap<&String, &Group> = groups.iter().collect();
    for (name, g) in sorted {
        expand(
            file,
            text,
            &[Item::Include(name.clone(), g.offset)],
            &groups,
            &mut Vec::new(),
        )?;
    }
    Ok(schema)
}

/// The words of a record and its documentation (the text of trailing comments).
fn words_of<'a>(raw: &RawRecord<'a>) -> (Vec<Word<'a>>, String) {
    let mut words = Vec::new();
    let mut doc: Vec<&str> = Vec::new();
    for line in &raw.lines {
        let (code, comment) = match line.text.find('#') {
            Some(i) => (&line.text[..i], Some(line.text[i + 1..].trim())),
            None => (line.text, None),
        };
        let mut pos = 0;
        for w in code.split_whitespace() {
            let start = pos + code[pos..].find(w).unwrap_or(0);
            words.push(Word {
                text: w,
                offset: line.offset + start,
            });
            pos = start + w.len();
        }
        doc.extend(comment.filter(|c| !c.is_empty()));
    }
    (words, doc.join(" "))
}

/// Splits `A->B`, `A->` and `->B` into separate words, so the arrow may be
/// written with or without spaces.
fn split_arrows<'a>(words: &[Word<'a>]) -> Vec<Word<'a>> {
    let mut out = Vec::new();
    for w in words {
        match w.text.find("->") {
            Some(i) if w.text != "->" => {
                if i > 0 {
                    out.push(Word {
                        text: &w.text[..i],
                        offset: w.offset,
                    });
                }
                out.push(Word {
                    text: "->",
                    offset: w.offset + i,
                });
                if i + 2 < w.text.len() {
                    out.push(Word {
                        text: &w.text[i + 2..],
                        offset: w.offset + i + 2,
                    });
                }
            }
            _ => out.push(*w),
        }
    }
    out
}

/// `Kind|Kind|...` or `*` (any kind: an empty list). Each kind is remembered
/// with its offset, to be checked once every node kind is known.
fn kinds(
    file: &str,
    text: &str,
    w: Word<'_>,
    ends: &mut Vec<(String, usize)>,
) -> Result<Vec<String>, LoadError> {
    if w.text == "*" {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut offset = w.offset;
    for part in w.text.split('|') {
        if !is_ident(part) {
            return Err(error_at(
                file,
                text,
                offset,
                format!("expected a node kind (Kind|Kind or *), found '{part}'"),
            ));
        }
        ends.push((part.to_string(), offset));
        out.push(part.to_string());
        offset += part.len() + 1;
    }
    Ok(out)
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `name:type`, `name:type!` or `+group`.
fn items(file: &str, text: &str, words: &[Word<'_>]) -> Result<Vec<Item>, LoadError> {
    let err = |offset: usize, msg: String| error_at(file, text, offset, msg);
    let mut out = Vec::new();
    for w in words {
        if let Some(g) = w.text.strip_prefix('+') {
            if !is_ident(g) {
                return Err(err(
                    w.offset,
                    format!("expected +<group name>, found '{}'", w.text),
                ));
            }
            out.push(Item::Include(g.to_string(), w.offset));
            continue;
        }
        let Some((name, ty)) = w.text.split_once(':') else {
            return Err(err(
                w.offset,
                format!(
                    "expected a property name:type or +group, found '{}'",
                    w.text
                ),
            ));
        };
        if !is_ident(name) {
            return Err(err(
                w.offset,
                format!("'{name}' is not a property name (letters, digits and _)"),
            ));
        }
        let (ty, required) = match ty.strip_suffix('!') {
            Some(t) => (t, true),
            None => (ty, false),
        };
        let ty_offset = w.offset + name.len() + 1;
        let Some(parsed) = PropType::parse(ty) else {
            let mut msg = format!(
                "unknown type '{ty}': a type is string, int, float, bool, date, any or list<T>"
            );
            if let Some(s) = did_you_mean(ty, TYPES) {
                msg.push_str(&format!(" (did you mean '{s}'?)"));
            }
            return Err(err(ty_offset, msg));
        };
        out.push(Item::Prop(
            PropDecl {
                name: name.to_string(),
                ty: parsed,
                required,
            },
            w.offset,
        ));
    }
    Ok(out)
}

/// Expands `+group` includes into property declarations. `stack` holds the
/// groups being expanded, to report a group that includes itself.
fn expand(
    file: &str,
    text: &str,
    items: &[Item],
    groups: &HashMap<String, Group>,
    stack: &mut Vec<String>,
) -> Result<Vec<PropDecl>, LoadError> {
    let mut out: Vec<PropDecl> = Vec::new();
    for item in items {
        let (decls, offset) = match item {
            Item::Prop(d, offset) => (vec![d.clone()], *offset),
            Item::Include(g, offset) => {
                let Some(group) = groups.get(g) else {
                    let mut msg = format!("unknown group '{g}'");
                    if let Some(s) = did_you_mean(g, groups.keys().map(String::as_str)) {
                        msg.push_str(&format!(" (did you mean '{s}'?)"));
                    }
                    return Err(error_at(file, text, *offset, msg));
                };
                if stack.contains(g) {
                    return Err(error_at(
                        file,
                        text,
                        *offset,
                        format!(
                            "the group '{g}' includes itself ({} -> {g})",
                            stack.join(" -> ")
                        ),
                    ));
                }
                stack.push(g.clone());
                let decls = expand(file, text, &group.items, groups, stack)?;
                stack.pop();
                (decls, *offset)
            }
        };
        for d in decls {
            match out.iter().find(|o| o.name == d.name) {
                Some(o) if *o == d => {}
                Some(o) => {
                    return Err(error_at(
                        file,
                        text,
                        offset,
                        format!(
                            "the property '{}' is declared twice, as {}{} and as {}{}",
                            d.name,
                            o.ty,
                            if o.required { "!" } else { "" },
                            d.ty,
                            if d.required { "!" } else { "" },
                        ),
                    ));
                }
                None => out.push(d),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "\
# a group of properties, to be included with +name
group fact  quote:string! source:string! modality:string! date:date date_text:string
            valid_from:date valid_until:date

# node kinds
node State          key:string! name:string! aliases:list<string>   # a sovereign state
node Organisation   key:string! name:string! aliases:list<string>
node Person         key:string! name:string!
node PartnershipLevel key:string! name:string! aliases:list<string> rank:int! ladder:string!
node Statement      +fact
node Membership     key:string! status:string!
node Date           name:string! value:date! precision:string! approx:bool

rel HOLDS_OFFICE    Person -> State|Organisation  +fact role:string!
rel IN              Date -> Date
rel MENTIONED_IN    *->Article_less
";

    fn err(src: &str) -> String {
        parse_schema("s.fgs", src).unwrap_err().to_string()
    }

    #[test]
    fn parses_groups_nodes_rels_and_continuations() {
        let src = SCHEMA.replace("Article_less", "*");
        let s = parse_schema("s.fgs", &src).unwrap();
        assert_eq!(s.nodes.len(), 7);
        let st = &s.nodes["State"];
        assert_eq!(st.doc, "a sovereign state");
        assert_eq!(
            st.props[2],
            PropDecl {
                name: "aliases".into(),
                ty: PropType::List(Box::new(PropType::String)),
                required: false
            }
        );
        let stmt = &s.nodes["Statement"];
        let names: Vec<&str> = stmt.props.iter().map(|p| p.name.as_str()).collect();
        // The continuation line belongs to the group.
        assert_eq!(
            names,
            [
                "quote",
                "source",
                "modality",
                "date",
                "date_text",
                "valid_from",
                "valid_until"
            ]
        );
        assert!(stmt.props[0].required && !stmt.props[3].required);
        assert_eq!(s.nodes["PartnershipLevel"].props[3].ty, PropType::Int);
        let ho = &s.rels["HOLDS_OFFICE"];
        assert_eq!(ho.from, ["Person"]);
        assert_eq!(ho.to, ["State", "Organisation"]);
        assert_eq!(ho.props.len(), 8);
        assert_eq!(ho.props[7].name, "role");
        let m = &s.rels["MENTIONED_IN"];
        assert!(m.from.is_empty() && m.to.is_empty());
        // The schema it produces is the one the store enforces.
        let labels =
            crate::model::LabelSet::from(vec!["Statement".to_string(), "Membership".to_string()]);
        let mut props = crate::model::Props::new();
        props.insert("quote".into(), "q".into());
        assert!(s.check_node(&labels, &props, false).is_ok());
        assert!(
            s.check_node(&labels, &props, true)
                .unwrap_err()
                .contains("needs the property")
        );
    }

    #[test]
    fn errors_point_at_the_word() {
        assert_eq!(
            err(SCHEMA),
            "s.fgs:16:24: unknown node kind 'Article_less' (declare it with `node Article_less ...`)"
        );
        assert_eq!(
            err("nod State key:string\n"),
            "s.fgs:1:1: unknown record 'nod': a schema record is group, node or rel (did you mean 'node'?)"
        );
        assert_eq!(
            err("node State key:strng!\n"),
            "s.fgs:1:16: unknown type 'strng': a type is string, int, float, bool, date, any or list<T> (did you mean 'string'?)"
        );
        assert_eq!(
            err("node State\n  key string\n"),
            "s.fgs:2:3: expected a property name:type or +group, found 'key'"
        );
        assert_eq!(
            err("node State +fakt\ngroup fact a:int\n"),
            "s.fgs:1:12: unknown group 'fakt' (did you mean 'fact'?)"
        );
        assert_eq!(
            err("group a +b\ngroup b +a\n"),
            "s.fgs:2:9: the group 'a' includes itself (a -> b -> a)"
        );
        assert_eq!(
            err("group g x:int\nnode A x:string +g\n"),
            "s.fgs:2:17: the property 'x' is declared twice, as string and as int"
        );
        assert_eq!(
            err("node A\nnode A\n"),
            "s.fgs:2:6: the node kind 'A' is declared twice"
        );
        assert_eq!(
            err("node A\nrel R A B\n"),
            "s.fgs:2:9: expected '->', found 'B'"
        );
        assert_eq!(
            err("node A\nrel R A ->\n"),
            "s.fgs:2:11: expected the kinds the relationship ends at (Kind|Kind or *), found the end of the record"
        );
        assert_eq!(
            err("node Stat\nrel R State -> *\n"),
            "s.fgs:2:7: unknown node kind 'State' (did you mean 'Stat'?)"
        );
        assert_eq!(
            err("node A\nrel R A|B- -> A\n"),
            "s.fgs:2:9: expected a node kind (Kind|Kind or *), found 'B-'"
        );
        assert_eq!(
            err("node\n"),
            "s.fgs:1:5: expected a name after 'node', found the end of the record"
        );
        assert_eq!(
            err("  node A\n"),
            "s.fgs:1:3: this indented line continues no record: a record starts at column 1"
        );
    }
}
