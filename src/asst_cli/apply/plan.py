"""What ``asst apply`` would do: every definition matched to its live object and compared.

Planning only reads (GET): every assistant and vector store once, and the files of each store
the set defines. Each object gets one action: ``create``, ``update``, ``adopt`` (an object named
by a pinned ``id`` that does not carry the identity yet), ``unchanged``, or with ``--prune``
``delete`` (managed objects of the set's kinds that the set no longer defines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import api, paths
from . import canonical, filerecord, identity
from .canonical import View
from .filerecord import Sync
from .load import Declared, DefinitionSet

PATHS = {"assistant": paths.ASSISTANTS, "vector_store": paths.VECTOR_STORES}
OBJECT_PATHS = {"assistant": paths.assistant, "vector_store": paths.vector_store}
PLURAL = {"assistant": "assistants", "vector_store": "vector stores"}


@dataclass
class Step:
    kind: str
    name: str
    action: str
    live: dict[str, Any] | None = None
    declared: Declared | None = None
    wanted: View | None = None
    current: View | None = None
    files: Sync | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def id(self) -> str | None:
        return str(self.live["id"]) if self.live else None

    def changes(self) -> list[str]:
        return canonical.changed_fields(self.current, self.wanted)


@dataclass
class Plan:
    steps: list[Step]
    # Stores of the set that exist, by name: assistants refer to them by these ids.
    store_ids: dict[str, str] = field(default_factory=dict)


def object_path(kind: str, object_id: str) -> str:
    return OBJECT_PATHS[kind](object_id)


def _wanted_object(item: Declared) -> dict[str, Any]:
    metadata = {**item.body.get("metadata", {}), identity.IDENTITY_KEY: item.name}
    return {**item.body, "metadata": metadata}


def _match(
    item: Declared, live: list[dict[str, Any]], settle: bool
) -> tuple[dict[str, Any] | None, bool]:
    """The live object for ``item`` and whether it is adopted (pinned, not yet managed);
    ``settle``: delete the newer of twins (see identity.settle) rather than stop at them."""
    path = PATHS[item.kind]
    carriers = [obj for obj in live if identity.identity(obj) == item.name]
    if settle:
        carriers = identity.settle(path, carriers, item.name)
    found = identity.one(carriers, item.name, path)
    pinned = item.pinned_id
    if pinned is None:
        return found, False
    if found is not None:
        if found.get("id") != pinned:
            carrier = f"{found.get('id')} carries {identity.IDENTITY_KEY}={item.name}"
            message = f"pins {pinned}, but {carrier}"
            raise item.doc.error(("id",), message, "remove 'id:' or correct it")
        return found, False
    by_id = next((obj for obj in live if obj.get("id") == pinned), None)
    if by_id is None:
        raise item.doc.error(
            ("id",), f"no {item.kind} {pinned} exists", "remove 'id:' to create it"
        )
    other = identity.identity(by_id)
    if other is not None:
        message = f"{pinned} is managed as {item.kind}/{other}"
        raise item.doc.error(("id",), message, f"rename this definition to '{other}'")
    return by_id, True


def store_files(store_id: str) -> list[str]:
    return [
        str(f["id"]) for f in api.iterate(paths.files_of(object_path("vector_store", store_id)))
    ]


def _action(live: dict[str, Any] | None, adopted: bool, current: View | None, wanted: View) -> str:
    if live is None:
        return "create"
    if adopted:
        return "adopt"
    return "unchanged" if current == wanted else "update"


def _store(item: Declared, sets: DefinitionSet, live: dict[str, Any] | None, adopted: bool) -> Step:
    attached = store_files(str(live["id"])) if live else []
    record = filerecord.read(live.get("metadata") if live else None)
    sync = filerecord.plan(item.files, sets.hashes, item.doc.base_dir, attached, record)
    wanted = canonical.vector_store(_wanted_object(item), sync.wanted_labels())
    current = canonical.vector_store(live, sync.live_labels()) if live else None
    action = _action(live, adopted, current, wanted)
    return Step(item.kind, item.name, action, live, item, wanted, current, sync)


def _store_refs(ids: list[str], names: dict[str, str]) -> tuple[list[str], list[str]]:
    """Store ids as names (stores of the set) and ids (any other)."""
    return [names[i] for i in ids if i in names], [i for i in ids if i not in names]


def _resources(obj: dict[str, Any], section: str, key: str) -> list[str]:
    found = ((obj.get("tool_resources") or {}).get(section) or {}).get(key) or []
    return [str(item) for item in found]


def _assistant(
    item: Declared, sets: DefinitionSet, live: dict[str, Any] | None, adopted: bool, plan: Plan
) -> Step:
    attached = _resources(live, "code_interpreter", "file_ids") if live else []
    record = filerecord.read(live.get("metadata") if live else None)
    sync = filerecord.plan(item.files, sets.hashes, item.doc.base_dir, attached, record)
    names = {store_id: name for name, store_id in plan.store_ids.items()}
    by_name, by_id = _store_refs(item.store_ids, names)
    wanted_obj = _wanted_object(item)
    wanted = canonical.assistant(
        wanted_obj, sync.wanted_labels(), [*item.store_names, *by_name], by_id
    )
    current = None
    if live:
        stores = _store_refs(_resources(live, "file_search", "vector_store_ids"), names)
        current = canonical.assistant(live, sync.live_labels(), *stores)
        current = canonical.leave_to_server(current, wanted)
    action = _action(live, adopted, current, wanted)
    return Step(item.kind, item.name, action, live, item, wanted, current, sync)


def _pruned(kind: str, obj: dict[str, Any]) -> Step:
    if kind == "vector_store":
        current = canonical.vector_store(obj, store_files(str(obj["id"])))
    else:
        files = _resources(obj, "code_interpreter", "file_ids")
        current = canonical.assistant(
            obj, files, (), _resources(obj, "file_search", "vector_store_ids")
        )
    return Step(kind, str(identity.identity(obj)), "delete", obj, current=current)


def make(sets: DefinitionSet, prune: bool, settle: bool = True) -> Plan:
    """The plan for ``sets``; only GET requests are sent, and the DELETEs of twins asst left
    behind when ``settle`` (not for a dry run)."""
    plan = Plan([])
    live = {kind: list(api.iterate(PATHS[kind])) for kind in sets.kinds()}
    for item in sets.of_kind("vector_store"):
        step = _store(item, sets, *_match(item, live["vector_store"], settle))
        plan.steps.append(step)
        if step.id:
            plan.store_ids[item.name] = step.id
    for item in sets.of_kind("assistant"):
        plan.steps.append(_assistant(item, sets, *_match(item, live["assistant"], settle), plan))
    if prune:
        for kind in sorted(live):  # assistants first: they may use the stores
            names = {item.name for item in sets.of_kind(kind)}
            plan.steps.extend(
                _pruned(kind, obj)
                for obj in live[kind]
                if identity.identity(obj) not in (None, *names)
            )
    return plan
