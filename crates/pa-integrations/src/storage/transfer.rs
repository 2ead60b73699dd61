//! Export and import of one person's data as JSON Lines: one record per line,
//! `{"kind": "...", "record": {...}}`, in a fixed order (accounts, activities, daily health,
//! transactions, balances, sync state) so that exporting, importing into an empty store and
//! exporting again gives the same text. Works on any `UserStore`.

use std::io::{BufRead, Write};

use pa_core::finance::{Account, BalanceSnapshot, Transaction};
use pa_core::fitness::{Activity, DailyHealth};
use pa_core::ports::{SyncState, UserStore, WriteBatch, WriteReport};
use pa_core::time::Day;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One line of an export.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // one line at a time; boxing would only add allocations
enum Line {
    Account(Account),
    Activity(Activity),
    DailyHealth(DailyHealth),
    Transaction(Transaction),
    Balance(BalanceSnapshot),
    SyncState(SyncState),
}

/// The sources whose sync state is exported: every source named by an exported record.
fn sources(
    accounts: &[Account],
    activities: &[Activity],
    transactions: &[Transaction],
) -> Vec<String> {
    let mut s: Vec<String> = accounts
        .iter()
        .filter_map(|a| a.external.as_ref())
        .chain(activities.iter().filter_map(|a| a.external.as_ref()))
        .chain(transactions.iter().filter_map(|t| t.external.as_ref()))
        .map(|r| r.source().to_owned())
        .collect();
    s.sort();
    s.dedup();
    s
}

/// Writes all of the person's records as JSON Lines; returns the number of lines.
pub fn export_jsonl<S: UserStore<Error = Error>>(
    store: &S,
    out: &mut impl Write,
    extra_sources: &[&str],
) -> Result<u64> {
    let (first, last) = (Day::from_ymd(1, 1, 1)?, Day::from_ymd(9999, 12, 31)?);
    let accounts = store.accounts()?;
    let activities = store.activities(first, last)?;
    let health = store.daily_health(first, last)?;
    let transactions = store.transactions(first, last)?;
    let histories = store.balance_histories(last)?;
    let mut names = sources(&accounts, &activities, &transactions);
    names.extend(extra_sources.iter().map(|s| (*s).to_owned()));
    names.sort();
    names.dedup();
    let mut n = 0;
    let mut put = |line: Line, out: &mut dyn Write| -> Result<()> {
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n").map_err(|source| Error::Io {
            path: "export".into(),
            source,
        })?;
        n += 1;
        Ok(())
    };
    for a in accounts {
        put(Line::Account(a), out)?;
    }
    for a in activities {
        put(Line::Activity(a), out)?;
    }
    for h in health {
        put(Line::DailyHealth(h), out)?;
    }
    for t in transactions {
        put(Line::Transaction(t), out)?;
    }
    for h in histories {
        for (day, current) in h.points {
            put(
                Line::Balance(BalanceSnapshot::new(h.account.clone(), day, current)),
                out,
            )?;
        }
    }
    for s in names {
        if let Some(state) = store.sync_state(&s)? {
            put(Line::SyncState(state), out)?;
        }
    }
    Ok(n)
}

/// Reads JSON Lines written by [`export_jsonl`] and writes them in one batch: all or nothing. A
/// malformed line is an error naming it.
pub fn import_jsonl<S: UserStore<Error = Error>>(
    store: &S,
    input: impl BufRead,
    source_name: &str,
) -> Result<WriteReport> {
    let mut batch = WriteBatch::default();
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|source| Error::Io {
            path: source_name.into(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(&line)
            .map_err(|e| Error::parse(source_name, Some(i as u64 + 1), e.to_string()))?;
        match parsed {
            Line::Account(a) => batch.accounts.push(a),
            Line::Activity(a) => batch.activities.push(a),
            Line::DailyHealth(h) => batch.health.push(h),
            Line::Transaction(t) => batch.transactions.push(t),
            Line::Balance(b) => batch.balances.push(b),
            Line::SyncState(s) => batch.sync.push(s),
        }
    }
    store.apply(&batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use crate::storage::sqlite::Store;
    use pa_core::finance::AccountType;
    use pa_core::fitness::Sport;
    use pa_core::ids::{AccountId, ActivityId, ExternalRef, TransactionId, UserId};
    use pa_core::money::{Money, parse_currency};
    use pa_core::time::{ZonedInstant, parse_zone};

    fn batch() -> WriteBatch {
        let usd = parse_currency("USD").unwrap();
        let mut account = Account::new(
            AccountId::new("chk").unwrap(),
            "Checking",
            AccountType::Depository,
            usd,
        )
        .with_number("123456789")
        .unwrap();
        account.external = Some(ExternalRef::new("plaid", "acc-1").unwrap());
        let mut t = Transaction::new(
            TransactionId::new("t1").unwrap(),
            account.id.clone(),
            "2026-01-02".parse().unwrap(),
            Money::parse("-4.20", usd).unwrap(),
        );
        t.category = Some("Food/Cafe".parse().unwrap());
        let start = ZonedInstant::new(
            "2026-01-02T07:00:00Z".parse().unwrap(),
            parse_zone("Europe/Paris").unwrap(),
        );
        let mut a = Activity::new(ActivityId::new("a1").unwrap(), Sport::Ride, start, 5400.0);
        a.external = Some(ExternalRef::new("garmin", "99").unwrap());
        a.training_load = Some(77.5);
        WriteBatch {
            accounts: vec![account.clone()],
            activities: vec![a],
            health: vec![DailyHealth::empty("2026-01-02".parse().unwrap())],
            transactions: vec![t],
            balances: vec![BalanceSnapshot::new(
                account.id.clone(),
                "2026-01-02".parse().unwrap(),
                Money::parse("100.00", usd).unwrap(),
            )],
            sync: vec![SyncState {
                source: "plaid".into(),
                cursor: Some("cur".into()),
                last_success: None,
                last_error: None,
            }],
        }
    }

    #[test]
    fn round_trip_is_equal_across_stores() {
        let sqlite = Store::open_in_memory().unwrap();
        let alice = UserId::new("alice").unwrap();
        sqlite.create_user(&alice).unwrap();
        let from = sqlite.user(&alice).unwrap();
        from.apply(&batch()).unwrap();
        let mut first = Vec::new();
        let lines = export_jsonl(&from, &mut first, &[]).unwrap();
        assert_eq!(lines, 6, "{}", String::from_utf8_lossy(&first));
        let memory = MemoryStore::new();
        memory.create_user(&alice);
        let to = memory.user(&alice).unwrap();
        let report = import_jsonl(&to, first.as_slice(), "export.jsonl").unwrap();
        assert_eq!(
            report.added, 5,
            "five records; the sync state is not a record"
        );
        let mut second = Vec::new();
        export_jsonl(&to, &mut second, &[]).unwrap();
        assert_eq!(
            String::from_utf8(first.clone()).unwrap(),
            String::from_utf8(second).unwrap()
        );
        assert!(
            !String::from_utf8(first).unwrap().contains("123456789"),
            "only the mask is exported"
        );
        // Importing again changes nothing.
        assert_eq!(
            import_jsonl(&to, Vec::new().as_slice(), "empty").unwrap(),
            WriteReport::default()
        );
    }

    #[test]
    fn a_bad_line_is_named_and_nothing_is_written() {
        let memory = MemoryStore::new();
        let alice = UserId::new("alice").unwrap();
        memory.create_user(&alice);
        let to = memory.user(&alice).unwrap();
        let text = "{\"kind\":\"account\",\"record\":{}}\n";
        let err = import_jsonl(&to, text.as_bytes(), "x.jsonl").unwrap_err();
        assert!(err.to_string().starts_with("x.jsonl, line 1:"), "{err}");
        assert!(to.accounts().unwrap().is_empty());
    }
}
