//! Daily health: what a watch or ring reports once per day.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, non_negative};
use crate::time::Day;

/// Last night's sleep, in seconds per stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Sleep {
    /// Total time asleep (deep + light + REM).
    pub total_s: f64,
    /// Deep sleep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deep_s: Option<f64>,
    /// Light sleep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub light_s: Option<f64>,
    /// REM sleep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rem_s: Option<f64>,
    /// Awake time in bed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awake_s: Option<f64>,
    /// The device's sleep score, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// One day of health metrics. The day is the calendar date the device assigns (for sleep and
/// overnight HRV: the morning the night ends on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyHealth {
    /// The day.
    pub day: Day,
    /// Sleep ending that morning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sleep: Option<Sleep>,
    /// Resting heart rate, bpm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resting_hr_bpm: Option<f64>,
    /// Overnight HRV, rMSSD in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hrv_rmssd_ms: Option<f64>,
    /// Step count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u32>,
    /// Average stress, 0–100 (Garmin's scale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stress_avg: Option<f64>,
    /// Highest body battery, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_battery_high: Option<f64>,
    /// Lowest body battery, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_battery_low: Option<f64>,
    /// Moderate + vigorous intensity minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intensity_minutes: Option<u32>,
}

impl DailyHealth {
    /// A day with no metrics yet.
    pub fn empty(day: Day) -> Self {
        Self {
            day,
            sleep: None,
            resting_hr_bpm: None,
            hrv_rmssd_ms: None,
            steps: None,
            stress_avg: None,
            body_battery_high: None,
            body_battery_low: None,
            intensity_minutes: None,
        }
    }

    /// Checks ranges: non-negative durations, stage sums within the total, scores 0–100, rMSSD > 0.
    pub fn validate(&self) -> Result<()> {
        if let Some(s) = &self.sleep {
            non_negative("sleep.total_s", s.total_s)?;
            let stages = [
                ("sleep.deep_s", s.deep_s),
                ("sleep.light_s", s.light_s),
                ("sleep.rem_s", s.rem_s),
                ("sleep.awake_s", s.awake_s),
            ];
            for (f, v) in stages {
                if let Some(v) = v {
                    non_negative(f, v)?;
                }
            }
            let asleep: f64 = [s.deep_s, s.light_s, s.rem_s].iter().flatten().sum();
            if asleep > s.total_s + 60.0 {
                return Err(Error::invalid(
                    "sleep",
                    format!(
                        "stages add up to {asleep} s, more than the total {} s",
                        s.total_s
                    ),
                ));
            }
            if let Some(score) = s.score {
                percent("sleep.score", score)?;
            }
        }
        if let Some(hr) = self.resting_hr_bpm
            && !(hr.is_finite() && (20.0..=200.0).contains(&hr))
        {
            return Err(Error::invalid(
                "resting_hr_bpm",
                format!("{hr} is not a plausible resting heart rate"),
            ));
        }
        if let Some(h) = self.hrv_rmssd_ms {
            crate::error::positive("hrv_rmssd_ms", h)?;
        }
        for (f, v) in [
            ("stress_avg", self.stress_avg),
            ("body_battery_high", self.body_battery_high),
            ("body_battery_low", self.body_battery_low),
        ] {
            if let Some(v) = v {
                percent(f, v)?;
            }
        }
        Ok(())
    }
}

fn percent(field: &str, v: f64) -> Result<()> {
    if v.is_finite() && (0.0..=100.0).contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid(field, format!("{v} is outside 0–100")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        let mut h = DailyHealth::empty("2026-01-01".parse().unwrap());
        assert!(h.validate().is_ok());
        h.sleep = Some(Sleep {
            total_s: 3600.0,
            deep_s: Some(4000.0),
            ..Sleep::default()
        });
        assert!(h.validate().is_err());
        h.sleep = Some(Sleep {
            total_s: 7.0 * 3600.0,
            deep_s: Some(3600.0),
            score: Some(82.0),
            ..Sleep::default()
        });
        assert!(h.validate().is_ok());
        h.hrv_rmssd_ms = Some(0.0);
        assert!(h.validate().is_err());
        h.hrv_rmssd_ms = Some(45.0);
        h.stress_avg = Some(101.0);
        assert!(h.validate().is_err());
    }
}
