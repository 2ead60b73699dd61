use std::sync::Arc;

use pa_core::ports::sink::Sink;
use serde_json::json;

use super::*;
use crate::assistant::{Access, Assistant, Location, Person};
use crate::fakes::Reply;
use crate::fakes::airtable::FakeAirtable;
use crate::http::{HttpConfig, ManualTimer, Transport};
use crate::providers::airtable::{self, Airtable, AirtableConfig};
use crate::secrets::Secret;

const TOKEN: &str = "patDASH.0001";

fn today() -> Day {
    "2026-12-04".parse().unwrap()
}

struct Setup {
    person: Person,
    fake: Arc<FakeAirtable>,
    client: Airtable,
    _server: crate::fakes::Running,
    _pa: Assistant,
}

async fn setup(token: &str) -> Setup {
    let pa = Assistant::open(&Location::Memory, Access::Create).unwrap();
    let person = pa.person("me", true).unwrap();
    person.load_demo(Some(today()), 3).unwrap();
    let timer = Arc::new(ManualTimer::new("2026-12-04T18:00:00Z".parse().unwrap()));
    let t = Tables::default();
    let links = [
        (t.day.as_str(), "Week", t.week.as_str()),
        (t.events.as_str(), "Day", t.day.as_str()),
        (t.sessions.as_str(), "Day", t.day.as_str()),
        (t.sessions.as_str(), "Week", t.week.as_str()),
        (t.health.as_str(), "Day", t.day.as_str()),
        (t.body.as_str(), "Day", t.day.as_str()),
        (t.plans.as_str(), "Day", t.day.as_str()),
        (t.plans.as_str(), "Week", t.week.as_str()),
        (t.plans.as_str(), "Actual", t.sessions.as_str()),
    ];
    let fake = FakeAirtable::new("appDASH", TOKEN, timer.clone(), &links);
    let server = fake.start().await;
    let transport = Arc::new(
        Transport::new(
            HttpConfig {
                jitter_seed: Some(3),
                ..HttpConfig::default()
            },
            timer.clone(),
            timer,
            &[airtable::rate()],
        )
        .unwrap(),
    );
    let client = Airtable::new(
        transport,
        AirtableConfig {
            url: server.url.clone(),
            ..AirtableConfig::new("appDASH")
        },
        Secret::new(token),
    );
    Setup {
        person,
        fake,
        client,
        _server: server,
        _pa: pa,
    }
}

async fn run(s: &Setup, config: &DashboardConfig, day: Day) -> Result<DashboardReport> {
    let dashboard = Dashboard {
        store: &s.person,
        sink: &s.client,
        config,
        zone: chrono_tz::Europe::Berlin,
        cancel: Cancel::default(),
    };
    let mut seen = Vec::new();
    let out = dashboard
        .run(day, "2026-12-04T18:00:00Z".parse().unwrap(), &mut |p| {
            seen.push(p.clone())
        })
        .await;
    if let Ok(report) = &out {
        assert_eq!(
            seen.len(),
            report.writes,
            "one progress call per write request"
        );
    }
    out
}

fn keys(rows: &[crate::fakes::airtable::Row]) -> Vec<String> {
    let mut k: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            r.fields
                .get("Key")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .collect();
    k.sort();
    k
}

#[tokio::test]
async fn a_first_mirror_fills_every_table_linked_then_a_second_writes_nothing() {
    let s = setup(TOKEN).await;
    let config = DashboardConfig::default();
    let first = run(&s, &config, today()).await.unwrap();
    let t = &config.tables;
    // 90 days, their weeks, and the window's records, every child linked to its day.
    assert_eq!(s.fake.rows(&t.day).len(), 90);
    let weeks = s.fake.rows(&t.week).len();
    assert!((13..=15).contains(&weeks), "{weeks}");
    let from = today().add_days(-89).unwrap();
    let activities = s.person.activities(from, today()).unwrap();
    assert!(!activities.is_empty());
    assert_eq!(s.fake.rows(&t.sessions).len(), activities.len());
    assert_eq!(
        s.fake.rows(&t.health).len(),
        s.person.daily_health(from, today()).unwrap().len()
    );
    let day_ids: Vec<String> = s.fake.rows(&t.day).iter().map(|r| r.id.clone()).collect();
    for table in [&t.events, &t.sessions, &t.health] {
        let rows = s.fake.rows(table);
        assert!(!rows.is_empty(), "{table} is empty");
        for r in rows {
            let day = r.fields["Day"][0].as_str().unwrap().to_owned();
            assert!(day_ids.contains(&day), "{table} row links to {day}");
        }
    }
    // Planned workouts done link to their session.
    assert!(
        s.fake
            .rows(&t.plans)
            .iter()
            .any(|r| r.fields.get("Actual").is_some())
    );
    assert_eq!(s.fake.counts().rate_limited, 0);
    let created: usize = first.tables.iter().map(|t| t.created).sum();
    assert_eq!(first.writes, s.fake.counts().writes);
    let run_row = &s.person.sync_runs(Some("airtable"), 1).unwrap()[0];
    assert_eq!(run_row.outcome, SyncOutcome::Succeeded);
    assert_eq!(run_row.added, created as u64);
    // Nothing changed: no write at all.
    let writes = s.fake.counts().writes;
    let second = run(&s, &config, today()).await.unwrap();
    assert_eq!(second.writes, 0);
    assert_eq!(s.fake.counts().writes, writes);
    assert!(
        second
            .tables
            .iter()
            .all(|t| t.created + t.updated + t.deleted == 0)
    );
}

#[tokio::test]
async fn one_changed_event_is_one_write_and_a_slid_window_deletes_only_remotely() {
    let s = setup(TOKEN).await;
    let config = DashboardConfig::default();
    run(&s, &config, today()).await.unwrap();
    // Rename a one-off event in the window.
    let from = today().add_days(-89).unwrap();
    let mut event = s
        .person
        .records::<StoredEvent>(Some((from, today())))
        .unwrap()
        .into_iter()
        .find(|e| e.record.recurrence.is_none())
        .unwrap();
    event.record.title = "Renamed".into();
    s.person
        .apply(&WriteBatch {
            records: vec![event.clone().into()],
            ..WriteBatch::default()
        })
        .unwrap();
    let writes = s.fake.counts().writes;
    let report = run(&s, &config, today()).await.unwrap();
    assert_eq!(report.writes, 1);
    assert_eq!(s.fake.counts().writes, writes + 1);
    let row = s
        .fake
        .rows(&config.tables.events)
        .into_iter()
        .find(|r| r.fields["Key"] == json!(format!("event:{}", event.id)))
        .unwrap();
    assert_eq!(row.fields["Name"], "Renamed");
    // Tomorrow the window moves on a day: the first day's rows leave the table, not the store.
    let leaving = day_key(from);
    let tomorrow = today().succ().unwrap();
    run(&s, &config, tomorrow).await.unwrap();
    let days = keys(&s.fake.rows(&config.tables.day));
    assert_eq!(days.len(), 90);
    assert!(!days.contains(&leaving));
    assert!(days.contains(&day_key(tomorrow)));
    assert!(!keys(&s.fake.rows(&config.tables.health)).contains(&format!("health:{from}")));
    assert_eq!(s.person.daily_health(from, from).unwrap().len(), 1);
}

#[tokio::test]
async fn hand_edits_are_undone_and_the_persons_rows_kept() {
    let s = setup(TOKEN).await;
    let config = DashboardConfig::default();
    run(&s, &config, today()).await.unwrap();
    let t = &config.tables;
    let sessions = s.fake.rows(&t.sessions);
    s.fake
        .edit_by_hand(&t.sessions, &sessions[0].id, "Name", json!("edited"));
    s.fake.delete_by_hand(&t.sessions, &sessions[1].id);
    let copy: serde_json::Map<String, Value> = sessions[2].fields.clone();
    s.fake.add_by_hand(&t.sessions, copy);
    let mine = s.fake.add_by_hand(
        &t.sessions,
        [("Name".to_owned(), json!("my own note"))]
            .into_iter()
            .collect(),
    );
    let report = run(&s, &config, today()).await.unwrap();
    let table = report
        .tables
        .iter()
        .find(|r| r.table == t.sessions)
        .unwrap();
    assert_eq!(
        (table.created, table.updated, table.deleted, table.foreign),
        (1, 1, 1, 1)
    );
    let after = s.fake.rows(&t.sessions);
    assert_eq!(keys(&after), keys(&sessions));
    assert!(after.iter().any(|r| r.id == mine));
    assert!(
        after
            .iter()
            .all(|r| r.fields.get("Name") != Some(&json!("edited")))
    );
}

#[tokio::test]
async fn faults_are_retried_and_failures_logged_then_finished_by_the_next_run() {
    let s = setup(TOKEN).await;
    let config = DashboardConfig::default();
    // A 503 and a truncated answer in the middle of the first run: retried, nothing doubled.
    s.fake
        .inject(Reply::json(200, r#"{"records": [{"id":"#).cut(10));
    s.fake.inject(Reply::json(503, "{}"));
    run(&s, &config, today()).await.unwrap();
    let complete = keys(&s.fake.rows(&config.tables.day));
    assert_eq!(complete.len(), 90);
    // A refused token fails the run; the run row says so without the token.
    let bad = setup("patWRONG").await;
    let err = run(&bad, &config, today()).await.unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Auth);
    let row = &bad.person.sync_runs(Some("airtable"), 1).unwrap()[0];
    assert_eq!(row.outcome, SyncOutcome::Failed);
    let said = row.error.clone().unwrap();
    assert!(said.contains("AUTHENTICATION_REQUIRED"), "{said}");
    assert!(!said.contains("patWRONG"));
}

#[tokio::test]
async fn a_run_stopped_between_requests_is_finished_by_the_next() {
    let s = setup(TOKEN).await;
    let config = DashboardConfig::default();
    let cancel = Cancel::default();
    let dashboard = Dashboard {
        store: &s.person,
        sink: &s.client,
        config: &config,
        zone: chrono_tz::Europe::Berlin,
        cancel: cancel.clone(),
    };
    let mut calls = 0;
    let err = dashboard
        .run(
            today(),
            "2026-12-04T18:00:00Z".parse().unwrap(),
            &mut |_| {
                calls += 1;
                if calls == 5 {
                    cancel.cancel();
                }
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Cancelled);
    assert_eq!(
        s.person.sync_runs(Some("airtable"), 1).unwrap()[0].outcome,
        SyncOutcome::Failed
    );
    let partial = s.fake.counts().writes;
    assert_eq!(partial, 5);
    let report = run(&s, &config, today()).await.unwrap();
    assert!(report.writes > 0);
    assert_eq!(keys(&s.fake.rows(&config.tables.day)).len(), 90);
    assert_eq!(run(&s, &config, today()).await.unwrap().writes, 0);
}

#[tokio::test]
async fn statute_units_and_renamed_fields() {
    let s = setup(TOKEN).await;
    let config = DashboardConfig {
        units: Units::Statute,
        rename: [("Distance (mi)".to_owned(), "Miles".to_owned())]
            .into_iter()
            .collect(),
        ..DashboardConfig::default()
    };
    run(&s, &config, today()).await.unwrap();
    let from = today().add_days(-89).unwrap();
    let a = s
        .person
        .activities(from, today())
        .unwrap()
        .into_iter()
        .find(|a| a.distance_m.is_some())
        .unwrap();
    let row = s
        .fake
        .rows(&config.tables.sessions)
        .into_iter()
        .find(|r| r.fields["Key"] == json!(format!("activity:{}", a.id)))
        .unwrap();
    let miles = row.fields["Miles"].as_f64().unwrap();
    let expected = a.distance_m.unwrap() / 1609.344;
    assert!((miles - expected).abs() < 0.006, "{miles} vs {expected}");
    assert!(!row.fields.contains_key("Distance (km)"));
    assert_eq!(s.client.name(), "airtable");
}

#[tokio::test]
async fn tasks_projects_reviews_and_the_sync_log_when_their_tables_are_named() {
    let s = setup(TOKEN).await;
    let config = DashboardConfig {
        tables: Tables {
            tasks: Some("Tasks".into()),
            projects: Some("Projects".into()),
            reviews: Some("Weekly Reviews".into()),
            sync_log: Some("Sync Logs".into()),
            ..Tables::default()
        },
        ..DashboardConfig::default()
    };
    run(&s, &config, today()).await.unwrap();
    let weeks = s.fake.rows("Week");
    let reviews = s.fake.rows("Weekly Reviews");
    assert_eq!(reviews.len(), weeks.len());
    let week_ids: Vec<&str> = weeks.iter().map(|w| w.id.as_str()).collect();
    assert!(
        reviews
            .iter()
            .all(|r| week_ids.contains(&r.fields["Week"][0].as_str().unwrap()))
    );
    let tasks = s.fake.rows("Tasks");
    assert!(!tasks.is_empty());
    let project_ids: Vec<String> = s
        .fake
        .rows("Projects")
        .iter()
        .map(|p| p.id.clone())
        .collect();
    assert!(tasks.iter().any(|t| t.fields.contains_key("Project")));
    for t in tasks.iter().filter(|t| t.fields.contains_key("Project")) {
        assert!(project_ids.contains(&t.fields["Project"][0].as_str().unwrap().to_owned()));
    }
    // The first run was still running while it mirrored: no log row yet. The next run logs it,
    // and that is its only write.
    assert!(s.fake.rows("Sync Logs").is_empty());
    let later = "2026-12-04T19:00:00Z".parse().unwrap();
    let dashboard = Dashboard {
        store: &s.person,
        sink: &s.client,
        config: &config,
        zone: chrono_tz::Europe::Berlin,
        cancel: Cancel::default(),
    };
    let second = dashboard.run(today(), later, &mut |_| {}).await.unwrap();
    assert_eq!(second.writes, 1);
    let log = s.fake.rows("Sync Logs");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].fields["Outcome"], "succeeded");
    assert_eq!(log[0].fields["Source"], "airtable");
}

#[test]
fn tables_are_named_by_role() {
    let mut t = Tables::default();
    t.set("day", "Days").unwrap();
    t.set("sync_log", "Logs").unwrap();
    assert_eq!(
        (t.day.as_str(), t.sync_log.as_deref()),
        ("Days", Some("Logs"))
    );
    assert_eq!(
        t.set("meals", "Meals"),
        Err(pa_core::Error::invalid(
            "tables",
            "'meals' is not a table role (day, week, events, sessions, health, body, plans, tasks, projects, reviews, sync_log)"
        ))
    );
    for role in Tables::ROLES {
        t.set(role, "x").unwrap();
    }
}

#[tokio::test]
async fn mass_deletions_are_refused_only_when_something_is_wrong() {
    let s = setup(TOKEN).await;
    let config = DashboardConfig::default();
    run(&s, &config, today()).await.unwrap();
    let t = &config.tables;
    // A data table that empties out (every weigh-in deleted here) just empties remotely.
    let from = today().add_days(-89).unwrap();
    let bodies = s
        .person
        .records::<BodyComposition>(Some((from, today())))
        .unwrap();
    assert!(!bodies.is_empty());
    s.person
        .apply(&WriteBatch {
            deletions: bodies
                .iter()
                .map(|b| {
                    pa_core::ports::RecordRef::new(
                        pa_core::ports::RecordKind::BodyComposition,
                        pa_core::ports::Record::key(b),
                    )
                })
                .collect(),
            ..WriteBatch::default()
        })
        .unwrap();
    run(&s, &config, today()).await.unwrap();
    assert!(s.fake.rows(&t.body).is_empty());
    // A window shrunk from 90 days to 10 by mistake: refused, nothing deleted, unless forced.
    let narrow = DashboardConfig {
        window_days: 10,
        ..DashboardConfig::default()
    };
    let err = run(&s, &narrow, today()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid Week table: would delete 12 of pa's 14 rows; force to allow it"
    );
    assert_eq!(s.fake.rows(&t.day).len(), 90);
    let forced = DashboardConfig {
        force: true,
        ..narrow
    };
    run(&s, &forced, today()).await.unwrap();
    assert_eq!(s.fake.rows(&t.day).len(), 10);
    // Another person's empty store mirrored into the same base: refused at the first data table.
    let nobody = s._pa.person("nobody", true).unwrap();
    let dashboard = Dashboard {
        store: &nobody,
        sink: &s.client,
        config: &forced,
        zone: chrono_tz::Europe::Berlin,
        cancel: Cancel::default(),
    };
    let careful = DashboardConfig {
        force: false,
        ..forced.clone()
    };
    let err = Dashboard {
        config: &careful,
        ..dashboard
    }
    .run(
        today(),
        "2026-12-04T18:00:00Z".parse().unwrap(),
        &mut |_| {},
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid Calendar Events table: nothing to show would delete all"),
        "{err}"
    );
    assert!(!s.fake.rows(&t.events).is_empty());
}
