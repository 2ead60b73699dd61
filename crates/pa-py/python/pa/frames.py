"""Lists of pa records as tables: ``me.transactions().to_pandas()``, ``.to_polars()``, or
``pa.frames.columns(items)`` for any other library.

Records are flattened into one column per value: a ``Money`` field ``amount`` becomes ``amount``
(an exact ``Decimal``) and ``amount_currency``; another nested record ``sleep`` becomes
``sleep_total_s``, ``sleep_score``, …; lists stay whole in one cell. In pandas, dates become
``datetime64`` columns and zone-aware instants ``datetime64[…, UTC]``; in polars, ``Date`` and
``Datetime(time_zone="UTC")``; decimals stay decimals in both.
"""

from __future__ import annotations

import dataclasses
import datetime
import inspect
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pragma: no cover - imported for annotations only
    import pandas
    import polars

T = TypeVar("T")

__all__ = ["RecordList", "columns", "to_pandas", "to_polars"]


def _names(item: Any) -> list[str]:
    if dataclasses.is_dataclass(item):
        return [f.name for f in dataclasses.fields(item)]
    # pa's own classes (Occurrence): their public read-only attributes.
    return [
        name
        for name, attr in vars(type(item)).items()
        if not name.startswith("_") and inspect.isdatadescriptor(attr)
    ]


def _flatten(prefix: str, value: Any, row: dict[str, Any]) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for name in _names(value):
            sub = getattr(value, name)
            # Money: the amount keeps the field's own name.
            key = prefix if name == "amount" and len(_names(value)) == 2 else f"{prefix}_{name}"
            _flatten(key, sub, row)
    elif isinstance(value, datetime.datetime) and value.tzinfo is not None:
        row[prefix] = value.astimezone(datetime.timezone.utc)
    else:
        row[prefix] = value


def columns(items: Iterable[Any]) -> dict[str, list[Any]]:
    """The records as columns of equal length (see the module's flattening rules). A column a
    record lacks (an optional nested record that is ``None``) holds ``None`` for it."""
    rows: list[dict[str, Any]] = []
    order: dict[str, None] = {}
    for item in items:
        row: dict[str, Any] = {}
        for name in _names(item):
            _flatten(name, getattr(item, name), row)
        order.update(dict.fromkeys(row))
        rows.append(row)
    return {name: [row.get(name) for row in rows] for name in order}


def _kind(values: Sequence[Any]) -> type | None:
    """The one type of a column's non-missing values, if there is one."""
    kinds = {type(v) for v in values if v is not None}
    return kinds.pop() if len(kinds) == 1 else None


def to_pandas(items: Iterable[Any]) -> pandas.DataFrame:
    """The records as a pandas DataFrame (dates as ``datetime64``, instants in UTC)."""
    import pandas as pd

    data = columns(items)
    frame = pd.DataFrame(data)
    for name, values in data.items():
        kind = _kind(values)
        if kind is datetime.date:
            frame[name] = pd.to_datetime(frame[name])
        elif kind is datetime.datetime:
            frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def to_polars(items: Iterable[Any]) -> polars.DataFrame:
    """The records as a polars DataFrame (``Date``, ``Datetime`` in UTC, ``Decimal``)."""
    import polars as pl

    return pl.DataFrame(columns(items), strict=False)


class RecordList(list[T]):
    """A list of pa records that also turns itself into a table."""

    __slots__ = ()

    def to_pandas(self) -> pandas.DataFrame:
        """:func:`to_pandas` of this list."""
        return to_pandas(self)

    def to_polars(self) -> polars.DataFrame:
        """:func:`to_polars` of this list."""
        return to_polars(self)
