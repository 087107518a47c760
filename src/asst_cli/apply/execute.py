"""Carrying out a plan: the writes of ``asst apply``, one object at a time, in plan order.

Stores come first (assistants use their ids), then assistants, then deletions. Each object's
writes are ordered so that stopping anywhere leaves a state the next apply converges from:
uploads, then the object itself (or its files: attach, detach), then its content record, and
last the deletion of uploads it no longer uses. The first failure stops the apply; what was
done is reported, and the error names what was not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import api, checks, errors, paths
from ..errors import AsstError
from ..transfer import orphans, uploads
from . import filerecord, identity
from .filerecord import Sync
from .load import Declared
from .plan import Plan, Step, object_path

PAST = {
    "create": "created",
    "update": "updated",
    "adopt": "adopted",
    "unchanged": "unchanged",
    "delete": "deleted",
}
# What a field left out of a definition is reset to when the object is updated.
DEFAULTS: dict[str, Any] = {
    "description": "",
    "instructions": "",
    "tools": [],
    "temperature": 1.0,
    "top_p": 1.0,
    "response_format": "auto",
    "expires_after": None,
    "name": "",
}


@dataclass
class Done:
    kind: str
    name: str
    action: str
    id: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "action": self.action, "id": self.id}


def _upload(sync: Sync, concurrency: int) -> dict[str, str]:
    """Upload the files whose content the server lacks: their ids, by label."""
    results = uploads.upload_many([u.path for u in sync.uploads], "assistants", concurrency)
    try:
        uploads.report_failures(results)
    except AsstError as failure:
        # Its hint is files upload's (reuse the ids, --skip-existing); apply's own comes with
        # the part-way report: run the same apply again, which uploads only what is missing.
        raise AsstError(failure.message, None, failure.code, failure.status) from None
    return {
        local.label: str(result.file["id"])
        for local, result in zip(sync.uploads, results, strict=True)
        if result.file is not None
    }


def _metadata(item: Declared, record: dict[str, str]) -> dict[str, str]:
    user = dict(item.body.get("metadata") or {})
    free = checks.METADATA_MAX_KEYS - len(user) - 1
    keys = filerecord.record_fits(record, free, item.label)
    return {**user, identity.IDENTITY_KEY: item.name, **keys}


def _record_changed(step: Step, record: dict[str, str]) -> bool:
    return record != filerecord.read((step.live or {}).get("metadata"))


def _forget_files(file_ids: list[str]) -> None:
    """Delete uploads apply made and no longer uses; one already gone is fine."""
    for file_id in file_ids:
        orphans.delete_upload(file_id)


def _store(step: Step, item: Declared, concurrency: int) -> str:
    sync = step.files or Sync([], {})
    uploaded = _upload(sync, concurrency)
    record = sync.new_record(uploaded)
    ids = sync.wanted_ids(uploaded)
    chunking = {"chunking_strategy": item.chunking} if item.chunking else {}
    if step.live is None:
        body = {**item.body, "metadata": _metadata(item, record)}
        if ids:
            body.update(file_ids=ids, **chunking)
        return str(api.post(paths.VECTOR_STORES, body)["id"])
    path = object_path("vector_store", str(step.id))
    added = [i for i in ids if i not in sync.attached]
    if added:
        api.post(paths.file_batches(path), {"file_ids": added, **chunking})
    for file_id in sync.attached:
        if file_id not in ids:
            api.delete(paths.store_file(str(step.id), file_id))
    changes = step.changes()
    body = {
        key: item.body.get(key, DEFAULTS.get(key))
        for key in ("name", "expires_after")
        if key in changes
    }
    if "metadata" in changes or _record_changed(step, record):
        body["metadata"] = _metadata(item, record)
    if body:
        api.post(path, body)
    _forget_files(sync.replaced(uploaded))
    return str(step.id)


def _assistant(step: Step, item: Declared, store_ids: dict[str, str], concurrency: int) -> str:
    sync = step.files or Sync([], {})
    uploaded = _upload(sync, concurrency)
    record = sync.new_record(uploaded)
    resources = {
        "code_interpreter": {"file_ids": sync.wanted_ids(uploaded)},
        "file_search": {
            "vector_store_ids": [*(store_ids[n] for n in item.store_names), *item.store_ids]
        },
    }
    if step.live is None:
        body = {**item.body, "metadata": _metadata(item, record)}
        used = {key: value for key, value in resources.items() if any(value.values())}
        if used:
            body["tool_resources"] = used
        return str(api.post(paths.ASSISTANTS, body)["id"])
    body = {}
    for key in step.changes():
        if key == "tool_resources":
            body[key] = resources
        elif key != "kind":
            body[key] = item.body.get(key, DEFAULTS.get(key))
    if "metadata" in body or _record_changed(step, record):
        body["metadata"] = _metadata(item, record)
    api.post(object_path("assistant", str(step.id)), body)
    _forget_files(sync.replaced(uploaded))
    return str(step.id)


def _delete(step: Step) -> str:
    api.delete(object_path(step.kind, str(step.id)))
    _forget_files(list(filerecord.read((step.live or {}).get("metadata"))))
    return str(step.id)


def _run(step: Step, plan: Plan, concurrency: int) -> str | None:
    if step.action == "unchanged":
        return step.id
    if step.action == "delete":
        return _delete(step)
    item = step.declared
    assert item is not None  # every step but a deletion comes from a definition
    if step.kind == "vector_store":
        plan.store_ids[step.name] = _store(step, item, concurrency)
        return plan.store_ids[step.name]
    return _assistant(step, item, plan.store_ids, concurrency)


def _part_way(failure: AsstError, pending: list[Step]) -> AsstError:
    """The failure, naming its object and every change not made."""
    labels = ", ".join(step.label for step in pending if step.action != "unchanged")
    hint = "; ".join(
        part
        for part in (failure.hint, f"not applied: {labels}", "run the same apply again to finish")
        if part
    )
    return AsstError(f"{pending[0].label}: {failure.message}", hint, failure.code, failure.status)


def execute(plan: Plan, concurrency: int, on_done: Callable[[Done], None]) -> None:
    """Apply every step in order; stop at the first failure, naming what was not applied.
    Uploads of a step that failed stay noted; the next successful apply deletes them."""
    with orphans.tracking() as made:
        for index, step in enumerate(plan.steps):
            try:
                object_id = _run(step, plan, concurrency)
            except Exception as exc:
                failure = errors.translate(exc)
                if failure is None:
                    raise
                raise _part_way(failure, plan.steps[index:]) from exc
            # The step's uploads are in use now; those of a step that fails stay noted.
            orphans.attached(made)
            made.clear()
            on_done(Done(step.kind, step.name, PAST[step.action], object_id))
    orphans.sweep()


def dry_run(plan: Plan, on_done: Callable[[Done], None]) -> None:
    for step in plan.steps:
        on_done(Done(step.kind, step.name, PAST[step.action], step.id))
