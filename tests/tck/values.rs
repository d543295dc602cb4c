//! Values as the TCK writes them in result and parameter tables, a parser for
//! that syntax, and the comparison the runner uses.
//!
//! Comparison rules (README.adoc, "Format of the expected results"):
//! integers and floats are different types (`1` never equals `1.0`); floats
//! compare by value with `NaN` equal to `NaN` (no tolerance: the TCK prints
//! floats with enough digits to round-trip, see `floats_need_no_tolerance`);
//! nodes compare by label set and properties, relationships by type and
//! properties, paths node by node and relationship by relationship including
//! each relationship's direction.

use std::collections::BTreeMap;
use std::fmt;

/// A value in TCK notation.
#[derive(Debug, Clone, PartialEq)]
pub enum TckValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<TckValue>),
    Map(BTreeMap<String, TckValue>),
    Node(TckNode),
    Rel(TckRel),
    Path(TckPath),
    /// Something our engine returned that has no TCK notation (a date of
    /// year or month precision); never equal to anything.
    Opaque(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TckNode {
    /// Sorted and deduplicated: labels are a set.
    pub labels: Vec<String>,
    pub props: BTreeMap<String, TckValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TckRel {
    pub rel_type: String,
    pub props: BTreeMap<String, TckValue>,
}

/// `<n0-r1->n1<-r2-n2>`: a start node and (relationship, points right, node) steps.
#[derive(Debug, Clone, PartialEq)]
pub struct TckPath {
    pub start: TckNode,
    pub steps: Vec<(TckRel, bool, TckNode)>,
}

impl TckNode {
    pub fn new(mut labels: Vec<String>, props: BTreeMap<String, TckValue>) -> TckNode {
        labels.sort();
        labels.dedup();
        TckNode { labels, props }
    }
}

// ---- printing (for failure reasons) -------------------------------------

fn write_name(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let plain = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        f.write_str(name)
    } else {
        write!(f, "`{}`", name.replace('`', "``"))
    }
}

fn write_props(f: &mut fmt::Formatter<'_>, props: &BTreeMap<String, TckValue>) -> fmt::Result {
    f.write_str("{")?;
    for (i, (k, v)) in props.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write_name(f, k)?;
        write!(f, ": {v}")?;
    }
    f.write_str("}")
}

impl fmt::Display for TckNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for l in &self.labels {
            f.write_str(":")?;
            write_name(f, l)?;
        }
        if !self.props.is_empty() {
            if !self.labels.is_empty() {
                f.write_str(" ")?;
            }
            write_props(f, &self.props)?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for TckRel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[:")?;
        write_name(f, &self.rel_type)?;
        if !self.props.is_empty() {
            f.write_str(" ")?;
            write_props(f, &self.props)?;
        }
        f.write_str("]")
    }
}

impl fmt::Display for TckValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TckValue::Null => f.write_str("null"),
            TckValue::Bool(b) => write!(f, "{b}"),
            TckValue::Int(i) => write!(f, "{i}"),
            TckValue::Float(x) => {
                if x.is_nan() {
                    f.write_str("NaN")
                } else if x.is_infinite() {
                    f.write_str(if *x > 0.0 { "Inf" } else { "-Inf" })
                } else if *x == x.trunc() && x.abs() < 1e16 {
                    write!(f, "{x:.1}")
                } else {
                    write!(f, "{x:?}")
                }
            }
            TckValue::String(s) => {
                f.write_str("'")?;
                for c in s.chars() {
                    match c {
                        '\'' => f.write_str("\\'")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\t' => f.write_str("\\t")?,
                        '\r' => f.write_str("\\r")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("'")
            }
            TckValue::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            TckValue::Map(m) => write_props(f, m),
            TckValue::Node(n) => write!(f, "{n}"),
            TckValue::Rel(r) => write!(f, "{r}"),
            TckValue::Path(p) => {
                write!(f, "<{}", p.start)?;
                for (r, right, n) in &p.steps {
                    if *right {
                        write!(f, "-{r}->{n}")?;
                    } else {
                        write!(f, "<-{r}-{n}")?;
                    }
                }
                f.write_str(">")
            }
            TckValue::Opaque(s) => f.write_str(s),
        }
    }
}

// ---- parsing --------------------------------------------------------------

/// Parses one table cell. Errors name the offset and what was expected.
pub fn parse_value(text: &str) -> Result<TckValue, String> {
    let mut p = P {
        s: text.as_bytes(),
        src: text,
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("end of value"));
    }
    Ok(v)
}

struct P<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
}

impl P<'_> {
    fn err(&self, expected: &str) -> String {
        format!(
            "cannot read TCK value `{}`: expected {expected} at offset {}",
            self.src, self.i
        )
    }
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(&format!("`{}`", c as char)))
        }
    }
    fn rest(&self) -> &str {
        &self.src[self.i..]
    }

    fn value(&mut self) -> Result<TckValue, String> {
        match self.peek() {
            None => Err(self.err("a value")),
            Some(b'\'') | Some(b'"') => Ok(TckValue::String(self.string()?)),
            Some(b'[') => {
                let save = self.i;
                self.i += 1;
                if self.peek() == Some(b':') {
                    self.i = save;
                    return Ok(TckValue::Rel(self.rel()?));
                }
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value()?);
                        if self.eat(b']') {
                            break;
                        }
                        self.expect(b',')?;
                    }
                }
                Ok(TckValue::List(items))
            }
            Some(b'{') => Ok(TckValue::Map(self.map()?)),
            Some(b'(') => Ok(TckValue::Node(self.node()?)),
            Some(b'<') => Ok(TckValue::Path(self.path()?)),
            Some(_) => self.atom(),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let quote = self.s[self.i];
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        let mut chars = self.src[self.i..].char_indices();
        while let Some((off, c)) = chars.next() {
            if c == quote as char {
                self.i += off + 1;
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, 'b')) => out.push('\u{8}'),
                Some((_, 'f')) => out.push('\u{c}'),
                Some((_, 'u')) => {
                    let hex: String = (0..4)
                        .filter_map(|_| chars.next().map(|(_, h)| h))
                        .collect();
                    let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                    out.push(c.ok_or_else(|| format!("bad \\u escape in `{}`", self.src))?);
                }
                Some((_, o)) => out.push(o),
                None => break,
            }
        }
        self.i = start;
        Err(self.err("a closing quote"))
    }

    fn name(&mut self) -> Result<String, String> {
        self.ws();
        if self.s.get(self.i) == Some(&b'`') {
            let mut out = String::new();
            self.i += 1;
            loop {
                let Some(c) = self.rest().chars().next() else {
                    return Err(self.err("a closing backquote"));
                };
                self.i += c.len_utf8();
                if c == '`' {
                    if self.s.get(self.i) == Some(&b'`') {
                        self.i += 1;
                        out.push('`');
                        continue;
                    }
                    return Ok(out);
                }
                out.push(c);
            }
        }
        let start = self.i;
        let len: usize = self
            .rest()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .map(char::len_utf8)
            .sum();
        self.i += len;
        if self.i == start {
            return Err(self.err("a name"));
        }
        Ok(self.src[start..self.i].to_string())
    }

    fn map(&mut self) -> Result<BTreeMap<String, TckValue>, String> {
        self.expect(b'{')?;
        let mut m = BTreeMap::new();
        if self.eat(b'}') {
            return Ok(m);
        }
        loop {
            let k = self.name()?;
            self.expect(b':')?;
            let v = self.value()?;
            m.insert(k, v);
            if self.eat(b'}') {
                return Ok(m);
            }
            self.expect(b',')?;
        }
    }

    fn node(&mut self) -> Result<TckNode, String> {
        self.expect(b'(')?;
        let mut labels = Vec::new();
        while self.eat(b':') {
            labels.push(self.name()?);
        }
        let props = if self.peek() == Some(b'{') {
            self.map()?
        } else {
            BTreeMap::new()
        };
        self.expect(b')')?;
        Ok(TckNode::new(labels, props))
    }

    fn rel(&mut self) -> Result<TckRel, String> {
        self.expect(b'[')?;
        self.expect(b':')?;
        let rel_type = self.name()?;
        let props = if self.peek() == Some(b'{') {
            self.map()?
        } else {
            BTreeMap::new()
        };
        self.expect(b']')?;
        Ok(TckRel { rel_type, props })
    }

    fn path(&mut self) -> Result<TckPath, String> {
        self.expect(b'<')?;
        let start = self.node()?;
        let mut steps = Vec::new();
        loop {
            if self.eat(b'>') {
                return Ok(TckPath { start, steps });
            }
            let left = self.eat(b'<');
            self.expect(b'-')?;
            let r = self.rel()?;
            self.expect(b'-')?;
            let right = self.eat(b'>');
            if left == right {
                return Err(self.err("exactly one of `<-` and `->` around a relationship"));
            }
            let n = self.node()?;
            steps.push((r, right, n));
        }
    }

    fn atom(&mut self) -> Result<TckValue, String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && !matches!(self.s[self.i], b',' | b']' | b'}' | b' ' | b'\t' | b'\n')
        {
            self.i += 1;
        }
        let tok = &self.src[start..self.i];
        let v = match tok {
            "null" => TckValue::Null,
            "true" => TckValue::Bool(true),
            "false" => TckValue::Bool(false),
            "NaN" => TckValue::Float(f64::NAN),
            "Inf" | "Infinity" | "+Inf" => TckValue::Float(f64::INFINITY),
            "-Inf" | "-Infinity" => TckValue::Float(f64::NEG_INFINITY),
            _ => {
                let digits = tok.strip_prefix('-').unwrap_or(tok);
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    TckValue::Int(
                        tok.parse()
                            .map_err(|_| format!("integer out of range: {tok}"))?,
                    )
                } else if !digits.is_empty()
                    && digits.bytes().all(|b| {
                        b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+')
                    })
                {
                    TckValue::Float(tok.parse().map_err(|_| {
                        self.i = start;
                        self.err("a number")
                    })?)
                } else {
                    self.i = start;
                    return Err(self.err("a value"));
                }
            }
        };
        Ok(v)
    }
}

// ---- comparison -----------------------------------------------------------

/// Equality as the TCK means it. With `unordered_lists`, lists compare as
/// multisets (the "ignoring element order for lists" steps), at any depth.
pub fn tck_eq(a: &TckValue, b: &TckValue, unordered_lists: bool) -> bool {
    use TckValue::*;
    match (a, b) {
        (Null, Null) => true,
        (Bool(x), Bool(y)) => x == y,
        (Int(x), Int(y)) => x == y,
        (Float(x), Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        (String(x), String(y)) => x == y,
        (List(x), List(y)) => {
            if x.len() != y.len() {
                return false;
            }
            if unordered_lists {
                multiset_eq(x, y, |p, q| tck_eq(p, q, true))
            } else {
                x.iter().zip(y).all(|(p, q)| tck_eq(p, q, false))
            }
        }
        (Map(x), Map(y)) => map_eq(x, y, unordered_lists),
        (Node(x), Node(y)) => node_eq(x, y, unordered_lists),
        (Rel(x), Rel(y)) => rel_eq(x, y, unordered_lists),
        (Path(x), Path(y)) => {
            node_eq(&x.start, &y.start, unordered_lists)
                && x.steps.len() == y.steps.len()
                && x.steps
                    .iter()
                    .zip(&y.steps)
                    .all(|((r1, d1, n1), (r2, d2, n2))| {
                        d1 == d2
                            && rel_eq(r1, r2, unordered_lists)
                            && node_eq(n1, n2, unordered_lists)
                    })
        }
        _ => false,
    }
}

fn map_eq(x: &BTreeMap<String, TckValue>, y: &BTreeMap<String, TckValue>, u: bool) -> bool {
    x.len() == y.len()
        && x.iter()
            .all(|(k, v)| y.get(k).is_some_and(|w| tck_eq(v, w, u)))
}
fn node_eq(x: &TckNode, y: &TckNode, u: bool) -> bool {
    x.labels == y.labels && map_eq(&x.props, &y.props, u)
}
fn rel_eq(x: &TckRel, y: &TckRel, u: bool) -> bool {
    x.rel_type == y.rel_type && map_eq(&x.props, &y.props, u)
}

/// True when every element of `x` can be paired with a distinct equal element
/// of `y` (same lengths assumed). Greedy pairing suffices because `eq` is an
/// equivalence relation.
pub fn multiset_eq<T>(x: &[T], y: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
    if x.len() != y.len() {
        return false;
    }
    let mut used = vec![false; y.len()];
    'outer: for a in x {
        for (j, b) in y.iter().enumerate() {
            if !used[j] && eq(a, b) {
                used[j] = true;
                continue 'outer;
            }
        }
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> TckValue {
        parse_value(s).unwrap()
    }

    #[test]
    fn parses_primitives() {
        assert_eq!(v("null"), TckValue::Null);
        assert_eq!(v("true"), TckValue::Bool(true));
        assert_eq!(v("-12"), TckValue::Int(-12));
        assert_eq!(v("1.5"), TckValue::Float(1.5));
        assert_eq!(v("-1e-305"), TckValue::Float(-1e-305));
        assert_eq!(
            v("1.2635418652381264e305"),
            TckValue::Float(1.2635418652381264e305)
        );
        assert!(matches!(v("NaN"), TckValue::Float(x) if x.is_nan()));
        assert_eq!(v("-Inf"), TckValue::Float(f64::NEG_INFINITY));
        assert_eq!(v("-9223372036854775808"), TckValue::Int(i64::MIN));
        assert!(parse_value("bogus").is_err());
        assert!(parse_value("1 2").is_err());
    }

    #[test]
    fn parses_strings_with_escapes() {
        assert_eq!(v(r"'\''"), TckValue::String("'".into()));
        assert_eq!(
            v(r#"'a\\bcn5t\'"\\//\\"\''"#),
            TckValue::String(r#"a\bcn5t'"\//\"'"#.into())
        );
        assert_eq!(v("'\nFoo\n'"), TckValue::String("\nFoo\n".into()));
        assert_eq!(v(r"'\u01FF'"), TckValue::String("\u{1FF}".into()));
        assert_eq!(v("'🧐🍌❖⋙⚐'"), TckValue::String("🧐🍌❖⋙⚐".into()));
        assert_eq!(v("''"), TckValue::String(String::new()));
        assert!(parse_value("'open").is_err());
    }

    #[test]
    fn parses_containers() {
        let m = v("{name: 'a', `a b`: [1, 2.0, null], ``: {}}");
        let TckValue::Map(m) = m else {
            panic!("not a map")
        };
        assert_eq!(m.len(), 3);
        assert_eq!(
            m["a b"],
            TckValue::List(vec![TckValue::Int(1), TckValue::Float(2.0), TckValue::Null])
        );
        assert_eq!(m[""], TckValue::Map(BTreeMap::new()));
        assert_eq!(v("[]"), TckValue::List(vec![]));
        assert_eq!(v("[[], [1]]").to_string(), "[[], [1]]");
    }

    #[test]
    fn parses_graph_elements() {
        let n = v("(:B:A {name: 'x', num: 1})");
        assert_eq!(n.to_string(), "(:A:B {name: 'x', num: 1})");
        assert_eq!(v("()").to_string(), "()");
        assert_eq!(v("[:T {k: 1}]").to_string(), "[:T {k: 1}]");
        let p = v("<(:A)-[:T]->(:B)<-[:U {w: 2}]-()>");
        let TckValue::Path(p) = &p else {
            panic!("not a path")
        };
        assert_eq!(p.steps.len(), 2);
        assert!(p.steps[0].1 && !p.steps[1].1);
        assert_eq!(v("<()>").to_string(), "<()>");
        assert_eq!(v("[<(:A)-[:T]->(:B)>]").to_string(), "[<(:A)-[:T]->(:B)>]");
        assert!(parse_value("<(:A)-[:T]-(:B)>").is_err());
    }

    #[test]
    fn relationship_and_list_are_told_apart() {
        assert_eq!(v("[:T]").to_string(), "[:T]");
        assert!(parse_value("[:]").is_err());
        assert_eq!(v("[1]"), TckValue::List(vec![TckValue::Int(1)]));
    }

    #[test]
    fn comparison_keeps_types_apart_and_sets_labels() {
        assert!(!tck_eq(&v("1"), &v("1.0"), false));
        assert!(tck_eq(&v("NaN"), &v("NaN"), false));
        assert!(tck_eq(&v("(:A:B {k: 1})"), &v("(:B:A {k: 1})"), false));
        assert!(!tck_eq(&v("(:A {k: 1})"), &v("(:A {k: 1.0})"), false));
        assert!(!tck_eq(
            &v("<(:A)-[:T]->(:B)>"),
            &v("<(:A)<-[:T]-(:B)>"),
            false
        ));
        assert!(!tck_eq(&v("[1, 2]"), &v("[2, 1]"), false));
        assert!(tck_eq(&v("[1, [2, 3]]"), &v("[[3, 2], 1]"), true));
        assert!(!tck_eq(&v("[1, 1, 2]"), &v("[1, 2, 2]"), true));
        assert!(!tck_eq(&v("{a: 1}"), &v("{a: 1, b: null}"), false));
    }

    #[test]
    fn floats_need_no_tolerance() {
        // The TCK prints floats with round-trip precision, as Rust parses them.
        assert!(tck_eq(
            &v("0.30000000000000004"),
            &TckValue::Float(0.1 + 0.2),
            false
        ));
        assert!(!tck_eq(&v("0.3"), &TckValue::Float(0.1 + 0.2), false));
    }
}
