//! The store from Python: open it, pick a person, import files, read today's briefing, export and
//! back up. Conversions only: the import job is `pa_integrations::import::files`, the briefing
//! `ReviewRepository::briefing`.

use std::path::PathBuf;

use chrono::NaiveDate;
use pa_core::fitness::pmc::PmcOptions;
use pa_core::ids::UserId;
use pa_core::ports::ReviewRepository;
use pa_core::review::briefing::moment;
use pa_core::time::{Day, ZonedInstant, parse_zone};
use pa_integrations::import::ImportOptions;
use pa_integrations::import::files::{read_all, write_all};
use pa_integrations::secrets::{KdfParams, Secret};
use pa_integrations::storage::sqlite::{self, UserHandle};
use pyo3::prelude::*;
use pyo3::types::{PyAny, PyDict, PyTuple};

use crate::errors::{PyPaErr, PyStoreErr};

/// A pa store: one SQLite file holding the data of one or more people.
#[pyclass(frozen, module = "pa._pa")]
pub(crate) struct Store {
    inner: sqlite::Store,
    path: PathBuf,
}

#[pymethods]
impl Store {
    /// Opens the store at `path`, or the default store in the user's data directory, creating it
    /// when missing unless `create` is false (then a missing store is a `NotFoundError` and
    /// nothing is made); `":memory:"` opens a store that lives only as long as this object.
    #[new]
    #[pyo3(signature = (path = None, *, create = true))]
    fn new(py: Python<'_>, path: Option<PathBuf>, create: bool) -> PyResult<Self> {
        let path = match path {
            Some(p) => p,
            None => sqlite::default_path().map_err(PyStoreErr)?,
        };
        let inner = py
            .detach(|| {
                if create {
                    sqlite::Store::open(&path)
                } else {
                    sqlite::Store::open_existing(&path)
                }
            })
            .map_err(PyStoreErr)?;
        Ok(Self { inner, path })
    }

    /// The person `name`'s view of the store, created on first use unless `create` is false
    /// (then an unknown name is a `NotFoundError`).
    #[pyo3(signature = (name = "me", *, create = true))]
    fn user(&self, name: &str, create: bool) -> PyResult<User> {
        let id = UserId::new(name).map_err(PyPaErr)?;
        if create {
            self.inner.create_user(&id).map_err(PyStoreErr)?;
        }
        let handle = self.inner.user(&id).map_err(PyStoreErr)?;
        Ok(User { handle })
    }

    /// The people in the store, by name.
    fn users(&self) -> PyResult<Vec<String>> {
        let users = self.inner.users().map_err(PyStoreErr)?;
        Ok(users.into_iter().map(|u| u.to_string()).collect())
    }

    /// Deletes a person and everything of theirs; whether they existed.
    fn delete_user(&self, py: Python<'_>, name: &str) -> PyResult<bool> {
        let id = UserId::new(name).map_err(PyPaErr)?;
        Ok(py
            .detach(|| self.inner.delete_user(&id))
            .map_err(PyStoreErr)?)
    }

    /// Unlocks the store's secrets vault with `passphrase` (Argon2id; made on first use). A
    /// passphrase other than the vault's is an `AuthError`.
    fn unlock(&self, py: Python<'_>, passphrase: String) -> PyResult<Vault> {
        let passphrase = Secret::new(passphrase);
        let inner = py
            .detach(|| self.inner.unlock(&passphrase, KdfParams::default()))
            .map_err(PyStoreErr)?;
        Ok(Vault { inner })
    }

    /// Copies the store to a new file while it stays in use.
    fn backup(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.inner.backup_to(&path))
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
        format!("pa.Store({:?})", self.path.display().to_string())
    }
}

/// An unlocked secrets vault: pass it to `User.put_secret` and `User.secret`. Its key never
/// leaves Rust and its repr shows nothing of it.
#[pyclass(frozen, module = "pa._pa")]
pub(crate) struct Vault {
    inner: pa_integrations::secrets::Vault,
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
    pub(crate) handle: UserHandle,
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
fn to_python<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| PyPaErr(pa_core::Error::invalid("result", e.to_string())))?;
    py.import("json")?.call_method1("loads", (text,))
}

#[pymethods]
impl User {
    /// Imports files (FIT, GPX, TCX, OFX/QFX, ICS, Garmin's activities CSV; the format is read
    /// from the content): every file is read before anything is written, then each is written
    /// in its own transaction. `progress(done, total, path)` is called after each file is read.
    /// Returns one report per file.
    #[pyo3(signature = (paths, *, zone = "UTC", dry_run = false, progress = None))]
    fn import_files<'py>(
        &self,
        py: Python<'py>,
        paths: Vec<PathBuf>,
        zone: &str,
        dry_run: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = ImportOptions {
            zone: parse_zone(zone).map_err(PyPaErr)?,
            ..ImportOptions::default()
        };
        let total = paths.len();
        let mut callback_error: Option<PyErr> = None;
        let read = py.detach(|| {
            read_all(&paths, &options, None, |done, path| {
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
        let read = read.map_err(PyStoreErr)?;
        let reports = py
            .detach(|| {
                if dry_run {
                    write_all::<UserHandle>(None, read)
                } else {
                    write_all(Some(&self.handle), read)
                }
            })
            .map_err(PyStoreErr)?;
        to_python(py, &reports)
    }

    /// `import_files` as an awaitable for asyncio, run in a worker thread (the progress callback
    /// is called from that thread).
    #[pyo3(signature = (paths, *, zone = "UTC", dry_run = false, progress = None))]
    fn import_files_async<'py>(
        slf: &Bound<'py, Self>,
        py: Python<'py>,
        paths: Vec<PathBuf>,
        zone: &str,
        dry_run: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("zone", zone)?;
        kwargs.set_item("dry_run", dry_run)?;
        kwargs.set_item("progress", progress)?;
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

    /// Today's briefing (`pa.results.Briefing`: agenda, tasks, habits, form, sleep, budgets,
    /// net worth, reminders) for `day` (default: today in `tz`), judged now or, for another day, at 08:00.
    #[pyo3(signature = (day = None, *, tz = "UTC"))]
    fn today<'py>(
        &self,
        py: Python<'py>,
        day: Option<NaiveDate>,
        tz: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let zone = parse_zone(tz).map_err(PyPaErr)?;
        let (day, at) =
            moment(day.map(Day::from_naive), chrono::Utc::now(), zone).map_err(PyPaErr)?;
        let briefing = py
            .detach(|| self.handle.briefing(day, at, zone, &PmcOptions::default()))
            .map_err(PyStoreErr)?;
        crate::review::briefing(py, &briefing)
    }

    /// The weekly review (`pa.results.WeeklyReview`) of `week`, an ISO week as `W-YY` (`"47-26"`; default: the
    /// current week in `tz`).
    #[pyo3(signature = (week = None, *, tz = "UTC"))]
    fn week<'py>(
        &self,
        py: Python<'py>,
        week: Option<&str>,
        tz: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let zone = parse_zone(tz).map_err(PyPaErr)?;
        let week: pa_core::time::Week = match week {
            Some(w) => w.parse().map_err(PyPaErr)?,
            None => ZonedInstant::new(chrono::Utc::now(), zone)
                .local_day()
                .week(),
        };
        let review = py
            .detach(|| self.handle.weekly_review(week, zone, PmcOptions::default()))
            .map_err(PyStoreErr)?;
        crate::review::weekly_review(py, &review)
    }

    /// Fills this person's data with the demo year ending on `day` (default: today, UTC), the
    /// same year for the same `seed`; returns how many records were added.
    #[pyo3(signature = (day = None, *, seed = 1))]
    fn load_demo(&self, py: Python<'_>, day: Option<NaiveDate>, seed: u64) -> PyResult<u64> {
        use pa_core::ports::UserStore;
        let day = day.map_or_else(
            || ZonedInstant::new(chrono::Utc::now(), chrono_tz::UTC).local_day(),
            Day::from_naive,
        );
        let report = py
            .detach(|| -> pa_integrations::error::Result<_> {
                let batch = pa_integrations::dataset::demo(day, seed)?;
                self.handle.apply(&batch)
            })
            .map_err(PyStoreErr)?;
        Ok(report.added)
    }

    /// Writes everything of this person as JSON Lines to `path` (read back with the CLI's
    /// `pa import-jsonl`): a file readable by its owner only, written whole and then moved into
    /// place (replacing an older one); the store's own file is refused.
    fn export_jsonl(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| -> pa_integrations::error::Result<()> {
            use pa_integrations::output::{Existing, OutputFile};
            // Private and whole, replacing an older export, never the store itself.
            let store = self.handle.store().path();
            let mut out = OutputFile::create(&path, store, Existing::Replace)?;
            pa_integrations::storage::transfer::export_jsonl(&self.handle, &mut out, &[])?;
            out.commit()
        })
        .map_err(PyStoreErr)?;
        Ok(())
    }

    /// Reads JSON Lines written by `export_jsonl` (or `pa export`) into this person's data, all or
    /// nothing; returns the counts (`added`, `updated`, `unchanged`, `deleted`).
    fn import_jsonl<'py>(&self, py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyAny>> {
        let report = py
            .detach(|| -> pa_integrations::error::Result<_> {
                let file =
                    std::fs::File::open(&path).map_err(|source| pa_integrations::Error::Io {
                        path: path.clone(),
                        source,
                    })?;
                pa_integrations::storage::transfer::import_jsonl(
                    &self.handle,
                    std::io::BufReader::new(file),
                    &path.display().to_string(),
                )
            })
            .map_err(PyStoreErr)?;
        to_python(py, &report)
    }

    /// Stores `value` under `name` (e.g. `"garmin.password"`), encrypted with `vault`.
    fn put_secret(&self, py: Python<'_>, vault: &Vault, name: &str, value: String) -> PyResult<()> {
        let value = Secret::new(value);
        py.detach(|| self.handle.put_secret(&vault.inner, name, &value))
            .map_err(PyStoreErr)?;
        Ok(())
    }

    /// The secret stored under `name`, decrypted with `vault`; `None` when there is none.
    fn secret(&self, py: Python<'_>, vault: &Vault, name: &str) -> PyResult<Option<String>> {
        let secret = py
            .detach(|| self.handle.secret(&vault.inner, name))
            .map_err(PyStoreErr)?;
        Ok(secret.map(|s| s.expose().to_owned()))
    }

    /// Removes the secret stored under `name`; whether there was one.
    fn delete_secret(&self, name: &str) -> PyResult<bool> {
        Ok(self.handle.delete_secret(name).map_err(PyStoreErr)?)
    }

    fn __repr__(&self) -> String {
        format!("pa.User({:?})", self.handle.user().to_string())
    }
}
