"""A file's text, by the kind its name says: plain text, markup, data, code, PDF and DOCX.

Kinds follow the extension, as the service does (its list of supported files): anything else is
``unsupported_file``; bytes that do not parse as their kind are ``invalid_file``. PDF and DOCX
need the ``serve`` extra (pypdf, python-docx), imported only when such a file arrives.
"""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any

TEXT = {".txt", ".md", ".markdown", ".rst", ".csv", ".tex", ".log"}
CODE = {
    ".py", ".js", ".mjs", ".ts", ".tsx", ".jsx", ".java", ".c", ".h", ".cc", ".cpp", ".hpp",
    ".cs", ".go", ".rs", ".rb", ".php", ".sh", ".kt", ".swift", ".scala", ".sql", ".css",
    ".yaml", ".yml", ".toml", ".xml", ".ini",
}  # fmt: skip
HTML = {".html", ".htm"}
SUPPORTED = TEXT | CODE | HTML | {".json", ".pdf", ".docx"}


class ExtractError(Exception):
    """Why a file has no text: ``code`` is the store file's ``last_error.code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def extract(filename: str, data: bytes) -> str:
    """The text of ``data`` as a file named ``filename``; raises ``ExtractError``."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix not in SUPPORTED:
        shown = suffix or "without an extension"
        raise ExtractError("unsupported_file", f"Files of type '{shown}' cannot be searched.")
    try:
        if suffix == ".pdf":
            return _pdf(data)
        if suffix == ".docx":
            return _docx(data)
        text = _decode(data)
        if suffix in HTML:
            return _html(text)
        if suffix == ".json":
            return _json(text)
        return text
    except ExtractError:
        raise
    except Exception as error:  # every parser has its own errors; all mean a broken file
        raise ExtractError("invalid_file", f"The file could not be parsed: {error}") from error


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExtractError("invalid_file", "The file is not UTF-8 text.") from error


class _Text(HTMLParser):
    """Visible text: script and style bodies dropped, block ends as line breaks."""

    HIDDEN = frozenset({"script", "style", "noscript", "template"})
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _html(text: str) -> str:
    parser = _Text()
    parser.feed(text)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _json(text: str) -> str:
    """Pretty-printed, so keys and values read as words and chunks break at lines."""
    value: Any = json.loads(text)
    return json.dumps(value, indent=2, ensure_ascii=False)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()


def _docx(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)
