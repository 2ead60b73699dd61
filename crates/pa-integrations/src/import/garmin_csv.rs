//! The activities list Garmin Connect exports as CSV (Activities → Export CSV): one summary row per
//! activity. Garmin writes values in the account's units without saying which, so
//! [`ImportOptions::units`] says: metric (km, m, m for pool swims) or statute (mi, ft, yd for
//! swims). Times are `h:mm:ss` (a decimal part allowed), `--` is "no value", and numbers may carry
//! a thousands comma. The start is wall-clock in [`ImportOptions::zone`].
//!
//! A row becomes an activity identified like one read from a file (`file` /
//! `activity/<start>`), so an activity imported later from its FIT file replaces the summary with
//! the full record; the CLI does not let a summary overwrite an activity already stored.

use chrono::NaiveDateTime;
use pa_core::fitness::{Activity, Sport};
use pa_core::ids::ActivityId;
use pa_core::time::ZonedInstant;

use super::csv_table::Table;
use super::{ImportOptions, Parsed, activity_ref};
use crate::error::Result;

/// Whether `bytes` looks like Garmin's activities CSV (by its header).
pub fn looks_like(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(2048)];
    let text = String::from_utf8_lossy(head);
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or_default();
    first.starts_with("Activity Type,") && first.contains(",Date,") && first.contains(",Time")
}

const COLUMNS: [&str; 12] = [
    "Activity Type",
    "Date",
    "Time",
    "Title",
    "Distance",
    "Calories",
    "Avg HR",
    "Max HR",
    "Total Ascent",
    "Avg Power",
    "Moving Time",
    "Elapsed Time",
];

/// Reads the export.
pub fn read(bytes: &[u8], name: &str, options: &ImportOptions) -> Result<Parsed> {
    let table = Table::read(bytes, name, &COLUMNS[..3], &COLUMNS[3..])?;
    let mut parsed = Parsed::default();
    for row in table.rows() {
        let kind = row.get(0);
        let number = |i: usize, what: &str| -> Result<Option<f64>> {
            let t = row.get(i).replace(',', "");
            if t.is_empty() || t == "--" {
                return Ok(None);
            }
            t.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(Some)
                .ok_or_else(|| row.error(format!("{what} '{}' is not a number", row.get(i))))
        };
        let duration = |i: usize, what: &str| -> Result<Option<f64>> {
            let t = row.get(i);
            if t.is_empty() || t == "--" {
                return Ok(None);
            }
            seconds(t)
                .map(Some)
                .ok_or_else(|| row.error(format!("{what} '{t}' is not h:mm:ss")))
        };
        let local = NaiveDateTime::parse_from_str(row.get(1), "%Y-%m-%d %H:%M:%S")
            .map_err(|_| row.error(format!("Date '{}' is not YYYY-MM-DD HH:MM:SS", row.get(1))))?;
        let start = ZonedInstant::from_local(local, options.zone).map_err(|e| row.core(e))?;
        let Some(elapsed) = duration(11, "Elapsed Time")?.or(duration(2, "Time")?) else {
            parsed.skip(format!("line {}", row.line), "no duration");
            continue;
        };
        let sport = sport(kind);
        let external = activity_ref(start.utc)?;
        let mut a = Activity::new(
            ActivityId::new(external.external_id()).map_err(|e| row.core(e))?,
            sport,
            start,
            elapsed,
        );
        a.external = Some(external);
        a.name = Some(row.get(3).to_owned()).filter(|t| !t.is_empty());
        a.moving_s = duration(10, "Moving Time")?;
        let (long, short) = (options.units.long_m(), options.units.short_m());
        // Pool and open-water swims are written in metres or yards, everything else in km or mi.
        a.distance_m = number(4, "Distance")?.map(|d| {
            if sport == Sport::Swim {
                d * short
            } else {
                d * long
            }
        });
        a.calories_kcal = number(5, "Calories")?;
        a.avg_hr_bpm = number(6, "Avg HR")?;
        a.max_hr_bpm = number(7, "Max HR")?;
        a.elevation_gain_m = number(8, "Total Ascent")?.map(|h| h * options.units.height_m());
        a.avg_power_w = number(9, "Avg Power")?;
        pa_core::fitness::load::score(&mut a, &options.thresholds).map_err(|e| row.core(e))?;
        match a.validate() {
            Ok(()) => parsed.batch.activities.push(a),
            Err(e) => parsed.skip(format!("line {}", row.line), e.to_string()),
        }
    }
    Ok(parsed)
}

/// `h:mm:ss`, `mm:ss` or either with a decimal part, in seconds.
fn seconds(t: &str) -> Option<f64> {
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut total = 0.0;
    for (i, p) in parts.iter().enumerate() {
        let v: f64 = p
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
        // Only the last part may have a fraction; minutes and seconds stay below 60.
        if i + 1 < parts.len() && p.contains('.') || (i > 0 && v >= 60.0) {
            return None;
        }
        total = total * 60.0 + v;
    }
    Some(total)
}

/// Garmin's activity type names ("Trail Running", "Indoor Cycling", "Pool Swim", …).
pub(crate) fn sport(kind: &str) -> Sport {
    let k = kind.to_ascii_lowercase();
    if let Ok(s) = k.replace(' ', "_").parse() {
        return s;
    }
    let has = |w: &[&str]| w.iter().any(|x| k.contains(x));
    if has(&["run"]) {
        Sport::Run
    } else if has(&["cycl", "bik", "ride"]) {
        Sport::Ride
    } else if has(&["swim"]) {
        Sport::Swim
    } else if has(&["walk"]) {
        Sport::Walk
    } else if has(&["hik"]) {
        Sport::Hike
    } else if has(&["row"]) {
        Sport::Row
    } else if has(&["ski", "snowboard"]) {
        Sport::Ski
    } else if has(&["strength", "weight"]) {
        Sport::Strength
    } else if has(&["yoga", "pilates"]) {
        Sport::Yoga
    } else {
        Sport::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "Activity Type,Date,Favorite,Title,Distance,Calories,Time,Avg HR,Max HR,Aerobic TE,Total Ascent,Avg Power,Moving Time,Elapsed Time\n\
Trail Running,2026-03-01 07:00:00,false,Morning Trail,10.02,\"1,024\",00:52:13,152,171,3.1,312,--,00:50:01.5,00:53:00\n\
Pool Swim,2026-03-02 18:30:00,false,Pool,\"1,500\",410,00:31:10,128,150,2.0,--,--,--,--\n\
Indoor Cycling,2026-03-03 06:15:00,false,Zwift,30.5,650,01:00:00,140,165,3.5,0,210,--,--\n";

    #[test]
    fn summaries_become_activities_in_the_units_given() {
        let zone = "Europe/Berlin".parse().unwrap();
        let p = read(
            FILE.as_bytes(),
            "Activities.csv",
            &ImportOptions {
                zone,
                ..ImportOptions::default()
            },
        )
        .unwrap();
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        let a = &p.batch.activities;
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].sport, Sport::Run);
        assert_eq!(a[0].start.utc.to_rfc3339(), "2026-03-01T06:00:00+00:00");
        assert_eq!(a[0].elapsed_s, 53.0 * 60.0);
        assert_eq!(a[0].moving_s, Some(50.0 * 60.0 + 1.5));
        assert_eq!(a[0].distance_m, Some(10_020.0));
        assert_eq!(a[0].calories_kcal, Some(1024.0));
        assert_eq!(a[0].elevation_gain_m, Some(312.0));
        assert_eq!(a[1].sport, Sport::Swim);
        assert_eq!(a[1].distance_m, Some(1500.0));
        assert_eq!(a[1].elapsed_s, 31.0 * 60.0 + 10.0);
        assert_eq!(a[2].sport, Sport::Ride);
        assert_eq!(a[2].avg_power_w, Some(210.0));
        let statute = read(
            FILE.as_bytes(),
            "a.csv",
            &ImportOptions {
                zone,
                units: pa_core::ports::Units::Statute,
                ..ImportOptions::default()
            },
        )
        .unwrap();
        let d = statute.batch.activities[0].distance_m.unwrap();
        assert!((d - 10.02 * 1609.344).abs() < 1e-6);
        assert!(looks_like(FILE.as_bytes()));
        assert!(!looks_like(b"date,amount\n"));
    }

    #[test]
    fn bad_values_name_the_line() {
        let bad = FILE
            .replace("00:52:13", "52 minutes")
            .replace("00:53:00", "--");
        let err = read(bad.as_bytes(), "A.csv", &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("A.csv") && err.contains("line 2") && err.contains("52 minutes"),
            "{err}"
        );
        let bad = FILE.replace("2026-03-02 18:30:00", "yesterday");
        let err = read(bad.as_bytes(), "A.csv", &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("yesterday"), "{err}");
        for t in ["1:2:3:4", "", ":30", "1.5:00", "00:75", "-1:00"] {
            assert_eq!(seconds(t), None, "{t}");
        }
        assert_eq!(seconds("1:02:03.5"), Some(3723.5));
        assert_eq!(seconds("45:10"), Some(2710.0));
    }
}
