//! The services pa talks to, each behind a port of pa-core: Airtable as a [`Sink`](pa_core::ports::Sink).
//! Every base URL is configurable, so tests, proxies and stand-ins can replace the real service.

pub mod airtable;
pub mod garmin;
pub mod google_calendar;
pub mod plaid;
