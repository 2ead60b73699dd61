//! Google Calendar as a [`Source`] (`provider-apis.md` §0 and §1): one source per calendar of
//! the person's calendar list, each with its own sync token. A first (or 410-forced) sync lists
//! everything with `singleEvents=false`, so recurring events arrive as a rule plus their changed
//! occurrences; an incremental sync repeats the same parameters with the `syncToken` and nothing
//! else. Cancelled items are deletions, except a cancelled occurrence of a live series, which
//! removes that one occurrence. All-day events keep their dates; timed events their zone.
//!
//! Access tokens come from a [`TokenSource`]: refreshed ahead of expiry, and once on a 401.
//! Google's 403 `rateLimitExceeded`/`userRateLimitExceeded` are treated like 429s.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use pa_core::calendar::recurrence::Recurrence;
use pa_core::calendar::{Event, EventStatus, EventTime, Override};
use pa_core::ids::{EventId, ExternalRef};
use pa_core::ports::source::{Cursor, Fetched, Incoming, Next, Page, PageToken, Removal, Scope};
use pa_core::ports::{PortError, RecordKind, Source, StoredEvent};
use pa_core::time::{Day, ZonedInstant};
use serde_json::Value;

use crate::http::oauth::TokenSource;
use crate::http::{Answer, Call, RetryPolicy, Transport};

/// The production API root.
pub const DEFAULT_URL: &str = "https://www.googleapis.com/calendar/v3";

/// The slug of every Google Calendar reference (`google_calendar` / `{calendar}/{event}`).
pub const SOURCE: &str = "google_calendar";

/// A calendar of the person's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarInfo {
    /// Google's id (`primary` calendars have the account's address).
    pub id: String,
    /// Its name, as events' `calendar`.
    pub summary: String,
    /// Its zone.
    pub zone: Tz,
}

/// The API, through a shared transport and a person's tokens.
pub struct GoogleCalendar {
    transport: Arc<Transport>,
    tokens: Arc<TokenSource>,
    url: String,
    page_size: u32,
}

impl std::fmt::Debug for GoogleCalendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleCalendar")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Whether an answer says "slow down": 429, or a 403 whose reason is a rate limit.
fn rate_limited(a: &Answer) -> bool {
    a.status == 429
        || (a.status == 403
            && serde_json::from_slice::<Value>(&a.body).is_ok_and(|v| {
                v["error"]["errors"].as_array().is_some_and(|errs| {
                    errs.iter().any(|e| {
                        matches!(
                            e["reason"].as_str(),
                            Some("rateLimitExceeded" | "userRateLimitExceeded" | "quotaExceeded")
                        )
                    })
                })
            }))
}

/// Google's error answer: the first reason and the message.
fn reason(a: &Answer) -> (String, String) {
    let v: Value = serde_json::from_slice(&a.body).unwrap_or(Value::Null);
    let reason = v["error"]["errors"][0]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let message: String = v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    (reason, message)
}

fn refusal(a: &Answer) -> PortError {
    let (reason, message) = reason(a);
    let said = format!("{reason}: {message}");
    match a.status {
        401 | 403 => PortError::Auth {
            reason: format!("Google refused the request ({said})"),
        },
        404 => PortError::NotFound {
            what: format!("Google Calendar: {said}"),
        },
        400 => PortError::InvalidInput {
            reason: format!("Google Calendar: {said}"),
        },
        status => PortError::Provider {
            status: Some(status),
            reason: said,
        },
    }
}

impl GoogleCalendar {
    /// The API at `url` (`None`: Google's), with `tokens`.
    pub fn new(transport: Arc<Transport>, tokens: Arc<TokenSource>, url: Option<String>) -> Self {
        Self {
            transport,
            tokens,
            url: url.unwrap_or_else(|| DEFAULT_URL.to_owned()),
            page_size: 250,
        }
    }

    /// With pages of `n` events (1–2500).
    pub fn with_page_size(mut self, n: u32) -> Self {
        self.page_size = n.clamp(1, 2500);
        self
    }

    /// GETs `path` with `query`: a 401 refreshes the token once and tries again; other refusals
    /// are typed errors, except 410, which is returned for the caller to read.
    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Answer, PortError> {
        let url = format!("{}{path}", self.url.trim_end_matches('/'));
        let call = Call {
            retry: RetryPolicy::default(),
            rate_limited,
            ..Call::new("google_calendar")
        };
        let mut token = self.tokens.access_token().await?;
        for refreshed in [false, true] {
            let answer = self
                .transport
                .send(call, |c| {
                    c.get(&url).query(query).bearer_auth(token.expose())
                })
                .await?;
            match answer.status {
                200..=299 | 410 => return Ok(answer),
                401 if !refreshed => token = self.tokens.refresh().await?,
                _ => return Err(refusal(&answer)),
            }
        }
        Err(PortError::Auth {
            reason: "Google refused a freshly refreshed token".into(),
        })
    }

    /// The person's calendars (hidden and deleted ones left out).
    pub async fn calendars(&self) -> Result<Vec<CalendarInfo>, PortError> {
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut q = vec![("maxResults", "250".to_owned())];
            if let Some(p) = &page {
                q.push(("pageToken", p.clone()));
            }
            let v: Value = self.get("/users/me/calendarList", &q).await?.json()?;
            for c in v["items"].as_array().into_iter().flatten() {
                if c["deleted"] == true || c["hidden"] == true {
                    continue;
                }
                let Some(id) = c["id"].as_str() else { continue };
                let zone = c["timeZone"]
                    .as_str()
                    .and_then(|z| z.parse().ok())
                    .unwrap_or(Tz::UTC);
                let summary = c["summaryOverride"]
                    .as_str()
                    .or(c["summary"].as_str())
                    .unwrap_or(id);
                out.push(CalendarInfo {
                    id: id.to_owned(),
                    summary: summary.to_owned(),
                    zone,
                });
            }
            match v["nextPageToken"].as_str() {
                Some(p) => page = Some(p.to_owned()),
                None => return Ok(out),
            }
        }
    }
}

/// One calendar's events as a [`Source`].
#[derive(Debug)]
pub struct CalendarSource {
    api: Arc<GoogleCalendar>,
    calendar: CalendarInfo,
    name: String,
}

impl CalendarSource {
    /// The source of `calendar`'s events.
    pub fn new(api: Arc<GoogleCalendar>, calendar: CalendarInfo) -> Self {
        let name = format!("{SOURCE}:{}", calendar.id);
        Self {
            api,
            calendar,
            name,
        }
    }

    fn reference(&self, id: &str) -> Result<ExternalRef, PortError> {
        ExternalRef::new(SOURCE, format!("{}/{id}", self.calendar.id)).map_err(|e| {
            PortError::Provider {
                status: None,
                reason: format!("an event id Google sent is unusable: {e}"),
            }
        })
    }
}

fn bad(what: &str) -> PortError {
    PortError::Provider {
        status: None,
        reason: format!("an event Google sent is unreadable: {what}"),
    }
}

/// An `EventDateTime`: a date (all day), or a date-time with its zone.
enum When {
    Date(Day),
    Time(ZonedInstant),
}

fn when(v: &Value, fallback: Tz) -> Result<When, PortError> {
    if let Some(d) = v["date"].as_str() {
        return d.parse::<Day>().map(When::Date).map_err(|_| bad("a date"));
    }
    let t = v["dateTime"]
        .as_str()
        .ok_or_else(|| bad("a time without date or dateTime"))?;
    let utc = DateTime::parse_from_rfc3339(t)
        .map_err(|_| bad("a dateTime"))?
        .with_timezone(&Utc);
    let zone = v["timeZone"]
        .as_str()
        .and_then(|z| z.parse().ok())
        .unwrap_or(fallback);
    Ok(When::Time(ZonedInstant::new(utc, zone)))
}

fn event_time(item: &Value, fallback: Tz) -> Result<EventTime, PortError> {
    match (
        when(&item["start"], fallback)?,
        when(&item["end"], fallback)?,
    ) {
        (When::Date(start), When::Date(end)) => Ok(EventTime::AllDay {
            start,
            end: if end > start {
                end
            } else {
                start.succ().map_err(|_| bad("a date"))?
            },
        }),
        (When::Time(start), When::Time(end)) => Ok(EventTime::Timed {
            start,
            end: if end.utc > start.utc { end } else { start },
        }),
        _ => Err(bad("a start and end of different kinds")),
    }
}

fn status(item: &Value) -> EventStatus {
    match item["status"].as_str() {
        Some("tentative") => EventStatus::Tentative,
        Some("cancelled") => EventStatus::Cancelled,
        _ => EventStatus::Confirmed,
    }
}

/// An RDATE/EXDATE line's values as wall-clock times in `zone`.
fn dates(line: &str, zone: Tz) -> Result<Vec<NaiveDateTime>, PortError> {
    let (params, values) = line
        .split_once(':')
        .ok_or_else(|| bad("a recurrence line"))?;
    let tz: Tz = params
        .split(';')
        .find_map(|p| p.strip_prefix("TZID="))
        .and_then(|z| z.parse().ok())
        .unwrap_or(zone);
    values
        .split(',')
        .map(|v| {
            if let Some(utc) = v.strip_suffix('Z') {
                let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad(v))?;
                Ok(t.and_utc().with_timezone(&zone).naive_local())
            } else if v.len() == 8 {
                Ok(NaiveDate::parse_from_str(v, "%Y%m%d")
                    .map_err(|_| bad(v))?
                    .and_hms_opt(0, 0, 0)
                    .unwrap_or_default())
            } else {
                let t = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").map_err(|_| bad(v))?;
                let at = pa_core::calendar::recurrence::resolve_local(t, tz).map_err(|_| bad(v))?;
                Ok(at.with_timezone(&zone).naive_local())
            }
        })
        .collect()
}

fn recurrence(item: &Value, zone: Tz) -> Result<Option<Recurrence>, PortError> {
    let Some(lines) = item["recurrence"].as_array() else {
        return Ok(None);
    };
    let mut r = Recurrence::default();
    for line in lines.iter().filter_map(Value::as_str) {
        let upper = line.to_ascii_uppercase();
        if let Some(rule) = line.strip_prefix("RRULE:") {
            r.rrules.push(rule.to_owned());
        } else if upper.starts_with("EXDATE") {
            r.exdates.extend(dates(line, zone)?);
        } else if upper.starts_with("RDATE") {
            r.rdates.extend(dates(line, zone)?);
        }
    }
    if r.rrules.is_empty() && r.rdates.is_empty() {
        return Ok(None);
    }
    r.validate()
        .map_err(|e| bad(&format!("its recurrence ({e})")))?;
    Ok(Some(r))
}

/// pa's id of a Google event: stable, from its reference.
fn event_id(ext: &ExternalRef) -> Result<EventId, PortError> {
    let h = pa_core::ports::upsert::ContentHash::of_json(&ext.to_string()).0;
    EventId::new(format!("gcal-{h:016x}")).map_err(|_| bad("an id"))
}

/// What one listed item means.
#[allow(clippy::large_enum_variant)] // one item at a time, moved straight into its page
enum Item {
    Upsert(Incoming),
    Remove(Removal),
}

impl CalendarSource {
    fn item(&self, item: &Value) -> Result<Item, PortError> {
        let id = item["id"]
            .as_str()
            .ok_or_else(|| bad("an item without an id"))?;
        let ext = self.reference(id)?;
        let zone = self.calendar.zone;
        if let Some(series) = item["recurringEventId"].as_str() {
            // An occurrence of a series, changed or cancelled: a change to that series.
            let original = when(&item["originalStartTime"], zone)?;
            let recurrence_id = match original {
                When::Date(d) => d.naive().and_hms_opt(0, 0, 0).unwrap_or_default(),
                When::Time(t) => t.utc.with_timezone(&t.zone).naive_local(),
            };
            let cancelled = status(item) == EventStatus::Cancelled;
            let change = Override {
                recurrence_id,
                time: if cancelled {
                    None
                } else {
                    Some(event_time(item, zone)?)
                },
                title: item["summary"].as_str().map(str::to_owned),
                status: Some(status(item)),
                this_and_future: false,
            };
            return Ok(Item::Upsert(Incoming::Occurrence {
                series: self.reference(series)?,
                instance: ext,
                change,
            }));
        }
        if status(item) == EventStatus::Cancelled {
            return Ok(Item::Remove(Removal {
                kind: RecordKind::Event,
                external: ext,
            }));
        }
        let time = event_time(item, zone)?;
        let event_zone = match time {
            EventTime::Timed { start, .. } => start.zone,
            EventTime::AllDay { .. } => zone,
        };
        let record = Event {
            calendar: self.calendar.summary.clone(),
            title: item["summary"].as_str().unwrap_or("(no title)").to_owned(),
            description: item["description"].as_str().map(str::to_owned),
            location: item["location"].as_str().map(str::to_owned),
            time,
            status: status(item),
            etag: item["etag"].as_str().map(str::to_owned),
            recurrence: recurrence(item, event_zone)?,
            overrides: Vec::new(),
            external: Some(ext.clone()),
            kind: item["eventType"]
                .as_str()
                .filter(|t| *t != "default")
                .map(str::to_owned),
        };
        Ok(Item::Upsert(Incoming::Record(
            StoredEvent {
                id: event_id(&ext)?,
                record,
            }
            .into(),
        )))
    }
}

#[async_trait]
impl Source for CalendarSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn owns(&self, external: &ExternalRef) -> bool {
        external.source() == SOURCE
            && external
                .external_id()
                .strip_prefix(self.calendar.id.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    }

    fn kinds(&self) -> &[RecordKind] {
        &[RecordKind::Event]
    }

    async fn fetch(
        &self,
        since: Option<&Cursor>,
        page: Option<&PageToken>,
    ) -> Result<Fetched, PortError> {
        // The same parameters on every call of a full and its incremental syncs (§0).
        let mut q = vec![
            ("singleEvents", "false".to_owned()),
            ("maxResults", self.api.page_size.to_string()),
        ];
        if let Some(c) = since {
            q.push(("syncToken", c.0.clone()));
        }
        if let Some(p) = page {
            q.push(("pageToken", p.0.clone()));
        }
        let path = format!("/calendars/{}/events", encode(&self.calendar.id));
        let answer = self.api.get(&path, &q).await?;
        if answer.status == 410 {
            let (reason, message) = reason(&answer);
            return Ok(Fetched::ResyncRequired {
                reason: format!("{reason}: {message}"),
            });
        }
        let v: Value = answer.json()?;
        let mut out = Page {
            upserts: Vec::new(),
            removals: Vec::new(),
            next: match (v["nextPageToken"].as_str(), v["nextSyncToken"].as_str()) {
                (Some(p), _) => Next::Page(PageToken(p.to_owned())),
                (None, Some(t)) => Next::Done(Cursor(t.to_owned())),
                (None, None) => return Err(bad("a page with neither a page nor a sync token")),
            },
            full: since.is_none().then_some(Scope {
                from: None,
                to: None,
            }),
        };
        for item in v["items"].as_array().into_iter().flatten() {
            match self.item(item)? {
                Item::Upsert(u) => out.upserts.push(u),
                Item::Remove(r) => out.removals.push(r),
            }
        }
        Ok(Fetched::Page(out))
    }
}

/// Percent-encodes a path segment (calendar ids are e-mail addresses).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~@".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
