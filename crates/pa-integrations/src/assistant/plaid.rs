//! Plaid through the facade: a Link token for an app, the public-token exchange that adds an
//! Item (its access token sealed in the vault, several Items per person), and a sync of every
//! Item: its transactions through `/transactions/sync`, then the day's balances and holdings.
//! An Item that needs the person in Link again is reported as such and the others still sync.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::person::Person;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{HttpConfig, Transport};
use crate::providers::plaid::{self, Item, Plaid, SnapshotSource, TransactionsSource};
use crate::secrets::{Secret, Vault};
use crate::sync::dashboard::Cancel;
use crate::sync::source::{UpdateProgress, UpdateReport, Updater};

/// The vault name of the person's Plaid Items (their ids and access tokens).
pub const PLAID_ITEMS: &str = "plaid.items";

/// The application's Plaid settings (the seed's environment names in brackets).
#[derive(Clone)]
pub struct PlaidSettings {
    /// The API root (`PA_PLAID_URL`); `None`: the environment's.
    pub url: Option<String>,
    /// `sandbox` (the default) or `production` (`PLAID_ENV`).
    pub env: Option<String>,
    /// The application's client id (`PLAID_CLIENT_ID`).
    pub client_id: String,
    /// The application's secret (`PLAID_SECRET`).
    pub secret: Secret,
}

impl std::fmt::Debug for PlaidSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlaidSettings")
            .field("url", &self.url)
            .field("env", &self.env)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl PlaidSettings {
    fn api(&self, http: &HttpConfig) -> Result<Plaid> {
        let port = |e| Error::from_port("plaid", e);
        let url = match &self.url {
            Some(u) => u.clone(),
            None => plaid::env_url(self.env.as_deref())
                .map_err(port)?
                .to_owned(),
        };
        if self.client_id.trim().is_empty() || self.secret.expose().trim().is_empty() {
            return Err(Error::from_port(
                "plaid",
                pa_core::ports::PortError::Auth {
                    reason: "set PLAID_CLIENT_ID and PLAID_SECRET".into(),
                },
            ));
        }
        let transport = Arc::new(Transport::system(http.clone(), &[]).map_err(port)?);
        Ok(Plaid::new(
            transport,
            url,
            self.client_id.trim(),
            self.secret.clone(),
        ))
    }
}

#[derive(Serialize, Deserialize)]
struct StoredItem {
    item_id: String,
    access_token: String,
}

/// What a sync did for one Item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaidItemReport {
    /// Plaid's Item id.
    pub item_id: String,
    /// The transactions update (none when the Item needs re-linking).
    pub transactions: Option<UpdateReport>,
    /// The day's accounts, balances and holdings (none when the Item needs re-linking).
    pub snapshot: Option<UpdateReport>,
    /// Set when the person must go through Plaid Link again for this Item: Plaid's reason.
    pub relink_needed: Option<String>,
}

impl Person {
    fn plaid_items_stored(&self, vault: &Vault) -> Result<Vec<StoredItem>> {
        match self.secret(vault, PLAID_ITEMS)? {
            None => Ok(Vec::new()),
            Some(s) => serde_json::from_str(s.expose()).map_err(|e| {
                Error::Core(pa_core::Error::invalid(
                    "Plaid items in the vault",
                    format!("are unreadable ({e})"),
                ))
            }),
        }
    }

    /// The ids of the person's linked Plaid Items.
    pub fn plaid_items(&self, vault: &Vault) -> Result<Vec<String>> {
        Ok(self
            .plaid_items_stored(vault)?
            .into_iter()
            .map(|i| i.item_id)
            .collect())
    }

    /// A Link token for an app to open Plaid Link with (the person's id is the Link user).
    pub async fn plaid_link_token(
        &self,
        settings: &PlaidSettings,
        http: &HttpConfig,
    ) -> Result<String> {
        settings
            .api(http)?
            .link_token(self.name())
            .await
            .map_err(|e| Error::from_port("plaid", e))
    }

    /// Exchanges the public token Plaid Link gave the app for the Item's access token and keeps
    /// it in the vault (re-linking an Item replaces its token); the Item's id.
    pub async fn link_plaid(
        &self,
        vault: &Vault,
        settings: &PlaidSettings,
        public_token: &Secret,
        http: &HttpConfig,
    ) -> Result<String> {
        let item = settings
            .api(http)?
            .exchange(public_token)
            .await
            .map_err(|e| Error::from_port("plaid", e))?;
        let mut items = self.plaid_items_stored(vault)?;
        items.retain(|i| i.item_id != item.item_id);
        items.push(StoredItem {
            item_id: item.item_id.clone(),
            access_token: item.access_token.expose().to_owned(),
        });
        let json = serde_json::to_string(&items)
            .map_err(|e| Error::Core(pa_core::Error::invalid("Plaid items", e.to_string())))?;
        self.put_secret(vault, PLAID_ITEMS, &Secret::new(json))?;
        Ok(item.item_id)
    }

    /// Syncs every linked Item: transactions, then the day's balances and holdings. An Item
    /// that needs re-linking is reported and skipped; any other failure stops the sync (what
    /// was written for earlier Items stays).
    pub async fn sync_plaid(
        &self,
        vault: &Vault,
        settings: &PlaidSettings,
        http: &HttpConfig,
        cancel: &Cancel,
        progress: &mut (dyn FnMut(&UpdateProgress) + Send),
    ) -> Result<Vec<PlaidItemReport>> {
        let items = self.plaid_items_stored(vault)?;
        if items.is_empty() {
            return Err(Error::from_port(
                "plaid",
                pa_core::ports::PortError::Auth {
                    reason: "no Plaid Item is linked: link one first (pa link plaid)".into(),
                },
            ));
        }
        let api = Arc::new(settings.api(http)?);
        let zone = self.profile()?.zone_or_utc();
        let mut reports = Vec::with_capacity(items.len());
        for stored in items {
            let item = Item {
                item_id: stored.item_id.clone(),
                access_token: Secret::new(stored.access_token),
            };
            let mut report = PlaidItemReport {
                item_id: stored.item_id,
                transactions: None,
                snapshot: None,
                relink_needed: None,
            };
            let transactions = TransactionsSource::new(api.clone(), item.clone());
            let run = Updater {
                store: self,
                source: &transactions,
                cancel: cancel.clone(),
            }
            .run(self.now(), progress)
            .await;
            match run {
                Ok(r) => report.transactions = Some(r),
                Err(e) if e.kind() == ErrorKind::Auth => {
                    report.relink_needed = Some(e.to_string());
                    reports.push(report);
                    continue;
                }
                Err(e) => return Err(e),
            }
            let now = self.now();
            let today = pa_core::time::ZonedInstant::new(now, zone).local_day();
            let snapshot = SnapshotSource::new(api.clone(), item, today);
            report.snapshot = Some(
                Updater {
                    store: self,
                    source: &snapshot,
                    cancel: cancel.clone(),
                }
                .run(now, progress)
                .await?,
            );
            reports.push(report);
        }
        Ok(reports)
    }
}

#[cfg(test)]
mod tests;
