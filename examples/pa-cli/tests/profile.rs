//! `pa profile`: the person's zone and thresholds, kept in the store and used by every command
//! that counts days or scores activities.

mod common;

use common::{fixtures, json, json_rows, pa, store};
use serde_json::json;

#[test]
fn the_profile_is_set_in_parts_and_shown() {
    let (_dir, db) = store();
    let shown = json(&[
        "--db",
        &db,
        "profile",
        "set",
        "--zone",
        "Europe/Berlin",
        "--ftp",
        "250",
    ]);
    assert_eq!(
        shown,
        json!({"zone": "Europe/Berlin", "athlete": {"ftp_w": 250.0, "heart_rate": null}})
    );
    json(&[
        "--db",
        &db,
        "profile",
        "set",
        "--hr-rest",
        "48",
        "--hr-max",
        "188",
        "--sex",
        "female",
    ]);
    assert_eq!(
        json(&["--db", &db, "profile", "show"]),
        json!({"zone": "Europe/Berlin", "athlete": {"ftp_w": 250.0, "heart_rate": {
            "rest_bpm": 48.0, "max_bpm": 188.0, "threshold_bpm": null, "sex": "female"}}})
    );
    let more = json(&[
        "--db",
        &db,
        "profile",
        "set",
        "--currency",
        "eur",
        "--units",
        "imperial",
        "--check-in",
        "21:30",
    ]);
    assert_eq!(
        (&more["currency"], &more["units"], &more["check_in_time"]),
        (&json!("EUR"), &json!("statute"), &json!("21:30:00"))
    );
    pa().args(["--db", &db, "profile", "set", "--check-in", "9pm"])
        .assert()
        .code(65)
        .stderr("error: invalid --check-in: time: '9pm' is not a time (HH:MM)\n");
    pa().args(["--db", &db, "profile", "set", "--units", "cubits"])
        .assert()
        .code(65)
        .stderr("error: invalid units: 'cubits' is not metric or statute\n");
}

#[test]
fn a_bad_profile_is_refused_and_the_stored_one_kept() {
    let (_dir, db) = store();
    json(&["--db", &db, "profile", "set", "--zone", "Asia/Tokyo"]);
    pa().args(["--db", &db, "profile", "set", "--zone", "Mars/Olympus"])
        .assert()
        .code(65)
        .stderr(predicates::str::contains(
            "'Mars/Olympus' is not an IANA time zone name",
        ));
    pa().args(["--db", &db, "profile", "set", "--hr-rest", "48"])
        .assert()
        .code(65)
        .stderr(
            "error: invalid --hr-rest and --hr-max: TRIMP and hrTSS need both the resting and \
             the maximum heart rate\n",
        );
    pa().args(["--db", &db, "profile", "set", "--ftp=-5"])
        .assert()
        .code(65)
        .stderr("error: invalid --ftp: must be a finite number above zero, got -5\n");
    assert_eq!(
        json(&["--db", &db, "profile", "show"]),
        json!({"zone": "Asia/Tokyo", "athlete": {"ftp_w": null, "heart_rate": null}})
    );
    // Reading a profile needs a store and a person, and creates neither.
    let (_other, none) = store();
    pa().args(["--db", &none, "profile", "show"])
        .assert()
        .code(66);
    assert!(!std::path::Path::new(&none).exists());
}

#[test]
fn days_are_counted_in_the_profiles_zone_unless_tz_says_otherwise() {
    let (_dir, db) = store();
    pa().args([
        "--db",
        &db,
        "-q",
        "demo",
        "--day",
        "2026-11-20",
        "--seed",
        "5",
    ])
    .assert()
    .success();
    json(&["--db", &db, "profile", "set", "--zone", "Pacific/Auckland"]);
    let day = ["today", "--day", "2026-11-20"];
    let from_profile = json(&[&["--db", &db][..], &day].concat());
    let auckland = json(&[&["--db", &db][..], &day, &["--tz", "Pacific/Auckland"]].concat());
    let utc = json(&[&["--db", &db][..], &day, &["--tz", "UTC"]].concat());
    assert_eq!(from_profile, auckland);
    assert_ne!(from_profile, utc, "the zone must matter to this briefing");
    let week = ["week", "--week", "47-26"];
    assert_eq!(
        json(&[&["--db", &db][..], &week].concat()),
        json(&[&["--db", &db][..], &week, &["--tz", "Pacific/Auckland"]].concat())
    );
}

#[test]
fn imports_are_scored_with_the_profiles_thresholds() {
    let Some(fixtures) = fixtures() else { return };
    let ride = fixtures.join("fit/Edge810-Vector-2013-08-16-15-35-10.fit");
    let ride = ride.to_str().unwrap();
    let (_dir, db) = store();
    json(&[
        "--db", &db, "--user", "coached", "profile", "set", "--ftp", "250",
    ]);
    for user in ["coached", "plain"] {
        pa().args(["--db", &db, "--user", user, "-q", "import", ride])
            .assert()
            .success();
    }
    let load = |user: &str| {
        let rows = json_rows(&[
            "--db",
            &db,
            "--user",
            user,
            "export",
            "--kind",
            "activities",
        ]);
        assert_eq!(rows.len(), 1);
        rows[0]["training_load"].clone()
    };
    assert!(
        load("coached").as_f64().is_some_and(|l| l > 0.0),
        "{}",
        load("coached")
    );
    assert_eq!(load("plain"), serde_json::Value::Null);
    // A flag replaces the profile's value for that run: twice the FTP, a quarter of the TSS.
    pa().args([
        "--db", &db, "--user", "twice", "-q", "import", "--ftp", "500", ride,
    ])
    .assert()
    .success();
    let (coached, twice) = (
        load("coached").as_f64().unwrap(),
        load("twice").as_f64().unwrap(),
    );
    assert!((coached / twice - 4.0).abs() < 1e-9, "{coached} vs {twice}");
}
