"""Reading every kind of record as frozen dataclasses with Python types at the edges."""

import array
import dataclasses
import datetime
import json
import pathlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import pa
from pa import records as r

from conftest import DEMO_DAY as DAY


def test_activities_and_streams(demo: pa.User) -> None:
    acts = demo.activities(DAY - datetime.timedelta(days=30), DAY)
    assert acts and all(isinstance(a, r.Activity) for a in acts)
    first = acts[0]
    assert first.start.tzinfo is not None and isinstance(first.start.tzinfo, ZoneInfo)
    assert all(DAY - datetime.timedelta(days=30) <= a.start.date() <= DAY for a in acts)
    assert demo.activity(first.id) == first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.sport = "swim"  # type: ignore[misc]
    assert hash(first) == hash(demo.activity(first.id))
    assert repr(first).startswith("Activity(id=")
    streamed = next(a for a in acts if a.has_streams)
    streams = demo.streams(streamed.id)
    assert isinstance(streams["time_s"], array.array)
    assert {len(v) for v in streams.values()} == {len(streams["time_s"])}
    assert "heart_rate" in streams
    plain = next(a for a in demo.activities() if not a.has_streams)
    assert demo.streams(plain.id) == {}
    with pytest.raises(pa.NotFoundError):
        demo.activity("no-such-activity")
    with pytest.raises(pa.NotFoundError):
        demo.streams("no-such-activity")
    assert len(demo.activities()) > len(acts)


def test_health_body_and_plans(demo: pa.User) -> None:
    week = demo.daily_health(DAY - datetime.timedelta(days=6), DAY)
    assert [h.day for h in week] == [DAY - datetime.timedelta(days=6 - i) for i in range(7)]
    assert all(h.sleep is None or isinstance(h.sleep, r.Sleep) for h in week)
    body = demo.body()
    assert body and all(b.measured_at.tzinfo is not None for b in body)
    plans = demo.plans()
    assert plans and all(isinstance(w, r.PlannedWorkout) for w in plans[0].workouts)
    assert plans[0].start <= plans[0].end


def test_money(demo: pa.User) -> None:
    accounts = demo.accounts()
    assert accounts and {a.kind for a in accounts} <= {"depository", "credit", "loan", "investment", "other"}
    txs = demo.transactions(DAY - datetime.timedelta(days=31), DAY)
    assert txs and all(isinstance(t.amount, r.Money) and isinstance(t.amount.amount, Decimal) for t in txs)
    assert any(t.amount.amount < 0 for t in txs)
    assert str(txs[0].amount).endswith(txs[0].amount.currency)
    balances = demo.balances(DAY, DAY)
    assert {b.account for b in balances} <= {a.id for a in accounts}
    assert all(b.day == DAY for b in balances)


def test_habits_tasks_calendar_journal(demo: pa.User) -> None:
    habits = demo.habits()
    assert habits and habits[0].times >= 1 and habits[0].per_days >= 1
    entries = demo.habit_entries(habits[0].id, DAY - datetime.timedelta(days=6), DAY)
    assert entries and all(e.habit == habits[0].id for e in entries)
    assert all(e.value in ("yes", "no", "skip") or isinstance(e.value, float) for e in entries)
    assert demo.projects()
    tasks = demo.tasks()
    assert tasks and all(t.created_at.tzinfo is not None for t in tasks)
    assert any(isinstance(t.due, datetime.date) for t in tasks)
    assert demo.reminders()
    events = demo.events(DAY, DAY)
    assert events and all(isinstance(e, r.Event) for e in events)
    occurrences = demo.occurrences(DAY - datetime.timedelta(days=6), DAY, tz="Europe/Berlin")
    assert occurrences and all(isinstance(o, r.Occurrence) for o in occurrences)
    assert [o.start for o in occurrences] == sorted(o.start for o in occurrences)
    with pytest.raises(pa.InvalidInputError):
        demo.occurrences(DAY, DAY, tz="Nowhere/Special")
    assert demo.check_ins(DAY - datetime.timedelta(days=30), DAY)


def test_records_round_trip_through_json_lines(tmp_path: pathlib.Path) -> None:
    me = pa.Store(tmp_path / "pa.db").user()
    created = "2026-11-01T09:00:00Z"
    lines = [
        {"kind": "account", "record": {"id": "brokerage", "name": "Brokerage", "kind": "investment", "currency": "USD"}},
        {"kind": "security", "record": {"id": "vti", "symbol": "VTI", "name": "Total Market", "kind": "etf", "currency": "USD"}},
        {
            "kind": "holding",
            "record": {
                "account": "brokerage",
                "security": "vti",
                "as_of": "2026-11-20",
                "quantity": "10.5",
                "price": {"amount": "250.10", "currency": "USD"},
                "value": {"amount": "2626.05", "currency": "USD"},
            },
        },
        {"kind": "note", "record": {"id": "n1", "title": "Idea", "body": "Ride to the lake", "tags": ["ride"], "created": created}},
        {"kind": "memory", "record": {"id": "m1", "content": "Prefers mornings", "tags": [], "importance": 3, "created": created}},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = me.import_jsonl(source)
    assert report["added"] == 5
    assert me.import_jsonl(source)["unchanged"] == 5
    [holding] = me.holdings()
    assert holding.quantity == Decimal("10.5") and holding.value == r.Money(Decimal("2626.05"), "USD")
    assert me.securities()[0].kind == "etf"
    [note] = me.notes()
    assert note.tags == ("ride",) and note.created == datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.timezone.utc)
    assert me.memories()[0].importance == 3
    assert me.investment_transactions() == []
    exported = tmp_path / "out.jsonl"
    me.export_jsonl(exported)
    other = pa.Store(tmp_path / "other.db").user()
    assert other.import_jsonl(exported)["added"] == 5
    assert other.holdings() == me.holdings() and other.notes() == me.notes()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "note", "record": {"id": "n2"}}\n')
    with pytest.raises(pa.PaError):
        me.import_jsonl(bad)
    assert len(me.notes()) == 1  # nothing of the bad file was written


def test_occurrences_pickle_copy_and_match(tmp_path: pathlib.Path) -> None:
    import copy
    import pickle

    me = pa.Store(tmp_path / "pa.db").user()
    me.load_demo(datetime.date(2026, 11, 20))
    found = me.occurrences(datetime.date(2026, 11, 16), datetime.date(2026, 11, 20))
    assert found
    again = pickle.loads(pickle.dumps(found))
    assert again == found and again is not found
    assert [o.start for o in again] == [o.start for o in found]
    assert copy.deepcopy(found[0]) == found[0]
    match found[0]:
        case pa.records.Occurrence(calendar, title):
            assert (calendar, title) == (found[0].calendar, found[0].title)
        case _:
            raise AssertionError("an Occurrence matches its class pattern")
