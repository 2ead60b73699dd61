//! Recurrence per RFC 5545, expanded with the `rrule` crate.
//!
//! A rule is expanded from a wall-clock start in an IANA zone. Occurrences keep their wall-clock
//! time across daylight-saving changes. A wall-clock time that does not exist (inside a
//! spring-forward gap) is taken with the offset in force before the gap, so 02:30 becomes 03:30
//! summer time; a time that exists twice (in the fall-back hour) is its first occurrence (RFC 5545
//! §3.3.5). EXDATE and RDATE are wall-clock times in the same zone, resolved the same way; an
//! EXDATE removes the occurrence that starts at the same instant.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Most occurrences one expansion returns, so a minutely rule over decades cannot exhaust memory.
pub const MAX_OCCURRENCES: usize = 100_000;

/// A recurrence: one or more RRULEs plus extra and excluded dates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    /// RRULE values (`FREQ=WEEKLY;BYDAY=MO,WE`), without the `RRULE:` prefix.
    pub rrules: Vec<String>,
    /// Extra occurrences (RDATE), wall-clock in the event's zone.
    pub rdates: Vec<NaiveDateTime>,
    /// Removed occurrences (EXDATE), wall-clock in the event's zone.
    pub exdates: Vec<NaiveDateTime>,
}

impl Recurrence {
    /// A recurrence of one rule, checked.
    pub fn rule(rrule: &str) -> Result<Self> {
        let r = Self {
            rrules: vec![rrule.trim().trim_start_matches("RRULE:").to_owned()],
            ..Self::default()
        };
        r.validate()?;
        Ok(r)
    }

    /// Checks every rule's syntax and values.
    pub fn validate(&self) -> Result<()> {
        let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default();
        self.rule_set(start, chrono_tz::UTC, None).map(|_| ())
    }

    /// The rules as a set over floating wall-clock time: DTSTART is the local time written as if it
    /// were UTC, and a UTC `UNTIL` is turned into the local wall-clock time in `tz` first. Expanding
    /// in wall-clock time and placing each occurrence in the zone afterwards is what keeps a 02:30
    /// rule at 02:30 even when its first occurrence falls in a gap (python-dateutil does the same).
    ///
    /// With `window` (the wall-clock time from which occurrences are wanted), rules that repeat
    /// within a day (HOURLY, MINUTELY, SECONDLY) without COUNT start from a later DTSTART: the
    /// last one before the window that is a whole number of both days and the rules' periods
    /// after the real one. Such a rule's occurrences are DTSTART plus whole periods, filtered by
    /// its BY parts (which look at the time of day or the date only), so the set from the window
    /// on is the same, and the cost is that of the occurrences near the window instead of every
    /// one since the event began (a SECONDLY rule from years ago took 40 s to reach today).
    /// `None` when every rule ended (UNTIL) before the window.
    fn rule_set(
        &self,
        start: NaiveDateTime,
        tz: Tz,
        window: Option<NaiveDateTime>,
    ) -> Result<Option<rrule::RRuleSet>> {
        let floating = |t: NaiveDateTime| Utc.from_utc_datetime(&t).with_timezone(&rrule::Tz::UTC);
        let mut rules = Vec::with_capacity(self.rrules.len());
        for text in &self.rrules {
            let text = text.trim().trim_start_matches("RRULE:");
            // RFC 5545 rules are ASCII; the rrule crate (0.14) slices them by byte and panics
            // inside a multi-byte character (found by fuzzing `BYDAY=1<U+FFFD>`).
            if !text.is_ascii() {
                return Err(Error::invalid(
                    "RRULE",
                    format!("'{text}' has characters other than ASCII"),
                ));
            }
            if text.to_ascii_uppercase().contains("DTSTART") {
                return Err(Error::invalid(
                    "RRULE",
                    "DTSTART belongs in the event, not in the rule",
                ));
            }
            // RFC 5545 makes INTERVAL a positive integer; the crate would take 0.
            if let Some(v) = text
                .split(';')
                .find_map(|p| p.trim().strip_prefix("INTERVAL="))
                .filter(|v| v.parse::<u32>().map_or(true, |n| n == 0))
            {
                return Err(Error::invalid(
                    "RRULE",
                    format!("'{text}': INTERVAL={v} must be a positive integer"),
                ));
            }
            let rewritten = floating_until(text, tz)?;
            let rule: rrule::RRule<rrule::Unvalidated> =
                rewritten.parse().map_err(|e: rrule::RRuleError| {
                    Error::invalid("RRULE", format!("'{text}': {e}"))
                })?;
            if let Some(part) = unreliable_sub_hourly(&rule) {
                return Err(Error::invalid(
                    "RRULE",
                    format!(
                        "'{text}': FREQ={} with {part} is not supported (the rrule crate loses \
                         or adds occurrences of such rules)",
                        rule.get_freq()
                    ),
                ));
            }
            // No calendar has a series this long; a bound keeps every expansion's cost bounded.
            if rule
                .get_count()
                .is_some_and(|n| n as usize > MAX_OCCURRENCES)
            {
                return Err(Error::invalid(
                    "RRULE",
                    format!("'{text}': COUNT above {MAX_OCCURRENCES} is not supported"),
                ));
            }
            // Checked against the real start, whatever the expansion starts from.
            rule.clone()
                .validate(floating(start))
                .map_err(|e| Error::invalid("RRULE", format!("'{text}': {e}")))?;
            rules.push((text.to_owned(), rule));
        }
        let mut first = start;
        if let Some(window) = window {
            if !rules.is_empty()
                && rules
                    .iter()
                    .all(|(_, r)| r.get_until().is_some_and(|u| u.naive_utc() < window))
            {
                return Ok(None);
            }
            if let Some(step) = sub_daily_step(rules.iter().map(|(_, r)| r)) {
                let behind = (window - start).num_seconds();
                if behind > step {
                    first = start + Duration::seconds(behind / step * step - step);
                }
            }
            // A rule that ended before the later start adds nothing from it on (and the crate
            // refuses an UNTIL before DTSTART).
            rules.retain(|(_, r)| r.get_until().is_none_or(|u| u.naive_utc() >= first));
            if rules.is_empty() {
                return Ok(None);
            }
        }
        // The crate's iteration limit: a rule that yields nothing for 100,000 periods in a row
        // ends there. Without it `FREQ=MINUTELY;BYSETPOS=9` (found by fuzzing) searched minute
        // by minute towards the year 9999, as python-dateutil does; no rule worth keeping has
        // such a gap (a day's filter skips whole days, so Feb 29 rules take ~1,500 periods).
        let mut set = rrule::RRuleSet::new(floating(first)).limit();
        for (text, rule) in rules {
            let rule = rule
                .validate(floating(first))
                .map_err(|e| Error::invalid("RRULE", format!("'{text}': {e}")))?;
            set = set.rrule(rule);
        }
        Ok(Some(set))
    }

    /// The wall-clock start of the last occurrence of a finite recurrence (every rule has COUNT
    /// or UNTIL), RDATEs included; `None` when it repeats forever or has more than
    /// [`MAX_OCCURRENCES`] occurrences (treated as open-ended).
    pub fn last_start(&self, start: NaiveDateTime, tz: Tz) -> Result<Option<NaiveDateTime>> {
        let finite = self.rrules.iter().all(|r| {
            let r = r.to_ascii_uppercase();
            r.contains("COUNT=") || r.contains("UNTIL=")
        });
        if !finite {
            return Ok(None);
        }
        let mut last = if self.rrules.is_empty() {
            Some(start)
        } else {
            let mut last = None;
            let set = self.rule_set(start, tz, None)?;
            for (i, t) in set.iter().flatten().enumerate() {
                if i >= MAX_OCCURRENCES {
                    return Ok(None);
                }
                last = Some(t.naive_utc());
            }
            last
        };
        for r in &self.rdates {
            last = last.max(Some(*r));
        }
        Ok(last)
    }

    /// The start instants of the occurrences that start in `[from, to)`, in order, for an event
    /// whose first occurrence is at wall-clock `start` in `tz`. As in python-dateutil, a `start`
    /// that does not match the rule is not an occurrence (RFC 5545 leaves that case undefined); with
    /// no rule at all, `start` and the RDATEs are the occurrences.
    pub fn expand(
        &self,
        start: NaiveDateTime,
        tz: Tz,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Tz>>> {
        self.expand_with(start, tz, from, to, true)
    }

    /// [`Recurrence::expand`]; `skip` lets sub-daily rules start near the window (the tests
    /// compare it with the expansion from the real start).
    fn expand_with(
        &self,
        start: NaiveDateTime,
        tz: Tz,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        skip: bool,
    ) -> Result<Vec<DateTime<Tz>>> {
        // Rules are expanded from a day before the window (in wall-clock time), so that whatever
        // the zone's offset the first occurrence inside it is seen.
        let window = from.with_timezone(&tz).naive_local() - Duration::days(1);
        let set = self.rule_set(start, tz, skip.then_some(window))?;
        let excluded: Vec<DateTime<Utc>> = self
            .exdates
            .iter()
            .map(|d| resolve_local(*d, tz).map(|t| t.with_timezone(&Utc)))
            .collect::<Result<_>>()?;
        let mut out: Vec<DateTime<Tz>> = Vec::new();
        let push = |t: DateTime<Tz>, out: &mut Vec<DateTime<Tz>>| -> Result<()> {
            let utc = t.with_timezone(&Utc);
            if utc >= from && utc < to && !excluded.contains(&utc) {
                if out.len() >= MAX_OCCURRENCES {
                    return Err(Error::invalid(
                        "recurrence",
                        format!("more than {MAX_OCCURRENCES} occurrences in the window"),
                    ));
                }
                out.push(t);
            }
            Ok(())
        };
        if self.rrules.is_empty() {
            push(resolve_local(start, tz)?, &mut out)?;
        } else if let Some(set) = &set {
            // Wall-clock order equals instant order but for an hour around fall-back: a day's
            // margin past `to` is enough to have seen everything before it.
            let stop = to.with_timezone(&tz).naive_local() + Duration::days(1);
            for t in set {
                let local = t.naive_utc();
                if local >= stop {
                    break;
                }
                push(resolve_local(local, tz)?, &mut out)?;
            }
        }
        for r in &self.rdates {
            push(resolve_local(*r, tz)?, &mut out)?;
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// The step by which the start of `rules` may move forward without changing their occurrences:
/// the least common multiple of a day and every rule's period (INTERVAL hours, minutes or
/// seconds), when every rule repeats within a day and has no COUNT (which counts from the real
/// start). `None` otherwise, or when the step is longer than a year (the rules are then sparse
/// enough to expand from the start).
fn sub_daily_step<'a>(
    rules: impl IntoIterator<Item = &'a rrule::RRule<rrule::Unvalidated>>,
) -> Option<i64> {
    fn gcd(a: i64, b: i64) -> i64 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    const DAY: i64 = 86_400;
    let mut step = DAY;
    for r in rules {
        let unit = match r.get_freq() {
            rrule::Frequency::Hourly => 3_600,
            rrule::Frequency::Minutely => 60,
            rrule::Frequency::Secondly => 1,
            _ => return None,
        };
        if r.get_count().is_some() {
            return None;
        }
        let period = unit * i64::from(r.get_interval().max(1));
        step = step / gcd(step, period) * period;
        if step > 366 * DAY {
            return None;
        }
    }
    Some(step)
}

/// The part of a MINUTELY or SECONDLY rule that rrule 0.14 expands wrongly, if it has one. When a
/// day is filtered out, the crate jumps to the day's end once per unit of carry (minute, then
/// hour), skipping whole days: `FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=2;BYHOUR=9;BYMINUTE=0` gave
/// nothing in five years. And when BYHOUR or BYMINUTE filter at an INTERVAL that neither divides
/// an hour's minutes nor is a whole number of them, its carry skips whole hours where
/// python-dateutil steps on. Against dateutil, 307 random sub-hourly rules agreed whenever this
/// answers `None`; refusing is better than a calendar that is quietly wrong.
fn unreliable_sub_hourly(rule: &rrule::RRule<rrule::Unvalidated>) -> Option<&'static str> {
    if !matches!(
        rule.get_freq(),
        rrule::Frequency::Minutely | rrule::Frequency::Secondly
    ) {
        return None;
    }
    let day_filters = [
        ("BYMONTH", rule.get_by_month().is_empty()),
        ("BYMONTHDAY", rule.get_by_month_day().is_empty()),
        ("BYYEARDAY", rule.get_by_year_day().is_empty()),
        ("BYDAY", rule.get_by_weekday().is_empty()),
    ];
    if let Some((part, _)) = day_filters.iter().find(|(_, empty)| !empty) {
        return Some(part);
    }
    let interval = u32::from(rule.get_interval());
    let even = interval == 0 || 60 % interval == 0 || interval % 60 == 0;
    match (
        rule.get_by_hour().is_empty(),
        rule.get_by_minute().is_empty(),
    ) {
        _ if even => None,
        (false, _) => Some("BYHOUR at this INTERVAL"),
        (_, false) => Some("BYMINUTE at this INTERVAL"),
        (true, true) => None,
    }
}

/// The rule text with `UNTIL` as a wall-clock time in `tz` (for floating expansion). A UTC value
/// (`…Z`) is converted; a date is taken as midnight UTC, as recurring-ical-events does (RFC 5545
/// wants a date-time when DTSTART is one, and calendars that write a date mean "up to that day");
/// a local date-time is already wall-clock.
fn floating_until(text: &str, tz: Tz) -> Result<String> {
    let parts: Vec<String> = text
        .split(';')
        .map(|p| {
            let Some(value) = p.trim().strip_prefix("UNTIL=") else {
                return Ok(p.trim().to_owned());
            };
            let bad = || {
                Error::invalid(
                    "RRULE",
                    format!("'{text}': UNTIL={value} is not YYYYMMDD or YYYYMMDDTHHMMSS[Z]"),
                )
            };
            let local = if let Some(utc) = value.strip_suffix('Z') {
                let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
                Utc.from_utc_datetime(&t).with_timezone(&tz).naive_local()
            } else if value.len() == 8 {
                let d = chrono::NaiveDate::parse_from_str(value, "%Y%m%d").map_err(|_| bad())?;
                let t = d.and_hms_opt(0, 0, 0).unwrap_or_default();
                Utc.from_utc_datetime(&t).with_timezone(&tz).naive_local()
            } else {
                NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").map_err(|_| bad())?
            };
            Ok(format!("UNTIL={}Z", local.format("%Y%m%dT%H%M%S")))
        })
        .collect::<Result<_>>()?;
    Ok(parts.join(";"))
}

/// The instant a wall-clock time denotes in `tz`, by RFC 5545's rules: in a gap, the offset before
/// the gap; in an overlap, the first occurrence.
pub fn resolve_local(local: NaiveDateTime, tz: Tz) -> Result<DateTime<Tz>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t),
        LocalResult::Ambiguous(first, _) => Ok(first),
        LocalResult::None => {
            // The offset before the gap is the one in force an hour or so earlier (gaps are short).
            let before = local - Duration::hours(3);
            let offset = match tz.from_local_datetime(&before) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.offset().fix(),
                LocalResult::None => {
                    return Err(Error::invalid(
                        "local time",
                        format!("{local} cannot be placed in {tz}"),
                    ));
                }
            };
            let utc = local - Duration::seconds(i64::from(offset.local_minus_utc()));
            Ok(Utc.from_utc_datetime(&utc).with_timezone(&tz))
        }
    }
}

use chrono::Offset;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_zone;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn expand(rule: &str, start: &str, zone: &str, from: &str, to: &str) -> Vec<String> {
        Recurrence::rule(rule)
            .unwrap()
            .expand(local(start), parse_zone(zone).unwrap(), utc(from), utc(to))
            .unwrap()
            .iter()
            .map(|t| t.to_rfc3339())
            .collect()
    }

    #[test]
    fn rules_with_other_than_ascii_are_errors_not_panics() {
        for rule in [
            "FREQ=WEEKLY;BYDAY=1\u{fffd}",
            "FREQ=DAILY;BYHOUR=\u{e9}",
            "FREQ=M\u{f6}NTHLY",
        ] {
            assert!(Recurrence::rule(rule).is_err(), "{rule}");
        }
    }

    #[test]
    fn a_rule_that_never_yields_ends_and_sparse_rules_still_expand() {
        let decade = |rule| {
            expand(
                rule,
                "2024-01-01T09:00:00",
                "Europe/Berlin",
                "2024-01-01T00:00:00Z",
                "2034-01-01T00:00:00Z",
            )
        };
        // Found by fuzzing: searched minute by minute towards the year 9999.
        assert!(decade("FREQ=MINUTELY;BYSETPOS=9").is_empty());
        // Sparse at a fine frequency: each hour's filter skips whole hours.
        let daily = decade("FREQ=SECONDLY;BYHOUR=9;BYMINUTE=0;BYSECOND=0");
        assert_eq!(daily.len(), 3653);
        assert_eq!(
            decade("FREQ=MINUTELY;INTERVAL=15;BYHOUR=9,10").len(),
            3653 * 8
        );
    }

    #[test]
    fn sub_hourly_rules_the_crate_gets_wrong_are_refused() {
        for rule in [
            // It gave no occurrence in five years; February 2 comes every year.
            "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=2;BYHOUR=9;BYMINUTE=0",
            "FREQ=MINUTELY;BYDAY=FR;BYHOUR=9;BYMINUTE=0",
            "FREQ=SECONDLY;BYYEARDAY=1",
            "FREQ=MINUTELY;INTERVAL=7;BYHOUR=9,11",
            "FREQ=SECONDLY;INTERVAL=90;BYMINUTE=5",
        ] {
            let err = Recurrence::rule(rule).unwrap_err().to_string();
            assert!(err.contains("not supported"), "{rule}: {err}");
        }
        // The same filters at an hourly rate, and sub-hourly rules at an even interval, stay.
        for rule in [
            "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=2;BYHOUR=9",
            "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,11",
            "FREQ=SECONDLY;INTERVAL=120;BYMINUTE=5",
            "FREQ=MINUTELY;INTERVAL=7;BYSECOND=15;BYSETPOS=1",
        ] {
            assert!(Recurrence::rule(rule).is_ok(), "{rule}");
        }
    }

    #[test]
    fn weekly_keeps_wall_clock_across_dst() {
        let got = expand(
            "FREQ=WEEKLY;COUNT=3",
            "2026-03-22T09:00:00",
            "Europe/Berlin",
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        );
        assert_eq!(
            got,
            [
                "2026-03-22T09:00:00+01:00",
                "2026-03-29T09:00:00+02:00",
                "2026-04-05T09:00:00+02:00"
            ]
        );
    }

    #[test]
    fn gap_and_overlap_follow_rfc_5545() {
        // 02:30 does not exist on 2026-03-29 in Berlin: taken at +01:00, i.e. 03:30 summer time.
        let got = expand(
            "FREQ=DAILY;COUNT=3",
            "2026-03-28T02:30:00",
            "Europe/Berlin",
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        );
        assert_eq!(
            got,
            [
                "2026-03-28T02:30:00+01:00",
                "2026-03-29T03:30:00+02:00",
                "2026-03-30T02:30:00+02:00"
            ]
        );
        // 02:30 happens twice on 2026-10-25: the first (summer time) only.
        let got = expand(
            "FREQ=DAILY;COUNT=3",
            "2026-10-24T02:30:00",
            "Europe/Berlin",
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        );
        assert_eq!(
            got,
            [
                "2026-10-24T02:30:00+02:00",
                "2026-10-25T02:30:00+02:00",
                "2026-10-26T02:30:00+01:00"
            ]
        );
    }

    #[test]
    fn last_friday_bysetpos_and_leap_days() {
        let got = expand(
            "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3",
            "2026-01-30T18:00:00",
            "UTC",
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        );
        assert_eq!(
            got,
            [
                "2026-01-30T18:00:00+00:00",
                "2026-02-27T18:00:00+00:00",
                "2026-03-27T18:00:00+00:00"
            ]
        );
        let got = expand(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
            "2026-01-30T09:00:00",
            "UTC",
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        );
        assert_eq!(
            got,
            [
                "2026-01-30T09:00:00+00:00",
                "2026-02-27T09:00:00+00:00",
                "2026-03-31T09:00:00+00:00"
            ]
        );
        let got = expand(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "2024-02-29T12:00:00",
            "UTC",
            "2024-01-01T00:00:00Z",
            "2033-01-01T00:00:00Z",
        );
        assert_eq!(
            got,
            [
                "2024-02-29T12:00:00+00:00",
                "2028-02-29T12:00:00+00:00",
                "2032-02-29T12:00:00+00:00"
            ]
        );
    }

    #[test]
    fn window_exdate_rdate() {
        let mut r = Recurrence::rule("FREQ=DAILY").unwrap();
        r.exdates = vec![local("2026-05-02T08:00:00")];
        r.rdates = vec![local("2026-05-10T20:00:00")];
        let got: Vec<String> = r
            .expand(
                local("2026-05-01T08:00:00"),
                parse_zone("UTC").unwrap(),
                utc("2026-05-01T00:00:00Z"),
                utc("2026-05-04T00:00:00Z"),
            )
            .unwrap()
            .iter()
            .map(|t| t.to_rfc3339())
            .collect();
        assert_eq!(
            got,
            ["2026-05-01T08:00:00+00:00", "2026-05-03T08:00:00+00:00"]
        );
        let with_rdate = r
            .expand(
                local("2026-05-01T08:00:00"),
                parse_zone("UTC").unwrap(),
                utc("2026-05-09T00:00:00Z"),
                utc("2026-05-11T00:00:00Z"),
            )
            .unwrap();
        assert_eq!(with_rdate.len(), 3);
    }

    #[test]
    fn bad_rules_name_the_bad_part() {
        for bad in [
            "FREQ=SOMETIMES",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=WEEKLY;BYDAY=XX",
            "FREQ=MONTHLY;BYMONTHDAY=32",
            "DTSTART:20260101T000000Z",
        ] {
            let err = Recurrence::rule(bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid RRULE"), "{bad}: {err}");
        }
        let err = Recurrence::rule("FREQ=SOMETIMES").unwrap_err().to_string();
        assert!(err.contains("SOMETIMES"), "{err}");
    }

    #[test]
    fn resolve_gap_and_overlap() {
        let ny = parse_zone("America/New_York").unwrap();
        assert_eq!(
            resolve_local(local("2026-03-08T02:30:00"), ny)
                .unwrap()
                .to_rfc3339(),
            "2026-03-08T03:30:00-04:00"
        );
        assert_eq!(
            resolve_local(local("2026-11-01T01:30:00"), ny)
                .unwrap()
                .to_rfc3339(),
            "2026-11-01T01:30:00-04:00"
        );
    }

    /// Rules that repeat within a day start near the window instead of at the event's start: the
    /// occurrences are those of the expansion from the real start, for every kind of such rule,
    /// across a daylight-saving change, and the rule that hung the briefing is quick.
    #[test]
    fn sub_daily_rules_expand_from_near_the_window_with_the_same_occurrences() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let start = local("2026-01-05T09:17:23");
        let rules = [
            "FREQ=HOURLY",
            "FREQ=HOURLY;INTERVAL=5",
            "FREQ=HOURLY;INTERVAL=7;BYMINUTE=0,30",
            "FREQ=HOURLY;INTERVAL=2;BYHOUR=8,10,12,14",
            "FREQ=HOURLY;BYDAY=MO,TH;BYHOUR=9",
            "FREQ=HOURLY;INTERVAL=3;UNTIL=20260330T000000Z",
            "FREQ=MINUTELY;INTERVAL=15",
            "FREQ=MINUTELY;INTERVAL=7",
            "FREQ=MINUTELY;INTERVAL=90",
            "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,17",
            "FREQ=SECONDLY;INTERVAL=13",
            "FREQ=SECONDLY;INTERVAL=30;BYSECOND=0",
            "FREQ=SECONDLY;BYMINUTE=0;BYSECOND=0",
        ];
        let two = Recurrence {
            rrules: vec![
                "FREQ=HOURLY;UNTIL=20260201T000000Z".into(),
                "FREQ=HOURLY;INTERVAL=5".into(),
            ],
            ..Recurrence::default()
        };
        for (from, to) in [
            ("2026-01-31T12:00:00Z", "2026-02-01T12:00:00Z"),
            ("2026-03-28T23:00:00Z", "2026-03-29T23:00:00Z"),
        ] {
            let (from, to) = (utc(from), utc(to));
            assert_eq!(
                two.expand_with(start, tz, from, to, true).unwrap(),
                two.expand_with(start, tz, from, to, false).unwrap(),
                "two rules, one ended, in {from}..{to}"
            );
        }
        // Windows of a day around the spring change (29 March) and later.
        for rule in rules {
            let r = Recurrence::rule(rule).unwrap();
            for (from, to) in [
                ("2026-03-28T23:00:00Z", "2026-03-29T23:00:00Z"),
                ("2026-03-30T10:00:00Z", "2026-03-30T12:00:00Z"),
                ("2026-02-14T00:00:00Z", "2026-02-15T00:00:00Z"),
            ] {
                let (from, to) = (utc(from), utc(to));
                let fast = r.expand_with(start, tz, from, to, true).unwrap();
                let slow = r.expand_with(start, tz, from, to, false).unwrap();
                assert_eq!(fast, slow, "{rule} in {from}..{to}");
            }
        }
        // One event every second since 2016: a day ten years on is 86,400 occurrences, found
        // without walking the 300 million before it.
        let every_second = Recurrence::rule("FREQ=SECONDLY").unwrap();
        let day = every_second
            .expand(
                local("2016-01-01T00:00:00"),
                tz,
                utc("2026-12-03T23:00:00Z"),
                utc("2026-12-04T23:00:00Z"),
            )
            .unwrap();
        assert_eq!(day.len(), 86_400);
        assert_eq!(day[0].naive_local(), local("2026-12-04T00:00:00"));
        // A rule that ended before the window gives nothing, at no cost.
        let ended = Recurrence::rule("FREQ=SECONDLY;UNTIL=20160102T000000Z").unwrap();
        assert_eq!(
            ended
                .expand(
                    local("2016-01-01T00:00:00"),
                    tz,
                    utc("2026-12-03T23:00:00Z"),
                    utc("2026-12-04T23:00:00Z")
                )
                .unwrap(),
            Vec::<DateTime<Tz>>::new()
        );
        // A series longer than any calendar keeps is refused when it is stored.
        assert_eq!(
            Recurrence::rule("FREQ=SECONDLY;COUNT=100001").unwrap_err(),
            Error::invalid(
                "RRULE",
                "'FREQ=SECONDLY;COUNT=100001': COUNT above 100000 is not supported"
            )
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Any sub-daily rule without COUNT, started from near the window, gives the occurrences
        /// of its expansion from the real start: random frequency, interval, BY parts, UNTIL,
        /// zone, start and window (up to 40 days on, so the full expansion stays affordable).
        #[test]
        fn starting_near_the_window_never_changes_the_occurrences(
            freq in 0usize..3,
            interval in 1u32..200,
            by_hour in proptest::option::of(proptest::collection::btree_set(0u32..24, 1..4)),
            by_minute in proptest::option::of(proptest::collection::btree_set(0u32..60, 1..4)),
            by_second in proptest::option::of(proptest::collection::btree_set(0u32..60, 1..3)),
            until_days in proptest::option::of(1i64..40),
            zone in 0usize..3,
            start_s in 0i64..86_400,
            window_days in 1i64..40,
            window_len_h in 1i64..48,
        ) {
            let name = ["HOURLY", "MINUTELY", "SECONDLY"][freq];
            let list = |v: &std::collections::BTreeSet<u32>| {
                v.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
            };
            let mut rule = format!("FREQ={name};INTERVAL={interval}");
            if let Some(h) = &by_hour { rule += &format!(";BYHOUR={}", list(h)); }
            if let Some(m) = &by_minute { rule += &format!(";BYMINUTE={}", list(m)); }
            if let Some(x) = &by_second { rule += &format!(";BYSECOND={}", list(x)); }
            let start = local("2026-03-01T00:00:00") + Duration::seconds(start_s);
            if let Some(d) = until_days {
                rule += &format!(";UNTIL={}Z", (start + Duration::days(d)).format("%Y%m%dT%H%M%S"));
            }
            // Rules refused for the crate's sake are not this test's business.
            let Ok(r) = Recurrence::rule(&rule) else { return Ok(()); };
            let tz: Tz = ["Europe/Berlin", "America/New_York", "UTC"][zone].parse().unwrap();
            let from = utc("2026-03-01T00:00:00Z") + Duration::days(window_days);
            let to = from + Duration::hours(window_len_h);
            let fast = r.expand_with(start, tz, from, to, true);
            let slow = r.expand_with(start, tz, from, to, false);
            // Both refuse the same over-full windows, or agree.
            proptest::prop_assert_eq!(fast, slow, "{}", rule);
        }
    }
}
