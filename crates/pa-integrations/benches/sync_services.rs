//! The sync issue's service benchmarks, against the fake servers on 127.0.0.1 with the real
//! clock (whole runs, in-process): a first Airtable mirror of 350 events within 10 % of the
//! rate-limit bound (requests / 5 per second) and without a 429; an incremental mirror with
//! nothing changed making zero write requests, and with one changed event exactly one; an
//! incremental Google Calendar sync of one change in at most 1 s.
//!
//! `cargo bench -p pa-integrations --features testing --bench sync_services`; exits 1 when a
//! target is missed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use pa_core::calendar::Event;
use pa_core::ids::EventId;
use pa_core::ports::{SecretStore, SecretValue, StoredEvent, UserStore, WriteBatch};
use pa_core::time::{Day, ZonedInstant};
use pa_integrations::assistant::{Access, Assistant, Location, VaultSecrets};
use pa_integrations::fakes::airtable::FakeAirtable;
use pa_integrations::fakes::google_calendar::FakeGoogleCalendar;
use pa_integrations::http::oauth::TokenSource;
use pa_integrations::http::{HttpConfig, SystemTimer, Transport};
use pa_integrations::providers::airtable::{self, Airtable, AirtableConfig};
use pa_integrations::providers::google_calendar::{CalendarSource, GoogleCalendar};
use pa_integrations::secrets::{KdfParams, Secret};
use pa_integrations::sync::dashboard::{Cancel, Dashboard, DashboardConfig};
use pa_integrations::sync::source::Updater;
use serde_json::json;

const EVENTS: usize = 350;

fn event(i: usize, title: &str) -> StoredEvent {
    let tz = chrono_tz::Europe::Berlin;
    let day = i % 90;
    let start: chrono::DateTime<chrono::Utc> = "2026-09-06T08:00:00Z".parse().unwrap();
    let start = start
        + chrono::TimeDelta::days(day as i64)
        + chrono::TimeDelta::minutes((i / 90) as i64 * 70);
    let end = start + chrono::TimeDelta::minutes(60);
    StoredEvent {
        id: EventId::new(format!("ev-{i:04}")).unwrap(),
        record: Event::timed(
            "Work",
            title,
            ZonedInstant::new(start, tz),
            ZonedInstant::new(end, tz),
        )
        .unwrap(),
    }
}

#[tokio::main]
async fn main() {
    let mut missed = false;
    let today: Day = "2026-12-04".parse().unwrap();
    let pa = Assistant::open(&Location::Memory, Access::Create).unwrap();
    let person = pa.person("me", true).unwrap();
    person
        .apply(&WriteBatch {
            records: (0..EVENTS)
                .map(|i| event(i, &format!("Meeting {i}")).into())
                .collect(),
            ..WriteBatch::default()
        })
        .unwrap();

    // Airtable: the fake counts 5 requests per second per base on the real clock.
    let fake = FakeAirtable::new(
        "appBENCH",
        "patBENCH",
        Arc::new(SystemTimer::default()),
        &[],
    );
    let server = fake.start().await;
    let transport =
        Arc::new(Transport::system(HttpConfig::default(), &[airtable::rate()]).unwrap());
    let sink = Airtable::new(
        transport,
        AirtableConfig {
            url: server.url.clone(),
            ..AirtableConfig::new("appBENCH")
        },
        Secret::new("patBENCH"),
    );
    let config = DashboardConfig::default();
    let dashboard = Dashboard {
        store: &person,
        sink: &sink,
        config: &config,
        zone: chrono_tz::Europe::Berlin,
        cancel: Cancel::default(),
    };
    let now = "2026-12-04T18:00:00Z".parse().unwrap();
    let t = Instant::now();
    dashboard.run(today, now, &mut |_| {}).await.unwrap();
    let first = t.elapsed().as_secs_f64();
    let counts = fake.counts();
    let bound = counts.all as f64 / 5.0;
    let over = first / bound - 1.0;
    println!(
        "first mirror of {EVENTS} events: {first:.2} s for {} requests ({} writes, {} lists); bound {bound:.2} s; {:+.1} %; 429s: {}",
        counts.all,
        counts.writes,
        counts.lists,
        over * 100.0,
        counts.rate_limited
    );
    if over > 0.10 || counts.rate_limited > 0 {
        println!("  MISSED: within 10 % of the bound and no 429");
        missed = true;
    }
    let t = Instant::now();
    let report = dashboard.run(today, now, &mut |_| {}).await.unwrap();
    println!(
        "incremental mirror, nothing changed: {} write requests, {:.2} s",
        report.writes,
        t.elapsed().as_secs_f64()
    );
    missed |= report.writes != 0;
    person
        .apply(&WriteBatch {
            records: vec![event(7, "Meeting 7 (moved)").into()],
            ..WriteBatch::default()
        })
        .unwrap();
    let t = Instant::now();
    let report = dashboard.run(today, now, &mut |_| {}).await.unwrap();
    println!(
        "incremental mirror, one event changed: {} write request(s), {:.2} s",
        report.writes,
        t.elapsed().as_secs_f64()
    );
    missed |= report.writes != 1;

    // Google Calendar: one change after a full sync of 350 events.
    let google = FakeGoogleCalendar::new("1//bench");
    google.add_calendar("me@example.com", "Work", "Europe/Berlin");
    for i in 0..EVENTS {
        google.put(
            "me@example.com",
            json!({"id": format!("g{i}"), "summary": format!("Meeting {i}"),
                "start": {"dateTime": "2026-11-02T09:00:00+01:00", "timeZone": "Europe/Berlin"},
                "end": {"dateTime": "2026-11-02T10:00:00+01:00", "timeZone": "Europe/Berlin"}}),
        );
    }
    let gserver = google.start().await;
    let vault = pa
        .unlock(
            &Secret::new("bench"),
            KdfParams {
                m_cost_kib: 64,
                t_cost: 1,
                p_cost: 1,
            },
        )
        .unwrap();
    let secrets = Arc::new(VaultSecrets::new(person.clone(), Arc::new(vault)));
    secrets
        .put(
            "google.token",
            &SecretValue::new(
                json!({"token": "ya29.0", "refresh_token": "1//bench", "token_uri": format!("{}/token", gserver.url),
                    "client_id": "c", "client_secret": "s", "expiry": "2099-01-01T00:00:00Z"})
                .to_string(),
            ),
        )
        .unwrap();
    let transport = Arc::new(Transport::system(HttpConfig::default(), &[]).unwrap());
    let tokens = Arc::new(TokenSource::new(
        transport.clone(),
        secrets,
        "google.token",
        None,
    ));
    let api = Arc::new(GoogleCalendar::new(
        transport,
        tokens,
        Some(format!("{}/calendar/v3", gserver.url)),
    ));
    let calendar = api.calendars().await.unwrap().remove(0);
    let source = CalendarSource::new(api, calendar);
    let updater = Updater {
        store: &person,
        source: &source,
        cancel: Cancel::default(),
    };
    updater.run(now, &mut |_| {}).await.unwrap();
    google.put(
        "me@example.com",
        json!({"id": "g3", "summary": "Meeting 3 (moved)",
            "start": {"dateTime": "2026-11-02T11:00:00+01:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-11-02T12:00:00+01:00", "timeZone": "Europe/Berlin"}}),
    );
    let t = Instant::now();
    let report = updater
        .run(now + chrono::TimeDelta::seconds(1), &mut |_| {})
        .await
        .unwrap();
    let incremental = t.elapsed().as_secs_f64();
    println!(
        "incremental calendar sync of one change: {:.1} ms ({} updated)",
        incremental * 1000.0,
        report.written.updated
    );
    missed |= incremental > 1.0 || report.written.updated != 1;
    drop((server, gserver));
    if missed {
        std::process::exit(1);
    }
}
