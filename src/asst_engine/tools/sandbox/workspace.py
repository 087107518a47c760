"""A thread's folder on the host: its /mnt/data, the files put in, the files its code wrote.

The sandbox's code controls /mnt/data, so the server never follows a link there: inputs are
renamed into place (a rename replaces a link, it does not write through it) and outputs are
copied out with O_NOFOLLOW into a folder the sandbox cannot see.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

THREAD_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
# Bounds on what one call may hand back and on the entries scanned for it, so that a cell
# making a million files or folders stays cheap.
MAX_OUTPUT_FILES = 100
MAX_SCANNED = 10_000
COPY_SIZE = 1 << 20

Snapshot = dict[str, tuple[int, int]]


def safe_name(filename: str) -> str:
    """The file's name under /mnt/data: its last path part; nothing that leaves the folder."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if name in ("", ".", "..") or "\0" in name:
        raise ValueError(f"file name {filename!r} cannot be placed in /mnt/data; rename the file")
    return name


class Workspace:
    """``root/<thread>/data`` is bound as /mnt/data; ``out``, ``stage`` and ``tmp`` stay on
    the host (``tmp`` serves only the unsafe, unisolated mode)."""

    def __init__(self, root: Path, thread_id: str, owner: int | None) -> None:
        if not THREAD_ID.fullmatch(thread_id):
            raise ValueError(f"thread id {thread_id!r} must be letters, digits, '_' or '-'")
        self.base = root / thread_id
        self.data = self.base / "data"
        self.out = self.base / "out"
        self.stage = self.base / "stage"
        self.tmp = self.base / "tmp"
        self.owner = owner
        self.placed: set[str] = set()
        for folder in (self.data, self.out, self.stage, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o700)
        if owner is not None:
            os.chown(self.data, owner, owner)

    def place(self, files: Iterable[tuple[str, BinaryIO]]) -> None:
        """Write each file not placed before in this session; later changes by the code stay."""
        for filename, reader in files:
            name = safe_name(filename)
            if name in self.placed:
                continue
            staged = self.stage / name
            with staged.open("wb") as stream:
                shutil.copyfileobj(reader, stream, COPY_SIZE)
            if self.owner is not None:
                os.chown(staged, self.owner, self.owner)
            try:
                staged.replace(self.data / name)
            except OSError:
                staged.unlink()  # the code made a folder of that name; the folder stays
                continue
            self.placed.add(name)

    def snapshot(self) -> Snapshot:
        """Regular files under /mnt/data by relative name: (size, modification time)."""
        found: Snapshot = {}
        pending = [""]
        scanned = 0
        while pending and scanned < MAX_SCANNED:
            relative = pending.pop()
            try:
                folder = self.open_beneath(relative, os.O_DIRECTORY)
            except OSError:
                continue
            try:
                for entry in os.scandir(folder):
                    scanned += 1
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISDIR(info.st_mode):
                        pending.append(f"{relative}{entry.name}/")
                    elif stat.S_ISREG(info.st_mode):
                        found[relative + entry.name] = (info.st_size, info.st_mtime_ns)
            finally:
                os.close(folder)
        return found

    def open_beneath(self, name: str, flags: int) -> int:
        """Open a path under /mnt/data one part at a time, never through a link."""
        current = os.open(self.data, os.O_RDONLY | os.O_DIRECTORY)
        for part in [part for part in name.split("/") if part]:
            try:
                following = os.open(
                    part, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | flags, dir_fd=current
                )
            finally:
                os.close(current)
            current = following
        return current

    def collect(self, before: Snapshot) -> list[tuple[str, Path]]:
        """Copies of the files the call created or changed, by name under /mnt/data."""
        self.clear_out()
        after = self.snapshot()
        changed = sorted(name for name, seen in after.items() if before.get(name) != seen)
        written = []
        for index, name in enumerate(changed[:MAX_OUTPUT_FILES]):
            copy = self.out / f"{index}-{name.rsplit('/', 1)[-1]}"
            if self.copy_out(name, copy):
                written.append((name, copy))
        return written

    def copy_out(self, name: str, copy: Path) -> bool:
        try:
            source = self.open_beneath(name, 0)
        except OSError:
            return False  # gone or replaced by a link since the scan
        with os.fdopen(source, "rb") as reader:
            if not stat.S_ISREG(os.fstat(reader.fileno()).st_mode):
                return False
            with copy.open("wb") as writer:
                shutil.copyfileobj(reader, writer, COPY_SIZE)
        return True

    def clear_out(self) -> None:
        for path in self.out.iterdir():
            path.unlink()

    def retire(self) -> None:
        """Move the folder aside (one rename); ``remove`` then deletes it."""
        retired = self.base.with_name(f".ended-{self.base.name}-{uuid.uuid4().hex}")
        self.base.rename(retired)
        self.base = retired

    def remove(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)
