//! `pa profile`: who the person is, as every front end reads it (their zone and athlete
//! thresholds, kept in the store).

use std::io::Write;

use anyhow::Result;
use clap::{Args, Subcommand};
use pa_core::ports::Profile;

use crate::import::SexArg;
use crate::output::Format;
use crate::{Context, StoreArgs};

/// `pa profile …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ProfileCommand {
    /// The person's stored profile.
    #[command(after_help = "Example:
  pa profile show --format json")]
    Show,
    /// Sets parts of the profile; what is not given stays as it is.
    #[command(after_help = "Examples:
  pa profile set --zone Europe/Berlin --currency EUR
  pa profile set --ftp 250 --hr-rest 48 --hr-max 188 --lthr 170 --sex female")]
    Set(SetArgs),
}

/// `pa profile set`. The flags have ids of their own so that the config file's `zone` and
/// `[athlete]` (defaults for other commands' flags) never fill them in.
#[derive(Debug, Args)]
pub(crate) struct SetArgs {
    /// The IANA zone days are counted in.
    #[arg(long = "zone", id = "profile_zone", value_name = "ZONE")]
    zone: Option<String>,
    /// Functional threshold power, for TSS.
    #[arg(long = "ftp", id = "profile_ftp", value_name = "WATTS")]
    ftp: Option<f64>,
    /// Resting heart rate (with --hr-max, replaces the heart-rate thresholds).
    #[arg(long = "hr-rest", id = "profile_hr_rest", value_name = "BPM")]
    hr_rest: Option<f64>,
    /// Maximum heart rate.
    #[arg(long = "hr-max", id = "profile_hr_max", value_name = "BPM")]
    hr_max: Option<f64>,
    /// Threshold (LTHR) heart rate, for hrTSS.
    #[arg(long = "lthr", id = "profile_lthr", value_name = "BPM")]
    lthr: Option<f64>,
    /// The currency of money entered without one (an ISO 4217 code: EUR).
    #[arg(long = "currency", id = "profile_currency", value_name = "CODE")]
    currency: Option<String>,
    /// The units Garmin CSVs are read in when `pa import --units` is not given: metric or statute.
    #[arg(long = "units", id = "profile_units", value_name = "UNITS")]
    units: Option<String>,
    /// The time of your daily check-in (HH:MM, in your zone).
    #[arg(long = "check-in", id = "profile_check_in", value_name = "HH:MM")]
    check_in: Option<String>,
    /// Sex, for TRIMP's weighting.
    #[arg(long = "sex", id = "profile_sex", value_enum, default_value = "male")]
    sex: SexArg,
}

pub(crate) fn run(cmd: ProfileCommand, store: &StoreArgs, ctx: Context) -> Result<()> {
    match cmd {
        ProfileCommand::Show => show(&crate::store::reader(store)?.profile()?, ctx),
        ProfileCommand::Set(args) => {
            let changes = Profile {
                zone: crate::briefing::zone_arg(args.zone.as_deref())?,
                athlete: crate::import::thresholds(
                    args.ftp,
                    (args.hr_rest, args.hr_max, args.lthr),
                    args.sex,
                )?,
                currency: args
                    .currency
                    .as_deref()
                    .map(pa_core::money::parse_currency)
                    .transpose()?,
                units: args.units.as_deref().map(str::parse).transpose()?,
                check_in_time: args
                    .check_in
                    .as_deref()
                    .map(|t| crate::write::named("--check-in", pa_core::when::parse_time(t)))
                    .transpose()?,
            };
            let profile = crate::store::writer(store)?.update_profile(changes, "cli")?;
            show(&profile, ctx)
        }
    }
}

fn show(profile: &Profile, ctx: Context) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match ctx.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, profile)?;
            writeln!(out)?;
        }
        Format::Csv | Format::Ics => return Err(crate::output::not_table("pa profile")),
        Format::Table => {
            let zone = profile
                .zone
                .map_or_else(|| "UTC (not set)".to_owned(), |z| z.name().to_owned());
            writeln!(out, "zone: {zone}")?;
            let ftp = profile
                .athlete
                .ftp_w
                .map_or_else(|| "not set".to_owned(), |w| format!("{w} W"));
            writeln!(out, "FTP: {ftp}")?;
            let currency = profile
                .currency
                .map_or_else(|| "not set".to_owned(), |c| c.code().to_owned());
            writeln!(out, "currency: {currency}")?;
            let units = match profile.units {
                Some(pa_core::ports::Units::Statute) => "statute (miles)",
                Some(pa_core::ports::Units::Metric) => "metric",
                None => "metric (not set)",
            };
            writeln!(out, "units: {units}")?;
            let check_in = profile
                .check_in_time
                .map_or_else(|| "not set".to_owned(), |t| t.format("%H:%M").to_string());
            writeln!(out, "check-in: {check_in}")?;
            match &profile.athlete.heart_rate {
                Some(hr) => {
                    let lthr = hr
                        .threshold_bpm
                        .map_or_else(|| "not set".to_owned(), |b| format!("{b} bpm"));
                    writeln!(
                        out,
                        "heart rate: rest {} bpm, max {} bpm, threshold {lthr}, {:?}",
                        hr.rest_bpm, hr.max_bpm, hr.sex
                    )?;
                }
                None => writeln!(out, "heart rate: not set")?,
            }
        }
    }
    Ok(())
}
