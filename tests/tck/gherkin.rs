//! A reader for the subset of Gherkin the openCypher TCK uses: features with
//! an optional `Background`, scenarios and scenario outlines with `Examples`
//! tables, steps with a doc string (`"""`) or a data table, tags and comments.
//!
//! Outlines are expanded here: every `Examples` row becomes one scenario with
//! `<name>` replaced in step text, doc strings and table cells, so the rest of
//! the runner only ever sees plain scenarios.

/// One step: its text without the keyword, and its argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// 1-based line in the feature file.
    pub line: usize,
    /// The text after `Given`/`When`/`Then`/`And`/`But`.
    pub text: String,
    pub doc: Option<String>,
    /// Table rows, cells unescaped (`\|`, `\\`, `\n`) and trimmed.
    pub table: Option<Vec<Vec<String>>>,
}

/// A scenario ready to run (outlines already expanded).
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// `[3] Name`, with ` (example 2)` appended for an outline row.
    pub name: String,
    pub line: usize,
    pub tags: Vec<String>,
    /// Background steps first, then the scenario's own.
    pub steps: Vec<Step>,
}

#[derive(Debug, Default)]
struct Raw {
    name: String,
    line: usize,
    tags: Vec<String>,
    outline: bool,
    steps: Vec<Step>,
    /// Each `Examples` block: header + rows.
    examples: Vec<Vec<Vec<String>>>,
}

enum Target {
    None,
    Background,
    Scenario,
    Examples,
}

const KEYWORDS: [&str; 5] = ["Given ", "When ", "Then ", "And ", "But "];

/// Splits a table row `| a | b\|c |` into unescaped, trimmed cells.
pub fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars();
    let mut closed = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('|') => cur.push('|'),
                Some('\\') => cur.push('\\'),
                Some('n') => cur.push('\n'),
                Some(o) => {
                    cur.push('\\');
                    cur.push(o);
                }
                None => cur.push('\\'),
            },
            '|' => {
                cells.push(cur.trim().to_string());
                cur.clear();
                closed = true;
                continue;
            }
            c => cur.push(c),
        }
        closed = false;
    }
    if !closed && !cur.trim().is_empty() {
        cells.push(cur.trim().to_string());
    }
    cells
}

/// Parses a feature file's text into scenarios, outlines expanded.
pub fn parse_feature(text: &str) -> Result<Vec<Scenario>, String> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut background: Vec<Step> = Vec::new();
    let mut raws: Vec<Raw> = Vec::new();
    let mut pending_tags: Vec<String> = Vec::new();
    let mut target = Target::None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        let lineno = i + 1;
        i += 1;
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('@') {
            pending_tags.extend(t.split_whitespace().map(str::to_string));
            continue;
        }
        if t.starts_with("Feature:") {
            target = Target::None;
            continue;
        }
        if t.starts_with("Background:") {
            target = Target::Background;
            continue;
        }
        let (outline, rest) = if let Some(r) = t.strip_prefix("Scenario Outline:") {
            (true, Some(r))
        } else if let Some(r) = t.strip_prefix("Scenario Template:") {
            (true, Some(r))
        } else if let Some(r) = t.strip_prefix("Scenario:") {
            (false, Some(r))
        } else {
            (false, None)
        };
        if let Some(name) = rest {
            raws.push(Raw {
                name: name.trim().to_string(),
                line: lineno,
                tags: std::mem::take(&mut pending_tags),
                outline,
                ..Raw::default()
            });
            target = Target::Scenario;
            continue;
        }
        if t.starts_with("Examples:") || t.starts_with("Scenarios:") {
            let raw = raws
                .last_mut()
                .ok_or_else(|| format!("line {lineno}: Examples outside a scenario"))?;
            raw.examples.push(Vec::new());
            target = Target::Examples;
            continue;
        }
        if t.starts_with("\"\"\"") || t.starts_with("```") {
            let fence = &t[..3];
            let indent = line.len() - line.trim_start().len();
            let mut body: Vec<String> = Vec::new();
            loop {
                let Some(l) = lines.get(i) else {
                    return Err(format!("line {lineno}: doc string is not closed"));
                };
                i += 1;
                if l.trim() == fence {
                    break;
                }
                // Gherkin removes the opening fence's indentation from each line.
                let strip = l.len() - l.trim_start().len();
                body.push(l[strip.min(indent)..].to_string());
            }
            let step = current_step(&mut target, &mut background, &mut raws)
                .ok_or_else(|| format!("line {lineno}: doc string without a step"))?;
            step.doc = Some(body.join("\n"));
            continue;
        }
        if t.starts_with('|') {
            let row = split_row(t);
            match target {
                Target::Examples => {
                    if let Some(ex) = raws.last_mut().and_then(|r| r.examples.last_mut()) {
                        ex.push(row);
                    }
                }
                _ => {
                    let step = current_step(&mut target, &mut background, &mut raws)
                        .ok_or_else(|| format!("line {lineno}: table without a step"))?;
                    step.table.get_or_insert_with(Vec::new).push(row);
                }
            }
            continue;
        }
        if let Some(kw) = KEYWORDS.iter().find(|k| t.starts_with(**k)) {
            let step = Step {
                line: lineno,
                text: t[kw.len()..].trim().to_string(),
                doc: None,
                table: None,
            };
            match target {
                Target::Background => background.push(step),
                Target::Scenario => match raws.last_mut() {
                    Some(r) => r.steps.push(step),
                    None => return Err(format!("line {lineno}: step outside a scenario")),
                },
                _ => return Err(format!("line {lineno}: step outside a scenario: {t}")),
            }
            continue;
        }
        // Free text: the description of a feature or scenario.
    }

    let mut out = Vec::new();
    for raw in raws {
        let mut steps = background.clone();
        steps.extend(raw.steps.iter().cloned());
        if !raw.outline {
            out.push(Scenario {
                name: raw.name,
                line: raw.line,
                tags: raw.tags,
                steps,
            });
            continue;
        }
        let mut n = 0;
        for ex in &raw.examples {
            let Some((header, rows)) = ex.split_first() else {
                continue;
            };
            for row in rows {
                n += 1;
                let subst = |s: &str| -> String {
                    let mut s = s.to_string();
                    for (k, v) in header.iter().zip(row) {
                        s = s.replace(&format!("<{k}>"), v);
                    }
                    s
                };
                let steps = steps
                    .iter()
                    .map(|st| Step {
                        line: st.line,
                        text: subst(&st.text),
                        doc: st.doc.as_deref().map(subst),
                        table: st.table.as_ref().map(|t| {
                            t.iter()
                                .map(|r| r.iter().map(|c| subst(c)).collect())
                                .collect()
                        }),
                    })
                    .collect();
                out.push(Scenario {
                    name: format!("{} (example {n})", subst(&raw.name)),
                    line: raw.line,
                    tags: raw.tags.clone(),
                    steps,
                });
            }
        }
    }
    Ok(out)
}

fn current_step<'a>(
    target: &mut Target,
    background: &'a mut [Step],
    raws: &'a mut [Raw],
) -> Option<&'a mut Step> {
    match target {
        Target::Background => background.last_mut(),
        Target::Scenario => raws.last_mut().and_then(|r| r.steps.last_mut()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTLINE: &str = "Feature: F\r
\r
  Background:\r
    Given an empty graph\r
\r
  @skipStyleCheck\r
  Scenario Outline: [1] Add <a>\r
    When executing query:\r
      \"\"\"\r
      RETURN <a> + 1 AS x\r
        // indented\r
      \"\"\"\r
    Then the result should be, in any order:\r
      | x   |\r
      | <r> |\r
\r
    Examples:\r
      | a | r |\r
      | 1 | 2 |\r
      | 2 | 3 |\r
\r
    Examples:\r
      | a  | r |\r
      | -1 | 0 |\r
\r
  Scenario: [2] Plain\r
    # a comment\r
    When executing query:\r
      \"\"\"\r
      RETURN 'a\\|b'\r
      \"\"\"\r
    Then the result should be empty\r
";

    #[test]
    fn outline_rows_become_scenarios_with_substitutions() {
        let s = parse_feature(OUTLINE).unwrap();
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].name, "[1] Add 1 (example 1)");
        assert_eq!(s[2].name, "[1] Add -1 (example 3)");
        assert_eq!(s[0].tags, vec!["@skipStyleCheck".to_string()]);
        assert_eq!(s[1].steps[0].text, "an empty graph");
        assert_eq!(
            s[1].steps[1].doc.as_deref(),
            Some("RETURN 2 + 1 AS x\n  // indented")
        );
        assert_eq!(
            s[1].steps[2].table,
            Some(vec![vec!["x".to_string()], vec!["3".to_string()]])
        );
        assert_eq!(s[3].name, "[2] Plain");
        assert_eq!(s[3].steps.len(), 3);
        assert_eq!(s[3].steps[1].doc.as_deref(), Some("RETURN 'a\\|b'"));
    }

    #[test]
    fn table_cells_are_unescaped() {
        assert_eq!(
            split_row(r"| 'a\|b' | 'c\\\\d' | '\n' |"),
            vec!["'a|b'", r"'c\\d'", "'\n'"]
        );
        assert_eq!(split_row("|"), Vec::<String>::new());
        assert_eq!(split_row("| a | |"), vec!["a", ""]);
    }
}
