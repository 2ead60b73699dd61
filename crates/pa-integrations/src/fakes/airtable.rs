//! A fake Airtable Web API (`provider-apis.md` §0 and §4.5): personal access tokens per base,
//! list with `pageSize` ≤ 100, opaque `offset`, `fields[]` and omitted empty cells; create,
//! update (PATCH merges, PUT replaces) and delete of at most 10 records; upsert through
//! `performUpsert.fieldsToMergeOn`, failing when a key matches several rows; linked-record cells
//! checked against their table; 5 requests per second per base on an injectable clock, the 6th
//! answered 429 and every request for 30 s after it too; and injected answers served first.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::{Reply, Running, serve};
use crate::http::Timer;

/// One stored record.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// `rec…`.
    pub id: String,
    /// `createdTime`.
    pub created: String,
    /// Its cells (empty ones are never stored).
    pub fields: Map<String, Value>,
}

/// Counts of what the fake was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Every request.
    pub all: usize,
    /// List requests.
    pub lists: usize,
    /// Creates, updates, upserts and deletes.
    pub writes: usize,
    /// Answers of 429.
    pub rate_limited: usize,
}

#[derive(Debug, Default)]
struct Base {
    tables: HashMap<String, Vec<Row>>,
    next_id: u64,
    arrivals: VecDeque<Duration>,
    locked_until: Option<Duration>,
    counts: Counts,
    injected: VecDeque<Reply>,
}

/// The fake: one base, one token, tables made on first write.
#[derive(Debug)]
pub struct FakeAirtable {
    /// The base id (`app…`).
    pub base: String,
    token: String,
    timer: Arc<dyn Timer>,
    /// Linked-record fields: (table, field) → the table its ids must name.
    links: HashMap<(String, String), String>,
    state: Mutex<Base>,
}

/// The 5-per-second budget and the lockout after it is exceeded.
const PER_SECOND: usize = 5;
const LOCKOUT: Duration = Duration::from_secs(30);

type Answer = Response;

fn error(status: StatusCode, kind: &str, message: &str) -> Answer {
    (
        status,
        Json(json!({"error": {"type": kind, "message": message}})),
    )
        .into_response()
}

impl FakeAirtable {
    /// A base `base` opened by `token`, its rate windows on `timer`; `links` names the
    /// linked-record fields.
    pub fn new(
        base: &str,
        token: &str,
        timer: Arc<dyn Timer>,
        links: &[(&str, &str, &str)],
    ) -> Arc<Self> {
        Arc::new(Self {
            base: base.to_owned(),
            token: token.to_owned(),
            timer,
            links: links
                .iter()
                .map(|(t, f, to)| (((*t).to_owned(), (*f).to_owned()), (*to).to_owned()))
                .collect(),
            state: Mutex::new(Base::default()),
        })
    }

    /// Serves it on 127.0.0.1; the API is at `{url}/v0/`.
    pub async fn start(self: &Arc<Self>) -> Running {
        let router = axum::Router::new()
            .route(
                "/v0/{base}/{table}",
                get(handle)
                    .post(handle)
                    .patch(handle)
                    .put(handle)
                    .delete(handle),
            )
            .with_state(self.clone());
        serve(router).await
    }

    fn with<T>(&self, f: impl FnOnce(&mut Base) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// The rows of `table`, in creation order.
    pub fn rows(&self, table: &str) -> Vec<Row> {
        self.with(|b| b.tables.get(table).cloned().unwrap_or_default())
    }

    /// What the fake was asked so far.
    pub fn counts(&self) -> Counts {
        self.with(|b| b.counts.clone())
    }

    /// Serves `reply` to the next request, before any other check.
    pub fn inject(&self, reply: Reply) {
        self.with(|b| b.injected.push_back(reply));
    }

    /// Adds a row as a person would in the app (no key, or any cells); its id.
    pub fn add_by_hand(&self, table: &str, fields: Map<String, Value>) -> String {
        self.with(|b| {
            let id = new_id(b);
            let created = self.created();
            b.tables.entry(table.to_owned()).or_default().push(Row {
                id: id.clone(),
                created,
                fields: clean(fields),
            });
            id
        })
    }

    /// Edits a cell by hand (`Value::Null` empties it).
    pub fn edit_by_hand(&self, table: &str, id: &str, field: &str, value: Value) {
        self.with(|b| {
            if let Some(row) = b
                .tables
                .get_mut(table)
                .and_then(|rows| rows.iter_mut().find(|r| r.id == id))
            {
                row.fields.insert(field.to_owned(), value);
                row.fields = clean(std::mem::take(&mut row.fields));
            }
        });
    }

    /// Deletes a row by hand.
    pub fn delete_by_hand(&self, table: &str, id: &str) {
        self.with(|b| {
            if let Some(rows) = b.tables.get_mut(table) {
                rows.retain(|r| r.id != id);
            }
        });
    }

    fn created(&self) -> String {
        let start: chrono::DateTime<chrono::Utc> =
            chrono::DateTime::UNIX_EPOCH + chrono::TimeDelta::days(20_454); // 2026-01-01
        let at = start + chrono::Duration::from_std(self.timer.elapsed()).unwrap_or_default();
        at.format("%Y-%m-%dT%H:%M:%S.000Z").to_string()
    }

    /// The rate check: the 6th request within a second, and every request for 30 s after it,
    /// is a 429.
    fn admit(&self, b: &mut Base) -> Option<Answer> {
        let now = self.timer.elapsed();
        if b.locked_until.is_some_and(|until| now < until) {
            b.counts.rate_limited += 1;
            return Some(rate_limited());
        }
        while b
            .arrivals
            .front()
            .is_some_and(|t| now.saturating_sub(*t) >= Duration::from_secs(1))
        {
            b.arrivals.pop_front();
        }
        if b.arrivals.len() >= PER_SECOND {
            b.locked_until = Some(now + LOCKOUT);
            b.counts.rate_limited += 1;
            return Some(rate_limited());
        }
        b.arrivals.push_back(now);
        None
    }
}

fn rate_limited() -> Answer {
    (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({"errors": [{"error": "RATE_LIMIT_REACHED", "message": "Rate limit exceeded. Please try again later"}]})),
    )
        .into_response()
}

fn new_id(b: &mut Base) -> String {
    b.next_id += 1;
    format!("rec{:014}", b.next_id)
}

/// Airtable keeps no empty cells.
fn clean(fields: Map<String, Value>) -> Map<String, Value> {
    fields
        .into_iter()
        .filter(|(_, v)| match v {
            Value::Null | Value::Bool(false) => false,
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            _ => true,
        })
        .collect()
}

/// `a=1&b%5B%5D=2` as pairs, percent-decoded.
fn query_pairs(q: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && i + 2 < bytes.len()
                && let Ok(b) =
                    u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

async fn handle(
    State(fake): State<Arc<FakeAirtable>>,
    method: Method,
    Path((base, table)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: String,
) -> Answer {
    let mut b = fake.state.lock().unwrap();
    b.counts.all += 1;
    if let Some(reply) = b.injected.pop_front() {
        return reply.into_response();
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match auth {
        None => {
            return error(
                StatusCode::UNAUTHORIZED,
                "AUTHENTICATION_REQUIRED",
                "Authentication required",
            );
        }
        Some(t) if t != fake.token => {
            return error(
                StatusCode::UNAUTHORIZED,
                "AUTHENTICATION_REQUIRED",
                "invalid authentication token",
            );
        }
        Some(_) => {}
    }
    if base != fake.base {
        return error(
            StatusCode::FORBIDDEN,
            "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
            "Invalid permissions, or the requested model was not found.",
        );
    }
    if let Some(limited) = fake.admit(&mut b) {
        return limited;
    }
    let pairs = query_pairs(query.as_deref().unwrap_or(""));
    if method == Method::GET {
        b.counts.lists += 1;
        return list(&b, &table, &pairs);
    }
    b.counts.writes += 1;
    if method == Method::DELETE {
        let ids: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| k == "records[]")
            .map(|(_, v)| v.clone())
            .collect();
        if ids.is_empty() || ids.len() > 10 {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_RECORDS",
                "records must be an array of up to 10 record IDs",
            );
        }
        let rows = b.tables.entry(table).or_default();
        if let Some(missing) = ids.iter().find(|id| !rows.iter().any(|r| &r.id == *id)) {
            return error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                &format!("Could not find record {missing}"),
            );
        }
        rows.retain(|r| !ids.contains(&r.id));
        let deleted: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "deleted": true}))
            .collect();
        return Json(json!({ "records": deleted })).into_response();
    }
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST_UNKNOWN",
            "Invalid request: parameter validation failed. Check your request data.",
        );
    };
    write(&fake, &mut b, &method, &table, &request)
}

fn list(b: &Base, table: &str, pairs: &[(String, String)]) -> Answer {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let size = match get("pageSize").map(str::parse::<usize>) {
        None => 100,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_PAGE_SIZE",
                "pageSize must be between 1 and 100",
            );
        }
    };
    let start = match get("offset") {
        None => 0,
        Some(o) => match o
            .strip_prefix("itr")
            .and_then(|s| s.split('/').next())
            .map(str::parse::<usize>)
        {
            Some(Ok(n)) => n,
            _ => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "INVALID_OFFSET_VALUE",
                    "The offset is invalid",
                );
            }
        },
    };
    let wanted: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "fields[]")
        .map(|(_, v)| v.as_str())
        .collect();
    let rows = b.tables.get(table).map(Vec::as_slice).unwrap_or_default();
    let page: Vec<Value> = rows
        .iter()
        .skip(start)
        .take(size)
        .map(|r| {
            let fields: Map<String, Value> = r
                .fields
                .iter()
                .filter(|(k, _)| wanted.is_empty() || wanted.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            json!({"id": r.id, "createdTime": r.created, "fields": fields})
        })
        .collect();
    let mut out = json!({ "records": page });
    if start + size < rows.len() {
        out["offset"] = json!(format!("itr{}/rec{}", start + size, rows.len()));
    }
    Json(out).into_response()
}

fn write(
    fake: &FakeAirtable,
    b: &mut Base,
    method: &Method,
    table: &str,
    request: &Value,
) -> Answer {
    let records = request["records"].as_array().cloned().unwrap_or_default();
    if records.is_empty() || records.len() > 10 {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_RECORDS",
            &format!(
                "A maximum of 10 records can be created per request but you have provided {}.",
                records.len()
            ),
        );
    }
    let merge_on: Option<Vec<String>> =
        request["performUpsert"]["fieldsToMergeOn"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            });
    // Linked-record cells must name rows of their table.
    for r in &records {
        for (field, value) in r["fields"].as_object().into_iter().flatten() {
            if let Some(target) = fake.links.get(&(table.to_owned(), field.clone())) {
                let known = b.tables.get(target).map(Vec::as_slice).unwrap_or_default();
                let ids = value.as_array().cloned().unwrap_or_default();
                if let Some(bad) = ids
                    .iter()
                    .find(|id| !known.iter().any(|k| Some(k.id.as_str()) == id.as_str()))
                {
                    return error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "ROW_DOES_NOT_EXIST",
                        &format!("Record ID {bad} does not exist in {target}"),
                    );
                }
            }
        }
    }
    let created = fake.created();
    let mut out = Vec::new();
    let (mut made, mut updated) = (Vec::new(), Vec::new());
    // Validate everything before changing anything: a failed request changes nothing.
    let mut plan: Vec<(Option<usize>, Map<String, Value>)> = Vec::new();
    {
        let rows = b.tables.get(table).map(Vec::as_slice).unwrap_or_default();
        for r in &records {
            let fields = r["fields"].as_object().cloned().unwrap_or_default();
            let target = match (r["id"].as_str(), &merge_on) {
                (Some(id), _) => match rows.iter().position(|x| x.id == id) {
                    Some(i) => Some(i),
                    None => {
                        return error(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "ROW_DOES_NOT_EXIST",
                            &format!("Record ID {id} does not exist in this table"),
                        );
                    }
                },
                (None, Some(keys)) if *method != Method::POST => {
                    if keys.iter().any(|k| !fields.contains_key(k)) {
                        return error(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "INVALID_VALUE_FOR_COLUMN",
                            "every record must carry the fields to merge on",
                        );
                    }
                    let matches: Vec<usize> = (0..rows.len())
                        .filter(|&i| keys.iter().all(|k| rows[i].fields.get(k) == fields.get(k)))
                        .collect();
                    if matches.len() > 1 {
                        return error(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "INVALID_VALUE_FOR_COLUMN",
                            "Cannot update more than one record with the same merge field values",
                        );
                    }
                    matches.first().copied()
                }
                (None, _) if *method == Method::POST => None,
                (None, _) => {
                    return error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "INVALID_RECORDS",
                        "records to update need an id",
                    );
                }
            };
            plan.push((target, fields));
        }
    }
    for (target, fields) in plan {
        let id = match target {
            Some(i) => {
                let row = &mut b.tables.get_mut(table).unwrap()[i];
                if *method == Method::PUT {
                    row.fields = clean(fields);
                } else {
                    let mut merged = std::mem::take(&mut row.fields);
                    merged.extend(fields);
                    row.fields = clean(merged);
                }
                updated.push(row.id.clone());
                row.id.clone()
            }
            None => {
                let id = new_id(b);
                b.tables.entry(table.to_owned()).or_default().push(Row {
                    id: id.clone(),
                    created: created.clone(),
                    fields: clean(fields),
                });
                made.push(id.clone());
                id
            }
        };
        let row = b.tables[table].iter().find(|r| r.id == id).unwrap();
        out.push(json!({"id": row.id, "createdTime": row.created, "fields": row.fields}));
    }
    let mut answer = json!({ "records": out });
    if merge_on.is_some() {
        answer["createdRecords"] = json!(made);
        answer["updatedRecords"] = json!(updated);
    }
    Json(answer).into_response()
}
