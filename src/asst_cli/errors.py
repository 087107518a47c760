"""Exit codes and the errors that carry them.

Every failure that reaches the user is an :class:`AsstError`: one message, one optional hint and one
:class:`ExitCode`. SDK and HTTP failures are translated here, so the exit-code contract lives in a
single place (``app.main`` is the only boundary that prints them).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    """The documented exit codes; scripts depend on these numbers, never renumber them."""

    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    AUTH = 4
    RUN_FAILED = 5
    RUN_INCOMPLETE = 6
    REQUIRES_ACTION = 8
    TEMPORARY = 75
    DEADLINE = 124
    INTERRUPTED = 130
    TERMINATED = 143


class AsstError(Exception):
    """An error with a user-facing message, an optional hint and the exit code it maps to."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        code: ExitCode = ExitCode.ERROR,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "exit_code": int(self.code)}
        if self.hint:
            error["hint"] = self.hint
        if self.status is not None:
            error["status"] = self.status
        return {"error": error}


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job being cancelled), raised where Ctrl-C would be and handled alike."""


def stopped_by(exc: BaseException) -> tuple[str, ExitCode]:
    """What stopped the command (Ctrl-C or SIGTERM), as a word for messages and the exit code."""
    if isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated):
        return "terminated", ExitCode.TERMINATED
    return "interrupted", ExitCode.INTERRUPTED


class UsageError(AsstError):
    """Bad input detected before any request: exit code 2."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint, ExitCode.USAGE)


_STATUS_CODES = {401: ExitCode.AUTH, 403: ExitCode.AUTH, 404: ExitCode.NOT_FOUND}
_STATUS_HINTS = {
    401: "check the credential with 'asst auth status --check'",
    403: "the credential is valid but lacks permission for this operation",
    404: "check the id, or list what exists with the matching 'list' command",
    429: "the server is rate limiting; wait, or raise --max-retries",
}


def _server_message(body: object, fallback: str) -> str:
    """The server's own message from an error envelope, whatever its dialect's shape."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return fallback


def _after(retries: int) -> str:
    """How many times a request was retried, for a message ("" when it was sent once)."""
    if not retries:
        return ""
    return " after 1 retry" if retries == 1 else f" after {retries} retries"


def from_status(status: int, body: object, fallback: str, retries: int = 0) -> AsstError:
    """Map an HTTP error status and body onto the exit-code contract."""
    message = _server_message(body, fallback)
    if status == 429 or status >= 500:
        return AsstError(
            f"server answered {status}{_after(retries)}: {message}",
            _STATUS_HINTS.get(status, "try again later, or raise --max-retries"),
            ExitCode.TEMPORARY,
            status,
        )
    code = _STATUS_CODES.get(status, ExitCode.ERROR)
    return AsstError(message, _STATUS_HINTS.get(status), code, status)


def from_sdk(exc: BaseException) -> AsstError | None:
    """Translate an exception raised by the openai SDK; None if it is not one of its errors."""
    if not type(exc).__module__.startswith("openai"):
        return None
    # The exceptions' own module: the package's names would run its deferred __init__ (sdk.py).
    from openai import _exceptions as openai

    retries = int(getattr(exc, "asst_retries", 0))  # set by polling.send
    if isinstance(exc, openai.APIStatusError):
        return from_status(exc.status_code, exc.body, exc.message, retries)
    if isinstance(exc, openai.APITimeoutError):
        return AsstError(
            f"the request timed out{_after(retries)}",
            "check the endpoint, or raise --max-retries",
            ExitCode.TEMPORARY,
        )
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return AsstError(
            f"could not reach the server: {cause}",
            "check the endpoint with 'asst auth status'",
            ExitCode.TEMPORARY,
        )
    if isinstance(exc, openai.OpenAIError):
        return AsstError(str(exc), None, ExitCode.ERROR)
    return None


def translate(exc: BaseException) -> AsstError | None:
    """The user-facing form of any exception asst knows how to explain."""
    if isinstance(exc, AsstError):
        return exc
    if isinstance(exc.__cause__, AsstError):  # raised by asst inside the SDK (limits.py)
        return exc.__cause__
    if isinstance(exc, UnicodeEncodeError):
        # Text that cannot be sent: undecodable bytes in an argument, a lone surrogate escape
        # ("\ud800") in a definition file. It fails while the request is built, before sending.
        return UsageError(
            f"the input holds text that is not valid Unicode: {exc.object[exc.start : exc.end]!r}",
            "pass UTF-8 text",
        )
    return from_sdk(exc)


def known(exc: Exception) -> AsstError:
    """The user-facing form of ``exc``; an exception asst cannot explain is raised again."""
    failure = translate(exc)
    if failure is None:
        raise exc
    return failure


def about(label: str, failure: AsstError) -> AsstError:
    """The same failure with what it was about in front: ``a.txt: upload failed: ...``."""
    return AsstError(f"{label}: {failure.message}", failure.hint, failure.code)


# Failures that must not stop the command, only its exit code: the command finishes (a run's
# reply is printed), then the error boundary ends with the first of these (app._invoke).
# Each is built when the command ends, so it can count what happened along the way.
_deferred: list[Callable[[], AsstError]] = []


def defer(failure: Callable[[], AsstError]) -> None:
    _deferred.append(failure)


def take_deferred() -> list[AsstError]:
    found = [build() for build in _deferred]
    _deferred.clear()
    return found


def raise_deferred(ended_well: bool) -> None:
    """The first deferred failure, raised once a command that ended well is done (one that did
    not keeps its own code)."""
    found = take_deferred()
    if found and ended_well:
        raise found[0]


EACH_NAMED = "the errors above name each one"


def raise_if_failed(
    failures: list[AsstError], total: int, what: str, hint: str = EACH_NAMED
) -> None:
    """For a command that tries every item and names each failure on stderr as it goes: one
    closing error, "N of M <what> failed", exiting as the first failure would have."""
    if failures:
        first = failures[0]
        raise AsstError(f"{len(failures)} of {total} {what} failed", hint, first.code, first.status)
