"""Which threads an export takes: those given, or every one the backend can enumerate.

Only Foundry lists threads (``GET /threads``); elsewhere asst knows the threads it created
itself, from its ledger (``asst threads list``), and any others come from ``--thread`` and
``--threads-from``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from .. import api, ledger, paths
from ..errors import UsageError
from ..settings import Settings


def since(value: str | None) -> int | None:
    """``--since`` as a Unix time: an ISO date or date-time (UTC unless it says otherwise)."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since {value!r} is not a date", "pass an ISO date, e.g. 2026-01-31"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp())


def from_file(name: str) -> list[str]:
    """One thread id a line; blank lines and ``#`` comments are skipped."""
    try:
        text = Path(name).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(
            f"--threads-from {name}: cannot read: {reason}", "check the path"
        ) from None
    return [s for s in (raw.split("#")[0].strip() for raw in text.splitlines()) if s]


def enumerable(settings: Settings) -> list[str]:
    """The threads the backend lists (Foundry), else those asst's ledger holds; oldest first."""
    if settings.backend != "foundry":
        return [entry.thread_id for entry in ledger.entries(settings)]
    return [str(t["id"]) for t in api.iterate(paths.THREADS, {"order": "asc"})]


def thread_ids(every: bool, given: list[str], listed: str | None, settings: Settings) -> list[str]:
    """``--threads`` (all the backend can enumerate) plus the ids given, each once, in order."""
    wanted = list(given) + (from_file(listed) if listed is not None else [])
    if every:
        wanted = enumerable(settings) + wanted
        if not wanted and settings.backend != "foundry":
            raise UsageError(
                f"the {settings.backend} backend cannot list threads and asst created none there",
                "name them with --thread ID or --threads-from FILE",
            )
    return list(dict.fromkeys(wanted))
