//! The sync runtime: what pa-core's planners decide, executed against real services and the
//! store, with a sync-run row per run, progress through a callback, and cancellation between
//! requests.

pub mod dashboard;
pub mod source;
