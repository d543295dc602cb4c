//! Tokens with spans.
//!
//! The lexer turns the whole script into tokens at once; every span is a byte
//! range in that script. Keywords are not tokens of their own: they are
//! [`TokenKind::Ident`]s that the parser compares case-insensitively, so that
//! keywords stay usable as property keys and labels (`n.count`, `:Match`).
//!
//! Malformed numbers and stray characters become tokens ([`TokenKind::BadNumber`],
//! [`TokenKind::Unknown`]) rather than errors, because what they mean depends on
//! where the parser meets them (`RETURN 0x` is an invalid number, `{1B2c: 1}`
//! a map without a key). Unterminated strings, identifiers and comments are
//! errors at once, with detail `UnexpectedEndOfInput` so that the shell knows to
//! read another line.

use crate::error::{QueryError, Span};

/// What a token is. Values are already decoded (escapes resolved, numbers parsed).
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// A plain identifier or keyword, as written.
    Ident(String),
    /// A backtick-quoted identifier, unescaped; never a keyword.
    QuotedIdent(String),
    /// An integer literal's magnitude; the parser checks the `i64` range
    /// because `-9223372036854775808` is only valid with its minus sign.
    Int(u64),
    Float(f64),
    Str(String),
    /// `$name` or `$0`, without the `$`.
    Param(String),
    /// A number that cannot be read; `detail` is the TCK name of the problem
    /// (`InvalidNumberLiteral`, `IntegerOverflow`, `FloatingPointOverflow`).
    BadNumber {
        detail: &'static str,
    },
    /// A character that starts no token.
    Unknown(char),
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Dot,
    DotDot,
    Colon,
    Semicolon,
    Pipe,
    Plus,
    PlusEq,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `=~`
    RegexEq,
    /// The end of the script; its span is empty and sits at the end.
    Eof,
}

/// A token and the byte range of the script it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Splits `src` into tokens, skipping whitespace and comments. The last token
/// is always [`TokenKind::Eof`].
pub fn tokenize(src: &str) -> Result<Vec<Token>, QueryError> {
    let mut lx = Lexer { src, pos: 0 };
    let mut out = Vec::new();
    loop {
        lx.skip_trivia()?;
        let start = lx.pos;
        let Some(c) = lx.peek() else {
            out.push(Token {
                kind: TokenKind::Eof,
                span: Span::new(start, start),
            });
            return Ok(out);
        };
        let kind = lx.token(c)?;
        out.push(Token {
            kind,
            span: Span::new(start, lx.pos),
        });
    }
}

/// Whether `c` may start an unquoted identifier.
pub fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// Whether `c` may continue an unquoted identifier.
pub fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.src[self.pos..].chars();
        it.next();
        it.next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn eof_error(&self, expected: &str, start: usize) -> QueryError {
        let mut e =
            QueryError::expected(expected, "end of input", Span::new(start, self.src.len()));
        e.detail = "UnexpectedEndOfInput".to_string();
        e
    }

    // trivia: (whitespace | '//' ... newline | '/*' ... '*/')*
    fn skip_trivia(&mut self) -> Result<(), QueryError> {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() => {
                    self.bump();
                }
                Some('/') if self.peek2() == Some('/') => {
                    while let Some(c) = self.bump() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                Some('/') if self.peek2() == Some('*') => {
                    let start = self.pos;
                    self.pos += 2;
                    match self.src[self.pos..].find("*/") {
                        Some(i) => self.pos += i + 2,
                        None => {
                            self.pos = self.src.len();
                            return Err(self.eof_error("'*/' closing the comment", start));
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn token(&mut self, c: char) -> Result<TokenKind, QueryError> {
        use TokenKind as T;
        let start = self.pos;
        if c.is_ascii_digit() || (c == '.' && self.peek2().is_some_and(|d| d.is_ascii_digit())) {
            return Ok(self.number());
        }
        if is_ident_start(c) {
            return Ok(T::Ident(self.ident_run().to_string()));
        }
        self.bump();
        let kind = match c {
            '`' => T::QuotedIdent(self.quoted_ident(start)?),
            '\'' | '"' => T::Str(self.string(c, start)?),
            '$' => match self.peek() {
                Some('`') => {
                    self.bump();
                    T::Param(self.quoted_ident(start)?)
                }
                Some(d) if is_ident_continue(d) => T::Param(self.ident_run().to_string()),
                _ => T::Unknown('$'),
            },
            '(' => T::LParen,
            ')' => T::RParen,
            '[' => T::LBracket,
            ']' => T::RBracket,
            '{' => T::LBrace,
            '}' => T::RBrace,
            ',' => T::Comma,
            '.' if self.eat('.') => T::DotDot,
            '.' => T::Dot,
            ':' => T::Colon,
            ';' => T::Semicolon,
            '|' => T::Pipe,
            '+' if self.eat('=') => T::PlusEq,
            '+' => T::Plus,
            '-' => T::Minus,
            '*' => T::Star,
            '/' => T::Slash,
            '%' => T::Percent,
            '^' => T::Caret,
            '=' if self.eat('~') => T::RegexEq,
            '=' => T::Eq,
            '!' if self.eat('=') => T::Ne,
            '<' if self.eat('>') => T::Ne,
            '<' if self.eat('=') => T::Le,
            '<' => T::Lt,
            '>' if self.eat('=') => T::Ge,
            '>' => T::Gt,
            other => T::Unknown(other),
        };
        Ok(kind)
    }

    fn ident_run(&mut self) -> &str {
        let start = self.pos;
        while self.peek().is_some_and(is_ident_continue) {
            self.bump();
        }
        &self.src[start..self.pos]
    }

    // quoted: '`' ( [^`] | '``' )* '`'   (the opening backtick is consumed)
    fn quoted_ident(&mut self, start: usize) -> Result<String, QueryError> {
        let mut s = String::new();
        loop {
            match self.bump() {
                None => return Err(self.eof_error("'`' closing the identifier", start)),
                Some('`') if self.eat('`') => s.push('`'),
                Some('`') => return Ok(s),
                // The evaluator's own columns start with NUL (see
                // `eval::is_hidden`): no variable may.
                Some('\0') => {
                    return Err(QueryError::syntax(
                        "InvalidIdentifier",
                        "an identifier cannot hold the NUL character",
                        Span::new(self.pos - 1, self.pos),
                    ));
                }
                Some(c) => s.push(c),
            }
        }
    }

    // string: quote ( [^\\quote] | escape )* quote   (the opening quote is consumed)
    fn string(&mut self, quote: char, start: usize) -> Result<String, QueryError> {
        let mut s = String::new();
        loop {
            let esc_start = self.pos;
            match self.bump() {
                None => {
                    return Err(self.eof_error(&format!("{quote} closing the string"), start));
                }
                Some(c) if c == quote => return Ok(s),
                Some('\\') => {
                    let c = self.escape(esc_start)?;
                    s.push(c);
                }
                Some(c) => s.push(c),
            }
        }
    }

    // escape: '\' ( [\\'"bfnrtBFNRT] | 'u' hex{4} | 'U' hex{8} )   (the '\' is consumed)
    fn escape(&mut self, start: usize) -> Result<char, QueryError> {
        let Some(c) = self.bump() else {
            return Err(self.eof_error("an escaped character", start));
        };
        Ok(match c {
            '\\' => '\\',
            '\'' => '\'',
            '"' => '"',
            'b' | 'B' => '\u{8}',
            'f' | 'F' => '\u{c}',
            'n' | 'N' => '\n',
            'r' | 'R' => '\r',
            't' | 'T' => '\t',
            'u' | 'U' => {
                let digits = if c == 'u' { 4 } else { 8 };
                let code = self.hex_digits(digits, start)?;
                if (0xD800..0xDC00).contains(&code) && c == 'u' {
                    // A UTF-16 surrogate pair written as two escapes.
                    let save = self.pos;
                    if self.eat('\\') && self.eat('u') {
                        let low = self.hex_digits(4, start)?;
                        if (0xDC00..0xE000).contains(&low) {
                            let cp = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            if let Some(ch) = char::from_u32(cp) {
                                return Ok(ch);
                            }
                        }
                    }
                    self.pos = save;
                }
                match char::from_u32(code) {
                    Some(ch) => ch,
                    None => {
                        return Err(QueryError::syntax(
                            "InvalidUnicodeLiteral",
                            format!(
                                "expected a Unicode scalar value, found '{}'",
                                &self.src[start..self.pos]
                            ),
                            Span::new(start, self.pos),
                        ));
                    }
                }
            }
            other => {
                return Err(QueryError::syntax(
                    "InvalidEscapeSequence",
                    format!(
                        "expected an escape sequence (\\\\, \\', \\\", \\n, \\t, \\r, \\b, \\f, \\uXXXX), found '\\{other}'"
                    ),
                    Span::new(start, self.pos),
                ));
            }
        })
    }

    fn hex_digits(&mut self, n: usize, start: usize) -> Result<u32, QueryError> {
        let mut v: u32 = 0;
        for _ in 0..n {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    self.bump();
                    v = v.wrapping_mul(16).wrapping_add(d);
                }
                None => {
                    let found = match self.peek() {
                        None => "end of input".to_string(),
                        Some(c) => format!("'{c}'"),
                    };
                    return Err(QueryError::syntax(
                        "InvalidUnicodeLiteral",
                        format!(
                            "expected {n} hexadecimal digits after '{}', found {found}",
                            &self.src[start..self.pos]
                        ),
                        Span::new(start, self.pos + self.peek().map_or(0, char::len_utf8)),
                    ));
                }
            }
        }
        Ok(v)
    }

    // number: '0x' hex+ | '0o' oct+ | digits ['.' digits] [exp] | '.' digits [exp]
    // exp: ('e'|'E') ['+'|'-'] digits
    fn number(&mut self) -> TokenKind {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let radix = if bytes[start] == b'0' {
            match bytes.get(start + 1) {
                Some(b'x' | b'X') => 16,
                Some(b'o' | b'O') => 8,
                _ => 10,
            }
        } else {
            10
        };
        if radix != 10 {
            self.pos += 2;
            let digits_start = self.pos;
            while self.peek().is_some_and(|c| c.is_digit(radix)) {
                self.bump();
            }
            let digits = &self.src[digits_start..self.pos];
            if digits.is_empty() || self.peek().is_some_and(is_ident_continue) {
                self.ident_run();
                return TokenKind::BadNumber {
                    detail: "InvalidNumberLiteral",
                };
            }
            return match u64::from_str_radix(digits, radix) {
                Ok(v) => TokenKind::Int(v),
                Err(_) => TokenKind::BadNumber {
                    detail: "IntegerOverflow",
                },
            };
        }
        let digits = |lx: &mut Self| {
            while lx.peek().is_some_and(|c| c.is_ascii_digit()) {
                lx.bump();
            }
        };
        digits(self);
        let mut float = false;
        if self.peek() == Some('.') && self.peek2().is_some_and(|c| c.is_ascii_digit()) {
            float = true;
            self.bump();
            digits(self);
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let rest = &self.src[self.pos + 1..];
            let mut it = rest.chars();
            let ok = match it.next() {
                Some(c) if c.is_ascii_digit() => true,
                Some('+' | '-') => it.next().is_some_and(|c| c.is_ascii_digit()),
                _ => false,
            };
            if ok {
                float = true;
                self.bump();
                if matches!(self.peek(), Some('+' | '-')) {
                    self.bump();
                }
                digits(self);
            }
        }
        if self.peek().is_some_and(is_ident_continue) {
            self.ident_run();
            return TokenKind::BadNumber {
                detail: "InvalidNumberLiteral",
            };
        }
        let text = &self.src[start..self.pos];
        if float {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => TokenKind::Float(v),
                Ok(_) => TokenKind::BadNumber {
                    detail: "FloatingPointOverflow",
                },
                Err(_) => TokenKind::BadNumber {
                    detail: "InvalidNumberLiteral",
                },
            }
        } else {
            match text.parse::<u64>() {
                Ok(v) => TokenKind::Int(v),
                Err(_) => TokenKind::BadNumber {
                    detail: "IntegerOverflow",
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind as T;

    fn kinds(src: &str) -> Vec<TokenKind> {
        match tokenize(src) {
            Ok(toks) => toks.into_iter().map(|t| t.kind).collect(),
            Err(e) => panic!("{src}: {e}"),
        }
    }

    #[test]
    fn numbers_ranges_and_dots() {
        assert_eq!(
            kinds("*1..3"),
            vec![T::Star, T::Int(1), T::DotDot, T::Int(3), T::Eof]
        );
        assert_eq!(
            kinds("1.5 .5 1e3 2E-2"),
            vec![
                T::Float(1.5),
                T::Float(0.5),
                T::Float(1000.0),
                T::Float(0.02),
                T::Eof
            ]
        );
        assert_eq!(kinds("0x1F 0o17"), vec![T::Int(31), T::Int(15), T::Eof]);
        assert_eq!(
            kinds("n.x"),
            vec![T::Ident("n".into()), T::Dot, T::Ident("x".into()), T::Eof]
        );
        assert_eq!(
            kinds("0x"),
            vec![
                T::BadNumber {
                    detail: "InvalidNumberLiteral"
                },
                T::Eof
            ]
        );
        assert_eq!(
            kinds("99999999999999999999"),
            vec![
                T::BadNumber {
                    detail: "IntegerOverflow"
                },
                T::Eof
            ]
        );
        assert_eq!(
            kinds("1.34E999"),
            vec![
                T::BadNumber {
                    detail: "FloatingPointOverflow"
                },
                T::Eof
            ]
        );
    }

    #[test]
    fn strings_escapes_and_spans() {
        let toks = tokenize("  'a\\'b\\u00e4\\uD83D\\uDE00' `x``y` $p").unwrap_or_default();
        assert_eq!(toks[0].kind, T::Str("a'bä😀".into()));
        assert_eq!(toks[0].span, Span::new(2, 26));
        assert_eq!(toks[1].kind, T::QuotedIdent("x`y".into()));
        assert_eq!(toks[2].kind, T::Param("p".into()));
    }

    #[test]
    fn comments_and_operators() {
        assert_eq!(
            kinds("a /* x */ <> // c\n <= =~ += <-"),
            vec![
                T::Ident("a".into()),
                T::Ne,
                T::Le,
                T::RegexEq,
                T::PlusEq,
                T::Lt,
                T::Minus,
                T::Eof
            ]
        );
    }

    #[test]
    fn unterminated_things_are_end_of_input() {
        for src in ["'abc", "\"abc\\\"", "/* x", "`abc", "'\\"] {
            let e = tokenize(src).err().map(|e| e.detail);
            assert_eq!(e.as_deref(), Some("UnexpectedEndOfInput"), "{src}");
        }
        let e = tokenize("RETURN '\\uH'").err();
        assert_eq!(
            e.map(|e| e.detail).as_deref(),
            Some("InvalidUnicodeLiteral")
        );
        let e = tokenize("RETURN '\\q'").err();
        assert_eq!(
            e.map(|e| e.message).as_deref(),
            Some(
                "expected an escape sequence (\\\\, \\', \\\", \\n, \\t, \\r, \\b, \\f, \\uXXXX), found '\\q'"
            )
        );
    }
}
