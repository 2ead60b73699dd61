//! The Performance Manager Chart: chronic and acute training load (CTL, ATL), training stress
//! balance (TSB) and the CTL ramp rate.
//!
//! One step per calendar day; a day without activities has load 0 and decays both averages.
//! With gain k, each day `X(d) = X(d−1) + k · (load(d) − X(d−1))`, starting from the seed
//! `X(−1)` (the state at the end of the day before the first day).
//!
//! | variant | gain k | TSB on day d | ramp on day d |
//! |---|---|---|---|
//! | [`PmcVariant::GoldenCheetah`] (default) | 1 − e^(−1/T) | CTL(d−1) − ATL(d−1) | CTL(d) − CTL(d−R), R = round(ATL days) |
//! | [`PmcVariant::TrainingPeaks`] | 1/T | CTL(d−1) − ATL(d−1) | CTL(d) − CTL(d−7) |
//! | [`PmcVariant::IntervalsIcu`] | 1 − e^(−1/T) | CTL(d) − ATL(d) | CTL(d) − CTL(d−7) |
//!
//! The GoldenCheetah form is the default because it is open source and its numbers can be checked
//! (`src/Metrics/PMCData.cpp`): GoldenCheetah ties the ramp window to the ATL time constant. While
//! d − R is before the first day the ramp compares with the seed, as GoldenCheetah compares with its
//! first array day. TrainingPeaks' exact gain is unpublished; its published form uses 1/T.
//!
//! Daily load is the sum of the loads of the activities whose local start date is that day
//! ([`DailyLoads`]). Non-finite loads count as 0 and are reported as warnings (GoldenCheetah drops
//! them); negative loads are an input error.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Activity;
use crate::error::{Error, Result};
use crate::time::Day;

/// The longest series accepted, in days (100 years), so a typo in a year cannot allocate gigabytes.
pub const MAX_SPAN_DAYS: i64 = 36_525;

/// The PMC convention to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PmcVariant {
    /// GoldenCheetah: exponential gain, yesterday's TSB, ramp over the ATL window.
    #[default]
    #[serde(rename = "gc")]
    GoldenCheetah,
    /// TrainingPeaks' published form: gain 1/T, yesterday's TSB, 7-day ramp.
    #[serde(rename = "tp")]
    TrainingPeaks,
    /// intervals.icu: exponential gain, same-day TSB, 7-day ramp.
    #[serde(rename = "icu")]
    IntervalsIcu,
}

impl PmcVariant {
    /// The short name: `gc`, `tp` or `icu`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PmcVariant::GoldenCheetah => "gc",
            PmcVariant::TrainingPeaks => "tp",
            PmcVariant::IntervalsIcu => "icu",
        }
    }

    fn gain(self, time_constant_days: f64) -> f64 {
        match self {
            PmcVariant::TrainingPeaks => 1.0 / time_constant_days,
            PmcVariant::GoldenCheetah | PmcVariant::IntervalsIcu => {
                -(-1.0 / time_constant_days).exp_m1()
            }
        }
    }
}

impl fmt::Display for PmcVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PmcVariant {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gc" | "goldencheetah" => Ok(PmcVariant::GoldenCheetah),
            "tp" | "trainingpeaks" => Ok(PmcVariant::TrainingPeaks),
            "icu" | "intervals.icu" => Ok(PmcVariant::IntervalsIcu),
            _ => Err(Error::invalid(
                "PMC variant",
                format!("'{s}' is not one of gc, tp, icu"),
            )),
        }
    }
}

/// Time constants, seeds and convention of a PMC.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PmcOptions {
    /// The convention.
    pub variant: PmcVariant,
    /// CTL time constant, days (≥ 1); 42 by default.
    pub ctl_days: f64,
    /// ATL time constant, days (≥ 1); 7 by default.
    pub atl_days: f64,
    /// CTL at the end of the day before the first day; 0 by default.
    pub ctl0: f64,
    /// ATL at the end of the day before the first day; 0 by default.
    pub atl0: f64,
}

impl Default for PmcOptions {
    fn default() -> Self {
        Self::for_variant(PmcVariant::GoldenCheetah)
    }
}

impl PmcOptions {
    /// The defaults (42/7 days, seeds 0) under `variant`.
    pub const fn for_variant(variant: PmcVariant) -> Self {
        Self {
            variant,
            ctl_days: 42.0,
            atl_days: 7.0,
            ctl0: 0.0,
            atl0: 0.0,
        }
    }

    /// Checks the options: time constants finite and ≥ 1 day, seeds finite and ≥ 0.
    pub fn validate(&self) -> Result<()> {
        for (field, t) in [("ctl_days", self.ctl_days), ("atl_days", self.atl_days)] {
            if !(t.is_finite() && t >= 1.0) {
                return Err(Error::invalid(
                    field,
                    format!("a time constant must be at least 1 day, got {t}"),
                ));
            }
        }
        crate::error::non_negative("ctl0", self.ctl0)?;
        crate::error::non_negative("atl0", self.atl0)?;
        Ok(())
    }

    /// The daily CTL gain k.
    pub fn ctl_gain(&self) -> f64 {
        self.variant.gain(self.ctl_days)
    }

    /// The daily ATL gain k.
    pub fn atl_gain(&self) -> f64 {
        self.variant.gain(self.atl_days)
    }

    /// The ramp window R in days.
    pub fn ramp_days(&self) -> usize {
        match self.variant {
            PmcVariant::GoldenCheetah => (self.atl_days.round() as usize).max(1),
            PmcVariant::TrainingPeaks | PmcVariant::IntervalsIcu => 7,
        }
    }
}

/// One day of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PmcDay {
    /// The day.
    pub day: Day,
    /// That day's load, as counted (non-finite → 0).
    pub load: f64,
    /// Chronic training load ("fitness") at the end of the day.
    pub ctl: f64,
    /// Acute training load ("fatigue") at the end of the day.
    pub atl: f64,
    /// Training stress balance ("form"), per the variant.
    pub tsb: f64,
    /// CTL change over the ramp window.
    pub ramp: f64,
}

/// Something the calculation tolerated but the caller should hear about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PmcWarning {
    /// A load that was NaN or infinite was counted as 0.
    NonFiniteLoad {
        /// The day it belonged to.
        day: Day,
    },
}

impl fmt::Display for PmcWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PmcWarning::NonFiniteLoad { day } => write!(
                f,
                "{day}: a load that is not a finite number was counted as 0"
            ),
        }
    }
}

/// A computed chart: one value per calendar day from [`Pmc::start`] in each column, plus warnings.
///
/// The chart is stored by column (`load`, `ctl`, `atl` in one allocation, `tsb`, `ramp` in a
/// second), which is what charts, pandas and polars want and what makes the computation cheap; [`Pmc::rows`],
/// [`Pmc::row`], [`Pmc::on`] and [`Pmc::last`] give the per-day view.
#[derive(Debug, Clone, PartialEq)]
pub struct Pmc {
    start: Day,
    len: usize,
    /// `load`, `ctl`, `atl`, each `len` long, back to back.
    columns: Vec<f64>,
    /// `tsb`, `ramp`, each `len` long, back to back.
    derived: Vec<f64>,
    warnings: Vec<PmcWarning>,
}

impl Pmc {
    /// The days from `day` on (all of them when `day` is before the first; none after the
    /// last), for drawing a recent window of a chart computed over all history.
    pub fn since(&self, day: Day) -> Pmc {
        let skip = usize::try_from(self.start.days_until(day).max(0))
            .unwrap_or(usize::MAX)
            .min(self.len);
        let len = self.len - skip;
        let (mut columns, mut derived) = (Vec::with_capacity(len * 3), Vec::with_capacity(len * 2));
        for c in 0..3 {
            columns.extend_from_slice(&self.column(c)[skip..]);
        }
        for c in 3..5 {
            derived.extend_from_slice(&self.column(c)[skip..]);
        }
        Pmc {
            start: self.start.add_days(skip as i64).unwrap_or(self.start),
            len,
            columns,
            derived,
            warnings: self.warnings.clone(),
        }
    }

    /// The first day.
    pub const fn start(&self) -> Day {
        self.start
    }

    /// Number of days.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// True for a chart of no days.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn column(&self, k: usize) -> &[f64] {
        let (store, k) = if k < 3 {
            (&self.columns, k)
        } else {
            (&self.derived, k - 3)
        };
        store
            .get(k * self.len..(k + 1) * self.len)
            .unwrap_or_default()
    }

    /// Each day's load, as counted (non-finite → 0).
    pub fn load(&self) -> &[f64] {
        self.column(0)
    }

    /// Chronic training load ("fitness") at the end of each day.
    pub fn ctl(&self) -> &[f64] {
        self.column(1)
    }

    /// Acute training load ("fatigue") at the end of each day.
    pub fn atl(&self) -> &[f64] {
        self.column(2)
    }

    /// Training stress balance ("form") of each day, per the variant.
    pub fn tsb(&self) -> &[f64] {
        self.column(3)
    }

    /// CTL change over the ramp window, each day.
    pub fn ramp(&self) -> &[f64] {
        self.column(4)
    }

    /// What was tolerated.
    pub fn warnings(&self) -> &[PmcWarning] {
        &self.warnings
    }

    /// The row of the `i`-th day.
    pub fn row(&self, i: usize) -> Option<PmcDay> {
        if i >= self.len {
            return None;
        }
        Some(PmcDay {
            day: self.start.add_days(i as i64).ok()?,
            load: self.load()[i],
            ctl: self.ctl()[i],
            atl: self.atl()[i],
            tsb: self.tsb()[i],
            ramp: self.ramp()[i],
        })
    }

    /// Every row, first day first.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = PmcDay> + '_ {
        let mut date = self.start.naive();
        (0..self.len).map(move |i| {
            let day = Day::from_naive(date);
            // The last day exists (checked when the chart was computed); only the step past it can fail.
            date = date.succ_opt().unwrap_or(date);
            PmcDay {
                day,
                load: self.load()[i],
                ctl: self.ctl()[i],
                atl: self.atl()[i],
                tsb: self.tsb()[i],
                ramp: self.ramp()[i],
            }
        })
    }

    /// The row for `day`, if inside the chart.
    pub fn on(&self, day: Day) -> Option<PmcDay> {
        self.row(usize::try_from(self.start.days_until(day)).ok()?)
    }

    /// The last row.
    pub fn last(&self) -> Option<PmcDay> {
        self.len.checked_sub(1).and_then(|i| self.row(i))
    }
}

/// Serialised by column: `{"start", "load", "ctl", "atl", "tsb", "ramp", "warnings"}`.
impl Serialize for Pmc {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Columns<'a> {
            start: Day,
            load: &'a [f64],
            ctl: &'a [f64],
            atl: &'a [f64],
            tsb: &'a [f64],
            ramp: &'a [f64],
            warnings: &'a [PmcWarning],
        }
        Columns {
            start: self.start,
            load: self.load(),
            ctl: self.ctl(),
            atl: self.atl(),
            tsb: self.tsb(),
            ramp: self.ramp(),
            warnings: &self.warnings,
        }
        .serialize(serializer)
    }
}

/// A dense series of daily loads: one value per calendar day from `start`, with no gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyLoads {
    start: Day,
    loads: Vec<f64>,
    warnings: Vec<PmcWarning>,
}

impl DailyLoads {
    /// A series from explicit daily values (day `start`, `start + 1`, …).
    pub fn new(start: Day, loads: Vec<f64>) -> Result<Self> {
        check_span(loads.len() as i64)?;
        Ok(Self {
            start,
            loads,
            warnings: Vec::new(),
        })
    }

    /// Sums `(day, load)` entries per day over the span from the earliest to the latest day; days
    /// with no entry are rest days (0). Non-finite entries are skipped with a warning, so one NaN does
    /// not wipe out the other activities of its day. A negative entry is an error naming its day.
    pub fn from_entries(entries: impl IntoIterator<Item = (Day, f64)>) -> Result<Self> {
        // Gathered first, then summed into a dense vector: no map, and each day's entries still
        // add up in input order.
        let mut kept: Vec<(Day, f64)> = Vec::new();
        let mut warnings = Vec::new();
        for (day, load) in entries {
            if !load.is_finite() {
                kept.push((day, 0.0));
                warnings.push(PmcWarning::NonFiniteLoad { day });
                continue;
            }
            if load < 0.0 {
                return Err(Error::invalid(
                    format!("load on {day}"),
                    format!("{load} is negative"),
                ));
            }
            kept.push((day, load));
        }
        let (Some(first), Some(last)) = (
            kept.iter().map(|(d, _)| *d).min(),
            kept.iter().map(|(d, _)| *d).max(),
        ) else {
            return Err(Error::invalid("loads", "no daily loads were given"));
        };
        let span = first.days_until(last) + 1;
        check_span(span)?;
        let mut loads = vec![0.0; span as usize];
        for (day, load) in kept {
            loads[first.days_until(day) as usize] += load;
        }
        Ok(Self {
            start: first,
            loads,
            warnings,
        })
    }

    /// Daily loads from activities' `training_load`, each counted on its local start day.
    /// Activities without a load count as 0 on their day.
    pub fn from_activities<'a>(activities: impl IntoIterator<Item = &'a Activity>) -> Result<Self> {
        Self::from_entries(
            activities
                .into_iter()
                .map(|a| (a.day(), a.training_load.unwrap_or(0.0))),
        )
    }

    /// Extends the series with rest days through `last` (e.g. today, to see the decay).
    pub fn extend_through(&mut self, last: Day) -> Result<()> {
        let want = self.start.days_until(last) + 1;
        check_span(want)?;
        if want > self.loads.len() as i64 {
            self.loads.resize(want as usize, 0.0);
        }
        Ok(())
    }

    /// The first day.
    pub const fn start(&self) -> Day {
        self.start
    }

    /// The daily values.
    pub fn loads(&self) -> &[f64] {
        &self.loads
    }

    /// Warnings from building the series.
    pub fn warnings(&self) -> &[PmcWarning] {
        &self.warnings
    }
}

fn check_span(days: i64) -> Result<()> {
    if days > MAX_SPAN_DAYS {
        Err(Error::invalid(
            "loads",
            format!("span of {days} days exceeds the limit of {MAX_SPAN_DAYS}"),
        ))
    } else {
        Ok(())
    }
}

/// Computes the chart over a dense series of daily loads.
pub fn compute(series: &DailyLoads, options: &PmcOptions) -> Result<Pmc> {
    let mut pmc = compute_dense(series.start, &series.loads, options)?;
    let mut warnings = series.warnings.clone();
    warnings.append(&mut pmc.warnings);
    pmc.warnings = warnings;
    Ok(pmc)
}

/// Computes the chart for loads on consecutive days from `start`.
pub fn compute_dense(start: Day, loads: &[f64], options: &PmcOptions) -> Result<Pmc> {
    options.validate()?;
    check_span(loads.len() as i64)?;
    if let Some(n) = loads.len().checked_sub(1) {
        start.add_days(n as i64)?;
    }
    // The fast path checks every load as it goes; only if one is negative or non-finite is the
    // slower pass run that names the day, builds a cleaned copy and computes again.
    let ((columns, derived), warnings) = match columns_of(loads, options) {
        Some(columns) => (columns, Vec::new()),
        None => {
            let mut warnings = Vec::new();
            let mut cleaned = Vec::with_capacity(loads.len());
            for (i, &x) in loads.iter().enumerate() {
                let day = start.add_days(i as i64)?;
                if x.is_finite() {
                    if x < 0.0 {
                        return Err(Error::invalid(
                            format!("load on {day}"),
                            format!("{x} is negative"),
                        ));
                    }
                    cleaned.push(x);
                } else {
                    warnings.push(PmcWarning::NonFiniteLoad { day });
                    cleaned.push(0.0);
                }
            }
            (columns_of(&cleaned, options).unwrap_or_default(), warnings)
        }
    };
    let n = loads.len();
    Ok(Pmc {
        start,
        len: n,
        columns,
        derived,
        warnings,
    })
}

/// The chart's columns (load, CTL, ATL; then TSB, ramp), or `None` if a load is negative or not
/// finite.
fn columns_of(loads: &[f64], options: &PmcOptions) -> Option<(Vec<f64>, Vec<f64>)> {
    let n = loads.len();
    let mut columns = Vec::with_capacity(3 * n);
    columns.extend_from_slice(loads);
    columns.resize(3 * n, 0.0);
    let (ctl, atl) = columns[n..].split_at_mut(n);
    if !run_recurrence(loads, options, ctl, atl) {
        return None;
    }
    // TSB and ramp go into a second buffer, one write pass each (the first cannot be read while
    // it grows): cheaper than copying CTL and correcting the copy in place.
    let (ctl0, atl0) = (options.ctl0, options.atl0);
    let (ctl, atl) = (&columns[n..2 * n], &columns[2 * n..3 * n]);
    let mut tail = Vec::with_capacity(2 * n);
    if options.variant == PmcVariant::IntervalsIcu {
        tail.extend(ctl.iter().zip(atl).map(|(c, a)| c - a));
    } else if n > 0 {
        tail.push(ctl0 - atl0);
        tail.extend(ctl[..n - 1].iter().zip(&atl[..n - 1]).map(|(c, a)| c - a));
    }
    // Ramp: CTL(d) − CTL(d − R), comparing with the seed while d − R is before the first day.
    let r = options.ramp_days().min(n);
    tail.extend(ctl[..r].iter().map(|c| c - ctl0));
    tail.extend(ctl[r..].iter().zip(ctl).map(|(c, earlier)| c - earlier));
    Some((columns, tail))
}

/// Fills the CTL and ATL columns; false if a load is negative or not finite.
///
/// X(d) = λ·X(d−1) + k·load(d) with λ = 1 − k, which is GoldenCheetah's own arithmetic
/// (`load·(1−λ) + CTL·λ`). Days are taken in blocks of four, each written from the state before
/// the block: X(n+j) = λ^(j+1)·X(n−1) + c_j with c_j = λ·c_(j−1) + k·load(n+j). The c_j do not
/// depend on the state, so only one multiply-add per block sits on the loop-carried chain, which
/// makes the loop several times shorter than the day-by-day form; the results agree with it to
/// rounding (about 1e-15 relative).
fn run_recurrence(loads: &[f64], options: &PmcOptions, ctl: &mut [f64], atl: &mut [f64]) -> bool {
    use wide::f64x2;
    const B: usize = 4;
    // CTL and ATL as the two lanes of one SIMD value: each operation below does both, lane by
    // lane, with the same rounding as the scalar form.
    let (kc, ka) = (options.ctl_gain(), options.atl_gain());
    let (lc, la) = (1.0 - kc, 1.0 - ka);
    let k = f64x2::new([kc, ka]);
    let l = f64x2::new([lc, la]);
    let mut p = [l; B];
    for j in 1..B {
        p[j] = p[j - 1] * l;
    }
    let mut s = f64x2::new([options.ctl0, options.atl0]);
    let mut ok = true;
    let blocks = loads
        .chunks_exact(B)
        .zip(ctl.chunks_exact_mut(B))
        .zip(atl.chunks_exact_mut(B));
    for ((x, c_out), a_out) in blocks {
        for &v in x {
            ok &= (0.0..=f64::MAX).contains(&v);
        }
        let mut c = k * f64x2::splat(x[0]);
        for j in 0..B {
            if j > 0 {
                c = l * c + k * f64x2::splat(x[j]);
            }
            let n = (p[j] * s + c).to_array();
            c_out[j] = n[0];
            a_out[j] = n[1];
            if j == B - 1 {
                s = f64x2::new(n);
            }
        }
    }
    let [mut c, mut a] = s.to_array();
    let done = loads.len() / B * B;
    for ((x, c_out), a_out) in loads[done..]
        .iter()
        .zip(&mut ctl[done..])
        .zip(&mut atl[done..])
    {
        c = lc * c + kc * x;
        a = la * a + ka * x;
        ok &= (0.0..=f64::MAX).contains(x);
        *c_out = c;
        *a_out = a;
    }
    ok
}

/// A plain-language reading of a TSB value, using GoldenCheetah's colour bands:
/// above 15 fresh, −5 to 15 neutral to optimal, −40 to −5 productive, below −40 overreaching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// TSB > 15: rested, possibly detraining.
    Fresh,
    /// −5 ≤ TSB ≤ 15: ready to perform.
    Optimal,
    /// −40 ≤ TSB < −5: training stress is building fitness.
    Productive,
    /// TSB < −40: high risk of overreaching.
    Overreaching,
}

impl Form {
    /// The band a TSB value falls in; a value that is not a finite number is an input error
    /// (where [`Form::from_tsb`] would call it overreaching).
    pub fn of(tsb: f64) -> Result<Self> {
        if tsb.is_finite() {
            Ok(Self::from_tsb(tsb))
        } else {
            Err(Error::invalid(
                "tsb",
                format!("{tsb} is not a finite number"),
            ))
        }
    }

    /// The band a TSB value falls in (the chart's TSB is always finite).
    pub fn from_tsb(tsb: f64) -> Self {
        if tsb > 15.0 {
            Form::Fresh
        } else if tsb >= -5.0 {
            Form::Optimal
        } else if tsb >= -40.0 {
            Form::Productive
        } else {
            Form::Overreaching
        }
    }

    /// The band in words, for a briefing.
    pub fn describe(self) -> &'static str {
        match self {
            Form::Fresh => "fresh: rested, ready to race (long spells lose fitness)",
            Form::Optimal => "optimal: ready to perform",
            Form::Productive => "productive: training is building fitness",
            Form::Overreaching => "overreaching: high risk; rest",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn since_keeps_the_rows_from_a_day() {
        let pmc = compute_dense(
            day("2026-01-01"),
            &[100.0, 0.0, 50.0, 20.0],
            &PmcOptions::default(),
        )
        .unwrap();
        let tail = pmc.since(day("2026-01-03"));
        assert_eq!(tail.start(), day("2026-01-03"));
        let rows: Vec<PmcDay> = tail.rows().collect();
        let all: Vec<PmcDay> = pmc.rows().collect();
        assert_eq!(rows, all[2..]);
        assert_eq!(pmc.since(day("2025-01-01")).len(), 4);
        assert_eq!(pmc.since(day("2027-01-01")).len(), 0);
    }

    #[test]
    fn gains_match_the_reference() {
        let gc = PmcOptions::default();
        assert!((gc.ctl_gain() - 0.023_528_3).abs() < 1e-7);
        assert!((gc.atl_gain() - 0.133_122_1).abs() < 1e-7);
        let tp = PmcOptions::for_variant(PmcVariant::TrainingPeaks);
        assert!(close(tp.ctl_gain(), 1.0 / 42.0));
        assert!(close(tp.atl_gain(), 1.0 / 7.0));
    }

    #[test]
    fn hand_computed_three_days() {
        // Loads 100, 0, 50 from zero, GoldenCheetah.
        let k42 = 1.0 - (-1.0f64 / 42.0).exp();
        let k7 = 1.0 - (-1.0f64 / 7.0).exp();
        let pmc = compute_dense(
            day("2026-01-01"),
            &[100.0, 0.0, 50.0],
            &PmcOptions::default(),
        )
        .unwrap();
        let c1 = 100.0 * k42;
        let a1 = 100.0 * k7;
        let c2 = c1 * (1.0 - k42);
        let a2 = a1 * (1.0 - k7);
        let c3 = c2 + k42 * (50.0 - c2);
        let a3 = a2 + k7 * (50.0 - a2);
        let d: Vec<PmcDay> = pmc.rows().collect();
        assert_eq!(d.len(), 3);
        assert_eq!(d[2].day, day("2026-01-03"));
        assert!(close(d[0].ctl, c1) && close(d[0].atl, a1));
        assert!(close(d[2].ctl, c3) && close(d[2].atl, a3));
        // Yesterday's TSB; day 0 uses the seeds.
        assert_eq!(d[0].tsb, 0.0);
        assert!(close(d[1].tsb, c1 - a1));
        assert!(close(d[2].tsb, c2 - a2));
        // Ramp inside the first R days compares with the seed.
        assert!(close(d[2].ramp, c3));
    }

    #[test]
    fn seeds_are_the_state_before_the_first_day() {
        let opts = PmcOptions {
            ctl0: 60.0,
            atl0: 80.0,
            ..PmcOptions::default()
        };
        let pmc = compute_dense(day("2026-01-01"), &[0.0], &opts).unwrap();
        let d = pmc.row(0).unwrap();
        assert_eq!(d.tsb, -20.0);
        assert!(close(d.ctl, 60.0 * (-1.0f64 / 42.0).exp()));
        assert!(close(d.atl, 80.0 * (-1.0f64 / 7.0).exp()));
        assert!(close(d.ramp, d.ctl - 60.0));
    }

    #[test]
    fn ramp_window_per_variant() {
        let loads: Vec<f64> = (0..40).map(|i| (i * 7 % 150) as f64).collect();
        for (variant, atl_days, r) in [
            (PmcVariant::GoldenCheetah, 7.0, 7),
            (PmcVariant::GoldenCheetah, 10.0, 10),
            (PmcVariant::TrainingPeaks, 10.0, 7),
            (PmcVariant::IntervalsIcu, 10.0, 7),
        ] {
            let opts = PmcOptions {
                variant,
                atl_days,
                ..PmcOptions::default()
            };
            let pmc = compute_dense(day("2026-01-01"), &loads, &opts).unwrap();
            assert_eq!(opts.ramp_days(), r);
            let (ctl, ramp) = (pmc.ctl(), pmc.ramp());
            for i in r..loads.len() {
                assert!(close(ramp[i], ctl[i] - ctl[i - r]), "{variant} day {i}");
            }
        }
    }

    #[test]
    fn rest_days_are_zero_load_and_decay() {
        let series = DailyLoads::from_entries([
            (day("2026-01-01"), 100.0),
            (day("2026-01-05"), 80.0),
            (day("2026-01-01"), 20.0),
        ])
        .unwrap();
        assert_eq!(series.loads(), &[120.0, 0.0, 0.0, 0.0, 80.0]);
        let pmc = compute(&series, &PmcOptions::default()).unwrap();
        assert!(pmc.ctl()[2] < pmc.ctl()[1] && pmc.atl()[2] < pmc.atl()[1]);
        assert_eq!(pmc.on(day("2026-01-05")).unwrap().load, 80.0);
        assert!(pmc.on(day("2026-01-06")).is_none());
    }

    #[test]
    fn bad_loads() {
        let err = DailyLoads::from_entries([(day("2026-01-02"), -5.0)]).unwrap_err();
        assert_eq!(err, Error::invalid("load on 2026-01-02", "-5 is negative"));
        assert!(DailyLoads::from_entries(std::iter::empty()).is_err());
        assert!(compute_dense(day("2026-01-01"), &[1.0, -1.0], &PmcOptions::default()).is_err());
        // Non-finite: skipped per entry, the day's other loads still count.
        let s =
            DailyLoads::from_entries([(day("2026-01-01"), f64::NAN), (day("2026-01-01"), 50.0)])
                .unwrap();
        assert_eq!(s.loads(), &[50.0]);
        let pmc = compute(&s, &PmcOptions::default()).unwrap();
        assert_eq!(
            pmc.warnings(),
            &[PmcWarning::NonFiniteLoad {
                day: day("2026-01-01")
            }]
        );
        let pmc = compute_dense(
            day("2026-01-01"),
            &[f64::INFINITY, 10.0],
            &PmcOptions::default(),
        )
        .unwrap();
        assert_eq!(pmc.load()[0], 0.0);
        assert_eq!(pmc.warnings().len(), 1);
        // A span far too long is refused before allocating.
        assert!(
            DailyLoads::from_entries([(day("1900-01-01"), 1.0), (day("2026-01-01"), 1.0)]).is_err()
        );
    }

    #[test]
    fn bad_options() {
        for opts in [
            PmcOptions {
                ctl_days: 0.0,
                ..PmcOptions::default()
            },
            PmcOptions {
                atl_days: 0.5,
                ..PmcOptions::default()
            },
            PmcOptions {
                ctl_days: f64::NAN,
                ..PmcOptions::default()
            },
            PmcOptions {
                ctl0: -1.0,
                ..PmcOptions::default()
            },
            PmcOptions {
                atl0: f64::INFINITY,
                ..PmcOptions::default()
            },
        ] {
            assert!(
                compute_dense(day("2026-01-01"), &[1.0], &opts).is_err(),
                "{opts:?}"
            );
        }
        assert_eq!(
            "ICU".parse::<PmcVariant>().unwrap(),
            PmcVariant::IntervalsIcu
        );
        assert!("wko".parse::<PmcVariant>().is_err());
    }

    #[test]
    fn form_bands() {
        assert_eq!(Form::from_tsb(20.0), Form::Fresh);
        assert_eq!(Form::from_tsb(15.0), Form::Optimal);
        assert_eq!(Form::from_tsb(-5.0), Form::Optimal);
        assert_eq!(Form::from_tsb(-5.1), Form::Productive);
        assert_eq!(Form::from_tsb(-40.1), Form::Overreaching);
        assert_eq!(Form::of(-40.0), Ok(Form::Productive));
        assert!(Form::of(f64::NAN).is_err());
        assert!(Form::of(f64::INFINITY).is_err());
    }

    /// The day-by-day textbook form, to check the blocked loop against.
    fn reference(loads: &[f64], o: &PmcOptions) -> Vec<(f64, f64, f64, f64)> {
        let (kc, ka) = (o.ctl_gain(), o.atl_gain());
        let (mut c, mut a) = (o.ctl0, o.atl0);
        let mut ctls = Vec::new();
        let mut out = Vec::new();
        for (i, &x) in loads.iter().enumerate() {
            let y = c - a;
            c += kc * (x - c);
            a += ka * (x - a);
            ctls.push(c);
            let r = o.ramp_days();
            let base = if i >= r { ctls[i - r] } else { o.ctl0 };
            let tsb = if o.variant == PmcVariant::IntervalsIcu {
                c - a
            } else {
                y
            };
            out.push((c, a, tsb, c - base));
        }
        out
    }

    #[test]
    fn empty_and_short_series() {
        for v in [PmcVariant::GoldenCheetah, PmcVariant::IntervalsIcu] {
            let opts = PmcOptions::for_variant(v);
            let empty = compute_dense(day("2026-01-01"), &[], &opts).unwrap();
            assert!(empty.is_empty() && empty.last().is_none() && empty.rows().len() == 0);
            for n in 1..10 {
                let loads: Vec<f64> = (0..n).map(|i| 10.0 * i as f64).collect();
                let pmc = compute_dense(day("2026-01-01"), &loads, &opts).unwrap();
                assert_eq!(pmc.len(), n);
                for (row, r) in pmc.rows().zip(reference(&loads, &opts)) {
                    assert!(
                        close(row.ctl, r.0)
                            && close(row.atl, r.1)
                            && close(row.tsb, r.2)
                            && close(row.ramp, r.3)
                    );
                }
            }
        }
    }

    #[test]
    fn serialises_by_column() {
        let pmc =
            compute_dense(day("2026-01-01"), &[10.0, f64::NAN], &PmcOptions::default()).unwrap();
        let json = serde_json::to_value(&pmc).unwrap();
        assert_eq!(json["start"], "2026-01-01");
        assert_eq!(json["load"], serde_json::json!([10.0, 0.0]));
        assert_eq!(json["ctl"].as_array().unwrap().len(), 2);
        assert_eq!(json["warnings"][0]["kind"], "non_finite_load");
        assert_eq!(pmc.last().unwrap().day, day("2026-01-02"));
        assert_eq!(pmc.on(day("2026-01-02")), pmc.row(1));
        assert_eq!(pmc.on(day("2025-12-31")), None);
    }

    fn variant() -> impl Strategy<Value = PmcVariant> {
        prop_oneof![
            Just(PmcVariant::GoldenCheetah),
            Just(PmcVariant::TrainingPeaks),
            Just(PmcVariant::IntervalsIcu)
        ]
    }

    proptest! {
        #[test]
        fn constant_load_has_closed_form(l in 0.0f64..500.0, n in 1usize..800) {
            let pmc = compute_dense(day("2026-01-01"), &vec![l; n], &PmcOptions::default()).unwrap();
            let expected = l * (1.0 - (-(n as f64) / 42.0).exp());
            prop_assert!((pmc.ctl()[n - 1] - expected).abs() <= 1e-9 * (1.0 + l));
            let expected_atl = l * (1.0 - (-(n as f64) / 7.0).exp());
            prop_assert!((pmc.atl()[n - 1] - expected_atl).abs() <= 1e-9 * (1.0 + l));
        }

        #[test]
        fn blocked_loop_equals_the_day_by_day_form(
            loads in proptest::collection::vec(0.0f64..600.0, 0..200),
            v in variant(), ctl_days in 1.0f64..90.0, atl_days in 1.0f64..20.0, c0 in 0.0f64..150.0, a0 in 0.0f64..150.0,
        ) {
            let opts = PmcOptions { variant: v, ctl_days, atl_days, ctl0: c0, atl0: a0 };
            let pmc = compute_dense(day("2026-01-01"), &loads, &opts).unwrap();
            let want = reference(&loads, &opts);
            prop_assert_eq!(pmc.len(), want.len());
            for (row, r) in pmc.rows().zip(want) {
                prop_assert!(close(row.ctl, r.0) && close(row.atl, r.1), "{:?} vs {:?}", row, r);
                prop_assert!((row.tsb - r.2).abs() <= 1e-9 && (row.ramp - r.3).abs() <= 1e-9, "{:?} vs {:?}", row, r);
            }
        }

        #[test]
        fn seeded_inside_the_load_range_stays_inside(
            loads in proptest::collection::vec(0.0f64..400.0, 1..300),
            s1 in 0.0f64..1.0, s2 in 0.0f64..1.0,
            v in variant(), ctl_days in 1.0f64..80.0, atl_days in 1.0f64..20.0,
        ) {
            let lo = loads.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = loads.iter().cloned().fold(0.0, f64::max);
            let opts = PmcOptions { variant: v, ctl_days, atl_days, ctl0: lo + s1 * (hi - lo), atl0: lo + s2 * (hi - lo) };
            let pmc = compute_dense(day("2026-01-01"), &loads, &opts).unwrap();
            for d in pmc.rows() {
                prop_assert!(d.ctl >= lo - 1e-9 && d.ctl <= hi + 1e-9);
                prop_assert!(d.atl >= lo - 1e-9 && d.atl <= hi + 1e-9);
            }
        }

        #[test]
        fn tsb_identity_per_variant(loads in proptest::collection::vec(0.0f64..400.0, 1..200), v in variant(), c0 in 0.0f64..100.0, a0 in 0.0f64..100.0) {
            let opts = PmcOptions { variant: v, ctl0: c0, atl0: a0, ..PmcOptions::default() };
            let pmc = compute_dense(day("2026-01-01"), &loads, &opts).unwrap();
            let rows: Vec<PmcDay> = pmc.rows().collect();
            for (i, d) in rows.iter().enumerate() {
                let expected = match v {
                    PmcVariant::IntervalsIcu => d.ctl - d.atl,
                    _ if i == 0 => c0 - a0,
                    _ => rows[i - 1].ctl - rows[i - 1].atl,
                };
                prop_assert!((d.tsb - expected).abs() <= 1e-9);
            }
        }

        #[test]
        fn rest_days_equal_explicit_zeros(entries in proptest::collection::btree_map(0i64..120, 0.0f64..300.0, 1..40)) {
            let start = day("2026-01-01");
            let sparse = DailyLoads::from_entries(entries.iter().map(|(&o, &l)| (start.add_days(o).unwrap(), l))).unwrap();
            let first = *entries.keys().next().unwrap();
            let last = *entries.keys().last().unwrap();
            let dense: Vec<f64> = (first..=last).map(|o| entries.get(&o).copied().unwrap_or(0.0)).collect();
            let a = compute(&sparse, &PmcOptions::default()).unwrap();
            let b = compute_dense(start.add_days(first).unwrap(), &dense, &PmcOptions::default()).unwrap();
            prop_assert_eq!(a, b);
        }
    }
}
