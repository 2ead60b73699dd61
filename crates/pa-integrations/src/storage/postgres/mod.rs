//! The PostgreSQL store, for a service of many people on one database.
//!
//! - Opened by URL (`postgres://user@host:port/db`, libpq's keywords and `?host=/socket/dir`
//!   included); TLS with rustls (ring, the Mozilla roots) when the URL's `sslmode` asks for it.
//! - The same ports as the SQLite store ([`UserStore`], the vault, people), and the same
//!   conformance suite. pa-core's upsert rules decide every write; this adapter looks rows up and
//!   writes them.
//! - Isolation by construction: every table of a person's data has `person_id` first in its
//!   primary key and every query names it; row-level security enforces it again (each
//!   transaction sets `pa.person`, and takes the role `pa_person` when the store connects as a
//!   role that bypasses the policies), so a query that forgot the scope would find nothing.
//! - A pool of connections (deadpool) on a small tokio runtime of the store's own: the port is
//!   synchronous, so each call waits for its future here. A caller already inside a tokio
//!   runtime is served on a scoped thread, never by blocking that runtime's reactor from within.
//! - Files: this one holds the pool and the handle's reads; `schema` the migrations, `writes` the
//!   batch writes and prunes, `vault` the secrets.

mod batch;
mod schema;
mod vault;
mod writes;

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use pa_core::finance::networth::BalanceHistory;
use pa_core::finance::{Account, BalanceSnapshot, Transaction};
use pa_core::fitness::{Activity, DailyHealth, Streams};
use pa_core::ids::{AccountId, ActivityId, UserId};
use pa_core::money::{Money, parse_currency};
use pa_core::ports::{
    AuditEntry, LlmUsage, PruneTarget, Record, Setting, SyncRecord, SyncRun, SyncState, UserStore,
    WriteBatch, WriteReport,
};
use pa_core::time::Day;
use rust_decimal::Decimal;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::error::{Error, Result};

pub use schema::SCHEMA_VERSION;

/// The connection pool's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// At most this many connections (the default: four per CPU).
    pub max_connections: usize,
    /// How long a caller waits for a free connection before an error says the pool is exhausted
    /// (the default: 10 s).
    pub wait: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: std::thread::available_parallelism().map_or(4, |n| n.get() * 4),
            wait: Duration::from_secs(10),
        }
    }
}

/// Whether `location` names a PostgreSQL database (`postgres://` or `postgresql://`).
pub fn is_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

struct Inner {
    pool: Pool,
    /// `None` only while dropping (the runtime is shut down without blocking).
    runtime: Option<tokio::runtime::Runtime>,
    /// How long a caller waits for a free connection.
    wait: Duration,
    /// The database as people may see it: the URL without its password.
    name: String,
    /// Transactions take [`schema::PERSON_ROLE`] (the store's role bypasses row-level security).
    person_role: bool,
    read_only: bool,
    closed: AtomicBool,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.pool.close();
        if let Some(rt) = self.runtime.take() {
            // Never blocks, so dropping the last handle inside an async task is safe.
            rt.shutdown_background();
        }
    }
}

/// A pa store in a PostgreSQL database.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("postgres::Store")
            .field("database", &self.inner.name)
            .finish_non_exhaustive()
    }
}

/// The URL without its password (for messages and `Debug`): the password of the user part and a
/// `password=` parameter become `***`. Written by hand: libpq's URLs may have an empty host (a
/// socket directory in `?host=`), which the url crate refuses.
pub fn redacted(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let authority = match authority.rsplit_once('@') {
                Some((user, host)) => match user.split_once(':') {
                    Some((name, _)) => format!("{name}:***@{host}"),
                    None => authority.to_owned(),
                },
                None => authority.to_owned(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => base.to_owned(),
    };
    if let Some(q) = query {
        let pairs: Vec<String> = q
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

fn bad_url(reason: impl std::fmt::Display) -> Error {
    Error::Core(pa_core::Error::invalid("database URL", reason.to_string()))
}

/// Server errors that say more than themselves.
enum Lost {
    /// The connection is gone (the server restarted or ended it).
    Connection,
    /// The server refused a write as read-only.
    ReadOnly,
    /// The server cancelled a statement (`statement_timeout`, a cancel request).
    Cancelled,
}

/// How a store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Existing,
    ReadOnly,
}

impl Store {
    /// Opens the pa store in the database at `url`, creating its schema when the database has
    /// none, and bringing an older one up to date. The database itself must exist.
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, Mode::Create, PoolOptions::default())
    }

    /// Opens an existing pa store; [`Error::NoStore`] when the database has no pa schema (nothing
    /// is created).
    pub fn open_existing(url: &str) -> Result<Self> {
        Self::open_with(url, Mode::Existing, PoolOptions::default())
    }

    /// Opens an existing pa store for reading: every write is [`Error::ReadOnly`], and reads run
    /// in read-only transactions.
    pub fn open_read_only(url: &str) -> Result<Self> {
        Self::open_with(url, Mode::ReadOnly, PoolOptions::default())
    }

    /// [`Store::open`] with a pool of these bounds.
    pub fn open_with_pool(url: &str, pool: PoolOptions) -> Result<Self> {
        Self::open_with(url, Mode::Create, pool)
    }

    fn open_with(url: &str, mode: Mode, pool: PoolOptions) -> Result<Self> {
        if !is_url(url) {
            return Err(bad_url("it must start with postgres:// or postgresql://"));
        }
        let name = redacted(url);
        let config = tokio_postgres::Config::from_str(url).map_err(bad_url)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("pa-postgres")
            .enable_all()
            .build()
            .map_err(|source| Error::Io {
                path: "tokio runtime".into(),
                source,
            })?;
        let tls = crate::http::tls_config().map_err(|e| bad_url(format!("TLS setup: {e}")))?;
        let manager = Manager::from_config(
            config,
            tokio_postgres_rustls::MakeRustlsConnect::new(tls),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let builder = Pool::builder(manager)
            .runtime(Runtime::Tokio1)
            .max_size(pool.max_connections.max(1))
            .timeouts(Timeouts {
                wait: Some(pool.wait),
                create: Some(Duration::from_secs(10)),
                recycle: Some(Duration::from_secs(5)),
            });
        let wait = pool.wait;
        let pool = {
            // The pool is built inside the runtime: its timeouts use tokio's timer.
            let _guard = runtime.enter();
            builder.build().map_err(|e| bad_url(e.to_string()))?
        };
        let mut store = Self {
            inner: Arc::new(Inner {
                pool,
                runtime: Some(runtime),
                wait,
                name,
                person_role: false,
                read_only: mode == Mode::ReadOnly,
                closed: AtomicBool::new(false),
            }),
        };
        let name = store.inner.name.clone();
        let person_role = store.block(|| async {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let role = match mode {
                Mode::ReadOnly => {
                    let v = schema::version(&tx)
                        .await?
                        .ok_or_else(|| Error::NoStore { path: name.clone().into() })?;
                    schema::check_version(v, &name)?;
                    if v < SCHEMA_VERSION {
                        // Brought up to date first, as SQLite's read-only open does.
                        schema::migrate(&tx, &name, false).await?
                    } else {
                        tx.query_one(
                            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
                            &[],
                        )
                        .await?
                        .get(0)
                    }
                }
                Mode::Existing => schema::migrate(&tx, &name, false).await?,
                Mode::Create => schema::migrate(&tx, &name, true).await?,
            };
            tx.commit().await?;
            Ok(role)
        })?;
        if let Some(inner) = Arc::get_mut(&mut store.inner) {
            inner.person_role = person_role;
        }
        Ok(store)
    }

    /// The database, as a URL without its password.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The schema version of the database.
    pub fn schema_version(&self) -> Result<u32> {
        self.block(|| async {
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            Ok(schema::version(&tx).await?.unwrap_or(0))
        })
    }

    /// Closes the pool: every later call, on the store or its handles, is [`Error::Closed`];
    /// closing twice is harmless.
    pub fn close(&self) -> Result<()> {
        if !self.inner.closed.swap(true, Ordering::SeqCst) {
            self.inner.pool.close();
        }
        Ok(())
    }

    /// Runs the future `make` gives to completion on the store's runtime. From inside another
    /// tokio runtime, on a scoped thread (a runtime cannot be blocked on from within one).
    fn block<T: Send, F: Future<Output = Result<T>>>(
        &self,
        make: impl FnOnce() -> F + Send,
    ) -> Result<T> {
        if self.inner.closed.load(Ordering::SeqCst) {
            return Err(Error::Closed);
        }
        let Some(rt) = self.inner.runtime.as_ref() else {
            return Err(Error::Closed);
        };
        let out = if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| {
                s.spawn(|| rt.block_on(make()))
                    .join()
                    .unwrap_or_else(|_| Err(storage_error("a PostgreSQL call panicked")))
            })
        } else {
            rt.block_on(make())
        };
        out.map_err(|e| self.classify(e))
    }

    /// A server error as the kind callers act on: a lost or refused connection (the server
    /// restarting, shutting down) is [`Error::Network`], so a caller may try again; a write the
    /// server refused as read-only is [`Error::ReadOnly`].
    fn classify(&self, e: Error) -> Error {
        match (self.classify_ref(&e), &e) {
            (Some(Lost::Connection), Error::Storage(s)) => Error::Network {
                service: format!("PostgreSQL at {}", self.inner.name),
                reason: s.to_string(),
            },
            (Some(Lost::ReadOnly), _) => Error::ReadOnly {
                path: self.inner.name.clone().into(),
            },
            (Some(Lost::Cancelled), _) => storage_error(format!(
                "PostgreSQL at {} cancelled a statement (its statement_timeout, or a cancel request); the transaction was rolled back",
                self.inner.name
            )),
            _ => e,
        }
    }

    /// What a server error means for the caller, when it means more than itself.
    fn classify_ref(&self, e: &Error) -> Option<Lost> {
        use tokio_postgres::error::SqlState;
        let Error::Storage(s) = e else { return None };
        let pg = s.postgres()?;
        match pg.code() {
            None if pg.is_closed()
                || std::error::Error::source(pg).is_some_and(|s| s.is::<std::io::Error>()) =>
            {
                Some(Lost::Connection)
            }
            Some(c)
                if *c == SqlState::ADMIN_SHUTDOWN
                    || *c == SqlState::CRASH_SHUTDOWN
                    || *c == SqlState::CANNOT_CONNECT_NOW
                    || c.code().starts_with("08") =>
            {
                Some(Lost::Connection)
            }
            Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION => Some(Lost::ReadOnly),
            Some(c) if *c == SqlState::QUERY_CANCELED => Some(Lost::Cancelled),
            _ => None,
        }
    }

    /// A pooled connection; waiting longer than the pool's `wait` is an error.
    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.inner.pool.get().await.map_err(|e| self.pool_error(e))
    }

    fn pool_error(&self, e: deadpool_postgres::PoolError) -> Error {
        use deadpool_postgres::PoolError as P;
        match e {
            P::Timeout(_) => storage_error(format!(
                "no free connection to {} within {} ms (all {} in use)",
                self.inner.name,
                self.inner.wait.as_millis(),
                self.inner.pool.status().max_size
            )),
            P::Closed => Error::Closed,
            P::Backend(e) => {
                use tokio_postgres::error::SqlState;
                let service = format!("PostgreSQL at {}", self.inner.name);
                let reason = e
                    .as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_owned());
                match e.code() {
                    Some(c) if *c == SqlState::INVALID_CATALOG_NAME => Error::NoStore {
                        path: self.inner.name.clone().into(),
                    },
                    Some(c)
                        if *c == SqlState::INVALID_PASSWORD
                            || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
                    {
                        Error::Auth { service, reason }
                    }
                    _ => Error::Network { service, reason },
                }
            }
            other => storage_error(other.to_string()),
        }
    }

    /// Runs `f` in one transaction scoped to `person` (row-level security sees only their rows):
    /// committed when it returns `Ok`, rolled back otherwise. `write` transactions are refused on
    /// a read-only store.
    async fn scoped<T>(
        &self,
        person: &str,
        write: bool,
        f: impl AsyncFnOnce(&deadpool_postgres::ClientWrapper) -> Result<T>,
    ) -> Result<T> {
        if write && self.inner.read_only {
            return Err(Error::ReadOnly {
                path: self.inner.name.clone().into(),
            });
        }
        let mut client = self.client().await?;
        let out = Self::in_transaction(
            &mut client,
            person,
            self.inner.read_only,
            self.inner.person_role,
            f,
        )
        .await
        .map_err(|e| self.damaged(e));
        if let Err(e) = &out
            && matches!(self.classify_ref(e), Some(Lost::Connection))
        {
            // A connection the server ended (a restart, an administrator) is not given back to
            // the pool, where it could still look open for a moment.
            drop(deadpool_postgres::Object::take(client));
        }
        out
    }

    /// `f` in one transaction scoped to `person`. BEGIN, the scope and `f`'s first statement
    /// are sent together (tokio-postgres pipelines requests polled at once), so a scoped read
    /// costs two round trips (that, and COMMIT) instead of four. Safe: the server runs them in
    /// order, and if BEGIN or the scope fails, every statement after it in the transaction fails
    /// too, so `f` never runs unscoped.
    async fn in_transaction<T>(
        client: &mut deadpool_postgres::Object,
        person: &str,
        read_only: bool,
        person_role: bool,
        f: impl AsyncFnOnce(&deadpool_postgres::ClientWrapper) -> Result<T>,
    ) -> Result<T> {
        let client: &deadpool_postgres::ClientWrapper = client;
        let scope = Self::scope_statement(client, person_role).await?;
        let begin = if read_only {
            "BEGIN READ ONLY"
        } else {
            "BEGIN"
        };
        let (began, scoped, out) = tokio::join!(
            client.batch_execute(begin),
            Self::scope(client, &scope, person, person_role),
            f(client)
        );
        match (began, scoped, out) {
            (Ok(()), Ok(_), Ok(out)) => {
                client.batch_execute("COMMIT").await?;
                Ok(out)
            }
            (began, scoped, out) => {
                // The first failure is the cause; a connection that is gone needs no rollback.
                let _ = client.batch_execute("ROLLBACK").await;
                began?;
                scoped?;
                out
            }
        }
    }

    /// The statement that scopes a transaction to a person (and, when the store's role bypasses
    /// row-level security, takes [`schema::PERSON_ROLE`]). Prepared before anything is
    /// pipelined behind it (cached per connection after its first use), so that its execution is
    /// sent before the statements it scopes.
    async fn scope_statement(
        client: &deadpool_postgres::ClientWrapper,
        person_role: bool,
    ) -> Result<tokio_postgres::Statement> {
        Ok(if person_role {
            // `set_config('role', …)` is `SET LOCAL ROLE`, in the same round trip.
            client
                .prepare_cached(
                    "SELECT set_config('pa.person', $1, true), set_config('role', $2, true)",
                )
                .await?
        } else {
            client
                .prepare_cached("SELECT set_config('pa.person', $1, true)")
                .await?
        })
    }

    async fn scope(
        client: &deadpool_postgres::ClientWrapper,
        statement: &tokio_postgres::Statement,
        person: &str,
        person_role: bool,
    ) -> Result<u64> {
        Ok(if person_role {
            client
                .execute(statement, &[&person, &schema::PERSON_ROLE])
                .await?
        } else {
            client.execute(statement, &[&person]).await?
        })
    }

    /// A decoding failure as [`Error::Corrupt`] naming this database.
    fn damaged(&self, e: Error) -> Error {
        match e {
            Error::Corrupt { path, reason } if path.as_os_str().is_empty() => Error::Corrupt {
                path: self.inner.name.clone().into(),
                reason,
            },
            Error::Record(e) => Error::Corrupt {
                path: self.inner.name.clone().into(),
                reason: format!("a stored record cannot be read: {e}"),
            },
            other => other,
        }
    }

    /// Adds a person (no change if they exist).
    pub fn create_user(&self, user: &UserId) -> Result<()> {
        self.store_write(|| async {
            let client = self.client().await?;
            client
                .execute(
                    "INSERT INTO people (person_id, created_at) VALUES ($1, $2) ON CONFLICT (person_id) DO NOTHING",
                    &[&user.as_str(), &Utc::now()],
                )
                .await?;
            Ok(())
        })
    }

    /// The people in the store, by id.
    pub fn users(&self) -> Result<Vec<UserId>> {
        self.block(|| async {
            let client = self.client().await?;
            let rows = client
                .query("SELECT person_id FROM people ORDER BY person_id", &[])
                .await?;
            rows.iter()
                .map(|r| UserId::new(r.get::<_, String>(0)).map_err(Error::from))
                .collect()
        })
    }

    /// One person's view of the store; [`Error::UnknownUser`] if they were never created.
    pub fn user(&self, user: &UserId) -> Result<UserHandle> {
        let exists: bool = self.block(|| async {
            let client = self.client().await?;
            Ok(client
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM people WHERE person_id = $1)",
                    &[&user.as_str()],
                )
                .await?
                .get(0))
        })?;
        if !exists {
            return Err(Error::UnknownUser {
                user: user.to_string(),
            });
        }
        Ok(UserHandle {
            store: self.clone(),
            user: user.clone(),
            pinned: None,
        })
    }

    /// Deletes a person and everything of theirs, in one transaction. Returns whether they existed.
    pub fn delete_user(&self, user: &UserId) -> Result<bool> {
        // Every table of a person's data references `people` with ON DELETE CASCADE.
        self.store_write(|| async {
            let client = self.client().await?;
            Ok(client
                .execute("DELETE FROM people WHERE person_id = $1", &[&user.as_str()])
                .await?
                > 0)
        })
    }

    /// Checks the store: every person's records are read and decoded; each problem found, in
    /// words (empty when healthy). The server's own checks (amcheck) cover the storage beneath.
    pub fn check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        for user in self.users()? {
            let h = self.user(&user)?;
            crate::storage::read_everything(&h, user.as_str(), &mut problems);
        }
        Ok(problems)
    }

    /// A write to the store's own tables (people, the vault), refused when read-only.
    fn store_write<T: Send, F: Future<Output = Result<T>>>(
        &self,
        make: impl FnOnce() -> F + Send,
    ) -> Result<T> {
        if self.inner.read_only {
            return Err(Error::ReadOnly {
                path: self.inner.name.clone().into(),
            });
        }
        self.block(make)
    }
}

/// An error of the PostgreSQL store in words.
fn storage_error(reason: impl Into<String>) -> Error {
    Error::Storage(crate::error::StorageError::message(reason.into()))
}

/// One person's view of a [`Store`].
#[derive(Clone)]
pub struct UserHandle {
    store: Store,
    user: UserId,
    /// Inside [`UserHandle::snapshot`]: the connection whose open transaction reads go to.
    pinned: Option<Arc<Pinned>>,
}

/// A connection held for a snapshot; emptied when the snapshot ends, after which a handle that
/// outlived it reads as any other (never outside a transaction).
struct Pinned(std::sync::Mutex<Option<deadpool_postgres::Object>>);

impl std::fmt::Debug for UserHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("postgres::UserHandle")
            .field("user", &self.user.as_str())
            .finish_non_exhaustive()
    }
}

impl UserHandle {
    /// The person.
    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// The store this handle reads and writes.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs `f` with this person's reads in one read-only transaction on one connection: one
    /// consistent snapshot (REPEATABLE READ), and one BEGIN and COMMIT for all of them instead
    /// of one each (a briefing makes 13 reads). Writes inside go through their own transactions.
    pub fn snapshot<T>(&self, f: impl FnOnce(&UserHandle) -> Result<T>) -> Result<T> {
        if self.pinned.is_some() {
            return f(self);
        }
        let person_role = self.store.inner.person_role;
        let user = self.user.as_str();
        let client = self.store.block(|| async {
            let client = self.store.client().await?;
            let scope = Store::scope_statement(&client, person_role).await?;
            let (began, scoped) = tokio::join!(
                client.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
                Store::scope(&client, &scope, user, person_role)
            );
            if began.is_err() || scoped.is_err() {
                let _ = client.batch_execute("ROLLBACK").await;
            }
            began?;
            scoped?;
            Ok(client)
        })?;
        let pinned = Arc::new(Pinned(std::sync::Mutex::new(Some(client))));
        let out = f(&UserHandle {
            store: self.store.clone(),
            user: self.user.clone(),
            pinned: Some(Arc::clone(&pinned)),
        });
        let client = pinned
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(client) = client {
            let end = if out.is_ok() { "COMMIT" } else { "ROLLBACK" };
            let ended = self
                .store
                .block(|| async { Ok(client.batch_execute(end).await?) });
            if let Err(e) = ended {
                if matches!(self.store.classify_ref(&e), Some(Lost::Connection)) {
                    drop(deadpool_postgres::Object::take(client));
                }
                // The view's own error comes first; else the failed end.
                return out.and(Err(e));
            }
        }
        out
    }

    /// Runs `f` in a read transaction scoped to this person (inside a snapshot, in its
    /// transaction). A connection found lost (the server restarted) is replaced and the read
    /// tried once more: reads change nothing.
    fn read<T: Send>(
        &self,
        f: impl AsyncFn(&deadpool_postgres::ClientWrapper, &str) -> Result<T> + Send + Sync,
    ) -> Result<T> {
        let user = self.user.as_str();
        if let Some(pinned) = &self.pinned {
            let guard = pinned
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(client) = guard.as_ref() {
                let client: &deadpool_postgres::ClientWrapper = client;
                return self
                    .store
                    .block(|| async { f(client, user).await.map_err(|e| self.store.damaged(e)) });
            }
        }
        let once = || {
            self.store.block(|| async {
                self.store
                    .scoped(user, false, async |tx| f(tx, user).await)
                    .await
            })
        };
        match once() {
            Err(Error::Network { .. }) => once(),
            other => other,
        }
    }

    /// Runs `f` in a write transaction scoped to this person, holding their write lock.
    fn write<T: Send>(
        &self,
        f: impl AsyncFnOnce(&deadpool_postgres::ClientWrapper, &str) -> Result<T> + Send,
    ) -> Result<T> {
        let user = self.user.as_str();
        self.store.block(|| async move {
            self.store
                .scoped(user, true, async |tx| {
                    // One writer per person at a time: the upsert rule reads, then writes.
                    let found = tx
                        .query_opt(
                            "SELECT 1 FROM people WHERE person_id = $1 FOR UPDATE",
                            &[&user],
                        )
                        .await?;
                    if found.is_none() {
                        return Err(Error::UnknownUser {
                            user: user.to_owned(),
                        });
                    }
                    f(tx, user).await
                })
                .await
        })
    }
}

/// A day as PostgreSQL's `date`.
fn date(d: Day) -> NaiveDate {
    d.naive()
}

/// A stored record's JSON body (column 0), naming it by column 1 when it does not decode.
fn body<T: serde::de::DeserializeOwned>(row: &Row, what: &str) -> Result<T> {
    let text: &str = row.try_get(0)?;
    serde_json::from_str(text).map_err(|e| {
        let key = row
            .try_get::<_, String>(1)
            .unwrap_or_else(|_| "?".to_owned());
        Error::Corrupt {
            path: std::path::PathBuf::new(),
            reason: format!("stored {what} '{}' cannot be read: {e}", key.escape_debug()),
        }
    })
}

async fn bodies<T: serde::de::DeserializeOwned>(
    tx: &deadpool_postgres::ClientWrapper,
    what: &str,
    sql: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Vec<T>> {
    let stmt = tx.prepare_cached(sql).await?;
    tx.query(&stmt, args)
        .await?
        .iter()
        .map(|r| body(r, what))
        .collect()
}

/// The rows of a query selecting `body, key`, undecoded: records of a generic kind are decoded
/// by [`decode`] on the caller's thread (a record type need not be `Send`).
async fn raw_bodies(
    tx: &deadpool_postgres::ClientWrapper,
    sql: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Vec<(String, String)>> {
    let stmt = tx.prepare_cached(sql).await?;
    tx.query(&stmt, args)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Records of kind `R` from [`raw_bodies`]; one that does not decode is [`Error::Corrupt`].
fn decode<R: Record>(store: &Store, rows: Vec<(String, String)>) -> Result<Vec<R>> {
    rows.into_iter()
        .map(|(json, key)| {
            serde_json::from_str(&json).map_err(|e| {
                store.damaged(Error::Corrupt {
                    path: std::path::PathBuf::new(),
                    reason: format!(
                        "stored {} '{}' cannot be read: {e}",
                        R::KIND,
                        key.escape_debug()
                    ),
                })
            })
        })
        .collect()
}

/// Activities from rows of `body, id, streams`.
async fn activities_of(
    tx: &deadpool_postgres::ClientWrapper,
    sql: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Activity>> {
    let stmt = tx.prepare_cached(sql).await?;
    let rows = tx.query(&stmt, args).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut a: Activity = body(r, "activity")?;
        if let Some(bytes) = r.try_get::<_, Option<&[u8]>>(2)? {
            a.streams = Some(Streams::from_bytes(bytes).map_err(|e| Error::Corrupt {
                path: std::path::PathBuf::new(),
                reason: format!("activity {}: {e}", a.id),
            })?);
        }
        out.push(a);
    }
    Ok(out)
}

/// An exact decimal read as text (`numeric::text`).
fn decimal(text: &str) -> Result<Decimal> {
    text.parse().map_err(|_| {
        Error::Core(pa_core::Error::invalid(
            "stored amount",
            format!("'{text}' is not a decimal"),
        ))
    })
}

const BALANCE_COLUMNS: &str =
    "account_id, day, currency, current::text, available::text, credit_limit::text";

/// A balance from a row of [`BALANCE_COLUMNS`].
fn balance_of(r: &Row) -> Result<BalanceSnapshot> {
    let currency = parse_currency(r.try_get(2)?)?;
    let money = |i: usize| -> Result<Option<Money>> {
        r.try_get::<_, Option<&str>>(i)?
            .map(|t| Ok(Money::new(decimal(t)?, currency)))
            .transpose()
    };
    let mut b = BalanceSnapshot::new(
        AccountId::new(r.try_get::<_, String>(0)?)?,
        Day::from_naive(r.try_get(1)?),
        Money::new(decimal(r.try_get(3)?)?, currency),
    );
    b.available = money(4)?;
    b.limit = money(5)?;
    Ok(b)
}

/// `[from 00:00, to + 1 00:00)` in UTC.
fn day_bounds(from: Day, to: Day) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let midnight = |d: Day| d.naive().and_time(chrono::NaiveTime::MIN).and_utc();
    Ok((midnight(from), midnight(to.succ()?)))
}

impl UserStore for UserHandle {
    type Error = Error;

    fn apply(&self, batch: &WriteBatch) -> Result<WriteReport> {
        let origin = super::origin(batch)?;
        self.write(async |tx, user| writes::apply(tx, user, batch, origin).await)
    }

    fn activities(&self, from: Day, to: Day) -> Result<Vec<Activity>> {
        self.read(async |tx, user| {
            activities_of(
                tx,
                "SELECT body, id, streams FROM activities WHERE person_id = $1 AND day BETWEEN $2 AND $3 ORDER BY start_utc, id",
                &[&user, &date(from), &date(to)],
            )
            .await
        })
    }

    fn activity(&self, id: &ActivityId) -> Result<Option<Activity>> {
        self.read(async |tx, user| {
            Ok(activities_of(
                tx,
                "SELECT body, id, streams FROM activities WHERE person_id = $1 AND id = $2",
                &[&user, &id.as_str()],
            )
            .await?
            .into_iter()
            .next())
        })
    }

    fn daily_health(&self, from: Day, to: Day) -> Result<Vec<DailyHealth>> {
        self.read(async |tx, user| {
            bodies(
                tx,
                "daily health",
                "SELECT body, day::text FROM daily_health WHERE person_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
                &[&user, &date(from), &date(to)],
            )
            .await
        })
    }

    fn daily_loads(&self, from: Day, to: Day) -> Result<Vec<(Day, f64)>> {
        self.read(async |tx, user| {
            let stmt = tx
                .prepare_cached(
                    "SELECT day, training_load FROM activities WHERE person_id = $1 AND day BETWEEN $2 AND $3
                     AND training_load IS NOT NULL ORDER BY day, start_utc, id",
                )
                .await?;
            let rows = tx.query(&stmt, &[&user, &date(from), &date(to)]).await?;
            rows.iter()
                .map(|r| Ok((Day::from_naive(r.try_get(0)?), r.try_get(1)?)))
                .collect()
        })
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        self.read(async |tx, user| {
            bodies(
                tx,
                "account",
                "SELECT body, id FROM accounts WHERE person_id = $1 ORDER BY id",
                &[&user],
            )
            .await
        })
    }

    fn transactions(&self, from: Day, to: Day) -> Result<Vec<Transaction>> {
        self.read(async |tx, user| {
            bodies(
                tx,
                "transaction",
                "SELECT body, id FROM transactions WHERE person_id = $1 AND posted BETWEEN $2 AND $3 ORDER BY posted, id",
                &[&user, &date(from), &date(to)],
            )
            .await
        })
    }

    fn balance_histories(&self, from: Day, to: Day) -> Result<Vec<BalanceHistory>> {
        self.read(async |tx, user| {
            // The balances in the range, and each account's last one before it (which carries in):
            // one index probe per account, where DISTINCT ON read every earlier balance.
            let stmt = tx
                .prepare_cached(&format!(
                    "SELECT {BALANCE_COLUMNS} FROM (
                       (SELECT * FROM balances WHERE person_id = $1 AND day BETWEEN $2 AND $3)
                       UNION ALL
                       (SELECT last.* FROM accounts a CROSS JOIN LATERAL
                          (SELECT * FROM balances b WHERE b.person_id = a.person_id AND b.account_id = a.id
                           AND b.day < $2 ORDER BY b.day DESC LIMIT 1) last
                        WHERE a.person_id = $1)
                     ) b ORDER BY account_id, day"
                ))
                .await?;
            let rows = tx.query(&stmt, &[&user, &date(from), &date(to)]).await?;
            let mut out: Vec<BalanceHistory> = Vec::new();
            for r in &rows {
                let b = balance_of(r)?;
                match out.last_mut() {
                    Some(h) if h.account == b.account => h.points.push((b.day, b.current)),
                    _ => out.push(BalanceHistory {
                        account: b.account,
                        points: vec![(b.day, b.current)],
                    }),
                }
            }
            Ok(out)
        })
    }

    fn balances(&self, from: Day, to: Day) -> Result<Vec<BalanceSnapshot>> {
        self.read(async |tx, user| {
            let stmt = tx
                .prepare_cached(&format!(
                    "SELECT {BALANCE_COLUMNS} FROM balances WHERE person_id = $1 AND day BETWEEN $2 AND $3 ORDER BY account_id, day"
                ))
                .await?;
            tx.query(&stmt, &[&user, &date(from), &date(to)])
                .await?
                .iter()
                .map(balance_of)
                .collect()
        })
    }

    fn latest_balances(&self, day: Day) -> Result<Vec<BalanceSnapshot>> {
        self.read(async |tx, user| {
            let stmt = tx
                .prepare_cached(&format!(
                    "SELECT {BALANCE_COLUMNS} FROM (SELECT last.* FROM accounts a CROSS JOIN LATERAL
                       (SELECT * FROM balances b WHERE b.person_id = a.person_id AND b.account_id = a.id
                        AND b.day <= $2 ORDER BY b.day DESC LIMIT 1) last
                     WHERE a.person_id = $1) b ORDER BY account_id"
                ))
                .await?;
            tx.query(&stmt, &[&user, &date(day)])
                .await?
                .iter()
                .map(balance_of)
                .collect()
        })
    }

    fn records<R: Record>(&self, span: Option<(Day, Day)>) -> Result<Vec<R>> {
        let kind = R::KIND.as_str();
        let point = R::POINT;
        let rows = self.read(async |tx, user| match span {
            None => {
                raw_bodies(
                    tx,
                    "SELECT body, id FROM records WHERE person_id = $1 AND kind = $2 ORDER BY day, id",
                    &[&user, &kind],
                )
                .await
            }
            Some((from, to)) if point => {
                raw_bodies(
                    tx,
                    "SELECT body, id FROM records WHERE person_id = $1 AND kind = $2 AND day BETWEEN $3 AND $4 ORDER BY day, id",
                    &[&user, &kind, &date(from), &date(to)],
                )
                .await
            }
            Some((from, to)) => {
                raw_bodies(
                    tx,
                    "SELECT body, id FROM records WHERE person_id = $1 AND kind = $2 AND day <= $4
                     AND (day_end >= $3 OR day_end IS NULL) ORDER BY day, id",
                    &[&user, &kind, &date(from), &date(to)],
                )
                .await
            }
        })?;
        decode(&self.store, rows)
    }

    fn record<R: Record>(&self, key: &str) -> Result<Option<R>> {
        let kind = R::KIND.as_str();
        let rows = self.read(async |tx, user| {
            raw_bodies(
                tx,
                "SELECT body, id FROM records WHERE person_id = $1 AND kind = $2 AND id = $3",
                &[&user, &kind, &key],
            )
            .await
        })?;
        Ok(decode(&self.store, rows)?.into_iter().next())
    }

    fn children<R: Record>(&self, parent: &str) -> Result<Vec<R>> {
        let kind = R::KIND.as_str();
        let rows = self.read(async |tx, user| {
            raw_bodies(
                tx,
                "SELECT body, id FROM records WHERE person_id = $1 AND kind = $2 AND parent = $3 ORDER BY day, id",
                &[&user, &kind, &parent],
            )
            .await
        })?;
        decode(&self.store, rows)
    }

    fn sync_state(&self, source: &str) -> Result<Option<SyncState>> {
        Ok(self.sync_states()?.into_iter().find(|s| s.source == source))
    }

    fn sync_states(&self) -> Result<Vec<SyncState>> {
        self.read(async |tx, user| {
            let stmt = tx
                .prepare_cached(
                    "SELECT source, cursor, last_success, last_error FROM sync_state WHERE person_id = $1 ORDER BY source",
                )
                .await?;
            tx.query(&stmt, &[&user])
                .await?
                .iter()
                .map(|r| {
                    Ok(SyncState {
                        source: r.try_get(0)?,
                        cursor: r.try_get(1)?,
                        last_success: r.try_get(2)?,
                        last_error: r.try_get(3)?,
                    })
                })
                .collect()
        })
    }

    fn sync_records(&self, source: &str) -> Result<Vec<SyncRecord>> {
        self.read(async |tx, user| {
            let stmt = tx
                .prepare_cached(
                    "SELECT kind, local_key, remote_id, hash, etag, synced_at FROM sync_records
                     WHERE person_id = $1 AND source = $2 ORDER BY kind, local_key",
                )
                .await?;
            tx.query(&stmt, &[&user, &source])
                .await?
                .iter()
                .map(|r| {
                    Ok(SyncRecord {
                        source: source.to_owned(),
                        kind: r.try_get::<_, &str>(0)?.parse()?,
                        local_key: r.try_get(1)?,
                        remote_id: r.try_get(2)?,
                        hash: r.try_get(3)?,
                        etag: r.try_get(4)?,
                        synced_at: r.try_get(5)?,
                    })
                })
                .collect()
        })
    }

    fn sync_runs(&self, source: Option<&str>, limit: usize) -> Result<Vec<SyncRun>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(async |tx, user| {
            let stmt = tx
                .prepare_cached(
                    "SELECT source, started, finished, added, updated, deleted, outcome, error FROM sync_runs
                     WHERE person_id = $1 AND ($2::text IS NULL OR source = $2) ORDER BY started DESC, source LIMIT $3",
                )
                .await?;
            tx.query(&stmt, &[&user, &source, &limit])
                .await?
                .iter()
                .map(|r| {
                    Ok(SyncRun {
                        source: r.try_get(0)?,
                        started: r.try_get(1)?,
                        finished: r.try_get(2)?,
                        added: r.try_get::<_, i64>(3)?.max(0) as u64,
                        updated: r.try_get::<_, i64>(4)?.max(0) as u64,
                        deleted: r.try_get::<_, i64>(5)?.max(0) as u64,
                        outcome: r.try_get::<_, &str>(6)?.parse()?,
                        error: r.try_get(7)?,
                    })
                })
                .collect()
        })
    }

    fn llm_usage(&self, from: Day, to: Day) -> Result<Vec<LlmUsage>> {
        let (lo, hi) = day_bounds(from, to)?;
        self.read(async |tx, user| {
            let stmt = tx
                .prepare_cached(
                    "SELECT at, model, purpose, tokens_in, tokens_out, cost::text, currency FROM llm_usage
                     WHERE person_id = $1 AND at >= $2 AND at < $3 ORDER BY at, model",
                )
                .await?;
            tx.query(&stmt, &[&user, &lo, &hi])
                .await?
                .iter()
                .map(|r| {
                    let cost = match (r.try_get::<_, Option<&str>>(5)?, r.try_get::<_, Option<&str>>(6)?) {
                        (Some(a), Some(c)) => Some(Money::new(decimal(a)?, parse_currency(c)?)),
                        _ => None,
                    };
                    Ok(LlmUsage {
                        at: r.try_get(0)?,
                        model: r.try_get(1)?,
                        purpose: r.try_get(2)?,
                        tokens_in: r.try_get::<_, i64>(3)?.max(0) as u64,
                        tokens_out: r.try_get::<_, i64>(4)?.max(0) as u64,
                        cost,
                    })
                })
                .collect()
        })
    }

    fn audit_log(&self, from: Day, to: Day) -> Result<Vec<AuditEntry>> {
        let (lo, hi) = day_bounds(from, to)?;
        self.read(async |tx, user| {
            let stmt = tx
                .prepare_cached(
                    "SELECT at, origin, kind, key, action FROM audit_log
                     WHERE person_id = $1 AND at >= $2 AND at < $3 ORDER BY at, seq",
                )
                .await?;
            tx.query(&stmt, &[&user, &lo, &hi])
                .await?
                .iter()
                .map(|r| {
                    Ok(AuditEntry {
                        at: r.try_get(0)?,
                        origin: r.try_get(1)?,
                        kind: r.try_get::<_, &str>(2)?.parse()?,
                        key: r.try_get(3)?,
                        action: r.try_get::<_, &str>(4)?.parse()?,
                    })
                })
                .collect()
        })
    }

    fn settings(&self) -> Result<Vec<Setting>> {
        self.read(async |tx, user| {
            let stmt = tx
                .prepare_cached("SELECT key, value FROM settings WHERE person_id = $1 ORDER BY key")
                .await?;
            tx.query(&stmt, &[&user])
                .await?
                .iter()
                .map(|r| {
                    Ok(Setting {
                        key: r.try_get(0)?,
                        value: Some(r.try_get(1)?),
                    })
                })
                .collect()
        })
    }

    fn prune(&self, target: PruneTarget, before: Day) -> Result<u64> {
        self.write(async |tx, user| writes::prune(tx, user, target, before).await)
    }
}

#[cfg(test)]
mod tests;

#[cfg(any(test, feature = "testing"))]
pub mod testing;
