"""The CLI and the Python module are two front ends of one facade: on one store, for the same
person, day and zone, they must give the same briefing, weekly review and training loads."""

import datetime
import json
import os
import pathlib
import subprocess
from typing import Any

import pytest

import pa

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT.parent / "shared" / "fixtures"
DAY = datetime.date(2026, 11, 20)
ZONE = "Europe/Berlin"


def cli_binary() -> pathlib.Path:
    """The `pa` CLI built by `cargo build -p pa-cli` (scripts/test builds it first)."""
    path = pathlib.Path(os.environ.get("PA_CLI", ROOT / "target" / "debug" / "pa"))
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the pa CLI is missing at {path}: run cargo build -p pa-cli")
        pytest.skip(f"SKIPPED: the pa CLI is missing at {path} (cargo build -p pa-cli)")
    return path


def cli(db: pathlib.Path, *args: str) -> Any:
    """Runs the CLI on `db` with no config file or environment settings, and reads its JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    env["PA_CONFIG"] = str(db.parent / "no-config.toml")
    done = subprocess.run(
        [str(cli_binary()), "--db", str(db), "--quiet", "--format", "json", *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=db.parent,
    )
    return json.loads(done.stdout) if done.stdout.strip() else None


def money(m: Any) -> str:
    return str(m.amount) if hasattr(m, "amount") else str(m)


def instant(t: datetime.datetime) -> str:
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def briefing_of_python(b: Any) -> dict[str, Any]:
    return {
        "day": b.day.isoformat(),
        "agenda": [
            (o.title, instant(o.start) if isinstance(o.start, datetime.datetime) else o.start.isoformat())
            for o in b.agenda
        ],
        "tasks_due": [t.id for t in b.tasks_due],
        "tasks_overdue": [t.id for t in b.tasks_overdue],
        "habits": [(h.name, h.done_today, h.current_streak, h.longest_streak) for h in b.habits],
        "form": (b.form.ctl, b.form.atl, b.form.tsb, b.form.form) if b.form else None,
        "sleep": (b.sleep.total_s, b.sleep.score) if b.sleep else None,
        "budgets": [(x.category, money(x.spent), money(x.projected)) for x in b.budgets],
        "net_worth": [(n.currency, str(n.net_worth), str(n.change_week)) for n in b.net_worth],
        "reminders": [(r.id, instant(r.remind_at)) for r in b.reminders],
    }


def briefing_of_cli(b: dict[str, Any]) -> dict[str, Any]:
    def start(o: dict[str, Any]) -> str:
        # The CLI's JSON is the occurrence as pa-core serialises it: timed starts carry their
        # instant in UTC, all-day ones a date.
        s = o["time"]["start"]
        return str(s["utc"]) if isinstance(s, dict) else str(s)

    return {
        "day": b["day"],
        "agenda": [(o["title"], start(o)) for o in b["agenda"]],
        "tasks_due": [t["id"] for t in b["tasks_due"]],
        "tasks_overdue": [t["id"] for t in b["tasks_overdue"]],
        "habits": [
            (h["name"], h["done_today"], h["current_streak"], h["longest_streak"]) for h in b["habits"]
        ],
        "form": (b["form"]["ctl"], b["form"]["atl"], b["form"]["tsb"], b["form"]["form"]) if b["form"] else None,
        "sleep": (b["sleep"]["total_s"], b["sleep"]["score"]) if b["sleep"] else None,
        "budgets": [(x["category"], x["spent"]["amount"], x["projected"]["amount"]) for x in b["budgets"]],
        "net_worth": [(n["currency"], n["net_worth"], n["change_week"]) for n in b["net_worth"]],
        "reminders": [(r["id"], r["remind_at"]["utc"]) for r in b["reminders"]],
    }


def review_of_python(r: Any) -> dict[str, Any]:
    t = r.training
    return {
        "label": r.label,
        "days": (r.first_day.isoformat(), r.last_day.isoformat()),
        "training": (t.completed, t.missed, t.extra, t.actual.load, t.actual.distance_m, t.ctl, t.atl, t.tsb),
        "health": (r.health.avg_sleep_hours, r.health.avg_resting_hr),
        "habits": [(h.name, h.completion_pct, h.streak_before, h.streak_after) for h in r.habits],
        "tasks": (r.tasks.done, r.tasks.added, r.tasks.overdue),
        "calendar": [(c.calendar, c.hours) for c in r.calendar],
        "spending": [(s.category, s.currency, str(s.spent)) for s in r.spending],
        "net_worth": [(n.currency, str(n.start), str(n.end)) for n in r.net_worth],
        "mood_avg": r.mood_avg,
    }


def review_of_cli(r: dict[str, Any]) -> dict[str, Any]:
    t = r["training"]
    return {
        "label": r["label"],
        "days": (r["first_day"], r["last_day"]),
        "training": (
            t["completed"], t["missed"], t["extra"], t["actual"]["load"], t["actual"]["distance_m"],
            t["ctl"], t["atl"], t["tsb"],
        ),
        "health": (r["health"]["avg_sleep_hours"], r["health"]["avg_resting_hr"]),
        "habits": [(h["name"], h["completion_pct"], h["streak_before"], h["streak_after"]) for h in r["habits"]],
        "tasks": (r["tasks"]["done"], r["tasks"]["added"], r["tasks"]["overdue"]),
        "calendar": [(c["calendar"], c["hours"]) for c in r["calendar"]],
        "spending": [(s["category"], s["currency"], s["spent"]) for s in r["spending"]],
        "net_worth": [(n["currency"], n["start"], n["end"]) for n in r["net_worth"]],
        "mood_avg": r["mood_avg"],
    }


def test_the_cli_and_python_give_the_same_briefing_and_review(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "pa.db"
    cli(db, "demo", "--day", DAY.isoformat(), "--seed", "5")
    # The zone comes from the stored profile, set through one front end and read by both.
    cli(db, "profile", "set", "--zone", ZONE)
    me = pa.Store(db).user()
    assert me.profile()["zone"] == ZONE

    from_python = briefing_of_python(me.today(DAY))
    from_cli = briefing_of_cli(cli(db, "today", "--day", DAY.isoformat()))
    assert from_python == from_cli
    assert from_python["habits"] and from_python["form"] and from_python["reminders"]
    assert from_python["agenda"], "the demo day has events to compare"
    # The stored zone is what both used: the reminders are Berlin mornings.
    assert from_cli["reminders"][0] == ("demo-r1", "2026-11-20T06:00:00Z")

    week = DAY.isocalendar()
    label = f"{week.week}-{week.year % 100}"
    py_review = review_of_python(me.week(label))
    assert py_review == review_of_cli(cli(db, "week", "--week", label))
    assert py_review["habits"] and py_review["spending"]
    # Another zone given explicitly wins over the profile in both.
    tokyo = review_of_python(me.week(label, tz="Asia/Tokyo"))
    assert tokyo == review_of_cli(cli(db, "week", "--week", label, "--tz", "Asia/Tokyo"))


def fit_files() -> list[pathlib.Path]:
    names = ["Edge810-Vector-2013-08-16-15-35-10.fit", "garmin-fenix-5-run.fit"]
    if not FIXTURES.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{FIXTURES} is missing; CI must have the shared fixtures")
        pytest.skip(f"SKIPPED: {FIXTURES} is missing (the shared sample files)")
    return [FIXTURES / "fit" / n for n in names]


def test_an_imported_fit_file_gets_the_same_load_from_both(tmp_path: pathlib.Path) -> None:
    files = fit_files()
    db = tmp_path / "pa.db"
    store = pa.Store(db)
    # The same profile, set once through each front end.
    store.user("py").set_profile(zone=ZONE, ftp=250, hr_rest=48, hr_max=188, lthr=170)
    cli(db, "--user", "cli", "profile", "set", "--zone", ZONE, "--ftp", "250",
        "--hr-rest", "48", "--hr-max", "188", "--lthr", "170")
    assert store.user("py").profile() == cli(db, "--user", "cli", "profile", "show")

    store.user("py").import_files(files)
    cli(db, "--user", "cli", "import", *map(str, files))

    def loads(rows: list[Any]) -> list[tuple[str, float | None, float | None]]:
        return sorted((str(a["start"]["utc"]), a["training_load"], a["trimp"]) for a in rows)

    from_python = loads(_activity_rows(store.user("py")))
    from_cli = loads(cli(db, "--user", "cli", "export", "--kind", "activities"))
    assert from_python == from_cli
    # Both files were scored: power gives TSS on the ride, heart rate hrTSS on the run.
    assert len(from_cli) == 2 and all(load is not None and load > 0 for _, load, _ in from_cli)


def _activity_rows(user: pa.User) -> list[dict[str, Any]]:
    """The person's activities as the CLI's JSON export shapes them (start as an instant)."""
    rows = []
    for a in user.activities():
        rows.append(
            {
                "start": {"utc": instant(a.start)},
                "training_load": a.training_load,
                "trimp": a.trimp,
            }
        )
    return rows


def test_the_profile_is_checked_in_both(tmp_path: pathlib.Path) -> None:
    me = pa.Store(tmp_path / "pa.db").user()
    with pytest.raises(pa.InvalidInputError):
        me.set_profile(zone="Mars/Olympus")
    with pytest.raises(pa.InvalidInputError):
        me.set_profile(hr_rest=48)
    assert me.profile() == {"zone": None, "athlete": {"ftp_w": None, "heart_rate": None}}
