//! `pa habits …`: habit strength and streaks from a CSV of check-ins.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use pa_core::habits::score::scores;
use pa_core::habits::streak::streaks;
use pa_core::habits::{EntryValue, Frequency, Habit, TargetKind};
use pa_integrations::import::habits::read_entries;
use serde::Serialize;

use crate::Context;
use crate::output::{Format, write_rows};

#[derive(Debug, Subcommand)]
pub(crate) enum HabitsCommand {
    /// Habit strength per day (Loop Habit Tracker's score) and streaks.
    #[command(after_help = SCORE_HELP)]
    Score(ScoreArgs),
}

const SCORE_HELP: &str = "\
Input: CSV with the header date,value; value is yes, no, skip, or an amount (numbers need
--target). Days without a row are unknown; a skip neither helps nor hurts and never breaks a
streak. The score is Loop Habit Tracker's (13-day half-life for a daily habit); for N-per-period
habits the days between check-ins count towards streaks as Loop counts them.

Examples:
  pa habits score --entries meditate.csv --freq daily
  pa habits score --entries gym.csv --freq 3/7 --format json
  pa habits score --entries reading.csv --freq 1/1 --target 20
  pa habits score --entries coffee.csv --freq 1/1 --target 2 --at-most
  pa demo --quiet > /dev/null && pa habits score --habit Meditate";

#[derive(Debug, Args)]
pub(crate) struct ScoreArgs {
    /// CSV file of check-ins (header: date,value).
    #[arg(
        long,
        value_name = "FILE.csv",
        required_unless_present = "habit",
        conflicts_with = "habit"
    )]
    entries: Option<PathBuf>,
    /// A habit in the store (`pa demo`), by name: its own frequency and target, its entries.
    #[arg(long, value_name = "NAME")]
    habit: Option<String>,
    /// How often: N/D (3/7), daily, weekly, N/week or N/month.
    #[arg(long, value_name = "N/D", default_value = "daily")]
    freq: String,
    /// Target amount per period, for a numerical habit.
    #[arg(long, value_name = "X")]
    target: Option<f64>,
    /// The target is a ceiling (at most), not a floor.
    #[arg(long, requires = "target")]
    at_most: bool,
}

#[derive(Serialize)]
struct DayRow {
    date: String,
    score: f64,
}

#[derive(Serialize)]
struct StreakRow {
    start: String,
    end: String,
    length: u32,
}

#[derive(Serialize)]
struct Report {
    days: Vec<DayRow>,
    streaks: Vec<StreakRow>,
    current_streak: u32,
    longest_streak: u32,
}

pub(crate) fn run(cmd: HabitsCommand, store: &crate::StoreArgs, ctx: Context) -> Result<()> {
    match cmd {
        HabitsCommand::Score(args) => score(args, store, ctx),
    }
}

/// The stored habit `reference` names (its name in any case, or its id) and its entries.
fn stored(
    store: &crate::StoreArgs,
    reference: &str,
) -> Result<(Habit, Vec<pa_core::habits::HabitEntry>)> {
    let (habit, entries) =
        crate::store::reader(store)?.habit_with_entries(reference, pa_core::time::Day::LATEST)?;
    Ok((habit.record, entries))
}

fn score(args: ScoreArgs, store: &crate::StoreArgs, ctx: Context) -> Result<()> {
    let (habit, entries) = match (&args.entries, &args.habit) {
        (_, Some(name)) => stored(store, name)?,
        (Some(path), None) => {
            let file = std::fs::File::open(path).map_err(|source| pa_integrations::Error::Io {
                path: path.clone(),
                source,
            })?;
            let entries = read_entries(std::io::BufReader::new(file), &path.display().to_string())?;
            (from_flags(&args, &entries)?, entries)
        }
        (None, None) => bail!("give --entries FILE.csv or --habit NAME"),
    };
    report(&habit, &entries, ctx)
}

/// The habit the flags describe.
fn from_flags(args: &ScoreArgs, entries: &[pa_core::habits::HabitEntry]) -> Result<Habit> {
    let frequency: Frequency = args.freq.parse()?;
    Ok(match args.target {
        Some(target) => {
            let kind = if args.at_most {
                TargetKind::AtMost
            } else {
                TargetKind::AtLeast
            };
            Habit::numerical("habit", frequency, target, kind, "")?
        }
        None => {
            if let Some(e) = entries
                .iter()
                .find(|e| matches!(e.value, EntryValue::Amount(_)))
            {
                bail!(pa_core::Error::invalid(
                    format!("entry on {}", e.day),
                    "an amount needs --target (a numerical habit)"
                ));
            }
            Habit::yes_no("habit", frequency)
        }
    })
}

fn report(habit: &Habit, entries: &[pa_core::habits::HabitEntry], ctx: Context) -> Result<()> {
    let days = scores(habit, entries, None)?;
    let Some(last) = days.last().map(|d| d.day) else {
        bail!("no entries")
    };
    let s = streaks(habit, entries, last)?;
    let report = Report {
        days: days
            .iter()
            .map(|d| DayRow {
                date: d.day.to_string(),
                score: d.score,
            })
            .collect(),
        streaks: s
            .all
            .iter()
            .map(|x| StreakRow {
                start: x.start.to_string(),
                end: x.end.to_string(),
                length: x.length,
            })
            .collect(),
        current_streak: s.current,
        longest_streak: s.longest,
    };
    let mut out = std::io::stdout().lock();
    match ctx.format {
        Format::Ics => return Err(crate::output::not_ics()),
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Csv | Format::Table => {
            write_rows(
                &mut out,
                ctx.format,
                &["date", "score"],
                &report.days,
                |r| vec![r.date.clone(), format!("{:.1} %", r.score * 100.0)],
            )?;
            if ctx.format == Format::Table {
                let best: Vec<String> = s
                    .best(3)
                    .iter()
                    .map(|b| format!("{} days ({} to {})", b.length, b.start, b.end))
                    .collect();
                writeln!(
                    out,
                    "current streak {} days, longest {} days; best: {}",
                    s.current,
                    s.longest,
                    best.join(", ")
                )?;
            }
        }
    }
    Ok(())
}
