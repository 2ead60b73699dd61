//! Swift and Kotlin bindings for pa, through UniFFI proc-macros.
//!
//! Thin by rule: plain pa-core records are mirrored with `#[uniffi::remote]` (pa-core stays free of
//! UniFFI), dates cross as ISO strings, and every error becomes one [`PaError`]. Rules live in
//! pa-core and pa-integrations. The surface grows with the engine; today it offers the PMC.

mod error;
mod training;

pub use error::PaError;
pub use training::{LoadEntry, pmc};

uniffi::setup_scaffolding!();

/// The library version.
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
