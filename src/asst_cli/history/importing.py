"""``asst import``: lossless into an asst engine, else a replay with an id map."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from . import bundle, lossless, replay
from .idmap import IdMap, beside


def run(directory: str, force_replay: bool, map_file: str | None) -> tuple[str, Counter[str]]:
    """Import the bundle; returns how (``lossless`` or the id map's path) and the counts."""
    root = bundle.open_bundle(directory)
    if not force_replay and lossless.available():
        return "lossless", lossless.run(root)
    path = Path(map_file).expanduser() if map_file else beside(root)
    return str(path), replay.run(root, IdMap.load(path))


def summary(how: str, totals: Counter[str]) -> str:
    counted = ", ".join(f"{totals[key]} {key}" for key in sorted(totals)) or "nothing new"
    if how == "lossless":
        return f"Imported as it was: {counted}."
    return f"Replayed: {counted}; id map: {how}."
