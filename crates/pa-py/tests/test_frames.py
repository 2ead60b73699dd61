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


def test_native_transactions_give_the_generic_table(demo: pa.User, tmp_path: object) -> None:
    from pa.frames import _to_pandas

    txs = demo.transactions()
    assert all(type(t) is pa.records.Transaction for t in txs)
    pd.testing.assert_frame_equal(txs.to_pandas(), _to_pandas(list(txs)))
    # Without any external reference the column stays whole; with a few, it splits with None.
    user = pa.Store(":memory:").user()
    user.add_expense(Decimal("4.20"), "Coffee", currency="EUR", day=DAY)
    user.add_expense(Decimal("1"), "Cake", currency="EUR", day=DAY, merchant="Café", category="Food")
    plain = user.transactions()
    assert list(plain.to_pandas().columns)[:3] == ["id", "external", "account"]
    pd.testing.assert_frame_equal(plain.to_pandas(), _to_pandas(list(plain)))
    user.add_expense(Decimal("2.00"), "Tea", currency="EUR", day=DAY, external="bank:7")
    mixed = user.transactions()
    frame = mixed.to_pandas()
    assert frame["external_source"].isna().sum() == 2
    pd.testing.assert_frame_equal(frame, _to_pandas(list(mixed)))
    # A list the caller changed, or of other records, goes the generic way.
    edited = RecordList([mixed[0], pa.records.Money(Decimal(1), "EUR")])
    with pytest.raises(AttributeError):
        edited.to_pandas()
    assert pa.frames.to_pandas(t for t in mixed).equals(frame)


def test_native_transactions_behave_as_records(demo: pa.User) -> None:
    import pickle

    t = demo.transactions()[0]
    assert pickle.loads(pickle.dumps(t)) == t and hash(pickle.loads(pickle.dumps(t))) == hash(t)
    assert repr(t).startswith("Transaction(id='tx-") and "amount=Money(amount=Decimal(" in repr(t)
    match t:
        case pa.records.Transaction(id, external, account):
            assert (id, external, account) == (t.id, t.external, t.account)
        case _:
            raise AssertionError("a Transaction matches its class pattern")
    with pytest.raises(AttributeError):
        t.description = "changed"  # type: ignore[misc]
    assert columns([t])["amount"] == [t.amount.amount]
