"""Smoke tests of the Python glue: conversions, keyword options, errors and warnings."""

import array
import datetime
import math
from typing import Any

import pytest

import pa


def test_version() -> None:
    assert isinstance(pa.__version__, str) and pa.__version__


def test_columns_cover_every_calendar_day() -> None:
    d = datetime.date
    out = pa.pmc([d(2026, 1, 1), d(2026, 1, 3), d(2026, 1, 1)], [100.0, 50.0, 20.0])
    assert set(out) == {"date", "load", "ctl", "atl", "tsb", "ramp"}
    assert out["date"] == [d(2026, 1, 1), d(2026, 1, 2), d(2026, 1, 3)]
    assert list(out["load"]) == [120.0, 0.0, 50.0]
    assert isinstance(out["ctl"], array.array) and out["ctl"].typecode == "d"
    k = 1 - math.exp(-1 / 42)
    assert out["ctl"][0] == pytest.approx(120 * k, abs=1e-12)
    assert out["tsb"][0] == 0.0


def test_options_reach_the_engine() -> None:
    out = pa.pmc([datetime.date(2026, 1, 1)], [100.0], variant="tp", ctl0=50.0, atl0=70.0)
    assert out["tsb"][0] == -20.0
    assert out["ctl"][0] == pytest.approx(50 + (100 - 50) / 42, abs=1e-12)


@pytest.mark.parametrize(
    "kwargs",
    [{"variant": "wko"}, {"ctl_days": 0.0}, {"atl0": -1.0}],
)
def test_bad_options_raise_invalid_input(kwargs: dict[str, object]) -> None:
    with pytest.raises(pa.InvalidInputError):
        pa.pmc([datetime.date(2026, 1, 1)], [1.0], **kwargs)  # type: ignore[call-overload]


def test_bad_inputs_raise_typed_errors() -> None:
    with pytest.raises(pa.InvalidInputError, match="negative"):
        pa.pmc([datetime.date(2026, 1, 1)], [-1.0])
    with pytest.raises(pa.InvalidInputError, match="2 dates but 1 loads"):
        pa.pmc([datetime.date(2026, 1, 1), datetime.date(2026, 1, 2)], [1.0])
    # No loads, no rows (as pmc_series answers), not an error.
    assert pa.pmc([], [])["date"] == []
    with pytest.raises(TypeError):
        pa.pmc(["2026-01-01"], [1.0])  # type: ignore[list-item]
    assert issubclass(pa.InvalidInputError, pa.PaError)


def test_dates_take_any_iterable_and_come_back_as_plain_dates() -> None:
    d = datetime.date
    noon_utc = datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.timezone.utc)
    # Unsorted, from an iterator of unknown length, a datetime counting on its own date, a gap.
    out = pa.pmc(iter([d(2026, 1, 4), noon_utc, d(2026, 1, 1)]), (10.0, 20.0, 30.0))
    assert out["date"] == [d(2026, 1, 1), d(2026, 1, 2), d(2026, 1, 3), d(2026, 1, 4)]
    assert all(type(x) is d for x in out["date"])
    assert list(out["load"]) == [50.0, 0.0, 0.0, 10.0]
    decade = [d(2016, 1, 1) + datetime.timedelta(days=i) for i in range(0, 3650, 2)]
    out = pa.pmc(decade, [1.0] * len(decade))
    assert out["date"] == [d(2016, 1, 1) + datetime.timedelta(days=i) for i in range(3649)]
    with pytest.raises(TypeError, match=r"dates\[1\]: expected a datetime.date, got str"):
        pa.pmc([d(2026, 1, 1), "2026-01-02"], [1.0, 1.0])  # type: ignore[list-item]


def test_non_finite_load_warns() -> None:
    with pytest.warns(RuntimeWarning, match="not a finite number"):
        out = pa.pmc([datetime.date(2026, 1, 1)], [float("nan")])
    assert list(out["load"]) == [0.0]


def test_series_equals_entries_and_takes_any_float_column() -> None:
    start = datetime.date(2026, 1, 1)
    loads = [100.0, 0.0, 50.0, 0.0, 0.0, 80.0, 20.0, 0.0, 30.0]
    days = [start + datetime.timedelta(days=i) for i in range(len(loads))]
    expected = pa.pmc(days, loads)
    columns: list[Any] = [loads, tuple(loads), array.array("d", loads), memoryview(array.array("d", loads))]
    for column in columns:
        out = pa.pmc_series(start, column, variant="icu", ctl0=10.0)
        assert set(out) == {"load", "ctl", "atl", "tsb", "ramp"}
        assert list(out["ctl"]) != list(pa.pmc_series(start, loads)["ctl"])  # options reached it
        same: dict[str, Any] = dict(pa.pmc(days, loads, variant="icu", ctl0=10.0))
        got: dict[str, Any] = dict(out)
        for key, values in got.items():
            assert list(values) == list(same[key]), key
    plain: dict[str, Any] = dict(pa.pmc_series(start, loads))
    entries: dict[str, Any] = dict(expected)
    assert {k: list(v) for k, v in plain.items()} == {k: list(v) for k, v in entries.items() if k != "date"}
    # Integers (other buffer formats and plain ints) are read item by item.
    ints = pa.pmc_series(start, array.array("q", [100, 0, 50]))
    assert list(ints["load"]) == [100.0, 0.0, 50.0]


def test_series_with_numpy_and_pandas() -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    start = datetime.date(2026, 3, 1)
    loads = np.linspace(0.0, 140.0, 60)
    out = pa.pmc_series(start, loads)
    frame = pd.DataFrame(out, index=pd.date_range(start, periods=len(loads)))
    assert frame.shape == (60, 5) and str(frame["ctl"].dtype) == "float64"
    assert frame["load"].tolist() == loads.tolist()
    strided = pa.pmc_series(start, loads[::2])  # not contiguous: still read right
    assert list(strided["load"]) == loads[::2].tolist()
    # A Series indexed by day goes straight in: its Timestamps count on their dates.
    series = pd.Series(loads, index=pd.date_range(start, periods=len(loads)))
    entries = pa.pmc(series.index, series)
    assert entries["date"][0] == start and list(entries["ctl"]) == list(out["ctl"])
    # numpy datetime64 values are read as the days they name.
    assert list(pa.pmc(series.index.values, series)["ctl"]) == list(out["ctl"])


def test_series_bad_inputs() -> None:
    start = datetime.date(2026, 1, 1)
    with pytest.raises(pa.InvalidInputError, match="negative"):
        pa.pmc_series(start, [1.0, -2.0])
    with pytest.raises(TypeError):
        pa.pmc_series(start, ["a"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        pa.pmc_series(start, None)  # type: ignore[arg-type]
    with pytest.warns(RuntimeWarning):
        out = pa.pmc_series(start, [float("inf")])
    assert list(out["load"]) == [0.0]
    assert list(pa.pmc_series(start, [])["ctl"]) == []


def test_form_bands() -> None:
    assert pa.form(20.0) == "fresh"
    assert pa.form(15.0) == "optimal"
    assert pa.form(-5.1) == "productive"
    assert pa.form(-40.1) == "overreaching"
    with pytest.raises(pa.InvalidInputError):
        pa.form(float("nan"))


def test_pandas_series_in_datetime64_out() -> None:
    import numpy as np
    import pandas as pd

    loads = pd.Series([50.0, 0.0, 80.0, 40.0] * 30, index=pd.date_range("2026-01-01", periods=120))
    out = pa.pmc(loads.index, loads)
    by_objects = pa.pmc([d.date() for d in loads.index], list(loads))
    assert out["date"].dtype == np.dtype("datetime64[D]")
    assert list(out["date"].astype("datetime64[D]").tolist()) == by_objects["date"]
    assert list(out["ctl"]) == list(by_objects["ctl"])
    weekly = pd.DataFrame(out).set_index("date").resample("W")["ctl"].last()
    assert len(weekly) == 18 and weekly.iloc[-1] == by_objects["ctl"][-1]
    # A zone-aware index is read in its zone; numpy datetime64 arrays work too.
    aware = pd.Series([10.0, 20.0], index=pd.DatetimeIndex(["2026-03-01 23:30", "2026-03-02 23:30"]).tz_localize("Europe/Berlin"))
    assert pa.pmc(aware.index, aware)["date"].tolist() == [datetime.date(2026, 3, 1), datetime.date(2026, 3, 2)]
    days = np.array(["2026-01-01", "2026-01-03"], dtype="datetime64[D]")
    assert pa.pmc(days, np.array([10, 20]))["date"].tolist() == [
        datetime.date(2026, 1, 1),
        datetime.date(2026, 1, 2),
        datetime.date(2026, 1, 3),
    ]
    with pytest.raises(TypeError, match=r"dates\[1\]: expected a date, got NaT"):
        pa.pmc(pd.DatetimeIndex(["2026-01-01", None]), [1.0, 2.0])


def test_nullable_and_polars_columns() -> None:
    import pandas as pd

    days = pd.date_range("2026-01-01", periods=3)
    nullable = pd.Series([50.0, None, 30.0], dtype="Float64")
    # A missing load is a day without training (0), as a day with no entry is.
    out = pa.pmc(days, nullable)
    assert list(out["load"]) == [50.0, 0.0, 30.0]
    assert list(pa.pmc(days, pd.Series([5, 6, 7], dtype="Int64"))["load"]) == [5.0, 6.0, 7.0]
    pl = pytest.importorskip("polars")
    assert list(pa.pmc(days, pl.Series([50.0, None, 30.0]))["load"]) == [50.0, 0.0, 30.0]
    assert list(pa.pmc_series(datetime.date(2026, 1, 1), pl.Series([1, 2]))["load"]) == [1.0, 2.0]


def test_pmc_frame_is_pmc_as_a_dated_frame() -> None:
    import numpy as np
    import pandas as pd

    loads = pd.Series([50.0, 0.0, 80.0, np.nan] * 30, index=pd.date_range("2026-01-01", periods=120))
    frame = pa.pmc_frame(loads, ctl_days=30.0)
    columns = pa.pmc(loads.index, loads, ctl_days=30.0)
    assert list(frame.columns) == ["load", "ctl", "atl", "tsb", "ramp"]
    assert frame.index.name == "date" and frame.index.dtype.kind == "M"
    for name in frame.columns:
        assert frame[name].tolist() == columns[name].tolist(), name
    # A NaN load is a rest day; a daily index at midnight is the Series' own (renamed, not
    # changed), so the rows line up with the input's.
    assert frame["load"].iloc[3] == 0.0
    assert frame.index.equals(loads.index) and loads.index.name is None
    assert len(frame.resample("W").last()) == 18
    # The numbers are writable, as a frame's are.
    frame.iloc[0, 0] = 1.0
    assert frame.iloc[0, 0] == 1.0

    # Gaps, repeats, times of day, a zone, plain dates: summed by calendar day, every day listed.
    gaps = pd.Series([10.0, 5.0, 20.0], index=pd.DatetimeIndex(["2026-01-01 07:00", "2026-01-01 18:00", "2026-01-04"]))
    frame = pa.pmc_frame(gaps)
    assert frame.index.tolist() == list(pd.date_range("2026-01-01", periods=4))
    assert frame["load"].tolist() == [15.0, 0.0, 0.0, 20.0]
    shifted = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2026-01-01 12:00", "2026-01-02 12:00"]))
    assert pa.pmc_frame(shifted).index.tolist() == list(pd.date_range("2026-01-01", periods=2))
    aware = pd.Series([10.0, 20.0], index=pd.date_range("2026-03-01 23:30", periods=2, tz="Europe/Berlin"))
    assert pa.pmc_frame(aware).index.tolist() == list(pd.date_range("2026-03-01", periods=2))
    plain = pd.Series([1.0, 2.0], index=[datetime.date(2024, 1, 1), datetime.date(2024, 1, 3)])
    assert pa.pmc_frame(plain)["load"].tolist() == [1.0, 0.0, 2.0]
    assert pa.pmc_frame(pd.Series([], dtype=float, index=pd.DatetimeIndex([]))).shape == (0, 5)
    with pytest.raises(pa.InvalidInputError, match="variant"):
        pa.pmc_frame(loads, variant="nope")  # type: ignore[arg-type]
