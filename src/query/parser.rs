//! Recursive-descent parser for Cypher.
//!
//! The whole script is tokenized first; the parser then walks the tokens with
//! one token of lookahead (and a precomputed table of matching brackets where
//! Cypher needs more: `(a)` is an expression, `(a)-->(b)` a pattern).
//! Binary operators go through one precedence loop ([`Parser::subexpr`]).
//! A depth counter bounds recursion, so deeply nested input is a
//! `SyntaxError` rather than a stack overflow.
//!
//! Precedence, lowest first: `OR`, `XOR`, `AND`, `NOT`, comparisons
//! (`= <> < <= > >= =~`, chained `a < b < c` means `a < b AND b < c`),
//! predicates (`IS [NOT] NULL`, `STARTS WITH`, `ENDS WITH`, `CONTAINS`, `IN`),
//! `+ -`, `* / %`, `^` (left-associative, as in openCypher), unary `+ -`, and
//! postfix `.key`, `[i]`, `[a..b]`, `:Label`.

use super::ast::*;
use super::lexer::{Token, TokenKind, tokenize};
use crate::error::{QueryError, Span};

/// How deep expressions, patterns and subqueries may nest. Each level costs a
/// few stack frames; 200 levels fit well within a 2 MB thread stack even in
/// debug builds.
const MAX_DEPTH: usize = 200;

/// Parses a script of `;`-separated statements. Spans are byte offsets into `src`.
///
/// An input that stops in the middle of a statement fails with detail
/// `UnexpectedEndOfInput`, which the shell uses to ask for another line.
pub fn parse_script(src: &str) -> Result<Script, QueryError> {
    let tokens = tokenize(src)?;
    let mut p = Parser::new(src, tokens);
    p.script()
}

/// Parses a single expression (the whole input must be the expression).
pub fn parse_expression(src: &str) -> Result<Expr, QueryError> {
    let tokens = tokenize(src)?;
    let mut p = Parser::new(src, tokens);
    p.pattern_ok = true;
    let e = p.expr()?;
    if !p.at(&TokenKind::Eof) {
        return Err(p.unexpected("an operator or end of input"));
    }
    Ok(e)
}

/// Words that cannot name a variable without backticks. Any word can be a
/// property key, label, relationship type or map key.
pub(crate) const RESERVED: &[&str] = &[
    "ALL",
    "AND",
    "AS",
    "ASC",
    "ASCENDING",
    "BY",
    "CALL",
    "CASE",
    "CONTAINS",
    "CREATE",
    "DELETE",
    "DESC",
    "DESCENDING",
    "DETACH",
    "DISTINCT",
    "ELSE",
    "END",
    "ENDS",
    "EXISTS",
    "FALSE",
    "IN",
    "IS",
    "LIMIT",
    "MATCH",
    "MERGE",
    "NOT",
    "NULL",
    "ON",
    "OPTIONAL",
    "OR",
    "ORDER",
    "REMOVE",
    "RETURN",
    "SET",
    "SKIP",
    "STARTS",
    "THEN",
    "TRUE",
    "UNION",
    "UNWIND",
    "WHEN",
    "WHERE",
    "WITH",
    "XOR",
    "YIELD",
];

/// Words that start a clause, for error messages and "did you mean".
const CLAUSE_WORDS: &[&str] = &[
    "MATCH", "OPTIONAL", "UNWIND", "WITH", "RETURN", "CREATE", "MERGE", "SET", "REMOVE", "DELETE",
    "DETACH", "CALL", "FOREACH",
];

/// The other words that may follow a complete clause or expression, which a
/// typo there most likely meant (`WHRE`, `LIMT 1`, `ORDER BY x DESK`).
const FOLLOW_WORDS: &[&str] = &[
    "WHERE", "ORDER", "SKIP", "LIMIT", "UNION", "ASC", "DESC", "YIELD", "DISTINCT", "CONTAINS",
    "STARTS", "ENDS",
];

// Binding powers of the precedence loop, lowest first.
const P_OR: u8 = 1;
const P_XOR: u8 = 2;
const P_AND: u8 = 3;
const P_NOT: u8 = 4;
const P_CMP: u8 = 5;
const P_PRED: u8 = 6;
const P_ADD: u8 = 7;
const P_MUL: u8 = 8;
const P_POW: u8 = 9;
const P_UNARY: u8 = 10;

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    /// For each opening bracket token, the index of its closing partner.
    partner: Vec<Option<usize>>,
    depth: usize,
    /// How tall the expression being parsed has grown, counted like
    /// `depth`: the depth its parsing started at, plus its height less one.
    /// Recursion raises it, and so does each node a chain of operators
    /// (`1 + 1 + ...`, `a.b.c...`, `a < b < c ...`) puts on top of the tree
    /// in a loop, without recursing. Kept at most [`MAX_DEPTH`], so whatever
    /// walks a tree later (evaluation, printing, dropping) recurses a bounded
    /// number of levels, not one per operator of a megabyte-long chain.
    peak: usize,
    /// Whether a bare pattern (`(a)-->(b)`) may appear as an expression here:
    /// only in WHERE and inside `exists(...)`, as in openCypher.
    pattern_ok: bool,
    /// Set inside `EXISTS { ... }`, where a query need not end with RETURN
    /// and may not update.
    in_subquery: bool,
    /// The keyword of the subquery expression being parsed (EXISTS, COUNT
    /// or COLLECT), for errors.
    subquery_kw: &'static str,
    /// Whether the clause being parsed is the first of its query.
    first_clause: bool,
}

/// One binary operator as the precedence loop sees it.
#[derive(Clone, Copy)]
enum Op {
    Bin(BinOp),
    IsNull,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, toks: Vec<Token>) -> Parser<'a> {
        let mut partner = vec![None; toks.len()];
        let mut stack: Vec<(usize, TokenKind)> = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            let close = match t.kind {
                TokenKind::LParen => Some(TokenKind::RParen),
                TokenKind::LBracket => Some(TokenKind::RBracket),
                TokenKind::LBrace => Some(TokenKind::RBrace),
                _ => None,
            };
            if let Some(close) = close {
                stack.push((i, close));
            } else if matches!(
                t.kind,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace
            ) && let Some(at) = stack.iter().rposition(|(_, c)| *c == t.kind)
            {
                partner[stack[at].0] = Some(i);
                stack.truncate(at);
            }
        }
        Parser {
            src,
            toks,
            pos: 0,
            partner,
            depth: 0,
            peak: 0,
            pattern_ok: false,
            in_subquery: false,
            subquery_kw: "EXISTS",
            first_clause: false,
        }
    }

    // ---------------------------------------------------------------- tokens

    fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Token {
        let i = (self.pos + n).min(self.toks.len() - 1);
        &self.toks[i]
    }

    fn kind_at(&self, n: usize) -> &TokenKind {
        &self.peek_at(n).kind
    }

    fn at(&self, kind: &TokenKind) -> bool {
        &self.peek().kind == kind
    }

    fn advance(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.at(kind) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, kind: &TokenKind, what: &str) -> Result<Span, QueryError> {
        if self.at(kind) {
            Ok(self.advance().span)
        } else {
            Err(self.unexpected(what))
        }
    }

    fn is_kw_at(&self, n: usize, kw: &str) -> bool {
        matches!(self.kind_at(n), TokenKind::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    fn at_kw(&self, kw: &str) -> bool {
        self.is_kw_at(0, kw)
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.at_kw(kw) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn expect_kw(&mut self, kw: &str) -> Result<Span, QueryError> {
        if self.at_kw(kw) {
            Ok(self.advance().span)
        } else {
            Err(self.unexpected(kw))
        }
    }

    /// Start offset of the current token.
    fn start(&self) -> usize {
        self.peek().span.start
    }

    /// End offset of the last consumed token.
    fn prev_end(&self) -> usize {
        if self.pos == 0 {
            0
        } else {
            self.toks[self.pos - 1].span.end
        }
    }

    fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.prev_end().max(start))
    }

    // ---------------------------------------------------------------- errors

    /// How the current token is named in "found ...".
    fn found(&self) -> String {
        let t = self.peek();
        if t.kind == TokenKind::Eof {
            return "end of input".to_string();
        }
        let text = &self.src[t.span.start..t.span.end];
        let mut short: String = text.chars().take(30).collect();
        if short.len() < text.len() {
            short.push_str("...");
        }
        // A string literal shows its own quotes.
        if matches!(t.kind, TokenKind::Str(_)) && short.len() == text.len() {
            short
        } else {
            format!("'{short}'")
        }
    }

    /// `expected X, found <current token>` with the TCK detail the token calls for.
    fn unexpected(&self, expected: &str) -> QueryError {
        let t = self.peek();
        let mut e = QueryError::expected(expected, &self.found(), t.span);
        e.detail = match t.kind {
            TokenKind::Eof => "UnexpectedEndOfInput",
            TokenKind::Unknown(c) if !c.is_ascii() => "InvalidUnicodeCharacter",
            _ => "UnexpectedSyntax",
        }
        .to_string();
        let after_something = expected.contains("clause") || expected.contains("';'");
        if let TokenKind::Ident(word) = &t.kind
            && after_something
            && let Some(s) =
                suggest(word, CLAUSE_WORDS).or_else(|| suggest_close(word, FOLLOW_WORDS))
        {
            e = e.hint(format!("did you mean {s}?"));
        } else if t.kind == TokenKind::Eq
            && self.pos > 0
            && self
                .toks
                .get(self.pos - 1)
                .is_some_and(|p| p.kind == TokenKind::Eq)
        {
            e = e.hint("Cypher compares with one '=' (a = b), and tests for null with IS NULL");
        } else if let Some(TokenKind::Ident(word)) = self
            .pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map(|p| &p.kind)
            && suggest_close(word, &["DISTINCT"]).is_some()
        {
            // `RETURN DISTINT n`: the typo parsed as a name, and the error
            // is at the word after it.
            e = e.hint(format!("did you mean DISTINCT instead of {word}?"));
        }
        e
    }

    // ------------------------------------------------------------ statements

    // Script := Statement? ( ';' Statement? )* EOF
    fn script(&mut self) -> Result<Script, QueryError> {
        let mut statements = Vec::new();
        loop {
            while self.eat(&TokenKind::Semicolon) {}
            if self.at(&TokenKind::Eof) {
                return Ok(Script { statements });
            }
            statements.push(self.statement()?);
            if !self.at(&TokenKind::Eof) {
                self.expect(&TokenKind::Semicolon, "';' or end of input")?;
            }
        }
    }

    // Statement := [EXPLAIN | PROFILE] [AS OF Expr]
    //              (Query | CreateIndex | DropIndex | ShowIndexes | SHOW PROCEDURE[S])
    fn statement(&mut self) -> Result<Statement, QueryError> {
        let start = self.start();
        let (mut explain, mut profile) = (false, false);
        let mut as_of = None;
        loop {
            if !explain && !profile && (self.at_kw("EXPLAIN") || self.at_kw("PROFILE")) {
                explain = self.at_kw("EXPLAIN");
                profile = !explain;
                self.advance();
            } else if as_of.is_none() && self.at_kw("AS") && self.is_kw_at(1, "OF") {
                self.advance();
                self.advance();
                as_of = Some(self.expr()?);
            } else {
                break;
            }
        }
        let show_constraints = self.at_kw("SHOW")
            && (self.is_kw_at(1, "CONSTRAINTS")
                || self.is_kw_at(1, "CONSTRAINT")
                || self.is_kw_at(1, "ALL")
                    && (self.is_kw_at(2, "CONSTRAINTS") || self.is_kw_at(2, "CONSTRAINT")));
        let create_index = self.at_kw("CREATE")
            && ((self.is_kw_at(1, "INDEX") && self.kind_at(2) != &TokenKind::Eq)
                || (self.is_kw_at(1, "RANGE") && self.is_kw_at(2, "INDEX")));
        let body = if self.at_kw("CREATE") && self.is_kw_at(1, "CONSTRAINT") {
            self.create_constraint()?
        } else if self.at_kw("DROP") && self.is_kw_at(1, "CONSTRAINT") {
            self.advance();
            self.advance();
            let name = self.symbolic_name("a constraint name")?;
            let if_exists = self.eat_kw("IF");
            if if_exists {
                self.expect_kw("EXISTS")?;
            }
            StatementBody::DropConstraint { name, if_exists }
        } else if show_constraints {
            let show = self.start();
            self.advance();
            self.eat_kw("ALL");
            self.advance();
            if self.at_kw("YIELD") || self.at_kw("WHERE") {
                let columns = &super::indexes::CONSTRAINT_COLUMNS;
                self.show_as_call("db.constraints", columns, show)?
            } else {
                StatementBody::ShowConstraints
            }
        } else if create_index {
            self.create_index()?
        } else if self.at_kw("DROP") {
            self.drop_index()?
        } else if self.at_kw("SHOW")
            && (self.is_kw_at(1, "PROCEDURES") || self.is_kw_at(1, "PROCEDURE"))
        {
            self.advance();
            self.advance();
            StatementBody::ShowProcedures
        } else if self.at_kw("SHOW") {
            self.show_indexes()?
        } else {
            StatementBody::Query(self.query()?)
        };
        Ok(Statement {
            body,
            as_of,
            explain,
            profile,
            span: self.span_from(start),
        })
    }

    // CreateIndex := CREATE [RANGE] INDEX [name] [IF NOT EXISTS] IndexTarget
    //              | CREATE INDEX ON ':' Label '(' prop ')'
    fn create_index(&mut self) -> Result<StatementBody, QueryError> {
        self.advance();
        self.eat_kw("RANGE");
        self.expect_kw("INDEX")?;
        if let Some((label, property)) = self.old_index_target()? {
            return Ok(StatementBody::CreateIndex(CreateIndex {
                name: None,
                if_not_exists: false,
                label,
                property,
            }));
        }
        let name = self.index_name()?;
        let if_not_exists = self.eat_kw("IF");
        if if_not_exists {
            self.expect_kw("NOT")?;
            self.expect_kw("EXISTS")?;
        }
        let (label, property) = self.index_target()?;
        Ok(StatementBody::CreateIndex(CreateIndex {
            name,
            if_not_exists,
            label,
            property,
        }))
    }

    // CreateConstraint := CREATE CONSTRAINT [name] [IF NOT EXISTS]
    //     FOR ( '(' v ':' Label ')' | '(' ')' ['<'] '-' '[' v ':' Type ']' '-' ['>'] '(' ')' )
    //     REQUIRE ( v '.' key | '(' v '.' key (',' v '.' key)* ')' )
    //     IS ( [NODE | REL | RELATIONSHIP] UNIQUE | NOT NULL | [NODE | REL | RELATIONSHIP] KEY )
    fn create_constraint(&mut self) -> Result<StatementBody, QueryError> {
        use crate::store::constraints::{Entity, Kind};
        self.advance();
        self.advance();
        let name = if self.at_kw("FOR") || self.at_kw("IF") || self.at_kw("ON") {
            None
        } else {
            Some(self.symbolic_name("a constraint name, IF or FOR")?)
        };
        let if_not_exists = self.eat_kw("IF");
        if if_not_exists {
            self.expect_kw("NOT")?;
            self.expect_kw("EXISTS")?;
        }
        if self.at_kw("ON") {
            return Err(QueryError::syntax(
                "InvalidSyntax",
                "CREATE CONSTRAINT ... ON ... ASSERT is Neo4j 4's form",
                self.peek().span,
            )
            .hint(
                "write it as Neo4j 5 does: CREATE CONSTRAINT FOR (n:Label) REQUIRE n.key IS UNIQUE",
            ));
        }
        self.expect_kw("FOR")?;
        self.expect(&TokenKind::LParen, "'('")?;
        let (entity, var, label) = if self.kind_at(0) == &TokenKind::RParen {
            // ()-[r:TYPE]-(), either direction or none.
            self.advance();
            if self.kind_at(0) == &TokenKind::Lt {
                self.advance();
            }
            self.expect(&TokenKind::Minus, "'-'")?;
            self.expect(&TokenKind::LBracket, "'['")?;
            let var = self.symbolic_name("a variable")?;
            self.expect(&TokenKind::Colon, "':'")?;
            let label = self.symbolic_name("a relationship type")?;
            self.expect(&TokenKind::RBracket, "']'")?;
            self.expect(&TokenKind::Minus, "'-'")?;
            if self.kind_at(0) == &TokenKind::Gt {
                self.advance();
            }
            self.expect(&TokenKind::LParen, "'('")?;
            self.expect(&TokenKind::RParen, "')'")?;
            (Entity::Rel, var, label)
        } else {
            let var = self.symbolic_name("a variable")?;
            self.expect(&TokenKind::Colon, "':'")?;
            let label = self.symbolic_name("a label")?;
            self.expect(&TokenKind::RParen, "')'")?;
            (Entity::Node, var, label)
        };
        self.expect_kw("REQUIRE")?;
        let mut keys = Vec::new();
        let grouped = self.kind_at(0) == &TokenKind::LParen;
        if grouped {
            self.advance();
        }
        loop {
            keys.push(self.property_of(&var)?);
            if !grouped || !matches!(self.kind_at(0), TokenKind::Comma) {
                break;
            }
            self.advance();
        }
        if grouped {
            self.expect(&TokenKind::RParen, "')'")?;
        }
        self.expect_kw("IS")?;
        let kind_span = self.peek().span;
        let entity_word = if self.eat_kw("NODE") {
            Some(Entity::Node)
        } else if self.eat_kw("REL") || self.eat_kw("RELATIONSHIP") {
            Some(Entity::Rel)
        } else {
            None
        };
        let kind = if self.eat_kw("UNIQUE") {
            Kind::Unique
        } else if self.eat_kw("KEY") {
            Kind::Key
        } else if entity_word.is_none() && self.eat_kw("NOT") {
            self.expect_kw("NULL")?;
            Kind::Exists
        } else if entity_word.is_none()
            && (self.kind_at(0) == &TokenKind::Colon || self.at_kw("TYPED"))
        {
            return Err(QueryError::syntax(
                "UnsupportedFeature",
                "property type constraints (IS :: TYPE) are not supported",
                self.peek().span,
            )
            .hint("IS UNIQUE, IS NOT NULL and IS NODE KEY / IS RELATIONSHIP KEY are"));
        } else {
            return Err(self.unexpected("UNIQUE, NOT NULL, NODE KEY or RELATIONSHIP KEY"));
        };
        if entity_word.is_some_and(|e| e != entity) {
            let (said, is) = match entity {
                Entity::Node => ("a relationship", "nodes"),
                Entity::Rel => ("a node", "relationships"),
            };
            return Err(QueryError::syntax(
                "InvalidSyntax",
                format!("this is {said} constraint's kind, and the constraint is on {is}"),
                kind_span,
            ));
        }
        if kind == Kind::Exists && keys.len() > 1 {
            return Err(QueryError::syntax(
                "InvalidSyntax",
                "IS NOT NULL takes one property: write one constraint for each",
                keys[1].span,
            ));
        }
        Ok(StatementBody::CreateConstraint(
            super::ast::CreateConstraint {
                name,
                if_not_exists,
                entity,
                label,
                keys,
                kind,
            },
        ))
    }

    // DropIndex := DROP INDEX name [IF EXISTS]
    //            | DROP INDEX [name] [IF EXISTS] IndexTarget
    //            | DROP INDEX ON ':' Label '(' prop ')'
    fn drop_index(&mut self) -> Result<StatementBody, QueryError> {
        self.advance();
        self.expect_kw("INDEX")?;
        if let Some(on) = self.old_index_target()? {
            return Ok(StatementBody::DropIndex(DropIndex {
                name: None,
                if_exists: false,
                on: Some(on),
            }));
        }
        let name = self.index_name()?;
        let if_exists = self.eat_kw("IF");
        if if_exists {
            self.expect_kw("EXISTS")?;
        }
        let on = if name.is_none() || self.at_kw("FOR") {
            Some(self.index_target()?)
        } else {
            None
        };
        Ok(StatementBody::DropIndex(DropIndex {
            name,
            if_exists,
            on,
        }))
    }

    // ShowIndexes := SHOW [ALL | RANGE | LOOKUP] (INDEX | INDEXES)
    fn show_indexes(&mut self) -> Result<StatementBody, QueryError> {
        let start = self.start();
        self.advance();
        let kind = if self.at_kw("RANGE") || self.at_kw("LOOKUP") {
            Some(self.symbolic_name("RANGE or LOOKUP")?)
        } else {
            self.eat_kw("ALL");
            None
        };
        if !self.eat_kw("INDEXES") && !self.eat_kw("INDEX") {
            return Err(self.unexpected("INDEXES"));
        }
        if self.at_kw("YIELD") || self.at_kw("WHERE") {
            if let Some(k) = kind {
                return Err(QueryError::syntax(
                    "UnsupportedFeature",
                    format!(
                        "SHOW {} INDEXES takes no YIELD or WHERE",
                        k.name.to_uppercase()
                    ),
                    k.span,
                )
                .hint(format!(
                    "filter in the WHERE: SHOW INDEXES YIELD * WHERE type = '{}'",
                    k.name.to_uppercase()
                )));
            }
            return self.show_as_call("db.indexes", &super::indexes::SHOW_COLUMNS, start);
        }
        Ok(StatementBody::ShowIndexes { kind })
    }

    /// The rest of `SHOW INDEXES` / `SHOW CONSTRAINTS` with `YIELD` or
    /// `WHERE`, as Neo4j 5 has it: the listing as a `CALL` of `procedure`
    /// (its outputs are the listing's `columns`), `YIELD *` or `YIELD a [AS
    /// b], ...` (every column with `WHERE` alone), then `WHERE` and any
    /// clauses up to a RETURN, as after a CALL.
    fn show_as_call(
        &mut self,
        procedure: &str,
        columns: &[&str],
        start: usize,
    ) -> Result<StatementBody, QueryError> {
        let all = |span: Span| -> Vec<(Ident, Option<Ident>)> {
            columns
                .iter()
                .map(|c| {
                    let name = Ident {
                        name: c.to_string(),
                        span,
                    };
                    (name, None)
                })
                .collect()
        };
        let yields = if !self.eat_kw("YIELD") {
            all(self.peek().span)
        } else if self.at(&TokenKind::Star) {
            all(self.advance().span)
        } else {
            self.yield_items(Some(columns))?
        };
        // `YIELD ... ORDER BY ... SKIP ... LIMIT ... WHERE ...` is a `WITH *`
        // with them after the CALL; `YIELD ... WHERE ...` the CALL's own.
        let sorted = self.at_kw("ORDER") || self.at_kw("SKIP") || self.at_kw("LIMIT");
        let with_start = self.start();
        let (order_by, skip, limit, where_) = if sorted {
            self.projection_tail(true)?
        } else {
            (Vec::new(), None, None, self.where_opt()?)
        };
        let call_where = if sorted { None } else { where_.clone() };
        let mut clauses = vec![Clause::Call {
            name: procedure.to_string(),
            args: Some(Vec::new()),
            yields,
            where_: call_where,
            span: self.span_from(start),
        }];
        if sorted {
            clauses.push(Clause::With(Projection {
                distinct: false,
                star: true,
                items: Vec::new(),
                order_by,
                skip,
                limit,
                where_,
                span: self.span_from(with_start),
            }));
        }
        // Only a RETURN may follow, as in Neo4j (no clause that writes).
        self.first_clause = false;
        if self.at_kw("RETURN")
            && let Some(c) = self.clause()?
        {
            clauses.push(c);
        }
        if sorted && clauses.len() == 2 {
            let span = self.span_from(start);
            clauses.push(Clause::Return(Projection {
                distinct: false,
                star: true,
                items: Vec::new(),
                order_by: Vec::new(),
                skip: None,
                limit: None,
                where_: None,
                span,
            }));
        }
        if !matches!(self.peek().kind, TokenKind::Eof | TokenKind::Semicolon) {
            return Err(self
                .unexpected("RETURN, ';' or the end of the statement")
                .hint("after SHOW ... YIELD ... WHERE only a RETURN may follow"));
        }
        let span = self.span_from(start);
        Ok(StatementBody::Query(Query {
            first: SingleQuery { clauses, span },
            unions: Vec::new(),
            span,
        }))
    }

    /// `ON ':' Label '(' prop ')'` (the Neo4j 4 form), if that comes next.
    fn old_index_target(&mut self) -> Result<Option<(Ident, Ident)>, QueryError> {
        if !(self.at_kw("ON") && self.kind_at(1) == &TokenKind::Colon) {
            return Ok(None);
        }
        self.advance();
        self.advance();
        let label = self.symbolic_name("a label")?;
        self.expect(&TokenKind::LParen, "'('")?;
        let prop = self.symbolic_name("a property key")?;
        self.expect(&TokenKind::RParen, "')'")?;
        Ok(Some((label, prop)))
    }

    /// An index's name, unless IF or FOR comes first.
    fn index_name(&mut self) -> Result<Option<Ident>, QueryError> {
        if self.at_kw("FOR") || self.at_kw("IF") {
            return Ok(None);
        }
        self.symbolic_name("an index name, IF or FOR").map(Some)
    }

    // IndexTarget := FOR '(' v ':' Label ')' ON '(' v '.' prop ')'
    fn index_target(&mut self) -> Result<(Ident, Ident), QueryError> {
        self.expect_kw("FOR")?;
        self.expect(&TokenKind::LParen, "'('")?;
        let var = self.symbolic_name("a variable")?;
        self.expect(&TokenKind::Colon, "':'")?;
        let label = self.symbolic_name("a label")?;
        self.expect(&TokenKind::RParen, "')'")?;
        self.expect_kw("ON")?;
        self.expect(&TokenKind::LParen, "'('")?;
        let prop = self.property_of(&var)?;
        self.expect(&TokenKind::RParen, "')'")?;
        Ok((label, prop))
    }

    /// `v '.' key` in an index or constraint definition, where `v` must be
    /// `var`, the variable named after FOR: the key.
    fn property_of(&mut self, var: &Ident) -> Result<Ident, QueryError> {
        let v = self.symbolic_name("a variable")?;
        if v.name != var.name {
            return Err(QueryError::expected(
                &format!("'{}'", var.name),
                &format!("'{}'", v.name),
                v.span,
            )
            .hint("the property must belong to the variable named after FOR"));
        }
        self.expect(&TokenKind::Dot, "'.'")?;
        self.symbolic_name("a property key")
    }

    // Query := SingleQuery ( UNION [ALL] SingleQuery )*
    fn query(&mut self) -> Result<Query, QueryError> {
        let start = self.start();
        let first = self.single_query()?;
        let mut unions: Vec<(bool, SingleQuery)> = Vec::new();
        while self.at_kw("UNION") {
            let union_span = self.advance().span;
            let all = self.eat_kw("ALL");
            if let Some((prev_all, _)) = unions.first()
                && *prev_all != all
            {
                return Err(QueryError::syntax(
                    "InvalidClauseComposition",
                    format!(
                        "expected {}, found {}",
                        if *prev_all { "UNION ALL" } else { "UNION" },
                        if all { "UNION ALL" } else { "UNION" }
                    ),
                    union_span,
                )
                .hint("UNION and UNION ALL cannot be mixed in one query"));
            }
            unions.push((all, self.single_query()?));
        }
        Ok(Query {
            first,
            unions,
            span: self.span_from(start),
        })
    }

    // SingleQuery := Clause+   (ending with RETURN or an updating clause)
    fn single_query(&mut self) -> Result<SingleQuery, QueryError> {
        let start = self.start();
        let mut clauses = Vec::new();
        self.first_clause = true;
        while let Some(clause) = self.clause()? {
            self.first_clause = false;
            let is_return = matches!(clause, Clause::Return(_));
            clauses.push(clause);
            if is_return {
                break;
            }
        }
        let complete = match clauses.last() {
            None => false,
            Some(
                Clause::Match { .. }
                | Clause::Unwind { .. }
                | Clause::LoadCsv { .. }
                | Clause::With(_),
            ) => self.in_subquery,
            Some(_) => true,
        };
        if !complete {
            let what = if clauses.is_empty() {
                "a clause (MATCH, RETURN, CREATE, ...)"
            } else {
                "a clause (RETURN, MATCH, CREATE, ...)"
            };
            let mut e = self.unexpected(what);
            if !clauses.is_empty()
                && matches!(self.peek().kind, TokenKind::Semicolon | TokenKind::RBrace)
                || self.at_kw("UNION")
            {
                e.detail = "InvalidClauseComposition".to_string();
                e = e.hint("a query must end with RETURN or with a clause that writes (CREATE, MERGE, SET, DELETE, REMOVE)");
            }
            return Err(e);
        }
        if self.in_subquery
            && let Some(c) = clauses.iter().find(|c| is_update(c))
        {
            return Err(QueryError::syntax(
                "InvalidClauseComposition",
                format!(
                    "expected a reading clause in {} {{ ... }}, found a clause that writes",
                    self.subquery_kw
                ),
                clause_span(c),
            ));
        }
        Ok(SingleQuery {
            clauses,
            span: self.span_from(start),
        })
    }

    /// One clause, or `None` when the next token starts none.
    fn clause(&mut self) -> Result<Option<Clause>, QueryError> {
        let clause = if self.at_kw("MATCH") || (self.at_kw("OPTIONAL") && self.is_kw_at(1, "MATCH"))
        {
            self.match_clause()?
        } else if self.at_kw("UNWIND") {
            self.unwind_clause()?
        } else if self.at_kw("WITH") || self.at_kw("RETURN") {
            self.projection_clause()?
        } else if self.at_kw("CREATE") {
            self.create_clause()?
        } else if self.at_kw("MERGE") {
            self.merge_clause()?
        } else if self.at_kw("SET") {
            self.set_clause()?
        } else if self.at_kw("REMOVE") {
            self.remove_clause()?
        } else if self.at_kw("DELETE") || (self.at_kw("DETACH") && self.is_kw_at(1, "DELETE")) {
            self.delete_clause()?
        } else if self.at_kw("FOREACH") {
            self.foreach_clause()?
        } else if self.at_kw("LOAD") && self.is_kw_at(1, "CSV") {
            self.load_csv_clause()?
        } else if self.at_kw("USE") {
            return Err(QueryError::syntax(
                "UnsupportedFeature",
                "USE is not supported: a factgraph store is one database",
                self.peek().span,
            )
            .hint("open another store with `factgraph --store FILE`"));
        } else if self.at_kw("CALL")
            && matches!(self.kind_at(1), TokenKind::LBrace | TokenKind::LParen)
            || self.at_kw("OPTIONAL") && self.is_kw_at(1, "CALL")
        {
            self.subquery_clause()?
        } else if self.at_kw("CALL") {
            self.call_clause()?
        } else if self.at_kw("OPTIONAL") {
            self.advance();
            return Err(self.unexpected("MATCH after OPTIONAL"));
        } else {
            return Ok(None);
        };
        Ok(Some(clause))
    }

    // LoadCsv := LOAD CSV [WITH HEADERS] FROM Expr AS Variable
    //            [FIELDTERMINATOR String]
    #[inline(never)]
    fn load_csv_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        self.advance();
        self.advance();
        let headers = if self.at_kw("WITH") {
            self.advance();
            self.expect_kw("HEADERS")?;
            true
        } else {
            false
        };
        self.expect_kw("FROM")?;
        let url = self.expr()?;
        self.expect_kw("AS")?;
        let alias = self.variable()?;
        let mut sep = ',';
        if self.at_kw("FIELDTERMINATOR") {
            self.advance();
            let tok = self.peek().clone();
            let TokenKind::Str(s) = &tok.kind else {
                return Err(self.unexpected("a string (FIELDTERMINATOR ';')"));
            };
            let mut chars = s.chars();
            sep = match (chars.next(), chars.next()) {
                (Some(c), None) if !matches!(c, '"' | '\n' | '\r') => c,
                _ => {
                    return Err(QueryError::syntax(
                        "InvalidFieldTerminator",
                        format!("a field terminator is one character other than a quote or a line break, not {s:?}"),
                        tok.span,
                    )
                    .hint("FIELDTERMINATOR ';' or FIELDTERMINATOR '\\t'"));
                }
            };
            self.advance();
        }
        Ok(Clause::LoadCsv {
            headers,
            url,
            alias,
            sep,
            span: self.span_from(start),
        })
    }

    // Unwind := UNWIND Expr AS Variable
    #[inline(never)]
    fn unwind_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        self.advance();
        let expr = self.expr()?;
        self.expect_kw("AS")?;
        let alias = self.variable()?;
        Ok(Clause::Unwind {
            expr,
            alias,
            span: self.span_from(start),
        })
    }

    // With := WITH Projection ; Return := RETURN Projection
    #[inline(never)]
    fn projection_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        let is_with = self.at_kw("WITH");
        self.advance();
        let p = self.projection(start, is_with)?;
        Ok(if is_with {
            Clause::With(p)
        } else {
            Clause::Return(p)
        })
    }

    // Create := CREATE Pattern
    #[inline(never)]
    fn create_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        self.advance();
        let pattern = self.pattern()?;
        for part in &pattern.parts {
            check_creatable(&part.element, "CREATE")?;
        }
        Ok(Clause::Create {
            pattern,
            span: self.span_from(start),
        })
    }

    // Set := SET SetItem (',' SetItem)*
    #[inline(never)]
    fn set_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        self.advance();
        let items = self.set_items()?;
        Ok(Clause::Set {
            items,
            span: self.span_from(start),
        })
    }

    // Delete := [DETACH] DELETE Expr (',' Expr)*
    #[inline(never)]
    fn delete_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        let detach = self.eat_kw("DETACH");
        self.advance();
        let mut exprs = vec![self.delete_target()?];
        while self.eat(&TokenKind::Comma) {
            exprs.push(self.delete_target()?);
        }
        Ok(Clause::Delete {
            detach,
            exprs,
            span: self.span_from(start),
        })
    }

    // Match := [OPTIONAL] MATCH Pattern [WHERE Expr]
    #[inline(never)]
    fn match_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        let optional = self.eat_kw("OPTIONAL");
        self.expect_kw("MATCH")?;
        let pattern = self.pattern()?;
        let where_ = self.where_opt()?;
        Ok(Clause::Match {
            optional,
            pattern,
            where_,
            span: self.span_from(start),
        })
    }

    // Where := WHERE Expr   (bare patterns are predicates here)
    fn where_opt(&mut self) -> Result<Option<Expr>, QueryError> {
        if !self.eat_kw("WHERE") {
            return Ok(None);
        }
        let saved = std::mem::replace(&mut self.pattern_ok, true);
        let e = self.expr();
        self.pattern_ok = saved;
        e.map(Some)
    }

    // Merge := MERGE PatternPart ( ON (CREATE | MATCH) SET SetItem (',' SetItem)* )*
    #[inline(never)]
    fn merge_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        self.advance();
        let part = self.pattern_part()?;
        check_creatable(&part.element, "MERGE")?;
        let mut on_create = Vec::new();
        let mut on_match = Vec::new();
        while self.at_kw("ON") {
            self.advance();
            let target = if self.eat_kw("CREATE") {
                &mut on_create
            } else if self.eat_kw("MATCH") {
                &mut on_match
            } else {
                return Err(self.unexpected("CREATE or MATCH"));
            };
            self.expect_kw("SET")?;
            let items = self.set_items()?;
            target.extend(items);
        }
        Ok(Clause::Merge {
            part,
            on_create,
            on_match,
            span: self.span_from(start),
        })
    }

    // SetItem := PropertyExpr '=' Expr | Variable '=' Expr | Variable '+=' Expr | Variable Labels
    fn set_items(&mut self) -> Result<Vec<SetItem>, QueryError> {
        let mut items = Vec::new();
        loop {
            let target = self.subexpr(P_UNARY)?;
            let item = match target.kind {
                ExprKind::HasLabels(base, labels) => match base.kind {
                    ExprKind::Var(name) => SetItem::Labels {
                        var: Ident {
                            name,
                            span: base.span,
                        },
                        labels,
                    },
                    _ => {
                        return Err(QueryError::expected(
                            "a variable",
                            "an expression",
                            base.span,
                        ));
                    }
                },
                ExprKind::Property(base, key) => {
                    self.expect(&TokenKind::Eq, "'='")?;
                    SetItem::Property {
                        target: *base,
                        key,
                        value: self.expr()?,
                    }
                }
                ExprKind::Var(name) => {
                    let var = Ident {
                        name,
                        span: target.span,
                    };
                    if self.eat(&TokenKind::Eq) {
                        SetItem::Replace {
                            var,
                            value: self.expr()?,
                        }
                    } else if self.eat(&TokenKind::PlusEq) {
                        SetItem::Merge {
                            var,
                            value: self.expr()?,
                        }
                    } else {
                        return Err(self.unexpected("'=', '+=' or a label"));
                    }
                }
                _ => {
                    return Err(QueryError::expected(
                        "a property, a variable or labels to set",
                        &format!("'{}'", &self.src[target.span.start..target.span.end]),
                        target.span,
                    )
                    .with_detail("UnexpectedSyntax"));
                }
            };
            items.push(item);
            if !self.eat(&TokenKind::Comma) {
                return Ok(items);
            }
        }
    }

    // Remove := REMOVE (PropertyExpr | Variable Labels) (',' ...)*
    #[inline(never)]
    fn remove_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        self.advance();
        let mut items = Vec::new();
        loop {
            let target = self.subexpr(P_UNARY)?;
            let span = target.span;
            items.push(match target.kind {
                ExprKind::HasLabels(base, labels) if matches!(base.kind, ExprKind::Var(_)) => {
                    let name = match base.kind {
                        ExprKind::Var(name) => name,
                        _ => String::new(),
                    };
                    RemoveItem::Labels {
                        var: Ident {
                            name,
                            span: base.span,
                        },
                        labels,
                    }
                }
                ExprKind::Property(base, key) => RemoveItem::Property { target: *base, key },
                _ => {
                    return Err(QueryError::expected(
                        "a property or labels to remove",
                        &format!("'{}'", &self.src[span.start..span.end]),
                        span,
                    )
                    .with_detail("UnexpectedSyntax"));
                }
            });
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        Ok(Clause::Remove {
            items,
            span: self.span_from(start),
        })
    }

    fn delete_target(&mut self) -> Result<Expr, QueryError> {
        let e = self.expr()?;
        if matches!(e.kind, ExprKind::HasLabels(..)) {
            return Err(QueryError::syntax(
                "InvalidDelete",
                "expected a node, relationship or path to delete, found a label expression",
                e.span,
            )
            .hint("use REMOVE n:Label to remove a label"));
        }
        Ok(e)
    }

    // Foreach := FOREACH '(' Variable IN Expr '|' UpdatingClause+ ')'
    #[inline(never)]
    fn foreach_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        self.advance();
        self.expect(&TokenKind::LParen, "'('")?;
        let var = self.variable()?;
        self.expect_kw("IN")?;
        let list = self.expr()?;
        self.expect(&TokenKind::Pipe, "'|'")?;
        let saved = self.first_clause;
        // Each level of FOREACH costs the frames of a clause list.
        let clauses = self.weighted(4, Self::foreach_body);
        self.first_clause = saved;
        let clauses = clauses?;
        self.expect(&TokenKind::RParen, "')'")?;
        Ok(Clause::Foreach {
            var,
            list,
            clauses,
            span: self.span_from(start),
        })
    }

    /// The clauses of a FOREACH: one or more, each one that writes.
    fn foreach_body(&mut self) -> Result<Vec<Clause>, QueryError> {
        let mut clauses = Vec::new();
        self.first_clause = false;
        while let Some(c) = self.clause()? {
            if !is_update(&c) {
                return Err(QueryError::syntax(
                    "InvalidClauseComposition",
                    "FOREACH runs only clauses that write (CREATE, MERGE, SET, REMOVE, DELETE, FOREACH)",
                    clause_span(&c),
                )
                .hint("to read per element, use UNWIND list AS x ... or CALL (x) { ... }"));
            }
            clauses.push(c);
        }
        if clauses.is_empty() {
            return Err(
                self.unexpected("a clause that writes (CREATE, MERGE, SET, REMOVE, DELETE)")
            );
        }
        Ok(clauses)
    }

    // Subquery := [OPTIONAL] CALL ['(' ('*' | [Variable (',' Variable)*]) ')']
    //             '{' Query '}' [IN TRANSACTIONS [OF Expr (ROW | ROWS)]]
    #[inline(never)]
    fn subquery_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        if self.in_subquery {
            return Err(QueryError::syntax(
                "InvalidClauseComposition",
                format!(
                    "a CALL {{ ... }} subquery is not supported inside {} {{ ... }}",
                    self.subquery_kw
                ),
                self.peek().span,
            ));
        }
        let optional = self.eat_kw("OPTIONAL");
        self.expect_kw("CALL")?;
        let scope = if self.eat(&TokenKind::LParen) {
            if self.eat(&TokenKind::Star) {
                self.expect(&TokenKind::RParen, "')'")?;
                SubqueryScope::All
            } else {
                let mut vars = Vec::new();
                if !self.eat(&TokenKind::RParen) {
                    loop {
                        vars.push(self.variable()?);
                        if self.eat(&TokenKind::RParen) {
                            break;
                        }
                        self.expect(&TokenKind::Comma, "',' or ')'")?;
                    }
                }
                SubqueryScope::Vars(vars)
            }
        } else {
            SubqueryScope::Leading
        };
        if !self.at(&TokenKind::LBrace) {
            return Err(self.unexpected("'{' and the subquery"));
        }
        self.advance();
        let saved = self.first_clause;
        // Each level of subqueries costs the frames of a whole query.
        let query = self.weighted(4, Self::query);
        self.first_clause = saved;
        let query = Box::new(query?);
        self.expect(&TokenKind::RBrace, "'}'")?;
        let in_transactions = if self.at_kw("IN") && self.is_kw_at(1, "TRANSACTIONS") {
            self.advance();
            self.advance();
            let rows = if self.eat_kw("OF") {
                let e = self.expr()?;
                if !(self.eat_kw("ROWS") || self.eat_kw("ROW")) {
                    return Err(self.unexpected("ROWS"));
                }
                Some(e)
            } else {
                None
            };
            // REPORT STATUS and ON ERROR, each at most once, in either order.
            let (mut report, mut on_error) = (None, None);
            loop {
                if report.is_none() && self.eat_kw("REPORT") {
                    if !self.eat_kw("STATUS") {
                        return Err(self.unexpected("STATUS"));
                    }
                    if !self.eat_kw("AS") {
                        return Err(self.unexpected("AS"));
                    }
                    report = Some(self.variable()?);
                } else if on_error.is_none() && self.at_kw("ON") && self.is_kw_at(1, "ERROR") {
                    self.advance();
                    self.advance();
                    on_error = Some(if self.eat_kw("CONTINUE") {
                        OnError::Continue
                    } else if self.eat_kw("BREAK") {
                        OnError::Break
                    } else if self.eat_kw("FAIL") {
                        OnError::Fail
                    } else if self.at_kw("RETRY") {
                        return Err(QueryError::syntax(
                            "UnsupportedFeature",
                            "ON ERROR RETRY is not supported: a batch here fails for its data, never for a lock, so a retry would fail the same way",
                            self.peek().span,
                        ));
                    } else {
                        return Err(self.unexpected("CONTINUE, BREAK or FAIL"));
                    });
                } else {
                    break;
                }
            }
            Some(InTransactions {
                rows,
                on_error: on_error.unwrap_or_default(),
                report,
            })
        } else {
            None
        };
        Ok(Clause::Subquery {
            optional,
            scope,
            query,
            in_transactions,
            span: self.span_from(start),
        })
    }

    // Call := CALL Name ('.' Name)* ['(' [Expr (',' Expr)*] ')']
    //         [YIELD Name [AS Name] (',' Name [AS Name])* [WHERE Expr]]
    #[inline(never)]
    fn call_clause(&mut self) -> Result<Clause, QueryError> {
        let start = self.start();
        let first_clause = self.first_clause;
        if self.in_subquery {
            return Err(QueryError::syntax(
                "InvalidClauseComposition",
                format!(
                    "a procedure CALL is not supported inside {} {{ ... }}",
                    self.subquery_kw
                ),
                self.peek().span,
            ));
        }
        self.advance();
        let mut name = self.symbolic_name("a procedure name")?.name;
        while self.eat(&TokenKind::Dot) {
            name.push('.');
            name.push_str(&self.symbolic_name("a procedure name")?.name);
        }
        let args = if self.eat(&TokenKind::LParen) {
            let mut args = Vec::new();
            if !self.eat(&TokenKind::RParen) {
                loop {
                    args.push(self.expr()?);
                    if self.eat(&TokenKind::RParen) {
                        break;
                    }
                    self.expect(&TokenKind::Comma, "',' or ')'")?;
                }
            }
            Some(args)
        } else {
            None
        };
        let mut yields = Vec::new();
        let mut where_ = None;
        if self.eat_kw("YIELD") {
            // `YIELD *` only in a query that is nothing but the CALL, where it
            // means what no YIELD means: every result field.
            if self.at(&TokenKind::Star)
                && first_clause
                && !self.in_subquery
                && matches!(self.kind_at(1), TokenKind::Eof | TokenKind::Semicolon)
            {
                self.advance();
                return Ok(Clause::Call {
                    name,
                    args,
                    yields,
                    where_,
                    span: self.span_from(start),
                });
            }
            yields = self.yield_items(None)?;
            where_ = self.where_opt()?;
        }
        Ok(Clause::Call {
            name,
            args,
            yields,
            where_,
            span: self.span_from(start),
        })
    }

    /// `Name [AS Name] (',' Name [AS Name])*` after YIELD; with `columns`,
    /// each name must be one of them.
    fn yield_items(
        &mut self,
        columns: Option<&[&str]>,
    ) -> Result<Vec<(Ident, Option<Ident>)>, QueryError> {
        let mut yields = Vec::new();
        loop {
            let field = self.symbolic_name("a result field name")?;
            if let Some(cols) = columns
                && !cols.contains(&field.name.as_str())
            {
                return Err(QueryError::semantic(
                    "UndefinedVariable",
                    format!(
                        "there is no column `{}`; the columns are {}",
                        field.name,
                        cols.join(", ")
                    ),
                )
                .at(field.span));
            }
            let alias = if self.eat_kw("AS") {
                Some(self.variable()?)
            } else {
                None
            };
            yields.push((field, alias));
            if !self.eat(&TokenKind::Comma) {
                return Ok(yields);
            }
        }
    }

    // Projection := [DISTINCT] ('*' [',' ProjItems] | ProjItems) [ORDER BY SortItem (',' SortItem)*]
    //               [SKIP Expr] [LIMIT Expr] [WHERE Expr (WITH only)]
    // ProjItem := Expr [AS Variable]
    fn projection(&mut self, start: usize, is_with: bool) -> Result<Projection, QueryError> {
        let distinct = self.eat_kw("DISTINCT");
        let star = self.eat(&TokenKind::Star);
        let mut items = Vec::new();
        if !star || self.eat(&TokenKind::Comma) {
            loop {
                let item_start = self.start();
                let expr = self.expr()?;
                let text = self.src[item_start..self.prev_end()].to_string();
                let alias = if self.eat_kw("AS") {
                    Some(self.variable()?)
                } else {
                    None
                };
                items.push(ProjItem {
                    expr,
                    alias,
                    text,
                    span: self.span_from(item_start),
                });
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        let (order_by, skip, limit, where_) = self.projection_tail(is_with)?;
        Ok(Projection {
            distinct,
            star,
            items,
            order_by,
            skip,
            limit,
            where_,
            span: self.span_from(start),
        })
    }

    /// A projection's `[ORDER BY ...] [SKIP e] [LIMIT e]`, and for a WITH
    /// `[WHERE e]`.
    #[allow(clippy::type_complexity)]
    fn projection_tail(
        &mut self,
        is_with: bool,
    ) -> Result<(Vec<SortItem>, Option<Expr>, Option<Expr>, Option<Expr>), QueryError> {
        let mut order_by = Vec::new();
        if self.at_kw("ORDER") {
            self.advance();
            self.expect_kw("BY")?;
            loop {
                let expr = self.expr()?;
                let descending = if self.eat_kw("DESC") || self.eat_kw("DESCENDING") {
                    true
                } else {
                    let _ = self.eat_kw("ASC") || self.eat_kw("ASCENDING");
                    false
                };
                order_by.push(SortItem { expr, descending });
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        let skip = if self.eat_kw("SKIP") {
            Some(self.expr()?)
        } else {
            None
        };
        let limit = if self.eat_kw("LIMIT") {
            Some(self.expr()?)
        } else {
            None
        };
        let where_ = if is_with { self.where_opt()? } else { None };
        Ok((order_by, skip, limit, where_))
    }

    // ------------------------------------------------------------- patterns

    // Pattern := PatternPart (',' PatternPart)*
    fn pattern(&mut self) -> Result<Pattern, QueryError> {
        let mut parts = vec![self.pattern_part()?];
        while self.eat(&TokenKind::Comma) {
            parts.push(self.pattern_part()?);
        }
        Ok(Pattern::new(parts))
    }

    // PatternPart := [Variable '='] ( (shortestPath | allShortestPaths) '(' PatternElement ')' | PatternElement )
    fn pattern_part(&mut self) -> Result<PatternPart, QueryError> {
        let start = self.start();
        let var = if self.kind_at(1) == &TokenKind::Eq && is_name(self.kind_at(0)) {
            let v = self.variable()?;
            self.advance();
            Some(v)
        } else {
            None
        };
        let kind = if self.kind_at(1) == &TokenKind::LParen && self.at_kw("shortestPath") {
            PathKind::Shortest
        } else if self.kind_at(1) == &TokenKind::LParen && self.at_kw("allShortestPaths") {
            PathKind::AllShortest
        } else {
            PathKind::Normal
        };
        let element = if kind == PathKind::Normal {
            self.pattern_element()?
        } else {
            self.advance();
            self.advance();
            let el = self.pattern_element()?;
            self.expect(&TokenKind::RParen, "')'")?;
            el
        };
        Ok(PatternPart {
            var,
            kind,
            element,
            span: self.span_from(start),
        })
    }

    // PatternElement := NodePattern (RelPattern NodePattern)*
    fn pattern_element(&mut self) -> Result<PatternElement, QueryError> {
        let start = self.start();
        let first = self.node_pattern()?;
        let mut chain = Vec::new();
        // A dangling `-` at the end of input is an unfinished relationship.
        while self.at_rel_start() || self.at_rel_start_before_eof() {
            let rel = self.rel_pattern()?;
            let node = self.node_pattern()?;
            chain.push((rel, node));
        }
        Ok(PatternElement {
            start: first,
            chain,
            span: self.span_from(start),
        })
    }

    /// Whether the next tokens start a relationship: `-[`, `--`, `<-[` or `<--`.
    fn at_rel_start(&self) -> bool {
        self.rel_start_at(self.pos)
    }

    fn at_rel_start_before_eof(&self) -> bool {
        match self.kind_at(0) {
            TokenKind::Minus => self.kind_at(1) == &TokenKind::Eof,
            TokenKind::Lt => {
                self.kind_at(1) == &TokenKind::Minus && self.kind_at(2) == &TokenKind::Eof
            }
            _ => false,
        }
    }

    fn rel_start_at(&self, i: usize) -> bool {
        let k = |n: usize| &self.toks[(i + n).min(self.toks.len() - 1)].kind;
        match k(0) {
            TokenKind::Minus => matches!(k(1), TokenKind::LBracket | TokenKind::Minus),
            TokenKind::Lt => {
                k(1) == &TokenKind::Minus && matches!(k(2), TokenKind::LBracket | TokenKind::Minus)
            }
            _ => false,
        }
    }

    // NodePattern := '(' [Variable] (':' Label)* [MapLiteral | Parameter] ')'
    fn node_pattern(&mut self) -> Result<NodePattern, QueryError> {
        let start = self.start();
        self.expect(&TokenKind::LParen, "'('")?;
        let var = if is_name(&self.peek().kind) {
            Some(self.variable()?)
        } else {
            None
        };
        let mut labels = Vec::new();
        while self.eat(&TokenKind::Colon) {
            labels.push(self.symbolic_name("a label")?);
        }
        let props = self.properties_opt()?;
        let what = match (&var, labels.is_empty(), &props) {
            (_, _, Some(_)) => "')'",
            (None, true, None) => "a variable, ':', '{' or ')'",
            _ => "':', '{' or ')'",
        };
        self.expect(&TokenKind::RParen, what)?;
        Ok(NodePattern {
            var,
            labels,
            props,
            span: self.span_from(start),
        })
    }

    // Properties := MapLiteral | Parameter
    fn properties_opt(&mut self) -> Result<Option<Box<Expr>>, QueryError> {
        match self.peek().kind {
            TokenKind::LBrace => Ok(Some(Box::new(self.weighted(1, Self::map_literal)?))),
            TokenKind::Param(_) => Ok(Some(Box::new(self.atom()?))),
            _ => Ok(None),
        }
    }

    // RelPattern := ['<'] '-' ['[' [Variable] [':' Type ('|' [':'] Type)*] ['*' Range] [Properties] ']'] '-' ['>']
    fn rel_pattern(&mut self) -> Result<RelPattern, QueryError> {
        let start = self.start();
        let left = self.eat(&TokenKind::Lt);
        self.expect(&TokenKind::Minus, "'-'")?;
        let mut var = None;
        let mut types = Vec::new();
        let mut length = None;
        let mut props = None;
        if self.eat(&TokenKind::LBracket) {
            if is_name(&self.peek().kind) {
                var = Some(self.variable()?);
            }
            if self.eat(&TokenKind::Colon) {
                types.push(self.symbolic_name("a relationship type")?);
                while self.eat(&TokenKind::Pipe) {
                    self.eat(&TokenKind::Colon);
                    types.push(self.symbolic_name("a relationship type")?);
                }
            }
            if self.eat(&TokenKind::Star) {
                length = Some(self.range()?);
            } else if self.at(&TokenKind::DotDot) {
                return Err(QueryError::syntax(
                    "InvalidRelationshipPattern",
                    format!("expected '*' before a length range, found {}", self.found()),
                    self.peek().span,
                ));
            }
            props = self.properties_opt()?;
            self.expect(&TokenKind::RBracket, "']'")?;
        }
        self.expect(&TokenKind::Minus, "'-'")?;
        let right = self.eat(&TokenKind::Gt);
        let direction = match (left, right) {
            (false, true) => Direction::Out,
            (true, false) => Direction::In,
            _ => Direction::Both,
        };
        Ok(RelPattern {
            var,
            types,
            direction,
            length,
            props,
            span: self.span_from(start),
        })
    }

    // Range := [Integer] ['..' [Integer]]   (after '*')
    fn range(&mut self) -> Result<(Option<u64>, Option<u64>), QueryError> {
        let bound = |p: &mut Self| -> Result<Option<u64>, QueryError> {
            match p.peek().kind {
                TokenKind::Int(v) => {
                    p.advance();
                    Ok(Some(v))
                }
                TokenKind::Minus | TokenKind::Float(_) | TokenKind::BadNumber { .. } => {
                    Err(QueryError::syntax(
                        "InvalidRelationshipPattern",
                        format!(
                            "expected a non-negative integer length, found {}",
                            p.found()
                        ),
                        p.peek().span,
                    ))
                }
                _ => Ok(None),
            }
        };
        let min = bound(self)?;
        if self.eat(&TokenKind::DotDot) {
            let max = bound(self)?;
            Ok((min, max))
        } else {
            Ok((min, min))
        }
    }

    // ----------------------------------------------------------- expressions

    // Expr := OrExpr
    fn expr(&mut self) -> Result<Expr, QueryError> {
        self.subexpr(P_OR)
    }

    /// The precedence loop: parses operators binding at least as tightly as `min`.
    ///
    /// Every recursive path of the grammar passes through here, so this is
    /// where depth is counted. The functions on that path (`prefix`,
    /// `postfix`, `atom`, `paren_atom`) keep their frames small and hand the
    /// work with many temporaries to helpers, so that [`MAX_DEPTH`] levels fit
    /// in a 2 MB stack even unoptimised.
    fn subexpr(&mut self, min: u8) -> Result<Expr, QueryError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.too_deep());
        }
        let outer_peak = self.peak;
        self.depth += 1;
        // From here `peak` measures this expression alone.
        self.peak = self.depth;
        let r = match self.prefix() {
            Ok(lhs) if self.peek_op().is_some() => self.binary_ops(lhs, min),
            other => other,
        };
        self.depth -= 1;
        self.peak = self.peak.max(outer_peak);
        r
    }

    /// Accounts for a node a chain puts on top of a child parsed at the
    /// node's own depth, whose `peak` was `below`: one level above it. The
    /// node's other children, parsed by a recursive call one level deeper,
    /// are in `peak` already, their level above them counted by that call.
    fn wrap_over(&mut self, below: usize) -> Result<(), QueryError> {
        self.peak = self.peak.max(below + 1);
        self.height_ok(self.peak)
    }

    fn height_ok(&self, height: usize) -> Result<(), QueryError> {
        if height > MAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok(())
    }

    /// Runs `f` charging `units` of depth: constructs whose parsing functions
    /// keep larger frames cost more than one level.
    fn weighted<T>(
        &mut self,
        units: usize,
        f: fn(&mut Self) -> Result<T, QueryError>,
    ) -> Result<T, QueryError> {
        if self.depth + units > MAX_DEPTH {
            return Err(self.too_deep());
        }
        self.depth += units;
        self.peak = self.peak.max(self.depth);
        let r = f(self);
        self.depth -= units;
        r
    }

    #[inline(never)]
    fn too_deep(&self) -> QueryError {
        QueryError::syntax(
            "UnexpectedSyntax",
            format!("expected at most {MAX_DEPTH} levels of nesting, found more"),
            self.peek().span,
        )
    }

    #[inline(never)]
    fn binary_ops(&mut self, mut lhs: Expr, min: u8) -> Result<Expr, QueryError> {
        while let Some((op, prec, len)) = self.peek_op() {
            if prec < min {
                break;
            }
            for _ in 0..len {
                self.advance();
            }
            lhs = match op {
                Op::IsNull => {
                    self.wrap_over(self.peak)?;
                    let span = Span::new(lhs.span.start, self.prev_end());
                    let kind = if len == 3 {
                        ExprKind::IsNotNull(Box::new(lhs))
                    } else {
                        ExprKind::IsNull(Box::new(lhs))
                    };
                    Expr { kind, span }
                }
                Op::Bin(b) if prec == P_CMP => self.comparison_chain(lhs, b)?,
                Op::Bin(b) => {
                    let below = self.peak;
                    self.peak = self.depth;
                    // Left-associative: the right side binds one level tighter.
                    let rhs = self.subexpr(prec + 1)?;
                    self.wrap_over(below)?;
                    binary(b, lhs, rhs)
                }
            };
        }
        Ok(lhs)
    }

    // Comparison := PredExpr (CmpOp PredExpr)*   ; a < b < c means a < b AND b < c
    fn comparison_chain(&mut self, lhs: Expr, first: BinOp) -> Result<Expr, QueryError> {
        // Heights counted as `peak` counts them (see `wrap_over`); each
        // operand's is measured apart, as an operand is in two comparisons.
        let below = self.peak;
        self.peak = self.depth;
        let rhs = self.subexpr(P_PRED)?;
        let mut prev_peak = self.peak;
        self.wrap_over(below)?;
        let mut peak = self.peak;
        let mut result = binary(first, lhs, rhs.clone());
        let mut prev = rhs;
        while let Some((Op::Bin(op), P_CMP, _)) = self.peek_op() {
            self.advance();
            self.peak = self.depth;
            let next = self.subexpr(P_PRED)?;
            // `AND` over the chain so far and this comparison, both at this
            // depth; the comparison over two operands parsed one deeper.
            peak = peak.max(prev_peak.max(self.peak)) + 1;
            self.height_ok(peak)?;
            prev_peak = self.peak;
            let cmp = binary(op, prev, next.clone());
            result = binary(BinOp::And, result, cmp);
            prev = next;
        }
        self.peak = peak;
        Ok(result)
    }

    /// The binary operator at the cursor: (operator, precedence, tokens it spans).
    fn peek_op(&self) -> Option<(Op, u8, usize)> {
        use TokenKind as T;
        let b = |op, prec| Some((Op::Bin(op), prec, 1));
        match &self.peek().kind {
            T::Eq => b(BinOp::Eq, P_CMP),
            T::Ne => b(BinOp::Ne, P_CMP),
            T::Lt => b(BinOp::Lt, P_CMP),
            T::Le => b(BinOp::Le, P_CMP),
            T::Gt => b(BinOp::Gt, P_CMP),
            T::Ge => b(BinOp::Ge, P_CMP),
            T::RegexEq => b(BinOp::Regex, P_CMP),
            T::Plus => b(BinOp::Add, P_ADD),
            T::Minus => b(BinOp::Sub, P_ADD),
            T::Star => b(BinOp::Mul, P_MUL),
            T::Slash => b(BinOp::Div, P_MUL),
            T::Percent => b(BinOp::Mod, P_MUL),
            T::Caret => b(BinOp::Pow, P_POW),
            T::Ident(w) => {
                let w = w.to_ascii_uppercase();
                match w.as_str() {
                    "OR" => b(BinOp::Or, P_OR),
                    "XOR" => b(BinOp::Xor, P_XOR),
                    "AND" => b(BinOp::And, P_AND),
                    "IN" => b(BinOp::In, P_PRED),
                    "CONTAINS" => b(BinOp::Contains, P_PRED),
                    "STARTS" if self.is_kw_at(1, "WITH") => {
                        Some((Op::Bin(BinOp::StartsWith), P_PRED, 2))
                    }
                    "ENDS" if self.is_kw_at(1, "WITH") => {
                        Some((Op::Bin(BinOp::EndsWith), P_PRED, 2))
                    }
                    "IS" if self.is_kw_at(1, "NULL") => Some((Op::IsNull, P_PRED, 2)),
                    "IS" if self.is_kw_at(1, "NOT") && self.is_kw_at(2, "NULL") => {
                        Some((Op::IsNull, P_PRED, 3))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    // Prefix := NOT Expr@NOT | ('-' | '+') Expr@UNARY | Postfix
    fn prefix(&mut self) -> Result<Expr, QueryError> {
        match self.peek().kind {
            TokenKind::Minus | TokenKind::Plus => self.unary(),
            TokenKind::Ident(_) if self.at_kw("NOT") => self.not(),
            _ => self.postfix(),
        }
    }

    #[inline(never)]
    fn not(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        self.advance();
        let operand = self.subexpr(P_NOT)?;
        Ok(Expr {
            kind: ExprKind::Unary(UnaryOp::Not, Box::new(operand)),
            span: self.span_from(start),
        })
    }

    #[inline(never)]
    fn unary(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        let op = if self.advance().kind == TokenKind::Minus {
            UnaryOp::Neg
        } else {
            UnaryOp::Plus
        };
        // `-9223372036854775808` is a literal; its magnitude alone overflows.
        if op == UnaryOp::Neg
            && let TokenKind::Int(v) = self.peek().kind
            && !self.postfix_follows(1)
        {
            let end = self.advance().span.end;
            return match i64::try_from(-(v as i128)) {
                Ok(n) => Ok(lit(Literal::Int(n), self.span_from(start))),
                Err(_) => Err(overflow(Span::new(start, end), &self.src[start..end])),
            };
        }
        let operand = self.subexpr(P_UNARY)?;
        let span = self.span_from(start);
        // Fold negative number literals so that printing and parsing agree.
        if op == UnaryOp::Neg {
            match operand.kind {
                ExprKind::Literal(Literal::Int(v)) if v.checked_neg().is_some() => {
                    return Ok(lit(Literal::Int(-v), span));
                }
                ExprKind::Literal(Literal::Float(v)) => return Ok(lit(Literal::Float(-v), span)),
                _ => {}
            }
        }
        Ok(Expr {
            kind: ExprKind::Unary(op, Box::new(operand)),
            span,
        })
    }

    /// Whether the token `n` ahead starts a postfix operator (`.`, `[`, `:`).
    fn postfix_follows(&self, n: usize) -> bool {
        matches!(
            self.kind_at(n),
            TokenKind::Dot | TokenKind::LBracket | TokenKind::Colon
        )
    }

    // Postfix := Atom ( '.' PropertyKey | '[' Expr ']' | '[' [Expr] '..' [Expr] ']' )* [(':' Label)+]
    fn postfix(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        let e = self.atom()?;
        if self.postfix_follows(0) {
            self.postfix_ops(e, start)
        } else {
            Ok(e)
        }
    }

    #[inline(never)]
    fn postfix_ops(&mut self, mut e: Expr, start: usize) -> Result<Expr, QueryError> {
        loop {
            if self.eat(&TokenKind::Dot) {
                let key = self.symbolic_name("a property key")?;
                e = Expr {
                    kind: ExprKind::Property(Box::new(e), key),
                    span: self.span_from(start),
                };
                self.wrap_over(self.peak)?;
            } else if self.at(&TokenKind::LBracket) {
                self.advance();
                let below = self.peak;
                self.peak = self.depth;
                let from = if self.at(&TokenKind::DotDot) {
                    None
                } else {
                    Some(Box::new(self.expr()?))
                };
                if self.eat(&TokenKind::DotDot) {
                    let to = if self.at(&TokenKind::RBracket) {
                        None
                    } else {
                        Some(Box::new(self.expr()?))
                    };
                    self.expect(&TokenKind::RBracket, "']'")?;
                    e = Expr {
                        kind: ExprKind::Slice(Box::new(e), from, to),
                        span: self.span_from(start),
                    };
                    self.wrap_over(below)?;
                } else {
                    self.expect(&TokenKind::RBracket, "'..' or ']'")?;
                    let Some(index) = from else {
                        return Err(self.unexpected("an index"));
                    };
                    e = Expr {
                        kind: ExprKind::Index(Box::new(e), index),
                        span: self.span_from(start),
                    };
                    self.wrap_over(below)?;
                }
            } else {
                break;
            }
        }
        if self.at(&TokenKind::Colon) {
            let mut labels = Vec::new();
            while self.eat(&TokenKind::Colon) {
                labels.push(self.symbolic_name("a label")?);
            }
            e = Expr {
                kind: ExprKind::HasLabels(Box::new(e), labels),
                span: self.span_from(start),
            };
            self.wrap_over(self.peak)?;
        }
        Ok(e)
    }

    // Atom := Literal | Parameter | List | Map | CASE ... | '(' Expr ')' | PatternPredicate
    //       | ListComprehension | PatternComprehension | Quantifier | reduce(...)
    //       | EXISTS '{' ... '}' | count(*) | FunctionCall | Variable [MapProjection]
    fn atom(&mut self) -> Result<Expr, QueryError> {
        match self.peek().kind {
            TokenKind::LParen => self.paren_atom(),
            TokenKind::LBracket => self.bracket_atom(),
            TokenKind::LBrace => self.weighted(1, Self::map_literal),
            TokenKind::Ident(_) => self.word_atom(),
            TokenKind::QuotedIdent(_) => self.quoted_variable(),
            _ => self.literal_atom(),
        }
    }

    #[inline(never)]
    fn quoted_variable(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        let name = match self.advance().kind {
            TokenKind::QuotedIdent(name) => name,
            _ => String::new(),
        };
        self.variable_tail(name, start)
    }

    // Literal := Integer | Float | String | Parameter
    #[inline(never)]
    fn literal_atom(&mut self) -> Result<Expr, QueryError> {
        use TokenKind as T;
        let start = self.start();
        let tok = self.peek().clone();
        let kind = match &tok.kind {
            T::Int(v) => match i64::try_from(*v) {
                Ok(v) => ExprKind::Literal(Literal::Int(v)),
                Err(_) => return Err(overflow(tok.span, &self.src[tok.span.start..tok.span.end])),
            },
            T::Float(v) => ExprKind::Literal(Literal::Float(*v)),
            T::Str(s) => ExprKind::Literal(Literal::String(s.clone())),
            T::Param(name) => ExprKind::Param(name.clone()),
            T::BadNumber { detail } => {
                let text = &self.src[tok.span.start..tok.span.end];
                let message = match *detail {
                    "IntegerOverflow" => {
                        format!("expected an integer between -2^63 and 2^63-1, found '{text}'")
                    }
                    "FloatingPointOverflow" => {
                        format!("expected a finite floating point number, found '{text}'")
                    }
                    _ => format!("expected a number, found '{text}'"),
                };
                return Err(QueryError::syntax(detail, message, tok.span));
            }
            _ => return Err(self.unexpected("an expression")),
        };
        self.advance();
        Ok(Expr {
            kind,
            span: self.span_from(start),
        })
    }

    /// An atom that starts with a plain word: a keyword literal, CASE, EXISTS,
    /// a function call, a quantifier, or a variable.
    #[inline(never)]
    fn word_atom(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        let word = match &self.peek().kind {
            TokenKind::Ident(w) => w.clone(),
            _ => String::new(),
        };
        let upper = word.to_ascii_uppercase();
        let next = self.kind_at(1).clone();
        let literal = match upper.as_str() {
            "TRUE" => Some(Literal::Bool(true)),
            "FALSE" => Some(Literal::Bool(false)),
            "NULL" => Some(Literal::Null),
            _ => None,
        };
        if let Some(l) = literal {
            self.advance();
            return Ok(lit(l, self.span_from(start)));
        }
        if upper == "CASE" {
            return self.weighted(1, Self::case_expr);
        }
        if upper == "EXISTS" && next == TokenKind::LBrace {
            return self.weighted(6, Self::exists_subquery);
        }
        // `COUNT {` opens a subquery when what follows starts a pattern or
        // a clause; otherwise (`count {.name}`, `count {k: 1}`, `count {x}`)
        // it is a map projection of a variable named count. `COLLECT {`
        // takes only a query.
        if upper == "COLLECT" && next == TokenKind::LBrace {
            if self.clause_after_brace() {
                return self.weighted(6, Self::exists_subquery);
            }
            if self.kind_at(2) == &TokenKind::LParen {
                return Err(QueryError::syntax(
                    "InvalidCollectSubquery",
                    "a COLLECT subquery is a query ending in RETURN, not a pattern",
                    self.peek_at(2).span,
                )
                .hint("COLLECT { MATCH (p:Person) RETURN p.name }"));
            }
        }
        if upper == "COUNT" && next == TokenKind::LBrace {
            let clause = self.clause_after_brace();
            let path = is_name(self.kind_at(2)) && self.kind_at(3) == &TokenKind::Eq;
            if self.kind_at(2) == &TokenKind::LParen || clause || path {
                return self.weighted(6, Self::exists_subquery);
            }
        }
        if next == TokenKind::LParen {
            let after = (self.kind_at(2).clone(), self.kind_at(3).clone());
            let comprehension_like = is_name(&after.0)
                && matches!(&after.1, TokenKind::Ident(w) if w.eq_ignore_ascii_case("IN"));
            let quantifier = matches!(upper.as_str(), "ALL" | "ANY" | "NONE" | "SINGLE");
            if quantifier && comprehension_like {
                return self.weighted(1, Self::quantifier);
            }
            if upper == "REDUCE" && is_name(&after.0) && after.1 == TokenKind::Eq {
                return self.weighted(1, Self::reduce);
            }
            return self.weighted(1, Self::function_call);
        }
        if next == TokenKind::Dot && self.is_namespaced_call() {
            return self.weighted(1, Self::function_call);
        }
        if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&word)) {
            return Err(self.unexpected("an expression"));
        }
        self.advance();
        self.variable_tail(word, start)
    }

    /// A variable, possibly followed by a map projection `{...}`.
    fn variable_tail(&mut self, name: String, start: usize) -> Result<Expr, QueryError> {
        let var = Expr {
            kind: ExprKind::Var(name),
            span: self.span_from(start),
        };
        if self.at(&TokenKind::LBrace) {
            if self.depth >= MAX_DEPTH {
                return Err(self.too_deep());
            }
            self.depth += 1;
            self.peak = self.peak.max(self.depth);
            let r = self.map_projection(var, start);
            self.depth -= 1;
            return r;
        }
        Ok(var)
    }

    /// Whether `a.b.c(` starts here (a namespaced function, not property access).
    fn is_namespaced_call(&self) -> bool {
        let mut n = 0;
        loop {
            if !is_name(self.kind_at(n)) {
                return false;
            }
            match self.kind_at(n + 1) {
                TokenKind::Dot => n += 2,
                TokenKind::LParen => return n > 0,
                _ => return false,
            }
        }
    }

    // FunctionCall := Name ('.' Name)* '(' [DISTINCT] [Expr (',' Expr)*] ')' | count '(' '*' ')'
    #[inline(never)]
    fn function_call(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        let mut name = self.symbolic_name("a function name")?.name;
        while self.eat(&TokenKind::Dot) {
            name.push('.');
            name.push_str(&self.symbolic_name("a function name")?.name);
        }
        self.expect(&TokenKind::LParen, "'('")?;
        if name.eq_ignore_ascii_case("count")
            && self.at(&TokenKind::Star)
            && self.kind_at(1) == &TokenKind::RParen
        {
            self.advance();
            self.advance();
            return Ok(Expr {
                kind: ExprKind::CountStar,
                span: self.span_from(start),
            });
        }
        let distinct = self.eat_kw("DISTINCT");
        let mut args = Vec::new();
        // `exists((a)-->(b))` takes a pattern wherever it is used.
        let saved = self.pattern_ok;
        if name.eq_ignore_ascii_case("exists") {
            self.pattern_ok = true;
        }
        let r = (|| {
            if !self.eat(&TokenKind::RParen) {
                loop {
                    args.push(self.expr()?);
                    if self.eat(&TokenKind::RParen) {
                        break;
                    }
                    self.expect(&TokenKind::Comma, "',' or ')'")?;
                }
            }
            Ok(())
        })();
        self.pattern_ok = saved;
        r?;
        Ok(Expr {
            kind: ExprKind::FnCall {
                info: super::expr::fn_info(&name, &args),
                name,
                distinct,
                args,
            },
            span: self.span_from(start),
        })
    }

    // Quantifier := (all|any|none|single) '(' Variable IN Expr [WHERE Expr] ')'
    #[inline(never)]
    fn quantifier(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        let q = if self.at_kw("ALL") {
            Quantifier::All
        } else if self.at_kw("ANY") {
            Quantifier::Any
        } else if self.at_kw("NONE") {
            Quantifier::None
        } else {
            Quantifier::Single
        };
        self.advance();
        self.advance();
        let var = self.variable()?;
        self.expect_kw("IN")?;
        let list = Box::new(self.expr()?);
        let filter = self.where_opt()?.map(Box::new);
        self.expect(&TokenKind::RParen, "')'")?;
        Ok(Expr {
            kind: ExprKind::Quantified {
                q,
                var,
                list,
                filter,
            },
            span: self.span_from(start),
        })
    }

    // Reduce := reduce '(' Variable '=' Expr ',' Variable IN Expr '|' Expr ')'
    #[inline(never)]
    fn reduce(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        self.advance();
        self.advance();
        let acc = self.variable()?;
        self.expect(&TokenKind::Eq, "'='")?;
        let init = Box::new(self.expr()?);
        self.expect(&TokenKind::Comma, "','")?;
        let var = self.variable()?;
        self.expect_kw("IN")?;
        let list = Box::new(self.expr()?);
        self.expect(&TokenKind::Pipe, "'|'")?;
        let expr = Box::new(self.expr()?);
        self.expect(&TokenKind::RParen, "')'")?;
        Ok(Expr {
            kind: ExprKind::Reduce {
                acc,
                init,
                var,
                list,
                expr,
            },
            span: self.span_from(start),
        })
    }

    // Case := CASE [Expr] (WHEN Expr THEN Expr)+ [ELSE Expr] END
    #[inline(never)]
    fn case_expr(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        self.advance();
        let subject = if self.at_kw("WHEN") {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        let mut whens = Vec::new();
        while self.eat_kw("WHEN") {
            let cond = self.expr()?;
            self.expect_kw("THEN")?;
            whens.push((cond, self.expr()?));
        }
        if whens.is_empty() {
            return Err(self.unexpected("WHEN"));
        }
        let else_ = if self.eat_kw("ELSE") {
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        if !self.at_kw("END") {
            return Err(self.unexpected(if else_.is_some() {
                "END"
            } else {
                "WHEN, ELSE or END"
            }));
        }
        self.advance();
        Ok(Expr {
            kind: ExprKind::Case {
                subject,
                whens,
                else_,
            },
            span: self.span_from(start),
        })
    }

    /// Whether the token after `COUNT {` or `COLLECT {` starts a clause:
    /// a reading one, or one that writes (refused inside, with that said)
    /// unless it is a map projection's key or variable (`{create: 1}`).
    fn clause_after_brace(&self) -> bool {
        let TokenKind::Ident(w) = self.kind_at(2) else {
            return false;
        };
        let is = |ks: &[&str]| ks.iter().any(|k| w.eq_ignore_ascii_case(k));
        is(&[
            "MATCH", "OPTIONAL", "WITH", "UNWIND", "CALL", "RETURN", "LOAD",
        ]) || (is(&[
            "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "FOREACH",
        ]) && !matches!(
            self.kind_at(3),
            TokenKind::RBrace | TokenKind::Comma | TokenKind::Colon
        ))
    }

    // Exists := ( EXISTS | COUNT ) '{' ( Query | Pattern [WHERE Expr] ) '}'
    //          | COLLECT '{' Query '}'
    #[inline(never)]
    fn exists_subquery(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        let count = match &self.peek().kind {
            TokenKind::Ident(w) if w.eq_ignore_ascii_case("COUNT") => SubqueryKind::Count,
            TokenKind::Ident(w) if w.eq_ignore_ascii_case("COLLECT") => SubqueryKind::Collect,
            _ => SubqueryKind::Exists,
        };
        self.advance();
        self.advance();
        let kind = if count != SubqueryKind::Collect
            && (self.at(&TokenKind::LParen)
                || (is_name(self.kind_at(0)) && self.kind_at(1) == &TokenKind::Eq))
        {
            let pattern = self.pattern()?;
            let where_ = self.where_opt()?.map(Box::new);
            ExprKind::ExistsSubquery {
                pattern,
                where_,
                query: None,
                count,
            }
        } else {
            let saved = (self.in_subquery, self.pattern_ok, self.subquery_kw);
            self.in_subquery = true;
            self.pattern_ok = false;
            self.subquery_kw = count.keyword();
            let q = self.query();
            (self.in_subquery, self.pattern_ok, self.subquery_kw) = saved;
            let q = q?;
            if count == SubqueryKind::Collect {
                collect_returns_one(&q)?;
            }
            ExprKind::ExistsSubquery {
                pattern: Pattern::new(Vec::new()),
                where_: None,
                query: Some(Box::new(q)),
                count,
            }
        };
        self.expect(&TokenKind::RBrace, "'}'")?;
        Ok(Expr {
            kind,
            span: self.span_from(start),
        })
    }

    // Paren := '(' Expr ')' | PatternElement   (a pattern when an arrow follows the ')')
    fn paren_atom(&mut self) -> Result<Expr, QueryError> {
        if self.partner[self.pos].is_some_and(|close| self.rel_start_at(close + 1)) {
            return self.pattern_predicate();
        }
        let start = self.start();
        self.advance();
        let inner = self.expr()?;
        self.expect(&TokenKind::RParen, "')'")?;
        // The span covers the parentheses: it is what the user wrote.
        Ok(Expr {
            kind: inner.kind,
            span: self.span_from(start),
        })
    }

    #[inline(never)]
    fn pattern_predicate(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        let element = self.pattern_element()?;
        if !self.pattern_ok {
            return Err(QueryError::expected("an expression", "a pattern", element.span)
                .with_detail("UnexpectedSyntax")
                .hint("a pattern is a predicate only in WHERE; use EXISTS { ... }, exists(...) or a pattern comprehension [(a)-->(b) | b]"));
        }
        Ok(Expr {
            kind: ExprKind::PatternPredicate(element),
            span: self.span_from(start),
        })
    }

    // Bracket := '[' ']' | '[' Expr (',' Expr)* ']'
    //          | '[' Variable IN Expr [WHERE Expr] ['|' Expr] ']'
    //          | '[' [Variable '='] PatternElement [WHERE Expr] '|' Expr ']'
    fn bracket_atom(&mut self) -> Result<Expr, QueryError> {
        let named = is_name(self.kind_at(1))
            && self.kind_at(2) == &TokenKind::Eq
            && self.kind_at(3) == &TokenKind::LParen;
        let paren_at = if named { self.pos + 3 } else { self.pos + 1 };
        if self
            .toks
            .get(paren_at)
            .is_some_and(|t| t.kind == TokenKind::LParen)
            && self.partner[paren_at].is_some_and(|close| self.rel_start_at(close + 1))
        {
            if named {
                self.weighted(2, Self::named_pattern_comprehension)
            } else {
                self.weighted(2, Self::pattern_comprehension)
            }
        } else if is_name(self.kind_at(1)) && self.is_kw_at(2, "IN") {
            self.weighted(1, Self::list_comprehension)
        } else {
            self.list_literal()
        }
    }

    fn named_pattern_comprehension(&mut self) -> Result<Expr, QueryError> {
        self.pattern_comprehension_of(true)
    }

    fn pattern_comprehension(&mut self) -> Result<Expr, QueryError> {
        self.pattern_comprehension_of(false)
    }

    #[inline(never)]
    fn pattern_comprehension_of(&mut self, named: bool) -> Result<Expr, QueryError> {
        let start = self.start();
        self.advance();
        let var = if named {
            let v = self.variable()?;
            self.advance();
            Some(v)
        } else {
            None
        };
        let element = self.pattern_element()?;
        let filter = self.where_opt()?.map(Box::new);
        self.expect(
            &TokenKind::Pipe,
            if filter.is_some() {
                "'|'"
            } else {
                "WHERE or '|'"
            },
        )?;
        let map = Box::new(self.expr()?);
        self.expect(&TokenKind::RBracket, "']'")?;
        Ok(Expr {
            kind: ExprKind::PatternComprehension {
                var,
                element,
                filter,
                map,
            },
            span: self.span_from(start),
        })
    }

    #[inline(never)]
    fn list_comprehension(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        self.advance();
        let var = self.variable()?;
        self.advance();
        let list = Box::new(self.expr()?);
        let filter = self.where_opt()?.map(Box::new);
        let map = if self.eat(&TokenKind::Pipe) {
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        self.expect(&TokenKind::RBracket, "']'")?;
        Ok(Expr {
            kind: ExprKind::ListComprehension {
                var,
                list,
                filter,
                map,
            },
            span: self.span_from(start),
        })
    }

    #[inline(never)]
    fn list_literal(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        self.advance();
        let mut items = Vec::new();
        if !self.eat(&TokenKind::RBracket) {
            loop {
                items.push(self.expr()?);
                if self.eat(&TokenKind::RBracket) {
                    break;
                }
                self.expect(&TokenKind::Comma, "',' or ']'")?;
            }
        }
        Ok(Expr {
            kind: ExprKind::List(items),
            span: self.span_from(start),
        })
    }

    // Map := '{' [PropertyKey ':' Expr (',' PropertyKey ':' Expr)*] '}'
    fn map_literal(&mut self) -> Result<Expr, QueryError> {
        let start = self.start();
        self.expect(&TokenKind::LBrace, "'{'")?;
        let mut entries = Vec::new();
        if !self.eat(&TokenKind::RBrace) {
            loop {
                let key = self.symbolic_name("a property key")?;
                self.expect(&TokenKind::Colon, "':'")?;
                entries.push((key, self.expr()?));
                if self.eat(&TokenKind::RBrace) {
                    break;
                }
                self.expect(&TokenKind::Comma, "',' or '}'")?;
            }
        }
        Ok(Expr {
            kind: ExprKind::Map(entries),
            span: self.span_from(start),
        })
    }

    // MapProjection := Variable '{' [MapProjItem (',' MapProjItem)*] '}'
    // MapProjItem := '.' PropertyKey | '.' '*' | PropertyKey ':' Expr | Variable
    #[inline(never)]
    fn map_projection(&mut self, var: Expr, start: usize) -> Result<Expr, QueryError> {
        self.advance();
        let mut items = Vec::new();
        if !self.eat(&TokenKind::RBrace) {
            loop {
                if self.eat(&TokenKind::Dot) {
                    if self.eat(&TokenKind::Star) {
                        items.push(MapProjItem::AllProperties);
                    } else {
                        items.push(MapProjItem::Property(
                            self.symbolic_name("a property key or '*'")?,
                        ));
                    }
                } else if self.kind_at(1) == &TokenKind::Colon {
                    let key = self.symbolic_name("a property key")?;
                    self.advance();
                    items.push(MapProjItem::Literal(key, self.expr()?));
                } else if is_name(self.kind_at(0)) {
                    items.push(MapProjItem::Variable(self.variable()?));
                } else {
                    return Err(self.unexpected("'.', a key or a variable"));
                }
                if self.eat(&TokenKind::RBrace) {
                    break;
                }
                self.expect(&TokenKind::Comma, "',' or '}'")?;
            }
        }
        Ok(Expr {
            kind: ExprKind::MapProjection(Box::new(var), items),
            span: self.span_from(start),
        })
    }

    // ----------------------------------------------------------------- names

    /// Any name: a plain word (keywords included) or a quoted identifier.
    /// Used for labels, types, property keys and function names.
    fn symbolic_name(&mut self, what: &str) -> Result<Ident, QueryError> {
        match &self.peek().kind {
            TokenKind::Ident(s) | TokenKind::QuotedIdent(s) => {
                let name = s.clone();
                let span = self.advance().span;
                Ok(Ident { name, span })
            }
            _ => Err(self.unexpected(what)),
        }
    }

    /// A variable name: reserved words need backticks.
    fn variable(&mut self) -> Result<Ident, QueryError> {
        if let TokenKind::Ident(w) = &self.peek().kind
            && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(w))
        {
            return Err(self
                .unexpected("a variable name")
                .hint(format!("write `{w}` to use a keyword as a name")));
        }
        self.symbolic_name("a variable name")
    }
}

trait WithDetail {
    fn with_detail(self, detail: &str) -> Self;
}

impl WithDetail for QueryError {
    fn with_detail(mut self, detail: &str) -> QueryError {
        self.detail = detail.to_string();
        self
    }
}

fn is_name(k: &TokenKind) -> bool {
    matches!(k, TokenKind::Ident(_) | TokenKind::QuotedIdent(_))
}

fn lit(l: Literal, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Literal(l),
        span,
    }
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span.to(rhs.span);
    Expr {
        kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
        span,
    }
}

fn overflow(span: Span, text: &str) -> QueryError {
    QueryError::syntax(
        "IntegerOverflow",
        format!(
            "expected an integer between -9223372036854775808 and 9223372036854775807, found '{text}'"
        ),
        span,
    )
}

fn is_update(c: &Clause) -> bool {
    matches!(
        c,
        Clause::Create { .. }
            | Clause::Merge { .. }
            | Clause::Set { .. }
            | Clause::Remove { .. }
            | Clause::Delete { .. }
            | Clause::Foreach { .. }
    )
}

fn clause_span(c: &Clause) -> Span {
    match c {
        Clause::Match { span, .. }
        | Clause::Unwind { span, .. }
        | Clause::LoadCsv { span, .. }
        | Clause::Create { span, .. }
        | Clause::Merge { span, .. }
        | Clause::Set { span, .. }
        | Clause::Remove { span, .. }
        | Clause::Delete { span, .. }
        | Clause::Call { span, .. }
        | Clause::Foreach { span, .. }
        | Clause::Subquery { span, .. } => *span,
        Clause::With(p) | Clause::Return(p) => p.span,
    }
}

/// CREATE and MERGE need exactly one type and a fixed length on each relationship.
fn check_creatable(el: &PatternElement, clause: &str) -> Result<(), QueryError> {
    for (rel, _) in &el.chain {
        if rel.length.is_some() {
            return Err(QueryError::syntax(
                "CreatingVarLength",
                format!(
                    "expected a relationship of fixed length in {clause}, found a variable-length relationship"
                ),
                rel.span,
            ));
        }
        // A named relationship may already be bound, which is a different
        // error (VariableAlreadyBound) that only the semantic check can tell.
        if rel.types.len() != 1 && rel.var.is_none() {
            return Err(QueryError::syntax(
                "NoSingleRelationshipType",
                format!(
                    "expected exactly one relationship type in {clause}, found {}",
                    if rel.types.is_empty() {
                        "none".to_string()
                    } else {
                        rel.types.len().to_string()
                    }
                ),
                rel.span,
            ));
        }
    }
    Ok(())
}

/// The candidate closest to `word` (case-insensitive), if it is a likely typo.
fn suggest(word: &str, candidates: &[&str]) -> Option<String> {
    let w = word.to_ascii_uppercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&w, c), *c))
        .filter(|(d, c)| *d > 0 && *d <= 2 && c.len() > 2)
        .min()
        .map(|(_, c)| c.to_string())
}

/// [`suggest`] held to a closer match (one edit, or two in a long word):
/// the words it chooses from are also common names.
fn suggest_close(word: &str, candidates: &[&str]) -> Option<String> {
    let w = word.to_ascii_uppercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&w, c), *c))
        .filter(|(d, c)| *d > 0 && (*d == 1 || *d == 2 && c.len() >= 7) && w.len() >= 3)
        .min()
        .map(|(_, c)| c.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A `COLLECT` subquery's parts each end in a RETURN of one column
/// (`RETURN *` and several items are refused), as Neo4j requires.
fn collect_returns_one(q: &Query) -> Result<(), QueryError> {
    for sq in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
        let ok =
            matches!(sq.clauses.last(), Some(Clause::Return(p)) if !p.star && p.items.len() == 1);
        if !ok {
            return Err(QueryError::syntax(
                "InvalidCollectSubquery",
                "a COLLECT subquery ends in a RETURN of exactly one column",
                sq.span,
            )
            .hint("COLLECT { MATCH (p:Person) RETURN p.name }"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `input`, checks the canonical print, and that the print parses
    /// back to the same print (the round trip).
    #[track_caller]
    fn check(input: &str, expected: &str) {
        let script = match parse_script(input) {
            Ok(s) => s,
            Err(e) => panic!("{input}\n  failed: {e} ({}) at {:?}", e.detail, e.span),
        };
        let printed = script.to_string();
        assert_eq!(printed, expected, "input: {input}");
        let again = match parse_script(&printed) {
            Ok(s) => s.to_string(),
            Err(e) => panic!("reparse of {printed}\n  failed: {e}"),
        };
        assert_eq!(again, printed, "round trip of {input}");
    }

    /// Checks a statement that prints exactly as written (plus `;`).
    #[track_caller]
    fn same(input: &str) {
        check(input, &format!("{input};"));
    }

    /// Parses `input`, expecting an error with this detail, message and 1-based line:column.
    #[track_caller]
    fn err(input: &str, detail: &str, message: &str, line_col: (usize, usize)) {
        match parse_script(input) {
            Ok(s) => panic!("{input}\n  parsed as {s}"),
            Err(e) => {
                assert_eq!(
                    (e.detail.as_str(), e.message.as_str()),
                    (detail, message),
                    "input: {input}"
                );
                let span = e.span.unwrap_or_default();
                assert_eq!(span.line_col(input), line_col, "input: {input}");
            }
        }
    }

    #[track_caller]
    fn detail(input: &str, detail: &str) {
        match parse_script(input) {
            Ok(s) => panic!("{input}\n  parsed as {s}"),
            Err(e) => assert_eq!(e.detail, detail, "input: {input}: {e}"),
        }
    }

    fn expr(src: &str) -> Expr {
        match parse_expression(src) {
            Ok(e) => e,
            Err(e) => panic!("{src}: {e}"),
        }
    }

    #[test]
    fn clauses() {
        same("MATCH (n) RETURN n");
        check(
            "match (n:Person {name: 'Al'})-[r:KNOWS]->(m) where n.age > 3 return n.name, m",
            "MATCH (n:Person {name: 'Al'})-[r:KNOWS]->(m) WHERE n.age > 3 RETURN n.name, m;",
        );
        same("OPTIONAL MATCH (a)<-[:R]-(b) RETURN a, b");
        same(
            "MATCH (a), (b) WHERE a.x = b.x RETURN DISTINCT a AS x ORDER BY x DESC, a.y SKIP 1 LIMIT 2",
        );
        check(
            "MATCH (a) RETURN a ORDER BY a.x ASC",
            "MATCH (a) RETURN a ORDER BY a.x;",
        );
        same("UNWIND [1, 2, 3] AS x RETURN x");
        same("LOAD CSV WITH HEADERS FROM 'a.csv' AS row RETURN row");
        same("LOAD CSV FROM $f AS row FIELDTERMINATOR '\\t' CREATE (:X {a: row[0]})");
        same("MATCH (n) WITH n, count(*) AS c WHERE c > 1 RETURN *");
        same("MATCH (n) WITH *, n.x AS x ORDER BY x LIMIT 3 RETURN x");
        same("CREATE (a:A {x: 1})-[:T {w: 2}]->(b:B), (c)");
        same(
            "MERGE (a:A {id: 1}) ON CREATE SET a.new = true ON MATCH SET a.seen = a.seen + 1, a:Seen RETURN a",
        );
        same("MATCH (n) SET n.x = 1, n = {a: 1}, n += {b: 2}, n:A:B");
        check("MATCH (n) SET (n).x = 1", "MATCH (n) SET n.x = 1;");
        same("MATCH (n) REMOVE n.x, n:A:B");
        same("MATCH (n) DELETE n");
        same("MATCH (n) DETACH DELETE n, m");
        same("CALL db.labels() YIELD label AS l, x WHERE l <> 'A' RETURN l");
        same("CALL db.labels");
        check("CALL db.labels() YIELD *", "CALL db.labels();");
        same("RETURN 1 AS a UNION RETURN 2 AS a");
        same("RETURN 1 AS a UNION ALL RETURN 2 AS a UNION ALL RETURN 3 AS a");
        same("EXPLAIN MATCH (n) RETURN n");
        same("PROFILE MATCH (n) RETURN n");
        same("AS OF fdate('2024-01-20') MATCH (n) RETURN n");
        check(
            "explain as of '2024-01' match (n) return n",
            "EXPLAIN AS OF '2024-01' MATCH (n) RETURN n;",
        );
        check(
            "AS OF $d EXPLAIN MATCH (n) RETURN n",
            "EXPLAIN AS OF $d MATCH (n) RETURN n;",
        );
        check(
            "CREATE INDEX idx IF NOT EXISTS FOR (p:Person) ON (p.name)",
            "CREATE INDEX idx IF NOT EXISTS FOR (n:Person) ON (n.name);",
        );
        check(
            "create range index `my index` for (p:`A B`) on (p.`x y`)",
            "CREATE INDEX `my index` FOR (n:`A B`) ON (n.`x y`);",
        );
        check(
            "CREATE INDEX ON :Person(name)",
            "CREATE INDEX FOR (n:Person) ON (n.name);",
        );
        check(
            "DROP INDEX ON :Person(name)",
            "DROP INDEX FOR (n:Person) ON (n.name);",
        );
        check(
            "DROP INDEX idx IF EXISTS FOR (x:P) ON (x.k)",
            "DROP INDEX idx IF EXISTS FOR (n:P) ON (n.k);",
        );
        same("DROP INDEX idx");
        same("DROP INDEX idx IF EXISTS");
        check("show indexes", "SHOW INDEXES;");
        check("show procedure", "SHOW PROCEDURES;");
        same("EXPLAIN SHOW PROCEDURES");
        check("SHOW ALL INDEX", "SHOW INDEXES;");
        same("SHOW RANGE INDEXES");
        same("SHOW LOOKUP INDEXES");
        same("EXPLAIN SHOW INDEXES");
        // `index` as a path name is not CREATE INDEX.
        same("CREATE index = (a)-[:T]->(b)");
        check(
            "create constraint c if not exists for (p:Person) require p.name is unique",
            "CREATE CONSTRAINT c IF NOT EXISTS FOR (n:Person) REQUIRE n.name IS UNIQUE;",
        );
        check(
            "CREATE CONSTRAINT FOR (p:P) REQUIRE (p.a, p.`b c`) IS NODE KEY",
            "CREATE CONSTRAINT FOR (n:P) REQUIRE (n.a, n.`b c`) IS NODE KEY;",
        );
        check(
            "CREATE CONSTRAINT FOR (p:P) REQUIRE p.a IS NODE UNIQUE",
            "CREATE CONSTRAINT FOR (n:P) REQUIRE n.a IS UNIQUE;",
        );
        check(
            "CREATE CONSTRAINT k FOR ()-[x:KNOWS]->() REQUIRE x.since IS NOT NULL",
            "CREATE CONSTRAINT k FOR ()-[r:KNOWS]-() REQUIRE r.since IS NOT NULL;",
        );
        check(
            "CREATE CONSTRAINT FOR ()<-[x:T]-() REQUIRE (x.a) IS REL KEY",
            "CREATE CONSTRAINT FOR ()-[r:T]-() REQUIRE r.a IS RELATIONSHIP KEY;",
        );
        same("DROP CONSTRAINT c");
        same("DROP CONSTRAINT c IF EXISTS");
        check("show all constraints", "SHOW CONSTRAINTS;");
        check(
            "SHOW INDEXES YIELD name, type AS t WHERE t = 'RANGE' RETURN name",
            "CALL db.indexes() YIELD name, type AS t WHERE t = 'RANGE' RETURN name;",
        );
        check(
            "SHOW INDEXES YIELD name ORDER BY name DESC LIMIT 2",
            "CALL db.indexes() YIELD name WITH * ORDER BY name DESC LIMIT 2 RETURN *;",
        );
        check(
            "SHOW CONSTRAINTS WHERE name = 'c'",
            "CALL db.constraints() YIELD id, name, type, entityType, labelsOrTypes, properties WHERE name = 'c';",
        );
        same("EXPLAIN SHOW CONSTRAINTS");
    }

    #[test]
    fn scripts() {
        check(
            "MATCH (n) RETURN n; ;; RETURN 1;",
            "MATCH (n) RETURN n;\nRETURN 1;",
        );
        check("  // only a comment\n /* and another */ ", "");
        check("RETURN 1 // trailing", "RETURN 1;");
        let s = parse_script("RETURN 1;\nMATCH (n)\nRETURN n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.statements.len(), 2);
        assert_eq!(s.statements[1].span, Span::new(10, 28));
    }

    #[test]
    fn patterns() {
        same("MATCH (a)-->(b)<--(c)--(d) RETURN a");
        same("MATCH (a)-[r]-(b) RETURN r");
        check(
            "MATCH (a)<-[r]->(b) RETURN r",
            "MATCH (a)-[r]-(b) RETURN r;",
        );
        same("MATCH (a)-[:T|U*1..3 {k: 1}]->(b) RETURN a");
        check(
            "MATCH (a)-[:T|:U]->(b) RETURN a",
            "MATCH (a)-[:T|U]->(b) RETURN a;",
        );
        same("MATCH (a)-[*]->(b) RETURN a");
        same("MATCH (a)-[*2]->(b) RETURN a");
        check(
            "MATCH (a)-[*2..2]->(b) RETURN a",
            "MATCH (a)-[*2]->(b) RETURN a;",
        );
        same("MATCH (a)-[*..3]->(b) RETURN a");
        same("MATCH (a)-[r*2..]->(b) RETURN a");
        same("MATCH (n $props) RETURN n");
        same("MATCH ({k: 1}) RETURN 1");
        same("MATCH (:A:B) RETURN 1");
        same("MATCH p = (a)-->(b) RETURN p");
        same("MATCH p = shortestPath((a)-[*]-(b)) RETURN p");
        same("MATCH p = allShortestPaths((a)-[:T*..5]->(b)) RETURN p");
        same("MATCH (n:Match:`weird label`)-[:`has space`]->(`my var`) RETURN `my var`.`a key`");
        check("MATCH (`n`) RETURN `n`", "MATCH (n) RETURN n;");
        check("MATCH (`end`) RETURN `end`", "MATCH (`end`) RETURN `end`;");
    }

    #[test]
    fn literals() {
        check(
            "RETURN 1, -1, 0x1F, -0x10, 0o17, 1.5, .5, 1e3, -2.5e-3, 'a\\'b', \"d\\\"q\", true, FALSE, Null",
            "RETURN 1, -1, 31, -16, 15, 1.5, 0.5, 1000.0, -0.0025, 'a\\'b', 'd\"q', true, false, null;",
        );
        same("RETURN -9223372036854775808, 9223372036854775807");
        check(
            "RETURN -0o1000000000000000000000",
            "RETURN -9223372036854775808;",
        );
        check(
            "RETURN '\\t\\n\\\\\\u00e4\\U0001F600'",
            "RETURN '\\t\\n\\\\ä😀';",
        );
        same("RETURN [], [1, [2]], {}, {a: 1, `b c`: [true]}");
        same("RETURN $p, $0, $`odd name`");
    }

    #[test]
    fn precedence() {
        // Each case: input and its canonical, fully grouped form.
        let cases = [
            ("a OR b XOR c AND d", "a OR (b XOR (c AND d))"),
            ("NOT a AND b", "(NOT a) AND b"),
            ("NOT a = b", "NOT (a = b)"),
            ("a = b IS NULL", "a = (b IS NULL)"),
            ("a = b IN c", "a = (b IN c)"),
            ("NOT a IN c", "NOT (a IN c)"),
            ("a + b * c ^ d", "a + (b * (c ^ d))"),
            ("a ^ b ^ c", "(a ^ b) ^ c"),
            ("a - b - c", "(a - b) - c"),
            ("-a ^ 2", "(-a) ^ 2"),
            ("-3 ^ 2", "-3 ^ 2"),
            ("a STARTS WITH b + c", "a STARTS WITH (b + c)"),
            ("a.b.c[0]", "a.b.c[0]"),
            ("n:A AND m:B", "(n:A) AND (m:B)"),
            ("a IS NOT NULL OR b", "(a IS NOT NULL) OR b"),
        ];
        for (input, grouped) in cases {
            assert_eq!(
                expr(input).to_string(),
                expr(grouped).to_string(),
                "{input}"
            );
        }
        same("RETURN (a + b) * c, a + b * c, a - b - c, a - (b - c)");
        check(
            "RETURN a ^ (b ^ c), (-a).x, -(a + b), - -a, -(-9223372036854775808)",
            "RETURN a ^ (b ^ c), (-a).x, -(a + b), - -a, - -9223372036854775808;",
        );
        same("RETURN NOT (a AND b), (NOT a) = b, (n:A).x");
        same("RETURN a =~ 'x.*', a <> b, a <= b, a >= b");
        check("RETURN a != b", "RETURN a <> b;");
    }

    #[test]
    fn chained_comparisons() {
        check("RETURN a < b < c", "RETURN a < b AND b < c;");
        check(
            "RETURN 1 <= x = y > 0",
            "RETURN 1 <= x AND x = y AND y > 0;",
        );
        same("RETURN (a < b) < c");
        let e = expr("a < b <= c");
        match e.kind {
            ExprKind::Binary(BinOp::And, l, r) => {
                assert!(matches!(l.kind, ExprKind::Binary(BinOp::Lt, ..)));
                assert!(matches!(r.kind, ExprKind::Binary(BinOp::Le, ..)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn expressions() {
        same("RETURN n.name, n[0], n[1..2], n[..2], n[1..], n['k']");
        same("RETURN count(*), count(DISTINCT n.x), toInteger('1'), date.truncate('month', d)");
        same("RETURN CASE n.x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END");
        same("RETURN CASE WHEN n.x > 1 THEN 'a' END");
        same("RETURN [x IN list WHERE x > 1 | x * 2], [x IN list], [x IN list | x]");
        same("MATCH (a) RETURN [(a)-->(b:B) WHERE b.x > 1 | b.name], [p = (a)--() | p]");
        same(
            "RETURN all(x IN l WHERE x > 0), any(x IN l WHERE x), none(x IN l WHERE x), single(x IN l WHERE x)",
        );
        same("RETURN reduce(acc = 0, x IN [1, 2] | acc + x)");
        same("MATCH (n) WHERE (n)-[:R]->() AND NOT (n)<--(:B) RETURN n");
        same("MATCH (n) WHERE EXISTS { (n)-->(m) WHERE m.x = 1 } RETURN n");
        same(
            "MATCH (n) WHERE EXISTS { MATCH (n)-->(m) WITH m, count(*) AS c WHERE c > 1 RETURN true } RETURN n",
        );
        same("MATCH (n) WHERE EXISTS { MATCH (n)-->() } RETURN n");
        same("MATCH (n) RETURN exists((n)-->())");
        same("MATCH (n) RETURN n {.name, .*, k: 1 + 2, m}");
        same("MATCH (n) WHERE n:A:B RETURN n.count, n.match");
        same("RETURN {match: 1, return: 2}.match");
        check("RETURN (1)", "RETURN 1;");
        same("RETURN any(x), none(1, 2), `all`");
        same("RETURN [a = 1]");
        same("RETURN 'x' IN ['x'], 'abc' STARTS WITH 'a', 'abc' ENDS WITH 'c', 'abc' CONTAINS 'b'");
    }

    #[test]
    fn projection_text_is_the_source_text() {
        let s = parse_script("MATCH (n)\nRETURN  n.name , count( * ), (a+b)  AS s, `n`")
            .unwrap_or_else(|e| panic!("{e}"));
        let Some(StatementBody::Query(q)) = s.statements.first().map(|s| &s.body) else {
            panic!("not a query")
        };
        let Some(Clause::Return(p)) = q.first.clauses.last() else {
            panic!("no RETURN")
        };
        let texts: Vec<&str> = p.items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts, ["n.name", "count( * )", "(a+b)", "`n`"]);
    }

    #[test]
    fn spans_are_whole_script_offsets() {
        let src = "RETURN 1;\nMATCH (n) RETURN n.name";
        let s = parse_script(src).unwrap_or_else(|e| panic!("{e}"));
        let Some(StatementBody::Query(q)) = s.statements.get(1).map(|s| &s.body) else {
            panic!("not a query")
        };
        let Some(Clause::Return(p)) = q.first.clauses.last() else {
            panic!("no RETURN")
        };
        let span = p.items[0].expr.span;
        assert_eq!(&src[span.start..span.end], "n.name");
        assert_eq!(span.line_col(src), (2, 18));
    }

    #[test]
    fn errors_say_expected_and_found_with_position() {
        err(
            "MATCH (n RETURN n",
            "UnexpectedSyntax",
            "expected ':', '{' or ')', found 'RETURN'",
            (1, 10),
        );
        err(
            "RETURN 1;\nMATCH (n)\nRETURN n.name +",
            "UnexpectedEndOfInput",
            "expected an expression, found end of input",
            (3, 16),
        );
        err(
            "RETURN 1;\n\n  MATCH (n)-[:T]->(m RETURN m",
            "UnexpectedSyntax",
            "expected ':', '{' or ')', found 'RETURN'",
            (3, 22),
        );
        err(
            "MATCH (n) RETURN n,",
            "UnexpectedEndOfInput",
            "expected an expression, found end of input",
            (1, 20),
        );
        err(
            "RETURN [1, 2",
            "UnexpectedEndOfInput",
            "expected ',' or ']', found end of input",
            (1, 13),
        );
        err(
            "RETURN {k: {k: {}} AS literal",
            "UnexpectedSyntax",
            "expected ',' or '}', found 'AS'",
            (1, 20),
        );
        err(
            "RETURN [[[]] AS literal",
            "UnexpectedSyntax",
            "expected ',' or ']', found 'AS'",
            (1, 14),
        );
        err(
            "MATCH (n) RETURN n x",
            "UnexpectedSyntax",
            "expected ';' or end of input, found 'x'",
            (1, 20),
        );
        err(
            "RETURN 1 +",
            "UnexpectedEndOfInput",
            "expected an expression, found end of input",
            (1, 11),
        );
        err(
            "MATCH (n) WHERE RETURN n",
            "UnexpectedSyntax",
            "expected an expression, found 'RETURN'",
            (1, 17),
        );
        err(
            "MATCH (n)",
            "UnexpectedEndOfInput",
            "expected a clause (RETURN, MATCH, CREATE, ...), found end of input",
            (1, 10),
        );
        err(
            "MATCH (n);",
            "InvalidClauseComposition",
            "expected a clause (RETURN, MATCH, CREATE, ...), found ';'",
            (1, 10),
        );
        err(
            "RETURN 9223372036854775808 AS literal",
            "IntegerOverflow",
            "expected an integer between -9223372036854775808 and 9223372036854775807, found '9223372036854775808'",
            (1, 8),
        );
        err(
            "RETURN 'abc",
            "UnexpectedEndOfInput",
            "expected ' closing the string, found end of input",
            (1, 8),
        );
        err(
            "RETURN 1 /* x",
            "UnexpectedEndOfInput",
            "expected '*/' closing the comment, found end of input",
            (1, 10),
        );
        err(
            "RETURN 'a' 'b'",
            "UnexpectedSyntax",
            "expected ';' or end of input, found 'b'",
            (1, 12),
        );
        err(
            "OPTIONAL (n) RETURN n",
            "UnexpectedSyntax",
            "expected MATCH after OPTIONAL, found '('",
            (1, 10),
        );
        err(
            "UNWIND [1] AS RETURN RETURN 1",
            "UnexpectedSyntax",
            "expected a variable name, found 'RETURN'",
            (1, 15),
        );
    }

    #[test]
    fn clause_typo_gets_a_hint() {
        let hint = |src: &str| parse_script(src).err().and_then(|e| e.hint);
        assert_eq!(
            hint("MATCH (n) RETRUN n").as_deref(),
            Some("did you mean RETURN?")
        );
        // Typos of the words that follow a clause or an expression.
        assert_eq!(
            hint("MATCH (n) WHRE n.x = 1 RETURN n").as_deref(),
            Some("did you mean WHERE?")
        );
        assert_eq!(
            hint("MATCH (n) RETURN n LIMT 1").as_deref(),
            Some("did you mean LIMIT?")
        );
        assert_eq!(
            hint("MATCH (n) RETURN n ORDER BY n.name DESK").as_deref(),
            Some("did you mean DESC?")
        );
        assert_eq!(
            hint("MATCH (n) RETURN DISTINT n.name").as_deref(),
            Some("did you mean DISTINCT instead of DISTINT?")
        );
        assert!(
            hint("MATCH (n) WHERE n.name == 'x' RETURN n").is_some_and(|h| h.contains("one '='"))
        );
        // A name that is merely short is not taken for a keyword.
        assert_eq!(hint("MATCH (n) RETURN n nme"), None);
    }

    #[test]
    fn unfinished_statements_are_unexpected_end_of_input() {
        for src in [
            "MATCH (n",
            "RETURN 'abc",
            "MATCH (n) RETURN",
            "MATCH (n) WHERE n.x =",
            "MATCH (n)-[",
            "RETURN [x IN l",
            "RETURN CASE WHEN a THEN b",
            "MATCH (n) WITH n",
            "RETURN 1 UNION",
            "CREATE (a)-",
            "RETURN `abc",
            "RETURN 1 /*",
            "MATCH (n) WHERE EXISTS { MATCH (n)",
            "EXPLAIN",
            "AS OF '2024'",
            "CREATE INDEX FOR (n:A) ON (n.",
            "DROP INDEX",
            "DROP INDEX IF EXISTS",
            "SHOW",
        ] {
            detail(src, "UnexpectedEndOfInput");
        }
        // Complete statements parse without a trailing ';'.
        for src in [
            "MATCH (n) RETURN n",
            "CREATE (n)",
            "MATCH (n) DELETE n",
            "CALL db.labels()",
        ] {
            assert!(parse_script(src).is_ok(), "{src}");
        }
    }

    #[test]
    fn tck_syntax_errors() {
        let cases = [
            ("RETURN 0x AS literal", "InvalidNumberLiteral"),
            ("RETURN 0x1A2b3j4D5E6f7 AS literal", "InvalidNumberLiteral"),
            ("RETURN 9223372h54775808 AS literal", "InvalidNumberLiteral"),
            ("RETURN 9223372036854775808 AS literal", "IntegerOverflow"),
            ("RETURN -9223372036854775809 AS literal", "IntegerOverflow"),
            ("RETURN 0x8000000000000000 AS literal", "IntegerOverflow"),
            ("RETURN -0x8000000000000001 AS literal", "IntegerOverflow"),
            (
                "RETURN 0o1000000000000000000000 AS literal",
                "IntegerOverflow",
            ),
            ("RETURN 1.34E999", "FloatingPointOverflow"),
            ("RETURN '\\uH'", "InvalidUnicodeLiteral"),
            ("RETURN 42 — 41", "InvalidUnicodeCharacter"),
            ("RETURN {1B2c3e67:1} AS literal", "UnexpectedSyntax"),
            ("RETURN {k1#k: 1} AS literal", "UnexpectedSyntax"),
            ("RETURN {k1.k: 1} AS literal", "UnexpectedSyntax"),
            ("RETURN {, } AS literal", "UnexpectedSyntax"),
            ("RETURN {1} AS literal", "UnexpectedSyntax"),
            ("RETURN {[]} AS literal", "UnexpectedSyntax"),
            ("RETURN {{}} AS literal", "UnexpectedSyntax"),
            ("RETURN [, ] AS literal", "UnexpectedSyntax"),
            ("RETURN [[','[]',']] AS literal", "UnexpectedSyntax"),
            ("MATCH (n) RETURN (n)-[]->()", "UnexpectedSyntax"),
            (
                "MATCH (n) WITH (n)-[]->() AS x RETURN x",
                "UnexpectedSyntax",
            ),
            (
                "MATCH (n) SET n.prop = head(nodes(head((n)-[:REL]->()))).foo",
                "UnexpectedSyntax",
            ),
            ("MATCH (a), (b) RETURN size((a)-->(b))", "UnexpectedSyntax"),
            (
                "CALL test.my.proc('Stefan', 1) YIELD * RETURN city",
                "UnexpectedSyntax",
            ),
            (
                "MATCH (a:A) MATCH (a)-[:LIKES..]->(c) RETURN c.name",
                "InvalidRelationshipPattern",
            ),
            (
                "MATCH (a:A) MATCH (a)-[:LIKES*-2]->(c) RETURN c.name",
                "InvalidRelationshipPattern",
            ),
            (
                "RETURN 1 AS a UNION RETURN 2 AS a UNION ALL RETURN 3 AS a",
                "InvalidClauseComposition",
            ),
            (
                "RETURN 1 AS a UNION ALL RETURN 2 AS a UNION RETURN 3 AS a",
                "InvalidClauseComposition",
            ),
            (
                "MATCH (n) WHERE exists { MATCH (n)-->(m) SET m.prop='fail' } RETURN n",
                "InvalidClauseComposition",
            ),
            ("MATCH (n) DELETE n:Person", "InvalidDelete"),
            ("MATCH ()-[r:T]-() DELETE r:T", "InvalidDelete"),
            ("CREATE (a)-[:T*2]->(b)", "CreatingVarLength"),
            ("MERGE (a)-[:FOO*2]->(b)", "CreatingVarLength"),
            ("CREATE (a)-->(b)", "NoSingleRelationshipType"),
            ("CREATE (a)-[:A|B]->(b)", "NoSingleRelationshipType"),
            (
                "MATCH (n) CALL db.labels() YIELD * RETURN 1",
                "UnexpectedSyntax",
            ),
            ("RETURN '\\q'", "InvalidEscapeSequence"),
        ];
        for (src, d) in cases {
            detail(src, d);
        }
    }

    #[test]
    fn tck_queries_parse() {
        for src in [
            "MATCH (n) WHERE (n)-[:REL1]-() OR (n)-[:REL2]-() RETURN n",
            "MATCH (a)-[:T]->(b) WITH a, count(b) AS c WHERE c > 1 RETURN a",
            "UNWIND [1, 2] AS x WITH x WHERE x > 1 RETURN x",
            "MATCH (n) WHERE exists { MATCH (m) WHERE exists { (n)-[]->(m) WHERE n.prop = m.prop } RETURN true } RETURN n",
            "MATCH (n) WHERE exists { MATCH (m) WHERE exists { MATCH (l)<-[:R]-(n)-[:R]->(m) RETURN true } RETURN true } RETURN n",
            "RETURN 0x1A2b3c4D5E6f7 AS literal",
            "RETURN -0x8000000000000000 AS literal",
            "RETURN 123456789e300 AS literal",
            "RETURN \"🧐🍌❖⋙⚐\" AS literal",
            "MATCH (a) WHERE a.name STARTS WITH 'A' AND a.x IS NULL RETURN a.name AS name ORDER BY name",
            "WITH [1, 2, 3] AS list RETURN list[-1], list[1..], size(list)",
            "RETURN { id: '1001', type: 'Regular', topping: [{ id: 5001 }] } AS literal",
        ] {
            if let Err(e) = parse_script(src) {
                panic!("{src}\n  {e} ({})", e.detail);
            }
        }
    }

    #[test]
    fn keywords_are_case_insensitive_identifiers_are_not() {
        check(
            "match (N:person) Return N.Name",
            "MATCH (N:person) RETURN N.Name;",
        );
    }

    /// Runs `f` on a thread with an ordinary 2 MB stack, as a caller would.
    fn on_small_stack(f: impl FnOnce() + Send + 'static) {
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(f);
        match handle.map(|h| h.join()) {
            Ok(Ok(())) => {}
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(e) => panic!("cannot spawn: {e}"),
        }
    }

    /// Openers of every nesting construct, with how deep each may go.
    const NESTERS: &[(&str, &str, usize)] = &[
        ("(", ")", 199),
        ("[", "]", 199),
        ("{a: ", "}", 99),
        ("-", "", 199),
        ("NOT ", "", 199),
        ("[x IN ", "]", 99),
        ("[(a)-->(b) | ", "]", 66),
        ("CASE WHEN ", " THEN 1 END", 99),
        ("EXISTS { MATCH (n) WHERE ", " RETURN 1 }", 28),
        ("f(", ")", 99),
        ("all(x IN ", ")", 99),
        ("reduce(a = 0, x IN ", " | 1)", 99),
        ("n {a: ", "}", 99),
        ("1 + (", ")", 99),
    ];

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        on_small_stack(|| {
            for (open, _, _) in NESTERS {
                let src = format!("RETURN {}", open.repeat(100_000));
                let e = parse_script(&src).err();
                assert_eq!(
                    e.as_ref().map(|e| e.detail.as_str()),
                    Some("UnexpectedSyntax"),
                    "{open}"
                );
                let msg = e.map(|e| e.message).unwrap_or_default();
                assert!(
                    msg.starts_with("expected at most 200 levels of nesting"),
                    "{open}: {msg}"
                );
            }
            let src = format!("MATCH (n {{a: {}", "(".repeat(100_000));
            assert!(parse_script(&src).is_err());
        });
    }

    #[test]
    fn nesting_up_to_the_limit_parses_on_a_small_stack() {
        on_small_stack(|| {
            for (open, close, depth) in NESTERS {
                let src = format!("RETURN {}1{}", open.repeat(*depth), close.repeat(*depth));
                if let Err(e) = parse_script(&src) {
                    panic!("{open} x {depth}: {e}");
                }
                let src = format!(
                    "RETURN {}1{}",
                    open.repeat(depth + 2),
                    close.repeat(depth + 2)
                );
                assert!(parse_script(&src).is_err(), "{open} x {}", depth + 2);
            }
        });
    }
}
