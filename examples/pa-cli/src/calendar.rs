//! `pa calendar …`: recurrence expansion, and the occurrences of the stored events.

use std::io::Write;

use anyhow::Result;
use chrono::{NaiveDateTime, Utc};
use chrono_tz::Tz;
use clap::{Args, Subcommand};
use pa_core::calendar::recurrence::{Recurrence, resolve_local};
use pa_core::time::{Day, parse_zone};
use serde::Serialize;

use crate::Context;
use crate::output::{Format, write_rows};

#[derive(Debug, Subcommand)]
pub(crate) enum CalendarCommand {
    /// The occurrences of a recurrence rule in a window.
    #[command(after_help = EXPAND_HELP)]
    Expand(ExpandArgs),
    /// The occurrences of the stored events in a window (imported with `pa import FILE.ics`).
    #[command(after_help = OCCURRENCES_HELP)]
    Occurrences(OccurrencesArgs),
}

const OCCURRENCES_HELP: &str = "\
The window is [--from, --to), local midnights in --tz; all-day events are placed in --tz too. An
occurrence is listed when it overlaps the window; cancelled ones are left out. Output: one row per
occurrence with the event's id and source id (the UID of an imported event), its calendar and
title, and start and end (RFC 3339 instants with the event's offset; dates for all-day events).

Example:
  pa import work.ics && pa calendar occurrences --from 2026-03-01 --to 2026-04-01 --tz Europe/Berlin";

#[derive(Debug, Args)]
pub(crate) struct OccurrencesArgs {
    /// Window start (a day; its midnight in --tz).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: String,
    /// Window end, exclusive (a day; its midnight in --tz).
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: String,
    /// IANA time zone of the window.
    #[arg(long, value_name = "ZONE", env = "PA_ZONE", default_value = "UTC")]
    tz: String,
}

const EXPAND_HELP: &str = "\
--dtstart is a wall-clock time in --tz; occurrences keep that wall-clock time across daylight-saving
changes. A time that does not exist (in a spring-forward gap) is taken at the offset before the gap;
a time that happens twice (fall-back) is its first occurrence (RFC 5545). The window is
[--from, --to), both local midnights in --tz. Output: RFC 3339 instants with their offsets.

Examples:
  pa calendar expand --rrule 'FREQ=WEEKLY;BYDAY=MO,WE' --dtstart 2026-03-02T09:00:00 --tz Europe/Berlin --from 2026-03-01 --to 2026-04-01
  pa calendar expand --rrule 'FREQ=MONTHLY;BYDAY=-1FR' --dtstart 2026-01-30T18:00:00 --tz UTC --from 2026-01-01 --to 2027-01-01 --format json
  pa calendar expand --rrule FREQ=DAILY --dtstart 2026-05-01T08:00:00 --tz UTC --from 2026-05-01 --to 2026-05-08 --exdate 2026-05-03T08:00:00";

#[derive(Debug, Args)]
pub(crate) struct ExpandArgs {
    /// The rule: FREQ=…;INTERVAL=…;BYDAY=… (without DTSTART).
    #[arg(long, value_name = "RULE", allow_hyphen_values = true)]
    rrule: String,
    /// First occurrence, wall-clock in --tz (YYYY-MM-DDTHH:MM:SS).
    #[arg(long, value_name = "LOCAL")]
    dtstart: String,
    /// IANA time zone.
    #[arg(long, value_name = "ZONE")]
    tz: String,
    /// Window start (a day; its midnight in --tz).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: String,
    /// Window end, exclusive (a day; its midnight in --tz).
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: String,
    /// Occurrences to leave out, wall-clock in --tz; repeat or separate with commas.
    #[arg(long, value_name = "LOCAL", value_delimiter = ',')]
    exdate: Vec<String>,
    /// Extra occurrences, wall-clock in --tz; repeat or separate with commas.
    #[arg(long, value_name = "LOCAL", value_delimiter = ',')]
    rdate: Vec<String>,
}

fn local(text: &str, what: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S").map_err(|_| {
        pa_core::Error::invalid(
            what,
            format!("'{text}' is not a local time YYYY-MM-DDTHH:MM:SS"),
        )
        .into()
    })
}

#[derive(Serialize)]
struct Row {
    start: String,
}

pub(crate) fn run(cmd: CalendarCommand, store: &crate::StoreArgs, ctx: Context) -> Result<()> {
    match cmd {
        CalendarCommand::Expand(args) => expand(args, ctx),
        CalendarCommand::Occurrences(args) => occurrences(args, store, ctx),
    }
}

/// The midnight starting `text` (a day) in `tz`.
fn midnight(text: &str, what: &str, tz: Tz) -> Result<chrono::DateTime<Utc>> {
    let day: Day = text
        .parse()
        .map_err(|e: pa_core::Error| pa_core::Error::invalid(what, e.to_string()))?;
    Ok(
        resolve_local(day.naive().and_hms_opt(0, 0, 0).unwrap_or_default(), tz)?
            .with_timezone(&Utc),
    )
}

/// The window [from, to) as instants, checked.
fn window(from: &str, to: &str, tz: Tz) -> Result<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
    let (f, t) = (midnight(from, "from", tz)?, midnight(to, "to", tz)?);
    if t <= f {
        return Err(pa_core::Error::invalid(
            "window",
            format!("--to {to} is not after --from {from}"),
        )
        .into());
    }
    Ok((f, t))
}

#[derive(Serialize)]
struct OccurrenceRow {
    id: String,
    source_id: Option<String>,
    calendar: String,
    title: String,
    start: String,
    end: String,
    all_day: bool,
}

fn occurrences(args: OccurrencesArgs, store: &crate::StoreArgs, ctx: Context) -> Result<()> {
    use pa_core::calendar::{EventTime, expand};
    use pa_core::ports::{StoredEvent, UserStore};
    let tz = parse_zone(&args.tz)?;
    let (from, to) = window(&args.from, &args.to, tz)?;
    let handle = crate::store::reader(store)?;
    let day = |t| pa_core::time::ZonedInstant::new(t, tz).local_day();
    let (first, last) = (day(from), day(to));
    let events = handle.records::<StoredEvent>(Some((first, last)))?;
    let mut rows = Vec::new();
    for e in &events {
        for o in expand(&e.record, from, to, tz)? {
            let (start, end, all_day) = match o.time {
                EventTime::Timed { start, end } => {
                    (start.local().to_rfc3339(), end.local().to_rfc3339(), false)
                }
                EventTime::AllDay { start, end } => (start.to_string(), end.to_string(), true),
            };
            rows.push((
                o.span(tz)?.0,
                OccurrenceRow {
                    id: e.id.to_string(),
                    source_id: e
                        .record
                        .external
                        .as_ref()
                        .map(|x| x.external_id().to_owned()),
                    calendar: o.calendar,
                    title: o.title,
                    start,
                    end,
                    all_day,
                },
            ));
        }
    }
    rows.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    let rows: Vec<OccurrenceRow> = rows.into_iter().map(|(_, r)| r).collect();
    let mut out = std::io::stdout().lock();
    write_rows(
        &mut out,
        ctx.format,
        &["start", "end", "calendar", "title"],
        &rows,
        |r| {
            vec![
                r.start.clone(),
                r.end.clone(),
                r.calendar.clone(),
                r.title.clone(),
            ]
        },
    )
}

fn expand(args: ExpandArgs, ctx: Context) -> Result<()> {
    let tz = parse_zone(&args.tz)?;
    let start = local(&args.dtstart, "dtstart")?;
    let mut rec = Recurrence::rule(&args.rrule)?;
    rec.exdates = args
        .exdate
        .iter()
        .map(|e| local(e, "exdate"))
        .collect::<Result<_>>()?;
    rec.rdates = args
        .rdate
        .iter()
        .map(|e| local(e, "rdate"))
        .collect::<Result<_>>()?;
    let (from, to) = window(&args.from, &args.to, tz)?;
    let found = rec.expand(start, tz, from, to)?;
    let mut out = std::io::stdout().lock();
    match ctx.format {
        Format::Ics => return Err(crate::output::not_ics()),
        Format::Json => {
            let list: Vec<String> = found.iter().map(|t| t.to_rfc3339()).collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
        Format::Csv | Format::Table => {
            let rows: Vec<Row> = found
                .iter()
                .map(|t| Row {
                    start: t.to_rfc3339(),
                })
                .collect();
            write_rows(&mut out, ctx.format, &["start"], &rows, |r| {
                vec![r.start.clone()]
            })?;
        }
    }
    Ok(())
}
