//! The clock port: where "now" comes from.
//!
//! pa-core never reads the system clock; every calculation takes the instant as an argument. The
//! facade asks a [`Clock`] once per call and passes the answer down, so production runs on the
//! system clock and tests on a [`FixedClock`], and a whole call sees one instant.

use chrono::{DateTime, Utc};

/// A source of the current instant.
///
/// Invariants an adapter keeps: `now` never fails and never blocks on I/O; it may go backwards
/// (the system clock can be set back), so callers never assume two readings are ordered.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// A clock that always says the same instant, for tests and for replaying a past day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stands_still() {
        let at: DateTime<Utc> = "2026-12-04T18:30:00Z".parse().unwrap();
        let clock: &dyn Clock = &FixedClock(at);
        assert_eq!(clock.now(), at);
        assert_eq!(clock.now(), at);
    }
}
