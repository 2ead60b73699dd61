//! `pa log activity|weight` and `pa plan workout`: training and body written by hand.

use anyhow::Result;
use clap::{Args, Subcommand};
use pa_core::fitness::Sport;
use pa_integrations::assistant::{NewActivity, NewWorkout};

use crate::write::{WriteOpts, Writer, duration, external, named, print, when_help};
use crate::{Context, StoreArgs};

/// `pa log …`.
#[derive(Debug, Subcommand)]
pub(crate) enum LogCommand {
    /// Logs an activity done (no file needed).
    #[command(after_help = concat!("Examples:
  pa log activity run --start \"07:30\" --duration 45m --km 8 --load 55
  pa log activity strength --start \"yesterday 18:00\" --duration 1h

", when_help!()))]
    Activity(ActivityArgs),
    /// Logs a weigh-in.
    #[command(after_help = "Examples:
  pa log weight 71.4
  pa log weight 71.2 --fat 18.5 --at \"mon 07:00\"")]
    Weight(WeightArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ActivityArgs {
    /// The sport (run, ride, swim, walk, hike, strength, …).
    sport: String,
    /// When it started.
    #[arg(long)]
    start: String,
    /// How long: 45m, 1h30m, 1:05:00.
    #[arg(long)]
    duration: String,
    /// Distance, kilometres.
    #[arg(long)]
    km: Option<f64>,
    /// Training load (TSS-like).
    #[arg(long)]
    load: Option<f64>,
    /// How hard it felt, 0–10 (Borg CR-10); kept with its session RPE (RPE × minutes).
    #[arg(long)]
    rpe: Option<f64>,
    /// A title.
    #[arg(long)]
    name: Option<String>,
    /// The source's id (SOURCE:ID): logging it again changes nothing.
    #[arg(long, value_name = "SOURCE:ID")]
    external: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub(crate) struct WeightArgs {
    /// Weight, kilograms.
    kg: f64,
    /// Body fat, percent.
    #[arg(long)]
    fat: Option<f64>,
    /// When (default: now).
    #[arg(long)]
    at: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

/// `pa plan …`.
#[derive(Debug, Subcommand)]
pub(crate) enum PlanCommand {
    /// Plans a workout for a day; the week's review counts it against what was done.
    #[command(after_help = concat!("Examples:
  pa plan workout ride --day sat --duration 2h --load 90 --description Endurance
  pa plan workout run --day +2d --km 10

", when_help!()))]
    Workout(WorkoutArgs),
}

#[derive(Debug, Args)]
pub(crate) struct WorkoutArgs {
    /// The sport.
    sport: String,
    /// The day (default: today).
    #[arg(long)]
    day: Option<String>,
    /// Planned duration.
    #[arg(long)]
    duration: Option<String>,
    /// Planned distance, kilometres.
    #[arg(long)]
    km: Option<f64>,
    /// Planned load.
    #[arg(long)]
    load: Option<f64>,
    /// What to do.
    #[arg(long, default_value = "")]
    description: String,
    #[command(flatten)]
    opts: WriteOpts,
}

fn metres(km: Option<f64>) -> Option<f64> {
    km.map(|k| k * 1000.0)
}

pub(crate) fn log(cmd: LogCommand, store: &StoreArgs, ctx: Context) -> Result<()> {
    match cmd {
        LogCommand::Activity(args) => {
            let w = Writer::open(store, &args.opts)?;
            let new = NewActivity {
                sport: named("sport", args.sport.parse::<Sport>())?,
                start: w.instant(&args.start, "--start")?,
                duration_s: duration(&args.duration, "--duration")?,
                distance_m: metres(args.km),
                load: args.load,
                rpe: args.rpe,
                name: args.name,
                external: external(args.external.as_deref())?,
            };
            print(ctx, "activity", &w.person.log_activity(new)?, |a| {
                let km = a
                    .distance_m
                    .map(|m| format!(", {:.2} km", m / 1000.0))
                    .unwrap_or_default();
                let load = a
                    .training_load
                    .map(|l| format!(", load {l}"))
                    .unwrap_or_default();
                let rpe = match (a.rpe, a.session_rpe()) {
                    (Some(r), Some(s)) => format!(", RPE {r} (session RPE {})", s.round()),
                    _ => String::new(),
                };
                format!(
                    "{}: {} on {}, {} min{km}{load}{rpe}",
                    a.id,
                    a.sport,
                    a.day(),
                    (a.elapsed_s / 60.0).round()
                )
            })
        }
        LogCommand::Weight(args) => {
            let w = Writer::open(store, &args.opts)?;
            let at = match &args.at {
                Some(t) => w.instant(t, "--at")?,
                None => pa_core::time::ZonedInstant::new(w.person.now(), w.zone),
            };
            print(
                ctx,
                "weigh-in",
                &w.person.log_weight(at, args.kg, args.fat)?,
                |b| format!("{} kg on {}", b.weight_kg, b.measured_at.local_day()),
            )
        }
    }
}

pub(crate) fn plan(cmd: PlanCommand, store: &StoreArgs, ctx: Context) -> Result<()> {
    let PlanCommand::Workout(args) = cmd;
    let w = Writer::open(store, &args.opts)?;
    let new = NewWorkout {
        day: match &args.day {
            Some(d) => w.day(d, "--day")?,
            None => w.today,
        },
        sport: named("sport", args.sport.parse::<Sport>())?,
        duration_s: args
            .duration
            .as_deref()
            .map(|d| duration(d, "--duration"))
            .transpose()?,
        distance_m: metres(args.km),
        load: args.load,
        description: args.description,
    };
    print(ctx, "planned workout", &w.person.plan_workout(new)?, |p| {
        format!("{}: {} on {}", p.id, p.name, p.start)
    })
}
