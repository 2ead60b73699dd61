//! Calendar keys and time-zone aware instants.
//!
//! Rules, fixed here for the whole library:
//! - A [`Day`] is an ISO 8601 calendar date with no zone; it is the hub every daily record links to.
//!   Which day an instant belongs to is decided in the zone the instant was recorded in
//!   ([`ZonedInstant::local_day`]); days are stepped as dates, never as "+24 h".
//! - A [`Week`] is an ISO 8601 week (Monday to Sunday, week 1 holds the year's first Thursday).
//!   Its label form `W-YY` (`3-26` = week 3 of ISO year 2026) is the one the seed systems used.
//! - A [`Month`] is a calendar month.
//! - Instants are stored as UTC plus the IANA zone they came from ([`ZonedInstant`]); all-day values
//!   are [`Day`]s, never midnights.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An ISO 8601 calendar date (`2026-03-14`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Day(NaiveDate);

impl Day {
    /// The first day pa stores or asks for (0001-01-01): the start of "all of history".
    pub const EARLIEST: Day = match NaiveDate::from_ymd_opt(1, 1, 1) {
        Some(d) => Day(d),
        None => Day(NaiveDate::MIN),
    };

    /// The last day pa stores or asks for (9999-12-31). Four-digit years keep ISO text in
    /// calendar order, which stores rely on.
    pub const LATEST: Day = match NaiveDate::from_ymd_opt(9999, 12, 31) {
        Some(d) => Day(d),
        None => Day(NaiveDate::MAX),
    };

    /// Checks an inclusive window of days `[from, to]`: one that ends before it starts is an
    /// error in every read that takes one, never a silently empty answer.
    pub fn check_window(from: Day, to: Day) -> Result<()> {
        if to < from {
            return Err(Error::invalid(
                "window",
                format!("it ends on {to}, before it starts on {from}"),
            ));
        }
        Ok(())
    }

    /// The day with the given year, month (1–12) and day of month.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Self> {
        NaiveDate::from_ymd_opt(year, month, day)
            .map(Day)
            .ok_or_else(|| {
                Error::invalid(
                    "day",
                    format!("{year:04}-{month:02}-{day:02} is not a calendar date"),
                )
            })
    }

    /// Wraps a chrono date.
    pub const fn from_naive(date: NaiveDate) -> Self {
        Day(date)
    }

    /// The chrono date.
    pub const fn naive(self) -> NaiveDate {
        self.0
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// Month of the year, 1–12.
    pub fn month_number(self) -> u32 {
        self.0.month()
    }

    /// Day of the month, 1–31.
    pub fn day_of_month(self) -> u32 {
        self.0.day()
    }

    /// Day of the week.
    pub fn weekday(self) -> Weekday {
        self.0.weekday()
    }

    /// The ISO week this day falls in.
    pub fn week(self) -> Week {
        let w = self.0.iso_week();
        Week {
            year: w.year(),
            week: w.week(),
        }
    }

    /// The calendar month this day falls in.
    pub fn month(self) -> Month {
        Month {
            year: self.0.year(),
            month: self.0.month(),
        }
    }

    /// The day `n` days later (`n` may be negative); an error past chrono's range.
    pub fn add_days(self, n: i64) -> Result<Self> {
        let magnitude = Days::new(n.unsigned_abs());
        let moved = if n >= 0 {
            self.0.checked_add_days(magnitude)
        } else {
            self.0.checked_sub_days(magnitude)
        };
        moved
            .map(Day)
            .ok_or_else(|| Error::out_of_range(format!("{self} + {n} days")))
    }

    /// The next day; an error only at the end of chrono's range.
    pub fn succ(self) -> Result<Self> {
        self.add_days(1)
    }

    /// The previous day; an error only at the start of chrono's range.
    pub fn pred(self) -> Result<Self> {
        self.add_days(-1)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        (later.0 - self.0).num_days()
    }

    /// Days since 0001-01-01 (which is day 1): a cheap index for arrays of days.
    pub fn days_from_ce(self) -> i32 {
        self.0.num_days_from_ce()
    }

    /// Every day from `self` to `last`, both included (empty when `last` is earlier).
    pub fn through(self, last: Day) -> impl Iterator<Item = Day> {
        let count = self.days_until(last).max(-1) + 1;
        self.0.iter_days().take(count as usize).map(Day)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl FromStr for Day {
    type Err = Error;

    /// Parses an ISO 8601 date, `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        // chrono accepts a sign and more than 4 year digits; keep the ISO form people write.
        let well_formed = t.len() == 10
            && t.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !well_formed {
            return Err(Error::invalid(
                "date",
                format!("'{t}' is not an ISO date (YYYY-MM-DD)"),
            ));
        }
        // Read by position, the shape being checked: chrono's format parser was about 6 % of
        // the native side of reading 2,400 stored transactions (perf).
        let b = t.as_bytes();
        let number = |from: usize, to: usize| {
            b[from..to]
                .iter()
                .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
        };
        i32::try_from(number(0, 4))
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, number(5, 7), number(8, 10)))
            .map(Day)
            .ok_or_else(|| Error::invalid("date", format!("'{t}' is not a calendar date")))
    }
}

/// An ISO 8601 week: `year` is the ISO week-numbering year, which differs from the calendar year
/// around New Year (2024-12-30 is in week 1 of 2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Week {
    year: i32,
    week: u32,
}

impl Week {
    /// ISO week `week` (1–52 or 53) of ISO year `year`.
    pub fn new(year: i32, week: u32) -> Result<Self> {
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
            .map(|_| Week { year, week })
            .ok_or_else(|| Error::invalid("week", format!("ISO year {year} has no week {week}")))
    }

    /// The ISO week-numbering year.
    pub const fn year(self) -> i32 {
        self.year
    }

    /// The week number, 1–53.
    pub const fn number(self) -> u32 {
        self.week
    }

    /// The Monday that starts the week.
    pub fn first_day(self) -> Day {
        // `new` checked that this Monday exists; the fallback is unreachable but keeps us panic-free.
        Day(
            NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon)
                .unwrap_or(NaiveDate::MIN),
        )
    }

    /// The Sunday that ends the week.
    pub fn last_day(self) -> Day {
        Day(
            NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Sun)
                .unwrap_or(NaiveDate::MIN),
        )
    }

    /// The seed systems' label `W-YY`: week number without padding, two-digit ISO year (`3-26`).
    pub fn label(self) -> String {
        format!("{}-{:02}", self.week, self.year.rem_euclid(100))
    }

    /// Parses the `W-YY` label; `YY` is taken as 2000 + YY.
    pub fn from_label(label: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "week",
                format!("'{label}' is not a W-YY week label (e.g. 3-26)"),
            )
        };
        let (w, yy) = label.trim().split_once('-').ok_or_else(bad)?;
        if w.is_empty() || w.len() > 2 || yy.len() != 2 {
            return Err(bad());
        }
        let week: u32 = w.parse().map_err(|_| bad())?;
        let yy: i32 = yy.parse().map_err(|_| bad())?;
        Week::new(2000 + yy, week)
    }
}

impl fmt::Display for Week {
    /// The ISO form, `2026-W03`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

impl FromStr for Week {
    type Err = Error;

    /// Accepts the ISO form `2026-W03` or the label form `3-26`.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        if let Some((y, w)) = t.split_once("-W") {
            let bad = || Error::invalid("week", format!("'{t}' is not an ISO week (YYYY-Www)"));
            if y.len() != 4 || w.len() != 2 {
                return Err(bad());
            }
            let year: i32 = y.parse().map_err(|_| bad())?;
            let week: u32 = w.parse().map_err(|_| bad())?;
            Week::new(year, week)
        } else {
            Week::from_label(t)
        }
    }
}

impl TryFrom<String> for Week {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<Week> for String {
    fn from(w: Week) -> String {
        w.to_string()
    }
}

/// A calendar month (`2026-03`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// Month `month` (1–12) of `year`.
    pub fn new(year: i32, month: u32) -> Result<Self> {
        NaiveDate::from_ymd_opt(year, month, 1)
            .map(|_| Month { year, month })
            .ok_or_else(|| Error::invalid("month", format!("{year:04}-{month:02} is not a month")))
    }

    /// The calendar year.
    pub const fn year(self) -> i32 {
        self.year
    }

    /// The month number, 1–12.
    pub const fn number(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> Day {
        Day(NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN))
    }

    /// The last day of the month.
    pub fn last_day(self) -> Day {
        let first = self.first_day().0;
        Day(first
            .checked_add_months(chrono::Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(first))
    }

    /// Number of days in the month (28–31).
    pub fn len_days(self) -> u32 {
        self.last_day().day_of_month()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = Error;

    /// Parses `YYYY-MM`.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let bad = || Error::invalid("month", format!("'{t}' is not a month (YYYY-MM)"));
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        Month::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
    }
}

impl TryFrom<String> for Month {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<Month> for String {
    fn from(m: Month) -> String {
        m.to_string()
    }
}

/// Looks up an IANA zone name (`Europe/Berlin`); a clear error for anything else.
pub fn parse_zone(name: &str) -> Result<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        Error::invalid(
            "time zone",
            format!("'{name}' is not an IANA time zone name"),
        )
    })
}

/// An instant in UTC together with the IANA zone it was recorded in.
///
/// The zone is kept so that "which day" and "what local time" questions are answered as the person
/// experienced them, e.g. a run at 06:00 in Tokyo stays on its Tokyo morning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ZonedInstant {
    /// The instant, in UTC.
    pub utc: DateTime<Utc>,
    /// The zone it was recorded in.
    pub zone: Tz,
}

impl ZonedInstant {
    /// An instant with its zone.
    pub const fn new(utc: DateTime<Utc>, zone: Tz) -> Self {
        Self { utc, zone }
    }

    /// The instant a wall-clock time denotes in `zone`.
    ///
    /// In the repeated hour after a fall-back transition the earlier instant is chosen (the first
    /// time the clock shows that time); a time inside a spring-forward gap does not exist and is an
    /// error rather than a silent shift.
    pub fn from_local(local: NaiveDateTime, zone: Tz) -> Result<Self> {
        match zone.from_local_datetime(&local) {
            LocalResult::Single(t) => Ok(Self::new(t.with_timezone(&Utc), zone)),
            LocalResult::Ambiguous(earlier, _) => Ok(Self::new(earlier.with_timezone(&Utc), zone)),
            LocalResult::None => Err(Error::invalid(
                "local time",
                format!("{local} does not exist in {zone} (skipped by a daylight-saving change)"),
            )),
        }
    }

    /// The wall-clock time in the recorded zone.
    pub fn local(&self) -> DateTime<Tz> {
        self.utc.with_timezone(&self.zone)
    }

    /// The calendar day in the recorded zone.
    pub fn local_day(&self) -> Day {
        Day(self.local().date_naive())
    }
}

impl fmt::Display for ZonedInstant {
    /// RFC 3339 in local time followed by the zone name: `2026-03-29T06:00:00+02:00[Europe/Berlin]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.local().to_rfc3339(), self.zone)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_window_may_be_one_day_but_not_end_before_it_starts() {
        let (may, april) = (
            Day::from_ymd(2026, 5, 1).unwrap(),
            Day::from_ymd(2026, 4, 1).unwrap(),
        );
        assert_eq!(Day::check_window(may, may), Ok(()));
        assert_eq!(
            Day::check_window(may, april).unwrap_err().to_string(),
            "invalid window: it ends on 2026-04-01, before it starts on 2026-05-01"
        );
    }
    use super::*;
    use chrono::NaiveTime;

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    #[test]
    fn day_parses_only_iso_dates() {
        assert_eq!(day("2026-02-28").to_string(), "2026-02-28");
        assert_eq!(day("2024-02-29").to_string(), "2024-02-29");
        assert_eq!(day(" 0001-01-01 ").to_string(), "0001-01-01");
        assert_eq!(
            "2023-02-29".parse::<Day>(),
            Err(Error::invalid(
                "date",
                "'2023-02-29' is not a calendar date"
            ))
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "2026-01-32",
            "2026-2-28",
            "28/02/2026",
            "",
            "+2026-01-01",
            "2026-01-01T00:00",
        ] {
            assert!(bad.parse::<Day>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn day_steps_across_month_and_year() {
        assert_eq!(day("2026-12-31").succ().unwrap(), day("2027-01-01"));
        assert_eq!(day("2024-03-01").pred().unwrap(), day("2024-02-29"));
        assert_eq!(day("2026-01-01").add_days(-365).unwrap(), day("2025-01-01"));
        assert_eq!(day("2026-01-01").days_until(day("2026-03-01")), 59);
        let days: Vec<Day> = day("2026-01-30").through(day("2026-02-02")).collect();
        assert_eq!(days.len(), 4);
        assert_eq!(day("2026-01-02").through(day("2026-01-01")).count(), 0);
    }

    #[test]
    fn iso_weeks_follow_the_thursday_rule() {
        // 2024-12-30 (Monday) is in week 1 of ISO year 2025; 2027-01-01 (Friday) in week 53 of 2026.
        assert_eq!(day("2024-12-30").week(), Week::new(2025, 1).unwrap());
        assert_eq!(day("2027-01-01").week(), Week::new(2026, 53).unwrap());
        assert!(Week::new(2025, 53).is_err());
        let w = Week::new(2026, 3).unwrap();
        assert_eq!(w.first_day(), day("2026-01-12"));
        assert_eq!(w.last_day(), day("2026-01-18"));
    }

    #[test]
    fn week_label_round_trips() {
        let w = Week::new(2026, 3).unwrap();
        assert_eq!(w.label(), "3-26");
        assert_eq!(w.to_string(), "2026-W03");
        assert_eq!(Week::from_label("3-26").unwrap(), w);
        assert_eq!("2026-W03".parse::<Week>().unwrap(), w);
        assert_eq!("3-26".parse::<Week>().unwrap(), w);
        assert_eq!(Week::new(2005, 1).unwrap().label(), "1-05");
        for bad in [
            "54-26", "0-26", "3-2026", "x-26", "3_26", "2026-W3", "53-25",
        ] {
            assert!(bad.parse::<Week>().is_err(), "{bad} should be rejected");
        }
        let json = serde_json_round_trip(&w);
        assert_eq!(json, "\"2026-W03\"");
    }

    fn serde_json_round_trip<T: Serialize + for<'de> Deserialize<'de> + PartialEq + fmt::Debug>(
        v: &T,
    ) -> String {
        let s = serde_json::to_string(v).unwrap();
        let back: T = serde_json::from_str(&s).unwrap();
        assert_eq!(&back, v);
        s
    }

    #[test]
    fn months_know_their_length() {
        assert_eq!(Month::new(2024, 2).unwrap().len_days(), 29);
        assert_eq!(Month::new(2026, 12).unwrap().last_day(), day("2026-12-31"));
        assert_eq!(
            "2026-03".parse::<Month>().unwrap(),
            day("2026-03-17").month()
        );
        assert!("2026-13".parse::<Month>().is_err());
        assert_eq!(
            serde_json_round_trip(&Month::new(2026, 3).unwrap()),
            "\"2026-03\""
        );
    }

    #[test]
    fn local_day_uses_the_recorded_zone() {
        let utc = "2026-03-14T23:30:00Z".parse::<DateTime<Utc>>().unwrap();
        let tokyo = ZonedInstant::new(utc, parse_zone("Asia/Tokyo").unwrap());
        let ny = ZonedInstant::new(utc, parse_zone("America/New_York").unwrap());
        assert_eq!(tokyo.local_day(), day("2026-03-15"));
        assert_eq!(ny.local_day(), day("2026-03-14"));
        serde_json_round_trip(&tokyo);
    }

    #[test]
    fn local_times_in_dst_gaps_and_overlaps() {
        let berlin = parse_zone("Europe/Berlin").unwrap();
        let at = |d: &str, h, m| {
            day(d)
                .naive()
                .and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap())
        };
        // Spring forward: 02:30 does not exist on 2026-03-29.
        assert!(ZonedInstant::from_local(at("2026-03-29", 2, 30), berlin).is_err());
        // Fall back: 02:30 happens twice on 2026-10-25; the first (CEST, UTC+2) is chosen.
        let t = ZonedInstant::from_local(at("2026-10-25", 2, 30), berlin).unwrap();
        assert_eq!(t.utc.to_rfc3339(), "2026-10-25T00:30:00+00:00");
        assert!(parse_zone("Mars/Olympus").is_err());
    }
}
