"""Definitions and live objects in one comparable shape: the definition a live object would have.

``asst apply`` calls an object unchanged when its view equals its definition's view, ``asst diff``
prints the two views, and ``asst export`` writes a live object's view. A view leaves out what
the server adds on its own, so that every dialect's answers compare equal to what was sent:

- fields at their defaults: no description or instructions (null or ""), no tools, temperature
  and top_p 1, response_format ``auto``, an empty metadata or tool_resources;
- in function tools: an empty ``description``, ``parameters`` that accept no argument (``{}``
  or an object schema without properties; Azure fills in both), ``strict: false``;
- in file_search tools: the default ranker (``auto``, ``default_2024_08_21``), a score threshold
  of 0, and settings the definition leaves to the server (e.g. ``max_num_results``);
- the content record of uploaded files (``asst-files*`` metadata); files are named by path
  (a local file whose content the server already has) or id, stores of the set by name.

Numbers are compared as floats rounded to 6 places; file and store lists in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import filerecord

EMPTY_PARAMETERS = {"type": "object", "properties": {}}
DEFAULT_RANKERS = ("auto", "default_2024_08_21")
SHORT_FORMATS = ("text", "json_object")
View = dict[str, Any]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(float(value), 6)


def _file_search(settings: Any) -> dict[str, Any]:
    found = {k: v for k, v in dict(settings or {}).items() if v is not None}
    ranking = dict(found.pop("ranking_options", None) or {})
    if ranking.get("ranker") in DEFAULT_RANKERS:
        del ranking["ranker"]
    if not ranking.get("score_threshold"):
        ranking.pop("score_threshold", None)
    if ranking:
        found["ranking_options"] = ranking
    return found


def tool(value: Any) -> Any:
    """One tool as a definition writes it: a bare type name when nothing else is set."""
    found: dict[str, Any] = {"type": value} if isinstance(value, str) else dict(value)
    kind = found.get("type")
    if kind == "function":
        function = dict(found.get("function") or {})
        if not function.get("description"):
            function.pop("description", None)
        if function.get("parameters") in (
            None,
            {},
            EMPTY_PARAMETERS,
            {**EMPTY_PARAMETERS, "required": []},
        ):
            function.pop("parameters", None)
        if not function.get("strict"):
            function.pop("strict", None)
        return {"type": "function", "function": function}
    if kind == "file_search":
        settings = _file_search(found.get("file_search"))
        return {"type": kind, "file_search": settings} if settings else kind
    if kind == "code_interpreter":
        return kind
    return found


def _response_format(value: Any) -> Any:
    if value in (None, "auto", {"type": "auto"}):
        return None
    if isinstance(value, dict) and set(value) == {"type"} and value["type"] in SHORT_FORMATS:
        return value["type"]
    return value


def metadata(value: Any) -> dict[str, str]:
    """User metadata and the identity, sorted; the content record is bookkeeping, left out."""
    found = dict(value or {})
    return {k: str(found[k]) for k in sorted(found) if not filerecord.is_record_key(k)}


def _resources(files: Sequence[str], stores: Sequence[str], store_ids: Sequence[str]) -> View:
    resources: View = {}
    if files:
        resources["code_interpreter"] = {"files": sorted(files)}
    search: View = {}
    if stores:
        search["vector_stores"] = sorted(stores)
    if store_ids:
        search["vector_store_ids"] = sorted(store_ids)
    if search:
        resources["file_search"] = search
    return resources


def assistant(
    obj: dict[str, Any],
    files: Sequence[str] = (),
    stores: Sequence[str] = (),
    store_ids: Sequence[str] = (),
) -> View:
    """An assistant's view; its files and stores come already named (see the module doc)."""
    view: View = {"kind": "assistant", "name": obj.get("name") or "", "model": obj.get("model")}
    for key in ("description", "instructions"):
        if obj.get(key):
            view[key] = obj[key]
    tools = [tool(item) for item in obj.get("tools") or []]
    if tools:
        view["tools"] = tools
    resources = _resources(files, stores, store_ids)
    if resources:
        view["tool_resources"] = resources
    for key in ("temperature", "top_p"):
        number = _number(obj.get(key))
        if number is not None and number != 1.0:
            view[key] = number
    response_format = _response_format(obj.get("response_format"))
    if response_format is not None:
        view["response_format"] = response_format
    found = metadata(obj.get("metadata"))
    if found:
        view["metadata"] = found
    return view


def vector_store(obj: dict[str, Any], files: Sequence[str] = ()) -> View:
    view: View = {"kind": "vector_store", "name": obj.get("name") or ""}
    if files:
        view["files"] = sorted(files)
    days = (obj.get("expires_after") or {}).get("days")
    if days:
        view["expires_after"] = int(days)
    found = metadata(obj.get("metadata"))
    if found:
        view["metadata"] = found
    return view


def leave_to_server(live: View, wanted: View) -> View:
    """``live`` without the file_search settings that ``wanted`` does not set (server defaults)."""
    wanted_search = next((t for t in wanted.get("tools", []) if _is_search(t)), None)
    if wanted_search is None:
        return live
    keep = set(wanted_search.get("file_search", {})) if isinstance(wanted_search, dict) else set()
    tools = []
    for item in live.get("tools", []):
        kept = item
        if isinstance(item, dict) and _is_search(item):
            settings = {k: v for k, v in item["file_search"].items() if k in keep}
            kept = {"type": "file_search", "file_search": settings} if settings else "file_search"
        tools.append(kept)
    return {**live, "tools": tools} if "tools" in live else live


def _is_search(item: Any) -> bool:
    return item == "file_search" or (isinstance(item, dict) and item.get("type") == "file_search")


def changed_fields(live: View | None, wanted: View | None) -> list[str]:
    """The top-level fields whose views differ."""
    before, after = live or {}, wanted or {}
    return [key for key in dict.fromkeys([*after, *before]) if before.get(key) != after.get(key)]


def _block_strings(dumper: Any, value: str) -> Any:
    """Multi-line strings (instructions) as ``|`` block scalars, readable and diffable."""
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def to_yaml(documents: Sequence[View]) -> str:
    """Views as YAML documents, each starting with ``---``."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(str, _block_strings)
    return yaml.dump_all(
        list(documents),
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        explicit_start=True,
    )
