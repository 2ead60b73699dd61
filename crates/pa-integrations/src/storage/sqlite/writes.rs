//! Writing the record kinds with columns of their own: activities, daily health, accounts and sync
//! cursors. The upsert decision is pa-core's (`ports::upsert`); this file only looks rows up and
//! writes them.

use pa_core::finance::Account;
use pa_core::fitness::{Activity, DailyHealth, Streams};
use pa_core::ports::upsert::{self, Lookup, Stored};
use pa_core::ports::{RecordKind, SyncState};
use rusqlite::{OptionalExtension, Transaction as SqlTx, params};

use crate::error::Result;
use crate::storage::{Tally, ext_columns, rekey};

/// The stored key and hash `lookup` asks for in `table` (pa-core's upsert rule decides the
/// order: external reference, then key).
pub(super) fn find_row(
    tx: &SqlTx<'_>,
    table: &str,
    user: &str,
    lookup: Lookup<'_>,
) -> Result<Option<Stored>> {
    let row = |r: &rusqlite::Row<'_>| {
        Ok(Stored {
            key: r.get(0)?,
            hash: r.get(1)?,
        })
    };
    Ok(match lookup {
        Lookup::External(e) => tx
            .prepare_cached(&format!(
                "SELECT id, hash FROM {table} WHERE user_id = ?1 AND source = ?2 AND external_id = ?3"
            ))?
            .query_row(params![user, e.source(), e.external_id()], row)
            .optional()?,
        Lookup::Key(k) => tx
            .prepare_cached(&format!(
                "SELECT id, hash FROM {table} WHERE user_id = ?1 AND id = ?2"
            ))?
            .query_row(params![user, k], row)
            .optional()?,
    })
}

/// Writes an activity: its streams packed as bytes in their own column, the rest as JSON; the
/// content hash covers both.
pub(super) fn write_activity(
    tx: &SqlTx<'_>,
    user: &str,
    a: &Activity,
    tally: &mut Tally,
) -> Result<()> {
    a.validate()?;
    let ext = ext_columns(a.external.as_ref());
    let mut packed = None;
    let planned = upsert::plan_with(
        a,
        a.id.as_str(),
        a.external.as_ref(),
        |l| find_row(tx, "activities", user, l),
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
    tx.prepare_cached(
        "INSERT INTO activities (user_id, id, source, external_id, day, start_utc, sport, training_load, body, hash, streams)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (user_id, id) DO UPDATE SET source = excluded.source, external_id = excluded.external_id,
           day = excluded.day, start_utc = excluded.start_utc, sport = excluded.sport,
           training_load = excluded.training_load, body = excluded.body, hash = excluded.hash,
           streams = excluded.streams",
    )?
    .execute(params![user, a.id.as_str(), ext.0, ext.1, a.day().to_string(), a.start.utc.to_rfc3339(), a.sport.as_str(), a.training_load, json, hash, packed])?;
    Ok(())
}

/// Activities from rows of `body, id, streams` (the query's columns, in that order): streams
/// from their column, or from the body of an activity stored before they had one.
pub(super) fn activities_of(
    c: &rusqlite::Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Activity>> {
    let mut stmt = c.prepare_cached(sql)?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut a: Activity = super::decode_body(row, "activity")?;
        if let rusqlite::types::ValueRef::Blob(bytes) = row.get_ref(2)? {
            a.streams =
                Some(
                    Streams::from_bytes(bytes).map_err(|e| crate::error::Error::Corrupt {
                        path: std::path::PathBuf::new(),
                        reason: format!("activity {}: {e}", a.id),
                    })?,
                );
        }
        out.push(a);
    }
    Ok(out)
}

pub(super) fn write_health(
    tx: &SqlTx<'_>,
    user: &str,
    h: &DailyHealth,
    tally: &mut Tally,
) -> Result<()> {
    h.validate()?;
    let day = h.day.to_string();
    // Keyed by its day: there is nothing to re-key.
    let planned = upsert::plan(
        h,
        &day,
        None,
        |_| -> Result<Option<Stored>> {
            Ok(tx
                .prepare_cached(
                    "SELECT day, hash FROM daily_health WHERE user_id = ?1 AND day = ?2",
                )?
                .query_row(params![user, day], |r| {
                    Ok(Stored {
                        key: r.get(0)?,
                        hash: r.get(1)?,
                    })
                })
                .optional()?)
        },
        |h, _| Ok(h.clone()),
    )?;
    let Some((h, json, hash)) = tally.count(RecordKind::DailyHealth, planned) else {
        return Ok(());
    };
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
    let planned = upsert::plan(
        a,
        a.id.as_str(),
        a.external.as_ref(),
        |l| find_row(tx, "accounts", user, l),
        rekey,
    )?;
    let Some((a, json, hash)) = tally.count(RecordKind::Account, planned) else {
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
