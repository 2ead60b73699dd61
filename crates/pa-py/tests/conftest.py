"""Shared fixtures: one demo store, read (never written) by the tests that use it."""

import datetime

import pytest

import pa

DEMO_DAY = datetime.date(2026, 11, 20)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> pa.User:
    me = pa.Store(tmp_path_factory.mktemp("demo") / "pa.db").user()
    me.load_demo(DEMO_DAY, seed=5)
    return me
