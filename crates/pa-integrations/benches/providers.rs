//! Issue 18's benchmarks, in-process, against the fakes on 127.0.0.1 and into a SQLite store on
//! disk (the real clock; each run from an empty store; medians of 3 runs):
//! - a Plaid sync of 50,000 transactions, 500 per page: ≤ 3 s;
//! - a Garmin Connect backfill of one year (365 days of summary, sleep and HRV, weigh-ins every
//!   third day, 300 activities with their detail samples): ≤ 5 s (the fake has no rate limit);
//! - importing a Garmin data export of one year (365 days of wellness JSON, 300 one-hour FIT
//!   activities at 1 Hz): ≤ 2 s.
//!
//! `cargo bench -p pa-integrations --features testing --bench providers`; exits 1 when a target
//! is missed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use pa_core::ports::{FixedClock, UserStore};
use pa_core::time::Day;
use pa_integrations::assistant::{
    Access, Assistant, GarminSettings, ImportRequest, Location, PlaidSettings, SystemClock,
};
use pa_integrations::fakes::garmin::FakeGarmin;
use pa_integrations::fakes::garmin_export;
use pa_integrations::fakes::plaid::{self as fake_plaid, FakePlaid};
use pa_integrations::http::HttpConfig;
use pa_integrations::secrets::{KdfParams, Secret};
use pa_integrations::sync::dashboard::Cancel;

const RUNS: usize = 3;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn store(dir: &tempfile::TempDir, run: usize) -> Assistant {
    Assistant::open(
        &Location::File(dir.path().join(format!("pa-{run}.db"))),
        Access::Create,
    )
    .unwrap()
    .with_clock(Arc::new(FixedClock(
        "2026-12-05T10:00:00Z".parse().unwrap(),
    )))
}

fn vault(pa: &Assistant) -> Arc<pa_integrations::secrets::Vault> {
    Arc::new(
        pa.unlock(
            &Secret::new("bench"),
            KdfParams {
                m_cost_kib: 64,
                t_cost: 1,
                p_cost: 1,
            },
        )
        .unwrap(),
    )
}

async fn plaid(dir: &tempfile::TempDir) -> Duration {
    let fake = FakePlaid::new("bench", "bench-secret");
    let server = fake.start().await;
    let settings = PlaidSettings {
        url: Some(server.url.clone()),
        env: None,
        client_id: "bench".into(),
        secret: Secret::new("bench-secret"),
    };
    let mut times = Vec::new();
    for run in 0..RUNS {
        let pa = store(dir, 100 + run);
        let me = pa.person("me", true).unwrap();
        let v = vault(&pa);
        let http = HttpConfig::default();
        let link = me.plaid_link_token(&settings, &http).await.unwrap();
        let public = fake.complete_link(&link, "ins_1").unwrap();
        let item = me
            .link_plaid(&v, &settings, &Secret::new(public), &http)
            .await
            .unwrap();
        for i in 0..50_000u32 {
            let amount = format!("{}.{:02}", i % 400, i % 100);
            let day = format!("2026-{:02}-{:02}", 1 + i % 11, 1 + i % 28);
            fake.add(
                &item,
                fake_plaid::transaction(
                    &format!("tx{i:06}"),
                    &format!("{item}-chk"),
                    &amount,
                    &day,
                    i % 50 == 0,
                ),
            );
        }
        let started = Instant::now();
        let reports = me
            .sync_plaid(&v, &settings, &http, &Cancel::default(), &mut |_| {})
            .await
            .unwrap();
        times.push(started.elapsed());
        let tx = reports[0].transactions.as_ref().unwrap();
        assert_eq!(tx.pages, 100);
        assert_eq!(
            me.transactions(Day::EARLIEST, Day::LATEST).unwrap().len(),
            50_000
        );
    }
    median(times)
}

async fn garmin(dir: &tempfile::TempDir) -> Duration {
    let mut times = Vec::new();
    for run in 0..RUNS {
        let fake = FakeGarmin::new(
            "runner42",
            "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
            "r0",
            Arc::new(SystemClock),
        );
        fake.fill("2025-12-06".parse().unwrap(), 365, 300);
        let server = fake.start().await;
        let pa = store(dir, 200 + run);
        let me = pa.person("me", true).unwrap();
        let v = vault(&pa);
        let token = serde_json::json!({"di_token": fake.issue(), "di_refresh_token": "r0"});
        me.link_garmin(&v, &Secret::new(token.to_string())).unwrap();
        let settings = GarminSettings {
            url: Some(server.url.clone()),
            auth_url: Some(server.url.clone()),
        };
        let started = Instant::now();
        let report = me
            .sync_garmin(
                v,
                &settings,
                Some("2025-12-06".parse().unwrap()),
                &HttpConfig::default(),
                &Cancel::default(),
                &mut |_| {},
            )
            .await
            .unwrap();
        times.push(started.elapsed());
        assert_eq!(report.ranges, 14);
        assert_eq!(
            me.daily_health(Day::EARLIEST, Day::LATEST).unwrap().len(),
            365
        );
        assert_eq!(
            me.activities(Day::EARLIEST, Day::LATEST).unwrap().len(),
            300
        );
    }
    median(times)
}

fn export(dir: &tempfile::TempDir) -> (Duration, usize) {
    let bytes = garmin_export::archive("2025-12-06".parse().unwrap(), 365, 300, 3600);
    let path = dir.path().join("garmin-export.zip");
    std::fs::write(&path, &bytes).unwrap();
    let mut times = Vec::new();
    for run in 0..RUNS {
        let pa = store(dir, 300 + run);
        let me = pa.person("me", true).unwrap();
        let started = Instant::now();
        let reports = me
            .import_files(
                std::slice::from_ref(&path),
                &ImportRequest::default(),
                |_, _| {},
            )
            .unwrap();
        times.push(started.elapsed());
        assert_eq!(reports[0].added, 301 + 365 + 122);
    }
    (median(times), bytes.len())
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut missed = false;
    let mut report = |what: &str, took: Duration, target: Duration| {
        let ok = took <= target;
        missed |= !ok;
        println!(
            "{what}: {:.0} ms (target ≤ {} ms){}",
            took.as_secs_f64() * 1000.0,
            target.as_millis(),
            if ok { "" } else { "  MISSED" }
        );
    };
    let p = plaid(&dir).await;
    report(
        "Plaid sync, 50,000 transactions in 100 pages",
        p,
        Duration::from_secs(3),
    );
    let g = garmin(&dir).await;
    report(
        "Garmin backfill, one year and 300 activities",
        g,
        Duration::from_secs(5),
    );
    let (e, size) = export(&dir);
    report(
        &format!(
            "Garmin export import, one year and 300 FIT activities ({:.1} MB zipped)",
            size as f64 / 1e6
        ),
        e,
        Duration::from_secs(2),
    );
    if missed {
        std::process::exit(1);
    }
}
