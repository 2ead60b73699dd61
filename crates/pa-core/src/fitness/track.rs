//! Recorded tracks (points with time, position, elevation and sensor values, as GPX, TCX and FIT
//! files hold them) and the figures computed from them by gpxpy's rules, so that pa and gpxpy
//! report the same distance, moving time, climb and duration for a file:
//!
//! - **Distance between two points**: an equirectangular approximation (latitude difference and
//!   longitude difference scaled by the cosine of the later point's latitude, times the length of one
//!   degree on the WGS84 equator, 2π·6,378,137 m / 360); haversine when the points are more than
//!   0.2° apart in latitude or longitude. In 3-D, the elevation difference is added by
//!   Pythagoras when both elevations are known and differ.
//! - **Length** (`distance_m`): the 2-D distances summed within each segment (never across the gap
//!   between segments).
//! - **Moving time**: within each segment, each step between two timed points with a non-zero
//!   distance (3-D when both elevations are non-zero, as gpxpy tests them, else 2-D) counts as
//!   moving when its speed is above 1 km/h, else as stopped; steps of zero distance count as
//!   neither.
//! - **Climb** (`elevation_gain_m`): per segment, the known elevations smoothed with weights
//!   0.3/0.4/0.3 (the first and last unsmoothed), then the rises summed.
//! - **Duration** (`elapsed_s`): per segment, last time − first time (the second or second-to-last
//!   point when an end lacks a time), summed over segments.

use super::{LatLon, Streams};
use chrono::{DateTime, Utc};

/// One recorded point.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TrackPoint {
    /// When.
    pub time: Option<DateTime<Utc>>,
    /// Latitude and longitude, when the point has a position.
    pub position: Option<LatLon>,
    /// Elevation, metres.
    pub elevation: Option<f64>,
    /// Heart rate, bpm.
    pub heart_rate: Option<f64>,
    /// Cadence, rpm.
    pub cadence: Option<f64>,
    /// Power, W.
    pub power: Option<f64>,
    /// Speed, m/s.
    pub speed: Option<f64>,
    /// Temperature, °C.
    pub temperature: Option<f64>,
}

/// WGS84 semi-major axis, metres.
const EARTH_RADIUS: f64 = 6_378_137.0;
/// Below this speed a step counts as stopped, km/h.
const STOPPED_KMH: f64 = 1.0;

fn one_degree() -> f64 {
    2.0 * std::f64::consts::PI * EARTH_RADIUS / 360.0
}

fn haversine(a: LatLon, b: LatLon) -> f64 {
    let d_lon = (a.lon - b.lon).to_radians();
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let d_lat = lat1 - lat2;
    let h = (d_lat / 2.0).sin().powi(2) + (d_lon / 2.0).sin().powi(2) * lat1.cos() * lat2.cos();
    EARTH_RADIUS * 2.0 * h.sqrt().asin()
}

/// The distance from `a` to `b` in metres, by the rule in the module docs.
pub fn distance(a: LatLon, ea: Option<f64>, b: LatLon, eb: Option<f64>) -> f64 {
    if (a.lat - b.lat).abs() > 0.2 || (a.lon - b.lon).abs() > 0.2 {
        return haversine(a, b);
    }
    let x = a.lat - b.lat;
    let y = (a.lon - b.lon) * a.lat.to_radians().cos();
    let flat = (x * x + y * y).sqrt() * one_degree();
    match (ea, eb) {
        (Some(e1), Some(e2)) if e1 != e2 => (flat * flat + (e1 - e2).powi(2)).sqrt(),
        _ => flat,
    }
}

/// Figures for a list of segments.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    /// 2-D length, metres.
    pub length_m: f64,
    /// Moving time, seconds.
    pub moving_s: f64,
    /// Stopped time, seconds.
    pub stopped_s: f64,
    /// Distance covered while moving, metres.
    pub moving_m: f64,
    /// Smoothed climb, metres.
    pub uphill_m: f64,
    /// Smoothed descent, metres.
    pub downhill_m: f64,
    /// Duration, seconds; `None` when a segment's ends have no time.
    pub duration_s: Option<f64>,
}

fn seconds(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_microseconds().map_or(0.0, |us| us as f64 / 1e6)
}

/// The figures of `segments` by gpxpy's rules.
pub fn figures(segments: &[Vec<TrackPoint>]) -> Figures {
    let mut f = Figures {
        duration_s: Some(0.0),
        ..Figures::default()
    };
    for seg in segments {
        for w in seg.windows(2) {
            let (p, q) = (w[0], w[1]);
            // gpxpy measures from the later point to the earlier one, which matters for the
            // cosine of the latitude.
            if let (Some(b), Some(a)) = (p.position, q.position) {
                f.length_m += distance(a, None, b, None);
                if let (Some(t0), Some(t1)) = (p.time, q.time) {
                    // gpxpy tests elevations for truth: 0 m counts as unknown here.
                    let both = p.elevation.is_some_and(|e| e != 0.0)
                        && q.elevation.is_some_and(|e| e != 0.0);
                    let d = if both {
                        distance(a, q.elevation, b, p.elevation)
                    } else {
                        distance(a, None, b, None)
                    };
                    let s = seconds(t0, t1);
                    if s > 0.0 && d != 0.0 {
                        let kmh = (d / 1000.0) / (s / 3600.0);
                        if kmh <= STOPPED_KMH {
                            f.stopped_s += s;
                        } else {
                            f.moving_s += s;
                            f.moving_m += d;
                        }
                    }
                }
            }
        }
        let (up, down) = climb(seg);
        f.uphill_m += up;
        f.downhill_m += down;
        f.duration_s = match (f.duration_s, segment_duration(seg)) {
            (Some(total), Some(d)) => Some(total + d),
            _ => None,
        };
    }
    f
}

fn segment_duration(seg: &[TrackPoint]) -> Option<f64> {
    if seg.len() < 2 {
        return Some(0.0);
    }
    let first = seg[0].time.or(seg[1].time)?;
    let last = seg[seg.len() - 1].time.or(seg[seg.len() - 2].time)?;
    (last >= first).then(|| seconds(first, last))
}

fn climb(seg: &[TrackPoint]) -> (f64, f64) {
    let e: Vec<f64> = seg.iter().filter_map(|p| p.elevation).collect();
    let n = e.len();
    let smooth = |i: usize| {
        if i > 0 && i + 1 < n {
            e[i - 1] * 0.3 + e[i] * 0.4 + e[i + 1] * 0.3
        } else {
            e[i]
        }
    };
    let (mut up, mut down) = (0.0, 0.0);
    for i in 1..n {
        let d = smooth(i) - smooth(i - 1);
        if d > 0.0 {
            up += d;
        } else {
            down -= d;
        }
    }
    (up, down)
}

/// The points as activity streams, seconds from `start`; points without a time are left out.
/// Channels no point has are `None`.
pub fn streams(points: &[TrackPoint], start: DateTime<Utc>) -> Option<Streams> {
    let timed: Vec<&TrackPoint> = points.iter().filter(|p| p.time.is_some()).collect();
    if timed.is_empty() {
        return None;
    }
    fn channel<T: Copy>(
        pts: &[&TrackPoint],
        f: impl Fn(&TrackPoint) -> Option<T>,
    ) -> Option<Vec<Option<T>>> {
        let v: Vec<Option<T>> = pts.iter().map(|p| f(p)).collect();
        v.iter().any(Option::is_some).then_some(v)
    }
    Some(Streams {
        time_s: timed
            .iter()
            .map(|p| p.time.map_or(0.0, |t| seconds(start, t)))
            .collect(),
        heart_rate: channel(&timed, |p| p.heart_rate),
        power: channel(&timed, |p| p.power),
        speed: channel(&timed, |p| p.speed),
        cadence: channel(&timed, |p| p.cadence),
        altitude: channel(&timed, |p| p.elevation),
        position: channel(&timed, |p| p.position),
        temperature: channel(&timed, |p| p.temperature),
    })
}

/// Mean and maximum of the values present.
pub fn mean_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (mut n, mut sum, mut max) = (0usize, 0.0, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        n += 1;
        sum += v;
        max = max.max(v);
    }
    (n > 0).then(|| (sum / n as f64, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(lat: f64, lon: f64, ele: Option<f64>, t: i64) -> TrackPoint {
        TrackPoint {
            time: DateTime::from_timestamp(t, 0),
            position: Some(LatLon { lat, lon }),
            elevation: ele,
            ..TrackPoint::default()
        }
    }

    #[test]
    fn distances_follow_the_documented_rule() {
        let a = LatLon { lat: 0.0, lon: 0.0 };
        let b = LatLon { lat: 0.0, lon: 0.1 };
        // On the equator, 0.1° of longitude is a tenth of one degree.
        assert!((distance(a, None, b, None) - one_degree() / 10.0).abs() < 1e-6);
        // 3-D adds the climb by Pythagoras; equal elevations change nothing.
        let flat = distance(a, None, b, None);
        assert!((distance(a, Some(0.0), b, Some(100.0)) - (flat * flat + 1e4).sqrt()).abs() < 1e-6);
        assert_eq!(distance(a, Some(5.0), b, Some(5.0)), flat);
        // Far apart: haversine (a quarter of the equator).
        let c = LatLon {
            lat: 0.0,
            lon: 90.0,
        };
        assert!(
            (distance(a, None, c, None) - EARTH_RADIUS * std::f64::consts::FRAC_PI_2).abs() < 1e-3
        );
    }

    #[test]
    fn moving_stopped_and_climb() {
        // 111 m in 10 s is moving; a step of 1 m in 60 s is stopped; equal points are neither.
        let seg = vec![
            pt(0.0, 0.0, Some(100.0), 0),
            pt(0.0, 0.001, Some(110.0), 10),
            pt(0.0, 0.001_009, Some(110.0), 70),
            pt(0.0, 0.001_009, Some(110.0), 80),
        ];
        let f = figures(std::slice::from_ref(&seg));
        assert_eq!(f.moving_s, 10.0);
        assert_eq!(f.stopped_s, 60.0);
        assert_eq!(f.duration_s, Some(80.0));
        // Smoothed: 100, 107, 110, 110 → climb 10.
        assert!((f.uphill_m - 10.0).abs() < 1e-9, "{}", f.uphill_m);
        // Two segments: the gap between them is not length.
        let far = vec![pt(1.0, 1.0, None, 100), pt(1.0, 1.001, None, 110)];
        let two = figures(&[seg, far]);
        assert!(two.length_m < 2.0 * f.length_m + 120.0);
        assert_eq!(two.duration_s, Some(90.0));
        let untimed = vec![
            pt(0.0, 0.0, None, 0),
            TrackPoint {
                time: None,
                ..pt(0.0, 0.1, None, 0)
            },
            TrackPoint {
                time: None,
                ..pt(0.0, 0.2, None, 0)
            },
        ];
        assert_eq!(figures(&[untimed]).duration_s, None);
    }
}
