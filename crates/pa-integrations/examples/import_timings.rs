//! Times pa's importers on files, for `benches/imports_peers.py`, which times the Python peers on
//! the same files and prints the ratios. Prints one JSON object per file: the median seconds of
//! `--runs` runs of the whole job (read the bytes' format and parse; for ICS, also expand every
//! event from 2020-01-01 to 2030-01-01 in UTC, as recurring-ical-events does).
//!
//! `cargo run --release -p pa-integrations --example import_timings -- [--runs N] FILE...`

use std::time::Instant;

use pa_core::calendar::expand;
use pa_core::ports::Doc;
use pa_integrations::import::{FileFormat, ImportOptions, detect, fit, ics, ofx};

fn job(format: FileFormat, bytes: &[u8]) -> Result<usize, Box<dyn std::error::Error>> {
    let o = ImportOptions::default();
    Ok(match format {
        FileFormat::Fit => {
            let p = fit::read(bytes, "f", &o)?;
            p.batch
                .activities
                .iter()
                .map(|a| a.streams.as_ref().map_or(0, |s| s.len()))
                .sum()
        }
        FileFormat::Ofx => {
            let p = ofx::read(bytes, "f", &o)?;
            p.batch.transactions.len() + p.batch.records.len()
        }
        FileFormat::Ics => {
            let p = ics::read(bytes, "f", &o)?;
            let from = "2020-01-01T00:00:00Z".parse()?;
            let to = "2030-01-01T00:00:00Z".parse()?;
            let mut n = 0;
            for d in &p.batch.records {
                if let Doc::Event(e) = d {
                    n += expand(&e.record, from, to, chrono_tz::UTC)?.len();
                }
            }
            n
        }
        other => return Err(format!("{other:?} is not timed here").into()),
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 20usize;
    if let Some(i) = args.iter().position(|a| a == "--runs") {
        runs = args.get(i + 1).ok_or("--runs N")?.parse()?;
        args.drain(i..i + 2);
    }
    for path in args {
        let bytes = std::fs::read(&path)?;
        let Some(format) = detect(&bytes) else {
            continue;
        };
        let mut times = Vec::with_capacity(runs);
        let mut items = 0;
        for _ in 0..runs {
            let t = Instant::now();
            // A damaged file is timed up to its error, like the peers' failures.
            items = job(format, &bytes).unwrap_or_default();
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{{\"file\": {:?}, \"bytes\": {}, \"items\": {items}, \"seconds\": {:e}}}",
            path,
            bytes.len(),
            times[times.len() / 2]
        );
    }
    Ok(())
}
