//! What every everyday write shares: `--dry-run`, reading the plain day and time forms in the
//! person's zone, and printing what was done (a line for people, `--format json` for scripts).

use std::io::Write;

use anyhow::Result;
use chrono_tz::Tz;
use clap::Args;
use pa_core::ids::ExternalRef;
use pa_core::time::{Day, ZonedInstant};
use pa_core::when::{self, When};
use pa_integrations::assistant::{Change, Person, Written};
use serde::Serialize;

use crate::output::{Format, clean};
use crate::{Context, StoreArgs};

/// Plain forms of days and times, as a literal for `concat!` into each write's help.
macro_rules! when_help {
    () => {
        "Days: today, tomorrow, yesterday, a weekday (fri: the coming one, today included), +3d,
-2d, +1w, or 2026-12-24. Times: 18:30 (today), fri 18:30, 2026-12-24T18:30, or an RFC 3339
instant. Days and times are in your zone (pa profile set --zone; --tz for one command)."
    };
}
pub(crate) use when_help;

/// [`when_help!`] as a constant.
pub(crate) const WHEN_HELP: &str = when_help!();

/// Options of every write.
#[derive(Debug, Clone, Args)]
pub(crate) struct WriteOpts {
    /// Check and show what would be written, but write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// The zone to read days and times in (default: your profile's, else UTC).
    #[arg(long, value_name = "ZONE")]
    pub(crate) tz: Option<String>,
}

/// The person to write for, with the zone and today to read day and time forms by.
pub(crate) struct Writer {
    pub(crate) person: Person,
    pub(crate) zone: Tz,
    pub(crate) today: Day,
}

impl Writer {
    /// Opens the store for writing; a dry run opens it read-only and creates nothing.
    pub(crate) fn open(store: &StoreArgs, opts: &WriteOpts) -> Result<Self> {
        let person = if opts.dry_run {
            crate::store::reader(store)?
                .with_origin("cli")
                .dry_run(true)
        } else {
            crate::store::writer(store)?
        };
        let zone = person.zone(crate::briefing::zone_arg(opts.tz.as_deref())?)?;
        let today = person.today(Some(zone))?;
        Ok(Self {
            person,
            zone,
            today,
        })
    }

    /// A day form (`fri`, `+3d`), its errors naming `flag`.
    pub(crate) fn day(&self, text: &str, flag: &str) -> Result<Day> {
        named(flag, when::parse_day(text, self.today))
    }

    /// An optional day form; `None` leaves the default (today) to the facade.
    pub(crate) fn day_opt(&self, text: Option<&str>, flag: &str) -> Result<Option<Day>> {
        text.map(|t| self.day(t, flag)).transpose()
    }

    /// A day or a time.
    pub(crate) fn when(&self, text: &str, flag: &str) -> Result<When> {
        named(flag, when::parse_when(text, self.today, self.zone))
    }

    /// A time of day that must be given.
    pub(crate) fn instant(&self, text: &str, flag: &str) -> Result<ZonedInstant> {
        named(flag, when::parse_instant(text, self.today, self.zone))
    }
}

/// `result` with its error's field renamed to the flag the value came from.
pub(crate) fn named<T>(flag: &str, result: pa_core::Result<T>) -> Result<T> {
    result.map_err(|e| match e {
        pa_core::Error::InvalidInput { reason, field } if field != flag => {
            pa_core::Error::invalid(flag, format!("{field}: {reason}")).into()
        }
        other => other.into(),
    })
}

/// A duration flag (`45m`, `1h30m`, `1:05:00`), in seconds.
pub(crate) fn duration(text: &str, flag: &str) -> Result<f64> {
    named(flag, when::parse_duration(text))
}

/// An `--external SOURCE:ID` flag.
pub(crate) fn external(text: Option<&str>) -> Result<Option<ExternalRef>> {
    text.map(|t| {
        let (source, id) = t.split_once(':').ok_or_else(|| {
            pa_core::Error::invalid("--external", format!("'{t}' is not SOURCE:ID"))
        })?;
        named("--external", ExternalRef::new(source, id))
    })
    .transpose()
}

/// Prints what a write did: `added task t-…: Renew passport` for people, the change and the
/// stored record as JSON for scripts.
pub(crate) fn print<T: Serialize>(
    ctx: Context,
    what: &str,
    written: &Written<T>,
    describe: impl FnOnce(&T) -> String,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match ctx.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, written)?;
            writeln!(out)?;
        }
        Format::Table => {
            let verb = match written.change {
                Change::Added => "added",
                Change::Updated => "updated",
                Change::Unchanged => "unchanged",
                Change::Deleted => "deleted",
                Change::Preview => "dry run, not written:",
            };
            writeln!(out, "{verb} {what} {}", clean(&describe(&written.record)))?;
        }
        Format::Csv | Format::Ics => return Err(crate::output::not_table(&format!("pa {what}"))),
    }
    Ok(())
}
