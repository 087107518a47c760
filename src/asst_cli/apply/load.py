"""The definitions ``asst apply`` and ``asst diff`` work from, all checked before any request.

``-f`` takes files, directories (their ``*.yaml`` and ``*.yml``, hidden ones skipped; ``-R``
descends) and ``-`` for stdin. Each YAML document is one object with a ``kind`` (``assistant`` or
``vector_store``) and a ``name``, its identity (the ``asst-name`` metadata key on the server).
An assistant names stores of the same set in ``tool_resources.file_search.vector_stores`` and
local files in ``tool_resources.code_interpreter.files``. A definition may pin the ``id`` of an
object asst does not manage yet (``asst export`` writes it): apply then adopts that object.
Errors name ``file:line`` and exit 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import checks
from ..definitions import assistants, vector_stores
from ..definitions.yamlfile import Document, Location, Reader, load_documents
from ..errors import UsageError
from ..transfer.uploads import Ref
from . import filerecord, identity

KINDS = ("assistant", "vector_store")
PATTERNS = ("*.yaml", "*.yml")
MAX_NAME = 256
MAX_CODE_FILES = 20
RESERVED_PREFIX = "asst-"


@dataclass
class Declared:
    """One object of the set, checked: the body it sends and what apply resolves for it (files,
    stores by name, a pinned id)."""

    kind: str
    name: str
    doc: Document
    body: dict[str, Any]
    files: list[Ref] = field(default_factory=list)
    chunking: dict[str, Any] | None = None
    store_names: list[str] = field(default_factory=list)
    store_ids: list[str] = field(default_factory=list)
    pinned_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass
class DefinitionSet:
    objects: list[Declared]
    hashes: dict[Path, str]

    def of_kind(self, kind: str) -> list[Declared]:
        return [d for d in self.objects if d.kind == kind]

    def kinds(self) -> list[str]:
        return [kind for kind in KINDS if self.of_kind(kind)]


def _yaml_files(folder: Path, recursive: bool) -> list[Path]:
    found = {
        path
        for pattern in PATTERNS
        for path in (folder.rglob(pattern) if recursive else folder.glob(pattern))
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts)
    }
    return sorted(found)


def sources(paths: list[str], recursive: bool) -> list[str]:
    """Every definition file named by ``-f`` (directories expanded), in a stable order."""
    found: list[str] = []
    if not paths:
        raise UsageError("no definitions given", "pass -f FILE, -f DIR, or -f - to read stdin")
    if paths.count("-") > 1:
        raise UsageError("-f - given more than once", "stdin can be read once")
    for given in paths:
        folder = Path(given)
        if given != "-" and folder.is_dir():
            files = _yaml_files(folder, recursive)
            if not files:
                hint = (
                    "pass a directory holding definitions"
                    if recursive
                    else "add -R for subdirectories"
                )
                raise UsageError(f"{given}: no *.yaml or *.yml files", hint)
            found.extend(str(path) for path in files)
        else:
            found.append(given)
    return list(dict.fromkeys(found))


def _kind(doc: Document) -> str:
    data = checks.expect(doc.data, dict, lambda m: doc.error((), m))
    if "kind" not in data:
        raise doc.error((), "no 'kind'", "add kind: assistant or kind: vector_store")
    if data["kind"] not in KINDS:
        raise doc.error(
            ("kind",), f"unknown kind {data['kind']!r}", "use assistant or vector_store"
        )
    if "name" not in data:
        raise doc.error((), "no 'name'", "add name: (the object's identity)")
    return str(data["kind"])


def _without_id(doc: Document) -> tuple[Document, str | None]:
    """The document without its ``id`` (checked), which only apply understands."""
    data = dict(doc.data)
    if "id" not in data:
        return doc, None
    pinned = Reader(doc).text(data.pop("id"), ("id",))
    return Document(data=data, source=doc.source, base_dir=doc.base_dir, lines=doc.lines), pinned


def _display_name(doc: Document) -> tuple[Document, tuple[str | None] | None]:
    """The document without its ``display_name``, and that name (as a 1-tuple: it may be null,
    no name at all) when given. ``name`` is the identity; the display name is the object's name
    on the server when it differs, as for an object adopted under another name (export)."""
    data = dict(doc.data)
    if "display_name" not in data:
        return doc, None
    value = data.pop("display_name")
    shown = None if value is None else Reader(doc).text(value, ("display_name",))
    stripped = Document(data=data, source=doc.source, base_dir=doc.base_dir, lines=doc.lines)
    return stripped, (shown,)


def _shown_as(item: Declared, display: tuple[str | None] | None) -> Declared:
    if display is not None:
        item.body["name"] = display[0]  # None: no name (null), as the server shows it
    return item


def _check_metadata(doc: Document, body: dict[str, Any], files: int) -> None:
    metadata = body.get("metadata") or {}
    for key in metadata:
        if key.startswith(RESERVED_PREFIX):
            raise doc.error(
                ("metadata", key), f"keys starting with '{RESERVED_PREFIX}' are asst's own"
            )
    free = checks.METADATA_MAX_KEYS - len(metadata) - 1  # one key is the identity
    needed = filerecord.keys_needed(files)
    if needed > free:
        raise doc.error(
            ("metadata",) if metadata else (),
            f"{files} local files need {needed} metadata keys for their content record "
            f"and {free} are free",
            "reference some files by id, or remove metadata keys",
        )


def _complete_functions(tools: list[dict[str, Any]]) -> None:
    """Functions get an empty description and parameters when they have none: Azure's spec
    requires both (Foundry's the parameters), and their servers fill them in anyway."""
    for tool in tools:
        if tool.get("type") == "function":
            function = tool["function"]
            function.setdefault("description", "")
            function.setdefault("parameters", {"type": "object", "properties": {}})


def _assistant(doc: Document, pinned: str | None) -> Declared:
    found = assistants.assistant_from_document(doc, for_apply=True)
    body = found.body
    name = identity.identity_of(body)
    if len(name) > MAX_NAME:
        raise doc.error(("name",), f"is longer than {MAX_NAME} characters")
    if not body.get("model"):
        raise doc.error(("model",), "an assistant needs a model")
    _complete_functions(body.get("tools", []))
    resources = body.pop("tool_resources", {})
    files = [*found.code_files, *resources.get("code_interpreter", {}).get("file_ids", [])]
    store_ids = resources.get("file_search", {}).get("vector_store_ids", [])
    where: Location = ("tool_resources",)
    if len(files) > MAX_CODE_FILES:
        raise doc.error((*where, "code_interpreter"), f"at most {MAX_CODE_FILES} files")
    if len(found.store_names) + len(store_ids) > 1:
        raise doc.error((*where, "file_search"), "at most one vector store")
    _check_metadata(doc, body, sum(isinstance(f, Path) for f in files))
    return Declared("assistant", name, doc, body, files, None, found.store_names, store_ids, pinned)


def _store(doc: Document, pinned: str | None) -> Declared:
    found = vector_stores.from_document(doc)
    body = found.body
    chunking = body.pop("chunking_strategy", None)
    _check_metadata(doc, body, sum(isinstance(f, Path) for f in found.files))
    return Declared(
        "vector_store", body["name"], doc, body, found.files, chunking, pinned_id=pinned
    )


def _declared(doc: Document) -> Declared:
    kind = _kind(doc)
    doc, pinned = _without_id(doc)
    doc, display = _display_name(doc)
    item = _assistant(doc, pinned) if kind == "assistant" else _store(doc, pinned)
    return _shown_as(item, display)


def _check_unique(objects: list[Declared]) -> None:
    seen: dict[tuple[str, str], Declared] = {}
    for item in objects:
        first = seen.setdefault((item.kind, item.name), item)
        if first is not item:
            raise item.doc.error(
                ("name",),
                f"{item.label} is also defined at {first.doc.where(('name',))}",
                "each name may be defined once",
            )


def _check_references(objects: list[Declared]) -> None:
    stores = {d.name for d in objects if d.kind == "vector_store"}
    for item in objects:
        for index, name in enumerate(item.store_names):
            if name not in stores:
                where = ("tool_resources", "file_search", "vector_stores", index)
                raise item.doc.error(
                    where,
                    f"no vector store '{name}' is defined in the files given",
                    "add its definition (kind: vector_store), or use vector_store_ids",
                )


def _hashes(objects: list[Declared]) -> dict[Path, str]:
    """The content hash of each local file, each read once."""
    found: dict[Path, str] = {}
    for item in objects:
        for ref in item.files:
            if isinstance(ref, Path) and ref not in found:
                found[ref] = filerecord.digest(ref)
    return found


def load(paths: list[str], recursive: bool) -> DefinitionSet:
    """Every definition named by ``-f``, checked; nothing is sent before this returns."""
    documents = [doc for source in sources(paths, recursive) for doc in load_documents(source)]
    if not documents:
        raise UsageError("the files given hold no definitions", "add kind: and name: documents")
    objects = [_declared(doc) for doc in documents]
    _check_unique(objects)
    _check_references(objects)
    return DefinitionSet(objects, _hashes(objects))
