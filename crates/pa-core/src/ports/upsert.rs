//! The write rules every storage adapter applies, written once: how an incoming record finds the
//! stored one it replaces, when it counts as unchanged, what its content hash is, and the checks
//! on parents, currencies and balance keys. Adapters only look things up and write.
//!
//! # The upsert rule
//! 1. A record with an [`ExternalRef`] is matched by it first, so a source record keeps one
//!    identity however pa named it; otherwise (or when nothing matches) by its key: pa's id, or
//!    its natural key (`habit/day`, `account/day`, a day).
//! 2. A match keeps the **stored** key: the incoming record is re-keyed to it.
//! 3. The re-keyed record is **unchanged** when its [`ContentHash`] equals the stored one's;
//!    otherwise it is written as an update. No match: it is added.
//!
//! # The content hash
//! [`ContentHash`] is FNV-1a (64 bit) over the record's JSON as `serde_json` writes it (fields in
//! declaration order, no whitespace, floats in their shortest round-trip form), shown as 16
//! lowercase hex digits. It is the same in every adapter, is stored beside records by the SQLite
//! store (so older stores keep theirs), and is what the sync planner compares to tell a changed
//! record from an unchanged one. It changes only when a record's JSON changes: a new field with a
//! value changes it, a renamed one too; the golden test below pins it.

use std::fmt;

use serde::Serialize;

use super::audit::AuditAction;
use super::record::{Record, RecordKind};
use crate::error::{Error, Result};
use crate::finance::{BalanceSnapshot, Transaction};
use crate::ids::{AccountId, ExternalRef};
use crate::money::Currency;
use crate::time::Day;

/// A record's content hash: see the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(pub u64);

impl ContentHash {
    /// The hash of JSON text.
    pub fn of_json(json: &str) -> Self {
        Self(json.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        }))
    }

    /// The hash of bytes, eight at a time: FNV-1a's step over 64-bit little-endian words (the
    /// last one zero-padded), then over the length. Each step is a bijection of the state, so
    /// any one changed word changes the hash; for bulk data kept beside a record's JSON (an
    /// activity's streams), eight times the speed of the byte-wise hash.
    pub fn of_bytes(bytes: &[u8]) -> Self {
        const PRIME: u64 = 0x0100_0000_01b3;
        let step = |h: u64, w: u64| (h ^ w).wrapping_mul(PRIME);
        let mut words = bytes.chunks_exact(8);
        let mut h = words.by_ref().fold(0xcbf2_9ce4_8422_2325_u64, |h, w| {
            step(
                h,
                u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
            )
        });
        let tail = words.remainder();
        if !tail.is_empty() {
            let mut last = [0u8; 8];
            last[..tail.len()].copy_from_slice(tail);
            h = step(h, u64::from_le_bytes(last));
        }
        Self(step(h, bytes.len() as u64))
    }

    /// This hash followed by `other`'s: a record's JSON and the bulk data kept beside it.
    pub fn then(self, other: Self) -> Self {
        Self((self.0 ^ other.0.rotate_left(29)).wrapping_mul(0x0100_0000_01b3))
    }

    /// The hash of a record.
    pub fn of<T: Serialize>(record: &T) -> Result<Self> {
        Ok(encode(record)?.1)
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// A record's JSON and its content hash.
pub fn encode<T: Serialize>(record: &T) -> Result<(String, ContentHash)> {
    let json = serde_json::to_string(record)
        .map_err(|e| Error::invalid("record", format!("cannot be encoded: {e}")))?;
    let hash = ContentHash::of_json(&json);
    Ok((json, hash))
}

/// How an adapter is asked for the stored record an incoming one may replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The stored record of this kind with this external reference.
    External(&'a ExternalRef),
    /// The stored record of this kind with this key.
    Key(&'a str),
}

/// What an adapter found: the stored record's key and its content hash as stored (text, so a
/// damaged stored hash simply differs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Its key.
    pub key: String,
    /// Its content hash, as [`ContentHash`]'s `Display` writes it.
    pub hash: String,
}

/// What to do with an incoming record.
#[derive(Debug, Clone, PartialEq)]
pub enum Upsert<T> {
    /// It equals the stored record: nothing to write.
    Unchanged {
        /// The stored key.
        key: String,
    },
    /// Write it.
    Write {
        /// The record, under the key it is stored by.
        record: T,
        /// That key.
        key: String,
        /// Its JSON.
        json: String,
        /// Its content hash.
        hash: ContentHash,
        /// Added or updated.
        action: AuditAction,
    },
}

/// Applies the upsert rule (see the [module docs](self)) to `record`, whose own key is `own_key`:
/// `find` looks up stored records as asked, `rekey` gives the record under a stored key.
pub fn plan<T, E>(
    record: &T,
    own_key: &str,
    external: Option<&ExternalRef>,
    find: impl FnMut(Lookup<'_>) -> std::result::Result<Option<Stored>, E>,
    rekey: impl FnOnce(&T, &str) -> Result<T>,
) -> std::result::Result<Upsert<T>, E>
where
    T: Serialize + Clone,
    E: From<Error>,
{
    plan_with(record, own_key, external, find, rekey, encode)
}

/// [`plan`] with the record's stored form made by `encode_with` (its JSON and content hash):
/// for a store that keeps part of a record beside its JSON, the hash covering both.
pub fn plan_with<T, E>(
    record: &T,
    own_key: &str,
    external: Option<&ExternalRef>,
    mut find: impl FnMut(Lookup<'_>) -> std::result::Result<Option<Stored>, E>,
    rekey: impl FnOnce(&T, &str) -> Result<T>,
    encode_with: impl FnOnce(&T) -> Result<(String, ContentHash)>,
) -> std::result::Result<Upsert<T>, E>
where
    T: Clone,
    E: From<Error>,
{
    let mut stored = match external {
        Some(e) => find(Lookup::External(e))?,
        None => None,
    };
    if stored.is_none() {
        stored = find(Lookup::Key(own_key))?;
    }
    let (record, key, old) = match stored {
        Some(s) => (rekey(record, &s.key)?, s.key, Some(s.hash)),
        None => (record.clone(), own_key.to_owned(), None),
    };
    let (json, hash) = encode_with(&record)?;
    Ok(match old {
        Some(h) if h == hash.to_string() => Upsert::Unchanged { key },
        Some(_) => Upsert::Write {
            record,
            key,
            json,
            hash,
            action: AuditAction::Updated,
        },
        None => Upsert::Write {
            record,
            key,
            json,
            hash,
            action: AuditAction::Added,
        },
    })
}

/// Checks that a record's parent exists (`exists(kind, key)` asks the adapter); the error names
/// the record and the missing parent.
pub fn check_parent<R: Record, E: From<Error>>(
    record: &R,
    exists: impl FnOnce(RecordKind, &str) -> std::result::Result<bool, E>,
) -> std::result::Result<(), E> {
    if let (Some(kind), Some(parent)) = (R::KIND.parent(), record.parent())
        && !exists(kind, &parent)?
    {
        return Err(Error::invalid(
            format!("{} {}", R::KIND, record.key()),
            format!("{kind} {parent} is unknown"),
        )
        .into());
    }
    Ok(())
}

/// Checks a transaction against its account's currency (`None`: the account is unknown).
pub fn check_transaction(t: &Transaction, account_currency: Option<Currency>) -> Result<()> {
    let what = format!("transaction {}", t.id);
    let currency = known_account(&t.account, account_currency, &what)?;
    if currency != t.amount.currency() {
        return Err(Error::invalid(
            what,
            format!(
                "is in {} but account {} is in {}",
                t.amount.currency().code(),
                t.account,
                currency.code()
            ),
        ));
    }
    Ok(())
}

/// Checks a balance (its own rules, and its account's currency; `None`: the account is
/// unknown).
pub fn check_balance(b: &BalanceSnapshot, account_currency: Option<Currency>) -> Result<()> {
    b.validate()?;
    let what = format!("balance of account {} on {}", b.account, b.day);
    let currency = known_account(&b.account, account_currency, &what)?;
    if currency != b.current.currency() {
        return Err(Error::invalid(
            what,
            format!(
                "is in {} but the account is in {}",
                b.current.currency().code(),
                currency.code()
            ),
        ));
    }
    Ok(())
}

fn known_account(account: &AccountId, currency: Option<Currency>, what: &str) -> Result<Currency> {
    currency.ok_or_else(|| Error::invalid(what, format!("account {account} is unknown")))
}

/// A balance's key: `account/day`.
pub fn balance_key(account: &AccountId, day: Day) -> String {
    format!("{account}/{day}")
}

/// The account and day of a balance key (`account/day`; the account may itself hold `/`).
pub fn parse_balance_key(key: &str) -> Result<(AccountId, Day)> {
    let bad = || Error::invalid("balance key", format!("'{key}' is not account/day"));
    let (account, day) = key.rsplit_once('/').ok_or_else(bad)?;
    Ok((AccountId::new(account).map_err(|_| bad())?, day.parse()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Note;

    fn note(id: &str, text: &str) -> Note {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": "t", "body": text, "tags": [],
            "created": "2026-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn the_content_hash_is_pinned() {
        // FNV-1a 64 of known text, and of a record: a change here breaks every stored hash and
        // every sync comparison, so it must be deliberate.
        assert_eq!(ContentHash::of_json("").to_string(), "cbf29ce484222325");
        assert_eq!(ContentHash::of_json("a").to_string(), "af63dc4c8601ec8c");
        assert_eq!(ContentHash::of_bytes(b"").to_string(), "af63bd4c8601b7df");
        assert_eq!(
            ContentHash::of_bytes(b"abcdefghi").to_string(),
            "b7dbaa287fb4fa62"
        );
        assert_eq!(
            ContentHash::of_json("a")
                .then(ContentHash::of_bytes(b"a"))
                .to_string(),
            "a6f27c09248c4104"
        );
        // One changed word, or the same words at another length, changes the hash.
        assert_ne!(
            ContentHash::of_bytes(b"abcdefgh"),
            ContentHash::of_bytes(b"abcdefgi")
        );
        assert_ne!(ContentHash::of_bytes(b"a"), ContentHash::of_bytes(b"a\0"));
        let n = note("n1", "hello");
        let (json, hash) = encode(&n).unwrap();
        assert_eq!(hash, ContentHash::of_json(&json));
        assert_eq!(ContentHash::of(&n).unwrap(), hash);
        assert_eq!(hash.to_string(), "cf183e52a0ee0a0e");
    }

    #[derive(Default)]
    struct Finder {
        by_ext: Option<Stored>,
        by_key: Option<Stored>,
        asked: Vec<String>,
    }

    impl Finder {
        fn find(&mut self, l: Lookup<'_>) -> Result<Option<Stored>> {
            Ok(match l {
                Lookup::External(e) => {
                    self.asked.push(format!("ext {e}"));
                    self.by_ext.clone()
                }
                Lookup::Key(k) => {
                    self.asked.push(format!("key {k}"));
                    self.by_key.clone()
                }
            })
        }
    }

    fn rekey(n: &Note, key: &str) -> Result<Note> {
        let mut n = n.clone();
        n.id = crate::ids::NoteId::new(key)?;
        Ok(n)
    }

    #[test]
    fn a_new_record_is_added_under_its_own_key() {
        let mut f = Finder::default();
        let n = note("n1", "hello");
        let planned = plan(&n, "n1", None, |l| f.find(l), rekey).unwrap();
        let (json, hash) = encode(&n).unwrap();
        assert_eq!(
            planned,
            Upsert::Write {
                record: n,
                key: "n1".into(),
                json,
                hash,
                action: AuditAction::Added
            }
        );
        assert_eq!(f.asked, ["key n1"]);
    }

    #[test]
    fn the_external_reference_wins_and_the_stored_key_is_kept() {
        let ext = ExternalRef::new("obsidian", "x/1").unwrap();
        let stored = note("kept", "hello");
        let mut f = Finder {
            by_ext: Some(Stored {
                key: "kept".into(),
                hash: ContentHash::of(&stored).unwrap().to_string(),
            }),
            ..Finder::default()
        };
        let incoming = note("fresh", "hello");
        let planned = plan(&incoming, "fresh", Some(&ext), |l| f.find(l), rekey).unwrap();
        assert_eq!(planned, Upsert::Unchanged { key: "kept".into() });
        assert_eq!(f.asked, ["ext obsidian:x/1"]);

        let changed = note("fresh", "hello again");
        let mut f = Finder {
            by_ext: Some(Stored {
                key: "kept".into(),
                hash: "damaged".into(),
            }),
            ..Finder::default()
        };
        match plan(&changed, "fresh", Some(&ext), |l| f.find(l), rekey).unwrap() {
            Upsert::Write {
                record,
                key,
                action,
                ..
            } => {
                assert_eq!((record.id.as_str(), key.as_str()), ("kept", "kept"));
                assert_eq!(action, AuditAction::Updated);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn without_an_external_match_the_key_is_tried() {
        let ext = ExternalRef::new("obsidian", "x/2").unwrap();
        let n = note("n1", "hello");
        let mut f = Finder {
            by_key: Some(Stored {
                key: "n1".into(),
                hash: ContentHash::of(&n).unwrap().to_string(),
            }),
            ..Finder::default()
        };
        let planned = plan(&n, "n1", Some(&ext), |l| f.find(l), rekey).unwrap();
        assert_eq!(planned, Upsert::Unchanged { key: "n1".into() });
        assert_eq!(f.asked, ["ext obsidian:x/2", "key n1"]);
    }

    #[test]
    fn a_natural_key_cannot_be_rekeyed() {
        let entry: super::super::HabitEntryRecord = serde_json::from_value(serde_json::json!({
            "habit": "h1", "day": "2026-01-01", "value": "yes"
        }))
        .unwrap();
        let err = plan(
            &entry,
            &entry.key(),
            None,
            |_| {
                Ok::<_, Error>(Some(Stored {
                    key: "h1/2026-01-02".into(),
                    hash: String::new(),
                }))
            },
            |r, k| r.with_key(k),
        )
        .unwrap_err();
        assert_eq!(
            err,
            Error::invalid(
                "habit_entry",
                "key 'h1/2026-01-01' cannot become 'h1/2026-01-02'"
            )
        );
    }

    #[test]
    fn balance_keys_round_trip_and_bad_ones_are_named() {
        let account = AccountId::new("bank/giro").unwrap();
        let day: Day = "2026-03-01".parse().unwrap();
        let key = balance_key(&account, day);
        assert_eq!(key, "bank/giro/2026-03-01");
        assert_eq!(parse_balance_key(&key).unwrap(), (account, day));
        assert_eq!(
            parse_balance_key("nodate").unwrap_err(),
            Error::invalid("balance key", "'nodate' is not account/day")
        );
    }
}
