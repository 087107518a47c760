"""Object ids such as ``asst_`` + 24 alphanumerics, from the OS's randomness by default."""

from __future__ import annotations

import secrets
import string
from typing import Protocol

ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 24


class IdSource(Protocol):
    """Makes object ids such as ``asst_`` + 24 alphanumerics."""

    def new(self, prefix: str) -> str: ...

    def reset(self) -> None: ...


class RandomIds:
    """Ids from the OS's randomness, like the real services."""

    def new(self, prefix: str) -> str:
        return prefix + "".join(secrets.choice(ALPHABET) for _ in range(ID_LENGTH))

    def reset(self) -> None:
        """Nothing to reset: random ids never repeat anyway."""
