//! Training and body written by hand: activities, weigh-ins, planned workouts.

use pa_core::fitness::{Activity, BodyComposition, PlannedWorkout, Sport, TrainingPlan};
use pa_core::ids::{ActivityId, ExternalRef, PlanId, WorkoutId};
use pa_core::ports::{UserStore, WriteBatch};
use pa_core::time::{Day, ZonedInstant};

use super::{Change, Written};
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
    /// Logs an activity done without a recording (or whose file is lost).
    pub fn log_activity(&self, new: NewActivity) -> Result<Written<Activity>> {
        if let Some(ext) = &new.external {
            let day = new.start.local_day();
            let near = self
                .handle
                .activities(day.add_days(-1)?, day.add_days(1)?)?;
            if let Some(same) = near.into_iter().find(|a| a.external.as_ref() == Some(ext)) {
                return Ok(Written {
                    change: Change::Unchanged,
                    record: same,
                });
            }
        }
        let label = new.name.clone().unwrap_or_else(|| new.sport.to_string());
        let id = ActivityId::new(pa_core::ids::mint(
            "a",
            self.now(),
            &format!("{}\u{1f}{label}", new.start),
            0,
        ))?;
        let mut a = Activity::new(id, new.sport, new.start, new.duration_s);
        a.distance_m = new.distance_m;
        a.training_load = new.load;
        a.name = new.name;
        a.external = new.external;
        a.validate()?;
        let change = self.commit(WriteBatch {
            activities: vec![a.clone()],
            ..WriteBatch::default()
        })?;
        Ok(Written { change, record: a })
    }

    /// Records a weigh-in (kilograms, optionally body fat in percent) at `at`; a second one at
    /// the same instant replaces it.
    pub fn log_weight(
        &self,
        at: ZonedInstant,
        weight_kg: f64,
        body_fat_pct: Option<f64>,
    ) -> Result<Written<BodyComposition>> {
        let mut b = BodyComposition::weight(at, weight_kg);
        b.body_fat_pct = body_fat_pct;
        self.put(b)
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
