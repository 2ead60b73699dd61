"""What pa's calculations return, as frozen dataclasses (long daily series come as columns
instead: dicts of equal-length lists or float arrays, ready for ``pandas.DataFrame``).

Money is :class:`pa.records.Money` or ``decimal.Decimal`` with a currency beside it, never a float;
weeks are ISO weeks labelled ``W-YY`` (``"47-26"``), months ``YYYY-MM``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from pa.records import Money, Occurrence, Reminder, Task

__all__ = [
    "Briefing",
    "CalendarHours",
    "CategorySpending",
    "FormToday",
    "HabitSummary",
    "HabitToday",
    "HealthSummary",
    "NetWorthChange",
    "NetWorthToday",
    "SleepToday",
    "TaskSummary",
    "TrainingSummary",
    "WeeklyReview",
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
    "Written",
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
    #: "over by 120.50 USD" or "on pace for 5,506 of 1,600 USD"; None when on track.
    warning: str | None


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


@dataclass(frozen=True, slots=True)
class FormToday:
    """Fitness, fatigue and form at the end of the day, and the form band in words."""

    ctl: float
    atl: float
    tsb: float
    ramp: float
    form: Literal["fresh", "optimal", "productive", "overreaching"]
    reading: str


@dataclass(frozen=True, slots=True)
class HabitToday:
    """A habit due today: done or not, and its streaks."""

    name: str
    done_today: bool
    current_streak: int
    longest_streak: int


@dataclass(frozen=True, slots=True)
class SleepToday:
    """Last night: sleep, resting heart rate and HRV status."""

    day: datetime.date
    total_s: float | None
    score: float | None
    resting_hr_bpm: float | None
    hrv: HrvDay | None


@dataclass(frozen=True, slots=True)
class NetWorthToday:
    """Net worth in one currency, and its change over a week and a month."""

    currency: str
    net_worth: Decimal
    change_week: Decimal | None
    change_month: Decimal | None


@dataclass(frozen=True, slots=True)
class Briefing:
    """What a person wants to know this morning."""

    day: datetime.date
    agenda: tuple[Occurrence, ...]
    tasks_due: tuple[Task, ...]
    tasks_overdue: tuple[Task, ...]
    habits: tuple[HabitToday, ...]
    form: FormToday | None
    sleep: SleepToday | None
    budgets: tuple[Budget, ...]
    net_worth: tuple[NetWorthToday, ...]
    reminders: tuple[Reminder, ...]
    notes: tuple[str, ...]
    """What was left out or cut short (an event that cannot be expanded, a long series)."""


@dataclass(frozen=True, slots=True)
class TrainingSummary:
    """A week's training: planned against done, and form at its end."""

    planned: Totals
    actual: Totals
    adherence_pct: float | None
    completed: int
    changed: int
    missed: int
    extra: int
    upcoming: int
    """Planned workouts still ahead in a week under way (left out of ``planned``)."""
    ctl: float | None
    atl: float | None
    tsb: float | None
    form: Literal["fresh", "optimal", "productive", "overreaching"] | None


@dataclass(frozen=True, slots=True)
class HealthSummary:
    """A week's sleep, resting heart rate, HRV status and last weigh-in (kg)."""

    avg_sleep_hours: float | None
    avg_resting_hr: float | None
    hrv_status: Literal["below", "within", "above", "not_enough_data"] | None
    weight_kg: float | None


@dataclass(frozen=True, slots=True)
class HabitSummary:
    """A habit over a week."""

    name: str
    completion_pct: float | None
    streak_before: int
    streak_after: int


@dataclass(frozen=True, slots=True)
class TaskSummary:
    """Tasks done, added and overdue in a week."""

    done: int
    added: int
    overdue: int


@dataclass(frozen=True, slots=True)
class CalendarHours:
    """Hours booked on a calendar in a week."""

    calendar: str
    hours: float


@dataclass(frozen=True, slots=True)
class CategorySpending:
    """Spending in a category in a week."""

    category: str
    currency: str
    spent: Decimal


@dataclass(frozen=True, slots=True)
class NetWorthChange:
    """Net worth at a week's start and end."""

    currency: str
    start: Decimal
    end: Decimal
    change: Decimal


@dataclass(frozen=True, slots=True)
class WeeklyReview:
    """The weekly review of an ISO week (``label`` is ``W-YY``); the week under way is reviewed
    through the moment of asking."""

    label: str
    first_day: datetime.date
    last_day: datetime.date
    through: datetime.date
    """The last day reviewed: Sunday, or today for the week under way."""
    in_progress: bool
    """The week is under way: its figures run through the moment of asking, not Sunday."""
    training: TrainingSummary
    health: HealthSummary
    habits: tuple[HabitSummary, ...]
    tasks: TaskSummary
    calendar: tuple[CalendarHours, ...]
    spending: tuple[CategorySpending, ...]
    budgets: tuple[Budget, ...]
    net_worth: tuple[NetWorthChange, ...]
    mood_avg: float | None
    notes: tuple[str, ...]
    """What was left out (an event that cannot be expanded)."""


R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Written(Generic[R]):
    """What a write did (``added``, ``updated``, ``unchanged``, ``deleted``, or ``preview`` on a
    dry run) and the record as stored (as it was, for a deletion)."""

    change: Literal["added", "updated", "unchanged", "deleted", "preview"]
    record: R
