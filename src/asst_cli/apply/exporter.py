"""``asst export``: live objects as the definitions ``asst apply`` reads.

A managed object is named by its identity (``asst-name``). One asst does not manage yet is named
by its display name (or its id, when it has none; a suffix ``-2``, ``-3`` keeps names unique)
and keeps its ``id``, so that applying the export adopts it instead of creating a copy; where
the name chosen is not the object's own (a twin's ``-2``, or its id), ``display_name`` keeps that,
so applying never renames what it adopts.
Assistants name the stores of the same export by name, any other by id. Files are ids: the
local files they came from are unknown. Applying an export to the backend it came from changes
nothing (adopting aside).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import api
from ..errors import UsageError
from ..transfer import downloads
from . import canonical, identity, plan
from .canonical import View
from .plan import PATHS

KINDS = {"assistants": "assistant", "vector-stores": "vector_store"}


@dataclass
class Exported:
    kind: str
    obj: dict[str, Any]
    name: str = ""


def _fetch(kind: str, ids: list[str]) -> list[dict[str, Any]]:
    if ids:
        return [api.get(plan.object_path(kind, object_id)) for object_id in ids]
    return list(api.iterate(PATHS[kind], {"order": "asc"}))


def _name(found: Exported, taken: set[str]) -> str:
    managed = identity.identity(found.obj)
    if managed is not None:
        return managed
    base = str(found.obj.get("name") or found.obj["id"])
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    return name


def _named(items: list[Exported]) -> None:
    """Managed objects keep their identities; the others get unique names beside them."""
    for kind in KINDS.values():
        of_kind = [item for item in items if item.kind == kind]
        taken = {n for n in (identity.identity(i.obj) for i in of_kind) if n is not None}
        for item in of_kind:
            item.name = _name(item, taken)
            taken.add(item.name)


def _definition(item: Exported, view: View) -> View:
    document: View = {"kind": item.kind, "name": item.name}
    if identity.identity(item.obj) is None:
        document["id"] = item.obj["id"]
    shown = item.obj.get("name") or None
    if shown != item.name:
        # The identity is not the name the object shows: applying keeps that name (an object
        # asst adopts is never renamed by it).
        document["display_name"] = shown
    rest = {k: v for k, v in view.items() if k not in ("kind", "name")}
    metadata = {k: v for k, v in rest.pop("metadata", {}).items() if k != identity.IDENTITY_KEY}
    return {**document, **rest, **({"metadata": metadata} if metadata else {})}


def _view(item: Exported, store_names: dict[str, str]) -> View:
    obj = item.obj
    if item.kind == "vector_store":
        return canonical.vector_store(obj, plan.store_files(str(obj["id"])))
    resources = obj.get("tool_resources") or {}
    files = (resources.get("code_interpreter") or {}).get("file_ids") or []
    store_ids = (resources.get("file_search") or {}).get("vector_store_ids") or []
    names = [store_names[i] for i in store_ids if i in store_names]
    others = [i for i in store_ids if i not in store_names]
    return canonical.assistant(obj, files, names, others)


def definitions(what: str | None, ids: list[str]) -> list[View]:
    """Definitions of the objects asked for: one kind (``ids`` of it, or all) or everything."""
    kinds = [KINDS[what]] if what else ["vector_store", "assistant"]
    items = [Exported(kind, obj) for kind in kinds for obj in _fetch(kind, ids)]
    _named(items)
    store_names = {str(i.obj["id"]): i.name for i in items if i.kind == "vector_store"}
    return [_definition(item, _view(item, store_names)) for item in items]


def file_name(document: View, taken: set[str]) -> str:
    """A file name for one definition: ``<kind>-<name>.yaml``, safe and unique."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", str(document["name"])).strip("-.") or "unnamed"
    base = f"{str(document['kind']).replace('_', '-')}-{slug[:100]}"
    name, number = f"{base}.yaml", 1
    while name in taken:
        number += 1
        name = f"{base}-{number}.yaml"
    taken.add(name)
    return name


def target(output_file: str | None, directory: str | None, force: bool) -> downloads.Target:
    """Where the export goes (stdout unless -O or --dir), checked before any request;
    ``--dir`` is created when missing."""
    if directory is not None and output_file is None and directory.strip():
        try:
            Path(directory).expanduser().mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--dir {directory}: cannot create: {exc.strerror}") from None
    if output_file is None and directory is None:
        return downloads.Target(stdout=True)
    return downloads.target(output_file, directory, force)


def write(documents: list[View], target: downloads.Target, force: bool) -> list[Path]:
    """Write the definitions where ``target`` says: one file, or one file each in a directory.

    Every target is checked before the first is written, so a refusal writes nothing.
    """
    if target.path is not None:
        files = {target.path: documents}
    else:
        taken: set[str] = set()
        folder = target.directory or Path()
        files = {folder / file_name(doc, taken): [doc] for doc in documents}
    for path in files:
        downloads.check_free(path, force)
    for path, docs in files.items():
        downloads.save([canonical.to_yaml(docs).encode()], path, force)
    return list(files)
