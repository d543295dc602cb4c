//! Cypher's temporal functions and operators, bound to
//! [`crate::model::temporal`]: `date()`, `localtime()`, `time()`,
//! `localdatetime()`, `datetime()` and `duration()` from strings, maps and
//! other temporals, their `.truncate`, `.transaction`/`.statement`/
//! `.realtime`, `datetime.fromepoch[millis]`, `duration.between`,
//! `.inMonths`, `.inDays`, `.inSeconds`; component access (`d.week`) and
//! arithmetic (`d + duration`, `duration * 2`).

use std::collections::BTreeMap;

use super::ast::BinOp;
use super::expr::{Clock, R, type_err};
use crate::error::QueryError;
use crate::model::temporal::{
    self, DurFields, Duration, Fields, Kind, Num, Parts, Select, Temporal, Unit,
};
use crate::model::{FDate, Precision, Value};

fn arg_err(msg: impl Into<String>) -> QueryError {
    QueryError::argument("InvalidArgumentValue", msg)
}

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> R<()> {
    if args.len() < min || args.len() > max {
        return Err(QueryError::semantic(
            "InvalidNumberOfArguments",
            format!(
                "{name}() takes {min} to {max} argument(s), got {}",
                args.len()
            ),
        ));
    }
    Ok(())
}

/// Calls a temporal function; `None` when `lname` is not one, so the caller
/// reports the unknown function. `now` is the statement's clock
/// (nanoseconds since the epoch): every call in a statement sees one time.
pub fn call(lname: &str, name: &str, args: &[Value], now: &Clock) -> Option<R<Value>> {
    let (base, member) = match lname.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (lname, None),
    };
    if base == "duration" {
        return match member {
            None => Some(duration_fn(name, args)),
            Some("between") => Some(between(name, args, None)),
            Some("inmonths") => Some(between(name, args, Some(Unit::Months))),
            Some("indays") => Some(between(name, args, Some(Unit::Days))),
            Some("inseconds") => Some(between(name, args, Some(Unit::Nanos))),
            Some(_) => None,
        };
    }
    let kind = Kind::from_name(base)?;
    Some(match member {
        None => construct(kind, name, args, now, false),
        Some("transaction" | "statement" | "realtime") => construct(kind, name, args, now, true),
        Some("truncate") => truncate(kind, name, args),
        Some("fromepoch") if kind == Kind::DateTime => from_epoch(name, args, NS_SEC),
        Some("fromepochmillis") if kind == Kind::DateTime => from_epoch(name, args, 1_000_000),
        Some(_) => return None,
    })
}

const NS_SEC: i128 = 1_000_000_000;

fn construct(kind: Kind, name: &str, args: &[Value], now: &Clock, clock: bool) -> R<Value> {
    arity(name, args, 0, 1)?;
    match args.first() {
        None => temporal::now(kind, now.get(), None).map_err(arg_err),
        Some(Value::Null) => Ok(Value::Null),
        // `date.transaction('Europe/Stockholm')`: now, in that zone.
        Some(Value::String(z)) if clock => temporal::now(kind, now.get(), Some(z)).map_err(arg_err),
        Some(Value::String(s)) => temporal::parse(kind, s).map_err(arg_err),
        Some(Value::Map(m)) => from_map(kind, m, now),
        Some(v) => match parts_of(name, v)? {
            Some(p) => temporal::select(kind, &p).map_err(arg_err),
            None => Ok(Value::Null),
        },
    }
}

/// The components of a date or temporal argument; `None` for null.
fn parts_of(name: &str, v: &Value) -> R<Option<Parts>> {
    match v {
        Value::Null => Ok(None),
        Value::Date(d) => Ok(Some(temporal::date_parts(d.start_days()))),
        Value::Temporal(t) => t
            .parts()
            .map(Some)
            .ok_or_else(|| type_err(format!("{name}() cannot take a duration here"))),
        v => Err(type_err(format!(
            "{name}() needs a temporal value, not {} ({v})",
            v.type_name()
        ))),
    }
}

fn from_map(kind: Kind, m: &BTreeMap<String, Value>, now: &Clock) -> R<Value> {
    if m.len() == 1
        && let Some(z) = m.get("timezone")
    {
        return match z {
            Value::String(z) => temporal::now(kind, now.get(), Some(z)).map_err(arg_err),
            v => Err(type_err(format!(
                "timezone must be a string, not {}",
                v.type_name()
            ))),
        };
    }
    let (sel_parts, fields) = fields_of(m)?;
    let get = |k: &str| sel_parts.iter().find(|(n, _)| n == k).map(|(_, p)| p);
    let sel = Select {
        date: get("date"),
        time: get("time"),
        datetime: get("datetime"),
    };
    temporal::build(kind, &sel, &fields).map_err(arg_err)
}

type Selected = Vec<(String, Parts)>;

fn fields_of(m: &BTreeMap<String, Value>) -> R<(Selected, Fields)> {
    let mut f = Fields::default();
    let mut sel = Vec::new();
    for (k, v) in m {
        match (k.as_str(), v) {
            (_, Value::Null) => {}
            ("date" | "time" | "datetime", v) => {
                if let Some(p) = parts_of(k, v)? {
                    sel.push((k.clone(), p));
                }
            }
            ("timezone", Value::String(z)) => f.timezone = Some(z.clone()),
            ("timezone", v) => {
                return Err(type_err(format!(
                    "timezone must be a string, not {}",
                    v.type_name()
                )));
            }
            (k, v) => {
                let n = match v {
                    Value::Int(i) => *i,
                    Value::Float(x) if x.fract() == 0.0 && x.abs() < 9e18 => *x as i64,
                    v => {
                        return Err(type_err(format!(
                            "temporal field '{k}' must be an integer, not {}",
                            v.type_name()
                        )));
                    }
                };
                if !f.set(k, n) {
                    return Err(arg_err(format!("'{k}' is not a temporal field")));
                }
            }
        }
    }
    Ok((sel, f))
}

fn truncate(kind: Kind, name: &str, args: &[Value]) -> R<Value> {
    arity(name, args, 2, 3)?;
    let unit = match &args[0] {
        Value::String(s) => s.as_str(),
        Value::Null => return Ok(Value::Null),
        v => {
            return Err(type_err(format!(
                "{name}() needs a unit string, not {}",
                v.type_name()
            )));
        }
    };
    let Some(p) = parts_of(name, &args[1])? else {
        return Ok(Value::Null);
    };
    let fields = match args.get(2) {
        None | Some(Value::Null) => Fields::default(),
        Some(Value::Map(m)) => {
            let (sel, f) = fields_of(m)?;
            if !sel.is_empty() {
                return Err(arg_err(format!(
                    "{name}() fields cannot select another value"
                )));
            }
            f
        }
        Some(v) => {
            return Err(type_err(format!(
                "{name}() needs a map of fields, not {}",
                v.type_name()
            )));
        }
    };
    temporal::truncate(kind, unit, &p, &fields).map_err(arg_err)
}

fn from_epoch(name: &str, args: &[Value], unit: i128) -> R<Value> {
    let want = if unit == NS_SEC { 2 } else { 1 };
    arity(name, args, 1, want)?;
    let mut nanos: i128 = 0;
    for (i, a) in args.iter().enumerate() {
        let n = match a {
            Value::Null => return Ok(Value::Null),
            Value::Int(n) => *n as i128,
            v => {
                return Err(type_err(format!(
                    "{name}() needs integers, not {}",
                    v.type_name()
                )));
            }
        };
        nanos += if i == 0 { n * unit } else { n };
    }
    temporal::from_epoch(nanos)
        .map(Value::temporal)
        .map_err(arg_err)
}

fn duration_fn(name: &str, args: &[Value]) -> R<Value> {
    arity(name, args, 1, 1)?;
    let d = match &args[0] {
        Value::Null => return Ok(Value::Null),
        Value::String(s) => temporal::parse_duration(s).map_err(arg_err)?,
        Value::Temporal(t) if matches!(**t, Temporal::Duration(_)) => match **t {
            Temporal::Duration(d) => d,
            _ => return Ok(Value::Null),
        },
        Value::Map(m) => {
            let mut f = DurFields::default();
            for (k, v) in m {
                let n = match v {
                    Value::Null => continue,
                    Value::Int(i) => Num::I(*i),
                    Value::Float(x) => Num::F(*x),
                    v => {
                        return Err(type_err(format!(
                            "duration field '{k}' must be a number, not {}",
                            v.type_name()
                        )));
                    }
                };
                if !f.set(k, n) {
                    return Err(arg_err(format!("'{k}' is not a duration field")));
                }
            }
            temporal::duration_from(&f).map_err(arg_err)?
        }
        v => {
            return Err(type_err(format!(
                "duration() needs a string or map, not {}",
                v.type_name()
            )));
        }
    };
    Ok(Value::temporal(Temporal::Duration(d)))
}

fn between(name: &str, args: &[Value], unit: Option<Unit>) -> R<Value> {
    arity(name, args, 2, 2)?;
    let (Some(a), Some(b)) = (parts_of(name, &args[0])?, parts_of(name, &args[1])?) else {
        return Ok(Value::Null);
    };
    let d = match unit {
        None => temporal::between(&a, &b),
        Some(u) => temporal::between_in(&a, &b, u),
    }
    .map_err(arg_err)?;
    Ok(Value::temporal(Temporal::Duration(d)))
}

/// `t.key` on a temporal value.
pub fn property(t: &Temporal, key: &str) -> R<Value> {
    temporal::component(t, key)
        .ok_or_else(|| arg_err(format!("a {} has no component '{key}'", t.type_name())))
}

/// `d.key` on a date beyond its own fields (year, month, day, precision):
/// `week`, `weekYear`, `quarter`, `dayOfWeek`, `ordinalDay`, ... of a day.
pub fn date_property(d: &FDate, key: &str) -> R<Value> {
    match temporal::date_component(d.start_days(), key) {
        Some(v) if d.precision == Precision::Day => Ok(Value::Int(v)),
        _ => Err(arg_err(format!(
            "a date has no field '{key}' (year, month, day, week, weekYear, quarter, \
             dayOfWeek, ordinalDay, dayOfQuarter, precision, approximate)"
        ))),
    }
}

fn kind_of(v: &Value) -> Option<Kind> {
    Some(match v {
        Value::Date(_) => Kind::Date,
        Value::Temporal(t) => match **t {
            Temporal::LocalTime { .. } => Kind::LocalTime,
            Temporal::Time { .. } => Kind::Time,
            Temporal::LocalDateTime { .. } => Kind::LocalDateTime,
            Temporal::DateTime { .. } => Kind::DateTime,
            Temporal::Duration(_) => return None,
        },
        _ => return None,
    })
}

fn shift(v: &Value, d: &Duration, sign: i64) -> R<Value> {
    let kind = kind_of(v).ok_or_else(|| type_err("not a temporal value"))?;
    let p = parts_of("+", v)?.ok_or_else(|| type_err("null temporal"))?;
    let moved = temporal::add(&p, d, sign).map_err(arg_err)?;
    temporal::finish(kind, &moved).map_err(arg_err)
}

/// `+`, `-`, `*`, `/` where a temporal is involved; `None` leaves the
/// operands to the ordinary rules (and their errors).
pub fn arith(op: BinOp, l: &Value, r: &Value) -> Option<R<Value>> {
    let dur = |d: R<Duration>| d.map(|d| Value::temporal(Temporal::Duration(d)));
    let wrap = |d: Result<Duration, String>| dur(d.map_err(arg_err));
    let dur_of = |v: &Value| match v {
        Value::Temporal(t) => match &**t {
            Temporal::Duration(d) => Some(*d),
            _ => None,
        },
        _ => None,
    };
    Some(match (op, dur_of(l), dur_of(r)) {
        (BinOp::Add, Some(a), Some(b)) => wrap(a.plus(&b)),
        (BinOp::Sub, Some(a), Some(b)) => wrap(b.negate().and_then(|nb| a.plus(&nb))),
        (BinOp::Add, None, Some(d)) if kind_of(l).is_some() => shift(l, &d, 1),
        (BinOp::Add, Some(d), None) if kind_of(r).is_some() => shift(r, &d, 1),
        (BinOp::Sub, None, Some(d)) if kind_of(l).is_some() => shift(l, &d, -1),
        (BinOp::Mul, Some(d), None) | (BinOp::Mul, None, Some(d)) => match (l, r) {
            (Value::Int(k), _) | (_, Value::Int(k)) => wrap(d.times_int(*k)),
            (Value::Float(x), _) | (_, Value::Float(x)) => wrap(d.times_float(*x)),
            _ => return None,
        },
        (BinOp::Div, Some(d), None) => match r {
            Value::Int(k) => wrap(d.divide(*k as f64)),
            Value::Float(x) => wrap(d.divide(*x)),
            _ => return None,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::model::Value;
    use crate::query::{ExecOptions, Params, execute, parse_script};
    use crate::store::Graph;

    /// Runs `RETURN expr` statements and prints the single value as the
    /// TCK would (temporals as their ISO strings).
    fn run(g: &mut Graph, q: &str) -> Result<Vec<String>, String> {
        let script = parse_script(q).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for s in &script.statements {
            let r = execute(g, s, &Params::new(), &ExecOptions::default())
                .map_err(|e| e.to_string())?;
            out = r
                .rows
                .iter()
                .flat_map(|row| row.iter())
                .map(|v| match v {
                    Value::Temporal(t) => t.to_string(),
                    v => v.to_string(),
                })
                .collect();
        }
        Ok(out)
    }

    fn one(q: &str) -> String {
        run(&mut Graph::new(), q).unwrap().join(" | ")
    }

    #[test]
    fn constructors_select_and_convert() {
        assert_eq!(
            one("RETURN datetime({year: 1984, ordinalDay: 202, timezone: 'Europe/Stockholm'})"),
            "1984-07-20T00:00+02:00[Europe/Stockholm]"
        );
        assert_eq!(
            one(
                "WITH time({hour: 12, minute: 31, timezone: '+01:00'}) AS t \
                 RETURN time({time: t, timezone: '+05:00'}), localtime(t)"
            ),
            "16:31+05:00 | 12:31"
        );
        assert_eq!(
            one(
                "RETURN date('2015-W30-2') = fdate('2015-07-21'), date({year: 1984, week: 10}).dayOfWeek"
            ),
            "true | 1"
        );
    }

    #[test]
    fn arithmetic_between_and_truncate() {
        assert_eq!(
            one(
                "RETURN localdatetime('1984-10-11T12:31:14.000000001') + duration('P12Y5M14DT16H13M10.000000002S'), \
                 duration({minutes: 12, seconds: -60}) * 2, duration('PT1H') / 2"
            ),
            "1997-03-26T04:44:24.000000003 | PT22M | PT30M"
        );
        assert_eq!(
            one("RETURN duration.inSeconds(localtime('12:34:56'), localtime('12:44:55.7'))"),
            "PT9M59.7S"
        );
        assert_eq!(
            one(
                "RETURN datetime.truncate('week', localdatetime('1984-10-11T12:31'), {dayOfWeek: 2})"
            ),
            "1984-10-09T00:00Z"
        );
        assert_eq!(
            one("RETURN duration.between(datetime(), datetime()), date.transaction(null)"),
            "PT0S | null"
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let err = |q: &str| run(&mut Graph::new(), q).unwrap_err();
        assert!(err("RETURN date('2015-13-01')").contains("2015-13-01"));
        assert!(err("RETURN datetime({year: 1984, timezone: 'Mars/Base'})").contains("Mars/Base"));
        assert!(err("RETURN duration({days: 'x'})").contains("days"));
        assert!(err("RETURN localtime({hour: 12}).year").contains("year"));
        assert!(err("RETURN duration('P1D') / 0").contains("zero"));
        assert!(err("RETURN date.truncate('fortnight', date('2015-01-01'))").contains("fortnight"));
    }

    #[test]
    fn temporals_compare_and_order() {
        assert_eq!(
            one(
                "UNWIND [datetime('2015-07-21T10:00+02:00'), datetime('2015-07-21T09:30+00:00')] AS d \
                 RETURN d ORDER BY d"
            ),
            "2015-07-21T10:00+02:00 | 2015-07-21T09:30Z"
        );
        assert_eq!(
            one("RETURN duration('P1D') < duration('P2D'), localtime('10:00') < time('11:00')"),
            "null | null"
        );
    }
}
