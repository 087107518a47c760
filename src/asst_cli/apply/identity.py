"""Finding the live object a definition describes.

Names are not unique on a server, so asst marks what it manages with the metadata key
``asst-name`` (the definition's name) and finds objects by it. Two live objects with the same
identity are either twins asst itself left (a create whose answer was lost, two applies at once:
the same definition), which the next look settles by keeping the oldest, or a true conflict
(different content), an error naming the command that resolves it: asst never guesses.
"""

from __future__ import annotations

from typing import Any

from .. import api, paths, render
from ..errors import UsageError

IDENTITY_KEY = "asst-name"
GROUPS = {paths.ASSISTANTS: "assistants", paths.VECTOR_STORES: "vector-stores"}
OBJECT_PATHS = {paths.ASSISTANTS: paths.assistant, paths.VECTOR_STORES: paths.vector_store}
# What the server sets or apply derives (ids of stores and files, counts, state), so two copies
# of one definition may differ in them and still be twins.
_NOT_DEFINED = frozenset(
    {"id", "object", "created_at", "tool_resources", "file_counts", "usage_bytes", "status"}
    | {"last_active_at", "expires_at"}
)


def identity_of(body: dict[str, Any]) -> str:
    """The definition's identity: its name, unless a display_name put it in the metadata."""
    name = (body.get("metadata") or {}).get(IDENTITY_KEY) or body.get("name")
    if not isinstance(name, str) or not name:
        raise UsageError("the definition needs a name", "add 'name:' to the file")
    return name


def identity(obj: dict[str, Any]) -> str | None:
    """The identity a live object carries, or None if asst does not manage it."""
    found = (obj.get("metadata") or {}).get(IDENTITY_KEY)
    return found if isinstance(found, str) and found else None


def one(found: list[dict[str, Any]], name: str, path: str) -> dict[str, Any] | None:
    """The only object at ``path`` carrying identity ``name``; several are an error naming the
    command that keeps the oldest."""
    if len(found) > 1:
        oldest, *newer = _by_age(found)
        ids = ", ".join(str(item.get("id")) for item in [oldest, *newer])
        others = " ".join(str(item.get("id")) for item in newer)
        raise UsageError(
            f"several {GROUPS[path].replace('-', ' ')} carry {IDENTITY_KEY}={name} with "
            f"different content: {ids}",
            f"keep one, e.g. the oldest: asst {GROUPS[path]} delete {others}",
        )
    return found[0] if found else None


def settle(path: str, found: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """Twins of one definition (see the module's doc) reduced to the oldest, the newer ones
    deleted and named on stderr; anything else is returned as it was."""
    if len(found) < 2:
        return found
    oldest, *newer = _by_age(found)
    if any(_defined(item) != _defined(oldest) for item in newer):
        return found
    for twin in newer:
        api.delete(OBJECT_PATHS[path](str(twin["id"])))
        render.progress(
            f"Deleted {twin['id']}: a newer twin of {oldest['id']} ({IDENTITY_KEY}={name}, same "
            "definition), left by a lost answer or two applies at once"
        )
    return [oldest]


def _by_age(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Lists come newest first, so of two made in the same second the later listed is older.
    ranked = sorted(
        enumerate(found), key=lambda pair: (float(pair[1].get("created_at") or 0), -pair[0])
    )
    return [item for _, item in ranked]


def _defined(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in _NOT_DEFINED}


def find(path: str, name: str) -> dict[str, Any] | None:
    """The one live object at ``path`` whose identity is ``name`` (twins settled), or None."""
    carriers = [item for item in api.iterate(path) if identity(item) == name]
    return one(settle(path, carriers, name), name, path)


def with_identity(body: dict[str, Any]) -> dict[str, Any]:
    """The body with its identity in metadata (which counts against the 16-key limit)."""
    metadata = {**(body.get("metadata") or {}), IDENTITY_KEY: identity_of(body)}
    if len(metadata) > 16:
        raise UsageError(
            f"metadata has more than 15 keys; asst needs one for {IDENTITY_KEY}",
            "remove a metadata key from the definition",
        )
    return {**body, "metadata": metadata}


def differs(body: dict[str, Any], live: dict[str, Any]) -> bool:
    """True if sending ``body`` would change ``live`` (fields the body leaves out are kept)."""
    return any(live.get(key) != value for key, value in body.items())


def create_managed(path: str, body: dict[str, Any], kind: str) -> dict[str, Any]:
    """Create an object from a definition file, carrying its identity as apply and run -f do;
    one that already carries it is refused (a second would make every later apply an error)."""
    wanted = with_identity(body)
    name = identity_of(body)
    live = find(path, name)
    if live is not None:
        raise UsageError(
            f"{kind}/{name} exists already ({live.get('id')})",
            "bring it in line with 'asst apply -f FILE', or pass --name to create another",
        )
    created: dict[str, Any] = api.post(path, wanted)
    return created


def ensure_assistant(body: dict[str, Any]) -> dict[str, Any]:
    """The live assistant for a definition: found by identity and brought in line, or created."""
    wanted = with_identity(body)
    live = find(paths.ASSISTANTS, identity_of(body))
    if live is None:
        created: dict[str, Any] = api.post(paths.ASSISTANTS, wanted)
        return created
    if differs(wanted, live):
        updated: dict[str, Any] = api.post(paths.assistant(str(live["id"])), wanted)
        return updated
    return live
