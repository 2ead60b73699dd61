//! Charts drawn with plotters to SVG.

use std::path::Path;

use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use pa_core::fitness::pmc::{Pmc, PmcDay, PmcOptions};
use plotters::prelude::*;

const CTL_COLOUR: RGBColor = RGBColor(31, 119, 180);
const ATL_COLOUR: RGBColor = RGBColor(214, 39, 40);
const TSB_COLOUR: RGBColor = RGBColor(44, 160, 44);
const LOAD_COLOUR: RGBColor = RGBColor(190, 190, 190);

/// The Performance Manager Chart: daily load bars with CTL and ATL lines above, TSB below with its
/// GoldenCheetah bands (green −5..15 optimal, red below −40).
pub(crate) fn pmc_svg(pmc: &Pmc, options: &PmcOptions, path: &Path) -> Result<()> {
    let days: Vec<PmcDay> = pmc.rows().collect();
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Err(anyhow!("nothing to draw: the chart has no days"));
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

    let root = SVGBackend::new(path, (1200, 720)).into_drawing_area();
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
    chart
        .draw_series(LineSeries::new(
            days.iter().map(|d| (d.day.naive(), d.ctl)),
            CTL_COLOUR.stroke_width(3),
        ))
        .map_err(plot_err)?
        .label("CTL (fitness)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], CTL_COLOUR.stroke_width(3)));
    chart
        .draw_series(LineSeries::new(
            days.iter().map(|d| (d.day.naive(), d.atl)),
            ATL_COLOUR.stroke_width(2),
        ))
        .map_err(plot_err)?
        .label("ATL (fatigue)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], ATL_COLOUR.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(plot_err)?;

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
    form.draw_series(LineSeries::new(
        days.iter().map(|d| (d.day.naive(), d.tsb)),
        TSB_COLOUR.stroke_width(2),
    ))
    .map_err(plot_err)?
    .label("TSB (form); shaded: optimal −5..15, overreaching < −40")
    .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], TSB_COLOUR.stroke_width(2)));
    form.configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(plot_err)?;
    root.present().map_err(plot_err)?;
    Ok(())
}

fn plot_err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("{e}")
}
