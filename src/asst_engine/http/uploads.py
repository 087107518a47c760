"""Multipart uploads streamed to temporary files as they arrive, for ``asst serve``.

python-multipart's push parser takes the body a piece at a time: each file part goes to its
own temporary file (in the server's data dir, deleted when closed), each plain field is kept
(they are short: a purpose, a name). The result is the same ``Form`` the whole-body parser
makes, so handlers cannot tell.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from asst_engine.errors import bad_request
from asst_engine.http.multipart import FILE_FIELDS, Form, Upload, header_params, param

FIELD_LIMIT = 64 * 1024  # a plain field (purpose, filename) is never near this


class StreamedForm:
    """Feed the body with ``write``, then ``finish`` for the form; ``close`` drops the files."""

    def __init__(self, content_type: str, spool: Path | None = None) -> None:
        _, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if not boundary:
            raise bad_request(
                "Expected a multipart/form-data body with a boundary.", None, "invalid_body"
            )
        self.form = Form()
        self.spool = spool  # the folder of the temporary files (None: the system's)
        self.files: list[IO[bytes]] = []
        self.header_name = b""
        self.header_value = b""
        self.disposition = ""
        self.field: bytearray | None = None
        self.file: IO[bytes] | None = None
        self.name = ""  # the field of the part being read
        self.parser = MultipartParser(boundary, {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self._header(data[start:end], b""),
            "on_header_value": lambda data, start, end: self._header(b"", data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": lambda data, start, end: self._data(data[start:end]),
            "on_part_end": self._end,
        })  # fmt: skip

    def write(self, piece: bytes) -> None:
        try:
            self.parser.write(piece)
        except MultipartParseError as error:
            raise bad_request(f"Malformed multipart body: {error}.", None, "invalid_body") from None

    def finish(self) -> Form:
        try:
            self.parser.finalize()
        except MultipartParseError as error:
            raise bad_request(f"Malformed multipart body: {error}.", None, "invalid_body") from None
        return self.form

    def close(self) -> None:
        for file in self.files:
            file.close()

    def _begin(self) -> None:
        self.disposition = ""
        self.header_name = self.header_value = b""

    def _header(self, name: bytes, value: bytes) -> None:
        self.header_name += name
        self.header_value += value

    def _header_end(self) -> None:
        if self.header_name.strip().lower() == b"content-disposition":
            self.disposition = self.header_value.decode("utf-8", "replace").strip()
        self.header_name = self.header_value = b""

    def _headers_finished(self) -> None:
        params = header_params(self.disposition)
        name, filename = param(params, "name"), param(params, "filename")
        if not isinstance(name, str):
            raise bad_request("Malformed multipart part: no field name.")
        if isinstance(filename, str) or name in FILE_FIELDS:
            self.file = tempfile.TemporaryFile(dir=self.spool)  # noqa: SIM115 (``close`` closes it)
            self.files.append(self.file)
            self.form.files[name] = Upload(filename or "", self.file, 0)
        else:
            self.field = bytearray()
            self.form.fields[name] = ""
        self.name = name

    def _data(self, data: bytes) -> None:
        if self.file is not None:
            self.file.write(data)
        elif self.field is not None:
            self.field += data
            if len(self.field) > FIELD_LIMIT:
                raise bad_request(f"The form field '{self.name}' is too long.", self.name)

    def _end(self) -> None:
        if self.file is not None:
            upload = self.form.files[self.name]
            upload.size = self.file.tell()
            self.file.seek(0)
        elif self.field is not None:
            self.form.fields[self.name] = self.field.decode("utf-8", "replace")
        self.file, self.field = None, None
