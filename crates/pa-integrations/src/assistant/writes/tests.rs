//! Everyday writes through the facade: what each stores, what bad input gets, and that a
//! refused write stores nothing.

use std::sync::Arc;

use pa_core::calendar::EventTime;
use pa_core::finance::Category;
use pa_core::fitness::Sport;
use pa_core::habits::{EntryValue, Frequency, Habit, TargetKind};
use pa_core::ids::ExternalRef;
use pa_core::money::{Money, parse_currency};
use pa_core::ports::{AuditAction, FixedClock, HabitEntryRecord, UserStore};
use pa_core::tasks::{Due, Priority, TaskStatus};
use pa_core::time::{Day, Month, ZonedInstant};

use super::draft::Entry;
use super::*;
use crate::assistant::{Access, Assistant, Location};

fn day(text: &str) -> Day {
    text.parse().unwrap()
}

fn person() -> Person {
    let pa = Assistant::open(&Location::Memory, Access::Create)
        .unwrap()
        .with_clock(Arc::new(FixedClock(
            "2026-12-04T09:00:00Z".parse().unwrap(),
        )));
    pa.person("me", true).unwrap().with_origin("test-app")
}

fn local(text: &str) -> ZonedInstant {
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    ZonedInstant::from_local(naive, chrono_tz::Europe::Berlin).unwrap()
}

/// Everything stored, as the export writes it: what "nothing was written" is checked against.
fn snapshot(p: &Person) -> String {
    let mut out = Vec::new();
    p.export_jsonl_to(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn habits_by_name_or_id_checked_by_kind_and_undone() {
    let me = person();
    let h = me
        .add_habit(Habit::yes_no("Meditate", Frequency::DAILY))
        .unwrap();
    assert_eq!(h.change, Change::Added);
    me.add_habit(
        Habit::numerical("Run", Frequency::WEEKLY, 20.0, TargetKind::AtLeast, "km").unwrap(),
    )
    .unwrap();
    // By name (any case) and by id: the same habit.
    assert_eq!(me.habit("meditate").unwrap(), h.record);
    assert_eq!(me.habit(h.record.id.as_str()).unwrap(), h.record);
    let done = me
        .check_habit("Meditate", Some(day("2026-12-03")), EntryValue::Yes)
        .unwrap();
    assert_eq!(done.change, Change::Added);
    assert_eq!(
        me.check_habit("Meditate", Some(day("2026-12-03")), EntryValue::Yes)
            .unwrap()
            .change,
        Change::Unchanged
    );
    me.check_habit("run", None, EntryValue::Amount(5.5))
        .unwrap();
    let before = snapshot(&me);
    // Bad input: typed errors that say what, and nothing written.
    assert_eq!(
        me.check_habit("Meditate", None, EntryValue::Amount(2.0))
            .unwrap_err()
            .to_string(),
        "invalid habit 'Meditate': is yes/no; it takes yes, no or skip, not the amount 2"
    );
    assert_eq!(
        me.check_habit("Juggle", None, EntryValue::Yes)
            .unwrap_err()
            .to_string(),
        "not found: habit 'Juggle' (there are: Meditate, Run)"
    );
    assert!(matches!(
        me.add_habit(Habit::yes_no("meditate", Frequency::DAILY)).unwrap_err(),
        Error::Conflict { what, .. } if what == "habit 'meditate'"
    ));
    assert_eq!(
        me.add_habit(Habit::yes_no(" ", Frequency::DAILY))
            .unwrap_err()
            .to_string(),
        "invalid habit: name must not be blank"
    );
    assert_eq!(snapshot(&me), before);
    // Undo removes the day's entry; undoing again finds none.
    let undone = me.undo_habit("Meditate", Some(day("2026-12-03"))).unwrap();
    assert_eq!(undone.change, Change::Deleted);
    assert_eq!(
        me.record::<HabitEntryRecord>(&format!("{}/2026-12-03", h.record.id))
            .unwrap(),
        None
    );
    assert!(matches!(
        me.undo_habit("Meditate", Some(day("2026-12-03"))).unwrap_err(),
        Error::NotFound { what } if what == "an entry of habit 'Meditate' on 2026-12-03"
    ));
    let archived = me
        .edit_habit(
            "Meditate",
            HabitChanges {
                archived: Some(true),
                ..HabitChanges::default()
            },
        )
        .unwrap();
    assert!(archived.record.record.archived);
    // Every write is audited under the person's origin.
    let audit = me.audit_log(Day::EARLIEST, Day::LATEST).unwrap();
    assert!(audit.iter().all(|a| a.origin == "test-app"), "{audit:?}");
    assert!(audit.iter().any(|a| a.action == AuditAction::Deleted));
}

#[test]
fn tasks_add_find_complete_reopen_cancel_delete() {
    let me = person();
    let a = me
        .add_task(NewTask {
            title: "Renew passport".into(),
            due: Some(Due::Day {
                day: day("2026-12-10"),
            }),
            priority: Priority::High,
            project: Some("Admin".into()),
            tags: vec!["errand".into()],
            ..NewTask::default()
        })
        .unwrap()
        .record;
    let b = me
        .add_task(NewTask {
            title: "Passport photos".into(),
            ..NewTask::default()
        })
        .unwrap()
        .record;
    assert_ne!(a.id, b.id);
    assert_eq!(me.projects().unwrap()[0].name, "Admin");
    assert_eq!(a.project, Some(me.projects().unwrap()[0].id.clone()));
    // Two titles contain "passport": asked for the id (candidates in id order), nothing changed.
    let (first, second) = if a.id < b.id { (&a, &b) } else { (&b, &a) };
    let ambiguous = format!(
        "invalid task: 'passport' matches 2 of them: {} ({}), {} ({}); give the id",
        first.id, first.title, second.id, second.title
    );
    let before = snapshot(&me);
    assert_eq!(
        me.complete_task("passport").unwrap_err().to_string(),
        ambiguous
    );
    assert_eq!(snapshot(&me), before);
    let done = me.complete_task("photos").unwrap().record;
    assert_eq!(done.status, TaskStatus::Done);
    assert_eq!(done.completed_at, Some(me.now()));
    // Any task may be named for a look-up; only one open task is left for "done".
    assert_eq!(me.task("passport").unwrap_err().to_string(), ambiguous);
    assert_eq!(me.complete_task("passport").unwrap().record.id, a.id);
    assert_eq!(
        me.tasks(&TaskFilter::default()).unwrap(),
        vec![],
        "no open tasks"
    );
    assert_eq!(
        me.reopen_task(a.id.as_str()).unwrap().record.status,
        TaskStatus::Todo
    );
    let edited = me
        .edit_task(
            "renew",
            TaskChanges {
                title: Some("Renew passport (urgent)".into()),
                priority: Some(Priority::Urgent),
                ..TaskChanges::default()
            },
        )
        .unwrap();
    assert_eq!(edited.change, Change::Updated);
    assert_eq!(edited.record.id, a.id);
    assert_eq!(
        me.cancel_task("renew").unwrap().record.status,
        TaskStatus::Cancelled
    );
    assert_eq!(
        me.tasks(&TaskFilter {
            all: true,
            ..TaskFilter::default()
        })
        .unwrap()
        .len(),
        2
    );
    assert_eq!(
        me.delete_task(b.id.as_str()).unwrap().change,
        Change::Deleted
    );
    assert_eq!(
        me.delete_task(b.id.as_str()).unwrap_err().to_string(),
        format!(
            "not found: task '{}' (there are: Renew passport (urgent))",
            b.id
        )
    );
}

#[test]
fn an_external_id_keeps_one_identity() {
    let me = person();
    let ext = ExternalRef::new("todoist", "42").unwrap();
    let new = NewTask {
        title: "Call mum".into(),
        external: Some(ext.clone()),
        ..NewTask::default()
    };
    let first = me.add_task(new.clone()).unwrap();
    assert_eq!(first.change, Change::Added);
    let again = me.add_task(new).unwrap();
    assert_eq!(
        (again.change, again.record),
        (Change::Unchanged, first.record.clone())
    );
    // An edit keeps the external reference, so a sync pushes it rather than duplicating it.
    let edited = me
        .edit_task(
            "call mum",
            TaskChanges {
                title: Some("Call mum back".into()),
                ..TaskChanges::default()
            },
        )
        .unwrap();
    assert_eq!(edited.record.external, Some(ext));
    let eur = parse_currency("EUR").unwrap();
    let expense = NewExpense {
        day: Some(day("2026-12-03")),
        amount: Money::parse("12.50", eur).unwrap(),
        category: Some("Food/Groceries".parse::<Category>().unwrap()),
        description: "Market".into(),
        merchant: None,
        external: Some(ExternalRef::new("sheet", "row-7").unwrap()),
    };
    assert_eq!(
        me.add_expense(expense.clone()).unwrap().change,
        Change::Added
    );
    let before = snapshot(&me);
    assert_eq!(me.add_expense(expense).unwrap().change, Change::Unchanged);
    assert_eq!(snapshot(&me), before);
}

#[test]
fn events_series_and_one_occurrence() {
    let me = person();
    let added = me
        .add_event(NewEvent {
            calendar: "Personal".into(),
            title: "Swim club".into(),
            time: EventTime::Timed {
                start: local("2026-12-01 18:30"),
                end: local("2026-12-01 19:30"),
            },
            rrule: Some("FREQ=WEEKLY;COUNT=4".into()),
            location: None,
            external: None,
        })
        .unwrap();
    assert_eq!(added.change, Change::Added);
    let moved = me
        .edit_event(
            "swim",
            EventChanges {
                title: Some("Swim club (pool B)".into()),
                ..EventChanges::default()
            },
            EditScope::Occurrence(day("2026-12-08")),
        )
        .unwrap();
    assert_eq!(moved.record.record.overrides.len(), 1);
    let zone = chrono_tz::Europe::Berlin;
    let titles = |from: &str, to: &str| -> Vec<String> {
        pa_core::ports::CalendarRepository::occurrences(&me, day(from), day(to), zone)
            .unwrap()
            .into_iter()
            .map(|o| o.title)
            .collect()
    };
    assert_eq!(
        titles("2026-12-01", "2026-12-31"),
        ["Swim club", "Swim club (pool B)", "Swim club", "Swim club"]
    );
    me.delete_event("swim", EditScope::Occurrence(day("2026-12-15")))
        .unwrap();
    assert_eq!(titles("2026-12-15", "2026-12-15"), Vec::<String>::new());
    assert_eq!(
        me.edit_event(
            "swim",
            EventChanges::default(),
            EditScope::Occurrence(day("2026-12-09"))
        )
        .unwrap_err()
        .to_string(),
        "invalid event 'Swim club': has no occurrence on 2026-12-09 to change (edit the series instead)"
    );
    let before = snapshot(&me);
    let bad = me.add_event(NewEvent {
        calendar: "Personal".into(),
        title: "Broken".into(),
        time: EventTime::AllDay {
            start: day("2026-12-05"),
            end: day("2026-12-06"),
        },
        rrule: Some("FREQ=SOMETIMES".into()),
        location: None,
        external: None,
    });
    assert_eq!(
        bad.unwrap_err().to_string(),
        "invalid RRULE: 'FREQ=SOMETIMES': RRule parsing error: `SOMETIMES` is not a valid frequency."
    );
    assert_eq!(snapshot(&me), before);
    assert_eq!(
        me.delete_event("swim", EditScope::Series).unwrap().change,
        Change::Deleted
    );
    assert_eq!(titles("2026-12-01", "2026-12-31"), Vec::<String>::new());
}

#[test]
fn money_body_journal_and_reminders() {
    let me = person();
    let eur = parse_currency("EUR").unwrap();
    // No currency given, none in the profile, no account to tell.
    assert_eq!(
        me.currency(None).unwrap_err().to_string(),
        "invalid currency: none given, none in the profile, and the accounts do not agree on one \
         (set the profile's currency)"
    );
    let before = snapshot(&me);
    assert_eq!(
        me.add_expense(NewExpense {
            day: None,
            amount: Money::parse("-3", eur).unwrap(),
            category: None,
            description: "refund?".into(),
            merchant: None,
            external: None,
        })
        .unwrap_err()
        .to_string(),
        "invalid expense: amount -3 must be above zero (what was spent)"
    );
    assert_eq!(snapshot(&me), before);
    let spent = me
        .add_expense(NewExpense {
            day: None,
            amount: Money::parse("4.20", eur).unwrap(),
            category: Some("Food/Coffee".parse().unwrap()),
            description: "Flat white".into(),
            merchant: Some("Café".into()),
            external: None,
        })
        .unwrap()
        .record;
    assert_eq!(spent.amount, Money::parse("-4.20", eur).unwrap());
    assert_eq!(spent.posted, day("2026-12-04"));
    assert_eq!(me.accounts().unwrap()[0].name, "Cash (EUR)");
    // Every account in euros: money given without a currency is in euros.
    assert_eq!(me.currency(None).unwrap(), eur);
    let month = Month::new(2026, 12).unwrap();
    me.set_budget(
        "Food".parse().unwrap(),
        month,
        Money::parse("300", eur).unwrap(),
    )
    .unwrap();
    let budgets = pa_core::ports::FinanceRepository::budget_status(&me, month, day("2026-12-04"));
    assert_eq!(
        budgets.unwrap()[0].spent,
        Money::parse("4.20", eur).unwrap()
    );
    assert_eq!(
        me.set_budget(
            "Food".parse().unwrap(),
            month,
            Money::parse("-1", eur).unwrap()
        )
        .unwrap_err()
        .to_string(),
        "invalid budget Food 2026-12: amount must not be negative"
    );

    let w = me
        .log_weight(local("2026-12-04 07:00"), 71.4, None)
        .unwrap();
    assert_eq!(w.change, Change::Added);
    let before = snapshot(&me);
    assert_eq!(
        me.log_weight(local("2026-12-04 07:00"), -1.0, None)
            .unwrap_err()
            .to_string(),
        "invalid weight_kg: must be a finite number above zero, got -1"
    );
    assert_eq!(
        me.log_weight(local("2026-12-04 07:00"), 70.0, Some(140.0))
            .unwrap_err()
            .to_string(),
        "invalid body_fat_pct: 140 is outside 0–100"
    );
    assert_eq!(snapshot(&me), before);
    let run = me
        .log_activity(NewActivity {
            sport: Sport::Run,
            start: local("2026-12-04 07:30"),
            duration_s: 2700.0,
            distance_m: Some(8000.0),
            load: Some(55.0),
            rpe: Some(6.0),
            name: None,
            external: None,
        })
        .unwrap();
    assert_eq!(run.record.training_load, Some(55.0));
    assert_eq!(run.record.session_rpe(), Some(270.0));
    let plan = me
        .plan_workout(NewWorkout {
            day: day("2026-12-05"),
            sport: Sport::Ride,
            duration_s: Some(5400.0),
            distance_m: None,
            load: Some(80.0),
            description: "Endurance".into(),
        })
        .unwrap();
    assert_eq!(plan.record.workouts.len(), 1);
    let review = me.weekly_review(None, None).unwrap();
    assert_eq!(review.health.weight_kg, Some(71.4));
    // Today's ride is not done yet: still to come, not yet in the planned totals.
    assert_eq!(review.training.upcoming, 1);
    assert_eq!(review.training.planned.load, 0.0);
    assert_eq!(review.training.actual.load, 55.0);

    let c = me
        .check_in(None, Some(4), None, Some("Good sleep"))
        .unwrap();
    assert_eq!(c.record.mood, Some(4));
    let c = me.check_in(None, None, Some(3), None).unwrap();
    assert_eq!((c.record.mood, c.record.energy), (Some(4), Some(3)));
    assert_eq!(
        me.check_in(None, Some(9), None, None)
            .unwrap_err()
            .to_string(),
        pa_core::journal::DailyCheckIn {
            day: day("2026-12-04"),
            answers: vec![],
            mood: Some(9),
            energy: Some(3),
            notes: "Good sleep".into()
        }
        .validate()
        .unwrap_err()
        .to_string()
    );
    assert_eq!(me.weekly_review(None, None).unwrap().mood_avg, Some(4.0));
    me.add_note("Idea", "A bike trip in spring", vec!["journal".into()])
        .unwrap();
    assert_eq!(
        me.remember("Allergic to penicillin", vec![], 9)
            .unwrap_err()
            .to_string(),
        "invalid memory (new): importance 9 is not 1–5"
    );
    assert_eq!(
        me.remember("Allergic to penicillin", vec![], 5)
            .unwrap()
            .change,
        Change::Added
    );
    let r = me
        .add_reminder("Stretch", local("2026-12-04 08:00"), None)
        .unwrap()
        .record;
    assert_eq!(me.briefing(None, None).unwrap().reminders.len(), 1);
    assert_eq!(
        me.snooze_reminder(r.id.as_str(), local("2026-12-04 09:30"))
            .unwrap_err()
            .to_string(),
        format!(
            "invalid reminder {}: cannot be snoozed to 2026-12-04T09:30:00+01:00[Europe/Berlin], which is not in the future",
            r.id
        )
    );
    me.snooze_reminder(r.id.as_str(), local("2026-12-04 18:00"))
        .unwrap();
    assert_eq!(me.briefing(None, None).unwrap().reminders.len(), 0);
    assert!(me.mark_reminder_sent(r.id.as_str()).unwrap().record.sent);
    assert_eq!(
        me.delete_reminder(r.id.as_str()).unwrap().change,
        Change::Deleted
    );
}

#[test]
fn a_dry_run_checks_and_stores_nothing() {
    let me = person();
    let before = snapshot(&me);
    let preview = me.clone().dry_run(true);
    let h = preview
        .add_habit(Habit::yes_no("Read", Frequency::DAILY))
        .unwrap();
    assert_eq!(h.change, Change::Preview);
    assert_eq!(h.record.record.name, "Read");
    assert_eq!(
        preview
            .add_task(NewTask::default())
            .unwrap_err()
            .to_string(),
        "invalid task (new): title is empty"
    );
    assert_eq!(snapshot(&me), before);
}

#[test]
fn bulk_writes_are_all_or_nothing_and_idempotent_with_external_ids() {
    let me = person();
    me.add_habit(Habit::yes_no("Meditate", Frequency::DAILY))
        .unwrap();
    let eur = parse_currency("EUR").unwrap();
    let expense = |row: u32, amount: &str| NewExpense {
        day: Some(day("2026-12-01")),
        amount: Money::parse(amount, eur).unwrap(),
        category: Some("Food".parse().unwrap()),
        description: "Lunch".into(),
        merchant: None,
        external: Some(ExternalRef::new("bank-csv", format!("row-{row}")).unwrap()),
    };
    let rows = vec![
        Entry::Expense(expense(1, "9.50")),
        // The same description and day as row 0: still a record of its own.
        Entry::Expense(expense(2, "11.00")),
        Entry::HabitCheck {
            habit: "meditate".into(),
            day: Some(day("2026-12-01")),
            value: EntryValue::Yes,
        },
        Entry::Weight {
            at: local("2026-12-01 07:00"),
            kg: 71.0,
            body_fat_pct: None,
        },
        Entry::Activity(NewActivity {
            sport: Sport::Walk,
            start: local("2026-12-01 12:00"),
            duration_s: 1800.0,
            distance_m: Some(2500.0),
            load: None,
            rpe: None,
            name: None,
            external: Some(ExternalRef::new("sheet", "walk-1").unwrap()),
        }),
    ];
    let first = me.write_all(rows.clone()).unwrap();
    // Two expenses, the cash account, a check-in, a weigh-in, an activity.
    assert_eq!((first.added, first.unchanged), (6, 0));
    let before = snapshot(&me);
    let again = me.write_all(rows.clone()).unwrap();
    assert_eq!((again.added, again.updated), (0, 0));
    assert_eq!(snapshot(&me), before);

    // One bad row: nothing of the write is stored, and the error names the row.
    let mut bad = rows;
    bad.push(Entry::Expense(expense(3, "2.00")));
    bad.push(Entry::HabitCheck {
        habit: "Meditate".into(),
        day: Some(day("2026-12-02")),
        value: EntryValue::Amount(3.0),
    });
    assert_eq!(
        me.write_all(bad.clone()).unwrap_err().to_string(),
        "invalid row 6: habit 'Meditate': is yes/no; it takes yes, no or skip, not the amount 3"
    );
    bad.pop();
    bad.push(Entry::HabitCheck {
        habit: "Juggle".into(),
        day: None,
        value: EntryValue::Yes,
    });
    assert_eq!(
        me.write_all(bad).unwrap_err().to_string(),
        "not found: row 6: habit 'Juggle' (there are: Meditate)"
    );
    assert_eq!(snapshot(&me), before);
}

#[test]
fn a_recurring_reminder_is_due_at_each_run() {
    let me = person();
    me.update_profile(
        pa_core::ports::Profile {
            zone: Some(chrono_tz::Europe::Berlin),
            ..pa_core::ports::Profile::default()
        },
        "test",
    )
    .unwrap();
    // Friday 4 December, 10:00 in Berlin: the next Monday or Thursday 09:00 is Monday.
    let r = me
        .add_recurring_reminder(
            "Water the plants",
            "weekly mon,thu 09:00".parse().unwrap(),
            None,
        )
        .unwrap()
        .record;
    assert_eq!(r.remind_at, local("2026-12-07 09:00"));
    let next = me.mark_reminder_sent(r.id.as_str()).unwrap().record;
    assert_eq!(
        (next.remind_at, next.sent),
        (local("2026-12-10 09:00"), false)
    );
    let past = pa_core::tasks::schedule::Schedule::Once {
        at: "2026-12-01T09:00:00Z".parse().unwrap(),
    };
    assert_eq!(
        me.add_recurring_reminder("Too late", past, None)
            .unwrap_err()
            .to_string(),
        "invalid schedule: has no run after now, so the reminder would never be due"
    );
}

#[test]
fn bills() {
    let me = person();
    let eur = parse_currency("EUR").unwrap();
    let rent = |amount: &str, name: &str| NewBill {
        name: name.into(),
        amount: Money::parse(amount, eur).unwrap(),
        cadence: "monthly".parse().unwrap(),
        next_due: day("2026-12-28"),
        category: Some("Housing/Rent".parse().unwrap()),
        merchant: None,
    };
    let added = me.add_bill(rent("950", "Rent")).unwrap();
    assert_eq!(added.change, Change::Added);
    assert_eq!(me.bills().unwrap(), vec![added.record]);
    let before = snapshot(&me);
    assert_eq!(
        me.add_bill(rent("0", "Rent")).unwrap_err().to_string(),
        "invalid bill 'Rent': amount 0 must be above zero"
    );
    assert_eq!(
        me.add_bill(rent("10", " ")).unwrap_err().to_string(),
        "invalid bill: name must not be blank"
    );
    assert_eq!(
        "fortnightly"
            .parse::<pa_core::finance::recurring::Cadence>()
            .unwrap_err()
            .to_string(),
        "invalid cadence: 'fortnightly' is not weekly, biweekly, monthly, quarterly or yearly"
    );
    assert_eq!(snapshot(&me), before);
}

#[test]
fn edits_keep_sync_mappings_so_the_next_sync_pushes_and_deletes_drop_them() {
    use pa_core::ports::upsert::encode;
    use pa_core::ports::{RecordKind, SyncRecord, WriteBatch};

    let me = person();
    let todoist = ExternalRef::new("todoist", "8812").unwrap();
    let google = ExternalRef::new("google", "evt-7@google.com").unwrap();
    let task = me
        .add_task(NewTask {
            title: "Book flights".into(),
            external: Some(todoist.clone()),
            ..NewTask::default()
        })
        .unwrap()
        .record;
    let event = me
        .add_event(NewEvent {
            calendar: "Personal".into(),
            title: "Swim club".into(),
            time: EventTime::Timed {
                start: local("2026-12-01 18:30"),
                end: local("2026-12-01 19:30"),
            },
            rrule: Some("FREQ=WEEKLY;COUNT=4".into()),
            location: None,
            external: Some(google.clone()),
        })
        .unwrap()
        .record;
    // As a sync leaves them: each record mapped to its remote copy with the hash last synced.
    let mapping = |source: &str, kind, key: &str, remote: &str, hash: String| SyncRecord {
        source: source.into(),
        kind,
        local_key: key.into(),
        remote_id: remote.into(),
        hash: Some(hash),
        etag: Some("v1".into()),
        synced_at: "2026-12-04T08:00:00Z".parse().unwrap(),
    };
    let synced_task = encode(&task).unwrap().1.to_string();
    let synced_event = encode(&event).unwrap().1.to_string();
    let maps = vec![
        mapping(
            "todoist",
            RecordKind::Task,
            task.id.as_str(),
            "8812",
            synced_task.clone(),
        ),
        mapping(
            "google",
            RecordKind::Event,
            &event.key(),
            "evt-7",
            synced_event.clone(),
        ),
    ];
    me.apply(&WriteBatch {
        sync_records: maps.clone(),
        ..WriteBatch::default()
    })
    .unwrap();

    let edited = me
        .edit_task(
            "flights",
            TaskChanges {
                title: Some("Book flights to Lisbon".into()),
                ..TaskChanges::default()
            },
        )
        .unwrap()
        .record;
    let done = me.complete_task(task.id.as_str()).unwrap().record;
    let moved = me
        .edit_event(
            "swim",
            EventChanges {
                title: Some("Swim club (pool B)".into()),
                ..EventChanges::default()
            },
            EditScope::Occurrence(day("2026-12-08")),
        )
        .unwrap()
        .record;
    // Same key and external reference: the sync updates the remote copy, never adds a second.
    assert_eq!((&edited.id, &edited.external), (&task.id, &Some(todoist)));
    assert_eq!((&done.id, &done.external), (&task.id, &edited.external));
    assert_eq!(
        (moved.key(), moved.external()),
        (event.key(), Some(&google))
    );
    // The mappings are untouched, and their hashes no longer match the records: a local change.
    assert_eq!(me.sync_records("todoist").unwrap(), maps[..1]);
    assert_eq!(me.sync_records("google").unwrap(), maps[1..]);
    assert_ne!(encode(&done).unwrap().1.to_string(), synced_task);
    assert_ne!(encode(&moved).unwrap().1.to_string(), synced_event);

    // Deleting the records drops their mappings with them.
    me.delete_task(task.id.as_str()).unwrap();
    me.delete_event(&event.key(), EditScope::Series).unwrap();
    assert_eq!(me.sync_records("todoist").unwrap(), vec![]);
    assert_eq!(me.sync_records("google").unwrap(), vec![]);
}
