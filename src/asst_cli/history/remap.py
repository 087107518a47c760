"""Request bodies for the replay: a bundle object as a create request, its ids mapped."""

from __future__ import annotations

from typing import Any

ASSISTANT_FIELDS = (
    "model", "name", "description", "instructions", "tools", "metadata", "temperature", "top_p",
    "response_format",
)  # fmt: skip
STORE_FIELDS = ("name", "metadata", "expires_after")
# What no create request can carry: the server makes these.
SERVER_MADE = ("id", "created_at")
MESSAGE_LOST = ("created_at", "assistant_id", "run_id", "status", "completed_at", "incomplete_at")


def resources(value: Any, files: dict[str, str], stores: dict[str, str]) -> dict[str, Any]:
    """``tool_resources`` with new ids; ids the replay did not make are left out."""
    out: dict[str, Any] = {}
    for tool, entry in (value or {}).items():
        if not isinstance(entry, dict):
            continue
        mapped = dict(entry)
        if "file_ids" in entry:
            mapped["file_ids"] = [files[i] for i in entry["file_ids"] if i in files]
        if "vector_store_ids" in entry:
            mapped["vector_store_ids"] = [
                stores[i] for i in entry["vector_store_ids"] if i in stores
            ]
        out[tool] = mapped
    return out


def picked(obj: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: obj[k] for k in names if obj.get(k) is not None}


def _part(part: dict[str, Any], files: dict[str, str], lost: list[str]) -> dict[str, Any] | None:
    kind = part.get("type")
    if kind == "text":
        text = part.get("text") or {}
        if text.get("annotations"):
            lost.append("annotations")
        return {"type": "text", "text": text.get("value", "")}
    if kind == "image_file":
        old = (part.get("image_file") or {}).get("file_id")
        if old in files:
            return {
                "type": "image_file",
                "image_file": {**part["image_file"], "file_id": files[old]},
            }
        lost.append(f"image_file {old}")
        return None
    if kind == "image_url":
        return {"type": "image_url", "image_url": part.get("image_url")}
    lost.append(f"content part {kind}")
    return None


def message(obj: dict[str, Any], files: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The create body of a message, and what of it the new message cannot keep."""
    lost = [name for name in MESSAGE_LOST if obj.get(name) is not None]
    parts = [_part(p, files, lost) for p in obj.get("content") or []]
    content = [p for p in parts if p is not None] or [{"type": "text", "text": ""}]
    body: dict[str, Any] = {"role": obj.get("role", "user"), "content": content}
    attachments = []
    for attachment in obj.get("attachments") or []:
        if attachment.get("file_id") in files:
            attachments.append({**attachment, "file_id": files[attachment["file_id"]]})
        else:
            lost.append(f"attachment {attachment.get('file_id')}")
    if attachments:
        body["attachments"] = attachments
    if obj.get("metadata"):
        body["metadata"] = obj["metadata"]
    return body, sorted(set(lost))
