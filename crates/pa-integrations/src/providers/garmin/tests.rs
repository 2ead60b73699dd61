use std::collections::HashSet;
use std::sync::Arc;

use base64::Engine as _;
use chrono::{NaiveDate, TimeDelta};
use pa_core::fitness::load::{HeartRateProfile, Sex, Thresholds};
use pa_core::ports::Clock as _;
use pa_core::ports::{SecretStore, UserStore};

use super::auth::{GarminToken, LoginHosts, password_login};
use super::*;
use crate::assistant::{Access, Assistant, Location, Person, VaultSecrets};
use crate::fakes::Reply;
use crate::fakes::garmin::{self as fake, Account as FakeAccount, FakeGarmin};
use crate::http::{HttpConfig, ManualTimer, Transport};
use crate::secrets::{KdfParams, Secret};
use crate::sync::dashboard::Cancel;
use crate::sync::source::{UpdateReport, Updater};

const CLIENT: &str = "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2";

struct Setup {
    fake: Arc<FakeGarmin>,
    api: Arc<GarminConnect>,
    secrets: Arc<VaultSecrets>,
    timer: Arc<ManualTimer>,
    transport: Arc<Transport>,
    person: Person,
    url: String,
    _server: crate::fakes::Running,
    _pa: Assistant,
}

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn setup() -> Setup {
    let timer = Arc::new(ManualTimer::new("2026-12-05T10:00:00Z".parse().unwrap()));
    let fake = FakeGarmin::new("runner42", CLIENT, "di-refresh-0", timer.clone());
    let server = fake.start().await;
    let pa = Assistant::open(&Location::Memory, Access::Create).unwrap();
    let person = pa.person("me", true).unwrap();
    let vault = pa
        .unlock(
            &Secret::new("correct horse"),
            KdfParams {
                m_cost_kib: 64,
                t_cost: 1,
                p_cost: 1,
            },
        )
        .unwrap();
    let secrets = Arc::new(VaultSecrets::new(person.clone(), Arc::new(vault)));
    // python-garminconnect's token file, its token valid for an hour.
    let file = serde_json::json!({"di_token": fake.issue(), "di_refresh_token": "di-refresh-0",
        "di_client_id": CLIENT});
    let token = GarminToken::parse(&file.to_string()).unwrap();
    secrets
        .put(
            "garmin.token",
            &pa_core::ports::SecretValue::new(token.to_json()),
        )
        .unwrap();
    let transport = Arc::new(
        Transport::new(
            HttpConfig {
                jitter_seed: Some(9),
                ..HttpConfig::default()
            },
            timer.clone(),
            timer.clone(),
            &[],
        )
        .unwrap(),
    );
    let auth = Arc::new(auth::GarminAuth::new(
        transport.clone(),
        secrets.clone(),
        "garmin.token",
        Some(server.url.clone()),
    ));
    let api = Arc::new(GarminConnect::new(
        transport.clone(),
        auth,
        Some(server.url.clone()),
    ));
    Setup {
        fake,
        api,
        secrets,
        timer,
        transport,
        person,
        url: server.url.clone(),
        _server: server,
        _pa: pa,
    }
}

fn thresholds() -> Thresholds {
    Thresholds {
        ftp_w: Some(250.0),
        heart_rate: Some(HeartRateProfile::new(50.0, 190.0, Some(170.0), Sex::Male).unwrap()),
    }
}

async fn range(
    s: &Setup,
    from: &str,
    to: &str,
    held: HashSet<ActivityId>,
) -> crate::error::Result<UpdateReport> {
    let source = RangeSource::new(
        s.api.clone(),
        "runner42",
        (from.parse().unwrap(), to.parse().unwrap()),
        chrono_tz::Europe::Berlin,
        thresholds(),
        held,
    )
    .unwrap();
    Updater {
        store: &s.person,
        source: &source,
        cancel: Cancel::default(),
    }
    .run(s.timer.now(), &mut |_| {})
    .await
}

#[tokio::test]
async fn a_range_brings_activities_with_streams_and_load_health_and_weigh_ins() {
    let s = setup().await;
    s.fake.fill(d("2026-11-01"), 28, 4);
    let report = range(&s, "2026-11-01", "2026-11-28", HashSet::new())
        .await
        .unwrap();
    let acts = s.person.activities(Day::EARLIEST, Day::LATEST).unwrap();
    assert_eq!(acts.len(), 4);
    let ride = acts
        .iter()
        .find(|a| a.sport == pa_core::fitness::Sport::Ride)
        .unwrap();
    assert_eq!(
        ride.external.as_ref().unwrap().to_string(),
        "garmin:20000000000"
    );
    assert_eq!(
        ride.id.as_str(),
        "activity/2026-11-01T17:05:00Z",
        "keyed like a FIT import"
    );
    assert_eq!(ride.distance_m, Some(30512.4));
    assert_eq!(ride.elapsed_s, 3630.0);
    let streams = ride.streams.as_ref().unwrap();
    assert_eq!(streams.time_s.len(), 60);
    assert_eq!(streams.time_s[1], 60.0);
    assert_eq!(streams.power.as_ref().unwrap()[0], Some(200.0));
    assert!(streams.position.as_ref().unwrap()[0].is_some());
    // TSS from normalized power and the athlete's FTP over the moving time: 3540 s at IF 205/250.
    let expected = 3540.0 / 3600.0 * (205.0f64 / 250.0).powi(2) * 100.0;
    assert!(
        (ride.training_load.unwrap() - expected).abs() < 1e-9,
        "{:?}",
        ride.training_load
    );
    assert!(ride.trimp.is_some());
    let health = s.person.daily_health(Day::EARLIEST, Day::LATEST).unwrap();
    assert_eq!(health.len(), 28);
    let first = &health[0];
    assert_eq!(first.steps, Some(6000));
    assert_eq!(first.resting_hr_bpm, Some(48.0));
    assert_eq!(first.hrv_rmssd_ms, Some(45.0));
    assert_eq!(first.intensity_minutes, Some(40));
    assert_eq!(first.sleep.unwrap().total_s, 25_000.0);
    assert_eq!(first.sleep.unwrap().score, Some(78.0));
    // Day 20 has no HRV reading (204 for the range leaves it out); no night without sleep yet.
    assert_eq!(health[19].hrv_rmssd_ms, None);
    let body = s.person.records::<BodyComposition>(None).unwrap();
    assert_eq!(body.len(), 10);
    assert_eq!(body[0].weight_kg, 72.0, "grams to kilograms");
    assert_eq!(body[0].muscle_mass_kg, Some(36.5));
    assert_eq!(report.written.added, 4 + 28 + 10);
    let state = s.person.sync_state("garmin").unwrap().unwrap();
    assert_eq!(state.cursor.as_deref(), Some("2026-11-28"));
    // The same range again writes nothing new; activities held with streams are not fetched.
    let held: HashSet<ActivityId> = acts.iter().map(|a| a.id.clone()).collect();
    let details = s.fake.counts().details;
    let again = range(&s, "2026-11-01", "2026-11-28", held).await.unwrap();
    assert_eq!((again.written.added, again.written.updated), (0, 0));
    assert_eq!(s.fake.counts().details, details);
}

#[tokio::test]
async fn tokens_refresh_ahead_of_expiry_and_once_on_a_401_then_relink_is_reported() {
    let s = setup().await;
    s.fake.fill(d("2026-11-01"), 2, 1);
    // 50 minutes on, the hour-long token is within 15 minutes of expiry: refreshed first.
    s.timer.advance(std::time::Duration::from_secs(50 * 60));
    range(&s, "2026-11-01", "2026-11-02", HashSet::new())
        .await
        .unwrap();
    assert_eq!(s.fake.counts().refreshes, 1);
    let stored =
        GarminToken::parse(s.secrets.get("garmin.token").unwrap().unwrap().expose()).unwrap();
    assert_eq!(stored.access_token, s.fake.access_token());
    assert_eq!(
        stored.refresh_token.as_deref(),
        Some(s.fake.refresh_token().as_str()),
        "rotated refresh token kept"
    );
    // "Token is not active" on a valid token: refreshed once, then the call succeeds.
    s.fake.reject_fresh_token_once();
    range(&s, "2026-11-01", "2026-11-02", HashSet::new())
        .await
        .unwrap();
    assert_eq!(s.fake.counts().refreshes, 2);
    // A refresh Garmin refuses: re-link needed, never retried.
    s.fake.revoke();
    s.timer.advance(std::time::Duration::from_secs(3600));
    let err = range(&s, "2026-11-01", "2026-11-02", HashSet::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Auth);
    assert_eq!(
        err.to_string(),
        "garmin: sign-in needed again (re-link needed: Garmin refused the refresh token (400))"
    );
}

#[tokio::test]
async fn rate_limits_server_errors_and_bad_ranges_are_typed() {
    let s = setup().await;
    s.fake.fill(d("2026-11-01"), 2, 0);
    s.fake.inject(Reply::json(503, "{}"));
    s.fake.inject(Reply::json(500, "{}"));
    range(&s, "2026-11-01", "2026-11-02", HashSet::new())
        .await
        .unwrap();
    let page = "<!DOCTYPE html><html><title>Access denied | sso.garmin.com used Cloudflare to restrict access</title></html>";
    for _ in 0..4 {
        s.fake
            .inject(Reply::json(429, page).header("content-type", "text/html"));
    }
    let err = range(&s, "2026-11-01", "2026-11-02", HashSet::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::RateLimited);
    assert_eq!(err.to_string(), "garmin: rate limited");
    for _ in 0..4 {
        s.fake
            .inject(Reply::json(429, r#"{"message": "Too many requests"}"#));
    }
    let err = range(&s, "2026-11-01", "2026-11-02", HashSet::new())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "garmin: rate limited");
    assert_eq!(
        RangeSource::new(
            s.api.clone(),
            "runner42",
            (
                Day::from_ymd(2026, 1, 1).unwrap(),
                Day::from_ymd(2026, 1, 29).unwrap()
            ),
            chrono_tz::UTC,
            Thresholds::default(),
            HashSet::new()
        )
        .unwrap_err(),
        PortError::InvalidInput {
            reason: "a Garmin range is 1 to 28 days, not 29 (2026-01-01 to 2026-01-29)".into()
        }
    );
    assert_eq!(
        s.api
            .get("/hrv-service/hrv/daily/2026-01-01/2026-03-01", &[])
            .await
            .unwrap_err(),
        PortError::InvalidInput {
            reason: "Garmin refused the request (400)".into()
        }
    );
}

#[test]
fn token_files_of_garth_and_python_garminconnect_are_read() {
    let exp = "2026-12-05T11:00:00Z".parse().unwrap();
    let jwt = fake::jwt(CLIENT, exp, 1);
    let di = GarminToken::parse(&format!(
        r#"{{"di_token": "{jwt}", "di_refresh_token": "r1", "di_client_id": "{CLIENT}"}}"#
    ))
    .unwrap();
    assert_eq!(di.expires_at, Some(exp));
    assert_eq!(di.client_id.as_deref(), Some(CLIENT));
    // garth's oauth2_token.json: the client id comes from the JWT, the expiry from the file.
    let garth = r#"{"scope": "CONNECT_READ", "jti": "x", "token_type": "Bearer", "access_token": "opaque", "refresh_token": "r2", "expires_in": 81790, "expires_at": 1764950000, "refresh_token_expires_in": 2591999}"#;
    let g = GarminToken::parse(garth).unwrap();
    assert_eq!(
        g.expires_at,
        chrono::DateTime::from_timestamp(1_764_950_000, 0)
    );
    assert_eq!(g.client_id, None);
    // garth's dumps(): base64 of [oauth1, oauth2].
    let dumped = base64::engine::general_purpose::STANDARD.encode(format!(r#"[{{"oauth_token": "o", "oauth_token_secret": "s"}}, {{"access_token": "{jwt}", "refresh_token": "r3"}}]"#));
    let b = GarminToken::parse(&dumped).unwrap();
    assert_eq!(b.access_token, jwt);
    assert_eq!(b.client_id.as_deref(), Some(CLIENT));
    assert!(!format!("{b:?}").contains("r3") && !format!("{b:?}").contains(&jwt));
    assert_eq!(
        GarminToken::parse("not a token").unwrap_err(),
        PortError::InvalidInput {
            reason: "the Garmin token file is neither JSON nor garth's base64 string".into()
        }
    );
    assert_eq!(
        GarminToken::parse("{}").unwrap_err(),
        PortError::InvalidInput {
            reason: "the Garmin token file has no access token (di_token or access_token)".into()
        }
    );
    // Expiry within 15 minutes asks for a refresh.
    assert!(di.needs_refresh(exp - TimeDelta::minutes(10)));
    assert!(!di.needs_refresh(exp - TimeDelta::minutes(20)));
}

#[tokio::test]
async fn the_password_login_is_one_attempt_with_clear_errors() {
    let s = setup().await;
    let hosts = LoginHosts {
        sso: s.url.clone(),
        di: s.url.clone(),
    };
    let account = FakeAccount {
        email: "runner@example.com".into(),
        password: "pw".into(),
        ..FakeAccount::default()
    };
    let login = |pw: &'static str, code: Option<&'static str>| {
        let (t, h) = (s.transport.clone(), hosts.clone());
        async move {
            password_login(&t, &h, "runner@example.com", &Secret::new(pw), &mut || {
                code.map(str::to_owned)
            })
            .await
        }
    };
    s.fake.set_account(account.clone());
    let token = login("pw", None).await.unwrap();
    assert_eq!(token.access_token, s.fake.access_token());
    assert_eq!(token.client_id.as_deref(), Some(CLIENT));
    let auth = |reason: &str| PortError::Auth {
        reason: reason.into(),
    };
    assert_eq!(
        login("wrong", None).await.unwrap_err(),
        auth("INVALID_USERNAME_PASSWORD: Garmin did not accept the email or password")
    );
    s.fake.set_account(FakeAccount {
        mfa: Some("123456".into()),
        ..account.clone()
    });
    assert_eq!(
        login("pw", None).await.unwrap_err(),
        auth("MFA_REQUIRED: Garmin asks for the code it sent; give it when asked")
    );
    assert_eq!(
        login("pw", Some("000000")).await.unwrap_err(),
        auth("MFA_REQUIRED: Garmin did not accept the code")
    );
    assert!(login("pw", Some("123456")).await.is_ok());
    s.fake.set_account(FakeAccount {
        captcha: true,
        ..account.clone()
    });
    assert_eq!(
        login("pw", None).await.unwrap_err(),
        auth(
            "CAPTCHA_REQUIRED: Garmin wants a CAPTCHA solved; sign in once in a browser, or use a token file"
        )
    );
    s.fake.set_account(FakeAccount {
        cloudflare: true,
        ..account
    });
    let before = s.fake.counts().logins;
    assert_eq!(
        login("pw", None).await.unwrap_err(),
        auth(
            "Garmin's sign-in is blocked for now (Cloudflare answered 429); use a token file (pa auth garmin --token-file) or import Garmin's data export"
        )
    );
    assert_eq!(s.fake.counts().logins, before + 1, "never retried");
    // Throttling said in a JSON body (status 200) is reported the same way.
    s.fake
        .inject_login(Reply::json(200, r#"{"error": {"status-code": "429"}}"#));
    assert_eq!(
        login("pw", None).await.unwrap_err(),
        auth(
            "Garmin's sign-in is blocked for now (Garmin answered 429); use a token file (pa auth garmin --token-file) or import Garmin's data export"
        )
    );
    assert!(s.timer.slept().is_empty(), "no waiting loop");
}
