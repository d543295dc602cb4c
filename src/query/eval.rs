//! The evaluator. (To be written.)

use super::ast::Statement;
use super::{ExecOptions, Params, QueryResult};
use crate::error::QueryError;
use crate::store::Graph;

/// Runs one statement. On error the graph is as it was before.
pub fn execute(
    graph: &mut Graph,
    stmt: &Statement,
    params: &Params,
    opts: &ExecOptions,
) -> Result<QueryResult, QueryError> {
    let _ = (graph, stmt, params, opts);
    Err(QueryError::semantic(
        "NotImplemented",
        "the evaluator is not written yet",
    ))
}
