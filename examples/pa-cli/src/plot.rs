//! `pa chart pmc|networth|habits|sleep`: charts of what the store holds, as SVG.

use std::path::PathBuf;

use anyhow::Result;
use chrono::Utc;
use clap::{Args, ValueEnum};
use pa_core::fitness::pmc::PmcOptions;
use pa_core::ports::{FinanceRepository, FitnessRepository, HabitRepository, UserStore};
use pa_core::time::{Day, ZonedInstant, parse_zone};

use crate::{Context, StoreArgs};

/// What to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ChartKind {
    /// The Performance Manager Chart: load, CTL, ATL, TSB.
    Pmc,
    /// Net worth with assets and liabilities.
    Networth,
    /// Habits, one square per day.
    Habits,
    /// Nightly sleep with its 7-night mean.
    Sleep,
}

/// `pa chart`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  pa demo && pa chart pmc --out pmc.svg
  pa chart habits --days 60 --out habits.svg
  pa chart networth --day 2026-11-20 --days 365")]
pub(crate) struct ChartArgs {
    /// The chart.
    kind: ChartKind,
    /// Where to write it (SVG); default: `<chart>.svg`.
    #[arg(long, value_name = "FILE.svg")]
    out: Option<PathBuf>,
    /// The last day drawn (YYYY-MM-DD); default: today in --tz.
    #[arg(long, value_name = "YYYY-MM-DD")]
    day: Option<String>,
    /// How many days back (PMC: from the first load when not given).
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    /// IANA time zone of the days.
    #[arg(long, env = "PA_ZONE", default_value = "UTC", value_name = "ZONE")]
    tz: String,
}

pub(crate) fn run(args: ChartArgs, store: &StoreArgs, ctx: Context) -> Result<()> {
    let tz = parse_zone(&args.tz)?;
    let last: Day = match &args.day {
        Some(d) => d
            .parse()
            .map_err(|e: pa_core::Error| pa_core::Error::invalid("--day", e.to_string()))?,
        None => ZonedInstant::new(Utc::now(), tz).local_day(),
    };
    let name = args
        .kind
        .to_possible_value()
        .map_or("chart".into(), |v| v.get_name().to_owned());
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{name}.svg")));
    if out
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("svg"))
    {
        return Err(pa_core::Error::invalid(
            "--out",
            format!(
                "{} is not an .svg file (charts are SVG; rsvg-convert turns them into PNG)",
                out.display()
            ),
        )
        .into());
    }
    let first = |default: u32| last.add_days(-(i64::from(args.days.unwrap_or(default)) - 1));
    let db = crate::store::open(store)?;
    let handle = crate::store::user(&db, store)?;
    match args.kind {
        ChartKind::Pmc => {
            let options = PmcOptions::default();
            let Some(pmc) = handle.pmc(last, &options)? else {
                return Err(pa_core::Error::invalid(
                    "chart",
                    "no activity with a training load is stored",
                )
                .into());
            };
            let pmc = match args.days {
                Some(_) => pmc.since(first(90)?),
                None => pmc,
            };
            crate::chart::pmc_svg(&pmc, &options, &out)?;
        }
        ChartKind::Networth => {
            let series = handle.net_worth(first(365)?, last, None)?;
            let Some(currency) = series.currencies.first().copied() else {
                return Err(
                    pa_core::Error::invalid("chart", "no account balances are stored").into(),
                );
            };
            crate::chart::networth_svg(&series, currency, &out)?;
        }
        ChartKind::Habits => {
            let from = first(90)?;
            let n = from.days_until(last) + 1;
            let rows: Vec<crate::chart::HabitRow> = handle
                .habits_with_entries(last)?
                .into_iter()
                .map(|(h, entries)| {
                    let mut values = vec![None; usize::try_from(n).unwrap_or(0)];
                    for e in entries {
                        if let Ok(i) = usize::try_from(from.days_until(e.day))
                            && let Some(slot) = values.get_mut(i)
                        {
                            *slot = Some(e.value);
                        }
                    }
                    (h.record.name, values)
                })
                .collect();
            crate::chart::habits_svg(from.naive(), &rows, &out)?;
        }
        ChartKind::Sleep => {
            let nights: Vec<_> = handle
                .daily_health(first(90)?, last)?
                .into_iter()
                .filter_map(|h| Some((h.day.naive(), h.sleep?.total_s / 3600.0)))
                .collect();
            crate::chart::sleep_svg(&nights, &out)?;
        }
    }
    ctx.note(format!("wrote {}", out.display()));
    Ok(())
}
