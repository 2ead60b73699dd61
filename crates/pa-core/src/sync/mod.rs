//! Sync planning, with no I/O: from what a service reports, what the store holds and what was
//! last synced, the writes that bring both into line. The runtime in pa-integrations fetches,
//! executes and records; everything it decides is decided here, deterministically, so it can be
//! property-tested without a network (`docs/sync.md`).
//!
//! - [`update`]: one-way sources (Google Calendar, Garmin, Plaid). The pages of one update are
//!   reduced to one final change per record; a full listing also names what vanished within its
//!   scope.
//! - [`backfill`]: sources read by date range (Garmin), walked range by range with a cursor each,
//!   so a stopped walk resumes after its last range.
//! - [`mirror`]: a sink that shows a window of the store (Airtable). The store is the truth.
//! - [`two_way`]: two stores that both change (vdirsyncer's status model): each side's last-seen
//!   etag and hash, changes carried across, conflicts resolved by a stated policy and reported.

pub mod backfill;
pub mod mirror;
pub mod two_way;
pub mod update;
