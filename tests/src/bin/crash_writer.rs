//! The child process of the crash-safety test: opens the store given as the first argument and
//! writes batches of 50 transactions, each batch with its sync cursor (the batch number), until
//! it is killed.

use std::path::Path;
use std::process::ExitCode;

use pa_core::finance::{Account, AccountType, Transaction};
use pa_core::ids::{AccountId, TransactionId, UserId};
use pa_core::money::{Money, parse_currency};
use pa_core::ports::{SyncState, UserStore, WriteBatch};
use pa_integrations::storage::sqlite::Store;

/// Transactions per batch.
const BATCH: u64 = 50;

fn run(path: &Path) -> pa_integrations::Result<()> {
    let store = Store::open(path)?;
    let user = UserId::new("crash")?;
    store.create_user(&user)?;
    let handle = store.user(&user)?;
    let usd = parse_currency("USD")?;
    let account = Account::new(
        AccountId::new("chk")?,
        "Checking",
        AccountType::Depository,
        usd,
    );
    handle.apply(&WriteBatch {
        accounts: vec![account.clone()],
        ..WriteBatch::default()
    })?;
    let mut next = handle
        .sync_state("bulk")?
        .and_then(|s| s.cursor)
        .and_then(|c| c.parse::<u64>().ok())
        .unwrap_or(0)
        + 1;
    loop {
        let day = "2026-01-01".parse()?;
        let transactions = (0..BATCH)
            .map(|i| {
                let id = TransactionId::new(format!("b{next}-{i}"))?;
                Ok(Transaction::new(
                    id,
                    account.id.clone(),
                    day,
                    Money::from_minor(-(i as i64 + 1), usd),
                ))
            })
            .collect::<pa_integrations::Result<Vec<_>>>()?;
        let sync = vec![SyncState {
            source: "bulk".into(),
            cursor: Some(next.to_string()),
            last_success: None,
            last_error: None,
        }];
        handle.apply(&WriteBatch {
            transactions,
            sync,
            ..WriteBatch::default()
        })?;
        next += 1;
    }
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: pa-crash-writer DB");
        return ExitCode::from(2);
    };
    match run(Path::new(&path)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
