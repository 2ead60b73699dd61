//! A store in memory with the same rules as the SQLite one (the conformance suite runs on both).
//! Writes apply to a copy of the person's data that replaces it only when the whole batch
//! succeeded, so a failed batch changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use pa_core::finance::networth::BalanceHistory;
use pa_core::finance::{Account, BalanceSnapshot, Transaction};
use pa_core::fitness::{Activity, DailyHealth};
use pa_core::ids::{AccountId, ExternalRef, UserId};
use pa_core::ports::{SyncState, UserStore, WriteBatch, WriteReport};
use pa_core::time::Day;

use super::{Keyed, content_hash};
use crate::error::{Error, Result};

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
    /// The same rule as the SQLite store: match by external ref, then id; the stored id wins; equal
    /// JSON is unchanged.
    fn upsert(&mut self, record: &T, report: &mut WriteReport) -> Result<()> {
        let (id, ext) = (record.key(), record.external());
        let stored = ext
            .and_then(|e| self.by_ext.get(e).cloned())
            .or_else(|| self.rows.contains_key(id).then(|| id.to_owned()));
        let mut r = record.clone();
        let key = match &stored {
            Some(s) => {
                r.set_key(s.clone())?;
                s.clone()
            }
            None => id.to_owned(),
        };
        let json = serde_json::to_string(&r)?;
        let hash = content_hash(&json);
        match self.rows.get(&key) {
            Some((_, h)) if *h == hash => {
                report.unchanged += 1;
                return Ok(());
            }
            Some(_) => report.updated += 1,
            None => report.added += 1,
        }
        if let Some(e) = ext {
            self.by_ext.insert(e.clone(), key.clone());
        }
        self.rows.insert(key, (r, hash));
        Ok(())
    }
}

#[derive(Clone, Default)]
struct UserData {
    activities: Table<Activity>,
    health: BTreeMap<Day, (DailyHealth, String)>,
    accounts: Table<Account>,
    transactions: Table<Transaction>,
    balances: BTreeMap<(String, Day), BalanceSnapshot>,
    sync: BTreeMap<String, SyncState>,
}

impl UserData {
    fn account_currency(
        &self,
        account: &AccountId,
        what: &str,
    ) -> Result<pa_core::money::Currency> {
        self.accounts
            .rows
            .get(account.as_str())
            .map(|(a, _)| a.currency)
            .ok_or_else(|| {
                Error::Core(pa_core::Error::invalid(
                    what,
                    format!("account {account} is unknown"),
                ))
            })
    }

    fn apply(&mut self, batch: &WriteBatch) -> Result<WriteReport> {
        let mut report = WriteReport::default();
        for a in &batch.activities {
            a.validate()?;
            self.activities.upsert(a, &mut report)?;
        }
        for h in &batch.health {
            h.validate()?;
            let json = serde_json::to_string(h)?;
            let hash = content_hash(&json);
            match self.health.get(&h.day) {
                Some((_, old)) if *old == hash => report.unchanged += 1,
                old => {
                    if old.is_some() {
                        report.updated += 1;
                    } else {
                        report.added += 1;
                    }
                    self.health.insert(h.day, (h.clone(), hash));
                }
            }
        }
        for a in &batch.accounts {
            a.validate()?;
            self.accounts.upsert(a, &mut report)?;
        }
        for t in &batch.transactions {
            let what = format!("transaction {}", t.id);
            let currency = self.account_currency(&t.account, &what)?;
            if currency != t.amount.currency() {
                return Err(Error::Core(pa_core::Error::invalid(
                    what,
                    format!(
                        "is in {} but account {} is in {}",
                        t.amount.currency().code(),
                        t.account,
                        currency.code()
                    ),
                )));
            }
            self.transactions.upsert(t, &mut report)?;
        }
        for b in &batch.balances {
            b.validate()?;
            let what = format!("balance of account {} on {}", b.account, b.day);
            let currency = self.account_currency(&b.account, &what)?;
            if currency != b.current.currency() {
                return Err(Error::Core(pa_core::Error::invalid(
                    what,
                    format!(
                        "is in {} but the account is in {}",
                        b.current.currency().code(),
                        currency.code()
                    ),
                )));
            }
            let key = (b.account.to_string(), b.day);
            match self.balances.get(&key) {
                Some(old) if old == b => report.unchanged += 1,
                old => {
                    if old.is_some() {
                        report.updated += 1;
                    } else {
                        report.added += 1;
                    }
                    self.balances.insert(key, b.clone());
                }
            }
        }
        for s in &batch.sync {
            self.sync.insert(s.source.clone(), s.clone());
        }
        Ok(report)
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

    fn balance_histories(&self, to: Day) -> Result<Vec<BalanceHistory>> {
        Ok(self.with(|d| {
            let mut out: Vec<BalanceHistory> = Vec::new();
            for ((account, day), b) in &d.balances {
                if *day > to {
                    continue;
                }
                match out.last_mut() {
                    Some(h) if h.account.as_str() == account => h.points.push((*day, b.current)),
                    _ => out.push(BalanceHistory {
                        account: b.account.clone(),
                        points: vec![(*day, b.current)],
                    }),
                }
            }
            out
        }))
    }

    fn sync_state(&self, source: &str) -> Result<Option<SyncState>> {
        Ok(self.with(|d| d.sync.get(source).cloned()))
    }
}
