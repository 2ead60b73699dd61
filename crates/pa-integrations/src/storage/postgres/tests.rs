//! What the conformance suite cannot see: row-level security underneath the adapter, the vault,
//! schema versions, read-only stores, the pool's bounds, lost connections, calls from inside a
//! runtime, concurrent writers. Against a real server (skipped without one, never under CI).

use std::time::{Duration, Instant};

use pa_core::ids::UserId;
use pa_core::ports::{FitnessRepository, UserStore, WriteBatch};
use pa_core::time::Day;

use super::testing::fresh_database;
use super::*;
use crate::secrets::{KdfParams, Secret};
use crate::storage::conformance::sample_batch;

const FAST: KdfParams = KdfParams {
    m_cost_kib: 64,
    t_cost: 1,
    p_cost: 1,
};

fn day(s: &str) -> Day {
    s.parse().unwrap()
}

/// Runs SQL on a plain connection to `url` (outside the adapter), returning the first column of
/// each row as text.
fn raw(url: &str, sql: &str) -> std::result::Result<Vec<Option<String>>, tokio_postgres::Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        let task = tokio::spawn(conn);
        let mut out = Vec::new();
        for m in client.simple_query(sql).await? {
            if let tokio_postgres::SimpleQueryMessage::Row(r) = m {
                out.push(r.get(0).map(str::to_owned));
            }
        }
        drop(client);
        let _ = task.await;
        Ok(out)
    })
}

fn count(url: &str, sql: &str) -> i64 {
    raw(url, sql).unwrap()[0]
        .as_deref()
        .unwrap()
        .parse()
        .unwrap()
}

/// Alice and Bob on `store`, as the conformance suite makes them.
fn two(store: &Store) -> (UserHandle, UserHandle) {
    use crate::storage::conformance::{Backend, Postgres};
    Postgres(store.clone()).two_users()
}

#[test]
fn row_level_security_hides_other_people_under_the_adapter() {
    let Some(url) = fresh_database("row_level_security_hides_other_people_under_the_adapter")
    else {
        return;
    };
    let store = Store::open(&url).unwrap();
    // The test cluster's role is a superuser, which policies do not bind: transactions take
    // pa_person instead.
    assert!(store.inner.person_role);
    let (alice, _bob) = two(&store);
    alice.apply(&sample_batch()).unwrap();
    let as_person = |person: Option<&str>, sql: &str| {
        let set = person.map_or(String::new(), |p| {
            format!("SELECT set_config('pa.person', '{p}', true);")
        });
        raw(
            &url,
            &format!("BEGIN; SET LOCAL ROLE pa_person; {set} {sql}; COMMIT"),
        )
    };
    let n = |person: Option<&str>, sql: &str| -> i64 {
        as_person(person, sql)
            .unwrap()
            .into_iter()
            .flatten()
            .filter_map(|v| v.parse().ok())
            .next_back()
            .unwrap()
    };
    for table in schema::PERSON_TABLES {
        // A query that forgets the scope finds nothing, however it filters.
        assert_eq!(
            n(None, &format!("SELECT count(*) FROM {table}")),
            0,
            "{table}"
        );
        assert_eq!(
            n(
                Some("bob"),
                &format!("SELECT count(*) FROM {table} WHERE person_id = 'alice'")
            ),
            0,
            "{table}"
        );
    }
    assert_eq!(n(Some("alice"), "SELECT count(*) FROM activities"), 2);
    assert_eq!(count(&url, "SELECT count(*) FROM activities"), 2);
    // Bob can neither delete Alice's rows nor write rows in her name.
    assert_eq!(
        n(
            Some("bob"),
            "WITH d AS (DELETE FROM activities RETURNING 1) SELECT count(*) FROM d"
        ),
        0
    );
    assert_eq!(count(&url, "SELECT count(*) FROM activities"), 2);
    let refused = as_person(
        Some("bob"),
        "INSERT INTO settings (person_id, key, value) VALUES ('alice', 'zone', 'UTC')",
    )
    .unwrap_err();
    assert_eq!(
        refused.code(),
        Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
    );
}

#[test]
fn an_owner_that_is_no_superuser_is_bound_by_the_policies_itself() {
    let Some(admin) =
        fresh_database("an_owner_that_is_no_superuser_is_bound_by_the_policies_itself")
    else {
        return;
    };
    // A service's usual set-up: its own role owns the database and the tables.
    raw(
        &admin,
        "DO $$ BEGIN CREATE ROLE pa_service LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
         GRANT CREATE ON SCHEMA public TO pa_service",
    )
    .unwrap();
    let url = admin.replacen("postgres://pa@", "postgres://pa_service@", 1);
    let store = Store::open(&url).unwrap();
    assert!(!store.inner.person_role);
    let (alice, bob) = two(&store);
    alice.apply(&sample_batch()).unwrap();
    assert_eq!(count(&url, "SELECT count(*) FROM activities"), 0);
    assert_eq!(count(&admin, "SELECT count(*) FROM activities"), 2);
    let span = (day("2000-01-01"), day("2100-01-01"));
    assert!(bob.activities(span.0, span.1).unwrap().is_empty());
    assert_eq!(alice.activities(span.0, span.1).unwrap().len(), 2);
}

#[test]
fn audit_exports_and_secrets_stay_with_their_person() {
    let Some(url) = fresh_database("audit_exports_and_secrets_stay_with_their_person") else {
        return;
    };
    let store = Store::open(&url).unwrap();
    let (alice, bob) = two(&store);
    let mut batch = sample_batch();
    batch.origin = Some("test".into());
    let report = alice.apply(&batch).unwrap();
    let span = (Day::EARLIEST, Day::LATEST);
    let audit = alice.audit_log(span.0, span.1).unwrap();
    assert_eq!(audit.len() as u64, report.added);
    assert!(bob.audit_log(span.0, span.1).unwrap().is_empty());
    let mut exported = Vec::new();
    crate::storage::transfer::export_jsonl(&bob, &mut exported, &[]).unwrap();
    assert!(
        String::from_utf8(exported)
            .unwrap()
            .lines()
            .all(|l| !l.contains("a1"))
    );
    // Secrets: sealed in the database, opened only with the vault, only by their person.
    let vault = store.unlock(&Secret::new("open sesame"), FAST).unwrap();
    alice
        .put_secret(&vault, "garmin.token", &Secret::new("tok-123-secret"))
        .unwrap();
    assert_eq!(
        alice
            .secret(&vault, "garmin.token")
            .unwrap()
            .unwrap()
            .expose(),
        "tok-123-secret"
    );
    assert!(bob.secret(&vault, "garmin.token").unwrap().is_none());
    let stored = raw(&url, "SELECT encode(ciphertext, 'escape') FROM secrets").unwrap();
    assert!(!stored[0].as_deref().unwrap().contains("tok-123"));
    assert!(matches!(
        store.unlock(&Secret::new("wrong"), FAST),
        Err(Error::WrongPassphrase)
    ));
    // Reopened, the same passphrase opens the same secrets.
    let again = Store::open(&url).unwrap();
    let vault = again.unlock(&Secret::new("open sesame"), FAST).unwrap();
    let alice = again.user(alice.user()).unwrap();
    assert_eq!(
        alice
            .secret(&vault, "garmin.token")
            .unwrap()
            .unwrap()
            .expose(),
        "tok-123-secret"
    );
    assert!(alice.delete_secret("garmin.token").unwrap());
    assert!(!alice.delete_secret("garmin.token").unwrap());
}

#[test]
fn schema_versions_read_only_stores_and_missing_ones() {
    let Some(url) = fresh_database("schema_versions_read_only_stores_and_missing_ones") else {
        return;
    };
    // An empty database is no store until it is opened for writing.
    let name = redacted(&url);
    assert_eq!(
        Store::open_existing(&url).unwrap_err().to_string(),
        format!("{name}: no pa store there")
    );
    assert_eq!(
        Store::open_read_only(&url).unwrap_err().to_string(),
        format!("{name}: no pa store there")
    );
    let store = Store::open(&url).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let (alice, _) = two(&store);
    let read_only = Store::open_read_only(&url).unwrap();
    let ro_alice = read_only.user(alice.user()).unwrap();
    let err = ro_alice.apply(&sample_batch()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{name}: the store is read-only (opened so, or its file cannot be written)")
    );
    assert!(matches!(
        read_only.create_user(&UserId::new("carol").unwrap()),
        Err(Error::ReadOnly { .. })
    ));
    assert!(ro_alice.accounts().unwrap().is_empty());
    // A newer schema is refused and left as it is.
    raw(&url, "UPDATE pa_schema SET version = 99").unwrap();
    assert_eq!(
        Store::open(&url).unwrap_err().to_string(),
        format!(
            "{name}: database version 99 is newer than this pa supports ({SCHEMA_VERSION}); upgrade pa"
        )
    );
    assert_eq!(count(&url, "SELECT version FROM pa_schema"), 99);
    // A URL that is not PostgreSQL's.
    assert_eq!(
        Store::open("mysql://x/y").unwrap_err().to_string(),
        "invalid database URL: it must start with postgres:// or postgresql://"
    );
}

#[test]
fn passwords_stay_out_of_debug_and_errors() {
    let url = "postgres://pa:hunter2@127.0.0.1:1/pa?connect_timeout=2";
    let location = crate::assistant::Location::from_path(url);
    assert!(!format!("{location:?}").contains("hunter2"));
    let err = Store::open(url).unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.starts_with(
            "PostgreSQL at postgres://pa:***@127.0.0.1:1/pa?connect_timeout=2: cannot reach it"
        ),
        "{text}"
    );
    assert_eq!(err.kind(), crate::error::ErrorKind::Network);
}

#[test]
fn a_full_pool_makes_callers_wait_a_bounded_time_then_says_so() {
    let Some(url) = fresh_database("a_full_pool_makes_callers_wait_a_bounded_time_then_says_so")
    else {
        return;
    };
    let store = Store::open_with_pool(
        &url,
        PoolOptions {
            max_connections: 1,
            wait: Duration::from_millis(300),
        },
    )
    .unwrap();
    let (alice, _) = two(&store);
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        let holder = s.spawn(|| {
            store.block(|| async {
                let client = store.client().await?;
                held_tx.send(()).unwrap();
                tokio::time::sleep(Duration::from_millis(1500)).await;
                drop(client);
                Ok(())
            })
        });
        held_rx.recv().unwrap();
        let started = Instant::now();
        let err = alice.accounts().unwrap_err();
        let waited = started.elapsed();
        assert_eq!(
            err.to_string(),
            format!(
                "storage: no free connection to {} within 300 ms (all 1 in use)",
                redacted(&url)
            )
        );
        assert!(waited < Duration::from_millis(1400), "waited {waited:?}");
        holder.join().unwrap().unwrap();
    });
    // Once the connection is back, calls go through.
    assert!(alice.accounts().unwrap().is_empty());
}

#[test]
fn a_lost_connection_is_replaced_and_writes_stay_whole() {
    let Some(url) = fresh_database("a_lost_connection_is_replaced_and_writes_stay_whole") else {
        return;
    };
    let store = Store::open_with_pool(
        &url,
        PoolOptions {
            max_connections: 1,
            wait: Duration::from_secs(5),
        },
    )
    .unwrap();
    let (alice, _) = two(&store);
    alice.apply(&sample_batch()).unwrap();
    let db = url
        .split_once('?')
        .unwrap()
        .0
        .rsplit_once('/')
        .unwrap()
        .1
        .to_owned();
    let kill = || {
        raw(
            &url,
            &format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()"
            ),
        )
        .unwrap();
    };
    // The pooled connection dies (as in a server restart): a read is tried again on a new one.
    kill();
    let span = (day("2000-01-01"), day("2100-01-01"));
    assert_eq!(alice.activities(span.0, span.1).unwrap().len(), 2);
    // A write on a dead connection fails as a network error and writes nothing; the same batch
    // again writes it once.
    kill();
    let batch = WriteBatch {
        activities: vec![{
            let mut a = sample_batch().activities[0].clone();
            a.id = pa_core::ids::ActivityId::new("a9").unwrap();
            a.external = None;
            a
        }],
        origin: Some("retry".into()),
        ..WriteBatch::default()
    };
    match alice.apply(&batch) {
        Err(e) => {
            assert_eq!(e.kind(), crate::error::ErrorKind::Network, "{e}");
            assert_eq!(alice.activities(span.0, span.1).unwrap().len(), 2);
            assert_eq!(alice.apply(&batch).unwrap().added, 1);
        }
        // The pool noticed the closed connection before using it.
        Ok(report) => assert_eq!(report.added, 1),
    }
    assert_eq!(alice.apply(&batch).unwrap().unchanged, 1);
    assert_eq!(alice.activities(span.0, span.1).unwrap().len(), 3);
    let audit = alice.audit_log(Day::EARLIEST, Day::LATEST).unwrap();
    assert_eq!(audit.iter().filter(|e| e.origin == "retry").count(), 1);
}

#[test]
fn calls_from_inside_a_tokio_runtime_work() {
    let Some(url) = fresh_database("calls_from_inside_a_tokio_runtime_work") else {
        return;
    };
    let store = Store::open(&url).unwrap();
    let (alice, _) = two(&store);
    for rt in [
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    ] {
        let alice = alice.clone();
        let n = rt.block_on(async move {
            alice.apply(&sample_batch()).unwrap();
            alice.activities(Day::EARLIEST, Day::LATEST).unwrap().len()
        });
        assert_eq!(n, 2);
    }
    // The last handle dropped inside a runtime shuts the store's runtime down without blocking.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async move {
        drop(alice);
        drop(store);
    });
}

#[test]
fn one_persons_concurrent_writers_take_turns() {
    let Some(url) = fresh_database("one_persons_concurrent_writers_take_turns") else {
        return;
    };
    let store = Store::open(&url).unwrap();
    let (alice, _) = two(&store);
    // Eight writers send the same records (by external reference) at once: each is added once,
    // and every later writer finds them unchanged.
    let reports: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let mut batch = sample_batch();
                batch.origin = Some("writer".into());
                let alice = &alice;
                s.spawn(move || alice.apply(&batch))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    assert_eq!(reports.iter().map(|r| r.added).sum::<u64>(), 10);
    assert_eq!(reports.iter().filter(|r| r.added == 10).count(), 1);
    assert_eq!(
        alice.activities(Day::EARLIEST, Day::LATEST).unwrap().len(),
        2
    );
    let audit = alice.audit_log(Day::EARLIEST, Day::LATEST).unwrap();
    assert_eq!(audit.len(), 10);
    let pmc = alice
        .pmc(day("2026-03-10"), &Default::default())
        .unwrap()
        .unwrap();
    assert_eq!(pmc.load().iter().sum::<f64>(), 120.0);
}

#[test]
fn urls_are_shown_without_passwords() {
    for (url, shown) in [
        (
            "postgres://pa:hunter2@db.example:5432/pa",
            "postgres://pa:***@db.example:5432/pa",
        ),
        (
            "postgresql://pa@/pa?host=/run/pg&password=hunter2&port=5",
            "postgresql://pa@/pa?host=/run/pg&password=***&port=5",
        ),
        ("postgres://db.example/pa", "postgres://db.example/pa"),
        ("postgres://u:p:q@h/d", "postgres://u:***@h/d"),
    ] {
        assert_eq!(redacted(url), shown);
    }
}

#[test]
fn a_missing_database_is_no_store() {
    let Some(url) = fresh_database("a_missing_database_is_no_store") else {
        return;
    };
    let missing = url.replacen("/pa_test_", "/pa_missing_", 1);
    assert_eq!(
        Store::open(&missing).unwrap_err().to_string(),
        format!("{}: no pa store there", redacted(&missing))
    );
}

#[test]
fn a_snapshot_reads_one_moment_and_a_handle_that_outlives_it_still_reads() {
    let Some(url) =
        fresh_database("a_snapshot_reads_one_moment_and_a_handle_that_outlives_it_still_reads")
    else {
        return;
    };
    let store = Store::open(&url).unwrap();
    let (alice, _) = two(&store);
    alice.apply(&sample_batch()).unwrap();
    let span = (Day::EARLIEST, Day::LATEST);
    let mut escaped = None;
    let seen = alice
        .snapshot(|h| {
            let before = h.activities(span.0, span.1).unwrap().len();
            // Another connection adds an activity meanwhile: the snapshot does not see it.
            let mut more = sample_batch();
            more.activities.truncate(1);
            more.activities[0].id = pa_core::ids::ActivityId::new("a7").unwrap();
            more.activities[0].external = None;
            more.accounts.clear();
            more.transactions.clear();
            more.balances.clear();
            alice.apply(&more).unwrap();
            let after = h.activities(span.0, span.1).unwrap().len();
            escaped = Some(h.clone());
            Ok((before, after))
        })
        .unwrap();
    assert_eq!(seen, (2, 2));
    // The clone kept past the snapshot reads the store as it is now, scoped as ever.
    let escaped = escaped.unwrap();
    assert_eq!(escaped.activities(span.0, span.1).unwrap().len(), 3);
    // An error inside ends the snapshot and is the caller's.
    let err = alice
        .snapshot(|_| -> Result<()> { Err(Error::Cancelled) })
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled));
    assert_eq!(alice.activities(span.0, span.1).unwrap().len(), 3);
}

#[test]
fn a_statement_timeout_is_a_clear_error_and_writes_nothing() {
    let Some(url) = fresh_database("a_statement_timeout_is_a_clear_error_and_writes_nothing")
    else {
        return;
    };
    let store = Store::open(&url).unwrap();
    let (alice, _) = two(&store);
    // The server's own bound, set by the service in the URL (libpq's `options`).
    let bounded_url = format!("{url}&options=-c%20statement_timeout%3D300");
    let bounded = Store::open(&bounded_url).unwrap();
    let bounded_alice = bounded.user(alice.user()).unwrap();
    // Another session holds Alice's write lock for longer than that.
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        let url = &url;
        s.spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let (mut client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                let task = tokio::spawn(conn);
                let tx = client.transaction().await.unwrap();
                tx.execute(
                    "SELECT 1 FROM people WHERE person_id = 'alice' FOR UPDATE",
                    &[],
                )
                .await
                .unwrap();
                locked_tx.send(()).unwrap();
                tokio::time::sleep(Duration::from_millis(1500)).await;
                tx.rollback().await.unwrap();
                drop(client);
                let _ = task.await;
            });
        });
        locked_rx.recv().unwrap();
        let err = bounded_alice.apply(&sample_batch()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "storage: PostgreSQL at {} cancelled a statement (its statement_timeout, or a cancel request); the transaction was rolled back",
                redacted(&bounded_url)
            )
        );
    });
    let span = (Day::EARLIEST, Day::LATEST);
    assert!(alice.activities(span.0, span.1).unwrap().is_empty());
    // Once the lock is gone, the same batch goes through on the bounded store.
    assert_eq!(bounded_alice.apply(&sample_batch()).unwrap().added, 10);
}

/// A cluster of this test's own (it is restarted), stopped when dropped.
struct OwnCluster {
    script: std::path::PathBuf,
    dir: std::path::PathBuf,
    url: String,
}

impl OwnCluster {
    fn start(test: &str) -> Option<Self> {
        // Only where the shared test cluster runs: PostgreSQL is installed and scripts/test
        // started it (or CI demands it).
        fresh_database(test)?;
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-cluster");
        let dir = std::env::temp_dir().join(format!("pa-pg-restart-{}", std::process::id()));
        let out = std::process::Command::new(&script)
            .arg("start")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        Some(Self { script, dir, url })
    }

    fn restart(&self) {
        let out = std::process::Command::new(&self.script)
            .arg("restart")
            .arg(&self.dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = std::process::Command::new(&self.script)
            .arg("stop")
            .arg(&self.dir)
            .output();
    }
}

#[test]
fn a_server_restart_under_load_loses_nothing_and_duplicates_nothing() {
    let Some(cluster) =
        OwnCluster::start("a_server_restart_under_load_loses_nothing_and_duplicates_nothing")
    else {
        return;
    };
    let store = Store::open_with_pool(
        &cluster.url,
        PoolOptions {
            max_connections: 4,
            wait: Duration::from_secs(30),
        },
    )
    .unwrap();
    let (alice, _) = two(&store);
    const WRITERS: usize = 4;
    const BATCHES: usize = 30;
    const TASKS: usize = 5;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let retried = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for w in 0..WRITERS {
            let (alice, done, retried) = (&alice, &done, &retried);
            s.spawn(move || {
                for b in 0..BATCHES {
                    let batch = WriteBatch {
                        records: (0..TASKS)
                            .map(|t| {
                                pa_core::tasks::Task::new(
                                    pa_core::ids::TaskId::new(format!("w{w}-b{b}-t{t}")).unwrap(),
                                    "task",
                                    "2026-12-05T10:00:00Z".parse().unwrap(),
                                )
                                .into()
                            })
                            .collect(),
                        origin: Some("load".into()),
                        ..WriteBatch::default()
                    };
                    // A caller's retry: a lost connection is a network error, and the batch is
                    // whole or absent, so sending it again is safe.
                    let mut tries = 0;
                    loop {
                        match alice.apply(&batch) {
                            Ok(_) => break,
                            Err(e)
                                if e.kind() == crate::error::ErrorKind::Network && tries < 100 =>
                            {
                                tries += 1;
                                retried.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(100));
                            }
                            Err(e) => panic!("batch {w}/{b}: {e}"),
                        }
                    }
                    done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    // Paced, so that the restart lands among the batches.
                    std::thread::sleep(Duration::from_millis(20));
                }
            });
        }
        while done.load(std::sync::atomic::Ordering::SeqCst) < WRITERS * 3 {
            std::thread::sleep(Duration::from_millis(5));
        }
        cluster.restart();
    });
    let tasks: Vec<pa_core::tasks::Task> = alice.records(None).unwrap();
    assert_eq!(tasks.len(), WRITERS * BATCHES * TASKS);
    let audit = alice.audit_log(Day::EARLIEST, Day::LATEST).unwrap();
    let mut keys: Vec<&str> = audit.iter().map(|e| e.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(
        audit.len(),
        WRITERS * BATCHES * TASKS,
        "one audit entry per task"
    );
    assert_eq!(keys.len(), audit.len());
    // The restart was seen (some writer had to send a batch again).
    assert!(retried.load(std::sync::atomic::Ordering::SeqCst) > 0);
}
