"""Blobs on disk: one file per key under ``blobs/``, written atomically, streamed.

A key's file is ``blobs/<fan>/<key>`` with ``<fan>`` the first two hex digits of the key's
SHA-256: file ids share their ``file-`` prefix, so the hash spreads them evenly over 256
directories. Bytes go to ``blobs/tmp/`` first and are renamed into place once complete (and
synced, so a crash right after cannot leave a name with partial content); a reader therefore
sees the old bytes or the new, never a mix. Keys are restricted to a safe alphabet so that a
key can never name a path outside ``blobs/``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
STAGING = "tmp"


class DiskBlobs:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / STAGING
        self.staging.mkdir(mode=0o700, parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        if not KEY.fullmatch(key):
            raise ValueError(f"invalid blob key {key!r}: use letters, digits, '.', '_', '-'")
        fan = hashlib.sha256(key.encode()).hexdigest()[:2]
        return self.root / fan / key

    @contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        target = self.path(key)
        handle, name = tempfile.mkstemp(dir=self.staging)
        temporary = Path(name)
        try:
            with os.fdopen(handle, "wb") as stream:
                yield stream
                stream.flush()
                os.fsync(stream.fileno())
            target.parent.mkdir(mode=0o700, exist_ok=True)
            temporary.replace(target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def reader(self, key: str) -> BinaryIO | None:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            return None

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> None:
        with self.writer(key) as stream:
            stream.write(data)

    def get(self, key: str) -> bytes | None:
        stream = self.reader(key)
        if stream is None:
            return None
        with stream:
            return stream.read()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        """Every stored key (not the staging area)."""
        for fan in self.root.iterdir():
            if fan.name != STAGING and fan.is_dir():
                yield from (entry.name for entry in fan.iterdir())

    def drop_staged(self) -> None:
        """Remove writes a crash left unfinished; only safe while no writer is open."""
        for entry in self.staging.iterdir():
            entry.unlink(missing_ok=True)

    def clear(self) -> None:
        for entry in self.root.iterdir():
            if entry.name != STAGING:
                shutil.rmtree(entry)
        self.drop_staged()
