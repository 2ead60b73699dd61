//! Today's briefing: what a person wants to see in the morning, as one serialisable value.
//!
//! Rules:
//! - the agenda is the day's occurrences in the user's zone, cancelled ones left out;
//! - tasks: open tasks due today and overdue ones ([`crate::tasks`] rules);
//! - habits: each habit, whether it is done today, and its current and longest streak;
//! - form: the PMC row of the day (the convention the caller gives), in [`Form`]'s bands;
//! - sleep: the health record of the day (devices file last night's sleep under the morning it
//!   ends), else of the day before; HRV status as [`crate::fitness::trends::hrv_status`] gives it;
//! - money: each budget of the month as of the day, and net worth per currency with its change
//!   over a week and a month;
//! - reminders due by `now` and not yet sent;
//! - no one event can fail or flood the briefing: one that cannot be expanded is left out, and a
//!   series is cut to [`crate::calendar::AGENDA_SERIES_CAP`] occurrences, each with a note.

use serde::{Deserialize, Serialize};

use crate::calendar::Occurrence;
use crate::error::Result;
use crate::finance::budget::BudgetStatus;
use crate::fitness::pmc::Form;
use crate::fitness::trends::HrvDay;
use crate::tasks::{Reminder, Task};
use crate::time::{Day, ZonedInstant};

/// The day a briefing is for and the instant it is judged at: `day`, or today in `zone`; today
/// is judged `now`, any other day at 08:00 that morning (so "due today" and reminders read as they
/// would have then, or will).
pub fn moment(
    day: Option<Day>,
    now: chrono::DateTime<chrono::Utc>,
    zone: chrono_tz::Tz,
) -> Result<(Day, chrono::DateTime<chrono::Utc>)> {
    let today = ZonedInstant::new(now, zone).local_day();
    let day = day.unwrap_or(today);
    if day == today {
        return Ok((day, now));
    }
    let morning = day.naive().and_hms_opt(8, 0, 0).unwrap_or_default();
    Ok((day, ZonedInstant::from_local(morning, zone)?.utc))
}

/// Training form on the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormToday {
    /// Chronic training load (fitness).
    pub ctl: f64,
    /// Acute training load (fatigue).
    pub atl: f64,
    /// Training stress balance (form).
    pub tsb: f64,
    /// CTL ramp.
    pub ramp: f64,
    /// The band the balance falls in ([`Form::from_tsb`]).
    pub form: Form,
    /// The band for people ([`Form::describe`]).
    pub reading: String,
}

/// A habit today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HabitToday {
    /// Its name.
    pub name: String,
    /// Whether today's entry is done.
    pub done_today: bool,
    /// Current streak, in the habit's periods.
    pub current_streak: u32,
    /// Longest streak.
    pub longest_streak: u32,
}

/// Last night.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SleepToday {
    /// The day the record is filed under.
    pub day: Day,
    /// Total sleep, seconds.
    pub total_s: Option<f64>,
    /// Sleep score.
    pub score: Option<f64>,
    /// Resting heart rate.
    pub resting_hr_bpm: Option<f64>,
    /// HRV status on that day.
    pub hrv: Option<HrvDay>,
}

/// Net worth in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetWorthToday {
    /// ISO 4217 code.
    pub currency: String,
    /// Net worth, exact decimal.
    pub net_worth: rust_decimal::Decimal,
    /// Change over 7 days.
    pub change_week: Option<rust_decimal::Decimal>,
    /// Change since the same day last month.
    pub change_month: Option<rust_decimal::Decimal>,
}

/// Today's briefing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Briefing {
    /// The day.
    pub day: Day,
    /// The day's occurrences, in start order.
    pub agenda: Vec<Occurrence>,
    /// Open tasks due today.
    pub tasks_due: Vec<Task>,
    /// Open tasks past due.
    pub tasks_overdue: Vec<Task>,
    /// Habits.
    pub habits: Vec<HabitToday>,
    /// Training form, when there are loads.
    pub form: Option<FormToday>,
    /// Last night, when recorded.
    pub sleep: Option<SleepToday>,
    /// The month's budgets as of today.
    pub budgets: Vec<BudgetStatus>,
    /// Net worth per currency.
    pub net_worth: Vec<NetWorthToday>,
    /// Reminders due.
    pub reminders: Vec<Reminder>,
    /// What the briefing had to leave out or cut short (an event that cannot be expanded, a
    /// series of more than [`crate::calendar::AGENDA_SERIES_CAP`] occurrences), in plain words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_judged_now_and_other_days_at_eight() {
        let zone: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        let now = "2026-11-21T20:30:00Z".parse().unwrap();
        assert_eq!(
            moment(None, now, zone).unwrap(),
            ("2026-11-21".parse().unwrap(), now)
        );
        let (day, at) = moment(Some("2026-11-20".parse().unwrap()), now, zone).unwrap();
        assert_eq!(day.to_string(), "2026-11-20");
        assert_eq!(
            at,
            "2026-11-20T07:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
        );
        // Late evening UTC is already tomorrow in Tokyo.
        let tokyo: chrono_tz::Tz = "Asia/Tokyo".parse().unwrap();
        assert_eq!(
            moment(None, now, tokyo).unwrap().0.to_string(),
            "2026-11-22"
        );
    }
}
