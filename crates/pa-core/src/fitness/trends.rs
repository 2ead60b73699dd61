//! Health trends: rolling means, HRV status against a personal baseline, and anomaly flags.
//!
//! Conventions (all configurable):
//! - A missing day is "no value", never 0. A rolling mean over W days is the mean of the values
//!   present in the W days ending on the day (the day included); it is reported only when at least
//!   `ceil(W × min_coverage)` values are present (default coverage 0.5: 4 of 7, 15 of 30, 45 of 90).
//! - HRV status (after Plews et al. and HRV4Training): per day, ln(rMSSD). The baseline is the
//!   mean of ln(rMSSD) over the last 7 days (day included, at least 3 values). The normal range is
//!   the mean ± 0.5 × sample SD of ln(rMSSD) over the last 60 days (day included, at least 21
//!   values); the half-width is at least 1e-6 so a flat history does not flip on rounding noise.
//!   The baseline below, inside or above the range gives the status.
//! - Resting heart rate is flagged when it is at least baseline + 2 SD, the baseline being the mean
//!   and sample SD of the previous 30 days (day excluded, at least 14 values, SD at least 1 bpm).
//! - A short-sleep streak is 3 or more consecutive days whose sleep is under 6 h; a day without a
//!   sleep record ends the streak.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::DailyHealth;
use crate::error::{Error, Result};
use crate::time::Day;

/// A daily metric over consecutive days, with gaps as `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailySeries {
    start: Day,
    values: Vec<Option<f64>>,
}

/// A metric of [`DailyHealth`] to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthMetric {
    /// Total sleep, seconds.
    SleepTotal,
    /// Sleep score.
    SleepScore,
    /// Resting heart rate.
    RestingHr,
    /// Overnight HRV rMSSD, ms.
    HrvRmssd,
    /// Steps.
    Steps,
    /// Average stress.
    StressAvg,
    /// Highest body battery.
    BodyBatteryHigh,
    /// Lowest body battery.
    BodyBatteryLow,
    /// Intensity minutes.
    IntensityMinutes,
}

impl HealthMetric {
    /// The metric's value in a record, if recorded.
    pub fn of(self, h: &DailyHealth) -> Option<f64> {
        match self {
            HealthMetric::SleepTotal => h.sleep.map(|s| s.total_s),
            HealthMetric::SleepScore => h.sleep.and_then(|s| s.score),
            HealthMetric::RestingHr => h.resting_hr_bpm,
            HealthMetric::HrvRmssd => h.hrv_rmssd_ms,
            HealthMetric::Steps => h.steps.map(f64::from),
            HealthMetric::StressAvg => h.stress_avg,
            HealthMetric::BodyBatteryHigh => h.body_battery_high,
            HealthMetric::BodyBatteryLow => h.body_battery_low,
            HealthMetric::IntensityMinutes => h.intensity_minutes.map(f64::from),
        }
    }
}

impl DailySeries {
    /// A series from `(day, value)` points in any order. Non-finite values count as missing; when a
    /// day appears twice the later point wins. `None` when there is no finite point.
    pub fn from_points(points: impl IntoIterator<Item = (Day, f64)>) -> Result<Option<Self>> {
        let map: BTreeMap<Day, f64> = points.into_iter().filter(|(_, v)| v.is_finite()).collect();
        let (Some((&first, _)), Some((&last, _))) = (map.first_key_value(), map.last_key_value())
        else {
            return Ok(None);
        };
        let span = first.days_until(last) + 1;
        if span > super::pmc::MAX_SPAN_DAYS {
            return Err(Error::invalid(
                "series",
                format!("span of {span} days is too long"),
            ));
        }
        let mut values = vec![None; span as usize];
        for (day, v) in map {
            values[first.days_until(day) as usize] = Some(v);
        }
        Ok(Some(Self {
            start: first,
            values,
        }))
    }

    /// One metric of the given records.
    pub fn from_health(records: &[DailyHealth], metric: HealthMetric) -> Result<Option<Self>> {
        Self::from_points(
            records
                .iter()
                .filter_map(|h| metric.of(h).map(|v| (h.day, v))),
        )
    }

    /// The first day.
    pub const fn start(&self) -> Day {
        self.start
    }

    /// The values, one per day from [`DailySeries::start`].
    pub fn values(&self) -> &[Option<f64>] {
        &self.values
    }

    /// The value on `day`.
    pub fn get(&self, day: Day) -> Option<f64> {
        let i = usize::try_from(self.start.days_until(day)).ok()?;
        self.values.get(i).copied().flatten()
    }

    fn day(&self, i: usize) -> Day {
        // i < len ≤ MAX_SPAN_DAYS, checked at construction.
        self.start.add_days(i as i64).unwrap_or(self.start)
    }
}

/// Checks a share of a window that must have values: 0 to 1. Callers check it before reading
/// anything, so that a bad value is an error even where there is no data.
pub fn check_min_coverage(min_coverage: f64) -> Result<()> {
    if !(min_coverage.is_finite() && (0.0..=1.0).contains(&min_coverage)) {
        return Err(Error::invalid(
            "min_coverage",
            format!("{min_coverage} is not between 0 and 1"),
        ));
    }
    Ok(())
}

fn min_count(window: usize, min_coverage: f64) -> Result<usize> {
    if window == 0 {
        return Err(Error::invalid("window", "must be at least 1 day"));
    }
    check_min_coverage(min_coverage)?;
    Ok(((window as f64 * min_coverage).ceil() as usize).max(1))
}

/// Rolling mean over `window` days ending on each day; `None` where fewer than
/// `ceil(window × min_coverage)` values are present.
pub fn rolling_mean(
    series: &DailySeries,
    window: usize,
    min_coverage: f64,
) -> Result<Vec<Option<f64>>> {
    let need = min_count(window, min_coverage)?;
    let v = &series.values;
    let mut out = Vec::with_capacity(v.len());
    let (mut sum, mut count) = (0.0, 0usize);
    for i in 0..v.len() {
        if let Some(x) = v[i] {
            sum += x;
            count += 1;
        }
        if i >= window
            && let Some(x) = v[i - window]
        {
            sum -= x;
            count -= 1;
        }
        out.push((count >= need).then(|| sum / count as f64));
    }
    Ok(out)
}

/// A day of a trend: the value and its 7-, 30- and 90-day rolling means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The day.
    pub day: Day,
    /// The value that day.
    pub value: Option<f64>,
    /// 7-day mean.
    pub mean_7: Option<f64>,
    /// 30-day mean.
    pub mean_30: Option<f64>,
    /// 90-day mean.
    pub mean_90: Option<f64>,
}

/// 7/30/90-day rolling means of a series.
pub fn trend(series: &DailySeries, min_coverage: f64) -> Result<Vec<TrendPoint>> {
    let m7 = rolling_mean(series, 7, min_coverage)?;
    let m30 = rolling_mean(series, 30, min_coverage)?;
    let m90 = rolling_mean(series, 90, min_coverage)?;
    Ok((0..series.values.len())
        .map(|i| TrendPoint {
            day: series.day(i),
            value: series.values[i],
            mean_7: m7[i],
            mean_30: m30[i],
            mean_90: m90[i],
        })
        .collect())
}

/// HRV status rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HrvOptions {
    /// Days in the baseline mean (7).
    pub baseline_days: usize,
    /// Values the baseline needs (3).
    pub baseline_min: usize,
    /// Days in the normal-range history (60).
    pub range_days: usize,
    /// Values the range needs (21).
    pub range_min: usize,
    /// Half-width of the range in SDs (0.5).
    pub k_sd: f64,
}

impl HrvOptions {
    /// Days before a day whose values its status reads (the longer of the two windows).
    pub fn history_days(&self) -> usize {
        self.baseline_days.max(self.range_days)
    }
}

impl Default for HrvOptions {
    fn default() -> Self {
        Self {
            baseline_days: 7,
            baseline_min: 3,
            range_days: 60,
            range_min: 21,
            k_sd: 0.5,
        }
    }
}

/// Where the HRV baseline sits against the normal range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HrvStatus {
    /// Below the range: often strain, illness or poor recovery.
    Below,
    /// Inside the range.
    Within,
    /// Above the range.
    Above,
    /// Too few values for a baseline or a range.
    NotEnoughData,
}

/// One day of HRV status, in ln(rMSSD) units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HrvDay {
    /// The day.
    pub day: Day,
    /// ln(rMSSD) that day.
    pub ln_rmssd: Option<f64>,
    /// The 7-day baseline.
    pub baseline: Option<f64>,
    /// Lower edge of the normal range.
    pub range_low: Option<f64>,
    /// Upper edge of the normal range.
    pub range_high: Option<f64>,
    /// The status.
    pub status: HrvStatus,
}

fn mean_sd(values: impl Iterator<Item = f64>) -> (usize, f64, f64) {
    let xs: Vec<f64> = values.collect();
    let n = xs.len();
    if n == 0 {
        return (0, f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 {
        (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    (n, mean, sd)
}

/// HRV status per day of a series of overnight rMSSD values (ms). A value ≤ 0 is an error.
pub fn hrv_status(rmssd_ms: &DailySeries, options: &HrvOptions) -> Result<Vec<HrvDay>> {
    if options.baseline_days == 0 || options.range_days == 0 {
        return Err(Error::invalid("HRV windows", "must be at least 1 day"));
    }
    crate::error::non_negative("k_sd", options.k_sd)?;
    let mut ln = Vec::with_capacity(rmssd_ms.values.len());
    for (i, v) in rmssd_ms.values.iter().enumerate() {
        ln.push(match v {
            Some(x) if *x > 0.0 => Some(x.ln()),
            Some(x) => {
                return Err(Error::invalid(
                    format!("rMSSD on {}", rmssd_ms.day(i)),
                    format!("{x} must be above 0"),
                ));
            }
            None => None,
        });
    }
    let window = |i: usize, days: usize| {
        ln[(i + 1).saturating_sub(days)..=i]
            .iter()
            .flatten()
            .copied()
    };
    Ok((0..ln.len())
        .map(|i| {
            let (bn, baseline, _) = mean_sd(window(i, options.baseline_days));
            let (rn, mean, sd) = mean_sd(window(i, options.range_days));
            let baseline = (bn >= options.baseline_min).then_some(baseline);
            let (low, high) = if rn >= options.range_min {
                let half = (options.k_sd * sd).max(1e-6);
                (Some(mean - half), Some(mean + half))
            } else {
                (None, None)
            };
            let status = match (baseline, low, high) {
                (Some(b), Some(lo), Some(_)) if b < lo => HrvStatus::Below,
                (Some(b), Some(_), Some(hi)) if b > hi => HrvStatus::Above,
                (Some(_), Some(_), Some(_)) => HrvStatus::Within,
                _ => HrvStatus::NotEnoughData,
            };
            HrvDay {
                day: rmssd_ms.day(i),
                ln_rmssd: ln[i],
                baseline,
                range_low: low,
                range_high: high,
                status,
            }
        })
        .collect())
}

/// Anomaly rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AnomalyOptions {
    /// Days before the day that form the resting-HR baseline (30).
    pub rhr_baseline_days: usize,
    /// Values the baseline needs (14).
    pub rhr_min_values: usize,
    /// SDs above the baseline that flag a day (2).
    pub rhr_sd: f64,
    /// Floor of the SD, bpm (1), so a flat baseline does not flag a normal day.
    pub rhr_min_sd: f64,
    /// Sleep under this many seconds is short (6 h).
    pub short_sleep_s: f64,
    /// Consecutive short nights that make a streak (3).
    pub short_sleep_nights: usize,
}

impl Default for AnomalyOptions {
    fn default() -> Self {
        Self {
            rhr_baseline_days: 30,
            rhr_min_values: 14,
            rhr_sd: 2.0,
            rhr_min_sd: 1.0,
            short_sleep_s: 6.0 * 3600.0,
            short_sleep_nights: 3,
        }
    }
}

/// Something unusual in the health data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Anomaly {
    /// Resting heart rate well above its baseline.
    ElevatedRestingHr {
        /// The day.
        day: Day,
        /// That day's resting HR.
        value: f64,
        /// Mean of the baseline days.
        baseline: f64,
        /// SD of the baseline days (after the floor).
        sd: f64,
    },
    /// Several short nights in a row.
    ShortSleepStreak {
        /// First short night.
        start: Day,
        /// Last short night.
        end: Day,
        /// Number of nights.
        nights: u32,
    },
}

/// Flags anomalies in daily health records (any order), oldest first.
pub fn anomalies(records: &[DailyHealth], options: &AnomalyOptions) -> Result<Vec<Anomaly>> {
    crate::error::non_negative("rhr_sd", options.rhr_sd)?;
    crate::error::non_negative("rhr_min_sd", options.rhr_min_sd)?;
    crate::error::non_negative("short_sleep_s", options.short_sleep_s)?;
    if options.short_sleep_nights == 0 || options.rhr_baseline_days == 0 {
        return Err(Error::invalid(
            "anomaly options",
            "day counts must be at least 1",
        ));
    }
    let mut found: Vec<(Day, Anomaly)> = Vec::new();
    if let Some(rhr) = DailySeries::from_health(records, HealthMetric::RestingHr)? {
        for i in 0..rhr.values.len() {
            let Some(value) = rhr.values[i] else { continue };
            let prior = rhr.values[i.saturating_sub(options.rhr_baseline_days)..i]
                .iter()
                .flatten()
                .copied();
            let (n, baseline, sd) = mean_sd(prior);
            if n < options.rhr_min_values.max(1) {
                continue;
            }
            let sd = sd.max(options.rhr_min_sd);
            if value >= baseline + options.rhr_sd * sd {
                let day = rhr.day(i);
                found.push((
                    day,
                    Anomaly::ElevatedRestingHr {
                        day,
                        value,
                        baseline,
                        sd,
                    },
                ));
            }
        }
    }
    if let Some(sleep) = DailySeries::from_health(records, HealthMetric::SleepTotal)? {
        let mut run_start: Option<usize> = None;
        let n = sleep.values.len();
        for i in 0..=n {
            let short = i < n && sleep.values[i].is_some_and(|s| s < options.short_sleep_s);
            match (short, run_start) {
                (true, None) => run_start = Some(i),
                (false, Some(s)) => {
                    let nights = i - s;
                    if nights >= options.short_sleep_nights {
                        let start = sleep.day(s);
                        found.push((
                            start,
                            Anomaly::ShortSleepStreak {
                                start,
                                end: sleep.day(i - 1),
                                nights: nights as u32,
                            },
                        ));
                    }
                    run_start = None;
                }
                _ => {}
            }
        }
    }
    found.sort_by_key(|(d, _)| *d);
    Ok(found.into_iter().map(|(_, a)| a).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fitness::Sleep;

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    fn series(start: &str, values: &[Option<f64>]) -> DailySeries {
        let s = day(start);
        DailySeries::from_points(
            values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (s.add_days(i as i64).unwrap(), v))),
        )
        .unwrap()
        .unwrap()
    }

    #[test]
    fn rolling_mean_skips_gaps_and_needs_coverage() {
        let s = series(
            "2026-01-01",
            &[
                Some(1.0),
                None,
                Some(3.0),
                Some(5.0),
                None,
                None,
                None,
                Some(7.0),
            ],
        );
        let m = rolling_mean(&s, 3, 0.5).unwrap(); // needs 2 of 3
        assert_eq!(
            m,
            vec![
                None,
                None,
                Some(2.0),
                Some(4.0),
                Some(4.0),
                None,
                None,
                None
            ]
        );
        let m = rolling_mean(&s, 3, 0.0).unwrap(); // needs 1
        assert_eq!(m[5], Some(5.0));
        assert!(rolling_mean(&s, 0, 0.5).is_err());
        assert!(rolling_mean(&s, 3, 1.5).is_err());
    }

    #[test]
    fn later_points_win_and_non_finite_is_missing() {
        let s = DailySeries::from_points([
            (day("2026-01-01"), 1.0),
            (day("2026-01-01"), 2.0),
            (day("2026-01-03"), f64::NAN),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(s.values(), &[Some(2.0)]);
        assert!(
            DailySeries::from_points([(day("2026-01-01"), f64::NAN)])
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn trend_has_three_windows() {
        let vals: Vec<Option<f64>> = (0..90).map(|i| Some(i as f64)).collect();
        let t = trend(&series("2026-01-01", &vals), 0.5).unwrap();
        assert_eq!(t.len(), 90);
        assert_eq!(t[89].mean_7, Some(86.0));
        assert_eq!(t[89].mean_30, Some(74.5));
        assert_eq!(t[89].mean_90, Some(44.5));
        assert_eq!(t[40].mean_90, None); // 41 of 90 < 45
    }

    #[test]
    fn hrv_status_hand_computed() {
        // 60 days alternating 50/60 ms, then a week at 35 ms.
        let mut vals: Vec<Option<f64>> = (0..60)
            .map(|i| Some(if i % 2 == 0 { 50.0 } else { 60.0 }))
            .collect();
        vals.extend(std::iter::repeat_n(Some(35.0), 7));
        let s = series("2026-01-01", &vals);
        let days = hrv_status(&s, &HrvOptions::default()).unwrap();
        assert_eq!(days[1].status, HrvStatus::NotEnoughData);
        assert_eq!(days[59].status, HrvStatus::Within);
        let last = days.last().unwrap();
        assert_eq!(last.status, HrvStatus::Below);
        assert!((last.baseline.unwrap() - 35f64.ln()).abs() < 1e-12);
        // Range over days 7..=66: 53 alternating values and 7 at 35.
        let window: Vec<f64> = vals[7..67].iter().map(|v| v.unwrap().ln()).collect();
        let mean = window.iter().sum::<f64>() / 60.0;
        let sd = (window.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 59.0).sqrt();
        assert!((last.range_low.unwrap() - (mean - 0.5 * sd)).abs() < 1e-12);
        let bad = series("2026-01-01", &[Some(-1.0)]);
        assert!(hrv_status(&bad, &HrvOptions::default()).is_err());
    }

    #[test]
    fn flat_hrv_is_within() {
        let s = series("2026-01-01", &vec![Some(42.0); 30]);
        assert_eq!(
            hrv_status(&s, &HrvOptions::default()).unwrap()[29].status,
            HrvStatus::Within
        );
    }

    fn health(d: Day, rhr: Option<f64>, sleep_h: Option<f64>) -> DailyHealth {
        let mut h = DailyHealth::empty(d);
        h.resting_hr_bpm = rhr;
        h.sleep = sleep_h.map(|h| Sleep {
            total_s: h * 3600.0,
            ..Sleep::default()
        });
        h
    }

    #[test]
    fn anomalies_found() {
        let start = day("2026-01-01");
        let mut recs: Vec<DailyHealth> = (0..20)
            .map(|i| {
                health(
                    start.add_days(i).unwrap(),
                    Some(50.0 + (i % 3) as f64),
                    Some(7.5),
                )
            })
            .collect();
        recs.push(health(start.add_days(20).unwrap(), Some(58.0), Some(5.0)));
        recs.push(health(start.add_days(21).unwrap(), Some(51.0), Some(5.5)));
        recs.push(health(start.add_days(22).unwrap(), Some(50.0), Some(4.0)));
        recs.push(health(start.add_days(23).unwrap(), None, None));
        recs.push(health(start.add_days(24).unwrap(), None, Some(5.0)));
        let found = anomalies(&recs, &AnomalyOptions::default()).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            matches!(found[0], Anomaly::ElevatedRestingHr { day: d, value, .. } if d == start.add_days(20).unwrap() && value == 58.0)
        );
        assert_eq!(
            found[1],
            Anomaly::ShortSleepStreak {
                start: start.add_days(20).unwrap(),
                end: start.add_days(22).unwrap(),
                nights: 3
            }
        );
    }
}
