//! The sink port: a service pa mirrors part of the store into (an Airtable base as a dashboard).
//! The store is the truth; the sink shows a window of it.
//!
//! # Invariants an adapter keeps
//! - Rows are matched by their **key** (pa's stable key, unique in the table); an upsert of a key
//!   that exists updates that row, so a retry after a crash never duplicates one.
//! - Only the fields pa owns are written, never the whole row (a person's own columns survive).
//! - [`Sink::upsert`] reports the remote id and the **observed hash** of every row as the service
//!   returned it (a service may rewrite values), so the next run compares like with like.
//! - Rows whose key is not pa's are never changed or deleted.
//! - A batch larger than [`Sink::batch_limit`] is refused with `PortError::InvalidInput`; rate
//!   limits come back as `PortError::RateLimited` with the service's wait.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::port_error::PortError;

/// A row as pa wants it in the sink: its key and the fields pa owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MirrorRow {
    /// pa's stable key (`plaid:txn-1`).
    pub key: String,
    /// The fields pa owns, by field name.
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// A row as the sink holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteRow {
    /// The sink's id of the row.
    pub remote_id: String,
    /// pa's key, when the row has one (rows without are the person's own).
    pub key: Option<String>,
    /// The fields pa owns, as the sink returned them.
    pub fields: BTreeMap<String, serde_json::Value>,
    /// The hash of those fields in canonical form ([`crate::sync::mirror::fields_hash`]).
    pub observed_hash: String,
    /// When the sink made the row (the oldest of several copies of a key is kept).
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
}

/// A row written: where it lives and what it now holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mirrored {
    /// pa's key.
    pub key: String,
    /// The sink's id of the row.
    pub remote_id: String,
    /// The hash of the owned fields as the sink returned them.
    pub observed_hash: String,
}

/// A service pa mirrors rows into.
#[async_trait]
pub trait Sink: Send + Sync {
    /// The sink's slug (`airtable`).
    fn name(&self) -> &str;

    /// The most rows one upsert or delete takes.
    fn batch_limit(&self) -> usize;

    /// Every row of `table`, with its key and the `fields` pa owns (the others are the
    /// person's, never read); each row's observed hash is taken over those fields.
    async fn list(&self, table: &str, fields: &[String]) -> Result<Vec<RemoteRow>, PortError>;

    /// Creates or updates `rows` by key; one [`Mirrored`] per row, in order, its observed hash
    /// taken over the fields the row names.
    async fn upsert(&self, table: &str, rows: &[MirrorRow]) -> Result<Vec<Mirrored>, PortError>;

    /// Deletes rows by remote id; deleting a row that is gone is no error.
    async fn delete(&self, table: &str, remote_ids: &[String]) -> Result<(), PortError>;
}
