//! Cypher's temporal types other than the calendar day: `localtime`, `time`
//! (with an offset), `localdatetime`, `datetime` (with an offset or a named
//! time zone) and `duration`. A Cypher `date` is our [`FDate`] at day
//! precision, so `date('2015') = fdate('2015-01-01')`; this module treats it
//! as a day number where it needs one.
//!
//! The semantics follow openCypher as Neo4j implements it (the TCK's
//! reference): ISO 8601 parsing including week and ordinal dates, building
//! from maps with selection from other temporals, truncation, arithmetic with
//! durations, `duration.between` and friends, and printing exactly as the TCK
//! expects (`'2015-07-21T21:40:32.142+01:00'`, `'PT1H30M'`).
//!
//! Calendar arithmetic is our own (proleptic Gregorian, years ±999,999,999);
//! only named time zones go to the tz database bundled by `jiff`, because
//! offsets of zones like `Europe/Stockholm` through history cannot be
//! computed without it.
//!
//! Everything here is pure apart from reading the clock for a `time` in a
//! named zone, whose offset depends on today's date.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};

use super::date::{FDate, civil_from_days, days_from_civil, days_in_month, is_leap};
use super::value::Value;

/// Nanoseconds per second.
pub const NS_SEC: i64 = 1_000_000_000;
/// Nanoseconds per day.
pub const NS_DAY: i64 = 86_400 * NS_SEC;
const NS_HOUR: i64 = 3_600 * NS_SEC;
const NS_MIN: i64 = 60 * NS_SEC;
/// The average month (a 400-year cycle / 4800) that fractional months
/// become, in seconds, as Cypher defines it.
const AVG_SECONDS_PER_MONTH: i64 = 2_629_746;
/// The calendar range Cypher supports.
const MAX_YEAR: i64 = 999_999_999;

type Res<T> = Result<T, String>;

/// A duration: months, days and seconds are kept apart because their
/// lengths vary (a month is 28 to 31 days, a day 23 to 25 hours across a
/// daylight saving change). `nanos` is always in `0..1e9`; the sign of a
/// sub-second duration lives in `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    pub months: i64,
    pub days: i64,
    pub seconds: i64,
    pub nanos: i32,
}

/// A temporal value other than a date. Equality (derived) is Cypher's `=`:
/// same local fields, same offset, same zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Temporal {
    /// Nanoseconds since midnight.
    LocalTime {
        nanos: i64,
    },
    /// Nanoseconds since midnight and an offset from UTC in seconds.
    Time {
        nanos: i64,
        offset: i32,
    },
    /// Days since 1970-01-01 and nanoseconds since midnight.
    LocalDateTime {
        days: i64,
        nanos: i64,
    },
    /// Local date and time, the offset in force there, and the named zone
    /// when there is one (`None`: a fixed offset).
    DateTime {
        days: i64,
        nanos: i64,
        offset: i32,
        zone: Option<String>,
    },
    Duration(Duration),
}

/// The kinds of temporal a constructor function builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
}

impl Kind {
    /// The kind a Cypher function name constructs.
    pub fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "date" => Kind::Date,
            "localtime" => Kind::LocalTime,
            "time" => Kind::Time,
            "localdatetime" => Kind::LocalDateTime,
            "datetime" => Kind::DateTime,
            _ => return None,
        })
    }
    /// The constructor function's name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Date => "date",
            Kind::LocalTime => "localtime",
            Kind::Time => "time",
            Kind::LocalDateTime => "localdatetime",
            Kind::DateTime => "datetime",
        }
    }
    fn has_date(self) -> bool {
        matches!(self, Kind::Date | Kind::LocalDateTime | Kind::DateTime)
    }
    fn has_time(self) -> bool {
        !matches!(self, Kind::Date)
    }
    fn has_zone(self) -> bool {
        matches!(self, Kind::Time | Kind::DateTime)
    }
}

/// A time zone: a fixed offset in seconds or a tz database name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tz {
    Fixed(i32),
    Named(String),
}

/// The components of any date or temporal (not a duration), for selecting,
/// truncating and computing differences. `offset` is set whenever `tz` is:
/// for a named zone it is the offset in force at that date and time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parts {
    pub date: Option<i64>,
    pub time: Option<i64>,
    pub tz: Option<Tz>,
    pub offset: Option<i32>,
}

/// The fields of a construction map (`{year: 1984, week: 10, ...}`), already
/// checked to be integers. `None` is absent.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub year: Option<i64>,
    pub month: Option<i64>,
    pub day: Option<i64>,
    pub week: Option<i64>,
    pub day_of_week: Option<i64>,
    pub quarter: Option<i64>,
    pub day_of_quarter: Option<i64>,
    pub ordinal_day: Option<i64>,
    pub hour: Option<i64>,
    pub minute: Option<i64>,
    pub second: Option<i64>,
    pub millisecond: Option<i64>,
    pub microsecond: Option<i64>,
    pub nanosecond: Option<i64>,
    pub timezone: Option<String>,
}

impl Fields {
    /// Sets a field by its Cypher name; false for a name that is no field.
    pub fn set(&mut self, key: &str, v: i64) -> bool {
        let slot = match key {
            "year" => &mut self.year,
            "month" => &mut self.month,
            "day" => &mut self.day,
            "week" => &mut self.week,
            "dayOfWeek" | "weekDay" => &mut self.day_of_week,
            "quarter" => &mut self.quarter,
            "dayOfQuarter" => &mut self.day_of_quarter,
            "ordinalDay" => &mut self.ordinal_day,
            "hour" => &mut self.hour,
            "minute" => &mut self.minute,
            "second" => &mut self.second,
            "millisecond" => &mut self.millisecond,
            "microsecond" => &mut self.microsecond,
            "nanosecond" => &mut self.nanosecond,
            _ => return false,
        };
        *slot = Some(v);
        true
    }
    fn has_date_fields(&self) -> bool {
        [
            self.year,
            self.month,
            self.day,
            self.week,
            self.day_of_week,
            self.quarter,
            self.day_of_quarter,
            self.ordinal_day,
        ]
        .iter()
        .any(Option::is_some)
    }
    fn has_time_fields(&self) -> bool {
        [
            self.hour,
            self.minute,
            self.second,
            self.millisecond,
            self.microsecond,
            self.nanosecond,
        ]
        .iter()
        .any(Option::is_some)
    }
}

/// A number given to `duration({...})`: integers stay exact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    I(i64),
    F(f64),
}

impl Num {
    fn f(self) -> f64 {
        match self {
            Num::I(i) => i as f64,
            Num::F(f) => f,
        }
    }
}

/// The fields of a duration map (`{days: 14, hours: 16}`).
#[derive(Debug, Clone, Copy, Default)]
pub struct DurFields {
    pub years: Option<Num>,
    pub quarters: Option<Num>,
    pub months: Option<Num>,
    pub weeks: Option<Num>,
    pub days: Option<Num>,
    pub hours: Option<Num>,
    pub minutes: Option<Num>,
    pub seconds: Option<Num>,
    pub milliseconds: Option<Num>,
    pub microseconds: Option<Num>,
    pub nanoseconds: Option<Num>,
}

impl DurFields {
    /// Sets a field by its Cypher name; false for a name that is no field.
    pub fn set(&mut self, key: &str, v: Num) -> bool {
        let slot = match key {
            "years" => &mut self.years,
            "quarters" => &mut self.quarters,
            "months" => &mut self.months,
            "weeks" => &mut self.weeks,
            "days" => &mut self.days,
            "hours" => &mut self.hours,
            "minutes" => &mut self.minutes,
            "seconds" => &mut self.seconds,
            "milliseconds" => &mut self.milliseconds,
            "microseconds" => &mut self.microseconds,
            "nanoseconds" => &mut self.nanoseconds,
            _ => return false,
        };
        *slot = Some(v);
        true
    }
}

// ---- calendar ---------------------------------------------------------------

fn ymd(days: i64) -> (i64, i64, i64) {
    let (y, m, d) = civil_from_days(days);
    (y as i64, m as i64, d as i64)
}

fn civil(y: i64, m: i64, d: i64) -> i64 {
    days_from_civil(y as i32, m as u8, d as u8)
}

fn check_year(y: i64) -> Res<()> {
    if (-MAX_YEAR..=MAX_YEAR).contains(&y) {
        Ok(())
    } else {
        Err(format!(
            "year {y} is out of range (-{MAX_YEAR} to {MAX_YEAR})"
        ))
    }
}

fn check_days(days: i64) -> Res<i64> {
    // Day numbers of -999999999-01-01 and +999999999-12-31.
    const MIN_DAYS: i64 = -365_243_219_162;
    const MAX_DAYS: i64 = 365_241_780_471;
    if (MIN_DAYS..=MAX_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err("the date is out of range (years -999999999 to 999999999)".into())
    }
}

/// ISO day of week, Monday = 1 .. Sunday = 7.
pub fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7) + 1
}

/// The Monday that starts week 1 of an ISO week-based year.
fn week_one(week_year: i64) -> i64 {
    let jan4 = civil(week_year, 1, 4);
    jan4 - (weekday(jan4) - 1)
}

/// ISO week-based year and week of a day.
pub fn week_of(days: i64) -> (i64, i64) {
    let (y, _, _) = ymd(days);
    let wy = if days >= week_one(y + 1) {
        y + 1
    } else if days < week_one(y) {
        y - 1
    } else {
        y
    };
    (wy, (days - week_one(wy)) / 7 + 1)
}

fn weeks_in(week_year: i64) -> i64 {
    (week_one(week_year + 1) - week_one(week_year)) / 7
}

fn quarter_start(y: i64, q: i64) -> i64 {
    civil(y, (q - 1) * 3 + 1, 1)
}

fn in_range(what: &str, v: i64, lo: i64, hi: i64) -> Res<i64> {
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{what} must be in {lo}..{hi}, not {v}"))
    }
}

/// Adds months to a day, clamping the day of month (Jan 31 + 1 month = Feb 28).
fn plus_months(days: i64, months: i64) -> Res<i64> {
    if months == 0 {
        return Ok(days);
    }
    let (y, m, d) = ymd(days);
    let total = (y * 12 + m - 1)
        .checked_add(months)
        .ok_or("date arithmetic overflows")?;
    let ny = total.div_euclid(12);
    let nm = total.rem_euclid(12) + 1;
    check_year(ny)?;
    let nd = d.min(days_in_month(ny as i32, nm as u8) as i64);
    Ok(civil(ny, nm, nd))
}

// ---- time zones -------------------------------------------------------------

fn jiff_zone(name: &str) -> Res<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(name).map_err(|_| format!("unknown time zone '{name}'"))
}

/// The offset of a zone at an instant (nanoseconds since the epoch, UTC).
fn zone_offset_at(name: &str, instant: i128) -> Res<i32> {
    let tz = jiff_zone(name)?;
    let secs = instant.div_euclid(NS_SEC as i128);
    let ts = if secs < jiff::Timestamp::MIN.as_second() as i128 {
        jiff::Timestamp::MIN
    } else if secs > jiff::Timestamp::MAX.as_second() as i128 {
        jiff::Timestamp::MAX
    } else {
        jiff::Timestamp::new(secs as i64, 0).map_err(|e| e.to_string())?
    };
    Ok(tz.to_offset(ts).seconds())
}

/// Resolves a local date and time in a named zone the way Java's
/// `ZonedDateTime.ofLocal` does: in a gap the time moves forward by the
/// gap's length; in an overlap the preferred offset wins if valid, else the
/// earlier one.
fn resolve_local(name: &str, days: i64, nanos: i64, pref: Option<i32>) -> Res<(i64, i64, i32)> {
    use jiff::tz::AmbiguousOffset;
    let tz = jiff_zone(name)?;
    let (y, m, d) = ymd(days);
    if !(-9998..=9998).contains(&y) {
        // Outside the tz database's range every zone keeps its outermost offset.
        let edge = if y < 0 { i64::MIN / 4 } else { i64::MAX / 4 };
        let off = zone_offset_at(name, edge as i128)?;
        return Ok((days, nanos, off));
    }
    let t = split_time(nanos);
    let dt = jiff::civil::DateTime::new(
        y as i16, m as i8, d as i8, t.0 as i8, t.1 as i8, t.2 as i8, t.3 as i32,
    )
    .map_err(|e| e.to_string())?;
    Ok(match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => (days, nanos, offset.seconds()),
        AmbiguousOffset::Gap { before, after } => {
            let inst = instant(days, nanos, before.seconds());
            let (dd, nn) = local_of(inst, after.seconds());
            (dd, nn, after.seconds())
        }
        AmbiguousOffset::Fold { before, after } => {
            let off = if pref == Some(after.seconds()) {
                after.seconds()
            } else {
                before.seconds()
            };
            (days, nanos, off)
        }
    })
}

/// Nanoseconds since the epoch of a local date-time at an offset.
fn instant(days: i64, nanos: i64, offset: i32) -> i128 {
    days as i128 * NS_DAY as i128 + nanos as i128 - offset as i128 * NS_SEC as i128
}

fn local_of(instant: i128, offset: i32) -> (i64, i64) {
    let local = instant + offset as i128 * NS_SEC as i128;
    (
        local.div_euclid(NS_DAY as i128) as i64,
        local.rem_euclid(NS_DAY as i128) as i64,
    )
}

/// The offset of a zone when only a time of day is known: the offset in
/// force now.
fn offset_now(tz: &Tz) -> Res<i32> {
    match tz {
        Tz::Fixed(o) => Ok(*o),
        Tz::Named(n) => {
            let tz = jiff_zone(n)?;
            Ok(tz.to_offset(jiff::Timestamp::now()).seconds())
        }
    }
}

/// Parses `Z`, `+01:00`, `+0100`, `+01`, `-02:05:07` or a zone name.
pub fn parse_tz(s: &str) -> Res<Tz> {
    if let Some(o) = parse_offset(s) {
        return Ok(Tz::Fixed(o?));
    }
    jiff_zone(s)?;
    Ok(Tz::Named(s.to_string()))
}

/// `None` if `s` does not look like an offset at all.
fn parse_offset(s: &str) -> Option<Res<i32>> {
    if s == "Z" || s == "z" {
        return Some(Ok(0));
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &s[1..];
    let bad = || format!("'{s}' is not a time zone offset");
    let digits: String = body.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4 | 6) {
        return Some(Err(bad()));
    }
    let num = |i: usize| digits[i..i + 2].parse::<i32>().unwrap_or(99);
    let h = num(0);
    let m = if digits.len() >= 4 { num(2) } else { 0 };
    let sec = if digits.len() == 6 { num(4) } else { 0 };
    if h > 18 || m > 59 || sec > 59 || (h == 18 && (m > 0 || sec > 0)) {
        return Some(Err(bad()));
    }
    Some(Ok(sign * (h * 3600 + m * 60 + sec)))
}

// ---- printing ---------------------------------------------------------------

/// Writes a day as ISO 8601 the way Java prints it: four-digit years,
/// `+` before years above 9999, `-` before negative years.
pub fn write_date(days: i64, out: &mut impl fmt::Write) -> fmt::Result {
    let (y, m, d) = ymd(days);
    if y.abs() < 1000 {
        if y < 0 {
            write!(out, "-{:04}", -y)?;
        } else {
            write!(out, "{y:04}")?;
        }
    } else if y > 9999 {
        write!(out, "+{y}")?;
    } else {
        write!(out, "{y}")?;
    }
    write!(out, "-{m:02}-{d:02}")
}

/// The ISO string of a Cypher date.
pub fn date_string(days: i64) -> String {
    let mut s = String::new();
    let _ = write_date(days, &mut s);
    s
}

fn split_time(nanos: i64) -> (i64, i64, i64, i64) {
    let s = nanos / NS_SEC;
    (s / 3600, s / 60 % 60, s % 60, nanos % NS_SEC)
}

fn write_time(nanos: i64, out: &mut impl fmt::Write) -> fmt::Result {
    let (h, m, s, n) = split_time(nanos);
    write!(out, "{h:02}:{m:02}")?;
    if s > 0 || n > 0 {
        write!(out, ":{s:02}")?;
        if n > 0 {
            if n % 1_000_000 == 0 {
                write!(out, ".{:03}", n / 1_000_000)?;
            } else if n % 1000 == 0 {
                write!(out, ".{:06}", n / 1000)?;
            } else {
                write!(out, ".{n:09}")?;
            }
        }
    }
    Ok(())
}

fn write_offset(offset: i32, out: &mut impl fmt::Write) -> fmt::Result {
    if offset == 0 {
        return out.write_char('Z');
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.abs();
    write!(out, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60)?;
    if a % 60 != 0 {
        write!(out, ":{:02}", a % 60)?;
    }
    Ok(())
}

fn offset_string(offset: i32) -> String {
    let mut s = String::new();
    let _ = write_offset(offset, &mut s);
    s
}

impl fmt::Display for Duration {
    /// ISO 8601 as Cypher prints it: `P1Y2M10DT12H45M30.142S`, `PT0S`,
    /// negative components signed one by one (`PT-1M-0.001S`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::from("P");
        let part = |s: &mut String, v: i64, unit: char| {
            if v != 0 {
                let _ = write!(s, "{v}{unit}");
            }
        };
        part(&mut s, self.months / 12, 'Y');
        part(&mut s, self.months % 12, 'M');
        part(&mut s, self.days, 'D');
        if self.seconds != 0 || self.nanos != 0 {
            let mut secs = self.seconds;
            let mut n = self.nanos as i64;
            if secs < 0 && n != 0 {
                secs += 1;
                n -= NS_SEC;
            }
            s.push('T');
            part(&mut s, secs / 3600, 'H');
            part(&mut s, secs % 3600 / 60, 'M');
            let sec = secs % 60;
            if sec != 0 || n != 0 {
                if sec == 0 && n < 0 {
                    s.push('-');
                }
                let _ = write!(s, "{sec}");
                if n != 0 {
                    let frac = format!("{:09}", n.abs());
                    let _ = write!(s, ".{}", frac.trim_end_matches('0'));
                }
                s.push('S');
            }
        }
        if s.len() == 1 {
            s.push_str("T0S");
        }
        f.write_str(&s)
    }
}

impl fmt::Display for Temporal {
    /// The ISO string the TCK expects (`toString()` of the value).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Temporal::LocalTime { nanos } => write_time(*nanos, f),
            Temporal::Time { nanos, offset } => {
                write_time(*nanos, f)?;
                write_offset(*offset, f)
            }
            Temporal::LocalDateTime { days, nanos } => {
                write_date(*days, f)?;
                f.write_char('T')?;
                write_time(*nanos, f)
            }
            Temporal::DateTime {
                days,
                nanos,
                offset,
                zone,
            } => {
                write_date(*days, f)?;
                f.write_char('T')?;
                write_time(*nanos, f)?;
                write_offset(*offset, f)?;
                if let Some(z) = zone {
                    write!(f, "[{z}]")?;
                }
                Ok(())
            }
            Temporal::Duration(d) => write!(f, "{d}"),
        }
    }
}

impl Temporal {
    /// The Cypher function that constructs this kind of value.
    pub fn function_name(&self) -> &'static str {
        match self {
            Temporal::LocalTime { .. } => "localtime",
            Temporal::Time { .. } => "time",
            Temporal::LocalDateTime { .. } => "localdatetime",
            Temporal::DateTime { .. } => "datetime",
            Temporal::Duration(_) => "duration",
        }
    }
    /// The type name as Cypher's error messages spell it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Temporal::LocalTime { .. } => "LocalTime",
            Temporal::Time { .. } => "Time",
            Temporal::LocalDateTime { .. } => "LocalDateTime",
            Temporal::DateTime { .. } => "DateTime",
            Temporal::Duration(_) => "Duration",
        }
    }
    /// The value's components; `None` for a duration.
    pub fn parts(&self) -> Option<Parts> {
        Some(match self {
            Temporal::LocalTime { nanos } => Parts {
                time: Some(*nanos),
                ..Parts::default()
            },
            Temporal::Time { nanos, offset } => Parts {
                time: Some(*nanos),
                tz: Some(Tz::Fixed(*offset)),
                offset: Some(*offset),
                date: None,
            },
            Temporal::LocalDateTime { days, nanos } => Parts {
                date: Some(*days),
                time: Some(*nanos),
                ..Parts::default()
            },
            Temporal::DateTime {
                days,
                nanos,
                offset,
                zone,
            } => Parts {
                date: Some(*days),
                time: Some(*nanos),
                tz: Some(match zone {
                    Some(z) => Tz::Named(z.clone()),
                    None => Tz::Fixed(*offset),
                }),
                offset: Some(*offset),
            },
            Temporal::Duration(_) => return None,
        })
    }
    fn kind_rank(&self) -> u8 {
        match self {
            Temporal::LocalTime { .. } => 0,
            Temporal::Time { .. } => 1,
            Temporal::LocalDateTime { .. } => 2,
            Temporal::DateTime { .. } => 3,
            Temporal::Duration(_) => 4,
        }
    }
    /// The key that orders values of one kind: the instant for zoned values.
    fn order_key(&self) -> (i128, i128) {
        match self {
            Temporal::LocalTime { nanos } => (*nanos as i128, 0),
            Temporal::Time { nanos, offset } => (instant(0, *nanos, *offset), *offset as i128),
            Temporal::LocalDateTime { days, nanos } => (instant(*days, *nanos, 0), 0),
            Temporal::DateTime {
                days,
                nanos,
                offset,
                ..
            } => (instant(*days, *nanos, *offset), *offset as i128),
            Temporal::Duration(d) => (
                d.months as i128 * AVG_SECONDS_PER_MONTH as i128 * NS_SEC as i128
                    + d.days as i128 * NS_DAY as i128
                    + d.seconds as i128 * NS_SEC as i128
                    + d.nanos as i128,
                0,
            ),
        }
    }
}

/// `a < b` and friends: values of the same kind compare (zoned ones by
/// instant); durations and mixed kinds are incomparable (`None`).
pub fn compare(a: &Temporal, b: &Temporal) -> Option<Ordering> {
    if a.kind_rank() != b.kind_rank() || matches!(a, Temporal::Duration(_)) {
        return None;
    }
    Some(a.order_key().0.cmp(&b.order_key().0))
}

/// The total order of ORDER BY: by kind, then chronologically.
pub fn order(a: &Temporal, b: &Temporal) -> Ordering {
    a.kind_rank()
        .cmp(&b.kind_rank())
        .then_with(|| a.order_key().cmp(&b.order_key()))
        .then_with(|| a.to_string().cmp(&b.to_string()))
}

// ---- durations --------------------------------------------------------------

impl Duration {
    /// Normalises seconds and nanoseconds; errors past the i64 range.
    pub fn new(months: i64, days: i64, nanos: i128) -> Res<Duration> {
        let secs = nanos.div_euclid(NS_SEC as i128);
        let seconds = i64::try_from(secs).map_err(|_| "duration is out of range".to_string())?;
        Ok(Duration {
            months,
            days,
            seconds,
            nanos: nanos.rem_euclid(NS_SEC as i128) as i32,
        })
    }
    fn total_nanos(&self) -> i128 {
        self.seconds as i128 * NS_SEC as i128 + self.nanos as i128
    }
    /// `a + b`.
    pub fn plus(&self, o: &Duration) -> Res<Duration> {
        let ov = || "duration arithmetic overflows".to_string();
        Duration::new(
            self.months.checked_add(o.months).ok_or_else(ov)?,
            self.days.checked_add(o.days).ok_or_else(ov)?,
            self.total_nanos() + o.total_nanos(),
        )
    }
    /// `-a`.
    pub fn negate(&self) -> Res<Duration> {
        let ov = || "duration arithmetic overflows".to_string();
        Duration::new(
            self.months.checked_neg().ok_or_else(ov)?,
            self.days.checked_neg().ok_or_else(ov)?,
            -self.total_nanos(),
        )
    }
    /// `a * n` for an integer: exact.
    pub fn times_int(&self, k: i64) -> Res<Duration> {
        let ov = || "duration arithmetic overflows".to_string();
        Duration::new(
            self.months.checked_mul(k).ok_or_else(ov)?,
            self.days.checked_mul(k).ok_or_else(ov)?,
            self.total_nanos().checked_mul(k as i128).ok_or_else(ov)?,
        )
    }
    /// `a * x` for a float: fractions of months and days cascade into the
    /// smaller units, as for `duration({months: 0.5})`.
    pub fn times_float(&self, x: f64) -> Res<Duration> {
        approximate(
            self.months as f64 * x,
            self.days as f64 * x,
            self.seconds as f64 * x,
            self.nanos as f64 * x,
        )
    }
    /// `a / x`.
    pub fn divide(&self, x: f64) -> Res<Duration> {
        if x == 0.0 {
            return Err("division of a duration by zero".into());
        }
        approximate(
            self.months as f64 / x,
            self.days as f64 / x,
            self.seconds as f64 / x,
            self.nanos as f64 / x,
        )
    }
    /// A component such as `years`, `minutesOfHour` or `nanosecondsOfSecond`.
    pub fn component(&self, key: &str) -> Option<i64> {
        let (m, d, s, n) = (self.months, self.days, self.seconds, self.nanos as i64);
        Some(match key {
            "years" => m / 12,
            "quarters" => m / 3,
            "months" => m,
            "weeks" => d / 7,
            "days" => d,
            "hours" => s / 3600,
            "minutes" => s / 60,
            "seconds" => s,
            "milliseconds" => s.checked_mul(1000)?.checked_add(n / 1_000_000)?,
            "microseconds" => s.checked_mul(1_000_000)?.checked_add(n / 1000)?,
            "nanoseconds" => s.checked_mul(NS_SEC)?.checked_add(n)?,
            "quartersOfYear" => m % 12 / 3,
            "monthsOfQuarter" => m % 3,
            "monthsOfYear" => m % 12,
            "daysOfWeek" => d % 7,
            "minutesOfHour" => s / 60 % 60,
            "secondsOfMinute" => s % 60,
            "millisecondsOfSecond" => n / 1_000_000,
            "microsecondsOfSecond" => n / 1000,
            "nanosecondsOfSecond" => n,
            _ => return None,
        })
    }
}

/// Rounds a nanosecond count that floating point left a hair off an
/// integer; truncates a real fraction of a nanosecond (as Cypher does).
fn whole_nanos(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() < 1e-3 { r } else { x.trunc() }
}

fn approximate(months: f64, days: f64, seconds: f64, nanos: f64) -> Res<Duration> {
    let finite = [months, days, seconds, nanos].iter().all(|x| x.is_finite());
    let lim = 9.2e18;
    if !finite || months.abs() > lim || days.abs() > lim || seconds.abs() > lim {
        return Err("duration is out of range".into());
    }
    let m = months.trunc();
    let mut rem = (months - m) * (AVG_SECONDS_PER_MONTH * NS_SEC) as f64;
    let d0 = days.trunc();
    rem += (days - d0) * NS_DAY as f64;
    let extra_days = (rem / NS_DAY as f64).trunc();
    rem -= extra_days * NS_DAY as f64;
    let s0 = seconds.trunc();
    rem += (seconds - s0) * NS_SEC as f64 + nanos;
    let total = s0 as i128 * NS_SEC as i128 + whole_nanos(rem) as i128;
    Duration::new(m as i64, (d0 + extra_days) as i64, total)
}

/// Builds a duration from a map's fields. All integers: exact; otherwise
/// fractions cascade down (a month is 2,629,746 seconds, a day 86,400).
pub fn duration_from(f: &DurFields) -> Res<Duration> {
    let all = [
        f.years,
        f.quarters,
        f.months,
        f.weeks,
        f.days,
        f.hours,
        f.minutes,
        f.seconds,
        f.milliseconds,
        f.microseconds,
        f.nanoseconds,
    ];
    let ints = all.iter().all(|v| !matches!(v, Some(Num::F(_))));
    if ints {
        let i = |v: Option<Num>| match v {
            Some(Num::I(i)) => i as i128,
            _ => 0,
        };
        let months = 12 * i(f.years) + 3 * i(f.quarters) + i(f.months);
        let days = 7 * i(f.weeks) + i(f.days);
        let nanos = (3600 * i(f.hours) + 60 * i(f.minutes) + i(f.seconds)) * NS_SEC as i128
            + 1_000_000 * i(f.milliseconds)
            + 1000 * i(f.microseconds)
            + i(f.nanoseconds);
        let months = i64::try_from(months).map_err(|_| "duration is out of range")?;
        let days = i64::try_from(days).map_err(|_| "duration is out of range")?;
        return Duration::new(months, days, nanos);
    }
    let x = |v: Option<Num>| v.map(Num::f).unwrap_or(0.0);
    approximate(
        12.0 * x(f.years) + 3.0 * x(f.quarters) + x(f.months),
        7.0 * x(f.weeks) + x(f.days),
        3600.0 * x(f.hours) + 60.0 * x(f.minutes) + x(f.seconds),
        1e6 * x(f.milliseconds) + 1e3 * x(f.microseconds) + x(f.nanoseconds),
    )
}

/// Parses `P14DT16H12M`, `P5M1.5D`, `PT-1M-0.001S`, `P2.5W`, or the
/// alternative form `P2012-02-02T14:37:21.545`.
pub fn parse_duration(s: &str) -> Res<Duration> {
    let bad = || format!("'{s}' is not a duration (ISO 8601, like 'P1Y2M10DT12H45M30.142S')");
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let body = t
        .strip_prefix('P')
        .or_else(|| t.strip_prefix('p'))
        .ok_or_else(bad)?;
    if body.is_empty() {
        return Err(bad());
    }
    let alt = body.len() > 4
        && body.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && body.as_bytes()[4] == b'-';
    let d = if alt {
        parse_alt_duration(body).ok_or_else(bad)?
    } else {
        let mut f = DurFields::default();
        let (date_part, time_part) = match body.split_once(['T', 't']) {
            Some((a, b)) => {
                if b.is_empty() {
                    return Err(bad());
                }
                (a, Some(b))
            }
            None => (body, None),
        };
        let mut sub_nanos: i64 = 0;
        for (part, units) in [(date_part, "YMWD"), (time_part.unwrap_or(""), "HMS")] {
            let mut rest = part;
            let mut last = 0;
            while !rest.is_empty() {
                let end = rest
                    .find(|c: char| c.is_ascii_alphabetic())
                    .ok_or_else(bad)?;
                let (num, tail) = rest.split_at(end);
                let unit = tail.chars().next().ok_or_else(bad)?.to_ascii_uppercase();
                let pos = units.find(unit).ok_or_else(bad)?;
                if pos < last {
                    return Err(bad());
                }
                last = pos + 1;
                rest = &tail[1..];
                let (int, frac_nanos, value) = parse_decimal(num).ok_or_else(bad)?;
                let key = match (units, unit) {
                    ("YMWD", 'Y') => "years",
                    ("YMWD", 'M') => "months",
                    ("YMWD", 'W') => "weeks",
                    ("YMWD", _) => "days",
                    (_, 'H') => "hours",
                    (_, 'M') => "minutes",
                    _ => "seconds",
                };
                if key == "seconds" {
                    f.set(key, Num::I(int));
                    sub_nanos = frac_nanos;
                } else if frac_nanos != 0 {
                    f.set(key, Num::F(value));
                } else {
                    f.set(key, Num::I(int));
                }
            }
        }
        if sub_nanos != 0 {
            f.nanoseconds = Some(Num::I(sub_nanos));
        }
        duration_from(&f)?
    };
    if neg { d.negate() } else { Ok(d) }
}

/// `-12.5` → (-12, -500000000 nanos, -12.5).
fn parse_decimal(s: &str) -> Option<(i64, i64, f64)> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = match body.split_once(['.', ',']) {
        Some((a, b)) => (a, b),
        None => (body, ""),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
        return None;
    }
    let i: i64 = int.parse().ok()?;
    let n: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    let value: f64 = format!("{int}.{}", if frac.is_empty() { "0" } else { frac })
        .parse()
        .ok()?;
    Some(if neg { (-i, -n, -value) } else { (i, n, value) })
}

fn parse_alt_duration(body: &str) -> Option<Duration> {
    let (date, time) = match body.split_once('T') {
        Some((a, b)) => (a, Some(b)),
        None => (body, None),
    };
    let ds: Vec<&str> = date.split('-').collect();
    let [y, m, d] = ds.as_slice() else {
        return None;
    };
    let num = |s: &str| -> Option<i64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let mut f = DurFields {
        years: Some(Num::I(num(y)?)),
        months: Some(Num::I(num(m)?)),
        days: Some(Num::I(num(d)?)),
        ..DurFields::default()
    };
    if let Some(t) = time {
        let ts: Vec<&str> = t.split(':').collect();
        let [h, mi, s] = ts.as_slice() else {
            return None;
        };
        let (si, sn, _) = parse_decimal(s)?;
        f.hours = Some(Num::I(num(h)?));
        f.minutes = Some(Num::I(num(mi)?));
        f.seconds = Some(Num::I(si));
        f.nanoseconds = Some(Num::I(sn));
    }
    duration_from(&f).ok()
}

// ---- parsing dates and times --------------------------------------------------

fn digits_at(s: &str, n: usize) -> Option<i64> {
    let p = s.get(..n)?;
    if p.bytes().all(|b| b.is_ascii_digit()) {
        p.parse().ok()
    } else {
        None
    }
}

/// Parses the ISO date forms Cypher accepts: `2015-07-21`, `20150721`,
/// `2015-07`, `201507`, `2015-W30-2`, `2015W302`, `2015-W30`, `2015W30`,
/// `2015-202`, `2015202`, `2015`, and signed years like `+999999999-12-31`.
pub fn parse_date(s: &str) -> Res<i64> {
    let bad = || format!("'{s}' is not a date (like '2015-07-21', '2015-W30-2' or '2015-202')");
    let (year, rest) = match s.as_bytes().first() {
        Some(b'+' | b'-') => {
            let end = s[1..]
                .find(|c: char| !c.is_ascii_digit())
                .map(|i| i + 1)
                .unwrap_or(s.len());
            if end < 2 {
                return Err(bad());
            }
            let y: i64 = s[1..end].parse().map_err(|_| bad())?;
            (if s.starts_with('-') { -y } else { y }, &s[end..])
        }
        _ => (digits_at(s, 4).ok_or_else(bad)?, &s[4..]),
    };
    check_year(year)?;
    let f = |fields: Fields| resolve_date(None, &fields);
    let base = Fields {
        year: Some(year),
        ..Fields::default()
    };
    let (dash, r) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() {
        return f(base);
    }
    if r.is_empty() {
        return Err(bad());
    }
    if let Some(w) = r.strip_prefix('W') {
        let week = digits_at(w, 2).ok_or_else(bad)?;
        let after = &w[2..];
        let dow = match (dash, after) {
            (_, "") => None,
            (true, a) => Some(
                a.strip_prefix('-')
                    .filter(|x| x.len() == 1)
                    .and_then(|x| digits_at(x, 1))
                    .ok_or_else(bad)?,
            ),
            (false, a) if a.len() == 1 => Some(digits_at(a, 1).ok_or_else(bad)?),
            _ => return Err(bad()),
        };
        return f(Fields {
            week: Some(week),
            day_of_week: Some(dow.unwrap_or(1)),
            ..base
        });
    }
    if !r.bytes().all(|b| b.is_ascii_digit() || (dash && b == b'-')) {
        return Err(bad());
    }
    match (dash, r.len()) {
        (_, 2) => f(Fields {
            month: digits_at(r, 2),
            ..base
        }),
        (_, 3) => f(Fields {
            ordinal_day: digits_at(r, 3),
            ..base
        }),
        (false, 4) => f(Fields {
            month: digits_at(r, 2),
            day: digits_at(&r[2..], 2),
            ..base
        }),
        (true, 5) if r.as_bytes()[2] == b'-' => f(Fields {
            month: digits_at(r, 2),
            day: digits_at(&r[3..], 2),
            ..base
        }),
        _ => Err(bad()),
    }
}

/// Parses `21:40:32.142`, `214032.142`, `21:40`, `2140`, `21` into
/// nanoseconds since midnight.
pub fn parse_local_time(s: &str) -> Res<i64> {
    let bad = || format!("'{s}' is not a time (like '21:40:32.142')");
    let (main, frac) = match s.split_once(['.', ',']) {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    if !main.is_ascii() {
        return Err(bad());
    }
    let colons = main.contains(':');
    let parts: Vec<i64> = if colons {
        main.split(':')
            .map(|p| if p.len() == 2 { digits_at(p, 2) } else { None })
            .collect::<Option<_>>()
            .ok_or_else(bad)?
    } else {
        if main.len() % 2 != 0 || main.len() > 6 || main.is_empty() {
            return Err(bad());
        }
        (0..main.len() / 2)
            .map(|i| digits_at(&main[i * 2..], 2))
            .collect::<Option<_>>()
            .ok_or_else(bad)?
    };
    if parts.is_empty() || parts.len() > 3 || (frac.is_some() && parts.len() != 3) {
        return Err(bad());
    }
    let nanos = match frac {
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{f:0<9}").parse::<i64>().map_err(|_| bad())?
        }
        Some(_) => return Err(bad()),
        None => 0,
    };
    let fields = Fields {
        hour: parts.first().copied(),
        minute: parts.get(1).copied(),
        second: parts.get(2).copied(),
        nanosecond: Some(nanos),
        ..Fields::default()
    };
    resolve_time(None, &fields, false)
}

/// Splits a time with an optional zone suffix (`Z`, an offset, `[Zone]`).
fn split_zone(s: &str) -> Res<(&str, Option<i32>, Option<String>)> {
    let (s, name) = match s.strip_suffix(']') {
        Some(r) => {
            let (a, n) = r
                .split_once('[')
                .ok_or_else(|| format!("'{s}' has an unclosed zone name"))?;
            (a, Some(n.to_string()))
        }
        None => (s, None),
    };
    match s.find(['Z', 'z', '+', '-']) {
        Some(i) => {
            let off = parse_offset(&s[i..])
                .unwrap_or_else(|| Err(format!("'{}' is not an offset", &s[i..])))?;
            Ok((&s[..i], Some(off), name))
        }
        None => Ok((s, None, name)),
    }
}

/// Parses a `time` string: a local time and an optional offset (default UTC).
pub fn parse_time(s: &str) -> Res<(i64, i32)> {
    let (t, off, name) = split_zone(s)?;
    let nanos = parse_local_time(t)?;
    let offset = match (off, name) {
        (Some(o), _) => o,
        (None, Some(n)) => offset_now(&Tz::Named(n))?,
        (None, None) => 0,
    };
    Ok((nanos, offset))
}

/// Parses `2015-07-21T21:40:32.142` (or a date alone) into day and time.
pub fn parse_local_datetime(s: &str) -> Res<(i64, i64)> {
    match s.split_once(['T', 't']) {
        Some((d, t)) => Ok((parse_date(d)?, parse_local_time(t)?)),
        None => Ok((parse_date(s)?, 0)),
    }
}

/// Parses a `datetime` string: offset and/or `[Zone/Name]`, default UTC.
pub fn parse_datetime(s: &str) -> Res<Temporal> {
    let (d, rest) = match s.split_once(['T', 't']) {
        Some((d, t)) => (d, t),
        None => (s, ""),
    };
    let days = parse_date(d)?;
    let (t, off, name) = split_zone(rest)?;
    let nanos = if t.is_empty() {
        0
    } else {
        parse_local_time(t)?
    };
    let parts = Parts {
        date: Some(days),
        time: Some(nanos),
        tz: Some(match &name {
            Some(n) => parse_tz(n)?,
            None => Tz::Fixed(off.unwrap_or(0)),
        }),
        offset: off,
    };
    match finish(Kind::DateTime, &parts)? {
        Value::Temporal(t) => Ok(*t),
        _ => Err(format!("'{s}' is not a datetime")),
    }
}

/// Parses the string argument of a constructor function.
pub fn parse(kind: Kind, s: &str) -> Res<Value> {
    let s = s.trim();
    parse_kind(kind, s).map_err(|e| {
        if e.contains(s) {
            e
        } else {
            format!("'{s}' is not a valid {}: {e}", kind.name())
        }
    })
}

fn parse_kind(kind: Kind, s: &str) -> Res<Value> {
    Ok(match kind {
        Kind::Date => Value::Date(FDate::from_days(parse_date(s)?)),
        Kind::LocalTime => Value::temporal(Temporal::LocalTime {
            nanos: parse_local_time(s)?,
        }),
        Kind::Time => {
            let (nanos, offset) = parse_time(s)?;
            Value::temporal(Temporal::Time { nanos, offset })
        }
        Kind::LocalDateTime => {
            let (days, nanos) = parse_local_datetime(s)?;
            Value::temporal(Temporal::LocalDateTime { days, nanos })
        }
        Kind::DateTime => Value::temporal(parse_datetime(s)?),
    })
}

/// Parses what [`Temporal`]'s `Display` prints, for storage round trips.
pub fn parse_stored(kind: &str, s: &str) -> Res<Temporal> {
    let v = match kind {
        "duration" => return Ok(Temporal::Duration(parse_duration(s)?)),
        k => parse(
            Kind::from_name(k).ok_or_else(|| format!("unknown temporal kind '{k}'"))?,
            s,
        )?,
    };
    match v {
        Value::Temporal(t) => Ok(*t),
        _ => Err(format!("'{s}' is not a stored {kind}")),
    }
}

// ---- building from fields ------------------------------------------------------

fn resolve_date(base: Option<i64>, f: &Fields) -> Res<i64> {
    let need_year = || "a date needs a year".to_string();
    let days = if f.week.is_some() || (f.day_of_week.is_some() && f.month.is_none()) {
        let (bwy, bw, bdow) = match base {
            Some(b) => {
                let (wy, w) = week_of(b);
                (Some(wy), Some(w), weekday(b))
            }
            None => (None, None, 1),
        };
        let wy = f.year.or(bwy).ok_or_else(need_year)?;
        check_year(wy)?;
        let w = in_range("week", f.week.or(bw).unwrap_or(1), 1, weeks_in(wy))?;
        let dow = in_range("dayOfWeek", f.day_of_week.unwrap_or(bdow), 1, 7)?;
        week_one(wy) + (w - 1) * 7 + dow - 1
    } else if let Some(od) = f.ordinal_day {
        let y = f.year.or(base.map(|b| ymd(b).0)).ok_or_else(need_year)?;
        check_year(y)?;
        let len = if is_leap(y as i32) { 366 } else { 365 };
        civil(y, 1, 1) + in_range("ordinalDay", od, 1, len)? - 1
    } else if f.quarter.is_some() || f.day_of_quarter.is_some() {
        let (by, bq, bdq) = match base {
            Some(b) => {
                let (y, m, _) = ymd(b);
                let q = (m - 1) / 3 + 1;
                (Some(y), q, b - quarter_start(y, q) + 1)
            }
            None => (None, 1, 1),
        };
        let y = f.year.or(by).ok_or_else(need_year)?;
        check_year(y)?;
        let q = in_range("quarter", f.quarter.unwrap_or(bq), 1, 4)?;
        let len = if q == 4 {
            92
        } else {
            quarter_start(y, q + 1) - quarter_start(y, q)
        };
        quarter_start(y, q) + in_range("dayOfQuarter", f.day_of_quarter.unwrap_or(bdq), 1, len)? - 1
    } else {
        let (by, bm, bd) = match base {
            Some(b) => {
                let (y, m, d) = ymd(b);
                (Some(y), m, d)
            }
            None => (None, 1, 1),
        };
        let y = f.year.or(by).ok_or_else(need_year)?;
        check_year(y)?;
        let m = in_range("month", f.month.unwrap_or(bm), 1, 12)?;
        let dim = days_in_month(y as i32, m as u8) as i64;
        let d = match f.day {
            Some(d) => in_range("day", d, 1, dim)?,
            // Changing the year or month of a base date clamps its day.
            None => bd.min(dim),
        };
        civil(y, m, d)
    };
    check_days(days)
}

/// `component`: sub-second fields replace the millisecond, microsecond and
/// nanosecond digits of the base one by one (truncation keeps the digits
/// above its unit); otherwise they replace the whole fraction.
fn resolve_time(base: Option<i64>, f: &Fields, component: bool) -> Res<i64> {
    let (bh, bm, bs, bn) = split_time(base.unwrap_or(0));
    let h = in_range("hour", f.hour.unwrap_or(bh), 0, 23)?;
    let m = in_range("minute", f.minute.unwrap_or(bm), 0, 59)?;
    let s = in_range("second", f.second.unwrap_or(bs), 0, 59)?;
    let (ms, us, ns) = (f.millisecond, f.microsecond, f.nanosecond);
    let frac = if ms.is_none() && us.is_none() && ns.is_none() {
        bn
    } else if component {
        let ms = in_range("millisecond", ms.unwrap_or(bn / 1_000_000), 0, 999)?;
        let us = in_range("microsecond", us.unwrap_or(bn / 1000 % 1000), 0, 999)?;
        let ns = in_range("nanosecond", ns.unwrap_or(bn % 1000), 0, 999)?;
        ms * 1_000_000 + us * 1000 + ns
    } else {
        let ms = in_range("millisecond", ms.unwrap_or(0), 0, 999)?;
        let us_max = if f.millisecond.is_some() {
            999
        } else {
            999_999
        };
        let us = in_range("microsecond", us.unwrap_or(0), 0, us_max)?;
        let ns_max = if f.millisecond.is_some() || f.microsecond.is_some() {
            999
        } else {
            999_999_999
        };
        let ns = in_range("nanosecond", ns.unwrap_or(0), 0, ns_max)?;
        ms * 1_000_000 + us * 1000 + ns
    };
    Ok(((h * 60 + m) * 60 + s) * NS_SEC + frac)
}

/// Turns components into a value of `kind`, resolving a named zone's offset
/// for the local date and time (keeping `parts.offset` in an overlap).
pub fn finish(kind: Kind, p: &Parts) -> Res<Value> {
    let date = || p.date.ok_or_else(|| "the value has no date".to_string());
    let time = p.time.unwrap_or(0);
    Ok(match kind {
        Kind::Date => Value::Date(FDate::from_days(check_days(date()?)?)),
        Kind::LocalTime => Value::temporal(Temporal::LocalTime { nanos: time }),
        Kind::LocalDateTime => Value::temporal(Temporal::LocalDateTime {
            days: check_days(date()?)?,
            nanos: time,
        }),
        Kind::Time => {
            let offset = match (&p.tz, p.offset) {
                (_, Some(o)) => o,
                (Some(tz), None) => offset_now(tz)?,
                (None, None) => 0,
            };
            Value::temporal(Temporal::Time {
                nanos: time,
                offset,
            })
        }
        Kind::DateTime => {
            let days = check_days(date()?)?;
            Value::temporal(match p.tz.as_ref().unwrap_or(&Tz::Fixed(0)) {
                Tz::Fixed(o) => Temporal::DateTime {
                    days,
                    nanos: time,
                    offset: *o,
                    zone: None,
                },
                Tz::Named(n) => {
                    let (days, nanos, offset) = resolve_local(n, days, time, p.offset)?;
                    Temporal::DateTime {
                        days: check_days(days)?,
                        nanos,
                        offset,
                        zone: Some(n.clone()),
                    }
                }
            })
        }
    })
}

/// Where a constructor map takes its base values from: `date: x`,
/// `time: x`, `datetime: x` (date, time and zone at once).
#[derive(Debug, Default)]
pub struct Select<'a> {
    pub date: Option<&'a Parts>,
    pub time: Option<&'a Parts>,
    pub datetime: Option<&'a Parts>,
}

/// Re-expresses a zoned date-time or time at the same instant in `tz`.
fn convert(kind: Kind, p: &Parts, tz: Tz) -> Res<Parts> {
    let time = p.time.unwrap_or(0);
    if kind == Kind::Time || p.date.is_none() {
        let old = p.offset.unwrap_or(0);
        let new = offset_now(&tz)?;
        let nanos = (time - old as i64 * NS_SEC + new as i64 * NS_SEC).rem_euclid(NS_DAY);
        return Ok(Parts {
            date: p.date,
            time: Some(nanos),
            tz: Some(tz),
            offset: Some(new),
        });
    }
    let Value::Temporal(t) = finish(Kind::DateTime, p)? else {
        return Err("cannot convert the time zone".into());
    };
    let Temporal::DateTime {
        days,
        nanos,
        offset,
        ..
    } = *t
    else {
        return Err("cannot convert the time zone".into());
    };
    let inst = instant(days, nanos, offset);
    let new = match &tz {
        Tz::Fixed(o) => *o,
        Tz::Named(n) => zone_offset_at(n, inst)?,
    };
    let (d, n) = local_of(inst, new);
    Ok(Parts {
        date: Some(d),
        time: Some(n),
        tz: Some(tz),
        offset: Some(new),
    })
}

/// Builds a value of `kind` from selected base values and fields, as
/// `datetime({date: d, time: t, day: 28, timezone: 'Europe/Stockholm'})`.
/// A new `timezone` on a base that has a zone keeps the instant; on a local
/// base it is attached.
pub fn build(kind: Kind, sel: &Select, f: &Fields) -> Res<Value> {
    let date_src = sel.datetime.or(sel.date);
    let time_src = sel.datetime.or(sel.time);
    if !kind.has_date() && f.has_date_fields() {
        return Err("a time value has no date fields (year, month, day, ...)".into());
    }
    let mut p = Parts::default();
    if kind.has_date() {
        let base = match date_src {
            Some(s) => Some(s.date.ok_or("the selected value has no date")?),
            None => None,
        };
        if base.is_none() && f.year.is_none() {
            return Err("a date needs a year (or a date to select from)".into());
        }
        p.date = Some(resolve_date(base, f)?);
    }
    if kind.has_time() {
        let base = match time_src {
            Some(s) => match s.time {
                Some(t) => Some(t),
                None if sel.time.is_some() => return Err("the selected value has no time".into()),
                None => None,
            },
            None => None,
        };
        if !kind.has_date() && base.is_none() && f.hour.is_none() && f.has_time_fields() {
            return Err("a time needs an hour".into());
        }
        p.time = Some(resolve_time(base, f, false)?);
    }
    if kind.has_zone() {
        let src = time_src.filter(|s| s.tz.is_some());
        let new = f.timezone.as_deref().map(parse_tz).transpose()?;
        p = match (new, src) {
            (Some(tz), Some(s)) => {
                let old = Parts {
                    tz: s.tz.clone(),
                    offset: s.offset,
                    ..p
                };
                convert(kind, &old, tz)?
            }
            (Some(tz), None) => Parts {
                tz: Some(tz),
                offset: None,
                ..p
            },
            (None, Some(s)) => Parts {
                tz: s.tz.clone(),
                offset: s.offset,
                ..p
            },
            (None, None) => Parts {
                tz: Some(Tz::Fixed(0)),
                offset: Some(0),
                ..p
            },
        };
    }
    finish(kind, &p)
}

/// `kind(other)`: the value's components as `kind` (a datetime's date for
/// `date(dt)`, its local time for `localtime(dt)`, UTC for a local value
/// made zoned).
pub fn select(kind: Kind, p: &Parts) -> Res<Value> {
    let sel = if p.date.is_some() && p.time.is_some() {
        Select {
            datetime: Some(p),
            ..Select::default()
        }
    } else if p.date.is_some() {
        Select {
            date: Some(p),
            ..Select::default()
        }
    } else {
        Select {
            time: Some(p),
            ..Select::default()
        }
    };
    build(kind, &sel, &Fields::default())
}

/// `kind.truncate(unit, value, fields)`.
pub fn truncate(kind: Kind, unit: &str, src: &Parts, f: &Fields) -> Res<Value> {
    let mut p = src.clone();
    let date_unit = matches!(
        unit,
        "millennium" | "century" | "decade" | "year" | "weekYear" | "quarter" | "month" | "week"
    );
    let time_unit = matches!(
        unit,
        "day" | "hour" | "minute" | "second" | "millisecond" | "microsecond"
    );
    if !date_unit && !time_unit {
        return Err(format!("'{unit}' is not a unit to truncate to"));
    }
    if kind.has_date() || date_unit {
        let d = p
            .date
            .ok_or_else(|| format!("cannot truncate a value without a date to '{unit}'"))?;
        let (y, m, _) = ymd(d);
        let first_of_year = |y: i64| civil(y, 1, 1);
        p.date = Some(match unit {
            "millennium" => first_of_year(y.div_euclid(1000) * 1000),
            "century" => first_of_year(y.div_euclid(100) * 100),
            "decade" => first_of_year(y.div_euclid(10) * 10),
            "year" => first_of_year(y),
            "weekYear" => week_one(week_of(d).0),
            "quarter" => quarter_start(y, (m - 1) / 3 + 1),
            "month" => civil(y, m, 1),
            "week" => d - (weekday(d) - 1),
            _ => d,
        });
    }
    let t = p.time.unwrap_or(0);
    p.time = Some(match unit {
        "hour" => t - t % NS_HOUR,
        "minute" => t - t % NS_MIN,
        "second" => t - t % NS_SEC,
        "millisecond" => t - t % 1_000_000,
        "microsecond" => t - t % 1000,
        _ => 0,
    });
    if kind.has_date() {
        p.date = Some(resolve_date(p.date, f)?);
    }
    if kind.has_time() {
        p.time = Some(resolve_time(p.time, f, true)?);
    }
    if let Some(z) = &f.timezone {
        p.tz = Some(parse_tz(z)?);
        p.offset = None;
    } else if p.tz.is_none() {
        p.tz = Some(Tz::Fixed(0));
    } else if matches!(p.tz, Some(Tz::Named(_))) && kind == Kind::DateTime {
        p.offset = None;
    }
    finish(kind, &p)
}

// ---- components ------------------------------------------------------------------

/// A date component: `year`, `quarter`, `month`, `week`, `weekYear`,
/// `day`, `ordinalDay`, `dayOfWeek`/`weekDay`, `dayOfQuarter`.
pub fn date_component(days: i64, key: &str) -> Option<i64> {
    let (y, m, d) = ymd(days);
    Some(match key {
        "year" => y,
        "quarter" => (m - 1) / 3 + 1,
        "month" => m,
        "week" => week_of(days).1,
        "weekYear" => week_of(days).0,
        "day" => d,
        "ordinalDay" => days - civil(y, 1, 1) + 1,
        "dayOfWeek" | "weekDay" => weekday(days),
        "dayOfQuarter" => days - quarter_start(y, (m - 1) / 3 + 1) + 1,
        _ => return None,
    })
}

fn time_component(nanos: i64, key: &str) -> Option<i64> {
    let (h, m, s, n) = split_time(nanos);
    Some(match key {
        "hour" => h,
        "minute" => m,
        "second" => s,
        "millisecond" => n / 1_000_000,
        "microsecond" => n / 1000,
        "nanosecond" => n,
        _ => return None,
    })
}

/// `t.key` for a temporal value; `None` if it has no such component.
pub fn component(t: &Temporal, key: &str) -> Option<Value> {
    if let Temporal::Duration(d) = t {
        return d.component(key).map(Value::Int);
    }
    let p = t.parts()?;
    if let Some(v) = p.date.and_then(|d| date_component(d, key)) {
        return Some(Value::Int(v));
    }
    if let Some(v) = p.time.and_then(|n| time_component(n, key)) {
        return Some(Value::Int(v));
    }
    let offset = p.offset?;
    Some(match key {
        "timezone" => Value::String(match &p.tz {
            Some(Tz::Named(n)) => n.clone(),
            _ => offset_string(offset),
        }),
        "offset" => Value::String(offset_string(offset)),
        "offsetMinutes" => Value::Int(offset as i64 / 60),
        "offsetSeconds" => Value::Int(offset as i64),
        "epochSeconds" | "epochMillis" => {
            let inst = instant(p.date?, p.time.unwrap_or(0), offset);
            let per = if key == "epochSeconds" {
                NS_SEC as i128
            } else {
                1_000_000
            };
            Value::Int(i64::try_from(inst.div_euclid(per)).ok()?)
        }
        _ => return None,
    })
}

// ---- arithmetic ------------------------------------------------------------------

/// `value + duration` (use [`Duration::negate`]-like signs for `-`): months
/// and days move the calendar date, seconds and nanoseconds the clock (a
/// date alone moves by whole days of the seconds).
pub fn add(p: &Parts, d: &Duration, sign: i64) -> Res<Parts> {
    let ov = || "temporal arithmetic overflows".to_string();
    let months = d.months.checked_mul(sign).ok_or_else(ov)?;
    let days = d.days.checked_mul(sign).ok_or_else(ov)?;
    let secs = d.seconds as i128 * sign as i128;
    let nanos = d.nanos as i128 * sign as i128;
    let mut out = p.clone();
    if let Some(date) = p.date {
        let mut date = plus_months(date, months)?;
        date = check_days(date.checked_add(days).ok_or_else(ov)?)?;
        if p.time.is_none() {
            let whole = (secs / 86_400) as i64;
            out.date = Some(check_days(date.checked_add(whole).ok_or_else(ov)?)?);
            return Ok(out);
        }
        out.date = Some(date);
    }
    let Some(time) = p.time else {
        return Ok(out);
    };
    let delta = secs * NS_SEC as i128 + nanos;
    match (&p.tz, out.date) {
        (Some(Tz::Named(n)), Some(date)) => {
            // Calendar moves happen in local time; the clock moves the instant.
            let (dd, nn, off) = resolve_local(n, date, time, p.offset)?;
            let inst = instant(dd, nn, off) + delta;
            let new = zone_offset_at(n, inst)?;
            let (d2, n2) = local_of(inst, new);
            out.date = Some(check_days(d2)?);
            out.time = Some(n2);
            out.offset = Some(new);
        }
        (_, Some(date)) => {
            let (d2, n2) = local_of(instant(date, time, 0) + delta, 0);
            out.date = Some(check_days(d2)?);
            out.time = Some(n2);
        }
        (_, None) => {
            out.time = Some(((time as i128 + delta).rem_euclid(NS_DAY as i128)) as i64);
        }
    }
    Ok(out)
}

// ---- differences -------------------------------------------------------------------

/// The units `duration.between` and friends count in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Months,
    Days,
    Nanos,
}

fn attach_tz(p: &mut Parts, tz: &Tz, offset: Option<i32>) -> Res<()> {
    p.tz = Some(tz.clone());
    p.offset = match (tz, p.date) {
        (Tz::Named(n), Some(d)) => Some(resolve_local(n, d, p.time.unwrap_or(0), None)?.2),
        (Tz::Fixed(o), _) => Some(*o),
        (Tz::Named(_), None) => match offset {
            Some(o) => Some(o),
            None => Some(offset_now(tz)?),
        },
    };
    Ok(())
}

/// Gives both values the same shape before comparing them, as Cypher does:
/// a missing time is midnight, a missing date is the other's date, a
/// missing zone is the other's zone.
fn align(a: &Parts, b: &Parts, unit: Unit) -> Res<(Parts, Parts)> {
    let (mut a, mut b) = (a.clone(), b.clone());
    if unit == Unit::Nanos {
        for p in [&mut a, &mut b] {
            if p.time.is_none() {
                p.time = Some(0);
            }
        }
    } else if a.time.is_some() && b.time.is_none() {
        b.time = Some(0);
    } else if b.time.is_some() && a.time.is_none() {
        a.time = Some(0);
    }
    if a.date.is_some() && b.date.is_none() {
        b.date = a.date;
    } else if b.date.is_some() && a.date.is_none() {
        a.date = b.date;
    }
    if let (Some(tz), None) = (a.tz.clone(), &b.tz) {
        attach_tz(&mut b, &tz, a.offset)?;
    } else if let (Some(tz), None) = (b.tz.clone(), &a.tz) {
        attach_tz(&mut a, &tz, b.offset)?;
    }
    Ok((a, b))
}

/// Whole units from `a` to `b`, truncated toward zero.
fn until(a: &Parts, b: &Parts, unit: Unit) -> Res<i128> {
    let (a, b) = align(a, b, unit)?;
    let (ta, tb) = (a.time.unwrap_or(0), b.time.unwrap_or(0));
    match (a.date, b.date) {
        (Some(da), Some(db)) => {
            if unit == Unit::Nanos {
                let (oa, ob) = (a.offset.unwrap_or(0), b.offset.unwrap_or(0));
                return Ok(instant(db, tb, ob) - instant(da, ta, oa));
            }
            // Calendar units count in the first value's zone.
            let (db, tb) = match (a.offset, b.offset) {
                (Some(oa), Some(ob)) => {
                    let inst = instant(db, tb, ob);
                    let oa = match &a.tz {
                        Some(Tz::Named(n)) => zone_offset_at(n, inst)?,
                        _ => oa,
                    };
                    local_of(inst, oa)
                }
                _ => (db, tb),
            };
            let mut end = db;
            if end > da && tb < ta {
                end -= 1;
            } else if end < da && tb > ta {
                end += 1;
            }
            Ok(match unit {
                Unit::Days => (end - da) as i128,
                _ => {
                    let (y1, m1, d1) = ymd(da);
                    let (y2, m2, d2) = ymd(end);
                    let p1 = (y1 * 12 + m1 - 1) as i128 * 32 + d1 as i128;
                    let p2 = (y2 * 12 + m2 - 1) as i128 * 32 + d2 as i128;
                    (p2 - p1) / 32
                }
            })
        }
        _ => {
            if unit != Unit::Nanos {
                return Ok(0);
            }
            let (oa, ob) = (a.offset.unwrap_or(0), b.offset.unwrap_or(0));
            Ok(instant(0, tb, ob) - instant(0, ta, oa))
        }
    }
}

/// `duration.between(a, b)`: months, then days, then the rest in seconds.
pub fn between(a: &Parts, b: &Parts) -> Res<Duration> {
    let ov = || "duration is out of range".to_string();
    let mut from = a.clone();
    let (mut months, mut days) = (0i64, 0i64);
    if a.date.is_some() && b.date.is_some() {
        months = i64::try_from(until(&from, b, Unit::Months)?).map_err(|_| ov())?;
        from = add(
            &from,
            &Duration {
                months,
                ..Duration::default()
            },
            1,
        )?;
        days = i64::try_from(until(&from, b, Unit::Days)?).map_err(|_| ov())?;
        from = add(
            &from,
            &Duration {
                days,
                ..Duration::default()
            },
            1,
        )?;
    }
    let nanos = until(&from, b, Unit::Nanos)?;
    Duration::new(months, days, nanos)
}

/// `duration.inMonths`, `inDays`, `inSeconds`.
pub fn between_in(a: &Parts, b: &Parts, unit: Unit) -> Res<Duration> {
    let n = until(a, b, unit)?;
    let ov = || "duration is out of range".to_string();
    match unit {
        Unit::Months => Duration::new(i64::try_from(n).map_err(|_| ov())?, 0, 0),
        Unit::Days => Duration::new(0, i64::try_from(n).map_err(|_| ov())?, 0),
        Unit::Nanos => Duration::new(0, 0, n),
    }
}

/// The components of a day-precision date.
pub fn date_parts(days: i64) -> Parts {
    Parts {
        date: Some(days),
        ..Parts::default()
    }
}

/// The components of a local instant for `*.fromepoch`: UTC.
pub fn from_epoch(nanos: i128) -> Res<Temporal> {
    let (days, n) = local_of(nanos, 0);
    Ok(Temporal::DateTime {
        days: check_days(days)?,
        nanos: n,
        offset: 0,
        zone: None,
    })
}

/// The current instant as a value of `kind` in a zone (UTC by default).
pub fn now(kind: Kind, instant_nanos: i128, tz: Option<&str>) -> Res<Value> {
    let tz = match tz {
        Some(z) => parse_tz(z)?,
        None => Tz::Fixed(0),
    };
    let offset = match &tz {
        Tz::Fixed(o) => *o,
        Tz::Named(n) => zone_offset_at(n, instant_nanos)?,
    };
    let (days, nanos) = local_of(instant_nanos, offset);
    let p = Parts {
        date: Some(days),
        time: Some(nanos),
        tz: Some(tz),
        offset: Some(offset),
    };
    finish(kind, &p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(v: Value) -> String {
        match v {
            Value::Date(d) => date_string(d.start_days()),
            Value::Temporal(t) => t.to_string(),
            v => format!("not temporal: {v}"),
        }
    }

    fn fields(pairs: &[(&str, i64)]) -> Fields {
        let mut f = Fields::default();
        for (k, v) in pairs {
            assert!(f.set(k, *v), "{k}");
        }
        f
    }

    fn build_str(kind: Kind, pairs: &[(&str, i64)], tz: Option<&str>) -> String {
        let mut f = fields(pairs);
        f.timezone = tz.map(String::from);
        show(build(kind, &Select::default(), &f).unwrap())
    }

    #[test]
    fn week_dates_follow_iso() {
        let w = |y, wk| build_str(Kind::Date, &[("year", y), ("week", wk)], None);
        assert_eq!(w(1816, 1), "1816-01-01");
        assert_eq!(w(1817, 1), "1816-12-30");
        assert_eq!(w(1818, 53), "1818-12-28");
        assert_eq!(w(1819, 1), "1819-01-04");
        let d = parse_date("1984-01-01").unwrap();
        assert_eq!(week_of(d), (1983, 52));
        assert_eq!(weekday(d), 7);
        assert!(
            build(
                Kind::Date,
                &Select::default(),
                &fields(&[("year", 1817), ("week", 53)])
            )
            .is_err()
        );
    }

    #[test]
    fn parses_iso_date_forms() {
        for (s, want) in [
            ("2015-07-21", "2015-07-21"),
            ("20150721", "2015-07-21"),
            ("2015-07", "2015-07-01"),
            ("201507", "2015-07-01"),
            ("2015-W30-2", "2015-07-21"),
            ("2015W302", "2015-07-21"),
            ("2015-W30", "2015-07-20"),
            ("2015W30", "2015-07-20"),
            ("2015-202", "2015-07-21"),
            ("2015202", "2015-07-21"),
            ("2015", "2015-01-01"),
            ("-999999999-01-01", "-999999999-01-01"),
            ("+999999999-12-31", "+999999999-12-31"),
        ] {
            assert_eq!(date_string(parse_date(s).unwrap()), want, "{s}");
        }
        for s in [
            "2015-13-01",
            "2015-02-30",
            "15-07-21",
            "2015-W54",
            "2015-7-21",
            "",
        ] {
            assert!(parse_date(s).is_err(), "{s}");
        }
    }

    #[test]
    fn parses_and_prints_times_and_datetimes() {
        let t = |s| show(parse(Kind::Time, s).unwrap());
        assert_eq!(t("21:40:32.142+0100"), "21:40:32.142+01:00");
        assert_eq!(t("214032.142Z"), "21:40:32.142Z");
        assert_eq!(t("2140-00:00"), "21:40Z");
        assert_eq!(t("2140-02"), "21:40-02:00");
        assert_eq!(t("22+18:00"), "22:00+18:00");
        let dt = |s| show(parse(Kind::DateTime, s).unwrap());
        assert_eq!(dt("2015-W30T2140-02"), "2015-07-20T21:40-02:00");
        assert_eq!(
            dt("2015-07-21T21:40:32.142[Europe/London]"),
            "2015-07-21T21:40:32.142+01:00[Europe/London]"
        );
        assert_eq!(
            dt("1818-07-21T21:40:32.142[Europe/Stockholm]"),
            "1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]"
        );
        assert_eq!(
            show(parse(Kind::LocalTime, "12:31:14.645876").unwrap()),
            "12:31:14.645876"
        );
        assert!(parse(Kind::Time, "25:00").is_err());
        assert!(parse(Kind::DateTime, "2015-07-21T10:00[Mars/Olympus]").is_err());
    }

    #[test]
    fn durations_cascade_fractions_and_print_signs() {
        let p = |s: &str| parse_duration(s).unwrap().to_string();
        assert_eq!(p("P5M1.5D"), "P5M1DT12H");
        assert_eq!(p("P0.75M"), "P22DT19H51M49.5S");
        assert_eq!(p("PT0.75M"), "PT45S");
        assert_eq!(p("P2.5W"), "P17DT12H");
        assert_eq!(p("P12Y5M14DT16H12M70S"), "P12Y5M14DT16H13M10S");
        assert_eq!(p("P2012-02-02T14:37:21.545"), "P2012Y2M2DT14H37M21.545S");
        for s in [
            "PT-1M-0.001S",
            "PT-1.999S",
            "P1DT-0.001S",
            "PT-59.999S",
            "PT0S",
        ] {
            assert_eq!(p(s), s);
        }
        assert!(parse_duration("P1H").is_err());
        assert!(parse_duration("PT").is_err());
        let d = parse_duration("P12Y5M14DT16H13M10.000000001S").unwrap();
        assert_eq!(d.times_float(0.5).unwrap().to_string(), "P6Y2M22DT13H21M8S");
        assert_eq!(
            d.divide(0.5).unwrap().to_string(),
            "P24Y10M28DT32H26M20.000000002S"
        );
        assert!(d.divide(0.0).is_err());
    }

    #[test]
    fn arithmetic_moves_calendar_then_clock() {
        let d = parse_duration("P12Y5M14DT16H13M10.000000002S").unwrap();
        let date = date_parts(parse_date("1984-10-11").unwrap());
        let sum = add(&date, &d, 1).unwrap();
        assert_eq!(show(finish(Kind::Date, &sum).unwrap()), "1997-03-25");
        let Value::Temporal(t) = parse(Kind::LocalTime, "12:31:14.000000001").unwrap() else {
            panic!()
        };
        let diff = add(&t.parts().unwrap(), &d, -1).unwrap();
        assert_eq!(
            show(finish(Kind::LocalTime, &diff).unwrap()),
            "20:18:03.999999999"
        );
    }

    #[test]
    fn between_counts_months_days_then_time() {
        let p = |k, s| match parse(k, s).unwrap() {
            Value::Date(d) => date_parts(d.start_days()),
            Value::Temporal(t) => t.parts().unwrap(),
            _ => panic!(),
        };
        let a = p(Kind::DateTime, "2014-07-21T21:40:36.143+0200");
        let b = p(Kind::Date, "2015-06-24");
        assert_eq!(between(&a, &b).unwrap().to_string(), "P11M2DT2H19M23.857S");
        let c = p(Kind::DateTime, "2017-10-28T23:00+02:00[Europe/Stockholm]");
        let d = p(Kind::DateTime, "2017-10-29T04:00+01:00[Europe/Stockholm]");
        assert_eq!(between(&c, &d).unwrap().to_string(), "PT6H");
        let e = p(Kind::Time, "14:30");
        let f = p(Kind::Time, "16:30+0100");
        assert_eq!(between_in(&e, &f, Unit::Nanos).unwrap().to_string(), "PT1H");
        let lo = p(Kind::Date, "-999999999-01-01");
        let hi = p(Kind::Date, "+999999999-12-31");
        assert_eq!(between(&lo, &hi).unwrap().to_string(), "P1999999998Y11M30D");
    }

    #[test]
    fn selection_converts_zones_only_when_the_base_has_one() {
        let Value::Temporal(t) = parse(Kind::Time, "12:31:14.645876+01:00").unwrap() else {
            panic!()
        };
        let p = t.parts().unwrap();
        let f = Fields {
            timezone: Some("+05:00".into()),
            ..Fields::default()
        };
        let sel = Select {
            time: Some(&p),
            ..Select::default()
        };
        assert_eq!(
            show(build(Kind::Time, &sel, &f).unwrap()),
            "16:31:14.645876+05:00"
        );
        assert_eq!(
            show(build(Kind::LocalTime, &sel, &Fields::default()).unwrap()),
            "12:31:14.645876"
        );
    }

    #[test]
    fn truncation_keeps_higher_fields_and_applies_overrides() {
        let Value::Temporal(t) =
            parse(Kind::DateTime, "2017-10-11T12:31:14.645876123+01:00").unwrap()
        else {
            panic!()
        };
        let p = t.parts().unwrap();
        let tr = |k, u, f: Fields| show(truncate(k, u, &p, &f).unwrap());
        assert_eq!(
            tr(Kind::Date, "millennium", fields(&[("day", 2)])),
            "2000-01-02"
        );
        assert_eq!(
            tr(Kind::Time, "millisecond", fields(&[("nanosecond", 2)])),
            "12:31:14.645000002+01:00"
        );
        let f = Fields {
            timezone: Some("Europe/Stockholm".into()),
            ..Fields::default()
        };
        assert_eq!(
            tr(Kind::DateTime, "weekYear", f),
            "2017-01-02T00:00+01:00[Europe/Stockholm]"
        );
        assert!(truncate(Kind::Date, "fortnight", &p, &Fields::default()).is_err());
    }

    #[test]
    fn components_and_storage_round_trip() {
        let Value::Temporal(t) = parse(
            Kind::DateTime,
            "1984-11-11T12:31:14.645876123+01:00[Europe/Stockholm]",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(component(&t, "epochSeconds"), Some(Value::Int(469020674)));
        assert_eq!(component(&t, "week"), Some(Value::Int(45)));
        assert_eq!(component(&t, "timezone"), Some("Europe/Stockholm".into()));
        assert_eq!(component(&t, "offsetMinutes"), Some(Value::Int(60)));
        assert_eq!(component(&t, "fortnight"), None);
        assert_eq!(parse_stored("datetime", &t.to_string()).unwrap(), *t);
        let d = Temporal::Duration(parse_duration("PT-1M-0.001S").unwrap());
        assert_eq!(parse_stored("duration", &d.to_string()).unwrap(), d);
    }

    #[test]
    fn comparison_is_by_instant_within_a_kind() {
        let v = |k, s| match parse(k, s).unwrap() {
            Value::Temporal(t) => t,
            _ => panic!(),
        };
        let a = v(Kind::Time, "10:00+01:00");
        let b = v(Kind::Time, "09:35:14+00:00");
        assert_eq!(compare(&a, &b), Some(Ordering::Less));
        let l = v(Kind::LocalTime, "10:00");
        assert_eq!(compare(&a, &l), None);
        let d = Temporal::Duration(Duration::default());
        assert_eq!(compare(&d, &d), None);
    }
}
