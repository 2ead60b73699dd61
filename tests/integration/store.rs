//! The store under faults and load: killed writers and concurrent readers.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pa_core::finance::{Account, AccountType, Transaction};
use pa_core::ids::{AccountId, TransactionId, UserId};
use pa_core::money::{Money, parse_currency};
use pa_core::ports::{SyncState, UserStore, WriteBatch};
use pa_core::time::Day;
use pa_integrations::storage::sqlite::Store;

fn span() -> (Day, Day) {
    ("2000-01-01".parse().unwrap(), "2100-01-01".parse().unwrap())
}

/// A child bulk-importing into the store is killed with SIGKILL at 20 pseudo-random moments. After
/// each kill the file passes `PRAGMA integrity_check`, every batch is all or nothing, and the sync
/// cursor says exactly how many batches are in.
#[test]
fn sigkill_during_bulk_import_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let mut seed: u64 = 0x5eed;
    let mut last_cursor = 0;
    for round in 0..20 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pa-crash-writer"))
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(60 + seed % 240));
        if let Ok(Some(status)) = child.try_wait() {
            panic!("round {round}: the writer stopped by itself: {status:?}");
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();

        let conn = rusqlite::Connection::open(&path).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
        drop(conn);
        let store = Store::open(&path).unwrap();
        let handle = store.user(&UserId::new("crash").unwrap()).unwrap();
        let cursor: u64 = handle
            .sync_state("bulk")
            .unwrap()
            .and_then(|s| s.cursor)
            .map_or(0, |c| c.parse().unwrap());
        let txns = handle.transactions(span().0, span().1).unwrap();
        assert_eq!(
            txns.len() as u64,
            cursor * 50,
            "round {round}: the cursor matches the data"
        );
        let mut per_batch = std::collections::BTreeMap::<u64, u32>::new();
        for t in &txns {
            let batch: u64 = t.id.as_str()[1..]
                .split('-')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            *per_batch.entry(batch).or_default() += 1;
        }
        assert!(
            per_batch.values().all(|n| *n == 50),
            "round {round}: a batch is all or nothing"
        );
        assert_eq!(
            per_batch.keys().copied().collect::<Vec<_>>(),
            (1..=cursor).collect::<Vec<_>>()
        );
        assert!(cursor >= last_cursor);
        last_cursor = cursor;
    }
    assert!(last_cursor > 0, "the writer got some batches in");
}

/// Four readers and one writer for ten seconds: no busy error reaches a caller, and every read sees
/// one consistent snapshot (the writer adds +x and −x in one batch, so every snapshot sums to 0).
#[test]
fn four_readers_and_a_writer_see_consistent_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("load.db")).unwrap();
    let user = UserId::new("load").unwrap();
    store.create_user(&user).unwrap();
    let usd = parse_currency("USD").unwrap();
    let account = Account::new(
        AccountId::new("chk").unwrap(),
        "Checking",
        AccountType::Depository,
        usd,
    );
    store
        .user(&user)
        .unwrap()
        .apply(&WriteBatch {
            accounts: vec![account.clone()],
            ..WriteBatch::default()
        })
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (handle, stop, reads) = (store.user(&user).unwrap(), stop.clone(), reads.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let txns = handle
                        .transactions(span().0, span().1)
                        .expect("no busy error reaches a reader");
                    let sum: i64 = txns
                        .iter()
                        .map(|t| {
                            (t.amount.amount() * rust_decimal::Decimal::from(100))
                                .try_into()
                                .unwrap_or(i64::MAX)
                        })
                        .sum();
                    assert_eq!(sum, 0, "a snapshot with half a batch");
                    assert_eq!(txns.len() % 2, 0);
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let writer = store.user(&user).unwrap();
    let started = Instant::now();
    let mut batches = 0u64;
    while started.elapsed() < Duration::from_secs(10) {
        let day: Day = "2026-01-01".parse().unwrap();
        let pair = [batches as i64 + 1, -(batches as i64 + 1)];
        let transactions = pair
            .iter()
            .enumerate()
            .map(|(k, cents)| {
                Transaction::new(
                    TransactionId::new(format!("p{batches}-{k}")).unwrap(),
                    account.id.clone(),
                    day,
                    Money::from_minor(*cents, usd),
                )
            })
            .collect();
        let sync = vec![SyncState {
            source: "load".into(),
            cursor: Some(batches.to_string()),
            last_success: None,
            last_error: None,
        }];
        writer
            .apply(&WriteBatch {
                transactions,
                sync,
                ..WriteBatch::default()
            })
            .expect("no busy error reaches the writer");
        batches += 1;
        std::thread::sleep(Duration::from_millis(2));
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    assert!(
        batches > 100 && reads.load(Ordering::Relaxed) > 100,
        "{batches} batches, {} reads",
        reads.load(Ordering::Relaxed)
    );
}
