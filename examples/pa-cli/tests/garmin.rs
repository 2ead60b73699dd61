//! `pa auth garmin` and `pa sync garmin` as a user runs them, against the fake Garmin Connect of
//! pa-integrations' `testing` feature on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{pa, store, write};
use pa_integrations::assistant::SystemClock;
use pa_integrations::fakes::garmin::{Account, FakeGarmin};

const PASS: &str = "correct horse battery";
const CLIENT: &str = "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2";

struct Fake {
    rt: tokio::runtime::Runtime,
    garmin: Arc<FakeGarmin>,
    url: String,
    _server: pa_integrations::fakes::Running,
}

fn start(days: u32, activities: u32) -> Fake {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let garmin = FakeGarmin::new("runner42", CLIENT, "di-refresh-0", Arc::new(SystemClock));
    garmin.fill("2025-12-06".parse().unwrap(), days, activities);
    let server = rt.block_on(garmin.start());
    Fake {
        url: server.url.clone(),
        rt,
        garmin,
        _server: server,
    }
}

fn cmd(db: &str, f: &Fake) -> assert_cmd::Command {
    let mut c = pa();
    c.args(["--db", db])
        .env("PA_VAULT_PASSPHRASE", PASS)
        .env("PA_NO_KEYRING", "1")
        .env("PA_GARMIN_URL", &f.url)
        .env("PA_GARMIN_AUTH_URL", &f.url)
        .env_remove("GARMIN_TOKEN_FILE")
        .env_remove("GARMIN_EMAIL")
        .env_remove("GARMIN_PASSWORD")
        .env_remove("AIRTABLE_BASE_ID")
        .env("PA_NOW", "2026-12-05T12:00:00Z");
    c
}

fn link(dir: &tempfile::TempDir, db: &str, f: &Fake) {
    let token = serde_json::json!({"di_token": f.garmin.issue(), "di_refresh_token": "di-refresh-0",
        "di_client_id": CLIENT});
    let file = write(dir, "garmin_tokens.json", &token.to_string());
    cmd(db, f)
        .args(["auth", "garmin", "--token-file", &file])
        .assert()
        .success();
}

#[test]
fn a_token_file_links_and_a_sync_brings_a_range_of_days() {
    let f = start(365, 30);
    let (dir, db) = store();
    link(&dir, &db, &f);
    let out = cmd(&db, &f)
        .args([
            "sync",
            "garmin",
            "--since",
            "2026-11-01",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["what"], "2026-11-01 to 2026-12-05");
    let all = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    assert!(!all.contains(&f.garmin.access_token()) && !all.contains("di-refresh"));
    let health = common::json_rows(&["--db", &db, "export", "--kind", "daily-health"]);
    assert_eq!(health.len(), 35);
    // A password login Cloudflare blocks: one clear error, exit 77.
    f.garmin.set_account(Account {
        email: "runner@example.com".into(),
        password: "pw".into(),
        cloudflare: true,
        ..Account::default()
    });
    cmd(&db, &f)
        .env("GARMIN_EMAIL", "runner@example.com")
        .env("GARMIN_PASSWORD", "pw")
        .args(["auth", "garmin", "--login"])
        .assert()
        .code(77)
        .stderr(predicates::str::contains("Cloudflare answered 429"));
    assert_eq!(f.garmin.counts().logins, 1);
}

#[test]
fn sigkill_during_a_garmin_backfill_keeps_whole_ranges_and_the_next_run_resumes() {
    let f = start(365, 300);
    let (dir, db) = store();
    link(&dir, &db, &f);
    let probe = dir.path().join("probe.db");
    std::fs::copy(&db, &probe).unwrap();
    let started = Instant::now();
    cmd(probe.to_str().unwrap(), &f)
        .args(["-q", "sync", "garmin", "--since", "2025-12-06"])
        .assert()
        .success();
    let whole = started.elapsed();
    let mut last = 0;
    for k in 1..=4u32 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pa"))
            .args(["--db", &db, "-q", "sync", "garmin", "--since", "2025-12-06"])
            .env("PA_VAULT_PASSPHRASE", PASS)
            .env("PA_NO_KEYRING", "1")
            .env("PA_GARMIN_URL", &f.url)
            .env("PA_GARMIN_AUTH_URL", &f.url)
            .env("PA_NOW", "2026-12-05T12:00:00Z")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(whole.mul_f64(0.3));
        child.kill().ok();
        child.wait().unwrap();
        pa().args(["--db", &db, "check"]).assert().success();
        let days = common::json_rows(&["--db", &db, "export", "--kind", "daily-health"]).len();
        let status = common::json(&["--db", &db, "sync", "status"]);
        let cursor = status["states"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"] == "garmin")
            .map(|s| s["has_cursor"] == true)
            .unwrap_or(false);
        // Whole 28-day ranges only (the last range ends on the 5th of December), never fewer
        // days than before: each run goes on from where the last one stopped.
        assert!(
            days.is_multiple_of(28) || days == 365,
            "after kill {k}: {days} days"
        );
        assert!(days >= last, "after kill {k}: {days} < {last}");
        assert_eq!(cursor, days > 0, "after kill {k}");
        last = days;
    }
    cmd(&db, &f)
        .args(["-q", "sync", "garmin", "--since", "2025-12-06"])
        .assert()
        .success();
    let days = common::json_rows(&["--db", &db, "export", "--kind", "daily-health"]).len();
    assert_eq!(days, 365);
    drop(f.rt);
}

#[test]
fn pa_import_reads_a_garmin_export_zipped_or_unpacked() {
    let (dir, db) = store();
    let first = "2026-10-01".parse().unwrap();
    let zip = dir.path().join("garmin-export.zip");
    std::fs::write(
        &zip,
        pa_integrations::fakes::garmin_export::archive(first, 20, 4, 60),
    )
    .unwrap();
    let out = pa()
        .args([
            "--db",
            &db,
            "import",
            zip.to_str().unwrap(),
            "--format",
            "json",
        ])
        .env("PA_NOW", "2026-12-05T12:00:00Z")
        .assert()
        .success()
        .get_output()
        .clone();
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports[0]["format"], "garmin-export");
    assert_eq!(reports[0]["added"], 5 + 20 + 7, "{reports}");
    // The unpacked folder again: the same records, nothing new.
    let unpacked = dir.path().join("unpacked");
    pa_integrations::fakes::garmin_export::unpack(&unpacked, first, 20, 4, 60);
    let out = pa()
        .args([
            "--db",
            &db,
            "import",
            unpacked.to_str().unwrap(),
            "--format",
            "json",
        ])
        .env("PA_NOW", "2026-12-05T12:00:00Z")
        .assert()
        .success()
        .get_output()
        .clone();
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            reports[0]["added"].as_u64(),
            reports[0]["unchanged"].as_u64()
        ),
        (Some(0), Some(32))
    );
    let health = common::json_rows(&["--db", &db, "export", "--kind", "daily-health"]);
    assert_eq!(health.len(), 20);
    // A folder that is no export: a clear error.
    pa().args(["--db", &db, "import", dir.path().to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "an unpacked Garmin data export (holding DI_CONNECT)",
        ));
}
