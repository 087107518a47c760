"""The bundle on disk: its layout, its lines, the progress of an export and the manifest.

Every file is written whole or not at all (``downloads.save``: a temporary file, then a
rename), so an interrupted export leaves only complete files and its progress file, which says
what is done. The format is described in the README ("Thread bundles").
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..transfer import downloads

FORMAT = "asst-bundle/1"
MANIFEST = "manifest.json"
PROGRESS = ".progress.json"
ASSISTANTS = "assistants.jsonl"
VECTOR_STORES = "vector_stores.jsonl"
FILE_BYTES = "files"
THREADS = "threads"
DEFINITIONS = "definitions"
CHUNK = 1 << 16


def line(kind: str, obj: Any) -> bytes:
    """One line of a ``.jsonl`` file: the same shape the engine's import route takes."""
    return dump_line({"kind": kind, "object": obj})


def dump_line(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False).encode() + b"\n"


def dump(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False).encode() + b"\n"


def write_lines(path: Path, lines: Iterable[bytes]) -> None:
    """Write ``lines`` (consumed lazily, so a thread is held one page at a time) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    downloads.save(lines, path, force=True)


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    downloads.save([dump(value)], path, force=True)


def read_lines(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """The ``(kind, object)`` of every line, read one at a time."""
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, 1):
            if not text.strip():
                continue
            try:
                item = json.loads(text)
                yield str(item["kind"]), dict(item["object"])
            except (ValueError, KeyError, TypeError):
                raise UsageError(
                    f"{path}:{number}: not a bundle line", "export the bundle again"
                ) from None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def contents(root: Path) -> list[Path]:
    """Every file of the bundle but the manifest and the progress file, in a stable order."""
    skipped = {root / MANIFEST, root / PROGRESS}
    found = [p for p in root.rglob("*") if p.is_file() and p not in skipped]
    return sorted(p for p in found if not p.name.startswith("."))


OWN = (MANIFEST, ASSISTANTS, VECTOR_STORES, FILE_BYTES, THREADS, DEFINITIONS)


def clear(root: Path) -> None:
    """Remove what an earlier export wrote (``--force``); anything else in ``root`` stays."""
    for name in OWN:
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def load_progress(root: Path) -> dict[str, Any]:
    path = root / PROGRESS
    if not path.exists():
        return {}
    try:
        found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return found


def save_progress(root: Path, progress: dict[str, Any]) -> None:
    write_json(root / PROGRESS, progress)


def manifest(root: Path, source: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    files = {p.relative_to(root).as_posix(): sha256(p) for p in contents(root)}
    return {"format": FORMAT, "source": source, "counts": counts, "sha256": files}


def open_bundle(directory: str) -> Path:
    """A bundle to read: a directory holding a manifest."""
    root = Path(directory).expanduser()
    hint = "pass the directory 'asst export --threads --dir DIR' wrote"
    try:
        text = (root / MANIFEST).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise UsageError(f"{directory}: not a bundle (no {MANIFEST})", hint) from None
    except OSError as error:  # a name too long, a folder it may not read...
        raise UsageError(f"{directory}: cannot read {MANIFEST}: {error.strerror}", hint) from None
    try:
        found = json.loads(text)
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise UsageError(f"{directory}: {MANIFEST} is not a bundle's manifest (not JSON)", hint)
    if found.get("format") != FORMAT:
        raise UsageError(
            f"{directory}: format {found.get('format')!r} is not {FORMAT}",
            "export it again with this asst",
        )
    return root
