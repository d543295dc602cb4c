//! Error reports for people: the message, where (`file:line:col`, counted in
//! the whole script), the source line and a caret under the spot, the way
//! rustc and DuckDB draw them.
//!
//! ```text
//! error: expected ')', found 'RETURN'
//!   --> query.cypher:2:10
//!    |
//!  2 | MATCH (n RETURN n
//!    |          ^^^^^^
//! ```

use unicode_width::UnicodeWidthChar;

use crate::error::{QueryError, line_col};

const RED: &str = "\x1b[1;31m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

fn paint(on: bool, style: &str, text: &str) -> String {
    if on {
        format!("{style}{text}{RESET}")
    } else {
        text.to_string()
    }
}

/// `error: message` on one line.
pub fn error_line(message: &str, color: bool) -> String {
    format!(
        "{}{}\n",
        paint(color, RED, "error"),
        paint(color, BOLD, &format!(": {message}"))
    )
}

/// `note: message` on one line.
pub fn note_line(message: &str, color: bool) -> String {
    format!("{}: {message}\n", paint(color, BLUE, "note"))
}

/// The largest char boundary at or before `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A query error against the text it came from. `origin` names that text
/// (a file name, `-c`, `<stdin>`). The span is a byte range into `src`.
pub fn query_error(e: &QueryError, src: &str, origin: &str, color: bool) -> String {
    let mut out = error_line(&e.message, color);
    // Width of the line-number gutter, so `|`, `-->` and `=` line up.
    let mut gw = 0;
    if let Some(span) = e.span {
        let mut start = floor_boundary(src, span.start);
        // "found end of input" points just after the last thing written, not
        // at a blank line below it.
        let content_end = src.trim_end().len();
        if start >= content_end {
            start = content_end;
        }
        let end = floor_boundary(src, span.end.max(start));
        let (line, col) = line_col(src, start);
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        let text = src[line_start..line_end].trim_end_matches('\r');
        let gutter = line.to_string();
        gw = gutter.len();
        let blank = " ".repeat(gw);
        let bar = paint(color, BLUE, "|");
        out.push_str(&format!(
            "{blank}{} {origin}:{line}:{col}\n",
            paint(color, BLUE, "-->")
        ));
        out.push_str(&format!("{blank} {bar}\n"));
        out.push_str(&format!("{} {bar} {text}\n", paint(color, BLUE, &gutter)));
        // Tabs stay tabs so the caret lines up however wide the terminal
        // draws them; everything else becomes as many spaces as it is wide.
        let lead: String = src[line_start..start]
            .chars()
            .map(|c| {
                if c == '\t' {
                    "\t".to_string()
                } else {
                    " ".repeat(c.width().unwrap_or(0))
                }
            })
            .collect();
        let marked = &src[start..end.min(line_end).max(start)];
        let n = marked
            .chars()
            .map(|c| c.width().unwrap_or(0))
            .sum::<usize>()
            .max(1);
        out.push_str(&format!(
            "{blank} {bar} {lead}{}\n",
            paint(color, RED, &"^".repeat(n))
        ));
    }
    if let Some(h) = &e.hint {
        let h = h.trim();
        // A suggestion is a name (quoted when it has spaces); prose that
        // explains what to do instead is help, not a guess.
        let prose = h.contains(char::is_whitespace) && !h.starts_with(['\'', '"', '`']);
        let text = if h.starts_with("did you mean") {
            h.to_string()
        } else if prose {
            format!("help: {h}")
        } else if h.contains(['\'', '"', '`']) {
            format!("did you mean {h}?")
        } else {
            format!("did you mean '{h}'?")
        };
        out.push_str(&format!(
            "{} {} {text}\n",
            " ".repeat(gw),
            paint(color, BLUE, "=")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Span;

    #[test]
    fn caret_points_at_the_span_in_the_whole_script() {
        let src = "MATCH (n)\nRETURN n;\nMATCH (m RETURN m;";
        let at = src.rfind("RETURN").unwrap();
        let e = QueryError::expected("')'", "'RETURN'", Span::new(at, at + 6));
        assert_eq!(
            query_error(&e, src, "q.cypher", false),
            "error: expected ')', found 'RETURN'\n\
             \x20--> q.cypher:3:10\n\
             \x20 |\n\
             3 | MATCH (m RETURN m;\n\
             \x20 |          ^^^^^^\n"
        );
    }

    #[test]
    fn caret_counts_wide_characters_and_end_of_input() {
        let src = "RETURN '中国' + x";
        let at = src.find('x').unwrap();
        let e = QueryError::semantic("UndefinedVariable", "variable `x` not defined")
            .at(Span::new(at, at + 1))
            .hint("n");
        let out = query_error(&e, src, "-c", false);
        // The column counts characters; the caret's place counts terminal
        // columns: 'RETURN ' (7), quote (1), two wide characters (4), quote,
        // space, plus, space (4).
        assert!(out.contains(" --> -c:1:15\n"), "{out}");
        assert!(out.contains(&format!("| {}^\n", " ".repeat(16))), "{out}");
        assert!(out.ends_with("  = did you mean 'n'?\n"), "{out}");

        let src = "MATCH (n\n\n";
        let e = QueryError::expected("')'", "end of input", Span::new(src.len(), src.len()));
        let out = query_error(&e, src, "<stdin>", false);
        assert!(out.contains("<stdin>:1:9"), "{out}");
        assert!(out.ends_with("1 | MATCH (n\n  |         ^\n"), "{out}");
    }

    #[test]
    fn a_hint_in_words_is_help_and_a_name_is_a_guess() {
        let at = |h: &str| {
            let e = QueryError::semantic("X", "m").at(Span::new(0, 1)).hint(h);
            query_error(&e, "x", "-c", false)
        };
        assert!(
            at("use REMOVE n:Label to remove a label")
                .ends_with("= help: use REMOVE n:Label to remove a label\n"),
            "{}",
            at("use REMOVE n:Label to remove a label")
        );
        assert!(at("'Lukashenko'").ends_with("= did you mean 'Lukashenko'?\n"));
        assert!(at("'Alexander Lukashenko'").ends_with("= did you mean 'Alexander Lukashenko'?\n"));
        assert!(at("db.labels").ends_with("= did you mean 'db.labels'?\n"));
        assert!(at("did you mean db.labels?").ends_with("= did you mean db.labels?\n"));
    }
}
