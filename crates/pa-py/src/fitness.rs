//! Training and health calculations: pure functions on streams, and views of a person's store.

use chrono::NaiveDate;
use pa_core::fitness::adherence::{AdherenceOptions, Totals};
use pa_core::fitness::load::{
    HeartRateProfile, NpConvention, PowerThreshold, ThresholdKind, TrimpConvention,
    hr_stress_score, normalized_power as np_of, power_load as power_load_of, running_stress,
    speed_from_pace, trimp_per_sample,
};
use pa_core::fitness::rollup;
use pa_core::fitness::trends::{
    Anomaly, AnomalyOptions, HealthMetric, HrvOptions, anomalies as anomalies_of, trend,
};
use pa_core::ports::{FitnessRepository, HealthRepository, HrvRepository, UserStore};
use pa_core::time::Week;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::de::DeserializeOwned;

use crate::columns::{date_list, f64_array, f64_column};
use crate::errors::{PyPaErr, PyStoreErr};
use crate::reads::{list, range};
use crate::records::{naive, record, tag};
use crate::store::User;

/// An enumeration given by its name (`"coggan"`, `"resting_hr"`), the names pa's JSON uses.
pub(crate) fn parse_tag<T: DeserializeOwned>(field: &str, name: &str) -> PyResult<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|e| PyPaErr(pa_core::Error::invalid(field, e.to_string())).into())
}

fn profile(
    rest_bpm: f64,
    max_bpm: f64,
    threshold_bpm: Option<f64>,
    sex: &str,
) -> PyResult<HeartRateProfile> {
    Ok(
        HeartRateProfile::new(rest_bpm, max_bpm, threshold_bpm, parse_tag("sex", sex)?)
            .map_err(PyPaErr)?,
    )
}

/// Normalized power of a 1 Hz power stream (`convention`: `"coggan"` or `"golden_cheetah"`);
/// `None` when the stream is shorter than the 30 s window.
#[pyfunction]
#[pyo3(signature = (power, *, convention = "coggan"))]
pub(crate) fn normalized_power(
    power: &Bound<'_, PyAny>,
    convention: &str,
) -> PyResult<Option<f64>> {
    let power = f64_column(power)?;
    let convention: NpConvention = parse_tag("convention", convention)?;
    Ok(np_of(&power, convention))
}

/// Normalized power, intensity factor and TSS of a 1 Hz power stream against a threshold
/// (`threshold`: `"ftp"` or `"cp"`).
#[pyfunction]
#[pyo3(signature = (power, *, threshold_w, threshold = "ftp", convention = "coggan"))]
pub(crate) fn power_load<'py>(
    py: Python<'py>,
    power: &Bound<'py, PyAny>,
    threshold_w: f64,
    threshold: &str,
    convention: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let power = f64_column(power)?;
    let threshold = PowerThreshold {
        kind: parse_tag::<ThresholdKind>("threshold", threshold)?,
        watts: threshold_w,
    };
    let convention: NpConvention = parse_tag("convention", convention)?;
    let l = power_load_of(&power, threshold, convention).map_err(PyPaErr)?;
    record!(results: py, "PowerLoad" {
        normalized_power_w: l.normalized_power_w,
        intensity_factor: l.intensity_factor,
        tss: l.tss,
        duration_s: l.duration_s,
    })
}

/// Banister's TRIMP of heart-rate samples taken every `interval_s` seconds (`sex`: `"male"` or
/// `"female"`; `convention`: `"banister"` or `"golden_cheetah"`).
#[pyfunction]
#[pyo3(signature = (heart_rate, *, rest_bpm, max_bpm, sex = "male", interval_s = 1.0, convention = "banister"))]
pub(crate) fn trimp(
    heart_rate: &Bound<'_, PyAny>,
    rest_bpm: f64,
    max_bpm: f64,
    sex: &str,
    interval_s: f64,
    convention: &str,
) -> PyResult<f64> {
    let hr = f64_column(heart_rate)?;
    let profile = profile(rest_bpm, max_bpm, None, sex)?;
    let convention: TrimpConvention = parse_tag("convention", convention)?;
    Ok(trimp_per_sample(&hr, interval_s, &profile, convention).map_err(PyPaErr)?)
}

/// hrTSS: a TRIMP scaled so an hour at threshold heart rate scores 100.
#[pyfunction]
#[pyo3(signature = (trimp, *, rest_bpm, max_bpm, threshold_bpm, sex = "male", convention = "banister"))]
pub(crate) fn hr_stress(
    trimp: f64,
    rest_bpm: f64,
    max_bpm: f64,
    threshold_bpm: f64,
    sex: &str,
    convention: &str,
) -> PyResult<f64> {
    let profile = profile(rest_bpm, max_bpm, Some(threshold_bpm), sex)?;
    let convention: TrimpConvention = parse_tag("convention", convention)?;
    Ok(hr_stress_score(trimp, &profile, convention).map_err(PyPaErr)?)
}

/// rTSS of a 1 Hz speed stream (m/s) against a threshold pace in seconds per km, graded by the
/// altitude stream when given.
#[pyfunction]
#[pyo3(signature = (speed, *, threshold_pace_s_per_km, altitude = None))]
pub(crate) fn run_load<'py>(
    py: Python<'py>,
    speed: &Bound<'py, PyAny>,
    threshold_pace_s_per_km: f64,
    altitude: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let speed = f64_column(speed)?;
    let altitude = altitude.map(f64_column).transpose()?;
    let threshold = speed_from_pace(threshold_pace_s_per_km).map_err(PyPaErr)?;
    let l = running_stress(&speed, altitude.as_deref(), threshold).map_err(PyPaErr)?;
    record!(results: py, "RunLoad" {
        ngp_mps: l.ngp_mps,
        intensity_factor: l.intensity_factor,
        rtss: l.rtss,
        duration_s: l.duration_s,
    })
}

pub(crate) fn hrv_day<'py>(
    py: Python<'py>,
    d: &pa_core::fitness::trends::HrvDay,
) -> PyResult<Bound<'py, PyAny>> {
    record!(results: py, "HrvDay" {
        day: naive(d.day),
        ln_rmssd: d.ln_rmssd,
        baseline: d.baseline,
        range_low: d.range_low,
        range_high: d.range_high,
        status: tag(&d.status)?,
    })
}

crate::reads::reads! {
    /// HRV status per day over `[start, end]` (the 60-day range is read from before `start`).
    hrv_status(h, from, to) => h.hrv_status(from, to, &HrvOptions::default()), hrv_day;
    /// Health anomalies over `[start, end]`: resting HR at or above its baseline + 2 SD, and
    /// streaks of short nights (the defaults of `pa_core`'s `AnomalyOptions`).
    anomalies(h, from, to) => {
        let records = h.daily_health(from, to)?;
        Ok(anomalies_of(&records, &AnomalyOptions::default())?)
    }, anomaly;
}

fn anomaly<'py>(py: Python<'py>, a: &Anomaly) -> PyResult<Bound<'py, PyAny>> {
    match a {
        Anomaly::ElevatedRestingHr {
            day,
            value,
            baseline,
            sd,
        } => record!(results: py, "Anomaly" {
            kind: "elevated_resting_hr",
            start: naive(*day),
            end: naive(*day),
            value: Some(*value),
            baseline: Some(*baseline),
            sd: Some(*sd),
            nights: None::<u32>,
        }),
        Anomaly::ShortSleepStreak { start, end, nights } => record!(results: py, "Anomaly" {
            kind: "short_sleep_streak",
            start: naive(*start),
            end: naive(*end),
            value: None::<f64>,
            baseline: None::<f64>,
            sd: None::<f64>,
            nights: Some(*nights),
        }),
    }
}

pub(crate) fn totals<'py>(py: Python<'py>, t: &Totals) -> PyResult<Bound<'py, PyAny>> {
    record!(results: py, "Totals" { distance_m: t.distance_m, duration_s: t.duration_s, load: t.load })
}

fn nan(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

#[pymethods]
impl User {
    /// A health metric's daily values with 7/30/90-day rolling means (a mean needs
    /// `min_coverage` of its window's days), as columns: `date` (a list) and float arrays
    /// `value`, `mean_7`, `mean_30`, `mean_90` (NaN where there is none). Metrics:
    /// `sleep_total`, `sleep_score`, `resting_hr`, `hrv_rmssd`, `steps`, `stress_avg`,
    /// `body_battery_high`, `body_battery_low`, `intensity_minutes`.
    #[pyo3(signature = (metric, start = None, end = None, *, min_coverage = 0.5))]
    fn health_trend<'py>(
        &self,
        py: Python<'py>,
        metric: &str,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        min_coverage: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let metric: HealthMetric = parse_tag("metric", metric)?;
        let (from, to) = range(start, end)?;
        pa_core::fitness::trends::check_min_coverage(min_coverage).map_err(PyPaErr)?;
        let series = py
            .detach(|| self.person.health_series(metric, from, to))
            .map_err(PyStoreErr)?;
        let points = match series {
            Some(s) => trend(&s, min_coverage).map_err(PyPaErr)?,
            None => Vec::new(),
        };
        let out = PyDict::new(py);
        let column = |f: fn(&pa_core::fitness::trends::TrendPoint) -> Option<f64>| {
            points.iter().map(|p| nan(f(p))).collect::<Vec<_>>()
        };
        out.set_item("date", date_list(py, points.iter().map(|p| p.day), None)?)?;
        out.set_item("value", f64_array(py, &column(|p| p.value))?)?;
        out.set_item("mean_7", f64_array(py, &column(|p| p.mean_7))?)?;
        out.set_item("mean_30", f64_array(py, &column(|p| p.mean_30))?)?;
        out.set_item("mean_90", f64_array(py, &column(|p| p.mean_90))?)?;
        Ok(out)
    }

    /// Planned against done in the ISO week `week` (`"47-26"`): totals, completed, changed,
    /// missed and extra workouts.
    fn adherence<'py>(&self, py: Python<'py>, week: &str) -> PyResult<Bound<'py, PyAny>> {
        let week: Week = week.parse().map_err(PyPaErr)?;
        let w = py
            .detach(|| self.person.adherence(week, &AdherenceOptions::default()))
            .map_err(PyStoreErr)?;
        let (planned, actual, completed, changed, missed, extra, pct) = (
            w.planned,
            w.actual,
            w.completed,
            w.changed,
            w.missed,
            w.extra,
            w.completion_pct,
        );
        record!(results: py, "WeeklyAdherence" {
            week: week.label(),
            planned: totals(py, &planned)?,
            actual: totals(py, &actual)?,
            completed: completed,
            changed: changed,
            missed: missed,
            extra: extra,
            completion_pct: pct,
        })
    }

    /// Totals per sport per ISO week (`period="week"`) or month (`"month"`) of the activities in
    /// `[start, end]`.
    #[pyo3(signature = (period = "week", start = None, end = None))]
    fn rollups<'py>(
        &self,
        py: Python<'py>,
        period: &str,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> PyResult<Bound<'py, PyList>> {
        let (from, to) = range(start, end)?;
        let acts = py
            .detach(|| self.person.activities(from, to))
            .map_err(PyStoreErr)?;
        macro_rules! rows {
            ($rolled:expr, $label:expr) => {
                $rolled
                    .iter()
                    .map(|r| {
                        record!(results: py, "Rollup" {
                            period: $label(r.period),
                            sport: r.sport.as_str(),
                            count: r.count,
                            distance_m: r.distance_m,
                            duration_s: r.duration_s,
                            elevation_gain_m: r.elevation_gain_m,
                            load: r.load,
                        })
                    })
                    .collect::<PyResult<Vec<_>>>()?
            };
        }
        let items = match period {
            "week" => rows!(rollup::weekly(&acts), Week::label),
            "month" => rows!(rollup::monthly(&acts), |m: pa_core::time::Month| m
                .to_string()),
            other => {
                return Err(PyPaErr(pa_core::Error::invalid(
                    "period",
                    format!("{other:?} is neither \"week\" nor \"month\""),
                ))
                .into());
            }
        };
        PyList::new(py, items)
    }

    /// The Performance Manager Chart of this person's activities from the first load through
    /// `through` (default: today in the person's zone; rest days count), as `pa.pmc_series` columns plus `date`.
    #[pyo3(signature = (through = None, *, variant = "gc"))]
    fn pmc<'py>(
        &self,
        py: Python<'py>,
        through: Option<NaiveDate>,
        variant: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let options = pa_core::fitness::pmc::PmcOptions {
            variant: variant.parse().map_err(PyPaErr)?,
            ..Default::default()
        };
        let through = self.day_or_today(through)?;
        let chart = py
            .detach(|| self.person.pmc(through, &options))
            .map_err(PyStoreErr)?;
        match chart {
            Some(chart) => {
                let out = crate::training::columns(py, &chart, crate::training::Shape::Arrays)?;
                out.set_item("date", date_list(py, chart.rows().map(|d| d.day), None)?)?;
                Ok(out)
            }
            None => {
                let out = crate::training::columns(
                    py,
                    &pa_core::fitness::pmc::compute_dense(through, &[], &options)
                        .map_err(PyPaErr)?,
                    crate::training::Shape::Arrays,
                )?;
                out.set_item("date", PyList::empty(py))?;
                Ok(out)
            }
        }
    }
}
