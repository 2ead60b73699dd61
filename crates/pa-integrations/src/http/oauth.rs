//! OAuth 2.0 access tokens kept fresh (RFC 6749 §6): the tokens live in a [`SecretStore`] as the
//! authorised-user JSON google-auth writes (`token`, `refresh_token`, `token_uri`, `client_id`,
//! `client_secret`, `scopes`, `expiry`); an access token about to expire is refreshed before use,
//! a 401 forces one refresh, and a rotated refresh token is written back at once.
//!
//! `invalid_grant` (revoked, expired — Google expires the refresh tokens of apps in "Testing"
//! after 7 days) is [`PortError::Auth`]: the person must re-link, and it is never retried. The
//! token endpoint's transient answers (5xx, 408, 429, and the codes `internal_failure`,
//! `server_error`, `temporarily_unavailable`) are retried with backoff.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use pa_core::ports::{PortError, SecretStore, SecretValue};
use serde::{Deserialize, Serialize};

use super::{Call, RetryPolicy, Transport};
use crate::secrets::Secret;

/// A refresh ahead of expiry by this much, so a token never expires mid-request.
const EARLY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// The authorised-user credentials, as google-auth writes them. Secrets are redacted in `Debug`.
#[derive(Debug, Clone)]
pub struct AuthorizedUser {
    /// The access token, if one was issued.
    pub token: Option<Secret>,
    /// The refresh token.
    pub refresh_token: Secret,
    /// The token endpoint.
    pub token_uri: String,
    /// The OAuth client's id.
    pub client_id: String,
    /// The OAuth client's secret.
    pub client_secret: Secret,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// When the access token expires.
    pub expiry: Option<DateTime<Utc>>,
}

/// The JSON form (plain strings: it only ever exists inside a secret).
#[derive(Serialize, Deserialize)]
struct Json {
    #[serde(default)]
    token: Option<String>,
    refresh_token: String,
    #[serde(default = "google_token_uri")]
    token_uri: String,
    client_id: String,
    client_secret: String,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    expiry: Option<String>,
}

fn google_token_uri() -> String {
    "https://oauth2.googleapis.com/token".to_owned()
}

impl AuthorizedUser {
    /// Reads the JSON; the error names the problem, never the content.
    pub fn from_json(text: &str) -> Result<Self, PortError> {
        let j: Json = serde_json::from_str(text).map_err(|e| PortError::InvalidInput {
            reason: format!(
                "the token file is not authorised-user JSON (line {}, column {}: {:?})",
                e.line(),
                e.column(),
                e.classify()
            ),
        })?;
        let expiry = match j.expiry.as_deref() {
            None | Some("") => None,
            Some(s) => Some(parse_expiry(s).ok_or_else(|| PortError::InvalidInput {
                reason: "the token file's expiry is not a date and time".to_owned(),
            })?),
        };
        Ok(Self {
            token: j.token.filter(|t| !t.is_empty()).map(Secret::new),
            refresh_token: Secret::new(j.refresh_token),
            token_uri: j.token_uri,
            client_id: j.client_id,
            client_secret: Secret::new(j.client_secret),
            scopes: j.scopes,
            expiry,
        })
    }

    /// The JSON, as google-auth writes it.
    pub fn to_json(&self) -> String {
        let j = Json {
            token: self.token.as_ref().map(|t| t.expose().to_owned()),
            refresh_token: self.refresh_token.expose().to_owned(),
            token_uri: self.token_uri.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.expose().to_owned(),
            scopes: self.scopes.clone(),
            expiry: self
                .expiry
                .map(|e| e.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        };
        serde_json::to_string(&j).unwrap_or_default()
    }

    /// Whether the access token is missing or expires within a minute of `now`.
    pub fn needs_refresh(&self, now: DateTime<Utc>) -> bool {
        self.token.is_none() || self.expiry.is_some_and(|e| e - EARLY <= now)
    }
}

/// google-auth writes `2026-12-05T10:00:00.123456Z` (older versions without the `Z`).
fn parse_expiry(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc())
        })
        .ok()
}

/// The token endpoint's answer.
#[derive(Deserialize)]
struct Granted {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

/// An RFC 6749 error answer.
#[derive(Deserialize)]
struct Refused {
    error: String,
}

/// The secret `name` of `secrets`, read off the async runtime (a vault read is blocking I/O).
pub(crate) async fn read_secret(
    secrets: &Arc<dyn SecretStore>,
    name: &str,
) -> Result<Option<SecretValue>, PortError> {
    let (secrets, name) = (secrets.clone(), name.to_owned());
    tokio::task::spawn_blocking(move || secrets.get(&name))
        .await
        .map_err(|_| PortError::Cancelled)?
}

/// Writes `text` as the secret `name` of `secrets`, off the async runtime.
pub(crate) async fn write_secret(
    secrets: &Arc<dyn SecretStore>,
    name: &str,
    text: String,
) -> Result<(), PortError> {
    let (secrets, name, value) = (secrets.clone(), name.to_owned(), SecretValue::new(text));
    tokio::task::spawn_blocking(move || secrets.put(&name, &value))
        .await
        .map_err(|_| PortError::Cancelled)?
}

/// Access tokens for one account, refreshed through `transport` and kept in `secrets` under
/// `name`.
pub struct TokenSource {
    transport: Arc<Transport>,
    secrets: Arc<dyn SecretStore>,
    name: String,
    token_url: Option<String>,
    current: tokio::sync::Mutex<Option<AuthorizedUser>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// Tokens stored under `name`; `token_url` replaces the stored `token_uri` (a fake server,
    /// a proxy).
    pub fn new(
        transport: Arc<Transport>,
        secrets: Arc<dyn SecretStore>,
        name: impl Into<String>,
        token_url: Option<String>,
    ) -> Self {
        Self {
            transport,
            secrets,
            name: name.into(),
            token_url,
            current: tokio::sync::Mutex::new(None),
        }
    }

    async fn load(&self) -> Result<AuthorizedUser, PortError> {
        let stored = read_secret(&self.secrets, &self.name).await?;
        let value = stored.ok_or_else(|| PortError::Auth {
            reason: format!("no credentials stored as {}: sign in first", self.name),
        })?;
        AuthorizedUser::from_json(value.expose())
    }

    async fn save(&self, user: &AuthorizedUser) -> Result<(), PortError> {
        write_secret(&self.secrets, &self.name, user.to_json()).await
    }

    /// A usable access token, refreshed first when it is missing or about to expire.
    pub async fn access_token(&self) -> Result<Secret, PortError> {
        let mut current = self.current.lock().await;
        let user = match current.take() {
            Some(u) => u,
            None => self.load().await?,
        };
        let user = if user.needs_refresh(self.transport.wall().now()) {
            self.refreshed(user).await?
        } else {
            user
        };
        let token = user.token.clone();
        *current = Some(user);
        token.ok_or_else(|| PortError::Auth {
            reason: "the token endpoint issued no access token".to_owned(),
        })
    }

    /// Refreshes now (after a 401 with a token that looked valid) and returns the new token.
    pub async fn refresh(&self) -> Result<Secret, PortError> {
        let mut current = self.current.lock().await;
        let user = match current.take() {
            Some(u) => u,
            None => self.load().await?,
        };
        let user = self.refreshed(user).await?;
        let token = user.token.clone();
        *current = Some(user);
        token.ok_or_else(|| PortError::Auth {
            reason: "the token endpoint issued no access token".to_owned(),
        })
    }

    async fn refreshed(&self, mut user: AuthorizedUser) -> Result<AuthorizedUser, PortError> {
        let url = self
            .token_url
            .clone()
            .unwrap_or_else(|| user.token_uri.clone());
        let policy = RetryPolicy::default();
        let mut attempt = 0;
        let granted: Granted = loop {
            let form = [
                ("grant_type", "refresh_token"),
                ("client_id", user.client_id.as_str()),
                ("client_secret", user.client_secret.expose()),
                ("refresh_token", user.refresh_token.expose()),
            ];
            let answer = self
                .transport
                .send(Call::new("oauth"), |c| c.post(&url).form(&form))
                .await?;
            if answer.is_success() {
                break answer.json()?;
            }
            let code = answer
                .json::<Refused>()
                .map(|r| r.error)
                .unwrap_or_default();
            match code.as_str() {
                "invalid_grant" => {
                    return Err(PortError::Auth {
                        reason:
                            "re-link needed: the service refused the refresh token (invalid_grant)"
                                .to_owned(),
                    });
                }
                "internal_failure" | "server_error" | "temporarily_unavailable"
                    if attempt + 1 < policy.attempts =>
                {
                    let wait = policy.delay(attempt, answer.retry_after, false, 1.0);
                    self.transport.timer().sleep(wait).await;
                    attempt += 1;
                }
                "" => {
                    return Err(PortError::Provider {
                        status: Some(answer.status),
                        reason: "the token endpoint refused the refresh".to_owned(),
                    });
                }
                other => {
                    let reason = format!("the token endpoint refused the refresh ({other})");
                    return Err(if answer.status == 400 || answer.status == 401 {
                        PortError::Auth { reason }
                    } else {
                        PortError::Provider {
                            status: Some(answer.status),
                            reason,
                        }
                    });
                }
            }
        };
        let now = self.transport.wall().now();
        user.token = Some(Secret::new(granted.access_token));
        user.expiry = granted
            .expires_in
            .map(|s| now + chrono::TimeDelta::seconds(s.clamp(0, 10 * 365 * 86_400)));
        if let Some(rotated) = granted.refresh_token.filter(|r| !r.is_empty()) {
            user.refresh_token = Secret::new(rotated);
        }
        if let Some(scope) = granted.scope {
            user.scopes = scope.split_whitespace().map(str::to_owned).collect();
        }
        self.save(&user).await?;
        tracing::debug!(name = %self.name, "access token refreshed");
        Ok(user)
    }
}
