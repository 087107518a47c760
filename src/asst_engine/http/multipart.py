"""A small ``multipart/form-data`` parser for uploads (the stdlib's ``cgi`` is gone in 3.13).

``parse`` takes a whole body (the stdlib test server reads bodies whole); ``asst serve`` streams
uploads to temporary files instead (``http/uploads.py``). Either way an ``Upload`` is a file
to read, so handlers copy it to the store a piece at a time.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import BinaryIO

from asst_engine.errors import bad_request

# Parts that are files even without a ``filename``: azure-core sends bytes given with a separate
# ``filename`` field (Foundry's upload) as a bare ``name="file"`` part.
FILE_FIELDS = ("file",)


@dataclass
class Upload:
    filename: str
    content: BinaryIO
    size: int


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)


def header_params(value: str) -> Message:
    """Let ``email`` parse ``type; key="value"`` headers, quoting rules included."""
    message = Message()
    message["content-type"] = value
    return message


def param(params: Message, key: str) -> str | None:
    """A header parameter, decoding RFC 2231 forms such as ``filename*=utf-8''...``."""
    value = params.get_param(key)
    return None if value is None else collapse_rfc2231_value(value)


def parse(body: bytes, content_type: str) -> Form:
    boundary = header_params(content_type).get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise bad_request(
            "Expected a multipart/form-data body with a boundary.", None, "invalid_body"
        )
    form = Form()
    delimiter = b"--" + boundary.encode("latin-1")
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        _add_part(form, chunk.removeprefix(b"\r\n").removesuffix(b"\r\n"))
    return form


def _add_part(form: Form, part: bytes) -> None:
    head, separator, data = part.partition(b"\r\n\r\n")
    if not separator:
        raise bad_request("Malformed multipart part: no blank line after its headers.")
    disposition = ""
    for line in head.decode("utf-8", "replace").split("\r\n"):
        header, _, value = line.partition(":")
        if header.strip().lower() == "content-disposition":
            disposition = value.strip()  # "form-data; name=...; filename=..."
    params = header_params(disposition)
    name = param(params, "name")
    filename = param(params, "filename")
    if not isinstance(name, str):
        raise bad_request("Malformed multipart part: no field name.")
    if isinstance(filename, str) or name in FILE_FIELDS:
        form.files[name] = Upload(filename or "", io.BytesIO(data), len(data))
    else:
        form.fields[name] = data.decode("utf-8", "replace")
