//! `pa habit …`: keep habits and check them in.

use anyhow::Result;
use clap::{Args, Subcommand};
use pa_core::habits::{EntryValue, Frequency, Habit, HabitKind, TargetKind};
use pa_core::ports::StoredHabit;
use pa_integrations::assistant::HabitChanges;

use crate::output::{Format, write_rows};
use crate::write::{WHEN_HELP, WriteOpts, Writer, print};
use crate::{Context, StoreArgs};

/// `pa habit …`.
#[derive(Debug, Subcommand)]
pub(crate) enum HabitCommand {
    /// Adds a habit (yes/no, or an amount with --target).
    #[command(after_help = "Examples:
  pa habit add Meditate
  pa habit add Gym --freq 3/7
  pa habit add Run --freq weekly --target 20 --unit km
  pa habit add Coffee --target 2 --unit cups --at-most")]
    Add(AddArgs),
    /// Checks a habit in for a day: yes (the default), no, skip, or an amount.
    #[command(after_help = concat!("Examples:
  pa habit check Meditate
  pa habit check meditate no --day yesterday
  pa habit check Run 5.5

", crate::write::when_help!()))]
    Check(CheckArgs),
    /// Removes a day's check-in.
    Undo(UndoArgs),
    /// Changes a habit's name, frequency or category.
    Edit(EditArgs),
    /// Hides a habit from the daily lists (its history stays).
    Archive(RefArgs),
    /// Brings an archived habit back.
    Unarchive(RefArgs),
    /// Every habit, with its id.
    List,
}

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// Its name.
    name: String,
    /// How often: N/D (3/7), daily, weekly, N/week or N/month.
    #[arg(long, default_value = "daily", value_name = "N/D")]
    freq: String,
    /// A target amount per period: the habit counts an amount.
    #[arg(long, value_name = "X")]
    target: Option<f64>,
    /// The unit of the amount.
    #[arg(long, requires = "target", default_value = "")]
    unit: String,
    /// The target is a ceiling, not a floor.
    #[arg(long, requires = "target")]
    at_most: bool,
    /// A category ("Health").
    #[arg(long)]
    category: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The habit: its name or id.
    habit: String,
    /// yes, no, skip, or an amount.
    #[arg(default_value = "yes")]
    value: String,
    /// The day (default: today).
    #[arg(long)]
    day: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
#[command(after_help = WHEN_HELP)]
pub(crate) struct UndoArgs {
    /// The habit: its name or id.
    habit: String,
    /// The day (default: today).
    #[arg(long)]
    day: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
pub(crate) struct EditArgs {
    /// The habit: its name or id.
    habit: String,
    /// A new name.
    #[arg(long)]
    name: Option<String>,
    /// A new frequency.
    #[arg(long, value_name = "N/D")]
    freq: Option<String>,
    /// A new category.
    #[arg(long)]
    category: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
pub(crate) struct RefArgs {
    /// The habit: its name or id.
    habit: String,
    #[command(flatten)]
    opts: WriteOpts,
}

fn describe(h: &StoredHabit) -> String {
    let kind = match &h.record.kind {
        HabitKind::YesNo => String::new(),
        HabitKind::Numerical {
            target,
            target_kind,
            unit,
        } => {
            let bound = match target_kind {
                TargetKind::AtLeast => "at least",
                TargetKind::AtMost => "at most",
            };
            format!(", {bound} {target} {unit}")
        }
    };
    let archived = if h.record.archived { ", archived" } else { "" };
    format!(
        "{}: {} ({}{kind}{archived})",
        h.id, h.record.name, h.record.frequency
    )
}

fn archive(args: RefArgs, archived: bool, store: &StoreArgs, ctx: Context) -> Result<()> {
    let w = Writer::open(store, &args.opts)?;
    let done = w.person.edit_habit(
        &args.habit,
        HabitChanges {
            archived: Some(archived),
            ..HabitChanges::default()
        },
    )?;
    print(ctx, "habit", &done, describe)
}

pub(crate) fn run(cmd: HabitCommand, store: &StoreArgs, ctx: Context) -> Result<()> {
    match cmd {
        HabitCommand::Add(args) => {
            let w = Writer::open(store, &args.opts)?;
            let frequency: Frequency = crate::write::named("--freq", args.freq.parse())?;
            let mut habit = match args.target {
                Some(target) => {
                    let kind = if args.at_most {
                        TargetKind::AtMost
                    } else {
                        TargetKind::AtLeast
                    };
                    crate::write::named(
                        "--target",
                        Habit::numerical(&args.name, frequency, target, kind, args.unit),
                    )?
                }
                None => Habit::yes_no(&args.name, frequency),
            };
            habit.category = args.category;
            print(ctx, "habit", &w.person.add_habit(habit)?, describe)
        }
        HabitCommand::Check(args) => {
            let w = Writer::open(store, &args.opts)?;
            let value: EntryValue = args.value.parse()?;
            let day = w.day_opt(args.day.as_deref(), "--day")?;
            let done = w.person.check_habit(&args.habit, day, value)?;
            let name = w.person.habit(&args.habit)?.record.name;
            print(ctx, "check-in", &done, |e| {
                let value = match e.entry.value {
                    EntryValue::Yes => "yes".to_owned(),
                    EntryValue::No => "no".to_owned(),
                    EntryValue::Skip => "skip".to_owned(),
                    EntryValue::Amount(a) => a.to_string(),
                };
                format!("{name} on {}: {value}", e.entry.day)
            })
        }
        HabitCommand::Undo(args) => {
            let w = Writer::open(store, &args.opts)?;
            let day = w.day_opt(args.day.as_deref(), "--day")?;
            let name = w.person.habit(&args.habit)?.record.name;
            let done = w.person.undo_habit(&args.habit, day)?;
            print(ctx, "check-in", &done, |e| {
                format!("{name} on {}", e.entry.day)
            })
        }
        HabitCommand::Edit(args) => {
            let w = Writer::open(store, &args.opts)?;
            let frequency = args
                .freq
                .map(|f| crate::write::named("--freq", f.parse::<Frequency>()))
                .transpose()?;
            let changes = HabitChanges {
                name: args.name,
                category: args.category.map(Some),
                frequency,
                archived: None,
            };
            print(
                ctx,
                "habit",
                &w.person.edit_habit(&args.habit, changes)?,
                describe,
            )
        }
        HabitCommand::Archive(args) => archive(args, true, store, ctx),
        HabitCommand::Unarchive(args) => archive(args, false, store, ctx),
        HabitCommand::List => list(store, ctx),
    }
}

fn list(store: &StoreArgs, ctx: Context) -> Result<()> {
    if ctx.format == Format::Ics {
        return Err(crate::output::not_ics());
    }
    let habits = crate::store::reader(store)?.habits()?;
    let rows: Vec<_> = habits
        .iter()
        .map(|h| HabitRow {
            id: h.id.as_str(),
            name: &h.record.name,
            frequency: h.record.frequency.to_string(),
            archived: h.record.archived,
        })
        .collect();
    write_rows(
        &mut std::io::stdout().lock(),
        ctx.format,
        &["id", "name", "frequency", "archived"],
        &rows,
        |r| {
            vec![
                r.id.to_owned(),
                r.name.to_owned(),
                r.frequency.clone(),
                if r.archived { "yes" } else { "" }.to_owned(),
            ]
        },
    )
}

#[derive(serde::Serialize)]
struct HabitRow<'a> {
    id: &'a str,
    name: &'a str,
    frequency: String,
    archived: bool,
}
