"""code_interpreter driven by the model: the ``python`` tool it is offered, the step its call
makes (stored and streamed), the files and images it produces, what goes back to the model."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from asst_engine import Engine
from asst_engine.models import providers
from asst_engine.models.base import ChatRequest, Finish, ModelEvent, TextDelta, ToolCallDelta
from asst_engine.models.interpreter import NO_SANDBOX
from asst_engine.models.responder import MAX_CODE_ROUNDS, TOO_MANY_ROUNDS, ModelResponder
from asst_engine.resources import files
from asst_engine.runs.worker import WorkerDriver
from asst_engine.testing import fake_quickstart
from asst_engine.testing.fake_model import FakeModel
from asst_engine.testing.waits import Waits
from asst_engine.tools.sandbox import Sandbox
from conftest import Clock, Server

CODE = [{"type": "code_interpreter"}]
STATS = "import numpy as np\nvalues = np.loadtxt('/mnt/data/nums.csv')\nprint(values.sum())"


class Script:
    """A model that answers each call with the next of ``answers``: text, or python code."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.requests: list[ChatRequest] = []

    def stream(self, request: ChatRequest, cancel: threading.Event) -> Iterator[ModelEvent]:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if answer.startswith("python:"):
            arguments = json.dumps({"code": answer.removeprefix("python:")})
            yield ToolCallDelta(0, "call_1", "python", arguments)
            yield Finish("tool_calls", 10, 5)
            return
        yield from (TextDelta(word) for word in answer.split("|"))
        yield Finish("stop", 10, 5)


def scripted(script: Script, sandbox: Sandbox | None) -> Server:
    config = providers.load({"ASST_MODEL_BASE_URL": "http://127.0.0.1:9"}, None, lambda _: script)
    responder = ModelResponder(config, sandbox=sandbox)
    engine = Engine(clock=Clock(), driver=WorkerDriver(workers=2), responder=responder)
    return Server(FakeModel(), engine, Waits())


def test_the_sinewave_streams_a_code_step_then_the_image_and_the_reply(coder: Server) -> None:
    assistant = coder.assistant(tools=CODE)
    thread = coder.thread("Create a visualization of a sinewave")
    events = coder.stream(f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    names = [name for name, _ in events]
    pieces = [d for n, d in events if n == "thread.run.step.delta"]
    lines = len(fake_quickstart.PLOT_CODE.splitlines())
    # Opened, the call introduced, a delta per line of code, one with the outputs, completed.
    step_events = ["created", "in_progress"] + ["delta"] * (lines + 2) + ["completed"]
    assert names[1:3] == ["thread.run.queued", "thread.run.in_progress"]
    assert names[3 : 4 + len(step_events) - 1] == [f"thread.run.step.{n}" for n in step_events]
    assert names[-3:] == ["thread.run.step.completed", "thread.run.completed", "done"]
    calls = [p["delta"]["step_details"]["tool_calls"][0] for p in pieces]
    assert calls[0]["code_interpreter"] == {"input": "", "outputs": []}
    typed = "".join(c["code_interpreter"].get("input", "") for c in calls)
    assert typed == fake_quickstart.PLOT_CODE
    image_id = calls[-1]["code_interpreter"]["outputs"][0]["image"]["file_id"]
    assert calls[-1]["code_interpreter"]["outputs"] == [
        {"index": 0, "type": "image", "image": {"file_id": image_id}}
    ]
    run = events[-2][1]
    listed = coder.call("GET", f"/threads/{thread['id']}/runs/{run['id']}/steps?order=asc")
    step = listed["data"][0]
    assert (step["type"], step["status"]) == ("tool_calls", "completed")
    assert step["step_details"]["tool_calls"][0]["code_interpreter"] == {
        "input": fake_quickstart.PLOT_CODE,
        "outputs": [{"type": "image", "image": {"file_id": image_id}}],
    }
    image = coder.call("GET", f"/files/{image_id}")
    assert (image["filename"], image["purpose"]) == ("image-1.png", "assistants_output")
    reply = coder.call("GET", f"/threads/{thread['id']}/messages")["data"][0]
    assert reply["content"] == [
        {"type": "image_file", "image_file": {"file_id": image_id}},
        {"type": "text", "text": {"value": fake_quickstart.PLOTTED, "annotations": []}},
    ]
    # The run's tools stay as given; the model was offered python.
    assert run["tools"] == CODE
    assert [t["function"]["name"] for t in coder.sent()[0]["tools"]] == ["python"]


def test_the_follow_up_sees_the_code_and_the_session_keeps_its_variables(coder: Server) -> None:
    assistant = coder.assistant(tools=CODE)
    thread = coder.thread("Create a visualization of a sinewave")
    first = {"assistant_id": assistant["id"]}
    coder.settled(coder.call("POST", f"/threads/{thread['id']}/runs", first))
    question = {"role": "user", "content": "Show me the code you used to generate the sinewave"}
    coder.call("POST", f"/threads/{thread['id']}/messages", question)
    run = coder.settled(coder.call("POST", f"/threads/{thread['id']}/runs", first))
    assert run["status"] == "completed"
    reply = coder.call("GET", f"/threads/{thread['id']}/messages")["data"][0]
    assert reply["content"][0]["text"]["value"] == (
        "Here is the code I used to generate the sine wave:\n\n"
        f"```python\n{fake_quickstart.PLOT_CODE}\n```\n\n"
        "The session still holds the data: x: 400 points, y from -1.00 to 1.00"
    )
    earlier = coder.sent()[2]["messages"][1]  # after the first user message
    assert earlier["role"] == "assistant"
    assert earlier["content"].startswith(f"[python ran:\n```python\n{fake_quickstart.PLOT_CODE}")


def test_files_go_in_by_name_and_written_ones_are_linked(sandbox: Sandbox) -> None:
    write = "open('/mnt/data/out.csv', 'w').write('a,b\\n1,2\\n')"
    link = "sandbox:/mnt/data/out.csv"
    script = Script(
        f"python:{STATS}", f"python:{write}", "Sum done. [out.csv](sandbox:/mnt/|data/out.csv) ok"
    )
    server = scripted(script, sandbox)
    try:
        with server.engine.lock:
            data = files.add(server.engine, "nums.csv", "assistants", b"1\n2\n3.5\n")
        resources = {"code_interpreter": {"file_ids": [data["id"]]}}
        assistant = server.assistant(tools=CODE, tool_resources=resources)
        thread = server.thread("sum the numbers")
        body = {"assistant_id": assistant["id"]}
        run = server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))
        assert run["status"] == "completed"
        tool = script.requests[1].messages[-1]
        assert tool["content"] == "6.5"
        written = script.requests[2].messages[-1]["content"]
        assert written == f"8\n[file written: {link}]"  # write() returned 8
        reply = server.call("GET", f"/threads/{thread['id']}/messages")["data"][0]
        text = reply["content"][0]["text"]
        assert text["value"] == f"Sum done. [out.csv]({link}) ok"
        (note,) = text["annotations"]
        start = text["value"].index(link)
        assert (note["start_index"], note["end_index"], note["text"]) == (
            start,
            start + len(link),
            link,
        )
        made = server.call("GET", f"/files/{note['file_path']['file_id']}")
        assert (made["filename"], made["purpose"]) == ("out.csv", "assistants_output")
    finally:
        server.engine.close()


def test_an_error_goes_back_to_the_model_which_recovers(sandbox: Sandbox) -> None:
    script = Script("python:1 / 0", "python:print(2 + 2)", "It is 4.")
    server = scripted(script, sandbox)
    try:
        assistant = server.assistant(tools=CODE)
        thread = server.thread("divide")
        body = {"assistant_id": assistant["id"]}
        run = server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))
        assert run["status"] == "completed"
        failed = script.requests[1].messages[-1]["content"]
        assert failed.startswith("Traceback") and failed.endswith(
            "ZeroDivisionError: division by zero"
        )
        assert script.requests[2].messages[-1]["content"] == "4"
        steps = server.call("GET", f"/threads/{thread['id']}/runs/{run['id']}/steps?order=asc")
        kinds = [s["step_details"]["type"] for s in steps["data"]]
        assert kinds == ["tool_calls", "tool_calls", "message_creation"]
        logs = steps["data"][0]["step_details"]["tool_calls"][0]["code_interpreter"]["outputs"]
        assert logs == [{"type": "logs", "logs": failed + "\n"}]
    finally:
        server.engine.close()


@pytest.mark.parametrize("unavailable", ["none", "refused"])
def test_a_run_with_code_and_no_sandbox_fails_saying_why(tmp_path: Path, unavailable: str) -> None:
    sandbox = None
    if unavailable == "refused":
        sandbox = Sandbox(tmp_path, bwrap="/nonexistent/bwrap")
    server = scripted(Script("never asked"), sandbox)
    try:
        assistant = server.assistant(tools=CODE)
        thread = server.thread("plot")
        body = {"assistant_id": assistant["id"]}
        run = server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))
        expected = NO_SANDBOX if sandbox is None else sandbox.refusal
        assert (run["status"], run["last_error"]) == (
            "failed",
            {"code": "server_error", "message": expected},
        )
    finally:
        server.engine.close()


def test_a_timeout_goes_back_to_the_model_and_the_session_restarts(
    tmp_path: Path, font_cache: Path
) -> None:
    short = Sandbox(tmp_path, timeout=0.5, font_cache=font_cache)
    script = Script("python:while True: pass", "python:print('fresh')", "Done.")
    server = scripted(script, short)
    try:
        assistant = server.assistant(tools=CODE)
        thread = server.thread("loop")
        body = {"assistant_id": assistant["id"]}
        run = server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))
        assert run["status"] == "completed"
        assert script.requests[1].messages[-1]["content"] == (
            "Execution timed out after 0.5 seconds. The Python process was restarted, so the "
            "variables and imports of earlier calls are gone; files in /mnt/data remain."
        )
        assert script.requests[2].messages[-1]["content"] == "fresh"
    finally:
        server.engine.close()
        short.close()


def test_a_model_that_only_runs_code_is_stopped(sandbox: Sandbox) -> None:
    script = Script(*["python:pass"] * MAX_CODE_ROUNDS)
    server = scripted(script, sandbox)
    try:
        assistant = server.assistant(tools=CODE)
        thread = server.thread("spin")
        body = {"assistant_id": assistant["id"], "tool_choice": "required"}
        run = server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))
        assert (run["status"], run["last_error"]) == (
            "failed",
            {"code": "server_error", "message": TOO_MANY_ROUNDS},
        )
        choices = [request.tool_choice for request in script.requests]
        assert choices == ["required"] + ["auto"] * (MAX_CODE_ROUNDS - 1)
        assert script.requests[1].messages[-1]["content"] == "(no output)"
    finally:
        server.engine.close()


def test_a_message_attachment_for_code_is_in_mnt_data(sandbox: Sandbox) -> None:
    script = Script("python:print(open('/mnt/data/notes.txt').read().strip())", "Read it.")
    server = scripted(script, sandbox)
    try:
        with server.engine.lock:
            notes = files.add(server.engine, "notes.txt", "assistants", b"attached words\n")
            other = files.add(server.engine, "skip.txt", "assistants", b"for search only\n")
        tool = [{"type": "code_interpreter"}]
        attached = [
            {"file_id": notes["id"], "tools": tool},
            {"file_id": other["id"], "tools": [{"type": "file_search"}]},
        ]
        message = {"role": "user", "content": "read", "attachments": attached}
        thread = server.call("POST", "/threads", {"messages": [message]})
        body = {"assistant_id": server.assistant(tools=CODE)["id"]}
        run = server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))
        assert run["status"] == "completed"
        assert script.requests[1].messages[-1]["content"] == "attached words"
        listed = sandbox.execute(thread["id"], "import os\nsorted(os.listdir('/mnt/data'))")
        assert listed.logs == "['notes.txt']\n"
    finally:
        server.engine.close()
