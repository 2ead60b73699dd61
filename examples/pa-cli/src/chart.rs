//! Charts drawn with plotters to SVG.

use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use pa_core::finance::networth::NetWorthRow;
use pa_core::fitness::pmc::{Pmc, PmcDay, PmcOptions};
use plotters::coord::types::{RangedCoordf64, RangedDate};
use plotters::prelude::*;

const CTL_COLOUR: RGBColor = RGBColor(31, 119, 180);
const ATL_COLOUR: RGBColor = RGBColor(214, 39, 40);
const TSB_COLOUR: RGBColor = RGBColor(44, 160, 44);
const LOAD_COLOUR: RGBColor = RGBColor(190, 190, 190);

/// The Performance Manager Chart: daily load bars with CTL and ATL lines above, TSB below with its
/// GoldenCheetah bands (green −5..15 optimal, red below −40).
pub(crate) fn pmc_svg(pmc: &Pmc, options: &PmcOptions, svg: &mut String) -> Result<()> {
    let days: Vec<PmcDay> = pmc.rows().collect();
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Err(nothing("the chart has no days"));
    };
    let x0: NaiveDate = first.day.naive();
    let x1: NaiveDate = last.day.naive().succ_opt().unwrap_or(last.day.naive());
    let top = days
        .iter()
        .map(|d| d.load.max(d.ctl).max(d.atl))
        .fold(10.0, f64::max)
        * 1.08;
    let (tsb_lo, tsb_hi) = days.iter().fold((-10.0_f64, 10.0_f64), |(lo, hi), d| {
        (lo.min(d.tsb), hi.max(d.tsb))
    });
    let pad = (tsb_hi - tsb_lo) * 0.08;

    let root = SVGBackend::with_string(svg, (1200, 720)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let (upper, lower) = root.split_vertically(480);

    let title = format!(
        "Performance Manager · {} · CTL {:.0} d, ATL {:.0} d · {} to {}",
        options.variant, options.ctl_days, options.atl_days, first.day, last.day
    );
    let mut chart = ChartBuilder::on(&upper)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, 0.0..top)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .y_desc("load / CTL / ATL")
        .x_labels(12)
        .x_label_formatter(&|d: &NaiveDate| d.format("%b %y").to_string())
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(days.iter().filter(|d| d.load > 0.0).map(|d| {
            let x = d.day.naive();
            Rectangle::new(
                [(x, 0.0), (x.succ_opt().unwrap_or(x), d.load)],
                LOAD_COLOUR.filled(),
            )
        }))
        .map_err(plot_err)?
        .label("daily load")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], LOAD_COLOUR.filled()));
    let points = |f: fn(&PmcDay) -> f64| {
        days.iter()
            .map(|d| (d.day.naive(), f(d)))
            .collect::<Vec<_>>()
    };
    line(
        &mut chart,
        points(|d| d.ctl),
        CTL_COLOUR,
        3,
        "CTL (fitness)",
    )?;
    line(
        &mut chart,
        points(|d| d.atl),
        ATL_COLOUR,
        2,
        "ATL (fatigue)",
    )?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;

    let mut form = ChartBuilder::on(&lower)
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, (tsb_lo - pad)..(tsb_hi + pad))
        .map_err(plot_err)?;
    form.configure_mesh()
        .y_desc("TSB (form)")
        .x_labels(12)
        .x_label_formatter(&|d: &NaiveDate| d.format("%b %y").to_string())
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(plot_err)?;
    let band = |lo: f64, hi: f64, colour: RGBAColor| {
        let lo = lo.max(tsb_lo - pad);
        let hi = hi.min(tsb_hi + pad);
        (lo < hi).then(|| Rectangle::new([(x0, lo), (x1, hi)], colour.filled()))
    };
    form.draw_series(
        [
            band(-5.0, 15.0, TSB_COLOUR.mix(0.12)),
            band(f64::NEG_INFINITY, -40.0, ATL_COLOUR.mix(0.10)),
        ]
        .into_iter()
        .flatten(),
    )
    .map_err(plot_err)?;
    form.draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], BLACK.mix(0.4)))
        .map_err(plot_err)?;
    line(
        &mut form,
        points(|d| d.tsb),
        TSB_COLOUR,
        2,
        "TSB (form); shaded: optimal −5..15, overreaching < −40",
    )?;
    legend(&mut form, SeriesLabelPosition::LowerRight)?;
    root.present().map_err(plot_err)?;
    Ok(())
}

/// The date/value plane every chart here draws on.
type Plane<'a> =
    ChartContext<'a, SVGBackend<'a>, Cartesian2d<RangedDate<NaiveDate>, RangedCoordf64>>;

/// Draws one labelled line.
fn line(
    chart: &mut Plane<'_>,
    points: Vec<(NaiveDate, f64)>,
    colour: RGBColor,
    width: u32,
    label: &str,
) -> Result<()> {
    chart
        .draw_series(LineSeries::new(points, colour.stroke_width(width)))
        .map_err(plot_err)?
        .label(label)
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(width)));
    Ok(())
}

/// Draws the legend box at `position`.
fn legend(chart: &mut Plane<'_>, position: SeriesLabelPosition) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(plot_err)
}

fn plot_err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("{e}")
}

/// A line of the net-worth chart: label, colour, width and the value it draws.
type Line = (&'static str, RGBColor, u32, fn(&NetWorthRow) -> f64);

/// Net worth with assets and liabilities, in one currency. Amounts become floats only to be drawn.
pub(crate) fn networth_svg(
    series: &pa_core::finance::networth::NetWorthSeries,
    currency: pa_core::money::Currency,
    svg: &mut String,
) -> Result<()> {
    use rust_decimal::prelude::ToPrimitive;
    let rows: Vec<_> = series
        .rows
        .iter()
        .filter(|r| r.currency == currency)
        .collect();
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Err(nothing("no net worth rows"));
    };
    let f = |d: &rust_decimal::Decimal| d.to_f64().unwrap_or(0.0);
    let x0 = first.day.naive();
    let x1 = last.day.naive().succ_opt().unwrap_or(x0);
    let hi = rows
        .iter()
        .map(|r| f(&r.assets).max(f(&r.net_worth)))
        .fold(0.0, f64::max)
        * 1.08
        + 1.0;
    let lo = rows
        .iter()
        .map(|r| f(&r.net_worth).min(-f(&r.liabilities)))
        .fold(0.0, f64::min)
        * 1.08;
    let root = SVGBackend::with_string(svg, (1200, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let title = format!(
        "Net worth · {} · {} to {}",
        currency.code(),
        first.day,
        last.day
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, lo..hi)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .y_desc(currency.code())
        .x_labels(12)
        .x_label_formatter(&|d: &NaiveDate| d.format("%b %y").to_string())
        .y_label_formatter(&|v: &f64| format!("{v:.0}"))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(plot_err)?;
    let series_of = |pick: fn(&NetWorthRow) -> f64| {
        rows.iter()
            .map(move |r| (r.day.naive(), pick(r)))
            .collect::<Vec<_>>()
    };
    let lines: [Line; 3] = [
        ("assets", TSB_COLOUR, 2, |r| {
            r.assets.to_f64().unwrap_or(0.0)
        }),
        ("liabilities (owed, drawn below zero)", ATL_COLOUR, 2, |r| {
            -r.liabilities.to_f64().unwrap_or(0.0)
        }),
        ("net worth", CTL_COLOUR, 3, |r| {
            r.net_worth.to_f64().unwrap_or(0.0)
        }),
    ];
    for (label, colour, width, pick) in lines {
        line(&mut chart, series_of(pick), colour, width, label)?;
    }
    chart
        .draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], BLACK.mix(0.4)))
        .map_err(plot_err)?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present().map_err(plot_err)?;
    Ok(())
}

const DONE_COLOUR: RGBColor = RGBColor(44, 160, 44);
const SKIP_COLOUR: RGBColor = RGBColor(255, 187, 120);
const MISS_COLOUR: RGBColor = RGBColor(225, 225, 225);

/// One row of the habits chart: the habit's name and, per day from the first, its entry.
pub(crate) type HabitRow = (String, Vec<Option<pa_core::habits::EntryValue>>);

/// Habits over days: one row per habit, one square per day, green done, orange skipped, grey
/// not done or not recorded.
pub(crate) fn habits_svg(first: NaiveDate, rows: &[HabitRow], svg: &mut String) -> Result<()> {
    use pa_core::habits::EntryValue;
    let days = rows.first().map_or(0, |(_, d)| d.len());
    if rows.is_empty() || days == 0 {
        return Err(nothing("no habits with days"));
    }
    let x1 = first + chrono::Duration::days(days as i64);
    let height = 160 + 40 * rows.len() as u32;
    let root = SVGBackend::with_string(svg, (1200, height)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption("Habits: one square per day", ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(30)
        .y_label_area_size(120)
        .build_cartesian_2d(first..x1, 0.0..rows.len() as f64)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(10)
        .x_label_formatter(&|d: &NaiveDate| d.format("%-d %b").to_string())
        .y_labels(rows.len() * 2 + 1)
        .y_label_formatter(&|y: &f64| {
            // Names sit at the middle of their rows.
            let i = (y - 0.5).round();
            if (y - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                names
                    .get(names.len().saturating_sub(1 + i as usize))
                    .map_or(String::new(), |n| (*n).to_owned())
            } else {
                String::new()
            }
        })
        .draw()
        .map_err(plot_err)?;
    let mut squares = Vec::new();
    for (r, (_, values)) in rows.iter().enumerate() {
        let y = (rows.len() - 1 - r) as f64;
        for (i, v) in values.iter().enumerate() {
            let colour = match v {
                Some(EntryValue::Yes) => DONE_COLOUR,
                Some(EntryValue::Amount(a)) if *a > 0.0 => DONE_COLOUR,
                Some(EntryValue::Skip) => SKIP_COLOUR,
                _ => MISS_COLOUR,
            };
            let d = first + chrono::Duration::days(i as i64);
            let next = d.succ_opt().unwrap_or(d);
            squares.push(Rectangle::new(
                [(d, y + 0.15), (next, y + 0.85)],
                colour.filled(),
            ));
        }
    }
    chart.draw_series(squares).map_err(plot_err)?;
    for (label, colour) in [
        ("done", DONE_COLOUR),
        ("skipped", SKIP_COLOUR),
        ("not done", MISS_COLOUR),
    ] {
        chart
            .draw_series(std::iter::empty::<Rectangle<(NaiveDate, f64)>>())
            .map_err(plot_err)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present().map_err(plot_err)?;
    Ok(())
}

const SLEEP_COLOUR: RGBColor = RGBColor(106, 90, 205);

/// Nightly sleep in hours as bars, with its 7-night mean (hours, by day) as a line.
pub(crate) fn sleep_svg(
    nights: &[(NaiveDate, f64)],
    mean: &[(NaiveDate, f64)],
    svg: &mut String,
) -> Result<()> {
    let (Some(first), Some(last)) = (nights.first(), nights.last()) else {
        return Err(nothing("no sleep recorded in the window"));
    };
    let x0 = first.0;
    let x1 = last.0.succ_opt().unwrap_or(last.0);
    let top = nights.iter().map(|n| n.1).fold(8.0, f64::max) * 1.1;
    let root = SVGBackend::with_string(svg, (1200, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Sleep", ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(30)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, 0.0..top)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .y_desc("hours")
        .x_labels(12)
        .x_label_formatter(&|d: &NaiveDate| d.format("%-d %b").to_string())
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(nights.iter().map(|(d, h)| {
            let next = d.succ_opt().unwrap_or(*d);
            Rectangle::new([(*d, 0.0), (next, *h)], SLEEP_COLOUR.mix(0.35).filled())
        }))
        .map_err(plot_err)?
        .label("a night")
        .legend(|(x, y)| {
            Rectangle::new(
                [(x, y - 5), (x + 16, y + 5)],
                SLEEP_COLOUR.mix(0.35).filled(),
            )
        });
    line(&mut chart, mean.to_vec(), SLEEP_COLOUR, 3, "7-night mean")?;
    legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
    root.present().map_err(plot_err)?;
    Ok(())
}

/// The error for a chart with nothing to draw: the data is missing, as with `pa chart pmc` on a
/// store without training loads (exit 65 for every chart alike).
fn nothing(what: &str) -> anyhow::Error {
    pa_core::Error::invalid("chart", format!("nothing to draw: {what}")).into()
}
