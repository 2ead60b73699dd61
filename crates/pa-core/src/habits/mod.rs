//! Habits, scored and streaked exactly as Loop Habit Tracker does it.
//!
//! - [`score`]: habit strength, Loop's exponential score.
//! - [`streak`]: the days Loop counts as done (check-ins, the automatic days between check-ins of
//!   an N-per-period habit, skips), streaks, completion rates and a heatmap history.

pub mod score;
pub mod streak;

use std::fmt;
use std::str::FromStr;

use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::Day;

/// "N times per D days": daily is 1/1, three times a week 3/7, twice a month 2/30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Frequency {
    num: u32,
    den: u32,
}

impl Frequency {
    /// Every day.
    pub const DAILY: Frequency = Frequency { num: 1, den: 1 };
    /// Once a week.
    pub const WEEKLY: Frequency = Frequency { num: 1, den: 7 };

    /// `num` times per `den` days, 1 ≤ num ≤ den ≤ 366. N per N becomes 1 per 1, as in Loop.
    pub fn new(num: u32, den: u32) -> Result<Self> {
        if num == 0 || den == 0 {
            return Err(Error::invalid(
                "frequency",
                format!("{num}/{den}: times and days must be at least 1"),
            ));
        }
        if num > den || den > 366 {
            return Err(Error::invalid(
                "frequency",
                format!("{num}/{den}: at most once a day, over at most 366 days"),
            ));
        }
        Ok(if num == den {
            Self::DAILY
        } else {
            Self { num, den }
        })
    }

    /// Times per period.
    pub const fn num(self) -> u32 {
        self.num
    }

    /// Days per period.
    pub const fn den(self) -> u32 {
        self.den
    }

    /// num / den.
    pub fn ratio(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl FromStr for Frequency {
    type Err = Error;
    /// `N/D` (`3/7`), or `daily`, `weekly`, `N/week`, `N/month` (a month is 30 days, as in Loop).
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        let bad = || {
            Error::invalid(
                "frequency",
                format!("'{s}' is not N/D, daily, weekly, N/week or N/month"),
            )
        };
        match t.as_str() {
            "daily" => return Ok(Self::DAILY),
            "weekly" => return Ok(Self::WEEKLY),
            _ => {}
        }
        let (n, d) = t.split_once('/').ok_or_else(bad)?;
        let num: u32 = n.trim().parse().map_err(|_| bad())?;
        let den: u32 = match d.trim() {
            "week" => 7,
            "month" => 30,
            d => d.parse().map_err(|_| bad())?,
        };
        Frequency::new(num, den)
    }
}

impl TryFrom<String> for Frequency {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<Frequency> for String {
    fn from(f: Frequency) -> String {
        f.to_string()
    }
}

/// Whether a numerical habit's target is a floor or a ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// Do at least the target (run 5 km).
    AtLeast,
    /// Do at most the target (two coffees).
    AtMost,
}

/// What a habit records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HabitKind {
    /// Done or not.
    YesNo,
    /// An amount against a target, summed over the frequency's period.
    Numerical {
        /// The target per period.
        target: f64,
        /// Floor or ceiling.
        target_kind: TargetKind,
        /// The unit ("km", "pages").
        unit: String,
    },
}

/// A habit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Habit {
    /// Name ("Meditate").
    pub name: String,
    /// Category ("Health").
    pub category: Option<String>,
    /// How often.
    pub frequency: Frequency,
    /// Yes/no or numerical.
    pub kind: HabitKind,
    /// Reminder time of day, in `reminder_zone`.
    pub reminder: Option<NaiveTime>,
    /// The zone of the reminder.
    pub reminder_zone: Option<Tz>,
    /// Hidden from the daily lists.
    pub archived: bool,
}

impl Habit {
    /// Checks the name is not blank and a numerical target is finite and not negative.
    pub fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid("habit", "name must not be blank"));
        }
        if let HabitKind::Numerical { target, .. } = self.kind {
            crate::error::non_negative(&format!("target of habit '{}'", self.name), target)?;
        }
        Ok(())
    }

    /// The entry recording `value` on `day`, checked against the habit's kind: a yes/no habit
    /// takes yes, no or skip; a numerical one an amount (`no` is an amount of zero) or skip.
    pub fn entry(&self, day: Day, value: EntryValue) -> Result<HabitEntry> {
        let value = match (&self.kind, value) {
            (HabitKind::YesNo, EntryValue::Amount(a)) => {
                return Err(Error::invalid(
                    format!("habit '{}'", self.name),
                    format!("is yes/no; it takes yes, no or skip, not the amount {a}"),
                ));
            }
            (HabitKind::Numerical { unit, .. }, EntryValue::Yes) => {
                return Err(Error::invalid(
                    format!("habit '{}'", self.name),
                    format!("counts {unit}; give an amount, no or skip, not yes"),
                ));
            }
            (HabitKind::Numerical { .. }, EntryValue::No) => EntryValue::Amount(0.0),
            (_, v) => v,
        };
        let entry = HabitEntry { day, value };
        entry.validate()?;
        Ok(entry)
    }

    /// A yes/no habit.
    pub fn yes_no(name: impl Into<String>, frequency: Frequency) -> Self {
        Self {
            name: name.into(),
            category: None,
            frequency,
            kind: HabitKind::YesNo,
            reminder: None,
            reminder_zone: None,
            archived: false,
        }
    }

    /// A numerical habit; the target must be finite and not negative.
    pub fn numerical(
        name: impl Into<String>,
        frequency: Frequency,
        target: f64,
        target_kind: TargetKind,
        unit: impl Into<String>,
    ) -> Result<Self> {
        crate::error::non_negative("target", target)?;
        Ok(Self {
            kind: HabitKind::Numerical {
                target,
                target_kind,
                unit: unit.into(),
            },
            ..Self::yes_no(name, frequency)
        })
    }
}

/// What was recorded on a day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryValue {
    /// Done.
    Yes,
    /// Not done.
    No,
    /// Deliberately skipped: neither success nor failure.
    Skip,
    /// An amount, for numerical habits.
    Amount(f64),
}

impl FromStr for EntryValue {
    type Err = Error;
    /// `yes`/`y`/`true`/`done`, `no`/`n`/`false`, `skip`, or a number.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "done" | "x" => Ok(EntryValue::Yes),
            "no" | "n" | "false" => Ok(EntryValue::No),
            "skip" | "skipped" => Ok(EntryValue::Skip),
            other => match other.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(EntryValue::Amount(v)),
                _ => Err(Error::invalid(
                    "entry",
                    format!("'{s}' is not yes, no, skip or an amount ≥ 0"),
                )),
            },
        }
    }
}

/// One day's record of a habit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HabitEntry {
    /// The day.
    pub day: Day,
    /// What was recorded.
    pub value: EntryValue,
}

impl HabitEntry {
    /// Checks an amount is finite and not negative.
    pub fn validate(&self) -> Result<()> {
        if let EntryValue::Amount(v) = self.value {
            crate::error::non_negative(&format!("entry on {}", self.day), v)?;
        }
        Ok(())
    }
}

/// Entries as a dense list of days from the first entry to `last` (inclusive; the last entry when
/// `None`): `None` where nothing was recorded. Entries after `last` are left out. A later entry
/// for the same day replaces an earlier one, as in Loop. `None` when nothing is in range.
pub(crate) fn dense(
    entries: &[HabitEntry],
    last: Option<Day>,
) -> Result<Option<(Day, Vec<Option<EntryValue>>)>> {
    let Some(first) = entries.iter().map(|e| e.day).min() else {
        return Ok(None);
    };
    let end = match last {
        Some(l) => l,
        None => entries.iter().map(|e| e.day).max().unwrap_or(first),
    };
    if end < first {
        return Ok(None);
    }
    let span = first.days_until(end) + 1;
    if span > crate::fitness::pmc::MAX_SPAN_DAYS {
        return Err(Error::invalid(
            "habit entries",
            format!("span of {span} days is too long"),
        ));
    }
    let mut days = vec![None; span as usize];
    for e in entries {
        if let EntryValue::Amount(a) = e.value {
            crate::error::non_negative(&format!("amount on {}", e.day), a)?;
        }
        if e.day <= end {
            days[first.days_until(e.day) as usize] = Some(e.value);
        }
    }
    Ok(Some((first, days)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequencies() {
        assert_eq!("3/7".parse::<Frequency>().unwrap().ratio(), 3.0 / 7.0);
        assert_eq!(
            "2/month".parse::<Frequency>().unwrap(),
            Frequency::new(2, 30).unwrap()
        );
        assert_eq!("7/7".parse::<Frequency>().unwrap(), Frequency::DAILY);
        assert_eq!("weekly".parse::<Frequency>().unwrap(), Frequency::WEEKLY);
        for bad in ["0/7", "3/0", "8/7", "x", "1/400", "-1/7"] {
            assert!(bad.parse::<Frequency>().is_err(), "{bad}");
        }
        assert!(
            "0/7"
                .parse::<Frequency>()
                .unwrap_err()
                .to_string()
                .contains("0/7")
        );
    }

    #[test]
    fn entries_follow_the_kind() {
        let day: Day = "2026-12-04".parse().unwrap();
        let meditate = Habit::yes_no("Meditate", Frequency::DAILY);
        let run =
            Habit::numerical("Run", Frequency::WEEKLY, 20.0, TargetKind::AtLeast, "km").unwrap();
        assert_eq!(
            meditate.entry(day, EntryValue::Yes).unwrap(),
            HabitEntry {
                day,
                value: EntryValue::Yes
            }
        );
        assert_eq!(
            meditate.entry(day, EntryValue::Amount(2.0)).unwrap_err(),
            Error::invalid(
                "habit 'Meditate'",
                "is yes/no; it takes yes, no or skip, not the amount 2"
            )
        );
        assert_eq!(
            run.entry(day, EntryValue::Yes).unwrap_err(),
            Error::invalid(
                "habit 'Run'",
                "counts km; give an amount, no or skip, not yes"
            )
        );
        assert_eq!(
            run.entry(day, EntryValue::No).unwrap().value,
            EntryValue::Amount(0.0)
        );
        assert_eq!(
            run.entry(day, EntryValue::Skip).unwrap().value,
            EntryValue::Skip
        );
        assert!(run.entry(day, EntryValue::Amount(f64::NAN)).is_err());
    }

    #[test]
    fn entry_values() {
        assert_eq!("YES".parse::<EntryValue>().unwrap(), EntryValue::Yes);
        assert_eq!("skip".parse::<EntryValue>().unwrap(), EntryValue::Skip);
        assert_eq!(
            "2.5".parse::<EntryValue>().unwrap(),
            EntryValue::Amount(2.5)
        );
        assert!("-1".parse::<EntryValue>().is_err());
        assert!("NaN".parse::<EntryValue>().is_err());
        assert!("maybe".parse::<EntryValue>().is_err());
    }
}
