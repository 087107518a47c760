"""API keys for ``asst serve``: which credentials a server accepts, and whose objects each sees.

A key's owner is a stable hash of it (never the key itself): the store scopes every read and
stamps every write with it (``store.unit_of_work(owner)``), so each key sees only its own
objects. Lookups go by that hash, so how long a comparison takes says nothing about the keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from asst_engine.errors import EngineError


def owner_of(key: str) -> str:
    """The owner a key's objects are stored under."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def masked(credential: str) -> str:
    """What an error may quote of a credential: enough to tell keys apart, never the key."""
    if len(credential) <= 8:
        return "*" * len(credential)
    return f"{credential[:3]}{'*' * (len(credential) - 7)}{credential[-4:]}"


class Keys:
    """The keys a server accepts; ``owner`` answers a request's credential with its owner."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.owners = frozenset(owner_of(key) for key in keys)

    def __bool__(self) -> bool:
        return bool(self.owners)

    def owner(self, credential: str) -> str:
        """The credential's owner; 401 (``invalid_api_key``) for a key this server lacks."""
        found = owner_of(credential)
        if found not in self.owners:
            message = f"Incorrect API key provided: {masked(credential)}."
            raise EngineError(401, message, code="invalid_api_key")
        return found
