"""pa: the engine of a personal assistant, from Rust.

Open a store (``pa.Store(path)``, or the default store), pick a person (``store.user("me")``),
import files (``user.import_files([...], progress=...)``), read today's briefing
(``user.today()``), export (``user.export_jsonl(path)``) and back up (``store.backup(path)``).
The Performance Manager Chart of any loads: ``pa.pmc``. The rest of the engine is added as it
lands.
"""

from pa._pa import (
    InvalidInputError,
    PaError,
    ParseError,
    StorageError,
    Store,
    User,
    __version__,
    form,
    pmc,
    pmc_series,
)

__all__ = [
    "InvalidInputError",
    "PaError",
    "ParseError",
    "StorageError",
    "Store",
    "User",
    "__version__",
    "form",
    "pmc",
    "pmc_series",
]
