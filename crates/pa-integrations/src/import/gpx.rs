//! GPX 1.0 and 1.1: each track (`<trk>`) with timed points becomes an activity, its figures
//! computed as gpxpy computes them (see [`pa_core::fitness::track`]). Garmin's TrackPointExtension (`hr`,
//! `cad`) and a `power` extension are read into the streams. Routes and waypoints are plans and
//! places, not activities: they are reported as skipped. A time without a zone is read as UTC,
//! as gpxpy does.

use chrono::{DateTime, NaiveDateTime, Utc};
use pa_core::fitness::{Activity, LatLon, Sport};
use pa_core::ids::ActivityId;
use pa_core::time::ZonedInstant;

use super::xml::{self, Element};
use super::{ImportOptions, Parsed, activity_ref};
use crate::error::{Error, Result};
use pa_core::fitness::track::{TrackPoint, figures};

/// A GPX time: RFC 3339, or without a zone (read as UTC).
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.to_utc())
        .ok()
        .or_else(|| {
            ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
                .map(|n| n.and_utc())
        })
}

fn number(e: &Element, name: &str) -> Option<f64> {
    e.text_at(&[name])
        .and_then(|t| t.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

/// The first number found in an element named one of `names` under `<extensions>`.
fn extension(pt: &Element, names: &[&str]) -> Option<f64> {
    let ext = pt.child("extensions")?;
    let mut found = Vec::new();
    for n in names {
        ext.descendants(n, &mut found);
    }
    found
        .iter()
        .find_map(|e| e.text.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

fn point(pt: &Element, source: &str) -> Result<TrackPoint> {
    let coord = |name: &str, range: f64| -> Result<f64> {
        pt.attr(name)
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite() && v.abs() <= range)
            .ok_or_else(|| {
                Error::parse(
                    source,
                    None,
                    format!("a track point has no valid {name} ({:?})", pt.attr(name)),
                )
            })
    };
    Ok(TrackPoint {
        time: pt.text_at(&["time"]).and_then(parse_time),
        position: Some(LatLon {
            lat: coord("lat", 90.0)?,
            lon: coord("lon", 180.0)?,
        }),
        elevation: number(pt, "ele"),
        heart_rate: extension(pt, &["hr", "HeartRate", "heartrate"]),
        cadence: extension(pt, &["cad", "cadence", "RunCadence"]),
        power: extension(pt, &["power", "PowerInWatts", "Watts"]),
        speed: extension(pt, &["speed"]),
        temperature: extension(pt, &["atemp", "temp", "Temperature"]),
    })
}

/// Reads a GPX file's tracks as activities, their starts in `options.zone`.
pub fn read(bytes: &[u8], source: &str, options: &ImportOptions) -> Result<Parsed> {
    let root = xml::parse(bytes, source)?;
    if root.name != "gpx" {
        return Err(Error::parse(
            source,
            None,
            format!("the root element is <{}>, not <gpx>", root.name),
        ));
    }
    let mut parsed = Parsed::default();
    let routes = root.children("rte").count();
    if routes > 0 {
        parsed.skip(
            format!("{routes} route(s)"),
            "routes are plans, not activities",
        );
    }
    let waypoints = root.children("wpt").count();
    if waypoints > 0 {
        parsed.skip(
            format!("{waypoints} waypoint(s)"),
            "places are not imported",
        );
    }
    for (i, trk) in root.children("trk").enumerate() {
        let what = format!(
            "track {} ({})",
            i + 1,
            trk.text_at(&["name"]).unwrap_or("unnamed")
        );
        let mut segments = Vec::new();
        for seg in trk.children("trkseg") {
            let pts = seg
                .children("trkpt")
                .map(|p| point(p, source))
                .collect::<Result<Vec<_>>>()?;
            segments.push(pts);
        }
        let all: Vec<TrackPoint> = segments.iter().flatten().copied().collect();
        let Some(start) = all.iter().find_map(|p| p.time) else {
            parsed.skip(what, "its points have no times, so it has no start");
            continue;
        };
        let f = figures(&segments);
        let Some(elapsed) = f.duration_s else {
            parsed.skip(what, "a segment has no time at its ends");
            continue;
        };
        let sport = trk
            .text_at(&["type"])
            .and_then(|t| t.parse::<Sport>().ok())
            .unwrap_or(Sport::Other);
        let external = activity_ref(start)?;
        let mut a = Activity::new(
            ActivityId::new(external.external_id())?,
            sport,
            ZonedInstant::new(start, options.zone),
            elapsed,
        );
        a.external = Some(external);
        a.name = trk.text_at(&["name"]).map(str::to_owned);
        a.distance_m = Some(f.length_m);
        a.moving_s = Some(f.moving_s.min(elapsed));
        a.elevation_gain_m = Some(f.uphill_m);
        parsed.finish_activity(what, a, &all, start, options);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"<?xml version="1.0"?>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
  <wpt lat="1" lon="2"><name>Home</name></wpt>
  <trk><name>Morning &amp; run</name><type>running</type><trkseg>
    <trkpt lat="46.0" lon="14.0"><ele>300</ele><time>2026-03-01T07:00:00Z</time>
      <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>140</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>
    <trkpt lat="46.001" lon="14.0"><ele>310</ele><time>2026-03-01T07:00:30Z</time>
      <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>
  </trkseg></trk>
  <trk><name>No times</name><trkseg><trkpt lat="1" lon="1"/><trkpt lat="1" lon="1.1"/></trkseg></trk>
</gpx>"#;

    #[test]
    fn a_track_becomes_an_activity() {
        let p = read(SMALL.as_bytes(), "small.gpx", &ImportOptions::default()).unwrap();
        assert_eq!(p.batch.activities.len(), 1);
        let a = &p.batch.activities[0];
        assert_eq!(a.name.as_deref(), Some("Morning & run"));
        assert_eq!(a.sport, Sport::Run);
        assert_eq!(a.elapsed_s, 30.0);
        assert_eq!(a.avg_hr_bpm, Some(145.0));
        assert_eq!(a.max_hr_bpm, Some(150.0));
        // 0.001° of latitude.
        let d = a.distance_m.unwrap();
        assert!((d - 111.319_49).abs() < 0.01, "{d}");
        let s = a.streams.as_ref().unwrap();
        assert_eq!(s.time_s, vec![0.0, 30.0]);
        assert_eq!(s.cadence.as_ref().unwrap(), &vec![Some(85.0), None]);
        assert_eq!(
            a.external.as_ref().unwrap().external_id(),
            "activity/2026-03-01T07:00:00Z"
        );
        let reasons: Vec<&str> = p.skipped.iter().map(|s| s.what.as_str()).collect();
        assert_eq!(reasons, ["1 waypoint(s)", "track 2 (No times)"]);
    }

    #[test]
    fn bad_files_are_parse_errors() {
        for bad in [
            "<kml/>",
            "<gpx><trk><trkseg><trkpt lat=\"x\" lon=\"1\"/></trkseg></trk></gpx>",
            "<gpx><trk><trkseg><trkpt lat=\"91\" lon=\"1\"/></trkseg></trk></gpx>",
            "<gpx><trk>",
        ] {
            assert!(
                matches!(
                    read(bad.as_bytes(), "bad.gpx", &ImportOptions::default()),
                    Err(Error::Parse { .. })
                ),
                "{bad}"
            );
        }
    }
}
