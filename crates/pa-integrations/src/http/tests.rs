use std::collections::HashMap;
use std::sync::Mutex;

use super::oauth::{AuthorizedUser, TokenSource};
use super::*;
use crate::fakes::{Reply, Scripted};

fn start() -> chrono::DateTime<chrono::Utc> {
    "2026-12-05T10:00:00Z".parse().unwrap()
}

fn transport(timer: &Arc<ManualTimer>, rates: &[Rate]) -> Arc<Transport> {
    let config = HttpConfig {
        jitter_seed: Some(7),
        breaker: BreakerPolicy {
            threshold: 3,
            cooldown: Duration::from_secs(60),
        },
        ..HttpConfig::default()
    };
    Arc::new(Transport::new(config, timer.clone(), timer.clone(), rates).unwrap())
}

fn policy(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        attempts,
        base: Duration::from_millis(500),
        cap: Duration::from_secs(8),
        lockout: Duration::from_secs(30),
    }
}

async fn get(t: &Transport, url: &str, attempts: u32) -> Result<Answer, PortError> {
    let call = Call {
        retry: policy(attempts),
        ..Call::new("svc")
    };
    t.send(call, |c| c.get(format!("{url}/x"))).await
}

#[tokio::test]
async fn transient_answers_are_retried_with_the_wait_the_service_asked_for() {
    let server = Scripted::start(vec![
        Reply::json(503, "{}"),
        Reply::json(429, "{}").header("retry-after", "7"),
        Reply::json(200, r#"{"ok": true"#).cut(5),
        Reply::json(200, r#"{"ok":true}"#),
    ])
    .await;
    let timer = Arc::new(ManualTimer::new(start()));
    let t = transport(&timer, &[]);
    let answer = get(&t, server.url(), 5).await.unwrap();
    assert_eq!(answer.json::<serde_json::Value>().unwrap()["ok"], true);
    let slept = timer.slept();
    assert_eq!(slept.len(), 3, "{slept:?}");
    // The 429's Retry-After is a floor on the second wait; full jitter keeps the others within
    // their backoff steps.
    assert!(slept[0] <= Duration::from_millis(500));
    assert!(slept[1] >= Duration::from_secs(7));
    assert!(slept[2] <= Duration::from_secs(2));
}

#[tokio::test]
async fn refusals_come_back_as_they_are_and_attempts_run_out() {
    let server = Scripted::start(vec![
        Reply::json(404, r#"{"error":"NOT_FOUND"}"#),
        Reply::json(500, "{}"),
        Reply::json(502, "{}"),
        Reply::json(429, "{}"),
        Reply::json(429, "{}"),
    ])
    .await;
    let timer = Arc::new(ManualTimer::new(start()));
    let t = transport(&timer, &[]);
    assert_eq!(get(&t, server.url(), 3).await.unwrap().status, 404);
    assert_eq!(
        get(&t, server.url(), 2).await.unwrap_err(),
        PortError::Provider {
            status: Some(502),
            reason: "the service failed the request".into()
        }
    );
    // A 429 without Retry-After waits out the lockout (30 s) before trying again.
    let before = timer.elapsed();
    assert_eq!(
        get(&t, server.url(), 2).await.unwrap_err(),
        PortError::RateLimited { retry_after: None }
    );
    assert!(timer.elapsed() - before >= Duration::from_secs(30));
    assert_eq!(server.left(), 0);
}

#[tokio::test]
async fn a_failing_service_opens_the_breaker_and_is_tried_again_after_the_cooldown() {
    let server = Scripted::start(vec![
        Reply::json(500, "{}"),
        Reply::json(500, "{}"),
        Reply::json(500, "{}"),
        Reply::json(200, "{}"),
    ])
    .await;
    let timer = Arc::new(ManualTimer::new(start()));
    let t = transport(&timer, &[]);
    assert!(get(&t, server.url(), 3).await.is_err());
    // Open: no request goes out.
    assert_eq!(
        get(&t, server.url(), 1).await.unwrap_err(),
        PortError::Provider {
            status: None,
            reason: "svc keeps failing; not asked again for 60 s".into()
        }
    );
    assert_eq!(server.seen().len(), 3);
    timer.advance(Duration::from_secs(61));
    assert_eq!(get(&t, server.url(), 1).await.unwrap().status, 200);
}

#[tokio::test]
async fn the_rate_limit_spaces_requests_per_key() {
    let replies = (0..6).map(|_| Reply::json(200, "{}")).collect();
    let server = Scripted::start(replies).await;
    let timer = Arc::new(ManualTimer::new(start()));
    let rate = Rate {
        prefix: "base:".into(),
        requests: NonZeroU32::new(5).unwrap(),
        per: Duration::from_secs(1),
    };
    let t = transport(&timer, &[rate]);
    let url = server.url().to_owned();
    for key in ["base:a", "base:a", "base:a", "base:b", "base:b", "base:a"] {
        t.send(Call::new(key), |c| c.get(format!("{url}/x")))
            .await
            .unwrap();
    }
    // Key a: at 0, 0.2, 0.4 and 0.6 s; key b on its own budget, without waiting for a.
    assert_eq!(timer.elapsed(), Duration::from_millis(600));
}

#[tokio::test]
async fn a_dead_port_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let timer = Arc::new(ManualTimer::new(start()));
    let t = transport(&timer, &[]);
    assert_eq!(
        get(&t, &url, 2).await.unwrap_err(),
        PortError::Network {
            reason: "127.0.0.1: could not connect".into()
        }
    );
}

/// Secrets in memory, for the token source.
#[derive(Default)]
struct Memory(Mutex<HashMap<String, SecretValue>>);

impl SecretStore for Memory {
    fn put(&self, name: &str, value: &SecretValue) -> Result<(), PortError> {
        self.0.lock().unwrap().insert(name.into(), value.clone());
        Ok(())
    }
    fn get(&self, name: &str) -> Result<Option<SecretValue>, PortError> {
        Ok(self.0.lock().unwrap().get(name).cloned())
    }
    fn delete(&self, name: &str) -> Result<bool, PortError> {
        Ok(self.0.lock().unwrap().remove(name).is_some())
    }
}

use pa_core::ports::{SecretStore, SecretValue};

const TOKEN_FILE: &str = r#"{"token": "old-access", "refresh_token": "refresh-1",
  "token_uri": "https://oauth2.googleapis.com/token", "client_id": "cid.apps.googleusercontent.com",
  "client_secret": "shh", "scopes": ["https://www.googleapis.com/auth/calendar.readonly"],
  "expiry": "2026-12-05T10:00:30.000000Z"}"#;

#[tokio::test]
async fn tokens_are_refreshed_before_expiry_and_rotations_written_back() {
    let server = Scripted::start(vec![
        Reply::json(503, "{}"),
        Reply::json(
            200,
            r#"{"access_token":"new-access","expires_in":3599,"token_type":"Bearer","refresh_token":"refresh-2","scope":"a b"}"#,
        ),
        Reply::json(400, r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#),
    ])
    .await;
    let timer = Arc::new(ManualTimer::new(start()));
    let t = transport(&timer, &[]);
    let secrets = Arc::new(Memory::default());
    secrets
        .put("google.token", &SecretValue::new(TOKEN_FILE))
        .unwrap();
    let source = TokenSource::new(
        t.clone(),
        secrets.clone(),
        "google.token",
        Some(format!("{}/token", server.url())),
    );
    // The stored token expires within the minute: refreshed first (through a 503).
    assert_eq!(source.access_token().await.unwrap().expose(), "new-access");
    let sent = &server.seen()[1];
    assert_eq!(sent.line, "POST /token");
    assert!(sent.body.contains("grant_type=refresh_token"));
    assert!(sent.body.contains("refresh_token=refresh-1"));
    let stored =
        AuthorizedUser::from_json(secrets.get("google.token").unwrap().unwrap().expose()).unwrap();
    assert_eq!(stored.refresh_token.expose(), "refresh-2");
    assert_eq!(stored.scopes, ["a", "b"]);
    assert_eq!(
        stored.expiry,
        // Stored to the microsecond, as google-auth writes it.
        Some(chrono::SubsecRound::trunc_subsecs(
            timer.now() + chrono::TimeDelta::seconds(3599),
            6
        ))
    );
    // Still fresh: no request.
    assert_eq!(source.access_token().await.unwrap().expose(), "new-access");
    assert_eq!(server.seen().len(), 2);
    // A forced refresh that meets invalid_grant: re-link needed, not retried.
    assert_eq!(
        source.refresh().await.unwrap_err(),
        PortError::Auth {
            reason: "re-link needed: the service refused the refresh token (invalid_grant)".into()
        }
    );
    assert_eq!(server.seen().len(), 3);
    // Nothing secret in Debug output.
    let shown = format!("{stored:?} {source:?}");
    for secret in ["new-access", "refresh-2", "shh"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[tokio::test]
async fn a_missing_or_broken_token_file_is_a_typed_error() {
    let timer = Arc::new(ManualTimer::new(start()));
    let t = transport(&timer, &[]);
    let secrets = Arc::new(Memory::default());
    let source = TokenSource::new(t, secrets.clone(), "google.token", None);
    assert_eq!(
        source.access_token().await.unwrap_err(),
        PortError::Auth {
            reason: "no credentials stored as google.token: sign in first".into()
        }
    );
    assert_eq!(
        AuthorizedUser::from_json(r#"{"refresh_token": "secret-value"}"#).unwrap_err(),
        PortError::InvalidInput {
            reason: "the token file is not authorised-user JSON (line 1, column 33: Data)".into()
        }
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_is_retried() {
    // Accepts connections and reads, but never writes a byte.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(socket);
        }
    });
    let timer = Arc::new(ManualTimer::new(start()));
    let config = HttpConfig {
        read_timeout: Duration::from_millis(200),
        jitter_seed: Some(1),
        ..HttpConfig::default()
    };
    let t = Transport::new(config, timer.clone(), timer.clone(), &[]).unwrap();
    let err = get(&t, &url, 2).await.unwrap_err();
    assert_eq!(
        err,
        PortError::Network {
            reason: "127.0.0.1: timed out".into()
        }
    );
    assert!(err.is_transient());
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);
}

mod consent {
    use super::*;
    use crate::fakes::google_calendar::FakeGoogleCalendar;
    use crate::http::consent::{Consent, InstalledApp};

    fn app(url: &str) -> InstalledApp {
        InstalledApp::from_json(
            &serde_json::json!({"installed": {"client_id": "cid.apps.googleusercontent.com",
                "client_secret": "GOCSPX-secret", "auth_uri": format!("{url}/auth"),
                "token_uri": format!("{url}/token"), "redirect_uris": ["http://localhost"]}})
            .to_string(),
        )
        .unwrap()
    }

    fn param(url: &str, name: &str) -> String {
        url::Url::parse(url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    }

    /// What the browser does after the person agrees: a stray request, then the redirect.
    async fn browser(redirect: String, query: String) {
        let http = crate::http::client(&HttpConfig::default()).unwrap();
        let _ = http.get(format!("{redirect}/favicon.ico")).send().await;
        let page = http
            .get(format!("{redirect}/?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
    }

    #[tokio::test]
    async fn the_browser_redirect_brings_a_code_exchanged_with_the_pkce_verifier() {
        let fake = FakeGoogleCalendar::new("1//fresh");
        let server = fake.start().await;
        let timer = Arc::new(ManualTimer::new(start()));
        let t = transport(&timer, &[]);
        let consent = Consent::begin(
            app(&server.url),
            &["https://www.googleapis.com/auth/calendar.readonly"],
        )
        .await
        .unwrap();
        assert!(
            consent
                .url
                .starts_with(&format!("{}/auth?response_type=code", server.url))
        );
        assert_eq!(param(&consent.url, "code_challenge_method"), "S256");
        let redirect = param(&consent.url, "redirect_uri");
        assert!(redirect.starts_with("http://127.0.0.1:"));
        fake.authorize("c0de", &param(&consent.url, "code_challenge"), &redirect);
        let query = format!("code=c0de&state={}&scope=x", param(&consent.url, "state"));
        let clicked = tokio::spawn(browser(redirect, query));
        let user = consent.finish(&t, Duration::from_secs(10)).await.unwrap();
        clicked.await.unwrap();
        assert_eq!(user.refresh_token.expose(), "1//fresh");
        assert_eq!(user.token.unwrap().expose(), "ya29.1");
        assert_eq!(user.client_secret.expose(), "GOCSPX-secret");
    }

    #[tokio::test]
    async fn a_refused_or_forged_redirect_is_an_auth_error() {
        let fake = FakeGoogleCalendar::new("1//fresh");
        let server = fake.start().await;
        let timer = Arc::new(ManualTimer::new(start()));
        let t = transport(&timer, &[]);
        for (query, said) in [
            (
                "error=access_denied&state={state}".to_owned(),
                "the sign-in was refused (access_denied)",
            ),
            (
                "code=c0de&state=forged".to_owned(),
                "the sign-in came back with another state (not this request's)",
            ),
            (
                "code=wrong&state={state}".to_owned(),
                "the token endpoint refused the sign-in (invalid_grant)",
            ),
        ] {
            let consent = Consent::begin(app(&server.url), &["s"]).await.unwrap();
            let redirect = param(&consent.url, "redirect_uri");
            let query = query.replace("{state}", &param(&consent.url, "state"));
            let clicked = tokio::spawn(browser(redirect, query));
            assert_eq!(
                consent
                    .finish(&t, Duration::from_secs(10))
                    .await
                    .unwrap_err(),
                PortError::Auth {
                    reason: said.into()
                }
            );
            clicked.await.unwrap();
        }
        assert_eq!(
            InstalledApp::from_json(r#"{"other": {}}"#).unwrap_err(),
            PortError::InvalidInput {
                reason: "the client secret file has no \"installed\" client".into()
            }
        );
    }
}
