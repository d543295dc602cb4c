//! The `*.facts` format (see `seed/FORMAT.md`): records parsed into a small
//! syntax tree, every part with its span, so the loader can point at the
//! token a problem is about.

use crate::error::{LoadError, Span};
use crate::model::FDate;
use crate::model::names::did_you_mean;

use super::error_at;
use super::lexer::{Tok, Token, split_records, tokenize};

/// A value as written in a fact file.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(FDate),
    /// `relative("last year")`, resolved by the loader against the
    /// article's publication date.
    Relative(String),
    List(Vec<SVal>),
    /// A bare identifier: the key of an entity or statement.
    Ref(String),
}

/// A value and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct SVal {
    pub val: Val,
    pub span: Span,
}

impl SVal {
    /// True for a reference or a non-empty list of references.
    pub fn is_reference(&self) -> bool {
        match &self.val {
            Val::Ref(_) => true,
            Val::List(items) => {
                !items.is_empty() && items.iter().all(|i| matches!(i.val, Val::Ref(_)))
            }
            _ => false,
        }
    }
}

/// `name=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Prop {
    pub name: String,
    pub name_span: Span,
    pub value: SVal,
}

/// An identifier and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// The records of a fact file.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordKind {
    Article {
        key: Name,
        props: Vec<Prop>,
    },
    Entity {
        kind: Name,
        key: Name,
        name: Name,
        props: Vec<Prop>,
    },
    Fact {
        from: Name,
        rel_type: Name,
        to: Name,
        props: Vec<Prop>,
    },
    Statement {
        kind: Name,
        key: Name,
        props: Vec<Prop>,
    },
    Alias {
        key: Name,
        names: Vec<Name>,
    },
}

/// A record and the span of its keyword (column 1 of its first line).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: RecordKind,
    pub span: Span,
}

/// A parsed fact file. The first record is always the `article`.
#[derive(Debug, Clone, PartialEq)]
pub struct FactFile {
    pub records: Vec<Record>,
}

impl FactFile {
    /// The value of the article's `file` property: the article text's file name.
    pub fn article_file(&self) -> Option<(&str, Span)> {
        self.article_prop("file").and_then(|v| match &v.val {
            Val::Str(s) => Some((s.as_str(), v.span)),
            _ => None,
        })
    }
    /// The article's key.
    pub fn article_key(&self) -> Option<&str> {
        match &self.records.first()?.kind {
            RecordKind::Article { key, .. } => Some(&key.text),
            _ => None,
        }
    }
    fn article_prop(&self, name: &str) -> Option<&SVal> {
        match &self.records.first()?.kind {
            RecordKind::Article { props, .. } => {
                props.iter().find(|p| p.name == name).map(|p| &p.value)
            }
            _ => None,
        }
    }
}

const KEYWORDS: [&str; 5] = ["article", "entity", "fact", "statement", "alias"];

/// Parses a fact file. Checks what can be checked without a graph: the
/// syntax, one `article` first, no repeated property, references only where
/// a statement can turn them into relationships.
pub fn parse_facts(file: &str, text: &str) -> Result<FactFile, LoadError> {
    let mut records = Vec::new();
    for raw in split_records(file, text)? {
        let tokens = tokenize(file, text, &raw)?;
        let end = raw
            .lines
            .last()
            .map(|l| l.offset + l.text.len())
            .unwrap_or(text.len());
        let mut p = Parser {
            file,
            text,
            tokens,
            pos: 0,
            end,
        };
        let record = p.record()?;
        let is_article = matches!(record.kind, RecordKind::Article { .. });
        if records.is_empty() && !is_article {
            return Err(p.err_at(
                record.span.start,
                "a fact file starts with its `article` record (article <key> file=\"...\" published=@YYYY-MM-DD ...)",
            ));
        }
        if !records.is_empty() && is_article {
            return Err(p.err_at(
                record.span.start,
                "a fact file has exactly one `article` record, and this is a second one",
            ));
        }
        records.push(record);
    }
    if records.is_empty() {
        return Err(error_at(
            file,
            text,
            text.len(),
            "the file has no records: a fact file starts with its `article` record",
        ));
    }
    Ok(FactFile { records })
}

struct Parser<'a> {
    file: &'a str,
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    /// Offset of the end of the record's last line, where "found the end of
    /// the record" points.
    end: usize,
}

impl Parser<'_> {
    fn err_at(&self, offset: usize, msg: impl Into<String>) -> LoadError {
        error_at(self.file, self.text, offset, msg)
    }
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }
    fn here(&self) -> usize {
        self.peek().map(|t| t.span.start).unwrap_or(self.end)
    }
    fn found(&self) -> String {
        self.peek()
            .map(|t| t.tok.describe())
            .unwrap_or_else(|| "the end of the record".into())
    }
    fn expected(&self, what: &str) -> LoadError {
        self.err_at(
            self.here(),
            format!("expected {what}, found {}", self.found()),
        )
    }
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn ident(&mut self, what: &str) -> Result<Name, LoadError> {
        match self.peek() {
            Some(Token {
                tok: Tok::Ident(s),
                span,
            }) => {
                let n = Name {
                    text: s.clone(),
                    span: *span,
                };
                self.pos += 1;
                Ok(n)
            }
            _ => Err(self.expected(what)),
        }
    }

    fn string(&mut self, what: &str) -> Result<Name, LoadError> {
        match self.peek() {
            Some(Token {
                tok: Tok::Str(s),
                span,
            }) => {
                let n = Name {
                    text: s.clone(),
                    span: *span,
                };
                self.pos += 1;
                Ok(n)
            }
            _ => Err(self.expected(what)),
        }
    }

    // record := article | entity | fact | statement | alias
    fn record(&mut self) -> Result<Record, LoadError> {
        let kw = self.ident("a record keyword (article, entity, fact, statement, alias)")?;
        let refs_allowed = kw.text == "statement";
        let kind = match kw.text.as_str() {
            // article <key> [prop=value]...
            "article" => {
                let key = self.ident("the article's key (an identifier such as a000)")?;
                let props = self.props(refs_allowed)?;
                self.check_article(&key, &props)?;
                RecordKind::Article { key, props }
            }
            // entity <Kind> <key> "<name>" [prop=value]...
            "entity" => {
                let kind = self.ident("the entity's kind (State, Person, ...)")?;
                let key = self.ident("the entity's key (an identifier)")?;
                let name = self.string("the entity's canonical name in double quotes")?;
                let props = self.props(refs_allowed)?;
                self.reserved(&props, &["key", "name"], "entity")?;
                RecordKind::Entity {
                    kind,
                    key,
                    name,
                    props,
                }
            }
            // fact <key> -<TYPE>-> <key> [prop=value]...
            "fact" => {
                let from = self.ident("the key of the fact's start entity")?;
                let rel_type = match self.peek() {
                    Some(Token {
                        tok: Tok::Arrow(t),
                        span,
                    }) => {
                        let n = Name {
                            text: t.clone(),
                            span: Span::new(span.start + 1, span.end - 2),
                        };
                        self.pos += 1;
                        n
                    }
                    _ => return Err(self.expected("a relationship such as -HOLDS_OFFICE->")),
                };
                let to = self.ident("the key of the fact's end entity")?;
                let props = self.props(refs_allowed)?;
                self.reserved(&props, &["source"], "fact")?;
                RecordKind::Fact {
                    from,
                    rel_type,
                    to,
                    props,
                }
            }
            // statement <Kind> <key> [name=value]...
            "statement" => {
                let kind = self.ident("the statement's kind (Membership, ...)")?;
                let key = self.ident("the statement's key (an identifier)")?;
                let props = self.props(refs_allowed)?;
                self.reserved(&props, &["key", "source"], "statement")?;
                RecordKind::Statement { kind, key, props }
            }
            // alias <key> "<name>"...
            "alias" => {
                let key = self.ident("the key of the entity the aliases are for")?;
                let mut names = vec![self.string("an alias in double quotes")?];
                while self.peek().is_some() {
                    names.push(self.string("an alias in double quotes")?);
                }
                RecordKind::Alias { key, names }
            }
            other => {
                let mut msg = format!(
                    "unknown record '{other}': a record is one of article, entity, fact, statement, alias"
                );
                if let Some(s) = did_you_mean(other, KEYWORDS) {
                    msg.push_str(&format!(" (did you mean '{s}'?)"));
                }
                return Err(self.err_at(kw.span.start, msg));
            }
        };
        Ok(Record {
            kind,
            span: kw.span,
        })
    }

    fn check_article(&self, key: &Name, props: &[Prop]) -> Result<(), LoadError> {
        let find = |n: &str| props.iter().find(|p| p.name == n);
        match find("file") {
            Some(Prop {
                value: SVal {
                    val: Val::Str(_), ..
                },
                ..
            }) => {}
            Some(p) => {
                return Err(self.err_at(
                    p.value.span.start,
                    "the article's file must be a string: file=\"<name>.txt\"",
                ));
            }
            None => {
                return Err(self.err_at(
                    key.span.start,
                    "the article needs file=\"...\": the name of its text in seed/articles/",
                ));
            }
        }
        match find("published") {
            Some(Prop {
                value: SVal {
                    val: Val::Date(_), ..
                },
                ..
            }) => {}
            Some(p) => {
                return Err(self.err_at(
                    p.value.span.start,
                    "the article's publication date must be a date: published=@YYYY-MM-DD",
                ));
            }
            None => {
                return Err(self.err_at(
                    key.span.start,
                    "the article needs published=@YYYY-MM-DD: relative dates and valid_from are resolved against it",
                ));
            }
        }
        self.reserved(props, &["key"], "article")
    }

    fn reserved(&self, props: &[Prop], names: &[&str], record: &str) -> Result<(), LoadError> {
        for p in props {
            if names.contains(&p.name.as_str()) {
                let why = match p.name.as_str() {
                    "key" => format!("the {record}'s key is written after the kind, not as key=..."),
                    "name" => "the entity's name is the quoted string after its key; more names go into aliases=[...]".into(),
                    _ => "source is set by the loader to the article's key".into(),
                };
                return Err(self.err_at(
                    p.name_span.start,
                    format!("'{}' cannot be given here: {why}", p.name),
                ));
            }
        }
        Ok(())
    }

    // props := (ident '=' value)*
    fn props(&mut self, refs_allowed: bool) -> Result<Vec<Prop>, LoadError> {
        let mut props: Vec<Prop> = Vec::new();
        while self.peek().is_some() {
            let name = self.ident("a property name=value")?;
            if !matches!(self.peek(), Some(Token { tok: Tok::Eq, .. })) {
                return Err(self.expected(&format!("'=' after '{}'", name.text)));
            }
            self.pos += 1;
            let value = self.value(refs_allowed, false)?;
            if props.iter().any(|p| p.name == name.text) {
                return Err(self.err_at(
                    name.span.start,
                    format!("the property '{}' is given twice in this record", name.text),
                ));
            }
            if let Val::List(items) = &value.val {
                let refs = items
                    .iter()
                    .filter(|i| matches!(i.val, Val::Ref(_)))
                    .count();
                if refs > 0 && refs < items.len() {
                    let odd = items
                        .iter()
                        .find(|i| !matches!(i.val, Val::Ref(_)))
                        .map(|i| i.span.start);
                    return Err(self.err_at(
                        odd.unwrap_or(value.span.start),
                        "a list holds either keys (relationships) or values, not both",
                    ));
                }
            }
            props.push(Prop {
                name_span: name.span,
                name: name.text,
                value,
            });
        }
        Ok(props)
    }

    // value := string | number | bool | @date | relative("...") | '[' value,* ']' | key
    fn value(&mut self, refs_allowed: bool, in_list: bool) -> Result<SVal, LoadError> {
        let Some(t) = self.next() else {
            self.pos -= 1;
            return Err(self.expected("a value"));
        };
        let val = match t.tok {
            Tok::Str(s) => Val::Str(s),
            Tok::Int(i) => Val::Int(i),
            Tok::Float(f) => Val::Float(f),
            Tok::Date(d) => Val::Date(d),
            Tok::Ident(s) if s == "true" => Val::Bool(true),
            Tok::Ident(s) if s == "false" => Val::Bool(false),
            Tok::Ident(s)
                if s == "relative"
                    && matches!(
                        self.peek(),
                        Some(Token {
                            tok: Tok::LParen,
                            ..
                        })
                    ) =>
            {
                self.pos += 1;
                let phrase =
                    self.string("a phrase in double quotes, as in relative(\"last year\")")?;
                if !matches!(
                    self.peek(),
                    Some(Token {
                        tok: Tok::RParen,
                        ..
                    })
                ) {
                    return Err(self.expected("')'"));
                }
                let end = self.next().map(|t| t.span.end).unwrap_or(self.end);
                return Ok(SVal {
                    val: Val::Relative(phrase.text),
                    span: Span::new(t.span.start, end),
                });
            }
            Tok::Ident(s) => {
                if !refs_allowed {
                    return Err(self.err_at(
                        t.span.start,
                        format!(
                            "'{s}' is a bare identifier, a reference to a key, which only a statement can use; write a string in double quotes"
                        ),
                    ));
                }
                Val::Ref(s)
            }
            Tok::LBrack => {
                if in_list {
                    return Err(self.err_at(t.span.start, "lists cannot be nested"));
                }
                let mut items = Vec::new();
                loop {
                    if matches!(
                        self.peek(),
                        Some(Token {
                            tok: Tok::RBrack,
                            ..
                        })
                    ) {
                        break;
                    }
                    items.push(self.value(refs_allowed, true)?);
                    match self.peek() {
                        Some(Token {
                            tok: Tok::Comma, ..
                        }) => self.pos += 1,
                        Some(Token {
                            tok: Tok::RBrack, ..
                        }) => break,
                        _ => return Err(self.expected("',' or ']'")),
                    }
                }
                let end = self.next().map(|t| t.span.end).unwrap_or(self.end);
                return Ok(SVal {
                    val: Val::List(items),
                    span: Span::new(t.span.start, end),
                });
            }
            _ => {
                self.pos -= 1;
                return Err(self.expected("a value"));
            }
        };
        Ok(SVal { val, span: t.span })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "article a1 file=\"a.txt\" published=@2024-01-18\n";

    fn parse(body: &str) -> FactFile {
        parse_facts("t.facts", &format!("{HEAD}{body}")).unwrap()
    }
    fn err(body: &str) -> String {
        match parse_facts("t.facts", &format!("{HEAD}{body}")) {
            Ok(f) => panic!("no error, parsed {f:?}"),
            Err(e) => e.to_string(),
        }
    }
    fn props_of(f: &FactFile, i: usize) -> Vec<(String, Val)> {
        let props = match &f.records[i].kind {
            RecordKind::Article { props, .. }
            | RecordKind::Entity { props, .. }
            | RecordKind::Fact { props, .. }
            | RecordKind::Statement { props, .. } => props,
            RecordKind::Alias { .. } => panic!("alias has no props"),
        };
        props
            .iter()
            .map(|p| (p.name.clone(), p.value.val.clone()))
            .collect()
    }

    #[test]
    fn each_value_kind() {
        let f = parse(
            "statement Membership m1 s=\"a \\\"b\\\"\" i=42 n=-3 x=2.5 t=true u=false d=@2023 m=@2023-10\n  \
             dd=@2023-10-11 ap=@~2024-01-11 r=relative(\"last year\") l=[\"a\", \"b\",] e=[] who=belarus ps=[a, b]\n",
        );
        let d = |s: &str| Val::Date(FDate::parse(s).unwrap());
        let s = |x: &str| SVal {
            val: Val::Str(x.into()),
            span: Span::default(),
        };
        let got: Vec<(String, Val)> = props_of(&f, 1)
            .into_iter()
            .map(|(k, v)| match v {
                // Spans are checked elsewhere; compare list contents only.
                Val::List(items) => (
                    k,
                    Val::List(
                        items
                            .into_iter()
                            .map(|i| SVal {
                                val: i.val,
                                span: Span::default(),
                            })
                            .collect(),
                    ),
                ),
                v => (k, v),
            })
            .collect();
        let r = |x: &str| SVal {
            val: Val::Ref(x.into()),
            span: Span::default(),
        };
        assert_eq!(
            got,
            vec![
                ("s".into(), Val::Str("a \"b\"".into())),
                ("i".into(), Val::Int(42)),
                ("n".into(), Val::Int(-3)),
                ("x".into(), Val::Float(2.5)),
                ("t".into(), Val::Bool(true)),
                ("u".into(), Val::Bool(false)),
                ("d".into(), d("2023")),
                ("m".into(), d("2023-10")),
                ("dd".into(), d("2023-10-11")),
                ("ap".into(), d("~2024-01-11")),
                ("r".into(), Val::Relative("last year".into())),
                ("l".into(), Val::List(vec![s("a"), s("b")])),
                ("e".into(), Val::List(vec![])),
                ("who".into(), Val::Ref("belarus".into())),
                ("ps".into(), Val::List(vec![r("a"), r("b")])),
            ]
        );
    }

    #[test]
    fn record_shapes_and_continuation_lines() {
        let f = parse(
            "entity Person aleinik \"Sergei Aleinik\" # the minister\n  aliases=[\"Alejnik\"]\n\
             fact aleinik -HOLDS_OFFICE-> belarus\n\n  # the role\n\trole=\"Minister\"\n\
             alias aleinik \"Sergej Alejnik\" \"Aleinik\"\n",
        );
        assert_eq!(f.records.len(), 4);
        assert_eq!(f.article_key(), Some("a1"));
        assert_eq!(f.article_file().map(|(s, _)| s), Some("a.txt"));
        match &f.records[1].kind {
            RecordKind::Entity {
                kind,
                key,
                name,
                props,
            } => {
                assert_eq!(
                    (kind.text.as_str(), key.text.as_str(), name.text.as_str()),
                    ("Person", "aleinik", "Sergei Aleinik")
                );
                assert_eq!(props.len(), 1);
            }
            k => panic!("{k:?}"),
        }
        match &f.records[2].kind {
            RecordKind::Fact {
                from,
                rel_type,
                to,
                props,
            } => {
                assert_eq!(
                    (from.text.as_str(), rel_type.text.as_str(), to.text.as_str()),
                    ("aleinik", "HOLDS_OFFICE", "belarus")
                );
                assert_eq!(props[0].name, "role");
            }
            k => panic!("{k:?}"),
        }
        match &f.records[3].kind {
            RecordKind::Alias { key, names } => {
                assert_eq!(key.text, "aleinik");
                assert_eq!(
                    names.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
                    ["Sergej Alejnik", "Aleinik"]
                );
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn relationship_type_span_covers_the_name() {
        let src = format!("{HEAD}fact a -IN-> b\n");
        let f = parse_facts("t", &src).unwrap();
        let RecordKind::Fact { rel_type, .. } = &f.records[1].kind else {
            panic!()
        };
        assert_eq!(&src[rel_type.span.start..rel_type.span.end], "IN");
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        // line 1 is the article record
        assert_eq!(
            err("entiy State b \"B\"\n"),
            "t.facts:2:1: unknown record 'entiy': a record is one of article, entity, fact, statement, alias (did you mean 'entity'?)"
        );
        assert_eq!(
            err("entity State \"B\"\n"),
            "t.facts:2:14: expected the entity's key (an identifier), found the string \"B\""
        );
        assert_eq!(
            err("entity State b B\n"),
            "t.facts:2:16: expected the entity's canonical name in double quotes, found 'B'"
        );
        assert_eq!(
            err("entity State b \"B\"\n  x 1\n"),
            "t.facts:3:5: expected '=' after 'x', found the number 1"
        );
        assert_eq!(
            err("entity State b \"B\" x=\n"),
            "t.facts:2:22: expected a value, found the end of the record"
        );
        assert_eq!(
            err("entity State b \"B\" x=1 x=2\n"),
            "t.facts:2:24: the property 'x' is given twice in this record"
        );
        assert_eq!(
            err("entity State b \"B\" capital=minsk\n"),
            "t.facts:2:28: 'minsk' is a bare identifier, a reference to a key, which only a statement can use; write a string in double quotes"
        );
        assert_eq!(
            err("entity State b \"B\" l=[[1]]\n"),
            "t.facts:2:23: lists cannot be nested"
        );
        assert_eq!(
            err("entity State b \"B\" l=[1 2]\n"),
            "t.facts:2:25: expected ',' or ']', found the number 2"
        );
        assert_eq!(
            err("statement M s l=[a, \"b\"]\n"),
            "t.facts:2:21: a list holds either keys (relationships) or values, not both"
        );
        assert_eq!(
            err("entity State b \"B\" name=\"C\"\n"),
            "t.facts:2:20: 'name' cannot be given here: the entity's name is the quoted string after its key; more names go into aliases=[...]"
        );
        assert_eq!(
            err("fact a b\n"),
            "t.facts:2:8: expected a relationship such as -HOLDS_OFFICE->, found 'b'"
        );
        assert_eq!(
            err("fact a -X-> b source=\"a1\"\n"),
            "t.facts:2:15: 'source' cannot be given here: source is set by the loader to the article's key"
        );
        assert_eq!(
            err("statement M s d=relative(\"x\"\n"),
            "t.facts:2:29: expected ')', found the end of the record"
        );
        assert_eq!(
            err("alias b\n"),
            "t.facts:2:8: expected an alias in double quotes, found the end of the record"
        );
        assert_eq!(
            err("alias b \"x\" y\n"),
            "t.facts:2:13: expected an alias in double quotes, found 'y'"
        );
        assert_eq!(
            err("article a2 file=\"b.txt\" published=@2024\n"),
            "t.facts:2:1: a fact file has exactly one `article` record, and this is a second one"
        );
        assert_eq!(
            err("entity State b \"B\" x=)\n"),
            "t.facts:2:22: expected a value, found ')'"
        );
    }

    #[test]
    fn article_record_is_checked() {
        let e = |src: &str| parse_facts("t.facts", src).unwrap_err().to_string();
        assert_eq!(
            e("entity State b \"B\"\n"),
            "t.facts:1:1: a fact file starts with its `article` record (article <key> file=\"...\" published=@YYYY-MM-DD ...)"
        );
        assert_eq!(
            e("# only a comment\n"),
            "t.facts:2:1: the file has no records: a fact file starts with its `article` record"
        );
        assert_eq!(
            e("article a published=@2024\n"),
            "t.facts:1:9: the article needs file=\"...\": the name of its text in seed/articles/"
        );
        assert_eq!(
            e("article a file=\"x\"\n"),
            "t.facts:1:9: the article needs published=@YYYY-MM-DD: relative dates and valid_from are resolved against it"
        );
        assert_eq!(
            e("article a file=\"x\" published=\"2024\"\n"),
            "t.facts:1:30: the article's publication date must be a date: published=@YYYY-MM-DD"
        );
    }
}
