//! Writing a batch, deleting and pruning in PostgreSQL. The upsert decision is pa-core's
//! (`ports::upsert`): each record's stored candidates (by external reference and by key) are
//! fetched in one query, then the rule runs on them.

use std::collections::HashMap;

use chrono::Utc;
use pa_core::finance::{Account, BalanceSnapshot, Transaction};
use pa_core::fitness::{Activity, DailyHealth};
use pa_core::ids::{AccountId, ExternalRef};
use pa_core::money::{Currency, parse_currency};
use pa_core::ports::upsert::{self, Lookup, Stored};
use pa_core::ports::{
    AuditAction, Doc, PruneTarget, Record, RecordKind, RecordRef, RecordVisitor, WriteBatch,
    WriteReport,
};
use pa_core::time::Day;
use tokio_postgres::types::ToSql;

use super::{date, day_bounds, decimal};
use crate::error::Result;
use crate::storage::{Tally, ext_columns, rekey};

type Tx<'a> = deadpool_postgres::Transaction<'a>;

/// The stored records an incoming one may replace: the one with its external reference and the
/// one with its key.
#[derive(Default)]
struct Found {
    by_external: Option<Stored>,
    by_key: Option<Stored>,
}

impl Found {
    /// Answers pa-core's lookups.
    fn lookup(&self, l: Lookup<'_>) -> Result<Option<Stored>> {
        Ok(match l {
            Lookup::External(_) => self.by_external.clone(),
            Lookup::Key(_) => self.by_key.clone(),
        })
    }
}

/// Where a kind's rows live: its table, and for the generic records table, its kind.
#[derive(Clone, Copy)]
enum Table {
    Own(&'static str),
    Records(RecordKind),
}

/// The candidates for `key` and `external` in `table`, in one query.
async fn find(
    tx: &Tx<'_>,
    table: Table,
    user: &str,
    key: &str,
    external: Option<&ExternalRef>,
) -> Result<Found> {
    let (t, kind_clause, kind) = match table {
        Table::Own(t) => (t, "", None),
        Table::Records(k) => ("records", " AND kind = $5", Some(k.as_str())),
    };
    let (source, external_id) = ext_columns(external);
    let sql = format!(
        "SELECT id, hash, source IS NOT NULL AND source = $2 AND external_id = $3 FROM {t}
         WHERE person_id = $1 AND (id = $4 OR (source = $2 AND external_id = $3)){kind_clause}"
    );
    let stmt = tx.prepare_cached(&sql).await?;
    let mut args: Vec<&(dyn ToSql + Sync)> = vec![&user, &source, &external_id, &key];
    if let Some(k) = &kind {
        args.push(k);
    }
    let mut found = Found::default();
    for r in tx.query(&stmt, &args).await? {
        let stored = Stored {
            key: r.try_get(0)?,
            hash: r.try_get(1)?,
        };
        if r.try_get::<_, Option<bool>>(2)?.unwrap_or(false) {
            found.by_external = Some(stored.clone());
        }
        if stored.key == key {
            found.by_key = Some(stored);
        }
    }
    Ok(found)
}

/// Writes `batch` for `user` in the open transaction; what it did.
pub(super) async fn apply(
    tx: &Tx<'_>,
    user: &str,
    batch: &WriteBatch,
    origin: Option<&str>,
) -> Result<WriteReport> {
    let mut tally = Tally::new(origin.is_some());
    for a in &batch.activities {
        write_activity(tx, user, a, &mut tally).await?;
    }
    for h in &batch.health {
        write_health(tx, user, h, &mut tally).await?;
    }
    for a in &batch.accounts {
        write_account(tx, user, a, &mut tally).await?;
    }
    let mut currencies = Currencies::default();
    for t in &batch.transactions {
        write_transaction(tx, user, t, &mut currencies, &mut tally).await?;
    }
    for b in &batch.balances {
        write_balance(tx, user, b, &mut currencies, &mut tally).await?;
    }
    for d in batch.records_in_write_order() {
        write_doc(tx, user, d, &mut tally).await?;
    }
    for r in &batch.deletions {
        delete(tx, user, r, &mut tally).await?;
    }
    for s in &batch.sync {
        tx.execute(
            "INSERT INTO sync_state (person_id, source, cursor, last_success, last_error) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (person_id, source) DO UPDATE SET cursor = excluded.cursor,
               last_success = excluded.last_success, last_error = excluded.last_error",
            &[&user, &s.source, &s.cursor, &s.last_success, &s.last_error],
        )
        .await?;
    }
    for r in &batch.sync_records {
        tx.execute(
            "INSERT INTO sync_records (person_id, source, kind, local_key, remote_id, hash, etag, synced_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (person_id, source, kind, local_key) DO UPDATE SET remote_id = excluded.remote_id,
               hash = excluded.hash, etag = excluded.etag, synced_at = excluded.synced_at",
            &[&user, &r.source, &r.kind.as_str(), &r.local_key, &r.remote_id, &r.hash, &r.etag, &r.synced_at],
        )
        .await?;
    }
    for r in &batch.sync_runs {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO sync_runs (person_id, source, started, finished, added, updated, deleted, outcome, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (person_id, source, started) DO UPDATE SET finished = excluded.finished,
               added = excluded.added, updated = excluded.updated, deleted = excluded.deleted,
               outcome = excluded.outcome, error = excluded.error",
            &[
                &user,
                &r.source,
                &r.started,
                &r.finished,
                &count(r.added),
                &count(r.updated),
                &count(r.deleted),
                &r.outcome.as_str(),
                &r.error,
            ],
        )
        .await?;
    }
    for u in &batch.llm_usage {
        u.validate()?;
        let tokens = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let cost = u.cost.map(|c| c.amount().to_string());
        let currency = u.cost.map(|c| c.currency().code());
        tx.execute(
            "INSERT INTO llm_usage (person_id, at, model, purpose, tokens_in, tokens_out, cost, currency)
             VALUES ($1, $2, $3, $4, $5, $6, $7::text::numeric, $8)
             ON CONFLICT (person_id, at, model) DO UPDATE SET purpose = excluded.purpose,
               tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out,
               cost = excluded.cost, currency = excluded.currency",
            &[
                &user,
                &u.at,
                &u.model,
                &u.purpose,
                &tokens(u.tokens_in),
                &tokens(u.tokens_out),
                &cost,
                &currency,
            ],
        )
        .await?;
    }
    for s in &batch.settings {
        s.validate()?;
        match &s.value {
            Some(v) => {
                tx.execute(
                    "INSERT INTO settings (person_id, key, value) VALUES ($1, $2, $3)
                     ON CONFLICT (person_id, key) DO UPDATE SET value = excluded.value",
                    &[&user, &s.key, v],
                )
                .await?
            }
            None => {
                tx.execute(
                    "DELETE FROM settings WHERE person_id = $1 AND key = $2",
                    &[&user, &s.key],
                )
                .await?
            }
        };
    }
    if let (Some(origin), Some(changes)) = (origin, &tally.changes) {
        append_audit(tx, user, origin, changes).await?;
    }
    Ok(tally.report)
}

/// Appends a batch's changes to the audit log, numbered after the person's last entry.
async fn append_audit(
    tx: &Tx<'_>,
    user: &str,
    origin: &str,
    changes: &[(RecordKind, String, AuditAction)],
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let n = i64::try_from(changes.len()).unwrap_or(i64::MAX);
    let last: i64 = tx
        .query_one(
            "UPDATE people SET audit_seq = audit_seq + $2 WHERE person_id = $1 RETURNING audit_seq",
            &[&user, &n],
        )
        .await?
        .try_get(0)?;
    let seqs: Vec<i64> = (last - n + 1..=last).collect();
    let kinds: Vec<&str> = changes.iter().map(|c| c.0.as_str()).collect();
    let keys: Vec<&str> = changes.iter().map(|c| c.1.as_str()).collect();
    let actions: Vec<&str> = changes.iter().map(|c| c.2.as_str()).collect();
    tx.execute(
        "INSERT INTO audit_log (person_id, seq, at, origin, kind, key, action)
         SELECT $1, s, $2, $3, k, key, a FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[]) AS t(s, k, key, a)",
        &[&user, &Utc::now(), &origin, &seqs, &kinds, &keys, &actions],
    )
    .await?;
    Ok(())
}

async fn write_activity(tx: &Tx<'_>, user: &str, a: &Activity, tally: &mut Tally) -> Result<()> {
    a.validate()?;
    let found = find(
        tx,
        Table::Own("activities"),
        user,
        a.id.as_str(),
        a.external.as_ref(),
    )
    .await?;
    let mut packed = None;
    let planned = upsert::plan_with(
        a,
        a.id.as_str(),
        a.external.as_ref(),
        |l| found.lookup(l),
        rekey,
        |a| {
            let (json, hash, bytes) = crate::storage::activity_form(a)?;
            packed = bytes;
            Ok((json, hash))
        },
    )?;
    let Some((a, json, hash)) = tally.count(RecordKind::Activity, planned) else {
        return Ok(());
    };
    let (source, external_id) = ext_columns(a.external.as_ref());
    tx.execute(
        "INSERT INTO activities (person_id, id, source, external_id, day, start_utc, sport, training_load, body, hash, streams)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (person_id, id) DO UPDATE SET source = excluded.source, external_id = excluded.external_id,
           day = excluded.day, start_utc = excluded.start_utc, sport = excluded.sport,
           training_load = excluded.training_load, body = excluded.body, hash = excluded.hash,
           streams = excluded.streams",
        &[
            &user,
            &a.id.as_str(),
            &source,
            &external_id,
            &date(a.day()),
            &a.start.utc,
            &a.sport.as_str(),
            &a.training_load,
            &json,
            &hash,
            &packed,
        ],
    )
    .await?;
    Ok(())
}

async fn write_health(tx: &Tx<'_>, user: &str, h: &DailyHealth, tally: &mut Tally) -> Result<()> {
    h.validate()?;
    let day = h.day.to_string();
    let stored: Option<String> = tx
        .query_opt(
            "SELECT hash FROM daily_health WHERE person_id = $1 AND day = $2",
            &[&user, &date(h.day)],
        )
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    let found = Found {
        by_external: None,
        by_key: stored.map(|hash| Stored {
            key: day.clone(),
            hash,
        }),
    };
    // Keyed by its day: there is nothing to re-key.
    let planned = upsert::plan(h, &day, None, |l| found.lookup(l), |h, _| Ok(h.clone()))?;
    let Some((h, json, hash)) = tally.count(RecordKind::DailyHealth, planned) else {
        return Ok(());
    };
    tx.execute(
        "INSERT INTO daily_health (person_id, day, body, hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (person_id, day) DO UPDATE SET body = excluded.body, hash = excluded.hash",
        &[&user, &date(h.day), &json, &hash],
    )
    .await?;
    Ok(())
}

async fn write_account(tx: &Tx<'_>, user: &str, a: &Account, tally: &mut Tally) -> Result<()> {
    a.validate()?;
    let found = find(
        tx,
        Table::Own("accounts"),
        user,
        a.id.as_str(),
        a.external.as_ref(),
    )
    .await?;
    let planned = upsert::plan(
        a,
        a.id.as_str(),
        a.external.as_ref(),
        |l| found.lookup(l),
        rekey,
    )?;
    let Some((a, json, hash)) = tally.count(RecordKind::Account, planned) else {
        return Ok(());
    };
    let (source, external_id) = ext_columns(a.external.as_ref());
    tx.execute(
        "INSERT INTO accounts (person_id, id, source, external_id, kind, currency, body, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (person_id, id) DO UPDATE SET source = excluded.source, external_id = excluded.external_id,
           kind = excluded.kind, currency = excluded.currency, body = excluded.body, hash = excluded.hash",
        &[&user, &a.id.as_str(), &source, &external_id, &a.kind.as_str(), &a.currency.code(), &json, &hash],
    )
    .await?;
    Ok(())
}

/// Account currencies looked up during a batch (accounts are written before what names them).
#[derive(Default)]
struct Currencies(HashMap<String, Option<Currency>>);

impl Currencies {
    async fn of(
        &mut self,
        tx: &Tx<'_>,
        user: &str,
        account: &AccountId,
    ) -> Result<Option<Currency>> {
        if let Some(c) = self.0.get(account.as_str()) {
            return Ok(*c);
        }
        let code: Option<String> = tx
            .query_opt(
                "SELECT currency FROM accounts WHERE person_id = $1 AND id = $2",
                &[&user, &account.as_str()],
            )
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        let c = code.map(|c| parse_currency(&c)).transpose()?;
        self.0.insert(account.as_str().to_owned(), c);
        Ok(c)
    }
}

async fn write_transaction(
    tx: &Tx<'_>,
    user: &str,
    t: &Transaction,
    currencies: &mut Currencies,
    tally: &mut Tally,
) -> Result<()> {
    upsert::check_transaction(t, currencies.of(tx, user, &t.account).await?)?;
    let found = find(
        tx,
        Table::Own("transactions"),
        user,
        t.id.as_str(),
        t.external.as_ref(),
    )
    .await?;
    let planned = upsert::plan(
        t,
        t.id.as_str(),
        t.external.as_ref(),
        |l| found.lookup(l),
        rekey,
    )?;
    let Some((t, json, hash)) = tally.count(RecordKind::Transaction, planned) else {
        return Ok(());
    };
    let (source, external_id) = ext_columns(t.external.as_ref());
    tx.execute(
        "INSERT INTO transactions (person_id, id, account_id, source, external_id, posted, amount, currency, body, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7::text::numeric, $8, $9, $10)
         ON CONFLICT (person_id, id) DO UPDATE SET account_id = excluded.account_id, source = excluded.source,
           external_id = excluded.external_id, posted = excluded.posted, amount = excluded.amount,
           currency = excluded.currency, body = excluded.body, hash = excluded.hash",
        &[
            &user,
            &t.id.as_str(),
            &t.account.as_str(),
            &source,
            &external_id,
            &date(t.posted),
            &t.amount.amount().to_string(),
            &t.amount.currency().code(),
            &json,
            &hash,
        ],
    )
    .await?;
    Ok(())
}

async fn write_balance(
    tx: &Tx<'_>,
    user: &str,
    b: &BalanceSnapshot,
    currencies: &mut Currencies,
    tally: &mut Tally,
) -> Result<()> {
    let currency = currencies.of(tx, user, &b.account).await?;
    upsert::check_balance(b, currency)?;
    let point = |b: &BalanceSnapshot| {
        (
            b.current.amount(),
            b.available.map(|m| m.amount()),
            b.limit.map(|m| m.amount()),
        )
    };
    let stored = tx
        .query_opt(
            "SELECT current::text, available::text, credit_limit::text FROM balances
             WHERE person_id = $1 AND account_id = $2 AND day = $3",
            &[&user, &b.account.as_str(), &date(b.day)],
        )
        .await?;
    let key = upsert::balance_key(&b.account, b.day);
    match stored {
        Some(r) => {
            let opt = |i: usize| -> Result<Option<rust_decimal::Decimal>> {
                r.try_get::<_, Option<&str>>(i)?.map(decimal).transpose()
            };
            let old = (decimal(r.try_get(0)?)?, opt(1)?, opt(2)?);
            if old == point(b) {
                tally.report.unchanged += 1;
                return Ok(());
            }
            tally.change(RecordKind::Balance, &key, AuditAction::Updated);
        }
        None => tally.change(RecordKind::Balance, &key, AuditAction::Added),
    }
    let text = |m: Option<rust_decimal::Decimal>| m.map(|d| d.to_string());
    let (current, available, limit) = point(b);
    tx.execute(
        "INSERT INTO balances (person_id, account_id, day, currency, current, available, credit_limit)
         VALUES ($1, $2, $3, $4, $5::text::numeric, $6::text::numeric, $7::text::numeric)
         ON CONFLICT (person_id, account_id, day) DO UPDATE SET currency = excluded.currency,
           current = excluded.current, available = excluded.available, credit_limit = excluded.credit_limit",
        &[
            &user,
            &b.account.as_str(),
            &date(b.day),
            &b.current.currency().code(),
            &current.to_string(),
            &text(available),
            &text(limit),
        ],
    )
    .await?;
    Ok(())
}

/// What a record says about itself before it is looked up: checked, its key, reference and parent.
struct Probe {
    kind: RecordKind,
    key: String,
    external: Option<ExternalRef>,
    parent: Option<(RecordKind, String)>,
}

/// Makes a [`Probe`].
struct Probing;

impl RecordVisitor for Probing {
    type Output = Result<Probe>;

    fn visit<R: Record>(self, r: &R) -> Result<Probe> {
        r.validate()?;
        Ok(Probe {
            kind: R::KIND,
            key: r.key(),
            external: r.external().cloned(),
            parent: R::KIND.parent().zip(r.parent()),
        })
    }
}

/// A record planned by pa-core's rule against what was found: the row to write, if any.
struct Planned<'a> {
    found: &'a Found,
    parent_exists: bool,
    tally: &'a mut Tally,
}

/// The columns of a record to write.
struct DocRow {
    key: String,
    external: Option<ExternalRef>,
    span: pa_core::ports::Span,
    parent: Option<String>,
    json: String,
    hash: String,
}

impl RecordVisitor for Planned<'_> {
    type Output = Result<Option<DocRow>>;

    fn visit<R: Record>(self, r: &R) -> Result<Option<DocRow>> {
        let Self {
            found,
            parent_exists,
            tally,
        } = self;
        upsert::check_parent(r, |_, _| Ok::<_, crate::error::Error>(parent_exists))?;
        let planned = upsert::plan(
            r,
            &r.key(),
            r.external(),
            |l| found.lookup(l),
            |r, k| r.with_key(k),
        )?;
        Ok(tally.count(R::KIND, planned).map(|(r, json, hash)| DocRow {
            key: r.key(),
            external: r.external().cloned(),
            span: r.span(),
            parent: r.parent(),
            json,
            hash,
        }))
    }
}

/// The table a kind's rows are in.
fn table_of(kind: RecordKind) -> Table {
    match kind {
        RecordKind::Activity => Table::Own("activities"),
        RecordKind::Account => Table::Own("accounts"),
        RecordKind::Transaction => Table::Own("transactions"),
        RecordKind::DailyHealth => Table::Own("daily_health"),
        RecordKind::Balance => Table::Own("balances"),
        k => Table::Records(k),
    }
}

async fn exists(tx: &Tx<'_>, user: &str, kind: RecordKind, key: &str) -> Result<bool> {
    let row = match table_of(kind) {
        Table::Own(t) => {
            tx.query_one(
                &format!("SELECT EXISTS (SELECT 1 FROM {t} WHERE person_id = $1 AND id = $2)"),
                &[&user, &key],
            )
            .await?
        }
        Table::Records(k) => {
            tx.query_one(
                "SELECT EXISTS (SELECT 1 FROM records WHERE person_id = $1 AND kind = $2 AND id = $3)",
                &[&user, &k.as_str(), &key],
            )
            .await?
        }
    };
    Ok(row.try_get(0)?)
}

async fn write_doc(tx: &Tx<'_>, user: &str, d: &Doc, tally: &mut Tally) -> Result<()> {
    let probe = d.visit(Probing)?;
    let parent_exists = match &probe.parent {
        Some((kind, key)) => exists(tx, user, *kind, key).await?,
        None => true,
    };
    let found = find(
        tx,
        Table::Records(probe.kind),
        user,
        &probe.key,
        probe.external.as_ref(),
    )
    .await?;
    let Some(row) = d.visit(Planned {
        found: &found,
        parent_exists,
        tally,
    })?
    else {
        return Ok(());
    };
    let (source, external_id) = ext_columns(row.external.as_ref());
    let stmt = tx
        .prepare_cached(
            "INSERT INTO records (person_id, kind, id, source, external_id, day, day_end, parent, body, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (person_id, kind, id) DO UPDATE SET source = excluded.source,
               external_id = excluded.external_id, day = excluded.day, day_end = excluded.day_end,
               parent = excluded.parent, body = excluded.body, hash = excluded.hash",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &user,
            &probe.kind.as_str(),
            &row.key,
            &source,
            &external_id,
            &row.span.map(|s| date(s.0)),
            &row.span.and_then(|s| s.1).map(date),
            &row.parent,
            &row.json,
            &row.hash,
        ],
    )
    .await?;
    Ok(())
}

/// The record kinds kept in the records table whose parent is of `kind`.
fn doc_children(kind: RecordKind) -> impl Iterator<Item = RecordKind> {
    RecordKind::ALL
        .into_iter()
        .filter(move |k| k.is_doc() && k.parent() == Some(kind))
}

/// Deletes the records whose parent is `kind` `key`, and theirs in turn.
async fn delete_children(tx: &Tx<'_>, user: &str, kind: RecordKind, key: &str) -> Result<()> {
    let mut pending = vec![(kind, key.to_owned())];
    while let Some((kind, key)) = pending.pop() {
        for child in doc_children(kind) {
            let rows = tx
                .query(
                    "DELETE FROM records WHERE person_id = $1 AND kind = $2 AND parent = $3 RETURNING id",
                    &[&user, &child.as_str(), &key],
                )
                .await?;
            for r in rows {
                pending.push((child, r.try_get(0)?));
            }
        }
    }
    Ok(())
}

/// Deletes one record (with its children) and its sync mappings.
async fn delete(tx: &Tx<'_>, user: &str, r: &RecordRef, tally: &mut Tally) -> Result<()> {
    let n = match r.kind {
        RecordKind::DailyHealth => {
            let day: Day = r.key.parse()?;
            tx.execute(
                "DELETE FROM daily_health WHERE person_id = $1 AND day = $2",
                &[&user, &date(day)],
            )
            .await?
        }
        RecordKind::Balance => {
            let (account, day) = upsert::parse_balance_key(&r.key)?;
            tx.execute(
                "DELETE FROM balances WHERE person_id = $1 AND account_id = $2 AND day = $3",
                &[&user, &account.as_str(), &date(day)],
            )
            .await?
        }
        kind => match table_of(kind) {
            Table::Own(t) => {
                tx.execute(
                    &format!("DELETE FROM {t} WHERE person_id = $1 AND id = $2"),
                    &[&user, &r.key],
                )
                .await?
            }
            Table::Records(k) => {
                tx.execute(
                    "DELETE FROM records WHERE person_id = $1 AND kind = $2 AND id = $3",
                    &[&user, &k.as_str(), &r.key],
                )
                .await?
            }
        },
    };
    if n > 0 {
        delete_children(tx, user, r.kind, &r.key).await?;
        tx.execute(
            "DELETE FROM sync_records WHERE person_id = $1 AND kind = $2 AND local_key = $3",
            &[&user, &r.kind.as_str(), &r.key],
        )
        .await?;
        tally.change(r.kind, &r.key, AuditAction::Deleted);
    }
    Ok(())
}

/// Deletes everything of `target` before `before`; how many (children not counted).
pub(super) async fn prune(
    tx: &Tx<'_>,
    user: &str,
    target: PruneTarget,
    before: Day,
) -> Result<u64> {
    let (cutoff, _) = day_bounds(before, before)?;
    let day = date(before);
    let n = match target {
        PruneTarget::SyncRuns => {
            return Ok(tx
                .execute(
                    "DELETE FROM sync_runs WHERE person_id = $1 AND started < $2",
                    &[&user, &cutoff],
                )
                .await?);
        }
        PruneTarget::LlmUsage => {
            return Ok(tx
                .execute(
                    "DELETE FROM llm_usage WHERE person_id = $1 AND at < $2",
                    &[&user, &cutoff],
                )
                .await?);
        }
        PruneTarget::Audit => {
            return Ok(tx
                .execute(
                    "DELETE FROM audit_log WHERE person_id = $1 AND at < $2",
                    &[&user, &cutoff],
                )
                .await?);
        }
        // Accounts have no span: never pruned.
        PruneTarget::Record(RecordKind::Account) => 0,
        PruneTarget::Record(RecordKind::Balance) => {
            return Ok(tx
                .execute(
                    "DELETE FROM balances WHERE person_id = $1 AND day < $2",
                    &[&user, &day],
                )
                .await?);
        }
        PruneTarget::Record(RecordKind::DailyHealth) => {
            return Ok(tx
                .execute(
                    "DELETE FROM daily_health WHERE person_id = $1 AND day < $2",
                    &[&user, &day],
                )
                .await?);
        }
        PruneTarget::Record(RecordKind::Activity) => {
            tx.execute(
                "DELETE FROM activities WHERE person_id = $1 AND day < $2",
                &[&user, &day],
            )
            .await?
        }
        PruneTarget::Record(RecordKind::Transaction) => {
            tx.execute(
                "DELETE FROM transactions WHERE person_id = $1 AND posted < $2",
                &[&user, &day],
            )
            .await?
        }
        PruneTarget::Record(kind) => {
            let n = tx
                .execute(
                    "DELETE FROM records WHERE person_id = $1 AND kind = $2 AND day_end < $3",
                    &[&user, &kind.as_str(), &day],
                )
                .await?;
            // Children of what went go with it, as the SQLite store's foreign keys take them.
            let mut parents = vec![kind];
            while let Some(parent) = parents.pop() {
                for child in doc_children(parent) {
                    tx.execute(
                        "DELETE FROM records c WHERE c.person_id = $1 AND c.kind = $2 AND NOT EXISTS
                           (SELECT 1 FROM records p WHERE p.person_id = c.person_id AND p.kind = $3 AND p.id = c.parent)",
                        &[&user, &child.as_str(), &parent.as_str()],
                    )
                    .await?;
                    parents.push(child);
                }
            }
            n
        }
    };
    if n > 0 {
        let PruneTarget::Record(kind) = target else {
            return Ok(n);
        };
        // Mappings of pruned records would point at nothing.
        let (t, kind_clause) = match table_of(kind) {
            Table::Own(t) => (t, ""),
            Table::Records(_) => ("records", " AND r.kind = s.kind"),
        };
        tx.execute(
            &format!(
                "DELETE FROM sync_records s WHERE s.person_id = $1 AND s.kind = $2 AND NOT EXISTS
                   (SELECT 1 FROM {t} r WHERE r.person_id = s.person_id AND r.id = s.local_key{kind_clause})"
            ),
            &[&user, &kind.as_str()],
        )
        .await?;
    }
    Ok(n)
}
