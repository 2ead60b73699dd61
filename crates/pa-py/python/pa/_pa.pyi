import datetime
from typing import Literal, TypedDict

__all__ = ["InvalidInputError", "PaError", "__version__", "pmc"]
__version__: str

class PaError(Exception): ...
class InvalidInputError(PaError): ...

class PmcColumns(TypedDict):  # type-only: at runtime a plain dict
    date: list[datetime.date]
    load: list[float]
    ctl: list[float]
    atl: list[float]
    tsb: list[float]
    ramp: list[float]

def pmc(
    dates: list[datetime.date],
    loads: list[float],
    *,
    variant: Literal["gc", "tp", "icu"] = "gc",
    ctl_days: float = 42.0,
    atl_days: float = 7.0,
    ctl0: float = 0.0,
    atl0: float = 0.0,
) -> PmcColumns: ...
