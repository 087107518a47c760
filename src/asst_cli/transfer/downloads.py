"""Downloads that never lose data: streamed to a temporary file beside the target, then renamed.

One chunk is held in memory at a time. Until the last byte is written and synced the data lives
under a hidden temporary name in the target directory; only then is it renamed into place (an
atomic step on one file system), so an interrupted download (an error, Ctrl-C) leaves no partial
file and never damages an existing one. A name chosen by the server is reduced to a plain base
name, so it cannot leave the target directory. Existing files, and symlinks, are replaced only
with ``--force``, and a symlink is then replaced itself, never written through.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import errors
from ..errors import AsstError, ExitCode, UsageError

# C0 and C1 controls, and the bidirectional overrides that make a name read differently.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MAX_NAME_BYTES = 255
FALLBACK_NAME = "download"


def safe_name(name: str | None, fallback: str) -> str:
    """A base name from the server's ``filename`` that cannot leave the target directory.

    Directories (``/`` or ``\\``) are dropped, unprintable characters become ``_``, and an empty
    result, ``.`` or ``..`` falls back to ``fallback`` (the file id), itself made safe the same way.
    """
    for candidate in (name or "", fallback):
        base = re.split(r"[/\\]", candidate)[-1]
        base = _UNPRINTABLE.sub("_", base).strip()
        if base not in ("", ".", ".."):
            return _shorten(base)
    return FALLBACK_NAME


def _shorten(name: str) -> str:
    """At most 255 bytes (the usual file-system limit), keeping a short extension."""
    if len(name.encode()) <= MAX_NAME_BYTES:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > 16:
        stem, suffix = name, ""
    tail = f".{suffix}" if suffix else ""
    budget = MAX_NAME_BYTES - len(tail.encode())
    return stem.encode()[:budget].decode(errors="ignore") + tail


@dataclass(frozen=True)
class Target:
    """Where a download goes: stdout, a named file, or a directory (the server names the file)."""

    stdout: bool = False
    path: Path | None = None
    directory: Path | None = None


def target(output_file: str | None, directory: str | None, force: bool) -> Target:
    """Check ``-O`` / ``--dir`` before any request; a file already there needs ``--force``."""
    if output_file is not None and directory is not None:
        raise UsageError("-O and --dir both given", "use one of them")
    if output_file == "-":
        return Target(stdout=True)
    if output_file is not None:
        if not output_file.strip():
            raise UsageError("-O: the file name is empty", "pass a file name, or '-' for stdout")
        path = Path(output_file).expanduser()
        writable_directory(path.parent, f"-O {output_file}")
        check_free(path, force)
        return Target(path=path)
    folder = Path(directory).expanduser() if directory is not None else Path()
    usable_directory(folder, f"--dir {directory}" if directory is not None else "the directory")
    return Target(directory=folder)


def usable_directory(folder: Path, label: str) -> None:
    """A directory to save into: one that is there and writable, or one that can be made (it is
    made when the first file is saved). ``files download --dir`` and ``--download-dir`` agree."""
    existing = folder
    while not os.path.lexists(existing) and existing != existing.parent:
        if len(existing.name.encode()) > MAX_NAME_BYTES:
            raise UsageError(f"{label}: the name {existing.name[:20]}... is too long")
        existing = existing.parent
    writable_directory(existing, label)


def writable_directory(folder: Path, label: str) -> None:
    try:
        is_dir = folder.is_dir()
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte, no search permission
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"{label}: {folder} cannot be used: {reason}", "check the path") from None
    if not is_dir:
        raise UsageError(f"{label}: {folder} is not a directory", "create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{label}: {folder} is not writable", "check its permissions")


def check_free(path: Path, force: bool) -> None:
    """Refuse an existing target (a symlink counts, wherever it points) unless ``force``."""
    if not os.path.lexists(path):
        return
    if path.is_dir() and not path.is_symlink():
        raise UsageError(
            f"{path}: is a directory", "name a file with -O, or save into it with --dir"
        )
    if not force:
        raise UsageError(
            f"{path}: already exists", "pass --force to replace it, or choose a name with -O"
        )


def _temporary(path: Path) -> tuple[int, Path]:
    """A new hidden file beside ``path``; O_EXCL never opens (or follows) anything existing."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = path.with_name(f".{path.name[:200]}.{secrets.token_hex(4)}.part")
        try:
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:
            continue


def save(chunks: Iterable[bytes], path: Path, force: bool) -> int:
    """Write ``chunks`` to ``path`` atomically; returns the number of bytes written."""
    try:
        fd, temp = _temporary(path)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                size += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        _place(temp, path, force)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from None
        if isinstance(exc, KeyboardInterrupt):  # Ctrl-C, or SIGTERM (errors.Terminated)
            word, code = errors.stopped_by(exc)
            raise AsstError(f"{word}; {path} was not written", None, code) from None
        _raise_cut_off(exc)
        raise
    return size


@contextlib.contextmanager
def cut_off_is_temporary() -> Iterator[None]:
    """Around a body streamed elsewhere (``-O -``): a lost connection ends 75, as in ``save``."""
    try:
        yield
    except Exception as exc:
        _raise_cut_off(exc)
        raise


def _place(temp: Path, path: Path, force: bool) -> None:
    """Rename into place; without ``force`` a file that appeared meanwhile is kept, not replaced."""
    if force:
        # rename() replaces the directory entry itself: a symlink is replaced, not followed.
        temp.replace(path)
        return
    try:
        # link() fails if the name exists, so nothing created during the download is lost.
        os.link(temp, path)
    except FileExistsError:
        raise UsageError(
            f"{path}: already exists", "pass --force to replace it, or choose a name with -O"
        ) from None
    except OSError:
        # File systems without hard links: check, then rename (a narrow race, never a partial file).
        check_free(path, force=False)
        temp.replace(path)
        return
    with contextlib.suppress(OSError):
        temp.unlink()  # the data is in place under its name; a leftover link would only be noise


def _raise_cut_off(exc: BaseException) -> None:
    """A connection lost mid-body (the SDK only maps errors before the body): retryable, 75."""
    if not type(exc).__module__.startswith("httpx"):
        return
    import httpx2

    if isinstance(exc, httpx2.TransportError):
        message = f"the download was cut off: {exc}"
        raise AsstError(message, "try again", ExitCode.TEMPORARY) from exc


def _cannot_write(path: Path, exc: OSError) -> AsstError:
    reason = exc.strerror or str(exc)
    return AsstError(f"{path}: cannot write: {reason}", "check free space and permissions")


def fetch(file_id: str, where: Target, force: bool) -> tuple[Path, int]:
    """Save a file's content at ``where.path``, or under its server name (made safe) in
    ``where.directory``; returns the path and the number of bytes written."""
    from .. import api, paths

    path = paths.file(file_id)
    target = where.path
    if target is None:
        name = api.get(path).get("filename")
        folder = where.directory or Path()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / safe_name(name, file_id)
        check_free(target, force)
    with api.stream_get(paths.content(path)) as response:
        return target, save(response.iter_bytes(), target, force)
