//! Sync planning with nothing changed, 10,000 records, against the sync issue's target (≤ 5 ms):
//! a dashboard mirror of 10,000 rows (each desired row rendered to its canonical hash), and a
//! two-way plan of 10,000 items on each side.

#![allow(clippy::expect_used)] // fixed inputs: a failure here is a broken benchmark

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pa_core::ports::sink::{MirrorRow, RemoteRow};
use pa_core::sync::mirror::{self, MirrorOptions, fields_hash};
use pa_core::sync::two_way::{self, Item, Policy, Seen, Status};
use serde_json::json;

const N: usize = 10_000;

/// Rows shaped like a calendar event in the seed's Airtable base.
fn rows() -> Vec<MirrorRow> {
    (0..N)
        .map(|i| {
            let fields: BTreeMap<String, serde_json::Value> = [
                ("Key", json!(format!("event:{i:06}"))),
                ("Name", json!(format!("Meeting {i}"))),
                ("Start", json!("2026-03-05T13:00:00.000Z")),
                ("End", json!("2026-03-05T14:00:00.000Z")),
                ("Calendar", json!("Work")),
                ("Duration (h)", json!(1.0)),
                ("Day", json!([format!("recDay{:05}", i % 90)])),
                ("Week", json!([format!("recWeek{:03}", i % 13)])),
                ("All day", json!(false)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            MirrorRow {
                key: format!("event:{i:06}"),
                fields,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let desired = rows();
    let remote: Vec<RemoteRow> = desired
        .iter()
        .enumerate()
        .map(|(i, r)| RemoteRow {
            remote_id: format!("rec{i:014}"),
            key: Some(r.key.clone()),
            observed_hash: fields_hash(&r.fields),
            fields: r.fields.clone(),
            created: None,
        })
        .collect();
    c.bench_function("mirror_plan_10000_unchanged", |b| {
        b.iter(|| {
            let plan = mirror::plan(
                black_box(&desired),
                black_box(&remote),
                &[],
                MirrorOptions::default(),
            )
            .expect("plan");
            assert!(plan.is_empty());
            plan
        });
    });
    let items: Vec<Item> = (0..N)
        .map(|i| Item {
            ident: format!("event:{i:06}"),
            href: format!("rec{i:014}"),
            etag: Some(format!("{i}")),
            hash: format!("{:016x}", i * 7919),
        })
        .collect();
    let status: Vec<Status> = items
        .iter()
        .map(|i| {
            let seen = Seen {
                href: Some(i.href.clone()),
                etag: i.etag.clone(),
                hash: i.hash.clone(),
            };
            Status {
                ident: i.ident.clone(),
                a: Some(seen.clone()),
                b: Some(seen),
            }
        })
        .collect();
    c.bench_function("two_way_plan_10000_unchanged", |b| {
        b.iter(|| {
            let plan = two_way::plan(
                black_box(&items),
                black_box(&items),
                black_box(&status),
                Policy::Report,
                false,
            )
            .expect("plan");
            assert!(plan.actions.is_empty());
            plan
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
