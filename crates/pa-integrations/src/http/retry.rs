//! How long to wait before trying a request again: exponential backoff with full jitter, never
//! shorter than what the service asked for (`Retry-After`), and never shorter than a provider's
//! lockout after a rate-limit answer that names no wait (Airtable locks a base out for 30 s).

use std::time::Duration;

/// When and how often a failed request is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1: never retry).
    pub attempts: u32,
    /// The first backoff step; step `n` is `base * 2^n`, capped at `cap`.
    pub base: Duration,
    /// The longest backoff step.
    pub cap: Duration,
    /// The least wait after a rate-limit answer without `Retry-After`.
    pub lockout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            lockout: Duration::ZERO,
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (`attempt` counts from 0 for the first try), given
    /// what the service said and a jitter draw in `[0, 1)`: a uniform share of the backoff step
    /// ("full jitter"), raised to `Retry-After`, and to the lockout after a rate-limit answer that
    /// named no wait.
    pub fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        rate_limited: bool,
        jitter: f64,
    ) -> Duration {
        let step = self
            .base
            .checked_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX))
            .unwrap_or(self.cap)
            .min(self.cap);
        let jittered = step.mul_f64(jitter.clamp(0.0, 1.0));
        match retry_after {
            Some(asked) => jittered.max(asked),
            None if rate_limited => jittered.max(self.lockout),
            None => jittered,
        }
    }
}

/// Reads a `Retry-After` header: seconds, or an HTTP date (a wait from `now`; a date in the past
/// is no wait).
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_honours_the_service() {
        let p = RetryPolicy {
            attempts: 5,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(4),
            lockout: Duration::from_secs(30),
        };
        assert_eq!(p.delay(0, None, false, 1.0), Duration::from_millis(500));
        assert_eq!(p.delay(2, None, false, 1.0), Duration::from_secs(2));
        assert_eq!(p.delay(9, None, false, 1.0), Duration::from_secs(4));
        assert_eq!(p.delay(40, None, false, 0.5), Duration::from_secs(2));
        assert_eq!(p.delay(2, None, false, 0.25), Duration::from_millis(500));
        // Retry-After is a floor; so is the lockout after a 429 that names no wait.
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(7)), true, 1.0),
            Duration::from_secs(7)
        );
        assert_eq!(p.delay(0, None, true, 0.1), Duration::from_secs(30));
        assert_eq!(p.delay(0, None, false, 0.0), Duration::ZERO);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now: chrono::DateTime<chrono::Utc> = "2026-12-05T10:00:00Z".parse().unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sat, 05 Dec 2026 10:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sat, 05 Dec 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
