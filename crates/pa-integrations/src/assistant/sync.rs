//! Syncing a person's data with services, the one front door every front end uses: link an
//! account (its token sealed in the store's vault), update from Google Calendar, mirror the
//! dashboard into Airtable, and read where each sync stands.
//!
//! Tokens live only in the vault: front ends pass them in once (`link_*`) from a file, the
//! environment or a prompt, never from a command line.

use std::collections::BTreeMap;
use std::sync::Arc;

use pa_core::ports::{SyncRun, SyncState, Units, UserStore};
use serde::Serialize;

use super::person::{Person, VaultSecrets};
use crate::error::{Error, Result};
use crate::http::consent::{Consent, InstalledApp};
use crate::http::oauth::{AuthorizedUser, TokenSource};
use crate::http::{HttpConfig, Transport};
use crate::providers::airtable::{self, Airtable, AirtableConfig};
use crate::providers::google_calendar::{CalendarSource, GoogleCalendar};
use crate::secrets::{Secret, Vault};
use crate::sync::dashboard::{
    Cancel, Dashboard, DashboardConfig, DashboardReport, Progress, Tables,
};
use crate::sync::source::{UpdateProgress, UpdateReport, Updater};

/// The vault name of the Google authorised-user credentials.
pub const GOOGLE_TOKEN: &str = "google.token";
/// The scope pa asks Google for: reading calendars.
pub const CALENDAR_SCOPE: &str = "https://www.googleapis.com/auth/calendar.readonly";
/// The vault name of the Airtable personal access token.
pub const AIRTABLE_TOKEN: &str = "airtable.token";

/// Google Calendar settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoogleSettings {
    /// The API root (`PA_GOOGLE_CALENDAR_URL`); `None`: Google's.
    pub api_url: Option<String>,
    /// The token endpoint (`PA_GOOGLE_TOKEN_URL`); `None`: the credentials' `token_uri`.
    pub token_url: Option<String>,
    /// Calendar ids to sync; empty: every calendar on the person's list.
    pub calendars: Vec<String>,
}

/// Airtable settings (the seed's environment names in brackets).
#[derive(Debug, Clone, PartialEq)]
pub struct AirtableSettings {
    /// The API root (`PA_AIRTABLE_URL`); `None`: Airtable's.
    pub url: Option<String>,
    /// The base (`AIRTABLE_BASE_ID`).
    pub base: String,
    /// The field holding pa's key (default `Key`).
    pub key_field: Option<String>,
    /// Table names (`AIRTABLE_DAY`, `AIRTABLE_WEEK`, …).
    pub tables: Tables,
    /// Days shown (default 90).
    pub window_days: u32,
    /// Units; `None`: the person's profile.
    pub units: Option<Units>,
    /// Field names to use instead of pa's.
    pub rename: BTreeMap<String, String>,
    /// Allow a run that deletes most of a table.
    pub force: bool,
}

impl AirtableSettings {
    /// The base `base` with every other setting at its default.
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            url: None,
            base: base.into(),
            key_field: None,
            tables: Tables::default(),
            window_days: 90,
            units: None,
            rename: BTreeMap::new(),
            force: false,
        }
    }
}

/// Which services a person has linked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Linked {
    /// Google credentials are in the vault.
    pub google: bool,
    /// An Airtable token is in the vault.
    pub airtable: bool,
    /// At least one Plaid Item is linked.
    pub plaid: bool,
    /// A Garmin token is in the vault.
    pub garmin: bool,
}

/// Where each sync stands: its state (cursor, last success, last error) and its last runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    /// Every source's state, by source (cursors are shown only as present or not).
    pub states: Vec<SourceStatus>,
    /// The last runs, newest first.
    pub runs: Vec<SyncRun>,
}

/// One source's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceStatus {
    /// The source.
    pub source: String,
    /// Whether it has a cursor (an incremental sync is possible).
    pub has_cursor: bool,
    /// When it last succeeded.
    pub last_success: Option<chrono::DateTime<chrono::Utc>>,
    /// Its last error, if its last run failed.
    pub last_error: Option<String>,
}

impl From<SyncState> for SourceStatus {
    fn from(s: SyncState) -> Self {
        Self {
            source: s.source,
            has_cursor: s.cursor.is_some(),
            last_success: s.last_success,
            last_error: s.last_error,
        }
    }
}

impl Person {
    /// Stores Google credentials (the authorised-user JSON google-auth writes, as in
    /// `GOOGLE_TOKEN_FILE`) in the vault, after checking their form.
    pub fn link_google(&self, vault: &Vault, credentials: &Secret) -> Result<()> {
        AuthorizedUser::from_json(credentials.expose())
            .map_err(|e| Error::from_port("google", e))?;
        self.put_secret(vault, GOOGLE_TOKEN, credentials)
    }

    /// Starts Google's sign-in for an installed app (`client_secret` is the console's client
    /// secret JSON, as in `GOOGLE_CLIENT_SECRET_FILE`): the page to open is the consent's `url`;
    /// pass the consent to [`Person::finish_google_consent`].
    pub async fn begin_google_consent(client_secret: &Secret) -> Result<Consent> {
        let app = InstalledApp::from_json(client_secret.expose())
            .map_err(|e| Error::from_port("google", e))?;
        Consent::begin(app, &[CALENDAR_SCOPE])
            .await
            .map_err(|e| Error::from_port("google", e))
    }

    /// Waits (at most `wait`) for the browser to come back from the consent page, exchanges
    /// its code (with the PKCE verifier) for tokens and stores them in the vault.
    pub async fn finish_google_consent(
        &self,
        vault: &Vault,
        consent: Consent,
        http: &HttpConfig,
        wait: std::time::Duration,
    ) -> Result<()> {
        let transport =
            Transport::system(http.clone(), &[]).map_err(|e| Error::from_port("google", e))?;
        let user = consent
            .finish(&transport, wait)
            .await
            .map_err(|e| Error::from_port("google", e))?;
        self.link_google(vault, &Secret::new(user.to_json()))
    }

    /// Stores an Airtable personal access token in the vault.
    pub fn link_airtable(&self, vault: &Vault, token: &Secret) -> Result<()> {
        if token.expose().trim().is_empty() {
            return Err(Error::Core(pa_core::Error::invalid(
                "Airtable token",
                "is empty",
            )));
        }
        self.put_secret(vault, AIRTABLE_TOKEN, &Secret::new(token.expose().trim()))
    }

    /// Updates the store from each of the person's Google calendars (or those `settings`
    /// names), one after the other; each calendar is written whole or not at all.
    pub async fn sync_google_calendar(
        &self,
        vault: Arc<Vault>,
        settings: &GoogleSettings,
        http: &HttpConfig,
        cancel: &Cancel,
        progress: &mut (dyn FnMut(&UpdateProgress) + Send),
    ) -> Result<Vec<UpdateReport>> {
        let transport = Arc::new(
            Transport::system(http.clone(), &[]).map_err(|e| Error::from_port("google", e))?,
        );
        let secrets = Arc::new(VaultSecrets::new(self.clone(), vault));
        let tokens = Arc::new(TokenSource::new(
            transport.clone(),
            secrets,
            GOOGLE_TOKEN,
            settings.token_url.clone(),
        ));
        let api = Arc::new(GoogleCalendar::new(
            transport,
            tokens,
            settings.api_url.clone(),
        ));
        let listed = match api.calendars().await {
            Ok(listed) => listed,
            Err(e) => {
                // No calendar was reached: the failure is logged under the service's name.
                let e = Error::from_port("google_calendar", e);
                let now = self.now();
                self.apply(&pa_core::ports::WriteBatch {
                    sync_runs: vec![SyncRun {
                        source: crate::providers::google_calendar::SOURCE.into(),
                        started: now,
                        finished: Some(now),
                        added: 0,
                        updated: 0,
                        deleted: 0,
                        outcome: pa_core::ports::SyncOutcome::Failed,
                        error: Some(e.to_string()),
                    }],
                    ..pa_core::ports::WriteBatch::default()
                })?;
                return Err(e);
            }
        };
        let chosen: Vec<_> = listed
            .into_iter()
            .filter(|c| settings.calendars.is_empty() || settings.calendars.contains(&c.id))
            .collect();
        if let Some(missing) = settings
            .calendars
            .iter()
            .find(|id| !chosen.iter().any(|c| &&c.id == id))
        {
            return Err(Error::from_port(
                "google_calendar",
                pa_core::ports::PortError::NotFound {
                    what: format!("calendar {missing} is not on the account's list"),
                },
            ));
        }
        let mut reports = Vec::with_capacity(chosen.len());
        for calendar in chosen {
            let source = CalendarSource::new(api.clone(), calendar);
            let updater = Updater {
                store: self,
                source: &source,
                cancel: cancel.clone(),
            };
            reports.push(updater.run(self.now(), progress).await?);
        }
        Ok(reports)
    }

    /// Mirrors the dashboard window into the Airtable base of `settings`, with the token in the
    /// vault (or `fallback_token`, stored in the vault on first use, e.g. `AIRTABLE_ACCESS_TOKEN`).
    pub async fn sync_airtable(
        &self,
        vault: &Vault,
        fallback_token: Option<&Secret>,
        settings: &AirtableSettings,
        http: &HttpConfig,
        cancel: &Cancel,
        progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<DashboardReport> {
        let token = match (self.secret(vault, AIRTABLE_TOKEN)?, fallback_token) {
            (Some(t), _) => t,
            (None, Some(t)) => {
                self.link_airtable(vault, t)?;
                Secret::new(t.expose().trim())
            }
            (None, None) => {
                return Err(Error::from_port(
                    "airtable",
                    pa_core::ports::PortError::Auth {
                        reason: "no Airtable token in the vault: link one first".into(),
                    },
                ));
            }
        };
        let transport = Arc::new(
            Transport::system(http.clone(), &[airtable::rate()])
                .map_err(|e| Error::from_port("airtable", e))?,
        );
        let mut config = AirtableConfig::new(settings.base.clone());
        if let Some(url) = &settings.url {
            config.url.clone_from(url);
        }
        if let Some(k) = &settings.key_field {
            config.key_field.clone_from(k);
        }
        let sink = Airtable::new(transport, config, token);
        let profile = self.profile()?;
        let zone = profile.zone_or_utc();
        let dashboard_config = DashboardConfig {
            tables: settings.tables.clone(),
            window_days: settings.window_days,
            units: settings.units.or(profile.units).unwrap_or_default(),
            rename: settings.rename.clone(),
            force: settings.force,
        };
        let now = self.now();
        let today = pa_core::time::ZonedInstant::new(now, zone).local_day();
        Dashboard {
            store: self,
            sink: &sink,
            config: &dashboard_config,
            zone,
            cancel: cancel.clone(),
        }
        .run(today, now, progress)
        .await
    }

    /// Which services have credentials in the vault.
    pub fn linked(&self, vault: &Vault) -> Result<Linked> {
        Ok(Linked {
            google: self.secret(vault, GOOGLE_TOKEN)?.is_some(),
            airtable: self.secret(vault, AIRTABLE_TOKEN)?.is_some(),
            plaid: !self.plaid_items(vault)?.is_empty(),
            garmin: self.secret(vault, super::GARMIN_TOKEN)?.is_some(),
        })
    }

    /// Every source's state and the last `runs` runs.
    pub fn sync_status(&self, runs: usize) -> Result<SyncStatus> {
        Ok(SyncStatus {
            states: self
                .sync_states()?
                .into_iter()
                .map(SourceStatus::from)
                .collect(),
            runs: self.sync_runs(None, runs)?,
        })
    }
}
