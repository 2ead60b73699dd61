"""The records pa stores, as frozen dataclasses: compared by value, hashable, printable, and
``dataclasses.asdict`` gives a dict for pandas or JSON.

Conventions: days are ``datetime.date``; instants are aware ``datetime.datetime`` in the zone they
were recorded in (``zoneinfo.ZoneInfo``), or UTC for bookkeeping times; money is :class:`Money`
(a ``decimal.Decimal`` and an ISO 4217 code), never a float; enumerations are lower-case strings
(``"run"``, ``"depository"``, ``"todo"``); ids are strings; sequences are tuples.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

# Calendars expand to thousands of occurrences and accounts hold thousands of transactions: those
# records are native classes (frozen, compared and hashed by value, picklable, matched by
# position), their fields converted when read.
from pa._pa import Occurrence as Occurrence
from pa._pa import Transaction as Transaction

__all__ = [
    "Account",
    "Activity",
    "Answer",
    "Balance",
    "BodyComposition",
    "Bill",
    "Budget",
    "CheckIn",
    "DailyHealth",
    "Event",
    "ExternalRef",
    "Habit",
    "HabitEntry",
    "Holding",
    "InvestmentTransaction",
    "Lap",
    "Memory",
    "Money",
    "Note",
    "Occurrence",
    "PlannedWorkout",
    "Project",
    "Reminder",
    "Security",
    "Sleep",
    "Task",
    "TrainingPlan",
    "Transaction",
]



@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency (``Decimal`` and ISO 4217 code)."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@dataclass(frozen=True, slots=True)
class ExternalRef:
    """Where a record came from: the source (``"garmin"``, ``"file:ride.fit"``) and its id there."""

    source: str
    external_id: str


@dataclass(frozen=True, slots=True)
class Lap:
    """One lap of an activity; ``start_s`` counts from the activity's start."""

    start_s: float
    elapsed_s: float
    moving_s: float | None
    distance_m: float | None
    avg_hr_bpm: float | None
    max_hr_bpm: float | None
    avg_power_w: float | None
    elevation_gain_m: float | None
    calories_kcal: float | None


@dataclass(frozen=True, slots=True)
class Activity:
    """A workout. Its per-second streams are read separately (``User.streams(id)``);
    ``has_streams`` says whether it has them."""

    id: str
    external: ExternalRef | None
    sport: str
    name: str | None
    start: datetime.datetime
    elapsed_s: float
    moving_s: float | None
    distance_m: float | None
    elevation_gain_m: float | None
    avg_hr_bpm: float | None
    max_hr_bpm: float | None
    avg_power_w: float | None
    normalized_power_w: float | None
    calories_kcal: float | None
    training_load: float | None
    rpe: float | None
    session_rpe: float | None
    trimp: float | None
    device: str | None
    laps: tuple[Lap, ...]
    has_streams: bool


@dataclass(frozen=True, slots=True)
class Sleep:
    """A night's sleep, in seconds, and the device's score."""

    total_s: float
    deep_s: float | None
    light_s: float | None
    rem_s: float | None
    awake_s: float | None
    score: float | None


@dataclass(frozen=True, slots=True)
class DailyHealth:
    """A day's health summary."""

    day: datetime.date
    sleep: Sleep | None
    resting_hr_bpm: float | None
    hrv_rmssd_ms: float | None
    steps: int | None
    stress_avg: float | None
    body_battery_high: float | None
    body_battery_low: float | None
    intensity_minutes: int | None


@dataclass(frozen=True, slots=True)
class BodyComposition:
    """A weigh-in."""

    measured_at: datetime.datetime
    weight_kg: float
    body_fat_pct: float | None
    muscle_mass_kg: float | None
    bmi: float | None
    water_pct: float | None


@dataclass(frozen=True, slots=True)
class PlannedWorkout:
    """A workout of a training plan; ``activity`` is the id of the activity that did it."""

    id: str
    day: datetime.date
    sport: str
    distance_m: float | None
    duration_s: float | None
    load: float | None
    description: str
    activity: str | None


@dataclass(frozen=True, slots=True)
class TrainingPlan:
    """A training plan over ``[start, end]``."""

    id: str
    name: str
    start: datetime.date
    end: datetime.date
    workouts: tuple[PlannedWorkout, ...]


@dataclass(frozen=True, slots=True)
class Account:
    """A bank, card, loan or investment account; ``mask`` is at most the last four digits."""

    id: str
    external: ExternalRef | None
    institution: str | None
    name: str
    official_name: str | None
    kind: Literal["depository", "credit", "loan", "investment", "other"]
    subtype: str | None
    currency: str
    opened: datetime.date | None
    closed: datetime.date | None
    mask: str | None


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's balance at the end of a day."""

    account: str
    day: datetime.date
    current: Money
    available: Money | None
    limit: Money | None


@dataclass(frozen=True, slots=True)
class Security:
    """A stock, fund, bond or coin."""

    id: str
    symbol: str | None
    name: str
    kind: str
    currency: str


@dataclass(frozen=True, slots=True)
class Holding:
    """A position in a security on a day."""

    account: str
    security: str
    as_of: datetime.date
    quantity: Decimal
    price: Money
    value: Money
    cost_basis: Money | None


@dataclass(frozen=True, slots=True)
class InvestmentTransaction:
    """A buy, sell, dividend, reinvestment, fee or transfer in an investment account."""

    id: str
    external: ExternalRef | None
    account: str
    security: str | None
    day: datetime.date
    action: str
    quantity: Decimal | None
    price: Money | None
    amount: Money
    fees: Money | None
    description: str


@dataclass(frozen=True, slots=True)
class Habit:
    """A habit done ``times`` times per ``per_days`` days; numerical habits have a target."""

    id: str
    name: str
    category: str | None
    times: int
    per_days: int
    kind: Literal["yes_no", "numerical"]
    target: float | None
    target_kind: Literal["at_least", "at_most"] | None
    unit: str | None
    reminder: datetime.time | None
    reminder_zone: str | None
    archived: bool


@dataclass(frozen=True, slots=True)
class HabitEntry:
    """What was recorded for a habit on a day: yes, no, skip, or an amount."""

    habit: str
    day: datetime.date
    value: Literal["yes", "no", "skip"] | float


@dataclass(frozen=True, slots=True)
class Bill:
    """A payment the person expects: rent, a subscription, insurance."""

    id: str
    name: str
    amount: Money
    cadence: Literal["weekly", "biweekly", "monthly", "quarterly", "yearly"]
    next_due: datetime.date
    category: str | None
    merchant: str | None
    account: str | None


@dataclass(frozen=True, slots=True)
class Budget:
    """How much may be spent in a category (its subcategories included) in a month."""

    category: str
    month: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Project:
    """A project that tasks belong to."""

    id: str
    name: str
    archived: bool


@dataclass(frozen=True, slots=True)
class Task:
    """A task; ``due`` is a day or an instant."""

    id: str
    external: ExternalRef | None
    title: str
    notes: str
    status: Literal["todo", "doing", "done", "cancelled"]
    priority: Literal["low", "medium", "high", "urgent"]
    due: datetime.date | datetime.datetime | None
    scheduled: datetime.date | None
    project: str | None
    tags: tuple[str, ...]
    created_at: datetime.datetime
    completed_at: datetime.datetime | None


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder to send at an instant."""

    id: str
    task: str | None
    message: str
    remind_at: datetime.datetime
    channels: tuple[str, ...]
    sent: bool
    schedule: dict[str, object] | None = None
    """How it repeats (as `pa.schedule_runs` takes it); `remind_at` is the next run."""


@dataclass(frozen=True, slots=True)
class Event:
    """A calendar event: timed (aware datetimes) or all-day (dates, ``end`` exclusive). A
    recurring one has RRULE values, extra dates and exceptions (wall-clock times in the event's
    zone); ``User.occurrences`` expands them. ``kind`` names entries that are not ordinary
    events (Google's event types)."""

    id: str
    calendar: str
    title: str
    description: str | None
    location: str | None
    all_day: bool
    start: datetime.date | datetime.datetime
    end: datetime.date | datetime.datetime
    status: Literal["confirmed", "tentative", "cancelled"]
    external: ExternalRef | None
    rrules: tuple[str, ...]
    rdates: tuple[datetime.datetime, ...]
    exdates: tuple[datetime.datetime, ...]
    changed_occurrences: int
    kind: str | None = None
    """What the source says the entry is, when not an ordinary event (Google's ``eventType``:
    ``"birthday"``, ``"focusTime"``, ``"fromGmail"``, ``"outOfOffice"``, ``"workingLocation"``)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One prompt of a check-in and its answer."""

    prompt: str
    answer: str


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A day's check-in; mood and energy on 1–5."""

    day: datetime.date
    answers: tuple[Answer, ...]
    mood: int | None
    energy: int | None
    notes: str


@dataclass(frozen=True, slots=True)
class Note:
    """A note."""

    id: str
    title: str
    body: str
    tags: tuple[str, ...]
    created: datetime.datetime


@dataclass(frozen=True, slots=True)
class Memory:
    """Something the assistant remembers about the person."""

    id: str
    content: str
    tags: tuple[str, ...]
    importance: int
    created: datetime.datetime
    last_accessed: datetime.datetime | None
