//! One-way updates (`sync-algorithm.md` §2): the pages of one update reduced to one final change
//! per record, applied with the new cursor in one write, and the sweep a full listing ends with.
//!
//! Within a page upserts apply before removals (Plaid's order: a pending transaction removed and
//! its posted replacement added may share a page); across pages the later page wins (Google can
//! un-cancel an event). So repeating a page, or receiving a record on several pages, never
//! duplicates it: the reduction holds one change per identity.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ids::ExternalRef;
use crate::ports::record::{Doc, RecordKind, StoredEvent};
use crate::ports::source::{Incoming, Page, Removal, Scope};
use crate::time::Day;

/// What names a record within its source: its kind and its reference there, or pa's key for
/// records a source names by key (a day of health, a balance).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Identity {
    /// By the source's reference.
    External(RecordKind, ExternalRef),
    /// By pa's key.
    Key(RecordKind, String),
}

impl Incoming {
    /// The record's kind.
    pub fn kind(&self) -> RecordKind {
        match self {
            Incoming::Activity(_) => RecordKind::Activity,
            Incoming::DailyHealth(_) => RecordKind::DailyHealth,
            Incoming::Account(_) => RecordKind::Account,
            Incoming::Transaction(_) => RecordKind::Transaction,
            Incoming::Balance(_) => RecordKind::Balance,
            Incoming::Record(d) => d.kind(),
            Incoming::Occurrence { .. } => RecordKind::Event,
        }
    }

    /// The record's identity within its source.
    pub fn identity(&self) -> Identity {
        let kind = self.kind();
        let external = match self {
            Incoming::Activity(a) => a.external.clone(),
            Incoming::Account(a) => a.external.clone(),
            Incoming::Transaction(t) => t.external.clone(),
            Incoming::Record(d) => d.external(),
            Incoming::Occurrence { instance, .. } => Some(instance.clone()),
            Incoming::DailyHealth(_) | Incoming::Balance(_) => None,
        };
        match external {
            Some(e) => Identity::External(kind, e),
            None => Identity::Key(kind, self.key()),
        }
    }

    /// pa's key of the record.
    pub fn key(&self) -> String {
        match self {
            Incoming::Activity(a) => a.id.to_string(),
            Incoming::DailyHealth(h) => h.day.to_string(),
            Incoming::Account(a) => a.id.to_string(),
            Incoming::Transaction(t) => t.id.to_string(),
            Incoming::Balance(b) => crate::ports::upsert::balance_key(&b.account, b.day),
            Incoming::Record(d) => d.key(),
            Incoming::Occurrence { instance, .. } => instance.to_string(),
        }
    }
}

impl Removal {
    /// The removed record's identity.
    pub fn identity(&self) -> Identity {
        Identity::External(self.kind, self.external.clone())
    }
}

/// One update's changes, one per record, in the order each record first arrived.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reduced {
    /// Records to write.
    pub upserts: Vec<Incoming>,
    /// Records to remove.
    pub removals: Vec<Removal>,
    /// The scope of a full listing, when the update was one.
    pub full: Option<Scope>,
    /// Every identity the update upserted, for the sweep.
    pub seen: HashSet<Identity>,
}

#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // as in `Incoming`: records travel one page at a time
enum Change {
    Upsert(Incoming),
    Remove(Removal),
}

/// Folds the pages of one update into [`Reduced`].
#[derive(Debug, Clone, Default)]
pub struct Reducer {
    order: Vec<Identity>,
    latest: HashMap<Identity, Change>,
    full: Option<Scope>,
    pages: usize,
}

impl Reducer {
    /// An empty reduction.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next page.
    pub fn push(&mut self, page: Page) {
        self.pages += 1;
        if page.full.is_some() {
            self.full = page.full;
        }
        for record in page.upserts {
            self.set(record.identity(), Change::Upsert(record));
        }
        for removal in page.removals {
            self.set(removal.identity(), Change::Remove(removal));
        }
    }

    /// Pages added so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    fn set(&mut self, id: Identity, change: Change) {
        if !self.latest.contains_key(&id) {
            self.order.push(id.clone());
        }
        self.latest.insert(id, change);
    }

    /// The reduction.
    pub fn finish(mut self) -> Reduced {
        let mut out = Reduced {
            full: self.full,
            ..Reduced::default()
        };
        for id in self.order {
            match self.latest.remove(&id) {
                Some(Change::Upsert(r)) => {
                    out.seen.insert(id);
                    out.upserts.push(r);
                }
                Some(Change::Remove(r)) => out.removals.push(r),
                None => {}
            }
        }
        out
    }
}

/// Folds the update's changed occurrences ([`Incoming::Occurrence`]) into their series: a series
/// in the update takes them directly (and keeps the changes `stored` holds for it, since a
/// source resends a series without its exceptions); a series only in the store is written again
/// with them. Occurrences of a series removed in the same update, or known nowhere, are dropped;
/// the references of the unknown ones are returned.
pub fn merge_occurrences(
    reduced: &mut Reduced,
    mut stored: impl FnMut(&ExternalRef) -> Option<StoredEvent>,
) -> Vec<ExternalRef> {
    let removed: HashSet<Identity> = reduced.removals.iter().map(Removal::identity).collect();
    let mut occurrences = Vec::new();
    let mut others = Vec::with_capacity(reduced.upserts.len());
    for u in reduced.upserts.drain(..) {
        match u {
            Incoming::Occurrence { series, change, .. } => occurrences.push((series, change)),
            other => others.push(other),
        }
    }
    // Series in the update keep their stored changes.
    for u in &mut others {
        if let Incoming::Record(Doc::Event(e)) = u
            && let Some(ext) = e.record.external.clone()
            && let Some(old) = stored(&ext)
        {
            for change in old.record.overrides {
                if !e
                    .record
                    .overrides
                    .iter()
                    .any(|o| o.recurrence_id == change.recurrence_id)
                {
                    e.record.overrides.push(change);
                }
            }
        }
    }
    let mut orphans = Vec::new();
    for (series, change) in occurrences {
        if removed.contains(&Identity::External(RecordKind::Event, series.clone())) {
            continue;
        }
        let at = others.iter().position(|u| {
            matches!(u, Incoming::Record(Doc::Event(e)) if e.record.external.as_ref() == Some(&series))
        });
        let at = match at {
            Some(i) => i,
            None => match stored(&series) {
                Some(e) => {
                    others.push(Incoming::Record(Doc::Event(e)));
                    others.len() - 1
                }
                None => {
                    orphans.push(series);
                    continue;
                }
            },
        };
        if let Incoming::Record(Doc::Event(e)) = &mut others[at] {
            e.record
                .overrides
                .retain(|o| o.recurrence_id != change.recurrence_id);
            e.record.overrides.push(change);
            e.record.overrides.sort_by_key(|o| o.recurrence_id);
        }
    }
    reduced.upserts = others;
    orphans
}

/// Whether a record on `day` (`None`: a record without a day) lies in `scope`. A record without
/// a day lies only in an unbounded scope.
pub fn in_scope(scope: &Scope, day: Option<Day>) -> bool {
    match day {
        Some(d) => scope.from.is_none_or(|f| d >= f) && scope.to.is_none_or(|t| d <= t),
        None => scope.from.is_none() && scope.to.is_none(),
    }
}

/// The sweep that ends a full listing: of the records the store holds from this source (by
/// identity, with the day each lies on), those inside the listing's scope that it did not return.
/// Records outside the scope are never swept.
pub fn sweep<'a>(
    reduced: &Reduced,
    stored: impl IntoIterator<Item = (&'a Identity, Option<Day>)>,
) -> Vec<Identity> {
    let Some(scope) = reduced.full else {
        return Vec::new();
    };
    let removed: HashSet<Identity> = reduced.removals.iter().map(Removal::identity).collect();
    let mut gone: Vec<Identity> = stored
        .into_iter()
        .filter(|(id, day)| {
            in_scope(&scope, *day) && !reduced.seen.contains(*id) && !removed.contains(*id)
        })
        .map(|(id, _)| id.clone())
        .collect();
    gone.sort();
    gone.dedup();
    gone
}

#[cfg(test)]
mod tests;
