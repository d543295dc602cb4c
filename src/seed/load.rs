//! Loads a parsed fact file into a graph: entities (merged by key across
//! files), facts, statements, aliases, the article, and the Date calendar.
//!
//! All or nothing: the work is done on a clone of the graph, which replaces
//! the caller's graph only when the whole file loaded.

use std::collections::HashMap;

use crate::error::{LoadError, QueryError, Span};
use crate::model::date::resolve_relative;
use crate::model::names::did_you_mean;
use crate::model::{FDate, LabelSet, NodeId, Props, RelId, Value};
use crate::store::{ALIASES, Graph, NAME};

use super::error_at;
use super::format::{FactFile, Name, Prop, RecordKind, SVal, Val, parse_facts};

/// The modalities a fact may have.
pub const MODALITIES: [&str; 3] = ["accomplished", "expected", "planned"];

/// What one fact file added to the graph.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LoadReport {
    /// The fact file's name, as given to the loader.
    pub file: String,
    /// The article's key.
    pub article: String,
    /// `entity` records that created a node.
    pub entities_created: usize,
    /// `entity` records for a key already defined (in this file or before).
    pub entities_merged: usize,
    /// `fact` records (one relationship each).
    pub facts: usize,
    /// `statement` records (one node each).
    pub statements: usize,
    /// Aliases added by `alias` records.
    pub aliases: usize,
    /// Date nodes created (calendar parents included).
    pub dates: usize,
}

/// Loads one fact file into `graph`. `article_text` is the text of the
/// article the file's `article` record names; every quote must occur in it
/// verbatim. On error the graph is unchanged.
pub fn load_facts(
    graph: &mut Graph,
    file: &str,
    text: &str,
    article_text: &str,
) -> Result<LoadReport, LoadError> {
    let parsed = parse_facts(file, text)?;
    load_parsed(graph, file, text, &parsed, article_text)
}

/// Loads a fact file that was parsed already (see [`load_facts`]); `text` is
/// the file's text, for positions in errors.
pub fn load_parsed(
    graph: &mut Graph,
    file: &str,
    text: &str,
    facts: &FactFile,
    article_text: &str,
) -> Result<LoadReport, LoadError> {
    graph.all_or_nothing(|g| {
        let mut l = Loader::new(g, file, text, article_text);
        for record in &facts.records {
            l.record(&record.kind, record.span)?;
        }
        if let Err(e) = l.g.check_all() {
            let at = facts.records.first().map(|r| r.span.start).unwrap_or(0);
            return Err(l.err(
                at,
                format!(
                    "after loading the file, the graph breaks its schema: {}",
                    e.message
                ),
            ));
        }
        Ok(l.report)
    })
}

struct Loader<'a> {
    g: &'a mut Graph,
    file: &'a str,
    src: &'a str,
    article_text: &'a str,
    /// Every node with a `key`: entities, statements, articles.
    keys: HashMap<String, NodeId>,
    /// Line each key was defined on in this file, for messages.
    lines: HashMap<String, usize>,
    dates: HashMap<FDate, NodeId>,
    article: Option<(NodeId, String, FDate)>,
    report: LoadReport,
}

impl<'a> Loader<'a> {
    fn new(g: &'a mut Graph, file: &'a str, src: &'a str, article_text: &'a str) -> Loader<'a> {
        let mut keys = HashMap::new();
        let mut dates = HashMap::new();
        for id in g.node_ids() {
            let Some(node) = g.node(id) else { continue };
            if let Some(Value::String(k)) = node.props.get("key").as_deref() {
                keys.entry(k.clone()).or_insert(id);
            }
            if node.labels.iter().any(|l| l == "Date")
                && let Some(Value::Date(d)) = node.props.get("value").as_deref()
            {
                dates.entry(*d).or_insert(id);
            }
        }
        Loader {
            g,
            file,
            src,
            article_text,
            keys,
            lines: HashMap::new(),
            dates,
            article: None,
            report: LoadReport {
                file: file.to_string(),
                ..LoadReport::default()
            },
        }
    }

    fn err(&self, offset: usize, msg: impl Into<String>) -> LoadError {
        error_at(self.file, self.src, offset, msg)
    }

    /// A store error (a schema violation) as a load error at `offset`.
    fn qerr(&self, offset: usize, e: QueryError) -> LoadError {
        let mut msg = e.message;
        if let Some(h) = e.hint {
            msg.push_str(&format!(" (did you mean {h}?)"));
        }
        self.err(offset, msg)
    }

    fn line_of(&self, offset: usize) -> usize {
        crate::error::line_col(self.src, offset).0
    }

    fn record(&mut self, kind: &RecordKind, span: Span) -> Result<(), LoadError> {
        match kind {
            RecordKind::Article { key, props } => self.article(key, props, span),
            RecordKind::Entity {
                kind,
                key,
                name,
                props,
            } => self.entity(kind, key, name, props, span),
            RecordKind::Fact {
                from,
                rel_type,
                to,
                props,
            } => self.fact(from, rel_type, to, props, span),
            RecordKind::Statement { kind, key, props } => self.statement(kind, key, props, span),
            RecordKind::Alias { key, names } => self.alias(key, names, span),
        }
    }

    fn article_info(&self, at: usize) -> Result<(NodeId, String, FDate), LoadError> {
        self.article
            .clone()
            .ok_or_else(|| self.err(at, "this record comes before the file's `article` record"))
    }

    // ---- values ------------------------------------------------------------

    fn value(&self, v: &SVal) -> Result<Value, LoadError> {
        Ok(match &v.val {
            Val::Str(s) => Value::String(s.clone()),
            Val::Int(i) => Value::Int(*i),
            Val::Float(f) => Value::Float(*f),
            Val::Bool(b) => Value::Bool(*b),
            Val::Date(d) => Value::Date(*d),
            Val::Relative(phrase) => {
                let Some((_, _, published)) = &self.article else {
                    return Err(self.err(
                        v.span.start,
                        "a relative date needs the article's publication date",
                    ));
                };
                match resolve_relative(phrase, published) {
                    Some(d) => Value::Date(d),
                    None => {
                        return Err(self.err(
                            v.span.start,
                            format!(
                                "unknown relative date \"{phrase}\": write one of this year, last year, next year, this month, last month, today, yesterday, [literally] a week ago, two weeks ago, a month ago, a year ago; or an @date"
                            ),
                        ));
                    }
                }
            }
            Val::List(items) => Value::List(
                items
                    .iter()
                    .map(|i| self.value(i))
                    .collect::<Result<_, _>>()?,
            ),
            Val::Ref(k) => {
                return Err(self.err(
                    v.span.start,
                    format!("'{k}' is a reference to a key, which cannot be a property value"),
                ));
            }
        })
    }

    /// Converts the plain (non-reference) properties, checking each against
    /// the schema for `labels` so that an error points at the property.
    fn node_props(
        &self,
        labels: &[String],
        props: &[&Prop],
    ) -> Result<Vec<(String, Value, Span)>, LoadError> {
        let mut out = Vec::new();
        for p in props {
            let v = self.value(&p.value)?;
            if let Some(s) = self.g.schema() {
                let one: Props = [(p.name.clone(), v.clone())].into();
                s.check_node(&LabelSet::from(labels.to_vec()), &one, false)
                    .map_err(|m| self.err(p.name_span.start, m))?;
            }
            if let Val::Relative(phrase) = &p.value.val
                && p.name == "date"
                && !props.iter().any(|q| q.name == "date_text")
            {
                out.push((
                    "date_text".to_string(),
                    Value::String(phrase.clone()),
                    p.name_span,
                ));
            }
            out.push((p.name.clone(), v, p.name_span));
        }
        Ok(out)
    }

    /// Checks and completes the properties every fact and statement carries:
    /// the verbatim quote, the modality, source and valid_from.
    fn fact_props(
        &self,
        props: &mut Vec<(String, Value, Span)>,
        src: &[&Prop],
        record: Span,
    ) -> Result<(), LoadError> {
        let (_, article_key, published) = self.article_info(record.start)?;
        let quote = src.iter().find(|p| p.name == "quote");
        match quote.map(|p| &p.value) {
            None => {
                return Err(self.err(
                    record.start,
                    "this record has no quote=\"...\": every fact and statement cites its article verbatim",
                ));
            }
            Some(SVal {
                val: Val::Str(q),
                span,
            }) => {
                if q.is_empty() {
                    return Err(self.err(span.start, "the quote is empty"));
                }
                if !self.article_text.contains(q.as_str()) {
                    return Err(self.err(
                        span.start,
                        format!("the quote does not occur verbatim in the article {article_key}: \"{q}\""),
                    ));
                }
            }
            Some(v) => return Err(self.err(v.span.start, "the quote must be a string")),
        }
        let modality = match src.iter().find(|p| p.name == "modality") {
            None => {
                props.push((
                    "modality".into(),
                    Value::String(MODALITIES[0].into()),
                    record,
                ));
                MODALITIES[0].to_string()
            }
            Some(p) => match &p.value.val {
                Val::Str(m) if MODALITIES.contains(&m.as_str()) => m.clone(),
                _ => {
                    return Err(self.err(
                        p.value.span.start,
                        "modality must be \"accomplished\", \"expected\" or \"planned\"",
                    ));
                }
            },
        };
        props.push(("source".into(), Value::String(article_key), record));
        if !props.iter().any(|(k, _, _)| k == "valid_from") {
            let date = props
                .iter()
                .find(|(k, _, _)| k == "date")
                .map(|(_, v, _)| v);
            let from = match date {
                Some(Value::Date(d)) if modality == "accomplished" => *d,
                _ => published,
            };
            props.push(("valid_from".into(), Value::Date(from), record));
        }
        Ok(())
    }

    /// The node of an entity or statement key defined before.
    fn resolve(&self, key: &Name) -> Result<NodeId, LoadError> {
        self.keys.get(&key.text).copied().ok_or_else(|| {
            let mut msg = format!(
                "unknown key '{}': define it with an `entity` or `statement` record before this line (or in an earlier file)",
                key.text
            );
            if let Some(s) = did_you_mean(&key.text, self.keys.keys().map(String::as_str)) {
                msg.push_str(&format!(" (did you mean '{s}'?)"));
            }
            self.err(key.span.start, msg)
        })
    }

    fn where_defined(&self, key: &str) -> String {
        match self.lines.get(key) {
            Some(line) => format!("on line {line}"),
            None => "in an earlier file".into(),
        }
    }

    /// The Date node of `d`, created with its calendar parents when new.
    fn date_node(&mut self, d: FDate, at: usize) -> Result<NodeId, LoadError> {
        if let Some(&id) = self.dates.get(&d) {
            return Ok(id);
        }
        let parent = match d.parent() {
            Some(p) => Some(self.date_node(p, at)?),
            None => None,
        };
        let props: Props = [
            (NAME.to_string(), Value::String(d.to_string())),
            ("value".to_string(), Value::Date(d)),
            (
                "precision".to_string(),
                Value::String(d.precision.name().to_string()),
            ),
            ("approx".to_string(), Value::Bool(d.approx)),
        ]
        .into();
        let id = self
            .g
            .create_node(vec!["Date".into()], props)
            .map_err(|e| self.qerr(at, e))?;
        if let Some(p) = parent {
            self.g
                .create_rel(id, p, "IN".into(), Props::new())
                .map_err(|e| self.qerr(at, e))?;
        }
        self.dates.insert(d, id);
        self.report.dates += 1;
        Ok(id)
    }

    /// Creates `from -[type]-> to` unless it exists already (without properties).
    fn link_once(
        &mut self,
        from: NodeId,
        to: NodeId,
        rel_type: &str,
        at: usize,
    ) -> Result<Option<RelId>, LoadError> {
        let exists = self
            .g
            .out_rels(from)
            .any(|(r, end)| end == to && self.g.rel(r).is_some_and(|r| r.rel_type == rel_type));
        if exists {
            return Ok(None);
        }
        let r = self
            .g
            .create_rel(from, to, rel_type.to_string(), Props::new())
            .map_err(|e| self.qerr(at, e))?;
        Ok(Some(r))
    }

    /// Links a node that has a `date` to its Date node.
    fn link_date(&mut self, node: NodeId, at: usize) -> Result<Option<RelId>, LoadError> {
        let date = match self
            .g
            .node(node)
            .and_then(|n| n.props.get("date"))
            .as_deref()
        {
            Some(Value::Date(d)) => *d,
            _ => return Ok(None),
        };
        let d = self.date_node(date, at)?;
        self.link_once(node, d, "ON", at)
    }

    fn complete(&self, nodes: &[NodeId], rels: &[RelId], at: usize) -> Result<(), LoadError> {
        self.g
            .check_complete(nodes, rels)
            .map_err(|e| self.qerr(at, e))
    }

    // ---- records -----------------------------------------------------------

    // article <key> [prop=value]...
    fn article(&mut self, key: &Name, props: &[Prop], span: Span) -> Result<(), LoadError> {
        if self.keys.contains_key(&key.text) {
            return Err(self.err(
                key.span.start,
                format!(
                    "the key '{}' is already in the graph: is this article loaded already?",
                    key.text
                ),
            ));
        }
        let published = props
            .iter()
            .find_map(|p| match (&p.name[..], &p.value.val) {
                ("published", Val::Date(d)) => Some(*d),
                _ => None,
            })
            .ok_or_else(|| self.err(key.span.start, "the article needs published=@YYYY-MM-DD"))?;
        let labels = vec!["Article".to_string()];
        let all: Vec<&Prop> = props.iter().collect();
        let mut values = self.node_props(&labels, &all)?;
        values.push(("key".into(), Value::String(key.text.clone()), key.span));
        let id = self
            .g
            .create_node(labels, values.into_iter().map(|(k, v, _)| (k, v)).collect())
            .map_err(|e| self.qerr(span.start, e))?;
        self.complete(&[id], &[], span.start)?;
        self.keys.insert(key.text.clone(), id);
        self.lines
            .insert(key.text.clone(), self.line_of(span.start));
        self.article = Some((id, key.text.clone(), published));
        self.report.article = key.text.clone();
        Ok(())
    }

    // entity <Kind> <key> "<name>" [prop=value]...
    fn entity(
        &mut self,
        kind: &Name,
        key: &Name,
        name: &Name,
        props: &[Prop],
        span: Span,
    ) -> Result<(), LoadError> {
        let (article, _, _) = self.article_info(span.start)?;
        let labels = vec![kind.text.clone()];
        if let Some(s) = self.g.schema() {
            s.check_node(&LabelSet::from(labels.clone()), &Props::new(), false)
                .map_err(|m| self.err(kind.span.start, m))?;
        }
        let all: Vec<&Prop> = props.iter().collect();
        let values = self.node_props(&labels, &all)?;
        let mut rels = Vec::new();
        let id = match self.keys.get(&key.text).copied() {
            Some(id) => {
                self.merge(id, kind, key, name, values)?;
                self.report.entities_merged += 1;
                id
            }
            None => {
                let mut p: Props = values.into_iter().map(|(k, v, _)| (k, v)).collect();
                p.insert("key".into(), Value::String(key.text.clone()));
                p.insert(NAME.into(), Value::String(name.text.clone()));
                let id = self
                    .g
                    .create_node(labels, p)
                    .map_err(|e| self.qerr(span.start, e))?;
                self.keys.insert(key.text.clone(), id);
                self.lines
                    .insert(key.text.clone(), self.line_of(span.start));
                self.report.entities_created += 1;
                id
            }
        };
        rels.extend(self.link_date(id, span.start)?);
        rels.extend(self.link_once(id, article, "MENTIONED_IN", span.start)?);
        self.complete(&[id], &rels, span.start)
    }

    /// Merges a repeated `entity` into the node of its key: aliases are
    /// united, new properties added; a different kind, name or value is an error.
    fn merge(
        &mut self,
        id: NodeId,
        kind: &Name,
        key: &Name,
        name: &Name,
        values: Vec<(String, Value, Span)>,
    ) -> Result<(), LoadError> {
        let Some(node) = self.g.node(id).map(|n| n.to_node()) else {
            return Err(self.err(
                key.span.start,
                format!("the key '{}' names a deleted node", key.text),
            ));
        };
        let where_ = self.where_defined(&key.text);
        if node.labels != [kind.text.clone()] {
            return Err(self.err(
                kind.span.start,
                format!(
                    "'{}' is defined {where_} as :{}, not :{}: a repeated entity must have the same kind",
                    key.text,
                    node.labels.join(":"),
                    kind.text
                ),
            ));
        }
        match node.props.get(NAME) {
            Some(Value::String(n)) if *n == name.text => {}
            other => {
                let old = other
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "no name".into());
                return Err(self.err(
                    name.span.start,
                    format!(
                        "'{}' is defined {where_} with the name {old}: a repeated entity must have the same name (put other names in aliases)",
                        key.text
                    ),
                ));
            }
        }
        for (k, v, at) in values {
            if k == ALIASES {
                let Value::List(new) = v else {
                    return Err(self.err(at.start, "aliases must be a list of strings"));
                };
                self.add_aliases(id, &new, at.start)?;
                continue;
            }
            match node.props.get(&k) {
                None => self
                    .g
                    .set_node_prop(id, &k, v)
                    .map_err(|e| self.qerr(at.start, e))?,
                Some(old) if *old == v => {}
                Some(old) => {
                    return Err(self.err(
                        at.start,
                        format!(
                            "'{}' already has {k} = {old} (defined {where_}); a repeated entity cannot change it to {v}",
                            key.text
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Adds the aliases a node does not have yet; returns how many were new.
    fn add_aliases(&mut self, id: NodeId, new: &[Value], at: usize) -> Result<usize, LoadError> {
        let mut list = match self
            .g
            .node(id)
            .and_then(|n| n.props.get(ALIASES))
            .as_deref()
        {
            Some(Value::List(l)) => l.clone(),
            _ => Vec::new(),
        };
        let name = self
            .g
            .node(id)
            .and_then(|n| n.props.get(NAME))
            .map(std::borrow::Cow::into_owned);
        let before = list.len();
        for a in new {
            // The canonical name is found by lookup already; as an alias it would only repeat it.
            if !list.contains(a) && name.as_ref() != Some(a) {
                list.push(a.clone());
            }
        }
        let added = list.len() - before;
        if added > 0 {
            self.g
                .set_node_prop(id, ALIASES, Value::List(list))
                .map_err(|e| self.qerr(at, e))?;
        }
        Ok(added)
    }

    // fact <key> -<TYPE>-> <key> [prop=value]...
    fn fact(
        &mut self,
        from: &Name,
        rel_type: &Name,
        to: &Name,
        props: &[Prop],
        span: Span,
    ) -> Result<(), LoadError> {
        let a = self.resolve(from)?;
        let b = self.resolve(to)?;
        let fl = self.g.node(a).map(|n| n.labels).unwrap_or_default();
        let tl = self.g.node(b).map(|n| n.labels).unwrap_or_default();
        if let Some(s) = self.g.schema() {
            s.check_rel(&rel_type.text, &fl, &tl, &Props::new(), false)
                .map_err(|m| self.err(rel_type.span.start, m))?;
        }
        let mut values = Vec::new();
        for p in props {
            let v = self.value(&p.value)?;
            if let Some(s) = self.g.schema() {
                let one: Props = [(p.name.clone(), v.clone())].into();
                s.check_rel(&rel_type.text, &fl, &tl, &one, false)
                    .map_err(|m| self.err(p.name_span.start, m))?;
            }
            if let Val::Relative(phrase) = &p.value.val
                && p.name == "date"
                && !props.iter().any(|q| q.name == "date_text")
            {
                values.push((
                    "date_text".to_string(),
                    Value::String(phrase.clone()),
                    p.name_span,
                ));
            }
            values.push((p.name.clone(), v, p.name_span));
        }
        let all: Vec<&Prop> = props.iter().collect();
        self.fact_props(&mut values, &all, span)?;
        // A fact is a relationship and cannot point at its Date node, but its
        // date still joins the calendar, so "what happened in 2023-10" sees it.
        if let Some((_, Value::Date(d), at)) = values.iter().find(|(k, _, _)| k == "date") {
            let (d, at) = (*d, at.start);
            self.date_node(d, at)?;
        }
        let p: Props = values.into_iter().map(|(k, v, _)| (k, v)).collect();
        let r = self
            .g
            .create_rel(a, b, rel_type.text.clone(), p)
            .map_err(|e| self.qerr(rel_type.span.start, e))?;
        self.complete(&[], &[r], span.start)?;
        self.report.facts += 1;
        Ok(())
    }

    // statement <Kind> <key> [name=value]...
    fn statement(
        &mut self,
        kind: &Name,
        key: &Name,
        props: &[Prop],
        span: Span,
    ) -> Result<(), LoadError> {
        let (article, _, _) = self.article_info(span.start)?;
        if self.keys.contains_key(&key.text) {
            return Err(self.err(
                key.span.start,
                format!(
                    "the key '{}' is already defined {}",
                    key.text,
                    self.where_defined(&key.text)
                ),
            ));
        }
        let labels = vec!["Statement".to_string(), kind.text.clone()];
        if let Some(s) = self.g.schema() {
            s.check_node(&LabelSet::from(labels.clone()), &Props::new(), false)
                .map_err(|m| self.err(kind.span.start, m))?;
        }
        let (refs, plain): (Vec<&Prop>, Vec<&Prop>) =
            props.iter().partition(|p| p.value.is_reference());
        let mut values = self.node_props(&labels, &plain)?;
        self.fact_props(&mut values, &plain, span)?;
        let mut p: Props = values.into_iter().map(|(k, v, _)| (k, v)).collect();
        p.insert("key".into(), Value::String(key.text.clone()));
        let id = self
            .g
            .create_node(labels, p)
            .map_err(|e| self.qerr(span.start, e))?;
        let mut rels = Vec::new();
        for r in refs {
            let targets: Vec<Name> = match &r.value.val {
                Val::Ref(k) => vec![Name {
                    text: k.clone(),
                    span: r.value.span,
                }],
                Val::List(items) => items
                    .iter()
                    .filter_map(|i| match &i.val {
                        Val::Ref(k) => Some(Name {
                            text: k.clone(),
                            span: i.span,
                        }),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let rel_type = r.name.to_uppercase();
            for t in targets {
                let to = self.resolve(&t)?;
                let rel = self
                    .g
                    .create_rel(id, to, rel_type.clone(), Props::new())
                    .map_err(|e| self.qerr(r.name_span.start, e))?;
                rels.push(rel);
            }
        }
        rels.push(
            self.g
                .create_rel(id, article, "SOURCE".into(), Props::new())
                .map_err(|e| self.qerr(span.start, e))?,
        );
        rels.extend(self.link_date(id, span.start)?);
        self.keys.insert(key.text.clone(), id);
        self.lines
            .insert(key.text.clone(), self.line_of(span.start));
        self.complete(&[id], &rels, span.start)?;
        self.report.statements += 1;
        Ok(())
    }

    // alias <key> "<name>"...
    fn alias(&mut self, key: &Name, names: &[Name], span: Span) -> Result<(), LoadError> {
        let id = self.resolve(key)?;
        let new: Vec<Value> = names
            .iter()
            .map(|n| Value::String(n.text.clone()))
            .collect();
        let added = self.add_aliases(
            id,
            &new,
            names.first().map(|n| n.span.start).unwrap_or(span.start),
        )?;
        self.report.aliases += added;
        self.complete(&[id], &[], span.start)
    }
}
