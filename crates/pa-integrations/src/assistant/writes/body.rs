//! Training and body written by hand: activities, weigh-ins, planned workouts.

use pa_core::fitness::{Activity, BodyComposition, PlannedWorkout, Sport, TrainingPlan};
use pa_core::ids::{ExternalRef, PlanId, WorkoutId};
use pa_core::time::{Day, ZonedInstant};

use super::Written;
use super::draft::Draft;
use crate::assistant::Person;
use crate::error::Result;

/// An activity entered by hand.
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// The sport.
    pub sport: Sport,
    /// When it started.
    pub start: ZonedInstant,
    /// How long, seconds.
    pub duration_s: f64,
    /// Distance, metres.
    pub distance_m: Option<f64>,
    /// Training load (TSS-like), as the person or a coach scored it.
    pub load: Option<f64>,
    /// How hard it felt, 0–10 (Borg CR-10): kept with the activity, its session RPE computed
    /// (see `pa_core::fitness::load::session_rpe`); it does not stand in for `load`.
    pub rpe: Option<f64>,
    /// A title.
    pub name: Option<String>,
    /// The source's id: logging the same external activity again changes nothing.
    pub external: Option<ExternalRef>,
}

/// A workout to plan.
#[derive(Debug, Clone)]
pub struct NewWorkout {
    /// The day.
    pub day: Day,
    /// The sport.
    pub sport: Sport,
    /// Planned duration, seconds.
    pub duration_s: Option<f64>,
    /// Planned distance, metres.
    pub distance_m: Option<f64>,
    /// Planned load.
    pub load: Option<f64>,
    /// What to do.
    pub description: String,
}

impl Person {
    /// Logs an activity done without a recording (or whose file is lost). With an external id
    /// already stored, that activity is returned unchanged.
    pub fn log_activity(&self, new: NewActivity) -> Result<Written<Activity>> {
        let mut draft = Draft::new(self);
        let (stored, record) = draft.activity(new)?.into_parts();
        let change = match stored {
            Some(c) => c,
            None => draft.commit()?.0,
        };
        Ok(Written { change, record })
    }

    /// Records a weigh-in (kilograms, optionally body fat in percent) at `at`; a second one at
    /// the same instant replaces it.
    pub fn log_weight(
        &self,
        at: ZonedInstant,
        weight_kg: f64,
        body_fat_pct: Option<f64>,
    ) -> Result<Written<BodyComposition>> {
        let mut draft = Draft::new(self);
        let record = draft.weight(at, weight_kg, body_fat_pct)?;
        Ok(Written {
            change: draft.commit()?.0,
            record,
        })
    }

    /// Plans a workout: kept as a plan of its own day, so the week's review counts it against
    /// what was done.
    pub fn plan_workout(&self, new: NewWorkout) -> Result<Written<TrainingPlan>> {
        let text = format!("{}\u{1f}{}\u{1f}{}", new.day, new.sport, new.description);
        let id = self.mint::<TrainingPlan>("w", &text)?;
        let mut w = PlannedWorkout::new(WorkoutId::new(id.clone())?, new.day, new.sport);
        w.duration_s = new.duration_s;
        w.distance_m = new.distance_m;
        w.load = new.load;
        w.description = new.description.trim().to_owned();
        let label = if w.description.is_empty() {
            new.sport.to_string()
        } else {
            w.description.clone()
        };
        self.put(TrainingPlan {
            id: PlanId::new(id)?,
            name: label,
            start: new.day,
            end: new.day,
            workouts: vec![w],
        })
    }
}
