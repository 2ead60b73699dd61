use std::sync::Arc;

use pa_core::fitness::load::Thresholds;
use pa_core::ports::{FixedClock, Profile, UserStore};
use pa_core::time::Day;

use super::*;
use crate::Error;

fn at(text: &str) -> Arc<FixedClock> {
    Arc::new(FixedClock(text.parse().unwrap()))
}

fn day(text: &str) -> Day {
    text.parse().unwrap()
}

#[test]
fn today_is_counted_in_the_persons_zone_on_the_assistants_clock() {
    // 23:30 UTC on 4 December is already 5 December in Berlin.
    let pa = Assistant::open(&Location::Memory, Access::Create)
        .unwrap()
        .with_clock(at("2026-12-04T23:30:00Z"));
    let me = pa.person("me", true).unwrap();
    assert_eq!(me.today(None).unwrap(), day("2026-12-04"));
    me.set_profile(
        &Profile {
            zone: Some(chrono_tz::Europe::Berlin),
            athlete: Thresholds::default(),
            ..Profile::default()
        },
        "test",
    )
    .unwrap();
    assert_eq!(me.today(None).unwrap(), day("2026-12-05"));
    assert_eq!(me.today(Some(chrono_tz::UTC)).unwrap(), day("2026-12-04"));
    assert_eq!(me.briefing(None, None).unwrap().day, day("2026-12-05"));
    assert_eq!(me.weekly_review(None, None).unwrap().label, "49-26");
    // A setting is not a record: the audit log lists records only.
    let audit = me.audit_log(Day::EARLIEST, Day::LATEST).unwrap();
    assert_eq!(audit.len(), 0, "{audit:?}");
}

#[test]
fn a_bad_profile_is_refused_and_the_stored_one_kept() {
    let pa = Assistant::open(&Location::Memory, Access::Create).unwrap();
    let me = pa.person("me", true).unwrap();
    let bad = Profile {
        zone: None,
        athlete: Thresholds {
            ftp_w: Some(-1.0),
            heart_rate: None,
        },
        ..Profile::default()
    };
    let err = me.set_profile(&bad, "test").unwrap_err();
    assert_eq!(
        err.to_string(),
        Error::from(bad.athlete.validate().unwrap_err()).to_string()
    );
    assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
    assert_eq!(me.profile().unwrap(), Profile::default());
}

#[test]
fn an_unknown_person_is_not_created_without_asking() {
    let pa = Assistant::open(&Location::Memory, Access::Create).unwrap();
    let err = pa.person("bob", false).unwrap_err();
    assert_eq!(err.to_string(), "no user 'bob' in the store");
    assert_eq!(pa.people().unwrap(), Vec::<String>::new());
    pa.person("bob", true).unwrap();
    assert_eq!(pa.people().unwrap(), vec!["bob".to_owned()]);
    assert!(pa.delete_person("bob").unwrap());
    let err = pa.person("  ", true).unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
    assert_eq!(pa.people().unwrap(), Vec::<String>::new());
}

#[test]
fn a_missing_store_is_not_created_by_a_reader() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.db");
    for access in [Access::Existing, Access::ReadOnly] {
        let err = Assistant::open(&Location::File(path.clone()), access).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}: no pa store there", path.display())
        );
    }
    assert!(!path.exists());
}

#[test]
fn a_read_only_store_refuses_writes_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::File(dir.path().join("pa.db"));
    let writer = Assistant::open(&location, Access::Create)
        .unwrap()
        .with_clock(at("2026-11-20T09:00:00Z"));
    let added = writer
        .person("me", true)
        .unwrap()
        .load_demo(None, 3)
        .unwrap()
        .added;
    assert!(added > 1000, "{added}");
    let reader = Assistant::open(&location, Access::ReadOnly).unwrap();
    let me = reader.person("me", false).unwrap();
    let err = me.set_profile(&Profile::default(), "test").unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::ReadOnly);
    let err = reader.person("other", true).unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::ReadOnly);
    assert_eq!(me.activities(Day::EARLIEST, Day::LATEST).unwrap().len(), {
        let w = writer.person("me", false).unwrap();
        w.activities(Day::EARLIEST, Day::LATEST).unwrap().len()
    });
}

#[test]
fn a_file_that_cannot_be_read_leaves_no_store_behind() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("notes.txt");
    std::fs::write(&bad, "not an activity").unwrap();
    let location = Location::File(dir.path().join("pa.db"));
    let err = Assistant::import_files_at(
        &location,
        "me",
        std::slice::from_ref(&bad),
        &ImportRequest::default(),
        |_, _| {},
    )
    .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Parse, "{err}");
    assert!(!dir.path().join("pa.db").exists());
}

#[test]
fn closing_ends_every_later_call() {
    let pa = Assistant::open(&Location::Memory, Access::Create).unwrap();
    let me = pa.person("me", true).unwrap();
    pa.close().unwrap();
    pa.close().unwrap();
    assert_eq!(me.profile().unwrap_err().to_string(), "the store is closed");
}

#[test]
fn files_are_read_in_the_profiles_units_unless_the_request_says() {
    use crate::import::Units;
    let profile = Profile {
        units: Some(Units::Statute),
        ..Profile::default()
    };
    let unsaid = ImportRequest::default();
    assert_eq!(unsaid.options(&profile).unwrap().units, Units::Statute);
    assert_eq!(
        unsaid.options(&Profile::default()).unwrap().units,
        Units::Metric
    );
    let metric = ImportRequest {
        units: Some(Units::Metric),
        ..ImportRequest::default()
    };
    assert_eq!(metric.options(&profile).unwrap().units, Units::Metric);
}
