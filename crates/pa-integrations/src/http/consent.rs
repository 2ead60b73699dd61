//! OAuth 2.0 for installed apps (RFC 8252) with PKCE (RFC 7636), as Google runs it: the person
//! opens a consent page in their browser, which redirects to a one-shot listener on
//! 127.0.0.1; the code it brings is exchanged, with the PKCE verifier, for tokens. The client
//! secret file is the one Google's console gives (`{"installed": {"client_id", "client_secret",
//! "auth_uri", "token_uri", …}}`).

use std::time::Duration;

use base64::Engine as _;
use pa_core::ports::PortError;
use rand::Rng as _;
use serde_json::Value;
use sha2::Digest as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::oauth::AuthorizedUser;
use super::{Call, Transport};
use crate::secrets::Secret;

/// An installed app's OAuth client.
#[derive(Debug, Clone)]
pub struct InstalledApp {
    /// The client id.
    pub client_id: String,
    /// The client secret (for installed apps not truly secret, but never shown).
    pub client_secret: Secret,
    /// The consent page.
    pub auth_uri: String,
    /// The token endpoint.
    pub token_uri: String,
}

impl InstalledApp {
    /// Reads Google's client secret JSON (an `installed` or `web` client).
    pub fn from_json(text: &str) -> Result<Self, PortError> {
        let bad = |why: &str| PortError::InvalidInput {
            reason: format!("the client secret file {why}"),
        };
        let v: Value = serde_json::from_str(text).map_err(|_| bad("is not JSON"))?;
        let c = v
            .get("installed")
            .or_else(|| v.get("web"))
            .ok_or_else(|| bad("has no \"installed\" client"))?;
        let field = |name: &str| {
            c[name]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| bad(&format!("has no {name}")))
        };
        Ok(Self {
            client_id: field("client_id")?,
            client_secret: Secret::new(field("client_secret")?),
            auth_uri: field("auth_uri")
                .unwrap_or_else(|_| "https://accounts.google.com/o/oauth2/auth".to_owned()),
            token_uri: field("token_uri")
                .unwrap_or_else(|_| "https://oauth2.googleapis.com/token".to_owned()),
        })
    }
}

/// A consent in progress: the page to open, and the listener its redirect comes back to.
pub struct Consent {
    /// The page the person opens in a browser.
    pub url: String,
    listener: TcpListener,
    redirect: String,
    verifier: Secret,
    state: String,
    app: InstalledApp,
    scopes: Vec<String>,
}

impl std::fmt::Debug for Consent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consent")
            .field("redirect", &self.redirect)
            .finish_non_exhaustive()
    }
}

/// The S256 challenge of a PKCE verifier.
pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

fn random(n: usize) -> String {
    const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(UNRESERVED[rng.random_range(0..UNRESERVED.len())]))
        .collect()
}

impl Consent {
    /// Starts a consent for `scopes`: a listener on an ephemeral port of 127.0.0.1 and the page
    /// that redirects to it.
    pub async fn begin(app: InstalledApp, scopes: &[&str]) -> Result<Self, PortError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| PortError::Network {
                reason: format!("cannot listen on 127.0.0.1 for the sign-in ({e})"),
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| PortError::Network {
                reason: format!("cannot listen on 127.0.0.1 for the sign-in ({e})"),
            })?
            .port();
        let redirect = format!("http://127.0.0.1:{port}");
        let verifier = random(64);
        let state = random(24);
        let mut url = url::Url::parse(&app.auth_uri).map_err(|_| PortError::InvalidInput {
            reason: "the client secret file's auth_uri is not a URL".into(),
        })?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &app.client_id)
            .append_pair("redirect_uri", &redirect)
            .append_pair("scope", &scopes.join(" "))
            .append_pair("code_challenge", &challenge(&verifier))
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state)
            .append_pair("access_type", "offline")
            .append_pair("prompt", "consent");
        Ok(Self {
            url: url.into(),
            listener,
            redirect,
            verifier: Secret::new(verifier),
            state,
            app,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    /// Waits (at most `wait`) for the browser's redirect, answers it, and exchanges its code
    /// for tokens. A refusal on the consent page, a wrong `state` or no redirect in time is an
    /// error; nothing is stored here.
    pub async fn finish(
        self,
        transport: &Transport,
        wait: Duration,
    ) -> Result<AuthorizedUser, PortError> {
        let code = tokio::time::timeout(wait, self.redirected())
            .await
            .map_err(|_| PortError::Auth {
                reason: format!("no sign-in came back within {} s", wait.as_secs()),
            })??;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("redirect_uri", self.redirect.as_str()),
            ("client_id", self.app.client_id.as_str()),
            ("client_secret", self.app.client_secret.expose()),
            ("code_verifier", self.verifier.expose()),
        ];
        let token_uri = self.app.token_uri.clone();
        let answer = transport
            .send(Call::new("oauth"), |c| c.post(&token_uri).form(&form))
            .await?;
        let v: Value = answer.json()?;
        if !answer.is_success() {
            let code = v["error"].as_str().unwrap_or("refused");
            return Err(PortError::Auth {
                reason: format!("the token endpoint refused the sign-in ({code})"),
            });
        }
        let access = v["access_token"].as_str().ok_or_else(|| PortError::Auth {
            reason: "the token endpoint issued no access token".into(),
        })?;
        let refresh = v["refresh_token"].as_str().ok_or_else(|| PortError::Auth {
            reason:
                "the token endpoint issued no refresh token (consent again with prompt=consent)"
                    .into(),
        })?;
        let now = transport.wall().now();
        Ok(AuthorizedUser {
            token: Some(Secret::new(access)),
            refresh_token: Secret::new(refresh),
            token_uri: self.app.token_uri.clone(),
            client_id: self.app.client_id.clone(),
            client_secret: self.app.client_secret.clone(),
            scopes: v["scope"]
                .as_str()
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_else(|| self.scopes.clone()),
            expiry: v["expires_in"]
                .as_i64()
                .map(|s| now + chrono::TimeDelta::seconds(s.clamp(0, 10 * 365 * 86_400))),
        })
    }

    /// Accepts connections until one carries the redirect; answers it with a page saying the
    /// browser can be closed, and returns its code.
    async fn redirected(&self) -> Result<Secret, PortError> {
        loop {
            let (mut socket, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| PortError::Network {
                    reason: format!("the sign-in listener failed ({e})"),
                })?;
            let mut buf = vec![0u8; 8192];
            let n = socket.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]);
            let Some(target) = head
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("GET "))
                .and_then(|l| l.split(' ').next())
            else {
                continue;
            };
            let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else {
                continue;
            };
            let get = |k: &str| {
                url.query_pairs()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.into_owned())
            };
            // A favicon request or a stray visit: not the redirect.
            if get("code").is_none() && get("error").is_none() {
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    )
                    .await;
                continue;
            }
            let outcome = match (get("state"), get("code"), get("error")) {
                (Some(s), _, _) if s != self.state => Err(PortError::Auth {
                    reason: "the sign-in came back with another state (not this request's)".into(),
                }),
                (_, _, Some(e)) => Err(PortError::Auth {
                    reason: format!("the sign-in was refused ({})", e.escape_debug()),
                }),
                (Some(_), Some(code), None) => Ok(Secret::new(code)),
                _ => Err(PortError::Auth {
                    reason: "the sign-in came back without its state".into(),
                }),
            };
            let page = if outcome.is_ok() {
                "pa is signed in. You can close this window."
            } else {
                "The sign-in did not succeed. You can close this window."
            };
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
            return outcome;
        }
    }
}
