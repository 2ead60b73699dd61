//! The notifier port: how pa reaches the person (email, push, text, in the app).
//!
//! # Invariants an adapter keeps
//! - Delivery is **at most once per key**: sending a notification whose `key` was already
//!   delivered reports [`Delivery::AlreadySent`] and sends nothing (a retried reminder run never
//!   notifies twice).
//! - A channel the adapter does not serve is `PortError::InvalidInput`, never a silent drop.
//! - Message text is the person's own data: adapters never log it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::port_error::PortError;
use crate::tasks::Channel;

/// Something to tell the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// What makes it unique (`reminder:r1:2026-12-04T08:00Z`): delivered at most once.
    pub key: String,
    /// How.
    pub channel: Channel,
    /// The subject line.
    pub title: String,
    /// The text.
    pub body: String,
    /// When it was due.
    pub due: DateTime<Utc>,
}

/// What became of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// Handed to the channel; the channel's id for it, when it gives one.
    Sent {
        /// The channel's message id.
        id: Option<String>,
    },
    /// A notification with this key was delivered before; nothing was sent.
    AlreadySent,
}

/// A way to reach the person.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Delivers `notification`.
    async fn notify(&self, notification: &Notification) -> Result<Delivery, PortError>;
}
