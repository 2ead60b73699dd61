//! TCX (Garmin Training Center): each `<Activity>` becomes an activity, with the figures
//! python-tcxparser reports for the file:
//!
//! - start: the first lap's `StartTime` (else the `Id`); elapsed time: first to last trackpoint;
//! - moving time: the laps' `TotalTimeSeconds` summed (the device's timer time);
//! - distance: the last trackpoint's `DistanceMeters` (the device's running total), else the laps'
//!   distances summed;
//! - calories: the laps' sum; climb: the rises between consecutive altitudes, unsmoothed;
//! - heart rate: mean and maximum of the trackpoints' values (tcxparser truncates the mean to an
//!   integer; pa keeps it exact); power from the `TPX` extension's `Watts`, speed from `Speed`.

use pa_core::fitness::{Activity, Lap, LatLon, Sport};
use pa_core::ids::ActivityId;
use pa_core::time::ZonedInstant;

use super::gpx::parse_time;
use super::xml::{self, Element};
use super::{ImportOptions, Parsed, activity_ref};
use crate::error::{Error, Result};
use pa_core::fitness::track::TrackPoint;

fn number(e: &Element, path: &[&str]) -> Option<f64> {
    e.text_at(path)
        .and_then(|t| t.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

fn sport(name: Option<&str>) -> Sport {
    match name.map(str::to_ascii_lowercase).as_deref() {
        Some("running") => Sport::Run,
        Some("biking") => Sport::Ride,
        Some(other) => other.parse().unwrap_or(Sport::Other),
        None => Sport::Other,
    }
}

fn trackpoint(tp: &Element) -> TrackPoint {
    let position = match (
        number(tp, &["Position", "LatitudeDegrees"]),
        number(tp, &["Position", "LongitudeDegrees"]),
    ) {
        (Some(lat), Some(lon)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => {
            Some(LatLon { lat, lon })
        }
        _ => None,
    };
    let tpx = tp.child("Extensions").and_then(|e| e.child("TPX"));
    TrackPoint {
        time: tp.text_at(&["Time"]).and_then(parse_time),
        position,
        elevation: number(tp, &["AltitudeMeters"]),
        heart_rate: number(tp, &["HeartRateBpm", "Value"]),
        cadence: number(tp, &["Cadence"]).or_else(|| tpx.and_then(|t| number(t, &["RunCadence"]))),
        power: tpx.and_then(|t| number(t, &["Watts"])),
        speed: tpx.and_then(|t| number(t, &["Speed"])),
        // TCX has no temperature.
        temperature: None,
    }
}

/// Reads a TCX file's activities, their starts in `options.zone`.
pub fn read(bytes: &[u8], source: &str, options: &ImportOptions) -> Result<Parsed> {
    let root = xml::parse(bytes, source)?;
    if root.name != "TrainingCenterDatabase" {
        return Err(Error::parse(
            source,
            None,
            format!(
                "the root element is <{}>, not <TrainingCenterDatabase>",
                root.name
            ),
        ));
    }
    let mut parsed = Parsed::default();
    let Some(activities) = root.child("Activities") else {
        parsed.skip(
            "the file",
            "it has no activities (courses and workouts are plans)",
        );
        return Ok(parsed);
    };
    for (i, act) in activities.children("Activity").enumerate() {
        let what = format!(
            "activity {} ({})",
            i + 1,
            act.text_at(&["Id"]).unwrap_or("no id")
        );
        let laps: Vec<&Element> = act.children("Lap").collect();
        let mut points: Vec<TrackPoint> = Vec::new();
        let mut distances: Vec<f64> = Vec::new();
        for lap in &laps {
            for track in lap.children("Track") {
                for tp in track.children("Trackpoint") {
                    points.push(trackpoint(tp));
                    if let Some(d) = number(tp, &["DistanceMeters"]) {
                        distances.push(d);
                    }
                }
            }
        }
        let start = laps
            .first()
            .and_then(|l| l.attr("StartTime"))
            .and_then(parse_time)
            .or_else(|| act.text_at(&["Id"]).and_then(parse_time));
        let Some(start) = start else {
            parsed.skip(what, "it has no start time");
            continue;
        };
        let timed: Vec<_> = points.iter().filter_map(|p| p.time).collect();
        let last = timed.iter().max().copied().unwrap_or(start);
        let lap_time: f64 = laps
            .iter()
            .filter_map(|l| number(l, &["TotalTimeSeconds"]))
            .sum();
        let elapsed = ((last - start).num_milliseconds() as f64 / 1000.0).max(lap_time);
        let external = activity_ref(start)?;
        let mut a = Activity::new(
            ActivityId::new(external.external_id())?,
            sport(act.attr("Sport")),
            ZonedInstant::new(start, options.zone),
            elapsed,
        );
        a.external = Some(external);
        a.name = act.text_at(&["Notes"]).map(str::to_owned);
        a.moving_s = (lap_time > 0.0).then_some(lap_time);
        a.distance_m = distances.last().copied().or_else(|| {
            let sum: f64 = laps
                .iter()
                .filter_map(|l| number(l, &["DistanceMeters"]))
                .sum();
            (sum > 0.0).then_some(sum)
        });
        let calories: f64 = laps.iter().filter_map(|l| number(l, &["Calories"])).sum();
        a.calories_kcal = (calories > 0.0).then_some(calories);
        let altitudes: Vec<f64> = points.iter().filter_map(|p| p.elevation).collect();
        a.elevation_gain_m = (!altitudes.is_empty())
            .then(|| altitudes.windows(2).map(|w| (w[1] - w[0]).max(0.0)).sum());
        a.device = act.text_at(&["Creator", "Name"]).map(str::to_owned);
        a.laps = laps
            .iter()
            .map(|l| {
                let at = l.attr("StartTime").and_then(parse_time).unwrap_or(start);
                let seconds = number(l, &["TotalTimeSeconds"]).unwrap_or(0.0);
                let mut lap = Lap::new((at - start).num_milliseconds() as f64 / 1000.0, seconds);
                lap.moving_s = Some(seconds);
                lap.distance_m = number(l, &["DistanceMeters"]);
                lap.calories_kcal = number(l, &["Calories"]);
                lap.avg_hr_bpm = number(l, &["AverageHeartRateBpm", "Value"]);
                lap.max_hr_bpm = number(l, &["MaximumHeartRateBpm", "Value"]);
                lap
            })
            .collect();
        parsed.finish_activity(what, a, &points, start, options);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"<?xml version="1.0"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
    xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
  <Activities><Activity Sport="Biking"><Id>2026-03-01T07:00:00Z</Id>
    <Lap StartTime="2026-03-01T07:00:00Z"><TotalTimeSeconds>50</TotalTimeSeconds>
      <DistanceMeters>400</DistanceMeters><Calories>20</Calories><Track>
      <Trackpoint><Time>2026-03-01T07:00:00Z</Time><AltitudeMeters>100</AltitudeMeters>
        <DistanceMeters>0</DistanceMeters><HeartRateBpm><Value>120</Value></HeartRateBpm>
        <Extensions><ns3:TPX><ns3:Watts>200</ns3:Watts></ns3:TPX></Extensions></Trackpoint>
      <Trackpoint><Time>2026-03-01T07:01:00Z</Time><AltitudeMeters>104</AltitudeMeters>
        <DistanceMeters>390.5</DistanceMeters><HeartRateBpm><Value>131</Value></HeartRateBpm>
        <Extensions><ns3:TPX><ns3:Watts>220</ns3:Watts></ns3:TPX></Extensions></Trackpoint>
    </Track></Lap></Activity></Activities>
</TrainingCenterDatabase>"#;

    #[test]
    fn an_activity_with_laps_and_extensions() {
        let p = read(SMALL.as_bytes(), "ride.tcx", &ImportOptions::default()).unwrap();
        let a = &p.batch.activities[0];
        assert_eq!(a.sport, Sport::Ride);
        assert_eq!(a.elapsed_s, 60.0);
        assert_eq!(a.moving_s, Some(50.0));
        assert_eq!(
            a.distance_m,
            Some(390.5),
            "the last trackpoint's running total"
        );
        assert_eq!(a.calories_kcal, Some(20.0));
        assert_eq!(a.elevation_gain_m, Some(4.0));
        assert_eq!(a.avg_hr_bpm, Some(125.5));
        assert_eq!(a.avg_power_w, Some(210.0));
        assert_eq!(a.streams.as_ref().unwrap().power.as_ref().unwrap().len(), 2);
    }

    #[test]
    fn not_tcx_is_a_parse_error() {
        assert!(matches!(
            read(b"<gpx/>", "x.tcx", &ImportOptions::default()),
            Err(Error::Parse { .. })
        ));
        let empty = read(
            b"<TrainingCenterDatabase/>",
            "x.tcx",
            &ImportOptions::default(),
        )
        .unwrap();
        assert!(empty.batch.activities.is_empty());
        assert_eq!(empty.skipped.len(), 1);
    }
}
