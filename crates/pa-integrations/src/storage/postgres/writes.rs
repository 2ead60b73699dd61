//! Writing a batch (its records in bulk: `batch`), deleting and pruning in PostgreSQL, and the
//! bookkeeping rows (sync state, mappings, runs, LLM usage, settings, the audit log).

use chrono::Utc;
use pa_core::ports::upsert;
use pa_core::ports::{AuditAction, PruneTarget, RecordKind, RecordRef, WriteBatch, WriteReport};
use pa_core::time::Day;

use super::{batch, date, day_bounds};
use crate::error::Result;
use crate::storage::Tally;

pub(super) type Tx = deadpool_postgres::ClientWrapper;

/// Where a kind's rows live: its table, and for the generic records table, its kind.
#[derive(Clone, Copy)]
pub(super) enum Table {
    Own(&'static str),
    Records(RecordKind),
}

/// Writes `batch` for `user` in the open transaction; what it did.
pub(super) async fn apply(
    tx: &Tx,
    user: &str,
    batch: &WriteBatch,
    origin: Option<&str>,
) -> Result<WriteReport> {
    let mut tally = Tally::new(origin.is_some());
    batch::activities(tx, user, &batch.activities, &mut tally).await?;
    batch::health(tx, user, &batch.health, &mut tally).await?;
    batch::accounts(tx, user, &batch.accounts, &mut tally).await?;
    // Read after the batch's accounts are written: they may name them.
    let currencies = batch::currencies(
        tx,
        user,
        batch
            .transactions
            .iter()
            .map(|t| t.account.as_str())
            .chain(batch.balances.iter().map(|b| b.account.as_str())),
    )
    .await?;
    batch::transactions(tx, user, &batch.transactions, &currencies, &mut tally).await?;
    batch::balances(tx, user, &batch.balances, &currencies, &mut tally).await?;
    batch::docs(tx, user, &batch.records_in_write_order(), &mut tally).await?;
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
    tx: &Tx,
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

/// The table a kind's rows are in.
pub(super) fn table_of(kind: RecordKind) -> Table {
    match kind {
        RecordKind::Activity => Table::Own("activities"),
        RecordKind::Account => Table::Own("accounts"),
        RecordKind::Transaction => Table::Own("transactions"),
        RecordKind::DailyHealth => Table::Own("daily_health"),
        RecordKind::Balance => Table::Own("balances"),
        k => Table::Records(k),
    }
}

/// The record kinds kept in the records table whose parent is of `kind`.
fn doc_children(kind: RecordKind) -> impl Iterator<Item = RecordKind> {
    RecordKind::ALL
        .into_iter()
        .filter(move |k| k.is_doc() && k.parent() == Some(kind))
}

/// Deletes the records whose parent is `kind` `key`, and theirs in turn.
async fn delete_children(tx: &Tx, user: &str, kind: RecordKind, key: &str) -> Result<()> {
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
async fn delete(tx: &Tx, user: &str, r: &RecordRef, tally: &mut Tally) -> Result<()> {
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
pub(super) async fn prune(tx: &Tx, user: &str, target: PruneTarget, before: Day) -> Result<u64> {
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
