//! The plain forms people write days, times and durations in (`today`, `fri`, `+3d`,
//! `2026-12-24 18:30`, `1h30m`), read against a given today and zone: every front end reads them
//! by these rules, and the core stays clock-free.
//!
//! Days: `today`, `tomorrow`, `yesterday`; a weekday (`fri`, `friday`) is the coming one, today
//! included (as GNU `date -d fri`); `+3d`, `-2d`, `+1w` count from today; `2026-12-24` is that
//! day. Times: `18:30` is today at 18:30; a day form then a time (`fri 18:30`, `2026-12-24T18:30`)
//! is that day at that time, in the zone; an RFC 3339 instant (`2026-12-24T18:30:00+01:00`) is
//! itself. A local time that a daylight-saving change skips is an error, never moved.

use chrono::{DateTime, NaiveTime, Weekday};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::time::{Day, ZonedInstant};

/// A moment as written: a whole day, or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A day, no time given.
    Day(Day),
    /// A time on a day, in a zone.
    At(ZonedInstant),
}

/// A weekday from three or more letters of its English name (`fri`, `thur`, `wednesday`).
pub fn weekday(word: &str) -> Option<Weekday> {
    let w = word.to_ascii_lowercase();
    let full = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    // Three letters or more of the name: `fri`, `thur`, `wednes`.
    full.iter()
        .find(|(name, _)| w.len() >= 3 && name.starts_with(w.as_str()))
        .map(|&(_, d)| d)
}

/// Reads a day form (`today`, `fri`, `+3d`, `2026-12-24`) against `today`.
pub fn parse_day(text: &str, today: Day) -> Result<Day> {
    let t = text.trim();
    let bad = || {
        Error::invalid(
            "day",
            format!(
                "'{t}' is not a day (today, tomorrow, yesterday, a weekday, +3d, -1w or YYYY-MM-DD)"
            ),
        )
    };
    match t.to_ascii_lowercase().as_str() {
        "today" | "tod" => return Ok(today),
        "tomorrow" | "tom" => return today.succ(),
        "yesterday" => return today.pred(),
        _ => {}
    }
    if let Some(d) = weekday(t) {
        let ahead = (7 + d.num_days_from_monday() as i64
            - today.weekday().num_days_from_monday() as i64)
            % 7;
        return today.add_days(ahead);
    }
    if let Some(rest) = t.strip_prefix(['+', '-']) {
        let sign = if t.starts_with('-') { -1 } else { 1 };
        let (num, unit) = rest.split_at(rest.len().saturating_sub(1));
        let n: i64 = num.parse().map_err(|_| bad())?;
        let days = match unit {
            "d" => n,
            "w" => n.checked_mul(7).ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        return today.add_days(sign * days);
    }
    if t.len() == 10 && t.as_bytes().get(4) == Some(&b'-') {
        return t.parse::<Day>();
    }
    Err(bad())
}

/// Reads a time of day: `18:30` or `18:30:15`.
pub fn parse_time(text: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .map_err(|_| Error::invalid("time", format!("'{text}' is not a time (HH:MM)")))
}

/// Reads a day or a moment (`18:30`, `fri 18:30`, `2026-12-24T18:30`, an RFC 3339 instant, or
/// any day form) against `today` in `zone`.
pub fn parse_when(text: &str, today: Day, zone: Tz) -> Result<When> {
    let t = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(t) {
        return Ok(When::At(ZonedInstant::new(instant.to_utc(), zone)));
    }
    let (day_part, time_part) = match t.split_once([' ', 'T']) {
        Some((d, tm)) => (Some(d), Some(tm.trim())),
        None if t.contains(':') => (None, Some(t)),
        None => (Some(t), None),
    };
    let day = match day_part {
        Some(d) => parse_day(d, today)?,
        None => today,
    };
    match time_part {
        None => Ok(When::Day(day)),
        Some(tm) => Ok(When::At(ZonedInstant::from_local(
            day.naive().and_time(parse_time(tm)?),
            zone,
        )?)),
    }
}

/// Reads a moment that must have a time of day (a reminder, an activity's start).
pub fn parse_instant(text: &str, today: Day, zone: Tz) -> Result<ZonedInstant> {
    match parse_when(text, today, zone)? {
        When::At(at) => Ok(at),
        When::Day(_) => Err(Error::invalid(
            "time",
            format!(
                "'{}' names a day but no time of day (add HH:MM)",
                text.trim()
            ),
        )),
    }
}

/// Reads a duration in seconds: `45m`, `1h30m`, `90s`, `1:05:00`, `52:30` (minutes:seconds).
pub fn parse_duration(text: &str) -> Result<f64> {
    let t = text.trim();
    let bad = || {
        Error::invalid(
            "duration",
            format!("'{t}' is not a duration (45m, 1h30m, 1:05:00)"),
        )
    };
    let seconds: u64 = if t.contains(':') {
        let parts: Vec<u64> = t
            .split(':')
            .map(|p| p.parse::<u64>().map_err(|_| bad()))
            .collect::<Result<_>>()?;
        match parts.as_slice() {
            [m, s] if *s < 60 => m.checked_mul(60).and_then(|m| m.checked_add(*s)),
            [h, m, s] if *m < 60 && *s < 60 => {
                h.checked_mul(3600).and_then(|h| h.checked_add(m * 60 + s))
            }
            _ => return Err(bad()),
        }
        .ok_or_else(bad)?
    } else {
        let mut total = 0u64;
        let mut num = String::new();
        for c in t.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let n: u64 = num.parse().map_err(|_| bad())?;
            num.clear();
            let unit = match c {
                'h' => 3600,
                'm' => 60,
                's' => 1,
                _ => return Err(bad()),
            };
            total = n
                .checked_mul(unit)
                .and_then(|n| total.checked_add(n))
                .ok_or_else(bad)?;
        }
        if !num.is_empty() {
            return Err(bad());
        }
        total
    };
    if seconds == 0 || seconds > 7 * 86_400 {
        return Err(Error::invalid(
            "duration",
            format!("'{t}' must be above zero and at most a week"),
        ));
    }
    Ok(seconds as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    #[test]
    fn day_forms() {
        // 2026-12-04 is a Friday.
        let today = day("2026-12-04");
        for (text, want) in [
            ("today", "2026-12-04"),
            ("Tomorrow", "2026-12-05"),
            ("yesterday", "2026-12-03"),
            ("fri", "2026-12-04"),
            ("friday", "2026-12-04"),
            ("sat", "2026-12-05"),
            ("mon", "2026-12-07"),
            ("thu", "2026-12-10"),
            ("+3d", "2026-12-07"),
            ("-2d", "2026-12-02"),
            ("+1w", "2026-12-11"),
            ("2026-12-24", "2026-12-24"),
        ] {
            assert_eq!(parse_day(text, today).unwrap(), day(want), "{text}");
        }
        assert_eq!(
            parse_day("fr", today).unwrap_err(),
            Error::invalid(
                "day",
                "'fr' is not a day (today, tomorrow, yesterday, a weekday, +3d, -1w or YYYY-MM-DD)"
            )
        );
        for bad in ["+3x", "+d", "2026-02-30", "someday", ""] {
            assert!(parse_day(bad, today).is_err(), "{bad}");
        }
        assert_eq!(
            parse_day("2026-02-30", today).unwrap_err(),
            "2026-02-30".parse::<Day>().unwrap_err()
        );
    }

    #[test]
    fn moments() {
        let today = day("2026-12-04");
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let at = |s: &str| match parse_when(s, today, berlin).unwrap() {
            When::At(z) => z.local().to_rfc3339(),
            When::Day(d) => d.to_string(),
        };
        assert_eq!(at("18:30"), "2026-12-04T18:30:00+01:00");
        assert_eq!(at("tomorrow 07:15"), "2026-12-05T07:15:00+01:00");
        assert_eq!(at("2026-12-24T18:30"), "2026-12-24T18:30:00+01:00");
        assert_eq!(at("2026-07-01 09:00"), "2026-07-01T09:00:00+02:00");
        assert_eq!(at("2026-12-24T18:30:00Z"), "2026-12-24T19:30:00+01:00");
        assert_eq!(at("mon"), "2026-12-07");
        // Skipped by the spring-forward change: an error, not a shifted time.
        assert_eq!(
            parse_when("2027-03-28 02:30", today, berlin).unwrap_err(),
            Error::invalid(
                "local time",
                "2027-03-28 02:30:00 does not exist in Europe/Berlin (skipped by a daylight-saving change)"
            )
        );
        assert_eq!(
            parse_when("25:00", today, berlin).unwrap_err(),
            Error::invalid("time", "'25:00' is not a time (HH:MM)")
        );
        assert_eq!(
            parse_instant("fri", today, berlin).unwrap_err(),
            Error::invalid("time", "'fri' names a day but no time of day (add HH:MM)")
        );
    }

    #[test]
    fn durations() {
        for (text, s) in [
            ("45m", 2700.0),
            ("1h30m", 5400.0),
            ("90s", 90.0),
            ("1:05:00", 3900.0),
            ("52:30", 3150.0),
        ] {
            assert_eq!(parse_duration(text).unwrap(), s, "{text}");
        }
        assert_eq!(
            parse_duration("0m").unwrap_err(),
            Error::invalid("duration", "'0m' must be above zero and at most a week")
        );
        for bad in [
            "",
            "abc",
            "1:70",
            "5x",
            "m",
            "-5m",
            "99999999999999999999h",
            "18446744073709551615h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
