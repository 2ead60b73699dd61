"""Lists of pa records as tables: ``me.transactions().to_pandas()``, ``.to_polars()``, or
``pa.frames.columns(items)`` for any other library; and ``pmc_frame(loads)``, the PMC of a
pandas Series of daily loads as a DataFrame indexed by date.

Records are flattened into one column per value: a ``Money`` field ``amount`` becomes ``amount``
(an exact ``Decimal``) and ``amount_currency``; another nested record ``sleep`` becomes
``sleep_total_s``, ``sleep_score``, …; lists stay whole in one cell. In pandas, dates become
``datetime64[s]`` columns and zone-aware instants ``datetime64[…, UTC]``; in polars, ``Date`` and
``Datetime(time_zone="UTC")``; decimals stay decimals in both.
"""

from __future__ import annotations

import dataclasses
import datetime
import inspect
import operator
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:  # pragma: no cover - imported for annotations only
    import pandas
    import polars

T = TypeVar("T")

__all__ = ["PMC_COLUMNS", "RecordList", "columns", "pmc_frame", "to_pandas", "to_polars"]


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    """The values a record class holds, in order: a dataclass's fields, or for pa's native
    classes (``Occurrence``, ``Transaction``) their ``__match_args__``, else public read-only
    attributes. Worked out once per class."""
    known = _FIELDS.get(cls)
    if known is None:
        if dataclasses.is_dataclass(cls):
            known = tuple(f.name for f in dataclasses.fields(cls))
        elif isinstance(match_args := getattr(cls, "__match_args__", None), tuple):
            known = match_args
        else:
            known = tuple(
                name
                for name, attr in vars(cls).items()
                if not name.startswith("_") and inspect.isdatadescriptor(attr)
            )
        _FIELDS[cls] = known
    return known


def _is_record(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _flatten(name: str, values: list[Any], out: dict[str, list[Any]]) -> None:
    """Adds the column `name` of `values` to `out`, split into its parts if they are records."""
    sample = next((v for v in values if v is not None), None)
    if sample is None or not _is_record(sample):
        if isinstance(sample, datetime.datetime) and sample.tzinfo is not None:
            utc = datetime.timezone.utc
            values = [None if v is None else v.astimezone(utc) for v in values]
        out[name] = values
        return
    parts = _fields(type(sample))
    for part in parts:
        column = [None if v is None else getattr(v, part) for v in values]
        # Money: the amount keeps the field's own name, the currency goes beside it.
        key = name if (part == "amount" and parts == ("amount", "currency")) else f"{name}_{part}"
        _flatten(key, column, out)


def columns(items: Iterable[Any]) -> dict[str, list[Any]]:
    """The records as columns of equal length (see the module's flattening rules); records of
    one class, as pa's lists hold. A nested record that is ``None`` gives ``None`` in each of
    its columns."""
    rows = list(items)
    out: dict[str, list[Any]] = {}
    if not rows:
        return out
    for name in _fields(type(rows[0])):
        getter = operator.attrgetter(name)
        _flatten(name, [getter(r) for r in rows], out)
    return out


def _kind(values: Sequence[Any]) -> type | None:
    """The type of a column's first present value (a column of pa's holds one type)."""
    return next((type(v) for v in values if v is not None), None)


def to_pandas(items: Iterable[Any]) -> pandas.DataFrame:
    """The records as a pandas DataFrame (dates as ``datetime64``, instants in UTC)."""
    import pandas as pd

    from pa._pa import _frame_columns

    rows = items if isinstance(items, list) else list(items)
    # Native records (``Transaction``) give the same columns straight from their Rust values.
    native = _frame_columns(rows)
    if native is not None:
        return pd.DataFrame(native)
    return _to_pandas(rows)


def _to_pandas(rows: list[Any]) -> pandas.DataFrame:
    """:func:`to_pandas` attribute by attribute, for any records."""
    import pandas as pd

    data = columns(rows)
    frame = pd.DataFrame(data)
    for name, values in data.items():
        kind = _kind(values)
        if kind is datetime.date:
            # Seconds, whatever pandas' default: a day needs no finer unit, and pandas 2 and 3
            # then agree with each other and with the native records' columns.
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[s]")
        elif kind is datetime.datetime:
            frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def to_polars(items: Iterable[Any]) -> polars.DataFrame:
    """The records as a polars DataFrame (``Date``, ``Datetime`` in UTC, ``Decimal``)."""
    import polars as pl

    return pl.DataFrame(columns(items), strict=False)


PMC_COLUMNS = ("load", "ctl", "atl", "tsb", "ramp")
"""The columns of a PMC table, in order."""


def pmc_frame(
    loads: pandas.Series[Any],
    *,
    variant: Literal["gc", "tp", "icu"] = "gc",
    ctl_days: float = 42.0,
    atl_days: float = 7.0,
    ctl0: float = 0.0,
    atl0: float = 0.0,
) -> pandas.DataFrame:
    """The Performance Manager Chart of a pandas Series of loads indexed by date (a
    DatetimeIndex, or dates), as ``pa.pmc`` computes it: a DataFrame with the float columns
    ``load``, ``ctl``, ``atl``, ``tsb`` and ``ramp``, one row per calendar day from the first
    load, indexed by a DatetimeIndex named ``date`` (ready to ``resample``). Several loads on a
    day add up, missing days are rest days, ``NaN``/``NA`` loads count as 0.

    The numbers are one block that pandas takes without copying, and a daily index at midnight
    is the Series' own: ten years take about a tenth of pandas' own ``ewm`` table."""
    import pandas as pd

    from pa._pa import _pmc_block

    global _pmc_columns
    block, days = _pmc_block(loads.index, loads, variant, ctl_days, atl_days, ctl0, atl0)
    index = loads.index.rename("date") if days is None else pd.DatetimeIndex(days, name="date")
    # One Index of the names, shared as pandas shares its own (immutable): building it from
    # strings each time costs more than the chart.
    if _pmc_columns is None:
        _pmc_columns = pd.Index(PMC_COLUMNS)
    return pd.DataFrame(block.T, index=index, columns=_pmc_columns, copy=False)


_pmc_columns: pandas.Index[str] | None = None


class RecordList(list[T]):
    """A list of pa records that also turns itself into a table."""

    __slots__ = ()

    def to_pandas(self) -> pandas.DataFrame:
        """:func:`to_pandas` of this list."""
        return to_pandas(self)

    def to_polars(self) -> polars.DataFrame:
        """:func:`to_polars` of this list."""
        return to_polars(self)
