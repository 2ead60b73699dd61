"""Everyday writes from Python: the week of `tests/scripts/week.jsonl` written through the Python
API builds the same store as the CLI does from the script (compared by export); every write is
returned as stored; bad input raises the typed exception and writes nothing."""

import datetime
import json
import os
import pathlib
import subprocess
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import pa
from test_front_ends import ROOT, cli_binary

BERLIN = ZoneInfo("Europe/Berlin")
SCRIPT = ROOT / "tests" / "scripts" / "week.jsonl"
SUNDAY_EVENING = datetime.datetime(2026, 12, 6, 19, 30, tzinfo=datetime.timezone.utc)


def d(day: int, month: int = 12) -> datetime.date:
    return datetime.date(2026, month, day)


def berlin(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


Step = Callable[[Any], Any]

# The script's steps, one for one, through Python: plain Python values where the CLI has text.
PYTHON_WEEK: list[Step] = [
    lambda u: u.set_profile(zone="Europe/Berlin", currency="EUR"),
    lambda u: u.add_habit("Meditate"),
    lambda u: u.add_habit("Run", freq="weekly", target=20, unit="km"),
    lambda u: u.check_habit("meditate"),
    lambda u: u.add_task(
        "Renew passport", due=d(4), priority="high", project="Admin", tags=["errand"]
    ),
    lambda u: u.add_task("Buy a gift for Sam", due="sun"),
    lambda u: u.add_task("Book flights", external="todoist:8812"),
    lambda u: u.add_event(
        "Dentist", berlin(2, 14), duration=datetime.timedelta(minutes=45), location="Main St 4"
    ),
    lambda u: u.add_event(
        "Swim club", "tue 18:30", duration="1h", rrule="FREQ=WEEKLY;COUNT=6", calendar="Sport"
    ),
    lambda u: u.plan_workout(
        "run", day=d(1), duration=datetime.timedelta(minutes=45), km=8, load=50,
        description="Easy run",
    ),
    lambda u: u.plan_workout("ride", day="sat", duration=7200, load=90, description="Endurance"),
    lambda u: u.set_budget("Food", Decimal("300"), month="2026-12"),
    lambda u: u.check_habit("Meditate", True),
    lambda u: u.log_activity(
        "run", berlin(1, 7, 5), datetime.timedelta(minutes=47), km=8.2, load=52, rpe=4,
        name="Easy run"
    ),
    lambda u: u.check_habit("Run", 8.2),
    lambda u: u.add_expense(
        "42.10", "Weekly shop", category="Food/Groceries", merchant="Market"
    ),
    lambda u: u.check_habit("Meditate", "skip"),
    lambda u: u.log_weight(71.4, fat_pct=18.5),
    lambda u: u.complete_task("passport"),
    lambda u: u.check_in(mood=4, energy=3, notes="Good day"),
    lambda u: u.check_habit("Meditate", day=d(3)),
    lambda u: u.add_expense(
        Decimal("4.20"), "Flat white", category="Food/Coffee", external="sheet:row-12"
    ),
    lambda u: u.add_expense(
        Decimal("4.20"), "Flat white", category="Food/Coffee", external="sheet:row-12"
    ),
    lambda u: u.check_in(mood=2, notes="Tired"),
    lambda u: u.log_weight(71.1, at=berlin(5, 7)),
    lambda u: u.add_note("Ask Sam about the trip", tags=["journal"]),
    lambda u: u.add_task("Book flights", external="todoist:8812"),
    lambda u: u.add_reminder("Call mum", "19:00"),
    lambda u: u.remember("Sam's birthday is on 6 December", importance=4, tags=["family"]),
]


def script() -> list[tuple[datetime.datetime, list[str]]]:
    steps = []
    for line in SCRIPT.read_text().splitlines():
        step = json.loads(line)
        now = datetime.datetime.fromisoformat(step["now"].replace("Z", "+00:00"))
        steps.append((now, step["args"]))
    return steps


def run_cli(db: pathlib.Path, now: datetime.datetime, args: list[str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    env.update(
        PA_CONFIG=str(db.parent / "no-config.toml"),
        PA_DB=str(db),
        PA_NOW=now.isoformat(),
    )
    done = subprocess.run(
        [str(cli_binary()), *args], check=True, capture_output=True, text=True, env=env
    )
    return done.stdout


def export(db: pathlib.Path, now: datetime.datetime = SUNDAY_EVENING) -> list[str]:
    out = db.parent / f"{db.stem}-{len(list(db.parent.iterdir()))}.jsonl"
    pa.Store(db, now=now).user().export_jsonl(out)
    return out.read_text().splitlines()


def test_a_week_through_python_builds_the_store_the_cli_builds(tmp_path: pathlib.Path) -> None:
    steps = script()
    assert len(steps) == len(PYTHON_WEEK)
    by_cli = tmp_path / "cli.db"
    for now, args in steps:
        run_cli(by_cli, now, args)
    by_python = tmp_path / "python.db"
    changes = []
    for (now, _), step in zip(steps, PYTHON_WEEK, strict=True):
        with pa.Store(by_python, now=now) as store:
            written = step(store.user())
            changes.append(getattr(written, "change", None))
    assert changes.count("unchanged") == 2
    assert export(by_python) == export(by_cli)

    user = pa.Store(by_python, now=SUNDAY_EVENING).user()
    week = user.week()
    assert week.health.weight_kg == 71.1
    assert week.mood_avg == 3.0
    # Asked on Sunday evening, the week is under way: the gift due Sunday is not overdue yet.
    assert (week.in_progress, week.through) == (True, datetime.date(2026, 12, 6))
    assert (week.tasks.done, week.tasks.added, week.tasks.overdue) == (1, 3, 0)
    assert [(c.category, c.spent) for c in week.spending] == [("Food", Decimal("46.30"))]
    assert (week.training.completed, week.training.missed) == (1, 1)
    today = user.today()
    assert [t.title for t in today.tasks_due] == ["Buy a gift for Sam"]
    assert [r.message for r in today.reminders] == ["Call mum"]


def test_writes_return_the_stored_record(tmp_path: pathlib.Path) -> None:
    now = berlin(2, 10)
    user = pa.Store(tmp_path / "pa.db", now=now).user(origin="my-app")
    user.set_profile(zone="Europe/Berlin", currency="EUR")
    habit = user.add_habit("Read", category="Mind")
    assert habit.change == "added"
    assert isinstance(habit.record, pa.records.Habit)
    assert user.habit("read") == habit.record
    # Habit look-ups by name work wherever a habit is named.
    user.check_habit("Read", day=d(1))
    assert user.habit_streaks("Read", as_of=d(1)).current == 1
    assert [e.day for e in user.habit_entries("read")] == [d(1)]
    task = user.add_task("Call the plumber", due=berlin(3, 9))
    assert task.record.due == berlin(3, 9)
    assert task.record.created_at == now
    done = user.complete_task(task.record.id)
    assert (done.change, done.record.status) == ("updated", "done")
    assert user.find_tasks() == []
    assert [t.id for t in user.find_tasks(all=True)] == [task.record.id]
    edited = user.reopen_task("plumber")
    assert edited.record.status == "todo"
    assert user.edit_task("plumber", clear=["due"]).record.due is None
    spent = user.add_expense(7, "Lunch", category="Food/Restaurants", day="yesterday")
    assert spent.record.amount == pa.records.Money(Decimal("-7"), "EUR")
    assert spent.record.posted == d(1)
    event = user.add_event("Holiday", d(24), end=d(27), calendar="Family")
    assert (event.record.all_day, event.record.start, event.record.end) == (True, d(24), d(28))
    assert user.delete_event("Holiday").change == "deleted"
    plan = user.plan_workout("swim", day="+2d", duration="45m")
    assert plan.record.workouts[0].day == d(4)
    body = user.log_weight(70.5, at="07:00")
    assert body.record.measured_at == berlin(2, 7)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda u: u.check_habit("Meditate", 3), pa.InvalidInputError,
         "invalid habit 'Meditate': is yes/no; it takes yes, no or skip, not the amount 3"),
        (lambda u: u.check_habit("Juggle"), pa.NotFoundError,
         "not found: habit 'Juggle' (there are: Meditate, Run)"),
        (lambda u: u.add_habit("meditate"), pa.ConflictError,
         "conflict: habit 'meditate': there is one of that name already (h-m0k7c476)"),
        (lambda u: u.add_habit("Run", freq="8/7"), pa.InvalidInputError,
         "invalid frequency: 8/7: at most once a day, over at most 366 days"),
        (lambda u: u.add_task("Passport", due="someday"), pa.InvalidInputError,
         "invalid due: day: 'someday' is not a day (today, tomorrow, yesterday, a weekday, +3d, -1w"
         " or YYYY-MM-DD)"),
        (lambda u: u.add_task("Passport", priority="asap"), pa.InvalidInputError,
         "invalid priority: 'asap' is not low, medium, high or urgent"),
        (lambda u: u.complete_task("nothing like it"), pa.NotFoundError,
         "not found: task 'nothing like it'"),
        (lambda u: u.add_event("Party", "sat 19:00", rrule="FREQ=SOMETIMES"),
         pa.InvalidInputError, "invalid RRULE: 'FREQ=SOMETIMES': RRule parsing error: `SOMETIMES` is not a valid"
         " frequency."),
        (lambda u: u.add_event("Party", datetime.datetime(2027, 3, 28, 2, 30)),
         pa.InvalidInputError,
         "invalid start: local time: 2027-03-28 02:30:00 does not exist in Europe/Berlin (skipped"
         " by a daylight-saving change)"),
        (lambda u: u.add_expense(4.2, "Coffee"), pa.InvalidInputError,
         "invalid amount: money is never a float: give a Decimal, an int or a decimal string"),
        (lambda u: u.add_expense("-5", "Refund"), pa.InvalidInputError,
         "invalid expense: amount -5 must be above zero (what was spent)"),
        (lambda u: u.add_expense("5", "Coffee", currency="XYZ"), pa.InvalidInputError,
         "invalid currency: 'XYZ' is not an ISO 4217 currency code"),
        (lambda u: u.set_budget("Food", "-10"), pa.InvalidInputError,
         "invalid budget Food 2026-12: amount must not be negative"),
        (lambda u: u.log_weight(-1), pa.InvalidInputError,
         "invalid weight_kg: must be a finite number above zero, got -1"),
        (lambda u: u.log_activity("run", "fri", "30m"), pa.InvalidInputError,
         "invalid start: 2026-12-04 names a day but no time of day"),
        (lambda u: u.check_in(mood=9), pa.InvalidInputError,
         "invalid mood on 2026-12-02: 9 is not 1–5"),
        (lambda u: u.remember("x", importance=0), pa.InvalidInputError,
         "invalid memory (new): importance 0 is not 1–5"),
        (lambda u: u.plan_workout("kayak-polo"), pa.InvalidInputError,
         "invalid sport: 'kayak-polo' is not a known sport"),
        (lambda u: u.snooze_reminder("r-nothing", "18:00"), pa.NotFoundError,
         "not found: reminder 'r-nothing'"),
        (lambda u: u.edit_task("x", clear=["title"]), pa.InvalidInputError,
         "invalid clear: 'title' is not due or project"),
    ],
)
def test_bad_input_raises_and_writes_nothing(
    tmp_path: pathlib.Path, call: Step, error: type[Exception], message: str
) -> None:
    db = tmp_path / "pa.db"
    now = berlin(2, 10)
    with pa.Store(db, now=now) as store:
        user = store.user()
        for step in PYTHON_WEEK[:3]:
            step(user)
    before = export(db, now)
    with pa.Store(db, now=now) as store, pytest.raises(error) as raised:
        call(store.user())
    assert str(raised.value) == message
    assert export(db, now) == before


def test_a_naive_now_is_refused_before_a_store_is_made(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "pa.db"
    with pytest.raises(pa.InvalidInputError) as raised:
        pa.Store(db, now=datetime.datetime(2026, 12, 4, 9, 0))
    assert str(raised.value) == "invalid now: give an aware datetime (with tzinfo)"
    assert not db.exists()


def test_edits_undos_and_deletes(tmp_path: pathlib.Path) -> None:
    user = pa.Store(tmp_path / "pa.db", now=berlin(2, 10)).user()
    user.set_profile(zone="Europe/Berlin", currency="EUR")
    user.add_habit("Stretch")
    edited = user.edit_habit("stretch", name="Stretching", freq="3/7").record
    assert (edited.name, edited.times, edited.per_days) == ("Stretching", 3, 7)
    user.check_habit("Stretching")
    undone = user.undo_habit("Stretching")
    assert (undone.change, undone.record.day) == ("deleted", d(2))
    assert user.edit_habit("Stretching", archived=True).record.archived is True
    user.add_task("Water the plants")
    assert user.cancel_task("plants").record.status == "cancelled"
    assert user.delete_task("plants").change == "deleted"
    assert user.find_tasks(all=True) == []
    user.add_event("Swim club", "tue 18:30", duration="1h", rrule="FREQ=WEEKLY;COUNT=3")
    # Wednesday today: "tue" is the coming Tuesday, 8 December.
    moved = user.edit_event("swim", on=d(15), title="Swim club (pool B)")
    assert moved.change == "updated"
    titles = [o.title for o in user.occurrences(d(1), d(31))]
    assert titles == ["Swim club", "Swim club (pool B)", "Swim club"]
    user.delete_event("swim", on=d(22))
    assert [o.title for o in user.occurrences(d(1), d(31))] == ["Swim club", "Swim club (pool B)"]
    r = user.add_reminder("Stretch", "18:00").record
    assert user.snooze_reminder(r.id, "20:00").record.remind_at == berlin(2, 20)
    assert user.mark_reminder_sent(r.id).record.sent is True
    assert user.delete_reminder(r.id).change == "deleted"
    assert user.remember("Prefers mornings", tags=["habits"]).record.importance == 3
    weekly = user.add_reminder("Water the plants", every="weekly mon,thu 09:00").record
    assert weekly.remind_at == berlin(3, 9)
    assert weekly.schedule == {"kind": "weekly", "days": ["Mon", "Thu"], "time": "09:00:00"}
    with pytest.raises(pa.InvalidInputError) as raised:
        user.add_reminder("Never", every="monthly 32 09:00")
    assert str(raised.value) == "invalid every: schedule: day of month 32 is not 1–31"


def test_bills_and_settings(tmp_path: pathlib.Path) -> None:
    user = pa.Store(tmp_path / "pa.db", now=berlin(2, 10)).user()
    user.set_profile(zone="Europe/Berlin", currency="EUR", units="statute",
                     check_in=datetime.time(21, 30))
    profile = user.profile()
    assert (profile.get("units"), profile.get("check_in_time")) == ("statute", "21:30:00")
    # Zones as names or zoneinfo objects, wherever a zone is taken.
    user.set_profile(zone=ZoneInfo("America/New_York"))
    assert user.profile()["zone"] == "America/New_York"
    assert user.today(tz=BERLIN).day == d(2)
    with pytest.raises(TypeError) as wrong:
        user.set_profile(zone=2)  # type: ignore[arg-type]
    assert str(wrong.value) == "zone: give an IANA name or a zoneinfo.ZoneInfo, not int"
    user.set_profile(zone="Europe/Berlin")
    rent = user.add_bill("Rent", Decimal("950"), next_due=datetime.date(2027, 1, 1),
                         category="Housing/Rent")
    assert rent.change == "added"
    assert (rent.record.amount, rent.record.cadence) == (pa.records.Money(Decimal("950"), "EUR"),
                                                          "monthly")
    user.add_bill("Gym", "29.90", cadence="Monthly", next_due="fri", merchant="FitCo")
    assert [(b.name, b.next_due) for b in user.bills()] == [
        ("Gym", d(4)), ("Rent", datetime.date(2027, 1, 1))
    ]
    with pytest.raises(pa.InvalidInputError) as raised:
        user.add_bill("Club", "10", cadence="fortnightly")
    assert str(raised.value) == (
        "invalid cadence: 'fortnightly' is not weekly, biweekly, monthly, quarterly or yearly"
    )
    with pytest.raises(pa.InvalidInputError) as raised:
        user.add_bill(" ", "10")
    assert str(raised.value) == "invalid bill: name must not be blank"
    assert len(user.bills()) == 2


def test_bulk_writes_from_a_dataframe_or_dicts(tmp_path: pathlib.Path) -> None:
    import dataclasses

    pd = pytest.importorskip("pandas")

    user = pa.Store(tmp_path / "pa.db", now=berlin(2, 10)).user()
    user.set_profile(zone="Europe/Berlin", currency="EUR")
    user.add_habit("Meditate")
    frame = pd.DataFrame(
        {
            "amount": [Decimal("9.50"), Decimal("11.00"), Decimal("3.20")],
            "description": ["Lunch", "Lunch", "Coffee"],
            "category": ["Food/Restaurants", "Food/Restaurants", None],
            "day": [d(1), d(1), d(2)],
            "external": ["bank:1", "bank:2", "bank:3"],
        }
    )
    first = user.write_many("expense", frame)
    # Three expenses and the cash account they are on.
    assert (first["added"], first["unchanged"]) == (4, 0)
    assert user.write_many("expense", frame) == {"added": 0, "updated": 0, "unchanged": 3, "deleted": 0}
    assert [t.description for t in user.transactions()] == ["Lunch", "Lunch", "Coffee"]

    @dataclasses.dataclass
    class WeighIn:
        kg: float
        at: datetime.datetime

    weights = [WeighIn(71.0, berlin(1, 7)), WeighIn(70.8, berlin(2, 7))]
    assert user.write_many("weigh_in", weights)["added"] == 2
    checks = [{"habit": "meditate", "day": d(1)}, {"habit": "Meditate", "day": d(2), "value": "skip"}]
    assert user.write_many("habit_check", checks)["added"] == 2
    runs = pd.DataFrame(
        {
            "sport": ["run", "run"],
            "start": [berlin(1, 7, 30), berlin(2, 7, 30)],
            "duration": ["40m", "45m"],
            "km": [7.5, float("nan")],
            "external": ["strava:1", "strava:2"],
        }
    )
    assert user.write_many("activity", runs)["added"] == 2
    assert [a.distance_m for a in user.activities()] == [7500.0, None]

    # One bad row: nothing is written and the row is named.
    before = export(tmp_path / "pa.db", berlin(2, 10))
    bad = [{"habit": "Meditate", "day": d(3)}, {"habit": "Meditate", "day": d(4), "value": 2}]
    with pytest.raises(pa.InvalidInputError) as raised:
        user.write_many("habit_check", bad)
    assert str(raised.value) == (
        "invalid row 1: habit 'Meditate': is yes/no; it takes yes, no or skip, not the amount 2"
    )
    with pytest.raises(pa.InvalidInputError) as raised:
        user.write_many("expense", [{"amount": 4.5, "description": "Coffee"}])
    assert str(raised.value) == (
        "invalid row 0: amount: money is never a float: give a Decimal, an int or a decimal string"
    )
    with pytest.raises(pa.InvalidInputError) as raised:
        user.write_many("weigh_in", [{"kg": 70, "at": berlin(3, 7), "fat": 20}])
    assert str(raised.value) == "invalid row 0: columns: 'fat' is not one of kg, at, fat_pct"
    with pytest.raises(pa.InvalidInputError) as raised:
        user.write_many("weigh_in", [{"kg": 70}])
    assert str(raised.value) == "invalid row 0: columns: 'at' is missing"
    with pytest.raises(pa.NotFoundError) as missing:
        user.write_many("habit_check", [{"habit": "Juggle"}])
    assert str(missing.value) == "not found: row 0: habit 'Juggle' (there are: Meditate)"
    with pytest.raises(pa.InvalidInputError) as raised:
        user.write_many("grocery", [])  # type: ignore[arg-type]
    assert str(raised.value) == "invalid kind: 'grocery' is not expense, activity, habit_check, weigh_in"
    assert export(tmp_path / "pa.db", berlin(2, 10)) == before
