use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::ids::TaskId;
use crate::ports::source::{Cursor, Next};
use crate::tasks::Task;

fn task(id: u8, title: u8) -> Incoming {
    let mut t = Task::new(
        TaskId::new(format!("t{id}")).unwrap(),
        format!("title {title}"),
        chrono::DateTime::UNIX_EPOCH,
    );
    t.external = Some(ExternalRef::new("todo", format!("r{id}")).unwrap());
    Incoming::Record(t.into())
}

fn removal(id: u8) -> Removal {
    Removal {
        kind: RecordKind::Task,
        external: ExternalRef::new("todo", format!("r{id}")).unwrap(),
    }
}

fn page(upserts: Vec<Incoming>, removals: Vec<Removal>) -> Page {
    Page {
        upserts,
        removals,
        next: Next::Done(Cursor("c".into())),
        full: None,
    }
}

/// A store of one source's records by identity, as applying changes one by one leaves it.
fn apply(store: &mut BTreeMap<Identity, Incoming>, upserts: &[Incoming], removals: &[Removal]) {
    for u in upserts {
        store.insert(u.identity(), u.clone());
    }
    for r in removals {
        store.remove(&r.identity());
    }
}

#[test]
fn upserts_apply_before_removals_within_a_page_and_later_pages_win() {
    let mut r = Reducer::new();
    // A pending transaction removed and its posted form added on one page; another record
    // added and removed on one page is gone.
    r.push(page(vec![task(1, 0), task(2, 0)], vec![removal(2)]));
    // A later page brings record 2 back (Google un-cancels), and changes record 1.
    r.push(page(vec![task(2, 5), task(1, 7)], vec![]));
    r.push(page(vec![], vec![removal(3)]));
    assert_eq!(r.pages(), 3);
    let out = r.finish();
    assert_eq!(out.upserts, [task(1, 7), task(2, 5)]);
    assert_eq!(out.removals, [removal(3)]);
}

#[test]
fn the_sweep_removes_only_what_a_full_listing_missed_inside_its_scope() {
    let day = |d: &str| Some(d.parse::<Day>().unwrap());
    let mut r = Reducer::new();
    let mut p = page(vec![task(1, 0)], vec![removal(4)]);
    p.full = Some(Scope {
        from: day("2026-01-01"),
        to: day("2026-03-31"),
    });
    r.push(p);
    let out = r.finish();
    let id = |n: u8| removal(n).identity();
    let stored = [
        (id(1), day("2026-02-01")), // listed
        (id(2), day("2026-02-01")), // in scope, not listed: swept
        (id(3), day("2025-12-31")), // before the scope: kept
        (id(4), day("2026-02-01")), // removed by the update itself: not swept twice
        (id(5), None),              // no day: outside a bounded scope
    ];
    let gone = sweep(&out, stored.iter().map(|(i, d)| (i, *d)));
    assert_eq!(gone, [id(2)]);
    // An update that is not a full listing sweeps nothing.
    let mut r = Reducer::new();
    r.push(page(vec![task(1, 0)], vec![]));
    assert_eq!(sweep(&r.finish(), stored.iter().map(|(i, d)| (i, *d))), []);
    assert!(in_scope(
        &Scope {
            from: None,
            to: None
        },
        None
    ));
}

/// Pages as (upserted (record, title) pairs, removed records).
type Pages = Vec<(Vec<(u8, u8)>, Vec<u8>)>;

fn pages() -> impl Strategy<Value = Pages> {
    proptest::collection::vec(
        (
            proptest::collection::vec((0u8..6, 0u8..4), 0..5),
            proptest::collection::vec(0u8..6, 0..3),
        ),
        1..8,
    )
}

proptest! {
    #[test]
    fn a_reduction_equals_the_pages_applied_one_by_one_with_one_change_per_record(
        start in proptest::collection::vec((0u8..6, 0u8..4), 0..6),
        pages in pages(),
        repeat in proptest::collection::vec(0usize..8, 0..4),
    ) {
        // Pages may arrive again (a retry re-fetches one): a repeated page is applied again, in
        // both the reduction and the model.
        let mut order: Vec<usize> = (0..pages.len()).collect();
        for r in repeat {
            let at = r % pages.len();
            order.insert(at + 1, at);
        }
        let mut stepwise: BTreeMap<Identity, Incoming> = BTreeMap::new();
        for (id, title) in &start {
            let t = task(*id, *title);
            stepwise.insert(t.identity(), t);
        }
        let mut reduced_store = stepwise.clone();
        let mut reducer = Reducer::new();
        for &i in &order {
            let (ups, rems) = &pages[i];
            let ups: Vec<Incoming> = ups.iter().map(|(id, t)| task(*id, *t)).collect();
            let rems: Vec<Removal> = rems.iter().map(|id| removal(*id)).collect();
            apply(&mut stepwise, &ups, &rems);
            reducer.push(page(ups, rems));
        }
        let out = reducer.finish();
        let mut ids: Vec<Identity> = out.upserts.iter().map(Incoming::identity)
            .chain(out.removals.iter().map(Removal::identity)).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        prop_assert_eq!(ids.len(), n, "a record changed twice in one reduction");
        apply(&mut reduced_store, &out.upserts, &out.removals);
        prop_assert_eq!(reduced_store, stepwise);
    }
}

mod occurrences {
    use super::*;
    use crate::calendar::recurrence::Recurrence;
    use crate::calendar::{Event, EventStatus, Override};
    use crate::ids::EventId;
    use crate::ports::record::{Doc, StoredEvent};
    use crate::time::ZonedInstant;

    fn series(id: &str) -> StoredEvent {
        let tz = chrono_tz::Europe::Berlin;
        let at = |h| ZonedInstant::new(format!("2026-03-02T{h}:00:00Z").parse().unwrap(), tz);
        let mut e = Event::timed("Work", "Standup", at(8), at(9)).unwrap();
        e.recurrence = Some(Recurrence::rule("FREQ=WEEKLY").unwrap());
        e.external = Some(ExternalRef::new("google_calendar", format!("w/{id}")).unwrap());
        StoredEvent {
            id: EventId::new(format!("e-{id}")).unwrap(),
            record: e,
        }
    }

    fn change(day: u32, title: &str) -> Override {
        Override {
            recurrence_id: chrono::NaiveDate::from_ymd_opt(2026, 3, day)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
            time: None,
            title: Some(title.into()),
            status: None,
            this_and_future: false,
        }
    }

    fn occurrence(series_id: &str, day: u32, title: &str) -> Incoming {
        Incoming::Occurrence {
            series: ExternalRef::new("google_calendar", format!("w/{series_id}")).unwrap(),
            instance: ExternalRef::new("google_calendar", format!("w/{series_id}_{day}")).unwrap(),
            change: change(day, title),
        }
    }

    fn event(u: &Incoming) -> &StoredEvent {
        match u {
            Incoming::Record(Doc::Event(e)) => e,
            other => panic!("not an event: {other:?}"),
        }
    }

    #[test]
    fn occurrences_fold_into_their_series_in_the_update_or_the_store() {
        let mut stored_a = series("a");
        stored_a.record.overrides = vec![change(9, "kept from before"), change(16, "old")];
        let stored_b = series("b");
        let mut r = Reducer::new();
        r.push(page(
            vec![
                Incoming::Record(series("a").into()),
                occurrence("a", 16, "new"),
                occurrence("b", 23, "moved"),
                occurrence("c", 2, "orphan"),
                occurrence("d", 2, "gone with its series"),
            ],
            vec![Removal {
                kind: RecordKind::Event,
                external: ExternalRef::new("google_calendar", "w/d").unwrap(),
            }],
        ));
        let mut out = r.finish();
        let orphans = merge_occurrences(&mut out, |ext| match ext.external_id() {
            "w/a" => Some(stored_a.clone()),
            "w/b" => Some(stored_b.clone()),
            _ => None,
        });
        assert_eq!(
            orphans,
            [ExternalRef::new("google_calendar", "w/c").unwrap()]
        );
        assert_eq!(out.upserts.len(), 2);
        let a = event(&out.upserts[0]);
        let titles: Vec<&str> = a
            .record
            .overrides
            .iter()
            .map(|o| o.title.as_deref().unwrap())
            .collect();
        assert_eq!(titles, ["kept from before", "new"]);
        let b = event(&out.upserts[1]);
        assert_eq!(b.id, stored_b.id);
        assert_eq!(b.record.overrides, [change(23, "moved")]);
        assert_eq!(b.record.status, EventStatus::Confirmed);
    }
}
