"""pa: the engine of a personal assistant, from Rust.

Today: the Performance Manager Chart (``pa.pmc``). The rest of the engine is added as it lands.
"""

from pa._pa import InvalidInputError, PaError, __version__, pmc

__all__ = ["InvalidInputError", "PaError", "__version__", "pmc"]
