"""`pa.Store("postgres://…")`: the same store on PostgreSQL, against a real server.

A fresh database per test in the cluster scripts/test starts (PA_TEST_POSTGRES); without one
these tests are skipped, and under CI they fail instead.
"""

import datetime
import os
import pathlib
import subprocess
import uuid

import pytest

import pa

DAY = datetime.date(2026, 11, 20)


def fresh_database() -> str:
    admin = os.environ.get("PA_TEST_POSTGRES")
    if admin is None:
        if os.environ.get("CI"):
            pytest.fail("PA_TEST_POSTGRES is not set: under CI the PostgreSQL tests must run")
        pytest.skip("no PostgreSQL test cluster (PA_TEST_POSTGRES unset)")
    name = f"pa_py_{uuid.uuid4().hex[:12]}"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    base, _, query = admin.partition("?")
    server = base.rsplit("/", 1)[0]
    return f"{server}/{name}?{query}"


def test_a_postgres_store_answers_as_a_sqlite_one(tmp_path: pathlib.Path) -> None:
    url = fresh_database()
    on_postgres = pa.Store(url).user()
    on_sqlite = pa.Store(tmp_path / "pa.db").user()
    for me in (on_postgres, on_sqlite):
        me.load_demo(DAY, seed=2)
    assert on_postgres.today(DAY) == on_sqlite.today(DAY)
    week = f"{DAY.isocalendar()[0]}-W{DAY.isocalendar()[1]:02}"
    assert on_postgres.week(week) == on_sqlite.week(week)
    for me, name in ((on_postgres, "pg.jsonl"), (on_sqlite, "sqlite.jsonl")):
        me.export_jsonl(tmp_path / name)
    assert (tmp_path / "pg.jsonl").read_text() == (tmp_path / "sqlite.jsonl").read_text()


def test_the_url_is_shown_without_its_password_and_people_are_apart() -> None:
    url = fresh_database()
    store = pa.Store(url)
    assert repr(store).startswith("pa.Store(\"postgres://")
    store.user("alice").add_task("Alice's task")
    bob = store.user("bob")
    assert len(bob.tasks()) == 0
    assert store.users() == ["alice", "bob"]
    with pytest.raises(pa.NotFoundError):
        pa.Store(url.replace("/pa_py_", "/pa_py_missing_"), create=False)
