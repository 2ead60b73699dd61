#![doc = include_str!("../README.md")]

pub mod assistant;
pub mod demo;
pub mod error;
#[cfg(any(test, feature = "testing"))]
pub mod fakes;
pub mod http;
pub mod import;
pub mod output;
pub mod providers;
pub mod secrets;
pub mod storage;
pub mod sync;

pub use error::{Error, ErrorKind, Result, StorageError};
pub use pa_core as core;
