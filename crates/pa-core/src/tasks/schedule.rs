//! Schedules for recurring jobs (the seed systems' `ai_tasks`): once, daily at a time, weekly on
//! given weekdays, monthly on day N or the last day, or a cron expression, all in the user's zone.
//!
//! Every kind but "once" is turned into a cron pattern and answered by the `croner` crate, so all
//! follow one set of daylight-saving rules (the Open Cron Pattern Specification's):
//! - a run whose wall-clock time does not exist on a spring-forward day (02:30 in Berlin on the last
//!   Sunday of March) runs at the first instant after the gap (03:00), once;
//! - a run whose time occurs twice on a fall-back day runs once, at its first occurrence;
//! - interval patterns (`*/15 * * * *`) follow real time through both.
//!
//! "Monthly on day 31" runs only in months that have a 31st; use `LastDay` for month ends.

use std::str::FromStr;

use chrono::{DateTime, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use croner::Cron;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Which day of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthDay {
    /// Day 1–31.
    Nth(u32),
    /// The month's last day.
    Last,
}

/// When a job runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// Once, at an instant.
    Once {
        /// The instant.
        at: DateTime<Utc>,
    },
    /// Every day at a wall-clock time.
    Daily {
        /// Time of day.
        time: NaiveTime,
    },
    /// On the given weekdays at a wall-clock time.
    Weekly {
        /// The weekdays (at least one).
        days: Vec<Weekday>,
        /// Time of day.
        time: NaiveTime,
    },
    /// On a day of each month at a wall-clock time.
    Monthly {
        /// Which day.
        day: MonthDay,
        /// Time of day.
        time: NaiveTime,
    },
    /// A cron pattern: 5 fields, or 6 with seconds first; `L`, `W`, `#` allowed.
    Cron {
        /// The pattern.
        expression: String,
    },
}

fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MON",
        Weekday::Tue => "TUE",
        Weekday::Wed => "WED",
        Weekday::Thu => "THU",
        Weekday::Fri => "FRI",
        Weekday::Sat => "SAT",
        Weekday::Sun => "SUN",
    }
}

impl Schedule {
    /// The cron pattern this schedule means (`None` for `Once`).
    pub fn cron_pattern(&self) -> Result<Option<String>> {
        let hms = |t: &NaiveTime| format!("{} {} {}", t.second(), t.minute(), t.hour());
        Ok(Some(match self {
            Schedule::Once { .. } => return Ok(None),
            Schedule::Daily { time } => format!("{} * * *", hms(time)),
            Schedule::Weekly { days, time } => {
                if days.is_empty() {
                    return Err(Error::invalid(
                        "schedule",
                        "a weekly schedule needs at least one weekday",
                    ));
                }
                let names: Vec<&str> = days.iter().map(|d| weekday_name(*d)).collect();
                format!("{} * * {}", hms(time), names.join(","))
            }
            Schedule::Monthly { day, time } => match day {
                MonthDay::Nth(n) if (1..=31).contains(n) => format!("{} {n} * *", hms(time)),
                MonthDay::Nth(n) => {
                    return Err(Error::invalid(
                        "schedule",
                        format!("day of month {n} is not 1–31"),
                    ));
                }
                MonthDay::Last => format!("{} L * *", hms(time)),
            },
            Schedule::Cron { expression } => expression.trim().to_owned(),
        }))
    }

    fn cron(&self) -> Result<Option<Cron>> {
        let Some(pattern) = self.cron_pattern()? else {
            return Ok(None);
        };
        let parser = croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Optional)
            .build();
        parser
            .parse(&pattern)
            .map(Some)
            .map_err(|e| Error::invalid("cron expression", format!("'{pattern}': {e}")))
    }

    /// Checks the schedule (a cron expression's syntax and ranges).
    pub fn validate(&self) -> Result<()> {
        self.cron().map(|_| ())
    }

    /// The first run strictly after `after`, in `zone`; `None` when there is none (a past "once",
    /// or a pattern that never matches).
    pub fn next_run(&self, zone: Tz, after: DateTime<Utc>) -> Result<Option<DateTime<Tz>>> {
        match self {
            Schedule::Once { at } => Ok((*at > after).then(|| at.with_timezone(&zone))),
            _ => {
                let Some(cron) = self.cron()? else {
                    return Ok(None);
                };
                match cron.find_next_occurrence(&after.with_timezone(&zone), false) {
                    Ok(t) => Ok(Some(t)),
                    Err(croner::errors::CronError::TimeSearchLimitExceeded) => Ok(None),
                    Err(e) => Err(Error::invalid("schedule", e.to_string())),
                }
            }
        }
    }

    /// The runs in `(after, until]`, at most `limit`.
    pub fn runs(
        &self,
        zone: Tz,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<DateTime<Tz>>> {
        let mut out = Vec::new();
        let mut cursor = after;
        while out.len() < limit {
            match self.next_run(zone, cursor)? {
                Some(t) if t.with_timezone(&Utc) <= until => {
                    cursor = t.with_timezone(&Utc);
                    out.push(t);
                }
                _ => break,
            }
        }
        Ok(out)
    }
}

fn time_of_day(text: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| Error::invalid("schedule", format!("'{text}' is not a time (HH:MM)")))
}

impl FromStr for Schedule {
    type Err = Error;
    /// In words: `daily 09:00`, `weekly mon,thu 18:00`, `monthly 1 09:00`,
    /// `monthly last 18:00`; anything else is read as a cron pattern (`*/15 * * * *`).
    fn from_str(s: &str) -> Result<Self> {
        let words: Vec<&str> = s.split_whitespace().collect();
        let sched = match words.as_slice() {
            ["daily", time] => Schedule::Daily {
                time: time_of_day(time)?,
            },
            ["weekly", days, time] => Schedule::Weekly {
                days: days
                    .split(',')
                    .map(|d| {
                        crate::when::weekday(d).ok_or_else(|| {
                            Error::invalid("schedule", format!("'{d}' is not a weekday"))
                        })
                    })
                    .collect::<Result<_>>()?,
                time: time_of_day(time)?,
            },
            ["monthly", day, time] => Schedule::Monthly {
                day: match *day {
                    "last" => MonthDay::Last,
                    n => MonthDay::Nth(n.parse().map_err(|_| {
                        Error::invalid("schedule", format!("'{n}' is not a day of the month"))
                    })?),
                },
                time: time_of_day(time)?,
            },
            [first, ..] if ["daily", "weekly", "monthly"].contains(first) => {
                return Err(Error::invalid(
                    "schedule",
                    format!(
                        "'{}' is not daily HH:MM, weekly DAYS HH:MM or monthly N|last HH:MM",
                        s.trim()
                    ),
                ));
            }
            _ => Schedule::Cron {
                expression: s.trim().to_owned(),
            },
        };
        sched.validate()?;
        Ok(sched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_zone;

    fn berlin() -> Tz {
        parse_zone("Europe/Berlin").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn schedules_in_words() {
        let parse = |s: &str| s.parse::<Schedule>();
        assert_eq!(
            parse("daily 09:00").unwrap(),
            Schedule::Daily { time: hm(9, 0) }
        );
        assert_eq!(
            parse("weekly mon,thursday 18:30").unwrap(),
            Schedule::Weekly {
                days: vec![Weekday::Mon, Weekday::Thu],
                time: hm(18, 30)
            }
        );
        assert_eq!(
            parse("monthly last 20:00").unwrap(),
            Schedule::Monthly {
                day: MonthDay::Last,
                time: hm(20, 0)
            }
        );
        assert_eq!(
            parse("monthly 15 08:00").unwrap(),
            Schedule::Monthly {
                day: MonthDay::Nth(15),
                time: hm(8, 0)
            }
        );
        assert_eq!(
            parse("*/15 * * * *").unwrap(),
            Schedule::Cron {
                expression: "*/15 * * * *".into()
            }
        );
        assert_eq!(
            parse("weekly someday 09:00").unwrap_err(),
            Error::invalid("schedule", "'someday' is not a weekday")
        );
        assert_eq!(
            parse("monthly 32 09:00").unwrap_err(),
            Error::invalid("schedule", "day of month 32 is not 1–31")
        );
        assert_eq!(
            parse("daily").unwrap_err(),
            Error::invalid(
                "schedule",
                "'daily' is not daily HH:MM, weekly DAYS HH:MM or monthly N|last HH:MM"
            )
        );
        assert_eq!(
            parse("daily 25:00").unwrap_err(),
            Error::invalid("schedule", "'25:00' is not a time (HH:MM)")
        );
    }

    fn rfc(t: Option<DateTime<Tz>>) -> String {
        t.map(|t| t.to_rfc3339()).unwrap_or_default()
    }

    #[test]
    fn daily_across_the_spring_gap_runs_once_after_it() {
        let s = Schedule::Daily { time: hm(2, 30) };
        // Saturday 2026-03-28 02:30 CET, then Sunday: 02:30 does not exist; runs at 03:00 CEST.
        let runs = s
            .runs(
                berlin(),
                utc("2026-03-27T12:00:00Z"),
                utc("2026-03-31T00:00:00Z"),
                10,
            )
            .unwrap();
        let got: Vec<String> = runs.iter().map(|t| t.to_rfc3339()).collect();
        assert_eq!(
            got,
            [
                "2026-03-28T02:30:00+01:00",
                "2026-03-29T03:00:00+02:00",
                "2026-03-30T02:30:00+02:00"
            ]
        );
    }

    #[test]
    fn daily_in_the_fall_back_hour_runs_once() {
        let s = Schedule::Daily { time: hm(2, 30) };
        let runs = s
            .runs(
                berlin(),
                utc("2026-10-24T12:00:00Z"),
                utc("2026-10-27T00:00:00Z"),
                10,
            )
            .unwrap();
        let got: Vec<String> = runs.iter().map(|t| t.to_rfc3339()).collect();
        assert_eq!(
            got,
            ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
        );
    }

    #[test]
    fn weekly_monthly_once_and_cron() {
        let weekly = Schedule::Weekly {
            days: vec![Weekday::Mon, Weekday::Thu],
            time: hm(7, 0),
        };
        assert_eq!(
            rfc(weekly
                .next_run(berlin(), utc("2026-03-03T12:00:00Z"))
                .unwrap()),
            "2026-03-05T07:00:00+01:00"
        );
        let last = Schedule::Monthly {
            day: MonthDay::Last,
            time: hm(20, 0),
        };
        assert_eq!(
            rfc(last
                .next_run(berlin(), utc("2026-02-01T00:00:00Z"))
                .unwrap()),
            "2026-02-28T20:00:00+01:00"
        );
        let day31 = Schedule::Monthly {
            day: MonthDay::Nth(31),
            time: hm(9, 0),
        };
        assert_eq!(
            rfc(day31
                .next_run(berlin(), utc("2026-04-01T00:00:00Z"))
                .unwrap()),
            "2026-05-31T09:00:00+02:00"
        );
        let once = Schedule::Once {
            at: utc("2026-06-01T10:00:00Z"),
        };
        assert!(
            once.next_run(berlin(), utc("2026-06-01T10:00:00Z"))
                .unwrap()
                .is_none()
        );
        assert_eq!(
            rfc(once
                .next_run(berlin(), utc("2026-05-01T00:00:00Z"))
                .unwrap()),
            "2026-06-01T12:00:00+02:00"
        );
        let cron: Schedule = "*/20 9-10 * * MON-FRI".parse().unwrap();
        let runs = cron
            .runs(
                berlin(),
                utc("2026-03-02T07:30:00Z"),
                utc("2026-03-02T12:00:00Z"),
                100,
            )
            .unwrap();
        assert_eq!(runs.len(), 6);
    }

    #[test]
    fn bad_schedules_name_the_bad_part() {
        for bad in ["61 * * * *", "* * *", "0 0 32 * *", "nonsense"] {
            let err = bad.parse::<Schedule>().unwrap_err().to_string();
            assert!(
                err.starts_with("invalid cron expression") && err.contains(bad),
                "{err}"
            );
        }
        assert!(
            Schedule::Weekly {
                days: vec![],
                time: hm(1, 0)
            }
            .validate()
            .is_err()
        );
        assert!(
            Schedule::Monthly {
                day: MonthDay::Nth(0),
                time: hm(1, 0)
            }
            .validate()
            .is_err()
        );
    }
}
