"""The store from Python: open, import with progress, briefing, export, backup, errors."""

import datetime
import decimal
import json
import os
import pathlib
import threading

import pytest

import pa

GPX = """<?xml version="1.0"?><gpx version="1.1"><trk><name>Loop</name><trkseg>
<trkpt lat="46.0" lon="14.0"><ele>300</ele><time>2026-03-01T07:00:00Z</time></trkpt>
<trkpt lat="46.001" lon="14.0"><ele>305</ele><time>2026-03-01T07:00:30Z</time></trkpt>
</trkseg></trk></gpx>"""

ICS = (
    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:standup\r\n"
    "DTSTART;TZID=Europe/Berlin:20260302T090000\r\nDTEND;TZID=Europe/Berlin:20260302T091500\r\n"
    "RRULE:FREQ=DAILY;COUNT=3\r\nSUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def write(tmp: pathlib.Path, name: str, text: str) -> pathlib.Path:
    p = tmp / name
    p.write_text(text)
    return p


def test_import_reports_and_is_idempotent(tmp_path: pathlib.Path) -> None:
    store = pa.Store(tmp_path / "pa.db")
    assert "pa.db" in repr(store)
    me = store.user("me")
    assert repr(me) == 'pa.User("me")'
    files = [write(tmp_path, "run.gpx", GPX), write(tmp_path, "cal.ics", ICS)]
    seen: list[tuple[int, int, str]] = []
    reports = me.import_files(files, progress=lambda done, total, path: seen.append((done, total, os.fspath(path))))
    assert [r["format"] for r in reports] == ["gpx", "ics"]
    assert [r["added"] for r in reports] == [1, 1]
    assert [s[:2] for s in seen] == [(1, 2), (2, 2)]
    again = me.import_files(files)
    assert [r["unchanged"] for r in again] == [1, 1]
    dry = store.user("someone-else").import_files(files, dry_run=True)
    assert [r["added"] for r in dry] == [0, 0]


def test_briefing_export_and_backup(tmp_path: pathlib.Path) -> None:
    store = pa.Store(str(tmp_path / "pa.db"))
    me = store.user()
    me.import_files([write(tmp_path, "cal.ics", ICS)])
    b = me.today(datetime.date(2026, 3, 3), tz="Europe/Berlin")
    assert b.day == datetime.date(2026, 3, 3)
    assert [o.title for o in b.agenda] == ["Standup"]
    assert isinstance(b, pa.results.Briefing) and b.form is None
    out = tmp_path / "all.jsonl"
    me.export_jsonl(out)
    kinds = {json.loads(line)["kind"] for line in out.read_text().splitlines()}
    assert "event" in kinds
    store.backup(tmp_path / "copy.db")
    copy = pa.Store(tmp_path / "copy.db").user().today(datetime.date(2026, 3, 3), tz="Europe/Berlin")
    assert copy == b


def test_close_and_with_fold_the_log_into_the_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "pa.db"
    with pa.Store(path) as store:
        me = store.user()
        me.import_files([write(tmp_path, "cal.ics", ICS)])
        # The store's own file is never an export target.
        with pytest.raises(pa.StorageError, match="it is the store"):
            me.export_jsonl(path)
        with pytest.raises(pa.StorageError, match="it is the store"):
            me.export_jsonl(str(path) + "-wal")
    assert not (tmp_path / "pa.db-wal").exists()
    with pytest.raises(pa.StorageError, match="the store is closed"):
        me.today(datetime.date(2026, 3, 3))
    store.close()
    # The file alone holds everything.
    (tmp_path / "copy.db").write_bytes(path.read_bytes())
    again = pa.Store(tmp_path / "copy.db").user(create=False)
    assert [o.title for o in again.today(datetime.date(2026, 3, 3), tz="Europe/Berlin").agenda] == ["Standup"]
    out = tmp_path / "all.jsonl"
    out.write_text("old")
    again.export_jsonl(out)
    assert out.read_text().startswith('{"kind":"event"')
    assert out.stat().st_mode & 0o777 == 0o600


def test_a_missing_store_is_made_only_when_asked(tmp_path: pathlib.Path) -> None:
    typo = tmp_path / "typo.db"
    with pytest.raises(pa.NotFoundError, match="no pa store there"):
        pa.Store(typo, create=False)
    assert not typo.exists()
    (tmp_path / "empty.db").write_bytes(b"")
    with pytest.raises(pa.StorageError, match="the file is empty"):
        pa.Store(tmp_path / "empty.db")
    pa.Store(typo).close()
    assert pa.Store(typo, create=False).users() == []


def test_threads_share_a_store(tmp_path: pathlib.Path) -> None:
    me = pa.Store(tmp_path / "pa.db").user()
    me.import_files([write(tmp_path, "cal.ics", ICS)])
    results: list[int] = []

    def read() -> None:
        results.append(len(me.today(datetime.date(2026, 3, 2), tz="Europe/Berlin").agenda))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [1] * 8


def test_errors_are_typed(tmp_path: pathlib.Path) -> None:
    me = pa.Store(tmp_path / "pa.db").user()
    bad = write(tmp_path, "bad.gpx", "<gpx><trk><trkseg><trkpt lat='x'")
    with pytest.raises(pa.ParseError, match="bad.gpx"):
        me.import_files([bad])
    assert issubclass(pa.ParseError, pa.InvalidInputError)
    with pytest.raises(pa.NotFoundError):
        me.import_files([tmp_path / "missing.fit"])
    with pytest.raises(pa.InvalidInputError, match="Mars"):
        me.today(tz="Mars/Olympus")
    with pytest.raises(pa.InvalidInputError):
        pa.Store(tmp_path / "pa.db").user("")
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(pa.StorageError):
        pa.Store(tmp_path / "junk.db")

    def boom(done: int, total: int, path: object) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        me.import_files([write(tmp_path, "run.gpx", GPX)], progress=boom)


def test_demo_week_and_the_example(tmp_path: pathlib.Path) -> None:
    import subprocess
    import sys

    me = pa.Store(tmp_path / "pa.db").user()
    day = datetime.date(2026, 11, 20)
    assert me.load_demo(day, seed=7) > 5000
    assert me.load_demo(day, seed=7) == 0
    review = me.week("47-26")
    assert review.label == "47-26"
    assert (review.first_day, review.last_day) == (datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))
    assert review.training.form in ("fresh", "optimal", "productive", "overreaching")
    assert all(isinstance(n.change, decimal.Decimal) for n in review.net_worth)
    briefing = me.today(day, tz="Europe/Berlin")
    assert briefing.form is not None and briefing.form.form == pa.form(briefing.form.tsb)
    assert briefing.sleep is not None and briefing.sleep.day == day
    assert all(isinstance(t, pa.records.Task) for t in briefing.tasks_due + briefing.tasks_overdue)
    assert briefing.habits and briefing.net_worth and briefing.budgets
    with pytest.raises(pa.InvalidInputError):
        me.week("54-26")
    example = pathlib.Path(__file__).parents[3] / "examples" / "python" / "briefing.py"
    out = subprocess.run(
        [sys.executable, "-W", "error", str(example), str(tmp_path / "pa.db"), "47-26"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out.startswith("Week 47-26")
    assert "habit Meditate" in out


def test_numerical_habits_are_done_only_when_the_target_is_met(tmp_path: pathlib.Path) -> None:
    def habit(hid: str, name: str, target: float, kind: str) -> str:
        return json.dumps({"kind": "habit", "record": {
            "id": hid, "name": name, "frequency": "1/1", "archived": False,
            "kind": {"kind": "numerical", "target": target, "target_kind": kind, "unit": "x"}}})

    def entry(hid: str, amount: float) -> str:
        return json.dumps({"kind": "habit_entry", "record": {
            "habit": hid, "day": "2026-11-20", "value": {"amount": amount}}})

    lines = [habit("read", "Read", 20, "at_least"), habit("coffee", "Coffee", 2, "at_most"),
             habit("run", "Run", 5, "at_least"), habit("tea", "Tea", 2, "at_most"),
             entry("read", 5), entry("coffee", 5), entry("run", 6.5), entry("tea", 1)]
    me = pa.Store(":memory:").user()
    me.import_jsonl(write(tmp_path, "habits.jsonl", "\n".join(lines) + "\n"))
    b = me.today(datetime.date(2026, 11, 20))
    assert sorted((h.name, h.done_today) for h in b.habits) == [
        ("Coffee", False), ("Read", False), ("Run", True), ("Tea", True)]
