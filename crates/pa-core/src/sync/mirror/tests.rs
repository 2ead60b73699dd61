use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn row(key: &str, fields: Value) -> MirrorRow {
    let Value::Object(map) = fields else {
        unreachable!("fields are an object")
    };
    MirrorRow {
        key: key.to_owned(),
        fields: map.into_iter().collect(),
    }
}

/// A sink table as Airtable keeps it: rows with ids, a key cell, owned cells, and cells of the
/// person's own that pa never sees or writes.
#[derive(Debug, Clone, Default)]
struct Table {
    rows: Vec<Remote>,
    next_id: u32,
    requests: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
struct Remote {
    id: String,
    key: Option<String>,
    fields: BTreeMap<String, Value>,
    own: Option<String>,
    created: DateTime<Utc>,
}

/// What the sink does to values it stores: numbers come back as the sink prints them (`2.0` as
/// `2`) and empty cells are dropped, so hashes must be taken in canonical form.
fn as_stored(fields: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    fields
        .iter()
        .filter(|(_, v)| !is_empty_cell(v))
        .map(|(k, v)| {
            let v = match v.as_f64() {
                Some(f) if f.fract() == 0.0 => json!(f as i64),
                _ => v.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

impl Table {
    fn add(&mut self, key: Option<&str>, fields: BTreeMap<String, Value>, own: Option<&str>) {
        self.next_id += 1;
        self.rows.push(Remote {
            id: format!("rec{:05}", self.next_id),
            key: key.map(str::to_owned),
            fields: as_stored(&fields),
            own: own.map(str::to_owned),
            created: Utc
                .timestamp_opt(1_700_000_000 + i64::from(self.next_id), 0)
                .unwrap(),
        });
    }

    fn listing(&self) -> Vec<RemoteRow> {
        self.rows
            .iter()
            .map(|r| RemoteRow {
                remote_id: r.id.clone(),
                key: r.key.clone(),
                observed_hash: fields_hash(&r.fields),
                fields: r.fields.clone(),
                created: Some(r.created),
            })
            .collect()
    }

    /// Runs a plan as the sink would, refusing oversize batches and an upsert whose key matches
    /// several rows (Airtable fails the whole request then).
    fn run(&mut self, plan: &MirrorPlan, limit: usize) -> Vec<SinkStatus> {
        let mut status = Vec::new();
        for ids in plan.collapse.iter().chain(&plan.deletes) {
            assert!(ids.len() <= limit, "a delete of {} rows", ids.len());
            self.requests.push(ids.len());
            self.rows.retain(|r| !ids.contains(&r.id));
        }
        for batch in &plan.upserts {
            assert!(batch.len() <= limit, "an upsert of {} rows", batch.len());
            self.requests.push(batch.len());
            for wanted in batch {
                let matches: Vec<usize> = (0..self.rows.len())
                    .filter(|&i| self.rows[i].key.as_deref() == Some(wanted.key.as_str()))
                    .collect();
                assert!(matches.len() <= 1, "upsert matched {} rows", matches.len());
                match matches.first() {
                    Some(&i) => self.rows[i].fields = as_stored(&wanted.fields),
                    None => self.add(Some(&wanted.key), wanted.fields.clone(), None),
                }
                let r = self
                    .rows
                    .iter()
                    .find(|r| r.key.as_deref() == Some(wanted.key.as_str()))
                    .unwrap();
                status.push(SinkStatus {
                    key: wanted.key.clone(),
                    remote_id: r.id.clone(),
                    observed_hash: fields_hash(&r.fields),
                });
            }
        }
        status
    }
}

#[test]
fn empty_cells_and_number_forms_hash_alike() {
    let sent = row(
        "k",
        json!({"Name": "Ride", "Miles": 2.0, "Done": false, "Notes": "", "Tags": [], "Gone": null}),
    );
    let back = row("k", json!({"Name": "Ride", "Miles": 2}));
    assert_eq!(fields_hash(&sent.fields), fields_hash(&back.fields));
    let other = row("k", json!({"Name": "Ride", "Miles": 2.5}));
    assert_ne!(fields_hash(&sent.fields), fields_hash(&other.fields));
    // A value moved to another field is another row.
    let moved = row("k", json!({"Title": "Ride", "Miles": 2}));
    assert_ne!(fields_hash(&back.fields), fields_hash(&moved.fields));
}

#[test]
fn a_first_mirror_creates_in_batches_and_a_second_sends_nothing() {
    let desired: Vec<MirrorRow> = (0..23)
        .map(|i| {
            row(
                &format!("event:{i:02}"),
                json!({"Name": format!("e{i}"), "Day": ["recDay"]}),
            )
        })
        .collect();
    let mut table = Table::default();
    table.add(
        None,
        row("", json!({"Name": "my own row"})).fields,
        Some("note"),
    );
    let plan = plan(&desired, &table.listing(), &[], MirrorOptions::default()).unwrap();
    assert_eq!(
        (plan.created, plan.updated, plan.unchanged, plan.foreign),
        (23, 0, 0, 1)
    );
    assert_eq!(
        plan.upserts.iter().map(Vec::len).collect::<Vec<_>>(),
        [10, 10, 3]
    );
    let status = table.run(&plan, 10);
    let again = super::plan(
        &desired,
        &table.listing(),
        &status,
        MirrorOptions::default(),
    )
    .unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(again.unchanged, 23);
    // One changed row: exactly one request, of one row.
    let mut changed = desired.clone();
    changed[7].fields.insert("Name".into(), json!("renamed"));
    let one = super::plan(
        &changed,
        &table.listing(),
        &status,
        MirrorOptions::default(),
    )
    .unwrap();
    assert_eq!((one.requests(), one.updated), (1, 1));
}

#[test]
fn refusals_are_typed_errors() {
    let mut table = Table::default();
    for i in 0..30 {
        table.add(
            Some(&format!("k{i}")),
            row("", json!({"N": i})).fields,
            None,
        );
    }
    let listing = table.listing();
    assert_eq!(
        plan(&[], &listing, &[], MirrorOptions::default()),
        Err(Error::invalid(
            "mirror",
            "nothing to show would delete all 30 of pa's rows; force to allow it"
        ))
    );
    let few: Vec<MirrorRow> = (0..5)
        .map(|i| row(&format!("k{i}"), json!({"N": i})))
        .collect();
    assert_eq!(
        plan(&few, &listing, &[], MirrorOptions::default()),
        Err(Error::invalid(
            "mirror",
            "would delete 25 of pa's 30 rows; force to allow it"
        ))
    );
    let forced = MirrorOptions {
        force: true,
        ..MirrorOptions::default()
    };
    assert_eq!(plan(&few, &listing, &[], forced).unwrap().deleted(), 25);
    assert_eq!(
        plan(&[few[0].clone(), few[0].clone()], &listing, &[], forced),
        Err(Error::invalid("mirror rows", "the key 'k0' is given twice"))
    );
    assert_eq!(
        plan(
            &few,
            &listing,
            &[],
            MirrorOptions {
                batch_limit: 0,
                ..forced
            }
        ),
        Err(Error::invalid("batch limit", "must be at least 1"))
    );
}

#[test]
fn duplicates_keep_the_row_the_status_names() {
    let mut table = Table::default();
    let f = row("", json!({"N": 1})).fields;
    table.add(Some("k"), f.clone(), None);
    table.add(Some("k"), f.clone(), None);
    table.add(Some("k"), f, None);
    let status = [SinkStatus {
        key: "k".into(),
        remote_id: "rec00002".into(),
        observed_hash: String::new(),
    }];
    let desired = [row("k", json!({"N": 1}))];
    let p = plan(
        &desired,
        &table.listing(),
        &status,
        MirrorOptions::default(),
    )
    .unwrap();
    assert_eq!(
        p.collapse,
        [vec!["rec00001".to_owned(), "rec00003".to_owned()]]
    );
    assert_eq!((p.unchanged, p.upserts.len()), (1, 0));
    // Without a status row the oldest stays.
    let p = plan(&desired, &table.listing(), &[], MirrorOptions::default()).unwrap();
    assert_eq!(
        p.collapse,
        [vec!["rec00002".to_owned(), "rec00003".to_owned()]]
    );
}

fn desired_rows() -> impl Strategy<Value = Vec<MirrorRow>> {
    proptest::collection::btree_map(0u8..40, (0u8..4, any::<bool>()), 0..30).prop_map(|m| {
        m.into_iter()
            .map(|(k, (v, done))| {
                row(
                    &format!("k{k}"),
                    json!({"Value": f64::from(v), "Done": done, "Name": format!("n{}", v % 2)}),
                )
            })
            .collect()
    })
}

/// Hand edits between runs: the person changes an owned cell, deletes a row, copies one, or adds
/// a row of their own.
#[derive(Debug, Clone)]
enum Edit {
    Change(usize),
    Delete(usize),
    Copy(usize),
    Own,
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec(
        prop_oneof![
            (0usize..50).prop_map(Edit::Change),
            (0usize..50).prop_map(Edit::Delete),
            (0usize..50).prop_map(Edit::Copy),
            Just(Edit::Own),
        ],
        0..6,
    )
}

fn pa_rows(table: &Table) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for r in table.rows.iter().filter(|r| r.key.is_some()) {
        let previous = out.insert(r.key.clone().unwrap(), fields_hash(&r.fields));
        assert!(previous.is_none(), "key {:?} twice", r.key);
    }
    out
}

proptest! {
    #[test]
    fn reconcile_makes_the_table_equal_the_window_and_then_rests(
        runs in proptest::collection::vec((desired_rows(), edits()), 1..5),
        limit in 1usize..12,
    ) {
        let options = MirrorOptions { batch_limit: limit, force: true, ..MirrorOptions::default() };
        let mut table = Table::default();
        let mut status: Vec<SinkStatus> = Vec::new();
        for (desired, edits) in runs {
            for e in edits {
                let n = table.rows.len();
                match e {
                    Edit::Change(i) if n > 0 => { table.rows[i % n].fields.insert("Value".into(), json!(99)); }
                    Edit::Delete(i) if n > 0 => { table.rows.remove(i % n); }
                    Edit::Copy(i) if n > 0 => {
                        let r = table.rows[i % n].clone();
                        table.add(r.key.as_deref(), r.fields, None);
                    }
                    Edit::Own => table.add(None, row("", json!({"Name": "mine"})).fields, Some("mine")),
                    _ => {}
                }
            }
            let own_before: Vec<Remote> = table.rows.iter().filter(|r| r.key.is_none()).cloned().collect();
            let p = plan(&desired, &table.listing(), &status, options).unwrap();
            let written = table.run(&p, limit);
            // Status: what was written now, and what stood unchanged.
            let mut next: BTreeMap<String, SinkStatus> =
                status.into_iter().map(|s| (s.key.clone(), s)).collect();
            next.retain(|k, _| desired.iter().any(|d| &d.key == k));
            for s in written { next.insert(s.key.clone(), s); }
            status = next.into_values().collect();
            // pa's rows equal the window, by key and canonical hash, with no key twice.
            let want: BTreeMap<String, String> =
                desired.iter().map(|d| (d.key.clone(), fields_hash(&d.fields))).collect();
            prop_assert_eq!(pa_rows(&table), want);
            // The person's rows are untouched.
            let own_after: Vec<Remote> = table.rows.iter().filter(|r| r.key.is_none()).cloned().collect();
            prop_assert_eq!(own_before, own_after);
            // A second run sends nothing.
            let again = plan(&desired, &table.listing(), &status, options).unwrap();
            prop_assert!(again.is_empty(), "{:?}", again);
        }
        prop_assert!(table.requests.iter().all(|&n| n >= 1 && n <= limit));
    }

    #[test]
    fn a_run_cut_at_any_request_converges_on_the_next(
        before in desired_rows(),
        after in desired_rows(),
        cut in 0usize..20,
    ) {
        let options = MirrorOptions { force: true, ..MirrorOptions::default() };
        let mut table = Table::default();
        let first = plan(&before, &table.listing(), &[], options).unwrap();
        let status = table.run(&first, 10);
        // The second run stops after `cut` requests (the status of the run is lost with it).
        let p = plan(&after, &table.listing(), &status, options).unwrap();
        let mut partial = MirrorPlan::default();
        let mut left = cut;
        for ids in &p.collapse { if left > 0 { partial.collapse.push(ids.clone()); left -= 1; } }
        for b in &p.upserts { if left > 0 { partial.upserts.push(b.clone()); left -= 1; } }
        for ids in &p.deletes { if left > 0 { partial.deletes.push(ids.clone()); left -= 1; } }
        table.run(&partial, 10);
        let rerun = plan(&after, &table.listing(), &status, options).unwrap();
        table.run(&rerun, 10);
        let want: BTreeMap<String, String> =
            after.iter().map(|d| (d.key.clone(), fields_hash(&d.fields))).collect();
        prop_assert_eq!(pa_rows(&table), want);
    }
}
