use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::fakes::Reply;
use crate::fakes::airtable::FakeAirtable;
use crate::http::{HttpConfig, ManualTimer, Timer};

const TOKEN: &str = "patTEST.0123456789";

struct Setup {
    fake: Arc<FakeAirtable>,
    timer: Arc<ManualTimer>,
    client: Airtable,
    _server: crate::fakes::Running,
}

async fn setup(rates: &[Rate]) -> Setup {
    let timer = Arc::new(ManualTimer::new("2026-12-05T10:00:00Z".parse().unwrap()));
    let fake = FakeAirtable::new("appTEST", TOKEN, timer.clone(), &[]);
    let server = fake.start().await;
    let config = HttpConfig {
        jitter_seed: Some(1),
        ..HttpConfig::default()
    };
    let transport = Arc::new(Transport::new(config, timer.clone(), timer.clone(), rates).unwrap());
    let client = Airtable::new(
        transport,
        AirtableConfig {
            url: server.url.clone(),
            ..AirtableConfig::new("appTEST")
        },
        Secret::new(TOKEN),
    );
    Setup {
        fake,
        timer,
        client,
        _server: server,
    }
}

fn row(key: &str, name: &str, miles: f64) -> MirrorRow {
    MirrorRow {
        key: key.to_owned(),
        fields: [
            ("Name".to_owned(), json!(name)),
            ("Miles".to_owned(), json!(miles)),
            ("Done".to_owned(), json!(false)),
        ]
        .into_iter()
        .collect(),
    }
}

fn owned() -> Vec<String> {
    vec!["Name".into(), "Miles".into(), "Done".into()]
}

#[tokio::test]
async fn upserts_by_key_list_back_and_keep_the_persons_cells() {
    let s = setup(&[rate()]).await;
    let first = s
        .client
        .upsert("Runs", &[row("a", "Easy", 3.0), row("b", "Long", 12.5)])
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    // A person's own column on a pa row, and a row of their own.
    s.fake
        .edit_by_hand("Runs", &first[0].remote_id, "Feeling", json!("good"));
    s.fake.add_by_hand(
        "Runs",
        [("Name".to_owned(), json!("mine"))].into_iter().collect(),
    );
    // Upserting again by key updates in place: no new row, the person's cell kept.
    let again = s
        .client
        .upsert("Runs", &[row("a", "Easy run", 3.0)])
        .await
        .unwrap();
    assert_eq!(again[0].remote_id, first[0].remote_id);
    let rows = s.fake.rows("Runs");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].fields["Feeling"], "good");
    assert_eq!(rows[0].fields["Name"], "Easy run");
    let listed = s.client.list("Runs", &owned()).await.unwrap();
    assert_eq!(
        listed.iter().map(|r| r.key.as_deref()).collect::<Vec<_>>(),
        [Some("a"), Some("b"), None]
    );
    // Observed hashes equal the hashes of what was sent (the fake dropped the empty "Done").
    assert_eq!(
        listed[0].observed_hash,
        fields_hash(&row("a", "Easy run", 3.0).fields)
    );
    assert_eq!(listed[0].observed_hash, again[0].observed_hash);
    assert!(!listed[0].fields.contains_key("Feeling"));
    // Deleting a row that is gone is no error.
    s.client
        .delete(
            "Runs",
            &[first[1].remote_id.clone(), "rec00000000000099".into()],
        )
        .await
        .unwrap();
    assert_eq!(s.fake.rows("Runs").len(), 2);
}

#[tokio::test]
async fn pages_of_a_hundred_are_followed() {
    let s = setup(&[rate()]).await;
    for chunk in (0..250).collect::<Vec<_>>().chunks(10) {
        let rows: Vec<MirrorRow> = chunk
            .iter()
            .map(|i| row(&format!("k{i:03}"), "x", 1.0))
            .collect();
        s.client.upsert("T", &rows).await.unwrap();
    }
    let listed = s.client.list("T", &owned()).await.unwrap();
    assert_eq!(listed.len(), 250);
    assert_eq!(s.fake.counts().lists, 3);
    // 25 writes and 3 lists, spaced by the rate limit: never a 429.
    assert_eq!(s.fake.counts().rate_limited, 0);
    assert!(s.timer.elapsed() >= Duration::from_millis(202 * 27));
}

#[tokio::test]
async fn a_429_is_waited_out_for_the_lockout_and_the_write_lands_once() {
    // No client-side limit: the sixth request in a second trips the fake's.
    let s = setup(&[]).await;
    for i in 0..6 {
        s.client
            .upsert("T", &[row(&format!("k{i}"), "x", 1.0)])
            .await
            .unwrap();
    }
    let counts = s.fake.counts();
    assert_eq!(counts.rate_limited, 1);
    assert_eq!(s.fake.rows("T").len(), 6);
    assert!(
        s.timer
            .slept()
            .iter()
            .any(|d| *d >= Duration::from_secs(30))
    );
}

#[tokio::test]
async fn faults_are_retried_or_reported_as_typed_errors() {
    let s = setup(&[rate()]).await;
    // A 503 and a truncated answer are retried; the write lands once.
    s.fake.inject(Reply::json(503, "{}"));
    s.fake
        .inject(Reply::json(200, r#"{"records": [{"id": "rec"#));
    s.client.upsert("T", &[row("k", "x", 1.0)]).await.unwrap();
    assert_eq!(s.fake.rows("T").len(), 1);
    // A 422 is the caller's error, in Airtable's words.
    s.fake.inject(Reply::json(
        422,
        r#"{"error": {"type": "INVALID_MULTIPLE_CHOICE_OPTIONS", "message": "Insufficient permissions to create new select option \"Yoga\""}}"#,
    ));
    assert_eq!(
        s.client.upsert("T", &[row("k", "x", 1.0)]).await.unwrap_err(),
        PortError::InvalidInput {
            reason: "Airtable: INVALID_MULTIPLE_CHOICE_OPTIONS: Insufficient permissions to create new select option \"Yoga\"".into()
        }
    );
    // The client never sends more than ten.
    let eleven: Vec<MirrorRow> = (0..11).map(|i| row(&format!("k{i}"), "x", 1.0)).collect();
    assert_eq!(
        s.client.upsert("T", &eleven).await.unwrap_err(),
        PortError::InvalidInput {
            reason: "11 rows in one Airtable write (at most 10)".into()
        }
    );
}

#[tokio::test]
async fn a_wrong_token_or_base_is_a_sign_in_error() {
    let s = setup(&[rate()]).await;
    let wrong = Airtable::new(
        s.client.transport.clone(),
        s.client.config.clone(),
        Secret::new("patWRONG"),
    );
    assert_eq!(
        wrong.list("T", &owned()).await.unwrap_err(),
        PortError::Auth {
            reason:
                "Airtable refused the token (AUTHENTICATION_REQUIRED: invalid authentication token)"
                    .into()
        }
    );
    let other = Airtable::new(
        s.client.transport.clone(),
        AirtableConfig {
            base: "appOTHER".into(),
            ..s.client.config.clone()
        },
        Secret::new(TOKEN),
    );
    assert_eq!(
        other.list("T", &owned()).await.unwrap_err(),
        PortError::Auth {
            reason: "Airtable refused the token (INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND: Invalid permissions, or the requested model was not found.)".into()
        }
    );
    assert!(!format!("{:?}", s.client).contains(TOKEN));
}

#[tokio::test]
async fn the_fake_refuses_an_eleven_record_write_and_an_ambiguous_upsert() {
    let s = setup(&[]).await;
    let http = crate::http::client(&HttpConfig::default()).unwrap();
    let url = s.client.table_url("T");
    let records: Vec<Value> = (0..11)
        .map(|i| json!({"fields": {"Key": format!("k{i}")}}))
        .collect();
    let answer = http
        .patch(&url)
        .bearer_auth(TOKEN)
        .json(&json!({"performUpsert": {"fieldsToMergeOn": ["Key"]}, "records": records}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 422);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"]["type"], "INVALID_RECORDS");
    // Two rows with one key: an upsert of that key fails whole.
    for _ in 0..2 {
        s.fake.add_by_hand(
            "T",
            [("Key".to_owned(), json!("dup"))].into_iter().collect(),
        );
    }
    assert_eq!(
        s.client.upsert("T", &[row("dup", "x", 1.0)]).await.unwrap_err(),
        PortError::InvalidInput {
            reason: "Airtable: INVALID_VALUE_FOR_COLUMN: Cannot update more than one record with the same merge field values".into()
        }
    );
}

#[tokio::test]
async fn a_429_storm_with_and_without_retry_after_is_waited_out() {
    let s = setup(&[rate()]).await;
    s.fake.inject(Reply::json(
        429,
        r#"{"errors": [{"error": "RATE_LIMIT_REACHED"}]}"#,
    ));
    s.fake
        .inject(Reply::json(429, "{}").header("retry-after", "3"));
    s.fake.inject(Reply::json(
        429,
        r#"{"errors": [{"error": "RATE_LIMIT_REACHED"}]}"#,
    ));
    s.client.upsert("T", &[row("k", "x", 1.0)]).await.unwrap();
    assert_eq!(s.fake.rows("T").len(), 1);
    let waits: Vec<u64> = s
        .timer
        .slept()
        .into_iter()
        .filter(|d| *d >= Duration::from_secs(1))
        .map(|d| d.as_secs())
        .collect();
    // The lockout after each 429 without a wait named, the service's 3 s after the other.
    assert_eq!(waits.len(), 3, "{waits:?}");
    assert!(
        waits[0] >= 30 && waits[1] >= 3 && waits[2] >= 30,
        "{waits:?}"
    );
    // A storm longer than the retries: a typed rate-limit error, and nothing written twice.
    for _ in 0..5 {
        s.fake.inject(Reply::json(429, "{}"));
    }
    assert_eq!(
        s.client
            .upsert("T", &[row("k", "y", 1.0)])
            .await
            .unwrap_err(),
        PortError::RateLimited { retry_after: None }
    );
    assert_eq!(s.fake.rows("T").len(), 1);
}
