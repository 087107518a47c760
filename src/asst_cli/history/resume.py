"""A thread's file written so that an interrupted export continues inside it.

Lines go to a hidden ``.<name>.part`` beside the file; after each page of messages the part is
synced and the point reached (its length, the last message, what was counted so far) is handed
to ``save``, which records it in the progress file. Run again, the part is cut back to that
length and the walk goes on after that message; runs and steps, which follow the messages, are
fetched again whole. The part becomes the file (a rename) only once the thread is complete.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import walk

Save = Callable[[dict[str, Any] | None], None]


def write_thread(
    target: Path,
    thread: dict[str, Any],
    counts: Counter[str],
    refs: set[str],
    reached: tuple[dict[str, Any] | None, Save],
) -> None:
    """Write ``thread``'s lines into ``target``, from ``reached[0]`` (a point an earlier run
    saved) if given; ``reached[1]`` saves each new point, and None once the file is complete."""
    saved, save = reached
    part = target.with_name(f".{target.name}.part")
    target.parent.mkdir(parents=True, exist_ok=True)
    after = None
    if saved is not None and part.exists():
        counts.update(saved["counts"])
        refs.update(saved["files"])
        after = str(saved["after"])
    with part.open("r+b" if after is not None else "wb") as handle:
        if saved is not None and after is not None:
            handle.truncate(int(saved["offset"]))
            handle.seek(int(saved["offset"]))
        for item in walk.thread_lines(thread, counts, refs, after):
            if isinstance(item, walk.PageEnd):
                _sync(handle)
                point = {"offset": handle.tell(), "after": item.after, "counts": dict(counts)}
                save({**point, "files": sorted(refs)})
            else:
                handle.write(item)
        _sync(handle)
    part.replace(target)
    save(None)


def _sync(handle: Any) -> None:
    handle.flush()
    os.fsync(handle.fileno())
