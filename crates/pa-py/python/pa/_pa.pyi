import array
import datetime
import os
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypedDict, final

from typing_extensions import Buffer

__all__ = [
    "Store",
    "User",
    "Vault",
    "__version__",
    "form",
    "pmc",
    "pmc_series",
]
__version__: str


class Skipped(TypedDict):  # type-only: at runtime a plain dict
    what: str
    reason: str

class FileReport(TypedDict):  # type-only: at runtime a plain dict
    file: str
    format: Literal["gpx", "tcx", "fit", "ofx", "ics", "garmin-csv", "bank-csv"]
    records: int
    added: int
    updated: int
    unchanged: int
    skipped: list[Skipped]
    warnings: list[str]

@final
class Store:
    def __new__(cls, path: str | os.PathLike[str] | None = None) -> Store: ...
    def user(self, name: str = "me", *, create: bool = True) -> User: ...
    def users(self) -> list[str]: ...
    def delete_user(self, name: str) -> bool: ...
    def unlock(self, passphrase: str) -> Vault: ...
    def backup(self, path: str | os.PathLike[str]) -> None: ...

@final
class Vault: ...

@final
class User:
    def import_files(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        zone: str = "UTC",
        dry_run: bool = False,
        progress: Callable[[int, int, os.PathLike[str]], object] | None = None,
    ) -> list[FileReport]: ...
    def today(self, day: datetime.date | None = None, *, tz: str = "UTC") -> dict[str, Any]: ...
    def week(self, week: str | None = None, *, tz: str = "UTC") -> dict[str, Any]: ...
    def load_demo(self, day: datetime.date | None = None, *, seed: int = 1) -> int: ...
    def export_jsonl(self, path: str | os.PathLike[str]) -> None: ...
    def put_secret(self, vault: Vault, name: str, value: str) -> None: ...
    def secret(self, vault: Vault, name: str) -> str | None: ...
    def delete_secret(self, name: str) -> bool: ...

class PmcSeries(TypedDict):  # type-only: at runtime a plain dict
    load: array.array[float]
    ctl: array.array[float]
    atl: array.array[float]
    tsb: array.array[float]
    ramp: array.array[float]

class PmcColumns(PmcSeries):  # type-only: at runtime a plain dict
    date: list[datetime.date]

Floats = Buffer | Sequence[float]

def pmc(
    dates: Sequence[datetime.date],
    loads: Floats,
    *,
    variant: Literal["gc", "tp", "icu"] = "gc",
    ctl_days: float = 42.0,
    atl_days: float = 7.0,
    ctl0: float = 0.0,
    atl0: float = 0.0,
) -> PmcColumns: ...
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
