//! Habit strength, exactly as Loop Habit Tracker computes it.
//!
//! With f = N/D and multiplier m = 0.5^(√f / 13), each day
//! `score(d) = score(d−1)·m + v·(1 − m)`, starting at 0 on the first recorded day (1 for an
//! "at most" numerical habit), where v is the share of the target met in the window that ends on d:
//! - **Window**: the last D days, not counting skipped days (a skip lengthens the window by a day,
//!   as Loop does since its skip-days change). For yes/no habits with f < 1 both N and D are
//!   doubled ("2 in 14 days" for weekly) to smooth out irregular schedules; m keeps the original f.
//! - **Yes/no**: v = min(1, check-ins in the window / N). Only real check-ins count, not the days
//!   that [`super::streak`] fills in between them.
//! - **At least**: v = min(1, sum of amounts in the window / target); 1 when the target is 0.
//! - **At most**: v = clamp(1 − (sum − target) / target, 0, 1); with a target of 0, v = 1 when
//!   the sum is 0 and 0 otherwise.
//! - **Skip**: the score does not change that day.
//!
//! A daily habit has a 13-day half-life: 13 straight check-ins from nothing give exactly 0.5.
//! Checked against Loop's own test values to 1e-6 (see the tests).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::{EntryValue, Habit, HabitEntry, HabitKind, TargetKind, dense};
use crate::error::{Error, Result};
use crate::time::Day;

/// A day's habit strength, 0–1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreDay {
    /// The day.
    pub day: Day,
    /// Habit strength, 0–1.
    pub score: f64,
}

/// Loop's multiplier for a frequency ratio f.
fn multiplier(f: f64) -> f64 {
    0.5_f64.powf(f.sqrt() / 13.0)
}

/// Scores from the first entry to `through` (or the last entry), one per day; entries after
/// `through` are left out.
///
/// Errors name the day: an amount on a yes/no habit, a yes/no on a numerical one.
pub fn scores(
    habit: &Habit,
    entries: &[HabitEntry],
    through: Option<Day>,
) -> Result<Vec<ScoreDay>> {
    let Some((first, days)) = dense(entries, through)? else {
        return Ok(Vec::new());
    };
    let values = score_values(habit, &days, first)?;
    let mut out = Vec::with_capacity(values.len());
    let mut date = first.naive();
    for score in values {
        out.push(ScoreDay {
            day: Day::from_naive(date),
            score,
        });
        date = date.succ_opt().unwrap_or(date);
    }
    Ok(out)
}

/// The score of each day of a dense list (first day = `first`, for error messages).
pub(crate) fn score_values(
    habit: &Habit,
    days: &[Option<EntryValue>],
    first: Day,
) -> Result<Vec<f64>> {
    let f = habit.frequency.ratio();
    let m = multiplier(f);
    let bad = |i: usize, what: &str| {
        let day = first.add_days(i as i64).unwrap_or(first);
        Error::invalid(
            format!("entry on {day}"),
            format!("{what} for the habit '{}'", habit.name),
        )
    };
    let mut out = Vec::with_capacity(days.len());
    // The window holds the values of the last `den` non-skipped days.
    let mut window: VecDeque<f64> = VecDeque::new();
    let mut sum = 0.0;
    match &habit.kind {
        HabitKind::YesNo => {
            let (mut num, mut den) = (habit.frequency.num(), habit.frequency.den());
            if f < 1.0 {
                num *= 2;
                den *= 2;
            }
            let mut score = 0.0;
            for (i, v) in days.iter().enumerate() {
                let yes = match v {
                    Some(EntryValue::Skip) => {
                        out.push(score);
                        continue;
                    }
                    Some(EntryValue::Yes) => 1.0,
                    Some(EntryValue::No) | None => 0.0,
                    Some(EntryValue::Amount(_)) => {
                        return Err(bad(i, "an amount is not yes, no or skip"));
                    }
                };
                window.push_back(yes);
                sum += yes;
                if window.len() > den as usize {
                    sum -= window.pop_front().unwrap_or(0.0);
                }
                let v = (sum / f64::from(num)).min(1.0);
                score = score * m + v * (1.0 - m);
                out.push(score);
            }
        }
        HabitKind::Numerical {
            target,
            target_kind,
            ..
        } => {
            let den = habit.frequency.den() as usize;
            let target = *target;
            let mut score = if *target_kind == TargetKind::AtMost {
                1.0
            } else {
                0.0
            };
            for (i, v) in days.iter().enumerate() {
                let amount = match v {
                    Some(EntryValue::Skip) => {
                        out.push(score);
                        continue;
                    }
                    Some(EntryValue::Amount(a)) => *a,
                    Some(EntryValue::No) | None => 0.0,
                    Some(EntryValue::Yes) => return Err(bad(i, "'yes' is not an amount")),
                };
                window.push_back(amount);
                sum += amount;
                if window.len() > den {
                    sum -= window.pop_front().unwrap_or(0.0);
                }
                let v = match target_kind {
                    TargetKind::AtLeast if target > 0.0 => (sum / target).min(1.0),
                    TargetKind::AtLeast => 1.0,
                    TargetKind::AtMost if target > 0.0 => {
                        (1.0 - (sum - target) / target).clamp(0.0, 1.0)
                    }
                    TargetKind::AtMost => {
                        if sum > 0.0 {
                            0.0
                        } else {
                            1.0
                        }
                    }
                };
                score = score * m + v * (1.0 - m);
                out.push(score);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    //! Loop's own cases (`uhabits-core/src/jvmTest/.../ScoreListTest.kt`): "day k" is k days
    //! before today, and expected values are listed from today backwards.
    use super::*;
    use crate::habits::Frequency;

    const E: f64 = 1e-6;

    fn today() -> Day {
        "2026-06-30".parse().unwrap()
    }

    /// Entries from Loop-style (days ago, value) pairs.
    fn entries(pairs: &[(i64, EntryValue)]) -> Vec<HabitEntry> {
        pairs
            .iter()
            .map(|&(ago, value)| HabitEntry {
                day: today().add_days(-ago).unwrap(),
                value,
            })
            .collect()
    }

    fn check(from: i64, to: i64) -> Vec<(i64, EntryValue)> {
        (from..to).map(|d| (d, EntryValue::Yes)).collect()
    }

    /// Scores for today, yesterday, … (0 before the first entry, as Loop reports).
    fn backwards(habit: &Habit, e: &[HabitEntry], n: usize) -> Vec<f64> {
        let s = scores(habit, e, Some(today())).unwrap();
        (0..n)
            .map(|k| {
                s.iter()
                    .find(|x| x.day == today().add_days(-(k as i64)).unwrap())
                    .map_or(0.0, |x| x.score)
            })
            .collect()
    }

    fn assert_close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!((g - w).abs() <= E, "day {i}: got {g}, want {w}\n{got:?}");
        }
    }

    const TWENTY_DAYS: [f64; 23] = [
        0.655747, 0.636894, 0.617008, 0.596033, 0.573910, 0.550574, 0.525961, 0.500000, 0.472617,
        0.443734, 0.413270, 0.381137, 0.347244, 0.311495, 0.273788, 0.234017, 0.192067, 0.147820,
        0.101149, 0.051922, 0.0, 0.0, 0.0,
    ];

    #[test]
    fn loop_daily() {
        let h = Habit::yes_no("Meditate", Frequency::DAILY);
        assert_close(&backwards(&h, &entries(&check(0, 20)), 23), &TWENTY_DAYS);
    }

    #[test]
    fn loop_daily_with_skips() {
        let h = Habit::yes_no("Meditate", Frequency::DAILY);
        let mut e = check(0, 20);
        e.extend([
            (5, EntryValue::Skip),
            (10, EntryValue::Skip),
            (11, EntryValue::Skip),
        ]);
        let want = [
            0.596033, 0.573910, 0.550574, 0.525961, 0.500000, 0.472617, 0.472617, 0.443734,
            0.413270, 0.381137, 0.347244, 0.347244, 0.347244, 0.311495, 0.273788, 0.234017,
            0.192067, 0.147820, 0.101149, 0.051922, 0.0, 0.0, 0.0,
        ];
        assert_close(&backwards(&h, &entries(&e), 23), &want);
        let e2 = entries(&[(5, EntryValue::Yes), (4, EntryValue::Skip)]);
        assert_close(
            &backwards(&h, &e2, 7),
            &[
                0.041949, 0.044247, 0.046670, 0.049226, 0.051922, 0.051922, 0.0,
            ],
        );
    }

    #[test]
    fn loop_non_daily_with_skips() {
        let h = Habit::yes_no("Meditate", Frequency::new(6, 7).unwrap());
        let mut e = check(0, 18);
        e.extend([
            (10, EntryValue::Skip),
            (11, EntryValue::Skip),
            (12, EntryValue::Skip),
        ]);
        let want = [
            0.365222, 0.333100, 0.299354, 0.263899, 0.226651, 0.191734, 0.159268, 0.129375,
            0.102187, 0.077839, 0.056477, 0.056477, 0.056477, 0.056477, 0.038251, 0.023319,
            0.011848, 0.004014, 0.0, 0.0, 0.0,
        ];
        assert_close(&backwards(&h, &entries(&e), 21), &want);
    }

    #[test]
    fn loop_perfect_with_skips_converges_to_one() {
        for freq in [Frequency::DAILY, Frequency::new(6, 7).unwrap()] {
            let h = Habit::yes_no("x", freq);
            let mut e = check(0, 500);
            for k in 0..100 {
                e.extend([(7 * k + 5, EntryValue::Skip), (7 * k + 6, EntryValue::Skip)]);
            }
            assert!(
                (backwards(&h, &entries(&e), 1)[0] - 1.0).abs() <= E,
                "{freq}"
            );
        }
    }

    #[test]
    fn loop_imperfect_and_irregular_non_daily() {
        // Two of every seven days, newest first: Y Y N N N N N.
        let e: Vec<(i64, EntryValue)> = (0..100)
            .flat_map(|k| [(7 * k, EntryValue::Yes), (7 * k + 1, EntryValue::Yes)])
            .collect();
        let three = Habit::yes_no("x", Frequency::new(3, 7).unwrap());
        assert!((backwards(&three, &entries(&e), 1)[0] - 2.0 / 3.0).abs() <= E);
        let four = Habit::yes_no("x", Frequency::new(4, 7).unwrap());
        assert!((backwards(&four, &entries(&e), 1)[0] - 0.5).abs() <= E);
        // Once a week on alternating weekdays still converges to 1.
        let e: Vec<(i64, EntryValue)> = (0..100)
            .flat_map(|k| [(14 * k, EntryValue::Yes), (14 * k + 13, EntryValue::Yes)])
            .collect();
        let weekly = Habit::yes_no("x", Frequency::WEEKLY);
        assert!((backwards(&weekly, &entries(&e), 1)[0] - 1.0).abs() <= 1e-3);
    }

    #[test]
    fn loop_recompute_and_reasonable_time() {
        let e = entries(&check(0, 2));
        assert!((backwards(&Habit::yes_no("x", Frequency::DAILY), &e, 1)[0] - 0.101149).abs() <= E);
        assert!(
            (backwards(&Habit::yes_no("x", Frequency::new(1, 2).unwrap()), &e, 1)[0] - 0.054816)
                .abs()
                <= E
        );
        assert!(
            (backwards(
                &Habit::yes_no("x", Frequency::DAILY),
                &entries(&[(0, EntryValue::Yes)]),
                1
            )[0] - 0.051922)
                .abs()
                <= E
        );
        assert!(
            backwards(
                &Habit::yes_no("x", Frequency::DAILY),
                &entries(&check(0, 90)),
                1
            )[0] > 0.99
        );
        let weekly: Vec<(i64, EntryValue)> = (0..39).map(|i| (7 * i, EntryValue::Yes)).collect();
        assert!(backwards(&Habit::yes_no("x", Frequency::WEEKLY), &entries(&weekly), 1)[0] > 0.99);
    }

    fn run(kind: TargetKind) -> Habit {
        Habit::numerical("Run", Frequency::DAILY, 2.0, kind, "miles").unwrap()
    }

    fn amounts(from: i64, to: i64, a: f64) -> Vec<(i64, EntryValue)> {
        (from..to).map(|d| (d, EntryValue::Amount(a))).collect()
    }

    #[test]
    fn loop_numerical_at_least() {
        assert_close(
            &backwards(
                &run(TargetKind::AtLeast),
                &entries(&amounts(0, 20, 2.0)),
                23,
            ),
            &TWENTY_DAYS,
        );
        let two_days = entries(&amounts(0, 2, 2.0));
        assert!((backwards(&run(TargetKind::AtLeast), &two_days, 1)[0] - 0.101149).abs() <= E);
        let half = Habit::numerical(
            "Run",
            Frequency::new(1, 2).unwrap(),
            2.0,
            TargetKind::AtLeast,
            "miles",
        )
        .unwrap();
        assert!((backwards(&half, &two_days, 1)[0] - 0.072631).abs() <= E);
        assert!(
            (backwards(
                &run(TargetKind::AtLeast),
                &entries(&amounts(0, 500, 1.0)),
                1
            )[0] - 0.5)
                .abs()
                <= E
        );
        assert!(
            (backwards(
                &run(TargetKind::AtLeast),
                &entries(&amounts(0, 500, 0.5)),
                1
            )[0] - 0.25)
                .abs()
                <= E
        );
        assert!(
            (backwards(
                &run(TargetKind::AtLeast),
                &entries(&[(0, EntryValue::Amount(10_000.0))]),
                1
            )[0] - 0.051922)
                .abs()
                <= E
        );
        let zero =
            Habit::numerical("Run", Frequency::DAILY, 0.0, TargetKind::AtLeast, "miles").unwrap();
        assert!(backwards(&zero, &entries(&amounts(0, 3, 1.0)), 1)[0].is_finite());
    }

    #[test]
    fn loop_numerical_with_skips() {
        let mut e = amounts(0, 10, 2.0);
        e.push((10, EntryValue::Skip));
        e.extend(amounts(11, 15, 2.0));
        e.push((15, EntryValue::Skip));
        e.extend(amounts(16, 20, 2.0));
        let want = [
            0.617008, 0.596033, 0.573910, 0.550574, 0.525961, 0.500000, 0.472617, 0.443734,
            0.413270, 0.381137, 0.347244, 0.347244, 0.311495, 0.273788, 0.234017, 0.192067,
            0.192067, 0.147820, 0.101149, 0.051922, 0.0, 0.0, 0.0,
        ];
        assert_close(
            &backwards(&run(TargetKind::AtLeast), &entries(&e), 23),
            &want,
        );
    }

    #[test]
    fn at_most_starts_full_and_drops_when_exceeded() {
        let h = run(TargetKind::AtMost);
        let s = backwards(&h, &entries(&amounts(0, 30, 1.0)), 1)[0];
        assert!((s - 1.0).abs() <= E);
        let over = backwards(&h, &entries(&amounts(0, 30, 4.0)), 1)[0];
        assert!(over < 0.25, "{over}");
        let zero =
            Habit::numerical("Smoke", Frequency::DAILY, 0.0, TargetKind::AtMost, "").unwrap();
        assert!(backwards(&zero, &entries(&amounts(0, 5, 1.0)), 1)[0] < 1.0);
    }

    #[test]
    fn wrong_kind_of_entry_names_the_day() {
        let err = scores(
            &Habit::yes_no("Meditate", Frequency::DAILY),
            &entries(&[(0, EntryValue::Amount(1.0))]),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid entry on 2026-06-30: an amount is not yes, no or skip for the habit 'Meditate'"
        );
        assert!(
            scores(
                &run(TargetKind::AtLeast),
                &entries(&[(0, EntryValue::Yes)]),
                None
            )
            .is_err()
        );
        assert!(
            scores(&run(TargetKind::AtLeast), &[], None)
                .unwrap()
                .is_empty()
        );
    }
}
