//! Garmin Connect's data export ("Export Your Data"), zipped or unpacked: activities from their
//! FIT files, daily health from the daily summaries, sleep and health-status files, and
//! weigh-ins. The layout read is documented in `docs/garmin.md`.
//!
//! Records get the keys the Garmin Connect source gives them — an activity's id is its start
//! instant (as for every activity file) and its reference `garmin:{activityId}` when the export's
//! activity summaries name it; a day of health is its day; a weigh-in its instant — so a person
//! can start from the archive and keep up with the API without duplicates.
//!
//! Archives are read within limits: at most [`MAX_ENTRIES`] entries and [`MAX_UNPACKED_BYTES`]
//! unpacked, one level of nested zip (Garmin puts the FIT files in zips of their own), and only
//! the files pa reads are unpacked at all.

use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;
use std::path::Path;

use chrono::{DateTime, Utc};
use pa_core::fitness::{Activity, BodyComposition, DailyHealth, Sleep};
use pa_core::ports::record::Doc;
use pa_core::time::{Day, ZonedInstant};
use serde_json::Value;

use super::{ImportOptions, Parsed};
use crate::error::{Error, Result};
use crate::providers::garmin::{activity_ids, epoch_ms, gmt, intensity_minutes, num, pos, score};

/// The most entries an archive (nested ones included) may hold.
pub const MAX_ENTRIES: usize = 200_000;
/// The most bytes the entries pa reads may unpack to.
pub const MAX_UNPACKED_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Whether `bytes` start like a zip archive.
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Whether `dir` is (or holds) an unpacked export.
pub fn looks_like_folder(dir: &Path) -> bool {
    dir.join("DI_CONNECT").is_dir() || dir.file_name().is_some_and(|n| n == "DI_CONNECT")
}

/// What a file of the export is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Fit,
    Zip,
    Summaries,
    DailySummaries,
    Sleep,
    HealthStatus,
    BioMetrics,
}

fn role(path: &str) -> Option<Role> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".fit") {
        Some(Role::Fit)
    } else if lower.ends_with(".zip") {
        Some(Role::Zip)
    } else if !lower.ends_with(".json") {
        None
    } else if name.ends_with("summarizedActivities.json") {
        Some(Role::Summaries)
    } else if name.starts_with("UDSFile") {
        Some(Role::DailySummaries)
    } else if name.ends_with("sleepData.json") {
        Some(Role::Sleep)
    } else if name.ends_with("healthStatusData.json") {
        Some(Role::HealthStatus)
    } else if name.ends_with("userBioMetrics.json") {
        Some(Role::BioMetrics)
    } else {
        None
    }
}

/// The files of an export pa reads, as (path, role, bytes).
#[derive(Default)]
struct Entries {
    files: Vec<(String, Role, Vec<u8>)>,
    count: usize,
    unpacked: u64,
}

impl Entries {
    fn budget(&mut self, source: &str, bytes: u64) -> Result<()> {
        self.count += 1;
        self.unpacked = self.unpacked.saturating_add(bytes);
        if self.count > MAX_ENTRIES || self.unpacked > MAX_UNPACKED_BYTES {
            return Err(Error::parse(
                source,
                None,
                format!(
                    "the archive holds more than {MAX_ENTRIES} entries or {} GB: not read",
                    MAX_UNPACKED_BYTES >> 30
                ),
            ));
        }
        Ok(())
    }

    fn zip(&mut self, bytes: &[u8], source: &str, nested: bool) -> Result<()> {
        let bad = |e: zip::result::ZipError| {
            Error::parse(source, None, format!("not a readable zip archive: {e}"))
        };
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(bad)?;
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(bad)?;
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().to_owned();
            let Some(r) = role(&name) else { continue };
            if r == Role::Zip && nested {
                continue;
            }
            let size = entry.size();
            self.budget(source, size)?;
            let mut data = Vec::with_capacity(usize::try_from(size.min(1 << 30)).unwrap_or(0));
            // Read no more than the entry says it holds.
            entry
                .by_ref()
                .take(size)
                .read_to_end(&mut data)
                .map_err(|e| Error::parse(source, None, format!("{name}: {e}")))?;
            drop(entry);
            if r == Role::Zip {
                self.zip(&data, &format!("{source}/{name}"), true)?;
            } else {
                self.files.push((name, r, data));
            }
        }
        Ok(())
    }

    fn folder(&mut self, dir: &Path, source: &str) -> Result<()> {
        let io = |path: &Path, source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            let mut listed: Vec<_> = std::fs::read_dir(&d)
                .map_err(|e| io(&d, e))?
                .filter_map(std::result::Result::ok)
                .map(|e| e.path())
                .collect();
            listed.sort();
            for path in listed {
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let name = path.to_string_lossy().into_owned();
                let Some(r) = role(&name) else { continue };
                let (bytes, _) = super::read_bytes(&path)?;
                self.budget(source, bytes.len() as u64)?;
                if r == Role::Zip {
                    self.zip(&bytes, &name, true)?;
                } else {
                    self.files.push((name, r, bytes));
                }
            }
        }
        Ok(())
    }
}

/// Reads a zipped export.
pub fn read_zip(bytes: &[u8], source: &str, options: &ImportOptions) -> Result<Parsed> {
    let mut e = Entries::default();
    e.zip(bytes, source, false)?;
    read_entries(e, source, options)
}

/// Reads an unpacked export (the folder holding `DI_CONNECT`, or `DI_CONNECT` itself).
pub fn read_folder(dir: &Path, options: &ImportOptions) -> Result<Parsed> {
    let source = dir.display().to_string();
    let mut e = Entries::default();
    e.folder(dir, &source)?;
    read_entries(e, &source, options)
}

/// A JSON file's list: a bare array, or the arrays of the objects of an array (Garmin wraps the
/// activity summaries as `[{"summarizedActivitiesExport": [...]}]`).
fn list(bytes: &[u8], name: &str, key: Option<&str>) -> Result<Vec<Value>> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::parse(name, None, format!("not JSON: {e}")))?;
    let Value::Array(items) = v else {
        return Err(Error::parse(name, None, "not a JSON list"));
    };
    Ok(match key {
        Some(k) => items
            .into_iter()
            .flat_map(|o| match o.get(k) {
                Some(Value::Array(inner)) => inner.clone(),
                _ => Vec::new(),
            })
            .collect(),
        None => items,
    })
}

/// A day named by `calendarDate`: `"2026-01-01"`, or `{"date": "2026-01-01"}`.
fn calendar_day(v: &Value) -> Option<Day> {
    let text = v["calendarDate"]
        .as_str()
        .or(v["calendarDate"]["date"].as_str())?;
    text.get(..10)?.parse().ok()
}

/// `"2026-01-01T06:30:00.0"` (UTC) or epoch milliseconds.
fn instant(v: &Value) -> Option<DateTime<Utc>> {
    epoch_ms(v).or_else(|| gmt(v))
}

/// The activity id in a FIT file's name (`someone@example.com_20000000001.fit`).
fn id_in_name(path: &str) -> Option<i64> {
    let stem = path.rsplit(['/', '\\']).next()?.rsplit_once('.')?.0;
    stem.rsplit('_').next()?.parse().ok()
}

/// A summary without its FIT file (an activity entered by hand): durations in milliseconds,
/// distances in centimetres, as the export writes them.
fn summary_activity(s: &Value, options: &ImportOptions) -> Option<Result<Activity>> {
    let start = instant(&s["startTimeGmt"])?;
    let elapsed = pos(&s["elapsedDuration"]).or(pos(&s["duration"]))? / 1000.0;
    Some((|| {
        let (id, external) = activity_ids(start, s["activityId"].as_i64())
            .map_err(|e| Error::from_port("garmin", e))?;
        let kind = s["activityType"].as_str().unwrap_or("other");
        let mut a = Activity::new(
            id,
            super::garmin_csv::sport(kind),
            ZonedInstant::new(start, options.zone),
            elapsed,
        );
        a.external = Some(external);
        a.name = s["name"]
            .as_str()
            .map(|t| t.chars().filter(|c| !c.is_control()).collect());
        a.moving_s = pos(&s["movingDuration"]).map(|m| (m / 1000.0).min(elapsed));
        a.distance_m = pos(&s["distance"]).map(|cm| cm / 100.0);
        a.avg_hr_bpm = pos(&s["avgHr"]);
        a.max_hr_bpm = pos(&s["maxHr"]);
        score(&mut a, &options.thresholds, None);
        a.validate()?;
        Ok(a)
    })())
}

/// A day of health from the export's daily summary, sleep and health-status entries.
fn day_of_health(
    day: Day,
    uds: Option<&Value>,
    sleep: Option<&Value>,
    status: Option<&Value>,
) -> Option<DailyHealth> {
    let mut h = DailyHealth::empty(day);
    if let Some(u) = uds {
        h.steps = u["totalSteps"].as_u64().and_then(|x| u32::try_from(x).ok());
        h.resting_hr_bpm = pos(&u["restingHeartRate"]);
        h.stress_avg = u["allDayStress"]["aggregatorList"]
            .as_array()
            .and_then(|l| l.iter().find(|a| a["type"] == "TOTAL"))
            .and_then(|a| num(&a["averageStressLevel"]))
            .filter(|x| *x >= 0.0);
        let stat = |kind: &str| {
            u["bodyBattery"]["bodyBatteryStatList"]
                .as_array()
                .and_then(|l| l.iter().find(|s| s["bodyBatteryStatType"] == kind))
                .and_then(|s| num(&s["statsValue"]))
        };
        h.body_battery_high = stat("HIGHEST");
        h.body_battery_low = stat("LOWEST");
        h.intensity_minutes = intensity_minutes(
            &u["moderateIntensityMinutes"],
            &u["vigorousIntensityMinutes"],
        );
    }
    if let Some(s) = sleep {
        let (deep, light, rem) = (
            num(&s["deepSleepSeconds"]),
            num(&s["lightSleepSeconds"]),
            num(&s["remSleepSeconds"]),
        );
        let total = pos(&s["sleepTimeSeconds"]).or_else(|| {
            let sum = deep.unwrap_or(0.0) + light.unwrap_or(0.0) + rem.unwrap_or(0.0);
            (sum > 0.0).then_some(sum)
        });
        h.sleep = total.map(|total_s| Sleep {
            total_s,
            deep_s: deep,
            light_s: light,
            rem_s: rem,
            awake_s: num(&s["awakeSleepSeconds"]),
            score: num(&s["sleepScores"]["overallScore"])
                .or(num(&s["sleepScores"]["overall"]["value"])),
        });
    }
    h.hrv_rmssd_ms = status
        .and_then(|s| s["metrics"].as_array())
        .and_then(|m| m.iter().find(|x| x["type"] == "HRV"))
        .and_then(|x| pos(&x["value"]));
    (h != DailyHealth::empty(day)).then_some(h)
}

fn read_entries(e: Entries, source: &str, options: &ImportOptions) -> Result<Parsed> {
    let mut parsed = Parsed::default();
    let mut summaries: Vec<Value> = Vec::new();
    let mut uds: BTreeMap<Day, Value> = BTreeMap::new();
    let mut sleep: BTreeMap<Day, Value> = BTreeMap::new();
    let mut status: BTreeMap<Day, Value> = BTreeMap::new();
    let mut fits = Vec::new();
    for (name, role, bytes) in e.files {
        let by_day = |map: &mut BTreeMap<Day, Value>, items: Vec<Value>| {
            for item in items {
                if let Some(d) = calendar_day(&item) {
                    map.insert(d, item);
                }
            }
        };
        match role {
            Role::Fit => fits.push((name, bytes)),
            Role::Summaries => {
                summaries.extend(list(&bytes, &name, Some("summarizedActivitiesExport"))?)
            }
            Role::DailySummaries => by_day(&mut uds, list(&bytes, &name, None)?),
            Role::Sleep => by_day(&mut sleep, list(&bytes, &name, None)?),
            Role::HealthStatus => by_day(&mut status, list(&bytes, &name, None)?),
            Role::BioMetrics => {
                for w in list(&bytes, &name, None)? {
                    let at = instant(&w["timestampGMT"])
                        .or_else(|| instant(&w["metaData"]["calendarDate"]));
                    match (at, pos(&w["weight"])) {
                        (Some(at), Some(grams)) => {
                            let mut b = BodyComposition::weight(
                                ZonedInstant::new(at, options.zone),
                                grams / 1000.0,
                            );
                            b.body_fat_pct = pos(&w["bodyFat"]);
                            b.muscle_mass_kg = pos(&w["muscleMass"]).map(|g| g / 1000.0);
                            b.bmi = pos(&w["bmi"]);
                            b.water_pct = pos(&w["bodyWater"]);
                            parsed.batch.records.push(Doc::BodyComposition(b));
                        }
                        _ => parsed.skip(format!("{name}: a weigh-in"), "no weight or time"),
                    }
                }
            }
            Role::Zip => {}
        }
    }
    // Summaries by start instant (to the second), to name each FIT file's activity.
    let by_start: HashMap<i64, &Value> = summaries
        .iter()
        .filter_map(|s| Some((instant(&s["startTimeGmt"])?.timestamp(), s)))
        .collect();
    let mut from_files = std::collections::HashSet::new();
    for (name, bytes) in fits {
        match super::fit::read(&bytes, &name, options) {
            Ok(p) => {
                for mut a in p.batch.activities {
                    let start = a.start.utc.timestamp();
                    let garmin_id = id_in_name(&name).or_else(|| {
                        (-2..=2)
                            .find_map(|dt| by_start.get(&(start + dt))?.get("activityId")?.as_i64())
                    });
                    if let Some(g) = garmin_id
                        && let Ok((_, external)) = activity_ids(a.start.utc, Some(g))
                    {
                        a.external = Some(external);
                    }
                    if let Some(s) = by_start.get(&start) {
                        a.name = a.name.or_else(|| s["name"].as_str().map(str::to_owned));
                    }
                    from_files.insert(start);
                    parsed.batch.activities.push(a);
                }
                parsed.skipped.extend(p.skipped);
                parsed.warnings.extend(p.warnings);
            }
            Err(err) => parsed.skip(name, err.to_string()),
        }
    }
    for s in &summaries {
        let Some(start) = instant(&s["startTimeGmt"]) else {
            continue;
        };
        if (-2..=2).any(|dt| from_files.contains(&(start.timestamp() + dt))) {
            continue;
        }
        match summary_activity(s, options) {
            Some(Ok(a)) => parsed.batch.activities.push(a),
            Some(Err(err)) => parsed.skip(format!("activity {}", s["activityId"]), err.to_string()),
            None => parsed.skip(
                format!("activity {}", s["activityId"]),
                "no start or duration",
            ),
        }
    }
    let days: std::collections::BTreeSet<Day> = uds
        .keys()
        .chain(sleep.keys())
        .chain(status.keys())
        .copied()
        .collect();
    for day in days {
        if let Some(h) = day_of_health(day, uds.get(&day), sleep.get(&day), status.get(&day)) {
            parsed.batch.health.push(h);
        }
    }
    if parsed.batch.activities.is_empty()
        && parsed.batch.health.is_empty()
        && parsed.batch.records.is_empty()
    {
        return Err(Error::parse(
            source,
            None,
            "no Garmin export data in it (DI_CONNECT with activities, wellness or FIT files)",
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests;
