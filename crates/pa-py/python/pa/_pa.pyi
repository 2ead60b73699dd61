import array
import datetime
import os
from collections.abc import Callable, Coroutine, Iterable, Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo
from typing import Any, Literal, Protocol, TypedDict, final, overload

from typing_extensions import Buffer, NotRequired

from pa import records, results
from pa.frames import RecordList

_When = datetime.date | datetime.datetime | str
_Duration = datetime.timedelta | float | str
_Amount = Decimal | int | str
_Zone = str | ZoneInfo

__all__ = [
    "Store",
    "User",
    "Occurrence",
    "Vault",
    "__version__",
    "form",
    "expand_rrule",
    "hr_stress",
    "normalized_power",
    "power_load",
    "run_load",
    "schedule_runs",
    "trimp",
    "pmc",
    "pmc_series",
    "_pmc_block",
    "read_calendar",
    "_occurrence_from_json",
    "_transaction_from_json",
    "Transaction",
    "_frame_columns",
]
__version__: str


class Skipped(TypedDict):  # type-only: at runtime a plain dict
    what: str
    reason: str

class FileReport(TypedDict):  # type-only: at runtime a plain dict
    file: str
    # None for a file that could not be read (import_files(errors="skip")); `error` says why.
    format: Literal["gpx", "tcx", "fit", "ofx", "ics", "garmin-csv", "bank-csv"] | None
    error: NotRequired[str]
    records: int
    added: int
    updated: int
    unchanged: int
    skipped: list[Skipped]
    warnings: list[str]

HealthMetric = Literal[
    "sleep_total",
    "sleep_score",
    "resting_hr",
    "hrv_rmssd",
    "steps",
    "stress_avg",
    "body_battery_high",
    "body_battery_low",
    "intensity_minutes",
]

class TrendColumns(TypedDict):  # type-only: at runtime a plain dict
    date: list[datetime.date]
    value: array.array[float]
    mean_7: array.array[float]
    mean_30: array.array[float]
    mean_90: array.array[float]

class NetWorthColumns(TypedDict):  # type-only: at runtime a plain dict
    date: list[datetime.date]
    currency: list[str]
    assets: list[Decimal]
    liabilities: list[Decimal]
    net_worth: list[Decimal]

class HabitScoreColumns(TypedDict):  # type-only: at runtime a plain dict
    date: list[datetime.date]
    score: array.array[float]

class HeartRateProfile(TypedDict):  # type-only: at runtime a plain dict
    rest_bpm: float
    max_bpm: float
    threshold_bpm: float | None
    sex: Literal["male", "female"]

class Athlete(TypedDict):  # type-only: at runtime a plain dict
    ftp_w: float | None
    heart_rate: HeartRateProfile | None

class Profile(TypedDict):  # type-only: at runtime a plain dict
    zone: str | None
    athlete: Athlete
    currency: NotRequired[str]
    units: NotRequired[Literal["metric", "statute"]]
    check_in_time: NotRequired[str]

class WriteReport(TypedDict):  # type-only: at runtime a plain dict
    added: int
    updated: int
    unchanged: int
    deleted: int

@final
class Store:
    def __new__(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        create: bool = True,
        now: datetime.datetime | None = None,
    ) -> Store: ...
    def user(self, name: str = "me", *, create: bool = True, origin: str = "python") -> User: ...
    def users(self) -> list[str]: ...
    def delete_user(self, name: str) -> bool: ...
    def unlock(self, passphrase: str) -> Vault: ...
    def backup(self, path: str | os.PathLike[str]) -> None: ...
    def backup_async(self, path: str | os.PathLike[str]) -> Coroutine[Any, Any, None]: ...
    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *_exc: object) -> bool: ...

@final
class Vault: ...

def _occurrence_from_json(json: str) -> Occurrence: ...
def _transaction_from_json(json: str) -> Transaction: ...
def _frame_columns(rows: object) -> dict[str, Any] | None: ...

@final
class Transaction:
    """A posted or pending transaction; money out is negative."""

    __match_args__ = (
        "id",
        "external",
        "account",
        "posted",
        "authorized",
        "amount",
        "merchant",
        "description",
        "category",
        "pending",
        "pending_id",
        "transfer",
    )
    def __reduce__(self) -> tuple[Callable[[str], Transaction], tuple[str]]: ...
    @property
    def id(self) -> str: ...
    @property
    def external(self) -> records.ExternalRef | None: ...
    @property
    def account(self) -> str: ...
    @property
    def posted(self) -> datetime.date: ...
    @property
    def authorized(self) -> datetime.date | None: ...
    @property
    def amount(self) -> records.Money: ...
    @property
    def merchant(self) -> str | None: ...
    @property
    def description(self) -> str: ...
    @property
    def category(self) -> str | None: ...
    @property
    def pending(self) -> bool: ...
    @property
    def pending_id(self) -> str | None: ...
    @property
    def transfer(self) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Occurrence:
    __match_args__ = ("calendar", "title", "all_day", "start", "end", "status", "overridden")
    def __reduce__(self) -> tuple[Callable[[str], Occurrence], tuple[str]]: ...
    @property
    def calendar(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def all_day(self) -> bool: ...
    @property
    def start(self) -> datetime.date | datetime.datetime: ...
    @property
    def end(self) -> datetime.date | datetime.datetime: ...
    @property
    def status(self) -> Literal["confirmed", "tentative", "cancelled"]: ...
    @property
    def overridden(self) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class User:
    def import_files(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        zone: _Zone | None = None,
        dry_run: bool = False,
        progress: Callable[[int, int, os.PathLike[str]], object] | None = None,
        errors: Literal["raise", "skip"] = "raise",
    ) -> list[FileReport]: ...
    def import_files_async(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        zone: _Zone | None = None,
        dry_run: bool = False,
        progress: Callable[[int, int, os.PathLike[str]], object] | None = None,
        errors: Literal["raise", "skip"] = "raise",
    ) -> Coroutine[Any, Any, list[FileReport]]: ...
    def export_jsonl_async(self, path: str | os.PathLike[str]) -> Coroutine[Any, Any, None]: ...
    def import_jsonl_async(self, path: str | os.PathLike[str]) -> Coroutine[Any, Any, WriteReport]: ...
    def today(self, day: datetime.date | None = None, *, tz: _Zone | None = None) -> results.Briefing: ...
    def week(self, week: str | None = None, *, tz: _Zone | None = None) -> results.WeeklyReview: ...
    # Awaitable reads: the same, run in a worker thread (asyncio.to_thread).
    def today_async(self, day: datetime.date | None = None, *, tz: _Zone | None = None) -> Coroutine[Any, Any, results.Briefing]: ...
    def week_async(self, week: str | None = None, *, tz: _Zone | None = None) -> Coroutine[Any, Any, results.WeeklyReview]: ...
    def pmc_async(
        self, through: datetime.date | None = None, *, variant: Literal["gc", "tp", "icu"] | None = None
    ) -> Coroutine[Any, Any, PmcColumns]: ...
    def activities_async(
        self, start: datetime.date | None = None, end: datetime.date | None = None
    ) -> Coroutine[Any, Any, RecordList[records.Activity]]: ...
    def transactions_async(
        self, start: datetime.date | None = None, end: datetime.date | None = None
    ) -> Coroutine[Any, Any, RecordList[records.Transaction]]: ...
    def profile(self) -> Profile: ...
    def set_profile(
        self,
        *,
        zone: _Zone | None = None,
        ftp: float | None = None,
        hr_rest: float | None = None,
        hr_max: float | None = None,
        lthr: float | None = None,
        sex: Literal["male", "female"] = "male",
        currency: str | None = None,
        units: Literal["metric", "statute"] | None = None,
        check_in: datetime.time | None = None,
    ) -> None: ...
    def load_demo(self, day: datetime.date | None = None, *, seed: int = 1) -> int: ...
    def export_jsonl(self, path: str | os.PathLike[str]) -> None: ...
    def import_jsonl(self, path: str | os.PathLike[str]) -> WriteReport: ...
    def put_secret(self, vault: Vault, name: str, value: str) -> None: ...
    def secret(self, vault: Vault, name: str) -> str | None: ...
    def delete_secret(self, name: str) -> bool: ...
    def link_google(self, vault: Vault, credentials: str) -> None: ...
    def link_airtable(self, vault: Vault, token: str) -> None: ...
    def plaid_link_token(self, client_id: str, secret: str, *, env: str | None = None, url: str | None = None) -> str: ...
    def link_plaid(
        self, vault: Vault, public_token: str, client_id: str, secret: str, *, env: str | None = None, url: str | None = None
    ) -> str: ...
    def plaid_items(self, vault: Vault) -> list[str]: ...
    def link_garmin(self, vault: Vault, token: str | None = None, *, path: str | os.PathLike[str] | None = None) -> None: ...
    def sync_garmin(
        self,
        vault: Vault,
        *,
        since: datetime.date | None = None,
        url: str | None = None,
        auth_url: str | None = None,
        progress: Callable[..., object] | None = None,
    ) -> dict[str, Any]: ...
    def sync_garmin_async(
        self,
        vault: Vault,
        *,
        since: datetime.date | None = None,
        url: str | None = None,
        auth_url: str | None = None,
        progress: Callable[..., object] | None = None,
    ) -> Coroutine[Any, Any, dict[str, Any]]: ...
    def sync_plaid(
        self,
        vault: Vault,
        client_id: str,
        secret: str,
        *,
        env: str | None = None,
        url: str | None = None,
        progress: Callable[..., object] | None = None,
    ) -> list[dict[str, Any]]: ...
    def sync_plaid_async(
        self,
        vault: Vault,
        client_id: str,
        secret: str,
        *,
        env: str | None = None,
        url: str | None = None,
        progress: Callable[..., object] | None = None,
    ) -> Coroutine[Any, Any, list[dict[str, Any]]]: ...
    def sync_calendar(
        self,
        vault: Vault,
        *,
        calendars: Sequence[str] | None = None,
        api_url: str | None = None,
        token_url: str | None = None,
        progress: Callable[..., object] | None = None,
    ) -> list[dict[str, Any]]: ...
    def sync_calendar_async(
        self,
        vault: Vault,
        *,
        calendars: Sequence[str] | None = None,
        api_url: str | None = None,
        token_url: str | None = None,
        progress: Callable[..., object] | None = None,
    ) -> Coroutine[Any, Any, list[dict[str, Any]]]: ...
    def sync_airtable(
        self,
        vault: Vault,
        base: str,
        *,
        token: str | None = None,
        url: str | None = None,
        window_days: int = 90,
        units: Literal["metric", "statute", "imperial"] | None = None,
        force: bool = False,
        tables: dict[str, str] | None = None,
        fields: dict[str, str] | None = None,
        progress: Callable[..., object] | None = None,
    ) -> dict[str, Any]: ...
    def sync_airtable_async(
        self,
        vault: Vault,
        base: str,
        *,
        token: str | None = None,
        url: str | None = None,
        window_days: int = 90,
        units: Literal["metric", "statute", "imperial"] | None = None,
        force: bool = False,
        tables: dict[str, str] | None = None,
        fields: dict[str, str] | None = None,
        progress: Callable[..., object] | None = None,
    ) -> Coroutine[Any, Any, dict[str, Any]]: ...
    def sync_status(self, runs: int = 10) -> dict[str, Any]: ...
    def activities(self, start: datetime.date | None = None, end: datetime.date | None = None) -> RecordList[records.Activity]: ...
    def activity(self, id: str) -> records.Activity: ...
    def streams(self, id: str) -> dict[str, array.array[float]]: ...
    def daily_health(self, start: datetime.date | None = None, end: datetime.date | None = None) -> RecordList[records.DailyHealth]: ...
    def body(self, start: datetime.date | None = None, end: datetime.date | None = None) -> RecordList[records.BodyComposition]: ...
    def plans(self, start: datetime.date | None = None, end: datetime.date | None = None) -> RecordList[records.TrainingPlan]: ...
    def accounts(self) -> RecordList[records.Account]: ...
    def transactions(self, start: datetime.date | None = None, end: datetime.date | None = None) -> RecordList[records.Transaction]: ...
    def balances(self, start: datetime.date | None = None, end: datetime.date | None = None) -> RecordList[records.Balance]: ...
    def securities(self) -> RecordList[records.Security]: ...
    def holdings(self, start: datetime.date | None = None, end: datetime.date | None = None) -> RecordList[records.Holding]: ...
    def investment_transactions(
        self, start: datetime.date | None = None, end: datetime.date | None = None
    ) -> RecordList[records.InvestmentTransaction]: ...
    def habits(self) -> RecordList[records.Habit]: ...
    def habit_entries(
        self, habit: str | None = None, start: datetime.date | None = None, end: datetime.date | None = None
    ) -> RecordList[records.HabitEntry]: ...
    def projects(self) -> RecordList[records.Project]: ...
    def tasks(self) -> RecordList[records.Task]: ...
    def reminders(self) -> RecordList[records.Reminder]: ...
    def bills(self) -> RecordList[records.Bill]: ...
    def events(self, start: datetime.date | None = None, end: datetime.date | None = None) -> RecordList[records.Event]: ...
    def occurrences(self, start: datetime.date, end: datetime.date, *, tz: _Zone | None = None) -> RecordList[Occurrence]: ...
    def check_ins(self, start: datetime.date | None = None, end: datetime.date | None = None) -> RecordList[records.CheckIn]: ...
    def notes(self) -> RecordList[records.Note]: ...
    def memories(self) -> RecordList[records.Memory]: ...
    def health_trend(
        self,
        metric: HealthMetric,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
        *,
        min_coverage: float = 0.5,
    ) -> TrendColumns: ...
    def hrv_status(self, start: datetime.date | None = None, end: datetime.date | None = None) -> list[results.HrvDay]: ...
    def anomalies(self, start: datetime.date | None = None, end: datetime.date | None = None) -> list[results.Anomaly]: ...
    def adherence(self, week: str) -> results.WeeklyAdherence: ...
    def rollups(
        self, period: Literal["week", "month"] = "week", start: datetime.date | None = None, end: datetime.date | None = None
    ) -> list[results.Rollup]: ...
    def pmc(self, through: datetime.date | None = None, *, variant: Literal["gc", "tp", "icu"] = "gc") -> PmcColumns: ...
    def net_worth(self, start: datetime.date | None = None, end: datetime.date | None = None) -> NetWorthColumns: ...
    def cash_flow(self, start: datetime.date | None = None, end: datetime.date | None = None) -> results.CashFlow: ...
    def budgets(self, month: str | None = None, *, as_of: datetime.date | None = None) -> RecordList[results.Budget]: ...
    def recurring_bills(self, *, as_of: datetime.date | None = None) -> RecordList[results.DetectedBill]: ...
    def habit_streaks(self, habit: str, *, as_of: datetime.date | None = None) -> results.Streaks: ...
    def habit_scores(self, habit: str, *, as_of: datetime.date | None = None) -> HabitScoreColumns: ...
    # Everyday writes. Days and times: a date, a datetime (naive = wall-clock in the person's
    # zone) or the CLI's text forms ("fri 18:30", "+3d"). Money: Decimal, int or str, never float.
    def add_habit(
        self,
        name: str,
        *,
        freq: str = "daily",
        target: float | None = None,
        unit: str = "",
        at_most: bool = False,
        category: str | None = None,
    ) -> results.Written[records.Habit]: ...
    def edit_habit(
        self,
        habit: str,
        *,
        name: str | None = None,
        freq: str | None = None,
        category: str | None = None,
        archived: bool | None = None,
    ) -> results.Written[records.Habit]: ...
    def habit(self, habit: str) -> records.Habit: ...
    def check_habit(
        self, habit: str, value: str | bool | float | None = None, *, day: _When | None = None
    ) -> results.Written[records.HabitEntry]: ...
    def undo_habit(self, habit: str, *, day: _When | None = None) -> results.Written[records.HabitEntry]: ...
    def add_task(
        self,
        title: str,
        *,
        due: _When | None = None,
        priority: Literal["low", "medium", "high", "urgent"] = "medium",
        project: str | None = None,
        tags: Sequence[str] | None = None,
        notes: str | None = None,
        external: str | None = None,
    ) -> results.Written[records.Task]: ...
    def edit_task(
        self,
        task: str,
        *,
        title: str | None = None,
        due: _When | None = None,
        priority: Literal["low", "medium", "high", "urgent"] | None = None,
        project: str | None = None,
        tags: Sequence[str] | None = None,
        notes: str | None = None,
        clear: Sequence[Literal["due", "project"]] | None = None,
    ) -> results.Written[records.Task]: ...
    def complete_task(self, task: str) -> results.Written[records.Task]: ...
    def reopen_task(self, task: str) -> results.Written[records.Task]: ...
    def cancel_task(self, task: str) -> results.Written[records.Task]: ...
    def delete_task(self, task: str) -> results.Written[records.Task]: ...
    def find_tasks(
        self,
        *,
        all: bool = False,
        project: str | None = None,
        tag: str | None = None,
        due_by: _When | None = None,
    ) -> list[records.Task]: ...
    def add_event(
        self,
        title: str,
        start: _When,
        *,
        end: _When | None = None,
        duration: _Duration | None = None,
        calendar: str = "Personal",
        rrule: str | None = None,
        location: str | None = None,
        external: str | None = None,
    ) -> results.Written[records.Event]: ...
    def edit_event(
        self,
        event: str,
        *,
        on: _When | None = None,
        title: str | None = None,
        start: _When | None = None,
        duration: _Duration | None = None,
    ) -> results.Written[records.Event]: ...
    def delete_event(self, event: str, *, on: _When | None = None) -> results.Written[records.Event]: ...
    def add_reminder(
        self, message: str, at: _When | None = None, *, every: str | None = None, task: str | None = None
    ) -> results.Written[records.Reminder]: ...
    def mark_reminder_sent(self, id: str) -> results.Written[records.Reminder]: ...
    def snooze_reminder(self, id: str, until: _When) -> results.Written[records.Reminder]: ...
    def delete_reminder(self, id: str) -> results.Written[records.Reminder]: ...
    def add_note(self, text: str, *, title: str = "", tags: Sequence[str] | None = None) -> results.Written[records.Note]: ...
    def check_in(
        self,
        *,
        day: _When | None = None,
        mood: int | None = None,
        energy: int | None = None,
        notes: str | None = None,
    ) -> results.Written[records.CheckIn]: ...
    def remember(
        self, content: str, *, importance: int = 3, tags: Sequence[str] | None = None
    ) -> results.Written[records.Memory]: ...
    def add_expense(
        self,
        amount: _Amount,
        description: str = "",
        *,
        currency: str | None = None,
        category: str | None = None,
        day: _When | None = None,
        merchant: str | None = None,
        external: str | None = None,
    ) -> results.Written[records.Transaction]: ...
    def set_budget(
        self, category: str, amount: _Amount, *, month: str | None = None, currency: str | None = None
    ) -> results.Written[records.Budget]: ...
    def add_bill(
        self,
        name: str,
        amount: _Amount,
        *,
        cadence: str = "monthly",
        next_due: _When | None = None,
        currency: str | None = None,
        category: str | None = None,
        merchant: str | None = None,
    ) -> results.Written[records.Bill]: ...
    def log_activity(
        self,
        sport: str,
        start: _When,
        duration: _Duration,
        *,
        km: float | None = None,
        load: float | None = None,
        rpe: float | None = None,
        name: str | None = None,
        external: str | None = None,
    ) -> results.Written[records.Activity]: ...
    def log_weight(
        self, kg: float, *, at: _When | None = None, fat_pct: float | None = None
    ) -> results.Written[records.BodyComposition]: ...
    def plan_workout(
        self,
        sport: str,
        *,
        day: _When | None = None,
        duration: _Duration | None = None,
        km: float | None = None,
        load: float | None = None,
        description: str = "",
    ) -> results.Written[records.TrainingPlan]: ...
    def write_many(
        self,
        kind: Literal["expense", "activity", "habit_check", "weigh_in"],
        rows: Iterable[Any],
    ) -> WriteReport: ...

class PmcSeries(TypedDict):  # type-only: at runtime a plain dict
    load: array.array[float]
    ctl: array.array[float]
    atl: array.array[float]
    tsb: array.array[float]
    ramp: array.array[float]

class PmcColumns(PmcSeries):  # type-only: at runtime a plain dict
    date: list[datetime.date]

class PmcArrayColumns(TypedDict):  # type-only: at runtime a plain dict
    # numpy arrays, as the dates were given: datetime64[D] dates, float64 numbers.
    date: Any
    load: Any
    ctl: Any
    atl: Any
    tsb: Any
    ramp: Any

class _ArrayLike(Protocol):
    """numpy arrays, pandas Series and indexes, polars Series: whatever numpy can read."""

    def __array__(self, *args: Any, **kwargs: Any) -> Any: ...

Floats = Buffer | Sequence[float] | _ArrayLike

@overload
def pmc(
    dates: _ArrayLike,
    loads: Floats,
    *,
    variant: Literal["gc", "tp", "icu"] = "gc",
    ctl_days: float = 42.0,
    atl_days: float = 7.0,
    ctl0: float = 0.0,
    atl0: float = 0.0,
) -> PmcArrayColumns: ...
@overload
def pmc(
    dates: Iterable[datetime.date],
    loads: Floats,
    *,
    variant: Literal["gc", "tp", "icu"] = "gc",
    ctl_days: float = 42.0,
    atl_days: float = 7.0,
    ctl0: float = 0.0,
    atl0: float = 0.0,
) -> PmcColumns: ...
def _pmc_block(
    dates: _ArrayLike | Iterable[datetime.date],
    loads: Floats,
    variant: Literal["gc", "tp", "icu"],
    ctl_days: float,
    atl_days: float,
    ctl0: float,
    atl0: float,
) -> tuple[Any, Any | None]: ...
def pmc_series(
    start: datetime.date,
    loads: Floats,
    *,
    variant: Literal["gc", "tp", "icu"] = "gc",
    ctl_days: float = 42.0,
    atl_days: float = 7.0,
    ctl0: float = 0.0,
    atl0: float = 0.0,
) -> PmcSeries: ...
def form(tsb: float) -> Literal["fresh", "optimal", "productive", "overreaching"]: ...
def normalized_power(power: Floats, *, convention: Literal["coggan", "golden_cheetah"] = "coggan") -> float | None: ...
def power_load(
    power: Floats,
    *,
    threshold_w: float,
    threshold: Literal["ftp", "cp"] = "ftp",
    convention: Literal["coggan", "golden_cheetah"] = "coggan",
) -> results.PowerLoad: ...
def trimp(
    heart_rate: Floats,
    *,
    rest_bpm: float,
    max_bpm: float,
    sex: Literal["male", "female"] = "male",
    interval_s: float = 1.0,
    convention: Literal["banister", "golden_cheetah"] = "banister",
) -> float: ...
def hr_stress(
    trimp: float,
    *,
    rest_bpm: float,
    max_bpm: float,
    threshold_bpm: float,
    sex: Literal["male", "female"] = "male",
    convention: Literal["banister", "golden_cheetah"] = "banister",
) -> float: ...
def run_load(speed: Floats, *, threshold_pace_s_per_km: float, altitude: Floats | None = None) -> results.RunLoad: ...
def expand_rrule(
    rule: str,
    start: datetime.datetime,
    *,
    after: datetime.datetime,
    before: datetime.datetime,
    tz: _Zone | None = None,
    rdates: Sequence[datetime.datetime] = ...,
    exdates: Sequence[datetime.datetime] = ...,
) -> list[datetime.datetime]: ...
def schedule_runs(
    schedule: str | dict[str, Any],
    *,
    after: datetime.datetime,
    until: datetime.datetime,
    tz: _Zone | None = None,
    limit: int = 100,
) -> list[datetime.datetime]: ...
def read_calendar(
    source: str | os.PathLike[str] | bytes,
    start: datetime.date,
    end: datetime.date,
    *,
    tz: _Zone | None = None,
) -> list[Occurrence]: ...
