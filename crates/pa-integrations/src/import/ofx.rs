//! OFX 1.x (SGML), 2.x (XML) and QFX bank, credit-card and investment statements, read by our own
//! tolerant reader: real bank files leave leaf elements unclosed (SGML), omit closing tags that the
//! spec requires, carry bare `&` in names and Windows-1252 text, and ofx-rs refuses or mangles
//! those (see the crate notes in docs/import.md).
//!
//! The reader tokenises from `<OFX>` on and builds a tree in which every element that is not a
//! known aggregate is a leaf: it holds text and closes at the next tag, closed or not. Close tags
//! pop up to the matching open element; a close tag with no open match is ignored.
//!
//! What becomes what:
//! - each statement's account → an [`Account`] holding only the last four digits of the number,
//!   identified as `ofx` / `<bank or broker id>/<type>/<last four>`;
//! - `STMTTRN` → a [`Transaction`](pa_core::finance::Transaction) keyed by its FITID, with any run
//!   of the account number's digits in it masked ([`Mask::hide_number_in`](pa_core::finance::Mask::hide_number_in))
//!   (re-importing is idempotent; the same FITID
//!   twice in a file is one transaction), negative amounts money out as in pa;
//! - `LEDGERBAL` → a balance on its day (`AVAILBAL` joins it when on the same day); for credit
//!   cards the sign is turned, since pa keeps what is owed as a positive liability;
//! - investment positions → [`Holding`]s, `SECLIST` → [`Security`]s;
//! - `INVTRANLIST` entries → [`InvestmentTransaction`]s keyed by FITID: buys and sells (units
//!   signed, TOTAL as the cash effect, commission, fees, taxes and load summed as fees), income
//!   (dividends, capital gains and interest), reinvestments (the income reinvested as the amount;
//!   no cash moves), transfers of units in and out, expenses, margin interest and splits (the change
//!   in units). `INVBANKTRAN` cash movements are the account's ordinary transactions.
//!
//! A transaction that cannot be read (an amount like `$120`) is skipped with its reason; a file
//! with no `<OFX>` or no statement is an error.

use std::borrow::Cow;

use pa_core::finance::{
    Account, AccountType, BalanceSnapshot, Holding, InvestmentAction, InvestmentTransaction,
    Security, SecurityType,
};
use pa_core::ids::{AccountId, ExternalRef, InvestmentTransactionId, SecurityId, TransactionId};
use pa_core::money::{Currency, Money, parse_currency};
use pa_core::time::Day;
use rust_decimal::Decimal;

use super::{ImportOptions, Parsed};
use crate::error::{Error, Result};

/// Elements that contain other elements; every other element is a leaf.
const AGGREGATES: &[&str] = &[
    "OFX",
    "SIGNONMSGSRSV1",
    "SONRS",
    "STATUS",
    "FI",
    "BANKMSGSRSV1",
    "STMTTRNRS",
    "STMTRS",
    "BANKACCTFROM",
    "BANKACCTTO",
    "BANKTRANLIST",
    "STMTTRN",
    "PAYEE",
    "LEDGERBAL",
    "AVAILBAL",
    "BALLIST",
    "BAL",
    "CURRENCY",
    "ORIGCURRENCY",
    "CREDITCARDMSGSRSV1",
    "CCSTMTTRNRS",
    "CCSTMTRS",
    "CCACCTFROM",
    "CCACCTTO",
    "INVSTMTMSGSRSV1",
    "INVSTMTTRNRS",
    "INVSTMTRS",
    "INVACCTFROM",
    "INVTRANLIST",
    "INVBANKTRAN",
    "INVPOSLIST",
    "POSSTOCK",
    "POSMF",
    "POSDEBT",
    "POSOPT",
    "POSOTHER",
    "INVPOS",
    "SECID",
    "INVBAL",
    "INVOOLIST",
    "SECLISTMSGSRSV1",
    "SECLIST",
    "STOCKINFO",
    "MFINFO",
    "DEBTINFO",
    "OPTINFO",
    "OTHERINFO",
    "SECINFO",
    "BUYSTOCK",
    "SELLSTOCK",
    "BUYMF",
    "SELLMF",
    "BUYDEBT",
    "SELLDEBT",
    "BUYOPT",
    "SELLOPT",
    "BUYOTHER",
    "SELLOTHER",
    "INCOME",
    "REINVEST",
    "RETOFCAP",
    "TRANSFER",
    "SPLIT",
    "MARGININTEREST",
    "JRNLFUND",
    "JRNLSEC",
    "CLOSUREOPT",
    "INVEXPENSE",
    "INVBUY",
    "INVSELL",
    "INVTRAN",
    "MFASSETCLASS",
    "FIMFASSETCLASS",
    "PORTION",
    "FIPORTION",
    "INV401K",
    "INV401KBAL",
    "CONTRIBSECURITIES",
    "MATCHINFO",
    "VESTINFO",
    "LOANINFO",
    "INV401KSOURCE",
    "MKTGINFO",
    "STMTENDRS",
    "CCSTMTENDRS",
    "STMTENDTRNRS",
    "CCSTMTENDTRNRS",
    "CLOSING",
    "SIGNUPMSGSRSV1",
];

/// Whether `name` (upper case) is an aggregate: a set lookup, since it runs for every tag.
fn is_aggregate(name: &str) -> bool {
    static SET: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::LazyLock::new(|| AGGREGATES.iter().copied().collect());
    SET.contains(name)
}

/// The deepest nesting accepted.
const MAX_DEPTH: usize = 64;

/// An element. Names and texts borrow from the file where they can (names already in upper
/// case, text without entities in one piece): most do, and this saves most of the allocations.
#[derive(Debug, Default)]
struct Node<'a> {
    name: Cow<'a, str>,
    text: Cow<'a, str>,
    children: Vec<Node<'a>>,
    leaf: bool,
}

/// Appends `more` to `text`, borrowing when `text` is empty.
fn append<'a>(text: &mut Cow<'a, str>, more: Cow<'a, str>) {
    if text.is_empty() {
        *text = more;
    } else {
        text.to_mut().push_str(&more);
    }
}

fn upper(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(name.to_ascii_uppercase())
    } else {
        Cow::Borrowed(name)
    }
}

impl<'a> Node<'a> {
    fn child(&self, name: &str) -> Option<&Node<'a>> {
        self.children.iter().find(|c| c.name == name)
    }

    fn text_at(&self, path: &[&str]) -> Option<&str> {
        let mut n = self;
        for p in path {
            n = n.child(p)?;
        }
        let t = n.text.trim();
        (!t.is_empty()).then_some(t)
    }

    /// The first element named `name` below this one, depth first.
    fn first(&self, name: &str) -> Option<&Node<'a>> {
        self.children.iter().find_map(|c| {
            if c.name == name {
                Some(c)
            } else {
                c.first(name)
            }
        })
    }

    /// Calls `f` with every element below this one, depth first.
    fn walk<'n>(&'n self, f: &mut impl FnMut(&'n Node<'a>)) {
        for c in &self.children {
            f(c);
            c.walk(f);
        }
    }
}

/// The text in the file's declared charset: UTF-8 when it is valid UTF-8, else Windows-1252
/// (what `CHARSET:1252` and most US banks mean, and a superset of Latin-1's printable range).
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0,
    }
}

fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    // A bare `&` (common in bank names) stays as it is.
    Cow::Owned(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&nbsp;", " ")
            .replace("&amp;", "&"),
    )
}

/// Builds the element tree from `<OFX>` on.
fn tree<'a>(text: &'a str, source: &str) -> Result<Node<'a>> {
    // Byte search: `<` is ASCII, so the match is always a character boundary.
    let upper_start = text
        .as_bytes()
        .windows(5)
        .position(|w| w.eq_ignore_ascii_case(b"<OFX>"))
        .ok_or_else(|| Error::parse(source, None, "no <OFX> element: not an OFX file"))?;
    let body = &text[upper_start..];
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut rest = body;
    let close_leaf = |stack: &mut Vec<Node>| {
        if stack.last().is_some_and(|n| n.leaf)
            && let Some(done) = stack.pop()
            && let Some(parent) = stack.last_mut()
        {
            parent.children.push(done);
        }
    };
    // Byte searches: '<' and '>' are ASCII, so a match is always a character boundary (and a byte
    // search is several times faster than a char pattern here).
    let find = |text: &str, b: u8| text.as_bytes().iter().position(|c| *c == b);
    while let Some(lt) = find(rest, b'<') {
        let before = &rest[..lt];
        if !before.trim().is_empty()
            && let Some(top) = stack.last_mut()
        {
            append(&mut top.text, unescape(before));
        }
        rest = &rest[lt..];
        if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
            let end = cdata.find("]]>").unwrap_or(cdata.len());
            if let Some(top) = stack.last_mut() {
                append(&mut top.text, Cow::Borrowed(&cdata[..end]));
            }
            rest = cdata.get(end + 3..).unwrap_or("");
            continue;
        }
        let Some(gt) = find(rest, b'>') else {
            return Err(Error::parse(
                source,
                None,
                "the file ends inside a tag: it is cut off (truncated)",
            ));
        };
        let tag = rest[1..gt].trim();
        rest = &rest[gt + 1..];
        if tag.starts_with('?') || tag.starts_with('!') || tag.is_empty() {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = upper(name.trim());
            if stack.last().is_some_and(|n| n.leaf && n.name != name) {
                close_leaf(&mut stack);
            }
            // Pop to the matching element; a close tag with nothing open to match is ignored.
            if stack.iter().skip(1).any(|n| n.name == name) {
                while let Some(done) = stack.pop() {
                    let matched = done.name == name;
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(done);
                    }
                    if matched {
                        break;
                    }
                }
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let name = upper(
            tag.trim_end_matches('/')
                .split_whitespace()
                .next()
                .unwrap_or(""),
        );
        close_leaf(&mut stack);
        if stack.len() > MAX_DEPTH {
            return Err(Error::parse(
                source,
                None,
                format!("nested deeper than {MAX_DEPTH} elements"),
            ));
        }
        let node = Node {
            leaf: !is_aggregate(&name),
            name,
            ..Node::default()
        };
        if self_closing {
            if let Some(top) = stack.last_mut() {
                top.children.push(node);
            }
        } else {
            stack.push(node);
        }
    }
    if !rest.trim().is_empty()
        && let Some(top) = stack.last_mut()
    {
        append(&mut top.text, unescape(rest));
    }
    // SGML leaves its leaf elements open, but every aggregate (and <OFX> itself) is closed in
    // both dialects: one still open at the end means the file was cut off. A partial statement
    // (some transactions, no balance) is never imported as if it were whole.
    if let Some(open) = stack.iter().skip(1).rev().find(|n| !n.leaf) {
        return Err(Error::parse(
            source,
            None,
            format!(
                "the file ends inside <{}>: it is cut off (truncated)",
                open.name
            ),
        ));
    }
    while stack.len() > 1 {
        if let Some(done) = stack.pop()
            && let Some(parent) = stack.last_mut()
        {
            parent.children.push(done);
        }
    }
    let mut root = stack.pop().unwrap_or_default();
    root.children
        .pop()
        .filter(|n| n.name == "OFX")
        .ok_or_else(|| Error::parse(source, None, "no <OFX> element: not an OFX file"))
}

/// The day of an OFX date-time (`20090401122017.000[-5:EST]`): its first eight digits, the
/// bank's calendar date.
fn day(text: &str) -> Option<Day> {
    let d = text.trim().get(..8)?;
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Day::from_ymd(
        d[..4].parse().ok()?,
        d[4..6].parse().ok()?,
        d[6..8].parse().ok()?,
    )
    .ok()
}

/// An OFX amount: `-12.34`, `+5`, or with a decimal comma (`12,34`) as some banks write it.
fn amount(text: &str) -> Option<Decimal> {
    let t = text.trim();
    let t = if t.contains(',') && !t.contains('.') {
        t.replace(',', ".")
    } else {
        t.to_owned()
    };
    t.trim_start_matches('+').parse().ok()
}

/// Reads the statements of an OFX/QFX file.
pub fn read(bytes: &[u8], source: &str, _options: &ImportOptions) -> Result<Parsed> {
    let text = decode(bytes);
    let root = tree(&text, source)?;
    let mut parsed = Parsed::default();
    // One walk for the statements of every kind and the securities.
    let (mut statements, mut securities, mut kinds) = (Vec::new(), Vec::new(), Vec::new());
    root.walk(&mut |n| match n.name.as_ref() {
        "STMTRS" | "CCSTMTRS" | "INVSTMTRS" => statements.push(n),
        "SECINFO" => securities.push(n),
        // Security kinds come from the aggregate around SECINFO.
        "STOCKINFO" | "MFINFO" | "DEBTINFO" | "OPTINFO" => {
            let kind = match n.name.as_ref() {
                "STOCKINFO" => SecurityType::Equity,
                "MFINFO" => SecurityType::MutualFund,
                "DEBTINFO" => SecurityType::FixedIncome,
                _ => SecurityType::Derivative,
            };
            if let Some(id) = n.text_at(&["SECINFO", "SECID", "UNIQUEID"]) {
                kinds.push((id.to_owned(), kind));
            }
        }
        _ => {}
    });
    if statements.is_empty() {
        return Err(Error::parse(
            source,
            None,
            "no bank, credit-card or investment statement",
        ));
    }
    let mut seen_securities = std::collections::BTreeSet::new();
    for info in securities {
        let Some(id) = info.text_at(&["SECID", "UNIQUEID"]) else {
            continue;
        };
        if !seen_securities.insert(id.to_owned()) {
            continue;
        }
        let currency = info
            .text_at(&["CURRENCY", "CURSYM"])
            .and_then(|c| parse_currency(c).ok())
            .or_else(|| parse_currency("USD").ok());
        let Some(currency) = currency else { continue };
        parsed.batch.records.push(
            Security {
                id: SecurityId::new(id)?,
                symbol: info.text_at(&["TICKER"]).map(str::to_owned),
                name: info.text_at(&["SECNAME"]).unwrap_or(id).to_owned(),
                kind: SecurityType::Other,
                currency,
            }
            .into(),
        );
    }
    for st in statements {
        statement(st, source, &mut parsed)?;
    }
    for d in &mut parsed.batch.records {
        if let pa_core::ports::Doc::Security(s) = d
            && let Some((_, k)) = kinds.iter().find(|(id, _)| id == s.id.as_str())
        {
            s.kind = *k;
        }
    }
    Ok(parsed)
}

fn statement(st: &Node<'_>, source: &str, parsed: &mut Parsed) -> Result<()> {
    let (from, kind) = match st.name.as_ref() {
        "CCSTMTRS" => (st.child("CCACCTFROM"), AccountType::Credit),
        "INVSTMTRS" => (st.child("INVACCTFROM"), AccountType::Investment),
        _ => (st.child("BANKACCTFROM"), AccountType::Depository),
    };
    let Some(from) = from else {
        return Err(Error::parse(
            source,
            None,
            format!("{} without an account", st.name),
        ));
    };
    let number = from
        .text_at(&["ACCTID"])
        .ok_or_else(|| Error::parse(source, None, "an account without ACCTID"))?;
    let institution = from
        .text_at(&["BANKID"])
        .or_else(|| from.text_at(&["BROKERID"]))
        .unwrap_or("card");
    let acct_type = from.text_at(&["ACCTTYPE"]).unwrap_or(match kind {
        AccountType::Credit => "CREDITCARD",
        AccountType::Investment => "INVESTMENT",
        _ => "BANK",
    });
    // CURDEF is required but real files leave it empty; a transaction's currency is the next
    // best witness, and USD (the OFX default market) the last resort, said aloud.
    let code = match st.text_at(&["CURDEF"]) {
        Some(c) => c.to_owned(),
        None => match st.first("CURSYM").and_then(|n| n.text_at(&[])) {
            Some(c) => c.to_owned(),
            None => {
                parsed
                    .warnings
                    .push(format!("{}: no currency given; read as USD", st.name));
                "USD".to_owned()
            }
        },
    };
    let currency: Currency = parse_currency(&code)?;
    let kind = if acct_type.eq_ignore_ascii_case("CREDITLINE") {
        AccountType::Credit
    } else {
        kind
    };
    let mask = pa_core::finance::Mask::from_number(number)?;
    let key = format!(
        "{institution}/{}/{}",
        acct_type.to_ascii_lowercase(),
        mask.as_str()
    );
    let external = ExternalRef::new("ofx", key.clone())?;
    let mut account = Account::new(
        AccountId::new(format!("ofx-{}", key.replace('/', "-")))?,
        format!(
            "{} {} {}",
            institution,
            acct_type.to_ascii_lowercase(),
            mask
        ),
        kind,
        currency,
    )
    .with_number(number)?;
    account.external = Some(external);
    let account_id = account.id.clone();
    let credit = kind == AccountType::Credit;
    parsed.batch.accounts.push(account);

    // Transactions.
    // One walk for the rows and the aggregates read below; found anywhere in the statement, since
    // files that forget `</BANKTRANLIST>` nest the balances there.
    let (mut rows, mut ledger, mut avail, mut positions, mut trades) =
        (Vec::new(), None, None, None, None);
    st.walk(&mut |n| {
        let slot = match n.name.as_ref() {
            "STMTTRN" => {
                rows.push(n);
                return;
            }
            "LEDGERBAL" => &mut ledger,
            "AVAILBAL" => &mut avail,
            "INVPOSLIST" => &mut positions,
            "INVTRANLIST" => &mut trades,
            _ => return,
        };
        if slot.is_none() {
            *slot = Some(n);
        }
    });
    let mut fitids = rustc_hash::FxHashSet::default();
    for t in rows {
        let fitid = t.text_at(&["FITID"]).unwrap_or("");
        // Named only when something is skipped: formatting it for every row costs more than the
        // rest of the row.
        let what = || format!("transaction {fitid:?} of account {account_id}");
        if fitid.is_empty() {
            parsed.skip(
                what(),
                "it has no FITID, so re-imports could not recognise it",
            );
            continue;
        }
        if !fitids.insert(fitid) {
            continue;
        }
        // Some banks build FITIDs from the account number: it is never kept whole.
        let fitid = &*pa_core::finance::Mask::hide_number_in(number, fitid);
        let Some(posted) = t.text_at(&["DTPOSTED"]).and_then(day) else {
            parsed.skip(what(), "its DTPOSTED is not a date");
            continue;
        };
        let raw = t.text_at(&["TRNAMT"]).unwrap_or("");
        let Some(value) = amount(raw) else {
            parsed.skip(what(), format!("its amount {raw:?} is not a number"));
            continue;
        };
        let id = format!("{account_id}/{fitid}");
        let mut tx = pa_core::finance::Transaction::new(
            TransactionId::new(&id)?,
            account_id.clone(),
            posted,
            Money::new(value, currency),
        );
        tx.external = Some(ExternalRef::new("ofx", format!("{key}/{fitid}"))?);
        tx.authorized = t.text_at(&["DTUSER"]).and_then(day);
        let name = t
            .text_at(&["NAME"])
            .or_else(|| t.text_at(&["PAYEE", "NAME"]));
        tx.merchant = name.map(str::to_owned);
        tx.description = t.text_at(&["MEMO"]).or(name).unwrap_or("").to_owned();
        tx.transfer = t
            .text_at(&["TRNTYPE"])
            .is_some_and(|k| k.eq_ignore_ascii_case("XFER"));
        parsed.batch.transactions.push(tx);
    }

    // Balances: what is owed on a card is a positive liability in pa.
    let sign = if credit {
        Decimal::NEGATIVE_ONE
    } else {
        Decimal::ONE
    };
    // Found anywhere in the statement: files that forget `</BANKTRANLIST>` nest it there.

    if let Some(l) = ledger {
        match (
            l.text_at(&["BALAMT"]).and_then(amount),
            l.text_at(&["DTASOF"]).and_then(day),
        ) {
            (Some(v), Some(d)) => {
                let mut b =
                    BalanceSnapshot::new(account_id.clone(), d, Money::new(v * sign, currency));
                if let Some(a) = avail {
                    match (a.text_at(&["BALAMT"]).and_then(amount), a.text_at(&["DTASOF"]).and_then(day)) {
                        (Some(av), Some(ad)) if ad == d => {
                            b.available = Some(Money::new(av * sign, currency));
                        }
                        (Some(_), Some(ad)) => parsed.warnings.push(format!(
                            "account {account_id}: the available balance is dated {ad}, the ledger balance {d}; only the ledger balance is kept"
                        )),
                        _ => {}
                    }
                }
                parsed.batch.balances.push(b);
            }
            _ => parsed.skip(
                format!("ledger balance of account {account_id}"),
                "no amount or date",
            ),
        }
    }

    // Investment positions.
    if let Some(list) = positions {
        let as_of = st.text_at(&["DTASOF"]).and_then(day);
        for pos in &list.children {
            let Some(inv) = pos.child("INVPOS") else {
                continue;
            };
            let Some(sec) = inv.text_at(&["SECID", "UNIQUEID"]) else {
                continue;
            };
            let what = || format!("position in {sec} of account {account_id}");
            let (Some(units), Some(price)) = (
                inv.text_at(&["UNITS"]).and_then(amount),
                inv.text_at(&["UNITPRICE"]).and_then(amount),
            ) else {
                parsed.skip(what(), "units or price missing");
                continue;
            };
            let Some(day) = inv.text_at(&["DTPRICEASOF"]).and_then(day).or(as_of) else {
                parsed.skip(what(), "no date");
                continue;
            };
            let mut h = Holding::new(
                account_id.clone(),
                SecurityId::new(sec)?,
                day,
                units,
                Money::new(price, currency),
            )?;
            if let Some(v) = inv.text_at(&["MKTVAL"]).and_then(amount) {
                h.value = Money::new(v, currency);
            }
            parsed.batch.records.push(h.into());
        }
    }
    if let Some(list) = trades {
        let mut seen = std::collections::BTreeSet::new();
        for n in list.children.iter().filter(|c| !c.leaf) {
            // Cash movements (INVBANKTRAN) are read above as the account's transactions.
            if n.name == "INVBANKTRAN" {
                continue;
            }
            match investment_transaction(n, &account_id, &key, number, currency) {
                Ok(t) if seen.insert(t.id.clone()) => parsed.batch.records.push(t.into()),
                Ok(_) => {}
                Err(why) => parsed.skip(format!("{} of account {account_id}", n.name), why),
            }
        }
    }
    Ok(())
}

/// One INVTRANLIST entry (BUYSTOCK, SELLMF, INCOME, REINVEST, TRANSFER, …), or why not.
fn investment_transaction(
    n: &Node<'_>,
    account: &AccountId,
    key: &str,
    number: &str,
    currency: Currency,
) -> std::result::Result<InvestmentTransaction, String> {
    use InvestmentAction as A;
    // Buys and sells keep their common fields one level down.
    let core = n
        .child("INVBUY")
        .or_else(|| n.child("INVSELL"))
        .unwrap_or(n);
    let fitid = core
        .text_at(&["INVTRAN", "FITID"])
        .filter(|f| !f.is_empty())
        .ok_or("it has no FITID, so re-imports could not recognise it")?;
    let fitid = &*pa_core::finance::Mask::hide_number_in(number, fitid);
    let day = core
        .text_at(&["INVTRAN", "DTTRADE"])
        .or_else(|| core.text_at(&["INVTRAN", "DTSETTLE"]))
        .and_then(day)
        .ok_or_else(|| format!("{fitid}: DTTRADE is not a date"))?;
    let number = |name: &str| -> std::result::Result<Option<Decimal>, String> {
        match core.text_at(&[name]) {
            None => Ok(None),
            Some(t) => amount(t)
                .map(Some)
                .ok_or_else(|| format!("{fitid}: {name} {t:?} is not a number")),
        }
    };
    let units = number("UNITS")?;
    let total = number("TOTAL")?;
    let fees = [
        number("COMMISSION")?,
        number("FEES")?,
        number("TAXES")?,
        number("LOAD")?,
    ]
    .into_iter()
    .flatten()
    .fold(None, |acc: Option<Decimal>, f| {
        Some(acc.unwrap_or_default() + f)
    });
    let name: &str = &n.name;
    let income = core
        .text_at(&["INCOMETYPE"])
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    let (action, quantity, cash) = match name {
        _ if name.starts_with("BUY") => (A::Buy, units.map(|u| u.abs()), total),
        _ if name.starts_with("SELL") => (A::Sell, units.map(|u| -u.abs()), total),
        "INCOME" => (
            if income == "INTEREST" {
                A::Interest
            } else if income == "MISC" {
                A::Other
            } else {
                A::Dividend
            },
            None,
            total,
        ),
        // No cash moves: the income buys units. The amount kept is the income reinvested.
        "REINVEST" => (A::Reinvest, units, total.map(|t| t.abs())),
        "TRANSFER" => {
            let out = core
                .text_at(&["TFERACTION"])
                .is_some_and(|a| a.trim().eq_ignore_ascii_case("OUT"));
            (
                A::Transfer,
                units.map(|u| if out { -u.abs() } else { u.abs() }),
                Some(Decimal::ZERO),
            )
        }
        "INVEXPENSE" => (A::Fee, None, total.map(|t| -t.abs())),
        "MARGININTEREST" => (A::Interest, None, total),
        "SPLIT" => {
            let split = match (number("OLDUNITS")?, number("NEWUNITS")?) {
                (Some(old), Some(new)) => Some(new - old),
                _ => None,
            };
            (A::Split, split, Some(Decimal::ZERO))
        }
        _ => (A::Other, units, total.or(Some(Decimal::ZERO))),
    };
    let cash = cash.ok_or_else(|| format!("{fitid}: no TOTAL"))?;
    let security = core
        .text_at(&["SECID", "UNIQUEID"])
        .map(|s| SecurityId::new(s.trim()))
        .transpose()
        .map_err(|e| e.to_string())?;
    let money = |d: Decimal| Money::new(d, currency);
    let id = format!("{account}/{fitid}");
    let t = InvestmentTransaction {
        id: InvestmentTransactionId::new(&id).map_err(|e| e.to_string())?,
        external: Some(
            ExternalRef::new("ofx", format!("{key}/{fitid}")).map_err(|e| e.to_string())?,
        ),
        account: account.clone(),
        security,
        day,
        action,
        quantity,
        price: number("UNITPRICE")?.map(money),
        amount: money(cash),
        fees: fees.filter(|f| !f.is_zero()).map(money),
        description: core
            .text_at(&["INVTRAN", "MEMO"])
            .unwrap_or("")
            .trim()
            .to_owned(),
    };
    t.validate().map_err(|e| e.to_string())?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SGML: &str = "OFXHEADER:100\nDATA:OFXSGML\nCHARSET:1252\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD\
<BANKACCTFROM><BANKID>123<ACCTID>9876543210<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST>\
<STMTTRN><TRNTYPE>POS<DTPOSTED>20260301120000.000[-5:EST]<TRNAMT>-6.60<FITID>A1<NAME>Coffee & Co<MEMO></STMTTRN>\
<STMTTRN><TRNTYPE>XFER<DTPOSTED>20260302<TRNAMT>$120<FITID>A2<NAME>Bad</STMTTRN>\
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260303<TRNAMT>1000,50<FITID>A3<NAME>Pay</STMTTRN>\
</BANKTRANLIST><LEDGERBAL><BALAMT>993.90<DTASOF>20260303</LEDGERBAL><AVAILBAL><BALAMT>900<DTASOF>20260303</AVAILBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>";

    /// Cut anywhere before its end, a statement is refused whole, never read in part.
    #[test]
    fn a_statement_cut_anywhere_is_refused() {
        let full = SGML.as_bytes();
        assert!(read(full, "s.ofx", &ImportOptions::default()).is_ok());
        let body = SGML.find("<OFX>").unwrap();
        for cut in body..full.len() {
            let result = read(&full[..cut], "s.ofx", &ImportOptions::default());
            assert!(
                result.is_err(),
                "cut at {cut}: {:?}",
                &SGML[cut.saturating_sub(20)..cut]
            );
        }
        // The exact error, cut after a transaction's id as the probe did.
        let at = SGML.find("<FITID>A2").unwrap() + "<FITID>A2".len();
        assert_eq!(
            read(&full[..at], "s.ofx", &ImportOptions::default())
                .err()
                .unwrap()
                .to_string(),
            "s.ofx: the file ends inside <STMTTRN>: it is cut off (truncated)"
        );
    }

    #[test]
    fn investment_transactions_are_read_with_their_signs() {
        let inv = |body: &str| format!("<INVTRAN><FITID>{body}</INVTRAN>");
        let file = format!(
            "OFXHEADER:100\n\n<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><DTASOF>20260310<CURDEF>USD\
<INVACCTFROM><BROKERID>broker.example<ACCTID>55512345</INVACCTFROM><INVTRANLIST>\
<BUYSTOCK><INVBUY>{}<SECID><UNIQUEID>VTI<UNIQUEIDTYPE>TICKER</SECID><UNITS>10<UNITPRICE>250.00\
<COMMISSION>4.95<TOTAL>-2504.95</INVBUY><BUYTYPE>BUY</BUYSTOCK>\
<SELLMF><INVSELL>{}<SECID><UNIQUEID>FUND</SECID><UNITS>5<UNITPRICE>20<TOTAL>100</INVSELL></SELLMF>\
<INCOME>{}<SECID><UNIQUEID>VTI</SECID><INCOMETYPE>DIV<TOTAL>12.34</INCOME>\
<REINVEST>{}<SECID><UNIQUEID>VTI</SECID><INCOMETYPE>DIV<TOTAL>-12.34<UNITS>0.05<UNITPRICE>246.8</REINVEST>\
<TRANSFER>{}<SECID><UNIQUEID>FUND</SECID><UNITS>3<TFERACTION>OUT<UNITPRICE>20</TRANSFER>\
<SPLIT>{}<SECID><UNIQUEID>VTI</SECID><OLDUNITS>10<NEWUNITS>20<NUMERATOR>2<DENOMINATOR>1</SPLIT>\
<INVEXPENSE>{}<TOTAL>25</INVEXPENSE>\
<INCOME><INVTRAN><DTTRADE>20260301</INVTRAN><TOTAL>1</INCOME>\
<INVBANKTRAN><STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260301<TRNAMT>1000<FITID>C1</STMTTRN><SUBACCTFUND>CASH</INVBANKTRAN>\
</INVTRANLIST></INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>",
            inv("B1<DTTRADE>20260302"),
            inv("S1<DTTRADE>20260303"),
            inv("I1<DTTRADE>20260304"),
            inv("R1<DTTRADE>20260304"),
            inv("T1<DTTRADE>20260305"),
            inv("X1<DTTRADE>20260306"),
            inv("E1<DTTRADE>20260307"),
        );
        let p = read(file.as_bytes(), "inv.ofx", &ImportOptions::default()).unwrap();
        let got: Vec<(String, InvestmentAction, Option<Decimal>, Decimal)> = p
            .batch
            .records
            .iter()
            .filter_map(|d| match d {
                pa_core::ports::Doc::InvestmentTransaction(t) => Some((
                    t.id.to_string().rsplit('/').next().unwrap().to_owned(),
                    t.action,
                    t.quantity,
                    t.amount.amount(),
                )),
                _ => None,
            })
            .collect();
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        use InvestmentAction as A;
        assert_eq!(
            got,
            [
                ("B1".to_owned(), A::Buy, Some(d("10")), d("-2504.95")),
                ("S1".to_owned(), A::Sell, Some(d("-5")), d("100")),
                ("I1".to_owned(), A::Dividend, None, d("12.34")),
                ("R1".to_owned(), A::Reinvest, Some(d("0.05")), d("12.34")),
                ("T1".to_owned(), A::Transfer, Some(d("-3")), d("0")),
                ("X1".to_owned(), A::Split, Some(d("10")), d("0")),
                ("E1".to_owned(), A::Fee, None, d("-25")),
            ]
        );
        // The entry without a FITID is reported; the cash movement is an ordinary transaction.
        assert!(
            p.skipped.iter().any(|s| s.reason.contains("FITID")),
            "{:?}",
            p.skipped
        );
        assert_eq!(p.batch.transactions.len(), 1);
    }

    #[test]
    fn sgml_statement_with_unclosed_leaves() {
        let p = read(SGML.as_bytes(), "x.ofx", &ImportOptions::default()).unwrap();
        let a = &p.batch.accounts[0];
        assert_eq!(a.mask.as_ref().unwrap().as_str(), "3210");
        assert_eq!(a.id.as_str(), "ofx-123-checking-3210");
        assert!(
            !format!("{a:?}").contains("9876543210"),
            "never the full number"
        );
        let t = &p.batch.transactions;
        assert_eq!(t.len(), 2, "the $120 one is skipped");
        assert_eq!(t[0].merchant.as_deref(), Some("Coffee & Co"));
        assert_eq!(t[0].amount.amount(), "-6.60".parse().unwrap());
        assert_eq!(t[1].amount.amount(), "1000.50".parse().unwrap());
        assert!(p.skipped[0].reason.contains("$120"));
        let b = &p.batch.balances[0];
        assert_eq!(b.current.amount(), "993.90".parse().unwrap());
        assert_eq!(b.available.unwrap().amount(), "900".parse().unwrap());
    }

    #[test]
    fn credit_card_balances_are_owed_amounts_and_windows_1252_decodes() {
        let mut bytes = b"<OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS><CURDEF>EUR<CCACCTFROM><ACCTID>4111111111111111</CCACCTFROM>\
<BANKTRANLIST><STMTTRN><DTPOSTED>20260105<TRNAMT>-10<FITID>1<NAME>Caf".to_vec();
        bytes.push(0xE9); // é in Windows-1252
        bytes.extend_from_slice(b"</STMTTRN></BANKTRANLIST><LEDGERBAL><BALAMT>-250.00<DTASOF>20260131</LEDGERBAL></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>");
        let p = read(&bytes, "cc.ofx", &ImportOptions::default()).unwrap();
        assert_eq!(p.batch.accounts[0].kind, AccountType::Credit);
        assert_eq!(p.batch.transactions[0].merchant.as_deref(), Some("Café"));
        assert_eq!(
            p.batch.balances[0].current.amount(),
            "250.00".parse().unwrap()
        );
    }

    #[test]
    fn not_ofx_is_an_error() {
        for bad in [
            "hello",
            "<OFX></OFX>",
            "<OFX><STMTRS></STMTRS></OFX>",
            "<OFX><STMTRS><BANKACCTFROM></BANKACCTFROM></STMTRS></OFX>",
        ] {
            assert!(
                matches!(
                    read(bad.as_bytes(), "b.ofx", &ImportOptions::default()),
                    Err(Error::Parse { .. } | Error::Core(_))
                ),
                "{bad}"
            );
        }
        assert!(
            read(
                &"<OFX>".repeat(100).into_bytes(),
                "deep.ofx",
                &ImportOptions::default()
            )
            .is_err()
        );
    }
}
