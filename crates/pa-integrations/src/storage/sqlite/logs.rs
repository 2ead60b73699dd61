//! Sync bookkeeping, logs and settings in SQLite. Instants are stored as RFC 3339 UTC with
//! microseconds (`2026-03-01T10:00:00.000000Z`), so text order is time order.

use chrono::{DateTime, SecondsFormat, Utc};
use pa_core::money::{Money, parse_currency};
use pa_core::ports::{AuditAction, AuditEntry, LlmUsage, RecordKind, Setting, SyncRecord, SyncRun};
use pa_core::time::Day;
use rusqlite::{Connection, Row, Transaction as SqlTx, params};

use super::decimal;
use crate::error::{Error, Result};

/// The stored form of an instant.
pub(super) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    s.parse()
        .map_err(|_| Error::Core(pa_core::Error::invalid("stored instant", s)))
}

/// `[from 00:00, to + 1 00:00)` in UTC as stored text.
fn day_bounds(from: Day, to: Day) -> Result<(String, String)> {
    let midnight = |d: Day| {
        if d.year() > 9999 {
            // Past any four-digit year: "99999" sorts after every stored instant.
            "99999".to_owned()
        } else {
            ts(d.naive().and_time(chrono::NaiveTime::MIN).and_utc())
        }
    };
    Ok((midnight(from), midnight(to.succ()?)))
}

pub(super) fn write_sync_record(tx: &SqlTx<'_>, user: &str, r: &SyncRecord) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_records (user_id, source, kind, local_key, remote_id, hash, etag, synced_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (user_id, source, kind, local_key) DO UPDATE SET remote_id = excluded.remote_id,
           hash = excluded.hash, etag = excluded.etag, synced_at = excluded.synced_at",
    )?
    .execute(params![user, r.source, r.kind.as_str(), r.local_key, r.remote_id, r.hash, r.etag, ts(r.synced_at)])?;
    Ok(())
}

pub(super) fn write_sync_run(tx: &SqlTx<'_>, user: &str, r: &SyncRun) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_runs (user_id, source, started, finished, added, updated, deleted, outcome, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (user_id, source, started) DO UPDATE SET finished = excluded.finished,
           added = excluded.added, updated = excluded.updated, deleted = excluded.deleted,
           outcome = excluded.outcome, error = excluded.error",
    )?
    .execute(params![
        user,
        r.source,
        ts(r.started),
        r.finished.map(ts),
        r.added as i64,
        r.updated as i64,
        r.deleted as i64,
        r.outcome.as_str(),
        r.error
    ])?;
    Ok(())
}

pub(super) fn write_llm_usage(tx: &SqlTx<'_>, user: &str, u: &LlmUsage) -> Result<()> {
    u.validate()?;
    tx.prepare_cached(
        "INSERT INTO llm_usage (user_id, at, model, purpose, tokens_in, tokens_out, cost, currency)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (user_id, at, model) DO UPDATE SET purpose = excluded.purpose,
           tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out,
           cost = excluded.cost, currency = excluded.currency",
    )?
    .execute(params![
        user,
        ts(u.at),
        u.model,
        u.purpose,
        u.tokens_in as i64,
        u.tokens_out as i64,
        u.cost.map(|c| c.amount().to_string()),
        u.cost.map(|c| c.currency().code())
    ])?;
    Ok(())
}

pub(super) fn write_setting(tx: &SqlTx<'_>, user: &str, s: &Setting) -> Result<()> {
    s.validate()?;
    match &s.value {
        Some(v) => tx
            .prepare_cached(
                "INSERT INTO settings (user_id, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![user, s.key, v])?,
        None => tx
            .prepare_cached("DELETE FROM settings WHERE user_id = ?1 AND key = ?2")?
            .execute(params![user, s.key])?,
    };
    Ok(())
}

/// Appends a batch's changes to the audit log, all at the same moment `at` (written once, not per
/// row: formatting the time was a tenth of the audit's cost on a 4,770-event import).
pub(super) fn append_audit(
    tx: &SqlTx<'_>,
    user: &str,
    at: DateTime<Utc>,
    origin: &str,
    changes: &[(RecordKind, String, AuditAction)],
) -> Result<()> {
    let at = ts(at);
    let mut insert = tx.prepare_cached(
        "INSERT INTO audit_log (user_id, at, origin, kind, key, action) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (kind, key, action) in changes {
        insert.execute(params![
            user,
            at,
            origin,
            kind.as_str(),
            key,
            action.as_str()
        ])?;
    }
    Ok(())
}

/// Maps rows with a fallible converter, collecting the first error.
fn rows<T>(
    c: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    convert: impl Fn(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = c.prepare_cached(sql)?;
    let mut q = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(row) = q.next()? {
        out.push(convert(row)?);
    }
    Ok(out)
}

pub(super) fn sync_records(c: &Connection, user: &str, source: &str) -> Result<Vec<SyncRecord>> {
    rows(
        c,
        "SELECT kind, local_key, remote_id, hash, etag, synced_at FROM sync_records
         WHERE user_id = ?1 AND source = ?2 ORDER BY kind, local_key",
        params![user, source],
        |r| {
            Ok(SyncRecord {
                source: source.to_owned(),
                kind: r.get::<_, String>(0)?.parse()?,
                local_key: r.get(1)?,
                remote_id: r.get(2)?,
                hash: r.get(3)?,
                etag: r.get(4)?,
                synced_at: parse_ts(&r.get::<_, String>(5)?)?,
            })
        },
    )
}

pub(super) fn sync_runs(
    c: &Connection,
    user: &str,
    source: Option<&str>,
    limit: usize,
) -> Result<Vec<SyncRun>> {
    rows(
        c,
        "SELECT source, started, finished, added, updated, deleted, outcome, error FROM sync_runs
         WHERE user_id = ?1 AND (?2 IS NULL OR source = ?2) ORDER BY started DESC, source LIMIT ?3",
        params![user, source, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            Ok(SyncRun {
                source: r.get(0)?,
                started: parse_ts(&r.get::<_, String>(1)?)?,
                finished: r
                    .get::<_, Option<String>>(2)?
                    .map(|s| parse_ts(&s))
                    .transpose()?,
                added: r.get::<_, i64>(3)? as u64,
                updated: r.get::<_, i64>(4)? as u64,
                deleted: r.get::<_, i64>(5)? as u64,
                outcome: r.get::<_, String>(6)?.parse()?,
                error: r.get(7)?,
            })
        },
    )
}

pub(super) fn llm_usage(c: &Connection, user: &str, from: Day, to: Day) -> Result<Vec<LlmUsage>> {
    let (lo, hi) = day_bounds(from, to)?;
    rows(
        c,
        "SELECT at, model, purpose, tokens_in, tokens_out, cost, currency FROM llm_usage
         WHERE user_id = ?1 AND at >= ?2 AND at < ?3 ORDER BY at, seq",
        params![user, lo, hi],
        |r| {
            let cost = match (
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ) {
                (Some(a), Some(c)) => Some(Money::new(decimal(&a)?, parse_currency(&c)?)),
                _ => None,
            };
            Ok(LlmUsage {
                at: parse_ts(&r.get::<_, String>(0)?)?,
                model: r.get(1)?,
                purpose: r.get(2)?,
                tokens_in: r.get::<_, i64>(3)? as u64,
                tokens_out: r.get::<_, i64>(4)? as u64,
                cost,
            })
        },
    )
}

pub(super) fn audit_log(c: &Connection, user: &str, from: Day, to: Day) -> Result<Vec<AuditEntry>> {
    let (lo, hi) = day_bounds(from, to)?;
    rows(
        c,
        "SELECT at, origin, kind, key, action FROM audit_log
         WHERE user_id = ?1 AND at >= ?2 AND at < ?3 ORDER BY at, seq",
        params![user, lo, hi],
        |r| {
            Ok(AuditEntry {
                at: parse_ts(&r.get::<_, String>(0)?)?,
                origin: r.get(1)?,
                kind: r.get::<_, String>(2)?.parse()?,
                key: r.get(3)?,
                action: r.get::<_, String>(4)?.parse()?,
            })
        },
    )
}

pub(super) fn settings(c: &Connection, user: &str) -> Result<Vec<Setting>> {
    rows(
        c,
        "SELECT key, value FROM settings WHERE user_id = ?1 ORDER BY key",
        [user],
        |r| {
            Ok(Setting {
                key: r.get(0)?,
                value: Some(r.get(1)?),
            })
        },
    )
}

/// Deletes log rows of `table` (`sync_runs`, `llm_usage`, `audit_log`) from UTC days before
/// `before`.
pub(super) fn prune(tx: &SqlTx<'_>, user: &str, table: &str, before: Day) -> Result<u64> {
    let (cutoff, _) = day_bounds(before, before)?;
    let column = if table == "sync_runs" {
        "started"
    } else {
        "at"
    };
    Ok(tx.execute(
        &format!("DELETE FROM {table} WHERE user_id = ?1 AND {column} < ?2"),
        params![user, cutoff],
    )? as u64)
}
