use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use pa_core::ports::UserStore;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::assistant::{Access, Assistant, Location, Person};
use crate::fakes::Reply;
use crate::fakes::plaid::{self as fake, FakePlaid};
use crate::http::{HttpConfig, ManualTimer, Transport};
use crate::sync::dashboard::Cancel;
use crate::sync::source::{UpdateReport, Updater};

struct Setup {
    fake: Arc<FakePlaid>,
    api: Arc<Plaid>,
    person: Person,
    item: Item,
    _server: crate::fakes::Running,
    _pa: Assistant,
}

async fn setup() -> Setup {
    let fake = FakePlaid::new("client-1", "secret-1");
    let server = fake.start().await;
    let (item_id, token) = fake.add_item("ins_109508");
    fake.add_account(
        &item_id,
        fake::account(
            "acc-chk",
            "Checking",
            "depository",
            "0000",
            Some("110.25"),
            Some("100.00"),
        ),
    );
    fake.add_account(
        &item_id,
        fake::account("acc-cc", "Card", "credit", "3333", Some("410.10"), None),
    );
    let timer = Arc::new(ManualTimer::new("2026-12-05T10:00:00Z".parse().unwrap()));
    let transport = Arc::new(
        Transport::new(
            HttpConfig {
                jitter_seed: Some(3),
                ..HttpConfig::default()
            },
            timer.clone(),
            timer,
            &[],
        )
        .unwrap(),
    );
    let api = Arc::new(Plaid::new(
        transport,
        server.url.clone(),
        "client-1",
        Secret::new("secret-1"),
    ));
    let pa = Assistant::open(&Location::Memory, Access::Create).unwrap();
    let person = pa.person("me", true).unwrap();
    Setup {
        fake,
        api,
        person,
        item: Item {
            item_id,
            access_token: Secret::new(token),
        },
        _server: server,
        _pa: pa,
    }
}

fn now() -> DateTime<Utc> {
    static RUNS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    "2026-12-05T10:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::TimeDelta::seconds(n)
}

async fn sync(s: &Setup, page: u32) -> crate::error::Result<UpdateReport> {
    let source = TransactionsSource::new(s.api.clone(), s.item.clone()).with_page_size(page);
    Updater {
        store: &s.person,
        source: &source,
        cancel: Cancel::default(),
    }
    .run(now(), &mut |_| {})
    .await
}

/// The store's Plaid transactions as (id, amount, date, pending, pending id).
type Row = (String, String, String, bool, Option<String>);

fn local(person: &Person) -> BTreeMap<String, Row> {
    person
        .transactions(Day::EARLIEST, Day::LATEST)
        .unwrap()
        .into_iter()
        .filter(|t| t.external.as_ref().is_some_and(|e| e.source() == SOURCE))
        .map(|t| {
            let id = t.id.to_string();
            let row = (
                id.clone(),
                t.amount.amount().to_string(),
                t.posted.to_string(),
                t.pending,
                t.pending_id.map(|p| p.to_string()),
            );
            (id, row)
        })
        .collect()
}

/// The fake's ledger in pa's terms: ids prefixed, signs flipped.
fn remote(fake: &FakePlaid, item: &str) -> BTreeMap<String, Row> {
    fake.ledger(item)
        .into_values()
        .map(|t| {
            let id = format!("plaid-{}", t["transaction_id"].as_str().unwrap());
            let mut amount: Decimal = t["amount"].to_string().parse().unwrap();
            if amount.scale() < 2 {
                amount.rescale(2);
            }
            let row = (
                id.clone(),
                (-amount).to_string(),
                t["date"].as_str().unwrap().to_owned(),
                t["pending"].as_bool().unwrap(),
                t["pending_transaction_id"]
                    .as_str()
                    .map(|p| format!("plaid-{p}")),
            );
            (id, row)
        })
        .collect()
}

#[tokio::test]
async fn sync_pages_apply_adds_edits_removals_and_pending_to_posted_exactly() {
    let s = setup().await;
    let item = s.item.item_id.clone();
    s.fake.add(
        &item,
        fake::transaction("t1", "acc-chk", "12.50", "2026-11-02", false),
    );
    s.fake.add(
        &item,
        fake::transaction("t2", "acc-chk", "-2500.00", "2026-11-01", false),
    );
    s.fake.add(
        &item,
        fake::transaction("t3", "acc-cc", "0.10", "2026-11-03", true),
    );
    s.fake.add(
        &item,
        fake::transaction("t4", "acc-cc", "99.99", "2026-11-04", false),
    );
    let first = sync(&s, 2).await.unwrap();
    assert_eq!(
        (first.pages, first.written.added),
        (2, 6),
        "2 accounts + 4 transactions"
    );
    assert_eq!(local(&s.person), remote(&s.fake, &item));
    let t1 = s
        .person
        .transactions(Day::EARLIEST, Day::LATEST)
        .unwrap()
        .into_iter()
        .find(|t| t.id.as_str() == "plaid-t1")
        .unwrap();
    assert_eq!(
        t1.amount.to_string(),
        "-12.50 USD",
        "money out is negative, exactly"
    );
    assert_eq!(t1.category.unwrap().path(), "Food and drink/Coffee");
    let accounts = s.person.accounts().unwrap();
    assert_eq!(accounts.len(), 2);
    assert!(accounts.iter().all(|a| a.mask.is_some()));
    assert_eq!(
        accounts
            .iter()
            .find(|a| a.id.as_str() == "plaid-acc-cc")
            .unwrap()
            .kind,
        AccountType::Credit
    );

    // Pending to posted, an edit and a removal, on pages of one.
    s.fake.post(&item, "t3", "t3p", "2026-11-05");
    s.fake.modify(&item, "t1", "13.75");
    s.fake.remove(&item, "t4");
    let second = sync(&s, 1).await.unwrap();
    assert_eq!(second.pages, 4);
    assert_eq!(local(&s.person), remote(&s.fake, &item));
    let rows = local(&s.person);
    assert!(!rows.contains_key("plaid-t3") && !rows.contains_key("plaid-t4"));
    assert_eq!(rows["plaid-t3p"].4.as_deref(), Some("plaid-t3"));
    assert_eq!(rows["plaid-t1"].1, "-13.75");

    // Nothing new: one page, nothing written.
    let third = sync(&s, 500).await.unwrap();
    assert_eq!(
        (third.pages, third.written.added, third.written.updated),
        (1, 0, 0)
    );
}

#[tokio::test]
async fn a_change_between_pages_restarts_the_update_from_its_first_cursor() {
    let s = setup().await;
    let item = s.item.item_id.clone();
    for i in 0..5 {
        s.fake.add(
            &item,
            fake::transaction(&format!("a{i}"), "acc-chk", "1.00", "2026-11-01", false),
        );
    }
    s.fake.between_pages(&item, |f| {
        f.add(
            &item,
            fake::transaction("late", "acc-chk", "7.00", "2026-11-02", true),
        );
        f.remove(&item, "a0");
    });
    let report = sync(&s, 2).await.unwrap();
    assert_eq!(report.restarts, 1);
    assert_eq!(s.fake.counts().mutations, 1);
    assert_eq!(local(&s.person), remote(&s.fake, &item));
    assert!(local(&s.person).contains_key("plaid-late"));
}

#[tokio::test]
async fn login_required_is_a_relink_error_and_keeps_the_cursor() {
    let s = setup().await;
    let item = s.item.item_id.clone();
    s.fake.add(
        &item,
        fake::transaction("t1", "acc-chk", "5.00", "2026-11-01", false),
    );
    sync(&s, 500).await.unwrap();
    let cursor = s
        .person
        .sync_state(&format!("plaid:{item}"))
        .unwrap()
        .unwrap()
        .cursor;
    s.fake.set_login_required(&item, true);
    let err = sync(&s, 500).await.unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Auth);
    assert_eq!(
        err.to_string(),
        format!(
            "plaid:{item}: sign-in needed again (re-link needed (ITEM_LOGIN_REQUIRED: the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information))"
        )
    );
    let state = s
        .person
        .sync_state(&format!("plaid:{item}"))
        .unwrap()
        .unwrap();
    assert_eq!(state.cursor, cursor);
    assert!(state.last_error.unwrap().contains("re-link needed"));
    s.fake.set_login_required(&item, false);
    s.fake.add(
        &item,
        fake::transaction("t2", "acc-chk", "6.00", "2026-11-02", false),
    );
    sync(&s, 500).await.unwrap();
    assert_eq!(local(&s.person), remote(&s.fake, &item));
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_then_reported() {
    let s = setup().await;
    let item = s.item.item_id.clone();
    s.fake.add(
        &item,
        fake::transaction("t1", "acc-chk", "5.00", "2026-11-01", false),
    );
    let limited = r#"{"error_type":"RATE_LIMIT_EXCEEDED","error_code":"TRANSACTIONS_SYNC_LIMIT","error_message":"rate limit exceeded for attempts to access this item. please try again later","display_message":null,"request_id":"rq1"}"#;
    let failed = r#"{"error_type":"API_ERROR","error_code":"INTERNAL_SERVER_ERROR","error_message":"an unexpected error occurred","display_message":null,"request_id":"rq2"}"#;
    s.fake.inject(Reply::json(429, limited));
    s.fake.inject(Reply::json(500, failed));
    s.fake
        .inject(Reply::json(200, r#"{"added": [{"transaction_id""#));
    sync(&s, 500).await.unwrap();
    assert_eq!(local(&s.person), remote(&s.fake, &item));
    // The fake's own per-minute limit outlasts the retries (its clock does not move).
    s.fake.set_rate_limit(Some(0));
    let err = sync(&s, 500).await.unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::RateLimited);
    assert_eq!(err.to_string(), format!("plaid:{item}: rate limited"));
    assert_eq!(s.fake.counts().rate_limited, 4);
    s.fake.set_rate_limit(None);
    sync(&s, 500).await.unwrap();
}

#[tokio::test]
async fn a_cursor_of_another_item_lists_everything_again() {
    let s = setup().await;
    let item = s.item.item_id.clone();
    s.fake.add(
        &item,
        fake::transaction("t1", "acc-chk", "5.00", "2026-11-01", false),
    );
    sync(&s, 500).await.unwrap();
    let (other, other_token) = s.fake.add_item("ins_3");
    let other_source = TransactionsSource::new(
        s.api.clone(),
        Item {
            item_id: other.clone(),
            access_token: Secret::new(other_token),
        },
    );
    // The other Item's state holds this Item's cursor (a mix-up of stored cursors).
    let mine = s
        .person
        .sync_state(&format!("plaid:{item}"))
        .unwrap()
        .unwrap();
    s.person
        .apply(&pa_core::ports::WriteBatch {
            sync: vec![pa_core::ports::SyncState {
                source: format!("plaid:{other}"),
                ..mine
            }],
            ..Default::default()
        })
        .unwrap();
    let report = Updater {
        store: &s.person,
        source: &other_source,
        cancel: Cancel::default(),
    }
    .run(now(), &mut |_| {})
    .await
    .unwrap();
    assert!(report.resynced);
    assert_eq!(
        local(&s.person),
        remote(&s.fake, &item),
        "nothing of this Item lost"
    );
}

#[tokio::test]
async fn a_new_item_without_data_keeps_no_cursor_until_data_comes() {
    let s = setup().await;
    let item = s.item.item_id.clone();
    s.fake.set_not_ready(&item, true);
    let report = sync(&s, 500).await.unwrap();
    assert_eq!(report.written.added, 0);
    s.fake.add(
        &item,
        fake::transaction("t1", "acc-chk", "5.00", "2026-11-01", false),
    );
    sync(&s, 500).await.unwrap();
    assert_eq!(local(&s.person).len(), 1);
}

#[tokio::test]
async fn snapshots_store_one_balance_per_account_per_day_and_holdings() {
    let s = setup().await;
    let item = s.item.item_id.clone();
    s.fake.add_account(
        &item,
        fake::account(
            "acc-inv",
            "Brokerage",
            "investment",
            "9999",
            Some("1520.00"),
            None,
        ),
    );
    s.fake.set_holdings(
        &item,
        vec![
            json!({"security_id": "sec-vti", "name": "Vanguard Total Stock Market ETF",
            "ticker_symbol": "VTI", "type": "etf", "iso_currency_code": "USD",
            "unofficial_currency_code": null, "isin": null, "cusip": null, "close_price": 304.0,
            "is_cash_equivalent": false}),
        ],
        vec![
            json!({"account_id": "acc-inv", "security_id": "sec-vti", "institution_price": 304.0,
            "institution_price_as_of": "2026-12-04", "institution_value": 1520.0,
            "cost_basis": 1200.5, "quantity": 5.0, "iso_currency_code": "USD",
            "unofficial_currency_code": null}),
        ],
    );
    let today: Day = "2026-12-05".parse().unwrap();
    let snap = |s: &Setup| SnapshotSource::new(s.api.clone(), s.item.clone(), today);
    for current in ["110.25", "95.10"] {
        s.fake.set_balance(&item, "acc-chk", current, Some("90.00"));
        let source = snap(&s);
        Updater {
            store: &s.person,
            source: &source,
            cancel: Cancel::default(),
        }
        .run(now(), &mut |_| {})
        .await
        .unwrap();
    }
    let balances = s.person.balances(today, today).unwrap();
    assert_eq!(
        balances.len(),
        3,
        "one per account on the day: {balances:?}"
    );
    let chk = balances
        .iter()
        .find(|b| b.account.as_str() == "plaid-acc-chk")
        .unwrap();
    assert_eq!(
        chk.current.to_string(),
        "95.10 USD",
        "the day's last snapshot"
    );
    let holdings = s.person.records::<Holding>(None).unwrap();
    assert_eq!(holdings.len(), 1);
    assert_eq!(holdings[0].quantity, Decimal::from(5));
    assert_eq!(holdings[0].cost_basis.unwrap().to_string(), "1200.50 USD");
    assert_eq!(
        s.person.records::<Security>(None).unwrap()[0]
            .symbol
            .as_deref(),
        Some("VTI")
    );
    assert_eq!(s.fake.counts().holdings, 2);
}

#[tokio::test]
async fn linking_exchanges_a_public_token_for_an_item() {
    let s = setup().await;
    let link = s.api.link_token("me").await.unwrap();
    assert!(link.starts_with("link-sandbox-"));
    let public = s.fake.complete_link(&link, "ins_1").unwrap();
    let item = s.api.exchange(&Secret::new(public.clone())).await.unwrap();
    assert!(item.access_token.expose().starts_with("access-sandbox-"));
    assert!(
        !format!("{item:?}").contains("access-sandbox"),
        "Debug redacts the token"
    );
    // A public token is good once.
    assert_eq!(
        s.api.exchange(&Secret::new(public)).await.unwrap_err(),
        PortError::InvalidInput {
            reason: "Plaid: INVALID_PUBLIC_TOKEN: provided public token is expired or invalid"
                .into()
        }
    );
    // Wrong application credentials.
    let wrong = Plaid::new(
        Arc::new(Transport::system(HttpConfig::default(), &[]).unwrap()),
        s._server.url.clone(),
        "client-1",
        Secret::new("nope"),
    );
    assert_eq!(
        wrong.link_token("me").await.unwrap_err(),
        PortError::Auth {
            reason: "Plaid refused the client id or secret (invalid client_id or secret provided)"
                .into()
        }
    );
}

#[test]
fn amounts_are_exact_and_unofficial_currencies_refused() {
    let mut t = fake::transaction("x", "a", "0.1", "2026-01-01", false);
    assert_eq!(transaction(&t).unwrap().amount.to_string(), "-0.10 USD");
    t["amount"] = json!(1234567.89);
    assert_eq!(
        transaction(&t).unwrap().amount.to_string(),
        "-1234567.89 USD"
    );
    t["iso_currency_code"] = Value::Null;
    t["unofficial_currency_code"] = json!("BTC");
    assert_eq!(
        transaction(&t).unwrap_err(),
        PortError::Provider {
            status: None,
            reason: "Plaid sent an amount without an ISO currency (unofficial currencies are not supported)".into()
        }
    );
    assert_eq!(env_url(None).unwrap(), SANDBOX_URL);
    assert_eq!(env_url(Some("production")).unwrap(), PRODUCTION_URL);
    assert_eq!(
        env_url(Some("development")).unwrap_err(),
        PortError::InvalidInput {
            reason: "PLAID_ENV 'development' is neither sandbox nor production".into()
        }
    );
}

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    Add {
        pending: bool,
        cents: i64,
        day: u8,
    },
    Modify {
        pick: usize,
        cents: i64,
    },
    Remove {
        pick: usize,
    },
    Post {
        pick: usize,
    },
    /// A sync with pages of `page`; `mutate` changes the data before its second page.
    Sync {
        page: u32,
        mutate: bool,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (any::<bool>(), -50_000i64..50_000, 1u8..28)
            .prop_map(|(pending, cents, day)| Step::Add { pending, cents, day }),
        2 => (any::<usize>(), -50_000i64..50_000).prop_map(|(pick, cents)| Step::Modify { pick, cents }),
        1 => any::<usize>().prop_map(|pick| Step::Remove { pick }),
        2 => any::<usize>().prop_map(|pick| Step::Post { pick }),
        2 => (1u32..4, any::<bool>()).prop_map(|(page, mutate)| Step::Sync { page, mutate }),
    ]
}

fn amount(cents: i64) -> String {
    Decimal::new(cents, 2).to_string()
}

async fn replay(steps: Vec<Step>) {
    let s = setup().await;
    let item = s.item.item_id.clone();
    let mut n = 0;
    let mut fresh = |prefix: &str| {
        n += 1;
        format!("{prefix}{n}")
    };
    let pick = |fake: &FakePlaid, i: usize, pending: Option<bool>| {
        let ledger = fake.ledger(&item);
        let ids: Vec<String> = ledger
            .values()
            .filter(|t| pending.is_none_or(|p| t["pending"] == p))
            .map(|t| t["transaction_id"].as_str().unwrap().to_owned())
            .collect();
        (!ids.is_empty()).then(|| ids[i % ids.len()].clone())
    };
    for step in steps {
        match step {
            Step::Add {
                pending,
                cents,
                day,
            } => s.fake.add(
                &item,
                fake::transaction(
                    &fresh("t"),
                    "acc-chk",
                    &amount(cents),
                    &format!("2026-11-{day:02}"),
                    pending,
                ),
            ),
            Step::Modify { pick: i, cents } => {
                if let Some(id) = pick(&s.fake, i, None) {
                    s.fake.modify(&item, &id, &amount(cents));
                }
            }
            Step::Remove { pick: i } => {
                if let Some(id) = pick(&s.fake, i, None) {
                    s.fake.remove(&item, &id);
                }
            }
            Step::Post { pick: i } => {
                if let Some(id) = pick(&s.fake, i, Some(true)) {
                    s.fake.post(&item, &id, &fresh("p"), "2026-11-28");
                }
            }
            Step::Sync { page, mutate } => {
                if mutate {
                    let id = fresh("m");
                    s.fake.between_pages(&item, |f| {
                        f.add(
                            &item,
                            fake::transaction(&id, "acc-chk", "3.00", "2026-11-30", true),
                        );
                    });
                }
                sync(&s, page).await.unwrap();
                // Equal after every sync (a change queued for a second page that never came
                // is not made yet), then the queued change is made.
                assert_eq!(local(&s.person), remote(&s.fake, &item));
                s.fake.flush_between_pages();
            }
        }
    }
    // A last sync: the ledgers are equal, nothing duplicated.
    sync(&s, 2).await.unwrap();
    let all = s.person.transactions(Day::EARLIEST, Day::LATEST).unwrap();
    let unique: std::collections::BTreeSet<_> = all.iter().map(|t| &t.id).collect();
    assert_eq!(unique.len(), all.len(), "no transaction twice");
    assert_eq!(local(&s.person), remote(&s.fake, &item));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// After any history of adds, edits, removals and pending-to-posted changes, with changes
    /// made between pages at random, the store's ledger equals Plaid's exactly.
    #[test]
    fn the_local_ledger_equals_plaids_after_any_history(steps in prop::collection::vec(step(), 1..40)) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(replay(steps));
    }
}
