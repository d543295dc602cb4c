//! Name resolution: folding names for lookup, and "did you mean".

use unicode_normalization::UnicodeNormalization;

/// Folds a name for lookup: lower case, diacritics removed, typographic
/// apostrophes and dashes made plain, runs of white space made one space.
/// `"Sergej  Alejnik"`, `"sergej alejnik"` and `"Sérgej Alejnik"` fold alike.
pub fn fold(name: &str) -> String {
    if name.is_ascii() {
        fold_ascii(name)
    } else {
        fold_unicode(name)
    }
}

fn fold_unicode(name: &str) -> String {
    let chars = name
        .nfkd()
        .filter(|&c| !unicode_normalization::char::is_combining_mark(c))
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{02bc}' | '`' => '\'',
            '\u{2010}'..='\u{2015}' => '-',
            c => c,
        });
    squeeze(chars, name.len())
}

/// [`fold`] of an ASCII name, which Unicode decomposition leaves as it is:
/// [`squeeze`] a byte at a time (a name lookup folds on every run).
fn fold_ascii(name: &str) -> String {
    let mut out = Vec::with_capacity(name.len());
    fold_ascii_bytes(name, |b| out.push(b));
    // ASCII in, ASCII out: the check cannot fail.
    String::from_utf8(out).unwrap_or_default()
}

/// The bytes of [`fold`] of an ASCII `name`, handed to `out` one by one
/// (so that a hash of the folded name needs no string).
pub fn fold_ascii_bytes(name: &str, mut out: impl FnMut(u8)) {
    let mut space = false;
    let mut started = false;
    for &b in name.as_bytes() {
        // `char::is_whitespace` of ASCII: tab, line feed, vertical tab,
        // form feed, carriage return and space.
        if matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
            space = started;
            continue;
        }
        if space {
            out(b' ');
            space = false;
        }
        started = true;
        out(if b == b'`' {
            b'\''
        } else {
            b.to_ascii_lowercase()
        });
    }
}

/// The characters lower-cased, each run of white space made one space and
/// none kept at either end.
fn squeeze(chars: impl Iterator<Item = char>, room: usize) -> String {
    let mut out = String::with_capacity(room);
    let mut space = false;
    for c in chars {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c == '\u{00df}' {
            // ß is ss, and a space before it is dropped: stores hold the
            // name index of names folded so, which must find them again.
            out.push_str("ss");
            space = false;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Edit distance in characters, counting a swap of two neighbouring
/// characters as one edit (optimal string alignment, the restricted
/// Damerau-Levenshtein distance): `nmae` is one edit from `name`, as a typist
/// sees it, where plain Levenshtein counts two.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one before the previous is needed for a swap.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 0..a.len() {
        cur[0] = i + 1;
        for j in 0..b.len() {
            let cost = usize::from(a[i] != b[j]);
            let mut d = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                d = d.min(before[j - 1] + 1);
            }
            cur[j + 1] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word` (compared folded), if it is close enough
/// to be what the user meant: within a third of the word's length, or a
/// candidate the word is a prefix of.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let w = fold(word);
    if w.is_empty() {
        return None;
    }
    let limit = (w.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let f = fold(c);
        if f == w {
            return Some(c.to_string());
        }
        let d = if f.starts_with(&w) && w.chars().count() >= 3 {
            1
        } else {
            edit_distance(&w, &f)
        };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fold` as it was when stores first saved their name index (hashes
    /// of folded names): every name must fold as it did then.
    fn fold_before(name: &str) -> String {
        let mut out = String::with_capacity(name.len());
        let mut space = false;
        for c in name.nfkd() {
            if unicode_normalization::char::is_combining_mark(c) {
                continue;
            }
            let c = match c {
                '\u{2018}' | '\u{2019}' | '\u{02bc}' | '`' => '\'',
                '\u{2010}'..='\u{2015}' => '-',
                '\u{00df}' => {
                    out.push_str("ss");
                    space = false;
                    continue;
                }
                c => c,
            };
            if c.is_whitespace() {
                space = !out.is_empty();
                continue;
            }
            if space {
                out.push(' ');
                space = false;
            }
            out.extend(c.to_lowercase());
        }
        out
    }

    #[test]
    fn names_fold_as_they_did_when_stores_saved_their_name_index() {
        let parts = [
            "",
            " ",
            "  ",
            "\t",
            "\u{a0}",
            "\u{2003}",
            "a",
            "Z",
            "ß",
            "ẞ",
            "`",
            "\u{2019}",
            "\u{2013}",
            "\u{301}",
            "é",
            "Ü",
            "Мінск",
            "ﬁ",
            "①",
            "İ",
            "ǅ",
            "SOZ",
            "Alejnik",
        ];
        let mut n = 0;
        for a in parts {
            for b in parts {
                for c in parts {
                    let s = format!("{a}{b}{c}");
                    assert_eq!(fold(&s), fold_before(&s), "{s:?}");
                    n += 1;
                }
            }
        }
        assert_eq!(n, parts.len().pow(3));
    }

    #[test]
    fn ascii_names_fold_as_the_unicode_path_folds_them() {
        // Every ASCII character alone, after a letter, between spaces, and
        // runs of the white space characters.
        let mut cases: Vec<String> = Vec::new();
        for b in 0u8..128 {
            let c = b as char;
            cases.extend([
                c.to_string(),
                format!("A{c}b"),
                format!(" {c} "),
                format!("x{c}{c}Y"),
            ]);
        }
        cases.extend([
            "  Sergej\t\n Alejnik ".into(),
            "SCO`s\u{b}x".into(),
            String::new(),
        ]);
        for s in &cases {
            assert!(s.is_ascii());
            assert_eq!(fold_ascii(s), fold_unicode(s), "{s:?}");
        }
    }

    #[test]
    fn fold_ignores_case_diacritics_and_spacing() {
        assert_eq!(fold("Sérgej  ALEJNIK"), "sergej alejnik");
        assert_eq!(
            fold("Außen ßtraße"),
            "aussensstrasse",
            "ß is ss and drops a space before it, as stored name indexes expect"
        );
        assert_eq!(fold("Belarus’"), "belarus'");
        assert_eq!(fold("Außenministerrat"), "aussenministerrat");
        assert_eq!(fold("Kùzu"), "kuzu");
    }

    #[test]
    fn suggestions() {
        let labels = ["State", "Organisation", "Person"];
        assert_eq!(did_you_mean("Stat", labels), Some("State".into()));
        assert_eq!(
            did_you_mean("organization", labels),
            Some("Organisation".into())
        );
        assert_eq!(did_you_mean("Xyzzy", labels), None);
        // Two letters swapped are one slip, not two.
        assert_eq!(did_you_mean("Sttae", labels), Some("State".into()));
        assert_eq!(
            did_you_mean("nmae", ["name", "aliases"]),
            Some("name".into())
        );
        assert_eq!(did_you_mean("Preson", labels), Some("Person".into()));
    }

    #[test]
    fn a_swap_of_neighbours_costs_one_edit() {
        assert_eq!(edit_distance("nmae", "name"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("abc", "ca"), 3, "no edit of a swapped pair");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("Kùzu", "Kzùu"), 1, "counted in characters");
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
