"""Finding the live object a definition describes.

Names are not unique on a server, so asst marks what it manages with the metadata key
``asst-name`` (the definition's name) and finds objects by it. Two live objects with the same
identity are an error listing both ids: asst never guesses.
"""

from __future__ import annotations

from typing import Any

from .. import api, paths
from ..errors import UsageError

IDENTITY_KEY = "asst-name"


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


def one(found: list[dict[str, Any]], name: str, what: str = "objects") -> dict[str, Any] | None:
    """The only object carrying identity ``name``; several are an error listing their ids."""
    if len(found) > 1:
        ids = ", ".join(str(item.get("id")) for item in found)
        raise UsageError(
            f"several {what} carry {IDENTITY_KEY}={name}: {ids}",
            "delete or rename all but one; asst will not guess",
        )
    return found[0] if found else None


def find(path: str, name: str) -> dict[str, Any] | None:
    """The one live object at ``path`` whose identity is ``name``, or None."""
    return one([item for item in api.iterate(path) if identity(item) == name], name)


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
