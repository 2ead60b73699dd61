//! `pa auth` and `pa sync` as a user runs them, against fake Google Calendar and Airtable
//! servers on 127.0.0.1 (the fakes of pa-integrations' `testing` feature).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{pa, store, write};
use pa_integrations::fakes::airtable::FakeAirtable;
use pa_integrations::fakes::google_calendar::FakeGoogleCalendar;
use pa_integrations::http::SystemTimer;
use serde_json::{Value, json};

const PASS: &str = "correct horse battery";
const AIRTABLE: &str = "patCLI.secret-token-value";

struct Fakes {
    rt: tokio::runtime::Runtime,
    google: Arc<FakeGoogleCalendar>,
    airtable: Arc<FakeAirtable>,
    google_url: String,
    airtable_url: String,
    _servers: Vec<pa_integrations::fakes::Running>,
}

fn event(i: usize) -> Value {
    let day = 28 - i % 28;
    json!({"id": format!("ev{i:05}"), "summary": format!("Meeting {i}"),
        "start": {"dateTime": format!("2026-11-{day:02}T09:00:00+01:00"), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": format!("2026-11-{day:02}T10:00:00+01:00"), "timeZone": "Europe/Berlin"}})
}

fn fakes(events: usize) -> Fakes {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let google = FakeGoogleCalendar::new("1//cli-refresh");
    google.add_calendar("me@example.com", "Work", "Europe/Berlin");
    for i in 0..events {
        google.put("me@example.com", event(i));
    }
    let airtable = FakeAirtable::new("appCLI", AIRTABLE, Arc::new(SystemTimer::default()), &[]);
    let (g, a) = rt.block_on(async { (google.start().await, airtable.start().await) });
    Fakes {
        google_url: g.url.clone(),
        airtable_url: a.url.clone(),
        rt,
        google,
        airtable,
        _servers: vec![g, a],
    }
}

/// `pa` with the store, the vault passphrase and the fakes' addresses.
fn cmd(db: &str, f: &Fakes) -> assert_cmd::Command {
    let mut c = pa();
    c.args(["--db", db])
        .env("PA_VAULT_PASSPHRASE", PASS)
        // The passphrase path, whatever keyring the machine running the tests has.
        .env("PA_NO_KEYRING", "1")
        .env(
            "PA_GOOGLE_CALENDAR_URL",
            format!("{}/calendar/v3", f.google_url),
        )
        .env("PA_AIRTABLE_URL", &f.airtable_url)
        .env("AIRTABLE_BASE_ID", "appCLI")
        .env_remove("AIRTABLE_ACCESS_TOKEN")
        .env_remove("GOOGLE_CALENDAR_ID")
        .env("PA_NOW", "2026-11-30T12:00:00Z");
    c
}

fn link_google(dir: &tempfile::TempDir, db: &str, f: &Fakes) {
    let token = json!({"token": "ya29.0", "refresh_token": "1//cli-refresh",
        "token_uri": format!("{}/token", f.google_url), "client_id": "cid", "client_secret": "csecret-value",
        "scopes": ["https://www.googleapis.com/auth/calendar.readonly"], "expiry": "2026-11-30T11:00:00Z"});
    let file = write(dir, "token.json", &token.to_string());
    cmd(db, f)
        .args(["auth", "google", "--token-file", &file])
        .assert()
        .success();
}

fn rows(out: &[u8]) -> Vec<Value> {
    serde_json::from_slice::<Value>(out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn calendar_then_dashboard_then_status_and_nothing_secret_printed() {
    let f = fakes(12);
    let (dir, db) = store();
    link_google(&dir, &db, &f);
    let out = cmd(&db, &f)
        .args(["sync", "calendar", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let r = rows(&out.stdout);
    assert_eq!(r[0]["what"], "me@example.com");
    assert_eq!(r[0]["added"], 12);
    // The token was expired: refreshed once through the fake's token endpoint.
    assert_eq!(f.google.counts().refreshes, 1);
    // The dashboard, with the token from the environment (stored in the vault on first use).
    let out = cmd(&db, &f)
        .env("AIRTABLE_ACCESS_TOKEN", AIRTABLE)
        .args(["sync", "airtable", "--window-days", "7", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let tables = rows(&out.stdout);
    let day = tables.iter().find(|t| t["what"] == "Day").unwrap();
    assert_eq!(day["added"], 7);
    assert_eq!(f.airtable.rows("Day").len(), 7);
    let events = f.airtable.rows("Calendar Events").len();
    assert!(events > 0, "events in the window");
    // Again, with the token now only in the vault: no write.
    let writes = f.airtable.counts().writes;
    cmd(&db, &f)
        .args(["sync", "airtable", "--window-days", "7", "-q"])
        .assert()
        .success();
    assert_eq!(f.airtable.counts().writes, writes);
    let status = common::json(&["--db", &db, "sync", "status", "--runs", "5"]);
    let states = status["states"].as_array().unwrap();
    assert_eq!(states[0]["source"], "google_calendar:me@example.com");
    assert_eq!(states[0]["has_cursor"], true);
    // One run row per source and start (both dashboard runs start at the same --now).
    let mut sources: Vec<&str> = status["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    sources.sort_unstable();
    assert_eq!(sources, ["airtable", "google_calendar:me@example.com"]);
    // No token anywhere in what was printed.
    for o in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(o);
        for secret in [AIRTABLE, "1//cli-refresh", "csecret-value", PASS] {
            assert!(!text.contains(secret), "{secret} printed");
        }
    }
    drop(f.rt);
}

#[test]
fn the_vault_needs_its_passphrase_and_tokens_never_come_from_arguments() {
    let f = fakes(1);
    let (dir, db) = store();
    link_google(&dir, &db, &f);
    cmd(&db, &f)
        .env("PA_VAULT_PASSPHRASE", "wrong")
        .args(["sync", "calendar"])
        .assert()
        .code(77)
        .stderr(predicates::str::contains("passphrase"));
    cmd(&db, &f)
        .env_remove("PA_VAULT_PASSPHRASE")
        .args(["sync", "calendar"])
        .assert()
        .code(65)
        .stderr(predicates::str::contains("PA_VAULT_PASSPHRASE"));
    // --all syncs what is linked and says what it skipped.
    cmd(&db, &f)
        .args(["sync", "--all", "--format", "json"])
        .assert()
        .success()
        .stderr(predicates::str::contains("Airtable: not linked"));
    // No token in the environment and no terminal to ask on: a clear error.
    cmd(&db, &f)
        .args(["auth", "airtable"])
        .assert()
        .code(65)
        .stderr(predicates::str::contains("set AIRTABLE_ACCESS_TOKEN"));
    // There is no flag to pass a token.
    cmd(&db, &f)
        .args(["auth", "airtable", "--token", AIRTABLE])
        .assert()
        .code(2);
    cmd(&db, &f)
        .args(["auth", "google", "--token-file", "/nonexistent/token.json"])
        .assert()
        .code(66);
    // A revoked refresh token: "re-link needed", exit 77, the run logged as failed.
    f.google.revoke();
    f.google.expire_access();
    cmd(&db, &f)
        .args(["sync", "calendar"])
        .assert()
        .code(77)
        .stderr(predicates::str::contains("re-link needed"));
    let status = common::json(&["--db", &db, "sync", "status"]);
    assert_eq!(status["runs"][0]["outcome"], "failed");
    drop(f.rt);
}

/// `pa sync calendar` killed with SIGKILL at moments spread over its run: each time the store
/// is healthy and holds all of the calendar with its cursor or none of it without one, and the
/// next run completes.
#[test]
fn sigkill_during_a_calendar_sync_leaves_data_and_cursor_consistent() {
    let f = fakes(3000);
    let (dir, db) = store();
    link_google(&dir, &db, &f);
    // How long a whole run takes, on a copy.
    let probe = dir.path().join("probe.db");
    std::fs::copy(&db, &probe).unwrap();
    let started = Instant::now();
    cmd(probe.to_str().unwrap(), &f)
        .args(["-q", "sync", "calendar"])
        .assert()
        .success();
    let whole = started.elapsed();
    for k in 1..=6u32 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pa"))
            .args(["--db", &db, "-q", "sync", "calendar"])
            .env("PA_VAULT_PASSPHRASE", PASS)
            .env("PA_NO_KEYRING", "1")
            .env(
                "PA_GOOGLE_CALENDAR_URL",
                format!("{}/calendar/v3", f.google_url),
            )
            .env("PA_NOW", "2026-11-30T12:00:00Z")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(whole.mul_f64(f64::from(k) / 7.0));
        child.kill().ok();
        child.wait().unwrap();
        pa().args(["--db", &db, "check"]).assert().success();
        let events = common::json_rows(&["--db", &db, "export", "--kind", "events"]).len();
        let status = common::json(&["--db", &db, "sync", "status"]);
        let cursor = status["states"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["has_cursor"] == true);
        assert!(
            (events == 0 && !cursor) || (events == 3000 && cursor),
            "after kill {k}: {events} events, cursor {cursor}"
        );
    }
    cmd(&db, &f)
        .args(["-q", "sync", "calendar"])
        .assert()
        .success();
    let events = common::json_rows(&["--db", &db, "export", "--kind", "events"]).len();
    assert_eq!(events, 3000);
    drop(f.rt);
}

/// `pa auth google --client-secret-file`: the sign-in page is printed, the browser's redirect
/// comes back to 127.0.0.1, the code is exchanged with the PKCE verifier, and a sync then works.
#[test]
fn a_browser_sign_in_stores_tokens_that_sync_with() {
    use std::io::{BufRead, Read, Write};
    let f = fakes(2);
    let (dir, db) = store();
    let secret_file = write(
        &dir,
        "client_secret.json",
        &json!({"installed": {"client_id": "cid", "client_secret": "GOCSPX-cli-secret",
            "auth_uri": format!("{}/auth", f.google_url), "token_uri": format!("{}/token", f.google_url)}})
        .to_string(),
    );
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pa"))
        .args([
            "--db",
            &db,
            "auth",
            "google",
            "--client-secret-file",
            &secret_file,
            "--wait",
            "30",
        ])
        .env("PA_VAULT_PASSPHRASE", PASS)
        .env("PA_NO_KEYRING", "1")
        .env_remove("GOOGLE_TOKEN_FILE")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut url = String::new();
    while !url.starts_with("http") {
        url.clear();
        assert!(
            stderr.read_line(&mut url).unwrap() > 0,
            "no sign-in page printed"
        );
    }
    let page = url::Url::parse(url.trim()).unwrap();
    let param = |k: &str| {
        page.query_pairs()
            .find(|(n, _)| n == k)
            .unwrap()
            .1
            .into_owned()
    };
    let redirect = url::Url::parse(&param("redirect_uri")).unwrap();
    f.google.authorize(
        "c0de",
        &param("code_challenge"),
        redirect.as_str().trim_end_matches('/'),
    );
    // The browser, after the person agrees.
    let mut browser =
        std::net::TcpStream::connect((redirect.host_str().unwrap(), redirect.port().unwrap()))
            .unwrap();
    write!(
        browser,
        "GET /?code=c0de&state={} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        param("state")
    )
    .unwrap();
    let mut answer = String::new();
    browser.read_to_string(&mut answer).unwrap();
    assert!(answer.contains("You can close this window"));
    assert!(child.wait().unwrap().success());
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(!rest.contains("GOCSPX-cli-secret") && !url.contains("GOCSPX-cli-secret"));
    let out = cmd(&db, &f)
        .args(["sync", "calendar", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(rows(&out)[0]["added"], 2);
    drop(f.rt);
}

/// Service addresses and the base come from the config file as well as the environment.
#[test]
fn addresses_from_the_config_file() {
    let f = fakes(3);
    let (dir, db) = store();
    link_google(&dir, &db, &f);
    let config = write(
        &dir,
        "config.toml",
        &format!(
            "[services.google]\ncalendar_url = \"{}/calendar/v3\"\n\n[services.airtable]\nbase_id = \"appCLI\"\nurl = \"{}\"\n",
            f.google_url, f.airtable_url
        ),
    );
    let base = || {
        let mut c = pa();
        c.args(["--db", &db])
            .env("PA_CONFIG", &config)
            .env("PA_VAULT_PASSPHRASE", PASS)
            .env("PA_NO_KEYRING", "1")
            .env("PA_NOW", "2026-11-30T12:00:00Z")
            .env_remove("PA_GOOGLE_CALENDAR_URL")
            .env_remove("PA_AIRTABLE_URL")
            .env_remove("AIRTABLE_BASE_ID");
        c
    };
    base().args(["-q", "sync", "calendar"]).assert().success();
    base()
        .env("AIRTABLE_ACCESS_TOKEN", AIRTABLE)
        .args([
            "-q",
            "sync",
            "airtable",
            "--window-days",
            "3",
            "--field",
            "Date=ISO date",
        ])
        .assert()
        .success();
    let days = f.airtable.rows("Day");
    assert_eq!(days.len(), 3);
    assert!(
        days.iter()
            .all(|d| d.fields.contains_key("ISO date") && !d.fields.contains_key("Date"))
    );
    base()
        .args(["sync", "airtable", "--field", "Date"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("PA=YOURS"));
    let shown = base()
        .args(["config", "show", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rows: Vec<Value> = serde_json::from_slice(&shown).unwrap();
    let url = rows
        .iter()
        .find(|r| r["key"] == "services.airtable.url")
        .unwrap();
    assert_eq!(url["source"], "config file");
    drop(f.rt);
}
