//! One person's data behind the facade: the everyday questions (today, this week), imports and
//! exports, secrets, and every read of the storage ports.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use pa_core::finance::networth::BalanceHistory;
use pa_core::finance::{Account, BalanceSnapshot, Transaction};
use pa_core::fitness::load::Thresholds;
use pa_core::fitness::pmc::PmcOptions;
use pa_core::fitness::{Activity, DailyHealth};
use pa_core::ports::{
    AuditEntry, Clock, LlmUsage, Profile, PruneTarget, Record, ReviewRepository, Setting,
    SyncRecord, SyncRun, SyncState, UserStore, WriteBatch, WriteReport,
};
use pa_core::review::WeeklyReview;
use pa_core::review::briefing::{Briefing, moment};
use pa_core::time::{Day, Week, ZonedInstant};

use super::backend::Handle;
use crate::error::{Error, Result};
use crate::import::bank_csv::BankCsvMapping;
use crate::import::files::{FileReport, ReadFile, read_all, write_all};
use crate::import::{ImportOptions, Units};
use crate::output::{Existing, OutputFile};
use crate::secrets::{Secret, Vault};
use crate::storage::transfer::{export_jsonl, import_jsonl};

/// What to import and how; what is not given comes from the person's [`Profile`].
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// The zone for activity starts and for times that name none; default: the profile's zone.
    pub zone: Option<Tz>,
    /// The units of files that do not say (Garmin's activities CSV); default: the profile's,
    /// else metric.
    pub units: Option<Units>,
    /// Thresholds to score with: each part given (FTP, heart-rate profile) replaces the
    /// profile's.
    pub thresholds: Thresholds,
    /// Read the files as bank CSV exports with this mapping.
    pub bank_csv: Option<BankCsvMapping>,
    /// Read and report, but write nothing.
    pub dry_run: bool,
    /// Go on past files that cannot be read: the others are imported and each unreadable one
    /// gets a report with its error. Otherwise the first such file stops the job before
    /// anything is written.
    pub skip_unreadable: bool,
}

impl ImportRequest {
    /// The options files are read with: the request's, with the zone and thresholds it leaves
    /// out taken from `profile`.
    pub fn options(&self, profile: &Profile) -> Result<ImportOptions> {
        let thresholds = profile.athlete.overridden_by(self.thresholds);
        thresholds.validate()?;
        Ok(ImportOptions {
            zone: self.zone.unwrap_or_else(|| profile.zone_or_utc()),
            units: self.units.or(profile.units).unwrap_or_default(),
            thresholds,
        })
    }

    /// Reads every file with the options for `profile`; the first that cannot be read stops it.
    pub(super) fn read(
        &self,
        profile: &Profile,
        paths: &[PathBuf],
        progress: impl FnMut(usize, &Path),
    ) -> Result<Vec<ReadFile>> {
        let options = self.options(profile)?;
        read_all(
            paths,
            &options,
            self.bank_csv.as_ref(),
            self.skip_unreadable,
            progress,
        )
    }
}

/// One person's data in a store, on the assistant's clock.
///
/// Besides its own methods, a `Person` is a [`UserStore`], so every repository view of pa-core
/// (`FitnessRepository::pmc`, `FinanceRepository::net_worth`, …) works on it directly.
#[derive(Clone)]
pub struct Person {
    pub(super) handle: Handle,
    clock: Arc<dyn Clock>,
    /// Who writes: recorded in the audit log with every write.
    pub(super) origin: Arc<str>,
    /// Writes are checked and returned but not stored.
    pub(super) dry_run: bool,
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person")
            .field("name", &self.handle.user().as_str())
            .finish_non_exhaustive()
    }
}

impl Person {
    pub(super) fn new(handle: Handle, clock: Arc<dyn Clock>) -> Self {
        Self {
            handle,
            clock,
            origin: Arc::from("api"),
            dry_run: false,
        }
    }

    /// The same person, with writes audited under `origin` (`cli`, `python`, an app's name;
    /// `api` unless set).
    #[must_use]
    pub fn with_origin(mut self, origin: &str) -> Self {
        self.origin = Arc::from(origin);
        self
    }

    /// The same person, with everyday writes checked and returned as they would be stored, but
    /// not stored (each reports [`crate::assistant::Change::Preview`]).
    #[must_use]
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// The origin writes are audited under.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The person's name in the store.
    pub fn name(&self) -> &str {
        self.handle.user().as_str()
    }

    /// The current instant, by the assistant's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The store's file; `None` in memory and for PostgreSQL.
    pub fn store_path(&self) -> Option<&Path> {
        self.handle.store_path()
    }

    /// The person's profile (zone and athlete thresholds); the default when none is stored.
    pub fn profile(&self) -> Result<Profile> {
        Ok(Profile::from_settings(&self.handle.settings()?)?)
    }

    /// Changes the parts of the profile that `changes` gives (zone, FTP, heart-rate profile),
    /// keeping the rest; returns the profile now stored.
    pub fn update_profile(&self, changes: Profile, origin: &str) -> Result<Profile> {
        let profile = self.profile()?.overridden_by(changes);
        self.set_profile(&profile, origin)?;
        Ok(profile)
    }

    /// Stores the person's profile (checked first), audited under `origin`.
    pub fn set_profile(&self, profile: &Profile, origin: &str) -> Result<()> {
        self.handle.apply(&WriteBatch {
            settings: vec![profile.to_setting()?],
            origin: Some(origin.to_owned()),
            ..WriteBatch::default()
        })?;
        Ok(())
    }

    /// The zone to count days in: `zone` when given, else the profile's, else UTC.
    pub fn zone(&self, zone: Option<Tz>) -> Result<Tz> {
        match zone {
            Some(z) => Ok(z),
            None => Ok(self.profile()?.zone_or_utc()),
        }
    }

    /// Today, in `zone` (default: the person's).
    pub fn today(&self, zone: Option<Tz>) -> Result<Day> {
        Ok(ZonedInstant::new(self.now(), self.zone(zone)?).local_day())
    }

    /// The briefing of `day` (default: today) in `zone` (default: the person's): judged now for
    /// today, at 08:00 for another day.
    pub fn briefing(&self, day: Option<Day>, zone: Option<Tz>) -> Result<Briefing> {
        let zone = self.zone(zone)?;
        let (day, at) = moment(day, self.now(), zone)?;
        // One snapshot: on PostgreSQL its 13 reads share one transaction.
        self.handle
            .snapshot(|h| h.briefing(day, at, zone, &PmcOptions::default()))
    }

    /// The weekly review of `week` (default: the current week) in `zone` (default: the
    /// person's).
    pub fn weekly_review(&self, week: Option<Week>, zone: Option<Tz>) -> Result<WeeklyReview> {
        let zone = self.zone(zone)?;
        let week = match week {
            Some(w) => w,
            None => self.today(Some(zone))?.week(),
        };
        let now = self.now();
        self.handle
            .snapshot(|h| h.weekly_review(week, zone, now, PmcOptions::default()))
    }

    /// Imports files (the format read from the content): every file is read before anything is
    /// written, calling `progress(done, path)` after each; then each is written in its own
    /// transaction (audited as `import:<file>`), unless it is a dry run. One report per file.
    pub fn import_files(
        &self,
        paths: &[PathBuf],
        request: &ImportRequest,
        progress: impl FnMut(usize, &Path),
    ) -> Result<Vec<FileReport>> {
        let read = request.read(&self.profile()?, paths, progress)?;
        self.write_files(request, read)
    }

    /// Writes files [`ImportRequest::read`] read (nothing on a dry run), one transaction each.
    pub(super) fn write_files(
        &self,
        request: &ImportRequest,
        read: Vec<ReadFile>,
    ) -> Result<Vec<FileReport>> {
        if request.dry_run {
            write_all::<Handle>(None, read)
        } else {
            write_all(Some(&self.handle), read)
        }
    }

    /// Fills the person's data with the demo year ending on `day` (default: today), the same year
    /// for the same `seed`; audited as `demo:seed-N`.
    pub fn load_demo(&self, day: Option<Day>, seed: u64) -> Result<WriteReport> {
        let day = match day {
            Some(d) => d,
            None => self.today(None)?,
        };
        let batch = crate::demo::year(day, seed)?;
        self.handle.apply(&WriteBatch {
            origin: Some(format!("demo:seed-{seed}")),
            ..batch
        })
    }

    /// Writes everything of the person as JSON Lines to `out`; returns the number of lines.
    pub fn export_jsonl_to(&self, out: &mut dyn Write) -> Result<u64> {
        export_jsonl(&self.handle, &mut &mut *out, &[])
    }

    /// Writes everything of the person as JSON Lines to the file `path`: private (0600), written
    /// whole and then moved into place; an existing file is replaced only with
    /// [`Existing::Replace`], and the store's own files are always refused.
    /// Returns the number of lines.
    pub fn export_jsonl(&self, path: &Path, existing: Existing) -> Result<u64> {
        let mut out = OutputFile::create(path, self.store_path(), existing)?;
        let lines = self.export_jsonl_to(&mut out)?;
        out.commit()?;
        Ok(lines)
    }

    /// Reads JSON Lines written by an export into the person's data, all or nothing; `name` names
    /// the input in errors.
    pub fn import_jsonl_from(&self, input: impl BufRead, name: &str) -> Result<WriteReport> {
        import_jsonl(&self.handle, input, name)
    }

    /// [`Person::import_jsonl_from`] a file.
    pub fn import_jsonl(&self, path: &Path) -> Result<WriteReport> {
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.import_jsonl_from(std::io::BufReader::new(file), &path.display().to_string())
    }

    /// Stores `secret` under `name` (e.g. `garmin.password`), encrypted with `vault`.
    pub fn put_secret(&self, vault: &Vault, name: &str, secret: &Secret) -> Result<()> {
        self.handle.put_secret(vault, name, secret)
    }

    /// The secret under `name`, decrypted with `vault`.
    pub fn secret(&self, vault: &Vault, name: &str) -> Result<Option<Secret>> {
        self.handle.secret(vault, name)
    }

    /// Removes the secret under `name`; whether there was one.
    pub fn delete_secret(&self, name: &str) -> Result<bool> {
        self.handle.delete_secret(name)
    }
}

/// A person's secrets in the store's encrypted vault, as the [`SecretStore`](pa_core::ports::SecretStore) port the provider
/// clients take (OAuth tokens written back on refresh land here).
pub struct VaultSecrets {
    person: Person,
    vault: Arc<Vault>,
}

impl VaultSecrets {
    /// `person`'s secrets, sealed with the unlocked `vault`.
    pub fn new(person: Person, vault: Arc<Vault>) -> Self {
        Self { person, vault }
    }
}

fn port_error(e: crate::Error) -> pa_core::ports::PortError {
    use pa_core::ports::PortError;
    match e.kind() {
        crate::ErrorKind::Auth => PortError::Auth {
            reason: e.to_string(),
        },
        crate::ErrorKind::InvalidInput => PortError::InvalidInput {
            reason: e.to_string(),
        },
        _ => PortError::Provider {
            status: None,
            reason: format!("the vault: {e}"),
        },
    }
}

impl pa_core::ports::SecretStore for VaultSecrets {
    fn put(
        &self,
        name: &str,
        value: &pa_core::ports::SecretValue,
    ) -> std::result::Result<(), pa_core::ports::PortError> {
        self.person
            .put_secret(&self.vault, name, &Secret::new(value.expose()))
            .map_err(port_error)
    }

    fn get(
        &self,
        name: &str,
    ) -> std::result::Result<Option<pa_core::ports::SecretValue>, pa_core::ports::PortError> {
        Ok(self
            .person
            .secret(&self.vault, name)
            .map_err(port_error)?
            .map(|s| pa_core::ports::SecretValue::new(s.expose())))
    }

    fn delete(&self, name: &str) -> std::result::Result<bool, pa_core::ports::PortError> {
        self.person.delete_secret(name).map_err(port_error)
    }
}

/// Every read and write of the storage port, passed to the backend chosen at open.
impl UserStore for Person {
    type Error = Error;

    fn apply(&self, batch: &WriteBatch) -> Result<WriteReport> {
        self.handle.apply(batch)
    }
    fn activities(&self, from: Day, to: Day) -> Result<Vec<Activity>> {
        self.handle.activities(from, to)
    }
    fn activity(&self, id: &pa_core::ids::ActivityId) -> Result<Option<Activity>> {
        self.handle.activity(id)
    }
    fn daily_health(&self, from: Day, to: Day) -> Result<Vec<DailyHealth>> {
        self.handle.daily_health(from, to)
    }
    fn daily_loads(&self, from: Day, to: Day) -> Result<Vec<(Day, f64)>> {
        self.handle.daily_loads(from, to)
    }
    fn accounts(&self) -> Result<Vec<Account>> {
        self.handle.accounts()
    }
    fn transactions(&self, from: Day, to: Day) -> Result<Vec<Transaction>> {
        self.handle.transactions(from, to)
    }
    fn balance_histories(&self, from: Day, to: Day) -> Result<Vec<BalanceHistory>> {
        self.handle.balance_histories(from, to)
    }
    fn balances(&self, from: Day, to: Day) -> Result<Vec<BalanceSnapshot>> {
        self.handle.balances(from, to)
    }
    fn latest_balances(&self, day: Day) -> Result<Vec<BalanceSnapshot>> {
        self.handle.latest_balances(day)
    }
    fn records<R: Record>(&self, span: Option<(Day, Day)>) -> Result<Vec<R>> {
        self.handle.records(span)
    }
    fn record<R: Record>(&self, key: &str) -> Result<Option<R>> {
        self.handle.record(key)
    }
    fn children<R: Record>(&self, parent: &str) -> Result<Vec<R>> {
        self.handle.children(parent)
    }
    fn sync_state(&self, source: &str) -> Result<Option<SyncState>> {
        self.handle.sync_state(source)
    }
    fn sync_states(&self) -> Result<Vec<SyncState>> {
        self.handle.sync_states()
    }
    fn sync_records(&self, source: &str) -> Result<Vec<SyncRecord>> {
        self.handle.sync_records(source)
    }
    fn sync_runs(&self, source: Option<&str>, limit: usize) -> Result<Vec<SyncRun>> {
        self.handle.sync_runs(source, limit)
    }
    fn llm_usage(&self, from: Day, to: Day) -> Result<Vec<LlmUsage>> {
        self.handle.llm_usage(from, to)
    }
    fn audit_log(&self, from: Day, to: Day) -> Result<Vec<AuditEntry>> {
        self.handle.audit_log(from, to)
    }
    fn settings(&self) -> Result<Vec<Setting>> {
        self.handle.settings()
    }
    fn prune(&self, target: PruneTarget, before: Day) -> Result<u64> {
        self.handle.prune(target, before)
    }
}
