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
