"""Every calculation from Python: pure functions on streams, and the views of a store."""

import array
import asyncio
import datetime
import math
import pathlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import pa
from pa import results

from conftest import DEMO_DAY as DAY


def test_power_heart_rate_and_pace() -> None:
    steady = array.array("d", [200.0] * 3600)
    assert pa.normalized_power(steady) == pytest.approx(200.0)
    assert pa.normalized_power([200.0] * 10) is None  # shorter than the 30 s window
    load = pa.power_load(steady, threshold_w=250.0)
    assert load == results.PowerLoad(load.normalized_power_w, 0.8, load.tss, 3600.0)
    assert load.tss == pytest.approx(64.0)
    with pytest.raises(pa.InvalidInputError):
        pa.power_load(steady, threshold_w=0.0)
    with pytest.raises(pa.InvalidInputError, match="convention"):
        pa.normalized_power(steady, convention="wko")  # type: ignore[arg-type]
    # Banister: an hour at 150 bpm with rest 50 and max 190 (x = 100/140).
    x = 100 / 140
    assert pa.trimp([150.0] * 3600, rest_bpm=50, max_bpm=190) == pytest.approx(60 * x * 0.64 * math.exp(1.92 * x))
    female = pa.trimp([150.0] * 3600, rest_bpm=50, max_bpm=190, sex="female")
    assert female == pytest.approx(60 * x * 0.86 * math.exp(1.67 * x))
    one_hour_at_threshold = pa.trimp([170.0] * 3600, rest_bpm=50, max_bpm=190)
    assert pa.hr_stress(one_hour_at_threshold, rest_bpm=50, max_bpm=190, threshold_bpm=170) == pytest.approx(100.0)
    with pytest.raises(pa.InvalidInputError):
        pa.trimp([150.0], rest_bpm=190, max_bpm=50)
    run = pa.run_load([3.0] * 3600, threshold_pace_s_per_km=300.0)
    assert run.intensity_factor == pytest.approx(0.9) and run.rtss == pytest.approx(81.0)
    with pytest.raises(pa.InvalidInputError):
        pa.run_load([3.0] * 5, threshold_pace_s_per_km=300.0)


def test_recurrence_and_schedules() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    starts = pa.expand_rrule(
        "FREQ=WEEKLY;BYDAY=MO,WE",
        datetime.datetime(2026, 3, 23, 9),
        after=datetime.datetime(2026, 3, 23),
        before=datetime.datetime(2026, 4, 2),
        tz="Europe/Berlin",
        exdates=[datetime.datetime(2026, 3, 25, 9)],
    )
    assert starts == [datetime.datetime(2026, 3, d, 9, tzinfo=berlin) for d in (23, 30)] + [
        datetime.datetime(2026, 4, 1, 9, tzinfo=berlin)
    ]
    # Across the spring change the wall-clock time stays 09:00.
    assert starts[0].utcoffset() == datetime.timedelta(hours=1)
    assert starts[1].utcoffset() == datetime.timedelta(hours=2)
    with pytest.raises(pa.InvalidInputError):
        pa.expand_rrule("FREQ=SOMETIMES", datetime.datetime(2026, 1, 1), after=datetime.datetime(2026, 1, 1), before=datetime.datetime(2026, 2, 1))
    runs = pa.schedule_runs("0 7 * * MON-FRI", after=datetime.datetime(2026, 11, 20), until=datetime.datetime(2026, 11, 24), tz="Europe/Berlin")
    assert [r.day for r in runs] == [20, 23]
    weekly = pa.schedule_runs(
        {"kind": "weekly", "days": ["Mon", "Thu"], "time": "18:00:00"},
        after=datetime.datetime(2026, 11, 20),
        until=datetime.datetime(2026, 11, 30),
        tz="Europe/Berlin",
        limit=1,
    )
    assert weekly == [datetime.datetime(2026, 11, 23, 18, tzinfo=berlin)]
    # The same with what a Python user holds: a zoneinfo zone and a datetime.time.
    assert pa.schedule_runs(
        {"kind": "weekly", "days": ["Mon", "Thu"], "time": datetime.time(18, 0)},
        after=datetime.datetime(2026, 11, 20),
        until=datetime.datetime(2026, 11, 30),
        tz=berlin,
        limit=1,
    ) == weekly
    assert pa.expand_rrule(
        "FREQ=WEEKLY;BYDAY=MO,WE",
        datetime.datetime(2026, 3, 23, 9),
        after=datetime.datetime(2026, 3, 23),
        before=datetime.datetime(2026, 4, 2),
        tz=berlin,
        exdates=[datetime.datetime(2026, 3, 25, 9)],
    ) == starts
    with pytest.raises(pa.InvalidInputError) as unreadable:
        pa.schedule_runs({"kind": "daily", "time": object()}, after=datetime.datetime(2026, 1, 1),
                         until=datetime.datetime(2026, 2, 1))
    assert str(unreadable.value).startswith("invalid schedule: cannot be read as JSON: ")
    with pytest.raises(pa.InvalidInputError):
        pa.schedule_runs("not a cron", after=datetime.datetime(2026, 1, 1), until=datetime.datetime(2026, 2, 1))
    with pytest.raises(pa.InvalidInputError):
        pa.schedule_runs({"kind": "hourly"}, after=datetime.datetime(2026, 1, 1), until=datetime.datetime(2026, 2, 1))


def test_health(demo: pa.User) -> None:
    trend = demo.health_trend("resting_hr", DAY - datetime.timedelta(days=99), DAY)
    assert len(trend["date"]) == 100 and trend["date"][-1] == DAY
    assert {len(trend[k]) for k in ("date", "value", "mean_7", "mean_30", "mean_90")} == {100}
    values = [v for v in trend["value"][-7:]]
    assert trend["mean_7"][-1] == pytest.approx(sum(values) / 7)
    assert math.isnan(trend["mean_90"][0])
    with pytest.raises(pa.InvalidInputError, match="metric"):
        demo.health_trend("mood")  # type: ignore[arg-type]
    hrv = demo.hrv_status(DAY - datetime.timedelta(days=2), DAY)
    assert [d.day for d in hrv] == [DAY - datetime.timedelta(days=2 - i) for i in range(3)]
    assert all(d.status in ("below", "within", "above", "not_enough_data") for d in hrv)
    # The 60-day range is read from before the asked days.
    assert all(d.range_low is not None and d.status != "not_enough_data" for d in hrv)
    found = demo.anomalies()
    assert all(a.kind in ("elevated_resting_hr", "short_sleep_streak") for a in found)
    for a in found:
        if a.kind == "elevated_resting_hr":
            assert a.value is not None and a.baseline is not None and a.sd is not None
            assert a.value >= a.baseline + 2 * a.sd - 1e-9


def test_training(demo: pa.User) -> None:
    week = demo.adherence("47-26")
    assert week.week == "47-26" and isinstance(week.planned, results.Totals)
    assert week.completed + week.changed + week.missed >= 1
    with pytest.raises(pa.InvalidInputError):
        demo.adherence("99-26")
    monthly = demo.rollups("month", DAY - datetime.timedelta(days=40), DAY)
    assert {r.period for r in monthly} <= {"2026-10", "2026-11"}
    monday = datetime.date(2026, 11, 16)
    weekly = demo.rollups("week", monday, DAY)
    assert weekly and all(r.period == "47-26" for r in weekly)
    assert sum(r.count for r in weekly) == len(demo.activities(monday, DAY))
    with pytest.raises(pa.InvalidInputError):
        demo.rollups("year")  # type: ignore[arg-type]
    chart = demo.pmc(DAY)
    assert chart["date"][-1] == DAY and len(chart["ctl"]) == len(chart["date"])
    form = demo.today(DAY).form
    assert form is not None and chart["ctl"][-1] == pytest.approx(form.ctl)


def test_money(demo: pa.User) -> None:
    worth = demo.net_worth(DAY - datetime.timedelta(days=2), DAY)
    assert worth["date"] == [DAY - datetime.timedelta(days=2 - i) for i in range(3)]
    assert all(isinstance(x, Decimal) for x in worth["net_worth"])
    assert [a - liab for a, liab in zip(worth["assets"], worth["liabilities"])] == worth["net_worth"]
    everything = demo.net_worth()  # from the first to the last recorded balance
    first_balance = min(b.day for b in demo.balances())
    assert everything["date"][0] == first_balance and everything["date"][-1] == DAY
    assert everything["net_worth"][-1] == worth["net_worth"][-1]
    assert pa.Store(":memory:").user().net_worth()["date"] == []
    flow = demo.cash_flow(datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    [october] = flow.by_month
    assert october.month == "2026-10" and october.net == october.income - october.spending
    # Categories roll up into their parents: the top level adds up to the month.
    assert sum(c.spending for c in flow.by_category if "/" not in c.category) == october.spending
    budgets = demo.budgets("2026-11", as_of=DAY)
    assert budgets and all(b.remaining.amount == b.budgeted.amount - b.spent.amount for b in budgets)
    assert all(b.over == (b.spent.amount > b.budgeted.amount) for b in budgets)
    with pytest.raises(pa.InvalidInputError):
        demo.budgets("2026-13")
    bills = demo.recurring_bills(as_of=DAY)
    mortgage = next(b for b in bills if b.name == "Home Loans Inc")
    assert mortgage.cadence == "monthly" and mortgage.amount.amount == Decimal("1850.00")
    assert mortgage.next_due > mortgage.last_paid
    assert len(mortgage.transactions) == mortgage.occurrences


def test_habits(demo: pa.User) -> None:
    habit = demo.habits()[0]
    streaks = demo.habit_streaks(habit.id, as_of=DAY)
    assert streaks.longest == max(s.length for s in streaks.all)
    assert all(s.length == (s.end - s.start).days + 1 for s in streaks.all if habit.per_days == 1)
    scores = demo.habit_scores(habit.id, as_of=DAY)
    assert scores["date"][-1] == DAY and all(0.0 <= s <= 1.0 for s in scores["score"])
    with pytest.raises(pa.NotFoundError):
        demo.habit_streaks("no-such-habit")


def test_async_variants(tmp_path: pathlib.Path) -> None:
    store = pa.Store(tmp_path / "pa.db")
    me = store.user()
    gpx = tmp_path / "run.gpx"
    gpx.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="t"><trk><trkseg>'
        '<trkpt lat="52.5" lon="13.4"><time>2026-11-20T07:00:00Z</time></trkpt>'
        '<trkpt lat="52.501" lon="13.401"><time>2026-11-20T07:00:30Z</time></trkpt>'
        "</trkseg></trk></gpx>"
    )
    seen: list[int] = []

    async def main() -> tuple[int, int]:
        reports, _ = await asyncio.gather(
            me.import_files_async([gpx], progress=lambda done, total, path: seen.append(done)),
            asyncio.sleep(0),
        )
        await store.backup_async(tmp_path / "copy.db")
        await me.export_jsonl_async(tmp_path / "out.jsonl")
        other = pa.Store(tmp_path / "other.db").user()
        report = await other.import_jsonl_async(tmp_path / "out.jsonl")
        return reports[0]["added"], report["added"]

    assert asyncio.run(main()) == (1, 1)
    assert seen == [1]
    assert pa.Store(tmp_path / "copy.db").user().activities()

    async def failing() -> None:
        await me.import_files_async([tmp_path / "absent.fit"])

    with pytest.raises(pa.NotFoundError):
        asyncio.run(failing())


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//pa tests//EN\r
BEGIN:VEVENT\r
UID:standup@pa\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Europe/Berlin:20260302T093000\r
DTEND;TZID=Europe/Berlin:20260302T094500\r
RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6\r
EXDATE;TZID=Europe/Berlin:20260304T093000\r
SUMMARY:Stand-up\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup@pa\r
DTSTAMP:20260101T000000Z\r
RECURRENCE-ID;TZID=Europe/Berlin:20260309T093000\r
DTSTART;TZID=Europe/Berlin:20260309T110000\r
DTEND;TZID=Europe/Berlin:20260309T111500\r
SUMMARY:Stand-up (moved)\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:trip@pa\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20260310\r
DTEND;VALUE=DATE:20260312\r
SUMMARY:Trip\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_read_calendar_equals_the_store(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "cal.ics"
    path.write_text(ICS, newline="")
    start, end = datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)
    found = pa.read_calendar(path, start, end, tz="Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    assert [(o.title, o.start) for o in found] == [
        ("Stand-up", datetime.datetime(2026, 3, 2, 9, 30, tzinfo=berlin)),
        ("Stand-up (moved)", datetime.datetime(2026, 3, 9, 11, 0, tzinfo=berlin)),
        ("Trip", datetime.date(2026, 3, 10)),
        ("Stand-up", datetime.datetime(2026, 3, 11, 9, 30, tzinfo=berlin)),
        ("Stand-up", datetime.datetime(2026, 3, 16, 9, 30, tzinfo=berlin)),
        ("Stand-up", datetime.datetime(2026, 3, 18, 9, 30, tzinfo=berlin)),
    ]
    moved = found[1]
    assert moved.overridden and not found[0].overridden and found[2].all_day
    assert found[2].end == datetime.date(2026, 3, 12) and moved.status == "confirmed"
    assert repr(moved).startswith("Occurrence(calendar=") and "Stand-up (moved)" in repr(moved)
    from_bytes = pa.read_calendar(ICS.encode(), start, end, tz="Europe/Berlin")
    assert [(o.title, o.start, o.end) for o in from_bytes] == [(o.title, o.start, o.end) for o in found]
    assert {o.calendar for o in found} == {"cal"} and {o.calendar for o in from_bytes} == {"calendar"}
    assert len({hash(o) for o in found}) == len(found)
    me = pa.Store(tmp_path / "pa.db").user()
    me.import_files([path], zone="Europe/Berlin")
    assert me.occurrences(start, end, tz="Europe/Berlin") == found
    with pytest.raises(pa.ParseError):
        pa.read_calendar(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", start, end)
    with pytest.raises(pa.NotFoundError):
        pa.read_calendar(tmp_path / "absent.ics", start, end)


def test_reads_have_awaitable_forms(demo: pa.User) -> None:
    async def main() -> tuple[object, ...]:
        return tuple(
            await asyncio.gather(
                demo.today_async(DAY),
                demo.week_async("47-26"),
                demo.pmc_async(DAY, variant="tp"),
                demo.activities_async(DAY - datetime.timedelta(days=30), DAY),
                demo.transactions_async(end=DAY),
            )
        )

    today, week, chart, acts, txs = asyncio.run(main())
    assert today == demo.today(DAY)
    assert week == demo.week("47-26")
    assert isinstance(chart, dict) and list(chart["tsb"]) == list(demo.pmc(DAY, variant="tp")["tsb"])
    assert acts == demo.activities(DAY - datetime.timedelta(days=30), DAY) and len(acts) > 0
    assert txs == demo.transactions(end=DAY)
