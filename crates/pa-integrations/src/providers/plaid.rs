//! Plaid (`provider-apis.md` §0 and §2): linking an Item (`/link/token/create`,
//! `/item/public_token/exchange`), its transactions through `/transactions/sync` as a [`Source`],
//! and a daily snapshot of its accounts, balances and investment holdings as a second source.
//!
//! - **Cursor and pages**: an update starts at the stored cursor (none: the full history) and
//!   follows `next_cursor` while `has_more`; only the last page's cursor is stored, with the data
//!   (the runtime's one write). `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION` restarts the update
//!   from the cursor it began with, discarding its pages. A cursor Plaid does not take for this
//!   Item (`INVALID_FIELD`) forces a listing from the start.
//! - **Signs**: Plaid's amounts are positive when money leaves the account; pa's are negative.
//!   Amounts are read from the JSON number's shortest text (`12.5`), which is the decimal Plaid
//!   wrote, never through arithmetic on a float.
//! - **Pending to posted**: the posted transaction arrives in `added` with
//!   `pending_transaction_id`, the pending one in `removed`, possibly on different pages; both
//!   are applied, so the ledger holds the posted one only.
//! - **Accounts** keep Plaid's mask (the last 2–4 digits), never a number.
//! - **Errors** are switched on `error_code`: `ITEM_LOGIN_REQUIRED` and the other Item states
//!   that need the person in Plaid Link again are [`PortError::Auth`] ("re-link needed"), never
//!   retried; `RATE_LIMIT_EXCEEDED` (429) and 5xx are retried with backoff (Plaid sends no
//!   `Retry-After`).

use std::sync::Arc;

use async_trait::async_trait;
use pa_core::finance::{
    Account, AccountType, BalanceSnapshot, Category, Holding, Mask, Security, SecurityType,
    Transaction,
};
use pa_core::ids::{AccountId, ExternalRef, SecurityId, TransactionId};
use pa_core::money::{Currency, Money, parse_currency};
use pa_core::ports::record::Doc;
use pa_core::ports::source::{Cursor, Fetched, Incoming, Next, Page, PageToken, Removal};
use pa_core::ports::{PortError, RecordKind, Source};
use pa_core::time::Day;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::http::{Answer, Call, RetryPolicy, Transport};
use crate::secrets::Secret;

/// The slug of every Plaid reference.
pub const SOURCE: &str = "plaid";

/// Plaid's sandbox.
pub const SANDBOX_URL: &str = "https://sandbox.plaid.com";
/// Plaid's production.
pub const PRODUCTION_URL: &str = "https://production.plaid.com";

/// The most transactions `/transactions/sync` returns per page.
pub const MAX_PAGE: u32 = 500;

/// The API root for `PLAID_ENV` (`sandbox`, the default, or `production`).
pub fn env_url(env: Option<&str>) -> Result<&'static str, PortError> {
    match env.map(str::trim).unwrap_or("sandbox") {
        "" | "sandbox" => Ok(SANDBOX_URL),
        "production" => Ok(PRODUCTION_URL),
        other => Err(PortError::InvalidInput {
            reason: format!(
                "PLAID_ENV '{}' is neither sandbox nor production",
                other
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(40)
                    .collect::<String>()
            ),
        }),
    }
}

/// Plaid's error answer, as far as a program should read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaidError {
    /// `error_type` (`ITEM_ERROR`).
    pub kind: String,
    /// `error_code` (`ITEM_LOGIN_REQUIRED`).
    pub code: String,
    /// `error_message`, without control characters and cut at 300 characters.
    pub message: String,
}

impl PlaidError {
    fn read(a: &Answer) -> Self {
        let v: Value = serde_json::from_slice(&a.body).unwrap_or(Value::Null);
        let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        Self {
            kind: text("error_type"),
            code: text("error_code"),
            message: text("error_message")
                .chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect(),
        }
    }

    /// Whether the person must go through Plaid Link again for this Item.
    pub fn needs_relink(&self) -> bool {
        matches!(
            self.code.as_str(),
            "ITEM_LOGIN_REQUIRED"
                | "INVALID_ACCESS_TOKEN"
                | "ITEM_NOT_FOUND"
                | "ACCESS_NOT_GRANTED"
                | "USER_PERMISSION_REVOKED"
                | "PENDING_EXPIRATION"
                | "ITEM_LOCKED"
                | "INSUFFICIENT_CREDENTIALS"
        )
    }
}

/// The typed error of a refusal: "re-link needed" for Item states, the code and message else.
fn refusal(a: &Answer) -> PortError {
    let e = PlaidError::read(a);
    if e.needs_relink() {
        return PortError::Auth {
            reason: format!("re-link needed ({}: {})", e.code, e.message),
        };
    }
    match (a.status, e.code.as_str()) {
        (_, "INVALID_API_KEYS") => PortError::Auth {
            reason: format!("Plaid refused the client id or secret ({})", e.message),
        },
        (400, _) => PortError::InvalidInput {
            reason: format!("Plaid: {}: {}", e.code, e.message),
        },
        (status, _) => PortError::Provider {
            status: Some(status),
            reason: format!("{}: {}", e.code, e.message),
        },
    }
}

/// The API with an application's credentials (`PLAID_CLIENT_ID`, `PLAID_SECRET`).
pub struct Plaid {
    transport: Arc<Transport>,
    url: String,
    client_id: String,
    secret: Secret,
}

impl std::fmt::Debug for Plaid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plaid")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// An Item an access token opens.
#[derive(Clone)]
pub struct Item {
    /// Plaid's Item id.
    pub item_id: String,
    /// Its access token.
    pub access_token: Secret,
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Item")
            .field("item_id", &self.item_id)
            .field("access_token", &"[redacted]")
            .finish()
    }
}

/// The answer of one POST: the JSON body, or the refusal to interpret.
enum Posted {
    Ok(Value),
    Refused(Answer),
}

impl Plaid {
    /// The API at `url` with the application's credentials.
    pub fn new(
        transport: Arc<Transport>,
        url: impl Into<String>,
        client_id: impl Into<String>,
        secret: Secret,
    ) -> Self {
        Self {
            transport,
            url: url.into(),
            client_id: client_id.into(),
            secret,
        }
    }

    async fn post(&self, path: &str, body: Value) -> Result<Posted, PortError> {
        let url = format!("{}{path}", self.url.trim_end_matches('/'));
        let call = Call {
            retry: RetryPolicy {
                attempts: 4,
                ..RetryPolicy::default()
            },
            ..Call::new("plaid")
        };
        let answer = self
            .transport
            .send(call, |c| {
                c.post(&url)
                    .header("PLAID-CLIENT-ID", &self.client_id)
                    .header("PLAID-SECRET", self.secret.expose())
                    .header("Plaid-Version", "2020-09-14")
                    .json(&body)
            })
            .await?;
        if answer.is_success() {
            Ok(Posted::Ok(answer.json()?))
        } else {
            Ok(Posted::Refused(answer))
        }
    }

    async fn call(&self, path: &str, body: Value) -> Result<Value, PortError> {
        match self.post(path, body).await? {
            Posted::Ok(v) => Ok(v),
            Posted::Refused(a) => Err(refusal(&a)),
        }
    }

    /// A Link token for the person `client_user_id` (products: transactions; investments
    /// optional), for an app to open Plaid Link with.
    pub async fn link_token(&self, client_user_id: &str) -> Result<String, PortError> {
        let v = self
            .call(
                "/link/token/create",
                json!({
                    "client_name": "pa",
                    "language": "en",
                    "country_codes": ["US", "CA", "GB"],
                    "user": {"client_user_id": client_user_id},
                    "products": ["transactions"],
                    "optional_products": ["investments"],
                    "transactions": {"days_requested": 730},
                }),
            )
            .await?;
        v["link_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| malformed("a link token answer without link_token"))
    }

    /// Exchanges the public token Link gave for the Item's access token.
    pub async fn exchange(&self, public_token: &Secret) -> Result<Item, PortError> {
        let v = self
            .call(
                "/item/public_token/exchange",
                json!({"public_token": public_token.expose()}),
            )
            .await?;
        match (v["access_token"].as_str(), v["item_id"].as_str()) {
            (Some(token), Some(item)) => Ok(Item {
                item_id: item.to_owned(),
                access_token: Secret::new(token),
            }),
            _ => Err(malformed(
                "an exchange answer without access_token or item_id",
            )),
        }
    }
}

fn malformed(what: &str) -> PortError {
    PortError::Provider {
        status: None,
        reason: format!("Plaid sent {what}"),
    }
}

/// The reference of a Plaid object (accounts and transactions have ids unique across Items).
fn reference(id: &str) -> Result<ExternalRef, PortError> {
    ExternalRef::new(SOURCE, id).map_err(|e| malformed(&format!("an unusable id ({e})")))
}

/// pa's id of a Plaid account.
pub fn account_id(plaid_id: &str) -> Result<AccountId, PortError> {
    AccountId::new(format!("plaid-{plaid_id}"))
        .map_err(|e| malformed(&format!("an unusable account id ({e})")))
}

/// pa's id of a Plaid transaction.
pub fn transaction_id(plaid_id: &str) -> Result<TransactionId, PortError> {
    TransactionId::new(format!("plaid-{plaid_id}"))
        .map_err(|e| malformed(&format!("an unusable transaction id ({e})")))
}

fn currency(v: &Value) -> Result<Currency, PortError> {
    let code = v["iso_currency_code"].as_str().ok_or_else(|| {
        malformed("an amount without an ISO currency (unofficial currencies are not supported)")
    })?;
    parse_currency(code).map_err(|e| malformed(&e.to_string()))
}

/// An exact decimal from a JSON number: its shortest text is the decimal Plaid wrote.
fn decimal(v: &Value) -> Result<Option<Decimal>, PortError> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .to_string()
            .parse::<Decimal>()
            .or_else(|_| Decimal::from_scientific(&n.to_string()))
            .map(Some)
            .map_err(|_| malformed(&format!("an amount that is not a decimal ({n})"))),
        _ => Err(malformed("an amount that is not a number")),
    }
}

/// Money from a JSON number, written to at least the currency's minor unit (`2.5` → `2.50`:
/// JSON numbers carry no trailing zeros).
fn money(v: &Value, c: Currency) -> Result<Option<Money>, PortError> {
    Ok(decimal(v)?.map(|mut d| {
        let minor = u32::from(c.exponent().unwrap_or(0));
        if d.scale() < minor {
            d.rescale(minor);
        }
        Money::new(d, c)
    }))
}

fn day(v: &Value) -> Result<Option<Day>, PortError> {
    match v.as_str() {
        None => Ok(None),
        Some(s) => s
            .parse::<Day>()
            .map(Some)
            .map_err(|_| malformed("a date that is not YYYY-MM-DD")),
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(|s| s.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|s| !s.trim().is_empty())
}

/// Plaid's `FOOD_AND_DRINK` as `Food and drink`.
fn words(code: &str) -> String {
    let lower = code.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A Plaid transaction in pa's terms (money out negative).
pub fn transaction(v: &Value) -> Result<Transaction, PortError> {
    let id = v["transaction_id"]
        .as_str()
        .ok_or_else(|| malformed("a transaction without transaction_id"))?;
    let account = v["account_id"]
        .as_str()
        .ok_or_else(|| malformed("a transaction without account_id"))?;
    let c = currency(v)?;
    let amount = money(&v["amount"], c)?
        .ok_or_else(|| malformed("a transaction without an amount"))?
        .negated();
    let posted = day(&v["date"])?.ok_or_else(|| malformed("a transaction without a date"))?;
    let mut t = Transaction::new(transaction_id(id)?, account_id(account)?, posted, amount);
    t.external = Some(reference(id)?);
    t.authorized = day(&v["authorized_date"])?;
    t.merchant = text(&v["merchant_name"]);
    t.description = text(&v["name"]).unwrap_or_default();
    t.pending = v["pending"].as_bool().unwrap_or(false);
    t.pending_id = v["pending_transaction_id"]
        .as_str()
        .map(transaction_id)
        .transpose()?;
    let pfc = &v["personal_finance_category"];
    t.category = pfc["primary"].as_str().and_then(|p| {
        let leaf = pfc["detailed"]
            .as_str()
            .map(|d| d.strip_prefix(p).unwrap_or(d).trim_start_matches('_'))
            .filter(|l| !l.is_empty());
        Category::new(std::iter::once(p).chain(leaf).map(words)).ok()
    });
    t.transfer = pfc["primary"]
        .as_str()
        .is_some_and(|p| p == "TRANSFER_IN" || p == "TRANSFER_OUT");
    Ok(t)
}

/// A Plaid account (AccountBase) in pa's terms: the mask only.
pub fn account(v: &Value, institution: Option<&str>) -> Result<Account, PortError> {
    let id = v["account_id"]
        .as_str()
        .ok_or_else(|| malformed("an account without account_id"))?;
    let kind = match v["type"].as_str() {
        Some("depository") => AccountType::Depository,
        Some("credit") => AccountType::Credit,
        Some("loan") => AccountType::Loan,
        Some("investment" | "brokerage") => AccountType::Investment,
        _ => AccountType::Other,
    };
    let c = currency(&v["balances"])?;
    let name = text(&v["name"]).unwrap_or_else(|| id.to_owned());
    let mut a = Account::new(account_id(id)?, name, kind, c);
    a.external = Some(reference(id)?);
    a.official_name = text(&v["official_name"]);
    a.subtype = text(&v["subtype"]);
    a.institution = institution.map(str::to_owned);
    a.mask = v["mask"].as_str().and_then(|m| Mask::from_number(m).ok());
    Ok(a)
}

/// An account's balances on `day`; `None` when Plaid gave no current nor available balance.
pub fn balance(v: &Value, day: Day) -> Result<Option<BalanceSnapshot>, PortError> {
    let id = v["account_id"]
        .as_str()
        .ok_or_else(|| malformed("an account without account_id"))?;
    let b = &v["balances"];
    let c = currency(b)?;
    let available = money(&b["available"], c)?;
    let Some(current) = money(&b["current"], c)?.or(available) else {
        return Ok(None);
    };
    Ok(Some(BalanceSnapshot {
        account: account_id(id)?,
        day,
        current,
        available,
        limit: money(&b["limit"], c)?,
    }))
}

fn security_type(v: &Value) -> SecurityType {
    match v.as_str() {
        Some("equity") => SecurityType::Equity,
        Some("etf") => SecurityType::Etf,
        Some("mutual fund") => SecurityType::MutualFund,
        Some("fixed income") => SecurityType::FixedIncome,
        Some("cash") => SecurityType::Cash,
        Some("cryptocurrency") => SecurityType::Crypto,
        Some("derivative") => SecurityType::Derivative,
        _ => SecurityType::Other,
    }
}

/// pa's id of a Plaid security.
fn security_id(plaid_id: &str) -> Result<SecurityId, PortError> {
    SecurityId::new(format!("plaid-{plaid_id}"))
        .map_err(|e| malformed(&format!("an unusable security id ({e})")))
}

/// A Plaid security.
pub fn security(v: &Value) -> Result<Security, PortError> {
    let id = v["security_id"]
        .as_str()
        .ok_or_else(|| malformed("a security without security_id"))?;
    Ok(Security {
        id: security_id(id)?,
        symbol: text(&v["ticker_symbol"]),
        name: text(&v["name"]).unwrap_or_else(|| id.to_owned()),
        kind: security_type(&v["type"]),
        currency: currency(v)?,
    })
}

/// A Plaid holding as of `day`, the snapshot's day (one holding per account, security and day).
pub fn holding(v: &Value, day: Day) -> Result<Holding, PortError> {
    let (Some(account), Some(security)) = (v["account_id"].as_str(), v["security_id"].as_str())
    else {
        return Err(malformed("a holding without account_id or security_id"));
    };
    let c = currency(v)?;
    let quantity =
        decimal(&v["quantity"])?.ok_or_else(|| malformed("a holding without quantity"))?;
    let price = money(&v["institution_price"], c)?
        .ok_or_else(|| malformed("a holding without institution_price"))?;
    let value = money(&v["institution_value"], c)?
        .ok_or_else(|| malformed("a holding without institution_value"))?;
    Ok(Holding {
        account: account_id(account)?,
        security: security_id(security)?,
        as_of: day,
        quantity,
        price,
        value,
        cost_basis: money(&v["cost_basis"], c)?,
    })
}

/// One Item's transactions as a [`Source`] named `plaid:{item_id}`.
pub struct TransactionsSource {
    api: Arc<Plaid>,
    item: Item,
    name: String,
    page_size: u32,
}

impl std::fmt::Debug for TransactionsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactionsSource")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl TransactionsSource {
    /// The transactions of `item`, 500 per page.
    pub fn new(api: Arc<Plaid>, item: Item) -> Self {
        let name = format!("{SOURCE}:{}", item.item_id);
        Self {
            api,
            item,
            name,
            page_size: MAX_PAGE,
        }
    }

    /// With pages of `n` transactions (1–500).
    pub fn with_page_size(mut self, n: u32) -> Self {
        self.page_size = n.clamp(1, MAX_PAGE);
        self
    }
}

#[async_trait]
impl Source for TransactionsSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn owns(&self, external: &ExternalRef) -> bool {
        // Plaid's ids are unique across Items; a Plaid update never sweeps (`full` is `None`),
        // so owning every Plaid reference only lets removals find their records.
        external.source() == SOURCE
    }

    fn kinds(&self) -> &[RecordKind] {
        &[RecordKind::Account, RecordKind::Transaction]
    }

    async fn fetch(
        &self,
        since: Option<&Cursor>,
        page: Option<&PageToken>,
    ) -> Result<Fetched, PortError> {
        let cursor = page
            .map(|p| p.0.as_str())
            .or(since.map(|c| c.0.as_str()))
            .unwrap_or_default();
        let mut body = json!({
            "access_token": self.item.access_token.expose(),
            "count": self.page_size,
            "options": {"include_original_description": false},
        });
        if !cursor.is_empty() {
            body["cursor"] = json!(cursor);
        }
        let v = match self.api.post("/transactions/sync", body).await? {
            Posted::Ok(v) => v,
            Posted::Refused(a) => {
                let e = PlaidError::read(&a);
                return match e.code.as_str() {
                    "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION" => Ok(Fetched::Restart),
                    "INVALID_FIELD" if e.message.contains("cursor") && !cursor.is_empty() => {
                        Ok(Fetched::ResyncRequired { reason: e.message })
                    }
                    _ => Err(refusal(&a)),
                };
            }
        };
        let mut upserts = Vec::new();
        for a in v["accounts"].as_array().into_iter().flatten() {
            upserts.push(Incoming::Account(account(a, None)?));
        }
        for t in v["added"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(v["modified"].as_array().into_iter().flatten())
        {
            upserts.push(Incoming::Transaction(transaction(t)?));
        }
        let removals = v["removed"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let id = r["transaction_id"]
                    .as_str()
                    .ok_or_else(|| malformed("a removal without transaction_id"))?;
                Ok(Removal {
                    kind: RecordKind::Transaction,
                    external: reference(id)?,
                })
            })
            .collect::<Result<Vec<_>, PortError>>()?;
        let next_cursor = v["next_cursor"]
            .as_str()
            .ok_or_else(|| malformed("a sync page without next_cursor"))?;
        let next = if v["has_more"].as_bool().unwrap_or(false) {
            if next_cursor.is_empty() || next_cursor == cursor {
                return Err(malformed("has_more without a new cursor"));
            }
            Next::Page(PageToken(next_cursor.to_owned()))
        } else if next_cursor.is_empty() {
            // A new Item with no data yet: keep the cursor the update began with.
            Next::Done(Cursor(since.map(|c| c.0.clone()).unwrap_or_default()))
        } else {
            Next::Done(Cursor(next_cursor.to_owned()))
        };
        Ok(Fetched::Page(Page {
            upserts,
            removals,
            next,
            full: None,
        }))
    }
}

/// One Item's accounts, balances and investment holdings on one day, as a [`Source`] named
/// `plaid:{item_id}:balances` whose one page is a snapshot (its cursor is the day). A balance
/// is keyed by account and day, so a second sync on a day replaces that day's snapshot.
pub struct SnapshotSource {
    api: Arc<Plaid>,
    item: Item,
    name: String,
    today: Day,
}

impl std::fmt::Debug for SnapshotSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotSource")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl SnapshotSource {
    /// The snapshot of `item` on `today` (the person's local day).
    pub fn new(api: Arc<Plaid>, item: Item, today: Day) -> Self {
        let name = format!("{SOURCE}:{}:balances", item.item_id);
        Self {
            api,
            item,
            name,
            today,
        }
    }
}

#[async_trait]
impl Source for SnapshotSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn kinds(&self) -> &[RecordKind] {
        &[
            RecordKind::Account,
            RecordKind::Balance,
            RecordKind::Security,
            RecordKind::Holding,
        ]
    }

    async fn fetch(&self, _: Option<&Cursor>, _: Option<&PageToken>) -> Result<Fetched, PortError> {
        let token = json!({"access_token": self.item.access_token.expose()});
        let v = self
            .api
            .call("/accounts/balance/get", token.clone())
            .await?;
        let institution = v["item"]["institution_id"].as_str();
        let mut upserts = Vec::new();
        let mut investment = false;
        for a in v["accounts"].as_array().into_iter().flatten() {
            let acc = account(a, institution)?;
            investment |= acc.kind == AccountType::Investment;
            upserts.push(Incoming::Account(acc));
            if let Some(b) = balance(a, self.today)? {
                upserts.push(Incoming::Balance(b));
            }
        }
        if investment {
            match self.api.post("/investments/holdings/get", token).await? {
                Posted::Ok(h) => {
                    for s in h["securities"].as_array().into_iter().flatten() {
                        upserts.push(Incoming::Record(Doc::Security(security(s)?)));
                    }
                    for x in h["holdings"].as_array().into_iter().flatten() {
                        upserts.push(Incoming::Record(Doc::Holding(holding(x, self.today)?)));
                    }
                }
                // An Item linked without the investments product: balances only.
                Posted::Refused(a)
                    if matches!(
                        PlaidError::read(&a).code.as_str(),
                        "PRODUCTS_NOT_SUPPORTED"
                            | "NO_INVESTMENT_ACCOUNTS"
                            | "ADDITIONAL_CONSENT_REQUIRED"
                    ) => {}
                Posted::Refused(a) => return Err(refusal(&a)),
            }
        }
        Ok(Fetched::Page(Page {
            upserts,
            removals: Vec::new(),
            next: Next::Done(Cursor(self.today.to_string())),
            full: None,
        }))
    }
}

#[cfg(test)]
mod tests;
