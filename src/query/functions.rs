//! Scalar functions. Names are matched case-insensitively.

use std::collections::BTreeMap;

use super::ast::{Expr, ExprKind, SubqueryKind};
use super::expr::{Env, Ev, R, plain, type_err};
use crate::error::QueryError;
use crate::model::{FDate, Value};

/// Every scalar function name, spelled as Neo4j documents it (names are
/// matched ignoring case), for "did you mean".
pub const NAMES: &[&str] = &[
    "id",
    "elementId",
    "labels",
    "type",
    "keys",
    "properties",
    "startNode",
    "endNode",
    "nodes",
    "relationships",
    "length",
    "size",
    "head",
    "last",
    "tail",
    "range",
    "reverse",
    "coalesce",
    "toString",
    "toInteger",
    "toFloat",
    "toBoolean",
    "toLower",
    "toUpper",
    "lower",
    "upper",
    "trim",
    "lTrim",
    "rTrim",
    "replace",
    "substring",
    "left",
    "right",
    "split",
    "abs",
    "ceil",
    "floor",
    "round",
    "sign",
    "sqrt",
    "rand",
    "exists",
    "timestamp",
    "fdate",
    "date",
    "precision",
    "exp",
    "log",
    "log10",
    "e",
    "pi",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "degrees",
    "radians",
    "isEmpty",
    "toStringOrNull",
    "toIntegerOrNull",
    "toFloatOrNull",
    "toBooleanOrNull",
    "valueType",
    "localtime",
    "time",
    "localdatetime",
    "datetime",
    "duration",
    "date.truncate",
    "date.transaction",
    "date.statement",
    "date.realtime",
    "localtime.truncate",
    "localtime.transaction",
    "localtime.statement",
    "localtime.realtime",
    "time.truncate",
    "time.transaction",
    "time.statement",
    "time.realtime",
    "localdatetime.truncate",
    "localdatetime.transaction",
    "localdatetime.statement",
    "localdatetime.realtime",
    "datetime.truncate",
    "datetime.transaction",
    "datetime.statement",
    "datetime.realtime",
    "datetime.fromEpoch",
    "datetime.fromEpochMillis",
    "duration.between",
    "duration.inMonths",
    "duration.inDays",
    "duration.inSeconds",
    "linenumber",
    "file",
];

/// A value of a type the function has no meaning for (the TCK's
/// `InvalidArgumentValue` for conversions and graph functions).
fn bad_value(msg: String) -> QueryError {
    QueryError::type_error("InvalidArgumentValue", msg)
}

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> R<()> {
    if args.len() < min || args.len() > max {
        let want = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(QueryError::semantic(
            "InvalidNumberOfArguments",
            format!("{name}() takes {want} argument(s), got {}", args.len()),
        ));
    }
    Ok(())
}

fn int_arg(name: &str, v: &Value) -> R<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i)),
        Value::Float(f) if f.fract() == 0.0 => Ok(Some(*f as i64)),
        v => Err(type_err(format!(
            "{name}() needs an integer, not {} ({v})",
            v.type_name()
        ))),
    }
}

fn num_arg(name: &str, v: &Value) -> R<Option<f64>> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i as f64)),
        Value::Float(f) => Ok(Some(*f)),
        v => Err(type_err(format!(
            "{name}() needs a number, not {} ({v})",
            v.type_name()
        ))),
    }
}

fn str_arg<'v>(name: &str, v: &'v Value) -> R<Option<&'v str>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        v => Err(type_err(format!(
            "{name}() needs a string, not {} ({v})",
            v.type_name()
        ))),
    }
}

/// Calls the scalar function `name` (`lname` lower-cased, as the parser
/// keeps it) on unevaluated arguments.
pub fn call(ev: &Ev, name: &str, lname: &str, arg_exprs: &[Expr], env: &Env) -> R<Value> {
    // `exists(n.prop)` asks whether the property is there; with a pattern it
    // asks whether the pattern matches.
    if lname == "exists" {
        if arg_exprs.len() != 1 {
            return Err(QueryError::semantic(
                "InvalidNumberOfArguments",
                "exists() takes one argument",
            ));
        }
        let v = ev.eval(&arg_exprs[0], env)?;
        return Ok(match (&arg_exprs[0].kind, v) {
            (
                ExprKind::PatternPredicate(_)
                | ExprKind::ExistsSubquery {
                    count: SubqueryKind::Exists,
                    ..
                },
                v,
            ) => v,
            (_, v) => Value::Bool(!v.is_null()),
        });
    }
    // The record number and file of the LOAD CSV row being evaluated
    // (hidden columns of the row, see `load_csv::LINE_COLUMN`); null
    // without one.
    if lname == "linenumber" || lname == "file" {
        if !arg_exprs.is_empty() {
            return Err(QueryError::semantic(
                "InvalidNumberOfArguments",
                format!("{name}() takes no arguments"),
            ));
        }
        let column = if lname == "file" {
            super::load_csv::FILE_COLUMN
        } else {
            super::load_csv::LINE_COLUMN
        };
        return Ok(env.lookup(column).cloned().unwrap_or(Value::Null));
    }
    if lname == "coalesce" {
        for a in arg_exprs {
            let v = ev.eval(a, env)?;
            if !v.is_null() {
                return Ok(v);
            }
        }
        return Ok(Value::Null);
    }
    // One or two arguments (most calls) on the stack.
    match arg_exprs {
        [a] => apply(ev, lname, name, &[ev.eval(a, env)?]),
        [a, b] => apply(ev, lname, name, &[ev.eval(a, env)?, ev.eval(b, env)?]),
        _ => {
            let args: Vec<Value> = arg_exprs
                .iter()
                .map(|a| ev.eval(a, env))
                .collect::<R<_>>()?;
            apply(ev, lname, name, &args)
        }
    }
}

fn apply(ev: &Ev, lname: &str, name: &str, args: &[Value]) -> R<Value> {
    let one = |a: &[Value]| -> R<Value> {
        arity(name, a, 1, 1)?;
        Ok(a[0].clone())
    };
    Ok(match lname {
        "id" => match one(args)? {
            Value::Null => Value::Null,
            Value::Node(n) => Value::Int(n.0 as i64),
            Value::Rel(r) => Value::Int(r.0 as i64),
            v => {
                return Err(type_err(format!(
                    "id() of {}, not a node or relationship",
                    v.type_name()
                )));
            }
        },
        // Neo4j 5's opaque id as text: here the id's digits, which
        // `elementId(n) = $id` finds again within the store.
        "elementid" => match one(args)? {
            Value::Null => Value::Null,
            Value::Node(n) => Value::String(n.0.to_string()),
            Value::Rel(r) => Value::String(r.0.to_string()),
            v => {
                return Err(type_err(format!(
                    "elementId() of {}, not a node or relationship",
                    v.type_name()
                )));
            }
        },
        "labels" => match one(args)? {
            Value::Null => Value::Null,
            Value::Node(n) => Value::List(
                ev.node(n)?
                    .labels
                    .iter()
                    .map(|l| Value::String(l.as_str().to_owned()))
                    .collect(),
            ),
            v => {
                return Err(bad_value(format!(
                    "labels() of {}, not a node",
                    v.type_name()
                )));
            }
        },
        "type" => match one(args)? {
            Value::Null => Value::Null,
            Value::Rel(r) => Value::String(ev.rel_type(r)?),
            v => {
                return Err(bad_value(format!(
                    "type() of {}, not a relationship",
                    v.type_name()
                )));
            }
        },
        "keys" => match ev.properties(&one(args)?)? {
            Value::Map(m) => Value::List(m.into_keys().map(Value::String).collect()),
            v => v,
        },
        "properties" => ev.properties(&one(args)?)?,
        "startnode" | "endnode" => match one(args)? {
            Value::Null => Value::Null,
            Value::Rel(r) => {
                let (a, b) = ev.rel_ends(r)?;
                Value::Node(if lname == "startnode" { a } else { b })
            }
            v => {
                return Err(type_err(format!(
                    "{name}() of {}, not a relationship",
                    v.type_name()
                )));
            }
        },
        "nodes" | "relationships" => match one(args)? {
            Value::Null => Value::Null,
            Value::Path(p) => {
                if lname == "nodes" {
                    Value::List(p.nodes.into_iter().map(Value::Node).collect())
                } else {
                    Value::List(p.rels.into_iter().map(Value::Rel).collect())
                }
            }
            v => {
                return Err(type_err(format!(
                    "{name}() of {}, not a path",
                    v.type_name()
                )));
            }
        },
        "length" => match one(args)? {
            Value::Null => Value::Null,
            Value::Path(p) => Value::Int(p.rels.len() as i64),
            v => {
                return Err(type_err(format!(
                    "length() of {}, not a path (use size())",
                    v.type_name()
                )));
            }
        },
        "size" => match one(args)? {
            Value::Null => Value::Null,
            Value::List(l) => Value::Int(l.len() as i64),
            Value::String(s) => Value::Int(s.chars().count() as i64),
            v => {
                return Err(type_err(format!(
                    "size() of {}, not a list or string",
                    v.type_name()
                )));
            }
        },
        "isempty" => match one(args)? {
            Value::Null => Value::Null,
            Value::List(l) => Value::Bool(l.is_empty()),
            Value::String(s) => Value::Bool(s.is_empty()),
            Value::Map(m) => Value::Bool(m.is_empty()),
            v => return Err(type_err(format!("isEmpty() of {}", v.type_name()))),
        },
        "head" | "last" | "tail" => match one(args)? {
            Value::Null => Value::Null,
            Value::List(l) => match lname {
                "head" => l.first().cloned().unwrap_or(Value::Null),
                "last" => l.last().cloned().unwrap_or(Value::Null),
                _ => Value::List(l.into_iter().skip(1).collect()),
            },
            v => {
                return Err(type_err(format!(
                    "{name}() of {}, not a list",
                    v.type_name()
                )));
            }
        },
        "range" => {
            arity(name, args, 2, 3)?;
            if let Some(v) = args.iter().find(|v| !matches!(v, Value::Int(_))) {
                return Err(QueryError::argument(
                    "InvalidArgumentType",
                    format!("range() needs integers, not {} ({v})", v.type_name()),
                ));
            }
            let (Some(a), Some(b)) = (int_arg(name, &args[0])?, int_arg(name, &args[1])?) else {
                return Err(type_err("range() needs integer bounds, not null"));
            };
            let step = match args.get(2) {
                Some(s) => {
                    int_arg(name, s)?.ok_or_else(|| type_err("range() needs an integer step"))?
                }
                None => 1,
            };
            if step == 0 {
                return Err(QueryError::argument(
                    "NumberOutOfRange",
                    "range() step must not be 0",
                ));
            }
            let count = if (step > 0 && a > b) || (step < 0 && a < b) {
                0
            } else {
                ((b as i128 - a as i128) / step as i128 + 1) as u128
            };
            if count > 10_000_000 {
                return Err(QueryError::argument(
                    "NumberOutOfRange",
                    format!("range() of {count} elements is too large"),
                ));
            }
            let mut out = Vec::with_capacity(count as usize);
            let mut x = a as i128;
            for _ in 0..count {
                out.push(Value::Int(x as i64));
                x += step as i128;
            }
            Value::List(out)
        }
        "reverse" => match one(args)? {
            Value::Null => Value::Null,
            Value::List(mut l) => {
                l.reverse();
                Value::List(l)
            }
            Value::String(s) => Value::String(s.chars().rev().collect()),
            v => return Err(type_err(format!("reverse() of {}", v.type_name()))),
        },
        "tostring" | "tostringornull" => match one(args)? {
            Value::Null => Value::Null,
            v @ (Value::String(_)
            | Value::Int(_)
            | Value::Float(_)
            | Value::Bool(_)
            | Value::Date(_)
            | Value::Temporal(_)) => Value::String(plain(&v)),
            _ if lname == "tostringornull" => Value::Null,
            v => return Err(bad_value(format!("toString() of {}", v.type_name()))),
        },
        "tointeger" | "tointegerornull" => match one(args)? {
            Value::Null => Value::Null,
            Value::Int(i) => Value::Int(i),
            Value::Float(f) => {
                if f.is_finite() && f.abs() < 9.2e18 {
                    Value::Int(f.trunc() as i64)
                } else {
                    Value::Null
                }
            }
            Value::Bool(b) => Value::Int(b as i64),
            Value::String(s) => {
                let t = s.trim();
                match t.parse::<i64>() {
                    Ok(i) => Value::Int(i),
                    Err(_) => match t.parse::<f64>() {
                        Ok(f) if f.is_finite() && f.abs() < 9.2e18 => Value::Int(f.trunc() as i64),
                        _ => Value::Null,
                    },
                }
            }
            _ if lname == "tointegerornull" => Value::Null,
            v => return Err(bad_value(format!("toInteger() of {}", v.type_name()))),
        },
        "tofloat" | "tofloatornull" => match one(args)? {
            Value::Null => Value::Null,
            Value::Int(i) => Value::Float(i as f64),
            Value::Float(f) => Value::Float(f),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .map(Value::Float)
                .unwrap_or(Value::Null),
            _ if lname == "tofloatornull" => Value::Null,
            v => return Err(bad_value(format!("toFloat() of {}", v.type_name()))),
        },
        "toboolean" | "tobooleanornull" => match one(args)? {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Bool(i != 0),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::Null,
            },
            _ if lname == "tobooleanornull" => Value::Null,
            v => return Err(bad_value(format!("toBoolean() of {}", v.type_name()))),
        },
        "tolower" | "toupper" | "lower" | "upper" | "trim" | "ltrim" | "rtrim" => {
            arity(name, args, 1, 1)?;
            match str_arg(name, &args[0])? {
                None => Value::Null,
                Some(s) => Value::String(match lname {
                    "tolower" | "lower" => s.to_lowercase(),
                    "toupper" | "upper" => s.to_uppercase(),
                    "trim" => s.trim().to_string(),
                    "ltrim" => s.trim_start().to_string(),
                    _ => s.trim_end().to_string(),
                }),
            }
        }
        "replace" => {
            arity(name, args, 3, 3)?;
            match (
                str_arg(name, &args[0])?,
                str_arg(name, &args[1])?,
                str_arg(name, &args[2])?,
            ) {
                (Some(s), Some(a), Some(b)) => Value::String(s.replace(a, b)),
                _ => Value::Null,
            }
        }
        "substring" => {
            arity(name, args, 2, 3)?;
            let Some(s) = str_arg(name, &args[0])? else {
                return Ok(Value::Null);
            };
            let start =
                int_arg(name, &args[1])?.ok_or_else(|| type_err("substring() needs a start"))?;
            let len = match args.get(2) {
                Some(l) => int_arg(name, l)?,
                None => None,
            };
            if start < 0 || len.is_some_and(|l| l < 0) {
                return Err(QueryError::argument(
                    "NumberOutOfRange",
                    "substring() needs non-negative start and length",
                ));
            }
            let it = s.chars().skip(start as usize);
            Value::String(match len {
                Some(l) => it.take(l as usize).collect(),
                None => it.collect(),
            })
        }
        "left" | "right" => {
            arity(name, args, 2, 2)?;
            let Some(s) = str_arg(name, &args[0])? else {
                return Ok(Value::Null);
            };
            let n = int_arg(name, &args[1])?
                .ok_or_else(|| type_err(format!("{name}() needs a length")))?;
            if n < 0 {
                return Err(QueryError::argument(
                    "NumberOutOfRange",
                    format!("{name}() needs a non-negative length"),
                ));
            }
            let count = s.chars().count();
            let n = (n as usize).min(count);
            Value::String(if lname == "left" {
                s.chars().take(n).collect()
            } else {
                s.chars().skip(count - n).collect()
            })
        }
        "split" => {
            arity(name, args, 2, 2)?;
            match (str_arg(name, &args[0])?, str_arg(name, &args[1])?) {
                (Some(s), Some(d)) => {
                    if d.is_empty() {
                        Value::List(s.chars().map(|c| Value::String(c.to_string())).collect())
                    } else {
                        Value::List(s.split(d).map(|p| Value::String(p.to_string())).collect())
                    }
                }
                _ => Value::Null,
            }
        }
        "abs" => match one(args)? {
            Value::Null => Value::Null,
            Value::Int(i) => Value::Int(
                i.checked_abs()
                    .ok_or_else(|| QueryError::argument("NumberOutOfRange", "integer overflow"))?,
            ),
            Value::Float(f) => Value::Float(f.abs()),
            v => return Err(type_err(format!("abs() of {}", v.type_name()))),
        },
        "sign" => match one(args)? {
            Value::Null => Value::Null,
            Value::Int(i) => Value::Int(i.signum()),
            Value::Float(f) => Value::Int(if f > 0.0 {
                1
            } else if f < 0.0 {
                -1
            } else {
                0
            }),
            v => return Err(type_err(format!("sign() of {}", v.type_name()))),
        },
        "ceil" | "floor" | "round" | "sqrt" | "exp" | "log" | "log10" | "sin" | "cos" | "tan"
        | "asin" | "acos" | "atan" | "degrees" | "radians" => {
            arity(name, args, 1, 1)?;
            match num_arg(name, &args[0])? {
                None => Value::Null,
                Some(x) => Value::Float(match lname {
                    "ceil" => x.ceil(),
                    "floor" => x.floor(),
                    // Cypher rounds half up (towards positive infinity).
                    "round" => (x + 0.5).floor(),
                    "sqrt" => x.sqrt(),
                    "exp" => x.exp(),
                    "log" => x.ln(),
                    "log10" => x.log10(),
                    "sin" => x.sin(),
                    "cos" => x.cos(),
                    "tan" => x.tan(),
                    "asin" => x.asin(),
                    "acos" => x.acos(),
                    "atan" => x.atan(),
                    "degrees" => x.to_degrees(),
                    _ => x.to_radians(),
                }),
            }
        }
        "atan2" => {
            arity(name, args, 2, 2)?;
            match (num_arg(name, &args[0])?, num_arg(name, &args[1])?) {
                (Some(y), Some(x)) => Value::Float(y.atan2(x)),
                _ => Value::Null,
            }
        }
        "e" => {
            arity(name, args, 0, 0)?;
            Value::Float(std::f64::consts::E)
        }
        "pi" => {
            arity(name, args, 0, 0)?;
            Value::Float(std::f64::consts::PI)
        }
        "rand" => {
            arity(name, args, 0, 0)?;
            // xorshift64*: good enough for rand(), no dependency.
            let mut x = match ev.rng.get() {
                0 => ev.now.seed(),
                x => x,
            };
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            ev.rng.set(x);
            let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
            Value::Float((r >> 11) as f64 / (1u64 << 53) as f64)
        }
        "timestamp" => {
            arity(name, args, 0, 0)?;
            let ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            Value::Int(ms)
        }
        "valuetype" => Value::String(one(args)?.type_name().to_uppercase()),
        "fdate" => {
            arity(name, args, 1, 1)?;
            match &args[0] {
                Value::Null => Value::Null,
                Value::Date(d) => Value::Date(*d),
                Value::String(s) => Value::Date(
                    FDate::parse(s).map_err(|m| QueryError::argument("InvalidArgumentValue", m))?,
                ),
                Value::Map(m) => Value::Date(date_from_map(m, false)?),
                v => {
                    return Err(type_err(format!(
                        "fdate() of {}, not a string or date",
                        v.type_name()
                    )));
                }
            }
        }
        "precision" => match one(args)? {
            Value::Null => Value::Null,
            Value::Date(d) => Value::String(d.precision.name().into()),
            v => {
                return Err(type_err(format!(
                    "precision() of {}, not a date",
                    v.type_name()
                )));
            }
        },
        _ => {
            // The temporal functions (`date`, `datetime.truncate`, …) share
            // no name with the ones above.
            if let Some(r) = super::temporal_fns::call(lname, name, args, ev.now) {
                return r;
            }
            let mut err =
                QueryError::semantic("UnknownFunction", format!("unknown function {name}()"));
            if let Some(s) = crate::model::names::did_you_mean(lname, NAMES.iter().copied()) {
                err = err.hint(format!("{s}()"));
            }
            return Err(err);
        }
    })
}

fn date_from_map(m: &BTreeMap<String, Value>, _day: bool) -> R<FDate> {
    let get = |k: &str| -> R<Option<i64>> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Int(i)) => Ok(Some(*i)),
            Some(v) => Err(type_err(format!(
                "date field '{k}' must be an integer, not {}",
                v.type_name()
            ))),
        }
    };
    let year = get("year")?
        .ok_or_else(|| QueryError::argument("InvalidArgumentValue", "a date map needs a year"))?;
    let bad = || {
        QueryError::argument(
            "InvalidArgumentValue",
            format!("{} is not a date of the calendar", Value::Map(m.clone())),
        )
    };
    let year = i32::try_from(year).map_err(|_| bad())?;
    let d = match (get("month")?, get("day")?) {
        (None, None) => Some(FDate::year(year)),
        (Some(mo), None) => u8::try_from(mo).ok().and_then(|mo| FDate::month(year, mo)),
        (Some(mo), Some(d)) => match (u8::try_from(mo), u8::try_from(d)) {
            (Ok(mo), Ok(d)) => FDate::day(year, mo, d),
            _ => None,
        },
        (None, Some(_)) => None,
    };
    d.ok_or_else(bad)
}
