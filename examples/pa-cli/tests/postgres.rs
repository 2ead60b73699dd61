//! The CLI on a PostgreSQL store (`--db postgres://…`) against a real server: the same answers as
//! on SQLite, and moving a person between the two. Each test makes a fresh database in the test
//! cluster `scripts/test` starts; without one they skip with a message (never under CI).
#![allow(clippy::unwrap_used)]

mod common;

use common::{pa, store};

fn database(test: &str) -> Option<String> {
    pa_integrations::storage::postgres::testing::fresh_database(test)
}

const NOW: &str = "2026-12-05T09:00:00+01:00";

/// Runs `pa --db db --now NOW args` and returns stdout, expecting success.
fn run(db: &str, args: &[&str]) -> String {
    let out = pa()
        .args(["--db", db, "--now", NOW])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn demo_today_week_and_export_equal_sqlite() {
    let Some(url) = database("demo_today_week_and_export_equal_sqlite") else {
        return;
    };
    let (_dir, file) = store();
    let commands: &[&[&str]] = &[
        &["demo", "--seed", "7"],
        &["today"],
        &["week"],
        &["week", "--format", "json"],
        &["export"],
        &["training", "pmc", "--format", "csv"],
        &["finance", "networth", "--format", "csv"],
        &["habit", "list"],
        &["task", "list", "--all"],
    ];
    for args in commands {
        let on_sqlite = run(&file, args);
        let on_postgres = run(&url, args);
        assert!(!on_sqlite.trim().is_empty(), "pa {args:?} printed nothing");
        assert_eq!(on_postgres, on_sqlite, "pa {args:?}");
    }
    // Every stored record reads back on both.
    assert_eq!(run(&url, &["check"]), run(&file, &["check"]));
}

#[test]
fn a_person_moves_from_sqlite_to_postgres_and_back_exactly() {
    let Some(url) = database("a_person_moves_from_sqlite_to_postgres_and_back_exactly") else {
        return;
    };
    let (dir, file) = store();
    run(&file, &["demo", "--seed", "3", "--quiet"]);
    let exported = dir.path().join("me.jsonl");
    let exported = exported.to_str().unwrap();
    run(&file, &["export", "--out", exported]);
    run(&url, &["import-jsonl", exported]);
    let from_postgres = run(&url, &["export"]);
    assert_eq!(from_postgres, std::fs::read_to_string(exported).unwrap());
    // And back, into a new SQLite file.
    let back = dir.path().join("back.db");
    let back = back.to_str().unwrap();
    let again = dir.path().join("again.jsonl");
    std::fs::write(&again, &from_postgres).unwrap();
    run(back, &["import-jsonl", again.to_str().unwrap()]);
    assert_eq!(run(back, &["export"]), from_postgres);
    assert_eq!(run(back, &["today"]), run(&url, &["today"]));
}

#[test]
fn people_in_one_database_see_only_their_own() {
    let Some(url) = database("people_in_one_database_see_only_their_own") else {
        return;
    };
    run(&url, &["demo", "--quiet"]);
    let theirs = pa()
        .args(["--db", &url, "--now", NOW, "--user", "bob", "export"])
        .assert()
        .get_output()
        .clone();
    // Bob is unknown: nothing of the demo person's is shown to him.
    assert!(!theirs.status.success());
    assert!(String::from_utf8_lossy(&theirs.stderr).contains("no user 'bob'"));
    run(&url, &["--user", "bob", "task", "add", "Bob's own task"]);
    let bobs = run(&url, &["--user", "bob", "export"]);
    assert!(bobs.contains("Bob's own task"));
    assert!(
        !bobs.contains("Renew passport"),
        "the demo's tasks are not Bob's"
    );
    assert!(!run(&url, &["export"]).contains("Bob's own task"));
}
