//! Writing the record kinds with columns of their own: the upsert decision (by external ref, then
//! id; unchanged when the content hash is), activities, daily health, accounts and sync cursors.

use pa_core::finance::Account;
use pa_core::fitness::{Activity, DailyHealth};
use pa_core::ports::{AuditAction, RecordKind, SyncState};
use rusqlite::{OptionalExtension, Transaction as SqlTx, params};

use crate::error::Result;
use crate::storage::{Keyed, Tally, content_hash, ext_columns};

/// The stored (id, hash) of the row a record would replace: matched by external ref first, then
/// by pa's id.
pub(super) fn existing_row(
    tx: &SqlTx<'_>,
    table: &str,
    user: &str,
    id: &str,
    ext: (Option<&str>, Option<&str>),
) -> Result<Option<(String, String)>> {
    if let (Some(source), Some(ext_id)) = ext {
        let found = tx
            .prepare_cached(&format!("SELECT id, hash FROM {table} WHERE user_id = ?1 AND source = ?2 AND external_id = ?3"))?
            .query_row(params![user, source, ext_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(tx
        .prepare_cached(&format!(
            "SELECT id, hash FROM {table} WHERE user_id = ?1 AND id = ?2"
        ))?
        .query_row(params![user, id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Decides how a record is written: it takes the stored key (the same source record keeps one
/// identity however it was named), and is unchanged when its JSON then hashes as stored.
/// Returns the record to write (`None` when unchanged) with its JSON and hash.
pub(super) fn plan_upsert<T: serde::Serialize + Clone>(
    existing: Option<(String, String)>,
    record: &T,
    rekey: impl FnOnce(&T, &str) -> Result<T>,
    kind: RecordKind,
    own_key: &str,
    tally: &mut Tally,
) -> Result<Option<(T, String, String)>> {
    let (r, key, stored_hash) = match existing {
        Some((key, hash)) => (rekey(record, &key)?, key, Some(hash)),
        None => (record.clone(), own_key.to_owned(), None),
    };
    let json = serde_json::to_string(&r)?;
    let hash = content_hash(&json);
    match stored_hash {
        Some(h) if h == hash => {
            tally.report.unchanged += 1;
            Ok(None)
        }
        Some(_) => {
            tally.change(kind, &key, AuditAction::Updated);
            Ok(Some((r, json, hash)))
        }
        None => {
            tally.change(kind, &key, AuditAction::Added);
            Ok(Some((r, json, hash)))
        }
    }
}

/// Re-keys a record with a typed `id` field.
pub(super) fn rekey_keyed<T: Keyed>(r: &T, key: &str) -> Result<T> {
    let mut r = r.clone();
    r.set_key(key.to_owned())?;
    Ok(r)
}

pub(super) fn write_activity(
    tx: &SqlTx<'_>,
    user: &str,
    a: &Activity,
    tally: &mut Tally,
) -> Result<()> {
    a.validate()?;
    let ext = ext_columns(a.external.as_ref());
    let existing = existing_row(tx, "activities", user, a.id.as_str(), ext)?;
    let Some((a, json, hash)) = plan_upsert(
        existing,
        a,
        rekey_keyed,
        RecordKind::Activity,
        a.id.as_str(),
        tally,
    )?
    else {
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT INTO activities (user_id, id, source, external_id, day, start_utc, sport, training_load, body, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (user_id, id) DO UPDATE SET source = excluded.source, external_id = excluded.external_id,
           day = excluded.day, start_utc = excluded.start_utc, sport = excluded.sport,
           training_load = excluded.training_load, body = excluded.body, hash = excluded.hash",
    )?
    .execute(params![user, a.id.as_str(), ext.0, ext.1, a.day().to_string(), a.start.utc.to_rfc3339(), a.sport.as_str(), a.training_load, json, hash])?;
    Ok(())
}

pub(super) fn write_health(
    tx: &SqlTx<'_>,
    user: &str,
    h: &DailyHealth,
    tally: &mut Tally,
) -> Result<()> {
    h.validate()?;
    let json = serde_json::to_string(h)?;
    let hash = content_hash(&json);
    let old: Option<String> = tx
        .prepare_cached("SELECT hash FROM daily_health WHERE user_id = ?1 AND day = ?2")?
        .query_row(params![user, h.day.to_string()], |r| r.get(0))
        .optional()?;
    match old {
        Some(o) if o == hash => {
            tally.report.unchanged += 1;
            return Ok(());
        }
        Some(_) => tally.change(
            RecordKind::DailyHealth,
            &h.day.to_string(),
            AuditAction::Updated,
        ),
        None => tally.change(
            RecordKind::DailyHealth,
            &h.day.to_string(),
            AuditAction::Added,
        ),
    }
    tx.prepare_cached(
        "INSERT INTO daily_health (user_id, day, sleep_s, resting_hr_bpm, hrv_rmssd_ms, body, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (user_id, day) DO UPDATE SET sleep_s = excluded.sleep_s, resting_hr_bpm = excluded.resting_hr_bpm,
           hrv_rmssd_ms = excluded.hrv_rmssd_ms, body = excluded.body, hash = excluded.hash",
    )?
    .execute(params![user, h.day.to_string(), h.sleep.map(|s| s.total_s), h.resting_hr_bpm, h.hrv_rmssd_ms, json, hash])?;
    Ok(())
}

pub(super) fn write_account(
    tx: &SqlTx<'_>,
    user: &str,
    a: &Account,
    tally: &mut Tally,
) -> Result<()> {
    a.validate()?;
    let ext = ext_columns(a.external.as_ref());
    let existing = existing_row(tx, "accounts", user, a.id.as_str(), ext)?;
    let Some((a, json, hash)) = plan_upsert(
        existing,
        a,
        rekey_keyed,
        RecordKind::Account,
        a.id.as_str(),
        tally,
    )?
    else {
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT INTO accounts (user_id, id, source, external_id, kind, currency, body, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (user_id, id) DO UPDATE SET source = excluded.source, external_id = excluded.external_id,
           kind = excluded.kind, currency = excluded.currency, body = excluded.body, hash = excluded.hash",
    )?
    .execute(params![user, a.id.as_str(), ext.0, ext.1, a.kind.as_str(), a.currency.code(), json, hash])?;
    Ok(())
}

pub(super) fn write_sync(tx: &SqlTx<'_>, user: &str, s: &SyncState) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_state (user_id, source, cursor, last_success, last_error) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (user_id, source) DO UPDATE SET cursor = excluded.cursor, last_success = excluded.last_success,
           last_error = excluded.last_error",
    )?
    .execute(params![user, s.source, s.cursor, s.last_success.map(|t| t.to_rfc3339()), s.last_error])?;
    Ok(())
}
