//! The syntax tree of the query language. Every node keeps the span of the
//! text it came from (byte offsets into the whole script).
//!
//! `Display` prints canonical syntax, so that `parse(print(parse(q)))`
//! equals `parse(q)` (tested in the parser).

use crate::error::Span;

/// A script: statements separated by `;`.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    pub statements: Vec<Statement>,
}

/// One statement, optionally asked "as of" a date:
/// `AS OF fdate('2024-01-20') MATCH ...` (the expression must evaluate to a
/// date; a string such as `'2024-01'` is read as `fdate('2024-01')`).
/// `EXPLAIN` and `PROFILE` prefixes set `explain`.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub body: StatementBody,
    pub as_of: Option<Expr>,
    pub explain: bool,
    /// `PROFILE`: runs the statement and adds to its result the plan with
    /// the rows each clause produced and the time it took.
    pub profile: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatementBody {
    Query(Query),
    CreateIndex(CreateIndex),
    DropIndex(DropIndex),
    /// `SHOW [ALL | RANGE | LOOKUP] INDEX[ES]`: `kind` is RANGE or LOOKUP
    /// when given (ALL is no filter).
    ShowIndexes {
        kind: Option<Ident>,
    },
    /// `SHOW PROCEDURE[S]`: every procedure a CALL can name (Neo4j 5's
    /// form of `CALL dbms.procedures()`).
    ShowProcedures,
    CreateConstraint(CreateConstraint),
    /// `DROP CONSTRAINT name [IF EXISTS]`.
    DropConstraint {
        name: Ident,
        if_exists: bool,
    },
    /// `SHOW [ALL] CONSTRAINT[S]`.
    ShowConstraints,
}

/// `CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR (n:Label) REQUIRE n.p IS
/// UNIQUE` (or `(n.p, n.q) IS UNIQUE`, `n.p IS NOT NULL`, `... IS NODE
/// KEY`), or `FOR ()-[r:TYPE]-() REQUIRE ...` for relationships.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateConstraint {
    pub name: Option<Ident>,
    pub if_not_exists: bool,
    pub entity: crate::store::constraints::Entity,
    /// The label or relationship type.
    pub label: Ident,
    pub keys: Vec<Ident>,
    pub kind: crate::store::constraints::Kind,
}

/// `CREATE [RANGE] INDEX [name] [IF NOT EXISTS] FOR (n:Label) ON (n.prop)`
/// or `CREATE INDEX ON :Label(prop)`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateIndex {
    pub name: Option<Ident>,
    pub if_not_exists: bool,
    pub label: Ident,
    pub property: Ident,
}

/// `DROP INDEX name [IF EXISTS]`, `DROP INDEX ON :Label(prop)`, or both
/// ways at once: `DROP INDEX [name] [IF EXISTS] FOR (n:Label) ON (n.prop)`.
#[derive(Debug, Clone, PartialEq)]
pub struct DropIndex {
    pub name: Option<Ident>,
    pub if_exists: bool,
    /// The label and property.
    pub on: Option<(Ident, Ident)>,
}

/// `single UNION [ALL] single ...`
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub first: SingleQuery,
    /// Each following part, with `true` for `UNION ALL`.
    pub unions: Vec<(bool, SingleQuery)>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SingleQuery {
    pub clauses: Vec<Clause>,
    pub span: Span,
}

/// What an `EXISTS`, `COUNT` or `COLLECT` subquery gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubqueryKind {
    /// Whether there is a match or a row.
    Exists,
    /// How many matches or rows there are.
    Count,
    /// The values of the query's one returned column, in order.
    Collect,
}

impl SubqueryKind {
    /// The keyword that opens it.
    pub fn keyword(self) -> &'static str {
        match self {
            SubqueryKind::Exists => "EXISTS",
            SubqueryKind::Count => "COUNT",
            SubqueryKind::Collect => "COLLECT",
        }
    }
}

/// What the parser decided of a function call, once, so that evaluating
/// the call on every row does not decide it again.
#[derive(Debug, Clone, PartialEq)]
pub struct FnInfo {
    /// The name lower-cased (functions are looked up case-insensitively).
    pub lower: Box<str>,
    /// An aggregating function (`count`, `collect`, ...).
    pub aggregate: bool,
    /// A foldable function of constants (see `expr::constant`): one value
    /// in a statement, computed once.
    pub constant: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    Match {
        optional: bool,
        pattern: Pattern,
        where_: Option<Expr>,
        span: Span,
    },
    Unwind {
        expr: Expr,
        alias: Ident,
        span: Span,
    },
    /// `LOAD CSV [WITH HEADERS] FROM url AS alias [FIELDTERMINATOR sep]`:
    /// a row per record of the file, as a map of the header's names (with
    /// headers) or a list of strings; an empty unquoted field is null.
    LoadCsv {
        headers: bool,
        url: Expr,
        alias: Ident,
        /// The field separator, `,` unless FIELDTERMINATOR says.
        sep: char,
        span: Span,
    },
    With(Projection),
    Return(Projection),
    Create {
        pattern: Pattern,
        span: Span,
    },
    Merge {
        part: PatternPart,
        on_create: Vec<SetItem>,
        on_match: Vec<SetItem>,
        span: Span,
    },
    Set {
        items: Vec<SetItem>,
        span: Span,
    },
    Remove {
        items: Vec<RemoveItem>,
        span: Span,
    },
    Delete {
        detach: bool,
        exprs: Vec<Expr>,
        span: Span,
    },
    /// `[OPTIONAL] CALL [(a, b) | (*) | ()] { query } [IN TRANSACTIONS ...]`
    /// (Neo4j's subqueries): the query runs once per incoming row, with the
    /// variables its scope imports bound; each row it returns extends the
    /// incoming one (no row drops it, unless OPTIONAL); one without RETURN
    /// (a unit subquery) keeps the incoming rows as they are.
    Subquery {
        optional: bool,
        scope: SubqueryScope,
        query: Box<Query>,
        /// `IN TRANSACTIONS`: the incoming rows in batches, each batch
        /// committed on its own.
        in_transactions: Option<InTransactions>,
        span: Span,
    },
    /// `FOREACH (x IN list | clauses)`: for each row, the clauses (which
    /// only write) run once per element of the list with `x` bound; the
    /// rows go on as they were, and nothing bound inside is seen after.
    Foreach {
        var: Ident,
        list: Expr,
        clauses: Vec<Clause>,
        span: Span,
    },
    /// `CALL proc.name(args) [YIELD a, b AS c [WHERE ...]]`
    Call {
        name: String,
        args: Option<Vec<Expr>>,
        yields: Vec<(Ident, Option<Ident>)>,
        where_: Option<Expr>,
        span: Span,
    },
}

/// `IN TRANSACTIONS [OF n ROWS] [REPORT STATUS AS s] [ON ERROR ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct InTransactions {
    /// `OF n ROWS` (1000 rows without it).
    pub rows: Option<Expr>,
    /// What a failed batch does to the statement.
    pub on_error: OnError,
    /// `REPORT STATUS AS s`: each row gets its batch's status as `s`.
    pub report: Option<Ident>,
}

/// `ON ERROR ...` of `CALL { } IN TRANSACTIONS`: a failed batch is rolled
/// back whatever it says; the batches committed before it stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// The statement fails (the default).
    #[default]
    Fail,
    /// The failed batch's rows get nulls for what the subquery returns;
    /// the next batch runs.
    Continue,
    /// Like CONTINUE for the failed batch, and no later batch runs: their
    /// rows get nulls too.
    Break,
}

/// Which outer variables a `CALL { }` subquery sees.
#[derive(Debug, Clone, PartialEq)]
pub enum SubqueryScope {
    /// `CALL { ... }`: none, unless its first clause is an importing
    /// `WITH a, b` (simple references only), the form before Neo4j 5.23.
    Leading,
    /// `CALL (*) { ... }`: every variable in scope.
    All,
    /// `CALL (a, b) { ... }`; `CALL () { ... }` imports none.
    Vars(Vec<Ident>),
}

/// The body of WITH and RETURN.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub distinct: bool,
    /// `*`: every variable in scope, before the listed items.
    pub star: bool,
    pub items: Vec<ProjItem>,
    pub order_by: Vec<SortItem>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
    /// Only for WITH.
    pub where_: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjItem {
    pub expr: Expr,
    pub alias: Option<Ident>,
    /// The item's text as written, which names the column when there is no
    /// alias (`RETURN n.name` gives the column `n.name`).
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortItem {
    pub expr: Expr,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SetItem {
    /// `n.prop = expr` (the target may be any expression ending in a property)
    Property {
        target: Expr,
        key: Ident,
        value: Expr,
    },
    /// `n = {map}` replaces all properties
    Replace { var: Ident, value: Expr },
    /// `n += {map}` merges properties
    Merge { var: Ident, value: Expr },
    /// `n:A:B`
    Labels { var: Ident, labels: Vec<Ident> },
}

#[derive(Debug, Clone, PartialEq)]
pub enum RemoveItem {
    Property { target: Expr, key: Ident },
    Labels { var: Ident, labels: Vec<Ident> },
}

/// Comma-separated pattern parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub parts: Vec<PatternPart>,
    /// The variables of `parts`, each once, in order of appearance: the
    /// columns a match of the pattern adds (computed once, not per run).
    pub vars: Vec<String>,
}

impl Pattern {
    pub fn new(parts: Vec<PatternPart>) -> Pattern {
        let vars = super::pattern::pattern_vars(&parts);
        Pattern { parts, vars }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathKind {
    Normal,
    /// `shortestPath(...)`
    Shortest,
    /// `allShortestPaths(...)`
    AllShortest,
}

/// `[p =] element`, or `[p =] shortestPath(element)`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternPart {
    pub var: Option<Ident>,
    pub kind: PathKind,
    pub element: PatternElement,
    pub span: Span,
}

/// `(a)-[r]->(b)<-[s]-(c)`
#[derive(Debug, Clone, PartialEq)]
pub struct PatternElement {
    pub start: NodePattern,
    pub chain: Vec<(RelPattern, NodePattern)>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodePattern {
    pub var: Option<Ident>,
    pub labels: Vec<Ident>,
    /// A map literal or a parameter.
    pub props: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `-[]->`
    Out,
    /// `<-[]-`
    In,
    /// `-[]-` (or `<-[]->`)
    Both,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RelPattern {
    pub var: Option<Ident>,
    /// Alternatives: `[:A|B]` (also `[:A|:B]`).
    pub types: Vec<Ident>,
    pub direction: Direction,
    /// Variable length: `*` is `Some((None, None))`, `*2` is
    /// `Some((Some(2), Some(2)))`, `*1..3`, `*..3`, `*2..`.
    pub length: Option<(Option<u64>, Option<u64>)>,
    pub props: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    In,
    StartsWith,
    EndsWith,
    Contains,
    /// `=~`
    Regex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
    Plus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    All,
    Any,
    None,
    Single,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MapProjItem {
    /// `.key`
    Property(Ident),
    /// `key: expr`
    Literal(Ident, Expr),
    /// `var` (includes the variable under its own name)
    Variable(Ident),
    /// `.*`
    AllProperties,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// `$name` (or `$0`)
    Param(String),
    Var(String),
    List(Vec<Expr>),
    Map(Vec<(Ident, Expr)>),
    /// `expr.key`
    Property(Box<Expr>, Ident),
    /// `expr[index]`
    Index(Box<Expr>, Box<Expr>),
    /// `expr[from..to]`
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Chained comparisons `a < b < c` are parsed as `a < b AND b < c` by the parser.
    Unary(UnaryOp, Box<Expr>),
    IsNull(Box<Expr>),
    IsNotNull(Box<Expr>),
    /// `n:A:B` as a predicate
    HasLabels(Box<Expr>, Vec<Ident>),
    /// `name(args)`; `name` keeps namespaces (`date.truncate`) and its
    /// spelling; functions are looked up case-insensitively.
    FnCall {
        name: String,
        distinct: bool,
        args: Vec<Expr>,
        /// What the name means, decided once by the parser.
        info: FnInfo,
    },
    /// `count(*)`
    CountStar,
    /// `CASE [subject] WHEN a THEN b ... [ELSE c] END`
    Case {
        subject: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        else_: Option<Box<Expr>>,
    },
    /// `[x IN list WHERE pred | map]`
    ListComprehension {
        var: Ident,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
        map: Option<Box<Expr>>,
    },
    /// `[p = (a)-->(b) WHERE pred | map]`
    PatternComprehension {
        var: Option<Ident>,
        element: PatternElement,
        filter: Option<Box<Expr>>,
        map: Box<Expr>,
    },
    /// `all(x IN list WHERE pred)` and any/none/single
    Quantified {
        q: Quantifier,
        var: Ident,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
    },
    /// `reduce(acc = init, x IN list | expr)`
    Reduce {
        acc: Ident,
        init: Box<Expr>,
        var: Ident,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    /// A pattern used as a predicate: `WHERE (a)-->(b)`
    PatternPredicate(PatternElement),
    /// `EXISTS { MATCH ... [WHERE ...] }` or `EXISTS { (a)-->(b) [WHERE ...] }`,
    /// `COUNT { ... }` (Neo4j 5): how many matches (or rows of the query)
    /// there are, not whether there is one, and `COLLECT { query }` (Neo4j
    /// 5): the list of the one column its query returns.
    ExistsSubquery {
        pattern: Pattern,
        where_: Option<Box<Expr>>,
        query: Option<Box<Query>>,
        count: SubqueryKind,
    },
    /// `n {.name, .age, k: expr, .*}`
    MapProjection(Box<Expr>, Vec<MapProjItem>),
}
