"""Reading YAML definition files with the line of every value, so errors can name file:line."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import checks
from ..errors import UsageError

if TYPE_CHECKING:
    import yaml

Location = tuple[Any, ...]
# No definition comes near this many values; a file that expands to more through YAML aliases
# (a "billion laughs") is refused while it is walked, before it can fill memory.
MAX_VALUES = 100_000
# Flow collections nested this deep are no definition; PyYAML's scanner slows down with the square
# of the depth (minutes at a few thousand), so deeper text is refused before it is parsed.
MAX_FLOW_DEPTH = 100


@dataclass
class Document:
    """One YAML document: its data, where it came from and the line of each value."""

    data: Any
    source: str
    base_dir: Path
    lines: dict[Location, int] = field(default_factory=dict)

    def where(self, path: Location) -> str:
        """``file:line`` of the value at ``path`` (or of its nearest parent that has a line)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return f"{self.source}:{line}"
        return self.source

    def error(self, path: Location, message: str, hint: str | None = None) -> UsageError:
        dotted = ".".join(str(p) for p in path)
        prefix = f"{self.where(path)}: " + (f"{dotted}: " if dotted else "")
        return UsageError(prefix + message, hint)


def _record(node: yaml.Node, path: Location, lines: dict[Location, int], doc: Document) -> None:
    lines[path] = node.start_mark.line + 1
    if len(lines) > MAX_VALUES:
        raise UsageError(
            f"{doc.source}: more than {MAX_VALUES:,} values (YAML aliases that expand "
            "without end?)",
            "write the values out instead of repeating aliases",
        )
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            where = (*path, key)
            if key in seen:
                lines[where] = key_node.start_mark.line + 1
                raise doc.error(where, "duplicate key", "keep one of them")
            seen.add(key)
            _record(value_node, where, lines, doc)
            lines[where] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, (*path, index), lines, doc)


def _problem(exc: yaml.YAMLError, source: str) -> UsageError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "invalid YAML"
    where = f"{source}:{mark.line + 1}" if mark is not None else source
    return UsageError(f"{where}: invalid YAML: {problem}", "fix the file's syntax")


def read_text(path: str) -> tuple[str, str, Path]:
    """The text of a definition file (``-`` is stdin), its display name and its directory."""
    if path == "-":
        return sys.stdin.read(), "<stdin>", Path.cwd()
    file = Path(path)
    try:
        return file.read_text(encoding="utf-8"), path, file.resolve().parent
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file", "check the path") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory", "pass a YAML file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a UTF-8 text file", "pass a YAML file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}", "check its permissions") from None
    except ValueError:  # a NUL byte in the name
        raise UsageError(f"{path!r}: not a usable file name", "check the path") from None


def load_documents(path: str) -> list[Document]:
    """Every non-empty document of a YAML file, with line numbers."""
    text, source, base_dir = read_text(path)
    if "\x00" in text:
        raise UsageError(f"{source}: not a text file", "pass a YAML file")
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        raise UsageError(f"{source}: nested too deeply", "simplify the file")
    import yaml

    documents: list[Document] = []
    try:
        for node in yaml.compose_all(text, Loader=yaml.SafeLoader):
            if node is None:
                continue
            doc = Document(data=None, source=source, base_dir=base_dir)
            _record(node, (), doc.lines, doc)
            doc.data = yaml.SafeLoader(text).construct_document(node)
            documents.append(doc)
    except yaml.YAMLError as exc:
        raise _problem(exc, source) from None
    except RecursionError:
        raise UsageError(f"{source}: nested too deeply", "simplify the file") from None
    return documents


def _flow_depth(text: str) -> int:
    """The deepest nesting of [ and { outside quoted strings (an upper bound is enough)."""
    depth = deepest = 0
    quote = ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def load_one(path: str) -> Document:
    documents = load_documents(path)
    if not documents:
        raise UsageError(f"{'<stdin>' if path == '-' else path}: the file is empty")
    if len(documents) > 1:
        raise UsageError(
            f"{documents[1].source}:{documents[1].lines[()]}: expected one document, found "
            f"{len(documents)}",
            "split the file, or use 'asst apply' for several",
        )
    return documents[0]


class Reader:
    """Checks the values of one document, turning each problem into a file:line error."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def fail(self, path: Location) -> Callable[[str], UsageError]:
        return lambda message: self.doc.error(path, message)

    def text(self, value: Any, path: Location) -> str:
        return str(checks.expect(value, str, self.fail(path)))

    def mapping(self, value: Any, path: Location, keys: tuple[str, ...]) -> dict[str, Any]:
        found: dict[str, Any] = checks.expect(value, dict, self.fail(path))
        for key in found:
            if key not in keys:
                raise self.doc.error(
                    (*path, key), "unknown key", f"allowed keys: {', '.join(keys)}"
                )
        return found

    def strings(self, value: Any, path: Location) -> list[str]:
        items = checks.expect(value, list, self.fail(path))
        return [self.text(item, (*path, i)) for i, item in enumerate(items)]

    def local_path(self, value: Any, path: Location) -> Path:
        return (self.doc.base_dir / self.text(value, path)).resolve()
