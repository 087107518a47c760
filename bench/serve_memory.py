"""Server memory while a large file goes up and down through `asst serve` (issue 11: RSS <= 150
MB while a 64 MB file goes up and down), and the time of one small request on a reused
connection (what keep-alive clients such as the SDKs pay per call).

Starts `asst serve --port 0` (the SQLite store, blobs on disk; `--scripted`: the memory
store) in a fresh data dir (common.served), uploads a generated file as a streamed multipart
body (the client never holds it whole either), downloads it back, and reads the server's
resident-set size from /proc: at rest before, and its high-water mark (VmHWM) after. Linux
only (/proc). bench/serve.py uses these helpers on a server with a model behind it.

python bench/serve_memory.py [--megabytes 64] [--requests 200] [--scripted]
"""

from __future__ import annotations

import argparse
import http.client
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from common import API_KEY, served

PIECE = 1024 * 1024
BOUNDARY = "bench-boundary"
TARGET_MB = 150


def memory(pid: int, field: str) -> float:
    """A /proc/<pid>/status field (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def _body(megabytes: int) -> tuple[Iterator[bytes], int]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    piece = bytes(range(256)) * (PIECE // 256)

    def pieces() -> Iterator[bytes]:
        yield head
        for _ in range(megabytes):
            yield piece
        yield tail

    return pieces(), len(head) + megabytes * PIECE + len(tail)


def transfer(url: str, megabytes: int, key: str = API_KEY) -> int:
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=120)
    headers = {"Authorization": f"Bearer {key}", "OpenAI-Beta": "assistants=v2"}
    body, length = _body(megabytes)
    form = {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(length),
    }
    connection.request("POST", "/v1/files", body, {**headers, **form})
    made = json.loads(connection.getresponse().read())
    assert "id" in made, made
    connection.request("GET", f"/v1/files/{made['id']}/content", headers=headers)
    response, received = connection.getresponse(), 0
    while piece := response.read(PIECE):
        received += len(piece)
    connection.close()
    return received


def per_request(url: str, count: int, key: str = API_KEY) -> float:
    """Seconds per ``POST /v1/assistants`` on one kept-alive connection."""
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=10)
    headers = {"Authorization": f"Bearer {key}", "OpenAI-Beta": "assistants=v2",
               "Content-Type": "application/json"}  # fmt: skip
    started = time.monotonic()
    for _ in range(count):
        connection.request("POST", "/v1/assistants", b'{"model": "m"}', headers)
        connection.getresponse().read()
    connection.close()
    return (time.monotonic() - started) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=64)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--scripted", action="store_true", help="the memory store instead")
    args = parser.parse_args()
    mode = ["--scripted"] if args.scripted else []
    with tempfile.TemporaryDirectory() as folder, served(Path(folder), *mode) as (pid, url):
        at_rest = memory(pid, "VmRSS")
        started = time.monotonic()
        received = transfer(url, args.megabytes)
        elapsed = time.monotonic() - started
        peak = memory(pid, "VmHWM")
        per_request_seconds = per_request(url, args.requests)
    assert received == args.megabytes * PIECE, received
    print(f"file: {args.megabytes} MB up and down in {elapsed:.2f} s")
    print(f"server RSS at rest: {at_rest:.0f} MB; peak: {peak:.0f} MB (target <= {TARGET_MB} MB)")
    print(f"POST /v1/assistants on a reused connection: {per_request_seconds * 1000:.2f} ms")


if __name__ == "__main__":
    main()
