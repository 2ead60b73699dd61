//! The source port: a service pa reads changes from (Google Calendar, Garmin, Plaid), page by page
//! from a cursor.
//!
//! # Invariants an adapter keeps
//! - **Cursors are opaque** and only move forward: [`Next::Done`] carries the cursor to resume
//!   from next time; it is returned only on the last page of an update, and a source never hands
//!   out page tokens as cursors. An update with no changes may return the cursor it was given.
//! - **One update is all its pages.** The runtime stores the records of every page and the new
//!   cursor in one write ([`super::WriteBatch`]), so a crash never leaves the cursor ahead of the
//!   data. A record may appear on several pages of one update: the later page wins. A removal of
//!   a record the store does not hold is no error.
//! - **Restart, not resume.** When the service reports that data changed under the pages (Plaid's
//!   `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`), the adapter answers [`Fetched::Restart`]: the
//!   runtime discards the pages of this loop and starts again from the cursor it began with.
//! - **Resync, not wipe.** When the service no longer accepts the cursor (Google's 410, a lost
//!   Plaid cursor), the adapter answers [`Fetched::ResyncRequired`]: the runtime lists everything
//!   again from no cursor and, once the last page arrives, removes the records of this source
//!   inside the [`Scope`] the listing covered that it did not see (a sweep). Nothing outside the
//!   scope, and no field the person owns, is touched.
//! - Records carry their source's [`ExternalRef`]; amounts follow pa's sign rule (money out is
//!   negative) whatever the service's convention; instants are UTC with their zone.
//! - Errors are [`PortError`]s: `Auth` when the user must re-link (never retried), `RateLimited`
//!   with the service's wait, `Network` and 5xx `Provider` errors as transient.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::port_error::PortError;
use super::record::{Doc, RecordKind};
use crate::calendar::Override;
use crate::finance::{Account, BalanceSnapshot, Transaction};
use crate::fitness::{Activity, DailyHealth};
use crate::ids::ExternalRef;
use crate::time::Day;

/// An opaque position in a source's change stream, stored with the data it leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(pub String);

/// An opaque token for the next page of one update; never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageToken(pub String);

/// A record as a source delivers it, of any stored kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)] // records travel one page at a time
pub enum Incoming {
    /// An activity.
    Activity(Activity),
    /// A day of health data.
    DailyHealth(DailyHealth),
    /// An account (before its transactions and balances).
    Account(Account),
    /// A transaction.
    Transaction(Transaction),
    /// A balance.
    Balance(BalanceSnapshot),
    /// A record of a generic kind (an event, a body composition, a holding).
    Record(Doc),
    /// A changed or cancelled occurrence of a recurring event the source sends on its own
    /// (Google's exceptions): merged into its series' stored event, never a record of its own.
    Occurrence {
        /// The series' reference.
        series: ExternalRef,
        /// The occurrence's own reference.
        instance: ExternalRef,
        /// The change (status `Cancelled` removes the occurrence).
        change: Override,
    },
}

/// A record the source says is gone, named by its reference at the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    /// Its kind.
    pub kind: RecordKind,
    /// Its reference at the source.
    pub external: ExternalRef,
}

/// What a full listing covered: the days (inclusive; `None` is unbounded) within which a sweep may
/// remove records the listing did not return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The first day listed.
    pub from: Option<Day>,
    /// The last day listed.
    pub to: Option<Day>,
}

/// What follows a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Another page of the same update.
    Page(PageToken),
    /// The update is complete; resume from this cursor next time.
    Done(Cursor),
}

/// One page of changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Records added or changed.
    pub upserts: Vec<Incoming>,
    /// Records removed.
    pub removals: Vec<Removal>,
    /// What follows.
    pub next: Next,
    /// `Some` when this update lists everything in the scope (a first or full sync): the runtime
    /// sweeps the records it did not see once the last page arrives.
    pub full: Option<Scope>,
}

/// A source's answer to a fetch.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    /// A page.
    Page(Page),
    /// Data changed under the pages: start this update again from its first cursor.
    Restart,
    /// The cursor is no longer accepted: list everything again (see the module docs).
    ResyncRequired {
        /// Why, in the service's words.
        reason: String,
    },
}

/// A service pa reads changes from.
#[async_trait]
pub trait Source: Send + Sync {
    /// The source's slug (`google_calendar`, `plaid`), as sync states and external references
    /// name it.
    fn name(&self) -> &str;

    /// Whether a stored record with reference `external` came from this source (the records a
    /// full listing's sweep may remove). By default, those whose reference names this source.
    fn owns(&self, external: &ExternalRef) -> bool {
        external.source() == self.name()
    }

    /// The kinds of record the source delivers (where a sweep looks).
    fn kinds(&self) -> &[RecordKind];

    /// A page of the changes since `since` (`None`: everything), continuing at `page` (`None`:
    /// the first page of the update).
    async fn fetch(
        &self,
        since: Option<&Cursor>,
        page: Option<&PageToken>,
    ) -> Result<Fetched, PortError>;
}
