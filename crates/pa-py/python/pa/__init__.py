"""pa: the engine of a personal assistant, from Rust.

Open a store (``pa.Store(path)``, or the default store), pick a person (``store.user("me")``),
import files (``user.import_files([...], progress=...)``), read today's briefing
(``user.today()``), export (``user.export_jsonl(path)``) and back up (``store.backup(path)``).
The Performance Manager Chart of any loads: ``pa.pmc``. The rest of the engine is added as it
lands.
"""

from pa._errors import (
    AuthError,
    InvalidInputError,
    NetworkError,
    NotFoundError,
    PaError,
    ParseError,
    RateLimitedError,
    StorageError,
)
from pa import records, results
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
    "NetworkError",
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
    "pmc_series",
    "read_calendar",
    "records",
    "results",
]
