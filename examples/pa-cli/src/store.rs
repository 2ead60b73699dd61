//! `pa export`, `pa import-jsonl`, `pa backup`: the store from the command line.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use pa_integrations::assistant::{Access, Assistant, Location, Person};
use pa_integrations::output::OutputFile;

use crate::{Context, StoreArgs};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  pa export --out everything.jsonl
  pa export --kind activities --format csv
  pa export --kind events --format ics --out calendar.ics")]
pub(crate) struct ExportArgs {
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Export one kind of record in `--format` (json: the records with their entity field
    /// names; csv: one row per record; ics: events as an iCalendar file) instead of everything
    /// as JSON Lines.
    #[arg(long, value_enum)]
    kind: Option<ExportKind>,
}

/// What `pa export --kind` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ExportKind {
    /// Activities (without their streams in CSV).
    Activities,
    /// Transactions.
    Transactions,
    /// Accounts (masks only).
    Accounts,
    /// Balances.
    Balances,
    /// Calendar events.
    Events,
    /// Daily health: sleep, resting heart rate, HRV, steps, stress, body battery.
    DailyHealth,
}

/// A flat CSV row of a day of health.
#[derive(serde::Serialize)]
struct HealthRow {
    day: String,
    sleep_s: Option<f64>,
    resting_hr_bpm: Option<f64>,
    hrv_rmssd_ms: Option<f64>,
    steps: Option<u32>,
    stress_avg: Option<f64>,
    body_battery_high: Option<f64>,
    body_battery_low: Option<f64>,
    intensity_minutes: Option<u32>,
}

/// A flat CSV row of an activity.
#[derive(serde::Serialize)]
struct ActivityRow {
    id: String,
    sport: String,
    start: String,
    zone: String,
    elapsed_s: f64,
    moving_s: Option<f64>,
    distance_m: Option<f64>,
    elevation_gain_m: Option<f64>,
    avg_hr_bpm: Option<f64>,
    max_hr_bpm: Option<f64>,
    avg_power_w: Option<f64>,
    normalized_power_w: Option<f64>,
    calories_kcal: Option<f64>,
    training_load: Option<f64>,
}

/// A flat CSV row of a transaction; the amount is an exact decimal string.
#[derive(serde::Serialize)]
struct TransactionRow {
    id: String,
    account: String,
    posted: String,
    amount: String,
    currency: String,
    merchant: Option<String>,
    description: String,
    category: Option<String>,
    pending: bool,
    transfer: bool,
}

/// A flat CSV row of an account.
#[derive(serde::Serialize)]
struct AccountRow {
    id: String,
    name: String,
    institution: Option<String>,
    kind: pa_core::finance::AccountType,
    currency: String,
    mask: Option<String>,
    opened: Option<String>,
    closed: Option<String>,
}

/// A flat CSV row of an event: times as RFC 3339 instants, or dates for all-day events.
#[derive(serde::Serialize)]
struct EventRow {
    id: String,
    calendar: String,
    title: String,
    start: String,
    end: String,
    all_day: bool,
    status: pa_core::calendar::EventStatus,
    recurrence: Option<String>,
}

/// A flat CSV row of a balance.
#[derive(serde::Serialize)]
struct BalanceRow {
    account: String,
    day: String,
    current: String,
    available: Option<String>,
    limit: Option<String>,
    currency: String,
}

fn export_kind(
    handle: &Person,
    kind: ExportKind,
    format: crate::output::Format,
    out: &mut dyn Write,
) -> Result<()> {
    use crate::output::Format;
    use pa_core::ports::{StoredEvent, UserStore};
    let (first, last) = (pa_core::time::Day::EARLIEST, pa_core::time::Day::LATEST);
    match (kind, format) {
        (ExportKind::Events, Format::Ics) => {
            let events = handle.records::<StoredEvent>(None)?;
            let text = pa_integrations::import::ics::write(&events, handle.now())?;
            out.write_all(text.as_bytes())?;
            Ok(())
        }
        (_, Format::Ics) => Err(crate::output::not_ics()),
        (ExportKind::Activities, Format::Csv) => {
            let rows: Vec<ActivityRow> = handle
                .activities(first, last)?
                .into_iter()
                .map(|a| ActivityRow {
                    id: a.id.to_string(),
                    sport: a.sport.as_str().to_owned(),
                    start: a.start.utc.to_rfc3339(),
                    zone: a.start.zone.name().to_owned(),
                    elapsed_s: a.elapsed_s,
                    moving_s: a.moving_s,
                    distance_m: a.distance_m,
                    elevation_gain_m: a.elevation_gain_m,
                    avg_hr_bpm: a.avg_hr_bpm,
                    max_hr_bpm: a.max_hr_bpm,
                    avg_power_w: a.avg_power_w,
                    normalized_power_w: a.normalized_power_w,
                    calories_kcal: a.calories_kcal,
                    training_load: a.training_load,
                })
                .collect();
            csv_rows(out, &rows)
        }
        (ExportKind::Transactions, Format::Csv) => {
            let rows: Vec<TransactionRow> = handle
                .transactions(first, last)?
                .into_iter()
                .map(|t| TransactionRow {
                    id: t.id.to_string(),
                    account: t.account.to_string(),
                    posted: t.posted.to_string(),
                    amount: t.amount.amount().to_string(),
                    currency: t.amount.currency().code().to_owned(),
                    merchant: t.merchant,
                    description: t.description,
                    category: t.category.map(|c| c.path().to_owned()),
                    pending: t.pending,
                    transfer: t.transfer,
                })
                .collect();
            csv_rows(out, &rows)
        }
        (ExportKind::Balances, Format::Csv) => {
            let rows: Vec<BalanceRow> = handle
                .balances(first, last)?
                .into_iter()
                .map(|b| BalanceRow {
                    account: b.account.to_string(),
                    day: b.day.to_string(),
                    current: b.current.amount().to_string(),
                    available: b.available.map(|m| m.amount().to_string()),
                    limit: b.limit.map(|m| m.amount().to_string()),
                    currency: b.current.currency().code().to_owned(),
                })
                .collect();
            csv_rows(out, &rows)
        }
        (ExportKind::Accounts, Format::Csv) => {
            let rows: Vec<AccountRow> = handle
                .accounts()?
                .into_iter()
                .map(|a| AccountRow {
                    id: a.id.to_string(),
                    name: a.name,
                    institution: a.institution,
                    kind: a.kind,
                    currency: a.currency.code().to_owned(),
                    mask: a.mask.map(|m| m.as_str().to_owned()),
                    opened: a.opened.map(|d| d.to_string()),
                    closed: a.closed.map(|d| d.to_string()),
                })
                .collect();
            csv_rows(out, &rows)
        }
        (ExportKind::DailyHealth, Format::Csv) => {
            let rows: Vec<HealthRow> = handle
                .daily_health(first, last)?
                .into_iter()
                .map(|h| HealthRow {
                    day: h.day.to_string(),
                    sleep_s: h.sleep.map(|s| s.total_s),
                    resting_hr_bpm: h.resting_hr_bpm,
                    hrv_rmssd_ms: h.hrv_rmssd_ms,
                    steps: h.steps,
                    stress_avg: h.stress_avg,
                    body_battery_high: h.body_battery_high,
                    body_battery_low: h.body_battery_low,
                    intensity_minutes: h.intensity_minutes,
                })
                .collect();
            csv_rows(out, &rows)
        }
        (ExportKind::Events, Format::Csv) => {
            use pa_core::calendar::EventTime;
            let rows: Vec<EventRow> = handle
                .records::<StoredEvent>(None)?
                .into_iter()
                .map(|e| {
                    let (start, end, all_day) = match e.record.time {
                        EventTime::Timed { start, end } => {
                            (start.utc.to_rfc3339(), end.utc.to_rfc3339(), false)
                        }
                        EventTime::AllDay { start, end } => {
                            (start.to_string(), end.to_string(), true)
                        }
                    };
                    EventRow {
                        id: e.id.to_string(),
                        calendar: e.record.calendar,
                        title: e.record.title,
                        start,
                        end,
                        all_day,
                        status: e.record.status,
                        recurrence: e.record.recurrence.map(|r| r.rrules.join(" ")),
                    }
                })
                .collect();
            csv_rows(out, &rows)
        }
        (ExportKind::Activities, _) => json_out(out, &handle.activities(first, last)?),
        (ExportKind::Transactions, _) => json_out(out, &handle.transactions(first, last)?),
        (ExportKind::Accounts, _) => json_out(out, &handle.accounts()?),
        (ExportKind::Balances, _) => json_out(out, &handle.balances(first, last)?),
        (ExportKind::Events, _) => json_out(out, &handle.records::<StoredEvent>(None)?),
        (ExportKind::DailyHealth, _) => json_out(out, &handle.daily_health(first, last)?),
    }
}

fn json_out<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

fn csv_rows<T: serde::Serialize>(out: &mut dyn Write, rows: &[T]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for r in rows {
        w.serialize(r)?;
    }
    w.flush()?;
    Ok(())
}

#[derive(Debug, Args)]
#[command(after_help = "Example:
  pa --db copy.db import-jsonl everything.jsonl")]
pub(crate) struct ImportArgs {
    /// A file written by `pa export`.
    file: PathBuf,
}

#[derive(Debug, Args)]
#[command(after_help = "Example:
  pa backup ~/pa-$(date +%F).db")]
pub(crate) struct BackupArgs {
    /// The new file (replaced only with --force).
    out: PathBuf,
}

/// The store the command works on: `--db`, or the default.
pub(crate) fn location(args: &StoreArgs) -> Location {
    Location::or_default(args.db.clone())
}

/// The store's file, when it has one (not `:memory:`).
pub(crate) fn path(args: &StoreArgs) -> Result<Option<PathBuf>> {
    Ok(location(args).file()?)
}

/// The person's data, for a command that writes: the store (and its directory) is created on
/// first use, and so is the person.
pub(crate) fn writer(args: &StoreArgs) -> Result<Person> {
    Ok(open(args, Access::Create)?
        .person(&args.user, true)?
        .with_origin("cli"))
}

/// The store at the arguments' location, on the `--now` clock when one is given.
fn open(args: &StoreArgs, access: Access) -> Result<Assistant> {
    let pa = Assistant::open(&location(args), access)?;
    Ok(match args.now {
        Some(now) => pa.with_clock(std::sync::Arc::new(pa_core::ports::FixedClock(now))),
        None => pa,
    })
}

/// The person's data, for a command that only reads: the store is opened read-only (it works on
/// a read-only file and never waits behind a writer), and a missing store or person is an error;
/// nothing is created.
pub(crate) fn reader(args: &StoreArgs) -> Result<Person> {
    Ok(open(args, Access::ReadOnly)?.person(&args.user, false)?)
}

/// A spinner on stderr while `job` runs: drawn only on a terminal, never with `--quiet`, and
/// only once the job has taken more than a second (so quick runs stay clean).
fn with_spinner<T>(ctx: Context, what: &str, job: impl FnOnce() -> Result<T>) -> Result<T> {
    let bar = if ctx.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new_spinner()
    };
    bar.set_message(what.to_owned());
    // The first tick is drawn after a second; until then nothing shows.
    bar.enable_steady_tick(std::time::Duration::from_millis(1000));
    let result = job();
    bar.finish_and_clear();
    result
}

pub(crate) fn export(args: ExportArgs, store_args: &StoreArgs, ctx: Context) -> Result<()> {
    with_spinner(ctx, "exporting", || export_now(args, store_args, ctx))
}

fn export_now(args: ExportArgs, store_args: &StoreArgs, ctx: Context) -> Result<()> {
    let store_path = path(store_args)?;
    // The target is checked before the store is opened and before anything is created.
    let mut file = args
        .out
        .as_deref()
        .map(|out| OutputFile::create(out, store_path.as_deref(), ctx.existing()))
        .transpose()?;
    let handle = reader(store_args)?;
    let write = |out: &mut dyn Write| -> Result<()> {
        match args.kind {
            Some(kind) => export_kind(&handle, kind, ctx.format, out),
            None => {
                handle.export_jsonl_to(out)?;
                Ok(())
            }
        }
    };
    match file.take() {
        Some(mut file) => {
            write(&mut file)?;
            file.commit()?;
        }
        None => write(&mut std::io::stdout().lock())?,
    }
    Ok(())
}

pub(crate) fn import(args: ImportArgs, store_args: &StoreArgs, ctx: Context) -> Result<()> {
    let file = std::fs::File::open(&args.file).map_err(|source| pa_integrations::Error::Io {
        path: args.file.clone(),
        source,
    })?;
    let handle = writer(store_args)?;
    let report = with_spinner(ctx, "importing", || {
        Ok(handle.import_jsonl_from(
            std::io::BufReader::new(file),
            &args.file.display().to_string(),
        )?)
    })?;
    if !ctx.quiet {
        println!(
            "{} added, {} updated, {} unchanged",
            report.added, report.updated, report.unchanged
        );
    }
    Ok(())
}

pub(crate) fn backup(args: BackupArgs, store_args: &StoreArgs, ctx: Context) -> Result<()> {
    let store = Assistant::open(&location(store_args), Access::ReadOnly)?;
    with_spinner(ctx, "backing up", || {
        Ok(store.backup(&args.out, ctx.existing())?)
    })?;
    if !ctx.quiet {
        eprintln!("backed up to {}", args.out.display());
    }
    Ok(())
}

#[derive(Debug, Args)]
#[command(after_help = "Example:
  pa check && echo healthy")]
pub(crate) struct CheckArgs {}

/// `pa check`: SQLite's integrity check and every record decoded; exit 65 when anything is
/// damaged, each problem on its own line.
pub(crate) fn check(_args: CheckArgs, store_args: &StoreArgs, ctx: Context) -> Result<()> {
    let path = path(store_args)?.unwrap_or_else(|| PathBuf::from(":memory:"));
    let store = Assistant::open(&location(store_args), Access::ReadOnly)?;
    let problems = with_spinner(ctx, "checking", || Ok(store.check()?))?;
    if problems.is_empty() {
        ctx.note(format!("{}: no damage found", path.display()));
        return Ok(());
    }
    for p in &problems {
        eprintln!("{p}");
    }
    Err(pa_integrations::Error::Corrupt {
        path,
        reason: format!("{} problem(s) found", problems.len()),
    }
    .into())
}
