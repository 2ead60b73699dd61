//! End-to-end tests of `pa export`, `pa import-jsonl` and `pa backup` on a store in a temp dir.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod common;

use common::{pa, write};
use predicates::prelude::*;

const LINES: &str = r#"{"kind":"account","record":{"id":"chk","name":"Checking","kind":"depository","currency":"USD","mask":"6789"}}
{"kind":"transaction","record":{"id":"t1","account":"chk","posted":"2026-01-02","amount":{"amount":"-4.20","currency":"USD"},"description":"Cafe","pending":false,"transfer":false}}
{"kind":"balance","record":{"account":"chk","day":"2026-01-02","current":{"amount":"100.00","currency":"USD"}}}
"#;

#[test]
fn import_export_round_trip_and_reimport_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let input = write(&dir, "in.jsonl", LINES);
    pa().args(["--db", db.to_str().unwrap(), "import-jsonl", &input])
        .assert()
        .success()
        .stdout("3 added, 0 updated, 0 unchanged\n");
    pa().args(["--db", db.to_str().unwrap(), "import-jsonl", &input])
        .assert()
        .success()
        .stdout("0 added, 0 updated, 3 unchanged\n");
    let first = pa()
        .args(["--db", db.to_str().unwrap(), "export"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8_lossy(&first).lines().count(), 3);
    // Into another store and out again: the same text.
    let second_db = dir.path().join("b.db");
    let exported = dir.path().join("out.jsonl");
    std::fs::write(&exported, &first).unwrap();
    pa().args([
        "--db",
        second_db.to_str().unwrap(),
        "--user",
        "me",
        "import-jsonl",
        exported.to_str().unwrap(),
    ])
    .assert()
    .success();
    let again = pa()
        .args(["--db", second_db.to_str().unwrap(), "export"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(first, again);
    // Another person is not there to read, and reading does not make them.
    for _ in 0..2 {
        pa().args([
            "--db",
            db.to_str().unwrap(),
            "--user",
            "someone-else",
            "export",
        ])
        .assert()
        .code(67)
        .stdout("")
        .stderr("error: no user 'someone-else' in the store\n");
    }
}

#[test]
fn bad_lines_and_bad_stores_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let bad = write(
        &dir,
        "bad.jsonl",
        &format!(
            "{}not json\n",
            LINES.lines().next().unwrap().to_owned() + "\n"
        ),
    );
    pa().args(["--db", db.to_str().unwrap(), "import-jsonl", &bad])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("bad.jsonl, line 2:"));
    pa().args(["--db", db.to_str().unwrap(), "export"])
        .assert()
        .success()
        .stdout("");
    let orphan = write(&dir, "orphan.jsonl", LINES.lines().nth(1).unwrap());
    pa().args(["--db", db.to_str().unwrap(), "import-jsonl", &orphan])
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "transaction t1: account chk is unknown",
        ));
    let corrupt = write(&dir, "corrupt.db", &"not a database ".repeat(400));
    pa().args(["--db", &corrupt, "export"])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("corrupt"));
    assert!(
        std::fs::read_to_string(&corrupt)
            .unwrap()
            .starts_with("not a database"),
        "left untouched"
    );
}

#[test]
fn backup_makes_a_private_copy_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let input = write(&dir, "in.jsonl", LINES);
    pa().args(["--db", db.to_str().unwrap(), "import-jsonl", &input])
        .assert()
        .success();
    let copy = dir.path().join("copy.db");
    pa().args([
        "--db",
        db.to_str().unwrap(),
        "backup",
        copy.to_str().unwrap(),
    ])
    .assert()
    .success();
    pa().args(["--db", copy.to_str().unwrap(), "export"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"t1\""));
    let before = std::fs::read(&copy).unwrap();
    pa().args([
        "--db",
        db.to_str().unwrap(),
        "backup",
        copy.to_str().unwrap(),
    ])
    .assert()
    .code(73)
    .stderr(format!(
        "error: cannot write {}: the file exists; use --force to replace it\n",
        copy.display()
    ));
    assert!(std::fs::read(&copy).unwrap() == before, "never overwritten");
    pa().args([
        "--db",
        db.to_str().unwrap(),
        "backup",
        "--force",
        copy.to_str().unwrap(),
    ])
    .assert()
    .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn memory_is_a_store_in_memory_and_new_directories_are_made() {
    let dir = tempfile::tempdir().unwrap();
    let lines = write(&dir, "lines.jsonl", LINES);
    // Run where a stray file named ":memory:" would show.
    pa().current_dir(dir.path())
        .args(["--db", ":memory:", "import-jsonl", &lines])
        .assert()
        .success();
    assert!(!dir.path().join(":memory:").exists());
    let nested = dir.path().join("x/y/pa.db");
    pa().args(["--db", nested.to_str().unwrap(), "import-jsonl", &lines])
        .assert()
        .success();
    assert!(nested.is_file());
}
