//! Error types shared by every layer, and [`Span`], the byte range an error points at.
//!
//! Positions are byte offsets into the *whole* text that was parsed (a script,
//! a file), never into one statement, so that line and column can be computed
//! against what the user actually typed. Messages never contain the position:
//! whoever renders the error (the shell, the CLI) turns the span into
//! `line:col` and draws the caret.

use std::fmt;

/// A byte range `start..end` in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    /// 1-based line and column (in characters) of `self.start` in `src`.
    pub fn line_col(self, src: &str) -> (usize, usize) {
        line_col(src, self.start)
    }
}

/// 1-based line and column (counted in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let mut line = 1;
    let mut line_start = 0;
    for (i, c) in src.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            line_start = i + 1;
        }
    }
    let col = src
        .get(line_start..offset)
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// The error classes of the openCypher TCK, plus our own schema class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Raised at compile time: the text is not a query.
    SyntaxError,
    /// Raised at compile time: a well-formed query that makes no sense
    /// (undefined variable, variable bound twice ...).
    SemanticError,
    /// Raised at run time: an operand of the wrong type.
    TypeError,
    /// Raised at run time: a value out of a function's domain.
    ArgumentError,
    /// Raised at run time: an entity that was deleted is used.
    EntityNotFound,
    /// Raised at run time: a constraint is violated (deleting a node that
    /// still has relationships).
    ConstraintVerificationFailed,
    /// A parameter the query uses was not given.
    ParameterMissing,
    /// A procedure that does not exist, or failed.
    ProcedureError,
    /// A write the declared schema does not allow.
    SchemaViolation,
    /// The statement was stopped (Ctrl-C in the shell) before it finished.
    Cancelled,
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// An error in a query: its class, the TCK detail name (e.g.
/// `UndefinedVariable`, `InvalidArgumentType`), a message for people and,
/// where known, the span in the source it is about.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{class}: {message}")]
pub struct QueryError {
    pub class: ErrorClass,
    pub detail: String,
    pub message: String,
    pub span: Option<Span>,
    /// A suggestion shown as `did you mean ...?`.
    pub hint: Option<String>,
}

impl QueryError {
    pub fn new(class: ErrorClass, detail: &str, message: impl Into<String>) -> QueryError {
        QueryError {
            class,
            detail: detail.to_string(),
            message: message.into(),
            span: None,
            hint: None,
        }
    }
    pub fn at(mut self, span: Span) -> QueryError {
        self.span = Some(span);
        self
    }
    pub fn hint(mut self, hint: impl Into<String>) -> QueryError {
        self.hint = Some(hint.into());
        self
    }
    /// `expected X, found Y` at a span: the one shape of every parse error.
    pub fn expected(expected: &str, found: &str, span: Span) -> QueryError {
        QueryError::new(
            ErrorClass::SyntaxError,
            "InvalidSyntax",
            format!("expected {expected}, found {found}"),
        )
        .at(span)
    }
    pub fn syntax(detail: &str, message: impl Into<String>, span: Span) -> QueryError {
        QueryError::new(ErrorClass::SyntaxError, detail, message).at(span)
    }
    pub fn semantic(detail: &str, message: impl Into<String>) -> QueryError {
        QueryError::new(ErrorClass::SemanticError, detail, message)
    }
    pub fn type_error(detail: &str, message: impl Into<String>) -> QueryError {
        QueryError::new(ErrorClass::TypeError, detail, message)
    }
    pub fn argument(detail: &str, message: impl Into<String>) -> QueryError {
        QueryError::new(ErrorClass::ArgumentError, detail, message)
    }
    pub fn schema(message: impl Into<String>) -> QueryError {
        QueryError::new(ErrorClass::SchemaViolation, "SchemaViolation", message)
    }
}

/// An error in a file a user wrote by hand (a fact file, a schema, a CSV):
/// the file, the 1-based line and column, and what is wrong. Line 0 is no
/// place in the file (it is missing, cannot be read, or is a directory):
/// the error then reads `file: message`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.col, self.message
            )
        }
    }
}

/// An error opening or saving a store file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: not a factgraph store (the file does not start with the factgraph magic bytes)"
    )]
    NotAStore { path: String },
    #[error(
        "{path}: store format version {found} is newer than this factgraph supports ({supported}); upgrade factgraph to open it. The file was not changed."
    )]
    NewerVersion {
        path: String,
        found: u32,
        supported: u32,
    },
    #[error(
        "{path}: the store is damaged ({what}). The file was not changed; restore it from a backup or rebuild it."
    )]
    Corrupt { path: String, what: String },
    /// Another process has the store open for writing.
    #[error(
        "{path}: the store is locked by {}: it has the store open for writing. Close it there, or open this store read-only (`factgraph --read-only`, which reads what it has committed).",
        locker(*.pid)
    )]
    Locked { path: String, pid: Option<u32> },
    /// A store's first write needs its directory, which is not there.
    #[error(
        "{path}: cannot write the store: the directory {dir} does not exist (nothing was written; create it, or check the path)"
    )]
    NoDirectory { path: String, dir: String },
    /// A change was made to a store opened read-only.
    #[error(
        "{path}: the store is open read-only (another process may be writing it); the change was not made"
    )]
    ReadOnly { path: String },
}

fn locker(pid: Option<u32>) -> String {
    match pid {
        Some(p) => format!("process {p}"),
        None => "another process".into(),
    }
}

/// Any error factgraph reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_across_lines() {
        let src = "MATCH (n)\nRETURN ä, x";
        let off = src.find('x').unwrap();
        assert_eq!(line_col(src, off), (2, 11));
        assert_eq!(line_col(src, 0), (1, 1));
    }
}
