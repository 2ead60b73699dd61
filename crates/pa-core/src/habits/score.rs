//! Habit strength, exactly as Loop Habit Tracker computes it: a transcription of
//! `uhabits-core/src/jvmMain/java/org/isoron/uhabits/core/models/ScoreList.kt` at tag v2.3.1 (the
//! released app; its `dev` branch computes the same), tested with that tag's `ScoreListTest` values.
//!
//! With f = N/D and multiplier m = 0.5^(√f / 13), each day
//! `score(d) = score(d−1)·m + v·(1 − m)`, starting at 0 on the first recorded day (1 for an
//! "at most" numerical habit), where v is the share of the target met in the window that ends on d:
//! - **Window**: the last D calendar days, skipped days included. For yes/no habits with f < 1
//!   both N and D are doubled ("2 in 14 days" for weekly) to smooth out irregular schedules; m keeps
//!   the original f.
//! - **Yes/no**: v = min(1, check-ins in the window / N). Only real check-ins count, not the days
//!   that [`super::streak`] fills in between them.
//! - **At least**: v = min(1, sum of amounts in the window / target); 1 when the target is 0.
//! - **At most**: v = clamp(1 − (sum − target) / target, 0, 1); with a target of 0, v = 1 when
//!   the sum is 0 and 0 otherwise.
//! - **Amounts** are summed as Loop stores them, in whole thousandths; a skipped day, stored by Loop
//!   as 3 thousandths, adds 0.003 to a numerical window (the app does; pa matches it).
//! - **Skip**: the score does not change that day, though the window moves on.
//!
//! A daily habit has a 13-day half-life: 13 straight check-ins from nothing give exactly 0.5.
//! (An unmerged Loop pull request, #1713, proposed widening the window by a day per skip; pa
//! followed it before and differed from the app by up to ~0.007 on N-per-period habits with skips.)

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

/// Loop stores a numerical day as integer thousandths, a skip as 3 (`Entry.SKIP`) and an unknown
/// day as -1; its window sums `max(0, value)`, so a skip adds 0.003 there.
fn thousandths(v: Option<EntryValue>) -> f64 {
    match v {
        Some(EntryValue::Amount(a)) => (a * 1000.0).round(),
        Some(EntryValue::Skip) => 3.0,
        _ => 0.0,
    }
}

/// The score of each day of a dense list (first day = `first`, for error messages).
///
/// A transcription of `ScoreList.recompute` in Loop v2.3.1: the rolling window covers the last D
/// calendar days, skipped days included; on a skipped day the window still moves but the score
/// stays as it was.
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
    let mut sum = 0.0;
    match &habit.kind {
        HabitKind::YesNo => {
            let (mut num, mut den) = (habit.frequency.num(), habit.frequency.den() as usize);
            if f < 1.0 {
                num *= 2;
                den *= 2;
            }
            let yes = |v: &Option<EntryValue>| f64::from(u8::from(*v == Some(EntryValue::Yes)));
            let mut score = 0.0;
            for (i, v) in days.iter().enumerate() {
                if let Some(EntryValue::Amount(_)) = v {
                    return Err(bad(i, "an amount is not yes, no or skip"));
                }
                sum += yes(v);
                if i >= den {
                    sum -= yes(&days[i - den]);
                }
                if *v != Some(EntryValue::Skip) {
                    let v = (sum / f64::from(num)).min(1.0);
                    score = score * m + v * (1.0 - m);
                }
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
                if let Some(EntryValue::Yes) = v {
                    return Err(bad(i, "'yes' is not an amount"));
                }
                sum += thousandths(*v);
                if i >= den {
                    sum -= thousandths(days[i - den]);
                }
                if *v != Some(EntryValue::Skip) {
                    let total = sum / 1000.0;
                    let v = match target_kind {
                        TargetKind::AtLeast if target > 0.0 => (total / target).min(1.0),
                        TargetKind::AtLeast => 1.0,
                        TargetKind::AtMost if target > 0.0 => {
                            (1.0 - (total - target) / target).clamp(0.0, 1.0)
                        }
                        TargetKind::AtMost => {
                            if total > 0.0 {
                                0.0
                            } else {
                                1.0
                            }
                        }
                    };
                    score = score * m + v * (1.0 - m);
                }
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

    /// Not a Loop test case: it tells the released window (skips inside the last D days) from
    /// the unmerged pull request's (skips widen it). Values worked by hand for f = 1/2 (N, D
    /// doubled to 2 in 4): checked four days ago, skipped three days ago, then nothing.
    #[test]
    fn skipped_days_stay_in_the_window() {
        let h = Habit::yes_no("x", Frequency::new(1, 2).unwrap());
        let e = entries(&[
            (4, EntryValue::Yes),
            (3, EntryValue::Skip),
            (2, EntryValue::No),
            (1, EntryValue::No),
            (0, EntryValue::No),
        ]);
        // Today the window (days 3..0) holds no check-in; with the widened window it would
        // still reach day 4 and score 0.5 of the target.
        assert_close(
            &backwards(&h, &e, 5),
            &[0.051494, 0.053472, 0.036316, 0.018500, 0.018500],
        );
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
    fn loop_numerical_skips_should_not_affect_score() {
        let h = run(TargetKind::AtLeast);
        let initial = backwards(&h, &entries(&amounts(0, 500, 1.0)), 1)[0];
        let mut e = amounts(0, 500, 1.0);
        e.extend((500..1000).map(|d| (d, EntryValue::Skip)));
        assert_close(&backwards(&h, &entries(&e), 1), &[initial]);
        let mut e = amounts(0, 300, 1.0);
        e.extend((300..500).map(|d| (d, EntryValue::Skip)));
        e.extend(amounts(500, 700, 1.0));
        assert_close(&backwards(&h, &entries(&e), 1), &[initial]);
    }

    #[test]
    fn loop_numerical_at_most() {
        let h = run(TargetKind::AtMost);
        let mut e = vec![(20, EntryValue::Amount(1.0))];
        e.extend(amounts(0, 20, 5.0));
        let want = [
            0.344253, 0.363106, 0.382992, 0.403967, 0.426090, 0.449426, 0.474039, 0.500000,
            0.527383, 0.556266, 0.586730, 0.618863, 0.652756, 0.688505, 0.726212, 0.765983,
            0.807933, 0.852180, 0.898851, 0.948078, 1.0, 0.0, 0.0,
        ];
        assert_close(&backwards(&h, &entries(&e), 23), &want);
        // test_recompute
        let two = entries(&amounts(0, 2, 5.0));
        assert_close(&backwards(&h, &two, 1), &[0.898850]);
        let half = Habit::numerical(
            "Run",
            Frequency::new(1, 2).unwrap(),
            2.0,
            TargetKind::AtMost,
            "miles",
        )
        .unwrap();
        assert_close(&backwards(&half, &two, 1), &[0.927369]);
        // shouldAchieveComparableScoreToProgress
        assert_close(&backwards(&h, &entries(&amounts(0, 500, 3.0)), 1), &[0.5]);
        assert_close(&backwards(&h, &entries(&amounts(0, 500, 3.5)), 1), &[0.25]);
        // undereachievingIsntRelevant
        let e = entries(&[(1, EntryValue::Amount(10_000.0))]);
        assert_close(&backwards(&h, &e, 1), &[0.950773]);
        // overeachievingIsntRelevant
        for yesterday in [0.0, 1.0] {
            let e = entries(&[
                (0, EntryValue::Amount(5.0)),
                (1, EntryValue::Amount(yesterday)),
            ]);
            assert_close(&backwards(&h, &e, 1), &[0.948077]);
        }
    }

    #[test]
    fn loop_monthly_reaches_high_score_in_eighteen_months() {
        let monthly: Vec<(i64, EntryValue)> = (0..18).map(|i| (30 * i, EntryValue::Yes)).collect();
        let h = Habit::yes_no("x", Frequency::new(1, 30).unwrap());
        assert!(backwards(&h, &entries(&monthly), 1)[0] > 0.99);
        let amounts: Vec<(i64, EntryValue)> =
            (0..18).map(|i| (30 * i, EntryValue::Amount(2.0))).collect();
        let h = Habit::numerical(
            "Run",
            Frequency::new(1, 30).unwrap(),
            2.0,
            TargetKind::AtLeast,
            "miles",
        )
        .unwrap();
        assert!(backwards(&h, &entries(&amounts), 1)[0] > 0.99);
    }

    #[test]
    fn amounts_count_in_whole_thousandths_as_loop_stores_them() {
        let h = run(TargetKind::AtLeast);
        let exact = backwards(&h, &entries(&amounts(0, 3, 1.0)), 1);
        let close = backwards(&h, &entries(&amounts(0, 3, 1.0004)), 1);
        assert_eq!(exact, close);
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
