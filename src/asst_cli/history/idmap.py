"""The replay's id map: one JSON line per bundle object, old id -> new id (or why none).

Written beside the bundle (``<bundle>.idmap.jsonl``) one line at a time as each object is made,
so an interrupted import run again skips what the map shows as done. An object the protocol
cannot recreate (a run, a step) is kept with ``"new": null`` and its reason; fields a recreated
object lost (its timestamps, a message's run) are listed under ``"lost"``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def beside(root: Path) -> Path:
    return root.parent / f"{root.name}.idmap.jsonl"


@dataclass
class IdMap:
    path: Path
    known: dict[tuple[str, str], str | None] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> IdMap:
        found = cls(path)
        if not path.exists():
            return found
        with path.open(encoding="utf-8") as handle:
            for text in handle:
                try:
                    item = json.loads(text)
                    found.known[(str(item["kind"]), str(item["old"]))] = item["new"]
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by an interruption: that object is redone
        return found

    def done(self, kind: str, old: str) -> bool:
        return (kind, old) in self.known

    def new(self, kind: str, old: str) -> str | None:
        return self.known.get((kind, old))

    def record(self, kind: str, old: str, new: str | None, **more: Any) -> None:
        self.known[(kind, old)] = new
        line = json.dumps({"kind": kind, "old": old, "new": new, **more}, sort_keys=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)

    def files(self) -> dict[str, str]:
        return {old: new for (kind, old), new in self.known.items() if kind == "file" and new}

    def stores(self) -> dict[str, str]:
        pairs = self.known.items()
        return {old: new for (kind, old), new in pairs if kind == "vector_store" and new}
