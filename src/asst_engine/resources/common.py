"""Small helpers every resource module shares: lookups that 404 and the deleted envelope."""

from __future__ import annotations

from asst_engine.errors import not_found
from asst_engine.json_types import JSON


def lookup(collection: dict[str, JSON], object_id: str, kind: str) -> JSON:
    """The stored object, or the API's ``No <kind> found with id '<id>'.`` 404."""
    found = collection.get(object_id)
    if found is None:
        raise not_found(kind, object_id)
    return found


def deleted(object_id: str, object_name: str) -> JSON:
    return {"id": object_id, "object": object_name, "deleted": True}


def merge(target: JSON, changes: JSON) -> JSON:
    """Apply an update as the API does: given fields replace wholesale, absent ones stay."""
    target.update(changes)
    return target
