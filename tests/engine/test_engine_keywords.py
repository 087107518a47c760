"""Responder keywords with files and annotations, hanging and slow runs; polled and streamed."""

from __future__ import annotations

import http.client
import json
import struct
import threading
import time
import zlib
from typing import Any
from urllib.parse import urlsplit

import pytest
from engine_sessions import Session, events

DIALECTS = ["openai", "azure", "foundry"]
MARKER = "【4:0†source】"
NOTES = b"\n  The sky is blue.  \nSecond line.\n"


def start(s: Session, prompt: str, tools: list[str], **thread: Any) -> Any:
    """A run of a new assistant (with these built-in tools) on a new thread."""
    assistant = s.call(
        "POST", "/assistants", {"model": "gpt-4o", "tools": [{"type": t} for t in tools]}
    )
    message = {"role": "user", "content": prompt, **thread.pop("message", {})}
    created = s.call("POST", "/threads", {"messages": [message], **thread})
    return s.call("POST", f"/threads/{created['id']}/runs", {"assistant_id": assistant["id"]})


def path(run: Any) -> str:
    return f"/threads/{run['thread_id']}/runs/{run['id']}"


def finish(s: Session, run: Any) -> tuple[Any, Any, list[Any]]:
    """Poll to the end: the run, its reply message and its steps (oldest first)."""
    for _ in range(2):
        run = s.call("GET", path(run))
    assert run["status"] == "completed"
    reply = s.call("GET", f"/threads/{run['thread_id']}/messages")["data"][0]
    found = s.call("GET", f"{path(run)}/steps", query="order=asc")["data"]
    return run, reply, found


def citation(s: Session, file: Any, quote: str) -> Any:
    """The annotation ``please cite`` puts on its marker, as the dialect shows it."""
    text = f'According to {file["filename"]}: "{quote}"{MARKER}'
    start = text.index(MARKER)
    cited = {"file_id": file["id"]}
    if s.dialect != "openai":  # only OpenAI's message schema lacks the quote
        cited["quote"] = quote
    note = {"type": "file_citation", "text": MARKER, "start_index": start}
    return text, {**note, "end_index": start + len(MARKER), "file_citation": cited}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_please_cite_an_attached_file(dialect: str) -> None:
    s = Session(dialect)
    file = s.upload("notes.txt", NOTES)
    attachment = {"file_id": file["id"], "tools": [{"type": "file_search"}]}
    run = start(s, "please cite", ["file_search"], message={"attachments": [attachment]})
    run, reply, found = finish(s, run)
    text, note = citation(s, file, "The sky is blue.")
    assert reply["content"] == [{"type": "text", "text": {"value": text, "annotations": [note]}}]
    assert text[note["start_index"] : note["end_index"]] == MARKER
    assert [step["type"] for step in found] == ["tool_calls", "message_creation"]
    (call,) = found[0]["step_details"]["tool_calls"]
    assert call["type"] == "file_search" and call["id"].startswith("call_")
    assert call["file_search"]["results"] == [
        {"file_id": file["id"], "file_name": "notes.txt", "score": 1.0}
    ]
    assert found[0]["status"] == "completed"
    assert s.problems == []


def test_please_cite_the_assistants_then_the_threads_vector_stores() -> None:
    s = Session("foundry")
    first, second = s.upload("a.md", b"alpha"), s.upload("b.md", b"beta")
    store_a = s.call("POST", "/vector_stores", {"file_ids": [first["id"]]})
    store_b = s.call("POST", "/vector_stores", {"file_ids": [second["id"]]})
    resources = {"tool_resources": {"file_search": {"vector_store_ids": [store_b["id"]]}}}
    run = start(s, "please cite", [], **resources)
    _, reply, found = finish(s, run)
    assert reply["content"][0]["text"] == {
        "value": citation(s, second, "beta")[0],
        "annotations": [citation(s, second, "beta")[1]],
    }
    assert [step["type"] for step in found] == ["message_creation"]  # no file_search tool
    assistant = s.call(
        "POST",
        "/assistants",
        {
            "model": "m",
            "tool_resources": {"file_search": {"vector_store_ids": [store_a["id"]]}},
        },
    )
    run = s.call("POST", f"/threads/{run['thread_id']}/runs", {"assistant_id": assistant["id"]})
    _, reply, _ = finish(s, run)
    assert reply["content"][0]["text"]["annotations"][0]["file_citation"]["file_id"] == first["id"]
    assert s.problems == []


def test_please_cite_with_nothing_to_cite() -> None:
    s = Session("openai")
    run = start(s, "please cite", ["file_search"])
    _, reply, found = finish(s, run)
    assert reply["content"][0]["text"] == {"value": "I found no file to cite.", "annotations": []}
    assert found[0]["step_details"]["tool_calls"][0]["file_search"]["results"] == []
    assert s.problems == []


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and raw scanlines of a PNG, checking its signature and every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks[kind] = body
        at += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    assert b"IEND" in chunks
    return width, height, zlib.decompress(chunks[b"IDAT"])


@pytest.mark.parametrize("dialect", DIALECTS)
def test_please_make_a_file(dialect: str) -> None:
    s = Session(dialect)
    run = start(s, "please make a file", ["code_interpreter"])
    _, reply, found = finish(s, run)
    made = s.call("GET", "/files")["data"]
    assert sorted((f["filename"], f["purpose"]) for f in made) == [
        ("chart.png", "assistants_output"),
        ("data.csv", "assistants_output"),
    ]
    ids = {f["filename"]: f["id"] for f in made}
    text = "Here is the data: [Download data.csv](sandbox:/mnt/data/data.csv)"
    link = "sandbox:/mnt/data/data.csv"
    start_index = text.index(link)
    note = {
        "type": "file_path",
        "text": link,
        "start_index": start_index,
        "end_index": start_index + len(link),
        "file_path": {"file_id": ids["data.csv"]},
    }
    assert reply["content"] == [
        {"type": "image_file", "image_file": {"file_id": ids["chart.png"]}},
        {"type": "text", "text": {"value": text, "annotations": [note]}},
    ]
    assert [step["type"] for step in found] == ["tool_calls", "message_creation"]
    (call,) = found[0]["step_details"]["tool_calls"]
    assert call["type"] == "code_interpreter" and call["code_interpreter"]["outputs"] == [
        {"type": "image", "image": {"file_id": ids["chart.png"]}}
    ]
    csv = s.call("GET", f"/files/{ids['data.csv']}/content")
    assert csv.decode().splitlines()[0] == "month,sales" and len(csv.splitlines()) > 2
    assert s.last is not None
    assert s.last.headers["Content-Disposition"] == 'attachment; filename="data.csv"'
    png = s.call("GET", f"/files/{ids['chart.png']}/content")
    assert s.last.headers["Content-Disposition"] == 'attachment; filename="chart.png"'
    width, height, rows = png_pixels(png)
    assert (width, height) == (2, 1) and len(rows) == 1 + 3 * width
    assert s.problems == []


def test_please_make_a_file_without_code_interpreter_still_makes_them() -> None:
    s = Session("openai")
    _, reply, found = finish(s, start(s, "please make a file", []))
    assert [part["type"] for part in reply["content"]] == ["image_file", "text"]
    assert [step["type"] for step in found] == ["message_creation"]


def test_please_queue_for_n_polls() -> None:
    s = Session("openai")
    run = start(s, "hello, please queue for 3 polls", [])
    seen = [s.call("GET", path(run))["status"] for _ in range(6)]
    assert seen == ["queued"] * 3 + ["in_progress", "completed", "completed"]
    reply = s.call("GET", f"/threads/{run['thread_id']}/messages")["data"][0]
    assert reply["content"][0]["text"]["value"] == "You said: hello, please queue for 3 polls"


def test_please_hang_until_cancelled() -> None:
    s = Session("azure")
    run = start(s, "please hang", [])
    assert [s.call("GET", path(run))["status"] for _ in range(5)] == ["in_progress"] * 5
    assert s.call("POST", f"{path(run)}/cancel")["status"] == "cancelling"
    assert s.call("GET", path(run))["status"] == "cancelled"
    assert s.problems == []


def streamed(s: Session, prompt: str, tools: list[str], **thread: Any) -> list[Any]:
    assistant = s.call(
        "POST", "/assistants", {"model": "gpt-4o", "tools": [{"type": t} for t in tools]}
    )
    message = {"role": "user", "content": prompt, **thread.pop("message", {})}
    body = {"assistant_id": assistant["id"], "thread": {"messages": [message]}, "stream": True}
    return events(s.call("POST", "/threads/runs", body))


TOOL_STEP = ["thread.run.step.created", "thread.run.step.in_progress", "thread.run.step.completed"]
MESSAGE = [
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.message.created",
    "thread.message.in_progress",
]


def assembled(stream: list[Any]) -> list[Any]:
    """The message content the deltas build, applied the way SDKs apply them."""
    parts: dict[int, Any] = {}
    for name, data in stream:
        if name != "thread.message.delta":
            continue
        for sent in data["delta"]["content"]:
            piece = dict(sent)
            index = piece.pop("index")
            if piece["type"] != "text":
                parts[index] = piece
                continue
            part = parts.setdefault(
                index, {"type": "text", "text": {"value": "", "annotations": []}}
            )
            part["text"]["value"] += piece["text"].get("value", "")
            for sent_note in piece["text"].get("annotations", []):
                note = dict(sent_note)
                assert note.pop("index") == len(part["text"]["annotations"])
                part["text"]["annotations"].append(note)
    return [parts[i] for i in sorted(parts)]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_streamed_files_and_citations_match_the_finished_message(dialect: str) -> None:
    s = Session(dialect)
    made = streamed(s, "please make a file", ["code_interpreter"])
    names = [name for name, _ in made if name != "thread.message.delta"]
    start_events = ["thread.created", "thread.run.created", "thread.run.queued"]
    assert names == [
        *start_events,
        "thread.run.in_progress",
        *TOOL_STEP,
        *MESSAGE,
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
        "done",
    ]
    completed = next(data for name, data in made if name == "thread.message.completed")
    assert assembled(made) == completed["content"]
    assert completed["content"][0]["type"] == "image_file"
    file = s.upload("notes.txt", NOTES)
    attachment = {"file_id": file["id"], "tools": [{"type": "file_search"}]}
    cited = streamed(s, "please cite", ["file_search"], message={"attachments": [attachment]})
    completed = next(data for name, data in cited if name == "thread.message.completed")
    assert assembled(cited) == completed["content"]
    assert completed["content"][0]["text"]["annotations"] == [
        citation(s, file, "The sky is blue.")[1]
    ]
    thread_id = completed["thread_id"]
    assert s.call("GET", f"/threads/{thread_id}/messages/{completed['id']}") == completed
    assert s.problems == []


def test_a_hung_stream_stays_open_until_the_run_is_cancelled(api: Any, server: Any) -> None:
    assistant = api.ok("POST", "/assistants", {"model": "gpt-4o"})
    thread = api.ok("POST", "/threads", {"messages": [{"role": "user", "content": "please hang"}]})
    received: list[bytes] = []
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=5)
    headers = {**api.default_headers(), "Content-Type": "application/json"}
    body = json.dumps({"assistant_id": assistant["id"], "stream": True})
    connection.request("POST", f"/v1/threads/{thread['id']}/runs", body, headers)
    response = connection.getresponse()
    assert response.status == 200
    reader = threading.Thread(target=lambda: received.append(response.read()))
    reader.start()
    time.sleep(0.1)
    assert reader.is_alive()  # no done event yet: the stream is still open
    run = api.ok("GET", f"/threads/{thread['id']}/runs")["data"][0]
    assert run["status"] == "in_progress"
    api.ok("POST", f"/threads/{thread['id']}/runs/{run['id']}/cancel")
    reader.join(timeout=5)
    connection.close()
    stream = events(received[0])
    assert [name for name, _ in stream] == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.cancelling",
        "thread.run.cancelled",
        "done",
    ]
    assert api.ok("GET", f"/threads/{thread['id']}/runs/{run['id']}") == stream[-2][1]


def test_a_streamed_run_does_not_wait_for_polls() -> None:
    s = Session("openai")
    stream = streamed(s, "please queue for 5 polls", [])
    assert [name for name, _ in stream][-2:] == ["thread.run.completed", "done"]


def test_a_hung_stream_through_dispatch_leaves_the_rest_for_later() -> None:
    s = Session("foundry")
    stream = streamed(s, "please hang", [])
    assert [name for name, _ in stream] == [
        "thread.created",
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
    ]
    assert s.last is not None and s.last.later is not None
    later, run = s.last.later, stream[-1][1]
    s.call("POST", f"{path(run)}/cancel")
    rest = events(next(later))
    assert [name for name, _ in rest] == ["thread.run.cancelling", "thread.run.cancelled", "done"]
    assert s.call("GET", path(run)) == rest[1][1]
    assert s.problems == []
