//! A Garmin Connect data export ("Export Your Data") built for tests, following the layout
//! `docs/garmin.md` documents: no real archive can be fetched here, so this one is made to that
//! description — JSON files of daily summaries, sleep, health status (HRV) and weigh-ins under
//! `DI_CONNECT/`, the activity summaries, and the activities' FIT files in a zip of their own
//! inside the archive. The FIT files are written by a small FIT encoder of this module (file id,
//! records, one lap, one session; CRC-16/ARC as the FIT protocol has it).

use std::io::Write as _;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde_json::{Value, json};

const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_ARC);
/// Seconds from the Unix epoch to FIT's (1989-12-31T00:00:00Z).
const FIT_EPOCH: i64 = 631_065_600;

/// A FIT writer: definitions and data messages, then the header and CRC around them.
#[derive(Default)]
struct Fit {
    data: Vec<u8>,
}

/// Field base types.
const ENUM: u8 = 0x00;
const U8: u8 = 0x02;
const U16: u8 = 0x84;
const S32: u8 = 0x85;
const U32: u8 = 0x86;

impl Fit {
    /// Defines local message `local` as global `global` with `fields` (number, base type).
    fn define(&mut self, local: u8, global: u16, fields: &[(u8, u8)]) {
        self.data.push(0x40 | local);
        self.data.push(0);
        self.data.push(0); // little-endian
        self.data.extend_from_slice(&global.to_le_bytes());
        self.data.push(fields.len() as u8);
        for (num, base) in fields {
            let size = match *base {
                ENUM | U8 => 1,
                U16 => 2,
                _ => 4,
            };
            self.data.extend_from_slice(&[*num, size, *base]);
        }
    }

    /// A data message of local type `local`; `values` in the definition's order and sizes.
    fn message(&mut self, local: u8, values: &[(u8, u64)]) {
        self.data.push(local);
        for (base, v) in values {
            match *base {
                ENUM | U8 => self.data.push(*v as u8),
                U16 => self.data.extend_from_slice(&(*v as u16).to_le_bytes()),
                _ => self.data.extend_from_slice(&(*v as u32).to_le_bytes()),
            }
        }
    }

    fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 16);
        out.push(14);
        out.push(0x20);
        out.extend_from_slice(&2132u16.to_le_bytes());
        out.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
        out.extend_from_slice(b".FIT");
        let header_crc = CRC.checksum(&out);
        out.extend_from_slice(&header_crc.to_le_bytes());
        out.extend_from_slice(&self.data);
        let crc = CRC.checksum(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }
}

fn fit_time(t: DateTime<Utc>) -> u64 {
    (t.timestamp() - FIT_EPOCH) as u64
}

/// A FIT activity file: one session of `seconds` from `start`, a record a second with heart
/// rate, position and (on rides) power.
pub fn fit_activity(start: DateTime<Utc>, seconds: u32, ride: bool) -> Vec<u8> {
    let mut f = Fit::default();
    f.define(0, 0, &[(0, ENUM), (1, U16), (2, U16), (4, U32)]);
    f.message(
        0,
        &[(ENUM, 4), (U16, 1), (U16, 3121), (U32, fit_time(start))],
    );
    f.define(
        1,
        20,
        &[(253, U32), (0, S32), (1, S32), (3, U8), (7, U16), (73, U32)],
    );
    let semi = |deg: f64| (deg * 2f64.powi(31) / 180.0) as i32 as u32 as u64;
    for s in 0..seconds {
        let t = start + TimeDelta::seconds(i64::from(s));
        let power = if ride {
            180 + u64::from(s % 60)
        } else {
            0xFFFF
        };
        f.message(
            1,
            &[
                (U32, fit_time(t)),
                (S32, semi(47.37 + f64::from(s) * 1e-5)),
                (S32, semi(8.54 + f64::from(s) * 1e-5)),
                (U8, 120 + u64::from(s % 40)),
                (U16, power),
                (U32, if ride { 8200 } else { 3100 }),
            ],
        );
    }
    let end = start + TimeDelta::seconds(i64::from(seconds));
    let ms = u64::from(seconds) * 1000;
    let distance = u64::from(seconds) * if ride { 820 } else { 310 };
    f.define(2, 19, &[(253, U32), (2, U32), (7, U32), (8, U32), (9, U32)]);
    f.message(
        2,
        &[
            (U32, fit_time(end)),
            (U32, fit_time(start)),
            (U32, ms),
            (U32, ms),
            (U32, distance),
        ],
    );
    f.define(
        3,
        18,
        &[
            (253, U32),
            (2, U32),
            (5, ENUM),
            (7, U32),
            (8, U32),
            (9, U32),
            (11, U16),
            (16, U8),
            (17, U8),
        ],
    );
    f.message(
        3,
        &[
            (U32, fit_time(end)),
            (U32, fit_time(start)),
            (ENUM, if ride { 2 } else { 1 }),
            (U32, ms),
            (U32, ms),
            (U32, distance),
            (U16, 600),
            (U8, 140),
            (U8, 159),
        ],
    );
    f.finish()
}

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in files {
            z.start_file(name.as_str(), options).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    out.into_inner()
}

/// The files of an export of `days` days from `first` with `activities` activities (each
/// `seconds` long, every other one a ride with power), as (path, bytes).
pub fn files(first: NaiveDate, days: u32, activities: u32, seconds: u32) -> Vec<(String, Vec<u8>)> {
    let user = "runner@example.com";
    let id = 123_456;
    let mut uds = Vec::new();
    let mut sleep = Vec::new();
    let mut health = Vec::new();
    let mut bio = Vec::new();
    for i in 0..days {
        let day = first + TimeDelta::days(i64::from(i));
        let d = day.to_string();
        uds.push(json!({"userProfilePK": id, "calendarDate": d, "totalSteps": 6000 + (i * 131) % 9000,
            "totalDistanceMeters": 4800, "restingHeartRate": 48 + i % 6, "minHeartRate": 44,
            "maxHeartRate": 150, "moderateIntensityMinutes": 20, "vigorousIntensityMinutes": 10,
            "allDayStress": {"aggregatorList": [
                {"type": "TOTAL", "averageStressLevel": 31, "maxStressLevel": 88},
                {"type": "AWAKE", "averageStressLevel": 38, "maxStressLevel": 88}]},
            "bodyBattery": {"bodyBatteryStatList": [
                {"bodyBatteryStatType": "HIGHEST", "statsValue": 84, "statTimestamp": format!("{d}T07:00:00.0")},
                {"bodyBatteryStatType": "LOWEST", "statsValue": 22, "statTimestamp": format!("{d}T22:00:00.0")}]}}));
        if i % 30 != 29 {
            let prev = day.pred_opt().unwrap();
            let total = 25_000 + (i * 97) % 5000;
            sleep.push(json!({"calendarDate": d,
                "sleepStartTimestampGMT": format!("{prev}T22:30:00.0"),
                "sleepEndTimestampGMT": format!("{d}T06:10:00.0"),
                "sleepWindowConfirmationType": "ENHANCED_CONFIRMED_FINAL",
                "deepSleepSeconds": total / 5, "lightSleepSeconds": total - total / 5 - total / 5,
                "remSleepSeconds": total / 5, "awakeSleepSeconds": 900,
                "averageRespiration": 14.0, "avgSleepStress": 14.0,
                "sleepScores": {"overallScore": 78, "qualityScore": 70, "durationScore": 80, "recoveryScore": 75}}));
        }
        if i % 20 != 19 {
            health.push(json!({"calendarDate": d, "metrics": [
                {"type": "HRV", "value": 45 + i % 15, "status": "IN_RANGE"},
                {"type": "HR", "value": 48 + i % 6, "status": "IN_RANGE"}]}));
        }
        if i % 3 == 0 {
            let at = day.and_hms_opt(6, 30, 0).unwrap().and_utc();
            bio.push(
                json!({"weight": 72_000.0 + f64::from(i % 10) * 100.0, "bodyFat": 18.5,
                "timestampGMT": at.timestamp_millis(),
                "metaData": {"calendarDate": format!("{d}T06:30:00.0")}}),
            );
        }
    }
    let mut summaries = Vec::new();
    let mut fits = Vec::new();
    for k in 0..activities {
        let day = first + TimeDelta::days(i64::from(k * days / activities.max(1)));
        let start = day.and_hms_opt(17, k % 50 + 5, 0).unwrap().and_utc();
        let ride = k % 2 == 0;
        let activity_id = 20_000_000_000 + i64::from(k);
        summaries.push(json!({"activityId": activity_id,
            "name": if ride { "Evening Ride" } else { "Easy Run" },
            "activityType": if ride { "cycling" } else { "running" },
            "sportType": if ride { "CYCLING" } else { "RUNNING" },
            "startTimeGmt": start.timestamp_millis() as f64,
            "startTimeLocal": (start + TimeDelta::hours(1)).timestamp_millis() as f64,
            "duration": f64::from(seconds) * 1000.0, "elapsedDuration": f64::from(seconds) * 1000.0,
            "movingDuration": f64::from(seconds) * 1000.0,
            "distance": f64::from(seconds) * if ride { 820.0 } else { 310.0 },
            "avgHr": 140.0, "maxHr": 159.0}));
        fits.push((
            format!("{user}_{activity_id}.fit"),
            fit_activity(start, seconds, ride),
        ));
    }
    // An activity entered by hand: a summary without a FIT file.
    let manual = first.and_hms_opt(12, 0, 0).unwrap().and_utc();
    summaries.push(
        json!({"activityId": 19_999_999_999i64, "name": "Yoga", "activityType": "yoga",
        "startTimeGmt": manual.timestamp_millis() as f64, "duration": 1_800_000.0,
        "distance": 0.0, "avgHr": 90.0, "manualActivity": true}),
    );
    let last = first + TimeDelta::days(i64::from(days.max(1) - 1));
    let wellness = "DI_CONNECT/DI-Connect-Wellness";
    vec![
        (
            format!("DI_CONNECT/DI-Connect-Aggregator/UDSFile_{first}_{last}.json"),
            Value::Array(uds).to_string().into_bytes(),
        ),
        (
            format!("{wellness}/{first}_{last}_{id}_sleepData.json"),
            Value::Array(sleep).to_string().into_bytes(),
        ),
        (
            format!("{wellness}/{first}_{last}_{id}_healthStatusData.json"),
            Value::Array(health).to_string().into_bytes(),
        ),
        (
            format!("{wellness}/{id}_userBioMetrics.json"),
            Value::Array(bio).to_string().into_bytes(),
        ),
        (
            format!("DI_CONNECT/DI-Connect-Fitness/{user}_0_summarizedActivities.json"),
            json!([{"summarizedActivitiesExport": summaries}])
                .to_string()
                .into_bytes(),
        ),
        (
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip".to_owned(),
            zip_of(&fits),
        ),
        (
            "DI_CONNECT/DI-Connect-User/user_profile.json".to_owned(),
            b"{}".to_vec(),
        ),
    ]
}

/// The export as a zip archive, as Garmin sends it.
pub fn archive(first: NaiveDate, days: u32, activities: u32, seconds: u32) -> Vec<u8> {
    zip_of(&files(first, days, activities, seconds))
}

/// The export unpacked into `dir`.
pub fn unpack(dir: &std::path::Path, first: NaiveDate, days: u32, activities: u32, seconds: u32) {
    for (name, bytes) in files(first, days, activities, seconds) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}
