//! Garmin Connect sign-in (`provider-apis.md` §0 and §3.1): tokens the person already has, kept
//! fresh, and a best-effort password login.
//!
//! Since Garmin's SSO change of March 2026 a password login can be refused by Cloudflare at any
//! time, so it is never the only way in: [`GarminToken::parse`] takes the token files people
//! already hold — python-garminconnect's (`di_token`, `di_refresh_token`, `di_client_id`), garth's
//! `oauth2_token.json` or its base64 `dumps()` string, or a DI access and refresh token — and
//! [`GarminAuth`] refreshes the DI token through `diauth.garmin.com` about 900 s before its JWT
//! `exp`, and once after a 401 ("Token is not active"). A refused refresh is
//! [`PortError::Auth`] ("re-link needed"), never retried. The password login (SSO ticket, MFA
//! code, DI token) makes one attempt and reports `MFA_REQUIRED` without a code,
//! `INVALID_USERNAME_PASSWORD`, `CAPTCHA_REQUIRED` and Cloudflare's 403/429 pages in plain words.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, TimeDelta, Utc};
use pa_core::ports::{PortError, SecretStore};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::oauth::{read_secret, write_secret};
use crate::http::{Answer, Call, RetryPolicy, Transport};
use crate::secrets::Secret;

/// Garmin's SSO host.
pub const DEFAULT_SSO_URL: &str = "https://sso.garmin.com";
/// Garmin's DI OAuth2 host.
pub const DEFAULT_DI_URL: &str = "https://diauth.garmin.com";
/// The DI client ids python-garminconnect tries, newest first.
pub const CLIENT_IDS: [&str; 4] = [
    "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
    "GARMIN_CONNECT_MOBILE_ANDROID_DI_2024Q4",
    "GARMIN_CONNECT_MOBILE_ANDROID_DI",
    "GARMIN_CONNECT_MOBILE_IOS_DI",
];
/// How long before expiry a token is refreshed.
pub const REFRESH_AHEAD: TimeDelta = TimeDelta::seconds(900);
const SERVICE_URL: &str = "https://mobile.integration.garmin.com/gcm/android";
const TICKET_GRANT: &str =
    "https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket";

/// A Garmin access token with what refreshes it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GarminToken {
    /// The bearer token of data calls.
    pub access_token: String,
    /// The DI refresh token, when there is one.
    pub refresh_token: Option<String>,
    /// The DI client id the token was issued to (from the file or the JWT's `client_id`).
    pub client_id: Option<String>,
    /// When the access token expires (the JWT's `exp`, or the file's `expires_at`).
    pub expires_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for GarminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GarminToken")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("client_id", &self.client_id)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The claims pa reads from a JWT's payload (not verified: Garmin checks its own tokens).
fn claims(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn bad_file(what: &str) -> PortError {
    PortError::InvalidInput {
        reason: format!("the Garmin token file {what}"),
    }
}

impl GarminToken {
    /// A token from an access token (a JWT whose `exp` and `client_id` are read) and its
    /// refresh token.
    pub fn new(access_token: &str, refresh_token: Option<&str>, client_id: Option<&str>) -> Self {
        let c = claims(access_token);
        let exp = c
            .as_ref()
            .and_then(|c| c["exp"].as_i64())
            .and_then(|s| DateTime::from_timestamp(s, 0));
        let client = client_id.map(str::to_owned).or_else(|| {
            c.as_ref()
                .and_then(|c| c["client_id"].as_str().map(str::to_owned))
        });
        Self {
            access_token: access_token.to_owned(),
            refresh_token: refresh_token.filter(|r| !r.is_empty()).map(str::to_owned),
            client_id: client,
            expires_at: exp,
        }
    }

    /// Reads the text of a token file: python-garminconnect's JSON (`di_token`, …), garth's
    /// `oauth2_token.json` (`access_token`, `refresh_token`, `expires_at`), garth's base64
    /// `dumps()` of `[oauth1, oauth2]`, or pa's own form.
    pub fn parse(text: &str) -> Result<Self, PortError> {
        let text = text.trim();
        let v: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => {
                let bytes = STANDARD
                    .decode(text)
                    .map_err(|_| bad_file("is neither JSON nor garth's base64 string"))?;
                serde_json::from_slice(&bytes)
                    .map_err(|_| bad_file("is base64 but not garth's [oauth1, oauth2] pair"))?
            }
        };
        let v = match &v {
            Value::Array(pair) => pair
                .get(1)
                .cloned()
                .ok_or_else(|| bad_file("holds no OAuth2 token"))?,
            _ => v,
        };
        let s = |k: &str| v[k].as_str().filter(|t| !t.is_empty());
        if let Some(di) = s("di_token") {
            return Ok(Self::new(di, s("di_refresh_token"), s("di_client_id")));
        }
        let access = s("access_token")
            .ok_or_else(|| bad_file("has no access token (di_token or access_token)"))?;
        let mut token = Self::new(access, s("refresh_token"), s("client_id"));
        if token.expires_at.is_none() {
            token.expires_at = v["expires_at"]
                .as_i64()
                .and_then(|t| DateTime::from_timestamp(t, 0))
                .or_else(|| s("expires_at").and_then(|t| t.parse().ok()));
        }
        Ok(token)
    }

    /// Whether the token is expired or expires within [`REFRESH_AHEAD`] of `now`.
    pub fn needs_refresh(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|e| e - REFRESH_AHEAD <= now)
    }

    /// As stored in the vault.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A person's Garmin token, kept in `secrets` under `name` and refreshed through the DI host.
pub struct GarminAuth {
    transport: Arc<Transport>,
    secrets: Arc<dyn SecretStore>,
    name: String,
    di_url: String,
    current: tokio::sync::Mutex<Option<GarminToken>>,
}

impl std::fmt::Debug for GarminAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GarminAuth")
            .field("name", &self.name)
            .field("di_url", &self.di_url)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Granted {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
}

impl GarminAuth {
    /// The token stored under `name`, refreshed at `di_url` (`None`: Garmin's).
    pub fn new(
        transport: Arc<Transport>,
        secrets: Arc<dyn SecretStore>,
        name: impl Into<String>,
        di_url: Option<String>,
    ) -> Self {
        Self {
            transport,
            secrets,
            name: name.into(),
            di_url: di_url.unwrap_or_else(|| DEFAULT_DI_URL.to_owned()),
            current: tokio::sync::Mutex::new(None),
        }
    }

    async fn load(&self) -> Result<GarminToken, PortError> {
        let stored = read_secret(&self.secrets, &self.name).await?;
        let value = stored.ok_or_else(|| PortError::Auth {
            reason: "no Garmin token in the vault: link one first (pa auth garmin --token-file)"
                .into(),
        })?;
        GarminToken::parse(value.expose())
    }

    async fn save(&self, token: &GarminToken) -> Result<(), PortError> {
        write_secret(&self.secrets, &self.name, token.to_json()).await
    }

    /// A usable access token, refreshed first when it expires within 15 minutes.
    pub async fn access_token(&self) -> Result<Secret, PortError> {
        let mut current = self.current.lock().await;
        let token = match current.take() {
            Some(t) => t,
            None => self.load().await?,
        };
        let token = if token.needs_refresh(self.transport.wall().now()) {
            self.refreshed(token).await?
        } else {
            token
        };
        let access = Secret::new(token.access_token.clone());
        *current = Some(token);
        Ok(access)
    }

    /// Refreshes now (after a 401) and returns the new access token.
    pub async fn refresh(&self) -> Result<Secret, PortError> {
        let mut current = self.current.lock().await;
        let token = match current.take() {
            Some(t) => t,
            None => self.load().await?,
        };
        let token = self.refreshed(token).await?;
        let access = Secret::new(token.access_token.clone());
        *current = Some(token);
        Ok(access)
    }

    async fn refreshed(&self, token: GarminToken) -> Result<GarminToken, PortError> {
        let (Some(refresh), Some(client)) = (&token.refresh_token, &token.client_id) else {
            return Err(PortError::Auth {
                reason: "re-link needed: the Garmin token has expired and holds no DI refresh token (give a fresh token file)".into(),
            });
        };
        let url = format!(
            "{}/di-oauth2-service/oauth/token",
            self.di_url.trim_end_matches('/')
        );
        let basic = STANDARD.encode(format!("{client}:"));
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", client.as_str()),
            ("refresh_token", refresh.as_str()),
        ];
        let answer = self
            .transport
            .send(Call::new("garmin-auth"), |c| {
                c.post(&url)
                    .header("Authorization", format!("Basic {basic}"))
                    .form(&form)
            })
            .await?;
        if !answer.is_success() {
            return Err(if matches!(answer.status, 400 | 401 | 403) {
                PortError::Auth {
                    reason: format!(
                        "re-link needed: Garmin refused the refresh token ({})",
                        answer.status
                    ),
                }
            } else {
                PortError::Provider {
                    status: Some(answer.status),
                    reason: "Garmin's token endpoint failed".into(),
                }
            });
        }
        let granted: Granted = answer.json()?;
        let mut fresh = GarminToken::new(
            &granted.access_token,
            granted.refresh_token.as_deref().or(Some(refresh.as_str())),
            Some(client),
        );
        if fresh.expires_at.is_none() {
            fresh.expires_at = granted.expires_in.map(|s| {
                self.transport.wall().now() + TimeDelta::seconds(s.clamp(0, 400 * 86_400))
            });
        }
        self.save(&fresh).await?;
        tracing::debug!(name = %self.name, "Garmin token refreshed");
        Ok(fresh)
    }
}

/// Where the password login goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginHosts {
    /// The SSO root (`https://sso.garmin.com`).
    pub sso: String,
    /// The DI OAuth2 root (`https://diauth.garmin.com`).
    pub di: String,
}

impl Default for LoginHosts {
    fn default() -> Self {
        Self {
            sso: DEFAULT_SSO_URL.into(),
            di: DEFAULT_DI_URL.into(),
        }
    }
}

/// What Cloudflare or the SSO said, as a typed error.
fn login_refusal(a: &Answer) -> PortError {
    let html = a.body.starts_with(b"<") || a.body.windows(10).any(|w| w == b"Cloudflare");
    let who = if html { "Cloudflare" } else { "Garmin" };
    match (a.status, html) {
        (429, _) | (403, true) => PortError::Auth {
            reason: format!(
                "Garmin's sign-in is blocked for now ({who} answered {}); use a token file (pa auth garmin --token-file) or import Garmin's data export",
                a.status
            ),
        },
        (status, _) => PortError::Provider {
            status: Some(status),
            reason: "Garmin's sign-in failed".into(),
        },
    }
}

/// Signs in with an email and password (best effort, one attempt): the SSO ticket, an MFA code
/// from `mfa` when Garmin asks for one, then the DI token.
pub async fn password_login(
    transport: &Transport,
    hosts: &LoginHosts,
    email: &str,
    password: &Secret,
    mfa: &mut (dyn FnMut() -> Option<String> + Send),
) -> Result<GarminToken, PortError> {
    let once = Call {
        retry: RetryPolicy {
            attempts: 1,
            ..RetryPolicy::default()
        },
        // A 429 is an answer to report, never a cue to try again.
        rate_limited: |_| false,
        json: false,
        ..Call::new("garmin-sso")
    };
    let sso = hosts.sso.trim_end_matches('/');
    let query = [
        ("clientId", "GCM_ANDROID_DARK"),
        ("locale", "en-US"),
        ("service", SERVICE_URL),
    ];
    let login_url = format!("{sso}/mobile/api/login");
    let body = serde_json::json!({"username": email, "password": password.expose(),
        "rememberMe": false, "captchaToken": ""});
    let answer = transport
        .send(once, |c| {
            c.post(&login_url)
                .query(&query)
                .header("User-Agent", "Mozilla/5.0 (Linux; Android 14) pa")
                .json(&body)
        })
        .await?;
    let mut v: Value = if answer.is_success() {
        serde_json::from_slice(&answer.body).map_err(|_| login_refusal(&answer))?
    } else {
        return Err(login_refusal(&answer));
    };
    if v["error"]["status-code"] == "429" {
        return Err(login_refusal(&Answer {
            status: 429,
            ..answer
        }));
    }
    let kind = v["responseStatus"]["type"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if kind == "MFA_REQUIRED" {
        let Some(code) = mfa() else {
            return Err(PortError::Auth {
                reason: "MFA_REQUIRED: Garmin asks for the code it sent; give it when asked".into(),
            });
        };
        let method = v["customerMfaInfo"]["mfaLastMethodUsed"]
            .as_str()
            .unwrap_or("email")
            .to_owned();
        let mfa_url = format!("{sso}/mobile/api/mfa/verifyCode");
        let body = serde_json::json!({"mfaMethod": method, "mfaVerificationCode": code.trim(),
            "rememberMyBrowser": false, "reconsentList": [], "mfaSetup": false});
        let answer = transport
            .send(once, |c| c.post(&mfa_url).query(&query).json(&body))
            .await?;
        if !answer.is_success() {
            return Err(login_refusal(&answer));
        }
        v = serde_json::from_slice(&answer.body).map_err(|_| login_refusal(&answer))?;
    }
    let kind = v["responseStatus"]["type"].as_str().unwrap_or_default();
    let ticket = match kind {
        "SUCCESSFUL" => v["serviceTicketId"].as_str().unwrap_or_default().to_owned(),
        "INVALID_USERNAME_PASSWORD" => {
            return Err(PortError::Auth {
                reason: "INVALID_USERNAME_PASSWORD: Garmin did not accept the email or password"
                    .into(),
            });
        }
        "CAPTCHA_REQUIRED" => {
            return Err(PortError::Auth {
                reason: "CAPTCHA_REQUIRED: Garmin wants a CAPTCHA solved; sign in once in a browser, or use a token file".into(),
            });
        }
        "MFA_REQUIRED" => {
            return Err(PortError::Auth {
                reason: "MFA_REQUIRED: Garmin did not accept the code".into(),
            });
        }
        other => {
            return Err(PortError::Auth {
                reason: format!(
                    "Garmin's sign-in answered {}",
                    other
                        .chars()
                        .filter(|c| c.is_ascii_graphic())
                        .take(60)
                        .collect::<String>()
                ),
            });
        }
    };
    if ticket.is_empty() {
        return Err(PortError::Provider {
            status: None,
            reason: "Garmin's sign-in gave no service ticket".into(),
        });
    }
    let token_url = format!(
        "{}/di-oauth2-service/oauth/token",
        hosts.di.trim_end_matches('/')
    );
    for client in CLIENT_IDS {
        let basic = STANDARD.encode(format!("{client}:"));
        let form = [
            ("client_id", client),
            ("service_ticket", ticket.as_str()),
            ("grant_type", TICKET_GRANT),
            ("service_url", SERVICE_URL),
        ];
        let answer = transport
            .send(once, |c| {
                c.post(&token_url)
                    .header("Authorization", format!("Basic {basic}"))
                    .form(&form)
            })
            .await?;
        if answer.is_success() {
            let g: Granted = answer.json()?;
            let mut token =
                GarminToken::new(&g.access_token, g.refresh_token.as_deref(), Some(client));
            if token.expires_at.is_none() {
                token.expires_at = g
                    .expires_in
                    .map(|s| transport.wall().now() + TimeDelta::seconds(s.clamp(0, 400 * 86_400)));
            }
            return Ok(token);
        }
        if !matches!(answer.status, 400 | 401) {
            return Err(login_refusal(&answer));
        }
    }
    Err(PortError::Auth {
        reason: "Garmin refused the service ticket for every DI client id".into(),
    })
}
