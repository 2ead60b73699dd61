"""What pa's calculations return, as frozen dataclasses (long daily series come as columns
instead: dicts of equal-length lists or float arrays, ready for ``pandas.DataFrame``).

Money is :class:`pa.records.Money` or ``decimal.Decimal`` with a currency beside it, never a float;
weeks are ISO weeks labelled ``W-YY`` (``"47-26"``), months ``YYYY-MM``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pa.records import Money

__all__ = [
    "AmountChange",
    "Anomaly",
    "Budget",
    "CashFlow",
    "CategoryFlow",
    "DetectedBill",
    "HrvDay",
    "MerchantFlow",
    "MonthFlow",
    "PowerLoad",
    "Rollup",
    "RunLoad",
    "Streak",
    "Streaks",
    "Totals",
    "WeeklyAdherence",
]


@dataclass(frozen=True, slots=True)
class PowerLoad:
    """Normalized power, intensity factor and TSS of a power stream."""

    normalized_power_w: float
    intensity_factor: float
    tss: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class RunLoad:
    """Normalized graded pace (as a speed), intensity factor and rTSS of a run."""

    ngp_mps: float
    intensity_factor: float
    rtss: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class HrvDay:
    """A day's HRV status: the 7-day mean of ln(rMSSD) against the 60-day band."""

    day: datetime.date
    ln_rmssd: float | None
    baseline: float | None
    range_low: float | None
    range_high: float | None
    status: Literal["below", "within", "above", "not_enough_data"]


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A health reading worth a look: an elevated resting HR on ``start`` (``value`` against
    ``baseline`` ± ``sd``), or ``nights`` short nights from ``start`` to ``end``."""

    kind: Literal["elevated_resting_hr", "short_sleep_streak"]
    start: datetime.date
    end: datetime.date
    value: float | None
    baseline: float | None
    sd: float | None
    nights: int | None


@dataclass(frozen=True, slots=True)
class Totals:
    """Distance, time and load."""

    distance_m: float
    duration_s: float
    load: float


@dataclass(frozen=True, slots=True)
class WeeklyAdherence:
    """Planned against done in an ISO week."""

    week: str
    planned: Totals
    actual: Totals
    completed: int
    changed: int
    missed: int
    extra: int
    completion_pct: float | None


@dataclass(frozen=True, slots=True)
class Rollup:
    """One sport's totals in a week (``"47-26"``) or month (``"2026-11"``)."""

    period: str
    sport: str
    count: int
    distance_m: float
    duration_s: float
    elevation_gain_m: float
    load: float


@dataclass(frozen=True, slots=True)
class MonthFlow:
    """A month's income, spending and net in one currency; spending is positive."""

    month: str
    currency: str
    income: Decimal
    spending: Decimal
    net: Decimal
    savings_rate: Decimal | None


@dataclass(frozen=True, slots=True)
class CategoryFlow:
    """A category's income, spending and net in one currency."""

    category: str
    currency: str
    income: Decimal
    spending: Decimal
    net: Decimal
    count: int


@dataclass(frozen=True, slots=True)
class MerchantFlow:
    """Spending at one merchant."""

    merchant: str
    currency: str
    spending: Decimal
    count: int


@dataclass(frozen=True, slots=True)
class CashFlow:
    """Cash flow by month, by category and the top merchants; transfers between one's own
    accounts are left out (``transfers_excluded`` counts them)."""

    by_month: tuple[MonthFlow, ...]
    by_category: tuple[CategoryFlow, ...]
    top_merchants: tuple[MerchantFlow, ...]
    transfers_excluded: int


@dataclass(frozen=True, slots=True)
class Budget:
    """Where a month's budget for a category stands."""

    category: str
    month: str
    budgeted: Money
    spent: Money
    remaining: Money
    projected: Money
    over: bool
    projected_over: bool


@dataclass(frozen=True, slots=True)
class AmountChange:
    """A recurring payment's amount changed on a day."""

    before: Money
    after: Money
    on: datetime.date


@dataclass(frozen=True, slots=True)
class DetectedBill:
    """A recurring payment found in the transactions."""

    name: str
    merchant: str | None
    account: str | None
    category: str | None
    amount: Money
    cadence: Literal["weekly", "biweekly", "monthly", "quarterly", "yearly"]
    next_due: datetime.date
    last_paid: datetime.date
    occurrences: int
    missed: bool
    amount_change: AmountChange | None
    transactions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive days a habit was kept, ``start`` to ``end`` inclusive."""

    start: datetime.date
    end: datetime.date
    length: int


@dataclass(frozen=True, slots=True)
class Streaks:
    """A habit's streaks, the current one's length and the longest."""

    all: tuple[Streak, ...]
    current: int
    longest: int
