//! The HTTP foundation every provider client stands on: one shared client (reqwest on rustls
//! with the ring provider and the Mozilla roots; connect and read timeouts), and around each call
//! a circuit breaker per service key, a rate limiter per service key (Airtable: per base), and
//! retries with exponential backoff and full jitter that honour `Retry-After`.
//!
//! Waits and rate windows run on a [`Timer`]: the system clock in use, a [`ManualTimer`] in tests
//! (a 30-second lockout passes in no time, and a fake server reads the same clock).
//!
//! Nothing here logs a URL's query, a header or a body: tracing events carry the service key,
//! the status and the attempt. Secrets travel in headers and bodies only, never in URLs.

pub mod breaker;
pub mod consent;
pub mod oauth;
pub mod retry;
pub mod timer;

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use pa_core::ports::{Clock, PortError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use breaker::{Breaker, BreakerPolicy};
pub use retry::{RetryPolicy, parse_retry_after};
pub use timer::{ManualTimer, SystemTimer, Timer};

/// How the shared client connects.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The longest wait for a connection.
    pub connect_timeout: Duration,
    /// The longest wait between bytes of an answer.
    pub read_timeout: Duration,
    /// The largest answer read (a longer one is an error, not a memory blow-up).
    pub max_body_bytes: usize,
    /// The breaker every service key gets.
    pub breaker: BreakerPolicy,
    /// Seeds the retry jitter (tests); `None`: from the OS.
    pub jitter_seed: Option<u64>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            max_body_bytes: 64 * 1024 * 1024,
            breaker: BreakerPolicy::default(),
            jitter_seed: None,
        }
    }
}

/// A rate limit for the service keys that start with `prefix`, counted per key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    /// Keys it covers (`airtable:` covers `airtable:appXYZ`, one budget per base).
    pub prefix: String,
    /// Requests allowed per `per`.
    pub requests: NonZeroU32,
    /// The window.
    pub per: Duration,
}

/// An answer read whole.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The wait the service asked for (`Retry-After`), if it named one.
    pub retry_after: Option<Duration>,
    /// `WWW-Authenticate`, when present (what a 401 means).
    pub www_authenticate: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON of type `T`; a body that does not parse is a transient provider error
    /// (a truncated answer is worth another try), with the parser's position but none of the
    /// text.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, PortError> {
        serde_json::from_slice(&self.body).map_err(|e| PortError::Provider {
            status: None,
            reason: format!(
                "unreadable answer (HTTP {}, {} bytes: {})",
                self.status,
                self.body.len(),
                e
            ),
        })
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// How one call is made.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The service key its breaker and rate limit count under (`airtable:appXYZ`).
    pub key: &'a str,
    /// Its retries.
    pub retry: RetryPolicy,
    /// Whether an answer says "slow down" (beyond 429: Google's 403 `rateLimitExceeded`).
    pub rate_limited: fn(&Answer) -> bool,
    /// Whether a 2xx answer must be JSON: one that does not parse (cut short on the way) is
    /// tried again like a network failure.
    pub json: bool,
}

impl<'a> Call<'a> {
    /// A call under `key` with the default retries; 429 means "slow down".
    pub fn new(key: &'a str) -> Self {
        Self {
            key,
            retry: RetryPolicy::default(),
            rate_limited: |a| a.status == 429,
            json: true,
        }
    }
}

/// The governor clock on a [`Timer`].
#[derive(Debug, Clone)]
struct TimerClock(Arc<dyn Timer>);

impl GovernorClock for TimerClock {
    type Instant = Duration;
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}

type KeyedLimiter =
    RateLimiter<String, HashMapStateStore<String>, TimerClock, NoOpMiddleware<Duration>>;

/// The shared client with its breakers, rate limits and retries. Cheap to share (`Arc`).
pub struct Transport {
    client: reqwest::Client,
    timer: Arc<dyn Timer>,
    wall: Arc<dyn Clock>,
    config: HttpConfig,
    limits: Vec<(String, KeyedLimiter)>,
    breakers: Mutex<HashMap<String, Arc<Breaker>>>,
    jitter: Mutex<ChaCha8Rng>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field(
                "limits",
                &self.limits.iter().map(|l| &l.0).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// The rustls client configuration pa uses for every TLS connection (HTTP, PostgreSQL): ring and
/// the Mozilla roots.
pub(crate) fn tls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    // ring, not aws-lc-rs: no C/assembly build beyond ring's own and no cmake (crates.md §5).
    // rustls 0.23.48 deprecates the ring provider for lacking post-quantum key exchange; when a
    // provider with it builds as simply, switch.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    Ok(
        rustls::ClientConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// Builds the shared reqwest client: rustls with ring and the Mozilla roots.
pub(crate) fn client(config: &HttpConfig) -> Result<reqwest::Client, PortError> {
    let tls = tls_config().map_err(|e| PortError::Network {
        reason: format!("TLS setup: {e}"),
    })?;
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(config.connect_timeout)
        .read_timeout(config.read_timeout)
        .user_agent(concat!("pa/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| PortError::Network {
            reason: format!("HTTP client setup: {}", e.without_url()),
        })
}

impl Transport {
    /// A transport on `timer` (waits, rate windows, breakers) and `wall` (dates in
    /// `Retry-After`), with `rates` for the service keys they cover.
    pub fn new(
        config: HttpConfig,
        timer: Arc<dyn Timer>,
        wall: Arc<dyn Clock>,
        rates: &[Rate],
    ) -> Result<Self, PortError> {
        let limits = rates
            .iter()
            .map(|r| {
                let quota = Quota::with_period(r.per / r.requests.get())
                    .ok_or_else(|| PortError::InvalidInput {
                        reason: format!("the rate of {} has no period", r.prefix),
                    })?
                    .allow_burst(NonZeroU32::MIN);
                Ok((
                    r.prefix.clone(),
                    RateLimiter::hashmap_with_clock(quota, TimerClock(timer.clone())),
                ))
            })
            .collect::<Result<Vec<_>, PortError>>()?;
        let jitter = match config.jitter_seed {
            Some(seed) => ChaCha8Rng::seed_from_u64(seed),
            None => ChaCha8Rng::from_os_rng(),
        };
        Ok(Self {
            client: client(&config)?,
            timer,
            wall,
            config,
            limits,
            breakers: Mutex::new(HashMap::new()),
            jitter: Mutex::new(jitter),
        })
    }

    /// A transport on the system clock.
    pub fn system(config: HttpConfig, rates: &[Rate]) -> Result<Self, PortError> {
        Self::new(
            config,
            Arc::new(SystemTimer::default()),
            Arc::new(crate::assistant::SystemClock),
            rates,
        )
    }

    /// The timer waits run on.
    pub fn timer(&self) -> &Arc<dyn Timer> {
        &self.timer
    }

    /// The wall clock (token expiries, dates in answers).
    pub fn wall(&self) -> &Arc<dyn Clock> {
        &self.wall
    }

    fn breaker(&self, key: &str) -> Arc<Breaker> {
        let mut all = self
            .breakers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.entry(key.to_owned())
            .or_insert_with(|| Arc::new(Breaker::new(self.config.breaker)))
            .clone()
    }

    /// Waits until `key`'s rate limit lets a request out.
    async fn pace(&self, key: &str) {
        let Some((_, limiter)) = self
            .limits
            .iter()
            .find(|(p, _)| key.starts_with(p.as_str()))
        else {
            return;
        };
        let owned = key.to_owned();
        while let Err(not_until) = limiter.check_key(&owned) {
            let wait = not_until.wait_time_from(self.timer.elapsed());
            self.timer.sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    fn jitter(&self) -> f64 {
        self.jitter
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .random::<f64>()
    }

    /// Sends the request `build` makes (called again for every attempt), through the breaker and
    /// rate limit of `call.key`, retrying network failures, 408, 5xx and rate-limit answers.
    /// Other answers (2xx, and 4xx the caller must interpret: 401, 404, 410, 422) come back as
    /// they are.
    pub async fn send(
        &self,
        call: Call<'_>,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Answer, PortError> {
        let breaker = self.breaker(call.key);
        let mut attempt = 0;
        loop {
            if let Err(wait) = breaker.admit(self.timer.elapsed()) {
                return Err(PortError::Provider {
                    status: None,
                    reason: format!(
                        "{} keeps failing; not asked again for {} s",
                        call.key,
                        wait.as_secs().max(1)
                    ),
                });
            }
            self.pace(call.key).await;
            let outcome = match build(&self.client).send().await {
                Ok(response) => self.read(response).await,
                Err(e) => Err(network(&e)),
            };
            let (error, retry_after, rate_limited) = match outcome {
                Ok(answer) if (call.rate_limited)(&answer) => {
                    let wait = answer.retry_after;
                    (PortError::RateLimited { retry_after: wait }, wait, true)
                }
                Ok(answer)
                    if call.json
                        && answer.is_success()
                        && serde_json::from_slice::<serde::de::IgnoredAny>(&answer.body)
                            .is_err() =>
                {
                    let reason = format!(
                        "the answer was cut short ({} bytes that are not whole JSON)",
                        answer.body.len()
                    );
                    (PortError::Network { reason }, None, false)
                }
                Ok(answer) if answer.status >= 500 || answer.status == 408 => (
                    PortError::Provider {
                        status: Some(answer.status),
                        reason: "the service failed the request".to_owned(),
                    },
                    answer.retry_after,
                    false,
                ),
                Ok(answer) => {
                    breaker.record(self.timer.elapsed(), true);
                    tracing::debug!(
                        key = call.key,
                        status = answer.status,
                        attempt,
                        "http answer"
                    );
                    return Ok(answer);
                }
                Err(e) => (e, None, false),
            };
            // A rate limit says the service is up: it does not count toward opening the breaker.
            breaker.record(self.timer.elapsed(), rate_limited);
            attempt += 1;
            tracing::debug!(key = call.key, attempt, error = %error, "http attempt failed");
            if attempt >= call.retry.attempts.max(1) {
                return Err(error);
            }
            let wait = call
                .retry
                .delay(attempt - 1, retry_after, rate_limited, self.jitter());
            self.timer.sleep(wait).await;
        }
    }

    /// Reads an answer whole, within the size limit; a body cut short is a network error.
    async fn read(&self, mut response: reqwest::Response) -> Result<Answer, PortError> {
        let status = response.status().as_u16();
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header(reqwest::header::RETRY_AFTER)
            .and_then(|v| parse_retry_after(&v, self.wall.now()));
        let www_authenticate = header(reqwest::header::WWW_AUTHENTICATE);
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.config.max_body_bytes {
                        return Err(PortError::Provider {
                            status: Some(status),
                            reason: format!(
                                "the answer is larger than {} MB",
                                self.config.max_body_bytes / 1024 / 1024
                            ),
                        });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(network(&e)),
            }
        }
        Ok(Answer {
            status,
            retry_after,
            www_authenticate,
            body,
        })
    }
}

/// A transport failure in plain words, without the URL (whose query could carry a cursor).
fn network(e: &reqwest::Error) -> PortError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut short"
    } else {
        "the request failed"
    };
    let host = e
        .url()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    PortError::Network {
        reason: if host.is_empty() {
            what.to_owned()
        } else {
            format!("{host}: {what}")
        },
    }
}

#[cfg(test)]
mod tests;
