//! Activities: one recorded workout, with optional 1 Hz sample streams.

use serde::{Deserialize, Serialize};

use super::Sport;
use crate::error::{Error, Result};
use crate::ids::{ActivityId, ExternalRef};
use crate::time::{Day, ZonedInstant};

/// A geographic position in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    /// Latitude, −90 to 90.
    pub lat: f64,
    /// Longitude, −180 to 180.
    pub lon: f64,
}

/// One lap (or split) of an activity, as the device recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lap {
    /// Start, seconds after the activity start.
    pub start_s: f64,
    /// Elapsed time, seconds.
    pub elapsed_s: f64,
    /// Moving (timer) time, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moving_s: Option<f64>,
    /// Distance, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// Average heart rate, bpm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_hr_bpm: Option<f64>,
    /// Maximum heart rate, bpm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hr_bpm: Option<f64>,
    /// Average power, W.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_power_w: Option<f64>,
    /// Climb, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elevation_gain_m: Option<f64>,
    /// Energy, kcal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calories_kcal: Option<f64>,
}

impl Lap {
    /// A lap with its start and elapsed time; the rest unknown.
    pub fn new(start_s: f64, elapsed_s: f64) -> Self {
        Self {
            start_s,
            elapsed_s,
            moving_s: None,
            distance_m: None,
            avg_hr_bpm: None,
            max_hr_bpm: None,
            avg_power_w: None,
            elevation_gain_m: None,
            calories_kcal: None,
        }
    }
}

/// Per-sample recordings of an activity, aligned by index: sample `i` of every present channel was
/// taken at `time_s[i]` seconds after the start. `None` marks a sample the device did not record
/// (a dropout), which calculations treat as documented on each of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Streams {
    /// Seconds since the activity start, non-decreasing.
    pub time_s: Vec<f64>,
    /// Heart rate, beats per minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heart_rate: Option<Vec<Option<f64>>>,
    /// Power, watts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<Vec<Option<f64>>>,
    /// Speed, metres per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<Vec<Option<f64>>>,
    /// Cadence, revolutions (or steps) per minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence: Option<Vec<Option<f64>>>,
    /// Altitude, metres above sea level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub altitude: Option<Vec<Option<f64>>>,
    /// Position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Vec<Option<LatLon>>>,
    /// Temperature, °C.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<Vec<Option<f64>>>,
}

impl Streams {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.time_s.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.time_s.is_empty()
    }

    /// Checks that every channel has one value per timestamp and that time never goes backwards.
    pub fn validate(&self) -> Result<()> {
        let n = self.time_s.len();
        let lens = [
            ("heart_rate", self.heart_rate.as_ref().map(Vec::len)),
            ("power", self.power.as_ref().map(Vec::len)),
            ("speed", self.speed.as_ref().map(Vec::len)),
            ("cadence", self.cadence.as_ref().map(Vec::len)),
            ("altitude", self.altitude.as_ref().map(Vec::len)),
            ("position", self.position.as_ref().map(Vec::len)),
            ("temperature", self.temperature.as_ref().map(Vec::len)),
        ];
        for (name, len) in lens {
            if let Some(len) = len
                && len != n
            {
                return Err(Error::invalid(
                    format!("{name} stream"),
                    format!("has {len} samples but there are {n} timestamps"),
                ));
            }
        }
        if let Some(i) = self.time_s.iter().position(|t| !t.is_finite()) {
            return Err(Error::invalid(
                "time stream",
                format!("sample {i} is not a finite time"),
            ));
        }
        if let Some(i) = self.time_s.windows(2).position(|w| w[1] < w[0]) {
            return Err(Error::invalid(
                "time stream",
                format!("time goes backwards at sample {}", i + 1),
            ));
        }
        if let Some(pos) = &self.position
            && let Some(i) = pos.iter().position(|p| {
                p.is_some_and(|p| {
                    !(-90.0..=90.0).contains(&p.lat) || !(-180.0..=180.0).contains(&p.lon)
                })
            })
        {
            return Err(Error::invalid(
                "position stream",
                format!("sample {i} is not a valid coordinate"),
            ));
        }
        Ok(())
    }

    /// A channel as plain numbers for the calculations in [`super::load`]: a missing sample becomes NaN.
    pub fn dense(channel: &[Option<f64>]) -> Vec<f64> {
        channel.iter().map(|v| v.unwrap_or(f64::NAN)).collect()
    }
}

/// One recorded workout.
///
/// Physical quantities use SI units and say so in their names (`_s` seconds, `_m` metres, `_w` watts,
/// `_bpm` beats per minute, `_kcal` kilocalories).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// pa's id for the activity.
    pub id: ActivityId,
    /// The source record it came from, when imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalRef>,
    /// The sport.
    pub sport: Sport,
    /// A title, if the source gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it started, with the zone it was recorded in.
    pub start: ZonedInstant,
    /// Wall-clock duration, seconds.
    pub elapsed_s: f64,
    /// Time in motion, seconds (≤ elapsed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moving_s: Option<f64>,
    /// Distance, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// Total ascent, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elevation_gain_m: Option<f64>,
    /// Average heart rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_hr_bpm: Option<f64>,
    /// Highest heart rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hr_bpm: Option<f64>,
    /// Average power.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_power_w: Option<f64>,
    /// Normalized power (see [`super::load::normalized_power`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalized_power_w: Option<f64>,
    /// Energy, kilocalories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calories_kcal: Option<f64>,
    /// The training load of this activity (TSS, hrTSS or rTSS; see [`super::load`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_load: Option<f64>,
    /// How hard the whole session felt, 0 to 10 on Borg's CR-10 scale, as the athlete rated it
    /// (see [`Activity::session_rpe`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpe: Option<f64>,
    /// The 1 Hz recordings, when kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub streams: Option<Streams>,
    /// Banister TRIMP (heart-rate load), when computed from the heart-rate stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trimp: Option<f64>,
    /// Laps or splits, in order, when the file records them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub laps: Vec<Lap>,
    /// The recording device, when the file names it (`garmin 2697`, `Edge 810`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

impl Activity {
    /// A new activity with only the required fields set; fill the rest as known.
    pub fn new(id: ActivityId, sport: Sport, start: ZonedInstant, elapsed_s: f64) -> Self {
        Self {
            id,
            external: None,
            sport,
            name: None,
            start,
            elapsed_s,
            moving_s: None,
            distance_m: None,
            elevation_gain_m: None,
            avg_hr_bpm: None,
            max_hr_bpm: None,
            avg_power_w: None,
            normalized_power_w: None,
            calories_kcal: None,
            training_load: None,
            rpe: None,
            trimp: None,
            laps: Vec::new(),
            device: None,
            streams: None,
        }
    }

    /// The activity without its streams, for a store that keeps them apart ([`Streams::to_bytes`]):
    /// every other field cloned, the streams not copied.
    pub fn without_streams(&self) -> Activity {
        // Spelled out so that a new field cannot be forgotten here.
        let Activity {
            id,
            external,
            sport,
            name,
            start,
            elapsed_s,
            moving_s,
            distance_m,
            elevation_gain_m,
            avg_hr_bpm,
            max_hr_bpm,
            avg_power_w,
            normalized_power_w,
            calories_kcal,
            training_load,
            rpe,
            trimp,
            laps,
            device,
            streams: _,
        } = self;
        Activity {
            id: id.clone(),
            external: external.clone(),
            sport: *sport,
            name: name.clone(),
            start: *start,
            elapsed_s: *elapsed_s,
            moving_s: *moving_s,
            distance_m: *distance_m,
            elevation_gain_m: *elevation_gain_m,
            avg_hr_bpm: *avg_hr_bpm,
            max_hr_bpm: *max_hr_bpm,
            avg_power_w: *avg_power_w,
            normalized_power_w: *normalized_power_w,
            calories_kcal: *calories_kcal,
            training_load: *training_load,
            rpe: *rpe,
            trimp: *trimp,
            laps: laps.clone(),
            device: device.clone(),
            streams: None,
        }
    }

    /// The day the activity counts on: the local calendar date of its start, in its own zone, as
    /// GoldenCheetah buckets it. An activity that runs past midnight stays on its start day.
    pub fn day(&self) -> Day {
        self.start.local_day()
    }

    /// Moving time when known, else elapsed time.
    pub fn duration_s(&self) -> f64 {
        self.moving_s.unwrap_or(self.elapsed_s)
    }

    /// The perceived load, when the athlete rated the session: see [`super::load::session_rpe`].
    pub fn session_rpe(&self) -> Option<f64> {
        self.rpe
            .map(|rpe| super::load::session_rpe(rpe, self.duration_s()))
    }

    /// Checks every documented rule: non-negative durations and distances, moving ≤ elapsed,
    /// plausible heart rates, consistent streams.
    pub fn validate(&self) -> Result<()> {
        let non_negative = [
            ("elapsed_s", Some(self.elapsed_s)),
            ("moving_s", self.moving_s),
            ("distance_m", self.distance_m),
            ("elevation_gain_m", self.elevation_gain_m),
            ("avg_power_w", self.avg_power_w),
            ("normalized_power_w", self.normalized_power_w),
            ("calories_kcal", self.calories_kcal),
            ("training_load", self.training_load),
            ("trimp", self.trimp),
        ];
        for (field, value) in non_negative {
            if let Some(v) = value {
                crate::error::non_negative(field, v)?;
            }
        }
        if let Some(rpe) = self.rpe
            && !(rpe.is_finite() && (0.0..=10.0).contains(&rpe))
        {
            return Err(Error::invalid(
                "rpe",
                format!("{rpe} is not on the 0–10 scale"),
            ));
        }
        if let Some(m) = self.moving_s
            && m > self.elapsed_s
        {
            return Err(Error::invalid(
                "moving_s",
                format!("{m} s exceeds elapsed time {} s", self.elapsed_s),
            ));
        }
        for (field, hr) in [
            ("avg_hr_bpm", self.avg_hr_bpm),
            ("max_hr_bpm", self.max_hr_bpm),
        ] {
            if let Some(hr) = hr
                && !(hr.is_finite() && (20.0..=260.0).contains(&hr))
            {
                return Err(Error::invalid(
                    field,
                    format!("{hr} is not a plausible heart rate"),
                ));
            }
        }
        if let Some(s) = &self.streams {
            s.validate()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_zone;

    fn activity() -> Activity {
        let start = ZonedInstant::new(
            "2026-05-01T22:30:00Z".parse().unwrap(),
            parse_zone("Europe/Berlin").unwrap(),
        );
        Activity::new(ActivityId::new("a1").unwrap(), Sport::Run, start, 3600.0)
    }

    #[test]
    fn counts_on_the_local_start_day() {
        // 22:30 UTC is 00:30 the next day in Berlin.
        assert_eq!(activity().day(), "2026-05-02".parse().unwrap());
    }

    #[test]
    fn validation_names_the_field() {
        let mut a = activity();
        a.moving_s = Some(4000.0);
        assert!(
            matches!(a.validate(), Err(Error::InvalidInput { field, .. }) if field == "moving_s")
        );
        let mut a = activity();
        a.distance_m = Some(-1.0);
        assert!(a.validate().is_err());
        let mut a = activity();
        a.avg_hr_bpm = Some(f64::NAN);
        assert!(a.validate().is_err());
        let mut a = activity();
        a.streams = Some(Streams {
            time_s: vec![0.0, 1.0, 0.5],
            ..Streams::default()
        });
        assert!(a.validate().is_err());
        let mut a = activity();
        a.streams = Some(Streams {
            time_s: vec![0.0, 1.0],
            power: Some(vec![Some(100.0)]),
            ..Streams::default()
        });
        assert!(a.validate().is_err());
        assert!(activity().validate().is_ok());
    }

    #[test]
    fn session_rpe_is_rpe_times_moving_minutes() {
        let mut a = activity();
        assert_eq!(a.session_rpe(), None);
        a.rpe = Some(6.5);
        // An hour elapsed: 390.
        assert_eq!(a.session_rpe(), Some(390.0));
        // Moving time counts when known, as GoldenCheetah's time_riding does.
        a.moving_s = Some(2700.0);
        assert_eq!(a.session_rpe(), Some(292.5));
        a.rpe = Some(0.0);
        assert_eq!(a.session_rpe(), Some(0.0));
        for bad in [-0.5, 10.5, f64::NAN] {
            a.rpe = Some(bad);
            assert_eq!(
                a.validate(),
                Err(Error::invalid(
                    "rpe",
                    format!("{bad} is not on the 0–10 scale")
                ))
            );
        }
    }

    #[test]
    fn json_round_trip() {
        let mut a = activity();
        a.streams = Some(Streams {
            time_s: vec![0.0, 1.0],
            heart_rate: Some(vec![Some(120.0), None]),
            position: Some(vec![
                Some(LatLon {
                    lat: 52.5,
                    lon: 13.4,
                }),
                None,
            ]),
            ..Streams::default()
        });
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Activity>(&json).unwrap(), a);
    }
}
