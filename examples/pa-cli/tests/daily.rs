//! End-to-end tests of `pa habits score` and `pa calendar expand`.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use predicates::prelude::*;

mod common;

use common::{json, pa, write};

#[test]
fn habit_score_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "h.csv",
        "date,value\n2026-01-01,yes\n2026-01-02,yes\n2026-01-03,skip\n2026-01-04,yes\n2026-01-06,yes\n",
    );
    let v = json(&["habits", "score", "--entries", &f, "--freq", "daily"]);
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["current_streak", "days", "longest_streak", "streaks"]
    );
    let days = v["days"].as_array().unwrap();
    assert_eq!(days.len(), 6, "first to last input date");
    assert!(
        (days[0]["score"].as_f64().unwrap() - 0.051922).abs() < 1e-6,
        "Loop's first check-in"
    );
    assert_eq!(
        days[2]["score"], days[1]["score"],
        "a skip leaves the score unchanged"
    );
    assert_eq!(
        (v["current_streak"].as_u64(), v["longest_streak"].as_u64()),
        (Some(1), Some(4))
    );
    assert_eq!(
        v["streaks"][1],
        serde_json::json!({"start": "2026-01-01", "end": "2026-01-04", "length": 4})
    );
}

#[test]
fn numerical_habits_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "n.csv", "date,value\n2026-01-01,25\n2026-01-02,10\n");
    let v = json(&[
        "habits",
        "score",
        "--entries",
        &f,
        "--freq",
        "1/1",
        "--target",
        "20",
    ]);
    assert_eq!(v["longest_streak"], 1);
    pa().args(["habits", "score", "--entries", &f])
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "entry on 2026-01-01: an amount needs --target",
        ));
    pa().args([
        "habits",
        "score",
        "--entries",
        &f,
        "--freq",
        "0/7",
        "--target",
        "1",
    ])
    .assert()
    .code(65)
    .stderr(predicate::str::contains("invalid frequency: 0/7"));
    let bad = write(&dir, "b.csv", "date,value\n2026-01-01,perhaps\n");
    pa().args(["habits", "score", "--entries", &bad])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("line 2: invalid entry: 'perhaps'"));
}

#[test]
fn calendar_expand_gives_rfc3339_instants_in_the_window() {
    let v = json(&[
        "calendar",
        "expand",
        "--rrule",
        "FREQ=WEEKLY;BYDAY=SU",
        "--dtstart",
        "2026-03-22T02:30:00",
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-03-22",
        "--to",
        "2026-04-06",
    ]);
    let got: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        [
            "2026-03-22T02:30:00+01:00",
            "2026-03-29T03:30:00+02:00",
            "2026-04-05T02:30:00+02:00"
        ]
    );
    let v = json(&[
        "calendar",
        "expand",
        "--rrule",
        "FREQ=DAILY",
        "--dtstart",
        "2026-05-01T08:00:00",
        "--tz",
        "UTC",
        "--from",
        "2026-05-01",
        "--to",
        "2026-05-04",
        "--exdate",
        "2026-05-02T08:00:00",
    ]);
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[test]
fn calendar_bad_input_names_the_bad_part() {
    let base = [
        "calendar",
        "expand",
        "--dtstart",
        "2026-01-01T09:00:00",
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-01",
    ];
    pa().args(base)
        .args(["--rrule", "FREQ=SOMETIMES", "--tz", "UTC"])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("invalid RRULE: 'FREQ=SOMETIMES'"));
    pa().args(base)
        .args(["--rrule", "FREQ=DAILY", "--tz", "Mars/Base"])
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "'Mars/Base' is not an IANA time zone name",
        ));
    pa().args(base)
        .args(["--rrule", "FREQ=DAILY;INTERVAL=0", "--tz", "UTC"])
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "INTERVAL=0 must be a positive integer",
        ));
    pa().args([
        "calendar",
        "expand",
        "--rrule",
        "FREQ=DAILY",
        "--dtstart",
        "2026-01-01 09:00",
        "--tz",
        "UTC",
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-01",
    ])
    .assert()
    .code(65)
    .stderr(predicate::str::contains("invalid dtstart"));
}
