//! `Display` for the syntax tree: canonical Cypher text.
//!
//! Printing adds exactly the parentheses the precedence of the tree needs, so
//! that parsing the printed text gives the same tree back (tested in the
//! parser). Keywords are upper case, one space between tokens, one line per
//! statement.

use std::fmt::{self, Display, Formatter, Write};

use super::ast::*;
use super::lexer::{is_ident_continue, is_ident_start};
use super::parser::RESERVED;

impl Display for Script {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, s) in self.statements.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{s};")?;
        }
        Ok(())
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.explain {
            f.write_str("EXPLAIN ")?;
        }
        if self.profile {
            f.write_str("PROFILE ")?;
        }
        if let Some(e) = &self.as_of {
            write!(f, "AS OF {e} ")?;
        }
        match &self.body {
            StatementBody::Query(q) => write!(f, "{q}"),
            StatementBody::CreateIndex(c) => {
                f.write_str("CREATE INDEX")?;
                let cond = c.if_not_exists.then_some("IF NOT EXISTS");
                name_and_condition(f, c.name.as_ref(), cond)?;
                f.write_str(" ")?;
                index_target(f, &c.label, &c.property)
            }
            StatementBody::DropIndex(d) => {
                f.write_str("DROP INDEX")?;
                name_and_condition(f, d.name.as_ref(), d.if_exists.then_some("IF EXISTS"))?;
                if let Some((label, property)) = &d.on {
                    f.write_str(" ")?;
                    index_target(f, label, property)?;
                }
                Ok(())
            }
            StatementBody::ShowIndexes { kind } => match kind {
                Some(k) => write!(f, "SHOW {} INDEXES", k.name.to_uppercase()),
                None => f.write_str("SHOW INDEXES"),
            },
            StatementBody::ShowProcedures => f.write_str("SHOW PROCEDURES"),
            StatementBody::CreateConstraint(c) => {
                f.write_str("CREATE CONSTRAINT")?;
                let cond = c.if_not_exists.then_some("IF NOT EXISTS");
                name_and_condition(f, c.name.as_ref(), cond)?;
                let def = crate::store::constraints::Constraint {
                    name: String::new(),
                    kind: c.kind,
                    entity: c.entity,
                    label: crate::model::Sym::new(&c.label.name),
                    keys: c
                        .keys
                        .iter()
                        .map(|k| crate::model::Sym::new(&k.name))
                        .collect(),
                };
                write!(f, " {def}")
            }
            StatementBody::DropConstraint { name, if_exists } => {
                f.write_str("DROP CONSTRAINT")?;
                name_and_condition(f, Some(name), if_exists.then_some("IF EXISTS"))
            }
            StatementBody::ShowConstraints => f.write_str("SHOW CONSTRAINTS"),
        }
    }
}

/// An index statement's name and IF [NOT] EXISTS, each after a space.
fn name_and_condition(
    f: &mut Formatter<'_>,
    name: Option<&Ident>,
    condition: Option<&str>,
) -> fmt::Result {
    if let Some(n) = name {
        write!(f, " {}", Name(&n.name))?;
    }
    if let Some(c) = condition {
        write!(f, " {c}")?;
    }
    Ok(())
}

/// `FOR (n:Label) ON (n.prop)`.
fn index_target(f: &mut Formatter<'_>, label: &Ident, property: &Ident) -> fmt::Result {
    write!(
        f,
        "FOR (n:{}) ON (n.{})",
        Name(&label.name),
        Name(&property.name)
    )
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for (all, q) in &self.unions {
            write!(f, " UNION {}{q}", if *all { "ALL " } else { "" })?;
        }
        Ok(())
    }
}

impl Display for SingleQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        sep(f, &self.clauses, " ")
    }
}

impl Display for Ident {
    /// As a variable: reserved words and unusual names get backticks.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Var(&self.name))
    }
}

impl Display for Clause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Clause::Match {
                optional,
                pattern,
                where_,
                ..
            } => {
                write!(
                    f,
                    "{}MATCH {pattern}",
                    if *optional { "OPTIONAL " } else { "" }
                )?;
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            Clause::Unwind { expr, alias, .. } => write!(f, "UNWIND {expr} AS {alias}"),
            Clause::LoadCsv {
                headers,
                url,
                alias,
                sep,
                ..
            } => {
                let with = if *headers { "WITH HEADERS " } else { "" };
                write!(f, "LOAD CSV {with}FROM {url} AS {alias}")?;
                if *sep != ',' {
                    let sep = crate::model::Value::String(sep.to_string());
                    write!(f, " FIELDTERMINATOR {sep}")?;
                }
                Ok(())
            }
            Clause::With(p) => write!(f, "WITH {p}"),
            Clause::Return(p) => write!(f, "RETURN {p}"),
            Clause::Create { pattern, .. } => write!(f, "CREATE {pattern}"),
            Clause::Merge {
                part,
                on_create,
                on_match,
                ..
            } => {
                write!(f, "MERGE {part}")?;
                if !on_create.is_empty() {
                    f.write_str(" ON CREATE SET ")?;
                    sep(f, on_create, ", ")?;
                }
                if !on_match.is_empty() {
                    f.write_str(" ON MATCH SET ")?;
                    sep(f, on_match, ", ")?;
                }
                Ok(())
            }
            Clause::Set { items, .. } => {
                f.write_str("SET ")?;
                sep(f, items, ", ")
            }
            Clause::Remove { items, .. } => {
                f.write_str("REMOVE ")?;
                sep(f, items, ", ")
            }
            Clause::Delete { detach, exprs, .. } => {
                write!(f, "{}DELETE ", if *detach { "DETACH " } else { "" })?;
                sep(f, exprs, ", ")
            }
            Clause::Foreach {
                var, list, clauses, ..
            } => {
                write!(f, "FOREACH ({var} IN {list} | ")?;
                sep(f, clauses, " ")?;
                f.write_str(")")
            }
            Clause::Subquery {
                optional,
                scope,
                query,
                in_transactions,
                ..
            } => {
                if *optional {
                    f.write_str("OPTIONAL ")?;
                }
                f.write_str("CALL ")?;
                match scope {
                    SubqueryScope::Leading => {}
                    SubqueryScope::All => f.write_str("(*) ")?,
                    SubqueryScope::Vars(vars) => {
                        f.write_str("(")?;
                        sep(f, vars, ", ")?;
                        f.write_str(") ")?;
                    }
                }
                write!(f, "{{ {query} }}")?;
                if let Some(tx) = in_transactions {
                    f.write_str(" IN TRANSACTIONS")?;
                    if let Some(e) = &tx.rows {
                        write!(f, " OF {e} ROWS")?;
                    }
                    if let Some(s) = &tx.report {
                        write!(f, " REPORT STATUS AS {s}")?;
                    }
                    match tx.on_error {
                        OnError::Fail => {}
                        OnError::Continue => f.write_str(" ON ERROR CONTINUE")?,
                        OnError::Break => f.write_str(" ON ERROR BREAK")?,
                    }
                }
                Ok(())
            }
            Clause::Call {
                name,
                args,
                yields,
                where_,
                ..
            } => {
                write!(f, "CALL {}", Dotted(name))?;
                if let Some(args) = args {
                    f.write_str("(")?;
                    sep(f, args, ", ")?;
                    f.write_str(")")?;
                }
                for (i, (field, alias)) in yields.iter().enumerate() {
                    f.write_str(if i == 0 { " YIELD " } else { ", " })?;
                    write!(f, "{}", Name(&field.name))?;
                    if let Some(a) = alias {
                        write!(f, " AS {a}")?;
                    }
                }
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for Projection {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        if self.star {
            f.write_str("*")?;
            if !self.items.is_empty() {
                f.write_str(", ")?;
            }
        }
        sep(f, &self.items, ", ")?;
        if !self.order_by.is_empty() {
            f.write_str(" ORDER BY ")?;
            sep(f, &self.order_by, ", ")?;
        }
        if let Some(s) = &self.skip {
            write!(f, " SKIP {s}")?;
        }
        if let Some(l) = &self.limit {
            write!(f, " LIMIT {l}")?;
        }
        if let Some(w) = &self.where_ {
            write!(f, " WHERE {w}")?;
        }
        Ok(())
    }
}

impl Display for ProjItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if let Some(a) = &self.alias {
            write!(f, " AS {a}")?;
        }
        Ok(())
    }
}

impl Display for SortItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}",
            self.expr,
            if self.descending { " DESC" } else { "" }
        )
    }
}

impl Display for SetItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SetItem::Property { target, key, value } => {
                write!(f, "{}.{} = {value}", Prec(target, POSTFIX), Name(&key.name))
            }
            SetItem::Replace { var, value } => write!(f, "{var} = {value}"),
            SetItem::Merge { var, value } => write!(f, "{var} += {value}"),
            SetItem::Labels { var, labels } => write!(f, "{var}{}", Labels(labels)),
        }
    }
}

impl Display for RemoveItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            RemoveItem::Property { target, key } => {
                write!(f, "{}.{}", Prec(target, POSTFIX), Name(&key.name))
            }
            RemoveItem::Labels { var, labels } => write!(f, "{var}{}", Labels(labels)),
        }
    }
}

impl Display for Pattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        sep(f, &self.parts, ", ")
    }
}

impl Display for PatternPart {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(v) = &self.var {
            write!(f, "{v} = ")?;
        }
        match self.kind {
            PathKind::Normal => write!(f, "{}", self.element),
            PathKind::Shortest => write!(f, "shortestPath({})", self.element),
            PathKind::AllShortest => write!(f, "allShortestPaths({})", self.element),
        }
    }
}

impl Display for PatternElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.start)?;
        for (rel, node) in &self.chain {
            write!(f, "{rel}{node}")?;
        }
        Ok(())
    }
}

impl Display for NodePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        if let Some(v) = &self.var {
            write!(f, "{v}")?;
        }
        write!(f, "{}", Labels(&self.labels))?;
        if let Some(p) = &self.props {
            if self.var.is_some() || !self.labels.is_empty() {
                f.write_str(" ")?;
            }
            write!(f, "{p}")?;
        }
        f.write_str(")")
    }
}

impl Display for RelPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.direction == Direction::In {
            "<-"
        } else {
            "-"
        })?;
        let detail = self.var.is_some()
            || !self.types.is_empty()
            || self.length.is_some()
            || self.props.is_some();
        if detail {
            f.write_str("[")?;
            if let Some(v) = &self.var {
                write!(f, "{v}")?;
            }
            for (i, t) in self.types.iter().enumerate() {
                write!(f, "{}{}", if i == 0 { ":" } else { "|" }, Name(&t.name))?;
            }
            match self.length {
                None => {}
                Some((None, None)) => f.write_str("*")?,
                Some((Some(a), Some(b))) if a == b => write!(f, "*{a}")?,
                Some((a, b)) => {
                    f.write_str("*")?;
                    if let Some(a) = a {
                        write!(f, "{a}")?;
                    }
                    f.write_str("..")?;
                    if let Some(b) = b {
                        write!(f, "{b}")?;
                    }
                }
            }
            if let Some(p) = &self.props {
                if self.var.is_some() || !self.types.is_empty() || self.length.is_some() {
                    f.write_str(" ")?;
                }
                write!(f, "{p}")?;
            }
            f.write_str("]")?;
        }
        f.write_str(if self.direction == Direction::Out {
            "->"
        } else {
            "-"
        })
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            // Debug keeps a '.' or an exponent, so the text reads back as a float.
            Literal::Float(x) if x.is_finite() => write!(f, "{x:?}"),
            Literal::Float(x) if x.is_nan() => f.write_str("(0.0 / 0.0)"),
            Literal::Float(x) => f.write_str(if *x > 0.0 {
                "(1.0 / 0.0)"
            } else {
                "(-1.0 / 0.0)"
            }),
            Literal::String(s) => write_string(f, s),
        }
    }
}

impl Display for BinOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BinOp::Or => "OR",
            BinOp::Xor => "XOR",
            BinOp::And => "AND",
            BinOp::Eq => "=",
            BinOp::Ne => "<>",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::In => "IN",
            BinOp::StartsWith => "STARTS WITH",
            BinOp::EndsWith => "ENDS WITH",
            BinOp::Contains => "CONTAINS",
            BinOp::Regex => "=~",
        })
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(l) => write!(f, "{l}"),
            ExprKind::Param(p) => {
                if p.chars().all(is_ident_continue) && !p.is_empty() {
                    write!(f, "${p}")
                } else {
                    write!(f, "${}", Quoted(p))
                }
            }
            ExprKind::Var(v) => write!(f, "{}", Var(v)),
            ExprKind::List(items) => {
                f.write_str("[")?;
                sep(f, items, ", ")?;
                f.write_str("]")
            }
            ExprKind::Map(entries) => write_map(f, entries),
            ExprKind::Property(base, key) => {
                write!(f, "{}.{}", Prec(base, POSTFIX), Name(&key.name))
            }
            ExprKind::Index(base, i) => write!(f, "{}[{i}]", Prec(base, POSTFIX)),
            ExprKind::Slice(base, from, to) => {
                write!(f, "{}[", Prec(base, POSTFIX))?;
                if let Some(a) = from {
                    write!(f, "{a}")?;
                }
                f.write_str("..")?;
                if let Some(b) = to {
                    write!(f, "{b}")?;
                }
                f.write_str("]")
            }
            ExprKind::Binary(op, l, r) => {
                let p = binop_level(*op);
                // Comparisons do not nest without parentheses (they would chain).
                let left = if p == CMP { p + 1 } else { p };
                write!(f, "{} {op} {}", Prec(l, left), Prec(r, p + 1))
            }
            ExprKind::Unary(UnaryOp::Not, e) => write!(f, "NOT {}", Prec(e, NOT)),
            // A unary operand is set apart by a space, not parentheses
            // (`- -x`, `- -5`): parentheses would cost the reparse nesting
            // levels the original did not, so a chain near the parser's
            // limit would print as text that does not parse.
            ExprKind::Unary(op @ (UnaryOp::Neg | UnaryOp::Plus), e) => {
                let sign = if *op == UnaryOp::Neg { "-" } else { "+" };
                if level(e) == UNARY {
                    write!(f, "{sign} {e}")
                } else {
                    write!(f, "{sign}{}", Prec(e, UNARY))
                }
            }
            ExprKind::IsNull(e) => write!(f, "{} IS NULL", Prec(e, PRED)),
            ExprKind::IsNotNull(e) => write!(f, "{} IS NOT NULL", Prec(e, PRED)),
            ExprKind::HasLabels(e, labels) => write!(f, "{}{}", Prec(e, POSTFIX), Labels(labels)),
            ExprKind::FnCall {
                name,
                distinct,
                args,
                ..
            } => {
                write!(
                    f,
                    "{}({}",
                    Dotted(name),
                    if *distinct { "DISTINCT " } else { "" }
                )?;
                sep(f, args, ", ")?;
                f.write_str(")")
            }
            ExprKind::CountStar => f.write_str("count(*)"),
            ExprKind::Case {
                subject,
                whens,
                else_,
            } => {
                f.write_str("CASE")?;
                if let Some(s) = subject {
                    write!(f, " {s}")?;
                }
                for (w, t) in whens {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(e) = else_ {
                    write!(f, " ELSE {e}")?;
                }
                f.write_str(" END")
            }
            ExprKind::ListComprehension {
                var,
                list,
                filter,
                map,
            } => {
                write!(f, "[{var} IN {list}")?;
                if let Some(w) = filter {
                    write!(f, " WHERE {w}")?;
                }
                if let Some(m) = map {
                    write!(f, " | {m}")?;
                }
                f.write_str("]")
            }
            ExprKind::PatternComprehension {
                var,
                element,
                filter,
                map,
            } => {
                f.write_str("[")?;
                if let Some(v) = var {
                    write!(f, "{v} = ")?;
                }
                write!(f, "{element}")?;
                if let Some(w) = filter {
                    write!(f, " WHERE {w}")?;
                }
                write!(f, " | {map}]")
            }
            ExprKind::Quantified {
                q,
                var,
                list,
                filter,
            } => {
                let name = match q {
                    Quantifier::All => "all",
                    Quantifier::Any => "any",
                    Quantifier::None => "none",
                    Quantifier::Single => "single",
                };
                write!(f, "{name}({var} IN {list}")?;
                if let Some(w) = filter {
                    write!(f, " WHERE {w}")?;
                }
                f.write_str(")")
            }
            ExprKind::Reduce {
                acc,
                init,
                var,
                list,
                expr,
            } => {
                write!(f, "reduce({acc} = {init}, {var} IN {list} | {expr})")
            }
            ExprKind::PatternPredicate(el) => write!(f, "{el}"),
            ExprKind::ExistsSubquery {
                pattern,
                where_,
                query,
                count,
            } => {
                write!(f, "{} {{ ", count.keyword())?;
                match query {
                    Some(q) => write!(f, "{q}")?,
                    None => {
                        write!(f, "{pattern}")?;
                        if let Some(w) = where_ {
                            write!(f, " WHERE {w}")?;
                        }
                    }
                }
                f.write_str(" }")
            }
            ExprKind::MapProjection(base, items) => {
                write!(f, "{} {{", Prec(base, POSTFIX))?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match item {
                        MapProjItem::Property(k) => write!(f, ".{}", Name(&k.name))?,
                        MapProjItem::Literal(k, e) => write!(f, "{}: {e}", Name(&k.name))?,
                        MapProjItem::Variable(v) => write!(f, "{v}")?,
                        MapProjItem::AllProperties => f.write_str(".*")?,
                    }
                }
                f.write_str("}")
            }
        }
    }
}

// Printing levels, matching the parser's binding powers; POSTFIX covers atoms.
const OR: u8 = 1;
const XOR: u8 = 2;
const AND: u8 = 3;
const NOT: u8 = 4;
const CMP: u8 = 5;
const PRED: u8 = 6;
const ADD: u8 = 7;
const MUL: u8 = 8;
const POW: u8 = 9;
const UNARY: u8 = 10;
const LABELS: u8 = 11;
const POSTFIX: u8 = 12;

fn binop_level(op: BinOp) -> u8 {
    match op {
        BinOp::Or => OR,
        BinOp::Xor => XOR,
        BinOp::And => AND,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Regex => CMP,
        BinOp::In | BinOp::StartsWith | BinOp::EndsWith | BinOp::Contains => PRED,
        BinOp::Add | BinOp::Sub => ADD,
        BinOp::Mul | BinOp::Div | BinOp::Mod => MUL,
        BinOp::Pow => POW,
    }
}

/// How tightly an expression's printed text holds together.
fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => binop_level(*op),
        ExprKind::Unary(UnaryOp::Not, _) => NOT,
        ExprKind::Unary(..) => UNARY,
        ExprKind::IsNull(_) | ExprKind::IsNotNull(_) => PRED,
        ExprKind::HasLabels(..) => LABELS,
        ExprKind::Literal(Literal::Int(i)) if *i < 0 => UNARY,
        ExprKind::Literal(Literal::Float(x)) if x.is_sign_negative() || !x.is_finite() => UNARY,
        _ => POSTFIX,
    }
}

/// An expression printed in a spot that needs at least level `.1`.
struct Prec<'a>(&'a Expr, u8);

impl Display for Prec<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if level(self.0) < self.1 {
            write!(f, "({})", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// A label, type or key: any word, backticks only for unusual characters.
struct Name<'a>(&'a str);

impl Display for Name<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_plain(self.0) {
            f.write_str(self.0)
        } else {
            write!(f, "{}", Quoted(self.0))
        }
    }
}

/// A variable: reserved words also get backticks.
struct Var<'a>(&'a str);

impl Display for Var<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_plain(self.0) && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(self.0)) {
            f.write_str(self.0)
        } else {
            write!(f, "{}", Quoted(self.0))
        }
    }
}

/// A dotted name (`date.truncate`), each part printed as a [`Name`].
struct Dotted<'a>(&'a str);

impl Display for Dotted<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, part) in self.0.split('.').enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{}", Name(part))?;
        }
        Ok(())
    }
}

struct Quoted<'a>(&'a str);

impl Display for Quoted<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.0.replace('`', "``"))
    }
}

struct Labels<'a>(&'a [Ident]);

impl Display for Labels<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for l in self.0 {
            write!(f, ":{}", Name(&l.name))?;
        }
        Ok(())
    }
}

fn is_plain(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_ident_start) && chars.all(is_ident_continue)
}

fn sep<T: Display>(f: &mut Formatter<'_>, items: &[T], separator: &str) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

fn write_map(f: &mut Formatter<'_>, entries: &[(Ident, Expr)]) -> fmt::Result {
    f.write_str("{")?;
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}: {v}", Name(&k.name))?;
    }
    f.write_str("}")
}

/// A single-quoted string literal with every special character escaped.
fn write_string(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            c if c.is_control() => write!(f, "\\u{:04X}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}
