//! Importers: files people already have, turned into pa-core values.
//!
//! Every reader (FIT, GPX, TCX, OFX, ICS) returns a [`Parsed`]: the records as one
//! `WriteBatch` plus what was skipped and why; writing the batch
//! gives the added / updated / unchanged counts. An activity from a file is identified by its
//! start instant (`file` / `activity/2026-03-01T07:00:00Z`), so the same workout exported as GPX
//! and as TCX, or imported twice, is one activity.

pub mod bank_csv;
mod csv_table;
pub mod files;
pub mod finance;
pub mod fit;
pub mod garmin_csv;
pub mod garmin_export;
pub mod gpx;
pub mod habits;
pub mod ics;
pub mod loads;
pub mod ofx;
pub mod tcx;
mod xml;

#[cfg(test)]
mod robustness;

use chrono::{DateTime, SecondsFormat, Utc};
use pa_core::fitness::track::{TrackPoint, mean_max, streams};
use pa_core::ids::ExternalRef;
use pa_core::ports::WriteBatch;
use serde::Serialize;

/// How to read files.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// The zone activity starts are shown in (files record instants in UTC), and the zone of
    /// wall-clock times that name none (floating calendar times, Garmin's CSV).
    pub zone: chrono_tz::Tz,
    /// The units of files that do not say (Garmin's activities CSV).
    pub units: Units,
    /// The athlete's thresholds: with them, activities are scored on import (TSS or hrTSS as
    /// the training load, and TRIMP; see [`pa_core::fitness::load::score`]).
    pub thresholds: pa_core::fitness::load::Thresholds,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            zone: chrono_tz::UTC,
            units: Units::Metric,
            thresholds: pa_core::fitness::load::Thresholds::default(),
        }
    }
}

pub use pa_core::ports::Units;

/// Something in a file that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// What (`track 2 (Evening)`, `3 waypoint(s)`).
    pub what: String,
    /// Why.
    pub reason: String,
}

/// What a file held.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// The records to write.
    pub batch: WriteBatch,
    /// What was left out, with reasons.
    pub skipped: Vec<Skipped>,
    /// Things worth knowing that did not stop the import.
    pub warnings: Vec<String>,
}

impl Parsed {
    /// Completes `a` from its points (heart rate and power where the file gave no totals, the
    /// streams from `start`, the scores from `options.thresholds`) and keeps it, or skips it with
    /// the rule it breaks.
    fn finish_activity(
        &mut self,
        what: String,
        mut a: pa_core::fitness::Activity,
        points: &[TrackPoint],
        start: DateTime<Utc>,
        options: &ImportOptions,
    ) {
        if let Some((avg, max)) = mean_max(points.iter().filter_map(|p| p.heart_rate)) {
            a.avg_hr_bpm = a.avg_hr_bpm.or(Some(avg));
            a.max_hr_bpm = a.max_hr_bpm.or(Some(max));
        }
        if a.avg_power_w.is_none() {
            a.avg_power_w = mean_max(points.iter().filter_map(|p| p.power)).map(|(avg, _)| avg);
        }
        a.streams = streams(points, start);
        if let Err(e) = pa_core::fitness::load::score(&mut a, &options.thresholds) {
            self.skip(what, e.to_string());
            return;
        }
        match a.validate() {
            Ok(()) => self.batch.activities.push(a),
            Err(e) => self.skip(what, e.to_string()),
        }
    }

    fn skip(&mut self, what: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            what: what.into(),
            reason: reason.into(),
        });
    }
}

impl Parsed {
    /// Drops the activities `store` already holds (same id), each reported as skipped: for
    /// summaries (Garmin's CSV) that must not overwrite an activity read from its file.
    pub fn drop_stored_activities<S: pa_core::ports::UserStore + ?Sized>(
        &mut self,
        store: &S,
    ) -> std::result::Result<(), S::Error> {
        let days = self.batch.activities.iter().map(|a| a.day());
        let (Some(first), Some(last)) = (days.clone().min(), days.max()) else {
            return Ok(());
        };
        let stored: std::collections::HashSet<_> = store
            .activities(first, last)?
            .into_iter()
            .map(|a| a.id)
            .collect();
        let (keep, drop): (Vec<_>, Vec<_>) = std::mem::take(&mut self.batch.activities)
            .into_iter()
            .partition(|a| !stored.contains(&a.id));
        self.batch.activities = keep;
        for a in drop {
            self.skip(
                format!("activity {}", a.id),
                "already stored (from its file, with more detail than a summary)",
            );
        }
        Ok(())
    }
}

/// FNV-1a, 64-bit: stable across releases and platforms, unlike std's hasher, so the ids made
/// from it (for records whose source gives none) stay the same from one import to the next.
pub(crate) fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The reference of an activity read from a file: its start instant.
pub(crate) fn activity_ref(start: DateTime<Utc>) -> crate::error::Result<ExternalRef> {
    Ok(ExternalRef::new(
        "file",
        format!(
            "activity/{}",
            start.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        ),
    )?)
}

/// The file formats pa reads activities from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// GPX 1.0 / 1.1.
    Gpx,
    /// Garmin Training Center XML.
    Tcx,
    /// Garmin FIT (activity files).
    Fit,
    /// OFX 1.x / 2.x and QFX bank, card and investment statements.
    Ofx,
    /// iCalendar (RFC 5545): events and to-dos.
    Ics,
    /// Garmin Connect's activities list (CSV).
    #[serde(rename = "garmin-csv")]
    GarminCsv,
    /// A bank's CSV export, read with a column mapping (never detected: the mapping says).
    #[serde(rename = "bank-csv")]
    BankCsv,
    /// Garmin Connect's data export, zipped or unpacked (see [`garmin_export`]).
    #[serde(rename = "garmin-export")]
    GarminExport,
}

/// The largest file read (a year of 1 Hz records is a few tens of MB).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The format of `bytes`, told by content (the root element), not by the file name.
pub fn detect(bytes: &[u8]) -> Option<FileFormat> {
    // FIT: a 12- or 14-byte header with ".FIT" at bytes 8..12.
    if bytes.len() >= 12 && matches!(bytes[0], 12 | 14) && &bytes[8..12] == b".FIT" {
        return Some(FileFormat::Fit);
    }
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let upper = text.to_ascii_uppercase();
    if upper.contains("OFXHEADER") || upper.contains("<OFX>") {
        return Some(FileFormat::Ofx);
    }
    if upper
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with("BEGIN:VCALENDAR")
    {
        return Some(FileFormat::Ics);
    }
    if garmin_csv::looks_like(bytes) {
        return Some(FileFormat::GarminCsv);
    }
    if garmin_export::looks_like_zip(bytes) {
        return Some(FileFormat::GarminExport);
    }
    // The first element that is not the XML declaration, a comment or a doctype.
    let mut rest = text.as_ref();
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        let local = name.rsplit(':').next().unwrap_or(&name);
        return match local {
            "gpx" => Some(FileFormat::Gpx),
            "TrainingCenterDatabase" => Some(FileFormat::Tcx),
            _ => None,
        };
    }
    None
}

/// Reads the file at `path`, detecting its format (a folder is read as an unpacked Garmin data
/// export).
pub fn read_file(
    path: &std::path::Path,
    options: &ImportOptions,
) -> crate::error::Result<(FileFormat, Parsed)> {
    if path.is_dir() {
        if !garmin_export::looks_like_folder(path) {
            return Err(crate::error::Error::parse(
                path.display().to_string(),
                None,
                "a folder pa can import is an unpacked Garmin data export (holding DI_CONNECT)",
            ));
        }
        return Ok((
            FileFormat::GarminExport,
            garmin_export::read_folder(path, options)?,
        ));
    }
    let (bytes, name) = read_bytes(path)?;
    let format = detect(&bytes).ok_or_else(|| {
        crate::error::Error::parse(
            &name,
            None,
            "not a file pa can import (FIT, GPX, TCX, OFX, QFX, ICS, Garmin's activities CSV or \
             data export; for a bank's CSV, give its column mapping with --bank-csv)",
        )
    })?;
    let parsed = match format {
        FileFormat::Gpx => gpx::read(&bytes, &name, options)?,
        FileFormat::Tcx => tcx::read(&bytes, &name, options)?,
        FileFormat::Fit => fit::read(&bytes, &name, options)?,
        FileFormat::Ofx => ofx::read(&bytes, &name, options)?,
        FileFormat::Ics => ics::read(&bytes, &name, options)?,
        FileFormat::GarminCsv => garmin_csv::read(&bytes, &name, options)?,
        FileFormat::GarminExport => garmin_export::read_zip(&bytes, &name, options)?,
        FileFormat::BankCsv => unreachable_bank_csv(&name)?,
    };
    Ok((format, parsed))
}

/// `detect` never answers BankCsv; kept as an error rather than a panic all the same.
fn unreachable_bank_csv(name: &str) -> crate::error::Result<Parsed> {
    Err(crate::error::Error::parse(
        name,
        None,
        "a bank CSV needs its column mapping",
    ))
}

/// The bytes of the file at `path` (at most [`MAX_FILE_BYTES`]) and its name for messages.
pub(crate) fn read_bytes(path: &std::path::Path) -> crate::error::Result<(Vec<u8>, String)> {
    use std::io::Read as _;
    let io = |source| crate::error::Error::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    // Sized once from the file's length (a growing buffer copied a 1 MB file about four times,
    // each copy into fresh memory); a length that changes while reading still reads right.
    let len = file
        .metadata()
        .map_or(0, |m| m.len())
        .min(MAX_FILE_BYTES + 1);
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(usize::try_from(len).unwrap_or(0) + 1)
        .map_err(|_| io(std::io::ErrorKind::OutOfMemory.into()))?;
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let name = path.display().to_string();
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(crate::error::Error::parse(
            name,
            None,
            format!("larger than {} MB", MAX_FILE_BYTES / 1024 / 1024),
        ));
    }
    Ok((bytes, name))
}

/// The folder `sub` of `../shared/fixtures` (the real sample files, never copied into the
/// project), or `None` with a visible note when it is absent; absent under `CI` fails the test,
/// since CI always has it and a test that quietly tests nothing is no test.
#[cfg(test)]
pub(crate) fn shared_fixtures(sub: &str) -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures")
        .join(sub);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_content() {
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?>\n<!-- x --><gpx version=\"1.1\">"),
            Some(FileFormat::Gpx)
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBF<TrainingCenterDatabase xmlns=\"x\">"),
            Some(FileFormat::Tcx)
        );
        assert_eq!(detect(b"<kml>"), None);
        assert_eq!(
            detect(b"\xEF\xBB\xBF\r\nbegin:vcalendar\r\n"),
            Some(FileFormat::Ics)
        );
        assert_eq!(detect(b"SUMMARY:BEGIN:VCALENDAR\r\n"), None);
        assert_eq!(detect(b"date,amount\n"), None);
        assert_eq!(detect(&[0, 159, 146, 150]), None);
        assert_eq!(
            detect(&[14, 16, 0, 0, 0, 0, 0, 0, b'.', b'F', b'I', b'T', 0, 0]),
            Some(FileFormat::Fit)
        );
    }
}
