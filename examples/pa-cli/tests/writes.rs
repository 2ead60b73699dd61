//! Everyday writes through the CLI: a week of a life scripted only with `pa` commands
//! (`tests/scripts/week.jsonl`, shared with the Python test that builds the same store), then
//! `pa today` and `pa week` checked against every write; and bad input per command, with its
//! exit code and message, writing nothing.
#![allow(clippy::unwrap_used)]

mod common;

use common::{pa, store};
use serde_json::{Value, json};

/// The script: each step's clock reading and its `pa` arguments.
fn script() -> Vec<(String, Vec<String>)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/scripts/week.jsonl"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let step: Value = serde_json::from_str(line).unwrap();
            let args = step["args"].as_array().unwrap();
            (
                step["now"].as_str().unwrap().to_owned(),
                args.iter()
                    .map(|a| a.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

/// Runs `pa args` at `now` on `db`, expecting success; returns stdout.
fn run_at(db: &str, now: &str, args: &[String]) -> String {
    let out = pa()
        .env("PA_DB", db)
        .env("PA_NOW", now)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

const SUNDAY_EVENING: &str = "2026-12-06T19:30:00Z";

fn read_json(db: &str, args: &[&str]) -> Value {
    let mut all: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    all.extend(["--format".to_owned(), "json".to_owned()]);
    serde_json::from_str(&run_at(db, SUNDAY_EVENING, &all)).unwrap()
}

fn export(db: &str, dir: &tempfile::TempDir, name: &str) -> String {
    let path = dir.path().join(name);
    run_at(
        db,
        SUNDAY_EVENING,
        &[
            "export".into(),
            "--out".into(),
            path.to_str().unwrap().into(),
        ],
    );
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn a_week_scripted_through_the_cli_shows_in_today_and_week() {
    let (dir, db) = store();
    let outputs: Vec<String> = script()
        .iter()
        .map(|(now, args)| run_at(&db, now, args))
        .collect();
    // Every write said what it did; the repeated external ids changed nothing.
    assert!(outputs[1].starts_with("added habit h-"), "{}", outputs[1]);
    let unchanged: Vec<&String> = outputs
        .iter()
        .filter(|o| o.starts_with("unchanged"))
        .collect();
    assert_eq!(unchanged.len(), 2, "{outputs:#?}");
    assert!(unchanged[0].contains("Flat white") && unchanged[1].contains("Book flights"));

    let week = read_json(&db, &["week"]);
    assert_eq!(week["label"], "49-26");
    // Training: the planned run done, the planned ride missed; the manual run's load.
    assert_eq!(
        week["training"]["planned"],
        json!({"distance_m": 8000.0, "duration_s": 9900.0, "load": 140.0})
    );
    assert_eq!(
        week["training"]["actual"],
        json!({"distance_m": 8200.0, "duration_s": 2820.0, "load": 52.0})
    );
    assert_eq!(
        (
            &week["training"]["completed"],
            &week["training"]["missed"],
            &week["training"]["extra"],
            &week["training"]["adherence_pct"]
        ),
        (&json!(1), &json!(1), &json!(0), &json!(50.0))
    );
    // The week's last weigh-in (Saturday's), the mean of two check-ins' moods (4 and 2).
    assert_eq!(week["health"]["weight_kg"], json!(71.1));
    assert_eq!(week["mood_avg"], json!(3.0));
    // Asked on Sunday evening, the week is under way: through Sunday, whose habits are not
    // judged until they have an entry. Meditate: yes Mon, Tue, Thu; skipped Wed; 3 done of 5 due.
    // Run: 8.2 of 20 km.
    assert_eq!(
        (&week["through"], &week["in_progress"]),
        (&json!("2026-12-06"), &json!(true))
    );
    assert_eq!(
        week["habits"],
        json!([
            {"name": "Run", "completion_pct": 0.0, "streak_before": 0, "streak_after": 0},
            {"name": "Meditate", "completion_pct": 60.0, "streak_before": 0, "streak_after": 0}
        ])
    );
    // Three tasks added (the second "Book flights" is the same task), one done; the gift, due
    // Sunday, is not overdue on Sunday evening, and is once Sunday is over.
    assert_eq!(week["tasks"], json!({"done": 1, "added": 3, "overdue": 0}));
    let monday = [
        "week".to_owned(),
        "--week".to_owned(),
        "49-26".to_owned(),
        "--format".to_owned(),
        "json".to_owned(),
    ];
    let after: Value = serde_json::from_str(&run_at(&db, "2026-12-07T08:00:00Z", &monday)).unwrap();
    assert_eq!(
        (&after["through"], &after["in_progress"]),
        (&json!("2026-12-06"), &json!(false))
    );
    assert_eq!(after["tasks"], json!({"done": 1, "added": 3, "overdue": 1}));
    // Sunday, unrecorded, now counts as not done: 3 of 6.
    assert_eq!(after["habits"][1]["completion_pct"], json!(50.0));
    assert_eq!(
        week["calendar"],
        json!([{"calendar": "Personal", "hours": 0.75}, {"calendar": "Sport", "hours": 1.0}])
    );
    assert_eq!(
        week["spending"],
        json!([{"category": "Food", "currency": "EUR", "spent": "46.30"}])
    );
    assert_eq!(week["budgets"][0]["spent"]["amount"], json!("46.30"));
    assert_eq!(week["budgets"][0]["budgeted"]["amount"], json!("300"));

    let today = read_json(&db, &["today"]);
    assert_eq!(today["day"], "2026-12-06");
    let titles = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(titles(&today["tasks_due"]), ["Buy a gift for Sam"]);
    assert_eq!(titles(&today["tasks_overdue"]), Vec::<String>::new());
    assert_eq!(today["reminders"][0]["message"], "Call mum");
    assert_eq!(today["habits"][1]["name"], "Meditate");
    assert_eq!(today["habits"][1]["longest_streak"], json!(4));
    assert_eq!(today["budgets"][0]["spent"]["amount"], json!("46.30"));

    // The repeated writes with external ids change nothing, run again any time.
    let before = export(&db, &dir, "before.jsonl");
    for (now, args) in script()
        .iter()
        .filter(|(_, a)| a.contains(&"--external".to_owned()))
    {
        let out = run_at(&db, now, args);
        assert!(out.starts_with("unchanged"), "{out}");
    }
    assert_eq!(export(&db, &dir, "after.jsonl"), before);
}

/// Bad input per command: exit code 65 (or 66 for what is not there) with a message naming the
/// problem, and the store unchanged.
#[test]
fn bad_writes_are_refused_and_write_nothing() {
    let (dir, db) = store();
    let now = "2026-12-02T10:00:00Z";
    for (_, args) in script().iter().take(12) {
        run_at(&db, now, args);
    }
    let before = export(&db, &dir, "before.jsonl");
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["habit", "check", "Meditate", "3"],
            65,
            "invalid habit 'Meditate': is yes/no; it takes yes, no or skip, not the amount 3",
        ),
        (
            vec!["habit", "check", "Run", "yes"],
            65,
            "invalid habit 'Run': counts km; give an amount, no or skip, not yes",
        ),
        (
            vec!["habit", "check", "Juggle"],
            66,
            "not found: habit 'Juggle' (there are: Meditate, Run)",
        ),
        (
            vec!["habit", "check", "Meditate", "--day", "2026-02-30"],
            65,
            "invalid --day: date: '2026-02-30' is not a calendar date",
        ),
        (
            vec!["habit", "add", "meditate"],
            75,
            "conflict: habit 'meditate': there is one of that name already (h-1fabdqp0)",
        ),
        (
            vec!["task", "add", "Passport photos", "--due", "someday"],
            65,
            "invalid --due: day: 'someday' is not a day (today, tomorrow, yesterday, a weekday, +3d, -1w or YYYY-MM-DD)",
        ),
        (
            vec!["task", "add", "x", "--priority", "asap"],
            65,
            "invalid --priority: priority: 'asap' is not low, medium, high or urgent",
        ),
        (
            vec!["task", "done", "nothing like it"],
            66,
            "not found: task 'nothing like it' (there are: Book flights, Renew passport, Buy a gift for Sam)",
        ),
        (
            vec![
                "event",
                "add",
                "Party",
                "--at",
                "sat 19:00",
                "--rrule",
                "FREQ=SOMETIMES",
            ],
            65,
            "invalid RRULE: 'FREQ=SOMETIMES': RRule parsing error: `SOMETIMES` is not a valid frequency.",
        ),
        (
            vec!["event", "add", "Party", "--at", "2027-03-28 02:30"],
            65,
            "invalid --at: local time: 2027-03-28 02:30:00 does not exist in Europe/Berlin (skipped by a daylight-saving change)",
        ),
        (
            vec![
                "event",
                "add",
                "Party",
                "--at",
                "sat 19:00",
                "--tz",
                "Mars/Olympus",
            ],
            65,
            "invalid time zone: 'Mars/Olympus' is not an IANA time zone name",
        ),
        (
            vec!["expense", "add", "-5", "refund"],
            65,
            "invalid expense: amount -5 must be above zero (what was spent)",
        ),
        (
            vec!["expense", "add", "five", "coffee"],
            65,
            "invalid amount: 'five' is not a decimal number",
        ),
        (
            vec!["expense", "add", "5", "coffee", "--currency", "XYZ"],
            65,
            "invalid --currency: currency: 'XYZ' is not an ISO 4217 currency code",
        ),
        (
            vec!["budget", "set", "Food", "-10"],
            65,
            "invalid budget Food 2026-12: amount must not be negative",
        ),
        (
            vec!["log", "weight", "-1"],
            65,
            "invalid weight_kg: must be a finite number above zero, got -1",
        ),
        (
            vec![
                "log",
                "activity",
                "run",
                "--start",
                "07:00",
                "--duration",
                "0m",
            ],
            65,
            "invalid --duration: duration: '0m' must be above zero and at most a week",
        ),
        (
            vec![
                "log",
                "activity",
                "run",
                "--start",
                "fri",
                "--duration",
                "30m",
            ],
            65,
            "invalid --start: time: 'fri' names a day but no time of day (add HH:MM)",
        ),
        (
            vec![
                "log",
                "activity",
                "run",
                "--start",
                "07:00",
                "--duration",
                "30m",
                "--rpe",
                "11",
            ],
            65,
            "invalid rpe: 11 is not on the 0–10 scale",
        ),
        (
            vec!["checkin", "--mood", "9"],
            65,
            "invalid mood on 2026-12-02: 9 is not 1–5",
        ),
        (
            vec!["remember", "x", "--importance", "0"],
            65,
            "invalid memory (new): importance 0 is not 1–5",
        ),
        (
            vec!["plan", "workout", "kayak-polo", "--day", "sat"],
            65,
            "invalid sport: 'kayak-polo' is not a known sport",
        ),
        (
            vec!["remind", "add", "Water", "--every", "weekly someday 09:00"],
            65,
            "invalid --every: schedule: 'someday' is not a weekday",
        ),
        (
            vec![
                "bill",
                "add",
                "Gym",
                "29.90",
                "--next",
                "fri",
                "--every",
                "fortnightly",
            ],
            65,
            "invalid --every: cadence: 'fortnightly' is not weekly, biweekly, monthly, quarterly or yearly",
        ),
        (
            vec!["bill", "add", "Gym", "0", "--next", "fri"],
            65,
            "invalid bill 'Gym': amount 0 must be above zero",
        ),
        (
            vec!["remind", "snooze", "r-nothing", "--until", "18:00"],
            66,
            "not found: reminder 'r-nothing'",
        ),
    ];
    for (args, code, message) in cases {
        let out = pa()
            .env("PA_DB", &db)
            .env("PA_NOW", now)
            .args(&args)
            .assert()
            .code(code)
            .get_output()
            .stderr
            .clone();
        let stderr = String::from_utf8(out).unwrap();
        assert_eq!(stderr, format!("error: {message}\n"), "{args:?}");
    }
    // Ambiguous names ask for the id.
    run_at(
        &db,
        now,
        &["task".into(), "add".into(), "Passport photos".into()],
    );
    let middle = export(&db, &dir, "middle.jsonl");
    let out = pa()
        .env("PA_DB", &db)
        .env("PA_NOW", now)
        .args(["task", "done", "passport"])
        .assert()
        .code(65)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(out).unwrap();
    assert!(
        stderr.contains("'passport' matches 2 of them:") && stderr.contains("give the id"),
        "{stderr}"
    );
    assert_eq!(export(&db, &dir, "middle2.jsonl"), middle);
    assert_ne!(middle, before);
}

#[test]
fn a_dry_run_shows_the_write_and_writes_nothing() {
    let (dir, db) = store();
    let now = "2026-12-02T10:00:00Z";
    for (_, args) in script().iter().take(3) {
        run_at(&db, now, args);
    }
    let before = export(&db, &dir, "before.jsonl");
    let out = run_at(
        &db,
        now,
        &["task", "add", "Call mum", "--due", "tomorrow", "--dry-run"].map(String::from),
    );
    assert!(
        out.starts_with("dry run, not written: task t-")
            && out.contains("Call mum, due 2026-12-03"),
        "{out}"
    );
    let json: Value = serde_json::from_str(&run_at(
        &db,
        now,
        &[
            "habit",
            "check",
            "Meditate",
            "--dry-run",
            "--format",
            "json",
        ]
        .map(String::from),
    ))
    .unwrap();
    assert_eq!(json["change"], "preview");
    assert_eq!(json["record"]["day"], "2026-12-02");
    assert_eq!(export(&db, &dir, "after.jsonl"), before);
}

#[test]
fn a_repeating_reminder_moves_on_when_done() {
    let (_dir, db) = store();
    // Wednesday 2 December, 11:00 in Berlin.
    let now = "2026-12-02T10:00:00Z";
    run_at(&db, now, &script()[0].1);
    let added: Value = serde_json::from_str(&run_at(
        &db,
        now,
        &[
            "remind",
            "add",
            "Water the plants",
            "--every",
            "weekly mon,thu 09:00",
            "--format",
            "json",
        ]
        .map(String::from),
    ))
    .unwrap();
    assert_eq!(added["record"]["remind_at"]["utc"], "2026-12-03T08:00:00Z");
    let id = added["record"]["id"].as_str().unwrap().to_owned();
    let done: Value = serde_json::from_str(&run_at(
        &db,
        "2026-12-03T08:05:00Z",
        &[
            "remind".into(),
            "done".into(),
            id,
            "--format".into(),
            "json".into(),
        ],
    ))
    .unwrap();
    assert_eq!(
        (&done["record"]["remind_at"]["utc"], &done["record"]["sent"]),
        (&json!("2026-12-07T08:00:00Z"), &json!(false))
    );
}

#[test]
fn bills_are_added_and_listed_soonest_first() {
    let (_dir, db) = store();
    let now = "2026-12-02T10:00:00Z";
    run_at(&db, now, &script()[0].1);
    let added = run_at(
        &db,
        now,
        &[
            "bill",
            "add",
            "Rent",
            "950",
            "--next",
            "2027-01-01",
            "--category",
            "Housing/Rent",
        ]
        .map(String::from),
    );
    assert!(added.starts_with("added bill b-"), "{added}");
    assert!(
        added.ends_with(": Rent 950 EUR monthly, next due 2027-01-01\n"),
        "{added}"
    );
    run_at(
        &db,
        now,
        &[
            "bill", "add", "Gym", "29.90", "--next", "fri", "--every", "monthly",
        ]
        .map(String::from),
    );
    let list: Value = serde_json::from_str(&run_at(
        &db,
        now,
        &["bill", "list", "--format", "json"].map(String::from),
    ))
    .unwrap();
    let rows: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["name"].as_str().unwrap(), b["next_due"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("Gym", "2026-12-04"), ("Rent", "2027-01-01")]);
}
