//! Values typed after `:param name` and `--param name=value`: Cypher
//! literals (`'Belarus'`, `42`, `-1.5`, `true`, `null`, `[1, 2]`,
//! `{a: 1}`, `fdate('2023-10')`, `date('2024-01-20')`).
//!
//! A literal is all a parameter needs, and reading it here keeps parameters
//! usable without running the evaluator.

use std::collections::BTreeMap;

use crate::model::{FDate, Value};

/// Reads one literal; the whole text must be used.
pub fn parse(src: &str) -> Result<Value, String> {
    let mut p = P { s: src, i: 0 };
    let v = p.value()?;
    p.ws();
    if p.i < src.len() {
        return Err(format!(
            "unexpected '{}' after the value (column {})",
            p.rest_word(),
            p.col()
        ));
    }
    Ok(v)
}

struct P<'a> {
    s: &'a str,
    i: usize,
}

impl P<'_> {
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }
    fn col(&self) -> usize {
        self.s[..self.i].chars().count() + 1
    }
    fn rest_word(&self) -> String {
        self.rest()
            .chars()
            .take_while(|c| !c.is_whitespace())
            .take(20)
            .collect()
    }
    fn ws(&mut self) {
        let r = self.rest();
        self.i += r.len() - r.trim_start().len();
    }
    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.rest().starts_with(c) {
            self.i += c.len_utf8();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else if self.i >= self.s.len() {
            Err(format!("expected '{c}', found end of input"))
        } else {
            Err(format!(
                "expected '{c}', found '{}' (column {})",
                self.rest_word(),
                self.col()
            ))
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.ws();
        let r = self.rest();
        let Some(c) = r.chars().next() else {
            return Err("expected a value, found end of input".into());
        };
        match c {
            '\'' | '"' => self.string().map(Value::String),
            '[' => {
                self.i += 1;
                let mut items = Vec::new();
                if !self.eat(']') {
                    loop {
                        items.push(self.value()?);
                        if self.eat(']') {
                            break;
                        }
                        self.expect(',')?;
                    }
                }
                Ok(Value::List(items))
            }
            '{' => {
                self.i += 1;
                let mut m = BTreeMap::new();
                if !self.eat('}') {
                    loop {
                        self.ws();
                        let key = if self.rest().starts_with(['\'', '"']) {
                            self.string()?
                        } else {
                            self.word()
                        };
                        if key.is_empty() {
                            return Err(format!(
                                "expected a key, found '{}' (column {})",
                                self.rest_word(),
                                self.col()
                            ));
                        }
                        self.expect(':')?;
                        let v = self.value()?;
                        m.insert(key, v);
                        if self.eat('}') {
                            break;
                        }
                        self.expect(',')?;
                    }
                }
                Ok(Value::Map(m))
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => self.number(),
            _ => {
                let start = self.i;
                let w = self.word();
                match w.to_ascii_lowercase().as_str() {
                    "null" => Ok(Value::Null),
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    f @ ("fdate" | "date") => {
                        self.expect('(')?;
                        self.ws();
                        let text = self.string()?;
                        self.expect(')')?;
                        let d = FDate::parse(&text).map_err(|e| format!("{f}('{text}'): {e}"))?;
                        // Cypher's date() is a day: date('2015') is 2015-01-01.
                        Ok(Value::Date(if f == "date" {
                            FDate::from_days(d.start_days())
                        } else {
                            d
                        }))
                    }
                    _ => {
                        self.i = start;
                        Err(format!(
                            "expected a value (a 'string', number, true, false, null, [list], {{map}} or fdate('…')), found '{}'",
                            self.rest_word()
                        ))
                    }
                }
            }
        }
    }

    fn word(&mut self) -> String {
        let w: String = self
            .rest()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        self.i += w.len();
        w
    }

    fn number(&mut self) -> Result<Value, String> {
        let r = self.rest();
        let len = r
            .char_indices()
            .take_while(|&(k, c)| {
                c.is_ascii_alphanumeric()
                    || c == '.'
                    || ((c == '-' || c == '+') && (k == 0 || r[..k].ends_with(['e', 'E'])))
            })
            .map(|(k, c)| k + c.len_utf8())
            .last()
            .unwrap_or(0);
        let text = r[..len].to_string();
        self.i += len;
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Value::Int(i));
        }
        text.parse::<f64>()
            .map(Value::Float)
            .map_err(|_| format!("'{text}' is not a number"))
    }

    fn string(&mut self) -> Result<String, String> {
        let mut chars = self.rest().char_indices();
        let Some((_, q)) = chars.next() else {
            return Err("expected a string".into());
        };
        let mut out = String::new();
        let mut escaped = false;
        for (k, c) in chars {
            if escaped {
                out.push(match c {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    c => c,
                });
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                self.i += k + 1;
                return Ok(out);
            } else {
                out.push(c);
            }
        }
        Err(format!(
            "the string starting at column {} is not closed",
            self.col()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cypher_literals() {
        assert_eq!(parse("'Belarus'"), Ok("Belarus".into()));
        assert_eq!(parse(" \"it\\'s\" "), Ok("it's".into()));
        assert_eq!(parse("-42"), Ok(Value::Int(-42)));
        assert_eq!(parse("1.5e3"), Ok(Value::Float(1500.0)));
        assert_eq!(parse("NULL"), Ok(Value::Null));
        assert_eq!(
            parse("[1, 'a', [true]]"),
            Ok(Value::List(vec![
                1.into(),
                "a".into(),
                Value::List(vec![true.into()])
            ]))
        );
        let Value::Map(m) = parse("{name: 'SCO', 'n': 2}").unwrap() else {
            panic!("not a map")
        };
        assert_eq!(m.get("name"), Some(&Value::from("SCO")));
        assert_eq!(
            parse("fdate('2023-10')"),
            Ok(Value::Date(FDate::month(2023, 10).unwrap()))
        );
        assert_eq!(
            parse("date('2015')"),
            Ok(Value::Date(FDate::day(2015, 1, 1).unwrap()))
        );
    }

    #[test]
    fn refuses_what_is_not_a_literal() {
        assert!(parse("Belarus").unwrap_err().contains("found 'Belarus'"));
        assert!(parse("'open").unwrap_err().contains("not closed"));
        assert!(parse("[1, 2").unwrap_err().contains("expected ','"));
        assert!(parse("1 2").unwrap_err().contains("after the value"));
        assert!(parse("").is_err());
        assert!(parse("fdate('2023-13')").is_err());
    }
}
