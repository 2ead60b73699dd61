//! Conformance cases for the generic record kinds, sync bookkeeping, logs, settings, retention and
//! the per-aggregate repositories.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use pa_core::calendar::recurrence::Recurrence;
use pa_core::calendar::{Event, EventStatus};
use pa_core::finance::budget::Budget;
use pa_core::finance::recurring::{RecurringOptions, detect_recurring};
use pa_core::finance::{
    BalanceSnapshot, Bill, Cadence, Expense, ExpenseCategory, Holding, InvestmentAction,
    InvestmentTransaction, Security, SecurityType,
};
use pa_core::fitness::DailyHealth;
use pa_core::fitness::adherence::{AdherenceOptions, WeeklyAdherence, weekly_adherence};
use pa_core::fitness::pmc::PmcOptions;
use pa_core::fitness::trends::{DailySeries, HealthMetric, HrvOptions, hrv_status};
use pa_core::fitness::{BodyComposition, PlannedWorkout, Sport, TrainingPlan};
use pa_core::habits::{EntryValue, Frequency, Habit, HabitEntry};
use pa_core::ids::{
    AccountId, BillId, EventId, ExpenseCategoryId, ExpenseId, ExternalRef, HabitId,
    InvestmentTransactionId, NoteId, PlanId, ProjectId, RecipeId, ReminderId, SecurityId, TaskId,
    WorkoutId,
};
use pa_core::journal::{DailyCheckIn, Memory, Note};
use pa_core::meals::{Ingredient, MealSlot, PlannedMeal, Recipe};
use pa_core::ports::{
    AuditAction, CalendarRepository, Doc, FinanceRepository, FitnessRepository, HabitEntryRecord,
    HabitRepository, HealthRepository, HrvRepository, JournalRepository, LlmUsage, PruneTarget,
    RecordKind, RecordRef, ReviewRepository, Setting, StoredEvent, StoredHabit, SyncOutcome,
    SyncRecord, SyncRun, TaskRepository, UserStore, WriteBatch, WriteReport,
};
use pa_core::review::{ReviewData, weekly_review};
use pa_core::tasks::{Channel, Due, Project, Reminder, Task};
use pa_core::time::{Day, Week, ZonedInstant, parse_zone};

use super::{Backend, account, activity, day, transaction, usd};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn berlin(s: &str) -> ZonedInstant {
    ZonedInstant::new(at(s), parse_zone("Europe/Berlin").unwrap())
}

fn habit(id: &str) -> StoredHabit {
    StoredHabit {
        id: HabitId::new(id).unwrap(),
        record: Habit::yes_no(id, Frequency::DAILY),
    }
}

fn entry(h: &str, d: &str, value: EntryValue) -> Doc {
    HabitEntryRecord {
        habit: HabitId::new(h).unwrap(),
        entry: HabitEntry { day: day(d), value },
    }
    .into()
}

fn task(id: &str, due: &str) -> Task {
    let mut t = Task::new(TaskId::new(id).unwrap(), id, at("2026-02-20T09:00:00Z"));
    t.due = Some(Due::Day { day: day(due) });
    t
}

fn weekly_event() -> StoredEvent {
    let mut e = Event::timed(
        "Work",
        "Standup",
        berlin("2026-03-02T08:00:00Z"),
        berlin("2026-03-02T08:15:00Z"),
    )
    .unwrap();
    e.recurrence = Some(Recurrence::rule("FREQ=WEEKLY;BYDAY=MO,WE").unwrap());
    e.external = Some(ExternalRef::new("google-calendar", "evt-1").unwrap());
    StoredEvent {
        id: EventId::new("standup").unwrap(),
        record: e,
    }
}

fn one_off_event() -> StoredEvent {
    StoredEvent {
        id: EventId::new("dentist").unwrap(),
        record: Event::timed(
            "Personal",
            "Dentist",
            berlin("2026-03-04T14:00:00Z"),
            berlin("2026-03-04T15:00:00Z"),
        )
        .unwrap(),
    }
}

/// One record of every generic kind (with the accounts, activities and balances they lean on).
pub fn every_kind() -> WriteBatch {
    let chk = AccountId::new("chk").unwrap();
    let mut brokerage = account("brk");
    brokerage.kind = pa_core::finance::AccountType::Investment;
    let mut workout =
        PlannedWorkout::new(WorkoutId::new("w1").unwrap(), day("2026-03-03"), Sport::Run);
    workout.load = Some(50.0);
    let security = Security {
        id: SecurityId::new("vti").unwrap(),
        symbol: Some("VTI".into()),
        name: "Total Market".into(),
        kind: SecurityType::Etf,
        currency: usd("1").currency(),
    };
    let holding = Holding::new(
        brokerage.id.clone(),
        security.id.clone(),
        day("2026-03-01"),
        "10".parse().unwrap(),
        usd("250.00"),
    )
    .unwrap();
    let docs: Vec<Doc> = vec![
        BodyComposition::weight(berlin("2026-03-02T06:00:00Z"), 71.5).into(),
        TrainingPlan {
            id: PlanId::new("spring").unwrap(),
            name: "Spring".into(),
            start: day("2026-03-02"),
            end: day("2026-03-29"),
            workouts: vec![workout],
        }
        .into(),
        habit("meditate").into(),
        entry("meditate", "2026-03-02", EntryValue::Yes),
        entry("meditate", "2026-03-03", EntryValue::Yes),
        Project {
            id: ProjectId::new("house").unwrap(),
            name: "House".into(),
            archived: false,
        }
        .into(),
        task("taxes", "2026-03-04").into(),
        Reminder {
            id: ReminderId::new("r1").unwrap(),
            task: Some(TaskId::new("taxes").unwrap()),
            message: "Taxes".into(),
            remind_at: berlin("2026-03-04T07:00:00Z"),
            channels: vec![Channel::Push],
            sent: false,
            schedule: None,
        }
        .into(),
        weekly_event().into(),
        one_off_event().into(),
        DailyCheckIn {
            day: day("2026-03-02"),
            answers: Vec::new(),
            mood: Some(4),
            energy: Some(3),
            notes: "fine".into(),
        }
        .into(),
        Note {
            id: NoteId::new("n1").unwrap(),
            title: "Idea".into(),
            body: "Ride to the coast".into(),
            tags: vec!["ideas".into()],
            created: at("2026-03-02T20:00:00Z"),
        }
        .into(),
        Memory {
            id: NoteId::new("m1").unwrap(),
            content: "Prefers morning runs".into(),
            tags: Vec::new(),
            importance: 3,
            created: at("2026-03-02T20:00:00Z"),
            last_accessed: None,
        }
        .into(),
        Budget {
            category: "Food".parse().unwrap(),
            month: "2026-03".parse().unwrap(),
            amount: usd("400.00"),
        }
        .into(),
        security.into(),
        holding.into(),
        InvestmentTransaction {
            id: InvestmentTransactionId::new("buy-1").unwrap(),
            external: Some(ExternalRef::new("ofx", "broker/1").unwrap()),
            account: brokerage.id.clone(),
            security: Some(SecurityId::new("vti").unwrap()),
            day: day("2026-03-01"),
            action: InvestmentAction::Buy,
            quantity: Some("10".parse().unwrap()),
            price: Some(usd("250.00")),
            amount: usd("-2504.95"),
            fees: Some(usd("4.95")),
            description: "Buy 10 VTI".into(),
        }
        .into(),
        Bill {
            id: BillId::new("rent").unwrap(),
            name: "Rent".into(),
            account: Some(chk.clone()),
            merchant: Some("Landlord".into()),
            category: Some("Housing".parse().unwrap()),
            amount: usd("1200.00"),
            cadence: Cadence::Monthly,
            next_due: day("2026-04-01"),
        }
        .into(),
        ExpenseCategory {
            id: ExpenseCategoryId::new("food").unwrap(),
            name: "Food".into(),
            parent: None,
        }
        .into(),
        Expense {
            id: ExpenseId::new("e1").unwrap(),
            day: day("2026-03-03"),
            amount: usd("12.00"),
            category: Some(ExpenseCategoryId::new("food").unwrap()),
            description: "Lunch".into(),
        }
        .into(),
        Recipe {
            id: RecipeId::new("soup").unwrap(),
            name: "Soup".into(),
            servings: 2,
            ingredients: vec![Ingredient {
                name: "Leek".into(),
                quantity: None,
            }],
        }
        .into(),
        PlannedMeal {
            day: day("2026-03-03"),
            slot: MealSlot::Dinner,
            recipe: RecipeId::new("soup").unwrap(),
            servings: 2,
        }
        .into(),
    ];
    let mut t1 = transaction("t1", "chk", "2026-03-03", "-42.00");
    t1.category = Some("Food/Groceries".parse().unwrap());
    WriteBatch {
        accounts: vec![account("chk"), brokerage],
        activities: vec![activity("a1", None, "2026-03-03T06:00:00Z", 55.0)],
        transactions: vec![t1],
        balances: vec![
            BalanceSnapshot::new(chk.clone(), day("2026-02-20"), usd("900.00")),
            BalanceSnapshot::new(chk, day("2026-03-04"), usd("858.00")),
        ],
        records: docs,
        ..WriteBatch::default()
    }
}

/// Every kind written reads back equal.
pub fn every_kind_round_trips(b: &impl Backend) {
    let (alice, bob) = b.two_users();
    let batch = every_kind();
    let first = alice.apply(&batch).unwrap();
    let n = (batch.records.len() + 2 + 1 + 1 + 2) as u64;
    assert_eq!(first.added, n);
    let again = alice.apply(&batch).unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, n));
    let kinds: std::collections::BTreeSet<RecordKind> =
        batch.records.iter().map(Doc::kind).collect();
    assert_eq!(kinds.len(), 20, "every generic kind is exercised");
    for kind in kinds {
        let want: Vec<&Doc> = batch.records.iter().filter(|d| d.kind() == kind).collect();
        let got = pa_core::ports::docs_of(&alice, kind, None)
            .unwrap()
            .unwrap();
        assert_eq!(got.len(), want.len(), "{kind}");
        for d in want {
            assert!(got.contains(d), "{kind}: {d:?} came back changed");
        }
        assert!(
            pa_core::ports::docs_of(&bob, kind, None)
                .unwrap()
                .unwrap()
                .is_empty(),
            "{kind} leaked to Bob"
        );
    }
    let h: Option<StoredHabit> = alice.record("meditate").unwrap();
    assert_eq!(h, Some(habit("meditate")));
    let entries: Vec<HabitEntryRecord> = alice.children("meditate").unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].entry.day, day("2026-03-02"));
}

/// Deletes and prunes touch only their person's records.
pub fn deletes_and_prunes_stay_with_their_person(b: &impl Backend) {
    let (alice, bob) = b.two_users();
    let batch = every_kind();
    bob.apply(&batch).unwrap();
    let mut before = Vec::new();
    crate::storage::transfer::export_jsonl(&bob, &mut before, &[]).unwrap();
    // Alice names every one of Bob's records, and prunes everything: Bob keeps all of it.
    let mut refs: Vec<RecordRef> = batch
        .records
        .iter()
        .map(|d| RecordRef::new(d.kind(), d.key()))
        .collect();
    refs.push(RecordRef::new(RecordKind::Account, "chk"));
    refs.push(RecordRef::new(RecordKind::Activity, "a1"));
    refs.push(RecordRef::new(RecordKind::Balance, "chk/2026-03-04"));
    let report = alice
        .apply(&WriteBatch {
            deletions: refs,
            ..WriteBatch::default()
        })
        .unwrap();
    assert_eq!(report.deleted, 0);
    for kind in RecordKind::ALL {
        assert_eq!(
            alice
                .prune(PruneTarget::Record(kind), day("2100-01-01"))
                .unwrap(),
            0
        );
    }
    let mut after = Vec::new();
    crate::storage::transfer::export_jsonl(&bob, &mut after, &[]).unwrap();
    assert_eq!(before, after, "Bob's data is exactly as it was");
    assert_eq!(
        pa_core::ports::docs_of(&bob, RecordKind::Habit, None)
            .unwrap()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(bob.accounts().unwrap().len(), 2);
    assert_eq!(
        bob.balances(day("2000-01-01"), day("2100-01-01"))
            .unwrap()
            .len(),
        2
    );
}

/// A span selects the records whose span overlaps it.
pub fn spans_select_what_overlaps(b: &impl Backend) {
    let (alice, _) = b.two_users();
    alice.apply(&every_kind()).unwrap();
    let ids = |from: &str, to: &str| -> Vec<String> {
        alice
            .records::<StoredEvent>(Some((day(from), day(to))))
            .unwrap()
            .into_iter()
            .map(|e| e.id.to_string())
            .collect()
    };
    assert_eq!(ids("2026-03-01", "2026-03-31"), ["standup", "dentist"]);
    assert_eq!(
        ids("2027-01-01", "2027-01-31"),
        ["standup"],
        "recurring is open-ended"
    );
    assert!(
        ids("2026-01-01", "2026-02-28").is_empty(),
        "nothing before it starts"
    );
    let tasks: Vec<Task> = alice
        .records(Some((day("2026-03-04"), day("2026-03-04"))))
        .unwrap();
    assert_eq!(tasks.len(), 1);
    // A task lives from its creation (02-20) until it is finished: open, it is in every later
    // window, and in none before it was created.
    let later: Vec<Task> = alice
        .records(Some((day("2027-01-01"), day("2027-01-31"))))
        .unwrap();
    assert_eq!(later.len(), 1);
    let none: Vec<Task> = alice
        .records(Some((day("2026-01-01"), day("2026-02-18"))))
        .unwrap();
    assert!(none.is_empty());
    let mut done = task("taxes", "2026-03-04");
    done.complete(at("2026-03-06T10:00:00Z"));
    alice
        .apply(&WriteBatch {
            records: vec![done.into()],
            ..WriteBatch::default()
        })
        .unwrap();
    let after: Vec<Task> = alice
        .records(Some((day("2026-03-09"), day("2026-03-31"))))
        .unwrap();
    assert!(
        after.is_empty(),
        "finished on 03-06, gone from later windows"
    );
    // Spanless records (habits) only come back unbounded.
    assert!(
        alice
            .records::<StoredHabit>(Some((day("2000-01-01"), day("2100-01-01"))))
            .unwrap()
            .is_empty()
    );
    let plans: Vec<TrainingPlan> = alice
        .records(Some((day("2026-03-20"), day("2026-04-20"))))
        .unwrap();
    assert_eq!(plans.len(), 1, "a plan overlapping the window");
}

/// A child of an unknown parent is refused; deleting a parent deletes its children.
pub fn parents_are_checked_and_deletes_cascade(b: &impl Backend) {
    let (alice, _) = b.two_users();
    alice.apply(&every_kind()).unwrap();
    let err = alice
        .apply(&WriteBatch {
            records: vec![entry("ghost", "2026-03-02", EntryValue::Yes)],
            ..WriteBatch::default()
        })
        .unwrap_err();
    assert!(
        err.to_string().contains("habit_entry ghost/2026-03-02")
            && err.to_string().contains("habit ghost is unknown"),
        "{err}"
    );
    alice
        .apply(&WriteBatch {
            sync_records: vec![SyncRecord {
                source: "loop".into(),
                kind: RecordKind::Habit,
                local_key: "meditate".into(),
                remote_id: "42".into(),
                hash: None,
                etag: None,
                synced_at: at("2026-03-05T00:00:00Z"),
            }],
            ..WriteBatch::default()
        })
        .unwrap();
    let report = alice
        .apply(&WriteBatch {
            deletions: vec![
                RecordRef::new(RecordKind::Habit, "meditate"),
                RecordRef::new(RecordKind::Account, "brk"),
                RecordRef::new(RecordKind::Task, "never-existed"),
                RecordRef::new(RecordKind::Balance, "chk/2026-02-20"),
            ],
            ..WriteBatch::default()
        })
        .unwrap();
    assert_eq!(
        report.deleted, 3,
        "the missing task is no error and not counted"
    );
    assert!(
        alice
            .children::<HabitEntryRecord>("meditate")
            .unwrap()
            .is_empty()
    );
    assert!(
        alice.records::<Holding>(None).unwrap().is_empty(),
        "holdings went with brk"
    );
    assert!(
        alice.sync_records("loop").unwrap().is_empty(),
        "mapping went too"
    );
    assert_eq!(alice.accounts().unwrap().len(), 1);
    assert_eq!(
        alice
            .balances(day("2000-01-01"), day("2100-01-01"))
            .unwrap()
            .len(),
        1
    );
    let err = alice
        .apply(&WriteBatch {
            deletions: vec![RecordRef::new(RecordKind::Balance, "no-slash")],
            ..WriteBatch::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("not account/day"), "{err}");
    // Deleting an account deletes its transactions.
    alice
        .apply(&WriteBatch {
            deletions: vec![RecordRef::new(RecordKind::Account, "chk")],
            ..WriteBatch::default()
        })
        .unwrap();
    assert!(
        alice
            .transactions(day("2000-01-01"), day("2100-01-01"))
            .unwrap()
            .is_empty()
    );
}

/// A record from a source keeps one identity however it is named.
pub fn external_refs_keep_one_identity(b: &impl Backend) {
    let (alice, _) = b.two_users();
    alice.apply(&every_kind()).unwrap();
    let mut moved = weekly_event();
    moved.id = EventId::new("a-new-id").unwrap();
    moved.record.title = "Daily sync".into();
    let report = alice
        .apply(&WriteBatch {
            records: vec![moved.into()],
            ..WriteBatch::default()
        })
        .unwrap();
    assert_eq!((report.added, report.updated), (0, 1));
    let e: StoredEvent = alice.record("standup").unwrap().unwrap();
    assert_eq!(e.record.title, "Daily sync");
    assert!(alice.record::<StoredEvent>("a-new-id").unwrap().is_none());
}

/// Records repeated within one batch (the same key; the same external reference under another
/// key) come out the same whether the person's table was empty or not when the batch began.
pub fn repeats_in_a_batch_meet_an_empty_table_as_a_full_one(b: &impl Backend) {
    let (alice, bob) = b.two_users();
    // Bob's events table holds one of his events first; Alice's holds nothing of hers.
    bob.apply(&WriteBatch {
        records: vec![one_off_event().into()],
        ..WriteBatch::default()
    })
    .unwrap();
    let first = weekly_event();
    let mut renamed = weekly_event();
    renamed.id = EventId::new("a-new-id").unwrap();
    renamed.record.title = "Daily sync".into();
    let mut again = first.clone();
    again.record.title = "Standup again".into();
    let batch = WriteBatch {
        records: vec![
            first.clone().into(),
            first.into(),
            renamed.into(),
            again.into(),
        ],
        ..WriteBatch::default()
    };
    let report = |u: &dyn Fn(&WriteBatch) -> WriteReport| u(&batch);
    let for_alice = report(&|b| alice.apply(b).unwrap());
    let for_bob = report(&|b| bob.apply(b).unwrap());
    assert_eq!(
        (for_alice.added, for_alice.updated, for_alice.unchanged),
        (1, 2, 1)
    );
    assert_eq!(for_alice, for_bob);
    for user in [&alice, &bob] {
        let e: StoredEvent = user.record("standup").unwrap().unwrap();
        assert_eq!(e.record.title, "Standup again");
        assert!(user.record::<StoredEvent>("a-new-id").unwrap().is_none());
    }
    assert_eq!(alice.records::<StoredEvent>(None).unwrap().len(), 1);
    assert_eq!(bob.records::<StoredEvent>(None).unwrap().len(), 2);
}

/// Sync bookkeeping, LLM usage, settings and the audit log round-trip per person.
pub fn logs_settings_and_audit(b: &impl Backend) {
    let (alice, bob) = b.two_users();
    let mut batch = every_kind();
    batch.origin = Some("import:demo".into());
    let usage = |t: &str, model: &str, tokens: u64| LlmUsage {
        at: at(t),
        model: model.into(),
        purpose: Some("weekly-review".into()),
        tokens_in: tokens,
        tokens_out: 10,
        cost: Some(usd("0.0031")),
    };
    batch.llm_usage = vec![
        usage("2026-03-01T10:00:00Z", "sonnet", 100),
        usage("2026-03-02T10:00:00Z", "haiku", 50),
    ];
    batch.settings = vec![
        Setting {
            key: "zone".into(),
            value: Some("\"Europe/Berlin\"".into()),
        },
        Setting {
            key: "units.distance".into(),
            value: Some("\"km\"".into()),
        },
    ];
    let run = SyncRun {
        source: "garmin".into(),
        started: at("2026-03-05T06:00:00Z"),
        finished: None,
        added: 0,
        updated: 0,
        deleted: 0,
        outcome: SyncOutcome::Running,
        error: None,
    };
    batch.sync_runs = vec![run.clone()];
    let report = alice.apply(&batch).unwrap();
    let everything = (day("2000-01-01"), day("2100-01-01"));
    let audit = alice.audit_log(everything.0, everything.1).unwrap();
    assert_eq!(
        audit.len() as u64,
        report.added,
        "one entry per added record"
    );
    assert!(
        audit
            .iter()
            .all(|e| e.origin == "import:demo" && e.action == AuditAction::Added)
    );
    // Re-applying changes nothing, so the audit log does not grow; a batch without an origin is
    // not audited.
    alice.apply(&batch).unwrap();
    let mut quiet = every_kind();
    quiet.records.retain(|d| d.kind() == RecordKind::Task);
    if let Some(Doc::Task(t)) = quiet.records.first_mut() {
        t.title = "File taxes".into();
    }
    quiet.accounts.clear();
    quiet.activities.clear();
    quiet.transactions.clear();
    quiet.balances.clear();
    alice.apply(&quiet).unwrap();
    assert_eq!(
        alice.audit_log(everything.0, everything.1).unwrap().len(),
        audit.len()
    );
    quiet.origin = Some("sync:todoist".into());
    quiet.deletions = vec![RecordRef::new(RecordKind::Note, "n1")];
    if let Some(Doc::Task(t)) = quiet.records.first_mut() {
        t.title = "File the taxes".into();
    }
    alice.apply(&quiet).unwrap();
    let tail: Vec<(RecordKind, String, AuditAction)> = alice
        .audit_log(everything.0, everything.1)
        .unwrap()
        .into_iter()
        .skip(audit.len())
        .map(|e| (e.kind, e.key, e.action))
        .collect();
    assert_eq!(
        tail,
        [
            (RecordKind::Task, "taxes".to_owned(), AuditAction::Updated),
            (RecordKind::Note, "n1".to_owned(), AuditAction::Deleted)
        ]
    );
    let blank = WriteBatch {
        origin: Some("  ".into()),
        ..WriteBatch::default()
    };
    assert!(alice.apply(&blank).is_err());

    // LLM usage: one per instant and model; totals per model.
    let u = alice.llm_usage(everything.0, everything.1).unwrap();
    assert_eq!(u, batch.llm_usage, "re-applied usage is not counted twice");
    assert_eq!(
        alice
            .llm_usage(day("2026-03-02"), day("2026-03-02"))
            .unwrap()
            .len(),
        1
    );
    let totals = pa_core::ports::llm_totals(&u).unwrap();
    assert_eq!(totals[0].model, "haiku");
    // Settings: set, read, remove.
    let keys: Vec<String> = alice
        .settings()
        .unwrap()
        .into_iter()
        .map(|s| s.key)
        .collect();
    assert_eq!(keys, ["units.distance", "zone"]);
    alice
        .apply(&WriteBatch {
            settings: vec![Setting {
                key: "zone".into(),
                value: None,
            }],
            ..WriteBatch::default()
        })
        .unwrap();
    assert_eq!(alice.settings().unwrap().len(), 1);
    assert!(
        alice
            .apply(&WriteBatch {
                settings: vec![Setting {
                    key: "Bad Key".into(),
                    value: Some("1".into()),
                }],
                ..WriteBatch::default()
            })
            .is_err()
    );
    // Sync runs: the finished run replaces the running one.
    let done = SyncRun {
        finished: Some(at("2026-03-05T06:01:00Z")),
        added: 3,
        outcome: SyncOutcome::Succeeded,
        ..run
    };
    let older = SyncRun {
        started: at("2026-03-04T06:00:00Z"),
        source: "plaid".into(),
        outcome: SyncOutcome::Failed,
        error: Some("ITEM_LOGIN_REQUIRED".into()),
        ..done.clone()
    };
    alice
        .apply(&WriteBatch {
            sync_runs: vec![done.clone(), older.clone()],
            ..WriteBatch::default()
        })
        .unwrap();
    assert_eq!(
        alice.sync_runs(None, 10).unwrap(),
        [done.clone(), older.clone()]
    );
    assert_eq!(alice.sync_runs(Some("plaid"), 10).unwrap(), [older]);
    assert_eq!(alice.sync_runs(None, 1).unwrap(), [done]);
    assert!(bob.sync_runs(None, 10).unwrap().is_empty());
    assert!(bob.settings().unwrap().is_empty());
    assert!(
        bob.audit_log(everything.0, everything.1)
            .unwrap()
            .is_empty()
    );
    assert!(
        bob.llm_usage(everything.0, everything.1)
            .unwrap()
            .is_empty()
    );
}

/// A prune removes only what ended before the cutoff.
pub fn prune_removes_only_what_ended_before(b: &impl Backend) {
    let (alice, _) = b.two_users();
    let mut batch = every_kind();
    batch
        .records
        .push(entry("meditate", "2025-12-31", EntryValue::No));
    batch.origin = Some("import:old".into());
    alice.apply(&batch).unwrap();
    let cutoff = day("2026-03-03");
    assert_eq!(
        alice
            .prune(PruneTarget::Record(RecordKind::HabitEntry), cutoff)
            .unwrap(),
        2
    );
    let left: Vec<HabitEntryRecord> = alice.records(None).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].entry.day, cutoff, "the cutoff day is kept");
    assert_eq!(
        alice
            .prune(PruneTarget::Record(RecordKind::Event), day("2030-01-01"))
            .unwrap(),
        1,
        "the one-off goes; the recurring event is open-ended and stays"
    );
    assert_eq!(
        alice
            .prune(PruneTarget::Record(RecordKind::Habit), day("2030-01-01"))
            .unwrap(),
        0,
        "spanless records are never pruned"
    );
    assert_eq!(
        alice
            .prune(PruneTarget::Record(RecordKind::Balance), cutoff)
            .unwrap(),
        1
    );
    assert_eq!(
        alice
            .prune(PruneTarget::Record(RecordKind::Activity), day("2030-01-01"))
            .unwrap(),
        1
    );
    let everything = (day("2000-01-01"), day("2100-01-01"));
    assert!(
        !alice
            .audit_log(everything.0, everything.1)
            .unwrap()
            .is_empty()
    );
    let tomorrow = Day::from_naive(Utc::now().date_naive()).succ().unwrap();
    assert!(alice.prune(PruneTarget::Audit, tomorrow).unwrap() > 0);
    assert!(
        alice
            .audit_log(everything.0, everything.1)
            .unwrap()
            .is_empty()
    );
    assert_eq!(alice.prune(PruneTarget::SyncRuns, tomorrow).unwrap(), 0);
}

/// The repositories give what pa-core's pure functions give on the same records.
pub fn repositories_agree_with_the_pure_functions(b: &impl Backend) {
    let (alice, _) = b.two_users();
    let batch = every_kind();
    alice.apply(&batch).unwrap();
    let zone = parse_zone("Europe/Berlin").unwrap();
    let week: Week = "10-26".parse().unwrap();
    let now = "2026-06-01T00:00:00Z".parse().unwrap();
    let from_store = alice
        .weekly_review(week, zone, now, PmcOptions::default())
        .unwrap();
    // The same review from the batch itself, through the pure function.
    let pick = |k: RecordKind| batch.records.iter().filter(move |d| d.kind() == k);
    let plans: Vec<PlannedWorkout> = pick(RecordKind::TrainingPlan)
        .flat_map(|d| match d {
            Doc::TrainingPlan(p) => p.workouts.clone(),
            _ => Vec::new(),
        })
        .collect();
    let entries: Vec<HabitEntry> = pick(RecordKind::HabitEntry)
        .filter_map(|d| match d {
            Doc::HabitEntry(e) => Some(e.entry),
            _ => None,
        })
        .collect();
    let habits = vec![(habit("meditate").record, entries)];
    let tasks: Vec<Task> = pick(RecordKind::Task)
        .filter_map(|d| match d {
            Doc::Task(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let events: Vec<Event> = pick(RecordKind::Event)
        .filter_map(|d| match d {
            Doc::Event(e) => Some(e.record.clone()),
            _ => None,
        })
        .collect();
    let budgets: Vec<Budget> = pick(RecordKind::Budget)
        .filter_map(|d| match d {
            Doc::Budget(b) => Some(b.clone()),
            _ => None,
        })
        .collect();
    let checkins: Vec<DailyCheckIn> = pick(RecordKind::CheckIn)
        .filter_map(|d| match d {
            Doc::CheckIn(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let body: Vec<BodyComposition> = batch
        .records
        .iter()
        .filter_map(|d| match d {
            Doc::BodyComposition(b) => Some(b.clone()),
            _ => None,
        })
        .collect();
    let pure = weekly_review(
        week,
        &ReviewData {
            zone,
            now,
            activities: &batch.activities,
            loads: None,
            planned: &plans,
            pmc: PmcOptions::default(),
            health: &[],
            body: &body,
            habits: &habits,
            tasks: &tasks,
            events: &events,
            accounts: &batch.accounts,
            transactions: &batch.transactions,
            budgets: &budgets,
            balances: &batch.balances,
            checkins: &checkins,
        },
    )
    .unwrap();
    assert_eq!(from_store, pure);
    let pct = from_store.habits[0].completion_pct.unwrap();
    assert!((pct - 200.0 / 7.0).abs() < 1e-9, "2 of 7 days: {pct}");
    assert!(!from_store.net_worth.is_empty());
    assert_eq!(from_store.budgets.len(), 1);

    // Calendar: the week's standups (Mon, Wed) and the dentist, in time order.
    let occ = alice
        .occurrences(day("2026-03-02"), day("2026-03-08"), zone)
        .unwrap();
    let titles: Vec<&str> = occ.iter().map(|o| o.title.as_str()).collect();
    assert_eq!(titles, ["Standup", "Standup", "Dentist"]);
    assert!(occ.iter().all(|o| o.status == EventStatus::Confirmed));
    // Tasks, habits, training and money views.
    let now = at("2026-03-05T12:00:00Z");
    assert_eq!(alice.tasks_overdue(now, zone).unwrap().len(), 1);
    assert!(alice.tasks_due_today(now, zone).unwrap().is_empty());
    assert_eq!(alice.project_rollups(now, zone).unwrap().len(), 1);
    let hw = alice.habits_with_entries(day("2026-03-02")).unwrap();
    assert_eq!(hw[0].1.len(), 1, "entries after `through` are left out");
    let pmc = alice
        .pmc(day("2026-03-08"), &PmcOptions::default())
        .unwrap()
        .unwrap();
    assert!(pmc.on(day("2026-03-08")).is_some());
    assert_eq!(
        alice
            .planned_workouts(day("2026-03-01"), day("2026-03-31"))
            .unwrap()
            .len(),
        1
    );
    let budgets = alice
        .budget_status("2026-03".parse().unwrap(), day("2026-03-05"))
        .unwrap();
    assert_eq!(budgets[0].spent, usd("42.00"));
    // Adherence, recurring bills and net worth over the recorded span equal the pure functions
    // over the same data.
    let options = AdherenceOptions::default();
    let week_acts: Vec<_> = batch
        .activities
        .iter()
        .filter(|a| a.start.local_day().week() == week)
        .cloned()
        .collect();
    let pure_week = weekly_adherence(&plans, &week_acts, &options)
        .unwrap()
        .into_iter()
        .find(|w| w.week == week)
        .unwrap();
    assert_eq!(alice.adherence(week, &options).unwrap(), pure_week);
    let quiet: Week = "30-26".parse().unwrap();
    assert_eq!(
        alice.adherence(quiet, &options).unwrap(),
        WeeklyAdherence::empty(quiet)
    );
    let as_of = day("2026-12-31");
    assert_eq!(
        alice
            .recurring_bills(as_of, &RecurringOptions::default())
            .unwrap(),
        detect_recurring(&batch.transactions, as_of, &RecurringOptions::default()).unwrap()
    );
    let recorded = alice.net_worth_recorded(None, None, None).unwrap().unwrap();
    let first = batch.balances.iter().map(|b| b.day).min().unwrap();
    let last = batch.balances.iter().map(|b| b.day).max().unwrap();
    assert_eq!((recorded.start, recorded.end), (first, last));
    assert_eq!(
        recorded,
        alice.net_worth(first, last, None).unwrap(),
        "defaults are the recorded span"
    );
    let (_, nobody) = b.two_users();
    assert_eq!(nobody.net_worth_recorded(None, None, None).unwrap(), None);
    // HRV status over a range reads its baseline from before the range.
    let start = day("2026-05-01");
    let health: Vec<DailyHealth> = (0..90)
        .map(|i| {
            let mut h = DailyHealth::empty(start.add_days(i).unwrap());
            h.hrv_rmssd_ms = Some(60.0 + (i % 7) as f64 * 3.0);
            h
        })
        .collect();
    alice
        .apply(&WriteBatch {
            health: health.clone(),
            ..WriteBatch::default()
        })
        .unwrap();
    let hrv_options = HrvOptions::default();
    let (from, to) = (day("2026-07-20"), day("2026-07-29"));
    let series = DailySeries::from_health(&health, HealthMetric::HrvRmssd)
        .unwrap()
        .unwrap();
    let pure_hrv: Vec<_> = hrv_status(&series, &hrv_options)
        .unwrap()
        .into_iter()
        .filter(|d| d.day >= from && d.day <= to)
        .collect();
    let stored_hrv = alice.hrv_status(from, to, &hrv_options).unwrap();
    assert_eq!(stored_hrv, pure_hrv);
    assert_eq!(stored_hrv.len(), 10);
    assert!(stored_hrv.iter().all(|d| d.baseline.is_some()));
    // Net worth from the store equals the pure calculation over the raw snapshots, for ranges
    // that start before, between and after the balances (carry-forward into the range).
    for (from, to) in [
        ("2026-01-01", "2026-03-31"),
        ("2026-03-01", "2026-03-05"),
        ("2026-03-05", "2027-02-01"),
    ] {
        let from_store = alice.net_worth(day(from), day(to), None).unwrap();
        let pure = pa_core::finance::networth::net_worth(
            &alice.accounts().unwrap(),
            &batch.balances,
            day(from),
            day(to),
        )
        .unwrap();
        assert_eq!(from_store, pure, "{from}..{to}");
    }
    let flow = alice
        .cash_flow(day("2026-03-01"), day("2026-03-31"), &Default::default())
        .unwrap();
    assert_eq!(flow.by_month.len(), 1);
    let groceries = alice.grocery_list(week).unwrap();
    assert_eq!(groceries.len(), 1);
    assert_eq!(groceries[0].name, "Leek");
    assert_eq!(
        alice
            .check_ins(day("2026-03-01"), day("2026-03-07"))
            .unwrap()
            .len(),
        1
    );
    assert!(alice.setting("zone").unwrap().is_none());
    assert!(
        alice
            .health_series(
                pa_core::fitness::trends::HealthMetric::RestingHr,
                day("2026-03-01"),
                day("2026-03-07")
            )
            .unwrap()
            .is_none(),
        "no health records"
    );
    let latest = alice.latest_balances(day("2026-03-03")).unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].day, day("2026-02-20"));
    let report: WriteReport = alice.apply(&WriteBatch::default()).unwrap();
    assert_eq!(report, WriteReport::default());
}
