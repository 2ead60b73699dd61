//! `pa event …` and `pa remind …`: the calendar and reminders, written by hand.

use anyhow::Result;
use chrono_tz::Tz;
use clap::{Args, Subcommand};
use pa_core::calendar::EventTime;
use pa_core::ports::StoredEvent;
use pa_core::tasks::Reminder;
use pa_core::time::ZonedInstant;
use pa_core::when::When;
use pa_integrations::assistant::{EditScope, EventChanges, NewEvent};

use crate::output::{Format, write_rows};
use crate::write::{WriteOpts, Writer, duration, external, print, when_help};
use crate::{Context, StoreArgs};

/// `pa event …`.
#[derive(Debug, Subcommand)]
pub(crate) enum EventCommand {
    /// Adds an event: timed (--at with --for or --until) or all-day (--at a day).
    #[command(after_help = concat!("Examples:
  pa event add Dentist --at \"fri 14:00\" --for 45m
  pa event add Swim club --at \"tue 18:30\" --for 1h --rrule FREQ=WEEKLY
  pa event add Holiday --at 2026-12-24 --until 2026-12-27 --calendar Family

", when_help!()))]
    Add(AddArgs),
    /// Changes an event: the series, or one occurrence with --on.
    Edit(EditArgs),
    /// Deletes an event, or one occurrence with --on.
    Rm(RmArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The title (the words are joined).
    #[arg(required = true, num_args = 1..)]
    title: Vec<String>,
    /// The start: a time (timed) or a day (all-day).
    #[arg(long)]
    at: String,
    /// How long (timed): 45m, 1h30m.
    #[arg(long = "for", value_name = "DURATION", conflicts_with = "until")]
    length: Option<String>,
    /// The end: a time (timed), or the last day (all-day).
    #[arg(long)]
    until: Option<String>,
    /// The calendar.
    #[arg(long, default_value = "Personal")]
    calendar: String,
    /// An RFC 5545 rule to repeat by (FREQ=WEEKLY;BYDAY=TU).
    #[arg(long)]
    rrule: Option<String>,
    /// Where.
    #[arg(long)]
    location: Option<String>,
    /// The source's id (SOURCE:ID): adding it again changes nothing.
    #[arg(long, value_name = "SOURCE:ID")]
    external: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
pub(crate) struct EditArgs {
    /// The event: its id, title, or a part of the title naming one event.
    event: String,
    /// Only the occurrence on this day.
    #[arg(long, value_name = "DAY")]
    on: Option<String>,
    /// A new title.
    #[arg(long)]
    title: Option<String>,
    /// A new start time (with --for).
    #[arg(long, requires = "length")]
    at: Option<String>,
    /// The new length.
    #[arg(long = "for", value_name = "DURATION", requires = "at")]
    length: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
pub(crate) struct RmArgs {
    /// The event: its id, title, or a part of the title naming one event.
    event: String,
    /// Only the occurrence on this day.
    #[arg(long, value_name = "DAY")]
    on: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

fn describe(e: &StoredEvent, zone: Tz) -> String {
    let when = match e.record.time {
        EventTime::Timed { start, end } => format!(
            "{}–{}",
            start.utc.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
            end.utc.with_timezone(&zone).format("%H:%M")
        ),
        EventTime::AllDay { start, end } => match end.pred() {
            Ok(last) if last != start => format!("{start} – {last}"),
            _ => start.to_string(),
        },
    };
    let repeat = if e.record.recurrence.is_some() {
        ", repeats"
    } else {
        ""
    };
    format!(
        "{}: {} ({when}{repeat}, {})",
        e.id, e.record.title, e.record.calendar
    )
}

fn timed(start: ZonedInstant, seconds: f64) -> EventTime {
    let end = start.utc + chrono::Duration::seconds(seconds as i64);
    EventTime::Timed {
        start,
        end: ZonedInstant::new(end, start.zone),
    }
}

fn scope(w: &Writer, on: Option<&str>) -> Result<EditScope> {
    Ok(match on {
        Some(d) => EditScope::Occurrence(w.day(d, "--on")?),
        None => EditScope::Series,
    })
}

pub(crate) fn run(cmd: EventCommand, store: &StoreArgs, ctx: Context) -> Result<()> {
    match cmd {
        EventCommand::Add(args) => {
            let w = Writer::open(store, &args.opts)?;
            let time = match (w.when(&args.at, "--at")?, &args.length, &args.until) {
                (When::At(start), Some(len), None) => timed(start, duration(len, "--for")?),
                (When::At(start), None, Some(until)) => EventTime::Timed {
                    start,
                    end: w.instant(until, "--until")?,
                },
                (When::At(start), None, None) => timed(start, 3600.0),
                (When::Day(start), None, until) => {
                    let last = match until {
                        Some(u) => w.day(u, "--until")?,
                        None => start,
                    };
                    EventTime::AllDay {
                        start,
                        end: last.succ()?,
                    }
                }
                (When::Day(_), Some(_), _) | (When::At(_), Some(_), Some(_)) => {
                    return Err(pa_core::Error::invalid(
                        "--for",
                        "an all-day event (--at a day) takes --until, not --for",
                    )
                    .into());
                }
            };
            let new = NewEvent {
                calendar: args.calendar,
                title: args.title.join(" "),
                time,
                rrule: args.rrule,
                location: args.location,
                external: external(args.external.as_deref())?,
            };
            print(ctx, "event", &w.person.add_event(new)?, |e| {
                describe(e, w.zone)
            })
        }
        EventCommand::Edit(args) => {
            let w = Writer::open(store, &args.opts)?;
            let time = match (&args.at, &args.length) {
                (Some(at), Some(len)) => {
                    Some(timed(w.instant(at, "--at")?, duration(len, "--for")?))
                }
                _ => None,
            };
            let changes = EventChanges {
                title: args.title,
                time,
                location: None,
            };
            let scope = scope(&w, args.on.as_deref())?;
            print(
                ctx,
                "event",
                &w.person.edit_event(&args.event, changes, scope)?,
                |e| describe(e, w.zone),
            )
        }
        EventCommand::Rm(args) => {
            let w = Writer::open(store, &args.opts)?;
            let scope = scope(&w, args.on.as_deref())?;
            let done = w.person.delete_event(&args.event, scope)?;
            print(ctx, "event", &done, |e| describe(e, w.zone))
        }
    }
}

/// `pa remind …`.
#[derive(Debug, Subcommand)]
pub(crate) enum RemindCommand {
    /// Adds a reminder: once (--at) or repeating (--every).
    #[command(after_help = concat!("Examples:
  pa remind add Stretch --at 18:30
  pa remind add \"Bring the passport photos\" --at \"mon 08:00\" --task photos
  pa remind add Water the plants --every \"weekly mon,thu 09:00\"
  pa remind add Pay rent --every \"monthly last 18:00\"

Schedules: daily HH:MM, weekly DAYS HH:MM (mon,thu), monthly N|last HH:MM, or a cron pattern
(\"*/30 9-17 * * mon-fri\"), in your zone. Marking a repeating reminder done moves it to its
next run.

", when_help!()))]
    Add(RemindArgs),
    /// Every reminder, soonest first.
    List,
    /// Marks a reminder sent (a repeating one moves to its next run).
    Done(ReminderRef),
    /// Moves a reminder later and makes it due again.
    Snooze(SnoozeArgs),
    /// Deletes a reminder.
    Rm(ReminderRef),
}

#[derive(Debug, Args)]
pub(crate) struct RemindArgs {
    /// What to say (the words are joined).
    #[arg(required = true, num_args = 1..)]
    text: Vec<String>,
    /// When.
    #[arg(long, required_unless_present = "every", conflicts_with = "every")]
    at: Option<String>,
    /// Repeat on a schedule (daily 09:00, weekly mon,thu 18:00, monthly last 18:00, or cron).
    #[arg(long, value_name = "SCHEDULE")]
    every: Option<String>,
    /// The task it is about.
    #[arg(long)]
    task: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
pub(crate) struct ReminderRef {
    /// The reminder's id.
    id: String,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
pub(crate) struct SnoozeArgs {
    /// The reminder's id.
    id: String,
    /// Until when: a time (18:30, tomorrow 08:00).
    #[arg(long)]
    until: String,
    #[command(flatten)]
    opts: WriteOpts,
}

fn describe_reminder(r: &Reminder, zone: Tz) -> String {
    let sent = if r.sent {
        ", sent"
    } else if r.schedule.is_some() {
        ", repeats"
    } else {
        ""
    };
    format!(
        "{}: {} at {}{sent}",
        r.id,
        r.message,
        r.remind_at
            .utc
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M")
    )
}

pub(crate) fn remind(cmd: RemindCommand, store: &StoreArgs, ctx: Context) -> Result<()> {
    match cmd {
        RemindCommand::Add(args) => {
            let w = Writer::open(store, &args.opts)?;
            let text = args.text.join(" ");
            let done = match (&args.at, &args.every) {
                (_, Some(every)) => {
                    let schedule = crate::write::named("--every", every.parse())?;
                    w.person
                        .add_recurring_reminder(&text, schedule, args.task.as_deref())?
                }
                (Some(at), None) => {
                    let at = w.instant(at, "--at")?;
                    w.person.add_reminder(&text, at, args.task.as_deref())?
                }
                (None, None) => {
                    return Err(pa_core::Error::invalid("--at", "give --at or --every").into());
                }
            };
            print(ctx, "reminder", &done, |r| describe_reminder(r, w.zone))
        }
        RemindCommand::Done(args) => {
            let w = Writer::open(store, &args.opts)?;
            let done = w.person.mark_reminder_sent(&args.id)?;
            print(ctx, "reminder", &done, |r| describe_reminder(r, w.zone))
        }
        RemindCommand::Snooze(args) => {
            let w = Writer::open(store, &args.opts)?;
            let until = w.instant(&args.until, "--until")?;
            let done = w.person.snooze_reminder(&args.id, until)?;
            print(ctx, "reminder", &done, |r| describe_reminder(r, w.zone))
        }
        RemindCommand::Rm(args) => {
            let w = Writer::open(store, &args.opts)?;
            let done = w.person.delete_reminder(&args.id)?;
            print(ctx, "reminder", &done, |r| describe_reminder(r, w.zone))
        }
        RemindCommand::List => {
            if ctx.format == Format::Ics {
                return Err(crate::output::not_ics());
            }
            let person = crate::store::reader(store)?;
            let zone = person.zone(None)?;
            let rows: Vec<ReminderRow> = person
                .reminders()?
                .into_iter()
                .map(|r| ReminderRow {
                    at: r
                        .remind_at
                        .utc
                        .with_timezone(&zone)
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                    id: r.id.to_string(),
                    message: r.message,
                    sent: r.sent,
                })
                .collect();
            write_rows(
                &mut std::io::stdout().lock(),
                ctx.format,
                &["id", "at", "message", "sent"],
                &rows,
                |r| {
                    vec![
                        r.id.clone(),
                        r.at.clone(),
                        r.message.clone(),
                        if r.sent { "yes" } else { "" }.to_owned(),
                    ]
                },
            )
        }
    }
}

#[derive(serde::Serialize)]
struct ReminderRow {
    id: String,
    at: String,
    message: String,
    sent: bool,
}
