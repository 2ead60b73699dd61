//! A circuit breaker per service key: after `threshold` transient failures in a row it opens and
//! fails calls at once for `cooldown`, then lets one trial call through (half-open); the trial's
//! success closes it, its failure opens it again. A service that is down is then asked once per
//! cooldown instead of hammered by every retry loop of every sync.

use std::sync::Mutex;
use std::time::Duration;

/// The breaker's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Transient failures in a row that open the breaker.
    pub threshold: u32,
    /// How long it stays open before a trial call.
    pub cooldown: Duration,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        Self {
            threshold: 8,
            cooldown: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed { failures: u32 },
    Open { until: Duration },
    HalfOpen { trial: bool },
}

/// One service key's breaker; times are a [`super::timer::Timer`]'s `elapsed`.
#[derive(Debug)]
pub struct Breaker {
    policy: BreakerPolicy,
    state: Mutex<State>,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(policy: BreakerPolicy) -> Self {
        Self {
            policy,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Whether a call may go out at `now`; `Err(wait)` while open (or while a trial is out).
    pub fn admit(&self, now: Duration) -> Result<(), Duration> {
        let cooldown = self.policy.cooldown;
        self.with(|s| match *s {
            State::Closed { .. } => Ok(()),
            State::Open { until } if now >= until => {
                *s = State::HalfOpen { trial: true };
                Ok(())
            }
            State::Open { until } => Err(until - now),
            State::HalfOpen { trial: false } => {
                *s = State::HalfOpen { trial: true };
                Ok(())
            }
            State::HalfOpen { trial: true } => Err(cooldown),
        })
    }

    /// Records a call's end at `now`: `ok` is false only for transient failures (a refusal such
    /// as 404 says the service is up).
    pub fn record(&self, now: Duration, ok: bool) {
        let BreakerPolicy {
            threshold,
            cooldown,
        } = self.policy;
        self.with(|s| {
            *s = match (*s, ok) {
                (_, true) => State::Closed { failures: 0 },
                (State::Closed { failures }, false) if failures + 1 < threshold => State::Closed {
                    failures: failures + 1,
                },
                _ => State::Open {
                    until: now + cooldown,
                },
            }
        });
    }

    /// Whether the breaker is open (failing calls at once) at `now`.
    pub fn is_open(&self, now: Duration) -> bool {
        self.with(|s| matches!(*s, State::Open { until } if now < until))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_then_tries_once_per_cooldown() {
        let s = Duration::from_secs;
        let b = Breaker::new(BreakerPolicy {
            threshold: 3,
            cooldown: s(60),
        });
        for t in 0..2 {
            assert_eq!(b.admit(s(t)), Ok(()));
            b.record(s(t), false);
        }
        // A success in between starts the count again.
        b.record(s(2), true);
        for t in 3..6 {
            assert_eq!(b.admit(s(t)), Ok(()));
            b.record(s(t), false);
        }
        assert!(b.is_open(s(6)));
        assert_eq!(b.admit(s(6)), Err(s(59)));
        // After the cooldown one trial goes out; others wait for it.
        assert_eq!(b.admit(s(65)), Ok(()));
        assert_eq!(b.admit(s(65)), Err(s(60)));
        b.record(s(66), false);
        assert_eq!(b.admit(s(67)), Err(s(59)));
        assert_eq!(b.admit(s(126)), Ok(()));
        b.record(s(126), true);
        assert_eq!(b.admit(s(127)), Ok(()));
        assert!(!b.is_open(s(127)));
    }
}
