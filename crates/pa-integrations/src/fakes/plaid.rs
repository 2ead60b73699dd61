//! A fake Plaid (`provider-apis.md` §0, §2.6): POST only, JSON in and out, credentials in the
//! body or the `PLAID-CLIENT-ID`/`PLAID-SECRET` headers, `request_id` on every answer. Link is a
//! link token, a public token the test hands out as the person finishing Link would, and a
//! one-shot exchange for an `access-sandbox-…` token.
//!
//! Each Item keeps a change log; a cursor is an opaque position in it, tied to its Item, plus the
//! log's length when the update began, so the fake can tell pages of one update from the start
//! of the next. A change made while an update is between pages makes its next page a 400
//! `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`; a restart from the update's first cursor then
//! sees the change. Pending-to-posted is the posted transaction in `added` (with
//! `pending_transaction_id`) followed by the pending one in `removed`, so the two can land on
//! different pages. Per-Item per-minute limits on the fake's own clock answer 429
//! `RATE_LIMIT_EXCEEDED`; injected answers are served first.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use super::{Reply, Running, serve};

/// One entry of an Item's change log.
#[derive(Debug, Clone)]
enum Change {
    Added(Value),
    Modified(Value),
    Removed {
        transaction_id: String,
        account_id: String,
    },
}

#[derive(Debug, Clone, Default)]
struct FakeItem {
    item_id: String,
    access_token: String,
    institution: String,
    accounts: Vec<Value>,
    log: Vec<Change>,
    ledger: BTreeMap<String, Value>,
    login_required: bool,
    not_ready: bool,
    securities: Vec<Value>,
    holdings: Vec<Value>,
}

/// What the fake was asked and answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// `/transactions/sync` requests.
    pub syncs: usize,
    /// Mutation-during-pagination refusals.
    pub mutations: usize,
    /// 429 answers of the per-minute limits.
    pub rate_limited: usize,
    /// `/accounts/balance/get` requests.
    pub balances: usize,
    /// `/investments/holdings/get` requests.
    pub holdings: usize,
}

#[derive(Debug, Default)]
struct Inner {
    client_id: String,
    secret: String,
    items: Vec<FakeItem>,
    next: u64,
    link_tokens: Vec<String>,
    public_tokens: HashMap<String, usize>,
    injected: VecDeque<Reply>,
    /// Changes to make at the next page of an update in progress of this Item.
    between_pages: Vec<(String, Change)>,
    per_minute: Option<u32>,
    now_s: u64,
    windows: HashMap<(String, &'static str), (u64, u32)>,
    counts: Counts,
    request: u64,
}

/// The fake service.
#[derive(Debug)]
pub struct FakePlaid {
    state: Mutex<Inner>,
}

/// A transaction as Plaid sends it: every required key present (`null` where absent); the
/// amount is written as given (`"12.50"` → `12.50`), positive when money leaves the account.
pub fn transaction(id: &str, account: &str, amount: &str, date: &str, pending: bool) -> Value {
    let amount: Value = serde_json::from_str(amount).unwrap_or(Value::Null);
    json!({
        "transaction_id": id, "account_id": account, "amount": amount,
        "iso_currency_code": "USD", "unofficial_currency_code": null,
        "date": date, "authorized_date": date, "datetime": null, "authorized_datetime": null,
        "name": format!("PURCHASE {id}"), "merchant_name": "Blue Bottle Coffee",
        "pending": pending, "pending_transaction_id": null,
        "personal_finance_category": {"primary": "FOOD_AND_DRINK",
            "detailed": "FOOD_AND_DRINK_COFFEE", "confidence_level": "HIGH"},
        "payment_channel": "in store", "account_owner": null, "transaction_code": null,
        "location": {"address": null, "city": null, "region": null, "postal_code": null,
            "country": null, "lat": null, "lon": null, "store_number": null},
        "payment_meta": {"by_order_of": null, "payee": null, "payer": null,
            "payment_method": null, "payment_processor": null, "ppd_id": null, "reason": null,
            "reference_number": null}
    })
}

/// An account (AccountBase) with its balances; `current`/`available`/`limit` as decimal text.
pub fn account(
    id: &str,
    name: &str,
    kind: &str,
    mask: &str,
    current: Option<&str>,
    available: Option<&str>,
) -> Value {
    let num = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<Value>(s).ok());
    json!({
        "account_id": id, "name": name, "official_name": format!("{name} (official)"),
        "mask": mask, "type": kind, "subtype": match kind {
            "credit" => "credit card", "investment" => "brokerage", "loan" => "mortgage",
            _ => "checking" },
        "balances": {"current": num(current), "available": num(available), "limit": null,
            "iso_currency_code": "USD", "unofficial_currency_code": null}
    })
}

fn plaid_error(status: StatusCode, kind: &str, code: &str, message: &str, id: u64) -> Response {
    let mut body = json!({"error_type": kind, "error_code": code, "error_message": message,
        "display_message": null, "request_id": format!("rq{id}")});
    if code == "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION" {
        body["suggested_action"] = json!("Restart pagination from the cursor of the first page.");
        body["documentation_url"] = json!(
            "https://plaid.com/docs/errors/transactions/#transactions_sync_mutation_during_pagination"
        );
    }
    (status, Json(body)).into_response()
}

fn cursor(item: &str, pos: usize, snap: usize) -> String {
    B64.encode(format!("{item}:{pos}:{snap}"))
}

fn read_cursor(text: &str) -> Option<(String, usize, usize)> {
    let raw = String::from_utf8(B64.decode(text).ok()?).ok()?;
    let mut parts = raw.rsplitn(3, ':');
    let snap = parts.next()?.parse().ok()?;
    let pos = parts.next()?.parse().ok()?;
    Some((parts.next()?.to_owned(), pos, snap))
}

impl FakePlaid {
    /// A service that accepts `client_id` and `secret`.
    pub fn new(client_id: &str, secret: &str) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(Inner {
                client_id: client_id.into(),
                secret: secret.into(),
                ..Inner::default()
            }),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// Serves it at the returned URL's root.
    pub async fn start(self: &Arc<Self>) -> Running {
        let router = axum::Router::new()
            .route("/link/token/create", post(handle))
            .route("/item/public_token/exchange", post(handle))
            .route("/transactions/sync", post(handle))
            .route("/accounts/get", post(handle))
            .route("/accounts/balance/get", post(handle))
            .route("/investments/holdings/get", post(handle))
            .with_state(self.clone());
        serve(router).await
    }

    /// An Item at `institution`, as if linked: its id and access token.
    pub fn add_item(&self, institution: &str) -> (String, String) {
        self.with(|s| {
            s.next += 1;
            let item = FakeItem {
                item_id: format!("item{}", s.next),
                access_token: format!("access-sandbox-{:08x}-{}", s.next * 7919, s.next),
                institution: institution.into(),
                ..FakeItem::default()
            };
            let out = (item.item_id.clone(), item.access_token.clone());
            s.items.push(item);
            out
        })
    }

    /// The person finishes Link opened with `link_token`: a new Item at `institution` with one
    /// checking account, and the public token the app receives.
    pub fn complete_link(&self, link_token: &str, institution: &str) -> Option<String> {
        if !self.with(|s| s.link_tokens.iter().any(|t| t == link_token)) {
            return None;
        }
        let (item, _) = self.add_item(institution);
        self.add_account(
            &item,
            account(
                &format!("{item}-chk"),
                "Checking",
                "depository",
                "0000",
                Some("100.00"),
                Some("100.00"),
            ),
        );
        self.with(|s| {
            s.next += 1;
            let public = format!("public-sandbox-{:08x}", s.next * 104_729);
            let i = s.items.iter().position(|x| x.item_id == item)?;
            s.public_tokens.insert(public.clone(), i);
            Some(public)
        })
    }

    fn item<T>(&self, item: &str, f: impl FnOnce(&mut FakeItem) -> T) -> T {
        self.with(|s| {
            f(s.items
                .iter_mut()
                .find(|x| x.item_id == item)
                .expect("no such item"))
        })
    }

    /// Adds an account (see [`account`]) to an Item.
    pub fn add_account(&self, item: &str, account: Value) {
        self.item(item, |i| i.accounts.push(account));
    }

    /// Sets an account's balances (decimal text).
    pub fn set_balance(&self, item: &str, account: &str, current: &str, available: Option<&str>) {
        self.item(item, |i| {
            if let Some(a) = i.accounts.iter_mut().find(|a| a["account_id"] == account) {
                a["balances"]["current"] = serde_json::from_str(current).unwrap();
                a["balances"]["available"] =
                    available.map_or(Value::Null, |v| serde_json::from_str(v).unwrap());
            }
        });
    }

    /// Sets an Item's securities and holdings.
    pub fn set_holdings(&self, item: &str, securities: Vec<Value>, holdings: Vec<Value>) {
        self.item(item, |i| {
            i.securities = securities;
            i.holdings = holdings;
        });
    }

    fn record(i: &mut FakeItem, c: Change) {
        match &c {
            Change::Added(t) | Change::Modified(t) => {
                i.ledger
                    .insert(t["transaction_id"].as_str().unwrap().to_owned(), t.clone());
            }
            Change::Removed { transaction_id, .. } => {
                i.ledger.remove(transaction_id);
            }
        }
        i.log.push(c);
    }

    fn change(&self, item: &str, c: Change) {
        self.item(item, |i| Self::record(i, c));
    }

    /// A new transaction (see [`transaction`]).
    pub fn add(&self, item: &str, t: Value) {
        self.change(item, Change::Added(t));
    }

    /// A transaction's new amount (decimal text) and name.
    pub fn modify(&self, item: &str, id: &str, amount: &str) {
        let Some(mut t) = self.item(item, |i| i.ledger.get(id).cloned()) else {
            return;
        };
        t["amount"] = serde_json::from_str(amount).unwrap();
        t["name"] = json!(format!(
            "{} (edited)",
            t["name"].as_str().unwrap_or_default()
        ));
        self.change(item, Change::Modified(t));
    }

    /// Removes a transaction.
    pub fn remove(&self, item: &str, id: &str) {
        let Some(account) = self.item(item, |i| {
            i.ledger
                .get(id)
                .map(|t| t["account_id"].as_str().unwrap().to_owned())
        }) else {
            return;
        };
        self.change(
            item,
            Change::Removed {
                transaction_id: id.into(),
                account_id: account,
            },
        );
    }

    /// Posts the pending transaction `pending` as `posted` on `date`: the posted one added
    /// (naming the pending one), then the pending one removed.
    pub fn post(&self, item: &str, pending: &str, posted: &str, date: &str) {
        let Some(mut t) = self.item(item, |i| i.ledger.get(pending).cloned()) else {
            return;
        };
        t["transaction_id"] = json!(posted);
        t["pending"] = json!(false);
        t["pending_transaction_id"] = json!(pending);
        t["date"] = json!(date);
        self.change(item, Change::Added(t));
        self.remove(item, pending);
    }

    /// Makes the change of `f` when the next page of an update in progress of `item` is asked
    /// for (so that page is refused as a mutation during pagination).
    pub fn between_pages(&self, item: &str, f: impl FnOnce(&FakePlaid)) {
        // Record what `f` does on a scratch copy of the Item, then queue those log entries.
        let before = self.item(item, |i| i.clone());
        f(self);
        let after = self.item(item, |i| std::mem::replace(i, before.clone()));
        let fresh = after.log[before.log.len()..].to_vec();
        self.with(|s| {
            for c in fresh {
                s.between_pages.push((item.to_owned(), c));
            }
        });
    }

    /// Makes the changes queued by [`FakePlaid::between_pages`] that no page met.
    pub fn flush_between_pages(&self) {
        self.with(|s| {
            for (item, c) in std::mem::take(&mut s.between_pages) {
                if let Some(i) = s.items.iter_mut().find(|i| i.item_id == item) {
                    Self::record(i, c);
                }
            }
        });
    }

    /// The Item's transactions as they stand, by id.
    pub fn ledger(&self, item: &str) -> BTreeMap<String, Value> {
        self.item(item, |i| i.ledger.clone())
    }

    /// Whether the Item needs the person in Link again.
    pub fn set_login_required(&self, item: &str, yes: bool) {
        self.item(item, |i| i.login_required = yes);
    }

    /// Whether the Item is new with no data yet (`NOT_READY`, an empty cursor).
    pub fn set_not_ready(&self, item: &str, yes: bool) {
        self.item(item, |i| i.not_ready = yes);
    }

    /// Requests per minute per Item and endpoint; `None`: unlimited.
    pub fn set_rate_limit(&self, per_minute: Option<u32>) {
        self.with(|s| s.per_minute = per_minute);
    }

    /// Moves the fake's clock (for its rate windows).
    pub fn advance(&self, secs: u64) {
        self.with(|s| s.now_s += secs);
    }

    /// Serves `reply` before anything else.
    pub fn inject(&self, reply: Reply) {
        self.with(|s| s.injected.push_back(reply));
    }

    /// What it was asked.
    pub fn counts(&self) -> Counts {
        self.with(|s| s.counts.clone())
    }
}

fn path_name(path: &str) -> &'static str {
    match path {
        "/link/token/create" => "link",
        "/item/public_token/exchange" => "exchange",
        "/transactions/sync" => "sync",
        "/accounts/get" => "accounts",
        "/accounts/balance/get" => "balance",
        _ => "holdings",
    }
}

async fn handle(
    State(fake): State<Arc<FakePlaid>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    let mut s = fake.state.lock().unwrap();
    s.request += 1;
    let rq = s.request;
    if let Some(r) = s.injected.pop_front() {
        return r.into_response();
    }
    let Ok(body) = serde_json::from_str::<Value>(&body) else {
        return plaid_error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "INVALID_BODY",
            "body could not be parsed as JSON",
            rq,
        );
    };
    let header = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let id = body["client_id"]
        .as_str()
        .map(str::to_owned)
        .or(header("plaid-client-id"));
    let secret = body["secret"]
        .as_str()
        .map(str::to_owned)
        .or(header("plaid-secret"));
    if id.as_deref() != Some(&s.client_id) || secret.as_deref() != Some(&s.secret) {
        return plaid_error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_API_KEYS",
            "invalid client_id or secret provided",
            rq,
        );
    }
    let endpoint = path_name(uri.path());
    match endpoint {
        "link" => {
            if body["user"]["client_user_id"].as_str().is_none()
                || body["client_name"].as_str().is_none()
                || body["country_codes"].as_array().is_none()
            {
                return plaid_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_REQUEST",
                    "MISSING_FIELDS",
                    "the following required fields are missing: user.client_user_id",
                    rq,
                );
            }
            s.next += 1;
            let token = format!("link-sandbox-{:08x}", s.next * 6007);
            s.link_tokens.push(token.clone());
            return Json(
                json!({"link_token": token, "expiration": "2026-12-05T18:00:00Z",
                "request_id": format!("rq{rq}")}),
            )
            .into_response();
        }
        "exchange" => {
            let public = body["public_token"].as_str().unwrap_or_default();
            let Some(i) = s.public_tokens.remove(public) else {
                return plaid_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_INPUT",
                    "INVALID_PUBLIC_TOKEN",
                    "provided public token is expired or invalid",
                    rq,
                );
            };
            let item = &s.items[i];
            return Json(
                json!({"access_token": item.access_token, "item_id": item.item_id,
                "request_id": format!("rq{rq}")}),
            )
            .into_response();
        }
        _ => {}
    }
    let token = body["access_token"].as_str().unwrap_or_default();
    let Some(index) = s.items.iter().position(|i| i.access_token == token) else {
        return plaid_error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_ACCESS_TOKEN",
            "could not find matching access token",
            rq,
        );
    };
    if s.items[index].login_required {
        return plaid_error(
            StatusCode::BAD_REQUEST,
            "ITEM_ERROR",
            "ITEM_LOGIN_REQUIRED",
            "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information",
            rq,
        );
    }
    if let Some(limit) = s.per_minute {
        let minute = s.now_s / 60;
        let key = (s.items[index].item_id.clone(), endpoint);
        let window = s.windows.entry(key).or_insert((minute, 0));
        if window.0 != minute {
            *window = (minute, 0);
        }
        window.1 += 1;
        if window.1 > limit {
            s.counts.rate_limited += 1;
            let code = match endpoint {
                "sync" => "TRANSACTIONS_SYNC_LIMIT",
                "balance" => "ACCOUNTS_BALANCE_GET_LIMIT",
                "holdings" => "INVESTMENT_HOLDINGS_GET_LIMIT",
                _ => "ACCOUNTS_LIMIT",
            };
            return plaid_error(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMIT_EXCEEDED",
                code,
                "rate limit exceeded for attempts to access this item. please try again later",
                rq,
            );
        }
    }
    let institution = s.items[index].institution.clone();
    let item_json = json!({"item_id": s.items[index].item_id, "institution_id": institution,
        "webhook": null, "error": null, "available_products": [], "billed_products": ["transactions"],
        "products": ["transactions"], "consent_expiration_time": null, "update_type": "background"});
    match endpoint {
        "accounts" | "balance" => {
            s.counts.balances += usize::from(endpoint == "balance");
            Json(
                json!({"accounts": s.items[index].accounts, "item": item_json,
                "request_id": format!("rq{rq}")}),
            )
            .into_response()
        }
        "holdings" => {
            s.counts.holdings += 1;
            let i = &s.items[index];
            let accounts: Vec<&Value> = i
                .accounts
                .iter()
                .filter(|a| a["type"] == "investment")
                .collect();
            if accounts.is_empty() {
                return plaid_error(
                    StatusCode::BAD_REQUEST,
                    "ITEM_ERROR",
                    "NO_INVESTMENT_ACCOUNTS",
                    "no investment accounts",
                    rq,
                );
            }
            Json(
                json!({"accounts": accounts, "holdings": i.holdings, "securities": i.securities,
                "item": item_json, "request_id": format!("rq{rq}")}),
            )
            .into_response()
        }
        _ => sync(&mut s, index, &body, rq),
    }
}

fn sync(s: &mut Inner, index: usize, body: &Value, rq: u64) -> Response {
    s.counts.syncs += 1;
    let count = body["count"].as_u64().unwrap_or(100);
    if !(1..=500).contains(&count) {
        return plaid_error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "INVALID_FIELD",
            "count must be between 1 and 500",
            rq,
        );
    }
    let item_id = s.items[index].item_id.clone();
    let given = body["cursor"].as_str().unwrap_or_default();
    let len = s.items[index].log.len();
    let (pos, snap) = match given {
        "" => (0, None),
        "now" => (len, None),
        c => match read_cursor(c) {
            Some((owner, pos, snap)) if owner == item_id && pos <= snap && snap <= len => {
                (pos, Some(snap))
            }
            Some(_) => {
                return plaid_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_REQUEST",
                    "INVALID_FIELD",
                    "cursor not associated with access_token",
                    rq,
                );
            }
            None => {
                return plaid_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_REQUEST",
                    "INVALID_FIELD",
                    "invalid cursor",
                    rq,
                );
            }
        },
    };
    let mid = snap.is_some_and(|snap| pos < snap);
    if mid {
        let queued: Vec<Change> = {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut s.between_pages)
                .into_iter()
                .partition(|(i, _)| *i == item_id);
            s.between_pages = rest;
            mine.into_iter().map(|(_, c)| c).collect()
        };
        for c in queued {
            FakePlaid::record(&mut s.items[index], c);
        }
    }
    let item = &s.items[index];
    let len = item.log.len();
    if mid && snap.is_some_and(|snap| len > snap) {
        s.counts.mutations += 1;
        return plaid_error(
            StatusCode::BAD_REQUEST,
            "TRANSACTIONS_ERROR",
            "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
            "Underlying transaction data changed since last page was fetched. Please restart pagination from last update.",
            rq,
        );
    }
    if item.not_ready && len == 0 {
        return Json(
            json!({"added": [], "modified": [], "removed": [], "accounts": [],
            "next_cursor": "", "has_more": false,
            "transactions_update_status": "NOT_READY", "request_id": format!("rq{rq}")}),
        )
        .into_response();
    }
    let snap = if mid { snap.unwrap_or(len) } else { len };
    let end = (pos + count as usize).min(snap);
    let (mut added, mut modified, mut removed) = (Vec::new(), Vec::new(), Vec::new());
    for c in &item.log[pos..end] {
        match c {
            Change::Added(t) => added.push(t.clone()),
            Change::Modified(t) => modified.push(t.clone()),
            Change::Removed {
                transaction_id,
                account_id,
            } => removed.push(json!({"transaction_id": transaction_id, "account_id": account_id})),
        }
    }
    Json(
        json!({"added": added, "modified": modified, "removed": removed,
        "accounts": item.accounts, "next_cursor": cursor(&item_id, end, snap),
        "has_more": end < snap,
        "transactions_update_status": "HISTORICAL_UPDATE_COMPLETE",
        "request_id": format!("rq{rq}")}),
    )
    .into_response()
}
