//! Accounts, and the mask that is all pa ever keeps of an account number.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{AccountId, ExternalRef};
use crate::money::Currency;
use crate::time::Day;

/// What kind of account it is; decides whether its balance is an asset or a liability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    /// Checking, savings, cash management: an asset.
    Depository,
    /// Credit card or line of credit: a liability (balance = amount owed).
    Credit,
    /// Mortgage, student or auto loan: a liability (balance = amount owed).
    Loan,
    /// Brokerage, retirement: an asset.
    Investment,
    /// Anything else (property, a car, cash): an asset.
    Other,
}

impl AccountType {
    /// Every type, in a fixed order (used for breakdowns).
    pub const ALL: [AccountType; 5] = [
        AccountType::Depository,
        AccountType::Credit,
        AccountType::Loan,
        AccountType::Investment,
        AccountType::Other,
    ];

    /// True for credit and loan accounts, whose balance is owed.
    pub const fn is_liability(self) -> bool {
        matches!(self, AccountType::Credit | AccountType::Loan)
    }

    /// Position in [`AccountType::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountType::Depository => "depository",
            AccountType::Credit => "credit",
            AccountType::Loan => "loan",
            AccountType::Investment => "investment",
            AccountType::Other => "other",
        }
    }
}

impl fmt::Display for AccountType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        AccountType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::invalid(
                    "account type",
                    format!("'{s}' is not one of depository, credit, loan, investment, other"),
                )
            })
    }
}

/// The last (at most four) digits of an account number, the only part pa keeps.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mask(String);

impl Mask {
    /// Keeps the last four digits of `number`, ignoring spaces, dashes and other separators; the
    /// rest is dropped at once. An error if `number` has no digit.
    pub fn from_number(number: &str) -> Result<Self> {
        let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return Err(Error::invalid("account number", "has no digits"));
        }
        Ok(Mask(
            digits[digits.len().saturating_sub(4)..].iter().collect(),
        ))
    }

    /// The kept digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `id` (a bank's transaction id, which some banks build from the account number) with every
    /// run of more than four digits that is also a run of `number`'s digits written as `*`s of
    /// the same length, so no more of the number is kept than a mask keeps. The same id and
    /// number always give the same text, so re-imports still match; ids that hold no such run
    /// come back as they are.
    pub fn hide_number_in<'a>(number: &str, id: &'a str) -> std::borrow::Cow<'a, str> {
        const KEPT: usize = 4;
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        if digits.len() <= KEPT {
            return std::borrow::Cow::Borrowed(id);
        }
        let bytes = id.as_bytes();
        // Most ids have no run of digits long enough to matter: answered without allocating.
        let longest = bytes
            .split(|b| !b.is_ascii_digit())
            .map(<[u8]>::len)
            .max()
            .unwrap_or(0);
        if longest <= KEPT {
            return std::borrow::Cow::Borrowed(id);
        }
        let mut hidden = vec![false; bytes.len()];
        // For each start, the longest run of digits there that `number` also holds.
        for start in 0..bytes.len() {
            let mut end = start;
            while end < bytes.len()
                && bytes[end].is_ascii_digit()
                && digits.contains(&id[start..=end])
            {
                end += 1;
            }
            if end - start > KEPT {
                hidden[start..end].iter_mut().for_each(|h| *h = true);
            }
        }
        if !hidden.contains(&true) {
            return std::borrow::Cow::Borrowed(id);
        }
        // Only ASCII digits are replaced, so the text stays valid UTF-8 byte for byte.
        std::borrow::Cow::Owned(
            id.char_indices()
                .map(|(i, c)| if hidden[i] { '*' } else { c })
                .collect(),
        )
    }
}

impl fmt::Debug for Mask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mask(…{})", self.0)
    }
}

impl fmt::Display for Mask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "…{}", self.0)
    }
}

impl TryFrom<String> for Mask {
    type Error = Error;
    /// Accepts only what a mask can be: one to four digits. A longer value is refused rather than
    /// cut, so a full number arriving by mistake through serde is never silently stored.
    fn try_from(s: String) -> Result<Self> {
        if (1..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Mask(s))
        } else {
            Err(Error::invalid(
                "mask",
                "must be the last 1 to 4 digits of an account number",
            ))
        }
    }
}

impl From<Mask> for String {
    fn from(m: Mask) -> String {
        m.0
    }
}

/// A financial account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// pa's id.
    pub id: AccountId,
    /// The source record, when imported.
    pub external: Option<ExternalRef>,
    /// The bank or broker.
    pub institution: Option<String>,
    /// The name the person knows it by.
    pub name: String,
    /// The institution's official name.
    pub official_name: Option<String>,
    /// The type.
    pub kind: AccountType,
    /// The institution's subtype (`checking`, `credit card`, `mortgage`, `401k`, …).
    pub subtype: Option<String>,
    /// The currency its balances are in.
    pub currency: Currency,
    /// First day it existed, when known.
    pub opened: Option<Day>,
    /// The day it was closed, when closed; it counts up to the day before.
    pub closed: Option<Day>,
    /// Last digits of the account number.
    pub mask: Option<Mask>,
}

/// The one currency every account is in: what money entered without a currency is taken to be
/// in when the profile names none (a person whose bank is in dollars spends dollars). `None`
/// with no accounts, or with accounts in more than one currency.
pub fn shared_currency(accounts: &[Account]) -> Option<Currency> {
    let (first, rest) = accounts.split_first()?;
    rest.iter()
        .all(|a| a.currency == first.currency)
        .then_some(first.currency)
}

impl Account {
    /// An account with the required fields; the rest empty.
    pub fn new(
        id: AccountId,
        name: impl Into<String>,
        kind: AccountType,
        currency: Currency,
    ) -> Self {
        Self {
            id,
            external: None,
            institution: None,
            name: name.into(),
            official_name: None,
            kind,
            subtype: None,
            currency,
            opened: None,
            closed: None,
            mask: None,
        }
    }

    /// Sets the mask from a full account number, keeping only its last four digits.
    pub fn with_number(mut self, number: &str) -> Result<Self> {
        self.mask = Some(Mask::from_number(number)?);
        Ok(self)
    }

    /// True when the account exists on `day`: on or after `opened`, before `closed`.
    pub fn is_open_on(&self, day: Day) -> bool {
        self.opened.is_none_or(|o| day >= o) && self.closed.is_none_or(|c| day < c)
    }

    /// Checks that it closes after it opens and that the name is not empty.
    pub fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid(
                format!("account {}", self.id),
                "name is empty",
            ));
        }
        if let (Some(o), Some(c)) = (self.opened, self.closed)
            && c <= o
        {
            return Err(Error::invalid(
                format!("account {}", self.id),
                format!("closed {c} is not after opened {o}"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::parse_currency;

    #[test]
    fn mask_keeps_only_the_last_four_digits() {
        let a = Account::new(
            AccountId::new("a").unwrap(),
            "Checking",
            AccountType::Depository,
            parse_currency("USD").unwrap(),
        )
        .with_number("1234-5678 9012 3456")
        .unwrap();
        let m = a.mask.as_ref().unwrap();
        assert_eq!(m.as_str(), "3456");
        let all = format!("{a:?} {} {}", serde_json::to_string(&a).unwrap(), m);
        assert!(!all.contains("9012") && !all.contains("12345"), "{all}");
        assert_eq!(Mask::from_number("12").unwrap().as_str(), "12");
        assert!(Mask::from_number("no digits").is_err());
        assert!(serde_json::from_str::<Mask>("\"123456789\"").is_err());
        assert!(serde_json::from_str::<Mask>("\"12a4\"").is_err());
    }

    #[test]
    fn the_shared_currency_is_the_one_all_accounts_are_in() {
        let account = |id: &str, code: &str| {
            Account::new(
                AccountId::new(id).unwrap(),
                id,
                AccountType::Depository,
                parse_currency(code).unwrap(),
            )
        };
        let usd = parse_currency("USD").unwrap();
        assert_eq!(shared_currency(&[]), None);
        assert_eq!(
            shared_currency(&[account("a", "USD"), account("b", "USD")]),
            Some(usd)
        );
        assert_eq!(
            shared_currency(&[account("a", "USD"), account("b", "EUR")]),
            None
        );
    }

    #[test]
    fn types_and_open_days() {
        assert!(AccountType::Credit.is_liability() && AccountType::Loan.is_liability());
        assert!(!AccountType::Investment.is_liability());
        assert_eq!("LOAN".parse::<AccountType>().unwrap(), AccountType::Loan);
        assert!("savings".parse::<AccountType>().is_err());
        let mut a = Account::new(
            AccountId::new("a").unwrap(),
            "Card",
            AccountType::Credit,
            parse_currency("EUR").unwrap(),
        );
        a.opened = Some("2026-01-10".parse().unwrap());
        a.closed = Some("2026-03-01".parse().unwrap());
        assert!(!a.is_open_on("2026-01-09".parse().unwrap()));
        assert!(a.is_open_on("2026-01-10".parse().unwrap()));
        assert!(a.is_open_on("2026-02-28".parse().unwrap()));
        assert!(!a.is_open_on("2026-03-01".parse().unwrap()));
        assert!(a.validate().is_ok());
        a.closed = a.opened;
        assert!(a.validate().is_err());
    }

    #[test]
    fn an_account_number_inside_a_transaction_id_is_hidden() {
        // fidelity.ofx builds its FITIDs from the account id 01234567890.
        assert_eq!(
            Mask::hide_number_in("01234567890", "0123456789020201120120720"),
            "***********20201120120720"
        );
        assert_eq!(
            Mask::hide_number_in("0123-4567-890", "X-45678-Y"),
            "X-*****-Y"
        );
        // Four digits (what a mask shows) or a run the number does not hold stay as they are.
        for id in ["A1", "7890-2026", "20260303", "99887766"] {
            assert!(
                matches!(
                    Mask::hide_number_in("01234567890", id),
                    std::borrow::Cow::Borrowed(_)
                ),
                "{id}"
            );
        }
        assert_eq!(Mask::hide_number_in("1234", "123412341234"), "123412341234");
    }
}
