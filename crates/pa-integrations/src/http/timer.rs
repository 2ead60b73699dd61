//! Where the HTTP layer's waits and rate windows take their time from: the system's monotonic
//! clock in use, a manual clock in tests, so a 30-second lockout is waited out in no time and
//! the fake servers see the same instants as the client.

use std::fmt::Debug;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Monotonic time and sleeping.
#[async_trait]
pub trait Timer: Send + Sync + Debug {
    /// Time since the timer began (monotonic).
    fn elapsed(&self) -> Duration;
    /// Waits `d`.
    async fn sleep(&self, d: Duration);
}

/// The system's monotonic clock and tokio's sleep.
#[derive(Debug)]
pub struct SystemTimer {
    start: Instant,
}

impl Default for SystemTimer {
    fn default() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

#[async_trait]
impl Timer for SystemTimer {
    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }
}

/// A clock that moves only when someone sleeps on it (or [`ManualTimer::advance`]): every wait
/// returns at once, having moved the clock by its length. It also tells wall time (from a start
/// instant), as a [`pa_core::ports::Clock`], so token expiries follow the same clock.
#[derive(Debug)]
pub struct ManualTimer {
    start: DateTime<Utc>,
    state: Mutex<Manual>,
}

#[derive(Debug, Default)]
struct Manual {
    now: Duration,
    slept: Vec<Duration>,
}

impl ManualTimer {
    /// A clock at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            start,
            state: Mutex::new(Manual::default()),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Manual) -> T) -> T {
        // A poisoned lock only means a test panicked mid-update; the numbers are still usable.
        f(&mut self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Moves the clock on by `d`.
    pub fn advance(&self, d: Duration) {
        self.with(|m| m.now += d);
    }

    /// Every wait so far, in order.
    pub fn slept(&self) -> Vec<Duration> {
        self.with(|m| m.slept.clone())
    }
}

#[async_trait]
impl Timer for ManualTimer {
    fn elapsed(&self) -> Duration {
        self.with(|m| m.now)
    }

    async fn sleep(&self, d: Duration) {
        self.with(|m| {
            m.now += d;
            m.slept.push(d);
        });
        // Let other tasks (a fake server on this runtime) run, as a real wait would.
        tokio::task::yield_now().await;
    }
}

impl pa_core::ports::Clock for ManualTimer {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.elapsed()).unwrap_or(chrono::Duration::MAX);
        self.start.checked_add_signed(elapsed).unwrap_or(self.start)
    }
}
