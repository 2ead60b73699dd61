"""Record lists as pandas and polars tables: Money flattened, dates as dates, decimals exact."""

import datetime
from decimal import Decimal

import pandas as pd
import pytest

import pa
from pa.frames import RecordList, columns

from conftest import DEMO_DAY as DAY


def test_every_record_list_turns_into_a_table(demo: pa.User) -> None:
    lists = [demo.activities(), demo.transactions(), demo.accounts(), demo.tasks(), demo.habits(),
             demo.events(DAY, DAY), demo.occurrences(DAY, DAY), demo.budgets("2026-11", as_of=DAY)]
    for items in lists:
        assert isinstance(items, RecordList) and isinstance(items, list)
        frame = items.to_pandas()
        assert len(frame) == len(items) > 0


def test_money_is_flattened_and_exact_in_pandas(demo: pa.User) -> None:
    txs = demo.transactions()
    frame = txs.to_pandas()
    assert frame["amount"].sum() == sum((t.amount.amount for t in txs), Decimal(0))
    assert isinstance(frame["amount"].iloc[0], Decimal)
    assert set(frame["amount_currency"]) == {"USD"}
    assert str(frame["posted"].dtype).startswith("datetime64")
    weekly = frame.set_index("posted")["amount"].resample("W").count()
    assert weekly.sum() == len(txs)


def test_polars_keeps_dates_and_decimals(demo: pa.User) -> None:
    pl = pytest.importorskip("polars")
    frame = demo.transactions().to_polars()
    assert frame.schema["posted"] == pl.Date
    assert isinstance(frame.schema["amount"], pl.Decimal)
    assert frame["amount"].sum() == sum((t.amount.amount for t in demo.transactions()), Decimal(0))
    acts = demo.activities().to_polars()
    assert acts.schema["start"] == pl.Datetime(time_zone="UTC")


def test_columns_flatten_nested_records() -> None:
    sleep = pa.records.Sleep(total_s=25_000.0, deep_s=None, light_s=None, rem_s=None, awake_s=None, score=80.0)
    day = pa.records.DailyHealth(
        day=DAY, sleep=sleep, resting_hr_bpm=50.0, hrv_rmssd_ms=None, steps=None, stress_avg=None,
        body_battery_high=None, body_battery_low=None, intensity_minutes=None,
    )
    cols = columns([day])
    assert cols["sleep_total_s"] == [25_000.0] and cols["sleep_score"] == [80.0] and cols["day"] == [DAY]
    assert columns([]) == {}
