"""Which uploaded file holds which local file: a content record kept in the owner's metadata.

``asst apply`` uploads a local file only when its content changed. The owner of the files (a
vector store, or an assistant for its code_interpreter files) carries the record in its metadata:
``asst-files`` (then ``asst-files-2``, ``asst-files-3``, ... when one 512-character value is not
enough) holds ``FILE_ID:HASH`` entries separated by commas, HASH being the first 12 hex digits of
the file's sha256. A local file whose hash is recorded for a file the owner still has is not
uploaded again; any other is uploaded, and what it replaces is detached and deleted.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import checks
from ..errors import AsstError, UsageError
from ..transfer.uploads import Ref

RECORD_KEY = "asst-files"
HASH_CHARS = 12
# What one entry may take (an id of up to 40 characters, ':', the hash and ','): the budget
# checked before any request, so a set that cannot be recorded fails early.
ENTRY_BUDGET = 40 + 1 + HASH_CHARS + 1
ENTRIES_PER_KEY = checks.METADATA_MAX_VALUE // ENTRY_BUDGET


def digest(path: Path) -> str:
    """The first 12 hex digits of the file's sha256 (read in blocks, never whole)."""
    hasher = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(block)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}", "check the file") from None
    return hasher.hexdigest()[:HASH_CHARS]


def is_record_key(key: str) -> bool:
    return key == RECORD_KEY or key.startswith(f"{RECORD_KEY}-")


def keys_needed(count: int) -> int:
    return math.ceil(count / ENTRIES_PER_KEY)


def read(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """The record in ``metadata``: file id → hash (entries that do not parse are ignored)."""
    record: dict[str, str] = {}
    for key, value in (metadata or {}).items():
        if not is_record_key(key):
            continue
        for entry in str(value).split(","):
            file_id, sep, hashed = entry.strip().partition(":")
            if sep and file_id and len(hashed) == HASH_CHARS:
                record[file_id] = hashed
    return record


def write(record: Mapping[str, str]) -> dict[str, str]:
    """The metadata keys holding ``record``, each value at most 512 characters."""
    values: list[str] = []
    for file_id, hashed in record.items():
        entry = f"{file_id}:{hashed}"
        if values and len(values[-1]) + 1 + len(entry) <= checks.METADATA_MAX_VALUE:
            values[-1] += f",{entry}"
        else:
            values.append(entry)
    return {
        RECORD_KEY if index == 0 else f"{RECORD_KEY}-{index + 1}": value
        for index, value in enumerate(values)
    }


@dataclass(frozen=True)
class Local:
    """A local file of a definition: its path, how the definition names it, its content hash."""

    path: Path
    label: str
    hash: str


@dataclass
class Sync:
    """How an owner's files get from what it has to what its definition declares.

    ``reused`` maps local files (by label) to files the owner already has with their content;
    ``uploads`` must be uploaded; ``ids`` are declared by id. Labels name a file in views:
    a local file by its path as written, any other by its id.
    """

    attached: list[str]
    record: dict[str, str]
    reused: dict[str, str] = field(default_factory=dict)
    uploads: list[Local] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # label → hash of each local file

    def wanted_labels(self) -> list[str]:
        return sorted({*self.reused, *(local.label for local in self.uploads), *self.ids})

    def live_labels(self) -> list[str]:
        by_id = {file_id: label for label, file_id in self.reused.items()}
        return sorted(by_id.get(file_id, file_id) for file_id in self.attached)

    def wanted_ids(self, uploaded: Mapping[str, str]) -> list[str]:
        """Every file the owner should have, given the ids of the uploads (by label)."""
        ids = [*self.reused.values(), *(uploaded[u.label] for u in self.uploads), *self.ids]
        return list(dict.fromkeys(ids))

    def new_record(self, uploaded: Mapping[str, str]) -> dict[str, str]:
        files = {**self.reused, **uploaded}
        return {file_id: self.hashes[label] for label, file_id in files.items()}

    def replaced(self, uploaded: Mapping[str, str]) -> list[str]:
        """Files apply uploaded for this owner that it no longer needs (to delete)."""
        keep = set(self.wanted_ids(uploaded))
        return [file_id for file_id in self.record if file_id not in keep]


def plan(
    refs: list[Ref],
    hashes: Mapping[Path, str],
    base_dir: Path,
    attached: list[str],
    record: dict[str, str],
) -> Sync:
    """Match declared files against the owner's ``attached`` files and its ``record``.

    Local files are labelled by their path relative to ``base_dir`` (their definition's).
    """
    sync = Sync(attached=list(attached), record=dict(record))
    by_hash: dict[str, str] = {}
    for file_id in attached:
        if file_id in record:
            by_hash.setdefault(record[file_id], file_id)
    seen: set[str] = set()
    for ref in refs:
        if not isinstance(ref, Path):
            sync.ids.append(ref)
            continue
        local = Local(ref, os.path.relpath(ref, base_dir), hashes[ref])
        if local.hash in seen:
            continue  # the same content twice is one file
        seen.add(local.hash)
        sync.hashes[local.label] = local.hash
        if local.hash in by_hash:
            sync.reused[local.label] = by_hash[local.hash]
        else:
            sync.uploads.append(local)
    sync.ids = [i for i in dict.fromkeys(sync.ids) if i not in sync.reused.values()]
    return sync


def record_fits(record: Mapping[str, str], free_keys: int, owner: str) -> dict[str, str]:
    """The record's metadata keys; an error if they exceed what the owner's metadata has free."""
    keys = write(record)
    if len(keys) > free_keys:
        raise AsstError(
            f"{owner}: the content record of {len(record)} files needs {len(keys)} metadata "
            f"keys and {free_keys} are free",
            "reference some files by id, or remove metadata keys",
        )
    return keys
