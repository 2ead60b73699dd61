//! `pa auth` and `pa sync`: link accounts (tokens sealed in the store's vault) and sync with
//! Google Calendar and Airtable. Everything is done by the facade; this module reads settings
//! from flags and the environment (the seed's variable names), unlocks the vault, draws progress
//! and prints reports.
//!
//! The vault opens with `PA_VAULT_PASSPHRASE`, or a passphrase typed at a prompt (never echoed);
//! tokens come from files, the environment or a prompt, never from command-line arguments.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use pa_integrations::assistant::{
    AirtableSettings, GarminSettings, GoogleSettings, Person, PlaidSettings,
};
use pa_integrations::http::HttpConfig;
use pa_integrations::secrets::{KdfParams, Secret, Vault};
use pa_integrations::sync::dashboard::{Cancel, Tables};
use pa_integrations::sync::source::UpdateProgress;

use crate::output::{Format, write_rows};
use crate::{Context, StoreArgs, store};

/// `pa auth …`.
#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// Sign in to Google: import google-auth's authorised-user JSON (--token-file), or sign in
    /// in a browser with the console's client secret file (--client-secret-file; the redirect
    /// comes back to 127.0.0.1). The tokens are sealed in the vault.
    #[command(after_help = "Examples:
  pa auth google --client-secret-file client_secret.json
  pa auth google --token-file ~/.config/pa/google-token.json
  GOOGLE_TOKEN_FILE=token.json pa auth google")]
    Google {
        /// The authorised-user JSON file (`token`, `refresh_token`, `client_id`, …).
        #[arg(long, env = "GOOGLE_TOKEN_FILE", value_name = "FILE")]
        token_file: Option<PathBuf>,
        /// The OAuth client's secret file from Google's console, for a browser sign-in.
        #[arg(long, env = "GOOGLE_CLIENT_SECRET_FILE", value_name = "FILE")]
        client_secret_file: Option<PathBuf>,
        /// How long to wait for the browser, in seconds.
        #[arg(long, default_value_t = 300)]
        wait: u64,
    },
    /// Store an Airtable personal access token in the vault (from AIRTABLE_ACCESS_TOKEN, else
    /// a prompt).
    Airtable,
    /// Link Garmin Connect with a token you already have (--token-file: python-garminconnect's
    /// garmin_tokens.json, garth's oauth2_token.json or its folder), or sign in with
    /// GARMIN_EMAIL and GARMIN_PASSWORD (--login; best effort: Garmin's sign-in may refuse
    /// programs, then use a token file or import Garmin's data export).
    #[command(after_help = "Examples:
  pa auth garmin --token-file ~/.garminconnect
  GARMIN_EMAIL=me@example.com pa auth garmin --login")]
    Garmin {
        /// A token file or folder.
        #[arg(
            long,
            env = "GARMIN_TOKEN_FILE",
            value_name = "FILE",
            conflicts_with = "login"
        )]
        token_file: Option<PathBuf>,
        /// Sign in with GARMIN_EMAIL and GARMIN_PASSWORD (asked for when not set, on a terminal).
        #[arg(long)]
        login: bool,
        #[command(flatten)]
        garmin: GarminArgs,
    },
}

/// Garmin's addresses.
#[derive(Debug, Clone, Args)]
pub(crate) struct GarminArgs {
    /// The data API's root.
    #[arg(long, env = "PA_GARMIN_URL", hide = true)]
    garmin_url: Option<String>,
    /// The sign-in hosts' root.
    #[arg(long, env = "PA_GARMIN_AUTH_URL", hide = true)]
    garmin_auth_url: Option<String>,
}

impl GarminArgs {
    fn settings(&self) -> GarminSettings {
        GarminSettings {
            url: self.garmin_url.clone(),
            auth_url: self.garmin_auth_url.clone(),
        }
    }
}

/// `pa sync garmin`'s options.
#[derive(Debug, Clone, Args)]
struct GarminSyncArgs {
    /// Read from this day (a backfill; run again to resume one that stopped).
    #[arg(long, value_name = "DATE")]
    since: Option<pa_core::time::Day>,
    #[command(flatten)]
    garmin: GarminArgs,
}

/// `pa link …`.
#[derive(Debug, Subcommand)]
pub(crate) enum LinkCommand {
    /// Without --public-token: print a Link token for your app to open Plaid Link with. With
    /// it: exchange the public token Link gave back for the Item's access token, sealed in the
    /// vault (Link again for each bank; each is an Item).
    #[command(after_help = "Examples:
  pa link plaid
  pa link plaid --public-token public-sandbox-…")]
    Plaid {
        /// The public token Plaid Link returned (good for 30 minutes, once).
        #[arg(long, env = "PLAID_PUBLIC_TOKEN")]
        public_token: Option<String>,
        #[command(flatten)]
        plaid: PlaidArgs,
    },
}

/// Plaid's settings, from the environment by the seed's names.
#[derive(Debug, Clone, Args)]
pub(crate) struct PlaidArgs {
    /// `sandbox` or `production`.
    #[arg(long = "plaid-env", env = "PLAID_ENV", hide = true)]
    env: Option<String>,
    /// The API's root (default: the environment's).
    #[arg(long, env = "PA_PLAID_URL", hide = true)]
    plaid_url: Option<String>,
}

impl PlaidArgs {
    fn settings(&self) -> PlaidSettings {
        let var = |k: &str| std::env::var(k).unwrap_or_default();
        PlaidSettings {
            url: self.plaid_url.clone(),
            env: self.env.clone(),
            client_id: var("PLAID_CLIENT_ID"),
            secret: Secret::new(var("PLAID_SECRET")),
        }
    }
}

pub(crate) fn link(cmd: LinkCommand, args: &StoreArgs, ctx: Context) -> Result<()> {
    let LinkCommand::Plaid {
        public_token,
        plaid,
    } = cmd;
    let person = store::writer(args)?;
    let settings = plaid.settings();
    let cancel = Cancel::default();
    match public_token {
        None => {
            let token = block_on(
                &cancel,
                person.plaid_link_token(&settings, &HttpConfig::default()),
            )??;
            println!("{}", crate::output::clean(&token));
            ctx.note(
                "open Plaid Link with this token, then run: pa link plaid --public-token TOKEN",
            );
        }
        Some(public) => {
            let vault = unlock(args)?;
            let item = block_on(
                &cancel,
                person.link_plaid(
                    &vault,
                    &settings,
                    &Secret::new(public),
                    &HttpConfig::default(),
                ),
            )??;
            ctx.note(format!(
                "Plaid Item {item} linked; its token is in the vault"
            ));
        }
    }
    Ok(())
}

/// `pa sync …`.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:
  pa sync calendar
  pa sync airtable --window-days 30
  pa sync plaid
  pa sync garmin --since 2026-01-01
  pa sync --all
  pa sync status --format json"
)]
pub(crate) struct SyncArgs {
    /// Sync with every linked service: the calendars, then the dashboard.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    calendar: CalendarArgs,
    #[command(flatten)]
    airtable: AirtableArgs,
    #[command(flatten)]
    plaid: PlaidArgs,
    #[command(flatten)]
    garmin: GarminArgs,
    #[command(subcommand)]
    command: Option<SyncCommand>,
}

#[derive(Debug, Subcommand)]
enum SyncCommand {
    /// Update the store from Google Calendar (every calendar on the list, or --calendar).
    Calendar(CalendarArgs),
    /// Mirror the dashboard window into the Airtable base.
    Airtable(Box<AirtableArgs>),
    /// Update transactions, balances and holdings from every linked Plaid Item.
    Plaid(PlaidArgs),
    /// Update activities, daily health and weigh-ins from Garmin Connect.
    Garmin(GarminSyncArgs),
    /// Where each sync stands: cursors, last success and error, the last runs.
    Status {
        /// Runs to show.
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
}

#[derive(Debug, Clone, Args)]
struct CalendarArgs {
    /// A calendar id to sync (repeat for several); default: every calendar on the list.
    #[arg(long = "calendar", env = "GOOGLE_CALENDAR_ID", value_delimiter = ',')]
    calendars: Vec<String>,
    /// The Calendar API's root.
    #[arg(long, env = "PA_GOOGLE_CALENDAR_URL", hide = true)]
    google_url: Option<String>,
    /// The token endpoint (default: the credentials' token_uri).
    #[arg(long, env = "PA_GOOGLE_TOKEN_URL", hide = true)]
    google_token_url: Option<String>,
}

#[derive(Debug, Clone, Args)]
struct AirtableArgs {
    /// The base id (app…).
    #[arg(long, env = "AIRTABLE_BASE_ID")]
    base: Option<String>,
    /// Days shown, ending today.
    #[arg(long, default_value_t = 90)]
    window_days: u32,
    /// Allow a run that deletes most of a table.
    #[arg(long)]
    allow_mass_delete: bool,
    /// Use your field name for one of pa's (`--field "Distance (mi)=Miles"`; repeat for more).
    #[arg(long = "field", value_name = "PA=YOURS", value_parser = field_name)]
    fields: Vec<(String, String)>,
    /// The API's root.
    #[arg(long, env = "PA_AIRTABLE_URL", hide = true)]
    airtable_url: Option<String>,
    #[arg(long, env = "AIRTABLE_DAY", default_value = "Day", hide = true)]
    day_table: String,
    #[arg(long, env = "AIRTABLE_WEEK", default_value = "Week", hide = true)]
    week_table: String,
    #[arg(
        long,
        env = "AIRTABLE_CALENDAR_EVENTS",
        default_value = "Calendar Events",
        hide = true
    )]
    events_table: String,
    #[arg(
        long,
        env = "AIRTABLE_TRAINING_SESSIONS",
        default_value = "Training Sessions",
        hide = true
    )]
    sessions_table: String,
    #[arg(
        long,
        env = "AIRTABLE_HEALTH_METRICS",
        default_value = "Health Metrics",
        hide = true
    )]
    health_table: String,
    #[arg(
        long,
        env = "AIRTABLE_BODY_METRICS",
        default_value = "Body Metrics",
        hide = true
    )]
    body_table: String,
    #[arg(
        long,
        env = "AIRTABLE_TRAINING_PLANS",
        default_value = "Training Plans",
        hide = true
    )]
    plans_table: String,
    /// The tasks table (mirrored only when named).
    #[arg(long, env = "AIRTABLE_TASKS", hide = true)]
    tasks_table: Option<String>,
    /// The projects table (mirrored only when named).
    #[arg(long, env = "AIRTABLE_PROJECTS", hide = true)]
    projects_table: Option<String>,
    /// The weekly reviews table (mirrored only when named).
    #[arg(long, env = "AIRTABLE_WEEKLY_REVIEWS", hide = true)]
    reviews_table: Option<String>,
    /// The sync log table (mirrored only when named).
    #[arg(long, env = "AIRTABLE_SYNC_LOGS", hide = true)]
    sync_log_table: Option<String>,
}

/// `PA=YOURS`: a field renamed.
fn field_name(text: &str) -> std::result::Result<(String, String), String> {
    match text.split_once('=') {
        Some((pa, yours)) if !pa.trim().is_empty() && !yours.trim().is_empty() => {
            Ok((pa.trim().to_owned(), yours.trim().to_owned()))
        }
        _ => Err("give pa's field name and yours as PA=YOURS".to_owned()),
    }
}

/// The platform's keyring, when one answers (a Secret Service on the session bus, the macOS
/// keychain, the Windows credential manager); `PA_NO_KEYRING=1` leaves it out.
fn install_keyring() {
    if std::env::var_os("PA_NO_KEYRING").is_some_and(|v| v == "1")
        || keyring_core::get_default_store().is_some()
    {
        return;
    }
    #[cfg(target_os = "linux")]
    let store = zbus_secret_service_keyring_store::Store::new()
        .map(|s| s as Arc<keyring_core::CredentialStore>);
    #[cfg(target_os = "macos")]
    let store = apple_native_keyring_store::keychain::Store::new()
        .map(|s| s as Arc<keyring_core::CredentialStore>);
    #[cfg(target_os = "windows")]
    let store =
        windows_native_keyring_store::Store::new().map(|s| s as Arc<keyring_core::CredentialStore>);
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    let store: keyring_core::Result<Arc<keyring_core::CredentialStore>> =
        Err(keyring_core::Error::NoDefaultStore);
    if let Ok(store) = store {
        keyring_core::set_default_store(store);
    }
}

/// The vault, opened the way it was made: from the OS keyring when its key lives there (a new
/// vault goes there when a keyring answers), else with `PA_VAULT_PASSPHRASE` or a prompt.
fn unlock(person_args: &StoreArgs) -> Result<Vault> {
    install_keyring();
    let passphrase = || -> pa_integrations::Result<Secret> {
        match std::env::var("PA_VAULT_PASSPHRASE") {
            Ok(p) if !p.is_empty() => Ok(Secret::new(p)),
            _ if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
                rpassword::prompt_password("vault passphrase: ")
                    .map(Secret::new)
                    .map_err(|source| pa_integrations::Error::Io {
                        path: "/dev/tty".into(),
                        source,
                    })
            }
            _ => Err(pa_core::Error::invalid(
                "vault",
                "set PA_VAULT_PASSPHRASE (or run on a terminal to be asked) to open the store's secrets vault",
            )
            .into()),
        }
    };
    let pa = pa_integrations::assistant::Assistant::open(
        &store::location(person_args),
        pa_integrations::assistant::Access::Create,
    )?;
    Ok(pa.unlock_auto(passphrase, KdfParams::default())?)
}

pub(crate) fn auth(cmd: AuthCommand, args: &StoreArgs, ctx: Context) -> Result<()> {
    let person = store::writer(args)?;
    let vault = unlock(args)?;
    match cmd {
        AuthCommand::Google {
            token_file,
            client_secret_file,
            wait,
        } => {
            let read = |path: &PathBuf| {
                std::fs::read_to_string(path).map_err(|source| pa_integrations::Error::Io {
                    path: path.clone(),
                    source,
                })
            };
            match (token_file, client_secret_file) {
                (Some(file), _) => {
                    person.link_google(&vault, &Secret::new(read(&file)?))?;
                }
                (None, Some(file)) => {
                    let secret = Secret::new(read(&file)?);
                    let cancel = Cancel::default();
                    block_on(&cancel, async {
                        let consent = Person::begin_google_consent(&secret).await?;
                        eprintln!(
                            "Open this page in a browser to let pa read your calendars:\n{}",
                            consent.url
                        );
                        person
                            .finish_google_consent(
                                &vault,
                                consent,
                                &HttpConfig::default(),
                                std::time::Duration::from_secs(wait),
                            )
                            .await
                    })??;
                }
                (None, None) => {
                    return Err(pa_core::Error::invalid(
                        "pa auth google",
                        "give --token-file (or GOOGLE_TOKEN_FILE) or --client-secret-file (or GOOGLE_CLIENT_SECRET_FILE)",
                    )
                    .into());
                }
            }
            ctx.note("Google credentials stored in the vault");
        }
        AuthCommand::Airtable => {
            let token = match std::env::var("AIRTABLE_ACCESS_TOKEN") {
                Ok(t) if !t.is_empty() => Secret::new(t),
                _ if std::io::IsTerminal::is_terminal(&std::io::stdin()) => Secret::new(
                    rpassword::prompt_password("Airtable personal access token: ")
                        .context("reading the token")?,
                ),
                _ => {
                    return Err(pa_core::Error::invalid(
                        "Airtable token",
                        "set AIRTABLE_ACCESS_TOKEN (or run on a terminal to be asked)",
                    )
                    .into());
                }
            };
            person.link_airtable(&vault, &token)?;
            ctx.note("Airtable token stored in the vault");
        }
        AuthCommand::Garmin {
            token_file,
            login,
            garmin,
        } => {
            if let Some(path) = token_file {
                person.link_garmin_file(&vault, &path)?;
            } else if login {
                let terminal = std::io::IsTerminal::is_terminal(&std::io::stdin());
                let ask = |what: &str, hidden: bool| -> Result<String> {
                    if !terminal {
                        return Err(pa_core::Error::invalid(
                            "pa auth garmin --login",
                            format!("set {what} (or run on a terminal to be asked)"),
                        )
                        .into());
                    }
                    if hidden {
                        Ok(rpassword::prompt_password(format!("{what}: "))?)
                    } else {
                        eprint!("{what}: ");
                        let mut line = String::new();
                        std::io::stdin().read_line(&mut line)?;
                        Ok(line.trim().to_owned())
                    }
                };
                let email = match std::env::var("GARMIN_EMAIL") {
                    Ok(e) if !e.is_empty() => e,
                    _ => ask("GARMIN_EMAIL", false)?,
                };
                let password = match std::env::var("GARMIN_PASSWORD") {
                    Ok(p) if !p.is_empty() => Secret::new(p),
                    _ => Secret::new(ask("GARMIN_PASSWORD", true)?),
                };
                let mut mfa = || -> Option<String> {
                    if !terminal {
                        return None;
                    }
                    eprint!("the code Garmin sent you: ");
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line).ok()?;
                    Some(line.trim().to_owned()).filter(|c| !c.is_empty())
                };
                let cancel = Cancel::default();
                block_on(
                    &cancel,
                    person.garmin_login(
                        &vault,
                        &garmin.settings(),
                        &email,
                        &password,
                        &mut mfa,
                        &HttpConfig::default(),
                    ),
                )??;
            } else {
                return Err(pa_core::Error::invalid(
                    "pa auth garmin",
                    "give --token-file (or GARMIN_TOKEN_FILE), or --login",
                )
                .into());
            }
            ctx.note("Garmin token stored in the vault");
        }
    }
    Ok(())
}

/// A progress bar on stderr (hidden with --quiet or off a terminal).
fn bar(ctx: Context) -> indicatif::ProgressBar {
    if ctx.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:24} [{bar:30}] {pos}/{len}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    }
}

/// Runs `job` on a runtime; Ctrl-C cancels it between requests.
fn block_on<T>(cancel: &Cancel, job: impl std::future::Future<Output = T>) -> Result<T> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let stop = cancel.clone();
    Ok(rt.block_on(async move {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.cancel();
            }
        });
        job.await
    }))
}

#[derive(serde::Serialize)]
struct Row {
    service: String,
    what: String,
    added: u64,
    updated: u64,
    deleted: u64,
    unchanged: u64,
}

impl Row {
    /// A row of what an update wrote.
    fn written(service: &str, what: String, w: &pa_core::ports::WriteReport) -> Self {
        Self {
            service: service.into(),
            what,
            added: w.added,
            updated: w.updated,
            deleted: w.deleted,
            unchanged: w.unchanged,
        }
    }
}

/// Moves `bar` with an update's pages.
fn pages(bar: &indicatif::ProgressBar) -> impl FnMut(&UpdateProgress) + Send + '_ {
    move |p| {
        bar.set_length(p.pages as u64);
        bar.set_position(p.pages as u64);
    }
}

fn calendar(
    person: &Person,
    vault: Arc<Vault>,
    args: &CalendarArgs,
    ctx: Context,
    cancel: &Cancel,
) -> Result<Vec<Row>> {
    let settings = GoogleSettings {
        api_url: args.google_url.clone(),
        token_url: args.google_token_url.clone(),
        calendars: args.calendars.clone(),
    };
    let bar = bar(ctx);
    bar.set_message("Google Calendar");
    let reports = block_on(
        cancel,
        person.sync_google_calendar(
            vault,
            &settings,
            &HttpConfig::default(),
            cancel,
            &mut pages(&bar),
        ),
    )??;
    bar.finish_and_clear();
    Ok(reports
        .into_iter()
        .map(|r| {
            let what = r.source.trim_start_matches("google_calendar:").to_owned();
            Row::written("google_calendar", what, &r.written)
        })
        .collect())
}

fn garmin(
    person: &Person,
    vault: Arc<Vault>,
    args: &GarminSyncArgs,
    ctx: Context,
    cancel: &Cancel,
) -> Result<Vec<Row>> {
    let bar = bar(ctx);
    bar.set_message("Garmin Connect");
    let report = block_on(
        cancel,
        person.sync_garmin(
            vault,
            &args.garmin.settings(),
            args.since,
            &HttpConfig::default(),
            cancel,
            &mut pages(&bar),
        ),
    )??;
    bar.finish_and_clear();
    let span = match (report.from, report.to) {
        (Some(f), Some(t)) => format!("{f} to {t}"),
        _ => "up to date".to_owned(),
    };
    Ok(vec![Row::written("garmin", span, &report.written)])
}

fn plaid(
    person: &Person,
    vault: &Vault,
    args: &PlaidArgs,
    ctx: Context,
    cancel: &Cancel,
) -> Result<Vec<Row>> {
    let bar = bar(ctx);
    bar.set_message("Plaid");
    let reports = block_on(
        cancel,
        person.sync_plaid(
            vault,
            &args.settings(),
            &HttpConfig::default(),
            cancel,
            &mut pages(&bar),
        ),
    )??;
    bar.finish_and_clear();
    let mut rows = Vec::new();
    for r in reports {
        if let Some(reason) = &r.relink_needed {
            ctx.note(format!(
                "Plaid Item {}: re-link needed (pa link plaid): {}",
                r.item_id, reason
            ));
        }
        for (what, u) in [("transactions", &r.transactions), ("balances", &r.snapshot)] {
            if let Some(u) = u {
                rows.push(Row::written(
                    "plaid",
                    format!("{} {what}", r.item_id),
                    &u.written,
                ));
            }
        }
    }
    Ok(rows)
}

fn airtable(
    person: &Person,
    vault: &Vault,
    args: &AirtableArgs,
    ctx: Context,
    cancel: &Cancel,
) -> Result<Vec<Row>> {
    let base = args.base.clone().ok_or_else(|| {
        pa_core::Error::invalid("Airtable base", "set AIRTABLE_BASE_ID or pass --base")
    })?;
    let settings = AirtableSettings {
        url: args.airtable_url.clone(),
        tables: Tables {
            day: args.day_table.clone(),
            week: args.week_table.clone(),
            events: args.events_table.clone(),
            sessions: args.sessions_table.clone(),
            health: args.health_table.clone(),
            body: args.body_table.clone(),
            plans: args.plans_table.clone(),
            tasks: args.tasks_table.clone(),
            projects: args.projects_table.clone(),
            reviews: args.reviews_table.clone(),
            sync_log: args.sync_log_table.clone(),
        },
        window_days: args.window_days,
        force: args.allow_mass_delete,
        rename: args.fields.iter().cloned().collect(),
        ..AirtableSettings::new(base)
    };
    let fallback = std::env::var("AIRTABLE_ACCESS_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
        .map(Secret::new);
    let bar = bar(ctx);
    let report = block_on(
        cancel,
        person.sync_airtable(
            vault,
            fallback.as_ref(),
            &settings,
            &HttpConfig::default(),
            cancel,
            &mut |p| {
                bar.set_message(p.table.clone());
                bar.set_length(p.total as u64);
                bar.set_position(p.done as u64);
            },
        ),
    )??;
    bar.finish_and_clear();
    Ok(report
        .tables
        .into_iter()
        .map(|t| Row {
            service: "airtable".into(),
            what: t.table,
            added: t.created as u64,
            updated: t.updated as u64,
            deleted: t.deleted as u64,
            unchanged: t.unchanged as u64,
        })
        .collect())
}

pub(crate) fn run(args: SyncArgs, store_args: &StoreArgs, ctx: Context) -> Result<()> {
    let out = &mut std::io::stdout().lock();
    if let Some(SyncCommand::Status { runs }) = &args.command {
        let person = store::reader(store_args)?;
        let status = person.sync_status(*runs)?;
        if ctx.format == Format::Json {
            serde_json::to_writer_pretty(&mut *out, &status)?;
            std::io::Write::write_all(out, b"\n")?;
            return Ok(());
        }
        write_rows(
            out,
            ctx.format,
            &["source", "cursor", "last_success", "last_error"],
            &status.states,
            |s| {
                vec![
                    s.source.clone(),
                    if s.has_cursor { "yes" } else { "no" }.into(),
                    s.last_success.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    s.last_error.clone().unwrap_or_default(),
                ]
            },
        )?;
        return write_rows(
            out,
            ctx.format,
            &[
                "source", "started", "outcome", "added", "updated", "deleted", "error",
            ],
            &status.runs,
            |r| {
                vec![
                    r.source.clone(),
                    r.started.to_rfc3339(),
                    r.outcome.as_str().into(),
                    r.added.to_string(),
                    r.updated.to_string(),
                    r.deleted.to_string(),
                    r.error.clone().unwrap_or_default(),
                ]
            },
        );
    }
    let person = store::writer(store_args)?;
    let vault = Arc::new(unlock(store_args)?);
    let cancel = Cancel::default();
    let mut rows = Vec::new();
    match args.command {
        Some(SyncCommand::Calendar(a)) => rows.extend(calendar(&person, vault, &a, ctx, &cancel)?),
        Some(SyncCommand::Airtable(a)) => rows.extend(airtable(&person, &vault, &a, ctx, &cancel)?),
        Some(SyncCommand::Plaid(a)) => rows.extend(plaid(&person, &vault, &a, ctx, &cancel)?),
        Some(SyncCommand::Garmin(a)) => rows.extend(garmin(&person, vault, &a, ctx, &cancel)?),
        Some(SyncCommand::Status { .. }) => {}
        None if args.all => {
            // Every linked service: the calendars, then the dashboard (with the environment's
            // token when the vault has none yet).
            let linked = person.linked(&vault)?;
            if linked.google {
                rows.extend(calendar(
                    &person,
                    vault.clone(),
                    &args.calendar,
                    ctx,
                    &cancel,
                )?);
            } else {
                ctx.note("Google Calendar: not linked (pa auth google); skipped");
            }
            if linked.garmin {
                let a = GarminSyncArgs {
                    since: None,
                    garmin: args.garmin.clone(),
                };
                rows.extend(garmin(&person, vault.clone(), &a, ctx, &cancel)?);
            } else {
                ctx.note("Garmin: not linked (pa auth garmin); skipped");
            }
            if linked.plaid {
                rows.extend(plaid(&person, &vault, &args.plaid, ctx, &cancel)?);
            } else {
                ctx.note("Plaid: no Item linked (pa link plaid); skipped");
            }
            let airtable_token =
                linked.airtable || std::env::var_os("AIRTABLE_ACCESS_TOKEN").is_some();
            match (&args.airtable.base, airtable_token) {
                (Some(_), true) => {
                    rows.extend(airtable(&person, &vault, &args.airtable, ctx, &cancel)?)
                }
                (None, _) => ctx.note("Airtable: no base set (AIRTABLE_BASE_ID); skipped"),
                (Some(_), false) => ctx.note("Airtable: not linked (pa auth airtable); skipped"),
            }
        }
        None => {
            return Err(pa_core::Error::invalid(
                "pa sync",
                "name what to sync: calendar, garmin, plaid, airtable, status, or --all",
            )
            .into());
        }
    }
    write_rows(
        out,
        ctx.format,
        &[
            "service",
            "what",
            "added",
            "updated",
            "deleted",
            "unchanged",
        ],
        &rows,
        |r| {
            vec![
                r.service.clone(),
                r.what.clone(),
                r.added.to_string(),
                r.updated.to_string(),
                r.deleted.to_string(),
                r.unchanged.to_string(),
            ]
        },
    )
}
