"""pa: the engine of a personal assistant, from Rust.

Open a store (``pa.Store(path)``, the default store, or ``pa.Store(":memory:")``), pick a person
(``store.user("me")``), import files (``user.import_files([...], progress=...)``), read records
(``user.activities()``, ``user.transactions()``, ... as frozen dataclasses from ``pa.records``),
ask for what is computed from them (``user.today()``, ``user.week()``, ``user.pmc()``,
``user.net_worth()``, ``user.habit_streaks(...)``, ... results from ``pa.results``), export and
back up. Pure calculations work on any data: ``pa.pmc_series``, ``pa.pmc_frame`` (pandas), ``pa.power_load``, ``pa.trimp``,
``pa.expand_rrule``, ``pa.read_calendar``, ... Every error is a ``pa.PaError``. See docs/python.md.
"""

from pa._errors import (
    AuthError,
    CancelledError,
    ConflictError,
    InvalidInputError,
    NetworkError,
    NoSuchFileError,
    NotFoundError,
    PaError,
    ParseError,
    ProviderError,
    RateLimitedError,
    StorageError,
)
from pa import records, results
from pa.frames import pmc_frame
from pa._pa import (
    Store,
    User,
    Vault,
    __version__,
    expand_rrule,
    form,
    hr_stress,
    normalized_power,
    power_load,
    run_load,
    schedule_runs,
    trimp,
    pmc,
    pmc_series,
    read_calendar,
)

__all__ = [
    "AuthError",
    "CancelledError",
    "ConflictError",
    "ProviderError",
    "NetworkError",
    "NoSuchFileError",
    "NotFoundError",
    "RateLimitedError",
    "InvalidInputError",
    "PaError",
    "ParseError",
    "StorageError",
    "Store",
    "User",
    "Vault",
    "__version__",
    "expand_rrule",
    "form",
    "hr_stress",
    "normalized_power",
    "power_load",
    "run_load",
    "schedule_runs",
    "trimp",
    "pmc",
    "pmc_frame",
    "pmc_series",
    "read_calendar",
    "records",
    "results",
]
