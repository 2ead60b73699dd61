//! The PostgreSQL schema: numbered migrations run in one transaction under an advisory lock (so of
//! several processes opening a new database at once, one migrates), the version in `pa_schema`,
//! and the role row-level security applies to when the store connects as a role that bypasses it.

use tokio_postgres::Transaction;

use crate::error::{Error, Result};

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[include_str!("../../../migrations/postgres/001_init.sql")];

/// The schema version this code writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The role a transaction takes when the store's own role bypasses row-level security (a
/// superuser, or `BYPASSRLS`), so that the policies still hold.
pub(super) const PERSON_ROLE: &str = "pa_person";

/// Every table holding a person's rows (they all have `person_id` first, and a policy).
pub(super) const PERSON_TABLES: &[&str] = &[
    "activities",
    "daily_health",
    "accounts",
    "transactions",
    "balances",
    "records",
    "sync_state",
    "sync_records",
    "sync_runs",
    "llm_usage",
    "audit_log",
    "settings",
    "secrets",
];

/// An arbitrary constant naming pa's migration lock.
const MIGRATION_LOCK: i64 = 0x7061_5f73_6368_656d;

/// The stored schema version; `None` when the database has no pa schema.
pub(super) async fn version(tx: &Transaction<'_>) -> Result<Option<u32>> {
    let exists: bool = tx
        .query_one("SELECT to_regclass('pa_schema') IS NOT NULL", &[])
        .await?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let v: Option<i32> = tx
        .query_opt("SELECT version FROM pa_schema", &[])
        .await?
        .map(|r| r.get(0));
    Ok(v.map(|v| v.max(0) as u32))
}

/// Refuses a schema newer than this code.
pub(super) fn check_version(found: u32, name: &str) -> Result<()> {
    if found > SCHEMA_VERSION {
        return Err(Error::DatabaseTooNew {
            path: name.into(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Brings the schema up to date (creating it in an empty database when `create`), and, when the
/// store's role bypasses row-level security, makes sure [`PERSON_ROLE`] exists and may use the
/// tables. Returns whether transactions must take that role.
pub(super) async fn migrate(tx: &Transaction<'_>, name: &str, create: bool) -> Result<bool> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let found = match version(tx).await? {
        Some(v) => v,
        None if create => {
            tx.batch_execute("CREATE TABLE pa_schema (version integer NOT NULL)")
                .await?;
            tx.execute("INSERT INTO pa_schema (version) VALUES (0)", &[])
                .await?;
            0
        }
        None => {
            return Err(Error::NoStore { path: name.into() });
        }
    };
    check_version(found, name)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).await?;
        tx.execute("UPDATE pa_schema SET version = $1", &[&(i as i32 + 1)])
            .await?;
    }
    let bypass: bool = tx
        .query_one(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await?
        .get(0);
    if bypass {
        tx.batch_execute(&format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PERSON_ROLE}') THEN
                 CREATE ROLE {PERSON_ROLE} NOLOGIN NOBYPASSRLS;
               END IF;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
             END $$;
             DO $$ BEGIN
               EXECUTE format('GRANT USAGE ON SCHEMA %I TO {PERSON_ROLE}', current_schema());
             END $$;
             GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {PERSON_ROLE};
             GRANT SELECT, UPDATE ON people TO {PERSON_ROLE};",
            PERSON_TABLES.join(", ")
        ))
        .await?;
    }
    Ok(bypass)
}
