//! A batch's records, written in bulk: for each table, the stored rows the batch's records may
//! replace are fetched in one query (by key and by external reference), pa-core's upsert rule runs
//! on them in memory in the batch's order (each decision seeing the ones before it), and the rows
//! to write go in one `INSERT … SELECT FROM unnest(…)` per table. A round trip per table instead
//! of two per record: the demo year (about 20,000 records) went from 4.5 s to the figure in
//! docs/benchmarks.md.

use std::collections::{BTreeMap, HashMap, HashSet};

use pa_core::finance::{Account, BalanceSnapshot, Transaction};
use pa_core::fitness::{Activity, DailyHealth};
use pa_core::ids::ExternalRef;
use pa_core::money::{Currency, parse_currency};
use pa_core::ports::upsert::{self, Lookup, Stored};
use pa_core::ports::{AuditAction, Doc, Record, RecordKind, RecordVisitor};
use rust_decimal::Decimal;

use super::writes::{Table, Tx, table_of};
use super::{date, decimal};
use crate::error::Result;
use crate::storage::{Keyed, Tally, ext_columns, rekey};

/// The stored rows of one table that a batch's records may replace, and what the batch wrote.
#[derive(Default)]
pub(super) struct Index {
    /// Hash by key.
    hashes: HashMap<String, String>,
    /// Key by (source, external id).
    keys: HashMap<(String, String), String>,
}

impl Index {
    /// The rows of `table` with one of `keys` or `externals`.
    async fn load(
        tx: &Tx,
        table: Table,
        user: &str,
        keys: &[&str],
        externals: &[(&str, &str)],
    ) -> Result<Self> {
        let mut index = Self::default();
        if keys.is_empty() && externals.is_empty() {
            return Ok(index);
        }
        let ext_ids: Vec<&str> = externals.iter().map(|e| e.1).collect();
        let (t, kind_clause, kind) = match table {
            Table::Own(t) => (t, "", None),
            Table::Records(k) => ("records", " AND kind = $4", Some(k.as_str())),
        };
        let sql = format!(
            "SELECT id, hash, source, external_id FROM {t}
             WHERE person_id = $1 AND (id = ANY($2) OR external_id = ANY($3)){kind_clause}"
        );
        let stmt = tx.prepare_cached(&sql).await?;
        let rows = match &kind {
            Some(k) => tx.query(&stmt, &[&user, &keys, &ext_ids, k]).await?,
            None => tx.query(&stmt, &[&user, &keys, &ext_ids]).await?,
        };
        let wanted: HashSet<&(&str, &str)> = externals.iter().collect();
        for r in rows {
            let key: String = r.try_get(0)?;
            if let (Some(s), Some(e)) = (
                r.try_get::<_, Option<&str>>(2)?,
                r.try_get::<_, Option<&str>>(3)?,
            ) && wanted.contains(&(s, e))
            {
                index.keys.insert((s.to_owned(), e.to_owned()), key.clone());
            }
            index.hashes.insert(key, r.try_get(1)?);
        }
        Ok(index)
    }

    /// Answers pa-core's lookups.
    fn lookup(&self, l: Lookup<'_>) -> Result<Option<Stored>> {
        let key = match l {
            Lookup::External(e) => {
                match self
                    .keys
                    .get(&(e.source().to_owned(), e.external_id().to_owned()))
                {
                    Some(k) => k.as_str(),
                    None => return Ok(None),
                }
            }
            Lookup::Key(k) => k,
        };
        Ok(self.hashes.get(key).map(|hash| Stored {
            key: key.to_owned(),
            hash: hash.clone(),
        }))
    }

    /// Remembers a row the batch writes, for the records after it.
    fn wrote(&mut self, key: &str, external: Option<&ExternalRef>, hash: &str) {
        if let Some(e) = external {
            self.keys.insert(
                (e.source().to_owned(), e.external_id().to_owned()),
                key.to_owned(),
            );
        }
        self.hashes.insert(key.to_owned(), hash.to_owned());
    }

    fn holds(&self, key: &str) -> bool {
        self.hashes.contains_key(key)
    }
}

/// Keys and (source, external id) references, for [`Index::load`].
type Wanted<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>);

/// The keys and external references of records, for [`Index::load`].
fn wanted<'a, T: Keyed + 'a>(
    records: impl Iterator<Item = &'a T>,
) -> (Vec<&'a str>, Vec<(&'a str, &'a str)>) {
    let mut keys = Vec::new();
    let mut externals = Vec::new();
    for r in records {
        keys.push(r.key());
        if let Some(e) = r.external() {
            externals.push((e.source(), e.external_id()));
        }
    }
    (keys, externals)
}

/// Plans `records` of a kind stored by pa's id: the rows to write, by key (the last wins).
async fn plan_keyed<'a, T: Keyed + 'a>(
    tx: &Tx,
    user: &str,
    (table, kind): (&'static str, RecordKind),
    records: &'a [T],
    tally: &mut Tally,
    mut check: impl FnMut(&T) -> Result<()>,
    mut encode: impl FnMut(&T) -> pa_core::Result<(String, upsert::ContentHash, Option<Vec<u8>>)>,
) -> Result<BTreeMap<String, (T, String, String, Option<Vec<u8>>)>> {
    for r in records {
        check(r)?;
    }
    let (keys, externals) = wanted(records.iter());
    let mut index = Index::load(tx, Table::Own(table), user, &keys, &externals).await?;
    let mut rows = BTreeMap::new();
    for r in records {
        let mut extra = None;
        let planned = upsert::plan_with(
            r,
            r.key(),
            r.external(),
            |l| index.lookup(l),
            rekey,
            |r| {
                let (json, hash, more) = encode(r)?;
                extra = more;
                Ok((json, hash))
            },
        )?;
        if let Some((r, json, hash)) = tally.count(kind, planned) {
            index.wrote(r.key(), r.external(), &hash);
            rows.insert(r.key().to_owned(), (r, json, hash, extra));
        }
    }
    Ok(rows)
}

/// The (source, external id) columns of rows.
fn ext_arrays<'a>(
    refs: impl Iterator<Item = Option<&'a ExternalRef>>,
) -> (Vec<Option<&'a str>>, Vec<Option<&'a str>>) {
    refs.map(ext_columns).unzip()
}

pub(super) async fn activities(
    tx: &Tx,
    user: &str,
    activities: &[Activity],
    tally: &mut Tally,
) -> Result<()> {
    let rows = plan_keyed(
        tx,
        user,
        ("activities", RecordKind::Activity),
        activities,
        tally,
        |a| Ok(a.validate()?),
        crate::storage::activity_form,
    )
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = rows.into_values().collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.0.id.as_str()).collect();
    let (sources, external_ids) = ext_arrays(rows.iter().map(|r| r.0.external.as_ref()));
    let days: Vec<_> = rows.iter().map(|r| date(r.0.day())).collect();
    let starts: Vec<_> = rows.iter().map(|r| r.0.start.utc).collect();
    let sports: Vec<&str> = rows.iter().map(|r| r.0.sport.as_str()).collect();
    let loads: Vec<Option<f64>> = rows.iter().map(|r| r.0.training_load).collect();
    let bodies: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let hashes: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    let streams: Vec<Option<&[u8]>> = rows.iter().map(|r| r.3.as_deref()).collect();
    let stmt = tx
        .prepare_cached(
            "INSERT INTO activities (person_id, id, source, external_id, day, start_utc, sport, training_load, body, hash, streams)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::date[], $6::timestamptz[],
                                      $7::text[], $8::float8[], $9::text[], $10::text[], $11::bytea[])
             ON CONFLICT (person_id, id) DO UPDATE SET source = excluded.source, external_id = excluded.external_id,
               day = excluded.day, start_utc = excluded.start_utc, sport = excluded.sport,
               training_load = excluded.training_load, body = excluded.body, hash = excluded.hash,
               streams = excluded.streams",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &user,
            &ids,
            &sources,
            &external_ids,
            &days,
            &starts,
            &sports,
            &loads,
            &bodies,
            &hashes,
            &streams,
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn accounts(
    tx: &Tx,
    user: &str,
    accounts: &[Account],
    tally: &mut Tally,
) -> Result<()> {
    let rows = plan_keyed(
        tx,
        user,
        ("accounts", RecordKind::Account),
        accounts,
        tally,
        |a| Ok(a.validate()?),
        |a| {
            let (json, hash) = upsert::encode(a)?;
            Ok((json, hash, None))
        },
    )
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = rows.into_values().collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.0.id.as_str()).collect();
    let (sources, external_ids) = ext_arrays(rows.iter().map(|r| r.0.external.as_ref()));
    let kinds: Vec<&str> = rows.iter().map(|r| r.0.kind.as_str()).collect();
    let currencies: Vec<&str> = rows.iter().map(|r| r.0.currency.code()).collect();
    let bodies: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let hashes: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    tx.execute(
        "INSERT INTO accounts (person_id, id, source, external_id, kind, currency, body, hash)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         ON CONFLICT (person_id, id) DO UPDATE SET source = excluded.source, external_id = excluded.external_id,
           kind = excluded.kind, currency = excluded.currency, body = excluded.body, hash = excluded.hash",
        &[&user, &ids, &sources, &external_ids, &kinds, &currencies, &bodies, &hashes],
    )
    .await?;
    Ok(())
}

/// The currencies of the accounts a batch's transactions and balances name (`None`: unknown).
pub(super) async fn currencies<'a>(
    tx: &Tx,
    user: &str,
    accounts: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, Option<Currency>>> {
    let mut wanted: Vec<&str> = accounts.collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut out: HashMap<String, Option<Currency>> =
        wanted.iter().map(|a| ((*a).to_owned(), None)).collect();
    if wanted.is_empty() {
        return Ok(out);
    }
    for r in tx
        .query(
            "SELECT id, currency FROM accounts WHERE person_id = $1 AND id = ANY($2)",
            &[&user, &wanted],
        )
        .await?
    {
        out.insert(r.try_get(0)?, Some(parse_currency(r.try_get(1)?)?));
    }
    Ok(out)
}

pub(super) async fn transactions(
    tx: &Tx,
    user: &str,
    transactions: &[Transaction],
    currencies: &HashMap<String, Option<Currency>>,
    tally: &mut Tally,
) -> Result<()> {
    let rows = plan_keyed(
        tx,
        user,
        ("transactions", RecordKind::Transaction),
        transactions,
        tally,
        |t| {
            Ok(upsert::check_transaction(
                t,
                currencies.get(t.account.as_str()).copied().flatten(),
            )?)
        },
        |t| {
            let (json, hash) = upsert::encode(t)?;
            Ok((json, hash, None))
        },
    )
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = rows.into_values().collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.0.id.as_str()).collect();
    let accounts: Vec<&str> = rows.iter().map(|r| r.0.account.as_str()).collect();
    let (sources, external_ids) = ext_arrays(rows.iter().map(|r| r.0.external.as_ref()));
    let posted: Vec<_> = rows.iter().map(|r| date(r.0.posted)).collect();
    let amounts: Vec<String> = rows
        .iter()
        .map(|r| r.0.amount.amount().to_string())
        .collect();
    let currencies: Vec<&str> = rows.iter().map(|r| r.0.amount.currency().code()).collect();
    let bodies: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let hashes: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    let stmt = tx
        .prepare_cached(
            "INSERT INTO transactions (person_id, id, account_id, source, external_id, posted, amount, currency, body, hash)
             SELECT $1, id, account_id, source, external_id, posted, amount::numeric, currency, body, hash
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::text[], $8::text[], $9::text[], $10::text[])
               AS t(id, account_id, source, external_id, posted, amount, currency, body, hash)
             ON CONFLICT (person_id, id) DO UPDATE SET account_id = excluded.account_id, source = excluded.source,
               external_id = excluded.external_id, posted = excluded.posted, amount = excluded.amount,
               currency = excluded.currency, body = excluded.body, hash = excluded.hash",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &user,
            &ids,
            &accounts,
            &sources,
            &external_ids,
            &posted,
            &amounts,
            &currencies,
            &bodies,
            &hashes,
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn health(
    tx: &Tx,
    user: &str,
    health: &[DailyHealth],
    tally: &mut Tally,
) -> Result<()> {
    if health.is_empty() {
        return Ok(());
    }
    for h in health {
        h.validate()?;
    }
    let days: Vec<_> = health.iter().map(|h| date(h.day)).collect();
    let mut index = Index::default();
    for r in tx
        .query(
            "SELECT day::text, hash FROM daily_health WHERE person_id = $1 AND day = ANY($2)",
            &[&user, &days],
        )
        .await?
    {
        index.hashes.insert(r.try_get(0)?, r.try_get(1)?);
    }
    let mut rows: BTreeMap<String, (DailyHealth, String, String)> = BTreeMap::new();
    for h in health {
        let day = h.day.to_string();
        // Keyed by its day: there is nothing to re-key.
        let planned = upsert::plan(h, &day, None, |l| index.lookup(l), |h, _| Ok(h.clone()))?;
        if let Some((h, json, hash)) = tally.count(RecordKind::DailyHealth, planned) {
            index.wrote(&day, None, &hash);
            rows.insert(day, (h, json, hash));
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    let days: Vec<_> = rows.values().map(|r| date(r.0.day)).collect();
    let bodies: Vec<&str> = rows.values().map(|r| r.1.as_str()).collect();
    let hashes: Vec<&str> = rows.values().map(|r| r.2.as_str()).collect();
    tx.execute(
        "INSERT INTO daily_health (person_id, day, body, hash)
         SELECT $1, * FROM unnest($2::date[], $3::text[], $4::text[])
         ON CONFLICT (person_id, day) DO UPDATE SET body = excluded.body, hash = excluded.hash",
        &[&user, &days, &bodies, &hashes],
    )
    .await?;
    Ok(())
}

/// A balance's amounts, compared to tell a change.
type Point = (Decimal, Option<Decimal>, Option<Decimal>);

fn point(b: &BalanceSnapshot) -> Point {
    (
        b.current.amount(),
        b.available.map(|m| m.amount()),
        b.limit.map(|m| m.amount()),
    )
}

pub(super) async fn balances(
    tx: &Tx,
    user: &str,
    balances: &[BalanceSnapshot],
    currencies: &HashMap<String, Option<Currency>>,
    tally: &mut Tally,
) -> Result<()> {
    if balances.is_empty() {
        return Ok(());
    }
    for b in balances {
        upsert::check_balance(b, currencies.get(b.account.as_str()).copied().flatten())?;
    }
    let accounts: Vec<&str> = balances.iter().map(|b| b.account.as_str()).collect();
    let days: Vec<_> = balances.iter().map(|b| date(b.day)).collect();
    let mut stored: HashMap<(String, chrono::NaiveDate), Point> = HashMap::new();
    for r in tx
        .query(
            "SELECT b.account_id, b.day, b.current::text, b.available::text, b.credit_limit::text
             FROM balances b JOIN unnest($2::text[], $3::date[]) AS k(account_id, day)
               ON b.account_id = k.account_id AND b.day = k.day
             WHERE b.person_id = $1",
            &[&user, &accounts, &days],
        )
        .await?
    {
        let opt = |i: usize| -> Result<Option<Decimal>> {
            r.try_get::<_, Option<&str>>(i)?.map(decimal).transpose()
        };
        stored.insert(
            (r.try_get(0)?, r.try_get(1)?),
            (decimal(r.try_get(2)?)?, opt(3)?, opt(4)?),
        );
    }
    let mut rows: BTreeMap<(String, chrono::NaiveDate), &BalanceSnapshot> = BTreeMap::new();
    for b in balances {
        let at = (b.account.as_str().to_owned(), date(b.day));
        let key = upsert::balance_key(&b.account, b.day);
        let new = point(b);
        match stored.insert(at.clone(), new) {
            Some(old) if old == new => {
                tally.report.unchanged += 1;
                continue;
            }
            Some(_) => tally.change(RecordKind::Balance, &key, AuditAction::Updated),
            None => tally.change(RecordKind::Balance, &key, AuditAction::Added),
        }
        rows.insert(at, b);
    }
    if rows.is_empty() {
        return Ok(());
    }
    let text = |d: Option<Decimal>| d.map(|d| d.to_string());
    let accounts: Vec<&str> = rows.keys().map(|k| k.0.as_str()).collect();
    let days: Vec<_> = rows.keys().map(|k| k.1).collect();
    let currencies: Vec<&str> = rows.values().map(|b| b.current.currency().code()).collect();
    let current: Vec<String> = rows
        .values()
        .map(|b| b.current.amount().to_string())
        .collect();
    let available: Vec<Option<String>> = rows.values().map(|b| text(point(b).1)).collect();
    let limit: Vec<Option<String>> = rows.values().map(|b| text(point(b).2)).collect();
    tx.execute(
        "INSERT INTO balances (person_id, account_id, day, currency, current, available, credit_limit)
         SELECT $1, account_id, day, currency, current::numeric, available::numeric, credit_limit::numeric
         FROM unnest($2::text[], $3::date[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS t(account_id, day, currency, current, available, credit_limit)
         ON CONFLICT (person_id, account_id, day) DO UPDATE SET currency = excluded.currency,
           current = excluded.current, available = excluded.available, credit_limit = excluded.credit_limit",
        &[&user, &accounts, &days, &currencies, &current, &available, &limit],
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

/// A record planned by pa-core's rule against its kind's index: the row to write, if any.
struct Planned<'a> {
    index: &'a Index,
    parent_exists: bool,
    tally: &'a mut Tally,
}

/// The columns of a record to write.
struct DocRow {
    external: Option<ExternalRef>,
    span: pa_core::ports::Span,
    parent: Option<String>,
    json: String,
    hash: String,
}

impl RecordVisitor for Planned<'_> {
    type Output = Result<Option<(String, DocRow)>>;

    fn visit<R: Record>(self, r: &R) -> Result<Option<(String, DocRow)>> {
        let Self {
            index,
            parent_exists,
            tally,
        } = self;
        upsert::check_parent(r, |_, _| Ok::<_, crate::error::Error>(parent_exists))?;
        let planned = upsert::plan(
            r,
            &r.key(),
            r.external(),
            |l| index.lookup(l),
            |r, k| r.with_key(k),
        )?;
        Ok(tally.count(R::KIND, planned).map(|(r, json, hash)| {
            (
                r.key(),
                DocRow {
                    external: r.external().cloned(),
                    span: r.span(),
                    parent: r.parent(),
                    json,
                    hash,
                },
            )
        }))
    }
}

/// Writes records of the generic kinds, in the batch's write order.
pub(super) async fn docs(tx: &Tx, user: &str, docs: &[&Doc], tally: &mut Tally) -> Result<()> {
    if docs.is_empty() {
        return Ok(());
    }
    let probes: Vec<Probe> = docs
        .iter()
        .map(|d| d.visit(Probing))
        .collect::<Result<_>>()?;
    // One index per kind, and the stored parents the records name.
    let mut indexes: HashMap<RecordKind, Index> = HashMap::new();
    let mut by_kind: BTreeMap<RecordKind, Wanted<'_>> = BTreeMap::new();
    let mut parents: BTreeMap<RecordKind, Vec<&str>> = BTreeMap::new();
    for p in &probes {
        let (keys, externals) = by_kind.entry(p.kind).or_default();
        keys.push(&p.key);
        if let Some(e) = &p.external {
            externals.push((e.source(), e.external_id()));
        }
        if let Some((kind, key)) = &p.parent {
            parents.entry(*kind).or_default().push(key);
        }
    }
    for (kind, (keys, externals)) in &by_kind {
        indexes.insert(
            *kind,
            Index::load(tx, Table::Records(*kind), user, keys, externals).await?,
        );
    }
    let mut stored_parents: HashSet<(RecordKind, String)> = HashSet::new();
    for (kind, keys) in parents {
        let rows = match table_of(kind) {
            Table::Own(t) => {
                tx.query(
                    &format!("SELECT id FROM {t} WHERE person_id = $1 AND id = ANY($2)"),
                    &[&user, &keys],
                )
                .await?
            }
            Table::Records(k) => {
                tx.query(
                    "SELECT id FROM records WHERE person_id = $1 AND kind = $2 AND id = ANY($3)",
                    &[&user, &k.as_str(), &keys],
                )
                .await?
            }
        };
        for r in rows {
            stored_parents.insert((kind, r.try_get(0)?));
        }
    }
    let mut rows: BTreeMap<(RecordKind, String), DocRow> = BTreeMap::new();
    for (d, probe) in docs.iter().zip(&probes) {
        let parent_exists = match &probe.parent {
            Some((kind, key)) => {
                stored_parents.contains(&(*kind, key.clone()))
                    || indexes.get(kind).is_some_and(|i| i.holds(key))
            }
            None => true,
        };
        let index = indexes.entry(probe.kind).or_default();
        let Some((key, row)) = d.visit(Planned {
            index,
            parent_exists,
            tally,
        })?
        else {
            continue;
        };
        index.wrote(&key, row.external.as_ref(), &row.hash);
        rows.insert((probe.kind, key), row);
    }
    if rows.is_empty() {
        return Ok(());
    }
    let kinds: Vec<&str> = rows.keys().map(|k| k.0.as_str()).collect();
    let ids: Vec<&str> = rows.keys().map(|k| k.1.as_str()).collect();
    let (sources, external_ids) = ext_arrays(rows.values().map(|r| r.external.as_ref()));
    let days: Vec<_> = rows.values().map(|r| r.span.map(|s| date(s.0))).collect();
    let ends: Vec<_> = rows
        .values()
        .map(|r| r.span.and_then(|s| s.1).map(date))
        .collect();
    let parents: Vec<Option<&str>> = rows.values().map(|r| r.parent.as_deref()).collect();
    let bodies: Vec<&str> = rows.values().map(|r| r.json.as_str()).collect();
    let hashes: Vec<&str> = rows.values().map(|r| r.hash.as_str()).collect();
    let stmt = tx
        .prepare_cached(
            "INSERT INTO records (person_id, kind, id, source, external_id, day, day_end, parent, body, hash)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::date[],
                                      $8::text[], $9::text[], $10::text[])
             ON CONFLICT (person_id, kind, id) DO UPDATE SET source = excluded.source,
               external_id = excluded.external_id, day = excluded.day, day_end = excluded.day_end,
               parent = excluded.parent, body = excluded.body, hash = excluded.hash",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &user,
            &kinds,
            &ids,
            &sources,
            &external_ids,
            &days,
            &ends,
            &parents,
            &bodies,
            &hashes,
        ],
    )
    .await?;
    Ok(())
}
