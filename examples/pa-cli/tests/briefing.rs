//! `pa demo`, `pa today`, `pa week` on the demo store, and README's first command as written.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod common;

use common::{json, pa, store, write};
use predicates::prelude::*;

const DAY: &str = "2026-11-20";

fn demo(db: &str) {
    pa().args(["--db", db, "-q", "demo", "--day", DAY, "--seed", "7"])
        .assert()
        .success();
}

#[test]
fn the_demo_briefing_has_every_section() {
    let (_dir, db) = store();
    let out = pa()
        .args(["--db", &db, "demo", "--day", DAY])
        .assert()
        .success()
        .stderr(predicate::str::contains("demo year written"));
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for section in [
        "Friday 20 November 2026",
        "Agenda",
        "Habits",
        "Training form",
        "Last night",
        "Money",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    // Running it again refreshes: nothing new.
    pa().args(["--db", &db, "demo", "--day", DAY])
        .assert()
        .success()
        .stderr(predicate::str::contains("0 added"));
}

#[test]
fn today_as_json_has_the_documented_keys() {
    let (_dir, db) = store();
    demo(&db);
    let b = json(&["--db", &db, "today", "--day", DAY, "--tz", "Europe/Berlin"]);
    for key in [
        "day",
        "agenda",
        "tasks_due",
        "tasks_overdue",
        "habits",
        "form",
        "sleep",
        "budgets",
        "net_worth",
        "reminders",
    ] {
        assert!(b.get(key).is_some(), "{key} missing: {b}");
    }
    assert_eq!(b["day"], DAY);
    let form = &b["form"];
    let tsb = form["tsb"].as_f64().unwrap();
    assert!((form["ctl"].as_f64().unwrap() - form["atl"].as_f64().unwrap() - tsb).abs() < 60.0);
    assert!(form["reading"].as_str().unwrap().contains(':'));
    assert!(!b["habits"].as_array().unwrap().is_empty());
    assert!(b["net_worth"][0]["currency"].is_string());
    // The demo's home outweighs its mortgage, and the day's reminders are due at 08:00.
    let worth: f64 = b["net_worth"][0]["net_worth"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(worth > 0.0, "{worth}");
    assert_eq!(
        b["reminders"].as_array().unwrap().len(),
        2,
        "{}",
        b["reminders"]
    );
    // The same seed gives the same briefing.
    let (_dir2, db2) = store();
    demo(&db2);
    let again = json(&["--db", &db2, "today", "--day", DAY, "--tz", "Europe/Berlin"]);
    assert_eq!(b, again);
}

#[test]
fn the_pmc_reads_the_store_when_no_file_is_given() {
    let (_dir, db) = store();
    demo(&db);
    let rows = common::json_rows(&["--db", &db, "training", "pmc"]);
    assert!(rows.len() > 300, "{}", rows.len());
    // The chart ends on the last day with a load; the briefing of that day shows the same form.
    let last = rows.last().unwrap();
    let day = last["date"].as_str().unwrap();
    let b = json(&["--db", &db, "today", "--day", day]);
    assert!((last["tsb"].as_f64().unwrap() - b["form"]["tsb"].as_f64().unwrap()).abs() < 1e-9);
    assert!((last["ctl"].as_f64().unwrap() - b["form"]["ctl"].as_f64().unwrap()).abs() < 1e-9);
}

#[test]
fn the_week_review_reads_the_same_store() {
    let (_dir, db) = store();
    demo(&db);
    let r = json(&["--db", &db, "week", "--week", "47-26"]);
    assert_eq!(r["label"], "47-26");
    assert_eq!(r["first_day"], "2026-11-16");
    assert!(r["training"]["completed"].is_number());
    let out = pa()
        .args(["--db", &db, "week", "--week", "47-26"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("Week 47-26"), "{text}");
}

#[test]
fn bad_days_weeks_and_formats_are_refused() {
    let (_dir, db) = store();
    for (args, want) in [
        (vec!["today", "--day", "20/11/2026"], "--day"),
        (vec!["today", "--tz", "Mars/Olympus"], "Mars/Olympus"),
        (vec!["week", "--week", "54-26"], "--week"),
        (vec!["today", "--format", "csv"], "table or JSON"),
    ] {
        let mut all = vec!["--db", db.as_str()];
        all.extend(&args);
        pa().args(&all)
            .assert()
            .failure()
            .stderr(predicate::str::contains(want));
    }
}

/// README's first command, exactly as written, minus the `cargo run` that builds this binary: in
/// a fresh home directory, with no `--db`, so the store lands in the default data directory.
#[test]
fn readme_first_command_runs_in_a_fresh_home() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let block = readme.split("```sh\n").nth(1).unwrap();
    let first = block.lines().next().unwrap();
    let args: Vec<&str> = first
        .split_once(" -- ")
        .map(|(_, a)| a.split_whitespace().collect())
        .unwrap();
    assert_eq!(
        first, "cargo run --release -p pa-cli -- demo",
        "README's first command changed"
    );
    let home = tempfile::tempdir().unwrap();
    let out = pa()
        .args(&args)
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("PA_DB")
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("Habits"), "{text}");
    assert!(home.path().join(".local/share/pa/pa.db").is_file());
    // And the briefing reads that store again.
    pa().arg("today")
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("PA_DB")
        .assert()
        .success()
        .stdout(predicate::str::contains("Habits"));
}

#[test]
fn charts_of_the_demo_store_are_svg_with_labels() {
    let (dir, db) = store();
    demo(&db);
    for (kind, label) in [
        ("pmc", "CTL (fitness)"),
        ("networth", "net worth"),
        ("habits", "not done"),
        ("sleep", "7-night mean"),
    ] {
        let out = dir.path().join(format!("{kind}.svg"));
        let out = out.to_str().unwrap();
        pa().args([
            "--db", &db, "-q", "chart", kind, "--day", DAY, "--days", "90", "--out", out,
        ])
        .assert()
        .success();
        let svg = std::fs::read_to_string(out).unwrap();
        assert!(svg.starts_with("<svg"), "{kind}");
        assert!(svg.contains(label), "{kind}: no '{label}'");
    }
    // PNG: the same chart rendered (a PNG signature, a real size), no SVG left behind.
    let png = dir.path().join("pmc.png");
    pa().args([
        "--db",
        &db,
        "-q",
        "chart",
        "pmc",
        "--day",
        DAY,
        "--out",
        png.to_str().unwrap(),
    ])
    .assert()
    .success();
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(bytes.len() > 10_000, "{}", bytes.len());
    assert!(!dir.path().join("pmc.svg.tmp").exists());
    pa().args(["--db", &db, "chart", "pmc", "--out", "pmc.jpg"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("neither .svg nor .png"));
    // An empty store has nothing to draw, and says so: exit 65 for every chart, no file made.
    let (d, empty) = common::empty_store();
    for (kind, says) in [
        ("pmc", "no activity with a training load is stored"),
        ("networth", "no account balances are stored"),
        ("habits", "nothing to draw: no habits with days"),
        ("sleep", "nothing to draw: no sleep recorded in the window"),
    ] {
        let out = d.path().join(format!("{kind}.svg"));
        pa().args([
            "--db",
            &empty,
            "chart",
            kind,
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(65)
        .stderr(format!("error: invalid chart: {says}\n"));
        assert!(!out.exists());
    }
}

#[test]
fn finance_commands_read_the_store_when_given_no_file() {
    let (_dir, db) = store();
    demo(&db);
    let rows = common::json_rows(&[
        "--db",
        &db,
        "finance",
        "networth",
        "--from",
        "2026-11-01",
        "--to",
        DAY,
    ]);
    assert_eq!(rows.len(), 20);
    let last = rows.last().unwrap();
    let b = json(&["--db", &db, "today", "--day", DAY]);
    assert_eq!(
        last["net_worth"].as_str().unwrap(),
        b["net_worth"][0]["net_worth"].as_str().unwrap()
    );
    let months = common::json_rows(&["--db", &db, "finance", "cashflow"]);
    assert!(months.len() >= 12, "{}", months.len());
    assert!(months.iter().all(|m| m["currency"] == "USD"));
    // An empty store says there is nothing to report.
    let (_d, empty) = common::empty_store();
    pa().args(["--db", &empty, "finance", "networth"])
        .assert()
        .failure();
}

#[test]
fn a_stored_habit_scores_with_its_own_definition() {
    let (_dir, db) = store();
    demo(&db);
    let r = json(&["--db", &db, "habits", "score", "--habit", "read"]);
    let b = json(&["--db", &db, "today", "--day", DAY]);
    let read = b["habits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "Read")
        .unwrap();
    assert_eq!(r["longest_streak"], read["longest_streak"]);
    assert_eq!(r["days"].as_array().unwrap().len(), 365);
    pa().args(["--db", &db, "habits", "score", "--habit", "Juggle"])
        .assert()
        .code(66)
        .stderr(predicate::str::contains(
            "not found: habit 'Juggle' (there are: ",
        ))
        .stderr(predicate::str::contains("Meditate"));
    pa().args(["--db", &db, "habits", "score"]).assert().code(2);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_and_never_with_no_color() {
    let (_dir, db) = store();
    demo(&db);
    let run = |env: &[(&str, &str)]| {
        let mut cmd = pa();
        cmd.args(["--db", &db, "today", "--day", DAY])
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
    };
    // A pipe (as here) gets plain text.
    assert!(!run(&[]).contains('\u{1b}'));
    assert!(run(&[("CLICOLOR_FORCE", "1")]).contains("\u{1b}["));
    assert!(!run(&[("NO_COLOR", "1")]).contains('\u{1b}'));
}

/// "Done today" follows the streak rule: 5 pages of "read at least 20" and 5 cups of "at most 2
/// coffees" are not done; 25 pages and 1 cup are.
#[test]
fn numerical_habits_are_done_only_when_the_target_is_met() {
    let (dir, db) = store();
    let habit = |id: &str, name: &str, target: f64, kind: &str| {
        format!(
            "{{\"kind\":\"habit\",\"record\":{{\"id\":\"{id}\",\"name\":\"{name}\",\"frequency\":\"1/1\",\"kind\":{{\"kind\":\"numerical\",\"target\":{target},\"target_kind\":\"{kind}\",\"unit\":\"x\"}},\"archived\":false}}}}\n"
        )
    };
    let entry = |id: &str, amount: f64| {
        format!(
            "{{\"kind\":\"habit_entry\",\"record\":{{\"habit\":\"{id}\",\"day\":\"2026-11-20\",\"value\":{{\"amount\":{amount}}}}}}}\n"
        )
    };
    let lines = [
        habit("read", "Read", 20.0, "at_least"),
        habit("coffee", "Coffee", 2.0, "at_most"),
        habit("run", "Run", 5.0, "at_least"),
        habit("tea", "Tea", 2.0, "at_most"),
        entry("read", 5.0),
        entry("coffee", 5.0),
        entry("run", 6.5),
        entry("tea", 1.0),
    ]
    .concat();
    let input = write(&dir, "habits.jsonl", &lines);
    pa().args(["--db", &db, "-q", "import-jsonl", &input])
        .assert()
        .success();
    let b = json(&["--db", &db, "today", "--day", "2026-11-20"]);
    let done: Vec<(String, bool)> = b["habits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["done_today"].as_bool().unwrap(),
            )
        })
        .collect();
    let mut done = done;
    done.sort();
    assert_eq!(
        done,
        vec![
            ("Coffee".to_owned(), false),
            ("Read".to_owned(), false),
            ("Run".to_owned(), true),
            ("Tea".to_owned(), true)
        ]
    );
}
