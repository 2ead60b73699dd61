//! End-to-end tests of the `pa` binary: output shapes, and every bad-input case of the issue.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use predicates::prelude::*;
use serde_json::Value;

mod common;

use common::{pa, write};

fn json(args: &[&str]) -> Vec<Value> {
    common::json_rows(args)
}

#[test]
fn json_rows_have_exactly_the_documented_keys_and_every_day() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "l.csv",
        "date,load\n2026-01-01,100\n2026-01-04,50\n2026-01-01,20\n",
    );
    let rows = json(&["training", "pmc", "--loads", &f]);
    assert_eq!(
        rows.len(),
        4,
        "one row per calendar day, rest days included"
    );
    for row in &rows {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["atl", "ctl", "date", "load", "ramp", "tsb"]);
    }
    assert_eq!(rows[0]["date"], "2026-01-01");
    assert_eq!(rows[0]["load"], 120.0);
    assert_eq!(rows[1]["load"], 0.0);
    let k = 1.0 - (-1.0f64 / 42.0).exp();
    assert!((rows[0]["ctl"].as_f64().unwrap() - 120.0 * k).abs() < 1e-12);
    assert_eq!(rows[0]["tsb"], 0.0);
}

#[test]
fn variants_and_seeds_change_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "l.csv", "date,load\n2026-01-01,100\n2026-01-02,100\n");
    let f = f.as_str();
    let gc = json(&["training", "pmc", "--loads", f]);
    let tp = json(&["training", "pmc", "--loads", f, "--variant", "tp"]);
    let icu = json(&["training", "pmc", "--loads", f, "--variant", "icu"]);
    assert!((tp[0]["ctl"].as_f64().unwrap() - 100.0 / 42.0).abs() < 1e-12);
    assert_eq!(gc[1]["ctl"], icu[1]["ctl"]);
    let icu_tsb = icu[1]["ctl"].as_f64().unwrap() - icu[1]["atl"].as_f64().unwrap();
    assert!((icu[1]["tsb"].as_f64().unwrap() - icu_tsb).abs() < 1e-12);
    let seeded = json(&[
        "training",
        "pmc",
        "--loads",
        f,
        "--ctl0",
        "50",
        "--atl0",
        "70",
        "--ctl-days",
        "30",
        "--atl-days",
        "5",
    ]);
    assert_eq!(seeded[0]["tsb"], -20.0);
    let k30 = 1.0 - (-1.0f64 / 30.0).exp();
    assert!((seeded[0]["ctl"].as_f64().unwrap() - (50.0 + k30 * 50.0)).abs() < 1e-12);
}

#[test]
fn csv_and_table_output() {
    pa().args(["training", "pmc", "--sample", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("date,load,ctl,atl,tsb,ramp\n"));
    pa().args(["training", "pmc", "--sample"])
        .assert()
        .success()
        .stdout(predicate::str::contains("fitness (CTL)").and(predicate::str::contains("│ date")));
}

#[test]
fn chart_is_a_real_svg_plot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pmc.svg");
    pa().args([
        "training",
        "pmc",
        "--sample",
        "--quiet",
        "--format",
        "csv",
        "--chart",
        out.to_str().unwrap(),
    ])
    .assert()
    .success();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg"));
    for label in [
        "CTL (fitness)",
        "ATL (fatigue)",
        "TSB (form)",
        "daily load",
        "Performance Manager",
    ] {
        assert!(svg.contains(label), "missing {label}");
    }
    assert!(
        svg.matches("<polyline").count() >= 3,
        "CTL, ATL and TSB lines"
    );
    assert!(svg.matches("<rect").count() > 200, "load bars");
}

fn fails_with(text: &str, code: i32, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "loads.csv", text);
    pa().args(["training", "pmc", "--loads", &f])
        .assert()
        .code(code)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(message));
}

#[test]
fn malformed_csv_names_the_line_and_problem() {
    fails_with(
        "date,load\n2026-01-01,10\n2026-02-30,5\n",
        65,
        "line 3: bad date '2026-02-30'",
    );
    fails_with(
        "date,load\n2026-01-01,ten\n",
        65,
        "line 2: load 'ten' is not a number",
    );
    fails_with(
        "date,load\n2026-01-01,-4\n",
        65,
        "line 2: load -4 is negative",
    );
    fails_with("", 65, "the file is empty");
    fails_with(
        "2026-01-01,10\n2026-01-02,20\n",
        65,
        "line 1: the header must name the columns 'date,load'",
    );
    fails_with("date,load\n", 65, "no data rows");
    fails_with(
        "date,load\n2026-01-01\n",
        65,
        "line 2: expected 2 fields, found 1",
    );
    fails_with(
        "date,load\n1900-01-01,1\n2026-01-01,1\n",
        65,
        "exceeds the limit",
    );
}

#[test]
fn bad_arguments_and_missing_files() {
    pa().args(["training", "pmc", "--loads", "/nonexistent/x.csv"])
        .assert()
        .code(66)
        .stderr(predicate::str::contains(
            "cannot read or write /nonexistent/x.csv",
        ));
    pa().args(["training", "pmc", "--sample", "--ctl-days", "0"])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("ctl_days"));
    pa().args(["training", "pmc", "--sample", "--atl0", "-5"])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("atl0"));
    pa().args(["training", "pmc", "--sample", "--variant", "wko"])
        .assert()
        .code(2);
    // Without --loads or --sample the store's loads are used: an empty store has none, and a
    // missing store is named (and not created).
    let (_empty, db) = common::empty_store();
    pa().args(["--db", &db, "training", "pmc"])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("no activity with a training load"));
    let missing = _empty.path().join("typo.db");
    pa().args(["--db", missing.to_str().unwrap(), "training", "pmc"])
        .assert()
        .code(66)
        .stderr(format!("error: {}: no pa store there\n", missing.display()));
    assert!(!missing.exists());
    pa().args(["training", "pmc", "--sample", "--loads", "x.csv"])
        .assert()
        .code(2);
    pa().args(["training", "pmc", "--sample", "--ctl-days", "abc"])
        .assert()
        .code(2);
}

#[test]
fn non_finite_loads_warn_unless_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "l.csv", "date,load\n2026-01-01,NaN\n2026-01-02,10\n");
    let f = f.as_str();
    pa().args(["training", "pmc", "--loads", f])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "2026-01-01: a load that is not a finite number",
        ));
    pa().args(["training", "pmc", "--loads", f, "--quiet"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

#[test]
fn help_has_examples_and_exit_codes() {
    pa().args(["training", "pmc", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
    pa().arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::{Command as Std, Stdio};
    for format in ["table", "json", "csv"] {
        let mut child = Std::new(assert_cmd::cargo::cargo_bin("pa"))
            .args(["training", "pmc", "--sample", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end at once, as `pa … | head -n 1` does after one line.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{format}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
