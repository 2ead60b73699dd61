//! End-to-end tests of `pa finance`: output shapes and the bad-input cases.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use predicates::prelude::*;
use serde_json::Value;

mod common;

use common::{pa, write};

fn json(args: &[&str]) -> Vec<Value> {
    common::json_rows(args)
}

const BAL: &str = "date,account,type,balance,currency\n";

#[test]
fn networth_rows_carry_balances_and_use_decimal_strings() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "b.csv",
        &format!(
            "{BAL}2026-01-01,chk,depository,1000.10,USD\n2026-01-01,visa,credit,200.05,USD\n2026-01-03,chk,depository,900.00,USD\n"
        ),
    );
    let rows = json(&["finance", "networth", "--balances", &f]);
    assert_eq!(rows.len(), 3);
    for r in &rows {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["assets", "currency", "date", "liabilities", "net_worth"]
        );
    }
    assert_eq!(rows[1]["net_worth"], "800.05", "carried forward, exact");
    assert_eq!(rows[2]["net_worth"], "699.95");
    assert_eq!(rows[2]["liabilities"], "200.05");
    let ranged = json(&[
        "finance",
        "networth",
        "--balances",
        &f,
        "--from",
        "2026-01-02",
        "--to",
        "2026-01-05",
    ]);
    assert_eq!(ranged.len(), 4);
    assert_eq!(ranged[3]["date"], "2026-01-05");
}

#[test]
fn several_currencies_side_by_side_or_converted() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "b.csv",
        &format!("{BAL}2026-01-01,chk,depository,100,USD\n2026-01-01,giro,depository,100,EUR\n"),
    );
    let rows = json(&["finance", "networth", "--balances", &f]);
    let currencies: Vec<&str> = rows
        .iter()
        .map(|r| r["currency"].as_str().unwrap())
        .collect();
    assert_eq!(currencies, ["EUR", "USD"]);
    let fx = write(&dir, "fx.csv", "date,currency,rate\n2025-12-31,EUR,1.10\n");
    let rows = json(&[
        "finance",
        "networth",
        "--balances",
        &f,
        "--fx",
        &fx,
        "--currency",
        "USD",
    ]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["net_worth"], "210.00");
    // One chart needs one currency: mixing them without an FX table is refused.
    let svg = dir.path().join("n.svg");
    pa().args([
        "finance",
        "networth",
        "--balances",
        &f,
        "--chart",
        svg.to_str().unwrap(),
    ])
    .assert()
    .code(65)
    .stderr(predicate::str::contains(
        "mixes EUR, USD without an FX table",
    ));
    pa().args(["finance", "networth", "--balances", &f, "--fx", &fx])
        .assert()
        .code(2);
}

#[test]
fn networth_chart_and_table_on_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("n.svg");
    pa().args([
        "finance",
        "networth",
        "--sample",
        "--chart",
        svg.to_str().unwrap(),
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("net worth").and(predicate::str::contains("(week")));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.contains("Net worth · USD")
            && text.contains("liabilities")
            && text.matches("<polyline").count() >= 3
    );
}

#[test]
fn cashflow_by_month_category_and_merchant() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "t.csv",
        "date,account,amount,currency,merchant,category\n\
         2026-01-02,chk,3000.00,USD,Employer,Income\n\
         2026-01-05,chk,-1200.00,USD,Landlord,Housing/Rent\n\
         2026-01-09,card,-60.25,USD,GROCER #1,Food/Groceries\n\
         2026-01-10,card,-39.75,USD,Grocer #2,Food/Groceries\n\
         2026-01-20,chk,-500.00,USD,,\n\
         2026-01-21,sav,500.00,USD,,\n\
         2026-02-01,card,-10.00,USD,Cafe,Food/Restaurants\n",
    );
    let months = json(&["finance", "cashflow", "--transactions", &f]);
    assert_eq!(months.len(), 2);
    assert_eq!(
        (
            months[0]["income"].as_str(),
            months[0]["spending"].as_str(),
            months[0]["net"].as_str()
        ),
        (Some("3000.00"), Some("1300.00"), Some("1700.00"))
    );
    assert_eq!(months[0]["savings_rate"], "0.5667");
    assert_eq!(months[1]["savings_rate"], Value::Null);
    let cats = json(&[
        "finance",
        "cashflow",
        "--transactions",
        &f,
        "--by",
        "category",
    ]);
    let food = cats.iter().find(|c| c["category"] == "Food").unwrap();
    assert_eq!(
        (food["spending"].as_str(), food["count"].as_u64()),
        (Some("110.00"), Some(3))
    );
    let merchants = json(&[
        "finance",
        "cashflow",
        "--transactions",
        &f,
        "--by",
        "merchant",
    ]);
    let grocer = merchants
        .iter()
        .find(|m| m["merchant"] == "GROCER #1")
        .unwrap();
    assert_eq!(
        grocer["spending"], "100.00",
        "store numbers are the same merchant"
    );
    // Without transfer detection the 500 pair counts.
    let raw = json(&[
        "finance",
        "cashflow",
        "--transactions",
        &f,
        "--no-transfer-detection",
    ]);
    assert_eq!(raw[0]["spending"], "1800.00");
    pa().args([
        "finance",
        "cashflow",
        "--transactions",
        &f,
        "--format",
        "csv",
    ])
    .assert()
    .success()
    .stdout(predicate::str::starts_with(
        "month,currency,income,spending,net,savings_rate\n",
    ));
}

fn fails(args: &[&str], code: i32, message: &str) {
    pa().args(args)
        .assert()
        .code(code)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(message));
}

#[test]
fn bad_finance_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad_cur = write(
        &dir,
        "b1.csv",
        &format!("{BAL}2026-01-01,chk,depository,10,USX\n"),
    );
    fails(
        &["finance", "networth", "--balances", &bad_cur],
        65,
        "line 2: invalid currency: 'USX' is not an ISO 4217 currency code",
    );
    let bad_amount = write(
        &dir,
        "b2.csv",
        &format!("{BAL}2026-01-01,chk,depository,ten,USD\n"),
    );
    fails(
        &["finance", "networth", "--balances", &bad_amount],
        65,
        "line 2: balance 'ten' is not a decimal number",
    );
    let float_like = write(
        &dir,
        "b3.csv",
        &format!("{BAL}2026-01-01,chk,depository,1.5e2,USD\n"),
    );
    fails(
        &["finance", "networth", "--balances", &float_like],
        65,
        "line 2: balance '1.5e2' is not a decimal number",
    );
    let ok = write(
        &dir,
        "b4.csv",
        &format!("{BAL}2026-01-01,chk,depository,1,USD\n"),
    );
    fails(
        &[
            "finance",
            "networth",
            "--balances",
            &ok,
            "--from",
            "2026-02-30",
        ],
        65,
        "'2026-02-30' is not a calendar date",
    );
    fails(
        &[
            "finance",
            "networth",
            "--balances",
            &ok,
            "--from",
            "2026-02-01",
            "--to",
            "2026-01-01",
        ],
        65,
        "ends 2026-01-01 before it starts 2026-02-01",
    );

    let tx = write(
        &dir,
        "t.csv",
        "date,account,amount,currency\n2026-01-01,chk,-5.00,USD\n2026-01-02,ghost,-1.00,USD\n",
    );
    let accounts = write(&dir, "a.csv", "account,type,currency\nchk,depository,USD\n");
    fails(
        &[
            "finance",
            "cashflow",
            "--transactions",
            &tx,
            "--accounts",
            &accounts,
        ],
        65,
        "transaction line-3: account ghost is unknown",
    );
    let wrong_cur = write(
        &dir,
        "t2.csv",
        "date,account,amount,currency\n2026-01-01,chk,-5.00,EUR\n",
    );
    fails(
        &[
            "finance",
            "cashflow",
            "--transactions",
            &wrong_cur,
            "--accounts",
            &accounts,
        ],
        65,
        "is in EUR but account chk is in USD",
    );
    let mixed = write(
        &dir,
        "t3.csv",
        "date,account,amount,currency\n2026-01-01,chk,-5.00,USD\n2026-01-02,chk,-5.00,EUR\n",
    );
    fails(
        &["finance", "cashflow", "--transactions", &mixed],
        65,
        "line 3: account chk is in USD on an earlier line, here in EUR",
    );
    let bad_tx = write(
        &dir,
        "t4.csv",
        "date,account,amount,currency\n2026-01-01,chk,-5,00,USD\n",
    );
    fails(
        &["finance", "cashflow", "--transactions", &bad_tx],
        65,
        "line 2: expected 4 fields, found 5",
    );
    fails(
        &["finance", "cashflow", "--transactions", "/nonexistent.csv"],
        66,
        "cannot read or write /nonexistent.csv",
    );
}
