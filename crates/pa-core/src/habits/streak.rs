//! Which days count as done, streaks, completion rates and a day-by-day history.
//!
//! **Done days.** For a yes/no habit pa uses Loop Habit Tracker's rule, so an N-per-period habit is
//! not "broken" on the days between its check-ins:
//! 1. Check-ins are taken newest first. For each run of N consecutive check-ins whose newest and
//!    oldest lie less than D days apart, the D days from the oldest one form an interval
//!    (D = the month's length for a 30- or 31-day period, or the next month's when the oldest falls
//!    on a month's last day).
//! 2. Going from newer to older, an interval that overlaps its newer neighbour slides into the past
//!    (by the overlap, but not past its own newest check-in), closing gaps.
//! 3. Days inside an interval that were not checked in are done automatically (`Auto`); a "no"
//!    inside one also becomes `Auto`. Check-ins and skips keep their value.
//!
//! A daily habit therefore gets no automatic days. Numerical habits: a day is done when its amount
//! meets the target (at least: amount ≥ target; at most: a recorded amount ≤ target).
//!
//! **Streaks** are maximal runs of days that are done, automatic or skipped: a skip never breaks a
//! streak and counts in its length (as in Loop). Days after `as_of` are cut off (Loop's intervals can
//! reach into the future). The **current streak** is the one that includes `as_of`, or ends the day
//! before (today may not be recorded yet); otherwise 0.

use serde::{Deserialize, Serialize};

use super::score::score_values;
use super::{EntryValue, Habit, HabitEntry, HabitKind, TargetKind, dense};
use crate::error::{Error, Result};
use crate::time::{Day, Month, Week};

/// What a day counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    /// Checked in (or, numerical, target met).
    Done,
    /// Between the check-ins of an N-per-period habit: done without a check-in.
    Auto,
    /// Skipped deliberately.
    Skipped,
    /// Recorded as not done (or, numerical, target missed).
    Missed,
    /// Nothing recorded.
    Unknown,
}

impl DayStatus {
    /// Counts towards a streak.
    pub fn keeps_streak(self) -> bool {
        matches!(self, DayStatus::Done | DayStatus::Auto | DayStatus::Skipped)
    }
}

#[derive(Clone, Copy)]
struct Interval {
    begin: i64,
    center: i64,
    end: i64,
}

/// Days of the interval that starts at `begin` (index from `first`).
fn interval_size(den: u32, begin: Day) -> u32 {
    if den == 30 || den == 31 {
        let month = begin.month();
        if begin.day_of_month() == month.len_days() {
            return begin
                .succ()
                .map_or(month.len_days(), |d| d.month().len_days());
        }
        return month.len_days();
    }
    den
}

/// Each day's status from the first entry to `as_of`.
pub fn day_statuses(
    habit: &Habit,
    entries: &[HabitEntry],
    as_of: Day,
) -> Result<Option<(Day, Vec<DayStatus>)>> {
    let Some((first, days)) = dense(entries, Some(as_of))? else {
        return Ok(None);
    };
    let at = |i: i64| first.add_days(i).unwrap_or(first);
    let statuses = match &habit.kind {
        HabitKind::Numerical {
            target,
            target_kind,
            ..
        } => days
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Some(EntryValue::Skip) => Ok(DayStatus::Skipped),
                Some(EntryValue::Amount(a)) => Ok(match target_kind {
                    TargetKind::AtLeast if a >= target => DayStatus::Done,
                    TargetKind::AtMost if a <= target => DayStatus::Done,
                    _ => DayStatus::Missed,
                }),
                Some(EntryValue::No) => Ok(if *target_kind == TargetKind::AtMost {
                    DayStatus::Done
                } else {
                    DayStatus::Missed
                }),
                None => Ok(DayStatus::Unknown),
                Some(EntryValue::Yes) => Err(Error::invalid(
                    format!("entry on {}", at(i as i64)),
                    "'yes' is not an amount",
                )),
            })
            .collect::<Result<Vec<_>>>()?,
        HabitKind::YesNo => {
            let (num, den) = (habit.frequency.num() as usize, habit.frequency.den());
            // Check-ins, newest first, as day indices.
            let checks: Vec<i64> = days
                .iter()
                .enumerate()
                .rev()
                .filter(|(_, v)| **v == Some(EntryValue::Yes))
                .map(|(i, _)| i as i64)
                .collect();
            let mut intervals: Vec<Interval> = Vec::new();
            for i in num.saturating_sub(1)..checks.len() {
                let (begin, center) = (checks[i], checks[i + 1 - num]);
                let size = i64::from(interval_size(den, at(begin)));
                if center - begin < size {
                    intervals.push(Interval {
                        begin,
                        center,
                        end: begin + size - 1,
                    });
                }
            }
            for i in 1..intervals.len() {
                let (next, curr) = (intervals[i - 1], intervals[i]);
                let overlap = curr.end - next.begin;
                if overlap >= 0 {
                    let shift = (curr.end - curr.center).min(overlap + 1);
                    intervals[i] = Interval {
                        begin: curr.begin - shift,
                        center: curr.center,
                        end: curr.end - shift,
                    };
                }
            }
            let mut out: Vec<DayStatus> = days
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Some(EntryValue::Yes) => Ok(DayStatus::Done),
                    Some(EntryValue::Skip) => Ok(DayStatus::Skipped),
                    Some(EntryValue::No) => Ok(DayStatus::Missed),
                    None => Ok(DayStatus::Unknown),
                    Some(EntryValue::Amount(_)) => Err(Error::invalid(
                        format!("entry on {}", at(i as i64)),
                        "an amount is not yes, no or skip",
                    )),
                })
                .collect::<Result<Vec<_>>>()?;
            for iv in &intervals {
                // Intervals may start before the first entry or run past `as_of`: cut to the range.
                for d in iv.begin.max(0)..=iv.end.min(out.len() as i64 - 1) {
                    let s = &mut out[d as usize];
                    if matches!(s, DayStatus::Unknown | DayStatus::Missed) {
                        *s = DayStatus::Auto;
                    }
                }
            }
            out
        }
    };
    Ok(Some((first, statuses)))
}

/// A run of consecutive days that keep the streak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streak {
    /// First day.
    pub start: Day,
    /// Last day.
    pub end: Day,
    /// Days, skips included.
    pub length: u32,
}

/// Streaks of a habit as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streaks {
    /// Every streak, newest first.
    pub all: Vec<Streak>,
    /// Length of the streak that includes `as_of` or ends the day before; 0 otherwise.
    pub current: u32,
    /// Length of the longest streak.
    pub longest: u32,
}

impl Streaks {
    /// The `n` longest streaks (ties go to the newer one), listed newest first, as Loop shows them.
    pub fn best(&self, n: usize) -> Vec<Streak> {
        let mut by_length: Vec<Streak> = self.all.clone();
        by_length.sort_by(|a, b| b.length.cmp(&a.length).then(b.end.cmp(&a.end)));
        by_length.truncate(n);
        by_length.sort_by_key(|s| std::cmp::Reverse(s.end));
        by_length
    }
}

/// Whether `day` counts as done, by the rule the streaks use: a check-in; for a numerical habit
/// an amount that meets the target (≥ for "at least", ≤ for "at most", and "no" for "at most");
/// for an N-per-period habit also a day Loop fills in between check-ins. A day with nothing
/// recorded is not done.
pub fn done_on(habit: &Habit, entries: &[HabitEntry], day: Day) -> Result<bool> {
    let Some((first, statuses)) = day_statuses(habit, entries, day)? else {
        return Ok(false);
    };
    let at = usize::try_from(first.days_until(day)).ok();
    Ok(at
        .and_then(|i| statuses.get(i))
        .is_some_and(|s| matches!(s, DayStatus::Done | DayStatus::Auto)))
}

/// Streaks from the entries up to `as_of`.
pub fn streaks(habit: &Habit, entries: &[HabitEntry], as_of: Day) -> Result<Streaks> {
    let Some((first, statuses)) = day_statuses(habit, entries, as_of)? else {
        return Ok(Streaks {
            all: Vec::new(),
            current: 0,
            longest: 0,
        });
    };
    let mut all = Vec::new();
    let mut run_start: Option<usize> = None;
    for i in 0..=statuses.len() {
        let keeps = i < statuses.len() && statuses[i].keeps_streak();
        match (keeps, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(s)) => {
                all.push(Streak {
                    start: first.add_days(s as i64)?,
                    end: first.add_days(i as i64 - 1)?,
                    length: (i - s) as u32,
                });
                run_start = None;
            }
            _ => {}
        }
    }
    all.reverse();
    let yesterday = as_of.pred()?;
    let current = all
        .first()
        .filter(|s| s.end >= yesterday)
        .map_or(0, |s| s.length);
    let longest = all.iter().map(|s| s.length).max().unwrap_or(0);
    Ok(Streaks {
        all,
        current,
        longest,
    })
}

/// A calendar period for completion rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// An ISO week.
    Week(Week),
    /// A calendar month.
    Month(Month),
    /// A calendar year.
    Year(i32),
}

/// Which kind of period to roll up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// ISO weeks.
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

/// How much of a period's target was met.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    /// The period.
    pub period: Period,
    /// Days done (check-ins, or target met), automatic days not counted.
    pub done: u32,
    /// Repetitions due: N/D × the period's tracked days (from the first entry to `as_of`,
    /// skipped days left out).
    pub expected: f64,
    /// done / expected, at most 1; `None` when nothing was due.
    pub rate: Option<f64>,
}

/// Completion per week, month or year, oldest first.
pub fn completion(
    habit: &Habit,
    entries: &[HabitEntry],
    as_of: Day,
    by: PeriodKind,
) -> Result<Vec<Completion>> {
    let Some((first, statuses)) = day_statuses(habit, entries, as_of)? else {
        return Ok(Vec::new());
    };
    let ratio = habit.frequency.ratio();
    let mut out: Vec<Completion> = Vec::new();
    let mut date = first;
    for s in statuses {
        let period = match by {
            PeriodKind::Week => Period::Week(date.week()),
            PeriodKind::Month => Period::Month(date.month()),
            PeriodKind::Year => Period::Year(date.year()),
        };
        if out.last().is_none_or(|c| c.period != period) {
            out.push(Completion {
                period,
                done: 0,
                expected: 0.0,
                rate: None,
            });
        }
        if let Some(c) = out.last_mut() {
            if s == DayStatus::Done {
                c.done += 1;
            }
            if s != DayStatus::Skipped {
                c.expected += ratio;
            }
        }
        date = date.succ()?;
    }
    for c in &mut out {
        c.rate = (c.expected > 0.0).then(|| (f64::from(c.done) / c.expected).min(1.0));
    }
    Ok(out)
}

/// One day of a habit's history, for a heatmap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HistoryDay {
    /// The day.
    pub day: Day,
    /// What it counts as.
    pub status: DayStatus,
    /// The amount recorded, for numerical habits.
    pub amount: Option<f64>,
    /// Habit strength at the end of the day.
    pub score: f64,
}

/// Every day from the first entry to `as_of`, with status and score.
pub fn history(habit: &Habit, entries: &[HabitEntry], as_of: Day) -> Result<Vec<HistoryDay>> {
    let Some((first, statuses)) = day_statuses(habit, entries, as_of)? else {
        return Ok(Vec::new());
    };
    let Some((_, values)) = dense(entries, Some(as_of))? else {
        return Ok(Vec::new());
    };
    let scores = score_values(habit, &values, first)?;
    let mut out = Vec::with_capacity(statuses.len());
    let mut date = first;
    for ((status, value), score) in statuses.into_iter().zip(values).zip(scores) {
        let amount = match value {
            Some(EntryValue::Amount(a)) => Some(a),
            _ => None,
        };
        out.push(HistoryDay {
            day: date,
            status,
            amount,
            score,
        });
        date = date.succ()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::habits::Frequency;

    fn today() -> Day {
        "2026-06-30".parse().unwrap()
    }

    fn yes(ago: &[i64]) -> Vec<HabitEntry> {
        ago.iter()
            .map(|&a| HabitEntry {
                day: today().add_days(-a).unwrap(),
                value: EntryValue::Yes,
            })
            .collect()
    }

    /// Loop's "long habit" fixture (`HabitFixtures.createLongHabit`): check-ins this many days ago.
    const LONG: [i64; 44] = [
        0, 1, 3, 5, 7, 8, 9, 10, 12, 14, 15, 17, 19, 20, 26, 27, 28, 50, 51, 52, 53, 54, 58, 60,
        63, 65, 70, 71, 72, 73, 74, 75, 80, 81, 83, 89, 90, 91, 95, 102, 103, 108, 109, 120,
    ];

    #[test]
    fn loop_streak_list_cases() {
        let daily = Habit::yes_no("Meditate", Frequency::DAILY);
        let s = streaks(&daily, &yes(&LONG), today()).unwrap();
        assert_eq!(s.all.len(), 22);
        let lengths: Vec<u32> = s.all.iter().take(4).map(|x| x.length).collect();
        assert_eq!(lengths, [2, 1, 1, 4]);
        let best: Vec<u32> = s.best(4).iter().map(|x| x.length).collect();
        assert_eq!(best, [4, 3, 5, 6]);
        let best: Vec<u32> = s.best(2).iter().map(|x| x.length).collect();
        assert_eq!(best, [5, 6]);
        assert_eq!((s.current, s.longest), (2, 6));
        // With a "no" five days ago and one check-in today: one streak of one day.
        let mut e = yes(&[0]);
        e.push(HabitEntry {
            day: today().add_days(-5).unwrap(),
            value: EntryValue::No,
        });
        let s = streaks(&daily, &e, today()).unwrap();
        assert_eq!(s.best(5).iter().map(|x| x.length).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn weekly_habit_fills_the_days_between_check_ins() {
        // Once a week, checked on Mondays 2026-06-01, 06-08, 06-15: intervals of 7 days each.
        let weekly = Habit::yes_no("Long run", Frequency::WEEKLY);
        let e: Vec<HabitEntry> = ["2026-06-01", "2026-06-08", "2026-06-15"]
            .iter()
            .map(|d| HabitEntry {
                day: d.parse().unwrap(),
                value: EntryValue::Yes,
            })
            .collect();
        let s = streaks(&weekly, &e, "2026-06-18".parse().unwrap()).unwrap();
        assert_eq!(s.all.len(), 1);
        assert_eq!(
            (
                s.all[0].start.to_string(),
                s.all[0].end.to_string(),
                s.current
            ),
            ("2026-06-01".to_owned(), "2026-06-18".to_owned(), 18)
        );
        // Past the week the interval ends and the streak is over.
        let later = streaks(&weekly, &e, "2026-06-25".parse().unwrap()).unwrap();
        assert_eq!(
            (later.current, later.all[0].end.to_string()),
            (0, "2026-06-21".to_owned())
        );
    }

    #[test]
    fn three_per_week_slides_intervals_together() {
        let h = Habit::yes_no("Gym", Frequency::new(3, 7).unwrap());
        // Check-ins Mon, Wed, Fri of two weeks: the intervals join into one streak.
        let days = [
            "2026-06-01",
            "2026-06-03",
            "2026-06-05",
            "2026-06-08",
            "2026-06-10",
            "2026-06-12",
        ];
        let e: Vec<HabitEntry> = days
            .iter()
            .map(|d| HabitEntry {
                day: d.parse().unwrap(),
                value: EntryValue::Yes,
            })
            .collect();
        let (first, st) = day_statuses(&h, &e, "2026-06-12".parse().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(first.to_string(), "2026-06-01");
        assert!(st.iter().all(|s| s.keeps_streak()), "{st:?}");
        assert_eq!(st.iter().filter(|s| **s == DayStatus::Auto).count(), 6);
    }

    #[test]
    fn skips_extend_and_count_in_streaks() {
        let daily = Habit::yes_no("x", Frequency::DAILY);
        let mut e = yes(&[0, 1, 3]);
        e.push(HabitEntry {
            day: today().add_days(-2).unwrap(),
            value: EntryValue::Skip,
        });
        let s = streaks(&daily, &e, today()).unwrap();
        assert_eq!((s.all.len(), s.current), (1, 4));
        // Not yet recorded today: yesterday's streak is still current.
        let s = streaks(&daily, &yes(&[1, 2]), today()).unwrap();
        assert_eq!(s.current, 2);
        let s = streaks(&daily, &yes(&[2, 3]), today()).unwrap();
        assert_eq!(s.current, 0);
    }

    #[test]
    fn numerical_done_days_and_completion() {
        let h =
            Habit::numerical("Read", Frequency::DAILY, 20.0, TargetKind::AtLeast, "pages").unwrap();
        let e: Vec<HabitEntry> = [(0, 25.0), (1, 5.0), (2, 20.0), (3, 30.0)]
            .iter()
            .map(|&(a, v)| HabitEntry {
                day: today().add_days(-a).unwrap(),
                value: EntryValue::Amount(v),
            })
            .collect();
        let s = streaks(&h, &e, today()).unwrap();
        assert_eq!((s.current, s.longest), (1, 2));
        let c = completion(&h, &e, today(), PeriodKind::Month).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].done, c[0].expected, c[0].rate), (3, 4.0, Some(0.75)));
        let hist = history(&h, &e, today()).unwrap();
        assert_eq!(hist.len(), 4);
        assert_eq!(hist[2].status, DayStatus::Missed);
        assert_eq!(hist[3].amount, Some(25.0));
        assert!(hist[3].score > hist[2].score);
    }

    /// "Done today" is the streak's rule: 5 pages of an "at least 20" habit and 5 coffees of an
    /// "at most 2" habit are not done; 25 pages and 1 coffee are.
    #[test]
    fn done_on_a_day_follows_the_target() {
        let read =
            Habit::numerical("Read", Frequency::DAILY, 20.0, TargetKind::AtLeast, "pages").unwrap();
        let coffee =
            Habit::numerical("Coffee", Frequency::DAILY, 2.0, TargetKind::AtMost, "cups").unwrap();
        let on = |v: f64| {
            vec![HabitEntry {
                day: today(),
                value: EntryValue::Amount(v),
            }]
        };
        assert!(!done_on(&read, &on(5.0), today()).unwrap());
        assert!(done_on(&read, &on(25.0), today()).unwrap());
        assert!(!done_on(&coffee, &on(5.0), today()).unwrap());
        assert!(done_on(&coffee, &on(1.0), today()).unwrap());
        assert!(!done_on(&read, &[], today()).unwrap());
        let gym = Habit::yes_no("Gym", Frequency::new(3, 7).unwrap());
        assert!(done_on(&gym, &yes(&[0]), today()).unwrap());
        assert!(!done_on(&gym, &yes(&[1]), today()).unwrap());
    }

    #[test]
    fn completion_per_week_for_three_per_week() {
        let h = Habit::yes_no("Gym", Frequency::new(3, 7).unwrap());
        // Week 23 of 2026 (Mon 06-01 .. Sun 06-07): two check-ins out of three due.
        let e: Vec<HabitEntry> = ["2026-06-01", "2026-06-04"]
            .iter()
            .map(|d| HabitEntry {
                day: d.parse().unwrap(),
                value: EntryValue::Yes,
            })
            .collect();
        let c = completion(&h, &e, "2026-06-07".parse().unwrap(), PeriodKind::Week).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].period, Period::Week(Week::new(2026, 23).unwrap()));
        assert!((c[0].rate.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    }
}
