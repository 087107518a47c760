"""Uploads made to be attached, remembered until they are: none is left behind by an outage.

``vector-stores files add`` and ``apply`` upload a file, then attach it (to a store, or to an
assistant). When the attach fails and so does the delete that would undo the upload (the server
went away), or asst is stopped in between, the file is left on the server, used by nothing. Each
such upload is noted in the state file (per backend and endpoint) before its attach and struck
off after it; the next successful ``files add`` or ``apply`` against the same server deletes
whatever is still noted.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .. import api, configfile, errors, paths, render
from ..errors import AsstError, ExitCode

KEY = "unattached_uploads"
_lock = threading.Lock()  # uploads finish on several threads
_tracking: list[list[str]] = []


def _server() -> str:
    current = api.current_settings()
    return f"{current.backend} {current.endpoint}"


def _update(add: Iterable[str] = (), remove: Iterable[str] = ()) -> list[str]:
    """Change this server's list of noted uploads; returns the list as it is now."""
    with _lock:
        state = configfile.load_state()
        found = state.get(KEY)
        noted: dict[str, Any] = found if isinstance(found, dict) else {}
        if not noted and not add:
            return []  # the usual case: nothing noted, nothing to note
        server = _server()
        ids = [i for i in noted.get(server) or [] if isinstance(i, str)]
        gone = set(remove)
        ids = [i for i in dict.fromkeys([*ids, *add]) if i not in gone]
        if ids:
            noted[server] = ids
        else:
            noted.pop(server, None)
        state[KEY] = noted
        if not noted:
            state.pop(KEY)
        configfile.save_state(state)
        return ids


@contextmanager
def tracking() -> Iterator[list[str]]:
    """Within the block every finished upload is noted (see ``note``), and listed here."""
    made: list[str] = []
    _tracking.append(made)
    try:
        yield made
    finally:
        _tracking.remove(made)


def note(file_ids: list[str]) -> None:
    """Uploads have finished: noted (one write for all) if they are to be attached, that is
    inside ``tracking``."""
    if _tracking and file_ids:
        _update(add=file_ids)
        _tracking[-1].extend(file_ids)


def attached(file_ids: Iterable[str]) -> None:
    """Strike off uploads now attached (or deleted)."""
    ids = list(file_ids)
    if ids:
        _update(remove=ids)


def sweep() -> None:
    """Delete the uploads an earlier run left unattached on this server (one already gone is
    fine); those that cannot be deleted now stay noted for the next run."""
    deleted = []
    for file_id in _update():
        try:
            delete_upload(file_id)
        except AsstError:
            continue
        deleted.append(file_id)
    if deleted:
        attached(deleted)
        render.progress(
            f"Deleted {len(deleted)} upload(s) an earlier run left unattached: "
            + ", ".join(deleted)
        )


def delete_upload(file_id: str) -> None:
    """Delete an upload asst made; one already gone is fine, other failures are raised."""
    try:
        api.delete(paths.file(file_id))
    except Exception as exc:
        failure = errors.translate(exc)
        if failure is None:
            raise
        if failure.code != ExitCode.NOT_FOUND:
            raise failure from exc
