//! `pa config` and `pa completions`: precedence of flag, environment, .env and config file;
//! secrets never printed and refused in the file.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod common;

use common::{pa, store, write};
use predicates::prelude::*;
use serde_json::Value;

fn show(dir: &tempfile::TempDir, config: &str, env: &[(&str, &str)]) -> Vec<Value> {
    let mut cmd = pa();
    cmd.current_dir(dir.path())
        .env("PA_CONFIG", config)
        .env_remove("PA_ZONE")
        .env_remove("PA_DB")
        .env_remove("AIRTABLE_ACCESS_TOKEN")
        .args(["--format", "json", "config", "show"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.assert().success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

fn row<'a>(rows: &'a [Value], key: &str) -> &'a Value {
    rows.iter().find(|r| r["key"] == key).unwrap()
}

#[test]
fn precedence_is_flag_env_dotenv_file_default_and_secrets_stay_hidden() {
    let (dir, _db) = store();
    let config = write(
        &dir,
        "config.toml",
        "zone = \"Europe/Berlin\"\nuser = \"ada\"\n[athlete]\nftp = 250\n[services.airtable]\nbase_id = \"appXYZ\"\n",
    );
    write(
        &dir,
        ".env",
        "AIRTABLE_ACCESS_TOKEN=patSECRET123\nPA_USER=from-dotenv\n",
    );
    let rows = show(&dir, &config, &[]);
    assert_eq!(row(&rows, "zone")["value"], "Europe/Berlin");
    assert_eq!(row(&rows, "zone")["source"], "config file");
    // .env beats the file, the environment beats .env.
    assert_eq!(row(&rows, "user")["value"], "from-dotenv");
    let rows = show(
        &dir,
        &config,
        &[("PA_USER", "from-env"), ("PA_ZONE", "Asia/Tokyo")],
    );
    assert_eq!(row(&rows, "user")["value"], "from-env");
    assert_eq!(row(&rows, "zone")["source"], "environment PA_ZONE");
    let token = row(&rows, "services.airtable.access_token");
    assert_eq!(token["value"], "(set, not shown)");
    assert_eq!(row(&rows, "services.airtable.base_id")["value"], "appXYZ");
    let all = serde_json::to_string(&rows).unwrap();
    assert!(!all.contains("patSECRET123"));

    // The file's zone is the default of every --tz; a flag still wins.
    let db = dir.path().join("pa.db");
    let db = db.to_str().unwrap();
    pa().current_dir(dir.path())
        .env("PA_CONFIG", &config)
        .env_remove("PA_ZONE")
        .args(["--db", db, "-q", "demo", "--day", "2026-11-20"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(Europe/Berlin)"));
    pa().current_dir(dir.path())
        .env("PA_CONFIG", &config)
        .env_remove("PA_ZONE")
        .args(["--db", db, "today", "--day", "2026-11-20", "--tz", "UTC"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(UTC)"));
}

/// Every way a config file can be wrong, each with a secret planted in it: the error names the
/// file (and the key or line) and never prints the secret; `pa config path` still answers.
#[test]
fn no_config_error_prints_a_secret() {
    const SECRET: &str = "sk-ant-PLANTED0123456789abcdef";
    let (dir, _db) = store();
    let cases = [
        format!("ANTHROPIC_API_KEY = \"{SECRET}\"\n"),
        format!("api_key = \"{SECRET}\"\n"),
        format!("token = \"{SECRET}\"\n"),
        format!("password = \"{SECRET}\"\n"),
        format!("access_token = \"{SECRET}\"\n"),
        format!("[services.anthropic]\napi_key = \"{SECRET}\"\n"),
        format!("[athlete]\nplaid_secret = \"{SECRET}\"\n"),
        // Duplicated keys, a value of the wrong type, a typo, broken syntax, a bare value.
        format!("zone = \"UTC\"\nzone = \"{SECRET}\"\n"),
        format!("user = \"me\"\nuser = \"{SECRET}\"\n"),
        format!("[athlete]\nftp = \"{SECRET}\"\n"),
        format!("zon = \"{SECRET}\"\n"),
        format!("user = [\"{SECRET}\"\n"),
        format!("{SECRET}\n"),
        format!("user = \"{SECRET}\" trailing\n"),
        format!("user = '{SECRET}\n"),
        format!("[athlete]\nsex = 5\nnote = \"{SECRET}\"\n"),
    ];
    for text in &cases {
        let config = write(&dir, "config.toml", text);
        let out = pa()
            .env("PA_CONFIG", &config)
            .args(["today"])
            .assert()
            .code(65)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            stderr.starts_with(&format!("error: invalid {config}")),
            "{text}: {stderr}"
        );
        for part in [SECRET, "PLANTED", "0123456789abcdef"] {
            assert!(!stderr.contains(part), "{text}: {stderr}");
        }
        assert!(!String::from_utf8_lossy(&out.stdout).contains("PLANTED"));
        pa().env("PA_CONFIG", &config)
            .args(["config", "path"])
            .assert()
            .success()
            .stdout(format!("{config}\n"));
    }
}

#[test]
fn a_secret_or_a_typo_in_the_config_file_is_refused() {
    let (dir, _db) = store();
    for (text, want) in [
        (
            "[services.plaid]\nsecret = \"x\"\n",
            "secrets do not belong",
        ),
        ("zon = \"UTC\"\n", "zon"),
        ("zone = \n", "config.toml"),
    ] {
        let config = write(&dir, "config.toml", text);
        pa().env("PA_CONFIG", &config)
            .args(["config", "show"])
            .assert()
            .code(65)
            .stderr(predicate::str::contains(want));
    }
}

#[test]
fn completions_cover_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = pa().args(["completions", shell]).assert().success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(text.contains("today") && text.contains("import"), "{shell}");
    }
}

#[test]
fn every_subcommand_has_examples_in_its_help() {
    for cmd in [
        "demo",
        "today",
        "week",
        "chart",
        "config show",
        "config path",
        "completions",
        "import",
        "export",
        "import-jsonl",
        "backup",
        "training pmc",
        "finance networth",
        "finance cashflow",
        "habits score",
        "calendar expand",
        "calendar occurrences",
    ] {
        let mut args: Vec<&str> = cmd.split(' ').collect();
        args.push("--help");
        pa().args(&args)
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
}
