//! Dates with a precision: `2023` (a year), `2023-10` (a month), `2023-10-11`
//! (a day), each possibly approximate (`~2024-01-11`, "literally a week ago").
//!
//! A date of coarser precision stands for an interval of days: `2023` is
//! 2023-01-01 ..= 2023-12-31. Comparison follows from that:
//!
//! * `=` is identity: same precision, same fields, same approximation flag.
//!   `2023 = 2023-10` is false.
//! * `<` and `>` compare the intervals. `2022 < 2023-10` is true (every day of
//!   2022 is before every day of October 2023), `2023-10 < 2023` is **null**:
//!   October 2023 lies inside 2023, so whether it is "before" is unknown. In a
//!   `WHERE` null filters the row out, as Cypher's three-valued logic does.
//! * `<=` and `>=` are true for identical dates, and otherwise as `<`, `>`.
//! * `ORDER BY` needs a total order ([`FDate::total_cmp`]): by first day, then
//!   coarser before finer, then exact before approximate.
//!
//! In queries these dates are written `fdate('2023-10')`; Cypher's own
//! `date('2015')` keeps its meaning (the day 2015-01-01).

use std::cmp::Ordering;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    Year,
    Month,
    Day,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::Year => "year",
            Precision::Month => "month",
            Precision::Day => "day",
        }
    }
}

/// A calendar date with a precision. Fields finer than the precision are 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub precision: Precision,
    pub approx: bool,
}

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

impl FDate {
    pub fn year(year: i32) -> FDate {
        FDate {
            year,
            month: 1,
            day: 1,
            precision: Precision::Year,
            approx: false,
        }
    }
    pub fn month(year: i32, month: u8) -> Option<FDate> {
        (1..=12).contains(&month).then_some(FDate {
            year,
            month,
            day: 1,
            precision: Precision::Month,
            approx: false,
        })
    }
    pub fn day(year: i32, month: u8, day: u8) -> Option<FDate> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(
            FDate {
                year,
                month,
                day,
                precision: Precision::Day,
                approx: false,
            },
        )
    }
    pub fn from_days(days: i64) -> FDate {
        let (y, m, d) = civil_from_days(days);
        FDate {
            year: y,
            month: m,
            day: d,
            precision: Precision::Day,
            approx: false,
        }
    }
    pub fn approximate(mut self) -> FDate {
        self.approx = true;
        self
    }

    /// Parses `2023`, `2023-10`, `2023-10-11`, each optionally prefixed by `~`.
    pub fn parse(s: &str) -> Result<FDate, String> {
        let t = s.trim();
        let (approx, t) = match t.strip_prefix('~') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let bad = || {
            format!("'{s}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD, optionally after ~")
        };
        let parts: Vec<&str> = t.split('-').collect();
        let num = |p: &str, len: usize| -> Result<i64, String> {
            if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse::<i64>().map_err(|_| bad())
        };
        let d = match parts.as_slice() {
            [y] => Some(FDate::year(num(y, 4)? as i32)),
            [y, m] => FDate::month(num(y, 4)? as i32, num(m, 2)? as u8),
            [y, m, d] => FDate::day(num(y, 4)? as i32, num(m, 2)? as u8, num(d, 2)? as u8),
            _ => return Err(bad()),
        };
        let d = d.ok_or_else(|| format!("'{s}' is not a date of the calendar"))?;
        Ok(if approx { d.approximate() } else { d })
    }

    /// First day, as days since 1970-01-01.
    pub fn start_days(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }
    /// Last day, as days since 1970-01-01.
    pub fn end_days(&self) -> i64 {
        match self.precision {
            Precision::Day => self.start_days(),
            Precision::Month => {
                days_from_civil(self.year, self.month, days_in_month(self.year, self.month))
            }
            Precision::Year => days_from_civil(self.year, 12, 31),
        }
    }
    /// The enclosing month (for a day) or year (for a month); None for a year.
    pub fn parent(&self) -> Option<FDate> {
        match self.precision {
            Precision::Day => FDate::month(self.year, self.month),
            Precision::Month => Some(FDate::year(self.year)),
            Precision::Year => None,
        }
    }
    /// The same date without the approximation flag.
    pub fn exact(mut self) -> FDate {
        self.approx = false;
        self
    }
    /// True when every day of `self` lies inside `other`.
    pub fn within(&self, other: &FDate) -> bool {
        self.start_days() >= other.start_days() && self.end_days() <= other.end_days()
    }

    /// Three-valued `<`: `Some(true)` if every day of self is before every day
    /// of other, `Some(false)` if identical or wholly at/after, `None` when the
    /// intervals overlap without being identical.
    pub fn lt(&self, other: &FDate) -> Option<bool> {
        if self.precision == Precision::Day && other.precision == Precision::Day {
            // A day each: for valid dates, the order of (year, month, day)
            // is the order of their day numbers (no need to compute them).
            return Some((self.year, self.month, self.day) < (other.year, other.month, other.day));
        }
        if self == other {
            return Some(false);
        }
        if self.end_days() < other.start_days() {
            Some(true)
        } else if self.start_days() > other.end_days()
            || (self.precision == other.precision && self.start_days() >= other.start_days())
        {
            Some(false)
        } else {
            None
        }
    }
    /// Three-valued `<=`.
    pub fn le(&self, other: &FDate) -> Option<bool> {
        if self == other || self.exact() == other.exact() {
            Some(true)
        } else {
            self.lt(other)
        }
    }
    /// The total order used by ORDER BY and DISTINCT.
    pub fn total_cmp(&self, other: &FDate) -> Ordering {
        self.start_days()
            .cmp(&other.start_days())
            .then(self.precision.cmp(&other.precision))
            .then(self.approx.cmp(&other.approx))
    }
}

impl fmt::Display for FDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.approx {
            f.write_str("~")?;
        }
        match self.precision {
            Precision::Year => write!(f, "{:04}", self.year),
            Precision::Month => write!(f, "{:04}-{:02}", self.year, self.month),
            Precision::Day => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

/// Resolves a relative phrase of an article ("last year", "literally a week
/// ago", "this year", "yesterday", "last month", "next year") against the
/// article's publication date. Returns None for a phrase it does not know.
pub fn resolve_relative(phrase: &str, published: &FDate) -> Option<FDate> {
    let p = phrase.trim().to_lowercase();
    let p = p.strip_prefix("literally ").unwrap_or(&p);
    let p = p.strip_prefix("just ").unwrap_or(p);
    let day = published.start_days();
    Some(match p {
        "this year" => FDate::year(published.year),
        "last year" => FDate::year(published.year - 1),
        "next year" => FDate::year(published.year + 1),
        "this month" => FDate::month(published.year, published.month)?,
        "last month" => {
            let (y, m) = if published.month == 1 {
                (published.year - 1, 12)
            } else {
                (published.year, published.month - 1)
            };
            FDate::month(y, m)?
        }
        "today" => FDate::from_days(day),
        "yesterday" => FDate::from_days(day - 1),
        "a week ago" => FDate::from_days(day - 7).approximate(),
        "two weeks ago" => FDate::from_days(day - 14).approximate(),
        "a month ago" => FDate::from_days(day - 30).approximate(),
        "a year ago" => FDate::from_days(day - 365).approximate(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> FDate {
        FDate::parse(s).unwrap()
    }

    #[test]
    fn parses_and_prints_each_precision() {
        for s in ["2023", "2023-10", "2023-10-11", "~2024-01-11"] {
            assert_eq!(d(s).to_string(), s);
        }
        assert!(FDate::parse("2023-13").is_err());
        assert!(FDate::parse("2023-02-29").is_err());
        assert!(FDate::parse("2024-02-29").is_ok());
        assert!(FDate::parse("23-1").is_err());
    }

    /// Two days compare as their day numbers do, approximate or not,
    /// across month, year and leap-day boundaries.
    #[test]
    fn days_compare_by_their_day_numbers() {
        let days: Vec<i64> = (-800..800)
            .step_by(7)
            .chain([59, 60, 789, 790, 1155])
            .collect();
        for &a in &days {
            for &b in &days {
                let (x, y) = (FDate::from_days(a), FDate::from_days(b).approximate());
                assert_eq!(x.lt(&y), Some(a < b), "{x} < {y}");
                assert_eq!(y.lt(&x), Some(b < a), "{y} < {x}");
                assert_eq!(x.le(&y), Some(a <= b), "{x} <= {y}");
            }
        }
    }

    #[test]
    fn mixed_precision_comparison_is_interval_based() {
        // 2023 < 2023-10: October 2023 lies inside 2023, so it is unknown.
        assert_eq!(d("2023").lt(&d("2023-10")), None);
        assert_eq!(d("2023-10").lt(&d("2023")), None);
        assert_eq!(d("2022").lt(&d("2023-10")), Some(true));
        assert_eq!(d("2023-10").lt(&d("2024")), Some(true));
        assert_eq!(d("2024").lt(&d("2023-10-11")), Some(false));
        assert_eq!(d("2023").lt(&d("2023")), Some(false));
        assert_eq!(d("2023").le(&d("2023")), Some(true));
        assert_eq!(d("2023-09").lt(&d("2023-10")), Some(true));
        assert_eq!(d("2023-11").lt(&d("2023-10")), Some(false));
        assert_ne!(d("2023"), d("2023-01"));
    }

    #[test]
    fn total_order_puts_coarser_first() {
        let mut v = [d("2023-10"), d("2023"), d("2022-12-31"), d("2023-01-01")];
        v.sort_by(|a, b| a.total_cmp(b));
        let s: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        assert_eq!(s, ["2022-12-31", "2023", "2023-01-01", "2023-10"]);
    }

    #[test]
    fn relative_phrases_resolve_against_publication() {
        let p = d("2024-01-18");
        assert_eq!(resolve_relative("last year", &p), Some(d("2023")));
        assert_eq!(resolve_relative("this year", &p), Some(d("2024")));
        assert_eq!(
            resolve_relative("literally a week ago", &p),
            Some(d("~2024-01-11"))
        );
        assert_eq!(resolve_relative("last month", &p), Some(d("2023-12")));
        assert_eq!(resolve_relative("the other day", &p), None);
    }

    #[test]
    fn civil_roundtrip() {
        for z in [-800_000i64, -1, 0, 1, 19_000, 800_000] {
            let (y, m, dd) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, dd), z);
        }
    }
}
