//! `pa training …`: the Performance Manager Chart from a daily-load CSV.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use pa_core::fitness::pmc::{self, Form, PmcOptions, PmcVariant};
use serde::Serialize;

use crate::Context;
use crate::output::{Format, write_rows};

/// The bundled sample: one athlete's periodised year (see `data/make_sample.py`).
pub(crate) const SAMPLE_LOADS: &str = include_str!("../data/sample-loads.csv");

#[derive(Debug, Subcommand)]
pub(crate) enum TrainingCommand {
    /// Fitness (CTL), fatigue (ATL), form (TSB) and ramp rate, one row per day.
    #[command(after_help = PMC_HELP)]
    Pmc(PmcArgs),
}

const PMC_HELP: &str = "\
Input: CSV with a header naming 'date' and 'load' (other columns are ignored). Dates are ISO
(YYYY-MM-DD); several rows on one date add up; dates with no row are rest days.

Output: one row per calendar day from the first to the last input date, with
date, load, ctl, atl, tsb, ramp.

Variants: gc (GoldenCheetah: gain 1-e^(-1/T), TSB = yesterday's CTL - ATL, ramp over the ATL days),
tp (TrainingPeaks' published form: gain 1/T, 7-day ramp), icu (intervals.icu: same-day TSB).

Examples:
  pa training pmc --sample
  pa demo --quiet > /dev/null && pa training pmc --format csv   # from the store
  pa training pmc --loads loads.csv --format json
  pa training pmc --loads loads.csv --variant tp --ctl0 55 --atl0 60 --chart pmc.svg";

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("input").args(["loads", "sample"])))]
pub(crate) struct PmcArgs {
    /// CSV file of daily loads (header: date,load).
    #[arg(long, value_name = "FILE.csv")]
    loads: Option<PathBuf>,

    /// Use the bundled sample year instead of a file. Without --loads or --sample, the daily
    /// loads of the activities in the store (`pa demo`, `pa import`) are used.
    #[arg(long)]
    sample: bool,

    /// PMC convention.
    #[arg(long, value_enum, default_value_t = VariantArg::Gc)]
    variant: VariantArg,

    /// CTL time constant in days.
    #[arg(long, value_name = "N", default_value_t = 42.0)]
    ctl_days: f64,

    /// ATL time constant in days.
    #[arg(long, value_name = "N", default_value_t = 7.0)]
    atl_days: f64,

    /// CTL at the end of the day before the first day.
    #[arg(
        long,
        value_name = "X",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    ctl0: f64,

    /// ATL at the end of the day before the first day.
    #[arg(
        long,
        value_name = "Y",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    atl0: f64,

    /// Also draw the chart to this SVG file.
    #[arg(long, value_name = "OUT.svg")]
    chart: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum VariantArg {
    Gc,
    Tp,
    Icu,
}

impl From<VariantArg> for PmcVariant {
    fn from(v: VariantArg) -> Self {
        match v {
            VariantArg::Gc => PmcVariant::GoldenCheetah,
            VariantArg::Tp => PmcVariant::TrainingPeaks,
            VariantArg::Icu => PmcVariant::IntervalsIcu,
        }
    }
}

/// One output row; the field names are the JSON keys and CSV header.
#[derive(Debug, Serialize)]
struct Row {
    date: String,
    load: f64,
    ctl: f64,
    atl: f64,
    tsb: f64,
    ramp: f64,
}

pub(crate) fn run(cmd: TrainingCommand, store: &crate::StoreArgs, ctx: Context) -> Result<()> {
    match cmd {
        TrainingCommand::Pmc(args) => pmc_command(args, store, ctx),
    }
}

fn pmc_command(args: PmcArgs, store: &crate::StoreArgs, ctx: Context) -> Result<()> {
    use pa_core::ports::UserStore;
    let series = match &args.loads {
        Some(path) => pa_integrations::import::loads::load_file(path)?,
        None if args.sample => pa_integrations::import::loads::read_daily_loads(
            SAMPLE_LOADS.as_bytes(),
            "bundled sample",
        )?,
        None => {
            let handle = crate::store::reader(store)?;
            let entries =
                handle.daily_loads(pa_core::time::Day::EARLIEST, pa_core::time::Day::LATEST)?;
            if entries.is_empty() {
                return Err(pa_core::Error::invalid(
                    "training loads",
                    "the store has no activity with a training load: give --loads FILE.csv or \
                     --sample, or run pa demo or pa import first",
                )
                .into());
            }
            pa_core::fitness::pmc::DailyLoads::from_entries(entries)?
        }
    };
    let options = PmcOptions {
        variant: args.variant.into(),
        ctl_days: args.ctl_days,
        atl_days: args.atl_days,
        ctl0: args.ctl0,
        atl0: args.atl0,
    };
    let chart = pmc::compute(&series, &options)?;
    for w in chart.warnings() {
        ctx.warn(w);
    }
    let rows: Vec<Row> = chart
        .rows()
        .map(|d| Row {
            date: d.day.to_string(),
            load: d.load,
            ctl: d.ctl,
            atl: d.atl,
            tsb: d.tsb,
            ramp: d.ramp,
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_rows(
        &mut out,
        ctx.format,
        &["date", "load", "ctl", "atl", "tsb", "ramp"],
        &rows,
        |r| {
            vec![
                r.date.clone(),
                format!("{:.1}", r.load),
                format!("{:.1}", r.ctl),
                format!("{:.1}", r.atl),
                format!("{:.1}", r.tsb),
                format!("{:+.1}", r.ramp),
            ]
        },
    )?;
    if ctx.format == Format::Table
        && let Some(last) = chart.last()
    {
        let form = match Form::from_tsb(last.tsb) {
            Form::Fresh => "fresh: well rested, fitness may be fading",
            Form::Optimal => "optimal: ready to perform",
            Form::Productive => "productive: training is building fitness",
            Form::Overreaching => "overreaching: high fatigue, plan recovery",
        };
        writeln!(
            out,
            "{}: fitness (CTL) {:.1}, fatigue (ATL) {:.1}, form (TSB) {:.1}: {form}",
            last.day, last.ctl, last.atl, last.tsb
        )?;
    }
    if let Some(path) = &args.chart {
        let mut svg = String::new();
        crate::chart::pmc_svg(&chart, &options, &mut svg)?;
        crate::plot::save(&svg, path, store, ctx)?;
    }
    Ok(())
}
