"""Small helpers every resource module shares: new objects' heads, lookups that 404, paging,
the deleted envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from asst_engine.errors import not_found
from asst_engine.json_types import JSON
from asst_engine.store import pagination
from asst_engine.store.base import Collection

if TYPE_CHECKING:
    from asst_engine.engine import Engine


def lookup(collection: Collection, object_id: str, kind: str, parent: str | None = None) -> JSON:
    """The stored object, or the API's ``No <kind> found with id '<id>'.`` 404."""
    found = collection.get(object_id, parent)
    if found is None:
        raise not_found(kind, object_id)
    return found


def page_of(collection: Collection, query: Mapping[str, str], parent: str | None = None) -> JSON:
    """One page of the collection (of ``parent``) as the protocol's list body."""
    return pagination.envelope(collection.page(pagination.parse(query), parent))


def deleted(object_id: str, object_name: str) -> JSON:
    return {"id": object_id, "object": object_name, "deleted": True}


def merge(target: JSON, changes: JSON) -> JSON:
    """Apply an update as the API does: given fields replace wholesale, absent ones stay."""
    target.update(changes)
    return target


def new_object(engine: Engine, prefix: str, kind: str, created: int | None = None) -> JSON:
    """The head every stored object starts with: a fresh id, its kind, when it was made.

    ``created``: a time the caller has already read (and uses again, e.g. for an expiry).
    """
    object_id = engine.new_id(prefix)
    return {
        "id": object_id,
        "object": kind,
        "created_at": engine.now() if created is None else created,
    }
