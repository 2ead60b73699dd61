//! `pa link plaid` and `pa sync plaid` as a user runs them, against the fake Plaid of
//! pa-integrations' `testing` feature on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{pa, store};
use pa_integrations::fakes::plaid::{self as fake, FakePlaid};

const PASS: &str = "correct horse battery";

struct Fake {
    rt: tokio::runtime::Runtime,
    plaid: Arc<FakePlaid>,
    url: String,
    _server: pa_integrations::fakes::Running,
}

fn start() -> Fake {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let plaid = FakePlaid::new("cli-client", "cli-secret-value");
    let server = rt.block_on(plaid.start());
    Fake {
        url: server.url.clone(),
        rt,
        plaid,
        _server: server,
    }
}

fn cmd(db: &str, f: &Fake) -> assert_cmd::Command {
    let mut c = pa();
    c.args(["--db", db])
        .env("PA_VAULT_PASSPHRASE", PASS)
        .env("PA_NO_KEYRING", "1")
        .env("PA_PLAID_URL", &f.url)
        .env("PLAID_CLIENT_ID", "cli-client")
        .env("PLAID_SECRET", "cli-secret-value")
        .env_remove("PLAID_PUBLIC_TOKEN")
        .env_remove("PLAID_ENV")
        .env_remove("AIRTABLE_BASE_ID")
        .env_remove("AIRTABLE_ACCESS_TOKEN")
        .env("PA_NOW", "2026-11-30T12:00:00Z");
    c
}

/// Links a new Item through the CLI as a user would: a Link token, Link in the app, the public
/// token back. The Item's id.
fn link(db: &str, f: &Fake, bank: &str) -> String {
    let out = cmd(db, f).args(["link", "plaid"]).assert().success();
    let link_token = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let public = f.plaid.complete_link(link_token.trim(), bank).unwrap();
    let out = cmd(db, f)
        .args(["link", "plaid", "--public-token", &public])
        .assert()
        .success();
    let note = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    note.split_whitespace().nth(2).unwrap().to_owned()
}

fn rows(out: &[u8]) -> Vec<serde_json::Value> {
    serde_json::from_slice::<serde_json::Value>(out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn link_then_sync_then_relink_needed_is_reported_and_nothing_secret_printed() {
    let f = start();
    let (_dir, db) = store();
    let item = link(&db, &f, "ins_1");
    for i in 0..30 {
        f.plaid.add(
            &item,
            fake::transaction(
                &format!("t{i}"),
                &format!("{item}-chk"),
                "2.50",
                "2026-11-20",
                false,
            ),
        );
    }
    let out = cmd(&db, &f)
        .args(["sync", "plaid", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let r = rows(&out.stdout);
    assert_eq!(r[0]["what"], format!("{item} transactions"));
    assert_eq!(r[0]["added"], 31, "30 transactions and the account");
    assert_eq!(r[1]["what"], format!("{item} balances"));
    let all = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    assert!(!all.contains("access-sandbox") && !all.contains("cli-secret-value"));
    let txs = common::json_rows(&["--db", &db, "export", "--kind", "transactions"]);
    assert_eq!(txs.len(), 30);
    assert_eq!(txs[0]["amount"]["amount"], "-2.50");
    // `--all` includes Plaid; an Item needing the person in Link is a note, not a failure.
    f.plaid.set_login_required(&item, true);
    let out = cmd(&db, &f)
        .args(["sync", "--all", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let note = String::from_utf8(out.stderr).unwrap();
    assert!(
        note.contains(&format!(
            "Plaid Item {item}: re-link needed (pa link plaid)"
        )),
        "{note}"
    );
    assert!(note.contains("ITEM_LOGIN_REQUIRED"), "{note}");
    // Without credentials: a clear error, exit 77 (sign-in needed).
    cmd(&db, &f)
        .env_remove("PLAID_SECRET")
        .args(["sync", "plaid"])
        .assert()
        .code(77)
        .stderr(predicates::str::contains(
            "set PLAID_CLIENT_ID and PLAID_SECRET",
        ));
}

#[test]
fn sigkill_during_a_plaid_sync_leaves_ledger_and_cursor_consistent() {
    let f = start();
    let (dir, db) = store();
    let item = link(&db, &f, "ins_1");
    let n = 20_000;
    for i in 0..n {
        let amount = format!("{}.{:02}", i % 300, i % 100);
        let day = format!("2026-{:02}-{:02}", 1 + i % 11, 1 + i % 28);
        f.plaid.add(
            &item,
            fake::transaction(
                &format!("t{i:05}"),
                &format!("{item}-chk"),
                &amount,
                &day,
                false,
            ),
        );
    }
    let probe = dir.path().join("probe.db");
    std::fs::copy(&db, &probe).unwrap();
    let started = Instant::now();
    cmd(probe.to_str().unwrap(), &f)
        .args(["-q", "sync", "plaid"])
        .assert()
        .success();
    let whole = started.elapsed();
    for k in 1..=5u32 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pa"))
            .args(["--db", &db, "-q", "sync", "plaid"])
            .env("PA_VAULT_PASSPHRASE", PASS)
            .env("PA_NO_KEYRING", "1")
            .env("PA_PLAID_URL", &f.url)
            .env("PLAID_CLIENT_ID", "cli-client")
            .env("PLAID_SECRET", "cli-secret-value")
            .env("PA_NOW", "2026-11-30T12:00:00Z")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(whole.mul_f64(f64::from(k) / 6.0));
        child.kill().ok();
        child.wait().unwrap();
        pa().args(["--db", &db, "check"]).assert().success();
        let txs = common::json_rows(&["--db", &db, "export", "--kind", "transactions"]).len();
        let status = common::json(&["--db", &db, "sync", "status"]);
        let cursor = status["states"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["source"] == format!("plaid:{item}") && s["has_cursor"] == true);
        assert!(
            (txs == 0 && !cursor) || (txs == n && cursor),
            "after kill {k}: {txs} transactions, cursor {cursor}"
        );
    }
    cmd(&db, &f)
        .args(["-q", "sync", "plaid"])
        .assert()
        .success();
    let txs = common::json_rows(&["--db", &db, "export", "--kind", "transactions"]).len();
    assert_eq!(txs, n);
    drop(f.rt);
}
