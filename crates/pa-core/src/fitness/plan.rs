//! Training plans: planned workouts on days, each optionally linked to the activity that did it.

use serde::{Deserialize, Serialize};

use super::Sport;
use crate::error::{Error, Result, non_negative};
use crate::ids::{ActivityId, PlanId, WorkoutId};
use crate::time::Day;

/// One planned workout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedWorkout {
    /// pa's id for the workout.
    pub id: WorkoutId,
    /// The day it is planned for.
    pub day: Day,
    /// The sport.
    pub sport: Sport,
    /// Planned distance, metres.
    pub distance_m: Option<f64>,
    /// Planned duration, seconds.
    pub duration_s: Option<f64>,
    /// Planned training load (TSS-like).
    pub load: Option<f64>,
    /// What to do ("4×8 min at threshold").
    pub description: String,
    /// The activity that carried it out, when linked by hand or by [`super::adherence`].
    pub activity: Option<ActivityId>,
}

impl PlannedWorkout {
    /// A workout with only its day and sport set; fill the planned amounts as known.
    pub fn new(id: WorkoutId, day: Day, sport: Sport) -> Self {
        Self {
            id,
            day,
            sport,
            distance_m: None,
            duration_s: None,
            load: None,
            description: String::new(),
            activity: None,
        }
    }

    /// Checks that the planned amounts are finite and not negative.
    pub fn validate(&self) -> Result<()> {
        for (f, v) in [
            ("distance_m", self.distance_m),
            ("duration_s", self.duration_s),
            ("load", self.load),
        ] {
            if let Some(v) = v {
                non_negative(f, v)?;
            }
        }
        Ok(())
    }
}

/// A training plan: a named span of days with workouts inside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingPlan {
    /// pa's id for the plan.
    pub id: PlanId,
    /// Its name ("Spring marathon block").
    pub name: String,
    /// First day.
    pub start: Day,
    /// Last day (inclusive).
    pub end: Day,
    /// The workouts, in any order.
    pub workouts: Vec<PlannedWorkout>,
}

impl TrainingPlan {
    /// Checks that the span is ordered, every workout lies inside it and workout ids are unique.
    pub fn validate(&self) -> Result<()> {
        if self.end < self.start {
            return Err(Error::invalid(
                "plan",
                format!("ends {} before it starts {}", self.end, self.start),
            ));
        }
        let mut ids = std::collections::HashSet::new();
        for w in &self.workouts {
            w.validate()?;
            if w.day < self.start || w.day > self.end {
                return Err(Error::invalid(
                    format!("workout {}", w.id),
                    format!("{} is outside the plan", w.day),
                ));
            }
            if !ids.insert(&w.id) {
                return Err(Error::invalid(
                    format!("workout {}", w.id),
                    "id appears twice",
                ));
            }
        }
        Ok(())
    }

    /// The workouts planned on `day`.
    pub fn on(&self, day: Day) -> impl Iterator<Item = &PlannedWorkout> {
        self.workouts.iter().filter(move |w| w.day == day)
    }
}
