//! The rustyline helper: is the input complete, what can Tab insert, and
//! colours (of keywords and the like, and red from where the input stops
//! parsing).
//!
//! The shell reads a statement a line at a time ([`super::repl`]); the lines
//! already entered are in [`FactHelper::pending`], so that completion and
//! colours see the whole statement and not only the line being edited.

use std::borrow::Cow;
use std::ops::Range;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use super::commands::{COMMANDS, TOPICS};
use super::split::{self, Item, State};
use crate::model::names::fold;
use crate::query::{self, Params};
use crate::store::Graph;

/// Keywords Tab completes and the highlighter colours.
pub const KEYWORDS: &[&str] = &[
    "MATCH",
    "OPTIONAL",
    "WHERE",
    "RETURN",
    "WITH",
    "UNWIND",
    "ORDER",
    "BY",
    "SKIP",
    "LIMIT",
    "DISTINCT",
    "AS",
    "CREATE",
    "MERGE",
    "SET",
    "REMOVE",
    "DELETE",
    "DETACH",
    "ON",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "TRUE",
    "FALSE",
    "STARTS",
    "ENDS",
    "CONTAINS",
    "ASC",
    "DESC",
    "ASCENDING",
    "DESCENDING",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "UNION",
    "ALL",
    "EXPLAIN",
    "PROFILE",
    "OF",
    "CALL",
    "FOREACH",
    "YIELD",
    "TRANSACTIONS",
    "ROWS",
    "REPORT",
    "STATUS",
    "ERROR",
    "CONTINUE",
    "BREAK",
    "FAIL",
    "EXISTS",
    "INDEX",
    "INDEXES",
    "PROCEDURES",
    "FOR",
    "DROP",
    "SHOW",
    "IF",
    "LOAD",
    "CSV",
    "HEADERS",
    "FROM",
    "FIELDTERMINATOR",
    "CONSTRAINT",
    "CONSTRAINTS",
];

/// Functions Tab completes (written as they are usually spelled).
pub const FUNCTIONS: &[&str] = &[
    "count",
    "collect",
    "min",
    "max",
    "sum",
    "avg",
    "size",
    "length",
    "type",
    "labels",
    "keys",
    "properties",
    "id",
    "elementId",
    "coalesce",
    "toUpper",
    "toLower",
    "toString",
    "toInteger",
    "toFloat",
    "head",
    "last",
    "tail",
    "range",
    "nodes",
    "relationships",
    "startNode",
    "endNode",
    "shortestPath",
    "allShortestPaths",
    "fdate",
    "date",
    "exists",
    "abs",
    "round",
    "split",
    "substring",
    "trim",
    "replace",
    "reverse",
    "linenumber",
    "file",
];

/// What completion offers from the graph, taken when the shell starts and
/// again after each change.
#[derive(Debug, Clone, Default)]
pub struct Words {
    pub labels: Vec<String>,
    pub rel_types: Vec<String>,
    pub keys: Vec<String>,
    /// (name or alias, canonical name)
    pub names: Vec<(String, String)>,
    pub params: Vec<String>,
    /// The property keys found on nodes of each label and relationships of
    /// each type, so that `s.` offers what an `s:State` has.
    pub keys_of: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl Words {
    pub fn from_graph(g: &Graph, params: &Params) -> Words {
        let mut names = g.all_names();
        names.sort();
        names.dedup();
        Words {
            labels: g.labels().map(str::to_string).collect(),
            rel_types: g.rel_types().into_iter().map(str::to_string).collect(),
            keys: g.property_keys().into_iter().map(str::to_string).collect(),
            names,
            params: params.keys().cloned().collect(),
            keys_of: keys_of(g),
        }
    }
}

fn keys_of(g: &Graph) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut m: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        std::collections::BTreeMap::new();
    for n in g.node_ids().filter_map(|id| g.node(id)) {
        for l in &n.labels {
            m.entry(l.to_string())
                .or_default()
                .extend(n.props.keys().map(|k| k.to_string()));
        }
    }
    for r in g.rel_ids().filter_map(|id| g.rel(id)) {
        m.entry(r.rel_type.to_string())
            .or_default()
            .extend(r.props.keys().map(|k| k.to_string()));
    }
    m
}

/// The variables a statement binds before the cursor, each with the labels
/// or types written with it: `(s:State)` gives `s` with `State`,
/// `[r:MEMBER_OF|HEADS]` gives `r`, `... AS name` gives `name`.
pub fn bound_vars(text: &str) -> Vec<(String, Vec<String>)> {
    // Only the statement being typed; strings and comments blanked out so
    // that their words bind nothing.
    let mut clean = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let st = split::state_at(text, i).0;
        clean.push(if st == State::Normal { c } else { ' ' });
    }
    let stmt = clean.rsplit(';').next().unwrap_or("");
    let ident = |s: &str| -> (String, usize) {
        let n = s.find(|c: char| !is_word_char(c)).unwrap_or(s.len());
        (s[..n].to_string(), n)
    };
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |name: String, labels: Vec<String>| {
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return;
        }
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, ls)) => ls.extend(labels),
            None => out.push((name, labels)),
        }
    };
    let b = stmt.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c == '(' || c == '[' {
            let rest = stmt[i + 1..].trim_start();
            let at = stmt.len() - rest.len();
            let (name, n) = ident(rest);
            let mut labels = Vec::new();
            let mut j = at + n;
            loop {
                let r = stmt[j..].trim_start();
                let Some(r2) = r.strip_prefix([':', '|']) else {
                    break;
                };
                let r2 = r2.trim_start_matches(':').trim_start();
                let (l, m) = ident(r2);
                if l.is_empty() {
                    break;
                }
                labels.push(l);
                j = stmt.len() - r2.len() + m;
            }
            if !KEYWORDS
                .iter()
                .any(|k| k.trim().eq_ignore_ascii_case(&name))
            {
                add(name, labels);
            }
            i = j.max(i + 1);
            continue;
        }
        if is_word_char(c) && (i == 0 || !is_word_char(b[i - 1] as char)) {
            let (w, n) = ident(&stmt[i..]);
            if w.eq_ignore_ascii_case("AS") {
                let rest = stmt[i + n..].trim_start();
                let (name, _) = ident(rest);
                add(name, Vec::new());
            }
            i += n.max(1);
            continue;
        }
        i += c.len_utf8().max(1);
        while i < b.len() && !stmt.is_char_boundary(i) {
            i += 1;
        }
    }
    out
}

/// The shell's rustyline helper.
#[derive(Debug, Default)]
pub struct FactHelper {
    pub words: Words,
    /// Colour the input (a terminal, and NO_COLOR unset).
    pub color: bool,
    /// The lines of the statement entered before the one being edited,
    /// joined by line breaks; empty at the main prompt.
    pub pending: String,
}

impl Helper for FactHelper {}

impl Hinter for FactHelper {
    type Hint = String;
}

/// True when `input` is ready to run: blank, colon commands only, or
/// statements that all end with `;` and that the parser does not find cut
/// short.
pub fn is_complete(input: &str) -> bool {
    let cut = split::split(input);
    if cut.is_incomplete() {
        return false;
    }
    // Whatever the parser calls unexpected end of input waits for more lines.
    !cut.items.iter().any(|it| match it {
        Item::Statement { range, .. } => {
            matches!(query::parse_script(&input[range.clone()]), Err(e) if e.detail == "UnexpectedEndOfInput")
        }
        Item::Command { .. } => false,
    })
}

/// Every line is accepted as it is: the shell itself asks for the next line
/// after a continuation prompt while [`is_complete`] says no. (A validator
/// saying "incomplete" would make rustyline add a line break to its buffer
/// with no prompt in front of it.)
impl Validator for FactHelper {}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn pairs<'a>(prefix: &str, words: impl IntoIterator<Item = &'a str>, suffix: &str) -> Vec<Pair> {
    let p = prefix.to_lowercase();
    let mut out: Vec<Pair> = words
        .into_iter()
        .filter(|w| w.to_lowercase().starts_with(&p))
        .map(|w| Pair {
            display: w.to_string(),
            replacement: format!("{w}{suffix}"),
        })
        .collect();
    out.dedup_by(|a, b| a.replacement == b.replacement);
    out
}

/// Files and directories whose name starts with what was typed (a
/// directory gets a `/`, so Tab goes on into it).
fn file_candidates(word: &str) -> Vec<Pair> {
    let (dir, prefix) = match word.rfind('/') {
        Some(i) => (&word[..=i], &word[i + 1..]),
        None => ("", word),
    };
    let read = if dir.is_empty() { "." } else { dir };
    let Ok(entries) = std::fs::read_dir(read) else {
        return Vec::new();
    };
    let mut out: Vec<Pair> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            let shown = if is_dir { format!("{name}/") } else { name };
            Some(Pair {
                display: shown.clone(),
                replacement: format!("{dir}{shown}"),
            })
        })
        .collect();
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out
}

impl FactHelper {
    /// Entity names and aliases starting (folded) with `typed`, each
    /// offered once as its canonical name, written as `write` spells it.
    fn name_candidates(&self, typed: &str, write: impl Fn(&str) -> String) -> Vec<Pair> {
        let typed = fold(typed);
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<Pair> = self
            .words
            .names
            .iter()
            .filter(|(n, _)| fold(n).starts_with(&typed))
            .filter(|(_, canon)| seen.insert(canon.clone()))
            .map(|(n, canon)| Pair {
                display: if n == canon {
                    n.clone()
                } else {
                    format!("{n} ({canon})")
                },
                replacement: write(canon),
            })
            .collect();
        out.truncate(200);
        out
    }

    /// What Tab offers at byte `pos` of `line`: where the replaced text
    /// starts, and the candidates.
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let pos = pos.min(line.len());
        let before = &line[..pos];
        // A colon command: the command's name, then its first argument.
        if split::split(before)
            .items
            .last()
            .is_some_and(|i| matches!(i, Item::Command { .. }))
            || before.trim_start().starts_with(':') && !before.contains('\n')
        {
            let cmd_start = before.rfind(':').unwrap_or(0);
            let cmd = &before[cmd_start + 1..];
            return match cmd.find(char::is_whitespace) {
                None => (cmd_start + 1, pairs(cmd, COMMANDS.iter().map(|c| c.0), " ")),
                Some(n) => {
                    let args = &cmd[n..];
                    let word_start = pos
                        - (args.len() - args.trim_end_matches(|c: char| !c.is_whitespace()).len());
                    let word = &line[word_start..pos];
                    let name = &cmd[..n];
                    let first_arg = args.trim_start().len() <= word.len();
                    // File names: the first argument of :read and :import,
                    // the second of :export.
                    let file_arg = match name {
                        "read" | "import" => first_arg,
                        "export" => {
                            args.split_whitespace().count() == 2 && !word.is_empty()
                                || args.split_whitespace().count() == 1 && word.is_empty()
                        }
                        _ => false,
                    };
                    if file_arg {
                        return (word_start, file_candidates(word));
                    }
                    // Entity names, to the end of the line (they hold spaces).
                    if matches!(name, "describe" | "timeline") {
                        let typed = args.trim_start();
                        return (
                            pos - typed.len(),
                            self.name_candidates(typed, str::to_string),
                        );
                    }
                    let choices: Vec<&str> = match name {
                        "mode" => super::render::Mode::ALL.iter().map(|m| m.0).collect(),
                        "help" => COMMANDS
                            .iter()
                            .map(|c| c.0)
                            .chain(TOPICS.iter().copied())
                            .collect(),
                        "timer" => vec!["on", "off"],
                        "export" => crate::export::FORMATS.to_vec(),
                        "width" => vec!["auto", "off"],
                        "asof" | "rows" => vec!["off"],
                        "params" => vec!["clear"],
                        _ => vec![],
                    };
                    // Only the first argument is offered.
                    if args.trim_start().len() > word.len() {
                        return (pos, vec![]);
                    }
                    (word_start, pairs(word, choices, ""))
                }
            };
        }
        match split::state_at(line, pos) {
            (State::SingleQuote | State::DoubleQuote, opened) => {
                let quote = &line[opened..opened + 1];
                // An alias completes to the canonical name (`"soz` gives
                // `"SCO"`): the name the graph keeps, offered once however
                // many of its aliases match.
                let out = self.name_candidates(&line[opened + 1..pos], |canon| {
                    format!(
                        "{}{quote}",
                        canon
                            .replace('\\', "\\\\")
                            .replace(quote, &format!("\\{quote}"))
                    )
                });
                (opened + 1, out)
            }
            (State::Normal | State::Backtick, _) => {
                // A procedure's name after CALL, dots and all.
                let dotted = before
                    .trim_end_matches(|c| is_word_char(c) || c == '.')
                    .len();
                let head = before[..dotted].trim_end();
                let after_call = head.len() < dotted
                    && head.len() >= 4
                    && head
                        .get(head.len() - 4..)
                        .is_some_and(|w| w.eq_ignore_ascii_case("CALL"))
                    && !head[..head.len() - 4].ends_with(is_word_char);
                if after_call {
                    let typed = &before[dotted..];
                    let out = crate::query::procedures::builtins()
                        .iter()
                        .map(|p| &p.signature)
                        .filter(|s| s.name.starts_with(typed))
                        .map(|s| {
                            let call = if s.inputs.is_empty() { "()" } else { "(" };
                            Pair {
                                display: s.to_string(),
                                replacement: format!("{}{call}", s.name),
                            }
                        })
                        .collect();
                    return (dotted, out);
                }
                let start = before.trim_end_matches(is_word_char).len();
                let word = &line[start..pos];
                let prev = before[..start].chars().next_back();
                let prev = if prev == Some('`') {
                    before[..start - 1].chars().next_back()
                } else {
                    prev
                };
                let out = match prev {
                    Some(':') => {
                        // Inside `[...]` a name after `:` is a type, inside `(...)` a label.
                        let in_rel = before[..start]
                            .rfind(['(', '['])
                            .is_some_and(|i| &before[i..i + 1] == "[");
                        if in_rel {
                            pairs(word, self.words.rel_types.iter().map(String::as_str), "")
                        } else {
                            pairs(word, self.words.labels.iter().map(String::as_str), "")
                        }
                    }
                    Some('.') => {
                        // The keys of what the variable can be, when that is known.
                        let dot = start - 1;
                        let var_start = before[..dot].trim_end_matches(is_word_char).len();
                        let var = &before[var_start..dot];
                        let labels = bound_vars(&before[..var_start])
                            .into_iter()
                            .find(|(n, _)| n == var)
                            .map(|(_, l)| l)
                            .unwrap_or_default();
                        let keys: std::collections::BTreeSet<&str> = labels
                            .iter()
                            .filter_map(|l| self.words.keys_of.get(l))
                            .flatten()
                            .map(String::as_str)
                            .collect();
                        if keys.is_empty() {
                            pairs(word, self.words.keys.iter().map(String::as_str), "")
                        } else {
                            pairs(word, keys, "")
                        }
                    }
                    Some('$') => pairs(word, self.words.params.iter().map(String::as_str), ""),
                    _ if word.is_empty() => vec![],
                    _ => {
                        let vars = bound_vars(&before[..start]);
                        let mut v = pairs(word, vars.iter().map(|(n, _)| n.as_str()), "");
                        v.extend(pairs(word, KEYWORDS.iter().copied(), " "));
                        // `COUNT { ... }` and `COLLECT { ... }`, beside
                        // the functions `count(` and `collect(`.
                        v.extend(pairs(word, ["COUNT", "COLLECT"], " { "));
                        v.extend(pairs(word, FUNCTIONS.iter().copied(), "("));
                        v
                    }
                };
                (start, out)
            }
            _ => (pos, vec![]),
        }
    }
}

impl Completer for FactHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        if self.pending.is_empty() {
            return Ok(self.candidates(line, pos));
        }
        // The whole statement, so that `s.` on the second line knows the
        // `(s:State)` of the first.
        let at = self.pending.len() + 1;
        let whole = format!("{}\n{line}", self.pending);
        let (start, found) = self.candidates(&whole, at + pos.min(line.len()));
        // What started on an earlier line (a string opened there) cannot be
        // replaced any more.
        Ok(match start.checked_sub(at) {
            Some(start) => (start, found),
            None => (pos, Vec::new()),
        })
    }
}

const KW: &str = "\x1b[1;34m";
const STR: &str = "\x1b[32m";
const NUM: &str = "\x1b[36m";
const COMMENT: &str = "\x1b[2m";
const CMD: &str = "\x1b[1;35m";
const RESET: &str = "\x1b[0m";
const LABEL: &str = "\x1b[33m";
const VAR: &str = "\x1b[35m";

/// Red for what cannot parse.
const ERROR: &str = "\x1b[31m";

/// The input with ANSI colours: keywords, strings, numbers, comments, colon
/// commands, labels and types, variables; and red from the token the parser
/// rejects (see [`error_at`]). Only escape sequences are added, so the width
/// stays the same.
pub fn colorize(text: &str) -> String {
    highlight_input("", text)
}

/// [`colorize`] for the line being edited, `line`, after the lines of the
/// same statement entered before it (`pending`, empty on the first line):
/// the colours are those of the whole statement, the text only that of `line`.
pub fn highlight_input(pending: &str, line: &str) -> String {
    let whole;
    let (text, from) = if pending.is_empty() {
        (line, 0)
    } else {
        whole = format!("{pending}\n{line}");
        (whole.as_str(), pending.len() + 1)
    };
    paint(text, from, &token_styles(text), error_at(text))
}

/// Writes `text[from..]` with the colours of `styles` (sorted, apart), red
/// over `red`.
fn paint(
    text: &str,
    from: usize,
    styles: &[(Range<usize>, &'static str)],
    red: Option<Range<usize>>,
) -> String {
    let mut out = String::with_capacity((text.len() - from) * 2);
    let mut current: Option<&str> = None;
    let mut next = 0;
    for (i, c) in text[from..].char_indices() {
        let i = i + from;
        while next < styles.len() && styles[next].0.end <= i {
            next += 1;
        }
        let style = if red.as_ref().is_some_and(|r| r.contains(&i)) {
            Some(ERROR)
        } else {
            styles
                .get(next)
                .filter(|(r, _)| r.contains(&i))
                .map(|(_, st)| *st)
        };
        if style != current {
            if current.is_some() {
                out.push_str(RESET);
            }
            if let Some(st) = style {
                out.push_str(st);
            }
            current = style;
        }
        out.push(c);
    }
    if current.is_some() {
        out.push_str(RESET);
    }
    out
}

/// Where the text stops making sense, up to the end of that statement: the
/// first statement the parser rejects, from the token it rejects. Input that
/// is only unfinished is no error: a statement that more text could complete
/// (an open string, bracket or clause), or a rejected token at the very end
/// that is still being typed (`RET` on the way to `RETURN`, `!` to `!=`).
pub fn error_at(text: &str) -> Option<Range<usize>> {
    for item in split::split(text).items {
        let Item::Statement { range, .. } = item else {
            continue;
        };
        let Err(e) = query::parse_script(&text[range.clone()]) else {
            continue;
        };
        if e.detail == "UnexpectedEndOfInput" {
            continue;
        }
        let span = e.span?;
        let start = range.start + span.start;
        let end = range.start + span.end;
        let token = text.get(start..end).unwrap_or("");
        let closed = matches!(token, "(" | ")" | "[" | "]" | "{" | "}" | "," | ";");
        if end >= text.len() && !closed {
            return None;
        }
        let stop = text[..range.end].trim_end().len();
        return (start < stop).then_some(start..stop);
    }
    None
}

/// The coloured tokens of `text`, in order: byte range and colour.
fn token_styles(text: &str) -> Vec<(Range<usize>, &'static str)> {
    let mut styles = Vec::new();
    let line = text;
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut at_line_start = true;
    while i < bytes.len() {
        let rest = &line[i..];
        let c = rest.chars().next().unwrap_or(' ');
        let mut take = |n: usize, style: &'static str| {
            styles.push((i..i + n, style));
            n
        };
        let n = if at_line_start && c == ':' {
            take(rest.find('\n').unwrap_or(rest.len()), CMD)
        } else if rest.starts_with("//") {
            take(rest.find('\n').unwrap_or(rest.len()), COMMENT)
        } else if rest.starts_with("/*") {
            take(rest.find("*/").map_or(rest.len(), |e| e + 2), COMMENT)
        } else if c == '\'' || c == '"' {
            let mut end = rest.len();
            let mut esc = false;
            for (k, ch) in rest.char_indices().skip(1) {
                if esc {
                    esc = false;
                } else if ch == '\\' {
                    esc = true;
                } else if ch == c {
                    end = k + 1;
                    break;
                }
            }
            take(end, STR)
        } else if c.is_ascii_digit() {
            let n = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.'))
                .unwrap_or(rest.len());
            take(n, NUM)
        } else if is_word_char(c) || c == '`' {
            let n = if c == '`' {
                rest[1..].find('`').map_or(rest.len(), |e| e + 2)
            } else {
                rest.find(|ch: char| !is_word_char(ch))
                    .unwrap_or(rest.len())
            };
            let w = &rest[..n];
            let prev = line[..i].trim_end().chars().next_back();
            let next = rest[n..].trim_start().chars().next();
            if prev == Some(':') {
                // `(n:State)`, `[:MEMBER_OF]`, `n:State` in WHERE.
                take(n, LABEL)
            } else if prev == Some('.') || prev == Some('$') {
                // A property key, a parameter.
                n
            } else if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w))
                || ((w.eq_ignore_ascii_case("count") || w.eq_ignore_ascii_case("collect"))
                    && next == Some('{'))
            {
                // `COUNT {` and `COLLECT {` open subqueries; `count(` and
                // `collect(` are the functions.
                take(n, KW)
            } else if next == Some('(') || (next == Some(':') && matches!(prev, Some('{' | ','))) {
                // A function, a map key.
                n
            } else if matches!(w.to_ascii_lowercase().as_str(), "true" | "false" | "null") {
                take(n, NUM)
            } else {
                take(n, VAR)
            }
        } else {
            c.len_utf8()
        };
        let tok = &rest[..n];
        if tok.ends_with('\n') {
            at_line_start = true;
        } else if !tok.trim().is_empty() {
            at_line_start = false;
        }
        i += n;
    }
    styles
}

impl Highlighter for FactHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight_input(&self.pending, line))
        } else {
            Cow::Borrowed(line)
        }
    }
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        if self.color {
            Cow::Owned(format!("\x1b[1;32m{prompt}{RESET}"))
        } else {
            Cow::Borrowed(prompt)
        }
    }
    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        self.color && kind != CmdKind::MoveCursor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> FactHelper {
        FactHelper {
            words: Words {
                labels: vec!["Organisation".into(), "State".into()],
                rel_types: vec!["MEMBER_OF".into(), "MET".into()],
                keys: vec!["name".into(), "aliases".into()],
                names: vec![
                    ("SCO".into(), "SCO".into()),
                    ("SOZ".into(), "SCO".into()),
                    ("Sergej Alejnik".into(), "Sergei Aleinik".into()),
                ],
                params: vec!["who".into()],
                keys_of: [
                    ("State", &["name", "aliases"][..]),
                    ("MEMBER_OF", &["since", "source"][..]),
                ]
                .into_iter()
                .map(|(l, ks)| (l.to_string(), ks.iter().map(|k| k.to_string()).collect()))
                .collect(),
            },
            color: false,
            pending: String::new(),
        }
    }

    fn reps(h: &FactHelper, line: &str) -> (usize, Vec<String>) {
        let (at, c) = h.candidates(line, line.len());
        (at, c.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn variables_and_the_keys_of_their_labels() {
        let h = helper();
        assert_eq!(
            bound_vars(
                "MATCH (s:State)-[r:MEMBER_OF|HEADS]->(o) WITH o.name AS oname, 'x (y:Z)' AS q"
            ),
            vec![
                ("s".to_string(), vec!["State".to_string()]),
                (
                    "r".to_string(),
                    vec!["MEMBER_OF".to_string(), "HEADS".to_string()]
                ),
                ("o".to_string(), vec![]),
                ("oname".to_string(), vec![]),
                ("q".to_string(), vec![]),
            ]
        );
        // Keys of the variable's label only; all keys when it has none.
        assert_eq!(reps(&h, "MATCH (s:State) RETURN s.").1, ["aliases", "name"]);
        assert_eq!(
            reps(&h, "MATCH ()-[r:MEMBER_OF]->() RETURN r.s").1,
            ["since", "source"]
        );
        assert_eq!(reps(&h, "MATCH (x) RETURN x.al").1, ["aliases"]);
        // Variables bound earlier in the statement, before keywords.
        assert_eq!(reps(&h, "MATCH (abc:State) RETURN ab").1, ["abc", "abs("]);
        assert!(
            !reps(&h, "MATCH (abc); RETURN ab")
                .1
                .contains(&"abc".to_string())
        );
    }

    #[test]
    fn completes_by_context() {
        let h = helper();
        assert_eq!(reps(&h, "MATCH (n:St"), (9, vec!["State".to_string()]));
        assert_eq!(
            reps(&h, "MATCH (n)-[r:M"),
            (13, vec!["MEMBER_OF".to_string(), "MET".to_string()])
        );
        assert_eq!(reps(&h, "RETURN n.al"), (9, vec!["aliases".to_string()]));
        assert_eq!(reps(&h, "RETURN $w"), (8, vec!["who".to_string()]));
        assert_eq!(reps(&h, "mat"), (0, vec!["MATCH ".to_string()]));
        assert_eq!(
            reps(&h, "RETURN coll"),
            (7, vec!["COLLECT { ".to_string(), "collect(".to_string()])
        );
        assert_eq!(
            reps(&h, "RETURN cou"),
            (7, vec!["COUNT { ".to_string(), "count(".to_string()])
        );
        // Names and aliases inside a string, matched folded.
        assert_eq!(
            reps(&h, "MATCH (n {name: 'so"),
            (17, vec!["SCO'".to_string()])
        );
        assert_eq!(
            reps(&h, "MATCH (n {name: \"sergej a"),
            (17, vec!["Sergei Aleinik\"".to_string()])
        );
        assert_eq!(h.candidates("WHERE 'soz", 10).1[0].display, "SOZ (SCO)");
        // Colon commands and their first argument.
        assert_eq!(reps(&h, ":sc"), (1, vec!["schema ".to_string()]));
        assert_eq!(reps(&h, ":mode n"), (6, vec!["ndjson".to_string()]));
        assert_eq!(reps(&h, "  :export d"), (10, vec!["dot".to_string()]));
        assert_eq!(
            reps(&h, ":describe sergej"),
            (10, vec!["Sergei Aleinik".to_string()])
        );
        assert_eq!(reps(&h, ":mode mark"), (6, vec!["markdown".to_string()]));
        // Procedures after CALL, by their dotted names.
        assert_eq!(reps(&h, "CALL db.l"), (5, vec!["db.labels()".to_string()]));
        assert_eq!(
            reps(&h, "MATCH (n) call db.schema.n"),
            (15, vec!["db.schema.nodeTypeProperties()".to_string()])
        );
        assert!(
            !reps(&h, "RECALL db.l")
                .1
                .contains(&"db.labels()".to_string())
        );
        assert_eq!(reps(&h, "é CALL db.rel").0, 8);
    }

    #[test]
    fn input_is_complete_at_a_semicolon_or_a_command() {
        assert!(is_complete(""));
        assert!(is_complete(":stats"));
        assert!(is_complete("MATCH (n)\nRETURN n;"));
        assert!(!is_complete("MATCH (n)\nRETURN n"));
        assert!(!is_complete("RETURN 'a;"));
        assert!(!is_complete(":mode csv\nMATCH (n)"));
        assert!(is_complete("RETURN 1; // done"));
    }

    fn strip(coloured: &str) -> String {
        let mut s = String::new();
        let mut in_esc = false;
        for ch in coloured.chars() {
            match (in_esc, ch) {
                (false, '\x1b') => in_esc = true,
                (true, 'm') => in_esc = false,
                (true, _) => {}
                (false, ch) => s.push(ch),
            }
        }
        s
    }

    #[test]
    fn later_lines_complete_with_what_earlier_lines_bound() {
        let mut h = helper();
        h.pending = "MATCH (s:State)-[r:MEMBER_OF]->(o)".into();
        let ctx_history = rustyline::history::DefaultHistory::new();
        let ctx = Context::new(&ctx_history);
        let got = |h: &FactHelper, line: &str| {
            let (at, c) = h.complete(line, line.len(), &ctx).unwrap();
            (at, c.into_iter().map(|p| p.replacement).collect::<Vec<_>>())
        };
        assert_eq!(
            got(&h, "RETURN s."),
            (9, vec!["aliases".into(), "name".into()])
        );
        assert_eq!(got(&h, "RETURN r.si"), (9, vec!["since".into()]));
        let (at, found) = got(&h, "RETURN o, s");
        assert_eq!(
            (at, &found[..2]),
            (10, &["s".to_string(), "SKIP ".to_string()][..])
        );
        // A string opened on an earlier line completes nothing.
        h.pending = "MATCH (n {name: 'Ser".into();
        assert_eq!(got(&h, "gej"), (3, vec![]));
    }

    #[test]
    fn the_error_is_where_the_parser_stops_not_where_input_is_unfinished() {
        // Rejected token onward, to the end of its statement.
        assert_eq!(error_at("MATCH (n RETURN n"), Some(9..17));
        assert_eq!(error_at("RETURN 1 +;"), Some(10..11));
        assert_eq!(error_at("RETURN 1 +) // c"), Some(10..16));
        assert_eq!(
            error_at("RETURN 1; FOO x; RETURN 2;"),
            Some(10..16),
            "only the statement that fails"
        );
        assert_eq!(
            error_at("MATCH (n) RETURN n.name AS x, 1 2 ORDER"),
            Some(32..39)
        );
        // Unfinished, or a word still being typed: no error yet.
        for ok in [
            "",
            "MATCH (n) RETURN n",
            "MATCH (n) RETURN n;",
            "MATCH (n) RET",
            "MATCH (n:",
            "MATCH (n) WHERE n.x !",
            "RETURN 'abc",
            "RETURN `ab",
            "RETURN [1,2",
            "RETURN 1e",
            "MATCH (n)\nRETURN",
            "/* RETURN 1 +",
            ":mode nonsense",
            "RETURN 'a;' + 1",
        ] {
            assert_eq!(error_at(ok), None, "{ok:?}");
        }
    }

    #[test]
    fn invalid_input_is_red_from_the_rejected_token() {
        let line = "MATCH (n:State RETURN n.name;";
        let c = colorize(line);
        assert!(c.contains("\x1b[1;34mMATCH\x1b[0m"), "{c:?}");
        assert!(
            c.contains(":\x1b[33mState\x1b[0m \x1b[31mRETURN n.name;\x1b[0m"),
            "{c:?}"
        );
        assert_eq!(strip(&c), line);
        // Valid input has no red.
        assert!(!colorize("MATCH (n:State) RETURN n.name;").contains(ERROR));
        // A continuation line is coloured as part of its statement: the
        // string opened above goes on, the error above makes it all red.
        assert_eq!(
            highlight_input("RETURN 'a", "b' AS x;"),
            "\x1b[32mb'\x1b[0m \x1b[1;34mAS\x1b[0m \x1b[35mx\x1b[0m;"
        );
        assert_eq!(
            highlight_input("MATCH (n RETURN n", "LIMIT 1;"),
            "\x1b[31mLIMIT 1;\x1b[0m"
        );
        assert_eq!(
            highlight_input("MATCH (n)", "RETURN n;"),
            "\x1b[1;34mRETURN\x1b[0m \x1b[35mn\x1b[0m;"
        );
        // The helper colours only when told to.
        let mut h = helper();
        assert_eq!(h.highlight(line, 0), line);
        h.color = true;
        assert_eq!(h.highlight(line, 0), c);
    }

    #[test]
    fn colouring_adds_only_escapes() {
        let line = "MATCH (n:State {name: 'Belarus'}) // c\nRETURN n.name, 42;";
        let c = colorize(line);
        assert!(c.contains("\x1b[1;34mMATCH\x1b[0m"));
        assert!(c.contains("\x1b[32m'Belarus'\x1b[0m"));
        assert!(
            c.contains("(\x1b[35mn\x1b[0m:\x1b[33mState\x1b[0m {name: "),
            "{c:?}"
        );
        assert!(
            c.contains("\x1b[35mn\x1b[0m.name, \x1b[36m42\x1b[0m;"),
            "{c:?}"
        );
        assert_eq!(strip(&c), line);
        // COUNT before `{` is the subquery's keyword, before `(` the function.
        let c = colorize("RETURN COUNT { (n) }, count(n);");
        assert!(c.contains("\x1b[1;34mCOUNT\x1b[0m {"), "{c:?}");
        assert!(c.contains(", count(\x1b[35mn"), "{c:?}");
        let c = colorize("RETURN COLLECT { RETURN 1 }, collect(n);");
        assert!(c.contains("\x1b[1;34mCOLLECT\x1b[0m {"), "{c:?}");
        assert!(c.contains(", collect(\x1b[35mn"), "{c:?}");
    }
}
