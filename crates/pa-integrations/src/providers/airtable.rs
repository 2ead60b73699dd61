//! Airtable as a [`Sink`] (`provider-apis.md` §0 and §4): rows matched by a text field holding
//! pa's key (`Key` by default) through `performUpsert`, at most 10 records a request, PATCH only
//! (a person's own columns survive), 5 requests per second per base and the 30-second lockout
//! after a 429 waited out. Errors in all three of Airtable's shapes are read.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pa_core::ports::PortError;
use pa_core::ports::sink::{MirrorRow, Mirrored, RemoteRow, Sink};
use pa_core::sync::mirror::fields_hash;
use serde_json::{Map, Value, json};

use crate::http::{Answer, Call, Rate, RetryPolicy, Transport};
use crate::secrets::Secret;

/// The production API.
pub const DEFAULT_URL: &str = "https://api.airtable.com";

/// Where and how to reach a base.
#[derive(Debug, Clone)]
pub struct AirtableConfig {
    /// The API's root (`https://api.airtable.com`; a fake or proxy in tests).
    pub url: String,
    /// The base id (`app…`).
    pub base: String,
    /// The text field that holds pa's key.
    pub key_field: String,
    /// Let Airtable convert values (select options by name).
    pub typecast: bool,
}

impl AirtableConfig {
    /// The base `base` at the production API, keyed by `Key`.
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            url: DEFAULT_URL.to_owned(),
            base: base.into(),
            key_field: "Key".to_owned(),
            typecast: true,
        }
    }
}

/// Airtable's rate limit: 5 requests per second per base, kept with a 1 % margin so requests that
/// arrive a little unevenly never make six in a second.
pub fn rate() -> Rate {
    Rate {
        prefix: "airtable:".to_owned(),
        requests: NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
        per: Duration::from_millis(1010),
    }
}

/// Retries for Airtable: a 429 is waited out for the 30-second lockout.
pub fn retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 5,
        lockout: Duration::from_secs(30),
        ..RetryPolicy::default()
    }
}

/// A base, through a shared transport.
pub struct Airtable {
    transport: Arc<Transport>,
    config: AirtableConfig,
    token: Secret,
    key: String,
}

impl std::fmt::Debug for Airtable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Airtable")
            .field("base", &self.config.base)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// Percent-encodes a path segment or query value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Airtable {
    /// A client of `config.base` with the personal access token `token`.
    pub fn new(transport: Arc<Transport>, config: AirtableConfig, token: Secret) -> Self {
        let key = format!("airtable:{}", config.base);
        Self {
            transport,
            config,
            token,
            key,
        }
    }

    fn table_url(&self, table: &str) -> String {
        format!(
            "{}/v0/{}/{}",
            self.config.url.trim_end_matches('/'),
            encode(&self.config.base),
            encode(table)
        )
    }

    async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Answer, PortError> {
        let call = Call {
            retry: retry(),
            ..Call::new(&self.key)
        };
        let answer = self
            .transport
            .send(call, |c| build(c).bearer_auth(self.token.expose()))
            .await?;
        if answer.is_success() {
            Ok(answer)
        } else {
            Err(refusal(&answer))
        }
    }

    /// The key and owned fields of a returned record, and their hash.
    fn remote(&self, record: &Value, owned: &[String]) -> Result<RemoteRow, PortError> {
        let id = record["id"]
            .as_str()
            .ok_or_else(|| unreadable("a record without an id"))?;
        let all = record["fields"].as_object().cloned().unwrap_or_default();
        let key = all
            .get(&self.config.key_field)
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty())
            .map(str::to_owned);
        let fields: BTreeMap<String, Value> = owned
            .iter()
            .filter_map(|f| all.get(f).map(|v| (f.clone(), v.clone())))
            .collect();
        let created = record["createdTime"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc));
        Ok(RemoteRow {
            remote_id: id.to_owned(),
            key,
            observed_hash: fields_hash(&fields),
            fields,
            created,
        })
    }
}

fn unreadable(what: &str) -> PortError {
    PortError::Provider {
        status: None,
        reason: format!("unreadable answer: {what}"),
    }
}

/// An error answer in any of Airtable's shapes: `{"error": {"type", "message"}}`,
/// `{"error": "NOT_FOUND"}`, or the 429's `{"errors": [{"error", "message"}]}`.
fn refusal(answer: &Answer) -> PortError {
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    let (kind, message) = match (&body["error"], &body["errors"][0]) {
        (Value::Object(e), _) => (
            e.get("type").and_then(Value::as_str).unwrap_or(""),
            e.get("message").and_then(Value::as_str).unwrap_or(""),
        ),
        (Value::String(kind), _) => (kind.as_str(), ""),
        (_, Value::Object(e)) => (
            e.get("error").and_then(Value::as_str).unwrap_or(""),
            e.get("message").and_then(Value::as_str).unwrap_or(""),
        ),
        _ => ("", ""),
    };
    // The service's words, cut to a line: they name fields and record ids, never the token.
    let said: String = if message.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {message}")
    }
    .chars()
    .filter(|c| !c.is_control())
    .take(300)
    .collect();
    match answer.status {
        401 | 403 => PortError::Auth {
            reason: format!("Airtable refused the token ({said})"),
        },
        404 => PortError::NotFound {
            what: format!("Airtable: {said}"),
        },
        422 | 400 | 413 => PortError::InvalidInput {
            reason: format!("Airtable: {said}"),
        },
        429 => PortError::RateLimited {
            retry_after: answer.retry_after,
        },
        status => PortError::Provider {
            status: Some(status),
            reason: said,
        },
    }
}

#[async_trait]
impl Sink for Airtable {
    fn name(&self) -> &str {
        "airtable"
    }

    fn batch_limit(&self) -> usize {
        10
    }

    async fn list(&self, table: &str, fields: &[String]) -> Result<Vec<RemoteRow>, PortError> {
        let url = self.table_url(table);
        let mut query: Vec<(String, String)> = vec![("pageSize".into(), "100".into())];
        query.push(("fields[]".into(), self.config.key_field.clone()));
        query.extend(fields.iter().map(|f| ("fields[]".to_owned(), f.clone())));
        let mut rows = Vec::new();
        let mut offset: Option<String> = None;
        let mut restarts = 0;
        loop {
            let mut q = query.clone();
            if let Some(o) = &offset {
                q.push(("offset".into(), o.clone()));
            }
            let page = match self.send(|c| c.get(&url).query(&q)).await {
                Ok(answer) => answer.json::<Value>()?,
                // The listing's iterator timed out: list again from the start, a few times.
                Err(PortError::InvalidInput { reason })
                    if reason.contains("LIST_RECORDS_ITERATOR_NOT_AVAILABLE") && restarts < 3 =>
                {
                    restarts += 1;
                    rows.clear();
                    offset = None;
                    continue;
                }
                Err(e) => return Err(e),
            };
            for record in page["records"].as_array().into_iter().flatten() {
                rows.push(self.remote(record, fields)?);
            }
            match page["offset"].as_str() {
                Some(o) => offset = Some(o.to_owned()),
                None => return Ok(rows),
            }
        }
    }

    async fn upsert(&self, table: &str, rows: &[MirrorRow]) -> Result<Vec<Mirrored>, PortError> {
        if rows.len() > self.batch_limit() {
            return Err(PortError::InvalidInput {
                reason: format!("{} rows in one Airtable write (at most 10)", rows.len()),
            });
        }
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<Value> = rows
            .iter()
            .map(|r| {
                let mut fields: Map<String, Value> = r.fields.clone().into_iter().collect();
                fields.insert(self.config.key_field.clone(), json!(r.key));
                json!({ "fields": fields })
            })
            .collect();
        let body = json!({
            "performUpsert": { "fieldsToMergeOn": [self.config.key_field] },
            "records": records,
            "typecast": self.config.typecast,
        });
        let url = self.table_url(table);
        let answer = self
            .send(|c| c.patch(&url).json(&body))
            .await?
            .json::<Value>()?;
        let returned = answer["records"].as_array().cloned().unwrap_or_default();
        if returned.len() != rows.len() {
            return Err(unreadable("the write returned another number of records"));
        }
        rows.iter()
            .zip(&returned)
            .map(|(row, record)| {
                let owned: Vec<String> = row.fields.keys().cloned().collect();
                let remote = self.remote(record, &owned)?;
                Ok(Mirrored {
                    key: row.key.clone(),
                    remote_id: remote.remote_id,
                    observed_hash: remote.observed_hash,
                })
            })
            .collect()
    }

    async fn delete(&self, table: &str, remote_ids: &[String]) -> Result<(), PortError> {
        if remote_ids.len() > self.batch_limit() {
            return Err(PortError::InvalidInput {
                reason: format!(
                    "{} rows in one Airtable delete (at most 10)",
                    remote_ids.len()
                ),
            });
        }
        if remote_ids.is_empty() {
            return Ok(());
        }
        let url = self.table_url(table);
        let q: Vec<(&str, &str)> = remote_ids
            .iter()
            .map(|id| ("records[]", id.as_str()))
            .collect();
        match self.send(|c| c.delete(&url).query(&q)).await {
            Ok(_) => Ok(()),
            // A row already gone is no error; delete the others one request at a time.
            Err(PortError::NotFound { .. }) if remote_ids.len() > 1 => {
                for id in remote_ids {
                    Box::pin(self.delete(table, std::slice::from_ref(id))).await?;
                }
                Ok(())
            }
            Err(PortError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests;
