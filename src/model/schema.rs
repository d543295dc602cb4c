//! The schema: node kinds, relationship types, which kinds a type may join,
//! and the type of each property. It is data (`seed/schema.fgs`, see
//! `seed/FORMAT.md`), stored with the graph and checked on every write.
//!
//! A graph without a schema accepts any label, type and property.

use std::collections::BTreeMap;
use std::fmt;

use super::names::did_you_mean;
use super::packed::PropsRef;
use super::sym::Sym;
use super::value::Value;

/// The type of a declared property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropType {
    String,
    Int,
    Float,
    Bool,
    Date,
    List(Box<PropType>),
    Any,
}

impl PropType {
    /// Parses `string`, `int`, `float`, `bool`, `date`, `any`, `list<T>`.
    pub fn parse(s: &str) -> Option<PropType> {
        Some(match s.trim() {
            "string" => PropType::String,
            "int" => PropType::Int,
            "float" => PropType::Float,
            "bool" => PropType::Bool,
            "date" => PropType::Date,
            "any" => PropType::Any,
            t => {
                let inner = t.strip_prefix("list<")?.strip_suffix('>')?;
                PropType::List(Box::new(PropType::parse(inner)?))
            }
        })
    }
    pub fn accepts(&self, v: &Value) -> bool {
        match (self, v) {
            (PropType::Any, _) => v.is_storable(),
            (PropType::String, Value::String(_))
            | (PropType::Int, Value::Int(_))
            | (PropType::Float, Value::Float(_) | Value::Int(_))
            | (PropType::Bool, Value::Bool(_))
            | (PropType::Date, Value::Date(_)) => true,
            (PropType::List(t), Value::List(items)) => items.iter().all(|i| t.accepts(i)),
            _ => false,
        }
    }
}

impl fmt::Display for PropType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropType::String => f.write_str("string"),
            PropType::Int => f.write_str("int"),
            PropType::Float => f.write_str("float"),
            PropType::Bool => f.write_str("bool"),
            PropType::Date => f.write_str("date"),
            PropType::Any => f.write_str("any"),
            PropType::List(t) => write!(f, "list<{t}>"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PropDecl {
    pub name: String,
    pub ty: PropType,
    pub required: bool,
}

/// A node kind (a label).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeKind {
    pub name: String,
    pub props: Vec<PropDecl>,
    pub doc: String,
}

/// A relationship type and the kinds it may join.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RelKind {
    pub name: String,
    /// Labels allowed at the start; empty means any declared kind.
    pub from: Vec<String>,
    /// Labels allowed at the end; empty means any declared kind.
    pub to: Vec<String>,
    pub props: Vec<PropDecl>,
    pub doc: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    pub nodes: BTreeMap<String, NodeKind>,
    pub rels: BTreeMap<String, RelKind>,
}

fn check_props(
    what: &str,
    decls: &[&PropDecl],
    props: PropsRef<'_>,
    complete: bool,
) -> Result<(), String> {
    for (k, v) in props {
        let v = &*v;
        if v.is_null() {
            continue;
        }
        let Some(d) = decls.iter().find(|d| d.name == *k) else {
            let mut msg = format!("{what} has no property '{k}' in the schema");
            if let Some(s) = did_you_mean(&k, decls.iter().map(|d| d.name.as_str())) {
                msg.push_str(&format!(" (did you mean '{s}'?)"));
            }
            return Err(msg);
        };
        if !d.ty.accepts(v) {
            return Err(format!(
                "{what}.{k} must be {}, not {} ({v})",
                d.ty,
                v.type_name()
            ));
        }
    }
    if complete {
        for d in decls {
            if d.required && props.get(&d.name).is_none_or(|v| v.is_null()) {
                return Err(format!("{what} needs the property '{}' ({})", d.name, d.ty));
            }
        }
    }
    Ok(())
}

impl Schema {
    fn unknown_label(&self, l: &str) -> String {
        let mut msg = format!("unknown node kind '{l}'");
        if let Some(s) = did_you_mean(l, self.nodes.keys().map(String::as_str)) {
            msg.push_str(&format!(" (did you mean '{s}'?)"));
        }
        msg
    }

    /// Checks a node's labels and properties. With `complete` false, required
    /// properties are not checked (a statement may still set them).
    pub fn check_node<'p>(
        &self,
        labels: &[Sym],
        props: impl Into<PropsRef<'p>>,
        complete: bool,
    ) -> Result<(), String> {
        let props = props.into();
        if labels.is_empty() {
            return Err("a node needs a kind (a label) in a store with a schema".into());
        }
        let mut decls = Vec::new();
        for l in labels {
            let k = self
                .nodes
                .get(l.as_str())
                .ok_or_else(|| self.unknown_label(l))?;
            decls.extend(k.props.iter());
        }
        check_props(&format!(":{}", labels.join(":")), &decls, props, complete)
    }

    /// Checks a relationship's type, the kinds it joins, and its properties.
    pub fn check_rel<'p>(
        &self,
        rel_type: &str,
        from: &[Sym],
        to: &[Sym],
        props: impl Into<PropsRef<'p>>,
        complete: bool,
    ) -> Result<(), String> {
        let props = props.into();
        let Some(k) = self.rels.get(rel_type) else {
            let mut msg = format!("unknown relationship type '{rel_type}'");
            if let Some(s) = did_you_mean(rel_type, self.rels.keys().map(String::as_str)) {
                msg.push_str(&format!(" (did you mean '{s}'?)"));
            }
            return Err(msg);
        };
        let fits = |allowed: &[String], labels: &[Sym]| {
            allowed.is_empty() || labels.iter().any(|l| allowed.iter().any(|a| a == l))
        };
        if !fits(&k.from, from) || !fits(&k.to, to) {
            return Err(format!(
                "a :{rel_type} relationship may not join (:{}) to (:{}); the schema allows ({}) -> ({})",
                from.join(":"),
                to.join(":"),
                if k.from.is_empty() {
                    "any".into()
                } else {
                    k.from.join("|")
                },
                if k.to.is_empty() {
                    "any".into()
                } else {
                    k.to.join("|")
                },
            ));
        }
        let decls: Vec<&PropDecl> = k.props.iter().collect();
        check_props(&format!("[:{rel_type}]"), &decls, props, complete)
    }
}
