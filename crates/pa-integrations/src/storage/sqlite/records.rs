//! The generic record tables (migration 003): one function writes, reads, deletes and prunes every
//! kind, driven by pa-core's [`Record`] rules.

use std::collections::HashMap;

use pa_core::ports::upsert::{self, Lookup, Stored};
use pa_core::ports::{AuditAction, Record, RecordKind, RecordRef, RecordVisitor};
use pa_core::time::Day;
use rusqlite::{Connection, Transaction as SqlTx, params};

use super::find_row;
use crate::error::Result;
use crate::storage::Tally;
use crate::storage::ext_columns;

/// The table holding a kind (pa-core declares the names with the kinds).
pub(super) fn table(kind: RecordKind) -> &'static str {
    kind.table()
}

/// What a batch has written of each kind whose table held nothing of the person's when the
/// batch began. There a record's stored version can only be one written earlier in the same
/// batch, so its lookups are answered from memory instead of by an index seek each (a first
/// import of a calendar export: one seek fewer for each of its 4,770 events).
#[derive(Default)]
pub(super) struct Fresh {
    kinds: HashMap<RecordKind, Option<Written>>,
}

/// Keys and hashes written in this batch, and the key of each external reference.
#[derive(Default)]
struct Written {
    hashes: HashMap<String, String>,
    keys: HashMap<(String, String), String>,
}

impl Written {
    fn find(&self, lookup: Lookup<'_>) -> Option<Stored> {
        let key = match lookup {
            Lookup::Key(k) => k,
            Lookup::External(e) => self
                .keys
                .get(&(e.source().to_owned(), e.external_id().to_owned()))?,
        };
        Some(Stored {
            key: key.to_owned(),
            hash: self.hashes.get(key)?.clone(),
        })
    }
}

impl Fresh {
    /// The batch's own writes of `kind`, when its table held nothing of `user`'s at the start.
    fn of(&mut self, tx: &SqlTx<'_>, user: &str, kind: RecordKind) -> Result<Option<&mut Written>> {
        let written = match self.kinds.entry(kind) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let held: bool = tx
                    .prepare_cached(&format!(
                        "SELECT EXISTS (SELECT 1 FROM {} WHERE user_id = ?1)",
                        table(kind)
                    ))?
                    .query_row(params![user], |row| row.get(0))?;
                v.insert((!held).then(Written::default))
            }
        };
        Ok(written.as_mut())
    }
}

/// Writes one record of a generic kind.
pub(super) struct WriteRecord<'a, 'tx> {
    pub(super) tx: &'a SqlTx<'tx>,
    pub(super) user: &'a str,
    pub(super) tally: &'a mut Tally,
    pub(super) fresh: &'a mut Fresh,
}

impl RecordVisitor for WriteRecord<'_, '_> {
    type Output = Result<()>;

    fn visit<R: Record>(self, r: &R) -> Result<()> {
        let Self {
            tx,
            user,
            tally,
            fresh,
        } = self;
        r.validate()?;
        let t = table(R::KIND);
        upsert::check_parent(r, |kind, parent| -> Result<bool> {
            Ok(tx
                .prepare_cached(&format!(
                    "SELECT EXISTS (SELECT 1 FROM {} WHERE user_id = ?1 AND id = ?2)",
                    table(kind)
                ))?
                .query_row(params![user, parent], |row| row.get(0))?)
        })?;
        let ext = ext_columns(r.external());
        let written = fresh.of(tx, user, R::KIND)?;
        let planned = upsert::plan(
            r,
            &r.key(),
            r.external(),
            |l| match written.as_deref() {
                Some(w) => Ok(w.find(l)),
                None => find_row(tx, t, user, l),
            },
            |r, k| r.with_key(k),
        )?;
        let Some((r, json, hash)) = tally.count(R::KIND, planned) else {
            return Ok(());
        };
        if let Some(w) = written {
            if let Some(e) = r.external() {
                w.keys
                    .insert((e.source().to_owned(), e.external_id().to_owned()), r.key());
            }
            w.hashes.insert(r.key(), hash.clone());
        }
        let span = r.span();
        tx.prepare_cached(&format!(
            "INSERT INTO {t} (user_id, id, source, external_id, day, day_end, parent, body, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (user_id, id) DO UPDATE SET source = excluded.source,
               external_id = excluded.external_id, day = excluded.day, day_end = excluded.day_end,
               parent = excluded.parent, body = excluded.body, hash = excluded.hash"
        ))?
        .execute(params![
            user,
            r.key(),
            ext.0,
            ext.1,
            span.map(|s| s.0.to_string()),
            span.and_then(|s| s.1).map(|d| d.to_string()),
            r.parent(),
            json,
            hash
        ])?;
        Ok(())
    }
}

/// Records of kind `R`: all, or those whose span overlaps `[from, to]`.
pub(super) fn select<R: Record>(
    c: &Connection,
    user: &str,
    span: Option<(Day, Day)>,
) -> Result<Vec<R>> {
    let t = table(R::KIND);
    match span {
        None => super::bodies(
            c,
            R::KIND.as_str(),
            &format!("SELECT body, id FROM {t} WHERE user_id = ?1 ORDER BY day, id"),
            [user],
        ),
        // One-day spans: a range of the day index.
        Some((from, to)) if R::POINT => super::bodies(
            c,
            R::KIND.as_str(),
            &format!(
                "SELECT body, id FROM {t} WHERE user_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day, id"
            ),
            params![user, from.to_string(), to.to_string()],
        ),
        // Two ranges of the `day_end` index (spans ending in the window or later; open-ended
        // ones) instead of a scan of everything before `to`. Without statistics the planner
        // would pick the `day` index or the primary key, hence INDEXED BY.
        Some((from, to)) => super::bodies(
            c,
            R::KIND.as_str(),
            &format!(
                "SELECT body, id FROM (
                   SELECT body, day, id FROM {t} INDEXED BY {t}_day_end
                   WHERE user_id = ?1 AND day_end >= ?2 AND day <= ?3
                   UNION ALL
                   SELECT body, day, id FROM {t} INDEXED BY {t}_day_end
                   WHERE user_id = ?1 AND day_end IS NULL AND day <= ?3
                 ) ORDER BY day, id"
            ),
            params![user, from.to_string(), to.to_string()],
        ),
    }
}

/// The record of kind `R` with `key`.
pub(super) fn select_one<R: Record>(c: &Connection, user: &str, key: &str) -> Result<Option<R>> {
    let found: Vec<R> = super::bodies(
        c,
        R::KIND.as_str(),
        &format!(
            "SELECT body, id FROM {} WHERE user_id = ?1 AND id = ?2",
            table(R::KIND)
        ),
        params![user, key],
    )?;
    Ok(found.into_iter().next())
}

/// The records of kind `R` under `parent`.
pub(super) fn select_children<R: Record>(
    c: &Connection,
    user: &str,
    parent: &str,
) -> Result<Vec<R>> {
    super::bodies(
        c,
        R::KIND.as_str(),
        &format!(
            "SELECT body, id FROM {} WHERE user_id = ?1 AND parent = ?2 ORDER BY day, id",
            table(R::KIND)
        ),
        params![user, parent],
    )
}

/// Deletes one record (its children go by foreign key) and its sync mappings; whether it existed.
pub(super) fn delete(tx: &SqlTx<'_>, user: &str, r: &RecordRef, tally: &mut Tally) -> Result<()> {
    let t = table(r.kind);
    let n = match r.kind {
        RecordKind::DailyHealth => tx.execute(
            "DELETE FROM daily_health WHERE user_id = ?1 AND day = ?2",
            params![user, r.key],
        )?,
        RecordKind::Balance => {
            let (account, day) = upsert::parse_balance_key(&r.key)?;
            usize::from(super::finance::delete_balance(
                tx,
                user,
                account.as_str(),
                day,
            )?)
        }
        _ => tx.execute(
            &format!("DELETE FROM {t} WHERE user_id = ?1 AND id = ?2"),
            params![user, r.key],
        )?,
    };
    if n > 0 {
        tx.execute(
            "DELETE FROM sync_records WHERE user_id = ?1 AND kind = ?2 AND local_key = ?3",
            params![user, r.kind.as_str(), r.key],
        )?;
        tally.change(r.kind, &r.key, AuditAction::Deleted);
    }
    Ok(())
}

/// Deletes records of `kind` whose span ended before `before`; how many.
pub(super) fn prune(tx: &SqlTx<'_>, user: &str, kind: RecordKind, before: Day) -> Result<u64> {
    let before = before.to_string();
    let n = match kind {
        RecordKind::Activity => tx.execute(
            "DELETE FROM activities WHERE user_id = ?1 AND day < ?2",
            params![user, before],
        )?,
        RecordKind::DailyHealth => tx.execute(
            "DELETE FROM daily_health WHERE user_id = ?1 AND day < ?2",
            params![user, before],
        )?,
        RecordKind::Transaction => tx.execute(
            "DELETE FROM transactions WHERE user_id = ?1 AND posted < ?2",
            params![user, before],
        )?,
        // Balances are pruned by `finance::prune_balances`.
        RecordKind::Balance => 0,
        // Accounts have no span: never pruned.
        RecordKind::Account => 0,
        _ => tx.execute(
            &format!(
                "DELETE FROM {} WHERE user_id = ?1 AND day_end < ?2",
                table(kind)
            ),
            params![user, before],
        )?,
    };
    if n > 0 && !matches!(kind, RecordKind::DailyHealth | RecordKind::Balance) {
        // Mappings of pruned records would point at nothing.
        tx.execute(
            &format!(
                "DELETE FROM sync_records WHERE user_id = ?1 AND kind = ?2
                   AND local_key NOT IN (SELECT id FROM {} WHERE user_id = ?1)",
                table(kind)
            ),
            params![user, kind.as_str()],
        )?;
    }
    Ok(n as u64)
}
