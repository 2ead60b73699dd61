"""The surface as a whole: every exported name is exercised by a test, and no input, however
odd, gets anything but a typed error out of the module (a Rust panic would surface as
`pyo3_runtime.PanicException`, a BaseException the checks below do not catch)."""

import datetime
import inspect
import pathlib
import random
from collections.abc import Callable

import pytest

import pa

TESTS = "\n".join(p.read_text() for p in pathlib.Path(__file__).parent.glob("test_*.py") if p.name != "test_surface.py")


def public(obj: object) -> list[str]:
    return [n for n in dir(obj) if not n.startswith("_") and callable(getattr(obj, n))]


def test_every_export_is_tested() -> None:
    untested = [n for n in public(pa) if f"pa.{n}(" not in TESTS and not inspect.isclass(getattr(pa, n))]
    assert untested == []
    methods = {f"{cls.__name__}.{n}": n for cls in (pa.Store, pa.User) for n in public(cls)}
    untested = [q for q, n in methods.items() if f".{n}(" not in TESTS]
    assert untested == []
    for name in pa.__all__:
        assert hasattr(pa, name), name


def odd_floats(rng: random.Random, n: int) -> list[float]:
    pool = [0.0, -0.0, -1.0, 1e308, -1e308, float("nan"), float("inf"), float("-inf"), 5e-324]
    return [rng.choice(pool) if rng.random() < 0.3 else rng.uniform(-50, 400) for _ in range(n)]


def test_odd_numbers_get_typed_errors_only() -> None:
    rng = random.Random(8)
    start = datetime.date(2026, 1, 1)
    calls: list[Callable[[list[float]], object]] = [
        lambda xs: pa.pmc_series(start, xs, ctl_days=rng.choice([42.0, 0.0, -1.0, float("nan"), 1e308])),
        lambda xs: pa.normalized_power(xs),
        lambda xs: pa.power_load(xs, threshold_w=rng.choice([250.0, 0.0, float("nan")])),
        lambda xs: pa.trimp(xs, rest_bpm=rng.choice([50.0, -1.0, float("inf")]), max_bpm=190.0),
        lambda xs: pa.hr_stress(xs[0] if xs else 1.0, rest_bpm=50.0, max_bpm=190.0, threshold_bpm=rng.choice([170.0, 300.0, float("nan")])),
        lambda xs: pa.run_load(xs, threshold_pace_s_per_km=rng.choice([300.0, 0.0, -5.0]), altitude=xs[::-1]),
        lambda xs: pa.form(xs[0] if xs else 0.0),
    ]
    import warnings

    for _ in range(300):
        xs = odd_floats(rng, rng.choice([0, 1, 29, 30, 31, 200]))
        call = rng.choice(calls)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                call(xs)
            except pa.PaError:
                pass


def test_odd_text_gets_typed_errors_only(tmp_path: pathlib.Path) -> None:
    rng = random.Random(9)
    parts = ["FREQ=", "DAILY", "WEEKLY", "MONTHLY", ";", "BYDAY=", "MO", "-1FR", "53", "COUNT=", "0", "UNTIL=", "2026", "INTERVAL=", "-3", "é", "\x00", "BYSETPOS=", "BYMONTHDAY=", "99"]
    crons = ["*", "0", "7", "MON-FRI", "*/5", "60", "L", "#", "?", "-", "ä", "1-31", "JAN"]
    at = datetime.datetime(2026, 1, 1)
    for _ in range(300):
        rule = "".join(rng.choice(parts) for _ in range(rng.randint(0, 8)))
        try:
            pa.expand_rrule(rule, at, after=at, before=at + datetime.timedelta(days=400), tz=rng.choice(["UTC", "Europe/Berlin", "Mars/X"]))
        except pa.PaError:
            pass
        cron = " ".join(rng.choice(crons) for _ in range(rng.randint(0, 7)))
        try:
            pa.schedule_runs(cron, after=at, until=at + datetime.timedelta(days=30))
        except pa.PaError:
            pass
    lines = [b"BEGIN:VCALENDAR", b"BEGIN:VEVENT", b"END:VEVENT", b"END:VCALENDAR", b"DTSTART:2026", b"DTSTART;TZID=Nowhere:20260101T100000", b"RRULE:FREQ=DAILY;COUNT=3", b"RECURRENCE-ID:20260102T100000Z", b"DTEND:19000101", b"\xff\xfe", b" folded", b"EXDATE:"]
    for _ in range(200):
        blob = b"\r\n".join(rng.choice(lines) for _ in range(rng.randint(0, 12)))
        try:
            pa.read_calendar(blob, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
        except pa.PaError:
            pass
    me = pa.Store(tmp_path / "pa.db").user()
    for name in ("x.fit", "x.gpx", "x.ofx", "x.tcx", "x.ics", "x.csv"):
        path = tmp_path / name
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randint(0, 400))))
        try:
            me.import_files([path], dry_run=True)
        except pa.PaError:
            pass


@pytest.mark.parametrize("week", ["", "0-26", "53-25", "x", "-1-26", "47-", "99999999999999999999-1"])
def test_odd_weeks(week: str) -> None:
    me = pa.Store(":memory:").user()
    with pytest.raises(pa.InvalidInputError):
        me.adherence(week)
