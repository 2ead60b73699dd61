//! Adapters for pa: the parts that touch files (and, as they land, SQLite, HTTP providers and the
//! sync runtime). Everything here turns outside data into `pa_core` values and back; the rules
//! themselves live in `pa_core`.

pub mod assistant;
pub mod demo;
pub mod error;
pub mod import;
pub mod output;
pub mod secrets;
pub mod storage;

pub use error::{Error, ErrorKind, Result, StorageError};
pub use pa_core as core;
