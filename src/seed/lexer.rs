//! The lexical layer shared by `schema.fgs` and `*.facts`: splitting a text
//! into records (a record starts at column 1, indented lines continue it,
//! blank and comment lines are ignored), and the tokens of fact files.

use crate::error::{LoadError, Span};
use crate::model::FDate;

use super::error_at;

/// One physical line of a record: its byte offset in the file and its text
/// (without the line terminator).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    pub offset: usize,
    pub text: &'a str,
}

/// The lines of one record, the first of which starts at column 1.
#[derive(Debug, Clone)]
pub(crate) struct RawRecord<'a> {
    pub lines: Vec<Line<'a>>,
}

/// Splits a text into records. A blank or comment-only line neither starts
/// nor ends a record, so a comment may sit between a record and its
/// continuation lines.
pub(crate) fn split_records<'a>(
    file: &str,
    text: &'a str,
) -> Result<Vec<RawRecord<'a>>, LoadError> {
    let mut records: Vec<RawRecord<'a>> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let mut line = raw.strip_suffix('\n').unwrap_or(raw);
        line = line.strip_suffix('\r').unwrap_or(line);
        let mut line_offset = start;
        // An editor's byte-order mark is not part of the first record.
        if start == 0
            && let Some(rest) = line.strip_prefix('\u{feff}')
        {
            line = rest;
            line_offset += '\u{feff}'.len_utf8();
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let entry = Line {
            offset: line_offset,
            text: line,
        };
        if trimmed.len() == line.len() {
            records.push(RawRecord { lines: vec![entry] });
        } else {
            match records.last_mut() {
                Some(r) => r.lines.push(entry),
                None => {
                    let col = line_offset + (line.len() - trimmed.len());
                    return Err(error_at(
                        file,
                        text,
                        col,
                        "this indented line continues no record: a record starts at column 1",
                    ));
                }
            }
        }
    }
    Ok(records)
}

/// A token of a fact file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Date(FDate),
    /// `-TYPE->`: the relationship type of a `fact`.
    Arrow(String),
    Eq,
    LBrack,
    RBrack,
    Comma,
    LParen,
    RParen,
}

impl Tok {
    /// How the token is named in "expected X, found Y".
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Str(s) => format!("the string \"{}\"", shorten(s)),
            Tok::Int(i) => format!("the number {i}"),
            Tok::Float(f) => format!("the number {f}"),
            Tok::Date(d) => format!("the date @{d}"),
            Tok::Arrow(t) => format!("'-{t}->'"),
            Tok::Eq => "'='".into(),
            Tok::LBrack => "'['".into(),
            Tok::RBrack => "']'".into(),
            Tok::Comma => "','".into(),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
        }
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 30 {
        let head: String = s.chars().take(27).collect();
        format!("{head}...")
    } else {
        s.to_string()
    }
}

/// A token and the byte range it covers in the whole file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}
fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Tokenizes the lines of one fact-file record. Strings do not span lines.
pub(crate) fn tokenize(
    file: &str,
    text: &str,
    record: &RawRecord<'_>,
) -> Result<Vec<Token>, LoadError> {
    let mut out = Vec::new();
    for line in &record.lines {
        tokenize_line(file, text, *line, &mut out)?;
    }
    Ok(out)
}

fn tokenize_line(
    file: &str,
    text: &str,
    line: Line<'_>,
    out: &mut Vec<Token>,
) -> Result<(), LoadError> {
    let s = line.text;
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let off = |i: usize| line.offset + chars.get(i).map(|&(b, _)| b).unwrap_or(s.len());
    let err = |i: usize, msg: String| error_at(file, text, off(i), msg);
    let mut i = 0;
    while let Some(c) = at(i) {
        let start = i;
        let tok = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '#' => break,
            '=' => {
                i += 1;
                Tok::Eq
            }
            '[' => {
                i += 1;
                Tok::LBrack
            }
            ']' => {
                i += 1;
                Tok::RBrack
            }
            ',' => {
                i += 1;
                Tok::Comma
            }
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            '"' => {
                i += 1;
                let mut value = String::new();
                loop {
                    match at(i) {
                        None => {
                            return Err(err(
                                start,
                                "unterminated string: the closing '\"' is missing on this line (strings do not span lines; write \\n for a line break)".into(),
                            ));
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => {
                            let esc = match at(i + 1) {
                                Some('"') => '"',
                                Some('\\') => '\\',
                                Some('n') => '\n',
                                Some('t') => '\t',
                                Some(other) => {
                                    return Err(err(
                                        i,
                                        format!(
                                            "unknown escape '\\{other}': write \\\", \\\\, \\n or \\t"
                                        ),
                                    ));
                                }
                                None => {
                                    return Err(err(
                                        start,
                                        "unterminated string: it ends in a lone '\\'".into(),
                                    ));
                                }
                            };
                            value.push(esc);
                            i += 2;
                        }
                        Some(ch) => {
                            value.push(ch);
                            i += 1;
                        }
                    }
                }
                Tok::Str(value)
            }
            '@' => {
                i += 1;
                let body_start = i;
                if at(i) == Some('~') {
                    i += 1;
                }
                while at(i).is_some_and(|c| c.is_ascii_digit() || c == '-') {
                    i += 1;
                }
                if at(i).is_some_and(is_ident_char) {
                    while at(i).is_some_and(|c| is_ident_char(c) || c == '-') {
                        i += 1;
                    }
                }
                let body: String = chars[body_start..i].iter().map(|&(_, c)| c).collect();
                match FDate::parse(&body) {
                    Ok(d) if !body.is_empty() => Tok::Date(d),
                    Ok(_) => {
                        return Err(err(
                            start,
                            "expected a date after '@' (YYYY, YYYY-MM or YYYY-MM-DD)".into(),
                        ));
                    }
                    Err(e) => return Err(err(start, e)),
                }
            }
            '-' if at(i + 1).is_some_and(is_ident_start) => {
                i += 1;
                let name_start = i;
                while at(i).is_some_and(is_ident_char) {
                    i += 1;
                }
                let name: String = chars[name_start..i].iter().map(|&(_, c)| c).collect();
                if at(i) == Some('-') && at(i + 1) == Some('>') {
                    i += 2;
                    Tok::Arrow(name)
                } else {
                    let found = match (at(i), at(i + 1)) {
                        (Some('-'), next) => format!("'-' and then {}", found_char(next)),
                        (c, _) => found_char(c),
                    };
                    return Err(err(
                        i,
                        format!("expected '->' to close the relationship '-{name}', found {found}"),
                    ));
                }
            }
            c if c.is_ascii_digit()
                || (c == '-' && at(i + 1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                i += 1;
                while at(i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
                let mut float = false;
                if at(i) == Some('.') && at(i + 1).is_some_and(|c| c.is_ascii_digit()) {
                    float = true;
                    i += 1;
                    while at(i).is_some_and(|c| c.is_ascii_digit()) {
                        i += 1;
                    }
                }
                if at(i).is_some_and(|c| is_ident_char(c) || c == '.') {
                    return Err(err(
                        start,
                        "malformed number: write 42, -3 or 2.5 (a date is written @2023-10)".into(),
                    ));
                }
                let lit: String = chars[start..i].iter().map(|&(_, c)| c).collect();
                if float {
                    match lit.parse::<f64>() {
                        Ok(f) => Tok::Float(f),
                        Err(_) => return Err(err(start, format!("'{lit}' is not a number"))),
                    }
                } else {
                    match lit.parse::<i64>() {
                        Ok(n) => Tok::Int(n),
                        Err(_) => {
                            return Err(err(
                                start,
                                format!("the integer {lit} does not fit in 64 bits"),
                            ));
                        }
                    }
                }
            }
            c if is_ident_start(c) => {
                while at(i).is_some_and(is_ident_char) {
                    i += 1;
                }
                Tok::Ident(chars[start..i].iter().map(|&(_, c)| c).collect())
            }
            c => {
                let hint = match c {
                    '\u{201c}' | '\u{201d}' | '\u{201e}' => {
                        " (strings are written in plain double quotes \")"
                    }
                    '\'' => " (strings are written in double quotes)",
                    _ => "",
                };
                return Err(err(i, format!("unexpected character '{c}'{hint}")));
            }
        };
        out.push(Token {
            tok,
            span: Span::new(off(start), off(i)),
        });
    }
    Ok(())
}

fn found_char(c: Option<char>) -> String {
    match c {
        Some(c) if c.is_whitespace() => "a space".into(),
        Some(c) => format!("'{c}'"),
        None => "the end of the line".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        let recs = split_records("t", src).unwrap();
        recs.iter()
            .flat_map(|r| tokenize("t", src, r).unwrap())
            .map(|t| t.tok)
            .collect()
    }

    fn lex_err(src: &str) -> String {
        let recs = match split_records("t.facts", src) {
            Ok(r) => r,
            Err(e) => return e.to_string(),
        };
        for r in &recs {
            if let Err(e) = tokenize("t.facts", src, r) {
                return e.to_string();
            }
        }
        panic!("no error for {src:?}");
    }

    #[test]
    fn every_token_kind() {
        assert_eq!(
            toks(
                "fact a -HOLDS_OFFICE-> b x=42 y=-3 z=2.5 d=@~2024-01-11 l=[\"a\\\"b\\\\\\n\\t\", c] r=relative(\"x\")"
            ),
            vec![
                Tok::Ident("fact".into()),
                Tok::Ident("a".into()),
                Tok::Arrow("HOLDS_OFFICE".into()),
                Tok::Ident("b".into()),
                Tok::Ident("x".into()),
                Tok::Eq,
                Tok::Int(42),
                Tok::Ident("y".into()),
                Tok::Eq,
                Tok::Int(-3),
                Tok::Ident("z".into()),
                Tok::Eq,
                Tok::Float(2.5),
                Tok::Ident("d".into()),
                Tok::Eq,
                Tok::Date(FDate::parse("~2024-01-11").unwrap()),
                Tok::Ident("l".into()),
                Tok::Eq,
                Tok::LBrack,
                Tok::Str("a\"b\\\n\t".into()),
                Tok::Comma,
                Tok::Ident("c".into()),
                Tok::RBrack,
                Tok::Ident("r".into()),
                Tok::Eq,
                Tok::Ident("relative".into()),
                Tok::LParen,
                Tok::Str("x".into()),
                Tok::RParen,
            ]
        );
    }

    #[test]
    fn records_continue_across_comments_and_blank_lines() {
        let src = "# head\nentity A a \"A\"  # trailing\n\n# between\n  x=1\nalias a \"B\"\n";
        let recs = split_records("t", src).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].lines.len(), 2);
        assert_eq!(toks(src).len(), 10);
    }

    #[test]
    fn typographic_characters_inside_strings_stand_for_themselves() {
        assert_eq!(
            toks("x \"Belarus’ „SOZ“ Außen\" # c"),
            vec![
                Tok::Ident("x".into()),
                Tok::Str("Belarus’ „SOZ“ Außen".into())
            ]
        );
    }

    #[test]
    fn lexical_errors_point_at_the_offending_character() {
        assert_eq!(
            lex_err("  entity A a \"A\"\n"),
            "t.facts:1:3: this indented line continues no record: a record starts at column 1"
        );
        assert_eq!(
            lex_err("entity A a \"Ä\n"),
            "t.facts:1:12: unterminated string: the closing '\"' is missing on this line (strings do not span lines; write \\n for a line break)"
        );
        assert_eq!(
            lex_err("x \"ä\\q\"\n"),
            "t.facts:1:5: unknown escape '\\q': write \\\", \\\\, \\n or \\t"
        );
        assert_eq!(
            lex_err("x\n  d=@2023-13\n"),
            "t.facts:2:5: '2023-13' is not a date of the calendar"
        );
        assert_eq!(
            lex_err("x d=@2023-1x\n"),
            "t.facts:1:5: '2023-1x' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD, optionally after ~"
        );
        assert_eq!(
            lex_err("fact a -IN- b\n"),
            "t.facts:1:11: expected '->' to close the relationship '-IN', found '-' and then a space"
        );
        assert_eq!(
            lex_err("x n=12ab\n"),
            "t.facts:1:5: malformed number: write 42, -3 or 2.5 (a date is written @2023-10)"
        );
        assert_eq!(
            lex_err("x n=99999999999999999999\n"),
            "t.facts:1:5: the integer 99999999999999999999 does not fit in 64 bits"
        );
        assert_eq!(
            lex_err("x „ä“ n=“b”\n"),
            "t.facts:1:3: unexpected character '„' (strings are written in plain double quotes \")"
        );
    }
}
