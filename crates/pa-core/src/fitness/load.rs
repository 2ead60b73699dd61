//! Training load of one activity, from power, heart rate or running pace.
//!
//! All stream inputs are samples taken once per second (resample first: the formulas count one
//! sample as one second). A missing sample is NaN, which each function treats as documented.
//!
//! | score | formula | convention |
//! |---|---|---|
//! | NP | 30 s rolling mean of power, mean of its 4th powers, 4th root | [`NpConvention`] |
//! | IF | NP / threshold (FTP or CP, as the caller says) | |
//! | TSS | hours × IF² × 100 | |
//! | TRIMP | Σ minutes · x · a·e^(b·x), x = heart-rate reserve fraction | [`TrimpConvention`] |
//! | hrTSS | 100 · TRIMP / TRIMP(60 min at threshold HR) | |
//! | rTSS | hours × (NGP / threshold speed)² × 100 | see [`running_stress`] |
//!
//! A zero or missing threshold is a typed error, never an infinite score.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, positive};

/// The rolling-average window of NP and NGP, in 1 Hz samples.
pub const NP_WINDOW: usize = 30;

/// How the first 29 seconds of the rolling average are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NpConvention {
    /// Coggan's definition as most tools implement it: average from the first full 30 s window,
    /// so N − 29 rolling values are averaged; undefined below 30 samples.
    #[default]
    Coggan,
    /// GoldenCheetah's "IsoPower": a zero-initialised 30-sample ring buffer divided by 30 from the
    /// first sample, so all N rolling values (the first 29 ramping in) are averaged; defined for N ≥ 1.
    GoldenCheetah,
}

/// Which threshold the intensity is measured against. The formulas are the same; the kind is kept
/// so reports can say which one was used (GoldenCheetah uses CP by default, TrainingPeaks FTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdKind {
    /// Functional threshold power.
    Ftp,
    /// Critical power.
    Cp,
}

/// A power threshold in watts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerThreshold {
    /// FTP or CP.
    pub kind: ThresholdKind,
    /// Watts, above zero.
    pub watts: f64,
}

/// The power-based scores of one activity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerLoad {
    /// Normalized power, watts.
    pub normalized_power_w: f64,
    /// Intensity factor, NP / threshold.
    pub intensity_factor: f64,
    /// Training stress score.
    pub tss: f64,
    /// Seconds counted (one per sample).
    pub duration_s: f64,
}

/// A watt value as NP counts it: dropouts (NaN) and negative readings are 0 W.
#[inline]
fn watts(p: f64) -> f64 {
    if p.is_finite() && p > 0.0 { p } else { 0.0 }
}

/// 4th root of the mean of the 4th powers of the 30-sample rolling mean of `samples`.
fn rolling_fourth_power_mean(
    samples: &[f64],
    convention: NpConvention,
    clean: impl Fn(f64) -> f64,
) -> Option<f64> {
    let n = samples.len();
    let w = NP_WINDOW;
    let inv_w = 1.0 / w as f64;
    match convention {
        NpConvention::Coggan => {
            if n < w {
                return None;
            }
            let mut sum: f64 = samples[..w].iter().map(|&p| clean(p)).sum();
            let mut acc = (sum * inv_w).powi(4);
            for i in w..n {
                sum += clean(samples[i]) - clean(samples[i - w]);
                acc += (sum * inv_w).powi(4);
            }
            Some((acc / (n - w + 1) as f64).powf(0.25))
        }
        NpConvention::GoldenCheetah => {
            if n == 0 {
                return None;
            }
            let mut sum = 0.0;
            let mut acc = 0.0;
            for i in 0..n {
                sum += clean(samples[i]);
                if i >= w {
                    sum -= clean(samples[i - w]);
                }
                acc += (sum * inv_w).powi(4);
            }
            Some((acc / n as f64).powf(0.25))
        }
    }
}

/// Normalized power of 1 Hz power samples; `None` when the convention leaves it undefined
/// (Coggan: fewer than 30 samples; GoldenCheetah: no samples). Dropouts and negative watts count as 0 W.
pub fn normalized_power(power: &[f64], convention: NpConvention) -> Option<f64> {
    rolling_fourth_power_mean(power, convention, watts)
}

/// IF = NP / threshold; an error for a zero, negative or non-finite threshold.
pub fn intensity_factor(normalized_power_w: f64, threshold_w: f64) -> Result<f64> {
    let t = positive("power threshold", threshold_w)?;
    Ok(normalized_power_w / t)
}

/// TSS = hours × IF² × 100, i.e. (s · NP · IF) / (threshold · 3600) · 100.
pub fn training_stress_score(
    duration_s: f64,
    normalized_power_w: f64,
    threshold_w: f64,
) -> Result<f64> {
    let intensity = intensity_factor(normalized_power_w, threshold_w)?;
    Ok(duration_s / 3600.0 * intensity * intensity * 100.0)
}

/// NP, IF and TSS of 1 Hz power samples.
pub fn power_load(
    power: &[f64],
    threshold: PowerThreshold,
    convention: NpConvention,
) -> Result<PowerLoad> {
    positive("power threshold", threshold.watts)?;
    let np = normalized_power(power, convention).ok_or_else(|| {
        Error::invalid(
            "power stream",
            format!(
                "{} samples: normalized power needs at least {NP_WINDOW} (1 Hz)",
                power.len()
            ),
        )
    })?;
    let duration_s = power.len() as f64;
    Ok(PowerLoad {
        normalized_power_w: np,
        intensity_factor: intensity_factor(np, threshold.watts)?,
        tss: training_stress_score(duration_s, np, threshold.watts)?,
        duration_s,
    })
}

/// Biological sex, which selects the TRIMP weighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male weighting.
    Male,
    /// Female weighting.
    Female,
}

impl std::str::FromStr for Sex {
    type Err = Error;
    /// `male` or `female`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "male" => Ok(Sex::Male),
            "female" => Ok(Sex::Female),
            other => Err(Error::invalid(
                "sex",
                format!("'{other}' is neither 'male' nor 'female'"),
            )),
        }
    }
}

/// Which TRIMP weighting to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrimpConvention {
    /// Banister/Morton: a·e^(b·x) with a = 0.64, b = 1.92 (male) or a = 0.86, b = 1.67 (female).
    #[default]
    Banister,
    /// GoldenCheetah's "TRIMP Points": a = 0.64 for both sexes, b = 1.92 (male) or 1.67 (female).
    GoldenCheetah,
}

impl TrimpConvention {
    /// The weighting coefficients (a, b).
    pub const fn coefficients(self, sex: Sex) -> (f64, f64) {
        match (self, sex) {
            (_, Sex::Male) => (0.64, 1.92),
            (TrimpConvention::Banister, Sex::Female) => (0.86, 1.67),
            (TrimpConvention::GoldenCheetah, Sex::Female) => (0.64, 1.67),
        }
    }
}

/// The heart-rate limits TRIMP needs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HeartRateProfile {
    /// Resting heart rate, bpm.
    pub rest_bpm: f64,
    /// Maximum heart rate, bpm (above rest).
    pub max_bpm: f64,
    /// Lactate threshold heart rate, bpm (between rest and max); needed only for hrTSS.
    pub threshold_bpm: Option<f64>,
    /// Selects the weighting.
    pub sex: Sex,
}

impl HeartRateProfile {
    /// A profile, checked: 0 < rest < max, and rest < threshold ≤ max when given.
    pub fn new(rest_bpm: f64, max_bpm: f64, threshold_bpm: Option<f64>, sex: Sex) -> Result<Self> {
        let p = Self {
            rest_bpm,
            max_bpm,
            threshold_bpm,
            sex,
        };
        p.validate()?;
        Ok(p)
    }

    /// Checks the rules of [`HeartRateProfile::new`] (fields are public, so callers may build one by hand).
    pub fn validate(&self) -> Result<()> {
        positive("rest heart rate", self.rest_bpm)?;
        positive("max heart rate", self.max_bpm)?;
        if self.max_bpm <= self.rest_bpm {
            return Err(Error::invalid(
                "max heart rate",
                format!(
                    "{} must be above the resting heart rate {}",
                    self.max_bpm, self.rest_bpm
                ),
            ));
        }
        if let Some(t) = self.threshold_bpm
            && !(t.is_finite() && t > self.rest_bpm && t <= self.max_bpm)
        {
            return Err(Error::invalid(
                "threshold heart rate",
                format!(
                    "{t} must be above rest {} and at most max {}",
                    self.rest_bpm, self.max_bpm
                ),
            ));
        }
        Ok(())
    }

    /// Heart-rate reserve fraction x = (hr − rest) / (max − rest).
    pub fn reserve_fraction(&self, hr_bpm: f64) -> f64 {
        (hr_bpm - self.rest_bpm) / (self.max_bpm - self.rest_bpm)
    }
}

/// Banister's exponential TRIMP summed per sample: Σ (interval/60) · x · a·e^(b·x).
///
/// Samples that are NaN or ≤ 0 are dropouts: excluded, with no time counted. A sample below rest
/// has x clamped to 0 (it adds time but no load).
pub fn trimp_per_sample(
    hr_bpm: &[f64],
    interval_s: f64,
    profile: &HeartRateProfile,
    convention: TrimpConvention,
) -> Result<f64> {
    profile.validate()?;
    let minutes = positive("sample interval", interval_s)? / 60.0;
    let (a, b) = convention.coefficients(profile.sex);
    let sum: f64 = hr_bpm
        .iter()
        .filter(|hr| hr.is_finite() && **hr > 0.0)
        .map(|&hr| {
            let x = profile.reserve_fraction(hr).max(0.0);
            x * a * (b * x).exp()
        })
        .sum();
    Ok(sum * minutes)
}

/// Banister's TRIMP over samples taken at `time_s` (seconds, non-decreasing), as recorded with
/// smart recording: each sample counts for the time to the next one, at most `max_gap_s` (a
/// longer gap is a pause, not effort); the last sample counts for nothing. Missing samples
/// (`None`, or ≤ 0) count no time. With 1 Hz samples this equals [`trimp_per_sample`].
pub fn trimp_timed(
    time_s: &[f64],
    hr_bpm: &[Option<f64>],
    max_gap_s: f64,
    profile: &HeartRateProfile,
    convention: TrimpConvention,
) -> Result<f64> {
    profile.validate()?;
    positive("largest sample gap", max_gap_s)?;
    if time_s.len() != hr_bpm.len() {
        return Err(Error::invalid(
            "heart-rate samples",
            format!("{} times but {} values", time_s.len(), hr_bpm.len()),
        ));
    }
    let (a, b) = convention.coefficients(profile.sex);
    let mut sum = 0.0;
    for (i, pair) in time_s.windows(2).enumerate() {
        let Some(hr) = hr_bpm[i].filter(|hr| hr.is_finite() && *hr > 0.0) else {
            continue;
        };
        let dt = (pair[1] - pair[0]).clamp(0.0, max_gap_s);
        let x = profile.reserve_fraction(hr).max(0.0);
        sum += dt / 60.0 * x * a * (b * x).exp();
    }
    Ok(sum)
}

/// What pa knows of the athlete to score an activity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Functional threshold power, for TSS.
    pub ftp_w: Option<f64>,
    /// Resting, maximum and threshold heart rate and sex, for TRIMP and hrTSS.
    pub heart_rate: Option<HeartRateProfile>,
}

impl Thresholds {
    /// Thresholds from the parts a person gives: the heart-rate profile needs both the resting
    /// and the maximum heart rate (the threshold alone is not enough); nothing given is no
    /// profile. Checked.
    pub fn from_parts(
        ftp_w: Option<f64>,
        rest_bpm: Option<f64>,
        max_bpm: Option<f64>,
        threshold_bpm: Option<f64>,
        sex: Sex,
    ) -> Result<Self> {
        let heart_rate = match (rest_bpm, max_bpm) {
            (Some(rest), Some(max)) => Some(HeartRateProfile::new(rest, max, threshold_bpm, sex)?),
            (None, None) if threshold_bpm.is_none() => None,
            _ => {
                return Err(Error::invalid(
                    "heart rate",
                    "TRIMP and hrTSS need both the resting and the maximum heart rate",
                ));
            }
        };
        let t = Self { ftp_w, heart_rate };
        t.validate()?;
        Ok(t)
    }

    /// These thresholds with the parts `over` gives (FTP, heart-rate profile) put in place of
    /// their own.
    #[must_use]
    pub fn overridden_by(self, over: Thresholds) -> Self {
        Self {
            ftp_w: over.ftp_w.or(self.ftp_w),
            heart_rate: over.heart_rate.or(self.heart_rate),
        }
    }

    /// Checks a positive FTP and a valid heart-rate profile.
    pub fn validate(&self) -> Result<()> {
        if let Some(ftp) = self.ftp_w {
            positive("FTP", ftp)?;
        }
        if let Some(p) = &self.heart_rate {
            p.validate()?;
        }
        Ok(())
    }
}

/// The largest gap between heart-rate samples that still counts as effort in [`score`].
pub const MAX_SAMPLE_GAP_S: f64 = 30.0;

/// Scores an activity from what it recorded, keeping values already set:
/// - `trimp`: Banister's TRIMP from the heart-rate stream ([`trimp_timed`], gaps over
///   [`MAX_SAMPLE_GAP_S`] are pauses), else from the average heart rate over the moving time;
/// - `training_load`: TSS from normalized power and FTP over the moving time when both are
///   known (TSS = hours · IF² · 100), else hrTSS from the TRIMP and the threshold heart rate.
///
/// Without thresholds nothing is set. Errors only for invalid thresholds.
pub fn score(activity: &mut super::Activity, thresholds: &Thresholds) -> Result<()> {
    thresholds.validate()?;
    let convention = TrimpConvention::Banister;
    if activity.trimp.is_none()
        && let Some(profile) = &thresholds.heart_rate
    {
        let from_stream = activity.streams.as_ref().and_then(|s| {
            let hr = s.heart_rate.as_ref()?;
            trimp_timed(&s.time_s, hr, MAX_SAMPLE_GAP_S, profile, convention).ok()
        });
        activity.trimp = match from_stream {
            Some(t) => Some(t),
            None => match activity.avg_hr_bpm {
                Some(avg) => Some(trimp_from_average(
                    avg,
                    activity.duration_s() / 60.0,
                    profile,
                    convention,
                )?),
                None => None,
            },
        };
    }
    if activity.training_load.is_none() {
        let power = match (thresholds.ftp_w, activity.normalized_power_w) {
            (Some(ftp), Some(np)) if np > 0.0 => {
                Some(training_stress_score(activity.duration_s(), np, ftp)?)
            }
            _ => None,
        };
        let heart = match (&thresholds.heart_rate, activity.trimp) {
            (Some(p), Some(trimp)) if p.threshold_bpm.is_some() => {
                Some(hr_stress_score(trimp, p, convention)?)
            }
            _ => None,
        };
        activity.training_load = power.or(heart);
    }
    Ok(())
}

/// GoldenCheetah's "Session RPE" (`src/Metrics/TRIMPPoints.cpp`, class `SessionRPE`): the
/// session's rating of perceived exertion (0–10) times its minutes of moving time, the
/// perceived load of Foster's method. Zero when either is zero. Its scale is not TSS's (an hour
/// at RPE 5 is 300), so pa keeps it beside `training_load` rather than in it.
pub fn session_rpe(rpe: f64, moving_s: f64) -> f64 {
    if moving_s == 0.0 || rpe == 0.0 {
        0.0
    } else {
        moving_s / 60.0 * rpe
    }
}

/// TRIMP from the activity's average heart rate and duration, as GoldenCheetah's "TRIMP Points":
/// minutes · x · a·e^(b·x) with x from the average; 0 when the average is below rest.
/// GoldenCheetah uses moving time as the minutes (elapsed time when moving time is 0).
pub fn trimp_from_average(
    avg_hr_bpm: f64,
    minutes: f64,
    profile: &HeartRateProfile,
    convention: TrimpConvention,
) -> Result<f64> {
    profile.validate()?;
    crate::error::non_negative("minutes", minutes)?;
    let avg = positive("average heart rate", avg_hr_bpm)?;
    if avg < profile.rest_bpm {
        return Ok(0.0);
    }
    let (a, b) = convention.coefficients(profile.sex);
    let x = profile.reserve_fraction(avg);
    Ok(minutes * x * a * (b * x).exp())
}

/// TRIMP normalised so that 60 minutes at threshold heart rate scores 100 (an hrTSS, GoldenCheetah's
/// "TRIMP(100)"): 100 · TRIMP / (60 · x_LT · a·e^(b·x_LT)). Use the same convention the TRIMP was
/// computed with. An error when the profile has no threshold heart rate.
pub fn hr_stress_score(
    trimp: f64,
    profile: &HeartRateProfile,
    convention: TrimpConvention,
) -> Result<f64> {
    profile.validate()?;
    crate::error::non_negative("trimp", trimp)?;
    let threshold = profile.threshold_bpm.ok_or_else(|| {
        Error::invalid(
            "threshold heart rate",
            "hrTSS needs a threshold (LTHR) heart rate",
        )
    })?;
    let (a, b) = convention.coefficients(profile.sex);
    let x = profile.reserve_fraction(threshold);
    Ok(100.0 * trimp / (60.0 * x * a * (b * x).exp()))
}

/// The running-based scores of one activity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunLoad {
    /// Normalized graded speed, m/s (its pace is 1000 / NGP seconds per km).
    pub ngp_mps: f64,
    /// Intensity factor, NGP / threshold speed.
    pub intensity_factor: f64,
    /// Running training stress score.
    pub rtss: f64,
    /// Seconds counted (one per sample).
    pub duration_s: f64,
}

/// Look-back, in samples, over which the grade is measured.
const GRADE_WINDOW: usize = 10;
/// Below this horizontal distance over the look-back the grade is taken as 0 (standing still).
const GRADE_MIN_DISTANCE_M: f64 = 5.0;
/// Grades are clamped to the range Minetti measured.
const GRADE_LIMIT: f64 = 0.45;

/// Minetti et al. (2002) energy cost of running on grade `g` (rise/run), J/kg/m; 3.6 on the flat.
pub fn running_cost(g: f64) -> f64 {
    let g = g.clamp(-GRADE_LIMIT, GRADE_LIMIT);
    ((((155.4 * g - 30.4) * g - 43.3) * g + 46.3) * g + 19.5) * g + 3.6
}

/// Converts a pace in seconds per kilometre to a speed in m/s.
pub fn speed_from_pace(seconds_per_km: f64) -> Result<f64> {
    Ok(1000.0 / positive("threshold pace", seconds_per_km)?)
}

/// Normalized graded speed of 1 Hz speed samples (m/s) with optional altitudes (m).
///
/// pa's formula (TrainingPeaks does not publish its own; this follows the published NGP idea):
/// 1. A dropout or negative speed is 0 m/s.
/// 2. The grade at sample i is Δaltitude / distance over the previous 10 samples (distance = sum of
///    speeds), clamped to ±45 %; 0 without altitude, with a missing altitude at either end, or when
///    less than 5 m was covered.
/// 3. Graded speed = speed × C(grade) / C(0), with Minetti's cost of running C ([`running_cost`]):
///    the flat speed that costs the same energy.
/// 4. NGP = the NP formula (Coggan convention) applied to graded speed: 30 s rolling mean, mean of
///    4th powers, 4th root. Undefined below 30 samples.
pub fn normalized_graded_speed(speed_mps: &[f64], altitude_m: Option<&[f64]>) -> Result<f64> {
    if let Some(alt) = altitude_m
        && alt.len() != speed_mps.len()
    {
        return Err(Error::invalid(
            "altitude stream",
            format!(
                "has {} samples but speed has {}",
                alt.len(),
                speed_mps.len()
            ),
        ));
    }
    let clean = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
    let flat_cost = running_cost(0.0);
    let mut graded = Vec::with_capacity(speed_mps.len());
    let mut window_dist = 0.0;
    for i in 0..speed_mps.len() {
        let v = clean(speed_mps[i]);
        window_dist += v;
        if i >= GRADE_WINDOW {
            window_dist -= clean(speed_mps[i - GRADE_WINDOW]);
        }
        let grade = match altitude_m {
            Some(alt) if window_dist >= GRADE_MIN_DISTANCE_M => {
                let from = alt[i.saturating_sub(GRADE_WINDOW)];
                let to = alt[i];
                if from.is_finite() && to.is_finite() {
                    (to - from) / window_dist
                } else {
                    0.0
                }
            }
            _ => 0.0,
        };
        graded.push(v * running_cost(grade) / flat_cost);
    }
    rolling_fourth_power_mean(&graded, NpConvention::Coggan, |v| v).ok_or_else(|| {
        Error::invalid(
            "speed stream",
            format!(
                "{} samples: normalized graded pace needs at least {NP_WINDOW} (1 Hz)",
                speed_mps.len()
            ),
        )
    })
}

/// rTSS = hours × IF² × 100 with IF = NGP / threshold speed (functional threshold pace as a speed).
pub fn running_stress(
    speed_mps: &[f64],
    altitude_m: Option<&[f64]>,
    threshold_speed_mps: f64,
) -> Result<RunLoad> {
    let threshold = positive("threshold speed", threshold_speed_mps)?;
    let ngp = normalized_graded_speed(speed_mps, altitude_m)?;
    let intensity = ngp / threshold;
    let duration_s = speed_mps.len() as f64;
    Ok(RunLoad {
        ngp_mps: ngp,
        intensity_factor: intensity,
        rtss: duration_s / 3600.0 * intensity * intensity * 100.0,
        duration_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_from_the_parts_given() {
        let t = Thresholds::from_parts(
            Some(250.0),
            Some(48.0),
            Some(188.0),
            Some(170.0),
            Sex::Female,
        )
        .unwrap();
        assert_eq!(t.ftp_w, Some(250.0));
        assert_eq!(
            t.heart_rate,
            Some(HeartRateProfile::new(48.0, 188.0, Some(170.0), Sex::Female).unwrap())
        );
        assert_eq!(
            Thresholds::from_parts(None, None, None, None, Sex::Male).unwrap(),
            Thresholds::default()
        );
        let need_both = Error::invalid(
            "heart rate",
            "TRIMP and hrTSS need both the resting and the maximum heart rate",
        );
        for (rest, max, lthr) in [
            (Some(48.0), None, None),
            (None, Some(188.0), None),
            (None, None, Some(170.0)),
        ] {
            assert_eq!(
                Thresholds::from_parts(None, rest, max, lthr, Sex::Male).unwrap_err(),
                need_both
            );
        }
        assert_eq!(
            Thresholds::from_parts(Some(0.0), None, None, None, Sex::Male).unwrap_err(),
            Thresholds {
                ftp_w: Some(0.0),
                heart_rate: None
            }
            .validate()
            .unwrap_err()
        );
        assert_eq!("female".parse::<Sex>().unwrap(), Sex::Female);
        assert_eq!(
            "other".parse::<Sex>().unwrap_err(),
            Error::invalid("sex", "'other' is neither 'male' nor 'female'")
        );
    }

    #[test]
    fn given_parts_replace_the_stored_ones() {
        let stored =
            Thresholds::from_parts(Some(250.0), Some(48.0), Some(188.0), None, Sex::Male).unwrap();
        let ftp_only = Thresholds {
            ftp_w: Some(260.0),
            heart_rate: None,
        };
        let merged = stored.overridden_by(ftp_only);
        assert_eq!(merged.ftp_w, Some(260.0));
        assert_eq!(merged.heart_rate, stored.heart_rate);
        assert_eq!(stored.overridden_by(Thresholds::default()), stored);
    }

    #[test]
    fn timed_trimp_counts_each_sample_until_the_next() {
        let p = HeartRateProfile::new(50.0, 190.0, Some(170.0), Sex::Male).unwrap();
        let hr = [150.0; 601];
        let times: Vec<f64> = (0..601).map(f64::from).collect();
        let some: Vec<Option<f64>> = hr.iter().copied().map(Some).collect();
        let timed = trimp_timed(&times, &some, 30.0, &p, TrimpConvention::Banister).unwrap();
        let fixed = trimp_per_sample(&hr[..600], 1.0, &p, TrimpConvention::Banister).unwrap();
        assert!((timed - fixed).abs() < 1e-9, "{timed} {fixed}");
        // A 10-minute pause between two samples counts 30 s.
        let t = [0.0, 600.0, 601.0];
        let paused =
            trimp_timed(&t, &[Some(150.0); 3], 30.0, &p, TrimpConvention::Banister).unwrap();
        let thirty_one =
            trimp_per_sample(&[150.0; 31], 1.0, &p, TrimpConvention::Banister).unwrap();
        assert!((paused - thirty_one).abs() < 1e-9);
        assert!(trimp_timed(&t, &[Some(150.0)], 30.0, &p, TrimpConvention::Banister).is_err());
    }

    #[test]
    fn scoring_uses_power_first_then_heart_rate() {
        use crate::fitness::{Activity, Sport};
        use crate::ids::ActivityId;
        use crate::time::ZonedInstant;
        let start = ZonedInstant::new("2026-03-01T07:00:00Z".parse().unwrap(), chrono_tz::UTC);
        let mut a = Activity::new(ActivityId::new("a").unwrap(), Sport::Ride, start, 3600.0);
        a.normalized_power_w = Some(250.0);
        a.avg_hr_bpm = Some(150.0);
        let none = Thresholds::default();
        let mut b = a.clone();
        score(&mut b, &none).unwrap();
        assert_eq!((b.training_load, b.trimp), (None, None));
        let hr = HeartRateProfile::new(50.0, 190.0, Some(170.0), Sex::Male).unwrap();
        let both = Thresholds {
            ftp_w: Some(250.0),
            heart_rate: Some(hr),
        };
        let mut b = a.clone();
        score(&mut b, &both).unwrap();
        // An hour at FTP is 100 TSS; TRIMP from the average over the hour.
        assert!((b.training_load.unwrap() - 100.0).abs() < 1e-9);
        let want = trimp_from_average(150.0, 60.0, &hr, TrimpConvention::Banister).unwrap();
        assert!((b.trimp.unwrap() - want).abs() < 1e-9);
        // Without FTP: hrTSS from the TRIMP.
        let mut c = a.clone();
        score(
            &mut c,
            &Thresholds {
                ftp_w: None,
                heart_rate: Some(hr),
            },
        )
        .unwrap();
        let hrtss = hr_stress_score(want, &hr, TrimpConvention::Banister).unwrap();
        assert!((c.training_load.unwrap() - hrtss).abs() < 1e-9);
        // A load already recorded stays; invalid thresholds are errors.
        let mut d = a.clone();
        d.training_load = Some(42.0);
        score(&mut d, &both).unwrap();
        assert_eq!(d.training_load, Some(42.0));
        assert!(
            score(
                &mut a,
                &Thresholds {
                    ftp_w: Some(0.0),
                    heart_rate: None
                }
            )
            .is_err()
        );
    }
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn ftp(watts: f64) -> PowerThreshold {
        PowerThreshold {
            kind: ThresholdKind::Ftp,
            watts,
        }
    }

    #[test]
    fn steady_power_np_per_convention() {
        let p = vec![200.0; 3600];
        assert!(close(
            normalized_power(&p, NpConvention::Coggan).unwrap(),
            200.0,
            1e-9
        ));
        // GoldenCheetah's ramp-in: Σ_{i=1..29} (200·i/30)^4 + 3571·200^4, over 3600, 4th root.
        let ramp: f64 = (1..30).map(|i| (200.0 * i as f64 / 30.0).powi(4)).sum();
        let expected = ((ramp + 3571.0 * 200f64.powi(4)) / 3600.0).powf(0.25);
        let gc = normalized_power(&p, NpConvention::GoldenCheetah).unwrap();
        assert!(close(gc, expected, 1e-9));
        assert!(
            close(gc, 199.67, 0.005),
            "reference-math quotes 199.67, got {gc}"
        );
    }

    #[test]
    fn np_hand_computed_intervals() {
        // 60 s at 100 W then 60 s at 300 W. Coggan windows: 31 at 100, 29 ramp windows, 31 at 300.
        let mut p = vec![100.0; 60];
        p.extend(vec![300.0; 60]);
        let mut acc = 31.0 * 100f64.powi(4) + 31.0 * 300f64.powi(4);
        for k in 1..30 {
            let avg = (100.0 * (30 - k) as f64 + 300.0 * k as f64) / 30.0;
            acc += avg.powi(4);
        }
        let expected = (acc / 91.0).powf(0.25);
        assert!(close(
            normalized_power(&p, NpConvention::Coggan).unwrap(),
            expected,
            1e-9
        ));
    }

    #[test]
    fn np_edge_cases() {
        assert_eq!(normalized_power(&[250.0; 29], NpConvention::Coggan), None);
        assert_eq!(normalized_power(&[], NpConvention::GoldenCheetah), None);
        // Dropouts and negative watts are 0 W.
        let with_gaps = [f64::NAN, -50.0, 0.0].repeat(20);
        assert_eq!(
            normalized_power(&with_gaps, NpConvention::Coggan),
            Some(0.0)
        );
    }

    #[test]
    fn tss_one_hour_at_ftp_is_100() {
        let load = power_load(&[250.0; 3600], ftp(250.0), NpConvention::Coggan).unwrap();
        assert!(close(load.tss, 100.0, 1e-9));
        assert!(close(load.intensity_factor, 1.0, 1e-12));
        // 2 h at IF 0.8 = 128.
        assert!(close(
            training_stress_score(7200.0, 200.0, 250.0).unwrap(),
            128.0,
            1e-9
        ));
    }

    #[test]
    fn zero_threshold_is_an_error_not_infinity() {
        assert!(intensity_factor(200.0, 0.0).is_err());
        assert!(training_stress_score(3600.0, 200.0, f64::NAN).is_err());
        assert!(power_load(&[200.0; 60], ftp(0.0), NpConvention::Coggan).is_err());
        assert!(power_load(&[200.0; 10], ftp(250.0), NpConvention::Coggan).is_err());
        assert!(running_stress(&[3.0; 60], None, 0.0).is_err());
        assert!(speed_from_pace(0.0).is_err());
    }

    fn male() -> HeartRateProfile {
        HeartRateProfile::new(50.0, 190.0, Some(170.0), Sex::Male).unwrap()
    }

    #[test]
    fn trimp_hand_computed() {
        // 60 min at 155 bpm: x = 0.75; 60 · 0.75 · 0.64 · e^(1.44).
        let expected = 60.0 * 0.75 * 0.64 * (1.92f64 * 0.75).exp();
        let samples = vec![155.0; 3600];
        assert!(close(
            trimp_per_sample(&samples, 1.0, &male(), TrimpConvention::Banister).unwrap(),
            expected,
            1e-6
        ));
        assert!(close(
            trimp_from_average(155.0, 60.0, &male(), TrimpConvention::GoldenCheetah).unwrap(),
            expected,
            1e-9
        ));
        // Female: Banister uses 0.86·e^(1.67x), GoldenCheetah keeps 0.64.
        let f = HeartRateProfile {
            sex: Sex::Female,
            ..male()
        };
        let banister = trimp_from_average(155.0, 60.0, &f, TrimpConvention::Banister).unwrap();
        let gc = trimp_from_average(155.0, 60.0, &f, TrimpConvention::GoldenCheetah).unwrap();
        assert!(close(
            banister,
            60.0 * 0.75 * 0.86 * (1.67f64 * 0.75).exp(),
            1e-9
        ));
        assert!(close(gc, 60.0 * 0.75 * 0.64 * (1.67f64 * 0.75).exp(), 1e-9));
    }

    #[test]
    fn trimp_dropouts_and_low_hr() {
        let p = male();
        // Dropouts add nothing; below-rest samples add nothing.
        let t = trimp_per_sample(
            &[f64::NAN, 0.0, -1.0, 40.0],
            1.0,
            &p,
            TrimpConvention::Banister,
        )
        .unwrap();
        assert_eq!(t, 0.0);
        assert_eq!(
            trimp_from_average(45.0, 60.0, &p, TrimpConvention::GoldenCheetah).unwrap(),
            0.0
        );
        assert!(trimp_per_sample(&[150.0], 0.0, &p, TrimpConvention::Banister).is_err());
    }

    #[test]
    fn hr_tss_is_100_for_an_hour_at_threshold() {
        for conv in [TrimpConvention::Banister, TrimpConvention::GoldenCheetah] {
            let t = trimp_from_average(170.0, 60.0, &male(), conv).unwrap();
            assert!(close(
                hr_stress_score(t, &male(), conv).unwrap(),
                100.0,
                1e-9
            ));
        }
        let no_lthr = HeartRateProfile {
            threshold_bpm: None,
            ..male()
        };
        assert!(hr_stress_score(50.0, &no_lthr, TrimpConvention::Banister).is_err());
        assert!(HeartRateProfile::new(60.0, 60.0, None, Sex::Male).is_err());
        assert!(HeartRateProfile::new(50.0, 190.0, Some(45.0), Sex::Male).is_err());
    }

    #[test]
    fn rtss_on_the_flat_at_threshold_is_100_per_hour() {
        let v = speed_from_pace(240.0).unwrap(); // 4:00 min/km
        let load = running_stress(&vec![v; 3600], None, v).unwrap();
        assert!(close(load.rtss, 100.0, 1e-9));
        let flat_alt = vec![100.0; 3600];
        assert!(close(
            running_stress(&vec![v; 3600], Some(&flat_alt), v)
                .unwrap()
                .rtss,
            100.0,
            1e-9
        ));
    }

    #[test]
    fn uphill_raises_ngp() {
        let v = 3.0;
        let speed = vec![v; 600];
        // 5 % grade: climbs 0.15 m per second.
        let alt: Vec<f64> = (0..600).map(|i| 0.15 * i as f64).collect();
        let ngp = normalized_graded_speed(&speed, Some(&alt)).unwrap();
        assert!(ngp > v * 1.1, "ngp {ngp}");
        let down: Vec<f64> = alt.iter().map(|a| -a).collect();
        assert!(normalized_graded_speed(&speed, Some(&down)).unwrap() < v);
        assert!(normalized_graded_speed(&speed, Some(&alt[..10])).is_err());
        assert!(close(running_cost(0.0), 3.6, 1e-12));
    }

    proptest! {
        #[test]
        fn np_lies_between_mean_and_max(p in proptest::collection::vec(0.0f64..1500.0, 30..400)) {
            let np = normalized_power(&p, NpConvention::Coggan).unwrap();
            let max = p.iter().cloned().fold(0.0, f64::max);
            prop_assert!(np <= max + 1e-9);
            // The 4th-power mean of the rolling averages is at least their plain mean.
            let windows: Vec<f64> = p.windows(30).map(|w| w.iter().sum::<f64>() / 30.0).collect();
            let mean = windows.iter().sum::<f64>() / windows.len() as f64;
            prop_assert!(np + 1e-9 >= mean);
        }

        #[test]
        fn gc_np_never_exceeds_coggan_on_constant_power(w in 1.0f64..1000.0, n in 30usize..2000) {
            let p = vec![w; n];
            let gc = normalized_power(&p, NpConvention::GoldenCheetah).unwrap();
            let cg = normalized_power(&p, NpConvention::Coggan).unwrap();
            prop_assert!(gc <= cg + 1e-9);
        }
    }
}
