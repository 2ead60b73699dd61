"""Smoke tests of the Python glue: conversions, keyword options, errors and warnings."""

import datetime
import math

import pytest

import pa


def test_version() -> None:
    assert isinstance(pa.__version__, str) and pa.__version__


def test_columns_cover_every_calendar_day() -> None:
    d = datetime.date
    out = pa.pmc([d(2026, 1, 1), d(2026, 1, 3), d(2026, 1, 1)], [100.0, 50.0, 20.0])
    assert set(out) == {"date", "load", "ctl", "atl", "tsb", "ramp"}
    assert out["date"] == [d(2026, 1, 1), d(2026, 1, 2), d(2026, 1, 3)]
    assert out["load"] == [120.0, 0.0, 50.0]
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
        pa.pmc([datetime.date(2026, 1, 1)], [1.0], **kwargs)  # type: ignore[arg-type]


def test_bad_inputs_raise_typed_errors() -> None:
    with pytest.raises(pa.InvalidInputError, match="negative"):
        pa.pmc([datetime.date(2026, 1, 1)], [-1.0])
    with pytest.raises(pa.InvalidInputError, match="2 dates but 1 loads"):
        pa.pmc([datetime.date(2026, 1, 1), datetime.date(2026, 1, 2)], [1.0])
    with pytest.raises(pa.PaError):
        pa.pmc([], [])
    with pytest.raises(TypeError):
        pa.pmc(["2026-01-01"], [1.0])  # type: ignore[list-item]
    assert issubclass(pa.InvalidInputError, pa.PaError)


def test_non_finite_load_warns() -> None:
    with pytest.warns(RuntimeWarning, match="not a finite number"):
        out = pa.pmc([datetime.date(2026, 1, 1)], [float("nan")])
    assert out["load"] == [0.0]
