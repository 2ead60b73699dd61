//! FIT activity files (Garmin, Wahoo, COROS…), decoded with the `fitparser` crate: each session
//! becomes an activity with the session's totals, its records (1 Hz or smart recording) as
//! streams, and normalized power (Coggan) computed from the power stream. Multisport files give
//! one activity per sport; transition sessions are skipped. Chained files (several FIT files
//! back to back) are read whole. Developer fields are ignored without failing.
//!
//! A truncated file or one whose CRC fails is refused with a parse error and nothing is imported,
//! even when the data before the damage is whole: a partial activity would be silently wrong
//! (missing the end of a ride) and re-importing the repaired file would then update it.
//!
//! `fitparser` is correct but slow (it builds every field of every message by name) and prints
//! to stderr on malformed field definitions; a lean decoder for the messages pa reads is the
//! planned replacement, behind this same function.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value};
use pa_core::fitness::load::{NpConvention, normalized_power};
use pa_core::fitness::{Activity, LatLon, Sport, Streams};
use pa_core::ids::ActivityId;
use pa_core::time::ZonedInstant;

use super::{ImportOptions, Parsed, activity_ref};
use crate::error::{Error, Result};
use pa_core::fitness::track::TrackPoint;

/// A field's value as a number.
fn num(r: &FitDataRecord, names: &[&str]) -> Option<f64> {
    names.iter().find_map(|n| {
        r.fields()
            .iter()
            .find(|f| f.name() == *n)
            .and_then(|f| f.value().clone().try_into().ok())
            .filter(|v: &f64| v.is_finite())
    })
}

fn time(r: &FitDataRecord, name: &str) -> Option<DateTime<Utc>> {
    r.fields()
        .iter()
        .find(|f| f.name() == name)
        .and_then(|f| match f.value() {
            Value::Timestamp(t) => Some(t.to_utc()),
            _ => None,
        })
}

fn text(r: &FitDataRecord, name: &str) -> Option<String> {
    r.fields()
        .iter()
        .find(|f| f.name() == name)
        .map(|f| match f.value() {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
}

fn sport(name: Option<&str>) -> Sport {
    match name {
        Some("cycling") => Sport::Ride,
        Some("training") => Sport::Strength,
        Some("rowing") => Sport::Row,
        Some(n) => n.parse().unwrap_or(Sport::Other),
        None => Sport::Other,
    }
}

/// Degrees from FIT semicircles.
fn degrees(semicircles: f64) -> f64 {
    semicircles * 180.0 / 2_147_483_648.0
}

fn point(r: &FitDataRecord) -> Option<TrackPoint> {
    let t = time(r, "timestamp")?;
    let position = match (num(r, &["position_lat"]), num(r, &["position_long"])) {
        (Some(lat), Some(lon)) => {
            let p = LatLon {
                lat: degrees(lat),
                lon: degrees(lon),
            };
            (p.lat.abs() <= 90.0 && p.lon.abs() <= 180.0).then_some(p)
        }
        _ => None,
    };
    Some(TrackPoint {
        time: Some(t),
        position,
        elevation: num(r, &["enhanced_altitude", "altitude"]),
        heart_rate: num(r, &["heart_rate"]).filter(|hr| *hr > 0.0),
        cadence: num(r, &["cadence"]),
        power: num(r, &["power"]),
        speed: num(r, &["enhanced_speed", "speed"]),
    })
}

/// Reads a FIT file's sessions as activities, their starts in `options.zone`.
pub fn read(bytes: &[u8], source: &str, options: &ImportOptions) -> Result<Parsed> {
    if bytes.len() < 12 {
        return Err(Error::parse(source, None, "too short to be a FIT file"));
    }
    let decode_options: HashSet<fitparser::de::DecodeOption> = HashSet::new();
    let messages = fitparser::de::from_bytes_with_options(bytes, &decode_options)
        .map_err(|e| Error::parse(source, None, format!("not a readable FIT file: {e}")))?;
    let mut parsed = Parsed::default();
    let records: Vec<TrackPoint> = messages
        .iter()
        .filter(|m| m.kind() == MesgNum::Record)
        .filter_map(point)
        .collect();
    let sessions: Vec<&FitDataRecord> = messages
        .iter()
        .filter(|m| m.kind() == MesgNum::Session)
        .collect();
    if sessions.is_empty() {
        parsed.skip("the file", "it has no sessions (not an activity file)");
        return Ok(parsed);
    }
    for (i, s) in sessions.iter().enumerate() {
        let sport_name = text(s, "sport");
        let what = format!(
            "session {} ({})",
            i + 1,
            sport_name.as_deref().unwrap_or("?")
        );
        if sport_name.as_deref() == Some("transition") {
            parsed.skip(what, "a transition between sports");
            continue;
        }
        let Some(start) = time(s, "start_time") else {
            parsed.skip(what, "it has no start time");
            continue;
        };
        let elapsed = num(s, &["total_elapsed_time"]).unwrap_or(0.0);
        let end = start + chrono::Duration::milliseconds((elapsed * 1000.0) as i64);
        let mut pts: Vec<TrackPoint> = records
            .iter()
            .filter(|p| p.time.is_some_and(|t| t >= start && t <= end))
            .copied()
            .collect();
        // Devices sometimes step their clock back mid-activity (a GPS time fix): keep every
        // record, in time order, and say so.
        if pts.windows(2).any(|w| w[1].time < w[0].time) {
            pts.sort_by_key(|p| p.time);
            parsed.warnings.push(format!(
                "{what}: records out of time order were put in order"
            ));
        }
        let external = activity_ref(start)?;
        let mut a = Activity::new(
            ActivityId::new(external.external_id())?,
            sport(sport_name.as_deref()),
            ZonedInstant::new(start, options.zone),
            elapsed,
        );
        a.external = Some(external);
        a.moving_s = num(s, &["total_timer_time"]).map(|m| m.min(elapsed));
        a.distance_m = num(s, &["total_distance"]);
        a.elevation_gain_m = num(s, &["total_ascent"]);
        a.calories_kcal = num(s, &["total_calories"]);
        a.avg_hr_bpm = num(s, &["avg_heart_rate"]);
        a.max_hr_bpm = num(s, &["max_heart_rate"]);
        a.avg_power_w = num(s, &["avg_power"]);
        // Normalized power as recorded, else from the power samples (Coggan).
        let power: Vec<Option<f64>> = pts.iter().map(|p| p.power).collect();
        a.normalized_power_w = num(s, &["normalized_power"]).or_else(|| {
            power
                .iter()
                .any(Option::is_some)
                .then(|| normalized_power(&Streams::dense(&power), NpConvention::Coggan))
                .flatten()
        });
        parsed.finish_activity(what, a, &pts, start);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_empty_input_are_parse_errors() {
        for bad in [
            &b""[..],
            b"not a fit file at all",
            &[14, 16, 0, 0, 0, 0, 0, 0, 46, 70, 73, 84],
        ] {
            assert!(
                matches!(
                    read(bad, "x.fit", &ImportOptions::default()),
                    Err(Error::Parse { .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(degrees(2_147_483_648.0), 180.0);
        assert_eq!(sport(Some("cycling")), Sport::Ride);
        assert_eq!(sport(Some("running")), Sport::Run);
        assert_eq!(sport(Some("e_biking?")), Sport::Other);
    }
}
