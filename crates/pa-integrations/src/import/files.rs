//! Importing several files as one job, as the CLI and the bindings do it: every file is read
//! first, so a file that cannot be read stops the job before anything is written; then each file
//! is written in its own transaction, audited as `import:<file name>`, and reported (records
//! added, updated, unchanged, skipped with reasons, warnings). Garmin's activities CSV never
//! overwrites an activity already stored from its file.

use std::path::{Path, PathBuf};

use pa_core::ports::{UserStore, WriteBatch};
use serde::Serialize;

use super::bank_csv::{self, BankCsvMapping};
use super::{FileFormat, ImportOptions, Parsed, Skipped, read_file};
use crate::error::Result;

/// A file read and not yet written.
#[derive(Debug)]
pub struct ReadFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// What it was read as, and what it holds; or why it could not be read (only when the job
    /// goes on past unreadable files).
    pub read: std::result::Result<(FileFormat, Parsed), crate::Error>,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    /// The path as given.
    pub file: String,
    /// What it was read as; `None` for a file that could not be read.
    pub format: Option<FileFormat>,
    /// Why the file could not be read, when the job was asked to go on past unreadable files
    /// (`None` for a file read and written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Records read from it.
    pub records: usize,
    /// Records new to the store.
    pub added: u64,
    /// Records that replaced a different stored version.
    pub updated: u64,
    /// Records the store already held as they are.
    pub unchanged: u64,
    /// What was left out, with reasons.
    pub skipped: Vec<Skipped>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
}

/// Reads every file (with `mapping`, as bank CSV exports; otherwise by content), calling
/// `progress(done, path)` after each. Stops at the first file that cannot be read, unless
/// `skip_unreadable`: then that file's error is kept for its report and the others are read.
pub fn read_all(
    paths: &[PathBuf],
    options: &ImportOptions,
    mapping: Option<&BankCsvMapping>,
    skip_unreadable: bool,
    mut progress: impl FnMut(usize, &Path),
) -> Result<Vec<ReadFile>> {
    let mut out = Vec::with_capacity(paths.len());
    for (i, path) in paths.iter().enumerate() {
        let read = match mapping {
            Some(m) => bank_csv::read_file(path, m).map(|p| (FileFormat::BankCsv, p)),
            None => read_file(path, options),
        };
        let read = match read {
            Err(e) if !skip_unreadable => return Err(e),
            read => read,
        };
        out.push(ReadFile {
            path: path.clone(),
            read,
        });
        progress(i + 1, path);
    }
    Ok(out)
}

/// The error and the errors it came from, as one line ("cannot read or write x.fit: No such file
/// or directory (os error 2)").
fn with_causes(e: &crate::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Writes what [`read_all`] read into `store`, one transaction per file; with no store, reports
/// what would be written (a dry run: nothing added).
pub fn write_all<S>(store: Option<&S>, files: Vec<ReadFile>) -> Result<Vec<FileReport>>
where
    S: UserStore,
    crate::error::Error: From<S::Error>,
{
    let mut reports = Vec::with_capacity(files.len());
    for ReadFile { path, read } in files {
        let (format, mut parsed) = match read {
            Ok(read) => read,
            Err(e) => {
                reports.push(FileReport {
                    file: path.display().to_string(),
                    format: None,
                    error: Some(with_causes(&e)),
                    records: 0,
                    added: 0,
                    updated: 0,
                    unchanged: 0,
                    skipped: Vec::new(),
                    warnings: Vec::new(),
                });
                continue;
            }
        };
        if let (FileFormat::GarminCsv, Some(s)) = (format, store) {
            parsed.drop_stored_activities(s)?;
        }
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let b = &parsed.batch;
        let records = b.activities.len()
            + b.health.len()
            + b.accounts.len()
            + b.transactions.len()
            + b.balances.len()
            + b.records.len();
        let written = match store {
            Some(s) => s.apply(&WriteBatch {
                origin: Some(format!("import:{name}")),
                ..parsed.batch
            })?,
            None => Default::default(),
        };
        reports.push(FileReport {
            file: path.display().to_string(),
            format: Some(format),
            error: None,
            records,
            added: written.added,
            updated: written.updated,
            unchanged: written.unchanged,
            skipped: parsed.skipped,
            warnings: parsed.warnings,
        });
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use pa_core::ids::UserId;

    const GPX: &str = r#"<gpx version="1.1"><trk><trkseg>
<trkpt lat="46.0" lon="14.0"><time>2026-03-01T07:00:00Z</time></trkpt>
<trkpt lat="46.001" lon="14.0"><time>2026-03-01T07:00:30Z</time></trkpt></trkseg></trk></gpx>"#;

    #[test]
    fn a_job_reads_everything_first_then_writes_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("run.gpx");
        std::fs::write(&good, GPX).unwrap();
        let bad = dir.path().join("bad.gpx");
        std::fs::write(&bad, "<gpx><trk><trkseg><trkpt lat=\"x\"").unwrap();
        let store = MemoryStore::new();
        let me = UserId::new("me").unwrap();
        store.create_user(&me);
        let user = store.user(&me).unwrap();
        let o = ImportOptions::default();

        // A bad file anywhere stops the job before anything is written.
        let err = read_all(&[good.clone(), bad.clone()], &o, None, false, |_, _| {}).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Parse);
        assert!(
            user.activities(pa_core::time::Day::EARLIEST, pa_core::time::Day::LATEST)
                .unwrap()
                .is_empty()
        );

        let mut seen = Vec::new();
        let read = read_all(std::slice::from_ref(&good), &o, None, false, |n, p| {
            seen.push((n, p.to_owned()))
        })
        .unwrap();
        assert_eq!(seen, [(1, good.clone())]);
        let dry = write_all::<crate::storage::memory::MemoryUser>(None, read).unwrap();
        assert_eq!((dry[0].records, dry[0].added), (1, 0));
        let read = read_all(std::slice::from_ref(&good), &o, None, false, |_, _| {}).unwrap();
        let first = write_all(Some(&user), read).unwrap();
        assert_eq!(
            (first[0].format, first[0].added),
            (Some(FileFormat::Gpx), 1)
        );
        let read = read_all(std::slice::from_ref(&good), &o, None, false, |_, _| {}).unwrap();
        let again = write_all(Some(&user), read).unwrap();
        assert_eq!((again[0].added, again[0].unchanged), (0, 1));

        // Asked to go on, the job reads past the bad and the missing file, writes the good one
        // and reports each of the others with its error.
        let other = dir.path().join("other.gpx");
        std::fs::write(&other, GPX.replace("2026-03-01", "2026-03-02")).unwrap();
        let missing = dir.path().join("missing.gpx");
        let read = read_all(
            &[bad.clone(), other, missing.clone()],
            &o,
            None,
            true,
            |_, _| {},
        )
        .unwrap();
        let reports = write_all(Some(&user), read).unwrap();
        let outcome: Vec<(Option<FileFormat>, u64, bool)> = reports
            .iter()
            .map(|r| (r.format, r.added, r.error.is_some()))
            .collect();
        assert_eq!(
            outcome,
            vec![
                (None, 0, true),
                (Some(FileFormat::Gpx), 1, false),
                (None, 0, true)
            ]
        );
        assert!(
            reports[2]
                .error
                .as_deref()
                .unwrap()
                .contains("No such file or directory"),
            "{:?}",
            reports[2].error
        );
    }
}
