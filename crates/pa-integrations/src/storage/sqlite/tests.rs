//! Tests of the SQLite store: files, modes, opening, migrations, secrets, damage, closing.
use super::schema::MIGRATIONS;
use super::*;
use crate::secrets::{KdfParams, Secret, Vault};
use crate::storage::vault::VaultRows;
use pa_core::ids::AccountId;
use pa_core::money::{Money, parse_currency};
use std::time::Duration;

#[test]
fn file_is_private_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pa.db");
    let store = Store::open(&path).unwrap();
    store.create_user(&UserId::new("alice").unwrap()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    drop(store);
    let again = Store::open(&path).unwrap();
    assert_eq!(again.users().unwrap(), vec![UserId::new("alice").unwrap()]);
    assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(matches!(
        again.user(&UserId::new("bob").unwrap()),
        Err(Error::UnknownUser { .. })
    ));
}

#[test]
fn missing_directories_are_made_and_memory_is_never_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b/pa.db");
    Store::open(&nested).unwrap();
    assert!(nested.is_file());
    // SQLite's name for a database in memory: no file appears where the process runs.
    let memory = Store::open(Path::new(":memory:")).unwrap();
    memory.create_user(&UserId::new("alice").unwrap()).unwrap();
    assert_eq!(memory.users().unwrap().len(), 1);
    assert!(!Path::new(":memory:").exists());
}

#[test]
fn backup_and_delete() {
    use pa_core::ports::UserStore;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("pa.db")).unwrap();
    let (alice, bob) = (UserId::new("alice").unwrap(), UserId::new("bob").unwrap());
    store.create_user(&alice).unwrap();
    store.create_user(&bob).unwrap();
    let account = Account::new(
        AccountId::new("chk").unwrap(),
        "Checking",
        pa_core::finance::AccountType::Depository,
        parse_currency("USD").unwrap(),
    );
    let t = Transaction::new(
        pa_core::ids::TransactionId::new("t1").unwrap(),
        account.id.clone(),
        "2026-01-01".parse().unwrap(),
        Money::parse("-1", account.currency).unwrap(),
    );
    let batch = WriteBatch {
        accounts: vec![account],
        transactions: vec![t],
        ..WriteBatch::default()
    };
    store.user(&alice).unwrap().apply(&batch).unwrap();
    store.user(&bob).unwrap().apply(&batch).unwrap();
    let copy = dir.path().join("copy.db");
    store.backup_to(&copy).unwrap();
    assert!(store.backup_to(&copy).is_err(), "never overwrites");
    let restored = Store::open(&copy).unwrap();
    assert_eq!(restored.user(&alice).unwrap().accounts().unwrap().len(), 1);
    assert!(store.delete_user(&alice).unwrap());
    assert!(!store.delete_user(&alice).unwrap());
    assert!(matches!(store.user(&alice), Err(Error::UnknownUser { .. })));
    let span = ("2000-01-01".parse().unwrap(), "2100-01-01".parse().unwrap());
    assert_eq!(
        store
            .user(&bob)
            .unwrap()
            .transactions(span.0, span.1)
            .unwrap()
            .len(),
        1,
        "Bob keeps his data"
    );
    let left: i64 = lock(&store.inner.writer)
        .query_row(
            "SELECT COUNT(*) FROM transactions WHERE user_id = 'alice'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn secrets_are_encrypted_at_rest_and_scoped_to_their_person() {
    let fast = KdfParams {
        m_cost_kib: 64,
        t_cost: 1,
        p_cost: 1,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pa.db");
    let store = Store::open(&path).unwrap();
    let (alice, bob) = (UserId::new("alice").unwrap(), UserId::new("bob").unwrap());
    store.create_user(&alice).unwrap();
    store.create_user(&bob).unwrap();
    let vault = store.unlock(&Secret::new("open sesame"), fast).unwrap();
    let a = store.user(&alice).unwrap();
    a.put_secret(
        &vault,
        "plaid/access-token",
        &Secret::new("access-sandbox-0042"),
    )
    .unwrap();
    assert_eq!(
        a.secret(&vault, "plaid/access-token")
            .unwrap()
            .unwrap()
            .expose(),
        "access-sandbox-0042"
    );
    assert!(
        store
            .user(&bob)
            .unwrap()
            .secret(&vault, "plaid/access-token")
            .unwrap()
            .is_none()
    );
    drop(store);
    let bytes = std::fs::read(&path).unwrap();
    let wal = std::fs::read(path.with_extension("db-wal")).unwrap_or_default();
    for b in [&bytes, &wal] {
        assert!(
            !b.windows(12).any(|w| w == b"sandbox-0042"),
            "never stored in the clear"
        );
    }
    let store = Store::open(&path).unwrap();
    assert!(matches!(
        store.unlock(&Secret::new("wrong"), fast),
        Err(Error::WrongPassphrase)
    ));
    let vault = store
        .unlock(&Secret::new("open sesame"), KdfParams::default())
        .unwrap();
    let a = store.user(&alice).unwrap();
    assert_eq!(
        a.secret(&vault, "plaid/access-token")
            .unwrap()
            .unwrap()
            .expose(),
        "access-sandbox-0042"
    );
    assert!(a.delete_secret("plaid/access-token").unwrap());
    assert!(a.secret(&vault, "plaid/access-token").unwrap().is_none());
}

#[test]
fn vault_key_from_the_os_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pa.db");
    let store = Store::open(&path).unwrap();
    let alice = UserId::new("alice").unwrap();
    store.create_user(&alice).unwrap();
    // No keyring store installed: a clear error, and no vault is created.
    keyring_core::unset_default_store();
    let err = store.unlock_with_keyring("pa-test", "vault").unwrap_err();
    assert!(err.to_string().contains("no OS keyring"), "{err}");
    assert!(store.vault_row().unwrap().is_none());
    // Without a keyring, unlock_auto asks for the passphrase (and passes its failure on).
    let plain = Store::open(&dir.path().join("plain.db")).unwrap();
    let fast = KdfParams {
        m_cost_kib: 64,
        t_cost: 1,
        p_cost: 1,
    };
    assert_eq!(
        plain
            .unlock_auto("pa-test", "plain", || Err(Error::WrongPassphrase), fast)
            .unwrap_err()
            .kind(),
        crate::ErrorKind::Auth
    );
    plain
        .unlock_auto("pa-test", "plain", || Ok(Secret::new("pass")), fast)
        .unwrap();
    assert!(!plain.vault_row().unwrap().unwrap().keyring);
    keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
    // A vault behind a passphrase still opens with it, keyring or not.
    plain
        .unlock_auto("pa-test", "plain", || Ok(Secret::new("pass")), fast)
        .unwrap();
    let vault = store.unlock_with_keyring("pa-test", "vault").unwrap();
    let a = store.user(&alice).unwrap();
    a.put_secret(&vault, "garmin/token", &Secret::new("tok-123"))
        .unwrap();
    // The vault opens the way it was made: from the keyring, never asking for a passphrase.
    let auto = store
        .unlock_auto(
            "pa-test",
            "vault",
            || panic!("a keyring vault asked for a passphrase"),
            KdfParams::default(),
        )
        .unwrap();
    assert_eq!(
        a.secret(&auto, "garmin/token").unwrap().unwrap().expose(),
        "tok-123"
    );
    // A store without a vault gets one in the keyring when a keyring store is installed.
    let other = Store::open(&dir.path().join("other.db")).unwrap();
    other
        .unlock_auto(
            "pa-test",
            "other",
            || panic!("asked for a passphrase with a keyring at hand"),
            KdfParams::default(),
        )
        .unwrap();
    assert!(other.vault_row().unwrap().unwrap().keyring);
    drop(store);
    let store = Store::open(&path).unwrap();
    let vault = store.unlock_with_keyring("pa-test", "vault").unwrap();
    let a = store.user(&alice).unwrap();
    assert_eq!(
        a.secret(&vault, "garmin/token").unwrap().unwrap().expose(),
        "tok-123"
    );
    let err = store
        .unlock(&Secret::new("guess"), KdfParams::default())
        .unwrap_err();
    assert!(err.to_string().contains("OS keyring"), "{err}");
    // Another key under the name, or none at all: refused, nothing replaced.
    let entry = keyring_core::Entry::new("pa-test", "vault").unwrap();
    entry.set_secret(&[7u8; 32]).unwrap();
    let err = store.unlock_with_keyring("pa-test", "vault").unwrap_err();
    assert!(
        err.to_string().contains("not this store's vault key"),
        "{err}"
    );
    entry.delete_credential().unwrap();
    let err = store.unlock_with_keyring("pa-test", "vault").unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
    assert!(
        keyring_core::Entry::new("pa-test", "vault")
            .unwrap()
            .get_secret()
            .is_err(),
        "no new key was made for an existing vault"
    );
    keyring_core::unset_default_store();
    // A passphrase store refuses the keyring.
    let other = Store::open_in_memory().unwrap();
    other
        .unlock(
            &Secret::new("pw"),
            KdfParams {
                m_cost_kib: 64,
                t_cost: 1,
                p_cost: 1,
            },
        )
        .unwrap();
    assert!(other.unlock_with_keyring("pa-test", "vault").is_err());
    assert!(Vault::from_key(&[1, 2, 3]).is_err(), "a key has 32 bytes");
}

#[test]
fn reads_never_create_and_an_empty_file_is_not_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.db");
    for open in [Store::open_read_only, Store::open_existing] {
        let err = open(&missing).err().unwrap();
        assert_eq!(
            err.to_string(),
            format!("{}: no pa store there", missing.display())
        );
    }
    assert!(!missing.exists());
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    for open in [Store::open, Store::open_read_only] {
        let err = open(&empty).err().unwrap();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: the database is corrupt or not a pa database (the file is empty); it was left untouched",
                empty.display()
            )
        );
    }
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
}

#[cfg(unix)]
#[test]
fn a_read_only_store_is_read_and_never_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("ro");
    let path = sub.join("pa.db");
    let alice = UserId::new("alice").unwrap();
    {
        let store = Store::open(&path).unwrap();
        store.create_user(&alice).unwrap();
    }
    assert!(
        !sub.join("pa.db-wal").exists(),
        "closing the store folds the WAL into the file"
    );
    let before = std::fs::read(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o555)).unwrap();
    let result = (|| {
        let store = Store::open_read_only(&path)?;
        let users = store.users()?;
        let err = store.create_user(&UserId::new("bob")?).err();
        Ok::<_, Error>((users, err.map(|e| e.to_string())))
    })();
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
    // root ignores permissions; the read-only connection is what is tested then.
    let (users, err) = result.unwrap();
    assert_eq!(users, vec![alice]);
    assert_eq!(
        err,
        Some(format!(
            "{}: the store is read-only (opened so, or its file cannot be written)",
            path.display()
        ))
    );
    assert!(std::fs::read(&path).unwrap() == before, "the file changed");
}

#[test]
fn a_reader_does_not_wait_behind_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pa.db");
    let alice = UserId::new("alice").unwrap();
    let store = Store::open(&path).unwrap();
    store.create_user(&alice).unwrap();
    // Another connection holds the write lock, as a long import in another process does.
    let other = Connection::open(&path).unwrap();
    other
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO users VALUES ('bob', 'x');")
        .unwrap();
    other.busy_timeout(Duration::ZERO).unwrap();
    let reader = Store::open_read_only(&path).unwrap();
    assert_eq!(reader.users().unwrap(), vec![alice], "the last commit");
    other.execute_batch("COMMIT").unwrap();
}

#[test]
fn threads_creating_one_store_at_once_all_succeed() {
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/pa.db");
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || -> Result<()> {
                    let store = Store::open(&path)?;
                    let id = UserId::new(format!("p{i}"))?;
                    store.create_user(&id)?;
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.users().unwrap().len(), 6);
        assert_eq!(store.check().unwrap(), Vec::<String>::new());
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with(".pa-new"))
            .collect();
        assert_eq!(names, Vec::<String>::new(), "no temporary file is left");
    }
}

#[test]
fn a_damaged_record_is_named_and_the_store_checked() {
    use pa_core::ports::UserStore;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pa.db");
    let alice = UserId::new("alice").unwrap();
    let store = Store::open(&path).unwrap();
    store.create_user(&alice).unwrap();
    let account = Account::new(
        AccountId::new("chk").unwrap(),
        "Checking",
        pa_core::finance::AccountType::Depository,
        parse_currency("USD").unwrap(),
    );
    let handle = store.user(&alice).unwrap();
    handle
        .apply(&WriteBatch {
            accounts: vec![account],
            ..WriteBatch::default()
        })
        .unwrap();
    assert_eq!(store.check().unwrap(), Vec::<String>::new());
    // Bytes that are not UTF-8 where the body was, as a damaged page leaves them.
    lock(&store.inner.writer)
        .execute(
            "UPDATE accounts SET body = CAST(X'FF00FE' AS TEXT) WHERE id = 'chk'",
            [],
        )
        .unwrap();
    let err = handle.accounts().unwrap_err();
    let expected = format!(
        "{}: the database is corrupt or not a pa database (stored account 'chk' cannot be read: expected value at line 1 column 1); it was left untouched",
        path.display()
    );
    assert_eq!(err.to_string(), expected);
    assert_eq!(
        store.check().unwrap(),
        vec![format!("person alice, accounts: {expected}")]
    );
    let err = store.backup_to(&dir.path().join("copy.db")).unwrap_err();
    assert!(
        err.to_string()
            .contains("the copy is damaged: person alice, accounts:"),
        "{err}"
    );
    assert!(
        !dir.path().join("copy.db").exists(),
        "a bad copy is removed"
    );
    // The store itself, by any name, is never a backup target.
    for target in ["pa.db", "pa.db-wal", "pa.db-shm"] {
        let err = store.backup_to(&dir.path().join(target)).unwrap_err();
        assert!(matches!(err, Error::Output { .. }), "{err}");
    }
}

#[test]
fn closing_folds_the_wal_in_and_ends_every_handle() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pa.db");
    let alice = UserId::new("alice").unwrap();
    let store = Store::open(&path).unwrap();
    store.create_user(&alice).unwrap();
    let handle = store.user(&alice).unwrap();
    // A copy of the file alone, taken while the store is open, may miss the last commits.
    store.close().unwrap();
    store.close().unwrap();
    assert!(!dir.path().join("pa.db-wal").exists());
    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).unwrap();
    assert_eq!(Store::open(&copy).unwrap().users().unwrap(), vec![alice]);
    use pa_core::ports::UserStore;
    assert_eq!(
        handle.accounts().unwrap_err().to_string(),
        "the store is closed"
    );
    assert_eq!(
        store.users().unwrap_err().to_string(),
        "the store is closed"
    );
}

#[test]
fn newer_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pa.db");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA user_version = 99; CREATE TABLE x (y);")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(
        matches!(err, Error::DatabaseTooNew { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade pa"));
    assert!(std::fs::read(&path).unwrap() == before, "the file changed");
}

#[test]
fn corrupt_file_is_a_distinct_error_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pa.db");
    let garbage = b"this is not a database, but it is somebody's file".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(std::fs::read(&path).unwrap() == garbage, "the file changed");
}

#[test]
fn version_3_finance_moves_into_columns_and_series() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    let usd = parse_currency("USD").unwrap();
    let account = Account::new(
        AccountId::new("chk").unwrap(),
        "Checking",
        pa_core::finance::AccountType::Depository,
        usd,
    );
    let mut t = Transaction::new(
        pa_core::ids::TransactionId::new("t1").unwrap(),
        account.id.clone(),
        "2026-01-05".parse().unwrap(),
        Money::parse("-12.34", usd).unwrap(),
    );
    t.external = Some(pa_core::ids::ExternalRef::new("plaid", "x1").unwrap());
    t.merchant = Some("Café".into());
    t.description = "CAFE 123".into();
    t.category = Some("Food/Coffee".parse().unwrap());
    t.authorized = Some("2026-01-04".parse().unwrap());
    t.pending = true;
    t.transfer = true;
    {
        let c = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..3] {
            c.execute_batch(sql).unwrap();
        }
        c.execute_batch(
            "PRAGMA user_version = 3; INSERT INTO users VALUES ('alice', '2026-01-01T00:00:00Z');",
        )
        .unwrap();
        c.execute(
            "INSERT INTO accounts VALUES ('alice', 'chk', NULL, NULL, 'depository', 'USD', ?1, 'h')",
            [serde_json::to_string(&account).unwrap()],
        )
        .unwrap();
        c.execute(
            "INSERT INTO transactions VALUES ('alice', 't1', 'chk', 'plaid', 'x1', '2026-01-05', '-12.34', 'USD', 'Food/Coffee', ?1, 'h')",
            [serde_json::to_string(&t).unwrap()],
        )
        .unwrap();
        c.execute_batch(
            "INSERT INTO balances VALUES ('alice', 'chk', '2025-12-31', '100.00', 'USD', NULL, NULL);
             INSERT INTO balances VALUES ('alice', 'chk', '2026-01-05', '87.66', 'USD', '80.00', NULL);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let alice = store.user(&UserId::new("alice").unwrap()).unwrap();
    let span: (Day, Day) = ("2000-01-01".parse().unwrap(), "2100-01-01".parse().unwrap());
    assert_eq!(alice.transactions(span.0, span.1).unwrap(), vec![t.clone()]);
    let h = alice.balance_histories(span.0, span.1).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].points.len(), 2, "the series were built from the rows");
    assert_eq!(
        alice.balances(span.0, span.1).unwrap()[1].available,
        Some(Money::parse("80.00", usd).unwrap())
    );
    // Written again, the migrated transaction is unchanged.
    let report = alice
        .apply(&WriteBatch {
            transactions: vec![t],
            ..WriteBatch::default()
        })
        .unwrap();
    assert_eq!(report.unchanged, 1);
}

#[test]
fn frozen_v1_schema_upgrades_to_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    {
        let c = Connection::open(&old).unwrap();
        c.execute_batch(include_str!("../../../tests/fixtures/schema_v1.sql"))
            .unwrap();
        c.execute_batch(
            "PRAGMA user_version = 1; INSERT INTO users VALUES ('alice', '2026-01-01T00:00:00Z');",
        )
        .unwrap();
    }
    let upgraded = Store::open(&old).unwrap();
    assert_eq!(upgraded.users().unwrap().len(), 1, "data survives");
    let fresh = Store::open(&dir.path().join("fresh.db")).unwrap();
    let schema = |s: &Store| -> Vec<(String, String)> {
        lock(&s.inner.writer)
            .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
    };
    assert_eq!(schema(&upgraded), schema(&fresh));
}

/// The schema script new stores are built from is what the migration chain leaves: the same
/// tables, indexes and version. `PA_BLESS_SCHEMA=1` writes the script from the chain.
#[test]
fn a_new_store_equals_a_migrated_one() {
    let chain = Connection::open_in_memory().unwrap();
    schema::migrate(&chain, None).unwrap();
    let master = |c: &Connection| -> Vec<(String, String, String, Option<String>)> {
        let mut stmt = c
            .prepare(
                "SELECT type, name, tbl_name, sql FROM sqlite_master
                 WHERE name NOT LIKE 'sqlite_%' ORDER BY rowid",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let migrated = master(&chain);
    if std::env::var_os("PA_BLESS_SCHEMA").is_some() {
        let mut script = String::from(
            "-- The schema of a new store: what migrations 001-007 leave, as SQLite keeps it.\n\
             -- Generated by `PA_BLESS_SCHEMA=1 cargo test -p pa-integrations \
             a_new_store_equals_a_migrated_one`; edit the migrations, not this file.\n",
        );
        for (.., sql) in &migrated {
            if let Some(sql) = sql {
                script.push_str(sql);
                script.push_str(";\n");
            }
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/schema.sql");
        std::fs::write(path, script).unwrap();
        return;
    }
    let fresh = Connection::open_in_memory().unwrap();
    schema::create_schema(&fresh).unwrap();
    let sorted = |mut v: Vec<(String, String, String, Option<String>)>| {
        v.sort();
        v
    };
    assert_eq!(sorted(master(&fresh)), sorted(migrated));
    let version = |c: &Connection| -> u32 {
        c.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(&fresh), version(&chain));
    assert_eq!(version(&fresh), schema::SCHEMA_VERSION);
    // A store built from the script still takes the chain's next migrations: it reads as current.
    schema::migrate(&fresh, None).unwrap();
}

#[test]
fn activities_stored_with_streams_in_their_body_still_read_and_move_out_when_written() {
    use pa_core::fitness::{Activity, Sport, Streams};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pa.db");
    let start = pa_core::time::ZonedInstant::new(
        "2026-03-05T07:00:00Z".parse().unwrap(),
        pa_core::time::parse_zone("Europe/Berlin").unwrap(),
    );
    let mut a = Activity::new(ActivityId::new("a1").unwrap(), Sport::Ride, start, 60.0);
    a.streams = Some(Streams {
        time_s: vec![0.0, 1.0],
        power: Some(vec![Some(200.25), None]),
        ..Streams::default()
    });
    let (json, hash) = pa_core::ports::upsert::encode(&a).unwrap();
    {
        // Schema version 7: the streams inside the body, as every store kept them before.
        let c = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..7] {
            c.execute_batch(sql).unwrap();
        }
        c.execute_batch(
            "PRAGMA user_version = 7; INSERT INTO users VALUES ('alice', '2026-01-01T00:00:00Z');",
        )
        .unwrap();
        c.execute(
            "INSERT INTO activities VALUES ('alice', 'a1', NULL, NULL, '2026-03-05', '2026-03-05T07:00:00+00:00', 'ride', NULL, ?1, ?2)",
            [json, hash.to_string()],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let alice = store.user(&UserId::new("alice").unwrap()).unwrap();
    assert_eq!(alice.activity(&a.id).unwrap(), Some(a.clone()));
    // Written again it moves to the new layout (its hash now covers the packed streams, so once
    // it counts as updated), and reads the same.
    let write = || {
        alice
            .apply(&WriteBatch {
                activities: vec![a.clone()],
                ..WriteBatch::default()
            })
            .unwrap()
    };
    let first = write();
    assert_eq!((first.updated, first.unchanged), (1, 0));
    assert_eq!(write().unchanged, 1);
    assert_eq!(alice.activity(&a.id).unwrap(), Some(a.clone()));
    let (body, packed): (String, Vec<u8>) = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT body, streams FROM activities WHERE id = 'a1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert!(!body.contains("streams"), "{body}");
    assert_eq!(Streams::from_bytes(&packed).unwrap(), a.streams.unwrap());
}
