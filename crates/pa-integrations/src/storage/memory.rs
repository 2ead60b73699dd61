//! A store in memory with the same rules as the SQLite one (the conformance suite runs on both).
//! Writes apply to a copy of the person's data that replaces it only when the whole batch
//! succeeded, so a failed batch changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use pa_core::finance::networth::BalanceHistory;
use pa_core::finance::{Account, BalanceSnapshot, Transaction};
use pa_core::fitness::{Activity, DailyHealth};
use pa_core::ids::{AccountId, ExternalRef, UserId};
use pa_core::ports::{
    AuditAction, AuditEntry, LlmUsage, PruneTarget, Record, RecordKind, RecordRef, RecordVisitor,
    Setting, SyncRecord, SyncRun, SyncState, UserStore, WriteBatch, WriteReport,
};
use pa_core::time::Day;

use super::{Keyed, Tally, rekey};
use crate::error::{Error, Result};
use pa_core::ports::upsert::{self, ContentHash, Lookup, Stored};

/// Records of one kind keyed by pa's id, with an index by external reference.
#[derive(Clone)]
struct Table<T> {
    rows: BTreeMap<String, (T, String)>,
    by_ext: HashMap<ExternalRef, String>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            rows: BTreeMap::new(),
            by_ext: HashMap::new(),
        }
    }
}

impl<T: Keyed> Table<T> {
    /// Looks up what pa-core's upsert rule asks for.
    fn find(&self, lookup: Lookup<'_>) -> Option<Stored> {
        let key = match lookup {
            Lookup::External(e) => self.by_ext.get(e)?,
            Lookup::Key(k) => self.rows.get_key_value(k)?.0,
        };
        let (_, hash) = self.rows.get(key)?;
        Some(Stored {
            key: key.clone(),
            hash: hash.clone(),
        })
    }

    /// Writes `record` by pa-core's upsert rule.
    fn upsert(&mut self, record: &T, kind: RecordKind, tally: &mut Tally) -> Result<()> {
        let planned = upsert::plan(
            record,
            record.key(),
            record.external(),
            |l| Ok::<_, Error>(self.find(l)),
            rekey,
        )?;
        let Some((r, _, hash)) = tally.count(kind, planned) else {
            return Ok(());
        };
        if let Some(e) = r.external() {
            self.by_ext.insert(e.clone(), r.key().to_owned());
        }
        self.rows.insert(r.key().to_owned(), (r, hash));
        Ok(())
    }

    /// Removes the rows `drop` selects; how many.
    fn remove_where(&mut self, drop: impl Fn(&str, &T) -> bool) -> u64 {
        let before = self.rows.len();
        self.rows.retain(|k, (r, _)| !drop(k, r));
        let rows = &self.rows;
        self.by_ext.retain(|_, k| rows.contains_key(k));
        (before - self.rows.len()) as u64
    }
}

/// A stored record of a generic kind.
#[derive(Clone)]
struct DocRow {
    json: String,
    hash: String,
    span: pa_core::ports::Span,
    parent: Option<String>,
}

#[derive(Clone, Default)]
struct UserData {
    activities: Table<Activity>,
    health: BTreeMap<Day, (DailyHealth, String)>,
    accounts: Table<Account>,
    transactions: Table<Transaction>,
    balances: BTreeMap<(String, Day), BalanceSnapshot>,
    docs: BTreeMap<(RecordKind, String), DocRow>,
    doc_ext: HashMap<(RecordKind, ExternalRef), String>,
    sync: BTreeMap<String, SyncState>,
    sync_records: BTreeMap<(String, RecordKind, String), SyncRecord>,
    sync_runs: BTreeMap<(DateTime<Utc>, String), SyncRun>,
    llm_usage: Vec<LlmUsage>,
    audit: Vec<AuditEntry>,
    settings: BTreeMap<String, String>,
}

/// Writes one record of a generic kind into a person's data.
struct WriteDoc<'a> {
    data: &'a mut UserData,
    tally: &'a mut Tally,
}

impl RecordVisitor for WriteDoc<'_> {
    type Output = Result<()>;

    fn visit<R: Record>(self, r: &R) -> Result<()> {
        let Self { data, tally } = self;
        r.validate()?;
        upsert::check_parent(r, |kind, parent| {
            Ok::<_, Error>(match kind {
                RecordKind::Account => data.accounts.rows.contains_key(parent),
                k => data.docs.contains_key(&(k, parent.to_owned())),
            })
        })?;
        let own = r.key();
        let planned = upsert::plan(
            r,
            &own,
            r.external(),
            |l| {
                let key = match l {
                    Lookup::External(e) => data.doc_ext.get(&(R::KIND, e.clone())).cloned(),
                    Lookup::Key(k) => Some(k.to_owned()),
                };
                Ok::<_, Error>(key.and_then(|key| {
                    let row = data.docs.get(&(R::KIND, key.clone()))?;
                    Some(Stored {
                        key,
                        hash: row.hash.clone(),
                    })
                }))
            },
            |r, k| r.with_key(k),
        )?;
        let Some((r, json, hash)) = tally.count(R::KIND, planned) else {
            return Ok(());
        };
        let key = r.key();
        if let Some(e) = r.external() {
            data.doc_ext.insert((R::KIND, e.clone()), key.clone());
        }
        let row = DocRow {
            json,
            hash,
            span: r.span(),
            parent: r.parent(),
        };
        data.docs.insert((R::KIND, key), row);
        Ok(())
    }
}

impl UserData {
    fn account_currency(&self, account: &AccountId) -> Option<pa_core::money::Currency> {
        self.accounts
            .rows
            .get(account.as_str())
            .map(|(a, _)| a.currency)
    }

    fn apply(&mut self, batch: &WriteBatch) -> Result<WriteReport> {
        let origin = super::origin(batch)?;
        let mut tally = Tally::new(origin.is_some());
        let tally = &mut tally;
        for a in &batch.activities {
            a.validate()?;
            self.activities.upsert(a, RecordKind::Activity, tally)?;
        }
        for h in &batch.health {
            h.validate()?;
            // Keyed by its day: there is nothing to re-key.
            let planned = upsert::plan(
                h,
                &h.day.to_string(),
                None,
                |_| {
                    Ok::<_, Error>(self.health.get(&h.day).map(|(_, hash)| Stored {
                        key: h.day.to_string(),
                        hash: hash.clone(),
                    }))
                },
                |h, _| Ok(h.clone()),
            )?;
            if let Some((h, _, hash)) = tally.count(RecordKind::DailyHealth, planned) {
                self.health.insert(h.day, (h, hash));
            }
        }
        for a in &batch.accounts {
            a.validate()?;
            self.accounts.upsert(a, RecordKind::Account, tally)?;
        }
        for t in &batch.transactions {
            upsert::check_transaction(t, self.account_currency(&t.account))?;
            self.transactions
                .upsert(t, RecordKind::Transaction, tally)?;
        }
        for b in &batch.balances {
            upsert::check_balance(b, self.account_currency(&b.account))?;
            let key = (b.account.to_string(), b.day);
            // Keyed by account and day: there is nothing to re-key.
            let planned = upsert::plan(
                b,
                &upsert::balance_key(&b.account, b.day),
                None,
                |l| {
                    let Lookup::Key(k) = l else { return Ok(None) };
                    let Some(old) = self.balances.get(&key) else {
                        return Ok(None);
                    };
                    Ok::<_, Error>(Some(Stored {
                        key: k.to_owned(),
                        hash: ContentHash::of(old)?.to_string(),
                    }))
                },
                |b, _| Ok(b.clone()),
            )?;
            if let Some((b, _, _)) = tally.count(RecordKind::Balance, planned) {
                self.balances.insert(key, b);
            }
        }
        for d in &batch.records {
            d.visit(WriteDoc {
                data: self,
                tally: &mut *tally,
            })?;
        }
        for r in &batch.deletions {
            if self.delete(r)? {
                tally.change(r.kind, &r.key, AuditAction::Deleted);
            }
        }
        for s in &batch.sync {
            self.sync.insert(s.source.clone(), s.clone());
        }
        for r in &batch.sync_records {
            self.sync_records
                .insert((r.source.clone(), r.kind, r.local_key.clone()), r.clone());
        }
        for r in &batch.sync_runs {
            self.sync_runs
                .insert((r.started, r.source.clone()), r.clone());
        }
        for u in &batch.llm_usage {
            u.validate()?;
            // A call is identified by its instant and model, as in SQLite.
            match self
                .llm_usage
                .iter_mut()
                .find(|o| o.at == u.at && o.model == u.model)
            {
                Some(o) => *o = u.clone(),
                None => self.llm_usage.push(u.clone()),
            }
        }
        for s in &batch.settings {
            s.validate()?;
            match &s.value {
                Some(v) => self.settings.insert(s.key.clone(), v.clone()),
                None => self.settings.remove(&s.key),
            };
        }
        if let (Some(origin), Some(changes)) = (origin, tally.changes.take()) {
            let at = Utc::now();
            self.audit
                .extend(changes.into_iter().map(|(kind, key, action)| AuditEntry {
                    at,
                    origin: origin.to_owned(),
                    kind,
                    key,
                    action,
                }));
        }
        Ok(tally.report)
    }

    /// Deletes a record with its children and sync mappings; whether it existed.
    fn delete(&mut self, r: &RecordRef) -> Result<bool> {
        let key = r.key.as_str();
        let gone = match r.kind {
            RecordKind::Activity => self.activities.remove_where(|k, _| k == key) > 0,
            RecordKind::DailyHealth => {
                let day: Day = key.parse()?;
                self.health.remove(&day).is_some()
            }
            RecordKind::Account => {
                let gone = self.accounts.remove_where(|k, _| k == key) > 0;
                self.transactions
                    .remove_where(|_, t| t.account.as_str() == key);
                self.balances.retain(|(a, _), _| a != key);
                self.remove_children(RecordKind::Account, key);
                gone
            }
            RecordKind::Transaction => self.transactions.remove_where(|k, _| k == key) > 0,
            RecordKind::Balance => {
                let (account, day) = upsert::parse_balance_key(key)?;
                self.balances.remove(&(account.to_string(), day)).is_some()
            }
            kind => {
                let gone = self.docs.remove(&(kind, key.to_owned())).is_some();
                if gone {
                    self.remove_children(kind, key);
                    let docs = &self.docs;
                    self.doc_ext
                        .retain(|(k, _), v| docs.contains_key(&(*k, v.clone())));
                }
                gone
            }
        };
        if gone {
            self.sync_records
                .retain(|(_, kind, local), _| !(*kind == r.kind && local == key));
        }
        Ok(gone)
    }

    /// Removes the generic records whose parent of kind `parent_kind` is `key`.
    fn remove_children(&mut self, parent_kind: RecordKind, key: &str) {
        self.docs.retain(|(kind, _), row| {
            !(kind.parent() == Some(parent_kind) && row.parent.as_deref() == Some(key))
        });
    }

    /// Deletes records of `kind` whose span ended before `before`, as SQLite does.
    fn prune(&mut self, target: PruneTarget, before: Day) -> Result<u64> {
        let cutoff = before.naive().and_time(chrono::NaiveTime::MIN).and_utc();
        let n = match target {
            PruneTarget::SyncRuns => {
                let n = self.sync_runs.len();
                self.sync_runs.retain(|(started, _), _| *started >= cutoff);
                n - self.sync_runs.len()
            }
            PruneTarget::LlmUsage => {
                let n = self.llm_usage.len();
                self.llm_usage.retain(|u| u.at >= cutoff);
                n - self.llm_usage.len()
            }
            PruneTarget::Audit => {
                let n = self.audit.len();
                self.audit.retain(|e| e.at >= cutoff);
                n - self.audit.len()
            }
            PruneTarget::Record(kind) => {
                let victims: Vec<String> = match kind {
                    RecordKind::Activity => self
                        .activities
                        .rows
                        .iter()
                        .filter(|(_, (a, _))| a.day() < before)
                        .map(|(k, _)| k.clone())
                        .collect(),
                    RecordKind::DailyHealth => self
                        .health
                        .range(..before)
                        .map(|(d, _)| d.to_string())
                        .collect(),
                    RecordKind::Transaction => self
                        .transactions
                        .rows
                        .iter()
                        .filter(|(_, (t, _))| t.posted < before)
                        .map(|(k, _)| k.clone())
                        .collect(),
                    RecordKind::Balance => self
                        .balances
                        .keys()
                        .filter(|(_, d)| *d < before)
                        .map(|(a, d)| format!("{a}/{d}"))
                        .collect(),
                    RecordKind::Account => Vec::new(),
                    kind => self
                        .docs
                        .iter()
                        .filter(|((k, _), row)| {
                            *k == kind && pa_core::ports::pruned(row.span, before)
                        })
                        .map(|((_, key), _)| key.clone())
                        .collect(),
                };
                for key in &victims {
                    self.delete(&RecordRef::new(kind, key.clone()))?;
                }
                victims.len()
            }
        };
        Ok(n as u64)
    }

    /// Generic records of `kind` that `keep` selects, by first day then key.
    fn docs_of<R: Record>(&self, keep: impl Fn(&DocRow) -> bool) -> Result<Vec<R>> {
        let mut rows: Vec<(&String, &DocRow)> = self
            .docs
            .range((R::KIND, String::new())..)
            .take_while(|((k, _), _)| *k == R::KIND)
            .filter(|(_, row)| keep(row))
            .map(|((_, key), row)| (key, row))
            .collect();
        rows.sort_by(|a, b| (a.1.span.map(|s| s.0), a.0).cmp(&(b.1.span.map(|s| s.0), b.0)));
        rows.into_iter()
            .map(|(_, row)| Ok(serde_json::from_str(&row.json)?))
            .collect()
    }
}

/// A store in memory.
#[derive(Clone, Default)]
pub struct MemoryStore {
    users: Arc<Mutex<HashMap<UserId, UserData>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a person (no change if they exist).
    pub fn create_user(&self, user: &UserId) {
        self.lock().entry(user.clone()).or_default();
    }

    /// One person's view; [`Error::UnknownUser`] if they were never created.
    pub fn user(&self, user: &UserId) -> Result<MemoryUser> {
        if !self.lock().contains_key(user) {
            return Err(Error::UnknownUser {
                user: user.to_string(),
            });
        }
        Ok(MemoryUser {
            store: self.clone(),
            user: user.clone(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, UserData>> {
        self.users
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One person's view of a [`MemoryStore`].
#[derive(Clone)]
pub struct MemoryUser {
    store: MemoryStore,
    user: UserId,
}

impl MemoryUser {
    fn with<T>(&self, f: impl FnOnce(&UserData) -> T) -> T {
        let users = self.store.lock();
        let empty = UserData::default();
        f(users.get(&self.user).unwrap_or(&empty))
    }
}

impl UserStore for MemoryUser {
    type Error = Error;

    fn apply(&self, batch: &WriteBatch) -> Result<WriteReport> {
        let mut users = self.store.lock();
        let mut copy = users.get(&self.user).cloned().unwrap_or_default();
        let report = copy.apply(batch)?;
        users.insert(self.user.clone(), copy);
        Ok(report)
    }

    fn activities(&self, from: Day, to: Day) -> Result<Vec<Activity>> {
        Ok(self.with(|d| {
            let mut v: Vec<Activity> = d
                .activities
                .rows
                .values()
                .map(|(a, _)| a.clone())
                .filter(|a| a.day() >= from && a.day() <= to)
                .collect();
            v.sort_by(|a, b| {
                (a.start.utc.to_rfc3339(), a.id.as_str())
                    .cmp(&(b.start.utc.to_rfc3339(), b.id.as_str()))
            });
            v
        }))
    }

    fn daily_health(&self, from: Day, to: Day) -> Result<Vec<DailyHealth>> {
        Ok(self.with(|d| {
            d.health
                .range(from..=to)
                .map(|(_, (h, _))| h.clone())
                .collect()
        }))
    }

    fn daily_loads(&self, from: Day, to: Day) -> Result<Vec<(Day, f64)>> {
        let mut v: Vec<(Day, f64)> = self
            .activities(from, to)?
            .iter()
            .filter_map(|a| a.training_load.map(|l| (a.day(), l)))
            .collect();
        v.sort_by_key(|(d, _)| *d);
        Ok(v)
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        Ok(self.with(|d| d.accounts.rows.values().map(|(a, _)| a.clone()).collect()))
    }

    fn transactions(&self, from: Day, to: Day) -> Result<Vec<Transaction>> {
        Ok(self.with(|d| {
            let mut v: Vec<Transaction> = d
                .transactions
                .rows
                .values()
                .map(|(t, _)| t.clone())
                .filter(|t| t.posted >= from && t.posted <= to)
                .collect();
            v.sort_by(|a, b| (a.posted, a.id.as_str()).cmp(&(b.posted, b.id.as_str())));
            v
        }))
    }

    fn balance_histories(&self, from: Day, to: Day) -> Result<Vec<BalanceHistory>> {
        Ok(self.with(|d| {
            let mut out: Vec<BalanceHistory> = Vec::new();
            for ((account, day), b) in &d.balances {
                if *day > to {
                    continue;
                }
                let h = match out.last_mut() {
                    Some(h) if h.account.as_str() == account => h,
                    _ => {
                        out.push(BalanceHistory {
                            account: b.account.clone(),
                            points: Vec::new(),
                        });
                        let Some(h) = out.last_mut() else { continue };
                        h
                    }
                };
                // Before `from`, only the last balance matters: it carries into the range.
                if *day < from && h.points.last().is_some_and(|(d, _)| *d < from) {
                    h.points.pop();
                }
                h.points.push((*day, b.current));
            }
            out
        }))
    }

    fn balances(&self, from: Day, to: Day) -> Result<Vec<BalanceSnapshot>> {
        Ok(self.with(|d| {
            d.balances
                .iter()
                .filter(|((_, day), _)| *day >= from && *day <= to)
                .map(|(_, b)| b.clone())
                .collect()
        }))
    }

    fn latest_balances(&self, day: Day) -> Result<Vec<BalanceSnapshot>> {
        Ok(self.with(|d| {
            let mut last: BTreeMap<&str, &BalanceSnapshot> = BTreeMap::new();
            for ((account, on), b) in &d.balances {
                if *on <= day {
                    last.insert(account, b);
                }
            }
            last.into_values().cloned().collect()
        }))
    }

    fn records<R: Record>(&self, span: Option<(Day, Day)>) -> Result<Vec<R>> {
        self.with(|d| match span {
            None => d.docs_of(|_| true),
            Some((from, to)) => d.docs_of(|row| pa_core::ports::overlaps(row.span, from, to)),
        })
    }

    fn record<R: Record>(&self, key: &str) -> Result<Option<R>> {
        self.with(|d| {
            d.docs
                .get(&(R::KIND, key.to_owned()))
                .map(|row| serde_json::from_str(&row.json))
                .transpose()
                .map_err(Error::from)
        })
    }

    fn children<R: Record>(&self, parent: &str) -> Result<Vec<R>> {
        self.with(|d| d.docs_of(|row| row.parent.as_deref() == Some(parent)))
    }

    fn sync_state(&self, source: &str) -> Result<Option<SyncState>> {
        Ok(self.with(|d| d.sync.get(source).cloned()))
    }

    fn sync_states(&self) -> Result<Vec<SyncState>> {
        Ok(self.with(|d| d.sync.values().cloned().collect()))
    }

    fn sync_records(&self, source: &str) -> Result<Vec<SyncRecord>> {
        Ok(self.with(|d| {
            d.sync_records
                .values()
                .filter(|r| r.source == source)
                .cloned()
                .collect()
        }))
    }

    fn sync_runs(&self, source: Option<&str>, limit: usize) -> Result<Vec<SyncRun>> {
        let mut runs: Vec<SyncRun> = self.with(|d| {
            d.sync_runs
                .values()
                .filter(|r| source.is_none_or(|s| r.source == s))
                .cloned()
                .collect()
        });
        runs.sort_by(|a, b| b.started.cmp(&a.started).then(a.source.cmp(&b.source)));
        runs.truncate(limit);
        Ok(runs)
    }

    fn llm_usage(&self, from: Day, to: Day) -> Result<Vec<LlmUsage>> {
        let mut v: Vec<LlmUsage> = self.with(|d| {
            d.llm_usage
                .iter()
                .filter(|u| {
                    let day = Day::from_naive(u.at.date_naive());
                    day >= from && day <= to
                })
                .cloned()
                .collect()
        });
        v.sort_by_key(|u| u.at);
        Ok(v)
    }

    fn audit_log(&self, from: Day, to: Day) -> Result<Vec<AuditEntry>> {
        let mut v: Vec<AuditEntry> = self.with(|d| {
            d.audit
                .iter()
                .filter(|e| {
                    let day = Day::from_naive(e.at.date_naive());
                    day >= from && day <= to
                })
                .cloned()
                .collect()
        });
        v.sort_by_key(|e| e.at);
        Ok(v)
    }

    fn settings(&self) -> Result<Vec<Setting>> {
        Ok(self.with(|d| {
            d.settings
                .iter()
                .map(|(k, v)| Setting {
                    key: k.clone(),
                    value: Some(v.clone()),
                })
                .collect()
        }))
    }

    fn prune(&self, target: PruneTarget, before: Day) -> Result<u64> {
        let mut users = self.store.lock();
        let mut copy = users.get(&self.user).cloned().unwrap_or_default();
        let n = copy.prune(target, before)?;
        users.insert(self.user.clone(), copy);
        Ok(n)
    }
}
