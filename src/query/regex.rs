//! A small backtracking regular-expression matcher for `=~`, so that no
//! dependency is needed. It supports what queries use in practice: literals,
//! `.`, classes (`[a-z]`, `[^0-9]`, `\d \w \s` and their negations),
//! groups `( )` and `(?: )`, alternation `|`, quantifiers `* + ? {n} {n,}
//! {n,m}` (a trailing `?` for laziness is accepted), anchors `^ $`, and a
//! leading `(?i)` for case-insensitive matching. As in Cypher (Java's
//! `String.matches`), the whole string must match.

use std::cell::Cell;

use crate::error::QueryError;

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Class {
        ranges: Vec<(char, char)>,
        negated: bool,
    },
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Repeat {
        node: Box<Node>,
        min: usize,
        max: Option<usize>,
    },
}

struct Parser<'s> {
    chars: Vec<char>,
    pos: usize,
    src: &'s str,
}

fn err(src: &str, what: &str) -> QueryError {
    QueryError::argument(
        "InvalidRegex",
        format!("invalid regular expression '{src}': {what}"),
    )
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn alt(&mut self) -> Result<Vec<Vec<Node>>, QueryError> {
        let mut alts = vec![self.seq()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.seq()?);
        }
        Ok(alts)
    }
    fn seq(&mut self) -> Result<Vec<Node>, QueryError> {
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            out.push(self.quantified(atom)?);
        }
        Ok(out)
    }
    fn number(&mut self) -> Option<usize> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.chars[start..self.pos]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }
    fn quantified(&mut self, atom: Node) -> Result<Node, QueryError> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                let save = self.pos;
                self.pos += 1;
                let Some(a) = self.number() else {
                    self.pos = save;
                    return Ok(atom);
                };
                let b = if self.peek() == Some(',') {
                    self.pos += 1;
                    self.number()
                } else {
                    Some(a)
                };
                if self.peek() != Some('}') {
                    return Err(err(self.src, "unclosed {"));
                }
                (a, b)
            }
            _ => return Ok(atom),
        };
        self.pos += 1;
        if matches!(self.peek(), Some('?') | Some('+')) {
            self.pos += 1;
        }
        if matches!(atom, Node::Start | Node::End) {
            return Err(err(self.src, "nothing to repeat"));
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }
    fn escape_class(c: char) -> Option<(Vec<(char, char)>, bool)> {
        let digits = vec![('0', '9')];
        let word = vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
        let space = vec![(' ', ' '), ('\t', '\r')];
        Some(match c {
            'd' => (digits, false),
            'D' => (digits, true),
            'w' => (word, false),
            'W' => (word, true),
            's' => (space, false),
            'S' => (space, true),
            _ => return None,
        })
    }
    fn escaped_char(c: char) -> char {
        match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            c => c,
        }
    }
    fn atom(&mut self) -> Result<Node, QueryError> {
        let Some(c) = self.peek() else {
            return Err(err(self.src, "unexpected end"));
        };
        self.pos += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '(' => {
                if self.chars.get(self.pos..self.pos + 2) == Some(&['?', ':']) {
                    self.pos += 2;
                }
                let alts = self.alt()?;
                if self.peek() != Some(')') {
                    return Err(err(self.src, "unclosed ("));
                }
                self.pos += 1;
                Node::Group(alts)
            }
            '[' => self.class()?,
            '\\' => {
                let Some(e) = self.peek() else {
                    return Err(err(self.src, "trailing \\"));
                };
                self.pos += 1;
                match Self::escape_class(e) {
                    Some((ranges, negated)) => Node::Class { ranges, negated },
                    None => Node::Char(Self::escaped_char(e)),
                }
            }
            '*' | '+' | '?' => return Err(err(self.src, "nothing to repeat")),
            c => Node::Char(c),
        })
    }
    fn class(&mut self) -> Result<Node, QueryError> {
        let mut negated = false;
        if self.peek() == Some('^') {
            negated = true;
            self.pos += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(err(self.src, "unclosed ["));
            };
            self.pos += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let lo = if c == '\\' {
                let Some(e) = self.peek() else {
                    return Err(err(self.src, "trailing \\"));
                };
                self.pos += 1;
                if let Some((r, neg)) = Self::escape_class(e) {
                    if neg {
                        return Err(err(
                            self.src,
                            "negated class escapes inside [] are not supported",
                        ));
                    }
                    ranges.extend(r);
                    continue;
                }
                Self::escaped_char(e)
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|c| *c != ']') {
                self.pos += 1;
                let mut hi = self.chars[self.pos];
                self.pos += 1;
                if hi == '\\' {
                    hi = Self::escaped_char(self.peek().unwrap_or('\\'));
                    self.pos += 1;
                }
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Ok(Node::Class { ranges, negated })
    }
}

struct Matcher<'t> {
    text: &'t [char],
    icase: bool,
    budget: Cell<u64>,
}

impl Matcher<'_> {
    fn eq(&self, a: char, b: char) -> bool {
        a == b || (self.icase && a.to_lowercase().eq(b.to_lowercase()))
    }
    fn in_class(&self, c: char, ranges: &[(char, char)], negated: bool) -> bool {
        let hit = ranges.iter().any(|(lo, hi)| {
            (*lo <= c && c <= *hi)
                || (self.icase
                    && c.to_lowercase()
                        .chain(c.to_uppercase())
                        .any(|x| *lo <= x && x <= *hi))
        });
        hit != negated
    }
    /// Matches `nodes` at `i`, then the continuation.
    fn m(&self, nodes: &[Node], i: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        let b = self.budget.get();
        if b == 0 {
            return false;
        }
        self.budget.set(b - 1);
        let Some((first, rest)) = nodes.split_first() else {
            return k(i);
        };
        match first {
            Node::Char(c) => {
                i < self.text.len() && self.eq(self.text[i], *c) && self.m(rest, i + 1, k)
            }
            Node::Any => i < self.text.len() && self.text[i] != '\n' && self.m(rest, i + 1, k),
            Node::Class { ranges, negated } => {
                i < self.text.len()
                    && self.in_class(self.text[i], ranges, *negated)
                    && self.m(rest, i + 1, k)
            }
            Node::Start => i == 0 && self.m(rest, i, k),
            Node::End => i == self.text.len() && self.m(rest, i, k),
            Node::Group(alts) => alts
                .iter()
                .any(|alt| self.m(alt, i, &mut |j| self.m(rest, j, k))),
            Node::Repeat { node, min, max } => self.rep(node, *min, *max, 0, i, rest, k),
        }
    }
    #[allow(clippy::too_many_arguments)]
    fn rep(
        &self,
        node: &Node,
        min: usize,
        max: Option<usize>,
        count: usize,
        i: usize,
        rest: &[Node],
        k: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        // Greedy: one more repetition first (only if it consumes input).
        if max.is_none_or(|m| count < m) {
            let one = std::slice::from_ref(node);
            if self.m(one, i, &mut |j| {
                j > i && self.rep(node, min, max, count + 1, j, rest, k)
            }) {
                return true;
            }
        }
        count >= min && self.m(rest, i, k)
    }
}

/// Does `text` match the pattern as a whole?
pub fn matches(pattern: &str, text: &str) -> Result<bool, QueryError> {
    let (icase, body) = match pattern.strip_prefix("(?i)") {
        Some(b) => (true, b),
        None => (false, pattern),
    };
    let mut p = Parser {
        chars: body.chars().collect(),
        pos: 0,
        src: pattern,
    };
    let alts = p.alt()?;
    if p.pos != p.chars.len() {
        return Err(err(pattern, "unbalanced )"));
    }
    let text: Vec<char> = text.chars().collect();
    let m = Matcher {
        text: &text,
        icase,
        budget: Cell::new(2_000_000),
    };
    let n = text.len();
    let hit = m.m(&[Node::Group(alts)], 0, &mut |j| j == n);
    if m.budget.get() == 0 {
        return Err(QueryError::argument(
            "InvalidRegex",
            format!("the regular expression '{pattern}' needs too much backtracking on this text"),
        ));
    }
    Ok(hit)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn whole_string_semantics_and_features() {
        let t = |p: &str, s: &str| matches(p, s).unwrap();
        assert!(t("B.*", "Belarus"));
        assert!(!t("B", "Belarus"));
        assert!(t("(?i)bel.*", "Belarus"));
        assert!(t("[A-Z][a-z]+ [A-Z][a-z]+", "Sergei Aleinik"));
        assert!(t("\\d{4}-\\d{2}", "2023-10"));
        assert!(!t("\\d{4}-\\d{2}", "2023-1"));
        assert!(t("(SCO|BRICS)( member)?", "BRICS member"));
        assert!(t("a*a*a*b", "aaab"));
        assert!(t("[^x]*", "abc"));
        assert!(matches("(", "x").is_err());
    }
}
