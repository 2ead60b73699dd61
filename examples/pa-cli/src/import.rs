//! `pa import FILE...`: activity files (FIT, GPX, TCX), statements (OFX, QFX) and calendars (ICS)
//! into the store, told apart by content.

use std::path::PathBuf;

use anyhow::Context as _;
use anyhow::Result;
use clap::Args;
use pa_core::fitness::load::Thresholds;
use pa_integrations::assistant::{Assistant, ImportRequest};
use pa_integrations::import::bank_csv::BankCsvMapping;
use pa_integrations::import::{FileFormat, Units};
use serde::Serialize;

use crate::output::{Format, write_rows};
use crate::{Context, StoreArgs};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  pa import ride.fit run.gpx statement.ofx work.ics
  pa import --dry-run --format json Activities.csv --units statute
  pa import --bank-csv giro.json umsaetze.csv
  pa import ride.fit --ftp 250 --hr-rest 48 --hr-max 188 --lthr 170")]
pub(crate) struct ImportArgs {
    /// The files (FIT, GPX, TCX, OFX, QFX or ICS; the format is read from the content).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Read and report, but write nothing.
    #[arg(long)]
    dry_run: bool,

    /// Import the files that can be read and report each one that cannot (its error on
    /// stderr); exits 65 afterwards when any could not be read. Without it the first such file
    /// stops the import before anything is written.
    #[arg(long)]
    keep_going: bool,

    /// The IANA zone activity starts are shown in, and floating calendar times and Garmin CSV
    /// dates are read in; default: the person's (`pa profile`), else UTC.
    #[arg(long, env = "PA_ZONE", value_name = "ZONE")]
    zone: Option<String>,

    /// The units of Garmin's activities CSV, which does not say (your Garmin Connect setting);
    /// default: the profile's (`pa profile set --units`), else metric.
    #[arg(long, value_enum)]
    units: Option<UnitsArg>,

    /// Your functional threshold power: activities with power get TSS as their training load
    /// (default: the profile's, `pa profile`).
    #[arg(long, env = "PA_FTP", value_name = "WATTS")]
    ftp: Option<f64>,

    /// Your resting heart rate (with --hr-max: TRIMP for activities with heart rate; these
    /// flags together replace the profile's heart-rate thresholds).
    #[arg(long, env = "PA_HR_REST", value_name = "BPM")]
    hr_rest: Option<f64>,

    /// Your maximum heart rate.
    #[arg(long, env = "PA_HR_MAX", value_name = "BPM")]
    hr_max: Option<f64>,

    /// Your threshold (LTHR) heart rate: hrTSS as the training load where there is no power.
    #[arg(long, env = "PA_LTHR", value_name = "BPM")]
    lthr: Option<f64>,

    /// Sex, for TRIMP's weighting.
    #[arg(long, value_enum, env = "PA_SEX", default_value = "male")]
    sex: SexArg,

    /// Read the files as bank CSV exports with this column mapping (a JSON file; see
    /// docs/import.md).
    #[arg(long, value_name = "MAPPING.json")]
    bank_csv: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum SexArg {
    /// Male weighting.
    Male,
    /// Female weighting.
    Female,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum UnitsArg {
    /// km, m (and m for swims).
    Metric,
    /// mi, ft (and yd for swims).
    Statute,
}

/// The athlete's thresholds from the flags (the parts not given come from the profile).
pub(crate) fn thresholds(
    ftp: Option<f64>,
    hr: (Option<f64>, Option<f64>, Option<f64>),
    sex: SexArg,
) -> Result<Thresholds> {
    use pa_core::fitness::load::Sex;
    let sex = match sex {
        SexArg::Male => Sex::Male,
        SexArg::Female => Sex::Female,
    };
    // pa-core names the values; the errors here name the flags that carry them.
    Thresholds::from_parts(ftp, hr.0, hr.1, hr.2, sex).map_err(|e| match e {
        pa_core::Error::InvalidInput { field, reason } => {
            let flag = match field.as_str() {
                "FTP" => "--ftp",
                "heart rate" => "--hr-rest and --hr-max",
                "rest heart rate" => "--hr-rest",
                "max heart rate" => "--hr-max",
                "threshold heart rate" => "--lthr",
                _ => field.as_str(),
            };
            pa_core::Error::invalid(flag, reason).into()
        }
        other => other.into(),
    })
}

/// Reads every file first: a bad one is an error and nothing is written. Then each file is written
/// in its own transaction, audited as `import:<file>`.
pub(crate) fn run(args: ImportArgs, store_args: &StoreArgs, ctx: Context) -> Result<()> {
    let bank_csv = match &args.bank_csv {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the mapping {}", path.display()))?;
            Some(BankCsvMapping::from_json(
                &text,
                &path.display().to_string(),
            )?)
        }
        None => None,
    };
    let request = ImportRequest {
        zone: crate::briefing::zone_arg(args.zone.as_deref())?,
        units: args.units.map(|u| match u {
            UnitsArg::Metric => Units::Metric,
            UnitsArg::Statute => Units::Statute,
        }),
        thresholds: thresholds(args.ftp, (args.hr_rest, args.hr_max, args.lthr), args.sex)?,
        bank_csv,
        dry_run: args.dry_run,
        skip_unreadable: args.keep_going,
    };
    // A bar on stderr while reading, drawn only on a terminal, not with --quiet, and only when
    // there is enough to read for it to help.
    let total: u64 = args
        .files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = if ctx.quiet || total < 4 * 1024 * 1024 || args.files.len() < 2 {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(args.files.len() as u64)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let location = crate::store::location(store_args);
    let reports = Assistant::import_files_at(
        &location,
        &store_args.user,
        &args.files,
        &request,
        |_, path| {
            bar.set_message(crate::output::clean(&path.display().to_string()).into_owned());
            bar.inc(1);
        },
    )?;
    bar.finish_and_clear();
    let unreadable = reports.iter().filter(|r| r.error.is_some()).count();
    for r in &reports {
        if let Some(e) = &r.error {
            // Errors print even with --quiet.
            eprintln!(
                "error: {}",
                crate::output::clean_lines(&format!("{}: {e}", r.file))
            );
        }
    }
    let outcome = if unreadable > 0 {
        Err(pa_core::Error::invalid(
            "files",
            format!(
                "{unreadable} of {} could not be read; the others were imported",
                reports.len()
            ),
        )
        .into())
    } else {
        Ok(())
    };
    for r in &reports {
        let name = std::path::Path::new(&r.file)
            .file_name()
            .map_or_else(|| r.file.clone(), |n| n.to_string_lossy().into_owned());
        for s in &r.skipped {
            ctx.warn(format!("{name}: skipped {}: {}", s.what, s.reason));
        }
    }
    if ctx.quiet && ctx.format == Format::Table {
        return outcome;
    }
    let mut out = std::io::stdout().lock();
    if ctx.format == Format::Csv {
        // Nested lists do not fit CSV cells: one row per file with counts.
        #[derive(Serialize)]
        struct Row<'a> {
            file: &'a str,
            format: Option<FileFormat>,
            records: usize,
            added: u64,
            updated: u64,
            unchanged: u64,
            skipped: usize,
        }
        let rows: Vec<Row<'_>> = reports
            .iter()
            .map(|r| Row {
                file: &r.file,
                format: r.format,
                records: r.records,
                added: r.added,
                updated: r.updated,
                unchanged: r.unchanged,
                skipped: r.skipped.len(),
            })
            .collect();
        write_rows(&mut out, ctx.format, &[], &rows, |_| Vec::new())?;
        return outcome;
    }
    write_rows(
        &mut out,
        ctx.format,
        &[
            "file",
            "format",
            "records",
            "added",
            "updated",
            "unchanged",
            "skipped",
        ],
        &reports,
        |r| {
            vec![
                r.file.clone(),
                r.format
                    .map_or_else(|| "–".to_owned(), |f| format!("{f:?}").to_lowercase()),
                r.records.to_string(),
                r.added.to_string(),
                r.updated.to_string(),
                r.unchanged.to_string(),
                r.skipped.len().to_string(),
            ]
        },
    )?;
    outcome
}
