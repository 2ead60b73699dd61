//! Planned vs actual: which planned workout each activity carried out, and weekly adherence.
//!
//! Matching rules, in order:
//! 1. A workout already linked to an activity ([`PlannedWorkout::activity`]) keeps that link.
//! 2. Otherwise a workout may match an activity of the same sport whose local start day is the
//!    workout's day. Among all such pairs the closest are matched first, one to one: closeness is
//!    the relative difference in duration when the workout plans one, else in load when both
//!    have one (a workout planning neither is equally close to every candidate); ties go to the
//!    earlier activity. Each activity carries out at most one workout and each workout is carried
//!    out by at most one activity.
//! 3. A matched workout is `Changed` when its planned duration, distance or load differs from the
//!    actual by more than the tolerance (20 % of the planned value by default), else `Completed`.
//!    An unmatched workout is `Missed`; an unmatched activity is `extra`.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{Activity, PlannedWorkout, Sport};
use crate::error::{Error, Result};
use crate::ids::{ActivityId, WorkoutId};
use crate::time::{Day, Week};

/// Tuning for [`match_workouts`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdherenceOptions {
    /// Relative difference from the planned value above which a workout counts as changed.
    pub tolerance: f64,
}

impl Default for AdherenceOptions {
    fn default() -> Self {
        Self { tolerance: 0.2 }
    }
}

/// What became of a planned workout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkoutStatus {
    /// Done as planned, within the tolerance.
    Completed,
    /// Done, but longer, shorter, farther or harder than planned.
    Changed,
    /// Not done.
    Missed,
}

/// One planned workout and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkoutMatch {
    /// The workout.
    pub workout: WorkoutId,
    /// Its planned day.
    pub day: Day,
    /// Its sport.
    pub sport: Sport,
    /// The activity that carried it out.
    pub activity: Option<ActivityId>,
    /// The outcome.
    pub status: WorkoutStatus,
}

/// The result of matching a plan against activities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matching {
    /// One entry per planned workout, in the order given.
    pub matches: Vec<WorkoutMatch>,
    /// Activities that carried out no planned workout, in the order given.
    pub extra: Vec<ActivityId>,
}

fn changed(planned: &PlannedWorkout, actual: &Activity, tolerance: f64) -> bool {
    let pairs = [
        (planned.duration_s, Some(actual.duration_s())),
        (planned.distance_m, actual.distance_m),
        (planned.load, actual.training_load),
    ];
    pairs.iter().any(|&(p, a)| match (p, a) {
        (Some(p), Some(a)) if p > 0.0 => (a - p).abs() / p > tolerance,
        (Some(p), Some(a)) => a > p,
        _ => false,
    })
}

/// How far an activity is from a workout: relative difference in duration, else in load, else 0.
fn distance(workout: &PlannedWorkout, activity: &Activity) -> f64 {
    let relative = |plan: f64, actual: f64| (actual - plan).abs() / plan.max(f64::MIN_POSITIVE);
    match (workout.duration_s, workout.load, activity.training_load) {
        (Some(d), _, _) => relative(d, activity.duration_s()),
        (None, Some(l), Some(actual)) => relative(l, actual),
        _ => 0.0,
    }
}

/// Matches planned workouts to activities (see the module rules).
pub fn match_workouts(
    planned: &[PlannedWorkout],
    activities: &[Activity],
    options: &AdherenceOptions,
) -> Result<Matching> {
    crate::error::non_negative("tolerance", options.tolerance)?;
    let mut ids = HashSet::new();
    for a in activities {
        if !ids.insert(&a.id) {
            return Err(Error::invalid(
                format!("activity {}", a.id),
                "appears twice",
            ));
        }
    }
    let by_id: HashMap<&ActivityId, usize> = activities
        .iter()
        .enumerate()
        .map(|(i, a)| (&a.id, i))
        .collect();
    let mut activity_used = vec![false; activities.len()];
    let mut assigned: Vec<Option<usize>> = vec![None; planned.len()];
    let mut linked_outside = vec![false; planned.len()];

    for (w, workout) in planned.iter().enumerate() {
        workout.validate()?;
        if let Some(link) = &workout.activity {
            match by_id.get(link) {
                Some(&a) if !activity_used[a] => {
                    activity_used[a] = true;
                    assigned[w] = Some(a);
                }
                Some(_) => {
                    return Err(Error::invalid(
                        format!("workout {}", workout.id),
                        format!("activity {link} is linked twice"),
                    ));
                }
                None => linked_outside[w] = true,
            }
        }
    }

    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    let mut by_day_sport: BTreeMap<(Day, Sport), Vec<usize>> = BTreeMap::new();
    for (i, a) in activities.iter().enumerate() {
        if !activity_used[i] {
            by_day_sport.entry((a.day(), a.sport)).or_default().push(i);
        }
    }
    for (w, workout) in planned.iter().enumerate() {
        if workout.activity.is_some() {
            continue;
        }
        for &a in by_day_sport
            .get(&(workout.day, workout.sport))
            .into_iter()
            .flatten()
        {
            candidates.push((distance(workout, &activities[a]), w, a));
        }
    }
    candidates.sort_by(|x, y| {
        x.0.total_cmp(&y.0)
            .then_with(|| activities[x.2].start.utc.cmp(&activities[y.2].start.utc))
            .then_with(|| (x.1, x.2).cmp(&(y.1, y.2)))
    });
    for (_, w, a) in candidates {
        if assigned[w].is_none() && !activity_used[a] {
            assigned[w] = Some(a);
            activity_used[a] = true;
        }
    }

    let matches = planned
        .iter()
        .zip(&assigned)
        .zip(&linked_outside)
        .map(|((workout, a), &outside)| {
            let (activity, status) = match a {
                Some(a) => {
                    let act = &activities[*a];
                    let status = if changed(workout, act, options.tolerance) {
                        WorkoutStatus::Changed
                    } else {
                        WorkoutStatus::Completed
                    };
                    (Some(act.id.clone()), status)
                }
                // Linked to an activity outside the given set: trust the link.
                None if outside => (workout.activity.clone(), WorkoutStatus::Completed),
                None => (None, WorkoutStatus::Missed),
            };
            WorkoutMatch {
                workout: workout.id.clone(),
                day: workout.day,
                sport: workout.sport,
                activity,
                status,
            }
        })
        .collect();
    let extra = activities
        .iter()
        .zip(&activity_used)
        .filter(|(_, used)| !**used)
        .map(|(a, _)| a.id.clone())
        .collect();
    Ok(Matching { matches, extra })
}

/// Distance, time and load added up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Metres.
    pub distance_m: f64,
    /// Seconds (moving time where known).
    pub duration_s: f64,
    /// Training load.
    pub load: f64,
}

/// One ISO week of planned vs actual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyAdherence {
    /// The week.
    pub week: Week,
    /// What the plan asked for.
    pub planned: Totals,
    /// What all activities of the week did (matched or extra).
    pub actual: Totals,
    /// Workouts completed as planned.
    pub completed: u32,
    /// Workouts done but changed.
    pub changed: u32,
    /// Workouts missed.
    pub missed: u32,
    /// Activities not in the plan.
    pub extra: u32,
    /// (completed + changed) / planned workouts, percent; `None` for a week with nothing planned.
    pub completion_pct: Option<f64>,
}

impl WeeklyAdherence {
    /// A week with nothing planned and nothing done.
    pub fn empty(week: Week) -> Self {
        Self {
            week,
            planned: Totals::default(),
            actual: Totals::default(),
            completed: 0,
            changed: 0,
            missed: 0,
            extra: 0,
            completion_pct: None,
        }
    }
}

/// Weekly adherence over every week that has a planned workout or an activity, oldest first.
pub fn weekly_adherence(
    planned: &[PlannedWorkout],
    activities: &[Activity],
    options: &AdherenceOptions,
) -> Result<Vec<WeeklyAdherence>> {
    let matching = match_workouts(planned, activities, options)?;
    let mut weeks: BTreeMap<Week, WeeklyAdherence> = BTreeMap::new();
    fn slot(weeks: &mut BTreeMap<Week, WeeklyAdherence>, week: Week) -> &mut WeeklyAdherence {
        weeks
            .entry(week)
            .or_insert_with(|| WeeklyAdherence::empty(week))
    }
    for (workout, m) in planned.iter().zip(&matching.matches) {
        let w = slot(&mut weeks, workout.day.week());
        w.planned.distance_m += workout.distance_m.unwrap_or(0.0);
        w.planned.duration_s += workout.duration_s.unwrap_or(0.0);
        w.planned.load += workout.load.unwrap_or(0.0);
        match m.status {
            WorkoutStatus::Completed => w.completed += 1,
            WorkoutStatus::Changed => w.changed += 1,
            WorkoutStatus::Missed => w.missed += 1,
        }
    }
    let extra: HashSet<&ActivityId> = matching.extra.iter().collect();
    for a in activities {
        let w = slot(&mut weeks, a.day().week());
        w.actual.distance_m += a.distance_m.unwrap_or(0.0);
        w.actual.duration_s += a.duration_s();
        w.actual.load += a.training_load.unwrap_or(0.0);
        if extra.contains(&a.id) {
            w.extra += 1;
        }
    }
    Ok(weeks
        .into_values()
        .map(|mut w| {
            let total = w.completed + w.changed + w.missed;
            if total > 0 {
                w.completion_pct =
                    Some(100.0 * f64::from(w.completed + w.changed) / f64::from(total));
            }
            w
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::WorkoutId;
    use crate::time::{ZonedInstant, parse_zone};

    fn activity(id: &str, start_utc: &str, sport: Sport, minutes: f64) -> Activity {
        let start = ZonedInstant::new(
            start_utc.parse().unwrap(),
            parse_zone("Europe/London").unwrap(),
        );
        let mut a = Activity::new(ActivityId::new(id).unwrap(), sport, start, minutes * 60.0);
        a.training_load = Some(minutes);
        a
    }

    fn workout(id: &str, day: &str, sport: Sport, minutes: f64) -> PlannedWorkout {
        PlannedWorkout {
            duration_s: Some(minutes * 60.0),
            ..PlannedWorkout::new(WorkoutId::new(id).unwrap(), day.parse().unwrap(), sport)
        }
    }

    #[test]
    fn closest_duration_wins_and_statuses() {
        let planned = vec![
            workout("long", "2026-03-02", Sport::Run, 90.0),
            workout("easy", "2026-03-02", Sport::Run, 30.0),
            workout("bike", "2026-03-03", Sport::Ride, 60.0),
            workout("swim", "2026-03-04", Sport::Swim, 45.0),
        ];
        let acts = vec![
            activity("a-short", "2026-03-02T07:00:00Z", Sport::Run, 32.0),
            activity("a-long", "2026-03-02T17:00:00Z", Sport::Run, 120.0),
            activity("a-bike", "2026-03-03T07:00:00Z", Sport::Ride, 58.0),
            activity("a-yoga", "2026-03-04T07:00:00Z", Sport::Yoga, 30.0),
        ];
        let m = match_workouts(&planned, &acts, &AdherenceOptions::default()).unwrap();
        let got: Vec<(&str, Option<&str>, WorkoutStatus)> = m
            .matches
            .iter()
            .map(|x| {
                (
                    x.workout.as_str(),
                    x.activity.as_ref().map(ActivityId::as_str),
                    x.status,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("long", Some("a-long"), WorkoutStatus::Changed), // 120 vs 90 min: +33 %
                ("easy", Some("a-short"), WorkoutStatus::Completed),
                ("bike", Some("a-bike"), WorkoutStatus::Completed),
                ("swim", None, WorkoutStatus::Missed),
            ]
        );
        assert_eq!(m.extra, vec![ActivityId::new("a-yoga").unwrap()]);
    }

    #[test]
    fn pairs_by_load_when_no_duration_is_planned_one_to_one() {
        let by_load = |id: &str, load: f64| PlannedWorkout {
            load: Some(load),
            ..PlannedWorkout::new(
                WorkoutId::new(id).unwrap(),
                "2026-03-02".parse().unwrap(),
                Sport::Run,
            )
        };
        let planned = vec![by_load("hard", 120.0), by_load("easy", 40.0)];
        let mut acts = vec![
            activity("morning", "2026-03-02T07:00:00Z", Sport::Run, 50.0),
            activity("evening", "2026-03-02T17:00:00Z", Sport::Run, 50.0),
            activity("next-day", "2026-03-03T07:00:00Z", Sport::Run, 50.0),
        ];
        acts[0].training_load = Some(45.0);
        acts[1].training_load = Some(110.0);
        acts[2].training_load = Some(120.0);
        let m = match_workouts(&planned, &acts, &AdherenceOptions::default()).unwrap();
        let pairs: Vec<(&str, &str)> = m
            .matches
            .iter()
            .map(|x| (x.workout.as_str(), x.activity.as_ref().unwrap().as_str()))
            .collect();
        assert_eq!(pairs, vec![("hard", "evening"), ("easy", "morning")]);
        assert_eq!(m.extra, vec![ActivityId::new("next-day").unwrap()]);
        let weeks = weekly_adherence(&planned, &acts, &AdherenceOptions::default()).unwrap();
        assert_eq!(
            (
                weeks[0].completed,
                weeks[0].changed,
                weeks[0].missed,
                weeks[0].extra
            ),
            (2, 0, 0, 1),
            "45 vs 40 is off by 12.5 %, 110 vs 120 by 8.3 %: both within 20 %"
        );
    }

    #[test]
    fn explicit_links_are_kept() {
        let mut w = workout("w", "2026-03-02", Sport::Run, 30.0);
        w.activity = Some(ActivityId::new("b").unwrap());
        let acts = vec![
            activity("a", "2026-03-02T07:00:00Z", Sport::Run, 30.0),
            activity("b", "2026-03-05T07:00:00Z", Sport::Run, 30.0),
        ];
        let m = match_workouts(&[w.clone()], &acts, &AdherenceOptions::default()).unwrap();
        assert_eq!(m.matches[0].activity.as_ref().unwrap().as_str(), "b");
        assert_eq!(m.extra.len(), 1);
        let dup = vec![
            w.clone(),
            PlannedWorkout {
                id: WorkoutId::new("w2").unwrap(),
                ..w
            },
        ];
        assert!(match_workouts(&dup, &acts, &AdherenceOptions::default()).is_err());
    }

    #[test]
    fn weekly_totals() {
        let planned = vec![
            workout("a", "2026-03-02", Sport::Run, 60.0),
            workout("b", "2026-03-04", Sport::Run, 60.0),
        ];
        let acts = vec![
            activity("x", "2026-03-02T07:00:00Z", Sport::Run, 60.0),
            activity("y", "2026-03-10T07:00:00Z", Sport::Ride, 30.0),
        ];
        let weeks = weekly_adherence(&planned, &acts, &AdherenceOptions::default()).unwrap();
        assert_eq!(weeks.len(), 2);
        let w10 = &weeks[0];
        assert_eq!(w10.week.label(), "10-26");
        assert_eq!(
            (w10.completed, w10.changed, w10.missed, w10.extra),
            (1, 0, 1, 0)
        );
        assert_eq!(w10.planned.duration_s, 7200.0);
        assert_eq!(w10.actual.duration_s, 3600.0);
        assert_eq!(w10.completion_pct, Some(50.0));
        assert_eq!((weeks[1].extra, weeks[1].completion_pct), (1, None));
    }
}
