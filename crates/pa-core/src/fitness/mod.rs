//! Fitness: activities, daily health, body composition and training plans, and the calculations
//! over them: training load ([`load`]), the Performance Manager Chart ([`pmc`]), planned-vs-actual
//! adherence ([`adherence`]), weekly and monthly rollups ([`rollup`]) and health trends ([`trends`]).

mod activity;
pub mod adherence;
mod body;
mod health;
pub mod load;
mod packed;
mod plan;
pub mod pmc;
pub mod rollup;
mod sport;
pub mod track;
pub mod trends;

pub use activity::{Activity, Lap, LatLon, Streams};
pub use body::BodyComposition;
pub use health::{DailyHealth, Sleep};
pub use plan::{PlannedWorkout, TrainingPlan};
pub use sport::Sport;
