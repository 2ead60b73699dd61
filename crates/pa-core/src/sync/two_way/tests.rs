use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

/// Two stores as maps of identity to content; an item's hash is its content, its etag a counter
/// bumped by every write (and by `Touch`, which changes the etag and not the content).
#[derive(Debug, Clone, Default, PartialEq)]
struct Stores {
    a: BTreeMap<String, (String, u32)>,
    b: BTreeMap<String, (String, u32)>,
    status: Vec<Status>,
}

fn listing(side: Side, items: &BTreeMap<String, (String, u32)>) -> Vec<Item> {
    items
        .iter()
        .map(|(ident, (content, etag))| Item {
            ident: ident.clone(),
            href: format!("{side:?}/{ident}"),
            etag: Some(etag.to_string()),
            hash: content.clone(),
        })
        .collect()
}

impl Stores {
    fn side(&mut self, side: Side) -> &mut BTreeMap<String, (String, u32)> {
        match side {
            Side::A => &mut self.a,
            Side::B => &mut self.b,
        }
    }

    fn write(&mut self, side: Side, ident: &str, content: String) {
        let store = self.side(side);
        let etag = store.get(ident).map_or(0, |(_, e)| e + 1);
        store.insert(ident.to_owned(), (content, etag));
    }

    fn plan(&self, policy: Policy) -> Plan {
        plan(
            &listing(Side::A, &self.a),
            &listing(Side::B, &self.b),
            &self.status,
            policy,
            true,
        )
        .unwrap()
    }

    /// Runs the first `steps` actions of a plan; the status is kept only when all ran (a cut run
    /// loses its status, as a killed process would).
    fn run(&mut self, plan: &Plan, steps: usize) {
        for action in plan.actions.iter().take(steps) {
            match action {
                Action::Upload { to, ident } | Action::Update { to, ident, .. } => {
                    let content = self.side(to.other())[ident].0.clone();
                    self.write(*to, ident, content);
                }
                Action::Delete { from, ident, .. } => {
                    self.side(*from).remove(ident);
                }
            }
        }
        if steps >= plan.actions.len() {
            self.status = plan.status_after(&self.status);
        }
    }

    fn sync(&mut self, policy: Policy) -> Plan {
        let p = self.plan(policy);
        self.run(&p, usize::MAX);
        p
    }

    fn contents(&self, side: Side) -> BTreeMap<String, String> {
        let items = match side {
            Side::A => &self.a,
            Side::B => &self.b,
        };
        items
            .iter()
            .map(|(k, (c, _))| (k.clone(), c.clone()))
            .collect()
    }
}

#[derive(Debug, Clone)]
enum Op {
    Write(Side, u8, u8),
    Delete(Side, u8),
    Touch(Side, u8),
    Sync(Policy),
    CutSync(Policy, usize),
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::A), Just(Side::B)]
}

fn policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::Report),
        Just(Policy::AWins),
        Just(Policy::BWins)
    ]
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(
        prop_oneof![
            (side(), 0u8..8, 0u8..4).prop_map(|(s, i, c)| Op::Write(s, i, c)),
            (side(), 0u8..8).prop_map(|(s, i)| Op::Delete(s, i)),
            (side(), 0u8..8).prop_map(|(s, i)| Op::Touch(s, i)),
            policy().prop_map(Op::Sync),
            (policy(), 0usize..6).prop_map(|(p, k)| Op::CutSync(p, k)),
        ],
        1..40,
    )
}

#[test]
fn the_decision_table() {
    let mut s = Stores::default();
    s.write(Side::A, "new-on-a", "1".into());
    s.write(Side::B, "new-on-b", "2".into());
    s.write(Side::A, "same", "x".into());
    s.write(Side::B, "same", "x".into());
    let p = s.sync(Policy::Report);
    assert_eq!(
        p.actions,
        [
            Action::Upload {
                to: Side::B,
                ident: "new-on-a".into()
            },
            Action::Upload {
                to: Side::A,
                ident: "new-on-b".into()
            },
        ]
    );
    // Edited on A: B is updated. Deleted on B and unchanged on A: deleted from A. Edited on both
    // differently: a conflict, reported, nothing written.
    s.write(Side::A, "same", "y".into());
    s.side(Side::B).remove("new-on-a");
    s.write(Side::A, "new-on-b", "3".into());
    s.write(Side::B, "new-on-b", "4".into());
    let p = s.plan(Policy::Report);
    assert_eq!(
        p.actions,
        [
            Action::Delete {
                from: Side::A,
                ident: "new-on-a".into(),
                href: "A/new-on-a".into()
            },
            Action::Update {
                to: Side::B,
                ident: "same".into(),
                href: "B/same".into()
            },
        ]
    );
    assert_eq!(
        p.conflicts,
        [Conflict {
            ident: "new-on-b".into(),
            a_hash: "3".into(),
            b_hash: "4".into()
        }]
    );
    // Under "B wins" the conflict is settled by B's version.
    s.sync(Policy::BWins);
    assert_eq!(s.contents(Side::A), s.contents(Side::B));
    assert_eq!(s.contents(Side::A)["new-on-b"], "4");
}

#[test]
fn an_edit_beats_a_deletion_and_etag_churn_is_no_change() {
    let mut s = Stores::default();
    s.write(Side::A, "i", "1".into());
    s.sync(Policy::Report);
    s.side(Side::B).remove("i");
    s.write(Side::A, "i", "2".into());
    let p = s.sync(Policy::Report);
    assert_eq!(
        p.actions,
        [Action::Upload {
            to: Side::B,
            ident: "i".into()
        }]
    );
    // An etag that moved with the content unchanged: nothing to do.
    let content = s.a["i"].0.clone();
    s.write(Side::A, "i", content);
    assert_ne!(
        s.a["i"].1,
        s.status[0]
            .a
            .as_ref()
            .unwrap()
            .etag
            .as_deref()
            .unwrap()
            .parse::<u32>()
            .unwrap()
    );
    let p = s.plan(Policy::Report);
    assert!(p.actions.is_empty() && p.conflicts.is_empty(), "{p:?}");
}

#[test]
fn refusals_write_nothing() {
    let item = |ident: &str| Item {
        ident: ident.into(),
        href: ident.into(),
        etag: None,
        hash: "h".into(),
    };
    assert_eq!(
        plan(&[item("x"), item("x")], &[], &[], Policy::Report, false),
        Err(Error::invalid("side A", "lists 'x' twice"))
    );
    let row = Status {
        ident: "x".into(),
        a: None,
        b: None,
    };
    assert_eq!(
        plan(
            &[],
            &[item("x")],
            std::slice::from_ref(&row),
            Policy::Report,
            false
        ),
        Err(Error::invalid(
            "side A",
            "lists nothing while the last sync saw items: refusing to delete them from the other side; force to allow it"
        ))
    );
    assert!(plan(&[], &[item("x")], &[row], Policy::Report, true).is_ok());
}

proptest! {
    #[test]
    fn sync_converges_rests_and_loses_no_edit(ops in ops()) {
        let mut s = Stores::default();
        for op in ops {
            match op {
                Op::Write(side, i, c) => s.write(side, &format!("i{i}"), format!("c{c}")),
                Op::Delete(side, i) => { s.side(side).remove(&format!("i{i}")); }
                Op::Touch(side, i) => {
                    let ident = format!("i{i}");
                    if let Some(content) = s.side(side).get(&ident).map(|(c, _)| c.clone()) {
                        s.write(side, &ident, content);
                    }
                }
                Op::CutSync(policy, k) => {
                    let p = s.plan(policy);
                    let mut whole = s.clone();
                    whole.run(&p, usize::MAX);
                    s.run(&p, k);
                    // The next run ends where the uninterrupted one did.
                    s.sync(policy);
                    prop_assert_eq!(s.contents(Side::A), whole.contents(Side::A));
                    prop_assert_eq!(s.contents(Side::B), whole.contents(Side::B));
                }
                Op::Sync(policy) => {
                    let before = s.clone();
                    let p = s.sync(policy);
                    let conflicted: Vec<&str> = p.conflicts.iter().map(|c| c.ident.as_str()).collect();
                    if policy != Policy::Report {
                        prop_assert!(conflicted.is_empty());
                    }
                    let (a, b) = (s.contents(Side::A), s.contents(Side::B));
                    let (was_a, was_b) = (before.contents(Side::A), before.contents(Side::B));
                    // Every item either agrees on both sides or is a reported conflict, untouched.
                    for ident in a.keys().chain(b.keys()) {
                        if conflicted.contains(&ident.as_str()) {
                            prop_assert_eq!(a.get(ident), was_a.get(ident));
                            prop_assert_eq!(b.get(ident), was_b.get(ident));
                        } else {
                            prop_assert_eq!(a.get(ident), b.get(ident), "{}", ident);
                        }
                    }
                    // No edit is lost: content present on a side before the sync that the
                    // status did not know is still somewhere after it.
                    for side in [Side::A, Side::B] {
                        for (ident, content) in before.contents(side) {
                            let known = before.status.iter().any(|r| {
                                r.ident == ident && r.side(side).is_some_and(|s| s.hash == content)
                            });
                            // A conflict settled by a policy overwrites the losing side.
                            let loser = match policy {
                                Policy::AWins => Some(Side::B),
                                Policy::BWins => Some(Side::A),
                                Policy::Report => None,
                            };
                            let other = before.contents(side.other()).get(&ident).cloned();
                            let overruled = loser == Some(side) && other.is_some_and(|o| o != content);
                            if !known && !overruled {
                                prop_assert!(
                                    a.get(&ident) == Some(&content) || b.get(&ident) == Some(&content),
                                    "the edit {} of {} on {:?} was lost", content, ident, side
                                );
                            }
                        }
                    }
                    // Every kept row agrees on both sides' hashes unless it is a conflict.
                    for row in &s.status {
                        if !conflicted.contains(&row.ident.as_str()) {
                            prop_assert_eq!(row.a.as_ref().map(|x| &x.hash), row.b.as_ref().map(|x| &x.hash));
                        }
                    }
                    // Planning again writes nothing.
                    let again = s.plan(policy);
                    prop_assert!(again.actions.is_empty(), "{:?}", again.actions);
                }
            }
        }
    }
}
