//! Cross-crate tests: data read by pa-integrations, computed by pa-core.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod conformance;
mod store;
mod training;
