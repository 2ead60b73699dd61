//! Sync from Python: link accounts (tokens sealed in the vault), update from Google Calendar,
//! mirror the dashboard into Airtable, read where syncs stand. Conversions only: the facade
//! (`pa_integrations::assistant`) does the work on a runtime of its own, with the GIL released.

use std::future::Future;

use pa_core::ports::Units;
use pa_integrations::assistant::{AirtableSettings, GarminSettings, GoogleSettings, PlaidSettings};
use pa_integrations::http::HttpConfig;
use pa_integrations::secrets::Secret;
use pa_integrations::sync::dashboard::{Cancel, Tables};
use pyo3::prelude::*;
use pyo3::types::{PyAny, PyDict};

use crate::errors::{PyPaErr, PyStoreErr};
use crate::store::{User, Vault, to_python};

/// Runs `job` to completion on a runtime of its own, the GIL released.
fn block_on<T: Send>(py: Python<'_>, job: impl Future<Output = T> + Send) -> PyResult<T> {
    py.detach(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| rt.block_on(job))
    })
    .map_err(|e| {
        PyPaErr(pa_core::Error::invalid(
            "runtime",
            format!("cannot start one: {e}"),
        ))
        .into()
    })
}

/// Calls a Python progress callback with keyword arguments, keeping its first error.
struct Callback {
    callable: Option<Py<PyAny>>,
    error: Option<PyErr>,
}

impl Callback {
    fn call(&mut self, fields: &[(&str, String)], counts: &[(&str, usize)]) {
        let (Some(cb), None) = (&self.callable, &self.error) else {
            return;
        };
        let called = Python::attach(|py| -> PyResult<()> {
            let kwargs = PyDict::new(py);
            for (k, v) in fields {
                kwargs.set_item(k, v)?;
            }
            for (k, v) in counts {
                kwargs.set_item(k, v)?;
            }
            cb.call(py, (), Some(&kwargs)).map(|_| ())
        });
        if let Err(e) = called {
            self.error = Some(e);
        }
    }

    /// `progress(source=..., pages=..., changes=...)` for a source's update.
    fn update(&mut self, p: &pa_integrations::sync::source::UpdateProgress) {
        self.call(
            &[("source", p.source.clone())],
            &[("pages", p.pages), ("changes", p.changes)],
        );
    }

    fn result<T>(self, value: T) -> PyResult<T> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

/// Table names by role over the defaults (the facade knows the roles).
fn tables(names: std::collections::BTreeMap<String, String>) -> PyResult<Tables> {
    let mut t = Tables::default();
    for (role, name) in names {
        t.set(&role, name).map_err(PyPaErr)?;
    }
    Ok(t)
}

fn units(value: Option<&str>) -> PyResult<Option<Units>> {
    value
        .map(|u| u.parse::<Units>().map_err(|e| PyErr::from(PyPaErr(e))))
        .transpose()
}

fn plaid_settings(
    client_id: String,
    secret: String,
    env: Option<String>,
    url: Option<String>,
) -> PlaidSettings {
    PlaidSettings {
        url,
        env,
        client_id,
        secret: Secret::new(secret),
    }
}

#[pymethods]
impl User {
    /// A Plaid Link token for an app to open Link with (`env`: `sandbox`, the default, or
    /// `production`; `url` replaces Plaid's address).
    #[pyo3(signature = (client_id, secret, *, env = None, url = None))]
    fn plaid_link_token(
        &self,
        py: Python<'_>,
        client_id: String,
        secret: String,
        env: Option<String>,
        url: Option<String>,
    ) -> PyResult<String> {
        let settings = plaid_settings(client_id, secret, env, url);
        let person = self.person.clone();
        block_on(py, async {
            person
                .plaid_link_token(&settings, &HttpConfig::default())
                .await
        })?
        .map_err(|e| PyStoreErr(e).into())
    }

    /// Exchanges the public token Plaid Link returned for the Item's access token, sealed in
    /// `vault`; returns the Item's id. Each bank linked is an Item of its own.
    #[pyo3(signature = (vault, public_token, client_id, secret, *, env = None, url = None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments of a Python method
    fn link_plaid(
        &self,
        py: Python<'_>,
        vault: &Vault,
        public_token: String,
        client_id: String,
        secret: String,
        env: Option<String>,
        url: Option<String>,
    ) -> PyResult<String> {
        let settings = plaid_settings(client_id, secret, env, url);
        let person = self.person.clone();
        let vault = vault.inner.clone();
        let public = Secret::new(public_token);
        block_on(py, async {
            person
                .link_plaid(&vault, &settings, &public, &HttpConfig::default())
                .await
        })?
        .map_err(|e| PyStoreErr(e).into())
    }

    /// Stores a Garmin token in `vault`: the text of a token file (python-garminconnect's
    /// `garmin_tokens.json`, garth's `oauth2_token.json` or its `dumps()` string), or, with
    /// `path`, the file or the folder those tools save tokens in.
    #[pyo3(signature = (vault, token = None, *, path = None))]
    fn link_garmin(
        &self,
        py: Python<'_>,
        vault: &Vault,
        token: Option<String>,
        path: Option<std::path::PathBuf>,
    ) -> PyResult<()> {
        let done = match (token, path) {
            (Some(t), None) => {
                let t = Secret::new(t);
                py.detach(|| self.person.link_garmin(&vault.inner, &t))
            }
            (None, Some(p)) => py.detach(|| self.person.link_garmin_file(&vault.inner, &p)),
            _ => {
                return Err(PyPaErr(pa_core::Error::invalid(
                    "link_garmin",
                    "give the token text or path=, not both",
                ))
                .into());
            }
        };
        done.map_err(PyStoreErr)?;
        Ok(())
    }

    /// Updates activities, daily health and weigh-ins from Garmin Connect, 28 days at a time,
    /// from `since` (a backfill, resumed where it stopped when asked again) or on from the last
    /// sync. `url` and `auth_url` replace Garmin's addresses. Returns what was done.
    #[pyo3(signature = (vault, *, since = None, url = None, auth_url = None, progress = None))]
    fn sync_garmin<'py>(
        &self,
        py: Python<'py>,
        vault: &Vault,
        since: Option<chrono::NaiveDate>,
        url: Option<String>,
        auth_url: Option<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let settings = GarminSettings { url, auth_url };
        let mut callback = Callback {
            callable: progress,
            error: None,
        };
        let person = self.person.clone();
        let vault = vault.inner.clone();
        let since = since.map(pa_core::time::Day::from_naive);
        let report = block_on(py, async {
            person
                .sync_garmin(
                    vault,
                    &settings,
                    since,
                    &HttpConfig::default(),
                    &Cancel::default(),
                    &mut |p| callback.update(p),
                )
                .await
        })?;
        let report = callback.result(report)?.map_err(PyStoreErr)?;
        to_python(py, &report)
    }

    /// `sync_garmin` as an awaitable for asyncio, run in a worker thread.
    #[pyo3(signature = (vault, *, since = None, url = None, auth_url = None, progress = None))]
    fn sync_garmin_async<'py>(
        slf: &Bound<'py, Self>,
        py: Python<'py>,
        vault: Py<Vault>,
        since: Option<chrono::NaiveDate>,
        url: Option<String>,
        auth_url: Option<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("since", since)?;
        kwargs.set_item("url", url)?;
        kwargs.set_item("auth_url", auth_url)?;
        kwargs.set_item("progress", progress)?;
        py.import("asyncio")?
            .getattr("to_thread")?
            .call((slf.getattr("sync_garmin")?, vault), Some(&kwargs))
    }

    /// The ids of the linked Plaid Items.
    fn plaid_items(&self, py: Python<'_>, vault: &Vault) -> PyResult<Vec<String>> {
        Ok(py
            .detach(|| self.person.plaid_items(&vault.inner))
            .map_err(PyStoreErr)?)
    }

    /// Updates transactions, then the day's balances and holdings, from every linked Plaid
    /// Item. Returns one report per Item (`item_id`, `transactions`, `snapshot`,
    /// `relink_needed`: set, with Plaid's reason, when the person must go through Link again).
    #[pyo3(signature = (vault, client_id, secret, *, env = None, url = None, progress = None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments of a Python method
    fn sync_plaid<'py>(
        &self,
        py: Python<'py>,
        vault: &Vault,
        client_id: String,
        secret: String,
        env: Option<String>,
        url: Option<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let settings = plaid_settings(client_id, secret, env, url);
        let mut callback = Callback {
            callable: progress,
            error: None,
        };
        let person = self.person.clone();
        let vault = vault.inner.clone();
        let reports = block_on(py, async {
            person
                .sync_plaid(
                    &vault,
                    &settings,
                    &HttpConfig::default(),
                    &Cancel::default(),
                    &mut |p| callback.update(p),
                )
                .await
        })?;
        let reports = callback.result(reports)?.map_err(PyStoreErr)?;
        to_python(py, &reports)
    }

    /// `sync_plaid` as an awaitable for asyncio, run in a worker thread.
    #[pyo3(signature = (vault, client_id, secret, *, env = None, url = None, progress = None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments of a Python method
    fn sync_plaid_async<'py>(
        slf: &Bound<'py, Self>,
        py: Python<'py>,
        vault: Py<Vault>,
        client_id: String,
        secret: String,
        env: Option<String>,
        url: Option<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("env", env)?;
        kwargs.set_item("url", url)?;
        kwargs.set_item("progress", progress)?;
        py.import("asyncio")?.getattr("to_thread")?.call(
            (slf.getattr("sync_plaid")?, vault, client_id, secret),
            Some(&kwargs),
        )
    }

    /// Stores Google credentials (the authorised-user JSON google-auth writes) in `vault`,
    /// after checking their form.
    fn link_google(&self, py: Python<'_>, vault: &Vault, credentials: String) -> PyResult<()> {
        let credentials = Secret::new(credentials);
        py.detach(|| self.person.link_google(&vault.inner, &credentials))
            .map_err(PyStoreErr)?;
        Ok(())
    }

    /// Stores an Airtable personal access token in `vault`.
    fn link_airtable(&self, py: Python<'_>, vault: &Vault, token: String) -> PyResult<()> {
        let token = Secret::new(token);
        py.detach(|| self.person.link_airtable(&vault.inner, &token))
            .map_err(PyStoreErr)?;
        Ok(())
    }

    /// Updates this person's data from Google Calendar with the credentials in `vault`: every
    /// calendar on the account's list, or those in `calendars`; each is written whole or not
    /// at all. `progress(source=..., pages=..., changes=...)` is called after each page. Returns
    /// one report per calendar. `api_url` and `token_url` replace Google's addresses.
    #[pyo3(signature = (vault, *, calendars = None, api_url = None, token_url = None, progress = None))]
    fn sync_calendar<'py>(
        &self,
        py: Python<'py>,
        vault: &Vault,
        calendars: Option<Vec<String>>,
        api_url: Option<String>,
        token_url: Option<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let settings = GoogleSettings {
            api_url,
            token_url,
            calendars: calendars.unwrap_or_default(),
        };
        let mut callback = Callback {
            callable: progress,
            error: None,
        };
        let person = self.person.clone();
        let vault = vault.inner.clone();
        let reports = block_on(py, async {
            person
                .sync_google_calendar(
                    vault,
                    &settings,
                    &HttpConfig::default(),
                    &Cancel::default(),
                    &mut |p| callback.update(p),
                )
                .await
        })?;
        let reports = callback.result(reports)?.map_err(PyStoreErr)?;
        to_python(py, &reports)
    }

    /// `sync_calendar` as an awaitable for asyncio, run in a worker thread.
    #[pyo3(signature = (vault, *, calendars = None, api_url = None, token_url = None, progress = None))]
    fn sync_calendar_async<'py>(
        slf: &Bound<'py, Self>,
        py: Python<'py>,
        vault: Py<Vault>,
        calendars: Option<Vec<String>>,
        api_url: Option<String>,
        token_url: Option<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("calendars", calendars)?;
        kwargs.set_item("api_url", api_url)?;
        kwargs.set_item("token_url", token_url)?;
        kwargs.set_item("progress", progress)?;
        py.import("asyncio")?
            .getattr("to_thread")?
            .call((slf.getattr("sync_calendar")?, vault), Some(&kwargs))
    }

    /// Mirrors the last `window_days` of this person's data into the Airtable base `base`, with
    /// the token in `vault` (or `token`, stored in the vault on first use). Units default to the
    /// profile's (`"metric"` or `"statute"`); `force` allows a run that deletes most of a table.
    /// `tables` renames tables by role (`day`, `week`, `events`, `sessions`, `health`, `body`,
    /// `plans`) and names the optional ones (`tasks`, `projects`, `reviews`, `sync_log`);
    /// `fields` renames pa's field names to yours (`{"Distance (km)": "Km"}`).
    /// `progress(table=..., done=..., total=...)` is called after each write request. Returns
    /// what was done per table.
    #[pyo3(signature = (vault, base, *, token = None, url = None, window_days = 90, units = None, force = false, tables = None, fields = None, progress = None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments of a Python method
    fn sync_airtable<'py>(
        &self,
        py: Python<'py>,
        vault: &Vault,
        base: String,
        token: Option<String>,
        url: Option<String>,
        window_days: u32,
        units: Option<&str>,
        force: bool,
        tables: Option<std::collections::BTreeMap<String, String>>,
        fields: Option<std::collections::BTreeMap<String, String>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let settings = AirtableSettings {
            rename: fields.unwrap_or_default(),
            url,
            window_days,
            units: self::units(units)?,
            force,
            tables: self::tables(tables.unwrap_or_default())?,
            ..AirtableSettings::new(base)
        };
        let token = token.map(Secret::new);
        let mut callback = Callback {
            callable: progress,
            error: None,
        };
        let person = self.person.clone();
        let vault = vault.inner.clone();
        let report = block_on(py, async {
            person
                .sync_airtable(
                    &vault,
                    token.as_ref(),
                    &settings,
                    &HttpConfig::default(),
                    &Cancel::default(),
                    &mut |p| {
                        callback.call(
                            &[("table", p.table.clone())],
                            &[("done", p.done), ("total", p.total)],
                        )
                    },
                )
                .await
        })?;
        let report = callback.result(report)?.map_err(PyStoreErr)?;
        to_python(py, &report)
    }

    /// `sync_airtable` as an awaitable for asyncio, run in a worker thread.
    #[pyo3(signature = (vault, base, *, token = None, url = None, window_days = 90, units = None, force = false, tables = None, fields = None, progress = None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments of a Python method
    fn sync_airtable_async<'py>(
        slf: &Bound<'py, Self>,
        py: Python<'py>,
        vault: Py<Vault>,
        base: String,
        token: Option<String>,
        url: Option<String>,
        window_days: u32,
        units: Option<String>,
        force: bool,
        tables: Option<std::collections::BTreeMap<String, String>>,
        fields: Option<std::collections::BTreeMap<String, String>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("tables", tables)?;
        kwargs.set_item("fields", fields)?;
        kwargs.set_item("token", token)?;
        kwargs.set_item("url", url)?;
        kwargs.set_item("window_days", window_days)?;
        kwargs.set_item("units", units)?;
        kwargs.set_item("force", force)?;
        kwargs.set_item("progress", progress)?;
        py.import("asyncio")?
            .getattr("to_thread")?
            .call((slf.getattr("sync_airtable")?, vault, base), Some(&kwargs))
    }

    /// Where each sync stands (`states`: source, has_cursor, last_success, last_error) and the
    /// last `runs` runs, newest first.
    #[pyo3(signature = (runs = 10))]
    fn sync_status<'py>(&self, py: Python<'py>, runs: usize) -> PyResult<Bound<'py, PyAny>> {
        let status = py
            .detach(|| self.person.sync_status(runs))
            .map_err(PyStoreErr)?;
        to_python(py, &status)
    }
}
