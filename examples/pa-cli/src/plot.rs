//! `pa chart pmc|networth|habits|sleep`: charts of what the store holds, as SVG or PNG.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use pa_core::fitness::pmc::PmcOptions;
use pa_core::ports::{FinanceRepository, FitnessRepository, HabitRepository, UserStore};
use pa_core::time::Day;

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
    /// Where to write it: `.svg`, or `.png` (rendered with resvg); default: `<chart>.svg`.
    #[arg(long, value_name = "FILE.svg|.png")]
    out: Option<PathBuf>,
    /// The last day drawn (YYYY-MM-DD); default: today in the zone.
    #[arg(long, value_name = "YYYY-MM-DD")]
    day: Option<String>,
    /// How many days back (PMC: from the first load when not given).
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    /// IANA time zone of the days; default: the person's (`pa profile`), else UTC.
    #[arg(long, env = "PA_ZONE", value_name = "ZONE")]
    tz: Option<String>,
}

pub(crate) fn run(args: ChartArgs, store: &StoreArgs, ctx: Context) -> Result<()> {
    let tz = crate::briefing::zone_arg(args.tz.as_deref())?;
    let day = crate::briefing::day_arg(args.day.as_deref(), "--day")?;
    let name = args
        .kind
        .to_possible_value()
        .map_or("chart".into(), |v| v.get_name().to_owned());
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{name}.svg")));
    let ext = target.extension().map(|e| e.to_ascii_lowercase());
    let _png = match ext.as_ref().and_then(|e| e.to_str()) {
        Some("svg") => false,
        Some("png") => true,
        _ => {
            return Err(pa_core::Error::invalid(
                "--out",
                format!("{} is neither .svg nor .png", target.display()),
            )
            .into());
        }
    };
    // Refused before anything is read or drawn: the store itself, or an existing file without
    // --force.
    let store_path = crate::store::path(store)?;
    pa_integrations::output::check_target(&target, store_path.as_deref(), ctx.existing())?;
    let mut svg = String::new();
    let handle = crate::store::reader(store)?;
    let last: Day = match day {
        Some(d) => d,
        None => handle.today(tz)?,
    };
    let first = |default: u32| last.add_days(-(i64::from(args.days.unwrap_or(default)) - 1));
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
            crate::chart::pmc_svg(&pmc, &options, &mut svg)?;
        }
        ChartKind::Networth => {
            let series = handle.net_worth(first(365)?, last, None)?;
            let Some(currency) = series.currencies.first().copied() else {
                return Err(
                    pa_core::Error::invalid("chart", "no account balances are stored").into(),
                );
            };
            crate::chart::networth_svg(&series, currency, &mut svg)?;
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
            crate::chart::habits_svg(from.naive(), &rows, &mut svg)?;
        }
        ChartKind::Sleep => {
            use pa_core::fitness::trends::{DailySeries, HealthMetric, rolling_mean};
            let health = handle.daily_health(first(90)?, last)?;
            let nights: Vec<_> = health
                .iter()
                .filter_map(|h| Some((h.day.naive(), h.sleep?.total_s / 3600.0)))
                .collect();
            // By calendar day, so a missing night leaves a gap in the window instead of
            // stretching it; a mean needs four of the seven nights.
            let mean: Vec<_> = match DailySeries::from_health(&health, HealthMetric::SleepTotal)? {
                None => Vec::new(),
                Some(series) => rolling_mean(&series, 7, 4.0 / 7.0)?
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, m)| {
                        let day = series.start().add_days(i as i64).ok()?;
                        Some((day.naive(), m? / 3600.0))
                    })
                    .collect(),
            };
            crate::chart::sleep_svg(&nights, &mean, &mut svg)?;
        }
    }
    save(&svg, &target, store, ctx)
}

/// Writes a drawn chart to `target`: as it is for `.svg`, rendered for `.png`; a private file
/// written whole, never over the store, over an existing file only with `--force`.
pub(crate) fn save(
    svg: &str,
    target: &std::path::Path,
    store: &StoreArgs,
    ctx: Context,
) -> Result<()> {
    let png = target
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    let bytes = if png {
        svg_to_png(svg)?
    } else {
        svg.as_bytes().to_vec()
    };
    let store_path = crate::store::path(store)?;
    pa_integrations::output::OutputFile::write_whole(
        target,
        store_path.as_deref(),
        ctx.existing(),
        &bytes,
    )?;
    ctx.note(format!(
        "wrote {}",
        crate::output::clean(&target.display().to_string())
    ));
    Ok(())
}

/// Renders `svg` to PNG bytes with resvg, text in the system's fonts.
fn svg_to_png(svg: &str) -> Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let data = svg.as_bytes();
    let mut options = usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_system_fonts();
    // The charts ask for `sans-serif`, which fontdb maps to Arial: use a sans face this system
    // has instead (DejaVu on Debian), so labels are drawn.
    let family = [
        "DejaVu Sans",
        "Liberation Sans",
        "Noto Sans",
        "FreeSans",
        "Arial",
    ]
    .into_iter()
    .find(|want| {
        fonts
            .faces()
            .any(|f| f.families.iter().any(|(name, _)| name == want))
    })
    .map(str::to_owned)
    .or_else(|| {
        fonts
            .faces()
            .find_map(|f| f.families.first().map(|(name, _)| name.clone()))
    });
    if let Some(family) = family {
        fonts.set_sans_serif_family(family);
    }
    let tree = usvg::Tree::from_data(data, &options)
        .map_err(|e| anyhow::anyhow!("cannot render the chart: {e}"))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| {
        anyhow::anyhow!("cannot render a {}×{} chart", size.width(), size.height())
    })?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| anyhow::anyhow!("cannot encode the chart as PNG: {e}"))
}
