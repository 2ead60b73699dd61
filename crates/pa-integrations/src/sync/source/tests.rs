use std::sync::Arc;

use pa_core::calendar::{EventTime, expand};
use pa_core::ports::SecretStore;
use pa_core::ports::SecretValue;
use serde_json::{Value, json};

use super::*;
use crate::assistant::{Access, Assistant, Location, Person, VaultSecrets};
use crate::fakes::Reply;
use crate::fakes::google_calendar::FakeGoogleCalendar;
use crate::http::oauth::TokenSource;
use crate::http::{HttpConfig, ManualTimer, Transport};
use crate::providers::google_calendar::{CalendarInfo, CalendarSource, GoogleCalendar};
use crate::secrets::{KdfParams, Secret};

const WORK: &str = "work@example.com";
const HOME: &str = "home-calendar";

struct Setup {
    fake: Arc<FakeGoogleCalendar>,
    person: Person,
    api: Arc<GoogleCalendar>,
    _server: crate::fakes::Running,
    _pa: Assistant,
}

fn timed(id: &str, title: &str, start: &str, end: &str) -> Value {
    json!({"id": id, "summary": title,
        "start": {"dateTime": start, "timeZone": "Europe/Berlin"},
        "end": {"dateTime": end, "timeZone": "Europe/Berlin"}})
}

async fn setup(page_size: u32) -> Setup {
    let fake = FakeGoogleCalendar::new("1//refresh");
    fake.add_calendar(WORK, "Work", "Europe/Berlin");
    fake.add_calendar(HOME, "Home", "Europe/Berlin");
    fake.put(
        WORK,
        timed(
            "a1",
            "Dentist",
            "2026-03-05T14:00:00+01:00",
            "2026-03-05T15:00:00+01:00",
        ),
    );
    fake.put(
        WORK,
        json!({"id": "h0", "summary": "Holiday", "eventType": "outOfOffice",
        "start": {"date": "2026-04-06"}, "end": {"date": "2026-04-07"}}),
    );
    let mut series = timed(
        "r1",
        "Standup",
        "2026-03-02T09:00:00+01:00",
        "2026-03-02T09:15:00+01:00",
    );
    series["recurrence"] = json!(["RRULE:FREQ=WEEKLY;COUNT=5"]);
    fake.put(WORK, series);
    let mut moved = timed(
        "r1_20260309T080000Z",
        "Standup (moved)",
        "2026-03-09T11:00:00+01:00",
        "2026-03-09T11:15:00+01:00",
    );
    moved["recurringEventId"] = json!("r1");
    moved["originalStartTime"] =
        json!({"dateTime": "2026-03-09T09:00:00+01:00", "timeZone": "Europe/Berlin"});
    fake.put(WORK, moved);
    fake.put(WORK, json!({"id": "r1_20260316T080000Z", "status": "cancelled", "recurringEventId": "r1",
        "originalStartTime": {"dateTime": "2026-03-16T09:00:00+01:00", "timeZone": "Europe/Berlin"}}));
    fake.put(
        HOME,
        timed(
            "m1",
            "Call mum",
            "2026-03-07T18:00:00+01:00",
            "2026-03-07T18:30:00+01:00",
        ),
    );
    let server = fake.start().await;

    let pa = Assistant::open(&Location::Memory, Access::Create).unwrap();
    let person = pa.person("me", true).unwrap();
    let vault = pa
        .unlock(
            &Secret::new("correct horse"),
            KdfParams {
                m_cost_kib: 64,
                t_cost: 1,
                p_cost: 1,
            },
        )
        .unwrap();
    let secrets = Arc::new(VaultSecrets::new(person.clone(), Arc::new(vault)));
    let token_file = json!({"token": "ya29.0", "refresh_token": "1//refresh",
        "token_uri": format!("{}/token", server.url), "client_id": "cid", "client_secret": "csecret",
        "scopes": ["https://www.googleapis.com/auth/calendar.readonly"],
        "expiry": "2026-12-05T12:00:00Z"});
    secrets
        .put("google.token", &SecretValue::new(token_file.to_string()))
        .unwrap();
    let timer = Arc::new(ManualTimer::new("2026-12-05T10:00:00Z".parse().unwrap()));
    let transport = Arc::new(
        Transport::new(
            HttpConfig {
                jitter_seed: Some(5),
                ..HttpConfig::default()
            },
            timer.clone(),
            timer,
            &[],
        )
        .unwrap(),
    );
    let tokens = Arc::new(TokenSource::new(
        transport.clone(),
        secrets,
        "google.token",
        None,
    ));
    let api = Arc::new(
        GoogleCalendar::new(
            transport,
            tokens,
            Some(format!("{}/calendar/v3", server.url)),
        )
        .with_page_size(page_size),
    );
    Setup {
        fake,
        person,
        api,
        _server: server,
        _pa: pa,
    }
}

/// A later instant on every call: each run gets a run row of its own.
fn now() -> DateTime<Utc> {
    static RUNS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    "2026-12-05T10:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::TimeDelta::seconds(n)
}

async fn sync(s: &Setup, calendar: &CalendarInfo) -> Result<UpdateReport> {
    let source = CalendarSource::new(s.api.clone(), calendar.clone());
    let updater = Updater {
        store: &s.person,
        source: &source,
        cancel: Cancel::default(),
    };
    updater.run(now(), &mut |_| {}).await
}

fn events(s: &Setup) -> Vec<StoredEvent> {
    s.person.records::<StoredEvent>(None).unwrap()
}

fn titled<'a>(all: &'a [StoredEvent], title: &str) -> &'a StoredEvent {
    all.iter().find(|e| e.record.title == title).unwrap()
}

/// Titles and local start times of the standup's occurrences in March.
fn standups(s: &Setup) -> Vec<(String, String)> {
    let all = events(s);
    let e = titled(&all, "Standup");
    let from = "2026-03-01T00:00:00Z".parse().unwrap();
    let to = "2026-04-01T00:00:00Z".parse().unwrap();
    expand(&e.record, from, to, chrono_tz::Europe::Berlin)
        .unwrap()
        .into_iter()
        .map(|o| match o.time {
            EventTime::Timed { start, .. } => {
                (o.title, start.local().format("%m-%d %H:%M").to_string())
            }
            EventTime::AllDay { start, .. } => (o.title, start.to_string()),
        })
        .collect()
}

#[tokio::test]
async fn a_full_sync_then_incremental_ones_keep_the_store_equal_to_the_calendars() {
    let s = setup(250).await;
    let calendars = s.api.calendars().await.unwrap();
    assert_eq!(
        calendars
            .iter()
            .map(|c| c.summary.as_str())
            .collect::<Vec<_>>(),
        ["Work", "Home"]
    );
    for c in &calendars {
        sync(&s, c).await.unwrap();
    }
    let all = events(&s);
    assert_eq!(all.len(), 4);
    assert_eq!(titled(&all, "Call mum").record.calendar, "Home");
    // Event types other than "default" are kept for front ends to show or hide.
    assert_eq!(
        titled(&all, "Holiday").record.kind.as_deref(),
        Some("outOfOffice")
    );
    assert_eq!(titled(&all, "Call mum").record.kind, None);
    let holiday = &titled(&all, "Holiday").record.time;
    assert!(
        matches!(holiday, EventTime::AllDay { start, .. } if start.to_string() == "2026-04-06")
    );
    // The series as a rule with its changes: moved on the 9th, gone on the 16th.
    assert_eq!(
        standups(&s),
        [
            ("Standup".to_owned(), "03-02 09:00".to_owned()),
            ("Standup (moved)".to_owned(), "03-09 11:00".to_owned()),
            ("Standup".to_owned(), "03-23 09:00".to_owned()),
            ("Standup".to_owned(), "03-30 09:00".to_owned()),
        ]
    );
    let state = s
        .person
        .sync_state(&format!("google_calendar:{WORK}"))
        .unwrap()
        .unwrap();
    assert!(state.cursor.is_some());
    // Changes in the app: one renamed, one deleted, one more occurrence cancelled.
    s.fake.put(
        WORK,
        timed(
            "a1",
            "Dentist (moved)",
            "2026-03-05T16:00:00+01:00",
            "2026-03-05T17:00:00+01:00",
        ),
    );
    s.fake.cancel(WORK, "h0");
    s.fake.put(WORK, json!({"id": "r1_20260323T080000Z", "status": "cancelled", "recurringEventId": "r1",
        "originalStartTime": {"dateTime": "2026-03-23T09:00:00+01:00", "timeZone": "Europe/Berlin"}}));
    let lists = s.fake.counts().event_lists;
    let report = sync(&s, &calendars[0]).await.unwrap();
    assert_eq!(s.fake.counts().event_lists, lists + 1);
    assert_eq!((report.written.updated, report.written.deleted), (2, 1));
    let all = events(&s);
    assert_eq!(all.len(), 3);
    assert!(all.iter().any(|e| e.record.title == "Dentist (moved)"));
    assert_eq!(standups(&s).len(), 3);
    // Nothing changed: nothing written, the same token kept.
    let quiet = sync(&s, &calendars[0]).await.unwrap();
    assert_eq!(quiet.written, WriteReport::default());
    let runs = s
        .person
        .sync_runs(Some(&format!("google_calendar:{WORK}")), 10)
        .unwrap();
    assert_eq!(runs.len(), 3);
    assert!(runs.iter().all(|r| r.outcome == SyncOutcome::Succeeded));
}

#[tokio::test]
async fn a_refused_token_lists_everything_and_sweeps_only_what_vanished_from_that_calendar() {
    let s = setup(2).await;
    let calendars = s.api.calendars().await.unwrap();
    for c in &calendars {
        sync(&s, c).await.unwrap();
    }
    // A note of the person's own, not from Google.
    let mine = pa_core::calendar::Event::timed(
        "Personal",
        "My own",
        pa_core::time::ZonedInstant::new("2026-03-05T10:00:00Z".parse().unwrap(), chrono_tz::UTC),
        pa_core::time::ZonedInstant::new("2026-03-05T11:00:00Z".parse().unwrap(), chrono_tz::UTC),
    )
    .unwrap();
    s.person
        .apply(&WriteBatch {
            records: vec![
                StoredEvent {
                    id: pa_core::ids::EventId::new("mine").unwrap(),
                    record: mine,
                }
                .into(),
            ],
            ..WriteBatch::default()
        })
        .unwrap();
    s.fake.forget(WORK, "a1");
    s.fake.invalidate_sync_tokens();
    let report = sync(&s, &calendars[0]).await.unwrap();
    assert!(report.resynced);
    assert_eq!(report.swept, 1);
    let titles: Vec<String> = events(&s).into_iter().map(|e| e.record.title).collect();
    assert!(!titles.contains(&"Dentist".to_owned()));
    for kept in ["Holiday", "Standup", "Call mum", "My own"] {
        assert!(
            titles.contains(&kept.to_owned()),
            "{kept} missing from {titles:?}"
        );
    }
    assert_eq!(s.fake.counts().gone, 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_a_revoked_one_needs_relinking() {
    let s = setup(250).await;
    let calendars = s.api.calendars().await.unwrap();
    s.fake.expire_access();
    sync(&s, &calendars[0]).await.unwrap();
    assert_eq!(s.fake.counts().refreshes, 1);
    assert_eq!(s.fake.counts().unauthorized, 1);
    s.fake.revoke();
    s.fake.expire_access();
    let cursor = s
        .person
        .sync_state(&format!("google_calendar:{WORK}"))
        .unwrap()
        .unwrap()
        .cursor;
    let err = sync(&s, &calendars[0]).await.unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Auth);
    assert!(err.to_string().contains("re-link needed"), "{err}");
    let state = s
        .person
        .sync_state(&format!("google_calendar:{WORK}"))
        .unwrap()
        .unwrap();
    assert_eq!(state.cursor, cursor);
    assert!(state.last_error.unwrap().contains("invalid_grant"));
    let run = &s
        .person
        .sync_runs(Some(&format!("google_calendar:{WORK}")), 1)
        .unwrap()[0];
    assert_eq!(run.outcome, SyncOutcome::Failed);
}

#[tokio::test]
async fn faults_and_pages_that_change_underneath_end_with_the_store_equal_to_the_calendar() {
    let s = setup(1).await;
    let calendars = s.api.calendars().await.unwrap();
    s.fake.inject(Reply::json(500, r#"{"error": {"code": 500, "message": "Backend Error", "errors": [{"reason": "backendError"}]}}"#));
    s.fake
        .inject(Reply::json(429, "{}").header("retry-after", "2"));
    s.fake.inject(Reply::json(403, r#"{"error": {"code": 403, "message": "Rate Limit Exceeded", "errors": [{"domain": "usageLimits", "reason": "rateLimitExceeded"}]}}"#));
    s.fake
        .inject(Reply::json(200, r#"{"kind": "calendar#events", "items": [{"id": "#).cut(20));
    // While the pages of the first listing are read, the dentist moves.
    s.fake.put_after(
        3,
        WORK,
        timed(
            "a1",
            "Dentist (late)",
            "2026-03-05T17:00:00+01:00",
            "2026-03-05T18:00:00+01:00",
        ),
    );
    sync(&s, &calendars[0]).await.unwrap();
    // The change is picked up by the listing or by the next update; never lost or doubled.
    sync(&s, &calendars[0]).await.unwrap();
    let all = events(&s);
    assert_eq!(all.len(), 3);
    assert_eq!(
        all.iter()
            .filter(|e| e.record.title.starts_with("Dentist"))
            .map(|e| e.record.title.as_str())
            .collect::<Vec<_>>(),
        ["Dentist (late)"]
    );
}

#[tokio::test]
async fn a_run_stopped_between_pages_writes_nothing_and_the_next_completes() {
    let s = setup(1).await;
    let calendars = s.api.calendars().await.unwrap();
    let source = CalendarSource::new(s.api.clone(), calendars[0].clone());
    let cancel = Cancel::default();
    let updater = Updater {
        store: &s.person,
        source: &source,
        cancel: cancel.clone(),
    };
    let err = updater
        .run(now(), &mut |p| {
            if p.pages == 2 {
                cancel.cancel();
            }
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Cancelled);
    assert!(events(&s).is_empty());
    let state = s
        .person
        .sync_state(&format!("google_calendar:{WORK}"))
        .unwrap()
        .unwrap();
    assert_eq!(state.cursor, None);
    sync(&s, &calendars[0]).await.unwrap();
    assert_eq!(events(&s).len(), 3);
}
