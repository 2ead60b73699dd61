//! A fresh database for each test, in the throw-away cluster `scripts/pg-cluster` starts
//! (`scripts/test` exports its URL as `PA_TEST_POSTGRES`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU32, Ordering};

/// The variable naming the test cluster's maintenance database.
pub const ENV: &str = "PA_TEST_POSTGRES";

/// The URL of a new, empty database in the test cluster; `None` (after saying so on stderr)
/// when no cluster is named, which fails instead when `CI` is set: under CI these tests must
/// run.
pub fn fresh_database(test: &str) -> Option<String> {
    let Ok(admin) = std::env::var(ENV) else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{test}: {ENV} is not set; under CI the PostgreSQL tests must run (scripts/test starts a cluster)"
            );
        }
        // Written to stderr directly, past the test harness's capture, so a skip is seen.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: no PostgreSQL test cluster ({ENV} unset; scripts/test starts one when PostgreSQL is installed)"
        );
        return None;
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "pa_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test cluster at {admin}: {e}"));
        let task = tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        drop(client);
        let _ = task.await;
    });
    // `postgres://pa@/postgres?host=…`: the database is the path's last segment (the url crate
    // refuses an empty host, which libpq's URLs allow for a socket directory).
    let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
    let (server, _) = base.rsplit_once('/').unwrap();
    Some(format!("{server}/{name}?{query}"))
}

/// A new PostgreSQL store in a fresh database (see [`fresh_database`]).
pub fn fresh_store(test: &str) -> Option<super::Store> {
    fresh_database(test).map(|url| super::Store::open(&url).unwrap())
}
