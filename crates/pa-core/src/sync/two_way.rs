//! Two-way sync between stores that both change, after vdirsyncer (`sync-algorithm.md` §1): a
//! status row per item holds each side's last-seen hash (and locator and etag), and the plan
//! follows its decision table. Every action's end state is a fixed point of the table, so a run
//! cut at any step and run again ends where an uninterrupted run would: an upload leaves equal
//! items with no row (adopted), an update leaves both changed but equal (adopted), a delete leaves
//! both absent (the row is dropped).
//!
//! "Changed" for a side means its hash differs from the status row's (or there is no row); an
//! etag that moved while the content did not is no change. A caller may skip downloading an item
//! whose etag equals the row's by taking the row's hash ([`Status::hash_if_unchanged`]).

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One of the two stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Side {
    /// The first store (pa's, by convention).
    A,
    /// The second store (the service's).
    B,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// An item as one side lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The identity shared by both sides (a UID, pa's key).
    pub ident: String,
    /// Where this side keeps it (a file name, a URL, a record id).
    pub href: String,
    /// This side's change marker, if it has one.
    pub etag: Option<String>,
    /// The hash of the item's normalised content.
    pub hash: String,
}

/// What was last synced of one item: each side's locator, etag and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The identity.
    pub ident: String,
    /// Side A's locator, etag and hash (`None` until known).
    pub a: Option<Seen>,
    /// Side B's.
    pub b: Option<Seen>,
}

/// One side's view of an item when it was last synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// Its locator; `None` for an item just uploaded whose locator the write has not reported.
    pub href: Option<String>,
    /// Its etag, if known.
    pub etag: Option<String>,
    /// Its content hash.
    pub hash: String,
}

impl Status {
    fn side(&self, side: Side) -> Option<&Seen> {
        match side {
            Side::A => self.a.as_ref(),
            Side::B => self.b.as_ref(),
        }
    }

    /// The hash last seen on `side` when the item there still has that locator and a known,
    /// unchanged etag: the caller need not download it.
    pub fn hash_if_unchanged(&self, side: Side, href: &str, etag: Option<&str>) -> Option<&str> {
        let seen = self.side(side)?;
        (seen.href.as_deref() == Some(href) && etag.is_some() && seen.etag.as_deref() == etag)
            .then_some(seen.hash.as_str())
    }
}

/// How differing changes on both sides are settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Policy {
    /// Touch neither and report the conflict (the default).
    Report,
    /// Side A's version is written to B.
    AWins,
    /// Side B's version is written to A.
    BWins,
}

/// A write the plan asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Create the item on `to`, copying the other side's.
    Upload {
        /// The side written.
        to: Side,
        /// The item.
        ident: String,
    },
    /// Overwrite the item on `to` with the other side's.
    Update {
        /// The side written.
        to: Side,
        /// The item.
        ident: String,
        /// Its locator on `to`.
        href: String,
    },
    /// Delete the item from `from` (it was deleted on the other side).
    Delete {
        /// The side written.
        from: Side,
        /// The item.
        ident: String,
        /// Its locator on `from`.
        href: String,
    },
}

impl Action {
    /// The item the action writes.
    pub fn ident(&self) -> &str {
        match self {
            Action::Upload { ident, .. }
            | Action::Update { ident, .. }
            | Action::Delete { ident, .. } => ident,
        }
    }
}

/// Both sides changed an item differently and the policy left it alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// The item.
    pub ident: String,
    /// Side A's hash.
    pub a_hash: String,
    /// Side B's hash.
    pub b_hash: String,
}

/// The writes of one run and the changes to the status to make once they succeed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Writes, by item.
    pub actions: Vec<Action>,
    /// Items left alone because both sides changed them differently.
    pub conflicts: Vec<Conflict>,
    /// Status rows to write (new or changed; an unchanged item's row is not repeated). An
    /// uploaded item's new locator is `None` until the write reports it.
    pub status: Vec<Status>,
    /// Items whose status row is dropped (deleted on both sides).
    pub dropped: Vec<String>,
}

impl Plan {
    /// `old` with the plan's status changes made: the status once every action succeeded.
    pub fn status_after(&self, old: &[Status]) -> Vec<Status> {
        let mut rows: BTreeMap<&str, &Status> = old.iter().map(|s| (s.ident.as_str(), s)).collect();
        for d in &self.dropped {
            rows.remove(d.as_str());
        }
        for s in &self.status {
            rows.insert(s.ident.as_str(), s);
        }
        rows.into_values().cloned().collect()
    }
}

/// Plans one run from both sides' listings and the old status. Refuses (writing nothing) when an
/// identity appears twice on one side, or when one side lists nothing while the status remembers
/// items and the other side still has them (a wiped or misconfigured store), unless `force`.
/// Items are taken in A's order, then B's, then the status's, so the plan is deterministic.
pub fn plan(a: &[Item], b: &[Item], old: &[Status], policy: Policy, force: bool) -> Result<Plan> {
    fn index<'a, T>(
        items: &'a [T],
        ident: impl Fn(&T) -> &str,
        what: &str,
        verb: &str,
    ) -> Result<FxHashMap<&'a str, &'a T>> {
        let mut map = FxHashMap::with_capacity_and_hasher(items.len(), Default::default());
        for item in items {
            if map.insert(ident(item), item).is_some() {
                return Err(Error::invalid(
                    what,
                    format!("{verb} '{}' twice", ident(item)),
                ));
            }
        }
        Ok(map)
    }
    let ia = index(a, |i| i.ident.as_str(), "side A", "lists")?;
    let ib = index(b, |i| i.ident.as_str(), "side B", "lists")?;
    let rows = index(old, |s| s.ident.as_str(), "status", "holds")?;
    if !force && !rows.is_empty() {
        for (empty, other, name) in [(a, b, "A"), (b, a, "B")] {
            if empty.is_empty() && !other.is_empty() {
                return Err(Error::invalid(
                    format!("side {name}"),
                    "lists nothing while the last sync saw items: refusing to delete them from the other side; force to allow it",
                ));
            }
        }
    }
    let idents = a
        .iter()
        .map(|i| i.ident.as_str())
        .chain(
            b.iter()
                .map(|i| i.ident.as_str())
                .filter(|i| !ia.contains_key(i)),
        )
        .chain(
            old.iter()
                .map(|s| s.ident.as_str())
                .filter(|i| !ia.contains_key(i) && !ib.contains_key(i)),
        );
    let mut out = Plan::default();
    for ident in idents {
        let row = rows.get(ident).copied();
        let changed = |side: Side, item: &Item| {
            row.and_then(|r| r.side(side))
                .is_none_or(|seen| seen.hash != item.hash)
        };
        match (ia.get(ident).copied(), ib.get(ident).copied()) {
            (Some(ia), Some(ib)) => {
                let (ca, cb) = (changed(Side::A, ia), changed(Side::B, ib));
                if ia.hash == ib.hash {
                    // Equal: adopted, and the row rewritten only when it says something else.
                    let current = row.is_some_and(|r| {
                        r.a.as_ref().is_some_and(|s| s.is(ia))
                            && r.b.as_ref().is_some_and(|s| s.is(ib))
                    });
                    if !current {
                        out.status.push(both(ia, ib));
                    }
                } else if ca && !cb {
                    out.update(Side::B, ia, ib);
                } else if cb && !ca {
                    out.update(Side::A, ib, ia);
                } else {
                    // Both changed, or (never after a clean run) neither changed yet they differ:
                    // vdirsyncer issue #1155, treated as a conflict rather than left forever.
                    match policy {
                        Policy::AWins => out.update(Side::B, ia, ib),
                        Policy::BWins => out.update(Side::A, ib, ia),
                        Policy::Report => out.conflicts.push(Conflict {
                            ident: ident.to_owned(),
                            a_hash: ia.hash.clone(),
                            b_hash: ib.hash.clone(),
                        }),
                    }
                }
            }
            (Some(item), None) => out.one_side(Side::A, item, row, changed(Side::A, item)),
            (None, Some(item)) => out.one_side(Side::B, item, row, changed(Side::B, item)),
            // Deleted on both sides: the row is dropped.
            (None, None) => out.dropped.push(ident.to_owned()),
        }
    }
    Ok(out)
}

impl Seen {
    /// Whether this is exactly what `item` shows.
    fn is(&self, item: &Item) -> bool {
        self.href.as_deref() == Some(item.href.as_str())
            && self.etag == item.etag
            && self.hash == item.hash
    }
}

fn seen(item: &Item) -> Seen {
    Seen {
        href: Some(item.href.clone()),
        etag: item.etag.clone(),
        hash: item.hash.clone(),
    }
}

fn both(a: &Item, b: &Item) -> Status {
    Status {
        ident: a.ident.clone(),
        a: Some(seen(a)),
        b: Some(seen(b)),
    }
}

impl Plan {
    /// Writes `from`'s item over `to`'s copy `target`.
    fn update(&mut self, to: Side, from: &Item, target: &Item) {
        self.actions.push(Action::Update {
            to,
            ident: from.ident.clone(),
            href: target.href.clone(),
        });
        let written = Seen {
            href: Some(target.href.clone()),
            etag: None,
            hash: from.hash.clone(),
        };
        let (a, b) = match to {
            Side::A => (written, seen(from)),
            Side::B => (seen(from), written),
        };
        self.status.push(Status {
            ident: from.ident.clone(),
            a: Some(a),
            b: Some(b),
        });
    }

    /// An item only `side` lists: new there, or edited there since the other side deleted it
    /// (both uploaded), or unchanged there and deleted on the other side (deleted).
    fn one_side(&mut self, side: Side, item: &Item, row: Option<&Status>, changed: bool) {
        if row.is_some() && !changed {
            self.actions.push(Action::Delete {
                from: side,
                ident: item.ident.clone(),
                href: item.href.clone(),
            });
            return;
        }
        let to = side.other();
        self.actions.push(Action::Upload {
            to,
            ident: item.ident.clone(),
        });
        let uploaded = Seen {
            href: None,
            etag: None,
            hash: item.hash.clone(),
        };
        let (a, b) = match to {
            Side::A => (uploaded, seen(item)),
            Side::B => (seen(item), uploaded),
        };
        self.status.push(Status {
            ident: item.ident.clone(),
            a: Some(a),
            b: Some(b),
        });
    }
}

#[cfg(test)]
mod tests;
