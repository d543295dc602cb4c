//! Imports a new article's fact file (the format of `seed/FORMAT.md`) into a
//! graph: the seed loader, with the article text read from disk.

use std::path::Path;

use crate::error::LoadError;
use crate::seed::{self, SCHEMA, load_parsed, parse_facts};
use crate::store::Graph;

use super::{ImportStats, error_at};

/// Loads the fact file at `path` into `graph`, all or nothing.
///
/// The `article` record's `file="..."` names the article text, relative to
/// the fact file's directory; every quote must occur in it verbatim.
/// Entities merge by key with those already in the graph (`belarus`, `sco`).
/// The graph's schema checks every record; a graph without a schema takes
/// the article graph's (`seed/schema.fgs`), so a fact file is never loaded
/// unchecked. Counts are of what the file added: merged entities add none.
pub fn import_facts(path: &Path, graph: &mut Graph) -> Result<ImportStats, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError {
        file: file.clone(),
        line: 0,
        col: 0,
        message: format!("cannot read the fact file: {e}"),
    })?;
    let parsed = parse_facts(&file, &text)?;
    let Some((article_file, span)) = parsed.article_file() else {
        let at = parsed.records.first().map_or(0, |r| r.span.start);
        return Err(error_at(
            &file,
            &text,
            at,
            "the article record has no file=\"...\" naming the article text".into(),
        ));
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let article_path = dir.join(article_file);
    let article_text = std::fs::read_to_string(&article_path).map_err(|e| {
        error_at(
            &file,
            &text,
            span.start,
            format!(
                "cannot read the article text {} (file= is relative to the fact file's directory): {e}",
                article_path.display()
            ),
        )
    })?;
    graph.all_or_nothing(|g| {
        if g.schema().is_none() {
            g.set_schema(Some(seed::parse_schema(SCHEMA.name, SCHEMA.text)?));
        }
        let (nodes, rels) = (g.node_count(), g.rel_count());
        load_parsed(g, &file, &text, &parsed, &article_text)?;
        Ok(ImportStats {
            nodes: g.node_count().saturating_sub(nodes),
            rels: g.rel_count().saturating_sub(rels),
        })
    })
}
