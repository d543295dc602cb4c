//! Cuts a script into statements and colon commands without parsing it.
//!
//! The shell needs this before the parser sees anything: a script may mix
//! Cypher statements with `:command` lines, the line editor must know whether
//! the input is complete, and statements run one after the other so that an
//! error in the fifth leaves the first four done. The scanner knows just enough
//! Cypher lexis for that: strings (`'…'`, `"…"` with backslash escapes),
//! quoted names (`` `…` `` with doubled backticks) and comments (`//`, `/* */`).
//! A `;` outside those ends a statement.

use std::ops::Range;

/// One piece of a script, with its byte range in the whole script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A statement, including its terminating `;` if it has one.
    Statement {
        range: Range<usize>,
        terminated: bool,
    },
    /// A line that starts with `:` at a statement boundary, without the line
    /// break (and without one trailing `;`).
    Command { range: Range<usize> },
}

/// Where the scanner is when the text ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Normal,
    SingleQuote,
    DoubleQuote,
    Backtick,
    LineComment,
    BlockComment,
}

/// The result of scanning a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub items: Vec<Item>,
    /// The state at the end: anything but `Normal` or `LineComment` means the
    /// text stops inside a string, a quoted name or a block comment.
    pub end_state: State,
}

impl Split {
    /// True when the text ends inside a string, quoted name or block comment,
    /// or with a statement that has no `;` yet: what an interactive user is
    /// still typing.
    pub fn is_incomplete(&self) -> bool {
        matches!(
            self.end_state,
            State::SingleQuote | State::DoubleQuote | State::Backtick | State::BlockComment
        ) || matches!(
            self.items.last(),
            Some(Item::Statement {
                terminated: false,
                ..
            })
        )
    }
}

/// Splits `src` into statements and colon commands. Text that is only white
/// space and comments makes no item.
pub fn split(src: &str) -> Split {
    let bytes = src.as_bytes();
    let mut items = Vec::new();
    let mut state = State::Normal;
    // Start of the current statement and whether it has any code yet (white
    // space and comments alone do not make a statement).
    let mut start = 0;
    let mut has_code = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match state {
            State::Normal => {
                if !has_code && b == b':' && at_line_start(bytes, i) {
                    let end = src[i..].find('\n').map_or(src.len(), |n| i + n);
                    let mut cmd_end = i + src[i..end].trim_end().len();
                    if src[i..cmd_end].ends_with(';') {
                        cmd_end -= 1;
                    }
                    items.push(Item::Command { range: i..cmd_end });
                    i = end;
                    start = end;
                    continue;
                }
                match b {
                    b'\'' => state = State::SingleQuote,
                    b'"' => state = State::DoubleQuote,
                    b'`' => state = State::Backtick,
                    b'/' if bytes.get(i + 1) == Some(&b'/') => {
                        state = State::LineComment;
                        i += 1;
                    }
                    b'/' if bytes.get(i + 1) == Some(&b'*') => {
                        state = State::BlockComment;
                        i += 1;
                    }
                    b';' => {
                        if has_code {
                            items.push(Item::Statement {
                                range: start..i + 1,
                                terminated: true,
                            });
                        }
                        has_code = false;
                        start = i + 1;
                        i += 1;
                        continue;
                    }
                    _ => {}
                }
                if !b.is_ascii_whitespace()
                    && state != State::LineComment
                    && state != State::BlockComment
                {
                    has_code = true;
                }
            }
            State::SingleQuote | State::DoubleQuote => {
                let close = if state == State::SingleQuote {
                    b'\''
                } else {
                    b'"'
                };
                if b == b'\\' {
                    i += 1;
                } else if b == close {
                    state = State::Normal;
                }
            }
            State::Backtick => {
                if b == b'`' {
                    if bytes.get(i + 1) == Some(&b'`') {
                        i += 1;
                    } else {
                        state = State::Normal;
                    }
                }
            }
            State::LineComment => {
                if b == b'\n' {
                    state = State::Normal;
                }
            }
            State::BlockComment => {
                if b == b'*' && bytes.get(i + 1) == Some(&b'/') {
                    state = State::Normal;
                    i += 1;
                }
            }
        }
        i += 1;
    }
    if has_code {
        items.push(Item::Statement {
            range: start..src.len(),
            terminated: false,
        });
    }
    Split {
        items,
        end_state: state,
    }
}

/// True when only spaces and tabs stand between the previous line break (or
/// the start) and `i`.
fn at_line_start(bytes: &[u8], i: usize) -> bool {
    bytes[..i]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n')
        .all(|&b| b == b' ' || b == b'\t' || b == b'\r')
}

/// The scanner state at byte `pos` of `src` (for completion: is the cursor in
/// a string?), and where that string or quoted name began.
pub fn state_at(src: &str, pos: usize) -> (State, usize) {
    let bytes = src.as_bytes();
    let pos = pos.min(bytes.len());
    let mut state = State::Normal;
    let mut opened = 0;
    let mut i = 0;
    while i < pos {
        let b = bytes[i];
        match state {
            State::Normal => match b {
                b'\'' => (state, opened) = (State::SingleQuote, i),
                b'"' => (state, opened) = (State::DoubleQuote, i),
                b'`' => (state, opened) = (State::Backtick, i),
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    (state, opened) = (State::LineComment, i)
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    (state, opened) = (State::BlockComment, i);
                    i += 1;
                }
                _ => {}
            },
            State::SingleQuote | State::DoubleQuote => {
                let close = if state == State::SingleQuote {
                    b'\''
                } else {
                    b'"'
                };
                if b == b'\\' {
                    i += 1;
                } else if b == close {
                    state = State::Normal;
                }
            }
            State::Backtick => {
                if b == b'`' {
                    state = State::Normal;
                }
            }
            State::LineComment => {
                if b == b'\n' {
                    state = State::Normal;
                }
            }
            State::BlockComment => {
                if b == b'*' && bytes.get(i + 1) == Some(&b'/') {
                    state = State::Normal;
                    i += 1;
                }
            }
        }
        i += 1;
    }
    (state, opened)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        split(src)
            .items
            .iter()
            .map(|it| match it {
                Item::Statement { range, .. } => format!("S[{}]", src[range.clone()].trim()),
                Item::Command { range } => format!("C[{}]", &src[range.clone()]),
            })
            .collect()
    }

    #[test]
    fn statements_end_at_semicolons_outside_strings_and_comments() {
        let src =
            "MATCH (n {name: 'a;b'}) RETURN n; // c;\nRETURN \"x;\" /* ; */ ;\nRETURN `a;``b`";
        assert_eq!(
            texts(src),
            vec![
                "S[MATCH (n {name: 'a;b'}) RETURN n;]",
                "S[// c;\nRETURN \"x;\" /* ; */ ;]",
                "S[RETURN `a;``b`]"
            ]
        );
        let s = split(src);
        assert!(matches!(
            s.items.last(),
            Some(Item::Statement {
                terminated: false,
                ..
            })
        ));
        assert!(s.is_incomplete());
    }

    #[test]
    fn escaped_quotes_do_not_end_strings() {
        let s = split("RETURN 'it\\'s;' ;");
        assert_eq!(s.items.len(), 1);
        assert!(!s.is_incomplete());
    }

    #[test]
    fn colon_lines_at_statement_boundaries_are_commands() {
        let src = ":mode csv\nRETURN 1;\n  :stats;\nRETURN {a: 1}\n;\n";
        assert_eq!(
            texts(src),
            vec![
                "C[:mode csv]",
                "S[RETURN 1;]",
                "C[:stats]",
                "S[RETURN {a: 1}\n;]"
            ]
        );
        // A colon inside a statement is Cypher (a label), not a command.
        assert_eq!(
            texts("MATCH (n\n:State) RETURN n;"),
            vec!["S[MATCH (n\n:State) RETURN n;]"]
        );
    }

    #[test]
    fn comments_and_blank_text_make_no_items() {
        assert!(
            split("  // only a comment\n /* and another */ ")
                .items
                .is_empty()
        );
        assert!(!split("").is_incomplete());
        assert!(split("RETURN '").is_incomplete());
        assert!(split("/* open").is_incomplete());
    }

    #[test]
    fn state_at_finds_open_strings() {
        let src = "MATCH (n {name: 'Bel";
        assert_eq!(state_at(src, src.len()), (State::SingleQuote, 16));
        assert_eq!(state_at(src, 5).0, State::Normal);
    }
}
