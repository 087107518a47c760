"""A bundle's threads as OpenAI Conversations: lossy, and every loss written down.

For each thread ``<id>.json`` holds the body that creates the conversation (its metadata and the
first 20 items) and the bodies that add the rest, 20 items each (the API's limit per call);
``<id>.unmapped.jsonl`` lists, one line each, every field that has no place in an item: the
thread's and messages' ids and times, runs, steps, annotations, attachments, message metadata.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import bundle

ITEMS_PER_CALL = 20
THREAD_KEPT = ("metadata", "object")
MESSAGE_KEPT = ("role", "content", "object", "thread_id")


def _unmapped(source: str, obj: dict[str, Any], kept: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    for name in sorted(obj):
        if name not in kept and obj[name] not in (None, [], {}):
            yield {"source": source, "field": name, "value": obj[name]}


def _part(role: str, part: dict[str, Any]) -> dict[str, Any] | None:
    kind = part.get("type")
    if kind == "text":
        text = str((part.get("text") or {}).get("value", ""))
        if role == "assistant":
            return {"type": "output_text", "text": text, "annotations": []}
        return {"type": "input_text", "text": text}
    if role != "user":
        return None
    if kind == "image_file":
        image = part.get("image_file") or {}
        return {
            "type": "input_image",
            "file_id": image.get("file_id"),
            "detail": image.get("detail") or "auto",
        }
    if kind == "image_url":
        image = part.get("image_url") or {}
        return {
            "type": "input_image",
            "image_url": image.get("url"),
            "detail": image.get("detail") or "auto",
        }
    return None


def message_item(obj: dict[str, Any], lost: list[dict[str, Any]]) -> dict[str, Any]:
    """One message as a Conversations ``message`` item; what does not fit goes to ``lost``."""
    source = f"message {obj['id']}"
    lost.extend(_unmapped(source, obj, MESSAGE_KEPT))
    role = str(obj.get("role", "user"))
    content = []
    for number, part in enumerate(obj.get("content") or []):
        mapped = _part(role, part)
        where = f"content[{number}]"
        if mapped is None:
            lost.append({"source": source, "field": where, "value": part})
            continue
        annotations = (
            (part.get("text") or {}).get("annotations") if part.get("type") == "text" else None
        )
        if annotations:
            lost.append(
                {"source": source, "field": f"{where}.text.annotations", "value": annotations}
            )
        content.append(mapped)
    return {"type": "message", "role": role, "content": content}


def convert_thread(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The create and add-items bodies of one thread file, and its unmapped fields."""
    lost: list[dict[str, Any]] = []
    metadata: dict[str, Any] = {}
    items: list[dict[str, Any]] = []
    for kind, obj in bundle.read_lines(path):
        if kind == "thread":
            metadata = dict(obj.get("metadata") or {})
            lost.extend(_unmapped(f"thread {obj['id']}", obj, THREAD_KEPT))
        elif kind == "message":
            items.append(message_item(obj, lost))
        else:
            lost.append({"source": f"{kind} {obj['id']}", "field": "*", "value": None})
    batches = [items[i : i + ITEMS_PER_CALL] for i in range(0, len(items), ITEMS_PER_CALL)]
    first = batches[0] if batches else []
    create = {"metadata": metadata, "items": first}
    return {"create": create, "add_items": [{"items": b} for b in batches[1:]]}, lost


def convert(root: Path, out: Path) -> tuple[int, int]:
    """Write every thread of the bundle into ``out``; returns (threads, unmapped fields)."""
    threads = sorted((root / bundle.THREADS).glob("*.jsonl"))
    out.mkdir(parents=True, exist_ok=True)
    unmapped = 0
    for path in threads:
        bodies, lost = convert_thread(path)
        bundle.write_json(out / f"{path.stem}.json", bodies)
        bundle.write_lines(out / f"{path.stem}.unmapped.jsonl", (bundle.dump_line(x) for x in lost))
        unmapped += len(lost)
    return len(threads), unmapped
