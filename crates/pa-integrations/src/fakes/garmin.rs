//! A fake Garmin Connect (`provider-apis.md` §0, §3.5): the DI token endpoint (refresh and
//! service-ticket grants, `expires_in` configurable, JWT access tokens with `exp` and
//! `client_id`), the mobile SSO login (MFA, `INVALID_USERNAME_PASSWORD`, `CAPTCHA_REQUIRED`,
//! Cloudflare's 429 HTML page), and the data endpoints with their real names and units (m, s,
//! bpm, W, grams, epoch ms, the two timestamp formats). Every data call checks the bearer token;
//! a stale one gets 401 with an empty body and `www-authenticate: Bearer error="invalid_token",
//! error_description="Token is not active"`. Range endpoints refuse more than 28 days; days
//! without HRV or weight answer 204; nights without sleep have `dailySleepDTO.id` null.
//! Injected answers are served first.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use pa_core::ports::Clock;
use serde_json::{Value, json};

use super::{Reply, Running, serve};

/// What the fake was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Data requests answered (any status).
    pub data_calls: usize,
    /// Tokens granted by refresh.
    pub refreshes: usize,
    /// 401 answers.
    pub unauthorized: usize,
    /// Password logins attempted.
    pub logins: usize,
    /// Activity detail requests.
    pub details: usize,
}

/// The account the SSO accepts.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// The MFA code Garmin "sent", when MFA is on.
    pub mfa: Option<String>,
    /// Garmin asks for a CAPTCHA.
    pub captcha: bool,
    /// Cloudflare blocks the login with its 429 page.
    pub cloudflare: bool,
}

#[derive(Debug, Default)]
struct Inner {
    display_name: String,
    client_id: String,
    access: String,
    refresh: String,
    generation: u32,
    expires_in: i64,
    /// The next freshly issued token is refused once ("Token is not active").
    reject_fresh: bool,
    account: Option<Account>,
    tickets: Vec<String>,
    activities: Vec<Value>,
    details: BTreeMap<i64, Value>,
    summaries: BTreeMap<String, Value>,
    sleep: BTreeMap<String, Value>,
    hrv: BTreeMap<String, Value>,
    weights: Vec<Value>,
    injected: VecDeque<Reply>,
    login_injected: VecDeque<Reply>,
    counts: Counts,
}

/// The fake service.
pub struct FakeGarmin {
    state: Mutex<Inner>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for FakeGarmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGarmin").finish_non_exhaustive()
    }
}

/// A JWT-shaped token (unsigned: the fake checks tokens by equality) with `exp` and `client_id`.
pub fn jwt(client_id: &str, exp: DateTime<Utc>, nonce: u32) -> String {
    let enc = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.sig{nonce}",
        enc(json!({"alg": "RS256", "typ": "JWT"})),
        enc(json!({"client_id": client_id, "exp": exp.timestamp(), "jti": format!("j{nonce}")}))
    )
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            "www-authenticate",
            r#"Bearer error="invalid_token", error_description="Token is not active""#,
        )],
    )
        .into_response()
}

fn epoch_ms(day: NaiveDate, h: u32, m: u32) -> i64 {
    day.and_hms_opt(h, m, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
}

impl FakeGarmin {
    /// A service for `display_name` whose DI client is `client_id`, with refresh token
    /// `refresh`; tokens live `expires_in` seconds on `clock`.
    pub fn new(
        display_name: &str,
        client_id: &str,
        refresh: &str,
        clock: Arc<dyn Clock>,
    ) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(Inner {
                display_name: display_name.into(),
                client_id: client_id.into(),
                refresh: refresh.into(),
                expires_in: 3600,
                ..Inner::default()
            }),
            clock,
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// Serves it: data, SSO and DI paths at the returned URL's root.
    pub async fn start(self: &Arc<Self>) -> Running {
        let router = axum::Router::new()
            .route("/di-oauth2-service/oauth/token", post(token))
            .route("/mobile/api/login", post(login))
            .route("/mobile/api/mfa/verifyCode", post(mfa))
            .route("/userprofile-service/socialProfile", get(profile))
            .route(
                "/activitylist-service/activities/search/activities",
                get(list),
            )
            .route("/activity-service/activity/{id}/details", get(detail_route))
            .route(
                "/usersummary-service/usersummary/daily/{name}",
                get(summary),
            )
            .route(
                "/wellness-service/wellness/dailySleepData/{name}",
                get(sleep),
            )
            .route("/hrv-service/hrv/daily/{start}/{end}", get(hrv))
            .route("/weight-service/weight/dateRange", get(weights))
            .with_state(self.clone());
        serve(router).await
    }

    /// Issues an access token now (as a sign-in would) and returns it: earlier ones stop working.
    pub fn issue(&self) -> String {
        let now = self.clock.now();
        self.with(|s| {
            s.generation += 1;
            s.access = jwt(
                &s.client_id,
                now + TimeDelta::seconds(s.expires_in),
                s.generation,
            );
            s.access.clone()
        })
    }

    /// The current access token.
    pub fn access_token(&self) -> String {
        self.with(|s| s.access.clone())
    }

    /// The current refresh token.
    pub fn refresh_token(&self) -> String {
        self.with(|s| s.refresh.clone())
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_expires_in(&self, secs: i64) {
        self.with(|s| s.expires_in = secs);
    }

    /// Refuse the next data call's valid token once with 401 (Garmin's "Token is not active",
    /// which can meet a token fresh from a refresh).
    pub fn reject_fresh_token_once(&self) {
        self.with(|s| s.reject_fresh = true);
    }

    /// Revokes the refresh token (a refresh is then refused).
    pub fn revoke(&self) {
        self.with(|s| s.refresh = format!("revoked-{}", s.refresh));
    }

    /// The account the SSO login accepts.
    pub fn set_account(&self, account: Account) {
        self.with(|s| s.account = Some(account));
    }

    /// Serves `reply` before anything else.
    pub fn inject(&self, reply: Reply) {
        self.with(|s| s.injected.push_back(reply));
    }

    /// Answers the next login with `reply`.
    pub fn inject_login(&self, reply: Reply) {
        self.with(|s| s.login_injected.push_back(reply));
    }

    /// What it was asked.
    pub fn counts(&self) -> Counts {
        self.with(|s| s.counts.clone())
    }

    /// Adds an activity (a list item, see [`activity`]) and its details.
    pub fn add_activity(&self, item: Value, details: Option<Value>) {
        self.with(|s| {
            let id = item["activityId"].as_i64().unwrap();
            if let Some(d) = details {
                s.details.insert(id, d);
            }
            s.activities.push(item);
        });
    }

    /// Adds a day of wellness: summary, sleep (none when `sleep_s` is 0) and HRV (none when 0).
    pub fn add_day(&self, day: NaiveDate, steps: u32, resting_hr: u32, sleep_s: u32, hrv_ms: u32) {
        let d = day.to_string();
        self.with(|s| {
            s.summaries.insert(d.clone(), json!({"userProfileId": 1, "calendarDate": d,
                "totalKilocalories": 2400, "activeKilocalories": 500, "bmrKilocalories": 1900,
                "totalSteps": steps, "totalDistanceMeters": steps as f64 * 0.78,
                "minHeartRate": resting_hr - 4, "maxHeartRate": 150, "restingHeartRate": resting_hr,
                "lastSevenDaysAvgRestingHeartRate": resting_hr, "averageStressLevel": 31,
                "maxStressLevel": 88, "stressQualifier": "BALANCED",
                "bodyBatteryHighestValue": 84, "bodyBatteryLowestValue": 22,
                "bodyBatteryMostRecentValue": 40, "bodyBatteryAtWakeTime": 80,
                "moderateIntensityMinutes": 20, "vigorousIntensityMinutes": 10,
                "sleepingSeconds": sleep_s, "floorsAscended": 7, "privacyProtected": false}));
            let dto = if sleep_s == 0 {
                json!({"id": null, "userProfilePK": 1, "calendarDate": d, "sleepTimeSeconds": null})
            } else {
                let prev = day.pred_opt().unwrap();
                json!({"id": epoch_ms(prev, 22, 30), "userProfilePK": 1, "calendarDate": d,
                    "sleepTimeSeconds": sleep_s, "napTimeSeconds": 0,
                    "deepSleepSeconds": sleep_s / 5, "lightSleepSeconds": sleep_s / 2,
                    "remSleepSeconds": sleep_s / 5, "awakeSleepSeconds": sleep_s / 10,
                    "unmeasurableSleepSeconds": 0,
                    "sleepStartTimestampGMT": epoch_ms(prev, 22, 30),
                    "sleepEndTimestampGMT": epoch_ms(prev, 22, 30) + i64::from(sleep_s) * 1000,
                    "averageSpO2Value": 95, "avgSleepStress": 14, "awakeCount": 1,
                    "sleepScores": {"overall": {"value": 78, "qualifierKey": "FAIR"}}})
            };
            s.sleep.insert(d.clone(), json!({"dailySleepDTO": dto, "sleepMovement": [], "sleepLevels": []}));
            if hrv_ms > 0 {
                s.hrv.insert(d.clone(), json!({"calendarDate": d, "weeklyAvg": hrv_ms,
                    "lastNightAvg": hrv_ms, "lastNight5MinHigh": hrv_ms + 20,
                    "baseline": {"lowUpper": 40, "balancedLow": 45, "balancedUpper": 60, "markerValue": 0.5},
                    "status": "BALANCED", "feedbackPhrase": "HRV_BALANCED_7",
                    "createTimeStamp": format!("{d}T06:00:00.0")}));
            }
        });
    }

    /// Adds a weigh-in (kilograms; Garmin stores grams).
    pub fn add_weight(&self, at: DateTime<Utc>, kg: f64, body_fat: Option<f64>) {
        self.with(|s| {
            s.weights.push(
                json!({"samplePk": at.timestamp_millis(), "date": at.timestamp_millis(),
                "timestampGMT": at.timestamp_millis(), "calendarDate": at.date_naive().to_string(),
                "weight": kg * 1000.0, "bmi": 22.9, "bodyFat": body_fat, "bodyWater": 55.1,
                "boneMass": 3400.0, "muscleMass": 36500.0, "visceralFat": null,
                "metabolicAge": null, "physiqueRating": null, "sourceType": "INDEX_SCALE",
                "weightDelta": null}),
            );
        });
    }

    /// A year (or `days`) of synthetic data from `first`: every day's wellness (a night without
    /// sleep every 30th day, no HRV every 20th), a weigh-in every 3rd day, and `activities`
    /// activities spread over the days, every other one a ride with power and its details.
    pub fn fill(&self, first: NaiveDate, days: u32, activities: u32) {
        for i in 0..days {
            let day = first + TimeDelta::days(i64::from(i));
            let sleep = if i % 30 == 29 {
                0
            } else {
                25_000 + (i * 97) % 5000
            };
            let hrv = if i % 20 == 19 { 0 } else { 45 + i % 15 };
            self.add_day(day, 6000 + (i * 131) % 9000, 48 + i % 6, sleep, hrv);
            if i % 3 == 0 {
                let at = day.and_hms_opt(6, 30, 0).unwrap().and_utc();
                self.add_weight(at, 72.0 + f64::from(i % 10) / 10.0, Some(18.5));
            }
        }
        for k in 0..activities {
            let day = first + TimeDelta::days(i64::from(k * days / activities.max(1)));
            let start = day.and_hms_opt(17, (k % 50) + 5, 0).unwrap().and_utc();
            let ride = k % 2 == 0;
            let id = 20_000_000_000 + i64::from(k);
            let item = activity(id, start, ride, 3600.0);
            self.add_activity(item, Some(details(start, 3600, ride, 60)));
        }
    }
}

/// A list item as Garmin writes it; power fields only on rides.
pub fn activity(id: i64, start: DateTime<Utc>, ride: bool, seconds: f64) -> Value {
    let local = start + TimeDelta::hours(1);
    let mut v = json!({"activityId": id, "activityName": if ride { "Evening Ride" } else { "Easy Run" },
        "startTimeLocal": local.format("%Y-%m-%d %H:%M:%S").to_string(),
        "startTimeGMT": start.format("%Y-%m-%d %H:%M:%S").to_string(),
        "activityType": {"typeId": if ride { 2 } else { 1 },
            "typeKey": if ride { "cycling" } else { "running" }, "parentTypeId": 17,
            "isHidden": false, "restricted": false, "trimmable": true},
        "eventType": {"typeId": 9, "typeKey": "uncategorized"},
        "distance": if ride { 30512.4 } else { 10012.0 }, "duration": seconds,
        "elapsedDuration": seconds + 30.0, "movingDuration": seconds - 60.0,
        "elevationGain": 310.0, "elevationLoss": 305.0, "averageSpeed": 8.2, "maxSpeed": 14.1,
        "calories": 812.0, "averageHR": 141.0, "maxHR": 172.0,
        "beginTimestamp": start.timestamp_millis(), "timeZoneId": 124, "ownerId": 1,
        "lapCount": 4, "hasSplits": true});
    if ride {
        v["avgPower"] = json!(188.0);
        v["maxPower"] = json!(612.0);
        v["normPower"] = json!(205.0);
        v["trainingStressScore"] = json!(71.3);
        v["intensityFactor"] = json!(0.79);
    }
    v
}

/// Details with `samples` positional samples over `seconds`.
pub fn details(start: DateTime<Utc>, seconds: u32, ride: bool, samples: u32) -> Value {
    let mut keys = vec![
        "directTimestamp",
        "sumDuration",
        "directHeartRate",
        "directSpeed",
        "directElevation",
        "directLatitude",
        "directLongitude",
    ];
    if ride {
        keys.push("directPower");
        keys.push("directBikeCadence");
    } else {
        keys.push("directRunCadence");
    }
    let descriptors: Vec<Value> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| json!({"metricsIndex": i, "key": k, "unit": {"id": i, "key": "", "factor": 1.0}}))
        .collect();
    let rows: Vec<Value> = (0..samples)
        .map(|n| {
            let t = f64::from(n * seconds / samples.max(1));
            let mut m = vec![
                json!(start.timestamp_millis() as f64 + t * 1000.0),
                json!(t),
                json!(130.0 + f64::from(n % 20)),
                json!(8.0 + f64::from(n % 5) / 10.0),
                json!(120.0 + f64::from(n % 7)),
                json!(47.1 + f64::from(n) * 1e-4),
                json!(8.5 + f64::from(n) * 1e-4),
            ];
            if ride {
                m.push(json!(200.0 + f64::from(n % 30)));
                m.push(json!(88.0));
            } else {
                m.push(json!(170.0));
            }
            json!({"metrics": m})
        })
        .collect();
    json!({"activityId": 1, "measurementCount": keys.len(), "metricsCount": samples,
        "metricDescriptors": descriptors, "activityDetailMetrics": rows})
}

/// Checks the bearer token; `Some(response)` when refused.
fn check(s: &mut Inner, headers: &HeaderMap) -> Option<Response> {
    s.counts.data_calls += 1;
    if let Some(r) = s.injected.pop_front() {
        return Some(r.into_response());
    }
    let ok = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.strip_prefix("Bearer ") == Some(s.access.as_str()) && !s.access.is_empty()
        });
    if !ok || s.reject_fresh {
        if ok {
            s.reject_fresh = false;
        }
        s.counts.unauthorized += 1;
        return Some(unauthorized());
    }
    None
}

fn day_param(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn range_refusal(from: NaiveDate, to: NaiveDate) -> Option<Response> {
    ((to - from).num_days() >= 28 || to < from).then(|| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"message": "Date range cannot exceed 28 days"})),
        )
            .into_response()
    })
}

async fn token(
    State(f): State<Arc<FakeGarmin>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let client = f.with(|s| s.client_id.clone());
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    if basic.as_deref() != Some(&format!("{client}:"))
        || field("client_id").as_deref() != Some(&client)
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let granted = match field("grant_type").as_deref() {
        Some("refresh_token") => {
            f.with(|s| field("refresh_token").as_deref() == Some(s.refresh.as_str()))
        }
        Some(g) if g.ends_with("/grant/service_ticket") => {
            let t = field("service_ticket").unwrap_or_default();
            f.with(|s| s.tickets.contains(&t))
        }
        _ => false,
    };
    if !granted {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    let access = f.issue();
    let (refresh, expires_in) = f.with(|s| {
        s.counts.refreshes += 1;
        s.refresh = format!("di-refresh-{}", s.generation);
        (s.refresh.clone(), s.expires_in)
    });
    Json(
        json!({"access_token": access, "token_type": "bearer", "refresh_token": refresh,
        "expires_in": expires_in, "scope": "CONNECT_READ", "jti": "x",
        "refresh_token_expires_in": 2_591_999}),
    )
    .into_response()
}

fn cloudflare() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("content-type", "text/html")],
        "<!DOCTYPE html><html><head><title>Access denied | sso.garmin.com used Cloudflare to restrict access</title></head><body>Error 1015</body></html>",
    )
        .into_response()
}

async fn login(State(f): State<Arc<FakeGarmin>>, Json(body): Json<Value>) -> Response {
    let (account, injected) = f.with(|s| {
        s.counts.logins += 1;
        (s.account.clone(), s.login_injected.pop_front())
    });
    if let Some(r) = injected {
        return r.into_response();
    }
    let Some(a) = account else {
        return Json(json!({"responseStatus": {"type": "INVALID_USERNAME_PASSWORD"}}))
            .into_response();
    };
    if a.cloudflare {
        return cloudflare();
    }
    if body["username"] != a.email.as_str() || body["password"] != a.password.as_str() {
        return Json(json!({"responseStatus": {"type": "INVALID_USERNAME_PASSWORD", "message": "", "httpStatus": "UNAUTHORIZED"}})).into_response();
    }
    if a.captcha {
        return Json(json!({"responseStatus": {"type": "CAPTCHA_REQUIRED"}})).into_response();
    }
    if a.mfa.is_some() {
        return Json(json!({"responseStatus": {"type": "MFA_REQUIRED"},
            "customerMfaInfo": {"mfaLastMethodUsed": "email"}}))
        .into_response();
    }
    Json(ticket(&f)).into_response()
}

fn ticket(f: &FakeGarmin) -> Value {
    f.with(|s| {
        let t = format!("ST-{}-cas", s.tickets.len() + 1);
        s.tickets.push(t.clone());
        json!({"responseStatus": {"type": "SUCCESSFUL"}, "serviceTicketId": t})
    })
}

async fn mfa(State(f): State<Arc<FakeGarmin>>, Json(body): Json<Value>) -> Response {
    let code = f.with(|s| s.account.as_ref().and_then(|a| a.mfa.clone()));
    if code.is_some() && body["mfaVerificationCode"] == code.unwrap_or_default().as_str() {
        Json(ticket(&f)).into_response()
    } else {
        Json(json!({"responseStatus": {"type": "MFA_REQUIRED", "message": "invalid code"}}))
            .into_response()
    }
}

async fn profile(State(f): State<Arc<FakeGarmin>>, headers: HeaderMap) -> Response {
    let mut s = f.state.lock().unwrap();
    if let Some(r) = check(&mut s, &headers) {
        return r;
    }
    Json(json!({"displayName": s.display_name, "userName": "runner@example.com", "id": 1}))
        .into_response()
}

async fn list(
    State(f): State<Arc<FakeGarmin>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let mut s = f.state.lock().unwrap();
    if let Some(r) = check(&mut s, &headers) {
        return r;
    }
    let start: usize = q.get("start").and_then(|v| v.parse().ok()).unwrap_or(0);
    let limit: usize = q
        .get("limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .min(1000);
    let from = q.get("startDate").and_then(|d| day_param(d));
    let to = q.get("endDate").and_then(|d| day_param(d));
    let mut items: Vec<&Value> = s
        .activities
        .iter()
        .filter(|a| {
            let day = a["startTimeLocal"]
                .as_str()
                .and_then(|t| day_param(&t[..10]));
            from.is_none_or(|f| day.is_some_and(|d| d >= f))
                && to.is_none_or(|t| day.is_some_and(|d| d <= t))
        })
        .collect();
    // Newest first, as Garmin lists them.
    items.sort_by(|a, b| {
        b["beginTimestamp"]
            .as_i64()
            .cmp(&a["beginTimestamp"].as_i64())
    });
    let page: Vec<Value> = items.into_iter().skip(start).take(limit).cloned().collect();
    Json(Value::Array(page)).into_response()
}

async fn detail_route(
    State(f): State<Arc<FakeGarmin>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let mut s = f.state.lock().unwrap();
    if let Some(r) = check(&mut s, &headers) {
        return r;
    }
    s.counts.details += 1;
    match s.details.get(&id) {
        Some(d) => Json(d.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn summary(
    State(f): State<Arc<FakeGarmin>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let mut s = f.state.lock().unwrap();
    if let Some(r) = check(&mut s, &headers) {
        return r;
    }
    if name != s.display_name {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"message": "not your data"})),
        )
            .into_response();
    }
    let day = q.get("calendarDate").cloned().unwrap_or_default();
    match s.summaries.get(&day) {
        Some(v) => Json(v.clone()).into_response(),
        None => Json(
            json!({"userProfileId": 1, "calendarDate": day, "totalSteps": null,
            "privacyProtected": false}),
        )
        .into_response(),
    }
}

async fn sleep(
    State(f): State<Arc<FakeGarmin>>,
    headers: HeaderMap,
    Path(_name): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let mut s = f.state.lock().unwrap();
    if let Some(r) = check(&mut s, &headers) {
        return r;
    }
    let day = q.get("date").cloned().unwrap_or_default();
    match s.sleep.get(&day) {
        Some(v) => Json(v.clone()).into_response(),
        None => Json(json!({"dailySleepDTO": {"id": null, "calendarDate": day}})).into_response(),
    }
}

async fn hrv(
    State(f): State<Arc<FakeGarmin>>,
    headers: HeaderMap,
    Path((start, end)): Path<(String, String)>,
) -> Response {
    let mut s = f.state.lock().unwrap();
    if let Some(r) = check(&mut s, &headers) {
        return r;
    }
    let (Some(from), Some(to)) = (day_param(&start), day_param(&end)) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if let Some(r) = range_refusal(from, to) {
        return r;
    }
    let list: Vec<Value> = s
        .hrv
        .range(start.clone()..=end.clone())
        .map(|(_, v)| v.clone())
        .collect();
    if list.is_empty() {
        return StatusCode::NO_CONTENT.into_response();
    }
    Json(json!({"hrvSummaries": list, "userProfilePk": 1})).into_response()
}

async fn weights(
    State(f): State<Arc<FakeGarmin>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let mut s = f.state.lock().unwrap();
    if let Some(r) = check(&mut s, &headers) {
        return r;
    }
    let (Some(from), Some(to)) = (
        q.get("startDate").and_then(|d| day_param(d)),
        q.get("endDate").and_then(|d| day_param(d)),
    ) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if let Some(r) = range_refusal(from, to) {
        return r;
    }
    let list: Vec<Value> = s
        .weights
        .iter()
        .filter(|w| {
            w["calendarDate"]
                .as_str()
                .and_then(day_param)
                .is_some_and(|d| d >= from && d <= to)
        })
        .cloned()
        .collect();
    if list.is_empty() {
        return StatusCode::NO_CONTENT.into_response();
    }
    Json(json!({"dateWeightList": list, "totalAverage": {"weight": null}})).into_response()
}
