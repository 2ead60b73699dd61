use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDate;
use pa_core::ports::UserStore;

use super::*;
use crate::assistant::{Access, Assistant, ImportRequest, Location};
use crate::fakes::garmin_export::{archive, files, unpack};

fn first() -> NaiveDate {
    "2026-10-01".parse().unwrap()
}

fn options() -> ImportOptions {
    ImportOptions {
        zone: chrono_tz::Europe::Berlin,
        ..ImportOptions::default()
    }
}

#[test]
fn a_zipped_export_gives_activities_days_of_health_and_weigh_ins() {
    let zip = archive(first(), 40, 6, 120);
    let p = read_zip(&zip, "export.zip", &options()).unwrap();
    assert_eq!(
        p.batch.activities.len(),
        7,
        "6 from FIT files and one entered by hand"
    );
    let ride = p
        .batch
        .activities
        .iter()
        .find(|a| {
            a.external
                .as_ref()
                .is_some_and(|e| e.to_string() == "garmin:20000000000")
        })
        .unwrap();
    assert_eq!(ride.id.as_str(), "activity/2026-10-01T17:05:00Z");
    assert_eq!(ride.sport, pa_core::fitness::Sport::Ride);
    assert_eq!(ride.streams.as_ref().unwrap().time_s.len(), 120);
    assert_eq!(ride.name.as_deref(), Some("Evening Ride"));
    let yoga = p
        .batch
        .activities
        .iter()
        .find(|a| a.sport == pa_core::fitness::Sport::Yoga)
        .unwrap();
    assert_eq!((yoga.elapsed_s, yoga.streams.is_none()), (1800.0, true));
    assert_eq!(p.batch.health.len(), 40);
    let day1 = &p.batch.health[0];
    assert_eq!(day1.steps, Some(6000));
    assert_eq!(day1.stress_avg, Some(31.0));
    assert_eq!(
        (day1.body_battery_high, day1.body_battery_low),
        (Some(84.0), Some(22.0))
    );
    assert_eq!(day1.intensity_minutes, Some(40));
    assert_eq!(day1.hrv_rmssd_ms, Some(45.0));
    assert_eq!(day1.sleep.unwrap().total_s, 25_000.0);
    assert_eq!(day1.sleep.unwrap().score, Some(78.0));
    assert_eq!(
        p.batch.health[19].hrv_rmssd_ms, None,
        "no HRV reading that night"
    );
    assert_eq!(p.batch.health[29].sleep, None, "no sleep that night");
    let weights: Vec<_> = p
        .batch
        .records
        .iter()
        .filter_map(|d| match d {
            Doc::BodyComposition(b) => Some(b),
            _ => None,
        })
        .collect();
    assert_eq!(weights.len(), 14);
    assert_eq!(weights[0].weight_kg, 72.0, "grams to kilograms");
}

#[test]
fn the_unpacked_folder_reads_as_the_archive_does() {
    let dir = tempfile::tempdir().unwrap();
    unpack(dir.path(), first(), 10, 3, 60);
    let folder = read_folder(dir.path(), &options()).unwrap();
    let zip = read_zip(&archive(first(), 10, 3, 60), "export.zip", &options()).unwrap();
    assert_eq!(folder.batch, zip.batch);
    assert!(looks_like_folder(dir.path()));
    assert_eq!(
        super::super::read_file(dir.path(), &options()).unwrap().0,
        super::super::FileFormat::GarminExport
    );
}

#[test]
fn bad_archives_are_clear_errors_and_bad_entries_are_skipped() {
    let empty = {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        z.start_file("notes.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut z, b"hello").unwrap();
        z.finish().unwrap();
        out.into_inner()
    };
    assert_eq!(
        read_zip(&empty, "other.zip", &options())
            .unwrap_err()
            .to_string(),
        "other.zip: no Garmin export data in it (DI_CONNECT with activities, wellness or FIT files)"
    );
    let mut cut = archive(first(), 3, 1, 30);
    cut.truncate(cut.len() / 2);
    let err = read_zip(&cut, "cut.zip", &options())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cut.zip: not a readable zip archive"),
        "{err}"
    );
    // A damaged FIT file is skipped with its reason; the rest is read.
    let mut parts = files(first(), 3, 1, 30);
    let (_, inner) = parts
        .iter_mut()
        .find(|(n, _)| n.ends_with("Part1.zip"))
        .unwrap();
    let mut fit_zip = zip::ZipArchive::new(std::io::Cursor::new(inner.clone())).unwrap();
    let name = fit_zip.by_index(0).unwrap().name().to_owned();
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        z.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(
            &mut z,
            b"\x0e\x20\x34\x08\x10\x00\x00\x00.FIT\x00\x00garbage",
        )
        .unwrap();
        z.finish().unwrap();
    }
    *inner = out.into_inner();
    let p = read_entries_of(parts);
    assert_eq!(p.skipped.len(), 1, "{:?}", p.skipped);
    assert!(
        p.skipped[0].reason.contains("not a readable FIT file"),
        "{:?}",
        p.skipped
    );
    // Its summary still gives the activity, without streams.
    assert_eq!(p.batch.activities.len(), 2);
    assert_eq!(p.batch.health.len(), 3);
}

fn read_entries_of(parts: Vec<(String, Vec<u8>)>) -> Parsed {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        for (n, b) in parts {
            z.start_file(n.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut z, &b).unwrap();
        }
        z.finish().unwrap();
    }
    read_zip(&out.into_inner(), "export.zip", &options()).unwrap()
}

/// Start from the archive, then keep up with the API: the same activities, days and weigh-ins,
/// not twice.
#[tokio::test]
async fn the_archive_and_the_api_share_keys() {
    use crate::assistant::{GarminSettings, SystemClock};
    use crate::fakes::garmin::FakeGarmin;
    use crate::http::HttpConfig;
    use crate::secrets::{KdfParams, Secret};
    use crate::sync::dashboard::Cancel;

    let (days, acts) = (40, 6);
    let fake = FakeGarmin::new(
        "runner42",
        "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
        "r0",
        Arc::new(SystemClock),
    );
    fake.fill(first(), days, acts);
    let server = fake.start().await;
    let pa = Assistant::open(&Location::Memory, Access::Create)
        .unwrap()
        .with_clock(Arc::new(pa_core::ports::FixedClock(
            "2026-11-09T20:00:00Z".parse().unwrap(),
        )));
    let me = pa.person("me", true).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.zip");
    std::fs::write(&path, archive(first(), days, acts, 120)).unwrap();
    let reports = me
        .import_files(&[path], &ImportRequest::default(), |_, _| {})
        .unwrap();
    assert_eq!(
        reports[0].format,
        Some(super::super::FileFormat::GarminExport)
    );
    let count = |me: &crate::assistant::Person| {
        (
            me.activities(Day::EARLIEST, Day::LATEST).unwrap().len(),
            me.daily_health(Day::EARLIEST, Day::LATEST).unwrap().len(),
            me.records::<BodyComposition>(None).unwrap().len(),
        )
    };
    assert_eq!(count(&me), (7, 40, 14));
    let vault = Arc::new(
        pa.unlock(
            &Secret::new("pw"),
            KdfParams {
                m_cost_kib: 64,
                t_cost: 1,
                p_cost: 1,
            },
        )
        .unwrap(),
    );
    let token = serde_json::json!({"di_token": fake.issue(), "di_refresh_token": "r0"});
    me.link_garmin(&vault, &Secret::new(token.to_string()))
        .unwrap();
    let settings = GarminSettings {
        url: Some(server.url.clone()),
        auth_url: Some(server.url.clone()),
    };
    let report = me
        .sync_garmin(
            vault,
            &settings,
            Some("2026-10-01".parse().unwrap()),
            &HttpConfig::default(),
            &Cancel::default(),
            &mut |_| {},
        )
        .await
        .unwrap();
    assert_eq!(report.ranges, 2);
    assert_eq!(count(&me), (7, 40, 14), "nothing twice");
    // The activities read from their FIT files kept their streams (the API's were not fetched).
    assert_eq!(fake.counts().details, 0);
    let ids: HashSet<_> = me
        .activities(Day::EARLIEST, Day::LATEST)
        .unwrap()
        .into_iter()
        .filter_map(|a| a.external.map(|e| e.to_string()))
        .collect();
    assert!(ids.contains("garmin:20000000000"), "{ids:?}");
}
