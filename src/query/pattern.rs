//! Pattern matching: MATCH, OPTIONAL MATCH, pattern predicates and
//! comprehensions, EXISTS, and shortest paths.
//!
//! The matcher walks each pattern part from one end, binding variables in a
//! row as it goes and undoing the bindings when it backtracks. A
//! relationship is used at most once per match of the whole pattern
//! (relationship isomorphism), which also keeps variable-length expansion
//! from running around cycles. With an "as of" date, nodes and
//! relationships whose `valid_from`/`valid_until` exclude that date are not
//! seen at all.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::BuildHasherDefault;
use std::rc::Rc;

use super::ast::{
    BinOp, Direction, Expr, ExprKind, Ident, NodePattern, PathKind, Pattern, PatternElement,
    PatternPart, Query,
};
use super::ast::{RelPattern, SubqueryKind};
use super::compare::equals;
use super::expr::{Env, Ev, R, type_err};
use crate::error::QueryError;
use crate::model::names::fold;
use crate::model::{NodeId, Path, Props, PropsRef, RelId, Sym, Value};
use crate::store::propindex::{Range, Side};
use crate::store::{Graph, IdHasher};

/// True when an element with these properties is valid at the "as of" date
/// (always without one). Hidden iff `valid_from` starts after the as-of
/// date ends, or `valid_until` starts on or before the as-of date starts.
pub fn visible(ev: &Ev, props: PropsRef<'_>) -> bool {
    visible_at(ev.as_of, props)
}

/// [`visible`] at the date `as_of` (always without one).
pub fn visible_at(as_of: Option<crate::model::FDate>, props: PropsRef<'_>) -> bool {
    let Some(asof) = as_of else { return true };
    if let Some(Value::Date(f)) = props.get("valid_from").as_deref()
        && f.start_days() > asof.end_days()
    {
        return false;
    }
    if let Some(Value::Date(u)) = props.get("valid_until").as_deref()
        && u.start_days() <= asof.start_days()
    {
        return false;
    }
    true
}

/// The variables a pattern binds, in order of appearance, without repeats.
pub fn pattern_vars(parts: &[PatternPart]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |v: &Option<Ident>| {
        if let Some(v) = v
            && !out.contains(&v.name)
        {
            out.push(v.name.clone());
        }
    };
    for p in parts {
        add(&p.var);
        add(&p.element.start.var);
        for (r, n) in &p.element.chain {
            add(&r.var);
            add(&n.var);
        }
    }
    out
}

/// `names` followed by the variables of `parts` it does not hold yet: the
/// layout of the rows a MATCH (or CREATE, MERGE) of `parts` makes.
pub fn extend_names(mut names: Vec<String>, vars: &[String]) -> Vec<String> {
    for v in vars {
        if !names.contains(v) {
            names.push(v.clone());
        }
    }
    names
}

/// The relationships a match has used so far, in order (for backtracking)
/// and, once there are more than [`Used::SMALL`], also as a set (for the
/// uniqueness test on long paths). Most patterns use one or two: a scan of
/// those beats hashing each relationship the walk tries.
#[derive(Default)]
struct Used {
    order: Vec<RelId>,
    /// `order`'s relationships while it holds more than `SMALL`, else empty.
    set: HashSet<RelId, BuildHasherDefault<IdHasher>>,
}

impl Used {
    const SMALL: usize = 16;
    fn push(&mut self, r: RelId) {
        self.order.push(r);
        match self.order.len() {
            n if n == Self::SMALL + 1 => self.set.extend(self.order.iter().copied()),
            n if n > Self::SMALL => {
                self.set.insert(r);
            }
            _ => {}
        }
    }
    fn pop(&mut self) {
        let n = self.order.len();
        if let Some(r) = self.order.pop() {
            if n == Self::SMALL + 1 {
                self.set.clear();
            } else if n > Self::SMALL {
                self.set.remove(&r);
            }
        }
    }
    fn contains(&self, r: &RelId) -> bool {
        if self.order.len() > Self::SMALL {
            self.set.contains(r)
        } else {
            self.order.contains(r)
        }
    }
    fn len(&self) -> usize {
        self.order.len()
    }
    fn truncate(&mut self, n: usize) {
        while self.order.len() > n {
            self.pop();
        }
    }
}

struct NodeSpec<'p> {
    pat: &'p NodePattern,
    slot: Option<usize>,
    labels: &'p [Ident],
    props: Option<&'p Expr>,
}

struct RelSpec<'p> {
    slot: Option<usize>,
    types: &'p [Ident],
    /// The types as symbols, to compare without reading text; a type no
    /// element has ever had is not interned, so it drops out (and a
    /// pattern whose types all dropped out matches nothing).
    type_syms: Rc<[Sym]>,
    dir: Direction,
    len: Option<(u64, Option<u64>)>,
    props: Option<&'p Expr>,
}

struct Elem<'p> {
    nodes: Vec<NodeSpec<'p>>,
    rels: Vec<RelSpec<'p>>,
    reversed: bool,
    path_slot: Option<usize>,
    kind: &'p PathKind,
    /// How the walk finds its first node (`nodes[0]`), as [`walk_start`]
    /// decided it when the element was laid out.
    start: Start<'p>,
}

/// Which of a node's lists a direction walks: (outgoing, incoming).
fn ways(d: Direction) -> (bool, bool) {
    match d {
        Direction::Out => (true, false),
        Direction::In => (false, true),
        Direction::Both => (true, true),
    }
}

fn flip(d: Direction) -> Direction {
    match d {
        Direction::Out => Direction::In,
        Direction::In => Direction::Out,
        Direction::Both => Direction::Both,
    }
}

/// Matches `parts` against the graph, extending `row` (laid out as `names`;
/// slots flagged in `assigned` are already bound). Calls `on_match` with each
/// complete row that passes `where_`; it returns false to stop early.
pub fn match_parts(
    ev: &Ev,
    names: &[String],
    parts: &[PatternPart],
    row: Vec<Value>,
    assigned: Vec<bool>,
    where_: Option<&Expr>,
    on_match: &mut dyn FnMut(&[Value]) -> R<bool>,
) -> R<()> {
    let mut m = Matcher {
        ev,
        names,
        parts,
        row,
        bound_before: assigned.iter().take_while(|b| **b).count(),
        assigned,
        used: Used::default(),
        // Every walk pushes its first node: room for a short path at once.
        path_nodes: Vec::with_capacity(4),
        path_rels: Vec::new(),
        on_match,
        where_,
        where_proven: false,
        cache: RefCell::new(HashMap::new()),
    };
    m.part(0)?;
    Ok(())
}

struct Matcher<'e, 'a, 'p> {
    ev: &'e Ev<'a>,
    names: &'e [String],
    parts: &'p [PatternPart],
    row: Vec<Value>,
    assigned: Vec<bool>,
    used: Used,
    path_nodes: Vec<NodeId>,
    path_rels: Vec<RelId>,
    on_match: &'e mut dyn FnMut(&[Value]) -> R<bool>,
    /// The WHERE of the MATCH: shortest-path searches take the
    /// per-relationship and per-node conditions on their path from it.
    where_: Option<&'p Expr>,
    /// The WHERE is `v.name = x` alone and the walk started at `v` from the
    /// nodes named exactly `x`: every row passes it (see [`Matcher::part`]).
    where_proven: bool,
    /// The slots bound before matching started: the first this many (the
    /// input row's; the pattern's own come after them).
    bound_before: usize,
    /// Property maps that depend only on those slots, evaluated once.
    cache: RefCell<HashMap<usize, Rc<Option<Props>>>>,
}

impl<'e, 'a, 'p> Matcher<'e, 'a, 'p> {
    fn slot(&self, v: &Option<Ident>) -> Option<usize> {
        v.as_ref()
            .and_then(|v| self.names.iter().position(|n| *n == v.name))
    }

    /// Is the variable bound at this point of the match?
    fn is_bound(&self, var: &str) -> bool {
        self.names
            .iter()
            .position(|n| n == var)
            .is_some_and(|i| self.assigned[i])
    }

    fn elem(&self, part: &'p PatternPart) -> Elem<'p> {
        let el = &part.element;
        let (reversed, _, start) = walk_start(
            part,
            self.where_,
            &|v: &str| self.is_bound(v),
            self.ev.graph,
        );
        let spec = |n: &'p NodePattern| NodeSpec {
            pat: n,
            slot: self.slot(&n.var),
            labels: &n.labels,
            props: n.props.as_deref(),
        };
        let rspec = |r: &'p RelPattern, rev: bool| RelSpec {
            slot: self.slot(&r.var),
            types: &r.types,
            type_syms: r.types.iter().filter_map(|t| Sym::get(&t.name)).collect(),
            dir: if rev { flip(r.direction) } else { r.direction },
            len: r.length.map(|(a, b)| (a.unwrap_or(1), b)),
            props: r.props.as_deref(),
        };
        let mut nodes = vec![spec(&el.start)];
        let mut rels = Vec::new();
        for (r, n) in &el.chain {
            rels.push(rspec(r, reversed));
            nodes.push(spec(n));
        }
        if reversed {
            nodes.reverse();
            rels.reverse();
        }
        Elem {
            nodes,
            rels,
            reversed,
            path_slot: self.slot(&part.var),
            kind: &part.kind,
            start,
        }
    }

    /// A pattern's property map, evaluated once per match call when it only
    /// uses variables bound before the pattern (the usual case), else per use.
    fn eval_props(&self, e: &Expr) -> R<Rc<Option<Props>>> {
        let key = e as *const Expr as usize;
        if let Some(v) = self.cache.borrow().get(&key) {
            return Ok(v.clone());
        }
        let env = Env::row(self.names, &self.row);
        let v = Rc::new(match self.ev.eval(e, &env)? {
            Value::Map(m) => Some(m.into()),
            Value::Null => None,
            v => {
                return Err(type_err(format!(
                    "a pattern's properties must be a map, not {}",
                    v.type_name()
                ))
                .at(e.span));
            }
        });
        let before = |v: &str| {
            self.names
                .iter()
                .position(|n| n == v)
                .is_some_and(|i| i < self.bound_before)
        };
        if is_constant(e, &before) {
            self.cache.borrow_mut().insert(key, v.clone());
        }
        Ok(v)
    }

    fn node_ok(&self, spec: &NodeSpec, id: NodeId) -> R<bool> {
        let Some(node) = self.ev.graph.node(id) else {
            return Ok(false);
        };
        if !spec.labels.iter().all(|l| node.labels.has(&l.name)) {
            return Ok(false);
        }
        if !visible(self.ev, node.props) {
            return Ok(false);
        }
        if let Some(p) = spec.props {
            let want = self.eval_props(p)?;
            let Some(want) = want.as_ref() else {
                return Ok(false);
            };
            for (k, v) in want {
                // Equal strings without copying the stored one.
                if let Value::String(w) = v
                    && node.props.get_str(k) == Some(w.as_str())
                {
                    continue;
                }
                let have = node.props.get(k);
                let have = have.as_deref().unwrap_or(&Value::Null);
                if equals(have, v) == Some(true) {
                    continue;
                }
                if k == crate::store::NAME
                    && let Value::String(x) = v
                    && self.name_via_index(x, id, have)
                {
                    continue;
                }
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `{name: 'X'}` where no node is named exactly X: a node the name index
    /// finds for X (by alias, or ignoring case and accents) matches, and the
    /// user is told.
    fn name_via_index(&self, x: &str, id: NodeId, have: &Value) -> bool {
        let g = self.ev.graph;
        let alias_mode = *self
            .ev
            .alias_mode
            .borrow_mut()
            .entry(x.to_string())
            .or_insert_with(|| {
                !g.lookup(x).iter().any(|n| {
                    g.node(*n).and_then(|n| n.props.get_str(crate::store::NAME)) == Some(x)
                })
            });
        if !alias_mode || !g.lookup(x).contains(&id) {
            return false;
        }
        let canon = have.as_str().unwrap_or("?");
        let notice = if fold(canon) == fold(x) {
            format!("'{x}' matched {canon} (names match ignoring case and accents)")
        } else {
            format!("'{x}' matched {canon} through its alias")
        };
        let mut notices = self.ev.notices.borrow_mut();
        if !notices.contains(&notice) {
            notices.push(notice);
        }
        true
    }

    /// The nodes a walk starting at `spec` begins from, as [`start_of`]
    /// decides. Each is still checked against the whole spec.
    fn start_candidates(&self, spec: &NodeSpec) -> R<Vec<NodeId>> {
        let start = start_of(
            spec.pat,
            self.where_,
            &|v: &str| self.is_bound(v),
            self.ev.graph,
        );
        self.candidates(spec, &start)
    }

    /// The nodes `start` finds for `spec`.
    fn candidates(&self, spec: &NodeSpec, start: &Start) -> R<Vec<NodeId>> {
        let g = self.ev.graph;
        let env = Env::row(self.names, &self.row);
        match *start {
            Start::Bound => {
                let s = spec.slot.unwrap_or_default();
                match self.row.get(s) {
                    Some(Value::Node(n)) => Ok(vec![*n]),
                    Some(Value::Null) | None => Ok(vec![]),
                    Some(v) => Err(type_err(format!(
                        "`{}` is a {}, not a node",
                        self.names[s],
                        v.type_name()
                    ))),
                }
            }
            Start::NameProp(e) | Start::NameWhere(e)
                if let Some(x) = self.ev.str_operand(e, &env) =>
            {
                Ok(g.lookup(x))
            }
            Start::NameProp(e) => match self.ev.eval(e, &env)? {
                Value::String(x) => Ok(g.lookup(&x)),
                _ => Ok(self.scan(spec.labels)),
            },
            Start::NameWhere(e) => match self.ev.eval(e, &env)? {
                Value::String(x) => Ok(g.lookup(&x)),
                // `n.name = null` is never true.
                Value::Null => Ok(Vec::new()),
                _ => Ok(self.scan(spec.labels)),
            },
            Start::PropEq { .. } | Start::PropRange(_) => Ok(self
                .index_candidates(start, &env)
                .unwrap_or_else(|| self.scan(spec.labels))),
            Start::Labels(_) | Start::All => Ok(self.scan(spec.labels)),
        }
    }

    /// The candidates a property index gives for `start`; None when the
    /// index cannot tell (a value of a type it does not order, or an
    /// expression that fails: the scan then meets the same failure in the
    /// WHERE, or none if no node gets that far, as without the index).
    fn index_candidates(&self, start: &Start, env: &Env) -> Option<Vec<NodeId>> {
        let eval = |e: &Expr| self.ev.eval(e, env).ok();
        let (label, key) = match start {
            Start::PropEq { label, key, .. } => (label, key),
            Start::PropRange(r) => (&r.label, &r.key),
            _ => return None,
        };
        let ix = self.ev.graph.prop_index(&label.name, &key.name)?;
        let range = match start {
            Start::PropEq {
                value,
                form: Lookup::In,
                ..
            } => {
                return match eval(value)? {
                    // `IN null` is never true, nor is `x IN [null]`.
                    Value::Null => Some(Vec::new()),
                    Value::List(items) => {
                        let mut out = Vec::new();
                        for v in items.iter().filter(|v| !v.is_null()) {
                            out.extend(ix.get(v)?);
                        }
                        out.sort_unstable();
                        out.dedup();
                        Some(out)
                    }
                    _ => None,
                };
            }
            Start::PropEq { value, .. } => {
                let v = eval(value)?;
                // `= null` is never true.
                return if v.is_null() {
                    Some(Vec::new())
                } else {
                    ix.get(&v)
                };
            }
            Start::PropRange(r) => match r.prefix {
                Some(p) => Range::Prefix(eval(p)?),
                None => {
                    let side = |b: Option<(&Expr, bool)>| -> Option<Option<Side>> {
                        match b {
                            None => Some(None),
                            Some((e, inclusive)) => Some(Some(Side {
                                value: eval(e)?,
                                inclusive,
                            })),
                        }
                    };
                    Range::Between {
                        lower: side(r.lower)?,
                        upper: side(r.upper)?,
                    }
                }
            },
            _ => return None,
        };
        // A comparison with null is never true.
        let has_null = match &range {
            Range::Prefix(v) => v.is_null(),
            Range::Between { lower, upper } => [lower, upper]
                .iter()
                .any(|s| s.as_ref().is_some_and(|s| s.value.is_null())),
        };
        if has_null {
            return Some(Vec::new());
        }
        ix.range(&range)
    }

    /// The nodes carrying all of `labels` (scanning the rarest label's
    /// index), or every node.
    fn scan(&self, labels: &[Ident]) -> Vec<NodeId> {
        let g = self.ev.graph;
        if labels.is_empty() {
            return g.node_ids().collect();
        }
        // With several labels, scan the rarest (counting is linear, so
        // only when there is a choice).
        let best = if labels.len() == 1 {
            labels[0].name.as_str()
        } else {
            labels
                .iter()
                .min_by_key(|l| g.nodes_with_label(&l.name).count())
                .map(|l| l.name.as_str())
                .unwrap_or("")
        };
        g.nodes_with_label(best).collect()
    }

    /// Binds a node to a spec's variable; None when it does not fit,
    /// Some(true) when a slot was newly assigned (to be undone).
    fn bind_node(&mut self, spec_slot: Option<usize>, ok: bool, id: NodeId) -> Option<bool> {
        match spec_slot {
            Some(s) if self.assigned[s] => (ok && self.row[s] == Value::Node(id)).then_some(false),
            Some(s) => {
                if !ok {
                    return None;
                }
                self.row[s] = Value::Node(id);
                self.assigned[s] = true;
                Some(true)
            }
            None => ok.then_some(false),
        }
    }

    fn check_node(&self, e: &Elem, i: usize, id: NodeId) -> R<bool> {
        let spec = &e.nodes[i];
        if let Some(s) = spec.slot
            && self.assigned[s]
        {
            // Bound earlier: identity is enough, but labels and properties
            // written again must still hold.
            if self.row[s] != Value::Node(id) {
                return Ok(false);
            }
            if spec.labels.is_empty() && spec.props.is_none() {
                return Ok(true);
            }
        }
        self.node_ok(spec, id)
    }

    fn unbind(&mut self, slot: Option<usize>, newly: bool) {
        if newly && let Some(s) = slot {
            self.row[s] = Value::Null;
            self.assigned[s] = false;
        }
    }

    /// Relationships leaving `cur` that fit `spec` (type, properties,
    /// validity, not yet used): (relationship, node at the other end).
    fn expand(&self, cur: NodeId, spec: &RelSpec) -> R<Vec<(RelId, NodeId)>> {
        self.expand_with(cur, spec, None)
    }

    /// [`Matcher::expand`], or with `only`, whether that one relationship
    /// (found by a relationship scan) fits.
    fn expand_with(
        &self,
        cur: NodeId,
        spec: &RelSpec,
        only: Option<(RelId, NodeId)>,
    ) -> R<Vec<(RelId, NodeId)>> {
        let g = self.ev.graph;
        let want = match spec.props {
            Some(p) => {
                let m = self.eval_props(p)?;
                if m.is_none() {
                    return Ok(vec![]);
                }
                Some(m)
            }
            None => None,
        };
        let want = want.as_ref().and_then(|w| w.as_ref().as_ref());
        let bound = match spec.slot {
            Some(s) if self.assigned[s] && spec.len.is_none() => match &self.row[s] {
                Value::Rel(r) => Some(*r),
                Value::Null => return Ok(vec![]),
                v => {
                    return Err(type_err(format!(
                        "`{}` is a {}, not a relationship",
                        self.names[s],
                        v.type_name()
                    )));
                }
            },
            _ => None,
        };
        // Type first: it is the cheapest test and rules out the most. The
        // properties are looked up only for a test that reads them.
        let read_props = self.ev.as_of.is_some() || want.is_some();
        let fits = |r: RelId, t: Sym| {
            (spec.types.is_empty() || spec.type_syms.contains(&t))
                && bound.is_none_or(|b| b == r)
                && !self.used.contains(&r)
                && (!read_props || {
                    let props = g.rel_props_of(r);
                    visible(self.ev, props)
                        && want.is_none_or(|w| {
                            w.iter().all(|(k, v)| {
                                equals(props.get(k).as_deref().unwrap_or(&Value::Null), v)
                                    == Some(true)
                            })
                        })
                })
        };
        let mut out = Vec::new();
        if let Some((r, o)) = only {
            if g.rel_type(r).is_some_and(|t| fits(r, t)) {
                out.push((r, o));
            }
            return Ok(out);
        }
        let (outgoing, incoming) = ways(spec.dir);
        let types = (!spec.types.is_empty()).then_some(&spec.type_syms[..]);
        if outgoing {
            out.extend(
                g.rels_with_data(cur, true, types)
                    .filter(|(r, _, t)| fits(*r, *t))
                    .map(|(r, o, _)| (r, o)),
            );
        }
        if incoming {
            out.extend(
                g.rels_with_data(cur, false, types)
                    // With both directions a self-loop is one relationship,
                    // found once (going out).
                    .filter(|(r, o, t)| !(outgoing && *o == cur) && fits(*r, *t))
                    .map(|(r, o, _)| (r, o)),
            );
        }
        Ok(out)
    }

    /// Does a relationship (`rels`) or node of a shortest path satisfy the
    /// WHERE's `all(x IN relationships(p) WHERE ...)` / `none(...)` conditions?
    fn passes(&self, filters: &[PathFilter], rels: bool, v: Value) -> R<bool> {
        let base = Env::row(self.names, &self.row);
        for f in filters.iter().filter(|f| f.on_rels == rels) {
            let env = Env::Local {
                name: f.var,
                val: v.clone(),
                parent: &base,
            };
            let r = self.ev.eval(f.pred, &env)?;
            if r != Value::Bool(f.want) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn part(&mut self, pi: usize) -> R<bool> {
        if pi == self.parts.len() {
            if !self.where_proven
                && let Some(w) = self.where_
                && !self.ev.test(w, &Env::row(self.names, &self.row))?
            {
                return Ok(true);
            }
            return (self.on_match)(&self.row);
        }
        let part = &self.parts[pi];
        let e = self.elem(part);
        if *e.kind != PathKind::Normal {
            return self.shortest(pi, &e);
        }
        let first = e.rels.first().map(|r| (r.types, r.len.is_some()));
        if rel_scan_start(&e.start, first) {
            return self.rel_scan(pi, &e);
        }
        // `WHERE v.name = x` alone, the walk starting at `v` from the name
        // index: only the nodes named exactly `x` (the index also finds
        // aliases and other spellings, which the WHERE refuses), and then
        // every row passes the WHERE; it is not evaluated again per row.
        let exact = match (pi, &e.start, self.where_) {
            (0, Start::NameWhere(value), Some(w)) if is_name_eq(w, value) => self
                .ev
                .str_operand(value, &Env::row(self.names, &self.row))
                .map(|x| self.ev.graph.lookup_exact(x)),
            _ => None,
        };
        self.where_proven = exact.is_some();
        let cands = match exact {
            Some(c) => c,
            None => self.candidates(&e.nodes[0], &e.start)?,
        };
        for n in cands {
            self.ev.check()?;
            let ok = self.check_node(&e, 0, n)?;
            let Some(newly) = self.bind_node(e.nodes[0].slot, ok, n) else {
                continue;
            };
            self.path_nodes.push(n);
            let cont = self.step(pi, &e, 0, n)?;
            self.path_nodes.pop();
            self.unbind(e.nodes[0].slot, newly);
            if !cont {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Binds a value to an optional slot: Some(newly) if it fits.
    fn bind_value(&mut self, slot: Option<usize>, v: Value) -> Option<bool> {
        match slot {
            Some(s) if self.assigned[s] => {
                (super::compare::same(&self.row[s], &v)).then_some(false)
            }
            Some(s) => {
                self.row[s] = v;
                self.assigned[s] = true;
                Some(true)
            }
            None => Some(false),
        }
    }

    fn finish_elem(&mut self, pi: usize, e: &Elem, start_len: usize) -> R<bool> {
        // The path value is only built when a variable takes it.
        let path = match e.path_slot {
            Some(_) => {
                let mut nodes = self.path_nodes
                    [self.path_nodes.len() - (self.path_rels.len() - start_len) - 1..]
                    .to_vec();
                let mut rels = self.path_rels[start_len..].to_vec();
                if e.reversed {
                    nodes.reverse();
                    rels.reverse();
                }
                Value::path(Path { nodes, rels })
            }
            None => Value::Null,
        };
        let Some(newly) = self.bind_value(e.path_slot, path) else {
            return Ok(true);
        };
        let saved = std::mem::take(&mut self.path_nodes);
        let saved_rels = std::mem::take(&mut self.path_rels);
        let cont = self.part(pi + 1);
        self.path_nodes = saved;
        self.path_rels = saved_rels;
        self.unbind(e.path_slot, newly);
        cont
    }

    fn step(&mut self, pi: usize, e: &Elem, ri: usize, cur: NodeId) -> R<bool> {
        if ri == e.rels.len() {
            return self.finish_elem(pi, e, 0);
        }
        let spec = &e.rels[ri];
        match spec.len {
            None => {
                let cands = self.expand(cur, spec)?;
                self.follow(pi, e, ri, cands)
            }
            Some((min, max)) => self.var_len(pi, e, ri, cur, min, max),
        }
    }

    /// Continues the pattern over each of `cands`, the relationships
    /// (fixed length one) that fit `e.rels[ri]` from the current node.
    fn follow(&mut self, pi: usize, e: &Elem, ri: usize, cands: Vec<(RelId, NodeId)>) -> R<bool> {
        let spec = &e.rels[ri];
        for (r, o) in cands {
            self.ev.check()?;
            let Some(rnew) = self.bind_value(spec.slot, Value::Rel(r)) else {
                continue;
            };
            let ok = self.check_node(e, ri + 1, o)?;
            if let Some(nnew) = self.bind_node(e.nodes[ri + 1].slot, ok, o) {
                self.used.push(r);
                self.path_rels.push(r);
                self.path_nodes.push(o);
                let cont = self.step(pi, e, ri + 1, o);
                self.path_nodes.pop();
                self.path_rels.pop();
                self.used.pop();
                self.unbind(e.nodes[ri + 1].slot, nnew);
                if !cont? {
                    self.unbind(spec.slot, rnew);
                    return Ok(false);
                }
            }
            self.unbind(spec.slot, rnew);
        }
        Ok(true)
    }

    /// Starts a pattern part at its first relationship rather than its
    /// first node ([`rel_scan_start`]): the relationships of the wanted
    /// types from the type index, in id order, each binding the node it
    /// starts from.
    fn rel_scan(&mut self, pi: usize, e: &Elem) -> R<bool> {
        let g = self.ev.graph;
        let spec = &e.rels[0];
        let (outgoing, incoming) = ways(spec.dir);
        let rels = merged(spec.type_syms.iter().map(|t| g.rels_of_type(*t)));
        for (i, r) in rels.enumerate() {
            if i % 4096 == 0 {
                self.ev.check()?;
            }
            let Some((a, b)) = g.rel_ends(r) else {
                continue;
            };
            // As expansion from each node would find it: from its start
            // going out, from its end coming in; a self-loop once.
            let mut walks = Vec::with_capacity(2);
            if outgoing {
                walks.push((a, b));
            }
            if incoming && !(outgoing && a == b) {
                walks.push((b, a));
            }
            for (n, o) in walks {
                let ok = self.check_node(e, 0, n)?;
                let Some(newly) = self.bind_node(e.nodes[0].slot, ok, n) else {
                    continue;
                };
                let cands = self.expand_with(n, spec, Some((r, o)))?;
                self.path_nodes.push(n);
                let cont = self.follow(pi, e, 0, cands)?;
                self.path_nodes.pop();
                self.unbind(e.nodes[0].slot, newly);
                if !cont {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// A variable-length relationship from `cur`: a depth-first walk with
    /// an explicit stack (paths can be long), continuing the pattern at
    /// every depth within the bounds.
    fn var_len(
        &mut self,
        pi: usize,
        e: &Elem,
        ri: usize,
        start: NodeId,
        min: u64,
        max: Option<u64>,
    ) -> R<bool> {
        let spec = &e.rels[ri];
        let unbound = RelSpec {
            slot: None,
            types: spec.types,
            type_syms: spec.type_syms.clone(),
            dir: spec.dir,
            len: None,
            props: spec.props,
        };
        let seg_start = self.path_rels.len();
        // Each frame: the relationships still to try from a node on the path.
        let mut stack: Vec<std::vec::IntoIter<(RelId, NodeId)>> = Vec::new();
        let mut cur = start;
        let mut cont = true;
        'walk: loop {
            self.ev.check()?;
            let depth = stack.len() as u64;
            if depth >= min && !self.var_len_emit(pi, e, ri, cur, seg_start)? {
                cont = false;
                break 'walk;
            }
            if max.is_none_or(|m| depth < m) {
                stack.push(self.expand(cur, &unbound)?.into_iter());
            } else if depth > 0 {
                // At the upper bound: step back over the last relationship.
                self.used.pop();
                self.path_rels.pop();
                self.path_nodes.pop();
            } else {
                break 'walk;
            }
            // Find the next relationship to follow, backtracking as needed.
            loop {
                let Some(top) = stack.last_mut() else {
                    break 'walk;
                };
                match top.find(|(r, _)| !self.used.contains(r)) {
                    Some((r, o)) => {
                        self.used.push(r);
                        self.path_rels.push(r);
                        self.path_nodes.push(o);
                        cur = o;
                        continue 'walk;
                    }
                    None => {
                        stack.pop();
                        if stack.is_empty() {
                            break 'walk;
                        }
                        self.used.pop();
                        self.path_rels.pop();
                        self.path_nodes.pop();
                    }
                }
            }
        }
        // Leave the path as it was found.
        let extra = self.path_rels.len() - seg_start;
        for _ in 0..extra {
            self.used.pop();
            self.path_rels.pop();
            self.path_nodes.pop();
        }
        Ok(cont)
    }

    /// Binds a variable-length segment ending at `cur` and continues the pattern.
    fn var_len_emit(
        &mut self,
        pi: usize,
        e: &Elem,
        ri: usize,
        cur: NodeId,
        seg_start: usize,
    ) -> R<bool> {
        let spec = &e.rels[ri];
        let mut seg: Vec<Value> = self.path_rels[seg_start..]
            .iter()
            .map(|r| Value::Rel(*r))
            .collect();
        if e.reversed {
            seg.reverse();
        }
        let Some(rnew) = self.bind_value(spec.slot, Value::List(seg)) else {
            return Ok(true);
        };
        let mut cont = Ok(true);
        let ok = self.check_node(e, ri + 1, cur)?;
        if let Some(nnew) = self.bind_node(e.nodes[ri + 1].slot, ok, cur) {
            cont = self.step(pi, e, ri + 1, cur);
            self.unbind(e.nodes[ri + 1].slot, nnew);
        }
        self.unbind(spec.slot, rnew);
        cont
    }

    /// shortestPath / allShortestPaths: a breadth-first search from each
    /// start candidate.
    fn shortest(&mut self, pi: usize, e: &Elem) -> R<bool> {
        if e.rels.len() != 1 {
            return Err(QueryError::semantic(
                "InvalidPatternForShortestPath",
                "shortestPath needs a pattern of exactly one relationship, e.g. shortestPath((a)-[*]-(b))",
            )
            .at(self.parts[pi].span));
        }
        let all = *e.kind == PathKind::AllShortest;
        let spec = &e.rels[0];
        let (min, max) = spec.len.unwrap_or((1, Some(1)));
        let unbound = RelSpec {
            slot: None,
            types: spec.types,
            type_syms: spec.type_syms.clone(),
            dir: spec.dir,
            len: None,
            props: spec.props,
        };
        let filters = match (self.where_, &self.parts[pi].var) {
            (Some(w), Some(p)) => path_filters(w, &p.name),
            _ => Vec::new(),
        };
        let bound = |v: &str| self.is_bound(v);
        let selective =
            |n: &NodeSpec| start_of(n.pat, self.where_, &bound, self.ev.graph).is_lookup();
        if min <= 1 && selective(&e.nodes[0]) && selective(&e.nodes[1]) {
            return self.shortest_between(pi, e, &unbound, max, &filters);
        }
        let starts = self.start_candidates(&e.nodes[0])?;
        for s in starts {
            let ok = self.check_node(e, 0, s)? && self.passes(&filters, false, Value::Node(s))?;
            let Some(snew) = self.bind_node(e.nodes[0].slot, ok, s) else {
                continue;
            };
            // BFS: distance and every predecessor on a shortest path.
            let mut dist: HashMap<NodeId, u64> = HashMap::from([(s, 0)]);
            let mut preds: HashMap<NodeId, Vec<(NodeId, RelId)>> = HashMap::new();
            let mut order: Vec<NodeId> = vec![s];
            let mut queue = VecDeque::from([s]);
            while let Some(u) = queue.pop_front() {
                self.ev.check()?;
                let du = dist[&u];
                if max.is_some_and(|m| du >= m) {
                    continue;
                }
                for (r, v) in self.expand(u, &unbound)? {
                    if !self.passes(&filters, true, Value::Rel(r))?
                        || !self.passes(&filters, false, Value::Node(v))?
                    {
                        continue;
                    }
                    match dist.get(&v) {
                        None => {
                            dist.insert(v, du + 1);
                            preds.insert(v, vec![(u, r)]);
                            order.push(v);
                            queue.push_back(v);
                        }
                        Some(&dv) if dv == du + 1 => preds.entry(v).or_default().push((u, r)),
                        _ => {}
                    }
                }
            }
            for t in order {
                let d = dist[&t];
                if d < min || (t == s && min > 0) {
                    continue;
                }
                let ok = self.check_node(e, 1, t)?;
                let Some(tnew) = self.bind_node(e.nodes[1].slot, ok, t) else {
                    continue;
                };
                let mut paths: Vec<(Vec<NodeId>, Vec<RelId>)> = Vec::new();
                if all {
                    collect_paths(&preds, s, t, &mut vec![t], &mut Vec::new(), &mut paths);
                } else {
                    paths.extend(first_path(&preds, s, t));
                }
                let cont = self.continue_with_paths(pi, e, paths)?;
                self.unbind(e.nodes[1].slot, tnew);
                if !cont {
                    self.unbind(e.nodes[0].slot, snew);
                    return Ok(false);
                }
            }
            self.unbind(e.nodes[0].slot, snew);
        }
        Ok(true)
    }

    /// Binds each shortest path found between the bound ends (its
    /// relationship variable and path variable) and continues with the next
    /// pattern part; false when that asked to stop.
    fn continue_with_paths(
        &mut self,
        pi: usize,
        e: &Elem,
        paths: Vec<(Vec<NodeId>, Vec<RelId>)>,
    ) -> R<bool> {
        let spec = &e.rels[0];
        for (nodes, rels) in paths {
            let rel_val = if spec.len.is_some() {
                Value::List(rels.iter().map(|r| Value::Rel(*r)).collect())
            } else {
                rels.first().map(|r| Value::Rel(*r)).unwrap_or(Value::Null)
            };
            let Some(rnew) = self.bind_value(spec.slot, rel_val) else {
                continue;
            };
            let pv = Value::path(Path {
                nodes,
                rels: rels.clone(),
            });
            if let Some(pnew) = self.bind_value(e.path_slot, pv) {
                let n_used = self.used.len();
                for r in &rels {
                    self.used.push(*r);
                }
                let cont = self.part(pi + 1);
                self.used.truncate(n_used);
                self.unbind(e.path_slot, pnew);
                if !cont? {
                    self.unbind(spec.slot, rnew);
                    return Ok(false);
                }
            }
            self.unbind(spec.slot, rnew);
        }
        Ok(true)
    }

    /// shortestPath / allShortestPaths when both ends are few (bound, or
    /// found by name): a bidirectional breadth-first search per pair of
    /// ends that stops at the level where the two searches meet, instead
    /// of searching everything reachable from the start.
    fn shortest_between(
        &mut self,
        pi: usize,
        e: &Elem,
        spec: &RelSpec,
        max: Option<u64>,
        filters: &[PathFilter],
    ) -> R<bool> {
        let all = *e.kind == PathKind::AllShortest;
        let rel_spec = &e.rels[0];
        let min = rel_spec.len.map_or(1, |(a, _)| a);
        let starts = self.start_candidates(&e.nodes[0])?;
        let ends = self.start_candidates(&e.nodes[1])?;
        for s in starts {
            let ok = self.check_node(e, 0, s)? && self.passes(filters, false, Value::Node(s))?;
            let Some(snew) = self.bind_node(e.nodes[0].slot, ok, s) else {
                continue;
            };
            for &t in &ends {
                let ok =
                    self.check_node(e, 1, t)? && self.passes(filters, false, Value::Node(t))?;
                let Some(tnew) = self.bind_node(e.nodes[1].slot, ok, t) else {
                    continue;
                };
                let paths = if s == t {
                    if min == 0 {
                        vec![(vec![s], Vec::new())]
                    } else {
                        Vec::new()
                    }
                } else {
                    self.meet(s, t, spec, max, filters, all)?
                };
                let cont = self.continue_with_paths(pi, e, paths)?;
                self.unbind(e.nodes[1].slot, tnew);
                if !cont {
                    self.unbind(e.nodes[0].slot, snew);
                    return Ok(false);
                }
            }
            self.unbind(e.nodes[0].slot, snew);
        }
        Ok(true)
    }

    /// The shortest paths from `s` to `t` (`s != t`), one or all: two
    /// breadth-first searches, one from each end, each step expanding the
    /// side with the smaller frontier by one whole level. When a level
    /// reaches nodes the other side has seen, the shortest length is known;
    /// every shortest path crosses that level at one of those nodes.
    fn meet(
        &self,
        s: NodeId,
        t: NodeId,
        spec: &RelSpec,
        max: Option<u64>,
        filters: &[PathFilter],
        all: bool,
    ) -> R<Vec<(Vec<NodeId>, Vec<RelId>)>> {
        let back = RelSpec {
            slot: None,
            types: spec.types,
            type_syms: spec.type_syms.clone(),
            dir: flip(spec.dir),
            len: None,
            props: spec.props,
        };
        // Per side: each reached node's distance from that side's end and
        // its predecessors (towards that end) on shortest paths.
        let mut seen: [Reached; 2] = [
            HashMap::from([(s, (0, Vec::new()))]),
            HashMap::from([(t, (0, Vec::new()))]),
        ];
        let mut front: [Vec<NodeId>; 2] = [vec![s], vec![t]];
        let mut depth = [0u64, 0u64];
        loop {
            if front[0].is_empty() || front[1].is_empty() {
                return Ok(Vec::new());
            }
            if max.is_some_and(|m| depth[0] + depth[1] >= m) {
                return Ok(Vec::new());
            }
            let side = usize::from(front[1].len() < front[0].len());
            let dir_spec = if side == 0 { spec } else { &back };
            let d = depth[side] + 1;
            let mut next = Vec::new();
            for &u in &front[side] {
                self.ev.check()?;
                for (r, v) in self.expand(u, dir_spec)? {
                    let known = seen[side].get(&v).map(|(dv, _)| *dv);
                    if known.is_some_and(|dv| !all || dv < d) {
                        continue;
                    }
                    if !self.passes(filters, true, Value::Rel(r))?
                        || !self.passes(filters, false, Value::Node(v))?
                    {
                        continue;
                    }
                    if let Some((_, preds)) = seen[side].get_mut(&v) {
                        // Reached again on this level: another shortest way.
                        preds.push((u, r));
                        continue;
                    }
                    seen[side].insert(v, (d, vec![(u, r)]));
                    next.push(v);
                }
            }
            depth[side] = d;
            let other = 1 - side;
            let best = next
                .iter()
                .filter_map(|v| seen[other].get(v).map(|(dv, _)| *dv))
                .min();
            if let Some(rest) = best {
                if max.is_some_and(|m| d + rest > m) {
                    return Ok(Vec::new());
                }
                let mut out = Vec::new();
                for &m in next
                    .iter()
                    .filter(|v| seen[other].get(v).is_some_and(|(dv, _)| *dv == rest))
                {
                    let to_s = half_paths(&seen[0], m, all);
                    let to_t = half_paths(&seen[1], m, all);
                    for (ns, rs) in &to_s {
                        for (nt, rt) in &to_t {
                            // ns runs m..s and nt runs m..t.
                            let mut nodes: Vec<NodeId> = ns.iter().rev().copied().collect();
                            nodes.extend(nt.iter().skip(1));
                            let mut rels: Vec<RelId> = rs.iter().rev().copied().collect();
                            rels.extend(rt.iter());
                            out.push((nodes, rels));
                            if !all {
                                return Ok(out);
                            }
                        }
                    }
                }
                return Ok(out);
            }
            front[side] = next;
        }
    }
}

/// How the walk of a pattern part starts at one of its end nodes: the
/// planner picks the end with the highest rank. EXPLAIN shows the same
/// choice ([`super::plan`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Start<'p> {
    /// The variable is bound already: one node.
    Bound,
    /// `{name: e}`: the name and alias index.
    NameProp(&'p Expr),
    /// `WHERE var.name = e`: the name and alias index.
    NameWhere(&'p Expr),
    /// `{key: e}`, `WHERE var.key = e` or `WHERE var.key IN e`, with a
    /// property index on `label` (one of the node's labels) and `key`.
    PropEq {
        label: &'p Ident,
        key: &'p Ident,
        value: &'p Expr,
        form: Lookup,
    },
    /// `WHERE var.key > e` and friends, or `var.key STARTS WITH e`, with a
    /// property index on `label` and `key`.
    PropRange(PropRange<'p>),
    /// The rarest of the labels: the label index.
    Labels(&'p [Ident]),
    /// Every node.
    All,
}

/// How a lookup in a property index was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// `(var {key: e})`
    Map,
    /// `WHERE var.key = e`
    Eq,
    /// `WHERE var.key IN e`: one lookup per item of the list.
    In,
}

/// The bounds on one indexed property that a WHERE's conjuncts give.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PropRange<'p> {
    pub label: &'p Ident,
    pub key: &'p Ident,
    /// `var.key > e` (false) or `>= e` (true).
    pub lower: Option<(&'p Expr, bool)>,
    /// `var.key < e` (false) or `<= e` (true).
    pub upper: Option<(&'p Expr, bool)>,
    /// `var.key STARTS WITH e`.
    pub prefix: Option<&'p Expr>,
}

impl Start<'_> {
    /// Bound node > name index > property index (equality, then range) >
    /// label index > all nodes.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Start::Bound => 5,
            Start::NameProp(_) | Start::NameWhere(_) => 4,
            Start::PropEq { .. } => 3,
            Start::PropRange(_) => 2,
            Start::Labels(_) => 1,
            Start::All => 0,
        }
    }

    /// Does the start find one node or very few: a bound node or a name
    /// lookup? (A property value can be shared by hundreds of nodes, and a
    /// search per pair of ends would then cost more than one search from
    /// every start.)
    pub(crate) fn is_lookup(&self) -> bool {
        self.rank() >= 4
    }
}

/// Which end a walk of `part` starts from: the last node when it ranks
/// higher than the first (only for plain patterns; shortest paths search
/// from their first node). True when reversed, with that node and how it
/// is found.
pub(crate) fn walk_start<'p>(
    part: &'p PatternPart,
    where_: Option<&'p Expr>,
    bound: &dyn Fn(&str) -> bool,
    graph: &Graph,
) -> (bool, &'p NodePattern, Start<'p>) {
    let el = &part.element;
    let first = start_of(&el.start, where_, bound, graph);
    let Some((_, last)) = el.chain.last() else {
        return (false, &el.start, first);
    };
    let end = start_of(last, where_, bound, graph);
    if part.kind == PathKind::Normal && end.rank() > first.rank() {
        (true, last, end)
    } else {
        (false, &el.start, first)
    }
}

/// How a walk starting at `n` would find its first node, given which
/// variables are bound, the MATCH's WHERE and the graph's property indexes.
pub(crate) fn start_of<'p>(
    n: &'p NodePattern,
    where_: Option<&'p Expr>,
    bound: &dyn Fn(&str) -> bool,
    graph: &Graph,
) -> Start<'p> {
    if n.var.as_ref().is_some_and(|v| bound(&v.name)) {
        return Start::Bound;
    }
    let map_items = match n.props.as_deref().map(|p| &p.kind) {
        Some(ExprKind::Map(items)) => items.as_slice(),
        _ => &[],
    };
    if let Some((_, e)) = map_items.iter().find(|(k, _)| k.name == crate::store::NAME) {
        return Start::NameProp(e);
    }
    let cmps: Vec<PropCmp> = match (&n.var, where_) {
        (Some(v), Some(w)) => prop_comparisons(w, &v.name, bound),
        _ => Vec::new(),
    };
    if let Some(c) = cmps
        .iter()
        .find(|c| c.op == BinOp::Eq && c.key.name == crate::store::NAME)
    {
        return Start::NameWhere(c.value);
    }
    // The first of the node's labels with an index on `key`.
    let indexed = |key: &str| {
        n.labels
            .iter()
            .find(|l| graph.prop_index(&l.name, key).is_some())
    };
    for (k, e) in map_items {
        if let Some(label) = indexed(&k.name)
            && is_constant(e, bound)
        {
            return Start::PropEq {
                label,
                key: k,
                value: e,
                form: Lookup::Map,
            };
        }
    }
    for (op, form) in [(BinOp::Eq, Lookup::Eq), (BinOp::In, Lookup::In)] {
        for c in cmps.iter().filter(|c| c.op == op) {
            if let Some(label) = indexed(&c.key.name) {
                return Start::PropEq {
                    label,
                    key: c.key,
                    value: c.value,
                    form,
                };
            }
        }
    }
    if let Some((c, label)) = cmps.iter().find_map(|c| Some((c, indexed(&c.key.name)?))) {
        let mut r = PropRange {
            label,
            key: c.key,
            lower: None,
            upper: None,
            prefix: None,
        };
        for c in cmps.iter().filter(|x| x.key.name == c.key.name) {
            match c.op {
                BinOp::Gt | BinOp::Ge => {
                    r.lower = r.lower.or(Some((c.value, c.op == BinOp::Ge)));
                }
                BinOp::Lt | BinOp::Le => {
                    r.upper = r.upper.or(Some((c.value, c.op == BinOp::Le)));
                }
                BinOp::StartsWith => r.prefix = r.prefix.or(Some(c.value)),
                _ => {}
            }
        }
        return Start::PropRange(r);
    }
    if n.labels.is_empty() {
        Start::All
    } else {
        Start::Labels(&n.labels)
    }
}

/// Several ascending id streams as one ascending stream (each id once).
fn merged<'a>(
    streams: impl Iterator<Item = impl Iterator<Item = RelId> + 'a>,
) -> impl Iterator<Item = RelId> + 'a {
    let mut heads: Vec<_> = streams.map(|s| s.peekable()).collect();
    std::iter::from_fn(move || {
        let i = (0..heads.len())
            .filter_map(|i| heads[i].peek().map(|r| (r.0, i)))
            .min()?
            .1;
        let r = heads[i].next();
        for h in heads.iter_mut() {
            while h.peek().is_some_and(|x| Some(*x) == r) {
                h.next();
            }
        }
        r
    })
}

/// Does a walk that would start at every node start at its first
/// relationship instead? When the first node is unconstrained (`Start::All`)
/// and the first relationship has types and a fixed length of one, a pass
/// over the relationships finds the same matches and skips every node
/// without a relationship of those types. `first`: that relationship's
/// types and whether it has a variable length.
pub(crate) fn rel_scan_start(start: &Start, first: Option<(&[Ident], bool)>) -> bool {
    matches!(start, Start::All)
        && first.is_some_and(|(types, var_len)| !types.is_empty() && !var_len)
}

/// Does `e` have the same value wherever it is evaluated in a match? True
/// when it only reads bound variables, and nothing that differs per
/// evaluation (`rand()`) or sees the pattern's own bindings.
pub(crate) fn is_constant(e: &Expr, bound: &dyn Fn(&str) -> bool) -> bool {
    let mut constant = true;
    super::expr::visit(e, &mut |x| {
        if let ExprKind::Var(name) = &x.kind
            && !bound(name)
        {
            constant = false;
        }
        let volatile =
            matches!(&x.kind, ExprKind::FnCall { name, .. } if name.eq_ignore_ascii_case("rand"));
        if volatile
            || matches!(
                x.kind,
                ExprKind::PatternComprehension { .. }
                    | ExprKind::PatternPredicate(_)
                    | ExprKind::ExistsSubquery { .. }
            )
        {
            constant = false;
        }
    });
    constant
}

/// `var.key OP value` among a WHERE's top-level conjuncts, with `value`
/// constant (the same wherever the match is): an index can find the
/// candidates for `var` instead of a scan. `e < var.key` is read as
/// `var.key > e`. The WHERE is still tested on every match, so an index
/// only has to find a superset.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PropCmp<'p> {
    pub key: &'p Ident,
    /// `Eq`, `In`, `Lt`, `Le`, `Gt`, `Ge` or `StartsWith`.
    pub op: BinOp,
    pub value: &'p Expr,
}

/// The comparisons of `var`'s properties with constants among the
/// top-level conjuncts of `w`, in the order they are written.
pub(crate) fn prop_comparisons<'p>(
    w: &'p Expr,
    var: &str,
    bound: &dyn Fn(&str) -> bool,
) -> Vec<PropCmp<'p>> {
    let prop_of_var = |x: &'p Expr| match &x.kind {
        ExprKind::Property(obj, key) if matches!(&obj.kind, ExprKind::Var(v) if v == var) => {
            Some(key)
        }
        _ => None,
    };
    let flipped = |op: BinOp| match op {
        BinOp::Lt => Some(BinOp::Gt),
        BinOp::Le => Some(BinOp::Ge),
        BinOp::Gt => Some(BinOp::Lt),
        BinOp::Ge => Some(BinOp::Le),
        BinOp::Eq => Some(BinOp::Eq),
        _ => None,
    };
    let mut out = Vec::with_capacity(2);
    conjuncts(w, &mut |e| {
        let ExprKind::Binary(op, a, b) = &e.kind else {
            return;
        };
        let cmp = |key, op, value| PropCmp { key, op, value };
        if flipped(*op).is_some() || matches!(op, BinOp::StartsWith | BinOp::In) {
            if let Some(key) = prop_of_var(a)
                && is_constant(b, bound)
            {
                out.push(cmp(key, *op, &**b));
            } else if let (Some(key), Some(op)) = (prop_of_var(b), flipped(*op))
                && is_constant(a, bound)
            {
                out.push(cmp(key, op, &**a));
            }
        }
    });
    out
}

/// Is `w` the comparison `v.name = value` (or `value = v.name`), this very
/// `value`, and nothing else?
fn is_name_eq(w: &Expr, value: &Expr) -> bool {
    let name_of_var = |x: &Expr| {
        matches!(&x.kind, ExprKind::Property(obj, key)
            if key.name == crate::store::NAME && matches!(obj.kind, ExprKind::Var(_)))
    };
    match &w.kind {
        ExprKind::Binary(BinOp::Eq, a, b) => {
            (name_of_var(a) && std::ptr::eq(&**b, value))
                || (name_of_var(b) && std::ptr::eq(&**a, value))
        }
        _ => false,
    }
}

/// Each conjunct of `w` (the operands of its ANDs, however nested), left to
/// right. The parser bounds the nesting, and so the recursion.
fn conjuncts<'p>(w: &'p Expr, f: &mut dyn FnMut(&'p Expr)) {
    match &w.kind {
        ExprKind::Binary(BinOp::And, a, b) => {
            conjuncts(a, f);
            conjuncts(b, f);
        }
        _ => f(w),
    }
}

/// What one side of a bidirectional search reached: per node, its distance
/// from that side's end and its predecessors (towards that end) on
/// shortest paths.
type Reached = HashMap<NodeId, (u64, Vec<(NodeId, RelId)>)>;

/// The shortest paths from `m` back to the end a search started from,
/// following the predecessors it recorded: (nodes from `m` to the end,
/// relationships in the same order). Only the first when not `all`.
fn half_paths(seen: &Reached, m: NodeId, all: bool) -> Vec<(Vec<NodeId>, Vec<RelId>)> {
    let mut out = Vec::new();
    // An explicit stack: (node, index of the next predecessor to try).
    let mut nodes = vec![m];
    let mut rels: Vec<RelId> = Vec::new();
    let mut next = vec![0usize];
    while let Some(&cur) = nodes.last() {
        let preds = seen.get(&cur).map(|(_, p)| p.as_slice()).unwrap_or(&[]);
        if preds.is_empty() {
            out.push((nodes.clone(), rels.clone()));
            if !all {
                return out;
            }
        }
        let i = next.last().copied().unwrap_or(0);
        if let Some(&(u, r)) = preds.get(i).filter(|_| all || i == 0) {
            if let Some(top) = next.last_mut() {
                *top += 1;
            }
            nodes.push(u);
            rels.push(r);
            next.push(0);
        } else {
            nodes.pop();
            rels.pop();
            next.pop();
        }
    }
    out
}

/// A condition on every relationship or node of a path, taken from WHERE.
struct PathFilter<'p> {
    var: &'p str,
    pred: &'p Expr,
    /// true for `all(...)`, false for `none(...)`.
    want: bool,
    on_rels: bool,
}

/// The conditions `all/none(x IN relationships(p)|nodes(p) WHERE pred)` among
/// the conjuncts of a WHERE. A shortest-path search applies them while it
/// searches, as Neo4j does, so that it finds the shortest path that
/// satisfies them rather than filtering away the shortest path overall.
fn path_filters<'p>(w: &'p Expr, path: &str) -> Vec<PathFilter<'p>> {
    use super::ast::{BinOp, Quantifier};
    let mut out = Vec::new();
    let mut stack = vec![w];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Binary(BinOp::And, a, b) => {
                stack.push(a);
                stack.push(b);
            }
            ExprKind::Quantified {
                q: q @ (Quantifier::All | Quantifier::None),
                var,
                list,
                filter: Some(pred),
            } => {
                if let ExprKind::FnCall { name, args, .. } = &list.kind
                    && let [arg] = args.as_slice()
                    && matches!(&arg.kind, ExprKind::Var(v) if v == path)
                {
                    let l = name.to_ascii_lowercase();
                    if l == "relationships" || l == "nodes" {
                        out.push(PathFilter {
                            var: &var.name,
                            pred,
                            want: *q == Quantifier::All,
                            on_rels: l == "relationships",
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// One shortest path: the first predecessor of each node back from `t` to
/// `s` (iteratively: paths can be long).
fn first_path(
    preds: &HashMap<NodeId, Vec<(NodeId, RelId)>>,
    s: NodeId,
    t: NodeId,
) -> Option<(Vec<NodeId>, Vec<RelId>)> {
    let mut nodes = vec![t];
    let mut rels = Vec::new();
    let mut cur = t;
    while cur != s {
        let (u, r) = *preds.get(&cur)?.first()?;
        nodes.push(u);
        rels.push(r);
        cur = u;
    }
    nodes.reverse();
    rels.reverse();
    Some((nodes, rels))
}

/// Every shortest path, walking predecessor lists back from `t` to `s`.
fn collect_paths(
    preds: &HashMap<NodeId, Vec<(NodeId, RelId)>>,
    s: NodeId,
    t: NodeId,
    nodes: &mut Vec<NodeId>,
    rels: &mut Vec<RelId>,
    out: &mut Vec<(Vec<NodeId>, Vec<RelId>)>,
) {
    if t == s {
        let mut n = nodes.clone();
        let mut r = rels.clone();
        n.reverse();
        r.reverse();
        out.push((n, r));
        return;
    }
    if let Some(ps) = preds.get(&t) {
        for (u, r) in ps {
            nodes.push(*u);
            rels.push(*r);
            collect_paths(preds, s, *u, nodes, rels, out);
            nodes.pop();
            rels.pop();
        }
    }
}

/// Runs a MATCH (or OPTIONAL MATCH) for one input row, handing each
/// extended row (laid out as `names`, the input's names followed by the
/// new ones) to `on_row` as it is found; an OPTIONAL MATCH that finds none
/// hands on the input, padded with nulls. `on_row` returns false to stop,
/// and so does this once it has.
pub fn match_each(
    ev: &Ev,
    names: &[String],
    input: &[Value],
    pattern: &Pattern,
    where_: Option<&Expr>,
    optional: bool,
    on_row: &mut dyn FnMut(&[Value]) -> R<bool>,
) -> R<bool> {
    let mut row = Vec::with_capacity(names.len());
    row.extend_from_slice(input);
    row.resize(names.len(), Value::Null);
    let mut assigned = vec![true; input.len()];
    assigned.resize(names.len(), false);
    let unmatched = optional.then(|| row.clone());
    let (mut found, mut go_on) = (false, true);
    match_parts(ev, names, &pattern.parts, row, assigned, where_, &mut |r| {
        found = true;
        go_on = on_row(r)?;
        Ok(go_on)
    })?;
    if !found && let Some(row) = unmatched {
        go_on = on_row(&row)?;
    }
    Ok(go_on)
}

/// Sets up a match of `parts` inside an expression: the enclosing bindings
/// flattened into a row, followed by slots for the pattern's new variables.
fn nested(
    env: &Env,
    parts: &[PatternPart],
    extra: Option<&Ident>,
) -> (Vec<String>, Vec<Value>, Vec<bool>) {
    let (mut names, mut vals) = env.flatten();
    let mut assigned = vec![true; names.len()];
    let mut vars = pattern_vars(parts);
    if let Some(x) = extra {
        vars.push(x.name.clone());
    }
    for v in vars {
        if !names.contains(&v) {
            names.push(v);
            vals.push(Value::Null);
            assigned.push(false);
        }
    }
    (names, vals, assigned)
}

fn single_part(var: Option<&Ident>, element: &PatternElement) -> PatternPart {
    PatternPart {
        var: var.cloned(),
        kind: PathKind::Normal,
        element: element.clone(),
        span: element.span,
    }
}

/// `WHERE (a)-->(b)`: does the pattern match at least once?
pub fn exists_element(ev: &Ev, element: &PatternElement, env: &Env) -> R<bool> {
    let parts = [single_part(None, element)];
    let (names, vals, assigned) = nested(env, &parts, None);
    let mut found = false;
    match_parts(ev, &names, &parts, vals, assigned, None, &mut |_| {
        found = true;
        Ok(false)
    })?;
    Ok(found)
}

/// `[p = (a)-->(b) WHERE pred | expr]`
pub fn comprehension(
    ev: &Ev,
    var: Option<&Ident>,
    element: &PatternElement,
    filter: Option<&Expr>,
    map: &Expr,
    env: &Env,
) -> R<Value> {
    let parts = [single_part(var, element)];
    let (names, vals, assigned) = nested(env, &parts, None);
    let mut out = Vec::new();
    match_parts(ev, &names, &parts, vals, assigned, filter, &mut |r| {
        out.push(ev.eval(map, &Env::row(&names, r))?);
        Ok(true)
    })?;
    Ok(Value::List(out))
}

/// `EXISTS { ... }` (a bool: is there a match?) or, with `count`,
/// `COUNT { ... }` (an integer: how many?) for the row `env`: of a pattern
/// with its WHERE, or of the rows of a full reading subquery, run by
/// [`super::eval::exists_query`] or [`super::eval::count_query`].
pub fn subquery(
    ev: &Ev,
    pattern: &Pattern,
    where_: Option<&Expr>,
    query: Option<&Query>,
    count: SubqueryKind,
    env: &Env,
) -> R<Value> {
    if let Some(q) = query {
        return Ok(match count {
            SubqueryKind::Count => Value::Int(super::eval::count_query(ev, q, env)?),
            SubqueryKind::Exists => Value::Bool(super::eval::exists_query(ev, q, env)?),
            SubqueryKind::Collect => Value::List(super::eval::collect_query(ev, q, env)?),
        });
    }
    let (names, vals) = env.flatten();
    let names = extend_names(names, &pattern.vars);
    let mut n = 0usize;
    match_each(ev, &names, &vals, pattern, where_, false, &mut |_| {
        n += 1;
        Ok(true)
    })?;
    // The parser gives COLLECT only a query.
    Ok(if count == SubqueryKind::Count {
        Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
    } else {
        Value::Bool(n > 0)
    })
}
