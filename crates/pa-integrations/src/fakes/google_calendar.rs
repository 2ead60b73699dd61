//! A fake Google Calendar API v3 and its token endpoint (`provider-apis.md` §0 and §1.9):
//! bearer tokens that a refresh rotates (and can refuse with `invalid_grant`), the calendar
//! list, and events listed in pages with opaque page tokens and a sync token only on the last
//! page. A sync token returns every change since it was issued, deletions as `cancelled` items
//! that carry only their ids; an invalidated token is a 410 `fullSyncRequired`; `syncToken`
//! with a window, `orderBy` or `q` is a 400; a full listing with `singleEvents=false` returns
//! cancelled exceptions of live series too (§0). A listing is a snapshot of the change counter
//! at its first page: what changes while its pages are fetched comes again after its token.
//! Injected answers are served first.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::{Reply, Running, serve};

#[derive(Debug, Clone)]
struct Ev {
    resource: Value,
    seq: u64,
}

#[derive(Debug, Clone)]
struct Cal {
    id: String,
    summary: String,
    zone: String,
    events: Vec<Ev>,
}

/// What the fake was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Event list requests.
    pub event_lists: usize,
    /// Token refreshes granted.
    pub refreshes: usize,
    /// Answers of 401.
    pub unauthorized: usize,
    /// Answers of 410.
    pub gone: usize,
}

#[derive(Debug, Default)]
struct Inner {
    calendars: Vec<Cal>,
    seq: u64,
    access: String,
    generation: u32,
    refresh: String,
    revoked: bool,
    valid_from: u64,
    injected: VecDeque<Reply>,
    counts: Counts,
    /// Changes made once this many event lists were answered: (lists, calendar, event).
    later: Vec<(usize, String, Value)>,
    /// Consents given in the browser: code → (PKCE challenge, redirect URI).
    codes: Vec<(String, String, String)>,
}

/// The fake service.
#[derive(Debug)]
pub struct FakeGoogleCalendar {
    state: Mutex<Inner>,
}

fn google_error(status: StatusCode, reason: &str, message: &str) -> Response {
    (
        status,
        Json(
            json!({"error": {"code": status.as_u16(), "message": message,
            "errors": [{"domain": "calendar", "reason": reason, "message": message}]}}),
        ),
    )
        .into_response()
}

impl FakeGoogleCalendar {
    /// A service whose refresh token is `refresh`; the first access token is `ya29.0`.
    pub fn new(refresh: &str) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(Inner {
                access: "ya29.0".into(),
                refresh: refresh.into(),
                ..Inner::default()
            }),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// Serves it: the API at `{url}/calendar/v3`, the token endpoint at `{url}/token`.
    pub async fn start(self: &Arc<Self>) -> Running {
        let router = axum::Router::new()
            .route("/token", post(token))
            .route("/calendar/v3/users/me/calendarList", get(calendar_list))
            .route("/calendar/v3/calendars/{calendar}/events", get(events))
            .with_state(self.clone());
        serve(router).await
    }

    /// Adds a calendar.
    pub fn add_calendar(&self, id: &str, summary: &str, zone: &str) {
        self.with(|s| {
            s.calendars.push(Cal {
                id: id.into(),
                summary: summary.into(),
                zone: zone.into(),
                events: Vec::new(),
            });
        });
    }

    /// Creates or replaces an event (by `id`), as a change.
    pub fn put(&self, calendar: &str, mut resource: Value) {
        self.with(|s| {
            s.seq += 1;
            let seq = s.seq;
            resource["etag"] = json!(format!("\"{seq}\""));
            resource["updated"] = json!("2026-12-05T10:00:00.000Z");
            resource["kind"] = json!("calendar#event");
            if resource.get("status").is_none() {
                resource["status"] = json!("confirmed");
            }
            // An event keeps its place in the listing order, so pages never shift under a
            // listing that is being read.
            let cal = s.calendars.iter_mut().find(|c| c.id == calendar).unwrap();
            match cal
                .events
                .iter_mut()
                .find(|e| e.resource["id"] == resource["id"])
            {
                Some(e) => *e = Ev { resource, seq },
                None => cal.events.push(Ev { resource, seq }),
            }
        });
    }

    /// Cancels an event (deleted in the app), as a change.
    pub fn cancel(&self, calendar: &str, id: &str) {
        let resource = self.with(|s| {
            let cal = s.calendars.iter().find(|c| c.id == calendar).unwrap();
            cal.events
                .iter()
                .find(|e| e.resource["id"] == id)
                .map(|e| e.resource.clone())
        });
        if let Some(mut r) = resource {
            r["status"] = json!("cancelled");
            self.put(calendar, r);
        }
    }

    /// Changes `resource` once `lists` event lists have been answered: data that changes
    /// between the pages of a listing.
    pub fn put_after(&self, lists: usize, calendar: &str, resource: Value) {
        self.with(|s| s.later.push((lists, calendar.to_owned(), resource)));
    }

    /// Drops an event without a trace (its history expired): only a full listing can tell.
    pub fn forget(&self, calendar: &str, id: &str) {
        self.with(|s| {
            if let Some(c) = s.calendars.iter_mut().find(|c| c.id == calendar) {
                c.events.retain(|e| e.resource["id"] != id);
            }
        });
    }

    /// A consent given on the consent page: `code` will be exchanged for tokens when it comes
    /// with the verifier of `challenge` and the same `redirect`.
    pub fn authorize(&self, code: &str, challenge: &str, redirect: &str) {
        self.with(|s| {
            s.codes
                .push((code.into(), challenge.into(), redirect.into()))
        });
    }

    /// Makes every sync token issued so far answer 410.
    pub fn invalidate_sync_tokens(&self) {
        self.with(|s| s.valid_from = s.seq + 1);
    }

    /// Revokes the refresh token: refreshes answer `invalid_grant`.
    pub fn revoke(&self) {
        self.with(|s| s.revoked = true);
    }

    /// Expires the current access token (the next call is a 401).
    pub fn expire_access(&self) {
        self.with(|s| {
            s.generation += 1;
            s.access = format!("ya29.expired{}", s.generation);
        });
    }

    /// Serves `reply` to the next API or token request.
    pub fn inject(&self, reply: Reply) {
        self.with(|s| s.injected.push_back(reply));
    }

    /// What the fake was asked.
    pub fn counts(&self) -> Counts {
        self.with(|s| s.counts.clone())
    }
}

fn injected(s: &mut Inner) -> Option<Response> {
    s.injected.pop_front().map(IntoResponse::into_response)
}

async fn token(
    State(fake): State<Arc<FakeGoogleCalendar>>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let mut s = fake.state.lock().unwrap();
    if let Some(r) = injected(&mut s) {
        return r;
    }
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("grant_type") == Some("authorization_code") {
        let verifier = get("code_verifier").unwrap_or("");
        let found = s.codes.iter().position(|(code, challenge, redirect)| {
            Some(code.as_str()) == get("code")
                && Some(redirect.as_str()) == get("redirect_uri")
                && crate::http::consent::challenge(verifier) == *challenge
        });
        let Some(i) = found else {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "invalid_grant", "error_description": "Bad Request"})),
            )
                .into_response();
        };
        s.codes.remove(i);
        s.generation += 1;
        s.access = format!("ya29.{}", s.generation);
        return Json(json!({"access_token": s.access, "expires_in": 3599, "token_type": "Bearer",
            "refresh_token": s.refresh, "scope": "https://www.googleapis.com/auth/calendar.readonly"}))
        .into_response();
    }
    if get("grant_type") != Some("refresh_token") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    if s.revoked || get("refresh_token") != Some(s.refresh.as_str()) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})),
        )
            .into_response();
    }
    s.generation += 1;
    s.access = format!("ya29.{}", s.generation);
    s.counts.refreshes += 1;
    Json(
        json!({"access_token": s.access, "expires_in": 3599, "token_type": "Bearer",
        "scope": "https://www.googleapis.com/auth/calendar.readonly"}),
    )
    .into_response()
}

fn authorised(s: &mut Inner, headers: &HeaderMap) -> Option<Response> {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer == Some(s.access.as_str()) {
        return None;
    }
    s.counts.unauthorized += 1;
    let mut r = (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": {"code": 401, "message": "Request had invalid authentication credentials.",
            "errors": [{"domain": "global", "reason": "authError", "message": "Invalid Credentials",
            "locationType": "header", "location": "Authorization"}], "status": "UNAUTHENTICATED"}})),
    )
        .into_response();
    r.headers_mut().insert(
        "www-authenticate",
        axum::http::HeaderValue::from_static("Bearer realm=\"https://accounts.google.com/\""),
    );
    Some(r)
}

async fn calendar_list(
    State(fake): State<Arc<FakeGoogleCalendar>>,
    headers: HeaderMap,
) -> Response {
    let mut s = fake.state.lock().unwrap();
    if let Some(r) = injected(&mut s) {
        return r;
    }
    if let Some(r) = authorised(&mut s, &headers) {
        return r;
    }
    let items: Vec<Value> = s
        .calendars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut v = json!({"kind": "calendar#calendarListEntry", "id": c.id, "summary": c.summary,
                "timeZone": c.zone, "accessRole": "owner", "selected": true, "etag": "\"1\""});
            if i == 0 {
                v["primary"] = json!(true);
            }
            v
        })
        .collect();
    Json(json!({"kind": "calendar#calendarList", "etag": "\"l\"", "items": items, "nextSyncToken": "cl1"}))
        .into_response()
}

async fn events(
    State(fake): State<Arc<FakeGoogleCalendar>>,
    Path(calendar): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let due: Vec<(String, Value)> = fake.with(|s| {
        let answered = s.counts.event_lists;
        let (now, later): (Vec<_>, Vec<_>) =
            s.later.drain(..).partition(|(n, _, _)| answered >= *n);
        s.later = later;
        now.into_iter().map(|(_, c, r)| (c, r)).collect()
    });
    for (c, r) in due {
        fake.put(&c, r);
    }
    let mut s = fake.state.lock().unwrap();
    s.counts.event_lists += 1;
    if let Some(r) = injected(&mut s) {
        return r;
    }
    if let Some(r) = authorised(&mut s, &headers) {
        return r;
    }
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let single = get("singleEvents") == Some("true");
    if get("orderBy") == Some("startTime") && !single {
        return google_error(
            StatusCode::BAD_REQUEST,
            "invalid",
            "The requested ordering is not available for the particular query.",
        );
    }
    if single {
        return google_error(
            StatusCode::BAD_REQUEST,
            "invalid",
            "this fake does not expand recurring events (singleEvents=true)",
        );
    }
    let sync = get("syncToken");
    let restricted = [
        "timeMin",
        "timeMax",
        "orderBy",
        "q",
        "updatedMin",
        "iCalUID",
    ];
    if sync.is_some() && restricted.iter().any(|k| get(k).is_some()) {
        return google_error(
            StatusCode::BAD_REQUEST,
            "syncTokenWithRequestRestrictions",
            "Sync token cannot be used with other request restrictions.",
        );
    }
    let size = get("maxResults")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(250)
        .clamp(1, 2500);
    // The listing's snapshot and the change it starts after: from the page token, else now.
    let (offset, snapshot, since) = match get("pageToken") {
        Some(p) => {
            let parts: Vec<u64> = p
                .strip_prefix('p')
                .unwrap_or("")
                .split('.')
                .filter_map(|x| x.parse().ok())
                .collect();
            let [o, snap, since] = parts[..] else {
                return google_error(StatusCode::BAD_REQUEST, "invalid", "Invalid page token.");
            };
            (o as usize, snap, since)
        }
        None => (0, s.seq, u64::MAX),
    };
    let since = match (sync, since) {
        (Some(t), u64::MAX) => match t.strip_prefix('s').and_then(|x| x.parse::<u64>().ok()) {
            Some(n) if n >= s.valid_from => n,
            _ => {
                s.counts.gone += 1;
                return google_error(
                    StatusCode::GONE,
                    "fullSyncRequired",
                    "Sync token is no longer valid, a full sync is required.",
                );
            }
        },
        (Some(_), since) => since,
        (None, _) => u64::MAX,
    };
    let show_deleted = get("showDeleted") == Some("true");
    let Some(cal) = s.calendars.iter().find(|c| c.id == calendar) else {
        return google_error(StatusCode::NOT_FOUND, "notFound", "Not Found");
    };
    let wanted = |e: &Ev| {
        let cancelled = e.resource["status"] == "cancelled";
        if since != u64::MAX {
            e.seq > since
        } else {
            !cancelled || show_deleted || e.resource.get("recurringEventId").is_some()
        }
    };
    // Pages are runs of the calendar's events in their (stable) order from an index.
    let mut page = Vec::new();
    let mut next = offset;
    while next < cal.events.len() && page.len() < size {
        let e = &cal.events[next];
        next += 1;
        if !wanted(e) {
            continue;
        }
        page.push(if e.resource["status"] == "cancelled" {
            // Deleted entries carry only their ids (and an instance its series and slot).
            let mut v =
                json!({"kind": "calendar#event", "id": e.resource["id"], "status": "cancelled"});
            for k in ["recurringEventId", "originalStartTime"] {
                if let Some(x) = e.resource.get(k) {
                    v[k] = x.clone();
                }
            }
            v
        } else {
            e.resource.clone()
        });
    }
    let more = cal.events[next.min(cal.events.len())..].iter().any(wanted);
    let mut out = json!({"kind": "calendar#events", "etag": "\"e\"", "summary": cal.summary,
        "timeZone": cal.zone, "accessRole": "owner", "updated": "2026-12-05T10:00:00.000Z",
        "defaultReminders": [], "items": page});
    if more {
        out["nextPageToken"] = json!(format!("p{next}.{snapshot}.{since}"));
    } else {
        out["nextSyncToken"] = json!(format!("s{snapshot}"));
    }
    Json(out).into_response()
}
