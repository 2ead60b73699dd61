//! One conformance suite for every store (the matrix-rust-sdk pattern): each case is a generic
//! function over `UserStore`, run by [`storage_conformance_tests!`](crate::storage_conformance_tests)
//! for the memory store, SQLite in memory and SQLite in a file, and for any other crate's adapter
//! (build pa-integrations with the `testing` feature, implement [`Backend`], invoke the macro in
//! a test module). Cases panic on a broken rule, as tests do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use pa_core::finance::networth::{net_worth, net_worth_of_histories};
use pa_core::finance::{Account, AccountType, BalanceSnapshot, Transaction};
use pa_core::fitness::pmc::{DailyLoads, PmcOptions, compute};
use pa_core::fitness::{Activity, DailyHealth, LatLon, Sleep, Sport, Streams};
#[cfg(test)]
use pa_core::ids::UserId;
use pa_core::ids::{AccountId, ActivityId, ExternalRef, TransactionId};
use pa_core::money::{Money, parse_currency};
use pa_core::ports::{SyncState, UserStore, WriteBatch, WriteReport};
use pa_core::time::{Day, ZonedInstant, parse_zone};

use crate::error::Error;

pub mod records;

/// A backend under test: two people's handles on one store.
pub trait Backend {
    /// One person's view of the store.
    type Handle: UserStore<Error = Error>;
    /// Two new people, "alice" and "bob", on one empty store.
    fn two_users(&self) -> (Self::Handle, Self::Handle);
}

fn day(s: &str) -> Day {
    s.parse().unwrap()
}

fn activity(id: &str, ext: Option<&str>, utc: &str, load: f64) -> Activity {
    let start = ZonedInstant::new(
        utc.parse::<DateTime<Utc>>().unwrap(),
        parse_zone("Europe/Berlin").unwrap(),
    );
    let mut a = Activity::new(ActivityId::new(id).unwrap(), Sport::Run, start, 3600.0);
    a.external = ext.map(|e| ExternalRef::new("garmin", e).unwrap());
    a.training_load = Some(load);
    a
}

fn usd(amount: &str) -> Money {
    Money::parse(amount, parse_currency("USD").unwrap()).unwrap()
}

fn account(id: &str) -> Account {
    Account::new(
        AccountId::new(id).unwrap(),
        id,
        AccountType::Depository,
        parse_currency("USD").unwrap(),
    )
}

fn transaction(id: &str, acct: &str, d: &str, amount: &str) -> Transaction {
    let mut t = Transaction::new(
        TransactionId::new(id).unwrap(),
        AccountId::new(acct).unwrap(),
        day(d),
        usd(amount),
    );
    t.external = Some(ExternalRef::new("plaid", id).unwrap());
    t
}

pub(crate) fn sample_batch() -> WriteBatch {
    let mut h = DailyHealth::empty(day("2026-03-02"));
    h.sleep = Some(Sleep {
        total_s: 25_000.0,
        ..Sleep::default()
    });
    WriteBatch {
        activities: vec![
            activity("a1", Some("g1"), "2026-03-01T23:30:00Z", 80.0),
            activity("a2", None, "2026-03-03T06:00:00Z", 40.0),
        ],
        health: vec![h],
        accounts: vec![account("chk"), account("sav")],
        transactions: vec![
            transaction("t1", "chk", "2026-03-02", "-12.50"),
            transaction("t2", "sav", "2026-03-04", "100.00"),
        ],
        balances: vec![
            BalanceSnapshot::new(
                AccountId::new("chk").unwrap(),
                day("2026-03-01"),
                usd("500.00"),
            ),
            BalanceSnapshot::new(
                AccountId::new("sav").unwrap(),
                day("2026-03-01"),
                usd("1000.00"),
            ),
            BalanceSnapshot::new(
                AccountId::new("chk").unwrap(),
                day("2026-03-03"),
                usd("487.50"),
            ),
        ],
        sync: vec![SyncState {
            source: "garmin".into(),
            cursor: Some("c-42".into()),
            last_success: None,
            last_error: None,
        }],
        ..WriteBatch::default()
    }
}

/// Writing the same batch twice changes nothing; a changed record is updated, matched by its
/// external ref.
pub fn upserts_are_idempotent(b: &impl Backend) {
    let (alice, _) = b.two_users();
    let batch = sample_batch();
    let first = alice.apply(&batch).unwrap();
    assert_eq!(
        first,
        WriteReport {
            added: 10,
            updated: 0,
            unchanged: 0,
            deleted: 0
        }
    );
    let again = alice.apply(&batch).unwrap();
    assert_eq!(
        again,
        WriteReport {
            added: 0,
            updated: 0,
            unchanged: 10,
            deleted: 0
        }
    );
    // The same Garmin activity under another pa id is the same record.
    let renamed = WriteBatch {
        activities: vec![activity(
            "other-id",
            Some("g1"),
            "2026-03-01T23:30:00Z",
            80.0,
        )],
        ..WriteBatch::default()
    };
    assert_eq!(
        alice.apply(&renamed).unwrap(),
        WriteReport {
            added: 0,
            updated: 0,
            unchanged: 1,
            deleted: 0
        }
    );
    let changed = WriteBatch {
        activities: vec![activity(
            "other-id",
            Some("g1"),
            "2026-03-01T23:30:00Z",
            95.0,
        )],
        ..WriteBatch::default()
    };
    assert_eq!(
        alice.apply(&changed).unwrap(),
        WriteReport {
            added: 0,
            updated: 1,
            unchanged: 0,
            deleted: 0
        }
    );
    let all = alice
        .activities(day("2026-01-01"), day("2026-12-31"))
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id.as_str(), "a1", "the stored id is kept");
    assert_eq!(all[0].training_load, Some(95.0));
}

/// An activity's streams come back bit for bit, an identical rewrite is unchanged, and a change
/// in one sample alone is an update.
pub fn streams_round_trip_and_count_in_changes(b: &impl Backend) {
    let (alice, _) = b.two_users();
    let mut a = activity("s1", Some("g9"), "2026-03-05T07:00:00Z", 50.0);
    a.streams = Some(Streams {
        time_s: vec![0.0, 1.0, 2.0, 3.0],
        heart_rate: Some(vec![Some(120.0), None, Some(0.1 + 0.2), Some(-0.0)]),
        power: Some(vec![
            Some(f64::MIN_POSITIVE),
            Some(250.5),
            None,
            Some(1e300),
        ]),
        position: Some(vec![
            Some(LatLon {
                lat: 52.5,
                lon: 13.4,
            }),
            None,
            None,
            Some(LatLon {
                lat: -90.0,
                lon: 180.0,
            }),
        ]),
        ..Streams::default()
    });
    let write = |a: &Activity| {
        alice
            .apply(&WriteBatch {
                activities: vec![a.clone()],
                ..WriteBatch::default()
            })
            .unwrap()
    };
    let report = |added, updated, unchanged| WriteReport {
        added,
        updated,
        unchanged,
        deleted: 0,
    };
    assert_eq!(write(&a), report(1, 0, 0));
    let back = alice.activity(&a.id).unwrap().unwrap();
    assert_eq!(back, a);
    // Debug shows each float to its last bit (and -0.0 apart from 0.0).
    assert_eq!(format!("{:?}", back.streams), format!("{:?}", a.streams));
    assert_eq!(
        alice
            .activities(day("2026-03-05"), day("2026-03-05"))
            .unwrap(),
        vec![a.clone()]
    );
    assert_eq!(write(&a), report(0, 0, 1));
    if let Some(s) = a.streams.as_mut()
        && let Some(hr) = s.heart_rate.as_mut()
    {
        hr[3] = Some(0.0);
    }
    assert_eq!(
        write(&a),
        report(0, 1, 0),
        "-0.0 → 0.0 in one sample is a change"
    );
    a.streams = None;
    assert_eq!(write(&a), report(0, 1, 0));
    assert_eq!(alice.activity(&a.id).unwrap().unwrap().streams, None);
}

/// What the store returns feeds pa-core's calculations to the same results as the records
/// written.
pub fn queries_feed_the_calculations(b: &impl Backend) {
    let (alice, _) = b.two_users();
    let batch = sample_batch();
    alice.apply(&batch).unwrap();
    // 23:30 UTC on 03-01 is 00:30 on 03-02 in Berlin: the activity counts on 03-02.
    let week = alice
        .activities(day("2026-03-02"), day("2026-03-08"))
        .unwrap();
    assert_eq!(
        week.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["a1", "a2"]
    );
    let loads = alice
        .daily_loads(day("2026-03-01"), day("2026-03-31"))
        .unwrap();
    assert_eq!(
        loads,
        vec![(day("2026-03-02"), 80.0), (day("2026-03-03"), 40.0)]
    );
    let pmc = compute(
        &DailyLoads::from_entries(loads).unwrap(),
        &PmcOptions::default(),
    )
    .unwrap();
    assert_eq!(pmc.len(), 2);
    assert_eq!(
        alice
            .daily_health(day("2026-03-01"), day("2026-03-02"))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(alice.accounts().unwrap().len(), 2);
    let tx = alice
        .transactions(day("2026-03-03"), day("2026-03-31"))
        .unwrap();
    assert_eq!(tx.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["t2"]);
    let accounts = alice.accounts().unwrap();
    let histories = alice
        .balance_histories(day("2026-03-01"), day("2026-03-05"))
        .unwrap();
    let from_store = net_worth_of_histories(
        &accounts,
        &histories,
        day("2026-03-01"),
        day("2026-03-05"),
        None,
    )
    .unwrap();
    let direct = net_worth(
        &batch.accounts,
        &batch.balances,
        day("2026-03-01"),
        day("2026-03-05"),
    )
    .unwrap();
    assert_eq!(from_store, direct);
    assert_eq!(
        alice
            .sync_state("garmin")
            .unwrap()
            .unwrap()
            .cursor
            .as_deref(),
        Some("c-42")
    );
    assert_eq!(alice.sync_state("plaid").unwrap(), None);
}

/// A batch with one bad record writes nothing.
pub fn a_bad_record_writes_nothing(b: &impl Backend) {
    let (alice, _) = b.two_users();
    alice
        .apply(&WriteBatch {
            accounts: vec![account("chk"), account("sav")],
            ..WriteBatch::default()
        })
        .unwrap();
    let mut batch = sample_batch();
    batch.accounts.clear();
    batch
        .transactions
        .push(transaction("t9", "ghost", "2026-03-05", "-1.00"));
    batch.sync[0].cursor = Some("c-99".into());
    let err = alice.apply(&batch).unwrap_err();
    assert!(
        err.to_string().contains("transaction t9")
            && err.to_string().contains("account ghost is unknown"),
        "{err}"
    );
    assert!(
        alice
            .activities(day("2026-01-01"), day("2026-12-31"))
            .unwrap()
            .is_empty(),
        "no activity written"
    );
    assert_eq!(
        alice.sync_state("garmin").unwrap(),
        None,
        "the cursor did not move"
    );
    let mut eur = transaction("t8", "chk", "2026-03-05", "-1.00");
    eur.amount = Money::parse("-1.00", parse_currency("EUR").unwrap()).unwrap();
    let err = alice
        .apply(&WriteBatch {
            transactions: vec![eur],
            ..WriteBatch::default()
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("is in EUR but account chk is in USD"),
        "{err}"
    );
    let mut bad = activity("bad", None, "2026-03-01T10:00:00Z", 1.0);
    bad.moving_s = Some(1e9);
    assert!(
        alice
            .apply(&WriteBatch {
                activities: vec![bad],
                ..WriteBatch::default()
            })
            .is_err()
    );
}

/// One person's handle never sees or changes another's data.
pub fn people_are_isolated(b: &impl Backend) {
    let (alice, bob) = b.two_users();
    alice.apply(&sample_batch()).unwrap();
    let span = (day("2000-01-01"), day("2100-01-01"));
    assert!(bob.activities(span.0, span.1).unwrap().is_empty());
    assert!(bob.accounts().unwrap().is_empty());
    assert!(bob.transactions(span.0, span.1).unwrap().is_empty());
    assert!(bob.balance_histories(span.0, span.1).unwrap().is_empty());
    assert!(bob.daily_health(span.0, span.1).unwrap().is_empty());
    assert_eq!(bob.sync_state("garmin").unwrap(), None);
    // Bob cannot write to Alice's accounts, even naming them: they are unknown to him.
    let err = bob
        .apply(&WriteBatch {
            transactions: vec![transaction("t1", "chk", "2026-03-02", "-999.00")],
            ..WriteBatch::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("account chk is unknown"));
    // The same external ids in Bob's data are Bob's records.
    assert_eq!(bob.apply(&sample_batch()).unwrap().added, 10);
    bob.apply(&WriteBatch {
        activities: vec![activity("a1", Some("g1"), "2026-03-01T23:30:00Z", 1.0)],
        ..WriteBatch::default()
    })
    .unwrap();
    let alices = alice.activities(span.0, span.1).unwrap();
    assert_eq!(
        alices
            .iter()
            .find(|a| a.id.as_str() == "a1")
            .unwrap()
            .training_load,
        Some(80.0)
    );
    // Read by id: each sees their own.
    let a1 = pa_core::ids::ActivityId::new("a1").unwrap();
    assert_eq!(
        alice.activity(&a1).unwrap().unwrap().training_load,
        Some(80.0)
    );
    assert_eq!(bob.activity(&a1).unwrap().unwrap().training_load, Some(1.0));
    let none = pa_core::ids::ActivityId::new("zz").unwrap();
    assert_eq!(alice.activity(&none).unwrap(), None);
}

/// Runs every conformance case as a `#[test]` in a module `$name`, on the backend `$backend` (an
/// expression giving a fresh [`Backend`] for each case).
#[macro_export]
macro_rules! storage_conformance_tests {
    ($name:ident, $backend:expr) => {
        mod $name {
            // The caller's backend types, by the names it uses.
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn upserts_are_idempotent() {
                $crate::storage::conformance::upserts_are_idempotent(&$backend);
            }

            #[test]
            fn streams_round_trip_and_count_in_changes() {
                $crate::storage::conformance::streams_round_trip_and_count_in_changes(&$backend);
            }

            #[test]
            fn queries_feed_the_calculations() {
                $crate::storage::conformance::queries_feed_the_calculations(&$backend);
            }

            #[test]
            fn a_bad_record_writes_nothing() {
                $crate::storage::conformance::a_bad_record_writes_nothing(&$backend);
            }

            #[test]
            fn people_are_isolated() {
                $crate::storage::conformance::people_are_isolated(&$backend);
            }

            #[test]
            fn every_kind_round_trips() {
                $crate::storage::conformance::records::every_kind_round_trips(&$backend);
            }

            #[test]
            fn deletes_and_prunes_stay_with_their_person() {
                $crate::storage::conformance::records::deletes_and_prunes_stay_with_their_person(
                    &$backend,
                );
            }

            #[test]
            fn spans_select_what_overlaps() {
                $crate::storage::conformance::records::spans_select_what_overlaps(&$backend);
            }

            #[test]
            fn parents_are_checked_and_deletes_cascade() {
                $crate::storage::conformance::records::parents_are_checked_and_deletes_cascade(
                    &$backend,
                );
            }

            #[test]
            fn external_refs_keep_one_identity() {
                $crate::storage::conformance::records::external_refs_keep_one_identity(&$backend);
            }

            #[test]
            fn logs_settings_and_audit() {
                $crate::storage::conformance::records::logs_settings_and_audit(&$backend);
            }

            #[test]
            fn prune_removes_only_what_ended_before() {
                $crate::storage::conformance::records::prune_removes_only_what_ended_before(
                    &$backend,
                );
            }

            #[test]
            fn repeats_in_a_batch_meet_an_empty_table_as_a_full_one() {
                $crate::storage::conformance::records::repeats_in_a_batch_meet_an_empty_table_as_a_full_one(
                    &$backend,
                );
            }

            #[test]
            fn repositories_agree_with_the_pure_functions() {
                $crate::storage::conformance::records::repositories_agree_with_the_pure_functions(
                    &$backend,
                );
            }
        }
    };
}

#[cfg(test)]
struct Memory(crate::storage::memory::MemoryStore);

#[cfg(test)]
impl Backend for Memory {
    type Handle = crate::storage::memory::MemoryUser;
    fn two_users(&self) -> (Self::Handle, Self::Handle) {
        let (a, b) = (UserId::new("alice").unwrap(), UserId::new("bob").unwrap());
        self.0.create_user(&a);
        self.0.create_user(&b);
        (self.0.user(&a).unwrap(), self.0.user(&b).unwrap())
    }
}

/// The store, and the directory that must outlive it for a file store.
#[cfg(test)]
struct Sqlite(
    crate::storage::sqlite::Store,
    #[allow(dead_code)] Option<tempfile::TempDir>,
);

#[cfg(test)]
impl Backend for Sqlite {
    type Handle = crate::storage::sqlite::UserHandle;
    fn two_users(&self) -> (Self::Handle, Self::Handle) {
        let (a, b) = (UserId::new("alice").unwrap(), UserId::new("bob").unwrap());
        self.0.create_user(&a).unwrap();
        self.0.create_user(&b).unwrap();
        (self.0.user(&a).unwrap(), self.0.user(&b).unwrap())
    }
}

#[cfg(test)]
fn sqlite_file() -> Sqlite {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::storage::sqlite::Store::open(&dir.path().join("pa.db")).unwrap();
    Sqlite(store, Some(dir))
}

#[cfg(test)]
storage_conformance_tests!(memory, Memory(crate::storage::memory::MemoryStore::new()));
#[cfg(test)]
storage_conformance_tests!(
    sqlite_in_memory,
    Sqlite(
        crate::storage::sqlite::Store::open_in_memory().unwrap(),
        None
    )
);
#[cfg(test)]
storage_conformance_tests!(sqlite_file, sqlite_file());

/// The PostgreSQL store (its own tests take their two people from here too).
#[cfg(test)]
pub(crate) struct Postgres(pub(crate) crate::storage::postgres::Store);

#[cfg(test)]
impl Backend for Postgres {
    type Handle = crate::storage::postgres::UserHandle;
    fn two_users(&self) -> (Self::Handle, Self::Handle) {
        let (a, b) = (UserId::new("alice").unwrap(), UserId::new("bob").unwrap());
        self.0.create_user(&a).unwrap();
        self.0.create_user(&b).unwrap();
        (self.0.user(&a).unwrap(), self.0.user(&b).unwrap())
    }
}

// Against a real server: a fresh database per case in the test cluster; skipped with a message
// when there is none (never under CI).
#[cfg(test)]
storage_conformance_tests!(
    postgres,
    match crate::storage::postgres::testing::fresh_store(module_path!()) {
        Some(store) => Postgres(store),
        None => return,
    }
);
