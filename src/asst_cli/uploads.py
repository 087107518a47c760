"""Local files sent to the server: checked before any request, uploaded concurrently.

A reference given on the command line or in a definition is a local path when such a path exists,
a file id when it looks like one (``file-abc123``, ``assistant-XYZ``), and otherwise an error.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import api, errors
from .errors import AsstError, UsageError

FILE_ID = re.compile(r"^[A-Za-z]+[-_][A-Za-z0-9_-]+$")
DEFAULT_CONCURRENCY = 4


def readable_file(path: Path, label: str | None = None) -> Path:
    """``path`` if it is a readable regular file; a usage error naming it otherwise."""
    name = label or str(path)
    if not path.exists():
        raise UsageError(f"{name}: no such file", "check the path")
    if not path.is_file():
        raise UsageError(f"{name}: not a regular file", "pass a file, not a directory or device")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{name}: not readable", "check its permissions")
    return path


def local_or_id(ref: str, base: Path | None = None) -> Path | None:
    """The local file ``ref`` names (checked), or None when ``ref`` is a file id."""
    path = Path(ref).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    if path.exists() or not FILE_ID.match(ref):
        return readable_file(path, ref)
    return None


@dataclass
class Uploaded:
    path: Path
    file: dict[str, Any] | None = None
    error: AsstError | None = None


def _upload_one(path: Path, purpose: str) -> Uploaded:
    try:
        return Uploaded(path, file=api.upload(path, purpose))
    except Exception as exc:
        failure = errors.translate(exc)
        if failure is None:
            raise
        return Uploaded(path, error=failure)


def upload_many(
    paths: Sequence[Path],
    purpose: str,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_done: Callable[[Uploaded], None] | None = None,
) -> list[Uploaded]:
    """Upload every path (already checked), ``concurrency`` at a time, in the given order."""
    if not paths:
        return []
    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, min(concurrency, len(paths)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_upload_one, path, purpose) for path in paths]
        results = []
        for future in futures:
            result = future.result()
            if on_done:
                on_done(result)
            results.append(result)
    return results


def resolve_ids(refs: Sequence[str], purpose: str, base: Path | None = None) -> list[str]:
    """File ids for a mix of ids and local paths; local files are uploaded first.

    Every local path is checked before the first upload, so bad input costs no request.
    """
    locals_ = {ref: local_or_id(ref, base) for ref in refs}
    paths = [path for path in locals_.values() if path is not None]
    uploaded = {u.path: u for u in upload_many(paths, purpose)}
    failed = [u for u in uploaded.values() if u.error]
    for failure in failed:
        print(f"Error: uploading {failure.path} failed: {failure.error}", file=sys.stderr)
    if failed and failed[0].error:
        raise failed[0].error
    ids = []
    for ref, path in locals_.items():
        file = uploaded[path].file if path is not None else None
        ids.append(str(file["id"]) if file else ref)
    return ids
