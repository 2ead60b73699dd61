//! Garmin Connect through the facade: link a token the person already has (a file or folder of
//! python-garminconnect or garth), or sign in with a password as a best effort; then sync a date
//! range 28 days at a time, each range written with its cursor so a stopped backfill resumes
//! where it stopped ([`pa_core::sync::backfill`] decides where a sync starts and which cursor
//! each range stores). A plain sync starts two days before the last day done, for the sleep and
//! HRV Garmin finishes the morning after.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use pa_core::ports::{SecretStore as _, UserStore, WriteReport};
use pa_core::sync::backfill;
use pa_core::time::Day;
use serde::Serialize;

use super::person::{Person, VaultSecrets};
use crate::error::{Error, Result};
use crate::http::{HttpConfig, Transport};
use crate::providers::garmin::auth::{GarminAuth, GarminToken, LoginHosts, password_login};
use crate::providers::garmin::{GarminConnect, MAX_RANGE_DAYS, RangeSource, SOURCE};
use crate::secrets::{Secret, Vault};
use crate::sync::dashboard::Cancel;
use crate::sync::source::{UpdateProgress, Updater};

/// The vault name of the Garmin token.
pub const GARMIN_TOKEN: &str = "garmin.token";
/// Days a first sync without `since` reaches back.
pub const FIRST_SYNC_DAYS: i64 = 29;
/// How far a sync reaches back: 29 days the first time, two days before the last day done after.
const REACH: backfill::Reach = backfill::Reach {
    first_days: FIRST_SYNC_DAYS,
    overlap: 2,
};

/// Garmin settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GarminSettings {
    /// The data API's root (`PA_GARMIN_URL`); `None`: Garmin's.
    pub url: Option<String>,
    /// The root of the sign-in hosts, SSO and DI token alike (`PA_GARMIN_AUTH_URL`); `None`:
    /// Garmin's.
    pub auth_url: Option<String>,
}

impl GarminSettings {
    fn hosts(&self) -> LoginHosts {
        match &self.auth_url {
            Some(u) => LoginHosts {
                sso: u.clone(),
                di: u.clone(),
            },
            None => LoginHosts::default(),
        }
    }
}

/// What a Garmin sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GarminReport {
    /// The first day read.
    pub from: Option<Day>,
    /// The last day read.
    pub to: Option<Day>,
    /// Ranges of up to 28 days read (each written with its cursor).
    pub ranges: usize,
    /// Records added, updated, unchanged and deleted.
    pub written: WriteReport,
}

impl Person {
    /// Stores a Garmin token given as the text of a token file (python-garminconnect's JSON,
    /// garth's `oauth2_token.json` or `dumps()` string, or a DI access + refresh token JSON).
    pub fn link_garmin(&self, vault: &Vault, token: &Secret) -> Result<()> {
        let parsed = GarminToken::parse(token.expose()).map_err(|e| Error::from_port(SOURCE, e))?;
        self.put_secret(vault, GARMIN_TOKEN, &Secret::new(parsed.to_json()))
    }

    /// Stores the Garmin token at `path`: a token file, or the folder python-garminconnect
    /// (`garmin_tokens.json`) or garth (`oauth2_token.json`) saves its tokens in.
    pub fn link_garmin_file(&self, vault: &Vault, path: &Path) -> Result<()> {
        let file = if path.is_dir() {
            ["garmin_tokens.json", "oauth2_token.json"]
                .iter()
                .map(|n| path.join(n))
                .find(|p| p.is_file())
                .ok_or_else(|| Error::NotFound {
                    what: format!(
                        "a Garmin token file (garmin_tokens.json or oauth2_token.json) in {}",
                        path.display()
                    ),
                })?
        } else {
            path.to_owned()
        };
        let text = std::fs::read_to_string(&file).map_err(|source| Error::Io {
            path: file.clone(),
            source,
        })?;
        self.link_garmin(vault, &Secret::new(text))
    }

    /// Signs in to Garmin with an email and password (best effort: Garmin's sign-in may refuse
    /// programs; one attempt, never repeated), asking `mfa` for a code when Garmin sends one,
    /// and stores the token.
    pub async fn garmin_login(
        &self,
        vault: &Vault,
        settings: &GarminSettings,
        email: &str,
        password: &Secret,
        mfa: &mut (dyn FnMut() -> Option<String> + Send),
        http: &HttpConfig,
    ) -> Result<()> {
        let transport =
            Transport::system(http.clone(), &[]).map_err(|e| Error::from_port(SOURCE, e))?;
        let token = password_login(&transport, &settings.hosts(), email, password, mfa)
            .await
            .map_err(|e| Error::from_port(SOURCE, e))?;
        self.put_secret(vault, GARMIN_TOKEN, &Secret::new(token.to_json()))
    }

    /// Syncs Garmin data from `since` (or on from the last sync; a first sync reads the last
    /// 29 days) through today, 28 days at a time.
    pub async fn sync_garmin(
        &self,
        vault: Arc<Vault>,
        settings: &GarminSettings,
        since: Option<Day>,
        http: &HttpConfig,
        cancel: &Cancel,
        progress: &mut (dyn FnMut(&UpdateProgress) + Send),
    ) -> Result<GarminReport> {
        let port = |e| Error::from_port(SOURCE, e);
        let secrets = Arc::new(VaultSecrets::new(self.clone(), vault));
        if secrets.get(GARMIN_TOKEN).map_err(port)?.is_none() {
            return Err(port(pa_core::ports::PortError::Auth {
                reason:
                    "no Garmin token in the vault: link one first (pa auth garmin --token-file)"
                        .into(),
            }));
        }
        let transport = Arc::new(Transport::system(http.clone(), &[]).map_err(port)?);
        let auth = Arc::new(GarminAuth::new(
            transport.clone(),
            secrets,
            GARMIN_TOKEN,
            settings.hosts().di.into(),
        ));
        let api = Arc::new(GarminConnect::new(transport, auth, settings.url.clone()));
        let profile = self.profile()?;
        let zone = profile.zone_or_utc();
        let today = pa_core::time::ZonedInstant::new(self.now(), zone).local_day();
        let cursor = self.sync_state(SOURCE)?.and_then(|s| s.cursor);
        let walk = backfill::resume(cursor.as_deref(), since, today, REACH)?;
        let mut from = walk.from;
        let mut report = GarminReport::default();
        if from > today {
            return Ok(report);
        }
        let name = api.display_name().await.map_err(port)?;
        // Activities stored with streams (from their FIT files, the data export, or an earlier
        // sync) stay as they are: their details are not fetched again.
        let held: HashSet<_> = self
            .activities(from, today)?
            .into_iter()
            .filter(|a| a.streams.is_some())
            .map(|a| a.id)
            .collect();
        report.from = Some(from);
        loop {
            let (_, to) = backfill::range(from, today, MAX_RANGE_DAYS)?;
            let source = RangeSource::new(
                api.clone(),
                name.clone(),
                (from, to),
                zone,
                profile.athlete,
                held.clone(),
            )
            .map_err(port)?
            .with_cursor(backfill::cursor(&walk, to, today));
            let done = report.ranges;
            let r = Updater {
                store: self,
                source: &source,
                cancel: cancel.clone(),
            }
            .run(self.now(), &mut |p| {
                progress(&UpdateProgress {
                    source: format!("{SOURCE} {}", p.source),
                    pages: done + p.pages,
                    changes: p.changes,
                })
            })
            .await?;
            report.ranges += 1;
            report.written.merge(r.written);
            report.to = Some(to);
            if to >= today {
                return Ok(report);
            }
            from = to.succ().map_err(Error::Core)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::{Access, Assistant, Location};
    use crate::fakes::Reply;
    use crate::fakes::garmin::FakeGarmin;
    use crate::secrets::KdfParams;

    #[tokio::test]
    async fn a_backfill_stopped_by_an_error_resumes_after_its_last_range() {
        let fake = FakeGarmin::new(
            "runner42",
            "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
            "di-refresh-0",
            Arc::new(crate::assistant::SystemClock),
        );
        let server = fake.start().await;
        fake.fill("2026-09-01".parse().unwrap(), 96, 12);
        let pa = Assistant::open(&Location::Memory, Access::Create)
            .unwrap()
            .with_clock(Arc::new(pa_core::ports::FixedClock(
                "2026-12-05T10:00:00Z".parse().unwrap(),
            )));
        let me = pa.person("me", true).unwrap();
        let vault = Arc::new(
            pa.unlock(
                &Secret::new("correct horse"),
                KdfParams {
                    m_cost_kib: 64,
                    t_cost: 1,
                    p_cost: 1,
                },
            )
            .unwrap(),
        );
        // python-garminconnect's token folder.
        let dir = tempfile::tempdir().unwrap();
        let token = serde_json::json!({"di_token": fake.issue(), "di_refresh_token": "di-refresh-0",
            "di_client_id": "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"});
        std::fs::write(dir.path().join("garmin_tokens.json"), token.to_string()).unwrap();
        me.link_garmin_file(&vault, dir.path()).unwrap();
        assert!(me.linked(&vault).unwrap().garmin);
        let settings = GarminSettings {
            url: Some(server.url.clone()),
            auth_url: Some(server.url.clone()),
        };
        let http = HttpConfig {
            jitter_seed: Some(1),
            ..HttpConfig::default()
        };
        let since = Some(d("2026-09-01"));
        // Once the first range is fetched, the next requests fail past their retries: the
        // first range is written, the second fails.
        let err = {
            let f = fake.clone();
            let mut seen = 0usize;
            me.sync_garmin(
                vault.clone(),
                &settings,
                since,
                &http,
                &Cancel::default(),
                &mut |p| {
                    seen = p.pages;
                    if seen == 1 {
                        for _ in 0..4 {
                            f.inject(Reply::json(500, "{}"));
                        }
                    }
                },
            )
            .await
            .unwrap_err()
        };
        assert_eq!(err.kind(), crate::ErrorKind::Provider, "{err}");
        let state = me.sync_state(SOURCE).unwrap().unwrap();
        assert_eq!(
            state.cursor.as_deref(),
            Some("backfill:2026-09-01:2026-09-28")
        );
        let first = me.daily_health(Day::EARLIEST, Day::LATEST).unwrap().len();
        assert_eq!(first, 28);
        // Asked again, it goes on from 29 September to today.
        let report = me
            .sync_garmin(
                vault.clone(),
                &settings,
                since,
                &http,
                &Cancel::default(),
                &mut |_| {},
            )
            .await
            .unwrap();
        assert_eq!(report.from, Some(d("2026-09-29")));
        assert_eq!(report.to, Some(d("2026-12-05")));
        assert_eq!(report.ranges, 3);
        assert_eq!(
            me.daily_health(Day::EARLIEST, Day::LATEST).unwrap().len(),
            96
        );
        assert_eq!(me.activities(Day::EARLIEST, Day::LATEST).unwrap().len(), 12);
        let state = me.sync_state(SOURCE).unwrap().unwrap();
        assert_eq!(state.cursor.as_deref(), Some("2026-12-05"));
        // No glue: the briefing reads the synced sleep and the form from the activities' load.
        let briefing = me.briefing(Some(d("2026-12-05")), None).unwrap();
        assert!(
            briefing.sleep.is_some() && briefing.form.is_some(),
            "{briefing:?}"
        );
        // A plain sync later starts two days before the last day done.
        let again = me
            .sync_garmin(
                vault,
                &settings,
                None,
                &http,
                &Cancel::default(),
                &mut |_| {},
            )
            .await
            .unwrap();
        assert_eq!((again.from, again.ranges), (Some(d("2026-12-03")), 1));
        assert_eq!((again.written.added, again.written.updated), (0, 0));
    }

    fn d(t: &str) -> Day {
        t.parse().unwrap()
    }
}
