#![doc = include_str!("../README.md")]

pub mod calendar;
pub mod error;
pub mod finance;
pub mod fitness;
pub mod habits;
pub mod ids;
pub mod journal;
pub mod lookup;
pub mod meals;
pub mod money;
pub mod ports;
pub mod review;
pub mod sync;
pub mod tasks;
pub mod time;
pub mod when;

pub use error::{Error, Result};
