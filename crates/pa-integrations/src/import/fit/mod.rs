//! FIT activity files (Garmin, Wahoo, COROS…), decoded by the `decode` module: each session
//! becomes an activity with the session's totals, its records (1 Hz or smart recording) as
//! streams, and normalized power (Coggan) computed from the power stream. Multisport files give
//! one activity per sport; transition sessions are skipped. Chained files (several FIT files
//! back to back) are read whole. Developer fields are ignored without failing.
//!
//! A truncated file or one whose CRC fails is refused with a parse error and nothing is imported,
//! even when the data before the damage is whole: a partial activity would be silently wrong
//! (missing the end of a ride) and re-importing the repaired file would then update it.
//!
//! Why a decoder of our own: fitparser (the maintained Rust FIT crate) is correct but builds every
//! field of every message by name, 65 ms for a 1 MB file, and prints to stderr on malformed field
//! definitions; pa reads two messages. The decoder is checked against fitparser on every shared
//! fixture (the test below) and against fitdecode by `scripts/test`.

mod decode;

use pa_core::fitness::load::{NpConvention, normalized_power};
use pa_core::fitness::track::TrackPoint;
use pa_core::fitness::{Activity, LatLon, Sport, Streams};
use pa_core::ids::ActivityId;
use pa_core::time::ZonedInstant;

use super::{ImportOptions, Parsed, activity_ref};
use crate::error::{Error, Result};
use decode::{Record, decode, manufacturer_name, sport_name};

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

fn point(r: &Record) -> Option<TrackPoint> {
    let t = r.timestamp?;
    let position = match (r.position_lat, r.position_long) {
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
        elevation: r.altitude,
        heart_rate: r.heart_rate.filter(|hr| *hr > 0.0),
        cadence: r.cadence,
        power: r.power,
        speed: r.speed,
        temperature: r.temperature,
    })
}

/// Reads a FIT file's sessions as activities, their starts in `options.zone`.
pub fn read(bytes: &[u8], source: &str, options: &ImportOptions) -> Result<Parsed> {
    if bytes.len() < 12 {
        return Err(Error::parse(source, None, "too short to be a FIT file"));
    }
    let decoded = decode(bytes)
        .map_err(|e| Error::parse(source, None, format!("not a readable FIT file: {e}")))?;
    let mut parsed = Parsed::default();
    // Sized up front: collected through a filter, the vectors would grow by doubling, copying
    // and touching fresh memory each time (24,239 samples in the 1 MB multisport file).
    let mut records: Vec<TrackPoint> = Vec::with_capacity(decoded.records.len());
    records.extend(decoded.records.iter().filter_map(point));
    drop(decoded.records);
    let sessions = &decoded.sessions;
    let d = &decoded.device;
    let device = d.product_name.clone().or_else(|| {
        d.manufacturer.map(|m| match d.product {
            Some(p) => format!("{} {p}", manufacturer_name(m)),
            None => manufacturer_name(m),
        })
    });
    if sessions.is_empty() {
        parsed.skip("the file", "it has no sessions (not an activity file)");
        return Ok(parsed);
    }
    for (i, s) in sessions.iter().enumerate() {
        let sport_name = s.sport.map(sport_name);
        let what = format!(
            "session {} ({})",
            i + 1,
            sport_name.as_deref().unwrap_or("?")
        );
        if sport_name.as_deref() == Some("transition") {
            parsed.skip(what, "a transition between sports");
            continue;
        }
        let Some(start) = s.start_time else {
            parsed.skip(what, "it has no start time");
            continue;
        };
        let elapsed = s.total_elapsed_time.unwrap_or(0.0);
        let end = start + chrono::Duration::milliseconds((elapsed * 1000.0) as i64);
        let inside = |p: &&TrackPoint| p.time.is_some_and(|t| t >= start && t <= end);
        let mut pts: Vec<TrackPoint> = Vec::with_capacity(records.iter().filter(inside).count());
        pts.extend(records.iter().filter(inside).copied());
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
        a.moving_s = s.total_timer_time.map(|m| m.min(elapsed));
        a.distance_m = s.total_distance;
        a.elevation_gain_m = s.total_ascent;
        a.calories_kcal = s.total_calories;
        a.avg_hr_bpm = s.avg_heart_rate;
        a.max_hr_bpm = s.max_heart_rate;
        a.avg_power_w = s.avg_power;
        a.device.clone_from(&device);
        // The session's laps: those that start within it.
        a.laps = decoded
            .laps
            .iter()
            .filter_map(|l| {
                let t = l.start_time?;
                (t >= start && t < end.max(start + chrono::Duration::seconds(1))).then(|| {
                    let mut lap = pa_core::fitness::Lap::new(
                        (t - start).num_milliseconds() as f64 / 1000.0,
                        l.total_elapsed_time.unwrap_or(0.0),
                    );
                    lap.moving_s = l.total_timer_time;
                    lap.distance_m = l.total_distance;
                    lap.avg_hr_bpm = l.avg_heart_rate;
                    lap.max_hr_bpm = l.max_heart_rate;
                    lap.avg_power_w = l.avg_power;
                    lap.elevation_gain_m = l.total_ascent;
                    lap.calories_kcal = l.total_calories;
                    lap
                })
            })
            .collect();
        // Normalized power as recorded, else from the power samples (Coggan).
        let power: Vec<Option<f64>> = pts.iter().map(|p| p.power).collect();
        a.normalized_power_w = s.normalized_power.or_else(|| {
            power
                .iter()
                .any(Option::is_some)
                .then(|| normalized_power(&Streams::dense(&power), NpConvention::Coggan))
                .flatten()
        });
        parsed.finish_activity(what, a, &pts, start, options);
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

    /// The decoder reads what fitparser reads, on every shared FIT fixture: each session's and
    /// each record's fields, and the same refusals (skipped when the fixtures are absent).
    #[test]
    fn the_decoder_agrees_with_fitparser() {
        use fitparser::{FitDataRecord, Value, profile::MesgNum};
        let Some(dir) = crate::import::shared_fixtures("fit") else {
            return;
        };
        fn num(r: &FitDataRecord, names: &[&str]) -> Option<f64> {
            names.iter().find_map(|n| {
                r.fields()
                    .iter()
                    .find(|f| f.name() == *n)
                    .and_then(|f| f.value().clone().try_into().ok())
                    .filter(|v: &f64| v.is_finite())
            })
        }
        fn time(r: &FitDataRecord, name: &str) -> Option<chrono::DateTime<chrono::Utc>> {
            r.fields()
                .iter()
                .find(|f| f.name() == name)
                .and_then(|f| match f.value() {
                    Value::Timestamp(t) => Some(t.to_utc()),
                    _ => None,
                })
        }
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "fit") {
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            let name = path.display().to_string();
            let theirs = fitparser::de::from_bytes(&bytes);
            let ours = decode(&bytes);
            let (Ok(theirs), Ok(ours)) = (&theirs, &ours) else {
                assert_eq!(theirs.is_ok(), ours.is_ok(), "{name}: {ours:?}");
                continue;
            };
            let records: Vec<Record> = theirs
                .iter()
                .filter(|m| m.kind() == MesgNum::Record)
                .map(|r| Record {
                    timestamp: time(r, "timestamp"),
                    position_lat: num(r, &["position_lat"]),
                    position_long: num(r, &["position_long"]),
                    altitude: num(r, &["enhanced_altitude", "altitude"]),
                    heart_rate: num(r, &["heart_rate"]),
                    cadence: num(r, &["cadence"]),
                    power: num(r, &["power"]),
                    speed: num(r, &["enhanced_speed", "speed"]),
                    temperature: num(r, &["temperature"]),
                })
                .collect();
            assert_eq!(records.len(), ours.records.len(), "{name}");
            for (i, (a, b)) in records.iter().zip(&ours.records).enumerate() {
                let close = |x: Option<f64>, y: Option<f64>| match (x, y) {
                    (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                    (x, y) => x.is_none() && y.is_none(),
                };
                let same = a.timestamp == b.timestamp
                    && close(a.position_lat, b.position_lat)
                    && close(a.position_long, b.position_long)
                    && close(a.altitude, b.altitude)
                    && close(a.heart_rate, b.heart_rate)
                    && close(a.cadence, b.cadence)
                    && close(a.power, b.power)
                    && close(a.speed, b.speed)
                    && close(a.temperature, b.temperature);
                assert!(same, "{name} record {i}: fitparser {a:?}, ours {b:?}");
            }
            let sessions: Vec<&FitDataRecord> = theirs
                .iter()
                .filter(|m| m.kind() == MesgNum::Session)
                .collect();
            assert_eq!(sessions.len(), ours.sessions.len(), "{name}");
            for (s, o) in sessions.iter().zip(&ours.sessions) {
                assert_eq!(time(s, "start_time"), o.start_time, "{name}");
                for (field, mine) in [
                    ("total_elapsed_time", o.total_elapsed_time),
                    ("total_timer_time", o.total_timer_time),
                    ("total_distance", o.total_distance),
                    ("total_calories", o.total_calories),
                    ("avg_heart_rate", o.avg_heart_rate),
                    ("max_heart_rate", o.max_heart_rate),
                    ("avg_power", o.avg_power),
                    ("total_ascent", o.total_ascent),
                    ("normalized_power", o.normalized_power),
                ] {
                    let theirs = num(s, &[field]);
                    let same = match (theirs, mine) {
                        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                        (x, y) => x.is_none() && y.is_none(),
                    };
                    assert!(
                        same,
                        "{name} session {field}: fitparser {theirs:?}, ours {mine:?}"
                    );
                }
                let sport = s
                    .fields()
                    .iter()
                    .find(|f| f.name() == "sport")
                    .map(|f| f.value().to_string());
                assert_eq!(sport, o.sport.map(sport_name), "{name}");
            }
        }
        assert!(files >= 10);
    }
}
