//! The store from Python: open it, pick a person, import files, read today's briefing, export and
//! back up. Conversions only: every rule is the facade's (`pa_integrations::assistant`).

use std::path::PathBuf;

use chrono::NaiveDate;
use pa_core::time::Day;
use pa_integrations::assistant::{Access, Assistant, ImportRequest, Location, Person};
use pa_integrations::output::Existing;
use pa_integrations::secrets::{KdfParams, Secret};
use pyo3::prelude::*;
use pyo3::types::{PyAny, PyDict, PyTuple};

use crate::errors::{PyPaErr, PyStoreErr};

/// A pa store holding the data of one or more people: a SQLite file, or a PostgreSQL database.
#[pyclass(frozen, module = "pa._pa")]
pub(crate) struct Store {
    inner: Assistant,
    /// The file, `:memory:`, or the database URL without its password.
    shown: String,
}

#[pymethods]
impl Store {
    /// Opens the store at `path`, or the default store in the user's data directory, creating it
    /// when missing unless `create` is false (then a missing store is a `NotFoundError` and
    /// nothing is made); `":memory:"` opens a store that lives only as long as this object, and a
    /// `postgres://user@host:port/db` URL the pa store in that PostgreSQL database.
    /// `now` (an aware datetime) fixes the instant pa takes as now, for scripts and tests; by
    /// default it is the system clock.
    #[new]
    #[pyo3(signature = (path = None, *, create = true, now = None))]
    fn new(
        py: Python<'_>,
        path: Option<PathBuf>,
        create: bool,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        // Checked before anything is opened, so a bad `now` creates no store.
        let clock = now
            .map(|now| {
                crate::writes::utc_of(now)?.ok_or_else(|| {
                    PyErr::from(PyPaErr(pa_core::Error::invalid(
                        "now",
                        "give an aware datetime (with tzinfo)",
                    )))
                })
            })
            .transpose()?;
        let location = Location::or_default(path);
        let access = if create {
            Access::Create
        } else {
            Access::Existing
        };
        let mut inner = py
            .detach(|| Assistant::open(&location, access))
            .map_err(PyStoreErr)?;
        if let Some(now) = clock {
            inner = inner.with_clock(std::sync::Arc::new(pa_core::ports::FixedClock(now)));
        }
        let shown = match (&location, inner.path()) {
            (_, Some(p)) => p.display().to_string(),
            (Location::Postgres(_), None) => inner.name(),
            _ => ":memory:".to_owned(),
        };
        Ok(Self { inner, shown })
    }

    /// The person `name`'s view of the store, created on first use unless `create` is false
    /// (then an unknown name is a `NotFoundError`). Writes are audited under `origin` (an app's
    /// name; default "python").
    #[pyo3(signature = (name = "me", *, create = true, origin = "python"))]
    fn user(&self, name: &str, create: bool, origin: &str) -> PyResult<User> {
        let person = self.inner.person(name, create).map_err(PyStoreErr)?;
        Ok(User {
            person: person.with_origin(origin),
        })
    }

    /// The people in the store, by name.
    fn users(&self) -> PyResult<Vec<String>> {
        Ok(self.inner.people().map_err(PyStoreErr)?)
    }

    /// Deletes a person and everything of theirs; whether they existed.
    fn delete_user(&self, py: Python<'_>, name: &str) -> PyResult<bool> {
        Ok(py
            .detach(|| self.inner.delete_person(name))
            .map_err(PyStoreErr)?)
    }

    /// Unlocks the store's secrets vault with `passphrase` (Argon2id; made on first use). A
    /// passphrase other than the vault's is an `AuthError`.
    fn unlock(&self, py: Python<'_>, passphrase: String) -> PyResult<Vault> {
        let passphrase = Secret::new(passphrase);
        let inner = py
            .detach(|| self.inner.unlock(&passphrase, KdfParams::default()))
            .map_err(PyStoreErr)?;
        Ok(Vault {
            inner: std::sync::Arc::new(inner),
        })
    }

    /// Copies the store to a new file while it stays in use.
    fn backup(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.inner.backup(&path, Existing::Refuse))
            .map_err(PyStoreErr)?;
        Ok(())
    }

    /// `backup` as an awaitable for asyncio, run in a worker thread.
    fn backup_async<'py>(slf: &Bound<'py, Self>, path: PathBuf) -> PyResult<Bound<'py, PyAny>> {
        path_in_thread(slf.as_any(), "backup", path)
    }

    /// Closes the store: the write-ahead log is folded into the file (a copy of the file alone
    /// then holds everything) and the file is let go. Later calls on it, or on its users, raise
    /// `StorageError`; closing twice is harmless. `with pa.Store(path) as store:` closes on exit.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.inner.close()).map_err(PyStoreErr)?;
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("pa.Store({:?})", self.shown)
    }
}

/// An unlocked secrets vault: pass it to `User.put_secret` and `User.secret`. Its key never
/// leaves Rust and its repr shows nothing of it.
#[pyclass(frozen, module = "pa._pa")]
pub(crate) struct Vault {
    pub(crate) inner: std::sync::Arc<pa_integrations::secrets::Vault>,
}

#[pymethods]
impl Vault {
    fn __repr__(&self) -> &'static str {
        "pa.Vault(unlocked)"
    }
}

/// One person's data in a store.
#[pyclass(frozen, module = "pa._pa")]
pub(crate) struct User {
    pub(crate) person: Person,
}

/// `asyncio.to_thread(method, *args, **kwargs)`: a coroutine running a blocking call (which
/// releases the GIL) in the event loop's default executor.
fn to_thread<'py>(
    py: Python<'py>,
    method: Bound<'py, PyAny>,
    arg: Bound<'py, PyAny>,
    kwargs: Option<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let to_thread = py.import("asyncio")?.getattr("to_thread")?;
    to_thread.call(PyTuple::new(py, [method, arg])?, kwargs.as_ref())
}

/// `asyncio.to_thread(obj.method, *args, **kwargs)`, keyword arguments left out when `None` (so
/// the method's own defaults apply): the awaitable form of a read.
fn in_thread<'py>(
    obj: &Bound<'py, User>,
    method: &str,
    args: &[Option<Bound<'py, PyAny>>],
    kwargs: &[(&str, Option<Bound<'py, PyAny>>)],
) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    // Positional arguments of reads default to None, so None passes through as it is.
    let mut call = vec![obj.getattr(method)?];
    call.extend(
        args.iter()
            .map(|a| a.clone().unwrap_or_else(|| py.None().into_bound(py))),
    );
    let given = PyDict::new(py);
    for (name, value) in kwargs {
        if let Some(v) = value {
            given.set_item(name, v)?;
        }
    }
    py.import("asyncio")?
        .getattr("to_thread")?
        .call(PyTuple::new(py, call)?, Some(&given))
}

/// `asyncio.to_thread(obj.method, path)`: the awaitable form of a method taking one path.
fn path_in_thread<'py>(
    obj: &Bound<'py, PyAny>,
    method: &str,
    path: PathBuf,
) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    to_thread(
        py,
        obj.getattr(method)?,
        path.into_pyobject(py)?.into_any(),
        None,
    )
}

/// A value serialised by serde, as the Python objects `json.loads` gives.
pub(crate) fn to_python<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| PyPaErr(pa_core::Error::invalid("result", e.to_string())))?;
    py.import("json")?.call_method1("loads", (text,))
}

#[pymethods]
impl User {
    /// Imports files (FIT, GPX, TCX, OFX/QFX, ICS, Garmin's activities CSV; the format is read
    /// from the content): every file is read before anything is written, then each is written
    /// in its own transaction. Activities are scored with the profile's thresholds
    /// (`set_profile`); `zone` (default: the profile's, else UTC) places floating times.
    /// `progress(done, total, path)` is called after each file is read. Returns one report per
    /// file. With `errors="raise"` (the default) the first file that cannot be read raises
    /// before anything is written; with `errors="skip"` the files that can be read are imported
    /// and each one that cannot gets a report with `format` None and its `error`.
    #[pyo3(signature = (paths, *, zone = None, dry_run = false, progress = None, errors = "raise"))]
    fn import_files<'py>(
        &self,
        py: Python<'py>,
        paths: Vec<PathBuf>,
        zone: Option<&Bound<'py, PyAny>>,
        dry_run: bool,
        progress: Option<Py<PyAny>>,
        errors: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let skip_unreadable = match errors {
            "raise" => false,
            "skip" => true,
            other => {
                return Err(crate::errors::raise(
                    "InvalidInputError",
                    format!(
                        "invalid errors: '{}' is not 'raise' or 'skip'",
                        other.escape_debug()
                    ),
                    &[],
                ));
            }
        };
        let request = ImportRequest {
            zone: crate::records::zone_opt(zone)?,
            dry_run,
            skip_unreadable,
            ..ImportRequest::default()
        };
        let total = paths.len();
        let mut callback_error: Option<PyErr> = None;
        let reports = py.detach(|| {
            self.person.import_files(&paths, &request, |done, path| {
                if let (Some(cb), None) = (&progress, &callback_error) {
                    let called = Python::attach(|py| {
                        cb.call1(py, (done, total, path.to_path_buf())).map(|_| ())
                    });
                    if let Err(e) = called {
                        callback_error = Some(e);
                    }
                }
            })
        });
        if let Some(e) = callback_error {
            return Err(e);
        }
        to_python(py, &reports.map_err(PyStoreErr)?)
    }

    /// `import_files` as an awaitable for asyncio, run in a worker thread (the progress callback
    /// is called from that thread).
    #[pyo3(signature = (paths, *, zone = None, dry_run = false, progress = None, errors = "raise"))]
    fn import_files_async<'py>(
        slf: &Bound<'py, Self>,
        py: Python<'py>,
        paths: Vec<PathBuf>,
        zone: Option<&Bound<'py, PyAny>>,
        dry_run: bool,
        progress: Option<Py<PyAny>>,
        errors: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("zone", zone)?;
        kwargs.set_item("dry_run", dry_run)?;
        kwargs.set_item("progress", progress)?;
        kwargs.set_item("errors", errors)?;
        to_thread(
            py,
            slf.getattr("import_files")?,
            paths.into_pyobject(py)?.into_any(),
            Some(kwargs),
        )
    }

    /// `export_jsonl` as an awaitable for asyncio, run in a worker thread.
    fn export_jsonl_async<'py>(
        slf: &Bound<'py, Self>,
        path: PathBuf,
    ) -> PyResult<Bound<'py, PyAny>> {
        path_in_thread(slf.as_any(), "export_jsonl", path)
    }

    /// `import_jsonl` as an awaitable for asyncio, run in a worker thread.
    fn import_jsonl_async<'py>(
        slf: &Bound<'py, Self>,
        path: PathBuf,
    ) -> PyResult<Bound<'py, PyAny>> {
        path_in_thread(slf.as_any(), "import_jsonl", path)
    }

    /// `today` as an awaitable for asyncio, run in a worker thread.
    #[pyo3(signature = (day = None, *, tz = None))]
    fn today_async<'py>(
        slf: &Bound<'py, Self>,
        day: Option<Bound<'py, PyAny>>,
        tz: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        in_thread(slf, "today", &[day], &[("tz", tz)])
    }

    /// `week` as an awaitable for asyncio, run in a worker thread.
    #[pyo3(signature = (week = None, *, tz = None))]
    fn week_async<'py>(
        slf: &Bound<'py, Self>,
        week: Option<Bound<'py, PyAny>>,
        tz: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        in_thread(slf, "week", &[week], &[("tz", tz)])
    }

    /// `pmc` as an awaitable for asyncio, run in a worker thread.
    #[pyo3(signature = (through = None, *, variant = None))]
    fn pmc_async<'py>(
        slf: &Bound<'py, Self>,
        through: Option<Bound<'py, PyAny>>,
        variant: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        in_thread(slf, "pmc", &[through], &[("variant", variant)])
    }

    /// `activities` as an awaitable for asyncio, run in a worker thread.
    #[pyo3(signature = (start = None, end = None))]
    fn activities_async<'py>(
        slf: &Bound<'py, Self>,
        start: Option<Bound<'py, PyAny>>,
        end: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        in_thread(slf, "activities", &[start, end], &[])
    }

    /// `transactions` as an awaitable for asyncio, run in a worker thread.
    #[pyo3(signature = (start = None, end = None))]
    fn transactions_async<'py>(
        slf: &Bound<'py, Self>,
        start: Option<Bound<'py, PyAny>>,
        end: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        in_thread(slf, "transactions", &[start, end], &[])
    }

    /// Today's briefing (`pa.results.Briefing`: agenda, tasks, habits, form, sleep, budgets,
    /// net worth, reminders) for `day` (default: today in `tz`), judged now or, for another day,
    /// at 08:00. `tz` defaults to the profile's zone, else UTC.
    #[pyo3(signature = (day = None, *, tz = None))]
    fn today<'py>(
        &self,
        py: Python<'py>,
        day: Option<NaiveDate>,
        tz: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let zone = crate::records::zone_opt(tz)?;
        let briefing = py
            .detach(|| self.person.briefing(day.map(Day::from_naive), zone))
            .map_err(PyStoreErr)?;
        crate::review::briefing(py, &briefing)
    }

    /// The weekly review (`pa.results.WeeklyReview`) of `week`, an ISO week as `W-YY`
    /// (`"47-26"`; default: the current week in `tz`). `tz` defaults to the profile's zone, else
    /// UTC.
    #[pyo3(signature = (week = None, *, tz = None))]
    fn week<'py>(
        &self,
        py: Python<'py>,
        week: Option<&str>,
        tz: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let zone = crate::records::zone_opt(tz)?;
        let week: Option<pa_core::time::Week> =
            week.map(str::parse).transpose().map_err(PyPaErr)?;
        let review = py
            .detach(|| self.person.weekly_review(week, zone))
            .map_err(PyStoreErr)?;
        crate::review::weekly_review(py, &review)
    }

    /// The person's profile as a dict: `zone` (an IANA name or None) and the athlete's
    /// thresholds (`ftp_w`, and `heart_rate` with `rest_bpm`, `max_bpm`, `threshold_bpm`, `sex`,
    /// or None).
    fn profile<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let profile = self.person.profile().map_err(PyStoreErr)?;
        to_python(py, &profile)
    }

    /// Sets parts of the person's profile (what is not given stays): the zone "today" is counted
    /// in, FTP, and the heart-rate thresholds (`hr_rest` and `hr_max` together, with `lthr` and
    /// `sex` "male" or "female"), the currency of money given without one, the units
    /// ("metric" or "statute") and the time of the daily check-in. Every front end reads the same
    /// profile.
    #[pyo3(signature = (*, zone = None, ftp = None, hr_rest = None, hr_max = None, lthr = None, sex = "male", currency = None, units = None, check_in = None))]
    #[allow(clippy::too_many_arguments)]
    fn set_profile<'py>(
        &self,
        py: Python<'_>,
        zone: Option<&Bound<'py, PyAny>>,
        ftp: Option<f64>,
        hr_rest: Option<f64>,
        hr_max: Option<f64>,
        lthr: Option<f64>,
        sex: &str,
        currency: Option<&str>,
        units: Option<&str>,
        check_in: Option<chrono::NaiveTime>,
    ) -> PyResult<()> {
        use pa_core::fitness::load::Thresholds;
        let changes = pa_core::ports::Profile {
            zone: crate::records::zone_opt(zone)?,
            athlete: Thresholds::from_parts(
                ftp,
                hr_rest,
                hr_max,
                lthr,
                sex.parse().map_err(PyPaErr)?,
            )
            .map_err(PyPaErr)?,
            currency: currency
                .map(pa_core::money::parse_currency)
                .transpose()
                .map_err(PyPaErr)?,
            units: units.map(str::parse).transpose().map_err(PyPaErr)?,
            check_in_time: check_in,
        };
        py.detach(|| self.person.update_profile(changes, "python"))
            .map_err(PyStoreErr)?;
        Ok(())
    }

    /// Fills this person's data with the demo year ending on `day` (default: today in the
    /// profile's zone), the same year for the same `seed` (0 to 2**64 - 1); returns how many
    /// records were added.
    #[pyo3(signature = (day = None, *, seed = 1))]
    fn load_demo(&self, py: Python<'_>, day: Option<NaiveDate>, seed: i128) -> PyResult<u64> {
        let seed = u64::try_from(seed).map_err(|_| {
            crate::errors::raise(
                "InvalidInputError",
                format!("invalid seed: {seed} is not between 0 and 2**64 - 1"),
                &[],
            )
        })?;
        let report = py
            .detach(|| self.person.load_demo(day.map(Day::from_naive), seed))
            .map_err(PyStoreErr)?;
        Ok(report.added)
    }

    /// Writes everything of this person as JSON Lines to `path` (read back with the CLI's
    /// `pa import-jsonl`): a file readable by its owner only, written whole and then moved into
    /// place (replacing an older one); the store's own file is refused.
    fn export_jsonl(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.person.export_jsonl(&path, Existing::Replace))
            .map_err(PyStoreErr)?;
        Ok(())
    }

    /// Reads JSON Lines written by `export_jsonl` (or `pa export`) into this person's data, all or
    /// nothing; returns the counts (`added`, `updated`, `unchanged`, `deleted`).
    fn import_jsonl<'py>(&self, py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyAny>> {
        let report = py
            .detach(|| self.person.import_jsonl(&path))
            .map_err(PyStoreErr)?;
        to_python(py, &report)
    }

    /// Stores `value` under `name` (e.g. `"garmin.password"`), encrypted with `vault`.
    fn put_secret(&self, py: Python<'_>, vault: &Vault, name: &str, value: String) -> PyResult<()> {
        let value = Secret::new(value);
        py.detach(|| self.person.put_secret(&vault.inner, name, &value))
            .map_err(PyStoreErr)?;
        Ok(())
    }

    /// The secret stored under `name`, decrypted with `vault`; `None` when there is none.
    fn secret(&self, py: Python<'_>, vault: &Vault, name: &str) -> PyResult<Option<String>> {
        let secret = py
            .detach(|| self.person.secret(&vault.inner, name))
            .map_err(PyStoreErr)?;
        Ok(secret.map(|s| s.expose().to_owned()))
    }

    /// Removes the secret stored under `name`; whether there was one.
    fn delete_secret(&self, name: &str) -> PyResult<bool> {
        Ok(self.person.delete_secret(name).map_err(PyStoreErr)?)
    }

    fn __repr__(&self) -> String {
        format!("pa.User({:?})", self.person.name())
    }
}
