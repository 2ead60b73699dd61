//! Helpers shared by the CLI test files.
#![allow(dead_code, clippy::unwrap_used)] // each test binary uses a different subset

use assert_cmd::Command;
use serde_json::Value;

/// The `pa` binary under test.
pub(crate) fn pa() -> Command {
    Command::cargo_bin("pa").unwrap()
}

/// A temporary folder and the path of a store file in it (created on first use by `pa`).
pub(crate) fn store() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pa.db").to_str().unwrap().to_owned();
    (dir, db)
}

/// Writes `text` to `name` in `dir` and returns the path.
pub(crate) fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

/// Runs `pa args`, expects success, and returns stdout.
pub(crate) fn stdout(args: &[&str]) -> Vec<u8> {
    pa().args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

/// Runs `pa args --format json`, expects success, and parses stdout.
pub(crate) fn json(args: &[&str]) -> Value {
    let out = pa()
        .args(args)
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

/// [`json`], expecting an array.
pub(crate) fn json_rows(args: &[&str]) -> Vec<Value> {
    json(args).as_array().unwrap().clone()
}

/// A store that exists and knows the person `me`, with nothing in it.
pub(crate) fn empty_store() -> (tempfile::TempDir, String) {
    let (dir, db) = store();
    let nothing = write(&dir, "nothing.jsonl", "");
    pa().args(["--db", &db, "-q", "import-jsonl", &nothing])
        .assert()
        .success();
    (dir, db)
}

/// `../shared/fixtures`, or `None` (with a visible note) when it is absent; absent under `CI` is
/// a failure, since CI always has it.
pub(crate) fn fixtures() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is absent under CI",
        dir.display()
    );
    eprintln!("skipped: {} is absent", dir.display());
    None
}
