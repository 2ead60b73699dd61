"""The exceptions pa raises. Each also subclasses the Python builtin it is a kind of, so code that
catches ``ValueError``, ``LookupError`` or ``OSError`` keeps working."""

from __future__ import annotations

__all__ = [
    "AuthError",
    "CancelledError",
    "ConflictError",
    "InvalidInputError",
    "NetworkError",
    "NoSuchFileError",
    "NotFoundError",
    "PaError",
    "ParseError",
    "ProviderError",
    "RateLimitedError",
    "StorageError",
]


class PaError(Exception):
    """Base class of every error pa raises."""


class InvalidInputError(PaError, ValueError):
    """A value given to pa breaks a documented rule."""


class ParseError(InvalidInputError):
    """A file pa was asked to read is malformed.

    ``file`` names the file (or other input) and ``line`` the 1-based line when the format has
    lines; the message holds both and the problem.
    """

    file: str | None
    line: int | None

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.line = line


class NotFoundError(PaError, LookupError):
    """What was asked for does not exist: a person, a record, a file."""


class _OsDetails(OSError):
    """An ``OSError`` of pa's, given its message and what the OS said."""

    def __init__(
        self,
        message: str,
        *,
        errno: int | None = None,
        strerror: str | None = None,
        filename: str | None = None,
    ) -> None:
        super().__init__(message)
        # Set only what is known: OSError prints "[Errno …] …: …" once any of them is set.
        if errno is not None:
            self.errno = errno
        if strerror is not None:
            self.strerror = strerror
        if filename is not None:
            self.filename = filename


class NoSuchFileError(_OsDetails, NotFoundError, FileNotFoundError):
    """A file pa was asked to read is not there. It is also Python's ``FileNotFoundError`` (an
    ``OSError``) with ``errno``, ``strerror`` (the OS reason) and ``filename`` set."""


class AuthError(PaError, PermissionError):
    """Credentials were refused or a write is not allowed: a wrong vault passphrase, a service
    that wants signing in again, a read-only store."""


class ConflictError(PaError, ValueError):
    """A write conflicts with what is there (changed on both sides, or since it was read)."""


class ProviderError(PaError):
    """A service refused or failed a request; ``service`` names it and ``status`` is the HTTP
    status when there was one."""

    service: str | None
    status: int | None

    def __init__(self, message: str, *, service: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.service = service
        self.status = status


class CancelledError(PaError):
    """The operation was cancelled before it finished; what it had written is whole."""


class RateLimitedError(PaError):
    """A service asked pa to slow down; ``retry_after`` is the wait in seconds it named, if any."""

    retry_after: float | None

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NetworkError(PaError, ConnectionError):
    """A service could not be reached or answered with a server error."""


class StorageError(_OsDetails, PaError):
    """The store or a file cannot be read or written (I/O, a corrupt or newer database). For an
    OS error on a file, ``errno``, ``strerror`` (the OS reason) and ``filename`` are set."""
