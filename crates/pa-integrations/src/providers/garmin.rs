//! Garmin Connect, the unofficial API (`provider-apis.md` §0 and §3): activities with their
//! detail streams, the daily summary (steps, resting heart rate, stress, body battery, intensity
//! minutes), sleep, HRV and weigh-ins, read one date range at a time as a [`Source`].
//!
//! - **Units by value**: the API reports metres, seconds, bpm, watts and grams whatever the
//!   person's display units; pa converts grams to kilograms and nothing else.
//! - **Keys shared with files**: an activity's id is its start instant (as for FIT, GPX and TCX
//!   imports, and Garmin's data export), so a ride imported from its FIT file and seen again by
//!   the API is one activity; its reference is `garmin:{activityId}`. An activity the store
//!   already holds with streams (from its original file, the data export or an earlier sync) is
//!   not fetched again, so a FIT file's full record is never replaced by the API's downsampled
//!   copy.
//! - **Ranges**: Garmin's range endpoints take at most 28 days; a [`RangeSource`] reads one such
//!   range and the facade walks a backfill range by range, each written with its cursor (the
//!   last day done), so a stopped backfill resumes where it stopped.
//! - **Errors**: a 401 refreshes the token once and tries again ("Token is not active" can meet
//!   a fresh token); 204 or an empty body is "no data that day"; 429 and 5xx are retried a few
//!   times with backoff, then reported.

pub mod auth;

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use pa_core::fitness::load::Thresholds;
use pa_core::fitness::{Activity, BodyComposition, DailyHealth, LatLon, Sleep, Streams};
use pa_core::ids::{ActivityId, ExternalRef};
use pa_core::ports::record::Doc;
use pa_core::ports::source::{Cursor, Fetched, Incoming, Next, Page, PageToken};
use pa_core::ports::{PortError, RecordKind, Source};
use pa_core::time::{Day, ZonedInstant};
use serde_json::Value;

use self::auth::GarminAuth;
use crate::http::{Answer, Call, RetryPolicy, Transport};

/// The slug of every Garmin reference.
pub const SOURCE: &str = "garmin";
/// Garmin's data host.
pub const DEFAULT_URL: &str = "https://connectapi.garmin.com";
/// The longest range a range endpoint takes.
pub const MAX_RANGE_DAYS: i64 = 28;
/// Activities asked for per page of the list.
const LIST_PAGE: usize = 100;

/// The API through a shared transport and a person's token.
pub struct GarminConnect {
    transport: Arc<Transport>,
    auth: Arc<GarminAuth>,
    url: String,
}

impl std::fmt::Debug for GarminConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GarminConnect")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

fn malformed(what: &str) -> PortError {
    PortError::Provider {
        status: None,
        reason: format!("Garmin sent {what}"),
    }
}

fn refusal(a: &Answer) -> PortError {
    match a.status {
        401 | 403 => PortError::Auth {
            reason: format!(
                "re-link needed: Garmin refused the token ({})",
                a.www_authenticate
                    .as_deref()
                    .and_then(|w| w.split("error_description=\"").nth(1))
                    .and_then(|d| d.split('"').next())
                    .unwrap_or("unauthorized")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(100)
                    .collect::<String>()
            ),
        },
        400 => PortError::InvalidInput {
            reason: "Garmin refused the request (400)".into(),
        },
        status => PortError::Provider {
            status: Some(status),
            reason: "Garmin failed the request".into(),
        },
    }
}

impl GarminConnect {
    /// The API at `url` (`None`: Garmin's) with `auth`.
    pub fn new(transport: Arc<Transport>, auth: Arc<GarminAuth>, url: Option<String>) -> Self {
        Self {
            transport,
            auth,
            url: url.unwrap_or_else(|| DEFAULT_URL.to_owned()),
        }
    }

    /// GETs `path`: `None` for 204, 404 or an empty body (no data); a 401 refreshes the token
    /// once and tries again.
    pub async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Option<Value>, PortError> {
        let url = format!("{}{path}", self.url.trim_end_matches('/'));
        let call = Call {
            retry: RetryPolicy {
                attempts: 4,
                ..RetryPolicy::default()
            },
            json: false,
            ..Call::new("garmin")
        };
        let mut token = self.auth.access_token().await?;
        for refreshed in [false, true] {
            let answer = self
                .transport
                .send(call, |c| {
                    c.get(&url)
                        .query(query)
                        .bearer_auth(token.expose())
                        .header("Accept", "application/json")
                        .header("User-Agent", "GCM-Android-5.23")
                        .header("X-Garmin-Client-Platform", "Android")
                        .header("X-Lang", "en")
                })
                .await?;
            match answer.status {
                204 | 404 => return Ok(None),
                200..=299 if answer.body.iter().all(u8::is_ascii_whitespace) => return Ok(None),
                200..=299 => {
                    return serde_json::from_slice(&answer.body).map(Some).map_err(|_| {
                        PortError::Network {
                            reason: "Garmin's answer was cut short".into(),
                        }
                    });
                }
                401 if !refreshed => token = self.auth.refresh().await?,
                _ => return Err(refusal(&answer)),
            }
        }
        Err(PortError::Auth {
            reason: "re-link needed: Garmin refused a freshly refreshed token".into(),
        })
    }

    /// The display name data paths use.
    pub async fn display_name(&self) -> Result<String, PortError> {
        let v = self
            .get("/userprofile-service/socialProfile", &[])
            .await?
            .ok_or_else(|| malformed("no profile"))?;
        v["displayName"]
            .as_str()
            .or(v["userName"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| malformed("a profile without displayName"))
    }

    /// The activities that started between `from` and `to` (inclusive), every page.
    pub async fn activities(&self, from: Day, to: Day) -> Result<Vec<Value>, PortError> {
        let mut out = Vec::new();
        loop {
            let q = [
                ("start", out.len().to_string()),
                ("limit", LIST_PAGE.to_string()),
                ("startDate", from.to_string()),
                ("endDate", to.to_string()),
            ];
            let page = self
                .get("/activitylist-service/activities/search/activities", &q)
                .await?;
            let items = match page {
                Some(Value::Array(items)) => items,
                None => Vec::new(),
                Some(_) => return Err(malformed("an activity list that is not a list")),
            };
            let n = items.len();
            out.extend(items);
            if n < LIST_PAGE {
                return Ok(out);
            }
        }
    }

    /// An activity's detail samples.
    pub async fn details(&self, id: i64) -> Result<Option<Value>, PortError> {
        self.get(
            &format!("/activity-service/activity/{id}/details"),
            &[
                ("maxChartSize", "2000".to_owned()),
                ("maxPolylineSize", "4000".to_owned()),
            ],
        )
        .await
    }
}

/// Epoch milliseconds as an instant.
pub(crate) fn epoch_ms(v: &Value) -> Option<DateTime<Utc>> {
    v.as_f64()
        .and_then(|ms| DateTime::from_timestamp_millis(ms as i64))
}

/// `"YYYY-MM-DD HH:MM:SS"` (the list) or `"YYYY-MM-DDTHH:MM:SS.0"` (summaries), both UTC.
pub(crate) fn gmt(v: &Value) -> Option<DateTime<Utc>> {
    let s = v.as_str()?;
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .map(|n| n.and_utc())
}

/// A finite number.
pub(crate) fn num(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite())
}

/// A positive number (Garmin writes 0 or a negative value for "not measured" in places).
pub(crate) fn pos(v: &Value) -> Option<f64> {
    num(v).filter(|x| *x > 0.0)
}

/// Intensity minutes as Garmin's weekly goal counts them: vigorous ones twice.
pub(crate) fn intensity_minutes(moderate: &Value, vigorous: &Value) -> Option<u32> {
    let (m, v) = (moderate.as_u64(), vigorous.as_u64());
    if m.is_none() && v.is_none() {
        return None;
    }
    u32::try_from(m.unwrap_or(0) + 2 * v.unwrap_or(0)).ok()
}

/// The id and reference of an activity that started at `start`: the id as every file import
/// makes it, the reference Garmin's `activityId` when known.
pub(crate) fn activity_ids(
    start: DateTime<Utc>,
    garmin_id: Option<i64>,
) -> Result<(ActivityId, ExternalRef), PortError> {
    let file = crate::import::activity_ref(start)
        .map_err(|e| malformed(&format!("an unusable start ({e})")))?;
    let id = ActivityId::new(file.external_id())
        .map_err(|e| malformed(&format!("an unusable start ({e})")))?;
    let external = match garmin_id {
        Some(g) => ExternalRef::new(SOURCE, g.to_string())
            .map_err(|e| malformed(&format!("an unusable activity id ({e})")))?,
        None => file,
    };
    Ok((id, external))
}

/// An activity of the list, its start in `zone` (not yet scored: see [`score`]).
pub fn activity(v: &Value, zone: Tz) -> Result<Activity, PortError> {
    let start = gmt(&v["startTimeGMT"])
        .or_else(|| epoch_ms(&v["beginTimestamp"]))
        .ok_or_else(|| malformed("an activity without a start"))?;
    let (id, external) = activity_ids(start, v["activityId"].as_i64())?;
    let kind = v["activityType"]["typeKey"].as_str().unwrap_or("other");
    let elapsed = pos(&v["elapsedDuration"])
        .or(pos(&v["duration"]))
        .ok_or_else(|| malformed("an activity without a duration"))?;
    let mut a = Activity::new(
        id,
        crate::import::garmin_csv::sport(kind),
        ZonedInstant::new(start, zone),
        elapsed,
    );
    a.external = Some(external);
    a.name = v["activityName"]
        .as_str()
        .map(|s| s.chars().filter(|c| !c.is_control()).collect());
    a.moving_s = pos(&v["movingDuration"]).map(|m| m.min(elapsed));
    a.distance_m = num(&v["distance"]).filter(|d| *d >= 0.0);
    a.elevation_gain_m = num(&v["elevationGain"]).filter(|d| *d >= 0.0);
    a.avg_hr_bpm = pos(&v["averageHR"]);
    a.max_hr_bpm = pos(&v["maxHR"]);
    a.avg_power_w = pos(&v["avgPower"]);
    a.normalized_power_w = pos(&v["normPower"]);
    a.calories_kcal = pos(&v["calories"]);
    Ok(a)
}

/// Scores `a` (TSS from power, else hrTSS; TRIMP) through the athlete's thresholds; Garmin's
/// `trainingStressScore` only when pa cannot score it.
pub fn score(a: &mut Activity, thresholds: &Thresholds, garmin_tss: Option<f64>) {
    // Invalid thresholds score nothing; the profile's own check reports them.
    pa_core::fitness::load::score(a, thresholds).ok();
    if a.training_load.is_none() {
        a.training_load = garmin_tss.filter(|t| t.is_finite() && *t >= 0.0);
    }
}

/// An activity's streams from its details (`metricDescriptors` naming the positions of
/// `activityDetailMetrics[].metrics`), `None` without a time channel.
pub fn streams(details: &Value, start: DateTime<Utc>) -> Option<Streams> {
    let mut index = std::collections::HashMap::new();
    for d in details["metricDescriptors"].as_array()? {
        if let (Some(key), Some(i)) = (d["key"].as_str(), d["metricsIndex"].as_u64()) {
            index.insert(key, i as usize);
        }
    }
    let rows = details["activityDetailMetrics"].as_array()?;
    let at = |row: &Value, key: &str| -> Option<f64> {
        index.get(key).and_then(|i| num(&row["metrics"][*i]))
    };
    let t0 = start.timestamp_millis() as f64;
    let mut s = Streams::default();
    let channel = |key: &str| index.contains_key(key).then(Vec::new);
    let (mut hr, mut power, mut speed, mut cadence, mut alt) = (
        channel("directHeartRate"),
        channel("directPower"),
        channel("directSpeed"),
        channel("directRunCadence").or(channel("directBikeCadence")),
        channel("directElevation"),
    );
    let mut pos_: Option<Vec<Option<LatLon>>> = index.contains_key("directLatitude").then(Vec::new);
    for row in rows {
        let t = at(row, "directTimestamp")
            .map(|ms| (ms - t0) / 1000.0)
            .or(at(row, "sumDuration"))?;
        s.time_s.push(t);
        let push = |c: &mut Option<Vec<Option<f64>>>, key: &str| {
            if let Some(c) = c {
                c.push(at(row, key));
            }
        };
        push(&mut hr, "directHeartRate");
        push(&mut power, "directPower");
        push(&mut speed, "directSpeed");
        if let Some(c) = &mut cadence {
            c.push(at(row, "directRunCadence").or(at(row, "directBikeCadence")));
        }
        push(&mut alt, "directElevation");
        if let Some(p) = &mut pos_ {
            p.push(
                at(row, "directLatitude")
                    .zip(at(row, "directLongitude"))
                    .map(|(lat, lon)| LatLon { lat, lon }),
            );
        }
    }
    if s.time_s.is_empty() {
        return None;
    }
    s.heart_rate = hr;
    s.power = power;
    s.speed = speed;
    s.cadence = cadence;
    s.altitude = alt;
    s.position = pos_;
    Some(s)
}

/// A night's sleep from `dailySleepDTO` (`None` when the night has no sleep: id 0 or null).
pub fn sleep(dto: &Value) -> Option<Sleep> {
    if dto["id"].as_i64().unwrap_or(0) == 0 && dto["sleepTimeSeconds"].is_null() {
        return None;
    }
    let total = pos(&dto["sleepTimeSeconds"])?;
    Some(Sleep {
        total_s: total,
        deep_s: num(&dto["deepSleepSeconds"]),
        light_s: num(&dto["lightSleepSeconds"]),
        rem_s: num(&dto["remSleepSeconds"]),
        awake_s: num(&dto["awakeSleepSeconds"]),
        score: num(&dto["sleepScores"]["overall"]["value"]),
    })
}

/// A day of health from the daily summary, the night's `dailySleepDTO` and the HRV summary,
/// `None` when none of them holds anything. Intensity minutes count vigorous ones twice, as
/// Garmin's weekly goal does.
pub fn daily_health(
    day: Day,
    summary: Option<&Value>,
    sleep_dto: Option<&Value>,
    hrv: Option<&Value>,
) -> Option<DailyHealth> {
    let mut h = DailyHealth::empty(day);
    if let Some(s) = summary.filter(|s| s["privacyProtected"] != true) {
        h.steps = s["totalSteps"].as_u64().and_then(|x| u32::try_from(x).ok());
        h.resting_hr_bpm = pos(&s["restingHeartRate"]);
        h.stress_avg = num(&s["averageStressLevel"]).filter(|x| *x >= 0.0);
        h.body_battery_high = num(&s["bodyBatteryHighestValue"]).filter(|x| *x >= 0.0);
        h.body_battery_low = num(&s["bodyBatteryLowestValue"]).filter(|x| *x >= 0.0);
        h.intensity_minutes = intensity_minutes(
            &s["moderateIntensityMinutes"],
            &s["vigorousIntensityMinutes"],
        );
    }
    h.sleep = sleep_dto.and_then(sleep);
    h.hrv_rmssd_ms = hrv.and_then(|v| pos(&v["lastNightAvg"]));
    (h != DailyHealth::empty(day)).then_some(h)
}

/// A weigh-in of `dateWeightList` (weights in grams), its instant shown in `zone`.
pub fn body_composition(v: &Value, zone: Tz) -> Option<BodyComposition> {
    let at = epoch_ms(&v["timestampGMT"]).or_else(|| epoch_ms(&v["date"]))?;
    let kg = |x: &Value| pos(x).map(|g| g / 1000.0);
    let mut b = BodyComposition::weight(ZonedInstant::new(at, zone), kg(&v["weight"])?);
    b.body_fat_pct = pos(&v["bodyFat"]);
    b.muscle_mass_kg = kg(&v["muscleMass"]);
    b.bmi = pos(&v["bmi"]);
    b.water_pct = pos(&v["bodyWater"]);
    Some(b)
}

/// One range of days (at most 28) as a [`Source`] named `garmin`: one page, whose cursor is the
/// range's last day.
pub struct RangeSource {
    api: Arc<GarminConnect>,
    display_name: String,
    from: Day,
    to: Day,
    zone: Tz,
    thresholds: Thresholds,
    held: HashSet<ActivityId>,
    cursor: Option<String>,
}

impl std::fmt::Debug for RangeSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RangeSource")
            .field("from", &self.from)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

impl RangeSource {
    /// Days `from` to `to` (inclusive, at most 28) of the person `display_name`; starts shown in
    /// `zone`; activities scored with `thresholds`; activities in `held` (stored with streams
    /// from their files) left as they are.
    pub fn new(
        api: Arc<GarminConnect>,
        display_name: impl Into<String>,
        (from, to): (Day, Day),
        zone: Tz,
        thresholds: Thresholds,
        held: HashSet<ActivityId>,
    ) -> Result<Self, PortError> {
        let days = from.days_until(to);
        if !(0..MAX_RANGE_DAYS).contains(&days) {
            return Err(PortError::InvalidInput {
                reason: format!(
                    "a Garmin range is 1 to {MAX_RANGE_DAYS} days, not {} ({from} to {to})",
                    days + 1
                ),
            });
        }
        Ok(Self {
            api,
            display_name: display_name.into(),
            from,
            to,
            zone,
            thresholds,
            held,
            cursor: None,
        })
    }

    /// With `cursor` stored when the range is written (default: the range's last day; see
    /// [`pa_core::sync::backfill::cursor`]).
    pub fn with_cursor(mut self, cursor: String) -> Self {
        self.cursor = Some(cursor);
        self
    }
}

#[async_trait]
impl Source for RangeSource {
    fn name(&self) -> &str {
        SOURCE
    }

    fn kinds(&self) -> &[RecordKind] {
        &[
            RecordKind::Activity,
            RecordKind::DailyHealth,
            RecordKind::BodyComposition,
        ]
    }

    async fn fetch(&self, _: Option<&Cursor>, _: Option<&PageToken>) -> Result<Fetched, PortError> {
        let api = &self.api;
        let (from, to) = (self.from.to_string(), self.to.to_string());
        let mut upserts = Vec::new();
        for item in api.activities(self.from, self.to).await? {
            let mut a = activity(&item, self.zone)?;
            if self.held.contains(&a.id) {
                continue;
            }
            if let Some(id) = item["activityId"].as_i64()
                && let Some(d) = api.details(id).await?
            {
                a.streams = streams(&d, a.start.utc);
            }
            score(&mut a, &self.thresholds, pos(&item["trainingStressScore"]));
            upserts.push(Incoming::Activity(a));
        }
        let hrv = api
            .get(&format!("/hrv-service/hrv/daily/{from}/{to}"), &[])
            .await?;
        let hrv: Vec<Value> = hrv
            .and_then(|v| v["hrvSummaries"].as_array().cloned())
            .unwrap_or_default();
        let name = &self.display_name;
        let mut day = self.from;
        loop {
            let d = day.to_string();
            let summary = api
                .get(
                    &format!("/usersummary-service/usersummary/daily/{name}"),
                    &[("calendarDate", d.clone())],
                )
                .await?;
            let night = api
                .get(
                    &format!("/wellness-service/wellness/dailySleepData/{name}"),
                    &[("date", d.clone()), ("nonSleepBufferMinutes", "60".into())],
                )
                .await?;
            let h = hrv.iter().find(|h| h["calendarDate"] == d.as_str());
            if let Some(health) = daily_health(
                day,
                summary.as_ref(),
                night.as_ref().map(|n| &n["dailySleepDTO"]),
                h,
            ) {
                upserts.push(Incoming::DailyHealth(health));
            }
            if day >= self.to {
                break;
            }
            day = day.succ().map_err(|e| malformed(&e.to_string()))?;
        }
        let weights = api
            .get(
                "/weight-service/weight/dateRange",
                &[("startDate", from), ("endDate", to.clone())],
            )
            .await?;
        for w in weights
            .as_ref()
            .and_then(|w| w["dateWeightList"].as_array())
            .into_iter()
            .flatten()
        {
            if let Some(b) = body_composition(w, self.zone) {
                upserts.push(Incoming::Record(Doc::BodyComposition(b)));
            }
        }
        Ok(Fetched::Page(Page {
            upserts,
            removals: Vec::new(),
            next: Next::Done(Cursor(self.cursor.clone().unwrap_or(to))),
            full: None,
        }))
    }
}

#[cfg(test)]
mod tests;
