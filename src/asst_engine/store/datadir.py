"""Where a persistent store keeps its database and files: the data dir.

The order is documented once, here: ``--data-dir`` (given by the caller), else
``ASST_DATA_DIR``, else the platform's user data directory for "asst" (platformdirs). A
directory this creates is private (0700): it holds every object and uploaded file. A directory
the user already has keeps the permissions they chose.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from asst_engine.store.base import StoreError

ENV = "ASST_DATA_DIR"


def resolve_data_dir(
    option: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The data dir to use, created (0700) when missing."""
    env = os.environ if environ is None else environ
    if option:
        path = Path(option)
    elif env.get(ENV):
        path = Path(env[ENV])
    else:
        # Imported here: only a caller without an explicit directory needs it.
        import platformdirs

        path = Path(platformdirs.user_data_dir("asst"))
    path = path.expanduser()
    ensure_private_dir(path)
    return path


def ensure_private_dir(path: Path) -> None:
    if path.is_dir():
        return
    if path.exists():
        raise StoreError(f"data dir {path} is not a directory; pass another --data-dir")
    try:
        path.mkdir(mode=0o700, parents=True)
        # mkdir's mode is masked by the umask; the data is private whatever the umask.
        path.chmod(0o700)
    except OSError as error:
        raise StoreError(
            f"cannot create data dir {path}: {error.strerror};"
            f" pass a writable --data-dir or set {ENV}"
        ) from None
